/*
 * watch.h - the watch loop: open each job, wait on all of them at once
 * (BwJobPollMany) until every one is done, show them live on a console or
 * as plain lines when redirected. watch --all follows the queue (BwQueuePoll)
 * instead: jobs join the set as they arrive and leave it as they go.
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
#define BW_EXIT_OUTPUT_CLOSED 141 /* stdout's reader went away, as shells
                                     report SIGPIPE ("| head -n 1") */
/* When several apply, the first of 130, 141, 1, 3, 0 wins (usage errors,
 * 2, come before anything runs). */

typedef struct bw_watch_options {
    int complete;        /* acknowledge transferred jobs (BwJobComplete) */
    UINT32 interval_ms;  /* longest wait between refreshes; redirected: least time between progress lines */
    UINT32 timeout_sec;  /* 0: no limit */
    int full_ids;        /* whole GUIDs on a console too */
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

/* watch --all: follows the queue (BwQueueOpen with flags: 0, or
 * BW_ENUM_ALL_USERS) until --timeout-sec or Ctrl+C, an empty queue
 * included. Every job in it is watched as bw_watch watches one, and so is
 * each job that arrives (from the next refresh on, within about 0.3 s). A
 * job that leaves while watched is read once more and ends with its last
 * state (cancelled, acknowledged, or gone: "disappeared"); a job that leaves
 * is dropped then (on a console, its line stays 3 s more), its handle
 * closed. A job gone before it could be opened is left out silently. Exit
 * code as bw_watch's: 1 when a job failed while watched, 3 when one was
 * still going at the timeout, 0 otherwise; BwQueueOpen failing is said on
 * err (jobs.h, bw_queue_failed) and is 1. */
int bw_watch_queue(const bw_watch_options *o, UINT32 flags, bw_stream *out, bw_stream *err);

#endif /* BW_CLI_WATCH_H */
