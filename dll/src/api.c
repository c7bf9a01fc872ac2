/*
 * api.c - the exported functions: argument checks first, then the handle,
 * then the backend. Semantics are documented in bitswatch.h.
 */
#include <string.h>

#include "bw_core.h"

#define BW__GUID_TEXT_MAX 40u /* "{8-4-4-4-12}" is 38 units: longer is malformed */

UINT32 BWAPI BwGetVersion(void)
{
    return BW_VERSION;
}

HRESULT BWAPI BwJobOpenById(const GUID *jobId, BW_JOB *job)
{
    bw__bjob *bjob = NULL;
    UINT32 type = 0;

    if (!job)
        return E_POINTER;
    *job = NULL;
    if (!jobId)
        return E_POINTER;

    const bw__backend *be = bw__backend_get();
    HRESULT hr = be->open_job(jobId, &bjob, &type);
    if (FAILED(hr))
        return hr;
    hr = bw__handle_create(bjob, type, job);
    if (FAILED(hr))
        be->close_job(bjob);
    return hr;
}

HRESULT BWAPI BwJobOpen(const WCHAR *jobId, BW_JOB *job)
{
    GUID id;

    if (!job)
        return E_POINTER;
    *job = NULL;
    if (!jobId)
        return E_POINTER;
    if (bw__wcsnlen(jobId, BW__GUID_TEXT_MAX) >= BW__GUID_TEXT_MAX || !bw__guid_parse(jobId, &id))
        return E_INVALIDARG;
    return BwJobOpenById(&id, job);
}

HRESULT BWAPI BwJobClose(BW_JOB job)
{
    return bw__handle_close(job);
}

void bw__status_fill(BW_STATUS *st, const bw__handle_data *d, const bw__snapshot *s,
                     UINT32 changed, UINT64 filetime, UINT64 now_ms)
{
    UINT32 cb = st->cbSize;
    BW_STATUS full;
    memset(&full, 0, sizeof full);
    full.cbSize = cb;
    full.State = s->state;
    full.Type = d->type;
    full.Changed = changed;
    full.Sequence = d->watch.sequence;
    full.Timestamp = filetime;
    full.BytesTotal = s->progress.bytes_total;
    full.BytesTransferred = s->progress.bytes_transferred;
    full.FilesTotal = s->progress.files_total;
    full.FilesTransferred = s->progress.files_transferred;
    full.ReplyBytesTotal = s->reply_total;
    full.ReplyBytesTransferred = s->reply_transferred;
    full.ErrorCode = s->error_code;
    full.ErrorContext = s->error_context;
    if (bw__state_is_moving(s->state)) {
        full.BytesPerSecond = bw__rate_get(&d->watch.rate, now_ms);
        full.EtaSeconds = bw__eta_seconds(full.BytesPerSecond, s->progress.bytes_total,
                                          s->progress.bytes_transferred);
    } else if (s->state == BW_STATE_TRANSFERRED || s->state == BW_STATE_ACKNOWLEDGED) {
        full.EtaSeconds = 0;
    } else {
        full.EtaSeconds = -1;
    }
    memcpy(st, &full, cb); /* cb is a published size: fill that prefix only */
}

/* One read and compare, with the handle's lock held. S_OK when something
 * changed, S_FALSE when not; *s is the snapshot read. */
HRESULT bw__poll_once(bw__handle_data *d, UINT32 full_period_ms, bw__snapshot *s,
                      UINT32 *changed, UINT64 *now_ms)
{
    bw__watch *w = &d->watch;
    HRESULT hr = bw__snapshot_read(bw__backend_get(), d->bjob, d->type, w, bw__clock_ms(),
                                   full_period_ms, s);
    if (FAILED(hr))
        return hr;

    *now_ms = bw__clock_ms();
    d->last_read_ms = *now_ms;
    d->last_read_ft = bw__now_filetime();
    *changed = w->has_last ? bw__snapshot_diff(&w->last, s) : BW_CHANGED_ALL;
    if (bw__state_is_moving(s->state))
        bw__rate_add(&w->rate, *now_ms, s->progress.bytes_transferred);
    else
        bw__rate_reset(&w->rate);
    if (!*changed)
        return S_FALSE;
    w->last = *s;
    w->has_last = 1;
    w->sequence++;
    d->last_change_ms = *now_ms;
    w->interval_ms = BW__WAIT_MIN_MS; /* changes come in bursts: look again soon */
    return S_OK;
}

HRESULT BWAPI BwJobPoll(BW_JOB job, UINT32 timeoutMs, BW_STATUS *status)
{
    UINT32 cb;
    HRESULT hr = bw__out_struct_begin(status, bw__status_size_ok, &cb);
    if (FAILED(hr))
        return hr;

    bw__handle_data *d = bw__handle_acquire(job);
    if (!d)
        return E_HANDLE;

    UINT64 start = bw__now_ms();
    /* The call lock covers the reads and the watch state; it is dropped
     * while sleeping, and BwJobClose never takes it (only the wait lock), so
     * a close neither waits for a read in flight nor misses a sleeper. */
    bw__mutex_lock(d->lock);
    for (;;) {
        bw__snapshot s;
        UINT32 changed = 0;
        UINT64 now;

        if (bw__handle_closing(d)) {
            hr = E_HANDLE;
            break;
        }
        hr = bw__poll_once(d, BW__FULL_READ_MS, &s, &changed, &now);
        if (FAILED(hr))
            break;
        if (bw__handle_closing(d)) { /* closed during the read: say so */
            hr = E_HANDLE;
            break;
        }
        if (hr == S_OK || timeoutMs == 0 || bw__state_is_final(s.state)) {
            bw__status_fill(status, d, &s, changed, d->last_read_ft, now);
            break;
        }
        UINT64 waited = now - start;
        if (timeoutMs != 0xFFFFFFFFu && waited >= timeoutMs) {
            bw__status_fill(status, d, &s, 0, d->last_read_ft, now);
            break;
        }
        /* Adaptive: look again soon after a change, then back off to the
         * maximum while the job is quiet. */
        UINT32 wait = bw__backoff(d);
        if (timeoutMs != 0xFFFFFFFFu && wait > timeoutMs - waited)
            wait = (UINT32)(timeoutMs - waited);
        /* Sleeps without any lock; BwJobClose wakes it at once. */
        bw__mutex_unlock(d->lock);
        int closing = bw__handle_wait(d, wait);
        bw__mutex_lock(d->lock);
        if (closing) {
            hr = E_HANDLE;
            break;
        }
    }
    bw__mutex_unlock(d->lock);
    bw__handle_release(job, d);
    return hr;
}

UINT32 bw__backoff(bw__handle_data *d)
{
    UINT32 interval = d->watch.interval_ms ? d->watch.interval_ms : BW__WAIT_MIN_MS;
    d->watch.interval_ms = interval * 2 > BW__WAIT_MAX_MS ? BW__WAIT_MAX_MS : interval * 2;
    return interval;
}

static HRESULT read_progress(bw__handle_data *d, void *arg)
{
    return bw__backend_get()->get_progress(d->bjob, arg);
}

HRESULT BWAPI BwJobGetProgress(BW_JOB job, BW_PROGRESS *progress)
{
    UINT32 cb;
    bw__progress p;
    HRESULT hr = bw__out_struct_begin(progress, bw__progress_size_ok, &cb);
    if (SUCCEEDED(hr))
        hr = bw__with_job(job, read_progress, &p);
    if (FAILED(hr))
        return hr;
    BW_PROGRESS full = {cb, p.files_total, p.files_transferred, 0, p.bytes_total,
                        p.bytes_transferred};
    memcpy(progress, &full, cb);
    return S_OK;
}

static HRESULT read_reply_progress(bw__handle_data *d, void *arg)
{
    UINT64 *totals = arg; /* [0] total, [1] transferred */
    if (d->type != BW_TYPE_UPLOAD_REPLY)
        return BW_E_NOT_UPLOAD_REPLY; /* known from the type: no round trip */
    return bw__backend_get()->get_reply_progress(d->bjob, &totals[0], &totals[1]);
}

HRESULT BWAPI BwJobGetReplyProgress(BW_JOB job, BW_REPLY_PROGRESS *progress)
{
    UINT32 cb;
    UINT64 totals[2] = {0, 0};
    HRESULT hr = bw__out_struct_begin(progress, bw__reply_progress_size_ok, &cb);
    if (SUCCEEDED(hr))
        hr = bw__with_job(job, read_reply_progress, totals);
    if (FAILED(hr))
        return hr;
    BW_REPLY_PROGRESS full = {cb, 0, totals[0], totals[1]};
    memcpy(progress, &full, cb);
    return S_OK;
}

/* Complete, Cancel, Suspend, Resume: one backend call on a live handle. */
typedef struct control_call {
    HRESULT (*op)(bw__bjob *job);
} control_call;

static HRESULT run_control(bw__handle_data *d, void *arg)
{
    return ((control_call *)arg)->op(d->bjob);
}

static HRESULT job_control(BW_JOB job, HRESULT (*op)(bw__bjob *))
{
    control_call c = {op};
    return bw__with_job(job, run_control, &c);
}

HRESULT BWAPI BwJobComplete(BW_JOB job) { return job_control(job, bw__backend_get()->complete); }
HRESULT BWAPI BwJobCancel(BW_JOB job) { return job_control(job, bw__backend_get()->cancel); }
HRESULT BWAPI BwJobSuspend(BW_JOB job) { return job_control(job, bw__backend_get()->suspend); }
HRESULT BWAPI BwJobResume(BW_JOB job) { return job_control(job, bw__backend_get()->resume); }

HRESULT BWAPI BwFormatMessage(HRESULT hr, WCHAR *buffer, UINT32 cch, UINT32 *needed)
{
    UINT32 len = 0;

    if (!buffer && cch > 0)
        return E_POINTER;
    if (buffer && cch > 0)
        buffer[0] = 0;
    bw__format_message(hr, buffer, cch, &len);
    if (needed)
        *needed = len + 1;
    if (len + 1 > cch)
        return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
    return S_OK;
}
