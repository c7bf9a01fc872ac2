/* render.c - see render.h. */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "width.h"

/* Appends formatted text at the end of buf without overflowing it. */
#define APPEND(buf, cap, ...)                                              \
    do {                                                                   \
        size_t used_ = strlen(buf);                                        \
        if (used_ + 1 < (cap))                                             \
            snprintf((buf) + used_, (cap) - used_, __VA_ARGS__);           \
    } while (0)

/* The library's text (BwFormatBytes, BwFormatDuration, the names) is
 * ASCII; bw_text_utf8 turns it into this program's UTF-8. */
void bw_fmt_bytes(char *buf, size_t cap, UINT64 bytes)
{
    WCHAR w[32];

    BwFormatBytes(bytes, w, sizeof w / sizeof w[0], NULL);
    bw_text_utf8(buf, cap, w);
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
    WCHAR w[32];
    char d[32];

    if (seconds < 0) {
        if (cap)
            buf[0] = 0;
        return;
    }
    if (seconds > 99LL * 86400) { /* the column stays narrow */
        snprintf(buf, cap, "ETA >99d");
        return;
    }
    BwFormatDuration((UINT64)seconds, w, sizeof w / sizeof w[0], NULL);
    snprintf(buf, cap, "ETA %s", bw_text_utf8(d, sizeof d, w));
}

const char *bw_context_name(UINT32 context)
{
    switch (context) {
    case BW_CONTEXT_UNKNOWN: return "unknown";
    case BW_CONTEXT_GENERAL_QUEUE_MANAGER: return "queue manager";
    case BW_CONTEXT_QUEUE_MANAGER_NOTIFICATION: return "notification";
    case BW_CONTEXT_LOCAL_FILE: return "local file";
    case BW_CONTEXT_REMOTE_FILE: return "remote file";
    case BW_CONTEXT_GENERAL_TRANSPORT: return "transport";
    case BW_CONTEXT_REMOTE_APPLICATION: return "remote application";
    default: return "";
    }
}

int bw_is_no_error_info(HRESULT hr)
{
    return (UINT32)hr == 0x8020000Fu; /* BG_E_ERROR_INFORMATION_UNAVAILABLE */
}

/* Rate and ETA mean something only while BITS works on the job. */
static int is_moving(UINT32 state)
{
    return (BwStateFlags(state) & BW_STATE_FLAG_ACTIVE) != 0;
}

/* "…" (U+2026): where a name was cut. */
#define ELLIPSIS "\xE2\x80\xA6"

void bw_fit_name(char *dst, size_t cap, const char *name, int cols)
{
    if (cap == 0)
        return;
    dst[0] = 0;
    if (cols <= 0)
        return;
    if (bw_text_columns(name) <= cols) {
        bw_text_fit(dst, cap, name, cols, 1);
        return;
    }
    /* The cut part, the ellipsis, then padding to exactly cols (a wide
     * character that did not fit whole leaves a column). */
    int got = bw_text_fit(dst, cap, name, cols - 1, 0);
    size_t used = strlen(dst);
    if (used + sizeof ELLIPSIS <= cap) {
        memcpy(dst + used, ELLIPSIS, sizeof ELLIPSIS);
        used += sizeof ELLIPSIS - 1;
        got++;
    }
    while (got < cols && used + 1 < cap) {
        dst[used++] = ' ';
        got++;
    }
    dst[used] = 0;
}

/* The progress field; short: without "of unknown" or the total. */
static void progress_field(char *buf, size_t cap, const BW_STATUS *st, int short_form)
{
    if (!short_form) {
        bw_fmt_progress(buf, cap, st->BytesTransferred, st->BytesTotal);
        return;
    }
    bw_fmt_bytes(buf, cap, st->BytesTransferred);
    if (st->BytesTotal != BW_SIZE_UNKNOWN && st->BytesTotal != 0) {
        double pct = floor((double)st->BytesTransferred * 100.0 / (double)st->BytesTotal);
        if (pct > 100.0)
            pct = 100.0;
        APPEND(buf, cap, " (%u%%)", (unsigned)pct);
    }
}

void bw_render_line_squeezed(char *buf, size_t cap, const char *id, const char *name,
                             int name_cols, const char *state, const BW_STATUS *st,
                             const char *note, int squeeze)
{
    char part[64], field[512];

    if (cap == 0)
        return;
    snprintf(buf, cap, "%s", id);
    if (name_cols > 0) {
        /* By columns, not bytes or characters: a CJK name is half as many
         * characters as it is columns wide. */
        if (name_cols > (int)sizeof field - 4)
            name_cols = (int)sizeof field - 4;
        bw_fit_name(field, sizeof field, name, name_cols);
        APPEND(buf, cap, "  %s", field);
    }
    /* 14 = strlen("TransientError"), the longest state name (ASCII). */
    if (squeeze >= BW_SQUEEZE_STATE_PAD)
        APPEND(buf, cap, "  %s", state);
    else
        APPEND(buf, cap, "  %-14s", state);
    progress_field(part, sizeof part, st, squeeze >= BW_SQUEEZE_SHORT_BYTES);
    APPEND(buf, cap, "  %s", part);
    if (is_moving(st->State)) {
        bw_fmt_rate(part, sizeof part, st->BytesPerSecond);
        if (part[0] && squeeze < BW_SQUEEZE_RATE)
            APPEND(buf, cap, "  %s", part);
        bw_fmt_eta(part, sizeof part, st->EtaSeconds);
        if (part[0] && squeeze < BW_SQUEEZE_ETA)
            APPEND(buf, cap, "  %s", part);
    }
    if (st->State == BW_STATE_TRANSIENT_ERROR && st->ErrorCode)
        APPEND(buf, cap, "  (retrying after 0x%08lX)", (unsigned long)(UINT32)st->ErrorCode);
    if (note && note[0])
        APPEND(buf, cap, "  %s", note);
}

void bw_render_line(char *buf, size_t cap, const char *id, const char *name, int name_cols,
                    const char *state, const BW_STATUS *st, const char *note)
{
    bw_render_line_squeezed(buf, cap, id, name, name_cols, state, st, note, 0);
}

int bw_render_line_fit(char *buf, size_t cap, const char *id, const char *name, int name_cols,
                       const char *state, const BW_STATUS *st, const char *note, int width)
{
    int squeeze = 0;

    for (;;) {
        bw_render_line_squeezed(buf, cap, id, name, name_cols, state, st, note, squeeze);
        if (width <= 0 || bw_text_columns(buf) <= width || squeeze >= BW_SQUEEZE_RATE)
            return squeeze;
        squeeze++;
    }
}

void bw_fmt_guid(char *buf, size_t cap, const GUID *id)
{
    snprintf(buf, cap, "{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned long)id->Data1, id->Data2, id->Data3, id->Data4[0], id->Data4[1],
             id->Data4[2], id->Data4[3], id->Data4[4], id->Data4[5], id->Data4[6], id->Data4[7]);
}

/* A name from the library, or "Unknown (n)" for a value it does not know. */
static void fmt_name(char *buf, size_t cap, const WCHAR *name, UINT32 v, UINT32 count)
{
    if (v < count)
        bw_text_utf8(buf, cap, name);
    else
        snprintf(buf, cap, "Unknown (%lu)", (unsigned long)v);
}

void bw_fmt_priority(char *buf, size_t cap, UINT32 priority)
{
    if (priority == BW_PRIORITY_UNKNOWN)
        snprintf(buf, cap, "unknown (not reported by the service)");
    else
        fmt_name(buf, cap, BwPriorityName(priority), priority, 4);
}

void bw_fmt_type(char *buf, size_t cap, UINT32 type)
{
    fmt_name(buf, cap, BwTypeName(type), type, 3);
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

static int is_note_row(const char *const *row, int ncols)
{
    return ncols > 2 && row[2] == NULL;
}

void bw_table_widths(const char *const *cells, int rows, int ncols, int *widths)
{
    for (int c = 0; c < ncols; c++)
        widths[c] = 0;
    for (int r = 0; r < rows; r++) {
        const char *const *row = cells + (size_t)r * (size_t)ncols;
        for (int c = 0; c < ncols; c++) {
            if (c > 0 && is_note_row(row, ncols))
                break;
            int w = bw_text_columns(row[c]);
            if (w > widths[c])
                widths[c] = w;
        }
    }
}

void bw_table_row(char *buf, size_t cap, const char *const *row, int ncols, const int *widths)
{
    char cell[1100];
    int last = ncols - 1;

    if (cap == 0)
        return;
    buf[0] = 0;
    if (is_note_row(row, ncols))
        last = 1;
    /* The row's last non-empty cell is not padded: no trailing spaces. */
    while (last > 0 && (!row[last] || !row[last][0]))
        last--;
    for (int c = 0; c <= last; c++) {
        const char *text = row[c] ? row[c] : "";
        if (c < last)
            bw_text_fit(cell, sizeof cell, text, widths[c] > (int)sizeof cell - 1 ? (int)sizeof cell - 1 : widths[c], 1);
        else
            snprintf(cell, sizeof cell, "%s", text);
        APPEND(buf, cap, "%s%s", c ? "  " : "", cell);
    }
}
