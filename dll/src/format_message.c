/*
 * format_message.c - text for any HRESULT.
 *
 * BITS codes get their symbolic name and meaning from our own table: the
 * system's message table for them lives in BITS' own DLLs, is missing on Wine,
 * and has no symbolic names. HTTP codes (0x8019xxxx) become "HTTP 404 Not
 * Found". Everything else goes to the system (FormatMessageW on Windows).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bw_core.h"

typedef struct bw__code_text {
    UINT32 code;
    const char *name;
    const char *text;
} bw__code_text;

static const bw__code_text k_codes[] = {
    {0x00200006u, "BG_S_ERROR_CONTEXT_NONE", "No error context is available."},
    {0x00200017u, "BG_S_PARTIAL_COMPLETE", "Some of the files of the job were transferred; the others were deleted."},
    {0x0020001Au, "BG_S_UNABLE_TO_DELETE_FILES", "The job was cancelled or completed, but BITS could not delete all of its temporary files."},
    {0x00200055u, "BG_S_OVERRIDDEN_BY_POLICY", "The setting was overridden by a group policy."},
    {0x80200001u, "BG_E_NOT_FOUND", "The requested job was not found."},
    {0x80200002u, "BG_E_INVALID_STATE", "The requested action is not allowed in the current job state."},
    {0x80200003u, "BG_E_EMPTY", "The job has no files."},
    {0x80200004u, "BG_E_FILE_NOT_AVAILABLE", "No file is available because no URL generated an error."},
    {0x80200005u, "BG_E_PROTOCOL_NOT_AVAILABLE", "No protocol is available because no URL generated an error."},
    {0x80200007u, "BG_E_ERROR_CONTEXT_UNKNOWN", "The error occurred in an unknown location."},
    {0x80200008u, "BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER", "The error occurred in the BITS queue manager."},
    {0x80200009u, "BG_E_ERROR_CONTEXT_LOCAL_FILE", "The error occurred while processing the local file."},
    {0x8020000Au, "BG_E_ERROR_CONTEXT_REMOTE_FILE", "The error occurred while processing the remote file."},
    {0x8020000Bu, "BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT", "The error occurred in the transport layer."},
    {0x8020000Cu, "BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION", "The error occurred while processing the notification callback."},
    {0x8020000Du, "BG_E_DESTINATION_LOCKED", "The destination file system volume is not available."},
    {0x8020000Eu, "BG_E_VOLUME_CHANGED", "The destination volume has changed."},
    {0x8020000Fu, "BG_E_ERROR_INFORMATION_UNAVAILABLE", "No error information is available (the job is not in an error state, or BITS recorded no error)."},
    {0x80200010u, "BG_E_NETWORK_DISCONNECTED", "No network connection is active on this computer."},
    {0x80200011u, "BG_E_MISSING_FILE_SIZE", "The server did not return the file size; the URL might point to dynamic content."},
    {0x80200012u, "BG_E_INSUFFICIENT_HTTP_SUPPORT", "The server does not support HTTP 1.1."},
    {0x80200013u, "BG_E_INSUFFICIENT_RANGE_SUPPORT", "The server does not support the Range header."},
    {0x80200014u, "BG_E_REMOTE_NOT_SUPPORTED", "Remote use of BITS is not supported."},
    {0x8020001Cu, "BG_E_TOO_MANY_FILES", "The job cannot take more files."},
    {0x8020001Du, "BG_E_LOCAL_FILE_CHANGED", "The local file was changed during the transfer."},
    {0x80200020u, "BG_E_TOO_LARGE", "The file is too large for this operation."},
    {0x80200024u, "BG_E_NO_PROGRESS", "The job made no progress within its no-progress timeout."},
    {0x8020002Du, "BG_E_CONNECT_FAILURE", "BITS could not connect to the server."},
    {0x8020003Bu, "BG_E_TIMEOUT", "The operation timed out."},
    {0x8020003Eu, "BG_E_BLOCKED_BY_POLICY", "A group policy setting blocks the operation."},
    {0x80200040u, "BG_E_INVALID_CREDENTIALS", "The credentials are not valid."},
    {0x80200042u, "BG_E_RECORD_DELETED", "The job record was deleted."},
    {0x80200049u, "BG_E_TOO_MANY_JOBS_PER_USER", "The user has reached the maximum number of jobs."},
    {0x80200050u, "BG_E_TOO_MANY_JOBS_PER_MACHINE", "The computer has reached the maximum number of jobs."},
    {0x80200051u, "BG_E_TOO_MANY_FILES_IN_JOB", "The job has reached the maximum number of files."},
    {0x80200052u, "BG_E_TOO_MANY_RANGES_IN_FILE", "The file has reached the maximum number of ranges."},
    {0x80200053u, "BG_E_VALIDATION_FAILED", "The server's file failed validation."},
    {0x80200054u, "BG_E_MAXDOWNLOAD_TIMEOUT", "The job did not finish within its maximum download time."},
    {0xA0B70001u, "BW_E_NOT_UPLOAD_REPLY", "The job is not an upload-reply job, so it has no reply."},
    {0xA0B70002u, "BW_E_TOO_MANY_HANDLES", "No more job handles can be opened in this process (65,280 may be open at once); close some."},
};

typedef struct bw__http_reason {
    UINT32 status;
    const char *reason;
} bw__http_reason;

static const bw__http_reason k_http[] = {
    {100, "Continue"}, {101, "Switching Protocols"},
    {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {203, "Non-Authoritative Information"},
    {204, "No Content"}, {205, "Reset Content"}, {206, "Partial Content"},
    {300, "Multiple Choices"}, {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"},
    {304, "Not Modified"}, {305, "Use Proxy"}, {307, "Temporary Redirect"}, {308, "Permanent Redirect"},
    {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"},
    {404, "Not Found"}, {405, "Method Not Allowed"}, {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"}, {408, "Request Timeout"}, {409, "Conflict"},
    {410, "Gone"}, {411, "Length Required"}, {412, "Precondition Failed"},
    {413, "Payload Too Large"}, {414, "URI Too Long"}, {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"}, {417, "Expectation Failed"}, {429, "Too Many Requests"},
    {449, "Retry With"},
    {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
    {503, "Service Unavailable"}, {504, "Gateway Timeout"}, {505, "HTTP Version Not Supported"},
};

#define BW__COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const bw__code_text *find_code(UINT32 code)
{
    for (size_t i = 0; i < BW__COUNT(k_codes); i++)
        if (k_codes[i].code == code)
            return &k_codes[i];
    return NULL;
}

static const char *http_reason(UINT32 status)
{
    for (size_t i = 0; i < BW__COUNT(k_http); i++)
        if (k_http[i].status == status)
            return k_http[i].reason;
    return NULL;
}

/* Room for any system text: FormatMessageW's own limit is 64 KiB. */
#define BW__SYSTEM_TEXT_MAX (128u * 1024u)

/* Appends the system's text for hr in full; 0 when it has none.
 * bw__system_message writes at most cch units, so a text that may have been
 * cut (it filled the buffer, or all but the unit of a surrogate pair moved
 * before the cut) is asked for again in a larger buffer: *len must count the
 * whole text, or BwFormatMessage would return S_OK for a cut one. */
static int append_system_message(HRESULT hr, WCHAR *buf, UINT32 cch, UINT32 *len)
{
    WCHAR small[512];
    WCHAR *sys = small;
    UINT32 cap = (UINT32)BW__COUNT(small);
    UINT32 n = bw__system_message(hr, sys, cap);

    while (n > 0 && n + 2 >= cap && cap < BW__SYSTEM_TEXT_MAX) {
        UINT32 bigger_cap = cap * 4;
        WCHAR *bigger = malloc(bigger_cap * sizeof(WCHAR));
        if (!bigger)
            break; /* out of memory: the text as far as it came */
        if (sys != small)
            free(sys);
        sys = bigger;
        cap = bigger_cap;
        n = bw__system_message(hr, sys, cap);
    }
    if (n > 0)
        bw__append_wide(buf, cch, len, sys);
    if (sys != small)
        free(sys);
    return n > 0;
}

void bw__format_message(HRESULT hr, WCHAR *buf, UINT32 cch, UINT32 *len)
{
    UINT32 code = (UINT32)hr;
    char tmp[64];

    const bw__code_text *known = find_code(code);
    if (known) {
        bw__append_ascii(buf, cch, len, known->name);
        bw__append_ascii(buf, cch, len, ": ");
        bw__append_ascii(buf, cch, len, known->text);
        return;
    }
    if ((code & 0xFFFF0000u) == 0x80190000u) {
        UINT32 status = code & 0xFFFFu;
        const char *reason = http_reason(status);
        snprintf(tmp, sizeof tmp, "HTTP %u", (unsigned)status);
        bw__append_ascii(buf, cch, len, tmp);
        bw__append_ascii(buf, cch, len, reason ? " " : " (the server answered with this status)");
        if (reason)
            bw__append_ascii(buf, cch, len, reason);
        return;
    }

    if (append_system_message(hr, buf, cch, len))
        return;
    snprintf(tmp, sizeof tmp, "Unknown error 0x%08X.", (unsigned)code);
    bw__append_ascii(buf, cch, len, tmp);
}

WCHAR *bw__format_message_dup(HRESULT hr)
{
    UINT32 len = 0;
    bw__format_message(hr, NULL, 0, &len);
    WCHAR *text = malloc((len + 1) * sizeof(WCHAR));
    if (text) {
        UINT32 written = 0;
        text[0] = 0;
        bw__format_message(hr, text, len + 1, &written);
    }
    return text;
}
