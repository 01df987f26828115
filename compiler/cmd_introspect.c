/* cmd_introspect.c - `wellosc introspect --tenant NAME -o SNAPSHOT FILE...`:
 * connect to a tenant's own database (an etl tenant's source, an adapter
 * tenant's database) with the DSN its spec names, read the tables and
 * columns from the catalog, and write them as a schema snapshot (schema.h)
 * for `wellosc check --schema`.  The only command that connects: through
 * libwellosrt, as the agents do, so it reads DSNs the same way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "commands.h"
#include "frontend.h"
#include "schema.h"
#include "wr.h"

/* Per dialect, two statements: ABOUT, one row (database, default schema,
 * table names exact 1/0, column names exact 1/0); then COLUMNS, every
 * column (schema, table, column, type, nullable 1/0) in the catalog's
 * order.  The SQL Server pair is syntax-checked by make sql-check. */
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

typedef struct {
    wm_arena *arena;
    wm_dialect dialect;
    const wm_tenant *tenant;
    char *database, *default_schema;
    bool is_table_case_exact, is_column_case_exact;
    wm_ptrvec rows;             /* char *[5] each */
} snapshot;

static char *copy(wm_arena *a, const char *s) { return s ? wm_arena_strdup(a, s) : NULL; }

static int take_about(void *ctx, const wr_row *row)
{
    snapshot *s = ctx;
    if (row->n < 4)
        return 1;
    s->database = copy(s->arena, row->values[0]);
    s->default_schema = copy(s->arena, row->values[1]);
    s->is_table_case_exact = row->values[2] && strcmp(row->values[2], "1") == 0;
    s->is_column_case_exact = row->values[3] && strcmp(row->values[3], "1") == 0;
    return 0;
}

/* MySQL: the connection's database, and those the tenant names as
 * db.table; other databases on the same server are none of its business. */
static bool is_wanted_schema(const snapshot *s, const char *schema)
{
    if (s->dialect != WM_DIALECT_MYSQL)
        return true;
    if (s->default_schema && strcmp(schema, s->default_schema) == 0)
        return true;
    for (size_t i = 0; i < s->tenant->n_mappings; i++) {
        const wm_table_name *t = &s->tenant->mappings[i].table;
        if (t->n_parts >= 2 && strcmp(t->parts[t->n_parts - 2], schema) == 0)
            return true;
    }
    return false;
}

static int take_column(void *ctx, const wr_row *row)
{
    snapshot *s = ctx;
    if (row->n < 5)
        return 1;
    for (int i = 0; i < 4; i++)
        if (!row->values[i])
            return 0;   /* a catalog row without a name or type: nothing to check against */
    if (!is_wanted_schema(s, row->values[0]))
        return 0;
    char **r = wm_arena_alloc(s->arena, 5 * sizeof *r);
    for (int i = 0; i < 5; i++)
        r[i] = copy(s->arena, row->values[i] ? row->values[i] : "1");
    wm_ptrvec_push(s->arena, &s->rows, r);
    return 0;
}

/* ---- writing ------------------------------------------------------------------ */

static void put_json_string(FILE *out, const char *v)
{
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(out, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7F)
            fprintf(out, "\\u%04x", *c);
        else
            fputc(*c, out);
    }
    fputc('"', out);
}

static void put_member(FILE *out, const char *indent, const char *key, const char *value, bool is_last)
{
    fprintf(out, "%s\"%s\": ", indent, key);
    if (value)
        put_json_string(out, value);
    else
        fputs("null", out);
    fputs(is_last ? "\n" : ",\n", out);
}

/* One table per object, one column per line: a snapshot checked into a
 * repository diffs line by line. */
static void write_snapshot(FILE *out, const snapshot *s)
{
    fprintf(out, "{\n  \"wellosc_schema\": %d,\n", WM_SCHEMA_FORMAT);
    put_member(out, "  ", "tenant", s->tenant->name, false);
    put_member(out, "  ", "dialect", wm_dialect_name(s->dialect), false);
    if (s->database)
        put_member(out, "  ", "database", s->database, false);
    if (s->default_schema)
        put_member(out, "  ", "default_schema", s->default_schema, false);
    put_member(out, "  ", "table_names", s->is_table_case_exact ? "exact" : "any_case", false);
    put_member(out, "  ", "column_names", s->is_column_case_exact ? "exact" : "any_case", false);
    fputs("  \"tables\": [", out);
    const char *schema = NULL, *table = NULL;
    for (size_t i = 0; i < s->rows.len; i++) {
        char **r = s->rows.items[i];
        bool is_new_table = !table || strcmp(r[0], schema) != 0 || strcmp(r[1], table) != 0;
        if (is_new_table) {
            fputs(table ? "\n    ]},\n" : "\n", out);
            fputs("    {\"schema\": ", out);
            put_json_string(out, r[0]);
            fputs(", \"name\": ", out);
            put_json_string(out, r[1]);
            fputs(", \"columns\": [\n", out);
            schema = r[0];
            table = r[1];
        } else {
            fputs(",\n", out);
        }
        fputs("      {\"name\": ", out);
        put_json_string(out, r[2]);
        fputs(", \"type\": ", out);
        put_json_string(out, r[3]);
        fprintf(out, ", \"nullable\": %s}", strcmp(r[4], "0") == 0 ? "false" : "true");
    }
    fputs(table ? "\n    ]}\n  ]\n}\n" : "]\n}\n", out);
}

/* Written beside the target and renamed over it: a failed run leaves the
 * old snapshot as it was. */
static int save(const char *path, const snapshot *s)
{
    if (strcmp(path, "-") == 0) {
        write_snapshot(stdout, s);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *out = fopen(tmp, "w");
    int rc = -1;
    if (out) {
        write_snapshot(out, s);
        bool is_written = !ferror(out);
        if (fclose(out) == 0 && is_written && rename(tmp, path) == 0)
            rc = 0;
    }
    if (rc < 0) {
        fprintf(stderr, "wellosc: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* ---- the command -------------------------------------------------------------- */

static void usage(FILE *out)
{
    fputs("usage: wellosc introspect [--tenant NAME] -o SNAPSHOT FILE...\n\n"
          "Connects to a tenant's own database (an etl tenant's source, an adapter\n"
          "tenant's database) with the DSN in the environment variable its spec\n"
          "names, and writes that database's tables and columns to SNAPSHOT (JSON;\n"
          "'-': standard output), for 'wellosc check --schema SNAPSHOT'.\n\n"
          "  --tenant NAME   the tenant (needed when the specs define several)\n"
          "  -o SNAPSHOT     the file to write\n"
          "  -h, --help      show this help\n\n"
          "exit status: 0 written; 1 errors in a spec, or the database could not be\n"
          "read; 2 bad usage, or a file that cannot be read or written.\n", out);
}

static const wm_tenant *pick_tenant(const wm_model *m, const char *name)
{
    const wm_tenant *found = NULL;
    size_t n_own = 0;
    for (size_t i = 0; i < m->n_tenants; i++) {
        const wm_tenant *t = m->tenants[i];
        if (name ? strcmp(t->name, name) == 0 : t->strategy != WM_STRATEGY_NATIVE) {
            found = t;
            n_own++;
        }
    }
    if (name && !found)
        fprintf(stderr, "wellosc: the specs define no tenant '%s'\n", name);
    else if (!name && n_own == 0)
        fprintf(stderr, "wellosc: the specs define no adapter or etl tenant: a native tenant's database holds "
                        "the canonical tables, so there is no schema of its own to record\n");
    else if (!name && n_own > 1)
        fprintf(stderr, "wellosc: the specs define %zu adapter or etl tenants: say which with --tenant\n", n_own);
    else if (found->strategy == WM_STRATEGY_NATIVE)
        fprintf(stderr, "wellosc: tenant %s is native: its database holds the canonical tables, "
                        "so there is no schema of its own to record\n", found->name);
    else
        return found;
    return NULL;
}

static int read_catalog(snapshot *s, const wm_conn *own)
{
    static const wr_dialect wr_of[] = {
        [WM_DIALECT_POSTGRES] = WR_POSTGRES, [WM_DIALECT_MYSQL] = WR_MYSQL,
        [WM_DIALECT_SQLSERVER] = WR_SQLSERVER, [WM_DIALECT_ORACLE] = WR_ORACLE,
    };
    const wr_stmt *q = s->dialect == WM_DIALECT_POSTGRES    ? postgres_catalog
                       : s->dialect == WM_DIALECT_MYSQL     ? mysql_catalog
                       : s->dialect == WM_DIALECT_SQLSERVER ? sqlserver_catalog
                                                            : NULL;
    const char *role = s->tenant->strategy == WM_STRATEGY_ETL ? "source" : "database";
    if (!q) {
        fprintf(stderr, "wellosc: tenant %s's %s is %s, and this build has no client library for it\n",
                s->tenant->name, role, wm_dialect_name(s->dialect));
        return -1;
    }
    wr_use_postgres();
    wr_use_mysql();
    wr_use_sqlserver();
    char *who = wm_arena_printf(s->arena, "tenant %s %s", s->tenant->name, role);
    wr_err err = { 0 };
    wr_conn *c = NULL;
    int rc = wr_connect_env(&c, wr_of[s->dialect], own->dsn_env, who, &err);
    if (rc == 0) {
        wr_stmts stmts = { .list = q, .n = N_CATALOG };
        wr_params p;
        wr_params_init(&p, wr_of[s->dialect]);
        rc = wr_query(c, &stmts, ABOUT, &p, take_about, s, &err);
        if (rc == 0)
            rc = wr_query(c, &stmts, COLUMNS, &p, take_column, s, &err);
        wr_stmts_release(c, &stmts);
    }
    wr_conn_close(c);
    if (rc != 0) {
        fprintf(stderr, "wellosc: %s\n", err.message[0] ? err.message : "the catalog could not be read");
        return -1;
    }
    return 0;
}

int wm_cmd_introspect(int argc, char **argv)
{
    const char *tenant = NULL, *out = NULL;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n_files = 0;
    bool is_after_dashes = false;
    int status = WM_EXIT_OK;
    for (int i = 1; i < argc && status == WM_EXIT_OK; i++) {
        const char *a = argv[i];
        if (is_after_dashes || a[0] != '-' || !a[1]) {
            files[n_files++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            is_after_dashes = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            return WM_EXIT_OK;
        } else if (strcmp(a, "--tenant") == 0 || strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "wellosc: %s needs a value\n", a);
                status = WM_EXIT_USAGE;
            } else if (a[1] == 'o') {
                out = argv[++i];
            } else {
                tenant = argv[++i];
            }
        } else {
            fprintf(stderr, "wellosc: unknown option '%s' for introspect\n", a);
            status = WM_EXIT_USAGE;
        }
    }
    if (status == WM_EXIT_OK && (!out || n_files == 0)) {
        fprintf(stderr, "wellosc: introspect needs %s\n", !out ? "-o SNAPSHOT" : "at least one .wmap file");
        status = WM_EXIT_USAGE;
    }
    if (status != WM_EXIT_OK) {
        usage(stderr);
        free(files);
        return status;
    }

    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    wm_model *m = wm_load_and_analyze(&f, arena, files, n_files, &status);
    free(files);
    wm_diags_print(&f.diags, stderr, 50);
    if (m) {
        snapshot s = { .arena = arena, .tenant = pick_tenant(m, tenant) };
        if (!s.tenant) {
            status = WM_EXIT_USAGE;
        } else {
            const wm_conn *own = s.tenant->strategy == WM_STRATEGY_ETL ? &s.tenant->source : &s.tenant->database;
            s.dialect = own->dialect;
            if (read_catalog(&s, own) < 0)
                status = WM_EXIT_SPEC;
            else if (save(out, &s) < 0)
                status = WM_EXIT_USAGE;
            else if (strcmp(out, "-") != 0)
                fprintf(stderr, "wellosc: %s: %zu columns of tenant %s's %s\n", out, s.rows.len, s.tenant->name,
                        wm_dialect_name(s.dialect));
        }
    }
    wm_arena_free(arena);
    return status;
}
