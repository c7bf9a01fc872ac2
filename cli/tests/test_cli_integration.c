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
 * single ESC byte, and that info on a job that got HTTP 404 says so.
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
    CHECK(strstr(line, "files 0/1"), "list: no 'files 0/1' on the line '%s'", line);
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

done:
    /* Both are safe to cancel under Wine: one in Error, one hanging. */
    if (nf_job[0])
        bwjob(L"cancel", nf_job, L"");
    if (esc_job[0])
        bwjob(L"cancel", esc_job, L"");
    free(out);
    if (failures) {
        fprintf(stderr, "test_cli_integration: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_cli_integration: all checks passed\n");
    return 0;
}
