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
#include <wtsapi32.h>

#include "bw_backend.h" /* BW__LOGON_* */
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

/* wtsapi32 is loaded when a diagnosis first asks (from System32 only), so
 * the DLL's imports stay kernel32, ole32, advapi32 and msvcrt. */
typedef BOOL(WINAPI *enum_sessions_fn)(HANDLE, DWORD, DWORD, WTS_SESSION_INFOW **, DWORD *);
typedef BOOL(WINAPI *query_session_fn)(HANDLE, DWORD, WTS_INFO_CLASS, LPWSTR *, DWORD *);
typedef void(WINAPI *free_memory_fn)(PVOID);

static struct {
    INIT_ONCE once;
    enum_sessions_fn enum_sessions;
    query_session_fn query;
    free_memory_fn free_memory;
} g_wts = {INIT_ONCE_STATIC_INIT, NULL, NULL, NULL};

static BOOL CALLBACK load_wts(PINIT_ONCE once, PVOID param, PVOID *context)
{
    HMODULE m = LoadLibraryExW(L"wtsapi32.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (m) {
        g_wts.enum_sessions = (enum_sessions_fn)(void (*)(void))GetProcAddress(m, "WTSEnumerateSessionsW");
        g_wts.query = (query_session_fn)(void (*)(void))GetProcAddress(m, "WTSQuerySessionInformationW");
        g_wts.free_memory = (free_memory_fn)(void (*)(void))GetProcAddress(m, "WTSFreeMemory");
    }
    return TRUE; /* kept loaded for the process' life; without it: unknown */
}

UINT32 bw__owner_logon(const WCHAR *sid_text)
{
    PSID sid = NULL;
    WCHAR name[256], domain[256];
    DWORD name_len = 256, domain_len = 256, count = 0, i;
    SID_NAME_USE use;
    WTS_SESSION_INFOW *sessions = NULL;
    UINT32 result = BW__LOGON_UNKNOWN;

    if (!sid_text || (sid_text[0] != L'S' && sid_text[0] != L's') || sid_text[1] != L'-' ||
        !ConvertStringSidToSidW(sid_text, &sid))
        return BW__LOGON_UNKNOWN;
    if (IsWellKnownSid(sid, WinLocalSystemSid) || IsWellKnownSid(sid, WinLocalServiceSid) ||
        IsWellKnownSid(sid, WinNetworkServiceSid)) {
        LocalFree(sid);
        return BW__LOGON_SERVICE;
    }
    InitOnceExecuteOnce(&g_wts.once, load_wts, NULL, NULL);
    if (g_wts.enum_sessions && g_wts.query && g_wts.free_memory &&
        LookupAccountSidW(NULL, sid, name, &name_len, domain, &domain_len, &use) &&
        g_wts.enum_sessions(WTS_CURRENT_SERVER_HANDLE, 0, 1, &sessions, &count)) {
        /* Windows always has session 0 (services): no session at all is a
         * service that cannot tell (Wine's stub lists none), not "logged
         * off". */
        result = count ? BW__LOGON_NONE : BW__LOGON_UNKNOWN;
        for (i = 0; i < count && result == BW__LOGON_NONE; i++) {
            WCHAR *user = NULL, *dom = NULL;
            DWORD bytes;
            if (g_wts.query(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId, WTSUserName, &user, &bytes) &&
                g_wts.query(WTS_CURRENT_SERVER_HANDLE, sessions[i].SessionId, WTSDomainName, &dom, &bytes) &&
                user && dom && _wcsicmp(user, name) == 0 && _wcsicmp(dom, domain) == 0)
                result = BW__LOGON_SESSION;
            if (user)
                g_wts.free_memory(user);
            if (dom)
                g_wts.free_memory(dom);
        }
        g_wts.free_memory(sessions);
    }
    LocalFree(sid);
    return result;
}
