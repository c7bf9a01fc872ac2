/*
 * diagnose.c - BwJobDiagnose: gathers the facts about a job (diagnose_facts),
 * finds the first row of the rule table (diagnose_rules.c) that matches them,
 * and writes its explanation and action with the templates filled, and the
 * evidence: every fact, the unknown ones said to be unknown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

#define FT_S 10000000ull

/* ---- A growing UTF-16 string ------------------------------------------------ */

typedef struct wbuf {
    WCHAR *p;
    UINT32 len, cap;
    int oom;
} wbuf;

static void wb_reserve(wbuf *b, UINT32 more)
{
    if (b->oom || b->len + more + 1 <= b->cap)
        return;
    UINT32 cap = b->cap ? b->cap : 128;
    while (cap < b->len + more + 1)
        cap *= 2;
    WCHAR *p = realloc(b->p, cap * sizeof(WCHAR));
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void wb_a(wbuf *b, const char *s)
{
    UINT32 n = (UINT32)strlen(s);
    wb_reserve(b, n);
    if (b->oom)
        return;
    for (UINT32 i = 0; i < n; i++)
        b->p[b->len++] = (WCHAR)(unsigned char)s[i];
    b->p[b->len] = 0;
}

/* Text from BITS (names, URLs): control characters become spaces, so one
 * line stays one line. */
static void wb_w(wbuf *b, const WCHAR *s)
{
    UINT32 n = (UINT32)bw__wcsnlen(s, (size_t)-1);
    wb_reserve(b, n);
    if (b->oom)
        return;
    for (UINT32 i = 0; i < n; i++)
        b->p[b->len++] = s[i] < 0x20 || s[i] == 0x7F ? (WCHAR)' ' : s[i];
    b->p[b->len] = 0;
}

static void wb_f(wbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wb_f(wbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    wb_a(b, tmp);
}

static WCHAR *wb_take(wbuf *b)
{
    if (!b->p && !b->oom)
        wb_reserve(b, 0);
    if (b->oom) {
        free(b->p);
        b->p = NULL;
        return NULL;
    }
    if (b->len == 0)
        b->p[0] = 0;
    WCHAR *p = b->p;
    b->p = NULL;
    return p;
}

/* ---- Times and sizes in words ------------------------------------------------ */

/* "3 days", "4 minutes", "45 s". */
static void wb_duration(wbuf *b, UINT64 seconds)
{
    if (seconds >= 2 * 86400)
        wb_f(b, "%llu days", (unsigned long long)((seconds + 43200) / 86400));
    else if (seconds >= 2 * 3600)
        wb_f(b, "%llu hours", (unsigned long long)((seconds + 1800) / 3600));
    else if (seconds >= 120)
        wb_f(b, "%llu minutes", (unsigned long long)((seconds + 30) / 60));
    else
        wb_f(b, "%llu s", (unsigned long long)seconds);
}

/* FILETIME as "2026-01-04 00:00:00 UTC" (civil from days, proleptic
 * Gregorian: Howard Hinnant's algorithm). */
static void wb_time(wbuf *b, UINT64 ft)
{
    long long secs = (long long)(ft / FT_S) - 11644473600LL; /* Unix time */
    long long days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    long long rem = secs - days * 86400;
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    wb_f(b, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", y, m, d, rem / 3600, rem / 60 % 60,
         rem % 60);
}

/* "2026-01-04 00:00:00 UTC (3 days ago)" / "(in 4 minutes)". */
static void wb_when(wbuf *b, UINT64 ft, UINT64 now)
{
    wb_time(b, ft);
    if (ft <= now) {
        wb_a(b, " (");
        wb_duration(b, (now - ft) / FT_S);
        wb_a(b, " ago)");
    } else {
        wb_a(b, " (in ");
        wb_duration(b, (ft - now) / FT_S);
        wb_a(b, ")");
    }
}

static void wb_bytes(wbuf *b, const bw__progress *p)
{
    wb_f(b, "%llu of ", (unsigned long long)p->bytes_transferred);
    if (p->bytes_total == BW_SIZE_UNKNOWN)
        wb_a(b, "unknown");
    else
        wb_f(b, "%llu", (unsigned long long)p->bytes_total);
    wb_a(b, " bytes");
}

static const char *priority_name(UINT32 p)
{
    static const char *const names[] = {"Foreground", "High", "Normal", "Low"};
    return p < 4 ? names[p] : "unknown";
}

static const char *context_name(UINT32 c)
{
    static const char *const names[] = {"none", "unknown", "general queue manager",
                                        "queue manager notification", "local file", "remote file",
                                        "general transport", "remote application"};
    return c < 8 ? names[c] : "unknown";
}

static void wb_state(wbuf *b, UINT32 state) { wb_w(b, BwStateName(state)); }

static void wb_code(wbuf *b, HRESULT code)
{
    wb_f(b, "0x%08X", (unsigned)code);
    WCHAR *text = bw__format_message_dup(code);
    if (text) {
        /* The first sentence is enough on one line. */
        WCHAR *end = text;
        while (*end && *end != '\r' && *end != '\n')
            end++;
        while (end > text && (end[-1] == '.' || end[-1] == ' ')) /* the sentence goes on */
            end--;
        *end = 0;
        wb_a(b, " ");
        wb_w(b, text);
        free(text);
    }
}

static void wb_guid(wbuf *b, const GUID *g)
{
    wb_f(b, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)g->Data1,
         (unsigned)g->Data2, (unsigned)g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3],
         g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
}

/* BITS_COST_STATE_* as words: the named sets of bits5_0.h's documentation,
 * else the networks it leaves out. */
static void wb_cost(wbuf *b, const bw__details *d)
{
    static const struct {
        UINT32 flags;
        const char *name;
    } sets[] = {
        {0x800000FFu, "TRANSFER_ALWAYS: any network"},
        {0x8000007Fu, "TRANSFER_NOT_ROAMING: any network but roaming"},
        {0x8000006Fu, "TRANSFER_NO_SURCHARGE: not over a data cap with charges, not roaming"},
        {0x80000067u, "TRANSFER_STANDARD: not near or over a data cap, not roaming"},
        {0x80000021u, "TRANSFER_UNRESTRICTED: unrestricted networks (or throttled over a cap) only"},
    };
    static const char *const bits[] = {"unrestricted", "capped, usage unknown", "below cap",
                                       "near cap", "over cap, charged", "over cap, throttled",
                                       "usage based", "roaming"};
    if (!(d->known & BW_KNOWN_COST_FLAGS)) {
        wb_a(b, "unknown (needs BITS 5.0)");
        return;
    }
    wb_f(b, "0x%08X ", (unsigned)d->cost_flags);
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (d->cost_flags == sets[i].flags) {
            wb_f(b, "%s", sets[i].name);
            return;
        }
    wb_a(b, "only:");
    for (unsigned i = 0; i < 8; i++)
        if (d->cost_flags & (1u << i))
            wb_f(b, " %s;", bits[i]);
}

static void wb_proxy(wbuf *b, const bw__details *d)
{
    static const char *const usage[] = {"preconfigured (the owner's Internet settings)", "no proxy",
                                        "override", "autodetect"};
    if (!(d->known & BW_KNOWN_PROXY)) {
        wb_a(b, "unknown (the service does not say)");
        return;
    }
    wb_a(b, d->proxy_usage < 4 ? usage[d->proxy_usage] : "unknown");
    if (d->proxy_list) {
        wb_a(b, " ");
        wb_w(b, d->proxy_list);
    }
    if (d->proxy_bypass) {
        wb_a(b, ", bypass ");
        wb_w(b, d->proxy_bypass);
    }
}

/* ---- The facts ------------------------------------------------------------- */

/* The failing or first unfinished file's names (the error's first). */
typedef struct names {
    WCHAR *remote, *local; /* malloc'd (the error's), or borrowed from details */
    int owned;
} names;

static const bw__file *first_open_file(const bw__facts *f)
{
    for (UINT32 i = 0; i < f->details.file_count; i++)
        if (!f->details.files[i].completed)
            return &f->details.files[i];
    return f->details.file_count ? &f->details.files[0] : NULL;
}

static void facts_free(bw__facts *f)
{
    free(f->info.display_name);
    free(f->info.description);
    free(f->info.owner);
    bw__details_clear(&f->details);
    for (UINT32 i = 0; i < f->ahead_count && i < BW__AHEAD_MAX; i++)
        free(f->ahead[i].name);
}

static int is_lost(HRESULT hr)
{
    /* The job itself gone or the handle closing: the diagnosis fails. Any
     * other failure of an optional read leaves that fact unknown. */
    return hr == BG_E_NOT_FOUND || hr == E_HANDLE || hr == E_OUTOFMEMORY;
}

/* The other jobs: which are moving ahead of this one. */
static void gather_queue(const bw__backend *be, bw__handle_data *d, bw__facts *f, UINT32 *trips)
{
    GUID *ids = NULL;
    UINT32 count = 0;
    HRESULT hr = be->enum_jobs(BW_ENUM_ALL_USERS, &ids, &count);
    (*trips)++;
    if (hr == E_ACCESSDENIED) {
        hr = be->enum_jobs(0, &ids, &count);
        (*trips)++;
    }
    if (FAILED(hr))
        return;
    f->queue_known = 1;
    for (UINT32 i = 0; i < count; i++) {
        if (memcmp(&ids[i], &d->id, sizeof(GUID)) == 0)
            continue;
        bw__bjob *other = NULL;
        UINT32 type, state;
        if (FAILED(be->open_job(&ids[i], &other, &type))) {
            (*trips)++;
            continue; /* left meanwhile, or another user's */
        }
        (*trips)++;
        hr = be->get_state(other, &state);
        (*trips)++;
        if (SUCCEEDED(hr) && bw__state_is_moving(state)) {
            f->queue_jobs++;
            if (f->ahead_count < BW__AHEAD_MAX) {
                bw__ahead *a = &f->ahead[f->ahead_count];
                bw__info in;
                memset(&in, 0, sizeof in);
                a->id = ids[i];
                a->state = state;
                if (SUCCEEDED(be->get_info(other, &in))) {
                    a->priority = in.priority;
                    a->priority_known = in.priority_known;
                    a->name = in.display_name;
                    in.display_name = NULL;
                }
                (*trips)++;
                free(in.display_name);
                free(in.description);
                free(in.owner);
            }
            f->ahead_count++;
        } else if (SUCCEEDED(hr)) {
            f->queue_jobs++;
        }
        be->close_job(other);
    }
    free(ids);
}

typedef struct diag_call {
    UINT32 flags;
    bw__facts *f;
    names *n;
    UINT32 trips;
} diag_call;

static HRESULT gather(bw__handle_data *d, void *arg)
{
    diag_call *c = arg;
    bw__facts *f = c->f;
    const bw__backend *be = bw__backend_get();

    if (bw__handle_closing(d))
        return E_HANDLE;
    f->type = d->type;
    HRESULT hr = be->get_state(d->bjob, &f->state);
    c->trips++;
    if (FAILED(hr))
        return hr;
    hr = be->get_progress(d->bjob, &f->progress);
    c->trips++;
    if (FAILED(hr))
        return hr;
    UINT64 now_ms = bw__now_ms();
    f->now_ft = bw__now_wall_ft();
    bw__watch_note_bytes(&d->watch, now_ms, f->progress.bytes_transferred);
    f->watched = 1;
    f->watched_ms = now_ms - d->watch.seen_first_ms;
    f->still_ms = now_ms - d->watch.seen_moved_ms;

    if (f->state == BW_STATE_ERROR || f->state == BW_STATE_TRANSIENT_ERROR) {
        bw__error e;
        memset(&e, 0, sizeof e);
        hr = be->get_error(d->bjob, &e);
        c->trips++;
        if (SUCCEEDED(hr)) {
            f->error_code = e.code;
            f->error_context = e.context;
            c->n->remote = e.remote_name;
            c->n->local = e.local_name;
            c->n->owned = 1;
            free(e.description);
            free(e.context_description);
            free(e.protocol);
        } else {
            free(e.description);
            free(e.context_description);
            free(e.protocol);
            free(e.remote_name);
            free(e.local_name);
            if (is_lost(hr))
                return hr;
            /* No error object (Wine's connection failures): BITS' own code. */
            hr = be->get_error_code(d->bjob, &f->error_code, &f->error_context);
            c->trips++;
            if (FAILED(hr))
                return hr;
        }
    }

    hr = be->get_info(d->bjob, &f->info);
    c->trips++;
    if (SUCCEEDED(hr))
        f->info_ok = 1;
    else if (is_lost(hr))
        return hr;
    else
        memset(&f->info, 0, sizeof f->info);
    f->info.id = d->id;

    if (be->get_details) {
        hr = be->get_details(d->bjob, &f->details);
        c->trips++;
        if (SUCCEEDED(hr))
            f->details_ok = 1;
        else if (is_lost(hr))
            return hr;
        else
            bw__details_clear(&f->details);
    }
    if (!c->n->remote) {
        const bw__file *file = first_open_file(f);
        if (file) {
            c->n->remote = file->remote_name;
            c->n->local = file->local_name;
            c->n->owned = 0;
        }
    }

    if (f->state == BW_STATE_QUEUED && !(c->flags & BW_DIAGNOSE_NO_QUEUE))
        gather_queue(be, d, f, &c->trips);
    return S_OK;
}

/* ---- Matching and writing ---------------------------------------------------- */

static const bw__rule *match(const bw__facts *f)
{
    for (unsigned i = 0; i < bw__rule_count; i++) {
        const bw__rule *r = &bw__rules[i];
        if (f->state >= 32 || !(r->states & (1u << f->state)))
            continue;
        if (r->code && r->code != f->error_code)
            continue;
        if (r->context && r->context != f->error_context)
            continue;
        if (r->when && !r->when(f))
            continue;
        return r;
    }
    return NULL;
}

/* "for 3 days" from a FILETIME; "for an unknown time" without one. */
static void wb_for(wbuf *b, UINT64 since, UINT64 now)
{
    if (!since || since > now) {
        wb_a(b, "for an unknown time (the service gives no times)");
        return;
    }
    wb_a(b, "for ");
    wb_duration(b, (now - since) / FT_S);
}

static void wb_in(wbuf *b, UINT64 due, UINT64 now, const char *unknown)
{
    if (!due) {
        wb_a(b, unknown);
    } else if (due <= now) {
        wb_a(b, "any moment now (it was due ");
        wb_duration(b, (now - due) / FT_S);
        wb_a(b, " ago)");
    } else {
        wb_a(b, "in ");
        wb_duration(b, (due - now) / FT_S);
    }
}

static void wb_ahead(wbuf *b, const bw__facts *f)
{
    wb_f(b, "%u job%s (", (unsigned)f->ahead_count, f->ahead_count == 1 ? "" : "s");
    for (UINT32 i = 0; i < f->ahead_count && i < 3; i++) {
        const bw__ahead *a = &f->ahead[i];
        if (i)
            wb_a(b, "; ");
        if (a->name && a->name[0]) {
            wb_a(b, "'");
            wb_w(b, a->name);
            wb_a(b, "' ");
        } else {
            wb_guid(b, &a->id);
            wb_a(b, " ");
        }
        wb_state(b, a->state);
        wb_f(b, ", priority %s", a->priority_known ? priority_name(a->priority) : "unknown");
    }
    if (f->ahead_count > 3)
        wb_a(b, "; ...");
    wb_a(b, ")");
}

static void fill(wbuf *b, const char *tpl, const bw__facts *f, const bw__rule *r, const names *n)
{
    UINT64 since = r && r->since ? r->since(f) : 0;
    while (*tpl) {
        if (*tpl != '{') {
            char one[2] = {*tpl++, 0};
            wb_a(b, one);
            continue;
        }
        const char *end = strchr(tpl, '}');
        if (!end)
            break;
        size_t len = (size_t)(end - tpl - 1);
        const char *key = tpl + 1;
#define IS(k) (len == sizeof(k) - 1 && memcmp(key, k, len) == 0)
        if (IS("state"))
            wb_state(b, f->state);
        else if (IS("for"))
            wb_for(b, since, f->now_ft);
        else if (IS("for_created"))
            wb_for(b, f->info.creation_time, f->now_ft);
        else if (IS("for_still")) {
            if (f->info.modification_time && f->info.modification_time <= f->now_ft)
                wb_for(b, f->info.modification_time, f->now_ft);
            else {
                wb_a(b, "for ");
                wb_duration(b, f->still_ms / 1000);
            }
        } else if (IS("still"))
            wb_duration(b, f->still_ms / 1000);
        else if (IS("bytes"))
            wb_bytes(b, &f->progress);
        else if (IS("code"))
            wb_code(b, f->error_code);
        else if (IS("url")) {
            if (n->remote)
                wb_w(b, n->remote);
            else
                wb_a(b, "its URL (unknown)");
        } else if (IS("local")) {
            if (n->local)
                wb_w(b, n->local);
            else
                wb_a(b, "the local file (name unknown)");
        } else if (IS("retry_in"))
            wb_in(b, bw__retry_due(f), f->now_ft, "after its retry delay (not known here)");
        else if (IS("give_up_in")) {
            UINT64 due = bw__give_up_due(f);
            wb_in(b, due, f->now_ft, "after its no-progress timeout (not known here)");
            if (due > f->now_ft)
                wb_a(b, " at the latest");
        } else if (IS("cancel_in")) {
            UINT64 due = f->info.completion_time
                             ? f->info.completion_time + (UINT64)BW__INACTIVITY_DEFAULT_S * FT_S
                             : 0;
            wb_in(b, due, f->now_ft, "after the JobInactivityTimeout policy (90 days by default)");
            if (due)
                wb_a(b, " if the JobInactivityTimeout policy is the default 90 days");
        } else if (IS("proxy"))
            wb_proxy(b, &f->details);
        else if (IS("cost"))
            wb_cost(b, &f->details);
        else if (IS("ahead"))
            wb_ahead(b, f);
        else if (IS("owner")) {
            if (f->info.owner)
                wb_w(b, f->info.owner);
            else
                wb_a(b, "unknown");
        } else
            wb_a(b, "?");
#undef IS
        tpl = end + 1;
    }
}

static void line(wbuf *b, const char *name)
{
    if (b->len)
        wb_a(b, "\n");
    wb_a(b, name);
    wb_a(b, ": ");
}

static void evidence(wbuf *b, const bw__facts *f, const names *n, UINT64 due)
{
    line(b, "Display name");
    if (f->info.display_name)
        wb_w(b, f->info.display_name);
    else
        wb_a(b, "unknown");
    line(b, "State");
    wb_state(b, f->state);
    line(b, "Bytes");
    wb_bytes(b, &f->progress);
    line(b, "Files");
    wb_f(b, "%u of %u transferred", (unsigned)f->progress.files_transferred,
         (unsigned)f->progress.files_total);
    if (f->state == BW_STATE_ERROR || f->state == BW_STATE_TRANSIENT_ERROR) {
        line(b, "Error");
        wb_code(b, f->error_code);
        wb_f(b, " (context: %s)", context_name(f->error_context));
        if (n->remote) {
            line(b, "Failing URL");
            wb_w(b, n->remote);
        }
    }
    line(b, "Created");
    if (f->info.creation_time)
        wb_when(b, f->info.creation_time, f->now_ft);
    else
        wb_a(b, "unknown");
    line(b, "Last changed");
    if (f->info.modification_time)
        wb_when(b, f->info.modification_time, f->now_ft);
    else
        wb_a(b, "unknown");
    if (f->state == BW_STATE_TRANSFERRED || f->state == BW_STATE_ACKNOWLEDGED) {
        line(b, "Transferred at");
        if (f->info.completion_time)
            wb_when(b, f->info.completion_time, f->now_ft);
        else
            wb_a(b, "unknown");
    }
    if (due) {
        line(b, "Due");
        wb_when(b, due, f->now_ft);
    }
    line(b, "Retry delay");
    if (f->details.known & BW_KNOWN_RETRY_DELAY)
        wb_f(b, "%u s", (unsigned)f->details.retry_delay);
    else
        wb_a(b, "unknown");
    line(b, "No-progress timeout");
    if (f->details.known & BW_KNOWN_NO_PROGRESS_TIMEOUT) {
        wb_f(b, "%u s (", (unsigned)f->details.no_progress_timeout);
        wb_duration(b, f->details.no_progress_timeout);
        wb_a(b, ")");
    } else {
        wb_a(b, "unknown");
    }
    line(b, "Proxy");
    wb_proxy(b, &f->details);
    line(b, "Priority");
    wb_a(b, f->info.priority_known ? priority_name(f->info.priority) : "unknown");
    line(b, "Owner");
    if (f->info.owner)
        wb_w(b, f->info.owner);
    else
        wb_a(b, "unknown");
    line(b, "Owner logged on");
    switch (f->info.owner_logon) {
    case BW__LOGON_NONE: wb_a(b, "no (no session of that user on this machine)"); break;
    case BW__LOGON_SESSION: wb_a(b, "yes (a session of that user)"); break;
    case BW__LOGON_SERVICE: wb_a(b, "a service account (always logged on)"); break;
    default: wb_a(b, "unknown (needs the owner; Windows only)"); break;
    }
    line(b, "Cost flags");
    wb_cost(b, &f->details);
    if (f->watched && bw__state_is_moving(f->state)) {
        line(b, "Watched");
        wb_duration(b, f->watched_ms / 1000);
        wb_a(b, ", bytes last moved ");
        wb_duration(b, f->still_ms / 1000);
        wb_a(b, " ago");
    }
    if (f->queue_known) {
        line(b, "Other jobs in the queue");
        wb_f(b, "%u", (unsigned)f->queue_jobs);
        line(b, "Jobs transferring ahead");
        if (f->ahead_count)
            wb_ahead(b, f);
        else
            wb_a(b, "none");
    }
    if (!(f->details.known & BW_KNOWN_FILES)) {
        line(b, "Files list");
        wb_a(b, "unknown");
    }
    for (UINT32 i = 0; i < f->details.file_count && i < 16; i++) {
        const bw__file *file = &f->details.files[i];
        wb_f(b, "\nFile %u: ", (unsigned)i + 1);
        if (file->remote_name)
            wb_w(b, file->remote_name);
        else
            wb_a(b, "(unknown URL)");
        wb_a(b, " -> ");
        if (file->local_name)
            wb_w(b, file->local_name);
        else
            wb_a(b, "(unknown path)");
        bw__progress p = {file->bytes_total, file->bytes_transferred, 0, 0};
        wb_a(b, ", ");
        wb_bytes(b, &p);
        wb_a(b, file->completed ? ", complete" : ", not complete");
    }
    if (f->details.file_count > 16)
        wb_f(b, "\nFiles not shown: %u", (unsigned)(f->details.file_count - 16));
}

HRESULT BWAPI BwJobDiagnose(BW_JOB job, UINT32 flags, BW_DIAGNOSIS *diagnosis)
{
    UINT32 cb;
    HRESULT hr = bw__out_struct_begin(diagnosis, bw__diagnosis_size_ok, &cb);
    if (FAILED(hr))
        return hr;
    if (flags & ~BW_DIAGNOSE_NO_QUEUE)
        return E_INVALIDARG;

    bw__facts f;
    names n = {NULL, NULL, 0};
    memset(&f, 0, sizeof f);
    diag_call c = {flags, &f, &n, 0};
    hr = bw__with_job(job, gather, &c);
    if (SUCCEEDED(hr)) {
        const bw__rule *r = match(&f);
        char id[40];
        BW_TRACE("diagnose: job %s: state %u, rule %s, %u backend reads", bw__guid_text(&f.info.id, id),
                 (unsigned)f.state, r ? r->name : "(none)", (unsigned)c.trips);
        wbuf ex = {0}, ev = {0}, ac = {0};
        UINT64 due = r && r->due ? r->due(&f) : 0;
        if (r) {
            fill(&ex, r->explanation, &f, r, &n);
            fill(&ac, r->action, &f, r, &n);
        } else {
            fill(&ex, "{state}: no rule recognises this situation.", &f, NULL, &n);
            wb_a(&ac, "Look at the evidence.");
        }
        evidence(&ev, &f, &n, due);

        BW_DIAGNOSIS full;
        memset(&full, 0, sizeof full);
        full.cbSize = cb;
        full.Verdict = r ? r->verdict : BW_VERDICT_UNKNOWN;
        full.State = f.state;
        full.RoundTrips = c.trips;
        full.Timestamp = bw__now_filetime();
        full.Since = r && r->since ? r->since(&f) : 0;
        full.Due = due;
        full.ErrorCode = f.error_code;
        full.ErrorContext = f.error_context;
        full.Explanation = wb_take(&ex);
        full.Evidence = wb_take(&ev);
        full.Action = wb_take(&ac);
        if (!full.Explanation || !full.Evidence || !full.Action) {
            BwFreeDiagnosis(&full);
            hr = E_OUTOFMEMORY;
        } else {
            memcpy(diagnosis, &full, cb);
        }
    }
    if (n.owned) {
        free(n.remote);
        free(n.local);
    }
    facts_free(&f);
    return hr;
}

void BWAPI BwFreeDiagnosis(BW_DIAGNOSIS *diagnosis)
{
    if (!diagnosis || !bw__diagnosis_size_ok(diagnosis->cbSize))
        return;
    free(diagnosis->Explanation);
    free(diagnosis->Evidence);
    free(diagnosis->Action);
    diagnosis->Explanation = diagnosis->Evidence = diagnosis->Action = NULL;
}

const WCHAR *BWAPI BwVerdictName(UINT32 verdict)
{
    static const WCHAR *const names[] = {
        BW_W("Unknown"),      BW_W("Moving"),        BW_W("Finished"),       BW_W("Suspended"),
        BW_W("NotCompleted"), BW_W("RetryWait"),     BW_W("QueuedBehind"),   BW_W("QueuedIdle"),
        BW_W("RemoteError"),  BW_W("ProxyError"),    BW_W("NoRangeSupport"), BW_W("LocalError"),
        BW_W("Error"),        BW_W("ConnectingLong"), BW_W("Stalled"),       BW_W("OwnerLoggedOff"),
    };
    _Static_assert(sizeof names / sizeof names[0] == BW_VERDICT_MAX + 1, "a name per verdict");
    if (verdict < sizeof names / sizeof names[0])
        return names[verdict];
    return BW_W("Unknown");
}
