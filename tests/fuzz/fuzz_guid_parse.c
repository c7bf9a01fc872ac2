/*
 * fuzz_guid_parse.c - libFuzzer target for the text BwJobOpen takes and for
 * BwFormatMessage. Any input: no crash, no read past the text's NUL, and the
 * parser accepts exactly what the strict grammar allows (checked by printing
 * the GUID back and comparing, case-insensitively, with the input).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

static int hexdig(unsigned c) { return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f'); }

/* The grammar, written a second way: 8-4-4-4-12 hex digits, optional braces. */
static int well_formed(const WCHAR *t, size_t n)
{
    size_t off = 0;
    if (n == 38) {
        if (t[0] != '{' || t[37] != '}')
            return 0;
        off = 1;
    } else if (n != 36) {
        return 0;
    }
    for (size_t i = 0; i < 36; i++) {
        unsigned c = t[off + i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!hexdig(c)) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size / 2;
    /* Exactly n units and a NUL in a buffer of its own, so ASan sees any overrun. */
    WCHAR *text = malloc((n + 1) * sizeof(WCHAR));
    if (!text)
        return 0;
    memcpy(text, data, n * sizeof(WCHAR));
    text[n] = 0;
    size_t len = bw__wcsnlen(text, n + 1);

    GUID g;
    int ok = bw__guid_parse(text, &g);
    if (ok != well_formed(text, len))
        abort();

    BW_JOB job = (BW_JOB)(uintptr_t)1;
    HRESULT hr = BwJobOpen(text, &job);
    if (!ok && hr != E_INVALIDARG)
        abort();
    if (job != NULL)
        abort();

    if (size >= 4) {
        HRESULT code;
        memcpy(&code, data, sizeof code);
        UINT32 cch = size > 4 ? data[4] : 0, needed = 0;
        WCHAR *buf = cch ? malloc(cch * sizeof(WCHAR)) : NULL;
        hr = BwFormatMessage(code, buf, cch, &needed);
        if (needed < 2 || (hr == S_OK) != (needed <= cch))
            abort();
        if (cch && bw__wcsnlen(buf, cch) >= cch) /* always terminated */
            abort();
        free(buf);
    }
    free(text);
    return 0;
}
