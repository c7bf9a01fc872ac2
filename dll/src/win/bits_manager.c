/*
 * bits_manager.c - the process-wide IBackgroundCopyManager and reconnecting.
 *
 * One manager, created on first use by a factory (CoCreateInstance of BITS,
 * or fake COM objects in tests). When the service goes away (restarted, or
 * crashed and restarted) proxies fail with RPC_S_SERVER_UNAVAILABLE,
 * RPC_E_DISCONNECTED or RPC_S_CALL_FAILED; the caller drops the manager of that generation and
 * the next acquire makes a new one. Generations keep several jobs that fail
 * at once from making one manager each.
 */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <initguid.h> /* defines the BITS CLSID/IIDs here (selectany: no clashes) */
#include <bits.h>
#include <bits1_5.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bits_com.h"

/* g_lock guards the three below. The factory runs under it, so concurrent
 * first calls (or reconnects) create one manager, not one each; calls on
 * the manager run outside it, on a reference taken under it. */
static SRWLOCK g_lock = SRWLOCK_INIT;
static IBackgroundCopyManager *g_manager;
static LONG g_generation; /* managers created so far */
static bw__com_manager_factory g_factory; /* NULL: the real BITS */

BOOL bw__com_is_disconnect(HRESULT hr)
{
    /* RPC_S_CALL_FAILED: a call that met the service on its way down (seen
     * under Wine right after "net stop BITS"). The channel is as dead as
     * after the other two, but see bw__com_may_have_run. */
    return hr == HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE) || hr == RPC_E_DISCONNECTED ||
           bw__com_may_have_run(hr);
}

/* The other two never reached a live service; this one did, and the service
 * may have carried the call out before it stopped. */
BOOL bw__com_may_have_run(HRESULT hr)
{
    return hr == HRESULT_FROM_WIN32(RPC_S_CALL_FAILED);
}

/* Failures of the channel to the service rather than answers from it:
 * FACILITY_RPC, and the Win32 RPC_S_ and RPC_X_ range (1700-1999). */
BOOL bw__com_is_rpc_failure(HRESULT hr)
{
    if (HRESULT_FACILITY(hr) == FACILITY_RPC)
        return TRUE;
    return FAILED(hr) && HRESULT_FACILITY(hr) == FACILITY_WIN32 && HRESULT_CODE(hr) >= 1700 &&
           HRESULT_CODE(hr) <= 1999;
}

/* BITS checks the caller's identity, so its proxies need at least IDENTIFY;
 * the host process may have set less (or nothing) with CoInitializeSecurity.
 * In-process objects (tests' fakes) are not proxies and answer E_NOINTERFACE;
 * any other failure leaves the host's defaults, and a call they do not
 * suffice for reports its own error. */
void bw__com_set_blanket(void *iface)
{
    CoSetProxyBlanket((IUnknown *)iface, RPC_C_AUTHN_DEFAULT, RPC_C_AUTHZ_DEFAULT,
                      COLE_DEFAULT_PRINCIPAL, RPC_C_AUTHN_LEVEL_DEFAULT,
                      RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_DEFAULT);
}

static HRESULT create_real_manager(IBackgroundCopyManager **out)
{
    /* BITS runs as a service: always out of process. Only the plain CLSID
     * is registered everywhere (Wine has no versioned ones); newer
     * interfaces are reached by QueryInterface on the jobs. */
    return CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                            &IID_IBackgroundCopyManager, (void **)out);
}

/* A reference to the current manager (created if there is none) and its
 * generation. */
HRESULT bw__com_manager_acquire(IBackgroundCopyManager **out, LONG *generation)
{
    HRESULT hr = S_OK;

    *out = NULL;
    AcquireSRWLockExclusive(&g_lock);
    if (!g_manager) {
        IBackgroundCopyManager *m = NULL;
        hr = (g_factory ? g_factory : create_real_manager)(&m);
        if (SUCCEEDED(hr) && !m)
            hr = E_POINTER;
        if (SUCCEEDED(hr)) {
            bw__com_set_blanket(m);
            g_manager = m;
            g_generation++;
        }
    }
    if (g_manager) {
        IBackgroundCopyManager_AddRef(g_manager);
        *out = g_manager;
        *generation = g_generation;
        hr = S_OK;
    }
    ReleaseSRWLockExclusive(&g_lock);
    return hr;
}

/* Forgets the manager of that generation, unless another thread has already
 * replaced it (then the new one is kept). generation < 0: whatever is there. */
void bw__com_manager_drop(LONG generation)
{
    IBackgroundCopyManager *old = NULL;

    AcquireSRWLockExclusive(&g_lock);
    if (g_manager && (generation < 0 || generation == g_generation)) {
        old = g_manager;
        g_manager = NULL;
    }
    ReleaseSRWLockExclusive(&g_lock);
    /* Outside the lock: releasing a proxy may be a round trip. */
    if (old)
        IBackgroundCopyManager_Release(old);
}

/* GetJob, its type, and Job2 if the service has it (BITS 1.5+). */
static HRESULT open_on(IBackgroundCopyManager *mgr, const GUID *id, IBackgroundCopyJob **job_out,
                       IBackgroundCopyJob2 **job2_out, UINT32 *type)
{
    IBackgroundCopyJob *job = NULL;
    IBackgroundCopyJob2 *job2 = NULL;
    BG_JOB_TYPE t;
    HRESULT hr;

    hr = IBackgroundCopyManager_GetJob(mgr, id, &job);
    if (FAILED(hr))
        return hr;
    if (!job)
        return E_POINTER;
    bw__com_set_blanket(job);
    hr = IBackgroundCopyJob_GetType(job, &t);
    if (SUCCEEDED(hr)) {
        hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
        if (hr == E_NOINTERFACE) {
            job2 = NULL;
            hr = S_OK;
        } else if (SUCCEEDED(hr)) {
            bw__com_set_blanket(job2);
        }
    }
    if (FAILED(hr)) {
        IBackgroundCopyJob_Release(job);
        return hr;
    }
    *job_out = job;
    *job2_out = job2;
    *type = (UINT32)t;
    return S_OK;
}

/* Opens the job on the current manager; if the service is gone, once more
 * on a new one. */
HRESULT bw__com_open_job_reconnect(const GUID *id, IBackgroundCopyJob **job, IBackgroundCopyJob2 **job2,
                                   UINT32 *type, LONG *generation)
{
    IBackgroundCopyManager *mgr;
    HRESULT hr;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        hr = bw__com_manager_acquire(&mgr, generation);
        if (FAILED(hr))
            return hr;
        hr = open_on(mgr, id, job, job2, type);
        IBackgroundCopyManager_Release(mgr);
        if (!bw__com_is_disconnect(hr))
            break;
        /* A dead manager must not stay cached, even after the second try:
         * the next call then starts from a fresh one. */
        bw__com_manager_drop(*generation);
    }
    return hr;
}

/* After a disconnect: a new manager (unless another thread made one since
 * this job's was lost), the job reopened by its GUID, its pointers swapped. */
HRESULT bw__com_reopen(bw__bjob *j)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2;
    UINT32 type;
    LONG generation;
    HRESULT hr;

    bw__com_manager_drop(j->generation);
    hr = bw__com_manager_acquire(&mgr, &generation);
    if (FAILED(hr))
        return hr;
    hr = open_on(mgr, &j->id, &job, &job2, &type);
    IBackgroundCopyManager_Release(mgr);
    if (FAILED(hr)) {
        if (bw__com_is_disconnect(hr))
            bw__com_manager_drop(generation);
        return hr;
    }
    /* The old proxies are dead; releasing them only frees them locally. */
    if (j->job2)
        IBackgroundCopyJob2_Release(j->job2);
    IBackgroundCopyJob_Release(j->job);
    j->job = job;
    j->job2 = job2;
    j->type = type;
    j->generation = generation;
    return S_OK;
}

/* ---- Test seams --------------------------------------------------------- */

static HRESULT reset_mta(void *arg)
{
    bw__com_manager_drop(-1);
    return S_OK;
}

void bw__com_reset(void)
{
    /* Closes handed to the worker first: a test then sees every reference
     * the library held given back. */
    bw__com_flush();
    bw__com_run(reset_mta, NULL);
}

void bw__com_set_manager_factory(bw__com_manager_factory factory)
{
    AcquireSRWLockExclusive(&g_lock);
    g_factory = factory;
    ReleaseSRWLockExclusive(&g_lock);
    bw__com_reset();
}

LONG bw__com_manager_generation(void)
{
    LONG generation;
    AcquireSRWLockShared(&g_lock);
    generation = g_generation;
    ReleaseSRWLockShared(&g_lock);
    return generation;
}
