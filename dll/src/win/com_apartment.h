/*
 * com_apartment.h - run COM work in the multithreaded apartment, whatever
 * apartment (if any) the calling thread is in.
 *
 * Every BITS proxy the library holds lives in the process' MTA. A caller in
 * the MTA (PowerShell 7) or with no COM at all (an implicit-MTA thread, once
 * the MTA is kept alive) runs the work itself; a caller in a single-threaded
 * apartment (Windows PowerShell 5.1) hands it to one internal MTA thread and
 * waits, or, for work whose result nobody needs (releasing proxies), hands it
 * over without waiting. The calling thread's COM state is never changed.
 */
#ifndef BW_COM_APARTMENT_H
#define BW_COM_APARTMENT_H

#include <windows.h>

/* Runs fn(arg) on a thread in the MTA and returns what it returned. Callers
 * from an STA are serialized through one worker thread; fn may call
 * bw__com_run again (it then runs in place). Fails without running fn only
 * when the MTA or the worker cannot be set up (that failure is returned);
 * a failure means fn has not run and never will, so the caller still owns
 * whatever fn would have released (closing a job relies on it). */
HRESULT bw__com_run(HRESULT (*fn)(void *arg), void *arg);

/* Work handed over without waiting: the caller embeds the item in what fn
 * frees (no allocation, so handing over cannot fail for lack of memory). */
typedef struct bw__com_later {
    struct bw__com_later *next; /* the worker's queue */
    void (*fn)(struct bw__com_later *item);
} bw__com_later;

/* Runs item->fn(item) on a thread in the MTA: in place for a caller in the
 * MTA (returning when it is done), on the worker thread for an STA caller,
 * which does not wait for it, nor for any other caller's work in flight
 * there. Items run in the order they were handed over, each before any
 * bw__com_run request made after it. Fails without running fn, as
 * bw__com_run does, only when the MTA or the worker cannot be set up: the
 * caller still owns the item. At process exit the worker is gone and items
 * still queued never run (what they would release goes with the process). */
HRESULT bw__com_run_later(bw__com_later *item);

/* Test seam: the next bw__com_run or bw__com_run_later fails with hr
 * without running fn, as it does when the worker cannot be started. */
void bw__com_run_fail_next(HRESULT hr);

/* Test seam: returns once the worker has run every item handed to it
 * before (at once when there is no worker). */
void bw__com_flush(void);

#endif /* BW_COM_APARTMENT_H */
