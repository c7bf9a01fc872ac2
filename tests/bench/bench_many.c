/*
 * bench_many.c - figure 6 of bench_bits: watching many jobs.
 *
 * The jobs: T (the /slow job transferring for hours, made by bench_bits.c)
 * and a pool of 200 /fast jobs queued behind it (Wine's BITS transfers one
 * job at a time). A watched set of N = 1, 10, 50, 200 jobs is T plus N - 1
 * pool jobs ("one transferring, the rest queued"; N = 1 is one queued job,
 * since the job cancelled must be a queued one).
 *
 * Latency: a random queued job of the set is cancelled by ANOTHER PROCESS
 * (this program run as "bench_bits --canceller", commanded over a pipe) at a
 * random moment (300-1300 ms after the previous one was seen and replaced:
 * a random phase of the 1 s timer); the time of the change is when that
 * process issued Cancel (QueryPerformanceCounter, one clock for every
 * process under Wine), so latencies are upper bounds. Two watchers run side
 * by side on the same set at the same time, each with its own handles:
 *   - BitsWatch: BwJobPollMany(set, N, 1000 ms) in a loop, as a monitor would;
 *   - the seed: Microsoft's "Polling for the Status of the Job" loop over the
 *     N jobs: a 1 s periodic waitable timer, GetState on every job per tick
 *     (GetProgress too when it is TRANSFERRING, as the sample does).
 * The cancelled job is replaced by a new queued one (in both watchers) before
 * the next transition, so N stays N. Phases cycle over N in rounds, so a
 * drifting machine load hits every N alike.
 *
 * CPU: each watcher alone for BW_BENCH_CPU_SECONDS over the same set, and a
 * window with no watcher (what T's transfer costs by itself); CPU of this
 * process (GetProcessTimes), of the BITS service's svchost and of wineserver
 * (utime + stime from /proc/<pid>/stat, read through Wine's Z: drive; run.sh
 * finds the pids of its own prefix), net of the idle window, per second of
 * watching. "200 quiet jobs" is the set of the 200 pool jobs without T.
 *
 * bitswatch.exe (BW_BENCH_CLI): "watch <N GUIDs>" and "watch --all"
 * (redirected; the time a "Cancelled" line for the job arrives on the pipe),
 * with the seed loop side by side; its CPU from /proc (GetProcessTimes of
 * another process is 0 under Wine 8), at every N.
 *
 * Jobs created by another process (the canceller again, "CREATE"), with the
 * 200 jobs queued: seen by BwQueuePoll (a monitor thread: BwQueueOpen,
 * BwQueuePoll(q, 1000), BwQueueGetJobs after each change) and by
 * "bitswatch.exe watch --all --json" (the first line naming the job), each
 * with the naive 1 s loop side by side: EnumJobs, GetCount, Next(1) + GetId
 * + Release per job, every second (Microsoft's "Enumerating Jobs in the
 * Transfer Queue" on the polling sample's timer). Each new job is cancelled
 * (it is queued: safe) once every watcher saw it.
 *
 * The machine's round-trip cost, at the top of the table: medians of GetState
 * on one queued job and of EnumJobs + GetCount + Release (what the census'
 * count costs) with the 200 jobs queued; again at the end, in a note.
 *
 * Targets (issue 17): a cancel among 200 (one transferring) seen by
 * BwJobPollMany and by watch --all within median <= 150 ms, max <= 400 ms;
 * N = 1 median <= 60 ms; N = 50 no worse than before (the target it met:
 * median <= 150, max <= 400 ms); a new job seen within median <= 300 ms; CPU
 * while watching 200 quiet jobs at most half the 1 s loop's in the same run.
 *
 * DATA lines (series, metric, N, value) feed run.sh's figure6.csv and
 * plot_many.py's figure6.svg.
 *
 * Duty cycle trade-off (BW_BENCH_DUTY_DLLS="5=path;20=path"): the same DLL
 * built with other BW__DUTY_PERCENT values, loaded side by side under other
 * file names; N = 200 latency and 200-quiet CPU for each, interleaved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bench_bits.h"

#define POOL 200
#define PHASE_TIMEOUT_US 30e6 /* a transition not seen by then counts as missed */
#define CLI_TOKEN_BASE 3000000u

/* ---------------------------------------------------------------- samples */
typedef struct samples {
    double v[512];
    unsigned n, missed;
} samples;

static void add(samples *s, double ms)
{
    if (s->n < sizeof s->v / sizeof s->v[0])
        s->v[s->n++] = ms;
}

static double s_median(samples *s) { return s->n ? median(s->v, s->n) : -1; }
static double s_max(samples *s)
{
    double m = -1;
    for (unsigned i = 0; i < s->n; i++)
        if (s->v[i] > m)
            m = s->v[i];
    return m;
}

static unsigned g_seed;
static unsigned rnd(unsigned n)
{
    g_seed = g_seed * 1103515245u + 12345u;
    return (g_seed >> 8) % n;
}

/* ---------------------------------------------------------------- /proc */
static unsigned g_svc_pid, g_wsrv_pid, g_clk_tck;

/* utime + stime of a Linux process, in ms; -1 when it cannot be read. Wine
 * opens files in wineserver, which reads /proc for us (so "self" there would
 * be wineserver: pass real pids). */
static double proc_cpu_ms(unsigned pid)
{
    wchar_t path[64];
    char buf[1024];
    DWORD got = 0;
    if (!pid)
        return -1;
    swprintf(path, sizeof path / sizeof path[0], L"Z:\\proc\\%u\\stat", pid);
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return -1;
    BOOL ok = ReadFile(f, buf, sizeof buf - 1, &got, NULL);
    CloseHandle(f);
    if (!ok || !got)
        return -1;
    buf[got] = 0;
    const char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    /* After ")": state, ppid, pgrp, session, tty, tpgid, flags, minflt,
     * cminflt, majflt, cmajflt, utime, stime. */
    unsigned long long v[13];
    if (sscanf(p + 2, "%*s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[1],
               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
               &v[12]) != 12)
        return -1;
    return (double)(v[11] + v[12]) * 1000.0 / g_clk_tck;
}

static double self_cpu_ms(void)
{
    FILETIME c, e, k, u;
    GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u);
    ULONGLONG kk = ((ULONGLONG)k.dwHighDateTime << 32) | k.dwLowDateTime;
    ULONGLONG uu = ((ULONGLONG)u.dwHighDateTime << 32) | u.dwLowDateTime;
    return (double)(kk + uu) / 10000.0;
}

/* The Linux pid of the Windows process whose command line holds token. */
static unsigned find_unix_pid(const char *token)
{
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(L"Z:\\proc\\*", &fd);
    unsigned found = 0;
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    do {
        wchar_t *end;
        unsigned long pid = wcstoul(fd.cFileName, &end, 10);
        if (!pid || *end)
            continue;
        wchar_t path[64];
        char buf[4096];
        DWORD got = 0;
        swprintf(path, sizeof path / sizeof path[0], L"Z:\\proc\\%lu\\cmdline", pid);
        HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                               OPEN_EXISTING, 0, NULL);
        if (f == INVALID_HANDLE_VALUE)
            continue;
        ReadFile(f, buf, sizeof buf - 1, &got, NULL);
        CloseHandle(f);
        for (DWORD i = 0; i < got; i++)
            if (!buf[i])
                buf[i] = ' ';
        buf[got] = 0;
        if (strstr(buf, token) && strstr(buf, "bitswatch.exe")) {
            found = (unsigned)pid;
            break;
        }
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return found;
}

/* CPU of the parties over a window, in ms of CPU. */
typedef struct cpu_snap {
    double wall_us, self, svc, wsrv, child;
} cpu_snap;

static cpu_snap cpu_now(unsigned child_pid)
{
    cpu_snap s;
    s.self = self_cpu_ms();
    s.svc = proc_cpu_ms(g_svc_pid);
    s.wsrv = proc_cpu_ms(g_wsrv_pid);
    s.child = child_pid ? proc_cpu_ms(child_pid) : 0;
    s.wall_us = now_us();
    return s;
}

/* Accumulated CPU of one kind of window over the rounds. */
typedef struct cpu_acc {
    double wall_ms, watcher, svc, wsrv;
    unsigned windows;
    int svc_bad;
} cpu_acc;

static void cpu_add(cpu_acc *a, const cpu_snap *s0, const cpu_snap *s1, int watcher_is_child)
{
    a->wall_ms += (s1->wall_us - s0->wall_us) / 1000;
    a->watcher += watcher_is_child ? s1->child - s0->child : s1->self - s0->self;
    if (s0->svc < 0 || s1->svc < 0 || s0->wsrv < 0 || s1->wsrv < 0)
        a->svc_bad = 1;
    a->svc += s1->svc - s0->svc;
    a->wsrv += s1->wsrv - s0->wsrv;
    a->windows++;
}

/* Percent of one core, net of the idle windows. */
typedef struct cpu_pct {
    double watcher, svc, wsrv, total;
} cpu_pct;

static cpu_pct cpu_net(const cpu_acc *a, const cpu_acc *idle)
{
    cpu_pct p = {0, 0, 0, 0};
    if (!a->windows || !idle->windows)
        return p;
    p.watcher = 100 * (a->watcher / a->wall_ms - idle->watcher / idle->wall_ms);
    p.svc = 100 * (a->svc / a->wall_ms - idle->svc / idle->wall_ms);
    p.wsrv = 100 * (a->wsrv / a->wall_ms - idle->wsrv / idle->wall_ms);
    p.total = p.watcher + p.svc + p.wsrv;
    return p;
}

/* ---------------------------------------------------------------- canceller */
static HANDLE g_cin, g_cout, g_cproc;

/* One line from h (blocking), without its line end. */
static int read_line(HANDLE h, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char c;
        DWORD got = 0;
        if (!ReadFile(h, &c, 1, &got, NULL) || got == 0)
            return 0;
        if (c == '\n')
            break;
        if (c != '\r' && n + 1 < cap)
            buf[n++] = c;
    }
    buf[n] = 0;
    return 1;
}

static int canceller_start(const wchar_t *self)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE in_r, in_w, out_r, out_w;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t cmd[MAX_PATH + 600];
    char line[128];

    if (!CreatePipe(&in_r, &in_w, &sa, 0) || !CreatePipe(&out_r, &out_w, &sa, 0))
        return 0;
    SetHandleInformation(in_w, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_r;
    si.hStdOutput = out_w;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --canceller \"%ls\"", self, g_http);
    if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        say("cannot start the canceller: %lu", GetLastError());
        return 0;
    }
    CloseHandle(in_r);
    CloseHandle(out_w);
    CloseHandle(pi.hThread);
    g_cin = in_w;
    g_cout = out_r;
    g_cproc = pi.hProcess;
    if (!read_line(g_cout, line, sizeof line) || strcmp(line, "READY")) {
        say("the canceller did not start (\"%s\")", line);
        return 0;
    }
    return 1;
}

static void canceller_stop(void)
{
    if (!g_cproc)
        return;
    CloseHandle(g_cin); /* EOF: it exits */
    if (WaitForSingleObject(g_cproc, 10000) != WAIT_OBJECT_0)
        TerminateProcess(g_cproc, 1);
    CloseHandle(g_cout);
    CloseHandle(g_cproc);
    g_cproc = NULL;
}

/* Has the other process cancel job id; returns when it issued Cancel (us on
 * this program's clock), or -1. */
static double cancel_remote(const GUID *id)
{
    wchar_t w[40];
    char line[160];
    DWORD put;
    StringFromGUID2(id, w, 40);
    snprintf(line, sizeof line, "%ls\n", w);
    double sent = now_us();
    if (!WriteFile(g_cin, line, (DWORD)strlen(line), &put, NULL) || !read_line(g_cout, line,
                                                                               sizeof line))
        return -1;
    double back = now_us(), t0 = 0, t1 = 0;
    unsigned long hr = 0;
    if (sscanf(line, "%lf %lf %lx", &t0, &t1, &hr) != 3 || FAILED((HRESULT)hr)) {
        say("canceller: \"%s\"", line);
        return -1;
    }
    if (t0 < sent - 1000 || t1 > back + 1000) /* one clock for both, or the figure lies */
        say("canceller clock off: sent %.0f, issued %.0f, returned %.0f, back %.0f us", sent, t0,
            t1, back);
    return t0;
}

/* Has the other process create a queued /fast job (CreateJob + AddFile +
 * Resume, as any program would); returns when it called CreateJob (us on
 * this program's clock: an upper bound again), or -1. *id: the new job. */
static double create_remote(GUID *id)
{
    char line[200], text[64];
    wchar_t w[64];
    DWORD put;
    double t0 = 0, t1 = 0;
    unsigned long hr = 0;
    double sent = now_us();
    if (!WriteFile(g_cin, "CREATE\n", 7, &put, NULL) || !read_line(g_cout, line, sizeof line))
        return -1;
    double back = now_us();
    if (sscanf(line, "%lf %lf %lx %63s", &t0, &t1, &hr, text) != 4 || FAILED((HRESULT)hr)) {
        say("canceller: \"%s\"", line);
        return -1;
    }
    MultiByteToWideChar(CP_UTF8, 0, text, -1, w, 64);
    if (FAILED(IIDFromString(w, id))) {
        say("canceller: bad GUID \"%s\"", text);
        return -1;
    }
    if (t0 < sent - 1000 || t1 > back + 1000)
        say("canceller clock off: sent %.0f, created %.0f-%.0f, back %.0f us", sent, t0, t1, back);
    return t0;
}

int canceller_main(void)
{
    IBackgroundCopyManager *mgr = NULL;
    char line[128];
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (SUCCEEDED(hr))
        hr = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
                              &IID_IBackgroundCopyManager, (void **)&mgr);
    if (FAILED(hr)) {
        printf("FAILED 0x%08lX\n", (unsigned long)hr);
        return 2;
    }
    g_mgr = mgr; /* create_job's manager */
    printf("READY\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {
        wchar_t w[40];
        GUID id;
        IBackgroundCopyJob *job = NULL;
        double t0 = 0, t1 = 0;
        line[strcspn(line, "\r\n")] = 0;
        if (!strcmp(line, "CREATE")) {
            /* t0: just before CreateJob, the moment the job can first be seen. */
            w[0] = 0;
            t0 = now_us();
            hr = create_job(L"/fast/1000", &id, &job);
            t1 = now_us();
            if (SUCCEEDED(hr)) {
                StringFromGUID2(&id, w, 40);
                IBackgroundCopyJob_Release(job);
            }
            printf("%.1f %.1f 0x%08lX %ls\n", t0, t1, (unsigned long)hr, w[0] ? w : L"-");
            fflush(stdout);
            continue;
        }
        MultiByteToWideChar(CP_UTF8, 0, line, -1, w, 40);
        hr = IIDFromString(w, &id);
        if (SUCCEEDED(hr))
            hr = IBackgroundCopyManager_GetJob(mgr, &id, &job);
        if (SUCCEEDED(hr)) {
            t0 = now_us();
            hr = IBackgroundCopyJob_Cancel(job);
            t1 = now_us();
            IBackgroundCopyJob_Release(job);
        }
        printf("%.1f %.1f 0x%08lX\n", t0, t1, (unsigned long)hr);
        fflush(stdout);
    }
    IBackgroundCopyManager_Release(mgr);
    CoUninitialize();
    return 0;
}

/* ---------------------------------------------------------------- jobs, DLLs */
typedef struct slot {
    GUID id;
    IBackgroundCopyJob *raw; /* the seed loop's proxy */
} slot;

static slot g_pool[POOL];
static GUID g_t;
static IBackgroundCopyJob *g_traw;

typedef struct variant {
    char label[48];
    bench_api api;
    BW_JOB t;        /* T's handle in this DLL */
    BW_JOB h[POOL];  /* per slot; NULL until needed */
} variant;

#define MAX_VARIANTS 8
static variant g_var[MAX_VARIANTS];
static unsigned g_nvar;

static HRESULT new_queued(GUID *id, IBackgroundCopyJob **raw)
{
    IBackgroundCopyJob *creator = NULL;
    BG_JOB_STATE s;
    HRESULT hr = create_job(L"/fast/1000", id, &creator);
    if (FAILED(hr))
        return hr;
    hr = IBackgroundCopyJob_GetState(creator, &s);
    IBackgroundCopyJob_Release(creator);
    if (SUCCEEDED(hr) && s != BG_JOB_STATE_QUEUED)
        hr = E_UNEXPECTED; /* T must hold the transfer thread */
    if (SUCCEEDED(hr))
        hr = raw_open(id, raw);
    return hr;
}

/* The handle of entry slot k (-1: T) in variant v, opened when first needed. */
static BW_JOB var_handle(variant *v, int k)
{
    BW_JOB *h = k < 0 ? &v->t : &v->h[k];
    if (!*h) {
        HRESULT hr = v->api.JobOpenById(k < 0 ? &g_t : &g_pool[k].id, h);
        if (FAILED(hr)) {
            say("open of %s slot %d: 0x%08lX", v->label, k, (unsigned long)hr);
            *h = NULL;
        }
    }
    return *h;
}

/* ---------------------------------------------------------------- a phase */
typedef struct phase {
    variant *v;          /* NULL: no BitsWatch watcher */
    int with_seed;
    unsigned n;
    int slot_of[POOL + 1];
    BW_JOB h[POOL + 1];
    IBackgroundCopyJob *raw[POOL + 1];
    CRITICAL_SECTION cs;
    int armed;           /* entry whose cancel is awaited; -1: none */
    double seen_bw, seen_seed;
    int swap;            /* entry being replaced; -1: none */
    BW_JOB swap_h;
    IBackgroundCopyJob *swap_raw;
    int took_bw, took_seed;
    volatile LONG stop;
    HANDLE th_bw, th_seed;
    HRESULT bw_error, seed_error;
    unsigned long bw_calls, seed_ticks;
    double seed_sweep_max_us;
} phase;

static DWORD WINAPI bw_watch_main(void *arg)
{
    phase *p = arg;
    unsigned n = p->n;
    BW_JOB hs[POOL + 1];
    BW_STATUS st[POOL + 1];
    HRESULT r[POOL + 1];
    memcpy(hs, p->h, n * sizeof hs[0]);
    while (!InterlockedCompareExchange(&p->stop, 0, 0)) {
        EnterCriticalSection(&p->cs);
        if (p->swap >= 0 && !p->took_bw) {
            hs[p->swap] = p->swap_h;
            p->took_bw = 1;
        }
        LeaveCriticalSection(&p->cs);
        for (unsigned i = 0; i < n; i++)
            st[i].cbSize = sizeof st[i];
        UINT32 changed = 0;
        HRESULT hr = p->v->api.JobPollMany(hs, n, 1000, st, r, &changed);
        double t = now_us();
        p->bw_calls++;
        if (FAILED(hr)) {
            p->bw_error = hr;
            break;
        }
        EnterCriticalSection(&p->cs);
        for (unsigned i = 0; i < n; i++)
            if (FAILED(r[i]) && !p->bw_error)
                p->bw_error = r[i];
        if (p->armed >= 0 && r[p->armed] == S_OK && st[p->armed].State == BW_STATE_CANCELLED &&
            !p->seen_bw)
            p->seen_bw = t;
        LeaveCriticalSection(&p->cs);
    }
    return 0;
}

/* The sample's loop, over the set: a 1 s periodic timer; GetState per job. */
static DWORD WINAPI seed_watch_main(void *arg)
{
    phase *p = arg;
    unsigned n = p->n;
    IBackgroundCopyJob *rs[POOL + 1];
    LARGE_INTEGER due;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    memcpy(rs, p->raw, n * sizeof rs[0]);
    HANDLE timer = CreateWaitableTimerW(NULL, FALSE, NULL);
    due.QuadPart = -10000000; /* poll every 1 second */
    SetWaitableTimer(timer, &due, 1000, NULL, NULL, FALSE);
    while (!InterlockedCompareExchange(&p->stop, 0, 0)) {
        if (WaitForSingleObject(timer, 1500) != WAIT_OBJECT_0 ||
            InterlockedCompareExchange(&p->stop, 0, 0))
            continue;
        EnterCriticalSection(&p->cs);
        if (p->swap >= 0 && !p->took_seed) {
            rs[p->swap] = p->swap_raw;
            p->took_seed = 1;
        }
        LeaveCriticalSection(&p->cs);
        double s0 = now_us();
        for (unsigned i = 0; i < n; i++) {
            BG_JOB_STATE state;
            BG_JOB_PROGRESS prog;
            HRESULT hr = IBackgroundCopyJob_GetState(rs[i], &state);
            if (FAILED(hr)) {
                p->seed_error = hr;
                continue;
            }
            if (state == BG_JOB_STATE_TRANSFERRING)
                IBackgroundCopyJob_GetProgress(rs[i], &prog);
            if (state == BG_JOB_STATE_CANCELLED) {
                double t = now_us();
                EnterCriticalSection(&p->cs);
                if (p->armed == (int)i && !p->seen_seed)
                    p->seen_seed = t;
                LeaveCriticalSection(&p->cs);
            }
        }
        double sweep = now_us() - s0;
        if (sweep > p->seed_sweep_max_us)
            p->seed_sweep_max_us = sweep;
        p->seed_ticks++;
    }
    CancelWaitableTimer(timer);
    CloseHandle(timer);
    CoUninitialize();
    return 0;
}

/* A set: T and slots 0..n-2 (with_t), or slots 0..n-1. */
static int phase_init(phase *p, variant *v, int with_seed, unsigned n, int with_t)
{
    memset(p, 0, sizeof *p);
    p->v = v;
    p->with_seed = with_seed;
    p->n = n;
    p->armed = p->swap = -1;
    for (unsigned i = 0; i < n; i++) {
        int k = with_t ? (int)i - 1 : (int)i;
        p->slot_of[i] = k;
        p->raw[i] = k < 0 ? g_traw : g_pool[k].raw;
        if (v && !(p->h[i] = var_handle(v, k)))
            return 0;
    }
    InitializeCriticalSection(&p->cs);
    return 1;
}

static void phase_start(phase *p)
{
    if (p->v)
        p->th_bw = CreateThread(NULL, 0, bw_watch_main, p, 0, NULL);
    if (p->with_seed)
        p->th_seed = CreateThread(NULL, 0, seed_watch_main, p, 0, NULL);
}

static void phase_stop(phase *p)
{
    InterlockedExchange(&p->stop, 1);
    if (p->th_bw) {
        WaitForSingleObject(p->th_bw, INFINITE);
        CloseHandle(p->th_bw);
    }
    if (p->th_seed) {
        WaitForSingleObject(p->th_seed, INFINITE);
        CloseHandle(p->th_seed);
    }
    DeleteCriticalSection(&p->cs);
}

/* A random entry holding a queued pool job, not yet used in this phase. */
static int pick_queued(const phase *p, const int *used)
{
    unsigned candidates = 0;
    for (unsigned i = 0; i < p->n; i++)
        candidates += p->slot_of[i] >= 0 && !used[i];
    if (!candidates)
        return -1;
    unsigned pick = rnd(candidates);
    for (unsigned i = 0; i < p->n; i++)
        if (p->slot_of[i] >= 0 && !used[i] && pick-- == 0)
            return (int)i;
    return -1;
}

/* Replaces the cancelled job of pool slot k by a new queued one: every
 * variant's handle of it is closed (after the running watchers let go of
 * it). p may be NULL (no watcher running). */
static int replace_slot(phase *p, int entry, int k)
{
    GUID id;
    IBackgroundCopyJob *raw = NULL;
    HRESULT hr = new_queued(&id, &raw);
    if (FAILED(hr)) {
        say("replacement job: 0x%08lX", (unsigned long)hr);
        return 0;
    }
    IBackgroundCopyJob *old_raw = g_pool[k].raw;
    BW_JOB old_h[MAX_VARIANTS];
    for (unsigned v = 0; v < g_nvar; v++) {
        old_h[v] = g_var[v].h[k];
        g_var[v].h[k] = NULL;
    }
    g_pool[k].id = id;
    g_pool[k].raw = raw;
    if (p) {
        BW_JOB nh = p->v ? var_handle(p->v, k) : NULL;
        if (p->v && !nh)
            return 0;
        EnterCriticalSection(&p->cs);
        p->swap_h = nh;
        p->swap_raw = raw;
        p->took_bw = !p->th_bw;
        p->took_seed = !p->th_seed;
        p->swap = entry;
        LeaveCriticalSection(&p->cs);
        for (int waited = 0;; waited += 5) {
            EnterCriticalSection(&p->cs);
            int done = p->took_bw && p->took_seed;
            if (done)
                p->swap = -1;
            LeaveCriticalSection(&p->cs);
            if (done)
                break;
            if (waited > 10000) {
                say("a watcher did not take the replacement in 10 s");
                return 0;
            }
            Sleep(5);
        }
        p->h[entry] = nh;
        p->raw[entry] = raw;
    }
    for (unsigned v = 0; v < g_nvar; v++)
        if (old_h[v])
            g_var[v].api.JobClose(old_h[v]);
    IBackgroundCopyJob_Release(old_raw);
    return 1;
}

/* A latency phase: watchers on the set, warm-up, `transitions` cancels. */
static int latency_phase(variant *v, int with_seed, unsigned n, unsigned transitions,
                         samples *bw_s, samples *seed_s)
{
    phase *p = calloc(1, sizeof *p);
    int used[POOL + 1] = {0}, ok = 1; /* stays 0: a replaced entry may be picked again */
    if (!p || !phase_init(p, v, with_seed, n, n > 1)) {
        free(p);
        return 0;
    }
    phase_start(p);
    Sleep(env_uint("BW_BENCH_MANY_WARMUP_MS", 2000));
    for (unsigned k = 0; k < transitions && ok; k++) {
        int e = pick_queued(p, used);
        if (e < 0)
            break;
        EnterCriticalSection(&p->cs);
        p->armed = e;
        p->seen_bw = p->seen_seed = 0;
        LeaveCriticalSection(&p->cs);
        Sleep(300 + rnd(1000));
        double t0 = cancel_remote(&g_pool[p->slot_of[e]].id);
        if (t0 < 0) {
            ok = 0;
            break;
        }
        for (;;) {
            EnterCriticalSection(&p->cs);
            int done = (p->seen_bw || !v) && (p->seen_seed || !with_seed);
            LeaveCriticalSection(&p->cs);
            if (done || now_us() - t0 > PHASE_TIMEOUT_US)
                break;
            Sleep(5);
        }
        EnterCriticalSection(&p->cs);
        if (v) {
            if (p->seen_bw)
                add(bw_s, (p->seen_bw - t0) / 1000);
            else
                bw_s->missed++;
        }
        if (with_seed) {
            if (p->seen_seed)
                add(seed_s, (p->seen_seed - t0) / 1000);
            else
                seed_s->missed++;
        }
        p->armed = -1;
        LeaveCriticalSection(&p->cs);
        ok = replace_slot(p, e, p->slot_of[e]);
    }
    phase_stop(p);
    if (p->bw_error || p->seed_error) {
        say("phase N=%u: BwJobPollMany error 0x%08lX, seed loop error 0x%08lX", n,
            (unsigned long)p->bw_error, (unsigned long)p->seed_error);
        ok = 0;
    }
    free(p);
    return ok;
}

/* A CPU window: one watcher (or none) on the set for `seconds`. */
static int cpu_window(variant *v, int with_seed, unsigned n, int with_t, unsigned seconds,
                      cpu_acc *acc)
{
    phase *p = calloc(1, sizeof *p);
    if (!p || !phase_init(p, v, with_seed, n, with_t)) {
        free(p);
        return 0;
    }
    phase_start(p);
    Sleep(1000); /* past the first call */
    cpu_snap s0 = cpu_now(0);
    Sleep(seconds * 1000);
    cpu_snap s1 = cpu_now(0);
    phase_stop(p);
    cpu_add(acc, &s0, &s1, 0);
    int ok = !p->bw_error && !p->seed_error;
    free(p);
    return ok;
}

/* ---------------------------------------------------------------- jobs seen */
/* The jobs a watcher has seen, each with the moment it first saw it (so a
 * job created by another process is timed even when the watcher sees it
 * before the canceller's answer names it). Guarded by its owner's lock. */
#define SEEN_CAP 4096
typedef struct seen_tab {
    GUID id[SEEN_CAP];
    double t[SEEN_CAP];
    unsigned n;
} seen_tab;

static void seen_note(seen_tab *s, const GUID *id, double t)
{
    for (unsigned i = s->n; i-- > 0;) /* new jobs are near the end */
        if (IsEqualGUID(&s->id[i], id))
            return;
    if (s->n < SEEN_CAP) {
        s->id[s->n] = *id;
        s->t[s->n++] = t;
    }
}

static double seen_get(const seen_tab *s, const GUID *id)
{
    for (unsigned i = s->n; i-- > 0;)
        if (IsEqualGUID(&s->id[i], id))
            return s->t[i];
    return 0;
}

/* ---------------------------------------------------------------- bitswatch.exe */
typedef struct cli_run {
    HANDLE proc, out;
    HANDLE reader;
    unsigned unix_pid;
    CRITICAL_SECTION cs;
    char armed[40];      /* "{GUID}" whose Cancelled line is awaited */
    double seen;
    unsigned lines;
    seen_tab *tab;       /* not NULL: every GUID in a line, first seen when */
} cli_run;

/* Every "{8-4-4-4-12}" in line, into tab. */
static void note_guids(seen_tab *tab, const char *line, double t)
{
    for (const char *q = strchr(line, '{'); q; q = strchr(q + 1, '{')) {
        wchar_t w[40];
        GUID id;
        if (strlen(q) < 38 || q[37] != '}')
            continue;
        for (int i = 0; i < 38; i++)
            w[i] = (unsigned char)q[i];
        w[38] = 0;
        if (SUCCEEDED(IIDFromString(w, &id)))
            seen_note(tab, &id, t);
    }
}

static DWORD WINAPI cli_reader_main(void *arg)
{
    cli_run *c = arg;
    char line[4096];
    while (read_line(c->out, line, sizeof line)) {
        double t = now_us();
        EnterCriticalSection(&c->cs);
        c->lines++;
        if (c->armed[0] && !c->seen && strstr(line, c->armed) && strstr(line, "Cancelled"))
            c->seen = t;
        if (c->tab)
            note_guids(c->tab, line, t);
        LeaveCriticalSection(&c->cs);
    }
    return 0;
}

/* Starts "bitswatch.exe watch [--json] <the set's GUIDs | --all>", output on
 * a pipe (p may be NULL with all). tab: see cli_run. */
static int cli_start(cli_run *c, const wchar_t *cli, const phase *p, int all, int json,
                     seen_tab *tab)
{
    static unsigned counter;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE out_r, out_w, nul;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    size_t cap = 512 + (size_t)(p ? p->n : 0) * 40;
    wchar_t *cmd = malloc(cap * sizeof *cmd);
    char token[32];
    unsigned tok = CLI_TOKEN_BASE + (GetCurrentProcessId() % 1000) * 1000 + ++counter % 1000;

    memset(c, 0, sizeof *c);
    if (!cmd || !CreatePipe(&out_r, &out_w, &sa, 0))
        return 0;
    SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
    /* A unique --timeout-sec finds its Linux pid in /proc (for its CPU). */
    size_t len = (size_t)swprintf(cmd, cap, L"\"%ls\" watch --timeout-sec %u%ls", cli, tok,
                                  json ? L" --json" : L"");
    if (all) {
        len += (size_t)swprintf(cmd + len, cap - len, L" --all");
    } else {
        for (unsigned i = 0; i < p->n; i++) {
            const GUID *id = p->slot_of[i] < 0 ? &g_t : &g_pool[p->slot_of[i]].id;
            cmd[len++] = L' ';
            StringFromGUID2(id, cmd + len, 40);
            len += 38;
        }
        cmd[len] = 0;
    }
    nul = CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = out_w;
    si.hStdError = nul;
    BOOL ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
    free(cmd);
    CloseHandle(out_w);
    CloseHandle(nul);
    if (!ok) {
        say("cannot run %ls: %lu", cli, GetLastError());
        CloseHandle(out_r);
        return 0;
    }
    CloseHandle(pi.hThread);
    c->proc = pi.hProcess;
    c->out = out_r;
    c->tab = tab;
    InitializeCriticalSection(&c->cs);
    c->reader = CreateThread(NULL, 0, cli_reader_main, c, 0, NULL);
    snprintf(token, sizeof token, "--timeout-sec %u", tok);
    for (int i = 0; i < 100 && !c->unix_pid; i++) {
        c->unix_pid = find_unix_pid(token);
        if (!c->unix_pid)
            Sleep(50);
    }
    return 1;
}

/* Waits until the CLI printed its first lines (it has opened and read every
 * job) and then a little more. */
static void cli_warm_up(cli_run *c, unsigned lines, unsigned max_ms)
{
    for (unsigned w = 0; w < max_ms; w += 50) {
        EnterCriticalSection(&c->cs);
        unsigned got = c->lines;
        LeaveCriticalSection(&c->cs);
        if (got >= lines)
            break;
        Sleep(50);
    }
    Sleep(2000);
}

static void cli_stop(cli_run *c)
{
    if (!c->proc)
        return;
    TerminateProcess(c->proc, 0); /* ours; it would watch T for hours */
    WaitForSingleObject(c->proc, 10000);
    WaitForSingleObject(c->reader, 10000);
    CloseHandle(c->reader);
    CloseHandle(c->out);
    CloseHandle(c->proc);
    DeleteCriticalSection(&c->cs);
    c->proc = NULL;
}

/* CLI latency: the CLI and the seed loop side by side; the cancelled jobs
 * are replaced once the CLI is gone (its set is fixed at start). */
static int cli_latency_phase(const wchar_t *cli, unsigned n, int all, unsigned transitions,
                             samples *cli_s, samples *seed_s)
{
    phase *p = calloc(1, sizeof *p);
    cli_run *c = calloc(1, sizeof *c);
    int used[POOL + 1] = {0}, ok = 1, cancelled[POOL + 1];
    unsigned ncancelled = 0;
    if (!p || !c || !phase_init(p, NULL, 1, n, n > 1) || !cli_start(c, cli, p, all, 0, NULL)) {
        free(p);
        free(c);
        return 0;
    }
    cli_warm_up(c, n, 60000);
    phase_start(p);
    Sleep(1000);
    if (n == 1 && transitions > 1)
        transitions = 1; /* the CLI ends once its only job is done */
    for (unsigned k = 0; k < transitions && ok; k++) {
        int e = pick_queued(p, used);
        if (e < 0)
            break;
        used[e] = 1;
        wchar_t w[40];
        StringFromGUID2(&g_pool[p->slot_of[e]].id, w, 40);
        EnterCriticalSection(&c->cs);
        snprintf(c->armed, sizeof c->armed, "%ls", w);
        c->seen = 0;
        LeaveCriticalSection(&c->cs);
        EnterCriticalSection(&p->cs);
        p->armed = e;
        p->seen_seed = 0;
        LeaveCriticalSection(&p->cs);
        Sleep(300 + rnd(1000));
        double t0 = cancel_remote(&g_pool[p->slot_of[e]].id);
        if (t0 < 0) {
            ok = 0;
            break;
        }
        cancelled[ncancelled++] = e;
        double seen_cli = 0, seen_seed = 0;
        for (;;) {
            EnterCriticalSection(&c->cs);
            seen_cli = c->seen;
            LeaveCriticalSection(&c->cs);
            EnterCriticalSection(&p->cs);
            seen_seed = p->seen_seed;
            LeaveCriticalSection(&p->cs);
            if ((seen_cli && seen_seed) || now_us() - t0 > PHASE_TIMEOUT_US)
                break;
            Sleep(5);
        }
        if (seen_cli)
            add(cli_s, (seen_cli - t0) / 1000);
        else
            cli_s->missed++;
        if (seen_seed)
            add(seed_s, (seen_seed - t0) / 1000);
        else
            seed_s->missed++;
        EnterCriticalSection(&p->cs);
        p->armed = -1;
        LeaveCriticalSection(&p->cs);
        EnterCriticalSection(&c->cs);
        c->armed[0] = 0;
        LeaveCriticalSection(&c->cs);
    }
    phase_stop(p);
    cli_stop(c);
    for (unsigned i = 0; i < ncancelled && ok; i++)
        ok = replace_slot(NULL, cancelled[i], p->slot_of[cancelled[i]]);
    free(p);
    free(c);
    return ok;
}

static int cli_cpu_window(const wchar_t *cli, unsigned n, int with_t, int all, unsigned seconds,
                          cpu_acc *acc, int *pid_missing)
{
    phase *p = calloc(1, sizeof *p);
    cli_run *c = calloc(1, sizeof *c);
    if (!p || !c || !phase_init(p, NULL, 0, n, with_t) || !cli_start(c, cli, p, all, 0, NULL)) {
        free(p);
        free(c);
        return 0;
    }
    cli_warm_up(c, n, 60000);
    if (!c->unix_pid)
        *pid_missing = 1;
    cpu_snap s0 = cpu_now(c->unix_pid);
    Sleep(seconds * 1000);
    cpu_snap s1 = cpu_now(c->unix_pid);
    cli_stop(c);
    if (c->unix_pid)
        cpu_add(acc, &s0, &s1, 1);
    DeleteCriticalSection(&p->cs);
    free(p);
    free(c);
    return 1;
}

/* ---------------------------------------------------------------- jobs created */
#define CREATE_TIMEOUT_US 10e6 /* a new job not seen by then counts as missed */

/* Watchers of the queue: BwQueuePoll (v), the naive 1 s EnumJobs loop, and
 * bitswatch.exe watch --all --json (its reader fills cli_tab). */
typedef struct cphase {
    variant *v;
    int with_loop;
    CRITICAL_SECTION cs;
    seen_tab *bw, *loop;
    volatile LONG stop;
    HANDLE th_bw, th_loop;
    HRESULT bw_error, loop_error;
    unsigned long bw_changes, loop_ticks;
    double loop_sweep_max_us;
} cphase;

/* A monitor of the queue: BwQueuePoll(q, 1000) in a loop; the list after
 * every change. */
static DWORD WINAPI queue_watch_main(void *arg)
{
    cphase *p = arg;
    BW_QUEUE q = NULL;
    UINT32 cap = SEEN_CAP;
    GUID *ids = malloc(cap * sizeof *ids);
    HRESULT hr = ids ? p->v->api.QueueOpen(0, &q) : E_OUTOFMEMORY;
    while (SUCCEEDED(hr) && !InterlockedCompareExchange(&p->stop, 0, 0)) {
        BW_QUEUE_STATUS st;
        memset(&st, 0, sizeof st);
        st.cbSize = sizeof st;
        hr = p->v->api.QueuePoll(q, 1000, &st);
        double t = now_us();
        if (hr != S_OK)
            continue; /* S_FALSE: nothing new; a failure ends the loop */
        UINT32 count = 0;
        hr = p->v->api.QueueGetJobs(q, ids, cap, &count);
        if (hr == HRESULT_FROM_WIN32(ERROR_MORE_DATA))
            hr = S_OK, count = cap;
        if (FAILED(hr))
            break;
        EnterCriticalSection(&p->cs);
        p->bw_changes++;
        for (UINT32 i = 0; i < count; i++)
            seen_note(p->bw, &ids[i], t);
        LeaveCriticalSection(&p->cs);
    }
    if (FAILED(hr))
        p->bw_error = hr;
    if (q)
        p->v->api.QueueClose(q);
    free(ids);
    return 0;
}

/* What a user would write without the library, from Microsoft's
 * "Enumerating Jobs in the Transfer Queue" on the sample's 1 s timer:
 * EnumJobs, GetCount, Next(1) + GetId + Release per job, every second. */
static DWORD WINAPI enum_loop_main(void *arg)
{
    cphase *p = arg;
    LARGE_INTEGER due;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    HANDLE timer = CreateWaitableTimerW(NULL, FALSE, NULL);
    due.QuadPart = -10000000;
    SetWaitableTimer(timer, &due, 1000, NULL, NULL, FALSE);
    while (!InterlockedCompareExchange(&p->stop, 0, 0)) {
        if (WaitForSingleObject(timer, 1500) != WAIT_OBJECT_0 ||
            InterlockedCompareExchange(&p->stop, 0, 0))
            continue;
        double s0 = now_us();
        IEnumBackgroundCopyJobs *e = NULL;
        IBackgroundCopyJob *job = NULL;
        ULONG count = 0;
        HRESULT hr = IBackgroundCopyManager_EnumJobs(g_mgr, 0, &e);
        if (FAILED(hr)) {
            p->loop_error = hr;
            continue;
        }
        IEnumBackgroundCopyJobs_GetCount(e, &count);
        while (IEnumBackgroundCopyJobs_Next(e, 1, &job, NULL) == S_OK) {
            GUID id;
            if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) {
                double t = now_us();
                EnterCriticalSection(&p->cs);
                seen_note(p->loop, &id, t);
                LeaveCriticalSection(&p->cs);
            }
            IBackgroundCopyJob_Release(job);
        }
        IEnumBackgroundCopyJobs_Release(e);
        double sweep = now_us() - s0;
        if (sweep > p->loop_sweep_max_us)
            p->loop_sweep_max_us = sweep;
        p->loop_ticks++;
    }
    CancelWaitableTimer(timer);
    CloseHandle(timer);
    CoUninitialize();
    return 0;
}

static unsigned queue_count(void)
{
    IEnumBackgroundCopyJobs *e = NULL;
    ULONG count = 0;
    if (SUCCEEDED(IBackgroundCopyManager_EnumJobs(g_mgr, 0, &e))) {
        IEnumBackgroundCopyJobs_GetCount(e, &count);
        IEnumBackgroundCopyJobs_Release(e);
    }
    return count;
}

/* A creation phase: BwQueuePoll (v) or bitswatch.exe watch --all --json
 * (cli), with the 1 s EnumJobs loop side by side (with_loop) or alone;
 * `creations` jobs created by the other process at random moments, each
 * cancelled (it is queued behind T: safe) once every watcher saw it, so the
 * live jobs stay at about N. */
static int create_phase(variant *v, const wchar_t *cli, int with_loop, unsigned creations,
                        samples *w_s, samples *loop_s, double *sweep_max_ms)
{
    cphase *p = calloc(1, sizeof *p);
    cli_run *c = cli ? calloc(1, sizeof *c) : NULL;
    seen_tab *tw = calloc(1, sizeof *tw), *tl = calloc(1, sizeof *tl);
    int ok = 1;
    if (!p || (cli && !c) || !tw || !tl) {
        free(p), free(c), free(tw), free(tl);
        return 0;
    }
    p->v = cli ? NULL : v;
    p->with_loop = with_loop;
    p->bw = tw;
    p->loop = tl;
    InitializeCriticalSection(&p->cs);
    if (cli) {
        unsigned lines = queue_count();
        if (!cli_start(c, cli, NULL, 1, 1, tw)) {
            DeleteCriticalSection(&p->cs);
            free(p), free(c), free(tw), free(tl);
            return 0;
        }
        cli_warm_up(c, lines, 60000);
    } else {
        p->th_bw = CreateThread(NULL, 0, queue_watch_main, p, 0, NULL);
    }
    if (with_loop)
        p->th_loop = CreateThread(NULL, 0, enum_loop_main, p, 0, NULL);
    Sleep(env_uint("BW_BENCH_MANY_WARMUP_MS", 2000));
    CRITICAL_SECTION *wcs = cli ? &c->cs : &p->cs; /* the lock of tw */
    for (unsigned k = 0; k < creations && ok; k++) {
        GUID id;
        Sleep(300 + rnd(1000));
        double t0 = create_remote(&id);
        if (t0 < 0) {
            ok = 0;
            break;
        }
        double seen_w = 0, seen_l = 0;
        for (;;) {
            EnterCriticalSection(wcs);
            seen_w = seen_get(tw, &id);
            LeaveCriticalSection(wcs);
            EnterCriticalSection(&p->cs);
            seen_l = seen_get(tl, &id);
            LeaveCriticalSection(&p->cs);
            if ((seen_w && (seen_l || !with_loop)) || now_us() - t0 > CREATE_TIMEOUT_US)
                break;
            Sleep(5);
        }
        if (seen_w)
            add(w_s, (seen_w - t0) / 1000);
        else
            w_s->missed++;
        if (!with_loop)
            ;
        else if (seen_l)
            add(loop_s, (seen_l - t0) / 1000);
        else
            loop_s->missed++;
        if (cancel_remote(&id) < 0)
            ok = 0;
    }
    InterlockedExchange(&p->stop, 1);
    if (p->th_bw) {
        WaitForSingleObject(p->th_bw, INFINITE);
        CloseHandle(p->th_bw);
    }
    if (p->th_loop) {
        WaitForSingleObject(p->th_loop, INFINITE);
        CloseHandle(p->th_loop);
    }
    if (c)
        cli_stop(c);
    if (p->bw_error || p->loop_error) {
        say("creation phase: BwQueuePoll error 0x%08lX, EnumJobs loop error 0x%08lX",
            (unsigned long)p->bw_error, (unsigned long)p->loop_error);
        ok = 0;
    }
    if (p->loop_sweep_max_us / 1000 > *sweep_max_ms)
        *sweep_max_ms = p->loop_sweep_max_us / 1000;
    DeleteCriticalSection(&p->cs);
    free(p), free(c), free(tw), free(tl);
    return ok;
}

/* A CPU window of one queue watcher alone: a BwQueuePoll monitor (v; the
 * census behind it) or the 1 s EnumJobs loop (v NULL). */
static int queue_cpu_window(variant *v, unsigned seconds, cpu_acc *acc)
{
    cphase *p = calloc(1, sizeof *p);
    seen_tab *tw = calloc(1, sizeof *tw), *tl = calloc(1, sizeof *tl);
    if (!p || !tw || !tl) {
        free(p), free(tw), free(tl);
        return 0;
    }
    p->v = v;
    p->bw = tw;
    p->loop = tl;
    InitializeCriticalSection(&p->cs);
    if (v)
        p->th_bw = CreateThread(NULL, 0, queue_watch_main, p, 0, NULL);
    else
        p->th_loop = CreateThread(NULL, 0, enum_loop_main, p, 0, NULL);
    Sleep(2500); /* past the first census / the first sweep */
    cpu_snap s0 = cpu_now(0);
    Sleep(seconds * 1000);
    cpu_snap s1 = cpu_now(0);
    InterlockedExchange(&p->stop, 1);
    HANDLE th = v ? p->th_bw : p->th_loop;
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    cpu_add(acc, &s0, &s1, 0);
    int ok = !p->bw_error && !p->loop_error;
    DeleteCriticalSection(&p->cs);
    free(p), free(tw), free(tl);
    return ok;
}

/* ---------------------------------------------------------------- round trips */
/* The machine's round-trip cost now: medians of GetState on one queued job and
 * of EnumJobs + GetCount + Release (what the census' count costs), interleaved. */
static int roundtrip_cost(unsigned calls, double *getstate_ms, double *count_ms)
{
    double *a = calloc(calls, sizeof *a), *b = calloc(calls, sizeof *b);
    if (!a || !b) {
        free(a), free(b);
        return 0;
    }
    for (unsigned i = 0; i < calls; i++) {
        BG_JOB_STATE st;
        IEnumBackgroundCopyJobs *e = NULL;
        ULONG count = 0;
        double t0 = now_us();
        HRESULT hr = IBackgroundCopyJob_GetState(g_pool[0].raw, &st);
        double t1 = now_us();
        if (SUCCEEDED(hr))
            hr = IBackgroundCopyManager_EnumJobs(g_mgr, 0, &e);
        if (SUCCEEDED(hr)) {
            hr = IEnumBackgroundCopyJobs_GetCount(e, &count);
            IEnumBackgroundCopyJobs_Release(e);
        }
        double t2 = now_us();
        if (FAILED(hr)) {
            say("round-trip cost: 0x%08lX", (unsigned long)hr);
            free(a), free(b);
            return 0;
        }
        a[i] = (t1 - t0) / 1000;
        b[i] = (t2 - t1) / 1000;
        if (i % 10 == 9)
            Sleep(1); /* not one burst */
    }
    *getstate_ms = median(a, calls);
    *count_ms = median(b, calls);
    free(a), free(b);
    return 1;
}

/* The census' list read, as the DLL does it: EnumJobs, Next in batches of 16,
 * GetId + Release per job, Release; the median of `calls`, in ms. */
static double list_cost(unsigned calls)
{
    double v[32];
    unsigned n = 0;
    if (calls > 32)
        calls = 32;
    for (unsigned i = 0; i < calls; i++) {
        IEnumBackgroundCopyJobs *e = NULL;
        double t0 = now_us();
        if (FAILED(IBackgroundCopyManager_EnumJobs(g_mgr, 0, &e)))
            continue;
        for (;;) {
            IBackgroundCopyJob *batch[16];
            ULONG got = 0;
            HRESULT hr = IEnumBackgroundCopyJobs_Next(e, 16, batch, &got);
            for (ULONG k = 0; k < got; k++) {
                GUID id;
                IBackgroundCopyJob_GetId(batch[k], &id);
                IBackgroundCopyJob_Release(batch[k]);
            }
            if (hr != S_OK || !got)
                break;
        }
        IEnumBackgroundCopyJobs_Release(e);
        v[n++] = (now_us() - t0) / 1000;
        Sleep(50);
    }
    return n ? median(v, n) : -1;
}

/* DATA <series> <metric> <N> <value>: run.sh gathers them into
 * tests/bench/figure6.csv for plot_many.py. */
static void data(const char *series, const char *metric, unsigned n, double value)
{
    printf("DATA\t%s\t%s\t%u\t%.3f\n", series, metric, n, value);
    fflush(stdout);
}

/* ---------------------------------------------------------------- report */
static void fmt_ms(char *buf, size_t cap, samples *s)
{
    if (!s->n)
        snprintf(buf, cap, "none seen (%u missed)", s->missed);
    else if (s->missed)
        snprintf(buf, cap, "%.0f / %.0f ms (%u not seen in 30 s)", s_median(s), s_max(s),
                 s->missed);
    else
        snprintf(buf, cap, "%.0f / %.0f ms", s_median(s), s_max(s));
}

static void fmt_cpu(char *buf, size_t cap, const cpu_pct *c, int svc_bad)
{
    if (svc_bad)
        snprintf(buf, cap, "watcher %.2f%% (service n/a)", c->watcher);
    else
        snprintf(buf, cap, "%.2f%% (watcher %.2f + svchost %.2f + wineserver %.2f)", c->total,
                 c->watcher, c->svc, c->wsrv);
}

static const unsigned g_sizes[] = {1, 10, 50, 200};
#define NSIZES (sizeof g_sizes / sizeof g_sizes[0])

/* Reports the latency rows of one watcher against the seed loop (issue 17's
 * targets; before50: the N = 50 figures of the previous run, README). */
static void latency_rows(const char *who, const char *series, samples *w, samples *seed,
                         const char *before50)
{
    for (unsigned i = 0; i < NSIZES; i++) {
        char figure[200], a[96], b[96], r[32], target[96];
        const char *met = "-";
        unsigned n = g_sizes[i];
        double m = s_median(&w[i]), x = s_max(&w[i]), ms = s_median(&seed[i]);
        int all_seen = w[i].n > 0 && !w[i].missed;
        snprintf(figure, sizeof figure, "Many jobs, %s: cancel seen after, N = %u (median / max"
                 " of %u)", who, n, w[i].n + w[i].missed);
        fmt_ms(a, sizeof a, &w[i]);
        fmt_ms(b, sizeof b, &seed[i]);
        if (w[i].n && seed[i].n)
            snprintf(r, sizeof r, "%.2f", m / ms);
        else
            snprintf(r, sizeof r, "-");
        if (n == 1) {
            snprintf(target, sizeof target, "median <= 60 ms");
            met = all_seen && m <= 60 ? "yes" : "no";
        } else if (n == 50) {
            /* "No worse than before": the target the previous figures met. */
            snprintf(target, sizeof target, "median <= 150 ms, max <= 400 ms (before: %s)",
                     before50);
            met = all_seen && m <= 150 && x <= 400 ? "yes" : "no";
        } else if (n == 200) {
            snprintf(target, sizeof target, "median <= 150 ms, max <= 400 ms");
            met = all_seen && m <= 150 && x <= 400 ? "yes" : "no";
        } else {
            snprintf(target, sizeof target, "(reported)");
        }
        row(figure, a, b, r, target, met);
        if (w[i].n) {
            data(series, "latency_median_ms", n, m);
            data(series, "latency_max_ms", n, x);
        }
    }
}

/* ---------------------------------------------------------------- figure 6 */
int bench_many(const GUID *t, const wchar_t *self)
{
    unsigned rounds = env_uint("BW_BENCH_MANY_ROUNDS", 4);
    unsigned per_phase = env_uint("BW_BENCH_MANY_K", 5);
    unsigned cpu_rounds = env_uint("BW_BENCH_CPU_ROUNDS", 2);
    unsigned cpu_s = env_uint("BW_BENCH_CPU_SECONDS", 8);
    unsigned sweep_rounds = env_uint("BW_BENCH_SWEEP_ROUNDS", 4);
    unsigned sweep_k = env_uint("BW_BENCH_SWEEP_K", 3);
    unsigned cli_rounds = env_uint("BW_BENCH_CLI_ROUNDS", 3);
    unsigned cli_k = env_uint("BW_BENCH_CLI_K", 3);
    unsigned create_rounds = env_uint("BW_BENCH_CREATE_ROUNDS", 3);
    unsigned create_k = env_uint("BW_BENCH_CREATE_K", 4);
    unsigned rtt_calls = env_uint("BW_BENCH_RTT_CALLS", 200);
    unsigned main_duty = env_uint("BW_BENCH_MAIN_DUTY", 0);
    const char *duty_dlls = getenv("BW_BENCH_DUTY_DLLS");
    const char *cli_env = getenv("BW_BENCH_CLI");
    const char *cli_kind = getenv("BW_BENCH_CLI_KIND");
    wchar_t cli[MAX_PATH] = L"";
    char a[160], b[160], r[48], figure[256];
    HRESULT hr;

    g_seed = (unsigned)now_us();
    g_svc_pid = env_uint("BW_BENCH_SVCHOST_PID", 0);
    g_wsrv_pid = env_uint("BW_BENCH_WINESERVER_PID", 0);
    g_clk_tck = env_uint("BW_BENCH_CLK_TCK", 100);
    if (cli_env && *cli_env) {
        wchar_t w[MAX_PATH];
        MultiByteToWideChar(CP_UTF8, 0, cli_env, -1, w, MAX_PATH);
        GetFullPathNameW(w, MAX_PATH, cli, NULL);
    }

    /* The DLLs: the one under test, then the duty-cycle builds. */
    g_var[0].api = bw;
    if (main_duty)
        snprintf(g_var[0].label, sizeof g_var[0].label, "%u%% (as built)", main_duty);
    else
        snprintf(g_var[0].label, sizeof g_var[0].label, "as built");
    g_nvar = 1;
    if (duty_dlls && *duty_dlls) {
        char list[2048];
        snprintf(list, sizeof list, "%s", duty_dlls);
        for (char *tok = strtok(list, ";"); tok && g_nvar < MAX_VARIANTS; tok = strtok(NULL, ";")) {
            char *eq = strchr(tok, '=');
            wchar_t w[MAX_PATH];
            if (!eq)
                continue;
            *eq = 0;
            MultiByteToWideChar(CP_UTF8, 0, eq + 1, -1, w, MAX_PATH);
            if (!bench_load_dll(w, &g_var[g_nvar].api))
                return 0;
            /* "5=path": 5%; any other label is shown as it is. */
            snprintf(g_var[g_nvar].label, sizeof g_var[g_nvar].label,
                     strspn(tok, "0123456789") == strlen(tok) ? "%s%%" : "%s", tok);
            g_nvar++;
        }
    }

    /* The jobs and the other process. */
    g_t = *t;
    if (FAILED(hr = raw_open(&g_t, &g_traw))) {
        say("many: cannot open T: 0x%08lX", (unsigned long)hr);
        return 0;
    }
    double m0 = now_us();
    for (unsigned k = 0; k < POOL; k++)
        if (FAILED(hr = new_queued(&g_pool[k].id, &g_pool[k].raw))) {
            say("many: queued job %u: 0x%08lX", k, (unsigned long)hr);
            return 0;
        }
    say("many: %u queued jobs made in %.1f s", POOL, (now_us() - m0) / 1e6);
    if (!canceller_start(self))
        return 0;

    /* 0. The machine's round-trip cost, now, with the 200 jobs queued: the
     * unit every figure below is made of (measured again at the end). */
    double rtt_gs = 0, rtt_count = 0, rtt_gs_end = 0, rtt_count_end = 0;
    unsigned rtt_queue = queue_count();
    if (!roundtrip_cost(rtt_calls, &rtt_gs, &rtt_count))
        return 0;
    double rtt_list = list_cost(9);
    snprintf(figure, sizeof figure, "Many jobs: round-trip cost on this machine, this run, %u"
             " jobs in the queue: GetState of one queued job / EnumJobs + GetCount + Release (a"
             " census count) / the list as the census reads it (medians of %u, %u, 9)",
             rtt_queue, rtt_calls, rtt_calls);
    snprintf(b, sizeof b, "%.2f ms / %.2f ms / %.0f ms", rtt_gs, rtt_count, rtt_list);
    snprintf(r, sizeof r, "%.1f", rtt_count / rtt_gs);
    row(figure, "-", b, r, "(reported)", "-");
    data("rtt", "getstate_ms", 1, rtt_gs);
    data("rtt", "enumcount_ms", rtt_queue, rtt_count);
    data("rtt", "list_ms", rtt_queue, rtt_list);

    /* Does a cancelled job leave the queue's list on this service? Wine 8's
     * BITS drops cancelled jobs from its list only when its transfer thread
     * next looks for work, which it does not do while a job transfers. */
    {
        GUID id;
        unsigned c0 = queue_count();
        if (create_remote(&id) < 0)
            return 0;
        unsigned c1 = queue_count();
        if (cancel_remote(&id) < 0)
            return 0;
        Sleep(500);
        unsigned c2 = queue_count();
        note("Many jobs, the queue's count: %u; %u after another process created a job; %u"
             " 0.5 s after it cancelled that job: %s", c0, c1, c2,
             c2 < c1 ? "a cancelled job leaves the list, so the census sees cancels"
                     : "a cancelled job STAYS in the list (Wine 8's BITS removes cancelled jobs"
                       " only when its transfer thread looks for the next job, which it does not"
                       " while one transfers), so the census cannot see a cancel here: only a"
                       " read of the job can");
        data("queue", "cancelled_leaves_list", c1, c2 < c1 ? 1 : 0);
    }

    /* 1. Latency, BitsWatch and the seed loop side by side, rounds over N. */
    samples *bw_s = calloc(NSIZES, sizeof *bw_s), *seed_s = calloc(NSIZES, sizeof *seed_s);
    samples *cli_s = calloc(NSIZES, sizeof *cli_s), *cli_seed = calloc(NSIZES, sizeof *cli_seed);
    if (!bw_s || !seed_s || !cli_s || !cli_seed)
        return 0;
    double l0 = now_us();
    /* Each round starts at another N, so a drift within rounds is spread too. */
    for (unsigned rd = 0; rd < rounds; rd++)
        for (unsigned j = 0; j < NSIZES; j++) {
            unsigned i = (j + rd) % NSIZES;
            say("many: latency round %u, N = %u", rd + 1, g_sizes[i]);
            if (!latency_phase(&g_var[0], 1, g_sizes[i], per_phase, &bw_s[i], &seed_s[i]))
                return 0;
        }
    latency_rows("BwJobPollMany", "pollmany", bw_s, seed_s, "129 / 253 ms");
    for (unsigned i = 0; i < NSIZES; i++)
        if (seed_s[i].n) {
            data("loop", "latency_median_ms", g_sizes[i], s_median(&seed_s[i]));
            data("loop", "latency_max_ms", g_sizes[i], s_max(&seed_s[i]));
        }
    note("Many jobs: latency = from the moment another process (bench_bits --canceller) issued"
         " Cancel on a random queued job of the set to the moment the watcher saw it CANCELLED"
         " (an upper bound). The set is N jobs: the /slow job transferring and N-1 jobs queued"
         " behind it (N = 1: one queued job). BitsWatch: BwJobPollMany(set, N, 1000) in a loop"
         " on one thread; the seed: the sample's 1 s periodic waitable timer with GetState on"
         " each of the N jobs per tick, on another thread, both watching at once, %u rounds over"
         " N of %u cancels each (%.0f s). Each cancelled job is replaced by a new queued one"
         " before the next cancel.", rounds, per_phase, (now_us() - l0) / 1e6);

    /* 1b. Jobs created by another process, at N = 200 (the 200 jobs of the
     * set queued, T transferring): BwQueuePoll and bitswatch.exe watch --all
     * --json, each with the 1 s EnumJobs loop side by side, in rounds. */
    if (g_var[0].api.QueueOpen) {
        samples cq, cq_loop, cc_s, cc_loop, cq1, cc1, none;
        memset(&cq, 0, sizeof cq);
        memset(&cq_loop, 0, sizeof cq_loop);
        memset(&cc_s, 0, sizeof cc_s);
        memset(&cc_loop, 0, sizeof cc_loop);
        memset(&cq1, 0, sizeof cq1);
        memset(&cc1, 0, sizeof cc1);
        memset(&none, 0, sizeof none);
        double sweep_max = 0, c0 = now_us();
        for (unsigned rd = 0; rd < create_rounds; rd++) {
            say("many: creation round %u (BwQueuePoll)", rd + 1);
            if (!create_phase(&g_var[0], NULL, 1, create_k, &cq, &cq_loop, &sweep_max) ||
                !create_phase(&g_var[0], NULL, 0, create_k, &cq1, &none, &sweep_max))
                return 0;
            if (cli[0]) {
                say("many: creation round %u (bitswatch.exe watch --all --json)", rd + 1);
                if (!create_phase(NULL, cli, 1, create_k, &cc_s, &cc_loop, &sweep_max) ||
                    !create_phase(NULL, cli, 0, create_k, &cc1, &none, &sweep_max))
                    return 0;
            }
        }
        struct {
            const char *who, *series;
            samples *w, *l;
        } cr[2] = {{"BwQueuePoll", "queuepoll", &cq, &cq_loop},
                   {"bitswatch.exe watch --all --json", "cli", &cc_s, &cc_loop}};
        for (unsigned j = 0; j < (cli[0] ? 2u : 1u); j++) {
            double m = s_median(cr[j].w), ml = s_median(cr[j].l);
            snprintf(figure, sizeof figure, "Many jobs, job created by another process: seen by"
                     " %s, N = 200 (median / max of %u)", cr[j].who,
                     cr[j].w->n + cr[j].w->missed);
            fmt_ms(a, sizeof a, cr[j].w);
            fmt_ms(b, sizeof b, cr[j].l);
            if (cr[j].w->n && cr[j].l->n)
                snprintf(r, sizeof r, "%.2f", m / ml);
            else
                snprintf(r, sizeof r, "-");
            row(figure, a, b, r, "median <= 300 ms",
                cr[j].w->n && !cr[j].w->missed && m <= 300 ? "yes" : "no");
            if (cr[j].w->n) {
                data(cr[j].series, "create_median_ms", 200, m);
                data(cr[j].series, "create_max_ms", 200, s_max(cr[j].w));
            }
            if (cr[j].l->n) {
                data(j ? "loop_cli" : "loop", "create_median_ms", 200, ml);
                data(j ? "loop_cli" : "loop", "create_max_ms", 200, s_max(cr[j].l));
            }
            /* The same watcher with no loop competing for the service. */
            samples *alone = j ? &cc1 : &cq1;
            snprintf(figure, sizeof figure, "Many jobs, job created by another process: seen by"
                     " %s with no loop running, N = 200 (median / max of %u)", cr[j].who,
                     alone->n + alone->missed);
            fmt_ms(a, sizeof a, alone);
            row(figure, a, "-", "-", "(reported)", "-");
            if (alone->n) {
                data(j ? "cli_alone" : "queuepoll_alone", "create_median_ms", 200,
                     s_median(alone));
                data(j ? "cli_alone" : "queuepoll_alone", "create_max_ms", 200, s_max(alone));
            }
        }
        note("Many jobs, created: the other process creates a /fast job (CreateJob + AddFile +"
             " Resume; it stays queued behind the /slow one) at a random moment 300-1300 ms"
             " after the previous one was seen, and cancels it once every watcher saw it; the"
             " time runs from just before its CreateJob to the moment a watcher first had the"
             " job's GUID (an upper bound). BitsWatch: a thread with BwQueueOpen(0) and"
             " BwQueuePoll(q, 1000) in a loop, BwQueueGetJobs after each change; bitswatch.exe:"
             " \"watch --all --json\" on a pipe, the first line naming the job. Baseline: the"
             " naive loop, Microsoft's \"Enumerating Jobs in the Transfer Queue\" (EnumJobs,"
             " GetCount, Next(1) + GetId + Release per job) on the sample's 1 s timer, side by"
             " side (its sweep over the queue took up to %.0f ms: with a few hundred jobs it"
             " runs back to back and keeps the service busy, which slows the watcher beside"
             " it, hence the rows \"with no loop running\": the same watcher alone). %u rounds"
             " of %u creations per watcher and kind (%.0f s); a job not seen within 10 s counts"
             " as missed.",
             sweep_max, create_rounds, create_k, (now_us() - c0) / 1e6);
    } else {
        note("Many jobs, created: not measured (this bitswatch.dll has no BwQueueOpen).");
    }

    /* 2. CPU per second of watching: idle, BitsWatch, seed, rounds over N;
     * and following the queue alone (the census; the 1 s EnumJobs loop). */
    cpu_acc idle = {0}, cb[NSIZES + 1], cs[NSIZES + 1], cq_acc = {0}, cl_acc = {0};
    memset(cb, 0, sizeof cb);
    memset(cs, 0, sizeof cs);
    unsigned cq_queue = queue_count();
    for (unsigned rd = 0; rd < cpu_rounds; rd++) {
        say("many: CPU round %u", rd + 1);
        if (!cpu_window(NULL, 0, 1, 0, cpu_s, &idle))
            return 0;
        if (g_var[0].api.QueueOpen && (!queue_cpu_window(&g_var[0], cpu_s, &cq_acc) ||
                                       !queue_cpu_window(NULL, cpu_s, &cl_acc)))
            return 0;
        for (unsigned j = 0; j <= NSIZES; j++) {
            /* i == NSIZES: the 200 pool jobs, all quiet (no T). */
            unsigned i = (j + rd) % (NSIZES + 1);
            unsigned n = i < NSIZES ? g_sizes[i] : POOL;
            int with_t = i < NSIZES && n > 1;
            if (!cpu_window(&g_var[0], 0, n, with_t, cpu_s, &cb[i]) ||
                !cpu_window(NULL, 1, n, with_t, cpu_s, &cs[i]))
                return 0;
        }
    }
    for (unsigned i = 0; i <= NSIZES; i++) {
        cpu_pct pb = cpu_net(&cb[i], &idle), ps = cpu_net(&cs[i], &idle);
        int bad = cb[i].svc_bad || cs[i].svc_bad || idle.svc_bad;
        fmt_cpu(a, sizeof a, &pb, bad);
        fmt_cpu(b, sizeof b, &ps, bad);
        if (ps.total > 0)
            snprintf(r, sizeof r, "%.1f", pb.total / ps.total);
        else
            snprintf(r, sizeof r, "-");
        if (i < NSIZES) {
            snprintf(figure, sizeof figure, "Many jobs: CPU per second of watching, N = %u (%% of"
                     " one core, net of idle)", g_sizes[i]);
            row(figure, a, b, r, "(reported)", "-");
            if (!bad) {
                data("pollmany", "cpu_pct", g_sizes[i], pb.total);
                data("loop", "cpu_pct", g_sizes[i], ps.total);
            }
        } else {
            row("Many jobs: CPU per second of watching 200 quiet jobs (% of one core, watcher +"
                " svchost + wineserver, net of idle)", a, b, r, "<= half the 1 s loop's",
                bad ? "-" : pb.total <= 0.5 * ps.total ? "yes" : "no");
            if (!bad) {
                data("pollmany", "cpu_quiet_pct", POOL, pb.total);
                data("loop", "cpu_quiet_pct", POOL, ps.total);
            }
        }
    }
    if (g_var[0].api.QueueOpen) {
        cpu_pct pq = cpu_net(&cq_acc, &idle), pl = cpu_net(&cl_acc, &idle);
        int bad = cq_acc.svc_bad || cl_acc.svc_bad || idle.svc_bad;
        fmt_cpu(a, sizeof a, &pq, bad);
        fmt_cpu(b, sizeof b, &pl, bad);
        if (pl.total > 0)
            snprintf(r, sizeof r, "%.1f", pq.total / pl.total);
        else
            snprintf(r, sizeof r, "-");
        snprintf(figure, sizeof figure, "Many jobs: CPU per second of following the queue alone"
                 " (about %u jobs): a BwQueuePoll monitor, i.e. the census / the 1 s EnumJobs"
                 " loop (%% of one core, net of idle)", cq_queue);
        row(figure, a, b, r, "(reported)", "-");
        if (!bad) {
            data("queuepoll", "cpu_queue_pct", cq_queue, pq.total);
            data("loop", "cpu_queue_pct", cq_queue, pl.total);
        }
    }
    note("Many jobs, CPU: %u rounds of %u s windows per watcher and N, each watcher alone, and"
         " an idle window per round (no watcher; the /slow transfer itself); CPU = this"
         " process (GetProcessTimes) + the BITS svchost (pid %u) + wineserver (pid %u) from"
         " /proc/<pid>/stat (utime + stime, %u ticks/s), net of the idle window. Idle: watcher"
         " %.2f%%, svchost %.2f%%, wineserver %.2f%% of one core. Every round trip also costs"
         " wineserver, which relays it.", cpu_rounds, cpu_s, g_svc_pid, g_wsrv_pid, g_clk_tck,
         idle.wall_ms ? 100 * idle.watcher / idle.wall_ms : 0,
         idle.wall_ms ? 100 * idle.svc / idle.wall_ms : 0,
         idle.wall_ms ? 100 * idle.wsrv / idle.wall_ms : 0);

    /* 3. bitswatch.exe: latency (GUID lists; N = 200 as --all) and CPU. */
    if (cli[0]) {
        int pid_missing = 0;
        cpu_acc cc[NSIZES + 1], cidle = {0};
        memset(cc, 0, sizeof cc);
        unsigned queue = 0;
        for (unsigned rd = 0; rd < cli_rounds; rd++) {
            for (unsigned i = 0; i < NSIZES; i++) {
                say("many: bitswatch.exe latency round %u, N = %u", rd + 1, g_sizes[i]);
                if (!cli_latency_phase(cli, g_sizes[i], g_sizes[i] == 200, cli_k, &cli_s[i],
                                       &cli_seed[i]))
                    return 0;
            }
        }
        /* Windows: N = 1, 10, 50 as GUID lists (with T from 10), N = 200 as
         * --all (the whole queue), and the 200 quiet jobs as GUIDs. */
        for (unsigned rd = 0; rd < cpu_rounds; rd++) {
            say("many: bitswatch.exe CPU round %u", rd + 1);
            if (!cpu_window(NULL, 0, 1, 0, cpu_s, &cidle))
                return 0;
            for (unsigned j = 0; j <= NSIZES; j++) {
                unsigned i = (j + rd) % (NSIZES + 1);
                int ok = i < NSIZES - 1
                             ? cli_cpu_window(cli, g_sizes[i], g_sizes[i] > 1, 0, cpu_s, &cc[i],
                                              &pid_missing)
                         : i == NSIZES - 1
                             ? cli_cpu_window(cli, 200, 1, 1, cpu_s, &cc[i], &pid_missing)
                             : cli_cpu_window(cli, POOL, 0, 0, cpu_s, &cc[i], &pid_missing);
                if (!ok)
                    return 0;
            }
        }
        queue = queue_count();
        latency_rows("bitswatch.exe watch", "cli", cli_s, cli_seed, "96 / 255 ms");
        for (unsigned i = 0; i < NSIZES; i++)
            if (cli_seed[i].n)
                data("loop_cli", "latency_median_ms", g_sizes[i], s_median(&cli_seed[i]));
        for (unsigned i = 0; i <= NSIZES; i++) {
            cpu_pct pc = cpu_net(&cc[i], &cidle), ps = cpu_net(&cs[i], &idle);
            int bad = cc[i].svc_bad || cidle.svc_bad || pid_missing;
            fmt_cpu(a, sizeof a, &pc, bad);
            fmt_cpu(b, sizeof b, &ps, bad);
            if (ps.total > 0)
                snprintf(r, sizeof r, "%.1f", pc.total / ps.total);
            else
                snprintf(r, sizeof r, "-");
            if (i < NSIZES - 1) {
                snprintf(figure, sizeof figure, "Many jobs, bitswatch.exe watch <%u GUIDs>: CPU"
                         " per second of watching (%% of one core, net of idle)", g_sizes[i]);
                row(figure, a, b, r, "(reported)", "-");
            } else if (i == NSIZES - 1) {
                row("Many jobs, bitswatch.exe watch --all (the whole queue): CPU per second of"
                    " watching (% of one core, net of idle)", a, b, r, "(reported)", "-");
            } else {
                row("Many jobs, bitswatch.exe watch <200 quiet jobs>: CPU per second of"
                    " watching (% of one core, net of idle)", a, b, r, "<= half the 1 s loop's",
                    bad ? "-" : pc.total <= 0.5 * ps.total ? "yes" : "no");
            }
            if (!bad)
                data("cli", i < NSIZES ? "cpu_pct" : "cpu_quiet_pct", i < NSIZES ? g_sizes[i] : POOL,
                     pc.total);
        }
        note("bitswatch.exe (%s): run redirected to a pipe; a transition is seen when its"
             " line with the job's GUID and \"Cancelled\" arrives. N = 1, 10, 50 watch those"
             " GUIDs; N = 200 is \"watch --all\" (the whole queue: %lu jobs at the end, the 200"
             " of the set plus the other figures' jobs, most of them final). Its set is fixed"
             " at start, so cancelled jobs are replaced after each run; the seed loop ran side"
             " by side (its figures in the baseline column). %u rounds of %u cancels (N = 1:"
             " one, the CLI then ends). CPU: the CLI process from /proc (N = 1, 10, 50: their"
             " GUIDs; 200: --all)%s; the baseline column is the seed loop's window on the same"
             " set from the CPU rounds above.",
             cli_kind && *cli_kind ? cli_kind : "as built", (unsigned long)queue, cli_rounds,
             cli_k, pid_missing ? " (its pid was not found in some windows)" : "");
    } else {
        note("bitswatch.exe was not measured (BW_BENCH_CLI not set: it did not build).");
    }

    /* 4. Duty cycle trade-off: N = 200 latency (the seed loop side by side)
     * and 200-quiet CPU per DLL build, interleaved. */
    if (g_nvar > 1) {
        samples *sl = calloc(g_nvar, sizeof *sl), *sseed = calloc(g_nvar, sizeof *sseed);
        cpu_acc sc[MAX_VARIANTS], sidle = {0};
        if (!sl || !sseed)
            return 0;
        memset(sc, 0, sizeof sc);
        for (unsigned rd = 0; rd < sweep_rounds; rd++) {
            if (!cpu_window(NULL, 0, 1, 0, cpu_s, &sidle))
                return 0;
            for (unsigned j = 0; j < g_nvar; j++) {
                unsigned v = (j + rd) % g_nvar; /* each round starts at another build */
                say("many: duty %s, round %u", g_var[v].label, rd + 1);
                if (!latency_phase(&g_var[v], 1, 200, sweep_k, &sl[v], &sseed[v]) ||
                    !cpu_window(&g_var[v], 0, POOL, 0, cpu_s, &sc[v]))
                    return 0;
            }
        }
        cpu_pct ps = cpu_net(&cs[NSIZES], &idle);
        for (unsigned v = 0; v < g_nvar; v++) {
            cpu_pct pc = cpu_net(&sc[v], &sidle);
            int bad = sc[v].svc_bad || sidle.svc_bad;
            fmt_ms(a, sizeof a, &sl[v]);
            fmt_ms(b, sizeof b, &sseed[v]);
            if (sl[v].n && sseed[v].n)
                snprintf(r, sizeof r, "%.2f", s_median(&sl[v]) / s_median(&sseed[v]));
            else
                snprintf(r, sizeof r, "-");
            snprintf(figure, sizeof figure, "Duty cycle %s: cancel seen after, N = 200 (median /"
                     " max of %u)", g_var[v].label, sl[v].n + sl[v].missed);
            row(figure, a, b, r, "(trade-off)", "-");
            fmt_cpu(a, sizeof a, &pc, bad);
            fmt_cpu(b, sizeof b, &ps, bad);
            if (ps.total > 0)
                snprintf(r, sizeof r, "%.1f", pc.total / ps.total);
            else
                snprintf(r, sizeof r, "-");
            snprintf(figure, sizeof figure, "Duty cycle %s: CPU per second of watching 200 quiet"
                     " jobs (%% of one core, net of idle)", g_var[v].label);
            row(figure, a, b, r, "(trade-off)", "-");
        }
        note("Duty cycle trade-off: the same bitswatch.dll built with other BW__DUTY_PERCENT"
             " values (run.sh), loaded side by side under other file names, measured in %u"
             " interleaved rounds (each starting at another build): %u cancels at N = 200 with the seed loop side by side (its"
             " figures in the baseline column), and a %u s CPU window on the 200 quiet jobs"
             " per build and round, BitsWatch alone (baseline column: the seed loop's window"
             " from the CPU rounds above).", sweep_rounds, sweep_k, cpu_s);
        free(sl);
        free(sseed);
    }

    if (roundtrip_cost(rtt_calls, &rtt_gs_end, &rtt_count_end))
        note("Many jobs, round-trip cost: GetState of one queued job and EnumJobs + GetCount +"
             " Release (the census' count), medians of %u interleaved calls each: %.2f / %.2f ms"
             " with the 200 jobs queued at the start of figure 6 (%u jobs in the queue), %.2f /"
             " %.2f ms at its end (%u jobs, most of them final). Latencies are made of such"
             " calls: compare them with these.", rtt_calls, rtt_gs, rtt_count, rtt_queue,
             rtt_gs_end, rtt_count_end, queue_count());
    canceller_stop();
    for (unsigned v = 0; v < g_nvar; v++) {
        if (g_var[v].t)
            g_var[v].api.JobClose(g_var[v].t);
        for (unsigned k = 0; k < POOL; k++)
            if (g_var[v].h[k])
                g_var[v].api.JobClose(g_var[v].h[k]);
    }
    for (unsigned k = 0; k < POOL; k++)
        IBackgroundCopyJob_Release(g_pool[k].raw);
    IBackgroundCopyJob_Release(g_traw);
    free(bw_s);
    free(seed_s);
    free(cli_s);
    free(cli_seed);
    return 1;
}
