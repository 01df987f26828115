/* wr_mysql_query.c - generated statements on MySQL/MariaDB: server-side
 * prepared statements (one MYSQL_STMT per statement, per connection),
 * parameters sent as text, rows fetched one at a time without buffering
 * the result.  Doubles are read as doubles and printed with 17 digits:
 * the library's own text of a double may round it.  A NUL byte inside a
 * value (a TEXT or VARBINARY can hold one) comes out as the two bytes
 * C0 80, NUL's "modified UTF-8" form: as a C string the value would end
 * at the NUL and lose the rest without a word, while C0 80 is never valid
 * UTF-8, so what checks UTF-8 refuses the value (a sync agent's transforms
 * say "NUL byte", PostgreSQL text cannot hold it anyway).  Bytes C0 80 in
 * the value itself read the same: invalid either way. */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_query_internal.h"

enum { MAX_COLUMNS = 1024, FIRST_SIZE = 256 };

static int stmt_error(wr_run *r, MYSQL_STMT *st)
{
    char msg[WR_DRIVER_MESSAGE_SIZE];
    unsigned e = mysql_stmt_errno(st);
    const char *text = mysql_stmt_error(st);
    MYSQL *my = wr_conn_mysql(r->conn);
    if (e == 0 && my && mysql_errno(my)) { /* a killed session can leave the statement's error empty */
        e = mysql_errno(my);
        text = mysql_error(my);
    }
    if (e == 0) /* a failure with no error at all: the session is gone */
        snprintf(msg, sizeof msg, "the connection was lost");
    else
        snprintf(msg, sizeof msg, "%s (%u)", text, e);
    wr_one_line(msg);
    bool is_lost = e == 0 || e == 2006 || e == 2013 || e == 1927 || e == 2055;
    return wr_error(r->err, is_lost ? WR_ECONNECT : WR_ERROR, "%s", msg);
}

void wr_mysql_release(wr_stmts *s)
{
    for (size_t i = 0; s->prepared && i < s->n; i++)
        if (s->prepared[i])
            mysql_stmt_close(s->prepared[i]);
}

static int prepare(wr_run *r, MYSQL *my, MYSQL_STMT **out)
{
    wr_stmts *s = r->stmts;
    unsigned generation = wr_conn_generation(r->conn);
    if (s->generation != generation) {
        /* handles of an older connection: closing them only frees memory */
        if (s->prepared)
            wr_mysql_release(s);
        free(s->prepared);
        s->prepared = calloc(s->n, sizeof *s->prepared);
        if (!s->prepared)
            return wr_error(r->err, WR_ENOMEM, "out of memory");
        s->generation = generation;
    }
    if (!s->prepared[r->which]) {
        MYSQL_STMT *st = mysql_stmt_init(my);
        if (!st)
            return wr_error(r->err, WR_ENOMEM, "out of memory");
        if (mysql_stmt_prepare(st, r->stmt->sql, strlen(r->stmt->sql)) != 0) {
            int rc = stmt_error(r, st);
            mysql_stmt_close(st);
            return rc;
        }
        s->prepared[r->which] = st;
    }
    *out = s->prepared[r->which];
    return 0;
}

/* What MYSQL_BINDs point at must live until mysql_stmt_execute returns. */
typedef struct param_binds {
    MYSQL_BIND binds[WR_MAX_PARAMS];
    long long ints[WR_MAX_PARAMS];
    unsigned long lengths[WR_MAX_PARAMS];
} param_binds;

static int bind_params(wr_run *r, MYSQL_STMT *st, param_binds *pb)
{
    MYSQL_BIND *binds = pb->binds;
    long long *ints = pb->ints;
    unsigned long *lengths = pb->lengths;
    memset(binds, 0, sizeof binds[0] * (size_t)(r->n_values ? r->n_values : 1));
    const char *kinds = r->stmt->param_kinds;
    for (int i = 0; i < r->n_values; i++) {
        const char *v = r->values[i];
        if (!v) {
            binds[i].buffer_type = MYSQL_TYPE_NULL;
        } else if (kinds && kinds[i] == 'i') {
            ints[i] = strtoll(v, NULL, 10);
            binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
            binds[i].buffer = &ints[i];
        } else {
            lengths[i] = (unsigned long)strlen(v);
            binds[i].buffer_type = MYSQL_TYPE_STRING;
            binds[i].buffer = (void *)v;
            binds[i].buffer_length = lengths[i];
            binds[i].length = &lengths[i];
        }
    }
    return mysql_stmt_bind_param(st, binds) ? stmt_error(r, st) : 0;
}

/* How a result column is fetched.  Integers and dates come as binary
 * values and are written out here: asking libmariadb for text would
 * sprintf each one (a fifth of an extract's CPU).  The text is the one
 * MariaDB itself prints; ZEROFILL integers, YEAR and TIME stay text. */
typedef enum { AS_TEXT, AS_DOUBLE, AS_INTEGER, AS_DATE, AS_DATETIME } column_kind;

typedef struct column {
    char *text;
    unsigned long size, length;
    my_bool is_null, is_truncated;
    column_kind kind;
    double number;
    long long integer;
    bool is_unsigned;
    MYSQL_TIME time;
    unsigned decimals;          /* AS_DATETIME: digits of the fraction */
    bool can_hold_nul;          /* AS_TEXT: a string type, not a number MariaDB printed */
    char *wide;                 /* the value with each NUL as C0 80, when it has one */
    size_t wide_size;
} column;

static column_kind kind_of(const MYSQL_FIELD *f)
{
    switch (f->type) {
    case MYSQL_TYPE_DOUBLE: case MYSQL_TYPE_FLOAT:
        return AS_DOUBLE;
    case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
        return f->flags & ZEROFILL_FLAG ? AS_TEXT : AS_INTEGER;
    case MYSQL_TYPE_DATE:
        return AS_DATE;
    case MYSQL_TYPE_DATETIME: case MYSQL_TYPE_TIMESTAMP:
        return f->decimals <= 6 ? AS_DATETIME : AS_TEXT;   /* an expression of unknown precision: as printed */
    default:
        return AS_TEXT;
    }
}

/* Whether an AS_TEXT column of this type can hold a NUL byte: not when it
 * is a number, a year or a time as MariaDB printed it.  Checking costs a
 * memchr per value, about a tenth of a re-sync's CPU in the agent. */
static bool can_hold_nul(const MYSQL_FIELD *f)
{
    switch (f->type) {
    case MYSQL_TYPE_DECIMAL: case MYSQL_TYPE_NEWDECIMAL: case MYSQL_TYPE_YEAR: case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_DATE: case MYSQL_TYPE_DATETIME: case MYSQL_TYPE_TIMESTAMP:
        return false;
    default:
        return true;
    }
}

/* width digits of n, zero-padded, at p; returns p + width. */
static char *fixed(char *p, unsigned long n, int width)
{
    for (int i = width - 1; i >= 0; i--, n /= 10)
        p[i] = (char)('0' + n % 10);
    return p + width;
}

/* The column's value as the text MariaDB prints, into c->text (size >= 32). */
static void write_text(column *c)
{
    char *p = c->text;
    if (c->kind == AS_DOUBLE) {
        snprintf(c->text, c->size + 1, "%.17g", c->number);
        return;
    }
    if (c->kind == AS_INTEGER) {
        char buf[24], *end = buf + sizeof buf;
        bool is_negative = !c->is_unsigned && c->integer < 0;
        unsigned long long magnitude = is_negative ? 0ULL - (unsigned long long)c->integer
                                                   : (unsigned long long)c->integer;
        char *first = wr_int_text_back(end, magnitude, is_negative);
        memcpy(p, first, (size_t)(end - first));
        p[end - first] = '\0';
        return;
    }
    const MYSQL_TIME *t = &c->time;
    p = fixed(p, t->year, 4);
    *p++ = '-';
    p = fixed(p, t->month, 2);
    *p++ = '-';
    p = fixed(p, t->day, 2);
    if (c->kind == AS_DATETIME) {
        *p++ = ' ';
        p = fixed(p, t->hour, 2);
        *p++ = ':';
        p = fixed(p, t->minute, 2);
        *p++ = ':';
        p = fixed(p, t->second, 2);
        if (c->decimals > 0 && c->decimals <= 6) {
            char frac[6];
            fixed(frac, t->second_part, 6);
            *p++ = '.';
            memcpy(p, frac, c->decimals);
            p += c->decimals;
        }
    }
    *p = '\0';
}

/* The value of c as a C string: its text, or, when it holds NUL bytes,
 * its copy in c->wide with each NUL written C0 80; NULL if out of memory. */
static const char *without_nuls(column *c)
{
    if (!memchr(c->text, '\0', c->length))   /* nearly always */
        return c->text;
    size_t nuls = 0;
    for (unsigned long i = 0; i < c->length; i++)
        nuls += c->text[i] == '\0';
    size_t need = c->length + nuls + 1;
    if (need > c->wide_size) {
        char *bigger = realloc(c->wide, need);
        if (!bigger)
            return NULL;
        c->wide = bigger;
        c->wide_size = need;
    }
    size_t o = 0;
    for (unsigned long i = 0; i < c->length; i++) {
        if (c->text[i] == '\0') {
            c->wide[o++] = (char)0xC0;
            c->wide[o++] = (char)0x80;
        } else {
            c->wide[o++] = c->text[i];
        }
    }
    c->wide[o] = '\0';
    return c->wide;
}

static int fetch_rows(wr_run *r, MYSQL_STMT *st)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta)
        return wr_error(r->err, WR_ERROR, "the statement returns no rows");
    unsigned n = mysql_num_fields(meta);
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    if (n > MAX_COLUMNS) {
        mysql_free_result(meta);
        return wr_error(r->err, WR_ERROR, "%u columns: more than %d", n, MAX_COLUMNS);
    }
    column *cols = calloc(n ? n : 1, sizeof *cols);
    MYSQL_BIND *binds = calloc(n ? n : 1, sizeof *binds);
    const char **values = calloc(n ? n : 1, sizeof *values);
    int rc = cols && binds && values ? 0 : wr_error(r->err, WR_ENOMEM, "out of memory");
    for (unsigned i = 0; i < n && rc == 0; i++) {
        column *c = &cols[i];
        c->kind = kind_of(&fields[i]);
        c->can_hold_nul = c->kind == AS_TEXT && can_hold_nul(&fields[i]);
        c->size = c->kind == AS_TEXT ? FIRST_SIZE : 32;
        if (!(c->text = malloc(c->size + 1))) {
            rc = wr_error(r->err, WR_ENOMEM, "out of memory");
            break;
        }
        if (c->kind == AS_DOUBLE) {
            binds[i].buffer_type = MYSQL_TYPE_DOUBLE;
            binds[i].buffer = &c->number;
        } else if (c->kind == AS_INTEGER) {
            c->is_unsigned = fields[i].flags & UNSIGNED_FLAG;
            binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
            binds[i].buffer = &c->integer;
            binds[i].is_unsigned = c->is_unsigned;
        } else if (c->kind == AS_DATE || c->kind == AS_DATETIME) {
            c->decimals = fields[i].decimals;
            binds[i].buffer_type = c->kind == AS_DATE ? MYSQL_TYPE_DATE : MYSQL_TYPE_DATETIME;
            binds[i].buffer = &c->time;
        } else {
            binds[i].buffer_type = MYSQL_TYPE_STRING;
            binds[i].buffer = cols[i].text;
            binds[i].buffer_length = cols[i].size;
        }
        binds[i].length = &cols[i].length;
        binds[i].is_null = &cols[i].is_null;
        binds[i].error = &cols[i].is_truncated;
    }
    if (rc == 0 && mysql_stmt_bind_result(st, binds))
        rc = stmt_error(r, st);
    while (rc == 0) {
        int f = mysql_stmt_fetch(st);
        if (f == MYSQL_NO_DATA)
            break;
        if (f == 1) {
            rc = stmt_error(r, st);
            break;
        }
        for (unsigned i = 0; i < n && rc == 0; i++) {
            column *c = &cols[i];
            if (c->is_null) {
                values[i] = NULL;
                continue;
            }
            if (c->kind != AS_TEXT) {
                write_text(c);
            } else {
                if (c->length > c->size) { /* MYSQL_DATA_TRUNCATED: fetch it whole */
                    char *bigger = realloc(c->text, c->length + 1);
                    if (!bigger) {
                        rc = wr_error(r->err, WR_ENOMEM, "out of memory");
                        break;
                    }
                    c->text = bigger;
                    c->size = c->length;
                    binds[i].buffer = c->text;
                    binds[i].buffer_length = c->size;
                    if (mysql_stmt_fetch_column(st, &binds[i], i, 0) != 0) {
                        rc = stmt_error(r, st);
                        break;
                    }
                    if (mysql_stmt_bind_result(st, binds)) { /* the new buffer, for later rows */
                        rc = stmt_error(r, st);
                        break;
                    }
                }
                c->text[c->length] = '\0';
            }
            if (!(values[i] = c->can_hold_nul ? without_nuls(c) : c->text)) {
                rc = wr_error(r->err, WR_ENOMEM, "out of memory");
                break;
            }
        }
        if (rc < 0)
            break;
        wr_row row = { (int)n, values };
        r->has_delivered = true;
        int stop = r->each(r->ctx, &row);
        if (stop) {
            r->stopped_by = stop;
            if (stop < 0)
                rc = stop;
            break;
        }
    }
    mysql_stmt_free_result(st); /* reads and drops what was not fetched */
    mysql_free_result(meta);
    for (unsigned i = 0; cols && i < n; i++) {
        free(cols[i].text);
        free(cols[i].wide);
    }
    free(cols);
    free(binds);
    free(values);
    return rc;
}

int wr_mysql_run(wr_run *r)
{
    MYSQL *my = wr_conn_mysql(r->conn);
    if (!my)
        return wr_error(r->err, WR_ECONNECT, "the connection is closed");
    MYSQL_STMT *st = NULL;
    int rc = prepare(r, my, &st);
    if (rc < 0)
        return rc;
    param_binds pb;
    if ((rc = bind_params(r, st, &pb)) < 0)
        return rc;
    if (mysql_stmt_execute(st) != 0)
        return stmt_error(r, st);
    if (r->each)
        return fetch_rows(r, st);
    r->affected = (int64_t)mysql_stmt_affected_rows(st);
    return 0;
}

/* Linking this (from wr_use_mysql) brings in the driver and its client
 * library; see the weak references in wr_conn.c and wr_query.c. */
void wr_use_mysql(void)
{
    static const void *volatile keep[2]; /* the references are what matters */
    keep[0] = &wr_mysql_driver;
    keep[1] = (const void *)wr_mysql_run;
    (void)keep[0];
}
