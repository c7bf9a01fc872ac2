/* jsonjob.c - see jsonjob.h. */
#include "jsonjob.h"

/* The names are the library's stable identifiers (BwStateName, BwTypeName,
 * BwPriorityName, BwContextName: BITS' BG_* names in PascalCase); a value
 * the library does not know is null with its number. */
static const WCHAR *known(const WCHAR *name, UINT32 v, UINT32 count)
{
    return v < count ? name : NULL;
}

void bw_json_begin_line(bw_json *j, const char *kind)
{
    bw_json_begin(j, NULL);
    bw_json_u64(j, "schema", BW_JSON_SCHEMA);
    bw_json_str(j, "kind", kind);
}

/* An enumeration: "X": name or null, "XCode": number. */
static void enum_members(bw_json *j, const char *key, const char *code_key, const WCHAR *name,
                         UINT32 v)
{
    bw_json_wstr(j, key, name);
    bw_json_u64(j, code_key, v);
}

void bw_json_status_members(bw_json *j, const BW_STATUS *st, const WCHAR *error_text,
                            int with_type)
{
    enum_members(j, "State", "StateCode", known(BwStateName(st->State), st->State, 9), st->State);
    if (with_type)
        enum_members(j, "Type", "TypeCode", known(BwTypeName(st->Type), st->Type, 3), st->Type);
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
                      known(BwContextName(st->ErrorContext), st->ErrorContext, 9), st->ErrorContext);
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
    enum_members(j, "Type", "TypeCode", known(BwTypeName(info->Type), info->Type, 3), info->Type);
    if (info->Priority == BW_PRIORITY_UNKNOWN) { /* not reported (Wine) */
        bw_json_null(j, "Priority");
        bw_json_null(j, "PriorityCode");
    } else {
        enum_members(j, "Priority", "PriorityCode",
                     known(BwPriorityName(info->Priority), info->Priority, 4), info->Priority);
    }
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
    enum_members(j, "Context", "ContextCode", known(BwContextName(e->Context), e->Context, 9), e->Context);
    bw_json_wstr(j, "Description", e->Description);
    bw_json_wstr(j, "ContextDescription", e->ContextDescription);
    bw_json_wstr(j, "RemoteName", e->RemoteName);
    bw_json_wstr(j, "LocalName", e->LocalName);
    bw_json_wstr(j, "Protocol", e->Protocol);
    bw_json_end(j);
}
