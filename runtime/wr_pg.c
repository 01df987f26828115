/* wr_pg.c - the PostgreSQL driver, on libpq.  The DSN goes to libpq as
 * given (its conninfo or URL syntax; a key=value DSN is checked by
 * wr_dsn.c first), but for read_timeout, the agent's own key or URL
 * parameter, which is taken out.  The session is always UTF8 and UTC,
 * prints dates as ISO and floats exactly, and is nonblocking: every wait
 * goes through wr_pg_io.c.
 *
 * Must never: print (libpq's default notice processor writes NOTICEs to
 * stderr; ours drops them), leave a connection in COPY state, or decide
 * "lost" by any other test than libpq's own CONNECTION_BAD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "wr_pg_io.h"

static void drop_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *pg(const wr_conn *c)
{
    return c->handle;
}

static bool pg_is_lost(const wr_conn *c)
{
    return PQstatus(pg(c)) == CONNECTION_BAD;
}

static void pg_close(wr_conn *c)
{
    PQfinish(pg(c));   /* NULL-safe */
    c->handle = NULL;
}

/* A statement that started COPY gets no data from wr_exec: end it, and
 * read what is left, so the connection is usable again. */
static void abandon_copy(wr_conn *c, ExecStatusType st)
{
    if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
        wr_pg_put_copy_end(c, "wr_exec sends no COPY data");
    } else if (st == PGRES_COPY_OUT) {
        char *buf;
        while (wr_pg_get_copy_data(c, &buf) > 0)
            PQfreemem(buf);
    }
    PGresult *r;
    while ((r = wr_pg_next_result(c)) != NULL)
        PQclear(r);
}

/* The message of a failed result: primary text, detail and SQLSTATE. */
static void result_message(const wr_conn *c, const PGresult *r, char *out, size_t size)
{
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) {
        snprintf(out, size, "%s", wr_pg_message(c));
    } else {
        const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        snprintf(out, size, "%s%s%s%s%s%s", primary, detail ? "; " : "", detail ? detail : "",
                 state ? " (SQLSTATE " : "", state ? state : "", state ? ")" : "");
    }
    wr_one_line(out);
}

/* A failed result r (freed here) as an error; WHO first unless NULL (a
 * checked statement's error is named after the statement instead). */
static int result_failure(wr_conn *c, PGresult *r, const char *who, wr_err *err)
{
    char message[sizeof err->message];
    result_message(c, r, message, sizeof message);
    PQclear(r);
    bool is_lost = pg_is_lost(c);
    return wr_error(err, is_lost ? WR_ECONNECT : WR_ERROR, "%s%spostgres: %s%s", who ? who : "", who ? ": " : "",
                    is_lost ? "connection lost: " : "", message);
}

static int pg_exec(wr_conn *c, const char *sql, wr_err *err)
{
    PGresult *r = wr_pg_exec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
        PQclear(r);
        return WR_OK;
    }
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        PQclear(r);
        abandon_copy(c, st);
        return wr_error(err, WR_ERROR, "%s: postgres: wr_exec cannot run COPY; use the bulk loader", c->who);
    }
    return result_failure(c, r, c->who, err);
}

/* libpq names the word it cannot read in a malformed conninfo ("missing
 * \"=\" after \"...\""), which may be a piece of a password: key=value
 * DSNs are checked with our parser first, which reports keys and word
 * positions only.  URLs and plain database names go to libpq unchecked. */
static bool is_url(const char *dsn)
{
    return strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0;
}

static bool is_conninfo(const char *dsn)
{
    return strchr(dsn, '=') && !is_url(dsn);
}

/* The DSN's pairs but read_timeout, the agent's own key, which libpq does
 * not know: each value quoted as libpq reads it back.  Holds the password:
 * wipe it (its size in *size). */
static char *without_read_timeout(const wr_dsn *d, size_t *size)
{
    *size = 1;
    for (size_t i = 0; i < d->count; i++)
        *size += strlen(d->pairs[i].key) + 2 * strlen(d->pairs[i].value) + 4;
    char *out = malloc(*size), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < d->count; i++) {
        if (strcmp(d->pairs[i].key, "read_timeout") == 0)
            continue;
        p += sprintf(p, "%s='", d->pairs[i].key);
        for (const char *v = d->pairs[i].value; *v; v++) {
            if (*v == '\\' || *v == '\'')
                *p++ = '\\';
            *p++ = *v;
        }
        *p++ = '\'';
        *p++ = ' ';
    }
    *p = '\0';
    return out;
}

/* A URL's read_timeout parameter into c and out of *copy (a copy of dsn
 * without it, wiped and freed by the caller; NULL when it has none). */
static int url_read_timeout(wr_conn *c, const char *dsn, char **copy, size_t *copy_size, wr_err *err)
{
    static const char key[] = "read_timeout=";
    const char *query = strchr(dsn, '?');
    const char *param = query ? query + 1 : NULL;
    while (param && strncmp(param, key, sizeof key - 1) != 0) {
        param = strchr(param, '&');
        param = param ? param + 1 : NULL;
    }
    if (!param)
        return WR_OK;
    const char *value = param + sizeof key - 1, *end = value;
    unsigned long n = 0;
    while (*end >= '0' && *end <= '9' && n <= 86400)
        n = n * 10 + (unsigned long)(*end++ - '0');
    if (end == value || (*end && *end != '&') || n < 1 || n > 86400)
        return wr_error(err, WR_ECONFIG, "%s: DSN: read_timeout must be a whole number from 1 to 86400", c->who);
    c->read_timeout_s = (unsigned)n;
    *copy_size = strlen(dsn) + 1;
    if (!(*copy = malloc(*copy_size)))
        return wr_error(err, WR_ENOMEM, "%s: out of memory", c->who);
    /* the URL up to the parameter, then what follows it (without its '&') */
    size_t head = (size_t)(param - dsn);
    const char *tail = *end ? end + 1 : end;
    memcpy(*copy, dsn, head);
    strcpy(*copy + head, tail);
    size_t len = strlen(*copy);
    if (len && ((*copy)[len - 1] == '&' || (*copy)[len - 1] == '?'))
        (*copy)[len - 1] = '\0';   /* it was the last parameter (or the only one) */
    return WR_OK;
}

/* The session's read timeout from the DSN (default an hour, as MySQL's),
 * and the DSN as libpq should see it in *libpq_dsn: dsn itself, or a copy
 * without read_timeout in *copy (wipe and free it, *copy_size). */
static int read_dsn(wr_conn *c, const char *dsn, const char **libpq_dsn, char **copy, size_t *copy_size,
                    wr_err *err)
{
    *libpq_dsn = dsn;
    *copy = NULL;
    c->read_timeout_s = 3600;
    if (is_url(dsn)) {
        int rc = url_read_timeout(c, dsn, copy, copy_size, err);
        if (*copy)
            *libpq_dsn = *copy;
        return rc;
    }
    if (!is_conninfo(dsn))
        return WR_OK;
    wr_dsn d;
    int rc = wr_dsn_parse(&d, dsn, true, c->who, err);
    if (!rc)
        rc = wr_dsn_get_uint(&d, "read_timeout", 1, 86400, 3600, &c->read_timeout_s, c->who, err);
    if (!rc && wr_dsn_get(&d, "read_timeout")) {
        if (!(*copy = without_read_timeout(&d, copy_size)))
            rc = wr_error(err, WR_ENOMEM, "%s: out of memory", c->who);
        *libpq_dsn = *copy;
    }
    wr_dsn_wipe(&d);
    return rc;
}

static int pg_connect(wr_conn *c, const char *given_dsn, wr_err *err)
{
    const char *dsn;
    char *copy;
    size_t copy_size = 0;
    int rc = read_dsn(c, given_dsn, &dsn, &copy, &copy_size, err);
    if (rc)
        return rc;
    /* expand_dbname: keys before dbname are defaults the DSN's own override;
     * keys after it override the DSN.  TCP keepalives every minute: an
     * agent's session waits idle between runs, and a NAT or a load
     * balancer forgets a connection idle for a few minutes, after which
     * the next run's first packet is dropped until TCP gives up (about 15
     * minutes); probes keep it known and find a dead peer in two.
     * connect_timeout 10 s, as MySQL's: without one libpq waits for ever
     * on a server that accepts the connection and never answers. */
    const char *const keys[] = { "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
                                 "connect_timeout", "dbname", "client_encoding", NULL };
    const char *const values[] = { "1", "60", "10", "6", "10", dsn, "UTF8", NULL };
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (copy) {
        wr_wipe(copy, copy_size);
        free(copy);
    }
    if (!conn)
        return wr_error(err, WR_ENOMEM, "%s: postgres: out of memory", c->who);
    if (PQstatus(conn) != CONNECTION_OK) {
        char message[sizeof err->message];
        snprintf(message, sizeof message, "%s", PQerrorMessage(conn));
        wr_one_line(message);
        PQfinish(conn);
        return wr_error(err, WR_ECONNECT, "%s: postgres: cannot connect: %s", c->who, message);
    }
    PQsetNoticeProcessor(conn, drop_notice, NULL);
    c->handle = conn;
    if (!wr_pg_io_start(c)) {
        pg_close(c);
        return wr_error(err, WR_ECONNECT, "%s: postgres: cannot put the session in nonblocking mode", c->who);
    }
    /* A SQL_ASCII database holds bytes, not characters: converting them to
     * UTF8 would fail the whole query on the first byte that is not UTF-8.
     * Read them as they are; the agent rejects a row that is not UTF-8. */
    const char *server_encoding = PQparameterStatus(conn, "server_encoding");
    if (server_encoding && strcmp(server_encoding, "SQL_ASCII") == 0) {
        wr_err why = { 0, "" };
        if (pg_exec(c, "SET client_encoding = 'SQL_ASCII'", &why)) {
            pg_close(c);
            return wr_error(err, WR_ECONNECT, "%s: postgres: cannot read a SQL_ASCII database as it is: %s", c->who,
                            why.message);
        }
    }
    /* What the runtime reads back must not depend on the server's or the
     * database's settings: timestamps in UTC, dates and timestamps as ISO
     * (DateStyle 'SQL, DMY' prints 26/11/2026), floats exact (with
     * extra_float_digits 0 they print rounded to 15 digits).  One round
     * trip. */
    rc = pg_exec(c, "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 3", err);
    if (rc) {   /* the session is unusable as we promise it: no connection */
        pg_close(c);
        if (err)
            err->code = WR_ECONNECT;
        return WR_ECONNECT;
    }
    return WR_OK;
}

/* Prepared, then EXPLAINed with NULL parameters: PostgreSQL checks names
 * and types when it prepares, and privileges only when a plan starts,
 * which EXPLAIN does without running it.  Then forgotten.  n_params -1:
 * the server counts them (and infers their types). */
static int pg_prepare(wr_conn *c, const char *sql, int n_params, wr_err *err)
{
    enum { MAX_CHECKED_PARAMS = 64 };
    PGresult *r = wr_pg_prepare(c, "wr_check", sql, n_params > 0 ? n_params : 0);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        return result_failure(c, r, NULL, err);
    PQclear(r);
    int rc = WR_OK;
    if (n_params < 0) {
        r = wr_pg_describe_prepared(c, "wr_check");
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = result_failure(c, r, NULL, err);
        } else {
            n_params = PQnparams(r);
            PQclear(r);
        }
    }
    if (!rc && n_params > MAX_CHECKED_PARAMS)
        rc = wr_error(err, WR_ERROR, "%s: postgres: %d parameters: too many to check", c->who, n_params);
    if (!rc) {
        char explain[64 + 6 * MAX_CHECKED_PARAMS] = "EXPLAIN (COSTS OFF) EXECUTE wr_check";
        for (int i = 0; i < n_params; i++)
            strcat(explain, i ? ", NULL" : "(NULL");
        if (n_params)
            strcat(explain, ")");
        r = wr_pg_exec(c, explain);
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
            PQclear(r);
        else
            rc = result_failure(c, r, NULL, err);
    }
    PQclear(wr_pg_exec(c, "DEALLOCATE wr_check"));
    return rc;
}

const wr_driver wr_pg_driver = {
    .connect = pg_connect,
    .close = pg_close,
    .exec = pg_exec,
    .is_lost = pg_is_lost,
    .prepare = pg_prepare,
};
