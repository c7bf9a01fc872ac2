/* console.c - see console.h. */
#include "console.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "width.h"

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

void bw_stream_init(bw_stream *s, DWORD which)
{
    DWORD mode;

    s->handle = GetStdHandle(which);
    s->is_console = 0;
    s->vt = 0;
    s->broken = 0;
    if (s->handle == NULL || s->handle == INVALID_HANDLE_VALUE)
        return;
    if (!GetConsoleMode(s->handle, &mode))
        return;
    s->is_console = 1;
    if (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING)
        s->vt = 1;
    else if (SetConsoleMode(s->handle, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING))
        s->vt = 1;
    /* Consoles before Windows 10 refuse the flag: bw_live falls back to
     * SetConsoleCursorPosition then. */
}

/* Writes len bytes of UTF-8. */
static void write_utf8(bw_stream *s, const char *text, size_t len)
{
    DWORD done;

    if (len == 0 || s->handle == NULL || s->handle == INVALID_HANDLE_VALUE || s->broken)
        return;
    if (!s->is_console) {
        /* Redirected: the bytes as they are (UTF-8). A pipe whose reader
         * has gone ("| head -n 1", "| Select-Object -First 1") is noted:
         * the watch then ends quietly (BW_EXIT_OUTPUT_CLOSED) instead of
         * writing into nothing until its jobs are done. */
        if (!WriteFile(s->handle, text, (DWORD)len, &done, NULL)) {
            DWORD e = GetLastError();
            if (e == ERROR_NO_DATA || e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED)
                s->broken = 1;
        }
        return;
    }
    int wlen = MultiByteToWideChar(CP_UTF8, 0, text, (int)len, NULL, 0);
    if (wlen <= 0)
        return;
    WCHAR stackbuf[512];
    WCHAR *w = wlen <= (int)(sizeof stackbuf / sizeof stackbuf[0]) ? stackbuf
                                                                     : malloc(sizeof(WCHAR) * (size_t)wlen);
    if (!w)
        return;
    MultiByteToWideChar(CP_UTF8, 0, text, (int)len, w, wlen);
    WriteConsoleW(s->handle, w, (DWORD)wlen, &done, NULL);
    if (w != stackbuf)
        free(w);
}

void bw_stream_write(bw_stream *s, const char *text)
{
    write_utf8(s, text, strlen(text));
}

void bw_stream_line(bw_stream *s, const char *text)
{
    write_utf8(s, text, strlen(text));
    /* CRLF is what Windows tools expect in a redirected file; on a console
     * "\n" already returns to column 0. */
    if (s->is_console)
        write_utf8(s, "\n", 1);
    else
        write_utf8(s, "\r\n", 2);
}

void bw_stream_linef(bw_stream *s, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    bw_stream_line(s, buf);
}

void bw_live_init(bw_live *live, bw_stream *out)
{
    live->out = out;
    live->lines = 0;
}

/* Visible columns of the console window; 80 when it cannot be read. */
static int console_width(bw_stream *s, CONSOLE_SCREEN_BUFFER_INFO *info)
{
    if (!GetConsoleScreenBufferInfo(s->handle, info))
        return 80;
    int w = info->srWindow.Right - info->srWindow.Left + 1;
    return w > 1 ? w : 80;
}

void bw_stream_window(bw_stream *s, int *cols, int *rows)
{
    CONSOLE_SCREEN_BUFFER_INFO info;

    *cols = 80;
    *rows = 25;
    if (!s->is_console || !GetConsoleScreenBufferInfo(s->handle, &info))
        return;
    int w = info.srWindow.Right - info.srWindow.Left + 1;
    int h = info.srWindow.Bottom - info.srWindow.Top + 1;
    if (w > 1)
        *cols = w;
    if (h > 1)
        *rows = h;
}

/* Old consoles: move to the block's first line and overwrite whole lines
 * with spaces after the text. */
static void draw_positioned(bw_live *live, const char *const *lines, int n, int cols,
                            CONSOLE_SCREEN_BUFFER_INFO *info)
{
    COORD top = {0, (SHORT)(info->dwCursorPosition.Y - live->lines)};
    char buf[1024];
    int rows = n > live->lines ? n : live->lines;

    if (top.Y < 0)
        top.Y = 0;
    SetConsoleCursorPosition(live->out->handle, top);
    for (int i = 0; i < rows; i++) {
        /* Cut and padded to the same columns: covers the old text exactly,
         * wide characters and combining marks included. */
        bw_text_fit(buf, sizeof buf, i < n ? lines[i] : "", cols - 1, 1);
        bw_stream_line(live->out, buf);
    }
    /* Lines that were cleared stay as blank lines; put the cursor after the
     * new block so the next redraw starts from the right place. */
    if (rows > n) {
        COORD after = {0, (SHORT)(top.Y + n)};
        SetConsoleCursorPosition(live->out->handle, after);
    }
}

void bw_live_draw(bw_live *live, const char *const *lines, int n)
{
    CONSOLE_SCREEN_BUFFER_INFO info;
    int cols;
    char buf[1024];
    char seq[32];

    if (!live->out->is_console) {
        for (int i = 0; i < n; i++)
            bw_stream_line(live->out, lines[i]);
        return;
    }
    memset(&info, 0, sizeof info); /* a failed read leaves it as it was */
    cols = console_width(live->out, &info);
    {
        int h = info.srWindow.Bottom - info.srWindow.Top + 1;
        if (h > 1 && n > h - 1)
            n = h - 1;
    }
    if (!live->out->vt) {
        draw_positioned(live, lines, n, cols, &info);
        live->lines = n;
        return;
    }
    if (live->lines > 0) {
        snprintf(seq, sizeof seq, "\r\x1b[%dA", live->lines);
        bw_stream_write(live->out, seq);
    }
    for (int i = 0; i < n; i++) {
        /* cols - 1: writing into the last column makes some consoles wrap.
         * Cut by columns, not characters: wide text would wrap too. Padded
         * with spaces to cover the old line, not erased with "\x1b[K" after
         * the text: Wine's console counts that ESC as a character, so a line
         * cut to cols - 1 wrapped there and every redraw scrolled. */
        bw_text_fit(buf, sizeof buf, lines[i], cols - 1, 1);
        bw_stream_write(live->out, "\r");
        bw_stream_write(live->out, buf);
        bw_stream_write(live->out, "\n");
    }
    if (n < live->lines)
        bw_stream_write(live->out, "\x1b[J"); /* erase old lines below */
    live->lines = n;
}

void bw_live_message(bw_live *live, const char *text)
{
    CONSOLE_SCREEN_BUFFER_INFO info;

    if (live->out->is_console && live->lines > 0) {
        if (live->out->vt) {
            char seq[32];
            snprintf(seq, sizeof seq, "\r\x1b[%dA\x1b[J", live->lines);
            bw_stream_write(live->out, seq);
        } else if (GetConsoleScreenBufferInfo(live->out->handle, &info)) {
            /* Overwrites the block with blanks and leaves the cursor at its top. */
            draw_positioned(live, NULL, 0, console_width(live->out, &info), &info);
        }
        live->lines = 0;
    }
    bw_stream_line(live->out, text);
}

void bw_live_end(bw_live *live)
{
    live->lines = 0;
}
