/*
 * integration_crash.c - bitswatch.dll when Wine's real BITS service dies
 * under it: a job is open and polled, then the service's host is killed
 * ("taskkill /f /im svchost.exe"). Every call then fails promptly (each
 * measured: < 5 s) with an RPC error (0x800706BA RPC_S_SERVER_UNAVAILABLE or
 * another FACILITY_RPC / RPC_S_* code): poll (at once and with a timeout),
 * progress, error, info, enum, complete, open. No hang (a watchdog ends the
 * process), no crash, and BwJobClose still returns S_OK.
 *
 * RUN IT LAST. Under Wine 8, once svchost has been killed no process can reach
 * BITS again until every process that held a BITS proxy has exited, and the
 * jobs are gone: nothing that uses BITS may run after it in the same
 * wineserver (CMakeLists.txt orders it after every other BITS test; tests/run.sh
 * runs it as a stage of its own, label "bits-crash"). On Windows the service
 * would restart, and integration_restart covers the reconnect.
 */
#include <windows.h>
#include <objbase.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "itest.h"

#define PROMPT_MS 5000.0

/* RPC_S_SERVER_UNAVAILABLE and friends: FACILITY_RPC (0x8001xxxx) or the
 * Win32 RPC range 1700-1999 (0x800706A4..0x800707CF). */
static int is_rpc_error(HRESULT hr)
{
    unsigned long u = (unsigned long)hr;
    if (HRESULT_FACILITY(hr) == FACILITY_RPC && FAILED(hr))
        return 1;
    return (u & 0xFFFF0000UL) == 0x80070000UL && (u & 0xFFFF) >= 1700 && (u & 0xFFFF) <= 1999;
}

static int g_checked;

#define EXPECT_RPC_FAILURE(expr)                                                             \
    do {                                                                                     \
        double t0_ = itest_now_precise_ms(), ms_;                                            \
        HRESULT hr_ = (expr);                                                                \
        ms_ = itest_now_precise_ms() - t0_;                                                  \
        g_checked++;                                                                         \
        print_message("after the crash: %-44s 0x%08lX in %6.0f ms\n", #expr,                 \
                      (unsigned long)hr_, ms_);                                              \
        if (!FAILED(hr_) || !is_rpc_error(hr_))                                              \
            fail_msg("%s returned 0x%08lX after the service was killed; expected an RPC"     \
                     " error such as 0x800706BA", #expr, (unsigned long)hr_);                \
        if (ms_ > PROMPT_MS)                                                                 \
            fail_msg("%s took %.0f ms to fail; expected < %.0f", #expr, ms_, PROMPT_MS);     \
    } while (0)

static int kill_service_host(void)
{
    wchar_t sys[MAX_PATH], cmd[MAX_PATH + 64];
    char out[1024];
    int rc;

    if (!GetSystemDirectoryW(sys, MAX_PATH))
        wcscpy(sys, L"C:\\windows\\system32");
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\\taskkill.exe\" /f /im svchost.exe", sys);
    rc = itest_run(cmd, 60000, out, sizeof out);
    print_message("taskkill /f /im svchost.exe: exit %d: %s\n", rc, out);
    return rc;
}

static void test_service_crash(void **state)
{
    wchar_t guid[39], spare_guid[39];
    GUID id;
    BW_JOB job, spare, again = NULL;
    BW_STATUS st;
    BW_PROGRESS pr;
    BW_ERROR er;
    BW_INFO in;
    GUID ids[64];
    UINT32 count = 0;
    int rc;

    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_service_crash", 150000);
    itest_open_idle_jobs(guid, &job, spare_guid, &spare);
    assert_hr(S_OK, IIDFromString(guid, &id));

    rc = kill_service_host();
    if (rc != 0)
        fail_msg("taskkill exited with %d", rc);
    Sleep(500); /* let the kill land */

    st = itest_status();
    EXPECT_RPC_FAILURE(bw.JobPoll(job, 0, &st));
    assert_int_equal(st.cbSize, sizeof st); /* cleared, cbSize kept */
    assert_int_equal(st.State, 0);
    st = itest_status();
    EXPECT_RPC_FAILURE(bw.JobPoll(job, 2000, &st));
    memset(&pr, 0, sizeof pr);
    pr.cbSize = sizeof pr;
    EXPECT_RPC_FAILURE(bw.JobGetProgress(job, &pr));
    memset(&er, 0, sizeof er);
    er.cbSize = sizeof er;
    EXPECT_RPC_FAILURE(bw.JobGetError(spare, &er));
    bw.FreeError(&er);
    memset(&in, 0, sizeof in);
    in.cbSize = sizeof in;
    EXPECT_RPC_FAILURE(bw.JobGetInfo(job, &in));
    bw.FreeInfo(&in);
    EXPECT_RPC_FAILURE(bw.EnumJobs(0, ids, 64, &count));
    EXPECT_RPC_FAILURE(bw.JobComplete(job));
    EXPECT_RPC_FAILURE(bw.JobOpenById(&id, &again));
    assert_null(again);
    /* Still failing the same way, still promptly: no state left half-broken. */
    st = itest_status();
    EXPECT_RPC_FAILURE(bw.JobPoll(spare, 0, &st));

    assert_hr(S_OK, bw.JobClose(job));
    assert_hr(S_OK, bw.JobClose(spare));
    assert_hr(E_HANDLE, bw.JobClose(job));
    print_message("service crash: %d calls failed promptly with RPC errors\n", g_checked);
    itest_watchdog_off();
}

int wmain(int argc, wchar_t **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_service_crash),
    };

    /* No COM on the main thread: the DLL's implicit-MTA path. */
    return ITEST_MAIN(argc, argv, "integration_crash", tests, 0);
}
