/* cmd_introspect.c - `wellosc introspect --tenant NAME -o SNAPSHOT FILE...`:
 * record a tenant's own database (an etl tenant's source, an adapter
 * tenant's database) as a schema snapshot (schema.h) for `wellosc check
 * --schema`.  The compiler links no client library (ARCHITECTURE.md), so
 * the catalog is read by the runtime's wellos-introspect program, found
 * next to the runtime as `build` finds it; it connects with the DSN in the
 * environment variable the spec names, as an agent does, and prints the
 * catalog's rows, which are turned into the snapshot here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "frontend.h"
#include "schema.h"

typedef struct {
    wm_arena *arena;
    wm_dialect dialect;
    const wm_tenant *tenant;
    char *database, *default_schema;
    bool is_table_case_exact, is_column_case_exact;
    wm_ptrvec rows;             /* char *[5] each */
} snapshot;

/* MySQL: the connection's database, and those the tenant names as
 * db.table; other databases on the same server are none of its business. */
static bool is_wanted_schema(const snapshot *s, const char *schema)
{
    if (s->dialect != WM_DIALECT_MYSQL)
        return true;
    if (s->default_schema && strcmp(schema, s->default_schema) == 0)
        return true;
    for (size_t i = 0; i < s->tenant->n_mappings; i++) {
        const wm_table_name *t = &s->tenant->mappings[i].table;
        if (t->n_parts >= 2 && strcmp(t->parts[t->n_parts - 2], schema) == 0)
            return true;
    }
    return false;
}

/* Split one line of wellos-introspect in place: tab-separated fields,
 * the escapes of a backslash, a tab and a newline undone, a field of
 * backslash-N as NULL.  The number of fields; -1 for more than max. */
static int split_line(char *line, char **fields, int max)
{
    int n = 0;
    char *c = line, *out = line;   /* unescaping only shrinks: out never passes c */
    for (;;) {
        if (n == max)
            return -1;
        char end;
        if (c[0] == '\\' && c[1] == 'N' && (c[2] == '\t' || c[2] == '\0')) {
            fields[n++] = NULL;
            c += 2;
            end = *c;
        } else {
            fields[n++] = out;
            for (; *c && *c != '\t'; c++) {
                if (*c == '\\' && c[1]) {
                    c++;
                    *out++ = *c == 't' ? '\t' : *c == 'n' ? '\n' : *c;
                } else {
                    *out++ = *c;
                }
            }
            end = *c;           /* before the terminator, which may land on it */
            *out++ = '\0';
        }
        if (end != '\t')
            return n;
        c++;
    }
}

/* One line: "about" with 4 fields, or "column" with 5.  False: not one. */
static bool take_line(snapshot *s, char *line)
{
    char *f[7];
    int n = split_line(line, f, 7);
    if (n == 5 && f[0] && strcmp(f[0], "about") == 0) {
        s->database = f[1] ? wm_arena_strdup(s->arena, f[1]) : NULL;
        s->default_schema = f[2] ? wm_arena_strdup(s->arena, f[2]) : NULL;
        s->is_table_case_exact = f[3] && strcmp(f[3], "1") == 0;
        s->is_column_case_exact = f[4] && strcmp(f[4], "1") == 0;
        return true;
    }
    if (n != 6 || !f[0] || strcmp(f[0], "column") != 0)
        return false;
    for (int i = 1; i <= 4; i++)
        if (!f[i])
            return true;   /* a catalog row without a name or type: nothing to check against */
    if (!is_wanted_schema(s, f[1]))
        return true;
    char **r = wm_arena_alloc(s->arena, 5 * sizeof *r);
    for (int i = 0; i < 5; i++)
        r[i] = wm_arena_strdup(s->arena, f[i + 1] ? f[i + 1] : "1");
    wm_ptrvec_push(s->arena, &s->rows, r);
    return true;
}

/* ---- writing ------------------------------------------------------------------ */

static void put_json_string(FILE *out, const char *v)
{
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(out, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7F)
            fprintf(out, "\\u%04x", *c);
        else
            fputc(*c, out);
    }
    fputc('"', out);
}

static void put_member(FILE *out, const char *key, const char *value)
{
    fprintf(out, "  \"%s\": ", key);
    put_json_string(out, value);
    fputs(",\n", out);
}

/* One table per object, one column per line: a snapshot checked into a
 * repository diffs line by line. */
static void write_snapshot(FILE *out, const snapshot *s)
{
    fprintf(out, "{\n  \"wellosc_schema\": %d,\n", WM_SCHEMA_FORMAT);
    put_member(out, "tenant", s->tenant->name);
    put_member(out, "dialect", wm_dialect_name(s->dialect));
    if (s->database)
        put_member(out, "database", s->database);
    if (s->default_schema)
        put_member(out, "default_schema", s->default_schema);
    put_member(out, "table_names", s->is_table_case_exact ? "exact" : "any_case");
    put_member(out, "column_names", s->is_column_case_exact ? "exact" : "any_case");
    fputs("  \"tables\": [", out);
    const char *schema = NULL, *table = NULL;
    for (size_t i = 0; i < s->rows.len; i++) {
        char **r = s->rows.items[i];
        bool is_new_table = !table || strcmp(r[0], schema) != 0 || strcmp(r[1], table) != 0;
        if (is_new_table) {
            fputs(table ? "\n    ]},\n" : "\n", out);
            fputs("    {\"schema\": ", out);
            put_json_string(out, r[0]);
            fputs(", \"name\": ", out);
            put_json_string(out, r[1]);
            fputs(", \"columns\": [\n", out);
            schema = r[0];
            table = r[1];
        } else {
            fputs(",\n", out);
        }
        fputs("      {\"name\": ", out);
        put_json_string(out, r[2]);
        fputs(", \"type\": ", out);
        put_json_string(out, r[3]);
        fprintf(out, ", \"nullable\": %s}", strcmp(r[4], "0") == 0 ? "false" : "true");
    }
    fputs(table ? "\n    ]}\n  ]\n}\n" : "]\n}\n", out);
}

/* Written beside the target and renamed over it: a failed run leaves the
 * old snapshot as it was. */
static int save(const char *path, const snapshot *s)
{
    if (strcmp(path, "-") == 0) {
        write_snapshot(stdout, s);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *out = fopen(tmp, "w");
    int rc = -1;
    if (out) {
        write_snapshot(out, s);
        bool is_written = !ferror(out);
        if (fclose(out) == 0 && is_written && rename(tmp, path) == 0)
            rc = 0;
    }
    if (rc < 0) {
        fprintf(stderr, "wellosc: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* ---- the command -------------------------------------------------------------- */

static void usage(FILE *out)
{
    fputs("usage: wellosc introspect [--tenant NAME] [--runtime DIR] -o SNAPSHOT FILE...\n\n"
          "Connects to a tenant's own database (an etl tenant's source, an adapter\n"
          "tenant's database) with the DSN in the environment variable its spec\n"
          "names, and writes that database's tables and columns to SNAPSHOT (JSON;\n"
          "'-': standard output), for 'wellosc check --schema SNAPSHOT'.\n\n"
          "  --tenant NAME   the tenant (needed when the specs define several)\n"
          "  -o SNAPSHOT     the file to write\n"
          "  --runtime DIR   a directory holding wellos-introspect, the runtime's program\n"
          "                  that reads the catalog (default: next to wellosc)\n"
          "  -h, --help      show this help\n\n"
          "exit status: 0 written; 1 errors in a spec, or the database could not be\n"
          "read; 2 bad usage, or a file that cannot be read or written.\n", out);
}

static const wm_tenant *pick_tenant(const wm_model *m, const char *name)
{
    const wm_tenant *found = NULL;
    size_t n_own = 0;
    for (size_t i = 0; i < m->n_tenants; i++) {
        const wm_tenant *t = m->tenants[i];
        if (name ? strcmp(t->name, name) == 0 : t->strategy != WM_STRATEGY_NATIVE) {
            found = t;
            n_own++;
        }
    }
    if (name && !found)
        fprintf(stderr, "wellosc: the specs define no tenant '%s'\n", name);
    else if (!name && n_own == 0)
        fprintf(stderr, "wellosc: the specs define no adapter or etl tenant: a native tenant's database holds "
                        "the canonical tables, so there is no schema of its own to record\n");
    else if (!name && n_own > 1)
        fprintf(stderr, "wellosc: the specs define %zu adapter or etl tenants: say which with --tenant\n", n_own);
    else if (found->strategy == WM_STRATEGY_NATIVE)
        fprintf(stderr, "wellosc: tenant %s is native: its database holds the canonical tables, "
                        "so there is no schema of its own to record\n", found->name);
    else
        return found;
    return NULL;
}

/* wellos-introspect: in DIR (--runtime, else $WELLOSC_RUNTIME_DIR), else
 * next to wellosc in a source tree or an installed prefix. */
static const char *find_helper(wm_arena *a, const char *dir)
{
    const char *env = getenv("WELLOSC_RUNTIME_DIR");
    if (!dir && env && *env)
        dir = env;
    const char *exe = dir ? NULL : wm_exe_dir(a);
    const char *candidates[2] = { NULL, NULL };
    if (dir) {
        candidates[0] = wm_arena_printf(a, "%s/wellos-introspect", dir);
    } else if (exe) {
        candidates[0] = wm_arena_printf(a, "%s/build/wellos-introspect", exe);       /* a source tree */
        candidates[1] = wm_arena_printf(a, "%s/../lib/wellos/wellos-introspect", exe); /* an installed prefix */
    }
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (candidates[i] && stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode) && access(candidates[i], X_OK) == 0)
            return candidates[i];
    }
    return NULL;
}

/* Run wellos-introspect and read its lines; its errors go to our standard
 * error as they are.  0; -1 it failed (said); -2 its output made no sense. */
static int read_catalog(snapshot *s, const char *helper, const wm_conn *own)
{
    const char *role = s->tenant->strategy == WM_STRATEGY_ETL ? "source" : "database";
    char *who = wm_arena_printf(s->arena, "tenant %s %s", s->tenant->name, role);
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        close(fds[1]);
        execl(helper, helper, wm_dialect_name(s->dialect), own->dsn_env, who, (char *)NULL);
        fprintf(stderr, "wellosc: cannot run %s: %s\n", helper, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    bool is_sense = in != NULL, has_about = false;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (in && (n = getline(&line, &cap, in)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            line[n - 1] = '\0';
        has_about |= strncmp(line, "about\t", 6) == 0;
        if (is_sense && !take_line(s, line))
            is_sense = false;   /* keep reading: the program must not block on a full pipe */
    }
    free(line);
    if (in)
        fclose(in);
    else
        close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return is_sense && has_about ? 0 : -2;
}

int wm_cmd_introspect(int argc, char **argv)
{
    const char *tenant = NULL, *out = NULL, *runtime_dir = NULL;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int n_files = 0;
    bool is_after_dashes = false;
    int status = WM_EXIT_OK;
    for (int i = 1; i < argc && status == WM_EXIT_OK; i++) {
        const char *a = argv[i];
        if (is_after_dashes || a[0] != '-' || !a[1]) {
            files[n_files++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            is_after_dashes = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(files);
            return WM_EXIT_OK;
        } else if (strcmp(a, "--tenant") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--runtime") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "wellosc: %s needs a value\n", a);
                status = WM_EXIT_USAGE;
            } else if (a[1] == 'o') {
                out = argv[++i];
            } else if (a[2] == 't') {
                tenant = argv[++i];
            } else {
                runtime_dir = argv[++i];
            }
        } else {
            fprintf(stderr, "wellosc: unknown option '%s' for introspect\n", a);
            status = WM_EXIT_USAGE;
        }
    }
    if (status == WM_EXIT_OK && (!out || n_files == 0)) {
        fprintf(stderr, "wellosc: introspect needs %s\n", !out ? "-o SNAPSHOT" : "at least one .wmap file");
        status = WM_EXIT_USAGE;
    }
    if (status != WM_EXIT_OK) {
        usage(stderr);
        free(files);
        return status;
    }

    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    wm_model *m = wm_load_and_analyze(&f, arena, files, n_files, &status);
    free(files);
    wm_diags_print(&f.diags, stderr, 50);
    if (m) {
        snapshot s = { .arena = arena, .tenant = pick_tenant(m, tenant) };
        if (!s.tenant) {
            status = WM_EXIT_USAGE;
        } else {
            const wm_conn *own = s.tenant->strategy == WM_STRATEGY_ETL ? &s.tenant->source : &s.tenant->database;
            s.dialect = own->dialect;
            const char *helper = find_helper(arena, runtime_dir);
            int rc = 0;
            if (s.dialect == WM_DIALECT_ORACLE) {
                fprintf(stderr, "wellosc: tenant %s's %s is oracle, and this build has no client library for it\n",
                        s.tenant->name, s.tenant->strategy == WM_STRATEGY_ETL ? "source" : "database");
                status = WM_EXIT_SPEC;
            } else if (!helper) {
                fprintf(stderr, "wellosc: cannot find wellos-introspect%s%s\n", runtime_dir ? " in " : "; run 'make' "
                        "in the source tree, or pass --runtime DIR", runtime_dir ? runtime_dir : "");
                status = WM_EXIT_USAGE;
            } else if ((rc = read_catalog(&s, helper, own)) < 0) {
                if (rc == -2)
                    fprintf(stderr, "wellosc: %s printed something that is not a catalog: is it the wellos-introspect "
                            "of this wellosc's version? (--runtime DIR names another)\n", helper);
                status = WM_EXIT_SPEC;
            } else if (save(out, &s) < 0)
                status = WM_EXIT_USAGE;
            else if (strcmp(out, "-") != 0)
                fprintf(stderr, "wellosc: %s: %zu columns of tenant %s's %s\n", out, s.rows.len, s.tenant->name,
                        wm_dialect_name(s.dialect));
        }
    }
    wm_arena_free(arena);
    return status;
}
