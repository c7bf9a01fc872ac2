/*
 * test_cli_integration.c - bitswatch.exe list and info against Wine's real
 * BITS, on jobs bwjob.exe makes from another process.
 *
 * Run as: test_cli_integration <path of bitswatch.exe> <path of bwjob.exe>
 * with BW_TEST_HTTP=http://127.0.0.1:<port> (tests/integration/http_server.py)
 * in the environment. One executable for every check: each Wine process
 * start costs seconds.
 *
 * Checks that output redirected to a pipe names the job and its state, that
 * a display name holding an escape sequence reaches the output without a
 * single ESC byte, and that info on a job that got HTTP 404 says so. Then
 * watch --all following the queue: a job created after it started shows,
 * and one cancelled shows how it ended and leaves (follow_checks); and
 * watch --all over 30 jobs: a job cancelled by another process shows
 * promptly, whatever its place in the set (watch_many_checks).
 *
 * Then Ctrl+C, delivered for real: this process makes a console of its own
 * (AllocConsole) that bitswatch.exe inherits, and GenerateConsoleCtrlEvent
 * (CTRL_C_EVENT, 0) reaches every process of that console, as a key press
 * does; this process swallows its own copy. Not CREATE_NEW_PROCESS_GROUP
 * with the child's group: a new group starts with Ctrl+C ignored (that is
 * what 'start /b' relies on, so bitswatch.exe must not undo it), and Wine 8
 * cannot deliver CTRL_BREAK_EVENT (GenerateConsoleCtrlEvent fails with
 * error 6). The moment is pinned down by a full pipe: the reader of one of
 * bitswatch.exe's outputs stops after a marker line, so bitswatch.exe blocks
 * in the phase that printed it (opening the jobs, or tearing down) until the
 * Ctrl+C has been sent.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define OUT_CAP 65536
#define STATE_ERROR_NUMBER L"4"

static const wchar_t *g_cli, *g_bwjob;
static wchar_t g_http[256];
static int failures;

#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                           \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* Runs "<exe> <args>" with its stdout into out (NUL-terminated, as bytes) and
 * its stderr to ours; returns its exit code, -1 when it could not run or took
 * longer than 60 s. */
static int run(const wchar_t *exe, const wchar_t *args, char *out, size_t cap)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE rd, wr;
    wchar_t cmd[2048];
    DWORD got, code = (DWORD)-1;
    size_t used = 0;

    out[0] = 0;
    if (!CreatePipe(&rd, &wr, &sa, 0))
        return -1;
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    _snwprintf(cmd, sizeof cmd / sizeof cmd[0] - 1, L"\"%ls\" %ls", exe, args);
    cmd[sizeof cmd / sizeof cmd[0] - 1] = 0;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "cannot run %ls: error %lu\n", exe, GetLastError());
        CloseHandle(rd);
        CloseHandle(wr);
        return -1;
    }
    CloseHandle(wr); /* so the read ends when the child exits */
    while (used + 1 < cap && ReadFile(rd, out + used, (DWORD)(cap - 1 - used), &got, NULL) && got)
        used += got;
    out[used] = 0;
    CloseHandle(rd);
    if (WaitForSingleObject(pi.hProcess, 60000) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}

/* "bwjob create <server><path> <temp file> --name <name>": the new job's
 * GUID (with braces) into guid, "" on failure. */
static void create_job(const wchar_t *path, const wchar_t *name, wchar_t guid[39], const wchar_t *file)
{
    wchar_t args[1024], dir[MAX_PATH];
    char out[256];

    GetTempPathW(MAX_PATH, dir);
    _snwprintf(args, sizeof args / sizeof args[0] - 1, L"create %ls%ls \"%ls%ls\" --name \"%ls\"",
               g_http, path, dir, file, name);
    args[sizeof args / sizeof args[0] - 1] = 0;
    guid[0] = 0;
    int rc = run(g_bwjob, args, out, sizeof out);
    CHECK(rc == 0 && out[0] == '{' && strlen(out) >= 38, "bwjob create %ls: exit %d, output '%s'",
          path, rc, out);
    if (rc == 0 && out[0] == '{' && strlen(out) >= 38) {
        for (int i = 0; i < 38; i++)
            guid[i] = (wchar_t)out[i];
        guid[38] = 0;
    }
}

static void bwjob(const wchar_t *verb, const wchar_t *guid, const wchar_t *more)
{
    wchar_t args[256];
    char out[256];

    _snwprintf(args, sizeof args / sizeof args[0] - 1, L"%ls %ls %ls", verb, guid, more);
    args[sizeof args / sizeof args[0] - 1] = 0;
    run(g_bwjob, args, out, sizeof out);
}

static void check_no_control(const char *what, const char *out)
{
    for (const char *p = out; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 && c != '\r' && c != '\n') {
            CHECK(0, "%s: control byte 0x%02X at offset %d in:\n%s", what, c, (int)(p - out), out);
            return;
        }
    }
}

/* The line of out that holds id, copied into line ("" when none). */
static void line_of(const char *out, const char *id, char *line, size_t cap)
{
    const char *p = strstr(out, id), *start, *end;

    line[0] = 0;
    if (!p)
        return;
    for (start = p; start > out && start[-1] != '\n'; start--)
        ;
    for (end = p; *end && *end != '\r' && *end != '\n'; end++)
        ;
    snprintf(line, cap, "%.*s", (int)(end - start), start);
}

static const char *const states[] = {"Queued", "Connecting", "Transferring", "Suspended",
                                      "Error", "TransientError", "Transferred", "Acknowledged",
                                      "Cancelled"};

static int names_a_state(const char *text)
{
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (strstr(text, states[i]))
            return 1;
    return 0;
}


/* ---------------------------------------------------------------- Ctrl+C */

/* Drains one of the child's pipes on its own thread into buf. Once the text
 * holds pause_at, it stops reading (the child then blocks on the full pipe)
 * and signals seen, until resume is set. */
typedef struct reader {
    HANDLE pipe, thread, seen, resume;
    const char *pause_at; /* NULL: never pauses */
    char *buf;
    size_t used, cap;
} reader;

static DWORD WINAPI reader_main(void *arg)
{
    reader *r = arg;
    DWORD got;
    int paused = 0;

    while (r->used + 1 < r->cap &&
           ReadFile(r->pipe, r->buf + r->used, (DWORD)(r->cap - 1 - r->used), &got, NULL) && got) {
        r->used += got;
        r->buf[r->used] = 0;
        if (!paused && r->pause_at && strstr(r->buf, r->pause_at)) {
            paused = 1;
            SetEvent(r->seen);
            WaitForSingleObject(r->resume, 60000);
        }
    }
    /* Keep draining past the cap, so the child can never block for good. */
    char sink[4096];
    while (ReadFile(r->pipe, sink, sizeof sink, &got, NULL) && got)
        ;
    return 0;
}

/* The child's pipes are small, so a paused reader blocks it soon. */
#define CTRL_PIPE_BYTES 512

typedef struct ctrl_run {
    PROCESS_INFORMATION pi;
    reader out, err;
    int started;
} ctrl_run;

static int reader_start(reader *r, HANDLE *child_end, const char *pause_at)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};

    memset(r, 0, sizeof *r);
    r->cap = OUT_CAP;
    r->buf = calloc(1, r->cap);
    r->pause_at = pause_at;
    r->seen = CreateEventW(NULL, TRUE, FALSE, NULL);
    r->resume = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!r->buf || !r->seen || !r->resume || !CreatePipe(&r->pipe, child_end, &sa, CTRL_PIPE_BYTES))
        return 0;
    SetHandleInformation(r->pipe, HANDLE_FLAG_INHERIT, 0);
    return 1;
}

static void reader_free(reader *r)
{
    if (r->thread) {
        SetEvent(r->resume);
        WaitForSingleObject(r->thread, 60000);
        CloseHandle(r->thread);
    }
    if (r->pipe)
        CloseHandle(r->pipe);
    if (r->seen)
        CloseHandle(r->seen);
    if (r->resume)
        CloseHandle(r->resume);
    free(r->buf);
}

/* Starts bitswatch.exe <args> on this process' console, its stdout and
 * stderr read by two readers; the one named by pause_on_err (1: stderr,
 * 0: stdout) pauses at marker. */
static int ctrl_start(ctrl_run *c, const wchar_t *args, int pause_on_err, const char *marker)
{
    STARTUPINFOW si;
    HANDLE out_wr = NULL, err_wr = NULL;
    size_t len = wcslen(g_cli) + wcslen(args) + 8;
    wchar_t *cmd = malloc(sizeof(wchar_t) * len);
    int ok;

    memset(c, 0, sizeof *c);
    ok = cmd && reader_start(&c->out, &out_wr, pause_on_err ? NULL : marker) &&
         reader_start(&c->err, &err_wr, pause_on_err ? marker : NULL);
    if (ok) {
        _snwprintf(cmd, len, L"\"%ls\" %ls", g_cli, args);
        cmd[len - 1] = 0;
        memset(&si, 0, sizeof si);
        si.cb = sizeof si;
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        si.hStdOutput = out_wr;
        si.hStdError = err_wr;
        /* No CREATE_NEW_PROCESS_GROUP: see the top of the file. */
        ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &c->pi);
        if (!ok)
            fprintf(stderr, "cannot run %ls: error %lu\n", g_cli, GetLastError());
    }
    if (out_wr)
        CloseHandle(out_wr);
    if (err_wr)
        CloseHandle(err_wr);
    free(cmd);
    if (!ok)
        return 0;
    c->started = 1;
    c->out.thread = CreateThread(NULL, 0, reader_main, &c->out, 0, NULL);
    c->err.thread = CreateThread(NULL, 0, reader_main, &c->err, 0, NULL);
    return c->out.thread && c->err.thread;
}

/* Waits for the marker, lets the child block on its full pipe, sends Ctrl+C
 * to the console, then lets the child go on. The child's exit code, or -1
 * when the marker never came or it did not exit within 60 s. */
static int ctrl_interrupt(ctrl_run *c, const char *what)
{
    reader *paused = c->err.pause_at ? &c->err : &c->out;
    DWORD code = (DWORD)-1;

    if (WaitForSingleObject(paused->seen, 60000) != WAIT_OBJECT_0) {
        CHECK(0, "%s: no '%s' within 60 s; stdout:\n%s\nstderr:\n%s", what, paused->pause_at,
              c->out.buf, c->err.buf);
        TerminateProcess(c->pi.hProcess, 99);
    } else {
        Sleep(300); /* it writes on until the pipe is full, in the same phase */
        CHECK(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0), "%s: GenerateConsoleCtrlEvent: error %lu",
              what, GetLastError());
        Sleep(500); /* the handler runs while the child is still blocked */
        SetEvent(paused->resume);
    }
    if (WaitForSingleObject(c->pi.hProcess, 60000) == WAIT_OBJECT_0)
        GetExitCodeProcess(c->pi.hProcess, &code);
    else
        TerminateProcess(c->pi.hProcess, 99);
    /* The readers reach the end of the pipes after the exit: wait for the
     * last lines before anyone looks at them. */
    SetEvent(paused->resume);
    WaitForSingleObject(c->out.thread, 10000);
    WaitForSingleObject(c->err.thread, 10000);
    return (int)code;
}

static void ctrl_end(ctrl_run *c)
{
    reader_free(&c->out);
    reader_free(&c->err);
    if (c->started) {
        CloseHandle(c->pi.hProcess);
        CloseHandle(c->pi.hThread);
    }
}

static int count_of(const char *text, const char *part)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, part)) != NULL; p += strlen(part))
        n++;
    return n;
}

/* This process' copy of each Ctrl+C it sends. */
static BOOL WINAPI swallow_ctrl(DWORD type)
{
    return type == CTRL_C_EVENT;
}

/* A console of this process' own for bitswatch.exe to inherit (ctest gives
 * none), on which this process swallows the Ctrl+C it sends. Made once. */
static int own_console(void)
{
    static int have;

    if (have)
        return 1;
    FreeConsole();
    if (!AllocConsole()) {
        CHECK(0, "AllocConsole: error %lu", GetLastError());
        return 0;
    }
    SetConsoleCtrlHandler(swallow_ctrl, TRUE);
    have = 1;
    return 1;
}

/* GUIDs of no job: every BwJobOpen is BG_E_NOT_FOUND and prints a line. */
#define OPEN_MANY 600

/* Ctrl+C while bitswatch.exe is still opening jobs: the handler must be in
 * place before the first BwJobOpen; exit 130, and no more jobs opened. */
static void ctrl_while_opening(void)
{
    size_t cap = OPEN_MANY * 40 + 16;
    wchar_t *args = malloc(sizeof(wchar_t) * cap);
    ctrl_run c;
    int rc;

    if (!args)
        return;
    wcscpy(args, L"watch");
    for (int i = 1; i <= OPEN_MANY; i++)
        _snwprintf(args + wcslen(args), cap - wcslen(args), L" {00000000-0000-0000-0000-%012X}", i);
    if (ctrl_start(&c, args, 1, "cannot open job")) {
        rc = ctrl_interrupt(&c, "Ctrl+C while opening");
        int opened = count_of(c.err.buf, "cannot open job");
        CHECK(rc == 130, "Ctrl+C while opening: exit %d (0x%08X), want 130; last of stderr:\n%s", rc,
              (unsigned)rc, c.err.used > 600 ? c.err.buf + c.err.used - 600 : c.err.buf);
        CHECK(strstr(c.err.buf, "bitswatch: interrupted"), "Ctrl+C while opening: no 'interrupted' on stderr");
        CHECK(opened < OPEN_MANY, "Ctrl+C while opening: went on opening all %d jobs", opened);
    }
    ctrl_end(&c);
    free(args);
}

/* Jobs of the teardown check: their "not done" lines on stderr (about 110
 * bytes each) overfill its 512-byte pipe. Distinct jobs: watch merges a
 * GUID given twice. */
#define TEARDOWN_MANY 12

/* Ctrl+C while bitswatch.exe tears down after --timeout-sec: it prints a
 * "not done" line per job on stderr (blocked here on the full pipe), then
 * closes every handle. Exit 130, not a crash. */
static void ctrl_while_tearing_down(wchar_t (*guid)[39])
{
    size_t cap = TEARDOWN_MANY * 40 + 64;
    wchar_t *args = malloc(sizeof(wchar_t) * cap);
    ctrl_run c;
    int rc;

    if (!args)
        return;
    wcscpy(args, L"watch --timeout-sec 1 --interval-ms 10");
    for (int i = 0; i < TEARDOWN_MANY; i++)
        _snwprintf(args + wcslen(args), cap - wcslen(args), L" %ls", guid[i]);
    if (ctrl_start(&c, args, 1, "not done after")) {
        rc = ctrl_interrupt(&c, "Ctrl+C while tearing down");
        CHECK(rc == 130, "Ctrl+C while tearing down: exit %d (0x%08X), want 130; stderr:\n%s", rc,
              (unsigned)rc, c.err.buf);
        CHECK(strstr(c.err.buf, "bitswatch: interrupted"),
              "Ctrl+C while tearing down: no 'interrupted' on stderr:\n%s", c.err.buf);
    }
    ctrl_end(&c);
    free(args);
}

/* Ctrl+C while watching: the poll that waits ends at once. */
static void ctrl_while_watching(const wchar_t *guid)
{
    wchar_t args[128];
    char marker[64];
    ctrl_run c;
    int rc;

    _snwprintf(args, sizeof args / sizeof args[0], L"watch %ls", guid);
    snprintf(marker, sizeof marker, "%.9ls", guid); /* "{" and 8 hex digits */
    if (ctrl_start(&c, args, 0, marker)) {
        ULONGLONG t0 = GetTickCount64();
        rc = ctrl_interrupt(&c, "Ctrl+C while watching");
        ULONGLONG ms = GetTickCount64() - t0;
        CHECK(rc == 130, "Ctrl+C while watching: exit %d (0x%08X), want 130; stderr:\n%s", rc,
              (unsigned)rc, c.err.buf);
        CHECK(ms < 10000, "Ctrl+C while watching: took %llu ms to exit", ms);
    }
    ctrl_end(&c);
}

static void ctrl_checks(void)
{
    static wchar_t hang_job[TEARDOWN_MANY][39];
    wchar_t file[64];
    int ok = 1;

    if (!own_console())
        return;
    ctrl_while_opening();
    for (int i = 0; i < TEARDOWN_MANY; i++) {
        _snwprintf(file, sizeof file / sizeof file[0], L"bw_cli_ctrl_%d.bin", i);
        create_job(L"/hang/100000", L"ctrl", hang_job[i], file);
        ok &= hang_job[i][0] != 0;
    }
    if (ok) {
        ctrl_while_watching(hang_job[0]);
        ctrl_while_tearing_down(hang_job);
    }
    for (int i = 0; i < TEARDOWN_MANY; i++)
        if (hang_job[i][0])
            bwjob(L"cancel", hang_job[i], L""); /* hanging or queued: safe to cancel under Wine */
}

/* ------------------------------------------------------------- --json */

/* --json on real jobs: the outputs go to files in JSON_DIR (under the
 * working directory, which ctest sets), which check_json_output.py then
 * parses with python3's json module and checks field by field (the
 * test_cli_json_output test, after this one). */
#define JSON_DIR L"cli_json"
/* A display name with everything a JSON writer can get wrong: a quote, a
 * backslash, a tab, a control character, an escape sequence, a lone high
 * surrogate (not well-formed UTF-16: becomes U+FFFD), a surrogate pair
 * (U+1F600), a bidi override, Latin and CJK text. check_json_output.py
 * holds the same name as Python expects it back. */
#define ODD_NAME L"q\"b\\s\t\x01\x1b[1m\xd800 \xd83d\xde00\x202e" L"exe caf\x00e9 \x65e5"
/* The same, for create_job's quoted --name argument (a quote inside as \"). */
#define ODD_NAME_ARG L"q\\\"b\\s\t\x01\x1b[1m\xd800 \xd83d\xde00\x202e" L"exe caf\x00e9 \x65e5"

/* Writes len bytes to JSON_DIR\name; 1 on success. */
static int save(const wchar_t *name, const char *data, size_t len)
{
    wchar_t path[MAX_PATH];
    DWORD done = 0;

    _snwprintf(path, MAX_PATH, L"%ls\\%ls", JSON_DIR, name);
    path[MAX_PATH - 1] = 0;
    HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        CHECK(0, "cannot write %ls: error %lu", path, GetLastError());
        return 0;
    }
    int ok = WriteFile(f, data, (DWORD)len, &done, NULL) && done == len;
    CloseHandle(f);
    CHECK(ok, "cannot write %ls", path);
    return ok;
}

/* Runs bitswatch.exe args, saves its stdout as name, checks the exit code. */
static void run_json(const wchar_t *args, const wchar_t *name, int want_rc, char *out)
{
    int rc = run(g_cli, args, out, OUT_CAP);
    CHECK(rc == want_rc, "%ls: exit %d, want %d; stdout:\n%s", args, rc, want_rc, out);
    CHECK(out[0] == '{', "%ls: no JSON object on stdout:\n%s", args, out);
    CHECK(!strstr(out, "\r\n"), "%ls: CRLF in NDJSON output", args);
    save(name, out, strlen(out));
}

static void json_checks(char *out)
{
    wchar_t nf[39], fast[39], odd[39], args[512];
    static const wchar_t missing[] = L"{00000000-0000-0000-0000-00000000000F}";
    char ids[512];

    /* A fresh directory: a file left by an earlier run must not pass. */
    static const wchar_t *const files[] = {L"list.ndjson", L"info-404.ndjson",
                                           L"info-fast.ndjson", L"info-odd.ndjson",
                                           L"watch.ndjson", L"jobs.txt"};
    CreateDirectoryW(JSON_DIR, NULL);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        wchar_t path[MAX_PATH];
        _snwprintf(path, MAX_PATH, L"%ls\\%ls", JSON_DIR, files[i]);
        DeleteFileW(path);
    }

    /* One at a time (Wine's BITS moves one job at a time): the 404 job in
     * Error, the fast one Transferred, then the hanging one with the odd
     * name (it stays in flight: safe to cancel under Wine). */
    create_job(L"/status/404", L"json 404", nf, L"bw_cli_json_404.bin");
    if (nf[0]) {
        _snwprintf(args, sizeof args / sizeof args[0], L"wait %ls " STATE_ERROR_NUMBER L" 60000", nf);
        CHECK(run(g_bwjob, args, out, OUT_CAP) == 0, "json: 404 job never reached Error: %s", out);
    }
    create_job(L"/fast/5000", L"json fast", fast, L"bw_cli_json_fast.bin");
    if (fast[0]) {
        _snwprintf(args, sizeof args / sizeof args[0], L"wait %ls 6 60000", fast);
        CHECK(run(g_bwjob, args, out, OUT_CAP) == 0, "json: fast job never Transferred: %s", out);
    }
    create_job(L"/hang/1000", ODD_NAME_ARG, odd, L"bw_cli_json_odd.bin");
    if (!nf[0] || !fast[0] || !odd[0])
        goto done;

    run_json(L"list --json", L"list.ndjson", 0, out);
    _snwprintf(args, sizeof args / sizeof args[0], L"info --json %ls", nf);
    run_json(args, L"info-404.ndjson", 0, out);
    _snwprintf(args, sizeof args / sizeof args[0], L"info %ls --json", fast);
    run_json(args, L"info-fast.ndjson", 0, out);
    _snwprintf(args, sizeof args / sizeof args[0], L"info --json %ls", odd);
    run_json(args, L"info-odd.ndjson", 0, out);
    /* 404: ends in error; fast: completed; odd: still hanging at the
     * timeout; missing: does not open. Exit 1: a job failed. */
    _snwprintf(args, sizeof args / sizeof args[0],
               L"watch --json --complete --timeout-sec 3 --interval-ms 200 %ls %ls %ls %ls", nf, fast,
               odd, missing);
    run_json(args, L"watch.ndjson", 1, out);

    /* What the checker needs to know: the GUIDs, one "name=value" a line. */
    snprintf(ids, sizeof ids, "nf=%ls\nfast=%ls\nodd=%ls\nmissing=%ls\n", nf, fast, odd, missing);
    save(L"jobs.txt", ids, strlen(ids));

done:
    /* In Error, hanging, and Transferred or Acknowledged: all safe to cancel. */
    if (nf[0])
        bwjob(L"cancel", nf, L"");
    if (odd[0])
        bwjob(L"cancel", odd, L"");
    if (fast[0])
        bwjob(L"cancel", fast, L"");
}

/* ------------------------------------------------------ watch many jobs */

/* watch --all over this many jobs: one /slow job that transfers for the whole
 * check (Wine's BITS moves one job at a time), the rest /hang jobs queued
 * behind it (safe to cancel under Wine whatever they do, see
 * shared/wine-bits.md). */
#define MANY_JOBS 30
#define MANY_SLOW_PATH L"/slow/786432?rate=32768&chunk=4096" /* 24 s */
#define MANY_HANG_PATH L"/hang/1000"
/* Rounds of the check below, and the limit on the time from a cancel to its
 * line for a job cancelled just after the watch read it. Measured here: a
 * wait per job in turn, 1.28-1.31 s in the first round (every run: the
 * sweep is fixed); one wait for the set, 0.1-0.6 s (a pass over the quiet
 * jobs within the library's 10% read budget, longer when reads are slow
 * on a loaded machine). */
#define MANY_ROUNDS 4
#define MANY_LIMIT_MS 1000.0

/* Reads a child's stdout on its own thread, noting when each chunk came, so
 * that the moment a line appeared can be told afterwards. */
#define TAIL_CHUNKS 8192
typedef struct tail {
    HANDLE pipe, thread;
    CRITICAL_SECTION lock;
    char *buf;
    size_t used, cap;
    size_t chunk_end[TAIL_CHUNKS]; /* buf offset after chunk k */
    double chunk_ms[TAIL_CHUNKS];  /* when chunk k was read */
    int chunks;
} tail;

static double now_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;

    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static DWORD WINAPI tail_main(void *arg)
{
    tail *t = arg;
    char chunk[4096];
    DWORD got;

    while (ReadFile(t->pipe, chunk, sizeof chunk, &got, NULL) && got) {
        double at = now_ms();
        EnterCriticalSection(&t->lock);
        if (t->used + got + 1 <= t->cap) {
            memcpy(t->buf + t->used, chunk, got);
            t->used += got;
            t->buf[t->used] = 0;
            if (t->chunks < TAIL_CHUNKS) {
                t->chunk_end[t->chunks] = t->used;
                t->chunk_ms[t->chunks] = at;
                t->chunks++;
            }
        }
        LeaveCriticalSection(&t->lock);
    }
    return 0;
}

/* Starts "<bitswatch.exe> <args>" with stdout read by t; stderr to ours. */
static int tail_start(tail *t, PROCESS_INFORMATION *pi, const wchar_t *args)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOW si;
    HANDLE wr;
    wchar_t cmd[1024];

    memset(t, 0, sizeof *t);
    InitializeCriticalSection(&t->lock);
    t->cap = 1 << 22;
    t->buf = calloc(1, t->cap);
    if (!t->buf || !CreatePipe(&t->pipe, &wr, &sa, 0))
        return 0;
    SetHandleInformation(t->pipe, HANDLE_FLAG_INHERIT, 0);
    _snwprintf(cmd, sizeof cmd / sizeof cmd[0] - 1, L"\"%ls\" %ls", g_cli, args);
    cmd[sizeof cmd / sizeof cmd[0] - 1] = 0;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    int ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, pi);
    CloseHandle(wr);
    if (!ok) {
        fprintf(stderr, "cannot run %ls: error %lu\n", g_cli, GetLastError());
        return 0;
    }
    t->thread = CreateThread(NULL, 0, tail_main, t, 0, NULL);
    return t->thread != NULL;
}

static void tail_free(tail *t)
{
    if (t->thread) {
        WaitForSingleObject(t->thread, 30000);
        CloseHandle(t->thread);
    }
    if (t->pipe)
        CloseHandle(t->pipe);
    DeleteCriticalSection(&t->lock);
    free(t->buf);
}

/* When (now_ms) the first line holding both a and b (b NULL: any) was read;
 * -1 when there is none yet. */
static double tail_line_time(tail *t, const char *a, const char *b)
{
    double at = -1;

    EnterCriticalSection(&t->lock);
    for (const char *p = t->buf; (p = strstr(p, a)) != NULL; p++) {
        const char *start = p, *end = p;
        while (start > t->buf && start[-1] != '\n')
            start--;
        while (*end && *end != '\n')
            end++;
        if (!*end)
            break; /* not a whole line yet */
        int match = 1;
        if (b) {
            const char *q = strstr(start, b);
            match = q && q < end;
        }
        if (match) {
            size_t off = (size_t)(end - t->buf) + 1;
            for (int k = 0; k < t->chunks; k++)
                if (t->chunk_end[k] >= off) {
                    at = t->chunk_ms[k];
                    break;
                }
            break;
        }
    }
    LeaveCriticalSection(&t->lock);
    return at;
}

/* Polls until the line is there or ms passed; its time, or -1. */
static double tail_wait_line(tail *t, const char *a, const char *b, DWORD ms)
{
    ULONGLONG until = GetTickCount64() + ms;
    double at;

    while ((at = tail_line_time(t, a, b)) < 0 && GetTickCount64() < until)
        Sleep(5);
    return at;
}

/* Sends "bwjob cancel <guid>" and returns when it is done (now_ms). */
static double cancel_now(const wchar_t *guid)
{
    bwjob(L"cancel", guid, L""); /* the cancel ran before bwjob.exe exited */
    return now_ms();
}

/* The jobs of guid[first..n) in the order bitswatch.exe watches them (the
 * order of their first lines: BwEnumJobs' order), as indices into order. */
static void watch_order(tail *t, wchar_t (*guid)[39], int first, int n, int *order)
{
    size_t at[MANY_JOBS];
    char id[64];
    int k = 0;

    EnterCriticalSection(&t->lock);
    for (int i = first; i < n; i++) {
        snprintf(id, sizeof id, "%ls", guid[i]);
        const char *p = strstr(t->buf, id);
        at[i] = p ? (size_t)(p - t->buf) : (size_t)-1;
        order[k++] = i;
    }
    LeaveCriticalSection(&t->lock);
    for (int x = 1; x < k; x++) /* insertion sort by first appearance */
        for (int y = x; y > 0 && at[order[y - 1]] > at[order[y]]; y--) {
            int tmp = order[y];
            order[y] = order[y - 1];
            order[y - 1] = tmp;
        }
}

/* watch --all over MANY_JOBS jobs while another process (bwjob.exe) cancels
 * queued ones: a cancel shows promptly, whatever the job's place in the set
 * and whenever it comes.
 *
 * The hard case is a job that the watch has just read: each round cancels a
 * job X, waits for X's line (the watch has read X that moment), then at once
 * cancels Y, the job read just before X, and measures the time from that
 * cancel to Y's line. A watch that gives each job a wait of its own in turn
 * reaches Y only after a pass over all the others (30 jobs x 50 ms, about
 * 1.4 s, every round); one wait for the whole set reads every quiet job
 * within one pass of its read budget, well under a second here. */
static void watch_many_checks(void)
{
    static wchar_t guid[MANY_JOBS][39];
    wchar_t late[39] = {0};
    int cancelled[MANY_JOBS] = {0}, order[MANY_JOBS], ok = 1, rounds = 0;
    double worst = 0;
    char id[64], idy[64];
    wchar_t file[64];
    PROCESS_INFORMATION pi = {0};
    tail t;

    create_job(MANY_SLOW_PATH, L"many slow", guid[0], L"bw_cli_many_0.bin");
    for (int i = 1; i < MANY_JOBS; i++) {
        _snwprintf(file, sizeof file / sizeof file[0], L"bw_cli_many_%d.bin", i);
        create_job(MANY_HANG_PATH, L"many queued", guid[i], file);
    }
    for (int i = 0; i < MANY_JOBS; i++)
        ok &= guid[i][0] != 0;
    if (!ok)
        goto cleanup;
    own_console(); /* before the start: the watch inherits it, and is stopped with Ctrl+C */

    if (!tail_start(&t, &pi, L"watch --all --complete --timeout-sec 120")) {
        CHECK(0, "watch --all: could not start");
        if (pi.hProcess) {
            TerminateProcess(pi.hProcess, 99);
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
            memset(&pi, 0, sizeof pi);
        }
        tail_free(&t);
        goto cleanup;
    }
    /* Every job's first line, then a moment to settle into steady state. */
    for (int i = 0; i < MANY_JOBS && ok; i++) {
        snprintf(id, sizeof id, "%ls", guid[i]);
        if (tail_wait_line(&t, id, NULL, 30000) < 0) {
            CHECK(0, "watch --all: no line for %s within 30 s; output:\n%s", id, t.buf);
            ok = 0;
        }
    }
    /* A job created after the watch started: --all follows the queue, so
     * it joins the set (its line) among the 30. */
    if (ok)
        create_job(MANY_HANG_PATH, L"many late", late, L"bw_cli_many_late.bin");
    if (ok)
        Sleep(1000);
    /* The queued jobs (1..) in the watch's order; pairs (Y, X) of
     * neighbours spread over the set: the end, the middle, the front. */
    watch_order(&t, guid, 1, MANY_JOBS, order);
    static const int pair_at[MANY_ROUNDS] = {26, 13, 1, 20};
    printf("watch --all, %d jobs: cancel to line (ms), X then Y:", MANY_JOBS);
    for (int r = 0; r < MANY_ROUNDS && ok; r++) {
        int y = order[pair_at[r]], x = order[pair_at[r] + 1];
        snprintf(id, sizeof id, "%ls", guid[x]);
        snprintf(idy, sizeof idy, "%ls", guid[y]);
        /* Both queued: safe to cancel under Wine. */
        double done = cancel_now(guid[x]);
        cancelled[x] = 1;
        double seen = tail_wait_line(&t, id, "Cancelled", 10000);
        if (seen < 0) {
            CHECK(0, "watch --all: no Cancelled line for %s within 10 s", id);
            ok = 0;
            break;
        }
        printf(" %.0f", seen > done ? seen - done : 0);
        done = cancel_now(guid[y]);
        cancelled[y] = 1;
        seen = tail_wait_line(&t, idy, "Cancelled", 10000);
        if (seen < 0) {
            CHECK(0, "watch --all: no Cancelled line for %s within 10 s", idy);
            ok = 0;
            break;
        }
        double took = seen > done ? seen - done : 0;
        printf(" %.0f,", took);
        if (took > worst)
            worst = took;
        rounds++;
        Sleep(300);
    }
    printf(" worst Y %.0f ms over %d rounds\n", worst, rounds);
    CHECK(worst < MANY_LIMIT_MS, "watch --all, %d jobs: a job cancelled just after the watch read it"
          " took %.0f ms to show (limit %.0f ms)", MANY_JOBS, worst, MANY_LIMIT_MS);

cleanup:
    /* The queued jobs (never the /slow one while it moves). */
    for (int i = 1; i < MANY_JOBS; i++)
        if (guid[i][0] && !cancelled[i])
            bwjob(L"cancel", guid[i], L"");
    if (late[0])
        bwjob(L"cancel", late, L"");
    if (pi.hProcess) {
        DWORD code = (DWORD)-1;
        snprintf(id, sizeof id, "%ls", late);
        CHECK(!late[0] || tail_wait_line(&t, id, "Cancelled", 10000) >= 0,
              "watch --all: a job created after it started (%s) was not watched, or its cancel"
              " did not show; output:\n%s", id, t.buf);
        snprintf(id, sizeof id, "%ls", guid[0]);
        CHECK(tail_wait_line(&t, id, "completed", 90000) >= 0,
              "watch --all --complete: the slow job %s was not completed; output:\n%s", id, t.buf);
        /* --all follows the queue until told to stop: Ctrl+C, exit 130. */
        if (own_console())
            GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0);
        if (WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0)
            GetExitCodeProcess(pi.hProcess, &code);
        else
            TerminateProcess(pi.hProcess, 99);
        WaitForSingleObject(t.thread, 30000); /* the last lines */
        CHECK(code == 130, "watch --all: exit %ld after Ctrl+C, want 130", (long)code);
        tail_free(&t);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    } else if (guid[0][0]) {
        wchar_t args[128];
        char out[256];
        _snwprintf(args, sizeof args / sizeof args[0], L"wait %ls 6 60000", guid[0]);
        run(g_bwjob, args, out, sizeof out);
        bwjob(L"complete", guid[0], L"");
    }
}

/* ------------------------------------------------ watch --all follows */

/* The longest time from "bwjob create" returning to the new job's first line
 * or object in a watch --all that was running already. This is a behaviour
 * check (the job appears), not a speed target: how fast is measured in
 * tests/bench (figure 6). Under Wine, with two watchers on a transferring job
 * and the queue full of jobs earlier tests cancelled (Wine keeps them
 * listed, so every list read costs a round trip or two per job), 1.6-1.9 s
 * was seen on a loaded 2-core machine; one watcher alone, 0.03-0.14 s. */
#define FOLLOW_LIMIT_MS 10000.0
/* How long the watches of follow_checks run (--timeout-sec): they must
 * outlive every step below, which takes about 10 s here. */
#define FOLLOW_SEC L"30"
#define FOLLOW_EMPTY_SEC L"8"

/* The last whole line of t that holds id, into line ("" when none). */
static void tail_last_line(tail *t, const char *id, char *line, size_t cap)
{
    const char *last = NULL;

    line[0] = 0;
    EnterCriticalSection(&t->lock);
    for (const char *p = t->buf; (p = strstr(p, id)) != NULL; p++)
        last = p;
    if (last) {
        const char *start = last;
        while (start > t->buf && start[-1] != '\n')
            start--;
        line_of(start, id, line, cap); /* the first hit from start: that line */
    }
    LeaveCriticalSection(&t->lock);
}

/* Waits for the child to exit (ms); its exit code, -1 when it did not. */
static int child_exit(PROCESS_INFORMATION *pi, tail *t, DWORD ms)
{
    DWORD code = (DWORD)-1;

    if (WaitForSingleObject(pi->hProcess, ms) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi->hProcess, &code);
    else
        TerminateProcess(pi->hProcess, 99);
    WaitForSingleObject(t->thread, 30000); /* the last lines */
    return (int)code;
}

static void child_free(PROCESS_INFORMATION *pi, tail *t)
{
    if (t->cap) /* tail_start ran */
        tail_free(t);
    if (pi->hProcess) {
        CloseHandle(pi->hProcess);
        CloseHandle(pi->hThread);
    }
    memset(pi, 0, sizeof *pi);
}

/* Creates a job and measures the time from "bwjob create" returning to its
 * first line (holding b, when not NULL) in each of the n tails. */
static void arrives_within(const wchar_t *path, const wchar_t *name, const wchar_t *file,
                           wchar_t guid[39], tail **tails, const char *const *what, int n)
{
    char id[64];

    create_job(path, name, guid, file);
    double made = now_ms();
    if (!guid[0])
        return;
    snprintf(id, sizeof id, "%ls", guid);
    for (int k = 0; k < n; k++) {
        double seen = tail_wait_line(tails[k], id, NULL, 10000);
        CHECK(seen >= 0, "%s: the job %s, created after it started, never showed; output:\n%s",
              what[k], id, tails[k]->buf);
        if (seen < 0)
            continue;
        printf("%s: a new job showed %.0f ms after its creation\n", what[k], seen > made ? seen - made : 0);
        CHECK(seen - made < FOLLOW_LIMIT_MS, "%s: the job %s, created after it started, took"
              " %.0f ms to show (limit %.0f ms)", what[k], id, seen - made, FOLLOW_LIMIT_MS);
    }
}

/* watch --all follows the queue, under --json and as a redirected log side
 * by side: a job another process creates after the watch started shows
 * within FOLLOW_LIMIT_MS; cancelled by another process, it shows Cancelled,
 * gets its end object (Reason "cancelled") and then leaves: its end stays
 * its last object, and the log says "left the queue" once BITS drops it
 * (Wine's BITS keeps a cancelled job listed until its transfer thread
 * wakes: here, when the job it is stuck on, a hanging one, is cancelled
 * too). Then a watch started on an empty queue keeps running and shows the
 * job that arrives. Every watch ends by its --timeout-sec: exit 1 (a job
 * was cancelled). The JSON outputs also go to check_json_output.py. */
static void follow_checks(void)
{
    wchar_t busy[39] = {0}, late[39] = {0}, next[39] = {0};
    PROCESS_INFORMATION pj = {0}, pt = {0}, pe = {0};
    tail tj, tt, te;
    tail *both[2] = {&tj, &tt};
    static const char *const both_what[2] = {"watch --all --json", "watch --all (log)"};
    static const char *const empty_what[1] = {"watch --all --json on an empty queue"};
    tail *empty[1] = {&te};
    char id[64], line[4096], ids[512];
    char *out = malloc(OUT_CAP);
    int rc, all_steps = 0;

    memset(&tj, 0, sizeof tj);
    memset(&tt, 0, sizeof tt);
    memset(&te, 0, sizeof te);
    if (!out)
        return;
    /* Fresh files: an earlier run's must not pass. */
    DeleteFileW(JSON_DIR L"\\follow.ndjson");
    DeleteFileW(JSON_DIR L"\\follow-empty.ndjson");
    DeleteFileW(JSON_DIR L"\\follow.txt");

    /* A job the watches find at their start. It hangs, so Wine's BITS stays
     * busy with it and the jobs below stay queued: safe to cancel. */
    create_job(L"/hang/100000", L"follow busy", busy, L"bw_cli_follow_busy.bin");
    if (!busy[0])
        goto done;
    if (!tail_start(&tj, &pj, L"watch --all --json --interval-ms 200 --timeout-sec " FOLLOW_SEC) ||
        !tail_start(&tt, &pt, L"watch --all --interval-ms 200 --timeout-sec " FOLLOW_SEC)) {
        CHECK(0, "watch --all: could not start");
        goto done;
    }
    /* Its line: the watches are up and have listed the queue. */
    snprintf(id, sizeof id, "%ls", busy);
    for (int k = 0; k < 2; k++)
        if (tail_wait_line(both[k], id, NULL, 30000) < 0) {
            CHECK(0, "%s: no line for %s within 30 s; output:\n%s", both_what[k], id, both[k]->buf);
            goto done;
        }

    arrives_within(L"/hang/1000", L"follow late", L"bw_cli_follow_late.bin", late, both,
                   both_what, 2);
    if (!late[0])
        goto done;
    snprintf(id, sizeof id, "%ls", late);

    /* Cancelled by another process: Cancelled, then its end. */
    bwjob(L"cancel", late, L"");
    CHECK(tail_wait_line(&tj, id, "\"kind\":\"end\"", 10000) >= 0,
          "watch --all --json: no end object for the cancelled job %s; output:\n%s", id, tj.buf);
    CHECK(tail_wait_line(&tt, id, "Cancelled", 10000) >= 0,
          "watch --all: no Cancelled line for %s; output:\n%s", id, tt.buf);
    tail_last_line(&tj, id, line, sizeof line);
    CHECK(strstr(line, "\"kind\":\"end\"") && strstr(line, "\"Reason\":\"cancelled\"") &&
              strstr(line, "\"Outcome\":\"failed\""),
          "watch --all --json: the cancelled job's last object is not its end (cancelled): %s", line);
    CHECK(tail_line_time(&tj, id, "\"State\":\"Cancelled\"") >= 0,
          "watch --all --json: no Cancelled status for %s; output:\n%s", id, tj.buf);

    /* The hanging job cancelled too: Wine's BITS drops both from its list. */
    bwjob(L"cancel", busy, L"");
    CHECK(tail_wait_line(&tt, id, "left the queue", 10000) >= 0,
          "watch --all: the cancelled job %s never left; output:\n%s", id, tt.buf);
    snprintf(id, sizeof id, "%ls", busy);
    CHECK(tail_wait_line(&tt, id, "left the queue", 10000) >= 0,
          "watch --all: the cancelled job %s never left; output:\n%s", id, tt.buf);
    Sleep(500); /* anything the JSON watch would (wrongly) print after the ends */
    snprintf(id, sizeof id, "%ls", late);
    tail_last_line(&tj, id, line, sizeof line);
    CHECK(strstr(line, "\"kind\":\"end\""),
          "watch --all --json: an object for %s after its end: %s", id, line);

    /* A watch on an empty queue (if this test's jobs were the last: another
     * test's may still be there) keeps running, and shows the job that
     * arrives. */
    rc = run(g_bwjob, L"list", out, OUT_CAP);
    if (rc != 0 || out[0])
        printf("watch --all on an empty queue: bwjob list: exit %d; the queue holds (leftovers):\n%s\n",
               rc, out);
    if (!tail_start(&te, &pe, L"watch --all --json --interval-ms 200 --timeout-sec " FOLLOW_EMPTY_SEC)) {
        CHECK(0, "watch --all: could not start");
        goto done;
    }
    Sleep(1500);
    CHECK(WaitForSingleObject(pe.hProcess, 0) == WAIT_TIMEOUT,
          "watch --all on an empty queue did not keep running");
    arrives_within(L"/hang/1000", L"follow next", L"bw_cli_follow_next.bin", next, empty,
                   empty_what, 1);
    if (next[0])
        bwjob(L"cancel", next, L""); /* the one in flight, hanging: safe to cancel */
    snprintf(id, sizeof id, "%ls", next);
    CHECK(!next[0] || tail_wait_line(&te, id, "\"Reason\":\"cancelled\"", 10000) >= 0,
          "watch --all on an empty queue: no end for %s; output:\n%s", id, te.buf);
    all_steps = next[0] != 0;

done:
    /* Jobs first: the watches then end by --timeout-sec, with exit 1 (a job
     * was cancelled) once every step ran. Hanging, queued or cancelled
     * already: all safe to cancel. */
    if (busy[0])
        bwjob(L"cancel", busy, L"");
    if (late[0])
        bwjob(L"cancel", late, L"");
    if (next[0])
        bwjob(L"cancel", next, L"");
    if (pe.hProcess) {
        rc = child_exit(&pe, &te, 30000);
        CHECK(!all_steps || rc == 1, "watch --all on an empty queue: exit %d, want 1; output:\n%s",
              rc, te.buf);
    }
    if (pj.hProcess) {
        rc = child_exit(&pj, &tj, 60000);
        CHECK(!all_steps || rc == 1, "watch --all --json: exit %d, want 1", rc);
    }
    if (pt.hProcess) {
        rc = child_exit(&pt, &tt, 60000);
        CHECK(!all_steps || rc == 1, "watch --all: exit %d, want 1", rc);
    }
    if (all_steps) {
        save(L"follow.ndjson", tj.buf, tj.used);
        save(L"follow-empty.ndjson", te.buf, te.used);
        snprintf(ids, sizeof ids, "busy=%ls\nlate=%ls\nnext=%ls\n", busy, late, next);
        save(L"follow.txt", ids, strlen(ids));
    }
    child_free(&pj, &tj);
    child_free(&pt, &tt);
    child_free(&pe, &te);
    free(out);
}

int wmain(int argc, wchar_t **argv)
{
    wchar_t esc_job[39], nf_job[39], args[128];
    char *out = malloc(OUT_CAP), id[64], line[1024], want[128];
    const char *http = getenv("BW_TEST_HTTP");
    int rc;

    if (argc != 3 || !out) {
        fprintf(stderr, "usage: test_cli_integration <bitswatch.exe> <bwjob.exe>\n");
        return 2;
    }
    if (!http || !*http) {
        fprintf(stderr, "test_cli_integration: set BW_TEST_HTTP to the loopback server's base URL"
                        " (tests/integration/http_server.py)\n");
        return 1;
    }
    g_cli = argv[1];
    g_bwjob = argv[2];
    _snwprintf(g_http, sizeof g_http / sizeof g_http[0] - 1, L"%hs", http);

    /* The 404 job first, so that a job that hangs cannot hold up its error. */
    create_job(L"/status/404", L"not found", nf_job, L"bw_cli_404.bin");
    if (nf_job[0]) {
        _snwprintf(args, sizeof args / sizeof args[0], L"wait %ls " STATE_ERROR_NUMBER L" 60000",
                   nf_job);
        CHECK(run(g_bwjob, args, out, OUT_CAP) == 0, "404 job never reached Error: %s", out);
    }
    /* A real ESC (and the CSI that follows) in the display name. Served by
     * a hanging endpoint so that it stays put, and is safe to cancel. */
    create_job(L"/hang/100000", L"\x1b[31mred", esc_job, L"bw_cli_esc.bin");
    if (!esc_job[0] || !nf_job[0])
        goto done;
    snprintf(id, sizeof id, "%ls", esc_job);

    /* list: the job's line, its state, the name without the sequence. */
    rc = run(g_cli, L"list", out, OUT_CAP);
    CHECK(rc == 0, "list: exit %d", rc);
    check_no_control("list", out);
    CHECK(!strchr(out, 0x1b), "list: an ESC byte in:\n%s", out);
    line_of(out, id, line, sizeof line);
    CHECK(line[0], "list: no line for %s in:\n%s", id, out);
    CHECK(names_a_state(line), "list: no state on the line '%s'", line);
    CHECK(strstr(line, "  red") && !strstr(line, "[31m"), "list: name not 'red' on the line '%s'",
          line);
    CHECK(strstr(line, "  0/1  "), "list: no files '0/1' on the line '%s'", line);
    /* A header, and the columns after the bytes where the header has them
     * (issue 21, row 13). */
    CHECK(strncmp(out, "JOB ", 4) == 0 && strstr(out, "  STATE  ") && strstr(out, "  FILES  ") &&
              strstr(out, "  DISPLAY NAME\r\n"),
          "list: no header line first:\n%s", out);
    {
        const char *files_at = strstr(out, "FILES");
        int col = files_at ? (int)(files_at - out) : -1;
        char l2[1024];
        line_of(out, id, l2, sizeof l2);
        CHECK(col > 0 && (int)strlen(l2) > col + 3 && strncmp(l2 + col, "0/1", 3) == 0,
              "list: the files of '%s' are not under FILES (column %d)", l2, col);
    }
    snprintf(id, sizeof id, "%ls", nf_job);
    line_of(out, id, line, sizeof line);
    CHECK(strstr(line, "Error"), "list: the 404 job's line '%s' is not in Error", line);

    /* info on the job with the escape sequence. */
    _snwprintf(args, sizeof args / sizeof args[0], L"info %ls", esc_job);
    rc = run(g_cli, args, out, OUT_CAP);
    CHECK(rc == 0, "info: exit %d", rc);
    check_no_control("info", out);
    CHECK(!strchr(out, 0x1b), "info: an ESC byte in:\n%s", out);
    snprintf(want, sizeof want, "Job: %ls\r\n", esc_job);
    CHECK(strstr(out, want), "info: no '%s' in:\n%s", "Job: <guid>", out);
    CHECK(strstr(out, "Display name: red\r\n"), "info: no 'Display name: red' in:\n%s", out);
    line_of(out, "State: ", line, sizeof line);
    CHECK(names_a_state(line), "info: no state in:\n%s", out);
    CHECK(strstr(out, "Files: 0 of 1\r\n") && strstr(out, "Created: "), "info: lines missing:\n%s",
          out);
    /* Wine's GetPriority is E_NOTIMPL: said so, not shown as Foreground. */
    CHECK(strstr(out, "Priority: unknown (not reported by the service)\r\n"),
          "info: the priority Wine does not report is not 'unknown' in:\n%s", out);

    /* info on the 404 job: its error, in words. */
    _snwprintf(args, sizeof args / sizeof args[0], L"info %ls", nf_job);
    rc = run(g_cli, args, out, OUT_CAP);
    CHECK(rc == 0, "info 404: exit %d", rc);
    CHECK(strstr(out, "State: Error\r\n"), "info 404: not in Error:\n%s", out);
    CHECK(strstr(out, "Error: 0x80190194 ") && strstr(out, "HTTP 404"),
          "info 404: no 'HTTP 404' error line in:\n%s", out);
    CHECK(strstr(out, "Error context: 5 remote file"), "info 404: no remote-file context in:\n%s",
          out);
    CHECK(strstr(out, "/status/404\r\n"), "info 404: no remote file URL in:\n%s", out);

    /* A job that is not there: exit 1, nothing on stdout. */
    rc = run(g_cli, L"info {00000000-0000-0000-0000-000000000001}", out, OUT_CAP);
    CHECK(rc == 1 && out[0] == 0, "info on a missing job: exit %d, stdout '%s'", rc, out);

    ctrl_checks();

done:
    /* Both are safe to cancel under Wine: one in Error, one hanging. */
    if (nf_job[0])
        bwjob(L"cancel", nf_job, L"");
    if (esc_job[0])
        bwjob(L"cancel", esc_job, L"");
    json_checks(out);
    follow_checks();
    /* With the queue clear of this file's other jobs: the slow job is the
     * one that transfers. */
    watch_many_checks();
    free(out);
    if (failures) {
        fprintf(stderr, "test_cli_integration: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_cli_integration: all checks passed\n");
    return 0;
}
