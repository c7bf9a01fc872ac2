/*
 * test_rate.c - the sliding-window rate and the ETA (rate.c), driven with
 * synthetic times: a constant rate read at the cadences BwJobPoll and its
 * callers read at (20, 50, 150 ms), a stall, bytes going backwards, and the
 * window sliding from one rate to another.
 */
#include "test_common.h"

#define T0 1000000ull /* a monotonic clock does not start at 0 */

static const UINT64 cadences[] = {20, 50, 150};
#define N_CADENCES (sizeof cadences / sizeof cadences[0])

/* A job read every cadence_ms while bytes grow by bytes_per_ms. */
typedef struct feed {
    bw__rate rate;
    UINT64 now, bytes, cadence;
} feed;

static void feed_start(feed *f, UINT64 cadence)
{
    bw__rate_reset(&f->rate);
    f->now = T0;
    f->bytes = 0;
    f->cadence = cadence;
    bw__rate_add(&f->rate, f->now, f->bytes);
}

/* Reads for 'ms' more milliseconds (one read every cadence). */
static void feed_run(feed *f, UINT64 ms, UINT64 bytes_per_ms)
{
    for (UINT64 end = f->now + ms; f->now + f->cadence <= end;) {
        f->now += f->cadence;
        f->bytes += bytes_per_ms * f->cadence;
        bw__rate_add(&f->rate, f->now, f->bytes);
    }
}

static double rate_now(const feed *f)
{
    return bw__rate_get(&f->rate, f->now);
}

static void assert_rate_near(const feed *f, double expected, const char *when)
{
    double got = rate_now(f);
    if (got < expected * 0.98 || got > expected * 1.02)
        fail_msg("%s, %u ms cadence: %.0f B/s, expected %.0f B/s (2%%)", when,
                 (unsigned)f->cadence, got, expected);
}

static void a_constant_rate_is_measured_at_every_cadence(void **state)
{
    for (size_t c = 0; c < N_CADENCES; c++) {
        feed f;
        feed_start(&f, cadences[c]);
        feed_run(&f, 1000, 100); /* 100 bytes a ms: 100000 B/s */
        /* From then on, at every read, through many window lengths. */
        for (int i = 0; i < 100; i++) {
            feed_run(&f, f.cadence, 100);
            assert_rate_near(&f, 100000.0, "steady");
        }
        INT64 eta = bw__eta_seconds(rate_now(&f), f.bytes + 1000000, f.bytes);
        if (eta < 10 || eta > 11)
            fail_msg("%u ms cadence: ETA %lld s for 1 MB at 100 KB/s", (unsigned)f.cadence,
                     (long long)eta);
    }
}

static void a_stall_decays_to_zero_within_the_window(void **state)
{
    for (size_t c = 0; c < N_CADENCES; c++) {
        feed f;
        feed_start(&f, cadences[c]);
        feed_run(&f, 10000, 100);
        assert_rate_near(&f, 100000.0, "before the stall");
        UINT64 total = f.bytes * 2;

        feed_run(&f, 1000, 0);
        double after_1s = rate_now(&f);
        feed_run(&f, 2300, 0); /* the window (3 s) plus a sample gap (100 ms + a cadence) */
        double after_3_3s = rate_now(&f);
        feed_run(&f, 2700, 0);
        double after_6s = rate_now(&f);
        INT64 eta = bw__eta_seconds(after_6s, total, f.bytes);

        if (after_6s != 0.0 || eta != -1)
            fail_msg("%u ms cadence: %.0f B/s, ETA %lld s 6 s after the bytes stopped "
                     "(expected 0, -1)", (unsigned)f.cadence, after_6s, (long long)eta);
        if (after_3_3s != 0.0)
            fail_msg("%u ms cadence: %.0f B/s 3.3 s after the bytes stopped", (unsigned)f.cadence,
                     after_3_3s);
        if (!(after_1s > 0.0 && after_1s < 100000.0 * 0.9))
            fail_msg("%u ms cadence: %.0f B/s 1 s into a stall (expected decaying)",
                     (unsigned)f.cadence, after_1s);
    }
}

static void a_stall_read_rarely_is_zero_too(void **state)
{
    /* A caller polling with timeout 0 every few seconds. */
    feed f;
    feed_start(&f, 2000);
    feed_run(&f, 10000, 100);
    assert_rate_near(&f, 100000.0, "every 2 s");
    feed_run(&f, 6000, 0);
    assert_true(rate_now(&f) == 0.0);
}

static void bytes_going_backwards_restart_the_rate(void **state)
{
    for (size_t c = 0; c < N_CADENCES; c++) {
        feed f;
        feed_start(&f, cadences[c]);
        feed_run(&f, 2000, 100);
        assert_rate_near(&f, 100000.0, "before the restart");

        f.now += f.cadence;
        f.bytes = 1000; /* BITS restarted the file */
        bw__rate_add(&f.rate, f.now, f.bytes);
        if (rate_now(&f) != 0.0)
            fail_msg("%u ms cadence: %.0f B/s right after bytes went backwards",
                     (unsigned)f.cadence, rate_now(&f));
        assert_int_equal(bw__eta_seconds(rate_now(&f), 1000000, f.bytes), -1);

        /* The new rate alone, nothing of the old samples. */
        feed_run(&f, 1000, 50);
        assert_rate_near(&f, 50000.0, "1 s after the restart");
    }
}

static void the_window_slides_from_one_rate_to_the_next(void **state)
{
    for (size_t c = 0; c < N_CADENCES; c++) {
        feed f;
        feed_start(&f, cadences[c]);
        feed_run(&f, 5000, 100);
        assert_rate_near(&f, 100000.0, "at 100 KB/s");

        feed_run(&f, 1500, 300);
        double mid = rate_now(&f);
        if (!(mid > 110000.0 && mid < 290000.0))
            fail_msg("%u ms cadence: %.0f B/s 1.5 s after 100 -> 300 KB/s (expected between)",
                     (unsigned)f.cadence, mid);

        feed_run(&f, 1800, 300); /* 3.3 s: the window and a sample gap */
        assert_rate_near(&f, 300000.0, "3.3 s after 100 -> 300 KB/s");

        feed_run(&f, 10000, 300);
        assert_rate_near(&f, 300000.0, "13.3 s after 100 -> 300 KB/s");
    }
}

static void irregular_reads_weigh_each_interval_by_its_length(void **state)
{
    static const UINT64 gaps[] = {10, 10, 50, 10, 170, 20, 20, 300, 10, 45, 45, 120, 10};
    feed f;
    feed_start(&f, 1);
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
            f.now += gaps[i];
            f.bytes += 100 * gaps[i];
            bw__rate_add(&f.rate, f.now, f.bytes);
            if (f.now - T0 >= 500)
                assert_rate_near(&f, 100000.0, "irregular reads");
        }
}

static void too_little_history_is_unknown(void **state)
{
    bw__rate r;
    bw__rate_reset(&r);
    assert_true(bw__rate_get(&r, T0) == 0.0);
    bw__rate_add(&r, T0, 0);
    assert_true(bw__rate_get(&r, T0 + 1000) == 0.0); /* one sample: no interval */
    bw__rate_add(&r, T0 + 50, 5000);
    assert_true(bw__rate_get(&r, T0 + 50) == 0.0); /* 50 ms: too short to tell */
}

static void eta_is_rounded_up_and_unknown_without_rate_or_total(void **state)
{
    assert_int_equal(bw__eta_seconds(1000.0, 10000, 0), 10);
    assert_int_equal(bw__eta_seconds(1000.0, 10001, 0), 11);
    /* Any fraction rounds up, however small: 10.0001 s is 11, not 10 (adding
     * 0.999 and truncating missed it, and on x86's x87 unit it missed 10.001). */
    assert_int_equal(bw__eta_seconds(1000.0, 100001, 90000), 11);
    assert_int_equal(bw__eta_seconds(1e6, 10000001, 0), 11);
    assert_int_equal(bw__eta_seconds(1000.0, 10000, 10000), 0);
    assert_int_equal(bw__eta_seconds(0.0, 10000, 10000), 0); /* done: known */
    assert_int_equal(bw__eta_seconds(0.0, 10000, 0), -1);
    assert_int_equal(bw__eta_seconds(1000.0, BW_SIZE_UNKNOWN, 0), -1);
    assert_int_equal(bw__eta_seconds(1e-9, 0xFFFFFFFFFFFFull, 0), -1); /* absurd: unknown */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_constant_rate_is_measured_at_every_cadence),
        cmocka_unit_test(a_stall_decays_to_zero_within_the_window),
        cmocka_unit_test(a_stall_read_rarely_is_zero_too),
        cmocka_unit_test(bytes_going_backwards_restart_the_rate),
        cmocka_unit_test(the_window_slides_from_one_rate_to_the_next),
        cmocka_unit_test(irregular_reads_weigh_each_interval_by_its_length),
        cmocka_unit_test(too_little_history_is_unknown),
        cmocka_unit_test(eta_is_rounded_up_and_unknown_without_rate_or_total),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
