/* info.c - see info.h. */
#include "info.h"

#include <stdio.h>
#include <string.h>

#include "render.h"
#include "text.h"

typedef struct out {
    char *buf;
    size_t cap, used;
    int lines;
    int full; /* a line did not fit: nothing after it is written either */
} out;

/* Appends "name: value\n" when it fits whole. */
static void line(out *o, const char *name, const char *value)
{
    int len;

    if (o->full)
        return;
    len = snprintf(o->buf + o->used, o->cap - o->used, "%s: %s\n", name, value);
    if (len < 0 || (size_t)len >= o->cap - o->used) {
        o->buf[o->used] = 0; /* drop the half line */
        o->full = 1;
        return;
    }
    o->used += (size_t)len;
    o->lines++;
}

/* A string from BITS: sanitized, "(none)" when NULL or empty after that. */
static void text_line(out *o, const char *name, const WCHAR *value)
{
    char utf8[1024];

    bw_text_utf8(utf8, sizeof utf8, value);
    line(o, name, utf8[0] ? utf8 : "(none)");
}

static void time_line(out *o, const char *name, UINT64 ft, int local)
{
    char t[32];

    bw_fmt_filetime(t, sizeof t, ft, local);
    line(o, name, t);
}

static int is_moving(UINT32 state)
{
    return (BwStateFlags(state) & BW_STATE_FLAG_ACTIVE) != 0;
}

/* "12.5 MB / 40.0 MB (31%), 13107200 of 41943040 bytes": the short form as
 * the watch line shows it, and the exact counts for whoever compares. */
static void bytes_text(char *buf, size_t cap, UINT64 done, UINT64 total)
{
    char p[64];

    bw_fmt_progress(p, sizeof p, done, total);
    if (total == BW_SIZE_UNKNOWN)
        snprintf(buf, cap, "%s, %llu bytes", p, (unsigned long long)done);
    else
        snprintf(buf, cap, "%s, %llu of %llu bytes", p, (unsigned long long)done,
                 (unsigned long long)total);
}

static void error_lines(out *o, const bw_info_view *v)
{
    const BW_ERROR *e = v->error;
    char text[1200], desc[1024], where[1024];
    const char *ctx;

    if (!e) {
        if (bw_is_no_error_info(v->st->ErrorCode)) {
            snprintf(text, sizeof text, "0x%08lX %s", (unsigned long)(UINT32)v->st->ErrorCode,
                     BW_NO_ERROR_INFO_TEXT);
            line(o, "Error", text);
        } else if (v->status_error_text && v->status_error_text[0])
            line(o, "Error", v->status_error_text);
        else if (v->st->ErrorCode) {
            snprintf(text, sizeof text, "0x%08lX", (unsigned long)(UINT32)v->st->ErrorCode);
            line(o, "Error", text);
        }
        ctx = bw_context_name(v->st->ErrorContext);
        if (v->st->ErrorContext) {
            snprintf(text, sizeof text, "%lu%s%s", (unsigned long)v->st->ErrorContext,
                     ctx[0] ? " " : "", ctx);
            line(o, "Error context", text);
        }
        return;
    }
    bw_text_utf8(desc, sizeof desc, e->Description);
    snprintf(text, sizeof text, "0x%08lX%s%s", (unsigned long)(UINT32)e->ErrorCode,
             desc[0] ? " " : "", desc);
    line(o, "Error", text);
    ctx = bw_context_name(e->Context);
    bw_text_utf8(where, sizeof where, e->ContextDescription);
    snprintf(text, sizeof text, "%lu%s%s%s%s", (unsigned long)e->Context, ctx[0] ? " " : "", ctx,
             where[0] ? ": " : "", where);
    line(o, "Error context", text);
    text_line(o, "Remote file", e->RemoteName);
    text_line(o, "Local file", e->LocalName);
    text_line(o, "Protocol", e->Protocol);
}

int bw_render_info(char *buf, size_t cap, const bw_info_view *v)
{
    const BW_INFO *in = v->info;
    const BW_STATUS *st = v->st;
    out o = {buf, cap, 0, 0, 0};
    char text[256], part[64];

    if (cap == 0)
        return 0;
    buf[0] = 0;

    bw_fmt_guid(text, sizeof text, &in->JobId);
    line(&o, "Job", text);
    text_line(&o, "Display name", in->DisplayName);
    text_line(&o, "Description", in->Description);
    text_line(&o, "Owner", in->Owner);
    bw_fmt_type(text, sizeof text, in->Type);
    line(&o, "Type", text);
    bw_fmt_priority(text, sizeof text, in->Priority);
    line(&o, "Priority", text);
    line(&o, "State", v->state);
    bytes_text(text, sizeof text, st->BytesTransferred, st->BytesTotal);
    line(&o, "Bytes", text);
    snprintf(text, sizeof text, "%lu of %lu", (unsigned long)st->FilesTransferred,
             (unsigned long)st->FilesTotal);
    line(&o, "Files", text);
    if (in->Type == BW_TYPE_UPLOAD_REPLY) {
        bytes_text(text, sizeof text, st->ReplyBytesTransferred, st->ReplyBytesTotal);
        line(&o, "Reply", text);
    }
    if (is_moving(st->State)) {
        bw_fmt_rate(part, sizeof part, st->BytesPerSecond);
        if (part[0])
            line(&o, "Rate", part);
        bw_fmt_eta(part, sizeof part, st->EtaSeconds);
        if (part[0])
            line(&o, "ETA", part + 4); /* without the "ETA " of the watch line */
    }
    time_line(&o, "Created", in->CreationTime, v->local_times);
    time_line(&o, "Modified", in->ModificationTime, v->local_times);
    time_line(&o, "Completed", in->TransferCompletionTime, v->local_times);
    snprintf(text, sizeof text, "%lu", (unsigned long)in->ErrorCount);
    line(&o, "Error count", text);
    if (st->State == BW_STATE_ERROR || st->State == BW_STATE_TRANSIENT_ERROR)
        error_lines(&o, v);
    return o.lines;
}
