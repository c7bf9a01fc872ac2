/*
 * bits_com.h - what the COM backend's files share (dll/src/win only): the
 * open job, the process-wide manager with its reconnect, and the operations
 * that run in the MTA.
 */
#ifndef BW_BITS_COM_H
#define BW_BITS_COM_H

#include <windows.h>
#include <bits.h>
#include <bits1_5.h>

#include "bw_backend.h"
#include "backend_com.h"
#include "com_apartment.h"

struct bw__bjob {
    /* All guarded by the core's per-handle lock: it never runs two
     * operations on one job at once. */
    GUID id;                   /* to reopen the job after a reconnect */
    UINT32 type;               /* BG_JOB_TYPE, fixed for the job's life */
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2; /* NULL on BITS 1.2: no reply progress */
    LONG generation;           /* of the manager the pointers came from */
    bw__com_later close;          /* its release, handed to the MTA (backend_com.c) */
    struct bw__bjob *next_orphan; /* closed but not yet released (backend_com.c) */
};

/* Codes meaning the service went away (restart or crash): reconnect. */
BOOL bw__com_is_disconnect(HRESULT hr);
/* The one of those (RPC_S_CALL_FAILED) after which the call may have run:
 * a control call must not simply be sent again. */
BOOL bw__com_may_have_run(HRESULT hr);
/* Failures of the channel to the service rather than answers from it. */
BOOL bw__com_is_rpc_failure(HRESULT hr);
/* Impersonation level IMPERSONATE on a BITS proxy (failure ignored). */
void bw__com_set_blanket(void *iface);

/* bits_manager.c: a reference to the current manager (created on first use)
 * and its generation; forgetting a dead one (generation < 0: any). */
HRESULT bw__com_manager_acquire(IBackgroundCopyManager **out, LONG *generation);
void bw__com_manager_drop(LONG generation);
/* Opens a job, reconnecting once if the service is gone. */
HRESULT bw__com_open_job_reconnect(const GUID *id, IBackgroundCopyJob **job,
                                   IBackgroundCopyJob2 **job2, UINT32 *type, LONG *generation);
/* After a disconnect: a new manager and the job reopened by its GUID. */
HRESULT bw__com_reopen(bw__bjob *j);

/* backend_com.c: runs op, a read, on the job in the MTA; after a lost
 * service it reconnects once and runs op again. */
typedef HRESULT (*bw__com_job_op)(bw__bjob *j, void *out);
HRESULT bw__com_run_job_op(bw__bjob *j, bw__com_job_op op, void *out);

/* job_details_com.c: the error in full (out: bw__error), the properties
 * (out: bw__info), enumeration (arg: struct enum_call) and the census (arg:
 * struct count_call), the last two run in the MTA. */
HRESULT bw__com_op_error_full(bw__bjob *j, void *out);
HRESULT bw__com_op_info(bw__bjob *j, void *out);
/* Version 0.3: retry delay, no-progress timeout, proxy, files, cost flags
 * (out: bw__details). */
HRESULT bw__com_op_details(bw__bjob *j, void *out);
struct enum_call {
    UINT32 flags;
    GUID *ids;
    UINT32 count;
};
HRESULT bw__com_enum_jobs_mta(void *arg);
struct count_call {
    UINT32 flags;
    UINT32 count;
};
HRESULT bw__com_count_jobs_mta(void *arg);

#endif /* BW_BITS_COM_H */
