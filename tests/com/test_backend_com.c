/*
 * test_backend_com.c - the COM backend (dll/src/win/backend_com.c) against
 * fake BITS objects: what it asks BITS, how it maps the answers, how it
 * reconnects after a service restart, and in which apartment it calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <wchar.h>

#include <cmocka.h>

#include "fake_bits.h"
#include "backend_com.h"
#include "com_apartment.h"

/* Fails with both HRESULTs in hex. */
#define assert_hr(expected, actual)                                                           \
    do {                                                                                      \
        HRESULT e_ = (HRESULT)(expected), a_ = (HRESULT)(actual);                             \
        if (e_ != a_)                                                                         \
            fail_msg("%s: expected 0x%08lX, got 0x%08lX", #actual, (unsigned long)e_,         \
                     (unsigned long)a_);                                                      \
    } while (0)

#define assert_u64(expected, actual)                                                          \
    do {                                                                                      \
        UINT64 e_ = (expected), a_ = (actual);                                                \
        if (e_ != a_)                                                                         \
            fail_msg("%s: expected 0x%llX, got 0x%llX", #actual, (unsigned long long)e_,      \
                     (unsigned long long)a_);                                                 \
    } while (0)

#define RPC_SERVER_UNAVAILABLE ((HRESULT)0x800706BAL)

static const GUID job_id = {0x11223344, 0x5566, 0x7788, {0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00}};
static const bw__backend *be = &bw__default_backend;

/* ---- The factory: hands out the managers a test queued, in order -------- */

static fake_manager *g_queue[4];
static int g_queued, g_next;
static LONG g_factory_calls;

static HRESULT fake_factory(IBackgroundCopyManager **out)
{
    InterlockedIncrement(&g_factory_calls);
    *out = NULL;
    if (g_next >= g_queued)
        return RPC_SERVER_UNAVAILABLE; /* as CoCreateInstance with BITS down */
    *out = &g_queue[g_next++]->IBackgroundCopyManager_iface;
    IBackgroundCopyManager_AddRef(*out);
    return S_OK;
}

static void queue_manager(fake_manager *m)
{
    g_queue[g_queued++] = m;
}

static int setup(void **state)
{
    g_queued = g_next = 0;
    g_factory_calls = 0;
    bw__com_set_manager_factory(fake_factory);
    return 0;
}

static int teardown(void **state)
{
    bw__com_reset();
    return 0;
}

/* The test's own reference is the only one left, and no notify interface was
 * ever taken; then the fake goes. */
static void check_and_release_job(fake_job *j)
{
    assert_int_equal(j->ref, 1);
    assert_int_equal(j->set_notify_calls, 0);
    fake_job_release(j);
}

static void check_and_release_manager(fake_manager *m)
{
    assert_int_equal(m->ref, 1);
    fake_manager_release(m);
}

/* A manager that knows one job, queued for the factory. */
static fake_manager *manager_with(fake_job *j)
{
    fake_manager *m = fake_manager_new();
    if (j)
        fake_manager_add_job(m, j);
    queue_manager(m);
    return m;
}

/* ---- Opening ------------------------------------------------------------- */

static void open_reads_type_and_holds_references_until_close(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_UPLOAD_REPLY, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj = NULL;
    UINT32 type = 99;

    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_non_null(bj);
    assert_int_equal(type, BW_TYPE_UPLOAD_REPLY);
    assert_int_equal(j->ref, 3); /* Job and Job2 held by the backend */
    be->close_job(bj);
    assert_int_equal(g_factory_calls, 1);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void open_sets_proxy_blanket_on_manager_job_and_job2(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_UPLOAD_REPLY, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj = NULL;
    UINT32 type;

    /* CoSetProxyBlanket asks each pointer for IClientSecurity; the fakes are
     * not proxies, say E_NOINTERFACE, and the open still works. */
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_true(m->blanket_queries >= 1);
    assert_true(j->blanket_queries >= 2);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void open_of_missing_job_passes_not_found_through(void **state)
{
    fake_manager *m = manager_with(NULL);
    bw__bjob *bj = (bw__bjob *)(intptr_t)1;
    UINT32 type;

    assert_hr(BG_E_NOT_FOUND, be->open_job(&job_id, &bj, &type));
    assert_null(bj);
    bw__com_reset();
    check_and_release_manager(m);
}

static void open_reuses_the_manager(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *a, *b;
    UINT32 type;

    assert_hr(S_OK, be->open_job(&job_id, &a, &type));
    assert_hr(S_OK, be->open_job(&job_id, &b, &type));
    assert_int_equal(g_factory_calls, 1);
    assert_int_equal(m->get_job_calls, 2);
    be->close_job(a);
    be->close_job(b);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

/* ---- State and progress -------------------------------------------------- */

static void state_and_progress_are_read_from_the_job(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_TRANSFERRING);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type, st = 99;
    bw__progress p;

    j->progress.BytesTotal = BG_SIZE_UNKNOWN;
    j->progress.BytesTransferred = 0x123456789ull;
    j->progress.FilesTotal = 3;
    j->progress.FilesTransferred = 1;
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_state(bj, &st));
    assert_int_equal(st, BW_STATE_TRANSFERRING);
    assert_hr(S_OK, be->get_progress(bj, &p));
    assert_u64(BW_SIZE_UNKNOWN, p.bytes_total);
    assert_u64(0x123456789ull, p.bytes_transferred);
    assert_int_equal(p.files_total, 3);
    assert_int_equal(p.files_transferred, 1);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

/* ---- Reply progress ------------------------------------------------------ */

/* Opens an upload-reply job whose GetReplyProgress answers hr with total/done,
 * and returns what the backend made of it. */
static HRESULT reply_of(BG_JOB_TYPE type, BOOL has_job2, HRESULT hr, UINT64 total, UINT64 done,
                        UINT64 *out_total, UINT64 *out_done, LONG *reply_calls)
{
    fake_job *j = fake_job_new(&job_id, type, BG_JOB_STATE_TRANSFERRING);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 t;
    HRESULT result;

    j->has_job2 = has_job2;
    j->reply_hr = hr;
    j->reply.BytesTotal = total;
    j->reply.BytesTransferred = done;
    assert_hr(S_OK, be->open_job(&job_id, &bj, &t));
    result = be->get_reply_progress(bj, out_total, out_done);
    *reply_calls = j->reply_calls;
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
    return result;
}

static void reply_progress_of_upload_reply_job(void **state)
{
    UINT64 total = 0, done = 0;
    LONG calls;
    assert_hr(S_OK, reply_of(BG_JOB_TYPE_UPLOAD_REPLY, TRUE, S_OK, 5000, 1234, &total, &done, &calls));
    assert_u64(5000, total);
    assert_u64(1234, done);
}

static void reply_total_unknown_stays_unknown(void **state)
{
    UINT64 total = 0, done = 7;
    LONG calls;
    assert_hr(S_OK, reply_of(BG_JOB_TYPE_UPLOAD_REPLY, TRUE, S_OK, BG_SIZE_UNKNOWN, 0, &total, &done, &calls));
    assert_u64(BW_SIZE_UNKNOWN, total);
    assert_u64(0, done);
}

static void reply_e_notimpl_is_not_upload_reply(void **state)
{
    UINT64 total, done;
    LONG calls;
    assert_hr(BW_E_NOT_UPLOAD_REPLY,
              reply_of(BG_JOB_TYPE_UPLOAD_REPLY, TRUE, E_NOTIMPL, 0, 0, &total, &done, &calls));
    assert_int_equal(calls, 1);
}

static void reply_bytes_total_zero_is_not_upload_reply(void **state)
{
    UINT64 total, done;
    LONG calls;
    assert_hr(BW_E_NOT_UPLOAD_REPLY, reply_of(BG_JOB_TYPE_UPLOAD_REPLY, TRUE, S_OK, 0, 0, &total, &done, &calls));
    assert_int_equal(calls, 1);
}

static void reply_of_download_job_is_not_upload_reply_without_asking(void **state)
{
    UINT64 total, done;
    LONG calls;
    assert_hr(BW_E_NOT_UPLOAD_REPLY, reply_of(BG_JOB_TYPE_DOWNLOAD, TRUE, S_OK, 10, 5, &total, &done, &calls));
    assert_int_equal(calls, 0);
}

static void reply_other_failure_passes_through(void **state)
{
    UINT64 total, done;
    LONG calls;
    assert_hr(E_ACCESSDENIED,
              reply_of(BG_JOB_TYPE_UPLOAD_REPLY, TRUE, E_ACCESSDENIED, 0, 0, &total, &done, &calls));
}

static void without_job2_open_state_progress_work_and_reply_is_not_upload_reply(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_UPLOAD_REPLY, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type, st;
    bw__progress p;
    UINT64 total, done;

    j->has_job2 = FALSE; /* BITS 1.2 */
    j->reply_hr = S_OK;
    j->reply.BytesTotal = 10;
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_int_equal(type, BW_TYPE_UPLOAD_REPLY);
    assert_int_equal(j->ref, 2); /* Job only */
    assert_hr(S_OK, be->get_state(bj, &st));
    assert_int_equal(st, BW_STATE_QUEUED);
    assert_hr(S_OK, be->get_progress(bj, &p));
    assert_hr(BW_E_NOT_UPLOAD_REPLY, be->get_reply_progress(bj, &total, &done));
    assert_int_equal(j->reply_calls, 0);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

/* ---- Errors -------------------------------------------------------------- */

static void error_code_and_context_come_from_the_error_object(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_ERROR);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type, context = 99;
    HRESULT code = 0;

    j->error = fake_error_new((HRESULT)0x80190194L, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_error_code(bj, &code, &context));
    assert_hr(0x80190194L, code);
    assert_int_equal(context, BW_CONTEXT_REMOTE_FILE);
    assert_int_equal(j->error->ref, 1); /* the backend released its reference */
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void get_error_failing_gives_its_code_as_the_error(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_ERROR);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type, context = 99;
    HRESULT code = 0;

    /* Wine: a connection failure leaves no error object. */
    j->get_error_hr = BG_E_ERROR_INFORMATION_UNAVAILABLE;
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_error_code(bj, &code, &context));
    assert_hr(0x8020000FL, code);
    assert_int_equal(context, BW_CONTEXT_UNKNOWN);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void get_error_rpc_failure_is_a_failure(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_ERROR);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type, context = 99;
    HRESULT code = 0;

    j->get_error_hr = HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER); /* 0x800706F4 */
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(0x800706F4L, be->get_error_code(bj, &code, &context));
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

/* ---- The error in full, properties, enumeration -------------------------- */

static void full_error_copies_texts_names_and_trims_line_breaks(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_ERROR);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;
    bw__error e;

    j->error = fake_error_new((HRESULT)0x80190194L, BG_ERROR_CONTEXT_REMOTE_FILE);
    j->error->description = L"Not found.\r\n";
    j->error->context_description = L"The remote file.";
    j->error->protocol = L"http";
    j->error->file = fake_file_new(L"http://127.0.0.1/x", L"C:\\x");
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_error(bj, &e));
    assert_hr(0x80190194L, e.code);
    assert_int_equal(e.context, BW_CONTEXT_REMOTE_FILE);
    assert_non_null(e.description);
    assert_int_equal(wcscmp(e.description, L"Not found."), 0);
    assert_int_equal(wcscmp(e.context_description, L"The remote file."), 0);
    assert_int_equal(wcscmp(e.protocol, L"http"), 0);
    assert_int_equal(wcscmp(e.remote_name, L"http://127.0.0.1/x"), 0);
    assert_int_equal(wcscmp(e.local_name, L"C:\\x"), 0);
    assert_true(j->error->last_lang != 0); /* never LANGID 0 */
    free(e.description);
    free(e.context_description);
    free(e.protocol);
    free(e.remote_name);
    free(e.local_name);
    assert_int_equal(j->error->ref, 1);
    assert_int_equal(j->error->file->ref, 1);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void full_error_without_texts_leaves_them_null(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_ERROR);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;
    bw__error e;

    /* Wine: every text fails with 0x800706F4 across processes. */
    j->error = fake_error_new((HRESULT)0x80190194L, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_error(bj, &e));
    assert_hr(0x80190194L, e.code);
    assert_null(e.description);
    assert_null(e.context_description);
    assert_null(e.protocol);
    assert_null(e.remote_name);
    assert_null(e.local_name);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void full_error_without_error_object_fails_with_bits_code(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;
    bw__error e;

    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(BG_E_ERROR_INFORMATION_UNAVAILABLE, be->get_error(bj, &e));
    assert_null(e.description);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void info_reads_properties(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_UPLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;
    bw__info in;

    j->has_props = TRUE;
    j->priority = BG_JOB_PRIORITY_LOW;
    j->error_count = 4;
    j->times.CreationTime.dwLowDateTime = 0x10;
    j->times.ModificationTime.dwHighDateTime = 0x20;
    j->times.TransferCompletionTime.dwLowDateTime = 0x30;
    j->display_name = L"name";
    j->description = L"desc";
    j->owner = L"S-1-5-21-1";
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_info(bj, &in));
    assert_memory_equal(&in.id, &job_id, sizeof(GUID));
    assert_int_equal(in.type, BW_TYPE_UPLOAD);
    assert_int_equal(in.priority, 3);
    assert_int_equal(in.error_count, 4);
    assert_u64(0x10, in.creation_time);
    assert_u64(0x2000000000ull, in.modification_time);
    assert_u64(0x30, in.completion_time);
    assert_int_equal(wcscmp(in.display_name, L"name"), 0);
    assert_int_equal(wcscmp(in.description, L"desc"), 0);
    assert_int_equal(wcscmp(in.owner, L"S-1-5-21-1"), 0);
    free(in.display_name);
    free(in.description);
    free(in.owner);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void info_leaves_not_implemented_properties_empty(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;
    bw__info in;

    j->display_name = L"only a name"; /* Wine: the rest is E_NOTIMPL */
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_info(bj, &in));
    assert_int_equal(wcscmp(in.display_name, L"only a name"), 0);
    assert_null(in.description);
    assert_null(in.owner);
    assert_int_equal(in.priority, BW_PRIORITY_UNKNOWN); /* not reported, never Foreground */
    assert_int_equal(in.error_count, 0);
    assert_u64(0, in.creation_time);
    free(in.display_name);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void info_treats_wine_noaccess_for_a_missing_description_as_none(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;
    bw__info in;

    j->display_name = L"name";
    j->missing_hr = HRESULT_FROM_WIN32(ERROR_NOACCESS); /* 0x800703E6 */
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(S_OK, be->get_info(bj, &in));
    assert_int_equal(wcscmp(in.display_name, L"name"), 0);
    assert_null(in.description);
    free(in.display_name);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void info_of_a_lost_service_reconnects(void **state)
{
    fake_job *old = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m1 = manager_with(old);
    fake_job *fresh = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m2 = manager_with(fresh);
    bw__bjob *bj;
    UINT32 type;
    bw__info in;

    fresh->display_name = L"again";
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    old->dead_hr = m1->dead_hr = RPC_SERVER_UNAVAILABLE;
    assert_hr(S_OK, be->get_info(bj, &in));
    assert_int_equal(g_factory_calls, 2);
    assert_int_equal(wcscmp(in.display_name, L"again"), 0);
    free(in.display_name);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(old);
    check_and_release_job(fresh);
    check_and_release_manager(m1);
    check_and_release_manager(m2);
}

static void enum_lists_every_job_and_releases_them(void **state)
{
    fake_manager *m = manager_with(NULL);
    fake_job *jobs[3];
    GUID *ids = NULL;
    UINT32 count = 0;
    int i;

    for (i = 0; i < 3; i++) {
        GUID id = job_id;
        id.Data1 += i;
        jobs[i] = fake_job_new(&id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
        fake_manager_add_job(m, jobs[i]);
    }
    assert_hr(S_OK, be->enum_jobs(BW_ENUM_ALL_USERS, &ids, &count));
    assert_int_equal(count, 3);
    assert_int_equal(m->last_enum_flags, BG_JOB_ENUM_ALL_USERS);
    for (i = 0; i < 3; i++)
        assert_memory_equal(&ids[i], &jobs[i]->id, sizeof(GUID));
    free(ids);
    assert_int_equal(m->live_enumerators, 0);
    assert_hr(S_OK, be->enum_jobs(0, &ids, &count));
    assert_int_equal(m->last_enum_flags, 0);
    free(ids);
    bw__com_reset();
    for (i = 0; i < 3; i++)
        check_and_release_job(jobs[i]);
    check_and_release_manager(m);
}

static void enum_reconnects_after_service_restart(void **state)
{
    fake_manager *m1 = manager_with(NULL);
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m2 = manager_with(j);
    GUID *ids = NULL;
    UINT32 count = 0;

    assert_hr(S_OK, be->enum_jobs(0, &ids, &count));
    assert_int_equal(count, 0);
    free(ids);
    m1->dead_hr = RPC_SERVER_UNAVAILABLE;
    assert_hr(S_OK, be->enum_jobs(0, &ids, &count));
    assert_int_equal(count, 1);
    assert_int_equal(g_factory_calls, 2);
    free(ids);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m1);
    check_and_release_manager(m2);
}

/* ---- The census (count_jobs) --------------------------------------------- */

/* A manager with n jobs of consecutive GUIDs, queued for the factory. */
static fake_manager *manager_with_jobs(fake_job **jobs, int n)
{
    fake_manager *m = manager_with(NULL);
    int i;

    for (i = 0; i < n; i++) {
        GUID id = job_id;
        id.Data1 += i;
        jobs[i] = fake_job_new(&id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
        fake_manager_add_job(m, jobs[i]);
    }
    return m;
}

static void count_jobs_counts_without_handing_out_jobs(void **state)
{
    fake_job *jobs[6];
    fake_manager *m = manager_with_jobs(jobs, 0);
    UINT32 count = 99;
    int i;

    assert_hr(S_OK, be->count_jobs(0, &count));
    assert_int_equal(count, 0);
    assert_int_equal(m->last_enum_flags, 0);
    for (i = 0; i < 6; i++) {
        GUID id = job_id;
        id.Data1 += i;
        jobs[i] = fake_job_new(&id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
        fake_manager_add_job(m, jobs[i]);
    }
    assert_hr(S_OK, be->count_jobs(BW_ENUM_ALL_USERS, &count));
    assert_int_equal(count, 6);
    assert_int_equal(m->last_enum_flags, BG_JOB_ENUM_ALL_USERS);
    /* EnumJobs, GetCount, Release: one of each per census, whatever the
     * number of jobs; no job is fetched, touched or referenced. */
    assert_int_equal(m->enum_calls, 2);
    assert_int_equal(m->count_calls, 2);
    assert_int_equal(m->next_calls, 0);
    assert_int_equal(m->live_enumerators, 0);
    assert_true(m->enum_blanket_queries >= 2); /* CoSetProxyBlanket on each enumerator */
    for (i = 0; i < 6; i++)
        assert_int_equal(jobs[i]->site.calls, 0);
    assert_int_equal(g_factory_calls, 1);
    bw__com_reset();
    for (i = 0; i < 6; i++)
        check_and_release_job(jobs[i]);
    check_and_release_manager(m);
}

static void count_jobs_null_count_is_e_pointer(void **state)
{
    assert_hr(E_POINTER, be->count_jobs(0, NULL));
    assert_int_equal(g_factory_calls, 0);
}

static void count_jobs_all_users_access_denied_passes_through(void **state)
{
    fake_job *jobs[2];
    fake_manager *m = manager_with_jobs(jobs, 2);
    UINT32 count = 99;

    m->all_users_hr = E_ACCESSDENIED; /* not an administrator */
    assert_hr(E_ACCESSDENIED, be->count_jobs(BW_ENUM_ALL_USERS, &count));
    assert_int_equal(count, 0);
    assert_int_equal(g_factory_calls, 1); /* not a reason to reconnect */
    assert_int_equal(m->live_enumerators, 0);
    /* The caller's own jobs are still counted. */
    assert_hr(S_OK, be->count_jobs(0, &count));
    assert_int_equal(count, 2);
    bw__com_reset();
    check_and_release_job(jobs[0]);
    check_and_release_job(jobs[1]);
    check_and_release_manager(m);
}

static void count_jobs_reconnects_after_service_restart(void **state)
{
    fake_job *jobs[3];
    fake_manager *m1 = manager_with_jobs(jobs, 1);
    fake_manager *m2 = manager_with(NULL);
    UINT32 count = 0;
    int i;

    fake_manager_add_job(m2, jobs[0]);
    for (i = 1; i < 3; i++) {
        GUID id = job_id;
        id.Data1 += i;
        jobs[i] = fake_job_new(&id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
        fake_manager_add_job(m2, jobs[i]);
    }
    assert_hr(S_OK, be->count_jobs(0, &count));
    assert_int_equal(count, 1);
    m1->dead_hr = RPC_SERVER_UNAVAILABLE;
    assert_hr(S_OK, be->count_jobs(0, &count));
    assert_int_equal(count, 3);
    assert_int_equal(g_factory_calls, 2);
    /* The next census goes straight to the new manager. */
    assert_hr(S_OK, be->count_jobs(0, &count));
    assert_int_equal(g_factory_calls, 2);
    assert_int_equal(m2->enum_calls, 2);
    bw__com_reset();
    for (i = 0; i < 3; i++)
        check_and_release_job(jobs[i]);
    check_and_release_manager(m1);
    check_and_release_manager(m2);
}

static void count_jobs_reconnects_when_get_count_fails(void **state)
{
    fake_job *jobs[1];
    fake_manager *m1 = manager_with_jobs(jobs, 0);
    fake_manager *m2 = manager_with(NULL);
    UINT32 count = 0;

    /* The enumerator was made, then the service went: it is released, not
     * leaked, and the census is taken again on a new manager. */
    m1->count_hr = RPC_E_DISCONNECTED;
    jobs[0] = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager_add_job(m2, jobs[0]);
    assert_hr(S_OK, be->count_jobs(0, &count));
    assert_int_equal(count, 1);
    assert_int_equal(m1->live_enumerators, 0);
    assert_int_equal(g_factory_calls, 2);
    bw__com_reset();
    check_and_release_job(jobs[0]);
    check_and_release_manager(m1);
    check_and_release_manager(m2);
}

static void count_jobs_reconnects_only_once(void **state)
{
    fake_manager *m1 = manager_with(NULL);
    fake_manager *m2 = manager_with(NULL);
    fake_manager *m3;
    UINT32 count = 99;

    m1->dead_hr = RPC_SERVER_UNAVAILABLE;
    m2->dead_hr = RPC_SERVER_UNAVAILABLE;
    assert_hr(RPC_SERVER_UNAVAILABLE, be->count_jobs(0, &count));
    assert_int_equal(count, 0);
    assert_int_equal(g_factory_calls, 2);
    /* The dead manager was not kept: the next census starts afresh. */
    m3 = manager_with(NULL);
    assert_hr(S_OK, be->count_jobs(0, &count));
    assert_int_equal(g_factory_calls, 3);
    assert_int_equal(m3->enum_calls, 1);
    bw__com_reset();
    check_and_release_manager(m1);
    check_and_release_manager(m2);
    check_and_release_manager(m3);
}

/* ---- Complete, cancel, suspend, resume ----------------------------------- */

static void action_results_pass_through_unchanged(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_TRANSFERRED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;

    j->complete_hr = BG_S_PARTIAL_COMPLETE;
    j->cancel_hr = BG_S_UNABLE_TO_DELETE_FILES;
    j->suspend_hr = E_NOTIMPL;
    j->resume_hr = BG_E_INVALID_STATE;
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_hr(0x00200017L, be->complete(bj));
    assert_hr(0x0020001AL, be->cancel(bj));
    assert_hr(E_NOTIMPL, be->suspend(bj));
    assert_hr(0x80200002L, be->resume(bj));
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

/* ---- Control calls across a service restart ----------------------------- */

#define RPC_CALL_FAILED ((HRESULT)0x800706BEL)

enum control { DO_COMPLETE, DO_CANCEL, DO_SUSPEND, DO_RESUME };

struct interrupted {
    /* The set-up. */
    enum control call;
    BG_JOB_STATE before;   /* the job's state when the call is made */
    HRESULT stop_hr;       /* what the call fails with as the service stops */
    BOOL ran;              /* whether it took effect before failing */
    BOOL survives;         /* the restarted service still has the job */
    HRESULT again_hr;      /* BITS' answer to the call if it is sent again */
    /* What happened. */
    HRESULT result;
    LONG sent;             /* times the call reached the job */
    LONG state_reads;      /* GetState calls after the failure */
    BG_JOB_STATE after;
};

/* The service stops under a control call. The job is one fake shared by the
 * old and the restarted service, as a job that survives a restart is. */
static void run_interrupted(struct interrupted *t)
{
    fake_job *j;
    fake_manager *m1, *m2;
    bw__bjob *bj;
    UINT32 type;
    LONG *calls = NULL;

    setup(NULL); /* a test may run several cases */
    j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, t->before);
    m1 = manager_with(j);
    m2 = manager_with(t->survives ? j : NULL);
    switch (t->call) {
    case DO_COMPLETE: j->complete_hr = t->again_hr; calls = &j->complete_calls; break;
    case DO_CANCEL: j->cancel_hr = t->again_hr; calls = &j->cancel_calls; break;
    case DO_SUSPEND: j->suspend_hr = t->again_hr; calls = &j->suspend_calls; break;
    case DO_RESUME: j->resume_hr = t->again_hr; calls = &j->resume_calls; break;
    }
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    m1->dead_hr = t->stop_hr; /* the old service is gone */
    j->interrupt_hr = t->stop_hr;
    j->interrupt_ran = t->ran;
    j->state_calls = 0;
    switch (t->call) {
    case DO_COMPLETE: t->result = be->complete(bj); break;
    case DO_CANCEL: t->result = be->cancel(bj); break;
    case DO_SUSPEND: t->result = be->suspend(bj); break;
    case DO_RESUME: t->result = be->resume(bj); break;
    }
    t->sent = *calls;
    t->state_reads = j->state_calls;
    t->after = j->state;
    assert_int_equal(g_factory_calls, 2); /* reconnected, once */
    assert_int_equal(m2->get_job_calls, 1);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m1);
    check_and_release_manager(m2);
}

static void complete_that_ran_before_call_failed_is_not_sent_again(void **state)
{
    struct interrupted t = {DO_COMPLETE, BG_JOB_STATE_TRANSFERRED, RPC_CALL_FAILED, TRUE, TRUE, BG_E_NOT_FOUND};
    run_interrupted(&t);
    assert_hr(S_OK, t.result);
    assert_int_equal(t.sent, 1);
    assert_int_equal(t.state_reads, 1);
    assert_int_equal(t.after, BG_JOB_STATE_ACKNOWLEDGED);
}

static void complete_that_did_not_run_before_call_failed_is_sent_once_more(void **state)
{
    struct interrupted t = {DO_COMPLETE, BG_JOB_STATE_TRANSFERRED, RPC_CALL_FAILED, FALSE, TRUE,
                            BG_S_PARTIAL_COMPLETE};
    run_interrupted(&t);
    assert_hr(0x00200017L, t.result); /* the second answer, as BITS gave it */
    assert_int_equal(t.sent, 2);
    assert_int_equal(t.state_reads, 1);
}

static void cancel_that_ran_before_call_failed_is_not_sent_again(void **state)
{
    struct interrupted t = {DO_CANCEL, BG_JOB_STATE_TRANSFERRING, RPC_CALL_FAILED, TRUE, TRUE,
                            BG_E_INVALID_STATE};
    run_interrupted(&t);
    assert_hr(S_OK, t.result);
    assert_int_equal(t.sent, 1);
    assert_int_equal(t.after, BG_JOB_STATE_CANCELLED);
}

static void cancel_that_did_not_run_before_call_failed_is_sent_once_more(void **state)
{
    struct interrupted t = {DO_CANCEL, BG_JOB_STATE_ERROR, RPC_CALL_FAILED, FALSE, TRUE,
                            BG_S_UNABLE_TO_DELETE_FILES};
    run_interrupted(&t);
    assert_hr(0x0020001AL, t.result);
    assert_int_equal(t.sent, 2);
    assert_int_equal(t.after, BG_JOB_STATE_CANCELLED);
}

static void suspend_and_resume_after_call_failed_are_judged_by_state(void **state)
{
    struct interrupted s1 = {DO_SUSPEND, BG_JOB_STATE_QUEUED, RPC_CALL_FAILED, TRUE, TRUE, BG_E_INVALID_STATE};
    struct interrupted s2 = {DO_SUSPEND, BG_JOB_STATE_QUEUED, RPC_CALL_FAILED, FALSE, TRUE, S_OK};
    struct interrupted r1 = {DO_RESUME, BG_JOB_STATE_SUSPENDED, RPC_CALL_FAILED, TRUE, TRUE, BG_E_INVALID_STATE};
    struct interrupted r2 = {DO_RESUME, BG_JOB_STATE_SUSPENDED, RPC_CALL_FAILED, FALSE, TRUE, S_OK};

    run_interrupted(&s1);
    assert_hr(S_OK, s1.result);
    assert_int_equal(s1.sent, 1);
    run_interrupted(&s2);
    assert_hr(S_OK, s2.result);
    assert_int_equal(s2.sent, 2);
    assert_int_equal(s2.after, BG_JOB_STATE_SUSPENDED);
    run_interrupted(&r1);
    assert_hr(S_OK, r1.result);
    assert_int_equal(r1.sent, 1);
    run_interrupted(&r2);
    assert_hr(S_OK, r2.result);
    assert_int_equal(r2.sent, 2);
    assert_int_equal(r2.after, BG_JOB_STATE_QUEUED);
}

static void control_after_call_failed_with_the_job_gone_is_call_failed(void **state)
{
    /* Gone: acknowledged (Windows drops such jobs) or lost with the service
     * (Wine): nobody can tell whether the call ran. */
    struct interrupted c = {DO_COMPLETE, BG_JOB_STATE_TRANSFERRED, RPC_CALL_FAILED, TRUE, FALSE, S_OK};
    struct interrupted x = {DO_CANCEL, BG_JOB_STATE_QUEUED, RPC_CALL_FAILED, FALSE, FALSE, S_OK};

    run_interrupted(&c);
    assert_hr(RPC_CALL_FAILED, c.result);
    assert_int_equal(c.sent, 1);
    run_interrupted(&x);
    assert_hr(RPC_CALL_FAILED, x.result);
    assert_int_equal(x.sent, 1);
}

static void control_after_call_failed_with_the_service_still_down_is_call_failed(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_TRANSFERRED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;

    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    m->dead_hr = RPC_CALL_FAILED;
    j->interrupt_hr = RPC_CALL_FAILED;
    /* No second manager queued: the factory answers 0x800706BA. That is not
     * the answer: the call may still have run. */
    assert_hr(RPC_CALL_FAILED, be->complete(bj));
    assert_int_equal(j->complete_calls, 1);
    assert_int_equal(g_factory_calls, 2);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void control_that_never_reached_the_service_is_sent_once_more(void **state)
{
    /* RPC_S_SERVER_UNAVAILABLE / RPC_E_DISCONNECTED: the call never met a
     * live service; repeating it needs no look at the job first. */
    struct interrupted a = {DO_COMPLETE, BG_JOB_STATE_TRANSFERRED, RPC_SERVER_UNAVAILABLE, FALSE, TRUE,
                            BG_S_PARTIAL_COMPLETE};
    struct interrupted b = {DO_CANCEL, BG_JOB_STATE_QUEUED, RPC_E_DISCONNECTED, FALSE, TRUE, S_OK};
    struct interrupted c = {DO_COMPLETE, BG_JOB_STATE_TRANSFERRED, RPC_SERVER_UNAVAILABLE, FALSE, FALSE, S_OK};

    run_interrupted(&a);
    assert_hr(0x00200017L, a.result);
    assert_int_equal(a.sent, 2);
    assert_int_equal(a.state_reads, 0);
    run_interrupted(&b);
    assert_hr(S_OK, b.result);
    assert_int_equal(b.sent, 2);
    assert_int_equal(b.state_reads, 0);
    run_interrupted(&c);
    assert_hr(BG_E_NOT_FOUND, c.result); /* it cannot have run: the job is lost */
    assert_int_equal(c.sent, 1);
}

/* ---- Service restart ----------------------------------------------------- */

/* The service dies with dead_hr under an open job. The restarted service
 * has the job again (survives) or not; dies_again: it fails as well. */
static void reconnect_case(HRESULT dead_hr, BOOL survives, BOOL dies_again, HRESULT expected)
{
    fake_job *old = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_TRANSFERRING);
    fake_manager *m1 = manager_with(old);
    fake_job *fresh = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m2 = manager_with(survives ? fresh : NULL);
    bw__bjob *bj;
    UINT32 type, st = 99;

    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    old->dead_hr = dead_hr;
    m1->dead_hr = dead_hr;
    if (dies_again)
        fresh->dead_hr = dead_hr;

    assert_hr(expected, be->get_state(bj, &st));
    assert_int_equal(g_factory_calls, 2); /* exactly one new manager */
    /* A read is repeated on the reopened job, whatever the failure was. */
    assert_int_equal(fresh->state_calls, survives && !dies_again ? 1 : 0);
    assert_int_equal(m2->get_job_calls, 1);
    /* Swapped out only when the reopen worked (Job and Job2 held otherwise). */
    assert_int_equal(old->ref, survives && !dies_again ? 1 : 3);
    if (expected == S_OK) {
        assert_int_equal(st, BW_STATE_QUEUED); /* read from the reopened job */
        /* The next call goes straight to the new job. */
        assert_hr(S_OK, be->get_state(bj, &st));
        assert_int_equal(g_factory_calls, 2);
    }
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(old);
    check_and_release_job(fresh);
    check_and_release_manager(m1);
    check_and_release_manager(m2);
}

static void reconnect_after_server_unavailable(void **state)
{
    reconnect_case(RPC_SERVER_UNAVAILABLE, TRUE, FALSE, S_OK);
}

static void reconnect_after_disconnected(void **state)
{
    reconnect_case(RPC_E_DISCONNECTED, TRUE, FALSE, S_OK);
}

static void reconnect_after_call_failed(void **state)
{
    /* A call that met the service on its way down (Wine's "net stop BITS"). */
    reconnect_case(HRESULT_FROM_WIN32(RPC_S_CALL_FAILED), TRUE, FALSE, S_OK);
}

static void reconnect_to_a_service_without_the_job_is_not_found(void **state)
{
    reconnect_case(RPC_SERVER_UNAVAILABLE, FALSE, FALSE, BG_E_NOT_FOUND);
}

static void reconnect_failing_again_returns_the_second_failure(void **state)
{
    /* The reopened job fails too: no loop, the failure is returned. */
    reconnect_case(RPC_SERVER_UNAVAILABLE, TRUE, TRUE, RPC_SERVER_UNAVAILABLE);
}

static void other_failures_do_not_reconnect(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type, st;

    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    j->dead_hr = E_ACCESSDENIED;
    assert_hr(E_ACCESSDENIED, be->get_state(bj, &st));
    assert_int_equal(g_factory_calls, 1);
    assert_int_equal(m->get_job_calls, 1);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void open_reconnects_when_the_cached_manager_is_dead(void **state)
{
    fake_job *a = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m1 = manager_with(a);
    fake_job *b = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_TRANSFERRED);
    fake_manager *m2 = manager_with(b);
    bw__bjob *bj;
    UINT32 type, st;

    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    be->close_job(bj);
    m1->dead_hr = RPC_SERVER_UNAVAILABLE; /* service restarted since */
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_int_equal(g_factory_calls, 2);
    assert_hr(S_OK, be->get_state(bj, &st));
    assert_int_equal(st, BW_STATE_TRANSFERRED);
    be->close_job(bj);
    bw__com_reset();
    check_and_release_job(a);
    check_and_release_job(b);
    check_and_release_manager(m1);
    check_and_release_manager(m2);
}

static void factory_failure_passes_through(void **state)
{
    bw__bjob *bj = NULL;
    UINT32 type;
    /* Nothing queued: the factory answers as CoCreateInstance with BITS down. */
    assert_hr(RPC_SERVER_UNAVAILABLE, be->open_job(&job_id, &bj, &type));
    assert_null(bj);
}

/* ---- Through the public API (the COM backend is the default) ------------- */

static void public_api_polls_an_upload_reply_job(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_UPLOAD_REPLY, BG_JOB_STATE_TRANSFERRING);
    fake_manager *m = manager_with(j);
    BW_JOB h = NULL;
    BW_STATUS st = {.cbSize = sizeof st};
    BW_REPLY_PROGRESS rp = {.cbSize = sizeof rp};

    j->progress.BytesTotal = 100;
    j->progress.BytesTransferred = 40;
    j->progress.FilesTotal = 1;
    j->reply_hr = S_OK;
    j->reply.BytesTotal = 300;
    j->reply.BytesTransferred = 30;
    assert_hr(S_OK, BwJobOpen(L"{11223344-5566-7788-99aa-bbccddeeff00}", &h));
    assert_hr(S_OK, BwJobPoll(h, 0, &st));
    assert_int_equal(st.State, BW_STATE_TRANSFERRING);
    assert_int_equal(st.Type, BW_TYPE_UPLOAD_REPLY);
    assert_u64(100, st.BytesTotal);
    assert_u64(40, st.BytesTransferred);
    assert_u64(300, st.ReplyBytesTotal);
    assert_u64(30, st.ReplyBytesTransferred);
    assert_hr(S_OK, BwJobGetReplyProgress(h, &rp));
    assert_u64(300, rp.BytesTotal);
    assert_hr(S_OK, BwJobClose(h));
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void public_api_reply_of_download_job_is_not_upload_reply(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    BW_JOB h = NULL;
    BW_REPLY_PROGRESS rp = {.cbSize = sizeof rp};

    assert_hr(S_OK, BwJobOpenById(&job_id, &h));
    assert_hr(BW_E_NOT_UPLOAD_REPLY, BwJobGetReplyProgress(h, &rp));
    assert_hr(S_OK, BwJobClose(h));
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

/* ---- Closing when the apartment runner fails ----------------------------- */

static void close_whose_runner_fails_keeps_the_proxies_for_the_next_close(void **state)
{
    fake_job *a = fake_job_new(&job_id, BG_JOB_TYPE_UPLOAD_REPLY, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(a);
    bw__bjob *first, *second;
    UINT32 type;

    assert_hr(S_OK, be->open_job(&job_id, &first, &type));
    assert_hr(S_OK, be->open_job(&job_id, &second, &type));
    assert_int_equal(a->ref, 5); /* Job and Job2 for each handle */
    /* As when an STA caller's worker thread cannot be started: the proxies
     * cannot be released from here, and must not be lost with the struct. */
    bw__com_run_fail_next(E_OUTOFMEMORY);
    be->close_job(first);
    assert_int_equal(a->ref, 5);
    /* The next close that reaches the MTA releases them too. */
    be->close_job(second);
    assert_int_equal(a->ref, 1);
    bw__com_reset();
    check_and_release_job(a);
    check_and_release_manager(m);
}

/* ---- Closing never waits for other calls (defect 7) ----------------------- */

static double now_ms(void)
{
    LARGE_INTEGER t, f;
    QueryPerformanceCounter(&t);
    QueryPerformanceFrequency(&f);
    return (double)t.QuadPart * 1000.0 / (double)f.QuadPart;
}

/* One backend call on a thread of its own in an STA (Windows PowerShell
 * 5.1's runspaces), timed. */
struct sta_call {
    bw__bjob *job;
    BOOL close;          /* FALSE: get_state */
    HRESULT hr;
    UINT32 st;
    double ms;
};

static DWORD WINAPI sta_call_thread(void *p)
{
    struct sta_call *c = p;
    double t0;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    t0 = now_ms();
    if (c->close)
        be->close_job(c->job);
    else
        c->hr = be->get_state(c->job, &c->st);
    c->ms = now_ms() - t0;
    CoUninitialize();
    return 0;
}

static HANDLE start_sta_call(struct sta_call *c)
{
    HANDLE t = CreateThread(NULL, 0, sta_call_thread, c, 0, NULL);
    assert_non_null(t);
    return t;
}

static void join(HANDLE t)
{
    assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CloseHandle(t);
}

static void sta_close_does_not_wait_for_another_sta_call_in_flight(void **state)
{
    GUID other = job_id;
    fake_job *slow = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(slow);
    fake_job *closed;
    struct sta_call reader = {0}, closer = {0};
    HANDLE reading, closing;
    UINT32 type;
    LONG calls;
    double t0;

    other.Data1++;
    closed = fake_job_new(&other, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager_add_job(m, closed);
    assert_hr(S_OK, be->open_job(&job_id, &reader.job, &type));
    assert_hr(S_OK, be->open_job(&other, &closer.job, &type));
    closer.close = TRUE;
    /* One STA caller's GetState is in flight on the worker for 1.5 s... */
    slow->delay_ms = 1500;
    calls = slow->site.calls;
    reading = start_sta_call(&reader);
    t0 = now_ms();
    while (slow->site.calls == calls && now_ms() - t0 < 5000)
        Sleep(1);
    assert_true(slow->site.calls > calls);
    /* ...while another STA caller closes a different job: the close returns
     * at once, the release being the worker's to do after the slow call. */
    closing = start_sta_call(&closer);
    join(closing);
    print_message("close on an STA thread: %.1f ms while another STA caller's call takes 1500 ms\n",
                  closer.ms);
    assert_true(closer.ms < 200.0);
    assert_int_equal(closed->ref, 3); /* Job and Job2: released after the slow call */
    join(reading);
    print_message("the slow call: %.1f ms\n", reader.ms);
    assert_hr(S_OK, reader.hr);
    assert_true(reader.ms >= 1400.0);
    slow->delay_ms = 0;
    be->close_job(reader.job);
    bw__com_reset(); /* waits for the worker's releases too */
    check_and_release_job(slow);
    check_and_release_job(closed);
    check_and_release_manager(m);
}

static void mta_close_releases_before_returning(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    bw__bjob *bj;
    UINT32 type;

    /* This thread has no COM: the implicit MTA, where the proxies live. */
    assert_hr(S_OK, be->open_job(&job_id, &bj, &type));
    assert_int_equal(j->ref, 3);
    be->close_job(bj);
    assert_int_equal(j->ref, 1);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

/* ---- Apartments ---------------------------------------------------------- */

enum com_kind { COM_NONE, COM_STA, COM_MTA };

struct apt_run {
    enum com_kind kind;
    fake_job *job;
    DWORD thread;
    HRESULT before_hr, after_hr, open_hr, state_hr, reinit_hr;
    APTTYPE before, after;
    UINT32 st;
};

static DWORD WINAPI apt_thread(void *p)
{
    struct apt_run *r = p;
    APTTYPEQUALIFIER q;
    bw__bjob *bj = NULL;
    UINT32 type;

    r->thread = GetCurrentThreadId();
    if (r->kind == COM_STA)
        CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    else if (r->kind == COM_MTA)
        CoInitializeEx(NULL, COINIT_MULTITHREADED);
    r->before_hr = CoGetApartmentType(&r->before, &q);
    r->open_hr = be->open_job(&job_id, &bj, &type);
    if (SUCCEEDED(r->open_hr)) {
        r->state_hr = be->get_state(bj, &r->st);
        be->close_job(bj);
    }
    r->after_hr = CoGetApartmentType(&r->after, &q);
    if (r->kind == COM_NONE) {
        /* Untouched: the thread may still choose its apartment. */
        r->reinit_hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
        if (SUCCEEDED(r->reinit_hr))
            CoUninitialize();
    } else {
        CoUninitialize();
    }
    return 0;
}

static void run_in_thread(struct apt_run *r)
{
    HANDLE t = CreateThread(NULL, 0, apt_thread, r, 0, NULL);
    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    CloseHandle(t);
}

static void apartment_case(enum com_kind kind, struct apt_run *r)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_CONNECTING);
    fake_manager *m = manager_with(j);

    r->kind = kind;
    r->job = j;
    run_in_thread(r);
    assert_hr(S_OK, r->open_hr);
    assert_hr(S_OK, r->state_hr);
    assert_int_equal(r->st, BW_STATE_CONNECTING);
    /* Whatever the caller, the fake saw its calls made in the MTA. */
    assert_hr(S_OK, j->site.apt_hr);
    assert_int_equal(j->site.apt, APTTYPE_MTA);
    assert_hr(r->before_hr, r->after_hr);
    if (SUCCEEDED(r->before_hr))
        assert_int_equal(r->before, r->after);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void sta_caller_works_and_stays_sta(void **state)
{
    struct apt_run r = {0};
    apartment_case(COM_STA, &r);
    /* The process' first STA is its main STA. */
    assert_true(r.before == APTTYPE_STA || r.before == APTTYPE_MAINSTA);
    assert_int_equal(r.after, r.before);
}

static void sta_caller_is_served_by_another_thread(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    struct apt_run r = {.kind = COM_STA, .job = j};

    run_in_thread(&r);
    assert_hr(S_OK, r.state_hr);
    assert_true(j->site.thread != 0);
    assert_true(j->site.thread != r.thread);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

static void thread_without_com_works_and_is_left_without_com(void **state)
{
    struct apt_run r = {0};
    apartment_case(COM_NONE, &r);
    assert_hr(S_OK, r.reinit_hr); /* S_FALSE or RPC_E_CHANGED_MODE would mean we initialized it */
}

static void mta_caller_runs_in_place(void **state)
{
    fake_job *j = fake_job_new(&job_id, BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED);
    fake_manager *m = manager_with(j);
    struct apt_run r = {.kind = COM_MTA, .job = j};

    run_in_thread(&r);
    assert_hr(S_OK, r.state_hr);
    assert_int_equal(r.before, APTTYPE_MTA);
    assert_int_equal(r.after, APTTYPE_MTA);
    assert_int_equal(j->site.thread, r.thread);
    bw__com_reset();
    check_and_release_job(j);
    check_and_release_manager(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(open_reads_type_and_holds_references_until_close),
        T(open_sets_proxy_blanket_on_manager_job_and_job2),
        T(open_of_missing_job_passes_not_found_through),
        T(open_reuses_the_manager),
        T(state_and_progress_are_read_from_the_job),
        T(reply_progress_of_upload_reply_job),
        T(reply_total_unknown_stays_unknown),
        T(reply_e_notimpl_is_not_upload_reply),
        T(reply_bytes_total_zero_is_not_upload_reply),
        T(reply_of_download_job_is_not_upload_reply_without_asking),
        T(reply_other_failure_passes_through),
        T(without_job2_open_state_progress_work_and_reply_is_not_upload_reply),
        T(error_code_and_context_come_from_the_error_object),
        T(get_error_failing_gives_its_code_as_the_error),
        T(get_error_rpc_failure_is_a_failure),
        T(full_error_copies_texts_names_and_trims_line_breaks),
        T(full_error_without_texts_leaves_them_null),
        T(full_error_without_error_object_fails_with_bits_code),
        T(info_reads_properties),
        T(info_leaves_not_implemented_properties_empty),
        T(info_treats_wine_noaccess_for_a_missing_description_as_none),
        T(info_of_a_lost_service_reconnects),
        T(enum_lists_every_job_and_releases_them),
        T(enum_reconnects_after_service_restart),
        T(count_jobs_counts_without_handing_out_jobs),
        T(count_jobs_null_count_is_e_pointer),
        T(count_jobs_all_users_access_denied_passes_through),
        T(count_jobs_reconnects_after_service_restart),
        T(count_jobs_reconnects_when_get_count_fails),
        T(count_jobs_reconnects_only_once),
        T(action_results_pass_through_unchanged),
        T(complete_that_ran_before_call_failed_is_not_sent_again),
        T(complete_that_did_not_run_before_call_failed_is_sent_once_more),
        T(cancel_that_ran_before_call_failed_is_not_sent_again),
        T(cancel_that_did_not_run_before_call_failed_is_sent_once_more),
        T(suspend_and_resume_after_call_failed_are_judged_by_state),
        T(control_after_call_failed_with_the_job_gone_is_call_failed),
        T(control_after_call_failed_with_the_service_still_down_is_call_failed),
        T(control_that_never_reached_the_service_is_sent_once_more),
        T(reconnect_after_server_unavailable),
        T(reconnect_after_disconnected),
        T(reconnect_after_call_failed),
        T(reconnect_to_a_service_without_the_job_is_not_found),
        T(reconnect_failing_again_returns_the_second_failure),
        T(other_failures_do_not_reconnect),
        T(open_reconnects_when_the_cached_manager_is_dead),
        T(factory_failure_passes_through),
        T(public_api_polls_an_upload_reply_job),
        T(public_api_reply_of_download_job_is_not_upload_reply),
        T(close_whose_runner_fails_keeps_the_proxies_for_the_next_close),
        T(sta_close_does_not_wait_for_another_sta_call_in_flight),
        T(mta_close_releases_before_returning),
        T(sta_caller_works_and_stays_sta),
        T(sta_caller_is_served_by_another_thread),
        T(thread_without_com_works_and_is_left_without_com),
        T(mta_caller_runs_in_place),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
