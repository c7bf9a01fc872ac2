/* posix/platform.c - bw_platform.h for the native (Linux) test build. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>

#include "bw_core.h"

struct bw__mutex {
    pthread_mutex_t m;
};
struct bw__cond {
    pthread_cond_t c;
};

bw__mutex *bw__mutex_new(void)
{
    bw__mutex *m = malloc(sizeof *m);
    if (m && pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        m = NULL;
    }
    return m;
}

void bw__mutex_free(bw__mutex *m)
{
    if (m) {
        pthread_mutex_destroy(&m->m);
        free(m);
    }
}

void bw__mutex_lock(bw__mutex *m) { pthread_mutex_lock(&m->m); }
void bw__mutex_unlock(bw__mutex *m) { pthread_mutex_unlock(&m->m); }

bw__cond *bw__cond_new(void)
{
    bw__cond *c = malloc(sizeof *c);
    pthread_condattr_t attr;
    if (!c)
        return NULL;
    /* Timed waits on the monotonic clock: wall-clock jumps must not end them. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&c->c, &attr) != 0) {
        free(c);
        c = NULL;
    }
    pthread_condattr_destroy(&attr);
    return c;
}

void bw__cond_free(bw__cond *c)
{
    if (c) {
        pthread_cond_destroy(&c->c);
        free(c);
    }
}

void bw__cond_wait_ms(bw__cond *c, bw__mutex *m, UINT32 ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&c->c, &m->m, &ts);
}

void bw__cond_broadcast(bw__cond *c) { pthread_cond_broadcast(&c->c); }

bw__mutex *bw__global_mutex(void)
{
    static bw__mutex global = {PTHREAD_MUTEX_INITIALIZER};
    return &global;
}

UINT64 bw__platform_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (UINT64)ts.tv_sec * 1000u + (UINT64)ts.tv_nsec / 1000000u;
}

UINT64 bw__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (UINT64)ts.tv_sec * 1000000u + (UINT64)ts.tv_nsec / 1000u;
}

int bw__platform_trace_setting(char *buf, size_t cap)
{
    const char *v = getenv("BITSWATCH_TRACE");
    size_t n = v ? strlen(v) : 0;
    if (!n || n >= cap)
        return 0;
    memcpy(buf, v, n + 1);
    return 1;
}

void bw__platform_trace_write(const char *line, const char *path, int to_debugger)
{
    if (to_debugger)
        fprintf(stderr, "%s\n", line);
    if (path) {
        FILE *f = fopen(path, "a");
        if (f) {
            fprintf(f, "%s\n", line);
            fclose(f);
        }
    }
}

UINT32 bw__platform_thread_id(void)
{
    return (UINT32)(uintptr_t)pthread_self();
}

UINT64 bw__now_filetime(void)
{
    /* 100 ns units between 1601-01-01 and 1970-01-01. */
    const UINT64 epoch_diff = 116444736000000000ull;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return epoch_diff + (UINT64)ts.tv_sec * 10000000u + (UINT64)ts.tv_nsec / 100u;
}

/* The test seam: one code whose text a test chose (long texts, surrogate
 * pairs), as a real message table may have. */
static HRESULT g_test_code;
static const WCHAR *g_test_text;

void bw__posix_system_message_set(HRESULT hr, const WCHAR *text)
{
    g_test_code = hr;
    g_test_text = text;
}

UINT32 bw__system_message(HRESULT hr, WCHAR *buffer, UINT32 cch)
{
    /* No system message table natively: a few codes the tests meet, in the
     * same words Windows uses; the rest fall back to "Unknown error". */
    static const struct {
        UINT32 code;
        const char *text;
    } k[] = {
        {0x00000000u, "The operation completed successfully."},
        {0x80004001u, "Not implemented"},
        {0x80004002u, "No such interface supported"},
        {0x80004003u, "Invalid pointer"},
        {0x80004005u, "Unspecified error"},
        {0x80070005u, "Access is denied."},
        {0x80070006u, "The handle is invalid."},
        {0x8007000Eu, "Not enough memory resources are available to complete this operation."},
        {0x80070057u, "The parameter is incorrect."},
        {0x8007007Au, "The data area passed to a system call is too small."},
        {0x800700EAu, "More data is available."},
        {0x800706BAu, "The RPC server is unavailable."},
    };
    if (!buffer || cch == 0)
        return 0;
    buffer[0] = 0;
    if (g_test_text && hr == g_test_code) {
        UINT32 len = 0;
        bw__append_wide(buffer, cch, &len, g_test_text);
        return (UINT32)bw__wcsnlen(buffer, cch);
    }
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        if (k[i].code == (UINT32)hr) {
            UINT32 len = 0;
            bw__append_ascii(buffer, cch, &len, k[i].text);
            return (UINT32)bw__wcsnlen(buffer, cch);
        }
    }
    return 0;
}
