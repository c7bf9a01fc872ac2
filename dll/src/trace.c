/*
 * trace.c - the opt-in trace: what the library decided and why (a reconnect,
 * a control call settled after RPC_S_CALL_FAILED, the read budget pausing
 * quiet reads, the census found blind, a diagnosis), for an administrator to
 * attach to a report. Off unless BITSWATCH_TRACE is set (bw_core.h); off, a
 * trace point is one atomic load, as WINEDEBUG channels are a flag test.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "bw_core.h"

#define TRACE_UNKNOWN 0
#define TRACE_OFF 1
#define TRACE_ON 2

static atomic_int g_state;        /* TRACE_*: read once, then fixed */
static char g_path[1024];         /* the file; written before g_state turns ON */
static int g_debugger;            /* to the debugger instead */
static _Atomic(bw__mutex *) g_write_lock;

static int trace_init(void)
{
    char value[1024];
    int state = TRACE_OFF;

    g_path[0] = 0;
    g_debugger = 0;
    if (bw__platform_trace_setting(value, sizeof value) && strcmp(value, "0") != 0) {
        state = TRACE_ON;
        if (strcmp(value, "1") == 0 || strcmp(value, "debug") == 0)
            g_debugger = 1;
        else
            snprintf(g_path, sizeof g_path, "%s", value);
    }
    /* Two threads may both read the setting: they find the same. */
    atomic_store_explicit(&g_state, state, memory_order_release);
    return state;
}

int bw__trace_enabled(void)
{
    int state = atomic_load_explicit(&g_state, memory_order_acquire);
    if (state == TRACE_UNKNOWN)
        state = trace_init();
    return state == TRACE_ON;
}

void bw__trace(const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    UINT64 ms = bw__platform_now_ms();
    int n;

    if (!bw__trace_enabled())
        return;
    n = snprintf(line, sizeof line, "bitswatch %llu.%03llu tid %u: ", (unsigned long long)(ms / 1000),
                 (unsigned long long)(ms % 1000), (unsigned)bw__platform_thread_id());
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    for (char *p = line; *p; p++) /* one event, one line */
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    bw__mutex *m = bw__lazy_mutex(&g_write_lock);
    if (m)
        bw__mutex_lock(m);
    bw__platform_trace_write(line, g_path[0] ? g_path : NULL, g_debugger);
    if (m)
        bw__mutex_unlock(m);
}

const char *bw__guid_text(const GUID *g, char *buf)
{
    snprintf(buf, 39, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)g->Data1,
             (unsigned)g->Data2, (unsigned)g->Data3, g->Data4[0], g->Data4[1], g->Data4[2],
             g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
    return buf;
}

void bw__trace_test_reset(void)
{
    atomic_store(&g_state, TRACE_UNKNOWN);
}
