/*
 * fake_bits.c - see fake_bits.h. Modelled on Wine's dlls/qmgr: each object
 * embeds its interface and finds itself with CONTAINING_RECORD.
 */
#define CONST_VTABLE
#include <initguid.h> /* the BITS IIDs (selectany, shared with the backend) */
#include "fake_bits.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void record(fake_call_site *site)
{
    site->thread = GetCurrentThreadId();
    site->apt_hr = CoGetApartmentType(&site->apt, &(APTTYPEQUALIFIER){0});
    InterlockedIncrement(&site->calls);
}

/* A CoTaskMemAlloc'ed copy, as BITS hands out strings. */
static HRESULT dup_out(const WCHAR *s, LPWSTR *out, HRESULT missing)
{
    size_t n;
    *out = NULL;
    if (!s)
        return missing;
    n = (wcslen(s) + 1) * sizeof(WCHAR);
    *out = CoTaskMemAlloc(n);
    if (!*out)
        return E_OUTOFMEMORY;
    memcpy(*out, s, n);
    return S_OK;
}

/* ---- IBackgroundCopyFile ------------------------------------------------ */

static inline fake_file *impl_from_IBackgroundCopyFile(IBackgroundCopyFile *iface)
{
    return CONTAINING_RECORD(iface, fake_file, IBackgroundCopyFile_iface);
}

static HRESULT STDMETHODCALLTYPE file_QueryInterface(IBackgroundCopyFile *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyFile)) {
        *ppv = iface;
        IBackgroundCopyFile_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE file_AddRef(IBackgroundCopyFile *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyFile(iface)->ref);
}

static ULONG STDMETHODCALLTYPE file_Release(IBackgroundCopyFile *iface)
{
    fake_file *f = impl_from_IBackgroundCopyFile(iface);
    LONG ref = InterlockedDecrement(&f->ref);
    if (ref == 0)
        free(f);
    return ref;
}

static HRESULT STDMETHODCALLTYPE file_GetRemoteName(IBackgroundCopyFile *iface, LPWSTR *name)
{
    return dup_out(impl_from_IBackgroundCopyFile(iface)->remote, name, E_NOTIMPL);
}

static HRESULT STDMETHODCALLTYPE file_GetLocalName(IBackgroundCopyFile *iface, LPWSTR *name)
{
    return dup_out(impl_from_IBackgroundCopyFile(iface)->local, name, E_NOTIMPL);
}

static HRESULT STDMETHODCALLTYPE file_GetProgress(IBackgroundCopyFile *iface, BG_FILE_PROGRESS *p)
{
    fake_file *f = impl_from_IBackgroundCopyFile(iface);
    if (!f->has_progress)
        return E_NOTIMPL;
    *p = f->progress;
    return S_OK;
}

static const IBackgroundCopyFileVtbl file_vtbl = {
    file_QueryInterface, file_AddRef,       file_Release,
    file_GetRemoteName,  file_GetLocalName, file_GetProgress,
};

fake_file *fake_file_new(const WCHAR *remote, const WCHAR *local)
{
    fake_file *f = calloc(1, sizeof *f);
    f->IBackgroundCopyFile_iface.lpVtbl = &file_vtbl;
    f->ref = 1;
    f->remote = remote;
    f->local = local;
    return f;
}

void fake_file_release(fake_file *f)
{
    IBackgroundCopyFile_Release(&f->IBackgroundCopyFile_iface);
}

/* ---- IBackgroundCopyError ----------------------------------------------- */

static inline fake_error *impl_from_IBackgroundCopyError(IBackgroundCopyError *iface)
{
    return CONTAINING_RECORD(iface, fake_error, IBackgroundCopyError_iface);
}

static HRESULT STDMETHODCALLTYPE error_QueryInterface(IBackgroundCopyError *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyError)) {
        *ppv = iface;
        IBackgroundCopyError_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE error_AddRef(IBackgroundCopyError *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyError(iface)->ref);
}

static ULONG STDMETHODCALLTYPE error_Release(IBackgroundCopyError *iface)
{
    fake_error *e = impl_from_IBackgroundCopyError(iface);
    LONG ref = InterlockedDecrement(&e->ref);
    if (ref == 0) {
        if (e->file)
            fake_file_release(e->file);
        free(e);
    }
    return ref;
}

static HRESULT STDMETHODCALLTYPE error_GetError(IBackgroundCopyError *iface, BG_ERROR_CONTEXT *context, HRESULT *code)
{
    fake_error *e = impl_from_IBackgroundCopyError(iface);
    *context = e->context;
    *code = e->code;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE error_GetFile(IBackgroundCopyError *iface, IBackgroundCopyFile **file)
{
    fake_error *e = impl_from_IBackgroundCopyError(iface);
    *file = NULL;
    if (!e->file)
        return BG_E_FILE_NOT_AVAILABLE;
    *file = &e->file->IBackgroundCopyFile_iface;
    IBackgroundCopyFile_AddRef(*file);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE error_GetErrorDescription(IBackgroundCopyError *iface, DWORD lang, LPWSTR *text)
{
    fake_error *e = impl_from_IBackgroundCopyError(iface);
    e->last_lang = lang;
    if (lang == 0)
        return E_INVALIDARG; /* as BITS */
    return dup_out(e->description, text, e->text_hr);
}

static HRESULT STDMETHODCALLTYPE error_GetErrorContextDescription(IBackgroundCopyError *iface, DWORD lang,
                                                                  LPWSTR *text)
{
    fake_error *e = impl_from_IBackgroundCopyError(iface);
    if (lang == 0)
        return E_INVALIDARG;
    return dup_out(e->context_description, text, e->text_hr);
}

static HRESULT STDMETHODCALLTYPE error_GetProtocol(IBackgroundCopyError *iface, LPWSTR *protocol)
{
    fake_error *e = impl_from_IBackgroundCopyError(iface);
    return dup_out(e->protocol, protocol, e->text_hr);
}

static const IBackgroundCopyErrorVtbl error_vtbl = {
    error_QueryInterface,   error_AddRef,
    error_Release,          error_GetError,
    error_GetFile,          error_GetErrorDescription,
    error_GetErrorContextDescription, error_GetProtocol,
};

fake_error *fake_error_new(HRESULT code, BG_ERROR_CONTEXT context)
{
    fake_error *e = calloc(1, sizeof *e);
    e->IBackgroundCopyError_iface.lpVtbl = &error_vtbl;
    e->ref = 1;
    e->code = code;
    e->context = context;
    e->text_hr = HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER); /* Wine, across processes */
    return e;
}

void fake_error_release(fake_error *e)
{
    IBackgroundCopyError_Release(&e->IBackgroundCopyError_iface);
}

/* ---- IBackgroundCopyJob / IBackgroundCopyJob2 --------------------------- */

static inline fake_job *impl_from_IBackgroundCopyJob2(IBackgroundCopyJob2 *iface)
{
    return CONTAINING_RECORD(iface, fake_job, IBackgroundCopyJob2_iface);
}

/* Records the call, takes the job's delay; a job whose service is gone
 * answers only that. */
#define JOB_ENTER(j)            \
    do {                        \
        record(&(j)->site);     \
        if ((j)->delay_ms)      \
            Sleep((j)->delay_ms); \
        if ((j)->dead_hr)       \
            return (j)->dead_hr; \
    } while (0)

static HRESULT STDMETHODCALLTYPE job_QueryInterface(IBackgroundCopyJob2 *iface, REFIID riid, void **ppv)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);

    *ppv = NULL;
    if (IsEqualGUID(riid, &IID_IClientSecurity))
        InterlockedIncrement(&j->blanket_queries);
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyJob) ||
        (j->has_job2 && IsEqualGUID(riid, &IID_IBackgroundCopyJob2))) {
        *ppv = iface;
        IBackgroundCopyJob2_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE job_AddRef(IBackgroundCopyJob2 *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyJob2(iface)->ref);
}

static ULONG STDMETHODCALLTYPE job_Release(IBackgroundCopyJob2 *iface)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    LONG ref = InterlockedDecrement(&j->ref);
    if (ref == 0) {
        if (j->error)
            fake_error_release(j->error);
        for (int i = 0; i < j->nfiles; i++)
            fake_file_release(j->files[i]);
        free(j);
    }
    return ref;
}

/* A control call: counted, interrupted once if the test asked for it, and
 * on success the job moves to the state the call leads to. */
static HRESULT control(fake_job *j, LONG *calls, HRESULT hr, BG_JOB_STATE to)
{
    HRESULT interrupted = j->interrupt_hr;

    InterlockedIncrement(calls);
    if (interrupted) {
        j->interrupt_hr = 0;
        if (j->interrupt_ran)
            j->state = to;
        return interrupted;
    }
    if (SUCCEEDED(hr))
        j->state = to;
    return hr;
}

static HRESULT STDMETHODCALLTYPE job_Suspend(IBackgroundCopyJob2 *iface)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    return control(j, &j->suspend_calls, j->suspend_hr, BG_JOB_STATE_SUSPENDED);
}

static HRESULT STDMETHODCALLTYPE job_Resume(IBackgroundCopyJob2 *iface)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    return control(j, &j->resume_calls, j->resume_hr, BG_JOB_STATE_QUEUED);
}

static HRESULT STDMETHODCALLTYPE job_Cancel(IBackgroundCopyJob2 *iface)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    return control(j, &j->cancel_calls, j->cancel_hr, BG_JOB_STATE_CANCELLED);
}

static HRESULT STDMETHODCALLTYPE job_Complete(IBackgroundCopyJob2 *iface)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    return control(j, &j->complete_calls, j->complete_hr, BG_JOB_STATE_ACKNOWLEDGED);
}

static HRESULT STDMETHODCALLTYPE job_GetId(IBackgroundCopyJob2 *iface, GUID *id)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    *id = j->id;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetType(IBackgroundCopyJob2 *iface, BG_JOB_TYPE *type)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    *type = j->type;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetProgress(IBackgroundCopyJob2 *iface, BG_JOB_PROGRESS *progress)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    *progress = j->progress;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetState(IBackgroundCopyJob2 *iface, BG_JOB_STATE *state)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    InterlockedIncrement(&j->state_calls);
    *state = j->state;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetError(IBackgroundCopyJob2 *iface, IBackgroundCopyError **error)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    *error = NULL;
    JOB_ENTER(j);
    if (FAILED(j->get_error_hr))
        return j->get_error_hr;
    if (!j->error)
        return BG_E_ERROR_INFORMATION_UNAVAILABLE;
    *error = &j->error->IBackgroundCopyError_iface;
    IBackgroundCopyError_AddRef(*error);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_SetNotifyInterface(IBackgroundCopyJob2 *iface, IUnknown *val)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    InterlockedIncrement(&j->set_notify_calls);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetReplyProgress(IBackgroundCopyJob2 *iface, BG_JOB_REPLY_PROGRESS *progress)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    InterlockedIncrement(&j->reply_calls);
    if (SUCCEEDED(j->reply_hr))
        *progress = j->reply;
    return j->reply_hr;
}

static HRESULT STDMETHODCALLTYPE job_GetTimes(IBackgroundCopyJob2 *iface, BG_JOB_TIMES *t)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    if (!j->has_props)
        return E_NOTIMPL;
    *t = j->times;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetPriority(IBackgroundCopyJob2 *iface, BG_JOB_PRIORITY *v)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    if (!j->has_props)
        return E_NOTIMPL;
    *v = j->priority;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetErrorCount(IBackgroundCopyJob2 *iface, ULONG *v)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    if (!j->has_props)
        return E_NOTIMPL;
    *v = j->error_count;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetOwner(IBackgroundCopyJob2 *iface, LPWSTR *v)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    *v = NULL;
    JOB_ENTER(j);
    return dup_out(j->has_props ? j->owner : NULL, v, j->missing_hr);
}

static HRESULT STDMETHODCALLTYPE job_GetDisplayName(IBackgroundCopyJob2 *iface, LPWSTR *v)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    *v = NULL;
    JOB_ENTER(j);
    return dup_out(j->display_name, v, j->missing_hr);
}

static HRESULT STDMETHODCALLTYPE job_GetDescription(IBackgroundCopyJob2 *iface, LPWSTR *v)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    *v = NULL;
    JOB_ENTER(j);
    return dup_out(j->description, v, j->missing_hr);
}

/* Methods the backend has no business calling: they fail loudly enough. */
#define JOB_UNUSED(name, ...)                                                               \
    static HRESULT STDMETHODCALLTYPE job_##name(IBackgroundCopyJob2 *iface, __VA_ARGS__)    \
    {                                                                                       \
        record(&impl_from_IBackgroundCopyJob2(iface)->site);                                \
        return E_NOTIMPL;                                                                   \
    }
JOB_UNUSED(AddFileSet, ULONG count, BG_FILE_INFO *set)
JOB_UNUSED(AddFile, LPCWSTR url, LPCWSTR local)
JOB_UNUSED(SetDisplayName, LPCWSTR v)
JOB_UNUSED(SetDescription, LPCWSTR v)
JOB_UNUSED(SetPriority, BG_JOB_PRIORITY v)
JOB_UNUSED(SetNotifyFlags, ULONG v)
JOB_UNUSED(GetNotifyFlags, ULONG *v)
JOB_UNUSED(GetNotifyInterface, IUnknown **v)
JOB_UNUSED(SetMinimumRetryDelay, ULONG s)
JOB_UNUSED(SetNoProgressTimeout, ULONG s)
JOB_UNUSED(SetProxySettings, BG_JOB_PROXY_USAGE u, const WCHAR *l, const WCHAR *b)
JOB_UNUSED(SetNotifyCmdLine, LPCWSTR prog, LPCWSTR params)
JOB_UNUSED(GetNotifyCmdLine, LPWSTR *prog, LPWSTR *params)
JOB_UNUSED(GetReplyData, byte **buffer, UINT64 *length)
JOB_UNUSED(SetReplyFileName, LPCWSTR name)
JOB_UNUSED(GetReplyFileName, LPWSTR *name)
JOB_UNUSED(SetCredentials, BG_AUTH_CREDENTIALS *cred)
JOB_UNUSED(RemoveCredentials, BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme)

/* ---- Details: the retry delay, timeout, proxy and the files' enumerator -- */

typedef struct fake_file_enum {
    IEnumBackgroundCopyFiles IEnumBackgroundCopyFiles_iface;
    LONG ref;
    fake_job *job; /* referenced */
    int next;
} fake_file_enum;

static inline fake_file_enum *impl_from_IEnumBackgroundCopyFiles(IEnumBackgroundCopyFiles *iface)
{
    return CONTAINING_RECORD(iface, fake_file_enum, IEnumBackgroundCopyFiles_iface);
}

static HRESULT STDMETHODCALLTYPE fenum_QueryInterface(IEnumBackgroundCopyFiles *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IEnumBackgroundCopyFiles)) {
        *ppv = iface;
        IEnumBackgroundCopyFiles_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE fenum_AddRef(IEnumBackgroundCopyFiles *iface)
{
    return InterlockedIncrement(&impl_from_IEnumBackgroundCopyFiles(iface)->ref);
}

static ULONG STDMETHODCALLTYPE fenum_Release(IEnumBackgroundCopyFiles *iface)
{
    fake_file_enum *e = impl_from_IEnumBackgroundCopyFiles(iface);
    LONG ref = InterlockedDecrement(&e->ref);
    if (ref == 0) {
        InterlockedDecrement(&e->job->live_file_enums);
        IBackgroundCopyJob2_Release(&e->job->IBackgroundCopyJob2_iface);
        free(e);
    }
    return ref;
}

static HRESULT STDMETHODCALLTYPE fenum_Next(IEnumBackgroundCopyFiles *iface, ULONG n,
                                            IBackgroundCopyFile **out, ULONG *fetched)
{
    fake_file_enum *e = impl_from_IEnumBackgroundCopyFiles(iface);
    ULONG got = 0;
    while (got < n && e->next < e->job->nfiles) {
        out[got] = &e->job->files[e->next++]->IBackgroundCopyFile_iface;
        IBackgroundCopyFile_AddRef(out[got]);
        got++;
    }
    if (fetched)
        *fetched = got;
    return got == n ? S_OK : S_FALSE;
}

static HRESULT STDMETHODCALLTYPE fenum_Skip(IEnumBackgroundCopyFiles *iface, ULONG n)
{
    return E_NOTIMPL;
}

static HRESULT STDMETHODCALLTYPE fenum_Reset(IEnumBackgroundCopyFiles *iface)
{
    impl_from_IEnumBackgroundCopyFiles(iface)->next = 0;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE fenum_Clone(IEnumBackgroundCopyFiles *iface, IEnumBackgroundCopyFiles **out)
{
    *out = NULL;
    return E_NOTIMPL;
}

static HRESULT STDMETHODCALLTYPE fenum_GetCount(IEnumBackgroundCopyFiles *iface, ULONG *count)
{
    *count = (ULONG)impl_from_IEnumBackgroundCopyFiles(iface)->job->nfiles;
    return S_OK;
}

static const IEnumBackgroundCopyFilesVtbl fenum_vtbl = {
    fenum_QueryInterface, fenum_AddRef, fenum_Release, fenum_Next,
    fenum_Skip,           fenum_Reset,  fenum_Clone,   fenum_GetCount,
};

static HRESULT STDMETHODCALLTYPE job_EnumFiles(IBackgroundCopyJob2 *iface, IEnumBackgroundCopyFiles **out)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    fake_file_enum *e;

    JOB_ENTER(j);
    *out = NULL;
    if (j->enum_files_hr)
        return j->enum_files_hr;
    e = calloc(1, sizeof *e);
    if (!e)
        return E_OUTOFMEMORY;
    e->IEnumBackgroundCopyFiles_iface.lpVtbl = &fenum_vtbl;
    e->ref = 1;
    e->job = j;
    IBackgroundCopyJob2_AddRef(iface);
    InterlockedIncrement(&j->live_file_enums);
    *out = &e->IEnumBackgroundCopyFiles_iface;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetMinimumRetryDelay(IBackgroundCopyJob2 *iface, ULONG *s)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    if (!j->has_details)
        return E_NOTIMPL;
    *s = j->retry_delay;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetNoProgressTimeout(IBackgroundCopyJob2 *iface, ULONG *s)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    JOB_ENTER(j);
    if (!j->has_details)
        return E_NOTIMPL;
    *s = j->no_progress_timeout;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE job_GetProxySettings(IBackgroundCopyJob2 *iface, BG_JOB_PROXY_USAGE *u,
                                                      LPWSTR *l, LPWSTR *b)
{
    fake_job *j = impl_from_IBackgroundCopyJob2(iface);
    HRESULT hr;
    JOB_ENTER(j);
    if (!j->has_details)
        return E_NOTIMPL;
    *u = j->proxy_usage;
    hr = dup_out(j->proxy_list, l, S_OK);
    if (SUCCEEDED(hr))
        hr = dup_out(j->proxy_bypass, b, S_OK);
    return hr;
}

static HRESULT STDMETHODCALLTYPE job_TakeOwnership(IBackgroundCopyJob2 *iface)
{
    record(&impl_from_IBackgroundCopyJob2(iface)->site);
    return E_NOTIMPL;
}

static const IBackgroundCopyJob2Vtbl job_vtbl = {
    job_QueryInterface,
    job_AddRef,
    job_Release,
    job_AddFileSet,
    job_AddFile,
    job_EnumFiles,
    job_Suspend,
    job_Resume,
    job_Cancel,
    job_Complete,
    job_GetId,
    job_GetType,
    job_GetProgress,
    job_GetTimes,
    job_GetState,
    job_GetError,
    job_GetOwner,
    job_SetDisplayName,
    job_GetDisplayName,
    job_SetDescription,
    job_GetDescription,
    job_SetPriority,
    job_GetPriority,
    job_SetNotifyFlags,
    job_GetNotifyFlags,
    job_SetNotifyInterface,
    job_GetNotifyInterface,
    job_SetMinimumRetryDelay,
    job_GetMinimumRetryDelay,
    job_SetNoProgressTimeout,
    job_GetNoProgressTimeout,
    job_GetErrorCount,
    job_SetProxySettings,
    job_GetProxySettings,
    job_TakeOwnership,
    job_SetNotifyCmdLine,
    job_GetNotifyCmdLine,
    job_GetReplyProgress,
    job_GetReplyData,
    job_SetReplyFileName,
    job_GetReplyFileName,
    job_SetCredentials,
    job_RemoveCredentials,
};

fake_job *fake_job_new(const GUID *id, BG_JOB_TYPE type, BG_JOB_STATE state)
{
    fake_job *j = calloc(1, sizeof *j);
    j->IBackgroundCopyJob2_iface.lpVtbl = &job_vtbl;
    j->ref = 1;
    j->id = *id;
    j->has_job2 = TRUE;
    j->type = type;
    j->state = state;
    j->progress.BytesTotal = BG_SIZE_UNKNOWN;
    j->reply_hr = E_NOTIMPL;
    j->get_error_hr = S_OK;
    j->missing_hr = E_NOTIMPL;
    return j;
}

void fake_job_release(fake_job *j)
{
    IBackgroundCopyJob2_Release(&j->IBackgroundCopyJob2_iface);
}

/* ---- IEnumBackgroundCopyJobs -------------------------------------------- */

typedef struct fake_enum {
    IEnumBackgroundCopyJobs IEnumBackgroundCopyJobs_iface;
    LONG ref;
    fake_manager *manager; /* referenced */
    int next;
} fake_enum;

static inline fake_enum *impl_from_IEnumBackgroundCopyJobs(IEnumBackgroundCopyJobs *iface)
{
    return CONTAINING_RECORD(iface, fake_enum, IEnumBackgroundCopyJobs_iface);
}

static HRESULT STDMETHODCALLTYPE enum_QueryInterface(IEnumBackgroundCopyJobs *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IClientSecurity))
        InterlockedIncrement(&impl_from_IEnumBackgroundCopyJobs(iface)->manager->enum_blanket_queries);
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IEnumBackgroundCopyJobs)) {
        *ppv = iface;
        IEnumBackgroundCopyJobs_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE enum_AddRef(IEnumBackgroundCopyJobs *iface)
{
    return InterlockedIncrement(&impl_from_IEnumBackgroundCopyJobs(iface)->ref);
}

static ULONG STDMETHODCALLTYPE enum_Release(IEnumBackgroundCopyJobs *iface)
{
    fake_enum *e = impl_from_IEnumBackgroundCopyJobs(iface);
    LONG ref = InterlockedDecrement(&e->ref);
    if (ref == 0) {
        InterlockedDecrement(&e->manager->live_enumerators);
        IBackgroundCopyManager_Release(&e->manager->IBackgroundCopyManager_iface);
        free(e);
    }
    return ref;
}

static HRESULT STDMETHODCALLTYPE enum_Next(IEnumBackgroundCopyJobs *iface, ULONG n, IBackgroundCopyJob **jobs,
                                           ULONG *fetched)
{
    fake_enum *e = impl_from_IEnumBackgroundCopyJobs(iface);
    ULONG got = 0;

    InterlockedIncrement(&e->manager->next_calls);
    if (e->manager->dead_hr)
        return e->manager->dead_hr;
    while (got < n && e->next < e->manager->njobs) {
        jobs[got] = (IBackgroundCopyJob *)&e->manager->jobs[e->next++]->IBackgroundCopyJob2_iface;
        IBackgroundCopyJob_AddRef(jobs[got]);
        got++;
    }
    if (fetched)
        *fetched = got;
    return got == n ? S_OK : S_FALSE;
}

static HRESULT STDMETHODCALLTYPE enum_Skip(IEnumBackgroundCopyJobs *iface, ULONG n)
{
    return E_NOTIMPL;
}

static HRESULT STDMETHODCALLTYPE enum_Reset(IEnumBackgroundCopyJobs *iface)
{
    impl_from_IEnumBackgroundCopyJobs(iface)->next = 0;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE enum_Clone(IEnumBackgroundCopyJobs *iface, IEnumBackgroundCopyJobs **out)
{
    *out = NULL;
    return E_NOTIMPL;
}

static HRESULT STDMETHODCALLTYPE enum_GetCount(IEnumBackgroundCopyJobs *iface, ULONG *count)
{
    fake_manager *m = impl_from_IEnumBackgroundCopyJobs(iface)->manager;

    InterlockedIncrement(&m->count_calls);
    *count = 0;
    if (m->dead_hr)
        return m->dead_hr;
    if (m->count_hr)
        return m->count_hr;
    *count = (ULONG)m->njobs;
    return S_OK;
}

static const IEnumBackgroundCopyJobsVtbl enum_vtbl = {
    enum_QueryInterface, enum_AddRef, enum_Release, enum_Next,
    enum_Skip,           enum_Reset,  enum_Clone,   enum_GetCount,
};

/* ---- IBackgroundCopyManager --------------------------------------------- */

static inline fake_manager *impl_from_IBackgroundCopyManager(IBackgroundCopyManager *iface)
{
    return CONTAINING_RECORD(iface, fake_manager, IBackgroundCopyManager_iface);
}

static HRESULT STDMETHODCALLTYPE manager_QueryInterface(IBackgroundCopyManager *iface, REFIID riid, void **ppv)
{
    fake_manager *m = impl_from_IBackgroundCopyManager(iface);

    *ppv = NULL;
    if (IsEqualGUID(riid, &IID_IClientSecurity))
        InterlockedIncrement(&m->blanket_queries);
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IBackgroundCopyManager)) {
        *ppv = iface;
        IBackgroundCopyManager_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE manager_AddRef(IBackgroundCopyManager *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyManager(iface)->ref);
}

static ULONG STDMETHODCALLTYPE manager_Release(IBackgroundCopyManager *iface)
{
    fake_manager *m = impl_from_IBackgroundCopyManager(iface);
    LONG ref = InterlockedDecrement(&m->ref);
    if (ref == 0)
        free(m);
    return ref;
}

static HRESULT STDMETHODCALLTYPE manager_CreateJob(IBackgroundCopyManager *iface, LPCWSTR name, BG_JOB_TYPE type,
                                                   GUID *id, IBackgroundCopyJob **job)
{
    record(&impl_from_IBackgroundCopyManager(iface)->site);
    *job = NULL;
    return E_NOTIMPL;
}

static HRESULT STDMETHODCALLTYPE manager_GetJob(IBackgroundCopyManager *iface, REFGUID id, IBackgroundCopyJob **job)
{
    fake_manager *m = impl_from_IBackgroundCopyManager(iface);
    int i;

    record(&m->site);
    InterlockedIncrement(&m->get_job_calls);
    *job = NULL;
    if (m->dead_hr)
        return m->dead_hr;
    for (i = 0; i < m->njobs; i++) {
        if (IsEqualGUID(id, &m->jobs[i]->id)) {
            *job = (IBackgroundCopyJob *)&m->jobs[i]->IBackgroundCopyJob2_iface;
            IBackgroundCopyJob_AddRef(*job);
            return S_OK;
        }
    }
    return BG_E_NOT_FOUND;
}

static HRESULT STDMETHODCALLTYPE manager_EnumJobs(IBackgroundCopyManager *iface, DWORD flags,
                                                  IEnumBackgroundCopyJobs **out)
{
    fake_manager *m = impl_from_IBackgroundCopyManager(iface);
    fake_enum *e;

    record(&m->site);
    InterlockedIncrement(&m->enum_calls);
    m->last_enum_flags = flags;
    *out = NULL;
    if (m->dead_hr)
        return m->dead_hr;
    if (m->all_users_hr && (flags & BG_JOB_ENUM_ALL_USERS))
        return m->all_users_hr;
    e = calloc(1, sizeof *e);
    if (!e)
        return E_OUTOFMEMORY;
    e->IEnumBackgroundCopyJobs_iface.lpVtbl = &enum_vtbl;
    e->ref = 1;
    e->manager = m;
    IBackgroundCopyManager_AddRef(iface);
    InterlockedIncrement(&m->live_enumerators);
    *out = &e->IEnumBackgroundCopyJobs_iface;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE manager_GetErrorDescription(IBackgroundCopyManager *iface, HRESULT hr, DWORD lang,
                                                             LPWSTR *text)
{
    record(&impl_from_IBackgroundCopyManager(iface)->site);
    *text = NULL;
    return E_NOTIMPL;
}

static const IBackgroundCopyManagerVtbl manager_vtbl = {
    manager_QueryInterface, manager_AddRef,   manager_Release,
    manager_CreateJob,      manager_GetJob,   manager_EnumJobs,
    manager_GetErrorDescription,
};

fake_manager *fake_manager_new(void)
{
    fake_manager *m = calloc(1, sizeof *m);
    m->IBackgroundCopyManager_iface.lpVtbl = &manager_vtbl;
    m->ref = 1;
    return m;
}

void fake_manager_add_job(fake_manager *m, fake_job *j)
{
    if (m->njobs == (int)(sizeof m->jobs / sizeof m->jobs[0]))
        abort(); /* a test that wants more makes the array larger */
    m->jobs[m->njobs++] = j;
}

void fake_manager_release(fake_manager *m)
{
    IBackgroundCopyManager_Release(&m->IBackgroundCopyManager_iface);
}
