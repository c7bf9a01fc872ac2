/*
 * clock.c - the core's one notion of now (as libuv's uv__update_time is
 * libuv's): every schedule, wait deadline, rate sample and full-read period
 * is measured in bw__now_ms. It is the platform's monotonic clock, unless a
 * test installed its own (bw_test.h), which then stands for every use at
 * once, so a test can never mix two clocks.
 */
#include <stdatomic.h>

#include "bw_core.h"
#include "bw_test.h"

static _Atomic(bw__clock_fn) g_test_clock;

UINT64 bw__now_ms(void)
{
    bw__clock_fn clock = atomic_load_explicit(&g_test_clock, memory_order_acquire);
    return clock ? clock() : bw__platform_now_ms();
}

void bw__test_set_clock(bw__clock_fn clock)
{
    atomic_store_explicit(&g_test_clock, clock, memory_order_release);
}

UINT64 bw__now_wall_ft(void)
{
    bw__clock_fn clock = atomic_load_explicit(&g_test_clock, memory_order_acquire);
    return clock ? BW_TEST_EPOCH_FT + clock() * 10000u : bw__now_filetime();
}
