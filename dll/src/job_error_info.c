/*
 * job_error_info.c - BwJobGetError and BwJobGetInfo: the backend reads what
 * BITS has; the core fills the descriptions BITS gave no text for, so a caller
 * always has something to show, and hands every string to the caller.
 */
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

/* BITS' own words for each BG_ERROR_CONTEXT are the texts of the
 * BG_E_ERROR_CONTEXT_* codes; contexts without such a code get their own. */
static HRESULT context_code(UINT32 context)
{
    switch (context) {
    case BW_CONTEXT_UNKNOWN: return (HRESULT)0x80200007;
    case BW_CONTEXT_GENERAL_QUEUE_MANAGER: return (HRESULT)0x80200008;
    case BW_CONTEXT_QUEUE_MANAGER_NOTIFICATION: return (HRESULT)0x8020000C;
    case BW_CONTEXT_LOCAL_FILE: return (HRESULT)0x80200009;
    case BW_CONTEXT_REMOTE_FILE: return (HRESULT)0x8020000A;
    case BW_CONTEXT_GENERAL_TRANSPORT: return (HRESULT)0x8020000B;
    default: return S_OK;
    }
}

static WCHAR *context_text(UINT32 context)
{
    if (context == BW_CONTEXT_NONE)
        return bw__wcsdup_ascii("No error context.");
    if (context == BW_CONTEXT_REMOTE_APPLICATION)
        return bw__wcsdup_ascii("The error occurred in the server application that processes the upload.");
    HRESULT code = context_code(context);
    if (code == S_OK)
        return bw__wcsdup_ascii("The error occurred in an unknown location.");
    /* The table text without its symbolic name. */
    WCHAR *full = bw__format_message_dup(code);
    if (!full)
        return NULL;
    WCHAR *colon = full;
    while (*colon && *colon != ':')
        colon++;
    if (colon[0] == ':' && colon[1] == ' ')
        memmove(full, colon + 2, (bw__wcsnlen(colon + 2, (size_t)-1) + 1) * sizeof(WCHAR));
    return full;
}

static HRESULT read_error(bw__handle_data *d, void *arg)
{
    return bw__backend_get()->get_error(d->bjob, arg);
}

HRESULT BWAPI BwJobGetError(BW_JOB job, BW_ERROR *error)
{
    UINT32 cb;
    bw__error e;
    memset(&e, 0, sizeof e);
    HRESULT hr = bw__out_struct_begin(error, bw__error_size_ok, &cb);
    if (SUCCEEDED(hr))
        hr = bw__with_job(job, read_error, &e);
    if (FAILED(hr))
        return hr;

    if (!e.description)
        e.description = bw__format_message_dup(e.code);
    if (!e.context_description)
        e.context_description = context_text(e.context);

    BW_ERROR full;
    memset(&full, 0, sizeof full);
    full.cbSize = cb;
    full.ErrorCode = e.code;
    full.Context = e.context;
    full.Description = e.description;
    full.ContextDescription = e.context_description;
    full.RemoteName = e.remote_name;
    full.LocalName = e.local_name;
    full.Protocol = e.protocol;
    if (!full.Description || !full.ContextDescription) {
        BwFreeError(&full);
        return E_OUTOFMEMORY;
    }
    memcpy(error, &full, cb);
    return S_OK;
}

/* Frees a string of an out-struct and clears the field, so that freeing the
 * struct again does nothing. */
static void free_string(WCHAR **field)
{
    free(*field);
    *field = NULL;
}

/* The free functions' rule (bitswatch.h): safe after BwJobGetError/GetInfo
 * returned, whatever it returned. A NULL struct or one whose cbSize is not a
 * published size was never touched by the call (E_POINTER, E_INVALIDARG) and
 * may hold anything: leave it alone. Every other failure left it zeroed. Every
 * published size so far holds all the strings; a version that appends a string
 * must free it only when cbSize reaches it. */
void BWAPI BwFreeError(BW_ERROR *error)
{
    if (!error || !bw__error_size_ok(error->cbSize))
        return;
    free_string(&error->Description);
    free_string(&error->ContextDescription);
    free_string(&error->RemoteName);
    free_string(&error->LocalName);
    free_string(&error->Protocol);
}

static HRESULT read_info(bw__handle_data *d, void *arg)
{
    return bw__backend_get()->get_info(d->bjob, arg);
}

HRESULT BWAPI BwJobGetInfo(BW_JOB job, BW_INFO *info)
{
    UINT32 cb;
    bw__info in;
    memset(&in, 0, sizeof in);
    HRESULT hr = bw__out_struct_begin(info, bw__info_size_ok, &cb);
    if (SUCCEEDED(hr))
        hr = bw__with_job(job, read_info, &in);
    if (FAILED(hr))
        return hr;

    BW_INFO full;
    memset(&full, 0, sizeof full);
    full.cbSize = cb;
    full.Type = in.type;
    full.JobId = in.id;
    full.Priority = in.priority_known ? in.priority : BW_PRIORITY_UNKNOWN;
    full.ErrorCount = in.error_count;
    full.DisplayName = in.display_name;
    full.Description = in.description;
    full.Owner = in.owner;
    full.CreationTime = in.creation_time;
    full.ModificationTime = in.modification_time;
    full.TransferCompletionTime = in.completion_time;
    memcpy(info, &full, cb);
    return S_OK;
}

void BWAPI BwFreeInfo(BW_INFO *info)
{
    if (!info || !bw__info_size_ok(info->cbSize))
        return;
    free_string(&info->DisplayName);
    free_string(&info->Description);
    free_string(&info->Owner);
}
