/*
 * backend_com.c - bw_backend.h on the BITS COM API.
 *
 * Each open job holds its IBackgroundCopyJob (and IBackgroundCopyJob2 when
 * the service has it); the manager lives in bits_manager.c, the reads made
 * on demand (error in full, properties, enumeration, census) in
 * job_details_com.c. Every call runs in the MTA through bw__com_run (a close
 * through bw__com_run_later), so the proxies are only ever touched from MTA
 * threads whatever the caller's apartment.
 *
 * When the service goes away (restarted, or crashed and restarted) the
 * proxies fail with RPC_S_SERVER_UNAVAILABLE, RPC_E_DISCONNECTED or
 * RPC_S_CALL_FAILED. A call that sees one of those reconnects once: a new
 * manager, the job reopened by its GUID (BG_E_NOT_FOUND if it did not
 * survive). Reads are then repeated; control calls only when they cannot
 * have run (job_call_mta below says which).
 *
 * Never calls SetNotifyInterface: BITS keeps one notify interface per job,
 * and taking it would silently cut off the program that owns the job.
 */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <bits.h>
#include <bits1_5.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bits_com.h"
#include "bw_core.h" /* BW_TRACE */

/* ---- Running an operation in the MTA, with one reconnect ---------------- */

/* A control call: what it sends, and the states that show it took effect. */
struct control {
    HRESULT (*send)(IBackgroundCopyJob *job);
    BOOL (*took_effect)(BG_JOB_STATE state);
};

struct job_call {
    bw__bjob *job;
    bw__com_job_op op;
    void *out;
    const struct control *control; /* NULL: a read */
};

/* A control call failed with RPC_S_CALL_FAILED: it met the service on its
 * way down and may have run. The reopened job's state tells: the call is
 * sent once more only if it did not take effect, and BITS' answer to that is
 * the result. Whenever the state cannot be read (the job is gone, the
 * service is still down) nobody can tell, and the original failure is the
 * answer: the caller has to look at the job itself. A job that is gone may
 * have been completed (Windows drops acknowledged jobs) or lost with the
 * service. */
static HRESULT settle_control(bw__bjob *j, const struct control *control, HRESULT failed)
{
    BG_JOB_STATE state;
    char id[40];
    HRESULT hr;

    if (FAILED(IBackgroundCopyJob_GetState(j->job, &state))) {
        BW_TRACE("settle: job %s: a control call failed with 0x%08X and the state cannot be read: "
                 "it may have run", bw__guid_text(&j->id, id), (unsigned)failed);
        return failed;
    }
    if (control->took_effect(state)) {
        BW_TRACE("settle: job %s: a control call failed with 0x%08X but took effect (state %u): S_OK",
                 bw__guid_text(&j->id, id), (unsigned)failed, (unsigned)state);
        return S_OK; /* BITS' own success code (BG_S_...) went with the lost reply */
    }
    hr = control->send(j->job);
    BW_TRACE("settle: job %s: a control call failed with 0x%08X and did not take effect (state %u): "
             "sent again: 0x%08X", bw__guid_text(&j->id, id), (unsigned)failed, (unsigned)state,
             (unsigned)hr);
    return hr;
}

/* The one place that decides what is sent again after the service went
 * away. A read changes nothing: after a reconnect it is repeated. A control
 * call (Complete, Cancel, Suspend, Resume) changes the job, and repeating
 * one that ran would report a wrong result (a Complete that ran, sent again,
 * says BG_E_NOT_FOUND or BG_E_INVALID_STATE): after RPC_S_SERVER_UNAVAILABLE
 * or RPC_E_DISCONNECTED it never reached a live service and is repeated;
 * after RPC_S_CALL_FAILED the job's state decides (settle_control). */
static HRESULT job_call_mta(void *arg)
{
    struct job_call *c = arg;
    HRESULT hr = c->op(c->job, c->out);
    HRESULT reopened;

    if (!bw__com_is_disconnect(hr))
        return hr;
    reopened = bw__com_reopen(c->job);
    {
        char id[40];
        BW_TRACE("reconnect: job %s: %s failed with 0x%08X (service gone); reconnected and reopened: "
                 "0x%08X", bw__guid_text(&c->job->id, id), c->control ? "a control call" : "a read",
                 (unsigned)hr, (unsigned)reopened);
    }
    if (c->control && bw__com_may_have_run(hr))
        return SUCCEEDED(reopened) ? settle_control(c->job, c->control, hr) : hr;
    if (FAILED(reopened))
        return reopened;
    return c->op(c->job, c->out);
}

static HRESULT run_call(struct job_call *c)
{
    if (!c->job)
        return E_HANDLE;
    return bw__com_run(job_call_mta, c);
}

HRESULT bw__com_run_job_op(bw__bjob *j, bw__com_job_op op, void *out)
{
    struct job_call c = {j, op, out, NULL};
    return run_call(&c);
}

static HRESULT op_control(bw__bjob *j, void *out)
{
    const struct control *control = out;
    return control->send(j->job);
}

static HRESULT run_control(bw__bjob *j, const struct control *control)
{
    struct job_call c = {j, op_control, (void *)control, control};
    return run_call(&c);
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
        if (bw__com_is_rpc_failure(hr))
            return hr;
        *e->code = hr;
        *e->context = BG_ERROR_CONTEXT_UNKNOWN;
        return S_OK;
    }
    if (!err)
        return E_POINTER;
    bw__com_set_blanket(err);
    hr = IBackgroundCopyError_GetError(err, &context, &code);
    IBackgroundCopyError_Release(err);
    if (SUCCEEDED(hr)) {
        *e->code = code;
        *e->context = (UINT32)context;
    }
    return hr;
}

/* ---- Control calls ------------------------------------------------------ */

/* BITS' success codes (BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES)
 * are returned as they are: the caller may want to know. */
static HRESULT send_complete(IBackgroundCopyJob *job)
{
    return IBackgroundCopyJob_Complete(job);
}

static HRESULT send_cancel(IBackgroundCopyJob *job)
{
    return IBackgroundCopyJob_Cancel(job);
}

static HRESULT send_suspend(IBackgroundCopyJob *job)
{
    return IBackgroundCopyJob_Suspend(job);
}

static HRESULT send_resume(IBackgroundCopyJob *job)
{
    return IBackgroundCopyJob_Resume(job);
}

/* Complete acknowledges a download in any state but ACKNOWLEDGED and
 * CANCELLED; a Complete that could not rename every file leaves the job
 * TRANSFERRED, so only ACKNOWLEDGED shows that it ran. */
static BOOL is_acknowledged(BG_JOB_STATE s)
{
    return s == BG_JOB_STATE_ACKNOWLEDGED;
}

static BOOL is_cancelled(BG_JOB_STATE s)
{
    return s == BG_JOB_STATE_CANCELLED;
}

static BOOL is_suspended(BG_JOB_STATE s)
{
    return s == BG_JOB_STATE_SUSPENDED;
}

/* Resume takes a job out of SUSPENDED or ERROR into the queue, from where it
 * may move on (even to TRANSFERRED) before the state is read. ACKNOWLEDGED
 * and CANCELLED jobs cannot be resumed: sent again, BITS says so. */
static BOOL is_resumed(BG_JOB_STATE s)
{
    return s != BG_JOB_STATE_SUSPENDED && s != BG_JOB_STATE_ERROR && s != BG_JOB_STATE_ACKNOWLEDGED &&
           s != BG_JOB_STATE_CANCELLED;
}

static const struct control complete_call = {send_complete, is_acknowledged};
static const struct control cancel_call = {send_cancel, is_cancelled};
static const struct control suspend_call = {send_suspend, is_suspended};
static const struct control resume_call = {send_resume, is_resumed};

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
    hr = bw__com_open_job_reconnect(c->id, &job, &job2, &c->type, &generation);
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

/* Jobs closed while bw__com_run_later could not reach the MTA (an STA
 * caller whose worker thread could not be started). Their proxies are live
 * and belong to the MTA: releasing them on the caller's thread would touch
 * them from the wrong apartment, and freeing the struct would lose the only
 * pointers to them. So they wait here, struct and all, and the next close
 * that reaches the MTA releases them. If none ever does, they leak
 * deliberately: a leak is better than a proxy used from the wrong apartment
 * or memory freed under it. */
static SRWLOCK g_orphan_lock = SRWLOCK_INIT;
static bw__bjob *g_orphans;

static void release_job(bw__bjob *j)
{
    if (j->job2)
        IBackgroundCopyJob2_Release(j->job2);
    IBackgroundCopyJob_Release(j->job);
    free(j);
}

/* In the MTA: this job and any left over from closes that could not get
 * here. */
static void close_job_mta(bw__com_later *item)
{
    bw__bjob *orphans;

    AcquireSRWLockExclusive(&g_orphan_lock);
    orphans = g_orphans;
    g_orphans = NULL;
    ReleaseSRWLockExclusive(&g_orphan_lock);
    while (orphans) {
        bw__bjob *next = orphans->next_orphan;
        release_job(orphans);
        orphans = next;
    }
    release_job(CONTAINING_RECORD(item, bw__bjob, close));
}

static void com_close_job(bw__bjob *job)
{
    if (!job)
        return;
    /* Proxies are released in the apartment they belong to, and nobody
     * needs to know when: an STA caller hands the release to the worker
     * thread without waiting, so a close never waits behind another STA
     * caller's call in flight there (which can take seconds). An MTA caller
     * releases them itself. bw__com_run_later fails only without running
     * close_job_mta (it could not reach the MTA): the job is kept for a
     * later close. */
    job->close.fn = close_job_mta;
    if (FAILED(bw__com_run_later(&job->close))) {
        AcquireSRWLockExclusive(&g_orphan_lock);
        job->next_orphan = g_orphans;
        g_orphans = job;
        ReleaseSRWLockExclusive(&g_orphan_lock);
    }
}

static HRESULT com_get_state(bw__bjob *job, UINT32 *state)
{
    if (!state)
        return E_POINTER;
    return bw__com_run_job_op(job, op_state, state);
}

static HRESULT com_get_progress(bw__bjob *job, bw__progress *progress)
{
    if (!progress)
        return E_POINTER;
    return bw__com_run_job_op(job, op_progress, progress);
}

static HRESULT com_get_reply_progress(bw__bjob *job, UINT64 *bytes_total, UINT64 *bytes_transferred)
{
    struct reply_out r = {bytes_total, bytes_transferred};
    if (!bytes_total || !bytes_transferred)
        return E_POINTER;
    return bw__com_run_job_op(job, op_reply, &r);
}

static HRESULT com_get_error_code(bw__bjob *job, HRESULT *code, UINT32 *context)
{
    struct error_out e = {code, context};
    if (!code || !context)
        return E_POINTER;
    return bw__com_run_job_op(job, op_error, &e);
}

static HRESULT com_complete(bw__bjob *job)
{
    return run_control(job, &complete_call);
}

static HRESULT com_cancel(bw__bjob *job)
{
    return run_control(job, &cancel_call);
}

static HRESULT com_suspend(bw__bjob *job)
{
    return run_control(job, &suspend_call);
}

static HRESULT com_resume(bw__bjob *job)
{
    return run_control(job, &resume_call);
}

static HRESULT com_get_error(bw__bjob *job, bw__error *error)
{
    if (!error)
        return E_POINTER;
    memset(error, 0, sizeof *error);
    return bw__com_run_job_op(job, bw__com_op_error_full, error);
}

static HRESULT com_get_info(bw__bjob *job, bw__info *info)
{
    if (!info)
        return E_POINTER;
    memset(info, 0, sizeof *info);
    return bw__com_run_job_op(job, bw__com_op_info, info);
}

static HRESULT com_enum_jobs(UINT32 flags, GUID **ids, UINT32 *count)
{
    struct enum_call c = {flags, NULL, 0};
    HRESULT hr;

    if (!ids || !count)
        return E_POINTER;
    *ids = NULL;
    *count = 0;
    hr = bw__com_run(bw__com_enum_jobs_mta, &c);
    if (SUCCEEDED(hr)) {
        *ids = c.ids;
        *count = c.count;
    }
    return hr;
}

static HRESULT com_count_jobs(UINT32 flags, UINT32 *count)
{
    struct count_call c = {flags, 0};
    HRESULT hr;

    if (!count)
        return E_POINTER;
    *count = 0;
    hr = bw__com_run(bw__com_count_jobs_mta, &c);
    if (SUCCEEDED(hr))
        *count = c.count;
    return hr;
}

static HRESULT com_get_details(bw__bjob *job, bw__details *details)
{
    if (!details)
        return E_POINTER;
    memset(details, 0, sizeof *details);
    return bw__com_run_job_op(job, bw__com_op_details, details);
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
    com_count_jobs,
    com_get_details,
};
