/*
 * integration_jobs.c - watching real transfers of Wine's BITS through the
 * real bitswatch.dll (loaded by full path, called through GetProcAddress),
 * with the jobs made by another process (bwjob) as in real life.
 *
 * Covers:
 *  - a throttled download (/slow, ~4 s): the states seen by BwJobPoll(10000)
 *    go forward only through QUEUED/CONNECTING, TRANSFERRING (seen at least
 *    once), TRANSFERRED; BytesTransferred never decreases; Changed has the
 *    STATE bit exactly when State differs from the previous snapshot and the
 *    PROGRESS bit exactly when the counters differ; S_OK exactly when Changed
 *    != 0; Sequence grows by one per change; Timestamp never goes back; the
 *    rate becomes known while bytes flow; EtaSeconds is -1 while the job moves
 *    with BytesTotal unknown, and 0 once TRANSFERRED; at the end BytesTransferred is the file size and 1 of 1 files;
 *    BwJobComplete is S_OK, the next poll says ACKNOWLEDGED, and the file on
 *    disk has the size and the bytes the server sent.
 *  - an HTTP 404 job: reaches ERROR with ErrorCode 0x80190194 and ErrorContext
 *    REMOTE_FILE (5); BwJobGetError has the same code and context, a
 *    Description with "404", a ContextDescription and the URL; a poll in ERROR with nothing new is S_FALSE at once
 *    (< 1 s with timeout 5000).
 *  - a job cancelled by another process while a thread waits on it with
 *    BwJobPoll(10000): the wait ends within 1 s of the cancel with S_OK and
 *    State CANCELLED, or with BG_E_NOT_FOUND.
 * The main thread is an STA and the waiting thread has no COM at all: the DLL
 * must work in both.
 *
 * Wine facts relied on (shared/wine-bits.md): states QUEUED, CONNECTING,
 * TRANSFERRING, TRANSFERRED for HTTP; the job-level BytesTotal stays
 * BG_SIZE_UNKNOWN while the job-level BytesTransferred reaches the file size;
 * 404 gives ERROR, context 5, 0x80190194; cancelling a job in the middle of a
 * throttled read can crash Wine 8's BITS, so the cancel case uses /hang (headers
 * then nothing), and runs last. 0x800706BA from any call means BITS died.
 */
#include <windows.h>
#include <objbase.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "itest.h"

/* The throttled transfer: SLOW_SIZE bytes at SLOW_RATE B/s (~4 s: long enough
 * to see TRANSFERRING after bwjob's own process start of 1-3 s under Wine). */
#define SLOW_SIZE 400000u
#define SLOW_RATE 100000u
#define SLOW_PATH "/slow/400000?rate=100000&chunk=8192"

/* The content the server sends: byte i is i % 251. */
static void check_file(const wchar_t *path, UINT64 size)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    LARGE_INTEGER len;
    unsigned char buf[65536];
    UINT64 at = 0;
    DWORD got;

    if (f == INVALID_HANDLE_VALUE)
        fail_msg("cannot open the downloaded file %ls: %lu", path, GetLastError());
    GetFileSizeEx(f, &len);
    if ((UINT64)len.QuadPart != size) {
        CloseHandle(f);
        fail_msg("%ls has %lld bytes, expected %llu", path, (long long)len.QuadPart,
                 (unsigned long long)size);
    }
    while (ReadFile(f, buf, sizeof buf, &got, NULL) && got) {
        for (DWORD i = 0; i < got; i++, at++)
            if (buf[i] != at % 251) {
                CloseHandle(f);
                fail_msg("%ls byte %llu is %u, expected %u", path, (unsigned long long)at,
                         buf[i], (unsigned)(at % 251));
            }
    }
    CloseHandle(f);
    assert_int_equal(at, size);
}

/* Forward order of the states a healthy HTTP download goes through. */
static int download_rank(UINT32 state)
{
    switch (state) {
    case BW_STATE_QUEUED: return 0;
    case BW_STATE_CONNECTING: return 1;
    case BW_STATE_TRANSFERRING: return 2;
    case BW_STATE_TRANSFERRED: return 3;
    default: return -1;
    }
}

static int progress_differs(const BW_STATUS *a, const BW_STATUS *b)
{
    return a->BytesTotal != b->BytesTotal || a->BytesTransferred != b->BytesTransferred ||
           a->FilesTotal != b->FilesTotal || a->FilesTransferred != b->FilesTransferred;
}

/* The change-detection contract between two consecutive polls of a handle
 * (poll is 1 for the first): S_OK exactly when Changed != 0; the first poll
 * reports every group with Sequence 1; later, each Changed bit is set exactly
 * when its group differs, Sequence grows by one per change, Timestamp never
 * goes back. */
static void check_poll(const BW_STATUS *prev, const BW_STATUS *st, HRESULT hr, int poll)
{
    UINT32 expect = 0;

    if ((hr == S_OK) != (st->Changed != 0))
        fail_msg("poll %d: hr 0x%08lX with Changed 0x%X", poll, (unsigned long)hr,
                 (unsigned)st->Changed);
    assert_int_equal(st->Type, BW_TYPE_DOWNLOAD);
    assert_true(st->Timestamp != 0);
    if (poll == 1) {
        if (st->Changed != BW_CHANGED_ALL || st->Sequence != 1)
            fail_msg("first poll: Changed 0x%X Sequence %llu, expected 0xF, 1",
                     (unsigned)st->Changed, (unsigned long long)st->Sequence);
        return;
    }
    if (st->State != prev->State)
        expect |= BW_CHANGED_STATE;
    if (progress_differs(st, prev))
        expect |= BW_CHANGED_PROGRESS;
    if (st->ReplyBytesTotal != prev->ReplyBytesTotal ||
        st->ReplyBytesTransferred != prev->ReplyBytesTransferred)
        expect |= BW_CHANGED_REPLY;
    if (st->ErrorCode != prev->ErrorCode || st->ErrorContext != prev->ErrorContext)
        expect |= BW_CHANGED_ERROR;
    if (st->Changed != expect)
        fail_msg("poll %d: Changed 0x%X, expected 0x%X (state %u -> %u, bytes %llu -> %llu,"
                 " files %u -> %u, error 0x%08lX -> 0x%08lX)", poll, (unsigned)st->Changed,
                 (unsigned)expect, (unsigned)prev->State, (unsigned)st->State,
                 (unsigned long long)prev->BytesTransferred,
                 (unsigned long long)st->BytesTransferred, (unsigned)prev->FilesTransferred,
                 (unsigned)st->FilesTransferred, (unsigned long)prev->ErrorCode,
                 (unsigned long)st->ErrorCode);
    if (st->Sequence != prev->Sequence + (hr == S_OK ? 1 : 0))
        fail_msg("poll %d: Sequence %llu after %llu with hr 0x%08lX", poll,
                 (unsigned long long)st->Sequence, (unsigned long long)prev->Sequence,
                 (unsigned long)hr);
    if (st->Timestamp < prev->Timestamp)
        fail_msg("poll %d: Timestamp went back", poll);
}

static void test_slow_transfer(void **state)
{
    wchar_t guid[39], local[MAX_PATH];
    BW_STATUS prev, st;
    BW_JOB job = NULL;
    int polls = 0, saw_transferring = 0, saw_rate = 0;
    char seen[128] = ""; /* the states in the order seen, for the log */
    uint64_t deadline;
    HRESULT hr;

    itest_require_bits();
    itest_create_job(SLOW_PATH, L"bw-itest-slow", guid, local);
    assert_hr(S_OK, bw.JobOpen(guid, &job));

    prev = itest_status();
    deadline = itest_now_ms() + 60000;
    for (;;) {
        st = itest_status();
        hr = bw.JobPoll(job, 10000, &st);
        if (FAILED(hr))
            itest_fail_hr("BwJobPoll(slow job)", S_OK, hr, __FILE__, __LINE__);
        polls++;

        if (download_rank(st.State) < 0)
            fail_msg("poll %d: state %u (%ls) is not a download state; error 0x%08lX ctx %u", polls,
                     (unsigned)st.State, bw.StateName(st.State), (unsigned long)st.ErrorCode,
                     (unsigned)st.ErrorContext);
        check_poll(&prev, &st, hr, polls);
        if (polls > 1) {
            if (download_rank(st.State) < download_rank(prev.State))
                fail_msg("poll %d: state went back from %ls to %ls", polls,
                         bw.StateName(prev.State), bw.StateName(st.State));
            if (st.BytesTransferred < prev.BytesTransferred)
                fail_msg("poll %d: BytesTransferred went back from %llu to %llu", polls,
                         (unsigned long long)prev.BytesTransferred,
                         (unsigned long long)st.BytesTransferred);
        }
        /* ETA: -1 while the job moves with an unknown total (Wine's case), 0
         * once nothing remains (TRANSFERRED). */
        if (st.State == BW_STATE_TRANSFERRED) {
            if (st.EtaSeconds != 0)
                fail_msg("poll %d: EtaSeconds %lld in TRANSFERRED, expected 0", polls,
                         (long long)st.EtaSeconds);
        } else if (st.BytesTotal == BW_SIZE_UNKNOWN && st.EtaSeconds != -1) {
            fail_msg("poll %d: EtaSeconds %lld in %ls with BytesTotal unknown, expected -1",
                     polls, (long long)st.EtaSeconds, bw.StateName(st.State));
        }
        if (st.BytesPerSecond < 0)
            fail_msg("poll %d: BytesPerSecond %f", polls, st.BytesPerSecond);
        if ((polls == 1 || st.State != prev.State) && strlen(seen) + 20 < sizeof seen)
            snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s%ls",
                     polls == 1 ? "" : " -> ", bw.StateName(st.State));
        if (st.State == BW_STATE_TRANSFERRING)
            saw_transferring = 1;
        if (st.BytesPerSecond > 0)
            saw_rate = 1;
        assert_int_equal(st.ErrorCode, 0);
        assert_int_equal(st.ErrorContext, 0);
        assert_true(st.ReplyBytesTotal == BW_SIZE_UNKNOWN);

        prev = st;
        if (st.State == BW_STATE_TRANSFERRED && hr == S_FALSE)
            break; /* settled: a final state with nothing new */
        if (itest_now_ms() > deadline)
            fail_msg("the slow job did not finish in 60 s (state %ls, %llu bytes)",
                     bw.StateName(st.State), (unsigned long long)st.BytesTransferred);
    }
    print_message("slow job: %d polls, %llu changes, states %s\n", polls,
                  (unsigned long long)st.Sequence, seen);
    if (!saw_transferring)
        fail_msg("never saw TRANSFERRING in %d polls", polls);
    if (!saw_rate)
        fail_msg("BytesPerSecond never became known while %u bytes flowed", SLOW_SIZE);
    if (st.BytesTransferred != SLOW_SIZE || st.FilesTotal != 1 || st.FilesTransferred != 1)
        fail_msg("at the end: %llu bytes, %u of %u files; expected %u bytes, 1 of 1",
                 (unsigned long long)st.BytesTransferred, (unsigned)st.FilesTransferred,
                 (unsigned)st.FilesTotal, SLOW_SIZE);
    /* Wine: the job-level total stays unknown; elsewhere it is the size. */
    if (st.BytesTotal != BW_SIZE_UNKNOWN)
        assert_int_equal(st.BytesTotal, SLOW_SIZE);

    assert_hr(S_OK, bw.JobComplete(job));
    prev = st;
    st = itest_status();
    hr = bw.JobPoll(job, 0, &st);
    if (hr != S_OK || st.State != BW_STATE_ACKNOWLEDGED)
        fail_msg("after BwJobComplete: hr 0x%08lX state %u; expected S_OK, ACKNOWLEDGED (7)",
                 (unsigned long)hr, (unsigned)st.State);
    check_poll(&prev, &st, hr, polls + 1);
    if (st.EtaSeconds != 0)
        fail_msg("EtaSeconds %lld in ACKNOWLEDGED, expected 0", (long long)st.EtaSeconds);
    check_file(local, SLOW_SIZE);
    DeleteFileW(local);
    assert_hr(S_OK, bw.JobClose(job));
}

static void test_http_404(void **state)
{
    wchar_t guid[39];
    BW_STATUS st;
    BW_JOB job = NULL;
    uint64_t t0, elapsed;
    HRESULT hr;
    int saw_error_bit = 0;

    itest_require_bits();
    itest_create_job("/status/404", L"bw-itest-404", guid, NULL);
    assert_hr(S_OK, bw.JobOpen(guid, &job));

    uint64_t deadline = itest_now_ms() + 30000;
    int polls = 0;
    BW_STATUS prev = itest_status();
    do {
        st = itest_status();
        hr = bw.JobPoll(job, 10000, &st);
        if (FAILED(hr))
            itest_fail_hr("BwJobPoll(404 job)", S_OK, hr, __FILE__, __LINE__);
        check_poll(&prev, &st, hr, ++polls);
        prev = st;
        if (st.Changed & BW_CHANGED_ERROR)
            saw_error_bit = 1;
        if (st.State != BW_STATE_ERROR && (st.ErrorCode != 0 || st.ErrorContext != 0))
            fail_msg("state %ls with ErrorCode 0x%08lX ErrorContext %u; expected 0, 0",
                     bw.StateName(st.State), (unsigned long)st.ErrorCode,
                     (unsigned)st.ErrorContext);
    } while (st.State != BW_STATE_ERROR && itest_now_ms() < deadline);

    if (st.State != BW_STATE_ERROR)
        fail_msg("the 404 job is in state %u (%ls), expected ERROR (4)", (unsigned)st.State,
                 bw.StateName(st.State));
    assert_hr(ITEST_HTTP_404, st.ErrorCode);
    assert_int_equal(st.ErrorContext, BW_CONTEXT_REMOTE_FILE);
    assert_true(saw_error_bit);
    assert_true(st.BytesPerSecond == 0);
    assert_int_equal(st.EtaSeconds, -1);

    /* The error object: Wine's BITS gives code, context and file; its texts
     * fail across processes, so the descriptions come from the library. */
    {
        BW_ERROR err;
        memset(&err, 0, sizeof err);
        err.cbSize = sizeof err;
        assert_hr(S_OK, bw.JobGetError(job, &err));
        assert_hr(ITEST_HTTP_404, err.ErrorCode);
        assert_int_equal(err.Context, BW_CONTEXT_REMOTE_FILE);
        if (!err.Description || !wcsstr(err.Description, L"404"))
            fail_msg("BW_ERROR.Description \"%ls\": expected text with \"404\"",
                     err.Description ? err.Description : L"(null)");
        if (!err.ContextDescription || !*err.ContextDescription)
            fail_msg("BW_ERROR.ContextDescription is NULL or empty");
        if (!err.RemoteName || !wcsstr(err.RemoteName, L"/status/404"))
            fail_msg("BW_ERROR.RemoteName \"%ls\": expected the job's URL",
                     err.RemoteName ? err.RemoteName : L"(null)");
        bw.FreeError(&err);
        assert_null(err.Description);
        assert_null(err.RemoteName);
        bw.FreeError(NULL);
    }

    /* In ERROR with nothing new: S_FALSE at once, not after the timeout. */
    st = itest_status();
    t0 = itest_now_ms();
    hr = bw.JobPoll(job, 5000, &st);
    elapsed = itest_now_ms() - t0;
    assert_hr(S_FALSE, hr);
    assert_int_equal(st.Changed, 0);
    assert_int_equal(st.State, BW_STATE_ERROR);
    assert_hr(ITEST_HTTP_404, st.ErrorCode);
    if (elapsed >= 1000)
        fail_msg("a poll in ERROR with nothing new took %llu ms (timeout 5000); expected < 1000",
                 (unsigned long long)elapsed);

    /* A job in ERROR is not moving: safe to cancel under Wine. */
    assert_succeeded(bw.JobCancel(job));
    assert_hr(S_OK, bw.JobClose(job));
}

/* The waiting side of the cancel case: a thread with no COM at all. */
typedef struct cancel_wait {
    BW_JOB job;
    HRESULT hr;
    BW_STATUS st;
    uint64_t end_ms;
    int polls;
} cancel_wait;

static DWORD WINAPI cancel_waiter(void *arg)
{
    cancel_wait *w = arg;
    for (;;) {
        w->st = itest_status();
        w->hr = bw.JobPoll(w->job, 10000, &w->st);
        w->polls++;
        if (FAILED(w->hr) || w->st.State == BW_STATE_CANCELLED || w->polls > 100)
            break;
    }
    w->end_ms = itest_now_ms();
    return 0;
}

static void test_cancel_by_other_process(void **state)
{
    wchar_t guid[39], args[64];
    char out[256];
    cancel_wait w;
    BW_STATUS st;
    HANDLE thread;
    uint64_t cancel_start, cancel_done;
    int rc;

    itest_require_bits();
    /* /hang: headers, then nothing. Never /slow here (see the top comment). */
    itest_create_job("/hang/1000000", L"bw-itest-cancel", guid, NULL);
    memset(&w, 0, sizeof w);
    assert_hr(S_OK, bw.JobOpen(guid, &w.job));
    /* Until BITS is waiting on the socket (CONNECTING or TRANSFERRING). */
    assert_succeeded(itest_poll_until(w.job, BW_STATE_CONNECTING, BW_STATE_TRANSFERRING,
                                      itest_now_ms() + 20000, &st));
    if (st.State != BW_STATE_CONNECTING && st.State != BW_STATE_TRANSFERRING)
        fail_msg("the /hang job is in state %ls, expected CONNECTING or TRANSFERRING",
                 bw.StateName(st.State));

    thread = CreateThread(NULL, 0, cancel_waiter, &w, 0, NULL);
    assert_non_null(thread);
    Sleep(1000);
    swprintf(args, 64, L"cancel %ls", guid);
    cancel_start = itest_now_ms();
    rc = itest_bwjob(args, out, sizeof out);
    cancel_done = itest_now_ms();
    if (rc != 0)
        fail_msg("%sbwjob %ls: exit %d, output \"%s\"", strstr(out, "800706BA") ? "BITS died: " : "",
                 args, rc, out);
    if (WaitForSingleObject(thread, 15000) != WAIT_OBJECT_0)
        fail_msg("the wait did not end within 15 s of the cancel");
    CloseHandle(thread);

    print_message("cancel: bwjob ran %llu ms; the wait ended %lld ms after it returned"
                  " (%d polls)\n", (unsigned long long)(cancel_done - cancel_start),
                  (long long)(w.end_ms - cancel_done), w.polls);
    if (w.hr == ITEST_RPC_SERVER_UNAVAILABLE)
        itest_fail_hr("BwJobPoll(cancelled job)", S_OK, w.hr, __FILE__, __LINE__);
    if (!((w.hr == S_OK && w.st.State == BW_STATE_CANCELLED) || w.hr == BG_E_NOT_FOUND))
        fail_msg("the wait ended with 0x%08lX, state %u (%ls); expected S_OK + CANCELLED or"
                 " BG_E_NOT_FOUND", (unsigned long)w.hr, (unsigned)w.st.State,
                 bw.StateName(w.st.State));
    if (w.end_ms < cancel_start)
        fail_msg("the wait ended %llu ms before the cancel was started",
                 (unsigned long long)(cancel_start - w.end_ms));
    if (w.end_ms > cancel_done + 1000)
        fail_msg("the wait ended %llu ms after the cancel; expected < 1000",
                 (unsigned long long)(w.end_ms - cancel_done));
    assert_hr(S_OK, bw.JobClose(w.job));
}

int wmain(int argc, wchar_t **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_transfer),
        cmocka_unit_test(test_http_404),
        cmocka_unit_test(test_cancel_by_other_process), /* last: see the top comment */
    };

    /* An STA, as in Windows PowerShell 5.1; the cancel waiter has no COM. */
    return ITEST_MAIN(argc, argv, "integration_jobs", tests, 1);
}
