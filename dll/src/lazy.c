/*
 * lazy.c - objects the core makes on first use and never frees (the wait-any
 * condition, the read budget's lock, the census lock). Made once under the
 * table lock and published with release/acquire atomics, so a thread that
 * sees the pointer sees the object whole (plain double-checked locking is a
 * data race in C11; ThreadSanitizer caught it when 8 threads made their
 * first calls at once).
 */
#include "bw_core.h"

bw__mutex *bw__lazy_mutex(_Atomic(bw__mutex *) *slot)
{
    bw__mutex *m = atomic_load_explicit(slot, memory_order_acquire);
    if (m)
        return m;
    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    m = atomic_load_explicit(slot, memory_order_relaxed);
    if (!m) {
        m = bw__mutex_new();
        atomic_store_explicit(slot, m, memory_order_release);
    }
    bw__mutex_unlock(table);
    return m; /* NULL only when out of memory; a later call tries again */
}

bw__cond *bw__lazy_cond(_Atomic(bw__cond *) *slot)
{
    bw__cond *c = atomic_load_explicit(slot, memory_order_acquire);
    if (c)
        return c;
    bw__mutex *table = bw__global_mutex();
    bw__mutex_lock(table);
    c = atomic_load_explicit(slot, memory_order_relaxed);
    if (!c) {
        c = bw__cond_new();
        atomic_store_explicit(slot, c, memory_order_release);
    }
    bw__mutex_unlock(table);
    return c;
}
