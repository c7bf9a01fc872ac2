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
 */
#include <string.h>

#include "bw_core.h"


UINT64 (*bw__clock_ms)(void) = bw__now_ms;

int bw__state_is_final(UINT32 state)
{
    return state == BW_STATE_TRANSFERRED || state == BW_STATE_ERROR ||
           state == BW_STATE_ACKNOWLEDGED || state == BW_STATE_CANCELLED;
}

int bw__state_is_moving(UINT32 state)
{
    return state == BW_STATE_CONNECTING || state == BW_STATE_TRANSFERRING;
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

HRESULT bw__snapshot_read(const bw__backend *be, bw__bjob *job, UINT32 type, bw__watch *w,
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
