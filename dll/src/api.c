/*
 * api.c - the exported functions that are one backend call: argument checks
 * first, then the handle, then the backend. Semantics are documented in
 * bitswatch.h. The poll engine is poll.c (BwJobPoll) and poll_many.c
 * (BwJobPollMany); the queue's census is census.c.
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
    hr = bw__handle_create(BW__KIND_JOB, bjob, NULL, type, jobId, job);
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
    return bw__handle_close(job, BW__KIND_JOB);
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
