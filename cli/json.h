/*
 * json.h - writing JSON text (RFC 8259) for bitswatch.exe's --json output:
 * one object per line (NDJSON).
 *
 * Pure (no I/O, no BITS calls), so it is tested on its own. The text is
 * built in a growing buffer; an allocation that fails marks the writer
 * failed, and the caller then prints nothing rather than half an object.
 *
 * Strings:
 *  - from BITS (UTF-16, bw_json_wstr): the value is kept exactly, escaped
 *    where JSON requires it (quote, backslash, U+0000-U+001F: \b \f \n \r \t
 *    or \u00XX). So that the bytes printed are harmless on a terminal too,
 *    DEL and the C1 controls (U+007F-U+009F), the bidirectional controls
 *    (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and
 *    paragraph separators (U+2028, U+2029) are written as \uXXXX escapes as
 *    well; they still decode to the same characters. A surrogate pair
 *    becomes its one character in UTF-8. A lone surrogate (UTF-16 that is
 *    not well formed, which BITS passes through from whoever named the job)
 *    has no UTF-8 form and would make the text invalid I-JSON (RFC 7493):
 *    it becomes U+FFFD, the replacement character.
 *  - our own (UTF-8, bw_json_str): the same escapes; a byte that is not
 *    part of well-formed UTF-8 becomes U+FFFD.
 * Numbers: integers as they are; a double with at most 3 decimals, no
 * trailing zeros; a value JSON cannot hold (NaN, infinity) as null.
 */
#ifndef BW_CLI_JSON_H
#define BW_CLI_JSON_H

#include <stddef.h>
#include "bitswatch.h"

#define BW_JSON_MAX_DEPTH 8

typedef struct bw_json {
    char *buf;      /* the text so far, NUL-terminated (NULL until the first write) */
    size_t len, cap;
    int failed;     /* out of memory or too deep: the text is not whole */
    int depth;      /* objects open */
    unsigned char members[BW_JSON_MAX_DEPTH]; /* members written, per open object (0 or 1+) */
} bw_json;

void bw_json_init(bw_json *j);
void bw_json_free(bw_json *j);
/* Empties the text (keeps the buffer) for the next line. */
void bw_json_clear(bw_json *j);
/* The text, "" when nothing was written; NULL when the writer failed or an
 * object is still open. */
const char *bw_json_text(const bw_json *j);

/* Every value below takes key: the member's name inside an open object, or
 * NULL for a value at the top (the object of a line). */

/* '{' ... '}' */
void bw_json_begin(bw_json *j, const char *key);
void bw_json_end(bw_json *j);

void bw_json_null(bw_json *j, const char *key);
/* UTF-16 text, as described above; NULL: null. */
void bw_json_wstr(bw_json *j, const char *key, const WCHAR *s);
/* UTF-8 text; NULL: null. */
void bw_json_str(bw_json *j, const char *key, const char *s);
void bw_json_u64(bw_json *j, const char *key, UINT64 v);
void bw_json_i64(bw_json *j, const char *key, INT64 v);
/* A size: BW_SIZE_UNKNOWN is null. */
void bw_json_size(bw_json *j, const char *key, UINT64 v);
void bw_json_double(bw_json *j, const char *key, double v);
/* An HRESULT as text, as Windows tools show it: "0x80190194". */
void bw_json_hresult(bw_json *j, const char *key, HRESULT hr);
/* A GUID as text: "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}". */
void bw_json_guid(bw_json *j, const char *key, const GUID *g);
/* A FILETIME (UTC) as ISO 8601 text (bw_json_filetime_text); null when it
 * has none. */
void bw_json_filetime(bw_json *j, const char *key, UINT64 filetime);

/* "2026-11-29T20:15:03.123Z": a FILETIME (100 ns units since 1601-01-01
 * UTC) in UTC with milliseconds (cut, not rounded). Returns 0 and writes ""
 * for 0 (unknown) and for a time past 9999-12-31, which ISO 8601's
 * four-digit years cannot hold; else 1. cap: 25 bytes or more. */
int bw_json_filetime_text(char *buf, size_t cap, UINT64 filetime);

#endif /* BW_CLI_JSON_H */
