/* types.c - conversions and literal validation.  Literals are checked
 * exactly, on their text: a decimal default is never passed through a
 * double, a date is checked against the calendar. */
#include "types.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *wm_type_kind_name(wm_type_kind k)
{
    static const char *const names[] = {
        [WM_T_ANY] = "source value", [WM_T_NULL] = "null", [WM_T_UUID] = "uuid",
        [WM_T_TEXT] = "text", [WM_T_INT] = "int", [WM_T_BIGINT] = "bigint",
        [WM_T_FLOAT] = "float", [WM_T_DECIMAL] = "decimal", [WM_T_BOOL] = "bool",
        [WM_T_DATE] = "date", [WM_T_TIMESTAMP] = "timestamp", [WM_T_ENUM] = "enum",
        [WM_T_JSON] = "json",
    };
    return names[k];
}

const char *wm_dialect_name(wm_dialect d)
{
    static const char *const names[] = {
        [WM_DIALECT_POSTGRES] = "postgres", [WM_DIALECT_MYSQL] = "mysql",
        [WM_DIALECT_SQLSERVER] = "sqlserver", [WM_DIALECT_ORACLE] = "oracle",
    };
    return names[d];
}

const char *wm_strategy_name(wm_strategy s)
{
    static const char *const names[] = {
        [WM_STRATEGY_NATIVE] = "native", [WM_STRATEGY_ADAPTER] = "adapter",
        [WM_STRATEGY_ETL] = "etl",
    };
    return names[s];
}

bool wm_type_is_numeric(wm_type_kind k)
{
    return k == WM_T_INT || k == WM_T_BIGINT || k == WM_T_FLOAT || k == WM_T_DECIMAL;
}

const char *wm_type_display(wm_arena *a, const wm_type *t)
{
    if (t->kind == WM_T_TEXT && t->length)
        return wm_arena_printf(a, "text(%u)", (unsigned)t->length);
    if (t->kind == WM_T_DECIMAL && t->precision)
        return wm_arena_printf(a, "decimal(%u,%u)", (unsigned)t->precision, (unsigned)t->scale);
    return wm_type_kind_name(t->kind);
}

bool wm_enum_has(const wm_type *t, const char *name)
{
    for (size_t i = 0; i < t->n_enum_values; i++)
        if (strcmp(t->enum_values[i], name) == 0)
            return true;
    return false;
}

/* Which typed values a field accepts.  Text into a number or a date needs
 * an explicit parse (formats differ by locale); text into uuid, bool, enum
 * and json has one canonical form and is checked at run time. */
wm_conversion wm_convert(const wm_type *from, const wm_type *to)
{
    wm_type_kind f = from->kind, t = to->kind;
    if (f == WM_T_ANY || f == WM_T_NULL || f == t)
        return WM_CONV_OK;
    if (wm_type_is_numeric(f) && wm_type_is_numeric(t))
        return WM_CONV_OK;
    if (t == WM_T_TEXT)
        return WM_CONV_OK; /* every value has a text form */
    if (f == WM_T_TEXT) {
        if (wm_type_is_numeric(t))
            return WM_CONV_NEEDS_PARSE_NUMBER;
        if (t == WM_T_DATE)
            return WM_CONV_NEEDS_PARSE_DATE;
        if (t == WM_T_TIMESTAMP)
            return WM_CONV_NEEDS_PARSE_TIMESTAMP;
        return WM_CONV_OK; /* uuid, bool, enum, json */
    }
    if (f == WM_T_ENUM && t == WM_T_ENUM)
        return WM_CONV_OK;
    if (f == WM_T_DATE && t == WM_T_TIMESTAMP)
        return WM_CONV_OK;
    return WM_CONV_NEVER;
}

static bool is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in(long y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* YYYY-MM-DD, a real calendar day from year 1 to 9999. */
static bool is_date(const char *s)
{
    if (strlen(s) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-'
        || !digits(s + 8, 2))
        return false;
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
}

/* YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|+HH:MM|-HH:MM] */
static bool is_timestamp(const char *s)
{
    if (!is_date(s))
        return false;
    s += 10;
    if (!*s)
        return true;
    if ((*s != 'T' && *s != ' ') || !digits(s + 1, 2) || s[3] != ':' || !digits(s + 4, 2))
        return false;
    if (num(s + 1, 2) > 23 || num(s + 4, 2) > 59)
        return false;
    s += 6;
    if (*s == ':') {
        if (!digits(s + 1, 2) || num(s + 1, 2) > 59)
            return false;
        s += 3;
        if (*s == '.') {
            s++;
            int n = 0;
            while (isdigit((unsigned char)*s) && n < 10)
                s++, n++;
            if (n == 0 || n > 9)
                return false;
        }
    }
    if (*s == 'Z')
        return s[1] == '\0';
    if (*s == '+' || *s == '-')
        return digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) && s[6] == '\0'
               && num(s + 1, 2) <= 14 && num(s + 4, 2) <= 59;
    return *s == '\0';
}

static bool is_uuid(const char *s)
{
    static const int groups[] = { 8, 4, 4, 4, 12 };
    for (int g = 0; g < 5; g++) {
        for (int i = 0; i < groups[g]; i++, s++)
            if (!isxdigit((unsigned char)*s))
                return false;
        if (g < 4 && *s++ != '-')
            return false;
    }
    return *s == '\0';
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool is_integer_text(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool fits_integer(const char *s, long long lo, long long hi)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    return errno == 0 && *end == '\0' && v >= lo && v <= hi;
}

/* Does the number text fit decimal(p,s) exactly, with no rounding? */
static const char *decimal_problem(wm_arena *a, const char *text, const wm_type *t)
{
    const char *s = text;
    if (*s == '-')
        s++;
    if (strpbrk(s, "eE"))
        return wm_arena_printf(a, "%s is written with an exponent; write a decimal in plain digits", text);
    if (!t->precision)
        return NULL;
    while (*s == '0' && s[1] && s[1] != '.')
        s++;
    const char *dot = strchr(s, '.');
    size_t int_digits = dot ? (size_t)(dot - s) : strlen(s);
    if (int_digits == 1 && s[0] == '0')
        int_digits = 0;
    size_t frac_digits = 0;
    if (dot) {
        frac_digits = strlen(dot + 1);
        while (frac_digits && dot[frac_digits] == '0')
            frac_digits--;
    }
    if (frac_digits > t->scale)
        return wm_arena_printf(a, "%s has more than %u digits after the point of %s", text,
                               (unsigned)t->scale, wm_type_display(a, t));
    if (int_digits > (size_t)(t->precision - t->scale))
        return wm_arena_printf(a, "%s does not fit %s", text, wm_type_display(a, t));
    return NULL;
}

static const char *number_problem(wm_arena *a, const char *text, const wm_type *t)
{
    switch (t->kind) {
    case WM_T_INT:
        if (!is_integer_text(text))
            return wm_arena_printf(a, "%s is not a whole number, as an int must be", text);
        if (!fits_integer(text, -2147483648LL, 2147483647LL))
            return wm_arena_printf(a, "%s is out of range for int", text);
        return NULL;
    case WM_T_BIGINT:
        if (!is_integer_text(text))
            return wm_arena_printf(a, "%s is not a whole number, as a bigint must be", text);
        if (!fits_integer(text, INT64_MIN, INT64_MAX))
            return wm_arena_printf(a, "%s is out of range for bigint", text);
        return NULL;
    case WM_T_FLOAT: {
        errno = 0;
        double d = strtod(text, NULL);
        if (errno == ERANGE && (d > 1 || d < -1))
            return wm_arena_printf(a, "%s is out of range for float", text);
        return NULL;
    }
    case WM_T_DECIMAL:
        return decimal_problem(a, text, t);
    case WM_T_TEXT:
        return NULL;
    default:
        return wm_arena_printf(a, "a number is not a valid %s", wm_type_display(a, t));
    }
}

static const char *string_problem(wm_arena *a, const char *text, const wm_type *t)
{
    switch (t->kind) {
    case WM_T_TEXT:
        if (t->length && utf8_chars(text) > t->length)
            return wm_arena_printf(a, "a string of %zu characters does not fit %s",
                                   utf8_chars(text), wm_type_display(a, t));
        return NULL;
    case WM_T_UUID:
        return is_uuid(text) ? NULL
                             : wm_arena_printf(a, "\"%s\" is not a uuid (8-4-4-4-12 hex digits)", text);
    case WM_T_DATE:
        return is_date(text) && !text[10] ? NULL
                                          : wm_arena_printf(a, "\"%s\" is not a date (YYYY-MM-DD)", text);
    case WM_T_TIMESTAMP:
        return is_timestamp(text)
                   ? NULL
                   : wm_arena_printf(a, "\"%s\" is not a timestamp (YYYY-MM-DD HH:MM:SS, optionally with a zone)", text);
    case WM_T_ENUM:
        return wm_enum_has(t, text) ? NULL
                                    : wm_arena_printf(a, "\"%s\" is not a value of this enum", text);
    case WM_T_JSON:
        return NULL;
    default:
        return wm_arena_printf(a, "a string is not a valid %s; write it without quotes",
                               wm_type_display(a, t));
    }
}

const char *wm_literal_problem(wm_arena *a, const wm_literal *lit, const wm_type *t)
{
    switch (lit->kind) {
    case WM_L_NULL:
        return NULL;
    case WM_L_STRING:
        return string_problem(a, lit->text, t);
    case WM_L_NUMBER:
        return number_problem(a, lit->text, t);
    case WM_L_BOOL:
        return t->kind == WM_T_BOOL || t->kind == WM_T_TEXT
                   ? NULL
                   : wm_arena_printf(a, "%s is a bool, not a valid %s", lit->text, wm_type_display(a, t));
    case WM_L_NOW:
        return t->kind == WM_T_DATE || t->kind == WM_T_TIMESTAMP
                   ? NULL
                   : wm_arena_printf(a, "'now' is a time; it is not a valid %s", wm_type_display(a, t));
    case WM_L_NAME:
        if (t->kind != WM_T_ENUM)
            return wm_arena_printf(a, "bare name '%s' is only valid as an enum value; write a string in double quotes",
                                   lit->text);
        return wm_enum_has(t, lit->text) ? NULL
                                         : wm_arena_printf(a, "'%s' is not a value of this enum", lit->text);
    }
    return NULL;
}

wm_type wm_literal_type(const wm_literal *lit)
{
    wm_type t = { 0 };
    switch (lit->kind) {
    case WM_L_NULL: t.kind = WM_T_NULL; break;
    case WM_L_STRING: t.kind = WM_T_TEXT; break;
    case WM_L_BOOL: t.kind = WM_T_BOOL; break;
    case WM_L_NOW: t.kind = WM_T_TIMESTAMP; break;
    case WM_L_NAME: t.kind = WM_T_ENUM; break;
    case WM_L_NUMBER:
        if (strpbrk(lit->text, "eE"))
            t.kind = WM_T_FLOAT;
        else if (strchr(lit->text, '.'))
            t.kind = WM_T_DECIMAL;
        else if (fits_integer(lit->text, -2147483648LL, 2147483647LL))
            t.kind = WM_T_INT;
        else if (fits_integer(lit->text, INT64_MIN, INT64_MAX))
            t.kind = WM_T_BIGINT;
        else
            t.kind = WM_T_DECIMAL;
        break;
    }
    return t;
}

int wm_number_compare(const char *a, const char *b)
{
    double x = strtod(a, NULL), y = strtod(b, NULL);
    return x < y ? -1 : x > y;
}

bool wm_whole_number(const char *text, uint64_t max, uint64_t *out)
{
    if (!*text)
        return false;
    uint64_t v = 0;
    for (const char *s = text; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > max / 10 || (v == max / 10 && d > max % 10))
            return false;
        v = v * 10 + d;
    }
    if (v < 1)
        return false;
    *out = v;
    return true;
}
