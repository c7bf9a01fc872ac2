/* wstr.c - the few UTF-16 string helpers the core needs (WCHAR is 16-bit on
 * both builds, so the C library's wchar_t functions cannot be used natively). */
#include <stdlib.h>

#include "bw_core.h"

size_t bw__wcsnlen(const WCHAR *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

static int is_high_surrogate(WCHAR c)
{
    return c >= 0xD800 && c <= 0xDBFF;
}

static void append_unit(WCHAR *buf, UINT32 cch, UINT32 *len, WCHAR c)
{
    if (buf && *len + 1 < cch) {
        buf[*len] = c;
        buf[*len + 1] = 0;
    } else if (buf && cch > 1 && *len + 1 == cch && is_high_surrogate(buf[*len - 1])) {
        /* The first unit that does not fit: the text is cut here. A high
         * surrogate just before the cut lost its other half, and a lone one
         * is not text (converters reject or mangle it): cut before the pair. */
        buf[*len - 1] = 0;
    }
    (*len)++;
}

void bw__append_ascii(WCHAR *buf, UINT32 cch, UINT32 *len, const char *text)
{
    while (*text)
        append_unit(buf, cch, len, (WCHAR)(unsigned char)*text++);
}

void bw__append_wide(WCHAR *buf, UINT32 cch, UINT32 *len, const WCHAR *text)
{
    while (*text)
        append_unit(buf, cch, len, *text++);
}

WCHAR *bw__wcsdup(const WCHAR *text)
{
    if (!text)
        return NULL;
    size_t n = bw__wcsnlen(text, (size_t)-1);
    WCHAR *copy = malloc((n + 1) * sizeof(WCHAR));
    if (copy) {
        for (size_t i = 0; i <= n; i++)
            copy[i] = text[i];
    }
    return copy;
}

WCHAR *bw__wcsdup_ascii(const char *text)
{
    if (!text) /* as bw_core.h says: NULL in, NULL out (a crash before its test) */
        return NULL;
    UINT32 len = 0;
    bw__append_ascii(NULL, 0, &len, text);
    WCHAR *copy = malloc((len + 1) * sizeof(WCHAR));
    if (copy) {
        UINT32 written = 0;
        copy[0] = 0;
        bw__append_ascii(copy, len + 1, &written, text);
    }
    return copy;
}
