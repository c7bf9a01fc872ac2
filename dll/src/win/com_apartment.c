/*
 * com_apartment.c - see com_apartment.h.
 *
 * Why not CoInitializeEx on the caller's thread: it would change the caller's
 * COM state (a thread that later wants an STA would get RPC_E_CHANGED_MODE),
 * and in an STA it would make the proxies STA-bound, usable only from that
 * thread. Instead the MTA is kept alive for the process with
 * CoIncrementMTAUsage (Windows 8+, Wine's combase has it): threads without COM
 * then belong to it implicitly, and the proxies work from any MTA thread.
 * It is looked up at run time: the i686 mingw-w64 import library lacks it.
 * Without it, the worker thread below is started at once; its own MTA
 * membership keeps the MTA alive just as well.
 */
#include <windows.h>
#include <objbase.h>

#include "com_apartment.h"

/* Set up once; state read after the InitOnce completes needs no lock. */
static INIT_ONCE g_once = INIT_ONCE_STATIC_INIT;
static HRESULT g_init_hr;
static CO_MTA_USAGE_COOKIE g_mta_cookie; /* never released: the MTA stays for the process */

/* The worker that runs STA callers' work. g_start_lock guards starting it
 * (g_worker_started, the events) and is held only while it starts, so a
 * caller that does not wait (bw__com_run_later) never waits behind another
 * caller's call in flight on the worker. g_worker_lock serializes the
 * callers that wait and guards the request slot; the worker reads the slot
 * only between g_request_ready and g_request_done. g_later_lock guards the
 * queue of work handed over without waiting. */
static SRWLOCK g_start_lock = SRWLOCK_INIT;
static BOOL g_worker_started;
static HANDLE g_request_ready; /* auto-reset: a request is in the slot */
static HANDLE g_request_done;  /* auto-reset: its result is in the slot */
static HANDLE g_later_ready;   /* auto-reset: the queue has items */
static SRWLOCK g_worker_lock = SRWLOCK_INIT;
static HRESULT (*g_request_fn)(void *arg);
static void *g_request_arg;
static HRESULT g_request_hr;
static SRWLOCK g_later_lock = SRWLOCK_INIT;
static bw__com_later *g_later_head, *g_later_tail;

static LONG g_fail_next; /* test seam: an HRESULT to fail the next run with */

static HRESULT start_worker(void);

static BOOL CALLBACK init_mta(PINIT_ONCE once, void *param, void **context)
{
    typedef HRESULT(WINAPI * increment_fn)(CO_MTA_USAGE_COOKIE *);
    HMODULE ole32 = GetModuleHandleW(L"ole32.dll"); /* loaded: we import it */
    increment_fn increment = NULL;

    if (ole32)
        increment = (increment_fn)(void (*)(void))GetProcAddress(ole32, "CoIncrementMTAUsage");
    if (increment)
        g_init_hr = increment(&g_mta_cookie);
    else
        g_init_hr = start_worker();
    return TRUE;
}

/* Runs what was handed over without waiting, in order. Each item may free
 * itself, so its successor is read first. */
static void run_later_items(void)
{
    bw__com_later *item;

    AcquireSRWLockExclusive(&g_later_lock);
    item = g_later_head;
    g_later_head = g_later_tail = NULL;
    ReleaseSRWLockExclusive(&g_later_lock);
    while (item) {
        bw__com_later *next = item->next;
        item->fn(item);
        item = next;
    }
}

static DWORD WINAPI worker_main(void *unused)
{
    HANDLE wake[2] = {g_request_ready, g_later_ready};

    /* The worker's own MTA membership, explicit so it does not depend on
     * the implicit MTA. Held for the life of the process. */
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    for (;;) {
        DWORD woken = WaitForMultipleObjects(2, wake, FALSE, INFINITE);
        /* The queue first, whatever woke the worker: an item handed over
         * before a request then runs before it (bw__com_flush relies on
         * it), and a stream of requests cannot starve the queue. */
        run_later_items();
        if (woken == WAIT_OBJECT_0) {
            g_request_hr = g_request_fn(g_request_arg);
            SetEvent(g_request_done);
        }
    }
    return 0;
}

/* Called with g_start_lock held. */
static HRESULT create_worker(void)
{
    HMODULE self;
    HANDLE thread;

    if (!g_request_ready)
        g_request_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!g_request_done)
        g_request_done = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!g_later_ready)
        g_later_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!g_request_ready || !g_request_done || !g_later_ready)
        return HRESULT_FROM_WIN32(GetLastError());
    /* The worker runs this module's code until the process ends, so the
     * module must not be unloaded under it: pin it. Created here, never in
     * DllMain (no thread creation under the loader lock). */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                            (LPCWSTR)(void *)worker_main, &self))
        return HRESULT_FROM_WIN32(GetLastError());
    thread = CreateThread(NULL, 0, worker_main, NULL, 0, NULL);
    if (!thread)
        return HRESULT_FROM_WIN32(GetLastError());
    CloseHandle(thread);
    g_worker_started = TRUE;
    return S_OK;
}

static HRESULT start_worker(void)
{
    HRESULT hr = S_OK;

    AcquireSRWLockExclusive(&g_start_lock);
    if (!g_worker_started)
        hr = create_worker();
    ReleaseSRWLockExclusive(&g_start_lock);
    return hr;
}

static HRESULT run_on_worker(HRESULT (*fn)(void *arg), void *arg)
{
    HRESULT hr = start_worker();

    if (FAILED(hr))
        return hr;
    AcquireSRWLockExclusive(&g_worker_lock);
    g_request_fn = fn;
    g_request_arg = arg;
    SetEvent(g_request_ready);
    /* A plain wait, not a message-pumping one: the work needs nothing
     * from the caller's STA (the proxies are in the MTA), and pumping
     * could re-enter the library on this thread while the lock is held.
     * The events are never closed, so the wait ends only once the worker
     * has run the request: no failure is returned while fn may run. */
    WaitForSingleObject(g_request_done, INFINITE);
    hr = g_request_hr;
    ReleaseSRWLockExclusive(&g_worker_lock);
    return hr;
}

/* Set up once, then the test seam: S_OK when the work may be run. */
static HRESULT prepare(void)
{
    InitOnceExecuteOnce(&g_once, init_mta, NULL, NULL);
    if (FAILED(g_init_hr))
        return g_init_hr;
    return (HRESULT)InterlockedExchange(&g_fail_next, 0);
}

/* The MTA, explicit or implicit (a thread without COM while the MTA is
 * alive): the proxies are usable right here. Not so in an STA, the main
 * STA, the neutral apartment, or without COM and without an implicit MTA
 * (CO_E_NOTINITIALIZED on systems that do not report it). */
static BOOL in_mta(void)
{
    APTTYPE type;
    APTTYPEQUALIFIER qualifier;

    return SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && type == APTTYPE_MTA;
}

HRESULT bw__com_run(HRESULT (*fn)(void *arg), void *arg)
{
    HRESULT hr = prepare();

    if (FAILED(hr))
        return hr;
    if (in_mta())
        return fn(arg);
    return run_on_worker(fn, arg);
}

HRESULT bw__com_run_later(bw__com_later *item)
{
    HRESULT hr = prepare();

    if (FAILED(hr))
        return hr;
    if (in_mta()) {
        item->fn(item);
        return S_OK;
    }
    hr = start_worker();
    if (FAILED(hr))
        return hr;
    item->next = NULL;
    AcquireSRWLockExclusive(&g_later_lock);
    if (g_later_tail)
        g_later_tail->next = item;
    else
        g_later_head = item;
    g_later_tail = item;
    ReleaseSRWLockExclusive(&g_later_lock);
    SetEvent(g_later_ready);
    return S_OK;
}

void bw__com_run_fail_next(HRESULT hr)
{
    InterlockedExchange(&g_fail_next, (LONG)hr);
}

static HRESULT flushed(void *unused)
{
    return S_OK;
}

void bw__com_flush(void)
{
    BOOL started;

    AcquireSRWLockShared(&g_start_lock);
    started = g_worker_started;
    ReleaseSRWLockShared(&g_start_lock);
    /* A request runs after every item queued before it. */
    if (started)
        run_on_worker(flushed, NULL);
}
