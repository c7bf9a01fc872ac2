/*
 * test_handles.c - handles are slot + generation values: open, close, stale,
 * double close, forged values, reuse of a slot, many at once, threads.
 */
#include "fake_backend.h"
#include "test_common.h"
#include "test_thread.h"

static int setup(void **state)
{
    fake_backend_install();
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
    return 0;
}

static void open_gives_a_handle_close_releases_it(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    assert_non_null(h);
    assert_int_equal(bw__handle_count(), 1);
    assert_hr(S_OK, BwJobClose(h));
    assert_int_equal(j->opened, 1);
    assert_int_equal(j->closed, 1);
}

static void open_with_and_without_braces(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB a = NULL, b = NULL;
    assert_hr(S_OK, BwJobOpen(wz("00000000-0000-0000-0000-000000000001"), &a));
    assert_hr(S_OK, BwJobOpen(wz("{00000000-0000-0000-0000-000000000001}"), &b));
    assert_true(a != b); /* two handles, two watchers */
    assert_int_equal(j->opened, 2);
    BwJobClose(a);
    BwJobClose(b);
}

static void open_reports_bad_input_and_missing_jobs(void **state)
{
    BW_JOB h = (BW_JOB)(uintptr_t)0x1234;
    fake_job_add(BW_TYPE_DOWNLOAD);
    assert_hr(E_POINTER, BwJobOpen(wz("{00000000-0000-0000-0000-000000000001}"), NULL));
    assert_hr(E_POINTER, BwJobOpen(NULL, &h));
    assert_null(h);
    h = (BW_JOB)(uintptr_t)0x1234;
    assert_hr(E_INVALIDARG, BwJobOpen(wz(""), &h));
    assert_null(h);
    assert_hr(E_INVALIDARG, BwJobOpen(wz("{00000000-0000-0000-0000-000000000001"), &h));
    assert_hr(BG_E_NOT_FOUND, BwJobOpen(wz("{00000000-0000-0000-0000-0000000000ff}"), &h));
    assert_null(h);
    assert_hr(E_POINTER, BwJobOpenById(NULL, &h));
    GUID g = {0};
    assert_hr(E_POINTER, BwJobOpenById(&g, NULL));

    /* Very long text is malformed, and read no further than needed. */
    static WCHAR long_text[100000];
    for (size_t i = 0; i < 99999; i++)
        long_text[i] = 'a';
    assert_hr(E_INVALIDARG, BwJobOpen(long_text, &h));
}

static void double_close_and_stale_handles_are_e_handle(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = NULL;
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    assert_hr(S_OK, BwJobClose(h));
    assert_hr(E_HANDLE, BwJobClose(h));
    assert_hr(E_HANDLE, BwJobPoll(h, 0, &st));
    assert_hr(S_FALSE, BwJobClose(NULL));

    /* The slot is reused under a new generation: the old value stays dead. */
    BW_JOB h2 = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h2));
    assert_true(h2 != h);
    assert_hr(E_HANDLE, BwJobPoll(h, 0, &st));
    assert_hr(S_OK, BwJobPoll(h2, 0, &st));
    assert_hr(S_OK, BwJobClose(h2));
}

static void forged_handles_are_e_handle(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = NULL;
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    uintptr_t v = (uintptr_t)h;
    const uintptr_t forged[] = {1, 0xFFFF, 0xFFFFFFFFu, v + 1, v ^ 0x10000u, v + 0x10000u,
                                (uintptr_t)&st, (uintptr_t)-1};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        if (BwJobPoll((BW_JOB)forged[i], 0, &st) != E_HANDLE)
            fail_msg("forged handle 0x%llx was accepted", (unsigned long long)forged[i]);
        if (BwJobClose((BW_JOB)forged[i]) != E_HANDLE)
            fail_msg("forged handle 0x%llx was closed", (unsigned long long)forged[i]);
    }
    assert_hr(S_OK, BwJobClose(h));
}

static void thousands_of_handles_open_at_once(void **state)
{
    enum { N = 3000 };
    static BW_JOB hs[N];
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    for (int i = 0; i < N; i++)
        assert_hr(S_OK, BwJobOpenById(&j->id, &hs[i]));
    assert_int_equal(bw__handle_count(), N);
    for (int i = 0; i < N; i += 2)
        assert_hr(S_OK, BwJobClose(hs[i]));
    for (int i = 1; i < N; i += 2) {
        BW_STATUS st = {sizeof st};
        assert_hr(S_OK, BwJobPoll(hs[i], 0, &st));
        assert_hr(S_OK, BwJobClose(hs[i]));
    }
    assert_int_equal(j->opened, N);
    assert_int_equal(j->closed, N);
}

typedef struct worker_arg {
    fake_job *job;
    BW_JOB shared;
    int failures;
} worker_arg;

static void poll_worker(void *p)
{
    worker_arg *a = p;
    for (int i = 0; i < 2000; i++) {
        BW_STATUS st = {sizeof st};
        HRESULT hr = BwJobPoll(a->shared, 0, &st);
        if (hr != S_OK && hr != S_FALSE)
            a->failures++;
        BW_JOB own = NULL;
        if (i % 20 == 0) {
            if (BwJobOpenById(&a->job->id, &own) != S_OK || BwJobPoll(own, 0, &st) != S_OK ||
                BwJobClose(own) != S_OK)
                a->failures++;
        }
    }
}

static void many_threads_poll_open_and_close(void **state)
{
    enum { THREADS = 8 };
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_TRANSFERRING;
    BW_JOB shared = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &shared));
    worker_arg args[THREADS];
    test_thread_start starts[THREADS];
    test_thread threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg){j, shared, 0};
        starts[i] = (test_thread_start){poll_worker, &args[i]};
        threads[i] = test_thread_run(&starts[i]);
    }
    for (int i = 0; i < 200; i++) {
        fake_job_set_bytes(j, 1000000, (UINT64)i * 1000);
        test_sleep_ms(1);
    }
    for (int i = 0; i < THREADS; i++) {
        test_thread_join(threads[i]);
        assert_int_equal(args[i].failures, 0);
    }
    assert_hr(S_OK, BwJobClose(shared));
    assert_int_equal(j->opened, j->closed);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(open_gives_a_handle_close_releases_it),
        T(open_with_and_without_braces),
        T(open_reports_bad_input_and_missing_jobs),
        T(double_close_and_stale_handles_are_e_handle),
        T(forged_handles_are_e_handle),
        T(thousands_of_handles_open_at_once),
        T(many_threads_poll_open_and_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
