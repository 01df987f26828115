/* test_transform.c - the transforms of sync agents (runtime/wr.h,
 * "transforms of sync agents"; runtime/wr_transform.c, wr_xf_number.c
 * and wr_xf_time.c) held to their contract: NULL in is NULL out, the
 * first failure wins and names the field, every call after a failure
 * returns NULL, text is checked as UTF-8, numbers are exact, dates exist
 * in the calendar, nothing depends on the process's locale or time zone.
 * No server needed.  Built with ASan+UBSan and run with leak detection
 * (tests/runtime/transform.mk). */
#include <CUnit/Basic.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wctype.h>

#include "wr.h"

static wr_arena *arena;
static wr_xf x;

/* A new row: an empty arena, x not failed, the field "f". */
static void fresh(void)
{
    wr_arena_reset(arena);
    memset(&x, 0, sizeof x);
    x.mem = arena;
    x.field = "f";
}

/* Strict UTF-8 (RFC 3629), written independently of the runtime's. */
static bool is_utf8(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        unsigned char c = *s;
        int n;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c < 0x80)
            n = 0;
        else if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else
            return false;
        s++;
        for (int i = 0; i < n; i++, s++) {
            if (*s < lo || *s > hi)
                return false;
            lo = 0x80;
            hi = 0xBF;
        }
    }
    return true;
}

static bool check_ok(const char *got, const char *want, const char *expr, int line)
{
    if (!x.is_failed && got && strcmp(got, want) == 0)
        return true;
    fprintf(stderr, "\n  line %d: %s\n    want \"%s\"\n    got  \"%s\"%s%s\n", line, expr, want,
            got ? got : "(NULL)", x.is_failed ? ", failed: " : "", x.is_failed ? x.reason : "");
    return false;
}

/* The reason starts with "f: " and contains part; it is valid UTF-8 with
 * no control characters. */
static bool check_fail(const char *got, const char *part, const char *expr, int line)
{
    bool clean = is_utf8(x.reason);
    for (const char *p = x.reason; *p; p++)
        clean &= (unsigned char)*p >= 0x20 && *p != 0x7F;
    if (!got && x.is_failed && strncmp(x.reason, "f: ", 3) == 0 && strstr(x.reason, part) && clean)
        return true;
    fprintf(stderr, "\n  line %d: %s\n    want a failure with \"%s\"\n    got  \"%s\", %s \"%s\"\n", line, expr,
            part, got ? got : "(NULL)", x.is_failed ? "failed:" : "not failed", x.reason);
    return false;
}

#define OK(call, want)                                              \
    do {                                                            \
        fresh();                                                    \
        const char *got_ = (call);                                  \
        CU_ASSERT(check_ok(got_, (want), #call, __LINE__));         \
    } while (0)

#define FAIL(call, part)                                            \
    do {                                                            \
        fresh();                                                    \
        const char *got_ = (call);                                  \
        CU_ASSERT(check_fail(got_, (part), #call, __LINE__));       \
    } while (0)

/* NULL out, and no failure. */
#define NUL(call)                                                   \
    do {                                                            \
        fresh();                                                    \
        const char *got_ = (call);                                  \
        CU_ASSERT_PTR_NULL(got_);                                   \
        CU_ASSERT_FALSE(x.is_failed);                               \
    } while (0)

static const char *const STATUSES[] = { "ACTIVE", "INACTIVE", "PLUGGED", NULL };

/* ======================================================================
 * failures, NULL, nesting
 * ====================================================================== */

static void test_fail_first_wins(void)
{
    fresh();
    x.field = "lease";
    wr_xf_fail(&x, "bad %d", 7);
    CU_ASSERT(x.is_failed);
    CU_ASSERT_STRING_EQUAL(x.reason, "lease: bad 7");
    wr_xf_fail(&x, "second");
    CU_ASSERT_STRING_EQUAL(x.reason, "lease: bad 7");
    x.field = "other";
    CU_ASSERT_PTR_NULL(wr_xf_to_int(&x, "x", 32));
    CU_ASSERT_STRING_EQUAL(x.reason, "lease: bad 7");

    /* no field: no prefix */
    fresh();
    x.field = NULL;
    wr_xf_fail(&x, "plain %s", "reason");
    CU_ASSERT_STRING_EQUAL(x.reason, "plain reason");

    /* the first failing call of a row is the reason */
    fresh();
    CU_ASSERT_PTR_NULL(wr_xf_to_int(&x, "abc", 32));
    CU_ASSERT_PTR_NULL(wr_xf_to_date(&x, "nope"));
    CU_ASSERT_STRING_EQUAL(x.reason, "f: 'abc' is not an integer");

    /* a NULL x is ignored */
    wr_xf_fail(NULL, "nothing");
    CU_ASSERT_PTR_NULL(wr_xf_upper(NULL, "a"));
}

static void test_fail_reason_is_clean(void)
{
    /* cut to the buffer inside a character: still valid UTF-8 */
    fresh();
    char big[1200] = "";
    for (int i = 0; i < 500; i++)
        strcat(big, "é");
    wr_xf_fail(&x, "%s", big);
    CU_ASSERT(strlen(x.reason) < sizeof x.reason);
    CU_ASSERT(is_utf8(x.reason));
    CU_ASSERT_EQUAL(strncmp(x.reason, "f: é", 5), 0);

    /* bytes that are not UTF-8 and control characters never reach a reason */
    fresh();
    wr_xf_fail(&x, "raw \xff\xfe and\ttab\nline");
    CU_ASSERT(is_utf8(x.reason));
    CU_ASSERT_STRING_EQUAL(x.reason, "f: raw ?? and tab line");

    /* values are quoted with escapes, and cut after 40 characters */
    FAIL(wr_xf_to_int(&x, "a\nb\xff", 32), "'a\\x0ab\\xff' is not an integer");
    FAIL(wr_xf_to_int(&x, "0123456789012345678901234567890123456789xyz", 32),
         "'0123456789012345678901234567890123456789...' is not an integer");
    FAIL(wr_xf_to_int(&x, "ééééééééééééééééééééééééééééééééééééééééééé", 32),
         "'éééééééééééééééééééééééééééééééééééééééé...'");
}

static void test_null_in_null_out(void)
{
    NUL(wr_xf_upper(&x, NULL));
    NUL(wr_xf_lower(&x, NULL));
    NUL(wr_xf_trim(&x, NULL));
    NUL(wr_xf_concat(&x, NULL, "b"));
    NUL(wr_xf_concat(&x, "a", NULL));
    NUL(wr_xf_concat(&x, NULL, NULL));
    NUL(wr_xf_parse_date(&x, NULL, "%Y"));
    NUL(wr_xf_parse_timestamp(&x, NULL, "%Y"));
    NUL(wr_xf_parse_number(&x, NULL));
    NUL(wr_xf_arith(&x, '+', NULL, "1"));
    NUL(wr_xf_arith(&x, '/', "1", NULL));
    NUL(wr_xf_arith(&x, '/', "1", NULL));
    NUL(wr_xf_arith(&x, '/', NULL, "0"));   /* NULL wins over division by zero */
    NUL(wr_xf_negate(&x, NULL));
    NUL(wr_xf_to_text(&x, NULL, 10));
    NUL(wr_xf_to_uuid(&x, NULL));
    NUL(wr_xf_to_int(&x, NULL, 32));
    NUL(wr_xf_to_float(&x, NULL));
    NUL(wr_xf_to_decimal(&x, NULL, 10, 2, false));
    NUL(wr_xf_to_bool(&x, NULL));
    NUL(wr_xf_to_date(&x, NULL));
    NUL(wr_xf_to_timestamp(&x, NULL));
    NUL(wr_xf_to_json(&x, NULL));
    NUL(wr_xf_to_enum(&x, NULL, STATUSES));
    /* nested: NULL flows through */
    NUL(wr_xf_to_text(&x, wr_xf_upper(&x, wr_xf_trim(&x, NULL)), 100));
    NUL(wr_xf_to_decimal(&x, wr_xf_arith(&x, '/', wr_xf_arith(&x, '*', NULL, "1000"), "1000"), 12, 2, true));
}

static void test_after_failure_everything_is_null(void)
{
    fresh();
    wr_xf_fail(&x, "first");
    CU_ASSERT_PTR_NULL(wr_xf_upper(&x, "a"));
    CU_ASSERT_PTR_NULL(wr_xf_lower(&x, "A"));
    CU_ASSERT_PTR_NULL(wr_xf_trim(&x, " a "));
    CU_ASSERT_PTR_NULL(wr_xf_concat(&x, "a", "b"));
    CU_ASSERT_PTR_NULL(wr_xf_parse_date(&x, "2024-01-01", "%F"));
    CU_ASSERT_PTR_NULL(wr_xf_parse_timestamp(&x, "2024-01-01", "%F"));
    CU_ASSERT_PTR_NULL(wr_xf_parse_number(&x, "1"));
    CU_ASSERT_PTR_NULL(wr_xf_arith(&x, '+', "1", "2"));
    CU_ASSERT_PTR_NULL(wr_xf_negate(&x, "1"));
    CU_ASSERT_PTR_NULL(wr_xf_to_text(&x, "a", 0));
    CU_ASSERT_PTR_NULL(wr_xf_to_uuid(&x, "123e4567-e89b-12d3-a456-426614174000"));
    CU_ASSERT_PTR_NULL(wr_xf_to_int(&x, "1", 32));
    CU_ASSERT_PTR_NULL(wr_xf_to_float(&x, "1"));
    CU_ASSERT_PTR_NULL(wr_xf_to_float(&x, "NaN"));
    CU_ASSERT_PTR_NULL(wr_xf_to_decimal(&x, "1", 10, 2, false));
    CU_ASSERT_PTR_NULL(wr_xf_to_bool(&x, "true"));
    CU_ASSERT_PTR_NULL(wr_xf_to_date(&x, "2024-01-01"));
    CU_ASSERT_PTR_NULL(wr_xf_to_timestamp(&x, "2024-01-01"));
    CU_ASSERT_PTR_NULL(wr_xf_to_json(&x, "{}"));
    CU_ASSERT_PTR_NULL(wr_xf_to_enum(&x, "ACTIVE", STATUSES));
    CU_ASSERT(x.is_failed);
    CU_ASSERT_STRING_EQUAL(x.reason, "f: first");
}

/* What generated code does: one field after another, one check per row. */
static void test_a_generated_row(void)
{
    const char *src[] = { "  lease one\xc2\xa0", "9999999999.99", "03/10/2024", "Shut-In", "\xff" };
    const char *out[4];
    fresh();
    x.field = "lease";
    out[0] = wr_xf_to_text(&x, wr_xf_upper(&x, wr_xf_trim(&x, src[0])), 100);
    x.field = "gas";
    out[1] = wr_xf_to_decimal(&x, wr_xf_arith(&x, '/', wr_xf_arith(&x, '*', src[1], "1000"), "1000"), 12, 2, true);
    x.field = "date";
    out[2] = wr_xf_to_date(&x, wr_xf_parse_date(&x, src[2], "%m/%d/%Y"));
    x.field = "status";
    out[3] = wr_xf_to_enum(&x, src[3], (const char *const[]){ "Active", "Shut-In", "P&A", NULL });
    CU_ASSERT_FALSE(x.is_failed);
    CU_ASSERT_STRING_EQUAL(out[0], "LEASE ONE");
    CU_ASSERT_STRING_EQUAL(out[1], "9999999999.99");
    CU_ASSERT_STRING_EQUAL(out[2], "2024-03-10");
    CU_ASSERT_STRING_EQUAL(out[3], "Shut-In");

    /* a failure deep in a nest names the field it was computing */
    fresh();
    x.field = "lease";
    out[0] = wr_xf_to_text(&x, wr_xf_upper(&x, wr_xf_trim(&x, src[4])), 100);
    x.field = "gas";
    out[1] = wr_xf_to_decimal(&x, wr_xf_arith(&x, '*', src[1], "1000"), 12, 2, true);
    CU_ASSERT_PTR_NULL(out[0]);
    CU_ASSERT_PTR_NULL(out[1]);
    CU_ASSERT_STRING_EQUAL(x.reason, "lease: invalid UTF-8 at byte 1 (0xff) of '\\xff'");
}

static void test_out_of_memory(void)
{
    FAIL((x.mem = NULL, wr_xf_upper(&x, "a")), "out of memory");
    FAIL((x.mem = NULL, wr_xf_concat(&x, "a", "b")), "out of memory");
    FAIL((x.mem = NULL, wr_xf_arith(&x, '+', "1", "2")), "out of memory");
    FAIL((x.mem = NULL, wr_xf_to_date(&x, "2024-01-01 10:00:00")), "out of memory");
    FAIL((x.mem = NULL, wr_xf_to_decimal(&x, "1.5", 12, 2, false)), "out of memory");
    /* results that are the input itself (already canonical) need no memory */
    OK((x.mem = NULL, wr_xf_to_text(&x, "a", 0)), "a");
    OK((x.mem = NULL, wr_xf_to_date(&x, "2024-01-01")), "2024-01-01");
    OK((x.mem = NULL, wr_xf_to_decimal(&x, "1.50", 12, 2, false)), "1.50");
    OK((x.mem = NULL, wr_xf_to_int(&x, "-42", 32)), "-42");
    OK((x.mem = NULL, wr_xf_to_uuid(&x, "5b000000-0000-4000-8000-00000000000a")), "5b000000-0000-4000-8000-00000000000a");
}

/* ======================================================================
 * upper, lower, trim, concat
 * ====================================================================== */

/* ASCII text takes a table made from the locale once; every ASCII
 * character must come out as C.UTF-8's towupper, towlower and iswspace
 * say, alone and in the middle of text. */
static void test_ascii_tables_agree_with_the_locale(void)
{
    locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
    int differ = 0;
    for (int c = 1; c < 128; c++) {
        char in[4] = { 'a', (char)c, 'Z', '\0' }, up[4], low[4];
        for (int i = 0; i < 3; i++) {
            up[i] = (char)towupper_l((unsigned char)in[i], loc);
            low[i] = (char)towlower_l((unsigned char)in[i], loc);
        }
        up[3] = low[3] = '\0';
        fresh();
        const char *u = wr_xf_upper(&x, in), *l = wr_xf_lower(&x, in);
        char padded[5] = { (char)c, 'x', (char)c, '\0' };
        const char *t = wr_xf_trim(&x, padded);
        bool is_space = iswspace_l((wint_t)c, loc) != 0;
        if (!u || !l || !t || strcmp(u, up) != 0 || strcmp(l, low) != 0 || strcmp(t, is_space ? "x" : padded) != 0)
            differ++;
    }
    freelocale(loc);
    CU_ASSERT_EQUAL(differ, 0);
}

static void test_upper_lower(void)
{
    OK(wr_xf_upper(&x, "lease 7b"), "LEASE 7B");
    OK(wr_xf_lower(&x, "LEASE 7B"), "lease 7b");
    OK(wr_xf_upper(&x, ""), "");
    OK(wr_xf_lower(&x, ""), "");
    /* German: towupper maps one character to one: 'ß' stays (no "SS") */
    OK(wr_xf_upper(&x, "straße"), "STRAßE");
    OK(wr_xf_lower(&x, "STRASSE"), "strasse");
    OK(wr_xf_lower(&x, "\xe1\xba\x9e"), "ß");                  /* capital sharp s U+1E9E */
    OK(wr_xf_upper(&x, "Ärger über Öl"), "ÄRGER ÜBER ÖL");
    OK(wr_xf_lower(&x, "ÄRGER ÜBER ÖL"), "ärger über öl");
    OK(wr_xf_upper(&x, "ÿ"), "Ÿ");                               /* 2 bytes, U+0178 */
    /* Greek: final sigma uppers to Σ, and Σ lowers to σ (no context) */
    OK(wr_xf_upper(&x, "καλημέρα οδός"), "ΚΑΛΗΜΈΡΑ ΟΔΌΣ");
    OK(wr_xf_lower(&x, "ΟΔΟΣ"), "οδοσ");
    /* Turkish dotted and dotless i, as outside a Turkish locale:
     * i -> I, ı -> I (2 bytes to 1), İ -> i (2 bytes to 1), I -> i */
    OK(wr_xf_upper(&x, "istanbul ırmak"), "ISTANBUL IRMAK");
    OK(wr_xf_lower(&x, "İSTANBUL IRMAK"), "istanbul irmak");
    OK(wr_xf_upper(&x, "İ"), "İ");
    /* a mapping that grows: ȿ (2 bytes) -> Ȿ U+2C7E (3 bytes) */
    OK(wr_xf_upper(&x, "aȿb"), "AⱾB");
    OK(wr_xf_lower(&x, "AⱾB"), "aȿb");
    /* titlecase digraph, emoji and CJK unchanged */
    OK(wr_xf_upper(&x, "ǅ"), "Ǆ");
    OK(wr_xf_lower(&x, "ǅ"), "ǆ");
    OK(wr_xf_upper(&x, "🛢 oil 油"), "🛢 OIL 油");
    OK(wr_xf_lower(&x, "🛢 OIL 油"), "🛢 oil 油");
    /* not UTF-8 */
    FAIL(wr_xf_upper(&x, "abc\xff"), "invalid UTF-8 at byte 4 (0xff)");
    FAIL(wr_xf_lower(&x, "\xc0\xaf"), "invalid UTF-8 at byte 1 (0xc0)");              /* overlong '/' */
    FAIL(wr_xf_upper(&x, "a\xed\xa0\x80"), "invalid UTF-8 at byte 2 (0xed)");         /* surrogate */
    FAIL(wr_xf_upper(&x, "a\xe2\x82"), "invalid UTF-8 at byte 2");                    /* cut short */
    FAIL(wr_xf_lower(&x, "\xf4\x90\x80\x80"), "invalid UTF-8 at byte 1");             /* past U+10FFFF */
    FAIL(wr_xf_lower(&x, "ok\x80"), "invalid UTF-8 at byte 3 (0x80)");                /* lone continuation */
}

static void test_case_does_not_depend_on_locale(void)
{
    /* The caller's locale is "C" (single bytes): results are the same. */
    CU_ASSERT_PTR_NOT_NULL(setlocale(LC_CTYPE, "C"));
    OK(wr_xf_upper(&x, "ärger"), "ÄRGER");
    OK(wr_xf_trim(&x, "\xc2\xa0x\xe3\x80\x80"), "x");
    OK(wr_xf_to_bool(&x, "TRUE"), "true");
    CU_ASSERT_PTR_NOT_NULL(setlocale(LC_CTYPE, "C.UTF-8"));
    OK(wr_xf_upper(&x, "ärger"), "ÄRGER");
}

static void test_trim(void)
{
    OK(wr_xf_trim(&x, "  a b  "), "a b");
    OK(wr_xf_trim(&x, "\t\n\v\f\r x \r\n"), "x");
    OK(wr_xf_trim(&x, "\xc2\xa0lease\xc2\xa0"), "lease");                 /* NBSP */
    OK(wr_xf_trim(&x, "\xe3\x80\x80x\xe2\x80\x83\xe2\x80\xa8"), "x");     /* U+3000, U+2003, U+2028 */
    OK(wr_xf_trim(&x, "a\xc2\xa0" "b"), "a\xc2\xa0" "b");                 /* inside: kept */
    OK(wr_xf_trim(&x, "\xe2\x80\xaf" "a"), "\xe2\x80\xaf" "a");           /* U+202F is no white space */
    OK(wr_xf_trim(&x, "\xef\xbb\xbf" "a"), "\xef\xbb\xbf" "a");           /* nor is a BOM */
    OK(wr_xf_trim(&x, ""), "");
    OK(wr_xf_trim(&x, " \t\xc2\xa0 "), "");
    OK(wr_xf_trim(&x, "é"), "é");
    /* nothing to cut: the input itself */
    fresh();
    const char *in = "as is";
    CU_ASSERT_PTR_EQUAL(wr_xf_trim(&x, in), in);
    FAIL(wr_xf_trim(&x, " a\xff "), "invalid UTF-8 at byte 3");
    FAIL(wr_xf_trim(&x, "\xc2"), "invalid UTF-8 at byte 1");
}

static void test_concat(void)
{
    OK(wr_xf_concat(&x, "Lease ", "7"), "Lease 7");
    OK(wr_xf_concat(&x, "", ""), "");
    OK(wr_xf_concat(&x, "é", ""), "é");
    OK(wr_xf_concat(&x, wr_xf_concat(&x, "a", "-"), "b"), "a-b");
}

/* ======================================================================
 * parse_date, parse_timestamp
 * ====================================================================== */

static void test_parse_date_conversions(void)
{
    OK(wr_xf_parse_date(&x, "01/31/2024", "%m/%d/%Y"), "2024-01-31");
    OK(wr_xf_parse_date(&x, "1/5/2024", "%m/%d/%Y"), "2024-01-05");
    OK(wr_xf_parse_date(&x, "2024-03-10", "%F"), "2024-03-10");
    OK(wr_xf_parse_date(&x, "2024-03-10", "%Y-%m-%d"), "2024-03-10");
    OK(wr_xf_parse_date(&x, "20240131", "%Y%m%d"), "2024-01-31");
    /* %y: 69-99 are 19xx, 00-68 20xx */
    OK(wr_xf_parse_date(&x, "31.12.99", "%d.%m.%y"), "1999-12-31");
    OK(wr_xf_parse_date(&x, "01.01.69", "%d.%m.%y"), "1969-01-01");
    OK(wr_xf_parse_date(&x, "01.01.68", "%d.%m.%y"), "2068-01-01");
    OK(wr_xf_parse_date(&x, "01.01.00", "%d.%m.%y"), "2000-01-01");
    /* %b %B %h: English month names, abbreviated or full, any case */
    OK(wr_xf_parse_date(&x, "05 Jan 2024", "%d %b %Y"), "2024-01-05");
    OK(wr_xf_parse_date(&x, "05 JANUARY 2024", "%d %b %Y"), "2024-01-05");
    OK(wr_xf_parse_date(&x, "March 5, 2024", "%B %d, %Y"), "2024-03-05");
    OK(wr_xf_parse_date(&x, "5-sep-2024", "%d-%h-%Y"), "2024-09-05");
    OK(wr_xf_parse_date(&x, "5 May 2024", "%d %b %Y"), "2024-05-05");
    OK(wr_xf_parse_date(&x, "31 dec 2024", "%d %b %Y"), "2024-12-31");
    /* %e: a day, after an optional space */
    OK(wr_xf_parse_date(&x, "Jan  5 2024", "%b %e %Y"), "2024-01-05");
    OK(wr_xf_parse_date(&x, "Jan 15 2024", "%b %e %Y"), "2024-01-15");
    OK(wr_xf_parse_date(&x, "2024- 5", "%Y-%e"), "2024-01-05");
    /* %j: the day of the year */
    OK(wr_xf_parse_date(&x, "2024-060", "%Y-%j"), "2024-02-29");
    OK(wr_xf_parse_date(&x, "2023-060", "%Y-%j"), "2023-03-01");
    OK(wr_xf_parse_date(&x, "2024-366", "%Y-%j"), "2024-12-31");
    OK(wr_xf_parse_date(&x, "2023-1", "%Y-%j"), "2023-01-01");
    OK(wr_xf_parse_date(&x, "2024-02-29 060", "%F %j"), "2024-02-29");
    /* %%, and what the format leaves out: month and day 1 */
    OK(wr_xf_parse_date(&x, "2024%03", "%Y%%%m"), "2024-03-01");
    OK(wr_xf_parse_date(&x, "2024", "%Y"), "2024-01-01");
    OK(wr_xf_parse_date(&x, "202403", "%Y%m"), "2024-03-01");
    /* white space in the format: zero or more in the text */
    OK(wr_xf_parse_date(&x, "1  2   2024", "%d %m %Y"), "2024-02-01");
    OK(wr_xf_parse_date(&x, "1 2 2024", "%d %m %Y"), "2024-02-01");
    OK(wr_xf_parse_date(&x, "1\t2 2024", "%d %m %Y"), "2024-02-01");
    OK(wr_xf_parse_date(&x, "2024-01-31", "%Y-%m-%d "), "2024-01-31");
    OK(wr_xf_parse_date(&x, "2024-01-31   ", "%Y-%m-%d "), "2024-01-31");
    OK(wr_xf_parse_date(&x, "  2024-01-31", " %Y-%m-%d"), "2024-01-31");
    /* the calendar's ends */
    OK(wr_xf_parse_date(&x, "0001-01-01", "%F"), "0001-01-01");
    OK(wr_xf_parse_date(&x, "9999-12-31", "%F"), "9999-12-31");
    OK(wr_xf_parse_date(&x, "2000-02-29", "%F"), "2000-02-29");
    OK(wr_xf_parse_date(&x, "Tag 2024/3/7", "Tag %Y/%m/%d"), "2024-03-07");
    OK(wr_xf_parse_date(&x, "7.3.2024 г.", "%d.%m.%Y г."), "2024-03-07");
}

static void test_parse_date_failures(void)
{
    FAIL(wr_xf_parse_date(&x, "13/45/2024", "%m/%d/%Y"), "'13/45/2024' does not match the format \"%m/%d/%Y\"");
    FAIL(wr_xf_parse_date(&x, "13/45/2024", "%m/%d/%Y"), "%m wants a month, 1 to 12, at byte 1");
    FAIL(wr_xf_parse_date(&x, "12/45/2024", "%m/%d/%Y"), "%d wants a day of the month, 1 to 31, at byte 4");
    FAIL(wr_xf_parse_date(&x, "00/10/2024", "%m/%d/%Y"), "does not match");
    FAIL(wr_xf_parse_date(&x, "2023-02-29", "%Y-%m-%d"), "'2023-02-29' is not a day of the calendar");
    FAIL(wr_xf_parse_date(&x, "1900-02-29", "%F"), "is not a day of the calendar");
    FAIL(wr_xf_parse_date(&x, "04/31/2024", "%m/%d/%Y"), "is not a day of the calendar");
    FAIL(wr_xf_parse_date(&x, "0000-01-01", "%F"), "is not a day of the calendar");
    FAIL(wr_xf_parse_date(&x, "2023-366", "%Y-%j"), "is not a day of the calendar");
    FAIL(wr_xf_parse_date(&x, "2023-000", "%Y-%j"), "%j wants a day of the year");
    FAIL(wr_xf_parse_date(&x, "2023-367", "%Y-%j"), "does not match");
    FAIL(wr_xf_parse_date(&x, "2024-03-01 060", "%F %j"), "the day of the year (%j) is not the month and day");
    FAIL(wr_xf_parse_date(&x, "2024-03-01 2024-03-02", "%F %F"), "%d disagrees with an earlier conversion");
    /* the whole text, nothing more and nothing less */
    FAIL(wr_xf_parse_date(&x, "2024-01-31x", "%F"), "text left over at byte 11");
    FAIL(wr_xf_parse_date(&x, "2024-01-31 ", "%F"), "text left over at byte 11");
    FAIL(wr_xf_parse_date(&x, " 2024-01-31", "%F"), "%Y wants a year of 4 digits at byte 1");
    FAIL(wr_xf_parse_date(&x, "2024-01", "%F"), "does not match");
    FAIL(wr_xf_parse_date(&x, "", "%F"), "does not match");
    FAIL(wr_xf_parse_date(&x, "24-01-31", "%F"), "%Y wants a year of 4 digits");
    FAIL(wr_xf_parse_date(&x, "202401", "%Y%m%d"), "%d wants");
    FAIL(wr_xf_parse_date(&x, "20245-01-01", "%Y-%m-%d"), "the text differs from the format at byte 5");
    FAIL(wr_xf_parse_date(&x, "2024/01/31", "%Y-%m-%d"), "the text differs from the format at byte 5");
    FAIL(wr_xf_parse_date(&x, "1.1.2024", "%d.%m.%y"), "text left over at byte 7");
    FAIL(wr_xf_parse_date(&x, "1.1.5", "%d.%m.%y"), "%y wants a year of 2 digits");
    FAIL(wr_xf_parse_date(&x, "5 Sept 2024", "%d %b %Y"), "does not match");
    FAIL(wr_xf_parse_date(&x, "5 Mär 2024", "%d %b %Y"), "%b wants a month's name");
    FAIL(wr_xf_parse_date(&x, "2024 5", "%Y%%%m"), "'%' expected at byte 5");
    FAIL(wr_xf_parse_date(&x, "-2024-01-01", "%F"), "does not match");
    FAIL(wr_xf_parse_date(&x, "+2024-01-01", "%F"), "does not match");
    /* formats the compiler would refuse */
    FAIL(wr_xf_parse_date(&x, "01/31", "%m/%d"), "the format \"%m/%d\" has no year");
    FAIL(wr_xf_parse_date(&x, "2024-01-31 10", "%F %H"), "has %H, a time: use parse_timestamp");
    FAIL(wr_xf_parse_date(&x, "2024", "%Y%Q"), "has the unsupported conversion %Q");
    FAIL(wr_xf_parse_date(&x, "2024", "%Y%"), "ends in a lone %");
    FAIL(wr_xf_parse_date(&x, "2024", NULL), "no format");
    /* a fault of the format is named whatever the text */
    FAIL(wr_xf_parse_date(&x, "garbage", "%F %H"), "the format \"%F %H\" has %H, a time: use parse_timestamp");
    FAIL(wr_xf_parse_date(&x, "", "%m/%d"), "has no year");
    FAIL(wr_xf_parse_timestamp(&x, "x", "%F %I:%M"), "has %I without %p");
    FAIL(wr_xf_parse_timestamp(&x, "x", "%F %s"), "has the unsupported conversion %s");
    FAIL(wr_xf_parse_date(&x, "2024", "%Y%c"), "has the unsupported conversion %c");
}

static void test_parse_timestamp(void)
{
    OK(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:00", "%Y-%m-%d %H:%M:%S"), "2024-01-31 13:45:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:07", "%F %T"), "2024-01-31 13:45:07.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-31", "%F"), "2024-01-31 00:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "1/5/2024 9:05", "%m/%d/%Y %H:%M"), "2024-01-05 09:05:00.000000+00:00");
    /* %f: 1 to 9 digits, past the microsecond only zeros */
    OK(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:00.5", "%F %T.%f"), "2024-01-31 13:45:00.500000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:00.123456", "%F %T.%f"), "2024-01-31 13:45:00.123456+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:00.123456000", "%F %T.%f"),
       "2024-01-31 13:45:00.123456+00:00");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:00.123456789", "%F %T.%f"),
         "sub-microsecond precision would be lost");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:00.1234560001", "%F %T.%f"), "text left over at byte 30");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-31 13:45:00.", "%F %T.%f"), "%f wants 1 to 9 digits");
    /* %z: converted to UTC, across a day and a year */
    OK(wr_xf_parse_timestamp(&x, "2024-01-01 05:30:00+05:30", "%F %T%z"), "2024-01-01 00:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-01 01:00:00 +0530", "%F %T %z"), "2023-12-31 19:30:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2023-12-31 20:00:00 -08:00", "%F %T %z"), "2024-01-01 04:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 -05", "%F %T %z"), "2024-01-01 17:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-01T12:00:00Z", "%FT%T%z"), "2024-01-01 12:00:00.000000+00:00");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 +24:00", "%F %T %z"), "%z wants Z, +HH, +HHMM or +HH:MM");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 +05:60", "%F %T %z"), "%z wants");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 05:00", "%F %T %z"), "%z wants");
    /* %Z: only the names of UTC */
    OK(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 UTC", "%F %T %Z"), "2024-01-01 12:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 gmt", "%F %T %Z"), "2024-01-01 12:00:00.000000+00:00");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 EST", "%F %T %Z"), "%Z takes only UTC, GMT, UT or Z");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 12:00:00 UTC +01:00", "%F %T %Z %z"), "%z disagrees");
    /* %I with %p */
    OK(wr_xf_parse_timestamp(&x, "03/10/2024 02:30 PM", "%m/%d/%Y %I:%M %p"), "2024-03-10 14:30:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "03/10/2024 02:30 am", "%m/%d/%Y %I:%M %p"), "2024-03-10 02:30:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "03/10/2024 12:00 AM", "%m/%d/%Y %I:%M %p"), "2024-03-10 00:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "03/10/2024 12:00 PM", "%m/%d/%Y %I:%M %p"), "2024-03-10 12:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "2024-03-10 14 02PM", "%F %H %I%p"), "2024-03-10 14:00:00.000000+00:00");
    FAIL(wr_xf_parse_timestamp(&x, "2024-03-10 13 02PM", "%F %H %I%p"), "%H and %I disagree");
    FAIL(wr_xf_parse_timestamp(&x, "03/10/2024 13:00 PM", "%m/%d/%Y %I:%M %p"), "%I wants an hour, 1 to 12");
    FAIL(wr_xf_parse_timestamp(&x, "03/10/2024 00:00 PM", "%m/%d/%Y %I:%M %p"), "%I wants an hour, 1 to 12");
    FAIL(wr_xf_parse_timestamp(&x, "03/10/2024 02:30 XM", "%m/%d/%Y %I:%M %p"), "%p wants AM or PM at byte 18");
    FAIL(wr_xf_parse_timestamp(&x, "03/10/2024 02:30", "%m/%d/%Y %I:%M"), "has %I without %p");
    FAIL(wr_xf_parse_timestamp(&x, "03/10/2024 14:30 PM", "%m/%d/%Y %H:%M %p"), "has %p without %I");
    /* fields out of range */
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 24:00:00", "%F %T"), "%H wants an hour, 0 to 23");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 23:60:00", "%F %T"), "%M wants minutes, 0 to 59");
    FAIL(wr_xf_parse_timestamp(&x, "2024-12-31 23:59:60", "%F %T"), "%S wants seconds, 0 to 59");
    FAIL(wr_xf_parse_timestamp(&x, "2023-02-29 10:00:00", "%F %T"), "is not a day of the calendar");
    FAIL(wr_xf_parse_timestamp(&x, "2024-01-01 10:00:00", "%F %T%Q"), "unsupported conversion %Q");
    /* the ends of the range, in UTC */
    OK(wr_xf_parse_timestamp(&x, "0001-01-01 00:00:00", "%F %T"), "0001-01-01 00:00:00.000000+00:00");
    OK(wr_xf_parse_timestamp(&x, "9999-12-31 23:59:59.999999", "%F %T.%f"), "9999-12-31 23:59:59.999999+00:00");
    FAIL(wr_xf_parse_timestamp(&x, "0001-01-01 00:30:00 +01:00", "%F %T %z"), "is out of range");
    FAIL(wr_xf_parse_timestamp(&x, "9999-12-31 23:30:00 -01:00", "%F %T %z"), "is out of range");
}

/* Time zones and summer time play no part: a text without a zone is UTC,
 * whatever TZ says, and a local time that a zone skips is kept. */
static void test_time_zone_irrelevant(void)
{
    const char *tz = getenv("TZ");
    char *saved = tz ? strdup(tz) : NULL;
    setenv("TZ", "America/New_York", 1);
    tzset();
    OK(wr_xf_parse_timestamp(&x, "2024-03-10 02:30:00", "%F %T"), "2024-03-10 02:30:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 02:30:00"), "2024-03-10 02:30:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-11-03 01:30:00-04:00"), "2024-11-03 05:30:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-11-03 01:30:00-05:00"), "2024-11-03 06:30:00.000000+00:00");
    OK(wr_xf_to_date(&x, "2024-03-10 23:30:00"), "2024-03-10");
    setenv("TZ", "Asia/Kolkata", 1);
    tzset();
    OK(wr_xf_to_timestamp(&x, "2024-03-10 02:30:00"), "2024-03-10 02:30:00.000000+00:00");
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

/* ======================================================================
 * numbers
 * ====================================================================== */

static void test_parse_number(void)
{
    OK(wr_xf_parse_number(&x, "42"), "42");
    OK(wr_xf_parse_number(&x, "1.5e3"), "1500");
    OK(wr_xf_parse_number(&x, "1.5E+2"), "150");
    OK(wr_xf_parse_number(&x, "1.50e1"), "15.0");
    OK(wr_xf_parse_number(&x, "1e-5"), "0.00001");
    OK(wr_xf_parse_number(&x, "-2.5e-3"), "-0.0025");
    OK(wr_xf_parse_number(&x, "-0.00"), "0.00");
    OK(wr_xf_parse_number(&x, "-0"), "0");
    OK(wr_xf_parse_number(&x, "0e10"), "0");
    OK(wr_xf_parse_number(&x, "0e1000000000"), "0");
    OK(wr_xf_parse_number(&x, "0.00e-36"), "0.00000000000000000000000000000000000000");
    FAIL(wr_xf_parse_number(&x, "0e-1000000000"), "too many digits");
    OK(wr_xf_parse_number(&x, "+7"), "7");
    OK(wr_xf_parse_number(&x, "007.50"), "7.50");
    OK(wr_xf_parse_number(&x, ".5"), "0.5");
    OK(wr_xf_parse_number(&x, "-.5"), "-0.5");
    OK(wr_xf_parse_number(&x, "1."), "1");
    OK(wr_xf_parse_number(&x, "  42  "), "42");
    OK(wr_xf_parse_number(&x, "\t-3.25\r\n"), "-3.25");
    OK(wr_xf_parse_number(&x, "12345678901234567890123456789012345678"), "12345678901234567890123456789012345678");
    OK(wr_xf_parse_number(&x, "0.12345678901234567890123456789012345678"), "0.12345678901234567890123456789012345678");
    OK(wr_xf_parse_number(&x, "1234567890123456789012345678901234567.8"), "1234567890123456789012345678901234567.8");
    OK(wr_xf_parse_number(&x, "0000000000000000000000000000000000000000001"), "1");
    FAIL(wr_xf_parse_number(&x, "123456789012345678901234567890123456789"), "too many digits (39, at most 38)");
    FAIL(wr_xf_parse_number(&x, "0.000000000000000000000000000000000000001"), "too many digits");
    FAIL(wr_xf_parse_number(&x, "1e38"), "too many digits");
    FAIL(wr_xf_parse_number(&x, "1e400"), "too many digits");
    FAIL(wr_xf_parse_number(&x, "1e1000000000"), "too many digits");
    /* thousands separators: refused, with the value */
    FAIL(wr_xf_parse_number(&x, "1,234"), "'1,234' is not a number (thousands separators are not accepted)");
    FAIL(wr_xf_parse_number(&x, "1,234.50"), "'1,234.50'");
    FAIL(wr_xf_parse_number(&x, "1 234"), "'1 234' is not a number");
    FAIL(wr_xf_parse_number(&x, "1'234"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "abc"), "'abc' is not a number");
    FAIL(wr_xf_parse_number(&x, ""), "'' is not a number");
    FAIL(wr_xf_parse_number(&x, "   "), "is not a number");
    FAIL(wr_xf_parse_number(&x, "."), "is not a number");
    FAIL(wr_xf_parse_number(&x, "-"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "1e"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "1e+"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "--1"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "1.2.3"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "0x10"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "12abc"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "\xc2\xa0" "1"), "is not a number");   /* only ASCII blanks are dropped */
    FAIL(wr_xf_parse_number(&x, "NaN"), "'NaN' is not a number (NaN and Infinity have no decimal value)");
    FAIL(wr_xf_parse_number(&x, "-Infinity"), "is not a number");
    FAIL(wr_xf_parse_number(&x, "inf"), "is not a number");
}

static void test_arith_exact(void)
{
    OK(wr_xf_arith(&x, '+', "0.1", "0.2"), "0.3");
    OK(wr_xf_arith(&x, '+', "1.10", "2.205"), "3.305");
    OK(wr_xf_arith(&x, '-', "10", "10.00"), "0.00");
    OK(wr_xf_arith(&x, '-', "1", "2"), "-1");
    OK(wr_xf_arith(&x, '-', "-1", "-1"), "0");
    OK(wr_xf_arith(&x, '+', "-1", "-2"), "-3");
    OK(wr_xf_arith(&x, '+', "-1.5", "1"), "-0.5");
    OK(wr_xf_arith(&x, '-', "0", "0.5"), "-0.5");
    OK(wr_xf_arith(&x, '*', "2.50", "2"), "5.00");
    OK(wr_xf_arith(&x, '*', "5", "0"), "0");
    OK(wr_xf_arith(&x, '*', "-5", "0.0"), "0.0");
    OK(wr_xf_arith(&x, '*', "-1.5", "-1.5"), "2.25");
    OK(wr_xf_arith(&x, '*', "-1.5", "2"), "-3.0");
    OK(wr_xf_arith(&x, '*', "123456789", "987654321"), "121932631112635269");
    OK(wr_xf_arith(&x, '*', "9999999999999999999", "9999999999999999999"),
       "99999999999999999980000000000000000001");    /* 38 digits: fits */
}

static void test_arith_rules(void)
{
    /* the example of wmap-by-example.md: gas * 1000 / 1000 */
    OK(wr_xf_arith(&x, '*', "9999999999.99", "1000"), "9999999999990.00");
    OK(wr_xf_arith(&x, '/', "9999999999990.00", "1000"), "9999999999.990000000000000000");
    OK(wr_xf_arith(&x, '/', wr_xf_arith(&x, '*', "9999999999.99", "1000"), "1000"), "9999999999.990000000000000000");
    /* division: 18 digits after the point, half even */
    OK(wr_xf_arith(&x, '/', "1", "3"), "0.333333333333333333");
    OK(wr_xf_arith(&x, '/', "2", "3"), "0.666666666666666667");
    OK(wr_xf_arith(&x, '/', "-2", "3"), "-0.666666666666666667");
    OK(wr_xf_arith(&x, '/', "1", "-3"), "-0.333333333333333333");
    OK(wr_xf_arith(&x, '/', "-7", "2"), "-3.500000000000000000");
    OK(wr_xf_arith(&x, '/', "7", "-2"), "-3.500000000000000000");
    OK(wr_xf_arith(&x, '/', "-7", "-2"), "3.500000000000000000");
    OK(wr_xf_arith(&x, '/', "0", "5"), "0.000000000000000000");
    OK(wr_xf_arith(&x, '/', "10", "4"), "2.500000000000000000");
    OK(wr_xf_arith(&x, '/', "1.5", "0.5"), "3.000000000000000000");
    OK(wr_xf_arith(&x, '/', "0.000000000000000005", "2"), "0.000000000000000002");    /* tie: to even */
    OK(wr_xf_arith(&x, '/', "0.000000000000000015", "2"), "0.000000000000000008");    /* tie: to even */
    OK(wr_xf_arith(&x, '/', "-0.000000000000000025", "2"), "-0.000000000000000012");
    OK(wr_xf_arith(&x, '/', "-0.000000000000000035", "2"), "-0.000000000000000018");
    OK(wr_xf_arith(&x, '/', "-6", "10000000000000000000"), "-0.000000000000000001");
    OK(wr_xf_arith(&x, '/', "-4", "10000000000000000000"), "0.000000000000000000"); /* no "-0" */
    OK(wr_xf_arith(&x, '/', "1e-30", "1"), "0.000000000000000000");
    OK(wr_xf_arith(&x, '/', "1", "1e-10"), "10000000000.000000000000000000");
    /* a quotient whose integer part needs the room keeps fewer decimals,
     * rounded once from the exact value */
    OK(wr_xf_arith(&x, '/', "123456789012345678901234567890", "7"), "17636684144620811271604938270.000000000");
    OK(wr_xf_arith(&x, '/', "-123456789012345678901234567890", "0.07"), "-1763668414462081127160493827000.0000000");
    OK(wr_xf_arith(&x, '/', "1e25", "1"), "10000000000000000000000000.000000000000");
    OK(wr_xf_arith(&x, '/', "1e37", "1"), "10000000000000000000000000000000000000");
    FAIL(wr_xf_arith(&x, '/', "1e38", "1"), "overflow");
    FAIL(wr_xf_arith(&x, '/', "1", "1e-38"), "overflow");
    /* division by zero, however written */
    FAIL(wr_xf_arith(&x, '/', "1", "0"), "division by zero: '1' / '0'");
    FAIL(wr_xf_arith(&x, '/', "1", "0.000"), "division by zero");
    FAIL(wr_xf_arith(&x, '/', "0", "-0e5"), "division by zero");
    /* exponents, as a double's text comes */
    OK(wr_xf_arith(&x, '*', "1.5e-05", "2"), "0.000030");
    OK(wr_xf_arith(&x, '+', "1.5e-05", "1"), "1.000015");
    OK(wr_xf_arith(&x, '*', "1E3", "1.5"), "1500.0");
    OK(wr_xf_arith(&x, '*', "1.2345678901234567e-30", "1000"), "0.00000000000000000000000000123456789012");
    /* more than 38 digits: the fraction is rounded half even when the
     * integer part fits, else overflow */
    OK(wr_xf_arith(&x, '*', "0.1234567890123456789012", "0.1234567890123456789012"),
       "0.01524157875323883675048681628113153484");
    OK(wr_xf_arith(&x, '*', "12345678901234567890.123456789", "1000.5"), "12351851740685185174068.5185173945");
    OK(wr_xf_arith(&x, '+', "99999999999999999999999999999999999.9999", "0"),
       "100000000000000000000000000000000000.00");
    OK(wr_xf_arith(&x, '+', "1", "0.000000000000000000000000000000000000005"),
       "1.0000000000000000000000000000000000000");
    OK(wr_xf_arith(&x, '+', "1", "0.000000000000000000000000000000000000015"),
       "1.0000000000000000000000000000000000000");
    OK(wr_xf_arith(&x, '+', "1", "0.000000000000000000000000000000000000051"),
       "1.0000000000000000000000000000000000001");
    OK(wr_xf_arith(&x, '+', "99999999999999999999999999999999999999", "0"), "99999999999999999999999999999999999999");
    OK(wr_xf_arith(&x, '*', "1e-399", "1e-399"), "0.00000000000000000000000000000000000000");
    FAIL(wr_xf_arith(&x, '+', "99999999999999999999999999999999999999", "1"),
         "overflow: '99999999999999999999999999999999999999' + '1' has more than 38 digits before the point");
    FAIL(wr_xf_arith(&x, '*', "1e20", "1e20"), "overflow");
    FAIL(wr_xf_arith(&x, '-', "-99999999999999999999999999999999999999", "1"), "overflow");
    FAIL(wr_xf_arith(&x, '*', "99999999999999999999", "9999999999999999999"), "overflow");
    /* the largest operands there are: no crash, a clear answer */
    char big[402];
    memset(big, '9', 400);
    big[400] = '\0';
    FAIL(wr_xf_arith(&x, '/', big, "1e-400"), "overflow");
    FAIL(wr_xf_arith(&x, '*', big, big), "overflow");
    FAIL(wr_xf_arith(&x, '+', big, "1e-400"), "overflow");
    OK(wr_xf_arith(&x, '/', "1e-400", big), "0.000000000000000000");
    OK(wr_xf_arith(&x, '-', "1e-400", "1e-400"), "0.00000000000000000000000000000000000000");
    big[400] = '9';
    big[401] = '\0';
    FAIL(wr_xf_arith(&x, '+', big, "1"), "too many digits");
    FAIL(wr_xf_arith(&x, '+', "1e-401", "1"), "too many digits");
    /* not numbers */
    FAIL(wr_xf_arith(&x, '+', "abc", "1"), "'abc' is not a number");
    FAIL(wr_xf_arith(&x, '+', "1", "abc"), "'abc' is not a number");
    FAIL(wr_xf_arith(&x, '*', "NaN", "1"), "'NaN' is not a number");
    FAIL(wr_xf_arith(&x, '*', "1", "Infinity"), "'Infinity' is not a number");
    FAIL(wr_xf_arith(&x, '*', "1", "-inf"), "is not a number");
    FAIL(wr_xf_arith(&x, '+', "1,5", "1"), "thousands separators");
    FAIL(wr_xf_arith(&x, '+', " 1", "1"), "is not a number");
    FAIL(wr_xf_arith(&x, '+', "", "1"), "'' is not a number");
    FAIL(wr_xf_arith(&x, '%', "1", "1"), "'%' is not an arithmetic operator");
}

static void test_negate(void)
{
    OK(wr_xf_negate(&x, "5"), "-5");
    OK(wr_xf_negate(&x, "-5.50"), "5.50");
    OK(wr_xf_negate(&x, "0"), "0");
    OK(wr_xf_negate(&x, "0.00"), "0.00");
    OK(wr_xf_negate(&x, "-0"), "0");
    OK(wr_xf_negate(&x, "1.5e2"), "-150");
    OK(wr_xf_negate(&x, "+2"), "-2");
    OK(wr_xf_negate(&x, "99999999999999999999999999999999999999"), "-99999999999999999999999999999999999999");
    OK(wr_xf_negate(&x, wr_xf_negate(&x, "3.25")), "3.25");
    FAIL(wr_xf_negate(&x, "1e38"), "overflow");
    FAIL(wr_xf_negate(&x, "abc"), "'abc' is not a number");
    FAIL(wr_xf_negate(&x, "NaN"), "is not a number");
}

/* ======================================================================
 * into a field's type
 * ====================================================================== */

static void test_to_text(void)
{
    fresh();
    const char *in = "héllo";
    CU_ASSERT_PTR_EQUAL(wr_xf_to_text(&x, in, 0), in);   /* the value itself */
    OK(wr_xf_to_text(&x, "héllo", 5), "héllo");          /* 5 characters, 6 bytes */
    OK(wr_xf_to_text(&x, "", 1), "");
    OK(wr_xf_to_text(&x, "🛢🛢", 2), "🛢🛢");
    OK(wr_xf_to_text(&x, "\xf4\x8f\xbf\xbf", 1), "\xf4\x8f\xbf\xbf");   /* U+10FFFF */
    OK(wr_xf_to_text(&x, "\xef\xbf\xbf", 1), "\xef\xbf\xbf");           /* U+FFFF */
    FAIL(wr_xf_to_text(&x, "héllo", 4), "'héllo' has 5 characters, more than 4");
    FAIL(wr_xf_to_text(&x, "🛢🛢🛢", 2), "3 characters, more than 2");
    FAIL(wr_xf_to_text(&x, "ab\xff" "cd", 0), "invalid UTF-8 at byte 3 (0xff) of 'ab\\xffcd'");
    /* C0 80 (an overlong NUL) is how wr_mysql_query.c hands over a NUL byte */
    FAIL(wr_xf_to_text(&x, "\xc0\x80", 0), "NUL byte at byte 1 of '\\x00' (PostgreSQL text cannot hold NUL)");
    FAIL(wr_xf_to_text(&x, "a\xc0\x80" "b\xc0\x80", 0), "NUL byte at byte 2 of 'a\\x00b\\x00' (");
    FAIL(wr_xf_to_text(&x, "a\xc0", 0), "invalid UTF-8 at byte 2 (0xc0) of 'a\\xc0'");   /* C0 alone */
    FAIL(wr_xf_upper(&x, "a\xc0\x80"), "NUL byte at byte 2 of 'a\\x00'");
    FAIL(wr_xf_trim(&x, " \xc0\x80 "), "NUL byte at byte 2 of ' \\x00 '");
    FAIL(wr_xf_parse_number(&x, "1\xc0\x80"), "'1\\x00' is not a number");
    FAIL(wr_xf_to_text(&x, "\xe0\x80\xaf", 0), "invalid UTF-8 at byte 1");       /* overlong */
    FAIL(wr_xf_to_text(&x, "\xed\xbf\xbf", 0), "invalid UTF-8 at byte 1");       /* surrogate */
    FAIL(wr_xf_to_text(&x, "ok\xf5\x80\x80\x80", 0), "invalid UTF-8 at byte 3"); /* no such lead byte */
    FAIL(wr_xf_to_text(&x, "abcd\xe2\x82", 0), "invalid UTF-8 at byte 5");       /* cut short */
    FAIL(wr_xf_to_text(&x, "Latin-1 caf\xe9", 0), "invalid UTF-8 at byte 12 (0xe9)");
    char longer[301];
    memset(longer, 'a', 300);
    longer[300] = '\0';
    FAIL(wr_xf_to_text(&x, longer, 100), "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' has 300 characters, more than 100");
}

static void test_to_uuid(void)
{
    OK(wr_xf_to_uuid(&x, "123e4567-e89b-12d3-a456-426614174000"), "123e4567-e89b-12d3-a456-426614174000");
    OK(wr_xf_to_uuid(&x, "123E4567-E89B-12D3-A456-42661417400F"), "123e4567-e89b-12d3-a456-42661417400f");
    OK(wr_xf_to_uuid(&x, "{123E4567-E89B-12D3-A456-42661417400F}"), "123e4567-e89b-12d3-a456-42661417400f");
    OK(wr_xf_to_uuid(&x, "00000000-0000-0000-0000-000000000000"), "00000000-0000-0000-0000-000000000000");
    FAIL(wr_xf_to_uuid(&x, "{123e4567-e89b-12d3-a456-426614174000"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "123e4567-e89b-12d3-a456-426614174000}"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "(123e4567-e89b-12d3-a456-426614174000)"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "{{123e4567-e89b-12d3-a456-426614174000}}"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "123e4567e89b12d3a456426614174000"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "123e4567-e89b-12d3-a456-42661417400g"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "123e4567-e89b-12d3-a456-4266141740000"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, " 123e4567-e89b-12d3-a456-426614174000"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, ""), "'' is not a uuid (8-4-4-4-12 hex digits, optionally in braces)");
}

static void test_to_int(void)
{
    OK(wr_xf_to_int(&x, "42", 32), "42");
    OK(wr_xf_to_int(&x, "-5", 32), "-5");
    OK(wr_xf_to_int(&x, "+5", 32), "5");
    OK(wr_xf_to_int(&x, "007", 32), "7");
    OK(wr_xf_to_int(&x, "-0", 32), "0");
    OK(wr_xf_to_int(&x, "0.0", 32), "0");
    OK(wr_xf_to_int(&x, "12.000", 32), "12");
    OK(wr_xf_to_int(&x, "1.2e3", 32), "1200");
    OK(wr_xf_to_int(&x, "1200e-2", 32), "12");
    OK(wr_xf_to_int(&x, "2147483647", 32), "2147483647");
    OK(wr_xf_to_int(&x, "-2147483648", 32), "-2147483648");
    OK(wr_xf_to_int(&x, "2147483648", 64), "2147483648");
    OK(wr_xf_to_int(&x, "9223372036854775807", 64), "9223372036854775807");
    OK(wr_xf_to_int(&x, "-9223372036854775808", 64), "-9223372036854775808");
    OK(wr_xf_to_int(&x, "9.223372036854775807e18", 64), "9223372036854775807");
    OK(wr_xf_to_int(&x, "32767", 16), "32767");
    FAIL(wr_xf_to_int(&x, "2147483648", 32),
         "'2147483648' is out of range for a 32-bit integer (-2147483648 to 2147483647)");
    FAIL(wr_xf_to_int(&x, "-2147483649", 32), "out of range for a 32-bit integer");
    FAIL(wr_xf_to_int(&x, "2.147483648e9", 32), "out of range");
    FAIL(wr_xf_to_int(&x, "9223372036854775808", 64),
         "out of range for a 64-bit integer (-9223372036854775808 to 9223372036854775807)");
    FAIL(wr_xf_to_int(&x, "-9223372036854775809", 64), "out of range");
    FAIL(wr_xf_to_int(&x, "99999999999999999999999", 64), "out of range");
    FAIL(wr_xf_to_int(&x, "1e400", 64), "out of range");
    FAIL(wr_xf_to_int(&x, "32768", 16), "out of range for a 16-bit integer");
    FAIL(wr_xf_to_int(&x, "1.25e1", 32), "'1.25e1' is not an integer");
    FAIL(wr_xf_to_int(&x, "12.5", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, "12.0001", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, " 1", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, "1 ", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, "", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, "0x10", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, "1,000", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, "NaN", 32), "is not an integer");
    FAIL(wr_xf_to_int(&x, "1", 0), "0-bit integers are not supported");
    FAIL(wr_xf_to_int(&x, "1", 65), "65-bit integers are not supported");
}

static void test_to_float(void)
{
    OK(wr_xf_to_float(&x, "1.5"), "1.5");
    OK(wr_xf_to_float(&x, "0.1"), "0.1");
    OK(wr_xf_to_float(&x, "-2"), "-2");
    OK(wr_xf_to_float(&x, "-0"), "-0");
    OK(wr_xf_to_float(&x, "-0.000"), "-0");
    OK(wr_xf_to_float(&x, "1e300"), "1e+300");
    OK(wr_xf_to_float(&x, "1.5E-05"), "1.5e-05");
    OK(wr_xf_to_float(&x, "1.1"), "1.1");
    OK(wr_xf_to_float(&x, "28.001000"), "28.001");
    OK(wr_xf_to_float(&x, "+0012.50"), "12.5");
    OK(wr_xf_to_float(&x, "1000.000"), "1000");
    OK(wr_xf_to_float(&x, "0.0001"), "0.0001");
    OK(wr_xf_to_float(&x, "0.00001"), "1e-05");
    OK(wr_xf_to_float(&x, "123456789012345"), "123456789012345");
    OK(wr_xf_to_float(&x, "1234567890123456"), "1234567890123456");   /* 16 digits: the long way */
    OK(wr_xf_to_float(&x, "100000000000000000"), "1e+17");
    OK(wr_xf_to_float(&x, "0.30000000000000004"), "0.30000000000000004");
    OK(wr_xf_to_float(&x, "4.9e-324"), "4.94065645841247e-324");
    OK(wr_xf_to_float(&x, ".5"), "0.5");
    OK(wr_xf_to_float(&x, "123456789012345678901234567890"), "1.2345678901234568e+29");
    OK(wr_xf_to_float(&x, "NaN"), "NaN");
    OK(wr_xf_to_float(&x, "nan"), "NaN");
    OK(wr_xf_to_float(&x, "-NaN"), "NaN");
    OK(wr_xf_to_float(&x, "Infinity"), "Infinity");
    OK(wr_xf_to_float(&x, "+inf"), "Infinity");
    OK(wr_xf_to_float(&x, "-Infinity"), "-Infinity");
    OK(wr_xf_to_float(&x, "-INF"), "-Infinity");
    FAIL(wr_xf_to_float(&x, " 1"), "' 1' is not a floating-point number");
    FAIL(wr_xf_to_float(&x, "1 "), "is not a floating-point number");
    FAIL(wr_xf_to_float(&x, "0x10"), "is not a floating-point number");
    FAIL(wr_xf_to_float(&x, "1,5"), "is not a floating-point number");
    FAIL(wr_xf_to_float(&x, ""), "is not a floating-point number");
    FAIL(wr_xf_to_float(&x, "nan(1)"), "is not a floating-point number");
    FAIL(wr_xf_to_float(&x, "infinit"), "is not a floating-point number");
    FAIL(wr_xf_to_float(&x, "1e400"), "'1e400' is out of range for a floating-point number");
    FAIL(wr_xf_to_float(&x, "-1e400"), "out of range");
    FAIL(wr_xf_to_float(&x, "1e-400"), "out of range");
}

/* A field's range: exact for decimal text, doubles otherwise. */
static void test_in_range(void)
{
    CU_ASSERT_TRUE(wr_xf_in_range("28.001", "-90", "90"));
    CU_ASSERT_TRUE(wr_xf_in_range("-90", "-90", "90"));
    CU_ASSERT_TRUE(wr_xf_in_range("90.000", "-90", "90"));
    CU_ASSERT_FALSE(wr_xf_in_range("90.0000000000000001", "-90", "90"));   /* a double would say 90 */
    CU_ASSERT_FALSE(wr_xf_in_range("-90.0000000000000001", "-90", "90"));
    CU_ASSERT_FALSE(wr_xf_in_range("-98.5", "-90", "90"));
    CU_ASSERT_TRUE(wr_xf_in_range("0.5", "0.25", "0.75"));
    CU_ASSERT_TRUE(wr_xf_in_range("1e+300", "0", "1e308"));
    CU_ASSERT_FALSE(wr_xf_in_range("1e+300", "-90", "90"));
    CU_ASSERT_TRUE(wr_xf_in_range("1.5e-05", "0", "1"));
    CU_ASSERT_FALSE(wr_xf_in_range("NaN", "-90", "90"));
    CU_ASSERT_FALSE(wr_xf_in_range("Infinity", "-90", "90"));
    CU_ASSERT_TRUE(wr_xf_in_range("12345678901234567890123", "0", "99999999999999999999999"));
    CU_ASSERT_FALSE(wr_xf_in_range("99999999999999999999999.1", "0", "99999999999999999999999"));
}

/* The canonical text the long way: strtod, then the first of %.15g,
 * %.16g and %.17g that reads back. */
static void float_text_long_way(const char *v, char out[32])
{
    double d = strtod(v, NULL);
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, 32, "%.*g", digits, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

/* to_float's shortcut for plain decimals (no strtod, no printf) gives the
 * long way's text: random plain decimals of 1 to 19 digits, with leading
 * and trailing zeros, signs and every position of the point. */
static void test_to_float_shortcut_agrees(void)
{
    unsigned seed = 12345;
    int differ = 0;
    for (int n = 0; n < 200000; n++) {
        char v[48], want[32];
        size_t o = 0;
        seed = seed * 1103515245u + 12345u;
        int sign = (seed >> 16) % 3, len = 1 + (int)((seed >> 8) % 19);
        if (sign)
            v[o++] = sign == 1 ? '-' : '+';
        seed = seed * 1103515245u + 12345u;
        int point = (int)((seed >> 16) % (unsigned)(len + 2)) - 1;   /* -1: none */
        for (int i = 0; i < len; i++) {
            if (i == point)
                v[o++] = '.';
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) % 14;
            v[o++] = (char)('0' + (r >= 10 ? 0 : r));   /* zeros more often */
        }
        if (point == len)
            v[o++] = '.', v[o++] = '0';
        v[o] = '\0';
        float_text_long_way(v, want);
        fresh();
        const char *got = wr_xf_to_float(&x, v);
        if (!got || strcmp(got, want) != 0) {
            if (differ++ < 5)
                fprintf(stderr, "to_float('%s') = '%s', the long way '%s'\n", v, got ? got : "(null)", want);
        }
    }
    CU_ASSERT_EQUAL(differ, 0);
}

/* Text already in canonical form takes a shortcut (no parse, no format):
 * it must give what the full path gives.  The twin of each value, with a
 * leading zero or a '+', is not canonical and takes the full path. */
static void test_canonical_shortcuts(void)
{
    srand(7);
    char v[64], twin[72];
    for (int i = 0; i < 20000; i++) {
        unsigned scale = (unsigned)(rand() % 5), precision = scale + 1 + (unsigned)(rand() % 12);
        int int_digits = rand() % (int)(precision - scale + 2);   /* sometimes one too many */
        size_t o = 0;
        bool is_negative = rand() % 3 == 0;
        if (is_negative)
            v[o++] = '-';
        if (int_digits == 0)
            v[o++] = '0';
        for (int k = 0; k < int_digits; k++)
            v[o++] = (char)('0' + (k == 0 ? 1 + rand() % 9 : rand() % 10));
        if (scale > 0) {
            v[o++] = '.';
            for (unsigned k = 0; k < scale; k++)
                v[o++] = (char)('0' + (rand() % 4 == 0 ? 0 : rand() % 10));
        }
        v[o] = '\0';
        snprintf(twin, sizeof twin, "%s0%s", is_negative ? "-" : "+", v + is_negative);
        fresh();
        const char *fast = wr_xf_to_decimal(&x, v, precision, scale, false);
        bool fast_failed = x.is_failed;
        char kept[64];
        snprintf(kept, sizeof kept, "%s", fast ? fast : "(null)");
        fresh();
        const char *full = wr_xf_to_decimal(&x, twin, precision, scale, false);
        CU_ASSERT_EQUAL(fast_failed, x.is_failed);
        CU_ASSERT_STRING_EQUAL(kept, full ? full : "(null)");
    }
    /* integers and dates: the twin of "-12" is "-012", of a date the same
     * day with a time of midnight */
    static const char *const ints[] = { "0", "7", "-7", "127", "-128", "128", "-129", "2147483647", "-2147483648",
                                        "2147483648", "999999999999999999", "-999999999999999999",
                                        "9223372036854775807", "-9223372036854775808", "-0", "007" };
    static const unsigned bits[] = { 8, 32, 64 };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        for (size_t b = 0; b < sizeof bits / sizeof *bits; b++) {
            bool is_negative = ints[i][0] == '-';
            snprintf(twin, sizeof twin, "%s0%s", is_negative ? "-" : "+", ints[i] + is_negative);
            fresh();
            const char *fast = wr_xf_to_int(&x, ints[i], bits[b]);
            bool fast_failed = x.is_failed;
            char kept[64];
            snprintf(kept, sizeof kept, "%s", fast ? fast : "(null)");
            fresh();
            const char *full = wr_xf_to_int(&x, twin, bits[b]);
            CU_ASSERT_EQUAL(fast_failed, x.is_failed);
            CU_ASSERT_STRING_EQUAL(kept, full ? full : "(null)");
        }
    }
    static const char *const dates[] = { "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "0001-01-01",
                                         "9999-12-31", "0000-01-01", "2024-13-01", "2024-04-31", "2024-00-10",
                                         "2024-01-00", "2024-1-01" };
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        snprintf(twin, sizeof twin, "%s 00:00:00", dates[i]);
        fresh();
        const char *fast = wr_xf_to_date(&x, dates[i]);
        bool fast_failed = x.is_failed;
        char kept[64];
        snprintf(kept, sizeof kept, "%s", fast ? fast : "(null)");
        fresh();
        const char *full = wr_xf_to_date(&x, twin);
        CU_ASSERT_EQUAL(fast_failed, x.is_failed);
        CU_ASSERT_STRING_EQUAL(kept, full ? full : "(null)");
    }
    fresh();
    OK(wr_xf_to_decimal(&x, "-0.00", 5, 2, false), "0.00");   /* no negative zero, by either path */
    OK(wr_xf_to_decimal(&x, "12.50", 4, 2, false), "12.50");
    FAIL(wr_xf_to_decimal(&x, "123.50", 4, 2, false), "does not fit decimal(4,2)");
    OK(wr_xf_to_uuid(&x, "5b000000-0000-4000-8000-00000000000a"), "5b000000-0000-4000-8000-00000000000a");
    OK(wr_xf_to_uuid(&x, "5B000000-0000-4000-8000-00000000000A"), "5b000000-0000-4000-8000-00000000000a");
    FAIL(wr_xf_to_uuid(&x, "5b000000-0000-4000-8000-00000000000"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "5b000000-0000-4000-8000-00000000000ab"), "is not a uuid");
    FAIL(wr_xf_to_uuid(&x, "5b000000x0000-4000-8000-00000000000a"), "is not a uuid");
}

static void test_to_decimal(void)
{
    OK(wr_xf_to_decimal(&x, "12", 5, 2, false), "12.00");
    OK(wr_xf_to_decimal(&x, "-12.5", 5, 2, false), "-12.50");
    OK(wr_xf_to_decimal(&x, "1.2300", 10, 2, false), "1.23");   /* only zeros dropped: exact */
    OK(wr_xf_to_decimal(&x, "1.5e3", 6, 1, false), "1500.0");
    OK(wr_xf_to_decimal(&x, "1.5e-2", 6, 3, false), "0.015");
    OK(wr_xf_to_decimal(&x, "0.5", 1, 1, false), "0.5");
    OK(wr_xf_to_decimal(&x, "-0.00", 5, 2, false), "0.00");
    OK(wr_xf_to_decimal(&x, "999.99", 5, 2, false), "999.99");
    OK(wr_xf_to_decimal(&x, "12345678901234567890123456789012345678", 38, 0, false),
       "12345678901234567890123456789012345678");
    OK(wr_xf_to_decimal(&x, "0.5", 38, 38, false), "0.50000000000000000000000000000000000000");
    FAIL(wr_xf_to_decimal(&x, "1", 38, 38, false), "does not fit decimal(38,38)");
    /* refusal without is_rounded, rounding half even with it */
    FAIL(wr_xf_to_decimal(&x, "1.2345", 10, 2, false), "'1.2345' has more than 2 digits after the point");
    FAIL(wr_xf_to_decimal(&x, "1.25", 10, 1, false), "has more than 1 digit after the point");
    OK(wr_xf_to_decimal(&x, "1.2345", 10, 2, true), "1.23");
    OK(wr_xf_to_decimal(&x, "1.235", 10, 2, true), "1.24");
    OK(wr_xf_to_decimal(&x, "1.245", 10, 2, true), "1.24");
    OK(wr_xf_to_decimal(&x, "1.2451", 10, 2, true), "1.25");
    OK(wr_xf_to_decimal(&x, "-1.245", 10, 2, true), "-1.24");
    OK(wr_xf_to_decimal(&x, "-1.255", 10, 2, true), "-1.26");
    OK(wr_xf_to_decimal(&x, "2.5", 10, 0, true), "2");
    OK(wr_xf_to_decimal(&x, "3.5", 10, 0, true), "4");
    OK(wr_xf_to_decimal(&x, "-2.5", 10, 0, true), "-2");
    OK(wr_xf_to_decimal(&x, "-3.5", 10, 0, true), "-4");
    OK(wr_xf_to_decimal(&x, "0.5", 10, 0, true), "0");
    OK(wr_xf_to_decimal(&x, "-0.001", 10, 2, true), "0.00");
    OK(wr_xf_to_decimal(&x, "0.999", 10, 2, true), "1.00");
    OK(wr_xf_to_decimal(&x, wr_xf_arith(&x, '/', "-7", "2"), 10, 0, true), "-4");
    OK(wr_xf_to_decimal(&x, wr_xf_arith(&x, '/', "1", "3"), 12, 2, true), "0.33");
    OK(wr_xf_to_decimal(&x, "1.5e-05", 10, 4, true), "0.0000");
    OK(wr_xf_to_decimal(&x, "5e-04", 10, 3, true), "0.000");      /* tie: to even */
    OK(wr_xf_to_decimal(&x, "1.5e-03", 10, 3, true), "0.002");    /* tie: to even */
    OK(wr_xf_to_decimal(&x, "2.5e-03", 10, 3, true), "0.002");    /* tie: to even */
    OK(wr_xf_to_decimal(&x, "5.1e-04", 10, 3, true), "0.001");
    OK(wr_xf_to_decimal(&x, "4.9e-04", 10, 3, true), "0.000");
    /* the integer part must fit p - s digits, also after rounding */
    FAIL(wr_xf_to_decimal(&x, "1234", 5, 2, false), "'1234' does not fit decimal(5,2): more than 3 digits before the point");
    FAIL(wr_xf_to_decimal(&x, "999.995", 5, 2, true), "does not fit decimal(5,2)");
    FAIL(wr_xf_to_decimal(&x, "-1000", 5, 2, false), "does not fit decimal(5,2)");
    FAIL(wr_xf_to_decimal(&x, "5", 1, 1, false), "does not fit decimal(1,1): more than 0 digits");
    FAIL(wr_xf_to_decimal(&x, "1e500", 10, 2, false), "does not fit decimal(10,2)");
    FAIL(wr_xf_to_decimal(&x, "abc", 10, 2, false), "'abc' is not a number");
    FAIL(wr_xf_to_decimal(&x, " 1", 10, 2, false), "is not a number");
    FAIL(wr_xf_to_decimal(&x, "NaN", 10, 2, true), "is not a number");
    FAIL(wr_xf_to_decimal(&x, "1", 0, 0, false), "decimal(0,0) is not a valid type");
    FAIL(wr_xf_to_decimal(&x, "1", 39, 2, false), "decimal(39,2) is not a valid type");
    FAIL(wr_xf_to_decimal(&x, "1", 5, 6, false), "decimal(5,6) is not a valid type");
}

static void test_to_bool(void)
{
    const char *yes[] = { "1", "t", "T", "true", "TRUE", "True", "y", "Y", "yes", "YES", "yEs" };
    const char *no[] = { "0", "f", "F", "false", "FALSE", "False", "n", "N", "no", "NO", "nO" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        OK(wr_xf_to_bool(&x, yes[i]), "true");
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        OK(wr_xf_to_bool(&x, no[i]), "false");
    FAIL(wr_xf_to_bool(&x, "2"), "'2' is not a boolean");
    FAIL(wr_xf_to_bool(&x, ""), "is not a boolean");
    FAIL(wr_xf_to_bool(&x, " true"), "is not a boolean");
    FAIL(wr_xf_to_bool(&x, "true "), "is not a boolean");
    FAIL(wr_xf_to_bool(&x, "truee"), "is not a boolean");
    FAIL(wr_xf_to_bool(&x, "tru"), "is not a boolean");
    FAIL(wr_xf_to_bool(&x, "on"), "is not a boolean");
    FAIL(wr_xf_to_bool(&x, "01"), "is not a boolean");
    FAIL(wr_xf_to_bool(&x, "1.0"), "is not a boolean");
}

static void test_to_date(void)
{
    OK(wr_xf_to_date(&x, "2024-03-10"), "2024-03-10");
    OK(wr_xf_to_date(&x, "2024-03-10 23:30:00"), "2024-03-10");
    OK(wr_xf_to_date(&x, "2024-03-10T23:30"), "2024-03-10");
    OK(wr_xf_to_date(&x, "2024-03-10 23:30:00.123456789"), "2024-03-10");
    OK(wr_xf_to_date(&x, "2024-03-10T23:30:00-05:00"), "2024-03-11");   /* the UTC day */
    OK(wr_xf_to_date(&x, "2024-03-10 01:00:00+05:30"), "2024-03-09");
    OK(wr_xf_to_date(&x, "2024-12-31 23:00:00 -02:00"), "2025-01-01");
    OK(wr_xf_to_date(&x, "2024-03-10 12:00:00Z"), "2024-03-10");
    OK(wr_xf_to_date(&x, "0001-01-01"), "0001-01-01");
    OK(wr_xf_to_date(&x, "9999-12-31"), "9999-12-31");
    OK(wr_xf_to_date(&x, "2024-02-29"), "2024-02-29");
    FAIL(wr_xf_to_date(&x, "0000-00-00"), "'0000-00-00' is MySQL's zero date, not a day of the calendar");
    FAIL(wr_xf_to_date(&x, "0000-00-00 00:00:00"), "zero date");
    FAIL(wr_xf_to_date(&x, "2023-02-29"), "'2023-02-29' is not a day of the calendar");
    FAIL(wr_xf_to_date(&x, "2024-13-01"), "is not a day of the calendar");
    FAIL(wr_xf_to_date(&x, "2024-00-10"), "is not a day of the calendar");
    FAIL(wr_xf_to_date(&x, "0000-01-01"), "is not a day of the calendar");
    FAIL(wr_xf_to_date(&x, "0001-01-01 00:30:00+01:00"), "is out of range (0001-01-01 to 9999-12-31 in UTC)");
    FAIL(wr_xf_to_date(&x, "9999-12-31 23:00:00-02:00"), "is out of range");
    FAIL(wr_xf_to_date(&x, "2024-1-5"), "'2024-1-5' is not a date");
    FAIL(wr_xf_to_date(&x, "20240105"), "is not a date");
    FAIL(wr_xf_to_date(&x, "03/10/2024"), "is not a date");
    FAIL(wr_xf_to_date(&x, ""), "is not a date");
    FAIL(wr_xf_to_date(&x, "2024-03-10 "), "is not a date");
    FAIL(wr_xf_to_date(&x, " 2024-03-10"), "is not a date");
    FAIL(wr_xf_to_date(&x, "2024-03-10 25:00"), "is not a date");
    FAIL(wr_xf_to_date(&x, "2024-03-10 10:00:00+"), "is not a date");
    FAIL(wr_xf_to_date(&x, "infinity"), "is not a date");
}

static void test_to_timestamp(void)
{
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00+05:30"), "2024-03-10 09:00:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 02:00:00+05:30"), "2024-03-09 20:30:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00+0530"), "2024-03-10 09:00:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00-08"), "2024-03-10 22:30:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00-09:30"), "2024-03-11 00:00:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10T14:30:00.123456Z"), "2024-03-10 14:30:00.123456+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10t14:30:00.5z"), "2024-03-10 14:30:00.500000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30"), "2024-03-10 14:30:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:05"), "2024-03-10 14:30:05.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10"), "2024-03-10 00:00:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00+00:00"), "2024-03-10 14:30:00.000000+00:00");
    /* SQL Server's datetime2(7) and datetimeoffset texts */
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00.1234560"), "2024-03-10 14:30:00.123456+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00.0000000 +05:30"), "2024-03-10 09:00:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00.123456000"), "2024-03-10 14:30:00.123456+00:00");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00.1234567"), "sub-microsecond precision would be lost");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00.123456001"), "sub-microsecond precision would be lost");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00.1234567890"), "is not a timestamp");
    /* the ends of the range */
    OK(wr_xf_to_timestamp(&x, "0001-01-01 00:00:00"), "0001-01-01 00:00:00.000000+00:00");
    OK(wr_xf_to_timestamp(&x, "9999-12-31 23:59:59.999999"), "9999-12-31 23:59:59.999999+00:00");
    OK(wr_xf_to_timestamp(&x, "0001-01-01 01:00:00+01:00"), "0001-01-01 00:00:00.000000+00:00");
    FAIL(wr_xf_to_timestamp(&x, "0001-01-01 00:59:59+01:00"), "is out of range");
    FAIL(wr_xf_to_timestamp(&x, "9999-12-31 23:59:59-00:01"), "is out of range");
    /* not timestamps */
    FAIL(wr_xf_to_timestamp(&x, "0000-00-00 00:00:00"), "MySQL's zero date");
    FAIL(wr_xf_to_timestamp(&x, "2023-02-29 10:00:00"), "is not a day of the calendar");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 24:00:00"), "'2024-03-10 24:00:00' is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 23:60"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 23:59:60"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00+24:00"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00+05:60"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00+05:"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00 Z"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00  +05:30"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00 EST"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14:30:00."), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10 14"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "2024-03-10T"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, "1710081000"), "is not a timestamp");
    FAIL(wr_xf_to_timestamp(&x, ""), "is not a timestamp");
}

static void test_to_json(void)
{
    const char *good[] = { "{}", "[]", "1", "-1.5e3", "\"x\"", "null", "true", "false", " {} ",
                           "{\"a\":[1,2,{\"b\":null}],\"c\":\"é\"}", "12345678901234567890123",
                           "{\"a\":1,\"a\":2}", "\"\\u00e9\\ud83d\\udee2\"", "[[[[[[]]]]]]" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fresh();
        const char *got = wr_xf_to_json(&x, good[i]);
        CU_ASSERT_PTR_EQUAL(got, good[i]);
        if (x.is_failed)
            fprintf(stderr, "\n  to_json(%s): %s\n", good[i], x.reason);
    }
    FAIL(wr_xf_to_json(&x, ""), "'' is not JSON: ");
    FAIL(wr_xf_to_json(&x, "{"), "is not JSON");
    FAIL(wr_xf_to_json(&x, "{'a':1}"), "at line 1, column 2 (byte 2)");
    FAIL(wr_xf_to_json(&x, "[1,]"), "is not JSON");
    FAIL(wr_xf_to_json(&x, "nul"), "is not JSON");
    FAIL(wr_xf_to_json(&x, "{} x"), "is not JSON");
    FAIL(wr_xf_to_json(&x, "{}\n{}"), "line 2");
    FAIL(wr_xf_to_json(&x, "\"\xff\""), "is not JSON");
    FAIL(wr_xf_to_json(&x, "\"\\u0000\""), "is not JSON");
    FAIL(wr_xf_to_json(&x, "NaN"), "is not JSON");
    FAIL(wr_xf_to_json(&x, "1e400"), "is not JSON");
    FAIL(wr_xf_to_json(&x, "{\"a\" 1}"), "is not JSON");
}

static void test_to_enum(void)
{
    fresh();
    const char *in = "ACTIVE";
    CU_ASSERT_PTR_EQUAL(wr_xf_to_enum(&x, in, STATUSES), in);
    OK(wr_xf_to_enum(&x, "PLUGGED", STATUSES), "PLUGGED");
    FAIL(wr_xf_to_enum(&x, "Foo", STATUSES), "'Foo' is not one of ACTIVE, INACTIVE, PLUGGED");
    FAIL(wr_xf_to_enum(&x, "active", STATUSES), "'active' is not one of ACTIVE, INACTIVE, PLUGGED");
    FAIL(wr_xf_to_enum(&x, "ACTIVE ", STATUSES), "is not one of");
    FAIL(wr_xf_to_enum(&x, "", STATUSES), "'' is not one of");
    const char *const many[] = { "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", NULL };
    OK(wr_xf_to_enum(&x, "J", many), "J");
    FAIL(wr_xf_to_enum(&x, "Z", many), "'Z' is not one of A, B, C, D, E, F, G, H, ...");
    const char *const eight[] = { "A", "B", "C", "D", "E", "F", "G", "H", NULL };
    FAIL(wr_xf_to_enum(&x, "Z", eight), "'Z' is not one of A, B, C, D, E, F, G, H");
    const char *const none[] = { NULL };
    FAIL(wr_xf_to_enum(&x, "A", none), "'A' is not one of (no values)");
    FAIL(wr_xf_to_enum(&x, "A", NULL), "(no values)");
}

/* ====================================================================== */

int main(void)
{
    /* what a sync agent does at its start */
    if (!setlocale(LC_CTYPE, "C.UTF-8")) {
        fprintf(stderr, "test_transform: the C.UTF-8 locale is missing\n");
        return 1;
    }
    arena = wr_arena_new();
    if (!arena || CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    struct {
        const char *suite;
        const char *name;
        CU_TestFunc fn;
    } tests[] = {
        { "failures", "first failure wins", test_fail_first_wins },
        { "failures", "reasons are clean UTF-8", test_fail_reason_is_clean },
        { "failures", "NULL in, NULL out", test_null_in_null_out },
        { "failures", "after a failure, NULL", test_after_failure_everything_is_null },
        { "failures", "a generated row", test_a_generated_row },
        { "failures", "out of memory", test_out_of_memory },
        { "text", "upper and lower", test_upper_lower },
        { "text", "ASCII's tables agree with the locale", test_ascii_tables_agree_with_the_locale },
        { "text", "case and the caller's locale", test_case_does_not_depend_on_locale },
        { "text", "trim", test_trim },
        { "text", "concat", test_concat },
        { "text", "to_text", test_to_text },
        { "dates", "parse_date conversions", test_parse_date_conversions },
        { "dates", "parse_date failures", test_parse_date_failures },
        { "dates", "parse_timestamp", test_parse_timestamp },
        { "dates", "time zones are irrelevant", test_time_zone_irrelevant },
        { "dates", "to_date", test_to_date },
        { "dates", "to_timestamp", test_to_timestamp },
        { "numbers", "parse_number", test_parse_number },
        { "numbers", "arith exact", test_arith_exact },
        { "numbers", "arith rules", test_arith_rules },
        { "numbers", "negate", test_negate },
        { "numbers", "to_int", test_to_int },
        { "numbers", "to_float", test_to_float },
        { "numbers", "range checks", test_in_range },
        { "numbers", "to_float: plain decimals take the shortcut, to the same text", test_to_float_shortcut_agrees },
        { "numbers", "to_decimal", test_to_decimal },
        { "numbers", "canonical text takes the shortcut, to the same result", test_canonical_shortcuts },
        { "types", "to_uuid", test_to_uuid },
        { "types", "to_bool", test_to_bool },
        { "types", "to_json", test_to_json },
        { "types", "to_enum", test_to_enum },
    };
    CU_pSuite suite = NULL;
    const char *current = "";
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (strcmp(tests[i].suite, current) != 0) {
            current = tests[i].suite;
            suite = CU_add_suite(current, NULL, NULL);
        }
        if (!suite || !CU_add_test(suite, tests[i].name, tests[i].fn))
            return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    wr_arena_free(arena);
    return failed ? 1 : 0;
}
