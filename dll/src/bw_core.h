/*
 * bw_core.h - internal interfaces of the portable core (no COM, no Windows).
 * Internal names carry the bw__ prefix.
 */
#ifndef BW_CORE_H
#define BW_CORE_H

#include <stddef.h>

#include "bitswatch.h"
#include "bw_backend.h"
#include "bw_platform.h"

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
int bw__progress_size_ok(UINT32 cb);
int bw__reply_progress_size_ok(UINT32 cb);
int bw__error_size_ok(UINT32 cb);
int bw__info_size_ok(UINT32 cb);
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

/* ---- poll.c: snapshots and change detection ------------------------------- */
typedef struct bw__snapshot {
    UINT32 state;
    bw__progress progress;
    UINT64 reply_total, reply_transferred;
    HRESULT error_code;
    UINT32 error_context;
} bw__snapshot;

/* Per-handle poll state (guarded by the handle's lock). */
typedef struct bw__watch {
    int has_last;          /* a snapshot has been returned */
    bw__snapshot last;
    UINT64 sequence;
    UINT32 interval_ms;    /* current adaptive wait interval */
    UINT64 full_read_ms;   /* bw__clock_ms() of the last full read (poll.c) */
    bw__rate rate;
} bw__watch;

/* The monotonic clock of poll_once: the time of each read, which the rate
 * and the full-read period are measured in. Always bw__now_ms in the
 * product. TEST ONLY: unit tests point it at a clock of their own to make
 * time pass without sleeping (set it while no other thread polls, and put
 * bw__now_ms back). BwJobPoll's wait still times its timeout with
 * bw__now_ms, so a test clock is meant for polls with timeoutMs 0. */
extern UINT64 (*bw__clock_ms)(void);

/* Which groups differ (BW_CHANGED_*). */
UINT32 bw__snapshot_diff(const bw__snapshot *a, const bw__snapshot *b);
/* The longest an idle job's same-state change (bytes that moved and came
 * back, a new error code, a file added) goes unseen: BwJobPoll re-reads in
 * full when its last full read is this old. */
#define BW__FULL_READ_MS 500u
/* The same for a quiet job in a BwJobPollMany set: its reads come about one
 * pass over the set apart (seconds for hundreds of jobs under a slow
 * service), so a 0.5 s period would make every quiet read cost two round
 * trips and halve how many jobs the read budget covers; state changes (a
 * cancel, a resume) are seen by the one-round-trip read either way. */
#define BW__SET_FULL_READ_MS 5000u
/* Reads the job through the backend at now_ms (bw__clock_ms): the state, and
 * everything else only when the previous snapshot cannot stand for it or the
 * last full read is full_period_ms old (see poll.c and BwJobPoll in
 * bitswatch.h). Groups not read are copied from w->last. Records a full read
 * in w. */
HRESULT bw__snapshot_read(const bw__backend *be, bw__bjob *job, UINT32 type, bw__watch *w,
                          UINT64 now_ms, UINT32 full_period_ms, bw__snapshot *out);
/* States in which BwJobPoll returns at once when nothing changed. */
int bw__state_is_final(UINT32 state);
/* States in which bytes can change without the state changing (CONNECTING,
 * TRANSFERRING): progress is read, and the rate measured, only in these. */
int bw__state_is_moving(UINT32 state);

/* ---- handles.c: slot + generation handles -------------------------------- */
typedef struct bw__slot bw__slot;

/* What a handle refers to; guarded by 'lock' unless said otherwise. */
typedef struct bw__handle_data {
    bw__mutex *lock;      /* the call lock: held across backend calls */
    bw__mutex *wait_lock; /* guards 'closing' and 'wake'; never held across a backend call */
    bw__cond *wake;       /* broadcast when the handle closes */
    int closing;          /* set (under wait_lock) by BwJobClose: waits end, calls fail */
    bw__bjob *bjob;       /* backend job, released when the last user leaves */
    UINT32 type;          /* BW_TYPE_*, read at open */
    bw__watch watch;
    /* When this handle last read its job (monotonic ms, FILETIME) and last
     * saw a change (ms): BwJobPollMany's schedule and the Timestamp of a
     * status it fills without reading. */
    UINT64 last_read_ms, last_read_ft, last_change_ms;
} bw__handle_data;

/* Makes a handle for an opened backend job (takes ownership of bjob only on
 * success): S_OK, BW_E_TOO_MANY_HANDLES, E_OUTOFMEMORY. */
HRESULT bw__handle_create(bw__bjob *bjob, UINT32 type, BW_JOB *out);
/* Takes a reference on a live handle's data: NULL for a closed, stale or
 * forged handle. Pair with bw__handle_release. */
bw__handle_data *bw__handle_acquire(BW_JOB h);
void bw__handle_release(BW_JOB h, bw__handle_data *d);
/* S_OK, S_FALSE (NULL), E_HANDLE. Never waits for a call in flight. */
HRESULT bw__handle_close(BW_JOB h);
/* 1 once BwJobClose has run on the handle (takes the wait lock briefly). */
int bw__handle_closing(bw__handle_data *d);
/* Sleeps up to ms, without any lock held, unless or until the handle closes;
 * returns 1 when it is closing. Call without the wait lock held. */
int bw__handle_wait(bw__handle_data *d, UINT32 ms);
/* Runs op on a live handle with its call lock held (one call at a time per
 * job): op's result, or E_HANDLE for a closed, stale or forged handle. */
typedef HRESULT (*bw__job_op)(bw__handle_data *d, void *arg);
/* The close epoch: changes whenever any handle is closed. */
UINT64 bw__close_epoch(void);
/* Sleeps up to ms unless the close epoch differs from 'epoch' or changes
 * meanwhile (a handle was closed): BwJobPollMany's wait. */
void bw__handle_wait_any(UINT64 epoch, UINT32 ms);
HRESULT bw__with_job(BW_JOB h, bw__job_op op, void *arg);
/* Handles open right now (for tests: every test must end with 0). */
UINT32 bw__handle_count(void);
/* Test knobs: the largest generation a slot may reach before it is retired
 * (0: the target's real limit), the number of slots (0: the real 65,280), and
 * how many of the next lock allocations fail. Not for the shipped code paths. */
void bw__handle_test_limits(UINT64 gen_max, UINT32 max_slots, unsigned fail_sync_allocs);
typedef struct bw__handle_stats {
    UINT32 slots, chunk_allocs, retired, open;
} bw__handle_stats;
void bw__handle_test_stats(bw__handle_stats *st);

/* ---- api.c: one read of a handle, shared by BwJobPoll and BwJobPollMany -- */
#define BW__WAIT_MIN_MS 10u /* first wait after a read that saw something new */
#define BW__WAIT_MAX_MS 50u /* a change is seen within about this */
/* The handle's next wait after a read that saw nothing new (call lock held):
 * the current interval, which then doubles up to BW__WAIT_MAX_MS. */
UINT32 bw__backoff(bw__handle_data *d);
/* Reads and compares with the call lock held: S_OK changed, S_FALSE not, or
 * the failure; updates the watch and the read/change times. */
HRESULT bw__poll_once(bw__handle_data *d, UINT32 full_period_ms, bw__snapshot *s,
                      UINT32 *changed, UINT64 *now_ms);
/* Fills a caller's BW_STATUS (its cbSize already checked) from a snapshot. */
void bw__status_fill(BW_STATUS *st, const bw__handle_data *d, const bw__snapshot *s,
                     UINT32 changed, UINT64 filetime, UINT64 now_ms);

/* ---- poll_many.c ---------------------------------------------------------- */
/* Test knob: the process' read budget back to a full burst. */
void bw__poll_many_test_reset_budget(void);
/* BW__DUTY_PERCENT, for tests that count reads within the budget. */
unsigned bw__poll_many_duty_percent(void);

/* ---- format_message.c ------------------------------------------------------ */
/* Appends the text for hr (never empty) at *len, as bw__append_ascii does. */
void bw__format_message(HRESULT hr, WCHAR *buf, UINT32 cch, UINT32 *len);
/* The same text, malloc'd (free()); NULL when out of memory. */
WCHAR *bw__format_message_dup(HRESULT hr);

#endif /* BW_CORE_H */
