/*
 * width.h - how many console columns text takes, and cutting and padding
 * text to a number of columns.
 *
 * A console cell holds one column: CJK ideographs, kana, Hangul syllables,
 * fullwidth forms and most emoji take two; combining marks, joiners,
 * variation selectors and format characters take none and draw on the
 * character before them. A line measured in characters (or UTF-16 units)
 * instead wraps as soon as it holds wide text, and a wrapped line throws
 * the in-place redraw of the live block off by a row.
 *
 * Pure functions (no I/O), tested on their own. Text is UTF-8 as the
 * renderer builds it: a character outside the BMP, a surrogate pair in
 * UTF-16, is one 4-byte sequence here and is never split.
 */
#ifndef BW_CLI_WIDTH_H
#define BW_CLI_WIDTH_H

#include <stddef.h>
#include "bitswatch.h"

/* Columns one code point takes: 2 (East Asian Wide and Fullwidth), 0
 * (combining marks, zero-width and format characters, controls), else 1. */
int bw_cp_columns(UINT32 cp);

/* Columns of UTF-8 text (NULL: 0). */
int bw_text_columns(const char *utf8);

/* Copies UTF-8 text into dst (cap bytes, cap > 0, always NUL-terminated),
 * cut to at most cols columns. A cut never falls inside a character, nor
 * between a character and the marks, joiners and selectors that go with it
 * (a wide character that does not fit whole is left out). With pad
 * nonzero, spaces follow up to exactly cols columns (as far as cap allows).
 * Returns the columns written. src NULL: "". */
int bw_text_fit(char *dst, size_t cap, const char *src, int cols, int pad);

#endif /* BW_CLI_WIDTH_H */
