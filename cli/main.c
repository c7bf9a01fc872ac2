/*
 * main.c - bitswatch.exe: watch BITS jobs live through bitswatch.dll.
 *
 *   bitswatch watch [--complete] [--interval-ms N] [--timeout-sec N]
 *                   [--full-ids] [--json] (<job-guid>... | --all [--all-users])
 *   bitswatch list [--all-users] [--json]
 *   bitswatch info [--json] <job-guid>
 *
 * Uses the DLL only through its public header. Each job gets a handle; the
 * loop waits on all of them at once with BwJobPollMany (which reads each job
 * on its own schedule and returns at the first change of any), until every
 * job is done; with --all it follows the queue (BwQueuePoll) for good.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bitswatch.h"
#include "console.h"
#include "interrupt.h"
#include "jobs.h"
#include "render.h"
#include "text.h"
#include "watch.h"

#define DEFAULT_INTERVAL_MS 1000u
#define MAX_INTERVAL_MS 600000u
#define MIN_INTERVAL_MS 10u

static void version_text(char *buf, size_t cap, UINT32 v)
{
    snprintf(buf, cap, "%u.%u.%u", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xFF),
             (unsigned)(v & 0xFF));
}

/* Warns on stderr when the DLL that was loaded is not the one this program
 * was built against (an old copy earlier on the DLL search path, say). */
static void check_dll_version(bw_stream *err)
{
    UINT32 dll = BwGetVersion();
    char have[32], want[32];

    if (dll == (UINT32)BW_VERSION)
        return;
    version_text(have, sizeof have, dll);
    version_text(want, sizeof want, (UINT32)BW_VERSION);
    bw_stream_linef(err, "bitswatch: warning: bitswatch.dll is version %s; this program was built for %s",
                    have, want);
}

static void print_usage(bw_stream *out)
{
    static const char *const text[] = {
        "Usage: bitswatch watch [options] <job-guid>...",
        "       bitswatch watch [options] --all [--all-users]",
        "       bitswatch list [--all-users] [--json]",
        "       bitswatch info [--json] <job-guid>",
        "       bitswatch --version | --help",
        "",
        "watch  shows each BITS job live on one line (display name, state,",
        "       bytes, rate, ETA) until every job is done: transferred,",
        "       acknowledged, in error, cancelled or gone. All jobs are watched",
        "       with one wait, so a change of any of them shows promptly,",
        "       however many there are.",
        "       --all follows the queue instead, until Ctrl+C or --timeout-sec",
        "       (an empty queue too): every job in it, and each job created",
        "       meanwhile (it shows within about 0.3 s). A job that leaves the",
        "       queue shows how it ended (cancelled, acknowledged, gone), then",
        "       its line goes (on a console after 3 s).",
        "list   one line per job: GUID, state, bytes, files, display name.",
        "info   everything about one job, one \"Name: value\" per line: names,",
        "       owner, type, priority, state, progress, times, and the error of",
        "       a job in error.",
        "A job GUID is \"{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}\"; braces optional.",
        "Control characters and escape sequences in text from BITS (a display",
        "name, say) are never printed.",
        "",
        "Options of watch:",
        "  --complete         acknowledge each job when it is transferred (BITS then",
        "                     moves its files to their final names)",
        "  --interval-ms N    longest wait between refreshes, and when the output is",
        "                     redirected, the least time between two progress lines",
        "                     of a job (state changes always print); default 1000",
        "  --timeout-sec N    stop watching after N seconds (exit code 3 when a job",
        "                     is still going then); 0 = never",
        "  --full-ids         show whole GUIDs on a console too (redirected output",
        "                     always has them)",
        "  --all              follow the queue (every job, new ones too) instead of",
        "                     GUIDs",
        "  --json             JSON objects instead of lines (below)",
        "Options of watch --all and list:",
        "  --all-users        every user's jobs, not only yours (needs an elevated,",
        "                     administrator prompt)",
        "Everywhere:",
        "  -h, --help         this text",
        "  --version          versions of bitswatch.exe and bitswatch.dll",
        "",
        "--json (watch, list, info): one JSON object per line on stdout (NDJSON,",
        "UTF-8, lines end in LF), each with \"schema\": 1 and a \"kind\": \"status\"",
        "(a job's state, as each change would print a line), \"end\" (watch: why",
        "it stopped following a job), \"info\" or \"failure\" (list: a job that",
        "could not be read). Messages and errors stay on stderr as text. The",
        "fields are described in README.md.",
        "",
        "Exit codes:",
        "  0    watch: every job ended transferred or acknowledged (or there was",
        "       none; --all: none failed, none still going at --timeout-sec);",
        "       list, info: done",
        "  1    watch: a job failed, was cancelled, disappeared or could not be",
        "       opened; watch --all, list: the queue could not be read",
        "       (--all-users without elevation); info: the job could not be",
        "       opened or read",
        "  2    usage error",
        "  3    watch: timed out with a job still going",
        "  130  watch: interrupted (Ctrl+C or Ctrl+Break), whatever the jobs did",
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        bw_stream_line(out, text[i]);
}

static int usage_error(bw_stream *err, const char *fmt, const char *arg)
{
    char msg[512];

    snprintf(msg, sizeof msg, fmt, arg);
    bw_stream_linef(err, "bitswatch: %s", msg);
    bw_stream_line(err, "Try 'bitswatch --help'.");
    return BW_EXIT_USAGE;
}

/* Parses a whole decimal number in [lo, hi]; 0 when it is not one. */
static int parse_number(const WCHAR *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    WCHAR *end;
    unsigned long v;

    if (!s || *s < L'0' || *s > L'9')
        return 0; /* also refuses "-1" and " 5", which wcstoul would take */
    errno = 0;
    v = wcstoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* "--name=value" or "--name value": the value, or NULL when arg is not name. */
static const WCHAR *option_value(const WCHAR *name, int argc, WCHAR **argv, int *i)
{
    size_t len = wcslen(name);
    const WCHAR *arg = argv[*i];

    if (wcsncmp(arg, name, len) != 0)
        return NULL;
    if (arg[len] == L'=')
        return arg + len + 1;
    if (arg[len] != 0)
        return NULL;
    if (*i + 1 >= argc)
        return L""; /* missing: the number check reports it */
    return argv[++*i];
}

/* How the Ctrl+C handler closes a handle (interrupt.h). */
static void close_job(BW_JOB job)
{
    BwJobClose(job);
}

static int cmd_list(int argc, WCHAR **argv, bw_stream *out, bw_stream *err)
{
    UINT32 flags = 0;
    int json = 0;
    char shown[128];

    for (int i = 2; i < argc; i++) {
        if (wcscmp(argv[i], L"--all-users") == 0)
            flags |= BW_ENUM_ALL_USERS;
        else if (wcscmp(argv[i], L"--json") == 0)
            json = 1;
        else if (wcscmp(argv[i], L"--help") == 0 || wcscmp(argv[i], L"-h") == 0) {
            print_usage(out);
            return BW_EXIT_OK;
        } else
            return usage_error(err, "list: unexpected argument '%s'",
                               bw_text_utf8(shown, sizeof shown, argv[i]));
    }
    check_dll_version(err);
    return bw_list(flags, json, out, err);
}

static int cmd_info(int argc, WCHAR **argv, bw_stream *out, bw_stream *err)
{
    const WCHAR *id = NULL;
    int json = 0;
    char shown[128];

    for (int i = 2; i < argc; i++) {
        if (wcscmp(argv[i], L"--help") == 0 || wcscmp(argv[i], L"-h") == 0) {
            print_usage(out);
            return BW_EXIT_OK;
        }
        if (wcscmp(argv[i], L"--json") == 0)
            json = 1;
        else if (id)
            return usage_error(err, "info takes one job GUID; unexpected '%s'",
                               bw_text_utf8(shown, sizeof shown, argv[i]));
        else
            id = argv[i];
    }
    if (!id)
        return usage_error(err, "%s", "info needs a job GUID");
    check_dll_version(err);
    return bw_info(id, json, out, err);
}

static int cmd_watch(int argc, WCHAR **argv, bw_stream *out, bw_stream *err)
{
    bw_watch_options o = {0, DEFAULT_INTERVAL_MS, 0, 0, 0};
    int all = 0;
    UINT32 flags = 0;
    /* Job GUIDs in the order given; options may come before or after them. */
    const WCHAR **ids = calloc((size_t)argc, sizeof *ids);
    int nids = 0, rc;
    char shown[128];

    if (!ids) {
        bw_stream_line(err, "bitswatch: out of memory");
        return BW_EXIT_FAILED;
    }
    for (int i = 2; i < argc; i++) {
        const WCHAR *arg = argv[i];
        const WCHAR *val;
        unsigned long n;

        if (wcscmp(arg, L"--") == 0) {
            while (++i < argc)
                ids[nids++] = argv[i];
            break;
        }
        if (arg[0] != L'-') {
            ids[nids++] = arg;
        } else if (wcscmp(arg, L"--help") == 0 || wcscmp(arg, L"-h") == 0) {
            print_usage(out);
            free(ids);
            return BW_EXIT_OK;
        } else if (wcscmp(arg, L"--complete") == 0) {
            o.complete = 1;
        } else if (wcscmp(arg, L"--full-ids") == 0) {
            o.full_ids = 1;
        } else if (wcscmp(arg, L"--json") == 0) {
            o.json = 1;
        } else if (wcscmp(arg, L"--all") == 0) {
            all = 1;
        } else if (wcscmp(arg, L"--all-users") == 0) {
            flags |= BW_ENUM_ALL_USERS;
        } else if ((val = option_value(L"--interval-ms", argc, argv, &i)) != NULL) {
            if (!parse_number(val, MIN_INTERVAL_MS, MAX_INTERVAL_MS, &n)) {
                free(ids);
                return usage_error(err, "--interval-ms needs a number of milliseconds from 10 to 600000, not '%s'",
                                   bw_text_utf8(shown, sizeof shown, val));
            }
            o.interval_ms = (UINT32)n;
        } else if ((val = option_value(L"--timeout-sec", argc, argv, &i)) != NULL) {
            if (!parse_number(val, 0, 4000000, &n)) {
                free(ids);
                return usage_error(err, "--timeout-sec needs a number of seconds (0 = no limit), not '%s'",
                                   bw_text_utf8(shown, sizeof shown, val));
            }
            o.timeout_sec = (UINT32)n;
        } else {
            free(ids);
            return usage_error(err, "unknown option '%s'", bw_text_utf8(shown, sizeof shown, arg));
        }
    }
    if (all && nids > 0) {
        free(ids);
        return usage_error(err, "%s", "watch takes either --all or job GUIDs, not both");
    }
    if ((flags & BW_ENUM_ALL_USERS) && !all) {
        free(ids);
        return usage_error(err, "%s", "--all-users goes with --all");
    }
    if (!all && nids == 0) {
        free(ids);
        return usage_error(err, "%s", "watch needs at least one job GUID (or --all)");
    }

    check_dll_version(err);
    /* Before anything that can take a while (the first census, the first
     * BwJobOpen): from here on Ctrl+C ends the watch with exit code 130. */
    bw_interrupt_begin(close_job);
    if (all) {
        free(ids);
        rc = bw_watch_queue(&o, flags, out, err);
    } else {
        rc = bw_watch(&o, ids, nids, out, err);
        free(ids);
    }
    if (bw_interrupted())
        bw_stream_line(err, "bitswatch: interrupted");
    return bw_interrupt_end(rc); /* 130 after a Ctrl+C at any moment until here */
}

int wmain(int argc, WCHAR **argv)
{
    bw_stream out, err;

    bw_stream_init(&out, STD_OUTPUT_HANDLE);
    bw_stream_init(&err, STD_ERROR_HANDLE);

    if (argc < 2)
        return usage_error(&err, "%s", "no command given");
    if (wcscmp(argv[1], L"--help") == 0 || wcscmp(argv[1], L"-h") == 0 ||
        wcscmp(argv[1], L"/?") == 0 || wcscmp(argv[1], L"help") == 0) {
        print_usage(&out);
        return BW_EXIT_OK;
    }
    if (wcscmp(argv[1], L"--version") == 0) {
        char dll[32];
        version_text(dll, sizeof dll, BwGetVersion());
        bw_stream_linef(&out, "bitswatch %s (bitswatch.dll %s)", BW_VERSION_STRING, dll);
        check_dll_version(&err);
        return BW_EXIT_OK;
    }
    if (wcscmp(argv[1], L"watch") == 0)
        return cmd_watch(argc, argv, &out, &err);
    if (wcscmp(argv[1], L"list") == 0)
        return cmd_list(argc, argv, &out, &err);
    if (wcscmp(argv[1], L"info") == 0)
        return cmd_info(argc, argv, &out, &err);

    char shown[128];
    return usage_error(&err, "unknown command '%s'", bw_text_utf8(shown, sizeof shown, argv[1]));
}
