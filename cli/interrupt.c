/* interrupt.c - see interrupt.h. */
#include "interrupt.h"

#include <stdlib.h>

#include "watch.h"

/* g_lock guards g_jobs, g_njobs, g_cap and g_close. g_interrupted is also
 * written under it (so that bw_interrupt_track sees either the flag or a
 * handler that has yet to run), and read without it. g_event is created
 * once and never closed: a handler that runs late still finds it valid. */
static SRWLOCK g_lock = SRWLOCK_INIT;
static BW_JOB *g_jobs;
static int g_njobs, g_cap;
static bw_interrupt_close_fn g_close;
static volatile LONG g_interrupted;
static HANDLE g_event;

/* Closes and forgets every tracked handle; g_lock held. */
static void close_tracked(void)
{
    for (int i = 0; i < g_njobs; i++)
        g_close(g_jobs[i]);
    g_njobs = 0;
}

BOOL WINAPI bw_interrupt_handler(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE; /* closing the window, logoff, shutdown: the default */
    /* The main thread never holds g_lock while it waits for anything of the
     * console's: Wine runs handlers with its console lock held, which
     * SetConsoleCtrlHandler takes too. */
    AcquireSRWLockExclusive(&g_lock);
    InterlockedExchange(&g_interrupted, 1);
    if (g_event)
        SetEvent(g_event);
    /* The library is thread-safe and ends a wait on a handle that is being
     * closed: the main thread's poll returns E_HANDLE at once. */
    close_tracked();
    ReleaseSRWLockExclusive(&g_lock);
    return TRUE;
}

void bw_interrupt_begin(bw_interrupt_close_fn close)
{
    AcquireSRWLockExclusive(&g_lock);
    g_close = close;
    g_njobs = 0;
    InterlockedExchange(&g_interrupted, 0);
    if (!g_event)
        g_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    else
        ResetEvent(g_event);
    ReleaseSRWLockExclusive(&g_lock);
    SetConsoleCtrlHandler(bw_interrupt_handler, TRUE);
}

int bw_interrupt_reserve(int n)
{
    int ok = 1;

    AcquireSRWLockExclusive(&g_lock);
    if (n > g_cap) {
        BW_JOB *bigger = realloc(g_jobs, sizeof *bigger * (size_t)n);
        if (bigger) {
            g_jobs = bigger;
            g_cap = n;
        } else {
            ok = 0;
        }
    }
    ReleaseSRWLockExclusive(&g_lock);
    return ok;
}

int bw_interrupt_track(BW_JOB job)
{
    int tracked = 0;

    AcquireSRWLockExclusive(&g_lock);
    if (!g_interrupted && g_njobs < g_cap) {
        g_jobs[g_njobs++] = job;
        tracked = 1;
    }
    ReleaseSRWLockExclusive(&g_lock);
    if (!tracked && job && g_close)
        g_close(job); /* in no table: nobody else will close it */
    return tracked;
}

void bw_interrupt_close(BW_JOB job)
{
    int mine = 0;

    AcquireSRWLockExclusive(&g_lock);
    for (int i = 0; i < g_njobs; i++) {
        if (g_jobs[i] == job) {
            g_jobs[i] = g_jobs[--g_njobs]; /* the order of the table does not matter */
            mine = 1;
            break;
        }
    }
    ReleaseSRWLockExclusive(&g_lock);
    /* Out of the table: nobody else can close it now, so no lock is needed. */
    if (mine && g_close)
        g_close(job);
}

int bw_interrupted(void)
{
    return InterlockedCompareExchange(&g_interrupted, 0, 0) != 0;
}

void bw_interrupt_sleep(DWORD ms)
{
    if (g_event)
        WaitForSingleObject(g_event, ms);
    else
        Sleep(ms);
}

void bw_interrupt_close_all(void)
{
    AcquireSRWLockExclusive(&g_lock);
    close_tracked();
    ReleaseSRWLockExclusive(&g_lock);
}

int bw_interrupt_end(int rc)
{
    /* Without g_lock: see bw_interrupt_handler. */
    SetConsoleCtrlHandler(bw_interrupt_handler, FALSE);
    AcquireSRWLockExclusive(&g_lock);
    close_tracked();
    free(g_jobs);
    g_jobs = NULL;
    g_cap = 0;
    ReleaseSRWLockExclusive(&g_lock);
    return bw_interrupted() ? BW_EXIT_INTERRUPTED : rc;
}
