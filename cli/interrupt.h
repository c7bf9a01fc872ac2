/*
 * interrupt.h - Ctrl+C for 'watch': a console control handler whose state
 * stays valid for every moment it can run at.
 *
 * The system runs a control handler on a thread of its own, at any moment
 * from SetConsoleCtrlHandler(h, TRUE) on: while the jobs are being opened,
 * while they are polled, while they are closed at the end. Windows does not
 * promise that SetConsoleCtrlHandler(h, FALSE) waits for a handler that has
 * already started, so it may even run a moment after that. The handler
 * therefore touches nothing the watch allocates or frees, only the state of
 * this module, which is static (never freed) and guarded by one lock:
 *   - a flag, set by Ctrl+C or Ctrl+Break and cleared only by the next
 *     bw_interrupt_begin;
 *   - a manual-reset event set with it, so that a wait ends at once;
 *   - a table of the open job handles, which the handler closes so that a
 *     BwJobPoll waiting in the main thread returns at once (E_HANDLE).
 * A handle is in the table from just after its BwJobOpen until it is
 * closed, and whoever takes it out of the table closes it: the handler or
 * bw_interrupt_close_all, never both, so no handle is closed twice.
 *
 * Order of use, from the main thread, one watch at a time (reserve, track
 * and close may come again while watching: watch --all follows the queue):
 *   bw_interrupt_begin(close)     before anything that can take time
 *                                 (enumeration, the first BwJobOpen)
 *   bw_interrupt_reserve(n)       room for n handles
 *   bw_interrupt_track(job)       after each BwJobOpen that succeeded
 *   bw_interrupted(), bw_interrupt_sleep(ms)   while watching
 *   bw_interrupt_close(job)       a job no longer watched (it left the queue)
 *   bw_interrupt_close_all()      closes every handle the handler did not
 *   rc = bw_interrupt_end(rc)     removes the handler; 130 after a Ctrl+C
 */
#ifndef BW_CLI_INTERRUPT_H
#define BW_CLI_INTERRUPT_H

#include "bitswatch.h"

/* Closes one job handle: BwJobClose in bitswatch.exe, a fake in tests. */
typedef void (*bw_interrupt_close_fn)(BW_JOB job);

/* Clears the flag and the table, and installs the handler. close is called
 * for each tracked handle, by whichever thread takes it out of the table. */
void bw_interrupt_begin(bw_interrupt_close_fn close);

/* Makes room for n handles, so that bw_interrupt_track never allocates.
 * 0 when out of memory (nothing is tracked then), else 1. */
int bw_interrupt_reserve(int n);

/* Hands an open handle over: from now on only the handler or
 * bw_interrupt_close_all closes it. Returns 1; 0 when Ctrl+C came already,
 * in which case the handle has been closed here. Also 0 (and closed) when
 * the table is full: bw_interrupt_reserve was too small. */
int bw_interrupt_track(BW_JOB job);

/* Closes one tracked handle now and takes it out of the table, so that the
 * table holds only what is watched. Does nothing when the handler (or
 * bw_interrupt_close_all) has taken it already: it is closed then. */
void bw_interrupt_close(BW_JOB job);

/* Nonzero once Ctrl+C or Ctrl+Break came (since bw_interrupt_begin). */
int bw_interrupted(void);

/* Sleeps up to ms, less when Ctrl+C comes meanwhile. */
void bw_interrupt_sleep(DWORD ms);

/* Closes every handle still in the table and empties it. Waits for a
 * handler that is closing handles at the moment. */
void bw_interrupt_close_all(void);

/* Removes the handler, closes any handle still tracked, frees the table.
 * Returns BW_EXIT_INTERRUPTED (130) when Ctrl+C came since
 * bw_interrupt_begin, else rc. */
int bw_interrupt_end(int rc);

/* The handler itself, as installed; for tests, which run it on a thread of
 * their own as the system does. */
BOOL WINAPI bw_interrupt_handler(DWORD type);

#endif /* BW_CLI_INTERRUPT_H */
