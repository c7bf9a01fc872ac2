/*
 * bwjob - make and drive real BITS jobs from the command line.
 *
 * A raw-COM console tool that does NOT use bitswatch.dll: the integration
 * tests and the demo run it as a separate process so that bitswatch.dll
 * watches jobs another process owns, as it does in real life.
 *
 *   bwjob create <url> <localpath> [--name <display name>]
 *                [--type download|upload|upload-reply] [--suspended]
 *       CreateJob, AddFile, Resume; prints the job GUID ({xxxxxxxx-...}).
 *       --suspended: no Resume (the job stays as BITS creates it, SUSPENDED:
 *       a program that forgot to resume it).
 *   bwjob cancel|complete|resume|suspend <guid>
 *       prints BITS' HRESULT in hex; exit 0 when it SUCCEEDED.
 *   bwjob state <guid>       prints "<number> <name>", e.g. "2 Transferring".
 *   bwjob progress <guid>    prints "<bytes transferred> <bytes total|unknown>
 *                            <files transferred> <files total>" (job level).
 *   bwjob list               one line per job: "<guid> <number> <name>".
 *   bwjob wait <guid> <state> <timeout_ms>
 *       polls every 50 ms until the job is in state <state> (a number);
 *       prints the last state seen. Exit 1 on timeout, on a job gone, or when
 *       the job reached a final state (acknowledged, cancelled) other than
 *       the one waited for.
 *
 * <guid> is GUID text with or without braces. Exit codes: 0 ok, 1 failure
 * (the failing HRESULT in hex on stderr), 2 usage, 3 "create" hung in every
 * attempt.
 *
 * "create" is supervised: Wine 8's BITS service now and then never answers
 * one client's CreateJob (seen a few times a day in the suite: the call
 * blocks for minutes, while the next process is served at once). So create
 * runs in a child process (this program again, BWJOB_CHILD=1 in its
 * environment) with its output on a pipe; a child that has not printed its
 * GUID line within BWJOB_CREATE_TIMEOUT_MS (default 20000) is terminated
 * and another is started, three attempts in all, each reported on stderr.
 * A child that printed its GUID counts as done even if it then hangs in its
 * own clean-up. A killed attempt may leave a job it created behind (BITS
 * has it, suspended, nobody prints its GUID): tests that count jobs see it.
 * An attempt that fails (exit 1: the service was away for a moment) is also
 * tried again, after 1 s. Test hooks: BWJOB_TEST_HANG_ATTEMPTS=N makes
 * attempts 1..N block before CreateJob, as the service does;
 * BWJOB_TEST_FAIL_ATTEMPTS=N makes them fail as when the service is not
 * there (tests/tools/run_bwjob_supervised.cmake).
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include <bits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_HUNG 3

#define CREATE_ATTEMPTS 3
#define CREATE_TIMEOUT_MS_DEFAULT 20000

static const wchar_t *const state_names[] = {
    L"Queued", L"Connecting", L"Transferring", L"Suspended", L"Error",
    L"TransientError", L"Transferred", L"Acknowledged", L"Cancelled",
};

static const wchar_t *state_name(BG_JOB_STATE state)
{
    if ((unsigned)state < sizeof state_names / sizeof state_names[0])
        return state_names[state];
    return L"Unknown";
}

static int usage(void)
{
    fputs("usage: bwjob create <url> <localpath> [--name <name>]"
          " [--type download|upload|upload-reply] [--suspended]\n"
          "       bwjob cancel|complete|resume|suspend|state|progress <guid>\n"
          "       bwjob list\n"
          "       bwjob wait <guid> <state number> <timeout_ms>\n",
          stderr);
    return EXIT_USAGE;
}

static int fail(const char *what, HRESULT hr)
{
    fprintf(stderr, "bwjob: %s failed: 0x%08lX\n", what, (unsigned long)hr);
    return EXIT_FAIL;
}

/* GUID text with or without braces; IIDFromString wants the braces. */
static HRESULT parse_guid(const wchar_t *text, GUID *id)
{
    wchar_t buf[40];
    size_t len = wcslen(text);

    if (len == 36)
        swprintf(buf, sizeof buf / sizeof buf[0], L"{%ls}", text);
    else if (len == 38)
        wcscpy(buf, text);
    else
        return E_INVALIDARG;
    return IIDFromString(buf, id);
}

static HRESULT connect_manager(IBackgroundCopyManager **manager)
{
    return CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                            &IID_IBackgroundCopyManager, (void **)manager);
}

/* Test hooks: variable=N is true in the child of attempt 1..N. */
static int test_hook_this_attempt(const wchar_t *variable)
{
    wchar_t n[16], child[16];

    if (!GetEnvironmentVariableW(variable, n, 16) ||
        !GetEnvironmentVariableW(L"BWJOB_CHILD", child, 16))
        return 0;
    return _wtoi(child) <= _wtoi(n);
}

static int cmd_create(IBackgroundCopyManager *manager, int argc, wchar_t **argv)
{
    const wchar_t *url, *local, *name = L"bwjob";
    BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;
    wchar_t full[MAX_PATH], id_text[40];
    IBackgroundCopyJob *job = NULL;
    GUID id;
    HRESULT hr;
    int i, suspended = 0;

    if (argc < 4)
        return usage();
    url = argv[2];
    local = argv[3];
    for (i = 4; i < argc; i += 2) {
        if (!wcscmp(argv[i], L"--suspended")) {
            suspended = 1;
            i--; /* no value */
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        if (!wcscmp(argv[i], L"--name")) {
            name = argv[i + 1];
        } else if (!wcscmp(argv[i], L"--type")) {
            if (!wcscmp(argv[i + 1], L"download"))
                type = BG_JOB_TYPE_DOWNLOAD;
            else if (!wcscmp(argv[i + 1], L"upload"))
                type = BG_JOB_TYPE_UPLOAD;
            else if (!wcscmp(argv[i + 1], L"upload-reply"))
                type = BG_JOB_TYPE_UPLOAD_REPLY;
            else
                return usage();
        } else {
            return usage();
        }
    }
    /* BITS runs in another process and wants a full local path. */
    if (!GetFullPathNameW(local, MAX_PATH, full, NULL))
        return fail("GetFullPathNameW", HRESULT_FROM_WIN32(GetLastError()));

    if (test_hook_this_attempt(L"BWJOB_TEST_HANG_ATTEMPTS"))
        Sleep(INFINITE);
    hr = IBackgroundCopyManager_CreateJob(manager, name, type, &id, &job);
    if (FAILED(hr))
        return fail("CreateJob", hr);
    hr = IBackgroundCopyJob_AddFile(job, url, full);
    if (FAILED(hr)) {
        IBackgroundCopyJob_Cancel(job);
        IBackgroundCopyJob_Release(job);
        return fail("AddFile", hr);
    }
    hr = suspended ? S_OK : IBackgroundCopyJob_Resume(job);
    IBackgroundCopyJob_Release(job);
    if (FAILED(hr))
        return fail("Resume", hr);
    StringFromGUID2(&id, id_text, sizeof id_text / sizeof id_text[0]);
    printf("%ls\n", id_text);
    return EXIT_OK;
}

static HRESULT open_job(IBackgroundCopyManager *manager, const wchar_t *text,
                        IBackgroundCopyJob **job)
{
    GUID id;
    HRESULT hr = parse_guid(text, &id);

    if (FAILED(hr))
        return E_INVALIDARG;
    return IBackgroundCopyManager_GetJob(manager, &id, job);
}

/* cancel, complete, resume, suspend: one call, its HRESULT printed. */
static int cmd_action(IBackgroundCopyJob *job, const wchar_t *verb)
{
    HRESULT hr;

    if (!wcscmp(verb, L"cancel"))
        hr = IBackgroundCopyJob_Cancel(job);
    else if (!wcscmp(verb, L"complete"))
        hr = IBackgroundCopyJob_Complete(job);
    else if (!wcscmp(verb, L"resume"))
        hr = IBackgroundCopyJob_Resume(job);
    else
        hr = IBackgroundCopyJob_Suspend(job);
    printf("0x%08lX\n", (unsigned long)hr);
    if (FAILED(hr)) {
        fprintf(stderr, "bwjob: %ls failed: 0x%08lX\n", verb, (unsigned long)hr);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int cmd_state(IBackgroundCopyJob *job)
{
    BG_JOB_STATE state;
    HRESULT hr = IBackgroundCopyJob_GetState(job, &state);

    if (FAILED(hr))
        return fail("GetState", hr);
    printf("%u %ls\n", (unsigned)state, state_name(state));
    return EXIT_OK;
}

static int cmd_progress(IBackgroundCopyJob *job)
{
    BG_JOB_PROGRESS p;
    HRESULT hr = IBackgroundCopyJob_GetProgress(job, &p);

    if (FAILED(hr))
        return fail("GetProgress", hr);
    printf("%llu ", (unsigned long long)p.BytesTransferred);
    if (p.BytesTotal == BG_SIZE_UNKNOWN)
        printf("unknown");
    else
        printf("%llu", (unsigned long long)p.BytesTotal);
    printf(" %lu %lu\n", (unsigned long)p.FilesTransferred, (unsigned long)p.FilesTotal);
    return EXIT_OK;
}

static int cmd_wait(IBackgroundCopyManager *manager, const wchar_t *guid, int argc,
                    wchar_t **argv)
{
    wchar_t *end;
    unsigned long want, timeout;
    DWORD start = GetTickCount();
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    HRESULT hr;

    if (argc != 5)
        return usage();
    want = wcstoul(argv[3], &end, 10);
    if (*end || end == argv[3] || want > BG_JOB_STATE_CANCELLED)
        return usage();
    timeout = wcstoul(argv[4], &end, 10);
    if (*end || end == argv[4])
        return usage();

    for (;;) {
        /* Reopen each time: a job that left the queue is gone, not stale. */
        IBackgroundCopyJob *job = NULL;

        hr = open_job(manager, guid, &job);
        if (SUCCEEDED(hr)) {
            hr = IBackgroundCopyJob_GetState(job, &state);
            IBackgroundCopyJob_Release(job);
        }
        if (FAILED(hr))
            return fail("GetJob/GetState", hr);
        if ((unsigned long)state == want)
            break;
        if (state == BG_JOB_STATE_ACKNOWLEDGED || state == BG_JOB_STATE_CANCELLED) {
            printf("%u %ls\n", (unsigned)state, state_name(state));
            fprintf(stderr, "bwjob: job ended in state %u, not %lu\n", (unsigned)state, want);
            return EXIT_FAIL;
        }
        if (GetTickCount() - start >= timeout) {
            printf("%u %ls\n", (unsigned)state, state_name(state));
            fprintf(stderr, "bwjob: timed out in state %u waiting for %lu\n",
                    (unsigned)state, want);
            return EXIT_FAIL;
        }
        Sleep(50);
    }
    printf("%u %ls\n", (unsigned)state, state_name(state));
    return EXIT_OK;
}

static int cmd_list(IBackgroundCopyManager *manager)
{
    IEnumBackgroundCopyJobs *jobs = NULL;
    IBackgroundCopyJob *job;
    ULONG fetched;
    HRESULT hr = IBackgroundCopyManager_EnumJobs(manager, 0, &jobs);

    if (FAILED(hr))
        return fail("EnumJobs", hr);
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, &fetched) == S_OK && fetched == 1) {
        GUID id;
        BG_JOB_STATE state;
        wchar_t text[40];

        if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id)) &&
            SUCCEEDED(IBackgroundCopyJob_GetState(job, &state))) {
            StringFromGUID2(&id, text, sizeof text / sizeof text[0]);
            printf("%ls %u %ls\n", text, (unsigned)state, state_name(state));
        }
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return EXIT_OK;
}

static int run(IBackgroundCopyManager *manager, int argc, wchar_t **argv)
{
    const wchar_t *verb = argv[1];
    IBackgroundCopyJob *job = NULL;
    HRESULT hr;
    int rc;

    if (!wcscmp(verb, L"create"))
        return cmd_create(manager, argc, argv);
    if (!wcscmp(verb, L"list"))
        return argc == 2 ? cmd_list(manager) : usage();
    if (!wcscmp(verb, L"wait"))
        return cmd_wait(manager, argv[2], argc, argv);

    if (argc != 3)
        return usage();
    hr = open_job(manager, argv[2], &job);
    if (hr == E_INVALIDARG)
        return usage();
    if (FAILED(hr))
        return fail("GetJob", hr);
    if (!wcscmp(verb, L"state"))
        rc = cmd_state(job);
    else if (!wcscmp(verb, L"progress"))
        rc = cmd_progress(job);
    else
        rc = cmd_action(job, verb);
    IBackgroundCopyJob_Release(job);
    return rc;
}

static int known_verb(const wchar_t *verb, int argc)
{
    static const wchar_t *const with_guid[] = {
        L"cancel", L"complete", L"resume", L"suspend", L"state", L"progress", L"wait",
    };
    size_t i;

    if (!wcscmp(verb, L"create") || !wcscmp(verb, L"list"))
        return 1;
    for (i = 0; i < sizeof with_guid / sizeof with_guid[0]; i++)
        if (!wcscmp(verb, with_guid[i]))
            return argc >= 3;
    return 0;
}

/* The milliseconds one create attempt may take (BWJOB_CREATE_TIMEOUT_MS). */
static DWORD create_timeout_ms(void)
{
    wchar_t text[32];
    DWORD n = GetEnvironmentVariableW(L"BWJOB_CREATE_TIMEOUT_MS", text, 32);
    unsigned long ms;

    if (n == 0 || n >= 32)
        return CREATE_TIMEOUT_MS_DEFAULT;
    ms = wcstoul(text, NULL, 10);
    return ms >= 100 && ms <= 600000 ? (DWORD)ms : CREATE_TIMEOUT_MS_DEFAULT;
}

/* Appends what the pipe holds now to out (at most cap - 1 bytes in all). */
static void drain_pipe(HANDLE pipe, char *out, size_t cap, size_t *len)
{
    DWORD avail, got;
    char scratch[256];

    while (PeekNamedPipe(pipe, NULL, 0, NULL, &avail, NULL) && avail > 0) {
        if (!ReadFile(pipe, scratch, sizeof scratch, &got, NULL) || got == 0)
            return;
        if (*len + got >= cap)
            got = (DWORD)(cap - 1 - *len);
        memcpy(out + *len, scratch, got);
        *len += got;
        out[*len] = '\0';
    }
}

/* A whole GUID line: "{" 36 characters "}" and a newline. */
static int has_guid_line(const char *out)
{
    const char *open = strchr(out, '{');
    return open && strlen(open) >= 39 && open[37] == '}' &&
           (open[38] == '\r' || open[38] == '\n');
}

/* One child running "create"; returns its exit code, or -1 when it hung
 * (killed) without printing its GUID. Its output is written to stdout. */
static int create_attempt(int attempt, DWORD timeout_ms)
{
    wchar_t attempt_text[16];
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE rd, wr;
    char out[512] = "";
    size_t len = 0;
    ULONGLONG deadline = GetTickCount64() + timeout_ms;
    DWORD code = EXIT_FAIL, wait;
    wchar_t *cmd = _wcsdup(GetCommandLineW());

    swprintf(attempt_text, 16, L"%d", attempt);

    if (!cmd || !CreatePipe(&rd, &wr, &sa, 0)) {
        free(cmd);
        return fail("CreatePipe", HRESULT_FROM_WIN32(GetLastError()));
    }
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    SetEnvironmentVariableW(L"BWJOB_CHILD", attempt_text);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());
        CloseHandle(rd);
        CloseHandle(wr);
        free(cmd);
        return fail("CreateProcessW", hr);
    }
    free(cmd);
    CloseHandle(wr);
    CloseHandle(pi.hThread);
    for (;;) {
        ULONGLONG now = GetTickCount64();
        wait = WaitForSingleObject(pi.hProcess, 50);
        drain_pipe(rd, out, sizeof out, &len);
        if (wait == WAIT_OBJECT_0) {
            GetExitCodeProcess(pi.hProcess, &code);
            break;
        }
        if (has_guid_line(out)) { /* done; a hang in its clean-up is not ours */
            TerminateProcess(pi.hProcess, EXIT_OK);
            code = EXIT_OK;
            break;
        }
        if (now >= deadline) {
            TerminateProcess(pi.hProcess, EXIT_HUNG);
            WaitForSingleObject(pi.hProcess, 5000);
            code = (DWORD)-1;
            break;
        }
    }
    drain_pipe(rd, out, sizeof out, &len);
    CloseHandle(rd);
    CloseHandle(pi.hProcess);
    if (code != (DWORD)-1) {
        fputs(out, stdout);
        return (int)code;
    }
    return -1;
}

/* "create" in up to CREATE_ATTEMPTS children (see the header comment). */
static int supervised_create(void)
{
    DWORD timeout_ms = create_timeout_ms();
    int attempt, rc;

    for (attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
        rc = create_attempt(attempt, timeout_ms);
        if (rc == EXIT_FAIL && attempt < CREATE_ATTEMPTS) {
            /* The service was not there for a moment (seen once in CI: a
             * quick failure between two tests that both passed). */
            fprintf(stderr, "bwjob: create attempt %d of %d failed; trying again in 1 s\n",
                    attempt, CREATE_ATTEMPTS);
            Sleep(1000);
            continue;
        }
        if (rc >= 0)
            return rc;
        fprintf(stderr, "bwjob: create attempt %d of %d gave no job in %lu ms (BITS did not"
                " answer); %s\n", attempt, CREATE_ATTEMPTS, (unsigned long)timeout_ms,
                attempt < CREATE_ATTEMPTS ? "trying again" : "giving up");
    }
    return EXIT_HUNG;
}

int wmain(int argc, wchar_t **argv)
{
    IBackgroundCopyManager *manager = NULL;
    HRESULT hr;
    int rc;

    if (argc < 2 || !known_verb(argv[1], argc))
        return usage();
    if (!wcscmp(argv[1], L"create") && !GetEnvironmentVariableW(L"BWJOB_CHILD", NULL, 0)) {
        rc = supervised_create();
        fflush(stdout);
        return rc;
    }
    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr))
        return fail("CoInitializeEx", hr);
    hr = connect_manager(&manager);
    if (SUCCEEDED(hr) && !wcscmp(argv[1], L"create") &&
        test_hook_this_attempt(L"BWJOB_TEST_FAIL_ATTEMPTS")) {
        IBackgroundCopyManager_Release(manager);
        hr = HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE); /* as when the service is away */
    }
    if (FAILED(hr)) {
        CoUninitialize();
        return fail("CoCreateInstance(BackgroundCopyManager)", hr);
    }
    rc = run(manager, argc, argv);
    IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    fflush(stdout);
    return rc;
}
