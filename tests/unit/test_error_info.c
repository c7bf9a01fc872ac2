/*
 * test_error_info.c - BwJobGetError, BwJobGetInfo and BwEnumJobs over the
 * scripted fake: descriptions filled when BITS has none, strings owned by the
 * caller and freed, E_NOTIMPL properties left empty, the count/ERROR_MORE_DATA
 * protocol, access denied for all users; BwFreeError / BwFreeInfo safe after
 * any result (a bad cbSize leaves the struct untouched, other failures zeroed).
 */
#include <stdlib.h>

#include "fake_backend.h"
#include "test_common.h"

static int setup(void **state)
{
    fake_backend_install();
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(bw__handle_count(), 0);
    fake_backend_uninstall();
    return 0;
}

static BW_JOB open_job(fake_job *j)
{
    BW_JOB h = NULL;
    assert_hr(S_OK, BwJobOpenById(&j->id, &h));
    return h;
}

static void error_without_bits_text_gets_the_library_text(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_ERROR;
    j->error_code = (HRESULT)0x80190194;
    j->error_context = BW_CONTEXT_REMOTE_FILE;
    j->error_remote_name = "http://127.0.0.1/missing";
    j->error_local_name = "C:\\out\\missing";
    BW_JOB h = open_job(j);
    BW_ERROR e;
    memset(&e, 0xCC, sizeof e);
    e.cbSize = sizeof e;
    assert_hr(S_OK, BwJobGetError(h, &e));
    assert_hr(0x80190194, e.ErrorCode);
    assert_int_equal(e.Context, BW_CONTEXT_REMOTE_FILE);
    assert_true(weq(e.Description, "HTTP 404 Not Found"));
    assert_true(weq(e.ContextDescription, "The error occurred while processing the remote file."));
    assert_true(weq(e.RemoteName, "http://127.0.0.1/missing"));
    assert_true(weq(e.LocalName, "C:\\out\\missing"));
    assert_null(e.Protocol);
    assert_int_equal(e.Reserved, 0);
    BwFreeError(&e);
    assert_null(e.Description);
    assert_null(e.RemoteName);
    BwFreeError(&e); /* twice is harmless */
    BwFreeError(NULL);
    BwJobClose(h);
}

static void error_text_from_bits_is_kept(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_TRANSIENT_ERROR;
    j->error_code = (HRESULT)0x80072EE7;
    j->error_context = BW_CONTEXT_GENERAL_TRANSPORT;
    j->error_description = "The server name or address could not be resolved";
    j->error_protocol = "http";
    BW_JOB h = open_job(j);
    BW_ERROR e = {sizeof e};
    assert_hr(S_OK, BwJobGetError(h, &e));
    assert_true(weq(e.Description, "The server name or address could not be resolved"));
    assert_true(wcontains(e.ContextDescription, "transport"));
    assert_true(weq(e.Protocol, "http"));
    BwFreeError(&e);
    BwJobClose(h);
}

static void every_context_has_a_description(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_ERROR;
    j->error_code = E_FAIL;
    BW_JOB h = open_job(j);
    for (UINT32 c = 0; c <= 8; c++) {
        j->error_context = c;
        BW_ERROR e = {sizeof e};
        assert_hr(S_OK, BwJobGetError(h, &e));
        assert_non_null(e.ContextDescription);
        assert_true(e.ContextDescription[0] != 0);
        assert_false(wcontains(e.ContextDescription, "BG_E_")); /* the meaning, not the name */
        BwFreeError(&e);
    }
    BwJobClose(h);
}

static void no_error_outside_an_error_state(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_TRANSFERRING;
    BW_JOB h = open_job(j);
    BW_ERROR e;
    memset(&e, 0xCC, sizeof e);
    e.cbSize = sizeof e;
    assert_hr(0x8020000F, BwJobGetError(h, &e));
    assert_null(e.Description); /* cleared: BwFreeError on it is safe */
    BwFreeError(&e);
    BwJobClose(h);
}

static void error_bad_arguments(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = open_job(j);
    BW_ERROR e = {sizeof e - 1};
    assert_hr(E_POINTER, BwJobGetError(h, NULL));
    assert_hr(E_INVALIDARG, BwJobGetError(h, &e));
    e.cbSize = 0;
    assert_hr(E_INVALIDARG, BwJobGetError(h, &e));
    e.cbSize = sizeof e;
    assert_hr(E_HANDLE, BwJobGetError(NULL, &e));
    BwJobClose(h);
    assert_hr(E_HANDLE, BwJobGetError(h, &e));
}

/* The header's rule: BwFreeError / BwFreeInfo after the call returned, whatever
 * it returned. A bad cbSize leaves the struct untouched, garbage pointers and
 * all (0xCC here: ASan reports a free of one), so freeing it must do nothing. */
static const UINT32 k_bad_sizes[] = {0, 1, 4, sizeof(BW_ERROR) + 4, sizeof(BW_INFO) + 4, 0xFFFFFFFFu};

static void free_error_after_a_bad_cbsize_does_nothing(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_ERROR;
    j->error_code = E_FAIL;
    BW_JOB h = open_job(j);
    for (size_t i = 0; i < sizeof k_bad_sizes / sizeof k_bad_sizes[0]; i++) {
        BW_ERROR e, before;
        memset(&e, 0xCC, sizeof e);
        e.cbSize = k_bad_sizes[i];
        before = e;
        assert_hr(E_INVALIDARG, BwJobGetError(h, &e));
        assert_memory_equal(&e, &before, sizeof e);
        BwFreeError(&e);
        BwFreeError(&e);
        assert_memory_equal(&e, &before, sizeof e);
    }
    BwJobClose(h);
}

static void free_info_after_a_bad_cbsize_does_nothing(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->display_name = "x";
    BW_JOB h = open_job(j);
    for (size_t i = 0; i < sizeof k_bad_sizes / sizeof k_bad_sizes[0]; i++) {
        BW_INFO in, before;
        memset(&in, 0xCC, sizeof in);
        in.cbSize = k_bad_sizes[i];
        before = in;
        assert_hr(E_INVALIDARG, BwJobGetInfo(h, &in));
        assert_memory_equal(&in, &before, sizeof in);
        BwFreeInfo(&in);
        BwFreeInfo(&in);
        assert_memory_equal(&in, &before, sizeof in);
    }
    BwJobClose(h);
}

/* 1 when every byte of the struct after cbSize is zero. */
static int zero_after_cbsize(const void *p, size_t size)
{
    const unsigned char *b = p;
    for (size_t i = sizeof(UINT32); i < size; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

static void failed_calls_with_a_published_cbsize_leave_zeros(void **state)
{
    fake_job *gone = fake_job_add(BW_TYPE_DOWNLOAD);
    gone->state = BW_STATE_ERROR;
    gone->display_name = "x";
    BW_JOB h = open_job(gone);
    gone->fail_hr = BG_E_NOT_FOUND; /* the job went away after the open */
    BW_JOB closed = open_job(fake_job_add(BW_TYPE_DOWNLOAD));
    BwJobClose(closed);
    const struct {
        BW_JOB job;
        HRESULT hr;
    } cases[] = {{NULL, E_HANDLE}, {closed, E_HANDLE}, {h, BG_E_NOT_FOUND}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        BW_ERROR e;
        memset(&e, 0xCC, sizeof e);
        e.cbSize = sizeof e;
        assert_hr(cases[i].hr, BwJobGetError(cases[i].job, &e));
        assert_int_equal(e.cbSize, sizeof e);
        assert_true(zero_after_cbsize(&e, sizeof e));
        BwFreeError(&e);
        BwFreeError(&e);
        assert_true(zero_after_cbsize(&e, sizeof e));

        BW_INFO in;
        memset(&in, 0xCC, sizeof in);
        in.cbSize = sizeof in;
        assert_hr(cases[i].hr, BwJobGetInfo(cases[i].job, &in));
        assert_int_equal(in.cbSize, sizeof in);
        assert_true(zero_after_cbsize(&in, sizeof in));
        BwFreeInfo(&in);
        BwFreeInfo(&in);
        assert_true(zero_after_cbsize(&in, sizeof in));
    }
    BwJobClose(h);
}

static void free_after_success_clears_and_is_idempotent(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->state = BW_STATE_ERROR;
    j->error_code = E_FAIL;
    j->error_remote_name = "http://127.0.0.1/x";
    j->error_local_name = "C:\\x";
    j->error_protocol = "http";
    j->display_name = "name";
    j->description = "text";
    j->owner = "owner";
    BW_JOB h = open_job(j);
    BW_ERROR e = {sizeof e};
    assert_hr(S_OK, BwJobGetError(h, &e));
    BwFreeError(&e);
    assert_null(e.Description);
    assert_null(e.ContextDescription);
    assert_null(e.RemoteName);
    assert_null(e.LocalName);
    assert_null(e.Protocol);
    assert_int_equal(e.cbSize, sizeof e);
    BwFreeError(&e);
    BW_INFO in = {sizeof in};
    assert_hr(S_OK, BwJobGetInfo(h, &in));
    BwFreeInfo(&in);
    assert_null(in.DisplayName);
    assert_null(in.Description);
    assert_null(in.Owner);
    assert_int_equal(in.cbSize, sizeof in);
    BwFreeInfo(&in);
    BwJobClose(h);
}

/* A service that does not report the priority (Wine): BW_PRIORITY_UNKNOWN,
 * never 0, which is FOREGROUND. */
static void info_says_when_the_priority_is_not_reported(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    j->priority_unknown = 1;
    BW_JOB h = open_job(j);
    BW_INFO in;
    memset(&in, 0, sizeof in);
    in.cbSize = sizeof in;
    assert_hr(S_OK, BwJobGetInfo(h, &in));
    assert_int_equal(in.Priority, BW_PRIORITY_UNKNOWN);
    BwFreeInfo(&in);
    assert_hr(S_OK, BwJobClose(h));
}

static void info_copies_every_property(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_UPLOAD_REPLY);
    j->display_name = "Nightly update";
    j->description = "KB1234";
    j->owner = "CONTOSO\\alice";
    j->priority = 3;
    j->error_count = 2;
    j->creation_time = 133000000000000000ull;
    j->modification_time = 133000000010000000ull;
    j->completion_time = 133000000020000000ull;
    BW_JOB h = open_job(j);
    BW_INFO in;
    memset(&in, 0xCC, sizeof in);
    in.cbSize = sizeof in;
    assert_hr(S_OK, BwJobGetInfo(h, &in));
    assert_memory_equal(&in.JobId, &j->id, sizeof(GUID));
    assert_int_equal(in.Type, BW_TYPE_UPLOAD_REPLY);
    assert_int_equal(in.Priority, 3);
    assert_int_equal(in.ErrorCount, 2);
    assert_true(weq(in.DisplayName, "Nightly update"));
    assert_true(weq(in.Description, "KB1234"));
    assert_true(weq(in.Owner, "CONTOSO\\alice"));
    assert_true(in.CreationTime == 133000000000000000ull);
    assert_true(in.ModificationTime == 133000000010000000ull);
    assert_true(in.TransferCompletionTime == 133000000020000000ull);
    BwFreeInfo(&in);
    assert_null(in.DisplayName);
    BwFreeInfo(NULL);
    BwJobClose(h);
}

static void info_leaves_unimplemented_properties_empty(void **state)
{
    fake_job *j = fake_job_add(BW_TYPE_DOWNLOAD);
    BW_JOB h = open_job(j);
    BW_INFO in;
    memset(&in, 0xCC, sizeof in);
    in.cbSize = sizeof in;
    assert_hr(S_OK, BwJobGetInfo(h, &in));
    assert_null(in.DisplayName);
    assert_null(in.Owner);
    assert_true(in.CreationTime == 0);
    BwFreeInfo(&in);
    in.cbSize = 12;
    assert_hr(E_INVALIDARG, BwJobGetInfo(h, &in));
    assert_hr(E_POINTER, BwJobGetInfo(h, NULL));
    BwJobClose(h);
}

static void enum_counts_and_reports_more_data(void **state)
{
    for (int i = 0; i < 5; i++)
        fake_job_add(BW_TYPE_DOWNLOAD);
    UINT32 count = 99;
    assert_hr(HRESULT_FROM_WIN32(ERROR_MORE_DATA), BwEnumJobs(0, NULL, 0, &count));
    assert_int_equal(count, 5);
    GUID ids[8];
    memset(ids, 0xAB, sizeof ids);
    assert_hr(HRESULT_FROM_WIN32(ERROR_MORE_DATA), BwEnumJobs(0, ids, 3, &count));
    assert_int_equal(count, 5);
    assert_int_equal(ids[2].Data4[7], 3);
    assert_int_equal(ids[3].Data1, 0xABABABABu); /* nothing past capacity */
    assert_hr(S_OK, BwEnumJobs(0, ids, 8, &count));
    assert_int_equal(count, 5);
    assert_int_equal(ids[4].Data4[7], 5);
}

static void enum_checks_arguments_and_access(void **state)
{
    UINT32 count = 7;
    GUID ids[2];
    assert_hr(E_POINTER, BwEnumJobs(0, ids, 2, NULL));
    assert_hr(E_POINTER, BwEnumJobs(0, NULL, 2, &count));
    assert_hr(E_INVALIDARG, BwEnumJobs(0x2, ids, 2, &count));
    assert_hr(E_ACCESSDENIED, BwEnumJobs(BW_ENUM_ALL_USERS, ids, 2, &count));
    assert_int_equal(count, 0);
    fake_enum_admin = 1;
    assert_hr(S_OK, BwEnumJobs(BW_ENUM_ALL_USERS, ids, 2, &count));
    assert_int_equal(count, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(error_without_bits_text_gets_the_library_text),
        T(error_text_from_bits_is_kept),
        T(every_context_has_a_description),
        T(no_error_outside_an_error_state),
        T(error_bad_arguments),
        T(free_error_after_a_bad_cbsize_does_nothing),
        T(free_info_after_a_bad_cbsize_does_nothing),
        T(failed_calls_with_a_published_cbsize_leave_zeros),
        T(free_after_success_clears_and_is_idempotent),
        T(info_copies_every_property),
        T(info_says_when_the_priority_is_not_reported),
        T(info_leaves_unimplemented_properties_empty),
        T(enum_counts_and_reports_more_data),
        T(enum_checks_arguments_and_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
