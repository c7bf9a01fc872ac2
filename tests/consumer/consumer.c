/*
 * consumer.c - a program built the way a BitsWatch user builds one: against an
 * installed prefix (find_package(BitsWatch) or pkg-config), linked with the
 * import library, run with bitswatch.dll beside it. tests/consumer/run.sh
 * builds it both ways for x64 and x86 and runs the x64 builds under Wine.
 *
 *   consumer              version, messages, enumeration, an unknown job
 *   consumer <job GUID> <bytes>
 *                         also watches that job (one file of <bytes> bytes)
 *                         with BwJobPollMany until it is TRANSFERRED, reads
 *                         its info and completes it
 *
 * Prints "consumer: ok ..." lines; exit 0 when every check held, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bitswatch.h"

/* Every export, referenced through the import library: linking fails when
 * one is missing or (x86) decorated differently from the header. */
typedef void (*bw_fn)(void);
static const bw_fn bw_all_exports[] = {
    (bw_fn)BwGetVersion, (bw_fn)BwJobOpen, (bw_fn)BwJobOpenById, (bw_fn)BwJobClose,
    (bw_fn)BwJobPoll, (bw_fn)BwJobPollMany, (bw_fn)BwJobGetProgress,
    (bw_fn)BwJobGetReplyProgress, (bw_fn)BwJobComplete, (bw_fn)BwJobCancel,
    (bw_fn)BwJobSuspend, (bw_fn)BwJobResume, (bw_fn)BwJobGetError, (bw_fn)BwFreeError,
    (bw_fn)BwJobGetInfo, (bw_fn)BwFreeInfo, (bw_fn)BwEnumJobs, (bw_fn)BwFormatMessage,
    (bw_fn)BwStateName, (bw_fn)BwQueueOpen, (bw_fn)BwQueuePoll, (bw_fn)BwQueueGetJobs,
    (bw_fn)BwQueueClose, (bw_fn)BwJobGetDetails, (bw_fn)BwFreeDetails, (bw_fn)BwJobDiagnose,
    (bw_fn)BwFreeDiagnosis, (bw_fn)BwVerdictName,
};

static int failures;

static void check(int ok, const char *what, HRESULT hr)
{
    if (ok) {
        printf("consumer: ok %s\n", what);
    } else {
        printf("consumer: FAIL %s (hr 0x%08lX)\n", what, (unsigned long)hr);
        failures++;
    }
}

/* ASCII view of a WCHAR string, for printing. */
static const char *narrow(const WCHAR *w, char *buf, size_t cap)
{
    size_t i = 0;
    if (!w)
        return "(null)";
    for (; w[i] && i + 1 < cap; i++)
        buf[i] = (w[i] < 0x80) ? (char)w[i] : '?';
    buf[i] = '\0';
    return buf;
}

static void job_free_checks(void)
{
    char a[256];
    WCHAR text[256];
    UINT32 needed = 0, count = 0;
    BW_JOB job = NULL;
    HRESULT hr;
    size_t i, n = sizeof bw_all_exports / sizeof bw_all_exports[0];

    for (i = 0; i < n && bw_all_exports[i]; i++)
        ;
    check(i == n, "every export resolves through the import library", S_OK);

    printf("consumer: BwGetVersion 0x%06X, header %s (0x%06X)\n",
           (unsigned)BwGetVersion(), BW_VERSION_STRING, (unsigned)BW_VERSION);
    check(BwGetVersion() == BW_VERSION, "BwGetVersion() == BW_VERSION", S_OK);
    check(strcmp(narrow(BwStateName(BW_STATE_TRANSFERRED), a, sizeof a), "Transferred") == 0,
          "BwStateName(TRANSFERRED) is Transferred", S_OK);

    hr = BwFormatMessage(BG_E_NOT_FOUND, text, 256, &needed);
    narrow(text, a, sizeof a);
    printf("consumer: BwFormatMessage(0x80200001): %s\n", a);
    check(hr == S_OK && strstr(a, "BG_E_NOT_FOUND") != NULL, "BwFormatMessage names BG_E_NOT_FOUND", hr);

    hr = BwEnumJobs(0, NULL, 0, &count);
    check(SUCCEEDED(hr) || hr == HRESULT_FROM_WIN32(ERROR_MORE_DATA), "BwEnumJobs answers", hr);
    printf("consumer: %u job(s) in the queue\n", (unsigned)count);

    hr = BwJobOpen(L"{00000000-0000-0000-0000-0000000000b1}", &job);
    check(hr == BG_E_NOT_FOUND && job == NULL, "BwJobOpen of an unknown job is BG_E_NOT_FOUND", hr);
    hr = BwJobOpen(L"not a guid", &job);
    check(hr == E_INVALIDARG, "BwJobOpen of bad text is E_INVALIDARG", hr);
}

/* Watches one job through BwJobPollMany until TRANSFERRED (60 s at most),
 * printing each change. */
static void watch_job(const WCHAR *guid, UINT64 bytes)
{
    char a[256];
    BW_JOB job = NULL;
    BW_STATUS st;
    BW_INFO info;
    HRESULT hr, result = E_FAIL;
    UINT32 changed = 0;
    ULONGLONG deadline = GetTickCount64() + 60000;

    hr = BwJobOpen(guid, &job);
    check(hr == S_OK, "BwJobOpen of the job", hr);
    if (FAILED(hr))
        return;
    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    do {
        hr = BwJobPollMany(&job, 1, 1000, &st, &result, &changed);
        if (FAILED(hr) || FAILED(result))
            break;
        if (st.Changed)
            printf("consumer: %s %llu bytes\n", narrow(BwStateName(st.State), a, sizeof a),
                   (unsigned long long)st.BytesTransferred);
    } while (st.State != BW_STATE_TRANSFERRED && st.State != BW_STATE_ERROR &&
             st.State != BW_STATE_CANCELLED && GetTickCount64() < deadline);
    check(SUCCEEDED(hr) && SUCCEEDED(result) && st.State == BW_STATE_TRANSFERRED &&
              st.BytesTransferred == bytes && st.FilesTransferred == 1,
          "BwJobPollMany watched the job to Transferred", FAILED(hr) ? hr : result);

    memset(&info, 0, sizeof info);
    info.cbSize = sizeof info;
    hr = BwJobGetInfo(job, &info);
    check(hr == S_OK && info.DisplayName != NULL, "BwJobGetInfo", hr);
    printf("consumer: display name: %s\n", narrow(info.DisplayName, a, sizeof a));
    BwFreeInfo(&info);

    hr = BwJobComplete(job);
    check(SUCCEEDED(hr), "BwJobComplete", hr);
    hr = BwJobPoll(job, 0, &st);
    check(SUCCEEDED(hr) && st.State == BW_STATE_ACKNOWLEDGED, "the job is Acknowledged", hr);
    hr = BwJobClose(job);
    check(hr == S_OK, "BwJobClose", hr);
}

int wmain(int argc, wchar_t **argv)
{
    job_free_checks();
    if (argc > 2)
        watch_job(argv[1], wcstoull(argv[2], NULL, 10));
    printf("consumer: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
