/*
 * bw_platform.h - what the portable core needs from the operating system.
 * dll/src/win/platform.c implements it with Win32, dll/src/posix/platform.c
 * with POSIX threads, so the core builds and is tested natively too.
 */
#ifndef BW_PLATFORM_H
#define BW_PLATFORM_H

#include "bitswatch.h"

typedef struct bw__mutex bw__mutex;
typedef struct bw__cond bw__cond;

/* Allocation failures return NULL; the core maps that to E_OUTOFMEMORY. */
bw__mutex *bw__mutex_new(void);
void bw__mutex_free(bw__mutex *m);
void bw__mutex_lock(bw__mutex *m);
void bw__mutex_unlock(bw__mutex *m);

bw__cond *bw__cond_new(void);
void bw__cond_free(bw__cond *c);
/* Waits at most ms milliseconds; spurious wake-ups are allowed. */
void bw__cond_wait_ms(bw__cond *c, bw__mutex *m, UINT32 ms);
void bw__cond_broadcast(bw__cond *c);

/* The global lock of the handle table, created once, never freed. */
bw__mutex *bw__global_mutex(void);

/* Milliseconds from the system's monotonic clock. The core reads it through
 * bw__now_ms (clock.c), its one notion of now. */
UINT64 bw__platform_now_ms(void);
/* Microseconds from a high-resolution monotonic clock (QueryPerformanceCounter
 * on Windows, where the ms clock has only ~15 ms resolution): for measuring
 * how long a round trip took. */
UINT64 bw__now_us(void);
/* Now as a FILETIME value (100 ns units since 1601-01-01 UTC). */
UINT64 bw__now_filetime(void);

/* The system's text for a Win32/COM code, in the thread's language; writes a
 * NUL-terminated string of at most cch characters (trailing line breaks
 * removed; a cut never splits a surrogate pair) and returns its length, or 0
 * when the system has none. A result of cch - 2 or more may be cut: ask again
 * with a larger buffer for the whole text (bw__format_message does). */
UINT32 bw__system_message(HRESULT hr, WCHAR *buffer, UINT32 cch);

/* The opt-in trace (trace.c, version 0.3). The value of the environment
 * variable BITSWATCH_TRACE as UTF-8 into buf (cap bytes, NUL-terminated);
 * 0 when it is unset or empty (or does not fit), else 1. */
int bw__platform_trace_setting(char *buf, size_t cap);
/* Writes one line (no line break in it): to the debugger (Windows:
 * OutputDebugStringA; elsewhere stderr) when to_debugger, appended to the
 * file path (UTF-8) when path is not NULL. Failures are ignored. */
void bw__platform_trace_write(const char *line, const char *path, int to_debugger);
/* The calling thread's id, for trace lines. */
UINT32 bw__platform_thread_id(void);

#endif /* BW_PLATFORM_H */
