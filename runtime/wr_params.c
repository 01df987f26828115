/* wr_params.c - parameters as text for generated statements, and typed
 * reads of text result values.  Text is exact for every type we have
 * (decimals above all), and every driver can send and receive it.  The
 * formats here are the ones each dialect parses without a cast. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wr.h"

void wr_params_init(wr_params *p, wr_dialect d)
{
    p->dialect = d;
    p->n = 0;
    p->used = 0;
    p->is_overflowed = false;
}

static void push(wr_params *p, const char *v)
{
    if (p->n >= WR_MAX_PARAMS) {
        p->is_overflowed = true;
        return;
    }
    p->values[p->n++] = v;
}

/* Room for a formatted value; NULL (and overflow noted) when full. */
static char *room(wr_params *p, size_t n)
{
    if (p->used + n > sizeof p->text) {
        p->is_overflowed = true;
        return NULL;
    }
    char *s = p->text + p->used;
    p->used += n;
    return s;
}

void wr_param_null(wr_params *p) { push(p, NULL); }
void wr_param_text(wr_params *p, const char *v) { push(p, v); }

void wr_param_uuid(wr_params *p, const wr_uuid *v)
{
    char *s = room(p, WR_UUID_TEXT_SIZE);
    if (s)
        wr_uuid_format(v, s);
    push(p, s);
}

void wr_param_int(wr_params *p, int32_t v)
{
    char *s = room(p, 12);
    if (s)
        snprintf(s, 12, "%" PRId32, v);
    push(p, s);
}

void wr_param_bigint(wr_params *p, int64_t v)
{
    char *s = room(p, 21);
    if (s)
        snprintf(s, 21, "%" PRId64, v);
    push(p, s);
}

/* 17 significant digits: every double reads back as itself. */
void wr_param_float(wr_params *p, double v)
{
    char *s = room(p, 32);
    if (!s) {
        push(p, NULL);
        return;
    }
    if (isnan(v))
        snprintf(s, 32, "NaN");
    else if (isinf(v))
        snprintf(s, 32, v > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(s, 32, "%.17g", v);
    push(p, s);
}

void wr_param_bool(wr_params *p, bool v)
{
    if (p->dialect == WR_POSTGRES)
        push(p, v ? "true" : "false");
    else
        push(p, v ? "1" : "0");
}

void wr_param_decimal(wr_params *p, const wr_decimal *v)
{
    char *s = room(p, WR_DECIMAL_TEXT_SIZE);
    if (s)
        wr_decimal_format(v, s);
    push(p, s);
}

void wr_param_date(wr_params *p, wr_date v)
{
    char *s = room(p, WR_DATE_TEXT_SIZE);
    if (s)
        wr_date_format(v, s);
    push(p, s);
}

/* PostgreSQL and Oracle take the zone; MySQL DATETIME and SQL Server
 * datetime2 hold UTC by convention and refuse an offset. */
void wr_param_timestamp(wr_params *p, wr_timestamp v)
{
    char *s = room(p, WR_TIMESTAMP_TEXT_SIZE);
    if (s) {
        wr_timestamp_format(v, s);
        if (p->dialect == WR_MYSQL || p->dialect == WR_SQLSERVER) {
            char *zone = strrchr(s, '+');
            if (zone)
                *zone = '\0';
        }
        if (p->dialect == WR_SQLSERVER && v.micros % 1000 == 0) {
            char *fraction = strrchr(s, '.'); /* .123000 -> .123: legacy datetime takes three */
            if (fraction && strlen(fraction) == 7)
                fraction[4] = '\0';
        }
    }
    push(p, s);
}

#define OPT(name, type, call)                                   \
    void wr_param_opt_##name(wr_params *p, const type *v)       \
    {                                                           \
        if (!v->is_set)                                         \
            push(p, NULL);                                      \
        else                                                    \
            call;                                               \
    }
OPT(uuid, wr_opt_uuid, wr_param_uuid(p, &v->value))
OPT(int, wr_opt_int, wr_param_int(p, v->value))
OPT(bigint, wr_opt_bigint, wr_param_bigint(p, v->value))
OPT(float, wr_opt_float, wr_param_float(p, v->value))
OPT(bool, wr_opt_bool, wr_param_bool(p, v->value))
OPT(decimal, wr_opt_decimal, wr_param_decimal(p, &v->value))
OPT(date, wr_opt_date, wr_param_date(p, v->value))
OPT(timestamp, wr_opt_timestamp, wr_param_timestamp(p, v->value))
#undef OPT

/* ---- reading -------------------------------------------------------------- */

static const char *value_at(const wr_row *r, int col)
{
    return col >= 0 && col < r->n ? r->values[col] : NULL;
}

static int null_error(const char *name, wr_err *err)
{
    return wr_error(err, WR_EDATA, "%s is NULL, but the field is required", name);
}

int wr_get_text(const wr_row *r, int col, const char *name, wr_arena *mem, const char **out, wr_err *err)
{
    const char *v = value_at(r, col);
    *out = NULL;
    if (!v)
        return 0;
    char *copy = wr_arena_strndup(mem, v, strlen(v));
    if (!copy)
        return wr_error(err, WR_ENOMEM, "%s: out of memory", name);
    *out = copy;
    return 0;
}

static int parse_integer(const char *v, const char *name, int64_t lo, int64_t hi, int64_t *out, wr_err *err)
{
    errno = 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno == ERANGE || x < lo || x > hi)
        return wr_error(err, WR_EDATA, "%s: '%.40s' is not an integer in range", name, v);
    *out = x;
    return 0;
}

int wr_get_uuid(const wr_row *r, int col, const char *name, wr_uuid *out, wr_err *err)
{
    const char *v = value_at(r, col);
    if (!v)
        return null_error(name, err);
    return wr_uuid_parse(out, v, err) < 0 ? wr_error(err, WR_EDATA, "%s: '%.40s' is not a uuid", name, v) : 0;
}

int wr_get_int(const wr_row *r, int col, const char *name, int32_t *out, wr_err *err)
{
    const char *v = value_at(r, col);
    int64_t x;
    if (!v)
        return null_error(name, err);
    if (parse_integer(v, name, INT32_MIN, INT32_MAX, &x, err) < 0)
        return WR_EDATA;
    *out = (int32_t)x;
    return 0;
}

int wr_get_bigint(const wr_row *r, int col, const char *name, int64_t *out, wr_err *err)
{
    const char *v = value_at(r, col);
    if (!v)
        return null_error(name, err);
    return parse_integer(v, name, INT64_MIN, INT64_MAX, out, err);
}

int wr_get_float(const wr_row *r, int col, const char *name, double *out, wr_err *err)
{
    const char *v = value_at(r, col);
    if (!v)
        return null_error(name, err);
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end)
        return wr_error(err, WR_EDATA, "%s: '%.40s' is not a number", name, v);
    *out = x;
    return 0;
}

int wr_get_bool(const wr_row *r, int col, const char *name, bool *out, wr_err *err)
{
    const char *v = value_at(r, col);
    if (!v)
        return null_error(name, err);
    if (strcmp(v, "t") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
        *out = true;
    else if (strcmp(v, "f") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
        *out = false;
    else
        return wr_error(err, WR_EDATA, "%s: '%.40s' is not a bool", name, v);
    return 0;
}

int wr_get_decimal(const wr_row *r, int col, const char *name, unsigned precision, unsigned scale,
                   wr_decimal *out, wr_err *err)
{
    const char *v = value_at(r, col);
    if (!v)
        return null_error(name, err);
    if (wr_decimal_parse(out, v, precision, scale, err) < 0)
        return wr_error(err, WR_EDATA, "%s: '%.40s' does not fit decimal(%u,%u)", name, v, precision, scale);
    return 0;
}

int wr_get_date(const wr_row *r, int col, const char *name, wr_date *out, wr_err *err)
{
    const char *v = value_at(r, col);
    if (!v)
        return null_error(name, err);
    /* a DATETIME read where a date is expected: its day */
    char day[WR_DATE_TEXT_SIZE];
    if (strlen(v) > 10 && (v[10] == ' ' || v[10] == 'T')) {
        memcpy(day, v, 10);
        day[10] = '\0';
        v = day;
    }
    return wr_date_parse(out, v, err) < 0 ? wr_error(err, WR_EDATA, "%s: '%.40s' is not a date", name, v) : 0;
}

int wr_get_timestamp(const wr_row *r, int col, const char *name, wr_timestamp *out, wr_err *err)
{
    const char *v = value_at(r, col);
    if (!v)
        return null_error(name, err);
    return wr_timestamp_parse(out, v, err) < 0 ? wr_error(err, WR_EDATA, "%s: '%.40s' is not a timestamp", name, v)
                                               : 0;
}

#define GET_OPT(name, type, call)                                                          \
    int wr_get_opt_##name(const wr_row *r, int col, const char *cname, type *out, wr_err *err) \
    {                                                                                      \
        out->is_set = value_at(r, col) != NULL;                                            \
        if (!out->is_set)                                                                  \
            return 0;                                                                      \
        return call;                                                                       \
    }
GET_OPT(uuid, wr_opt_uuid, wr_get_uuid(r, col, cname, &out->value, err))
GET_OPT(int, wr_opt_int, wr_get_int(r, col, cname, &out->value, err))
GET_OPT(bigint, wr_opt_bigint, wr_get_bigint(r, col, cname, &out->value, err))
GET_OPT(float, wr_opt_float, wr_get_float(r, col, cname, &out->value, err))
GET_OPT(bool, wr_opt_bool, wr_get_bool(r, col, cname, &out->value, err))
GET_OPT(date, wr_opt_date, wr_get_date(r, col, cname, &out->value, err))
GET_OPT(timestamp, wr_opt_timestamp, wr_get_timestamp(r, col, cname, &out->value, err))
#undef GET_OPT

int wr_get_opt_decimal(const wr_row *r, int col, const char *name, unsigned precision, unsigned scale,
                       wr_opt_decimal *out, wr_err *err)
{
    out->is_set = value_at(r, col) != NULL;
    return out->is_set ? wr_get_decimal(r, col, name, precision, scale, &out->value, err) : 0;
}

size_t wr_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

bool wr_numeric_text_equal(const char *a, const char *b)
{
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    return ea != a && eb != b && !*ea && !*eb && x == y;
}
