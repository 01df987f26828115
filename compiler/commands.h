/* commands.h - the subcommands of the driver.  Each takes the arguments
 * after its name and returns the process exit status:
 * 0 success, 1 a spec has errors, 2 bad usage. */
#ifndef WM_COMMANDS_H
#define WM_COMMANDS_H

#include "frontend.h"

enum { WM_EXIT_OK = 0, WM_EXIT_SPEC = 1, WM_EXIT_USAGE = 2 };

/* Load the files a command names, and what they import, and analyze them.
 * *status: WM_EXIT_OK, WM_EXIT_SPEC (errors) or WM_EXIT_USAGE (a file that
 * cannot be read).  The model is NULL unless the status is WM_EXIT_OK.
 * Diagnostics stay in f->diags for the command to print. */
wm_model *wm_load_and_analyze(wm_frontend *f, wm_arena *a, char **files, int n, int *status);

/* The directory of the running wellosc, or NULL: the runtime (build) and
 * wellos-introspect (introspect) are looked for next to it, in a source
 * tree (DIR/build/...) or an installed prefix (DIR/../lib/wellos/...). */
const char *wm_exe_dir(wm_arena *a);

int wm_cmd_check(int argc, char **argv);
int wm_cmd_gen(int argc, char **argv);
int wm_cmd_build(int argc, char **argv);
int wm_cmd_plan(int argc, char **argv);
int wm_cmd_introspect(int argc, char **argv);

#endif
