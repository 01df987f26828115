/* cmd_common.c - what every subcommand does first: read the files it was
 * given (and their imports) and analyze them, mapping the outcome onto the
 * driver's exit statuses; and where wellosc itself is, near which the
 * runtime is looked for. */
#include <limits.h>
#include <string.h>
#include <unistd.h>

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

const char *wm_exe_dir(wm_arena *a)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    return wm_arena_strdup(a, exe);
}
