/*
 * test_presentation.c - what the CLI and the module show, from one place
 * (names.c, text_format.c): the state model (BwStateFlags, and that the
 * core's own final/moving agree with it), the names of types, priorities and
 * contexts, BwCleanText on hostile text, BwFormatBytes and BwFormatDuration
 * at every boundary, and the buffer rules they share with BwFormatMessage.
 */
#include "test_common.h"

#define CLEAN(in, out) check_clean((in), (out), __LINE__)

static void check_clean(const WCHAR *in, const char *expected, int line)
{
    WCHAR buf[256];
    UINT32 needed = 0;
    HRESULT hr = BwCleanText(in, buf, 256, &needed);
    if (hr != S_OK || !weq(buf, expected)) {
        char got[256];
        int i = 0;
        for (; buf[i] && i < 255; i++)
            got[i] = buf[i] < 0x80 ? (char)buf[i] : '?';
        got[i] = 0;
        fail_msg("line %d: hr 0x%08X, '%s', expected '%s'", line, (unsigned)hr, got, expected);
    }
    assert_int_equal(needed, bw__wcsnlen(buf, 256) + 1);
}

static void every_state_has_its_documented_meaning(void **state)
{
    assert_int_equal(BwStateFlags(BW_STATE_QUEUED), BW_STATE_FLAG_ACTIVE);
    assert_int_equal(BwStateFlags(BW_STATE_CONNECTING),
                     BW_STATE_FLAG_ACTIVE | BW_STATE_FLAG_TRANSFERRING);
    assert_int_equal(BwStateFlags(BW_STATE_TRANSFERRING),
                     BW_STATE_FLAG_ACTIVE | BW_STATE_FLAG_TRANSFERRING);
    assert_int_equal(BwStateFlags(BW_STATE_SUSPENDED), BW_STATE_FLAG_OWNER_ACTION);
    assert_int_equal(BwStateFlags(BW_STATE_ERROR), BW_STATE_FLAG_OWNER_ACTION);
    assert_int_equal(BwStateFlags(BW_STATE_TRANSIENT_ERROR), BW_STATE_FLAG_ACTIVE);
    assert_int_equal(BwStateFlags(BW_STATE_TRANSFERRED), BW_STATE_FLAG_OWNER_ACTION);
    assert_int_equal(BwStateFlags(BW_STATE_ACKNOWLEDGED), BW_STATE_FLAG_FINAL);
    assert_int_equal(BwStateFlags(BW_STATE_CANCELLED), BW_STATE_FLAG_FINAL);
    assert_int_equal(BwStateFlags(9), 0);
    assert_int_equal(BwStateFlags(0xFFFFFFFFu), 0);
}

/* The core's two rules are the model's: bytes are read while they can move
 * (TRANSFERRING), and a wait ends at once where nothing happens by itself
 * any more, except SUSPENDED (a wait for a resume is what callers ask). */
static void the_core_uses_the_same_model(void **state)
{
    for (UINT32 s = 0; s <= 9; s++) {
        UINT32 f = BwStateFlags(s);
        assert_int_equal(!!bw__state_is_moving(s), !!(f & BW_STATE_FLAG_TRANSFERRING));
        assert_int_equal(!!bw__state_is_final(s),
                         !!(f & BW_STATE_FLAG_FINAL) ||
                             (!!(f & BW_STATE_FLAG_OWNER_ACTION) && s != BW_STATE_SUSPENDED));
    }
}

static void names_are_bits_names_and_unknown_otherwise(void **state)
{
    assert_true(weq(BwTypeName(BW_TYPE_DOWNLOAD), "Download"));
    assert_true(weq(BwTypeName(BW_TYPE_UPLOAD), "Upload"));
    assert_true(weq(BwTypeName(BW_TYPE_UPLOAD_REPLY), "UploadReply"));
    assert_true(weq(BwTypeName(3), "Unknown"));
    assert_true(weq(BwPriorityName(0), "Foreground"));
    assert_true(weq(BwPriorityName(1), "High"));
    assert_true(weq(BwPriorityName(2), "Normal"));
    assert_true(weq(BwPriorityName(3), "Low"));
    assert_true(weq(BwPriorityName(4), "Unknown"));
    assert_true(weq(BwPriorityName(BW_PRIORITY_UNKNOWN), "Unknown"));
    const char *contexts[] = {"None", "Unknown", "GeneralQueueManager", "QueueManagerNotification",
                              "LocalFile", "RemoteFile", "GeneralTransport", "RemoteApplication",
                              "ServerCertificateCallback"};
    for (UINT32 i = 0; i < 9; i++)
        assert_true(weq(BwContextName(i), contexts[i]));
    assert_true(weq(BwContextName(9), "Unknown"));
}

static void clean_text_removes_whole_escape_sequences(void **state)
{
    CLEAN(wz("\x1b[31mred\x1b[0m"), "red");
    CLEAN(wz("a\x1b[2Jb"), "ab");                       /* clear screen */
    CLEAN(wz("a\x1b[?25lb"), "ab");                     /* private parameters */
    CLEAN(wz("x\x1b]0;title\x07y"), "xy");              /* OSC ended by BEL */
    CLEAN(wz("x\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\y"), "xlinky"); /* OSC 8 by ST */
    CLEAN(wz("x\x1bPq#0\x1b\\y"), "xy");                /* DCS */
    CLEAN(wz("x\x1b" "cy"), "xy");                      /* ESC + one character */
    CLEAN(wz("end\x1b"), "end");                        /* lone ESC at the end */
    CLEAN(wz("x\x1b]unterminated"), "x");               /* string never ended */
    const WCHAR c1[] = {'a', 0x9B, '3', '1', 'm', 'b', 0x9D, 't', 0x9C, 'c', 0};
    CLEAN(c1, "abc");                                   /* the C1 forms */
}

static void clean_text_drops_controls_and_bidi_and_folds_space(void **state)
{
    CLEAN(wz("  two\r\n\tlines  "), "two lines");
    CLEAN(wz("a\x01\x7f" "b"), "ab");
    const WCHAR bidi[] = {'e', 'v', 0x202E, 'l', 'i', 0x2066, 'x', 0x2069, 0x200F, 0};
    CLEAN(bidi, "evlix");
    CLEAN(NULL, "");
    CLEAN(wz(""), "");
    CLEAN(wz(" \t\r\n"), "");
}

static void clean_text_keeps_buffer_rules(void **state)
{
    const WCHAR text[] = {'a', 'b', 0xD83D, 0xDE00, 'c', 0};
    WCHAR buf[8];
    UINT32 needed = 0;
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), BwCleanText(text, NULL, 0, &needed));
    assert_int_equal(needed, 6);
    assert_hr(E_POINTER, BwCleanText(text, NULL, 4, &needed));
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), BwCleanText(text, buf, 4, &needed));
    assert_int_equal(buf[0], 'a');
    assert_int_equal(buf[1], 'b');
    assert_int_equal(buf[2], 0); /* never half a surrogate pair */
    assert_hr(S_OK, BwCleanText(text, buf, 6, NULL));
    assert_int_equal(buf[2], 0xD83D);
    assert_int_equal(buf[3], 0xDE00);
    assert_int_equal(buf[4], 'c');
}

static void bytes(UINT64 v, const char *expected, int line)
{
    WCHAR buf[32];
    UINT32 needed = 0;
    HRESULT hr = BwFormatBytes(v, buf, 32, &needed);
    if (hr != S_OK || !weq(buf, expected))
        fail_msg("line %d: BwFormatBytes(%llu) is not '%s'", line, (unsigned long long)v, expected);
    assert_int_equal(needed, bw__wcsnlen(buf, 32) + 1);
}
#define BYTES(v, text) bytes((v), (text), __LINE__)

static void bytes_at_every_boundary(void **state)
{
    BYTES(0, "0 B");
    BYTES(1023, "1023 B");
    BYTES(1024, "1.0 KB");
    BYTES(1536, "1.5 KB");
    BYTES(1048524, "1023.9 KB");         /* 1023.949 KB */
    BYTES(1048525, "1.0 MB");            /* 1023.950 KB would print 1024.0 KB */
    BYTES(41943040, "40.0 MB");
    BYTES(13107200, "12.5 MB");
    BYTES(1073741824ull * 3 / 2, "1.5 GB");
    BYTES(1ull << 40, "1.0 TB");
    BYTES(1ull << 50, "1.0 PB");
    BYTES(1ull << 60, "1.0 EB");
    BYTES(0xFFFFFFFFFFFFFFFEull, "16.0 EB");
    BYTES(BW_SIZE_UNKNOWN, "unknown");
}

static void bytes_keep_buffer_rules(void **state)
{
    WCHAR buf[4];
    UINT32 needed = 0;
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), BwFormatBytes(41943040, NULL, 0, &needed));
    assert_int_equal(needed, 8); /* "40.0 MB" and the NUL */
    assert_hr(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), BwFormatBytes(41943040, buf, 4, NULL));
    assert_true(weq(buf, "40."));
    assert_hr(E_POINTER, BwFormatBytes(1, NULL, 1, NULL));
}

static void duration(UINT64 v, const char *expected, int line)
{
    WCHAR buf[32];
    HRESULT hr = BwFormatDuration(v, buf, 32, NULL);
    if (hr != S_OK || !weq(buf, expected))
        fail_msg("line %d: BwFormatDuration(%llu) is not '%s'", line, (unsigned long long)v,
                 expected);
}
#define DURATION(v, text) duration((v), (text), __LINE__)

static void durations_at_every_boundary(void **state)
{
    DURATION(0, "0:00");
    DURATION(42, "0:42");
    DURATION(59, "0:59");
    DURATION(60, "1:00");
    DURATION(725, "12:05");
    DURATION(3599, "59:59");
    DURATION(3600, "1:00:00");
    DURATION(11045, "3:04:05");
    DURATION(86399, "23:59:59");
    DURATION(86400, "1d 00:00:00");
    DURATION(2 * 86400 + 3 * 3600 + 4 * 60 + 5, "2d 03:04:05");
    DURATION(400ull * 86400, "400d 00:00:00");
    DURATION(0xFFFFFFFFFFFFFFFFull, "213503982334601d 07:00:15");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_state_has_its_documented_meaning),
        cmocka_unit_test(the_core_uses_the_same_model),
        cmocka_unit_test(names_are_bits_names_and_unknown_otherwise),
        cmocka_unit_test(clean_text_removes_whole_escape_sequences),
        cmocka_unit_test(clean_text_drops_controls_and_bidi_and_folds_space),
        cmocka_unit_test(clean_text_keeps_buffer_rules),
        cmocka_unit_test(bytes_at_every_boundary),
        cmocka_unit_test(bytes_keep_buffer_rules),
        cmocka_unit_test(durations_at_every_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
