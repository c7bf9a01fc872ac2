/*
 * test_platform_win.c - the Win32 platform layer (dll/src/win/platform.c):
 * locks and timed waits, clocks, and system message texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <windows.h>
#include <stdlib.h>
#include <wchar.h>

#include "bw_platform.h"
#include "owner_name.h"

static void cond_wait_times_out(void **state)
{
    bw__mutex *m = bw__mutex_new();
    bw__cond *c = bw__cond_new();
    UINT64 start, waited;

    assert_non_null(m);
    assert_non_null(c);
    bw__mutex_lock(m);
    start = bw__platform_now_ms();
    bw__cond_wait_ms(c, m, 100);
    waited = bw__platform_now_ms() - start;
    bw__mutex_unlock(m);
    /* GetTickCount64 ticks in ~16 ms steps. */
    if (waited < 80 || waited > 2000)
        fail_msg("waited %llu ms for a 100 ms timeout", (unsigned long long)waited);
    bw__cond_free(c);
    bw__mutex_free(m);
}

struct waker {
    bw__mutex *m;
    bw__cond *c;
    volatile LONG flag;
};

static DWORD WINAPI wake_later(void *p)
{
    struct waker *w = p;
    Sleep(30);
    bw__mutex_lock(w->m);
    w->flag = 1;
    bw__cond_broadcast(w->c);
    bw__mutex_unlock(w->m);
    return 0;
}

static void broadcast_wakes_a_waiter(void **state)
{
    struct waker w = {bw__mutex_new(), bw__cond_new(), 0};
    UINT64 start = bw__platform_now_ms(), waited;
    HANDLE t = CreateThread(NULL, 0, wake_later, &w, 0, NULL);

    bw__mutex_lock(w.m);
    while (!w.flag && bw__platform_now_ms() - start < 5000)
        bw__cond_wait_ms(w.c, w.m, 0xFFFFFFFFu);
    bw__mutex_unlock(w.m);
    waited = bw__platform_now_ms() - start;
    assert_int_equal(w.flag, 1);
    if (waited > 2000)
        fail_msg("woken after %llu ms", (unsigned long long)waited);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    bw__cond_free(w.c);
    bw__mutex_free(w.m);
}

static void global_mutex_is_one_lock(void **state)
{
    bw__mutex *g = bw__global_mutex();
    assert_non_null(g);
    assert_ptr_equal(g, bw__global_mutex());
    bw__mutex_lock(g);
    bw__mutex_unlock(g);
}

static void filetime_is_now(void **state)
{
    FILETIME ft;
    UINT64 sys, ours;
    GetSystemTimeAsFileTime(&ft);
    sys = ((UINT64)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    ours = bw__now_filetime();
    /* Within 2 s of the system's clock (100 ns units). */
    if (ours + 20000000ull < sys || ours > sys + 20000000ull)
        fail_msg("now_filetime 0x%llX, system 0x%llX", (unsigned long long)ours, (unsigned long long)sys);
}

static void system_message_of_win32_hresult(void **state)
{
    WCHAR buf[256];
    UINT32 n = bw__system_message(HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), buf, 256);
    assert_true(n > 0);
    assert_int_equal(n, wcslen(buf));
    /* Trailing line breaks and spaces removed. */
    assert_true(buf[n - 1] != L'\n' && buf[n - 1] != L'\r' && buf[n - 1] != L' ');
    assert_non_null(wcsstr(buf, L"ccess"));
}

static void system_message_is_truncated_to_the_buffer(void **state)
{
    WCHAR buf[6];
    UINT32 n = bw__system_message(HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), buf, 6);
    assert_int_equal(n, 5);
    assert_int_equal(buf[5], 0);
}

static void system_message_of_unknown_code_is_empty(void **state)
{
    WCHAR buf[64] = L"x";
    assert_int_equal(bw__system_message((HRESULT)0xA0B7FFFFL, buf, 64), 0);
    assert_int_equal(buf[0], 0);
}

static void owner_sid_resolves_to_an_account_name(void **state)
{
    WCHAR *name = bw__owner_display_name(L"S-1-5-18"); /* LocalSystem */
    assert_non_null(name);
    if (_wcsicmp(name, L"NT AUTHORITY\\SYSTEM") != 0)
        fail_msg("S-1-5-18 resolved to \"%ls\"", name);
    free(name);
}

static void owner_that_does_not_resolve_stays_as_given(void **state)
{
    static const WCHAR *const texts[] = {L"S-1-5-21-1111-2222-3333-4444", L"not a sid", L""};
    for (size_t i = 0; i < 3; i++) {
        WCHAR *name = bw__owner_display_name(texts[i]);
        assert_non_null(name);
        if (wcscmp(name, texts[i]) != 0)
            fail_msg("\"%ls\" came back as \"%ls\"", texts[i], name);
        free(name);
    }
    assert_null(bw__owner_display_name(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cond_wait_times_out),
        cmocka_unit_test(broadcast_wakes_a_waiter),
        cmocka_unit_test(global_mutex_is_one_lock),
        cmocka_unit_test(filetime_is_now),
        cmocka_unit_test(system_message_of_win32_hresult),
        cmocka_unit_test(system_message_is_truncated_to_the_buffer),
        cmocka_unit_test(system_message_of_unknown_code_is_empty),
        cmocka_unit_test(owner_sid_resolves_to_an_account_name),
        cmocka_unit_test(owner_that_does_not_resolve_stays_as_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
