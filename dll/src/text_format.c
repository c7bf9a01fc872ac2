/* text_format.c - BwCleanText, BwFormatBytes, BwFormatDuration: text for
 * people, built the same way for the CLI, the module and any caller. No
 * floating point and no printf: a host process's locale (msvcrt's is
 * process-wide) must not turn "40.0 MB" into "40,0 MB". */
#include "bw_core.h"

/* The buffer rules every formatting export shares (see BwFormatMessage). */
static HRESULT finish(UINT32 cch, UINT32 len, UINT32 *needed)
{
    if (needed)
        *needed = len + 1;
    return len + 1 > cch ? HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) : S_OK;
}

static HRESULT start(WCHAR *buffer, UINT32 cch)
{
    if (!buffer && cch > 0)
        return E_POINTER;
    if (buffer && cch > 0)
        buffer[0] = 0;
    return S_OK;
}

/* ---- BwCleanText --------------------------------------------------------- */

static int is_line_space(WCHAR c)
{
    return c == 0x09 || c == 0x0D || c == 0x0A || c == 0x20;
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

static int starts_escape(WCHAR c)
{
    return c == 0x1B || c == 0x9B || c == 0x9D || c == 0x90 || c == 0x98 || c == 0x9E ||
           c == 0x9F;
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
        csi = c == '[';
        str = c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_';
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
            if (*s == 0x1B && s[1] == '\\')
                return s + 2;
        }
    }
    return s;
}

HRESULT BWAPI BwCleanText(const WCHAR *text, WCHAR *buffer, UINT32 cch, UINT32 *needed)
{
    UINT32 len = 0;
    int pending_space = 0;
    WCHAR one[2] = {0, 0};
    HRESULT hr = start(buffer, cch);

    if (FAILED(hr))
        return hr;
    while (text && *text) {
        WCHAR c = *text;
        if (starts_escape(c)) {
            text = skip_escape(text);
            continue;
        }
        text++;
        if (is_line_space(c)) {
            pending_space |= len > 0; /* leading whitespace is trimmed */
            continue;
        }
        if (is_dropped(c))
            continue;
        if (pending_space) {
            bw__append_ascii(buffer, cch, &len, " ");
            pending_space = 0;
        }
        one[0] = c;
        bw__append_wide(buffer, cch, &len, one);
    }
    return finish(cch, len, needed);
}

/* ---- BwFormatBytes ------------------------------------------------------- */

/* Decimal digits of v into out (at least one), NUL-terminated. */
static void u64_text(UINT64 v, char out[24])
{
    char rev[24];
    int n = 0, i = 0;

    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out[i++] = rev[--n];
    out[i] = 0;
}

HRESULT BWAPI BwFormatBytes(UINT64 bytes, WCHAR *buffer, UINT32 cch, UINT32 *needed)
{
    static const char *const units[] = {" KB", " MB", " GB", " TB", " PB", " EB"};
    UINT32 len = 0;
    char digits[24];
    HRESULT hr = start(buffer, cch);

    if (FAILED(hr))
        return hr;
    if (bytes == BW_SIZE_UNKNOWN) {
        bw__append_ascii(buffer, cch, &len, "unknown");
    } else if (bytes < 1024) {
        u64_text(bytes, digits);
        bw__append_ascii(buffer, cch, &len, digits);
        bw__append_ascii(buffer, cch, &len, " B");
    } else {
        /* Tenths of the unit, rounded half up; move up a unit while they
         * would print as 1024.0 or more. r * 10 + half stays below 2^64:
         * r < 2^60 at the largest unit. */
        UINT64 tenths = 0;
        int u;
        for (u = 0; u < 6; u++) {
            UINT64 div = (UINT64)1 << (10 * (u + 1));
            UINT64 q = bytes / div, r = bytes % div;
            tenths = q * 10 + (r * 10 + div / 2) / div;
            if (tenths < 10240 || u == 5)
                break;
        }
        u64_text(tenths / 10, digits);
        bw__append_ascii(buffer, cch, &len, digits);
        digits[0] = '.';
        digits[1] = (char)('0' + tenths % 10);
        digits[2] = 0;
        bw__append_ascii(buffer, cch, &len, digits);
        bw__append_ascii(buffer, cch, &len, units[u]);
    }
    return finish(cch, len, needed);
}

/* ---- BwFormatDuration ---------------------------------------------------- */

static void two_digits(UINT64 v, char out[3])
{
    out[0] = (char)('0' + v / 10 % 10);
    out[1] = (char)('0' + v % 10);
    out[2] = 0;
}

HRESULT BWAPI BwFormatDuration(UINT64 seconds, WCHAR *buffer, UINT32 cch, UINT32 *needed)
{
    UINT64 days = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
           s = seconds % 60;
    UINT32 len = 0;
    char text[24];
    HRESULT hr = start(buffer, cch);

    if (FAILED(hr))
        return hr;
    if (days) {
        u64_text(days, text);
        bw__append_ascii(buffer, cch, &len, text);
        bw__append_ascii(buffer, cch, &len, "d ");
        two_digits(h, text);
        bw__append_ascii(buffer, cch, &len, text);
        bw__append_ascii(buffer, cch, &len, ":");
    } else if (h) {
        u64_text(h, text);
        bw__append_ascii(buffer, cch, &len, text);
        bw__append_ascii(buffer, cch, &len, ":");
    }
    if (days || h)
        two_digits(m, text);
    else
        u64_text(m, text);
    bw__append_ascii(buffer, cch, &len, text);
    bw__append_ascii(buffer, cch, &len, ":");
    two_digits(s, text);
    bw__append_ascii(buffer, cch, &len, text);
    return finish(cch, len, needed);
}
