/*
 * test_clock.c - clock.c, the core's one notion of now: the platform's
 * monotonic clock unless a test clock is installed, which then stands for
 * every use at once; NULL puts the platform's back.
 */
#include "test_common.h"
#include "test_thread.h"

static UINT64 g_now;
static UINT64 test_clock(void) { return g_now; }

static void the_platform_clock_is_monotonic_and_in_ms(void **state)
{
    /* Windows' (and Wine's) GetTickCount64 moves in steps of about 15.6 ms:
     * 100 ms of sleep reads as 94 to 110 or so. */
    UINT64 a = bw__now_ms();
    test_sleep_ms(100);
    UINT64 b = bw__now_ms();
    if (b < a + 80 || b >= a + 2000)
        fail_msg("100 ms of sleep read as %llu ms", (unsigned long long)(b - a));
    assert_true(bw__platform_now_ms() >= b);
}

static void a_test_clock_stands_for_now_until_removed(void **state)
{
    g_now = 5; /* a machine just booted: nothing may take 0 to mean "never" */
    bw__test_set_clock(test_clock);
    assert_int_equal(bw__now_ms(), 5);
    g_now += 1000;
    assert_int_equal(bw__now_ms(), 1005);
    bw__test_set_clock(NULL);
    UINT64 real = bw__now_ms();
    assert_true(real != 1005 || bw__platform_now_ms() == 1005);
    assert_true(real <= bw__platform_now_ms());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_platform_clock_is_monotonic_and_in_ms),
        cmocka_unit_test(a_test_clock_stands_for_now_until_removed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
