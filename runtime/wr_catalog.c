/* wr_catalog.c - a database's tables and columns, read from its catalog:
 * what `wellosc introspect` records (through the wellos-introspect program,
 * runtime/bin/) so that a spec can be checked against the client's schema
 * without connecting.  The compiler links no client library; this is the
 * runtime's side of that command. */
#include <string.h>

#include "wr.h"

/* Per dialect: ABOUT, one row (database, default schema, table names
 * exact 1/0, column names exact 1/0); COLUMNS, every column (schema,
 * table, column, type as the database spells it, nullable 1/0) in the
 * catalog's order.  The SQL Server pair is syntax-checked by make
 * sql-check. */
enum { ABOUT, COLUMNS, N_CATALOG };

static const wr_stmt postgres_catalog[N_CATALOG] = {
    { .name = "introspect.postgres.about", .sql = "SELECT current_database(), current_schema(), 1, 1" },
    { .name = "introspect.postgres.columns", .sql =
    "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),"
    " CASE WHEN a.attnotnull THEN 0 ELSE 1 END"
    " FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped"
    " AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
    " ORDER BY n.nspname, c.relname, a.attnum" },
};

static const wr_stmt mysql_catalog[N_CATALOG] = {
    { .name = "introspect.mysql.about", .sql =
    "SELECT DATABASE(), DATABASE(), CASE WHEN @@lower_case_table_names = 0 THEN 1 ELSE 0 END, 0" },
    { .name = "introspect.mysql.columns", .sql =
    "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, CASE WHEN IS_NULLABLE = 'YES' THEN 1 ELSE 0 END"
    " FROM information_schema.COLUMNS"
    " WHERE TABLE_SCHEMA NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema')"
    " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION" },
};

static const wr_stmt sqlserver_catalog[N_CATALOG] = {
    { .name = "introspect.sqlserver.about", .sql =
    "SELECT DB_NAME(), SCHEMA_NAME(), CASE WHEN 'a' = 'A' THEN 0 ELSE 1 END, CASE WHEN 'a' = 'A' THEN 0 ELSE 1 END" },
    { .name = "introspect.sqlserver.columns", .sql =
    "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME,"
    " c.DATA_TYPE + CASE"
    "  WHEN c.DATA_TYPE IN ('text', 'ntext', 'xml', 'image') THEN ''"
    "  WHEN c.CHARACTER_MAXIMUM_LENGTH = -1 THEN '(max)'"
    "  WHEN c.CHARACTER_MAXIMUM_LENGTH IS NOT NULL THEN '(' + CAST(c.CHARACTER_MAXIMUM_LENGTH AS varchar(11)) + ')'"
    "  WHEN c.DATA_TYPE IN ('decimal', 'numeric') THEN '(' + CAST(c.NUMERIC_PRECISION AS varchar(3)) + ','"
    "   + CAST(c.NUMERIC_SCALE AS varchar(3)) + ')'"
    "  ELSE '' END,"
    " CASE WHEN c.IS_NULLABLE = 'YES' THEN 1 ELSE 0 END"
    " FROM INFORMATION_SCHEMA.COLUMNS c"
    " ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION" },
};

static const wr_stmt *catalog_of(wr_dialect d)
{
    switch (d) {
    case WR_POSTGRES:
        return postgres_catalog;
    case WR_MYSQL:
        return mysql_catalog;
    case WR_SQLSERVER:
        return sqlserver_catalog;
    case WR_ORACLE:
        break;
    }
    return NULL;
}

int wr_catalog_read(wr_conn *c, wr_row_fn about, wr_row_fn column, void *ctx, wr_err *err)
{
    const wr_stmt *list = catalog_of(wr_conn_dialect(c));
    if (!list)
        return wr_error(err, WR_EUNSUPPORTED, "%s: reading the catalog of %s is not supported", wr_conn_who(c),
                        wr_dialect_name(wr_conn_dialect(c)));
    wr_stmts stmts = { .list = list, .n = N_CATALOG };
    wr_params p;
    wr_params_init(&p, wr_conn_dialect(c));
    int rc = wr_query(c, &stmts, ABOUT, &p, about, ctx, err);
    if (rc == 0)
        rc = wr_query(c, &stmts, COLUMNS, &p, column, ctx, err);
    wr_stmts_release(c, &stmts);
    return rc;
}
