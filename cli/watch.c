/* watch.c - see watch.h. */
#include "watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interrupt.h"
#include "jobs.h"
#include "json.h"
#include "jsonjob.h"
#include "render.h"
#include "text.h"
#include "width.h"

/* After BwJobComplete, how long to wait for BITS to report ACKNOWLEDGED. */
#define ACK_WAIT_MS 2000u
/* Widest display name field, in columns: on a console the line has to fit
 * the window; redirected, a log line may be longer. */
#define NAME_COLS_CONSOLE 24
#define NAME_COLS_REDIRECTED 64
/* watch --all: the longest wait on the jobs before the queue is looked at
 * again, so that a new job shows within about 0.3 s (the census behind
 * BwQueuePoll counts every 100 ms), whatever --interval-ms says. */
#define FOLLOW_WAIT_MS 100u
/* watch --all on a console: how long the line of a job that left the queue
 * stays in the block, so that the person sees how it ended. */
#define LINGER_MS 3000u

/* OUTCOME_SKIPPED: watch --all, gone before it was opened (or before its
 * first read).
 * OUTCOME_TIMED_OUT: still going when --timeout-sec ended the watch. */
typedef enum {
    OUTCOME_WATCHING,
    OUTCOME_OK,
    OUTCOME_FAILED,
    OUTCOME_SKIPPED,
    OUTCOME_TIMED_OUT
} outcome;

typedef struct watched {
    char full_id[48];     /* "{GUID}" in upper case, or the sanitized argument */
    char short_id[16];    /* first 8 hex digits */
    char name[256];       /* display name, sanitized UTF-8; "" when none */
    const WCHAR *arg;     /* the job as given (--json: the JobId of one that did not open) */
    WCHAR *raw_name;      /* --json: the display name as BITS has it; NULL when none */
    BW_JOB job;           /* NULL when it could not be opened */
    BW_STATUS st;
    int have_status;
    outcome result;
    char note[96];        /* end of the line: "completed", "job disappeared", ... */
    /* --json: why the watch stopped following the job (the "end" object) */
    const char *reason;   /* "transferred", "cancelled", "error", "timeout", ... */
    HRESULT code;         /* the result behind the reason, when has_code */
    int has_code;
    int end_sent;
    ULONGLONG last_line;  /* redirected: tick of the last line printed */
    /* watch --all */
    GUID id;              /* the queue's list names jobs by GUID */
    int gone;             /* the list no longer has it: dropped soon */
    ULONGLONG left_at;    /* tick when it left */
} watched;

typedef struct watch_ctx {
    const bw_watch_options *o;
    watched *jobs;
    int n, cap;           /* jobs, and room for them and for one wait below */
    /* The arrays of one BwJobPollMany, cap entries each. */
    BW_JOB *set;
    int *where;           /* the place in jobs of each entry of set */
    BW_STATUS *sts;
    HRESULT *results;
    BW_QUEUE queue;       /* watch --all: the queue followed; NULL: the jobs given */
    int queue_failing;    /* BwQueuePoll failed last time (said once) */
    int dropped_failed;   /* a job that failed has been dropped since */
    bw_stream *out, *err;
    bw_live live;
    int live_console;     /* a block redrawn in place: a console, and not --json */
    bw_json json;         /* --json: the text of the line being written */
    ULONGLONG last_draw;
    int dirty;            /* console: the block needs drawing again */
    int name_cols;        /* columns of the name field; 0: no job has a name */
} watch_ctx;

/* "0x80190194 HTTP 404 Not Found": the code and the library's text for it. */
void bw_hr_text(char *buf, size_t cap, HRESULT hr)
{
    WCHAR small[512];
    WCHAR *text = small;
    UINT32 needed = 0;
    char utf8[1024];

    HRESULT fr = BwFormatMessage(hr, small, sizeof small / sizeof small[0], &needed);
    if (fr == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) && needed > 0) {
        WCHAR *big = malloc(sizeof(WCHAR) * needed);
        if (big && SUCCEEDED(BwFormatMessage(hr, big, needed, NULL)))
            text = big;
        else
            free(big);
    } else if (FAILED(fr)) {
        small[0] = 0;
    }
    bw_text_utf8(utf8, sizeof utf8, text);
    if (text != small)
        free(text);
    if (utf8[0])
        snprintf(buf, cap, "0x%08lX %s", (unsigned long)(UINT32)hr, utf8);
    else
        snprintf(buf, cap, "0x%08lX", (unsigned long)(UINT32)hr);
}

WCHAR *bw_hr_message(HRESULT hr)
{
    UINT32 needed = 0;
    WCHAR probe[1];

    HRESULT fr = BwFormatMessage(hr, probe, 1, &needed);
    if (fr != HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) && FAILED(fr))
        return NULL;
    if (needed == 0)
        needed = 1;
    WCHAR *text = malloc(sizeof(WCHAR) * needed);
    if (!text || FAILED(BwFormatMessage(hr, text, needed, NULL))) {
        free(text);
        return NULL;
    }
    /* System messages end in CRLF: not part of the text. */
    size_t len = 0;
    while (text[len])
        len++;
    while (len > 0 && (text[len - 1] == L'\r' || text[len - 1] == L'\n' || text[len - 1] == L' '))
        text[--len] = 0;
    if (len == 0) {
        free(text);
        return NULL;
    }
    return text;
}

void bw_json_print(bw_stream *out, bw_stream *err, bw_json *j)
{
    const char *text = bw_json_text(j);

    if (!text) {
        bw_stream_line(err, "bitswatch: out of memory (a JSON line was left out)");
        return;
    }
    /* NDJSON: one object a line, "\n" alone (not the CRLF of text lines). */
    bw_stream_write(out, text);
    bw_stream_write(out, "\n");
}

/* ErrorText of a status: the library's text for its error code. */
static void json_status(bw_json *j, const BW_STATUS *st, int with_type)
{
    WCHAR *text = st->ErrorCode ? bw_hr_message(st->ErrorCode) : NULL;
    bw_json_status_members(j, st, text, with_type);
    free(text);
}

/* The id shown for a job: upper-case "{GUID}" from what the user typed
 * (which BwJobOpen has checked) and its first 8 hex digits. A job that did
 * not open keeps the argument as typed (sanitized), so the message names
 * exactly what was wrong. */
static void make_ids(watched *w, const WCHAR *arg, int opened)
{
    char text[128];
    const char *p;
    size_t len;

    bw_text_utf8(text, sizeof text, arg);
    if (!opened) {
        snprintf(w->full_id, sizeof w->full_id, "'%.*s'", (int)sizeof w->full_id - 3, text);
        snprintf(w->short_id, sizeof w->short_id, "%s", "?");
        return;
    }
    p = text[0] == '{' ? text + 1 : text;
    len = strlen(p);
    if (len > 0 && p[len - 1] == '}')
        len--;
    if (len > 36)
        len = 36;
    snprintf(w->full_id, sizeof w->full_id, "{%.*s}", (int)len, p);
    for (char *c = w->full_id; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    snprintf(w->short_id, sizeof w->short_id, "%.8s", w->full_id + 1);
}

/* The parts of a job's line: id, state name and note. */
static void line_parts(const watch_ctx *c, const watched *w, const char **id, char *state,
                       size_t state_cap, char *note, size_t note_cap)
{
    *id = (c->out->is_console && !c->o->full_ids) ? w->short_id : w->full_id;
    bw_text_utf8(state, state_cap, BwStateName(w->st.State));
    if (w->gone)
        snprintf(note, note_cap, "%s%sleft the queue", w->note, w->note[0] ? "; " : "");
    else
        snprintf(note, note_cap, "%s", w->note);
}

/* A job's line with a name field of name_cols columns, squeezed to width
 * columns (0: as it is). */
static void job_line_fit(const watch_ctx *c, const watched *w, int name_cols, int width,
                         char *buf, size_t cap)
{
    char state[64], note[128];
    const char *id;

    line_parts(c, w, &id, state, sizeof state, note, sizeof note);
    bw_render_line_fit(buf, cap, id, w->name, name_cols, state, &w->st, note, width);
}

static void job_line(const watch_ctx *c, const watched *w, char *buf, size_t cap)
{
    job_line_fit(c, w, c->name_cols, 0, buf, cap);
}

/* The narrowest a name field gets before it goes: "ab…" tells little. */
#define NAME_COLS_MIN 6

/* How busy a job is, for the order of a block that does not fit the
 * window: moving jobs first (the fastest first), then the ones that need
 * a look (retrying, in error), then the waiting ones, then the ended. */
static int busy_rank(const watched *w)
{
    switch (w->st.State) {
    case BW_STATE_TRANSFERRING: return 0;
    case BW_STATE_CONNECTING: return 1;
    case BW_STATE_TRANSIENT_ERROR: return 2;
    case BW_STATE_ERROR: return 3;
    case BW_STATE_QUEUED: return 4;
    case BW_STATE_SUSPENDED: return 5;
    default: return 6;
    }
}

static const watch_ctx *g_order_ctx; /* for by_busyness (qsort has no context) */

static int by_busyness(const void *a, const void *b)
{
    const watched *x = &g_order_ctx->jobs[*(const int *)a];
    const watched *y = &g_order_ctx->jobs[*(const int *)b];
    int rx = busy_rank(x), ry = busy_rank(y);

    if (rx != ry)
        return rx - ry;
    if (x->st.BytesPerSecond != y->st.BytesPerSecond)
        return x->st.BytesPerSecond > y->st.BytesPerSecond ? -1 : 1;
    return *(const int *)a - *(const int *)b; /* the watch's order */
}

/* Console: redraws the block of every job that has a status, fitted to the
 * window. Lines are cut to its width field by field: the name shrinks first
 * (ending in "…"), then the state's padding, the ETA, the total and the rate
 * go; state, bytes, rate and the error code are never cut in the middle.
 * A block with more jobs than the window has rows shows the busiest ones
 * and a "+N more" line, as top does: a taller block would scroll its top
 * into the scrollback on every redraw. */
static void redraw(watch_ctx *c)
{
    char(*text)[512] = calloc((size_t)c->n + 1, sizeof *text);
    const char **lines = calloc((size_t)c->n + 1, sizeof *lines);
    int *order = calloc((size_t)c->n + 1, sizeof *order);
    int k = 0, cols, rows;

    bw_stream_window(c->out, &cols, &rows);
    int width = cols - 1; /* the console never gets the last column */
    if (text && lines && order) {
        for (int i = 0; i < c->n; i++)
            if (c->jobs[i].have_status)
                order[k++] = i;
        int room = rows - 1; /* the cursor's row stays below the block */
        if (room < 1)
            room = 1;
        int shown = k, more = 0;
        if (k > room) {
            g_order_ctx = c;
            qsort(order, (size_t)k, sizeof *order, by_busyness);
            shown = room > 1 ? room - 1 : 0;
            more = k - shown;
        }
        /* The name field: as wide as the widest name allows, less when the
         * widest line of the rest would not fit beside it. */
        int name_cols = c->name_cols;
        for (int j = 0; j < shown && name_cols > 0; j++) {
            int rest = 0;
            job_line_fit(c, &c->jobs[order[j]], 0, 0, text[j], sizeof text[j]);
            rest = bw_text_columns(text[j]);
            if (width - rest - 2 < name_cols)
                name_cols = width - rest - 2;
        }
        if (name_cols < c->name_cols && name_cols < NAME_COLS_MIN)
            name_cols = 0; /* shrunk to nothing useful: the name goes */
        for (int j = 0; j < shown; j++) {
            job_line_fit(c, &c->jobs[order[j]], name_cols, width, text[j], sizeof text[j]);
            lines[j] = text[j];
        }
        if (more) {
            snprintf(text[shown], sizeof text[shown], "+%d more job%s (a taller window shows more)",
                     more, more == 1 ? "" : "s");
            lines[shown] = text[shown];
            shown++;
        }
        bw_live_draw(&c->live, lines, shown);
    }
    free(text);
    free(lines);
    free(order);
    c->last_draw = GetTickCount64();
    c->dirty = 0;
}

/* Console: draws the block if anything changed since it was last drawn. A
 * wait can report many jobs at once: the block is drawn once for them all. */
static void flush(watch_ctx *c)
{
    if (c->live_console && c->dirty)
        redraw(c);
}

/* Shows a job after a poll. important: a state, error or outcome change,
 * which always shows; otherwise (progress only) a redirected stream gets a
 * line at most once per interval, so a log stays readable. */
static void show(watch_ctx *c, watched *w, int important)
{
    ULONGLONG now = GetTickCount64();
    char line[512];

    if (c->live_console) {
        c->dirty = 1;
        return;
    }
    if (!w->have_status)
        return;
    if (!important && now - w->last_line < c->o->interval_ms)
        return;
    if (c->o->json) {
        bw_json_clear(&c->json);
        bw_json_begin_line(&c->json, "status");
        bw_json_str(&c->json, "JobId", w->full_id);
        bw_json_wstr(&c->json, "DisplayName", w->raw_name);
        json_status(&c->json, &w->st, 1);
        bw_json_end(&c->json);
        bw_json_print(c->out, c->err, &c->json);
    } else {
        job_line(c, w, line, sizeof line);
        bw_stream_line(c->out, line);
    }
    w->last_line = now;
}

/* A line about one job that is not its status line. A note (partly
 * completed, left the queue): above the live block on a console (which is
 * then drawn again below it), a line of its own on stdout when redirected.
 * A failure (error details, a failed call, the timeout), to_err nonzero:
 * on stderr, with every other diagnostic of bitswatch.exe, so that
 * "watch ... >log 2>errors" splits them; when stderr is the console that
 * shows the block, above the block as a note is. */
static void message(watch_ctx *c, const watched *w, const char *text, int to_err)
{
    char line[1200];

    if (c->o->json)
        return; /* what it says is in the job's "end" object */
    if (to_err) {
        snprintf(line, sizeof line, "bitswatch: %s: %s", w->full_id, text);
        if (!(c->live_console && c->err->is_console)) {
            bw_stream_line(c->err, line);
            return;
        }
    } else {
        snprintf(line, sizeof line, "%s: %s", w->full_id, text);
    }
    bw_live_message(&c->live, line);
    if (c->live_console)
        c->dirty = 1; /* the message took the block's place */
}

/* A line of the watch's own (not about one job's state), "bitswatch: "
 * and text: above the live block on a console, which stderr shares; on
 * stderr otherwise, so that --json's stdout stays objects only. */
static void notice(watch_ctx *c, const char *text)
{
    char line[1200];

    snprintf(line, sizeof line, "bitswatch: %s", text);
    if (c->live_console) {
        bw_live_message(&c->live, line);
        c->dirty = 1;
    } else {
        bw_stream_line(c->err, line);
    }
}

/* The job's outcome: note for its line, reason (and the HRESULT behind it,
 * when has_code) for --json. */
static void finish(watched *w, outcome result, const char *note, const char *reason,
                   int has_code, HRESULT code)
{
    w->result = result;
    snprintf(w->note, sizeof w->note, "%s", note);
    w->reason = reason;
    w->has_code = has_code;
    w->code = code;
}

/* --json: the job's "end" object, once, after its last status. The Error
 * member of a job in error: BwJobGetError's, or when BITS has none (Wine
 * on a connection failure), the status's code and context with the
 * library's text. */
static void send_end(watch_ctx *c, watched *w)
{
    BW_ERROR error, made;
    WCHAR *text = NULL, *desc = NULL;
    int have_error = 0;

    if (!c->o->json || w->end_sent || w->result == OUTCOME_WATCHING || w->result == OUTCOME_SKIPPED)
        return;
    w->end_sent = 1;
    memset(&error, 0, sizeof error);
    error.cbSize = sizeof error;
    bw_json_clear(&c->json);
    bw_json_begin_line(&c->json, "end");
    if (w->job || !w->arg) /* no arg: from the queue's list, by GUID */
        bw_json_str(&c->json, "JobId", w->full_id);
    else
        bw_json_wstr(&c->json, "JobId", w->arg); /* as given: it did not open */
    bw_json_wstr(&c->json, "DisplayName", w->raw_name);
    bw_json_str(&c->json, "Outcome", w->result == OUTCOME_OK          ? "ok"
                                     : w->result == OUTCOME_TIMED_OUT ? "timeout"
                                                                      : "failed");
    bw_json_str(&c->json, "Reason", w->reason);
    if (w->has_code) {
        text = bw_hr_message(w->code);
        bw_json_hresult(&c->json, "Result", w->code);
    } else {
        bw_json_null(&c->json, "Result");
    }
    bw_json_wstr(&c->json, "ResultText", text);
    if (strcmp(w->reason, "error") == 0) {
        have_error = w->job && SUCCEEDED(BwJobGetError(w->job, &error));
        if (!have_error) {
            memset(&made, 0, sizeof made);
            made.cbSize = sizeof made;
            made.ErrorCode = w->st.ErrorCode;
            made.Context = w->st.ErrorContext;
            made.Description = desc = bw_hr_message(w->st.ErrorCode);
        }
        bw_json_error_object(&c->json, "Error", have_error ? &error : &made);
    } else {
        bw_json_null(&c->json, "Error");
    }
    bw_json_end(&c->json);
    bw_json_print(c->out, c->err, &c->json);
    BwFreeError(&error);
    free(text);
    free(desc);
}

/* The job is TRANSFERRED and --complete was given: BwJobComplete, then poll
 * until BITS shows it ACKNOWLEDGED, and show that. */
static void complete_job(watch_ctx *c, watched *w)
{
    char text[1100];
    BW_STATUS st;
    HRESULT hr;

    flush(c); /* let the person see TRANSFERRED before ACKNOWLEDGED */
    hr = BwJobComplete(w->job);

    if (bw_interrupted())
        return;
    if (FAILED(hr)) {
        finish(w, OUTCOME_FAILED, "could not complete", "complete-failed", 1, hr);
        show(c, w, 1);
        bw_hr_text(text, sizeof text, hr);
        message(c, w, text, 1);
        return;
    }
    finish(w, OUTCOME_OK, hr == S_OK ? "completed" : "completed (partly)", "completed", 1, hr);
    ULONGLONG until = GetTickCount64() + ACK_WAIT_MS;
    for (;;) {
        st.cbSize = sizeof st;
        HRESULT pr = BwJobPoll(w->job, 0, &st);
        if (pr == BG_E_NOT_FOUND) {
            /* Windows may drop an acknowledged job from the queue at once. */
            snprintf(w->note, sizeof w->note, "completed (job left the queue)");
            break;
        }
        if (FAILED(pr))
            break; /* it was completed; the state shown is only cosmetic */
        w->st = st;
        if (st.State != BW_STATE_TRANSFERRED || GetTickCount64() >= until || bw_interrupted())
            break;
        bw_interrupt_sleep(20);
    }
    show(c, w, 1);
    if (hr != S_OK) {
        /* BG_S_PARTIAL_COMPLETE and friends: worth their text. */
        bw_hr_text(text, sizeof text, hr);
        message(c, w, text, 0);
    }
}

/* The job reached a final state (other than TRANSFERRED with --complete):
 * records the outcome, shows its line, then the details of an error. */
static void finish_final(watch_ctx *c, watched *w)
{
    char text[1100], more[1200];

    switch (w->st.State) {
    case BW_STATE_TRANSFERRED:
        finish(w, OUTCOME_OK, "", "transferred", 0, S_OK);
        show(c, w, 1);
        return;
    case BW_STATE_ACKNOWLEDGED:
        finish(w, OUTCOME_OK, "", "acknowledged", 0, S_OK);
        show(c, w, 1);
        return;
    case BW_STATE_CANCELLED:
        finish(w, OUTCOME_FAILED, "cancelled", "cancelled", 0, S_OK);
        show(c, w, 1);
        return;
    default: /* BW_STATE_ERROR */
        break;
    }
    snprintf(text, sizeof text, "error 0x%08lX", (unsigned long)(UINT32)w->st.ErrorCode);
    finish(w, OUTCOME_FAILED, text, "error", 1, w->st.ErrorCode);
    show(c, w, 1);
    if (bw_is_no_error_info(w->st.ErrorCode))
        snprintf(text, sizeof text, "0x%08lX %s", (unsigned long)(UINT32)w->st.ErrorCode,
                 BW_NO_ERROR_INFO_TEXT);
    else
        bw_hr_text(text, sizeof text, w->st.ErrorCode);
    const char *where = bw_context_name(w->st.ErrorContext);
    if (where[0] && w->st.ErrorContext != BW_CONTEXT_UNKNOWN)
        snprintf(more, sizeof more, "error in %s: %s", where, text);
    else
        snprintf(more, sizeof more, "error: %s", text);
    message(c, w, more, 1);
}

static int is_final(UINT32 state)
{
    return state == BW_STATE_TRANSFERRED || state == BW_STATE_ERROR ||
           state == BW_STATE_ACKNOWLEDGED || state == BW_STATE_CANCELLED;
}

/* Takes one job's entry of a BwJobPollMany result (hr, st) into account:
 * shows it, ends it when it is final or failed. Returns 1 when anything
 * changed. */
static int take_result(watch_ctx *c, watched *w, HRESULT hr, const BW_STATUS *st)
{
    char text[1100];

    if (bw_interrupted())
        return 0; /* the handle was closed under us on purpose */
    if (hr == BG_E_NOT_FOUND) {
        finish(w, OUTCOME_FAILED, "job disappeared", "disappeared", 1, hr);
        if (w->have_status)
            show(c, w, 1);
        else
            message(c, w, "job disappeared", 1);
        return 1;
    }
    if (FAILED(hr)) {
        /* E_HANDLE too: only Ctrl+C closes a handle, and that is handled
         * above; anything else is worth saying. */
        finish(w, OUTCOME_FAILED, "poll failed", "poll-failed", 1, hr);
        show(c, w, 1);
        bw_hr_text(text, sizeof text, hr);
        message(c, w, text, 1);
        return 1;
    }
    int first = !w->have_status;
    w->st = *st;
    w->have_status = 1;
    if (hr == S_FALSE && !first)
        return 0;
    if (st->State == BW_STATE_TRANSFERRED && c->o->complete) {
        show(c, w, 1); /* TRANSFERRED before ACKNOWLEDGED (complete_job draws it) */
        complete_job(c, w);
    } else if (is_final(st->State)) {
        finish_final(c, w);
    } else {
        show(c, w, first || (st->Changed & (BW_CHANGED_STATE | BW_CHANGED_ERROR)));
    }
    return 1;
}

/* The jobs still watched, for one BwJobPollMany: their handles into set,
 * their places in c->jobs into where. A job that ended (final, failed,
 * gone) is left out, so the wait never reads it again. Returns the count. */
static UINT32 gather(watch_ctx *c)
{
    UINT32 k = 0;

    for (int i = 0; i < c->n; i++) {
        const watched *w = &c->jobs[i];
        if (w->result == OUTCOME_WATCHING && w->job) {
            c->set[k] = w->job;
            c->where[k] = i;
            k++;
        }
    }
    return k;
}

/* One wait on every job still watched (BwJobPollMany: the library reads
 * each job on its own schedule and returns at the first change of any),
 * then each job's result. Returns 1 when anything changed. */
static int poll_set(watch_ctx *c, UINT32 timeout_ms)
{
    char text[1100];
    UINT32 k = gather(c);
    BW_STATUS *sts = c->sts;
    HRESULT *results = c->results;
    int *where = c->where;
    int changed = 0;

    if (k == 0)
        return 0;
    for (UINT32 j = 0; j < k; j++) {
        memset(&sts[j], 0, sizeof sts[j]);
        sts[j].cbSize = sizeof sts[j];
    }
    HRESULT hr = BwJobPollMany(c->set, k, timeout_ms, sts, results, NULL);
    if (bw_interrupted())
        return 0;
    if (FAILED(hr)) {
        /* The call as a whole (E_OUTOFMEMORY): no entry was written. */
        for (UINT32 j = 0; j < k; j++) {
            watched *w = &c->jobs[where[j]];
            finish(w, OUTCOME_FAILED, "poll failed", "poll-failed", 1, hr);
            show(c, w, 1);
            bw_hr_text(text, sizeof text, hr);
            message(c, w, text, 1);
            send_end(c, w);
        }
        return 1;
    }
    for (UINT32 j = 0; j < k && !bw_interrupted(); j++) {
        watched *w = &c->jobs[where[j]];
        changed |= take_result(c, w, results[j], &sts[j]);
        if (!bw_interrupted())
            send_end(c, w); /* when it ended just now */
    }
    return changed;
}

/* The display name, read once: it tells jobs apart better than a GUID.
 * --json keeps it as it is too. */
static void read_name(watched *w, int keep_raw)
{
    BW_INFO info;

    memset(&info, 0, sizeof info);
    info.cbSize = sizeof info;
    if (SUCCEEDED(BwJobGetInfo(w->job, &info))) {
        bw_text_utf8(w->name, sizeof w->name, info.DisplayName);
        if (keep_raw && info.DisplayName) {
            size_t len = 0;
            while (info.DisplayName[len])
                len++;
            w->raw_name = malloc(sizeof(WCHAR) * (len + 1));
            if (w->raw_name)
                memcpy(w->raw_name, info.DisplayName, sizeof(WCHAR) * (len + 1));
        }
    }
    BwFreeInfo(&info);
}

/* The name field: as wide as the widest name, within a limit. */
static int name_columns(const watch_ctx *c)
{
    int limit = c->live_console ? NAME_COLS_CONSOLE : NAME_COLS_REDIRECTED, cols = 0;

    for (int i = 0; i < c->n; i++) {
        int w = bw_text_columns(c->jobs[i].name);
        if (w > cols)
            cols = w;
    }
    return cols < limit ? cols : limit;
}

static int count_watching(const watch_ctx *c)
{
    int k = 0;
    for (int i = 0; i < c->n; i++)
        k += c->jobs[i].result == OUTCOME_WATCHING && c->jobs[i].job;
    return k;
}

/* Room for n jobs: the entries and the arrays of one wait on all of them.
 * 0 when out of memory (what was there is kept). */
static int make_room(watch_ctx *c, int n)
{
    if (n <= c->cap)
        return 1;
    int cap = c->cap ? c->cap : 16;
    while (cap < n)
        cap *= 2;
    /* One at a time: each array that grew is kept, whatever fails next. */
    watched *jobs = realloc(c->jobs, sizeof *jobs * (size_t)cap);
    if (jobs)
        c->jobs = jobs;
    BW_JOB *set = realloc(c->set, sizeof *set * (size_t)cap);
    if (set)
        c->set = set;
    int *where = realloc(c->where, sizeof *where * (size_t)cap);
    if (where)
        c->where = where;
    BW_STATUS *sts = realloc(c->sts, sizeof *sts * (size_t)cap);
    if (sts)
        c->sts = sts;
    HRESULT *results = realloc(c->results, sizeof *results * (size_t)cap);
    if (results)
        c->results = results;
    if (!jobs || !set || !where || !sts || !results || !bw_interrupt_reserve(cap))
        return 0;
    c->cap = cap;
    return 1;
}

/* The jobs given on the command line, opened in their order. A Ctrl+C
 * stops the opening (the handler is in place already: bw_interrupt_begin),
 * and closes each handle opened so far. */
static void open_given(watch_ctx *c, const WCHAR *const *ids, int n)
{
    char text[1100];

    for (int i = 0; i < n && !bw_interrupted(); i++) {
        watched *w = &c->jobs[c->n++];
        memset(w, 0, sizeof *w);
        HRESULT hr = BwJobOpen(ids[i], &w->job);
        w->arg = ids[i];
        make_ids(w, ids[i], SUCCEEDED(hr));
        if (SUCCEEDED(hr)) {
            if (bw_interrupt_track(w->job))
                read_name(w, c->o->json);
            else
                w->job = NULL; /* closed: Ctrl+C came during the open */
        } else {
            w->job = NULL;
            bw_hr_text(text, sizeof text, hr);
            finish(w, OUTCOME_FAILED, "could not open", "open-failed", 1, hr);
            bw_stream_linef(c->err, "bitswatch: cannot open job %s: %s", w->full_id, text);
            send_end(c, w);
        }
    }
}

/* ---- watch --all: following the queue ---------------------------------- */

static int guid_order(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(GUID));
}

static int guid_listed(const GUID *id, const GUID *sorted, UINT32 n)
{
    return n && bsearch(id, sorted, n, sizeof *sorted, guid_order) != NULL;
}

/* The queue's list as the last BwQueuePoll saw it, sorted here (bsearch
 * needs this file's order, whatever the library's is) into *ids (free()
 * it). On failure *ids is NULL: no list, which is not an empty one. */
static HRESULT queue_list(watch_ctx *c, GUID **ids, UINT32 *n)
{
    UINT32 count = 0;
    HRESULT hr = BwQueueGetJobs(c->queue, NULL, 0, &count);

    *ids = NULL;
    *n = 0;
    if (FAILED(hr) && hr != HRESULT_FROM_WIN32(ERROR_MORE_DATA))
        return hr;
    GUID *buf = malloc(sizeof *buf * (count ? count : 1));
    if (!buf)
        return E_OUTOFMEMORY;
    /* No round trip, and the list changes only at BwQueuePoll (this thread):
     * it fits. */
    hr = BwQueueGetJobs(c->queue, buf, count, &count);
    if (FAILED(hr)) {
        free(buf);
        return hr;
    }
    qsort(buf, count, sizeof *buf, guid_order);
    *ids = buf;
    *n = count;
    return S_OK;
}

/* A job that arrived in the queue: opened and added at the end. Its line
 * shows at the next wait, which reads a job never polled at once. A job
 * gone before it opened, or one that cannot be opened (said once), keeps an
 * entry without a handle, so that it is not opened again while the list
 * still names it. */
static void add_listed(watch_ctx *c, const GUID *id)
{
    char text[1100], line[1200];
    watched *w = &c->jobs[c->n++];

    memset(w, 0, sizeof *w);
    w->id = *id;
    bw_fmt_guid(w->full_id, sizeof w->full_id, id);
    snprintf(w->short_id, sizeof w->short_id, "%.8s", w->full_id + 1);
    HRESULT hr = BwJobOpenById(id, &w->job);
    if (SUCCEEDED(hr)) {
        if (bw_interrupt_track(w->job))
            read_name(w, c->o->json);
        else
            w->job = NULL; /* closed: Ctrl+C came during the open */
    } else if (hr == BG_E_NOT_FOUND) {
        w->job = NULL; /* listed a moment ago and gone since: nothing to watch */
        w->result = OUTCOME_SKIPPED;
    } else {
        w->job = NULL;
        bw_hr_text(text, sizeof text, hr);
        finish(w, OUTCOME_FAILED, "could not open", "open-failed", 1, hr);
        snprintf(line, sizeof line, "cannot open job %s: %s", w->full_id, text);
        notice(c, line);
        send_end(c, w);
    }
}

/* Adds every job of the list (sorted) that no entry has. 1 when any. */
static int add_arrivals(watch_ctx *c, const GUID *ids, UINT32 n)
{
    GUID *known = malloc(sizeof *known * (size_t)(c->n ? c->n : 1));
    int added = 0, fresh = 0;

    if (!known) {
        notice(c, "out of memory (jobs that arrived are not watched)");
        return 0;
    }
    for (int i = 0; i < c->n; i++)
        known[i] = c->jobs[i].id;
    qsort(known, (size_t)c->n, sizeof *known, guid_order);
    for (UINT32 i = 0; i < n; i++)
        fresh += !guid_listed(&ids[i], known, (UINT32)c->n);
    if (fresh && !make_room(c, c->n + fresh)) {
        notice(c, "out of memory (jobs that arrived are not watched)");
        fresh = 0;
    }
    UINT32 known_n = (UINT32)c->n; /* entries added below are not in known */
    for (UINT32 i = 0; i < n && fresh > 0 && !bw_interrupted(); i++) {
        if (guid_listed(&ids[i], known, known_n))
            continue;
        add_listed(c, &ids[i]);
        fresh--;
        added = 1;
    }
    free(known);
    if (added)
        c->name_cols = name_columns(c);
    return added;
}

/* A job the list no longer names. One still watched is read once more: the
 * census can see it go before the wait reads it, and its final state
 * (CANCELLED, ACKNOWLEDGED) or BG_E_NOT_FOUND says why; its last line (or
 * status and end objects) follows. One that still reads as live was not
 * gone (a list taken as it changed): it stays. A job that ended before it
 * left says so on a console (its line) and in a redirected log ("left the
 * queue"); its end object is out already, so --json says nothing more.
 * Returns 1 when anything was shown. */
static int depart(watch_ctx *c, watched *w)
{
    BW_STATUS st;

    if (w->result == OUTCOME_WATCHING && w->job) {
        memset(&st, 0, sizeof st);
        st.cbSize = sizeof st;
        HRESULT hr = BwJobPoll(w->job, 0, &st);
        if (bw_interrupted())
            return 0;
        if (SUCCEEDED(hr) && !is_final(st.State))
            return take_result(c, w, hr, &st);
        w->gone = 1;
        w->left_at = GetTickCount64();
        if (hr == BG_E_NOT_FOUND && !w->have_status) {
            w->result = OUTCOME_SKIPPED; /* never shown: as if never listed */
            return 0;
        }
        if (hr == BG_E_NOT_FOUND) {
            /* Its last state read stays on the line; why is the note. */
            finish(w, OUTCOME_FAILED, "", "disappeared", 1, hr);
            show(c, w, 1);
        } else {
            take_result(c, w, hr, &st);
        }
        send_end(c, w);
        return 1;
    }
    w->gone = 1;
    w->left_at = GetTickCount64();
    if (!w->have_status)
        return 0;
    if (c->live_console)
        c->dirty = 1;
    else
        message(c, w, "left the queue", 0);
    return 1;
}

/* Forgets the jobs that left the queue, once they have been seen leaving:
 * at once when redirected (their last line or object is out), after
 * LINGER_MS on a console. Their handles are closed. */
static void sweep(watch_ctx *c, ULONGLONG now)
{
    int k = 0, dropped = 0;

    for (int i = 0; i < c->n; i++) {
        watched *w = &c->jobs[i];
        if (w->gone && (!c->live_console || !w->have_status || now - w->left_at >= LINGER_MS)) {
            c->dropped_failed |= w->result == OUTCOME_FAILED;
            if (w->job)
                bw_interrupt_close(w->job);
            free(w->raw_name);
            dropped = 1;
            continue;
        }
        if (k != i)
            c->jobs[k] = *w;
        k++;
    }
    c->n = k;
    if (dropped) {
        c->name_cols = name_columns(c);
        if (c->live_console)
            c->dirty = 1;
    }
}

/* Looks at the queue without waiting (the census behind BwQueuePoll counts
 * the jobs at most every 100 ms, a few round trips whatever their number)
 * and, when its list changed, brings the entries in line with it: jobs that
 * left, then jobs that arrived. A failure is said once, and the jobs
 * already watched go on being watched. Returns 1 when anything changed. */
static int follow_queue(watch_ctx *c)
{
    BW_QUEUE_STATUS qs;
    GUID *ids;
    UINT32 n;
    char text[1100], line[1200];
    int changed = 0;

    memset(&qs, 0, sizeof qs);
    qs.cbSize = sizeof qs;
    HRESULT hr = BwQueuePoll(c->queue, 0, &qs);
    if (FAILED(hr)) {
        if (!c->queue_failing && !bw_interrupted()) {
            bw_hr_text(text, sizeof text, hr);
            snprintf(line, sizeof line, "cannot read the queue (new jobs are not seen until it works again): %s", text);
            notice(c, line);
        }
        c->queue_failing = 1;
        return 0;
    }
    c->queue_failing = 0;
    if (hr == S_FALSE)
        return 0;
    hr = queue_list(c, &ids, &n);
    if (FAILED(hr)) {
        bw_hr_text(text, sizeof text, hr);
        snprintf(line, sizeof line, "cannot list the queue (this change is not seen): %s", text);
        notice(c, line);
        return 0;
    }
    for (int i = 0; i < c->n && !bw_interrupted(); i++)
        if (!c->jobs[i].gone && !guid_listed(&c->jobs[i].id, ids, n))
            changed |= depart(c, &c->jobs[i]);
    if (!bw_interrupted())
        changed |= add_arrivals(c, ids, n);
    free(ids);
    return changed;
}

/* ---- the watch ------------------------------------------------------------ */

/* Watches until every job is done (watch <guid>...) or for good (watch
 * --all), a timeout or Ctrl+C. Returns 1 when the timeout ended it. */
static int watch_loop(watch_ctx *c)
{
    const bw_watch_options *o = c->o;
    ULONGLONG start = GetTickCount64();
    ULONGLONG deadline = o->timeout_sec ? start + (ULONGLONG)o->timeout_sec * 1000u : 0;

    while (!bw_interrupted() && !c->out->broken && (c->queue || count_watching(c) > 0)) {
        ULONGLONG now = GetTickCount64();
        if (deadline && now >= deadline)
            return 1;
        /* The wait ends at the first change of any job; at the latest after
         * the interval, so that a console's rate and ETA stay fresh, and
         * sooner while following the queue, so that it is looked at often. */
        UINT32 wait = o->interval_ms;
        if (c->queue && wait > FOLLOW_WAIT_MS)
            wait = FOLLOW_WAIT_MS;
        if (deadline && deadline - now < wait)
            wait = (UINT32)(deadline - now);

        int changed = poll_set(c, wait);
        if (c->queue && !bw_interrupted()) {
            changed |= follow_queue(c);
            sweep(c, GetTickCount64());
        }
        ULONGLONG after = GetTickCount64();
        /* Refresh the rate and ETA of a quiet console now and then. */
        if (c->live_console && after - c->last_draw >= o->interval_ms)
            c->dirty = 1;
        flush(c);
        /* Never spin, whatever a wait did (returned at once with nothing
         * new, or there was nothing to wait on: an empty queue). */
        if (!changed && after - now < 5)
            bw_interrupt_sleep(wait < 50 ? wait : 50);
    }
    return 0;
}

static void ctx_init(watch_ctx *c, const bw_watch_options *o, bw_stream *out, bw_stream *err)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    c->out = out;
    c->err = err;
    c->live_console = out->is_console && !o->json;
    bw_live_init(&c->live, out);
}

static void ctx_free(watch_ctx *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->jobs[i].raw_name);
    bw_json_free(&c->json);
    free(c->jobs);
    free(c->set);
    free(c->where);
    free(c->sts);
    free(c->results);
}

/* After the loop: the last drawing, the jobs a timeout stopped, every
 * handle closed; the exit code. */
static int watch_end(watch_ctx *c, int timed_out)
{
    char text[1100];
    int failed = c->dropped_failed, stopped = 0;

    if (c->live_console)
        redraw(c);
    bw_live_end(&c->live);
    for (int i = 0; i < c->n; i++) {
        watched *w = &c->jobs[i];
        failed |= w->result == OUTCOME_FAILED;
        if (timed_out && w->result == OUTCOME_WATCHING) {
            snprintf(text, sizeof text, "not done after %u s; stopped watching (the job goes on)",
                     (unsigned)c->o->timeout_sec);
            message(c, w, text, 1);
            finish(w, OUTCOME_TIMED_OUT, "", "timeout", 0, S_OK);
            stopped = 1;
            if (!bw_interrupted())
                send_end(c, w);
        }
    }
    /* Closed through the interrupt module: a handler running now finds
     * each handle either still in its table or gone from it, never freed. */
    bw_interrupt_close_all();

    if (bw_interrupted())
        return BW_EXIT_INTERRUPTED; /* whatever the jobs did meanwhile */
    if (c->out->broken)
        return BW_EXIT_OUTPUT_CLOSED; /* nobody reads any more: quietly */
    if (failed)
        return BW_EXIT_FAILED;
    /* watch --all ends only by the timeout: 3 when a job was still going. */
    return stopped ? BW_EXIT_TIMEOUT : BW_EXIT_OK;
}

int bw_watch(const bw_watch_options *o, const WCHAR *const *ids, int n, bw_stream *out,
             bw_stream *err)
{
    watch_ctx c;
    int rc;

    ctx_init(&c, o, out, err);
    if (!make_room(&c, n)) {
        ctx_free(&c);
        bw_stream_line(err, "bitswatch: out of memory");
        return BW_EXIT_FAILED;
    }
    open_given(&c, ids, n);
    c.name_cols = name_columns(&c);
    rc = watch_end(&c, watch_loop(&c));
    ctx_free(&c);
    return rc;
}

int bw_watch_queue(const bw_watch_options *o, UINT32 flags, bw_stream *out, bw_stream *err)
{
    watch_ctx c;
    int rc;

    ctx_init(&c, o, out, err);
    /* Takes the first census: E_ACCESSDENIED (--all-users, not elevated)
     * shows here, before anything is printed. */
    HRESULT hr = BwQueueOpen(flags, &c.queue);
    if (FAILED(hr)) {
        ctx_free(&c);
        return bw_queue_failed(flags, hr, "watch the queue", err);
    }
    /* The first poll reports every job as arrived: they are opened now. */
    follow_queue(&c);
    if (c.n == 0 && !c.queue_failing && !bw_interrupted())
        bw_stream_line(err, "bitswatch: no jobs in the queue yet; watching for new ones");
    rc = watch_end(&c, watch_loop(&c));
    BwQueueClose(c.queue);
    ctx_free(&c);
    return rc;
}
