/*
 * poll.c - reading a job with as few round trips as its state allows, and
 * telling what changed.
 *
 * Round trips: the state always (1). A full read adds the progress, the reply
 * of an upload-reply job, and the error code and context in an error state.
 * A read is full when the job can be moving (CONNECTING, TRANSFERRING), when
 * its state differs from the last snapshot, and when the last full read on
 * this handle is full_period_ms old or more (BW__FULL_READ_MS, 0.5 s, for
 * BwJobPoll; BW__SET_FULL_READ_MS, 5 s, for a BwJobPollMany set). Between full reads an idle job
 * (queued, suspended, failed, finished) costs one round trip: its bytes
 * rarely change without its state changing, and BwJobPoll's wait reads every
 * 10-50 ms, so while it waits on a quiet job most reads stay one round trip.
 * But "rarely" is not "never": between two polls a job can go QUEUED ->
 * TRANSFERRING -> QUEUED, fail again with another code, or get a file added
 * while suspended, all without a new state. The period bounds how long such a
 * change goes unseen, and a caller that polls less often than that (a timer
 * with timeout 0) gets a full read every time.
 *
 * This file is the poll engine: the read of a job (snapshot_read), the
 * locked read every caller shares (bw__poll_read: one read and compare
 * inside the handle's call, published for those outside it), the adaptive
 * back-off, the status a caller gets, and BwJobPoll's wait. BwJobPollMany
 * (poll_many.c) schedules the same reads over a set.
 */
#include <string.h>

#include "bw_core.h"

/* Both from the one state model (BwStateFlags, names.c). */
int bw__state_is_final(UINT32 state)
{
    UINT32 f = BwStateFlags(state);
    return (f & BW_STATE_FLAG_FINAL) ||
           ((f & BW_STATE_FLAG_OWNER_ACTION) && state != BW_STATE_SUSPENDED);
}

int bw__state_is_moving(UINT32 state)
{
    return (BwStateFlags(state) & BW_STATE_FLAG_TRANSFERRING) != 0;
}

static int state_has_error(UINT32 state)
{
    return state == BW_STATE_ERROR || state == BW_STATE_TRANSIENT_ERROR;
}

UINT32 bw__snapshot_diff(const bw__snapshot *a, const bw__snapshot *b)
{
    UINT32 changed = 0;
    if (a->state != b->state)
        changed |= BW_CHANGED_STATE;
    if (a->progress.bytes_total != b->progress.bytes_total ||
        a->progress.bytes_transferred != b->progress.bytes_transferred ||
        a->progress.files_total != b->progress.files_total ||
        a->progress.files_transferred != b->progress.files_transferred)
        changed |= BW_CHANGED_PROGRESS;
    if (a->reply_total != b->reply_total || a->reply_transferred != b->reply_transferred)
        changed |= BW_CHANGED_REPLY;
    if (a->error_code != b->error_code || a->error_context != b->error_context)
        changed |= BW_CHANGED_ERROR;
    return changed;
}

/* Reads the job at now_ms: the state, and everything else only when the
 * previous snapshot cannot stand for it or the last full read is
 * full_period_ms old (see the top of this file). Groups not read are copied
 * from w->last. Records a full read in w. */
static HRESULT snapshot_read(const bw__backend *be, bw__bjob *job, UINT32 type, bw__watch *w,
                             UINT64 now_ms, UINT32 full_period_ms, bw__snapshot *out)
{
    HRESULT hr = be->get_state(job, &out->state);
    if (FAILED(hr))
        return hr;

    /* The first read is full (has_last is set only by one), so full_read_ms
     * is set whenever the previous snapshot is used. */
    int full = !w->has_last || w->last.state != out->state || bw__state_is_moving(out->state) ||
               now_ms - w->full_read_ms >= full_period_ms;

    if (full) {
        hr = be->get_progress(job, &out->progress);
        if (FAILED(hr))
            return hr;
    } else {
        out->progress = w->last.progress;
    }

    out->reply_total = BW_SIZE_UNKNOWN;
    out->reply_transferred = 0;
    if (type == BW_TYPE_UPLOAD_REPLY) {
        if (full) {
            hr = be->get_reply_progress(job, &out->reply_total, &out->reply_transferred);
            if (hr == BW_E_NOT_UPLOAD_REPLY) {
                out->reply_total = BW_SIZE_UNKNOWN;
                out->reply_transferred = 0;
            } else if (FAILED(hr)) {
                return hr;
            }
        } else {
            out->reply_total = w->last.reply_total;
            out->reply_transferred = w->last.reply_transferred;
        }
    }

    out->error_code = S_OK;
    out->error_context = BW_CONTEXT_NONE;
    if (state_has_error(out->state)) {
        if (full) {
            hr = be->get_error_code(job, &out->error_code, &out->error_context);
            if (FAILED(hr))
                return hr;
        } else {
            out->error_code = w->last.error_code;
            out->error_context = w->last.error_context;
        }
    }

    if (full)
        w->full_read_ms = now_ms;
    return S_OK;
}

void bw__status_fill(BW_STATUS *st, UINT32 type, UINT64 sequence, const bw__read *r,
                     UINT32 changed)
{
    UINT32 cb = st->cbSize;
    const bw__snapshot *s = &r->s;
    BW_STATUS full;
    memset(&full, 0, sizeof full);
    full.cbSize = cb;
    full.State = s->state;
    full.Type = type;
    full.Changed = changed;
    full.Sequence = sequence;
    full.Timestamp = r->ft;
    full.BytesTotal = s->progress.bytes_total;
    full.BytesTransferred = s->progress.bytes_transferred;
    full.FilesTotal = s->progress.files_total;
    full.FilesTransferred = s->progress.files_transferred;
    full.ReplyBytesTotal = s->reply_total;
    full.ReplyBytesTransferred = s->reply_transferred;
    full.ErrorCode = s->error_code;
    full.ErrorContext = s->error_context;
    if (bw__state_is_moving(s->state)) {
        full.BytesPerSecond = r->bytes_per_second;
        full.EtaSeconds = bw__eta_seconds(full.BytesPerSecond, s->progress.bytes_total,
                                          s->progress.bytes_transferred);
    } else if (s->state == BW_STATE_TRANSFERRED || s->state == BW_STATE_ACKNOWLEDGED) {
        full.EtaSeconds = 0;
    } else {
        full.EtaSeconds = -1;
    }
    memcpy(st, &full, cb); /* cb is a published size: fill that prefix only */
}

HRESULT bw__poll_read(bw__handle_data *d, UINT32 full_period_ms, bw__read *r)
{
    bw__watch *w = &d->watch;
    if (bw__handle_closing(d))
        return E_HANDLE;
    HRESULT hr = snapshot_read(bw__backend_get(), d->bjob, d->type, w, bw__now_ms(),
                               full_period_ms, &r->s);
    if (FAILED(hr))
        return hr;

    r->ms = bw__now_ms();
    r->ft = bw__now_filetime();
    bw__watch_note_bytes(w, r->ms, r->s.progress.bytes_transferred);
    r->changed = w->has_last ? bw__snapshot_diff(&w->last, &r->s) : BW_CHANGED_ALL;
    if (bw__state_is_moving(r->s.state))
        bw__rate_add(&w->rate, r->ms, r->s.progress.bytes_transferred);
    else
        bw__rate_reset(&w->rate);
    r->bytes_per_second = bw__rate_get(&w->rate, r->ms);
    int first = !w->has_last;
    if (r->changed) {
        w->last = r->s;
        w->has_last = 1;
        w->sequence++;
        w->interval_ms = BW__WAIT_MIN_MS; /* changes come in bursts: look again soon */
    }

    bw__mutex_lock(d->wait_lock);
    bw__published *p = &d->pub;
    p->read = 1;
    p->last = w->last;
    p->sequence = w->sequence;
    p->interval_ms = w->interval_ms;
    p->read_ms = r->ms;
    p->read_ft = r->ft;
    p->bytes_per_second = r->bytes_per_second;
    if (r->changed) {
        p->change_ms = r->ms;
        p->changed_since_first |= !first;
    }
    int closing = d->closing;
    bw__mutex_unlock(d->wait_lock);
    if (closing) /* closed during the read: say so */
        return E_HANDLE;
    return r->changed ? S_OK : S_FALSE;
}

void bw__watch_note_bytes(bw__watch *w, UINT64 now_ms, UINT64 bytes)
{
    if (!w->seen) {
        w->seen = 1;
        w->seen_first_ms = w->seen_moved_ms = now_ms;
    } else if (bytes != w->seen_bytes) {
        w->seen_moved_ms = now_ms;
    }
    w->seen_bytes = bytes;
}

UINT32 bw__backoff(bw__handle_data *d)
{
    UINT32 interval = d->watch.interval_ms ? d->watch.interval_ms : BW__WAIT_MIN_MS;
    d->watch.interval_ms = interval * 2 > BW__WAIT_MAX_MS ? BW__WAIT_MAX_MS : interval * 2;
    bw__mutex_lock(d->wait_lock);
    d->pub.interval_ms = d->watch.interval_ms;
    bw__mutex_unlock(d->wait_lock);
    return interval;
}

HRESULT BWAPI BwJobPoll(BW_JOB job, UINT32 timeoutMs, BW_STATUS *status)
{
    UINT32 cb;
    HRESULT hr = bw__out_struct_begin(status, bw__status_size_ok, &cb);
    if (FAILED(hr))
        return hr;

    bw__handle_data *d = bw__handle_acquire(job, BW__KIND_JOB);
    if (!d)
        return E_HANDLE;

    UINT64 start = bw__now_ms();
    /* The call covers each read; it is left while sleeping, and a close ends
     * both the sleep and a wait for the call (another thread's slow read). */
    for (;;) {
        bw__read r;
        UINT32 wait = 0;
        hr = bw__call_enter(d);
        if (FAILED(hr))
            break;
        hr = bw__poll_read(d, BW__FULL_READ_MS, &r);
        if (SUCCEEDED(hr)) {
            UINT64 waited = r.ms - start;
            int timed_out = timeoutMs != BW_INFINITE && waited >= timeoutMs;
            if (hr == S_OK || timeoutMs == 0 || bw__state_is_final(r.s.state) || timed_out) {
                bw__status_fill(status, d->type, d->watch.sequence, &r, hr == S_OK ? r.changed : 0);
            } else {
                /* Adaptive: look again soon after a change, then back off to
                 * the maximum while the job is quiet. */
                wait = bw__backoff(d);
                if (timeoutMs != BW_INFINITE && wait > timeoutMs - waited)
                    wait = (UINT32)(timeoutMs - waited);
            }
        }
        bw__call_leave(d);
        if (FAILED(hr) || wait == 0)
            break;
        if (bw__handle_wait(d, wait)) { /* sleeps without the call; a close wakes it */
            hr = E_HANDLE;
            break;
        }
    }
    bw__handle_release(job, d);
    return hr;
}
