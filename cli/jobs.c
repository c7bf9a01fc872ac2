/* jobs.c - see jobs.h. */
#include "jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "info.h"
#include "jsonjob.h"
#include "render.h"
#include "text.h"
#include "watch.h"

/* Jobs come and go between the count and the read: a few rounds with some
 * slack, then give up rather than loop forever on a queue that keeps growing. */
#define ENUM_ROUNDS 8
#define ENUM_SLACK 16u

int bw_queue_failed(UINT32 flags, HRESULT hr, const char *what, bw_stream *err)
{
    char text[1100];

    if (hr == E_ACCESSDENIED && (flags & BW_ENUM_ALL_USERS)) {
        bw_stream_line(err, "bitswatch: --all-users needs an elevated (administrator) prompt");
        return BW_EXIT_FAILED;
    }
    bw_hr_text(text, sizeof text, hr);
    bw_stream_linef(err, "bitswatch: cannot %s: %s", what, text);
    return BW_EXIT_FAILED;
}

int bw_enum_ids(UINT32 flags, GUID **ids, UINT32 *n, bw_stream *err)
{
    GUID *buf = NULL;
    UINT32 cap = 0, count = 0;
    HRESULT hr = E_FAIL;

    *ids = NULL;
    *n = 0;
    for (int round = 0; round < ENUM_ROUNDS; round++) {
        hr = BwEnumJobs(flags, buf, cap, &count);
        if (hr != HRESULT_FROM_WIN32(ERROR_MORE_DATA) || count <= cap) {
            if (hr == HRESULT_FROM_WIN32(ERROR_MORE_DATA))
                continue; /* shrank again meanwhile: the next round fits */
            break;
        }
        GUID *bigger = realloc(buf, sizeof *buf * (count + ENUM_SLACK));
        if (!bigger) {
            free(buf);
            bw_stream_line(err, "bitswatch: out of memory");
            return BW_EXIT_FAILED;
        }
        buf = bigger;
        cap = count + ENUM_SLACK;
    }
    if (FAILED(hr)) {
        free(buf);
        return bw_queue_failed(flags, hr, "list the jobs", err);
    }
    *ids = buf;
    *n = count < cap ? count : cap; /* count 0 with no buffer: nothing */
    return BW_EXIT_OK;
}

/* --json: a job that could not be opened or read, as a "failure" object. */
static void json_failure(bw_json *j, bw_stream *out, bw_stream *err, const GUID *id,
                         const char *operation, HRESULT hr)
{
    WCHAR *text = bw_hr_message(hr);

    bw_json_clear(j);
    bw_json_begin_line(j, "failure");
    bw_json_guid(j, "JobId", id);
    bw_json_str(j, "Operation", operation);
    bw_json_hresult(j, "Result", hr);
    bw_json_wstr(j, "ResultText", text);
    bw_json_end(j);
    bw_json_print(out, err, j);
    free(text);
}

/* --json: a job's "status" object. name: its display name as BITS has it
 * (NULL when it could not be read). */
static void json_status_line(bw_json *j, bw_stream *out, bw_stream *err, const GUID *id,
                             const WCHAR *name, const BW_STATUS *st)
{
    WCHAR *text = st->ErrorCode ? bw_hr_message(st->ErrorCode) : NULL;

    bw_json_clear(j);
    bw_json_begin_line(j, "status");
    bw_json_guid(j, "JobId", id);
    bw_json_wstr(j, "DisplayName", name);
    bw_json_status_members(j, st, text, 1);
    bw_json_end(j);
    bw_json_print(out, err, j);
    free(text);
}

/* One row of the text table of 'list'. */
typedef struct list_row {
    char id[48], state[64], bytes[64], files[32], name[256], note[1100];
    int is_note;
} list_row;

#define LIST_COLUMNS 5

/* The rows as a table, under a header, each column aligned. */
static void print_table(bw_stream *out, const list_row *rows, int n)
{
    const char **cells = calloc((size_t)(n + 1) * LIST_COLUMNS, sizeof *cells);
    int widths[LIST_COLUMNS];
    char line[2048];

    if (!cells)
        return;
    cells[0] = "JOB";
    cells[1] = "STATE";
    cells[2] = "BYTES";
    cells[3] = "FILES";
    cells[4] = "DISPLAY NAME";
    for (int r = 0; r < n; r++) {
        const char **row = cells + (size_t)(r + 1) * LIST_COLUMNS;
        row[0] = rows[r].id;
        if (rows[r].is_note) {
            row[1] = rows[r].note; /* the rest NULL: runs on */
            continue;
        }
        row[1] = rows[r].state;
        row[2] = rows[r].bytes;
        row[3] = rows[r].files;
        row[4] = rows[r].name;
    }
    bw_table_widths(cells, n + 1, LIST_COLUMNS, widths);
    for (int r = 0; r <= n; r++) {
        bw_table_row(line, sizeof line, cells + (size_t)r * LIST_COLUMNS, LIST_COLUMNS, widths);
        bw_stream_line(out, line);
    }
    free(cells);
}

int bw_list(UINT32 flags, int json, bw_stream *out, bw_stream *err)
{
    GUID *ids;
    UINT32 n;
    int rc = bw_enum_ids(flags, &ids, &n, err), shown = 0;
    char text[1100];
    bw_json j;
    list_row *rows = NULL;

    if (rc != BW_EXIT_OK)
        return rc;
    /* Text: every row first, then the table, whose columns take the width
     * of their widest cell. */
    if (!json && n > 0 && !(rows = calloc(n, sizeof *rows))) {
        free(ids);
        bw_stream_line(err, "bitswatch: out of memory");
        return BW_EXIT_FAILED;
    }
    bw_json_init(&j);
    for (UINT32 i = 0; i < n; i++) {
        BW_JOB job = NULL;
        BW_STATUS st;
        BW_INFO info;
        list_row *row = rows ? &rows[shown] : NULL;
        HRESULT hr = BwJobOpenById(&ids[i], &job);

        if (hr == BG_E_NOT_FOUND)
            continue; /* gone since the enumeration: not worth a line */
        if (row)
            bw_fmt_guid(row->id, sizeof row->id, &ids[i]);
        if (FAILED(hr)) {
            if (json) {
                json_failure(&j, out, err, &ids[i], "open", hr);
            } else {
                bw_hr_text(text, sizeof text, hr);
                snprintf(row->note, sizeof row->note, "(cannot open: %s)", text);
                row->is_note = 1;
            }
            shown++;
            continue;
        }
        memset(&st, 0, sizeof st);
        st.cbSize = sizeof st;
        hr = BwJobPoll(job, 0, &st);
        if (hr == BG_E_NOT_FOUND) {
            BwJobClose(job);
            continue;
        }
        memset(&info, 0, sizeof info);
        info.cbSize = sizeof info;
        int have_info = SUCCEEDED(BwJobGetInfo(job, &info));
        BwJobClose(job);
        if (FAILED(hr)) {
            if (json) {
                json_failure(&j, out, err, &ids[i], "read", hr);
            } else {
                bw_hr_text(text, sizeof text, hr);
                snprintf(row->note, sizeof row->note, "(cannot read: %s)", text);
                row->is_note = 1;
            }
        } else if (json) {
            json_status_line(&j, out, err, &ids[i], have_info ? info.DisplayName : NULL, &st);
        } else {
            if (have_info)
                bw_text_utf8(row->name, sizeof row->name, info.DisplayName);
            bw_text_utf8(row->state, sizeof row->state, BwStateName(st.State));
            bw_fmt_progress(row->bytes, sizeof row->bytes, st.BytesTransferred, st.BytesTotal);
            snprintf(row->files, sizeof row->files, "%lu/%lu", (unsigned long)st.FilesTransferred,
                     (unsigned long)st.FilesTotal);
        }
        BwFreeInfo(&info);
        shown++;
    }
    if (shown == 0)
        bw_stream_line(err, "bitswatch: no jobs");
    else if (rows)
        print_table(out, rows, shown);
    bw_json_free(&j);
    free(rows);
    free(ids);
    return BW_EXIT_OK;
}

/* info --json: the "info" object. The Error member of a job in an error
 * state: BwJobGetError's (error), or when BITS had none, the status's code
 * and context with the library's text; null otherwise. */
static void json_info(bw_stream *out, bw_stream *err, const BW_INFO *info, const BW_STATUS *st,
                      const BW_ERROR *error)
{
    bw_json j;
    BW_ERROR made;
    WCHAR *desc = NULL;
    WCHAR *text = st->ErrorCode ? bw_hr_message(st->ErrorCode) : NULL;

    bw_json_init(&j);
    bw_json_begin_line(&j, "info");
    bw_json_info_members(&j, info);
    bw_json_status_members(&j, st, text, 0); /* Type: from the info */
    if (!error && (st->State == BW_STATE_ERROR || st->State == BW_STATE_TRANSIENT_ERROR) &&
        st->ErrorCode) {
        memset(&made, 0, sizeof made);
        made.cbSize = sizeof made;
        made.ErrorCode = st->ErrorCode;
        made.Context = st->ErrorContext;
        made.Description = desc = bw_hr_message(st->ErrorCode);
        error = &made;
    }
    bw_json_error_object(&j, "Error", error);
    bw_json_end(&j);
    bw_json_print(out, err, &j);
    bw_json_free(&j);
    free(text);
    free(desc);
}

/* info on a moving job: how long to watch it for a rate, and each wait. */
#define RATE_SAMPLE_MS 1500u
#define RATE_POLL_MS 250u

static int is_moving(UINT32 state)
{
    return (BwStateFlags(state) & BW_STATE_FLAG_TRANSFERRING) != 0;
}

int bw_info(const WCHAR *idText, int json, bw_stream *out, bw_stream *err)
{
    BW_JOB job = NULL;
    BW_STATUS st;
    BW_INFO info;
    BW_ERROR error;
    int have_error = 0, rc = BW_EXIT_OK;
    char shown[128], state[64], status_error[1100], text[1100];
    HRESULT hr = BwJobOpen(idText, &job);

    if (FAILED(hr)) {
        bw_hr_text(text, sizeof text, hr);
        bw_stream_linef(err, "bitswatch: cannot open job '%s': %s",
                        bw_text_utf8(shown, sizeof shown, idText), text);
        return BW_EXIT_FAILED;
    }
    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    memset(&info, 0, sizeof info);
    info.cbSize = sizeof info;
    memset(&error, 0, sizeof error);
    error.cbSize = sizeof error;
    hr = BwJobPoll(job, 0, &st);
    /* The rate is measured between polls: one poll cannot know it. A job
     * that is moving gets a little longer, so that Rate and ETA show. */
    for (ULONGLONG until = GetTickCount64() + RATE_SAMPLE_MS;
         SUCCEEDED(hr) && is_moving(st.State) && !(st.BytesPerSecond > 0.0) &&
         GetTickCount64() < until;)
        hr = BwJobPoll(job, RATE_POLL_MS, &st);
    if (SUCCEEDED(hr))
        hr = BwJobGetInfo(job, &info);
    if (FAILED(hr)) {
        bw_hr_text(text, sizeof text, hr);
        bw_stream_linef(err, "bitswatch: cannot read job '%s': %s",
                        bw_text_utf8(shown, sizeof shown, idText), text);
        rc = BW_EXIT_FAILED;
        goto done;
    }
    status_error[0] = 0;
    if (st.State == BW_STATE_ERROR || st.State == BW_STATE_TRANSIENT_ERROR) {
        have_error = SUCCEEDED(BwJobGetError(job, &error));
        if (!have_error && st.ErrorCode)
            bw_hr_text(status_error, sizeof status_error, st.ErrorCode);
    }
    if (json) {
        json_info(out, err, &info, &st, have_error ? &error : NULL);
        goto done;
    }
    bw_text_utf8(state, sizeof state, BwStateName(st.State));

    bw_info_view v = {&info, &st, state, have_error ? &error : NULL, status_error, 1};
    char *buf = malloc(16384);
    if (!buf) {
        bw_stream_line(err, "bitswatch: out of memory");
        rc = BW_EXIT_FAILED;
        goto done;
    }
    bw_render_info(buf, 16384, &v);
    /* bw_stream_line ends each line as the stream wants it (CRLF redirected). */
    for (char *p = buf, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = 0;
        bw_stream_line(out, p);
    }
    free(buf);
done:
    BwFreeError(&error);
    BwFreeInfo(&info);
    BwJobClose(job);
    return rc;
}
