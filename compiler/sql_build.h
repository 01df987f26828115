/* sql_build.h - the statements of a repository, in one dialect: the only
 * part of a generated repository that differs between databases.  The C
 * emitter (emit_repo.c) binds parameters in the order documented here. */
#ifndef WM_SQL_BUILD_H
#define WM_SQL_BUILD_H

#include "diag.h"
#include "store.h"

typedef enum {
    WM_SQL_FIND_BY_ID, WM_SQL_FIND_BY_UNIQUE, WM_SQL_FIND_ALL, WM_SQL_SAVE, WM_SQL_DELETE, WM_SQL_COUNT,
    WM_SQL_TENANT_MARKER,       /* native and etl tenants: whose the database is (runtime/wr.h) */
} wm_sql_kind;

typedef struct wm_sql_stmt {
    wm_sql_kind kind;
    const char *op;             /* find_by_id, find_by_api_number, ... */
    const wm_store_col *unique; /* WM_SQL_FIND_BY_UNIQUE */
    const char *sql;
    int n_params;               /* logical parameters, bound in this order:
                                 *  find_by_*: the value; find_all: each filter in
                                 *  sql_filters, then limit, offset; save: each
                                 *  column in save_cols; delete: the key;
                                 *  count, tenant_marker: none */
    int n_placeholders;
    const int *param_order;     /* NULL: placeholder i is parameter i */
    const char *param_decl;     /* SQL Server */
    const char *param_kinds;    /* MySQL: 'i' for an integer placeholder (LIMIT) */
} wm_sql_stmt;

typedef struct wm_sql_ops {
    wm_sql_stmt *stmts;
    size_t n;
    const wm_store_col **select;  /* the columns of every SELECT, in order */
    size_t n_select;
    const wm_filter **sql_filters; /* the entity's filters this store can apply */
    size_t n_sql_filters;
    const wm_store_col **save_cols; /* written by save(), in order (auto excluded) */
    size_t n_save_cols;
} wm_sql_ops;

/* NULL (with errors in diags) when the store asks what this dialect's SQL
 * cannot do. */
wm_sql_ops *wm_sql_build(wm_arena *a, wm_diags *d, const wm_store *s);

/* SQL's current time in dialect d. */
const char *wm_sql_now(wm_dialect d);
/* A transform as SQL of dialect d: columns, literals, upper, lower, trim,
 * coalesce and '||' (sema allows no more where SQL computes it). */
const char *wm_sql_expr(wm_arena *a, wm_dialect d, const wm_expr *e, wm_diags *diags);

#endif
