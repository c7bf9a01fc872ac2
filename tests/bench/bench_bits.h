/*
 * bench_bits.h - what bench_bits.c (figures 1-5) and bench_many.c (figure 6:
 * watching many jobs) share: the DLL's exports, the BITS manager, the output
 * lines for run.sh, clocks and small statistics.
 */
#ifndef BENCH_BITS_H
#define BENCH_BITS_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef COBJMACROS
#define COBJMACROS
#endif
#include <windows.h>
#include <objbase.h>
#include <bits.h>

#include "bitswatch.h"

typedef UINT32(BWAPI *PFN_BwGetVersion)(void);
typedef HRESULT(BWAPI *PFN_BwJobOpenById)(const GUID *jobId, BW_JOB *job);
typedef HRESULT(BWAPI *PFN_BwJobClose)(BW_JOB job);
typedef HRESULT(BWAPI *PFN_BwJobPoll)(BW_JOB job, UINT32 timeoutMs, BW_STATUS *status);
typedef HRESULT(BWAPI *PFN_BwJobPollMany)(const BW_JOB *jobs, UINT32 count, UINT32 timeoutMs,
                                          BW_STATUS *statuses, HRESULT *results,
                                          UINT32 *changedCount);
typedef HRESULT(BWAPI *PFN_BwQueueOpen)(UINT32 flags, BW_QUEUE *queue);
typedef HRESULT(BWAPI *PFN_BwQueuePoll)(BW_QUEUE queue, UINT32 timeoutMs,
                                        BW_QUEUE_STATUS *status);
typedef HRESULT(BWAPI *PFN_BwQueueGetJobs)(BW_QUEUE queue, GUID *ids, UINT32 capacity,
                                           UINT32 *count);
typedef HRESULT(BWAPI *PFN_BwQueueClose)(BW_QUEUE queue);

/* The exports of the bitswatch.dll under test (argv[1]). The queue functions
 * (version 0.2) are NULL in a DLL without them (figure 6 then skips its
 * "job created" rows). */
typedef struct bench_api {
    PFN_BwGetVersion GetVersion;
    PFN_BwJobOpenById JobOpenById;
    PFN_BwJobClose JobClose;
    PFN_BwJobPoll JobPoll;
    PFN_BwJobPollMany JobPollMany;
    PFN_BwQueueOpen QueueOpen;
    PFN_BwQueuePoll QueuePoll;
    PFN_BwQueueGetJobs QueueGetJobs;
    PFN_BwQueueClose QueueClose;
} bench_api;

extern bench_api bw;
extern IBackgroundCopyManager *g_mgr; /* this process' manager proxy (MTA) */
extern wchar_t g_http[512];           /* the loopback server's base URL */

/* Loads a bitswatch.dll by full path (as P/Invoke does) into api. */
int bench_load_dll(const wchar_t *path, bench_api *api);

double now_us(void); /* QueryPerformanceCounter: one clock for every process */
unsigned env_uint(const char *name, unsigned dflt);

/* ROW <figure> <bitswatch> <baseline> <ratio> <target> <met: yes|no|->; NOTE <text>. */
void row(const char *figure, const char *bwv, const char *base, const char *ratio,
         const char *target, const char *met);
void note(const char *fmt, ...);
void say(const char *fmt, ...); /* progress, on stderr */

double median(double *v, unsigned n); /* sorts v */
double mean(const double *v, unsigned n);
BW_STATUS status_new(void);
const char *state_name(UINT32 s);

/* CreateJob + AddFile + Resume of g_http + path; *job keeps the creator's proxy. */
HRESULT create_job(const wchar_t *path, GUID *id, IBackgroundCopyJob **job);
/* A second, independent proxy, as a user's own program would hold. */
HRESULT raw_open(const GUID *id, IBackgroundCopyJob **job);

/* Figure 6 (bench_many.c): t is the job transferring for hours (the queue's
 * head), self the path of this program (run again as the canceller). */
int bench_many(const GUID *t, const wchar_t *self);
/* "bench_bits --canceller <http base url>": the other process that cancels
 * and creates jobs (bench_many.c). */
int canceller_main(void);

#endif /* BENCH_BITS_H */
