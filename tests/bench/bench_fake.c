/*
 * bench_fake - the native part of the BitsWatch benchmarks (tests/bench/run.sh).
 *
 * Runs the portable core (the same code as in bitswatch.dll) on top of the
 * scripted fake backend of the unit tests, whose counters count every backend
 * call = every COM round trip the real backend would make.
 *
 *  1. Round trips per steady-state BwJobPoll(job, 0): a transferring job (its
 *     bytes move between polls) and jobs that are not moving (queued, in error,
 *     transferred), against the raw loop (GetState + GetProgress through the
 *     same counting backend).
 *  5. Memory: RSS growth over 1,000,000 polls (the bytes change on every poll,
 *     so every poll records a change and feeds the rate).
 *
 * Output: one line per figure, tab-separated, for run.sh:
 *   ROW <figure> <bitswatch> <baseline> <ratio> <target> <met: yes|no>
 *   NOTE <text>
 * Exit code: 0 when every target was met, 1 otherwise, 2 on a setup error.
 * Optional argument: the number of polls of the memory run (default 1000000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "fake_backend.h"

static int g_missed;

static void row(const char *figure, const char *bw, const char *base, const char *ratio,
                const char *target, int met)
{
    printf("ROW\t%s\t%s\t%s\t%s\t%s\t%s\n", figure, bw, base, ratio, target, met ? "yes" : "no");
    if (!met)
        g_missed = 1;
}

/* Anonymous resident memory (heap, stacks: where a leak would show) in KiB,
 * read with plain syscalls into a stack buffer (stdio would allocate a buffer
 * of its own between the two readings). File-backed pages are left out: the
 * kernel maps code pages in 64 KiB fault-around batches as they are first
 * run, which moves the total RSS by 64-128 KiB from run to run. */
static long rss_kib(const char *field)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    const char *p = strstr(buf, field);
    long kib = -1;
    if (!p || sscanf(p + strlen(field), " %ld", &kib) != 1)
        return -1;
    return kib;
}

static BW_STATUS status_new(void)
{
    BW_STATUS st;
    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    return st;
}

/* Round trips per steady-state poll of one job in `state`, BitsWatch and the
 * raw loop, each over `polls` polls after a first poll. For a moving job the
 * bytes advance before every poll. */
static int round_trips(const char *label, UINT32 state, int moving, double target_max,
                       unsigned polls)
{
    const bw__backend *be;
    fake_job *j;
    WCHAR id[40];
    BW_JOB h = NULL;
    bw__bjob *raw = NULL;
    UINT32 type = 0;
    UINT64 bytes = 0;
    char figure[160], a[32], b[32], r[32], t[64];

    fake_backend_install();
    be = bw__backend_get();
    j = fake_job_add(BW_TYPE_DOWNLOAD);
    fake_job_set_state(j, state);
    fake_job_set_bytes(j, moving ? 100000000u : 4096u, state == BW_STATE_TRANSFERRED ? 4096u : 0u);
    if (state == BW_STATE_ERROR) {
        j->error_code = (HRESULT)0x80190194L; /* BG_E_HTTP_ERROR_404 */
        j->error_context = BW_CONTEXT_REMOTE_FILE;
    }
    fake_job_guid_text(j, id);
    if (FAILED(BwJobOpen(id, &h)) || FAILED(be->open_job(&j->id, &raw, &type))) {
        fprintf(stderr, "bench_fake: cannot open the fake job\n");
        return 0;
    }

    /* BitsWatch: the first poll reads everything; count the ones after. */
    BW_STATUS st = status_new();
    BwJobPoll(h, 0, &st);
    fake_job_reset_counters(j);
    for (unsigned i = 0; i < polls; i++) {
        if (moving)
            fake_job_set_bytes(j, 100000000u, bytes += 4096);
        st = status_new();
        if (FAILED(BwJobPoll(h, 0, &st)) || st.State != state) {
            fprintf(stderr, "bench_fake: poll failed\n");
            return 0;
        }
    }
    double bw_rt = (double)fake_round_trips(j) / polls;

    /* The raw loop: GetState + GetProgress on every tick. */
    fake_job_reset_counters(j);
    for (unsigned i = 0; i < polls; i++) {
        UINT32 s;
        bw__progress p;
        if (moving)
            fake_job_set_bytes(j, 100000000u, bytes += 4096);
        be->get_state(raw, &s);
        be->get_progress(raw, &p);
    }
    double raw_rt = (double)fake_round_trips(j) / polls;

    be->close_job(raw);
    BwJobClose(h);
    fake_backend_uninstall();

    snprintf(figure, sizeof figure, "Round trips per poll, %s (fake backend, native)", label);
    snprintf(a, sizeof a, "%.2f", bw_rt);
    snprintf(b, sizeof b, "%.2f", raw_rt);
    snprintf(r, sizeof r, "%.2f", raw_rt > 0 ? bw_rt / raw_rt : 0.0);
    snprintf(t, sizeof t, target_max >= 2 ? "<= %.0f" : "%.0f", target_max);
    row(figure, a, b, r, t, bw_rt <= target_max + 1e-9);
    return 1;
}

static int memory(unsigned long polls)
{
    WCHAR id[40];
    BW_JOB h = NULL;
    UINT64 bytes = 0;
    char figure[160], a[96], t[32];

    fake_backend_install();
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    fake_job_set_state(j, BW_STATE_TRANSFERRING);
    fake_job_guid_text(j, id);
    if (FAILED(BwJobOpen(id, &h))) {
        fprintf(stderr, "bench_fake: cannot open the fake job\n");
        return 0;
    }
    /* Warm up: the handle table, the rate window and libc's arenas settle. */
    for (unsigned i = 0; i < 10000; i++) {
        BW_STATUS st = status_new();
        fake_job_set_bytes(j, BW_SIZE_UNKNOWN, bytes += 512);
        BwJobPoll(h, 0, &st);
    }
    long before = rss_kib("RssAnon:"), before_all = rss_kib("VmRSS:");
    for (unsigned long i = 0; i < polls; i++) {
        BW_STATUS st = status_new();
        fake_job_set_bytes(j, BW_SIZE_UNKNOWN, bytes += 512);
        if (FAILED(BwJobPoll(h, 0, &st))) {
            fprintf(stderr, "bench_fake: poll failed\n");
            return 0;
        }
    }
    long after = rss_kib("RssAnon:"), after_all = rss_kib("VmRSS:");
    BwJobClose(h);
    fake_backend_uninstall();
    if (before < 0 || after < 0) {
        fprintf(stderr, "bench_fake: cannot read /proc/self/statm\n");
        return 0;
    }
    long growth = after - before;
    snprintf(figure, sizeof figure, "Anonymous RSS growth over %lu polls (fake backend, native)",
             polls);
    snprintf(a, sizeof a, "%ld KiB (%ld -> %ld)", growth, before, after);
    printf("NOTE\tMemory (native): RssAnon %ld -> %ld KiB, total VmRSS %ld -> %ld KiB over %lu"
           " polls after 10000 warm-up polls; file-backed pages excluded from the figure (code"
           " pages fault in in 64 KiB batches).\n", before, after, before_all, after_all, polls);
    snprintf(t, sizeof t, "< 64 KiB");
    row(figure, a, "-", "-", t, growth < 64);
    return 1;
}

int main(int argc, char **argv)
{
    unsigned long mem_polls = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000ul;
    const unsigned polls = 10000;

    printf("NOTE\tRound trips: backend calls counted by the unit tests' fake backend, per"
           " steady-state BwJobPoll(job, 0) (after the first poll), against the raw loop"
           " (GetState + GetProgress) through the same counters; %u polls each.\n", polls);
    if (!round_trips("transferring", BW_STATE_TRANSFERRING, 1, 2, polls) ||
        !round_trips("queued", BW_STATE_QUEUED, 0, 1, polls) ||
        !round_trips("in error", BW_STATE_ERROR, 0, 1, polls) ||
        !round_trips("transferred", BW_STATE_TRANSFERRED, 0, 1, polls) ||
        !memory(mem_polls))
        return 2;
    return g_missed;
}
