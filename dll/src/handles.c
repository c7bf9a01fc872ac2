/*
 * handles.c - BW_JOB values: a slot index and a generation, never a pointer.
 *
 * A handle value is (generation << 16) | (index + 1). Closing bumps the
 * slot's generation, so a closed or stale value no longer matches and is
 * E_HANDLE; a forged value either names no slot or the wrong generation.
 * Slots never move (they live in fixed chunks), so a slot found under the
 * table lock can be used after it is dropped, as long as a reference is held.
 *
 * A closed value must never become valid again. The generation takes every
 * bit of the handle above the index: 48 bits on 64-bit targets (2^48 - 1
 * open/close cycles of one slot: centuries at millions a second), 16 bits on
 * 32-bit ones. A slot whose generation is used up is retired, never reused,
 * and freed slots are reused in FIFO order (the slot closed longest ago
 * first), so one slot is not cycled while others rest. On x86 that makes
 * 65,280 slots x 65,535 generations = 4,278,124,800 opens in a process' life;
 * after that BwJobOpen fails with BW_E_TOO_MANY_HANDLES rather than hand out
 * a value that was valid before.
 *
 * Locks: the table lock (bw__global_mutex) guards the slot bookkeeping. Each
 * handle has a wait lock ('wait_lock', never held across a backend call) and
 * a call: the 'busy' flag under the wait lock, which one thread at a time
 * holds across its backend calls (one call at a time per job). Waiting for
 * the call is waiting on a condition under the wait lock, so BwJobClose
 * (which sets 'closing' and wakes every waiter) ends it at once: neither a
 * close nor a wait queued behind another thread's slow or hung BITS call is
 * stuck behind it; that call's reference keeps the backend job alive until
 * it returns. Lock order: table lock, then wait lock; a thread holding a wait
 * lock never takes the table lock.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

#define BW__CHUNK_SLOTS 256u
#define BW__MAX_CHUNKS 255u /* 65280 handles: index + 1 fits in 16 bits */
#define BW__INDEX_BITS 16u
#define BW__INDEX_MASK 0xFFFFu
/* Largest generation a handle value can carry on this target. */
#define BW__GEN_MAX ((UINT64)(UINTPTR_MAX >> BW__INDEX_BITS))

struct bw__slot {
    /* Guarded by the table lock. */
    UINT64 generation; /* of the value handed out last (or next); never 0 */
    int in_use;
    int closed;        /* closed: no new users, torn down when refs reach 0 */
    UINT32 refs;       /* the open handle's own reference + calls in flight */
    UINT32 next_free;  /* index + 1 of the next free slot, 0 = none */
    bw__handle_data data;
};

/* Guarded by the table lock. */
static bw__slot *g_chunks[BW__MAX_CHUNKS];
static UINT32 g_chunk_allocs; /* chunks allocated (for tests: no chunk is lost) */
static UINT32 g_slot_count;   /* slots ever made */
static UINT32 g_free_head;    /* index + 1 of the slot to reuse next, 0 = none */
static UINT32 g_free_tail;    /* index + 1 of the slot freed last */
static UINT32 g_open;         /* handles open (not yet closed) */
static UINT32 g_retired;      /* slots whose generations are used up */
/* Test knobs (bw__handle_test_limits); the real limits otherwise. */
static UINT64 g_gen_max = BW__GEN_MAX;
static UINT32 g_max_slots = BW__CHUNK_SLOTS * BW__MAX_CHUNKS;
static unsigned g_fail_sync_allocs;

static bw__slot *slot_at(UINT32 index)
{
    return &g_chunks[index / BW__CHUNK_SLOTS][index % BW__CHUNK_SLOTS];
}

static BW_JOB encode(UINT32 index, UINT64 generation)
{
    return (BW_JOB)(((uintptr_t)generation << BW__INDEX_BITS) | (uintptr_t)(index + 1));
}

/* The live slot of that kind a handle value names, or NULL. Table lock held. */
static bw__slot *lookup(BW_JOB h, UINT32 kind)
{
    uintptr_t v = (uintptr_t)h;
    UINT32 low = (UINT32)(v & BW__INDEX_MASK);
    UINT64 generation = (UINT64)(v >> BW__INDEX_BITS);
    if (low == 0 || low > g_slot_count)
        return NULL;
    bw__slot *s = slot_at(low - 1);
    if (!s->in_use || s->closed || s->generation != generation || s->data.kind != kind)
        return NULL;
    return s;
}

static bw__mutex *sync_mutex_new(void)
{
    if (g_fail_sync_allocs) {
        g_fail_sync_allocs--;
        return NULL;
    }
    return bw__mutex_new();
}

/* A slot's lock and conditions, all or nothing. */
static int sync_new(bw__handle_data *d)
{
    d->wait_lock = sync_mutex_new();
    d->wake = bw__cond_new();
    d->call_free = bw__cond_new();
    if (d->wait_lock && d->wake && d->call_free)
        return 1;
    bw__mutex_free(d->wait_lock);
    bw__cond_free(d->wake);
    bw__cond_free(d->call_free);
    d->wait_lock = NULL;
    d->wake = d->call_free = NULL;
    return 0;
}

/* A free slot with its locks ready: S_OK, BW_E_TOO_MANY_HANDLES when the
 * table is full (or every slot's generations are used up), E_OUTOFMEMORY.
 * Table lock held. */
static HRESULT take_free_slot(UINT32 *index, bw__slot **out)
{
    if (g_free_head) {
        *index = g_free_head - 1;
        bw__slot *s = slot_at(*index);
        g_free_head = s->next_free;
        if (!g_free_head)
            g_free_tail = 0;
        s->next_free = 0;
        *out = s;
        return S_OK;
    }
    if (g_slot_count >= g_max_slots)
        return BW_E_TOO_MANY_HANDLES;
    UINT32 chunk = g_slot_count / BW__CHUNK_SLOTS;
    /* A chunk made for a slot whose locks then failed is kept for the retry. */
    if (!g_chunks[chunk]) {
        g_chunks[chunk] = calloc(BW__CHUNK_SLOTS, sizeof(bw__slot));
        if (!g_chunks[chunk])
            return E_OUTOFMEMORY;
        g_chunk_allocs++;
    }
    bw__slot *s = slot_at(g_slot_count);
    if (!sync_new(&s->data))
        return E_OUTOFMEMORY;
    s->generation = 1;
    *index = g_slot_count++;
    *out = s;
    return S_OK;
}

HRESULT bw__handle_create(UINT32 kind, bw__bjob *bjob, bw__queue *queue, UINT32 type,
                          const GUID *id, BW_JOB *out)
{
    UINT32 index;
    bw__slot *s = NULL;
    bw__mutex *table = bw__global_mutex();

    bw__mutex_lock(table);
    HRESULT hr = take_free_slot(&index, &s);
    if (SUCCEEDED(hr)) {
        s->in_use = 1;
        s->closed = 0;
        s->refs = 1;
        s->data.kind = kind;
        s->data.closing = 0;
        s->data.busy = 0;
        s->data.bjob = bjob;
        s->data.queue = queue;
        s->data.type = type;
        memset(&s->data.id, 0, sizeof s->data.id);
        if (id)
            s->data.id = *id;
        memset(&s->data.watch, 0, sizeof s->data.watch);
        memset(&s->data.pub, 0, sizeof s->data.pub);
        *out = encode(index, s->generation);
        g_open++;
    }
    bw__mutex_unlock(table);
    return hr;
}

bw__handle_data *bw__handle_acquire(BW_JOB h, UINT32 kind)
{
    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    bw__slot *s = lookup(h, kind);
    if (s)
        s->refs++;
    bw__mutex_unlock(table);
    return s ? &s->data : NULL;
}

/* Drops one reference; the last one releases the backend job and frees the
 * slot for reuse under a new generation (or retires it). */
static void unref(bw__slot *s, UINT32 index)
{
    bw__bjob *release = NULL;
    bw__queue *queue = NULL;
    bw__mutex *table = bw__global_mutex();

    bw__mutex_lock(table);
    if (--s->refs == 0) {
        release = s->data.bjob;
        queue = s->data.queue;
        s->data.bjob = NULL;
        s->data.queue = NULL;
        s->in_use = 0;
        if (s->generation >= g_gen_max) {
            g_retired++; /* every value of this slot was handed out once */
        } else {
            s->generation++;
            s->next_free = 0;
            if (g_free_tail)
                slot_at(g_free_tail - 1)->next_free = index + 1;
            else
                g_free_head = index + 1;
            g_free_tail = index + 1;
        }
    }
    bw__mutex_unlock(table);
    /* Outside the lock: releasing a COM proxy is a round trip. */
    if (release)
        bw__backend_get()->close_job(release);
    if (queue)
        bw__queue_free(queue);
}

static UINT32 index_of(BW_JOB h)
{
    return (UINT32)((uintptr_t)h & BW__INDEX_MASK) - 1;
}

void bw__handle_release(BW_JOB h, bw__handle_data *d)
{
    unref((bw__slot *)((char *)d - offsetof(bw__slot, data)), index_of(h));
}

/* BwJobPollMany and BwQueuePoll sleep on one condition for the whole set:
 * every close bumps the epoch and wakes them. Made on first use, never freed. */
static _Atomic(bw__mutex *) g_any_lock;
static _Atomic(bw__cond *) g_any_wake;
static UINT64 g_close_epoch; /* guarded by g_any_lock */

static int any_ready(bw__mutex **lock, bw__cond **wake)
{
    *lock = bw__lazy_mutex(&g_any_lock);
    *wake = bw__lazy_cond(&g_any_wake);
    return *lock && *wake;
}

static void any_close_broadcast(void)
{
    bw__mutex *lock;
    bw__cond *wake;
    if (!any_ready(&lock, &wake))
        return;
    bw__mutex_lock(lock);
    g_close_epoch++;
    bw__cond_broadcast(wake);
    bw__mutex_unlock(lock);
}

UINT64 bw__close_epoch(void)
{
    bw__mutex *lock;
    bw__cond *wake;
    if (!any_ready(&lock, &wake))
        return 0;
    bw__mutex_lock(lock);
    UINT64 e = g_close_epoch;
    bw__mutex_unlock(lock);
    return e;
}

void bw__handle_wait_any(UINT64 epoch, UINT32 ms)
{
    bw__mutex *lock;
    bw__cond *wake;
    if (!any_ready(&lock, &wake))
        return; /* out of memory for two small objects: no sleep, still correct */
    bw__mutex_lock(lock);
    if (g_close_epoch == epoch)
        bw__cond_wait_ms(wake, lock, ms);
    bw__mutex_unlock(lock);
}

HRESULT bw__handle_close(BW_JOB h, UINT32 kind)
{
    if (!h)
        return S_FALSE;

    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    bw__slot *s = lookup(h, kind);
    if (s) {
        s->closed = 1;
        g_open--;
    }
    bw__mutex_unlock(table);
    if (!s)
        return E_HANDLE;

    /* End waits on this handle, and waits for its call: they see 'closing'
     * and return E_HANDLE. Only the wait lock, which no BITS call holds. */
    bw__mutex_lock(s->data.wait_lock);
    s->data.closing = 1;
    bw__cond_broadcast(s->data.wake);
    bw__cond_broadcast(s->data.call_free);
    bw__mutex_unlock(s->data.wait_lock);
    /* And waits on sets of handles (BwJobPollMany). */
    any_close_broadcast();

    unref(s, index_of(h));
    return S_OK;
}

int bw__handle_closing(bw__handle_data *d)
{
    bw__mutex_lock(d->wait_lock);
    int closing = d->closing;
    bw__mutex_unlock(d->wait_lock);
    return closing;
}

int bw__handle_wait(bw__handle_data *d, UINT32 ms)
{
    bw__mutex_lock(d->wait_lock);
    if (!d->closing)
        bw__cond_wait_ms(d->wake, d->wait_lock, ms);
    int closing = d->closing;
    bw__mutex_unlock(d->wait_lock);
    return closing;
}

HRESULT bw__call_enter(bw__handle_data *d)
{
    bw__mutex_lock(d->wait_lock);
    while (d->busy && !d->closing)
        bw__cond_wait_ms(d->call_free, d->wait_lock, 1000);
    HRESULT hr = d->closing ? E_HANDLE : S_OK;
    if (hr == S_OK)
        d->busy = 1;
    bw__mutex_unlock(d->wait_lock);
    return hr;
}

HRESULT bw__call_try_enter(bw__handle_data *d)
{
    bw__mutex_lock(d->wait_lock);
    HRESULT hr = d->closing ? E_HANDLE : d->busy ? S_FALSE : S_OK;
    if (hr == S_OK)
        d->busy = 1;
    bw__mutex_unlock(d->wait_lock);
    return hr;
}

void bw__call_leave(bw__handle_data *d)
{
    bw__mutex_lock(d->wait_lock);
    d->busy = 0;
    bw__cond_broadcast(d->call_free);
    bw__mutex_unlock(d->wait_lock);
}

void bw__handle_published(bw__handle_data *d, bw__published *out)
{
    bw__mutex_lock(d->wait_lock);
    *out = d->pub;
    bw__mutex_unlock(d->wait_lock);
}

HRESULT bw__with_job(BW_JOB h, bw__job_op op, void *arg)
{
    bw__handle_data *d = bw__handle_acquire(h, BW__KIND_JOB);
    if (!d)
        return E_HANDLE;
    /* E_HANDLE when the handle closed while this waited for another call. */
    HRESULT hr = bw__call_enter(d);
    if (SUCCEEDED(hr)) {
        hr = op(d, arg);
        bw__call_leave(d);
    }
    bw__handle_release(h, d);
    return hr;
}

UINT32 bw__handle_count(void)
{
    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    UINT32 n = g_open;
    bw__mutex_unlock(table);
    return n;
}

void bw__handle_test_limits(UINT64 gen_max, UINT32 max_slots, unsigned fail_sync_allocs)
{
    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    g_gen_max = gen_max ? gen_max : BW__GEN_MAX;
    g_max_slots = max_slots ? max_slots : BW__CHUNK_SLOTS * BW__MAX_CHUNKS;
    g_fail_sync_allocs = fail_sync_allocs;
    bw__mutex_unlock(table);
}

void bw__handle_test_stats(bw__handle_stats *st)
{
    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    st->slots = g_slot_count;
    st->chunk_allocs = g_chunk_allocs;
    st->retired = g_retired;
    st->open = g_open;
    bw__mutex_unlock(table);
}
