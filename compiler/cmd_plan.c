/* cmd_plan.c - `wellosc plan FILE... [--tenant T]`: every SQL statement an
 * etl tenant's agent will run, per database, in the order it runs them,
 * without connecting anywhere: what a reviewer or a DBA approves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "emit.h"
#include "frontend.h"

static void usage(FILE *out)
{
    fputs("usage: wellosc plan [--tenant NAME] FILE...\n\n"
          "Prints, without connecting, every statement the sync agent of each etl\n"
          "tenant (or only NAME) runs against its source and target databases.\n", out);
}

int wm_cmd_plan(int argc, char **argv)
{
    const char *only = NULL;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tenant") == 0 && i + 1 == argc) {
            fprintf(stderr, "wellosc: --tenant needs a value\n");
            free(files);
            return WM_EXIT_USAGE;
        } else if (strcmp(argv[i], "--tenant") == 0) {
            only = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            free(files);
            return WM_EXIT_OK;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "wellosc: unknown option '%s' for plan\n", argv[i]);
            usage(stderr);
            free(files);
            return WM_EXIT_USAGE;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (n_files == 0) {
        fprintf(stderr, "wellosc: plan needs at least one .wmap file\n");
        usage(stderr);
        free(files);
        return WM_EXIT_USAGE;
    }
    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    int status;
    wm_model *m = wm_load_and_analyze(&f, arena, files, n_files, &status);
    wm_diags_print(&f.diags, stderr, 50);
    if (m) {
        wm_emit_ctx cx = { arena, m, files[0] };
        size_t shown = 0;
        for (size_t i = 0; i < m->n_tenants; i++) {
            const wm_tenant *t = m->tenants[i];
            if (t->strategy != WM_STRATEGY_ETL || (only && strcmp(t->name, only) != 0))
                continue;
            wm_printer *p = wm_printer_new();
            wm_emit_plan(&cx, p, t);
            fputs(shown ? "\n\n" : "", stdout);
            fputs(wm_printer_text(p), stdout);
            wm_printer_free(p);
            shown++;
        }
        if (!shown) {
            fprintf(stderr, only ? "wellosc: no etl tenant named '%s' in these specs\n"
                                 : "wellosc: these specs have no etl tenant: only etl tenants have an agent%s\n",
                    only ? only : "");
            status = WM_EXIT_USAGE;
        }
    }
    free(files);
    wm_arena_free(arena);
    return status;
}
