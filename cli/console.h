/*
 * console.h - writing UTF-8 lines to a console or a redirected stream, and
 * redrawing a block of lines in place on a console.
 *
 * A stream is a console when GetConsoleMode succeeds on its handle. Then
 * text goes out as UTF-16 through WriteConsoleW (right whatever the console
 * code page is), and the live block is redrawn with VT sequences when the
 * console accepts ENABLE_VIRTUAL_TERMINAL_PROCESSING, or with
 * SetConsoleCursorPosition on older consoles. A redirected stream gets plain
 * UTF-8 lines ending in CRLF and never an escape sequence.
 */
#ifndef BW_CLI_CONSOLE_H
#define BW_CLI_CONSOLE_H

#include "bitswatch.h"

typedef struct bw_stream {
    HANDLE handle;
    int is_console; /* GetConsoleMode succeeded */
    int vt;         /* VT sequences work (console only) */
    int broken;     /* a write failed because the reader is gone (a closed
                       pipe: "| head -n 1"); nothing more is written */
} bw_stream;

/* which: STD_OUTPUT_HANDLE or STD_ERROR_HANDLE. */
void bw_stream_init(bw_stream *s, DWORD which);

/* Writes text (UTF-8) as it is, no newline added. */
void bw_stream_write(bw_stream *s, const char *text);

/* Writes text (UTF-8) and a newline. */
void bw_stream_line(bw_stream *s, const char *text);

/* Writes printf-style text and a newline. */
void bw_stream_linef(bw_stream *s, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(gnu_printf, 2, 3)))
#endif
    ;

/* The visible window of a console stream: columns and rows. 80 x 25 when
 * it cannot be read (not a console). */
void bw_stream_window(bw_stream *s, int *cols, int *rows);

/* A block of lines at the bottom of a console, redrawn in place. */
typedef struct bw_live {
    bw_stream *out;
    int lines; /* lines of the block now on screen, above the cursor */
} bw_live;

void bw_live_init(bw_live *live, bw_stream *out);

/* Draws lines[0..n) over the block drawn last (or below the cursor the first
 * time). Lines are cut to the console's width in columns (width.h: a wide
 * character takes two, a combining mark none) so that none wraps: a wrapped
 * line would throw the count of lines to move up off. At most the window's
 * rows - 1 lines are drawn (the cursor stays on the row below the block):
 * a block taller than the window scrolls its top away on every redraw,
 * which cursor-up cannot reach back to. The caller chooses which lines fit
 * (bw_stream_window); this cut is the safety net. */
void bw_live_draw(bw_live *live, const char *const *lines, int n);

/* Prints a line above the block: clears the block, prints text; the next
 * bw_live_draw draws the block again below it. */
void bw_live_message(bw_live *live, const char *text);

/* Leaves the block on screen as it is, with the cursor below it. */
void bw_live_end(bw_live *live);

#endif /* BW_CLI_CONSOLE_H */
