/* text.c - see text.h. */
#include "text.h"

size_t bw_text_sanitize(WCHAR *dst, size_t cap, const WCHAR *src)
{
    size_t n = 0;

    if (cap == 0)
        return 0;
    /* The library's rules (BwCleanText): the module cleans with the same. */
    BwCleanText(src, dst, cap > 0xFFFFFFFFu ? 0xFFFFFFFFu : (UINT32)cap, NULL);
    while (dst[n])
        n++;
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
