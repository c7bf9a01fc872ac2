/*
 * census.c - the queue's census, and the queue handles built on it
 * (BwQueueOpen, BwQueuePoll, BwQueueGetJobs, BwQueueClose).
 *
 * Knowing that the queue changed should not cost a round trip per job. The
 * census asks BITS how many jobs there are (EnumJobs + GetCount + releasing
 * the enumerator: a few round trips, whatever the number) at most every
 * BW__CENSUS_MS, and reads the whole list (EnumJobs + Next + GetId and a
 * release per job: the dear part, about 1-2 ms a job under Wine) only when
 * the count moved or the last list is BW__CENSUS_LIST_MS old: a job that
 * left while another arrived leaves the count as it was, and that period
 * bounds how long such a swap goes unseen. Both periods stretch with their
 * measured cost (count_period, list_period), so the census never takes more
 * than about 7% of wall time. One census per flags value serves the whole process
 * (every queue handle, every BwJobPollMany set): the thread that finds it
 * due asks BITS with no lock held; the others use what the last one found.
 * Its generation changes whenever the list did.
 */
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

typedef struct census {
    int asking;         /* a thread is asking the backend (no lock held) */
    int counted;        /* count_ms is valid */
    UINT32 count;       /* jobs at the last count */
    UINT64 count_ms;
    int listed;         /* ids/list_ms are valid */
    GUID *ids;          /* sorted */
    UINT32 n;
    UINT64 list_ms, list_ft;
    UINT64 count_cost_us;  /* what the last count took */
    UINT64 list_cost_us;   /* what the last list took */
    UINT64 generation;  /* changes whenever the list did; 0: none yet */
    HRESULT hr;         /* the last answer's failure, S_OK */
} census;

static _Atomic(bw__mutex *) g_census_lock;
static census g_census[2]; /* [flags & BW_ENUM_ALL_USERS], guarded by g_census_lock */

static int guid_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(GUID));
}

int bw__guid_in(const GUID *id, const GUID *sorted, UINT32 count)
{
    return count && bsearch(id, sorted, count, sizeof(GUID), guid_cmp) != NULL;
}

/* The census keeps its own cost bounded where round trips are dear (Wine:
 * about 1 ms each; a list of 200 jobs 0.2-0.4 s): the count at most every
 * BW__CENSUS_MS or 20 times its last cost (5% of wall time at most), the
 * backstop list every BW__CENSUS_LIST_MS or 50 times its last cost (2%). */
static UINT64 count_period(const census *c)
{
    UINT64 adaptive = c->count_cost_us * 20 / 1000;
    return adaptive > BW__CENSUS_MS ? adaptive : BW__CENSUS_MS;
}

static UINT64 list_period(const census *c)
{
    UINT64 adaptive = c->list_cost_us * 50 / 1000;
    return adaptive > BW__CENSUS_LIST_MS ? adaptive : BW__CENSUS_LIST_MS;
}

UINT64 bw__census_tick(UINT32 flags, HRESULT *hr)
{
    bw__mutex *m = bw__lazy_mutex(&g_census_lock);
    *hr = E_OUTOFMEMORY;
    if (!m)
        return 0;
    census *c = &g_census[flags & BW_ENUM_ALL_USERS];
    UINT64 now = bw__now_ms();
    bw__mutex_lock(m);
    if (c->asking || (c->counted && now - c->count_ms < count_period(c))) {
        UINT64 gen = c->generation;
        *hr = c->hr;
        bw__mutex_unlock(m);
        return gen;
    }
    c->asking = 1;
    int list_due = !c->listed || now - c->list_ms >= list_period(c);
    UINT32 known = c->count;
    bw__mutex_unlock(m);

    const bw__backend *be = bw__backend_get();
    UINT32 count = 0;
    GUID *ids = NULL;
    UINT64 t0 = bw__now_us();
    HRESULT h = be->count_jobs ? be->count_jobs(flags, &count) : E_NOTIMPL;
    UINT64 t1 = bw__now_us(), t2 = t1;
    if (SUCCEEDED(h) && (list_due || count != known)) {
        h = be->enum_jobs(flags, &ids, &count);
        t2 = bw__now_us();
        if (SUCCEEDED(h)) {
            qsort(ids, count, sizeof(GUID), guid_cmp);
            list_due = 1;
        }
    } else {
        list_due = 0;
    }

    bw__mutex_lock(m);
    c->asking = 0;
    c->hr = SUCCEEDED(h) ? S_OK : h;
    if (SUCCEEDED(h)) {
        c->counted = 1;
        c->count = count;
        c->count_ms = bw__now_ms();
        c->count_cost_us = t1 - t0;
        if (list_due)
            c->list_cost_us = t2 - t1;
        if (list_due) {
            if (!c->listed || c->n != count || (count && memcmp(c->ids, ids, count * sizeof(GUID))))
                c->generation++;
            free(c->ids);
            c->ids = ids;
            ids = NULL;
            c->n = count;
            c->listed = 1;
            c->list_ms = c->count_ms;
            c->list_ft = bw__now_filetime();
        }
    } else {
        /* A failed census is not trusted for anything: ask again next time. */
        c->counted = 0;
    }
    UINT64 gen = SUCCEEDED(h) ? c->generation : 0;
    *hr = c->hr;
    bw__mutex_unlock(m);
    free(ids);
    return gen;
}

HRESULT bw__census_list(UINT32 flags, GUID **ids, UINT32 *count, UINT64 *generation,
                        UINT64 *filetime)
{
    bw__mutex *m = bw__lazy_mutex(&g_census_lock);
    *ids = NULL;
    *count = 0;
    if (!m)
        return E_OUTOFMEMORY;
    census *c = &g_census[flags & BW_ENUM_ALL_USERS];
    HRESULT hr = S_OK;
    bw__mutex_lock(m);
    if (!c->listed) {
        hr = E_UNEXPECTED; /* no census yet: bw__census_tick first */
    } else {
        *ids = malloc(c->n ? c->n * sizeof(GUID) : 1);
        if (!*ids) {
            hr = E_OUTOFMEMORY;
        } else {
            if (c->n)
                memcpy(*ids, c->ids, c->n * sizeof(GUID));
            *count = c->n;
            *generation = c->generation;
            *filetime = c->list_ft;
        }
    }
    bw__mutex_unlock(m);
    return hr;
}

void bw__census_test_reset(void)
{
    bw__mutex *m = bw__lazy_mutex(&g_census_lock);
    if (!m)
        return;
    bw__mutex_lock(m);
    for (int i = 0; i < 2; i++) {
        free(g_census[i].ids);
        memset(&g_census[i], 0, sizeof g_census[i]);
    }
    bw__mutex_unlock(m);
}

/* ---- queue handles ------------------------------------------------------------ */
/* A queue handle's view, guarded by the handle's call. */
struct bw__queue {
    UINT32 flags;
    GUID *ids;          /* sorted, as of the last BwQueuePoll (or the open) */
    UINT32 n;
    UINT64 generation;  /* the census generation of ids */
    UINT64 filetime;
    UINT64 sequence;
    int reported;       /* a BwQueuePoll has reported the list */
};

void bw__queue_free(bw__queue *q)
{
    if (q) {
        free(q->ids);
        free(q);
    }
}

/* Brings q up to date with the census: S_OK when it ticked (q may have a new
 * list in *next), the census' failure otherwise. */
static HRESULT queue_census(bw__queue *q, GUID **next, UINT32 *n, UINT64 *gen, UINT64 *ft)
{
    HRESULT hr;
    *next = NULL;
    *n = 0;
    *gen = bw__census_tick(q->flags, &hr);
    if (*gen == 0)
        return FAILED(hr) ? hr : E_UNEXPECTED;
    if (*gen == q->generation)
        return S_OK;
    return bw__census_list(q->flags, next, n, gen, ft);
}

/* Jobs in a (sorted) that are not in b (sorted). */
static UINT32 count_missing(const GUID *a, UINT32 na, const GUID *b, UINT32 nb)
{
    UINT32 missing = 0;
    for (UINT32 i = 0; i < na; i++)
        missing += !bw__guid_in(&a[i], b, nb);
    return missing;
}

HRESULT BWAPI BwQueueOpen(UINT32 flags, BW_QUEUE *queue)
{
    if (!queue)
        return E_POINTER;
    *queue = NULL;
    if (flags & ~BW_ENUM_ALL_USERS)
        return E_INVALIDARG;
    bw__queue *q = calloc(1, sizeof *q);
    if (!q)
        return E_OUTOFMEMORY;
    q->flags = flags;
    /* The first census now: E_ACCESSDENIED (all users, not administrator) and
     * a backend that cannot count show at the open. */
    GUID *ids;
    UINT32 n;
    UINT64 gen, ft = 0;
    HRESULT hr = queue_census(q, &ids, &n, &gen, &ft);
    if (SUCCEEDED(hr)) {
        q->ids = ids;
        q->n = n;
        q->generation = gen;
        q->filetime = ft;
        hr = bw__handle_create(BW__KIND_QUEUE, NULL, q, 0, NULL, (BW_JOB *)queue);
    }
    if (FAILED(hr))
        bw__queue_free(q);
    return hr;
}

HRESULT BWAPI BwQueueClose(BW_QUEUE queue)
{
    return bw__handle_close((BW_JOB)queue, BW__KIND_QUEUE);
}

static void queue_status_fill(BW_QUEUE_STATUS *st, const bw__queue *q, UINT32 added,
                              UINT32 removed)
{
    UINT32 cb = st->cbSize;
    BW_QUEUE_STATUS full;
    memset(&full, 0, sizeof full);
    full.cbSize = cb;
    full.JobCount = q->n;
    full.Added = added;
    full.Removed = removed;
    full.Sequence = q->sequence;
    full.Timestamp = q->filetime;
    memcpy(st, &full, cb);
}

/* One look at the census (queue's call held): S_OK with the new list taken
 * when the jobs changed (or on the first poll), S_FALSE when not. */
static HRESULT queue_poll_once(bw__queue *q, UINT32 *added, UINT32 *removed)
{
    GUID *ids;
    UINT32 n;
    UINT64 gen, ft = q->filetime;
    HRESULT hr = queue_census(q, &ids, &n, &gen, &ft);
    if (FAILED(hr))
        return hr;
    if (ids) {
        *added = count_missing(ids, n, q->ids, q->n);
        *removed = count_missing(q->ids, q->n, ids, n);
        free(q->ids);
        q->ids = ids;
        q->n = n;
        q->generation = gen;
        q->filetime = ft;
        if (*added || *removed) {
            q->sequence++;
            q->reported = 1;
            return S_OK;
        }
    }
    if (!q->reported) { /* the first poll reports every job as arrived */
        *added = q->n;
        *removed = 0;
        q->sequence++;
        q->reported = 1;
        return S_OK;
    }
    *added = *removed = 0;
    return S_FALSE;
}

HRESULT BWAPI BwQueuePoll(BW_QUEUE queue, UINT32 timeoutMs, BW_QUEUE_STATUS *status)
{
    UINT32 cb;
    HRESULT hr = bw__out_struct_begin(status, bw__queue_status_size_ok, &cb);
    if (FAILED(hr))
        return hr;
    bw__handle_data *d = bw__handle_acquire((BW_JOB)queue, BW__KIND_QUEUE);
    if (!d)
        return E_HANDLE;
    UINT64 start = bw__now_ms();
    for (;;) {
        UINT32 added = 0, removed = 0, wait = 0;
        hr = bw__call_enter(d);
        if (FAILED(hr))
            break;
        hr = queue_poll_once(d->queue, &added, &removed);
        if (SUCCEEDED(hr)) {
            UINT64 waited = bw__now_ms() - start;
            if (hr == S_OK || timeoutMs == 0 ||
                (timeoutMs != BW_INFINITE && waited >= timeoutMs)) {
                queue_status_fill(status, d->queue, added, removed);
            } else {
                wait = BW__CENSUS_MS;
                if (timeoutMs != BW_INFINITE && wait > timeoutMs - waited)
                    wait = (UINT32)(timeoutMs - waited);
            }
        }
        bw__call_leave(d);
        if (FAILED(hr) || wait == 0)
            break;
        if (bw__handle_wait(d, wait)) {
            hr = E_HANDLE;
            break;
        }
    }
    bw__handle_release((BW_JOB)queue, d);
    return hr;
}

HRESULT BWAPI BwQueueGetJobs(BW_QUEUE queue, GUID *ids, UINT32 capacity, UINT32 *count)
{
    if (!count)
        return E_POINTER;
    *count = 0;
    if (!ids && capacity > 0)
        return E_POINTER;
    bw__handle_data *d = bw__handle_acquire((BW_JOB)queue, BW__KIND_QUEUE);
    if (!d)
        return E_HANDLE;
    HRESULT hr = bw__call_enter(d);
    if (SUCCEEDED(hr)) {
        const bw__queue *q = d->queue;
        UINT32 fit = q->n < capacity ? q->n : capacity;
        if (fit)
            memcpy(ids, q->ids, fit * sizeof(GUID));
        *count = q->n;
        hr = fit < q->n ? HRESULT_FROM_WIN32(ERROR_MORE_DATA) : S_OK;
        bw__call_leave(d);
    }
    bw__handle_release((BW_JOB)queue, d);
    return hr;
}
