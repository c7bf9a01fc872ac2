/*
 * test_cli_render.c - the CLI's formatting and sanitizing, without BITS.
 *
 * Plain asserts with the differing values printed: the CLI is built before
 * the test dependencies (cmocka) are known to CMake, and these checks need
 * nothing more. Runs under Wine (text.c uses WideCharToMultiByte).
 */
#include <stdio.h>
#include <string.h>

#include "info.h"
#include "render.h"
#include "text.h"
#include "width.h"

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
    CHECK_STR(b, "ETA 11d 13:46:40");
    bw_fmt_eta(b, sizeof b, 99LL * 86400 + 1);
    CHECK_STR(b, "ETA >99d");
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
    bw_render_line(b, sizeof b, "1234ABCD", NULL, 0, "Transferring", &st, NULL);
    CHECK_STR(b, "1234ABCD  Transferring    12.5 MB / 40.0 MB (31%)  1.5 MB/s  ETA 0:42");

    /* A finished job shows no rate or ETA, whatever the struct says. */
    st.State = BW_STATE_ACKNOWLEDGED;
    bw_render_line(b, sizeof b, "1234ABCD", NULL, 0, "Acknowledged", &st, "completed");
    CHECK_STR(b, "1234ABCD  Acknowledged    12.5 MB / 40.0 MB (31%)  completed");

    st.State = BW_STATE_TRANSIENT_ERROR;
    st.ErrorCode = (HRESULT)0x8020002DL;
    st.BytesPerSecond = 0;
    st.EtaSeconds = -1;
    bw_render_line(b, sizeof b, "1234ABCD", NULL, 0, "TransientError", &st, "");
    CHECK_STR(b, "1234ABCD  TransientError  12.5 MB / 40.0 MB (31%)  (retrying after 0x8020002D)");

    /* A small buffer is cut, never overrun. */
    char small[12];
    bw_render_line(small, sizeof small, "1234ABCD", NULL, 0, "Transferring", &st, "x");
    CHECK_STR(small, "1234ABCD  T");
}

static void test_sanitize(void)
{
    char b[64];
    WCHAR w[8];

    /* Escape sequences go whole: not even their "[31m" is left. */
    bw_text_utf8(b, sizeof b, L"a\x1b[31mred\x07!");
    CHECK_STR(b, "ared!");
    bw_text_utf8(b, sizeof b, L"\x1b[31mred\x1b[0m");
    CHECK_STR(b, "red");
    bw_text_utf8(b, sizeof b, L"\x1b[?25l\x1b[2J\x1b[1;1Hx");
    CHECK_STR(b, "x");
    bw_text_utf8(b, sizeof b, L"t\x1b]0;title\x07i\x1b]8;;http://x\x1b\\tle");
    CHECK_STR(b, "title");
    bw_text_utf8(b, sizeof b, L"a\x9b" L"31mb\x1b" L"cc\x1b");
    CHECK_STR(b, "abc");
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

static void test_names(void)
{
    char b[64];
    GUID g = {0x0f1e2d3c, 0x4b5a, 0x6978, {0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0}};

    bw_fmt_priority(b, sizeof b, 0);
    CHECK_STR(b, "Foreground");
    bw_fmt_priority(b, sizeof b, 1);
    CHECK_STR(b, "High");
    bw_fmt_priority(b, sizeof b, 2);
    CHECK_STR(b, "Normal");
    bw_fmt_priority(b, sizeof b, 3);
    CHECK_STR(b, "Low");
    bw_fmt_priority(b, sizeof b, 7);
    CHECK_STR(b, "Unknown (7)");
    bw_fmt_type(b, sizeof b, BW_TYPE_UPLOAD_REPLY);
    CHECK_STR(b, "UploadReply");
    bw_fmt_priority(b, sizeof b, BW_PRIORITY_UNKNOWN);
    CHECK_STR(b, "unknown (not reported by the service)");
    bw_fmt_type(b, sizeof b, 9);
    CHECK_STR(b, "Unknown (9)");
    bw_fmt_guid(b, sizeof b, &g);
    CHECK_STR(b, "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}");
}

/* 2024-03-01 12:34:56 UTC as a FILETIME. */
#define FT_2024 133537700960000000ULL

static void test_time(void)
{
    char b[64];

    bw_fmt_filetime(b, sizeof b, 0, 1);
    CHECK_STR(b, "unknown");
    bw_fmt_filetime(b, sizeof b, 0, 0);
    CHECK_STR(b, "unknown");
    bw_fmt_filetime(b, sizeof b, FT_2024, 0);
    CHECK_STR(b, "2024-03-01 12:34:56");
    bw_fmt_filetime(b, sizeof b, FT_2024 + 9999999, 0); /* 0.99 s: not rounded up */
    CHECK_STR(b, "2024-03-01 12:34:56");
    bw_fmt_filetime(b, sizeof b, 0xFFFFFFFFFFFFFFFFULL, 0); /* does not convert */
    CHECK_STR(b, "unknown");
    /* Local time: whatever the zone, the same shape, and at most 14 hours
     * from UTC (the minutes and seconds of every zone but a few agree). */
    bw_fmt_filetime(b, sizeof b, FT_2024, 1);
    unsigned y, mo, d, h, mi, se;
    char tail;
    if (sscanf(b, "%4u-%2u-%2u %2u:%2u:%2u%c", &y, &mo, &d, &h, &mi, &se, &tail) != 6 ||
        strlen(b) != 19 || y != 2024 || !((mo == 3 && (d == 1 || d == 2)) || (mo == 2 && d == 29)) || se != 56) {
        fprintf(stderr, "%s:%d: local time \"%s\" is not 2024-03-01 12:34:56 in some zone\n",
                __FILE__, __LINE__, b);
        failures++;
    }
}

static void test_list_line(void)
{
    BW_STATUS st;
    char b[256];

    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    st.State = BW_STATE_TRANSFERRING;
    st.BytesTransferred = 13107200;
    st.BytesTotal = 41943040;
    st.FilesTotal = 3;
    st.FilesTransferred = 1;
    st.BytesPerSecond = 1e6; /* list shows no rate */
    bw_render_list_line(b, sizeof b, "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}", "Transferring", &st,
                        "nightly");
    CHECK_STR(b, "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}  Transferring    "
                 "12.5 MB / 40.0 MB (31%)  files 1/3  nightly");
    st.BytesTotal = BW_SIZE_UNKNOWN;
    st.BytesTransferred = 0;
    bw_render_list_line(b, sizeof b, "{X}", "Queued", &st, "");
    CHECK_STR(b, "{X}  Queued          0 B of unknown  files 1/3");
}

/* Is line (without "\n") one whole line of text? */
static int has_line(const char *text, const char *line)
{
    size_t len = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[len] == '\n')
            return 1;
    return 0;
}

#define CHECK_LINE(text, line)                                                        \
    do {                                                                              \
        if (!has_line((text), (line))) {                                              \
            fprintf(stderr, "%s:%d: no line \"%s\" in:\n%s", __FILE__, __LINE__, (line),  \
                    (text));                                                          \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#define CHECK_NO(text, part)                                                          \
    do {                                                                              \
        if (strstr((text), (part))) {                                                 \
            fprintf(stderr, "%s:%d: \"%s\" should not be in:\n%s", __FILE__, __LINE__,  \
                    (part), (text));                                                  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static void test_info(void)
{
    GUID g = {0x0f1e2d3c, 0x4b5a, 0x6978, {0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0}};
    BW_INFO in;
    BW_STATUS st;
    BW_ERROR e;
    char b[4096];
    bw_info_view v = {&in, &st, "Transferring", NULL, NULL, 0};

    memset(&in, 0, sizeof in);
    in.cbSize = sizeof in;
    in.JobId = g;
    in.Type = BW_TYPE_DOWNLOAD;
    in.Priority = 2;
    in.ErrorCount = 4;
    in.DisplayName = L"\x1b[31mred\x1b[0m job";
    in.Description = L"line one\r\nline two";
    in.Owner = L"HOST\\alice";
    in.CreationTime = FT_2024;
    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    st.State = BW_STATE_TRANSFERRING;
    st.BytesTransferred = 13107200;
    st.BytesTotal = 41943040;
    st.FilesTotal = 2;
    st.FilesTransferred = 1;
    st.BytesPerSecond = 1572864.0;
    st.EtaSeconds = 42;

    int n = bw_render_info(b, sizeof b, &v);
    CHECK_LINE(b, "Job: {0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}");
    CHECK_LINE(b, "Display name: red job");
    CHECK_LINE(b, "Description: line one line two");
    CHECK_LINE(b, "Owner: HOST\\alice");
    CHECK_LINE(b, "Type: Download");
    CHECK_LINE(b, "Priority: Normal");
    CHECK_LINE(b, "State: Transferring");
    CHECK_LINE(b, "Bytes: 12.5 MB / 40.0 MB (31%), 13107200 of 41943040 bytes");
    CHECK_LINE(b, "Files: 1 of 2");
    CHECK_LINE(b, "Rate: 1.5 MB/s");
    CHECK_LINE(b, "ETA: 0:42");
    CHECK_LINE(b, "Created: 2024-03-01 12:34:56");
    CHECK_LINE(b, "Modified: unknown");
    CHECK_LINE(b, "Completed: unknown");
    CHECK_LINE(b, "Error count: 4");
    CHECK_NO(b, "\x1b");
    CHECK_NO(b, "Reply:");  /* download job */
    CHECK_NO(b, "Error:");  /* not in error */
    if (n != 15) {
        fprintf(stderr, "%s:%d: %d info lines, want 15\n", __FILE__, __LINE__, n);
        failures++;
    }

    /* NULL strings read "(none)"; an upload-reply job has a Reply line; a
     * job in error has no rate and shows BwJobGetError's details. */
    in.DisplayName = NULL;
    in.Description = NULL;
    in.Owner = NULL;
    in.Type = BW_TYPE_UPLOAD_REPLY;
    st.State = BW_STATE_ERROR;
    st.ReplyBytesTotal = BW_SIZE_UNKNOWN;
    st.ReplyBytesTransferred = 0;
    memset(&e, 0, sizeof e);
    e.cbSize = sizeof e;
    e.ErrorCode = (HRESULT)0x80190194L;
    e.Context = BW_CONTEXT_REMOTE_FILE;
    e.Description = L"HTTP 404 Not Found";
    e.ContextDescription = L"The error occurred while the remote file was being processed.";
    e.RemoteName = L"http://127.0.0.1/\x1b[2Jgone";
    e.LocalName = L"C:\\t\\gone.bin";
    e.Protocol = NULL;
    v.state = "Error";
    v.error = &e;
    bw_render_info(b, sizeof b, &v);
    CHECK_LINE(b, "Display name: (none)");
    CHECK_LINE(b, "Owner: (none)");
    CHECK_LINE(b, "Type: UploadReply");
    CHECK_LINE(b, "Reply: 0 B of unknown, 0 bytes");
    CHECK_LINE(b, "State: Error");
    CHECK_NO(b, "Rate:");
    CHECK_NO(b, "ETA:");
    CHECK_LINE(b, "Error: 0x80190194 HTTP 404 Not Found");
    CHECK_LINE(b, "Error context: 5 remote file: The error occurred while the remote file was being processed.");
    CHECK_LINE(b, "Remote file: http://127.0.0.1/gone");
    CHECK_LINE(b, "Local file: C:\\t\\gone.bin");
    CHECK_LINE(b, "Protocol: (none)");

    /* In error without BwJobGetError details (Wine on a refused connection). */
    v.error = NULL;
    v.status_error_text = "0x80072EFD cannot connect";
    st.ErrorContext = BW_CONTEXT_GENERAL_TRANSPORT;
    bw_render_info(b, sizeof b, &v);
    CHECK_LINE(b, "Error: 0x80072EFD cannot connect");
    CHECK_LINE(b, "Error context: 6 transport");
    CHECK_NO(b, "Remote file:");

    /* In error with no error object at all (Wine, a hung connection that
     * timed out): the status says 0x8020000F with context 1. The text
     * does not contradict the state, and the context has its name
     * (issue 21, row 10). */
    v.status_error_text = "0x8020000F BG_E_ERROR_INFORMATION_UNAVAILABLE: No error information"
                          " is available (the job is not in an error state, or BITS recorded no error).";
    st.ErrorCode = (HRESULT)0x8020000FL;
    st.ErrorContext = BW_CONTEXT_UNKNOWN;
    bw_render_info(b, sizeof b, &v);
    CHECK_LINE(b, "Error: 0x8020000F BITS kept no details of this error");
    CHECK_NO(b, "not in an error state");
    CHECK_LINE(b, "Error context: 1 unknown");

    /* A small buffer holds whole lines only. */
    char small[60];
    n = bw_render_info(small, sizeof small, &v);
    CHECK_STR(small, "Job: {0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\n");
    if (n != 1) {
        fprintf(stderr, "%s:%d: %d lines in a small buffer, want 1\n", __FILE__, __LINE__, n);
        failures++;
    }
}


#define CHECK_INT(got, want)                                                          \
    do {                                                                              \
        long got_ = (long)(got), want_ = (long)(want);                                \
        if (got_ != want_) {                                                          \
            fprintf(stderr, "%s:%d: %s is %ld, want %ld\n", __FILE__, __LINE__, #got, \
                    got_, want_);                                                     \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* Is cut a prefix of whole that ends where a character of whole starts (no
 * half UTF-8 sequence), and is it whole characters only? */
static int is_clean_prefix(const char *cut, const char *whole)
{
    size_t len = strlen(cut);
    return strncmp(cut, whole, len) == 0 && ((unsigned char)whole[len] & 0xC0) != 0x80;
}

/* The text of what a cut kept, in hex, for a failure message. */
static const char *hex(const char *s)
{
    static char buf[512];
    size_t k = 0;
    for (; *s && k + 4 < sizeof buf; s++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%02X ", (unsigned char)*s);
    buf[k] = 0;
    return buf;
}

static void test_cp_columns(void)
{
    CHECK_INT(bw_cp_columns('a'), 1);
    CHECK_INT(bw_cp_columns(0x00E9), 1);   /* é, precomposed */
    CHECK_INT(bw_cp_columns(0x4E2D), 2);   /* 中 */
    CHECK_INT(bw_cp_columns(0x3042), 2);   /* あ */
    CHECK_INT(bw_cp_columns(0xAC00), 2);   /* 가 */
    CHECK_INT(bw_cp_columns(0xFF21), 2);   /* fullwidth Ａ */
    CHECK_INT(bw_cp_columns(0xFF76), 1);   /* halfwidth ｶ */
    CHECK_INT(bw_cp_columns(0x1F600), 2);  /* 😀 */
    CHECK_INT(bw_cp_columns(0x20000), 2);  /* CJK extension B */
    CHECK_INT(bw_cp_columns(0x0301), 0);   /* combining acute */
    CHECK_INT(bw_cp_columns(0x3099), 0);   /* combining kana voiced mark, in a wide block */
    CHECK_INT(bw_cp_columns(0x200B), 0);   /* zero width space */
    CHECK_INT(bw_cp_columns(0x200D), 0);   /* zero width joiner */
    CHECK_INT(bw_cp_columns(0xFE0F), 0);   /* variation selector 16 */
    CHECK_INT(bw_cp_columns(0xFEFF), 0);   /* BOM as zero width no-break space */
    CHECK_INT(bw_cp_columns(0x1160), 0);   /* Hangul medial vowel, part of a syllable */
    CHECK_INT(bw_cp_columns(0x0915), 1);   /* क */
}

/* A display name from BITS (UTF-16) as the renderer gets it. */
static const char *utf8_of(char *buf, size_t cap, const WCHAR *w)
{
    return bw_text_utf8(buf, cap, w);
}

/* A CJK name cut to N columns: never more than N, never half a character,
 * and as much as fits (all of it wide: N rounded down to even). */
static void test_fit_cjk(void)
{
    char name[128], cut[128];
    /* 日本語のジョブ名: 8 characters, 16 columns. */
    utf8_of(name, sizeof name, L"\x65E5\x672C\x8A9E\x306E\x30B8\x30E7\x30D6\x540D");
    CHECK_INT(bw_text_columns(name), 16);
    for (int n = 0; n <= 18; n++) {
        int got = bw_text_fit(cut, sizeof cut, name, n, 0);
        int want = n >= 16 ? 16 : n / 2 * 2;
        if (got != want || bw_text_columns(cut) != want || !is_clean_prefix(cut, name)) {
            fprintf(stderr, "%s:%d: cut to %d columns: %d columns (says %d), want %d: %s\n",
                    __FILE__, __LINE__, n, bw_text_columns(cut), got, want, hex(cut));
            failures++;
        }
        /* Padded: exactly n columns; an odd n ends in a space, not half of 中. */
        got = bw_text_fit(cut, sizeof cut, name, n, 1);
        if (got != n || bw_text_columns(cut) != n) {
            fprintf(stderr, "%s:%d: padded to %d columns: %d columns: %s\n", __FILE__, __LINE__,
                    n, bw_text_columns(cut), hex(cut));
            failures++;
        }
    }
    /* Mixed: "ab中c" cut to 3 is "ab" (中 does not fit), padded "ab ". */
    utf8_of(name, sizeof name, L"ab\x4E2D" L"c");
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 3, 0), 2);
    CHECK_STR(cut, "ab");
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 3, 1), 3);
    CHECK_STR(cut, "ab ");
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 4, 0), 4);
    CHECK_STR(cut, "ab\xE4\xB8\xAD");
}

/* Emoji outside the BMP (surrogate pairs in the UTF-16 that BITS gives):
 * two columns each, never split. */
static void test_fit_emoji(void)
{
    char name[128], cut[128];
    /* "ok😀🚀!" */
    utf8_of(name, sizeof name, L"ok\xD83D\xDE00\xD83D\xDE80!");
    CHECK_STR(name, "ok\xF0\x9F\x98\x80\xF0\x9F\x9A\x80!");
    CHECK_INT(bw_text_columns(name), 7);
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 3, 0), 2);
    CHECK_STR(cut, "ok");
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 5, 0), 4);
    CHECK_STR(cut, "ok\xF0\x9F\x98\x80");
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 5, 1), 5);
    CHECK_STR(cut, "ok\xF0\x9F\x98\x80 ");
    /* A lone surrogate (malformed UTF-16) arrives as U+FFFD: one column. */
    utf8_of(name, sizeof name, L"a\xD800" L"b\xDC00");
    CHECK_INT(bw_text_columns(name), 4);
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 2, 0), 2);
    CHECK_STR(cut, "a\xEF\xBF\xBD");
    /* Malformed UTF-8 (not from bw_text_utf8, but a cut must not run past
     * the end): each bad byte one column, as U+FFFD shows. */
    CHECK_INT(bw_text_columns("x\xE6\x97"), 3);
    CHECK_INT(bw_text_columns("\xF0\x9F\x98"), 3);
    CHECK_INT(bw_text_columns("\xC0\xAF"), 2); /* overlong "/" */
    /* A flag is two regional indicators: one picture, never half of it. */
    utf8_of(name, sizeof name, L"\xD83C\xDDE9\xD83C\xDDEA"); /* 🇩🇪 */
    CHECK_INT(bw_text_columns(name), 2);
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 1, 0), 0);
    CHECK_STR(cut, "");
    /* A ZWJ sequence (family) goes whole or not at all. */
    utf8_of(name, sizeof name, L"\xD83D\xDC68\x200D\xD83D\xDC69\x200D\xD83D\xDC67x");
    for (int n = 0; n < 8; n++) {
        bw_text_fit(cut, sizeof cut, name, n, 0);
        if (cut[0] && strncmp(cut, name, strlen(name) - 1) != 0) {
            fprintf(stderr, "%s:%d: a ZWJ sequence cut to %d columns was split: %s\n", __FILE__,
                    __LINE__, n, hex(cut));
            failures++;
        }
    }
    /* A heart with the emoji selector (VS16) shows two columns wide. */
    utf8_of(name, sizeof name, L"\x2764\xFE0F");
    CHECK_INT(bw_text_columns(name), 2);
}

/* Combining marks take no column and stay with their base. */
static void test_fit_combining(void)
{
    char name[128], cut[128];
    /* "e" + U+0301, "a" + U+0308 + U+0323: two columns. */
    utf8_of(name, sizeof name, L"e\x0301" L"a\x0308\x0323" L"z");
    CHECK_INT(bw_text_columns(name), 3);
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 1, 0), 1);
    CHECK_STR(cut, "e\xCC\x81");
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 2, 0), 2);
    CHECK_STR(cut, "e\xCC\x81" "a\xCC\x88\xCC\xA3");
    CHECK_INT(bw_text_fit(cut, sizeof cut, name, 2, 1), 2);
    CHECK_STR(cut, "e\xCC\x81" "a\xCC\x88\xCC\xA3");
    /* A buffer with room for the base but not its mark drops both. */
    CHECK_INT(bw_text_fit(cut, 4, name, 5, 0), 1);
    CHECK_STR(cut, "e\xCC\x81");
    CHECK_INT(bw_text_fit(cut, 3, name, 5, 0), 0);
    CHECK_STR(cut, "");
    /* Decomposed Hangul (U+1100 U+1161) is one wide syllable. */
    utf8_of(name, sizeof name, L"\x1100\x1161");
    CHECK_INT(bw_text_columns(name), 2);
}

/* A line of mixed text padded to the console's width: exactly that many
 * columns, so that it covers the old line and does not wrap. */
static void test_fit_line(void)
{
    char cut[512];
    /* "1234ABCD  日本語のジョブ  Transferring  😀 é ＡＢ  12.5 MB / 40.0 MB (31%)",
     * the é as e + U+0301; as UTF-8 bytes (bw_text_utf8 would fold the
     * double spaces). */
    static const char line[] =
        "1234ABCD  \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x82\xB8\xE3\x83\xA7"
        "\xE3\x83\x96  Transferring  \xF0\x9F\x98\x80 e\xCC\x81 \xEF\xBC\xA1\xEF\xBC\xA2  "
        "12.5 MB / 40.0 MB (31%)";
    int cols = bw_text_columns(line);
    CHECK_INT(cols, 10 + 14 + 16 + 2 + 1 + 1 + 1 + 4 + 2 + 23);
    for (int width = 1; width < cols + 10; width++) {
        int got = bw_text_fit(cut, sizeof cut, line, width, 1);
        if (got != width || bw_text_columns(cut) != width) {
            fprintf(stderr, "%s:%d: padded to %d columns: %d columns (says %d)\n", __FILE__,
                    __LINE__, width, bw_text_columns(cut), got);
            failures++;
        }
        bw_text_fit(cut, sizeof cut, line, width, 0);
        if (bw_text_columns(cut) > width || !is_clean_prefix(cut, line)) {
            fprintf(stderr, "%s:%d: cut to %d columns: %d columns: %s\n", __FILE__, __LINE__,
                    width, bw_text_columns(cut), hex(cut));
            failures++;
        }
    }
}

/* Where the state starts on a rendered line, in columns. */
static int state_column(const char *line, const char *state)
{
    char head[512];
    const char *p = strstr(line, state);
    if (!p)
        return -1;
    snprintf(head, sizeof head, "%.*s", (int)(p - line), line);
    return bw_text_columns(head);
}

/* The name field is name_cols columns whatever the name holds, so the
 * state lines up under a CJK, an emoji, an accented and an ASCII name. */
static void test_line_names(void)
{
    BW_STATUS st;
    char b[512], name[256];
    static const WCHAR *const names[] = {
        L"nightly",
        L"\x65E5\x672C\x8A9E\x306E\x30B8\x30E7\x30D6\x540D\x3067\x3059\x3088", /* 22 columns */
        L"\xD83D\xDE80 launch \xD83D\xDE80",
        L"cafe\x0301 cre\x0300me bru\x0302le\x0301e",
        L"",
    };

    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    st.State = BW_STATE_QUEUED;
    st.BytesTotal = BW_SIZE_UNKNOWN;
    st.EtaSeconds = -1;
    /* 22 columns of CJK in a field of 15: seven characters and the
     * ellipsis that says the name was cut. */
    utf8_of(name, sizeof name, names[1]);
    bw_render_line(b, sizeof b, "1234ABCD", name, 15, "Queued", &st, NULL);
    CHECK_STR(b, "1234ABCD  \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x82\xB8"
                 "\xE3\x83\xA7\xE3\x83\x96\xE2\x80\xA6  Queued          0 B of unknown");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        utf8_of(name, sizeof name, names[i]);
        bw_render_line(b, sizeof b, "1234ABCD", name, 15, "Queued", &st, NULL);
        int col = state_column(b, "Queued");
        if (col != 8 + 2 + 15 + 2) {
            fprintf(stderr, "%s:%d: name %d: the state starts at column %d, want 27: \"%s\"\n",
                    __FILE__, __LINE__, (int)i, col, b);
            failures++;
        }
    }
}

static void test_width(void)
{
    test_cp_columns();
    test_fit_cjk();
    test_fit_emoji();
    test_fit_combining();
    test_fit_line();
    test_line_names();
}

/* Row 9 of issue 21: a narrow console gives up the name first, then whole
 * fields; the state, the bytes, the rate and the error code are never cut
 * in the middle. */
static void test_fit_narrow(void)
{
    BW_STATUS st;
    char b[512], name[64];

    memset(&st, 0, sizeof st);
    st.cbSize = sizeof st;
    st.State = BW_STATE_TRANSFERRING;
    st.BytesTotal = BW_SIZE_UNKNOWN; /* as Wine reports it */
    st.BytesTransferred = 101581;    /* 99.2 KB */
    st.BytesPerSecond = 65536.0;
    st.EtaSeconds = -1;
    /* 80 columns (79 usable), no name: everything fits. */
    bw_render_line_fit(b, sizeof b, "1234ABCD", "", 0, "Transferring", &st, "", 79);
    CHECK_STR(b, "1234ABCD  Transferring    99.2 KB of unknown  64.0 KB/s");
    /* 40 columns: the padding, the total and then the rate go, whole. */
    bw_render_line_fit(b, sizeof b, "1234ABCD", "", 0, "Transferring", &st, "", 39);
    CHECK_STR(b, "1234ABCD  Transferring  99.2 KB");
    /* A job in error keeps its whole code at 40 columns. */
    st.State = BW_STATE_ERROR;
    st.BytesTransferred = 0;
    bw_render_line_fit(b, sizeof b, "1234ABCD", "", 0, "Error", &st, "error 0x80190194", 39);
    CHECK_STR(b, "1234ABCD  Error  0 B  error 0x80190194");
    /* A name cut ends in an ellipsis, padded to its field. */
    bw_fit_name(name, sizeof name, "console check: a job not found", 12);
    CHECK_STR(name, "console che\xE2\x80\xA6");
    bw_fit_name(name, sizeof name, "short", 8);
    CHECK_STR(name, "short   ");
    bw_render_line_fit(b, sizeof b, "1234ABCD", "console check: a job not found", 12, "Error", &st,
                       "error 0x80190194", 79);
    CHECK_STR(b, "1234ABCD  console che\xE2\x80\xA6  Error           0 B of unknown  error 0x80190194");
}

/* Row 13 of issue 21: list's columns line up under a header, whatever the
 * width of a byte count; a row that could not be read runs on. */
static void test_table(void)
{
    static const char *const cells[] = {
        "JOB", "STATE", "BYTES", "FILES", "DISPLAY NAME",
        "{A}", "Transferring", "12.5 MB / 40.0 MB (31%)", "1/3", "nightly",
        "{B}", "Error", "0 B of unknown", "0/1", "",
        "{C}", "(cannot read: 0x80070005 Access is denied.)", NULL, NULL, NULL,
    };
    int widths[5];
    char b[4][256];

    bw_table_widths(cells, 4, 5, widths);
    for (int r = 0; r < 4; r++)
        bw_table_row(b[r], sizeof b[r], cells + r * 5, 5, widths);
    CHECK_STR(b[0], "JOB  STATE         BYTES                    FILES  DISPLAY NAME");
    CHECK_STR(b[1], "{A}  Transferring  12.5 MB / 40.0 MB (31%)  1/3    nightly");
    CHECK_STR(b[2], "{B}  Error         0 B of unknown           0/1");
    CHECK_STR(b[3], "{C}  (cannot read: 0x80070005 Access is denied.)");
}

int main(void)
{
    test_fit_narrow();
    test_table();
    test_bytes();
    test_progress();
    test_rate_eta();
    test_line();
    test_sanitize();
    test_names();
    test_time();
    test_list_line();
    test_info();
    test_width();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_cli_render: all checks passed\n");
    return 0;
}
