/*
 * guid_parse.c - GUID text to GUID, strictly.
 *
 * Our own parser rather than CLSIDFromString/IIDFromString: CLSIDFromString
 * resolves ProgIDs through the registry (so "Word.Application" would "parse"),
 * and the native build has neither. One parser for both builds, fuzzed natively.
 */
#include "bw_core.h"

static int hex_value(WCHAR c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads n hex digits at *p into *v; advances *p. */
static int read_hex(const WCHAR **p, unsigned n, UINT64 *v)
{
    *v = 0;
    for (unsigned i = 0; i < n; i++) {
        int d = hex_value((*p)[i]);
        if (d < 0)
            return 0;
        *v = (*v << 4) | (UINT64)d;
    }
    *p += n;
    return 1;
}

int bw__guid_parse(const WCHAR *text, GUID *out)
{
    static const unsigned groups[5] = {8, 4, 4, 4, 12};
    UINT64 v[5];
    const WCHAR *p = text;
    int braced = (*p == '{');

    if (braced)
        p++;
    for (unsigned g = 0; g < 5; g++) {
        if (g > 0 && *p++ != '-')
            return 0;
        /* read_hex stops at the first non-digit, and NUL is one: no overrun. */
        if (!read_hex(&p, groups[g], &v[g]))
            return 0;
    }
    if (braced && *p++ != '}')
        return 0;
    if (*p != 0)
        return 0;

    out->Data1 = (UINT32)v[0];
    out->Data2 = (unsigned short)v[1];
    out->Data3 = (unsigned short)v[2];
    out->Data4[0] = (unsigned char)(v[3] >> 8);
    out->Data4[1] = (unsigned char)v[3];
    for (int i = 0; i < 6; i++)
        out->Data4[2 + i] = (unsigned char)(v[4] >> (40 - 8 * i));
    return 1;
}
