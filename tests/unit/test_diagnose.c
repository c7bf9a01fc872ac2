/*
 * test_diagnose.c - BwJobDiagnose's rule table (dll/src/diagnose_rules.c) on
 * the scripted fake: one test per row, named after it, with the job's times
 * placed against the test clock (bw__test_set_clock: wall time is
 * BW_TEST_EPOCH_FT + the clock); BwJobGetDetails and its "unknown" bits; the
 * arguments; and the cost of a diagnosis in backend reads against a poll's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fake_backend.h"
#include "test_common.h"

#define FT_S 10000000ull
#define MINUTE (60 * FT_S)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)

static UINT64 g_ms;
static UINT64 test_clock(void) { return g_ms; }
static UINT64 now_ft(void) { return BW_TEST_EPOCH_FT + g_ms * 10000u; }

static int setup(void **state)
{
    fake_backend_install();
    g_ms = 1000000; /* 1000 s after the epoch */
    bw__test_set_clock(test_clock);
    return 0;
}

static int teardown(void **state)
{
    bw__test_set_clock(NULL);
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
    return 0;
}

static BW_JOB open_job(fake_job *j)
{
    BW_JOB h = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    return h;
}

/* What Windows answers for a job with default settings and one file. */
static void windows_defaults(fake_job *j)
{
    j->details_known = BW_KNOWN_RETRY_DELAY | BW_KNOWN_NO_PROGRESS_TIMEOUT | BW_KNOWN_PROXY |
                       BW_KNOWN_FILES;
    j->retry_delay = 600;
    j->no_progress_timeout = 1209600;
    j->proxy_usage = BW_PROXY_PRECONFIG;
    j->nfiles = 1;
    j->files[0].remote = "http://example.test/big.iso";
    j->files[0].local = "C:\\Downloads\\big.iso";
    j->files[0].total = 1000;
    j->owner = "CONTOSO\\alice";
    j->priority = 2;
}

/* Diagnoses j; fails with the whole diagnosis printed when the verdict is
 * not the expected one. */
static BW_DIAGNOSIS diagnose(BW_JOB h, UINT32 flags, UINT32 verdict)
{
    BW_DIAGNOSIS d;
    memset(&d, 0xCC, sizeof d);
    d.cbSize = sizeof d;
    assert_hr(S_OK, BwJobDiagnose(h, flags, &d));
    assert_non_null(d.Explanation);
    assert_non_null(d.Evidence);
    assert_non_null(d.Action);
    if (getenv("BW_DIAGNOSE_PRINT")) { /* the text 'bitswatch why' would show */
        char line[4096];
        size_t n = 0;
        const WCHAR *parts[] = {BwVerdictName(d.Verdict), d.Explanation, d.Action};
        for (int k = 0; k < 3; k++) {
            n += (size_t)snprintf(line + n, sizeof line - n, "%s", k ? (k == 1 ? "\n  " : "\n  Action: ") : "");
            for (const WCHAR *w = parts[k]; *w && n < sizeof line - 4; w++)
                line[n++] = *w < 128 ? (char)*w : '?';
            line[n] = 0;
        }
        print_message("%s\n", line);
    }
    if (d.Verdict != verdict) {
        char buf[4096];
        size_t n = 0;
        for (const WCHAR *w = d.Explanation; *w && n < sizeof buf - 1; w++)
            buf[n++] = (char)*w;
        buf[n] = 0;
        fail_msg("verdict %u (expected %u): %s", (unsigned)d.Verdict, (unsigned)verdict, buf);
    }
    return d;
}

#define assert_has(w, s)                                                                  \
    do {                                                                                  \
        if (!wcontains((w), (s))) {                                                       \
            char b_[4096];                                                                \
            size_t n_ = 0;                                                                \
            for (const WCHAR *p_ = (w); *p_ && n_ < sizeof b_ - 1; p_++)                  \
                b_[n_++] = (char)*p_;                                                     \
            b_[n_] = 0;                                                                   \
            fail_msg("'%s' not in: %s", (s), b_);                                         \
        }                                                                                 \
    } while (0)

/* ---- One test per rule ------------------------------------------------------ */

static void rule_finished(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_ACKNOWLEDGED;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_FINISHED);
    assert_has(d.Explanation, "Acknowledged");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_transferred_not_completed(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_TRANSFERRED;
    j->files[0].done = 1000;
    j->files[0].completed = 1;
    j->creation_time = now_ft() - 11 * DAY;
    j->completion_time = now_ft() - 10 * DAY;
    j->modification_time = now_ft() - 9 * DAY; /* a property set since */
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_NOT_COMPLETED);
    assert_has(d.Explanation, "Transferred for 10 days");
    assert_has(d.Explanation, "cancels the job in 80 days");
    assert_has(d.Action, "complete it");
    assert_true(d.Since == j->completion_time);
    assert_true(d.Due == j->completion_time + 90 * DAY);
    assert_has(d.Evidence, "Transferred at: ");
    assert_has(d.Evidence, "(10 days ago)");
    assert_has(d.Evidence, "File 1: http://example.test/big.iso -> C:\\Downloads\\big.iso, 1000 of 1000 bytes, complete");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_suspended_never_resumed_for_3_days(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_SUSPENDED;
    j->creation_time = j->modification_time = now_ft() - 3 * DAY;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_SUSPENDED);
    assert_has(d.Explanation, "Suspended for 3 days and has never moved a byte");
    assert_has(d.Explanation, "never called Resume");
    assert_has(d.Evidence, "Created: 2025-12-29 00:16:40 UTC (3 days ago)");
    assert_true(d.Since == j->creation_time);
    assert_true(d.Due == 0);
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_suspended_never_resumed_without_times(void **state)
{
    /* Wine: no times, no retry delay, no proxy; the files are known. */
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_SUSPENDED;
    j->priority_unknown = 1;
    j->details_known = BW_KNOWN_FILES;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_SUSPENDED);
    assert_has(d.Explanation, "Suspended for an unknown time (the service gives no times) and has never moved a byte");
    assert_has(d.Evidence, "Created: unknown");
    assert_has(d.Evidence, "Retry delay: unknown");
    assert_has(d.Evidence, "No-progress timeout: unknown");
    assert_has(d.Evidence, "Proxy: unknown");
    assert_has(d.Evidence, "Priority: unknown"); /* not "Foreground": 0 is not known */
    assert_has(d.Evidence, "Owner: unknown");
    assert_has(d.Evidence, "Owner logged on: unknown (needs the owner; Windows only)");
    assert_true(d.Since == 0);
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_suspended(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_SUSPENDED;
    j->progress.bytes_total = 1000;
    j->progress.bytes_transferred = 400;
    j->creation_time = now_ft() - 5 * DAY;
    j->modification_time = now_ft() - 2 * HOUR;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_SUSPENDED);
    assert_has(d.Explanation, "Suspended for 2 hours after moving 400 of 1000 bytes");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_network_disconnected(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_TRANSIENT_ERROR;
    j->error_code = (HRESULT)0x80200010;
    j->error_context = BW_CONTEXT_GENERAL_TRANSPORT;
    j->modification_time = now_ft() - 30 * MINUTE;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_RETRY_WAIT);
    assert_has(d.Explanation, "Waiting for a network for 30 minutes");
    assert_has(d.Explanation, "gives up in 14 days at the latest");
    assert_true(d.Due == j->modification_time + 1209600 * FT_S);
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_transient_error_retry_due_in_4_minutes(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_TRANSIENT_ERROR;
    j->error_code = (HRESULT)0x801901F7; /* HTTP 503 */
    j->error_context = BW_CONTEXT_REMOTE_FILE;
    j->error_remote_name = "http://example.test/big.iso";
    j->modification_time = now_ft() - 6 * MINUTE;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_RETRY_WAIT);
    assert_has(d.Explanation, "A transient error (0x801901F7 HTTP 503");
    assert_has(d.Explanation, "stopped it for 6 minutes; BITS retries in 4 minutes");
    assert_has(d.Explanation, "moves it to ERROR in 14 days at the latest");
    assert_has(d.Action, "http://example.test/big.iso");
    assert_true(d.Due == j->modification_time + 600 * FT_S);
    assert_has(d.Evidence, "Due: 2026-01-01 00:20:40 UTC (in 4 minutes)");
    assert_has(d.Evidence, "Retry delay: 600 s");
    assert_has(d.Evidence, "No-progress timeout: 1209600 s (14 days)");
    /* Four minutes later the retry is due. */
    g_ms += 4 * 60 * 1000;
    BwFreeDiagnosis(&d);
    d = diagnose(h, 0, BW_VERDICT_RETRY_WAIT);
    assert_has(d.Explanation, "BITS retries any moment now (it was due 0 s ago)");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_transient_error_retry_unknown_on_wine(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_TRANSIENT_ERROR;
    j->error_code = (HRESULT)0x80200010 + 0x1D; /* BG_E_CONNECT_FAILURE 0x8020002D */
    j->details_known = BW_KNOWN_FILES;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_RETRY_WAIT);
    assert_has(d.Explanation, "BITS retries after its retry delay (not known here)");
    assert_has(d.Explanation, "after its no-progress timeout (not known here)");
    assert_true(d.Due == 0);
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static fake_job *failed_job(HRESULT code, UINT32 context)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_ERROR;
    j->error_code = code;
    j->error_context = context;
    j->error_remote_name = "http://example.test/big.iso";
    j->error_local_name = "C:\\Downloads\\big.iso";
    j->modification_time = now_ft() - HOUR;
    return j;
}

static void rule_proxy_auth(void **state)
{
    fake_job *j = failed_job((HRESULT)0x80190197, BW_CONTEXT_REMOTE_FILE);
    j->proxy_usage = BW_PROXY_OVERRIDE;
    j->proxy_list = "proxy.contoso.test:8080";
    j->proxy_bypass = "<local>";
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_PROXY_ERROR);
    assert_has(d.Explanation, "HTTP 407");
    assert_has(d.Explanation, "proxy: override proxy.contoso.test:8080, bypass <local>");
    assert_has(d.Evidence, "Failing URL: http://example.test/big.iso");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_server_auth(void **state)
{
    BW_JOB h = open_job(failed_job((HRESULT)0x80190191, BW_CONTEXT_REMOTE_FILE));
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_REMOTE_ERROR);
    assert_has(d.Explanation, "requires credentials for http://example.test/big.iso (HTTP 401)");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_not_found(void **state)
{
    BW_JOB h = open_job(failed_job((HRESULT)0x80190194, BW_CONTEXT_REMOTE_FILE));
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_REMOTE_ERROR);
    assert_has(d.Explanation, "not on the server: http://example.test/big.iso answered HTTP 404");
    assert_has(d.Evidence, "Error: 0x80190194 HTTP 404 Not Found (context: remote file)");
    assert_int_equal(d.ErrorCode, (HRESULT)0x80190194);
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_no_range_support(void **state)
{
    BW_JOB h = open_job(failed_job((HRESULT)0x80200013, BW_CONTEXT_REMOTE_FILE));
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_NO_RANGE_SUPPORT);
    assert_has(d.Action, "FOREGROUND");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_no_http_support(void **state)
{
    BW_JOB h = open_job(failed_job((HRESULT)0x80200012, BW_CONTEXT_REMOTE_FILE));
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_NO_RANGE_SUPPORT);
    assert_has(d.Explanation, "HTTP/1.1");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_remote_error(void **state)
{
    BW_JOB h = open_job(failed_job((HRESULT)0x801901F9, BW_CONTEXT_REMOTE_FILE)); /* 505 */
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_REMOTE_ERROR);
    assert_has(d.Explanation, "The server refused http://example.test/big.iso: 0x801901F9");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_local_error(void **state)
{
    BW_JOB h = open_job(failed_job(E_ACCESSDENIED, BW_CONTEXT_LOCAL_FILE));
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_LOCAL_ERROR);
    assert_has(d.Explanation, "Writing C:\\Downloads\\big.iso failed: 0x80070005");
    assert_false(wcontains(d.Explanation, ".."));
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_no_error_record(void **state)
{
    /* Wine's connection failures: ERROR, GetError fails, no file named. */
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_ERROR;
    j->error_code = (HRESULT)0x8020000F;
    j->error_context = BW_CONTEXT_UNKNOWN;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_ERROR);
    assert_has(d.Explanation, "failed without an error record: BITS could not reach http://example.test/big.iso at all");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_error(void **state)
{
    BW_JOB h = open_job(failed_job((HRESULT)0x80200054, BW_CONTEXT_GENERAL_QUEUE_MANAGER));
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_ERROR);
    assert_has(d.Explanation, "BITS stopped the job and will not retry it by itself: 0x80200054 "
                              "BG_E_MAXDOWNLOAD_TIMEOUT: The job did not finish within its maximum "
                              "download time.");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_connecting_long(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_CONNECTING;
    j->modification_time = now_ft() - 3 * MINUTE;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_CONNECTING_LONG);
    assert_has(d.Explanation, "Connecting for 3 minutes to http://example.test/big.iso");
    assert_has(d.Explanation, "proxy: preconfigured");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_connecting_long_watched(void **state)
{
    /* Without times (Wine): the handle's own watch. */
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_CONNECTING;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_MOVING);
    BwFreeDiagnosis(&d);
    g_ms += 61000;
    d = diagnose(h, 0, BW_VERDICT_CONNECTING_LONG);
    assert_has(d.Explanation, "Connecting for 61 s");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_stalled(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_TRANSFERRING;
    j->progress.bytes_total = 1000;
    j->progress.bytes_transferred = 300;
    BW_JOB h = open_job(j);
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, BwJobPoll(h, 0, &st)); /* the watch starts */
    g_ms += 4000;
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_MOVING); /* 4 s: too soon to say */
    BwFreeDiagnosis(&d);
    g_ms += 2000;
    d = diagnose(h, 0, BW_VERDICT_STALLED);
    assert_has(d.Explanation, "no byte has moved for 6 s (300 of 1000 bytes)");
    assert_has(d.Evidence, "Watched: 6 s, bytes last moved 6 s ago");
    assert_true(d.Since == now_ft() - 6 * FT_S);
    BwFreeDiagnosis(&d);
    /* The diagnosis left the poll's change detection alone. */
    assert_hr(S_FALSE, BwJobPoll(h, 0, &st));
    BwJobClose(h);
}

static void rule_moving(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->state = BW_STATE_TRANSFERRING;
    j->progress.bytes_total = 1000;
    j->progress.bytes_transferred = 300;
    BW_JOB h = open_job(j);
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, BwJobPoll(h, 0, &st));
    g_ms += 6000;
    fake_job_set_bytes(j, 1000, 600); /* moved in the meantime */
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_MOVING);
    assert_has(d.Explanation, "Transferring: 600 of 1000 bytes so far");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_queued_behind(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    fake_job *busy = fake_job_add(BW_TYPE_DOWNLOAD);
    busy->state = BW_STATE_TRANSFERRING;
    busy->display_name = "Windows Update";
    busy->priority = 0;
    fake_job *idle = fake_job_add(BW_TYPE_DOWNLOAD);
    idle->state = BW_STATE_SUSPENDED;
    BW_JOB h = open_job(j);
    fake_enum_admin = 1;
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_QUEUED_BEHIND);
    assert_has(d.Explanation, "Queued behind 1 job ('Windows Update' Transferring, priority Foreground)");
    assert_has(d.Evidence, "Other jobs in the queue: 2");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_owner_logged_off(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->owner_logon = BW__LOGON_NONE;
    j->modification_time = now_ft() - 3 * DAY;
    fake_job *busy = fake_job_add(BW_TYPE_DOWNLOAD);
    busy->state = BW_STATE_TRANSFERRING; /* a job ahead does not change the cause */
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_OWNER_LOGGED_OFF);
    assert_has(d.Explanation, "Queued for 3 days: its owner (CONTOSO\\alice) has no session on this machine");
    assert_has(d.Action, "Have CONTOSO\\alice log on");
    assert_has(d.Evidence, "Owner logged on: no (no session of that user on this machine)");
    BwFreeDiagnosis(&d);
    j->owner_logon = BW__LOGON_SERVICE;
    d = diagnose(h, BW_DIAGNOSE_NO_QUEUE, BW_VERDICT_QUEUED_IDLE);
    assert_has(d.Evidence, "Owner logged on: a service account (always logged on)");
    BwFreeDiagnosis(&d);
    j->owner_logon = BW__LOGON_SESSION;
    d = diagnose(h, 0, BW_VERDICT_QUEUED_BEHIND);
    assert_has(d.Evidence, "Owner logged on: yes");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_queued_cost_policy(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->details_known |= BW_KNOWN_COST_FLAGS;
    j->cost_flags = 0x80000067u; /* BITS_COST_STATE_TRANSFER_STANDARD */
    j->modification_time = now_ft() - 5 * HOUR;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_QUEUED_IDLE);
    assert_has(d.Explanation, "Queued for 5 hours with no job transferring ahead of it, and its transfer "
                              "policy allows only some networks (0x80000067 TRANSFER_STANDARD: not near "
                              "or over a data cap, not roaming)");
    assert_has(d.Evidence, "Cost flags: 0x80000067 TRANSFER_STANDARD");
    BwFreeDiagnosis(&d);
    j->cost_flags = 0x800000FFu; /* TRANSFER_ALWAYS: not the cause */
    d = diagnose(h, 0, BW_VERDICT_QUEUED_IDLE);
    assert_has(d.Explanation, "BITS waits until its owner");
    assert_has(d.Evidence, "Cost flags: 0x800000FF TRANSFER_ALWAYS: any network");
    BwFreeDiagnosis(&d);
    j->cost_flags = 0x80000005u; /* an unnamed set */
    d = diagnose(h, 0, BW_VERDICT_QUEUED_IDLE);
    assert_has(d.Evidence, "Cost flags: 0x80000005 only: unrestricted; below cap;");
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

static void rule_queued_idle(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->modification_time = now_ft() - 2 * DAY;
    fake_job *other = fake_job_add(BW_TYPE_DOWNLOAD);
    other->state = BW_STATE_QUEUED;
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_QUEUED_IDLE);
    assert_has(d.Explanation, "Queued for 2 days with no job transferring ahead of it");
    assert_has(d.Explanation, "owner (CONTOSO\\alice) is logged on");
    assert_has(d.Evidence, "Jobs transferring ahead: none");
    BwFreeDiagnosis(&d);
    /* Without the queue the busy job ahead goes unseen. */
    other->state = BW_STATE_TRANSFERRING;
    d = diagnose(h, BW_DIAGNOSE_NO_QUEUE, BW_VERDICT_QUEUED_IDLE);
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

/* ---- Cost ------------------------------------------------------------------ */

static unsigned reads(const fake_job *j)
{
    return j->n_state + j->n_progress + j->n_reply + j->n_error + j->n_info + j->n_details;
}

static void round_trips_of_a_diagnosis_and_of_a_poll(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    fake_job *a = fake_job_add(BW_TYPE_DOWNLOAD);
    a->state = BW_STATE_TRANSFERRING;
    fake_job *b = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = open_job(j);
    BW_STATUS st = {sizeof st};
    assert_hr(S_OK, BwJobPoll(h, 0, &st));
    unsigned poll_reads = reads(j);
    fake_job_reset_counters(j);

    fake_n_enum = 0;
    fake_enum_admin = 1; /* the fake counts only enumerations it answers */
    unsigned opened = a->opened + b->opened;
    BW_DIAGNOSIS d = diagnose(h, 0, BW_VERDICT_QUEUED_BEHIND);
    unsigned mine = reads(j);
    unsigned others = reads(a) + reads(b) + (a->opened + b->opened - opened);
    unsigned total = mine + others + fake_n_enum;
    print_message("poll: %u reads; diagnosis: %u (job %u, queue enum %u, other jobs %u)\n",
                  poll_reads, total, mine, fake_n_enum, others);
    assert_int_equal(d.RoundTrips, total);
    assert_int_equal(mine, 4);   /* state, progress, info, details */
    assert_int_equal(others, 5); /* 2 opens, 2 states, the info of the moving one */
    assert_int_equal(poll_reads, 2); /* first poll: state + progress */
    BwFreeDiagnosis(&d);
    fake_job_reset_counters(j);
    d = diagnose(h, BW_DIAGNOSE_NO_QUEUE, BW_VERDICT_QUEUED_IDLE);
    assert_int_equal(d.RoundTrips, 4);
    BwFreeDiagnosis(&d);
    BwJobClose(h);
}

/* ---- Details and arguments -------------------------------------------------- */

static void details_known_and_unknown(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    windows_defaults(j);
    j->nfiles = 2;
    j->files[1].remote = "http://example.test/small.txt";
    j->files[1].local = "C:\\Downloads\\small.txt";
    j->files[1].total = 10;
    j->files[1].done = 10;
    j->files[1].completed = 1;
    BW_JOB h = open_job(j);
    BW_DETAILS dt;
    memset(&dt, 0xCC, sizeof dt);
    dt.cbSize = sizeof dt;
    assert_hr(S_OK, BwJobGetDetails(h, &dt));
    assert_int_equal(dt.Known, BW_KNOWN_RETRY_DELAY | BW_KNOWN_NO_PROGRESS_TIMEOUT | BW_KNOWN_PROXY |
                                   BW_KNOWN_FILES);
    assert_int_equal(dt.MinimumRetryDelay, 600);
    assert_int_equal(dt.NoProgressTimeout, 1209600);
    assert_int_equal(dt.CostFlags, 0);
    assert_int_equal(dt.Reserved, 0);
    assert_int_equal(dt.FileCount, 2);
    assert_true(weq(dt.Files[1].RemoteName, "http://example.test/small.txt"));
    assert_int_equal(dt.Files[1].Completed, 1);
    assert_int_equal(dt.Files[0].Completed, 0);
    assert_true(dt.Files[0].BytesTotal == 1000);
    assert_null(dt.ProxyList);
    BwFreeDetails(&dt);
    assert_null(dt.Files);
    assert_int_equal(dt.FileCount, 0);
    BwFreeDetails(&dt);

    /* A service without any of it (Wine's proxy, retry, timeout). */
    j->details_known = 0;
    dt.cbSize = sizeof dt;
    assert_hr(S_OK, BwJobGetDetails(h, &dt));
    assert_int_equal(dt.Known, 0);
    assert_int_equal(dt.MinimumRetryDelay, 0);
    assert_null(dt.Files);
    BwFreeDetails(&dt);
    BwJobClose(h);
}

static void arguments(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = open_job(j);
    BW_DIAGNOSIS d;
    BW_DETAILS dt;
    assert_hr(E_POINTER, BwJobDiagnose(h, 0, NULL));
    assert_hr(E_POINTER, BwJobGetDetails(h, NULL));
    memset(&d, 0x5A, sizeof d);
    d.cbSize = sizeof d - 8;
    assert_hr(E_INVALIDARG, BwJobDiagnose(h, 0, &d));
    BwFreeDiagnosis(&d); /* untouched: nothing freed */
    assert_int_equal(((unsigned char *)&d)[8], 0x5A);
    d.cbSize = sizeof d;
    assert_hr(E_INVALIDARG, BwJobDiagnose(h, 0x80, &d));
    assert_hr(E_HANDLE, BwJobDiagnose((BW_JOB)(uintptr_t)0x12345, 0, &d));
    assert_null(d.Explanation);
    BwFreeDiagnosis(&d);
    BwFreeDiagnosis(NULL);
    dt.cbSize = 3;
    assert_hr(E_INVALIDARG, BwJobGetDetails(h, &dt));
    BwFreeDetails(NULL);
    j->fail_hr = BG_E_NOT_FOUND;
    d.cbSize = sizeof d;
    assert_hr(BG_E_NOT_FOUND, BwJobDiagnose(h, 0, &d));
    BwFreeDiagnosis(&d);
    BwJobClose(h);
    assert_hr(E_HANDLE, BwJobDiagnose(h, 0, &d));
}

static void verdict_names_and_table(void **state)
{
    assert_true(weq(BwVerdictName(BW_VERDICT_STALLED), "Stalled"));
    assert_true(weq(BwVerdictName(BW_VERDICT_NOT_COMPLETED), "NotCompleted"));
    assert_true(weq(BwVerdictName(99), "Unknown"));
    for (unsigned i = 0; i < bw__rule_count; i++) {
        assert_true(bw__rules[i].verdict <= BW_VERDICT_MAX);
        assert_true(bw__rules[i].states != 0);
        for (unsigned k = 0; k < i; k++)
            assert_string_not_equal(bw__rules[i].name, bw__rules[k].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rule_finished, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_transferred_not_completed, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_suspended_never_resumed_for_3_days, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_suspended_never_resumed_without_times, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_suspended, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_network_disconnected, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_transient_error_retry_due_in_4_minutes, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_transient_error_retry_unknown_on_wine, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_proxy_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_server_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_no_range_support, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_no_http_support, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_remote_error, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_local_error, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_no_error_record, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_error, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_connecting_long, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_connecting_long_watched, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_stalled, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_moving, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_queued_behind, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_owner_logged_off, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_queued_cost_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(rule_queued_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(round_trips_of_a_diagnosis_and_of_a_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(details_known_and_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(verdict_names_and_table, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
