/*
 * integration_threads.c - bitswatch.dll from many threads and every kind of
 * COM apartment, against Wine's real BITS, and jobs that disappear while
 * being watched:
 *
 *  - stress: a throttled job (/slow, ~15 s); 8 threads each poll one shared
 *    handle and a handle of their own, thousands of polls in all, while
 *    another thread opens, polls and closes handles on the same job. Every
 *    result is S_OK or S_FALSE (S_OK exactly when Changed != 0), states are
 *    those of a download on its way, counters never go back (per thread),
 *    and every thread ends (no deadlock: a watchdog fails the run).
 *  - close ends a wait: BwJobPoll(h, 10000) on a job that does not move
 *    (/hang) in one thread; BwJobClose(h) in another ends it with E_HANDLE,
 *    measured from the close (the contract says "promptly": fail > 500 ms,
 *    the target being 100 ms).
 *  - apartments: every function from an STA thread, an MTA thread and a
 *    thread that never initialized COM; CoGetApartmentType and a
 *    CoInitializeEx probe give the same answer before and after each call.
 *  - a job that disappears: a /hang job cancelled by another process (bwjob
 *    cancel) and a /fast job completed by another process (bwjob complete)
 *    while three threads wait on two handles: every wait ends with CANCELLED /
 *    ACKNOWLEDGED or BG_E_NOT_FOUND within 1.5 s, and a later wait returns
 *    at once (a gone job is terminal).
 *
 * Cancelling a job in the middle of a throttled read can crash Wine 8's BITS
 * (wine-bits.md), so only /hang jobs and jobs that are not moving (ERROR) are
 * cancelled here; the stress job is left to finish and then completed.
 */
#include <windows.h>
#include <objbase.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "itest.h"

#define STRESS_PATH "/slow/1500000?rate=100000&chunk=8192" /* ~15 s */
#define STRESS_MS 12000
#define POLLERS 8
/* About 200 a second with 2 loaded cores under Wine (a cross-process read
 * costs ~0.7 ms idle, far more when 10 threads contend); a floor, not a goal. */
#define MIN_POLLS 1000

/* ---- helpers ----------------------------------------------------------- */

/* The first failure seen by a thread, reported by the main thread (cmocka's
 * assertions must not run outside it). */
typedef struct failure {
    LONG set;
    char text[512];
} failure;

static void failf(failure *f, const char *fmt, ...)
{
    va_list ap;
    if (InterlockedCompareExchange(&f->set, 1, 0) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
}

static void check_failure(const char *who, const failure *f)
{
    if (f->set)
        fail_msg("%s: %s", who, f->text);
}

/* ---- stress: 8 pollers and an opener ------------------------------------ */

static volatile LONG g_stop;
static wchar_t g_stress_guid[39];

typedef struct poller {
    BW_JOB shared, own;
    int shared_polls, own_polls;
    failure f;
} poller;

/* A snapshot of the stress job must be a download on its way. */
static int sane(const BW_STATUS *st, HRESULT hr, failure *f, const char *which, int n)
{
    if (hr != S_OK && hr != S_FALSE) {
        failf(f, "%s poll %d returned 0x%08lX", which, n, (unsigned long)hr);
        return 0;
    }
    if ((hr == S_OK) != (st->Changed != 0)) {
        failf(f, "%s poll %d: hr 0x%08lX with Changed 0x%X", which, n, (unsigned long)hr,
              (unsigned)st->Changed);
        return 0;
    }
    if (st->State != BW_STATE_QUEUED && st->State != BW_STATE_CONNECTING &&
        st->State != BW_STATE_TRANSFERRING && st->State != BW_STATE_TRANSFERRED) {
        failf(f, "%s poll %d: state %u (%ls)", which, n, (unsigned)st->State,
              bw.StateName(st->State));
        return 0;
    }
    if (st->Type != BW_TYPE_DOWNLOAD || st->FilesTotal != 1 || st->FilesTransferred > 1 ||
        st->ErrorCode != 0 || st->Sequence == 0 || st->Timestamp == 0 ||
        (st->BytesTotal != BW_SIZE_UNKNOWN && st->BytesTransferred > st->BytesTotal) ||
        (st->Changed & ~BW_CHANGED_ALL)) {
        failf(f, "%s poll %d: type %u files %u/%u error 0x%08lX seq %llu bytes %llu/%llu"
                 " changed 0x%X", which, n, (unsigned)st->Type, (unsigned)st->FilesTransferred,
              (unsigned)st->FilesTotal, (unsigned long)st->ErrorCode,
              (unsigned long long)st->Sequence, (unsigned long long)st->BytesTransferred,
              (unsigned long long)st->BytesTotal, (unsigned)st->Changed);
        return 0;
    }
    return 1;
}

/* Each thread's calls are sequential, so what it sees never goes back. */
static int monotonic(const BW_STATUS *prev, const BW_STATUS *st, failure *f, const char *which,
                     int n)
{
    if (!prev->cbSize)
        return 1;
    if (st->Sequence < prev->Sequence || st->Timestamp < prev->Timestamp ||
        st->BytesTransferred < prev->BytesTransferred || st->State < prev->State) {
        failf(f, "%s poll %d went back: seq %llu -> %llu, bytes %llu -> %llu, state %u -> %u",
              which, n, (unsigned long long)prev->Sequence, (unsigned long long)st->Sequence,
              (unsigned long long)prev->BytesTransferred,
              (unsigned long long)st->BytesTransferred, (unsigned)prev->State,
              (unsigned)st->State);
        return 0;
    }
    return 1;
}

static DWORD WINAPI poller_main(void *arg)
{
    poller *p = arg;
    BW_STATUS prev_shared, prev_own, st;
    HRESULT hr;
    int i = 0;

    memset(&prev_shared, 0, sizeof prev_shared);
    memset(&prev_own, 0, sizeof prev_own);
    while (!g_stop) {
        st = itest_status();
        hr = bw.JobPoll(p->shared, 0, &st);
        p->shared_polls++;
        if (!sane(&st, hr, &p->f, "shared", p->shared_polls) ||
            !monotonic(&prev_shared, &st, &p->f, "shared", p->shared_polls))
            return 1;
        prev_shared = st;

        /* Mostly at once; now and then a short wait, so waits and plain
         * reads overlap on the same handles. */
        st = itest_status();
        hr = bw.JobPoll(p->own, (i % 16) == 0 ? 20 : 0, &st);
        p->own_polls++;
        if (!sane(&st, hr, &p->f, "own", p->own_polls) ||
            !monotonic(&prev_own, &st, &p->f, "own", p->own_polls))
            return 1;
        /* The own handle is polled by this thread only: each change counts. */
        if (prev_own.cbSize && st.Sequence != prev_own.Sequence + (hr == S_OK ? 1 : 0)) {
            failf(&p->f, "own poll %d: Sequence %llu after %llu with hr 0x%08lX", p->own_polls,
                  (unsigned long long)st.Sequence, (unsigned long long)prev_own.Sequence,
                  (unsigned long)hr);
            return 1;
        }
        prev_own = st;

        if ((i % 32) == 0) {
            BW_PROGRESS pr;
            memset(&pr, 0, sizeof pr);
            pr.cbSize = sizeof pr;
            hr = bw.JobGetProgress(p->shared, &pr);
            if (hr != S_OK || pr.FilesTotal != 1) {
                failf(&p->f, "BwJobGetProgress(shared) 0x%08lX files %u", (unsigned long)hr,
                      (unsigned)pr.FilesTotal);
                return 1;
            }
        }
        i++;
    }
    return 0;
}

typedef struct opener {
    int cycles;
    failure f;
} opener;

static DWORD WINAPI opener_main(void *arg)
{
    opener *o = arg;
    while (!g_stop) {
        BW_JOB h = NULL;
        BW_STATUS st = itest_status();
        HRESULT hr = bw.JobOpen(g_stress_guid, &h);
        if (hr != S_OK || !h) {
            failf(&o->f, "cycle %d: BwJobOpen 0x%08lX", o->cycles, (unsigned long)hr);
            return 1;
        }
        hr = bw.JobPoll(h, 0, &st);
        /* A new handle's first poll reports everything, whatever others saw. */
        if (hr != S_OK || st.Changed != BW_CHANGED_ALL || st.Sequence != 1) {
            failf(&o->f, "cycle %d: first poll of a new handle 0x%08lX Changed 0x%X Sequence %llu",
                  o->cycles, (unsigned long)hr, (unsigned)st.Changed,
                  (unsigned long long)st.Sequence);
            bw.JobClose(h);
            return 1;
        }
        hr = bw.JobClose(h);
        if (hr != S_OK) {
            failf(&o->f, "cycle %d: BwJobClose 0x%08lX", o->cycles, (unsigned long)hr);
            return 1;
        }
        hr = bw.JobClose(h);
        if (hr != E_HANDLE) {
            failf(&o->f, "cycle %d: second BwJobClose 0x%08lX, expected E_HANDLE", o->cycles,
                  (unsigned long)hr);
            return 1;
        }
        o->cycles++;
    }
    return 0;
}

static void test_stress(void **state)
{
    poller p[POLLERS];
    opener o;
    HANDLE threads[POLLERS + 1];
    BW_JOB shared;
    BW_STATUS st;
    int total = 0, n = 0;
    uint64_t start, elapsed;
    DWORD w;

    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_stress", 90000);
    itest_create_job(STRESS_PATH, L"bw-itest-stress", g_stress_guid, NULL);
    assert_hr(S_OK, bw.JobOpen(g_stress_guid, &shared));
    memset(p, 0, sizeof p);
    memset(&o, 0, sizeof o);
    for (int i = 0; i < POLLERS; i++) {
        p[i].shared = shared;
        assert_hr(S_OK, bw.JobOpen(g_stress_guid, &p[i].own));
    }
    g_stop = 0;
    start = itest_now_ms();
    for (int i = 0; i < POLLERS; i++) {
        threads[n] = CreateThread(NULL, 0, poller_main, &p[i], 0, NULL);
        assert_non_null(threads[n]);
        n++;
    }
    threads[n] = CreateThread(NULL, 0, opener_main, &o, 0, NULL);
    assert_non_null(threads[n]);
    n++;

    Sleep(STRESS_MS);
    InterlockedExchange(&g_stop, 1);
    w = WaitForMultipleObjects((DWORD)n, threads, TRUE, 20000);
    elapsed = itest_now_ms() - start;
    if (w == WAIT_TIMEOUT)
        fail_msg("the threads did not stop within 20 s of being told to (deadlock?)");
    for (int i = 0; i < n; i++)
        CloseHandle(threads[i]);

    for (int i = 0; i < POLLERS; i++) {
        char who[32];
        snprintf(who, sizeof who, "poller %d", i);
        check_failure(who, &p[i].f);
        total += p[i].shared_polls + p[i].own_polls;
    }
    check_failure("opener", &o.f);
    print_message("stress: %d polls by %d threads + %d open/poll/close cycles in %llu ms\n",
                  total, POLLERS, o.cycles, (unsigned long long)elapsed);
    if (total < MIN_POLLS)
        fail_msg("only %d polls in %llu ms; expected at least %d", total,
                 (unsigned long long)elapsed, MIN_POLLS);
    if (o.cycles < 20)
        fail_msg("only %d open/close cycles", o.cycles);

    for (int i = 0; i < POLLERS; i++)
        assert_hr(S_OK, bw.JobClose(p[i].own));
    /* The job must still be the same live job, and finish. */
    assert_succeeded(itest_poll_until(shared, BW_STATE_TRANSFERRED, BW_STATE_ERROR,
                                      itest_now_ms() + 45000, &st));
    if (st.State != BW_STATE_TRANSFERRED)
        fail_msg("the stress job ended in %ls, expected TRANSFERRED", bw.StateName(st.State));
    assert_succeeded(bw.JobComplete(shared));
    assert_hr(S_OK, bw.JobClose(shared));
    itest_watchdog_off();
}

/* ---- closing a handle ends a wait on it --------------------------------- */

typedef struct close_wait {
    BW_JOB job;
    HRESULT hr;
    BW_STATUS st;
    double start_ms, end_ms;
} close_wait;

static DWORD WINAPI close_waiter(void *arg)
{
    close_wait *c = arg;
    c->st = itest_status();
    c->start_ms = itest_now_precise_ms();
    c->hr = bw.JobPoll(c->job, 10000, &c->st);
    c->end_ms = itest_now_precise_ms();
    return 0;
}

static void test_close_ends_wait(void **state)
{
    wchar_t guid[39];
    BW_JOB keep;
    BW_STATUS st;
    double worst = 0;
    int rounds = 0, tries = 0;

    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_close_ends_wait", 60000);
    /* /hang: the job stays CONNECTING/TRANSFERRING with nothing moving, so a
     * wait on it only ends by timeout, or by the close. */
    itest_create_job("/hang/1000000", L"bw-itest-closewait", guid, NULL);
    assert_hr(S_OK, bw.JobOpen(guid, &keep));
    assert_succeeded(itest_poll_until(keep, BW_STATE_TRANSFERRING, BW_STATE_ERROR,
                                      itest_now_ms() + 20000, &st));
    if (st.State != BW_STATE_TRANSFERRING)
        fail_msg("the /hang job is %ls, expected TRANSFERRING", bw.StateName(st.State));

    while (rounds < 3) {
        close_wait c;
        HANDLE t;
        double closed_at, latency;
        HRESULT hr;

        if (++tries > 8)
            fail_msg("the job kept changing: no quiet wait to interrupt in 8 tries");
        memset(&c, 0, sizeof c);
        assert_hr(S_OK, bw.JobOpen(guid, &c.job));
        st = itest_status();
        assert_hr(S_OK, bw.JobPoll(c.job, 0, &st)); /* the first poll reports all */
        t = CreateThread(NULL, 0, close_waiter, &c, 0, NULL);
        assert_non_null(t);
        Sleep(300);
        if (WaitForSingleObject(t, 0) == WAIT_OBJECT_0) {
            CloseHandle(t);
            if (c.hr != S_OK)
                fail_msg("BwJobPoll(h, 10000) returned 0x%08lX before the close",
                         (unsigned long)c.hr);
            bw.JobClose(c.job); /* something changed: try again */
            continue;
        }
        closed_at = itest_now_precise_ms();
        hr = bw.JobClose(c.job);
        if (WaitForSingleObject(t, 5000) != WAIT_OBJECT_0)
            fail_msg("closing the handle did not end BwJobPoll(h, 10000) within 5 s");
        CloseHandle(t);
        assert_hr(S_OK, hr);
        latency = c.end_ms - closed_at;
        print_message("close ends wait: returned 0x%08lX %.1f ms after BwJobClose"
                      " (waited %.0f ms)\n", (unsigned long)c.hr, latency,
                      c.end_ms - c.start_ms);
        assert_hr(E_HANDLE, c.hr);
        if (latency > worst)
            worst = latency;
        rounds++;
    }
    print_message("close ends wait: worst %.1f ms (target 100 ms, failing above 500)\n", worst);
    if (worst > 500)
        fail_msg("a wait ended %.1f ms after its handle was closed; expected <= 100 ms"
                 " (500 with Wine's slack)", worst);
    /* A /hang job may be cancelled safely under Wine (wine-bits.md). */
    assert_succeeded(bw.JobCancel(keep));
    assert_hr(S_OK, bw.JobClose(keep));
    itest_watchdog_off();
}

/* ---- apartments --------------------------------------------------------- */

enum apt_kind { APT_STA, APT_MTA, APT_NONE };
static const char *const apt_names[] = {"STA", "MTA", "no COM"};

typedef struct apt_probe {
    HRESULT hr;
    APTTYPE type;
    APTTYPEQUALIFIER qualifier;
    HRESULT init; /* CoInitializeEx(STA) on the thread, undone at once */
} apt_probe;

static apt_probe probe_apartment(void)
{
    apt_probe p;
    memset(&p, 0, sizeof p);
    p.hr = CoGetApartmentType(&p.type, &p.qualifier);
    if (FAILED(p.hr)) {
        p.type = (APTTYPE)-2;
        p.qualifier = (APTTYPEQUALIFIER)-2;
    }
    p.init = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (SUCCEEDED(p.init))
        CoUninitialize();
    return p;
}

typedef struct apt_run {
    enum apt_kind kind;
    wchar_t guid[39];
    GUID id;
    int calls;
    apt_probe first;
    failure f;
} apt_run;

#define APT_CALLS 19 /* the APT_CALLs in apt_main */

/* Runs one call between two probes; the probes must agree. */
#define APT_CALL(r, expr, ok)                                                                \
    do {                                                                                     \
        apt_probe before_ = probe_apartment(), after_;                                       \
        HRESULT hr_ = (expr);                                                                \
        after_ = probe_apartment();                                                          \
        (r)->calls++;                                                                        \
        if (memcmp(&before_, &after_, sizeof before_) != 0) {                                \
            failf(&(r)->f, "%s changed the apartment: CoGetApartmentType 0x%08lX %d/%d ->"   \
                           " 0x%08lX %d/%d, CoInitializeEx probe 0x%08lX -> 0x%08lX",        \
                  #expr, (unsigned long)before_.hr, (int)before_.type,                       \
                  (int)before_.qualifier, (unsigned long)after_.hr, (int)after_.type,        \
                  (int)after_.qualifier, (unsigned long)before_.init,                        \
                  (unsigned long)after_.init);                                               \
            goto out;                                                                        \
        }                                                                                    \
        if (!(ok)) {                                                                         \
            failf(&(r)->f, "%s returned 0x%08lX", #expr, (unsigned long)hr_);                \
            goto out;                                                                        \
        }                                                                                    \
    } while (0)

static DWORD WINAPI apt_main(void *arg)
{
    apt_run *r = arg;
    BW_JOB h = NULL, h2 = NULL;
    BW_STATUS st = itest_status();
    BW_PROGRESS pr;
    BW_REPLY_PROGRESS rp;
    BW_ERROR er;
    BW_INFO in;
    GUID ids[256];
    UINT32 count = 0, needed = 0;
    WCHAR text[512];
    const WCHAR *name = NULL;
    int found = 0;

    if (r->kind == APT_STA && FAILED(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED)))
        failf(&r->f, "CoInitializeEx(STA) failed");
    if (r->kind == APT_MTA && FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED)))
        failf(&r->f, "CoInitializeEx(MTA) failed");
    if (r->f.set)
        return 1;
    r->first = probe_apartment();
    /* The probe itself must tell the three kinds apart. */
    if ((r->kind == APT_STA && (r->first.init != S_FALSE || FAILED(r->first.hr) ||
                                (r->first.type != APTTYPE_STA && r->first.type != APTTYPE_MAINSTA))) ||
        (r->kind == APT_MTA && (r->first.init != RPC_E_CHANGED_MODE ||
                                r->first.type != APTTYPE_MTA)) ||
        (r->kind == APT_NONE && r->first.init != S_OK)) {
        failf(&r->f, "unexpected apartment at the start: 0x%08lX %d/%d, probe 0x%08lX",
              (unsigned long)r->first.hr, (int)r->first.type, (int)r->first.qualifier,
              (unsigned long)r->first.init);
        return 1;
    }

    memset(&pr, 0, sizeof pr);
    pr.cbSize = sizeof pr;
    memset(&rp, 0, sizeof rp);
    rp.cbSize = sizeof rp;
    memset(&er, 0, sizeof er);
    er.cbSize = sizeof er;
    memset(&in, 0, sizeof in);
    in.cbSize = sizeof in;

    APT_CALL(r, (HRESULT)bw.GetVersion(), hr_ == (HRESULT)BW_VERSION);
    APT_CALL(r, bw.JobOpen(r->guid, &h), hr_ == S_OK && h);
    APT_CALL(r, bw.JobOpenById(&r->id, &h2), hr_ == S_OK && h2);
    APT_CALL(r, bw.JobPoll(h, 0, &st),
             hr_ == S_OK && st.State == BW_STATE_ERROR && st.ErrorCode == ITEST_HTTP_404);
    APT_CALL(r, bw.JobPoll(h2, 200, &st), hr_ == S_OK && st.State == BW_STATE_ERROR);
    APT_CALL(r, bw.JobPoll(h2, 200, &st), hr_ == S_FALSE && st.State == BW_STATE_ERROR);
    APT_CALL(r, bw.JobGetProgress(h, &pr), hr_ == S_OK && pr.FilesTotal == 1);
    APT_CALL(r, bw.JobGetReplyProgress(h, &rp), hr_ == BW_E_NOT_UPLOAD_REPLY);
    APT_CALL(r, bw.JobGetError(h, &er),
             hr_ == S_OK && er.ErrorCode == ITEST_HTTP_404 && er.Description);
    APT_CALL(r, (bw.FreeError(&er), S_OK), er.Description == NULL);
    APT_CALL(r, bw.JobGetInfo(h2, &in), hr_ == S_OK && IsEqualGUID(&in.JobId, &r->id));
    APT_CALL(r, (bw.FreeInfo(&in), S_OK), in.DisplayName == NULL);
    APT_CALL(r, bw.EnumJobs(0, NULL, 0, &count),
             (hr_ == S_OK || hr_ == HRESULT_FROM_WIN32(ERROR_MORE_DATA)) && count >= 1);
    APT_CALL(r, bw.EnumJobs(0, ids, 256, &count), hr_ == S_OK && count >= 1);
    for (UINT32 i = 0; i < count && i < 256; i++)
        found |= IsEqualGUID(&ids[i], &r->id);
    if (!found) {
        failf(&r->f, "BwEnumJobs did not list the job (%u jobs)", (unsigned)count);
        goto out;
    }
    APT_CALL(r, bw.FormatMessage(BG_E_NOT_FOUND, text, 512, &needed),
             hr_ == S_OK && wcsstr(text, L"BG_E_NOT_FOUND"));
    APT_CALL(r, (name = bw.StateName(BW_STATE_ERROR), S_OK), name && !wcscmp(name, bw.StateName(BW_STATE_ERROR)) && name[0]);
    APT_CALL(r, bw.JobClose(h2), hr_ == S_OK);
    h2 = NULL;
    APT_CALL(r, bw.JobClose(h), hr_ == S_OK);
    h = NULL;
    APT_CALL(r, bw.JobClose(h), hr_ == S_FALSE);

out:
    if (h2)
        bw.JobClose(h2);
    if (h)
        bw.JobClose(h);
    if (r->kind != APT_NONE)
        CoUninitialize();
    return 0;
}

static void test_apartments(void **state)
{
    wchar_t guid[39];
    BW_JOB h;
    BW_STATUS st;
    apt_run runs[3];

    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_apartments", 90000);
    itest_create_job("/status/404", L"bw-itest-apartments", guid, NULL);
    assert_hr(S_OK, bw.JobOpen(guid, &h));
    assert_succeeded(itest_poll_until(h, BW_STATE_ERROR, BW_STATE_TRANSFERRED,
                                      itest_now_ms() + 30000, &st));
    if (st.State != BW_STATE_ERROR)
        fail_msg("the 404 job is %ls, expected ERROR", bw.StateName(st.State));

    for (int k = APT_STA; k <= APT_NONE; k++) {
        HANDLE t;
        apt_run *r = &runs[k];
        memset(r, 0, sizeof *r);
        r->kind = (enum apt_kind)k;
        wcscpy(r->guid, guid);
        assert_hr(S_OK, IIDFromString(guid, &r->id));
        /* One thread at a time: each checks its own state around each call. */
        t = CreateThread(NULL, 0, apt_main, r, 0, NULL);
        assert_non_null(t);
        if (WaitForSingleObject(t, 30000) != WAIT_OBJECT_0)
            fail_msg("the %s thread did not finish in 30 s", apt_names[k]);
        CloseHandle(t);
        print_message("apartments: %s thread (CoGetApartmentType 0x%08lX %d/%d, probe 0x%08lX):"
                      " %d calls\n", apt_names[k], (unsigned long)r->first.hr,
                      (int)r->first.type, (int)r->first.qualifier,
                      (unsigned long)r->first.init, r->calls);
        check_failure(apt_names[k], &r->f);
        if (r->calls != APT_CALLS)
            fail_msg("%s thread: %d calls made, expected %d", apt_names[k], r->calls, APT_CALLS);
    }
    assert_succeeded(bw.JobCancel(h)); /* ERROR: not moving, safe to cancel */
    assert_hr(S_OK, bw.JobClose(h));
    itest_watchdog_off();
}

/* ---- a job that disappears ---------------------------------------------- */

typedef struct gone_wait {
    BW_JOB job;
    UINT32 terminal;    /* CANCELLED or ACKNOWLEDGED */
    HRESULT hr;         /* of the poll that ended the wait */
    BW_STATUS st;
    uint64_t end_ms;
    int polls;
    HRESULT after_hr;   /* one more BwJobPoll(10000) once it ended */
    UINT32 after_state;
    double after_ms;
} gone_wait;

static DWORD WINAPI gone_waiter(void *arg)
{
    gone_wait *g = arg;
    uint64_t deadline = itest_now_ms() + 30000;
    double t0;
    BW_STATUS st;

    do {
        g->st = itest_status();
        g->hr = bw.JobPoll(g->job, 10000, &g->st);
        g->polls++;
        if (FAILED(g->hr) || g->st.State == BW_STATE_CANCELLED ||
            g->st.State == BW_STATE_ACKNOWLEDGED)
            break;
    } while (itest_now_ms() < deadline);
    g->end_ms = itest_now_ms();
    /* The job is gone or terminal: a new wait must not sit out its timeout. */
    st = itest_status();
    t0 = itest_now_precise_ms();
    g->after_hr = bw.JobPoll(g->job, 10000, &st);
    g->after_ms = itest_now_precise_ms() - t0;
    g->after_state = st.State;
    return 0;
}

/* Three waiters on two handles (two share one) while another process runs
 * "bwjob <verb> <guid>". */
static void watch_disappear(const wchar_t *guid, const wchar_t *verb, UINT32 terminal)
{
    gone_wait g[3];
    BW_JOB ha, hb;
    HANDLE t[3];
    wchar_t args[96];
    char out[256];
    uint64_t cmd_start, cmd_done;
    int rc;

    assert_hr(S_OK, bw.JobOpen(guid, &ha));
    assert_hr(S_OK, bw.JobOpen(guid, &hb));
    memset(g, 0, sizeof g);
    g[0].job = ha;
    g[1].job = ha;
    g[2].job = hb;
    for (int i = 0; i < 3; i++) {
        g[i].terminal = terminal;
        t[i] = CreateThread(NULL, 0, gone_waiter, &g[i], 0, NULL);
        assert_non_null(t[i]);
    }
    Sleep(1000);
    for (int i = 0; i < 3; i++)
        if (WaitForSingleObject(t[i], 0) == WAIT_OBJECT_0)
            fail_msg("waiter %d ended before the %ls: 0x%08lX state %ls", i, verb,
                     (unsigned long)g[i].hr, bw.StateName(g[i].st.State));
    swprintf(args, 96, L"%ls %ls", verb, guid);
    cmd_start = itest_now_ms();
    rc = itest_bwjob(args, out, sizeof out);
    cmd_done = itest_now_ms();
    if (rc != 0)
        fail_msg("%sbwjob %ls: exit %d, output \"%s\"",
                 strstr(out, "800706BA") ? "BITS died: " : "", args, rc, out);
    if (WaitForMultipleObjects(3, t, TRUE, 15000) != WAIT_OBJECT_0)
        fail_msg("a wait did not end within 15 s of \"bwjob %ls\" (endless wait)", args);
    for (int i = 0; i < 3; i++) {
        CloseHandle(t[i]);
        print_message("%ls: waiter %d ended %lld ms after bwjob returned with 0x%08lX %ls"
                      " (%d polls); the next BwJobPoll(10000) took %.1f ms: 0x%08lX %ls\n",
                      verb, i, (long long)(g[i].end_ms - cmd_done), (unsigned long)g[i].hr,
                      bw.StateName(g[i].st.State), g[i].polls, g[i].after_ms,
                      (unsigned long)g[i].after_hr, bw.StateName(g[i].after_state));
        if (g[i].hr == ITEST_RPC_SERVER_UNAVAILABLE)
            itest_fail_hr("BwJobPoll(gone job)", S_OK, g[i].hr, __FILE__, __LINE__);
        if (!((SUCCEEDED(g[i].hr) && g[i].st.State == terminal) || g[i].hr == BG_E_NOT_FOUND))
            fail_msg("waiter %d ended with 0x%08lX, state %ls; expected %ls or BG_E_NOT_FOUND",
                     i, (unsigned long)g[i].hr, bw.StateName(g[i].st.State),
                     bw.StateName(terminal));
        if (g[i].end_ms + 50 < cmd_start)
            fail_msg("waiter %d ended before bwjob %ls started", i, verb);
        if (g[i].end_ms > cmd_done + 1500)
            fail_msg("waiter %d ended %llu ms after bwjob %ls returned; expected < 1500", i,
                     (unsigned long long)(g[i].end_ms - cmd_done), verb);
        if (!((SUCCEEDED(g[i].after_hr) && g[i].after_state == terminal) ||
              g[i].after_hr == BG_E_NOT_FOUND))
            fail_msg("waiter %d: the next wait gave 0x%08lX, state %ls", i,
                     (unsigned long)g[i].after_hr, bw.StateName(g[i].after_state));
        if (g[i].after_ms > 1000)
            fail_msg("waiter %d: BwJobPoll(10000) on a %ls job took %.0f ms; expected at once",
                     i, bw.StateName(terminal), g[i].after_ms);
    }
    assert_hr(S_OK, bw.JobClose(ha));
    assert_hr(S_OK, bw.JobClose(hb));
}

static void test_cancelled_while_watched(void **state)
{
    wchar_t guid[39];
    BW_JOB h;
    BW_STATUS st;

    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_cancelled_while_watched", 90000);
    /* /hang: headers, then nothing; never /slow (the Wine cancel bug). */
    itest_create_job("/hang/1000000", L"bw-itest-gone-cancel", guid, NULL);
    assert_hr(S_OK, bw.JobOpen(guid, &h));
    assert_succeeded(itest_poll_until(h, BW_STATE_TRANSFERRING, BW_STATE_ERROR,
                                      itest_now_ms() + 20000, &st));
    assert_hr(S_OK, bw.JobClose(h));
    if (st.State != BW_STATE_TRANSFERRING)
        fail_msg("the /hang job is %ls, expected TRANSFERRING", bw.StateName(st.State));
    watch_disappear(guid, L"cancel", BW_STATE_CANCELLED);
    itest_watchdog_off();
}

static void test_completed_while_watched(void **state)
{
    wchar_t guid[39];
    BW_JOB h;
    BW_STATUS st;

    (void)state;
    itest_require_bits();
    itest_watchdog_arm("test_completed_while_watched", 90000);
    itest_create_job("/fast/100000", L"bw-itest-gone-complete", guid, NULL);
    assert_hr(S_OK, bw.JobOpen(guid, &h));
    assert_succeeded(itest_poll_until(h, BW_STATE_TRANSFERRED, BW_STATE_ERROR,
                                      itest_now_ms() + 30000, &st));
    assert_hr(S_OK, bw.JobClose(h));
    if (st.State != BW_STATE_TRANSFERRED)
        fail_msg("the /fast job is %ls, expected TRANSFERRED", bw.StateName(st.State));
    watch_disappear(guid, L"complete", BW_STATE_ACKNOWLEDGED);
    itest_watchdog_off();
}

int wmain(int argc, wchar_t **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stress),
        cmocka_unit_test(test_close_ends_wait),
        cmocka_unit_test(test_apartments),
        cmocka_unit_test(test_completed_while_watched),
        cmocka_unit_test(test_cancelled_while_watched),
    };

    /* The main thread never initializes COM: every thread here picks its own. */
    return ITEST_MAIN(argc, argv, "integration_threads", tests, 0);
}
