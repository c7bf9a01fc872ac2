/* test_common.h - cmocka and helpers shared by the unit tests. */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bw_core.h"

/* Fails with both HRESULTs in hex. */
#define assert_hr(expected, actual)                                                      \
    do {                                                                                 \
        HRESULT e_ = (HRESULT)(expected), a_ = (HRESULT)(actual);                        \
        if (e_ != a_)                                                                    \
            fail_msg("%s: expected 0x%08X, got 0x%08X", #actual, (unsigned)e_, (unsigned)a_); \
    } while (0)

/* Builds a WCHAR string from ASCII (the native WCHAR is char16_t). */
static inline const WCHAR *wz(const char *s)
{
    static WCHAR bufs[4][256];
    static int next;
    WCHAR *b = bufs[next++ % 4];
    size_t i = 0;
    for (; s[i] && i < 255; i++)
        b[i] = (WCHAR)(unsigned char)s[i];
    b[i] = 0;
    return b;
}

/* 1 when the WCHAR text equals the ASCII text. */
static inline int weq(const WCHAR *w, const char *s)
{
    while (*s && *w == (WCHAR)(unsigned char)*s) {
        w++;
        s++;
    }
    return *w == 0 && *s == 0;
}

/* 1 when the ASCII text occurs in the WCHAR text. */
static inline int wcontains(const WCHAR *w, const char *s)
{
    size_t n = strlen(s);
    for (; *w; w++) {
        size_t i = 0;
        while (i < n && w[i] == (WCHAR)(unsigned char)s[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

#endif
