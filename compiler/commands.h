/* commands.h - the subcommands of the driver.  Each takes the arguments
 * after its name and returns the process exit status:
 * 0 success, 1 a spec has errors, 2 bad usage. */
#ifndef WM_COMMANDS_H
#define WM_COMMANDS_H

enum { WM_EXIT_OK = 0, WM_EXIT_SPEC = 1, WM_EXIT_USAGE = 2 };

int wm_cmd_check(int argc, char **argv);
int wm_cmd_gen(int argc, char **argv);
int wm_cmd_build(int argc, char **argv);
int wm_cmd_plan(int argc, char **argv);

#endif
