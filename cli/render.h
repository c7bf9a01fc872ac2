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

/* The name of a BW_CONTEXT_* value ("remote file", "unknown"), "" for none
 * and for a value not known here. */
const char *bw_context_name(UINT32 context);

/* 1 for BITS' "no error information" (BG_E_ERROR_INFORMATION_UNAVAILABLE,
 * 0x8020000F), which a job in ERROR shows when the service kept no error
 * object (Wine after a connection failure or a timeout). Its system text
 * ("the job is not in an error state, or BITS recorded no error") reads as
 * a contradiction beside "Error", so it is shown as BW_NO_ERROR_INFO_TEXT. */
int bw_is_no_error_info(HRESULT hr);
#define BW_NO_ERROR_INFO_TEXT "BITS kept no details of this error"

/* One job's line: id, display name (sanitized UTF-8) cut or padded to
 * exactly name_cols console columns (no name field when name_cols is 0),
 * state name (sanitized UTF-8), progress, rate and ETA (only while the job
 * can still move), then note when not NULL/"". A name wider than name_cols
 * ends in an ellipsis (bw_fit_name). Fields are separated by two
 * spaces; the name and the state are padded so that the columns of several
 * jobs line up on a console, wide characters included. */
void bw_render_line(char *buf, size_t cap, const char *id, const char *name, int name_cols,
                    const char *state, const BW_STATUS *st, const char *note);

/* What a line gives up, step by step, to fit a narrow console; every field
 * that stays is whole (bw_render_line_fit). */
#define BW_SQUEEZE_STATE_PAD 1   /* the state unpadded */
#define BW_SQUEEZE_ETA 2         /* no ETA */
#define BW_SQUEEZE_SHORT_BYTES 3 /* "99.2 KB", "12.5 MB (31%)": no total */
#define BW_SQUEEZE_RATE 4        /* no rate */

/* bw_render_line with squeeze (0 .. BW_SQUEEZE_RATE) of the steps above. */
void bw_render_line_squeezed(char *buf, size_t cap, const char *id, const char *name,
                             int name_cols, const char *state, const BW_STATUS *st,
                             const char *note, int squeeze);

/* bw_render_line, squeezed as little as it takes to be at most width
 * columns (width <= 0: not at all). The name field is the caller's to
 * shrink first (name_cols). A line still too wide at the last step is
 * returned as it is (the console cuts it). Returns the squeeze used. */
int bw_render_line_fit(char *buf, size_t cap, const char *id, const char *name, int name_cols,
                       const char *state, const BW_STATUS *st, const char *note, int width);

/* The name field: name padded to exactly cols columns, or when it is
 * wider, cut to cols - 1 and ended with an ellipsis ("…", U+2026). cols <= 0:
 * "". */
void bw_fit_name(char *dst, size_t cap, const char *name, int cols);

/* "{0F1E2D3C-...}": the GUID in upper case with braces (39 bytes with NUL). */
void bw_fmt_guid(char *buf, size_t cap, const GUID *id);

/* BwPriorityName ("Foreground", "High", "Normal", "Low"); "unknown (not
 * reported by the service)" for BW_PRIORITY_UNKNOWN; "Unknown (n)". */
void bw_fmt_priority(char *buf, size_t cap, UINT32 priority);

/* BwTypeName: "Download", "Upload", "UploadReply"; "Unknown (n)". */
void bw_fmt_type(char *buf, size_t cap, UINT32 type);

/* A FILETIME (UTC) as "YYYY-MM-DD HH:MM:SS", in local time when local is
 * nonzero (the machine's time zone, with the daylight saving rule of that
 * date), else in UTC. "unknown" for 0 or a value that does not convert. */
void bw_fmt_filetime(char *buf, size_t cap, UINT64 filetime, int local);

/* A table as 'bitswatch list' prints it: rows of ncols cells (UTF-8,
 * sanitized), row 0 the header. Every column but the last is padded to its
 * widest cell in console columns, two spaces between columns, so that
 * nothing shifts with the width of a byte count or a state. A row whose
 * cells after the second are NULL is a note (a job that could not be read):
 * its second cell runs on to the end and does not widen the column. */
void bw_table_widths(const char *const *cells, int rows, int ncols, int *widths);
void bw_table_row(char *buf, size_t cap, const char *const *row, int ncols, const int *widths);

/* One line of 'bitswatch list': id, state (padded as in the watch line),
 * bytes as the watch line shows them, "files n/m", then the display name
 * (already sanitized UTF-8; nothing when NULL or ""). */
void bw_render_list_line(char *buf, size_t cap, const char *id, const char *state,
                         const BW_STATUS *st, const char *name);

#endif /* BW_CLI_RENDER_H */
