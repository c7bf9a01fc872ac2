/*
 * fake_bits.h - in-process fakes of the BITS COM objects, written as C
 * vtables like the real ones (Wine's dlls/qmgr), for tests of the COM backend.
 *
 * Each fake counts its references; the test that creates one holds one
 * reference and checks that the count is back to 1 before dropping it. Every
 * method records the thread and apartment it was called in, so tests can see
 * where the backend made its calls.
 */
#ifndef FAKE_BITS_H
#define FAKE_BITS_H

#define COBJMACROS
#define CONST_VTABLE /* the fakes' vtables are const, like Wine's */
#include <windows.h>
#include <objbase.h>
#include <bits.h>
#include <bits1_5.h>

/* Where the last call on a fake came from. */
typedef struct fake_call_site {
    DWORD thread;
    HRESULT apt_hr; /* of CoGetApartmentType on that thread */
    APTTYPE apt;
    LONG calls;     /* methods called, IUnknown's not counted */
} fake_call_site;

typedef struct fake_file {
    IBackgroundCopyFile IBackgroundCopyFile_iface;
    LONG ref;
    const WCHAR *remote, *local;
    BOOL has_progress;        /* FALSE: GetProgress is E_NOTIMPL */
    BG_FILE_PROGRESS progress;
} fake_file;

typedef struct fake_error {
    IBackgroundCopyError IBackgroundCopyError_iface;
    LONG ref;
    HRESULT code;
    BG_ERROR_CONTEXT context;
    /* Texts: NULL answers text_hr (Wine across processes: 0x800706F4). */
    const WCHAR *description, *context_description, *protocol;
    HRESULT text_hr;
    DWORD last_lang;       /* of the last description asked for */
    fake_file *file;       /* NULL: GetFile is BG_E_FILE_NOT_AVAILABLE */
} fake_error;

typedef struct fake_job {
    IBackgroundCopyJob2 IBackgroundCopyJob2_iface; /* also its IBackgroundCopyJob */
    LONG ref;
    GUID id;
    BOOL has_job2;            /* FALSE: QI for Job2 is E_NOINTERFACE (BITS 1.2) */
    BG_JOB_TYPE type;
    BG_JOB_STATE state;
    BG_JOB_PROGRESS progress;
    HRESULT reply_hr;         /* GetReplyProgress' answer, with reply on success */
    BG_JOB_REPLY_PROGRESS reply;
    LONG reply_calls;
    HRESULT get_error_hr;     /* GetError's answer; on success it hands out error */
    fake_error *error;
    HRESULT complete_hr, cancel_hr, suspend_hr, resume_hr;
    /* Control calls that reached the job, and GetState calls. A control call
     * that succeeds moves the job as BITS does: Complete to ACKNOWLEDGED,
     * Cancel to CANCELLED, Suspend to SUSPENDED, Resume to QUEUED. */
    LONG complete_calls, cancel_calls, suspend_calls, resume_calls, state_calls;
    /* The service stopping under the next control call: nonzero makes it
     * fail with this code (then cleared), after taking effect when
     * interrupt_ran is TRUE. Put the same fake in the next manager for a job
     * that survived the restart. */
    HRESULT interrupt_hr;
    BOOL interrupt_ran;
    HRESULT dead_hr;          /* nonzero: every method fails with it (service gone) */
    DWORD delay_ms;           /* each method the backend uses takes this long (a busy
                               * service); site.calls counts the call as it starts */
    /* Properties: FALSE answers E_NOTIMPL for priority, error count, times
     * and owner, as Wine does; NULL names are E_NOTIMPL too. */
    BOOL has_props;
    BG_JOB_PRIORITY priority;
    ULONG error_count;
    BG_JOB_TIMES times;
    const WCHAR *display_name, *description, *owner;
    HRESULT missing_hr;       /* answer for a NULL name (default E_NOTIMPL) */
    LONG set_notify_calls;    /* must stay 0 */
    LONG blanket_queries;     /* QI for IClientSecurity, i.e. CoSetProxyBlanket tries */
    /* Details (issue 19): FALSE answers E_NOTIMPL for the retry delay, the
     * timeout and the proxy; files: what EnumFiles hands out (referenced by
     * the job), enum_files_hr its answer when it fails. */
    BOOL has_details;
    ULONG retry_delay, no_progress_timeout;
    BG_JOB_PROXY_USAGE proxy_usage;
    const WCHAR *proxy_list, *proxy_bypass;
    fake_file *files[20];
    int nfiles;
    HRESULT enum_files_hr;
    LONG live_file_enums;     /* file enumerators handed out, not yet released */
    fake_call_site site;
} fake_job;

typedef struct fake_manager {
    IBackgroundCopyManager IBackgroundCopyManager_iface;
    LONG ref;
    fake_job *jobs[8];        /* what GetJob finds (not referenced by the manager) */
    int njobs;
    HRESULT dead_hr;          /* nonzero: every method fails with it */
    HRESULT all_users_hr;     /* nonzero: EnumJobs(BG_JOB_ENUM_ALL_USERS) fails with it
                               * (E_ACCESSDENIED: the caller is no administrator) */
    HRESULT count_hr;         /* nonzero: the enumerators' GetCount fails with it */
    LONG get_job_calls;
    LONG enum_calls;
    DWORD last_enum_flags;
    LONG live_enumerators;    /* enumerators handed out and not yet released */
    LONG next_calls, count_calls;   /* on the enumerators */
    LONG enum_blanket_queries;      /* QI of an enumerator for IClientSecurity */
    LONG blanket_queries;
    fake_call_site site;
} fake_manager;

/* New fakes with one reference (the caller's). */
fake_file *fake_file_new(const WCHAR *remote, const WCHAR *local);
fake_error *fake_error_new(HRESULT code, BG_ERROR_CONTEXT context);
fake_job *fake_job_new(const GUID *id, BG_JOB_TYPE type, BG_JOB_STATE state);
fake_manager *fake_manager_new(void);
void fake_manager_add_job(fake_manager *m, fake_job *j);

/* Drop the caller's reference. */
void fake_file_release(fake_file *f);
void fake_error_release(fake_error *e);
void fake_job_release(fake_job *j);
void fake_manager_release(fake_manager *m);

#endif /* FAKE_BITS_H */
