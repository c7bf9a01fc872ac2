/*
 * com_apartment.h - run COM work in the multithreaded apartment, whatever
 * apartment (if any) the calling thread is in.
 *
 * Every BITS proxy the library holds lives in the process' MTA. A caller in
 * the MTA (PowerShell 7) or with no COM at all (an implicit-MTA thread, once
 * the MTA is kept alive) runs the work itself; a caller in a single-threaded
 * apartment (Windows PowerShell 5.1) hands it to one internal MTA thread and
 * waits. The calling thread's COM state is never changed.
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

/* Test seam: the next bw__com_run fails with hr without running fn, as it
 * does when the worker cannot be started. */
void bw__com_run_fail_next(HRESULT hr);

#endif /* BW_COM_APARTMENT_H */
