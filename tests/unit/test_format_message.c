/* test_format_message.c - BwFormatMessage, BwStateName and BwGetVersion, and
 * the truncation rule of the UTF-16 append helpers. */
#include <stdlib.h>

#include "test_common.h"

#define ERROR_INSUFFICIENT_BUFFER_HR ((HRESULT)0x8007007A)

static void text_of(HRESULT hr, WCHAR *buf, UINT32 cch)
{
    UINT32 needed = 0;
    assert_hr(S_OK, BwFormatMessage(hr, buf, cch, &needed));
    assert_true(needed >= 2 && needed <= cch);
}

static void bits_codes_have_symbolic_names(void **state)
{
    WCHAR buf[256];
    text_of(BG_E_NOT_FOUND, buf, 256);
    assert_true(weq(buf, "BG_E_NOT_FOUND: The requested job was not found."));
    text_of((HRESULT)0x0020001A, buf, 256);
    assert_true(wcontains(buf, "BG_S_UNABLE_TO_DELETE_FILES"));
    text_of((HRESULT)0x80200054, buf, 256); /* not in mingw's bitsmsg.h */
    assert_true(wcontains(buf, "BG_E_MAXDOWNLOAD_TIMEOUT"));
    text_of(BW_E_NOT_UPLOAD_REPLY, buf, 256);
    assert_true(wcontains(buf, "BW_E_NOT_UPLOAD_REPLY"));
}

static void http_codes_read_as_http_status(void **state)
{
    WCHAR buf[256];
    text_of((HRESULT)0x80190194, buf, 256);
    assert_true(weq(buf, "HTTP 404 Not Found"));
    text_of((HRESULT)0x801901F7, buf, 256);
    assert_true(weq(buf, "HTTP 503 Service Unavailable"));
    text_of((HRESULT)0x80190258, buf, 256); /* 600: no reason phrase known */
    assert_true(wcontains(buf, "HTTP 600"));
}

static void system_codes_come_from_the_system(void **state)
{
    WCHAR buf[512];
    /* Windows says "Access is denied.", Wine "Access denied.". */
    text_of(E_ACCESSDENIED, buf, 512);
    assert_true(wcontains(buf, "ccess"));
    assert_true(wcontains(buf, "denied"));
    text_of((HRESULT)0x800706BA, buf, 512);
    assert_true(wcontains(buf, "RPC server"));
    /* Never empty, even for a code nobody knows. */
    text_of((HRESULT)0xE1234567, buf, 512);
    assert_true(buf[0] != 0);
}

static void small_buffers_get_the_size_and_a_terminated_prefix(void **state)
{
    WCHAR buf[8];
    UINT32 needed = 0;
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
              BwFormatMessage((HRESULT)0x80190194, NULL, 0, &needed));
    assert_int_equal(needed, sizeof("HTTP 404 Not Found"));
    memset(buf, 0x55, sizeof buf);
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
              BwFormatMessage((HRESULT)0x80190194, buf, 8, &needed));
    assert_true(weq(buf, "HTTP 40"));
    WCHAR exact[sizeof("HTTP 404 Not Found")];
    assert_hr(S_OK, BwFormatMessage((HRESULT)0x80190194, exact, sizeof("HTTP 404 Not Found"), NULL));
    assert_true(weq(exact, "HTTP 404 Not Found"));
    assert_hr(E_POINTER, BwFormatMessage(S_OK, NULL, 10, &needed));
}

/* A cut never leaves the high half of a surrogate pair before the NUL: the
 * whole pair goes, and the count still covers the whole text. */
static void appends_cut_before_a_surrogate_pair(void **state)
{
    /* "abcd" U+1F600 "ef": 8 units, the pair at 4 and 5. */
    static const WCHAR text[] = {'a', 'b', 'c', 'd', 0xD83D, 0xDE00, 'e', 'f', 0};
    for (UINT32 cch = 1; cch <= 9; cch++) {
        WCHAR buf[9];
        UINT32 len = 0;
        memset(buf, 0x55, sizeof buf);
        buf[0] = 0;
        bw__append_wide(buf, cch, &len, text);
        assert_int_equal(len, 8);
        size_t kept = bw__wcsnlen(buf, cch);
        assert_true(kept < cch); /* NUL-terminated inside the buffer */
        if (cch == 6)
            assert_int_equal(kept, 4); /* "abcd": not "abcd" + a lone 0xD83D */
        assert_false(kept > 0 && buf[kept - 1] >= 0xD800 && buf[kept - 1] <= 0xDBFF);
        assert_memory_equal(buf, text, kept * sizeof(WCHAR));
    }
    /* The same at the joint of two appends (ASCII after a lone high surrogate). */
    static const WCHAR high_last[] = {'x', 0xD83D, 0};
    WCHAR buf[3];
    UINT32 len = 0;
    buf[0] = 0;
    bw__append_wide(buf, 3, &len, high_last);
    bw__append_ascii(buf, 3, &len, "yz");
    assert_int_equal(len, 4);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(buf[1], 0);
}

#ifndef _WIN32
#define NO_PAIR 0xFFFFFFFFu

/* A system text of n units ("abc..."), optionally with U+1F600 at pair_at. */
static WCHAR *long_text(UINT32 n, UINT32 pair_at)
{
    WCHAR *t = malloc((n + 1) * sizeof(WCHAR));
    assert_non_null(t);
    for (UINT32 i = 0; i < n; i++)
        t[i] = (WCHAR)('a' + i % 26);
    if (pair_at != NO_PAIR) {
        assert_true(pair_at + 1 < n);
        t[pair_at] = 0xD83D;
        t[pair_at + 1] = 0xDE00;
    }
    t[n] = 0;
    return t;
}

#define LONG_CODE ((HRESULT)0x80071234) /* a Win32 code: goes to the system */

static int clear_system_text(void **state)
{
    bw__posix_system_message_set(LONG_CODE, NULL);
    return 0;
}

/* The system's text in full whatever its length: *needed is its length + 1,
 * a buffer of that size gets all of it, one unit less is too small. */
static void long_system_texts_are_not_cut(void **state)
{
    static const struct {
        UINT32 n, pair_at;
    } cases[] = {{600, NO_PAIR}, {2000, NO_PAIR}, {511, NO_PAIR}, {512, 510}, {513, 511}, {2048, 2046}, {5000, 2046}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        UINT32 n = cases[i].n;
        WCHAR *text = long_text(n, cases[i].pair_at);
        bw__posix_system_message_set(LONG_CODE, text);
        UINT32 needed = 0;
        assert_hr(ERROR_INSUFFICIENT_BUFFER_HR, BwFormatMessage(LONG_CODE, NULL, 0, &needed));
        if (needed != n + 1)
            fail_msg("text of %u units: needed %u, expected %u", (unsigned)n, (unsigned)needed, (unsigned)n + 1);
        WCHAR *buf = malloc((n + 1) * sizeof(WCHAR));
        assert_non_null(buf);
        needed = 0;
        assert_hr(S_OK, BwFormatMessage(LONG_CODE, buf, n + 1, &needed));
        assert_int_equal(needed, n + 1);
        assert_memory_equal(buf, text, (n + 1) * sizeof(WCHAR));
        needed = 0;
        assert_hr(ERROR_INSUFFICIENT_BUFFER_HR, BwFormatMessage(LONG_CODE, buf, n, &needed));
        assert_int_equal(needed, n + 1);
        /* Cut to n - 1 units, or n - 2 when that would split the pair. */
        UINT32 kept = cases[i].pair_at == n - 2 ? n - 2 : n - 1;
        assert_int_equal(buf[kept], 0);
        assert_memory_equal(buf, text, kept * sizeof(WCHAR));
        free(buf);
        WCHAR *dup = bw__format_message_dup(LONG_CODE);
        assert_non_null(dup);
        assert_memory_equal(dup, text, (n + 1) * sizeof(WCHAR));
        free(dup);
        bw__posix_system_message_set(LONG_CODE, NULL);
        free(text);
    }
}

/* A caller's buffer that ends inside a surrogate pair gets the text up to the
 * pair; *needed still counts all of it. */
static void small_buffer_cuts_before_a_surrogate_pair(void **state)
{
    WCHAR *text = long_text(700, 600);
    bw__posix_system_message_set(LONG_CODE, text);
    WCHAR buf[603];
    UINT32 needed = 0;
    memset(buf, 0x55, sizeof buf);
    assert_hr(ERROR_INSUFFICIENT_BUFFER_HR, BwFormatMessage(LONG_CODE, buf, 602, &needed));
    assert_int_equal(needed, 701);
    assert_int_equal(buf[600], 0); /* not 0xD83D before the NUL */
    assert_memory_equal(buf, text, 600 * sizeof(WCHAR));
    assert_hr(ERROR_INSUFFICIENT_BUFFER_HR, BwFormatMessage(LONG_CODE, buf, 603, &needed));
    assert_int_equal(needed, 701);
    assert_int_equal(buf[602], 0); /* the whole pair fits */
    assert_memory_equal(buf, text, 602 * sizeof(WCHAR));
    bw__posix_system_message_set(LONG_CODE, NULL);
    free(text);
}
#endif

static void state_names_and_version(void **state)
{
    static const char *const names[] = {"Queued", "Connecting", "Transferring", "Suspended",
                                        "Error", "TransientError", "Transferred",
                                        "Acknowledged", "Cancelled"};
    for (UINT32 i = 0; i < 9; i++)
        assert_true(weq(BwStateName(i), names[i]));
    assert_true(weq(BwStateName(9), "Unknown"));
    assert_true(weq(BwStateName(0xFFFFFFFFu), "Unknown"));
    assert_int_equal(BwGetVersion(), BW_VERSION);
    assert_int_equal(BwGetVersion() >> 16, BW_VERSION_MAJOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bits_codes_have_symbolic_names),
        cmocka_unit_test(http_codes_read_as_http_status),
        cmocka_unit_test(system_codes_come_from_the_system),
        cmocka_unit_test(small_buffers_get_the_size_and_a_terminated_prefix),
        cmocka_unit_test(appends_cut_before_a_surrogate_pair),
#ifndef _WIN32
        cmocka_unit_test_teardown(long_system_texts_are_not_cut, clear_system_text),
        cmocka_unit_test_teardown(small_buffer_cuts_before_a_surrogate_pair, clear_system_text),
#endif
        cmocka_unit_test(state_names_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
