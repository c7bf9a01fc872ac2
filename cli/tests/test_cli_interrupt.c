/*
 * test_cli_interrupt.c - the Ctrl+C handler of 'watch' and the lifetime of
 * what it touches (cli/interrupt.c), in-process under Wine.
 *
 * The handler is run the way the system runs it, on a thread of its own,
 * by calling bw_interrupt_handler from one; once also for real, through a
 * console of this process and GenerateConsoleCtrlEvent. The handles are
 * made-up values and the close function a fake that records each call, so
 * a handle closed twice, never, or after bw_interrupt_end shows.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "interrupt.h"
#include "watch.h"

#define MAX_JOBS 16
#define JOB(n) ((BW_JOB)(uintptr_t)(n))

/* What the fake close saw. */
static volatile LONG g_closes[MAX_JOBS + 1]; /* per job number */
static volatile LONG g_closes_after_end;
static volatile LONG g_bad_closes; /* a handle that was never tracked */
static volatile LONG g_ended;
static volatile DWORD g_closer_thread; /* thread of the last close */
/* When a close of g_block_job starts: g_in_close is set, and the close
 * waits for g_release. */
static BW_JOB g_block_job;
static HANDLE g_in_close, g_release;

static void fake_close(BW_JOB job)
{
    uintptr_t n = (uintptr_t)job;

    /* No cmocka assert here: this runs on the handler's thread too. */
    if (n < 1 || n > MAX_JOBS) {
        InterlockedIncrement(&g_bad_closes);
        return;
    }
    InterlockedIncrement(&g_closes[n]);
    if (g_ended)
        InterlockedIncrement(&g_closes_after_end);
    g_closer_thread = GetCurrentThreadId();
    if (job == g_block_job) {
        SetEvent(g_in_close);
        WaitForSingleObject(g_release, 10000);
    }
}

static int setup(void **state)
{
    for (int i = 0; i <= MAX_JOBS; i++)
        g_closes[i] = 0;
    g_closes_after_end = 0;
    g_bad_closes = 0;
    g_ended = 0;
    g_closer_thread = 0;
    g_block_job = NULL;
    g_in_close = CreateEventW(NULL, TRUE, FALSE, NULL);
    g_release = CreateEventW(NULL, TRUE, FALSE, NULL);
    bw_interrupt_begin(fake_close);
    return g_in_close && g_release ? 0 : -1;
}

static int teardown(void **state)
{
    bw_interrupt_end(0); /* harmless when the test ended it already */
    assert_int_equal(g_bad_closes, 0);
    CloseHandle(g_in_close);
    CloseHandle(g_release);
    return 0;
}

static void track_jobs(int n)
{
    assert_int_equal(bw_interrupt_reserve(n), 1);
    for (int i = 1; i <= n; i++)
        assert_int_equal(bw_interrupt_track(JOB(i)), 1);
}

static void assert_each_closed_once(int n)
{
    for (int i = 1; i <= n; i++) {
        if (g_closes[i] != 1)
            fail_msg("job %d closed %ld times, want once", i, (long)g_closes[i]);
    }
}

static DWORD WINAPI run_handler(void *arg)
{
    DWORD type = (DWORD)(uintptr_t)arg;
    return bw_interrupt_handler(type) ? 1u : 0u;
}

/* The handler as the system runs it: on a new thread; its result. */
static BOOL handler_on_thread(DWORD type)
{
    DWORD result = 99;
    HANDLE t = CreateThread(NULL, 0, run_handler, (void *)(uintptr_t)type, 0, NULL);

    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    GetExitCodeThread(t, &result);
    CloseHandle(t);
    return result == 1;
}

/* Ctrl+C sets the flag, wakes a sleep at once, and makes the exit code 130. */
static void ctrl_c_sets_flag_and_wakes_sleep(void **state)
{
    assert_false(bw_interrupted());
    assert_true(handler_on_thread(CTRL_C_EVENT));
    assert_true(bw_interrupted());
    ULONGLONG t0 = GetTickCount64();
    bw_interrupt_sleep(10000);
    assert_true(GetTickCount64() - t0 < 2000);
    assert_int_equal(bw_interrupt_end(BW_EXIT_OK), BW_EXIT_INTERRUPTED);
}

/* Ctrl+Break too; closing the window, logoff and shutdown are left to the
 * next handler (the system's default). */
static void break_is_ours_close_is_not(void **state)
{
    assert_false(handler_on_thread(CTRL_CLOSE_EVENT));
    assert_false(handler_on_thread(CTRL_LOGOFF_EVENT));
    assert_false(handler_on_thread(CTRL_SHUTDOWN_EVENT));
    assert_false(bw_interrupted());
    assert_int_equal(bw_interrupt_end(BW_EXIT_TIMEOUT), BW_EXIT_TIMEOUT);

    bw_interrupt_begin(fake_close);
    assert_true(handler_on_thread(CTRL_BREAK_EVENT));
    assert_int_equal(bw_interrupt_end(BW_EXIT_OK), BW_EXIT_INTERRUPTED);
}

/* The handler closes every tracked handle (so that waiting polls end), and
 * teardown does not close them again. */
static void handler_closes_each_handle_once(void **state)
{
    track_jobs(3);
    assert_true(handler_on_thread(CTRL_C_EVENT));
    assert_each_closed_once(3);
    bw_interrupt_close_all();
    assert_int_equal(bw_interrupt_end(BW_EXIT_FAILED), BW_EXIT_INTERRUPTED);
    assert_each_closed_once(3);
}

/* Ctrl+C while a job was being opened: the handle that BwJobOpen returns
 * after it is closed at once, and the caller told to stop. */
static void track_after_ctrl_c_closes_at_once(void **state)
{
    assert_int_equal(bw_interrupt_reserve(2), 1);
    assert_int_equal(bw_interrupt_track(JOB(1)), 1);
    assert_true(handler_on_thread(CTRL_C_EVENT));
    assert_int_equal(bw_interrupt_track(JOB(2)), 0);
    assert_each_closed_once(2);
    bw_interrupt_close_all();
    bw_interrupt_end(0);
    assert_each_closed_once(2);
}

/* Without Ctrl+C, teardown closes every handle once, and the result is the
 * watch's own. */
static void teardown_closes_each_handle_once(void **state)
{
    track_jobs(4);
    bw_interrupt_close_all();
    assert_each_closed_once(4);
    assert_int_equal(bw_interrupt_end(BW_EXIT_TIMEOUT), BW_EXIT_TIMEOUT);
    assert_each_closed_once(4);
}

/* Ctrl+C after the handles were closed, before the handler is removed:
 * nothing is closed again, and the exit code is 130. */
static void ctrl_c_during_teardown(void **state)
{
    track_jobs(2);
    bw_interrupt_close_all();
    assert_true(handler_on_thread(CTRL_C_EVENT));
    assert_int_equal(bw_interrupt_end(BW_EXIT_TIMEOUT), BW_EXIT_INTERRUPTED);
    assert_each_closed_once(2);
}

/* A handler that runs after bw_interrupt_end (Windows does not promise
 * that removing a handler waits for one already started) finds an empty
 * table, not freed memory: it closes nothing. */
static void handler_after_end_touches_nothing(void **state)
{
    track_jobs(3);
    bw_interrupt_close_all();
    assert_int_equal(bw_interrupt_end(BW_EXIT_OK), BW_EXIT_OK);
    g_ended = 1;
    assert_true(handler_on_thread(CTRL_C_EVENT));
    assert_int_equal(g_closes_after_end, 0);
    assert_each_closed_once(3);
}

static volatile LONG g_end_rc;

static DWORD WINAPI run_teardown(void *arg)
{
    bw_interrupt_close_all();
    LONG rc = bw_interrupt_end(BW_EXIT_OK);
    InterlockedExchange(&g_ended, 1);
    InterlockedExchange(&g_end_rc, rc);
    return 0;
}

/* The race the old code lost: the handler is in the middle of closing
 * handles when the main thread tears down. Teardown must wait for it, each
 * handle is closed once, and nothing is closed after bw_interrupt_end. */
static void teardown_waits_for_handler_in_flight(void **state)
{
    track_jobs(3);
    g_block_job = JOB(1);
    HANDLE h = CreateThread(NULL, 0, run_handler, (void *)(uintptr_t)CTRL_C_EVENT, 0, NULL);
    assert_non_null(h);
    assert_int_equal(WaitForSingleObject(g_in_close, 10000), WAIT_OBJECT_0);
    DWORD handler_thread = g_closer_thread;

    HANDLE t = CreateThread(NULL, 0, run_teardown, NULL, 0, NULL);
    assert_non_null(t);
    /* The handler holds the table: teardown cannot get past it. */
    assert_int_equal(WaitForSingleObject(t, 300), WAIT_TIMEOUT);
    assert_int_equal(g_ended, 0);

    SetEvent(g_release);
    assert_int_equal(WaitForSingleObject(h, 10000), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CloseHandle(h);
    CloseHandle(t);
    assert_int_equal(g_end_rc, BW_EXIT_INTERRUPTED);
    assert_each_closed_once(3);
    assert_int_equal(g_closer_thread, handler_thread); /* all three by the handler */
    assert_int_equal(g_closes_after_end, 0);
}

/* The handler and teardown racing without any help, many times over: every
 * handle is closed exactly once, none after bw_interrupt_end returned. */
static void handler_and_teardown_race(void **state)
{
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i <= MAX_JOBS; i++)
            g_closes[i] = 0;
        g_ended = 0;
        bw_interrupt_begin(fake_close);
        track_jobs(8);
        HANDLE h = CreateThread(NULL, 0, run_handler, (void *)(uintptr_t)CTRL_C_EVENT, 0, NULL);
        assert_non_null(h);
        if (round & 1)
            SwitchToThread();
        run_teardown(NULL);
        assert_int_equal(WaitForSingleObject(h, 10000), WAIT_OBJECT_0);
        CloseHandle(h);
        assert_each_closed_once(8);
        assert_int_equal(g_closes_after_end, 0);
        /* 130 when the handler ran before the end, else the watch's own. */
        assert_true(g_end_rc == BW_EXIT_INTERRUPTED || g_end_rc == BW_EXIT_OK);
    }
}

/* Tracking more than was reserved never writes past the table: the extra
 * handle is closed at once and the caller told. */
static void track_beyond_reserve_closes(void **state)
{
    track_jobs(2);
    assert_int_equal(bw_interrupt_track(JOB(3)), 0);
    assert_int_equal(g_closes[3], 1);
    bw_interrupt_close_all();
    assert_each_closed_once(3);
}

/* watch --all drops a job that left the queue: bw_interrupt_close closes it
 * at once and takes it out of the table, so neither the handler nor the
 * teardown closes it again; the others stay tracked. */
static void close_one_takes_it_out_of_the_table(void **state)
{
    track_jobs(3);
    bw_interrupt_close(JOB(2));
    assert_int_equal(g_closes[2], 1);
    assert_int_equal(g_closes[1] + g_closes[3], 0);
    assert_true(handler_on_thread(CTRL_C_EVENT));
    assert_each_closed_once(3);
    bw_interrupt_close_all();
    assert_int_equal(bw_interrupt_end(BW_EXIT_OK), BW_EXIT_INTERRUPTED);
    assert_each_closed_once(3);
}

/* A job dropped after Ctrl+C: the handler closed it already, so the drop
 * closes nothing. */
static void close_after_the_handler_closes_nothing(void **state)
{
    track_jobs(2);
    assert_true(handler_on_thread(CTRL_C_EVENT));
    bw_interrupt_close(JOB(1));
    bw_interrupt_close_all();
    bw_interrupt_end(0);
    assert_each_closed_once(2);
}

/* Jobs that arrive while watching: reserving again keeps what is tracked,
 * and the room freed by a close is used again. */
static void reserve_again_while_watching(void **state)
{
    track_jobs(2);
    assert_int_equal(bw_interrupt_reserve(4), 1);
    assert_int_equal(bw_interrupt_track(JOB(3)), 1);
    assert_int_equal(bw_interrupt_track(JOB(4)), 1);
    bw_interrupt_close(JOB(1));
    assert_int_equal(bw_interrupt_track(JOB(5)), 1);
    assert_true(handler_on_thread(CTRL_C_EVENT));
    assert_each_closed_once(5);
}

static volatile LONG g_below_calls;

/* Installed before ours: the system asks it only when ours declines or is
 * gone (the last handler added is asked first). */
static BOOL WINAPI handler_below(DWORD type)
{
    InterlockedIncrement(&g_below_calls);
    return TRUE;
}

static int wait_until(volatile LONG *v, LONG want, DWORD ms)
{
    for (ULONGLONG until = GetTickCount64() + ms; *v != want && GetTickCount64() < until;)
        Sleep(10);
    return *v == want;
}

/* For real: a Ctrl+C on this process' console reaches the installed
 * handler, which closes the tracked handle; once bw_interrupt_end removed
 * it, the next Ctrl+C goes to the handler below, and ours does nothing. */
static void real_ctrl_c_reaches_handler_until_end(void **state)
{
    FreeConsole();
    if (!AllocConsole())
        skip(); /* no console to be had here */
    SetConsoleCtrlHandler(NULL, FALSE); /* Ctrl+C not ignored, whatever we inherited */
    SetConsoleCtrlHandler(handler_below, TRUE);
    bw_interrupt_end(0);
    bw_interrupt_begin(fake_close);
    track_jobs(1);

    assert_true(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
    bw_interrupt_sleep(10000);
    assert_true(bw_interrupted());
    assert_true(wait_until(&g_closes[1], 1, 5000));
    assert_int_equal(bw_interrupt_end(BW_EXIT_OK), BW_EXIT_INTERRUPTED);
    assert_int_equal(g_below_calls, 0);

    g_ended = 1;
    assert_true(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0));
    assert_true(wait_until(&g_below_calls, 1, 5000));
    assert_int_equal(g_closes_after_end, 0);
    SetConsoleCtrlHandler(handler_below, FALSE);
    FreeConsole();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ctrl_c_sets_flag_and_wakes_sleep, setup, teardown),
        cmocka_unit_test_setup_teardown(break_is_ours_close_is_not, setup, teardown),
        cmocka_unit_test_setup_teardown(handler_closes_each_handle_once, setup, teardown),
        cmocka_unit_test_setup_teardown(track_after_ctrl_c_closes_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(teardown_closes_each_handle_once, setup, teardown),
        cmocka_unit_test_setup_teardown(ctrl_c_during_teardown, setup, teardown),
        cmocka_unit_test_setup_teardown(handler_after_end_touches_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(teardown_waits_for_handler_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(handler_and_teardown_race, setup, teardown),
        cmocka_unit_test_setup_teardown(track_beyond_reserve_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(close_one_takes_it_out_of_the_table, setup, teardown),
        cmocka_unit_test_setup_teardown(close_after_the_handler_closes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(reserve_again_while_watching, setup, teardown),
        cmocka_unit_test_setup_teardown(real_ctrl_c_reaches_handler_until_end, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
