/* owner_name.h - a job owner's SID string as an account name. */
#ifndef BW_OWNER_NAME_H
#define BW_OWNER_NAME_H

#include <windows.h>

/* "DOMAIN\user" for a SID string ("S-1-5-21-..."), malloc'd (free()). When
 * the SID does not resolve (a deleted account, no domain controller) or is
 * not a SID string, a copy of the text as given. NULL only when out of
 * memory or sid_text is NULL. */
WCHAR *bw__owner_display_name(const WCHAR *sid_text);

/* BW__LOGON_* (bw_backend.h) for a SID string: a service account, a user
 * with a session on this machine (WTSEnumerateSessions, user and domain
 * compared with the SID's account), none, or unknown (not a SID, or the
 * sessions cannot be listed). */
UINT32 bw__owner_logon(const WCHAR *sid_text);

#endif
