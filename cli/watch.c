/* watch.c - see watch.h. */
#include "watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interrupt.h"
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

/* OUTCOME_SKIPPED: gone before it was opened, with skip_missing.
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
} watched;

typedef struct watch_ctx {
    const bw_watch_options *o;
    watched *jobs;
    int n;
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

static void job_line(const watch_ctx *c, const watched *w, char *buf, size_t cap)
{
    char state[64];
    const char *id = (c->out->is_console && !c->o->full_ids) ? w->short_id : w->full_id;

    bw_text_utf8(state, sizeof state, BwStateName(w->st.State));
    bw_render_line(buf, cap, id, w->name, c->name_cols, state, &w->st, w->note);
}

/* Console: redraws the block of every job that has a status. */
static void redraw(watch_ctx *c)
{
    char(*text)[512] = calloc((size_t)c->n, sizeof *text);
    const char **lines = calloc((size_t)c->n, sizeof *lines);
    int k = 0;

    if (text && lines) {
        for (int i = 0; i < c->n; i++) {
            if (!c->jobs[i].have_status)
                continue;
            job_line(c, &c->jobs[i], text[k], sizeof text[k]);
            lines[k] = text[k];
            k++;
        }
        bw_live_draw(&c->live, lines, k);
    }
    free(text);
    free(lines);
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

/* A line about one job that is not its status line: above the live block on
 * a console (which is then drawn again below it), a line of its own when
 * redirected. */
static void message(watch_ctx *c, const watched *w, const char *text)
{
    char line[1200];

    if (c->o->json)
        return; /* what it says is in the job's "end" object */
    snprintf(line, sizeof line, "%s: %s", w->full_id, text);
    bw_live_message(&c->live, line);
    if (c->live_console)
        c->dirty = 1; /* the message took the block's place */
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
    if (w->job)
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
        message(c, w, text);
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
        message(c, w, text);
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
    bw_hr_text(text, sizeof text, w->st.ErrorCode);
    const char *where = bw_context_name(w->st.ErrorContext);
    if (where[0])
        snprintf(more, sizeof more, "error in %s: %s", where, text);
    else
        snprintf(more, sizeof more, "error: %s", text);
    message(c, w, more);
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
            message(c, w, "job disappeared");
        return 1;
    }
    if (FAILED(hr)) {
        /* E_HANDLE too: only Ctrl+C closes a handle, and that is handled
         * above; anything else is worth saying. */
        finish(w, OUTCOME_FAILED, "poll failed", "poll-failed", 1, hr);
        show(c, w, 1);
        bw_hr_text(text, sizeof text, hr);
        message(c, w, text);
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
static UINT32 gather(const watch_ctx *c, BW_JOB *set, int *where)
{
    UINT32 k = 0;

    for (int i = 0; i < c->n; i++) {
        const watched *w = &c->jobs[i];
        if (w->result == OUTCOME_WATCHING && w->job) {
            set[k] = w->job;
            where[k] = i;
            k++;
        }
    }
    return k;
}

/* One wait on every job still watched (BwJobPollMany: the library reads
 * each job on its own schedule and returns at the first change of any),
 * then each job's result. Returns 1 when anything changed. */
static int poll_set(watch_ctx *c, BW_JOB *set, int *where, BW_STATUS *sts, HRESULT *results,
                    UINT32 timeout_ms)
{
    char text[1100];
    UINT32 k = gather(c, set, where);
    int changed = 0;

    if (k == 0)
        return 0;
    for (UINT32 j = 0; j < k; j++) {
        memset(&sts[j], 0, sizeof sts[j]);
        sts[j].cbSize = sizeof sts[j];
    }
    HRESULT hr = BwJobPollMany(set, k, timeout_ms, sts, results, NULL);
    if (bw_interrupted())
        return 0;
    if (FAILED(hr)) {
        /* The call as a whole (E_OUTOFMEMORY): no entry was written. */
        for (UINT32 j = 0; j < k; j++) {
            watched *w = &c->jobs[where[j]];
            finish(w, OUTCOME_FAILED, "poll failed", "poll-failed", 1, hr);
            show(c, w, 1);
            bw_hr_text(text, sizeof text, hr);
            message(c, w, text);
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

int bw_watch(const bw_watch_options *o, const WCHAR *const *ids, int n, bw_stream *out,
             bw_stream *err)
{
    watch_ctx c = {o, NULL, n, out, err, {0}, out->is_console && !o->json, {0}, 0, 0, 0};
    int timed_out = 0, rc = BW_EXIT_OK;
    char text[1100];

    c.jobs = calloc((size_t)n, sizeof *c.jobs);
    if (!c.jobs) {
        bw_stream_line(err, "bitswatch: out of memory");
        return BW_EXIT_FAILED;
    }
    bw_live_init(&c.live, out);
    if (!bw_interrupt_reserve(n)) {
        free(c.jobs);
        bw_stream_line(err, "bitswatch: out of memory");
        return BW_EXIT_FAILED;
    }

    /* The Ctrl+C handler is in place already (bw_interrupt_begin): a Ctrl+C
     * now stops the opening, and closes each handle opened so far. */
    for (int i = 0; i < n && !bw_interrupted(); i++) {
        watched *w = &c.jobs[i];
        HRESULT hr = BwJobOpen(ids[i], &w->job);
        w->arg = ids[i];
        make_ids(w, ids[i], SUCCEEDED(hr));
        if (SUCCEEDED(hr)) {
            if (bw_interrupt_track(w->job))
                read_name(w, o->json);
            else
                w->job = NULL; /* closed: Ctrl+C came during the open */
        } else if (hr == BG_E_NOT_FOUND && o->skip_missing) {
            /* Enumerated a moment ago and gone since: nothing to watch. */
            w->job = NULL;
            w->result = OUTCOME_SKIPPED;
        } else {
            w->job = NULL;
            bw_hr_text(text, sizeof text, hr);
            finish(w, OUTCOME_FAILED, "could not open", "open-failed", 1, hr);
            bw_stream_linef(err, "bitswatch: cannot open job %s: %s", w->full_id, text);
            send_end(&c, w);
        }
    }

    c.name_cols = name_columns(&c);

    /* Room for one wait on every job at once. */
    BW_JOB *set = calloc((size_t)n, sizeof *set);
    int *where = calloc((size_t)n, sizeof *where);
    BW_STATUS *sts = calloc((size_t)n, sizeof *sts);
    HRESULT *results = calloc((size_t)n, sizeof *results);
    if (!set || !where || !sts || !results) {
        bw_stream_line(err, "bitswatch: out of memory");
        for (int i = 0; i < n; i++)
            if (c.jobs[i].result == OUTCOME_WATCHING)
                finish(&c.jobs[i], OUTCOME_FAILED, "out of memory", "poll-failed", 1,
                       E_OUTOFMEMORY);
    }

    ULONGLONG start = GetTickCount64();
    ULONGLONG deadline = o->timeout_sec ? start + (ULONGLONG)o->timeout_sec * 1000u : 0;
    while (!bw_interrupted() && count_watching(&c) > 0) {
        ULONGLONG now = GetTickCount64();
        if (deadline && now >= deadline) {
            timed_out = 1;
            break;
        }
        /* The wait ends at the first change of any job; at the latest after
         * the interval, so that a console's rate and ETA stay fresh. */
        UINT32 wait = o->interval_ms;
        if (deadline && deadline - now < wait)
            wait = (UINT32)(deadline - now);

        int changed = poll_set(&c, set, where, sts, results, wait);
        ULONGLONG after = GetTickCount64();
        /* Refresh the rate and ETA of a quiet console now and then. */
        if (c.live_console && after - c.last_draw >= o->interval_ms)
            c.dirty = 1;
        flush(&c);
        /* Never spin, whatever a wait did (returned at once with nothing new). */
        if (!changed && after - now < 5)
            bw_interrupt_sleep(wait < 50 ? wait : 50);
    }
    free(set);
    free(where);
    free(sts);
    free(results);

    if (c.live_console)
        redraw(&c);
    bw_live_end(&c.live);

    int failed = 0;
    for (int i = 0; i < n; i++) {
        failed |= c.jobs[i].result == OUTCOME_FAILED;
        if (timed_out && c.jobs[i].result == OUTCOME_WATCHING) {
            snprintf(text, sizeof text, "not done after %u s; stopped watching (the job goes on)",
                     (unsigned)o->timeout_sec);
            message(&c, &c.jobs[i], text);
            finish(&c.jobs[i], OUTCOME_TIMED_OUT, "", "timeout", 0, S_OK);
            if (!bw_interrupted())
                send_end(&c, &c.jobs[i]);
        }
    }
    /* Closed through the interrupt module: a handler running now finds
     * each handle either still in its table or gone from it, never freed. */
    bw_interrupt_close_all();

    if (bw_interrupted())
        rc = BW_EXIT_INTERRUPTED; /* whatever the jobs did meanwhile */
    else if (failed)
        rc = BW_EXIT_FAILED;
    else if (timed_out)
        rc = BW_EXIT_TIMEOUT;
    for (int i = 0; i < n; i++)
        free(c.jobs[i].raw_name);
    bw_json_free(&c.json);
    free(c.jobs);
    return rc;
}
