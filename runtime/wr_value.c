/* wr_value.c - the typed values generated code moves between databases:
 * uuid, exact decimal, date, timestamp; their text forms and comparisons.
 *
 * Must never: go through floating point (a decimal is an __int128 count of
 * units, always), round or truncate silently (a value that does not fit
 * exactly is WR_EDATA with the reason), depend on the process's locale or
 * time zone (dates are proleptic Gregorian, timestamps UTC), or allocate. */
#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "wr_internal.h"

/* How much of a bad input a message quotes. */
#define QUOTED_MAX 48

enum { MAX_DECIMAL_DIGITS = 38 };

static const char HEX[] = "0123456789abcdef";

/* ---- integer text -------------------------------------------------------------- */

bool wr_int_text_parse(const char *s, long long *out)
{
    bool is_negative = *s == '-';
    const char *p = s + is_negative;
    if (*p < '0' || *p > '9')
        return false;
    unsigned long long v = 0, limit = is_negative ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*p)
        return false;
    *out = is_negative ? (long long)(0 - v) : (long long)v;
    return true;
}

char *wr_int_text_back(char *end, unsigned long long magnitude, bool is_negative)
{
    do {
        *--end = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (is_negative)
        *--end = '-';
    return end;
}

/* ---- uuid ------------------------------------------------------------------ */

/* A hex digit's value plus one; 0 for anything else.  A table, since
 * this runs for every uuid of every row a sync moves. */
static const unsigned char HEX_PLUS_ONE[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int wr_uuid_parse(wr_uuid *out, const char *text, wr_err *err)
{
    /* where each of the 16 bytes' two hex digits start: 8-4-4-4-12 */
    static const unsigned char AT[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34 };
    if (!text)
        return wr_error(err, WR_EDATA, "uuid: no text");
    if (strnlen(text, 37) != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        goto bad;
    wr_uuid u;
    for (int b = 0; b < 16; b++) {
        int hi = HEX_PLUS_ONE[(unsigned char)text[AT[b]]], lo = HEX_PLUS_ONE[(unsigned char)text[AT[b] + 1]];
        if (hi == 0 || lo == 0)
            goto bad;
        u.bytes[b] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    *out = u;
    return WR_OK;
bad:
    return wr_error(err, WR_EDATA, "'%.*s' is not a uuid (expected 8-4-4-4-12 hex digits)",
                    QUOTED_MAX, text);
}

void wr_uuid_format(const wr_uuid *u, char out[WR_UUID_TEXT_SIZE])
{
    size_t o = 0;
    for (size_t b = 0; b < 16; b++) {
        if (b == 4 || b == 6 || b == 8 || b == 10)
            out[o++] = '-';
        out[o++] = HEX[u->bytes[b] >> 4];
        out[o++] = HEX[u->bytes[b] & 0xf];
    }
    out[o] = '\0';
}

bool wr_uuid_equal(const wr_uuid *a, const wr_uuid *b)
{
    return memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

/* ---- decimal --------------------------------------------------------------- */

/* 10^n for n <= 38 (10^38 < 2^127). */
static __int128 pow10_i128(unsigned n)
{
    __int128 p = 1;
    while (n--)
        p *= 10;
    return p;
}

int wr_decimal_parse(wr_decimal *out, const char *text, unsigned precision, unsigned scale, wr_err *err)
{
    if (precision < 1 || precision > MAX_DECIMAL_DIGITS || scale > precision)
        return wr_error(err, WR_EDATA, "decimal(%u,%u) is not a valid type (precision 1..38, scale <= precision)",
                        precision, scale);
    if (!text)
        return wr_error(err, WR_EDATA, "decimal: no text");
    const char *p = text;
    bool negative = *p == '-';
    if (*p == '+' || *p == '-')
        p++;
    const char *int_digits = p;
    while (isdigit((unsigned char)*p))
        p++;
    size_t int_len = (size_t)(p - int_digits);
    const char *frac_digits = p;
    size_t frac_len = 0;
    if (*p == '.') {
        frac_digits = ++p;
        while (isdigit((unsigned char)*p))
            p++;
        frac_len = (size_t)(p - frac_digits);
        if (frac_len == 0)
            goto not_decimal;
    }
    if (int_len == 0 && frac_len == 0)
        goto not_decimal;
    if (*p == 'e' || *p == 'E')
        return wr_error(err, WR_EDATA, "'%.*s' is not a plain decimal: exponents are not accepted",
                        QUOTED_MAX, text);
    if (*p)
        goto not_decimal;

    while (int_len > 0 && *int_digits == '0') {
        int_digits++;
        int_len--;
    }
    if (int_len > precision - scale)
        return wr_error(err, WR_EDATA, "'%.*s' does not fit decimal(%u,%u): more than %u digits before the point",
                        QUOTED_MAX, text, precision, scale, precision - scale);
    for (size_t i = scale; i < frac_len; i++) {
        if (frac_digits[i] != '0')
            return wr_error(err, WR_EDATA,
                            "'%.*s' does not fit decimal(%u,%u): more than %u digits after the point",
                            QUOTED_MAX, text, precision, scale, scale);
    }

    __int128 units = 0;   /* at most 38 digits: cannot overflow */
    for (size_t i = 0; i < int_len; i++)
        units = units * 10 + (int_digits[i] - '0');
    for (size_t i = 0; i < scale; i++)
        units = units * 10 + (i < frac_len ? frac_digits[i] - '0' : 0);
    out->units = negative ? -units : units;
    out->scale = (uint8_t)scale;
    return WR_OK;

not_decimal:
    return wr_error(err, WR_EDATA, "'%.*s' is not a decimal number", QUOTED_MAX, text);
}

void wr_decimal_format(const wr_decimal *d, char out[WR_DECIMAL_TEXT_SIZE])
{
    /* Scales above 38 never come from the parser; a hand-made one is
     * formatted in full here and cut to the buffer below. */
    char rev[48];           /* digits of |units|, least significant first */
    size_t n = 0;
    unsigned __int128 mag = d->units < 0 ? -(unsigned __int128)d->units : (unsigned __int128)d->units;
    do {
        rev[n++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag);
    size_t scale = d->scale;
    size_t width = n > scale ? n : scale + 1;   /* at least one digit before the point */

    char text[300];
    size_t o = 0;
    if (d->units < 0)
        text[o++] = '-';
    for (size_t i = width; i-- > 0;) {
        text[o++] = i < n ? rev[i] : '0';
        if (i == scale && scale > 0)
            text[o++] = '.';
    }
    text[o] = '\0';
    size_t len = o < WR_DECIMAL_TEXT_SIZE - 1 ? o : WR_DECIMAL_TEXT_SIZE - 1;
    memcpy(out, text, len);
    out[len] = '\0';
}

static int compare_i128(__int128 a, __int128 b)
{
    return (a > b) - (a < b);
}

int wr_decimal_compare(const wr_decimal *a, const wr_decimal *b)
{
    if (a->scale == b->scale)
        return compare_i128(a->units, b->units);
    /* Bring the one with fewer fraction digits to the other's scale.  If
     * that overflows, its magnitude exceeds anything the other can hold. */
    bool swapped = a->scale > b->scale;
    const wr_decimal *lo = swapped ? b : a, *hi = swapped ? a : b;
    unsigned diff = (unsigned)hi->scale - lo->scale;
    __int128 scaled = 0;
    int result;
    if (lo->units == 0)
        result = compare_i128(0, hi->units);
    else if (diff > MAX_DECIMAL_DIGITS || __builtin_mul_overflow(lo->units, pow10_i128(diff), &scaled))
        result = lo->units > 0 ? 1 : -1;
    else
        result = compare_i128(scaled, hi->units);
    return swapped ? -result : result;
}

/* ---- date ------------------------------------------------------------------
 * Howard Hinnant's days_from_civil / civil_from_days: exact for every
 * proleptic Gregorian date, no tables, no time zone. */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *year, unsigned *month, unsigned *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* n decimal digits at p, or -1. */
static int read_digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static void put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* "YYYY-MM-DD" at text (10 bytes, not necessarily the whole string). */
static bool parse_ymd(const char *text, int *y, int *m, int *d)
{
    if (strnlen(text, 10) < 10 || text[4] != '-' || text[7] != '-')
        return false;
    *y = read_digits(text, 4);
    *m = read_digits(text + 5, 2);
    *d = read_digits(text + 8, 2);
    return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

int wr_date_parse(wr_date *out, const char *text, wr_err *err)
{
    int y, m, d;
    if (!text)
        return wr_error(err, WR_EDATA, "date: no text");
    if (strnlen(text, 11) != 10 || !parse_ymd(text, &y, &m, &d))
        return wr_error(err, WR_EDATA, "'%.*s' is not a date (YYYY-MM-DD, years 0001 to 9999)",
                        QUOTED_MAX, text);
    *out = wr_date_from_ymd(y, m, d);
    return WR_OK;
}

/* Writes YYYY-MM-DD (10 bytes, no NUL); a year outside 0..9999 cannot be
 * written in this form and shows as ????-??-??, visibly wrong. */
static void format_ymd(int64_t days, char *p)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        memcpy(p, "?\?\?\?-\?\?-\?\?", 10);   /* escaped: not trigraphs */
        return;
    }
    put_digits(p, y, 4);
    p[4] = '-';
    put_digits(p + 5, m, 2);
    p[7] = '-';
    put_digits(p + 8, d, 2);
}

void wr_date_format(wr_date d, char out[WR_DATE_TEXT_SIZE])
{
    format_ymd(d.days, out);
    out[10] = '\0';
}

/* month must be 1..12; a day past the month's end runs on (January 32 is
 * February 1), as a day count should. */
wr_date wr_date_from_ymd(int year, int month, int day)
{
    return (wr_date){ (int32_t)days_from_civil(year, (unsigned)month, (unsigned)day) };
}

void wr_date_to_ymd(wr_date d, int *year, int *month, int *day)
{
    int64_t y;
    unsigned m, dd;
    civil_from_days(d.days, &y, &m, &dd);
    *year = (int)y;
    *month = (int)m;
    *day = (int)dd;
}

/* ---- timestamp ------------------------------------------------------------- */

#define MICROS_PER_SECOND INT64_C(1000000)
#define MICROS_PER_DAY (INT64_C(86400) * MICROS_PER_SECOND)

/* Z, +HH, +HH:MM or +HHMM at p, to the end of the text: offset in minutes. */
static bool parse_zone(const char *p, int *minutes)
{
    *minutes = 0;
    if (*p == '\0')
        return true;
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
        return true;
    if (p[0] != '+' && p[0] != '-')
        return false;
    int sign = p[0] == '-' ? -1 : 1;
    int hh = read_digits(p + 1, 2), mm = 0;
    p += 3;
    if (hh < 0 || hh > 23)
        return false;
    if (*p == ':' && *++p == '\0')
        return false;
    if (*p) {
        mm = read_digits(p, 2);
        if (mm < 0 || mm > 59 || p[2] != '\0')
            return false;
    }
    *minutes = sign * (hh * 60 + mm);
    return true;
}

int wr_timestamp_parse(wr_timestamp *out, const char *text, wr_err *err)
{
    int y, mo, d, hh, mi, ss = 0, zone;
    int64_t micros = 0;
    if (!text)
        return wr_error(err, WR_EDATA, "timestamp: no text");
    if (!parse_ymd(text, &y, &mo, &d))
        goto bad;
    const char *p = text + 10;
    if (*p != ' ' && *p != 'T' && *p != 't')
        goto bad;
    p++;
    hh = read_digits(p, 2);
    if (hh < 0 || hh > 23 || p[2] != ':')
        goto bad;
    mi = read_digits(p + 3, 2);
    if (mi < 0 || mi > 59)
        goto bad;
    p += 5;
    if (*p == ':') {
        ss = read_digits(p + 1, 2);
        if (ss < 0 || ss > 59)
            goto bad;
        p += 3;
        if (*p == '.') {
            const char *f = ++p;
            while (isdigit((unsigned char)*p))
                p++;
            size_t n = (size_t)(p - f);
            if (n == 0 || n > 9)
                goto bad;
            for (size_t i = 0; i < 6; i++)
                micros = micros * 10 + (i < n ? f[i] - '0' : 0);
            for (size_t i = 6; i < n; i++) {
                if (f[i] != '0')
                    return wr_error(err, WR_EDATA,
                                    "'%.*s' is finer than a microsecond, which a timestamp cannot hold",
                                    QUOTED_MAX, text);
            }
        }
    }
    if (!parse_zone(p, &zone))
        goto bad;
    int64_t seconds = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss
                    - (int64_t)zone * 60;
    out->micros = seconds * MICROS_PER_SECOND + micros;
    return WR_OK;
bad:
    return wr_error(err, WR_EDATA,
                    "'%.*s' is not a timestamp (YYYY-MM-DD HH:MM[:SS[.ffffff]] with an optional zone Z, +HH, +HH:MM or +HHMM)",
                    QUOTED_MAX, text);
}

void wr_timestamp_format(wr_timestamp t, char out[WR_TIMESTAMP_TEXT_SIZE])
{
    int64_t days = t.micros / MICROS_PER_DAY, rest = t.micros % MICROS_PER_DAY;
    if (rest < 0) {
        rest += MICROS_PER_DAY;
        days--;
    }
    format_ymd(days, out);
    int64_t secs = rest / MICROS_PER_SECOND;
    out[10] = ' ';
    put_digits(out + 11, secs / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, secs / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, secs % 60, 2);
    out[19] = '.';
    put_digits(out + 20, rest % MICROS_PER_SECOND, 6);
    memcpy(out + 26, "+00:00", 7);   /* with the NUL */
}

wr_timestamp wr_timestamp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (wr_timestamp){ (int64_t)ts.tv_sec * MICROS_PER_SECOND + ts.tv_nsec / 1000 };
}
