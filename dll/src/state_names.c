/* state_names.c - BwStateName's table. */
#include "bw_core.h"

const WCHAR *BWAPI BwStateName(UINT32 state)
{
    static const WCHAR *const names[] = {
        BW_W("Queued"),         BW_W("Connecting"),  BW_W("Transferring"),
        BW_W("Suspended"),      BW_W("Error"),       BW_W("TransientError"),
        BW_W("Transferred"),    BW_W("Acknowledged"), BW_W("Cancelled"),
    };
    if (state < sizeof names / sizeof names[0])
        return names[state];
    return BW_W("Unknown");
}
