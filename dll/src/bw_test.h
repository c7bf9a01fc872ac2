/*
 * bw_test.h - every test hook of the core, in one place (as
 * sqlite3_test_control gathers SQLite's). The shipped code never calls these;
 * the unit tests, the simulator and the benchmarks do.
 */
#ifndef BW_TEST_H
#define BW_TEST_H

#include "bitswatch.h"

/* clock.c: from now on bw__now_ms answers clock() (NULL: the platform's
 * monotonic clock again). Every schedule, deadline and rate sample follows
 * it; sleeps still take real time, so under a test clock call with
 * timeoutMs 0. */
typedef UINT64 (*bw__clock_fn)(void);
void bw__test_set_clock(bw__clock_fn clock);
/* Under a test clock, wall time (bw__now_wall_ft, which BwJobDiagnose
 * judges BITS' times by) is this FILETIME (2026-01-01 00:00 UTC) plus the
 * test clock's milliseconds. */
#define BW_TEST_EPOCH_FT 134116992000000000ull

/* handles.c: handles open right now (every test must end with 0). */
UINT32 bw__handle_count(void);
/* The largest generation a slot may reach before it is retired (0: the
 * target's real limit), the number of slots (0: the real 65,280), and how
 * many of the next lock allocations fail. */
void bw__handle_test_limits(UINT64 gen_max, UINT32 max_slots, unsigned fail_sync_allocs);
typedef struct bw__handle_stats {
    UINT32 slots, chunk_allocs, retired, open;
} bw__handle_stats;
void bw__handle_test_stats(bw__handle_stats *st);

/* poll_many.c: the process' read budget back to a full burst, and the duty
 * cycle built (BW__DUTY_PERCENT), for tests that count reads. */
void bw__poll_many_test_reset_budget(void);
unsigned bw__poll_many_duty_percent(void);
/* 1 once the process saw the census keep listing a job that left (Wine's
 * BITS); 1 once the census found a member that left (the proof the quiet
 * reads' census discount waits for); the reset of both. */
int bw__poll_many_census_blind(void);
int bw__poll_many_census_proven(void);
void bw__poll_many_test_reset_census_blind(void);

/* trace.c: forget the trace setting (the next trace point reads
 * BITSWATCH_TRACE again). */
void bw__trace_test_reset(void);

/* census.c: forget every census (the next one asks the backend afresh). */
void bw__census_test_reset(void);

#ifndef _WIN32
/* posix/platform.c (native build only): from now on bw__system_message
 * answers text for hr (the stand-in's own table has only short texts); NULL
 * forgets it. The text is not copied: keep it alive while it is set. */
void bw__posix_system_message_set(HRESULT hr, const WCHAR *text);
#endif

#endif /* BW_TEST_H */
