/*
 * platform.c - bw_platform.h on Win32.
 *
 * Slim reader/writer locks and condition variables: no kernel object until
 * there is contention, and SleepConditionVariableSRW takes a timeout, which is
 * all the core's waits need. Both live in small heap structs so that the
 * portable core only ever sees opaque pointers.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bw_platform.h"

struct bw__mutex {
    SRWLOCK lock;
};

struct bw__cond {
    CONDITION_VARIABLE cv;
};

bw__mutex *bw__mutex_new(void)
{
    bw__mutex *m = malloc(sizeof *m);
    if (m)
        InitializeSRWLock(&m->lock);
    return m;
}

void bw__mutex_free(bw__mutex *m)
{
    /* An SRWLOCK owns no resources. */
    free(m);
}

void bw__mutex_lock(bw__mutex *m)
{
    AcquireSRWLockExclusive(&m->lock);
}

void bw__mutex_unlock(bw__mutex *m)
{
    ReleaseSRWLockExclusive(&m->lock);
}

bw__cond *bw__cond_new(void)
{
    bw__cond *c = malloc(sizeof *c);
    if (c)
        InitializeConditionVariable(&c->cv);
    return c;
}

void bw__cond_free(bw__cond *c)
{
    free(c);
}

void bw__cond_wait_ms(bw__cond *c, bw__mutex *m, UINT32 ms)
{
    /* A timeout (FALSE, ERROR_TIMEOUT) is as good as a wake-up: the caller
     * re-checks its predicate and its deadline either way. 0xFFFFFFFF is
     * INFINITE, which is what the core means by it. */
    SleepConditionVariableSRW(&c->cv, &m->lock, ms, 0);
}

void bw__cond_broadcast(bw__cond *c)
{
    WakeAllConditionVariable(&c->cv);
}

bw__mutex *bw__global_mutex(void)
{
    /* Statically initialized: no creation race, nothing to free at unload. */
    static bw__mutex global = {SRWLOCK_INIT};
    return &global;
}

UINT64 bw__platform_now_ms(void)
{
    /* Monotonic, never wraps (unlike GetTickCount), and its ~15 ms
     * resolution is finer than anything the poll loop schedules. */
    return (UINT64)GetTickCount64();
}

UINT64 bw__now_us(void)
{
    static LARGE_INTEGER freq; /* constant for the life of the system */
    LARGE_INTEGER now;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    /* Split to keep the product within 64 bits. */
    return (UINT64)(now.QuadPart / freq.QuadPart) * 1000000u +
           (UINT64)(now.QuadPart % freq.QuadPart) * 1000000u / (UINT64)freq.QuadPart;
}

int bw__platform_trace_setting(char *buf, size_t cap)
{
    WCHAR value[1024];
    DWORD n = GetEnvironmentVariableW(L"BITSWATCH_TRACE", value, sizeof value / sizeof value[0]);

    if (n == 0 || n >= sizeof value / sizeof value[0])
        return 0;
    n = (DWORD)WideCharToMultiByte(CP_UTF8, 0, value, -1, buf, (int)cap, NULL, NULL);
    return n > 1;
}

void bw__platform_trace_write(const char *line, const char *path, int to_debugger)
{
    if (to_debugger) {
        char with_nl[1300];
        _snprintf(with_nl, sizeof with_nl - 1, "%s\n", line);
        with_nl[sizeof with_nl - 1] = 0;
        OutputDebugStringA(with_nl);
    }
    if (path) {
        WCHAR wpath[1024];
        HANDLE f;
        if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, sizeof wpath / sizeof wpath[0]))
            return;
        /* Opened per line: nothing held open, any process may read it. */
        f = CreateFileW(wpath, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (f != INVALID_HANDLE_VALUE) {
            DWORD done;
            WriteFile(f, line, (DWORD)strlen(line), &done, NULL);
            WriteFile(f, "\r\n", 2, &done, NULL);
            CloseHandle(f);
        }
    }
}

UINT32 bw__platform_thread_id(void)
{
    return (UINT32)GetCurrentThreadId();
}

UINT64 bw__now_filetime(void)
{
    FILETIME ft;
    GetSystemTimePreciseAsFileTime(&ft);
    return ((UINT64)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

/* Looks up one message; returns the buffer LocalAlloc'ed by the system, or
 * NULL when this language (or the code) has no text. */
static WCHAR *lookup(DWORD id, DWORD lang)
{
    WCHAR *text = NULL;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                                 FORMAT_MESSAGE_ALLOCATE_BUFFER,
                             NULL, id, lang, (WCHAR *)&text, 0, NULL);
    if (n == 0) {
        LocalFree(text);
        return NULL;
    }
    return text;
}

UINT32 bw__system_message(HRESULT hr, WCHAR *buffer, UINT32 cch)
{
    /* The thread's UI language first (what the user reads), then en-US, which
     * every Windows has. The system allocates the text, whatever its length,
     * so a long message is cut here (never inside a surrogate pair) instead of
     * failing with ERROR_INSUFFICIENT_BUFFER; a caller that gets cch - 2 or
     * more back asks again with a larger buffer (bw__format_message does). */
    const DWORD langs[] = {GetThreadUILanguage(), MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)};
    WCHAR *text = NULL;
    size_t len, i;

    if (!buffer || cch == 0)
        return 0;
    buffer[0] = 0;

    for (i = 0; i < sizeof langs / sizeof langs[0] && !text; i++) {
        text = lookup((DWORD)hr, langs[i]);
        /* Windows knows Win32 codes by their HRESULT too; Wine's tables only
         * by the Win32 number, so ask for that as well. */
        if (!text && HRESULT_FACILITY(hr) == FACILITY_WIN32 && (hr & 0x80000000))
            text = lookup((DWORD)HRESULT_CODE(hr), langs[i]);
    }
    if (!text)
        return 0;

    len = wcslen(text);
    /* The tables end their texts with "\r\n" (sometimes a space too). */
    while (len > 0 && (text[len - 1] == L'\r' || text[len - 1] == L'\n' || text[len - 1] == L' '))
        len--;
    if (len > cch - 1) {
        len = cch - 1;
        /* Never leave half of a surrogate pair at the cut. */
        if (len > 0 && text[len - 1] >= 0xD800 && text[len - 1] <= 0xDBFF)
            len--;
    }
    memcpy(buffer, text, len * sizeof(WCHAR));
    buffer[len] = 0;
    LocalFree(text);
    return (UINT32)len;
}
