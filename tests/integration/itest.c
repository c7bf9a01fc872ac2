/*
 * itest.c - helpers of the integration tests (see itest.h).
 */
#include <windows.h>
#include <objbase.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "itest.h"

itest_api bw;

static wchar_t g_bwjob[MAX_PATH];
static wchar_t g_http[256];
static int g_bits_died;

uint64_t itest_now_ms(void)
{
    return GetTickCount64();
}

/* GetProcAddress by the plain name; the double cast keeps -Wcast-function-type
 * quiet (void (*)(void) converts to any function pointer type). */
#define LOAD(dll, field, name)                                                        \
    do {                                                                              \
        FARPROC p_ = GetProcAddress((dll), name);                                     \
        if (!p_) {                                                                    \
            fprintf(stderr, "itest: export %s not found\n", name);                   \
            return 0;                                                                 \
        }                                                                             \
        bw.field = (__typeof__(bw.field))(void (*)(void))p_;                          \
    } while (0)

int itest_load(int argc, wchar_t **argv)
{
    wchar_t full[MAX_PATH];
    const char *http;
    HMODULE dll;

    if (argc < 3) {
        fprintf(stderr, "usage: %ls <bitswatch.dll> <bwjob.exe>\n", argc ? argv[0] : L"itest");
        return 0;
    }
    /* A full path (CMake passes /unix/style paths; Wine maps them to a drive). */
    if (!GetFullPathNameW(argv[1], MAX_PATH, full, NULL)) {
        fprintf(stderr, "itest: bad DLL path %ls\n", argv[1]);
        return 0;
    }
    dll = LoadLibraryW(full);
    if (!dll) {
        fprintf(stderr, "itest: LoadLibraryW(%ls) failed: %lu\n", full, GetLastError());
        return 0;
    }
    LOAD(dll, GetVersion, "BwGetVersion");
    LOAD(dll, JobOpen, "BwJobOpen");
    LOAD(dll, JobOpenById, "BwJobOpenById");
    LOAD(dll, JobClose, "BwJobClose");
    LOAD(dll, JobPoll, "BwJobPoll");
    LOAD(dll, JobGetProgress, "BwJobGetProgress");
    LOAD(dll, JobGetReplyProgress, "BwJobGetReplyProgress");
    LOAD(dll, JobComplete, "BwJobComplete");
    LOAD(dll, JobCancel, "BwJobCancel");
    LOAD(dll, JobSuspend, "BwJobSuspend");
    LOAD(dll, JobResume, "BwJobResume");
    LOAD(dll, JobGetError, "BwJobGetError");
    LOAD(dll, FreeError, "BwFreeError");
    LOAD(dll, JobGetInfo, "BwJobGetInfo");
    LOAD(dll, FreeInfo, "BwFreeInfo");
    LOAD(dll, EnumJobs, "BwEnumJobs");
    LOAD(dll, FormatMessage, "BwFormatMessage");
    LOAD(dll, StateName, "BwStateName");

    if (!GetFullPathNameW(argv[2], MAX_PATH, g_bwjob, NULL) ||
        GetFileAttributesW(g_bwjob) == INVALID_FILE_ATTRIBUTES) {
        fprintf(stderr, "itest: bwjob not found at %ls\n", argv[2]);
        return 0;
    }
    http = getenv("BW_TEST_HTTP");
    if (!http || !*http ||
        !MultiByteToWideChar(CP_UTF8, 0, http, -1, g_http, sizeof g_http / sizeof g_http[0])) {
        fprintf(stderr, "itest: set BW_TEST_HTTP to the loopback server's base URL"
                        " (tests/integration/http_server.py)\n");
        return 0;
    }
    return 1;
}

void itest_fail_hr(const char *what, HRESULT expected, HRESULT actual, const char *file, int line)
{
    if (actual == ITEST_RPC_SERVER_UNAVAILABLE && expected != actual) {
        g_bits_died = 1;
        print_error("BITS died: %s returned 0x%08lX (RPC_S_SERVER_UNAVAILABLE), expected"
                    " 0x%08lX; the BITS service (svchost) is gone, later cases are skipped\n",
                    what, (unsigned long)actual, (unsigned long)expected);
    } else {
        print_error("%s returned 0x%08lX, expected 0x%08lX\n", what, (unsigned long)actual,
                    (unsigned long)expected);
    }
    _fail(file, line);
}

int itest_bits_died(void)
{
    return g_bits_died;
}

int itest_run(const wchar_t *cmdline, DWORD timeout_ms, char *out, size_t cap)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE rd, wr;
    wchar_t cmd[2048];
    size_t used = 0;
    DWORD got, code = (DWORD)-1;

    if (cap)
        out[0] = 0;
    if (wcslen(cmdline) >= sizeof cmd / sizeof cmd[0] || !CreatePipe(&rd, &wr, &sa, 0))
        return -1;
    wcscpy(cmd, cmdline); /* CreateProcessW may write to its command line */
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);

    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    /* stdout and stderr together: on failure the text names the HRESULT. */
    si.hStdOutput = wr;
    si.hStdError = wr;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "itest: cannot run %ls: %lu\n", cmd, GetLastError());
        CloseHandle(rd);
        CloseHandle(wr);
        return -1;
    }
    CloseHandle(wr);
    for (;;) {
        char buf[512];
        if (!ReadFile(rd, buf, sizeof buf, &got, NULL) || got == 0)
            break;
        for (DWORD i = 0; i < got && used + 1 < cap; i++)
            out[used++] = buf[i];
    }
    CloseHandle(rd);
    if (cap) {
        out[used] = 0;
        while (used && (out[used - 1] == '\n' || out[used - 1] == '\r'))
            out[--used] = 0;
    }
    if (WaitForSingleObject(pi.hProcess, timeout_ms) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return (int)code;
}

int itest_bwjob(const wchar_t *args, char *out, size_t cap)
{
    wchar_t cmd[2048];

    if (cap)
        out[0] = 0;
    if (swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" %ls", g_bwjob, args) < 0)
        return -1;
    return itest_run(cmd, 90000, out, cap); /* bwjob create: up to 3 attempts of 20 s */
}

double itest_now_precise_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER now;

    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    return (double)now.QuadPart * 1000.0 / (double)freq.QuadPart;
}

/* The watchdog: one thread for the process; itest_watchdog_arm sets a
 * deadline, and a case that passes it ends the process with exit code 3. */
static volatile LONG64 g_watchdog_deadline; /* itest_now_ms() value; 0: off */
static const char *volatile g_watchdog_what;

static DWORD WINAPI watchdog_main(void *unused)
{
    (void)unused;
    for (;;) {
        LONG64 deadline = InterlockedCompareExchange64(&g_watchdog_deadline, 0, 0);
        if (deadline && (LONG64)itest_now_ms() > deadline) {
            fprintf(stderr, "itest: WATCHDOG: %s did not finish in time (hang or deadlock);"
                            " ending the process\n", g_watchdog_what ? g_watchdog_what : "?");
            fflush(stderr);
            fflush(stdout);
            TerminateProcess(GetCurrentProcess(), 3);
        }
        Sleep(100);
    }
    return 0;
}

void itest_watchdog_arm(const char *what, DWORD ms)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    BOOL pending;

    g_watchdog_what = what;
    InterlockedExchange64(&g_watchdog_deadline, (LONG64)(itest_now_ms() + ms));
    if (InitOnceBeginInitialize(&once, 0, &pending, NULL) && pending) {
        HANDLE t = CreateThread(NULL, 0, watchdog_main, NULL, 0, NULL);
        if (t)
            CloseHandle(t);
        InitOnceComplete(&once, 0, NULL);
    }
}

void itest_watchdog_off(void)
{
    InterlockedExchange64(&g_watchdog_deadline, 0);
}

void itest_create_job(const char *path, const wchar_t *name, wchar_t guid[39], wchar_t *local)
{
    static unsigned counter;
    wchar_t temp[MAX_PATH], file[MAX_PATH], wpath[512], args[1024];
    char out[1024];
    int rc;

    if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, sizeof wpath / sizeof wpath[0]))
        fail_msg("itest_create_job: bad path %s", path);
    GetTempPathW(MAX_PATH, temp);
    swprintf(file, MAX_PATH, L"%lsbw-itest-%lu-%u.bin", temp, GetCurrentProcessId(), ++counter);
    DeleteFileW(file);
    swprintf(args, sizeof args / sizeof args[0], L"create \"%ls%ls\" \"%ls\" --name \"%ls\"",
             g_http, wpath, file, name);
    rc = itest_bwjob(args, out, sizeof out);
    if (rc != 0 || strlen(out) != 38 || out[0] != '{') {
        if (strstr(out, "800706BA"))
            g_bits_died = 1;
        fail_msg("%sbwjob %ls: exit %d, output \"%s\"",
                 g_bits_died ? "BITS died: " : "", args, rc, out);
    }
    for (int i = 0; i < 39; i++)
        guid[i] = (wchar_t)(unsigned char)out[i];
    if (local)
        wcscpy(local, file);
}

BW_STATUS itest_status(void)
{
    BW_STATUS st;
    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    return st;
}

HRESULT itest_poll_until(BW_JOB job, UINT32 state_a, UINT32 state_b, uint64_t deadline_ms,
                         BW_STATUS *st)
{
    HRESULT hr;
    do {
        *st = itest_status();
        hr = bw.JobPoll(job, 500, st);
        if (FAILED(hr) || st->State == state_a || st->State == state_b)
            return hr;
    } while (itest_now_ms() < deadline_ms);
    return hr;
}

int itest_main(int argc, wchar_t **argv, const char *name, const struct CMUnitTest *tests,
               size_t count, int sta)
{
    HRESULT hr;
    int rc;

    if (!itest_load(argc, argv))
        return 2;
    if (!sta)
        return _cmocka_run_group_tests(name, tests, count, NULL, NULL);
    hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr)) {
        fprintf(stderr, "CoInitializeEx(STA) failed: 0x%08lX\n", (unsigned long)hr);
        return 2;
    }
    rc = _cmocka_run_group_tests(name, tests, count, NULL, NULL);
    CoUninitialize();
    return rc;
}

void itest_open_idle_jobs(wchar_t done_guid[39], BW_JOB *done, wchar_t err_guid[39], BW_JOB *err)
{
    BW_STATUS st;

    itest_create_job("/fast/50000", L"bw-itest-idle-done", done_guid, NULL);
    itest_create_job("/status/404", L"bw-itest-idle-404", err_guid, NULL);
    assert_hr(S_OK, bw.JobOpen(done_guid, done));
    assert_hr(S_OK, bw.JobOpen(err_guid, err));
    assert_succeeded(itest_poll_until(*done, BW_STATE_TRANSFERRED, BW_STATE_ERROR,
                                      itest_now_ms() + 30000, &st));
    if (st.State != BW_STATE_TRANSFERRED)
        fail_msg("the /fast job is %ls, expected TRANSFERRED", bw.StateName(st.State));
    assert_succeeded(itest_poll_until(*err, BW_STATE_ERROR, BW_STATE_TRANSFERRED,
                                      itest_now_ms() + 30000, &st));
    if (st.State != BW_STATE_ERROR)
        fail_msg("the 404 job is %ls, expected ERROR", bw.StateName(st.State));
}
