/* jsonjob.c - see jsonjob.h. */
#include "jsonjob.h"

/* The names are this schema's, not the library's display texts: stable
 * identifiers (BITS' BG_* names in PascalCase), whatever later versions of
 * BwStateName or the CLI's line format say. */
static const char *name_of(const char *const *names, size_t n, UINT32 v)
{
    return v < n ? names[v] : NULL;
}

const char *bw_json_state_name(UINT32 state)
{
    static const char *const names[] = {"Queued", "Connecting", "Transferring",
                                        "Suspended", "Error", "TransientError",
                                        "Transferred", "Acknowledged", "Cancelled"};
    return name_of(names, sizeof names / sizeof names[0], state);
}

const char *bw_json_type_name(UINT32 type)
{
    static const char *const names[] = {"Download", "Upload", "UploadReply"};
    return name_of(names, sizeof names / sizeof names[0], type);
}

const char *bw_json_priority_name(UINT32 priority)
{
    static const char *const names[] = {"Foreground", "High", "Normal", "Low"};
    return name_of(names, sizeof names / sizeof names[0], priority);
}

const char *bw_json_context_name(UINT32 context)
{
    static const char *const names[] = {"None", "Unknown", "GeneralQueueManager",
                                        "QueueManagerNotification", "LocalFile", "RemoteFile",
                                        "GeneralTransport", "RemoteApplication",
                                        "ServerCertificateCallback"};
    return name_of(names, sizeof names / sizeof names[0], context);
}

void bw_json_begin_line(bw_json *j, const char *kind)
{
    bw_json_begin(j, NULL);
    bw_json_u64(j, "schema", BW_JSON_SCHEMA);
    bw_json_str(j, "kind", kind);
}

/* An enumeration: "X": name or null, "XCode": number. */
static void enum_members(bw_json *j, const char *key, const char *code_key, const char *name,
                         UINT32 v)
{
    bw_json_str(j, key, name);
    bw_json_u64(j, code_key, v);
}

void bw_json_status_members(bw_json *j, const BW_STATUS *st, const WCHAR *error_text,
                            int with_type)
{
    enum_members(j, "State", "StateCode", bw_json_state_name(st->State), st->State);
    if (with_type)
        enum_members(j, "Type", "TypeCode", bw_json_type_name(st->Type), st->Type);
    bw_json_u64(j, "Changed", st->Changed);
    bw_json_u64(j, "Sequence", st->Sequence);
    bw_json_filetime(j, "Timestamp", st->Timestamp);
    bw_json_size(j, "BytesTotal", st->BytesTotal);
    bw_json_u64(j, "BytesTransferred", st->BytesTransferred);
    bw_json_u64(j, "FilesTotal", st->FilesTotal);
    bw_json_u64(j, "FilesTransferred", st->FilesTransferred);
    bw_json_size(j, "ReplyBytesTotal", st->ReplyBytesTotal);
    bw_json_u64(j, "ReplyBytesTransferred", st->ReplyBytesTransferred);
    if (st->ErrorCode) {
        bw_json_hresult(j, "ErrorCode", st->ErrorCode);
        enum_members(j, "ErrorContext", "ErrorContextCode",
                      bw_json_context_name(st->ErrorContext), st->ErrorContext);
        bw_json_wstr(j, "ErrorText", error_text);
    } else {
        bw_json_null(j, "ErrorCode");
        bw_json_null(j, "ErrorContext");
        bw_json_null(j, "ErrorContextCode");
        bw_json_null(j, "ErrorText");
    }
    bw_json_double(j, "BytesPerSecond", st->BytesPerSecond);
    if (st->EtaSeconds < 0)
        bw_json_null(j, "EtaSeconds");
    else
        bw_json_i64(j, "EtaSeconds", st->EtaSeconds);
}

void bw_json_info_members(bw_json *j, const BW_INFO *info)
{
    bw_json_guid(j, "JobId", &info->JobId);
    bw_json_wstr(j, "DisplayName", info->DisplayName);
    bw_json_wstr(j, "Description", info->Description);
    bw_json_wstr(j, "Owner", info->Owner);
    enum_members(j, "Type", "TypeCode", bw_json_type_name(info->Type), info->Type);
    enum_members(j, "Priority", "PriorityCode", bw_json_priority_name(info->Priority),
                 info->Priority);
    bw_json_filetime(j, "CreationTime", info->CreationTime);
    bw_json_filetime(j, "ModificationTime", info->ModificationTime);
    bw_json_filetime(j, "TransferCompletionTime", info->TransferCompletionTime);
    bw_json_u64(j, "ErrorCount", info->ErrorCount);
}

void bw_json_error_object(bw_json *j, const char *key, const BW_ERROR *e)
{
    if (!e) {
        bw_json_null(j, key);
        return;
    }
    bw_json_begin(j, key);
    bw_json_hresult(j, "ErrorCode", e->ErrorCode);
    enum_members(j, "Context", "ContextCode", bw_json_context_name(e->Context), e->Context);
    bw_json_wstr(j, "Description", e->Description);
    bw_json_wstr(j, "ContextDescription", e->ContextDescription);
    bw_json_wstr(j, "RemoteName", e->RemoteName);
    bw_json_wstr(j, "LocalName", e->LocalName);
    bw_json_wstr(j, "Protocol", e->Protocol);
    bw_json_end(j);
}
