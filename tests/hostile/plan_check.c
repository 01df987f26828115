/* tests/hostile/plan_check.c - every statement of a `wellosc plan` checked
 * on real servers, without writing anything.
 *
 *   plan_check [-v] PLAN TARGET_CONNINFO [SOURCE_DSN]
 *
 * PLAN is the output of `wellosc plan --tenant T SPEC` for one tenant.  It
 * is split generically: a step starts at a line `-- [source DIALECT] what`
 * or `-- [target DIALECT] what` and holds the lines up to the next such
 * line or `-- == section ==` line, less the trailing comment and blank
 * lines (the plan's prose).  So a statement the compiler adds later is
 * checked without a change here; a line that starts with "-- [" but does
 * not name a source or a target fails the check, so that a change of the
 * format cannot make the steps silently disappear.
 *
 * Each step runs, in the plan's order, on its database (TARGET_CONNINFO,
 * a libpq conninfo, for `target postgres`; SOURCE_DSN, "host=H port=P
 * user=U [password=W] dbname=D", for `source postgres` or `source mysql`):
 *
 *   PostgreSQL: one session per database holds one transaction from the
 *   first step to the last, then rolls it back; each step runs after a
 *   savepoint (released, or rolled back to when the step fails; not for
 *   COPY ... FREEZE, which PostgreSQL runs only in the subtransaction that
 *   truncated the table, as the agent's transaction did).  So a
 *   step sees what the steps before it did, as in the agent (the staging
 *   table its CREATE TEMP TABLE made, an index a bulk-load step dropped),
 *   and nothing stays.  SELECT, INSERT, UPDATE, DELETE, WITH, VALUES, TABLE
 *   and MERGE are prepared (PQprepare, the protocol's PREPARE); nothing
 *   runs.  Anything else (COPY, CREATE TEMP TABLE, TRUNCATE, the init
 *   DDL...) is run, COPY ... FROM STDIN with no rows and COPY ... TO
 *   STDOUT read to its end.  BEGIN and START are run and rolled back,
 *   COMMIT, END, ROLLBACK and ABORT run after a BEGIN, in a second session;
 *   a statement that refuses a transaction block (SQLSTATE 25001) is run
 *   there too, outside one (so it waits for the locks of the plan's
 *   transaction: lock_timeout is 10 s, and that fails the step).
 *
 *   MariaDB: every step is prepared (mysql_stmt_prepare, the binary
 *   protocol's PREPARE); one the server cannot prepare
 *   (ER_UNSUPPORTED_PS) is run inside START TRANSACTION ... ROLLBACK.
 *
 * The sessions are set up as the runtime sets up the agent's
 * (runtime/wr_pg.c, runtime/wr_mysql.c): UTF-8, UTC, and MariaDB's
 * sql_mode.  A failure prints the step, the whole statement and the
 * server's error.  The last line counts, per dialect, the statements
 * prepared and those run and rolled back:
 *
 *   plan_check: postgres 31 prepared, 17 run; mysql 4 prepared, 0 run; 0 failed
 *
 * Exit status: 0 when every step passed and there was at least one; 1 when
 * one failed; 2 on a usage or connection error. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>
#include <mysql.h>
#include <mysqld_error.h>

enum { D_POSTGRES, D_MYSQL, N_DIALECTS };
static const char *const DIALECT_NAMES[N_DIALECTS] = { "postgres", "mysql" };

typedef struct {
    int prepared[N_DIALECTS];
    int run[N_DIALECTS];
    int failed;
    bool verbose;
} tally;

typedef struct {
    char *where;     /* "target postgres" */
    char *what;      /* the plan's description of the step */
    char *sql;       /* without the trailing ';' */
    int line;        /* of the header in PLAN */
} step;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("plan_check: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                fputs("plan_check: out of memory\n", stderr);
                exit(2);
            }
            buf = grown;
        }
    }
    if (ferror(f)) {
        perror(path);
        exit(2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A line that is blank or only an SQL comment. */
static bool is_prose(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)line[i]))
        i++;
    return i == len || (len - i >= 2 && line[i] == '-' && line[i + 1] == '-');
}

/* Splits PLAN into steps; returns their number, or -1 after printing why. */
static int split_plan(char *text, step **out)
{
    size_t cap = 64, n = 0;
    step *steps = xmalloc(cap * sizeof *steps);
    step *cur = NULL;
    const char *body = NULL;   /* start of the current step's body */
    const char *body_end = NULL; /* end of its last line that is not prose */
    int lineno = 0;
    for (char *line = text; *line; ) {
        char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char *next = eol ? eol + 1 : line + len;
        lineno++;
        bool header = starts_with(line, "-- [");
        bool section = starts_with(line, "-- ==");
        if ((header || section) && cur) {
            cur->sql = body_end ? xstrndup(body, (size_t)(body_end - body)) : xstrndup("", 0);
            cur = NULL;
        }
        if (header) {
            const char *close = memchr(line, ']', len);
            char *where = close ? xstrndup(line + 4, (size_t)(close - line - 4)) : NULL;
            if (!where || (!starts_with(where, "source ") && !starts_with(where, "target "))) {
                fprintf(stderr, "FAIL plan line %d: a step header that names no source or target: %.*s\n", lineno,
                        (int)len, line);
                free(where);
                free(steps);
                return -1;
            }
            if (n == cap) {
                cap *= 2;
                step *grown = realloc(steps, cap * sizeof *steps);
                if (!grown) {
                    fputs("plan_check: out of memory\n", stderr);
                    exit(2);
                }
                steps = grown;
            }
            cur = &steps[n++];
            cur->where = where;
            const char *w = close + 1;
            while (*w == ' ')
                w++;
            cur->what = xstrndup(w, (size_t)(line + len - w));
            cur->line = lineno;
            cur->sql = NULL;
            body = next;
            body_end = NULL;
        } else if (cur && !is_prose(line, len)) {
            body_end = line + len;
        }
        line = next;
    }
    if (cur)
        cur->sql = body_end ? xstrndup(body, (size_t)(body_end - body)) : xstrndup("", 0);
    for (size_t i = 0; i < n; i++) {
        /* the statement's own ';' goes: PREPARE takes one statement */
        size_t len = strlen(steps[i].sql);
        while (len && (isspace((unsigned char)steps[i].sql[len - 1]) || steps[i].sql[len - 1] == ';'))
            steps[i].sql[--len] = '\0';
    }
    *out = steps;
    return (int)n;
}

/* The first word of a statement, upper-cased, after blanks and comments. */
static void first_words(const char *sql, char *w1, char *w2, size_t size)
{
    const char *p = sql;
    char *words[2] = { w1, w2 };
    for (int k = 0; k < 2; k++) {
        for (;;) {
            while (isspace((unsigned char)*p))
                p++;
            if (p[0] == '-' && p[1] == '-') {
                p += strcspn(p, "\n");
            } else if (p[0] == '/' && p[1] == '*') {
                const char *end = strstr(p + 2, "*/");
                p = end ? end + 2 : p + strlen(p);
            } else {
                break;
            }
        }
        size_t i = 0;
        while (isalpha((unsigned char)*p) || *p == '_') {
            if (i + 1 < size)
                words[k][i++] = (char)toupper((unsigned char)*p);
            p++;
        }
        words[k][i] = '\0';
    }
}

static bool is_one_of(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(word, *list) == 0)
            return true;
    return false;
}

static void fail(tally *t, const step *s, const char *how, const char *fmt, ...)
{
    t->failed++;
    printf("FAIL [%s] %s (plan line %d): %s\n", s->where, s->what, s->line, how);
    printf("     statement: %s\n", s->sql);
    printf("     error: ");
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static void pass(tally *t, const step *s, const char *how)
{
    if (t->verbose)
        printf("ok   [%s] %s: %s\n", s->where, s->what, how);
}

/* ---- PostgreSQL ---------------------------------------------------------- */

typedef struct {
    char message[2048];
    char sqlstate[6];
} pg_error;

static void pg_note(const PGresult *r, pg_error *e)
{
    if (e->message[0])
        return;   /* the first error wins */
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state ? state : "");
    snprintf(e->message, sizeof e->message, "%s", PQresultErrorMessage(r));
    size_t n = strlen(e->message);
    while (n && e->message[n - 1] == '\n')
        e->message[--n] = '\0';
}

/* Runs SQL (one or more statements) on the simple protocol, every result
 * read; COPY FROM STDIN gets no rows, COPY TO STDOUT is read to its end.
 * Returns true when no statement failed. */
static bool pg_run(PGconn *c, const char *sql, pg_error *e)
{
    e->message[0] = '\0';
    e->sqlstate[0] = '\0';
    if (!PQsendQuery(c, sql)) {
        snprintf(e->message, sizeof e->message, "%s", PQerrorMessage(c));
        return false;
    }
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL) {
        switch (PQresultStatus(r)) {
        case PGRES_COPY_IN: {
            /* no rows: nothing in text; in binary, the header and the trailer */
            static const char binary_empty[21] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0\377\377";
            if ((PQbinaryTuples(r) && PQputCopyData(c, binary_empty, sizeof binary_empty) != 1)
                || PQputCopyEnd(c, NULL) != 1)
                snprintf(e->message, sizeof e->message, "%s", PQerrorMessage(c));
            break;
        }
        case PGRES_COPY_OUT: {
            char *buf;
            int got;
            while ((got = PQgetCopyData(c, &buf, 0)) > 0)
                PQfreemem(buf);
            if (got == -2)
                snprintf(e->message, sizeof e->message, "%s", PQerrorMessage(c));
            break;
        }
        case PGRES_FATAL_ERROR:
        case PGRES_BAD_RESPONSE:
            pg_note(r, e);
            break;
        default:
            break;
        }
        PQclear(r);
    }
    return e->message[0] == '\0';
}

static bool pg_simple(PGconn *c, const char *sql)
{
    pg_error e;
    if (pg_run(c, sql, &e))
        return true;
    fprintf(stderr, "plan_check: %s: %s\n", sql, e.message);
    return false;
}

static void pg_must(PGconn *c, const char *sql)
{
    if (!pg_simple(c, sql))
        exit(2);
}

/* A database's two sessions: `work`, in one transaction from its opening
 * to the end of the plan (then rolled back), where every step runs after
 * a savepoint, so that it sees what the steps before it did (a temp table,
 * DDL) and a failed step does not hide the next ones; `control`, opened
 * when needed, for what cannot run in that transaction: BEGIN, COMMIT and
 * the like, and a statement that refuses a transaction block. */
typedef struct {
    const char *conninfo;
    PGconn *work, *control;
} pg_db;

static PGconn *pg_open(const char *conninfo);

static void pg_step(pg_db *db, const step *s, tally *t)
{
    static const char *const PREPARABLE[] = { "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "TABLE",
                                              "MERGE", NULL };
    static const char *const OPENS[] = { "BEGIN", "START", NULL };
    static const char *const CLOSES[] = { "COMMIT", "END", "ROLLBACK", "ABORT", NULL };
    char w1[32], w2[32];
    first_words(s->sql, w1, w2, sizeof w1);
    pg_error e = { "", "" };
    bool ok;
    const char *how;
    if (is_one_of(w1, OPENS) || is_one_of(w1, CLOSES)) {
        if (!db->control)
            db->control = pg_open(db->conninfo);
        if (is_one_of(w1, OPENS)) {
            how = "run, then rolled back (in a session of its own)";
            ok = pg_run(db->control, s->sql, &e);
            pg_must(db->control, "ROLLBACK");
        } else {
            how = "run after a BEGIN (in a session of its own)";
            pg_must(db->control, "BEGIN");
            ok = pg_run(db->control, s->sql, &e);
        }
        if (ok) {
            t->run[D_POSTGRES]++;
            pass(t, s, how);
        } else {
            fail(t, s, how, "%s (SQLSTATE %s)", e.message, e.sqlstate);
        }
        return;
    }
    /* COPY ... FREEZE needs its table truncated in the same subtransaction,
     * as it is in the agent's one transaction: it runs without a savepoint
     * (a failure then aborts the rest of the plan's transaction) */
    size_t n = strlen(s->sql);
    bool is_freeze = strcasecmp(w1, "COPY") == 0 && n > 9 && strcmp(s->sql + n - 9, ", FREEZE)") == 0;
    if (!is_freeze)
        pg_must(db->work, "SAVEPOINT plan_step");
    if (is_one_of(w1, PREPARABLE)) {
        how = "PREPARE on postgres";
        PGresult *r = PQprepare(db->work, "", s->sql, 0, NULL);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            pg_note(r, &e);
        PQclear(r);
    } else {
        how = "run in the plan's transaction, rolled back at its end";
        ok = pg_run(db->work, s->sql, &e);
    }
    if (!is_freeze)
        pg_must(db->work, ok ? "RELEASE SAVEPOINT plan_step" : "ROLLBACK TO SAVEPOINT plan_step");
    if (!ok && strcmp(e.sqlstate, "25001") == 0) {   /* cannot run inside a transaction block */
        if (!db->control)
            db->control = pg_open(db->conninfo);
        how = "run outside a transaction (it cannot run inside one)";
        ok = pg_run(db->control, s->sql, &e);
    }
    if (!ok) {
        fail(t, s, how, "%s (SQLSTATE %s)", e.message, e.sqlstate);
    } else if (is_one_of(w1, PREPARABLE)) {
        t->prepared[D_POSTGRES]++;
        pass(t, s, "prepared");
    } else {
        t->run[D_POSTGRES]++;
        pass(t, s, how);
    }
}

static bool verbose_notices;

static void pg_notice(void *arg, const char *message)
{
    (void)arg;
    if (verbose_notices)
        fprintf(stderr, "     notice: %s", message);
}

static PGconn *pg_open(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "plan_check: cannot connect to postgres (%s): %s", conninfo, PQerrorMessage(c));
        exit(2);
    }
    PQsetNoticeProcessor(c, pg_notice, NULL);
    PQsetClientEncoding(c, "UTF8");
    pg_must(c, "SET TIME ZONE 'UTC'");
    /* never hang: a step that waits on a lock fails with the server's
     * "lock timeout" (the second session waits on the plan's transaction) */
    pg_must(c, "SET lock_timeout = '10s'");
    pg_must(c, "SET statement_timeout = '120s'");
    return c;
}

static void pg_db_open(pg_db *db, const char *conninfo)
{
    db->conninfo = conninfo;
    db->work = pg_open(conninfo);
    db->control = NULL;
    pg_must(db->work, "BEGIN");
}

static void pg_db_close(pg_db *db)
{
    if (!db->work)
        return;
    pg_must(db->work, "ROLLBACK");
    PQfinish(db->work);
    if (db->control)
        PQfinish(db->control);
}

/* ---- MariaDB ------------------------------------------------------------- */

static void my_drain(MYSQL *m)
{
    do {
        MYSQL_RES *res = mysql_store_result(m);
        if (res)
            mysql_free_result(res);
    } while (mysql_next_result(m) == 0);
}

static bool my_run(MYSQL *m, const char *sql)
{
    bool ok = mysql_real_query(m, sql, strlen(sql)) == 0;
    if (ok)
        my_drain(m);
    return ok;
}

static void my_step(MYSQL *m, const step *s, tally *t)
{
    MYSQL_STMT *st = mysql_stmt_init(m);
    if (!st) {
        fprintf(stderr, "plan_check: mysql_stmt_init: %s\n", mysql_error(m));
        exit(2);
    }
    if (mysql_stmt_prepare(st, s->sql, strlen(s->sql)) == 0) {
        mysql_stmt_close(st);
        t->prepared[D_MYSQL]++;
        pass(t, s, "prepared");
        return;
    }
    unsigned code = mysql_stmt_errno(st);
    char message[2048];
    snprintf(message, sizeof message, "%s", mysql_stmt_error(st));
    mysql_stmt_close(st);
    if (code != ER_UNSUPPORTED_PS) {
        fail(t, s, "PREPARE on mysql", "%s (error %u)", message, code);
        return;
    }
    if (!my_run(m, "START TRANSACTION")) {
        fprintf(stderr, "plan_check: START TRANSACTION: %s\n", mysql_error(m));
        exit(2);
    }
    bool ok = my_run(m, s->sql);
    code = mysql_errno(m);
    snprintf(message, sizeof message, "%s", mysql_error(m));
    if (!my_run(m, "ROLLBACK")) {
        fprintf(stderr, "plan_check: ROLLBACK: %s\n", mysql_error(m));
        exit(2);
    }
    if (ok) {
        t->run[D_MYSQL]++;
        pass(t, s, "run in a transaction rolled back (the server cannot prepare it)");
    } else {
        fail(t, s, "run on mysql in a transaction rolled back", "%s (error %u)", message, code);
    }
}

/* "host=H port=P user=U password=W dbname=D", the runtime's DSN form. */
static MYSQL *my_open(const char *dsn)
{
    char host[256] = "127.0.0.1", user[256] = "root", password[256] = "", db[256] = "";
    unsigned port = 3306;
    const char *p = dsn;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t klen = strcspn(p, "= ");
        if (!*p)
            break;
        if (p[klen] != '=') {
            fprintf(stderr, "plan_check: bad source DSN '%s'\n", dsn);
            exit(2);
        }
        const char *v = p + klen + 1;
        size_t vlen = strcspn(v, " ");
        char value[256];
        snprintf(value, sizeof value, "%.*s", (int)vlen, v);
        if (klen == 4 && strncmp(p, "host", 4) == 0)
            snprintf(host, sizeof host, "%s", value);
        else if (klen == 4 && strncmp(p, "port", 4) == 0)
            port = (unsigned)strtoul(value, NULL, 10);
        else if (klen == 4 && strncmp(p, "user", 4) == 0)
            snprintf(user, sizeof user, "%s", value);
        else if (klen == 8 && strncmp(p, "password", 8) == 0)
            snprintf(password, sizeof password, "%s", value);
        else if (klen == 6 && strncmp(p, "dbname", 6) == 0)
            snprintf(db, sizeof db, "%s", value);
        p = v + vlen;
    }
    MYSQL *m = mysql_init(NULL);
    if (!m || mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        || !mysql_real_connect(m, host, user, password[0] ? password : NULL, db, port, NULL, 0)) {
        fprintf(stderr, "plan_check: cannot connect to mysql at %s:%u: %s\n", host, port, m ? mysql_error(m) : "");
        exit(2);
    }
    if (!my_run(m, "SET time_zone = '+00:00'")
        || !my_run(m, "SET sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE'")) {
        fprintf(stderr, "plan_check: session setup: %s\n", mysql_error(m));
        exit(2);
    }
    return m;
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    tally t = { .verbose = false };
    int a = 1;
    if (a < argc && strcmp(argv[a], "-v") == 0) {
        t.verbose = verbose_notices = true;
        a++;
    }
    if (argc - a < 2 || argc - a > 3) {
        fputs("usage: plan_check [-v] PLAN TARGET_CONNINFO [SOURCE_DSN]\n", stderr);
        return 2;
    }
    const char *plan_path = argv[a], *target_dsn = argv[a + 1], *source_dsn = argc - a == 3 ? argv[a + 2] : NULL;
    char *text = read_file(plan_path);
    step *steps;
    int n = split_plan(text, &steps);
    if (n < 0)
        return 1;
    if (n == 0) {
        printf("FAIL %s: no step in the plan\n", plan_path);
        return 1;
    }
    pg_db target, pg_source = { NULL, NULL, NULL };
    pg_db_open(&target, target_dsn);
    MYSQL *my_source = NULL;
    for (int i = 0; i < n; i++) {
        const step *s = &steps[i];
        if (s->sql[0] == '\0') {
            t.failed++;
            printf("FAIL [%s] %s (plan line %d): no statement\n", s->where, s->what, s->line);
        } else if (strcmp(s->where, "target postgres") == 0) {
            pg_step(&target, s, &t);
        } else if (strcmp(s->where, "source postgres") == 0 && source_dsn) {
            if (!pg_source.work)
                pg_db_open(&pg_source, source_dsn);
            pg_step(&pg_source, s, &t);
        } else if (strcmp(s->where, "source mysql") == 0 && source_dsn) {
            if (!my_source)
                my_source = my_open(source_dsn);
            my_step(my_source, s, &t);
        } else {
            t.failed++;
            printf("FAIL [%s] %s (plan line %d): no server here for it\n", s->where, s->what, s->line);
        }
    }
    for (int i = 0; i < n; i++) {
        free(steps[i].where);
        free(steps[i].what);
        free(steps[i].sql);
    }
    free(steps);
    free(text);
    pg_db_close(&target);
    pg_db_close(&pg_source);
    if (my_source)
        mysql_close(my_source);
    printf("plan_check: %s %d prepared, %d run; %s %d prepared, %d run; %d failed\n", DIALECT_NAMES[D_POSTGRES],
           t.prepared[D_POSTGRES], t.run[D_POSTGRES], DIALECT_NAMES[D_MYSQL], t.prepared[D_MYSQL], t.run[D_MYSQL],
           t.failed);
    return t.failed ? 1 : 0;
}
