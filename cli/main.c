/*
 * main.c - bitswatch.exe: watch BITS jobs live through bitswatch.dll.
 *
 *   bitswatch watch [--complete] [--interval-ms N] [--timeout-sec N]
 *                   [--full-ids] [--json] (<job-guid>... | --all [--all-users])
 *   bitswatch list [--all-users] [--json]
 *   bitswatch info [--json] <job-guid>
 *   bitswatch help [watch | list | info]
 *   bitswatch why [--json] [--sample-sec N] (<job-guid>... | --all [--all-users])
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
#include "why.h"

#define DEFAULT_INTERVAL_MS 1000u
#define MAX_INTERVAL_MS 600000u
#define MIN_INTERVAL_MS 10u
#define MAX_TIMEOUT_SEC 4000000u

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

/* The help, by section: the overview (no command, or "help"), and one per
 * command ("watch --help", "help watch"). */
static const char *const usage_head[] = {
    "Usage: bitswatch watch [options] <job-guid>...",
    "       bitswatch watch [options] --all [--all-users]",
    "       bitswatch list [--all-users] [--json]",
    "       bitswatch info [--json] <job-guid>",
    "       bitswatch help [watch | list | info]",
    "       bitswatch why [--json] [--sample-sec N] (<job-guid>... | --all [--all-users])",
    "       bitswatch --version | --help",
    "",
};

static const char *const usage_watch[] = {
    "watch  shows each BITS job live on one line (display name, state,",
    "       bytes, rate, ETA) until every job is done: transferred,",
    "       acknowledged, in error, cancelled or gone. All jobs are watched",
    "       with one wait, so a change of any of them shows promptly,",
    "       however many there are. A GUID given twice is watched once.",
    "       --all follows the queue instead, until Ctrl+C or --timeout-sec",
    "       (an empty queue too): every job in it, and each job created",
    "       meanwhile (it shows within about 0.3 s). A job that leaves the",
    "       queue shows how it ended (cancelled, acknowledged, gone), then",
    "       its line goes (on a console after 3 s).",
    "       On a console the block fits the window: a narrow one shortens",
    "       the names first (\xE2\x80\xA6 where one is cut); with more jobs than rows,",
    "       the busiest show and a \"+N more\" line says how many do not.",
    "Options of watch:",
    "  --complete         acknowledge each job when it is transferred (BITS then",
    "                     moves its files to their final names)",
    "  --interval-ms N    longest wait between refreshes, and when the output is",
    "                     redirected, the least time between two progress lines",
    "                     of a job (state changes always print); 10 to 600000,",
    "                     default 1000",
    "  --timeout-sec N    stop watching after N seconds, 0 to 4000000 (exit code",
    "                     3 when a job is still going then); 0 = never (default)",
    "  --full-ids         show whole GUIDs on a console too (redirected output",
    "                     always has them)",
    "  --all              follow the queue (every job, new ones too) instead of",
    "                     GUIDs",
    "  --all-users        with --all: every user's jobs, not only yours (needs an",
    "                     elevated, administrator prompt)",
    "  --json             JSON objects instead of lines (README.md, \"JSON",
    "                     output\")",
    "Job lines go to stdout; errors (a job's error, a failed call, the",
    "timeout) go to stderr, \"bitswatch: \" first.",
    "",
};

static const char *const usage_list[] = {
    "list   one line per job under a header: GUID, state, bytes, files,",
    "       display name, in aligned columns. Sizes are in binary units:",
    "       1 KB = 1024 bytes, 1 MB = 1024 KB.",
    "Options of list:",
    "  --all-users        every user's jobs, not only yours (needs an elevated,",
    "                     administrator prompt)",
    "  --json             one JSON object per job instead of lines",
    "",
};

static const char *const usage_info[] = {
    "info   everything about one job, one \"Name: value\" per line: names,",
    "       owner, type, priority, state, progress, times, and the error of",
    "       a job in error. A moving job is watched up to 1.5 s for its rate.",
    "Options of info:",
    "  --json             one JSON object instead of lines",
    "",
};

static const char *const usage_why[] = {
    "why    why each job is where it is: a verdict (Suspended, NotCompleted,",
    "       RetryWait, QueuedBehind, RemoteError, Stalled, ...), one line of",
    "       explanation, what to do, and the evidence (states, times, bytes,",
    "       files, error, retry delay, proxy; \"unknown\" where the service",
    "       does not say). The rules are bitswatch.dll's (BwJobDiagnose).",
    "Options of why:",
    "  --all              every job in the queue",
    "  --all-users        with --all: every user's jobs (elevated prompt)",
    "  --sample-sec N     watch moving jobs N seconds first, so that a stall",
    "                     shows (0 to 600; default 6; 0: no watch)",
    "  --json             one JSON object per job (\"kind\": \"diagnosis\")",
    "  With --all a summary follows: verdicts counted, jobs per owner, and the",
    "  queue against BITS' default limits (300 jobs, 60 per user) past which",
    "  creating a job fails (\"kind\": \"summary\" with --json).",
    "  why exits 0 when every job was diagnosed, 1 when one could not be",
    "  opened or read (the others are still shown), 2 on a usage error, 130",
    "  after Ctrl+C.",
    "",
};

static const char *const usage_common[] = {
    "A job GUID is \"{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}\" (8-4-4-4-12 hex",
    "digits); braces optional. Commands are not case-sensitive (LIST works).",
    "Control characters and escape sequences in text from BITS (a display",
    "name, say) are never printed.",
    "--json (watch, list, info): one JSON object per line on stdout (NDJSON,",
    "UTF-8, lines end in LF), each with \"schema\": 1 and a \"kind\". Messages",
    "and errors stay on stderr as text. The fields are described in",
    "README.md.",
    "Everywhere:",
    "  -h, --help         this text (with a command: that command's help)",
    "  --version          versions of bitswatch.exe and bitswatch.dll",
    "",
};

static const char *const usage_exit[] = {
    "Exit codes:",
    "  0    watch: every job ended transferred or acknowledged (or there was",
    "       none; --all: none failed, none still going at --timeout-sec);",
    "       list, info: done",
    "  1    watch: a job failed, was cancelled, disappeared or could not be",
    "       opened; watch --all, list: the queue could not be read",
    "       (--all-users without elevation); info: the job could not be",
    "       opened or read",
    "  2    usage error (an unknown option, a malformed GUID, ...): nothing ran",
    "  3    watch: timed out with a job still going",
    "  130  watch: interrupted (Ctrl+C or Ctrl+Break), whatever the jobs did",
    "  141  stdout was closed (its reader went away: \"| head -n 1\"); the",
    "       command ended quietly",
    "When several apply, the first of 130, 141, 1, 3, 0 wins: a watch in",
    "which one job failed and another was still going at --timeout-sec",
    "exits 1.",
};

static void print_lines(bw_stream *out, const char *const *text, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bw_stream_line(out, text[i]);
}

#define PRINT(out, t) print_lines((out), (t), sizeof(t) / sizeof((t)[0]))

/* which: NULL (everything), "watch", "list" or "info". */
static void print_usage(bw_stream *out, const char *which)
{
    PRINT(out, usage_head);
    if (!which || strcmp(which, "watch") == 0)
        PRINT(out, usage_watch);
    if (!which || strcmp(which, "list") == 0)
        PRINT(out, usage_list);
    if (!which || strcmp(which, "info") == 0)
        PRINT(out, usage_info);
    if (!which || strcmp(which, "why") == 0)
        PRINT(out, usage_why);
    PRINT(out, usage_common);
    PRINT(out, usage_exit);
}

static int usage_error(bw_stream *err, const char *fmt, const char *arg)
{
    char msg[512];

    snprintf(msg, sizeof msg, fmt, arg);
    bw_stream_linef(err, "bitswatch: %s", msg);
    bw_stream_line(err, "Try 'bitswatch --help'.");
    return BW_EXIT_USAGE;
}

static int is_help(const WCHAR *arg)
{
    return _wcsicmp(arg, L"--help") == 0 || wcscmp(arg, L"-h") == 0 || wcscmp(arg, L"/?") == 0;
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

static int hex_value(WCHAR c)
{
    if (c >= L'0' && c <= L'9')
        return c - L'0';
    if (c >= L'a' && c <= L'f')
        return c - L'a' + 10;
    if (c >= L'A' && c <= L'F')
        return c - L'A' + 10;
    return -1;
}

/* GUID text as BwJobOpen takes it: 8-4-4-4-12 hex digits, in braces or
 * not. 1 and *id when it is one, else 0. Checked here so that a typo is a
 * usage error (exit 2) that says what a GUID looks like, not a failed
 * open. */
static int parse_guid(const WCHAR *s, GUID *id)
{
    static const int dash_at[] = {8, 13, 18, 23};
    unsigned char b[16];
    size_t len = wcslen(s);
    int nb = 0, hi = -1;

    if (len == 38 && s[0] == L'{' && s[37] == L'}') {
        s++;
        len = 36;
    }
    if (len != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == dash_at[0] || i == dash_at[1] || i == dash_at[2] || i == dash_at[3];
        if (dash) {
            if (s[i] != L'-')
                return 0;
            continue;
        }
        int v = hex_value(s[i]);
        if (v < 0)
            return 0;
        if (hi < 0) {
            hi = v;
        } else {
            b[nb++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    id->Data1 = (DWORD)b[0] << 24 | (DWORD)b[1] << 16 | (DWORD)b[2] << 8 | b[3];
    id->Data2 = (WORD)(b[4] << 8 | b[5]);
    id->Data3 = (WORD)(b[6] << 8 | b[7]);
    memcpy(id->Data4, b + 8, 8);
    return 1;
}

static int bad_guid(bw_stream *err, const WCHAR *arg)
{
    char shown[128];

    return usage_error(err, "'%s' is not a job GUID: expected {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}"
                            " (8-4-4-4-12 hex digits, braces optional)",
                       bw_text_utf8(shown, sizeof shown, arg));
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

static int unknown_option(bw_stream *err, const char *command, const WCHAR *arg)
{
    char shown[128], fmt[160];

    snprintf(fmt, sizeof fmt, "%s: unknown option '%%s'", command);
    return usage_error(err, fmt, bw_text_utf8(shown, sizeof shown, arg));
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
        else if (is_help(argv[i])) {
            print_usage(out, "list");
            return BW_EXIT_OK;
        } else if (argv[i][0] == L'-')
            return unknown_option(err, "list", argv[i]);
        else
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
    GUID guid;

    /* Options first, whatever their place: "info --frob {guid}" blames
     * --frob, not the GUID. */
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            print_usage(out, "info");
            return BW_EXIT_OK;
        }
        if (wcscmp(argv[i], L"--json") == 0)
            json = 1;
        else if (argv[i][0] == L'-' && argv[i][1] != 0)
            return unknown_option(err, "info", argv[i]);
    }
    for (int i = 2; i < argc; i++) {
        if (wcscmp(argv[i], L"--json") == 0)
            continue;
        if (id)
            return usage_error(err, "info takes one job GUID; unexpected '%s'",
                               bw_text_utf8(shown, sizeof shown, argv[i]));
        id = argv[i];
    }
    if (!id)
        return usage_error(err, "%s", "info needs a job GUID");
    if (!parse_guid(id, &guid))
        return bad_guid(err, id);
    check_dll_version(err);
    return bw_info(id, json, out, err);
}

/* why [--json] [--sample-sec N] (<job-guid>... | --all [--all-users]) */
static int cmd_why(int argc, WCHAR **argv, bw_stream *out, bw_stream *err)
{
    int json = 0, all = 0, n = 0, rc;
    UINT32 flags = 0;
    unsigned long sample_sec = BW_WHY_SAMPLE_MS / 1000u;
    char shown[128];
    GUID *ids = calloc((size_t)argc, sizeof *ids);

    if (!ids) {
        bw_stream_line(err, "bitswatch: out of memory");
        return BW_EXIT_FAILED;
    }
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            print_usage(out, "why");
            free(ids);
            return BW_EXIT_OK;
        }
    }
    for (int i = 2; i < argc; i++) {
        const WCHAR *arg = argv[i];
        if (wcscmp(arg, L"--json") == 0) {
            json = 1;
        } else if (wcscmp(arg, L"--all") == 0) {
            all = 1;
        } else if (wcscmp(arg, L"--all-users") == 0) {
            flags |= BW_ENUM_ALL_USERS;
        } else if (wcscmp(arg, L"--sample-sec") == 0) {
            if (i + 1 >= argc || !parse_number(argv[i + 1], 0, BW_WHY_SAMPLE_MAX_SEC, &sample_sec)) {
                rc = usage_error(err, "--sample-sec needs a number of seconds from 0 to 600, not '%s'",
                                 i + 1 < argc ? bw_text_utf8(shown, sizeof shown, argv[i + 1]) : "");
                free(ids);
                return rc;
            }
            i++;
        } else if (arg[0] == L'-' && arg[1] != 0) {
            free(ids);
            return unknown_option(err, "why", arg);
        } else if (!parse_guid(arg, &ids[n++])) {
            free(ids);
            return bad_guid(err, arg);
        }
    }
    if (all && n) {
        free(ids);
        return usage_error(err, "%s", "why takes either --all or job GUIDs, not both");
    }
    if (flags && !all) {
        free(ids);
        return usage_error(err, "%s", "--all-users goes with --all");
    }
    if (!all && !n) {
        free(ids);
        return usage_error(err, "%s", "why needs at least one job GUID (or --all)");
    }
    check_dll_version(err);
    rc = bw_why(ids, n, all, flags, json, (unsigned)sample_sec * 1000u, out, err);
    free(ids);
    return rc;
}

static int cmd_watch(int argc, WCHAR **argv, bw_stream *out, bw_stream *err)
{
    bw_watch_options o = {0, DEFAULT_INTERVAL_MS, 0, 0, 0};
    int all = 0;
    UINT32 flags = 0;
    /* Job GUIDs in the order given, each once; options may come before or
     * after them. */
    const WCHAR **ids = calloc((size_t)argc, sizeof *ids);
    GUID *seen = calloc((size_t)argc, sizeof *seen);
    int nids = 0, rc;
    char shown[128];

    if (!ids || !seen) {
        free(ids);
        free(seen);
        bw_stream_line(err, "bitswatch: out of memory");
        return BW_EXIT_FAILED;
    }
    for (int i = 2; i < argc; i++) {
        const WCHAR *arg = argv[i];
        const WCHAR *val;
        unsigned long n;
        int positional = 0;

        if (wcscmp(arg, L"--") == 0) {
            while (++i < argc)
                ids[nids++] = argv[i];
            break;
        }
        if (arg[0] != L'-') {
            positional = 1;
        } else if (is_help(arg)) {
            print_usage(out, "watch");
            rc = BW_EXIT_OK;
            goto out;
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
                rc = usage_error(err, "--interval-ms needs a number of milliseconds from 10 to 600000, not '%s'",
                                 bw_text_utf8(shown, sizeof shown, val));
                goto out;
            }
            o.interval_ms = (UINT32)n;
        } else if ((val = option_value(L"--timeout-sec", argc, argv, &i)) != NULL) {
            if (!parse_number(val, 0, MAX_TIMEOUT_SEC, &n)) {
                rc = usage_error(err, "--timeout-sec needs a number of seconds from 0 (no limit) to 4000000, not '%s'",
                                 bw_text_utf8(shown, sizeof shown, val));
                goto out;
            }
            o.timeout_sec = (UINT32)n;
        } else {
            rc = unknown_option(err, "watch", arg);
            goto out;
        }
        if (positional)
            ids[nids++] = arg;
    }
    /* Every GUID well-formed, before anything is opened; a GUID given
     * twice (in any case, with or without braces) is watched once. */
    {
        int k = 0;
        for (int i = 0; i < nids; i++) {
            GUID g;
            int dup = 0;
            if (!parse_guid(ids[i], &g)) {
                rc = bad_guid(err, ids[i]);
                goto out;
            }
            for (int j = 0; j < k && !dup; j++)
                dup = memcmp(&seen[j], &g, sizeof g) == 0;
            if (dup)
                continue;
            seen[k] = g;
            ids[k++] = ids[i];
        }
        nids = k;
    }
    if (all && nids > 0) {
        rc = usage_error(err, "%s", "watch takes either --all or job GUIDs, not both");
        goto out;
    }
    if ((flags & BW_ENUM_ALL_USERS) && !all) {
        rc = usage_error(err, "%s", "--all-users goes with --all");
        goto out;
    }
    if (!all && nids == 0) {
        rc = usage_error(err, "%s", "watch needs at least one job GUID (or --all)");
        goto out;
    }

    check_dll_version(err);
    /* Before anything that can take a while (the first census, the first
     * BwJobOpen): from here on Ctrl+C ends the watch with exit code 130. */
    bw_interrupt_begin(close_job);
    if (all)
        rc = bw_watch_queue(&o, flags, out, err);
    else
        rc = bw_watch(&o, ids, nids, out, err);
    if (bw_interrupted())
        bw_stream_line(err, "bitswatch: interrupted");
    rc = bw_interrupt_end(rc); /* 130 after a Ctrl+C at any moment until here */
out:
    free(ids);
    free(seen);
    return rc;
}

/* The command named by arg, in any case ("LIST"): "watch", "list", "info"
 * or "help"; NULL for none. */
static const char *command_of(const WCHAR *arg)
{
    static const char *const names[] = {"watch", "list", "info", "help"};
    static const WCHAR *const wnames[] = {L"watch", L"list", L"info", L"help"};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (_wcsicmp(arg, wnames[i]) == 0)
            return names[i];
    return NULL;
}

static int run_command(int argc, WCHAR **argv, bw_stream *out, bw_stream *err)
{
    char shown[128];
    const char *cmd;

    if (argc < 2)
        return usage_error(err, "%s", "no command given");
    if (is_help(argv[1])) {
        print_usage(out, NULL);
        return BW_EXIT_OK;
    }
    if (_wcsicmp(argv[1], L"--version") == 0) {
        char dll[32];
        version_text(dll, sizeof dll, BwGetVersion());
        bw_stream_linef(out, "bitswatch %s (bitswatch.dll %s)", BW_VERSION_STRING, dll);
        check_dll_version(err);
        return BW_EXIT_OK;
    }
    if (_wcsicmp(argv[1], L"why") == 0)
        return cmd_why(argc, argv, out, err);
    if (_wcsicmp(argv[1], L"help") == 0 && argc == 3 && _wcsicmp(argv[2], L"why") == 0) {
        print_usage(out, "why");
        return BW_EXIT_OK;
    }
    cmd = command_of(argv[1]);
    if (!cmd) {
        if (argv[1][0] == L'-')
            return usage_error(err, "unknown option '%s' (a command comes first: watch, list, info)",
                               bw_text_utf8(shown, sizeof shown, argv[1]));
        return usage_error(err, "unknown command '%s' (watch, list, info or help)",
                           bw_text_utf8(shown, sizeof shown, argv[1]));
    }
    if (strcmp(cmd, "help") == 0) {
        const char *which = argc > 2 ? command_of(argv[2]) : NULL;
        if (argc > 3 || (argc > 2 && (!which || strcmp(which, "help") == 0)))
            return usage_error(err, "help: no command '%s' (watch, list or info)",
                               bw_text_utf8(shown, sizeof shown, argv[argc > 3 ? 3 : 2]));
        print_usage(out, which);
        return BW_EXIT_OK;
    }
    if (strcmp(cmd, "watch") == 0)
        return cmd_watch(argc, argv, out, err);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc, argv, out, err);
    return cmd_info(argc, argv, out, err);
}

int wmain(int argc, WCHAR **argv)
{
    bw_stream out, err;
    int rc;

    bw_stream_init(&out, STD_OUTPUT_HANDLE);
    bw_stream_init(&err, STD_ERROR_HANDLE);
    rc = run_command(argc, argv, &out, &err);
    /* Whoever read stdout went away: 141, as shells report SIGPIPE; only a
     * Ctrl+C (130) and a usage error (2, nothing ran) say more. */
    if (out.broken && rc != BW_EXIT_INTERRUPTED && rc != BW_EXIT_USAGE)
        rc = BW_EXIT_OUTPUT_CLOSED;
    return rc;
}
