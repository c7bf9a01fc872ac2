/*
 * fake_jobs.c - makes libbitswatch.so (the native core + the fake backend) a
 * library that mono can call as "bitswatch.dll": at load time it installs the
 * fake with three scripted jobs, and it counts the core's heap blocks (the
 * library is linked with --wrap=malloc,calloc,realloc,free) so the C# test can
 * see that every string the library handed out was freed.
 *
 * Jobs (GUID {00000000-0000-0000-0000-0000000000nn}):
 *   01 download, TRANSFERRING, 12.5 MB of 40 MB, 1 of 3 files, with info
 *   02 upload-reply, TRANSFERRED, reply 250 of 1000 bytes
 *   03 download, ERROR, HTTP 404 in the remote file, with error strings
 * The fake answers the queue's census (count_jobs), and two more test hooks
 * let the C# test make jobs arrive and leave (another program's doing).
 */
#include <stdlib.h>

#include "fake_backend.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static long g_live; /* heap blocks the core holds; atomic */

void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);
    if (p)
        __atomic_add_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    void *p = __real_calloc(n, size);
    if (p)
        __atomic_add_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    void *p = __real_realloc(old, n);
    if (!old && p)
        __atomic_add_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
    else if (old && !p && n == 0)
        __atomic_sub_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
    return p;
}

void __wrap_free(void *p)
{
    if (p)
        __atomic_sub_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
    __real_free(p);
}

/* Test-only exports (not in the .def): the live block count, and a way to
 * change job 01 while the test runs. */
__attribute__((visibility("default"))) long BwTestLiveBlocks(void)
{
    return __atomic_load_n(&g_live, __ATOMIC_SEQ_CST);
}

static fake_job *g_job1;
static fake_job *g_jobs[FAKE_MAX_JOBS]; /* by number - 1 */
static unsigned g_njobs;

static fake_job *remember(fake_job *j)
{
    if (g_njobs < FAKE_MAX_JOBS)
        g_jobs[g_njobs++] = j;
    return j;
}

/* Another program creates a download job: its number nn (GUID
 * {00000000-0000-0000-0000-0000000000nn}), 0 when the fake is full. */
__attribute__((visibility("default"))) UINT32 BwTestJobArrive(void)
{
    if (g_njobs >= FAKE_MAX_JOBS)
        return 0;
    remember(fake_job_arrive(BW_TYPE_DOWNLOAD));
    return g_njobs;
}

/* Another program cancels (state 8) or completes (7) job nn: it leaves the
 * queue's list and count; its handles read that state. */
__attribute__((visibility("default"))) void BwTestJobLeave(UINT32 nn, UINT32 state)
{
    if (nn >= 1 && nn <= g_njobs)
        fake_job_leave(g_jobs[nn - 1], state);
}

__attribute__((visibility("default"))) void BwTestSetBytes(UINT64 total, UINT64 transferred)
{
    fake_job_set_bytes(g_job1, total, transferred);
}

__attribute__((constructor)) static void install_fake_jobs(void)
{
    fake_backend_install();
    fake_census = 1;

    fake_job *j = remember(fake_job_add(BW_TYPE_DOWNLOAD));
    j->state = BW_STATE_TRANSFERRING;
    j->progress.bytes_total = 40000000;
    j->progress.bytes_transferred = 12500000;
    j->progress.files_total = 3;
    j->progress.files_transferred = 1;
    j->display_name = "Nightly build";
    j->description = "Downloads the nightly build";
    j->owner = "CONTOSO\\builder";
    j->priority = 2;
    j->error_count = 1;
    j->creation_time = 133500000000000000ull; /* 2024-01-20 */
    j->modification_time = 133500000600000000ull;
    g_job1 = j;

    j = remember(fake_job_add(BW_TYPE_UPLOAD_REPLY));
    j->state = BW_STATE_TRANSFERRED;
    j->progress.bytes_total = 2048;
    j->progress.bytes_transferred = 2048;
    j->progress.files_total = 1;
    j->progress.files_transferred = 1;
    j->reply_total = 1000;
    j->reply_transferred = 250;

    j = remember(fake_job_add(BW_TYPE_DOWNLOAD));
    j->state = BW_STATE_ERROR;
    j->error_code = (HRESULT)0x80190194; /* HTTP 404 */
    j->error_context = BW_CONTEXT_REMOTE_FILE;
    j->error_description = "The requested URL does not exist on the server.";
    j->error_remote_name = "http://example.invalid/missing.bin";
    j->error_local_name = "C:\\Temp\\missing.bin";
    j->error_protocol = "http";
}
