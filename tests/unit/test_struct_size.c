/*
 * test_struct_size.c - struct_size.c: which cbSize values each struct
 * accepts (every published size, nothing else), and the start of a call
 * with an out-struct (bw__out_struct_begin): NULL, a bad size left
 * untouched, a good one cleared after cbSize.
 */
#include "test_common.h"

static void only_published_sizes_are_accepted(void **state)
{
    const struct {
        int (*ok)(UINT32);
        UINT32 size;
    } k[] = {
        {bw__status_size_ok, sizeof(BW_STATUS)},
        {bw__queue_status_size_ok, sizeof(BW_QUEUE_STATUS)},
        {bw__progress_size_ok, sizeof(BW_PROGRESS)},
        {bw__reply_progress_size_ok, sizeof(BW_REPLY_PROGRESS)},
        {bw__error_size_ok, sizeof(BW_ERROR)},
        {bw__info_size_ok, sizeof(BW_INFO)},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        assert_true(k[i].ok(k[i].size));
        assert_false(k[i].ok(0));
        assert_false(k[i].ok(k[i].size - 1));
        assert_false(k[i].ok(k[i].size + 8));
        assert_false(k[i].ok(0xFFFFFFFFu));
    }
}

static void out_struct_begin_checks_then_clears(void **state)
{
    UINT32 cb = 77;
    assert_hr(E_POINTER, bw__out_struct_begin(NULL, bw__status_size_ok, &cb));
    BW_STATUS st;
    memset(&st, 0xAB, sizeof st);
    st.cbSize = 12;
    assert_hr(E_INVALIDARG, bw__out_struct_begin(&st, bw__status_size_ok, &cb));
    assert_int_equal(st.State, 0xABABABABu); /* untouched: the struct is the problem */
    st.cbSize = sizeof st;
    assert_hr(S_OK, bw__out_struct_begin(&st, bw__status_size_ok, &cb));
    assert_int_equal(cb, sizeof st);
    assert_int_equal(st.cbSize, sizeof st);
    assert_int_equal(st.State, 0);
    assert_int_equal(st.EtaSeconds, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_published_sizes_are_accepted),
        cmocka_unit_test(out_struct_begin_checks_then_clears),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
