/*
 * details.c - BwJobGetDetails: the job's transfer settings and files, read on
 * demand (the backend reads; the core hands them to the caller).
 */
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

void bw__details_clear(bw__details *d)
{
    if (!d)
        return;
    free(d->proxy_list);
    free(d->proxy_bypass);
    for (UINT32 i = 0; d->files && i < d->file_count; i++) {
        free(d->files[i].remote_name);
        free(d->files[i].local_name);
    }
    free(d->files);
    memset(d, 0, sizeof *d);
}

static HRESULT read_details(bw__handle_data *d, void *arg)
{
    const bw__backend *be = bw__backend_get();
    if (!be->get_details)
        return S_OK; /* a backend that cannot: everything unknown */
    return be->get_details(d->bjob, arg);
}

HRESULT BWAPI BwJobGetDetails(BW_JOB job, BW_DETAILS *details)
{
    UINT32 cb;
    bw__details in;
    memset(&in, 0, sizeof in);
    HRESULT hr = bw__out_struct_begin(details, bw__details_size_ok, &cb);
    if (SUCCEEDED(hr))
        hr = bw__with_job(job, read_details, &in);
    if (FAILED(hr)) {
        bw__details_clear(&in);
        return hr;
    }

    BW_FILE *files = NULL;
    if (in.file_count) {
        files = calloc(in.file_count, sizeof *files);
        if (!files) {
            bw__details_clear(&in);
            return E_OUTOFMEMORY;
        }
        for (UINT32 i = 0; i < in.file_count; i++) {
            files[i].BytesTotal = in.files[i].bytes_total;
            files[i].BytesTransferred = in.files[i].bytes_transferred;
            files[i].Completed = in.files[i].completed ? 1u : 0u;
            files[i].RemoteName = in.files[i].remote_name; /* ownership moves */
            files[i].LocalName = in.files[i].local_name;
        }
        free(in.files);
    }
    BW_DETAILS full;
    memset(&full, 0, sizeof full);
    full.cbSize = cb;
    full.Known = in.known;
    full.MinimumRetryDelay = in.retry_delay;
    full.NoProgressTimeout = in.no_progress_timeout;
    full.ProxyUsage = in.proxy_usage;
    full.CostFlags = in.cost_flags;
    full.FileCount = in.file_count;
    full.ProxyList = in.proxy_list;
    full.ProxyBypassList = in.proxy_bypass;
    full.Files = files;
    memcpy(details, &full, cb);
    return S_OK;
}

/* The free functions' rule (bitswatch.h): safe after the call returned,
 * whatever it returned; a struct whose cbSize is not published was never
 * touched. */
void BWAPI BwFreeDetails(BW_DETAILS *details)
{
    if (!details || !bw__details_size_ok(details->cbSize))
        return;
    for (UINT32 i = 0; details->Files && i < details->FileCount; i++) {
        free(details->Files[i].RemoteName);
        free(details->Files[i].LocalName);
    }
    free(details->Files);
    free(details->ProxyList);
    free(details->ProxyBypassList);
    details->Files = NULL;
    details->FileCount = 0;
    details->ProxyList = NULL;
    details->ProxyBypassList = NULL;
}
