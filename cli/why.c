/* why.c - see why.h. */
#include "why.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interrupt.h"
#include "jobs.h"
#include "json.h"
#include "jsonjob.h"
#include "render.h"
#include "text.h"
#include "watch.h"

/* Appends "text\n" to buf when it fits whole; 0 once something did not. */
static int put(char *buf, size_t cap, size_t *used, const char *indent, const char *text)
{
    int len = snprintf(buf + *used, cap - *used, "%s%s\n", indent, text);
    if (len < 0 || (size_t)len >= cap - *used) {
        buf[*used] = 0;
        return 0;
    }
    *used += (size_t)len;
    return 1;
}

/* One line of a multi-line UTF-16 text, [s, end), sanitized into dst. */
static void line_utf8(char *dst, size_t cap, const WCHAR *s, const WCHAR *end)
{
    WCHAR tmp[2048];
    size_t n = (size_t)(end - s);
    if (n >= sizeof tmp / sizeof tmp[0])
        n = sizeof tmp / sizeof tmp[0] - 1;
    memcpy(tmp, s, n * sizeof(WCHAR));
    tmp[n] = 0;
    bw_text_utf8(dst, cap, tmp);
}

char *bw_render_why(char *buf, size_t cap, const GUID *id, const BW_DIAGNOSIS *d)
{
    char guid[48], verdict[64], text[2400], head[2600];
    size_t used = 0;

    if (!cap)
        return buf;
    buf[0] = 0;
    bw_fmt_guid(guid, sizeof guid, id);
    bw_text_utf8(verdict, sizeof verdict, BwVerdictName(d->Verdict));
    snprintf(head, sizeof head, "%s: %s", guid, verdict);
    if (!put(buf, cap, &used, "", head))
        return buf;
    bw_text_utf8(text, sizeof text, d->Explanation);
    if (!put(buf, cap, &used, "  ", text))
        return buf;
    bw_text_utf8(text, sizeof text, d->Action);
    snprintf(head, sizeof head, "Action: %s", text);
    if (!put(buf, cap, &used, "  ", head))
        return buf;
    if (!put(buf, cap, &used, "  ", "Evidence:"))
        return buf;
    for (const WCHAR *s = d->Evidence; s && *s;) {
        const WCHAR *end = s;
        while (*end && *end != '\n')
            end++;
        line_utf8(text, sizeof text, s, end);
        if (!put(buf, cap, &used, "    ", text))
            return buf;
        s = *end ? end + 1 : end;
    }
    return buf;
}

/* --json: the "diagnosis" object of a job. Evidence becomes an object: each
 * "Name: value" line a member. */
static void json_diagnosis(bw_json *j, const GUID *id, const BW_DIAGNOSIS *d)
{
    char name[128];
    WCHAR value[2048];

    bw_json_clear(j);
    bw_json_begin_line(j, "diagnosis");
    bw_json_guid(j, "JobId", id);
    bw_text_utf8(name, sizeof name, BwVerdictName(d->Verdict));
    bw_json_str(j, "Verdict", name);
    bw_json_u64(j, "VerdictCode", d->Verdict);
    bw_json_wstr(j, "State", d->State <= BW_STATE_CANCELLED ? BwStateName(d->State) : NULL);
    bw_json_wstr(j, "Explanation", d->Explanation);
    bw_json_wstr(j, "Action", d->Action);
    bw_json_filetime(j, "Since", d->Since);
    bw_json_filetime(j, "Due", d->Due);
    bw_json_filetime(j, "Timestamp", d->Timestamp);
    if (d->ErrorCode)
        bw_json_hresult(j, "ErrorCode", d->ErrorCode);
    else
        bw_json_null(j, "ErrorCode");
    bw_json_u64(j, "RoundTrips", d->RoundTrips);
    bw_json_begin(j, "Evidence");
    for (const WCHAR *s = d->Evidence; s && *s;) {
        const WCHAR *end = s, *colon = NULL;
        while (*end && *end != '\n') {
            if (!colon && end[0] == ':' && end[1] == ' ')
                colon = end;
            end++;
        }
        if (colon) {
            line_utf8(name, sizeof name, s, colon);
            size_t n = (size_t)(end - colon - 2);
            if (n >= sizeof value / sizeof value[0])
                n = sizeof value / sizeof value[0] - 1;
            memcpy(value, colon + 2, n * sizeof(WCHAR));
            value[n] = 0;
            bw_json_wstr(j, name, value);
        }
        s = *end ? end + 1 : end;
    }
    bw_json_end(j);
    bw_json_end(j);
}

static void json_failure(bw_json *j, bw_stream *out, bw_stream *err, const GUID *id,
                         const char *operation, HRESULT hr)
{
    WCHAR *text = bw_hr_message(hr);

    bw_json_clear(j);
    bw_json_begin_line(j, "failure");
    bw_json_guid(j, "JobId", id);
    bw_json_str(j, "Operation", operation);
    bw_json_hresult(j, "Result", hr);
    bw_json_wstr(j, "ResultText", text);
    bw_json_end(j);
    bw_json_print(out, err, j);
    free(text);
}

static void report_failure(bw_json *j, int json, bw_stream *out, bw_stream *err, const GUID *id,
                           const char *operation, HRESULT hr)
{
    char guid[48], text[1100];

    if (json) {
        json_failure(j, out, err, id, operation, hr);
        return;
    }
    bw_fmt_guid(guid, sizeof guid, id);
    bw_hr_text(text, sizeof text, hr);
    bw_stream_linef(err, "bitswatch: cannot %s job %s: %s", operation, guid, text);
}

/* ---- why --all's summary: verdicts, owners, and the queue's limits ---------- */

/* BITS' defaults (Microsoft: CreateJob, "Creating a Job"): 300 jobs on the
 * machine (MaxJobsPerMachine) and 60 per user (MaxJobsPerUser; not for
 * administrators and services). Creating one more fails with these codes. */
#define BW_WHY_MAX_JOBS_PER_MACHINE 300u
#define BW_WHY_MAX_JOBS_PER_USER 60u
#define BW_WHY_E_TOO_MANY_JOBS_PER_USER 0x80200049u
#define BW_WHY_E_TOO_MANY_JOBS_PER_MACHINE 0x80200050u
#define BW_WHY_OWNERS 64

typedef struct why_summary {
    UINT32 jobs;
    UINT32 verdicts[BW_VERDICT_MAX + 1];
    struct {
        char name[256];
        UINT32 jobs;
    } owners[BW_WHY_OWNERS];
    int nowners;
} why_summary;

/* The value of the evidence line "Name: value", sanitized; "" when none. */
static void evidence_value(const BW_DIAGNOSIS *d, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    out[0] = 0;
    for (const WCHAR *s = d->Evidence; s && *s;) {
        const WCHAR *end = s;
        size_t k = 0;
        while (*end && *end != '\n')
            end++;
        while (k < n && s + k < end && s[k] == (WCHAR)(unsigned char)name[k])
            k++;
        if (k == n && end - s > (ptrdiff_t)(n + 2) && s[n] == ':' && s[n + 1] == ' ') {
            line_utf8(out, cap, s + n + 2, end);
            return;
        }
        s = *end ? end + 1 : end;
    }
}

static void summary_add(why_summary *sum, const BW_DIAGNOSIS *d)
{
    char owner[256];
    int i;

    sum->jobs++;
    sum->verdicts[d->Verdict <= BW_VERDICT_MAX ? d->Verdict : 0]++;
    evidence_value(d, "Owner", owner, sizeof owner);
    if (!owner[0])
        snprintf(owner, sizeof owner, "unknown");
    for (i = 0; i < sum->nowners && strcmp(sum->owners[i].name, owner) != 0; i++)
        ;
    if (i == sum->nowners) {
        if (sum->nowners == BW_WHY_OWNERS)
            return;
        snprintf(sum->owners[sum->nowners++].name, sizeof sum->owners[0].name, "%s", owner);
    }
    sum->owners[i].jobs++;
}

/* The warning about the limits, "" when the queue is far from them. */
static void summary_warning(const why_summary *sum, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = 0;
    if (sum->jobs >= BW_WHY_MAX_JOBS_PER_MACHINE)
        used += (size_t)snprintf(out + used, cap - used,
                                 "%u jobs: at the machine's default limit, creating one more fails "
                                 "with BG_E_TOO_MANY_JOBS_PER_MACHINE (0x%08X). ",
                                 (unsigned)sum->jobs, BW_WHY_E_TOO_MANY_JOBS_PER_MACHINE);
    for (int i = 0; i < sum->nowners && used < cap; i++)
        if (strcmp(sum->owners[i].name, "unknown") != 0 && sum->owners[i].jobs >= BW_WHY_MAX_JOBS_PER_USER)
            used += (size_t)snprintf(out + used, cap - used,
                                     "%s has %u jobs: at the default per-user limit, another fails "
                                     "with BG_E_TOO_MANY_JOBS_PER_USER (0x%08X) unless it is an "
                                     "administrator or a service. ",
                                     sum->owners[i].name, (unsigned)sum->owners[i].jobs,
                                     BW_WHY_E_TOO_MANY_JOBS_PER_USER);
    while (used > 0 && used < cap && out[used - 1] == ' ')
        out[--used] = 0;
}

static void summary_print(const why_summary *sum, int json, bw_json *j, bw_stream *out, bw_stream *err)
{
    char line[4096], name[64], warning[2048];
    size_t used;

    summary_warning(sum, warning, sizeof warning);
    if (json) {
        bw_json_clear(j);
        bw_json_begin_line(j, "summary");
        bw_json_u64(j, "JobCount", sum->jobs);
        bw_json_begin(j, "Verdicts");
        for (UINT32 v = 0; v <= BW_VERDICT_MAX; v++)
            if (sum->verdicts[v]) {
                bw_text_utf8(name, sizeof name, BwVerdictName(v));
                bw_json_u64(j, name, sum->verdicts[v]);
            }
        bw_json_end(j);
        bw_json_begin(j, "Owners");
        for (int i = 0; i < sum->nowners; i++)
            bw_json_u64(j, sum->owners[i].name, sum->owners[i].jobs);
        bw_json_end(j);
        bw_json_u64(j, "MaxJobsPerMachine", BW_WHY_MAX_JOBS_PER_MACHINE);
        bw_json_u64(j, "MaxJobsPerUser", BW_WHY_MAX_JOBS_PER_USER);
        bw_json_str(j, "Warning", warning[0] ? warning : NULL);
        bw_json_end(j);
        bw_json_print(out, err, j);
        return;
    }
    used = (size_t)snprintf(line, sizeof line, "Summary: %u job%s", (unsigned)sum->jobs,
                            sum->jobs == 1 ? "" : "s");
    for (UINT32 v = 0, first = 1; v <= BW_VERDICT_MAX && used < sizeof line; v++)
        if (sum->verdicts[v]) {
            bw_text_utf8(name, sizeof name, BwVerdictName(v));
            used += (size_t)snprintf(line + used, sizeof line - used, "%s %u %s", first ? ":" : ",",
                                     (unsigned)sum->verdicts[v], name);
            first = 0;
        }
    bw_stream_line(out, line);
    used = (size_t)snprintf(line, sizeof line, "Owners:");
    for (int i = 0; i < sum->nowners && used < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, "%s %s %u", i ? "," : "",
                                 sum->owners[i].name, (unsigned)sum->owners[i].jobs);
    bw_stream_line(out, line);
    snprintf(line, sizeof line,
             "Limits: %u of %u jobs; BITS' defaults (MaxJobsPerMachine %u, MaxJobsPerUser %u for "
             "users who are not administrators) refuse new jobs beyond them.",
             (unsigned)sum->jobs, BW_WHY_MAX_JOBS_PER_MACHINE, BW_WHY_MAX_JOBS_PER_MACHINE,
             BW_WHY_MAX_JOBS_PER_USER);
    bw_stream_line(out, line);
    if (warning[0]) {
        snprintf(line, sizeof line, "Warning: %s", warning);
        bw_stream_line(out, line);
    }
}

static void close_job(BW_JOB job)
{
    BwJobClose(job);
}

static int is_moving(UINT32 state)
{
    return state == BW_STATE_CONNECTING || state == BW_STATE_TRANSFERRING;
}

int bw_why(const GUID *given, int n, int all, UINT32 flags, int json, unsigned sample_ms,
           bw_stream *out, bw_stream *err)
{
    GUID *listed = NULL;
    const GUID *ids = given;
    UINT32 count = (UINT32)n;
    BW_JOB *jobs = NULL;
    int rc = BW_EXIT_OK, moving = 0, tracking = 0;
    bw_json j;
    why_summary *sum = calloc(1, sizeof *sum);

    if (all) {
        rc = bw_enum_ids(flags, &listed, &count, err);
        if (rc != BW_EXIT_OK)
            return rc;
        ids = listed;
    }
    bw_json_init(&j);
    jobs = calloc(count ? count : 1, sizeof *jobs);
    if (!jobs || !sum) {
        bw_stream_line(err, "bitswatch: out of memory");
        rc = BW_EXIT_FAILED;
        goto done;
    }
    /* Ctrl+C: every handle is closed, whatever runs, and the exit is 130. */
    bw_interrupt_begin(close_job);
    tracking = 1;
    if (!bw_interrupt_reserve((int)count)) {
        bw_stream_line(err, "bitswatch: out of memory");
        rc = BW_EXIT_FAILED;
        goto done;
    }
    /* Open and read each once: the handle's watch starts here. */
    for (UINT32 i = 0; i < count && !bw_interrupted(); i++) {
        BW_STATUS st;
        HRESULT hr = BwJobOpenById(&ids[i], &jobs[i]);
        if (FAILED(hr)) {
            /* A job listed by --all that left meanwhile is not a failure. */
            if (!(all && hr == BG_E_NOT_FOUND)) {
                report_failure(&j, json, out, err, &ids[i], "open", hr);
                rc = BW_EXIT_FAILED;
            }
            jobs[i] = NULL;
            continue;
        }
        if (!bw_interrupt_track(jobs[i])) { /* Ctrl+C came: it is closed */
            jobs[i] = NULL;
            break;
        }
        memset(&st, 0, sizeof st);
        st.cbSize = sizeof st;
        if (SUCCEEDED(BwJobPoll(jobs[i], 0, &st)) && is_moving(st.State))
            moving = 1;
    }
    /* A moving job is watched a while, all at once, so that a stall shows. */
    if (moving && sample_ms && !bw_interrupted())
        bw_interrupt_sleep(sample_ms);

    int printed = 0;
    for (UINT32 i = 0; i < count && !bw_interrupted(); i++) {
        BW_DIAGNOSIS d;
        HRESULT hr;

        if (!jobs[i])
            continue;
        memset(&d, 0, sizeof d);
        d.cbSize = sizeof d;
        hr = BwJobDiagnose(jobs[i], 0, &d);
        if (FAILED(hr) && bw_interrupted()) {
            BwFreeDiagnosis(&d);
            break; /* the handler closed the handle under the call */
        }
        if (FAILED(hr)) {
            if (!(all && hr == BG_E_NOT_FOUND)) {
                report_failure(&j, json, out, err, &ids[i], "diagnose", hr);
                rc = BW_EXIT_FAILED;
            }
        } else if (json) {
            summary_add(sum, &d);
            json_diagnosis(&j, &ids[i], &d);
            bw_json_print(out, err, &j);
        } else {
            char *buf = malloc(32768);
            if (!buf) {
                bw_stream_line(err, "bitswatch: out of memory");
                rc = BW_EXIT_FAILED;
            } else {
                summary_add(sum, &d);
                if (printed++)
                    bw_stream_line(out, "");
                bw_render_why(buf, 32768, &ids[i], &d);
                for (char *p = buf, *nl; *p; p = nl + 1) {
                    nl = strchr(p, '\n');
                    if (!nl)
                        break;
                    *nl = 0;
                    bw_stream_line(out, p);
                }
                free(buf);
            }
        }
        BwFreeDiagnosis(&d);
    }
    if (bw_interrupted())
        ; /* no summary of half the jobs */
    else if (!json && all && count == 0)
        bw_stream_line(out, "No jobs.");
    else if (all) {
        if (!json)
            bw_stream_line(out, "");
        summary_print(sum, json, &j, out, err);
    }
done:
    if (tracking) {
        bw_interrupt_close_all(); /* every handle was handed to the module */
        rc = bw_interrupt_end(rc);
    }
    free(jobs);
    free(sum);
    free(listed);
    bw_json_free(&j);
    return rc;
}
