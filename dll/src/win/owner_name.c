/*
 * owner_name.c - BITS reports a job's owner as a SID string; people read
 * account names. LookupAccountSidW may ask a domain controller, so this runs
 * only for BwJobGetInfo, never on the poll path.
 */
#include <windows.h>
#include <sddl.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "owner_name.h"

static WCHAR *copy_text(const WCHAR *s)
{
    size_t n = wcslen(s) + 1;
    WCHAR *copy = malloc(n * sizeof(WCHAR));
    if (copy)
        memcpy(copy, s, n * sizeof(WCHAR));
    return copy;
}

WCHAR *bw__owner_display_name(const WCHAR *sid_text)
{
    PSID sid = NULL;
    WCHAR name[256], domain[256];
    DWORD name_len = 256, domain_len = 256;
    SID_NAME_USE use;
    WCHAR *result = NULL;

    if (!sid_text)
        return NULL;
    /* Only SID syntax is converted: Wine's ConvertStringSidToSidW accepts an
     * empty string (as the NULL SID), and an owner BITS reports as "" must
     * stay "". */
    if ((sid_text[0] != L'S' && sid_text[0] != L's') || sid_text[1] != L'-' ||
        !ConvertStringSidToSidW(sid_text, &sid))
        return copy_text(sid_text);
    if (LookupAccountSidW(NULL, sid, name, &name_len, domain, &domain_len, &use)) {
        size_t d = wcslen(domain), n = wcslen(name);
        result = malloc((d + 1 + n + 1) * sizeof(WCHAR));
        if (result) {
            /* Well-known accounts have an empty domain: just the name. */
            WCHAR *p = result;
            if (d) {
                memcpy(p, domain, d * sizeof(WCHAR));
                p += d;
                *p++ = L'\\';
            }
            memcpy(p, name, (n + 1) * sizeof(WCHAR));
        }
    } else {
        result = copy_text(sid_text);
    }
    LocalFree(sid);
    return result;
}
