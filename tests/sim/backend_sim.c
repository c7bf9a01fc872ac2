/*
 * backend_sim.c - a scripted BITS for the native shared library
 * libbitswatch_sim.so: the portable core's exports on top of a scenario file
 * (README.md), so the PowerShell module can be run for real on Linux.
 *
 * The scenario is named by BITSWATCH_SIM_SCENARIO, looked at again on every
 * call (getenv + stat: cheap) and reloaded when the name or the file's
 * identity (device, inode, size, mtime, ctime in nanoseconds) changed. Times
 * count from the (re)load. Handles hold the job's GUID, not a pointer into
 * the scenario, so they survive a reload when the job is still there.
 *
 * One mutex guards everything: calls are short (no I/O but the stat and the
 * occasional reload), and the core already runs calls on different jobs
 * concurrently, which this serializes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_scenario.h"

#define SIM_ENV "BITSWATCH_SIM_SCENARIO"

#define SIM_E_INVALID_STATE ((HRESULT)0x8020000EL)       /* BG_E_INVALID_STATE */
#define SIM_E_NO_ERROR_INFO ((HRESULT)0x8020000FL)       /* BG_E_ERROR_INFORMATION_UNAVAILABLE */
#define SIM_E_SERVER_UNAVAILABLE ((HRESULT)0x800706BAL)  /* RPC_S_SERVER_UNAVAILABLE */

/* An open job: which one (looked up on every call) and its type at open. */
struct bw__bjob {
    GUID id;
    UINT32 type;
};

/* What a job looks like at one moment. */
typedef struct sim_view {
    int present; /* 0: gone (BG_E_NOT_FOUND) */
    UINT32 state;
    bw__progress progress;
    UINT64 reply_total, reply_done;
    HRESULT error;
    UINT32 context;
    const WCHAR *text, *remote, *local; /* owned by the scenario */
    UINT64 modified_ft, completed_ft;
} sim_view;

/* The process' own changes to a job (control calls); reset on reload. */
typedef struct sim_run {
    int suspended;          /* by BwJobSuspend: the clock stands still */
    UINT64 suspended_at_ms;
    UINT64 shift_ms;        /* time spent suspended so far */
    int final;              /* cancelled or completed here: 'fixed' is the job */
    sim_view fixed;
    UINT64 control_ft;      /* FILETIME of the last control call that changed it */
} sim_run;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* All below guarded by g_lock. */
static char *g_path;        /* the name the scenario was loaded from, NULL: none */
static int g_exists;        /* the file was there at the load */
static struct stat g_stat;  /* its identity then */
static sim_scenario g_s;
static sim_run *g_run;      /* one per job of g_s */
static UINT64 g_load_ms;    /* monotonic time of the load */
static UINT64 g_load_ft;    /* wall-clock FILETIME of the load */

/* ---- Loading -------------------------------------------------------------- */

static void unload(void)
{
    sim_scenario_free(&g_s);
    free(g_run);
    g_run = NULL;
    free(g_path);
    g_path = NULL;
    g_exists = 0;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reads the whole file (NUL-terminated, malloc'd); NULL with a message. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f) {
        fprintf(stderr, "bitswatch_sim: %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t bigger = cap ? cap * 2 : 8192;
            char *b = realloc(buf, bigger);
            if (!b) {
                fprintf(stderr, "bitswatch_sim: %s: out of memory\n", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
            cap = bigger;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "bitswatch_sim: %s: cannot read: %s\n", path, strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Makes g_s the scenario BITSWATCH_SIM_SCENARIO names now. */
static void refresh(void)
{
    const char *path = getenv(SIM_ENV);
    struct stat st;
    if (!path || !*path) {
        if (g_path) /* the variable went away: no jobs */
            unload();
        return;
    }
    int exists = stat(path, &st) == 0;
    int stat_errno = errno;
    if (g_path && strcmp(g_path, path) == 0 && exists == g_exists &&
        (!exists || same_file(&st, &g_stat)))
        return;

    unload();
    g_path = strdup(path);
    if (!g_path)
        return; /* out of memory: no jobs; tried again on the next call */
    g_exists = exists;
    if (exists)
        g_stat = st;
    g_load_ms = bw__now_ms();
    g_load_ft = bw__now_filetime();
    if (!exists) {
        /* A missing file is "no jobs" (a test may write it later); anything
         * else is a mistake to show. */
        if (stat_errno != ENOENT)
            fprintf(stderr, "bitswatch_sim: %s: %s\n", path, strerror(stat_errno));
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "bitswatch_sim: %s: not a regular file\n", path);
        return;
    }
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text)
        return;
    if (sim_scenario_parse(text, len, path, &g_s) && g_s.njobs) {
        g_run = calloc(g_s.njobs, sizeof *g_run);
        if (!g_run) {
            fprintf(stderr, "bitswatch_sim: %s: out of memory\n", path);
            sim_scenario_free(&g_s);
        }
    }
    free(text);
}

/* ---- The timeline --------------------------------------------------------- */

/* a + (b - a) * num / den without overflow (bytes may also go down). */
static UINT64 lerp(UINT64 a, UINT64 b, UINT64 num, UINT64 den)
{
    if (b >= a)
        return a + (UINT64)((unsigned __int128)(b - a) * num / den);
    return a - (UINT64)((unsigned __int128)(a - b) * num / den);
}

static UINT64 ms_to_ft(UINT64 ms) { return g_load_ft + ms * 10000u; }

static int is_done_state(UINT32 s) { return s == BW_STATE_TRANSFERRED || s == BW_STATE_ACKNOWLEDGED; }
static int is_error_state(UINT32 s) { return s == BW_STATE_ERROR || s == BW_STATE_TRANSIENT_ERROR; }
static int is_closed_state(UINT32 s) { return s == BW_STATE_ACKNOWLEDGED || s == BW_STATE_CANCELLED; }

/* In the queue: there, and not acknowledged or cancelled. As on Windows, a
 * job leaves the queue when it is completed or cancelled (by a keyframe:
 * another program; or by this process' BwJobComplete/BwJobCancel): it is no
 * longer listed or counted and cannot be opened, but a handle opened before
 * still reads it (ACKNOWLEDGED / CANCELLED), as a held BITS job object does. */
static int in_queue(const sim_view *v) { return v->present && !is_closed_state(v->state); }

/* The job as its keyframes have it t ms after the load. */
static sim_view timeline_at(const sim_job *j, UINT64 t)
{
    sim_view v;
    memset(&v, 0, sizeof v);
    v.present = 1;
    v.state = BW_STATE_QUEUED; /* before its first `at` line */
    v.progress.bytes_total = BW_SIZE_UNKNOWN;
    v.reply_total = BW_SIZE_UNKNOWN;
    v.modified_ft = ms_to_ft(j->created_ms);
    if (t < j->created_ms) { /* another program has not created it yet */
        v.present = 0;
        return v;
    }

    size_t k = 0; /* keyframes passed */
    while (k < j->nkeys && j->keys[k].at_ms <= t)
        k++;
    if (k == 0)
        return v;
    const sim_key *c = &j->keys[k - 1];
    if (c->gone) {
        v.present = 0;
        return v;
    }
    v.state = c->state;
    v.progress.bytes_total = c->bytes_total;
    v.progress.bytes_transferred = c->bytes_done;
    v.progress.files_total = c->files_total;
    v.progress.files_transferred = c->files_done;
    v.reply_total = c->reply_total;
    v.reply_done = c->reply_done;
    v.error = c->error;
    v.context = c->context;
    v.text = c->text;
    v.remote = c->remote;
    v.local = c->local;
    v.modified_ft = ms_to_ft(c->at_ms);

    /* Between two TRANSFERRING keyframes the bytes move linearly. */
    const sim_key *next = k < j->nkeys ? &j->keys[k] : NULL;
    if (next && !next->gone && c->state == BW_STATE_TRANSFERRING &&
        next->state == BW_STATE_TRANSFERRING) {
        UINT64 num = t - c->at_ms, den = next->at_ms - c->at_ms; /* den > 0: next is after t */
        v.progress.bytes_transferred = lerp(c->bytes_done, next->bytes_done, num, den);
        v.reply_done = lerp(c->reply_done, next->reply_done, num, den);
    }

    /* Completed when the run of TRANSFERRED/ACKNOWLEDGED keyframes began. */
    if (is_done_state(c->state)) {
        size_t first = k - 1;
        while (first > 0 && !j->keys[first - 1].gone && is_done_state(j->keys[first - 1].state))
            first--;
        v.completed_ft = ms_to_ft(j->keys[first].at_ms);
    }
    return v;
}

/* The job's own clock: scenario time less the time it spent suspended. */
static UINT64 scenario_ms(UINT64 now) { return now > g_load_ms ? now - g_load_ms : 0; }

static UINT64 job_clock(const sim_run *r, UINT64 now)
{
    UINT64 t = scenario_ms(r->suspended ? r->suspended_at_ms : now);
    return t > r->shift_ms ? t - r->shift_ms : 0;
}

/* The job as the process sees it now: the timeline, then the control calls. */
static sim_view job_view(size_t i, UINT64 now)
{
    const sim_run *r = &g_run[i];
    sim_view v = timeline_at(&g_s.jobs[i], job_clock(r, now));
    if (!v.present) /* `gone` wins over everything */
        return v;
    if (r->final)
        return r->fixed;
    if (r->suspended) {
        v.state = BW_STATE_SUSPENDED;
        v.completed_ft = 0;
    }
    if (r->control_ft > v.modified_ft)
        v.modified_ft = r->control_ft;
    return v;
}

static const sim_window *service_down(UINT64 now)
{
    UINT64 t = scenario_ms(now);
    for (size_t i = 0; i < g_s.ndown; i++)
        if (t >= g_s.down[i].from_ms && t < g_s.down[i].to_ms)
            return &g_s.down[i];
    return NULL;
}

static int find_job(const GUID *id, size_t *index)
{
    for (size_t i = 0; i < g_s.njobs; i++) {
        if (memcmp(&g_s.jobs[i].id, id, sizeof *id) == 0) {
            *index = i;
            return 1;
        }
    }
    return 0;
}

/* The start of every call on an open job, with g_lock held: reload if the
 * file changed, then the service, then the job. *now is read after the
 * reload (a reload sets the clock's zero: the time read before it is less). */
static HRESULT begin_job(const bw__bjob *b, UINT64 *now, size_t *index, sim_view *v)
{
    refresh();
    *now = bw__now_ms();
    if (service_down(*now))
        return SIM_E_SERVER_UNAVAILABLE;
    if (!find_job(&b->id, index))
        return BG_E_NOT_FOUND;
    *v = job_view(*index, *now);
    return v->present ? S_OK : BG_E_NOT_FOUND;
}

/* ---- The backend ---------------------------------------------------------- */

static HRESULT sim_open(const GUID *id, bw__bjob **job, UINT32 *type)
{
    bw__bjob probe = {*id, 0};
    size_t i;
    sim_view v;
    *job = NULL;
    UINT64 now;
    pthread_mutex_lock(&g_lock);
    HRESULT hr = begin_job(&probe, &now, &i, &v);
    if (SUCCEEDED(hr) && !in_queue(&v))
        hr = BG_E_NOT_FOUND; /* it left the queue: BITS' GetJob no longer finds it */
    if (SUCCEEDED(hr)) {
        bw__bjob *b = malloc(sizeof *b);
        if (b) {
            b->id = *id;
            b->type = g_s.jobs[i].type;
            *job = b;
            *type = b->type;
        } else {
            hr = E_OUTOFMEMORY;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return hr;
}

static void sim_close(bw__bjob *job)
{
    free(job);
}

static HRESULT sim_state(bw__bjob *job, UINT32 *state)
{
    size_t i;
    sim_view v;
    pthread_mutex_lock(&g_lock);
    UINT64 now;
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (SUCCEEDED(hr))
        *state = v.state;
    pthread_mutex_unlock(&g_lock);
    return hr;
}

static HRESULT sim_progress(bw__bjob *job, bw__progress *p)
{
    size_t i;
    sim_view v;
    pthread_mutex_lock(&g_lock);
    UINT64 now;
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (SUCCEEDED(hr))
        *p = v.progress;
    pthread_mutex_unlock(&g_lock);
    return hr;
}

static HRESULT sim_reply(bw__bjob *job, UINT64 *total, UINT64 *done)
{
    size_t i;
    sim_view v;
    pthread_mutex_lock(&g_lock);
    UINT64 now;
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (SUCCEEDED(hr) && g_s.jobs[i].type != BW_TYPE_UPLOAD_REPLY)
        hr = BW_E_NOT_UPLOAD_REPLY;
    if (SUCCEEDED(hr)) {
        *total = v.reply_total;
        *done = v.reply_done;
    }
    pthread_mutex_unlock(&g_lock);
    return hr;
}

static HRESULT sim_error_code(bw__bjob *job, HRESULT *code, UINT32 *context)
{
    size_t i;
    sim_view v;
    pthread_mutex_lock(&g_lock);
    UINT64 now;
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (SUCCEEDED(hr)) {
        if (is_error_state(v.state) && v.error != S_OK) {
            *code = v.error;
            *context = v.context;
        } else {
            /* What the COM backend reports when BITS has no error object. */
            *code = SIM_E_NO_ERROR_INFO;
            *context = BW_CONTEXT_UNKNOWN;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return hr;
}

enum control { CONTROL_COMPLETE, CONTROL_CANCEL, CONTROL_SUSPEND, CONTROL_RESUME };

static HRESULT control(bw__bjob *job, enum control what)
{
    size_t i;
    sim_view v;
    UINT64 now;
    pthread_mutex_lock(&g_lock);
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (FAILED(hr))
        goto out;
    sim_run *r = &g_run[i];
    UINT64 now_ft = bw__now_filetime();
    switch (what) {
    case CONTROL_COMPLETE:
        if (v.state != BW_STATE_TRANSFERRED) {
            hr = SIM_E_INVALID_STATE;
            break;
        }
        r->final = 1;
        r->fixed = v;
        r->fixed.state = BW_STATE_ACKNOWLEDGED;
        r->fixed.modified_ft = now_ft;
        break;
    case CONTROL_CANCEL:
        if (is_closed_state(v.state)) {
            hr = SIM_E_INVALID_STATE;
            break;
        }
        if (r->suspended) { /* the clock runs again: a later `gone` still comes */
            r->shift_ms += now - r->suspended_at_ms;
            r->suspended = 0;
        }
        r->final = 1;
        r->fixed = v;
        r->fixed.state = BW_STATE_CANCELLED;
        r->fixed.error = S_OK;
        r->fixed.context = BW_CONTEXT_NONE;
        r->fixed.completed_ft = 0;
        r->fixed.modified_ft = now_ft;
        break;
    case CONTROL_SUSPEND:
        if (is_closed_state(v.state)) {
            hr = SIM_E_INVALID_STATE;
        } else if (!r->suspended) {
            r->suspended = 1;
            r->suspended_at_ms = now;
            r->control_ft = now_ft;
        }
        break;
    case CONTROL_RESUME:
        /* A job the scenario itself has SUSPENDED stays so: only what
         * BwJobSuspend froze can be resumed. */
        if (is_closed_state(v.state)) {
            hr = SIM_E_INVALID_STATE;
        } else if (r->suspended) {
            r->shift_ms += now - r->suspended_at_ms;
            r->suspended = 0;
            r->control_ft = now_ft;
        }
        break;
    }
out:
    pthread_mutex_unlock(&g_lock);
    return hr;
}

static HRESULT sim_complete(bw__bjob *job) { return control(job, CONTROL_COMPLETE); }
static HRESULT sim_cancel(bw__bjob *job) { return control(job, CONTROL_CANCEL); }
static HRESULT sim_suspend(bw__bjob *job) { return control(job, CONTROL_SUSPEND); }
static HRESULT sim_resume(bw__bjob *job) { return control(job, CONTROL_RESUME); }

/* "http" for http:// and https:// URLs, as BITS names the protocol. */
static int is_http(const WCHAR *url)
{
    static const char http[] = "http";
    if (!url)
        return 0;
    for (size_t i = 0; i < 4; i++) {
        WCHAR c = url[i];
        if (c >= 'A' && c <= 'Z')
            c = (WCHAR)(c + 32);
        if (c != (WCHAR)http[i])
            return 0;
    }
    return 1;
}

/* A copy of an optional string: 1 when done (NULL in, NULL out), 0 when out of memory. */
static int dup_opt(WCHAR **out, const WCHAR *text)
{
    *out = text ? bw__wcsdup(text) : NULL;
    return !text || *out;
}

static HRESULT sim_get_error(bw__bjob *job, bw__error *e)
{
    size_t i;
    sim_view v;
    memset(e, 0, sizeof *e);
    pthread_mutex_lock(&g_lock);
    UINT64 now;
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (SUCCEEDED(hr) && (!is_error_state(v.state) || v.error == S_OK))
        hr = SIM_E_NO_ERROR_INFO; /* as BITS answers outside an error */
    if (SUCCEEDED(hr)) {
        e->code = v.error;
        e->context = v.context;
        int ok = dup_opt(&e->description, v.text) && dup_opt(&e->remote_name, v.remote) &&
                 dup_opt(&e->local_name, v.local);
        if (ok && is_http(v.remote))
            ok = (e->protocol = bw__wcsdup_ascii("http")) != NULL;
        if (!ok) {
            free(e->description);
            free(e->remote_name);
            free(e->local_name);
            memset(e, 0, sizeof *e);
            hr = E_OUTOFMEMORY;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return hr;
}

static HRESULT sim_get_info(bw__bjob *job, bw__info *info)
{
    size_t i;
    sim_view v;
    memset(info, 0, sizeof *info);
    pthread_mutex_lock(&g_lock);
    UINT64 now;
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (SUCCEEDED(hr)) {
        const sim_job *j = &g_s.jobs[i];
        info->id = j->id;
        info->type = j->type;
        info->priority = j->priority;
        info->priority_known = j->priority != BW_PRIORITY_UNKNOWN;
        info->error_count = j->errors;
        info->creation_time = ms_to_ft(j->created_ms);
        info->modification_time = v.modified_ft;
        info->completion_time = is_done_state(v.state) ? v.completed_ft : 0;
        if (!dup_opt(&info->display_name, j->name) || !dup_opt(&info->description, j->description) ||
            !dup_opt(&info->owner, j->owner)) {
            free(info->display_name);
            free(info->description);
            free(info->owner);
            memset(info, 0, sizeof *info);
            hr = E_OUTOFMEMORY;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return hr;
}

/* The jobs in the queue now (in_queue), in file order: their GUIDs into ids
 * (NULL: count only; else room for every job of g_s) and their number into
 * *count. With g_lock held, after refresh(). */
static HRESULT list_jobs(UINT32 flags, GUID *ids, UINT32 *count)
{
    *count = 0;
    UINT64 now = bw__now_ms();
    if (service_down(now))
        return SIM_E_SERVER_UNAVAILABLE;
    if ((flags & BW_ENUM_ALL_USERS) && !g_s.admin)
        return E_ACCESSDENIED;
    UINT32 n = 0;
    for (size_t i = 0; i < g_s.njobs; i++) {
        sim_view v = job_view(i, now);
        if (!in_queue(&v))
            continue;
        if (ids)
            ids[n] = g_s.jobs[i].id;
        n++;
    }
    *count = n;
    return S_OK;
}

static HRESULT sim_enum(UINT32 flags, GUID **ids, UINT32 *count)
{
    *ids = NULL;
    *count = 0;
    pthread_mutex_lock(&g_lock);
    HRESULT hr;
    GUID *all = NULL;
    refresh(); /* once, before sizing the array: the number of jobs is g_s's */
    all = malloc((g_s.njobs ? g_s.njobs : 1) * sizeof *all);
    if (!all)
        hr = E_OUTOFMEMORY;
    else
        hr = list_jobs(flags, all, count);
    if (SUCCEEDED(hr))
        *ids = all;
    else
        free(all);
    pthread_mutex_unlock(&g_lock);
    return hr;
}

/* The census: what enum lists, counted (same reload, service, admin rules). */
static HRESULT sim_count(UINT32 flags, UINT32 *count)
{
    pthread_mutex_lock(&g_lock);
    refresh();
    HRESULT hr = list_jobs(flags, NULL, count);
    pthread_mutex_unlock(&g_lock);
    return hr;
}

/* Details (version 0.3): the scenario gives a job's file (remote=, local=)
 * and its bytes, nothing of the retry delay, timeout, proxy or cost: those
 * are unknown, as on a service that does not implement them. */
static HRESULT sim_get_details(bw__bjob *job, bw__details *d)
{
    size_t i;
    sim_view v;
    UINT64 now;
    memset(d, 0, sizeof *d);
    pthread_mutex_lock(&g_lock);
    HRESULT hr = begin_job(job, &now, &i, &v);
    if (SUCCEEDED(hr)) {
        d->known = BW_KNOWN_FILES;
        if (v.remote || v.local) {
            d->files = calloc(1, sizeof *d->files);
            if (!d->files || !dup_opt(&d->files[0].remote_name, v.remote) ||
                !dup_opt(&d->files[0].local_name, v.local)) {
                hr = E_OUTOFMEMORY;
            } else {
                d->file_count = 1;
                d->files[0].bytes_total = v.progress.bytes_total;
                d->files[0].bytes_transferred = v.progress.bytes_transferred;
                d->files[0].completed = is_done_state(v.state);
            }
        }
    }
    pthread_mutex_unlock(&g_lock);
    if (FAILED(hr)) {
        if (d->files) {
            free(d->files[0].remote_name);
            free(d->files[0].local_name);
        }
        free(d->files);
        memset(d, 0, sizeof *d);
    }
    return hr;
}

static const bw__backend k_sim = {
    sim_open,     sim_close,  sim_state,   sim_progress, sim_reply, sim_error_code,
    sim_complete, sim_cancel, sim_suspend, sim_resume,
    sim_get_error, sim_get_info, sim_enum,   sim_count, sim_get_details,
};

/* Loading the library installs the simulator: the exports use it from the
 * first call on (the scenario itself is read lazily, on that call). */
__attribute__((constructor)) static void sim_install(void)
{
    bw__backend_set(&k_sim);
}

/* Unloading (dlclose, exit) frees the scenario, so leak checkers see none. */
__attribute__((destructor)) static void sim_uninstall(void)
{
    pthread_mutex_lock(&g_lock);
    unload();
    pthread_mutex_unlock(&g_lock);
}

/* The one export beyond the .def's, for tests only (never in bitswatch.dll):
 * how many handles (BW_JOB and BW_QUEUE: one table) are open in this
 * process, so a test can check that a stopped command closed every handle it
 * opened. */
__attribute__((visibility("default"))) UINT32 BWAPI BwSimOpenHandles(void)
{
    return bw__handle_count();
}
