/*
 * watch.h - the watch loop: open each job, wait on all of them at once
 * (BwJobPollMany) until every one is done, show them live on a console or
 * as plain lines when redirected.
 */
#ifndef BW_CLI_WATCH_H
#define BW_CLI_WATCH_H

#include "bitswatch.h"
#include "console.h"
#include "json.h"

/* Exit codes of bitswatch.exe. */
#define BW_EXIT_OK 0          /* every job ended transferred or acknowledged */
#define BW_EXIT_FAILED 1      /* a job failed, was cancelled, vanished or did not open */
#define BW_EXIT_USAGE 2
#define BW_EXIT_TIMEOUT 3
#define BW_EXIT_INTERRUPTED 130 /* Ctrl+C, as shells report SIGINT */

typedef struct bw_watch_options {
    int complete;        /* acknowledge transferred jobs (BwJobComplete) */
    UINT32 interval_ms;  /* longest wait between refreshes; redirected: least time between progress lines */
    UINT32 timeout_sec;  /* 0: no limit */
    int full_ids;        /* whole GUIDs on a console too */
    int skip_missing;    /* watch --all: a job gone (BG_E_NOT_FOUND) before it
                            was opened is left out silently, not a failure */
    int json;            /* --json: NDJSON objects on out instead of lines
                            (README.md, "JSON output"); err is unchanged */
} bw_watch_options;

/* "0x80190194 HTTP 404 Not Found": the code and BwFormatMessage's text for
 * it, sanitized. */
void bw_hr_text(char *buf, size_t cap, HRESULT hr);

/* BwFormatMessage's text for hr as it is (not sanitized: for JSON, which
 * escapes it), without the line break system messages end with; NULL when
 * there is none or no memory. free() it. */
WCHAR *bw_hr_message(HRESULT hr);

/* Writes the finished object of j as one NDJSON line ("\n"); a line that
 * could not be built (out of memory) is reported on err instead. */
void bw_json_print(bw_stream *out, bw_stream *err, bw_json *j);

/* Watches the jobs ids[0..n) and returns the exit code. The caller has
 * called bw_interrupt_begin (interrupt.h) first: every handle opened here
 * is handed to that module, a Ctrl+C stops the opening or the watching, and
 * the result is then BW_EXIT_INTERRUPTED, whatever the jobs did. Every
 * handle is closed on return. */
int bw_watch(const bw_watch_options *o, const WCHAR *const *ids, int n, bw_stream *out,
             bw_stream *err);

#endif /* BW_CLI_WATCH_H */
