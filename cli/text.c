/* text.c - see text.h. */
#include "text.h"

static int is_line_space(WCHAR c)
{
    return c == L'\t' || c == L'\r' || c == L'\n' || c == L' ';
}

static int is_dropped(WCHAR c)
{
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
        return 1;
    if (c == 0x200E || c == 0x200F)
        return 1; /* LRM, RLM */
    if (c >= 0x202A && c <= 0x202E)
        return 1; /* embeddings and overrides */
    if (c >= 0x2066 && c <= 0x2069)
        return 1; /* isolates */
    return 0;
}

/* A terminal eats a whole escape sequence, not just its ESC: dropping only
 * the ESC of "\x1b[31mred" would leave "[31mred". So the sequence goes as a
 * whole, as a terminal would parse it (ECMA-48): CSI (ESC [ or U+009B)
 * parameters, intermediates and one final byte; OSC, DCS, SOS, PM and APC
 * (ESC ] P X ^ _ or their C1 forms) up to BEL or ST; any other ESC with the
 * one character after it. Returns the first character after the sequence
 * that starts at s (a lone ESC at the end: the end). */
static const WCHAR *skip_escape(const WCHAR *s)
{
    WCHAR c = *s++;
    int csi = c == 0x9B, str = c == 0x9D || c == 0x90 || c == 0x98 || c == 0x9E || c == 0x9F;

    if (c == 0x1B) {
        if (!*s)
            return s;
        c = *s++;
        csi = c == L'[';
        str = c == L']' || c == L'P' || c == L'X' || c == L'^' || c == L'_';
    }
    if (csi) {
        while (*s >= 0x20 && *s <= 0x3F)
            s++; /* parameters and intermediates */
        if (*s >= 0x40 && *s <= 0x7E)
            s++; /* final byte */
        return s;
    }
    if (str) {
        for (; *s; s++) {
            if (*s == 0x07 || *s == 0x9C)
                return s + 1;
            if (*s == 0x1B && s[1] == L'\\')
                return s + 2;
        }
    }
    return s;
}

size_t bw_text_sanitize(WCHAR *dst, size_t cap, const WCHAR *src)
{
    size_t n = 0;
    int pending_space = 0;

    if (cap == 0)
        return 0;
    while (src && *src) {
        WCHAR c = *src;
        if (c == 0x1B || c == 0x9B || c == 0x9D || c == 0x90 || c == 0x98 || c == 0x9E ||
            c == 0x9F) {
            src = skip_escape(src);
            continue;
        }
        src++;
        if (is_line_space(c)) {
            pending_space |= n > 0; /* leading whitespace is trimmed */
            continue;
        }
        if (is_dropped(c))
            continue;
        if (pending_space) {
            if (n + 1 >= cap)
                break;
            dst[n++] = L' ';
            pending_space = 0;
        }
        if (n + 1 >= cap)
            break;
        dst[n++] = c;
    }
    /* A cut may leave a lone high surrogate at the end; drop it. */
    if (n > 0 && dst[n - 1] >= 0xD800 && dst[n - 1] <= 0xDBFF)
        n--;
    dst[n] = 0;
    return n;
}

char *bw_text_utf8(char *dst, size_t cap, const WCHAR *src)
{
    WCHAR clean[1024];
    size_t len = bw_text_sanitize(clean, sizeof clean / sizeof clean[0], src);
    int got;

    if (cap == 0)
        return dst;
    dst[0] = 0;
    if (len == 0)
        return dst;
    /* Convert whole, then cut back to a character boundary if it did not fit. */
    got = WideCharToMultiByte(CP_UTF8, 0, clean, (int)len, NULL, 0, NULL, NULL);
    if (got > 0 && (size_t)got < cap) {
        WideCharToMultiByte(CP_UTF8, 0, clean, (int)len, dst, got, NULL, NULL);
        dst[got] = 0;
        return dst;
    }
    while (len > 0) {
        len--;
        if (len > 0 && clean[len - 1] >= 0xD800 && clean[len - 1] <= 0xDBFF)
            len--;
        got = WideCharToMultiByte(CP_UTF8, 0, clean, (int)len, NULL, 0, NULL, NULL);
        if (got >= 0 && (size_t)got < cap) {
            if (got > 0)
                WideCharToMultiByte(CP_UTF8, 0, clean, (int)len, dst, got, NULL, NULL);
            dst[got] = 0;
            break;
        }
    }
    return dst;
}
