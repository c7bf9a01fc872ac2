/*
 * width.c - see width.h.
 *
 * Windows has no wcwidth(), and the console offers no call that says how
 * wide a character shows, so bitswatch.exe carries its own small tables:
 * width_table.h, made once from Unicode's data by gen_width_table.py and
 * committed (nothing is generated at build time).
 *
 * Accepted limits, all on the safe side (a line may come out a little
 * narrower than the window, never wider, so it never wraps):
 * - East Asian Ambiguous characters count one column, as Windows Terminal
 *   and a console with a non-CJK code page show them.
 * - An emoji ZWJ sequence counts the sum of its parts, though some
 *   terminals draw one two-column picture; an emoji selector (U+FE0F)
 *   makes a one-column character count two.
 */
#include "width.h"

#include <string.h>

typedef struct bw__range {
    UINT32 lo, hi;
} bw__range;

#include "width_table.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static int in_table(const bw__range *t, size_t n, UINT32 cp)
{
    size_t lo = 0, hi = n;

    if (n == 0 || cp < t[0].lo || cp > t[n - 1].hi)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp > t[mid].hi)
            lo = mid + 1;
        else if (cp < t[mid].lo)
            hi = mid;
        else
            return 1;
    }
    return 0;
}

/* Combining marks, joiners, selectors, format characters: drawn on the
 * character before them, or not at all. */
static int is_zero_width(UINT32 cp)
{
    return cp >= 0x300 && in_table(bw__zero, COUNT(bw__zero), cp);
}

int bw_cp_columns(UINT32 cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0; /* controls: bw_text_sanitize keeps them out anyway */
    if (cp < 0x300)
        return 1; /* Latin, the common case, before any table */
    if (is_zero_width(cp))
        return 0;
    return in_table(bw__wide, COUNT(bw__wide), cp) ? 2 : 1;
}

/* The UTF-8 character at s: its code point, and its length in *len (0 at
 * the terminating NUL). A malformed byte reads as U+FFFD, one byte long, as
 * MultiByteToWideChar shows it; so no read runs past the end. */
static UINT32 decode(const unsigned char *s, size_t *len)
{
    UINT32 c = s[0];
    size_t n;

    if (c < 0x80) {
        *len = c != 0;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        c &= 0x07;
    } else {
        *len = 1;
        return 0xFFFD;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) { /* also stops at the NUL */
            *len = 1;
            return 0xFFFD;
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF)) {
        *len = 1; /* overlong, beyond Unicode, or an encoded surrogate */
        return 0xFFFD;
    }
    *len = n;
    return c;
}

static int is_regional_indicator(UINT32 cp)
{
    return cp >= 0x1F1E6 && cp <= 0x1F1FF;
}

/* The character at s with everything that belongs to it: combining marks,
 * joiners and selectors (no column), spacing marks (a column each), a
 * character joined by U+200D ZWJ, the second half of a flag (two regional
 * indicators). A cut never falls inside this. Returns its columns; *len
 * gets its length in bytes (0 at the end of the text). */
static int cluster(const char *s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, total;
    UINT32 cp = decode(p, &n), prev = cp;
    int cols = bw_cp_columns(cp), flag_half = is_regional_indicator(cp);

    for (total = n; n > 0; total += n, prev = cp) {
        cp = decode(p + total, &n);
        if (n == 0)
            break;
        if (prev == 0x200D && cp >= 0x300) {
            cols += bw_cp_columns(cp); /* joined to what came before */
        } else if (cp == 0xFE0F) {
            if (cols == 1)
                cols = 2; /* emoji presentation */
        } else if (is_zero_width(cp)) {
            /* no column of its own */
        } else if (in_table(bw__spacing, COUNT(bw__spacing), cp)) {
            cols += 1;
        } else if (flag_half && is_regional_indicator(cp)) {
            cols += bw_cp_columns(cp);
            flag_half = 0;
        } else {
            break;
        }
    }
    *len = total;
    return cols;
}

int bw_text_columns(const char *s)
{
    int cols = 0;
    size_t len;

    if (!s)
        return 0;
    while (*s) {
        cols += cluster(s, &len);
        s += len;
    }
    return cols;
}

int bw_text_fit(char *dst, size_t cap, const char *src, int cols, int pad)
{
    size_t used = 0, len;
    int width = 0;

    if (cap == 0)
        return 0;
    while (src && *src) {
        int w = cluster(src, &len);
        if (width + w > cols || used + len >= cap)
            break; /* whole or not at all */
        memcpy(dst + used, src, len);
        used += len;
        width += w;
        src += len;
    }
    while (pad && width < cols && used + 1 < cap) {
        dst[used++] = ' ';
        width++;
    }
    dst[used] = 0;
    return width;
}
