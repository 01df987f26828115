/* repo_bench.c - the generated PostgreSQL repository of Well (tenant
 * gulf_native: generated/gulf_native, opened by its factory repos.c) against
 * a hand-written libpq loop that runs the SAME SQL text, prepared once,
 * with text parameters and PQexecPrepared per call, and that parses every
 * column of every row it reads (uuid, text copied out, floats, the enum,
 * timestamps) the way a careful programmer would.
 *
 *   GULF_DSN=... repo_bench OP IMPL N [RUN]
 *
 *   OP    find_by_id  N calls, ids of the N seeded wells in a fixed
 *                     scrambled order (every call finds its row)
 *         save        N calls, each an upsert of a seeded well (the
 *                     ON CONFLICT ... DO UPDATE path) with a new name
 *         find_all    one call that streams every live well (N must be the
 *                     row count: it is checked)
 *   IMPL  gen         the generated repository (wos_repos_open "gulf_native")
 *         hand        hand-written libpq; find_all in single-row mode
 *                     (rows streamed, like the generated code)
 *         hand-whole  find_all only: hand-written, PQexecPrepared, the
 *                     whole result in client memory at once (for reference)
 *   RUN   a number that goes into the names that save writes (default 0)
 *
 * The wells are seeded by bench/repo_bench.sh: well i (1-based) has id
 * printf("%08x-0000-4000-8000-%012x", i, i) and api_number "%014d".
 *
 * Prints one line for scripts:
 *   op=save impl=gen n=100000 seconds=3.21 per_second=31152 hwm_before_kb=5120 maxrss_kb=5300
 * `seconds` times the calls only (connecting is not timed; the first call,
 * which reads the tenant marker, once per session, and prepares the
 * statement, is: the hand-written loop reads no marker, so the generated
 * code does one query more per run).  hwm_before_kb is the process's peak
 * RSS before the timed part, maxrss_kb (getrusage) its peak after it. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "repos.h"

/* ---- the SQL of generated/gulf_native/gulf_native_well.c, verbatim ------ */

static const char SQL_FIND_BY_ID[] =
    "SELECT \"id\", \"name\", \"api_number\", \"latitude\", \"longitude\", \"status\", \"lease\", "
    "\"created_at\", \"updated_at\", \"deleted_at\""
    " FROM \"wells\""
    " WHERE \"id\" = $1 AND \"deleted_at\" IS NULL";

static const char SQL_FIND_ALL[] =
    "SELECT \"id\", \"name\", \"api_number\", \"latitude\", \"longitude\", \"status\", \"lease\", "
    "\"created_at\", \"updated_at\", \"deleted_at\""
    " FROM \"wells\""
    " WHERE \"deleted_at\" IS NULL"
    " AND (\"status\" = $1 OR $1 IS NULL)"
    " AND (\"lease\" = $2 OR $2 IS NULL)"
    " AND (\"created_at\" >= $3 OR $3 IS NULL)"
    " ORDER BY \"created_at\" DESC, \"id\""
    " LIMIT $4"
    " OFFSET $5";

static const char SQL_SAVE[] =
    "INSERT INTO \"wells\" (\"id\", \"name\", \"api_number\", \"latitude\", \"longitude\", \"status\", "
    "\"lease\", \"created_at\", \"deleted_at\", \"updated_at\")"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, now()), $9, now())"
    " ON CONFLICT (\"id\")"
    " DO UPDATE SET \"name\" = EXCLUDED.\"name\", \"api_number\" = EXCLUDED.\"api_number\", "
    "\"latitude\" = EXCLUDED.\"latitude\", \"longitude\" = EXCLUDED.\"longitude\", "
    "\"status\" = EXCLUDED.\"status\", \"lease\" = EXCLUDED.\"lease\", \"created_at\" = COALESCE($8, "
    "\"wells\".\"created_at\"), \"deleted_at\" = EXCLUDED.\"deleted_at\", \"updated_at\" = now()";

/* ---- common -------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long hwm_kb(void) /* VmHWM: peak RSS so far */
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "repo_bench: %s: %s\n", what, msg);
    exit(1);
}

/* The i-th seeded well's data (i from 1). */
static void seeded_id_text(long i, char out[37])
{
    snprintf(out, 37, "%08x-0000-4000-8000-%012x", (unsigned)i, (unsigned)i);
}

/* Calls visit the wells in a scrambled but fixed order: i -> 1 + (k * P) % n. */
static long scrambled(long k, long n)
{
    return 1 + (long)(((unsigned long long)k * 7919ULL) % (unsigned long long)n);
}

static const char *const statuses[] = { "ACTIVE", "INACTIVE", "PLUGGED" };

/* The inputs of the calls, made before the timed part (both sides get the
 * same): the key of call k as an application holds it (16 bytes; both
 * sides format it as text for the parameter), and what save writes. */
typedef struct save_data {
    char name[64];
    char api[16];
    double latitude, longitude;
    int status;
    char lease[32];
} save_data;

static uint8_t (*call_ids)[16];
static save_data *call_data;

/* ---- hand-written: a well, and parsing each column ------------------------ */

typedef struct hand_well {
    uint8_t id[16];
    char *name;
    char *api_number;          /* NULL: null */
    bool has_latitude, has_longitude;
    double latitude, longitude;
    int status;                /* index in statuses[] */
    char *lease;               /* NULL: null */
    bool has_created_at, has_updated_at, has_deleted_at;
    int64_t created_at, updated_at, deleted_at; /* microseconds since 1970, UTC */
    char text[512];            /* name, api_number and lease live here */
} hand_well;

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool parse_uuid(const char *s, uint8_t out[16])
{
    int n = 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
            continue;
        }
        int hi = hex((unsigned char)s[i]);
        int lo = hi < 0 ? -1 : hex((unsigned char)s[i + 1]);
        if (lo < 0)
            return false;
        out[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return s[36] == '\0';
}

static void format_uuid(const uint8_t u[16], char out[37])
{
    static const char digits[] = "0123456789abcdef";
    int n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[n++] = '-';
        out[n++] = digits[u[i] >> 4];
        out[n++] = digits[u[i] & 15];
    }
    out[n] = '\0';
}

static bool digits(const char **p, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += count;
    *out = v;
    return true;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* PostgreSQL's ISO output of timestamptz: 2024-01-01 00:00:01[.ffffff]+00[:MM[:SS]] */
static bool parse_timestamp(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0, os = 0;
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' || !digits(&s, 2, &d) ||
        *s++ != ' ' || !digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
        !digits(&s, 2, &sec))
        return false;
    if (*s == '.') {
        s++;
        int n = 0;
        while (*s >= '0' && *s <= '9') {
            if (n < 6) {
                frac = frac * 10 + (*s - '0');
                n++;
            }
            s++;
        }
        if (n == 0)
            return false;
        for (; n < 6; n++)
            frac *= 10;
    }
    int sign = *s == '+' ? 1 : *s == '-' ? -1 : 0;
    if (!sign)
        return false;
    s++;
    if (!digits(&s, 2, &oh))
        return false;
    if (*s == ':') {
        s++;
        if (!digits(&s, 2, &om))
            return false;
        if (*s == ':') {
            s++;
            if (!digits(&s, 2, &os))
                return false;
        }
    }
    if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    secs -= sign * (oh * 3600 + om * 60 + os);
    *out = secs * 1000000 + frac;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno != ERANGE;
}

static bool opt_timestamp(const PGresult *res, int row, int col, bool *is_set, int64_t *out)
{
    *is_set = !PQgetisnull(res, row, col);
    return !*is_set || parse_timestamp(PQgetvalue(res, row, col), out);
}

/* Copies a text column into w->text at *used; NULL for SQL NULL. */
static bool copy_text(hand_well *w, size_t *used, const PGresult *res, int row, int col, char **out)
{
    if (PQgetisnull(res, row, col)) {
        *out = NULL;
        return true;
    }
    size_t len = (size_t)PQgetlength(res, row, col);
    if (*used + len + 1 > sizeof w->text)
        return false;
    *out = memcpy(w->text + *used, PQgetvalue(res, row, col), len);
    (*out)[len] = '\0';
    *used += len + 1;
    return true;
}

/* One row, every column parsed and checked. */
static bool read_well(const PGresult *res, int row, hand_well *w)
{
    size_t used = 0;
    if (PQnfields(res) != 10 || PQgetisnull(res, row, 0) || !parse_uuid(PQgetvalue(res, row, 0), w->id))
        return false;
    if (PQgetisnull(res, row, 1) || !copy_text(w, &used, res, row, 1, &w->name))
        return false;
    if (!copy_text(w, &used, res, row, 2, &w->api_number))
        return false;
    w->has_latitude = !PQgetisnull(res, row, 3);
    if (w->has_latitude && !parse_double(PQgetvalue(res, row, 3), &w->latitude))
        return false;
    w->has_longitude = !PQgetisnull(res, row, 4);
    if (w->has_longitude && !parse_double(PQgetvalue(res, row, 4), &w->longitude))
        return false;
    if (PQgetisnull(res, row, 5))
        return false;
    const char *status = PQgetvalue(res, row, 5);
    w->status = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(status, statuses[i]) == 0)
            w->status = i;
    if (w->status < 0)
        return false;
    if (!copy_text(w, &used, res, row, 6, &w->lease))
        return false;
    return opt_timestamp(res, row, 7, &w->has_created_at, &w->created_at) &&
           opt_timestamp(res, row, 8, &w->has_updated_at, &w->updated_at) &&
           opt_timestamp(res, row, 9, &w->has_deleted_at, &w->deleted_at);
}

static PGconn *hand_connect(void)
{
    const char *dsn = getenv("GULF_DSN");
    if (!dsn)
        die("hand", "GULF_DSN is not set");
    /* the session the runtime opens: UTF8, UTC */
    const char *const keys[] = { "dbname", "client_encoding", NULL };
    const char *const values[] = { dsn, "UTF8", NULL };
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(pg) != CONNECTION_OK)
        die("connect", PQerrorMessage(pg));
    PGresult *res = PQexec(pg, "SET TIME ZONE 'UTC'");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        die("SET TIME ZONE", PQerrorMessage(pg));
    PQclear(res);
    return pg;
}

static void hand_prepare(PGconn *pg, const char *name, const char *sql, int n_params)
{
    PGresult *res = PQprepare(pg, name, sql, n_params, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        die(name, PQresultErrorMessage(res));
    PQclear(res);
}

static long hand_find_by_id(PGconn *pg, long n)
{
    hand_prepare(pg, "find_by_id", SQL_FIND_BY_ID, 1);
    long found = 0;
    hand_well w;
    for (long k = 0; k < n; k++) {
        char id[37];
        format_uuid(call_ids[k], id);
        const char *params[1] = { id };
        PGresult *res = PQexecPrepared(pg, "find_by_id", 1, params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            die("find_by_id", PQresultErrorMessage(res));
        if (PQntuples(res) == 1) {
            if (!read_well(res, 0, &w))
                die("find_by_id", "a column does not parse");
            found++;
        }
        PQclear(res);
    }
    return found;
}

static void make_inputs(long n, int run)
{
    call_ids = malloc((size_t)n * sizeof *call_ids);
    call_data = malloc((size_t)n * sizeof *call_data);
    if (!call_ids || !call_data)
        die("inputs", "out of memory");
    for (long k = 0; k < n; k++) {
        long i = scrambled(k, n);
        char text[37];
        seeded_id_text(i, text);
        if (!parse_uuid(text, call_ids[k]))
            die("inputs", text);
        save_data *d = &call_data[k];
        snprintf(d->name, sizeof d->name, "Well %ld run %d", i, run);
        snprintf(d->api, sizeof d->api, "%014u", (unsigned)i);
        d->latitude = 27.0 + (double)(i % 1000) / 1000.0;
        d->longitude = -98.0 - (double)(i % 1000) / 1000.0;
        d->status = (int)((i + run) % 3);
        snprintf(d->lease, sizeof d->lease, "Lease %ld", i % 100);
    }
}

static long hand_save(PGconn *pg, long n)
{
    hand_prepare(pg, "save", SQL_SAVE, 9);
    long saved = 0;
    for (long k = 0; k < n; k++) {
        const save_data *d = &call_data[k];
        char id[37], lat[32], lon[32];
        format_uuid(call_ids[k], id);
        snprintf(lat, sizeof lat, "%.17g", d->latitude);
        snprintf(lon, sizeof lon, "%.17g", d->longitude);
        const char *params[9] = { id, d->name, d->api, lat, lon, statuses[d->status], d->lease, NULL, NULL };
        PGresult *res = PQexecPrepared(pg, "save", 9, params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            die("save", PQresultErrorMessage(res));
        saved += strtol(PQcmdTuples(res), NULL, 10);
        PQclear(res);
    }
    return saved;
}

static const char *const find_all_params[5] = { NULL, NULL, NULL, "9223372036854775807", "0" };

static long hand_find_all_streamed(PGconn *pg)
{
    hand_prepare(pg, "find_all", SQL_FIND_ALL, 5);
    if (!PQsendQueryPrepared(pg, "find_all", 5, find_all_params, NULL, NULL, 0) || !PQsetSingleRowMode(pg))
        die("find_all", PQerrorMessage(pg));
    long rows = 0;
    hand_well w;
    for (PGresult *res; (res = PQgetResult(pg)) != NULL; PQclear(res)) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE) {
            if (!read_well(res, 0, &w))
                die("find_all", "a column does not parse");
            rows++;
        } else if (st != PGRES_TUPLES_OK) {
            die("find_all", PQresultErrorMessage(res));
        }
    }
    return rows;
}

static long hand_find_all_whole(PGconn *pg)
{
    hand_prepare(pg, "find_all", SQL_FIND_ALL, 5);
    PGresult *res = PQexecPrepared(pg, "find_all", 5, find_all_params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        die("find_all", PQresultErrorMessage(res));
    long rows = 0;
    hand_well w;
    for (int r = 0; r < PQntuples(res); r++) {
        if (!read_well(res, r, &w))
            die("find_all", "a column does not parse");
        rows++;
    }
    PQclear(res);
    return rows;
}

/* ---- generated ------------------------------------------------------------- */

static wos_repos *gen_open(void)
{
    wr_err err = { 0 };
    wos_repos *r;
    if (wos_repos_open(&r, "gulf_native", &err) < 0)
        die("wos_repos_open", err.message);
    return r;
}

static long gen_find_by_id(wos_repos *r, long n)
{
    wr_arena *mem = wr_arena_new();
    wr_err err = { 0 };
    long found = 0;
    for (long k = 0; k < n; k++) {
        wr_uuid id;
        memcpy(id.bytes, call_ids[k], 16);
        wos_well w;
        wr_arena_reset(mem); /* the row's text lives in mem: one row at a time */
        int rc = r->well->find_by_id(r->well, id, &w, mem, &err);
        if (rc < 0)
            die("find_by_id", err.message);
        found += rc;
    }
    wr_arena_free(mem);
    return found;
}

static long gen_save(wos_repos *r, long n)
{
    wr_err err = { 0 };
    static const wos_well_status enums[] = { WOS_WELL_STATUS_ACTIVE, WOS_WELL_STATUS_INACTIVE,
                                             WOS_WELL_STATUS_PLUGGED };
    for (long k = 0; k < n; k++) {
        const save_data *d = &call_data[k];
        wos_well w;
        memset(&w, 0, sizeof w);
        memcpy(w.id.bytes, call_ids[k], 16);
        w.name = d->name;
        w.api_number = d->api;
        w.latitude = (wr_opt_float){ true, d->latitude };
        w.longitude = (wr_opt_float){ true, d->longitude };
        w.status = enums[d->status];
        w.lease = d->lease;
        if (r->well->save(r->well, &w, &err) < 0)
            die("save", err.message);
    }
    return n;
}

static int count_row(void *ctx, const wos_well *w)
{
    long *rows = ctx;
    *rows += w->name != NULL;
    return 0;
}

static long gen_find_all(wos_repos *r)
{
    wr_err err = { 0 };
    long rows = 0;
    if (r->well->find_all(r->well, NULL, count_row, &rows, &err) < 0)
        die("find_all", err.message);
    return rows;
}

/* ---- main --------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: GULF_DSN=... repo_bench find_by_id|save|find_all gen|hand|hand-whole N [RUN]\n");
        return 2;
    }
    const char *op = argv[1], *impl = argv[2];
    long n = strtol(argv[3], NULL, 10);
    int run = argc == 5 ? atoi(argv[4]) : 0;
    bool gen = strcmp(impl, "gen") == 0;
    if (n <= 0 || n > 10000000 || (!gen && strcmp(impl, "hand") != 0 && strcmp(impl, "hand-whole") != 0) ||
        (strcmp(impl, "hand-whole") == 0 && strcmp(op, "find_all") != 0))
        die("usage", "bad arguments");

    if (strcmp(op, "find_all") != 0)
        make_inputs(n, run);
    /* connecting is not timed */
    wos_repos *r = gen ? gen_open() : NULL;
    PGconn *pg = gen ? NULL : hand_connect();
    long hwm_before = hwm_kb();
    long done;
    double t0 = now_s();
    if (strcmp(op, "find_by_id") == 0)
        done = gen ? gen_find_by_id(r, n) : hand_find_by_id(pg, n);
    else if (strcmp(op, "save") == 0)
        done = gen ? gen_save(r, n) : hand_save(pg, n);
    else if (strcmp(op, "find_all") == 0)
        done = gen ? gen_find_all(r) : strcmp(impl, "hand") == 0 ? hand_find_all_streamed(pg) : hand_find_all_whole(pg);
    else
        die("usage", "unknown operation");
    double secs = now_s() - t0;
    wos_repos_close(r);
    PQfinish(pg);
    if (done != n) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s %s: %ld of %ld calls or rows done", op, impl, done, n);
        die("check", msg);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("op=%s impl=%s n=%ld seconds=%.6f per_second=%.0f hwm_before_kb=%ld maxrss_kb=%ld\n", op, impl, n, secs,
           (double)n / secs, hwm_before, ru.ru_maxrss);
    return 0;
}
