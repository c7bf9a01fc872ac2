/*
 * bw_core.h - internal interfaces of the portable core (no COM, no Windows).
 * Internal names carry the bw__ prefix.
 */
#ifndef BW_CORE_H
#define BW_CORE_H

#include <stdatomic.h>
#include <stddef.h>

#include "bitswatch.h"
#include "bw_backend.h"
#include "bw_platform.h"
#include "bw_test.h"

/* WCHAR literals: L"" where WCHAR is wchar_t (Windows), u"" in the native build. */
#ifdef _WIN32
#define BW_W(s) L##s
#else
#define BW_W(s) u##s
#endif

/* ---- wstr.c: UTF-16 helpers ---------------------------------------------- */
/* Length of s in UTF-16 units, looking at most max units (returns max if no NUL). */
size_t bw__wcsnlen(const WCHAR *s, size_t max);
/* Appends ASCII text to buf at *len (capacity cch, NUL kept); counts what did
 * not fit in *len too, so *len + 1 is the size the whole text needs. Where the
 * text is cut, a surrogate pair is never split: the cut moves before it. */
void bw__append_ascii(WCHAR *buf, UINT32 cch, UINT32 *len, const char *text);
void bw__append_wide(WCHAR *buf, UINT32 cch, UINT32 *len, const WCHAR *text);
/* malloc'd copies (free()); NULL when out of memory or text is NULL. */
WCHAR *bw__wcsdup(const WCHAR *text);
WCHAR *bw__wcsdup_ascii(const char *text);

/* ---- guid_parse.c ------------------------------------------------------- */
/* Parses 8-4-4-4-12 hex GUID text, braces optional (both or neither), nothing
 * else. Reads at most 39 units of text. Returns 1 on success, 0 otherwise. */
int bw__guid_parse(const WCHAR *text, GUID *out);

/* ---- struct_size.c ------------------------------------------------------ */
/* 1 when cb is a published size of the struct (every version's size). */
int bw__status_size_ok(UINT32 cb);
int bw__queue_status_size_ok(UINT32 cb);
int bw__progress_size_ok(UINT32 cb);
int bw__reply_progress_size_ok(UINT32 cb);
int bw__error_size_ok(UINT32 cb);
int bw__info_size_ok(UINT32 cb);
int bw__details_size_ok(UINT32 cb);   /* version 0.3 */
int bw__diagnosis_size_ok(UINT32 cb); /* version 0.3 */
/* The start of every call with an out-struct: E_POINTER when out is NULL,
 * E_INVALIDARG when its cbSize is not one size_ok accepts; otherwise clears
 * the struct (its cbSize kept), stores that size in *cb and returns S_OK. */
HRESULT bw__out_struct_begin(void *out, int (*size_ok)(UINT32 cb), UINT32 *cb);

/* ---- rate.c: smoothed transfer rate and ETA -------------------------------- */
/* The 3 s window in samples at least 100 ms apart, the sample before the
 * window and the provisional newest (rate.c asserts that they fit). */
#define BW__RATE_SAMPLES 32
typedef struct bw__rate {
    UINT64 ms[BW__RATE_SAMPLES];    /* monotonic time of each sample */
    UINT64 bytes[BW__RATE_SAMPLES]; /* BytesTransferred at that time */
    unsigned count;                 /* samples held (oldest first at head) */
    unsigned head;
} bw__rate;

void bw__rate_reset(bw__rate *r);
/* Adds an observation at any cadence (reads closer than 100 ms replace the
 * newest); trims the 3 s window; restarts it when bytes went backwards. */
void bw__rate_add(bw__rate *r, UINT64 now_ms, UINT64 bytes);
/* Bytes per second over the window ending at now_ms; 0 when unknown. */
double bw__rate_get(const bw__rate *r, UINT64 now_ms);
/* Seconds left; -1 when unknown (rate 0 or total unknown). */
INT64 bw__eta_seconds(double rate, UINT64 total, UINT64 transferred);

/* ---- clock.c, lazy.c ------------------------------------------------------ */
/* The core's one clock, in milliseconds: the platform's monotonic clock, or a
 * test's (bw_test.h). Every schedule and deadline is measured in it. */
UINT64 bw__now_ms(void);
/* Wall-clock FILETIME (UTC) for judging BITS' own times: the platform's,
 * or under a test clock BW_TEST_EPOCH_FT + the test clock's milliseconds,
 * so a test can place a job's times relative to "now". */
UINT64 bw__now_wall_ft(void);
/* An object made on first use, once (under the table lock), published with
 * release/acquire so every thread sees it whole; never freed. NULL when out
 * of memory (a later call tries again). */
bw__mutex *bw__lazy_mutex(_Atomic(bw__mutex *) *slot);
bw__cond *bw__lazy_cond(_Atomic(bw__cond *) *slot);

/* ---- poll.c: the poll engine ------------------------------------------------ */
typedef struct bw__snapshot {
    UINT32 state;
    bw__progress progress;
    UINT64 reply_total, reply_transferred;
    HRESULT error_code;
    UINT32 error_context;
} bw__snapshot;

/* Per-handle poll state, guarded by the handle's call (bw__call_enter). */
typedef struct bw__watch {
    int has_last;          /* a snapshot has been returned */
    bw__snapshot last;
    UINT64 sequence;
    UINT32 interval_ms;    /* current adaptive wait interval */
    UINT64 full_read_ms;   /* bw__now_ms() of the last full read */
    bw__rate rate;
    /* Movement as this handle saw it (every read, diagnoses too): when it
     * first read the job, when BytesTransferred last differed, and its
     * value then. BwJobDiagnose judges stalls from these. */
    int seen;
    UINT64 seen_first_ms, seen_moved_ms, seen_bytes;
} bw__watch;

/* Notes a read's BytesTransferred in the handle's movement record (call
 * held). */
void bw__watch_note_bytes(bw__watch *w, UINT64 now_ms, UINT64 bytes);

/* What the last read of a handle left for those who do not hold its call
 * (BwJobPollMany's schedule, and the status of a member it did not read):
 * guarded by the handle's wait lock, never by its call, so reading it never
 * waits for another thread's BITS call. */
typedef struct bw__published {
    int read;                /* the handle has been read at least once */
    bw__snapshot last;       /* the snapshot last returned */
    UINT64 sequence;
    UINT32 interval_ms;      /* the adaptive interval after that read */
    UINT64 read_ms;          /* bw__now_ms() of the last read */
    UINT64 read_ft;          /* FILETIME of the last read */
    int changed_since_first; /* a read after the first one saw a change */
    UINT64 change_ms;        /* bw__now_ms() of the last change */
    double bytes_per_second; /* the rate at the last read */
} bw__published;

/* One read of a handle: what was read, what changed, when. */
typedef struct bw__read {
    bw__snapshot s;
    UINT32 changed;          /* BW_CHANGED_*, 0 when nothing new */
    UINT64 ms, ft;           /* bw__now_ms() and FILETIME of the read */
    double bytes_per_second; /* the rate right after it */
} bw__read;

/* Which groups differ (BW_CHANGED_*). */
UINT32 bw__snapshot_diff(const bw__snapshot *a, const bw__snapshot *b);
/* The longest an idle job's same-state change (bytes that moved and came
 * back, a new error code, a file added) goes unseen: BwJobPoll re-reads in
 * full when its last full read is this old. */
#define BW__FULL_READ_MS 500u
/* The same for a quiet job in a BwJobPollMany set: its reads come about one
 * pass over the set apart, so a 0.5 s period would make every quiet read
 * cost two round trips and halve how many jobs the read budget covers; state
 * changes (a cancel, a resume) are seen by the one-round-trip read either
 * way. */
#define BW__SET_FULL_READ_MS 5000u
/* BwJobPoll's adaptive wait. */
#define BW__WAIT_MIN_MS 10u /* first wait after a read that saw something new */
#define BW__WAIT_MAX_MS 50u /* a change is seen within about this */
/* States in which BwJobPoll returns at once when nothing changed. */
int bw__state_is_final(UINT32 state);
/* States in which bytes can change without the state changing (CONNECTING,
 * TRANSFERRING): progress is read, and the rate measured, only in these. */
int bw__state_is_moving(UINT32 state);

typedef struct bw__handle_data bw__handle_data;
/* The locked read, shared by BwJobPoll and BwJobPollMany: the caller holds
 * the handle's call. Reads the job (full when due after full_period_ms),
 * compares it with the last snapshot, updates the watch, the rate and the
 * published state. S_OK changed, S_FALSE not, E_HANDLE when the handle
 * closed (before or during the read), or the read's failure. */
HRESULT bw__poll_read(bw__handle_data *d, UINT32 full_period_ms, bw__read *r);
/* The handle's next wait after a read that saw nothing new (call held): the
 * current interval, which then doubles up to BW__WAIT_MAX_MS. */
UINT32 bw__backoff(bw__handle_data *d);
/* Fills a caller's BW_STATUS (its cbSize already checked) from a read. */
void bw__status_fill(BW_STATUS *st, UINT32 type, UINT64 sequence, const bw__read *r,
                     UINT32 changed);

/* ---- handles.c: slot + generation handles -------------------------------- */
typedef struct bw__slot bw__slot;

/* What a handle is. */
#define BW__KIND_JOB 1u
#define BW__KIND_QUEUE 2u

typedef struct bw__queue bw__queue; /* census.c */

/* What a handle refers to. */
struct bw__handle_data {
    UINT32 kind;          /* BW__KIND_*; fixed while the handle lives */
    /* The wait lock: guards 'closing', 'busy', 'pub'; never held across a
     * backend call, so taking it never waits for BITS. */
    bw__mutex *wait_lock;
    bw__cond *wake;       /* broadcast when the handle closes */
    bw__cond *call_free;  /* signalled when the handle's call ends */
    int closing;          /* set by BwJobClose: waits end, calls fail */
    int busy;             /* the call: one thread at a time reads or controls the job */
    bw__bjob *bjob;       /* backend job, released when the last user leaves */
    bw__queue *queue;     /* BW__KIND_QUEUE: its state, freed likewise */
    UINT32 type;          /* BW_TYPE_*, read at open */
    GUID id;              /* the job's GUID (the census finds members by it) */
    bw__watch watch;      /* guarded by the call */
    bw__published pub;    /* guarded by the wait lock */
};

/* Makes a handle of 'kind' for an opened backend job or a queue (takes
 * ownership of bjob / queue only on success): S_OK, BW_E_TOO_MANY_HANDLES,
 * E_OUTOFMEMORY. */
HRESULT bw__handle_create(UINT32 kind, bw__bjob *bjob, bw__queue *queue, UINT32 type,
                          const GUID *id, BW_JOB *out);
/* Takes a reference on a live handle of that kind: NULL for a closed, stale
 * or forged handle, or one of the other kind. Pair with bw__handle_release. */
bw__handle_data *bw__handle_acquire(BW_JOB h, UINT32 kind);
void bw__handle_release(BW_JOB h, bw__handle_data *d);
/* S_OK, S_FALSE (NULL), E_HANDLE (also for the other kind). Never waits for a
 * call in flight. */
HRESULT bw__handle_close(BW_JOB h, UINT32 kind);
/* 1 once the handle was closed (takes the wait lock briefly). */
int bw__handle_closing(bw__handle_data *d);
/* Sleeps up to ms unless or until the handle closes; 1 when it is closing.
 * Call without holding the handle's call. */
int bw__handle_wait(bw__handle_data *d, UINT32 ms);
/* The handle's call: one reader or controller of the job at a time. Waiting
 * for it ends when the handle closes (E_HANDLE), so a close is never stuck
 * behind another thread's slow BITS call. */
HRESULT bw__call_enter(bw__handle_data *d);
/* S_OK: entered. S_FALSE: another thread is in a call (nothing waited).
 * E_HANDLE: closed. */
HRESULT bw__call_try_enter(bw__handle_data *d);
void bw__call_leave(bw__handle_data *d);
/* The published state, copied under the wait lock. */
void bw__handle_published(bw__handle_data *d, bw__published *out);
/* Runs op on a live job handle inside its call: op's result, or E_HANDLE for
 * a closed, stale or forged handle. */
typedef HRESULT (*bw__job_op)(bw__handle_data *d, void *arg);
HRESULT bw__with_job(BW_JOB h, bw__job_op op, void *arg);
/* The close epoch: changes whenever any handle is closed. */
UINT64 bw__close_epoch(void);
/* Sleeps up to ms unless the close epoch differs from 'epoch' or changes
 * meanwhile (a handle was closed): the set's and the queue's wait. */
void bw__handle_wait_any(UINT64 epoch, UINT32 ms);

/* ---- census.c: the queue's census ------------------------------------------ */
/* How often the count is asked (EnumJobs + GetCount: a few round trips,
 * whatever the number of jobs). */
#define BW__CENSUS_MS 100u
/* The whole list is read at least this often even when the count stays
 * (or every 50 times its measured cost, if longer): the bound on how long a
 * same-count swap (one job left, another arrived between two counts) goes
 * unseen. The count's period likewise stretches to 20 times its cost. */
#define BW__CENSUS_LIST_MS 2000u
/* Brings the census of 'flags' up to date when it is BW__CENSUS_MS old (one
 * thread asks; the others use what it found) and returns its generation,
 * which changes whenever the list of jobs changed. 0 when the backend cannot
 * count (*hr says why). */
UINT64 bw__census_tick(UINT32 flags, HRESULT *hr);
/* The census' sorted list, malloc'd (free()), and its generation and time. */
HRESULT bw__census_list(UINT32 flags, GUID **ids, UINT32 *count, UINT64 *generation,
                        UINT64 *filetime);
/* 1 when id is in the sorted list. */
int bw__guid_in(const GUID *id, const GUID *sorted, UINT32 count);
/* Frees a queue handle's state (the last reference went). */
void bw__queue_free(bw__queue *q);

/* ---- poll_many.c ------------------------------------------------------------ */
/* Quiet reads may put the process' read budget at most this far in debt, so
 * one slow read (a reconnect inside it) stops quiet reads for at most
 * (BW__BUDGET_BURST_MS + this) / duty: 1 s at 10%. */
#define BW__BUDGET_BURST_MS 50u
#define BW__BUDGET_DEBT_MAX_MS 50u

/* ---- format_message.c ------------------------------------------------------ */
/* Appends the text for hr (never empty) at *len, as bw__append_ascii does. */
void bw__format_message(HRESULT hr, WCHAR *buf, UINT32 cch, UINT32 *len);
/* The same text, malloc'd (free()); NULL when out of memory. */
WCHAR *bw__format_message_dup(HRESULT hr);

/* ---- trace.c: the opt-in trace ------------------------------------------------ */
/* BITSWATCH_TRACE=1 (or "debug"): lines go to the debugger
 * (OutputDebugStringW's channel: DebugView, WinDbg); any other value is a
 * file the lines are appended to; unset, empty or 0: off. Read once, at the
 * first trace point reached. Off, a trace point costs one atomic load. */
int bw__trace_enabled(void);
void bw__trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define BW_TRACE(...)                 \
    do {                              \
        if (bw__trace_enabled())      \
            bw__trace(__VA_ARGS__);   \
    } while (0)
/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" into buf (39 bytes). */
const char *bw__guid_text(const GUID *id, char *buf);

/* ---- diagnose.c, diagnose_rules.c: BwJobDiagnose ---------------------------- */
/* Bytes not moving for this long, as the handle watched, is a stall. */
#define BW__STALL_MS 5000u
/* CONNECTING for this long (from the job's modification time, or as the
 * handle watched) is worth a verdict of its own. */
#define BW__CONNECTING_LONG_MS 60000u
/* BITS' defaults (Microsoft's documentation): the JobInactivityTimeout
 * policy after which an uncompleted job is cancelled. */
#define BW__INACTIVITY_DEFAULT_S (90u * 24u * 3600u)

/* A job ahead of the diagnosed one in the queue. */
typedef struct bw__ahead {
    GUID id;
    UINT32 state, priority;
    int priority_known;
    WCHAR *name; /* malloc'd; NULL when none */
} bw__ahead;
#define BW__AHEAD_MAX 8u

/* Everything a rule may look at (diagnose.c gathers it). */
typedef struct bw__facts {
    UINT64 now_ft;               /* bw__now_wall_ft() at the read */
    UINT32 state, type;
    bw__progress progress;
    HRESULT error_code;
    UINT32 error_context;
    int info_ok;                 /* info read (times may still be 0: unknown) */
    bw__info info;
    int details_ok;
    bw__details details;
    int watched;                 /* the handle has a movement record */
    UINT64 watched_ms, still_ms; /* how long watched; how long bytes stood still */
    int queue_known;             /* the other jobs were looked at */
    UINT32 queue_jobs;           /* other jobs in the queue */
    UINT32 ahead_count;          /* of them CONNECTING or TRANSFERRING */
    bw__ahead ahead[BW__AHEAD_MAX];
} bw__facts;

/* One row of the rule table: the first row whose states include the job's
 * state, whose code (0: any) and context (0: any) match, and whose 'when'
 * (NULL: always) holds gives the verdict. Texts are templates: diagnose.c
 * replaces {state} {age} {code} {url} {local} {retry_in} {give_up_in}
 * {cancel_in} {ahead} {still} {proxy} {owner} {cost} {for_created} {for_still}. */
typedef struct bw__rule {
    const char *name;            /* stable id, for tests and docs */
    UINT32 verdict;              /* BW_VERDICT_* */
    UINT32 states;               /* 1u << BW_STATE_* */
    HRESULT code;
    UINT32 context;
    int (*when)(const bw__facts *f);
    UINT64 (*since)(const bw__facts *f); /* NULL: unknown */
    UINT64 (*due)(const bw__facts *f);   /* NULL: none */
    const char *explanation;
    const char *action;
} bw__rule;

extern const bw__rule bw__rules[];
extern const unsigned bw__rule_count;
/* Helpers the rules share (diagnose_rules.c). */
UINT64 bw__retry_due(const bw__facts *f);  /* 0 unknown */
UINT64 bw__give_up_due(const bw__facts *f);

#endif /* BW_CORE_H */
