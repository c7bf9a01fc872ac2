/* test_thread.h - one portable way for the unit tests to start a thread and
 * sleep (Win32 under Wine, POSIX natively). */
#ifndef TEST_THREAD_H
#define TEST_THREAD_H

#ifdef _WIN32
#include <windows.h>
typedef HANDLE test_thread;
typedef struct { void (*fn)(void *); void *arg; } test_thread_start;
static DWORD WINAPI test_thread_main(LPVOID p)
{
    test_thread_start *s = p;
    s->fn(s->arg);
    return 0;
}
static inline test_thread test_thread_run(test_thread_start *s)
{
    return CreateThread(NULL, 0, test_thread_main, s, 0, NULL);
}
static inline void test_thread_join(test_thread t)
{
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}
static inline void test_sleep_ms(unsigned ms) { Sleep(ms); }
#else
#include <pthread.h>
#include <time.h>
typedef pthread_t test_thread;
typedef struct { void (*fn)(void *); void *arg; } test_thread_start;
static void *test_thread_main(void *p)
{
    test_thread_start *s = p;
    s->fn(s->arg);
    return NULL;
}
static inline test_thread test_thread_run(test_thread_start *s)
{
    pthread_t t;
    pthread_create(&t, NULL, test_thread_main, s);
    return t;
}
static inline void test_thread_join(test_thread t) { pthread_join(t, NULL); }
static inline void test_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

#endif
