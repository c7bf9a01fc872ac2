/*
 * backend_com.c - bw_backend.h on the BITS COM API.
 *
 * One process-wide IBackgroundCopyManager, created on first use; each open
 * job holds its IBackgroundCopyJob (and IBackgroundCopyJob2 when the service
 * has it). Every call runs in the MTA through bw__com_run, so the proxies are
 * only ever touched from MTA threads whatever the caller's apartment.
 *
 * When the service goes away (restarted, or crashed and restarted) the
 * proxies fail with RPC_S_SERVER_UNAVAILABLE or RPC_E_DISCONNECTED. A call
 * that sees one of those reconnects once: a new manager, the job reopened by
 * its GUID (BG_E_NOT_FOUND if it did not survive), the call repeated.
 *
 * Never calls SetNotifyInterface: BITS keeps one notify interface per job,
 * and taking it would silently cut off the program that owns the job.
 */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <initguid.h> /* defines the BITS IIDs below (selectany: no clashes) */
#include <bits.h>
#include <bits1_5.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bw_backend.h"
#include "backend_com.h"
#include "com_apartment.h"
#include "owner_name.h"

struct bw__bjob {
    /* All guarded by the core's per-handle lock: it never runs two
     * operations on one job at once. */
    GUID id;                   /* to reopen the job after a reconnect */
    UINT32 type;               /* BG_JOB_TYPE, fixed for the job's life */
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2; /* NULL on BITS 1.2: no reply progress */
    LONG generation;           /* of the manager the pointers came from */
};

/* g_lock guards the three below. The factory runs under it, so concurrent
 * first calls (or reconnects) create one manager, not one each; calls on
 * the manager run outside it, on a reference taken under it. */
static SRWLOCK g_lock = SRWLOCK_INIT;
static IBackgroundCopyManager *g_manager;
static LONG g_generation; /* managers created so far */
static bw__com_manager_factory g_factory; /* NULL: the real BITS */

static BOOL is_disconnect(HRESULT hr)
{
    return hr == HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE) || hr == RPC_E_DISCONNECTED;
}

/* Failures of the channel to the service rather than answers from it:
 * FACILITY_RPC, and the Win32 RPC_S_ and RPC_X_ range (1700-1999). */
static BOOL is_rpc_failure(HRESULT hr)
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
static void set_blanket(void *iface)
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
static HRESULT manager_acquire(IBackgroundCopyManager **out, LONG *generation)
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
            set_blanket(m);
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
static void manager_drop(LONG generation)
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
    set_blanket(job);
    hr = IBackgroundCopyJob_GetType(job, &t);
    if (SUCCEEDED(hr)) {
        hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
        if (hr == E_NOINTERFACE) {
            job2 = NULL;
            hr = S_OK;
        } else if (SUCCEEDED(hr)) {
            set_blanket(job2);
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
static HRESULT open_with_reconnect(const GUID *id, IBackgroundCopyJob **job, IBackgroundCopyJob2 **job2,
                                   UINT32 *type, LONG *generation)
{
    IBackgroundCopyManager *mgr;
    HRESULT hr;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        hr = manager_acquire(&mgr, generation);
        if (FAILED(hr))
            return hr;
        hr = open_on(mgr, id, job, job2, type);
        IBackgroundCopyManager_Release(mgr);
        if (!is_disconnect(hr))
            break;
        /* A dead manager must not stay cached, even after the second try:
         * the next call then starts from a fresh one. */
        manager_drop(*generation);
    }
    return hr;
}

/* After a disconnect: a new manager (unless another thread made one since
 * this job's was lost), the job reopened by its GUID, its pointers swapped. */
static HRESULT reopen(bw__bjob *j)
{
    IBackgroundCopyManager *mgr;
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2;
    UINT32 type;
    LONG generation;
    HRESULT hr;

    manager_drop(j->generation);
    hr = manager_acquire(&mgr, &generation);
    if (FAILED(hr))
        return hr;
    hr = open_on(mgr, &j->id, &job, &job2, &type);
    IBackgroundCopyManager_Release(mgr);
    if (FAILED(hr)) {
        if (is_disconnect(hr))
            manager_drop(generation);
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

/* ---- Running an operation in the MTA, with one reconnect ---------------- */

typedef HRESULT (*job_op)(bw__bjob *j, void *out);

struct job_call {
    bw__bjob *job;
    job_op op;
    void *out;
};

static HRESULT job_call_mta(void *arg)
{
    struct job_call *c = arg;
    HRESULT hr = c->op(c->job, c->out);

    if (is_disconnect(hr)) {
        HRESULT reopened = reopen(c->job);
        if (FAILED(reopened))
            return reopened;
        hr = c->op(c->job, c->out);
    }
    return hr;
}

static HRESULT run_job_op(bw__bjob *j, job_op op, void *out)
{
    struct job_call c = {j, op, out};
    if (!j)
        return E_HANDLE;
    return bw__com_run(job_call_mta, &c);
}

/* ---- The operations (each one round trip) ------------------------------- */

static HRESULT op_state(bw__bjob *j, void *out)
{
    BG_JOB_STATE s;
    HRESULT hr = IBackgroundCopyJob_GetState(j->job, &s);
    if (SUCCEEDED(hr))
        *(UINT32 *)out = (UINT32)s;
    return hr;
}

static HRESULT op_progress(bw__bjob *j, void *out)
{
    BG_JOB_PROGRESS p;
    bw__progress *progress = out;
    HRESULT hr = IBackgroundCopyJob_GetProgress(j->job, &p);
    if (SUCCEEDED(hr)) {
        /* BG_SIZE_UNKNOWN and BW_SIZE_UNKNOWN are both all ones. */
        progress->bytes_total = p.BytesTotal;
        progress->bytes_transferred = p.BytesTransferred;
        progress->files_total = p.FilesTotal;
        progress->files_transferred = p.FilesTransferred;
    }
    return hr;
}

struct reply_out {
    UINT64 *bytes_total;
    UINT64 *bytes_transferred;
};

static HRESULT op_reply(bw__bjob *j, void *out)
{
    struct reply_out *r = out;
    BG_JOB_REPLY_PROGRESS p;
    HRESULT hr;

    /* Only upload-reply jobs have a reply, and only BITS 1.5+ can say. */
    if (j->type != BG_JOB_TYPE_UPLOAD_REPLY || !j->job2)
        return BW_E_NOT_UPLOAD_REPLY;
    hr = IBackgroundCopyJob2_GetReplyProgress(j->job2, &p);
    /* The reference says E_NOTIMPL for jobs without a reply; Microsoft's
     * sample treats BytesTotal == 0 so. Both mean "no reply". */
    if (hr == E_NOTIMPL || (SUCCEEDED(hr) && p.BytesTotal == 0))
        return BW_E_NOT_UPLOAD_REPLY;
    if (SUCCEEDED(hr)) {
        *r->bytes_total = p.BytesTotal; /* BG_SIZE_UNKNOWN until the reply starts */
        *r->bytes_transferred = p.BytesTransferred;
    }
    return hr;
}

struct error_out {
    HRESULT *code;
    UINT32 *context;
};

static HRESULT op_error(bw__bjob *j, void *out)
{
    struct error_out *e = out;
    IBackgroundCopyError *err = NULL;
    BG_ERROR_CONTEXT context;
    HRESULT code;
    HRESULT hr;

    hr = IBackgroundCopyJob_GetError(j->job, &err);
    if (FAILED(hr)) {
        /* The service's own answer (Wine: BG_E_ERROR_INFORMATION_UNAVAILABLE
         * for a connection failure, which has no error object) is the best
         * description of the error there is. A broken channel is not. */
        if (is_rpc_failure(hr))
            return hr;
        *e->code = hr;
        *e->context = BG_ERROR_CONTEXT_UNKNOWN;
        return S_OK;
    }
    if (!err)
        return E_POINTER;
    set_blanket(err);
    hr = IBackgroundCopyError_GetError(err, &context, &code);
    IBackgroundCopyError_Release(err);
    if (SUCCEEDED(hr)) {
        *e->code = code;
        *e->context = (UINT32)context;
    }
    return hr;
}

/* BITS' success codes (BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES)
 * are returned as they are: the caller may want to know. */
static HRESULT op_complete(bw__bjob *j, void *out)
{
    return IBackgroundCopyJob_Complete(j->job);
}

static HRESULT op_cancel(bw__bjob *j, void *out)
{
    return IBackgroundCopyJob_Cancel(j->job);
}

static HRESULT op_suspend(bw__bjob *j, void *out)
{
    return IBackgroundCopyJob_Suspend(j->job);
}

static HRESULT op_resume(bw__bjob *j, void *out)
{
    return IBackgroundCopyJob_Resume(j->job);
}

/* ---- Error in full, properties, enumeration ----------------------------- */

/* A malloc'd copy of a string BITS allocated (CoTaskMemAlloc), which is
 * freed here; trailing line breaks dropped (BITS' texts end in "\r\n"). */
static WCHAR *take_string(WCHAR *s)
{
    WCHAR *copy = NULL;
    size_t n;

    if (!s)
        return NULL;
    n = wcslen(s);
    while (n > 0 && (s[n - 1] == L'\r' || s[n - 1] == L'\n' || s[n - 1] == L' '))
        n--;
    copy = malloc((n + 1) * sizeof(WCHAR));
    if (copy) {
        memcpy(copy, s, n * sizeof(WCHAR));
        copy[n] = 0;
    }
    CoTaskMemFree(s);
    return copy;
}

/* Optional string properties: a lost service fails the whole read (so it
 * can reconnect and start over); any other failure (E_NOTIMPL, Wine's
 * 0x800706F4 for texts across processes, no text in that language) leaves
 * the string NULL for the core to fill. Out of memory is a failure. */
static HRESULT optional_string(HRESULT hr, WCHAR *s, WCHAR **out)
{
    *out = NULL;
    if (FAILED(hr)) {
        if (s)
            CoTaskMemFree(s);
        return is_disconnect(hr) ? hr : S_OK;
    }
    if (!s)
        return S_OK;
    *out = take_string(s);
    return *out ? S_OK : E_OUTOFMEMORY;
}

/* A description in the thread's UI language, else in en-US (BITS rejects
 * LANGID 0 and may have no text in the user's language). */
static HRESULT error_text(IBackgroundCopyError *err, BOOL context, WCHAR **out)
{
    const DWORD langs[] = {GetThreadUILanguage(), MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)};
    HRESULT hr = S_OK;
    size_t i;

    *out = NULL;
    for (i = 0; i < sizeof langs / sizeof langs[0] && !*out; i++) {
        WCHAR *s = NULL;
        /* Two statements: s must be read after the call wrote it. */
        HRESULT got = context ? IBackgroundCopyError_GetErrorContextDescription(err, langs[i], &s)
                              : IBackgroundCopyError_GetErrorDescription(err, langs[i], &s);
        hr = optional_string(got, s, out);
        if (FAILED(hr))
            break;
        if (i == 0 && langs[0] == langs[1])
            break;
    }
    return hr;
}

static void error_clear(bw__error *e)
{
    free(e->description);
    free(e->context_description);
    free(e->remote_name);
    free(e->local_name);
    free(e->protocol);
    memset(e, 0, sizeof *e);
}

static HRESULT error_file_names(IBackgroundCopyError *err, bw__error *e)
{
    IBackgroundCopyFile *file = NULL;
    WCHAR *s;
    HRESULT hr = IBackgroundCopyError_GetFile(err, &file);

    /* No file involved (BG_E_FILE_NOT_AVAILABLE) is not a failure. */
    if (FAILED(hr) || !file)
        return is_disconnect(hr) ? hr : S_OK;
    set_blanket(file);
    s = NULL;
    hr = IBackgroundCopyFile_GetRemoteName(file, &s);
    hr = optional_string(hr, s, &e->remote_name);
    if (SUCCEEDED(hr)) {
        s = NULL;
        hr = IBackgroundCopyFile_GetLocalName(file, &s);
        hr = optional_string(hr, s, &e->local_name);
    }
    IBackgroundCopyFile_Release(file);
    return hr;
}

static HRESULT op_error_full(bw__bjob *j, void *out)
{
    bw__error *e = out;
    IBackgroundCopyError *err = NULL;
    BG_ERROR_CONTEXT context;
    HRESULT code;
    WCHAR *s = NULL;
    HRESULT hr;

    error_clear(e); /* a retry after reconnecting starts from nothing */
    /* No error object (not in an error state, or Wine's connection
     * failures): BITS' code is the answer. */
    hr = IBackgroundCopyJob_GetError(j->job, &err);
    if (FAILED(hr))
        return hr;
    if (!err)
        return E_POINTER;
    set_blanket(err);
    hr = IBackgroundCopyError_GetError(err, &context, &code);
    if (SUCCEEDED(hr)) {
        e->code = code;
        e->context = (UINT32)context;
        hr = error_text(err, FALSE, &e->description);
    }
    if (SUCCEEDED(hr))
        hr = error_text(err, TRUE, &e->context_description);
    if (SUCCEEDED(hr)) {
        hr = IBackgroundCopyError_GetProtocol(err, &s);
        hr = optional_string(hr, s, &e->protocol);
    }
    if (SUCCEEDED(hr))
        hr = error_file_names(err, e);
    IBackgroundCopyError_Release(err);
    if (FAILED(hr))
        error_clear(e);
    return hr;
}

/* Optional properties: E_NOTIMPL (Wine: priority, error count, times,
 * owner) and the like leave 0; only a lost service fails the read (so it
 * can reconnect and start over). */
static HRESULT optional_value(HRESULT hr)
{
    return is_disconnect(hr) ? hr : S_OK;
}

static void info_clear(bw__info *in)
{
    free(in->display_name);
    free(in->description);
    free(in->owner);
    memset(in, 0, sizeof *in);
}

static UINT64 filetime_value(const FILETIME *ft)
{
    return ((UINT64)ft->dwHighDateTime << 32) | ft->dwLowDateTime;
}

static HRESULT op_info(bw__bjob *j, void *out)
{
    bw__info *in = out;
    BG_JOB_TYPE type;
    BG_JOB_PRIORITY priority = 0;
    ULONG errors = 0;
    BG_JOB_TIMES times;
    WCHAR *s;
    HRESULT hr;

    info_clear(in);
    in->id = j->id;
    hr = IBackgroundCopyJob_GetType(j->job, &type);
    if (SUCCEEDED(hr))
        in->type = (UINT32)type;
    if (SUCCEEDED(hr)) {
        HRESULT got = IBackgroundCopyJob_GetPriority(j->job, &priority);
        if (SUCCEEDED(got))
            in->priority = (UINT32)priority;
        hr = optional_value(got);
    }
    if (SUCCEEDED(hr)) {
        HRESULT got = IBackgroundCopyJob_GetErrorCount(j->job, &errors);
        if (SUCCEEDED(got))
            in->error_count = errors;
        hr = optional_value(got);
    }
    if (SUCCEEDED(hr)) {
        HRESULT got;
        memset(&times, 0, sizeof times);
        got = IBackgroundCopyJob_GetTimes(j->job, &times);
        if (SUCCEEDED(got)) {
            in->creation_time = filetime_value(&times.CreationTime);
            in->modification_time = filetime_value(&times.ModificationTime);
            in->completion_time = filetime_value(&times.TransferCompletionTime);
        }
        hr = optional_value(got);
    }
    /* Strings: not there is NULL. Wine answers E_NOTIMPL for the owner and,
     * across processes, 0x800703E6 (ERROR_NOACCESS, from marshalling an
     * unset out-pointer) for a job without a description. */
    if (SUCCEEDED(hr)) {
        s = NULL;
        hr = IBackgroundCopyJob_GetDisplayName(j->job, &s);
        hr = optional_string(hr, s, &in->display_name);
    }
    if (SUCCEEDED(hr)) {
        s = NULL;
        hr = IBackgroundCopyJob_GetDescription(j->job, &s);
        hr = optional_string(hr, s, &in->description);
    }
    if (SUCCEEDED(hr)) {
        s = NULL;
        hr = IBackgroundCopyJob_GetOwner(j->job, &s);
        hr = optional_string(hr, s, &in->owner);
    }
    if (SUCCEEDED(hr) && in->owner) {
        WCHAR *account = bw__owner_display_name(in->owner);
        if (!account)
            hr = E_OUTOFMEMORY;
        free(in->owner);
        in->owner = account;
    }
    if (FAILED(hr))
        info_clear(in);
    return hr;
}

struct enum_call {
    UINT32 flags;
    GUID *ids;
    UINT32 count;
};

/* The GUIDs of the jobs the enumerator hands out, in batches. A job that
 * went away meanwhile (its GetId fails) is left out. */
static HRESULT collect_ids(IEnumBackgroundCopyJobs *e, struct enum_call *c)
{
    UINT32 capacity = 0;
    HRESULT hr;

    for (;;) {
        IBackgroundCopyJob *batch[16];
        ULONG fetched = 0, i;

        hr = IEnumBackgroundCopyJobs_Next(e, 16, batch, &fetched);
        if (FAILED(hr))
            return hr;
        for (i = 0; i < fetched; i++) {
            GUID id;
            HRESULT got;

            set_blanket(batch[i]);
            got = IBackgroundCopyJob_GetId(batch[i], &id);
            IBackgroundCopyJob_Release(batch[i]);
            if (is_disconnect(got)) {
                hr = got;
                continue; /* release the rest of the batch */
            }
            if (FAILED(got) || FAILED(hr))
                continue;
            if (c->count == capacity) {
                UINT32 grown = capacity ? capacity * 2 : 16;
                GUID *more = realloc(c->ids, grown * sizeof(GUID));
                if (!more) {
                    hr = E_OUTOFMEMORY;
                    continue;
                }
                c->ids = more;
                capacity = grown;
            }
            c->ids[c->count++] = id;
        }
        if (FAILED(hr))
            return hr;
        if (hr == S_FALSE || fetched == 0)
            return S_OK;
    }
}

static HRESULT enum_on(IBackgroundCopyManager *mgr, struct enum_call *c)
{
    IEnumBackgroundCopyJobs *e = NULL;
    DWORD flags = (c->flags & BW_ENUM_ALL_USERS) ? BG_JOB_ENUM_ALL_USERS : 0;
    HRESULT hr = IBackgroundCopyManager_EnumJobs(mgr, flags, &e);

    if (FAILED(hr))
        return hr;
    if (!e)
        return E_POINTER;
    set_blanket(e);
    hr = collect_ids(e, c);
    IEnumBackgroundCopyJobs_Release(e);
    return hr;
}

static HRESULT enum_jobs_mta(void *arg)
{
    struct enum_call *c = arg;
    IBackgroundCopyManager *mgr;
    LONG generation;
    HRESULT hr = S_OK;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        free(c->ids);
        c->ids = NULL;
        c->count = 0;
        hr = manager_acquire(&mgr, &generation);
        if (FAILED(hr))
            break;
        hr = enum_on(mgr, c);
        IBackgroundCopyManager_Release(mgr);
        if (!is_disconnect(hr))
            break;
        manager_drop(generation);
    }
    if (FAILED(hr)) {
        free(c->ids);
        c->ids = NULL;
        c->count = 0;
    }
    return hr;
}

/* ---- The backend table -------------------------------------------------- */

struct open_call {
    const GUID *id;
    bw__bjob *job;
    UINT32 type;
};

static HRESULT open_job_mta(void *arg)
{
    struct open_call *c = arg;
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2;
    LONG generation;
    HRESULT hr;

    c->job = calloc(1, sizeof *c->job);
    if (!c->job)
        return E_OUTOFMEMORY;
    hr = open_with_reconnect(c->id, &job, &job2, &c->type, &generation);
    if (FAILED(hr)) {
        free(c->job);
        c->job = NULL;
        return hr;
    }
    c->job->id = *c->id;
    c->job->type = c->type;
    c->job->job = job;
    c->job->job2 = job2;
    c->job->generation = generation;
    return S_OK;
}

static HRESULT com_open_job(const GUID *id, bw__bjob **job, UINT32 *type)
{
    struct open_call c = {id, NULL, 0};
    HRESULT hr;

    if (!id || !job || !type)
        return E_POINTER;
    *job = NULL;
    hr = bw__com_run(open_job_mta, &c);
    if (SUCCEEDED(hr)) {
        *job = c.job;
        *type = c.type;
    }
    return hr;
}

static HRESULT close_job_mta(void *arg)
{
    bw__bjob *j = arg;
    if (j->job2)
        IBackgroundCopyJob2_Release(j->job2);
    IBackgroundCopyJob_Release(j->job);
    return S_OK;
}

static void com_close_job(bw__bjob *job)
{
    if (!job)
        return;
    /* Proxies are released in the apartment they belong to. bw__com_run
     * cannot fail here: opening the job went through it already. */
    bw__com_run(close_job_mta, job);
    free(job);
}

static HRESULT com_get_state(bw__bjob *job, UINT32 *state)
{
    if (!state)
        return E_POINTER;
    return run_job_op(job, op_state, state);
}

static HRESULT com_get_progress(bw__bjob *job, bw__progress *progress)
{
    if (!progress)
        return E_POINTER;
    return run_job_op(job, op_progress, progress);
}

static HRESULT com_get_reply_progress(bw__bjob *job, UINT64 *bytes_total, UINT64 *bytes_transferred)
{
    struct reply_out r = {bytes_total, bytes_transferred};
    if (!bytes_total || !bytes_transferred)
        return E_POINTER;
    return run_job_op(job, op_reply, &r);
}

static HRESULT com_get_error_code(bw__bjob *job, HRESULT *code, UINT32 *context)
{
    struct error_out e = {code, context};
    if (!code || !context)
        return E_POINTER;
    return run_job_op(job, op_error, &e);
}

static HRESULT com_complete(bw__bjob *job)
{
    return run_job_op(job, op_complete, NULL);
}

static HRESULT com_cancel(bw__bjob *job)
{
    return run_job_op(job, op_cancel, NULL);
}

static HRESULT com_suspend(bw__bjob *job)
{
    return run_job_op(job, op_suspend, NULL);
}

static HRESULT com_resume(bw__bjob *job)
{
    return run_job_op(job, op_resume, NULL);
}

static HRESULT com_get_error(bw__bjob *job, bw__error *error)
{
    if (!error)
        return E_POINTER;
    memset(error, 0, sizeof *error);
    return run_job_op(job, op_error_full, error);
}

static HRESULT com_get_info(bw__bjob *job, bw__info *info)
{
    if (!info)
        return E_POINTER;
    memset(info, 0, sizeof *info);
    return run_job_op(job, op_info, info);
}

static HRESULT com_enum_jobs(UINT32 flags, GUID **ids, UINT32 *count)
{
    struct enum_call c = {flags, NULL, 0};
    HRESULT hr;

    if (!ids || !count)
        return E_POINTER;
    *ids = NULL;
    *count = 0;
    hr = bw__com_run(enum_jobs_mta, &c);
    if (SUCCEEDED(hr)) {
        *ids = c.ids;
        *count = c.count;
    }
    return hr;
}

const bw__backend bw__default_backend = {
    com_open_job,
    com_close_job,
    com_get_state,
    com_get_progress,
    com_get_reply_progress,
    com_get_error_code,
    com_complete,
    com_cancel,
    com_suspend,
    com_resume,
    com_get_error,
    com_get_info,
    com_enum_jobs,
};

/* ---- Test seams --------------------------------------------------------- */

static HRESULT reset_mta(void *arg)
{
    manager_drop(-1);
    return S_OK;
}

void bw__com_reset(void)
{
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
