/* cmd_build.c - `wellosc build -o BIN FILE... [--tenant NAME]`: generate the
 * sync agent of an etl tenant, compile it with $CC and link the runtime and
 * exactly the client libraries that tenant needs (libpq for the target,
 * and the source's).  -M / --depfile writes a make rule naming every spec
 * and import, so a pipeline rebuilds the agent when any of them changes.
 *
 * The runtime is found next to wellosc: in a source tree (runtime/wr.h,
 * build/libwellosrt.a) or in an installed prefix (include/wellos/wr.h,
 * lib/wellos/libwellosrt.a); --runtime DIR or WELLOSC_RUNTIME_DIR name a
 * directory holding both. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "emit.h"
#include "frontend.h"

static void usage(FILE *out)
{
    fputs("usage: wellosc build -o BIN [--tenant NAME] [-M | --depfile FILE] [--runtime DIR] FILE...\n\n"
          "Builds the sync agent of an etl tenant: generates its C, compiles it with\n"
          "$CC (default cc, with $CFLAGS and $LDFLAGS) and links libwellosrt and the\n"
          "client libraries the tenant needs.\n\n"
          "  -o BIN          the agent to write\n"
          "  --tenant NAME   which etl tenant (needed when the specs have several)\n"
          "  -M              also write BIN.d, a make rule listing every spec and import\n"
          "  --depfile FILE  the same, into FILE\n"
          "  --runtime DIR   a directory holding wr.h and libwellosrt.a\n", out);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The runtime's header directory and library; false if not found. */
static bool find_runtime(wm_arena *a, const char *dir, const char **inc, const char **lib)
{
    const char *dirs[3] = { 0 }, *libs[3] = { 0 };
    int k = 0;
    const char *env = getenv("WELLOSC_RUNTIME_DIR");
    if (!dir && env && *env)
        dir = env;
    if (dir) {
        dirs[k] = dir;
        libs[k++] = wm_arena_printf(a, "%s/libwellosrt.a", dir);
    } else {
        const char *exe = wm_exe_dir(a);
        if (exe) {
            dirs[k] = wm_arena_printf(a, "%s/runtime", exe); /* a source tree */
            libs[k++] = wm_arena_printf(a, "%s/build/libwellosrt.a", exe);
            dirs[k] = wm_arena_printf(a, "%s/../include/wellos", exe); /* an installed prefix */
            libs[k++] = wm_arena_printf(a, "%s/../lib/wellos/libwellosrt.a", exe);
        }
    }
    for (int i = 0; i < k; i++) {
        if (is_file(wm_arena_printf(a, "%s/wr.h", dirs[i])) && is_file(libs[i])) {
            *inc = dirs[i];
            *lib = libs[i];
            return true;
        }
    }
    return false;
}

/* Words of an environment variable ("ccache gcc", "-O2 -g") appended to argv. */
static int add_words(char **argv, int n, int max, char *text)
{
    for (char *w = strtok(text, " \t"); w && n < max; w = strtok(NULL, " \t"))
        argv[n++] = w;
    return n;
}

static int run(char **argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "wellosc: cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int write_depfile(const char *path, const char *target, const wm_model *m)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "%s:", target);
    for (size_t i = 0; i < m->n_sources; i++)
        fprintf(f, " %s", m->sources[i]->path);
    fputs("\n", f);
    for (size_t i = 0; i < m->n_sources; i++) /* as gcc -MP: a deleted spec breaks no build */
        fprintf(f, "\n%s:\n", m->sources[i]->path);
    return fclose(f);
}

int wm_cmd_build(int argc, char **argv)
{
    const char *out = NULL, *only = NULL, *depfile = NULL, *runtime_dir = NULL;
    bool wants_dep = false;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        bool wants_value = strcmp(a, "-o") == 0 || strcmp(a, "--tenant") == 0 || strcmp(a, "--depfile") == 0
                           || strcmp(a, "--runtime") == 0;
        if (wants_value && !has_value) {
            fprintf(stderr, "wellosc: %s needs a value\n", a);
            free(files);
            return WM_EXIT_USAGE;
        }
        if (strcmp(a, "-o") == 0 && has_value)
            out = argv[++i];
        else if (strcmp(a, "--tenant") == 0 && has_value)
            only = argv[++i];
        else if (strcmp(a, "--depfile") == 0 && has_value)
            depfile = argv[++i];
        else if (strcmp(a, "--runtime") == 0 && has_value)
            runtime_dir = argv[++i];
        else if (strcmp(a, "-M") == 0)
            wants_dep = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            return WM_EXIT_OK;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "wellosc: unknown option '%s' for build\n", a);
            usage(stderr);
            free(files);
            return WM_EXIT_USAGE;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (!out || n_files == 0) {
        fprintf(stderr, "wellosc: build needs -o BIN and at least one .wmap file\n");
        usage(stderr);
        free(files);
        return WM_EXIT_USAGE;
    }

    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    int status;
    wm_model *m = wm_load_and_analyze(&f, arena, files, n_files, &status);
    wm_diags_print(&f.diags, stderr, 50);
    const wm_tenant *t = NULL;
    for (size_t i = 0; m && i < m->n_tenants; i++) {
        const wm_tenant *c = m->tenants[i];
        if (c->strategy != WM_STRATEGY_ETL || (only && strcmp(c->name, only) != 0))
            continue;
        if (t) {
            fprintf(stderr, "wellosc: these specs have several etl tenants (%s, %s, ...): choose one with --tenant\n",
                    t->name, c->name);
            status = WM_EXIT_USAGE;
            break;
        }
        t = c;
    }
    if (m && status == WM_EXIT_OK && !t) {
        fprintf(stderr, only ? "wellosc: no etl tenant named '%s' in these specs\n"
                             : "wellosc: these specs have no etl tenant: only etl tenants have an agent%s\n",
                only ? only : "");
        status = WM_EXIT_USAGE;
    }
    if (t && status == WM_EXIT_OK && t->source.dialect == WM_DIALECT_ORACLE) {
        fprintf(stderr, "wellosc: tenant %s reads from oracle, and no Oracle client library (OCI) can be linked "
                        "here; 'wellosc plan' shows its statements\n", t->name);
        status = WM_EXIT_SPEC;
    }
    const char *inc = NULL, *lib = NULL;
    if (status == WM_EXIT_OK && !find_runtime(arena, runtime_dir, &inc, &lib)) {
        fprintf(stderr, "wellosc: cannot find the runtime (wr.h and libwellosrt.a)%s%s\n",
                runtime_dir ? " in " : "; run 'make' in the source tree, or pass --runtime DIR",
                runtime_dir ? runtime_dir : "");
        status = WM_EXIT_USAGE;
    }
    if (status != WM_EXIT_OK) {
        free(files);
        wm_arena_free(arena);
        return status;
    }

    /* the agent's C, in a directory of its own */
    const char *tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = wm_arena_printf(arena, "%s/wellosc-build-XXXXXX", tmpdir);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "wellosc: cannot create a directory in %s: %s\n", tmpdir, strerror(errno));
        free(files);
        wm_arena_free(arena);
        return WM_EXIT_USAGE;
    }
    const char *src = wm_arena_printf(arena, "%s/%s_sync.c", dir, t->name);
    wm_emit_ctx cx = { arena, m, files[0] };
    wm_printer *p = wm_printer_new();
    wm_emit_sync(&cx, p, t, wm_spec_hash(arena, m));
    int rc = wm_printer_write(p, src);
    wm_printer_free(p);
    if (rc != 0) {
        fprintf(stderr, "wellosc: cannot write '%s': %s\n", src, strerror(errno));
        status = WM_EXIT_USAGE;
    }

    if (status == WM_EXIT_OK) {
        char *cc = wm_arena_strdup(arena, getenv("CC") && *getenv("CC") ? getenv("CC") : "cc");
        char *cflags = wm_arena_strdup(arena, getenv("CFLAGS") ? getenv("CFLAGS") : "-O2");
        char *ldflags = wm_arena_strdup(arena, getenv("LDFLAGS") ? getenv("LDFLAGS") : "");
        char *args[128];
        int n = add_words(args, 0, 100, cc);
        n = add_words(args, n, 100, wm_arena_strdup(arena, "-std=c11 -Wall -Wextra -Werror"));
        n = add_words(args, n, 100, cflags);
        args[n++] = wm_arena_printf(arena, "-I%s", inc);
        args[n++] = "-o";
        args[n++] = (char *)out;
        args[n++] = (char *)src;
        args[n++] = (char *)lib;
        n = add_words(args, n, 110, ldflags);
        args[n++] = "-lpq"; /* the target is always PostgreSQL */
        if (t->source.dialect == WM_DIALECT_MYSQL)
            args[n++] = "-lmariadb";
        if (t->source.dialect == WM_DIALECT_SQLSERVER)
            args[n++] = "-lsybdb";
        args[n++] = "-ljansson";
        args[n++] = "-lm";
        args[n++] = "-lpthread";
        args[n] = NULL;
        int cc_status = run(args);
        if (cc_status != 0) {
            fprintf(stderr, "wellosc: the C compiler failed (exit %d); the generated source is kept in %s\n",
                    cc_status, dir);
            status = WM_EXIT_SPEC;
        }
    }
    if (status == WM_EXIT_OK && (wants_dep || depfile)) {
        const char *path = depfile ? depfile : wm_arena_printf(arena, "%s.d", out);
        if (write_depfile(path, out, m) != 0) {
            fprintf(stderr, "wellosc: cannot write '%s': %s\n", path, strerror(errno));
            status = WM_EXIT_USAGE;
        }
    }
    if (status == WM_EXIT_OK) {
        unlink(src);
        rmdir(dir);
    }
    free(files);
    wm_arena_free(arena);
    return status;
}
