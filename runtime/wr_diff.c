/* wr_diff.c - comparing the source's rows with the target's, in key order.
 *
 * A re-sync of unchanged data should write nothing and cost little more
 * than reading the source.  The extract of a full or window sync reads in
 * key order; a second target session streams the target's rows in the same
 * order (diff_scan: COPY (SELECT ... ORDER BY key) TO STDOUT), and the two
 * are walked together like a merge join.  A transformed row whose key the
 * target holds with equal values is not staged.
 *
 * It is only ever a shortcut.  A row is skipped only when a target row with
 * the same key has values that compare equal; a source out of key order, a
 * key that does not parse, or values whose texts differ in a way this file
 * does not know stage the row, and the upsert decides as it always would.
 * The target is read once, forward: memory is one row.
 *
 * Must never: call a row unchanged that the upsert would write, or read
 * the target more than once per run. */
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wr_agent_internal.h"

struct wr_diff {
    wr_conn *conn;
    PGconn *pg;
    const wr_sync_entity *e;
    int key_index;
    char *line;                 /* the current target row, unescaped in place (libpq's) */
    const char **fields;        /* e->n_columns values in line; NULL: SQL NULL */
    bool has_row;
    char *last_key;             /* the previous source key, to notice disorder */
    size_t last_key_size;
    int64_t out_of_order, repeated;
    /* WR_KEY_INTEGER: the keys as numbers, parsed once */
    long long their_int, last_int;
    bool is_their_int;          /* the current target key parsed */
    bool has_last;              /* a source key came before */
};

/* ---- values -------------------------------------------------------------------- */

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno != ERANGE;
}

/* 1 true, 0 false, -1 not a boolean PostgreSQL would print or we would send */
static int truth(const char *s)
{
    static const char *const yes[] = { "t", "true", "y", "yes", "on", "1" };
    static const char *const no[] = { "f", "false", "n", "no", "off", "0" };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* At most microseconds: a finer fraction is rounded by the server, and
 * which way is not for this file to guess. */
static bool has_micro_fraction(const char *s)
{
    const char *dot = strchr(s, '.');
    return !dot || strspn(dot + 1, "0123456789") <= 6;
}

static bool same_value(wr_compare kind, const char *mine, const char *theirs)
{
    if (!mine || !theirs)
        return mine == theirs;
    if (strcmp(mine, theirs) == 0)
        return true;
    switch (kind) {
    case WR_CMP_NUMBER:
        return wr_is_decimal_text(mine) && wr_is_decimal_text(theirs) && wr_decimal_text_compare(mine, theirs) == 0;
    case WR_CMP_FLOAT: {
        double a, b;
        if (!parse_double(mine, &a) || !parse_double(theirs, &b))
            return false;
        return a == b || (isnan(a) && isnan(b));   /* PostgreSQL: NaN = NaN */
    }
    case WR_CMP_TIMESTAMP: {
        wr_timestamp a, b;
        return has_micro_fraction(mine) && wr_timestamp_parse(&a, mine, NULL) == 0
               && wr_timestamp_parse(&b, theirs, NULL) == 0 && a.micros == b.micros;
    }
    case WR_CMP_UUID:
        return strcasecmp(mine, theirs) == 0;
    case WR_CMP_BOOL: {
        int a = truth(mine), b = truth(theirs);
        return a >= 0 && a == b;
    }
    case WR_CMP_TEXT:
        break;
    }
    return false;
}

/* ---- keys -------------------------------------------------------------------------- */

/* Text keys (WR_KEY_BYTES, WR_KEY_UUID): a < b: -1, a = b: 0, a > b: 1. */
static int text_key_compare(wr_key_order order, const char *a, const char *b)
{
    int c = order == WR_KEY_UUID ? strcasecmp(a, b) : strcmp(a, b);
    return (c > 0) - (c < 0);
}

static int int_compare(long long a, long long b)
{
    return (a > b) - (a < b);
}

/* ---- the target's rows ------------------------------------------------------------ */

static int scan_failure(wr_diff *d, const PGresult *res, wr_err *err)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[WR_DRIVER_MESSAGE_SIZE];
    snprintf(msg, sizeof msg, "%s", primary ? primary : PQerrorMessage(d->pg));
    wr_one_line(msg);
    return wr_error(err, PQstatus(d->pg) == CONNECTION_BAD ? WR_ECONNECT : WR_ERROR,
                    "%s: postgres: %s: reading the target's rows to compare: %s", wr_conn_who(d->conn), d->e->entity,
                    msg[0] ? msg : "unknown error");
}

/* COPY text: \N is NULL; \\, \t, \n, \r, \b, \f, \v and octal \ooo escapes. */
static const char *unescape(char *s)
{
    if (s[0] == '\\' && s[1] == 'N' && s[2] == '\0')
        return NULL;
    char *o = s;
    for (const char *p = s; *p; p++) {
        if (*p != '\\' || !p[1]) {
            *o++ = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 't': *o++ = '\t'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'v': *o++ = '\v'; break;
        default:
            if (*p >= '0' && *p <= '7') {
                int v = 0, n = 0;
                while (n < 3 && *p >= '0' && *p <= '7')
                    v = v * 8 + (*p++ - '0'), n++;
                p--;
                *o++ = (char)v;
            } else {
                *o++ = *p;
            }
        }
    }
    *o = '\0';
    return s;
}

/* The next target row into d->line/fields; d->has_row false at the end. */
static int advance(wr_diff *d, wr_err *err)
{
    if (d->line) {
        PQfreemem(d->line);
        d->line = NULL;
    }
    d->has_row = false;
    int n = PQgetCopyData(d->pg, &d->line, 0);
    if (n == -1) {   /* the end: the COPY's own result says how it went */
        int rc = 0;
        PGresult *res;
        while ((res = PQgetResult(d->pg)) != NULL) {
            if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
                rc = scan_failure(d, res, err);
            PQclear(res);
        }
        return rc;
    }
    if (n < 0)
        return scan_failure(d, NULL, err);
    if (n > 0 && d->line[n - 1] == '\n')
        d->line[--n] = '\0';
    /* most rows have no backslash at all: no escapes, no NULLs */
    bool has_escapes = memchr(d->line, '\\', (size_t)n) != NULL;
    char *p = d->line, *end = d->line + n;
    for (int i = 0; i < d->e->n_columns; i++) {
        char *tab = memchr(p, '\t', (size_t)(end - p));
        if ((tab == NULL) != (i == d->e->n_columns - 1))
            return wr_error(err, WR_ERROR, "%s: %s: the target's rows to compare do not have %d columns",
                            wr_conn_who(d->conn), d->e->entity, d->e->n_columns);
        if (tab)
            *tab = '\0';
        d->fields[i] = has_escapes ? unescape(p) : p;
        p = tab ? tab + 1 : p;
    }
    const char *key = d->fields[d->key_index];
    d->is_their_int = d->e->key_order == WR_KEY_INTEGER && key && wr_int_text_parse(key, &d->their_int);
    d->has_row = true;
    return 0;
}

int wr_diff_open(wr_diff **out, wr_conn *c, const wr_sync_entity *e, const char *since, wr_err *err)
{
    *out = NULL;
    int key_index = -1;
    for (int i = 0; e->key_field && e->column_names && i < e->n_columns; i++)
        if (strcmp(e->column_names[i], e->key_field) == 0)
            key_index = i;
    wr_diff *d = calloc(1, sizeof *d);
    if (d)
        d->fields = calloc((size_t)e->n_columns, sizeof *d->fields);
    if (!d || !d->fields) {
        free(d);
        wr_conn_close(c);
        return wr_error(err, WR_ENOMEM, "out of memory");
    }
    d->conn = c;
    d->pg = wr_conn_pg(c);
    d->e = e;
    d->key_index = key_index;
    int rc = 0;
    if (key_index < 0 || !e->compare || !d->pg)
        rc = wr_error(err, WR_ERROR, "%s: the agent's spec cannot compare it with the target", e->entity);
    if (!rc && since && e->diff_since) {
        const char *params[1] = { since };
        PGresult *res = PQexecParams(d->pg, e->diff_since, 1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            rc = scan_failure(d, res, err);
        PQclear(res);
    }
    if (!rc) {
        PGresult *res = PQexec(d->pg, e->diff_scan);
        if (PQresultStatus(res) != PGRES_COPY_OUT)
            rc = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK
                 ? wr_error(err, WR_ERROR, "%s: the comparison's statement is not a COPY TO STDOUT", e->entity)
                 : scan_failure(d, res, err);
        PQclear(res);
    }
    if (!rc)
        rc = advance(d, err);
    if (rc) {
        wr_diff_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

static int remember_key(wr_diff *d, const char *key)
{
    size_t n = strlen(key) + 1;
    if (n > d->last_key_size) {
        char *bigger = realloc(d->last_key, n < 64 ? 64 : n);
        if (!bigger)
            return WR_ENOMEM;
        d->last_key = bigger;
        d->last_key_size = n < 64 ? 64 : n;
    }
    memcpy(d->last_key, key, n);
    return 0;
}

int wr_diff_is_unchanged(wr_diff *d, const char *const *values, bool *same, wr_err *err)
{
    *same = false;
    const char *key = values[d->key_index];
    bool is_int = d->e->key_order == WR_KEY_INTEGER;
    long long mine = 0;
    if (!key || (is_int && !wr_int_text_parse(key, &mine)))
        return 0;   /* a key the target cannot hold: staged, and refused there */
    if (d->has_last) {
        int c = is_int ? int_compare(mine, d->last_int) : text_key_compare(d->e->key_order, key, d->last_key);
        d->out_of_order += c < 0;
        d->repeated += c == 0;
    }
    d->has_last = true;
    if (is_int)
        d->last_int = mine;
    else if (remember_key(d, key))
        return wr_error(err, WR_ENOMEM, "out of memory");
    while (d->has_row) {
        const char *theirs = d->fields[d->key_index];
        int c;
        if (is_int)
            c = d->is_their_int ? int_compare(d->their_int, mine) : -1;   /* not a key of this order: pass it */
        else
            c = theirs ? text_key_compare(d->e->key_order, theirs, key) : -1;
        if (c > 0)
            break;
        if (c == 0) {
            bool is_same = true;
            for (int i = 0; i < d->e->n_columns && is_same; i++)
                is_same = same_value(d->e->compare[i], values[i], d->fields[i]);
            *same = is_same;
        }
        /* a matched row is passed too: the same key again later in the
         * source (a duplicate) is staged, and the last one wins as before */
        int rc = advance(d, err);
        if (rc)
            return rc;
        if (c == 0)
            break;
    }
    return 0;
}

int64_t wr_diff_out_of_order(const wr_diff *d)
{
    return d ? d->out_of_order : 0;
}

int64_t wr_diff_repeated(const wr_diff *d)
{
    return d ? d->repeated : 0;
}

void wr_diff_close(wr_diff *d)
{
    if (!d)
        return;
    if (d->line)
        PQfreemem(d->line);
    wr_conn_close(d->conn);   /* a scan still running ends with its session */
    free(d->fields);
    free(d->last_key);
    free(d);
}
