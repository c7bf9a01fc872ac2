/*
 * test_poll_many.c - BwJobPollMany against the scripted fake backend: a change
 * in any position ends the wait, bad and closed handles fail their entry, a
 * close from another thread ends the wait, which job is read when (moving
 * often, quiet within the budget, final never), 1,000 handles, argument checks.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "fake_backend.h"
#include "test_common.h"
#include "test_thread.h"

static int setup(void **state)
{
    fake_backend_install();
    bw__poll_many_test_reset_budget();
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
    return 0;
}

typedef struct set {
    unsigned n;
    fake_job *jobs[64];
    BW_JOB h[1000];
    BW_STATUS st[1000];
    HRESULT r[1000];
} set;

static set *set_open(unsigned n, UINT32 state)
{
    set *s = calloc(1, sizeof *s);
    s->n = n;
    for (unsigned i = 0; i < n; i++) {
        s->jobs[i] = fake_job_add(BW_TYPE_DOWNLOAD);
        s->jobs[i]->state = state;
        assert_hr(S_OK, BwJobOpenById(&s->jobs[i]->id, &s->h[i]));
        s->st[i].cbSize = sizeof s->st[i];
    }
    return s;
}

static void set_close(set *s)
{
    for (unsigned i = 0; i < s->n; i++)
        BwJobClose(s->h[i]);
    free(s);
}

static HRESULT poll_set(set *s, UINT32 timeout, UINT32 *changed)
{
    for (unsigned i = 0; i < s->n; i++)
        s->st[i].cbSize = sizeof s->st[i];
    return BwJobPollMany(s->h, s->n, timeout, s->st, s->r, changed);
}

static unsigned total_state_reads(set *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->n; i++)
        n += s->jobs[i]->n_state;
    return n;
}

static void first_call_reports_every_job_changed(void **state)
{
    set *s = set_open(5, BW_STATE_QUEUED);
    UINT32 changed = 99;
    assert_hr(S_OK, poll_set(s, 0, &changed));
    assert_int_equal(changed, 5);
    for (unsigned i = 0; i < 5; i++) {
        assert_hr(S_OK, s->r[i]);
        assert_int_equal(s->st[i].Changed, BW_CHANGED_ALL);
        assert_int_equal(s->st[i].Sequence, 1);
        assert_int_equal(s->st[i].State, BW_STATE_QUEUED);
    }
    /* Nothing new: S_FALSE, every status still filled. */
    assert_hr(S_FALSE, poll_set(s, 0, &changed));
    assert_int_equal(changed, 0);
    for (unsigned i = 0; i < 5; i++) {
        assert_hr(S_FALSE, s->r[i]);
        assert_int_equal(s->st[i].Changed, 0);
        assert_int_equal(s->st[i].State, BW_STATE_QUEUED);
        assert_true(s->st[i].Timestamp != 0);
    }
    set_close(s);
}

typedef struct change_later {
    fake_job *job;
    unsigned after_ms;
    UINT32 state;
    BW_JOB close; /* when set: close this handle instead */
} change_later;

static void change_later_main(void *p)
{
    change_later *c = p;
    test_sleep_ms(c->after_ms);
    if (c->close)
        BwJobClose(c->close);
    else
        fake_job_set_state(c->job, c->state);
}

static void a_change_in_any_position_ends_the_wait(void **state)
{
    const unsigned positions[] = {0, 4, 9};
    for (unsigned p = 0; p < 3; p++) {
        fake_backend_install();
        set *s = set_open(10, BW_STATE_QUEUED);
        assert_hr(S_OK, poll_set(s, 0, NULL));
        unsigned k = positions[p];
        change_later c = {s->jobs[k], 200, BW_STATE_TRANSFERRING, NULL};
        test_thread_start ts = {change_later_main, &c};
        UINT64 t0 = bw__now_ms();
        test_thread t = test_thread_run(&ts);
        UINT32 changed = 0;
        assert_hr(S_OK, poll_set(s, 5000, &changed));
        UINT64 took = bw__now_ms() - t0;
        test_thread_join(t);
        assert_int_equal(changed, 1);
        for (unsigned i = 0; i < 10; i++) {
            assert_hr(i == k ? S_OK : S_FALSE, s->r[i]);
            assert_int_equal(s->st[i].State, i == k ? BW_STATE_TRANSFERRING : BW_STATE_QUEUED);
        }
        assert_int_equal(s->st[k].Changed & BW_CHANGED_STATE, BW_CHANGED_STATE);
        set_close(s);
        if (took < 200 || took > 1000)
            fail_msg("position %u: the change after 200 ms ended the wait after %llu ms", k,
                     (unsigned long long)took);
    }
}

static void bad_handles_fail_their_entry_not_the_call(void **state)
{
    set *s = set_open(3, BW_STATE_QUEUED);
    BW_JOB closed = NULL;
    assert_hr(S_OK, BwJobOpenById(&s->jobs[0]->id, &closed));
    assert_hr(S_OK, BwJobClose(closed));
    BW_JOB hs[6] = {s->h[0], NULL, s->h[1], closed, (BW_JOB)(uintptr_t)0xFFFF0001u, s->h[2]};
    BW_STATUS st[6];
    HRESULT r[6];
    memset(st, 0xCC, sizeof st);
    for (int i = 0; i < 6; i++)
        st[i].cbSize = sizeof st[i];
    UINT32 changed = 0;
    UINT64 t0 = bw__now_ms();
    assert_hr(S_OK, BwJobPollMany(hs, 6, 5000, st, r, &changed));
    assert_true(bw__now_ms() - t0 < 1000); /* a failed entry is news: no wait */
    assert_int_equal(changed, 3);
    const HRESULT want[6] = {S_OK, E_HANDLE, S_OK, E_HANDLE, E_HANDLE, S_OK};
    for (int i = 0; i < 6; i++) {
        assert_hr(want[i], r[i]);
        if (FAILED(want[i])) {
            assert_int_equal(st[i].State, 0); /* zeroed after cbSize */
            assert_int_equal(st[i].Timestamp, 0);
        } else {
            assert_int_equal(st[i].State, BW_STATE_QUEUED);
        }
    }
    set_close(s);
}

static void a_job_gone_fails_its_entry(void **state)
{
    set *s = set_open(3, BW_STATE_QUEUED);
    assert_hr(S_OK, poll_set(s, 0, NULL));
    s->jobs[1]->state_delay_ms = 0;
    s->jobs[1]->fail_hr = BG_E_NOT_FOUND;
    assert_hr(S_OK, poll_set(s, 3000, NULL));
    assert_hr(S_FALSE, s->r[0]);
    assert_hr(BG_E_NOT_FOUND, s->r[1]);
    assert_hr(S_FALSE, s->r[2]);
    set_close(s);
}

static void closing_any_handle_ends_the_wait(void **state)
{
    set *s = set_open(8, BW_STATE_QUEUED);
    assert_hr(S_OK, poll_set(s, 0, NULL));
    change_later c = {NULL, 200, 0, s->h[5]};
    test_thread_start ts = {change_later_main, &c};
    UINT64 t0 = bw__now_ms();
    test_thread t = test_thread_run(&ts);
    assert_hr(S_OK, poll_set(s, 0xFFFFFFFFu, NULL));
    UINT64 took = bw__now_ms() - t0;
    test_thread_join(t);
    assert_hr(E_HANDLE, s->r[5]);
    if (took > 400)
        fail_msg("a close after 200 ms ended the wait after %llu ms", (unsigned long long)took);
    s->h[5] = NULL; /* closed already */
    set_close(s);
}

static void timeout_gives_s_false(void **state)
{
    set *s = set_open(4, BW_STATE_QUEUED);
    assert_hr(S_OK, poll_set(s, 0, NULL));
    UINT64 t0 = bw__now_ms();
    UINT32 changed = 7;
    assert_hr(S_FALSE, poll_set(s, 300, &changed));
    UINT64 took = bw__now_ms() - t0;
    assert_int_equal(changed, 0);
    assert_true(took >= 300 && took < 1000);
    set_close(s);
}

static void final_jobs_are_not_read_and_end_the_wait_at_once(void **state)
{
    set *s = set_open(3, BW_STATE_TRANSFERRED);
    s->jobs[2]->state = BW_STATE_ERROR;
    s->jobs[2]->error_code = (HRESULT)0x80190194;
    assert_hr(S_OK, poll_set(s, 0, NULL));
    for (unsigned i = 0; i < 3; i++)
        fake_job_reset_counters(s->jobs[i]);
    UINT64 t0 = bw__now_ms();
    assert_hr(S_FALSE, poll_set(s, 5000, NULL));
    assert_true(bw__now_ms() - t0 < 100);
    assert_int_equal(total_state_reads(s), 0);
    assert_hr((HRESULT)0x80190194, s->st[2].ErrorCode); /* from the last snapshot */
    set_close(s);
}

/* Which job is read when: the transferring one often, the quiet ones within
 * the budget (here 1 ms a read: at 10% a 2 s wait is 200 reads, plus the
 * 50 ms burst; the wait is as long as it takes to give each quiet job about
 * six reads at the duty cycle built), the final one never. */
static void schedule_reads_moving_often_quiet_within_budget_final_never(void **state)
{
    set *s = set_open(40, BW_STATE_QUEUED);
    s->jobs[0]->state = BW_STATE_TRANSFERRING;
    fake_job_set_bytes(s->jobs[0], 1000000, 1000);
    s->jobs[1]->state = BW_STATE_TRANSFERRED;
    assert_hr(S_OK, poll_set(s, 0, NULL));
    /* Settle, as a watcher that has been running for a while. */
    test_sleep_ms(1100);
    for (unsigned i = 0; i < s->n; i++) {
        fake_job_reset_counters(s->jobs[i]);
        s->jobs[i]->state_delay_ms = i == 0 ? 0 : 1;
    }
    bw__poll_many_test_reset_budget();
    unsigned wait = 20000 / bw__poll_many_duty_percent();
    assert_hr(S_FALSE, poll_set(s, wait, NULL));
    unsigned moving = s->jobs[0]->n_state, final = s->jobs[1]->n_state, quiet = 0, least = ~0u;
    for (unsigned i = 2; i < s->n; i++) {
        quiet += s->jobs[i]->n_state;
        if (s->jobs[i]->n_state < least)
            least = s->jobs[i]->n_state;
    }
    print_message("moving %u reads, quiet %u reads (least %u per job), final %u\n", moving, quiet,
                  least, final);

    assert_true(moving >= wait / 70);     /* every 50 ms at most */
    assert_int_equal(final, 0);
    /* The budget: the duty cycle of the wait plus the burst, at >= 1 ms a read. */
    assert_true(quiet <= wait * bw__poll_many_duty_percent() / 100 + 50 + 10);
    set_close(s);
    /* Round robin: every quiet job read, about equally (at least half the
     * average: how many reads the budget bought depends on the machine's
     * load, since a read's measured duration is what it is charged). */
    if (least == 0 || least * 2 * 38 < quiet)
        fail_msg("quiet reads unfair: %u in all over 38 jobs, the least read %u times", quiet,
                 least);
}

static void thousand_handles(void **state)
{
    enum { N = 1000 };
    set *s = calloc(1, sizeof *s);
    s->n = N;
    for (unsigned i = 0; i < 50; i++)
        s->jobs[i] = fake_job_add(BW_TYPE_DOWNLOAD);
    for (unsigned i = 0; i < N; i++)
        assert_hr(S_OK, BwJobOpenById(&s->jobs[i % 50]->id, &s->h[i]));
    UINT32 changed = 0;
    assert_hr(S_OK, poll_set(s, 0, &changed));
    assert_int_equal(changed, N);
    change_later c = {s->jobs[37], 100, BW_STATE_SUSPENDED, NULL};
    test_thread_start ts = {change_later_main, &c};
    test_thread t = test_thread_run(&ts);
    UINT64 t0 = bw__now_ms();
    assert_hr(S_OK, poll_set(s, 10000, &changed));
    UINT64 took = bw__now_ms() - t0;
    test_thread_join(t);
    assert_true(changed >= 1);
    for (unsigned i = 0; i < N; i++)
        if (s->r[i] == S_OK)
            assert_int_equal(i % 50, 37);
    print_message("1000 handles: a change seen after %llu ms\n", (unsigned long long)took);
    assert_true(took < 3000);
    for (unsigned i = 0; i < N; i++)
        assert_hr(S_OK, BwJobClose(s->h[i]));
    free(s);
}

/* The same change detection as BwJobPoll on the same handle. */
static void change_detection_is_the_handles_own(void **state)
{
    set *s = set_open(2, BW_STATE_QUEUED);
    assert_hr(S_OK, poll_set(s, 0, NULL));
    BW_STATUS st = {sizeof st};
    assert_hr(S_FALSE, BwJobPoll(s->h[0], 0, &st)); /* seen by the set already */
    fake_job_set_state(s->jobs[0], BW_STATE_SUSPENDED);
    assert_hr(S_OK, BwJobPoll(s->h[0], 0, &st));
    assert_int_equal(st.Sequence, 2);
    assert_hr(S_FALSE, poll_set(s, 0, NULL)); /* BwJobPoll saw it first */
    assert_int_equal(s->st[0].State, BW_STATE_SUSPENDED);
    assert_int_equal(s->st[0].Sequence, 2);
    set_close(s);
}

/* A transferring job in the set changes every few tens of ms, so every call
 * returns soon and the caller calls again (as every watcher loop does). The
 * quiet jobs must still all be read, least recently read first across calls,
 * not only those at the front of the array. */
typedef struct mover {
    fake_job *job;
    UINT64 until_ms;
} mover;

static void mover_main(void *p)
{
    mover *m = p;
    UINT64 bytes = 1000;
    while (bw__now_ms() < m->until_ms) {
        bytes += 100;
        fake_job_set_bytes(m->job, 1000000, bytes);
        test_sleep_ms(20);
    }
}

/* 40 jobs: job 0 moving (its reads take moving_delay_ms each), 39 quiet
 * (1 ms a read); the caller calls again whenever a call returns, for as long
 * as the budget needs to give each quiet job about six reads (2 s at 10%).
 * Returns the fewest reads of a quiet job (and which one, and the average). */
static unsigned quiet_reads_while_one_moves(unsigned moving_delay_ms, unsigned *least_at,
                                            unsigned *average)
{
    set *s = set_open(40, BW_STATE_QUEUED);
    s->jobs[0]->state = BW_STATE_TRANSFERRING;
    fake_job_set_bytes(s->jobs[0], 1000000, 1000);
    assert_hr(S_OK, poll_set(s, 0, NULL));
    test_sleep_ms(1100); /* past the first reads' "recent change" */
    for (unsigned i = 0; i < s->n; i++) {
        fake_job_reset_counters(s->jobs[i]);
        s->jobs[i]->state_delay_ms = i == 0 ? moving_delay_ms : 1;
    }
    bw__poll_many_test_reset_budget();
    UINT64 start = bw__now_ms(), run_ms = 20000 / bw__poll_many_duty_percent();
    mover m = {s->jobs[0], start + run_ms + 200};
    test_thread_start ts = {mover_main, &m};
    test_thread t = test_thread_run(&ts);
    unsigned calls = 0;
    while (bw__now_ms() - start < run_ms) {
        assert_true(SUCCEEDED(poll_set(s, 1000, NULL)));
        calls++;
    }
    test_thread_join(t);
    unsigned least = ~0u, quiet = 0;
    for (unsigned i = 1; i < s->n; i++) {
        quiet += s->jobs[i]->n_state;
        if (s->jobs[i]->n_state < least) {
            least = s->jobs[i]->n_state;
            *least_at = i;
        }
    }
    *average = quiet / (s->n - 1);
    print_message("%u calls; moving job (%u ms a read) %u reads; quiet: least %u reads (job %u),"
                  " job 1 %u\n", calls, moving_delay_ms, s->jobs[0]->n_state, least, *least_at,
                  s->jobs[1]->n_state);
    set_close(s);
    return least;
}

static void quiet_jobs_all_read_while_another_moves(void **state)
{
    unsigned at = 0, avg = 0, least = quiet_reads_while_one_moves(0, &at, &avg);
    /* <= ~250 quiet reads (the duty cycle of the run, the burst): ~6 per job
     * on an idle machine, fewer under load (reads take longer); never none,
     * and never far below the average. */
    if (least < 2 || least * 2 < avg)
        fail_msg("quiet job %u was read %u times (average %u) in calls ending early: starved",
                 at, least, avg);
}

/* The moving job's reads (on BwJobPoll's cadence, here 8 ms each: far more
 * than the duty cycle) must not eat the quiet jobs' budget. */
static void quiet_budget_is_not_spent_on_a_moving_job(void **state)
{
    unsigned at = 0, avg = 0, least = quiet_reads_while_one_moves(8, &at, &avg);
    if (least < 2 || least * 2 < avg)
        fail_msg("quiet job %u was read %u times while a slow moving job was watched:"
                 " starved", at, least);
}

/* The first read of a handle reports every group changed, but that is not
 * the job moving: right after a first call a set of quiet jobs is read within
 * the budget, not on the fast cadence (a busy second for a large set). */
static void first_read_is_not_activity(void **state)
{
    set *s = set_open(40, BW_STATE_QUEUED);
    for (unsigned i = 0; i < s->n; i++)
        s->jobs[i]->state_delay_ms = 1;
    assert_hr(S_OK, poll_set(s, 0, NULL));
    for (unsigned i = 0; i < s->n; i++)
        fake_job_reset_counters(s->jobs[i]);
    bw__poll_many_test_reset_budget();
    assert_hr(S_FALSE, poll_set(s, 1000, NULL));
    unsigned reads = total_state_reads(s);
    print_message("%u reads of 40 quiet jobs in the second after their first read\n", reads);
    set_close(s);
    /* The duty cycle of 1 s plus the 50 ms burst, at >= 1 ms a read, and slack. */
    if (reads > 10 * bw__poll_many_duty_percent() + 50 + 20)
        fail_msg("%u reads in 1 s after the first call: the first read counted as a change",
                 reads);
}

/* A quiet job in a set gets its full read every BW__SET_FULL_READ_MS (5 s),
 * not BwJobPoll's 0.5 s: a quiet read in between is one round trip, and a
 * same-state change (bytes that moved while queued) is seen once the period
 * passed. Time passes on the test clock (bw__test_set_clock). */
static UINT64 g_fake_now;
static UINT64 fake_clock(void) { return g_fake_now; }

static void quiet_reads_in_a_set_are_one_round_trip_until_the_5s_full_read(void **state)
{
    set *s = set_open(1, BW_STATE_QUEUED);
    g_fake_now = 1000000;
    bw__test_set_clock(fake_clock);
    assert_hr(S_OK, poll_set(s, 0, NULL)); /* the first read: full */
    fake_job_set_bytes(s->jobs[0], 1000, 500); /* moved while queued */
    test_sleep_ms(60);                         /* the quiet job is due again */
    fake_job_reset_counters(s->jobs[0]);
    g_fake_now += 1000; /* 1 s later: BwJobPoll would read in full, the set not */
    assert_hr(S_FALSE, poll_set(s, 0, NULL));
    assert_int_equal(fake_round_trips(s->jobs[0]), 1);
    assert_int_equal(s->st[0].BytesTransferred, 0);
    test_sleep_ms(60);
    g_fake_now += BW__SET_FULL_READ_MS; /* past the set's period: a full read */
    assert_hr(S_OK, poll_set(s, 0, NULL));
    assert_int_equal(fake_round_trips(s->jobs[0]), 3);
    assert_int_equal(s->st[0].Changed, BW_CHANGED_PROGRESS);
    assert_int_equal(s->st[0].BytesTransferred, 500);
    bw__test_set_clock(NULL);
    set_close(s);
}


/* ---- The live set: what a real caller does between calls ------------------
 * A caller that converts, draws or sleeps between calls, one that keeps a bad
 * handle in its set, one that closes a member whose job is final, another
 * thread in a slow call on a member, one slow read, a caller that changes its
 * array during the call. Each was a defect once (issue 17). */

/* Moves job j's bytes every 5 ms until *stop. */
typedef struct busy_mover {
    fake_job *job;
    atomic_int stop;
} busy_mover;

static void busy_mover_main(void *p)
{
    busy_mover *m = p;
    UINT64 bytes = 1000;
    while (!atomic_load(&m->stop)) {
        bytes += 100;
        fake_job_set_bytes(m->job, 100000000, bytes);
        test_sleep_ms(5);
    }
}

/* Calls BwJobPollMany over s (timeout 1000 ms), spending gap_ms between
 * calls, until entry k reports 'want' or limit_ms passed since 'since' (which
 * may lie ahead: the change is made then by another thread, into a watch in
 * its steady state). Returns how long after 'since' it was seen, or ~0u;
 * counts the calls made after 'since'. */
static unsigned seen_after(set *s, unsigned k, UINT32 want, unsigned gap_ms, unsigned limit_ms,
                           UINT64 since, unsigned *calls)
{
    *calls = 0;
    for (;;) {
        UINT64 now = bw__now_ms();
        if (now > since && now - since >= limit_ms)
            return ~0u;
        HRESULT hr = poll_set(s, 1000, NULL);
        if (bw__now_ms() > since)
            (*calls)++;
        assert_true(SUCCEEDED(hr));
        if (s->r[k] == S_OK && s->st[k].State == want) {
            now = bw__now_ms();
            return now > since ? (unsigned)(now - since) : 0;
        }
        if (gap_ms)
            test_sleep_ms(gap_ms);
    }
}

/* The documented bound for a quiet job: one pass over the quiet jobs at the
 * duty cycle (count x the cost of a read x 100 / duty), never under 50 ms,
 * plus the time one slow read can put the budget in debt. With 1 ms reads
 * here, and slack for sanitizers and Wine. */
static unsigned quiet_bound_ms(unsigned quiet, unsigned read_ms)
{
    unsigned pass = quiet * read_ms * 100 / bw__poll_many_duty_percent();
    return (pass < 50 ? 50 : pass) * 2 + 1000;
}

static void a_quiet_change_is_seen_whatever_the_caller_does_between_calls(void **state)
{
    static const unsigned gaps[] = {0, 12, 20, 100};
    for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        fake_backend_install();
        bw__poll_many_test_reset_budget();
        set *s = set_open(40, BW_STATE_QUEUED);
        s->jobs[0]->state = BW_STATE_TRANSFERRING;
        fake_job_set_bytes(s->jobs[0], 100000000, 1000);
        assert_hr(S_OK, poll_set(s, 0, NULL));
        for (unsigned i = 1; i < s->n; i++)
            s->jobs[i]->state_delay_ms = 1;
        busy_mover m = {s->jobs[0]};
        atomic_init(&m.stop, 0);
        test_thread_start ms = {busy_mover_main, &m};
        test_thread mt = test_thread_run(&ms);
        /* The caller runs 1.5 s (the budget spent, the round robin under
         * way), then another process suspends a quiet job: a suspend leaves
         * the queue's count as it was, so only a read sees it. */
        change_later c = {s->jobs[23], 1500, BW_STATE_SUSPENDED, NULL};
        test_thread_start cs = {change_later_main, &c};
        UINT64 t0 = bw__now_ms() + 1500;
        test_thread ct = test_thread_run(&cs);
        unsigned calls, bound = quiet_bound_ms(39, 1);
        unsigned took = seen_after(s, 23, BW_STATE_SUSPENDED, gaps[g], bound + 2000, t0, &calls);
        test_thread_join(ct);
        atomic_store(&m.stop, 1);
        test_thread_join(mt);
        print_message("caller gap %u ms: quiet suspend seen after %u ms (%u calls, bound %u)\n",
                      gaps[g], took, calls, bound);
        set_close(s);
        if (took > bound)
            fail_msg("caller gap %u ms: a quiet job's suspend was not seen within %u ms"
                     " (%u calls while another job moved)", gaps[g], bound, calls);
    }
}

static void a_bad_handle_kept_in_the_set_does_not_stop_the_others(void **state)
{
    set *s = set_open(20, BW_STATE_QUEUED);
    for (unsigned i = 0; i < s->n; i++)
        s->jobs[i]->state_delay_ms = 1;
    assert_hr(S_OK, BwJobClose(s->h[0])); /* kept in the set, as a careless caller does */
    assert_hr(S_OK, poll_set(s, 0, NULL));
    assert_hr(E_HANDLE, s->r[0]);
    change_later c = {s->jobs[11], 1500, BW_STATE_SUSPENDED, NULL};
    test_thread_start cs = {change_later_main, &c};
    UINT64 t0 = bw__now_ms() + 1500;
    test_thread ct = test_thread_run(&cs);
    unsigned calls, bound = quiet_bound_ms(19, 1);
    unsigned took = seen_after(s, 11, BW_STATE_SUSPENDED, 12, bound + 2000, t0, &calls);
    test_thread_join(ct);
    assert_hr(E_HANDLE, s->r[0]);
    assert_int_equal(s->st[0].State, 0); /* a failed entry's status is zeroed */
    s->h[0] = NULL;
    set_close(s);
    print_message("stale handle in the set: suspend seen after %u ms (%u calls)\n", took, calls);
    if (took > bound)
        fail_msg("with a stale handle in the set a quiet suspend was not seen within %u ms"
                 " (%u calls)", bound, calls);
}

static void closing_a_final_member_ends_the_wait(void **state)
{
    set *s = set_open(3, BW_STATE_QUEUED);
    s->jobs[2]->state = BW_STATE_TRANSFERRED;
    assert_hr(S_OK, poll_set(s, 0, NULL));
    change_later c = {NULL, 200, 0, s->h[2]};
    test_thread_start ts = {change_later_main, &c};
    UINT64 t0 = bw__now_ms();
    test_thread t = test_thread_run(&ts);
    HRESULT hr = poll_set(s, 3000, NULL);
    UINT64 took = bw__now_ms() - t0;
    test_thread_join(t);
    assert_hr(S_OK, hr);
    assert_hr(E_HANDLE, s->r[2]); /* closed: not a filled S_FALSE */
    assert_int_equal(s->st[2].State, 0);
    assert_hr(S_FALSE, s->r[0]);
    if (took > 600)
        fail_msg("closing the final member at 200 ms ended the wait after %llu ms",
                 (unsigned long long)took);
    s->h[2] = NULL;
    set_close(s);
}

/* Another thread is inside a slow read of member 0 (3 s); the set's wait
 * starts behind it; a third thread closes member 0: the wait ends at once. */
typedef struct slow_call {
    BW_JOB h;
    HRESULT hr;
} slow_call;

static void slow_poll_main(void *p)
{
    slow_call *c = p;
    BW_STATUS st;
    st.cbSize = sizeof st;
    c->hr = BwJobPoll(c->h, 0, &st);
}

static void close_ends_a_set_wait_queued_behind_a_slow_call(void **state)
{
    set *s = set_open(2, BW_STATE_QUEUED);
    assert_hr(S_OK, poll_set(s, 0, NULL));
    s->jobs[0]->state_delay_ms = 3000;
    slow_call sc = {s->h[0], S_OK};
    test_thread_start ss = {slow_poll_main, &sc};
    test_thread st = test_thread_run(&ss);
    test_sleep_ms(100); /* the slow read is in flight */
    change_later c = {NULL, 200, 0, s->h[0]};
    test_thread_start cs = {change_later_main, &c};
    UINT64 t0 = bw__now_ms();
    test_thread ct = test_thread_run(&cs);
    HRESULT hr = poll_set(s, 5000, NULL);
    UINT64 took = bw__now_ms() - t0;
    test_thread_join(ct);
    test_thread_join(st);
    assert_hr(S_OK, hr);
    assert_hr(E_HANDLE, s->r[0]);
    s->h[0] = NULL;
    set_close(s);
    if (took > 800)
        fail_msg("a close at 200 ms of a member busy in another thread's slow call ended the"
                 " set's wait after %llu ms", (unsigned long long)took);
}

/* One quiet read that takes 1.5 s (a reconnect inside a read) must not stop
 * quiet reads for long, in this set or any other of the process. */
static void one_slow_read_does_not_stop_quiet_reads_for_long(void **state)
{
    set *a = set_open(1, BW_STATE_QUEUED);
    assert_hr(S_OK, poll_set(a, 0, NULL));
    test_sleep_ms(1100);
    a->jobs[0]->state_delay_ms = 1500;
    assert_hr(S_FALSE, poll_set(a, 0, NULL)); /* the slow quiet read, charged */
    assert_int_equal(a->jobs[0]->n_state, 2);
    a->jobs[0]->state_delay_ms = 0;

    set *b = calloc(1, sizeof *b);
    b->n = 5;
    for (unsigned i = 0; i < b->n; i++) {
        b->jobs[i] = fake_job_add(BW_TYPE_DOWNLOAD);
        assert_hr(S_OK, BwJobOpenById(&b->jobs[i]->id, &b->h[i]));
    }
    assert_hr(S_OK, poll_set(b, 0, NULL));
    test_sleep_ms(60);
    fake_job_set_state(b->jobs[3], BW_STATE_SUSPENDED);
    UINT64 t0 = bw__now_ms();
    unsigned calls, took = seen_after(b, 3, BW_STATE_SUSPENDED, 0, 6000, t0, &calls);
    set_close(b);
    set_close(a);
    print_message("after a 1.5 s quiet read: another set's suspend seen after %u ms\n", took);
    if (took > 2500)
        fail_msg("after one 1.5 s read, another set's suspend was seen after %u ms", took);
}

/* The caller's array changes during the call (another thread overwrites it):
 * the call must use what it was given at entry. The overwrite is a data race
 * by design (a careless caller's), so ThreadSanitizer would report the test
 * itself: this one test is left out of the TSan build (it runs under ASan,
 * UBSan, valgrind and Wine). */
#if defined(__SANITIZE_THREAD__)
#define BW_TEST_CALLER_RACES 0
#else
#define BW_TEST_CALLER_RACES 1
#endif
#if BW_TEST_CALLER_RACES
typedef struct scribble {
    BW_JOB *h;
} scribble;

static void scribble_main(void *p)
{
    scribble *sc = p;
    test_sleep_ms(100);
    sc->h[1] = NULL;
    sc->h[2] = sc->h[3];
    sc->h[0] = (BW_JOB)(uintptr_t)0x7777;
}

static void the_callers_array_may_change_during_the_call(void **state)
{
    set *s = set_open(4, BW_STATE_QUEUED);
    assert_hr(S_OK, poll_set(s, 0, NULL));
    BW_JOB saved[4];
    memcpy(saved, s->h, sizeof saved);
    scribble sc = {s->h};
    test_thread_start ts = {scribble_main, &sc};
    test_thread t = test_thread_run(&ts);
    assert_hr(S_FALSE, poll_set(s, 300, NULL));
    test_thread_join(t);
    memcpy(s->h, saved, sizeof saved);
    for (unsigned i = 0; i < 4; i++)
        assert_hr(S_OK, BwJobClose(s->h[i]));
    assert_int_equal(bw__handle_count(), 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(fake_job_closed(s->jobs[i]), 1); /* every reference dropped */
    memset(s->h, 0, sizeof saved);
    set_close(s);
}
#endif

static void bad_arguments_fail_the_call(void **state)
{
    set *s = set_open(2, BW_STATE_QUEUED);
    UINT32 changed = 5;
    assert_hr(E_POINTER, BwJobPollMany(NULL, 2, 0, s->st, s->r, &changed));
    assert_int_equal(changed, 0);
    assert_hr(E_POINTER, BwJobPollMany(s->h, 2, 0, NULL, s->r, NULL));
    assert_hr(E_POINTER, BwJobPollMany(s->h, 2, 0, s->st, NULL, NULL));
    assert_hr(E_INVALIDARG, BwJobPollMany(s->h, 0, 0, s->st, s->r, NULL));
    assert_hr(E_INVALIDARG, BwJobPollMany(s->h, BW_POLL_MANY_MAX + 1, 0, s->st, s->r, NULL));
    s->st[0].cbSize = 3;
    s->st[1].cbSize = 3;
    assert_hr(E_INVALIDARG, BwJobPollMany(s->h, 2, 0, s->st, s->r, NULL));
    s->st[0].cbSize = sizeof s->st[0];
    s->st[1].cbSize = sizeof s->st[1] - 8; /* differing sizes */
    s->r[0] = s->r[1] = 0x1234;
    s->st[0].State = 77;
    assert_hr(E_INVALIDARG, BwJobPollMany(s->h, 2, 0, s->st, s->r, NULL));
    assert_int_equal(s->r[0], 0x1234); /* nothing written */
    assert_int_equal(s->st[0].State, 77);
    set_close(s);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(first_call_reports_every_job_changed),
        T(a_change_in_any_position_ends_the_wait),
        T(bad_handles_fail_their_entry_not_the_call),
        T(a_job_gone_fails_its_entry),
        T(closing_any_handle_ends_the_wait),
        T(timeout_gives_s_false),
        T(final_jobs_are_not_read_and_end_the_wait_at_once),
        T(schedule_reads_moving_often_quiet_within_budget_final_never),
        T(quiet_jobs_all_read_while_another_moves),
        T(quiet_budget_is_not_spent_on_a_moving_job),
        T(first_read_is_not_activity),
        T(thousand_handles),
        T(change_detection_is_the_handles_own),
        T(quiet_reads_in_a_set_are_one_round_trip_until_the_5s_full_read),
        T(bad_arguments_fail_the_call),
        T(a_quiet_change_is_seen_whatever_the_caller_does_between_calls),
        T(a_bad_handle_kept_in_the_set_does_not_stop_the_others),
        T(closing_a_final_member_ends_the_wait),
        T(close_ends_a_set_wait_queued_behind_a_slow_call),
        T(one_slow_read_does_not_stop_quiet_reads_for_long),
#if BW_TEST_CALLER_RACES
        T(the_callers_array_may_change_during_the_call),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
