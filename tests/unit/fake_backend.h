/*
 * fake_backend.h - a scripted stand-in for BITS behind bw_backend.h.
 *
 * A test describes jobs (state, progress, reply, error, or a failure code to
 * answer with), installs the fake with fake_backend_install(), and reads back
 * how many round trips each call made. Jobs may be changed from another thread
 * while the core waits: every field is read and written under the fake's lock.
 */
#ifndef FAKE_BACKEND_H
#define FAKE_BACKEND_H

#include "bw_core.h"

typedef struct fake_job {
    GUID id;
    UINT32 type;
    UINT32 state;
    bw__progress progress;
    HRESULT reply_hr;             /* what get_reply_progress answers */
    UINT64 reply_total, reply_transferred;
    HRESULT error_code;
    UINT32 error_context;
    HRESULT fail_hr;              /* when FAILED: every read answers this */
    HRESULT control_hr;           /* what complete/cancel/suspend/resume answer */
    /* What get_error answers beyond code/context (ASCII, NULL = BITS has none). */
    const char *error_description, *error_remote_name, *error_local_name, *error_protocol;
    /* What get_info answers (ASCII, NULL = not implemented by the service). */
    const char *display_name, *description, *owner;
    UINT32 priority, error_count;
    UINT64 creation_time, modification_time, completion_time;
    /* What get_details answers (version 0.3): known is BW_KNOWN_* (0: the
     * service implements none of it); files as BITS would list them. */
    UINT32 details_known;
    UINT32 retry_delay, no_progress_timeout, proxy_usage, cost_flags;
    const char *proxy_list, *proxy_bypass;
    unsigned nfiles;
    struct fake_file {
        const char *remote, *local;
        UINT64 total, done;
        int completed;
    } files[4];
    int priority_unknown;         /* get_info: GetPriority not implemented */
    UINT32 owner_logon;           /* get_info: BW__LOGON_* (0: not checked) */
    /* get_state sleeps this long (outside the fake's lock) before answering:
     * a slow or hung service. */
    unsigned state_delay_ms;
    /* Counters (round trips). */
    unsigned n_state, n_progress, n_reply, n_error, n_control;
    unsigned n_info, n_details;   /* version 0.3 */
    unsigned opened, closed;
    int left_queue;               /* cancelled/completed: no longer listed or counted */
} fake_job;

#define FAKE_MAX_JOBS 256

void fake_backend_install(void);  /* resets every job and counter */
void fake_backend_uninstall(void);
/* A job with GUID {00000000-0000-0000-0000-0000000000nn}, nn = index + 1, QUEUED,
 * with unknown sizes; the returned pointer is valid until the next install. */
fake_job *fake_job_add(UINT32 type);
/* Changes a job under the fake's lock (for other threads). */
void fake_job_set_state(fake_job *j, UINT32 state);
void fake_job_set_bytes(fake_job *j, UINT64 total, UINT64 transferred);
/* What enum_jobs answers (S_OK lists every job; E_ACCESSDENIED for
 * BW_ENUM_ALL_USERS unless fake_enum_admin is set). */
extern int fake_enum_admin;
/* count_jobs answers only when set (E_NOTIMPL otherwise: no census, as a
 * backend that cannot count); round trips of count_jobs and enum_jobs. */
extern int fake_census;
extern unsigned fake_n_count, fake_n_enum;
/* Another process cancels (or completes) the job: its state, and it leaves
 * the queue's list and count. */
void fake_job_leave(fake_job *j, UINT32 state);
/* The job fake_job_add made i-th (from 0). */
fake_job *fake_job_at(unsigned i);
/* Another process creates a job (under the fake's lock). */
fake_job *fake_job_arrive(UINT32 type);
unsigned fake_round_trips(const fake_job *j);
/* j->closed read under the fake's lock (for a test racing a worker thread). */
unsigned fake_job_closed(const fake_job *j); /* state + progress + reply + error */
void fake_job_reset_counters(fake_job *j);
/* The GUID text of a fake job, braced, into buf (39 units). */
void fake_job_guid_text(const fake_job *j, WCHAR *buf);

#endif
