/*
 * integration_restart.c - bitswatch.dll across a clean restart of Wine's real
 * BITS service, in one process and one DLL instance:
 *
 *  - a job is watched (opened and polled) with no transfer in flight (it is
 *    TRANSFERRED), and a second job in ERROR (HTTP 404) likewise;
 *  - "net stop BITS" (C:\windows\system32\net.exe, run and waited for) stops
 *    svchost; Wine keeps no jobs across it;
 *  - meanwhile another thread polls its own handle on the job without pause:
 *    each answer is a snapshot until the job is found gone (BG_E_NOT_FOUND),
 *    never a raw RPC error from a call that met the service going down;
 *  - the next BwJobPoll on each handle reconnects (a new manager, which
 *    restarts the service) and returns BG_E_NOT_FOUND, without crashing and in
 *    the time of one reconnect; the other calls on the lost handle say the same,
 *    and the handle still closes with S_OK;
 *  - a NEW job made after the restart (bwjob create) opens, polls to
 *    TRANSFERRED, reports progress and completes through the same DLL, and
 *    BwEnumJobs lists it and not the lost job.
 *
 * It stops the service that every other integration test shares: ctest runs it
 * after them (DEPENDS in CMakeLists.txt). A transfer in flight makes Wine's
 * "net stop" a no-op (wine-bits.md): the test then fails saying so.
 */
#include <windows.h>
#include <objbase.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "itest.h"

static int net_stop_bits(void)
{
    wchar_t sys[MAX_PATH], cmd[MAX_PATH + 32];
    char out[1024];
    uint64_t t0;
    int rc;

    if (!GetSystemDirectoryW(sys, MAX_PATH))
        wcscpy(sys, L"C:\\windows\\system32");
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\\net.exe\" stop BITS", sys);
    t0 = itest_now_ms();
    rc = itest_run(cmd, 60000, out, sizeof out);
    print_message("net stop BITS: exit %d in %llu ms: %s\n", rc,
                  (unsigned long long)(itest_now_ms() - t0), out);
    return rc;
}

/* A second watcher that keeps polling its own handle while the service
 * stops: every answer must be a snapshot or BG_E_NOT_FOUND, never a raw RPC
 * error from a call that met the service on its way down. */
typedef struct hammer {
    wchar_t guid[39];
    BW_JOB job;
    volatile LONG stop;
    int polls, snapshots;
    HRESULT bad;   /* the first other result, 0 if none */
    HRESULT last;
} hammer;

static DWORD WINAPI hammer_main(void *arg)
{
    hammer *hm = arg;
    while (!hm->stop) {
        BW_STATUS st = itest_status();
        HRESULT hr = bw.JobPoll(hm->job, 0, &st);
        hm->polls++;
        hm->last = hr;
        if (hr == S_OK || hr == S_FALSE)
            hm->snapshots++;
        else if (hr == BG_E_NOT_FOUND)
            break;
        else {
            hm->bad = hr;
            break;
        }
    }
    return 0;
}

static int listed(const GUID *ids, UINT32 n, const GUID *id)
{
    for (UINT32 i = 0; i < n; i++)
        if (IsEqualGUID(&ids[i], id))
            return 1;
    return 0;
}

static void test_service_restart(void **state)
{
    wchar_t done_guid[39], err_guid[39], new_guid[39];
    GUID done_id, new_id;
    BW_JOB done, err, fresh;
    BW_STATUS st;
    BW_PROGRESS pr;
    BW_ERROR er;
    BW_INFO in;
    GUID ids[512];
    UINT32 count = 0;
    HRESULT hr;
    double t0, reconnect_ms;
    hammer hm;
    HANDLE hammer_thread;
    int rc;

    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_service_restart", 150000);

    /* Watched jobs with no transfer in flight. */
    itest_open_idle_jobs(done_guid, &done, err_guid, &err);
    assert_hr(S_OK, IIDFromString(done_guid, &done_id));
    assert_hr(S_OK, bw.EnumJobs(0, ids, 512, &count));
    assert_true(listed(ids, count, &done_id));

    memset(&hm, 0, sizeof hm);
    assert_hr(S_OK, bw.JobOpen(done_guid, &hm.job));
    hammer_thread = CreateThread(NULL, 0, hammer_main, &hm, 0, NULL);
    assert_non_null(hammer_thread);
    Sleep(100);

    rc = net_stop_bits();
    if (rc != 0)
        fail_msg("net stop BITS exited with %d", rc);

    /* The next poll reconnects once (the service restarts, ~1 s under Wine)
     * and finds the job gone. */
    st = itest_status();
    t0 = itest_now_precise_ms();
    hr = bw.JobPoll(done, 0, &st);
    reconnect_ms = itest_now_precise_ms() - t0;
    print_message("first poll after the restart: 0x%08lX in %.0f ms\n", (unsigned long)hr,
                  reconnect_ms);
    if (SUCCEEDED(hr))
        fail_msg("the job survived \"net stop BITS\" (state %ls): the service did not stop;"
                 " was a transfer in flight (wine-bits.md)?", bw.StateName(st.State));
    assert_hr(BG_E_NOT_FOUND, hr);
    if (reconnect_ms > 15000)
        fail_msg("the reconnecting poll took %.0f ms", reconnect_ms);
    /* The watcher that kept polling through the stop. */
    if (WaitForSingleObject(hammer_thread, 20000) != WAIT_OBJECT_0) {
        hm.stop = 1;
        WaitForSingleObject(hammer_thread, 5000);
        fail_msg("the polling thread still got snapshots 20 s after the restart (last 0x%08lX)",
                 (unsigned long)hm.last);
    }
    CloseHandle(hammer_thread);
    print_message("polling through the stop: %d polls, %d snapshots, then 0x%08lX\n", hm.polls,
                  hm.snapshots, (unsigned long)(hm.bad ? hm.bad : hm.last));
    if (hm.bad)
        fail_msg("a poll during the stop returned 0x%08lX; expected a snapshot or, once the"
                 " service is gone, a reconnect and BG_E_NOT_FOUND", (unsigned long)hm.bad);
    assert_hr(S_OK, bw.JobClose(hm.job));

    /* The snapshot of a failed poll is cleared but keeps its cbSize. */
    assert_int_equal(st.cbSize, sizeof st);
    assert_int_equal(st.State, 0);

    /* Later calls on the lost handle: BG_E_NOT_FOUND, quickly (no reconnect
     * loop: the manager is already the new one). */
    t0 = itest_now_precise_ms();
    st = itest_status();
    assert_hr(BG_E_NOT_FOUND, bw.JobPoll(done, 1000, &st));
    memset(&pr, 0, sizeof pr);
    pr.cbSize = sizeof pr;
    assert_hr(BG_E_NOT_FOUND, bw.JobGetProgress(done, &pr));
    memset(&in, 0, sizeof in);
    in.cbSize = sizeof in;
    assert_hr(BG_E_NOT_FOUND, bw.JobGetInfo(done, &in));
    bw.FreeInfo(&in);
    assert_hr(BG_E_NOT_FOUND, bw.JobComplete(done));
    print_message("four more calls on the lost handle: %.0f ms\n", itest_now_precise_ms() - t0);
    if (itest_now_precise_ms() - t0 > 5000)
        fail_msg("calls on the lost handle took %.0f ms", itest_now_precise_ms() - t0);

    /* The job in ERROR was lost as well. */
    memset(&er, 0, sizeof er);
    er.cbSize = sizeof er;
    assert_hr(BG_E_NOT_FOUND, bw.JobGetError(err, &er));
    bw.FreeError(&er);
    st = itest_status();
    assert_hr(BG_E_NOT_FOUND, bw.JobPoll(err, 0, &st));
    assert_hr(S_OK, bw.JobClose(done));
    assert_hr(S_OK, bw.JobClose(err));
    assert_hr(BG_E_NOT_FOUND, bw.JobOpen(done_guid, &done));
    assert_null(done);

    /* A job made after the restart works through the same DLL instance. */
    itest_create_job("/fast/70000", L"bw-itest-restart-new", new_guid, NULL);
    assert_hr(S_OK, IIDFromString(new_guid, &new_id));
    assert_hr(S_OK, bw.JobOpen(new_guid, &fresh));
    assert_succeeded(itest_poll_until(fresh, BW_STATE_TRANSFERRED, BW_STATE_ERROR,
                                      itest_now_ms() + 30000, &st));
    if (st.State != BW_STATE_TRANSFERRED)
        fail_msg("the new job is %ls, expected TRANSFERRED", bw.StateName(st.State));
    memset(&pr, 0, sizeof pr);
    pr.cbSize = sizeof pr;
    assert_hr(S_OK, bw.JobGetProgress(fresh, &pr));
    assert_int_equal(pr.FilesTotal, 1);
    assert_int_equal(pr.FilesTransferred, 1);
    memset(&in, 0, sizeof in);
    in.cbSize = sizeof in;
    assert_hr(S_OK, bw.JobGetInfo(fresh, &in));
    assert_true(IsEqualGUID(&in.JobId, &new_id));
    bw.FreeInfo(&in);

    count = 0;
    assert_hr(S_OK, bw.EnumJobs(0, ids, 512, &count));
    print_message("BwEnumJobs after the restart: %u jobs\n", (unsigned)count);
    if (!listed(ids, count, &new_id))
        fail_msg("BwEnumJobs after the restart does not list the new job");
    if (listed(ids, count, &done_id))
        fail_msg("BwEnumJobs after the restart still lists the lost job");

    assert_succeeded(bw.JobComplete(fresh));
    st = itest_status();
    hr = bw.JobPoll(fresh, 0, &st);
    if (!(hr == BG_E_NOT_FOUND || (SUCCEEDED(hr) && st.State == BW_STATE_ACKNOWLEDGED)))
        fail_msg("after BwJobComplete: 0x%08lX state %ls", (unsigned long)hr,
                 bw.StateName(st.State));
    assert_hr(S_OK, bw.JobClose(fresh));
    itest_watchdog_off();
}

int wmain(int argc, wchar_t **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_restart),
    };

    /* An STA caller (PowerShell 5.1): the DLL's reconnect must work from it. */
    return ITEST_MAIN(argc, argv, "integration_restart", tests, 1);
}
