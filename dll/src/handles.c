/*
 * handles.c - BW_JOB values: a slot index and a generation, never a pointer.
 *
 * A handle value is (generation << 16) | (index + 1). Closing bumps the
 * slot's generation, so a closed or stale value no longer matches and is
 * E_HANDLE; a forged value either names no slot or the wrong generation.
 * Slots never move (they live in fixed chunks), so a slot found under the
 * table lock can be used after it is dropped, as long as a reference is held.
 *
 * Lock order: the table lock (bw__global_mutex) before a handle's lock; a
 * thread holding a handle's lock never takes the table lock.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

#define BW__CHUNK_SLOTS 256u
#define BW__MAX_CHUNKS 255u /* 65280 handles: index + 1 fits in 16 bits */
#define BW__GEN_MASK 0xFFFFu

struct bw__slot {
    /* Guarded by the table lock. */
    UINT32 generation; /* never 0 */
    int in_use;
    int closed;        /* closed: no new users, torn down when refs reach 0 */
    UINT32 refs;       /* the open handle's own reference + calls in flight */
    UINT32 next_free;  /* index + 1 of the next free slot, 0 = none */
    bw__handle_data data;
};

/* Guarded by the table lock. */
static bw__slot *g_chunks[BW__MAX_CHUNKS];
static UINT32 g_slot_count; /* slots ever made */
static UINT32 g_free_head;  /* index + 1 of the first free slot, 0 = none */
static UINT32 g_open;       /* handles open (not yet closed) */

static bw__slot *slot_at(UINT32 index)
{
    return &g_chunks[index / BW__CHUNK_SLOTS][index % BW__CHUNK_SLOTS];
}

static BW_JOB encode(UINT32 index, UINT32 generation)
{
    return (BW_JOB)(uintptr_t)(((generation & BW__GEN_MASK) << 16) | (index + 1));
}

/* The live slot a handle value names, or NULL. Table lock held. */
static bw__slot *lookup(BW_JOB h)
{
    uintptr_t v = (uintptr_t)h;
    if (v > 0xFFFFFFFFu)
        return NULL;
    UINT32 low = (UINT32)(v & 0xFFFFu), generation = (UINT32)(v >> 16);
    if (low == 0 || low > g_slot_count)
        return NULL;
    bw__slot *s = slot_at(low - 1);
    if (!s->in_use || s->closed || s->generation != generation)
        return NULL;
    return s;
}

/* A free slot with its lock and condition ready, or NULL. Table lock held. */
static bw__slot *take_free_slot(UINT32 *index)
{
    if (g_free_head) {
        *index = g_free_head - 1;
        bw__slot *s = slot_at(*index);
        g_free_head = s->next_free;
        return s;
    }
    if (g_slot_count % BW__CHUNK_SLOTS == 0) {
        UINT32 chunk = g_slot_count / BW__CHUNK_SLOTS;
        if (chunk >= BW__MAX_CHUNKS)
            return NULL;
        g_chunks[chunk] = calloc(BW__CHUNK_SLOTS, sizeof(bw__slot));
        if (!g_chunks[chunk])
            return NULL;
    }
    bw__slot *s = slot_at(g_slot_count);
    s->data.lock = bw__mutex_new();
    s->data.wake = bw__cond_new();
    if (!s->data.lock || !s->data.wake) {
        bw__mutex_free(s->data.lock);
        bw__cond_free(s->data.wake);
        s->data.lock = NULL;
        s->data.wake = NULL;
        return NULL;
    }
    s->generation = 1;
    *index = g_slot_count++;
    return s;
}

HRESULT bw__handle_create(bw__bjob *bjob, UINT32 type, BW_JOB *out)
{
    UINT32 index;
    bw__mutex *table = bw__global_mutex();

    bw__mutex_lock(table);
    bw__slot *s = take_free_slot(&index);
    if (s) {
        s->in_use = 1;
        s->closed = 0;
        s->refs = 1;
        s->data.closing = 0;
        s->data.bjob = bjob;
        s->data.type = type;
        memset(&s->data.watch, 0, sizeof s->data.watch);
        *out = encode(index, s->generation);
        g_open++;
    }
    bw__mutex_unlock(table);
    return s ? S_OK : E_OUTOFMEMORY;
}

bw__handle_data *bw__handle_acquire(BW_JOB h)
{
    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    bw__slot *s = lookup(h);
    if (s)
        s->refs++;
    bw__mutex_unlock(table);
    return s ? &s->data : NULL;
}

/* Drops one reference; the last one releases the backend job and frees the
 * slot for reuse under a new generation. */
static void unref(bw__slot *s, UINT32 index)
{
    bw__bjob *release = NULL;
    bw__mutex *table = bw__global_mutex();

    bw__mutex_lock(table);
    if (--s->refs == 0) {
        release = s->data.bjob;
        s->data.bjob = NULL;
        s->in_use = 0;
        s->generation = (s->generation % BW__GEN_MASK) + 1; /* 1..0xFFFF */
        s->next_free = g_free_head;
        g_free_head = index + 1;
    }
    bw__mutex_unlock(table);
    /* Outside the lock: releasing a COM proxy is a round trip. */
    if (release)
        bw__backend_get()->close_job(release);
}

static UINT32 index_of(BW_JOB h)
{
    return (UINT32)((uintptr_t)h & 0xFFFFu) - 1;
}

void bw__handle_release(BW_JOB h, bw__handle_data *d)
{
    unref((bw__slot *)((char *)d - offsetof(bw__slot, data)), index_of(h));
}

HRESULT bw__handle_close(BW_JOB h)
{
    if (!h)
        return S_FALSE;

    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    bw__slot *s = lookup(h);
    if (s) {
        s->closed = 1;
        g_open--;
    }
    bw__mutex_unlock(table);
    if (!s)
        return E_HANDLE;

    /* End waits on this handle: they see 'closing' and return E_HANDLE. */
    bw__mutex_lock(s->data.lock);
    s->data.closing = 1;
    bw__cond_broadcast(s->data.wake);
    bw__mutex_unlock(s->data.lock);

    unref(s, index_of(h));
    return S_OK;
}

HRESULT bw__with_job(BW_JOB h, bw__job_op op, void *arg)
{
    bw__handle_data *d = bw__handle_acquire(h);
    if (!d)
        return E_HANDLE;
    bw__mutex_lock(d->lock);
    HRESULT hr = op(d, arg);
    bw__mutex_unlock(d->lock);
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
