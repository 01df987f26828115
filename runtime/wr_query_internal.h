/* wr_query_internal.h - one run of a generated statement, as wr_query.c
 * hands it to a driver's query file (wr_pg_query.c, wr_mysql_query.c,
 * wr_tds_query.c).  Parameters are already in placeholder order. */
#ifndef WR_QUERY_INTERNAL_H
#define WR_QUERY_INTERNAL_H

#include "wr_internal.h"

typedef struct wr_run {
    wr_conn *conn;
    wr_stmts *stmts;
    int which;
    const wr_stmt *stmt;
    const char *const *values;  /* one per placeholder; NULL: SQL NULL */
    int n_values;
    wr_row_fn each;             /* NULL for wr_execute */
    void *ctx;
    int64_t affected;
    bool has_delivered;         /* a row reached each(): no retry after that */
    int stopped_by;             /* what each() returned to stop, if it did */
    char sqlstate[6];           /* of a PostgreSQL error ("42P01"); "" otherwise */
    wr_err *err;
} wr_run;

int wr_pg_run(wr_run *r);
int wr_mysql_run(wr_run *r);
int wr_tds_run(wr_run *r);
void wr_mysql_release(wr_stmts *s);

#endif
