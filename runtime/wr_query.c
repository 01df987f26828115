/* wr_query.c - running generated statements: parameter order, prepare
 * bookkeeping, the tenant marker of native and etl tenants (checked once
 * per session) and the one retry after a lost connection.  The drivers'
 * query files do the talking. */
#include <stdio.h>
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

/* Statement `which` of s, parameters in placeholder order, with the one
 * retry after a lost connection; errors unprefixed.  sqlstate (may be NULL)
 * gets the PostgreSQL error code of a failure. */
static int run_raw(wr_conn *c, wr_stmts *s, int which, const wr_params *p, wr_row_fn each, void *ctx,
                   int64_t *affected, char sqlstate[6], wr_err *err);

/* ---- the tenant marker (wr.h) --------------------------------------------- */

typedef struct marker_rows {
    const char *tenant;
    bool has_own;
    char other[WR_WHO_SIZE];   /* the first other tenant it names */
} marker_rows;

static int on_marker_row(void *ctx, const wr_row *row)
{
    marker_rows *m = ctx;
    const char *v = row->n > 0 ? row->values[0] : NULL;
    if (v && strcmp(v, m->tenant) == 0)
        m->has_own = true;
    else if (!m->other[0])
        snprintf(m->other, sizeof m->other, "%s", v ? v : "(NULL)");
    return 0;
}

/* 0 when c's database is marked for s->tenant and no other tenant: known
 * for this session, or read now with statement s->marker.  Messages start
 * with `name`, the statement that asked. */
static int check_tenant(wr_conn *c, wr_stmts *s, const char *name, wr_err *err)
{
    if (c->marked_generation == c->generation && strcmp(c->marked_for, s->tenant) == 0)
        return 0;
    if (s->marker < 0 || (size_t)s->marker >= s->n)
        return wr_error(err, WR_ERROR, "%s: no statement reads the tenant marker", name);
    static const wr_params none; /* the marker's statement has no parameter */
    marker_rows m = { .tenant = s->tenant };
    char sqlstate[6] = "";
    wr_err why = { 0, "" };
    int rc = run_raw(c, s, s->marker, &none, on_marker_row, &m, NULL, sqlstate, &why);
    if (rc < 0 && strcmp(sqlstate, "42P01") == 0) /* undefined_table */
        return wr_error(err, WR_ETENANT,
                        "%s: refused: the database has no tenant marker (no table wellos_tenant), so it is not "
                        "marked for tenant '%s': mark it with the tenant's ddl_postgres.sql (native) or its sync "
                        "agent's --init (etl)", name, s->tenant);
    if (rc < 0)
        return wr_error(err, rc, "%s: cannot read the tenant marker: %s", name, why.message);
    if (m.other[0])
        return wr_error(err, WR_ETENANT, "%s: refused: the database is marked for tenant '%s', not '%s'", name,
                        m.other, s->tenant);
    if (!m.has_own)
        return wr_error(err, WR_ETENANT,
                        "%s: refused: the database has no tenant marker (table wellos_tenant is empty), so it is "
                        "not marked for tenant '%s': mark it with the tenant's ddl_postgres.sql (native) or its "
                        "sync agent's --init (etl)", name, s->tenant);
    size_t len = strlen(s->tenant);
    if (len < sizeof c->marked_for) { /* a longer name is checked every time */
        memcpy(c->marked_for, s->tenant, len + 1);
        c->marked_generation = c->generation;
    }
    return 0;
}

/* ---- running a statement ---------------------------------------------------- */

static int run_raw(wr_conn *c, wr_stmts *s, int which, const wr_params *p, wr_row_fn each, void *ctx,
                   int64_t *affected, char sqlstate[6], wr_err *err)
{
    if (!c || !s || which < 0 || (size_t)which >= s->n)
        return wr_error(err, WR_ERROR, "wr_query: no such statement %d", which);
    const wr_stmt *st = &s->list[which];
    if (!st->sql)
        return wr_error(err, WR_EUNSUPPORTED, "not available for this tenant");
    if (p->is_overflowed)
        return wr_error(err, WR_ERROR, "too many parameters (an emitter bug)");
    const char *values[WR_MAX_PARAMS];
    if (st->n_placeholders > WR_MAX_PARAMS)
        return wr_error(err, WR_ERROR, "too many placeholders");
    for (int i = 0; i < st->n_placeholders; i++) {
        int k = st->param_order ? st->param_order[i] : i;
        if (k < 0 || k >= p->n)
            return wr_error(err, WR_ERROR, "placeholder %d has no parameter (got %d)", i + 1, p->n);
        values[i] = p->values[k];
    }
    /* the tenant's statements run only where the marker names the tenant */
    bool is_guarded = s->tenant && which != s->marker;
    if (is_guarded) {
        int rc = check_tenant(c, s, st->name, err);
        if (rc < 0)
            return rc;
    }
    wr_run r = { .conn = c, .stmts = s, .which = which, .stmt = st, .values = values,
                 .n_values = st->n_placeholders, .each = each, .ctx = ctx, .err = err };
    int rc = run_once(&r);
    /* lost: as the driver said when it failed (a MySQL statement closed after
     * the failure clears the connection's error), or as the connection says */
    if (rc < 0 && !r.has_delivered && r.stopped_by == 0 && (rc == WR_ECONNECT || wr_conn_is_lost(c))) {
        /* Every generated statement is idempotent: run it again on a new
         * connection, once; a new session is checked for the marker first. */
        if (wr_conn_reconnect(c, err) < 0)
            return err ? err->code : WR_ECONNECT;
        if (is_guarded && (rc = check_tenant(c, s, st->name, err)) < 0)
            return rc;
        r.affected = 0;
        r.sqlstate[0] = '\0';
        rc = run_once(&r);
    }
    if (sqlstate)
        memcpy(sqlstate, r.sqlstate, sizeof r.sqlstate);
    if (rc < 0)
        return r.stopped_by < 0 ? r.stopped_by : rc;
    if (affected)
        *affected = r.affected;
    return 0;
}

int wr_check_statement(wr_conn *c, const wr_stmt *st, wr_err *err)
{
    if (!c->handle)
        return wr_error(err, WR_ECONNECT, "%s: the connection is closed", st->name);
    if (!c->driver->prepare)
        return wr_error(err, WR_EUNSUPPORTED, "%s: %s cannot check a statement without running it", st->name,
                        wr_dialect_name(c->dialect));
    int rc = c->driver->prepare(c, st->sql, st->n_placeholders, err);
    if (rc < 0)
        prefix_error(err, st->name);
    return rc;
}

static int run(wr_conn *c, wr_stmts *s, int which, const wr_params *p, wr_row_fn each, void *ctx,
               int64_t *affected, wr_err *err)
{
    int rc = run_raw(c, s, which, p, each, ctx, affected, NULL, err);
    if (rc < 0 && c && s && which >= 0 && (size_t)which < s->n)
        prefix_error(err, s->list[which].name);
    return rc;
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
