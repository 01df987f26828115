/* wr_copy.c - the PostgreSQL bulk loader: COPY ... FROM STDIN in the text
 * format, or in the binary one (values encoded by wr_copy_binary.c).  Rows are escaped into one buffer and sent with PQputCopyData in
 * chunks of about 256 KB, so a batch costs a few round trips, not one per
 * row, and memory stays at the size of the buffer (plus the largest row).
 *
 * Text format: columns separated by a tab, rows ended by a newline, NULL
 * written \N; in a value, backslash, tab, newline and carriage return are
 * written \\, \t, \n and \r.  Nothing else needs escaping (the database's
 * encoding is UTF8 and values come as valid UTF-8).
 *
 * Must never: leave the connection in the COPY state (every path ends the
 * COPY, with PQputCopyEnd, and reads every result), or report success
 * without the server's own COPY result. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_agent_internal.h"
#include "wr_pg_io.h"

enum { CHUNK = 256 * 1024 };

struct wr_copy {
    wr_conn *conn;
    PGconn *pg;
    char *buf;
    size_t used, size;
    int64_t rows;
    char sqlstate[WR_SQLSTATE_SIZE];   /* of the first failure */
    const wr_wire *types;       /* binary format: each column's; NULL: text */
    int n_types;
};

static int pg_failure(wr_copy *cp, const PGresult *res, const char *doing, wr_err *err)
{
    char msg[WR_DRIVER_MESSAGE_SIZE];
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state && !cp->sqlstate[0])
            snprintf(cp->sqlstate, sizeof cp->sqlstate, "%s", state);
        const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);   /* "COPY stage, line 5, column x" */
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        snprintf(msg, sizeof msg, "%s%s%s%s%s (SQLSTATE %s)", primary, detail ? "; " : "", detail ? detail : "",
                 context ? "; " : "", context ? context : "", state ? state : "?");
    } else {
        snprintf(msg, sizeof msg, "%s", wr_pg_message(cp->conn));
    }
    wr_one_line(msg);
    bool is_lost = PQstatus(cp->pg) == CONNECTION_BAD;
    return wr_error(err, is_lost ? WR_ECONNECT : WR_ERROR, "%s: postgres: %s: %s%s", wr_conn_who(cp->conn), doing,
                    is_lost ? "connection lost: " : "", msg[0] ? msg : "unknown error");
}

/* Reads every result left on the connection; the first failure, if any,
 * goes to err. */
static int drain(wr_copy *cp, const char *doing, int64_t *rows, wr_err *err)
{
    int rc = 0;
    PGresult *res;
    while ((res = wr_pg_next_result(cp->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COMMAND_OK) {
            if (rows)
                *rows = strtoll(PQcmdTuples(res), NULL, 10);
        } else if (st == PGRES_COPY_IN) {
            /* still in COPY (a failed PQputCopyEnd): end it for good */
            wr_pg_put_copy_end(cp->conn, "abandoned");
        } else if (rc == 0) {
            rc = pg_failure(cp, res, doing, err);
        }
        PQclear(res);
        if (PQstatus(cp->pg) == CONNECTION_BAD)
            break;
    }
    return rc;
}

static void copy_free(wr_copy *cp)
{
    if (!cp)
        return;
    free(cp->buf);
    free(cp);
}

int wr_copy_begin(wr_copy **out, wr_conn *c, const char *copy_sql, wr_err *err)
{
    *out = NULL;
    PGconn *pg = wr_conn_pg(c);
    if (!pg)
        return wr_error(err, WR_ECONNECT, "%s: COPY needs an open PostgreSQL connection", wr_conn_who(c));
    if (!copy_sql)
        return wr_error(err, WR_ERROR, "%s: no COPY statement", wr_conn_who(c));
    wr_copy *cp = calloc(1, sizeof *cp);
    if (!cp || !(cp->buf = malloc(CHUNK + 1024))) {
        free(cp);
        return wr_error(err, WR_ENOMEM, "%s: out of memory", wr_conn_who(c));
    }
    cp->conn = c;
    cp->pg = pg;
    cp->size = CHUNK + 1024;
    PGresult *res = wr_pg_exec(c, copy_sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COPY_IN) {
        PQclear(res);
        *out = cp;
        return 0;
    }
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
        ? wr_error(err, WR_ERROR, "%s: postgres: the stage's COPY statement is not a COPY FROM STDIN", wr_conn_who(c))
        : pg_failure(cp, res, "COPY", err);
    PQclear(res);
    if (st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        char *b;
        while (wr_pg_get_copy_data(c, &b) > 0)
            PQfreemem(b);
    }
    drain(cp, "COPY", NULL, NULL);
    copy_free(cp);
    return rc;
}

static int flush(wr_copy *cp, wr_err *err)
{
    if (cp->used == 0)
        return 0;
    if (wr_pg_put_copy_data(cp->conn, cp->buf, (int)cp->used) != 1)
        return pg_failure(cp, NULL, "COPY data", err);
    cp->used = 0;
    return 0;
}

/* Room for n more bytes: flush a full chunk first, grow for a huge row. */
static int reserve(wr_copy *cp, size_t n, wr_err *err)
{
    if (cp->used + n <= cp->size)
        return 0;
    int rc = flush(cp, err);
    if (rc)
        return rc;
    if (n > cp->size) {
        if (n > (size_t)1 << 30)   /* PQputCopyData takes an int; a 1 GB value is not a row */
            return wr_error(err, WR_EDATA, "%s: a COPY row larger than 1 GB", wr_conn_who(cp->conn));
        char *bigger = realloc(cp->buf, n);
        if (!bigger)
            return wr_error(err, WR_ENOMEM, "%s: out of memory", wr_conn_who(cp->conn));
        cp->buf = bigger;
        cp->size = n;
    }
    return 0;
}

static size_t escape_into(char *o, const char *v)
{
    char *start = o;
    for (const char *p = v; *p; p++) {
        switch (*p) {
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        default: *o++ = *p; break;
        }
    }
    return (size_t)(o - start);
}

int wr_copy_begin_binary(wr_copy **out, wr_conn *c, const char *copy_sql, const wr_wire *types, int n, wr_err *err)
{
    int rc = wr_copy_begin(out, c, copy_sql, err);
    if (rc)
        return rc;
    wr_copy *cp = *out;
    cp->types = types;
    cp->n_types = n;
    static const char header[19] = "PGCOPY\n\377\r\n";   /* then flags and extension length: 0 */
    memcpy(cp->buf, header, sizeof header);
    cp->used = sizeof header;
    return 0;
}

const char *wr_copy_sqlstate(const wr_copy *cp)
{
    return cp ? cp->sqlstate : "";
}

/* A row stamp's hash: a bigint column after the values (NULL: none). */
static int binary_row(wr_copy *cp, const char *const *values, int n, const uint64_t *hash, wr_err *err)
{
    int n_fields = n + (hash != NULL);
    if (n_fields != cp->n_types)
        return wr_error(err, WR_ERROR, "%s: COPY: %d values for %d columns", wr_conn_who(cp->conn), n_fields,
                        cp->n_types);
    size_t need = 2 + (hash ? 4 + 8 : 0);
    for (int i = 0; i < n; i++)
        need += 4 + (values[i] ? wr_copy_binary_size(cp->types[i], values[i]) : 0);
    int rc = reserve(cp, need, err);
    if (rc)
        return rc;
    uint8_t *o = (uint8_t *)cp->buf + cp->used;
    o = wr_put_be(o, (uint64_t)n_fields, 2);
    for (int i = 0; i < n; i++) {
        if (!values[i]) {
            o = wr_put_be(o, 0xFFFFFFFFu, 4);   /* -1: NULL */
            continue;
        }
        int len = wr_copy_binary_value(cp->types[i], values[i], o + 4);
        if (len < 0) {
            snprintf(cp->sqlstate, sizeof cp->sqlstate, "22P02");
            return wr_error(err, WR_EDATA, "%s: COPY: column %d: '%.40s' cannot be sent in binary (SQLSTATE 22P02)",
                            wr_conn_who(cp->conn), i + 1, values[i]);
        }
        wr_put_be(o, (uint64_t)len, 4);
        o += 4 + len;
    }
    if (hash)
        o = wr_put_be(wr_put_be(o, 8, 4), *hash, 8);
    cp->used = (size_t)((char *)o - cp->buf);
    cp->rows++;
    if (cp->used >= CHUNK)
        return flush(cp, err);
    return 0;
}

static int text_row(wr_copy *cp, const char *const *values, int n, const uint64_t *hash, wr_err *err)
{
    size_t need = 1 + (hash ? 21 : 0);
    for (int i = 0; i < n; i++)
        need += values[i] ? strlen(values[i]) * 2 + 1 : 3;
    int rc = reserve(cp, need, err);
    if (rc)
        return rc;
    char *o = cp->buf + cp->used;
    for (int i = 0; i < n; i++) {
        if (i > 0)
            *o++ = '\t';
        if (!values[i]) {
            memcpy(o, "\\N", 2);
            o += 2;
        } else {
            o += escape_into(o, values[i]);
        }
    }
    if (hash) {
        /* the bigint whose 64 bits are the hash (two's complement, as PostgreSQL stores it) */
        bool is_negative = *hash >> 63;
        char digits[21], *end = digits + sizeof digits;
        char *start = wr_int_text_back(end, is_negative ? ~*hash + 1 : *hash, is_negative);
        *o++ = '\t';
        memcpy(o, start, (size_t)(end - start));
        o += end - start;
    }
    *o++ = '\n';
    cp->used = (size_t)(o - cp->buf);
    cp->rows++;
    if (cp->used >= CHUNK)
        return flush(cp, err);
    return 0;
}

int wr_copy_row(wr_copy *cp, const char *const *values, int n, wr_err *err)
{
    return cp->types ? binary_row(cp, values, n, NULL, err) : text_row(cp, values, n, NULL, err);
}

int wr_copy_row_stamped(wr_copy *cp, const char *const *values, int n, uint64_t hash, wr_err *err)
{
    return cp->types ? binary_row(cp, values, n, &hash, err) : text_row(cp, values, n, &hash, err);
}

int wr_copy_end(wr_copy *cp, int64_t *rows, char sqlstate[WR_SQLSTATE_SIZE], wr_err *err)
{
    if (sqlstate)
        sqlstate[0] = '\0';
    int rc = 0;
    if (cp->types && !(rc = reserve(cp, 2, err))) {   /* the trailer: a field count of -1 */
        wr_put_be((uint8_t *)cp->buf + cp->used, 0xFFFFu, 2);
        cp->used += 2;
    }
    if (!rc)
        rc = flush(cp, err);
    if (rc) {
        wr_copy_abort(cp, "the COPY data could not be sent");
        return rc;
    }
    if (wr_pg_put_copy_end(cp->conn, NULL) != 1) {
        rc = pg_failure(cp, NULL, "end of COPY", err);
        drain(cp, "end of COPY", NULL, NULL);
        copy_free(cp);
        return rc;
    }
    int64_t counted = -1;
    rc = drain(cp, "COPY", &counted, err);
    if (sqlstate)
        memcpy(sqlstate, cp->sqlstate, WR_SQLSTATE_SIZE);
    if (rc == 0 && counted != cp->rows)
        rc = wr_error(err, WR_ERROR, "%s: COPY: the server counted %lld rows, %lld were sent", wr_conn_who(cp->conn),
                      (long long)counted, (long long)cp->rows);
    if (rows)
        *rows = counted;
    copy_free(cp);
    return rc;
}

void wr_copy_abort(wr_copy *cp, const char *why)
{
    if (!cp)
        return;
    if (PQstatus(cp->pg) != CONNECTION_BAD) {
        wr_pg_put_copy_end(cp->conn, why ? why : "aborted");
        drain(cp, "COPY", NULL, NULL);
    }
    copy_free(cp);
}
