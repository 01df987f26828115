/* wr_query.c - running generated statements: parameter order, prepare
 * bookkeeping and the one retry after a lost connection.  The drivers'
 * query files do the talking. */
#include <stdlib.h>
#include <string.h>

#include "wr_query_internal.h"

/* Messages name the statement: "tenant t: Well.find_all: ...". */
static void prefix_error(wr_err *err, const char *name)
{
    if (!err || strncmp(err->message, name, strlen(name)) == 0)
        return;
    char copy[sizeof err->message];
    memcpy(copy, err->message, sizeof copy);
    wr_error(err, err->code ? err->code : WR_ERROR, "%s: %s", name, copy);
}

/* Weak, as the drivers in wr_conn.c: linked only when a wr_use_*() asked. */
extern int wr_pg_run(wr_run *r) __attribute__((weak));
extern int wr_mysql_run(wr_run *r) __attribute__((weak));
extern int wr_tds_run(wr_run *r) __attribute__((weak));
extern void wr_mysql_release(wr_stmts *s) __attribute__((weak));

static int run_once(wr_run *r)
{
    wr_dialect d = wr_conn_dialect(r->conn);
    int (*run)(wr_run *) = d == WR_POSTGRES ? wr_pg_run : d == WR_MYSQL ? wr_mysql_run
                         : d == WR_SQLSERVER ? wr_tds_run : NULL;
    if (run)
        return run(r);
    if (d != WR_ORACLE)
        return wr_error(r->err, WR_EUNSUPPORTED, "this program was built without the %s driver", wr_dialect_name(d));
    return wr_error(r->err, WR_EUNSUPPORTED, "oracle is not supported by this build");
}

static int run(wr_conn *c, wr_stmts *s, int which, const wr_params *p, wr_row_fn each, void *ctx,
               int64_t *affected, wr_err *err)
{
    if (!c || !s || which < 0 || (size_t)which >= s->n)
        return wr_error(err, WR_ERROR, "wr_query: no such statement %d", which);
    const wr_stmt *st = &s->list[which];
    if (!st->sql)
        return wr_error(err, WR_EUNSUPPORTED, "%s: not available for this tenant", st->name);
    if (p->is_overflowed)
        return wr_error(err, WR_ERROR, "%s: too many parameters (an emitter bug)", st->name);
    const char *values[WR_MAX_PARAMS];
    if (st->n_placeholders > WR_MAX_PARAMS)
        return wr_error(err, WR_ERROR, "%s: too many placeholders", st->name);
    for (int i = 0; i < st->n_placeholders; i++) {
        int k = st->param_order ? st->param_order[i] : i;
        if (k < 0 || k >= p->n)
            return wr_error(err, WR_ERROR, "%s: placeholder %d has no parameter (got %d)", st->name, i + 1, p->n);
        values[i] = p->values[k];
    }
    wr_run r = { .conn = c, .stmts = s, .which = which, .stmt = st, .values = values,
                 .n_values = st->n_placeholders, .each = each, .ctx = ctx, .err = err };
    int rc = run_once(&r);
    /* lost: as the driver said when it failed (a MySQL statement closed after
     * the failure clears the connection's error), or as the connection says */
    if (rc < 0 && !r.has_delivered && r.stopped_by == 0 && (rc == WR_ECONNECT || wr_conn_is_lost(c))) {
        /* Every generated statement is idempotent: run it again on a new
         * connection, once. */
        if (wr_conn_reconnect(c, err) < 0) {
            prefix_error(err, st->name);
            return err ? err->code : WR_ECONNECT;
        }
        r.affected = 0;
        rc = run_once(&r);
    }
    if (rc < 0) {
        if (r.stopped_by < 0)
            rc = r.stopped_by;
        prefix_error(err, st->name);
        return rc;
    }
    if (affected)
        *affected = r.affected;
    return 0;
}

int wr_query(wr_conn *c, wr_stmts *s, int which, const wr_params *p, wr_row_fn each, void *ctx, wr_err *err)
{
    return run(c, s, which, p, each, ctx, NULL, err);
}

int wr_execute(wr_conn *c, wr_stmts *s, int which, const wr_params *p, int64_t *affected, wr_err *err)
{
    return run(c, s, which, p, NULL, NULL, affected, err);
}

void wr_stmts_release(wr_conn *c, wr_stmts *s)
{
    if (!s)
        return;
    if (c && wr_conn_dialect(c) == WR_MYSQL && wr_mysql_release)
        wr_mysql_release(s);
    free(s->prepared);
    s->prepared = NULL;
    s->generation = 0;
}
