/* cmd_check.c - `wellosc check FILE...`: load, analyze, print every
 * diagnostic; optionally list what the specs define. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "frontend.h"
#include "schema.h"

static void usage(FILE *out)
{
    fputs("usage: wellosc check [--list] [--max-errors N] [--schema SNAPSHOT]... FILE...\n\n"
          "Checks .wmap specs and the files they import, and prints every error\n"
          "and warning as FILE:LINE:COL: error: MESSAGE.\n\n"
          "  --list            print the entities and tenants the specs define\n"
          "  --schema SNAPSHOT also check the snapshot's tenant against it (made by\n"
          "                    'wellosc introspect'): every table and column its\n"
          "                    mappings read exists, and each column's type converts\n"
          "  --max-errors N    stop printing after N errors (default 50; 0: no limit)\n"
          "  -h, --help        show this help\n", out);
}

static void list_model(const wm_model *m)
{
    for (size_t i = 0; i < m->n_entities; i++) {
        const wm_entity *e = m->entities[i];
        printf("entity %s (table %s): %zu field%s, key %s%s\n", e->name, e->table, e->n_fields,
               e->n_fields == 1 ? "" : "s", e->key->name, e->soft_delete ? ", soft delete" : "");
    }
    for (size_t i = 0; i < m->n_tenants; i++) {
        const wm_tenant *t = m->tenants[i];
        printf("tenant %s: %s", t->name, wm_strategy_name(t->strategy));
        if (t->strategy == WM_STRATEGY_ETL)
            printf(", %s -> %s every %llu min", wm_dialect_name(t->source.dialect),
                   wm_dialect_name(t->target.dialect), (unsigned long long)(t->interval_seconds / 60));
        else
            printf(" on %s", wm_dialect_name(t->database.dialect));
        printf(", %zu mapping%s\n", t->n_mappings, t->n_mappings == 1 ? "" : "s");
    }
}

int wm_cmd_check(int argc, char **argv)
{
    bool is_listing = false;
    int max_errors = 50;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n_files = 0;
    const char **snapshots = calloc((size_t)argc + 1, sizeof *snapshots);
    int n_snapshots = 0;
    bool is_after_dashes = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_after_dashes || a[0] != '-' || !a[1]) {
            files[n_files++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            is_after_dashes = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            free(snapshots);
            return WM_EXIT_OK;
        } else if (strcmp(a, "--list") == 0) {
            is_listing = true;
        } else if (strcmp(a, "--schema") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "wellosc: --schema needs a snapshot file (made by 'wellosc introspect')\n");
                free(files);
                free(snapshots);
                return WM_EXIT_USAGE;
            }
            snapshots[n_snapshots++] = argv[++i];
        } else if (strcmp(a, "--max-errors") == 0) {
            char *end = NULL;
            long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
            if (!end || *end || v < 0 || v > 1000000) {
                fprintf(stderr, "wellosc: --max-errors needs a number from 0 to 1000000\n");
                free(files);
                free(snapshots);
                return WM_EXIT_USAGE;
            }
            max_errors = (int)v;
            i++;
        } else {
            fprintf(stderr, "wellosc: unknown option '%s' for check\n", a);
            usage(stderr);
            free(files);
            free(snapshots);
            return WM_EXIT_USAGE;
        }
    }
    if (n_files == 0) {
        fprintf(stderr, "wellosc: check needs at least one .wmap file\n");
        usage(stderr);
        free(files);
        free(snapshots);
        return WM_EXIT_USAGE;
    }

    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    int status;
    wm_model *m = wm_load_and_analyze(&f, arena, files, n_files, &status);
    free(files);
    for (int i = 0; m && i < n_snapshots; i++) {
        char why[1200];
        wm_schema *s = wm_schema_load(arena, snapshots[i], why, sizeof why);
        if (!s) {
            fprintf(stderr, "%s\n", why);
            status = WM_EXIT_USAGE;
            m = NULL;
        } else if (wm_schema_check(s, m, arena, &f.diags) > 0) {
            status = WM_EXIT_SPEC;
        }
    }
    free(snapshots);
    wm_diags_print(&f.diags, stderr, max_errors);
    if (m && is_listing)
        list_model(m);
    if (f.diags.errors || f.diags.warnings)
        fprintf(stderr, "%d error%s, %d warning%s\n", f.diags.errors, f.diags.errors == 1 ? "" : "s",
                f.diags.warnings, f.diags.warnings == 1 ? "" : "s");
    wm_arena_free(arena);
    return status;
}
