/*
 * poll_many.c - BwJobPollMany: one wait for a set of jobs.
 *
 * Each handle keeps its own change detection (the same locked read BwJobPoll
 * uses, poll.c); this file decides which member to read when. A call runs
 * passes until something is reported, the timeout passes, or every member is
 * final:
 *
 *  - census pass (sets of BW__CENSUS_MIN_MEMBERS live members or more): the
 *    queue's census (census.c: a count every 100 ms, a few round trips
 *    whatever N; the list when the count moved, and at least every 2 s)
 *    tells which members' jobs left the queue (cancelled, completed, gone);
 *    those are read at once, outside the budget. So a job that leaves is
 *    seen within about a census period at any N;
 *  - active pass: members never read, and active ones (moving, or changed
 *    in the last BW__ACTIVE_MS after their first read) whose adaptive
 *    10-50 ms interval is up: outside the budget, they cost what BwJobPoll
 *    on them would;
 *  - quiet pass: quiet members (queued, suspended, in transient error, not
 *    changed lately) least recently read first (across calls too), never
 *    more often than every BW__WAIT_MAX_MS, while the process' read budget
 *    has credit. It runs on every pass, whatever the others reported, so no
 *    member starves whatever the caller does between calls (a moving member
 *    that reports on every call, a bad handle kept in the set). Every quiet
 *    read's measured duration is charged to one token bucket per process
 *    that refills at BW__DUTY_PERCENT of wall time (burst
 *    BW__BUDGET_BURST_MS, debt at most BW__BUDGET_DEBT_MAX_MS: one slow read
 *    stops quiet reads for a second at most). These reads are what sees a
 *    change that leaves the queue's count as it was (a suspend, a resume, a
 *    transient error);
 *  - members in a final state are not read again by the call once read.
 *
 * A member whose call another thread holds (a slow read) is skipped, never
 * waited for; its status comes from what its last read published. Sleeping
 * is on one process-wide condition that every close broadcasts, so closing
 * any member ends the wait at once; a closed member's result is E_HANDLE
 * whether or not it was read. The caller's array is copied at entry.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

#define BW__ACTIVE_MS 1000u     /* a job that changed this recently is read often */
/* Quiet reads may take this share of wall time, which is about what they
 * cost in CPU (this process, the BITS service, wineserver under Wine). The
 * trade-off was measured at 5, 10, 20 and 40% (docs/performance.md): 10%
 * is the choice. A build may set it (the benchmarks' duty-cycle sweep). */
#ifndef BW__DUTY_PERCENT
#define BW__DUTY_PERCENT 10u
#endif
/* The census pays for itself from this many live members on: below it, a
 * quiet read every 50 ms of each member costs less than counting the queue
 * every 100 ms (about five round trips) and sees more. */
#define BW__CENSUS_MIN_MEMBERS 17u
/* Where the census covers the set, a quiet read only looks for what leaves
 * the count as it was: it is charged this many times its duration (10% of
 * wall time becomes about 3%), which leaves room for the census itself. */
#define BW__CENSUS_QUIET_CHARGE 3u

/* ---- the read budget --------------------------------------------------------- */
static atomic_int g_budget_paused; /* for the trace: a pause is one line, not one per pass */
static _Atomic(bw__mutex *) g_budget_lock;
static double g_credit_ms = BW__BUDGET_BURST_MS; /* guarded by g_budget_lock */
static UINT64 g_credit_at_ms;                    /* when credit was last refilled */
static int g_credit_started;

/* Credit now (refilled for the time passed), in ms; <= 0: no quiet reads. */
static double budget_credit(UINT64 now)
{
    bw__mutex *m = bw__lazy_mutex(&g_budget_lock);
    if (!m)
        return 1.0; /* no lock (out of memory): no budget either way */
    bw__mutex_lock(m);
    if (!g_credit_started || now < g_credit_at_ms) {
        g_credit_at_ms = now;
        g_credit_started = 1;
    }
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
    bw__mutex *m = bw__lazy_mutex(&g_budget_lock);
    if (!m)
        return;
    bw__mutex_lock(m);
    g_credit_ms -= ms;
    if (g_credit_ms < -(double)BW__BUDGET_DEBT_MAX_MS)
        g_credit_ms = -(double)BW__BUDGET_DEBT_MAX_MS;
    bw__mutex_unlock(m);
}

/* Milliseconds until the budget has credit again. */
static UINT32 budget_wait_ms(double credit)
{
    if (credit > 0)
        return 0;
    return (UINT32)(-credit * 100.0 / BW__DUTY_PERCENT) + 1;
}

void bw__poll_many_test_reset_budget(void)
{
    bw__mutex *m = bw__lazy_mutex(&g_budget_lock);
    if (!m)
        return;
    bw__mutex_lock(m);
    g_credit_ms = BW__BUDGET_BURST_MS;
    g_credit_started = 0;
    bw__mutex_unlock(m);
}

unsigned bw__poll_many_duty_percent(void)
{
    return BW__DUTY_PERCENT;
}

/* ---- does the census see jobs leave? --------------------------------------------
 * On Windows, Cancel and Complete take a job out of the queue at once, so the
 * census sees it leave, and quiet reads can be charged threefold. Wine 8's
 * BITS keeps cancelled and acknowledged jobs listed (its transfer thread
 * drops them only between transfers): there the census is blind to them, and
 * the discount would only slow quiet reads. So the discount waits for proof:
 * it starts once the census found a member that left (a read it asked for
 * shows the job CANCELLED, ACKNOWLEDGED or gone, or a member a quiet read
 * found so is no longer listed three periods later), and stops for good once
 * a member found CANCELLED or ACKNOWLEDGED is still listed then. */
static atomic_int g_census_proven;
static _Atomic(bw__mutex *) g_blind_lock;
static struct {
    int pending;
    GUID id;
    UINT32 flags;
    UINT64 at_ms;
} g_blind_check;             /* guarded by g_blind_lock */
static atomic_int g_census_blind;

static void blind_check_start(const GUID *id, UINT32 flags)
{
    bw__mutex *m = bw__lazy_mutex(&g_blind_lock);
    if (!m || atomic_load(&g_census_blind))
        return; /* decided for good */
    bw__mutex_lock(m);
    if (!g_blind_check.pending) {
        g_blind_check.pending = 1;
        g_blind_check.id = *id;
        g_blind_check.flags = flags;
        g_blind_check.at_ms = bw__now_ms();
    }
    bw__mutex_unlock(m);
}

static void blind_check_finish(void)
{
    bw__mutex *m = bw__lazy_mutex(&g_blind_lock);
    if (!m)
        return;
    bw__mutex_lock(m);
    int due = g_blind_check.pending && bw__now_ms() - g_blind_check.at_ms >= 3 * BW__CENSUS_MS;
    GUID id = g_blind_check.id;
    UINT32 flags = g_blind_check.flags;
    if (due)
        g_blind_check.pending = 0;
    bw__mutex_unlock(m);
    if (!due)
        return;
    GUID *ids = NULL;
    UINT32 n = 0;
    UINT64 gen, ft;
    if (SUCCEEDED(bw__census_list(flags, &ids, &n, &gen, &ft))) {
        if (bw__guid_in(&id, ids, n)) {
            atomic_store(&g_census_blind, 1);  /* still listed: blind */
            BW_TRACE("census: a job that left is still listed after %u ms: the census is blind to "
                     "departures here (Wine); quiet reads lose their discount", 3 * BW__CENSUS_MS);
        } else {
            atomic_store(&g_census_proven, 1); /* gone from the list: it sees departures */
        }
    }
    free(ids);
}

int bw__poll_many_census_blind(void)
{
    return atomic_load(&g_census_blind);
}

int bw__poll_many_census_proven(void)
{
    return atomic_load(&g_census_proven);
}

/* The discount applies to a set the census covers: proven, and not seen blind. */
static int census_discount(int census_on)
{
    return census_on && atomic_load(&g_census_proven) && !atomic_load(&g_census_blind);
}

void bw__poll_many_test_reset_census_blind(void)
{
    atomic_store(&g_census_blind, 0);
    atomic_store(&g_census_proven, 0);
    bw__mutex *m = bw__lazy_mutex(&g_blind_lock);
    if (!m)
        return;
    bw__mutex_lock(m);
    g_blind_check.pending = 0;
    bw__mutex_unlock(m);
}

/* ---- one call ---------------------------------------------------------------- */
typedef struct entry {
    BW_JOB h;            /* the caller's handle, copied at entry */
    bw__handle_data *d;  /* NULL: the handle was bad (result set) */
    bw__read r;          /* this call's latest read of it */
    UINT32 changed;      /* BW_CHANGED_* seen by this call */
    HRESULT result;
    int was_read;        /* r holds a read of this call */
    int done;            /* final state read, failed or closed: not read again */
    int gone;            /* the census no longer lists its job: read at once */
} entry;

typedef struct set_call {
    entry *es;
    UINT32 count;
    UINT32 next_quiet;   /* round-robin cursor of the quiet pass */
    int reported;        /* an entry's result is not S_FALSE */
    UINT32 census_flags;
    UINT64 census_gen;   /* the census generation the members were checked against */
    int census_on;       /* the set is large enough for the census (and it answers) */
} set_call;

/* When a member wants its next read, from what its last read published:
 * 'active' says whether it is on the fast cadence. */
static UINT64 next_due(const bw__published *p, UINT64 now, int *active)
{
    /* A change after the first read (which reports every group "changed"
     * but says nothing about the job moving: counting it would read a whole
     * new set on the fast cadence for a second). */
    *active = bw__state_is_moving(p->last.state) ||
              (p->changed_since_first && now - p->change_ms < BW__ACTIVE_MS);
    UINT32 gap = *active ? (p->interval_ms ? p->interval_ms : BW__WAIT_MIN_MS) : BW__WAIT_MAX_MS;
    return p->read_ms + gap;
}

/* What member e's last read published, and when its next read is due. */
static UINT64 entry_due(const entry *e, UINT64 now, bw__published *p, int *active)
{
    bw__handle_published(e->d, p);
    *active = 0;
    return next_due(p, now, active);
}

/* Reads member e once if its call is free: updates the handle as BwJobPoll
 * would and e's result. A quiet read is charged to the budget; the others
 * are not (an active one is paced by BwJobPoll's cadence, and charging it
 * would let one moving job starve every quiet one). 0 when the member's
 * call was busy (nothing read). */
static int read_entry(set_call *c, entry *e, int quiet)
{
    int by_census = e->gone;
    HRESULT hr = bw__call_try_enter(e->d);
    if (hr == S_FALSE)
        return 0; /* another thread is reading it: not waited for */
    if (hr == S_OK) {
        UINT64 before_us = bw__now_us();
        hr = bw__poll_read(e->d, BW__SET_FULL_READ_MS, &e->r);
        if (SUCCEEDED(hr) && hr == S_FALSE)
            (void)bw__backoff(e->d); /* back off like BwJobPoll's wait */
        bw__call_leave(e->d);
        if (quiet)
            budget_charge((double)(bw__now_us() - before_us) / 1000.0 *
                          (census_discount(c->census_on) ? BW__CENSUS_QUIET_CHARGE : 1));
    }
    int left = hr == BG_E_NOT_FOUND || (SUCCEEDED(hr) && (e->r.s.state == BW_STATE_CANCELLED ||
                                                         e->r.s.state == BW_STATE_ACKNOWLEDGED));
    if (by_census && left)
        atomic_store(&g_census_proven, 1); /* the census saw it leave */
    if (FAILED(hr)) {
        e->result = hr;
        e->done = 1;
        c->reported = 1;
        return 1;
    }
    e->was_read = 1;
    e->gone = 0;
    if (hr == S_OK) {
        e->changed |= e->r.changed;
        e->result = S_OK;
        c->reported = 1;
        if (c->census_on && left && !by_census)
            blind_check_start(&e->d->id, c->census_flags);
    }
    if (bw__state_is_final(e->r.s.state))
        e->done = 1;
    return 1;
}

/* Members whose jobs the census no longer lists are marked gone (read at
 * once by the active pass). Cheap when nothing changed: one generation. */
static void census_pass(set_call *c)
{
    UINT32 live = 0;
    for (UINT32 k = 0; k < c->count; k++)
        live += !c->es[k].done;
    c->census_on = 0;
    if (live < BW__CENSUS_MIN_MEMBERS)
        return;
    HRESULT hr;
    UINT64 gen = bw__census_tick(c->census_flags, &hr);
    if (gen == 0 && hr == E_ACCESSDENIED && c->census_flags) {
        c->census_flags = 0; /* not an administrator: this user's jobs */
        gen = bw__census_tick(0, &hr);
    }
    if (gen == 0)
        return; /* no census here (the backend cannot count): quiet reads only */
    c->census_on = 1;
    blind_check_finish();
    if (gen == c->census_gen)
        return;
    GUID *ids = NULL;
    UINT32 n = 0;
    UINT64 list_gen = 0, ft = 0;
    if (FAILED(bw__census_list(c->census_flags, &ids, &n, &list_gen, &ft)))
        return;
    c->census_gen = list_gen;
    for (UINT32 k = 0; k < c->count; k++) {
        entry *e = &c->es[k];
        if (!e->done && !bw__guid_in(&e->d->id, ids, n))
            e->gone = 1;
    }
    free(ids);
}

/* Members never read, active ones whose interval is up, and gone ones: all
 * of them, in one pass (there are few; a change in one does not hide
 * another's). */
static void active_pass(set_call *c)
{
    for (UINT32 k = 0; k < c->count; k++) {
        entry *e = &c->es[k];
        if (e->done)
            continue;
        bw__published p;
        int active;
        UINT64 now = bw__now_ms(), due = entry_due(e, now, &p, &active);
        if (!p.read || e->gone || (active && due <= now))
            (void)read_entry(c, e, 0);
    }
}

/* Quiet members whose turn it is, least recently read first (round robin
 * from where the last pass stopped), while the budget lasts. */
static void quiet_pass(set_call *c)
{
    UINT32 base = c->next_quiet;
    for (UINT32 n = 0; n < c->count; n++) {
        UINT32 k = (base + n) % c->count;
        entry *e = &c->es[k];
        if (e->done)
            continue;
        bw__published p;
        int active;
        UINT64 now = bw__now_ms(), due = entry_due(e, now, &p, &active);
        if (!p.read || active || due > now)
            continue;
        double credit = budget_credit(now);
        if (credit <= 0) {
            if (!atomic_exchange(&g_budget_paused, 1))
                BW_TRACE("budget: quiet reads pause (credit %.1f ms; it refills at %u%% of wall time)",
                         credit, bw__poll_many_duty_percent());
            c->next_quiet = k; /* resume the pass here */
            return;
        }
        if (atomic_exchange(&g_budget_paused, 0))
            BW_TRACE("budget: quiet reads resume (credit %.1f ms)", credit);
        if (read_entry(c, e, 1))
            c->next_quiet = (k + 1) % c->count;
    }
}

/* Closed members end the call with E_HANDLE, read or not, final or not. */
static void closed_pass(set_call *c)
{
    for (UINT32 k = 0; k < c->count; k++) {
        entry *e = &c->es[k];
        if (e->d && SUCCEEDED(e->result) && bw__handle_closing(e->d)) {
            e->result = E_HANDLE;
            e->done = 1;
            c->reported = 1;
        }
    }
}

/* When the next read is due (the budget's refill included), capped at 'wake'. */
static UINT64 next_wake(const set_call *c, UINT64 now, UINT64 wake, int *live)
{
    UINT64 refill = now + budget_wait_ms(budget_credit(now));
    *live = 0;
    for (UINT32 k = 0; k < c->count; k++) {
        const entry *e = &c->es[k];
        if (e->done)
            continue;
        (*live)++;
        bw__published p;
        int active;
        UINT64 due = entry_due(e, now, &p, &active);
        if (!active && due < refill)
            due = refill;
        if (due < wake)
            wake = due;
    }
    return wake;
}

/* The quiet entry read least recently: where a call's quiet pass starts, so
 * calls that end early (another member keeps changing, the caller waits in
 * short slices) walk every quiet member in turn instead of the front. */
static UINT32 least_recently_read(const set_call *c, UINT64 now)
{
    UINT32 best = 0;
    UINT64 oldest = UINT64_MAX;
    for (UINT32 k = 0; k < c->count; k++) {
        if (c->es[k].done)
            continue;
        bw__published p;
        int active;
        (void)entry_due(&c->es[k], now, &p, &active);
        if (!active && p.read_ms < oldest) {
            oldest = p.read_ms;
            best = k;
        }
    }
    return best;
}

/* Checks the arguments and takes a reference on every member: E_POINTER,
 * E_INVALIDARG (nothing written), E_OUTOFMEMORY; S_OK with c filled. */
static HRESULT set_begin(set_call *c, const BW_JOB *jobs, UINT32 count, BW_STATUS *statuses,
                         HRESULT *results, UINT32 *cb)
{
    if (!jobs || !statuses || !results)
        return E_POINTER;
    if (count == 0 || count > BW_POLL_MANY_MAX)
        return E_INVALIDARG;
    *cb = statuses[0].cbSize;
    if (!bw__status_size_ok(*cb))
        return E_INVALIDARG;
    /* The caller's element size is the stride: an older caller's array of
     * smaller BW_STATUS structs is walked with its own size. */
    for (UINT32 i = 0; i < count; i++) {
        BW_STATUS *st = (BW_STATUS *)((char *)statuses + (size_t)i * *cb);
        if (st->cbSize != *cb)
            return E_INVALIDARG;
    }
    memset(c, 0, sizeof *c);
    c->es = calloc(count, sizeof *c->es);
    if (!c->es)
        return E_OUTOFMEMORY;
    c->count = count;
    c->census_flags = BW_ENUM_ALL_USERS; /* every member, whoever owns it */
    for (UINT32 i = 0; i < count; i++) {
        entry *e = &c->es[i];
        BW_STATUS *st = (BW_STATUS *)((char *)statuses + (size_t)i * *cb);
        memset((char *)st + sizeof st->cbSize, 0, *cb - sizeof st->cbSize);
        e->h = jobs[i]; /* the caller may change its array during the call */
        e->result = S_FALSE;
        e->d = bw__handle_acquire(e->h, BW__KIND_JOB);
        if (!e->d) {
            e->result = E_HANDLE;
            e->done = 1;
            c->reported = 1;
            continue;
        }
        /* A job last seen in a final state is not read again by a set wait. */
        bw__published p;
        bw__handle_published(e->d, &p);
        e->done = p.read && bw__state_is_final(p.last.state);
    }
    return S_OK;
}

/* Fills every entry (this call's read, or what the last read published),
 * releases the references; the number of S_OK results. */
static UINT32 set_end(set_call *c, BW_STATUS *statuses, HRESULT *results, UINT32 cb)
{
    UINT32 n_changed = 0;
    for (UINT32 k = 0; k < c->count; k++) {
        entry *e = &c->es[k];
        BW_STATUS *st = (BW_STATUS *)((char *)statuses + (size_t)k * cb);
        if (e->d && SUCCEEDED(e->result) && bw__handle_closing(e->d))
            e->result = E_HANDLE; /* closed at the very end: not a stale status */
        results[k] = e->result;
        if (!e->d)
            continue;
        if (SUCCEEDED(e->result)) {
            bw__published p;
            bw__handle_published(e->d, &p);
            bw__read r = e->r;
            if (!e->was_read) {
                r.s = p.last;
                r.ft = p.read_ft;
                r.bytes_per_second = p.bytes_per_second;
            }
            bw__status_fill(st, e->d->type, p.sequence, &r, e->result == S_OK ? e->changed : 0);
            if (e->result == S_OK)
                n_changed++;
        }
        bw__handle_release(e->h, e->d);
    }
    free(c->es);
    return n_changed;
}

HRESULT BWAPI BwJobPollMany(const BW_JOB *jobs, UINT32 count, UINT32 timeoutMs,
                            BW_STATUS *statuses, HRESULT *results, UINT32 *changedCount)
{
    set_call c;
    UINT32 cb = 0;
    if (changedCount)
        *changedCount = 0;
    HRESULT hr = set_begin(&c, jobs, count, statuses, results, &cb);
    if (FAILED(hr))
        return hr;

    UINT64 start = bw__now_ms();
    c.next_quiet = least_recently_read(&c, start);
    for (;;) {
        UINT64 epoch = bw__close_epoch();
        census_pass(&c);
        active_pass(&c);
        quiet_pass(&c);
        closed_pass(&c);

        UINT64 now = bw__now_ms();
        int live = 0;
        UINT64 wake = next_wake(&c, now, timeoutMs == BW_INFINITE ? UINT64_MAX : start + timeoutMs,
                                &live);
        if (c.reported || live == 0 || timeoutMs == 0 ||
            (timeoutMs != BW_INFINITE && now - start >= timeoutMs))
            break;
        /* Sleep until the next read or census is due; any close wakes it. */
        UINT64 ms = wake > now ? wake - now : 1;
        if (ms > BW__CENSUS_MS)
            ms = BW__CENSUS_MS;
        bw__handle_wait_any(epoch, (UINT32)ms);
    }

    UINT32 n_changed = set_end(&c, statuses, results, cb);
    if (changedCount)
        *changedCount = n_changed;
    return c.reported ? S_OK : S_FALSE;
}
