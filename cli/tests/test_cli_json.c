/*
 * test_cli_json.c - the JSON writer of bitswatch.exe's --json output
 * (cli/json.c) and the objects made from the library's structs
 * (cli/jsonjob.c), with made-up values, under Wine.
 *
 * Escaping (quote, backslash, every control character, DEL and C1, bidi
 * controls), UTF-16 to UTF-8 (pairs, lone surrogates of either kind at any
 * place), malformed UTF-8, numbers (sizes with unknown as null, doubles
 * that JSON cannot hold), FILETIMEs as ISO 8601, nesting and commas, and
 * the members of a status, an info and an error.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "jsonjob.h"

/* The JSON text of one UTF-16 string value. */
static void wstr_is(const WCHAR *s, const char *want)
{
    bw_json j;
    bw_json_init(&j);
    bw_json_wstr(&j, NULL, s);
    assert_non_null(bw_json_text(&j));
    assert_string_equal(bw_json_text(&j), want);
    bw_json_free(&j);
}

static void str_is(const char *s, const char *want)
{
    bw_json j;
    bw_json_init(&j);
    bw_json_str(&j, NULL, s);
    assert_non_null(bw_json_text(&j));
    assert_string_equal(bw_json_text(&j), want);
    bw_json_free(&j);
}

static void escapes_what_json_requires(void **state)
{
    (void)state;
    wstr_is(L"plain", "\"plain\"");
    wstr_is(L"", "\"\"");
    wstr_is(L"q\"b\\s/", "\"q\\\"b\\\\s/\""); /* '/' needs no escape */
    wstr_is(L"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
    wstr_is(L"\x01\x1f\x1b[31m", "\"\\u0001\\u001F\\u001B[31m\"");
    /* U+0000 inside a counted string cannot occur (NUL ends the text). */
    wstr_is(NULL, "null");
}

static void every_control_character_escaped(void **state)
{
    (void)state;
    for (WCHAR c = 1; c < 0x20; c++) {
        WCHAR s[2] = {c, 0};
        bw_json j;
        bw_json_init(&j);
        bw_json_wstr(&j, NULL, s);
        const char *t = bw_json_text(&j);
        assert_non_null(t);
        for (const char *p = t; *p; p++)
            assert_true((unsigned char)*p >= 0x20); /* no raw control byte */
        assert_int_equal(t[0], '"');
        assert_int_equal(t[1], '\\');
        bw_json_free(&j);
    }
}

static void terminal_controls_escaped_not_dropped(void **state)
{
    (void)state;
    /* DEL, C1 (CSI as one character), bidi override, line separator: the
     * characters stay (decoding gives them back) but no raw byte of them. */
    wstr_is(L"a\x7f" L"b\x9b" L"c", "\"a\\u007Fb\\u009Bc\"");
    wstr_is(L"\x202e" L"gnp.exe", "\"\\u202Egnp.exe\"");
    wstr_is(L"\x200e\x200f\x2066\x2069\x2028\x2029",
            "\"\\u200E\\u200F\\u2066\\u2069\\u2028\\u2029\"");
}

static void utf16_to_utf8(void **state)
{
    (void)state;
    wstr_is(L"caf\x00e9", "\"caf\xc3\xa9\"");                  /* U+00E9 */
    wstr_is(L"\x65e5\x672c", "\"\xe6\x97\xa5\xe6\x9c\xac\"");   /* CJK, 3 bytes each */
    wstr_is(L"\xd83d\xde00", "\"\xf0\x9f\x98\x80\"");           /* U+1F600, a pair */
    wstr_is(L"\xdbff\xdfff", "\"\xf4\x8f\xbf\xbf\"");           /* U+10FFFF */
    wstr_is(L"\xfeff\xfffd", "\"\xef\xbb\xbf\xef\xbf\xbd\"");   /* BOM, U+FFFD itself */
}

#define FFFD "\xef\xbf\xbd"

static void lone_surrogates_become_replacement(void **state)
{
    (void)state;
    wstr_is(L"\xd800", "\"" FFFD "\"");                 /* lone high, alone */
    wstr_is(L"a\xd83d", "\"a" FFFD "\"");               /* high at the end */
    wstr_is(L"\xde00z", "\"" FFFD "z\"");               /* lone low at the start */
    wstr_is(L"a\xd83d" L"b", "\"a" FFFD "b\"");         /* high, then not a low */
    wstr_is(L"\xd83d\xd83d\xde00", "\"" FFFD "\xf0\x9f\x98\x80\""); /* high, then a pair */
    wstr_is(L"\xde00\xd83d", "\"" FFFD FFFD "\"");      /* low before high: two lone */
    wstr_is(L"\xd83d\"", "\"" FFFD "\\\"\"");           /* high, then a character to escape */
}

static void malformed_utf8_becomes_replacement(void **state)
{
    (void)state;
    str_is("ok \xc3\xa9", "\"ok \xc3\xa9\"");
    str_is("\xff", "\"" FFFD "\"");                       /* never valid */
    str_is("a\xc3", "\"a" FFFD "\"");                     /* cut sequence */
    str_is("\xc0\xaf", "\"" FFFD FFFD "\"");              /* overlong '/' */
    str_is("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");     /* an encoded surrogate */
    str_is("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* past U+10FFFF */
    str_is("t\x01\"", "\"t\\u0001\\\"\"");
    str_is(NULL, "null");
}

static void numbers_and_null(void **state)
{
    bw_json j;
    (void)state;
    bw_json_init(&j);
    bw_json_begin(&j, NULL);
    bw_json_u64(&j, "u", 18446744073709551614ull);
    bw_json_size(&j, "known", 0);
    bw_json_size(&j, "unknown", BW_SIZE_UNKNOWN);
    bw_json_i64(&j, "neg", -1);
    bw_json_i64(&j, "min", INT64_MIN);
    bw_json_double(&j, "d", 1536.25);
    bw_json_double(&j, "whole", 65536.0);
    bw_json_double(&j, "tiny", 0.0004);
    bw_json_double(&j, "zero", -0.0);
    bw_json_double(&j, "nan", NAN);
    bw_json_double(&j, "inf", INFINITY);
    bw_json_double(&j, "ninf", -INFINITY);
    bw_json_null(&j, "n");
    bw_json_hresult(&j, "hr", (HRESULT)0x80190194);
    bw_json_hresult(&j, "ok", S_OK);
    bw_json_end(&j);
    assert_string_equal(bw_json_text(&j),
                        "{\"u\":18446744073709551614,\"known\":0,\"unknown\":null,\"neg\":-1,"
                        "\"min\":-9223372036854775808,\"d\":1536.25,\"whole\":65536,"
                        "\"tiny\":0,\"zero\":0,\"nan\":null,\"inf\":null,\"ninf\":null,"
                        "\"n\":null,\"hr\":\"0x80190194\",\"ok\":\"0x00000000\"}");
    bw_json_free(&j);
}

static void nesting_and_commas(void **state)
{
    bw_json j;
    (void)state;
    bw_json_init(&j);
    assert_string_equal(bw_json_text(&j), "");
    bw_json_begin(&j, NULL);
    assert_null(bw_json_text(&j)); /* still open */
    bw_json_str(&j, "a", "x");
    bw_json_begin(&j, "inner");
    bw_json_end(&j);
    bw_json_begin(&j, "e");
    bw_json_null(&j, "k\"ey"); /* keys are escaped too */
    bw_json_u64(&j, "n", 1);
    bw_json_end(&j);
    bw_json_end(&j);
    assert_string_equal(bw_json_text(&j),
                        "{\"a\":\"x\",\"inner\":{},\"e\":{\"k\\\"ey\":null,\"n\":1}}");
    /* Cleared for the next line: the buffer is reused, the state is fresh. */
    bw_json_clear(&j);
    bw_json_begin(&j, NULL);
    bw_json_u64(&j, "b", 2);
    bw_json_end(&j);
    assert_string_equal(bw_json_text(&j), "{\"b\":2}");
    bw_json_free(&j);
}

static void too_deep_fails_whole(void **state)
{
    bw_json j;
    (void)state;
    bw_json_init(&j);
    for (int i = 0; i <= BW_JSON_MAX_DEPTH; i++)
        bw_json_begin(&j, i ? "x" : NULL);
    for (int i = 0; i <= BW_JSON_MAX_DEPTH; i++)
        bw_json_end(&j);
    assert_true(j.failed);
    assert_null(bw_json_text(&j));
    bw_json_free(&j);
}

static void long_text_grows(void **state)
{
    static WCHAR big[20001];
    bw_json j;
    (void)state;
    for (int i = 0; i < 20000; i++)
        big[i] = (i % 3) ? L'x' : 0x0001; /* each \u0001 takes 6 bytes */
    big[20000] = 0;
    bw_json_init(&j);
    bw_json_wstr(&j, NULL, big);
    const char *t = bw_json_text(&j);
    assert_non_null(t);
    /* 6,667 controls (i = 0, 3, ..., 19998) of 6 bytes, 13,333 x, 2 quotes */
    assert_int_equal(strlen(t), 2 + 13333 + 6667 * 6);
    bw_json_free(&j);
}

/* FILETIME of a UTC date and time, with SystemTimeToFileTime. */
static UINT64 ft_of(WORD y, WORD mo, WORD d, WORD h, WORD mi, WORD s, WORD ms)
{
    SYSTEMTIME st = {y, mo, 0, d, h, mi, s, ms};
    FILETIME ft;
    assert_true(SystemTimeToFileTime(&st, &ft));
    return ((UINT64)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static void filetimes_as_iso8601(void **state)
{
    char t[40];
    (void)state;
    assert_true(bw_json_filetime_text(t, sizeof t, ft_of(2026, 11, 29, 20, 15, 3, 123)));
    assert_string_equal(t, "2026-11-29T20:15:03.123Z");
    assert_true(bw_json_filetime_text(t, sizeof t, 1));
    assert_string_equal(t, "1601-01-01T00:00:00.000Z");
    assert_true(bw_json_filetime_text(t, sizeof t, ft_of(2024, 2, 29, 23, 59, 59, 999) + 9999));
    assert_string_equal(t, "2024-02-29T23:59:59.999Z"); /* cut, not rounded up */
    assert_true(bw_json_filetime_text(t, sizeof t, ft_of(1970, 1, 1, 0, 0, 0, 0)));
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
    assert_true(bw_json_filetime_text(t, sizeof t, ft_of(2000, 3, 1, 0, 0, 0, 0) - 1));
    assert_string_equal(t, "2000-02-29T23:59:59.999Z");
    assert_true(bw_json_filetime_text(t, sizeof t, ft_of(2100, 3, 1, 12, 0, 0, 0)));
    assert_string_equal(t, "2100-03-01T12:00:00.000Z");
    assert_true(bw_json_filetime_text(t, sizeof t, ft_of(9999, 12, 31, 23, 59, 59, 999)));
    assert_string_equal(t, "9999-12-31T23:59:59.999Z");
    /* Every day of four years (one a leap year) agrees with the system. */
    for (UINT64 ft = ft_of(2023, 1, 1, 7, 8, 9, 10); ft < ft_of(2027, 1, 2, 0, 0, 0, 0);
         ft += 864000000000ull) {
        FILETIME f = {(DWORD)ft, (DWORD)(ft >> 32)};
        SYSTEMTIME st;
        char want[40];
        assert_true(FileTimeToSystemTime(&f, &st));
        snprintf(want, sizeof want, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", st.wYear, st.wMonth,
                 st.wDay, st.wHour, st.wMinute, st.wSecond, st.wMilliseconds);
        assert_true(bw_json_filetime_text(t, sizeof t, ft));
        assert_string_equal(t, want);
    }
    /* No time, or past year 9999: nothing. */
    assert_false(bw_json_filetime_text(t, sizeof t, 0));
    assert_string_equal(t, "");
    assert_false(bw_json_filetime_text(t, sizeof t, ft_of(9999, 12, 31, 23, 59, 59, 999) + 10000));
    assert_false(bw_json_filetime_text(t, sizeof t, UINT64_MAX));

    bw_json j;
    bw_json_init(&j);
    bw_json_begin(&j, NULL);
    bw_json_filetime(&j, "a", ft_of(2026, 11, 29, 20, 15, 3, 123));
    bw_json_filetime(&j, "b", 0);
    bw_json_end(&j);
    assert_string_equal(bw_json_text(&j), "{\"a\":\"2026-11-29T20:15:03.123Z\",\"b\":null}");
    bw_json_free(&j);
}

static void guid_as_text(void **state)
{
    static const GUID g = {0x0f1e2d3c, 0x4b5a, 0x6978, {0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0}};
    bw_json j;
    (void)state;
    bw_json_init(&j);
    bw_json_guid(&j, NULL, &g);
    assert_string_equal(bw_json_text(&j), "\"{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\"");
    bw_json_free(&j);
}

/* Enumerations carry the library's names (BwStateName & co.); a value it
 * does not know is null with its number; a priority the service did not
 * report (BW_PRIORITY_UNKNOWN, Wine) is null and null. */
static void enumeration_names(void **state)
{
    BW_INFO in;
    BW_STATUS st;
    bw_json j;
    (void)state;

    memset(&in, 0, sizeof in);
    in.Type = 3;
    in.Priority = BW_PRIORITY_UNKNOWN;
    bw_json_init(&j);
    bw_json_begin(&j, NULL);
    bw_json_info_members(&j, &in);
    bw_json_end(&j);
    assert_non_null(strstr(bw_json_text(&j), "\"Type\":null,\"TypeCode\":3,"
                                             "\"Priority\":null,\"PriorityCode\":null,"));
    bw_json_free(&j);

    in.Type = BW_TYPE_UPLOAD_REPLY;
    in.Priority = 4;
    bw_json_init(&j);
    bw_json_begin(&j, NULL);
    bw_json_info_members(&j, &in);
    bw_json_end(&j);
    assert_non_null(strstr(bw_json_text(&j), "\"Type\":\"UploadReply\",\"TypeCode\":2,"
                                             "\"Priority\":null,\"PriorityCode\":4,"));
    bw_json_free(&j);

    memset(&st, 0, sizeof st);
    st.State = 9;
    st.ErrorCode = (HRESULT)0x80190194;
    st.ErrorContext = 8;
    bw_json_init(&j);
    bw_json_begin(&j, NULL);
    bw_json_status_members(&j, &st, NULL, 0);
    bw_json_end(&j);
    assert_non_null(strstr(bw_json_text(&j), "\"State\":null,\"StateCode\":9,"));
    assert_non_null(strstr(bw_json_text(&j),
                           "\"ErrorContext\":\"ServerCertificateCallback\",\"ErrorContextCode\":8,"));
    bw_json_free(&j);
    st.State = BW_STATE_TRANSIENT_ERROR;
    st.ErrorContext = 9;
    bw_json_init(&j);
    bw_json_begin(&j, NULL);
    bw_json_status_members(&j, &st, NULL, 0);
    bw_json_end(&j);
    assert_non_null(strstr(bw_json_text(&j), "\"State\":\"TransientError\",\"StateCode\":5,"));
    assert_non_null(strstr(bw_json_text(&j), "\"ErrorContext\":null,\"ErrorContextCode\":9,"));
    bw_json_free(&j);
}

static void status_object(void **state)
{
    BW_STATUS st;
    bw_json j;
    (void)state;
    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    st.State = BW_STATE_ERROR;
    st.Type = BW_TYPE_DOWNLOAD;
    st.Changed = BW_CHANGED_STATE | BW_CHANGED_ERROR;
    st.Sequence = 3;
    st.Timestamp = ft_of(2026, 11, 29, 20, 15, 3, 123);
    st.BytesTotal = BW_SIZE_UNKNOWN;
    st.BytesTransferred = 4096;
    st.FilesTotal = 1;
    st.ReplyBytesTotal = BW_SIZE_UNKNOWN;
    st.ErrorCode = (HRESULT)0x80190194;
    st.ErrorContext = BW_CONTEXT_REMOTE_FILE;
    st.EtaSeconds = -1;
    bw_json_init(&j);
    bw_json_begin_line(&j, "status");
    bw_json_str(&j, "JobId", "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}");
    bw_json_status_members(&j, &st, L"HTTP 404 Not Found", 1);
    bw_json_end(&j);
    assert_string_equal(bw_json_text(&j),
                        "{\"schema\":1,\"kind\":\"status\","
                        "\"JobId\":\"{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\","
                        "\"State\":\"Error\",\"StateCode\":4,\"Type\":\"Download\",\"TypeCode\":0,"
                        "\"Changed\":9,\"Sequence\":3,\"Timestamp\":\"2026-11-29T20:15:03.123Z\","
                        "\"BytesTotal\":null,\"BytesTransferred\":4096,\"FilesTotal\":1,"
                        "\"FilesTransferred\":0,\"ReplyBytesTotal\":null,\"ReplyBytesTransferred\":0,"
                        "\"ErrorCode\":\"0x80190194\",\"ErrorContext\":\"RemoteFile\","
                        "\"ErrorContextCode\":5,\"ErrorText\":\"HTTP 404 Not Found\","
                        "\"BytesPerSecond\":0,\"EtaSeconds\":null}");

    /* No error: the Error* members are null; a known ETA is a number. */
    st.State = BW_STATE_TRANSFERRING;
    st.ErrorCode = 0;
    st.ErrorContext = 0;
    st.BytesTotal = 8192;
    st.BytesPerSecond = 1024.5;
    st.EtaSeconds = 4;
    st.Timestamp = 0;
    bw_json_clear(&j);
    bw_json_begin_line(&j, "status");
    bw_json_status_members(&j, &st, L"ignored without an error", 0);
    bw_json_end(&j);
    assert_string_equal(bw_json_text(&j),
                        "{\"schema\":1,\"kind\":\"status\","
                        "\"State\":\"Transferring\",\"StateCode\":2,"
                        "\"Changed\":9,\"Sequence\":3,\"Timestamp\":null,"
                        "\"BytesTotal\":8192,\"BytesTransferred\":4096,\"FilesTotal\":1,"
                        "\"FilesTransferred\":0,\"ReplyBytesTotal\":null,\"ReplyBytesTransferred\":0,"
                        "\"ErrorCode\":null,\"ErrorContext\":null,\"ErrorContextCode\":null,"
                        "\"ErrorText\":null,\"BytesPerSecond\":1024.5,\"EtaSeconds\":4}");
    bw_json_free(&j);
}

static void info_and_error_objects(void **state)
{
    static const GUID g = {0x0f1e2d3c, 0x4b5a, 0x6978, {0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0}};
    WCHAR name[] = L"na\"me\xd800";
    WCHAR desc[] = L"line1\r\nline2";
    WCHAR url[] = L"http://127.0.0.1/status/404";
    WCHAR text[] = L"HTTP 404";
    BW_INFO in;
    BW_ERROR e;
    bw_json j;
    (void)state;

    memset(&in, 0, sizeof in);
    in.cbSize = sizeof in;
    in.JobId = g;
    in.DisplayName = name;
    in.Description = desc;
    in.Type = BW_TYPE_UPLOAD;
    in.Priority = 2;
    in.CreationTime = ft_of(2026, 1, 2, 3, 4, 5, 6);
    in.ErrorCount = 7;
    memset(&e, 0, sizeof e);
    e.cbSize = sizeof e;
    e.ErrorCode = (HRESULT)0x80190194;
    e.Context = BW_CONTEXT_REMOTE_FILE;
    e.Description = text;
    e.RemoteName = url;

    bw_json_init(&j);
    bw_json_begin_line(&j, "info");
    bw_json_info_members(&j, &in);
    bw_json_error_object(&j, "Error", &e);
    bw_json_error_object(&j, "None", NULL);
    bw_json_end(&j);
    assert_string_equal(bw_json_text(&j),
                        "{\"schema\":1,\"kind\":\"info\","
                        "\"JobId\":\"{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\","
                        "\"DisplayName\":\"na\\\"me" FFFD "\",\"Description\":\"line1\\r\\nline2\","
                        "\"Owner\":null,\"Type\":\"Upload\",\"TypeCode\":1,"
                        "\"Priority\":\"Normal\",\"PriorityCode\":2,"
                        "\"CreationTime\":\"2026-01-02T03:04:05.006Z\",\"ModificationTime\":null,"
                        "\"TransferCompletionTime\":null,\"ErrorCount\":7,"
                        "\"Error\":{\"ErrorCode\":\"0x80190194\",\"Context\":\"RemoteFile\","
                        "\"ContextCode\":5,\"Description\":\"HTTP 404\",\"ContextDescription\":null,"
                        "\"RemoteName\":\"http://127.0.0.1/status/404\",\"LocalName\":null,"
                        "\"Protocol\":null},\"None\":null}");
    bw_json_free(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_what_json_requires),
        cmocka_unit_test(every_control_character_escaped),
        cmocka_unit_test(terminal_controls_escaped_not_dropped),
        cmocka_unit_test(utf16_to_utf8),
        cmocka_unit_test(lone_surrogates_become_replacement),
        cmocka_unit_test(malformed_utf8_becomes_replacement),
        cmocka_unit_test(numbers_and_null),
        cmocka_unit_test(nesting_and_commas),
        cmocka_unit_test(too_deep_fails_whole),
        cmocka_unit_test(long_text_grows),
        cmocka_unit_test(filetimes_as_iso8601),
        cmocka_unit_test(guid_as_text),
        cmocka_unit_test(enumeration_names),
        cmocka_unit_test(status_object),
        cmocka_unit_test(info_and_error_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
