/* fake_backend.c - see fake_backend.h. */
#include <stdlib.h>
#include <string.h>

#include "fake_backend.h"

#ifdef _WIN32
#include <windows.h>
static void sleep_ms(unsigned ms) { Sleep(ms); }
#else
#include <time.h>
static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

static fake_job g_jobs[FAKE_MAX_JOBS];
static unsigned g_count;
static bw__mutex *g_lock;

static fake_job *find(const GUID *id)
{
    for (unsigned i = 0; i < g_count; i++)
        if (memcmp(&g_jobs[i].id, id, sizeof *id) == 0)
            return &g_jobs[i];
    return NULL;
}

static HRESULT fake_open(const GUID *id, bw__bjob **job, UINT32 *type)
{
    bw__mutex_lock(g_lock);
    fake_job *j = find(id);
    HRESULT hr = BG_E_NOT_FOUND;
    if (j && FAILED(j->fail_hr)) {
        hr = j->fail_hr;
    } else if (j) {
        j->opened++;
        *job = (bw__bjob *)j;
        *type = j->type;
        hr = S_OK;
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

static void fake_close(bw__bjob *job)
{
    bw__mutex_lock(g_lock);
    ((fake_job *)job)->closed++;
    bw__mutex_unlock(g_lock);
}

unsigned fake_job_closed(const fake_job *j)
{
    bw__mutex_lock(g_lock);
    unsigned n = j->closed;
    bw__mutex_unlock(g_lock);
    return n;
}

static HRESULT fake_state(bw__bjob *job, UINT32 *state)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    unsigned delay = j->state_delay_ms;
    bw__mutex_unlock(g_lock);
    if (delay)
        sleep_ms(delay);
    bw__mutex_lock(g_lock);
    j->n_state++;
    HRESULT hr = j->fail_hr;
    if (SUCCEEDED(hr)) {
        *state = j->state;
        hr = S_OK;
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

static HRESULT fake_progress(bw__bjob *job, bw__progress *p)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    j->n_progress++;
    HRESULT hr = j->fail_hr;
    if (SUCCEEDED(hr)) {
        *p = j->progress;
        hr = S_OK;
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

static HRESULT fake_reply(bw__bjob *job, UINT64 *total, UINT64 *done)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    j->n_reply++;
    HRESULT hr = FAILED(j->fail_hr) ? j->fail_hr : j->reply_hr;
    if (SUCCEEDED(hr)) {
        *total = j->reply_total;
        *done = j->reply_transferred;
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

static HRESULT fake_error(bw__bjob *job, HRESULT *code, UINT32 *context)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    j->n_error++;
    HRESULT hr = j->fail_hr;
    if (SUCCEEDED(hr)) {
        *code = j->error_code;
        *context = j->error_context;
        hr = S_OK;
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

static HRESULT fake_control(bw__bjob *job)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    j->n_control++;
    HRESULT hr = FAILED(j->fail_hr) ? j->fail_hr : j->control_hr;
    bw__mutex_unlock(g_lock);
    return hr;
}

int fake_enum_admin;

static HRESULT fake_get_error(bw__bjob *job, bw__error *e)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    j->n_error++;
    HRESULT hr = j->fail_hr;
    if (SUCCEEDED(hr) && j->state != BW_STATE_ERROR && j->state != BW_STATE_TRANSIENT_ERROR)
        hr = (HRESULT)0x8020000F; /* BG_E_ERROR_INFORMATION_UNAVAILABLE, as BITS says */
    if (SUCCEEDED(hr)) {
        e->code = j->error_code;
        e->context = j->error_context;
        e->description = j->error_description ? bw__wcsdup_ascii(j->error_description) : NULL;
        e->remote_name = j->error_remote_name ? bw__wcsdup_ascii(j->error_remote_name) : NULL;
        e->local_name = j->error_local_name ? bw__wcsdup_ascii(j->error_local_name) : NULL;
        e->protocol = j->error_protocol ? bw__wcsdup_ascii(j->error_protocol) : NULL;
        hr = S_OK;
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

static HRESULT fake_get_info(bw__bjob *job, bw__info *info)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    j->n_info++;
    HRESULT hr = j->fail_hr;
    if (SUCCEEDED(hr)) {
        info->id = j->id;
        info->type = j->type;
        info->priority = j->priority_unknown ? 0 : j->priority;
        info->priority_known = !j->priority_unknown;
        info->owner_logon = j->owner_logon;
        info->error_count = j->error_count;
        info->display_name = j->display_name ? bw__wcsdup_ascii(j->display_name) : NULL;
        info->description = j->description ? bw__wcsdup_ascii(j->description) : NULL;
        info->owner = j->owner ? bw__wcsdup_ascii(j->owner) : NULL;
        info->creation_time = j->creation_time;
        info->modification_time = j->modification_time;
        info->completion_time = j->completion_time;
        hr = S_OK;
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

static WCHAR *dup_opt(const char *s) { return s ? bw__wcsdup_ascii(s) : NULL; }

static HRESULT fake_get_details(bw__bjob *job, bw__details *d)
{
    fake_job *j = (fake_job *)job;
    bw__mutex_lock(g_lock);
    j->n_details++;
    HRESULT hr = j->fail_hr;
    if (SUCCEEDED(hr)) {
        memset(d, 0, sizeof *d);
        d->known = j->details_known;
        if (d->known & BW_KNOWN_RETRY_DELAY)
            d->retry_delay = j->retry_delay;
        if (d->known & BW_KNOWN_NO_PROGRESS_TIMEOUT)
            d->no_progress_timeout = j->no_progress_timeout;
        if (d->known & BW_KNOWN_PROXY) {
            d->proxy_usage = j->proxy_usage;
            d->proxy_list = dup_opt(j->proxy_list);
            d->proxy_bypass = dup_opt(j->proxy_bypass);
        }
        if (d->known & BW_KNOWN_COST_FLAGS)
            d->cost_flags = j->cost_flags;
        if ((d->known & BW_KNOWN_FILES) && j->nfiles) {
            d->files = calloc(j->nfiles, sizeof *d->files);
            if (!d->files) {
                hr = E_OUTOFMEMORY;
            } else {
                d->file_count = j->nfiles;
                for (unsigned i = 0; i < j->nfiles; i++) {
                    d->files[i].remote_name = dup_opt(j->files[i].remote);
                    d->files[i].local_name = dup_opt(j->files[i].local);
                    d->files[i].bytes_total = j->files[i].total;
                    d->files[i].bytes_transferred = j->files[i].done;
                    d->files[i].completed = (UINT32)j->files[i].completed;
                }
            }
        }
        if (FAILED(hr))
            bw__details_clear(d);
    }
    bw__mutex_unlock(g_lock);
    return hr;
}

int fake_census;
unsigned fake_n_count, fake_n_enum;

static HRESULT fake_enum(UINT32 flags, GUID **ids, UINT32 *count)
{
    if ((flags & BW_ENUM_ALL_USERS) && !fake_enum_admin)
        return E_ACCESSDENIED;
    bw__mutex_lock(g_lock);
    fake_n_enum++;
    GUID *all = malloc((g_count ? g_count : 1) * sizeof(GUID));
    if (all) {
        unsigned n = 0;
        for (unsigned i = 0; i < g_count; i++)
            if (!g_jobs[i].left_queue)
                all[n++] = g_jobs[i].id;
        *ids = all;
        *count = n;
    }
    bw__mutex_unlock(g_lock);
    return all ? S_OK : E_OUTOFMEMORY;
}

static HRESULT fake_count(UINT32 flags, UINT32 *count)
{
    if (!fake_census)
        return E_NOTIMPL;
    if ((flags & BW_ENUM_ALL_USERS) && !fake_enum_admin)
        return E_ACCESSDENIED;
    bw__mutex_lock(g_lock);
    fake_n_count++;
    unsigned n = 0;
    for (unsigned i = 0; i < g_count; i++)
        n += !g_jobs[i].left_queue;
    *count = n;
    bw__mutex_unlock(g_lock);
    return S_OK;
}

void fake_job_leave(fake_job *j, UINT32 state)
{
    bw__mutex_lock(g_lock);
    j->state = state;
    j->left_queue = 1;
    bw__mutex_unlock(g_lock);
}

fake_job *fake_job_arrive(UINT32 type)
{
    bw__mutex_lock(g_lock);
    fake_job *j = fake_job_add(type);
    bw__mutex_unlock(g_lock);
    return j;
}

static const bw__backend k_fake = {
    fake_open,    fake_close,   fake_state,   fake_progress, fake_reply, fake_error,
    fake_control, fake_control, fake_control, fake_control,
    fake_get_error, fake_get_info, fake_enum, fake_count, fake_get_details,
};

void fake_backend_install(void)
{
    if (!g_lock)
        g_lock = bw__mutex_new();
    memset(g_jobs, 0, sizeof g_jobs);
    g_count = 0;
    fake_enum_admin = 0;
    fake_census = 0;
    fake_n_count = fake_n_enum = 0;
    bw__census_test_reset();
    bw__poll_many_test_reset_census_blind();
    bw__backend_set(&k_fake);
}

void fake_backend_uninstall(void)
{
    bw__backend_set(NULL);
}

fake_job *fake_job_add(UINT32 type)
{
    fake_job *j = &g_jobs[g_count++];
    memset(j, 0, sizeof *j);
    j->id.Data4[7] = (unsigned char)g_count;
    j->type = type;
    j->state = BW_STATE_QUEUED;
    j->progress.bytes_total = BW_SIZE_UNKNOWN;
    j->reply_hr = S_OK;
    j->reply_total = BW_SIZE_UNKNOWN;
    return j;
}

void fake_job_set_state(fake_job *j, UINT32 state)
{
    bw__mutex_lock(g_lock);
    j->state = state;
    bw__mutex_unlock(g_lock);
}

void fake_job_set_bytes(fake_job *j, UINT64 total, UINT64 transferred)
{
    bw__mutex_lock(g_lock);
    j->progress.bytes_total = total;
    j->progress.bytes_transferred = transferred;
    bw__mutex_unlock(g_lock);
}

unsigned fake_round_trips(const fake_job *j)
{
    return j->n_state + j->n_progress + j->n_reply + j->n_error;
}

void fake_job_reset_counters(fake_job *j)
{
    j->n_state = j->n_progress = j->n_reply = j->n_error = j->n_control = 0;
    j->n_info = j->n_details = 0;
}

void fake_job_guid_text(const fake_job *j, WCHAR *buf)
{
    static const char hex[] = "0123456789abcdef";
    const char *prefix = "{00000000-0000-0000-0000-0000000000";
    unsigned n = 0;
    while (*prefix)
        buf[n++] = (WCHAR)*prefix++;
    buf[n++] = (WCHAR)hex[j->id.Data4[7] >> 4];
    buf[n++] = (WCHAR)hex[j->id.Data4[7] & 15];
    buf[n++] = '}';
    buf[n] = 0;
}

fake_job *fake_job_at(unsigned i)
{
    return &g_jobs[i];
}
