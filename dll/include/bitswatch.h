/*
 * bitswatch.h - watch Windows BITS transfer jobs live.
 *
 * This header is the whole contract of bitswatch.dll.
 *
 * Conventions (they hold for every function unless its comment says otherwise)
 *  - Every export is BWAPI (__stdcall on Windows) and undecorated on x86 and
 *    x64 (BwJobPoll, never _BwJobPoll@12), so GetProcAddress, P/Invoke and
 *    FFIs find it by its plain name.
 *  - Functions that can fail return an HRESULT: S_OK on success, S_FALSE for
 *    "nothing to do / nothing changed". A NULL out-pointer is E_POINTER; a bad
 *    argument (malformed GUID text, bad cbSize, unknown flag) is E_INVALIDARG;
 *    a closed, stale or forged handle is E_HANDLE; a job that is not there (or
 *    is gone) is BG_E_NOT_FOUND (0x80200001); codes from BITS pass through.
 *  - Every public struct starts with UINT32 cbSize, which the caller sets to
 *    sizeof the struct it was compiled with. Fields are only ever appended;
 *    each one says which version added it. Any other cbSize is E_INVALIDARG.
 *    On failure an out-struct is left untouched when the struct itself is the
 *    problem (E_POINTER: it is NULL; E_INVALIDARG: its cbSize is not a
 *    published size); after any other failure it keeps its cbSize and every
 *    byte after it, up to cbSize, is zero.
 *    The free function of a struct that returns strings (BwFreeError,
 *    BwFreeInfo) is safe on any struct its call was given, whatever the call
 *    returned: it does nothing when cbSize is not a published size (the call
 *    never touched the struct, so it holds no library memory) and clears what
 *    it frees, so a second call does nothing.
 *  - Strings in are NUL-terminated UTF-16 (const WCHAR *). Strings out are
 *    allocated by the library and freed with the free function named next to
 *    them.
 *  - Handles are opaque values (a slot and a generation, never a pointer): a
 *    closed, stale or forged handle is E_HANDLE, not a crash.
 *  - Thread-safe: any function may be called from any thread at any time. A
 *    handle may be used from several threads at once; closing a handle while
 *    another thread waits on it ends that wait promptly with E_HANDLE.
 *  - Apartment-agnostic: callable from an STA, the MTA, or a thread that never
 *    initialized COM; the calling thread's COM state is left as it was.
 *  - Never takes a job's notify interface (SetNotifyInterface): the program
 *    that owns the job keeps its callbacks. Waiting is done by polling BITS.
 *  - Survives a BITS service restart: a call that sees the service gone
 *    (RPC_S_SERVER_UNAVAILABLE 0x800706BA, RPC_E_DISCONNECTED 0x80010108,
 *    RPC_S_CALL_FAILED 0x800706BE) reconnects once and reopens the job by
 *    its GUID; a job that did not survive the restart is BG_E_NOT_FOUND.
 *    Reads are then repeated. Control calls (Complete, Cancel, Suspend,
 *    Resume) are never sent twice blindly: after 0x800706BA or 0x80010108
 *    the call never reached a live service and is sent once more; after
 *    0x800706BE it reached the service as it stopped and may have run, so
 *    the reopened job's state decides: it shows the call took effect ->
 *    S_OK; it does not -> the call is sent once more and BITS' answer is
 *    returned. If the state cannot be read (the job is gone, the service is
 *    still down), the result is 0x800706BE: the call may have run, the
 *    library has reconnected, check the job (for Complete: its files).
 */
#ifndef BITSWATCH_H
#define BITSWATCH_H

#include "bitswatch_compat.h"
#include "bitswatch_version.h" /* BW_VERSION_MAJOR/MINOR/PATCH, BW_VERSION */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ------------------------------------------------------------- */

/* An open job. 0 (NULL) is never a valid handle. A value is a slot index
 * and a generation; once closed, a value is never valid again: its slot is
 * reused only under a new generation (2^48 - 1 of them per slot on x64, so no
 * value repeats in a process' life; 65,535 on x86, after which the slot is
 * retired rather than reuse a value), and freed slots are reused oldest
 * first. A stale value can therefore never act on another job. */
typedef struct BW_JOB_T *BW_JOB;

/* An open view of the queue (BwQueueOpen, version 0.2). Values follow
 * BW_JOB's rules, from the same table: a job handle is never a valid queue
 * handle, nor the other way round (E_HANDLE). */
typedef struct BW_QUEUE_T *BW_QUEUE;

/* Pointer fields are padded to 8 bytes on 32-bit targets so that every struct
 * has the same size and offsets on x86 and x64 (the padding is always zero;
 * a caller that reads the field as a 64-bit integer gets the pointer value). */
#if defined(_WIN64) || defined(__LP64__)
#define BW_PTR_PAD(name)
#else
#define BW_PTR_PAD(name) UINT32 name;
#endif

/* ---- Values ------------------------------------------------------------ */

/* Job states: the values of BITS' BG_JOB_STATE. */
#define BW_STATE_QUEUED 0
#define BW_STATE_CONNECTING 1
#define BW_STATE_TRANSFERRING 2
#define BW_STATE_SUSPENDED 3
#define BW_STATE_ERROR 4
#define BW_STATE_TRANSIENT_ERROR 5
#define BW_STATE_TRANSFERRED 6
#define BW_STATE_ACKNOWLEDGED 7
#define BW_STATE_CANCELLED 8

/* What a state means, from BwStateFlags: the one state model the CLI, the
 * module and any caller share. */
#define BW_STATE_FLAG_FINAL 0x1u /* ACKNOWLEDGED, CANCELLED: nothing more happens */
#define BW_STATE_FLAG_ACTIVE 0x2u /* QUEUED, CONNECTING, TRANSFERRING, TRANSIENT_ERROR:
                                    BITS works on it and it changes by itself; a rate
                                    and an ETA mean something */
#define BW_STATE_FLAG_TRANSFERRING 0x4u /* CONNECTING, TRANSFERRING: bytes can move now */
#define BW_STATE_FLAG_OWNER_ACTION 0x8u /* SUSPENDED, ERROR, TRANSFERRED: nothing happens
                                          until the owner resumes, completes or cancels */

/* BW_INFO.Priority when the service does not report it (Wine's answers
 * E_NOTIMPL). Otherwise the values of BITS' BG_JOB_PRIORITY, 0..3. */
#define BW_PRIORITY_UNKNOWN 0xFFFFFFFFu

/* Job types: the values of BITS' BG_JOB_TYPE. */
#define BW_TYPE_DOWNLOAD 0
#define BW_TYPE_UPLOAD 1
#define BW_TYPE_UPLOAD_REPLY 2

/* Error contexts: the values of BITS' BG_ERROR_CONTEXT. */
#define BW_CONTEXT_NONE 0
#define BW_CONTEXT_UNKNOWN 1
#define BW_CONTEXT_GENERAL_QUEUE_MANAGER 2
#define BW_CONTEXT_QUEUE_MANAGER_NOTIFICATION 3
#define BW_CONTEXT_LOCAL_FILE 4
#define BW_CONTEXT_REMOTE_FILE 5
#define BW_CONTEXT_GENERAL_TRANSPORT 6
#define BW_CONTEXT_REMOTE_APPLICATION 7

/* A byte count that is not known (BITS' BG_SIZE_UNKNOWN). */
#define BW_SIZE_UNKNOWN ((UINT64)-1)

/* BW_STATUS.Changed bits: which groups differ from the previous poll. */
#define BW_CHANGED_STATE 0x1u    /* State */
#define BW_CHANGED_PROGRESS 0x2u /* BytesTotal/Transferred, FilesTotal/Transferred */
#define BW_CHANGED_REPLY 0x4u    /* ReplyBytesTotal/Transferred */
#define BW_CHANGED_ERROR 0x8u    /* ErrorCode/ErrorContext */
#define BW_CHANGED_ALL 0xFu

/* BwEnumJobs and BwQueueOpen flags. */
#define BW_ENUM_ALL_USERS 0x1u /* every user's jobs: administrators only */

/* timeoutMs of the waiting calls: no timeout. */
#define BW_INFINITE 0xFFFFFFFFu

/* Codes of the library's own (customer bit set, facility 0x0B7). */
#define BW_E_NOT_UPLOAD_REPLY ((HRESULT)0xA0B70001L) /* job is not upload-reply */
/* BwJobOpen/BwJobOpenById: no handle can be made. 65,280 handles may be open
 * at once in a process; on x86 (16-bit generations) a process may also open
 * 4,278,124,800 handles in all before every handle value has been used once,
 * and values are never handed out twice (see BW_JOB). */
#define BW_E_TOO_MANY_HANDLES ((HRESULT)0xA0B70002L)

/* The most handles one BwJobPollMany call takes (every handle that can be open). */
#define BW_POLL_MANY_MAX 65280u

/* BITS codes the library returns itself. */
#ifndef BG_E_NOT_FOUND
#define BG_E_NOT_FOUND ((HRESULT)0x80200001L)
#endif

/* ---- Structs ----------------------------------------------------------- */

/* Bytes and files of a job (version 0.1). */
typedef struct BW_PROGRESS {
    UINT32 cbSize;           /* in: sizeof(BW_PROGRESS) */
    UINT32 FilesTotal;
    UINT32 FilesTransferred;
    UINT32 Reserved;         /* zero */
    UINT64 BytesTotal;       /* BW_SIZE_UNKNOWN when not known yet */
    UINT64 BytesTransferred;
} BW_PROGRESS;

/* Reply of an upload-reply job (version 0.1). */
typedef struct BW_REPLY_PROGRESS {
    UINT32 cbSize;           /* in: sizeof(BW_REPLY_PROGRESS) */
    UINT32 Reserved;         /* zero */
    UINT64 BytesTotal;       /* BW_SIZE_UNKNOWN until the reply starts */
    UINT64 BytesTransferred;
} BW_REPLY_PROGRESS;

/* One snapshot of a job, as returned by BwJobPoll (version 0.1). */
typedef struct BW_STATUS {
    UINT32 cbSize;             /* in: sizeof(BW_STATUS) */
    UINT32 State;              /* BW_STATE_* */
    UINT32 Type;               /* BW_TYPE_* */
    UINT32 Changed;            /* BW_CHANGED_* against the previous poll on this handle */
    UINT64 Sequence;           /* polls on this handle that saw a change (first poll: 1) */
    UINT64 Timestamp;          /* FILETIME (UTC, 100 ns since 1601) of the read */
    UINT64 BytesTotal;         /* BW_SIZE_UNKNOWN when not known */
    UINT64 BytesTransferred;
    UINT32 FilesTotal;
    UINT32 FilesTransferred;
    UINT64 ReplyBytesTotal;    /* BW_SIZE_UNKNOWN unless upload-reply with a known reply */
    UINT64 ReplyBytesTransferred; /* 0 unless upload-reply */
    HRESULT ErrorCode;         /* 0 unless State is ERROR or TRANSIENT_ERROR */
    UINT32 ErrorContext;       /* BW_CONTEXT_*; 0 unless in an error state */
    double BytesPerSecond;     /* smoothed over recent polls; 0 when unknown */
    INT64 EtaSeconds;          /* seconds left: 0 once TRANSFERRED/ACKNOWLEDGED; -1 when
                                  unknown (no rate, BytesTotal unknown, or not moving) */
} BW_STATUS;

/* What BwQueuePoll saw (version 0.2). */
typedef struct BW_QUEUE_STATUS {
    UINT32 cbSize;      /* in: sizeof(BW_QUEUE_STATUS) */
    UINT32 JobCount;    /* jobs in the queue (BwQueueGetJobs lists them) */
    UINT32 Added;       /* jobs that arrived since the previous BwQueuePoll on this
                           handle (the first poll: every job) */
    UINT32 Removed;     /* jobs that left since then */
    UINT64 Sequence;    /* polls on this handle that saw a change (first poll: 1) */
    UINT64 Timestamp;   /* FILETIME (UTC) of the census this reports */
} BW_QUEUE_STATUS;

/* Why a job failed, from BwJobGetError (version 0.1). Strings are NULL when
 * BITS has none, except Description, which is never NULL. Free the strings
 * with BwFreeError. */
typedef struct BW_ERROR {
    UINT32 cbSize;              /* in: sizeof(BW_ERROR) */
    HRESULT ErrorCode;          /* e.g. 0x80190194 (HTTP 404) */
    UINT32 Context;             /* BW_CONTEXT_* */
    UINT32 Reserved;            /* zero */
    WCHAR *Description;         BW_PTR_PAD(Pad0) /* BITS' text, else the library's */
    WCHAR *ContextDescription;  BW_PTR_PAD(Pad1) /* never NULL either */
    WCHAR *RemoteName;          BW_PTR_PAD(Pad2) /* URL of the failing file */
    WCHAR *LocalName;           BW_PTR_PAD(Pad3) /* local path of the failing file */
    WCHAR *Protocol;            BW_PTR_PAD(Pad4) /* e.g. "http" */
} BW_ERROR;

/* What a job is, from BwJobGetInfo (version 0.1). A property the service
 * does not implement is NULL / 0. Free the strings with BwFreeInfo. */
typedef struct BW_INFO {
    UINT32 cbSize;              /* in: sizeof(BW_INFO) */
    UINT32 Type;                /* BW_TYPE_* */
    GUID JobId;
    UINT32 Priority;            /* BG_JOB_PRIORITY: 0 foreground .. 3 low, or
                                   BW_PRIORITY_UNKNOWN when not reported */
    UINT32 ErrorCount;          /* errors BITS has seen on the job */
    WCHAR *DisplayName;         BW_PTR_PAD(Pad0)
    WCHAR *Description;         BW_PTR_PAD(Pad1)
    WCHAR *Owner;               BW_PTR_PAD(Pad2) /* DOMAIN\user, or the SID string */
    UINT64 CreationTime;        /* FILETIME UTC; 0 when unknown */
    UINT64 ModificationTime;
    UINT64 TransferCompletionTime; /* 0 until the job is TRANSFERRED */
} BW_INFO;

/* ---- Functions --------------------------------------------------------- */

#if !defined(_WIN32) && defined(__GNUC__)
#pragma GCC visibility push(default) /* the native shared library's exports */
#endif

/* The library's version, (major << 16) | (minor << 8) | patch. Compare with
 * BW_VERSION to check that the DLL loaded is the one you built against.
 * Never fails. */
UINT32 BWAPI BwGetVersion(void);

/* Opens the job whose GUID is the text jobId: 32 hex digits in the 8-4-4-4-12
 * form, braces optional ("{...}" or none), nothing else (no spaces, no
 * ProgIDs). On success *job is a new handle; close it with BwJobClose.
 * E_POINTER: jobId or job is NULL. E_INVALIDARG: malformed text.
 * BG_E_NOT_FOUND: no such job. E_ACCESSDENIED: the job is another user's.
 * BW_E_TOO_MANY_HANDLES: 65,280 handles are open (close some), or, on x86
 * only, the process has used up every handle value (see the code's comment).
 * E_OUTOFMEMORY. Other BITS/COM/RPC codes pass through. *job is NULL on
 * failure. */
HRESULT BWAPI BwJobOpen(const WCHAR *jobId, BW_JOB *job);

/* As BwJobOpen, with the GUID as a struct. */
HRESULT BWAPI BwJobOpenById(const GUID *jobId, BW_JOB *job);

/* Closes a handle; a wait on it in another thread ends with E_HANDLE.
 * Returns at once, even while another thread is inside a BITS call on this
 * handle (a slow or hung service): that call then finishes with E_HANDLE or
 * its own result, and the handle's resources are freed when it returns.
 * Safe to call from a console control (Ctrl+C) handler. S_OK: closed. S_FALSE: job is NULL (nothing to do). E_HANDLE: closed
 * already, stale or forged. */
HRESULT BWAPI BwJobClose(BW_JOB job);

/* Reads the job and compares it with the snapshot this handle last returned.
 *
 * timeoutMs == 0 returns at once. Otherwise the call waits until something
 * changed or timeoutMs passed (BW_INFINITE: no timeout); a job already in
 * TRANSFERRED, ERROR, ACKNOWLEDGED or CANCELLED with nothing new returns at
 * once. The wait polls BITS on an internal adaptive interval and sleeps
 * between reads: a change of state is seen within about 50 ms, a change that
 * leaves the state as it was within about 0.5 s (see Cost below).
 *
 * S_OK: status->Changed != 0 (the first poll on a handle reports every group
 * as changed). S_FALSE: nothing changed; *status is the current snapshot.
 * E_POINTER, E_INVALIDARG (cbSize), E_HANDLE (also when the handle is closed
 * during the wait), BG_E_NOT_FOUND (the job is gone), other BITS codes.
 *
 * Cost and freshness. Every read of the job costs one round trip to BITS for
 * its state. A full read adds one for the progress, one for the reply of an
 * upload-reply job and, in ERROR or TRANSIENT_ERROR, one for the error code
 * and context. A read is full on the first poll of a handle, when the state
 * differs from the snapshot last returned on the handle, while the job is
 * CONNECTING or TRANSFERRING, and when the last full read on this handle is
 * 500 ms old or more; any other read (a job that is not moving: queued,
 * suspended, in error, transferred) costs one round trip and repeats the
 * other fields from the last read. What a caller can rely on:
 * - A steady-state poll of a transferring job costs two round trips (state,
 *   progress), three for an upload-reply job.
 * - Reads of a job that is not moving within 500 ms of the last full read
 *   on the handle cost one round trip each. A call that waits on such a job
 *   reads every 10-50 ms, and at most one of its reads in each 500 ms is
 *   full.
 * - A change of state is seen by the first read after it. A change that
 *   leaves the state as it was (bytes moved by QUEUED -> TRANSFERRING ->
 *   QUEUED between two polls, a new error code in ERROR, a file added to a
 *   suspended job) is seen by the first read 500 ms or more after the last
 *   full read, so within about 0.5 s while a call waits; a caller polling
 *   with timeoutMs 0 no more often than every 500 ms gets a full read every
 *   time and so sees every change since its previous poll.
 * - BytesPerSecond is measured over the reads of the last 3 s on the handle
 *   while the job is CONNECTING or TRANSFERRING, at any polling cadence:
 *   once bytes stop moving it falls to 0 within about 3 s, and EtaSeconds is
 *   then -1.
 * Change detection is per handle: two threads polling one handle share it
 * (a change is reported to whichever call sees it first). Use a handle per
 * watcher to have each see every change. */
HRESULT BWAPI BwJobPoll(BW_JOB job, UINT32 timeoutMs, BW_STATUS *status);

/* Waits for the first change of any job in a set: BwJobPoll for many handles
 * in one call, without N sequential waits.
 *
 * jobs: count handles (1..BW_POLL_MANY_MAX). statuses: count BW_STATUS
 * structs, every one with the same published cbSize (that size is also the
 * array's stride, so an older caller's smaller structs work). results: count
 * HRESULTs, one per job: S_OK (that job changed: its status has Changed != 0),
 * S_FALSE (nothing new: its status is its latest snapshot, Changed == 0), or
 * the failure of that job alone (E_HANDLE for a bad, stale or closed handle,
 * BG_E_NOT_FOUND for a job that went away, other BITS codes; its status is
 * zeroed after cbSize). changedCount (optional): how many results are S_OK.
 *
 * Returns S_OK as soon as any job changed or failed (a handle closed by
 * another thread during the wait ends it at once), S_FALSE when timeoutMs
 * passed with nothing new (0: read what is due and return; BW_INFINITE: no
 * timeout), or at once when every job is in a final state. E_POINTER (NULL
 * array), E_INVALIDARG (count 0 or too large, a bad or differing cbSize),
 * E_OUTOFMEMORY: the call failed as a whole and no entry was written.
 *
 * Each handle keeps its own change detection, exactly as if polled alone,
 * and its read schedule across calls. The round-trip rules are BwJobPoll's
 * but for one: a quiet job in a set gets its full read (progress, reply,
 * error code) every 5 s, not every 0.5 s, so a quiet read is one round trip
 * (its state). Which job is read when:
 *  - a job never polled is read at once (and reports every group changed);
 *  - a moving job (CONNECTING, TRANSFERRING) or one that changed in the last
 *    second (a change after its first read) is read on BwJobPoll's adaptive
 *    10-50 ms interval, outside the budget below: it costs what BwJobPoll on
 *    it alone would;
 *  - a job that left the queue (cancelled, completed, gone) is read at once:
 *    in a set of more than 16 live jobs the queue's census (BwQueueOpen's,
 *    shared by the process: a count every 100 ms, a few round trips whatever
 *    the number of jobs; the list when the count moved, and at least every
 *    2 s) tells which. So a job that leaves is seen within about 100-200 ms
 *    at any size of set (a same-count swap within 2 s);
 *  - a quiet job (QUEUED, SUSPENDED, TRANSIENT_ERROR, no recent change) is
 *    read at most every 50 ms, least recently read first (across calls too),
 *    within a budget, on every call whatever else it reports: no job starves,
 *    whatever the caller does between calls. The measured duration of every
 *    quiet read is charged to one budget per process that refills at 10% of
 *    wall time (50 ms burst; one slow read puts it at most 50 ms in debt, so
 *    quiet reads pause for at most about 1 s after it). In a set the census
 *    covers and that has been seen to work, quiet reads are charged
 *    threefold (3% of wall time): they only look for what leaves the count
 *    as it was (a suspend, a resume, a transient error). "Seen to work": the
 *    census found a member that left (Windows: Cancel and Complete take a
 *    job out of the queue at once); it stops for good when a read finds a
 *    member CANCELLED or ACKNOWLEDGED that the census still lists 0.3 s
 *    later (Wine 8's BITS keeps such jobs listed while its transfer thread
 *    is busy);
 *  - a job last seen in a final state (TRANSFERRED, ERROR, ACKNOWLEDGED,
 *    CANCELLED) is not read again by this call; BwJobPoll it to see more.
 * Bounds: a job that leaves the queue, about 2 census periods (above); any
 * other change of a quiet job, one pass over the quiet jobs: their count x
 * (the cost of a read) x 10 (x 33 where the census covers the set), never
 * less than 50 ms, plus up to 1 s after a slow read. A job whose handle
 * another thread is using (a slow call) is skipped, not waited for, and its
 * status is its last read. Measured figures: docs/performance.md.
 * The caller's arrays are read at entry (jobs) and written at return
 * (statuses, results): changing jobs during the call does no harm.
 * A handle that appears twice shares its change detection between the two
 * entries. Thread-safe like BwJobPoll; sets may overlap across threads. */
HRESULT BWAPI BwJobPollMany(const BW_JOB *jobs, UINT32 count, UINT32 timeoutMs,
                            BW_STATUS *statuses, HRESULT *results, UINT32 *changedCount);

/* Bytes and files of the job, read now. Does not touch the poll snapshot.
 * E_POINTER, E_INVALIDARG (cbSize), E_HANDLE, BITS codes. */
HRESULT BWAPI BwJobGetProgress(BW_JOB job, BW_PROGRESS *progress);

/* Reply progress of an upload-reply job, read now.
 * BW_E_NOT_UPLOAD_REPLY: the job is a download or upload job (or the service
 * answered E_NOTIMPL or BytesTotal == 0, both of which BITS uses for that).
 * E_POINTER, E_INVALIDARG (cbSize), E_HANDLE, BITS codes. */
HRESULT BWAPI BwJobGetReplyProgress(BW_JOB job, BW_REPLY_PROGRESS *progress);

/* Acknowledges a transferred job: BITS renames its temporary files to their
 * final names and the job leaves the queue (state ACKNOWLEDGED). Returns
 * BITS' result: S_OK, BG_S_PARTIAL_COMPLETE (a success), BG_E_INVALID_STATE
 * when the job is already acknowledged or cancelled (an upload: not
 * TRANSFERRED); E_HANDLE. The handle stays open. Across a service restart
 * (see Conventions): S_OK when the reopened job is ACKNOWLEDGED (the call
 * ran); 0x800706BE (RPC_S_CALL_FAILED) when the call reached the service as
 * it stopped and the job cannot be found afterwards: it may have run (on
 * Windows an acknowledged job leaves the queue); check its files. */
HRESULT BWAPI BwJobComplete(BW_JOB job);

/* Cancels the job and deletes its temporary files. S_OK,
 * BG_S_UNABLE_TO_DELETE_FILES (a success), BG_E_INVALID_STATE when it is
 * already acknowledged or cancelled; E_HANDLE. The handle stays open.
 * Across a service restart (see Conventions): S_OK when the reopened job is
 * CANCELLED; 0x800706BE when the job cannot be found afterwards (the cancel
 * may have run). */
HRESULT BWAPI BwJobCancel(BW_JOB job);

/* Suspends / resumes the job: S_OK, BITS codes (E_NOTIMPL where the service
 * has no such operation), E_HANDLE. Across a service restart as Complete:
 * judged by the reopened job's state (SUSPENDED; for Resume, out of
 * SUSPENDED and ERROR), 0x800706BE when it cannot be read. */
HRESULT BWAPI BwJobSuspend(BW_JOB job);
HRESULT BWAPI BwJobResume(BW_JOB job);

/* Why the job failed. Works in every state: outside ERROR/TRANSIENT_ERROR,
 * BITS has no error and this returns BG_E_ERROR_INFORMATION_UNAVAILABLE
 * (0x8020000F). Descriptions come from BITS in the thread's language, then
 * en-US, then the system (FormatMessageW), then the library's own table.
 * E_POINTER, E_INVALIDARG (cbSize; the struct is left untouched), E_HANDLE,
 * E_OUTOFMEMORY, BITS codes (the struct is zeroed after cbSize).
 * Call BwFreeError when this returned, whatever it returned: it frees the
 * strings after S_OK and does nothing after a failure. */
HRESULT BWAPI BwJobGetError(BW_JOB job, BW_ERROR *error);

/* Frees the strings of a BW_ERROR that BwJobGetError was given and sets them
 * to NULL, so a second call does nothing. Does nothing when error is NULL or
 * its cbSize is not a published size (BwJobGetError never touched it). Not
 * for a struct that never went through BwJobGetError with this cbSize (its
 * pointers would be freed as they are). */
void BWAPI BwFreeError(BW_ERROR *error);

/* Display name, description, owner, type, priority, times, error count.
 * Properties the service does not implement stay NULL/0; the call succeeds.
 * E_POINTER, E_INVALIDARG (cbSize; the struct is left untouched), E_HANDLE,
 * BITS codes (the struct is zeroed after cbSize).
 * Call BwFreeInfo when this returned, whatever it returned: it frees the
 * strings after S_OK and does nothing after a failure. */
HRESULT BWAPI BwJobGetInfo(BW_JOB job, BW_INFO *info);

/* Frees the strings of a BW_INFO that BwJobGetInfo was given and sets them to
 * NULL, so a second call does nothing. Does nothing when info is NULL or its
 * cbSize is not a published size (BwJobGetInfo never touched it). Not for a
 * struct that never went through BwJobGetInfo with this cbSize. */
void BWAPI BwFreeInfo(BW_INFO *info);

/* The GUIDs of the jobs in the queue: the caller's jobs, or every user's with
 * BW_ENUM_ALL_USERS (administrators only: E_ACCESSDENIED otherwise).
 * *count is set to the number of jobs. ids may be NULL (with capacity 0) to
 * ask for the count; when the jobs do not all fit, the first capacity are
 * written and the result is HRESULT_FROM_WIN32(ERROR_MORE_DATA) (jobs come and
 * go: call again with a larger buffer). S_OK when all fit.
 * E_POINTER: count NULL, or ids NULL with capacity > 0. E_INVALIDARG: unknown
 * flag. */
HRESULT BWAPI BwEnumJobs(UINT32 flags, GUID *ids, UINT32 capacity, UINT32 *count);

/* The queue itself, watched (version 0.2): jobs that arrive and jobs that
 * leave, without a round trip per job.
 *
 * BwQueueOpen opens a view of the queue: the caller's jobs, or with
 * BW_ENUM_ALL_USERS every user's (administrators only: E_ACCESSDENIED). It
 * takes the first census at once. E_POINTER, E_INVALIDARG (unknown flag),
 * BW_E_TOO_MANY_HANDLES, E_OUTOFMEMORY, BITS codes. Close with BwQueueClose.
 *
 * BwQueuePoll waits until the list of jobs differs from the one this handle
 * last reported, or timeoutMs passes (0: look and return; BW_INFINITE: no
 * timeout). S_OK: it changed (status: JobCount now, Added and Removed since
 * the previous poll; the first poll reports every job as Added); S_FALSE:
 * not. E_HANDLE (also when BwQueueClose runs during the wait, which it ends
 * at once), E_POINTER, E_INVALIDARG (cbSize), BITS codes.
 * Costs: the census is shared by every queue handle and BwJobPollMany set
 * of the process. It counts the jobs at most every 100 ms (EnumJobs +
 * GetCount + Release: about 5 round trips whatever the number of jobs) and
 * reads the list (EnumJobs, then about one round trip per 10 jobs for Next
 * and one per job for GetId and Release) only when the count moved, or at
 * least every 2 s: a job that arrives or leaves is seen within about 100 ms
 * (plus the list read); one that leaves while another arrives between two
 * counts (the count unchanged) within 2 s. Where round trips are dear, both
 * periods stretch to 20 (count) and 50 (list) times their measured cost, so
 * the census stays under about 7% of wall time: under Wine 8 with 200 jobs a
 * count took about 5 ms and a list 0.2-0.4 s (tests/census/README.md), so
 * there a same-count swap may take 10-20 s. Wine's BITS also keeps cancelled
 * and acknowledged jobs listed (and counted) while its transfer thread is
 * busy: there a job that leaves is seen when Wine drops it.
 *
 * BwQueueGetJobs copies the GUIDs the last BwQueuePoll reported (after the
 * open, before any poll: those of the first census), in GUID order, by the
 * count / ERROR_MORE_DATA protocol of BwEnumJobs. No round trip. E_POINTER,
 * E_HANDLE.
 *
 * BwQueueClose: S_OK, S_FALSE (NULL), E_HANDLE (closed, stale, a job handle).
 * Thread-safe like the job functions: a queue handle may be polled from
 * several threads (one poll at a time; a close ends every wait). */
HRESULT BWAPI BwQueueOpen(UINT32 flags, BW_QUEUE *queue);
HRESULT BWAPI BwQueuePoll(BW_QUEUE queue, UINT32 timeoutMs, BW_QUEUE_STATUS *status);
HRESULT BWAPI BwQueueGetJobs(BW_QUEUE queue, GUID *ids, UINT32 capacity, UINT32 *count);
HRESULT BWAPI BwQueueClose(BW_QUEUE queue);

/* Text for any HRESULT: BITS codes with their symbolic name ("BG_E_NOT_FOUND:
 * The requested job was not found."), HTTP codes (0x8019xxxx) as "HTTP 404 Not
 * Found", the library's own codes, and Win32/COM codes through the system's
 * message table (FormatMessageW), however long the system's text. Never empty.
 * buffer may be NULL when cch is 0 (to ask for the size). *needed (which may
 * be NULL) is set to the UTF-16 units the whole text needs, its NUL included.
 * S_OK: written. HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER): cch was too
 * small; buffer holds as much as fits, NUL-terminated when cch > 0, cut before
 * a surrogate pair that does not fit whole (never half of one).
 * E_POINTER: buffer NULL with cch > 0. */
HRESULT BWAPI BwFormatMessage(HRESULT hr, WCHAR *buffer, UINT32 cch, UINT32 *needed);

/* The name of a BW_STATE_* value: "Queued", "Connecting", "Transferring",
 * "Suspended", "Error", "TransientError", "Transferred", "Acknowledged",
 * "Cancelled"; "Unknown" for any other value. Static text: never NULL, never
 * freed. */
const WCHAR *BWAPI BwStateName(UINT32 state);

/* ---- Presentation: what the CLI and the module show, in one place --------
 * The names below are stable identifiers (BITS' BG_* names in PascalCase,
 * the CLI's JSON uses them as they are). Static text: never NULL, never
 * freed. */

/* BW_STATE_FLAG_* of a BW_STATE_* value; 0 for any other value. */
UINT32 BWAPI BwStateFlags(UINT32 state);
/* "Download", "Upload", "UploadReply"; "Unknown" for any other value. */
const WCHAR *BWAPI BwTypeName(UINT32 type);
/* "Foreground", "High", "Normal", "Low"; "Unknown" for BW_PRIORITY_UNKNOWN
 * and any other value. */
const WCHAR *BWAPI BwPriorityName(UINT32 priority);
/* "None", "Unknown", "GeneralQueueManager", "QueueManagerNotification",
 * "LocalFile", "RemoteFile", "GeneralTransport", "RemoteApplication",
 * "ServerCertificateCallback"; "Unknown" for any other value. */
const WCHAR *BWAPI BwContextName(UINT32 context);

/* The three below fill a caller's buffer with BwFormatMessage's rules:
 * buffer may be NULL when cch is 0; *needed (may be NULL) is set to the
 * units the whole text needs, NUL included; S_OK, or
 * HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) with as much as fits
 * (NUL-terminated when cch > 0, never half a surrogate pair); E_POINTER for
 * a NULL buffer with cch > 0. */

/* Text that came from BITS (names, descriptions, error text, URLs: anyone
 * who can make a job chooses them) made safe to show on one line of a
 * terminal: whole escape sequences removed as a terminal would parse them
 * (ECMA-48 CSI, OSC/DCS/SOS/PM/APC up to BEL or ST, ESC and one character;
 * the C1 forms too), other control characters and the bidirectional
 * overrides/embeddings/isolates and LRM/RLM dropped, runs of tabs, CR, LF
 * and spaces made one space, leading and trailing ones removed. text NULL is
 * the empty text. */
HRESULT BWAPI BwCleanText(const WCHAR *text, WCHAR *buffer, UINT32 cch, UINT32 *needed);
/* A byte count for people: "0 B" .. "1023 B", then one decimal and the
 * 1,024-based unit: "1.0 KB", "40.0 MB", up to "16.0 EB"; the decimal point
 * is always "." (no locale). BW_SIZE_UNKNOWN gives "unknown". */
HRESULT BWAPI BwFormatBytes(UINT64 bytes, WCHAR *buffer, UINT32 cch, UINT32 *needed);
/* A duration for people, from whole seconds: "0:42", "12:05" under an
 * hour, "3:04:05" under a day, "2d 03:04:05" from a day on. */
HRESULT BWAPI BwFormatDuration(UINT64 seconds, WCHAR *buffer, UINT32 cch, UINT32 *needed);

#if !defined(_WIN32) && defined(__GNUC__)
#pragma GCC visibility pop
#endif

/* ---- Why a job is stuck (version 0.3) --------------------------------- */
/* What the library reads beyond the poll (BwJobGetDetails) and the
 * diagnosis built on it (BwJobDiagnose). Neither is meant for a watch loop:
 * each costs several round trips (stated below); call them when a person
 * asks "why". */

/* BW_DETAILS.Known: which groups the service answered. A group whose bit is
 * clear is unknown (the service does not implement it, or answers a fixed
 * stand-in value, as Wine does: see docs/api.md) and its fields are 0/NULL:
 * never a guess. */
#define BW_KNOWN_RETRY_DELAY 0x1u        /* MinimumRetryDelay */
#define BW_KNOWN_NO_PROGRESS_TIMEOUT 0x2u /* NoProgressTimeout */
#define BW_KNOWN_PROXY 0x4u              /* ProxyUsage, ProxyList, ProxyBypassList */
#define BW_KNOWN_FILES 0x8u              /* FileCount, Files */
#define BW_KNOWN_COST_FLAGS 0x10u        /* CostFlags (IBackgroundCopyJob5, BITS 5.0) */

/* BW_DETAILS.ProxyUsage: the values of BITS' BG_JOB_PROXY_USAGE. */
#define BW_PROXY_PRECONFIG 0  /* the owner's Internet settings */
#define BW_PROXY_NO_PROXY 1
#define BW_PROXY_OVERRIDE 2   /* ProxyList / ProxyBypassList */
#define BW_PROXY_AUTODETECT 3

/* One file of a job (version 0.3): an element of BW_DETAILS.Files. */
typedef struct BW_FILE {
    UINT64 BytesTotal;          /* BW_SIZE_UNKNOWN until the server said */
    UINT64 BytesTransferred;
    UINT32 Completed;           /* 1: the whole file is transferred */
    UINT32 Reserved;            /* zero */
    WCHAR *RemoteName;          BW_PTR_PAD(Pad0) /* URL or UNC path; NULL if unreadable */
    WCHAR *LocalName;           BW_PTR_PAD(Pad1) /* local path; NULL if unreadable */
} BW_FILE;

/* The job's transfer settings and files, from BwJobGetDetails (version 0.3).
 * Free with BwFreeDetails. */
typedef struct BW_DETAILS {
    UINT32 cbSize;              /* in: sizeof(BW_DETAILS) */
    UINT32 Known;               /* BW_KNOWN_* */
    UINT32 MinimumRetryDelay;   /* seconds BITS waits after a transient error */
    UINT32 NoProgressTimeout;   /* seconds without progress before ERROR */
    UINT32 ProxyUsage;          /* BW_PROXY_* */
    UINT32 CostFlags;           /* BITS_COST_STATE_* networks the job may use */
    UINT32 FileCount;           /* entries of Files */
    UINT32 Reserved;            /* zero */
    WCHAR *ProxyList;           BW_PTR_PAD(Pad0) /* NULL unless set */
    WCHAR *ProxyBypassList;     BW_PTR_PAD(Pad1) /* NULL unless set */
    BW_FILE *Files;             BW_PTR_PAD(Pad2) /* FileCount files, newest
                                   first as BITS lists them; NULL when none */
} BW_DETAILS;

/* Verdicts of BwJobDiagnose (version 0.3). BwVerdictName names them. */
#define BW_VERDICT_UNKNOWN 0         /* no rule recognises the situation */
#define BW_VERDICT_MOVING 1          /* connecting or transferring: nothing wrong */
#define BW_VERDICT_FINISHED 2        /* acknowledged or cancelled: nothing to do */
#define BW_VERDICT_SUSPENDED 3       /* suspended (since creation: never resumed) */
#define BW_VERDICT_NOT_COMPLETED 4   /* transferred; its owner never called Complete */
#define BW_VERDICT_RETRY_WAIT 5      /* transient error, waiting to retry */
#define BW_VERDICT_QUEUED_BEHIND 6   /* queued behind jobs that are transferring */
#define BW_VERDICT_QUEUED_IDLE 7     /* queued with nothing ahead (owner logged
                                        off, no network, policy, cost) */
#define BW_VERDICT_REMOTE_ERROR 8    /* the server refused the file (404, 401, ...) */
#define BW_VERDICT_PROXY_ERROR 9     /* the proxy refused (407) */
#define BW_VERDICT_NO_RANGE_SUPPORT 10 /* the server cannot serve ranges */
#define BW_VERDICT_LOCAL_ERROR 11    /* the local file or disk failed */
#define BW_VERDICT_ERROR 12          /* another error BITS will not retry */
#define BW_VERDICT_CONNECTING_LONG 13 /* connecting for a long time */
#define BW_VERDICT_STALLED 14        /* transferring, but no bytes move */
#define BW_VERDICT_OWNER_LOGGED_OFF 15 /* queued: its owner has no session (Windows) */
#define BW_VERDICT_MAX 15

/* BwJobDiagnose flags. */
#define BW_DIAGNOSE_NO_QUEUE 0x1u /* do not look at the other jobs (a queued
                                     job's verdict is then QUEUED_IDLE at best) */

/* A diagnosis, from BwJobDiagnose (version 0.3). The three strings are never
 * NULL; free them with BwFreeDiagnosis. */
typedef struct BW_DIAGNOSIS {
    UINT32 cbSize;              /* in: sizeof(BW_DIAGNOSIS) */
    UINT32 Verdict;             /* BW_VERDICT_* */
    UINT32 State;               /* BW_STATE_* at the read */
    UINT32 RoundTrips;          /* backend reads this diagnosis made (see BwJobDiagnose) */
    UINT64 Timestamp;           /* FILETIME (UTC) of the read */
    UINT64 Since;               /* FILETIME since when the verdict holds; 0 unknown */
    UINT64 Due;                 /* FILETIME of what BITS does next by itself (the
                                   retry, the move to ERROR, the cancel of an
                                   uncompleted job); 0 none or unknown */
    HRESULT ErrorCode;          /* as BW_STATUS */
    UINT32 ErrorContext;
    WCHAR *Explanation;         BW_PTR_PAD(Pad0) /* one line: what is going on */
    WCHAR *Evidence;            BW_PTR_PAD(Pad1) /* "Name: value" lines joined by
                                   "\n" (no trailing one); a value the service
                                   does not give reads "unknown" */
    WCHAR *Action;              BW_PTR_PAD(Pad2) /* one line: what to do */
} BW_DIAGNOSIS;

#if !defined(_WIN32) && defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* The job's retry delay, no-progress timeout, proxy settings, files (remote
 * and local names, bytes, completeness) and, with BITS 5.0, its cost flags.
 * A group the service does not implement is left 0/NULL with its
 * BW_KNOWN_* bit clear; the call still succeeds. E_POINTER, E_INVALIDARG
 * (cbSize; the struct is left untouched), E_HANDLE, E_OUTOFMEMORY, BITS codes
 * (the struct is zeroed after cbSize). Call BwFreeDetails afterwards,
 * whatever this returned. Cost, counted from the calls made: about 6 round
 * trips (retry delay, timeout, proxy, EnumFiles, its release, the Job5
 * query) + 4 per file (names, progress, release) + 1 per 16 files (Next)
 * + 2 with BITS 5.0 (the property, a release). */
HRESULT BWAPI BwJobGetDetails(BW_JOB job, BW_DETAILS *details);

/* Frees what BwJobGetDetails put in details (the proxy strings, the files
 * and their names) and clears those fields; a second call does nothing.
 * Does nothing when details is NULL or its cbSize is not a published size. */
void BWAPI BwFreeDetails(BW_DETAILS *details);

/* Why the job is where it is: reads the job (state, progress, error, times,
 * owner, priority, BwJobGetDetails' settings and files; for a QUEUED job,
 * unless BW_DIAGNOSE_NO_QUEUE, the state of every other job in the queue and
 * the properties of those transferring) and matches it against the library's
 * rule table, the same for every caller. flags: BW_DIAGNOSE_*.
 * Stalls are judged from this handle's own reads (BwJobPoll, BwJobPollMany,
 * earlier diagnoses): a TRANSFERRING job whose bytes have not moved in the
 * 5 s or more this handle has watched it is STALLED; a handle that has not
 * watched the job that long cannot say (poll it, wait, diagnose again).
 * Does not touch the poll snapshot (change detection is unaffected).
 * S_OK; E_POINTER, E_INVALIDARG (cbSize or flags), E_HANDLE, BG_E_NOT_FOUND,
 * E_OUTOFMEMORY, BITS codes. Call BwFreeDiagnosis afterwards, whatever this
 * returned. Cost (RoundTrips counts the backend reads): state, progress,
 * properties, details, and the error in an error state: 4-5 reads, in COM
 * round trips about 16 + 4 per file (+ about 10 for the error with its
 * texts and file); for a QUEUED job add the enumeration and, per other job,
 * an open and a state read (3-4 round trips), and the properties (7) of each
 * one transferring. A poll costs 1-2: do not diagnose in a watch loop. */
HRESULT BWAPI BwJobDiagnose(BW_JOB job, UINT32 flags, BW_DIAGNOSIS *diagnosis);

/* Frees the strings of a BW_DIAGNOSIS and sets them to NULL. Does nothing
 * when diagnosis is NULL or its cbSize is not a published size. */
void BWAPI BwFreeDiagnosis(BW_DIAGNOSIS *diagnosis);

/* The name of a BW_VERDICT_* value: "Unknown", "Moving", "Finished",
 * "Suspended", "NotCompleted", "RetryWait", "QueuedBehind", "QueuedIdle",
 * "RemoteError", "ProxyError", "NoRangeSupport", "LocalError", "Error",
 * "ConnectingLong", "Stalled", "OwnerLoggedOff"; "Unknown" for any other
 * value. Static text,
 * never NULL. */
const WCHAR *BWAPI BwVerdictName(UINT32 verdict);

#if !defined(_WIN32) && defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* BITSWATCH_H */
