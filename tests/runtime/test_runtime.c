/* test_runtime.c - libwellosrt held to its contract, runtime/wr.h: values
 * (exact, lossless, strict), secrets (never in a message), DSNs, the arena,
 * and connections to real servers.  tests/runtime/run.sh starts a private
 * PostgreSQL and MariaDB and exports WR_TEST_PG_DSN and WR_TEST_MYSQL_DSN;
 * no SQL Server exists here, so the TDS driver is held to failing cleanly.
 * Built with ASan+UBSan and run with leak detection. */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <mysql.h>
#define MSDBLIB 1
#include <sybfront.h>
#include <sybdb.h>

#include "wr.h"
#include "wr_agent_internal.h"
#include "wr_internal.h"
#include "wr_pg_io.h"

#define SECRET "Sup3rSecretPw"

static bool contains(const char *haystack, const char *needle)
{
    return strstr(haystack, needle) != NULL;
}

/* ======================================================================
 * values
 * ====================================================================== */

static bool uuid_round_trips(const char *text, const char *formatted)
{
    wr_uuid u;
    char out[WR_UUID_TEXT_SIZE];
    if (wr_uuid_parse(&u, text, NULL) != WR_OK)
        return false;
    wr_uuid_format(&u, out);
    return strcmp(out, formatted) == 0;
}

static bool uuid_rejected(const char *text)
{
    wr_uuid u = { { 0xAA } };
    wr_err e = { 0, "" };
    int rc = wr_uuid_parse(&u, text, &e);
    return rc == WR_EDATA && e.code == WR_EDATA && e.message[0] && u.bytes[0] == 0xAA;
}

static void test_uuid(void)
{
    CU_ASSERT(uuid_round_trips("123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"));
    CU_ASSERT(uuid_round_trips("123E4567-E89B-12D3-A456-42661417400F", "123e4567-e89b-12d3-a456-42661417400f"));
    CU_ASSERT(uuid_round_trips("00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"));
    CU_ASSERT(uuid_round_trips("ffffffff-ffff-ffff-ffff-ffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff"));

    wr_uuid a, b;
    CU_ASSERT_EQUAL(wr_uuid_parse(&a, "123e4567-e89b-12d3-a456-426614174000", NULL), WR_OK);
    CU_ASSERT_EQUAL(a.bytes[0], 0x12);
    CU_ASSERT_EQUAL(a.bytes[6], 0x12);
    CU_ASSERT_EQUAL(a.bytes[15], 0x00);
    CU_ASSERT_EQUAL(wr_uuid_parse(&b, "123E4567-E89B-12D3-A456-426614174000", NULL), WR_OK);
    CU_ASSERT(wr_uuid_equal(&a, &b));
    b.bytes[15] = 1;
    CU_ASSERT(!wr_uuid_equal(&a, &b));

    CU_ASSERT(uuid_rejected(""));
    CU_ASSERT(uuid_rejected(NULL));
    CU_ASSERT(uuid_rejected("123e4567e89b12d3a456426614174000"));
    CU_ASSERT(uuid_rejected("{123e4567-e89b-12d3-a456-426614174000}"));
    CU_ASSERT(uuid_rejected("123e4567-e89b-12d3-a456-42661417400g"));
    CU_ASSERT(uuid_rejected("123e4567-e89b-12d3-a456-42661417400"));
    CU_ASSERT(uuid_rejected("123e4567-e89b-12d3-a456-4266141740000"));
    CU_ASSERT(uuid_rejected("123e456-7e89b-12d3-a456-426614174000"));
    CU_ASSERT(uuid_rejected(" 123e4567-e89b-12d3-a456-42661417400"));
    CU_ASSERT(uuid_rejected("123e4567+e89b-12d3-a456-426614174000"));

    wr_err e;
    wr_uuid_parse(&a, "not-a-uuid", &e);
    CU_ASSERT(contains(e.message, "'not-a-uuid' is not a uuid"));
}

static bool decimal_is(const char *text, unsigned p, unsigned s, const char *formatted)
{
    wr_decimal d;
    wr_err e;
    char out[WR_DECIMAL_TEXT_SIZE];
    if (wr_decimal_parse(&d, text, p, s, &e) != WR_OK) {
        fprintf(stderr, "\n  unexpected: %s\n", e.message);
        return false;
    }
    wr_decimal_format(&d, out);
    if (strcmp(out, formatted) != 0 || d.scale != s) {
        fprintf(stderr, "\n  %s in decimal(%u,%u) formats as %s\n", text, p, s, out);
        return false;
    }
    return true;
}

/* The row hash is stored in the tenants' databases: it must never change.
 * The expected values are `xxhsum -H3` of the framed bytes, made by hand
 * (each value's length + 1 as four little-endian bytes, 0 for NULL, then
 * its bytes). */
static void test_row_hash(void)
{
    const char *const row[] = { "1", "abc", NULL, "" };
    CU_ASSERT_EQUAL(wr_row_hash(row, 4), UINT64_C(0xc13e09661d68a1f7));
    /* a row longer than the stack buffer: streamed, the same bytes */
    static char long_value[2001];
    memset(long_value, 'x', 2000);
    const char *const long_row[] = { long_value, "y" };
    CU_ASSERT_EQUAL(wr_row_hash(long_row, 2), UINT64_C(0xad1edb307439df49));
    /* NULL and the empty string differ; so do values moved between columns */
    const char *const a[] = { NULL }, *const b[] = { "" };
    CU_ASSERT_NOT_EQUAL(wr_row_hash(a, 1), wr_row_hash(b, 1));
    const char *const c[] = { "ab", "c" }, *const d[] = { "a", "bc" };
    CU_ASSERT_NOT_EQUAL(wr_row_hash(c, 2), wr_row_hash(d, 2));
}

/* Rejected with WR_EDATA, output untouched, the message containing `why`. */
static bool decimal_rejected(const char *text, unsigned p, unsigned s, const char *why)
{
    wr_decimal d = { 12345, 7 };
    wr_err e = { 0, "" };
    int rc = wr_decimal_parse(&d, text, p, s, &e);
    bool ok = rc == WR_EDATA && e.code == WR_EDATA && d.units == 12345 && d.scale == 7 && contains(e.message, why);
    if (!ok)
        fprintf(stderr, "\n  %s in decimal(%u,%u): rc %d, \"%s\"\n", text ? text : "(null)", p, s, rc, e.message);
    return ok;
}

static void test_decimal_parse_format(void)
{
    CU_ASSERT(decimal_is("9999999999.99", 12, 2, "9999999999.99"));
    CU_ASSERT(decimal_is("0.01", 12, 2, "0.01"));
    CU_ASSERT(decimal_is("-0.5", 12, 2, "-0.50"));
    CU_ASSERT(decimal_is("-9999999999.99", 12, 2, "-9999999999.99"));
    CU_ASSERT(decimal_is("1.50", 3, 1, "1.5"));
    CU_ASSERT(decimal_is("1.5000000", 3, 1, "1.5"));
    CU_ASSERT(decimal_is("+7", 3, 0, "7"));
    CU_ASSERT(decimal_is("7", 5, 2, "7.00"));
    CU_ASSERT(decimal_is(".5", 5, 2, "0.50"));
    CU_ASSERT(decimal_is("-.25", 5, 2, "-0.25"));
    CU_ASSERT(decimal_is("000123.40", 5, 2, "123.40"));
    CU_ASSERT(decimal_is("-0", 3, 0, "0"));
    CU_ASSERT(decimal_is("-0.00", 3, 2, "0.00"));
    CU_ASSERT(decimal_is("0.5", 1, 1, "0.5"));
    CU_ASSERT(decimal_is("99999999999999999999999999999999999999", 38, 0,
                         "99999999999999999999999999999999999999"));
    CU_ASSERT(decimal_is("-99999999999999999999999999999999999999", 38, 0,
                         "-99999999999999999999999999999999999999"));
    CU_ASSERT(decimal_is("9999999999999999999999999999.9999999999", 38, 10,
                         "9999999999999999999999999999.9999999999"));
    CU_ASSERT(decimal_is("0.00000000000000000000000000000000000001", 38, 38,
                         "0.00000000000000000000000000000000000001"));
    CU_ASSERT(decimal_is("-0.12345678901234567890123456789012345678", 38, 38,
                         "-0.12345678901234567890123456789012345678"));

    wr_decimal d;
    CU_ASSERT_EQUAL(wr_decimal_parse(&d, "-0.5", 12, 2, NULL), WR_OK);
    CU_ASSERT(d.units == -50 && d.scale == 2);
    CU_ASSERT_EQUAL(wr_decimal_parse(&d, "9999999999.99", 12, 2, NULL), WR_OK);
    CU_ASSERT(d.units == (__int128)999999999999LL);
}

static void test_decimal_rejects(void)
{
    CU_ASSERT(decimal_rejected("10000000000.00", 12, 2, "more than 10 digits before the point"));
    CU_ASSERT(decimal_rejected("100", 3, 1, "more than 2 digits before the point"));
    CU_ASSERT(decimal_rejected("1", 2, 2, "before the point"));
    CU_ASSERT(decimal_rejected("100000000000000000000000000000000000000", 38, 0, "before the point"));
    CU_ASSERT(decimal_rejected("0.001", 12, 2, "more than 2 digits after the point"));
    CU_ASSERT(decimal_rejected("1.234", 4, 2, "after the point"));
    CU_ASSERT(decimal_rejected("1.51", 3, 1, "after the point"));
    CU_ASSERT(decimal_rejected("1.5000001", 3, 1, "after the point"));
    CU_ASSERT(decimal_rejected("1e5", 12, 2, "exponent"));
    CU_ASSERT(decimal_rejected("1.5E-3", 12, 2, "exponent"));
    CU_ASSERT(decimal_rejected("", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("-", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected(".", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("1.", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("1.2.3", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected(" 1", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("1 ", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("1,5", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("--1", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("+-1", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("abc", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("NaN", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected("Infinity", 12, 2, "is not a decimal"));
    CU_ASSERT(decimal_rejected(NULL, 12, 2, "no text"));
    CU_ASSERT(decimal_rejected("1", 0, 0, "not a valid type"));
    CU_ASSERT(decimal_rejected("1", 39, 0, "not a valid type"));
    CU_ASSERT(decimal_rejected("1", 5, 6, "not a valid type"));
}

static wr_decimal dec(const char *text, unsigned p, unsigned s)
{
    wr_decimal d = { 0, 0 };
    CU_ASSERT_EQUAL(wr_decimal_parse(&d, text, p, s, NULL), WR_OK);
    return d;
}

static void test_decimal_compare_and_format(void)
{
    wr_decimal a = dec("1.5", 3, 1), b = dec("1.50", 4, 2), c = dec("1.49", 4, 2);
    CU_ASSERT_EQUAL(wr_decimal_compare(&a, &b), 0);
    CU_ASSERT_EQUAL(wr_decimal_compare(&c, &a), -1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&a, &c), 1);
    wr_decimal m1 = dec("-1", 3, 0), small = dec("0.01", 3, 2), zero = dec("0", 3, 0), mz = dec("-0.00", 3, 2);
    CU_ASSERT_EQUAL(wr_decimal_compare(&m1, &small), -1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&zero, &mz), 0);
    CU_ASSERT_EQUAL(wr_decimal_compare(&zero, &m1), 1);
    /* scaling the 38-digit integer to scale 1 overflows __int128: still right */
    wr_decimal big = dec("99999999999999999999999999999999999999", 38, 0), half = dec("0.5", 2, 1);
    wr_decimal nbig = dec("-99999999999999999999999999999999999999", 38, 0);
    wr_decimal tiny = dec("0.00000000000000000000000000000000000001", 38, 38);
    CU_ASSERT_EQUAL(wr_decimal_compare(&big, &half), 1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&half, &big), -1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&nbig, &half), -1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&big, &tiny), 1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&nbig, &tiny), -1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&tiny, &zero), 1);
    CU_ASSERT_EQUAL(wr_decimal_compare(&big, &big), 0);

    char out[WR_DECIMAL_TEXT_SIZE];
    wr_decimal_format(&(wr_decimal){ 0, 3 }, out);
    CU_ASSERT_STRING_EQUAL(out, "0.000");
    wr_decimal_format(&(wr_decimal){ -1, 3 }, out);
    CU_ASSERT_STRING_EQUAL(out, "-0.001");
    wr_decimal_format(&(wr_decimal){ 12345, 0 }, out);
    CU_ASSERT_STRING_EQUAL(out, "12345");
    /* not a decimal the parser makes, but formatting must not overflow */
    wr_decimal_format(&(wr_decimal){ -((__int128)1 << 126) * 2, 0 }, out);
    CU_ASSERT_STRING_EQUAL(out, "-170141183460469231731687303715884105728");
    wr_decimal_format(&(wr_decimal){ 5, 200 }, out);
    CU_ASSERT_EQUAL(strlen(out), WR_DECIMAL_TEXT_SIZE - 1);
}

static bool date_is(const char *text, int32_t days)
{
    wr_date d;
    char out[WR_DATE_TEXT_SIZE];
    if (wr_date_parse(&d, text, NULL) != WR_OK || d.days != days)
        return false;
    wr_date_format(d, out);
    return strcmp(out, text) == 0;
}

static bool date_rejected(const char *text)
{
    wr_date d = { 42 };
    wr_err e = { 0, "" };
    return wr_date_parse(&d, text, &e) == WR_EDATA && e.code == WR_EDATA && d.days == 42 && e.message[0];
}

static void test_dates(void)
{
    CU_ASSERT(date_is("1970-01-01", 0));
    CU_ASSERT(date_is("1969-12-31", -1));
    CU_ASSERT(date_is("0001-01-01", -719162));
    CU_ASSERT(date_is("9999-12-31", 2932896));
    CU_ASSERT(date_is("2000-02-29", 11016));
    CU_ASSERT(date_is("2024-02-29", 19782));
    CU_ASSERT(date_is("2024-12-31", 20088));

    CU_ASSERT(date_rejected("2023-02-29"));
    CU_ASSERT(date_rejected("1900-02-29"));
    CU_ASSERT(date_rejected("2024-04-31"));
    CU_ASSERT(date_rejected("0000-01-01"));
    CU_ASSERT(date_rejected("2024-13-01"));
    CU_ASSERT(date_rejected("2024-00-10"));
    CU_ASSERT(date_rejected("2024-01-00"));
    CU_ASSERT(date_rejected("2024-01-32"));
    CU_ASSERT(date_rejected("2024-1-01"));
    CU_ASSERT(date_rejected("24-01-01"));
    CU_ASSERT(date_rejected("10000-01-01"));
    CU_ASSERT(date_rejected("2024-01-01x"));
    CU_ASSERT(date_rejected("2024-01-01 00:00"));
    CU_ASSERT(date_rejected("2024/01/01"));
    CU_ASSERT(date_rejected("-2024-01-01"));
    CU_ASSERT(date_rejected(""));
    CU_ASSERT(date_rejected(NULL));

    int y, m, d;
    wr_date_to_ymd(wr_date_from_ymd(2024, 2, 29), &y, &m, &d);
    CU_ASSERT(y == 2024 && m == 2 && d == 29);
    CU_ASSERT_EQUAL(wr_date_from_ymd(2024, 1, 32).days, wr_date_from_ymd(2024, 2, 1).days);
    wr_date_to_ymd((wr_date){ -719162 }, &y, &m, &d);
    CU_ASSERT(y == 1 && m == 1 && d == 1);

    char out[WR_DATE_TEXT_SIZE];
    wr_date_format((wr_date){ 2932897 }, out);   /* 10000-01-01 has no YYYY form */
    CU_ASSERT_STRING_EQUAL(out, "?\?\?\?-\?\?-\?\?");   /* escaped: not trigraphs */
}

/* Every day from 0001-01-01 to 9999-12-31, counted with a naive calendar,
 * is the day number wr_date_from_ymd computes; every 97th round-trips
 * through text. */
static void test_dates_exhaustive(void)
{
    static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y = 1, m = 1, d = 1;
    unsigned mismatches = 0, round_trip_failures = 0, checked = 0;
    for (int32_t days = -719162; days <= 2932896; days++) {
        if (wr_date_from_ymd(y, m, d).days != days)
            mismatches++;
        if ((days + 719162) % 97 == 0) {
            char text[WR_DATE_TEXT_SIZE];
            wr_date back = { -1 };
            int yy, mm, dd;
            wr_date_format((wr_date){ days }, text);
            wr_date_to_ymd((wr_date){ days }, &yy, &mm, &dd);
            if (wr_date_parse(&back, text, NULL) != WR_OK || back.days != days || yy != y || mm != m || dd != d)
                round_trip_failures++;
            checked++;
        }
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int last = m == 2 && leap ? 29 : month_days[m - 1];
        if (++d > last) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(round_trip_failures, 0);
    CU_ASSERT(checked > 37000);
    CU_ASSERT(y == 10000 && m == 1 && d == 1);
}

static bool timestamp_is(const char *text, int64_t micros, const char *formatted)
{
    wr_timestamp t;
    wr_err e;
    char out[WR_TIMESTAMP_TEXT_SIZE];
    if (wr_timestamp_parse(&t, text, &e) != WR_OK) {
        fprintf(stderr, "\n  unexpected: %s\n", e.message);
        return false;
    }
    wr_timestamp_format(t, out);
    if (t.micros != micros || strcmp(out, formatted) != 0) {
        fprintf(stderr, "\n  %s: %lld, %s\n", text, (long long)t.micros, out);
        return false;
    }
    return true;
}

static bool timestamp_rejected(const char *text, const char *why)
{
    wr_timestamp t = { 42 };
    wr_err e = { 0, "" };
    int rc = wr_timestamp_parse(&t, text, &e);
    bool ok = rc == WR_EDATA && e.code == WR_EDATA && t.micros == 42 && contains(e.message, why);
    if (!ok)
        fprintf(stderr, "\n  %s: rc %d, \"%s\"\n", text ? text : "(null)", rc, e.message);
    return ok;
}

#define DAY_US (INT64_C(86400000000))
#define HOUR_US (INT64_C(3600000000))

static void test_timestamps(void)
{
    CU_ASSERT(timestamp_is("1970-01-01 00:00:00", 0, "1970-01-01 00:00:00.000000+00:00"));
    CU_ASSERT(timestamp_is("1970-01-01T00:00:00Z", 0, "1970-01-01 00:00:00.000000+00:00"));
    CU_ASSERT(timestamp_is("1970-01-01 00:00", 0, "1970-01-01 00:00:00.000000+00:00"));
    CU_ASSERT(timestamp_is("1969-12-31 23:59:59.999999", -1, "1969-12-31 23:59:59.999999+00:00"));
    CU_ASSERT(timestamp_is("0001-01-01 00:00:00", -719162 * DAY_US, "0001-01-01 00:00:00.000000+00:00"));
    CU_ASSERT(timestamp_is("9999-12-31 23:59:59.999999", 2932897 * DAY_US - 1,
                           "9999-12-31 23:59:59.999999+00:00"));
    /* the night US clocks jump forward: irrelevant in UTC */
    int64_t base = 19792 * DAY_US;   /* 2024-03-10 */
    CU_ASSERT(timestamp_is("2024-03-10 02:30:00", base + 2 * HOUR_US + 30 * 60000000LL,
                           "2024-03-10 02:30:00.000000+00:00"));
    /* zones */
    int64_t ten = 19723 * DAY_US + 10 * HOUR_US;   /* 2024-01-01 10:00 UTC */
    const char *same[] = {
        "2024-01-01 10:00:00Z", "2024-01-01 10:00:00z", "2024-01-01 10:00:00+00", "2024-01-01 12:00:00+02",
        "2024-01-01 12:00:00+02:00", "2024-01-01 12:00:00+0200", "2024-01-01 04:30:00-05:30",
        "2024-01-01 04:30-0530", "2024-01-02 00:00:00+14:00", "2023-12-31 22:00:00-12",
    };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        CU_ASSERT(timestamp_is(same[i], ten, "2024-01-01 10:00:00.000000+00:00"));
    /* fractions */
    CU_ASSERT(timestamp_is("2024-01-01 10:00:00.5", ten + 500000, "2024-01-01 10:00:00.500000+00:00"));
    CU_ASSERT(timestamp_is("2024-01-01 10:00:00.000001", ten + 1, "2024-01-01 10:00:00.000001+00:00"));
    CU_ASSERT(timestamp_is("2024-01-01 10:00:00.123456", ten + 123456, "2024-01-01 10:00:00.123456+00:00"));
    CU_ASSERT(timestamp_is("2024-01-01 10:00:00.123456000", ten + 123456, "2024-01-01 10:00:00.123456+00:00"));
    CU_ASSERT(timestamp_is("2024-01-01 12:00:00.25+02:00", ten + 250000, "2024-01-01 10:00:00.250000+00:00"));
    CU_ASSERT(timestamp_rejected("2024-01-01 10:00:00.1234567", "finer than a microsecond"));
    CU_ASSERT(timestamp_rejected("2024-01-01 10:00:00.123456789", "finer than a microsecond"));
    CU_ASSERT(timestamp_rejected("2024-01-01 10:00:00.1234560000", "is not a timestamp"));
    CU_ASSERT(timestamp_rejected("2024-01-01 10:00:00.", "is not a timestamp"));
    /* malformed */
    const char *bad[] = {
        "2024-01-01", "2024-01-01 ", "2024-01-01 24:00", "2024-01-01 10:60", "2024-01-01 10:00:60",
        "2024-01-01 10", "2024-01-01 1:00", "2024-01-01x10:00", "2024-02-30 10:00",
        "2024-01-01 10:00:00+2", "2024-01-01 10:00:00+02:0", "2024-01-01 10:00:00+02:", "2024-01-01 10:00:00+24",
        "2024-01-01 10:00:00+02:60", "2024-01-01 10:00:00 UTC", "2024-01-01 10:00:00 +02:00",
        "2024-01-01 10:00:00Z ", "2024-01-01 10:00:00+02:00:00", "", "garbage",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CU_ASSERT(timestamp_rejected(bad[i], "is not a timestamp"));
    CU_ASSERT(timestamp_rejected(NULL, "no text"));

    /* round trips across the whole range, at odd steps */
    unsigned failures = 0;
    for (int64_t us = -719162 * DAY_US; us < 2932897 * DAY_US; us += INT64_C(7777777777777) + 13) {
        char text[WR_TIMESTAMP_TEXT_SIZE];
        wr_timestamp back = { 0 };
        wr_timestamp_format((wr_timestamp){ us }, text);
        if (wr_timestamp_parse(&back, text, NULL) != WR_OK || back.micros != us)
            failures++;
    }
    CU_ASSERT_EQUAL(failures, 0);

    /* beyond year 9999 there is no YYYY form: visibly wrong, never an overflow */
    char text[WR_TIMESTAMP_TEXT_SIZE];
    wr_timestamp_format((wr_timestamp){ INT64_MIN }, text);
    CU_ASSERT_EQUAL(strncmp(text, "?\?\?\?-", 5), 0);
    CU_ASSERT_EQUAL(strlen(text), WR_TIMESTAMP_TEXT_SIZE - 1);
    wr_timestamp_format((wr_timestamp){ INT64_MAX }, text);
    CU_ASSERT_EQUAL(strncmp(text, "?\?\?\?-", 5), 0);

    struct timespec before, after;
    clock_gettime(CLOCK_REALTIME, &before);
    wr_timestamp now = wr_timestamp_now();
    clock_gettime(CLOCK_REALTIME, &after);
    CU_ASSERT(now.micros >= (int64_t)before.tv_sec * 1000000 + before.tv_nsec / 1000);
    CU_ASSERT(now.micros <= (int64_t)after.tv_sec * 1000000 + after.tv_nsec / 1000);
}

/* ======================================================================
 * secrets
 * ====================================================================== */

static bool masks_to(const char *text, const char *expected)
{
    char out[512];
    wr_mask_secrets(text, out, sizeof out);
    if (strcmp(out, expected) != 0) {
        fprintf(stderr, "\n  mask(%s) = %s\n", text ? text : "(null)", out);
        return false;
    }
    return true;
}

static void test_mask_key_values(void)
{
    CU_ASSERT(masks_to("host=db password=hunter2 user=x", "host=db password=**** user=x"));
    CU_ASSERT(masks_to("PASSWORD=hunter2", "PASSWORD=****"));
    CU_ASSERT(masks_to("Pwd=abc;Server=x", "Pwd=****;Server=x"));
    CU_ASSERT(masks_to("Server=x;PWD=abc", "Server=x;PWD=****"));
    CU_ASSERT(masks_to("password = 'my secret' user=a", "password = '****' user=a"));
    CU_ASSERT(masks_to("password='it\\'s secret' user=a", "password='****' user=a"));
    CU_ASSERT(masks_to("password='it''s secret' user=a", "password='****' user=a"));
    CU_ASSERT(masks_to("password=\"x y\" user=a", "password=\"****\" user=a"));
    CU_ASSERT(masks_to("password='never closed", "password='****"));
    CU_ASSERT(masks_to("a password=b password=c", "a password=**** password=****"));
    CU_ASSERT(masks_to("db_password=x1 PGPASSWORD=abc MYSQL_PWD=q passwd=z",
                       "db_password=**** PGPASSWORD=**** MYSQL_PWD=**** passwd=****"));
    CU_ASSERT(masks_to("?user=a&password=b&x=1", "?user=a&password=****&x=1"));
    CU_ASSERT(masks_to("password=\tx", "password=\t****"));
    CU_ASSERT(masks_to("password=ab;cd&ef host=x", "password=**** host=x"));   /* ; and & inside a password */
    /* other keys and plain words stay */
    CU_ASSERT(masks_to("passwordless=true password_hash=abc", "passwordless=true password_hash=abc"));
    CU_ASSERT(masks_to("column password is null", "column password is null"));
    CU_ASSERT(masks_to("password: YES", "password: YES"));
    CU_ASSERT(masks_to("password= user=x", "password= ****"));   /* libpq reads "user=x" as the password */
    CU_ASSERT(masks_to("password= ", "password= "));
    CU_ASSERT(masks_to("password=''", "password=''"));
    CU_ASSERT(masks_to("a >= b and c != d", "a >= b and c != d"));
    CU_ASSERT(masks_to("", ""));
    CU_ASSERT(masks_to(NULL, ""));
}

static void test_mask_urls(void)
{
    CU_ASSERT(masks_to("postgresql://alice:s3cret@db.example:5432/prod",
                       "postgresql://alice:****@db.example:5432/prod"));
    CU_ASSERT(masks_to("cannot open mysql://bob:p@ss:w@rd@host/db now", "cannot open mysql://bob:****@host/db now"));
    CU_ASSERT(masks_to("mysql://bob@host:3306/db", "mysql://bob@host:3306/db"));
    CU_ASSERT(masks_to("https://example.com/a/b@c", "https://example.com/a/b@c"));
    CU_ASSERT(masks_to("mysql://bob:pa/ss?w#rd@host/db", "mysql://bob:****@host/db"));
    CU_ASSERT(masks_to("'postgres://u:pw@h/db'", "'postgres://u:****@h/db'"));
    CU_ASSERT(masks_to("postgres://:onlysecret@h", "postgres://:****@h"));
    CU_ASSERT(masks_to("postgres://u:@h", "postgres://u:@h"));
    CU_ASSERT(masks_to("://x:y@z", "://x:y@z"));
}

static void test_mask_truncates_safely(void)
{
    char out[13];
    wr_mask_secrets("password=hunter2 more", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "password=***");
    char one[1] = { 'x' };
    wr_mask_secrets("password=hunter2", one, sizeof one);
    CU_ASSERT_EQUAL(one[0], '\0');
    wr_mask_secrets("password=hunter2", NULL, 0);   /* no crash */
}

static void test_error_masks(void)
{
    wr_err e;
    CU_ASSERT_EQUAL(wr_error(&e, WR_ERROR, "tenant x: failed with %s and %d", "password=hunter2", 7), WR_ERROR);
    CU_ASSERT_EQUAL(e.code, WR_ERROR);
    CU_ASSERT_STRING_EQUAL(e.message, "tenant x: failed with password=**** and 7");
    CU_ASSERT_EQUAL(wr_error(NULL, WR_EDATA, "%s", "x"), WR_EDATA);

    char long_text[3000];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    memcpy(long_text + 1000, " password=hunter2 ", 18);
    wr_error(&e, WR_ERROR, "%s", long_text);
    CU_ASSERT_EQUAL(strlen(e.message), sizeof e.message - 1);   /* masked first, then cut */
    CU_ASSERT(!contains(e.message, "hunter"));
    /* a URL cut before its '@' would no longer look like one: it is masked whole first */
    memset(long_text, 'a', sizeof long_text - 1);
    memcpy(long_text + 990, " postgresql://u:hunter2hunter2hunter2@host/db ", 46);
    wr_error(&e, WR_ERROR, "%s", long_text);
    CU_ASSERT(contains(e.message, "postgresql://u:****@host/db"));
    memcpy(long_text + 1000, " postgresql://u:hunter2hunter2hunter2@host/db ", 46);
    wr_error(&e, WR_ERROR, "%s", long_text);
    CU_ASSERT(!contains(e.message, "hunter"));

    char message[200] = "login hunter22 failed; 'it's secret' too; abc";
    wr_scrub_dsn_secrets(message, sizeof message, "user=a password=hunter22");
    CU_ASSERT_STRING_EQUAL(message, "login **** failed; 'it's secret' too; abc");
    wr_scrub_dsn_secrets(message, sizeof message, "password='it\\'s secret' x=1");
    CU_ASSERT_STRING_EQUAL(message, "login **** failed; '****' too; abc");
    wr_scrub_dsn_secrets(message, sizeof message, "password=abc");   /* too short to scrub */
    CU_ASSERT(contains(message, "abc"));
}

/* ======================================================================
 * DSNs
 * ====================================================================== */

static void test_dsn_parse(void)
{
    wr_dsn d;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_dsn_parse(&d, "  host=localhost port = 5432 user=me password='a b\\'c\\\\' dbname=x "
                                              "quoted_empty='' esc=a\\ b after_space= spaced empty=",
                                       false, "t", &e), WR_OK);
    CU_ASSERT_EQUAL(d.count, 9);
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "host"), "localhost");
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "port"), "5432");
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "password"), "a b'c\\");
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "dbname"), "x");
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "empty"), "");
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "quoted_empty"), "");
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "esc"), "a b");
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "after_space"), "spaced");   /* libpq reads it so too */
    CU_ASSERT_PTR_NULL(wr_dsn_get(&d, "socket"));
    CU_ASSERT_PTR_NULL(wr_dsn_get(&d, "HOST"));

    unsigned port = 0;
    CU_ASSERT_EQUAL(wr_dsn_get_uint(&d, "port", 1, 65535, 0, &port, "t", &e), WR_OK);
    CU_ASSERT_EQUAL(port, 5432);
    CU_ASSERT_EQUAL(wr_dsn_get_uint(&d, "connect_timeout", 1, 60, 10, &port, "t", &e), WR_OK);
    CU_ASSERT_EQUAL(port, 10);
    static const char *const known[] = { "host", "port", "user", "password", "dbname", NULL };
    CU_ASSERT_EQUAL(wr_dsn_check_keys(&d, known, "mysql", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "tenant t: DSN: unknown key 'quoted_empty' for mysql (known: host port user password dbname)"));
    wr_dsn_wipe(&d);
    CU_ASSERT_EQUAL(d.count, 0);
}

/* Fails with WR_ECONFIG, the message containing `why` and never `secret`. */
static bool dsn_rejected(const char *text, const char *why, const char *secret)
{
    wr_dsn d;
    wr_err e = { 0, "" };
    int rc = wr_dsn_parse(&d, text, false, "tenant t", &e);
    wr_dsn_wipe(&d);
    bool ok = rc == WR_ECONFIG && e.code == WR_ECONFIG && contains(e.message, why)
           && contains(e.message, "tenant t: ") && !(secret && contains(e.message, secret));
    if (!ok)
        fprintf(stderr, "\n  %s: rc %d, \"%s\"\n", text ? text : "(null)", rc, e.message);
    return ok;
}

static void test_dsn_errors(void)
{
    CU_ASSERT(dsn_rejected("", "DSN is empty", NULL));
    CU_ASSERT(dsn_rejected("   ", "DSN is empty", NULL));
    CU_ASSERT(dsn_rejected(NULL, "DSN is empty", NULL));
    CU_ASSERT(dsn_rejected("hunter2", "word 1 is not key=value", "hunter2"));
    CU_ASSERT(dsn_rejected("host=a password=my hunter2", "word 3 is not key=value", "hunter2"));
    CU_ASSERT(dsn_rejected("=x", "word 1 is not key=value", NULL));
    CU_ASSERT(dsn_rejected("host=a b-c=d", "word 2 is not key=value", NULL));
    CU_ASSERT(dsn_rejected("host=a host=b", "key 'host' appears twice", NULL));

    wr_dsn d;
    wr_err e;
    CU_ASSERT_EQUAL(wr_dsn_parse(&d, "host=a user=x host=b", true, "t", &e), WR_OK);   /* libpq's rule */
    CU_ASSERT_EQUAL(d.count, 2);
    CU_ASSERT_STRING_EQUAL(wr_dsn_get(&d, "host"), "b");
    wr_dsn_wipe(&d);
    CU_ASSERT(dsn_rejected("user=a password='hunter2", "unterminated quote in the value of 'password'", "hunter2"));
    CU_ASSERT(dsn_rejected("a_very_long_key_name_that_goes_on_forever=1", "the key of word 1 is longer than 31", NULL));

    char text[700] = "password=";
    memset(text + 9, 'x', 600);
    text[609] = '\0';
    CU_ASSERT(dsn_rejected(text, "the value of 'password' is longer than 511 bytes", "xxxx"));

    char many[400] = "";
    for (int i = 0; i < 25; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "k%d=v ", i);
    CU_ASSERT(dsn_rejected(many, "more than 24 key=value pairs", NULL));

    unsigned port;
    CU_ASSERT_EQUAL(wr_dsn_parse(&d, "port=abc timeout=70000 p2=", false, "t", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_dsn_get_uint(&d, "port", 1, 65535, 0, &port, "t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "port must be a whole number from 1 to 65535"));
    CU_ASSERT_EQUAL(wr_dsn_get_uint(&d, "timeout", 1, 65535, 0, &port, "t", &e), WR_ECONFIG);
    CU_ASSERT_EQUAL(wr_dsn_get_uint(&d, "p2", 1, 65535, 0, &port, "t", &e), WR_ECONFIG);
    wr_dsn_wipe(&d);
    CU_ASSERT_EQUAL(wr_dsn_parse(&d, "port=99999999999999999999", false, "t", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_dsn_get_uint(&d, "port", 1, 65535, 0, &port, "t", &e), WR_ECONFIG);
    wr_dsn_wipe(&d);
}

/* ======================================================================
 * arena
 * ====================================================================== */

static void test_arena(void)
{
    wr_arena *a = wr_arena_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    void *first = wr_arena_alloc(a, 3);
    CU_ASSERT_PTR_NOT_NULL(first);
    char *prev = NULL;
    for (int i = 0; i < 20000; i++) {   /* several blocks' worth */
        char *p = wr_arena_alloc(a, (size_t)(i % 37) + 1);
        CU_ASSERT_FATAL(p != NULL);
        CU_ASSERT((uintptr_t)p % alignof(max_align_t) == 0);
        memset(p, 'x', (size_t)(i % 37) + 1);
        CU_ASSERT(p != prev);
        prev = p;
    }
    char *big = wr_arena_alloc(a, 1 << 20);
    CU_ASSERT_PTR_NOT_NULL(big);
    memset(big, 0, 1 << 20);
    CU_ASSERT_PTR_NOT_NULL(wr_arena_alloc(a, 0));
    CU_ASSERT_PTR_NULL(wr_arena_alloc(a, SIZE_MAX));
    CU_ASSERT_PTR_NULL(wr_arena_alloc(a, SIZE_MAX - 8));

    char *s = wr_arena_strndup(a, "hello, world", 5);
    CU_ASSERT_STRING_EQUAL(s, "hello");
    s = wr_arena_strndup(a, "ab", 100);   /* stops at the NUL, reads no further */
    CU_ASSERT_STRING_EQUAL(s, "ab");
    s = wr_arena_strndup(a, "", 0);
    CU_ASSERT_STRING_EQUAL(s, "");
    CU_ASSERT_PTR_NULL(wr_arena_strndup(a, NULL, 3));

    /* reset keeps the first block: the next batch starts where the first did */
    wr_arena_reset(a);
    CU_ASSERT_PTR_EQUAL(wr_arena_alloc(a, 3), first);
    wr_arena_reset(a);
    wr_arena_reset(a);
    CU_ASSERT_PTR_EQUAL(wr_arena_alloc(a, 100), first);
    wr_arena_free(a);

    wr_arena_free(NULL);
    wr_arena_reset(NULL);
    CU_ASSERT_PTR_NULL(wr_arena_alloc(NULL, 1));
}

/* ======================================================================
 * connections
 * ====================================================================== */

static const char *test_dsn(const char *var)
{
    const char *v = getenv(var);
    if (!v || !*v)
        fprintf(stderr, "\n  %s is not set: run through tests/runtime/run.sh\n", var);
    return v && *v ? v : NULL;
}

static void test_dialects_and_null_safety(void)
{
    CU_ASSERT_STRING_EQUAL(wr_dialect_name(WR_POSTGRES), "postgres");
    CU_ASSERT_STRING_EQUAL(wr_dialect_name(WR_MYSQL), "mysql");
    CU_ASSERT_STRING_EQUAL(wr_dialect_name(WR_SQLSERVER), "sqlserver");
    CU_ASSERT_STRING_EQUAL(wr_dialect_name(WR_ORACLE), "oracle");
    wr_conn_close(NULL);
    CU_ASSERT_PTR_NULL(wr_conn_pg(NULL));
}

static void test_oracle_unsupported(void)
{
    wr_conn *c = (wr_conn *)&c;
    wr_err e;
    CU_ASSERT_EQUAL(wr_connect(&c, WR_ORACLE, "user=scott password=" SECRET, "tenant permian_ops", &e),
                    WR_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL(e.code, WR_EUNSUPPORTED);
    CU_ASSERT_STRING_EQUAL(e.message, "tenant permian_ops: oracle is not supported by this build: "
                                      "no Oracle client library (OCI) is available");
}

static void test_env_missing(void)
{
    wr_conn *c = (wr_conn *)&c;
    wr_err e;
    unsetenv("WR_TEST_NO_SUCH_VAR");
    CU_ASSERT_EQUAL(wr_connect_env(&c, WR_POSTGRES, "WR_TEST_NO_SUCH_VAR", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_STRING_EQUAL(e.message, "tenant t: environment variable WR_TEST_NO_SUCH_VAR is not set");
    setenv("WR_TEST_EMPTY_VAR", "", 1);
    CU_ASSERT_EQUAL(wr_connect_env(&c, WR_MYSQL, "WR_TEST_EMPTY_VAR", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT_STRING_EQUAL(e.message, "tenant t: environment variable WR_TEST_EMPTY_VAR is not set");

    /* a malformed DSN from the environment: reported, never echoed */
    setenv("WR_TEST_BAD_DSN", "host=db.example password=" SECRET " oops", 1);
    CU_ASSERT_EQUAL(wr_connect_env(&c, WR_MYSQL, "WR_TEST_BAD_DSN", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "word 3 is not key=value"));
    CU_ASSERT(!contains(e.message, SECRET) && !contains(e.message, "db.example"));
    setenv("WR_TEST_BAD_DSN", "host=db.example password=" SECRET " colour=red", 1);
    CU_ASSERT_EQUAL(wr_connect_env(&c, WR_SQLSERVER, "WR_TEST_BAD_DSN", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "unknown key 'colour' for sqlserver"));
    CU_ASSERT(!contains(e.message, SECRET));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, "  ", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT_EQUAL(wr_connect(&c, WR_MYSQL, NULL, "tenant t", &e), WR_ECONFIG);
    CU_ASSERT_EQUAL(wr_connect(&c, (wr_dialect)17, "host=x", "tenant t", &e), WR_ECONFIG);
    unsetenv("WR_TEST_EMPTY_VAR");
    unsetenv("WR_TEST_BAD_DSN");
}

/* dsn + " " + extra, in buf */
static const char *with(char *buf, size_t size, const char *dsn, const char *extra)
{
    snprintf(buf, size, "%s %s", dsn, extra);
    return buf;
}

static void test_pg_connect_exec(void)
{
    const char *dsn = test_dsn("WR_TEST_PG_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    wr_conn *c;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, dsn, "tenant permian_ops", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_conn_dialect(c), WR_POSTGRES);
    CU_ASSERT_STRING_EQUAL(wr_conn_who(c), "tenant permian_ops");
    CU_ASSERT_EQUAL(wr_conn_generation(c), 1);
    CU_ASSERT_PTR_NOT_NULL(wr_conn_pg(c));
    CU_ASSERT_PTR_NULL(wr_conn_mysql(c));
    CU_ASSERT_PTR_NULL(wr_conn_tds(c));
    CU_ASSERT(!wr_conn_is_lost(c));

    CU_ASSERT_EQUAL(wr_exec(c, "DROP TABLE IF EXISTS wr_test_wells", &e), WR_OK);   /* NOTICE: dropped */
    CU_ASSERT_EQUAL(wr_exec(c, "CREATE TABLE wr_test_wells (id uuid PRIMARY KEY, name text NOT NULL)", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "INSERT INTO wr_test_wells VALUES ('123e4567-e89b-12d3-a456-426614174000', 'Bohrloch Größe')", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "", &e), WR_OK);

    PGresult *r = PQexec(wr_conn_pg(c), "SELECT current_setting('TimeZone'), current_setting('client_encoding'), "
                                         "(SELECT name FROM wr_test_wells)");
    CU_ASSERT_EQUAL_FATAL(PQresultStatus(r), PGRES_TUPLES_OK);
    CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "UTC");
    CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 1), "UTF8");
    CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 2), "Bohrloch Größe");
    PQclear(r);

    CU_ASSERT_EQUAL(wr_exec(c, "INSERT INTO wr_test_wells VALUES ('123e4567-e89b-12d3-a456-426614174000', 'dup')", &e),
                    WR_ERROR);
    CU_ASSERT(contains(e.message, "tenant permian_ops: postgres: duplicate key value"));
    CU_ASSERT(contains(e.message, "SQLSTATE 23505"));
    CU_ASSERT_EQUAL(wr_exec(c, "SELEC 1", &e), WR_ERROR);
    CU_ASSERT(contains(e.message, "syntax error"));
    CU_ASSERT(!wr_conn_is_lost(c));
    /* COPY through wr_exec is refused and leaves the connection usable */
    CU_ASSERT_EQUAL(wr_exec(c, "COPY wr_test_wells FROM STDIN", &e), WR_ERROR);
    CU_ASSERT_EQUAL(wr_exec(c, "COPY wr_test_wells TO STDOUT", &e), WR_ERROR);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "DROP TABLE wr_test_wells", &e), WR_OK);
    wr_conn_close(c);

    setenv("WR_TEST_PG_DSN_COPY", dsn, 1);
    CU_ASSERT_EQUAL(wr_connect_env(&c, WR_POSTGRES, "WR_TEST_PG_DSN_COPY", "tenant t", &e), WR_OK);
    wr_conn_close(c);
    unsetenv("WR_TEST_PG_DSN_COPY");
}

/* wr_catalog_read: the about row first, then every column, as the
 * database spells its type; one table of each server made here. */
typedef struct {
    int n_about;
    char about[4][64];
    int n_columns, n_mine;
    char mine[8][160];          /* "table|column|type|nullable" of wr_test_catalog */
} catalog_seen;

static int catalog_about(void *ctx, const wr_row *row)
{
    catalog_seen *s = ctx;
    s->n_about++;
    for (int i = 0; i < 4 && i < row->n; i++)
        snprintf(s->about[i], sizeof s->about[i], "%s", row->values[i] ? row->values[i] : "NULL");
    return row->n == 4 ? 0 : 1;
}

static int catalog_column(void *ctx, const wr_row *row)
{
    catalog_seen *s = ctx;
    if (s->n_about != 1 || row->n != 5)
        return 1;
    s->n_columns++;
    if (row->values[1] && strcmp(row->values[1], "wr_test_catalog") == 0 && s->n_mine < 8)
        snprintf(s->mine[s->n_mine++], sizeof s->mine[0], "%s|%s|%s|%s", row->values[1], row->values[2],
                 row->values[3], row->values[4]);
    return 0;
}

static void test_catalog_read(void)
{
    wr_conn *c;
    wr_err e;
    catalog_seen s = { 0 };
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, test_dsn("WR_TEST_PG_DSN"), "tenant t", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "DROP TABLE IF EXISTS wr_test_catalog", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "CREATE TABLE wr_test_catalog (id bigint NOT NULL, \"Oil\" numeric(12,2), "
                               "at timestamptz(3))", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_catalog_read(c, catalog_about, catalog_column, &s, &e), WR_OK);
    CU_ASSERT_EQUAL(s.n_about, 1);
    CU_ASSERT_STRING_EQUAL(s.about[1], "public");
    CU_ASSERT_STRING_EQUAL(s.about[2], "1");
    CU_ASSERT_EQUAL_FATAL(s.n_mine, 3);
    CU_ASSERT_STRING_EQUAL(s.mine[0], "wr_test_catalog|id|bigint|0");
    CU_ASSERT_STRING_EQUAL(s.mine[1], "wr_test_catalog|Oil|numeric(12,2)|1");
    CU_ASSERT_STRING_EQUAL(s.mine[2], "wr_test_catalog|at|timestamp(3) with time zone|1");
    CU_ASSERT_EQUAL(wr_exec(c, "DROP TABLE wr_test_catalog", &e), WR_OK);
    wr_conn_close(c);

    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_MYSQL, test_dsn("WR_TEST_MYSQL_DSN"), "tenant t", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "CREATE DATABASE IF NOT EXISTS wr_test", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "DROP TABLE IF EXISTS wr_test.wr_test_catalog", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "CREATE TABLE wr_test.wr_test_catalog (id INT NOT NULL, v VARCHAR(20), b TINYINT(1))",
                            &e), WR_OK);
    CU_ASSERT_EQUAL(wr_catalog_read(c, catalog_about, catalog_column, &s, &e), WR_OK);
    CU_ASSERT_EQUAL(s.n_about, 1);
    CU_ASSERT_STRING_EQUAL(s.about[3], "0");    /* MySQL's column names match in any case */
    CU_ASSERT_EQUAL_FATAL(s.n_mine, 3);
    CU_ASSERT_STRING_EQUAL(s.mine[0], "wr_test_catalog|id|int(11)|0");
    CU_ASSERT_STRING_EQUAL(s.mine[1], "wr_test_catalog|v|varchar(20)|1");
    CU_ASSERT_STRING_EQUAL(s.mine[2], "wr_test_catalog|b|tinyint(1)|1");
    CU_ASSERT_EQUAL(wr_exec(c, "DROP TABLE wr_test.wr_test_catalog", &e), WR_OK);
    /* a callback that stops the read stops it (as wr_query: not an error) */
    memset(&s, 0, sizeof s);
    s.n_about = 5;   /* catalog_column stops at the first row */
    CU_ASSERT_EQUAL(wr_catalog_read(c, catalog_about, catalog_column, &s, &e), WR_OK);
    CU_ASSERT_EQUAL(s.n_columns, 0);
    wr_conn_close(c);
}

static void test_pg_bad_login(void)
{
    const char *dsn = test_dsn("WR_TEST_PG_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    char buf[1024];
    wr_conn *c = (wr_conn *)&c;
    wr_err e;
    /* the test server trusts every local user that exists: a wrong user fails */
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, with(buf, sizeof buf, dsn, "user=no_such_user password=" SECRET),
                               "tenant t", &e), WR_ECONNECT);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT(contains(e.message, "tenant t: postgres: cannot connect"));
    CU_ASSERT(contains(e.message, "no_such_user"));
    CU_ASSERT(!contains(e.message, SECRET));
    /* a malformed conninfo: libpq would name the bad word, ours does not */
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, "host=/nonexistent password='" SECRET, "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "unterminated quote in the value of 'password'"));
    CU_ASSERT(!contains(e.message, SECRET));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, "host=/nonexistent password=my " SECRET, "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "word 3 is not key=value"));
    CU_ASSERT(!contains(e.message, SECRET));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, "host=/nonexistent colour=red password=" SECRET, "tenant t", &e),
                    WR_ECONNECT);
    CU_ASSERT(contains(e.message, "colour"));
    CU_ASSERT(!contains(e.message, SECRET));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, "postgresql://u:" SECRET "@/db?host=/nonexistent&port=1",
                               "tenant t", &e), WR_ECONNECT);
    CU_ASSERT(!contains(e.message, SECRET));
}

/* Polls until `sql` (one integer) gives 0, for at most 10 s. */
static bool pg_wait_zero(PGconn *conn, const char *sql)
{
    for (int i = 0; i < 100; i++) {
        PGresult *r = PQexec(conn, sql);
        bool zero = PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0;
        PQclear(r);
        if (zero)
            return true;
        nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    }
    return false;
}

static void test_pg_lost_and_reconnect(void)
{
    const char *dsn = test_dsn("WR_TEST_PG_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    wr_conn *c, *killer;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, dsn, "tenant victim", &e), WR_OK);
    CU_ASSERT_EQUAL_FATAL(wr_connect(&killer, WR_POSTGRES, dsn, "tenant killer", &e), WR_OK);
    char sql[200];
    int pid = PQbackendPID(wr_conn_pg(c));
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", pid);
    CU_ASSERT_EQUAL(wr_exec(killer, sql, &e), WR_OK);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid);
    CU_ASSERT(pg_wait_zero(wr_conn_pg(killer), sql));

    unsigned generation = wr_conn_generation(c);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_ECONNECT);
    CU_ASSERT_EQUAL(e.code, WR_ECONNECT);
    CU_ASSERT(contains(e.message, "tenant victim: postgres: connection lost"));
    CU_ASSERT(wr_conn_is_lost(c));

    CU_ASSERT_EQUAL(wr_conn_reconnect(c, &e), WR_OK);
    CU_ASSERT_EQUAL(wr_conn_generation(c), generation + 1);
    CU_ASSERT(!wr_conn_is_lost(c));
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_OK);
    PGresult *r = PQexec(wr_conn_pg(c), "SHOW TimeZone");
    CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "UTC");
    PQclear(r);
    CU_ASSERT_NOT_EQUAL(PQbackendPID(wr_conn_pg(c)), pid);
    wr_conn_close(c);
    wr_conn_close(killer);
}

/* A whole-table reader's session: the server's limit on a statement's time
 * (LIMIT_TEXT names it in the error) lifted, and lifted again on the new
 * session of a reconnect.  SLEEP_SQL outlasts the limit. */
static void lifts_and_keeps_lifted(wr_conn *c, const char *sleep_sql, const char *limit_text)
{
    wr_err e;
    CU_ASSERT_NOT_EQUAL(wr_exec(c, sleep_sql, &e), WR_OK);   /* the limit is there */
    CU_ASSERT(contains(e.message, limit_text));
    wr_conn_lift_time_limits(c);
    CU_ASSERT_EQUAL(wr_exec(c, sleep_sql, &e), WR_OK);
    CU_ASSERT_EQUAL(wr_conn_reconnect(c, &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, sleep_sql, &e), WR_OK);
}

static void test_pg_time_limits_lifted_after_reconnect(void)   /* a DSN's statement_timeout */
{
    const char *dsn = test_dsn("WR_TEST_PG_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    char buf[1024];
    wr_conn *c;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, with(buf, sizeof buf, dsn, "options='-c statement_timeout=5'"),
                                     "tenant t source", &e), WR_OK);
    lifts_and_keeps_lifted(c, "SELECT pg_sleep(0.05)", "statement timeout");
    wr_conn_close(c);
}

static void test_mysql_time_limits_lifted_after_reconnect(void)   /* the server's max_statement_time */
{
    const char *dsn = test_dsn("WR_TEST_MYSQL_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    wr_conn *admin, *c;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&admin, WR_MYSQL, dsn, "tenant admin", &e), WR_OK);
    /* new sessions start from the global value */
    CU_ASSERT_EQUAL_FATAL(wr_exec(admin, "SET GLOBAL max_statement_time = 0.01", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_connect(&c, WR_MYSQL, dsn, "tenant t source", &e), WR_OK);
    if (c) {
        lifts_and_keeps_lifted(c, "SELECT SLEEP(0.05)", "max_statement_time");
        wr_conn_close(c);
    }
    CU_ASSERT_EQUAL(wr_exec(admin, "SET GLOBAL max_statement_time = 0", &e), WR_OK);
    wr_conn_close(admin);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* read_timeout, the agent's own key in a PostgreSQL DSN: taken out before
 * libpq sees the rest (quoted values kept as they were), and a server
 * silent that long loses the session, which says why and reconnects. */
static void test_pg_read_timeout(void)
{
    const char *dsn = test_dsn("WR_TEST_PG_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    char buf[1024];
    wr_conn *c;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, with(buf, sizeof buf, dsn,
                                                           "read_timeout=1 application_name='o\\'k \\\\ x'"),
                                     "tenant t", &e), WR_OK);
    PGresult *r = PQexec(wr_conn_pg(c), "SHOW application_name");
    CU_ASSERT(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "o'k \\ x") == 0);
    PQclear(r);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT pg_sleep(0.3)", &e), WR_OK);   /* shorter than the timeout */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT pg_sleep(3)", &e), WR_ECONNECT);
    double took = seconds_since(&t0);
    CU_ASSERT(took >= 0.9 && took < 2.5);
    CU_ASSERT(contains(e.message, "no answer from the server for 1 s (the DSN's read_timeout)"));
    CU_ASSERT(wr_conn_is_lost(c));
    CU_ASSERT_EQUAL(wr_conn_reconnect(c, &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT pg_sleep(3)", &e), WR_ECONNECT);   /* the new session has it too */
    CU_ASSERT(seconds_since(&t0) < 2.5);
    /* a COPY out whose rows stop coming (the comparison's scan reads so):
     * 20 KB of rows, which the server's 8 KB buffer sends in part, then 3 s
     * of nothing */
    CU_ASSERT_EQUAL(wr_conn_reconnect(c, &e), WR_OK);
    r = wr_pg_exec(c, "COPY (SELECT repeat('x', 1000) FROM generate_series(1, 20) "
                      "UNION ALL SELECT NULL FROM pg_sleep(3)) TO STDOUT");
    CU_ASSERT(PQresultStatus(r) == PGRES_COPY_OUT);
    PQclear(r);
    char *row = NULL;
    int n, rows = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((n = wr_pg_get_copy_data(c, &row)) > 0) {
        rows++;
        PQfreemem(row);
    }
    CU_ASSERT_EQUAL(n, -2);
    CU_ASSERT(rows > 0 && rows < 21);
    CU_ASSERT(seconds_since(&t0) < 2.5);
    CU_ASSERT(contains(wr_pg_message(c), "no answer from the server for 1 s"));
    CU_ASSERT(wr_conn_is_lost(c));
    /* lifted for a wait silent by nature (the initial load's index builds), then put back */
    CU_ASSERT_EQUAL(wr_conn_reconnect(c, &e), WR_OK);
    CU_ASSERT_EQUAL(wr_pg_io_set_timeout(c, 0), 1u);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT pg_sleep(1.5)", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_pg_io_set_timeout(c, 1), 0u);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT pg_sleep(1.5)", &e), WR_ECONNECT);
    wr_conn_close(c);
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, with(buf, sizeof buf, dsn, "read_timeout=0"), "tenant t", &e),
                    WR_ECONFIG);
    CU_ASSERT(contains(e.message, "read_timeout must be a whole number from 1 to 86400"));
    CU_ASSERT_PTR_NULL(c);
}

/* The same key as a URL's parameter, wherever it stands among the others. */
static void test_pg_read_timeout_in_a_url(void)
{
    const char *port = getenv("PGPORT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(port);
    const char *queries[] = { "?read_timeout=1&application_name=url_test", "?application_name=url_test&read_timeout=1",
                              "?connect_timeout=5&read_timeout=1&application_name=url_test" };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        char url[256];
        snprintf(url, sizeof url, "postgresql://postgres@127.0.0.1:%s/postgres%s", port, queries[i]);
        wr_conn *c;
        wr_err e;
        CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, url, "tenant t", &e), WR_OK);
        PGresult *r = PQexec(wr_conn_pg(c), "SHOW application_name");
        CU_ASSERT(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "url_test") == 0);
        PQclear(r);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CU_ASSERT_EQUAL(wr_exec(c, "SELECT pg_sleep(3)", &e), WR_ECONNECT);
        CU_ASSERT(seconds_since(&t0) < 2.5);
        wr_conn_close(c);
    }
    char url[256];
    wr_conn *c;
    wr_err e;
    snprintf(url, sizeof url, "postgresql://postgres@127.0.0.1:%s/postgres?read_timeout=soon", port);
    CU_ASSERT_EQUAL(wr_connect(&c, WR_POSTGRES, url, "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "read_timeout must be a whole number from 1 to 86400"));
}

/* The TCP keepalive settings of a session's socket: idle, interval, count
 * (-1 each when SO_KEEPALIVE is off). */
static void keepalive_of(int fd, int out[3])
{
    int on = 0;
    socklen_t len = sizeof on;
    out[0] = out[1] = out[2] = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, &len) != 0 || !on)
        return;
    const int opts[3] = { TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT };
    for (int i = 0; i < 3; i++) {
        len = sizeof out[i];
        getsockopt(fd, IPPROTO_TCP, opts[i], &out[i], &len);
    }
}

/* Sessions over TCP probe every minute, as a NAT or a load balancer
 * forgets idle connections; a PostgreSQL DSN's own keepalive keys win. */
static void test_tcp_keepalives(void)
{
    const char *port = getenv("PGPORT");
    const char *my_dsn = test_dsn("WR_TEST_MYSQL_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(port);
    CU_ASSERT_PTR_NOT_NULL_FATAL(my_dsn);
    char dsn[512];
    int ka[3];
    wr_conn *c;
    wr_err e;
    snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%s user=postgres dbname=postgres", port);
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, dsn, "tenant t", &e), WR_OK);
    keepalive_of(PQsocket(wr_conn_pg(c)), ka);
    CU_ASSERT(ka[0] == 60 && ka[1] == 10 && ka[2] == 6);
    wr_conn_close(c);
    snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%s user=postgres dbname=postgres keepalives_idle=30", port);
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, dsn, "tenant t", &e), WR_OK);
    keepalive_of(PQsocket(wr_conn_pg(c)), ka);
    CU_ASSERT(ka[0] == 30 && ka[1] == 10 && ka[2] == 6);
    wr_conn_close(c);
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_MYSQL, my_dsn, "tenant t", &e), WR_OK);
    keepalive_of((int)mysql_get_socket(wr_conn_mysql(c)), ka);
    CU_ASSERT(ka[0] == 60 && ka[1] == 10 && ka[2] == 6);
    wr_conn_close(c);
}

static void test_mysql_connect_exec(void)
{
    const char *dsn = test_dsn("WR_TEST_MYSQL_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    wr_conn *c;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_MYSQL, dsn, "tenant texas_energy", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_conn_dialect(c), WR_MYSQL);
    CU_ASSERT_EQUAL(wr_conn_generation(c), 1);
    CU_ASSERT_PTR_NOT_NULL(wr_conn_mysql(c));
    CU_ASSERT_PTR_NULL(wr_conn_pg(c));
    CU_ASSERT(!wr_conn_is_lost(c));

    CU_ASSERT_EQUAL(wr_exec(c, "CREATE DATABASE IF NOT EXISTS wr_test", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "DROP TABLE IF EXISTS wr_test.wells", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "CREATE TABLE wr_test.wells (id INT PRIMARY KEY, name VARCHAR(8), spud DATE)", &e),
                    WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "INSERT INTO wr_test.wells VALUES (1, 'Größe', '2024-02-29')", &e), WR_OK);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT * FROM wr_test.wells", &e), WR_OK);   /* rows discarded */
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_OK);

    /* strict: no silent truncation, no zero dates */
    CU_ASSERT_EQUAL(wr_exec(c, "INSERT INTO wr_test.wells VALUES (2, 'much too long', NULL)", &e), WR_ERROR);
    CU_ASSERT(contains(e.message, "tenant texas_energy: mysql: "));
    CU_ASSERT(contains(e.message, "error 1406"));
    CU_ASSERT_EQUAL(wr_exec(c, "INSERT INTO wr_test.wells VALUES (3, 'x', '0000-00-00')", &e), WR_ERROR);
    CU_ASSERT_EQUAL(wr_exec(c, "INSERT INTO wr_test.wells VALUES (1, 'dup', NULL)", &e), WR_ERROR);
    CU_ASSERT(contains(e.message, "Duplicate entry"));
    CU_ASSERT(contains(e.message, "SQLSTATE 23000"));
    CU_ASSERT(!wr_conn_is_lost(c));

    MYSQL *m = wr_conn_mysql(c);
    CU_ASSERT_EQUAL_FATAL(mysql_query(m, "SELECT @@session.time_zone, @@session.sql_mode, @@character_set_client, "
                                         "(SELECT name FROM wr_test.wells WHERE id = 1)"), 0);
    MYSQL_RES *res = mysql_store_result(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
    MYSQL_ROW row = mysql_fetch_row(res);
    CU_ASSERT_STRING_EQUAL(row[0], "+00:00");
    CU_ASSERT_STRING_EQUAL(row[1], "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE");
    CU_ASSERT_STRING_EQUAL(row[2], "utf8mb4");
    CU_ASSERT_STRING_EQUAL(row[3], "Größe");
    mysql_free_result(res);

    CU_ASSERT_EQUAL(wr_exec(c, "DROP DATABASE wr_test", &e), WR_OK);
    wr_conn_close(c);
}

/* The extract reads integers and dates as binary values and writes their
 * text itself (runtime/wr_mysql_query.c): it must be the text MariaDB
 * prints, at every edge. */
typedef struct printed_rows {
    char text[4][16][48];
    int n_rows, n_cols;
} printed_rows;

static int keep_printed(void *ctx, const wr_row *row)
{
    printed_rows *p = ctx;
    if (p->n_rows < 4) {
        p->n_cols = row->n;
        for (int i = 0; i < row->n && i < 16; i++)
            snprintf(p->text[p->n_rows][i], sizeof p->text[0][0], "%s", row->values[i] ? row->values[i] : "(null)");
        p->n_rows++;
    }
    return 0;
}

static void test_mysql_values_as_printed(void)
{
    const char *dsn = test_dsn("WR_TEST_MYSQL_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    wr_conn *c;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_MYSQL, dsn, "tenant t", &e), WR_OK);
    MYSQL *m = wr_conn_mysql(c);
    static const char *const setup[] = {
        "SET SESSION sql_mode = ''",   /* zero dates, as a lenient client's table holds them */
        "CREATE DATABASE IF NOT EXISTS wr_test_printed",
        "DROP TABLE IF EXISTS wr_test_printed.v",
        "CREATE TABLE wr_test_printed.v (k INT PRIMARY KEY, ti TINYINT, su SMALLINT UNSIGNED, mi MEDIUMINT, i INT, "
        "bu BIGINT UNSIGNED, bn BIGINT, zf INT(5) ZEROFILL, y YEAR, d DATE, dt DATETIME, dt3 DATETIME(3), "
        "dt6 DATETIME(6), ts TIMESTAMP(2) NULL, t TIME)",
        "INSERT INTO wr_test_printed.v VALUES "
        "(1, -128, 65535, -8388608, -2147483648, 18446744073709551615, -9223372036854775808, 42, 2024, '0000-00-00', "
        "'0000-00-00 00:00:00', '9999-12-31 23:59:59.999', '2024-02-29 12:34:56.000001', '2038-01-19 03:14:07.99', "
        "'-838:59:59'), "
        "(2, 127, 0, 8388607, 2147483647, 0, 9223372036854775807, 0, 0, '9999-12-31', '1000-01-01 00:00:00', "
        "'2024-01-01 00:00:00.000', '2024-01-01 00:00:00.100000', '1970-01-01 00:00:01.00', '00:00:00'), "
        "(3, 0, 1, 0, -1, 1, -1, 99999, 1901, '2024-02-29', '2024-02-29 23:59:59', '2024-02-29 23:59:59.5', "
        "'2024-02-29 23:59:59.999999', NULL, '12:00:00')",
    };
    for (size_t i = 0; i < sizeof setup / sizeof *setup; i++)
        CU_ASSERT_EQUAL_FATAL(mysql_query(m, setup[i]), 0);
    static const char *const columns[] = { "ti", "su", "mi", "i", "bu", "bn", "zf", "y", "d", "dt", "dt3", "dt6",
                                           "ts", "t" };
    enum { N_COLUMNS = sizeof columns / sizeof *columns };
    /* the extract's way: a prepared statement */
    static const wr_stmt stmt = { .name = "t.printed", .sql = "SELECT ti, su, mi, i, bu, bn, zf, y, d, dt, dt3, dt6, "
                                                          "ts, t FROM wr_test_printed.v ORDER BY k" };
    wr_stmts stmts = { .list = &stmt, .n = 1 };
    wr_params p;
    wr_params_init(&p, WR_MYSQL);
    printed_rows got = { 0 };
    CU_ASSERT_EQUAL_FATAL(wr_query(c, &stmts, 0, &p, keep_printed, &got, &e), WR_OK);
    CU_ASSERT_EQUAL_FATAL(got.n_rows, 3);
    CU_ASSERT_EQUAL_FATAL(got.n_cols, N_COLUMNS);
    /* MariaDB's own text: the text protocol */
    CU_ASSERT_EQUAL_FATAL(mysql_query(m, stmt.sql), 0);
    MYSQL_RES *res = mysql_store_result(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
    MYSQL_ROW row;
    for (int r = 0; (row = mysql_fetch_row(res)) != NULL && r < 3; r++) {
        for (int i = 0; i < N_COLUMNS; i++) {
            const char *want = row[i] ? row[i] : "(null)";
            if (strcmp(got.text[r][i], want) != 0)
                fprintf(stderr, "\n  row %d %s: extract gave '%s', MariaDB prints '%s'", r + 1, columns[i],
                        got.text[r][i], want);
            CU_ASSERT_STRING_EQUAL(got.text[r][i], want);
        }
    }
    mysql_free_result(res);
    wr_stmts_release(c, &stmts);
    CU_ASSERT_EQUAL(mysql_query(m, "DROP DATABASE wr_test_printed"), 0);
    wr_conn_close(c);
}

/* The initial load's binary COPY (runtime/wr_copy_binary.c): each value,
 * sent in binary, must be stored as the server stores its text.  Both go
 * into the same table, and the server compares them. */
static void test_pg_binary_copy(void)
{
    const char *dsn = test_dsn("WR_TEST_PG_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    wr_conn *c;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_POSTGRES, dsn, "tenant t", &e), WR_OK);
    CU_ASSERT_EQUAL_FATAL(wr_exec(c, "CREATE TEMP TABLE wire (how text, k int, i4 int, i8 bigint, f8 float8, "
                                     "n numeric, n2 numeric(12,2), u uuid, d date, ts timestamptz, b bool, t text, "
                                     "j jsonb)", &e), WR_OK);
    static const wr_wire types[] = { WR_WIRE_TEXT, WR_WIRE_INT4, WR_WIRE_INT4, WR_WIRE_INT8, WR_WIRE_FLOAT8,
                                     WR_WIRE_NUMERIC, WR_WIRE_NUMERIC, WR_WIRE_UUID, WR_WIRE_DATE,
                                     WR_WIRE_TIMESTAMPTZ, WR_WIRE_BOOL, WR_WIRE_TEXT, WR_WIRE_JSONB };
    enum { N = sizeof types / sizeof *types };
    static const char *const rows[][N - 1] = {
        { "1", "0", "0", "0", "0", "0.00", "00000000-0000-0000-0000-000000000000", "2000-01-01",
          "2000-01-01 00:00:00+00", "false", "", "{}" },
        { "2", "-2147483648", "-9223372036854775808", "-1.5", "-0.0001", "-12.50", "5b000000-0000-4000-8000-00000000000a",
          "1970-01-01", "1969-12-31 23:59:59.999999+00", "true", "tab\there\nnewline \\. done", "[1, \"x\"]" },
        { "3", "2147483647", "9223372036854775807", "1e308", "123456789012345678901234567890.123456789", "9999999999.99",
          "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "9999-12-31", "2024-02-29 12:34:56.000001", "t",
          "Größe ünïcödé", "{\"a\": null}" },
        { "4", "7", "10000", "NaN", "10000", "0.5", "12345678-1234-1234-1234-123456789abc", "0001-01-01",
          "0001-01-01 00:00:00+00", "f", "x", "\"s\"" },
        { "5", "-7", "-10000", "-Infinity", "0.00010000", "100.00", "12345678-1234-1234-1234-123456789abc", "2024-02-29",
          "2262-04-11 23:47:16.854775+00", "true", "y", "3.25" },
        { "6", "1", "1", NULL, "-99999999.00000001", NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        /* subnormal doubles: strtod says ERANGE, the server takes them */
        { "7", "1", "1", "1.49998330077402e-319", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        { "8", "1", "1", "-4.94065645841247e-324", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        { "9", "1", "1", "Infinity", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
    };
    for (int how = 0; how < 2; how++) {
        wr_copy *cp;
        const char *sql = how ? "COPY wire FROM STDIN (FORMAT binary)" : "COPY wire FROM STDIN";
        CU_ASSERT_EQUAL_FATAL(how ? wr_copy_begin_binary(&cp, c, sql, types, N, &e) : wr_copy_begin(&cp, c, sql, &e),
                              WR_OK);
        for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
            const char *values[N] = { how ? "binary" : "text" };
            memcpy(values + 1, rows[r], sizeof rows[r]);
            CU_ASSERT_EQUAL(wr_copy_row(cp, values, N, &e), WR_OK);
        }
        int64_t n = 0;
        char state[WR_SQLSTATE_SIZE];
        CU_ASSERT_EQUAL(wr_copy_end(cp, &n, state, &e), WR_OK);
        CU_ASSERT_EQUAL(n, (int64_t)(sizeof rows / sizeof *rows));
    }
    PGresult *res = PQexec(wr_conn_pg(c),
        "SELECT a.k FROM wire a JOIN wire b ON a.k = b.k AND a.how = 'text' AND b.how = 'binary' "
        "WHERE (a.i4, a.i8, a.f8, a.n, a.n2, a.u, a.d, a.ts, a.b, a.t, a.j) IS DISTINCT FROM "
        "(b.i4, b.i8, b.f8, b.n, b.n2, b.u, b.d, b.ts, b.b, b.t, b.j) "
        "OR a.n::text <> b.n::text OR a.f8::text <> b.f8::text "   /* the same scale, the same bits */
        "UNION ALL SELECT -count(*) FROM wire HAVING count(*) <> 18");
    CU_ASSERT_EQUAL(PQresultStatus(res), PGRES_TUPLES_OK);
    for (int r = 0; r < PQntuples(res); r++)
        fprintf(stderr, "\n  binary COPY: row %s differs from its text", PQgetvalue(res, r, 0));
    CU_ASSERT_EQUAL(PQntuples(res), 0);
    PQclear(res);

    /* text a binary COPY cannot carry is refused as the server refuses bad text */
    static const struct { wr_wire type; const char *text; } bad[] = {
        { WR_WIRE_INT4, "2147483648" }, { WR_WIRE_INT8, "1e3" }, { WR_WIRE_NUMERIC, "1e3" },
        { WR_WIRE_NUMERIC, "NaN" }, { WR_WIRE_NUMERIC, "." }, { WR_WIRE_UUID, "not-a-uuid" },
        { WR_WIRE_DATE, "2024-02-30" }, { WR_WIRE_DATE, "2024-01-01 00:00:00" }, { WR_WIRE_BOOL, "yes" },
        { WR_WIRE_TIMESTAMPTZ, "yesterday" }, { WR_WIRE_FLOAT8, "1e999" }, { WR_WIRE_FLOAT8, "1e-999" },
        { WR_WIRE_INT8, "9223372036854775808" }, { WR_WIRE_INT8, "-9223372036854775809" },
        { WR_WIRE_INT8, "99999999999999999999" }, { WR_WIRE_INT4, "-2147483649" }, { WR_WIRE_INT4, "-" },
        { WR_WIRE_INT4, "" }, { WR_WIRE_INT4, "+1" }, { WR_WIRE_INT4, "1 " }, { WR_WIRE_UUID, "5b000000-0000-4000-8000-00000000000g" },
        { WR_WIRE_UUID, "5b000000x0000-4000-8000-00000000000a" }, { WR_WIRE_UUID, "5b000000-0000-4000-8000-00000000000a0" },
    };
    uint8_t out[64];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CU_ASSERT_EQUAL(wr_copy_binary_value(bad[i].type, bad[i].text, out), -1);
    wr_copy *cp;
    CU_ASSERT_EQUAL_FATAL(wr_copy_begin_binary(&cp, c, "COPY wire (k) FROM STDIN (FORMAT binary)", types + 1, 1, &e),
                          WR_OK);
    const char *one[1] = { "x" };
    CU_ASSERT_EQUAL(wr_copy_row(cp, one, 1, &e), WR_EDATA);
    CU_ASSERT_STRING_EQUAL(wr_copy_sqlstate(cp), "22P02");
    wr_copy_abort(cp, "test");
    wr_conn_close(c);
}

static void test_mysql_bad_login(void)
{
    const char *dsn = test_dsn("WR_TEST_MYSQL_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    char buf[1024];
    wr_conn *c = (wr_conn *)&c;
    wr_err e;
    CU_ASSERT_EQUAL(wr_connect(&c, WR_MYSQL, with(buf, sizeof buf, dsn, "password=" SECRET), "tenant t", &e),
                    WR_ECONNECT);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT(contains(e.message, "tenant t: mysql: cannot connect to 127.0.0.1:"));
    CU_ASSERT(contains(e.message, "Access denied"));
    CU_ASSERT(!contains(e.message, SECRET));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_MYSQL, with(buf, sizeof buf, dsn, "colour=red"), "tenant t", &e),
                    WR_ECONFIG);
    CU_ASSERT(contains(e.message, "unknown key 'colour' for mysql"));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_MYSQL, "host=127.0.0.1 port=0", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "port must be a whole number from 1 to 65535"));
}

static void test_mysql_lost_and_reconnect(void)
{
    const char *dsn = test_dsn("WR_TEST_MYSQL_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    wr_conn *c, *killer;
    wr_err e;
    CU_ASSERT_EQUAL_FATAL(wr_connect(&c, WR_MYSQL, dsn, "tenant victim", &e), WR_OK);
    CU_ASSERT_EQUAL_FATAL(wr_connect(&killer, WR_MYSQL, dsn, "tenant killer", &e), WR_OK);
    unsigned long id = mysql_thread_id(wr_conn_mysql(c));
    char sql[64];
    snprintf(sql, sizeof sql, "KILL %lu", id);
    CU_ASSERT_EQUAL(wr_exec(killer, sql, &e), WR_OK);

    unsigned generation = wr_conn_generation(c);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_ECONNECT);
    CU_ASSERT(contains(e.message, "tenant victim: mysql: connection lost"));
    CU_ASSERT(wr_conn_is_lost(c));
    CU_ASSERT(wr_conn_is_lost(c));   /* asking again does not change the answer */

    CU_ASSERT_EQUAL(wr_conn_reconnect(c, &e), WR_OK);
    CU_ASSERT_EQUAL(wr_conn_generation(c), generation + 1);
    CU_ASSERT(!wr_conn_is_lost(c));
    CU_ASSERT_NOT_EQUAL(mysql_thread_id(wr_conn_mysql(c)), id);
    CU_ASSERT_EQUAL(wr_exec(c, "SELECT 1", &e), WR_OK);
    CU_ASSERT_EQUAL(mysql_query(wr_conn_mysql(c), "SELECT @@session.time_zone"), 0);
    MYSQL_RES *res = mysql_store_result(wr_conn_mysql(c));
    CU_ASSERT_STRING_EQUAL(mysql_fetch_row(res)[0], "+00:00");
    mysql_free_result(res);
    wr_conn_close(c);
    wr_conn_close(killer);
}

/* A loopback port nobody listens on. */
static unsigned closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || getsockname(fd, (struct sockaddr *)&sa, &len))
        return 1;
    close(fd);
    return ntohs(sa.sin_port);
}

static void test_tds_closed_port(void)
{
    char dsn[256];
    snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%u user=sa password=" SECRET " dbname=wells connect_timeout=2",
             closed_port());
    wr_conn *c = (wr_conn *)&c;
    wr_err e;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(wr_connect(&c, WR_SQLSERVER, dsn, "tenant gulf_coast", &e), WR_ECONNECT);
    CU_ASSERT(seconds_since(&t0) < 5.0);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL(e.code, WR_ECONNECT);
    CU_ASSERT(contains(e.message, "tenant gulf_coast: sqlserver: cannot connect to 127.0.0.1:"));
    CU_ASSERT(!contains(e.message, "no reason given"));   /* db-lib's reason was captured */
    CU_ASSERT(!contains(e.message, SECRET));
    if (getenv("WR_TEST_VERBOSE"))
        fprintf(stderr, "\n  %s\n", e.message);

    CU_ASSERT_EQUAL(wr_connect(&c, WR_SQLSERVER, "port=1433 user=sa", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "sqlserver needs a host"));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_SQLSERVER, "host=x tds_version=8.0", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "tds_version must be one of"));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_SQLSERVER, "host=x read_timeout=0", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "read_timeout"));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_SQLSERVER, "host=x read_timeout=86401", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "read_timeout"));
    CU_ASSERT_EQUAL(wr_connect(&c, WR_SQLSERVER, "host=x read_timeout=2s", "tenant t", &e), WR_ECONFIG);
    CU_ASSERT(contains(e.message, "read_timeout"));
}

/* A SQL Server that takes the connection and never answers (a hung server,
 * or a proxy in front of a dead one): the kernel accepts from the listen
 * backlog, nobody reads.  The login must give up after connect_timeout.
 * FreeTDS's "auto" TDS version waited for ever here, so the connect runs
 * in a child that the test kills after 20 s: a hang fails the test. */
static void test_tds_silent_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 8) == 0
                    && getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
    char dsn[256];
    snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%u user=sa password=" SECRET " dbname=wells connect_timeout=1",
             ntohs(sa.sin_port));
    int out[2];
    CU_ASSERT_FATAL(pipe(out) == 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fflush(NULL);
    pid_t child = fork();
    CU_ASSERT_FATAL(child >= 0);
    if (child == 0) {
        close(out[0]);
        wr_conn *c = NULL;
        wr_err e = { 0, "" };
        int rc = wr_connect(&c, WR_SQLSERVER, dsn, "tenant gulf_coast", &e);
        char line[sizeof e.message + 16];
        int n = snprintf(line, sizeof line, "%d %s", rc, e.message);
        if (write(out[1], line, n > 0 && (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
            _exit(3);
        _exit(0);
    }
    close(out[1]);
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(child, &status, WNOHANG)) == 0 && seconds_since(&t0) < 20.0)
        nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
    if (done == 0) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    double waited = seconds_since(&t0);
    char got[1100] = "";
    ssize_t n = read(out[0], got, sizeof got - 1);
    got[n > 0 ? n : 0] = '\0';
    close(out[0]);
    close(fd);
    CU_ASSERT(done == child);   /* not killed: the login gave up by itself */
    CU_ASSERT(waited < 10.0);
    char expected[32];
    snprintf(expected, sizeof expected, "%d ", WR_ECONNECT);
    CU_ASSERT(strncmp(got, expected, strlen(expected)) == 0);
    CU_ASSERT(contains(got, "tenant gulf_coast: sqlserver: cannot connect to 127.0.0.1:"));
    CU_ASSERT(contains(got, "timed out"));
    CU_ASSERT(!contains(got, SECRET));
    if (getenv("WR_TEST_VERBOSE"))
        fprintf(stderr, "\n  %.1f s: %s\n", waited, got);
}

/* ====================================================================== */

typedef struct {
    const char *name;
    CU_TestFunc fn;
} test_case;

static int add_suite(const char *name, const test_case *cases, size_t n)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!CU_add_test(s, cases[i].name, cases[i].fn))
            return -1;
    }
    return 0;
}

#define ADD_SUITE(name, cases) add_suite(name, cases, sizeof cases / sizeof *cases)

int main(void)
{
    /* every driver is tested here: link them all */
    wr_use_postgres();
    wr_use_mysql();
    wr_use_sqlserver();
    static const test_case values[] = {
        { "uuid round trips and bad inputs", test_uuid },
        { "decimal parse and format", test_decimal_parse_format },
        { "decimal rejects what does not fit exactly", test_decimal_rejects },
        { "decimal compare and format", test_decimal_compare_and_format },
        { "dates", test_dates },
        { "every day 0001..9999", test_dates_exhaustive },
        { "timestamps", test_timestamps },
        { "row hash: fixed for all versions", test_row_hash },
    };
    static const test_case secrets[] = {
        { "key=value passwords", test_mask_key_values },
        { "URL passwords", test_mask_urls },
        { "truncation never shows a secret", test_mask_truncates_safely },
        { "wr_error masks and scrubs", test_error_masks },
    };
    static const test_case dsn[] = {
        { "parse", test_dsn_parse },
        { "errors name keys, never values", test_dsn_errors },
    };
    static const test_case arena[] = {
        { "alloc, reset, free", test_arena },
    };
    static const test_case connections[] = {
        { "dialect names, NULL-safe close", test_dialects_and_null_safety },
        { "oracle is unsupported", test_oracle_unsupported },
        { "missing environment variable", test_env_missing },
        { "postgres connect and exec", test_pg_connect_exec },
        { "postgres bad login", test_pg_bad_login },
        { "catalog of postgres and mysql (wellosc introspect)", test_catalog_read },
        { "postgres lost and reconnect", test_pg_lost_and_reconnect },
        { "mysql connect and exec", test_mysql_connect_exec },
        { "mysql bad login", test_mysql_bad_login },
        { "mysql values as printed", test_mysql_values_as_printed },
        { "postgres binary COPY stores what text would", test_pg_binary_copy },
        { "mysql lost and reconnect", test_mysql_lost_and_reconnect },
        { "postgres time limits lifted, after a reconnect too", test_pg_time_limits_lifted_after_reconnect },
        { "mysql time limits lifted, after a reconnect too", test_mysql_time_limits_lifted_after_reconnect },
        { "TCP keepalives every minute", test_tcp_keepalives },
        { "PostgreSQL read_timeout", test_pg_read_timeout },
        { "PostgreSQL read_timeout in a URL", test_pg_read_timeout_in_a_url },
        { "sqlserver closed port fails fast", test_tds_closed_port },
        { "sqlserver that accepts and never answers fails after connect_timeout", test_tds_silent_server },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (ADD_SUITE("values", values) || ADD_SUITE("secrets", secrets) || ADD_SUITE("dsn", dsn)
        || ADD_SUITE("arena", arena) || ADD_SUITE("connections", connections)) {
        fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    /* the client libraries' process-wide allocations, for the leak check */
    mysql_library_end();
    dbexit();
    return failed || run == 0 ? 1 : 0;
}
