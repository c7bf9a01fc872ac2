/* render.c - see render.h. */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "width.h"

/* Appends formatted text at the end of buf without overflowing it. */
#define APPEND(buf, cap, ...)                                              \
    do {                                                                   \
        size_t used_ = strlen(buf);                                        \
        if (used_ + 1 < (cap))                                             \
            snprintf((buf) + used_, (cap) - used_, __VA_ARGS__);           \
    } while (0)

void bw_fmt_bytes(char *buf, size_t cap, UINT64 bytes)
{
    static const char *const units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(buf, cap, "%u B", (unsigned)bytes);
        return;
    }
    /* Move up while the rounded value would print as 1024.0 or more. */
    while (u < 5 && v >= 1023.95) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, cap, "%.1f %s", v, units[u]);
}

void bw_fmt_progress(char *buf, size_t cap, UINT64 transferred, UINT64 total)
{
    char done[32], all[32];

    bw_fmt_bytes(done, sizeof done, transferred);
    if (total == BW_SIZE_UNKNOWN) {
        snprintf(buf, cap, "%s of unknown", done);
        return;
    }
    bw_fmt_bytes(all, sizeof all, total);
    if (total == 0) {
        snprintf(buf, cap, "%s / %s", done, all);
        return;
    }
    /* Rounded down, so 100% means really all of it. Progress can exceed the
     * total for a moment when BITS restarts a file: clamp. */
    double pct = floor((double)transferred * 100.0 / (double)total);
    if (pct > 100.0)
        pct = 100.0;
    snprintf(buf, cap, "%s / %s (%u%%)", done, all, (unsigned)pct);
}

void bw_fmt_rate(char *buf, size_t cap, double bytesPerSecond)
{
    char b[32];

    /* Also rejects NaN (every comparison with it is false). */
    if (!(bytesPerSecond > 0.0) || bytesPerSecond > 1.8e19) {
        if (cap)
            buf[0] = 0;
        return;
    }
    bw_fmt_bytes(b, sizeof b, (UINT64)(bytesPerSecond + 0.5));
    snprintf(buf, cap, "%s/s", b);
}

void bw_fmt_eta(char *buf, size_t cap, INT64 seconds)
{
    unsigned h, m, s;

    if (seconds < 0) {
        if (cap)
            buf[0] = 0;
        return;
    }
    if (seconds > 99LL * 3600 + 59 * 60 + 59) {
        snprintf(buf, cap, "ETA >99h");
        return;
    }
    h = (unsigned)(seconds / 3600);
    m = (unsigned)(seconds / 60 % 60);
    s = (unsigned)(seconds % 60);
    if (h)
        snprintf(buf, cap, "ETA %u:%02u:%02u", h, m, s);
    else
        snprintf(buf, cap, "ETA %u:%02u", m, s);
}

const char *bw_context_name(UINT32 context)
{
    switch (context) {
    case BW_CONTEXT_GENERAL_QUEUE_MANAGER: return "queue manager";
    case BW_CONTEXT_QUEUE_MANAGER_NOTIFICATION: return "notification";
    case BW_CONTEXT_LOCAL_FILE: return "local file";
    case BW_CONTEXT_REMOTE_FILE: return "remote file";
    case BW_CONTEXT_GENERAL_TRANSPORT: return "transport";
    case BW_CONTEXT_REMOTE_APPLICATION: return "remote application";
    default: return "";
    }
}

/* Rate and ETA mean something only while bytes can still move. */
static int is_moving(UINT32 state)
{
    return state == BW_STATE_QUEUED || state == BW_STATE_CONNECTING ||
           state == BW_STATE_TRANSFERRING || state == BW_STATE_TRANSIENT_ERROR;
}

void bw_render_line(char *buf, size_t cap, const char *id, const char *name, int name_cols,
                    const char *state, const BW_STATUS *st, const char *note)
{
    char part[64], field[512];

    if (cap == 0)
        return;
    snprintf(buf, cap, "%s", id);
    if (name_cols > 0) {
        /* By columns, not bytes or characters: a CJK name is half as many
         * characters as it is columns wide. */
        if (name_cols > (int)sizeof field - 1)
            name_cols = (int)sizeof field - 1;
        bw_text_fit(field, sizeof field, name, name_cols, 1);
        APPEND(buf, cap, "  %s", field);
    }
    /* 14 = strlen("TransientError"), the longest state name (ASCII). */
    APPEND(buf, cap, "  %-14s", state);
    bw_fmt_progress(part, sizeof part, st->BytesTransferred, st->BytesTotal);
    APPEND(buf, cap, "  %s", part);
    if (is_moving(st->State)) {
        bw_fmt_rate(part, sizeof part, st->BytesPerSecond);
        if (part[0])
            APPEND(buf, cap, "  %s", part);
        bw_fmt_eta(part, sizeof part, st->EtaSeconds);
        if (part[0])
            APPEND(buf, cap, "  %s", part);
    }
    if (st->State == BW_STATE_TRANSIENT_ERROR && st->ErrorCode)
        APPEND(buf, cap, "  (retrying after 0x%08lX)", (unsigned long)(UINT32)st->ErrorCode);
    if (note && note[0])
        APPEND(buf, cap, "  %s", note);
}

void bw_fmt_guid(char *buf, size_t cap, const GUID *id)
{
    snprintf(buf, cap, "{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned long)id->Data1, id->Data2, id->Data3, id->Data4[0], id->Data4[1],
             id->Data4[2], id->Data4[3], id->Data4[4], id->Data4[5], id->Data4[6], id->Data4[7]);
}

void bw_fmt_priority(char *buf, size_t cap, UINT32 priority)
{
    static const char *const names[] = {"Foreground", "High", "Normal", "Low"};

    if (priority < sizeof names / sizeof names[0])
        snprintf(buf, cap, "%s", names[priority]);
    else
        snprintf(buf, cap, "Unknown (%lu)", (unsigned long)priority);
}

void bw_fmt_type(char *buf, size_t cap, UINT32 type)
{
    static const char *const names[] = {"Download", "Upload", "Upload-reply"};

    if (type < sizeof names / sizeof names[0])
        snprintf(buf, cap, "%s", names[type]);
    else
        snprintf(buf, cap, "Unknown (%lu)", (unsigned long)type);
}

void bw_fmt_filetime(char *buf, size_t cap, UINT64 filetime, int local)
{
    FILETIME ft;
    SYSTEMTIME utc, st;

    snprintf(buf, cap, "unknown");
    if (filetime == 0)
        return;
    ft.dwLowDateTime = (DWORD)filetime;
    ft.dwHighDateTime = (DWORD)(filetime >> 32);
    if (!FileTimeToSystemTime(&ft, &utc))
        return;
    /* SystemTimeToTzSpecificLocalTime applies the daylight saving rule of
     * that date, where FileTimeToLocalFileTime would apply today's. */
    if (local) {
        if (!SystemTimeToTzSpecificLocalTime(NULL, &utc, &st))
            return;
    } else {
        st = utc;
    }
    snprintf(buf, cap, "%04u-%02u-%02u %02u:%02u:%02u", st.wYear, st.wMonth, st.wDay, st.wHour,
             st.wMinute, st.wSecond);
}

void bw_render_list_line(char *buf, size_t cap, const char *id, const char *state,
                         const BW_STATUS *st, const char *name)
{
    char part[64];

    if (cap == 0)
        return;
    snprintf(buf, cap, "%s  %-14s", id, state);
    bw_fmt_progress(part, sizeof part, st->BytesTransferred, st->BytesTotal);
    APPEND(buf, cap, "  %s  files %lu/%lu", part, (unsigned long)st->FilesTransferred,
           (unsigned long)st->FilesTotal);
    if (name && name[0])
        APPEND(buf, cap, "  %s", name);
}
