/*
 * census_probe.c - what a census of the BITS queue costs on a real service,
 * and what BITS does with job objects, in raw COM (no BitsWatch code). The
 * numbers in tests/census/README.md come from it.
 *
 * For N = 1, 50, 200 download jobs (created here, suspended, one file each
 * pointing at http://127.0.0.1:1/x: never resumed, so never moving) it times,
 * as medians over the repetitions:
 *   (a) GetState on one job proxy;
 *   (b) EnumJobs + GetCount + Release of the enumerator (the census);
 *   (c) EnumJobs + Next(all) + GetId of each + Release of each + Release.
 * (b) and (c) are timed twice: here, where the process holds a proxy for
 * every job (releasing an enumerated job is then local), and in a child
 * process that holds none (as a watcher sees jobs it did not open).
 * It then checks COM identity (is the IUnknown of a job Next returns the one
 * of the proxy already held for it?) and what a held proxy, GetCount,
 * EnumJobs and GetJob show after a job is cancelled (by another process, and
 * by this one) and after a TRANSFERRED job is completed (by another process),
 * at once and after the service's transfer thread next wakes (a Resume).
 * Every job it made is cancelled (or completed) at the end.
 *
 * Build (mingw-w64):
 *   x86_64-w64-mingw32-gcc -O2 -Wall -municode -o census_probe.exe census_probe.c \
 *       -lole32 -luuid
 * Run (Wine: a prefix whose wineserver stays up, see shared/wine-bits.md):
 *   WINEDEBUG=-all wine census_probe.exe [repetitions (50)] [N ...  (1 50 200)]
 * Child modes it starts itself (usable by hand too):
 *   census_probe.exe cancel|complete {GUID}     exit code: the HRESULT
 *   census_probe.exe costs REPS                 (b) and (c) without proxies
 */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include <bits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_JOBS 256
#define CHILD_MS 600000 /* (c) without proxies at N = 200 is slow on a loaded machine */

static double g_freq; /* performance counter ticks per microsecond */

static double now_us(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / g_freq;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median and 90th percentile of n samples (sorted in place). */
static void stats(double *v, int n, double *median, double *p90)
{
    qsort(v, n, sizeof *v, by_value);
    *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    *p90 = v[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1];
}

static void set_blanket(void *p)
{
    CoSetProxyBlanket((IUnknown *)p, RPC_C_AUTHN_DEFAULT, RPC_C_AUTHZ_DEFAULT, COLE_DEFAULT_PRINCIPAL,
                      RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_DEFAULT);
}

static IBackgroundCopyManager *manager(void)
{
    IBackgroundCopyManager *m = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                                  &IID_IBackgroundCopyManager, (void **)&m);
    if (FAILED(hr)) {
        fprintf(stderr, "CoCreateInstance(BITS): 0x%08lX\n", (unsigned long)hr);
        exit(2);
    }
    set_blanket(m);
    return m;
}

/* ---- The measured operations -------------------------------------------- */

static HRESULT census(IBackgroundCopyManager *m, ULONG *count)
{
    IEnumBackgroundCopyJobs *e = NULL;
    HRESULT hr = IBackgroundCopyManager_EnumJobs(m, 0, &e);

    *count = 0;
    if (FAILED(hr))
        return hr;
    set_blanket(e);
    hr = IEnumBackgroundCopyJobs_GetCount(e, count);
    IEnumBackgroundCopyJobs_Release(e);
    return hr;
}

/* EnumJobs, one Next for all, GetId of each, releases. ids may be NULL;
 * unknowns (MAX_JOBS) receives each job's IUnknown, AddRef'd, when given. */
static HRESULT enumerate(IBackgroundCopyManager *m, GUID *ids, IUnknown **unknowns, ULONG *count)
{
    static IBackgroundCopyJob *jobs[MAX_JOBS];
    IEnumBackgroundCopyJobs *e = NULL;
    ULONG got = 0, i;
    HRESULT hr = IBackgroundCopyManager_EnumJobs(m, 0, &e);

    *count = 0;
    if (FAILED(hr))
        return hr;
    set_blanket(e);
    hr = IEnumBackgroundCopyJobs_Next(e, MAX_JOBS, jobs, &got);
    if (SUCCEEDED(hr)) {
        for (i = 0; i < got; i++) {
            GUID id;
            set_blanket(jobs[i]);
            if (SUCCEEDED(IBackgroundCopyJob_GetId(jobs[i], &id)) && ids)
                ids[i] = id;
            if (unknowns)
                IBackgroundCopyJob_QueryInterface(jobs[i], &IID_IUnknown, (void **)&unknowns[i]);
            IBackgroundCopyJob_Release(jobs[i]);
        }
        *count = got;
        hr = S_OK;
    }
    IEnumBackgroundCopyJobs_Release(e);
    return hr;
}

struct costs {
    double census_med, census_p90, enum_med, enum_p90;
};

static void time_census_and_enum(IBackgroundCopyManager *m, int reps, struct costs *c)
{
    double *v = malloc(sizeof(double) * reps);
    ULONG count;
    int i;

    for (i = 0; i < 3; i++) /* warm-up */
        census(m, &count), enumerate(m, NULL, NULL, &count);
    for (i = 0; i < reps; i++) {
        double t0 = now_us();
        census(m, &count);
        v[i] = now_us() - t0;
    }
    stats(v, reps, &c->census_med, &c->census_p90);
    for (i = 0; i < reps; i++) {
        double t0 = now_us();
        enumerate(m, NULL, NULL, &count);
        v[i] = now_us() - t0;
    }
    stats(v, reps, &c->enum_med, &c->enum_p90);
    free(v);
}

/* ---- Child processes ----------------------------------------------------- */

static DWORD run_child(const WCHAR *args)
{
    WCHAR self[MAX_PATH], cmd[MAX_PATH + 128];
    STARTUPINFOW si = {sizeof si};
    PROCESS_INFORMATION pi;
    DWORD code = (DWORD)E_FAIL;

    GetModuleFileNameW(NULL, self, MAX_PATH);
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" %ls", self, args);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return (DWORD)HRESULT_FROM_WIN32(GetLastError());
    if (WaitForSingleObject(pi.hProcess, CHILD_MS) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    else
        TerminateProcess(pi.hProcess, code); /* no late result file */
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

static HRESULT child_control(IBackgroundCopyManager *m, const WCHAR *what, const WCHAR *guid)
{
    IBackgroundCopyJob *job = NULL;
    GUID id;
    HRESULT hr = CLSIDFromString(guid, &id);

    if (FAILED(hr))
        return hr;
    hr = IBackgroundCopyManager_GetJob(m, &id, &job);
    if (FAILED(hr))
        return hr;
    set_blanket(job);
    hr = wcscmp(what, L"cancel") == 0 ? IBackgroundCopyJob_Cancel(job) : IBackgroundCopyJob_Complete(job);
    IBackgroundCopyJob_Release(job);
    return hr;
}

static HRESULT other_process(const WCHAR *what, const GUID *id)
{
    WCHAR args[64 + 8];
    int n = swprintf(args, 64, L"%ls ", what);
    StringFromGUID2(id, args + n, 40);
    return (HRESULT)run_child(args);
}

/* ---- Jobs ----------------------------------------------------------------- */

struct job {
    IBackgroundCopyJob *job;
    IUnknown *unknown;
    GUID id;
};

static HRESULT create_job(IBackgroundCopyManager *m, const WCHAR *remote, int index, struct job *out)
{
    WCHAR local[MAX_PATH];
    HRESULT hr = IBackgroundCopyManager_CreateJob(m, L"census-probe", BG_JOB_TYPE_DOWNLOAD, &out->id, &out->job);

    if (FAILED(hr))
        return hr;
    set_blanket(out->job);
    swprintf(local, MAX_PATH, L"C:\\census-probe\\f%d.bin", index);
    hr = IBackgroundCopyJob_AddFile(out->job, remote, local);
    if (SUCCEEDED(hr))
        hr = IBackgroundCopyJob_QueryInterface(out->job, &IID_IUnknown, (void **)&out->unknown);
    return hr;
}

static void drop_job(struct job *j, BOOL cancel)
{
    if (!j->job)
        return;
    if (cancel)
        IBackgroundCopyJob_Cancel(j->job); /* fails harmlessly if it is gone already */
    if (j->unknown)
        IUnknown_Release(j->unknown);
    IBackgroundCopyJob_Release(j->job);
    j->job = NULL;
    j->unknown = NULL;
}

/* ---- What a job looks like from here ------------------------------------- */

static const char *state_name(BG_JOB_STATE s)
{
    static const char *names[] = {"QUEUED",      "CONNECTING", "TRANSFERRING",
                                  "SUSPENDED",   "ERROR",      "TRANSIENT_ERROR",
                                  "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* One line: GetCount, whether EnumJobs lists the job, GetState on the held
 * proxy, GetJob by its GUID. */
static void look(IBackgroundCopyManager *m, const char *when, const struct job *j)
{
    static GUID ids[MAX_JOBS];
    ULONG count = 0, listed = 0, i;
    BOOL present = FALSE;
    BG_JOB_STATE s;
    IBackgroundCopyJob *again = NULL;
    HRESULT state_hr, get_hr, count_hr = census(m, &count);

    enumerate(m, ids, NULL, &listed);
    for (i = 0; i < listed; i++)
        present |= IsEqualGUID(&ids[i], &j->id);
    state_hr = IBackgroundCopyJob_GetState(j->job, &s);
    get_hr = IBackgroundCopyManager_GetJob(m, &j->id, &again);
    if (again)
        IBackgroundCopyJob_Release(again);
    printf("  %-44s GetCount %3lu%s  EnumJobs %-9s GetState ", when, count,
           FAILED(count_hr) ? " (failed)" : "", present ? "lists it" : "not");
    if (SUCCEEDED(state_hr))
        printf("%-12s", state_name(s));
    else
        printf("0x%08lX  ", (unsigned long)state_hr);
    printf(" GetJob 0x%08lX\n", (unsigned long)get_hr);
}

/* Waits until the job reaches want (or 10 s). */
static BOOL wait_state(IBackgroundCopyJob *job, BG_JOB_STATE want)
{
    BG_JOB_STATE s;
    int i;

    for (i = 0; i < 1000; i++) {
        if (SUCCEEDED(IBackgroundCopyJob_GetState(job, &s)) && s == want)
            return TRUE;
        Sleep(10);
    }
    return FALSE;
}

/* ---- The experiments ----------------------------------------------------- */

static struct job g_jobs[MAX_JOBS];

/* Wine's service drops cancelled and acknowledged jobs from its list only
 * when its transfer thread wakes (a Resume), so the jobs of an earlier round
 * would still be counted. The waker is a job that is resumed for that: its
 * URL refuses the connection, so it goes to ERROR at once, from where the
 * next Resume takes it again. It is counted too (count = N + 1). */
static struct job g_waker;

static void wake(void)
{
    BG_JOB_STATE s = BG_JOB_STATE_QUEUED;
    int i;

    IBackgroundCopyJob_Resume(g_waker.job);
    for (i = 0; i < 1000; i++) {
        if (SUCCEEDED(IBackgroundCopyJob_GetState(g_waker.job, &s)) &&
            (s == BG_JOB_STATE_ERROR || s == BG_JOB_STATE_TRANSIENT_ERROR))
            break;
        Sleep(10);
    }
}

static void measure(IBackgroundCopyManager *m, int n, int reps)
{
    static IUnknown *unknowns[MAX_JOBS];
    static GUID ids[MAX_JOBS];
    double *v = malloc(sizeof(double) * reps);
    struct costs here, child;
    double state_med, state_p90;
    ULONG count = 0, listed = 0, i;
    int k, same_unknown = 0, same_pointer = 0;
    WCHAR args[32];
    BG_JOB_STATE s;
    DWORD child_rc;

    wake(); /* the last round's jobs leave the list */
    for (k = 0; k < n; k++) {
        HRESULT hr = create_job(m, L"http://127.0.0.1:1/x", k, &g_jobs[k]);
        if (FAILED(hr)) {
            fprintf(stderr, "job %d: 0x%08lX\n", k, (unsigned long)hr);
            exit(2);
        }
    }
    for (k = 0; k < 3; k++)
        IBackgroundCopyJob_GetState(g_jobs[0].job, &s);
    for (k = 0; k < reps; k++) {
        double t0 = now_us();
        IBackgroundCopyJob_GetState(g_jobs[0].job, &s);
        v[k] = now_us() - t0;
    }
    stats(v, reps, &state_med, &state_p90);
    time_census_and_enum(m, reps, &here);

    /* The same from a process that holds no job proxy. It prints its own
     * line and leaves the numbers in a file. */
    swprintf(args, 32, L"costs %d", reps);
    child_rc = run_child(args);
    memset(&child, 0, sizeof child);
    {
        FILE *f = fopen("census_child.txt", "r");
        if (f) {
            if (fscanf(f, "%lf %lf %lf %lf", &child.census_med, &child.census_p90, &child.enum_med,
                       &child.enum_p90) != 4)
                memset(&child, 0, sizeof child);
            fclose(f);
            remove("census_child.txt");
        }
    }

    /* Identity: the enumerated jobs against the proxies held. */
    census(m, &count);
    enumerate(m, ids, unknowns, &listed);
    for (i = 0; i < listed; i++) {
        for (k = 0; k < n; k++) {
            if (IsEqualGUID(&ids[i], &g_jobs[k].id)) {
                same_unknown += unknowns[i] == g_jobs[k].unknown;
                break;
            }
        }
        if (unknowns[i])
            IUnknown_Release(unknowns[i]);
    }
    /* And the job interface pointer itself, from GetJob. */
    for (k = 0; k < n; k++) {
        IBackgroundCopyJob *again = NULL;
        if (SUCCEEDED(IBackgroundCopyManager_GetJob(m, &g_jobs[k].id, &again))) {
            same_pointer += again == g_jobs[k].job;
            IBackgroundCopyJob_Release(again);
        }
    }

    printf("%5d | %9.0f %6.0f | %9.0f %6.0f | %9.0f %6.0f | %9.0f %6.0f | %9.0f %6.0f | %4lu %4lu | %3d/%-3d %3d/%-3d%s\n",
           n, state_med, state_p90, here.census_med, here.census_p90, here.enum_med, here.enum_p90,
           child.census_med, child.census_p90, child.enum_med, child.enum_p90, count, listed, same_unknown, n,
           same_pointer, n, child_rc ? " (child failed)" : "");
    fflush(stdout);
    for (k = 0; k < n; k++)
        drop_job(&g_jobs[k], TRUE);
    free(v);
}

static void lifecycle(IBackgroundCopyManager *m)
{
    struct job a = {0}, b = {0}, c = {0}, d = {0}, e = {0};
    HRESULT hr;

    printf("\nCancel and Complete (a, b, e: suspended jobs; c, d: local copies of C:\\windows\\win.ini)\n");
    if (FAILED(create_job(m, L"http://127.0.0.1:1/x", 1000, &a)) ||
        FAILED(create_job(m, L"http://127.0.0.1:1/x", 1001, &b)) ||
        FAILED(create_job(m, L"C:\\windows\\win.ini", 1002, &c)) ||
        FAILED(create_job(m, L"C:\\windows\\win.ini", 1003, &d)) ||
        FAILED(create_job(m, L"http://127.0.0.1:1/x", 1004, &e))) {
        printf("  could not create the jobs\n");
        goto out;
    }
    wake();
    look(m, "a before anything", &a);

    hr = other_process(L"cancel", &a.id);
    printf("  another process: Cancel(a) = 0x%08lX\n", (unsigned long)hr);
    look(m, "a just after its Cancel (other process)", &a);
    Sleep(3000);
    look(m, "a 3 s later", &a);

    hr = IBackgroundCopyJob_Cancel(b.job);
    printf("  this process: Cancel(b) = 0x%08lX\n", (unsigned long)hr);
    look(m, "b just after its Cancel (this process)", &b);

    hr = IBackgroundCopyJob_Resume(c.job);
    printf("  Resume(c) = 0x%08lX: the transfer thread wakes\n", (unsigned long)hr);
    if (!wait_state(c.job, BG_JOB_STATE_TRANSFERRED)) {
        printf("  c did not reach TRANSFERRED in 10 s: Complete not tried\n");
        look(m, "a after the Resume of c", &a);
        goto out;
    }
    look(m, "a after c TRANSFERRED", &a);
    look(m, "b after c TRANSFERRED", &b);
    look(m, "c TRANSFERRED", &c);

    hr = other_process(L"complete", &c.id);
    printf("  another process: Complete(c) = 0x%08lX\n", (unsigned long)hr);
    look(m, "c just after its Complete (other process)", &c);

    hr = IBackgroundCopyJob_Resume(d.job);
    printf("  Resume(d) = 0x%08lX\n", (unsigned long)hr);
    if (wait_state(d.job, BG_JOB_STATE_TRANSFERRED))
        look(m, "c after d TRANSFERRED", &c);
    IBackgroundCopyJob_Complete(d.job);
    look(m, "e (never touched), for comparison", &e);
out:
    drop_job(&a, TRUE);
    drop_job(&b, TRUE);
    drop_job(&c, TRUE);
    drop_job(&d, TRUE);
    drop_job(&e, TRUE);
}

static int costs_child(int reps)
{
    IBackgroundCopyManager *m = manager();
    struct costs c;
    FILE *f;

    time_census_and_enum(m, reps, &c);
    IBackgroundCopyManager_Release(m);
    f = fopen("census_child.txt", "w");
    if (!f)
        return 1;
    fprintf(f, "%f %f %f %f\n", c.census_med, c.census_p90, c.enum_med, c.enum_p90);
    fclose(f);
    return 0;
}

int wmain(int argc, WCHAR **argv)
{
    static const int default_n[] = {1, 50, 200};
    IBackgroundCopyManager *m;
    LARGE_INTEGER f;
    int reps = 50, i, rc = 0;

    QueryPerformanceFrequency(&f);
    g_freq = (double)f.QuadPart / 1e6;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (argc == 3 && (wcscmp(argv[1], L"cancel") == 0 || wcscmp(argv[1], L"complete") == 0)) {
        m = manager();
        rc = (int)child_control(m, argv[1], argv[2]);
        IBackgroundCopyManager_Release(m);
        CoUninitialize();
        return rc;
    }
    if (argc == 3 && wcscmp(argv[1], L"costs") == 0) {
        rc = costs_child(_wtoi(argv[2]));
        CoUninitialize();
        return rc;
    }
    if (argc >= 2)
        reps = _wtoi(argv[1]);
    if (reps < 1)
        reps = 50;
    CreateDirectoryW(L"C:\\census-probe", NULL);
    m = manager();
    if (FAILED(create_job(m, L"http://127.0.0.1:1/x", 999, &g_waker))) {
        fprintf(stderr, "could not create the waker job\n");
        return 2;
    }
    printf("census_probe: %d repetitions, times in microseconds (median, p90); count includes the waker job\n",
           reps);
    printf("    N | (a) GetState     | (b) census here  | (c) enum here    | (b) no proxies   | (c) no proxies   |count listed| identity: IUnknown, GetJob pointer\n");
    if (argc >= 3) {
        for (i = 2; i < argc; i++) {
            int n = _wtoi(argv[i]);
            if (n >= 1 && n <= MAX_JOBS - 8)
                measure(m, n, reps);
        }
    } else {
        for (i = 0; i < 3; i++)
            measure(m, default_n[i], reps);
    }
    lifecycle(m);
    drop_job(&g_waker, TRUE); /* in ERROR: not moving, safe to cancel */
    IBackgroundCopyManager_Release(m);
    CoUninitialize();
    return 0;
}
