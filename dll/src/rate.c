/*
 * rate.c - transfer rate smoothed over a sliding window of recent polls.
 *
 * A window (not an exponential average of instantaneous rates) because polls
 * come at irregular intervals: bytes over time between the oldest and newest
 * sample in the last few seconds weighs every interval by its length.
 */
#include "bw_core.h"

#define BW__RATE_WINDOW_MS 3000 /* samples older than this are dropped */
#define BW__RATE_MIN_GAP_MS 100 /* kept samples are at least this far apart */
#define BW__RATE_MIN_SPAN_MS 200 /* less than this is too short to tell */

/* The window's samples (at least MIN_GAP apart), the one before them that is
 * measured from, and the provisional newest. */
_Static_assert(BW__RATE_SAMPLES >= BW__RATE_WINDOW_MS / BW__RATE_MIN_GAP_MS + 2,
               "BW__RATE_SAMPLES must hold a window of samples");

void bw__rate_reset(bw__rate *r)
{
    r->count = 0;
    r->head = 0;
}

static unsigned slot_at(const bw__rate *r, unsigned i)
{
    return (r->head + i) % BW__RATE_SAMPLES;
}

/*
 * BwJobPoll's wait reads every 10-50 ms. Keeping every read would fill the
 * ring with a fraction of the window; so the newest sample is provisional:
 * while it is less than MIN_GAP after the one before it, a new read replaces
 * it, and once it is MIN_GAP after, it is kept and the next read is added
 * after it. Kept samples are then MIN_GAP (plus at most one read interval)
 * apart at any cadence, and the window is trimmed on every read, so the
 * oldest sample always leaves and a stall shows as 0 once the window passed.
 */
void bw__rate_add(bw__rate *r, UINT64 now_ms, UINT64 bytes)
{
    if (r->count > 0 && bytes < r->bytes[slot_at(r, r->count - 1)])
        bw__rate_reset(r); /* BITS restarted a file */

    int provisional = r->count >= 2 &&
        r->ms[slot_at(r, r->count - 1)] - r->ms[slot_at(r, r->count - 2)] < BW__RATE_MIN_GAP_MS;
    if (provisional)
        r->count--; /* replaced below */
    else if (r->count == BW__RATE_SAMPLES) {
        r->head = slot_at(r, 1); /* not reached with the assert above; kept safe */
        r->count--;
    }
    r->ms[slot_at(r, r->count)] = now_ms;
    r->bytes[slot_at(r, r->count)] = bytes;
    r->count++;

    /* Drop samples that left the window, but keep one to measure from. */
    while (r->count > 1 && now_ms - r->ms[slot_at(r, 1)] >= BW__RATE_WINDOW_MS) {
        r->head = slot_at(r, 1);
        r->count--;
    }
}

double bw__rate_get(const bw__rate *r, UINT64 now_ms)
{
    if (r->count < 2)
        return 0.0;
    unsigned oldest = slot_at(r, 0), newest = slot_at(r, r->count - 1);
    /* A stall shows as time passing with no new bytes: measure up to now. */
    UINT64 span = now_ms - r->ms[oldest];
    if (span < BW__RATE_MIN_SPAN_MS || span == 0)
        return 0.0;
    return (double)(r->bytes[newest] - r->bytes[oldest]) * 1000.0 / (double)span;
}

INT64 bw__eta_seconds(double rate, UINT64 total, UINT64 transferred)
{
    if (total == BW_SIZE_UNKNOWN)
        return -1;
    if (transferred >= total)
        return 0;
    if (rate <= 0.0)
        return -1;
    double left = (double)(total - transferred) / rate;
    if (left > 9.0e15)
        return -1;
    /* Round up ("0 s left" only when done), whatever the fraction: adding
     * 0.999 and truncating dropped fractions below 0.001, and the sum's
     * rounding differs between x87 (x86) and SSE (x64) arithmetic. */
    INT64 whole = (INT64)left;
    return (double)whole < left ? whole + 1 : whole;
}
