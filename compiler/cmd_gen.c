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
#include "emit.h"
#include "frontend.h"
#include "generate.h"

typedef struct out_file {
    const char *name;
    wm_printer *text;
} out_file;

typedef struct outputs {
    wm_arena *arena;
    out_file *files;            /* in the arena, doubled when full */
    size_t n, cap;
} outputs;

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
          "tenant also its sync agent's source and plan, and the systemd units\n"
          "and Kubernetes manifest that run the agent.\n\n"
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

/* wm_generate's way to open a file: a printer kept in o, written once
 * every file could be generated. */
static wm_printer *open_output(void *ctx, const char *name)
{
    outputs *o = ctx;
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 64;
        out_file *more = wm_arena_alloc(o->arena, o->cap * sizeof *more);
        if (o->n)
            memcpy(more, o->files, o->n * sizeof *more);
        o->files = more;
    }
    o->files[o->n].name = wm_arena_strdup(o->arena, name);
    return o->files[o->n++].text = wm_printer_new();
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
    outputs *o = wm_arena_alloc(arena, sizeof *o);
    o->arena = arena;
    if (m) {
        wm_emit_ctx cx = { arena, m, origin_of(arena, files, n_files) };
        if (!wm_generate(&cx, &f.diags, open_output, o))
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
    free(files);
    wm_arena_free(arena);
    return status;
}
