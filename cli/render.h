/*
 * render.h - the text of a job's status line: bytes, rate, ETA.
 *
 * Pure formatting (no I/O, no BITS; the only Windows calls convert times),
 * so it is tested on its own.
 * Sizes use binary units with the short names people know from Explorer:
 * 1 KB = 1024 bytes.
 */
#ifndef BW_CLI_RENDER_H
#define BW_CLI_RENDER_H

#include <stddef.h>
#include "bitswatch.h"

/* "512 B", "1.0 KB", "12.5 MB", "3.2 GB". */
void bw_fmt_bytes(char *buf, size_t cap, UINT64 bytes);

/* "12.5 MB / 40.0 MB (31%)"; "1.2 MB of unknown" when total is
 * BW_SIZE_UNKNOWN; "12.5 MB / 0 B" when total is 0 (no percent). */
void bw_fmt_progress(char *buf, size_t cap, UINT64 transferred, UINT64 total);

/* "1.5 MB/s"; "" when the rate is unknown (0, negative or not a number). */
void bw_fmt_rate(char *buf, size_t cap, double bytesPerSecond);

/* "ETA 0:42", "ETA 1:02:03"; "" when seconds < 0 (unknown). */
void bw_fmt_eta(char *buf, size_t cap, INT64 seconds);

/* The name of a BW_CONTEXT_* value ("remote file"), "" for none/unknown. */
const char *bw_context_name(UINT32 context);

/* One job's line: id, display name (sanitized UTF-8) cut or padded to
 * exactly name_cols console columns (no name field when name_cols is 0),
 * state name (sanitized UTF-8), progress, rate and ETA (only while the job
 * can still move), then note when not NULL/"". Fields are separated by two
 * spaces; the name and the state are padded so that the columns of several
 * jobs line up on a console, wide characters included. */
void bw_render_line(char *buf, size_t cap, const char *id, const char *name, int name_cols,
                    const char *state, const BW_STATUS *st, const char *note);

/* "{0F1E2D3C-...}": the GUID in upper case with braces (39 bytes with NUL). */
void bw_fmt_guid(char *buf, size_t cap, const GUID *id);

/* "Foreground", "High", "Normal", "Low" (BG_JOB_PRIORITY); "Unknown (n)". */
void bw_fmt_priority(char *buf, size_t cap, UINT32 priority);

/* "Download", "Upload", "Upload-reply"; "Unknown (n)". */
void bw_fmt_type(char *buf, size_t cap, UINT32 type);

/* A FILETIME (UTC) as "YYYY-MM-DD HH:MM:SS", in local time when local is
 * nonzero (the machine's time zone, with the daylight saving rule of that
 * date), else in UTC. "unknown" for 0 or a value that does not convert. */
void bw_fmt_filetime(char *buf, size_t cap, UINT64 filetime, int local);

/* One line of 'bitswatch list': id, state (padded as in the watch line),
 * bytes as the watch line shows them, "files n/m", then the display name
 * (already sanitized UTF-8; nothing when NULL or ""). */
void bw_render_list_line(char *buf, size_t cap, const char *id, const char *state,
                         const BW_STATUS *st, const char *name);

#endif /* BW_CLI_RENDER_H */
