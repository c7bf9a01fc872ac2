/*
 * job_details_com.c - what is read on demand, never while polling: the error
 * in full (texts, failing file, protocol), the job's properties (owner
 * resolved to an account name), and the queue's job GUIDs. Each costs
 * several round trips.
 */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <bits.h>
#include <bits1_5.h>
#include <bits5_0.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bits_com.h"
#include "owner_name.h"

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
        return bw__com_is_disconnect(hr) ? hr : S_OK;
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
        return bw__com_is_disconnect(hr) ? hr : S_OK;
    bw__com_set_blanket(file);
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

HRESULT bw__com_op_error_full(bw__bjob *j, void *out)
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
    bw__com_set_blanket(err);
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
    return bw__com_is_disconnect(hr) ? hr : S_OK;
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

HRESULT bw__com_op_info(bw__bjob *j, void *out)
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
    in->priority = BW_PRIORITY_UNKNOWN; /* until GetPriority answers */
    hr = IBackgroundCopyJob_GetType(j->job, &type);
    if (SUCCEEDED(hr))
        in->type = (UINT32)type;
    if (SUCCEEDED(hr)) {
        HRESULT got = IBackgroundCopyJob_GetPriority(j->job, &priority);
        if (SUCCEEDED(got)) {
            in->priority = (UINT32)priority;
            in->priority_known = 1;
        }
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
        in->owner_logon = bw__owner_logon(in->owner);
        if (!account)
            hr = E_OUTOFMEMORY;
        free(in->owner);
        in->owner = account;
    }
    if (FAILED(hr))
        info_clear(in);
    return hr;
}

/* ---- Details (version 0.3) ---------------------------------------------- */

/* IBackgroundCopyJob5 (BITS 5.0): mingw's uuid library does not carry it. */
static const GUID bw_iid_job5 = {0xe847030c, 0xbbba, 0x4657, {0xaf, 0x6d, 0x48, 0x4a, 0xa4, 0x2b, 0xf1, 0xfe}};

/* Wine's BITS (dlls/qmgr/job.c, 8.0 to 10.0) answers GetMinimumRetryDelay
 * with 30 and GetNoProgressTimeout with 900 whatever the job's settings
 * (stubs that ignore the setters): S_OK with a wrong value. Under Wine those
 * two are therefore reported unknown. ntdll's wine_get_version is how a
 * program tells it runs on Wine. */
static LONG g_wine_override = -1; /* bw__com_test_set_wine */

void bw__com_test_set_wine(int wine)
{
    InterlockedExchange(&g_wine_override, wine);
}

static BOOL running_on_wine(void)
{
    LONG forced = InterlockedCompareExchange(&g_wine_override, 0, 0);
    HMODULE ntdll;

    if (forced >= 0)
        return forced != 0;
    ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

static HRESULT details_add_file(IBackgroundCopyFile *file, bw__details *d, UINT32 *capacity)
{
    BG_FILE_PROGRESS p;
    bw__file *f;
    WCHAR *s;
    HRESULT hr;

    if (d->file_count == *capacity) {
        UINT32 grown = *capacity ? *capacity * 2 : 4;
        bw__file *more = realloc(d->files, grown * sizeof *more);
        if (!more)
            return E_OUTOFMEMORY;
        d->files = more;
        *capacity = grown;
    }
    f = &d->files[d->file_count];
    memset(f, 0, sizeof *f);
    f->bytes_total = BW_SIZE_UNKNOWN;
    d->file_count++; /* counted at once: a failure below frees what it holds */
    bw__com_set_blanket(file);
    s = NULL;
    hr = IBackgroundCopyFile_GetRemoteName(file, &s);
    hr = optional_string(hr, s, &f->remote_name);
    if (SUCCEEDED(hr)) {
        s = NULL;
        hr = IBackgroundCopyFile_GetLocalName(file, &s);
        hr = optional_string(hr, s, &f->local_name);
    }
    if (SUCCEEDED(hr)) {
        HRESULT got = IBackgroundCopyFile_GetProgress(file, &p);
        if (SUCCEEDED(got)) {
            f->bytes_total = p.BytesTotal;
            f->bytes_transferred = p.BytesTransferred;
            f->completed = p.Completed ? 1u : 0u;
        }
        hr = optional_value(got);
    }
    return hr;
}

static HRESULT details_files(bw__bjob *j, bw__details *d)
{
    IEnumBackgroundCopyFiles *e = NULL;
    UINT32 capacity = 0;
    HRESULT hr = IBackgroundCopyJob_EnumFiles(j->job, &e);

    if (FAILED(hr) || !e)
        return optional_value(hr);
    bw__com_set_blanket(e);
    for (;;) {
        IBackgroundCopyFile *batch[16];
        ULONG fetched = 0, i;

        hr = IEnumBackgroundCopyFiles_Next(e, 16, batch, &fetched);
        if (FAILED(hr))
            break;
        for (i = 0; i < fetched; i++) {
            if (SUCCEEDED(hr))
                hr = details_add_file(batch[i], d, &capacity);
            IBackgroundCopyFile_Release(batch[i]);
        }
        if (FAILED(hr) || hr == S_FALSE || fetched == 0)
            break;
    }
    IEnumBackgroundCopyFiles_Release(e);
    if (SUCCEEDED(hr)) {
        d->known |= BW_KNOWN_FILES;
        return S_OK;
    }
    return hr == E_OUTOFMEMORY ? hr : optional_value(hr);
}

HRESULT bw__com_op_details(bw__bjob *j, void *out)
{
    bw__details *d = out;
    BOOL wine = running_on_wine();
    ULONG value = 0;
    HRESULT hr, got;

    bw__details_clear(d); /* a retry after reconnecting starts from nothing */
    got = IBackgroundCopyJob_GetMinimumRetryDelay(j->job, &value);
    if (SUCCEEDED(got) && !wine) {
        d->retry_delay = value;
        d->known |= BW_KNOWN_RETRY_DELAY;
    }
    hr = optional_value(got);
    if (SUCCEEDED(hr)) {
        value = 0;
        got = IBackgroundCopyJob_GetNoProgressTimeout(j->job, &value);
        if (SUCCEEDED(got) && !wine) {
            d->no_progress_timeout = value;
            d->known |= BW_KNOWN_NO_PROGRESS_TIMEOUT;
        }
        hr = optional_value(got);
    }
    if (SUCCEEDED(hr)) {
        BG_JOB_PROXY_USAGE usage = BG_JOB_PROXY_USAGE_PRECONFIG;
        WCHAR *list = NULL, *bypass = NULL;
        got = IBackgroundCopyJob_GetProxySettings(j->job, &usage, &list, &bypass);
        if (SUCCEEDED(got)) {
            d->proxy_usage = (UINT32)usage;
            d->known |= BW_KNOWN_PROXY;
            hr = optional_string(S_OK, list, &d->proxy_list);
            if (SUCCEEDED(hr))
                hr = optional_string(S_OK, bypass, &d->proxy_bypass);
            else if (bypass)
                CoTaskMemFree(bypass);
        } else {
            if (list)
                CoTaskMemFree(list);
            if (bypass)
                CoTaskMemFree(bypass);
            hr = optional_value(got);
        }
    }
    if (SUCCEEDED(hr))
        hr = details_files(j, d);
    if (SUCCEEDED(hr)) {
        IBackgroundCopyJob5 *job5 = NULL;
        got = IBackgroundCopyJob_QueryInterface(j->job, &bw_iid_job5, (void **)&job5);
        if (SUCCEEDED(got) && job5) {
            BITS_JOB_PROPERTY_VALUE v;
            bw__com_set_blanket(job5);
            memset(&v, 0, sizeof v);
            got = IBackgroundCopyJob5_GetProperty(job5, BITS_JOB_PROPERTY_ID_COST_FLAGS, &v);
            if (SUCCEEDED(got)) {
                d->cost_flags = v.Dword;
                d->known |= BW_KNOWN_COST_FLAGS;
            }
            IBackgroundCopyJob5_Release(job5);
        }
        hr = optional_value(got); /* E_NOINTERFACE (BITS < 5.0, Wine): unknown */
    }
    if (FAILED(hr))
        bw__details_clear(d);
    return hr;
}

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

            bw__com_set_blanket(batch[i]);
            got = IBackgroundCopyJob_GetId(batch[i], &id);
            IBackgroundCopyJob_Release(batch[i]);
            if (bw__com_is_disconnect(got)) {
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

/* Runs op on the current manager; if the service is gone, once more on a
 * new one. op starts from nothing each time. */
static HRESULT on_manager_reconnect(HRESULT (*op)(IBackgroundCopyManager *mgr, void *arg), void *arg)
{
    IBackgroundCopyManager *mgr;
    LONG generation;
    HRESULT hr = S_OK;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        hr = bw__com_manager_acquire(&mgr, &generation);
        if (FAILED(hr))
            break;
        hr = op(mgr, arg);
        IBackgroundCopyManager_Release(mgr);
        if (!bw__com_is_disconnect(hr))
            break;
        bw__com_manager_drop(generation);
    }
    return hr;
}

/* The queue's enumerator, with the blanket set like every other proxy.
 * BW_ENUM_ALL_USERS: BITS itself says E_ACCESSDENIED to non-administrators. */
static HRESULT open_enum(IBackgroundCopyManager *mgr, UINT32 flags, IEnumBackgroundCopyJobs **out)
{
    IEnumBackgroundCopyJobs *e = NULL;
    DWORD bg_flags = (flags & BW_ENUM_ALL_USERS) ? BG_JOB_ENUM_ALL_USERS : 0;
    HRESULT hr = IBackgroundCopyManager_EnumJobs(mgr, bg_flags, &e);

    *out = NULL;
    if (FAILED(hr))
        return hr;
    if (!e)
        return E_POINTER;
    bw__com_set_blanket(e);
    *out = e;
    return S_OK;
}

static void enum_clear(struct enum_call *c)
{
    free(c->ids);
    c->ids = NULL;
    c->count = 0;
}

static HRESULT enum_on(IBackgroundCopyManager *mgr, void *arg)
{
    struct enum_call *c = arg;
    IEnumBackgroundCopyJobs *e;
    HRESULT hr;

    enum_clear(c); /* a retry after reconnecting starts from nothing */
    hr = open_enum(mgr, c->flags, &e);
    if (FAILED(hr))
        return hr;
    hr = collect_ids(e, c);
    IEnumBackgroundCopyJobs_Release(e);
    return hr;
}

HRESULT bw__com_enum_jobs_mta(void *arg)
{
    HRESULT hr = on_manager_reconnect(enum_on, arg);

    if (FAILED(hr))
        enum_clear(arg);
    return hr;
}

/* The census: the enumerator's count, without handing out a single job, so
 * it costs the same round trips (EnumJobs, GetCount, Release) whatever the
 * number of jobs. The count is of the snapshot BITS took at EnumJobs. */
static HRESULT count_on(IBackgroundCopyManager *mgr, void *arg)
{
    struct count_call *c = arg;
    IEnumBackgroundCopyJobs *e;
    ULONG count = 0;
    HRESULT hr;

    c->count = 0;
    hr = open_enum(mgr, c->flags, &e);
    if (FAILED(hr))
        return hr;
    hr = IEnumBackgroundCopyJobs_GetCount(e, &count);
    IEnumBackgroundCopyJobs_Release(e);
    if (SUCCEEDED(hr))
        c->count = (UINT32)count;
    return hr;
}

HRESULT bw__com_count_jobs_mta(void *arg)
{
    return on_manager_reconnect(count_on, arg);
}
