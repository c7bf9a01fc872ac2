/*
 * test_sim.c - libbitswatch_sim.so as PowerShell meets it: dlopen()ed from
 * the path given as argv[1], every function found with dlsym() by its export
 * name, scenarios written to temporary files and named by
 * BITSWATCH_SIM_SCENARIO. Nothing of the core is linked in here.
 *
 * Timelines are a few hundred milliseconds; every timed check leaves the
 * scheduler a wide margin (the machine running this is shared).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bitswatch.h"

#define RPC_UNAVAILABLE ((HRESULT)0x800706BAL)
#define INVALID_STATE ((HRESULT)0x8020000EL)
#define NO_ERROR_INFO ((HRESULT)0x8020000FL)
#define MORE_DATA HRESULT_FROM_WIN32(ERROR_MORE_DATA)

/* Fails with both HRESULTs in hex. */
#define assert_hr(expected, actual)                                                           \
    do {                                                                                      \
        HRESULT e_ = (HRESULT)(expected), a_ = (HRESULT)(actual);                             \
        if (e_ != a_)                                                                         \
            fail_msg("%s: expected 0x%08X, got 0x%08X", #actual, (unsigned)e_, (unsigned)a_); \
    } while (0)

/* ---- The library, through dlsym --------------------------------------------- */

#define BW_FUNCTIONS(X)                                                                  \
    X(BwGetVersion) X(BwJobOpen) X(BwJobOpenById) X(BwJobClose) X(BwJobPoll)            \
    X(BwJobGetProgress) X(BwJobGetReplyProgress) X(BwJobComplete) X(BwJobCancel)        \
    X(BwJobSuspend) X(BwJobResume) X(BwJobGetError) X(BwFreeError) X(BwJobGetInfo)      \
    X(BwFreeInfo) X(BwEnumJobs) X(BwFormatMessage) X(BwStateName) X(BwQueueOpen)       \
    X(BwQueuePoll) X(BwQueueGetJobs) X(BwQueueClose) X(BwJobGetDetails) X(BwFreeDetails)       \
    X(BwJobDiagnose) X(BwFreeDiagnosis) X(BwVerdictName)

static struct {
    void *so;
#define X(name) __typeof__(&name) name;
    BW_FUNCTIONS(X)
#undef X
} bw;

static const char *g_so_path;
static char g_dir[256];  /* this run's temporary directory */
static unsigned g_files; /* scenarios written (each gets a new name) */

/* ---- Helpers ---------------------------------------------------------------- */

static UINT64 now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (UINT64)ts.tv_sec * 1000u + (UINT64)ts.tv_nsec / 1000000u;
}

static void sleep_ms(UINT64 ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Sleeps until ms after t0 (at once when that has passed). */
static void sleep_until(UINT64 t0, UINT64 ms)
{
    UINT64 now = now_ms();
    if (now < t0 + ms)
        sleep_ms(t0 + ms - now);
}

static void write_file(const char *path, const char *text)
{
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    /* Replaced in one step, as a careful test does: never read half-written. */
    assert_int_equal(rename(tmp, path), 0);
}

/* Writes text to a new scenario file and names it in the environment; the
 * next call into the library loads it (and starts its clock). */
static const char *use_scenario(const char *text)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/scenario-%u.txt", g_dir, ++g_files);
    write_file(path, text);
    assert_int_equal(setenv("BITSWATCH_SIM_SCENARIO", path, 1), 0);
    return path;
}

/* ASCII to UTF-16 in one of four rotating buffers (main thread only). */
static const WCHAR *wz(const char *s)
{
    static WCHAR bufs[4][128];
    static int next;
    WCHAR *b = bufs[next++ % 4];
    size_t i = 0;
    for (; s[i] && i < 127; i++)
        b[i] = (WCHAR)(unsigned char)s[i];
    b[i] = 0;
    return b;
}

static int wcs_equal(const WCHAR *a, const WCHAR *b)
{
    if (!a || !b)
        return a == b;
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

#define assert_wcs(expected, actual)                                               \
    do {                                                                           \
        if (!wcs_equal((expected), (actual)))                                      \
            fail_msg("%s: not the expected UTF-16 text", #actual);                 \
    } while (0)

static BW_JOB open_job(const char *guid)
{
    BW_JOB h = NULL;
    assert_hr(S_OK, bw.BwJobOpen(wz(guid), &h));
    assert_non_null(h);
    return h;
}

static UINT32 state_of(BW_JOB h)
{
    BW_STATUS st = {sizeof st};
    HRESULT hr = bw.BwJobPoll(h, 0, &st);
    if (FAILED(hr))
        fail_msg("BwJobPoll: 0x%08X", (unsigned)hr);
    return st.State;
}

static UINT64 bytes_of(BW_JOB h)
{
    BW_PROGRESS p = {sizeof p};
    assert_hr(S_OK, bw.BwJobGetProgress(h, &p));
    return p.BytesTransferred;
}

/* ---- Timeline --------------------------------------------------------------- */

#define G1 "{11111111-0000-0000-0000-000000000001}"
#define G2 "{11111111-0000-0000-0000-000000000002}"
#define G3 "{11111111-0000-0000-0000-000000000003}"

/* QUEUED -> CONNECTING -> TRANSFERRING (bytes growing) -> TRANSFERRED, seen
 * in that order by waiting polls; times from BwJobGetInfo. */
static void test_timeline_in_order(void **state)
{
    use_scenario("# a download that goes all the way\n"
                 "job " G1 " name=\"timeline\" description=\"a download\"\n"
                 "  at 0   QUEUED       bytes=0/?\n"
                 "  at 150 CONNECTING\n"
                 "  at 300 TRANSFERRING bytes=0/100000 files=0/1\n"
                 "  at 600 TRANSFERRING bytes=100000/100000\n"
                 "  at 650 TRANSFERRED  files=1/1\n");
    UINT64 t0 = now_ms();
    BW_JOB h = open_job(G1);

    UINT32 seen[16];
    unsigned nseen = 0;
    UINT64 bytes[64];
    unsigned nbytes = 0;
    BW_STATUS st = {sizeof st};
    BW_INFO info = {sizeof info};
    UINT64 created = 0;
    for (int i = 0; i < 200; i++) {
        HRESULT hr = bw.BwJobPoll(h, 2000, &st);
        if (FAILED(hr))
            fail_msg("BwJobPoll: 0x%08X", (unsigned)hr);
        if (nseen == 0 || seen[nseen - 1] != st.State) {
            assert_true(nseen < 16);
            seen[nseen++] = st.State;
        }
        if (i == 0) { /* QUEUED, the first poll: not completed */
            assert_hr(S_OK, bw.BwJobGetInfo(h, &info));
            assert_int_equal(info.TransferCompletionTime, 0);
            created = info.CreationTime;
            assert_true(created > 116444736000000000ull); /* after 1970: a wall-clock FILETIME */
            bw.BwFreeInfo(&info);
        }
        if (st.State == BW_STATE_TRANSFERRING && nbytes < 64)
            bytes[nbytes++] = st.BytesTransferred;
        if (st.State == BW_STATE_TRANSFERRED)
            break;
        assert_true(now_ms() - t0 < 5000);
    }
    assert_int_equal(st.State, BW_STATE_TRANSFERRED);
    assert_true(now_ms() - t0 >= 640); /* not before its time */
    static const UINT32 want[] = {BW_STATE_QUEUED, BW_STATE_CONNECTING, BW_STATE_TRANSFERRING,
                                  BW_STATE_TRANSFERRED};
    if (nseen != 4 || memcmp(seen, want, sizeof want) != 0) {
        for (unsigned i = 0; i < nseen; i++)
            print_message("state %u: %u\n", i, seen[i]);
        fail_msg("states not seen as QUEUED, CONNECTING, TRANSFERRING, TRANSFERRED");
    }
    /* Bytes grew while TRANSFERRING, through values in between. */
    unsigned between = 0;
    for (unsigned i = 0; i < nbytes; i++) {
        if (i > 0 && bytes[i] < bytes[i - 1])
            fail_msg("bytes went back: %llu after %llu", (unsigned long long)bytes[i],
                     (unsigned long long)bytes[i - 1]);
        if (bytes[i] > 0 && bytes[i] < 100000)
            between++;
    }
    if (between < 3)
        fail_msg("only %u polls saw bytes between 0 and 100000", between);
    assert_int_equal(st.BytesTotal, 100000);
    assert_int_equal(st.BytesTransferred, 100000);
    assert_int_equal(st.FilesTotal, 1);
    assert_int_equal(st.FilesTransferred, 1);
    assert_int_equal(st.EtaSeconds, 0);

    /* Modification: the last keyframe passed; completion: when it became
     * TRANSFERRED; both counted from the load, which is the creation time. */
    assert_hr(S_OK, bw.BwJobGetInfo(h, &info));
    assert_int_equal(info.CreationTime, created);
    assert_int_equal(info.TransferCompletionTime - created, 650 * 10000ull);
    assert_int_equal(info.ModificationTime - created, 650 * 10000ull);
    assert_wcs(u"timeline", info.DisplayName);
    assert_wcs(u"a download", info.Description);
    assert_null(info.Owner);
    assert_int_equal(info.Priority, 2); /* NORMAL unless the scenario says */
    assert_int_equal(info.Type, BW_TYPE_DOWNLOAD);
    bw.BwFreeInfo(&info);

    /* A final state with nothing new returns at once, however long the wait. */
    UINT64 t1 = now_ms();
    assert_hr(S_FALSE, bw.BwJobPoll(h, 5000, &st));
    assert_true(now_ms() - t1 < 1000);
    assert_hr(S_OK, bw.BwJobClose(h));
}

/* ---- Errors ----------------------------------------------------------------- */

static void test_http_error(void **state)
{
    use_scenario("job " G2 " type=upload owner='CONTOSO\\alice' priority=0 errors=3 name=\"caf\\u00e9 \xe2\x98\x95\"\n"
                 "  at 0   CONNECTING\n"
                 "  at 100 ERROR error=0x80190194 context=REMOTE_FILE"
                 " text=\"HTTP 404: \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80 \\\"quoted\\\"\\tend\""
                 " remote=\"http://127.0.0.1:8080/missing.bin\" local='C:\\temp\\new.bin'\n");
    BW_JOB h = open_job(G2);

    BW_ERROR e = {sizeof e};
    assert_hr(NO_ERROR_INFO, bw.BwJobGetError(h, &e)); /* CONNECTING: no error yet */
    bw.BwFreeError(&e);

    BW_STATUS st = {sizeof st};
    UINT64 t0 = now_ms();
    while (st.State != BW_STATE_ERROR) {
        assert_true(now_ms() - t0 < 5000);
        assert_true(SUCCEEDED(bw.BwJobPoll(h, 1000, &st)));
    }
    assert_hr((HRESULT)0x80190194, st.ErrorCode);
    assert_int_equal(st.ErrorContext, BW_CONTEXT_REMOTE_FILE);

    e.cbSize = sizeof e;
    assert_hr(S_OK, bw.BwJobGetError(h, &e));
    assert_hr((HRESULT)0x80190194, e.ErrorCode);
    assert_int_equal(e.Context, BW_CONTEXT_REMOTE_FILE);
    assert_wcs(u"HTTP 404: été 😀 \"quoted\"\tend", e.Description); /* U+1F600: a surrogate pair */
    assert_wcs(u"http://127.0.0.1:8080/missing.bin", e.RemoteName);
    assert_wcs(u"C:\\temp\\new.bin", e.LocalName); /* '...' is raw text */
    assert_wcs(u"http", e.Protocol);
    assert_non_null(e.ContextDescription); /* the core's text for REMOTE_FILE */
    bw.BwFreeError(&e);

    BW_INFO info = {sizeof info};
    assert_hr(S_OK, bw.BwJobGetInfo(h, &info));
    assert_wcs(u"café ☕", info.DisplayName);
    assert_wcs(u"CONTOSO\\alice", info.Owner);
    assert_null(info.Description);
    assert_int_equal(info.Priority, 0);
    assert_int_equal(info.ErrorCount, 3);
    assert_int_equal(info.Type, BW_TYPE_UPLOAD);
    assert_int_equal(info.TransferCompletionTime, 0);
    bw.BwFreeInfo(&info);

    /* A job in ERROR can be cancelled (once). */
    assert_hr(INVALID_STATE, bw.BwJobComplete(h));
    assert_hr(S_OK, bw.BwJobCancel(h));
    assert_int_equal(state_of(h), BW_STATE_CANCELLED);
    assert_hr(INVALID_STATE, bw.BwJobCancel(h));
    assert_hr(INVALID_STATE, bw.BwJobResume(h));
    e.cbSize = sizeof e;
    assert_hr(NO_ERROR_INFO, bw.BwJobGetError(h, &e));
    bw.BwFreeError(&e);
    assert_hr(S_OK, bw.BwJobClose(h));
}

/* ---- Diagnosis (issue 19) ------------------------------------------------------ */

static UINT32 verdict_of(BW_JOB h, const char16_t *explanation_part)
{
    BW_DIAGNOSIS d = {sizeof d};
    assert_hr(S_OK, bw.BwJobDiagnose(h, 0, &d));
    assert_non_null(d.Explanation);
    if (explanation_part) {
        size_t n = 0;
        while (explanation_part[n])
            n++;
        int found = 0;
        for (const WCHAR *w = d.Explanation; *w && !found; w++)
            found = memcmp(w, explanation_part, n * sizeof(WCHAR)) == 0;
        assert_true(found);
    }
    UINT32 v = d.Verdict;
    bw.BwFreeDiagnosis(&d);
    return v;
}

/* Scripted jobs in the situations of the rule table: the simulator gives
 * times (from its load) and one file per job, no retry delay or proxy. */
static void test_diagnose(void **state)
{
    use_scenario("admin\n"
                 "job " G1 " name=forgotten\n"
                 "  at 0 SUSPENDED remote=\"http://example.test/a.bin\" local='C:\\a.bin'\n"
                 "job " G2 "\n"
                 "  at 0 TRANSFERRED bytes=10/10 files=1/1 remote=\"http://example.test/b.bin\"\n"
                 "job " G3 "\n"
                 "  at 0 ERROR error=0x80190194 context=5 remote=\"http://example.test/gone\"\n"
                 "job {11111111-0000-0000-0000-000000000004} name=busy\n"
                 "  at 0 TRANSFERRING bytes=5/100\n"
                 "job {11111111-0000-0000-0000-000000000005}\n"
                 "  at 0 QUEUED\n");
    BW_JOB h1 = open_job(G1), h2 = open_job(G2), h3 = open_job(G3);
    BW_JOB h4 = open_job("{11111111-0000-0000-0000-000000000004}");
    BW_JOB h5 = open_job("{11111111-0000-0000-0000-000000000005}");
    assert_int_equal(verdict_of(h1, u"has never moved a byte"), BW_VERDICT_SUSPENDED);
    assert_int_equal(verdict_of(h2, u"nobody called Complete"), BW_VERDICT_NOT_COMPLETED);
    assert_int_equal(verdict_of(h3, u"http://example.test/gone answered HTTP 404"), BW_VERDICT_REMOTE_ERROR);
    assert_int_equal(verdict_of(h4, NULL), BW_VERDICT_MOVING);
    assert_int_equal(verdict_of(h5, u"Queued behind 1 job ('busy' Transferring, priority Normal)"),
                     BW_VERDICT_QUEUED_BEHIND);

    BW_DETAILS dt = {sizeof dt};
    assert_hr(S_OK, bw.BwJobGetDetails(h1, &dt));
    assert_int_equal(dt.Known, BW_KNOWN_FILES);
    assert_int_equal(dt.FileCount, 1);
    assert_wcs(u"http://example.test/a.bin", dt.Files[0].RemoteName);
    assert_wcs(u"C:\\a.bin", dt.Files[0].LocalName);
    bw.BwFreeDetails(&dt);
    assert_wcs(u"QueuedBehind", bw.BwVerdictName(BW_VERDICT_QUEUED_BEHIND));
    BW_JOB all[] = {h1, h2, h3, h4, h5};
    for (unsigned i = 0; i < 5; i++)
        assert_hr(S_OK, bw.BwJobClose(all[i]));
}

/* ---- Reply progress ----------------------------------------------------------- */

static void test_upload_reply(void **state)
{
    use_scenario("job " G1 " type=upload-reply\n"
                 "  at 0   TRANSFERRING bytes=0/1000\n"
                 "  at 100 TRANSFERRING bytes=1000/1000 reply=0/50000\n"
                 "  at 500 TRANSFERRING reply=50000/50000\n"
                 "  at 550 TRANSFERRED\n"
                 "job " G2 "\n"
                 "  at 0 TRANSFERRING bytes=0/10\n");
    UINT64 t0 = now_ms();
    BW_JOB h = open_job(G1);
    BW_JOB d = open_job(G2);

    BW_REPLY_PROGRESS r = {sizeof r};
    assert_hr(BW_E_NOT_UPLOAD_REPLY, bw.BwJobGetReplyProgress(d, &r));
    assert_hr(S_OK, bw.BwJobGetReplyProgress(h, &r));
    if (now_ms() - t0 < 90) { /* before the reply starts, its size is unknown */
        assert_true(r.BytesTotal == BW_SIZE_UNKNOWN);
        assert_int_equal(r.BytesTransferred, 0);
    }

    sleep_until(t0, 300);
    assert_hr(S_OK, bw.BwJobGetReplyProgress(h, &r));
    assert_int_equal(r.BytesTotal, 50000);
    if (now_ms() - t0 < 480) {
        assert_true(r.BytesTransferred > 0);
        assert_true(r.BytesTransferred < 50000);
    }

    BW_STATUS st = {sizeof st};
    while (st.State != BW_STATE_TRANSFERRED) {
        assert_true(now_ms() - t0 < 5000);
        assert_true(SUCCEEDED(bw.BwJobPoll(h, 1000, &st)));
    }
    assert_int_equal(st.Type, BW_TYPE_UPLOAD_REPLY);
    assert_int_equal(st.ReplyBytesTotal, 50000);
    assert_int_equal(st.ReplyBytesTransferred, 50000);
    assert_int_equal(st.BytesTransferred, 1000);
    assert_hr(S_OK, bw.BwJobClose(h));
    assert_hr(S_OK, bw.BwJobClose(d));
}

/* ---- Control calls ------------------------------------------------------------ */

static void test_suspend_resume_complete(void **state)
{
    use_scenario("job " G1 "\n"
                 "  at 0   TRANSFERRING bytes=0/1000000\n"
                 "  at 300 TRANSFERRING bytes=1000000/1000000\n"
                 "  at 350 TRANSFERRED\n");
    UINT64 t0 = now_ms();
    BW_JOB h = open_job(G1);
    assert_hr(INVALID_STATE, bw.BwJobComplete(h)); /* not TRANSFERRED yet */

    sleep_until(t0, 100);
    assert_hr(S_OK, bw.BwJobSuspend(h));
    UINT64 suspended_at = now_ms();
    assert_hr(S_OK, bw.BwJobSuspend(h)); /* again: nothing to do */
    assert_int_equal(state_of(h), BW_STATE_SUSPENDED);
    UINT64 frozen = bytes_of(h);
    assert_true(frozen > 0 && frozen < 1000000);

    /* The timeline stands still: longer than the rest of it. */
    sleep_ms(400);
    assert_int_equal(state_of(h), BW_STATE_SUSPENDED);
    assert_int_equal(bytes_of(h), frozen);
    BW_INFO info = {sizeof info};
    assert_hr(S_OK, bw.BwJobGetInfo(h, &info));
    assert_int_equal(info.TransferCompletionTime, 0);
    bw.BwFreeInfo(&info);

    assert_hr(S_OK, bw.BwJobResume(h));
    UINT64 paused = now_ms() - suspended_at;
    assert_int_equal(state_of(h), BW_STATE_TRANSFERRING);
    assert_true(bytes_of(h) >= frozen); /* goes on from where it stood */

    BW_STATUS st = {sizeof st};
    while (st.State != BW_STATE_TRANSFERRED) {
        assert_true(now_ms() - t0 < 5000);
        assert_true(SUCCEEDED(bw.BwJobPoll(h, 1000, &st)));
    }
    /* The job's clock was shifted by the pause. */
    assert_true(now_ms() - t0 >= 340 + paused);

    assert_hr(S_OK, bw.BwJobComplete(h));
    assert_int_equal(state_of(h), BW_STATE_ACKNOWLEDGED);
    assert_hr(INVALID_STATE, bw.BwJobComplete(h));
    assert_hr(INVALID_STATE, bw.BwJobCancel(h));
    assert_hr(INVALID_STATE, bw.BwJobSuspend(h));
    assert_hr(S_OK, bw.BwJobGetInfo(h, &info));
    assert_true(info.TransferCompletionTime != 0);
    bw.BwFreeInfo(&info);
    assert_hr(S_OK, bw.BwJobClose(h));
}

/* Cancel freezes the job in CANCELLED; the rest of its timeline no longer
 * shows (but a later `gone` still comes). */
static void test_cancel(void **state)
{
    use_scenario("job " G1 "\n"
                 "  at 0   TRANSFERRING bytes=0/1000\n"
                 "  at 100 TRANSFERRED bytes=1000/1000\n"
                 "  at 300 gone\n");
    UINT64 t0 = now_ms();
    BW_JOB h = open_job(G1);
    assert_hr(S_OK, bw.BwJobCancel(h));
    sleep_until(t0, 150);
    if (now_ms() - t0 < 280)
        assert_int_equal(state_of(h), BW_STATE_CANCELLED);
    sleep_until(t0, 350);
    assert_hr(BG_E_NOT_FOUND, bw.BwJobCancel(h));
    assert_hr(S_OK, bw.BwJobClose(h));
}

/* ---- A job that vanishes ---------------------------------------------------------- */

static void test_gone(void **state)
{
    use_scenario("job " G1 "\n"
                 "  at 0   TRANSFERRING bytes=0/?\n"
                 "  at 150 gone\n"
                 "job " G2 "\n"
                 "job " G3 "\n"
                 "  at 0 gone\n");
    UINT64 t0 = now_ms();
    BW_JOB h = open_job(G1);
    BW_JOB other = NULL;
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G3), &other)); /* gone from the start */
    assert_null(other);

    GUID ids[4];
    UINT32 n = 0;
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 4, &n));
    assert_int_equal(n, 2);

    /* A waiting poll ends with BG_E_NOT_FOUND when the job vanishes. */
    BW_STATUS st = {sizeof st};
    HRESULT hr;
    do {
        assert_true(now_ms() - t0 < 5000);
        hr = bw.BwJobPoll(h, 1000, &st);
    } while (SUCCEEDED(hr));
    assert_hr(BG_E_NOT_FOUND, hr);
    assert_true(now_ms() - t0 >= 140);

    BW_PROGRESS p = {sizeof p};
    BW_INFO info = {sizeof info};
    BW_ERROR e = {sizeof e};
    assert_hr(BG_E_NOT_FOUND, bw.BwJobGetProgress(h, &p));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobGetInfo(h, &info));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobGetError(h, &e));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobSuspend(h));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobResume(h));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobCancel(h));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobComplete(h));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G1), &other));
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 4, &n));
    assert_int_equal(n, 1); /* only G2 (no `at` line: QUEUED for ever) */
    assert_int_equal(ids[0].Data4[7], 2);
    assert_hr(S_OK, bw.BwJobClose(h)); /* closing a gone job's handle is fine */
}

/* A job may come later: gone from 0, back at 100 (its fields start afresh
 * from the keyframe before the gone line, here none). */
static void test_gone_then_back(void **state)
{
    use_scenario("job " G1 "\n  at 0 gone\n  at 100 CONNECTING\n");
    UINT64 t0 = now_ms();
    BW_JOB h = NULL;
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G1), &h));
    assert_true(now_ms() - t0 < 90); /* else too slow to tell */
    sleep_until(t0, 150);
    h = open_job(G1);
    assert_int_equal(state_of(h), BW_STATE_CONNECTING);
    assert_hr(S_OK, bw.BwJobClose(h));
}

/* ---- The queue: jobs that arrive and jobs that leave ------------------------------ */

/* The core's census is shared by the process and counts at most every
 * 100 ms: a test that starts a scenario lets the previous test's count age
 * first, so its first census is of the new scenario. */
static void census_due(void)
{
    sleep_ms(150);
}

/* Jobs in the queue now, by BwEnumJobs (ids: room for 8). */
static UINT32 enum_count(GUID *ids)
{
    UINT32 n = 0;
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 8, &n));
    return n;
}

/* created=: another program creates the job then. Before: not listed, not
 * counted, not found; after: there, QUEUED until its first `at` line, with
 * that time as its CreationTime. */
static void test_created_later(void **state)
{
    census_due();
    use_scenario("job " G1 "\n"
                 "job " G2 " created=300 name=\"late\"\n"
                 "  at 400 TRANSFERRING bytes=0/100\n");
    UINT64 t0 = now_ms();
    GUID ids[8];
    BW_JOB h = NULL;
    assert_int_equal(enum_count(ids), 1);
    assert_int_equal(ids[0].Data4[7], 1);
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G2), &h));
    BW_QUEUE q = NULL;
    assert_hr(S_OK, bw.BwQueueOpen(0, &q));
    BW_QUEUE_STATUS qs = {sizeof qs};
    assert_hr(S_OK, bw.BwQueuePoll(q, 0, &qs)); /* the first poll: every job arrived */
    assert_int_equal(qs.JobCount, 1);
    assert_int_equal(qs.Added, 1);
    assert_true(now_ms() - t0 < 250); /* else too slow to tell */

    /* The census sees it arrive (a count, then the list). */
    assert_hr(S_OK, bw.BwQueuePoll(q, 3000, &qs));
    assert_true(now_ms() - t0 >= 290);
    assert_int_equal(qs.JobCount, 2);
    assert_int_equal(qs.Added, 1);
    assert_int_equal(qs.Removed, 0);
    UINT32 n = 0;
    assert_hr(S_OK, bw.BwQueueGetJobs(q, ids, 8, &n));
    assert_int_equal(n, 2);
    assert_int_equal(enum_count(ids), 2);
    assert_int_equal(ids[1].Data4[7], 2); /* file order */

    h = open_job(G2);
    BW_INFO info = {sizeof info};
    assert_hr(S_OK, bw.BwJobGetInfo(h, &info));
    BW_JOB h1 = open_job(G1);
    BW_INFO info1 = {sizeof info1};
    assert_hr(S_OK, bw.BwJobGetInfo(h1, &info1));
    assert_int_equal(info.CreationTime - info1.CreationTime, 300 * 10000ull);
    bw.BwFreeInfo(&info);
    bw.BwFreeInfo(&info1);
    if (now_ms() - t0 < 380)
        assert_int_equal(state_of(h), BW_STATE_QUEUED);
    sleep_until(t0, 450);
    assert_int_equal(state_of(h), BW_STATE_TRANSFERRING);
    assert_hr(S_OK, bw.BwJobClose(h));
    assert_hr(S_OK, bw.BwJobClose(h1));
    assert_hr(S_OK, bw.BwQueueClose(q));
}

/* A job cancelled or completed by another program (a CANCELLED or
 * ACKNOWLEDGED keyframe) leaves the queue: not listed, not counted, not
 * found by BwJobOpen; a handle opened before reads its state. The same for
 * this process' own BwJobCancel/BwJobComplete. */
static void test_leave_queue(void **state)
{
    census_due();
    use_scenario("job " G1 "\n"
                 "  at 0   TRANSFERRING bytes=0/100\n"
                 "  at 200 CANCELLED bytes=40/100\n"
                 "job " G2 "\n"
                 "  at 0   TRANSFERRED bytes=100/100\n"
                 "  at 200 ACKNOWLEDGED\n"
                 "job " G3 "\n"
                 "  at 0   TRANSFERRED bytes=100/100\n");
    UINT64 t0 = now_ms();
    GUID ids[8];
    BW_JOB h1 = open_job(G1), h2 = open_job(G2), h3 = open_job(G3);
    BW_QUEUE q = NULL;
    BW_QUEUE_STATUS qs = {sizeof qs};
    assert_hr(S_OK, bw.BwQueueOpen(0, &q));
    assert_hr(S_OK, bw.BwQueuePoll(q, 0, &qs));
    assert_int_equal(qs.JobCount, 3);
    assert_true(now_ms() - t0 < 180); /* else too slow to tell */

    /* Both leave at 200: the census sees two fewer. */
    assert_hr(S_OK, bw.BwQueuePoll(q, 3000, &qs));
    assert_true(now_ms() - t0 >= 190);
    assert_int_equal(qs.JobCount, 1);
    assert_int_equal(qs.Removed, 2);
    assert_int_equal(qs.Added, 0);
    assert_int_equal(enum_count(ids), 1);
    assert_int_equal(ids[0].Data4[7], 3);
    BW_JOB other = NULL;
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G1), &other));
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G2), &other));
    assert_null(other);
    /* The handles held read why they left. */
    assert_int_equal(state_of(h1), BW_STATE_CANCELLED);
    assert_int_equal(bytes_of(h1), 40);
    assert_int_equal(state_of(h2), BW_STATE_ACKNOWLEDGED);

    /* This process completes G3: it leaves too. */
    assert_hr(S_OK, bw.BwJobComplete(h3));
    assert_int_equal(state_of(h3), BW_STATE_ACKNOWLEDGED);
    assert_int_equal(enum_count(ids), 0);
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G3), &other));
    assert_hr(S_OK, bw.BwQueuePoll(q, 3000, &qs));
    assert_int_equal(qs.JobCount, 0);
    assert_int_equal(qs.Removed, 1);
    assert_hr(S_OK, bw.BwJobClose(h1));
    assert_hr(S_OK, bw.BwJobClose(h2));
    assert_hr(S_OK, bw.BwJobClose(h3));
    assert_hr(S_OK, bw.BwQueueClose(q));
}

/* The census (count_jobs) follows enum_jobs' rules: every user's jobs need
 * `admin`, and the service being down fails it. */
static void test_census_rules(void **state)
{
    census_due();
    use_scenario("job " G1 "\njob " G2 "\n  at 0 gone\nservice-down 300 100000\n");
    UINT64 t0 = now_ms();
    BW_QUEUE q = NULL;
    assert_hr(E_ACCESSDENIED, bw.BwQueueOpen(BW_ENUM_ALL_USERS, &q));
    assert_null(q);
    assert_hr(S_OK, bw.BwQueueOpen(0, &q));
    BW_QUEUE_STATUS qs = {sizeof qs};
    assert_hr(S_OK, bw.BwQueuePoll(q, 0, &qs));
    assert_int_equal(qs.JobCount, 1);
    assert_true(now_ms() - t0 < 250); /* else too slow to tell */
    sleep_until(t0, 450);
    assert_hr(RPC_UNAVAILABLE, bw.BwQueuePoll(q, 0, &qs));
    assert_hr(S_OK, bw.BwQueueClose(q));

    use_scenario("admin\njob " G1 "\njob " G2 "\n");
    assert_hr(S_OK, bw.BwQueueOpen(BW_ENUM_ALL_USERS, &q)); /* a census of its own (flags) */
    assert_hr(S_OK, bw.BwQueuePoll(q, 0, &qs));
    assert_int_equal(qs.JobCount, 2);
    assert_hr(S_OK, bw.BwQueueClose(q));
}

/* ---- The service going away ---------------------------------------------------------- */

static void test_service_down(void **state)
{
    use_scenario("job " G1 "\n"
                 "  at 0 TRANSFERRING bytes=0/1000000\n"
                 "  at 1000 TRANSFERRING bytes=1000000/1000000\n"
                 "service-down 150 600\n");
    UINT64 t0 = now_ms();
    BW_JOB h = open_job(G1);
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, bw.BwJobPoll(h, 0, &st));

    sleep_until(t0, 250);
    assert_true(now_ms() - t0 < 550); /* else this machine is too slow for the window */
    BW_PROGRESS p = {sizeof p};
    BW_INFO info = {sizeof info};
    BW_ERROR e = {sizeof e};
    BW_REPLY_PROGRESS r = {sizeof r};
    BW_JOB other = NULL;
    GUID ids[2];
    UINT32 n = 7;
    assert_hr(RPC_UNAVAILABLE, bw.BwJobPoll(h, 0, &st));
    assert_hr(RPC_UNAVAILABLE, bw.BwJobGetProgress(h, &p));
    assert_hr(RPC_UNAVAILABLE, bw.BwJobGetInfo(h, &info));
    assert_hr(RPC_UNAVAILABLE, bw.BwJobGetError(h, &e));
    assert_hr(BW_E_NOT_UPLOAD_REPLY, bw.BwJobGetReplyProgress(h, &r)); /* the core knows: no call */
    assert_hr(RPC_UNAVAILABLE, bw.BwJobSuspend(h));
    assert_hr(RPC_UNAVAILABLE, bw.BwJobResume(h));
    assert_hr(RPC_UNAVAILABLE, bw.BwJobCancel(h));
    assert_hr(RPC_UNAVAILABLE, bw.BwJobComplete(h));
    assert_hr(RPC_UNAVAILABLE, bw.BwJobOpen(wz(G1), &other));
    assert_hr(RPC_UNAVAILABLE, bw.BwEnumJobs(0, ids, 2, &n));
    assert_int_equal(n, 0);

    /* Back after the window, on the same handle. */
    sleep_until(t0, 650);
    assert_hr(S_OK, bw.BwJobGetProgress(h, &p));
    assert_true(p.BytesTransferred > 0);
    assert_true(SUCCEEDED(bw.BwJobPoll(h, 0, &st)));
    assert_int_equal(st.State, BW_STATE_TRANSFERRING);
    assert_hr(S_OK, bw.BwJobClose(h));
}

/* ---- Enumeration and the admin line ------------------------------------------------------ */

static void test_enum_and_admin(void **state)
{
    use_scenario("job " G3 "\n"
                 "job " G1 "\n"
                 "job " G2 "\n"
                 "  at 0 gone\n");
    GUID ids[4];
    UINT32 n = 0;
    assert_hr(MORE_DATA, bw.BwEnumJobs(0, NULL, 0, &n));
    assert_int_equal(n, 2);
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 4, &n));
    assert_int_equal(n, 2);
    assert_int_equal(ids[0].Data1, 0x11111111u); /* file order: G3, G1 */
    assert_int_equal(ids[0].Data4[7], 3);
    assert_int_equal(ids[1].Data4[7], 1);
    assert_hr(E_ACCESSDENIED, bw.BwEnumJobs(BW_ENUM_ALL_USERS, ids, 4, &n));

    use_scenario("admin\n"
                 "job " G1 "\n");
    assert_hr(S_OK, bw.BwEnumJobs(BW_ENUM_ALL_USERS, ids, 4, &n));
    assert_int_equal(n, 1);
    assert_int_equal(ids[0].Data4[7], 1);
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 4, &n));
    assert_int_equal(n, 1);
}

/* No variable, or a file that is not there: no jobs, and no noise. */
static void test_no_scenario(void **state)
{
    GUID ids[2];
    UINT32 n = 7;
    BW_JOB h = NULL;
    assert_int_equal(unsetenv("BITSWATCH_SIM_SCENARIO"), 0);
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 2, &n));
    assert_int_equal(n, 0);
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G1), &h));

    char path[300];
    snprintf(path, sizeof path, "%s/not-there.txt", g_dir);
    assert_int_equal(setenv("BITSWATCH_SIM_SCENARIO", path, 1), 0);
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 2, &n));
    assert_int_equal(n, 0);
    assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G1), &h));

    /* The file appearing later is picked up. */
    write_file(path, "job " G1 "\n");
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 2, &n));
    assert_int_equal(n, 1);
    unlink(path);
}

/* ---- Reload --------------------------------------------------------------------------------- */

static void test_reload(void **state)
{
    const char *name = use_scenario("job " G1 "\n  at 0 TRANSFERRING bytes=5/10\n");
    char path[300];
    snprintf(path, sizeof path, "%s", name);
    BW_JOB h = open_job(G1);
    assert_int_equal(bytes_of(h), 5);

    /* Rewritten (replaced): G1 changes, G2 appears; the handle follows G1. */
    write_file(path, "job " G1 "\n  at 0 TRANSFERRING bytes=7/10\njob " G2 "\n");
    assert_int_equal(bytes_of(h), 7);
    BW_JOB h2 = open_job(G2);

    /* Rewritten in place (same inode, other size): G1 is no more. */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("job " G2 " name=\"only\"\n", f);
    fclose(f);
    assert_int_equal(state_of(h2), BW_STATE_QUEUED);
    BW_PROGRESS p = {sizeof p};
    assert_hr(BG_E_NOT_FOUND, bw.BwJobGetProgress(h, &p));
    GUID ids[2];
    UINT32 n = 0;
    assert_hr(S_OK, bw.BwEnumJobs(0, ids, 2, &n));
    assert_int_equal(n, 1);
    assert_int_equal(ids[0].Data4[7], 2);
    assert_hr(S_OK, bw.BwJobClose(h));
    assert_hr(S_OK, bw.BwJobClose(h2));
}

/* Rewritten in place (as the Pester suite's File.WriteAllText does) with the
 * same size, right after the previous call: only the file's times tell. They
 * do on kernels with multigrain timestamps (Linux 6.13+: a change after a
 * stat() gets a fine-grained time); with the older coarse tick this would
 * fail, and the simulator would need to compare contents (README.md). */
static void test_reload_same_size(void **state)
{
    const char *name = use_scenario("job " G1 "\n  at 0 TRANSFERRING bytes=0/10\n");
    char path[300];
    snprintf(path, sizeof path, "%s", name);
    BW_JOB h = open_job(G1);
    for (unsigned i = 1; i <= 9; i++) {
        char text[200];
        snprintf(text, sizeof text, "job " G1 "\n  at 0 TRANSFERRING bytes=%u/10\n", i);
        FILE *f = fopen(path, "wb"); /* same inode, same size */
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
        UINT64 got = bytes_of(h);
        if (got != i)
            fail_msg("rewrite %u: bytes %llu, expected %u (the rewrite was not seen)", i,
                     (unsigned long long)got, i);
    }
    assert_hr(S_OK, bw.BwJobClose(h));
}

/* A call that loads a scenario sees its job at time 0, however the clock
 * ticks during the load (a time read before the load once made the job's
 * clock run backwards, wrap, and pass its `gone` line at once). */
static void test_fresh_load(void **state)
{
    for (unsigned i = 0; i < 1500; i++) {
        use_scenario("job " G1 "\n  at 0 QUEUED\n  at 60000 gone\n");
        BW_JOB h = NULL;
        HRESULT hr = bw.BwJobOpen(wz(G1), &h);
        if (hr != S_OK)
            fail_msg("load %u: BwJobOpen: expected 0x00000000, got 0x%08X", i, (unsigned)hr);
        assert_hr(S_OK, bw.BwJobClose(h));
    }
}

/* ---- Parse errors ------------------------------------------------------------------------- */

/* Runs f with stderr going to a file; returns what it wrote (static). */
static const char *capture_stderr(void (*f)(void))
{
    static char out[2048];
    char path[300];
    snprintf(path, sizeof path, "%s/stderr.txt", g_dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *r = fopen(path, "rb");
    assert_non_null(r);
    size_t n = fread(out, 1, sizeof out - 1, r);
    fclose(r);
    out[n] = 0;
    return out;
}

static UINT32 g_enum_count;
static HRESULT g_enum_hr;
static void enum_now(void)
{
    GUID ids[4];
    g_enum_hr = bw.BwEnumJobs(0, ids, 4, &g_enum_count);
}

static void test_parse_errors(void **state)
{
    static const struct {
        const char *text;
        unsigned line;
        const char *says; /* part of the message */
    } k[] = {
        {"job " G1 "\n  at 0 QUEUED\n  at 100 TRANSFERING\n", 3, "unknown state 'TRANSFERING'"},
        {"at 0 QUEUED\n", 1, "before any 'job'"},
        {"job " G1 " owner=\"DOMAIN\\user\"\n", 1, "\\u needs 4 hex digits"},
        {"job " G1 " colour=red\n", 1, "unknown key 'colour'"},
        {"job " G1 "\n  at 100 QUEUED\n  at 50 CONNECTING\n", 3, "before the previous"},
        {"job " G1 "\n  at 0 TRANSFERRING bytes=5/3\n", 2, "bytes="},
        {"job " G1 "\n\n# fine\njob " G1 "\n", 4, "already on line 1"},
        {"job " G1 "\n  at 0 QUEUED reply=0/?\n", 2, "not type=upload-reply"},
        {"job {1234}\n", 1, "job needs a GUID"},
        {"job " G1 " name=\"open\n", 1, "not closed"},
        {"job " G1 " name=\"bad \xff\"\n", 1, "UTF-8"},
        {"service-down 300 200\n", 1, "service-down"},
        {"admin\njobs " G1 "\n", 2, "unknown line 'jobs'"},
        {"job " G1 "\n  at 0 ERROR error=404x\n", 2, "error="},
        {"job " G1 "\n  at 10 gone bytes=1/2\n", 2, "gone takes nothing"},
        {"job " G1 " created=soon\n", 1, "created= must be a time"},
        {"job " G1 " created=500\n  at 100 QUEUED\n", 2, "before the job's created=500"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        const char *path = use_scenario(k[i].text);
        const char *err = capture_stderr(enum_now);
        char where[400];
        snprintf(where, sizeof where, "bitswatch_sim: %s:%u: ", path, k[i].line);
        if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, k[i].says) ||
            strchr(err, '\n') != err + strlen(err) - 1)
            fail_msg("case %zu: expected one line starting '%s' with '%s', got '%s'", i, where,
                     k[i].says, err);
        /* The scenario counts as empty: nothing of it happened. */
        assert_hr(S_OK, g_enum_hr);
        assert_int_equal(g_enum_count, 0);
        BW_JOB h = NULL;
        assert_hr(BG_E_NOT_FOUND, bw.BwJobOpen(wz(G1), &h));
        /* Said once per load, not on every call. */
        assert_string_equal(capture_stderr(enum_now), "");
    }

    /* And the accepted forms of the same things say nothing. */
    use_scenario("\xef\xbb\xbf# BOM, CRLF, comments, names in any case\r\n"
                 "job 11111111-0000-0000-0000-000000000001 type=Upload-Reply  # no braces\r\n"
                 "  at 0 queued reply=0/? # comment\r\n"
                 "  at 5 Transient_Error error=2147942405 context=6 text=\"has # inside\"\r\n"
                 "\r\n"
                 "service-down 100000 100001\r\n");
    assert_string_equal(capture_stderr(enum_now), "");
    assert_int_equal(g_enum_count, 1);
}

/* ---- Threads -------------------------------------------------------------------------------- */

static void *poller(void *arg)
{
    const char *guid = arg;
    WCHAR id[40]; /* not wz(): its buffers are shared */
    size_t n = 0;
    for (; guid[n] && n < 39; n++)
        id[n] = (WCHAR)guid[n];
    id[n] = 0;
    UINT64 t0 = now_ms();
    while (now_ms() - t0 < 300) {
        BW_JOB h = NULL;
        if (FAILED(bw.BwJobOpen(id, &h)))
            continue;
        BW_STATUS st = {sizeof st};
        BW_INFO info = {sizeof info};
        bw.BwJobPoll(h, 20, &st);
        if (SUCCEEDED(bw.BwJobGetInfo(h, &info)))
            bw.BwFreeInfo(&info);
        bw.BwJobSuspend(h);
        bw.BwJobResume(h);
        bw.BwJobClose(h);
    }
    return NULL;
}

/* Calls from several threads while the scenario is rewritten under them. */
static void test_threads(void **state)
{
    const char *name = use_scenario("job " G1 "\n  at 0 TRANSFERRING bytes=0/100\n  at 200 TRANSFERRING bytes=100/100\n"
                                    "job " G2 " type=upload-reply\n  at 0 TRANSFERRING reply=0/10\n  at 200 TRANSFERRING reply=10/10\n");
    char path[300];
    snprintf(path, sizeof path, "%s", name);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, poller, (void *)(i % 2 ? G1 : G2)), 0);
    for (int i = 0; i < 5; i++) {
        sleep_ms(50);
        write_file(path, i % 2 ? "job " G1 "\n  at 0 CONNECTING\n" : "job " G2 " type=upload-reply\njob " G1 "\n");
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
}

/* ---- Main --------------------------------------------------------------------------------- */

static void test_exports(void **state)
{
    assert_int_equal(bw.BwGetVersion(), BW_VERSION);
    assert_wcs(u"Transferring", bw.BwStateName(BW_STATE_TRANSFERRING));
    UINT32 needed = 0;
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), bw.BwFormatMessage(RPC_UNAVAILABLE, NULL, 0, &needed));
    assert_true(needed > 1);
}

int main(int argc, char **argv)
{
    g_so_path = argc > 1 ? argv[1] : getenv("BW_SIM_LIBRARY");
    if (!g_so_path) {
        fprintf(stderr, "usage: %s <path of libbitswatch_sim.so>\n", argv[0]);
        return 2;
    }
    /* RTLD_LOCAL, as .NET's NativeLibrary loads it. */
    bw.so = dlopen(g_so_path, RTLD_NOW | RTLD_LOCAL);
    if (!bw.so) {
        fprintf(stderr, "dlopen %s: %s\n", g_so_path, dlerror());
        return 1;
    }
#define X(name)                                                   \
    *(void **)&bw.name = dlsym(bw.so, #name);                     \
    if (!bw.name) {                                               \
        fprintf(stderr, "%s: no export %s\n", g_so_path, #name);  \
        return 1;                                                 \
    }
    BW_FUNCTIONS(X)
#undef X

    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/bw-sim-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_timeline_in_order),
        cmocka_unit_test(test_http_error),
        cmocka_unit_test(test_upload_reply),
        cmocka_unit_test(test_suspend_resume_complete),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_gone),
        cmocka_unit_test(test_gone_then_back),
        cmocka_unit_test(test_created_later),
        cmocka_unit_test(test_leave_queue),
        cmocka_unit_test(test_census_rules),
        cmocka_unit_test(test_service_down),
        cmocka_unit_test(test_enum_and_admin),
        cmocka_unit_test(test_no_scenario),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_fresh_load),
        cmocka_unit_test(test_reload_same_size),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_diagnose),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    /* Remove what the tests wrote. */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    /* No dlclose: PowerShell never unloads it either, and the core's handle
     * table lives as long as the process (unmapping it would orphan it). */
    return failed;
}
