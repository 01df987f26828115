/* main.c - the wellosc driver: finds the subcommand and runs it.  A new
 * subcommand (gen, build, plan, introspect, ...) is one line in `commands`
 * and one cmd_*.c file. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "version.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "check", wm_cmd_check, "check specs and report every error" },
    { "gen", wm_cmd_gen, "generate typed repositories and DDL: gen -o DIR FILE..." },
    { "build", wm_cmd_build, "build an etl tenant's sync agent: build -o BIN FILE..." },
    { "plan", wm_cmd_plan, "print every statement a sync agent runs, without connecting" },
    { "introspect", wm_cmd_introspect, "record a tenant's own database schema: introspect -o SNAPSHOT FILE..." },
};
enum { N_COMMANDS = sizeof commands / sizeof *commands };

static void usage(FILE *out)
{
    fputs("usage: wellosc COMMAND [OPTIONS] FILE...\n"
          "       wellosc --help | --version\n\n"
          "wellosc compiles .wmap specs (canonical entities and how each tenant's\n"
          "database maps onto them) into typed repositories and sync agents.\n\n"
          "commands:\n", out);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'wellosc COMMAND --help' describes a command; the manual is 'man ./wellosc.1'\n"
          "in the source tree ('man wellosc' once installed).\n"
          "exit status: 0 success; 1 errors in a spec (for build: or the C compiler failed);\n"
          "2 bad usage, or a file that cannot be read or written.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return WM_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return WM_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("wellosc %s\n", WM_VERSION);
        return WM_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "wellosc: unknown command '%s'\n", name);
    if (name[0] != '-')
        fprintf(stderr, "wellosc: the commands are:");
    else
        fprintf(stderr, "wellosc: options go after the command; the commands are:");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(stderr, " %s", commands[i].name);
    fputs("\n", stderr);
    return WM_EXIT_USAGE;
}
