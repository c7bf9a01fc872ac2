/* test_format_message.c - BwFormatMessage, BwStateName and BwGetVersion. */
#include "test_common.h"

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
        cmocka_unit_test(state_names_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
