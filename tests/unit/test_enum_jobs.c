/*
 * test_enum_jobs.c - BwEnumJobs (enum_jobs.c) against the fake backend: the
 * count / ERROR_MORE_DATA protocol, flags, and the backend's failures.
 */
#include "fake_backend.h"
#include "test_common.h"

static int setup(void **state)
{
    fake_backend_install();
    return 0;
}

static int teardown(void **state)
{
    fake_backend_uninstall();
    return 0;
}

static void count_first_then_all(void **state)
{
    for (unsigned i = 0; i < 5; i++)
        fake_job_add(BW_TYPE_DOWNLOAD);
    UINT32 n = 99;
    assert_hr(HRESULT_FROM_WIN32(ERROR_MORE_DATA), BwEnumJobs(0, NULL, 0, &n));
    assert_int_equal(n, 5);
    GUID ids[8];
    assert_hr(HRESULT_FROM_WIN32(ERROR_MORE_DATA), BwEnumJobs(0, ids, 2, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(&ids[1], &fake_job_at(1)->id, sizeof(GUID)); /* the first 2 */
    assert_hr(S_OK, BwEnumJobs(0, ids, 8, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(&ids[4], &fake_job_at(4)->id, sizeof(GUID));
}

static void an_empty_queue_is_s_ok_with_zero(void **state)
{
    UINT32 n = 99;
    assert_hr(S_OK, BwEnumJobs(0, NULL, 0, &n));
    assert_int_equal(n, 0);
}

static void jobs_that_left_are_not_listed(void **state)
{
    fake_job_add(BW_TYPE_DOWNLOAD);
    fake_job_leave(fake_job_add(BW_TYPE_DOWNLOAD), BW_STATE_CANCELLED);
    GUID ids[4];
    UINT32 n = 0;
    assert_hr(S_OK, BwEnumJobs(0, ids, 4, &n));
    assert_int_equal(n, 1);
}

static void bad_arguments_and_access(void **state)
{
    GUID ids[2];
    UINT32 n = 7;
    assert_hr(E_POINTER, BwEnumJobs(0, ids, 2, NULL));
    assert_hr(E_POINTER, BwEnumJobs(0, NULL, 2, &n));
    assert_int_equal(n, 0);
    assert_hr(E_INVALIDARG, BwEnumJobs(0x2, ids, 2, &n));
    assert_hr(E_ACCESSDENIED, BwEnumJobs(BW_ENUM_ALL_USERS, ids, 2, &n));
    fake_enum_admin = 1;
    assert_hr(S_OK, BwEnumJobs(BW_ENUM_ALL_USERS, ids, 2, &n));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(count_first_then_all),
        T(an_empty_queue_is_s_ok_with_zero),
        T(jobs_that_left_are_not_listed),
        T(bad_arguments_and_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
