/*
 * test_cli_render.c - the CLI's formatting and sanitizing, without BITS.
 *
 * Plain asserts with the differing values printed: the CLI is built before
 * the test dependencies (cmocka) are known to CMake, and these checks need
 * nothing more. Runs under Wine (text.c uses WideCharToMultiByte).
 */
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "text.h"

static int failures;

#define CHECK_STR(got, want)                                                          \
    do {                                                                              \
        if (strcmp((got), (want)) != 0) {                                             \
            fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__,   \
                    (got), (want));                                                   \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static void test_bytes(void)
{
    char b[32];
    bw_fmt_bytes(b, sizeof b, 0);
    CHECK_STR(b, "0 B");
    bw_fmt_bytes(b, sizeof b, 1023);
    CHECK_STR(b, "1023 B");
    bw_fmt_bytes(b, sizeof b, 1024);
    CHECK_STR(b, "1.0 KB");
    bw_fmt_bytes(b, sizeof b, 13107200); /* 12.5 MiB */
    CHECK_STR(b, "12.5 MB");
    bw_fmt_bytes(b, sizeof b, 1048575); /* would round to "1024.0 KB" */
    CHECK_STR(b, "1.0 MB");
    bw_fmt_bytes(b, sizeof b, (UINT64)3 << 30);
    CHECK_STR(b, "3.0 GB");
    bw_fmt_bytes(b, sizeof b, BW_SIZE_UNKNOWN - 1);
    CHECK_STR(b, "16.0 EB");
}

static void test_progress(void)
{
    char b[64];
    bw_fmt_progress(b, sizeof b, 13107200, 41943040);
    CHECK_STR(b, "12.5 MB / 40.0 MB (31%)");
    bw_fmt_progress(b, sizeof b, 1258291, BW_SIZE_UNKNOWN);
    CHECK_STR(b, "1.2 MB of unknown");
    bw_fmt_progress(b, sizeof b, 0, 0);
    CHECK_STR(b, "0 B / 0 B");
    bw_fmt_progress(b, sizeof b, 999, 1000); /* rounded down: never 100% early */
    CHECK_STR(b, "999 B / 1000 B (99%)");
    bw_fmt_progress(b, sizeof b, 2000, 1000); /* a restarted file, for a moment */
    CHECK_STR(b, "2.0 KB / 1000 B (100%)");
}

static void test_rate_eta(void)
{
    char b[32];
    bw_fmt_rate(b, sizeof b, 1572864.0);
    CHECK_STR(b, "1.5 MB/s");
    bw_fmt_rate(b, sizeof b, 0.0);
    CHECK_STR(b, "");
    bw_fmt_rate(b, sizeof b, -5.0);
    CHECK_STR(b, "");
    bw_fmt_eta(b, sizeof b, 42);
    CHECK_STR(b, "ETA 0:42");
    bw_fmt_eta(b, sizeof b, 3723);
    CHECK_STR(b, "ETA 1:02:03");
    bw_fmt_eta(b, sizeof b, -1);
    CHECK_STR(b, "");
    bw_fmt_eta(b, sizeof b, 1000000);
    CHECK_STR(b, "ETA >99h");
}

static void test_line(void)
{
    BW_STATUS st;
    char b[256];

    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    st.State = BW_STATE_TRANSFERRING;
    st.BytesTransferred = 13107200;
    st.BytesTotal = 41943040;
    st.BytesPerSecond = 1572864.0;
    st.EtaSeconds = 42;
    bw_render_line(b, sizeof b, "1234ABCD", "Transferring", &st, NULL);
    CHECK_STR(b, "1234ABCD  Transferring    12.5 MB / 40.0 MB (31%)  1.5 MB/s  ETA 0:42");

    /* A finished job shows no rate or ETA, whatever the struct says. */
    st.State = BW_STATE_ACKNOWLEDGED;
    bw_render_line(b, sizeof b, "1234ABCD", "Acknowledged", &st, "completed");
    CHECK_STR(b, "1234ABCD  Acknowledged    12.5 MB / 40.0 MB (31%)  completed");

    st.State = BW_STATE_TRANSIENT_ERROR;
    st.ErrorCode = (HRESULT)0x8020002DL;
    st.BytesPerSecond = 0;
    st.EtaSeconds = -1;
    bw_render_line(b, sizeof b, "1234ABCD", "TransientError", &st, "");
    CHECK_STR(b, "1234ABCD  TransientError  12.5 MB / 40.0 MB (31%)  (retrying after 0x8020002D)");

    /* A small buffer is cut, never overrun. */
    char small[12];
    bw_render_line(small, sizeof small, "1234ABCD", "Transferring", &st, "x");
    CHECK_STR(small, "1234ABCD  T");
}

static void test_sanitize(void)
{
    char b[64];
    WCHAR w[8];

    bw_text_utf8(b, sizeof b, L"a\x1b[31mred\x07!");
    CHECK_STR(b, "a[31mred!");
    bw_text_utf8(b, sizeof b, L"  two\r\nlines\t\r\n");
    CHECK_STR(b, "two lines");
    bw_text_utf8(b, sizeof b, L"x\x202Ey\x2066z\x85");
    CHECK_STR(b, "xyz");
    bw_text_utf8(b, sizeof b, L"h\x00E9llo \x2713");
    CHECK_STR(b, "h\xC3\xA9llo \xE2\x9C\x93");
    bw_text_utf8(b, sizeof b, NULL);
    CHECK_STR(b, "");
    /* Cut to fit, at a character boundary: "é" takes two bytes. */
    char four[4];
    bw_text_utf8(four, sizeof four, L"a\x00E9\x00E9");
    CHECK_STR(four, "a\xC3\xA9");
    /* A cut never leaves half a surrogate pair. */
    bw_text_sanitize(w, 3, L"a\xD83D\xDE00");
    if (w[0] != L'a' || w[1] != 0) {
        fprintf(stderr, "%s:%d: surrogate pair was split\n", __FILE__, __LINE__);
        failures++;
    }
}

int main(void)
{
    test_bytes();
    test_progress();
    test_rate_eta();
    test_line();
    test_sanitize();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_cli_render: all checks passed\n");
    return 0;
}
