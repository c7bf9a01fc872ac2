/* backend.c - which backend the exports use. */
#include "bw_core.h"

/* Defined by the platform: the COM backend (win/backend_com.c) or the native
 * build's stand-in (posix/backend_none.c). */
extern const bw__backend bw__default_backend;

static const bw__backend *volatile g_backend;

const bw__backend *bw__backend_get(void)
{
    const bw__backend *be = g_backend;
    return be ? be : &bw__default_backend;
}

void bw__backend_set(const bw__backend *backend)
{
    g_backend = backend;
}
