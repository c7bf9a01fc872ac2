/*
 * integration_api.c - the argument and handle contract of the real
 * bitswatch.dll, loaded by full path with LoadLibraryW and called through
 * GetProcAddress by undecorated names (as P/Invoke and FFIs do), against
 * Wine's real BITS.
 *
 * Covers: BwGetVersion == BW_VERSION; BwStateName for every state and for an
 * unknown value; BwFormatMessage text ("404" in the HTTP 404 code's text, the
 * size query, E_POINTER); NULL pointers -> E_POINTER; malformed GUID text ->
 * E_INVALIDARG with *job NULL; a GUID that is not a job -> BG_E_NOT_FOUND with
 * *job NULL (text and struct); opening a job made by another process (bwjob)
 * with braces, without, in lower case and by struct; the first poll reporting
 * every group; BwJobClose(NULL) -> S_FALSE, double close and a forged handle
 * -> E_HANDLE; a poll on a closed handle -> E_HANDLE with the struct zeroed
 * but for cbSize; a wrong cbSize -> E_INVALIDARG; BwJobGetReplyProgress on a
 * download -> BW_E_NOT_UPLOAD_REPLY; BwEnumJobs lists the job once (other jobs
 * may be there), a count-only call is ERROR_MORE_DATA, NULL count -> E_POINTER,
 * an unknown flag -> E_INVALIDARG; BwJobGetInfo gives the job's GUID, display
 * name and type (and succeeds although Wine's GetDescription fails across
 * processes with 0x800703E6 and GetOwner/GetTimes/GetPriority are E_NOTIMPL);
 * BwJobGetError outside ERROR -> BG_E_ERROR_INFORMATION_UNAVAILABLE.
 *
 * Wine facts relied on (shared/wine-bits.md): jobs live in the BITS service,
 * so a job created by another process is visible here while the wineserver
 * lives; a /fast download on loopback reaches TRANSFERRED within a second;
 * Wine's GetReplyProgress is E_NOTIMPL (mapped to BW_E_NOT_UPLOAD_REPLY).
 */
#include <windows.h>
#include <objbase.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "itest.h"

/* A download made by bwjob, shared by the cases that need a real job. */
static wchar_t g_guid[39];

static const wchar_t *shared_job(void)
{
    if (!g_guid[0])
        itest_create_job("/fast/4096", L"bw-itest-api", g_guid, NULL);
    return g_guid;
}

static BW_JOB open_shared(void)
{
    BW_JOB job = NULL;
    assert_hr(S_OK, bw.JobOpen(shared_job(), &job));
    assert_non_null(job);
    return job;
}

static void test_version(void **state)
{
    UINT32 v = bw.GetVersion();
    if (v != (UINT32)BW_VERSION)
        fail_msg("BwGetVersion() = 0x%06X, header BW_VERSION = 0x%06X", (unsigned)v,
                 (unsigned)BW_VERSION);
}

static void test_state_names(void **state)
{
    static const wchar_t *const names[] = {
        L"Queued", L"Connecting", L"Transferring", L"Suspended", L"Error",
        L"TransientError", L"Transferred", L"Acknowledged", L"Cancelled",
    };
    for (UINT32 s = 0; s < 9; s++) {
        const WCHAR *got = bw.StateName(s);
        assert_non_null(got);
        if (wcscmp(got, names[s]))
            fail_msg("BwStateName(%u) = \"%ls\", expected \"%ls\"", (unsigned)s, got, names[s]);
    }
    assert_true(wcscmp(bw.StateName(BW_STATE_TRANSFERRED), L"Transferred") == 0);
    assert_non_null(bw.StateName(99));
    if (wcscmp(bw.StateName(99), L"Unknown"))
        fail_msg("BwStateName(99) = \"%ls\", expected \"Unknown\"", bw.StateName(99));
    if (wcscmp(bw.StateName(0xFFFFFFFFu), L"Unknown"))
        fail_msg("BwStateName(0xFFFFFFFF) = \"%ls\"", bw.StateName(0xFFFFFFFFu));
}

static void test_format_message(void **state)
{
    WCHAR text[512];
    UINT32 needed = 0, needed2 = 0;

    assert_hr(S_OK, bw.FormatMessage(ITEST_HTTP_404, text, 512, &needed));
    if (!wcsstr(text, L"404"))
        fail_msg("BwFormatMessage(0x80190194) = \"%ls\": no \"404\"", text);
    assert_int_equal(needed, wcslen(text) + 1);

    /* Size query: no buffer, the size comes back. */
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
              bw.FormatMessage(ITEST_HTTP_404, NULL, 0, &needed2));
    assert_int_equal(needed2, needed);
    /* Too small: truncated, NUL-terminated. */
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
              bw.FormatMessage(ITEST_HTTP_404, text, 4, NULL));
    assert_int_equal(wcslen(text), 3);

    assert_hr(E_POINTER, bw.FormatMessage(ITEST_HTTP_404, NULL, 10, &needed));

    assert_hr(S_OK, bw.FormatMessage(BG_E_NOT_FOUND, text, 512, NULL));
    if (!wcsstr(text, L"BG_E_NOT_FOUND"))
        fail_msg("BwFormatMessage(BG_E_NOT_FOUND) = \"%ls\"", text);
}

static void test_null_pointers(void **state)
{
    static const GUID zero;
    BW_JOB job = (BW_JOB)(uintptr_t)0x1234;
    BW_JOB real;

    assert_hr(E_POINTER, bw.JobOpen(NULL, &job));
    assert_null(job);
    assert_hr(E_POINTER, bw.JobOpen(L"{00000000-0000-0000-0000-000000000001}", NULL));
    job = (BW_JOB)(uintptr_t)0x1234;
    assert_hr(E_POINTER, bw.JobOpenById(NULL, &job));
    assert_null(job);
    assert_hr(E_POINTER, bw.JobOpenById(&zero, NULL));

    real = open_shared();
    assert_hr(E_POINTER, bw.JobPoll(real, 0, NULL));
    assert_hr(E_POINTER, bw.JobGetProgress(real, NULL));
    assert_hr(E_POINTER, bw.JobGetReplyProgress(real, NULL));
    assert_hr(S_OK, bw.JobClose(real));
}

static void test_malformed_guid(void **state)
{
    static const wchar_t *const bad[] = {
        L"xyz",
        L"",
        L"{0000000-0000-0000-0000-000000000001}",    /* a digit missing */
        L"0000000-0000-0000-0000-000000000001",      /* a digit missing, no braces */
        L"00000000-0000-0000-0000-0000000000011",    /* an extra digit */
        L"{00000000-0000-0000-0000-000000000001}x",  /* an extra char */
        L"{00000000-0000-0000-0000-000000000001",    /* one brace */
        L"00000000-0000-0000-0000-000000000001}",    /* the other brace */
        L"{00000000-0000-0000-0000-00000000000g}",   /* not hex */
        L" {00000000-0000-0000-0000-000000000001}",  /* a space */
        L"000000000-000-0000-0000-000000000001",     /* a dash moved */
        L"{000000000000-0000-0000-0000-00000001}",   /* groups wrong */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        BW_JOB job = (BW_JOB)(uintptr_t)0x1234;
        HRESULT hr = bw.JobOpen(bad[i], &job);
        if (hr != E_INVALIDARG || job != NULL)
            fail_msg("BwJobOpen(\"%ls\") = 0x%08lX, job %p; expected 0x80070057, NULL", bad[i],
                     (unsigned long)hr, (void *)job);
    }
}

static void test_not_found(void **state)
{
    GUID id;
    wchar_t text[40];
    BW_JOB job = (BW_JOB)(uintptr_t)0x1234;

    assert_hr(S_OK, CoCreateGuid(&id));
    assert_int_equal(StringFromGUID2(&id, text, 40), 39);
    assert_hr(BG_E_NOT_FOUND, bw.JobOpen(text, &job));
    assert_null(job);
    job = (BW_JOB)(uintptr_t)0x1234;
    text[37] = 0; /* no braces */
    assert_hr(BG_E_NOT_FOUND, bw.JobOpen(text + 1, &job));
    assert_null(job);
    job = (BW_JOB)(uintptr_t)0x1234;
    assert_hr(BG_E_NOT_FOUND, bw.JobOpenById(&id, &job));
    assert_null(job);
}

/* First poll of a fresh handle: every group changed, sequence 1. */
static void check_first_poll(BW_JOB job, const wchar_t *how)
{
    BW_STATUS st = itest_status();
    HRESULT hr = bw.JobPoll(job, 0, &st);
    if (hr != S_OK || st.Changed != BW_CHANGED_ALL || st.Sequence != 1 ||
        st.Type != BW_TYPE_DOWNLOAD || st.Timestamp == 0)
        fail_msg("first poll (opened %ls): hr 0x%08lX Changed 0x%X Sequence %llu Type %u"
                 " Timestamp %llu; expected S_OK, 0xF, 1, 0, nonzero",
                 how, (unsigned long)hr, (unsigned)st.Changed, (unsigned long long)st.Sequence,
                 (unsigned)st.Type, (unsigned long long)st.Timestamp);
}

static void test_open_with_and_without_braces(void **state)
{
    const wchar_t *braces = shared_job();
    wchar_t bare[37], lower[37];
    BW_JOB a = NULL, b = NULL, c = NULL, d = NULL;
    GUID id;

    wcsncpy(bare, braces + 1, 36);
    bare[36] = 0;
    for (int i = 0; i < 37; i++)
        lower[i] = (wchar_t)towlower(bare[i]);
    assert_hr(S_OK, IIDFromString(braces, &id));

    assert_hr(S_OK, bw.JobOpen(braces, &a));
    assert_hr(S_OK, bw.JobOpen(bare, &b));
    assert_hr(S_OK, bw.JobOpen(lower, &c));
    assert_hr(S_OK, bw.JobOpenById(&id, &d));
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_non_null(d);
    assert_true(a != b && a != c && a != d && b != c && b != d && c != d);

    check_first_poll(a, L"with braces");
    check_first_poll(b, L"without braces");
    check_first_poll(c, L"in lower case");
    check_first_poll(d, L"by GUID struct");

    assert_hr(S_OK, bw.JobClose(a));
    assert_hr(S_OK, bw.JobClose(b));
    assert_hr(S_OK, bw.JobClose(c));
    assert_hr(S_OK, bw.JobClose(d));
}

static void test_handles(void **state)
{
    BW_JOB job = open_shared();
    BW_STATUS st;
    BW_PROGRESS pr;

    assert_hr(S_FALSE, bw.JobClose(NULL));
    assert_hr(S_OK, bw.JobClose(job));
    assert_hr(E_HANDLE, bw.JobClose(job));

    /* A closed handle: E_HANDLE, and the struct is zeroed but for cbSize. */
    memset(&st, 0xAB, sizeof st);
    st.cbSize = sizeof st;
    assert_hr(E_HANDLE, bw.JobPoll(job, 0, &st));
    assert_int_equal(st.cbSize, sizeof st);
    for (size_t i = sizeof st.cbSize; i < sizeof st; i++)
        if (((unsigned char *)&st)[i])
            fail_msg("BW_STATUS byte %u is 0x%02X after a failed poll; expected 0", (unsigned)i,
                     ((unsigned char *)&st)[i]);
    assert_hr(E_HANDLE, bw.JobPoll(job, 1000, &st));
    pr.cbSize = sizeof pr;
    assert_hr(E_HANDLE, bw.JobGetProgress(job, &pr));
    assert_hr(E_HANDLE, bw.JobComplete(job));
    assert_hr(E_HANDLE, bw.JobCancel(job));
    assert_hr(E_HANDLE, bw.JobResume(job));

    /* Forged handles are E_HANDLE too, not a crash. */
    assert_hr(E_HANDLE, bw.JobClose((BW_JOB)(uintptr_t)0x7777));
    st = itest_status();
    assert_hr(E_HANDLE, bw.JobPoll((BW_JOB)(uintptr_t)0x12345678, 0, &st));
}

static void test_bad_cbsize(void **state)
{
    static const UINT32 sizes[] = {0, 4, sizeof(BW_STATUS) - 8, sizeof(BW_STATUS) + 8, 0xFFFFFFFFu};
    BW_JOB job = open_shared();
    BW_PROGRESS pr;
    BW_REPLY_PROGRESS rp;

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        BW_STATUS st = itest_status();
        HRESULT hr;
        st.cbSize = sizes[i];
        hr = bw.JobPoll(job, 0, &st);
        if (hr != E_INVALIDARG)
            fail_msg("BwJobPoll with cbSize %u = 0x%08lX, expected 0x80070057",
                     (unsigned)sizes[i], (unsigned long)hr);
    }
    memset(&pr, 0, sizeof pr);
    pr.cbSize = sizeof pr + 4;
    assert_hr(E_INVALIDARG, bw.JobGetProgress(job, &pr));
    pr.cbSize = 0;
    assert_hr(E_INVALIDARG, bw.JobGetProgress(job, &pr));
    memset(&rp, 0, sizeof rp);
    rp.cbSize = sizeof rp - 8;
    assert_hr(E_INVALIDARG, bw.JobGetReplyProgress(job, &rp));
    assert_hr(S_OK, bw.JobClose(job));
}

/* BwJobGetInfo of the job bwjob made: its GUID, name and type; the rest of
 * what Wine's BITS does not give (E_NOTIMPL, or GetDescription failing across
 * processes with 0x800703E6) stays NULL/0 (the priority BW_PRIORITY_UNKNOWN)
 * and the call succeeds. BwJobGetError
 * on a job that is not in error: BG_E_ERROR_INFORMATION_UNAVAILABLE. */
static void test_job_info(void **state)
{
    const wchar_t *text = shared_job();
    BW_JOB job = open_shared();
    BW_INFO info;
    BW_ERROR err;
    GUID id;
    HRESULT hr;

    memset(&info, 0, sizeof info);
    info.cbSize = sizeof info;
    assert_hr(S_OK, IIDFromString(text, &id));
    hr = bw.JobGetInfo(job, &info);
    if (hr != S_OK)
        fail_msg("BwJobGetInfo = 0x%08lX, expected S_OK%s", (unsigned long)hr,
                 hr == (HRESULT)0x800703E6L ? " (0x800703E6 is what Wine's GetDescription"
                                              " returns across processes for a job without"
                                              " a description: it must count as none)"
                                            : "");
    if (memcmp(&info.JobId, &id, sizeof id))
        fail_msg("BwJobGetInfo: JobId differs from %ls", text);
    assert_int_equal(info.Type, BW_TYPE_DOWNLOAD);
    /* Wine's GetPriority is E_NOTIMPL: "not reported", never Foreground. */
    if (info.Priority != BW_PRIORITY_UNKNOWN)
        fail_msg("BwJobGetInfo: Priority %u, expected BW_PRIORITY_UNKNOWN (Wine reports none)",
                 (unsigned)info.Priority);
    if (!info.DisplayName || wcscmp(info.DisplayName, L"bw-itest-api"))
        fail_msg("BwJobGetInfo: DisplayName \"%ls\", expected \"bw-itest-api\"",
                 info.DisplayName ? info.DisplayName : L"(null)");
    bw.FreeInfo(&info);
    assert_null(info.DisplayName);
    bw.FreeInfo(NULL);

    memset(&err, 0, sizeof err);
    err.cbSize = sizeof err;
    assert_hr(ITEST_BG_E_ERROR_INFORMATION_UNAVAILABLE, bw.JobGetError(job, &err));
    assert_null(err.Description);
    bw.FreeError(&err); /* harmless on a cleared struct */
    assert_hr(S_OK, bw.JobClose(job));
}

static void test_enum_jobs(void **state)
{
    const wchar_t *text = shared_job();
    UINT32 count = 0xFFFFFFFFu, count2 = 0, found = 0;
    GUID id, *ids;
    HRESULT hr;

    assert_hr(S_OK, IIDFromString(text, &id));
    /* Count only: at least our job (leftovers of other tests are fine). */
    hr = bw.EnumJobs(0, NULL, 0, &count);
    if (hr != HRESULT_FROM_WIN32(ERROR_MORE_DATA) || count < 1 || count == 0xFFFFFFFFu)
        fail_msg("BwEnumJobs(count only) = 0x%08lX, count %u; expected ERROR_MORE_DATA, >= 1",
                 (unsigned long)hr, (unsigned)count);
    ids = calloc(count + 16, sizeof *ids);
    assert_non_null(ids);
    assert_hr(S_OK, bw.EnumJobs(0, ids, count + 16, &count2));
    for (UINT32 i = 0; i < count2; i++)
        if (!memcmp(&ids[i], &id, sizeof id))
            found++;
    free(ids);
    if (found != 1)
        fail_msg("job %ls is listed %u times among %u, expected once", text, (unsigned)found,
                 (unsigned)count2);
    assert_hr(E_POINTER, bw.EnumJobs(0, NULL, 0, NULL));
    assert_hr(E_POINTER, bw.EnumJobs(0, NULL, 4, &count));
    assert_hr(E_INVALIDARG, bw.EnumJobs(0x80, NULL, 0, &count));
}

static void test_reply_progress_on_download(void **state)
{
    BW_JOB job = open_shared();
    BW_STATUS st;
    BW_PROGRESS pr;
    BW_REPLY_PROGRESS rp;

    assert_succeeded(itest_poll_until(job, BW_STATE_TRANSFERRED, BW_STATE_ERROR,
                                      itest_now_ms() + 20000, &st));
    if (st.State != BW_STATE_TRANSFERRED)
        fail_msg("the /fast/4096 job is in state %u, expected TRANSFERRED (6)", (unsigned)st.State);

    memset(&rp, 0, sizeof rp);
    rp.cbSize = sizeof rp;
    assert_hr(BW_E_NOT_UPLOAD_REPLY, bw.JobGetReplyProgress(job, &rp));

    memset(&pr, 0, sizeof pr);
    pr.cbSize = sizeof pr;
    assert_hr(S_OK, bw.JobGetProgress(job, &pr));
    assert_int_equal(pr.cbSize, sizeof pr);
    assert_int_equal(pr.BytesTransferred, 4096);
    assert_int_equal(pr.FilesTotal, 1);
    assert_int_equal(pr.FilesTransferred, 1);

    /* Tidy up: acknowledge it (it leaves the queue). */
    assert_hr(S_OK, bw.JobComplete(job));
    assert_hr(S_OK, bw.JobClose(job));
}

int wmain(int argc, wchar_t **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_format_message),
        cmocka_unit_test(test_malformed_guid),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_null_pointers),
        cmocka_unit_test(test_open_with_and_without_braces),
        cmocka_unit_test(test_handles),
        cmocka_unit_test(test_bad_cbsize),
        cmocka_unit_test(test_enum_jobs),
        cmocka_unit_test(test_job_info),
        cmocka_unit_test(test_reply_progress_on_download),
    };
    /* This thread never initializes COM: the DLL must work without it. */
    return ITEST_MAIN(argc, argv, "integration_api", tests, 0);
}
