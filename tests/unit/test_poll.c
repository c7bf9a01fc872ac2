/*
 * test_poll.c - BwJobPoll against the scripted fake backend: every state,
 * unknown sizes, progress going backwards, Changed flags, Sequence, rate and
 * ETA, round trips per poll, what a timer-style caller sees after changes
 * that leave the state as it was, and the wait (on change, on timeout, at
 * once in a final state, ended by BwJobClose).
 */
#include "fake_backend.h"
#include "test_common.h"
#include "test_thread.h"

typedef struct fixture {
    fake_job *job;
    BW_JOB h;
} fixture;

static int setup_type(void **state, UINT32 type)
{
    static fixture f;
    WCHAR id[40];
    fake_backend_install();
    f.job = fake_job_add(type);
    fake_job_guid_text(f.job, id);
    assert_hr(S_OK, BwJobOpen(id, &f.h));
    *state = &f;
    return 0;
}

/* The core's one clock (bw__now_ms), replaced so time passes without sleeping:
 * for polls with timeoutMs 0 only (sleeps still take real time). */
static UINT64 fake_now;
static UINT64 fake_clock(void) { return fake_now; }
static void use_fake_clock(void)
{
    fake_now = 1000000; /* a monotonic clock does not start at 0 */
    bw__test_set_clock(fake_clock);
}

static int setup_download(void **state) { return setup_type(state, BW_TYPE_DOWNLOAD); }
static int setup_upload_reply(void **state) { return setup_type(state, BW_TYPE_UPLOAD_REPLY); }

static int teardown(void **state)
{
    fixture *f = *state;
    bw__test_set_clock(NULL);
    BwJobClose(f->h);
    assert_int_equal(bw__handle_count(), 0);
    assert_int_equal(f->job->opened, f->job->closed); /* every backend job released */
    fake_backend_uninstall();
    return 0;
}

static BW_STATUS new_status(void)
{
    BW_STATUS st;
    memset(&st, 0xCC, sizeof st); /* the call must fill every field */
    st.cbSize = sizeof st;
    return st;
}

static void first_poll_reports_every_group(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_ALL);
    assert_int_equal(st.Sequence, 1);
    assert_int_equal(st.State, BW_STATE_QUEUED);
    assert_int_equal(st.Type, BW_TYPE_DOWNLOAD);
    assert_true(st.BytesTotal == BW_SIZE_UNKNOWN);
    assert_int_equal(st.BytesTransferred, 0);
    assert_true(st.ReplyBytesTotal == BW_SIZE_UNKNOWN);
    assert_int_equal(st.ReplyBytesTransferred, 0);
    assert_int_equal(st.ErrorCode, 0);
    assert_int_equal(st.ErrorContext, 0);
    assert_true(st.BytesPerSecond == 0.0);
    assert_int_equal(st.EtaSeconds, -1);
    assert_true(st.Timestamp > 116444736000000000ull); /* after 1970 */
}

static void nothing_new_is_s_false_with_the_same_snapshot(void **state)
{
    fixture *f = *state;
    BW_STATUS a = new_status(), b = new_status();
    fake_job_set_bytes(f->job, 1000, 10);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &a));
    assert_hr(S_FALSE, BwJobPoll(f->h, 0, &b));
    assert_int_equal(b.Changed, 0);
    assert_int_equal(b.Sequence, a.Sequence);
    assert_int_equal(b.BytesTotal, 1000);
    assert_int_equal(b.BytesTransferred, 10);
}

static void every_state_is_reported_with_the_state_flag(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    for (UINT32 s = BW_STATE_CONNECTING; s <= BW_STATE_CANCELLED; s++) {
        fake_job_set_state(f->job, s);
        f->job->error_code = (HRESULT)0x80190194;
        f->job->error_context = BW_CONTEXT_REMOTE_FILE;
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
        assert_int_equal(st.State, s);
        assert_true(st.Changed & BW_CHANGED_STATE);
        assert_int_equal(st.Sequence, s + 1);
        int in_error = (s == BW_STATE_ERROR || s == BW_STATE_TRANSIENT_ERROR);
        assert_int_equal(st.ErrorCode, in_error ? (HRESULT)0x80190194 : 0);
        assert_int_equal(st.ErrorContext, in_error ? BW_CONTEXT_REMOTE_FILE : 0);
        /* Entering and leaving an error state changes the error group. */
        int was_error = (s - 1 == BW_STATE_ERROR || s - 1 == BW_STATE_TRANSIENT_ERROR);
        assert_int_equal(!!(st.Changed & BW_CHANGED_ERROR), in_error != was_error);
    }
}

static void progress_changes_set_only_the_progress_flag(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    fake_job_set_bytes(f->job, BW_SIZE_UNKNOWN, 4096);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_PROGRESS);
    assert_int_equal(st.BytesTransferred, 4096);
    f->job->progress.files_total = 2;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_PROGRESS);
    assert_int_equal(st.FilesTotal, 2);
}

static void progress_going_backwards_is_reported_and_restarts_the_rate(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    for (int i = 0; i <= 5; i++) {
        fake_job_set_bytes(f->job, 1000000, (UINT64)i * 50000);
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
        test_sleep_ms(120);
    }
    assert_true(st.BytesPerSecond > 0.0);
    fake_job_set_bytes(f->job, 1000000, 1000); /* BITS restarted the file */
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_PROGRESS);
    assert_int_equal(st.BytesTransferred, 1000);
    assert_true(st.BytesPerSecond == 0.0);
    assert_int_equal(st.EtaSeconds, -1);
}

static void rate_and_eta_follow_the_bytes(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    /* 100 KB every ~200 ms: about 500 KB/s. */
    for (int i = 0; i <= 6; i++) {
        fake_job_set_bytes(f->job, 10000000, (UINT64)i * 100000);
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
        test_sleep_ms(200);
    }
    fake_job_set_bytes(f->job, 10000000, 700000);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    /* Timers are coarse (under Wine especially): accept a wide band. */
    assert_true(st.BytesPerSecond > 250000.0 && st.BytesPerSecond < 700000.0);
    double expected_eta = (10000000.0 - 700000.0) / st.BytesPerSecond;
    assert_true(st.EtaSeconds >= (INT64)expected_eta && st.EtaSeconds <= (INT64)expected_eta + 1);
}

static void unknown_total_gives_unknown_eta(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    for (int i = 0; i <= 4; i++) {
        fake_job_set_bytes(f->job, BW_SIZE_UNKNOWN, (UINT64)i * 100000);
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
        test_sleep_ms(150);
    }
    assert_true(st.BytesPerSecond > 0.0); /* the rate is known */
    assert_int_equal(st.EtaSeconds, -1);  /* but not how much is left */
}

static void rate_is_zero_outside_a_transfer_and_eta_zero_when_done(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    for (int i = 0; i <= 3; i++) {
        fake_job_set_bytes(f->job, 400000, (UINT64)i * 100000);
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
        test_sleep_ms(120);
    }
    fake_job_set_state(f->job, BW_STATE_SUSPENDED);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_true(st.BytesPerSecond == 0.0);
    assert_int_equal(st.EtaSeconds, -1);
    fake_job_set_state(f->job, BW_STATE_TRANSFERRED);
    fake_job_set_bytes(f->job, 400000, 400000);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_true(st.BytesPerSecond == 0.0);
    assert_int_equal(st.EtaSeconds, 0);
}

static void a_moving_job_costs_two_round_trips_an_idle_one_one(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    use_fake_clock(); /* stopped: every idle poll comes "soon" after the full read */
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    fake_job_reset_counters(f->job);
    for (int i = 0; i < 10; i++)
        BwJobPoll(f->h, 0, &st);
    assert_int_equal(f->job->n_state, 10);
    assert_int_equal(f->job->n_progress, 10);
    assert_int_equal(fake_round_trips(f->job), 20);

    static const UINT32 idle[] = {BW_STATE_QUEUED, BW_STATE_SUSPENDED, BW_STATE_ERROR,
                                  BW_STATE_TRANSFERRED};
    for (size_t k = 0; k < sizeof idle / sizeof idle[0]; k++) {
        fake_job_set_state(f->job, idle[k]);
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st)); /* the change reads everything once */
        fake_job_reset_counters(f->job);
        for (int i = 0; i < 10; i++)
            assert_hr(S_FALSE, BwJobPoll(f->h, 0, &st));
        if (fake_round_trips(f->job) != 10)
            fail_msg("state %u: %u round trips for 10 polls", (unsigned)idle[k],
                     fake_round_trips(f->job));
    }
}

/* ---- changes that leave the state as it was ---------------------------------
 * An idle job's poll reads only the state, unless the last full read on the
 * handle is BW__FULL_READ_MS (500 ms) old: then it reads everything. */

static void timer_caller_sees_bytes_moved_between_two_queued_polls(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    use_fake_clock();
    fake_job_set_bytes(f->job, 100000, 0);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    /* Between two polls of a timer: QUEUED -> TRANSFERRING -> QUEUED. */
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    fake_job_set_bytes(f->job, 100000, 60000);
    fake_job_set_state(f->job, BW_STATE_QUEUED);
    fake_now += 2000;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_PROGRESS);
    assert_int_equal(st.State, BW_STATE_QUEUED);
    assert_int_equal(st.BytesTransferred, 60000);
    assert_int_equal(st.Sequence, 2);
}

static void a_new_error_code_in_the_same_error_state_is_reported(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    use_fake_clock();
    fake_job_set_state(f->job, BW_STATE_ERROR);
    f->job->error_code = (HRESULT)0x80190194; /* HTTP 404 */
    f->job->error_context = BW_CONTEXT_REMOTE_FILE;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_hr(0x80190194, st.ErrorCode);
    /* Between two polls: resumed, failed again with another code. */
    f->job->error_code = (HRESULT)0x80190193; /* HTTP 403 */
    fake_now += 2000;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_ERROR);
    assert_hr(0x80190193, st.ErrorCode);
    assert_int_equal(st.ErrorContext, BW_CONTEXT_REMOTE_FILE);
}

static void a_file_added_to_a_suspended_job_is_reported(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    use_fake_clock();
    fake_job_set_state(f->job, BW_STATE_SUSPENDED);
    f->job->progress.files_total = 1;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.FilesTotal, 1);
    f->job->progress.files_total = 2; /* AddFile: the state stays SUSPENDED */
    fake_now += 1000;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_PROGRESS);
    assert_int_equal(st.FilesTotal, 2);
}

static void the_reply_of_a_suspended_upload_reply_job_is_reread(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    use_fake_clock();
    fake_job_set_state(f->job, BW_STATE_SUSPENDED);
    f->job->reply_total = 5000;
    f->job->reply_transferred = 100;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    f->job->reply_transferred = 900;
    fake_now += 1000;
    fake_job_reset_counters(f->job);
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_REPLY);
    assert_int_equal(st.ReplyBytesTransferred, 900);
    assert_int_equal(fake_round_trips(f->job), 3); /* state, progress, reply */
}

/* What the header promises: idle polls within 500 ms of the last full read
 * are one round trip; a change that leaves the state alone is seen by the
 * first poll 500 ms or more after the last full read. */
static void idle_polls_soon_after_a_full_read_cost_one_round_trip(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    use_fake_clock();
    static const UINT32 idle[] = {BW_STATE_QUEUED, BW_STATE_SUSPENDED, BW_STATE_ERROR,
                                  BW_STATE_TRANSIENT_ERROR, BW_STATE_TRANSFERRED};
    for (size_t k = 0; k < sizeof idle / sizeof idle[0]; k++) {
        UINT32 s = idle[k];
        int in_error = s == BW_STATE_ERROR || s == BW_STATE_TRANSIENT_ERROR;
        fake_job_set_state(f->job, s);
        fake_now += 10;
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st)); /* the state change: a full read */
        f->job->progress.files_total++;           /* a change the state does not show */
        fake_job_reset_counters(f->job);
        for (int i = 0; i < 49; i++) { /* 10 ms apart, as BwJobPoll's wait reads */
            fake_now += 10;
            assert_hr(S_FALSE, BwJobPoll(f->h, 0, &st));
        }
        if (fake_round_trips(f->job) != 49 || f->job->n_state != 49)
            fail_msg("state %u: %u round trips for 49 polls in 490 ms after a full read",
                     (unsigned)s, fake_round_trips(f->job));

        fake_now += 10; /* 500 ms after the full read */
        fake_job_reset_counters(f->job);
        assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
        assert_int_equal(st.Changed, BW_CHANGED_PROGRESS);
        assert_int_equal(f->job->n_progress, 1);
        assert_int_equal(f->job->n_error, in_error ? 1 : 0);

        fake_now += 10; /* and cheap again */
        fake_job_reset_counters(f->job);
        assert_hr(S_FALSE, BwJobPoll(f->h, 0, &st));
        assert_int_equal(fake_round_trips(f->job), 1);
    }
}

/* The rate through BwJobPoll: a transfer that stalls, read at the wait's own
 * cadence (20 ms), shows no rate and no ETA once the window has passed. */
static void a_stalled_transfer_has_no_rate_and_no_eta(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    use_fake_clock();
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    UINT64 bytes = 0;
    for (int i = 0; i < 150; i++) { /* 3 s at 100 KB/s */
        fake_job_set_bytes(f->job, 10000000, bytes);
        assert_true(SUCCEEDED(BwJobPoll(f->h, 0, &st)));
        fake_now += 20;
        bytes += 2000;
    }
    if (st.BytesPerSecond < 98000.0 || st.BytesPerSecond > 102000.0)
        fail_msg("%.0f B/s while moving 100 KB/s", st.BytesPerSecond);
    assert_true(st.EtaSeconds > 0);

    for (int i = 0; i < 300; i++) { /* 6 s without a byte */
        assert_true(SUCCEEDED(BwJobPoll(f->h, 0, &st)));
        fake_now += 20;
    }
    assert_int_equal(st.State, BW_STATE_TRANSFERRING);
    if (st.BytesPerSecond != 0.0 || st.EtaSeconds != -1)
        fail_msg("%.0f B/s, ETA %lld s 6 s after the bytes stopped (expected 0, -1)",
                 st.BytesPerSecond, (long long)st.EtaSeconds);
}

static void reply_progress_of_an_upload_reply_job_is_polled(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    fake_job_set_state(f->job, BW_STATE_TRANSFERRING);
    f->job->reply_total = 5000;
    f->job->reply_transferred = 100;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Type, BW_TYPE_UPLOAD_REPLY);
    assert_int_equal(st.ReplyBytesTotal, 5000);
    assert_int_equal(st.ReplyBytesTransferred, 100);
    f->job->reply_transferred = 2500;
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.Changed, BW_CHANGED_REPLY);
    assert_int_equal(st.ReplyBytesTransferred, 2500);

    BW_REPLY_PROGRESS rp = {sizeof rp};
    assert_hr(S_OK, BwJobGetReplyProgress(f->h, &rp));
    assert_int_equal(rp.BytesTotal, 5000);
    assert_int_equal(rp.BytesTransferred, 2500);
}

static void reply_progress_of_a_download_is_not_upload_reply(void **state)
{
    fixture *f = *state;
    BW_REPLY_PROGRESS rp;
    memset(&rp, 0xCC, sizeof rp);
    rp.cbSize = sizeof rp;
    assert_hr(BW_E_NOT_UPLOAD_REPLY, BwJobGetReplyProgress(f->h, &rp));
    assert_int_equal(rp.cbSize, sizeof rp);
    assert_int_equal(rp.BytesTotal, 0); /* cleared on failure */
    assert_int_equal(f->job->n_reply, 0); /* known from the type: no round trip */
}

static void get_progress_reads_now(void **state)
{
    fixture *f = *state;
    BW_PROGRESS p;
    memset(&p, 0xCC, sizeof p);
    p.cbSize = sizeof p;
    fake_job_set_bytes(f->job, 900, 300);
    f->job->progress.files_total = 3;
    f->job->progress.files_transferred = 1;
    assert_hr(S_OK, BwJobGetProgress(f->h, &p));
    assert_int_equal(p.BytesTotal, 900);
    assert_int_equal(p.BytesTransferred, 300);
    assert_int_equal(p.FilesTotal, 3);
    assert_int_equal(p.FilesTransferred, 1);
    assert_int_equal(p.Reserved, 0);
}

static void backend_failures_pass_through(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    f->job->fail_hr = BG_E_NOT_FOUND;
    assert_hr(BG_E_NOT_FOUND, BwJobPoll(f->h, 0, &st));
    assert_int_equal(st.cbSize, sizeof st);
    assert_int_equal(st.State, 0); /* cleared, not left as garbage */
    BW_PROGRESS p = {sizeof p};
    assert_hr(BG_E_NOT_FOUND, BwJobGetProgress(f->h, &p));
    assert_hr(BG_E_NOT_FOUND, BwJobComplete(f->h));
}

static void control_calls_pass_bits_success_codes_through(void **state)
{
    fixture *f = *state;
    f->job->control_hr = (HRESULT)0x00200017; /* BG_S_PARTIAL_COMPLETE */
    assert_hr(0x00200017, BwJobComplete(f->h));
    f->job->control_hr = (HRESULT)0x0020001A; /* BG_S_UNABLE_TO_DELETE_FILES */
    assert_hr(0x0020001A, BwJobCancel(f->h));
    f->job->control_hr = E_NOTIMPL;
    assert_hr(E_NOTIMPL, BwJobSuspend(f->h));
    f->job->control_hr = S_OK;
    assert_hr(S_OK, BwJobResume(f->h));
    assert_int_equal(f->job->n_control, 4);
}

/* ---- waiting ---------------------------------------------------------------- */

typedef struct later {
    fake_job *job;
    BW_JOB h;
    unsigned after_ms;
    UINT32 state;
} later;

static void set_state_later(void *p)
{
    later *l = p;
    test_sleep_ms(l->after_ms);
    fake_job_set_state(l->job, l->state);
}

static void close_later(void *p)
{
    later *l = p;
    test_sleep_ms(l->after_ms);
    assert_hr(S_OK, BwJobClose(l->h));
}

static void wait_returns_soon_after_a_change(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    later l = {f->job, f->h, 300, BW_STATE_TRANSFERRING};
    test_thread_start s = {set_state_later, &l};
    UINT64 t0 = bw__now_ms();
    test_thread t = test_thread_run(&s);
    HRESULT hr = BwJobPoll(f->h, 5000, &st);
    UINT64 took = bw__now_ms() - t0;
    test_thread_join(t);
    assert_hr(S_OK, hr);
    assert_int_equal(st.State, BW_STATE_TRANSFERRING);
    /* Returned because of the change, long before the timeout. (How fast is
     * measured in tests/bench, not asserted here.) */
    if (took < 300 || took > 300 + 1000)
        fail_msg("the change at 300 ms was seen at %u ms", (unsigned)took);
}

static void wait_without_change_times_out_with_s_false(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    fake_job_reset_counters(f->job);
    UINT64 t0 = bw__now_ms();
    assert_hr(S_FALSE, BwJobPoll(f->h, 400, &st));
    UINT64 took = bw__now_ms() - t0;
    assert_int_equal(st.Changed, 0);
    if (took < 400 || took > 400 + 1000)
        fail_msg("a 400 ms wait took %u ms", (unsigned)took);
    /* It polled on its interval and slept in between: about 400/50 reads, and
     * never more than one per 10 ms (no spinning). */
    if (f->job->n_state < 2 || f->job->n_state > 41)
        fail_msg("%u reads in a 400 ms wait", f->job->n_state);
}

static void wait_in_a_final_state_returns_at_once(void **state)
{
    fixture *f = *state;
    static const UINT32 final[] = {BW_STATE_TRANSFERRED, BW_STATE_ERROR, BW_STATE_ACKNOWLEDGED,
                                   BW_STATE_CANCELLED};
    BW_STATUS st = new_status();
    for (size_t k = 0; k < sizeof final / sizeof final[0]; k++) {
        fake_job_set_state(f->job, final[k]);
        assert_hr(S_OK, BwJobPoll(f->h, 10000, &st)); /* the change itself */
        UINT64 t0 = bw__now_ms();
        assert_hr(S_FALSE, BwJobPoll(f->h, 10000, &st));
        UINT64 took = bw__now_ms() - t0;
        assert_int_equal(st.State, final[k]);
        if (took > 1000)
            fail_msg("state %u: waited %u ms", (unsigned)final[k], (unsigned)took);
    }
}

static void closing_the_handle_ends_a_wait_with_e_handle(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    later l = {f->job, f->h, 200, 0};
    test_thread_start s = {close_later, &l};
    UINT64 t0 = bw__now_ms();
    test_thread t = test_thread_run(&s);
    HRESULT hr = BwJobPoll(f->h, 10000, &st);
    UINT64 took = bw__now_ms() - t0;
    test_thread_join(t);
    assert_hr(E_HANDLE, hr);
    if (took > 200 + 1000)
        fail_msg("the close at 200 ms ended the wait at %u ms", (unsigned)took);
    assert_hr(E_HANDLE, BwJobClose(f->h));
    f->h = NULL;
}


/* Another thread is inside a slow read of this handle (3 s); a wait starts
 * behind it; a third thread closes the handle: the wait ends at once with
 * E_HANDLE instead of after the slow read (issue 17, defect 3). */
typedef struct slow_read {
    BW_JOB h;
} slow_read;

static void slow_read_main(void *p)
{
    slow_read *r = p;
    BW_STATUS st;
    st.cbSize = sizeof st;
    (void)BwJobPoll(r->h, 0, &st);
}

static void close_ends_a_wait_queued_behind_a_slow_call(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    f->job->state_delay_ms = 3000;
    slow_read r = {f->h};
    test_thread_start rs = {slow_read_main, &r};
    test_thread rt = test_thread_run(&rs);
    test_sleep_ms(100); /* the slow read holds the handle's call */
    later l = {f->job, f->h, 200, 0};
    test_thread_start cs = {close_later, &l};
    UINT64 t0 = bw__now_ms();
    test_thread ct = test_thread_run(&cs);
    HRESULT hr = BwJobPoll(f->h, 0xFFFFFFFFu, &st);
    UINT64 took = bw__now_ms() - t0;
    test_thread_join(ct);
    test_thread_join(rt);
    f->job->state_delay_ms = 0;
    assert_hr(E_HANDLE, hr);
    f->h = NULL;
    if (took > 800)
        fail_msg("a close at 200 ms ended a wait queued behind a slow call after %u ms",
                 (unsigned)took);
}

static void a_job_that_disappears_ends_the_wait(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(S_OK, BwJobPoll(f->h, 0, &st));
    f->job->fail_hr = BG_E_NOT_FOUND;
    UINT64 t0 = bw__now_ms();
    assert_hr(BG_E_NOT_FOUND, BwJobPoll(f->h, 10000, &st));
    assert_true(bw__now_ms() - t0 < 1000);
}

static void bad_arguments_give_the_documented_codes(void **state)
{
    fixture *f = *state;
    BW_STATUS st = new_status();
    assert_hr(E_POINTER, BwJobPoll(f->h, 0, NULL));
    st.cbSize = 0;
    assert_hr(E_INVALIDARG, BwJobPoll(f->h, 0, &st));
    st.cbSize = sizeof st - 8;
    assert_hr(E_INVALIDARG, BwJobPoll(f->h, 0, &st));
    st.cbSize = sizeof st + 8;
    assert_hr(E_INVALIDARG, BwJobPoll(f->h, 0, &st));
    st.cbSize = sizeof st;
    assert_hr(E_HANDLE, BwJobPoll(NULL, 0, &st));
    assert_hr(E_HANDLE, BwJobPoll((BW_JOB)(uintptr_t)0x12345678, 0, &st));
    BW_PROGRESS p = {0};
    assert_hr(E_INVALIDARG, BwJobGetProgress(f->h, &p));
    assert_hr(E_POINTER, BwJobGetProgress(f->h, NULL));
    BW_REPLY_PROGRESS rp = {sizeof rp + 1};
    assert_hr(E_INVALIDARG, BwJobGetReplyProgress(f->h, &rp));
    assert_hr(E_POINTER, BwJobGetReplyProgress(f->h, NULL));
    assert_hr(E_HANDLE, BwJobComplete(NULL));
    assert_int_equal(f->job->n_state, 0); /* nothing reached the backend */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup_download, teardown)
#define TR(name) cmocka_unit_test_setup_teardown(name, setup_upload_reply, teardown)
    const struct CMUnitTest tests[] = {
        T(first_poll_reports_every_group),
        T(nothing_new_is_s_false_with_the_same_snapshot),
        T(every_state_is_reported_with_the_state_flag),
        T(progress_changes_set_only_the_progress_flag),
        T(progress_going_backwards_is_reported_and_restarts_the_rate),
        T(rate_and_eta_follow_the_bytes),
        T(unknown_total_gives_unknown_eta),
        T(rate_is_zero_outside_a_transfer_and_eta_zero_when_done),
        T(a_moving_job_costs_two_round_trips_an_idle_one_one),
        T(timer_caller_sees_bytes_moved_between_two_queued_polls),
        T(a_new_error_code_in_the_same_error_state_is_reported),
        T(a_file_added_to_a_suspended_job_is_reported),
        TR(the_reply_of_a_suspended_upload_reply_job_is_reread),
        T(idle_polls_soon_after_a_full_read_cost_one_round_trip),
        T(a_stalled_transfer_has_no_rate_and_no_eta),
        TR(reply_progress_of_an_upload_reply_job_is_polled),
        T(reply_progress_of_a_download_is_not_upload_reply),
        T(get_progress_reads_now),
        T(backend_failures_pass_through),
        T(control_calls_pass_bits_success_codes_through),
        T(wait_returns_soon_after_a_change),
        T(wait_without_change_times_out_with_s_false),
        T(wait_in_a_final_state_returns_at_once),
        T(closing_the_handle_ends_a_wait_with_e_handle),
        T(a_job_that_disappears_ends_the_wait),
        T(close_ends_a_wait_queued_behind_a_slow_call),
        T(bad_arguments_give_the_documented_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
