/*
 * test_wstr.c - the UTF-16 helpers (wstr.c): bounded length, appending with
 * the needed size counted past the end, cuts that never split a surrogate
 * pair, and the copies.
 */
#include <stdlib.h>

#include "test_common.h"

static void wcsnlen_stops_at_nul_or_max(void **state)
{
    assert_int_equal(bw__wcsnlen(wz(""), 10), 0);
    assert_int_equal(bw__wcsnlen(wz("abc"), 10), 3);
    assert_int_equal(bw__wcsnlen(wz("abcdef"), 4), 4); /* no NUL within max */
}

static void append_counts_what_did_not_fit(void **state)
{
    WCHAR buf[8];
    UINT32 len = 0;
    bw__append_ascii(buf, 8, &len, "abc");
    bw__append_wide(buf, 8, &len, wz("defghij"));
    assert_int_equal(len, 10);         /* the whole text needs len + 1 */
    assert_true(weq(buf, "abcdefg"));  /* what fits, NUL-terminated */
    len = 0;
    bw__append_ascii(NULL, 0, &len, "hello"); /* measuring only */
    assert_int_equal(len, 5);
}

static void a_cut_never_splits_a_surrogate_pair(void **state)
{
    /* "ab" + U+1F600 (D83D DE00): with room for 3 units and the NUL, the pair
     * does not fit whole, so the cut goes before it, not between its halves. */
    const WCHAR text[] = {'a', 'b', 0xD83D, 0xDE00, 0};
    WCHAR buf[4];
    UINT32 len = 0;
    bw__append_wide(buf, 4, &len, text);
    assert_int_equal(len, 4);
    assert_int_equal(buf[0], 'a');
    assert_int_equal(buf[1], 'b');
    assert_int_equal(buf[2], 0); /* not a lone high surrogate */
    WCHAR big[5];
    len = 0;
    bw__append_wide(big, 5, &len, text); /* fits whole */
    assert_int_equal(big[2], 0xD83D);
    assert_int_equal(big[3], 0xDE00);
    assert_int_equal(big[4], 0);
}

static void copies_are_whole_and_null_stays_null(void **state)
{
    WCHAR *a = bw__wcsdup(wz("x y"));
    WCHAR *b = bw__wcsdup_ascii("plain");
    assert_true(weq(a, "x y"));
    assert_true(weq(b, "plain"));
    assert_null(bw__wcsdup(NULL));
    assert_null(bw__wcsdup_ascii(NULL));
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wcsnlen_stops_at_nul_or_max),
        cmocka_unit_test(append_counts_what_did_not_fit),
        cmocka_unit_test(a_cut_never_splits_a_surrogate_pair),
        cmocka_unit_test(copies_are_whole_and_null_stays_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
