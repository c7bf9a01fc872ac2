/*
 * posix/backend_none.c - the native build has no BITS. Until a test installs
 * its fake with bw__backend_set, opening a job says so (E_NOTIMPL).
 */
#include "bw_core.h"

static HRESULT none_open(const GUID *id, bw__bjob **job, UINT32 *type)
{
    *job = NULL;
    *type = 0;
    return E_NOTIMPL;
}

static void none_close(bw__bjob *job) {}
static HRESULT none_state(bw__bjob *job, UINT32 *state) { return E_NOTIMPL; }
static HRESULT none_progress(bw__bjob *job, bw__progress *p) { return E_NOTIMPL; }
static HRESULT none_reply(bw__bjob *job, UINT64 *t, UINT64 *d) { return E_NOTIMPL; }
static HRESULT none_error(bw__bjob *job, HRESULT *c, UINT32 *x) { return E_NOTIMPL; }
static HRESULT none_control(bw__bjob *job) { return E_NOTIMPL; }
static HRESULT none_get_error(bw__bjob *job, bw__error *e) { return E_NOTIMPL; }
static HRESULT none_get_info(bw__bjob *job, bw__info *i) { return E_NOTIMPL; }
static HRESULT none_enum(UINT32 flags, GUID **ids, UINT32 *n) { return E_NOTIMPL; }
static HRESULT none_count(UINT32 flags, UINT32 *n) { return E_NOTIMPL; }
static HRESULT none_details(bw__bjob *job, bw__details *d) { return E_NOTIMPL; }

const bw__backend bw__default_backend = {
    none_open,   none_close,   none_state,   none_progress, none_reply, none_error,
    none_control, none_control, none_control, none_control,
    none_get_error, none_get_info, none_enum, none_count, none_details,
};
