/* names.c - the state model and the names of BITS' values (BwStateName,
 * BwStateFlags, BwTypeName, BwPriorityName, BwContextName): one table each,
 * shared by every caller. */
#include "bw_core.h"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static const WCHAR *name_of(const WCHAR *const *names, size_t n, UINT32 v)
{
    return v < n ? names[v] : BW_W("Unknown");
}

const WCHAR *BWAPI BwStateName(UINT32 state)
{
    static const WCHAR *const names[] = {
        BW_W("Queued"),         BW_W("Connecting"),  BW_W("Transferring"),
        BW_W("Suspended"),      BW_W("Error"),       BW_W("TransientError"),
        BW_W("Transferred"),    BW_W("Acknowledged"), BW_W("Cancelled"),
    };
    return name_of(names, COUNT(names), state);
}

UINT32 BWAPI BwStateFlags(UINT32 state)
{
    static const UINT32 flags[] = {
        [BW_STATE_QUEUED] = BW_STATE_FLAG_ACTIVE,
        [BW_STATE_CONNECTING] = BW_STATE_FLAG_ACTIVE | BW_STATE_FLAG_TRANSFERRING,
        [BW_STATE_TRANSFERRING] = BW_STATE_FLAG_ACTIVE | BW_STATE_FLAG_TRANSFERRING,
        [BW_STATE_SUSPENDED] = BW_STATE_FLAG_OWNER_ACTION,
        [BW_STATE_ERROR] = BW_STATE_FLAG_OWNER_ACTION,
        [BW_STATE_TRANSIENT_ERROR] = BW_STATE_FLAG_ACTIVE,
        [BW_STATE_TRANSFERRED] = BW_STATE_FLAG_OWNER_ACTION,
        [BW_STATE_ACKNOWLEDGED] = BW_STATE_FLAG_FINAL,
        [BW_STATE_CANCELLED] = BW_STATE_FLAG_FINAL,
    };
    return state < COUNT(flags) ? flags[state] : 0;
}

const WCHAR *BWAPI BwTypeName(UINT32 type)
{
    static const WCHAR *const names[] = {BW_W("Download"), BW_W("Upload"), BW_W("UploadReply")};
    return name_of(names, COUNT(names), type);
}

const WCHAR *BWAPI BwPriorityName(UINT32 priority)
{
    static const WCHAR *const names[] = {BW_W("Foreground"), BW_W("High"), BW_W("Normal"),
                                         BW_W("Low")};
    return name_of(names, COUNT(names), priority);
}

const WCHAR *BWAPI BwContextName(UINT32 context)
{
    static const WCHAR *const names[] = {
        BW_W("None"),        BW_W("Unknown"),           BW_W("GeneralQueueManager"),
        BW_W("QueueManagerNotification"), BW_W("LocalFile"), BW_W("RemoteFile"),
        BW_W("GeneralTransport"), BW_W("RemoteApplication"), BW_W("ServerCertificateCallback"),
    };
    return name_of(names, COUNT(names), context);
}
