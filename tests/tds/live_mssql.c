/* live_mssql.c - the generated SQL Server repositories of tenant rio_grande
 * (generated/rio_grande_mssql) against a real SQL Server, through the
 * generated factory and FreeTDS:
 *
 *   RIO_GRANDE_DSN='host=... port=1433 user=... password=... dbname=...' \
 *       live_mssql generated/rio_grande_mssql/rio_grande_schema.sql
 *
 * It DROPS and re-creates the tables of that schema file (dbo.WellHeader,
 * dbo.DailyVolumes) in the database the DSN names: point it at a scratch
 * database, with a filtered index on dbo.WellHeader.  It checks the
 * session's settings, then saves, finds (by id and with find_all), counts
 * and deletes one Well and one ProductionRecord, and checks each result.
 * Last, a second session with read_timeout=2 waits on a 5-second WAITFOR:
 * it must be lost after about 2 s, saying why, and the first still work.
 * `make mssql-live` runs it when WELLOS_TEST_MSSQL_DSN is set.
 *
 * Prints one line per check and "mssql-live: N passed, M failed"; exits 0
 * only when every check passed. */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "repos.h"

static int passed, failed;

static void check(bool ok, const char *what, const wr_err *err)
{
    if (ok) {
        passed++;
        printf("ok: %s\n", what);
    } else {
        failed++;
        printf("FAIL: %s%s%s\n", what, err && err->message[0] ? ": " : "", err ? err->message : "");
    }
    fflush(stdout);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* The schema file's statements: split on ';', '--' lines dropped.  (The
 * generated schema has no ';' inside a literal.)  Each CREATE TABLE is
 * preceded by a DROP of the same table if it exists. */
static int create_tables(wr_conn *conn, const char *path, wr_err *err)
{
    char *text = read_file(path);
    if (!text)
        return wr_error(err, WR_ERROR, "cannot read %s", path);
    int rc = 0, n = 0;
    for (char *stmt = text; rc == 0; ) {
        char *semi = strchr(stmt, ';');
        if (semi)
            *semi = '\0';
        /* blank out comment lines */
        for (char *line = stmt; line && *line;) {
            char *p = line;
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                p++;
            char *nl = strchr(p, '\n');
            if (p[0] == '-' && p[1] == '-')
                memset(p, ' ', nl ? (size_t)(nl - p) : strlen(p));
            line = nl ? nl + 1 : NULL;
        }
        const char *s = stmt;
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            s++;
        if (*s) {
            static const char create[] = "CREATE TABLE ";
            if (strncmp(s, create, sizeof create - 1) == 0) {
                const char *name = s + sizeof create - 1;
                const char *name_end = strstr(name, " (");
                if (!name_end) {
                    rc = wr_error(err, WR_ERROR, "%s: no table name in: %.60s", path, s);
                    break;
                }
                char drop[512];
                int len = (int)(name_end - name);
                snprintf(drop, sizeof drop, "IF OBJECT_ID(N'%.*s', N'U') IS NOT NULL DROP TABLE %.*s", len, name,
                         len, name);
                rc = wr_exec(conn, drop, err);
            }
            if (rc == 0)
                rc = wr_exec(conn, s, err);
            n++;
        }
        if (!semi)
            break;
        stmt = semi + 1;
    }
    free(text);
    if (rc == 0 && n == 0)
        rc = wr_error(err, WR_ERROR, "%s: no statement", path);
    return rc;
}

typedef struct rows {
    int n;
    bool seen;
    wr_uuid want;
    int64_t want_id;
} rows;

static int each_well(void *ctx, const wos_well *w)
{
    rows *r = ctx;
    r->n++;
    r->seen |= wr_uuid_equal(&w->id, &r->want);
    return 0;
}

static int each_record(void *ctx, const wos_production_record *p)
{
    rows *r = ctx;
    r->n++;
    r->seen |= p->id == r->want_id;
    return 0;
}

static void wells(wos_well_repo *repo, wr_arena *mem)
{
    wr_err err = { 0 };
    char what[256];
    int64_t before = -1, after = -1;
    check(repo->count(repo, &before, &err) == 0, "Well.count before", &err);

    wos_well w;
    memset(&w, 0, sizeof w);
    wr_uuid_parse(&w.id, "6f1c2a4e-8b3d-4c5e-9f60-7a8b9c0d1e2f", &err);
    w.name = "Live Test 1H";
    w.api_number = "42123456780000";
    w.latitude = (wr_opt_float){ true, 27.5 };
    w.longitude = (wr_opt_float){ true, -98.25 };
    w.status = WOS_WELL_STATUS_INACTIVE; /* "SI" in the client's table */
    w.lease = "LIVE-TEST";
    check(repo->save(repo, &w, &err) == 0, "Well.save (insert)", &err);

    wos_well got;
    int rc = repo->find_by_id(repo, w.id, &got, mem, &err);
    check(rc == 1, "Well.find_by_id finds it", &err);
    if (rc == 1) {
        snprintf(what, sizeof what, "Well.find_by_id reads back name '%s', status %s, latitude %g, lease '%s'",
                 got.name ? got.name : "(null)", wos_well_status_to_string(got.status),
                 got.latitude.is_set ? got.latitude.value : NAN, got.lease ? got.lease : "(null)");
        check(got.name && strcmp(got.name, w.name) == 0 && got.status == w.status && got.latitude.is_set &&
                  got.latitude.value == 27.5 && got.lease && strcmp(got.lease, "LIVE-TEST") == 0 &&
                  got.created_at.is_set && got.updated_at.is_set && !got.deleted_at.is_set,
              what, NULL);
    }

    w.name = "Live Test 1H (renamed)";
    w.status = WOS_WELL_STATUS_ACTIVE;
    check(repo->save(repo, &w, &err) == 0, "Well.save (update of the same id)", &err);
    rc = repo->find_by_id(repo, w.id, &got, mem, &err);
    check(rc == 1 && got.name && strcmp(got.name, w.name) == 0 && got.status == WOS_WELL_STATUS_ACTIVE,
          "Well.find_by_id sees the update", &err);

    rows r = { .want = w.id };
    wos_well_filter filter = { .lease = "LIVE-TEST" };
    rc = repo->find_all(repo, &filter, each_well, &r, &err);
    snprintf(what, sizeof what, "Well.find_all with lease = 'LIVE-TEST' streams 1 row (got %d)", r.n);
    check(rc == 0 && r.n == 1 && r.seen, what, &err);

    rc = repo->count(repo, &after, &err);
    snprintf(what, sizeof what, "Well.count is one more (%lld -> %lld)", (long long)before, (long long)after);
    check(rc == 0 && after == before + 1, what, &err);

    check(repo->delete(repo, w.id, &err) == 1, "Well.delete deletes it (soft: RemovedOn)", &err);
    check(repo->find_by_id(repo, w.id, &got, mem, &err) == 0, "Well.find_by_id no longer finds it", &err);
    check(repo->delete(repo, w.id, &err) == 0, "Well.delete again deletes nothing", &err);
    rc = repo->count(repo, &after, &err);
    check(rc == 0 && after == before, "Well.count is back", &err);
}

static void records(wos_production_record_repo *repo, wr_arena *mem)
{
    wr_err err = { 0 };
    char what[256];
    int64_t before = -1, after = -1;
    check(repo->count(repo, &before, &err) == 0, "ProductionRecord.count before", &err);

    wos_production_record p;
    memset(&p, 0, sizeof p);
    p.id = 9000000001LL; /* more than 32 bits */
    wr_uuid_parse(&p.well_id, "6f1c2a4e-8b3d-4c5e-9f60-7a8b9c0d1e2f", &err);
    p.date = wr_date_from_ymd(2024, 2, 29);
    p.oil.is_set = wr_decimal_parse(&p.oil.value, "1234567890.25", 12, 2, &err) == 0;
    p.gas.is_set = wr_decimal_parse(&p.gas.value, "-0.50", 12, 2, &err) == 0;
    /* water stays NULL */
    check(repo->save(repo, &p, &err) == 0, "ProductionRecord.save (insert)", &err);

    wos_production_record got;
    int rc = repo->find_by_id(repo, p.id, &got, mem, &err);
    check(rc == 1, "ProductionRecord.find_by_id finds it", &err);
    if (rc == 1) {
        char oil[WR_DECIMAL_TEXT_SIZE] = "NULL", gas[WR_DECIMAL_TEXT_SIZE] = "NULL", date[WR_DATE_TEXT_SIZE];
        if (got.oil.is_set)
            wr_decimal_format(&got.oil.value, oil);
        if (got.gas.is_set)
            wr_decimal_format(&got.gas.value, gas);
        wr_date_format(got.date, date);
        snprintf(what, sizeof what, "ProductionRecord.find_by_id reads back date %s, oil %s, gas %s, water %s", date,
                 oil, gas, got.water.is_set ? "set" : "NULL");
        check(got.date.days == p.date.days && got.oil.is_set && wr_decimal_compare(&got.oil.value, &p.oil.value) == 0 &&
                  got.gas.is_set && wr_decimal_compare(&got.gas.value, &p.gas.value) == 0 && !got.water.is_set &&
                  wr_uuid_equal(&got.well_id, &p.well_id) && got.updated_at.is_set,
              what, NULL);
    }

    rows r = { .want_id = p.id };
    wos_production_record_filter filter = { .well_id = { true, p.well_id } };
    rc = repo->find_all(repo, &filter, each_record, &r, &err);
    snprintf(what, sizeof what, "ProductionRecord.find_all with well_id = ... streams 1 row (got %d)", r.n);
    check(rc == 0 && r.n == 1 && r.seen, what, &err);

    rc = repo->count(repo, &after, &err);
    snprintf(what, sizeof what, "ProductionRecord.count is one more (%lld -> %lld)", (long long)before,
             (long long)after);
    check(rc == 0 && after == before + 1, what, &err);

    check(repo->delete(repo, p.id, &err) == 1, "ProductionRecord.delete deletes it", &err);
    check(repo->find_by_id(repo, p.id, &got, mem, &err) == 0, "ProductionRecord.find_by_id no longer finds it", &err);
    rc = repo->count(repo, &after, &err);
    check(rc == 0 && after == before, "ProductionRecord.count is back", &err);
}

/* ---- the session: what runtime/wr_tds.c sets, whatever the defaults ---- */

static int keep_settings(void *ctx, const wr_row *row)
{
    char *out = ctx;
    size_t n = 0;
    for (int i = 0; i < row->n; i++)
        n += (size_t)snprintf(out + n, n < 256 ? 256 - n : 0, "%s%s", i ? "|" : "",
                              row->values[i] ? row->values[i] : "NULL");
    return 0;
}

static void session(wr_conn *conn)
{
    static const wr_stmt settings = {
        .name = "session settings",
        .sql = "SELECT @@TEXTSIZE, SESSIONPROPERTY('ANSI_NULLS'), SESSIONPROPERTY('ANSI_PADDING'), "
               "SESSIONPROPERTY('ANSI_WARNINGS'), SESSIONPROPERTY('ARITHABORT'), "
               "SESSIONPROPERTY('CONCAT_NULL_YIELDS_NULL'), SESSIONPROPERTY('QUOTED_IDENTIFIER'), "
               "SESSIONPROPERTY('NUMERIC_ROUNDABORT'), @@OPTIONS & 2, "
               "(SELECT date_format FROM sys.dm_exec_sessions WHERE session_id = @@SPID)",
    };
    wr_stmts stmts = { .list = &settings, .n = 1 };
    wr_err err = { 0 };
    char got[256] = "";
    int rc = wr_query(conn, &stmts, 0, NULL, keep_settings, got, &err);
    char what[400];
    snprintf(what, sizeof what, "the session's settings (TEXTSIZE, 6 ANSI options on, NUMERIC_ROUNDABORT and "
             "IMPLICIT_TRANSACTIONS off, DATEFORMAT ymd): %s", got);
    check(rc == 0 && strcmp(got, "2147483647|1|1|1|1|1|1|0|0|ymd") == 0, what, &err);
    wr_stmts_release(conn, &stmts);
}

/* A server silent for longer than read_timeout loses the session, with a
 * reason, well before the statement would have ended. */
static void read_timeout(wr_conn *first)
{
    const char *dsn = getenv("RIO_GRANDE_DSN");
    char with_timeout[2048];
    wr_err err = { 0 };
    wr_conn *c = NULL;
    snprintf(with_timeout, sizeof with_timeout, "%s read_timeout=2", dsn ? dsn : "");
    int rc = wr_connect(&c, WR_SQLSERVER, with_timeout, "tenant rio_grande", &err);
    check(rc == 0, "a second session, with read_timeout=2", &err);
    if (rc)
        return;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = wr_exec(c, "WAITFOR DELAY '00:00:05'", &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    char what[600];
    snprintf(what, sizeof what, "a 5 s WAITFOR under read_timeout=2 fails after %.1f s saying why: %.400s", waited,
             err.message);
    check(rc != 0 && waited >= 1.5 && waited < 4.5 && strstr(err.message, "read_timeout"), what, NULL);
    wr_conn_close(c);
    wr_err after = { 0 };
    check(wr_exec(first, "SELECT 1", &after) == 0, "the first session still works", &after);
}

/* A filtered index, as legacy schemas have: SQL Server refuses to make it,
 * and then any write to the table, in a session without the ANSI options. */
static int add_filtered_index(wr_conn *conn, wr_err *err)
{
    return wr_exec(conn, "CREATE UNIQUE INDEX WellHeader_API14 ON dbo.WellHeader (API14) WHERE API14 IS NOT NULL",
                   err);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: RIO_GRANDE_DSN=... live_mssql generated/rio_grande_mssql/rio_grande_schema.sql\n");
        return 2;
    }
    wr_err err = { 0 };
    wos_repos *r = NULL;
    if (wos_repos_open(&r, "rio_grande", &err) < 0) {
        check(false, "wos_repos_open(\"rio_grande\") (DSN from RIO_GRANDE_DSN)", &err);
        printf("mssql-live: %d passed, %d failed\n", passed, failed);
        return 1;
    }
    check(wr_conn_dialect(r->conn) == WR_SQLSERVER && r->well && r->production_record,
          "wos_repos_open(\"rio_grande\"): a SQL Server connection, Well and ProductionRecord repositories", NULL);
    session(r->conn);
    int rc = create_tables(r->conn, argv[1], &err);
    check(rc == 0, "tables created from the schema file", &err);
    if (rc == 0) {
        rc = add_filtered_index(r->conn, &err);
        check(rc == 0, "a filtered index on dbo.WellHeader (API14), which the saves below write through", &err);
    }
    wr_arena *mem = wr_arena_new();
    if (rc == 0 && mem && r->well && r->production_record) {
        wells(r->well, mem);
        records(r->production_record, mem);
    }
    wr_arena_free(mem);
    read_timeout(r->conn);
    wos_repos_close(r);
    printf("mssql-live: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
