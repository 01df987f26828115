/* wr_agent.c - wr_agent_main, the main() of every generated sync agent:
 * options, the DSNs (environment or a private --config file), the two
 * connections, the tenant marker and the one-agent-per-tenant lock, the
 * schedule (one run, or a loop with backoff after failures), and signals
 * (SIGTERM/SIGINT stop at the next batch boundary; a second one kills).
 *
 * Exit statuses: 0 success (also after a graceful stop), 1 a sync failed
 * or another agent holds the tenant's lock, 2 usage or configuration
 * error, 3 refused (the target is not initialised, or is another
 * tenant's).
 *
 * Must never: accept a DSN on the command line, print a DSN or a password
 * (every message goes through wr_error or the logger, both masked), write
 * to a target before its marker names this tenant and the lock is held,
 * or build SQL (all of it comes from the spec, except BEGIN, COMMIT,
 * ROLLBACK and the constant SET_LOCK_TIMEOUT, whose value is a
 * parameter). */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wr_agent_internal.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_REFUSED = 3 };
enum { DEFAULT_BATCH = 10000, MAX_BATCH = 10000000, BACKOFF_FIRST_SECONDS = 5, CONFIG_MAX = 64 * 1024 };
/* --lock-timeout: PostgreSQL keeps lock_timeout in milliseconds in an int */
enum { DEFAULT_LOCK_TIMEOUT = 60, MAX_LOCK_TIMEOUT = 2147483 };

/* Run on every target session right after it connects: a statement that
 * waits longer than this for a lock fails (SQLSTATE 55P03), and with it
 * the batch and the run, instead of hanging behind someone else's lock. */
static const char SET_LOCK_TIMEOUT[] = "SELECT set_config('lock_timeout', $1, false)";

static volatile sig_atomic_t stop_requested;

typedef enum { ACT_SYNC, ACT_CHECK, ACT_INIT, ACT_VERSION, ACT_HELP } action;

typedef struct options {
    action act;
    bool is_once, is_dry_run, is_full, is_bulk_refused;
    int64_t interval_seconds;
    int64_t batch_size;
    int64_t lock_timeout_seconds;   /* 0: no limit */
    const char *entity;      /* --entity: NULL for all */
    const char *config;      /* --config FILE */
} options;

typedef struct agent {
    const wr_sync_spec *spec;
    options opt;
    wr_sync_options sync_opt;
    wr_log log;
    char *source_dsn, *target_dsn;   /* from --config; NULL: from the environment */
    wr_conn *source, *target;
    unsigned target_epoch;
    wr_entity_slot *slots;
} agent;

/* What a step of the agent came to, beyond 0 / WR_E*: these end the
 * process whatever the mode.  NOT_INITIALISED and FOREIGN are the two
 * kinds of REFUSED that --init tells apart. */
enum { REFUSED = 1000, LOCKED = 1001, NOT_INITIALISED = 1002, FOREIGN = 1003 };

/* ---- signals ---------------------------------------------------------------- */

static void on_signal(int sig)
{
    if (stop_requested) {   /* a second one: stop now, the server rolls back */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_requested = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;   /* the drivers' reads and writes go on; the loop checks the flag */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);   /* a closed socket or stderr is an error, not a death */
}

/* ---- options ------------------------------------------------------------------ */

static void usage(const wr_sync_spec *spec, FILE *f)
{
    fprintf(f,
            "usage: wellos-sync-%s [options]\n"
            "Keeps tenant %s's WellOS PostgreSQL in step with its %s database.\n\n"
            "  --once              one run, then exit (default: a run every %lld minutes)\n"
            "  --interval MINUTES  time between runs in the loop\n"
            "  --dry-run           connect to the source only: extract and transform, report\n"
            "                      counts and would-be rejects, write nothing\n"
            "  --full              ignore the stored watermarks: read everything\n"
            "  --entity NAME       only this entity\n"
            "  --batch-size N      rows per transaction (default %d)\n"
            "  --no-bulk-load      load an empty table in batches too (default: one\n"
            "                      transaction, its indexes and foreign keys made after)\n"
            "  --lock-timeout SECONDS\n"
            "                      a statement on the target that waits longer for a lock\n"
            "                      fails, and with it the run (default %d; 0: no limit)\n"
            "  --check             test both connections, the tenant marker and the target\n"
            "                      role's privileges, and prepare every statement a run\n"
            "                      reads the source or writes the target with (running none)\n"
            "  --init              create the target's tables and mark it as this tenant's\n"
            "  --config FILE       read %s and %s from FILE (lines NAME=VALUE,\n"
            "                      mode 0600 or stricter) instead of the environment\n"
            "  --version           print the agent's version\n"
            "  -h, --help          this help\n\n"
            "DSNs are read from the environment or --config, never from the command line.\n"
            "Exit status: 0 success, 1 a sync failed, 2 usage, 3 refused (target not\n"
            "initialised or another tenant's).\n",
            spec->tenant, spec->tenant, wr_dialect_name(spec->source_dialect),
            (long long)(spec->interval_seconds / 60), DEFAULT_BATCH, DEFAULT_LOCK_TIMEOUT, spec->source_env,
            spec->target_env);
}

static int usage_error(const wr_sync_spec *spec, const char *fmt, const char *arg)
{
    char text[512], masked[1100];
    snprintf(text, sizeof text, fmt, arg ? arg : "");
    wr_mask_secrets(text, masked, sizeof masked);   /* a DSN pasted by mistake */
    fprintf(stderr, "wellos-sync-%s: %s\nTry 'wellos-sync-%s --help'.\n", spec->tenant, masked, spec->tenant);
    wr_wipe(text, sizeof text);
    return EXIT_USAGE;
}

static bool parse_count(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* "--name value" or "--name=value": the value, or NULL (usage error). */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    *matched = false;
    if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
        return NULL;
    *matched = true;
    if (a[n] == '=')
        return a + n + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static const wr_sync_entity *find_entity(const wr_sync_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->n_entities; i++)
        if (strcmp(spec->entities[i].entity, name) == 0)
            return &spec->entities[i];
    return NULL;
}

static int parse_options(const wr_sync_spec *spec, int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->act = ACT_SYNC;
    o->interval_seconds = spec->interval_seconds > 0 ? spec->interval_seconds : 15 * 60;
    o->batch_size = DEFAULT_BATCH;
    o->lock_timeout_seconds = DEFAULT_LOCK_TIMEOUT;
    int actions = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool m;
        if (strcmp(a, "--once") == 0) {
            o->is_once = true;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->is_dry_run = true;
        } else if (strcmp(a, "--full") == 0) {
            o->is_full = true;
        } else if (strcmp(a, "--no-bulk-load") == 0) {
            o->is_bulk_refused = true;
        } else if (strcmp(a, "--check") == 0) {
            o->act = ACT_CHECK, actions++;
        } else if (strcmp(a, "--init") == 0) {
            o->act = ACT_INIT, actions++;
        } else if (strcmp(a, "--version") == 0) {
            o->act = ACT_VERSION, actions++;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->act = ACT_HELP, actions++;
        } else if ((v = option_value(argc, argv, &i, "--interval", &m)) || m) {
            int64_t minutes;
            if (!parse_count(v, 1, 60 * 24 * 366, &minutes))
                return usage_error(spec, "--interval takes a whole number of minutes (1 or more), not '%s'", v);
            o->interval_seconds = minutes * 60;
        } else if ((v = option_value(argc, argv, &i, "--batch-size", &m)) || m) {
            if (!parse_count(v, 1, MAX_BATCH, &o->batch_size))
                return usage_error(spec, "--batch-size takes a whole number from 1 to 10000000, not '%s'", v);
        } else if ((v = option_value(argc, argv, &i, "--lock-timeout", &m)) || m) {
            if (!parse_count(v, 0, MAX_LOCK_TIMEOUT, &o->lock_timeout_seconds))
                return usage_error(spec,
                                   "--lock-timeout takes a whole number of seconds from 0 (no limit) to 2147483, "
                                   "not '%s'",
                                   v);
        } else if ((v = option_value(argc, argv, &i, "--entity", &m)) || m) {
            if (!v || !*v)
                return usage_error(spec, "--entity needs a name%s", "");
            o->entity = v;
        } else if ((v = option_value(argc, argv, &i, "--config", &m)) || m) {
            if (!v || !*v)
                return usage_error(spec, "--config needs a file name%s", "");
            o->config = v;
        } else if (a[0] == '-') {
            return usage_error(spec, "unknown option '%s'", a);
        } else {
            return usage_error(spec, "unexpected argument '%s' (DSNs come from the environment or --config)", a);
        }
    }
    if (actions > 1)
        return usage_error(spec, "--check, --init, --version and --help go alone%s", "");
    if (o->entity && !find_entity(spec, o->entity)) {
        char names[400] = "";
        for (size_t i = 0; i < spec->n_entities && strlen(names) + 64 < sizeof names; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                     spec->entities[i].entity);
        char fmt[600];
        snprintf(fmt, sizeof fmt, "unknown entity '%%s' (this agent syncs: %s)", names);
        return usage_error(spec, fmt, o->entity);
    }
    if (o->is_dry_run)
        o->is_once = true;   /* a dry run reports once */
    return -1;   /* go on */
}

/* ---- --config ------------------------------------------------------------------ */

/* Reads FILE: it must be a regular file that only its owner may read or
 * write, and it gives the source's and target's DSN variables. */
static int read_config(agent *a, const char *path, wr_err *err)
{
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return wr_error(err, WR_ECONFIG, "--config %s: cannot open it: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return wr_error(err, WR_ECONFIG, "--config %s: not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return wr_error(err, WR_ECONFIG,
                        "--config %s: mode %04o lets group or others read it, and it holds passwords; "
                        "refusing it (chmod 600 %s)",
                        path, (unsigned)(st.st_mode & 07777), path);
    }
    if (st.st_size > CONFIG_MAX) {
        close(fd);
        return wr_error(err, WR_ECONFIG, "--config %s: larger than %d bytes", path, CONFIG_MAX);
    }
    char *text = calloc(1, (size_t)st.st_size + 1);
    ssize_t got = text ? read(fd, text, (size_t)st.st_size) : -1;
    close(fd);
    if (got < 0) {
        free(text);
        return wr_error(err, WR_ECONFIG, "--config %s: cannot read it", path);
    }
    text[got] = '\0';
    int rc = 0;
    unsigned line_no = 0;
    for (char *line = text, *next; line && rc == 0; line = next) {
        line_no++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        char *p = line + strspn(line, " \t");
        if (*p == '\0' || *p == '#')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7 + strspn(p + 7, " \t");
        char *eq = strchr(p, '=');
        if (!eq || eq == p) {
            rc = wr_error(err, WR_ECONFIG, "--config %s:%u: not NAME=VALUE", path, line_no);
            break;
        }
        *eq = '\0';
        for (char *end = eq; end > p && (end[-1] == ' ' || end[-1] == '\t');)
            *--end = '\0';
        char *value = eq + 1;
        size_t vlen = strlen(value);
        if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
            value[vlen - 1] = '\0';
            value++;
        }
        char **slot = strcmp(p, a->spec->source_env) == 0 ? &a->source_dsn
                    : strcmp(p, a->spec->target_env) == 0 ? &a->target_dsn : NULL;
        if (!slot)
            continue;   /* other variables: not ours */
        if (*slot) {
            rc = wr_error(err, WR_ECONFIG, "--config %s:%u: %s is set twice", path, line_no, p);
            break;
        }
        if (!(*slot = strdup(value)))
            rc = wr_error(err, WR_ENOMEM, "out of memory");
    }
    wr_wipe(text, (size_t)st.st_size);
    free(text);
    if (rc == 0 && !a->source_dsn)
        rc = wr_error(err, WR_ECONFIG, "--config %s: %s is not set in it", path, a->spec->source_env);
    if (rc == 0 && !a->target_dsn)
        rc = wr_error(err, WR_ECONFIG, "--config %s: %s is not set in it", path, a->spec->target_env);
    return rc;
}

static void free_dsn(char **dsn)
{
    if (*dsn) {
        wr_wipe(*dsn, strlen(*dsn));
        free(*dsn);
        *dsn = NULL;
    }
}

/* ---- connections, marker, lock ---------------------------------------------------- */

static int connect_to(agent *a, wr_conn **out, wr_dialect d, const char *dsn, const char *env, const char *role,
                      wr_err *err)
{
    char who[WR_WHO_SIZE];
    snprintf(who, sizeof who, "tenant %s %s", a->spec->tenant, role);
    if (dsn)
        return wr_connect(out, d, dsn, who, err);
    return wr_connect_env(out, d, env, who, err);
}

/* A target session (WHO: "target", "target (compare)"), with the lock
 * timeout of --lock-timeout set on it, and the server's limits on a
 * statement's time lifted: an initial load is one COPY as long as the whole
 * extract, in a transaction opened before the source sends its first row
 * (which a large sort can take minutes to do), and the comparison one scan
 * as long; limits meant for interactive queries and idle applications
 * would fail every run of a large table, forever. */
static int connect_target(agent *a, wr_conn **out, const char *who, wr_err *err)
{
    wr_conn *t = NULL;
    int rc = connect_to(a, &t, WR_POSTGRES, a->target_dsn, a->spec->target_env, who, err);
    if (!rc) {
        wr_conn_lift_time_limits(t);
        char ms[24];
        snprintf(ms, sizeof ms, "%lld", (long long)a->opt.lock_timeout_seconds * 1000);
        const char *params[1] = { ms };
        rc = wr_target_run(t, "lock_timeout", SET_LOCK_TIMEOUT, 1, params, NULL, NULL, NULL, NULL, err);
    }
    if (rc) {
        wr_conn_close(t);
        t = NULL;
    }
    *out = t;
    return rc;
}

/* The comparison's session (wr_diff.c): the target again, read only. */
static int connect_compare(void *ctx, wr_conn **out, wr_err *err)
{
    return connect_target(ctx, out, "target (compare)", err);
}

static void close_source(agent *a)
{
    if (!a->source)
        return;
    for (size_t i = 0; i < a->spec->n_entities; i++) {
        wr_stmts_release(a->source, &a->slots[i].extract);
        wr_stmts_release(a->source, &a->slots[i].extract_keys);
    }
    wr_conn_close(a->source);
    a->source = NULL;
}

static void close_target(agent *a)
{
    wr_conn_close(a->target);   /* the lock goes with the session */
    a->target = NULL;
}

typedef struct marker {
    const char *tenant;
    bool has_own;
    char other[128];
} marker;

static int on_marker(void *ctx, const wr_row *row)
{
    marker *m = ctx;
    const char *v = row->n > 0 ? row->values[0] : NULL;
    if (v && strcmp(v, m->tenant) == 0)
        m->has_own = true;
    else if (!m->other[0])
        snprintf(m->other, sizeof m->other, "%s", v ? v : "(NULL)");
    return 0;
}

/* 0: the target is marked as this tenant's; NOT_INITIALISED or FOREIGN
 * (message in err); else a WR_E* code. */
static int read_marker(agent *a, wr_conn *target, wr_err *err)
{
    marker m = { .tenant = a->spec->tenant };
    char sqlstate[WR_SQLSTATE_SIZE];
    int rc = wr_target_run(target, "marker_read", a->spec->marker_read, 0, NULL, on_marker, &m, NULL, sqlstate, err);
    if (rc && strcmp(sqlstate, "42P01") == 0)   /* undefined_table: never initialised */
        return wr_error(err, NOT_INITIALISED,
                        "tenant %s: the target database is not initialised for a sync agent: run with --init",
                        a->spec->tenant);
    if (rc)
        return rc;
    if (m.other[0])
        return wr_error(err, FOREIGN,
                        "tenant %s: the target database is marked for tenant '%s', not '%s': refusing to write to it",
                        a->spec->tenant, m.other, a->spec->tenant);
    if (!m.has_own)
        return wr_error(err, NOT_INITIALISED,
                        "tenant %s: the target database has no tenant marker: not initialised: run with --init",
                        a->spec->tenant);
    return 0;
}

/* read_marker, with both refusals as REFUSED. */
static int check_marker(agent *a, wr_conn *target, wr_err *err)
{
    int rc = read_marker(a, target, err);
    if (rc == NOT_INITIALISED || rc == FOREIGN) {
        if (err)
            err->code = REFUSED;
        return REFUSED;
    }
    return rc;
}

/* FNV-1a, 64 bits, of the tenant's name: the advisory lock's key.  Anyone
 * can compute it to see whether an agent of a tenant is running. */
static int64_t lock_key(const char *tenant)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)tenant; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return (int64_t)h;
}

static int on_lock(void *ctx, const wr_row *row)
{
    int *got = ctx;
    const char *v = row->n > 0 ? row->values[0] : NULL;
    *got = v && (strcmp(v, "t") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    return 1;
}

static int take_lock(agent *a, wr_conn *target, wr_err *err)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)lock_key(a->spec->tenant));
    const char *params[1] = { key };
    int got = -1;
    int rc = wr_target_run(target, "lock", a->spec->lock, 1, params, on_lock, &got, NULL, NULL, err);
    if (rc)
        return rc;
    if (got < 0)
        return wr_error(err, WR_ERROR, "tenant %s: lock: the statement returned no row", a->spec->tenant);
    if (!got)
        return wr_error(err, LOCKED,
                        "tenant %s: another agent of this tenant is running (it holds the advisory lock %s on the "
                        "target); this one stops",
                        a->spec->tenant, key);
    return 0;
}

/* An open target, marked as this tenant's, with the lock held.  A session
 * kept from the last run may have been ended by the server while the loop
 * waited (idle_session_timeout, a restart, a firewall that forgets idle
 * connections), which the client learns only by using it: one round trip
 * asks, before any statement that matters. */
static int ensure_target(agent *a, wr_err *err)
{
    if (a->target && !wr_conn_is_lost(a->target) && wr_exec(a->target, "SELECT 1", NULL) == WR_OK)
        return 0;
    close_target(a);
    wr_conn *t = NULL;
    int rc = connect_target(a, &t, "target", err);
    if (!rc)
        rc = check_marker(a, t, err);
    if (!rc)
        rc = take_lock(a, t, err);
    if (rc) {
        wr_conn_close(t);
        return rc;
    }
    a->target = t;
    a->target_epoch++;
    return 0;
}

static int ensure_source(agent *a, wr_err *err)
{
    if (a->source && !wr_conn_is_lost(a->source))
        return 0;
    close_source(a);
    int rc = connect_to(a, &a->source, a->spec->source_dialect, a->source_dsn, a->spec->source_env, "source", err);
    if (!rc)   /* the extract is one query as long as the table */
        wr_conn_lift_time_limits(a->source);
    return rc;
}

/* ---- one run ----------------------------------------------------------------------- */

/* A run whose target session was lost could not say so in the state: say
 * it on a new session (marked, locked), if the target answers; otherwise
 * the state keeps 'running' until the next run. */
static void record_lost_run(agent *a, const wr_sync_entity *e, const wr_sync_counts *c, const char *message)
{
    wr_err ignored = { 0, "" };
    if (ensure_target(a, &ignored) != 0)
        return;
    wr_sync_env env = { .spec = a->spec, .opt = &a->sync_opt, .log = &a->log, .target = a->target,
                        .target_epoch = a->target_epoch };
    if (wr_sync_record_failure(&env, e, c, message, &ignored) == 0)
        wr_log_message(&a->log, WR_LOG_INFO, "state", e->entity, "the failure is recorded on a new target session");
}

/* 0, REFUSED, LOCKED, or a negative code: the run failed. */
static int run_once(agent *a, wr_err *first_err)
{
    wr_err err = { 0, "" };
    int rc = 0;
    if (!a->opt.is_dry_run)
        rc = ensure_target(a, &err);
    if (!rc)
        rc = ensure_source(a, &err);
    if (rc) {
        *first_err = err;
        if (rc != REFUSED && rc != LOCKED && rc != WR_ECONFIG && rc != WR_EUNSUPPORTED)
            wr_log_message(&a->log, WR_LOG_ERROR, "connect", NULL, "%s", err.message);
        if (a->source && wr_conn_is_lost(a->source))
            close_source(a);
        return rc;
    }
    int failures = 0;
    for (size_t i = 0; i < a->spec->n_entities && !stop_requested; i++) {
        const wr_sync_entity *e = &a->spec->entities[i];
        if (a->opt.entity && strcmp(a->opt.entity, e->entity) != 0)
            continue;
        wr_sync_env env = { .spec = a->spec, .opt = &a->sync_opt, .log = &a->log, .source = a->source,
                            .target = a->opt.is_dry_run ? NULL : a->target, .target_epoch = a->target_epoch,
                            .connect_target = connect_compare, .connect_ctx = a };
        wr_sync_result res;
        int64_t t0 = wr_log_clock_ms();
        err = (wr_err){ 0, "" };
        int erc = wr_sync_entity_run(&env, e, &a->slots[i], &res, &err);
        wr_log_entity(&a->log, e->entity, &res.counts, wr_log_clock_ms() - t0, res.status, erc ? err.message : NULL);
        if (erc) {
            if (failures++ == 0)
                *first_err = err;
            if (a->target && wr_conn_is_lost(a->target)) {
                record_lost_run(a, e, &res.counts, err.message);
                break;   /* the other entities cannot write either */
            }
        }
    }
    /* After a failure the source starts afresh: a driver does not always
     * see that its session is gone (a killed MySQL session can look alive
     * to it), and reconnecting costs little.  The target is kept unless
     * lost: it holds the lock. */
    if (a->source && (failures || wr_conn_is_lost(a->source)))
        close_source(a);
    if (a->target && wr_conn_is_lost(a->target))
        close_target(a);
    return failures ? (first_err->code < 0 ? first_err->code : WR_ERROR) : 0;
}

/* Sleeps, waking at once on a signal (checked at least once a second). */
static void sleep_unless_stopped(int64_t ms)
{
    while (ms > 0 && !stop_requested) {
        int64_t step = ms < 1000 ? ms : 1000;
        struct timespec ts = { (time_t)(step / 1000), (long)(step % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* The wait after the n-th failure in a row: 5 s doubling, capped at the
 * interval, then spread over its upper half so agents restarted together
 * do not retry together. */
static int64_t backoff_ms(int failures, int64_t interval_seconds, unsigned *seed)
{
    int64_t ms = (int64_t)BACKOFF_FIRST_SECONDS * 1000;
    for (int i = 1; i < failures && ms < interval_seconds * 1000; i++)
        ms *= 2;
    if (ms > interval_seconds * 1000)
        ms = interval_seconds * 1000;
    return ms / 2 + (int64_t)(rand_r(seed) % (unsigned)(ms / 2 + 1));
}

static int sync_loop(agent *a)
{
    char mode[64];
    if (a->opt.is_once)
        snprintf(mode, sizeof mode, "%s", a->opt.is_dry_run ? "a dry run" : "one run");
    else
        snprintf(mode, sizeof mode, "a run every %lld s", (long long)a->opt.interval_seconds);
    wr_log_message(&a->log, WR_LOG_INFO, "start", a->opt.entity,
                   "wellos-sync-%s %s (spec %s, runtime %s) starting: %s, batch size %lld%s", a->spec->tenant,
                   a->spec->compiler_version, a->spec->spec_hash, WR_VERSION, mode, (long long)a->opt.batch_size,
                   a->opt.is_full ? ", ignoring stored watermarks" : "");
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    int failures = 0, status = EXIT_OK;
    while (!stop_requested) {
        int64_t started = wr_log_clock_ms();
        wr_err err = { 0, "" };
        int rc = run_once(a, &err);
        if (rc == REFUSED || rc == LOCKED) {
            wr_log_message(&a->log, WR_LOG_ERROR, rc == REFUSED ? "refused" : "locked", NULL, "%s", err.message);
            status = rc == REFUSED ? EXIT_REFUSED : EXIT_FAILED;
            break;
        }
        if (rc == WR_ECONFIG || rc == WR_EUNSUPPORTED) {   /* will not mend by waiting */
            wr_log_message(&a->log, WR_LOG_ERROR, "config", NULL, "%s", err.message);
            status = rc == WR_ECONFIG ? EXIT_USAGE : EXIT_FAILED;
            break;
        }
        if (a->opt.is_once) {
            status = rc < 0 ? EXIT_FAILED : EXIT_OK;
            break;
        }
        int64_t wait;
        if (rc < 0) {
            failures++;
            wait = backoff_ms(failures, a->opt.interval_seconds, &seed);
            wr_log_message(&a->log, WR_LOG_WARN, "retry", NULL, "run failed (%d in a row); next try in %.1f s",
                           failures, (double)wait / 1000.0);
        } else {
            failures = 0;
            wait = a->opt.interval_seconds * 1000 - (wr_log_clock_ms() - started);
        }
        sleep_unless_stopped(wait);
    }
    wr_log_message(&a->log, status == EXIT_OK ? WR_LOG_INFO : WR_LOG_ERROR, "stop", NULL,
                   "stopping%s, exit status %d", stop_requested ? " on a signal" : "", status);
    return status;
}

/* ---- --check and --init ------------------------------------------------------------ */

/* Every source statement of the spec (each entity's extract, and its keys'
 * for `deletes soft`) prepared and forgotten, nothing run: the source's
 * server says whether the tables and columns the spec reads are there.
 * *n: how many were checked. */
static int check_extracts(agent *a, wr_conn *source, int *n, wr_err *err)
{
    *n = 0;
    for (size_t i = 0; i < a->spec->n_entities; i++) {
        const wr_stmt *stmts[2] = { &a->spec->entities[i].extract, &a->spec->entities[i].extract_keys };
        for (int k = 0; k < 2; k++) {
            if (!stmts[k]->sql)
                continue;
            int rc = wr_check_statement(source, stmts[k], err);
            if (rc)
                return rc;
            (*n)++;
        }
    }
    return 0;
}

/* What the runs need on the target beyond the marker (README.md, "What the
 * agent's roles need"), each statement giving one text of what is missing,
 * or NULL: the tables of the entities ($1, quoted), then the agent's own. */
static const char MISSING_ON_TABLE[] =
    "SELECT $1 || ': ' || string_agg(p, ', ') FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE']) p "
    "WHERE NOT has_table_privilege($1, p)";
static const char MISSING_ON_OWN[] =
    "SELECT nullif(concat_ws('; ', "
    "(SELECT 'wellos_sync_state: ' || string_agg(p, ', ') FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE']) p "
    "WHERE NOT has_table_privilege('wellos_sync_state', p)), "
    "(SELECT 'wellos_sync_rejects: ' || string_agg(p, ', ') FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE']) p "
    "WHERE NOT has_table_privilege('wellos_sync_rejects', p)), "
    "CASE WHEN NOT has_sequence_privilege('wellos_sync_rejects_id_seq', 'USAGE') "
    "THEN 'wellos_sync_rejects_id_seq: USAGE' END, "
    "CASE WHEN NOT has_database_privilege(current_database(), 'TEMPORARY') THEN 'the database: TEMPORARY' END), '')";

typedef struct missing {
    char text[512];
} missing;

static int on_missing(void *ctx, const wr_row *row)
{
    missing *m = ctx;
    const char *v = row->n > 0 ? row->values[0] : NULL;
    size_t n = strlen(m->text);
    if (v && *v)
        snprintf(m->text + n, sizeof m->text - n, "%s%s", n ? "; " : "", v);
    return 1;
}

/* The privileges a run needs on the target, checked without writing: a
 * missing one is said before a run fails on it. */
static int check_privileges(agent *a, wr_conn *target, wr_err *err)
{
    missing m = { "" };
    int rc = 0;
    for (size_t i = 0; !rc && i < a->spec->n_entities; i++) {
        const char *params[1] = { a->spec->entities[i].table };
        if (params[0])
            rc = wr_target_run(target, "privileges", MISSING_ON_TABLE, 1, params, on_missing, &m, NULL, NULL, err);
    }
    if (!rc)
        rc = wr_target_run(target, "privileges", MISSING_ON_OWN, 0, NULL, on_missing, &m, NULL, NULL, err);
    if (!rc && m.text[0])
        rc = wr_error(err, WR_ERROR, "the agent's role lacks %s (README.md, \"What the agent's roles need\")",
                      m.text);
    return rc;
}

/* Every statement a batch runs on an entity's table (its checks of the
 * staged rows, the upsert, the soft delete) prepared and EXPLAINed, running
 * none, in a transaction rolled back: the staging tables they read are made
 * for it.  A column renamed or dropped, or a key with no unique index to
 * upsert on, is named here before a run fails on it.  *n: how many. */
static int check_target_statements(agent *a, wr_conn *target, int *n, wr_err *err)
{
    *n = 0;
    int rc = wr_exec(target, "BEGIN", err);
    for (size_t i = 0; !rc && i < a->spec->n_entities; i++) {
        const wr_sync_entity *e = &a->spec->entities[i];
        if (e->stage_create)
            rc = wr_exec(target, e->stage_create, err);
        if (!rc && e->keys_create)
            rc = wr_exec(target, e->keys_create, err);
        for (size_t k = 0; !rc && k < e->n_checks + 2; k++) {
            const char *sql = k < e->n_checks ? e->checks[k] : k == e->n_checks ? e->upsert : e->mark_deleted;
            if (!sql)
                continue;
            char name[256];
            snprintf(name, sizeof name, "%s.%s", e->entity,
                     k < e->n_checks ? "check" : k == e->n_checks ? "upsert" : "mark_deleted");
            wr_stmt st = { .name = name, .sql = sql, .n_placeholders = -1 };
            if (!(rc = wr_check_statement(target, &st, err)))
                (*n)++;
        }
    }
    wr_err ignored = { 0, "" };
    if (wr_exec(target, "ROLLBACK", &ignored) && !rc)
        rc = wr_error(err, ignored.code, "%s", ignored.message);
    return rc;
}

static int do_check(agent *a)
{
    wr_err err = { 0, "" };
    wr_conn *c = NULL;
    bool is_ok = true;
    int rc = connect_to(a, &c, a->spec->source_dialect, a->source_dsn, a->spec->source_env, "source", &err);
    char masked[sizeof err.message + 64];
    if (rc) {
        wr_mask_secrets(err.message, masked, sizeof masked);
        printf("source (%s, %s): failed: %s\n", wr_dialect_name(a->spec->source_dialect), a->spec->source_env,
               masked);
        is_ok = false;
    } else {
        int n = 0;
        rc = check_extracts(a, c, &n, &err);
        const char *dialect = wr_dialect_name(a->spec->source_dialect);
        if (rc == WR_EUNSUPPORTED) {
            printf("source (%s, %s): ok (its statements are not checked: %s cannot prepare without running)\n",
                   dialect, a->spec->source_env, dialect);
        } else if (rc) {
            wr_mask_secrets(err.message, masked, sizeof masked);
            printf("source (%s, %s): failed: %s\n", dialect, a->spec->source_env, masked);
            is_ok = false;
        } else {
            printf("source (%s, %s): ok, its %d statements prepare\n", dialect, a->spec->source_env, n);
        }
    }
    wr_conn_close(c);
    c = NULL;
    rc = connect_target(a, &c, "target", &err);
    if (!rc)
        rc = check_marker(a, c, &err);
    if (!rc)
        rc = check_privileges(a, c, &err);
    int n_target = 0;
    if (!rc)
        rc = check_target_statements(a, c, &n_target, &err);
    if (rc) {
        wr_mask_secrets(err.message, masked, sizeof masked);
        printf("target (postgres, %s): failed: %s\n", a->spec->target_env, masked);
        is_ok = false;
    } else {
        printf("target (postgres, %s): ok, marked for tenant %s, with the privileges a run needs; "
               "its %d statements prepare\n", a->spec->target_env, a->spec->tenant, n_target);
    }
    wr_conn_close(c);
    fflush(stdout);
    return is_ok ? EXIT_OK : EXIT_FAILED;
}

static int init_target(agent *a, wr_conn *t, bool *was_initialised, wr_err *err)
{
    int rc = read_marker(a, t, err);
    if (rc == FOREIGN)
        return REFUSED;   /* another tenant's: touch nothing */
    if ((rc = take_lock(a, t, err)))
        return rc;
    if ((rc = wr_exec(t, "BEGIN", err)))
        return rc;
    rc = wr_exec(t, a->spec->init_sql, err);
    if (!rc) {
        rc = read_marker(a, t, err);
        *was_initialised = rc == 0;
        if (rc == NOT_INITIALISED) {   /* no marker yet: ours now */
            const char *params[1] = { a->spec->tenant };
            rc = wr_target_run(t, "marker_write", a->spec->marker_write, 1, params, NULL, NULL, NULL, NULL, err);
        } else if (rc == FOREIGN) {
            rc = REFUSED;   /* marked by another tenant's --init meanwhile */
        }
    }
    if (!rc)
        rc = wr_exec(t, "COMMIT", err);
    if (rc)
        wr_exec(t, "ROLLBACK", NULL);
    return rc;
}

static int do_init(agent *a)
{
    wr_err err = { 0, "" };
    wr_conn *t = NULL;
    bool was = false;
    int rc = connect_target(a, &t, "target", &err);
    if (!rc)
        rc = init_target(a, t, &was, &err);
    wr_conn_close(t);
    if (rc) {
        wr_log_message(&a->log, WR_LOG_ERROR, "init", NULL, "%s", err.message);
        return rc == REFUSED ? EXIT_REFUSED : rc == WR_ECONFIG ? EXIT_USAGE : EXIT_FAILED;
    }
    wr_log_message(&a->log, WR_LOG_INFO, "init", NULL,
                   was ? "the target was already initialised for tenant %s; its tables are checked"
                       : "the target is initialised and marked for tenant %s",
                   a->spec->tenant);
    return EXIT_OK;
}

/* ---- main ---------------------------------------------------------------------------- */

int wr_agent_main(const wr_sync_spec *spec, int argc, char **argv)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "C.utf8");
    wr_use_postgres();   /* the target is always PostgreSQL (the bulk loader needs libpq anyway) */
    agent a;
    memset(&a, 0, sizeof a);
    a.spec = spec;
    int status = parse_options(spec, argc, argv, &a.opt);
    if (status >= 0)
        return status;
    if (a.opt.act == ACT_HELP) {
        usage(spec, stdout);
        return EXIT_OK;
    }
    if (a.opt.act == ACT_VERSION) {
        printf("wellos-sync-%s %s spec %s\n", spec->tenant, spec->compiler_version, spec->spec_hash);
        return EXIT_OK;
    }
    wr_log_init(&a.log, spec->tenant);
    if (a.opt.config) {
        wr_err err = { 0, "" };
        if (read_config(&a, a.opt.config, &err)) {
            wr_log_message(&a.log, WR_LOG_ERROR, "config", NULL, "%s", err.message);
            free_dsn(&a.source_dsn);
            free_dsn(&a.target_dsn);
            return EXIT_USAGE;
        }
    }
    install_signals();
    if (a.opt.act == ACT_CHECK) {
        status = do_check(&a);
    } else if (a.opt.act == ACT_INIT) {
        status = do_init(&a);
    } else {
        a.slots = calloc(spec->n_entities ? spec->n_entities : 1, sizeof *a.slots);
        if (!a.slots) {
            status = EXIT_FAILED;
        } else {
            for (size_t i = 0; i < spec->n_entities; i++) {
                a.slots[i].extract = (wr_stmts){ .list = &spec->entities[i].extract, .n = 1 };
                a.slots[i].extract_keys = (wr_stmts){ .list = &spec->entities[i].extract_keys, .n = 1 };
            }
            a.sync_opt = (wr_sync_options){ .is_dry_run = a.opt.is_dry_run, .is_full = a.opt.is_full,
                                            .is_bulk_refused = a.opt.is_bulk_refused,
                                            .batch_size = a.opt.batch_size, .stop = &stop_requested };
            status = sync_loop(&a);
        }
        close_source(&a);
        close_target(&a);
        free(a.slots);
    }
    free_dsn(&a.source_dsn);
    free_dsn(&a.target_dsn);
    return status;
}
