/* wellos_introspect.c - the program wellos-introspect DIALECT DSN_ENV WHO:
 * the catalog of one database, for `wellosc introspect`, which runs it (the
 * compiler links no client library; ARCHITECTURE.md).  It connects with the
 * DSN in the environment variable DSN_ENV, as an agent does, and prints one
 * line per row of wr_catalog_read, fields separated by tabs:
 *     about   database  default-schema  tables-exact  columns-exact
 *     column  schema  table  column  type  nullable
 * with '\', tab and newline written \\, \t and \n, and SQL NULL as \N.
 * Exit status: 0; 1 the database could not be read (why, on standard
 * error, never with a password); 2 usage. */
#include <stdio.h>
#include <string.h>

#include "wr.h"

static void put_field(const char *v)
{
    putchar('\t');
    if (!v) {
        fputs("\\N", stdout);
        return;
    }
    for (; *v; v++) {
        if (*v == '\\')
            fputs("\\\\", stdout);
        else if (*v == '\t')
            fputs("\\t", stdout);
        else if (*v == '\n')
            fputs("\\n", stdout);
        else
            putchar(*v);
    }
}

static int put_row(const char *kind, const wr_row *row)
{
    fputs(kind, stdout);
    for (int i = 0; i < row->n; i++)
        put_field(row->values[i]);
    putchar('\n');
    return ferror(stdout) ? 1 : 0;
}

static int about(void *ctx, const wr_row *row) { (void)ctx; return put_row("about", row); }
static int column(void *ctx, const wr_row *row) { (void)ctx; return put_row("column", row); }

int main(int argc, char **argv)
{
    static const struct { const char *name; wr_dialect d; } dialects[] = {
        { "postgres", WR_POSTGRES }, { "mysql", WR_MYSQL }, { "sqlserver", WR_SQLSERVER },
    };
    int k = -1;
    for (int i = 0; argc == 4 && i < (int)(sizeof dialects / sizeof *dialects); i++)
        if (strcmp(argv[1], dialects[i].name) == 0)
            k = i;
    if (k < 0) {
        fputs("usage: wellos-introspect postgres|mysql|sqlserver DSN_ENV WHO\n"
              "(run by 'wellosc introspect'; see man wellosc)\n", stderr);
        return 2;
    }
    wr_use_postgres();
    wr_use_mysql();
    wr_use_sqlserver();
    wr_err err = { 0 };
    wr_conn *c = NULL;
    int rc = wr_connect_env(&c, dialects[k].d, argv[2], argv[3], &err);
    if (rc == 0)
        rc = wr_catalog_read(c, about, column, NULL, &err);
    wr_conn_close(c);
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        rc = wr_error(&err, WR_ERROR, "cannot write the catalog's rows");
    if (rc != 0) {
        fprintf(stderr, "wellos-introspect: %s\n", err.message[0] ? err.message : "the catalog could not be read");
        return 1;
    }
    return 0;
}
