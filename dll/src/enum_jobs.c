/* enum_jobs.c - BwEnumJobs: the count / ERROR_MORE_DATA protocol over the
 * backend's snapshot of the queue. */
#include <stdlib.h>
#include <string.h>

#include "bw_core.h"

HRESULT BWAPI BwEnumJobs(UINT32 flags, GUID *ids, UINT32 capacity, UINT32 *count)
{
    if (!count)
        return E_POINTER;
    *count = 0;
    if (!ids && capacity > 0)
        return E_POINTER;
    if (flags & ~BW_ENUM_ALL_USERS)
        return E_INVALIDARG;

    GUID *all = NULL;
    UINT32 n = 0;
    HRESULT hr = bw__backend_get()->enum_jobs(flags, &all, &n);
    if (FAILED(hr))
        return hr;
    *count = n;
    UINT32 fit = n < capacity ? n : capacity;
    if (fit)
        memcpy(ids, all, fit * sizeof(GUID));
    free(all);
    return fit < n ? HRESULT_FROM_WIN32(ERROR_MORE_DATA) : S_OK;
}
