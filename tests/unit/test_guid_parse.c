/* test_guid_parse.c - the strict GUID text parser behind BwJobOpen. */
#include "test_common.h"

static void parses_plain_and_braced_forms(void **state)
{
    GUID a, b;
    assert_true(bw__guid_parse(wz("4991D34B-80A1-4291-83B6-3328366B9097"), &a));
    assert_true(bw__guid_parse(wz("{4991d34b-80a1-4291-83b6-3328366b9097}"), &b));
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(a.Data1, 0x4991D34Bu);
    assert_int_equal(a.Data2, 0x80A1);
    assert_int_equal(a.Data3, 0x4291);
    assert_int_equal(a.Data4[0], 0x83);
    assert_int_equal(a.Data4[1], 0xB6);
    assert_int_equal(a.Data4[2], 0x33);
    assert_int_equal(a.Data4[7], 0x97);
}

static void rejects_everything_else(void **state)
{
    static const char *const bad[] = {
        "",
        "{",
        "{}",
        "xyz",
        "4991D34B-80A1-4291-83B6-3328366B909",     /* one digit short */
        "4991D34B-80A1-4291-83B6-3328366B90977",   /* one digit long */
        "{4991D34B-80A1-4291-83B6-3328366B9097",   /* opening brace only */
        "4991D34B-80A1-4291-83B6-3328366B9097}",   /* closing brace only */
        "(4991D34B-80A1-4291-83B6-3328366B9097)",
        " 4991D34B-80A1-4291-83B6-3328366B9097",
        "4991D34B-80A1-4291-83B6-3328366B9097 ",
        "4991D34B80A1-4291-83B6-3328366B9097",
        "4991D34B-80A1-4291-83B63328366B9097",
        "4991D34G-80A1-4291-83B6-3328366B9097",    /* G */
        "4991D34B-80A1-4291-83B6-3328366B9097-",
        "{{4991D34B-80A1-4291-83B6-3328366B9097}}",
        "0x4991D34B-80A1-4291-83B6-3328366B9097",
        "Word.Application",                         /* a ProgID: never resolved */
        "{4991D34B-80A1-4291-83B6-3328366B9097}x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        GUID g;
        if (bw__guid_parse(wz(bad[i]), &g))
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void rejects_non_ascii_digits(void **state)
{
    WCHAR text[40];
    memcpy(text, wz("4991D34B-80A1-4291-83B6-3328366B9097"), sizeof text);
    text[3] = 0xFF11; /* FULLWIDTH DIGIT ONE */
    GUID g;
    assert_false(bw__guid_parse(text, &g));
    text[3] = 0x0131; /* dotless i: no case folding tricks */
    assert_false(bw__guid_parse(text, &g));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_plain_and_braced_forms),
        cmocka_unit_test(rejects_everything_else),
        cmocka_unit_test(rejects_non_ascii_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
