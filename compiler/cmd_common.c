/* cmd_common.c - what every subcommand does first: read the files it was
 * given (and their imports) and analyze them, mapping the outcome onto the
 * driver's exit statuses. */
#include "commands.h"

wm_model *wm_load_and_analyze(wm_frontend *f, wm_arena *a, char **files, int n, int *status)
{
    wm_frontend_init(f, a);
    for (int i = 0; i < n; i++)
        wm_load_file(f, files[i]);
    wm_model *m = f->has_unreadable_root ? NULL : wm_analyze(f);
    *status = f->has_unreadable_root ? WM_EXIT_USAGE : m ? WM_EXIT_OK : WM_EXIT_SPEC;
    return m;
}
