/*
 * test_census.c - the queue's census (census.c) and the queue handles on it,
 * against the scripted fake backend: what the census costs (a count every
 * 100 ms, the list only when the count moved or every 2 s), jobs that arrive
 * and leave, the same-count swap and its backstop, BwQueueOpen/Poll/GetJobs/
 * Close and their errors, and BwJobPollMany finding a member that left the
 * queue without reading every quiet member. Time passes on the test clock
 * where the test counts round trips (bw_test.h).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "fake_backend.h"
#include "test_common.h"
#include "test_thread.h"

static UINT64 g_now;
static UINT64 test_clock(void) { return g_now; }

static int setup(void **state)
{
    fake_backend_install();
    fake_census = 1;
    bw__poll_many_test_reset_budget();
    return 0;
}

static int teardown(void **state)
{
    bw__test_set_clock(NULL);
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
    return 0;
}

static void add_jobs(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        fake_job_add(BW_TYPE_DOWNLOAD);
}

/* A second of ticks every 10 ms: 10 counts, and the list once (the first
 * census), whatever the number of jobs. The clock starts at 5 ms: nothing
 * depends on how long the machine has been up. */
static void census_counts_every_100ms_and_lists_only_when_needed(void **state)
{
    static const unsigned sizes[] = {1, 200};
    for (unsigned k = 0; k < 2; k++) {
        fake_backend_install();
        fake_census = 1;
        add_jobs(sizes[k]);
        g_now = 5;
        bw__test_set_clock(test_clock);
        HRESULT hr;
        UINT64 gen = 0;
        for (unsigned t = 0; t < 100; t++, g_now += 10) {
            gen = bw__census_tick(0, &hr);
            assert_hr(S_OK, hr);
        }
        assert_int_equal(gen, 1);
        assert_int_equal(fake_n_count, 10);
        assert_int_equal(fake_n_enum, 1);
        /* The backstop: the list again once it is 2 s old, same generation. */
        g_now += BW__CENSUS_LIST_MS;
        assert_int_equal(bw__census_tick(0, &hr), 1);
        assert_int_equal(fake_n_enum, 2);
    }
}

static void a_job_that_leaves_or_arrives_changes_the_generation(void **state)
{
    add_jobs(30);
    g_now = 1000;
    bw__test_set_clock(test_clock);
    HRESULT hr;
    assert_int_equal(bw__census_tick(0, &hr), 1);
    fake_job_leave(fake_job_add(BW_TYPE_DOWNLOAD), BW_STATE_CANCELLED); /* never listed */
    g_now += BW__CENSUS_MS;
    assert_int_equal(bw__census_tick(0, &hr), 1);
    fake_job *gone = NULL;
    GUID *ids;
    UINT32 n;
    UINT64 gen, ft;
    assert_hr(S_OK, bw__census_list(0, &ids, &n, &gen, &ft));
    assert_int_equal(n, 30);
    free(ids);
    /* Job 7 is cancelled by another process: the next count sees it. */
    gone = fake_job_at(7);
    fake_job_leave(gone, BW_STATE_CANCELLED);
    g_now += BW__CENSUS_MS;
    assert_int_equal(bw__census_tick(0, &hr), 2);
    assert_hr(S_OK, bw__census_list(0, &ids, &n, &gen, &ft));
    assert_int_equal(n, 29);
    assert_false(bw__guid_in(&gone->id, ids, n));
    free(ids);
    /* One arrives. */
    fake_job *arrived = fake_job_arrive(BW_TYPE_DOWNLOAD);
    g_now += BW__CENSUS_MS;
    assert_int_equal(bw__census_tick(0, &hr), 3);
    assert_hr(S_OK, bw__census_list(0, &ids, &n, &gen, &ft));
    assert_true(bw__guid_in(&arrived->id, ids, n));
    free(ids);
}

/* One leaves and another arrives between two counts: the count is the same,
 * so only the list backstop sees it, within BW__CENSUS_LIST_MS. */
static void a_same_count_swap_is_seen_by_the_list_backstop(void **state)
{
    add_jobs(10);
    g_now = 1000;
    bw__test_set_clock(test_clock);
    HRESULT hr;
    assert_int_equal(bw__census_tick(0, &hr), 1);
    fake_job_leave(fake_job_at(3), BW_STATE_ACKNOWLEDGED);
    fake_job_arrive(BW_TYPE_DOWNLOAD);
    UINT64 swapped = g_now, seen = 0;
    for (unsigned t = 0; t < 300 && !seen; t++) {
        g_now += 10;
        if (bw__census_tick(0, &hr) == 2)
            seen = g_now;
    }
    assert_true(seen != 0);
    assert_true(seen - swapped <= BW__CENSUS_LIST_MS + BW__CENSUS_MS);
}

static void queue_handles_report_arrivals_and_departures(void **state)
{
    add_jobs(3);
    BW_QUEUE q = NULL;
    BW_QUEUE_STATUS st;
    st.cbSize = sizeof st;
    assert_hr(S_OK, BwQueueOpen(0, &q));
    GUID ids[8];
    UINT32 n = 0;
    assert_hr(S_OK, BwQueueGetJobs(q, ids, 8, &n));
    assert_int_equal(n, 3);
    /* The first poll reports every job. */
    assert_hr(S_OK, BwQueuePoll(q, 0, &st));
    assert_int_equal(st.JobCount, 3);
    assert_int_equal(st.Added, 3);
    assert_int_equal(st.Removed, 0);
    assert_int_equal(st.Sequence, 1);
    assert_true(st.Timestamp != 0);
    assert_hr(S_FALSE, BwQueuePoll(q, 0, &st));
    assert_int_equal(st.Added, 0);
    /* One arrives while a wait is under way: the wait ends within ~100 ms. */
    fake_job *a = fake_job_arrive(BW_TYPE_DOWNLOAD);
    UINT64 t0 = bw__now_ms();
    assert_hr(S_OK, BwQueuePoll(q, 5000, &st));
    UINT64 took = bw__now_ms() - t0;
    assert_int_equal(st.JobCount, 4);
    assert_int_equal(st.Added, 1);
    assert_int_equal(st.Sequence, 2);
    if (took > 1000)
        fail_msg("an arrival was seen after %llu ms", (unsigned long long)took);
    assert_hr(S_OK, BwQueueGetJobs(q, ids, 8, &n));
    assert_int_equal(n, 4);
    assert_true(bw__guid_in(&a->id, ids, n));
    /* Two leave. */
    fake_job_leave(fake_job_at(0), BW_STATE_CANCELLED);
    fake_job_leave(a, BW_STATE_ACKNOWLEDGED);
    assert_hr(S_OK, BwQueuePoll(q, 5000, &st));
    assert_int_equal(st.JobCount, 2);
    assert_int_equal(st.Removed, 2);
    assert_int_equal(st.Added, 0);
    /* ERROR_MORE_DATA protocol. */
    assert_hr(HRESULT_FROM_WIN32(ERROR_MORE_DATA), BwQueueGetJobs(q, ids, 1, &n));
    assert_int_equal(n, 2);
    assert_hr(HRESULT_FROM_WIN32(ERROR_MORE_DATA), BwQueueGetJobs(q, NULL, 0, &n));
    assert_int_equal(n, 2);
    assert_hr(S_OK, BwQueueClose(q));
    assert_hr(E_HANDLE, BwQueuePoll(q, 0, &st));
    assert_hr(E_HANDLE, BwQueueClose(q));
}

static void close_queue_later(void *p)
{
    BW_QUEUE q = *(BW_QUEUE *)p;
    test_sleep_ms(200);
    BwQueueClose(q);
}

static void queue_timeout_is_s_false_and_a_close_ends_the_wait(void **state)
{
    add_jobs(2);
    BW_QUEUE q = NULL;
    BW_QUEUE_STATUS st;
    st.cbSize = sizeof st;
    assert_hr(S_OK, BwQueueOpen(0, &q));
    assert_hr(S_OK, BwQueuePoll(q, 0, &st));
    UINT64 t0 = bw__now_ms();
    assert_hr(S_FALSE, BwQueuePoll(q, 300, &st));
    UINT64 took = bw__now_ms() - t0;
    assert_true(took >= 300 && took < 1300);
    assert_int_equal(st.JobCount, 2);
    /* A close from another thread ends a BW_INFINITE wait. */
    test_thread_start ts = {close_queue_later, &q};
    t0 = bw__now_ms();
    test_thread t = test_thread_run(&ts);
    assert_hr(E_HANDLE, BwQueuePoll(q, BW_INFINITE, &st));
    took = bw__now_ms() - t0;
    test_thread_join(t);
    if (took > 200 + 500)
        fail_msg("a close at 200 ms ended the queue's wait after %llu ms", (unsigned long long)took);
}

static void queue_bad_input_and_errors(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_QUEUE q = (BW_QUEUE)(uintptr_t)0x1234;
    BW_QUEUE_STATUS st;
    UINT32 n = 7;
    GUID ids[2];
    assert_hr(E_POINTER, BwQueueOpen(0, NULL));
    assert_hr(E_INVALIDARG, BwQueueOpen(0x2, &q));
    assert_null(q);
    /* Every user's jobs: administrators only. */
    assert_hr(E_ACCESSDENIED, BwQueueOpen(BW_ENUM_ALL_USERS, &q));
    assert_null(q);
    fake_enum_admin = 1;
    assert_hr(S_OK, BwQueueOpen(BW_ENUM_ALL_USERS, &q));
    st.cbSize = 3;
    assert_hr(E_INVALIDARG, BwQueuePoll(q, 0, &st));
    assert_hr(E_POINTER, BwQueuePoll(q, 0, NULL));
    assert_hr(E_POINTER, BwQueueGetJobs(q, NULL, 1, &n));
    assert_hr(E_POINTER, BwQueueGetJobs(q, ids, 2, NULL));
    /* A job handle is not a queue handle, nor the other way round. */
    BW_JOB h = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    st.cbSize = sizeof st;
    assert_hr(E_HANDLE, BwQueuePoll((BW_QUEUE)h, 0, &st));
    assert_hr(E_HANDLE, BwQueueClose((BW_QUEUE)h));
    assert_hr(E_HANDLE, BwJobClose((BW_JOB)q));
    BW_STATUS js;
    js.cbSize = sizeof js;
    assert_hr(E_HANDLE, BwJobPoll((BW_JOB)q, 0, &js));
    assert_hr(S_OK, BwJobClose(h));
    assert_hr(S_OK, BwQueueClose(q));
    assert_hr(S_FALSE, BwQueueClose(NULL));
    assert_hr(E_HANDLE, BwQueueGetJobs(q, ids, 2, &n));
    /* A backend that cannot count: no census, said at the open. */
    fake_census = 0;
    bw__census_test_reset();
    assert_hr(E_NOTIMPL, BwQueueOpen(0, &q));
    assert_null(q);
}

/* 60 quiet members (more than the census threshold), reads 1 ms each; one is
 * cancelled by another process: the census finds it within a few census
 * periods, where reading quiet members in turn would take a pass (60 x 1 ms /
 * 3%: 2 s). And the set reads far fewer quiet members than before. */
static void poll_many_finds_a_member_that_left_by_the_census(void **state)
{
    enum { N = 60 };
    static BW_JOB h[N];
    static BW_STATUS st[N];
    static HRESULT r[N];
    fake_job *jobs[N];
    for (unsigned i = 0; i < N; i++) {
        jobs[i] = fake_job_add(BW_TYPE_DOWNLOAD);
        assert_hr(S_OK, BwJobOpenById(&jobs[i]->id, &h[i]));
        st[i].cbSize = sizeof st[i];
    }
    assert_hr(S_OK, BwJobPollMany(h, N, 0, st, r, NULL));
    for (unsigned i = 0; i < N; i++)
        jobs[i]->state_delay_ms = 1;
    /* Steady state for 1 s, then the cancel. */
    UINT64 start = bw__now_ms();
    while (bw__now_ms() - start < 1000) {
        for (unsigned i = 0; i < N; i++)
            st[i].cbSize = sizeof st[i];
        assert_true(SUCCEEDED(BwJobPollMany(h, N, 1000, st, r, NULL)));
    }
    /* Three members at different places of the quiet round robin leave. */
    static const unsigned left[] = {10, 30, 50};
    for (unsigned k = 0; k < 3; k++)
        fake_job_leave(jobs[left[k]], BW_STATE_CANCELLED);
    UINT64 t0 = bw__now_ms(), seen[3] = {0, 0, 0};
    unsigned n_seen = 0;
    while (n_seen < 3 && bw__now_ms() - t0 < 5000) {
        for (unsigned i = 0; i < N; i++)
            st[i].cbSize = sizeof st[i];
        assert_true(SUCCEEDED(BwJobPollMany(h, N, 1000, st, r, NULL)));
        for (unsigned k = 0; k < 3; k++)
            if (!seen[k] && r[left[k]] == S_OK && st[left[k]].State == BW_STATE_CANCELLED) {
                seen[k] = bw__now_ms();
                n_seen++;
            }
    }
    for (unsigned i = 0; i < N; i++)
        BwJobClose(h[i]);
    UINT64 worst = 0;
    for (unsigned k = 0; k < 3; k++) {
        if (!seen[k])
            fail_msg("member %u left the queue and was not seen in 5 s", left[k]);
        if (seen[k] - t0 > worst)
            worst = seen[k] - t0;
    }
    print_message("3 members that left the queue: the last seen after %llu ms (%u counts, %u lists)\n",
                  (unsigned long long)worst, fake_n_count, fake_n_enum);
    if (worst > 3 * BW__CENSUS_MS + 200)
        fail_msg("the census did not find the members that left: the last seen after %llu ms",
                 (unsigned long long)worst);
}

/* Quiet reads get their census discount only once the census has been seen
 * to find a member that left (Windows: cancelled jobs leave the list). Where
 * cancelled jobs stay listed (Wine 8's BITS), a quiet read finds the cancel
 * and the census still lists the job three periods later: blind, no
 * discount for good. */
static void a_census_blind_to_departures_is_noticed(void **state)
{
    enum { N = 20 };
    for (int blind = 0; blind < 2; blind++) {
        fake_backend_install();
        fake_census = 1;
        BW_JOB h[N];
        BW_STATUS st[N];
        HRESULT r[N];
        fake_job *jobs[N];
        for (unsigned i = 0; i < N; i++) {
            jobs[i] = fake_job_add(BW_TYPE_DOWNLOAD);
            assert_hr(S_OK, BwJobOpenById(&jobs[i]->id, &h[i]));
            st[i].cbSize = sizeof st[i];
        }
        assert_hr(S_OK, BwJobPollMany(h, N, 0, st, r, NULL));
        if (blind)
            fake_job_set_state(jobs[5], BW_STATE_CANCELLED); /* still listed */
        else
            fake_job_leave(jobs[5], BW_STATE_CANCELLED);
        UINT64 t0 = bw__now_ms();
        while (bw__now_ms() - t0 < 1500) {
            for (unsigned i = 0; i < N; i++)
                st[i].cbSize = sizeof st[i];
            assert_true(SUCCEEDED(BwJobPollMany(h, N, 200, st, r, NULL)));
        }
        for (unsigned i = 0; i < N; i++)
            BwJobClose(h[i]);
        assert_int_equal(jobs[5]->n_state >= 2, 1);
        assert_int_equal(bw__poll_many_census_blind(), blind);
        /* The discount waits for proof that the census sees jobs leave. */
        assert_int_equal(bw__poll_many_census_proven(), !blind);
    }
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(census_counts_every_100ms_and_lists_only_when_needed),
        T(a_job_that_leaves_or_arrives_changes_the_generation),
        T(a_same_count_swap_is_seen_by_the_list_backstop),
        T(queue_handles_report_arrivals_and_departures),
        T(queue_timeout_is_s_false_and_a_close_ends_the_wait),
        T(queue_bad_input_and_errors),
        T(poll_many_finds_a_member_that_left_by_the_census),
        T(a_census_blind_to_departures_is_noticed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
