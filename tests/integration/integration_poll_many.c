/*
 * integration_poll_many - BwJobPollMany over 50 real jobs of Wine's BITS.
 *
 * The set, made once by the first case (raw COM from a helper thread, so the
 * 50 jobs take seconds, not 50 bwjob starts):
 *   job 0      /slow (about 24 s at 32 KB/s): TRANSFERRING, its progress
 *              changes every few tens of ms, so most waits end early;
 *   jobs 1-49  /hang: queued behind job 0 (Wine's BITS transfers one job at a
 *              time). When job 0 completes, one of them starts and hangs after
 *              the headers (a transfer "in flight" that never moves again).
 * Cases, in order (they share the set):
 *  - the first call reports all 50 jobs changed, with their states;
 *  - bwjob.exe (another process) cancels a queued job at the end, the middle
 *    and the front of the array while the wait runs: the wait ends with that
 *    entry S_OK and CANCELLED although job 0 keeps ending waits early (a quiet
 *    job late in the array must not starve);
 *  - a caller with 100 ms gaps and a stale handle kept in its set sees a
 *    cancel while job 0 ends most waits early;
 *  - job 0 completing is seen (TRANSFERRED, its file counted);
 *  - closing job 0's handle (final) ends the set's wait at once: E_HANDLE;
 *  - closing one handle from another thread ends a wait with nothing else to
 *    report: that entry E_HANDLE;
 *  - bad handle entries (NULL, closed, forged) fail alone, at once;
 *  - clean-up: queued and hanging jobs cancelled (never the /slow job while it
 *    moves: the Wine 8 cancel bug in shared/wine-bits.md), job 0 completed.
 * Behaviour is asserted, not speed: time limits are generous and only catch a
 * wait that never ends.
 */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include <bits.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "itest.h"

#define NJOBS 50
#define SLOW_BYTES 786432u /* 24 s at the rate below */
#define SLOW_PATH "/slow/786432?rate=32768&chunk=4096"
#define HANG_PATH "/hang/1000"

typedef HRESULT(BWAPI *PFN_BwJobPollMany)(const BW_JOB *jobs, UINT32 count, UINT32 timeoutMs,
                                          BW_STATUS *statuses, HRESULT *results,
                                          UINT32 *changedCount);
static PFN_BwJobPollMany poll_many;

static struct {
    int ready;                 /* the first case made and opened the set */
    wchar_t guid[NJOBS][39];
    BW_JOB h[NJOBS];
    BW_STATUS st[NJOBS];
    HRESULT r[NJOBS];
    int cancelled[NJOBS];
    HRESULT made;              /* the helper thread's result */
    wchar_t http[256];
} g;

/* ---- helpers --------------------------------------------------------------- */

static void load_poll_many(void)
{
    HMODULE dll = NULL;
    /* The DLL itest_load loaded by full path: the module holding BwJobPoll. */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)bw.JobPoll, &dll))
        fail_msg("GetModuleHandleExW(bitswatch.dll) failed: %lu", GetLastError());
    FARPROC p = GetProcAddress(dll, "BwJobPollMany");
    if (!p)
        fail_msg("export BwJobPollMany not found");
    poll_many = (PFN_BwJobPollMany)(void (*)(void))p;
}

/* Every entry ready for a call (the array's cbSize must all be set). */
static HRESULT poll_set(const BW_JOB *h, BW_STATUS *st, HRESULT *r, UINT32 n, UINT32 timeout,
                        UINT32 *changed)
{
    for (UINT32 i = 0; i < n; i++) {
        memset(&st[i], 0xCD, sizeof st[i]); /* garbage after cbSize: must be overwritten */
        st[i].cbSize = sizeof st[i];
        r[i] = (HRESULT)0xDEADBEEF;
    }
    return poll_many(h, n, timeout, st, r, changed);
}

static HRESULT poll_all(UINT32 timeout, UINT32 *changed)
{
    return poll_set(g.h, g.st, g.r, NJOBS, timeout, changed);
}

/* After a call over the whole set: every entry S_OK or S_FALSE (nothing
 * failed), S_OK exactly when Changed != 0, and changedCount right. */
static void check_results(HRESULT hr, UINT32 changed, const char *where)
{
    UINT32 n_ok = 0;
    if (hr != S_OK && hr != S_FALSE)
        fail_msg("%s: BwJobPollMany returned 0x%08lX", where, (unsigned long)hr);
    for (int i = 0; i < NJOBS; i++) {
        if (g.r[i] != S_OK && g.r[i] != S_FALSE)
            fail_msg("%s: entry %d failed with 0x%08lX", where, i, (unsigned long)g.r[i]);
        if ((g.r[i] == S_OK) != (g.st[i].Changed != 0))
            fail_msg("%s: entry %d result 0x%08lX with Changed 0x%X", where, i,
                     (unsigned long)g.r[i], (unsigned)g.st[i].Changed);
        if (g.st[i].cbSize != sizeof g.st[i])
            fail_msg("%s: entry %d cbSize changed to %u", where, i, (unsigned)g.st[i].cbSize);
        n_ok += g.r[i] == S_OK;
    }
    if (changed != n_ok)
        fail_msg("%s: changedCount %u, but %u entries are S_OK", where, (unsigned)changed,
                 (unsigned)n_ok);
    if ((hr == S_OK) != (n_ok > 0))
        fail_msg("%s: returned 0x%08lX with %u entries S_OK", where, (unsigned long)hr,
                 (unsigned)n_ok);
}

/* The jobs, made with raw COM on a thread of their own (an MTA that ends
 * with the thread; the main thread stays without COM, as in PowerShell 7's
 * worker threads). */
static HRESULT create_one(IBackgroundCopyManager *mgr, const wchar_t *path, int k)
{
    wchar_t url[512], temp[MAX_PATH], local[MAX_PATH], name[64];
    IBackgroundCopyJob *job = NULL;
    GUID id;

    swprintf(url, sizeof url / sizeof url[0], L"%ls%ls", g.http, path);
    GetTempPathW(MAX_PATH, temp);
    swprintf(local, MAX_PATH, L"%lsbw-itest-many-%lu-%d.bin", temp, GetCurrentProcessId(), k);
    DeleteFileW(local);
    swprintf(name, sizeof name / sizeof name[0], L"bw-itest-many-%d", k);
    HRESULT hr = IBackgroundCopyManager_CreateJob(mgr, name, BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (FAILED(hr))
        return hr;
    hr = IBackgroundCopyJob_AddFile(job, url, local);
    if (SUCCEEDED(hr))
        hr = IBackgroundCopyJob_Resume(job);
    if (FAILED(hr))
        IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    if (SUCCEEDED(hr))
        StringFromGUID2(&id, g.guid[k], 39);
    return hr;
}

/* S_OK once the job is CONNECTING or TRANSFERRING; E_PENDING when it stays
 * queued (another job holds Wine's one transfer thread). */
static HRESULT wait_moving(IBackgroundCopyManager *mgr, const wchar_t *guid, DWORD ms)
{
    IBackgroundCopyJob *job = NULL;
    GUID id;
    BG_JOB_STATE s = BG_JOB_STATE_QUEUED;
    HRESULT hr = IIDFromString(guid, &id);
    if (SUCCEEDED(hr))
        hr = IBackgroundCopyManager_GetJob(mgr, &id, &job);
    if (FAILED(hr))
        return hr;
    DWORD start = GetTickCount();
    while (SUCCEEDED(hr = IBackgroundCopyJob_GetState(job, &s)) && s == BG_JOB_STATE_QUEUED &&
           GetTickCount() - start < ms)
        Sleep(20);
    IBackgroundCopyJob_Release(job);
    if (SUCCEEDED(hr) && s == BG_JOB_STATE_QUEUED)
        hr = E_PENDING;
    return hr;
}

static DWORD WINAPI maker_main(void *arg)
{
    IBackgroundCopyManager *mgr = NULL;
    (void)arg;
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr)) {
        g.made = hr;
        return 0;
    }
    hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                          &IID_IBackgroundCopyManager, (void **)&mgr);
    if (SUCCEEDED(hr)) {
        /* Job 0 first, alone, and in flight before the others exist: Wine's
         * BITS starts the NEWEST queued job when its transfer thread is free,
         * so a /hang job made too soon would take its place for good. */
        hr = create_one(mgr, L"" SLOW_PATH, 0);
        if (SUCCEEDED(hr))
            hr = wait_moving(mgr, g.guid[0], 60000);
        for (int k = 1; k < NJOBS && SUCCEEDED(hr); k++)
            hr = create_one(mgr, L"" HANG_PATH, k);
        IBackgroundCopyManager_Release(mgr);
    }
    g.made = hr;
    CoUninitialize();
    return 0;
}

/* ---- cases ------------------------------------------------------------------ */

static void test_first_call_reports_all_fifty(void **state)
{
    BW_STATUS st;
    UINT32 changed = 0;
    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_first_call_reports_all_fifty", 120000);
    load_poll_many();
    const char *http = getenv("BW_TEST_HTTP");
    MultiByteToWideChar(CP_UTF8, 0, http, -1, g.http, sizeof g.http / sizeof g.http[0]);

    HANDLE t = CreateThread(NULL, 0, maker_main, NULL, 0, NULL);
    assert_non_null(t);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    if (g.made == E_PENDING)
        fail_msg("the /slow job stayed Queued for 60 s: another job holds Wine's BITS"
                 " transfer thread (a leftover of an earlier test?)");
    assert_hr(S_OK, g.made);
    for (int i = 0; i < NJOBS; i++)
        assert_hr(S_OK, bw.JobOpen(g.guid[i], &g.h[i]));
    /* Job 0 must be the transfer in flight (a job another test left in flight
     * would keep it queued). */
    assert_succeeded(itest_poll_until(g.h[0], BW_STATE_TRANSFERRING, BW_STATE_ERROR,
                                      itest_now_ms() + 60000, &st));
    if (st.State != BW_STATE_TRANSFERRING)
        fail_msg("the /slow job is %ls after 60 s, expected Transferring (is another job"
                 " holding Wine's BITS transfer thread?)", bw.StateName(st.State));
    g.ready = 1;

    /* Job 0 was polled alone above; the other 49 are new to their handles. */
    HRESULT hr = poll_all(0, &changed);
    check_results(hr, changed, "first call");
    assert_hr(S_OK, hr);
    for (int i = 1; i < NJOBS; i++) {
        assert_hr(S_OK, g.r[i]);
        assert_int_equal(g.st[i].Changed, BW_CHANGED_ALL);
        assert_int_equal(g.st[i].Sequence, 1);
        if (g.st[i].State != BW_STATE_QUEUED)
            fail_msg("job %d is %ls, expected Queued behind the /slow job", i,
                     bw.StateName(g.st[i].State));
        assert_int_equal(g.st[i].Type, BW_TYPE_DOWNLOAD);
        assert_int_equal(g.st[i].FilesTotal, 1);
    }
    if (g.st[0].State != BW_STATE_TRANSFERRING)
        fail_msg("job 0 is %ls", bw.StateName(g.st[0].State));

    /* At once again: the quiet jobs have nothing new (their own detection). */
    hr = poll_all(0, &changed);
    check_results(hr, changed, "second call");
    for (int i = 1; i < NJOBS; i++)
        if (g.r[i] != S_FALSE || g.st[i].State != BW_STATE_QUEUED)
            fail_msg("second call: job %d 0x%08lX %ls, expected S_FALSE Queued", i,
                     (unsigned long)g.r[i], bw.StateName(g.st[i].State));
    itest_watchdog_off();
}

typedef struct canceller {
    int k;
    int rc;
    char out[256];
    double done_ms;
} canceller;

static DWORD WINAPI canceller_main(void *arg)
{
    canceller *c = arg;
    wchar_t args[128];
    Sleep(500); /* the wait is under way */
    swprintf(args, sizeof args / sizeof args[0], L"cancel %ls", g.guid[c->k]);
    c->rc = itest_bwjob(args, c->out, sizeof c->out);
    c->done_ms = itest_now_precise_ms();
    return 0;
}

static void test_cancel_by_another_process_is_seen(void **state)
{
    /* The end, the middle and the front of the array. */
    static const int positions[] = {NJOBS - 1, NJOBS / 2, 1};
    (void)state;
    itest_require_bits();
    if (!g.ready)
        skip();
    itest_watchdog_arm("test_cancel_by_another_process_is_seen", 150000);
    for (size_t p = 0; p < sizeof positions / sizeof positions[0]; p++) {
        canceller c;
        memset(&c, 0, sizeof c);
        c.k = positions[p];
        int calls = 0, early = 0, moving_when_seen;
        HANDLE t = CreateThread(NULL, 0, canceller_main, &c, 0, NULL);
        assert_non_null(t);
        uint64_t deadline = itest_now_ms() + 60000;
        for (;;) {
            UINT32 changed = 0;
            HRESULT hr = poll_all(5000, &changed);
            calls++;
            check_results(hr, changed, "waiting for the cancel");
            if (g.r[c.k] == S_OK)
                break;
            if (hr == S_OK)
                early++; /* ended by another job's change (job 0's progress) */
            if (itest_now_ms() > deadline)
                fail_msg("job %d cancelled by bwjob (exit %d, \"%s\") not seen in 60 s of"
                         " BwJobPollMany over %d jobs (%d calls)", c.k, c.rc, c.out, NJOBS,
                         calls);
        }
        double seen_ms = itest_now_precise_ms();
        moving_when_seen = g.st[0].State == BW_STATE_TRANSFERRING;
        WaitForSingleObject(t, INFINITE);
        CloseHandle(t);
        if (c.rc != 0)
            fail_msg("bwjob cancel of job %d: exit %d, \"%s\"", c.k, c.rc, c.out);
        if (g.st[c.k].State != BW_STATE_CANCELLED || !(g.st[c.k].Changed & BW_CHANGED_STATE))
            fail_msg("job %d: S_OK with state %ls, Changed 0x%X; expected Cancelled with the"
                     " state flag", c.k, bw.StateName(g.st[c.k].State),
                     (unsigned)g.st[c.k].Changed);
        g.cancelled[c.k] = 1;
        /* Every other job behind job 0 is still queued; once job 0 is done,
         * one of them may have started. */
        int started = 0;
        for (int i = 1; i < NJOBS; i++) {
            if (g.cancelled[i] || g.st[i].State == BW_STATE_QUEUED)
                continue;
            if (moving_when_seen || ++started > 1 ||
                (g.st[i].State != BW_STATE_CONNECTING && g.st[i].State != BW_STATE_TRANSFERRING))
                fail_msg("job %d is %ls after job %d's cancel (job 0 %ls)", i,
                         bw.StateName(g.st[i].State), c.k, bw.StateName(g.st[0].State));
        }
        print_message("job %d (of %d) cancelled by bwjob: seen after %d calls (%d ended early"
                      " by another change), %.0f ms after bwjob returned; job 0 %s\n",
                      c.k, NJOBS, calls, early, seen_ms - c.done_ms,
                      moving_when_seen ? "still transferring" : "no longer moving");
    }
    /* A cancelled job is final: the next call does not report it again. */
    UINT32 changed = 0;
    HRESULT hr = poll_all(0, &changed);
    check_results(hr, changed, "after the cancels");
    for (size_t p = 0; p < sizeof positions / sizeof positions[0]; p++) {
        int k = positions[p];
        assert_hr(S_FALSE, g.r[k]);
        assert_int_equal(g.st[k].State, BW_STATE_CANCELLED);
    }
    itest_watchdog_off();
}

/* A caller that comes back every 100 ms (a display refreshing ten times a
 * second) with a stale handle kept in its set, while job 0 transfers and
 * ends most waits early: another process' cancel of a quiet job is seen
 * (issue 17: before, 69 calls in 5.5 s never saw it). */
static void test_a_caller_with_gaps_and_a_stale_handle_sees_a_cancel(void **state)
{
    const int k = NJOBS / 2 + 3;
    BW_JOB h[NJOBS + 1], stale = NULL;
    BW_STATUS st[NJOBS + 1];
    HRESULT r[NJOBS + 1];
    (void)state;
    itest_require_bits();
    if (!g.ready)
        skip();
    itest_watchdog_arm("test_a_caller_with_gaps_and_a_stale_handle_sees_a_cancel", 120000);
    assert_false(g.cancelled[k]);
    assert_hr(S_OK, bw.JobOpen(g.guid[1], &stale));
    assert_hr(S_OK, bw.JobClose(stale));
    memcpy(h, g.h, sizeof g.h);
    h[NJOBS] = stale;
    canceller c;
    memset(&c, 0, sizeof c);
    c.k = k;
    HANDLE t = CreateThread(NULL, 0, canceller_main, &c, 0, NULL);
    assert_non_null(t);
    uint64_t deadline = itest_now_ms() + 30000;
    int calls = 0, seen = 0;
    while (!seen) {
        UINT32 changed = 0;
        HRESULT hr = poll_set(h, st, r, NJOBS + 1, 1000, &changed);
        calls++;
        assert_hr(S_OK, hr); /* the stale entry alone makes it S_OK */
        assert_hr(E_HANDLE, r[NJOBS]);
        seen = r[k] == S_OK && st[k].State == BW_STATE_CANCELLED;
        if (!seen && itest_now_ms() > deadline)
            fail_msg("job %d cancelled by bwjob (exit %d) not seen in 30 s by a caller with"
                     " 100 ms gaps and a stale handle (%d calls)", k, c.rc, calls);
        if (!seen)
            Sleep(100);
    }
    double seen_ms = itest_now_precise_ms();
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    if (c.rc != 0)
        fail_msg("bwjob cancel of job %d: exit %d, \"%s\"", k, c.rc, c.out);
    g.cancelled[k] = 1;
    print_message("100 ms gaps, a stale handle in the set: job %d's cancel seen after %d calls,"
                  " %.0f ms after bwjob returned; job 0 %ls\n", k, calls, seen_ms - c.done_ms,
                  bw.StateName(st[0].State));
    itest_watchdog_off();
}

static void test_job_completing_is_seen(void **state)
{
    (void)state;
    itest_require_bits();
    if (!g.ready)
        skip();
    itest_watchdog_arm("test_job_completing_is_seen", 150000);
    uint64_t deadline = itest_now_ms() + 120000;
    UINT64 last_bytes = 0;
    int progress_reports = 0;
    for (;;) {
        UINT32 changed = 0;
        HRESULT hr = poll_all(10000, &changed);
        check_results(hr, changed, "waiting for job 0");
        if (g.r[0] == S_OK) {
            if (g.st[0].BytesTransferred < last_bytes)
                fail_msg("job 0 went back from %llu to %llu bytes",
                         (unsigned long long)last_bytes,
                         (unsigned long long)g.st[0].BytesTransferred);
            last_bytes = g.st[0].BytesTransferred;
            progress_reports += (g.st[0].Changed & BW_CHANGED_PROGRESS) != 0;
            if (g.st[0].State == BW_STATE_TRANSFERRED)
                break;
        }
        if (itest_now_ms() > deadline)
            fail_msg("job 0 (/slow, %u bytes) is %ls at %llu bytes after 120 s", SLOW_BYTES,
                     bw.StateName(g.st[0].State), (unsigned long long)g.st[0].BytesTransferred);
    }
    assert_int_equal(g.st[0].Changed & BW_CHANGED_STATE, BW_CHANGED_STATE);
    assert_int_equal(g.st[0].FilesTransferred, 1);
    assert_int_equal(g.st[0].FilesTotal, 1);
    print_message("job 0 TRANSFERRED seen (%d progress reports on the way, %llu bytes)\n",
                  progress_reports, (unsigned long long)g.st[0].BytesTransferred);
    /* Final: not reported again. */
    UINT32 changed = 0;
    HRESULT hr = poll_all(0, &changed);
    check_results(hr, changed, "after job 0");
    assert_hr(S_FALSE, g.r[0]);
    assert_int_equal(g.st[0].State, BW_STATE_TRANSFERRED);
    itest_watchdog_off();
}

typedef struct closer {
    BW_JOB h;
    HRESULT hr;
    double at_ms;
} closer;

static DWORD WINAPI closer_main(void *arg)
{
    closer *c = arg;
    Sleep(1000);
    c->at_ms = itest_now_precise_ms();
    c->hr = bw.JobClose(c->h);
    return 0;
}

/* Closing the handle of a member whose job is final (job 0, TRANSFERRED)
 * ends the set's wait at once, and that entry is E_HANDLE, not a filled
 * S_FALSE (issue 17: before, the wait ran on for 3.7 s). */
static void test_closing_a_final_member_ends_the_wait(void **state)
{
    (void)state;
    itest_require_bits();
    if (!g.ready)
        skip();
    itest_watchdog_arm("test_closing_a_final_member_ends_the_wait", 60000);
    UINT32 changed = 0;
    (void)poll_all(0, &changed);
    assert_int_equal(g.st[0].State, BW_STATE_TRANSFERRED);
    closer c = {g.h[0], E_FAIL, 0};
    HANDLE t = CreateThread(NULL, 0, closer_main, &c, 0, NULL);
    assert_non_null(t);
    HRESULT hr;
    double start = itest_now_precise_ms();
    do /* until the close (other members may still change meanwhile) */
        hr = poll_all(30000, &changed);
    while (g.r[0] != E_HANDLE && itest_now_precise_ms() - start < 25000);
    double t1 = itest_now_precise_ms();
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    assert_hr(S_OK, c.hr);
    assert_hr(S_OK, hr);
    assert_hr(E_HANDLE, g.r[0]);
    assert_int_equal(g.st[0].State, 0);
    print_message("closing the final member ended the wait %.0f ms after the close\n",
                  t1 - c.at_ms);
    if (t1 - c.at_ms > 2000)
        fail_msg("closing the final member ended the wait %.0f ms after the close", t1 - c.at_ms);
    assert_hr(S_OK, bw.JobOpen(g.guid[0], &g.h[0])); /* for the clean-up */
    itest_watchdog_off();
}

static void test_close_from_another_thread_ends_the_wait(void **state)
{
    const int k = 10;
    (void)state;
    itest_require_bits();
    if (!g.ready)
        skip();
    itest_watchdog_arm("test_close_from_another_thread_ends_the_wait", 120000);
    /* Let the job that started after job 0 settle in its hang (it goes
     * QUEUED -> CONNECTING -> TRANSFERRING and then never changes). */
    uint64_t deadline = itest_now_ms() + 30000;
    for (;;) {
        UINT32 changed = 0;
        HRESULT hr = poll_all(3000, &changed);
        check_results(hr, changed, "settling");
        if (hr == S_FALSE)
            break;
        if (itest_now_ms() > deadline)
            fail_msg("the set kept changing for 30 s after job 0 completed");
    }
    assert_false(g.cancelled[k]);
    closer c = {g.h[k], E_FAIL, 0};
    HANDLE t = CreateThread(NULL, 0, closer_main, &c, 0, NULL);
    assert_non_null(t);
    double t0 = itest_now_precise_ms();
    UINT32 changed = 0;
    HRESULT hr = poll_set(g.h, g.st, g.r, NJOBS, 60000, &changed);
    double t1 = itest_now_precise_ms();
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    assert_hr(S_OK, c.hr);
    if (g.r[k] != E_HANDLE)
        fail_msg("the wait returned 0x%08lX after %.0f ms with entry %d 0x%08lX, expected"
                 " E_HANDLE (its handle was closed during the wait)", (unsigned long)hr,
                 t1 - t0, k, (unsigned long)g.r[k]);
    assert_hr(S_OK, hr);
    /* The failed entry is zeroed after cbSize; the others are filled. */
    assert_int_equal(g.st[k].cbSize, sizeof g.st[k]);
    assert_int_equal(g.st[k].State, 0);
    assert_int_equal(g.st[k].Sequence, 0);
    for (int i = 0; i < NJOBS; i++)
        if (i != k && g.r[i] != S_OK && g.r[i] != S_FALSE)
            fail_msg("entry %d failed with 0x%08lX", i, (unsigned long)g.r[i]);
    print_message("closing entry %d from another thread ended a 60 s wait %.0f ms after the"
                  " close\n", k, t1 - c.at_ms);
    if (t1 - c.at_ms > 10000)
        fail_msg("the wait ended %.0f ms after the close", t1 - c.at_ms);
    /* The closed value stays bad in later calls. */
    hr = poll_all(0, &changed);
    assert_hr(E_HANDLE, g.r[k]);
    assert_hr(S_OK, hr);
    assert_hr(S_OK, bw.JobOpen(g.guid[k], &g.h[k])); /* for the clean-up */
    itest_watchdog_off();
}

static void test_bad_handle_entries_fail_alone(void **state)
{
    BW_JOB closed = NULL;
    (void)state;
    itest_require_bits();
    if (!g.ready)
        skip();
    itest_watchdog_arm("test_bad_handle_entries_fail_alone", 60000);
    assert_hr(S_OK, bw.JobOpen(g.guid[2], &closed));
    assert_hr(S_OK, bw.JobClose(closed));

    /* Three bad entries among the 50. */
    BW_JOB h[NJOBS];
    BW_STATUS st[NJOBS];
    HRESULT r[NJOBS];
    memcpy(h, g.h, sizeof h);
    const int bad[] = {0, 17, NJOBS - 1};
    h[bad[0]] = NULL;
    h[bad[1]] = closed;
    h[bad[2]] = (BW_JOB)(uintptr_t)0x7FFF1234u; /* never handed out */
    UINT32 changed = 99;
    double t0 = itest_now_precise_ms();
    HRESULT hr = poll_set(h, st, r, NJOBS, 30000, &changed);
    double took = itest_now_precise_ms() - t0;
    assert_hr(S_OK, hr); /* a failed entry ends the wait at once */
    UINT32 n_ok = 0;
    for (int i = 0; i < NJOBS; i++) {
        int is_bad = i == bad[0] || i == bad[1] || i == bad[2];
        if (is_bad) {
            assert_hr(E_HANDLE, r[i]);
            const unsigned char *b = (const unsigned char *)&st[i];
            for (size_t j = sizeof st[i].cbSize; j < sizeof st[i]; j++)
                if (b[j])
                    fail_msg("bad entry %d: byte %u of its status is 0x%02X, expected zero", i,
                             (unsigned)j, b[j]);
            assert_int_equal(st[i].cbSize, sizeof st[i]);
        } else if (r[i] != S_OK && r[i] != S_FALSE) {
            fail_msg("good entry %d failed with 0x%08lX", i, (unsigned long)r[i]);
        } else {
            n_ok += r[i] == S_OK;
            if (r[i] == S_FALSE && st[i].Sequence == 0)
                fail_msg("good entry %d: S_FALSE without its last snapshot", i);
        }
    }
    assert_int_equal(changed, n_ok);
    print_message("3 bad entries of %d: E_HANDLE each, call S_OK after %.0f ms\n", NJOBS, took);
    if (took > 10000)
        fail_msg("the call with bad entries took %.0f ms; a failed entry ends the wait", took);

    /* Only bad entries: still per entry, not for the call. */
    BW_JOB only[2] = {NULL, closed};
    hr = poll_set(only, st, r, 2, 30000, &changed);
    assert_hr(S_OK, hr);
    assert_hr(E_HANDLE, r[0]);
    assert_hr(E_HANDLE, r[1]);
    assert_int_equal(changed, 0);
    itest_watchdog_off();
}

static void test_clean_up(void **state)
{
    (void)state;
    if (!g.ready)
        skip();
    itest_watchdog_arm("test_clean_up", 120000);
    BW_STATUS st;
    int slow_moving = 0;
    /* Queued first (safe), then the /hang job in flight (safe: its server
     * sends nothing more), job 0 completed once transferred, never cancelled
     * while it moves (the Wine 8 cancel bug). */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < NJOBS; i++) {
            if (!g.h[i])
                continue;
            st = itest_status();
            HRESULT hr = bw.JobPoll(g.h[i], 0, &st);
            if (FAILED(hr))
                continue;
            int moving = st.State == BW_STATE_CONNECTING || st.State == BW_STATE_TRANSFERRING;
            if (i == 0) {
                if (st.State == BW_STATE_TRANSFERRED)
                    bw.JobComplete(g.h[0]);
                else if (moving)
                    slow_moving = 1;
                else if (st.State != BW_STATE_ACKNOWLEDGED && st.State != BW_STATE_CANCELLED)
                    bw.JobCancel(g.h[0]);
            } else if (pass == 0 ? st.State == BW_STATE_QUEUED || st.State == BW_STATE_ERROR
                                 : moving || st.State == BW_STATE_TRANSFERRED) {
                bw.JobCancel(g.h[i]);
            }
        }
    }
    for (int i = 0; i < NJOBS; i++)
        if (g.h[i])
            bw.JobClose(g.h[i]);
    if (slow_moving)
        print_message("job 0 (/slow) still moving: left to finish (not cancelled)\n");
    itest_watchdog_off();
}

int wmain(int argc, wchar_t **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_call_reports_all_fifty),
        cmocka_unit_test(test_cancel_by_another_process_is_seen),
        cmocka_unit_test(test_a_caller_with_gaps_and_a_stale_handle_sees_a_cancel),
        cmocka_unit_test(test_job_completing_is_seen),
        cmocka_unit_test(test_closing_a_final_member_ends_the_wait),
        cmocka_unit_test(test_close_from_another_thread_ends_the_wait),
        cmocka_unit_test(test_bad_handle_entries_fail_alone),
        cmocka_unit_test(test_clean_up),
    };
    /* No COM on the test thread (the DLL is apartment-agnostic). */
    return ITEST_MAIN(argc, argv, "integration_poll_many", tests, 0);
}
