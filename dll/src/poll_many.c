/*
 * poll_many.c - BwJobPollMany: one wait for a set of jobs.
 *
 * Each handle keeps its own change detection (the same bw__watch BwJobPoll
 * uses); what this file adds is the schedule deciding which job to read next:
 *
 *  - active jobs (moving, or changed since their first read within the last
 *    BW__ACTIVE_MS) are read on BwJobPoll's own adaptive 10-50 ms interval,
 *    outside the budget: they cost what BwJobPoll on them would;
 *  - quiet jobs (queued, suspended, in transient error, not changed lately)
 *    are read round robin, least recently read first (across calls too), but
 *    never more often than every BW__WAIT_MAX_MS, and only while the
 *    process' read budget has credit: every quiet read's measured duration
 *    is charged to one token bucket per process that refills at
 *    BW__DUTY_PERCENT of wall time (burst: BW__BUDGET_BURST_MS). The
 *    measured duration of a round trip is what it costs the caller and the
 *    service together, so this bounds both;
 *  - jobs in a final state (TRANSFERRED, ERROR, ACKNOWLEDGED, CANCELLED) are
 *    not read again by this call once read.
 *
 * So the latency for a quiet job is about one pass over the quiet jobs
 * (their count x the cost of a read / the duty cycle), not N x 50 ms, and a
 * set of hundreds of idle jobs never turns into a busy loop. The bucket is
 * per process, so a caller that waits in short slices (PowerShell's 250 ms)
 * or several threads watching sets share one budget.
 *
 * The wait sleeps on one process-wide condition that BwJobClose broadcasts
 * (bw__handle_wait_any), so closing any handle in the set ends it at once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

#define BW__ACTIVE_MS 1000u     /* a job that changed this recently is read often */
/* Quiet reads may take this share of wall time, which is about what they
 * cost in CPU (this process, the BITS service, wineserver under Wine). The
 * trade-off was measured at 5, 10, 20 and 40% (README's Performance, the
 * header): at 10% a pass over 200 quiet jobs takes 2-3 s under Wine (a
 * cancel seen after 0.9-1.2 s median) for about the CPU of the 1 s timer
 * loop over them (9-12% of a core, the loop 8.5%); 5% halves the CPU and
 * doubles the pass. A build may set it (the benchmarks' duty-cycle sweep). */
#ifndef BW__DUTY_PERCENT
#define BW__DUTY_PERCENT 10u
#endif
#define BW__BUDGET_BURST_MS 50u /* credit a quiet set may spend at once */

/* The process' read budget, in ms of read time; guarded by g_budget_lock. */
static bw__mutex *g_budget_lock;
static double g_credit_ms = BW__BUDGET_BURST_MS;
static UINT64 g_credit_at_ms;

static bw__mutex *budget_lock(void)
{
    /* Created on first use under the table lock; never freed. */
    if (!g_budget_lock) {
        bw__mutex *table = bw__global_mutex();
        bw__mutex_lock(table);
        if (!g_budget_lock)
            g_budget_lock = bw__mutex_new();
        bw__mutex_unlock(table);
    }
    return g_budget_lock;
}

/* Credit now (refilled for the time passed), in ms; <= 0: no quiet reads. */
static double budget_credit(UINT64 now)
{
    bw__mutex *m = budget_lock();
    if (!m)
        return 1.0; /* no lock (out of memory): no budget either way */
    bw__mutex_lock(m);
    if (g_credit_at_ms == 0 || now < g_credit_at_ms)
        g_credit_at_ms = now;
    g_credit_ms += (double)(now - g_credit_at_ms) * BW__DUTY_PERCENT / 100.0;
    if (g_credit_ms > BW__BUDGET_BURST_MS)
        g_credit_ms = BW__BUDGET_BURST_MS;
    g_credit_at_ms = now;
    double c = g_credit_ms;
    bw__mutex_unlock(m);
    return c;
}

static void budget_charge(double ms)
{
    bw__mutex *m = budget_lock();
    if (!m)
        return;
    bw__mutex_lock(m);
    g_credit_ms -= ms;
    bw__mutex_unlock(m);
}

void bw__poll_many_test_reset_budget(void)
{
    bw__mutex *m = budget_lock();
    if (!m)
        return;
    bw__mutex_lock(m);
    g_credit_ms = BW__BUDGET_BURST_MS;
    g_credit_at_ms = 0;
    bw__mutex_unlock(m);
}

unsigned bw__poll_many_duty_percent(void)
{
    return BW__DUTY_PERCENT;
}

/* Milliseconds until the budget has credit again. */
static UINT32 budget_wait_ms(double credit)
{
    if (credit > 0)
        return 0;
    double ms = -credit * 100.0 / BW__DUTY_PERCENT + 1.0;
    return ms > 60000.0 ? 60000u : (UINT32)ms;
}

typedef struct entry {
    bw__handle_data *d;  /* NULL: the handle was bad (result set) */
    bw__snapshot s;      /* what was read in this call */
    UINT32 changed;      /* BW_CHANGED_* seen by this call */
    UINT64 read_ms;      /* when s was read (0: not read in this call) */
    UINT64 read_ft;      /* FILETIME of that read */
    int done;            /* final state read, or failed: not read again */
} entry;

/* How soon entry e wants its next read, given the handle's schedule
 * (call lock held): 'active' says whether it is on the fast cadence. */
static UINT64 next_due(const bw__handle_data *d, UINT64 now, int *active)
{
    /* A change after the first read (which reports every group "changed"
     * but says nothing about the job moving: counting it would read a whole
     * new set on the fast cadence for a second). */
    *active = bw__state_is_moving(d->watch.last.state) ||
              (d->watch.sequence > 1 && d->last_change_ms &&
               now - d->last_change_ms < BW__ACTIVE_MS);
    UINT32 gap = *active ? (d->watch.interval_ms ? d->watch.interval_ms : BW__WAIT_MIN_MS)
                         : BW__WAIT_MAX_MS;
    return d->last_read_ms + gap;
}

/* Reads entry e once (call lock taken here): updates the handle's watch as
 * BwJobPoll would and e's result. A quiet read is charged to the budget; an
 * active one is not (it is paced by BwJobPoll's cadence, and charging it
 * would let one moving job, whose reads alone can take more than the duty
 * cycle under a slow COM, starve every quiet job for as long as it moves). */
static void read_entry(entry *e, HRESULT *result, int quiet)
{
    bw__handle_data *d = e->d;
    bw__mutex_lock(d->lock);
    if (bw__handle_closing(d)) {
        *result = E_HANDLE;
        e->done = 1;
        bw__mutex_unlock(d->lock);
        return;
    }
    UINT64 before_us = bw__now_us();
    UINT32 changed = 0;
    UINT64 now = 0;
    HRESULT hr = bw__poll_once(d, BW__SET_FULL_READ_MS, &e->s, &changed, &now);
    UINT64 spent_us = bw__now_us() - before_us;
    if (SUCCEEDED(hr) && bw__handle_closing(d))
        hr = E_HANDLE;
    if (FAILED(hr)) {
        *result = hr;
        e->done = 1;
    } else {
        e->read_ms = now;
        e->read_ft = d->last_read_ft;
        if (changed) {
            e->changed |= changed;
            *result = S_OK;
        }
        if (bw__state_is_final(e->s.state))
            e->done = 1;
        if (!changed) {
            /* Back off like BwJobPoll's wait. */
            (void)bw__backoff(d);
        }
    }
    bw__mutex_unlock(d->lock);
    if (quiet)
        budget_charge((double)spent_us / 1000.0);
}

/* Where a call's quiet pass starts: at the quiet entry read least recently.
 * Calls often end early (another job in the set keeps changing, or the
 * caller waits in short slices), so starting at entry 0 each call would read
 * the front of the array over and over and starve the rest; starting here,
 * successive calls walk every quiet job in turn. */
static UINT32 least_recently_read(const entry *es, UINT32 count, UINT64 now)
{
    UINT32 best = 0;
    UINT64 oldest = UINT64_MAX;
    for (UINT32 k = 0; k < count; k++) {
        if (es[k].done)
            continue;
        bw__mutex_lock(es[k].d->lock);
        int active = 0;
        (void)next_due(es[k].d, now, &active);
        UINT64 at = es[k].d->last_read_ms;
        bw__mutex_unlock(es[k].d->lock);
        if (!active && at < oldest) {
            oldest = at;
            best = k;
        }
    }
    return best;
}

HRESULT BWAPI BwJobPollMany(const BW_JOB *jobs, UINT32 count, UINT32 timeoutMs,
                            BW_STATUS *statuses, HRESULT *results, UINT32 *changedCount)
{
    if (changedCount)
        *changedCount = 0;
    if (!jobs || !statuses || !results)
        return E_POINTER;
    if (count == 0 || count > BW_POLL_MANY_MAX)
        return E_INVALIDARG;
    UINT32 cb = statuses[0].cbSize;
    if (!bw__status_size_ok(cb))
        return E_INVALIDARG;
    /* The caller's element size is the stride: an older caller's array of
     * smaller BW_STATUS structs is walked with its own size. */
    for (UINT32 i = 0; i < count; i++) {
        BW_STATUS *st = (BW_STATUS *)((char *)statuses + (size_t)i * cb);
        if (st->cbSize != cb)
            return E_INVALIDARG;
    }
    entry *es = calloc(count, sizeof *es);
    if (!es)
        return E_OUTOFMEMORY;

    int reported = 0; /* an entry has a result other than S_FALSE */
    for (UINT32 i = 0; i < count; i++) {
        BW_STATUS *st = (BW_STATUS *)((char *)statuses + (size_t)i * cb);
        memset((char *)st + sizeof st->cbSize, 0, cb - sizeof st->cbSize);
        results[i] = S_FALSE;
        es[i].d = bw__handle_acquire(jobs[i]);
        if (!es[i].d) {
            results[i] = E_HANDLE;
            es[i].done = 1;
            reported = 1;
            continue;
        }
        /* A job last seen in a final state is not read again by a set wait. */
        bw__mutex_lock(es[i].d->lock);
        es[i].done = es[i].d->watch.has_last && bw__state_is_final(es[i].d->watch.last.state);
        bw__mutex_unlock(es[i].d->lock);
    }

    UINT64 start = bw__now_ms();
    UINT32 next_quiet = least_recently_read(es, count, start); /* round-robin cursor */
    for (;;) {
        UINT64 epoch = bw__close_epoch();
        UINT64 now = bw__now_ms();

        /* Entries never polled, and active ones whose interval is up: all of
         * them in one pass (there are few; a change in one does not hide
         * another's). */
        for (UINT32 k = 0; k < count; k++) {
            entry *e = &es[k];
            if (e->done)
                continue;
            bw__mutex_lock(e->d->lock);
            int first = !e->d->watch.has_last, active = 0;
            UINT64 due = first ? 0 : next_due(e->d, now, &active);
            bw__mutex_unlock(e->d->lock);
            if (first || (active && due <= now)) {
                read_entry(e, &results[k], 0);
                reported |= results[k] != S_FALSE;
            }
        }

        /* Quiet entries whose turn it is: least recently read first (round
         * robin from where the last pass stopped), while the budget lasts. */
        UINT32 base = next_quiet;
        for (UINT32 n = 0; n < count && !reported; n++) {
            UINT32 k = (base + n) % count;
            entry *e = &es[k];
            if (e->done)
                continue;
            now = bw__now_ms();
            bw__mutex_lock(e->d->lock);
            int active = 0;
            UINT64 due = next_due(e->d, now, &active);
            bw__mutex_unlock(e->d->lock);
            if (active || due > now)
                continue;
            if (budget_credit(now) <= 0) {
                next_quiet = k; /* resume the pass here */
                break;
            }
            read_entry(e, &results[k], 1);
            next_quiet = (k + 1) % count;
            reported |= results[k] != S_FALSE;
        }

        now = bw__now_ms();
        UINT64 wake = timeoutMs == 0xFFFFFFFFu ? UINT64_MAX : start + timeoutMs;
        UINT64 refill = now + budget_wait_ms(budget_credit(now));
        int live = 0;
        for (UINT32 k = 0; k < count; k++) {
            entry *e = &es[k];
            if (e->done)
                continue;
            live++;
            bw__mutex_lock(e->d->lock);
            int active = 0;
            UINT64 due = next_due(e->d, now, &active);
            bw__mutex_unlock(e->d->lock);
            if (!active && due < refill)
                due = refill;
            if (due < wake)
                wake = due;
        }
        if (reported || live == 0 || timeoutMs == 0 ||
            (timeoutMs != 0xFFFFFFFFu && now - start >= timeoutMs))
            break;
        /* Sleep until the next read is due; BwJobClose of any handle wakes it. */
        UINT64 ms = wake > now ? wake - now : 1;
        if (ms > 1000)
            ms = 1000;
        bw__handle_wait_any(epoch, (UINT32)ms);
        for (UINT32 k = 0; k < count; k++) {
            if (!es[k].done && bw__handle_closing(es[k].d)) {
                results[k] = E_HANDLE;
                es[k].done = 1;
                reported = 1;
            }
        }
        if (reported)
            break;
    }

    /* Fill every entry: the read of this call, or the handle's last snapshot. */
    UINT32 n_changed = 0;
    for (UINT32 k = 0; k < count; k++) {
        entry *e = &es[k];
        BW_STATUS *st = (BW_STATUS *)((char *)statuses + (size_t)k * cb);
        if (!e->d)
            continue;
        if (SUCCEEDED(results[k])) {
            bw__mutex_lock(e->d->lock);
            const bw__snapshot *s = e->read_ms ? &e->s : &e->d->watch.last;
            UINT64 ft = e->read_ms ? e->read_ft : e->d->last_read_ft;
            UINT64 at = bw__now_ms();
            bw__status_fill(st, e->d, s, results[k] == S_OK ? e->changed : 0, ft, at);
            bw__mutex_unlock(e->d->lock);
            if (results[k] == S_OK)
                n_changed++;
        }
        bw__handle_release(jobs[k], e->d);
    }
    free(es);
    if (changedCount)
        *changedCount = n_changed;
    return reported ? S_OK : S_FALSE;
}
