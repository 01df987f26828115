/* wr_xf_time.c - the transforms into dates and timestamps (wr.h,
 * "transforms of sync agents"; the rules every transform keeps are
 * wr_transform.c's): parse_date and parse_timestamp with a format,
 * to_date and to_timestamp of ISO 8601 text.  A timestamp is microseconds
 * since 1970-01-01 00:00 UTC, from 0001-01-01 to 9999-12-31.
 *
 * Must never: depend on the process's time zone (a time without a zone
 * is UTC), or round a timestamp to the microsecond (one with more digits
 * is refused). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wr_xf_internal.h"

#define MICROS_PER_SECOND INT64_C(1000000)
#define MICROS_PER_DAY (INT64_C(86400) * MICROS_PER_SECOND)

/* ---- dates and times ------------------------------------------------------------ */

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b != 0 && (a < 0) != (b < 0) ? q - 1 : q;
}

/* Exactly n digits at p, or -1 (never reads past a NUL). */
static int digits_at(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Microseconds of 0001-01-01 00:00 UTC, and of the instant after 9999-12-31. */
static int64_t first_micros(void)
{
    return (int64_t)wr_date_from_ymd(1, 1, 1).days * MICROS_PER_DAY;
}

static int64_t end_micros(void)
{
    return ((int64_t)wr_date_from_ymd(9999, 12, 31).days + 1) * MICROS_PER_DAY;
}

static int64_t local_micros(int y, int mo, int d, int hh, int mi, int ss, int64_t frac, int zone_minutes)
{
    int64_t seconds = (int64_t)wr_date_from_ymd(y, mo, d).days * 86400 + hh * 3600 + mi * 60 + ss
                    - (int64_t)zone_minutes * 60;
    return seconds * MICROS_PER_SECOND + frac;
}

static const char *out_timestamp(wr_xf *x, int64_t micros)
{
    char text[WR_TIMESTAMP_TEXT_SIZE];
    wr_timestamp_format((wr_timestamp){ micros }, text);
    return xf_dup(x, text, strlen(text));
}

static const char *out_date(wr_xf *x, int64_t micros)
{
    char text[WR_DATE_TEXT_SIZE];
    wr_date_format((wr_date){ (int32_t)floor_div(micros, MICROS_PER_DAY) }, text);
    return xf_dup(x, text, strlen(text));
}

/* A zone at *pp: Z, z, +HH, +HHMM or +HH:MM (or '-').  1: read, in
 * minutes east of UTC; 0: none there; -1: a sign with no valid offset. */
static int scan_zone(const char **pp, int *minutes)
{
    const char *p = *pp;
    *minutes = 0;
    if (*p == 'Z' || *p == 'z') {
        *pp = p + 1;
        return 1;
    }
    if (*p != '+' && *p != '-')
        return 0;
    int sign = *p == '-' ? -1 : 1;
    int hh = digits_at(p + 1, 2), mm = 0;
    if (hh < 0 || hh > 23)
        return -1;
    p += 3;
    if (*p == ':') {
        mm = digits_at(p + 1, 2);
        p += 3;
    } else if (is_digit(*p)) {
        mm = digits_at(p, 2);
        p += 2;
    }
    if (mm < 0 || mm > 59)
        return -1;
    *minutes = sign * (hh * 60 + mm);
    *pp = p;
    return 1;
}

typedef enum { DT_OK, DT_SYNTAX, DT_ZERO, DT_CALENDAR, DT_RANGE } dt_status;

/* YYYY-MM-DD, optionally followed by ' ', 'T' or 't' and HH:MM[:SS[.f]]
 * (1 to 9 digits of fraction) and a zone (Z, +HH, +HHMM, +HH:MM, also
 * after one space as SQL Server writes datetimeoffset).  No zone: UTC. */
static dt_status scan_datetime(const char *s, int64_t *micros, bool *is_submicro)
{
    int y = digits_at(s, 4), mo = -1, d = -1;
    if (y < 0 || s[4] != '-' || (mo = digits_at(s + 5, 2)) < 0 || s[7] != '-'
        || (d = digits_at(s + 8, 2)) < 0)
        return DT_SYNTAX;
    const char *p = s + 10;
    int hh = 0, mi = 0, ss = 0, zone = 0;
    int64_t frac = 0;
    *is_submicro = false;
    if (*p) {
        if (*p != ' ' && *p != 'T' && *p != 't')
            return DT_SYNTAX;
        p++;
        hh = digits_at(p, 2);
        if (hh < 0 || p[2] != ':' || (mi = digits_at(p + 3, 2)) < 0)
            return DT_SYNTAX;
        p += 5;
        if (*p == ':') {
            ss = digits_at(p + 1, 2);
            if (ss < 0)
                return DT_SYNTAX;
            p += 3;
            if (*p == '.') {
                int n = 0;
                for (p++; is_digit(*p); p++, n++) {
                    if (n < 6)
                        frac = frac * 10 + (*p - '0');
                    else if (*p != '0')
                        *is_submicro = true;
                }
                if (n == 0 || n > 9)
                    return DT_SYNTAX;
                for (; n < 6; n++)
                    frac *= 10;
            }
        }
        if (p[0] == ' ' && (p[1] == '+' || p[1] == '-'))
            p++;
        if (scan_zone(&p, &zone) < 0 || *p)
            return DT_SYNTAX;
        if (hh > 23 || mi > 59 || ss > 59)
            return DT_SYNTAX;
    }
    if (y == 0 && mo == 0 && d == 0)
        return DT_ZERO;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return DT_CALENDAR;
    *micros = local_micros(y, mo, d, hh, mi, ss, frac, zone);
    if (*micros < first_micros() || *micros >= end_micros())
        return DT_RANGE;
    return DT_OK;
}

static bool datetime_failed(wr_xf *x, dt_status st, const char *v, const char *what)
{
    switch (st) {
    case DT_OK:
        return false;
    case DT_SYNTAX:
        wr_xf_fail(x, "'%s' is not a %s (YYYY-MM-DD[ HH:MM[:SS[.ffffff]]] with an optional zone Z, "
                   "+HH, +HHMM or +HH:MM)", Q(v), what);
        break;
    case DT_ZERO:
        wr_xf_fail(x, "'%s' is MySQL's zero date, not a day of the calendar", Q(v));
        break;
    case DT_CALENDAR:
        wr_xf_fail(x, "'%s' is not a day of the calendar", Q(v));
        break;
    case DT_RANGE:
        wr_xf_fail(x, "'%s' is out of range (0001-01-01 to 9999-12-31 in UTC)", Q(v));
        break;
    }
    return true;
}

/* ---- parse_date, parse_timestamp ---------------------------------------------------
 * strptime's conversions, parsed here (glibc's strptime takes February 31
 * and ignores what it cannot use).  The whole text must match:
 *   %Y  4 digits           %m  1-2 digits, 1-12     %d  1-2 digits, 1-31
 *   %e  as %d, after an optional space               %y  2 digits: 69-99 19xx, 00-68 20xx
 *   %b %B %h  an English month name, full or 3 letters, any case
 *   %j  1-3 digits, day of the year 1-366           %F  %Y-%m-%d    %%  '%'
 * and with parse_timestamp:
 *   %H  1-2 digits, 0-23   %M  0-59   %S  0-59 (no leap second)   %T  %H:%M:%S
 *   %I  1-2 digits, 1-12, only with %p (AM or PM, any case)
 *   %f  1-9 digits of fraction; past the 6th only zeros
 *   %z  Z, +HH, +HHMM, +HH:MM    %Z  UTC, GMT, UT or Z (no other zone name)
 * White space in the format matches zero or more white space in the text;
 * every other character matches itself.  A year is required; a missing
 * month or day is 1, a missing time 00:00:00, a missing zone UTC. */

typedef enum { PF_OK, PF_MISMATCH, PF_CALENDAR, PF_FORMAT, PF_SUBMICRO, PF_RANGE } pf_status;

typedef struct pf_field {
    bool is_set;
    int value;
} pf_field;

typedef struct pf_state {
    const char *text, *p;
    bool allow_time;
    pf_field year, month, day, yday, hour, hour12, minute, second, pm, zone;
    int64_t micros;
    bool is_submicro;
    pf_status status;
    char why[160];
} pf_state;

static bool pf_fail(pf_state *st, pf_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool pf_fail(pf_state *st, pf_status status, const char *fmt, ...)
{
    st->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->why, sizeof st->why, fmt, ap);
    va_end(ap);
    return false;
}

static size_t pf_at(const pf_state *st)
{
    return (size_t)(st->p - st->text) + 1;
}

/* A field given twice (%F and %d, %j and %m) must agree. */
static bool pf_set(pf_state *st, pf_field *f, int value, char conv)
{
    if (f->is_set && f->value != value)
        return pf_fail(st, PF_MISMATCH, "%%%c disagrees with an earlier conversion at byte %zu", conv,
                       pf_at(st));
    f->is_set = true;
    f->value = value;
    return true;
}

static bool pf_number(pf_state *st, char conv, int min_len, int max_len, int lo, int hi, const char *what,
                      pf_field *f)
{
    const char *p = st->p;
    int v = 0, n = 0;
    while (n < max_len && is_digit(*p)) {
        v = v * 10 + (*p++ - '0');
        n++;
    }
    if (n < min_len || v < lo || v > hi)
        return pf_fail(st, PF_MISMATCH, "%%%c wants %s at byte %zu", conv, what, pf_at(st));
    bool ok = pf_set(st, f, v, conv);
    st->p = p;
    return ok;
}

static const char *const MONTHS[] = { "january", "february", "march",     "april",   "may",      "june",
                                      "july",    "august",   "september", "october", "november", "december" };

static bool pf_match(pf_state *st, const char *fmt)
{
    for (const char *f = fmt; *f; f++) {
        if (is_ascii_space(*f)) {
            while (is_ascii_space(*st->p))
                st->p++;
            continue;
        }
        if (*f != '%') {
            if (*st->p != *f)
                return pf_fail(st, PF_MISMATCH, "the text differs from the format at byte %zu", pf_at(st));
            st->p++;
            continue;
        }
        char c = *++f;   /* pf_check_format has seen that c is allowed */
        bool ok = true;
        switch (c) {
        case '%':
            if (*st->p != '%')
                return pf_fail(st, PF_MISMATCH, "'%%' expected at byte %zu", pf_at(st));
            st->p++;
            break;
        case 'Y':
            ok = pf_number(st, c, 4, 4, 0, 9999, "a year of 4 digits", &st->year);
            break;
        case 'y': {
            pf_field yy = { false, 0 };
            ok = pf_number(st, c, 2, 2, 0, 99, "a year of 2 digits", &yy)
              && pf_set(st, &st->year, yy.value < 69 ? 2000 + yy.value : 1900 + yy.value, c);
            break;
        }
        case 'm':
            ok = pf_number(st, c, 1, 2, 1, 12, "a month, 1 to 12,", &st->month);
            break;
        case 'e':
            if (*st->p == ' ')
                st->p++;
            /* fall through */
        case 'd':
            ok = pf_number(st, c, 1, 2, 1, 31, "a day of the month, 1 to 31,", &st->day);
            break;
        case 'j':
            ok = pf_number(st, c, 1, 3, 1, 366, "a day of the year, 1 to 366,", &st->yday);
            break;
        case 'b':
        case 'B':
        case 'h': {
            int m = 0;
            size_t len = 0;
            for (int i = 0; i < 12 && !m; i++) {
                if (ascii_prefix_ci(st->p, MONTHS[i])) {
                    m = i + 1;
                    len = strlen(MONTHS[i]);
                } else if (ascii_prefix_ci(st->p, (char[4]){ MONTHS[i][0], MONTHS[i][1], MONTHS[i][2], 0 })) {
                    m = i + 1;
                    len = 3;
                }
            }
            if (!m)
                return pf_fail(st, PF_MISMATCH, "%%%c wants a month's name (Jan or January) at byte %zu", c,
                               pf_at(st));
            ok = pf_set(st, &st->month, m, c);
            st->p += len;
            break;
        }
        case 'F':
            ok = pf_match(st, "%Y-%m-%d");
            break;
        case 'T':
            ok = pf_match(st, "%H:%M:%S");
            break;
        case 'H':
            ok = pf_number(st, c, 1, 2, 0, 23, "an hour, 0 to 23,", &st->hour);
            break;
        case 'I':
            ok = pf_number(st, c, 1, 2, 1, 12, "an hour, 1 to 12,", &st->hour12);
            break;
        case 'M':
            ok = pf_number(st, c, 1, 2, 0, 59, "minutes, 0 to 59,", &st->minute);
            break;
        case 'S':
            ok = pf_number(st, c, 1, 2, 0, 59, "seconds, 0 to 59,", &st->second);
            break;
        case 'p': {
            bool am = ascii_prefix_ci(st->p, "AM"), pm = ascii_prefix_ci(st->p, "PM");
            if (!am && !pm)
                return pf_fail(st, PF_MISMATCH, "%%p wants AM or PM at byte %zu", pf_at(st));
            ok = pf_set(st, &st->pm, pm, c);
            st->p += 2;
            break;
        }
        case 'f': {
            int n = 0;
            int64_t micros = 0;
            for (; n < 9 && is_digit(st->p[n]); n++) {
                if (n < 6)
                    micros = micros * 10 + (st->p[n] - '0');
                else if (st->p[n] != '0')
                    st->is_submicro = true;
            }
            if (n == 0)
                return pf_fail(st, PF_MISMATCH, "%%f wants 1 to 9 digits of a second's fraction at byte %zu",
                               pf_at(st));
            for (int i = n; i < 6; i++)
                micros *= 10;
            st->micros = micros;
            st->p += n;
            break;
        }
        case 'z': {
            int minutes;
            if (scan_zone(&st->p, &minutes) != 1)
                return pf_fail(st, PF_MISMATCH, "%%z wants Z, +HH, +HHMM or +HH:MM at byte %zu", pf_at(st));
            ok = pf_set(st, &st->zone, minutes, c);
            break;
        }
        case 'Z': {
            static const char *const UTC_NAMES[] = { "UTC", "GMT", "UT", "Z" };
            size_t len = 0;
            for (size_t i = 0; i < sizeof UTC_NAMES / sizeof UTC_NAMES[0] && !len; i++) {
                if (ascii_prefix_ci(st->p, UTC_NAMES[i]))
                    len = strlen(UTC_NAMES[i]);
            }
            if (!len)
                return pf_fail(st, PF_MISMATCH,
                               "%%Z takes only UTC, GMT, UT or Z at byte %zu (a zone name is ambiguous: "
                               "use %%z for offsets)", pf_at(st));
            ok = pf_set(st, &st->zone, 0, c);
            st->p += len;
            break;
        }
        default:
            return pf_fail(st, PF_FORMAT, "has the unsupported conversion %%%c", c);
        }
        if (!ok)
            return false;
    }
    return true;
}

/* The format's own faults, found whatever the text is: a conversion not
 * in the list, a time in parse_date's format, no year, %I without %p or
 * %p without %I (the compiler can refuse all of these up front). */
static bool pf_check_format(pf_state *st, const char *format)
{
    bool has_year = false, has_i = false, has_p = false;
    for (const char *f = format; *f; f++) {
        if (*f != '%')
            continue;
        char c = *++f;
        if (!c)
            return pf_fail(st, PF_FORMAT, "ends in a lone %%");
        if (strchr("HMSTIpfzZ", c)) {
            if (!st->allow_time)
                return pf_fail(st, PF_FORMAT, "has %%%c, a time: use parse_timestamp", c);
        } else if (!strchr("YmdyeBbhjF%", c)) {
            return pf_fail(st, PF_FORMAT, "has the unsupported conversion %%%c", c);
        }
        has_year |= c == 'Y' || c == 'y' || c == 'F';
        has_i |= c == 'I';
        has_p |= c == 'p';
    }
    if (!has_year)
        return pf_fail(st, PF_FORMAT, "has no year (%%Y, %%y or %%F)");
    if (has_i != has_p)
        return pf_fail(st, PF_FORMAT,
                       has_p ? "has %%p without %%I (a 12-hour clock)" : "has %%I without %%p (AM or PM)");
    return true;
}

/* Parses s with format into *micros (UTC); PF_OK or why not in st. */
static pf_status parse_with_format(pf_state *st, const char *s, const char *format, bool allow_time,
                                   int64_t *micros)
{
    memset(st, 0, sizeof *st);
    st->text = st->p = s;
    st->allow_time = allow_time;
    if (!pf_check_format(st, format) || !pf_match(st, format))
        return st->status;
    if (*st->p) {
        pf_fail(st, PF_MISMATCH, "text left over at byte %zu", pf_at(st));
        return st->status;
    }
    int y = st->year.value;
    int mo = st->month.is_set ? st->month.value : 1, d = st->day.is_set ? st->day.value : 1;
    if (y < 1)
        return PF_CALENDAR;
    if (st->yday.is_set) {
        int left = st->yday.value, m = 1;
        if (left > (is_leap(y) ? 366 : 365))
            return PF_CALENDAR;
        while (left > days_in_month(y, m))
            left -= days_in_month(y, m++);
        if ((st->month.is_set && st->month.value != m) || (st->day.is_set && st->day.value != left)) {
            pf_fail(st, PF_MISMATCH, "the day of the year (%%j) is not the month and day");
            return st->status;
        }
        mo = m;
        d = left;
    }
    if (d > days_in_month(y, mo))
        return PF_CALENDAR;
    int hh = st->hour.is_set ? st->hour.value : 0;
    if (st->hour12.is_set) {
        int h = st->hour12.value % 12 + (st->pm.value ? 12 : 0);
        if (st->hour.is_set && st->hour.value != h) {
            pf_fail(st, PF_MISMATCH, "%%H and %%I disagree");
            return st->status;
        }
        hh = h;
    }
    if (st->is_submicro)
        return PF_SUBMICRO;
    *micros = local_micros(y, mo, d, hh, st->minute.value, st->second.value, st->micros, st->zone.value);
    if (*micros < first_micros() || *micros >= end_micros())
        return PF_RANGE;
    return PF_OK;
}

static const char *parse_dt(wr_xf *x, const char *s, const char *format, bool is_timestamp)
{
    if (!live(x) || !s)
        return NULL;
    if (!format) {
        wr_xf_fail(x, "%s(): no format", is_timestamp ? "parse_timestamp" : "parse_date");
        return NULL;
    }
    pf_state st;
    int64_t micros = 0;
    switch (parse_with_format(&st, s, format, is_timestamp, &micros)) {
    case PF_OK:
        return is_timestamp ? out_timestamp(x, micros) : out_date(x, micros);
    case PF_MISMATCH:
        wr_xf_fail(x, "'%s' does not match the format \"%s\": %s", Q(s), Q(format), st.why);
        break;
    case PF_CALENDAR:
        wr_xf_fail(x, "'%s' is not a day of the calendar", Q(s));
        break;
    case PF_FORMAT:
        wr_xf_fail(x, "the format \"%s\" %s", Q(format), st.why);
        break;
    case PF_SUBMICRO:
        wr_xf_fail(x, "'%s' has digits past the microsecond: sub-microsecond precision would be lost", Q(s));
        break;
    case PF_RANGE:
        wr_xf_fail(x, "'%s' is out of range (0001-01-01 to 9999-12-31 in UTC)", Q(s));
        break;
    }
    return NULL;
}

const char *wr_xf_parse_date(wr_xf *x, const char *s, const char *format)
{
    return parse_dt(x, s, format, false);
}

const char *wr_xf_parse_timestamp(wr_xf *x, const char *s, const char *format)
{
    return parse_dt(x, s, format, true);
}

/* v is already YYYY-MM-DD, a real day of the years 0001 to 9999: the
 * text out_date prints for it. */
static bool is_canonical_date(const char *v)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? v[i] != '-' : !(v[i] >= '0' && v[i] <= '9'))
            return false;
    if (v[10] != '\0')
        return false;
    int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    int m = (v[5] - '0') * 10 + (v[6] - '0'), d = (v[8] - '0') * 10 + (v[9] - '0');
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool is_leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && is_leap);
}

/* A date, or the UTC calendar day of a date and time. */
const char *wr_xf_to_date(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    if (is_canonical_date(v))
        return v;   /* already its canonical text (as to_text, no copy) */
    int64_t micros = 0;
    bool is_submicro;   /* the day does not depend on it */
    if (datetime_failed(x, scan_datetime(v, &micros, &is_submicro), v, "date"))
        return NULL;
    return out_date(x, micros);
}

const char *wr_xf_to_timestamp(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    int64_t micros = 0;
    bool is_submicro;
    if (datetime_failed(x, scan_datetime(v, &micros, &is_submicro), v, "timestamp"))
        return NULL;
    if (is_submicro) {
        wr_xf_fail(x, "'%s' has digits past the microsecond: sub-microsecond precision would be lost", Q(v));
        return NULL;
    }
    return out_timestamp(x, micros);
}

