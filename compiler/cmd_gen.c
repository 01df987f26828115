/* cmd_gen.c - `wellosc gen -o DIR FILE...`: check the specs, then write
 * the generated C and SQL into DIR:
 *
 *   <entity>.h, <entity>.c         typed struct, enums, repository interface
 *   repos.h, repos.c               the repository factory of every tenant
 *   <tenant>_<entity>.c            an implementation (SQL in the tenant's dialect)
 *   <tenant>_<entity>.<dialect>.sql  SQL Server and Oracle tenants: the
 *                                  statements as plain SQL (no server here)
 *   <tenant>_schema.sql            adapter tenants: their tables as the spec sees them
 *   ddl_<dialect>.sql              the canonical tables, per dialect (PostgreSQL: and
 *                                  the tenant marker of a native tenant)
 *   <tenant>_sync.c                etl tenants: the sync agent (wellosc build links it)
 *   <tenant>_plan.sql              etl tenants: every statement the agent runs
 *
 * Nothing is written unless every file could be generated. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "ctypes.h"
#include "emit.h"
#include "frontend.h"
#include "sql_build.h"

typedef struct out_file {
    const char *name;
    wm_printer *text;
} out_file;

typedef struct outputs {
    out_file files[4096];
    size_t n;
} outputs;

static wm_printer *add_file(outputs *o, wm_arena *a, const char *name)
{
    if (o->n == sizeof o->files / sizeof *o->files) {
        fprintf(stderr, "wellosc: too many generated files\n");
        exit(WM_EXIT_SPEC);
    }
    o->files[o->n].name = wm_arena_strdup(a, name);
    return o->files[o->n++].text = wm_printer_new();
}

static int make_dirs(const char *path)
{
    char buf[4096];
    if (strlen(path) >= sizeof buf)
        return -1;
    strcpy(buf, path);
    for (char *c = buf + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *c = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static void usage(FILE *out)
{
    fputs("usage: wellosc gen -o DIR [--] FILE...\n\n"
          "Checks the specs, then writes typed repositories (C), the repository\n"
          "factory and the DDL of the canonical tables into DIR; for each etl\n"
          "tenant also its sync agent's source and plan.\n\n"
          "  -o DIR        where to write (created if missing)\n"
          "  --            everything after it is a file\n"
          "  -h, --help    show this help\n", out);
}

static const char *origin_of(wm_arena *a, char **files, int n)
{
    const char *s = "";
    for (int i = 0; i < n; i++)
        s = wm_arena_printf(a, "%s%s%s", s, i ? ", " : "", files[i]);
    return s;
}

/* Every file of the model into o; false (diagnostics in f) when a store
 * asks what its dialect cannot do. */
static bool generate(wm_emit_ctx *cx, wm_diags *diags, outputs *o)
{
    wm_arena *a = cx->arena;
    const wm_model *m = cx->model;
    for (size_t i = 0; i < m->n_entities; i++) {
        wm_cnames n = wm_entity_cnames(a, m->entities[i]);
        wm_emit_entity_h(cx, add_file(o, a, wm_arena_printf(a, "%s.h", n.base)), m->entities[i]);
        wm_emit_entity_c(cx, add_file(o, a, wm_arena_printf(a, "%s.c", n.base)), m->entities[i]);
    }
    wm_emit_factory_h(cx, add_file(o, a, "repos.h"), NULL);
    wm_emit_factory_c(cx, add_file(o, a, "repos.c"), NULL);
    static const wm_dialect dialects[] = { WM_DIALECT_POSTGRES, WM_DIALECT_MYSQL, WM_DIALECT_SQLSERVER, WM_DIALECT_ORACLE };
    for (size_t d = 0; d < 4; d++)
        wm_emit_ddl_file(cx, add_file(o, a, wm_arena_printf(a, "ddl_%s.sql", wm_dialect_name(dialects[d]))), dialects[d]);

    bool ok = true;
    for (size_t t = 0; t < m->n_tenants; t++) {
        const wm_tenant *tn = m->tenants[t];
        if (tn->strategy == WM_STRATEGY_ADAPTER)
            wm_emit_adapter_ddl(cx, add_file(o, a, wm_arena_printf(a, "%s_schema.sql", tn->name)), tn);
        if (tn->strategy == WM_STRATEGY_ETL) {
            wm_emit_sync(cx, add_file(o, a, wm_arena_printf(a, "%s_sync.c", tn->name)), tn, wm_spec_hash(a, m));
            wm_emit_plan(cx, add_file(o, a, wm_arena_printf(a, "%s_plan.sql", tn->name)), tn);
            if (tn->source.dialect == WM_DIALECT_SQLSERVER || tn->source.dialect == WM_DIALECT_ORACLE)
                wm_emit_extracts(cx, add_file(o, a, wm_arena_printf(a, "%s_extract.%s.sql", tn->name,
                                                                   wm_dialect_name(tn->source.dialect))), tn);
        }
        for (size_t i = 0; i < m->n_entities; i++) {
            const wm_entity *e = m->entities[i];
            wm_store *s = wm_store_for(a, tn, e);
            if (!s)
                continue;
            const wm_sql_ops *ops = wm_sql_build(a, diags, s);
            if (!ops) {
                ok = false;
                continue;
            }
            wm_cnames n = wm_entity_cnames(a, e);
            if (wm_factory_has_impl(tn, e))
                wm_emit_repo(cx, add_file(o, a, wm_arena_printf(a, "%s_%s.c", tn->name, n.base)), s, ops);
            /* statements as plain SQL where no server runs here: reviewed
             * and syntax-checked (tests/sqlcheck) */
            if (s->dialect == WM_DIALECT_SQLSERVER || s->dialect == WM_DIALECT_ORACLE)
                wm_emit_statements_sql(cx, add_file(o, a, wm_arena_printf(a, "%s_%s.%s.sql", tn->name, n.base,
                                                                          wm_dialect_name(s->dialect))), s, ops);
        }
    }
    return ok;
}

int wm_cmd_gen(int argc, char **argv)
{
    const char *dir = NULL;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            while (++i < argc)
                files[n_files++] = argv[i];
        } else if (strcmp(arg, "-o") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "wellosc: -o needs a directory\n");
                free(files);
                return WM_EXIT_USAGE;
            }
            dir = argv[++i];
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            free(files);
            return WM_EXIT_OK;
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "wellosc: unknown option '%s' for gen\n", arg);
            usage(stderr);
            free(files);
            return WM_EXIT_USAGE;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (!dir || n_files == 0) {
        fprintf(stderr, "wellosc: gen needs -o DIR and at least one .wmap file\n");
        usage(stderr);
        free(files);
        return WM_EXIT_USAGE;
    }

    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    int status;
    wm_model *m = wm_load_and_analyze(&f, arena, files, n_files, &status);
    outputs *o = calloc(1, sizeof *o);
    if (m) {
        wm_emit_ctx cx = { arena, m, origin_of(arena, files, n_files) };
        if (!generate(&cx, &f.diags, o))
            status = WM_EXIT_SPEC;
    }
    wm_diags_print(&f.diags, stderr, 50);
    if (status == WM_EXIT_OK) {
        if (make_dirs(dir) != 0) {
            fprintf(stderr, "wellosc: cannot create '%s': %s\n", dir, strerror(errno));
            status = WM_EXIT_USAGE;
        }
        for (size_t i = 0; i < o->n && status == WM_EXIT_OK; i++) {
            const char *path = wm_arena_printf(arena, "%s/%s", dir, o->files[i].name);
            if (wm_printer_write(o->files[i].text, path) != 0) {
                fprintf(stderr, "wellosc: cannot write '%s': %s\n", path, strerror(errno));
                status = WM_EXIT_USAGE;
            }
        }
    }
    for (size_t i = 0; i < o->n; i++)
        wm_printer_free(o->files[i].text);
    free(o);
    free(files);
    wm_arena_free(arena);
    return status;
}
