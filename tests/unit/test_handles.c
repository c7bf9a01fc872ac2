/*
 * test_handles.c - handles are slot + generation values: open, close, stale,
 * double close, forged values, reuse of a slot, many at once, threads.
 */
#include "fake_backend.h"
#include "test_common.h"
#include "test_thread.h"

static int setup(void **state)
{
    fake_backend_install();
    return 0;
}

static int teardown(void **state)
{
    bw__handle_test_limits(0, 0, 0);
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
    return 0;
}

static void open_gives_a_handle_close_releases_it(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    assert_non_null(h);
    assert_int_equal(bw__handle_count(), 1);
    assert_hr(S_OK, BwJobClose(h));
    assert_int_equal(j->opened, 1);
    assert_int_equal(j->closed, 1);
}

static void open_with_and_without_braces(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB a = NULL, b = NULL;
    assert_hr(S_OK, BwJobOpen(wz("00000000-0000-0000-0000-000000000001"), &a));
    assert_hr(S_OK, BwJobOpen(wz("{00000000-0000-0000-0000-000000000001}"), &b));
    assert_true(a != b); /* two handles, two watchers */
    assert_int_equal(j->opened, 2);
    BwJobClose(a);
    BwJobClose(b);
}

static void open_reports_bad_input_and_missing_jobs(void **state)
{
    BW_JOB h = (BW_JOB)(uintptr_t)0x1234;
    fake_job_add(BW_TYPE_DOWNLOAD);
    assert_hr(E_POINTER, BwJobOpen(wz("{00000000-0000-0000-0000-000000000001}"), NULL));
    assert_hr(E_POINTER, BwJobOpen(NULL, &h));
    assert_null(h);
    h = (BW_JOB)(uintptr_t)0x1234;
    assert_hr(E_INVALIDARG, BwJobOpen(wz(""), &h));
    assert_null(h);
    assert_hr(E_INVALIDARG, BwJobOpen(wz("{00000000-0000-0000-0000-000000000001"), &h));
    assert_hr(BG_E_NOT_FOUND, BwJobOpen(wz("{00000000-0000-0000-0000-0000000000ff}"), &h));
    assert_null(h);
    assert_hr(E_POINTER, BwJobOpenById(NULL, &h));
    GUID g = {0};
    assert_hr(E_POINTER, BwJobOpenById(&g, NULL));

    /* Very long text is malformed, and read no further than needed. */
    static WCHAR long_text[100000];
    for (size_t i = 0; i < 99999; i++)
        long_text[i] = 'a';
    assert_hr(E_INVALIDARG, BwJobOpen(long_text, &h));
}

static void double_close_and_stale_handles_are_e_handle(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = NULL;
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    assert_hr(S_OK, BwJobClose(h));
    assert_hr(E_HANDLE, BwJobClose(h));
    assert_hr(E_HANDLE, BwJobPoll(h, 0, &st));
    assert_hr(S_FALSE, BwJobClose(NULL));

    /* The slot is reused under a new generation: the old value stays dead. */
    BW_JOB h2 = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h2));
    assert_true(h2 != h);
    assert_hr(E_HANDLE, BwJobPoll(h, 0, &st));
    assert_hr(S_OK, BwJobPoll(h2, 0, &st));
    assert_hr(S_OK, BwJobClose(h2));
}

static void forged_handles_are_e_handle(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = NULL;
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    uintptr_t v = (uintptr_t)h;
    const uintptr_t forged[] = {1, 0xFFFF, 0xFFFFFFFFu, v + 1, v ^ 0x10000u, v + 0x10000u,
                                (uintptr_t)&st, (uintptr_t)-1};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        if (BwJobPoll((BW_JOB)forged[i], 0, &st) != E_HANDLE)
            fail_msg("forged handle 0x%llx was accepted", (unsigned long long)forged[i]);
        if (BwJobClose((BW_JOB)forged[i]) != E_HANDLE)
            fail_msg("forged handle 0x%llx was closed", (unsigned long long)forged[i]);
    }
    assert_hr(S_OK, BwJobClose(h));
}

static void thousands_of_handles_open_at_once(void **state)
{
    enum { N = 3000 };
    static BW_JOB hs[N];
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    for (int i = 0; i < N; i++)
        assert_hr(S_OK, BwJobOpenById(&j->id, &hs[i]));
    assert_int_equal(bw__handle_count(), N);
    for (int i = 0; i < N; i += 2)
        assert_hr(S_OK, BwJobClose(hs[i]));
    for (int i = 1; i < N; i += 2) {
        BW_STATUS st = {sizeof st};
        assert_hr(S_OK, BwJobPoll(hs[i], 0, &st));
        assert_hr(S_OK, BwJobClose(hs[i]));
    }
    assert_int_equal(j->opened, N);
    assert_int_equal(j->closed, N);
}

typedef struct worker_arg {
    fake_job *job;
    BW_JOB shared;
    int failures;
} worker_arg;

static void poll_worker(void *p)
{
    worker_arg *a = p;
    for (int i = 0; i < 2000; i++) {
        BW_STATUS st = {sizeof st};
        HRESULT hr = BwJobPoll(a->shared, 0, &st);
        if (hr != S_OK && hr != S_FALSE)
            a->failures++;
        BW_JOB own = NULL;
        if (i % 20 == 0) {
            if (BwJobOpenById(&a->job->id, &own) != S_OK || BwJobPoll(own, 0, &st) != S_OK ||
                BwJobClose(own) != S_OK)
                a->failures++;
        }
    }
}

static void many_threads_poll_open_and_close(void **state)
{
    enum { THREADS = 8 };
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_TRANSFERRING;
    BW_JOB shared = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &shared));
    worker_arg args[THREADS];
    test_thread_start starts[THREADS];
    test_thread threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg){j, shared, 0};
        starts[i] = (test_thread_start){poll_worker, &args[i]};
        threads[i] = test_thread_run(&starts[i]);
    }
    for (int i = 0; i < 200; i++) {
        fake_job_set_bytes(j, 1000000, (UINT64)i * 1000);
        test_sleep_ms(1);
    }
    for (int i = 0; i < THREADS; i++) {
        test_thread_join(threads[i]);
        assert_int_equal(args[i].failures, 0);
    }
    assert_hr(S_OK, BwJobClose(shared));
    assert_int_equal(j->opened, j->closed);
}

/* Issue 11.1: with 16-bit generations and last-freed-first reuse, the value
 * of a closed handle came back after 65,535 open/close cycles of one slot and
 * then acted on another job. */
static void closed_value_never_comes_back(void **state)
{
    fake_job *a = fake_job_add(BW_TYPE_DOWNLOAD);
    fake_job *b = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB stale = NULL, h = NULL;
    assert_hr(S_OK, BwJobOpenById(&a->id, &stale));
    assert_hr(S_OK, BwJobClose(stale));
    for (unsigned i = 0; i < 70000; i++) {
        assert_hr(S_OK, BwJobOpenById(&b->id, &h));
        if (h == stale)
            fail_msg("cycle %u handed out the closed value %p again", i, (void *)stale);
        assert_hr(S_OK, BwJobClose(h));
    }
    assert_hr(S_OK, BwJobOpenById(&b->id, &h));
    assert_hr(E_HANDLE, BwJobCancel(stale));
    assert_int_equal(b->n_control, 0); /* the stale value did not reach job b */
    assert_hr(S_OK, BwJobClose(h));
}

/* Freed slots are reused oldest first, so one slot is not cycled alone: of
 * two slots freed one after the other, the first freed comes back first. */
static void freed_slots_are_reused_oldest_first(void **state)
{
    enum { MAX = 70000 };
    static BW_JOB hs[MAX];
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB x = NULL, y = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &x));
    assert_hr(S_OK, BwJobOpenById(&j->id, &y));
    assert_hr(S_OK, BwJobClose(x));
    assert_hr(S_OK, BwJobClose(y));
    uintptr_t xs = (uintptr_t)x & 0xFFFFu, ys = (uintptr_t)y & 0xFFFFu;
    int n = 0, back = 0;
    while (!back) {
        assert_true(n < MAX);
        assert_hr(S_OK, BwJobOpenById(&j->id, &hs[n]));
        uintptr_t slot = (uintptr_t)hs[n++] & 0xFFFFu;
        if (slot == ys)
            fail_msg("the slot freed last came back before the one freed first");
        back = slot == xs;
    }
    assert_true(hs[n - 1] != x); /* same slot, new generation */
    for (int i = 0; i < n; i++)
        assert_hr(S_OK, BwJobClose(hs[i]));
}

/* A slot whose generations are used up is retired, never reused (x86's rule,
 * tested here with a lowered limit). */
static void slot_with_used_up_generations_is_retired(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    bw__handle_stats before, after;
    BW_JOB h = NULL, seen[3];
    /* Put every existing free slot at its limit first: generation 1 max. */
    bw__handle_test_limits(1, 0, 0);
    bw__handle_test_stats(&before);
    /* Open/close until a brand-new slot is made, then cycle it. */
    for (;;) {
        assert_hr(S_OK, BwJobOpenById(&j->id, &h));
        assert_hr(S_OK, BwJobClose(h));
        bw__handle_test_stats(&after);
        if (after.slots > before.slots)
            break;
    }
    bw__handle_test_limits(3, 0, 0);
    /* h's slot was retired at generation 1; the next open makes a new slot. */
    UINT32 slots = after.slots;
    for (int i = 0; i < 3; i++) {
        assert_hr(S_OK, BwJobOpenById(&j->id, &seen[i]));
        assert_hr(S_OK, BwJobClose(seen[i]));
    }
    bw__handle_test_stats(&after);
    assert_int_equal(after.slots, slots + 1);                     /* one new slot, 3 generations */
    assert_int_equal((uintptr_t)seen[2] >> 16, 3);
    BW_JOB next = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &next));
    assert_true(((uintptr_t)next & 0xFFFFu) != ((uintptr_t)seen[0] & 0xFFFFu)); /* retired */
    for (int i = 0; i < 3; i++)
        assert_hr(E_HANDLE, BwJobClose(seen[i]));
    assert_hr(E_HANDLE, BwJobClose(h));
    assert_hr(S_OK, BwJobClose(next));
}

/* When every value is used up (x86 after ~4.28e9 opens; here a lowered slot
 * limit), opening fails with BW_E_TOO_MANY_HANDLES: no old value returns. */
static void used_up_table_says_too_many_handles(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    bw__handle_stats st;
    BW_JOB h = NULL;
    bw__handle_test_stats(&st);
    bw__handle_test_limits(1, st.slots, 0); /* no new slots; each slot used once more */
    while (BwJobOpenById(&j->id, &h) == S_OK)
        assert_hr(S_OK, BwJobClose(h));
    h = (BW_JOB)(uintptr_t)0x1234;
    assert_hr(BW_E_TOO_MANY_HANDLES, BwJobOpenById(&j->id, &h));
    assert_null(h);
    assert_int_equal(j->opened, j->closed); /* the backend job was released */
}

/* Issue 11.8: 65,280 handles open at once, then a code that says so. */
static void handle_limit_is_65280_then_too_many_handles(void **state)
{
    enum { LIMIT = 65280 };
    static BW_JOB hs[LIMIT];
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    bw__handle_stats st;
    bw__handle_test_stats(&st);
    UINT32 usable = LIMIT - st.retired; /* earlier tests retired some slots */
    for (UINT32 i = 0; i < usable; i++)
        assert_hr(S_OK, BwJobOpenById(&j->id, &hs[i]));
    BW_JOB extra = (BW_JOB)(uintptr_t)0x1234;
    assert_hr(BW_E_TOO_MANY_HANDLES, BwJobOpenById(&j->id, &extra));
    assert_null(extra);
    WCHAR text[200];
    assert_hr(S_OK, BwFormatMessage(BW_E_TOO_MANY_HANDLES, text, 200, NULL));
    assert_true(wcontains(text, "BW_E_TOO_MANY_HANDLES"));
    for (UINT32 i = 0; i < usable; i++)
        assert_hr(S_OK, BwJobClose(hs[i]));
    assert_int_equal(j->opened, j->closed);
}

/* Issue 11.8: a lock allocation failing after a new chunk was allocated
 * gave E_OUTOFMEMORY and leaked the chunk (the retry allocated another). */
static void failed_lock_allocation_keeps_the_new_chunk(void **state)
{
    enum { MAX = 70000 };
    static BW_JOB hs[MAX];
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    bw__handle_stats st;
    int n = 0;
    /* Open until the next open needs a new chunk (no free slot, slots % 256 == 0). */
    for (;;) {
        assert_true(n < MAX);
        assert_hr(S_OK, BwJobOpenById(&j->id, &hs[n++]));
        bw__handle_test_stats(&st);
        if (st.open == st.slots - st.retired && st.slots % 256 == 0)
            break;
    }
    UINT32 chunks = st.chunk_allocs;
    bw__handle_test_limits(0, 0, 1); /* the next lock allocation fails */
    BW_JOB h = NULL;
    assert_hr(E_OUTOFMEMORY, BwJobOpenById(&j->id, &h));
    assert_null(h);
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    bw__handle_test_stats(&st);
    assert_int_equal(st.chunk_allocs, chunks + 1); /* one chunk for both tries */
    assert_hr(S_OK, BwJobClose(h));
    for (int i = 0; i < n; i++)
        assert_hr(S_OK, BwJobClose(hs[i]));
    assert_int_equal(j->opened, j->closed);
}

typedef struct slow_call {
    BW_JOB h;
    HRESULT hr;
    int progress; /* 1: BwJobGetProgress instead of BwJobPoll */
} slow_call;

static void slow_call_worker(void *p)
{
    slow_call *c = p;
    if (c->progress) {
        BW_PROGRESS pr = {sizeof pr};
        c->hr = BwJobGetProgress(c->h, &pr);
    } else {
        BW_STATUS st = {sizeof st};
        c->hr = BwJobPoll(c->h, 0, &st);
    }
}

/* Issue 11.4: BwJobClose waited for the poller's BITS call (a 2 s GetState
 * made close take 1.9 s; a hung call made it hang). */
static void close_returns_while_a_call_is_in_flight(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    j->state_delay_ms = 1500;
    slow_call poll = {h, S_OK, 0}, queued = {h, S_OK, 1};
    test_thread_start s1 = {slow_call_worker, &poll}, s2 = {slow_call_worker, &queued};
    test_thread t1 = test_thread_run(&s1);
    test_sleep_ms(100); /* t1 is inside GetState */
    test_thread t2 = test_thread_run(&s2);
    test_sleep_ms(100); /* t2 waits for t1's call on the same handle */

    UINT64 start = bw__now_ms();
    assert_hr(S_OK, BwJobClose(h));
    UINT64 took = bw__now_ms() - start;
    if (took > 100)
        fail_msg("BwJobClose took %llu ms with a call in flight", (unsigned long long)took);
    assert_int_equal(bw__handle_count(), 0);
    assert_int_equal(fake_job_closed(j), 0); /* still in use by the call in flight */

    test_thread_join(t1);
    test_thread_join(t2);
    assert_hr(E_HANDLE, poll.hr);   /* closed during its read */
    assert_hr(E_HANDLE, queued.hr); /* closed before its turn came */
    assert_int_equal(j->n_progress, 1); /* the poll's own read; the queued call made none */
    assert_int_equal(j->closed, 1); /* freed when the last user left */
    assert_hr(E_HANDLE, BwJobClose(h));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(open_gives_a_handle_close_releases_it),
        T(open_with_and_without_braces),
        T(open_reports_bad_input_and_missing_jobs),
        T(double_close_and_stale_handles_are_e_handle),
        T(forged_handles_are_e_handle),
        T(thousands_of_handles_open_at_once),
        T(many_threads_poll_open_and_close),
        T(closed_value_never_comes_back),
        T(freed_slots_are_reused_oldest_first),
        T(close_returns_while_a_call_is_in_flight),
        T(failed_lock_allocation_keeps_the_new_chunk),
        T(slot_with_used_up_generations_is_retired),
        T(handle_limit_is_65280_then_too_many_handles),
        T(used_up_table_says_too_many_handles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
