/*
 * test_trace.c - the opt-in trace (BITSWATCH_TRACE): off by default and for
 * "0"; to a file, one line per decision: a diagnosis' rule, the read budget
 * pausing quiet reads (a 60 ms read spends the 50 ms burst). The COM
 * backend's reconnect lines are checked in tests/com.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake_backend.h"
#include "test_common.h"

static char g_path[256];

static int setup(void **state)
{
    snprintf(g_path, sizeof g_path, "/tmp/bw-trace-%d.log", (int)getpid());
    remove(g_path);
    fake_backend_install();
    return 0;
}

static int teardown(void **state)
{
    unsetenv("BITSWATCH_TRACE");
    bw__trace_test_reset();
    remove(g_path);
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
    return 0;
}

static char *slurp(void)
{
    static char buf[65536];
    FILE *f = fopen(g_path, "r");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    buf[n] = 0;
    return buf;
}

static void diagnose_once(void)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_SUSPENDED;
    BW_JOB h = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    BW_DIAGNOSIS d = {sizeof d};
    assert_hr(S_OK, BwJobDiagnose(h, BW_DIAGNOSE_NO_QUEUE, &d));
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void off_by_default_and_for_zero(void **state)
{
    unsetenv("BITSWATCH_TRACE");
    bw__trace_test_reset();
    assert_false(bw__trace_enabled());
    diagnose_once();
    setenv("BITSWATCH_TRACE", "0", 1);
    bw__trace_test_reset();
    assert_false(bw__trace_enabled());
    diagnose_once();
    assert_int_equal(access(g_path, F_OK), -1); /* nothing written anywhere */
}

static void read_once_until_reset(void **state)
{
    unsetenv("BITSWATCH_TRACE");
    bw__trace_test_reset();
    assert_false(bw__trace_enabled());
    setenv("BITSWATCH_TRACE", g_path, 1); /* too late: the setting was read */
    assert_false(bw__trace_enabled());
    bw__trace_test_reset();
    assert_true(bw__trace_enabled());
}

static void a_diagnosis_traces_its_rule(void **state)
{
    setenv("BITSWATCH_TRACE", g_path, 1);
    bw__trace_test_reset();
    diagnose_once();
    const char *text = slurp();
    if (!strstr(text, "diagnose: job {00000000-0000-0000-0000-000000000001}: state 3, "
                      "rule suspended-never-resumed, 4 backend reads\n"))
        fail_msg("trace: %s", text);
    assert_true(strncmp(text, "bitswatch ", 10) == 0);
    assert_non_null(strstr(text, " tid "));
}

static void the_budget_pausing_quiet_reads_is_one_line(void **state)
{
    setenv("BITSWATCH_TRACE", g_path, 1);
    bw__trace_test_reset();
    bw__poll_many_test_reset_budget();
    fake_job *a = fake_job_add(BW_TYPE_DOWNLOAD), *b = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h[2];
    assert_hr(S_OK, BwJobOpenById(&a->id, &h[0]));
    assert_hr(S_OK, BwJobOpenById(&b->id, &h[1]));
    BW_STATUS st[2] = {{sizeof st[0]}, {sizeof st[1]}};
    HRESULT res[2];
    assert_hr(S_OK, BwJobPollMany(h, 2, 0, st, res, NULL)); /* first reads: outside the budget */
    usleep(100 * 1000);
    a->state_delay_ms = b->state_delay_ms = 60; /* a slow service: one read spends the burst */
    for (int i = 0; i < 3; i++)
        (void)BwJobPollMany(h, 2, 0, st, res, NULL);
    const char *text = slurp();
    const char *first = strstr(text, "budget: quiet reads pause");
    if (!first)
        fail_msg("no pause in the trace: %s", text);
    assert_null(strstr(first + 1, "budget: quiet reads pause")); /* once, not per pass */
    BwJobClose(h[0]);
    BwJobClose(h[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(off_by_default_and_for_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(read_once_until_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(a_diagnosis_traces_its_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(the_budget_pausing_quiet_reads_is_one_line, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
