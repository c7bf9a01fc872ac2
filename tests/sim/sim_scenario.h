/*
 * sim_scenario.h - a parsed simulator scenario (see README.md for the text
 * format). The parser resolves "a field not given keeps its previous value"
 * once, so every keyframe holds the job's whole state at its time.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>

#include "bw_core.h"

/* One `at` line, with every field resolved. */
typedef struct sim_key {
    UINT64 at_ms;
    int gone;                 /* `at <ms> gone`: no other field is used */
    UINT32 state;             /* BW_STATE_* */
    UINT64 bytes_done, bytes_total;   /* total: BW_SIZE_UNKNOWN for '?' */
    UINT32 files_done, files_total;
    UINT64 reply_done, reply_total;
    HRESULT error;
    UINT32 context;
    /* Shared with earlier/later keyframes (they are carried forward): owned by
     * the job's string list, not by the key. NULL when never given. */
    const WCHAR *text, *remote, *local;
} sim_key;

typedef struct sim_job {
    GUID id;
    unsigned line;            /* of the `job` line, for messages */
    UINT32 type, priority, errors;
    UINT64 created_ms;        /* `created=`: not in the queue before this time (0) */
    WCHAR *name, *description, *owner; /* NULL when not given */
    sim_key *keys;
    size_t nkeys;
    WCHAR **strings;          /* every text/remote/local string of the keys */
    size_t nstrings;
} sim_job;

typedef struct sim_window {
    UINT64 from_ms, to_ms;    /* calls in [from, to) fail */
} sim_window;

typedef struct sim_scenario {
    sim_job *jobs;
    size_t njobs;
    sim_window *down;
    size_t ndown;
    int admin;
} sim_scenario;

/* Parses text (UTF-8, len bytes). On success fills *out and returns 1. On a
 * mistake writes one line "bitswatch_sim: FILE:LINE: what" to stderr, leaves
 * *out empty and returns 0. file names the text in that message. */
int sim_scenario_parse(const char *text, size_t len, const char *file, sim_scenario *out);
void sim_scenario_free(sim_scenario *s);

#endif /* SIM_SCENARIO_H */
