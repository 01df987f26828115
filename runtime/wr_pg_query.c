/* wr_pg_query.c - generated statements on PostgreSQL: named prepared
 * statements, text parameters and results, rows streamed in single-row mode
 * (memory stays flat however many rows find_all returns). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_pg_io.h"
#include "wr_query_internal.h"

enum { MAX_COLUMNS = 1024 };

static void statement_name(const wr_run *r, char *out, size_t size)
{
    /* unique per repository instance and statement on this connection */
    snprintf(out, size, "wr_%p_%d", (void *)r->stmts, r->which);
}

static int driver_error(wr_run *r, PGconn *pg, const PGresult *res)
{
    char msg[WR_DRIVER_MESSAGE_SIZE];
    const char *text = res && !r->conn->driver_message[0] ? PQresultErrorMessage(res) : "";
    snprintf(msg, sizeof msg, "%s", text[0] ? text : wr_pg_message(r->conn));   /* a timeout says so */
    wr_one_line(msg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(r->sqlstate, sizeof r->sqlstate, "%s", state ? state : "");
    bool is_lost = PQstatus(pg) == CONNECTION_BAD;
    return wr_error(r->err, is_lost ? WR_ECONNECT : WR_ERROR, "%s", msg[0] ? msg : "unknown PostgreSQL error");
}

static int prepare(wr_run *r, PGconn *pg, const char *name)
{
    wr_stmts *s = r->stmts;
    unsigned generation = wr_conn_generation(r->conn);
    if (s->generation != generation) { /* a new connection: nothing is prepared on it */
        free(s->prepared);
        s->prepared = calloc(s->n, sizeof *s->prepared);
        if (!s->prepared)
            return wr_error(r->err, WR_ENOMEM, "out of memory");
        s->generation = generation;
    }
    if (s->prepared[r->which])
        return 0;
    PGresult *res = wr_pg_prepare(r->conn, name, r->stmt->sql, r->n_values);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : driver_error(r, pg, res);
    PQclear(res);
    if (rc == 0)
        s->prepared[r->which] = s; /* any non-NULL marks it prepared */
    return rc;
}

static int stream_rows(wr_run *r, PGconn *pg, const char *name)
{
    if (!PQsendQueryPrepared(pg, name, r->n_values, r->values, NULL, NULL, 0))
        return driver_error(r, pg, NULL);
    PQsetSingleRowMode(pg);
    int rc = 0;
    const char *values[MAX_COLUMNS];
    for (PGresult *res; (res = wr_pg_next_result(r->conn)) != NULL; PQclear(res)) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE) {
            if (rc < 0 || r->stopped_by)
                continue; /* drain what is left: a cancel request could arrive late and
                           * cancel the session's next statement instead */
            int n = PQnfields(res);
            if (n > MAX_COLUMNS) {
                rc = wr_error(r->err, WR_ERROR, "%d columns: more than %d", n, MAX_COLUMNS);
                continue;
            }
            for (int i = 0; i < n; i++)
                values[i] = PQgetisnull(res, 0, i) ? NULL : PQgetvalue(res, 0, i);
            wr_row row = { n, values };
            r->has_delivered = true;
            int stop = r->each(r->ctx, &row);
            if (stop) {
                r->stopped_by = stop;
                if (stop < 0)
                    rc = stop;
            }
        } else if (st != PGRES_TUPLES_OK && rc == 0) {
            rc = driver_error(r, pg, res);
        }
    }
    return rc;
}

int wr_pg_run(wr_run *r)
{
    PGconn *pg = wr_conn_pg(r->conn);
    if (!pg)
        return wr_error(r->err, WR_ECONNECT, "the connection is closed");
    char name[64];
    statement_name(r, name, sizeof name);
    int rc = prepare(r, pg, name);
    if (rc < 0)
        return rc;
    if (r->each)
        return stream_rows(r, pg, name);
    PGresult *res = wr_pg_exec_prepared(r->conn, name, r->n_values, r->values);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        r->affected = strtoll(PQcmdTuples(res), NULL, 10);
        rc = 0;
    } else {
        rc = driver_error(r, pg, res);
    }
    PQclear(res);
    return rc;
}

/* Linking this (from wr_use_postgres) brings in the driver and its client
 * library; see the weak references in wr_conn.c and wr_query.c. */
void wr_use_postgres(void)
{
    static const void *volatile keep[2]; /* the references are what matters */
    keep[0] = &wr_pg_driver;
    keep[1] = (const void *)wr_pg_run;
    (void)keep[0];
}
