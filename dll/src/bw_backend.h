/*
 * bw_backend.h - how the portable core talks to BITS.
 *
 * The core never sees COM. dll/src/win/ implements this interface with the
 * BITS COM API; tests implement it with a scripted fake. Every function may be
 * called from any thread; the core serializes calls on one job (it holds the
 * handle's lock around them), but calls on different jobs run concurrently.
 */
#ifndef BW_BACKEND_H
#define BW_BACKEND_H

#include "bitswatch.h"

/* A job opened by a backend; what it points to is the backend's own. */
typedef struct bw__bjob bw__bjob;

/* Progress as BITS reports it (BG_JOB_PROGRESS). */
typedef struct bw__progress {
    UINT64 bytes_total; /* BW_SIZE_UNKNOWN when unknown */
    UINT64 bytes_transferred;
    UINT32 files_total;
    UINT32 files_transferred;
} bw__progress;

/* The whole error of a job (strings malloc'd, any may be NULL). */
typedef struct bw__error {
    HRESULT code;
    UINT32 context;
    WCHAR *description, *context_description, *remote_name, *local_name, *protocol;
} bw__error;

/* Properties of a job (strings malloc'd, any may be NULL; 0 when unknown). */
typedef struct bw__info {
    GUID id;
    UINT32 type, priority, error_count;
    WCHAR *display_name, *description, *owner;
    UINT64 creation_time, modification_time, completion_time;
    int priority_known; /* version 0.3: GetPriority answered (0 is FOREGROUND) */
    UINT32 owner_logon; /* version 0.3: BW__LOGON_* of the owner now */
} bw__info;

/* Whether a job's owner is logged on, which BITS needs to transfer a user's
 * job (Microsoft: "BITS transfers files only when the job's owner is logged
 * on to the computer"; service accounts always are). */
#define BW__LOGON_UNKNOWN 0 /* not checked: no owner, or the check failed */
#define BW__LOGON_NONE 1    /* no session of that user */
#define BW__LOGON_SESSION 2 /* a session of that user (active or disconnected) */
#define BW__LOGON_SERVICE 3 /* LocalSystem, LocalService, NetworkService */

/* One file of a job (strings malloc'd, NULL when unreadable). */
typedef struct bw__file {
    UINT64 bytes_total, bytes_transferred; /* BW_SIZE_UNKNOWN total when unknown */
    UINT32 completed;
    WCHAR *remote_name, *local_name;
} bw__file;

/* What get_details reads (strings and files malloc'd; 0/NULL when unknown).
 * known: BW_KNOWN_* of the groups the service answered truthfully. */
typedef struct bw__details {
    UINT32 known;
    UINT32 retry_delay, no_progress_timeout, proxy_usage, cost_flags;
    WCHAR *proxy_list, *proxy_bypass;
    bw__file *files;
    UINT32 file_count;
} bw__details;

/* Frees what a bw__details holds and zeroes it. */
void bw__details_clear(bw__details *d);

typedef struct bw__backend {
    /* Opens the job; *type is its BW_TYPE_*. BG_E_NOT_FOUND when absent. */
    HRESULT (*open_job)(const GUID *id, bw__bjob **job, UINT32 *type);
    /* Releases everything open_job took. Never fails. */
    void (*close_job)(bw__bjob *job);
    /* One round trip each. */
    HRESULT (*get_state)(bw__bjob *job, UINT32 *state);
    HRESULT (*get_progress)(bw__bjob *job, bw__progress *progress);
    /* BW_E_NOT_UPLOAD_REPLY for jobs that have no reply (whatever BITS said). */
    HRESULT (*get_reply_progress)(bw__bjob *job, UINT64 *bytes_total, UINT64 *bytes_transferred);
    /* Code and context of the job's current error; BITS' own code (usually
     * BG_E_ERROR_INFORMATION_UNAVAILABLE) when it has none. */
    HRESULT (*get_error_code)(bw__bjob *job, HRESULT *code, UINT32 *context);
    HRESULT (*complete)(bw__bjob *job);
    HRESULT (*cancel)(bw__bjob *job);
    HRESULT (*suspend)(bw__bjob *job);
    HRESULT (*resume)(bw__bjob *job);
    /* The job's error in full. Strings are malloc'd (free()), NULL when BITS
     * has none; the core fills the descriptions it leaves NULL. Fails with
     * BG_E_ERROR_INFORMATION_UNAVAILABLE when the job has no error. */
    HRESULT (*get_error)(bw__bjob *job, bw__error *error);
    /* Job properties; E_NOTIMPL ones left NULL/0 (strings malloc'd). */
    HRESULT (*get_info)(bw__bjob *job, bw__info *info);
    /* The queue's job GUIDs as a malloc'd array (free()). flags: BW_ENUM_*.
     * Round trips: EnumJobs, then about one per ten jobs (Next in batches),
     * plus the releases of the job objects. */
    HRESULT (*enum_jobs)(UINT32 flags, GUID **ids, UINT32 *count);
    /* How many jobs the queue holds now (EnumJobs + GetCount + release of the
     * enumerator): the census, a few round trips whatever the count. flags:
     * BW_ENUM_*; E_ACCESSDENIED for BW_ENUM_ALL_USERS unless administrator. */
    HRESULT (*count_jobs)(UINT32 flags, UINT32 *count);
    /* The job's retry delay, no-progress timeout, proxy settings, files and
     * cost flags (version 0.3). Groups the service does not implement are
     * left out of known; only a failure of the job itself (gone, service
     * lost) fails the call. NULL in a backend that cannot: all unknown. */
    HRESULT (*get_details)(bw__bjob *job, bw__details *details);
} bw__backend;

/* The backend the exports use: the COM one in the DLL. Tests install theirs. */
const bw__backend *bw__backend_get(void);
void bw__backend_set(const bw__backend *backend);

#endif /* BW_BACKEND_H */
