/*
 * text.h - making text from BITS safe to print, and UTF-16 to UTF-8.
 *
 * Anything that came from BITS or the system (state names, message texts,
 * later display names and URLs) can hold control characters: a job name with
 * an escape sequence could otherwise move the cursor or recolour the
 * terminal of whoever watches it. Every such string goes through
 * bw_text_sanitize (the library's BwCleanText) before it is printed.
 */
#ifndef BW_CLI_TEXT_H
#define BW_CLI_TEXT_H

#include <stddef.h>
#include "bitswatch.h"

/* Copies src into dst (cap WCHARs, cap > 0, always NUL-terminated, cut when
 * too long) without control characters: escape sequences (CSI, OSC and the
 * like, ESC or C1-introduced) are dropped whole, other C0, DEL and C1 codes
 * are dropped,
 * except that runs of tab/CR/LF become one space (so a multi-line system
 * message reads as one line), and the Unicode bidirectional controls
 * (U+200E/F, U+202A-U+202E, U+2066-U+2069) are dropped too, since they can
 * make a line read differently from what it holds. Leading and trailing
 * spaces are trimmed. src NULL gives "". Returns the length written. */
size_t bw_text_sanitize(WCHAR *dst, size_t cap, const WCHAR *src);

/* Sanitizes src (as above) and converts it to UTF-8 into dst (cap bytes,
 * cap > 0, always NUL-terminated; cut at a character boundary when too
 * long). Returns dst. */
char *bw_text_utf8(char *dst, size_t cap, const WCHAR *src);

#endif /* BW_CLI_TEXT_H */
