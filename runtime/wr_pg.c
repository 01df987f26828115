/* wr_pg.c - the PostgreSQL driver, on libpq.  The DSN goes to libpq as
 * given (its conninfo or URL syntax; a key=value DSN is checked by
 * wr_dsn.c first); the session is always UTF8 and UTC, and prints dates
 * as ISO and floats exactly.
 *
 * Must never: print (libpq's default notice processor writes NOTICEs to
 * stderr; ours drops them), leave a connection in COPY state, or decide
 * "lost" by any other test than libpq's own CONNECTION_BAD. */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "wr_internal.h"

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
static void abandon_copy(PGconn *conn, ExecStatusType st)
{
    if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
        PQputCopyEnd(conn, "wr_exec sends no COPY data");
    } else if (st == PGRES_COPY_OUT) {
        char *buf;
        while (PQgetCopyData(conn, &buf, 0) > 0)
            PQfreemem(buf);
    }
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL)
        PQclear(r);
}

/* The message of a failed result: primary text, detail and SQLSTATE. */
static void result_message(PGconn *conn, const PGresult *r, char *out, size_t size)
{
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) {
        snprintf(out, size, "%s", PQerrorMessage(conn));
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
    result_message(pg(c), r, message, sizeof message);
    PQclear(r);
    bool is_lost = pg_is_lost(c);
    return wr_error(err, is_lost ? WR_ECONNECT : WR_ERROR, "%s%spostgres: %s%s", who ? who : "", who ? ": " : "",
                    is_lost ? "connection lost: " : "", message);
}

static int pg_exec(wr_conn *c, const char *sql, wr_err *err)
{
    PGconn *conn = pg(c);
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
        PQclear(r);
        return WR_OK;
    }
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        PQclear(r);
        abandon_copy(conn, st);
        return wr_error(err, WR_ERROR, "%s: postgres: wr_exec cannot run COPY; use the bulk loader", c->who);
    }
    return result_failure(c, r, c->who, err);
}

/* libpq names the word it cannot read in a malformed conninfo ("missing
 * \"=\" after \"...\""), which may be a piece of a password: key=value
 * DSNs are checked with our parser first, which reports keys and word
 * positions only.  URLs and plain database names go to libpq unchecked. */
static int check_conninfo(const wr_conn *c, const char *dsn, wr_err *err)
{
    if (!strchr(dsn, '=') || strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0)
        return WR_OK;
    wr_dsn d;
    int rc = wr_dsn_parse(&d, dsn, true, c->who, err);
    wr_dsn_wipe(&d);
    return rc;
}

static int pg_connect(wr_conn *c, const char *dsn, wr_err *err)
{
    int rc = check_conninfo(c, dsn, err);
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
    /* A SQL_ASCII database holds bytes, not characters: converting them to
     * UTF8 would fail the whole query on the first byte that is not UTF-8.
     * Read them as they are; the agent rejects a row that is not UTF-8. */
    const char *server_encoding = PQparameterStatus(conn, "server_encoding");
    if (server_encoding && strcmp(server_encoding, "SQL_ASCII") == 0 && PQsetClientEncoding(conn, "SQL_ASCII") != 0) {
        char message[sizeof err->message];
        snprintf(message, sizeof message, "%s", PQerrorMessage(conn));
        wr_one_line(message);
        pg_close(c);
        return wr_error(err, WR_ECONNECT, "%s: postgres: cannot read a SQL_ASCII database as it is: %s", c->who,
                        message);
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
    PGconn *conn = pg(c);
    PGresult *r = PQprepare(conn, "wr_check", sql, n_params > 0 ? n_params : 0, NULL);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        return result_failure(c, r, NULL, err);
    PQclear(r);
    if (n_params < 0) {
        r = PQdescribePrepared(conn, "wr_check");
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
            return result_failure(c, r, NULL, err);
        n_params = PQnparams(r);
        PQclear(r);
    }
    if (n_params > MAX_CHECKED_PARAMS) {
        PQclear(PQexec(conn, "DEALLOCATE wr_check"));
        return wr_error(err, WR_ERROR, "%s: postgres: %d parameters: too many to check", c->who, n_params);
    }
    char explain[64 + 6 * MAX_CHECKED_PARAMS] = "EXPLAIN (COSTS OFF) EXECUTE wr_check";
    for (int i = 0; i < n_params; i++)
        strcat(explain, i ? ", NULL" : "(NULL");
    if (n_params)
        strcat(explain, ")");
    r = PQexec(conn, explain);
    bool is_ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    int rc = is_ok ? WR_OK : result_failure(c, r, NULL, err);
    if (is_ok)
        PQclear(r);
    PQclear(PQexec(conn, "DEALLOCATE wr_check"));
    return rc;
}

const wr_driver wr_pg_driver = {
    .connect = pg_connect,
    .close = pg_close,
    .exec = pg_exec,
    .is_lost = pg_is_lost,
    .prepare = pg_prepare,
};
