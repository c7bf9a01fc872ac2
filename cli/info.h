/*
 * info.h - the text of 'bitswatch info': one "Name: value" line per fact
 * about a job, from what BwJobGetInfo, BwJobPoll and BwJobGetError gave.
 *
 * Pure formatting (no BITS calls), so it is tested with made-up structs.
 * Every string that came from BITS goes through bw_text_utf8 here: a display
 * name, description, owner, URL or path is never printed raw.
 */
#ifndef BW_CLI_INFO_H
#define BW_CLI_INFO_H

#include <stddef.h>
#include "bitswatch.h"

typedef struct bw_info_view {
    const BW_INFO *info;     /* from BwJobGetInfo */
    const BW_STATUS *st;     /* from BwJobPoll */
    const char *state;       /* BwStateName(st->State), sanitized UTF-8 */
    const BW_ERROR *error;   /* from BwJobGetError; NULL when it had none */
    /* When the job is in an error state but BwJobGetError gave nothing (Wine
     * on a connection failure): the status's code with its text, as
     * "0x80072EFD <text>", shown instead. NULL or "" for none. */
    const char *status_error_text;
    int local_times;         /* times in local time (else UTC, for tests) */
} bw_info_view;

/* Writes the lines into buf (cap bytes, always NUL-terminated), each ending
 * in "\n"; cut at a line boundary when buf is too small. Returns the number
 * of lines written. */
int bw_render_info(char *buf, size_t cap, const bw_info_view *v);

#endif /* BW_CLI_INFO_H */
