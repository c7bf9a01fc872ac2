/* json.c - see json.h. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bw_json_init(bw_json *j)
{
    memset(j, 0, sizeof *j);
}

void bw_json_free(bw_json *j)
{
    free(j->buf);
    bw_json_init(j);
}

void bw_json_clear(bw_json *j)
{
    char *buf = j->buf;
    size_t cap = j->cap;

    bw_json_init(j);
    j->buf = buf;
    j->cap = cap;
    if (buf)
        buf[0] = 0;
}

const char *bw_json_text(const bw_json *j)
{
    if (j->failed || j->depth != 0)
        return NULL;
    return j->buf ? j->buf : "";
}

/* Room for n more bytes and the NUL. */
static int reserve(bw_json *j, size_t n)
{
    if (j->failed)
        return 0;
    if (j->len + n + 1 <= j->cap)
        return 1;
    size_t cap = j->cap ? j->cap : 256;
    while (cap < j->len + n + 1)
        cap *= 2;
    char *bigger = realloc(j->buf, cap);
    if (!bigger) {
        j->failed = 1;
        return 0;
    }
    j->buf = bigger;
    j->cap = cap;
    return 1;
}

static void put(bw_json *j, const char *s, size_t n)
{
    if (!reserve(j, n))
        return;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = 0;
}

static void puts_(bw_json *j, const char *s)
{
    put(j, s, strlen(s));
}

/* A character of a string: escaped where JSON needs it or where the raw
 * bytes could act on a terminal (json.h), else UTF-8. */
static void put_char(bw_json *j, UINT32 c)
{
    char b[8];
    size_t n = 0;

    switch (c) {
    case '"': puts_(j, "\\\""); return;
    case '\\': puts_(j, "\\\\"); return;
    case '\b': puts_(j, "\\b"); return;
    case '\f': puts_(j, "\\f"); return;
    case '\n': puts_(j, "\\n"); return;
    case '\r': puts_(j, "\\r"); return;
    case '\t': puts_(j, "\\t"); return;
    default: break;
    }
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x200E || c == 0x200F ||
        (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 ||
        c == 0x2029) {
        snprintf(b, sizeof b, "\\u%04X", (unsigned)c);
        puts_(j, b);
        return;
    }
    if (c < 0x80) {
        b[n++] = (char)c;
    } else if (c < 0x800) {
        b[n++] = (char)(0xC0 | (c >> 6));
        b[n++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        b[n++] = (char)(0xE0 | (c >> 12));
        b[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[n++] = (char)(0x80 | (c & 0x3F));
    } else {
        b[n++] = (char)(0xF0 | (c >> 18));
        b[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
        b[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[n++] = (char)(0x80 | (c & 0x3F));
    }
    put(j, b, n);
}

#define REPLACEMENT 0xFFFDu

static int is_high(UINT32 c) { return c >= 0xD800 && c <= 0xDBFF; }
static int is_low(UINT32 c) { return c >= 0xDC00 && c <= 0xDFFF; }

static void put_wstring(bw_json *j, const WCHAR *s)
{
    put(j, "\"", 1);
    for (; *s; s++) {
        UINT32 c = (UINT16)*s;
        if (is_high(c) && is_low((UINT16)s[1])) {
            c = 0x10000 + ((c - 0xD800) << 10) + ((UINT16)s[1] - 0xDC00);
            s++;
        } else if (is_high(c) || is_low(c)) {
            c = REPLACEMENT; /* no UTF-8 form: not valid I-JSON either escaped */
        }
        put_char(j, c);
    }
    put(j, "\"", 1);
}

/* The code point of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), its length in *n;
 * U+FFFD and 1 for a byte that does not start one. */
static UINT32 utf8_next(const unsigned char *s, size_t *n)
{
    unsigned char b = s[0];
    UINT32 c, min;
    size_t len;

    *n = 1;
    if (b < 0x80)
        return b;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1Fu, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, c = b & 0x0Fu, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07u, min = 0x10000;
    } else {
        return REPLACEMENT;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return REPLACEMENT; /* cut short: the next byte starts afresh */
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return REPLACEMENT;
    *n = len;
    return c;
}

static void put_string(bw_json *j, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    put(j, "\"", 1);
    while (*p) {
        size_t n;
        UINT32 c = utf8_next(p, &n);
        put_char(j, c);
        p += n;
    }
    put(j, "\"", 1);
}

/* Before a value: the comma and the key inside an object. */
static void value_start(bw_json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->members[j->depth - 1]++)
            put(j, ",", 1);
        put_string(j, key ? key : "");
        put(j, ":", 1);
    }
}

void bw_json_begin(bw_json *j, const char *key)
{
    value_start(j, key);
    if (j->depth >= BW_JSON_MAX_DEPTH) {
        j->failed = 1;
        j->depth++; /* so that the matching end balances */
        return;
    }
    put(j, "{", 1);
    j->members[j->depth++] = 0;
}

void bw_json_end(bw_json *j)
{
    if (j->depth == 0) {
        j->failed = 1;
        return;
    }
    j->depth--;
    put(j, "}", 1);
}

void bw_json_null(bw_json *j, const char *key)
{
    value_start(j, key);
    puts_(j, "null");
}

void bw_json_wstr(bw_json *j, const char *key, const WCHAR *s)
{
    value_start(j, key);
    if (s)
        put_wstring(j, s);
    else
        puts_(j, "null");
}

void bw_json_str(bw_json *j, const char *key, const char *s)
{
    value_start(j, key);
    if (s)
        put_string(j, s);
    else
        puts_(j, "null");
}

void bw_json_u64(bw_json *j, const char *key, UINT64 v)
{
    char b[32];

    value_start(j, key);
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    puts_(j, b);
}

void bw_json_i64(bw_json *j, const char *key, INT64 v)
{
    char b[32];

    value_start(j, key);
    snprintf(b, sizeof b, "%lld", (long long)v);
    puts_(j, b);
}

void bw_json_size(bw_json *j, const char *key, UINT64 v)
{
    if (v == BW_SIZE_UNKNOWN)
        bw_json_null(j, key);
    else
        bw_json_u64(j, key, v);
}

void bw_json_double(bw_json *j, const char *key, double v)
{
    char b[64];

    if (!isfinite(v)) {
        bw_json_null(j, key);
        return;
    }
    value_start(j, key);
    /* Three decimals are plenty for a rate; drop the trailing zeros (and
     * the point) so a whole number reads as one. */
    int n = snprintf(b, sizeof b, "%.3f", v);
    if (n <= 0 || (size_t)n >= sizeof b) {
        snprintf(b, sizeof b, "%.17g", v); /* huge: still a valid number */
    } else {
        char *end = b + n;
        while (end[-1] == '0')
            *--end = 0;
        if (end[-1] == '.')
            *--end = 0;
        if (strcmp(b, "-0") == 0)
            strcpy(b, "0");
    }
    puts_(j, b);
}

void bw_json_hresult(bw_json *j, const char *key, HRESULT hr)
{
    char b[16];

    value_start(j, key);
    snprintf(b, sizeof b, "\"0x%08lX\"", (unsigned long)(UINT32)hr);
    puts_(j, b);
}

void bw_json_guid(bw_json *j, const char *key, const GUID *g)
{
    char b[48];

    value_start(j, key);
    snprintf(b, sizeof b, "\"{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}\"",
             (unsigned long)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2],
             g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
    puts_(j, b);
}

/* 100 ns units from 1601-01-01 to 1970-01-01. */
#define EPOCH_DIFF 116444736000000000ull
/* 9999-12-31T23:59:59.9999999Z, the last FILETIME with a four-digit year. */
#define LAST_ISO_FILETIME 2650467743999999999ull

int bw_json_filetime_text(char *buf, size_t cap, UINT64 filetime)
{
    if (cap)
        buf[0] = 0;
    if (filetime == 0 || filetime > LAST_ISO_FILETIME)
        return 0;
    /* Days and time of day since 1601; then the civil date by Howard
     * Hinnant's days_from_civil inverse, counted from 0000-03-01 so that a
     * leap day ends each 4-, 100- and 400-year cycle. No Windows call: the
     * same on every machine and time zone. */
    UINT64 ms = filetime / 10000u;
    UINT64 secs = ms / 1000u;
    unsigned msec = (unsigned)(ms % 1000u);
    UINT64 days1601 = secs / 86400u;
    unsigned sod = (unsigned)(secs % 86400u);
    /* 1601-01-01 is day 584,694 counted from 0000-03-01. */
    INT64 z = (INT64)days1601 + 584694;
    INT64 era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    INT64 y = (INT64)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    unsigned d = doy - (153 * mp + 2) / 5 + 1;                            /* [1, 31] */
    unsigned m = mp < 10 ? mp + 3 : mp - 9;                               /* [1, 12] */
    if (m <= 2)
        y++;
    int n = snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d,
                     sod / 3600, sod / 60 % 60, sod % 60, msec);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            buf[0] = 0;
        return 0;
    }
    return 1;
}

void bw_json_filetime(bw_json *j, const char *key, UINT64 filetime)
{
    char b[40];

    if (!bw_json_filetime_text(b, sizeof b, filetime)) {
        bw_json_null(j, key);
        return;
    }
    bw_json_str(j, key, b);
}
