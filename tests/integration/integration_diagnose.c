/*
 * integration_diagnose.c - BwJobGetDetails and BwJobDiagnose (issue 19)
 * against Wine's real BITS, through the exports found by name as P/Invoke
 * finds them: what Wine gives (the files, their names and bytes, the error
 * and its file) is reported, what it does not (times, priority, owner, proxy,
 * Job5's cost flags) or answers with stand-ins (GetMinimumRetryDelay 30,
 * GetNoProgressTimeout 900, whatever was set) is "unknown": Known holds
 * BW_KNOWN_FILES alone, the values are 0.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "itest.h"

typedef HRESULT(BWAPI *PFN_BwJobGetDetails)(BW_JOB job, BW_DETAILS *details);
typedef void(BWAPI *PFN_BwFreeDetails)(BW_DETAILS *details);
typedef HRESULT(BWAPI *PFN_BwJobDiagnose)(BW_JOB job, UINT32 flags, BW_DIAGNOSIS *diagnosis);
typedef void(BWAPI *PFN_BwFreeDiagnosis)(BW_DIAGNOSIS *diagnosis);

static PFN_BwJobGetDetails get_details;
static PFN_BwFreeDetails free_details;
static PFN_BwJobDiagnose diagnose;
static PFN_BwFreeDiagnosis free_diagnosis;

static void load_exports(void)
{
    HMODULE dll = GetModuleHandleW(L"bitswatch.dll");
    assert_non_null(dll);
    get_details = (PFN_BwJobGetDetails)(void (*)(void))GetProcAddress(dll, "BwJobGetDetails");
    free_details = (PFN_BwFreeDetails)(void (*)(void))GetProcAddress(dll, "BwFreeDetails");
    diagnose = (PFN_BwJobDiagnose)(void (*)(void))GetProcAddress(dll, "BwJobDiagnose");
    free_diagnosis = (PFN_BwFreeDiagnosis)(void (*)(void))GetProcAddress(dll, "BwFreeDiagnosis");
    assert_true(get_details && free_details && diagnose && free_diagnosis);
}

static void test_transferred_job(void **state)
{
    wchar_t guid[39], local[MAX_PATH];
    BW_JOB job = NULL;
    BW_STATUS st;
    BW_DETAILS dt;
    BW_DIAGNOSIS d;

    itest_require_bits();
    load_exports();
    itest_create_job("/fast/3000", L"bw-itest-details", guid, local);
    assert_hr(S_OK, bw.JobOpen(guid, &job));
    assert_hr(S_OK, itest_poll_until(job, BW_STATE_TRANSFERRED, BW_STATE_TRANSFERRED,
                                     itest_now_ms() + 30000, &st));
    assert_int_equal(st.State, BW_STATE_TRANSFERRED);

    memset(&dt, 0xCC, sizeof dt);
    dt.cbSize = sizeof dt;
    assert_hr(S_OK, get_details(job, &dt));
    assert_int_equal(dt.Known, BW_KNOWN_FILES); /* Wine: files only, the rest unknown */
    assert_int_equal(dt.MinimumRetryDelay, 0);  /* not Wine's stand-in 30 */
    assert_int_equal(dt.NoProgressTimeout, 0);  /* nor 900 */
    assert_null(dt.ProxyList);
    assert_int_equal(dt.FileCount, 1);
    if (!dt.Files[0].RemoteName || !wcsstr(dt.Files[0].RemoteName, L"/fast/3000"))
        fail_msg("Files[0].RemoteName \"%ls\"", dt.Files[0].RemoteName ? dt.Files[0].RemoteName : L"(null)");
    if (!dt.Files[0].LocalName || _wcsicmp(dt.Files[0].LocalName, local) != 0)
        fail_msg("Files[0].LocalName \"%ls\", expected \"%ls\"",
                 dt.Files[0].LocalName ? dt.Files[0].LocalName : L"(null)", local);
    assert_int_equal(dt.Files[0].BytesTotal, 3000);
    assert_int_equal(dt.Files[0].BytesTransferred, 3000);
    assert_int_equal(dt.Files[0].Completed, 1);
    free_details(&dt);
    assert_null(dt.Files);

    memset(&d, 0, sizeof d);
    d.cbSize = sizeof d;
    assert_hr(S_OK, diagnose(job, 0, &d));
    assert_int_equal(d.Verdict, BW_VERDICT_NOT_COMPLETED);
    assert_int_equal(d.State, BW_STATE_TRANSFERRED);
    assert_true(d.Since == 0 && d.Due == 0); /* no times from Wine */
    assert_int_equal(d.RoundTrips, 4);      /* state, progress, properties, details */
    if (!wcsstr(d.Evidence, L"Retry delay: unknown") || !wcsstr(d.Evidence, L"3000 of 3000 bytes, complete"))
        fail_msg("evidence: %ls", d.Evidence);
    print_message("%ls\n  %ls\n", d.Explanation, d.Action);
    free_diagnosis(&d);
    bw.JobComplete(job);
    assert_hr(S_OK, bw.JobClose(job));
}

static void test_failed_job(void **state)
{
    wchar_t guid[39];
    BW_JOB job = NULL;
    BW_STATUS st;
    BW_DIAGNOSIS d;

    itest_require_bits();
    load_exports();
    itest_create_job("/status/404", L"bw-itest-diagnose-404", guid, NULL);
    assert_hr(S_OK, bw.JobOpen(guid, &job));
    assert_hr(S_OK, itest_poll_until(job, BW_STATE_ERROR, BW_STATE_ERROR, itest_now_ms() + 30000, &st));
    memset(&d, 0, sizeof d);
    d.cbSize = sizeof d;
    assert_hr(S_OK, diagnose(job, BW_DIAGNOSE_NO_QUEUE, &d));
    assert_int_equal(d.Verdict, BW_VERDICT_REMOTE_ERROR);
    assert_hr(ITEST_HTTP_404, d.ErrorCode);
    assert_int_equal(d.ErrorContext, BW_CONTEXT_REMOTE_FILE);
    assert_int_equal(d.RoundTrips, 5); /* and the error, with its file */
    if (!wcsstr(d.Explanation, L"/status/404 answered HTTP 404"))
        fail_msg("explanation: %ls", d.Explanation);
    free_diagnosis(&d);
    bw.JobCancel(job);
    assert_hr(S_OK, bw.JobClose(job));
}

int wmain(int argc, wchar_t **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transferred_job),
        cmocka_unit_test(test_failed_job),
    };
    return ITEST_MAIN(argc, argv, "integration_diagnose", tests, 0);
}
