/* schema.h - a schema snapshot: the tables and columns of a tenant's own
 * database, as `wellosc introspect` recorded them, so that `wellosc check
 * --schema FILE` can check a spec against them without connecting.
 *
 * The file is JSON (schema.c reads it, cmd_introspect.c writes it):
 *   { "wellosc_schema": 1, "tenant": "texas_energy", "dialect": "sqlserver",
 *     "database": "Field", "default_schema": "dbo",
 *     "table_names": "any_case", "column_names": "any_case",
 *     "tables": [ { "schema": "dbo", "name": "WellMaster", "columns": [
 *         { "name": "WellID", "type": "uniqueidentifier", "nullable": false } ] } ] }
 * A column's type is the database's own text ("decimal(12,2)"); what it
 * means in wmap's terms is worked out here, per dialect. */
#ifndef WM_SCHEMA_H
#define WM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "model.h"

enum { WM_SCHEMA_FORMAT = 1 };

typedef struct wm_schema_column {
    const char *name;
    const char *sql_type;       /* as the database spells it */
    bool is_nullable;
    wm_type type;               /* its values in wmap's terms; WM_T_ANY: no static type */
} wm_schema_column;

typedef struct wm_schema_table {
    const char *schema;         /* dbo, public; MySQL: the database */
    const char *name;
    wm_schema_column *columns;
    size_t n_columns;
} wm_schema_table;

typedef struct wm_schema {
    const char *path;
    const char *tenant;
    wm_dialect dialect;
    const char *database;
    const char *default_schema; /* what an unqualified table name means */
    bool is_table_case_exact;   /* false: names match in any case (SQL Server's
                                 * usual collations; MySQL's lower_case_table_names) */
    bool is_column_case_exact;
    wm_schema_table *tables;
    size_t n_tables;
} wm_schema;

/* Read a snapshot.  NULL when it cannot be read or is not one; err then
 * says why, as "FILE:LINE:COL: error: ..." (the position where known). */
wm_schema *wm_schema_load(wm_arena *a, const char *path, char *err, size_t err_size);

/* What a column of this dialect's type holds, in wmap's terms: "numeric(12,2)"
 * on PostgreSQL is decimal(12,2).  WM_T_ANY for a type with no static
 * counterpart (time, binary, a MySQL tinyint(1), an Oracle DATE with its
 * time of day), whose values are left to the agent's checks at run time. */
wm_type wm_schema_type_of(wm_dialect d, const char *sql_type);

/* Check the mappings of s->tenant in m against the snapshot: every source
 * table and column exists, and each column's type converts where it is
 * used.  Reports into diags; the number of errors reported. */
int wm_schema_check(const wm_schema *s, const wm_model *m, wm_arena *a, wm_diags *diags);

#endif
