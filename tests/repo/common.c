/* tests/repo/common.c - see common.h. */
#include "common.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <mysql.h>

void repo_note(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\n    %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool str_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool contains(const char *haystack, const char *needle)
{
    return haystack && needle && strstr(haystack, needle) != NULL;
}

void expect_message(const char *file, int line, const wr_err *e, const char *const *words)
{
    for (; *words; words++) {
        bool ok = contains(e->message, *words);
        if (!ok)
            repo_note(file, line, "the message does not contain '%s': %s", *words, e->message);
        CU_ASSERT(ok);
    }
}

/* ---- values --------------------------------------------------------------- */

wr_uuid uuid_n(unsigned tag, unsigned n)
{
    wr_uuid u;
    uint32_t h = (n + 1) * 2654435761u ^ (tag * 40503u);
    for (int i = 0; i < 4; i++)
        u.bytes[i] = (uint8_t)(h >> (8 * (3 - i)));
    for (int i = 4; i < 12; i++)
        u.bytes[i] = (uint8_t)(0x11 * (unsigned)i + tag);
    u.bytes[6] = (uint8_t)(0x40 | (u.bytes[6] & 0x0f)); /* version 4, variant 1: looks real */
    u.bytes[8] = (uint8_t)(0x80 | (u.bytes[8] & 0x3f));
    u.bytes[12] = (uint8_t)(tag >> 8);
    u.bytes[13] = (uint8_t)tag;
    u.bytes[14] = (uint8_t)(n >> 8);
    u.bytes[15] = (uint8_t)n;
    return u;
}

const char *uuid_str(const wr_uuid *u, char out[WR_UUID_TEXT_SIZE])
{
    wr_uuid_format(u, out);
    return out;
}

int uuid_cmp(const wr_uuid *a, const wr_uuid *b)
{
    return memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

wr_timestamp ts_utc(int y, int mo, int d, int h, int mi, int s, int us)
{
    int64_t days = wr_date_from_ymd(y, mo, d).days;
    return (wr_timestamp){ ((days * 86400 + h * 3600 + mi * 60 + s) * INT64_C(1000000)) + us };
}

wr_date day(int y, int mo, int d)
{
    return wr_date_from_ymd(y, mo, d);
}

wr_decimal dec(const char *text, unsigned precision, unsigned scale)
{
    wr_decimal d = { 0, 0 };
    wr_err e;
    if (wr_decimal_parse(&d, text, precision, scale, &e) < 0)
        fprintf(stderr, "\n    dec(%s): %s\n", text, e.message);
    return d;
}

bool dec_is(const wr_opt_decimal *d, const char *text)
{
    if (!d->is_set)
        return text == NULL;
    char got[WR_DECIMAL_TEXT_SIZE];
    wr_decimal_format(&d->value, got);
    if (text && strcmp(got, text) == 0)
        return true;
    fprintf(stderr, "\n    decimal is %s, expected %s\n", got, text ? text : "NULL");
    return false;
}

bool float_bits_same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

bool opt_float_same(wr_opt_float a, wr_opt_float b)
{
    if (a.is_set != b.is_set)
        return false;
    if (!a.is_set)
        return true;
    if (!float_bits_same(a.value, b.value)) {
        fprintf(stderr, "\n    float is %.17g, expected %.17g\n", a.value, b.value);
        return false;
    }
    return true;
}

bool opt_ts_same(wr_opt_timestamp a, wr_opt_timestamp b)
{
    if (a.is_set != b.is_set)
        return false;
    if (a.is_set && a.value.micros != b.value.micros) {
        char x[WR_TIMESTAMP_TEXT_SIZE], y[WR_TIMESTAMP_TEXT_SIZE];
        wr_timestamp_format(a.value, x);
        wr_timestamp_format(b.value, y);
        fprintf(stderr, "\n    timestamp is %s, expected %s\n", x, y);
        return false;
    }
    return true;
}

bool opt_date_same(wr_opt_date a, wr_opt_date b)
{
    if (a.is_set != b.is_set)
        return false;
    if (a.is_set && a.value.days != b.value.days) {
        char x[WR_DATE_TEXT_SIZE], y[WR_DATE_TEXT_SIZE];
        wr_date_format(a.value, x);
        wr_date_format(b.value, y);
        fprintf(stderr, "\n    date is %s, expected %s\n", x, y);
        return false;
    }
    return true;
}

bool opt_uuid_same(const wr_opt_uuid *a, const wr_opt_uuid *b)
{
    return a->is_set == b->is_set && (!a->is_set || wr_uuid_equal(&a->value, &b->value));
}

bool is_recent(wr_opt_timestamp t)
{
    int64_t now = wr_timestamp_now().micros, ten_minutes = INT64_C(600000000);
    return t.is_set && t.value.micros > now - ten_minutes && t.value.micros < now + ten_minutes;
}

char *utf8_repeat(char *out, size_t size, const char *unit, size_t n)
{
    size_t len = strlen(unit), used = 0;
    for (size_t i = 0; i < n && used + len < size; i++, used += len)
        memcpy(out + used, unit, len);
    out[used] = '\0';
    return out;
}

/* ---- direct SQL ------------------------------------------------------------ */

bool tdb_open(tdb *db, wr_dialect d, const char *dsn_env)
{
    wr_err e;
    db->dialect = d;
    db->conn = NULL;
    if (wr_connect_env(&db->conn, d, dsn_env, "repo test (direct SQL)", &e) < 0) {
        fprintf(stderr, "\n    cannot open the direct SQL connection: %s\n", e.message);
        return false;
    }
    return true;
}

void tdb_close(tdb *db)
{
    wr_conn_close(db->conn);
    db->conn = NULL;
}

/* The first cell of the result of sql (or just its success). */
static bool run_sql(tdb *db, const char *sql, char *out, size_t size, bool *is_null)
{
    if (!db->conn)
        return false;
    if (db->dialect == WR_POSTGRES) {
        PGconn *pg = wr_conn_pg(db->conn);
        PGresult *r = PQexec(pg, sql);
        ExecStatusType st = PQresultStatus(r);
        bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (!ok)
            fprintf(stderr, "\n    direct SQL failed: %s\n    %s\n", sql, PQresultErrorMessage(r));
        if (ok && out) {
            ok = st == PGRES_TUPLES_OK && PQntuples(r) > 0;
            if (ok) {
                *is_null = PQgetisnull(r, 0, 0);
                snprintf(out, size, "%s", *is_null ? "" : PQgetvalue(r, 0, 0));
            }
        }
        PQclear(r);
        return ok;
    }
    MYSQL *my = wr_conn_mysql(db->conn);
    if (mysql_query(my, sql) != 0) {
        fprintf(stderr, "\n    direct SQL failed: %s\n    %s\n", sql, mysql_error(my));
        return false;
    }
    MYSQL_RES *res = mysql_store_result(my);
    bool ok = true;
    if (out) {
        MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
        ok = row != NULL;
        if (ok) {
            *is_null = row[0] == NULL;
            snprintf(out, size, "%s", row[0] ? row[0] : "");
        }
    }
    if (res)
        mysql_free_result(res);
    return ok;
}

bool tdb_exec(tdb *db, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return run_sql(db, sql, NULL, 0, NULL);
}

bool tdb_value(tdb *db, char *out, size_t size, bool *is_null, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    bool null_here;
    return run_sql(db, sql, out, size, is_null ? is_null : &null_here);
}

long long tdb_count(tdb *db, const char *fmt, ...)
{
    char sql[4096], out[64];
    bool is_null;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (!run_sql(db, sql, out, sizeof out, &is_null) || is_null)
        return -1;
    return strtoll(out, NULL, 10);
}

long long session_id(wr_conn *c)
{
    if (wr_conn_pg(c))
        return PQbackendPID(wr_conn_pg(c));
    if (wr_conn_mysql(c))
        return (long long)mysql_thread_id(wr_conn_mysql(c));
    return -1;
}

bool kill_session(tdb *db, wr_conn *victim)
{
    long long id = session_id(victim);
    if (id <= 0)
        return false;
    for (int i = 0; i < 500; i++) {
        long long n = db->dialect == WR_POSTGRES
                          ? tdb_count(db, "SELECT count(*) FROM pg_stat_activity WHERE pid = %lld", id)
                          : tdb_count(db, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %lld", id);
        if (n < 0)
            return false;
        if (n == 0)
            return true; /* gone (perhaps already before: a session that was never reopened) */
        if (i == 0) {
            bool ok = db->dialect == WR_POSTGRES ? tdb_exec(db, "SELECT pg_terminate_backend(%lld)", id)
                                                 : tdb_exec(db, "KILL %lld", id);
            if (!ok)
                return false;
        }
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "\n    session %lld is still there\n", id);
    return false;
}

/* ---- rows ------------------------------------------------------------------- */

void rowlist_clear(rowlist *l)
{
    l->n = 0;
    l->is_overflowed = false;
}

static rowref *next_ref(rowlist *l)
{
    if (l->n == ROWLIST_MAX) {
        l->is_overflowed = true;
        return NULL;
    }
    rowref *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    return r;
}

void rowlist_add_uuid(rowlist *l, const wr_uuid *key, bool has_sort, int64_t sort)
{
    rowref *r = next_ref(l);
    if (!r)
        return;
    r->is_uuid = true;
    r->uuid = *key;
    r->has_sort = has_sort;
    r->sort = sort;
}

void rowlist_add_num(rowlist *l, int64_t key, bool has_sort, int64_t sort)
{
    rowref *r = next_ref(l);
    if (!r)
        return;
    r->num = key;
    r->has_sort = has_sort;
    r->sort = sort;
}

static int key_cmp(const rowref *a, const rowref *b)
{
    if (a->is_uuid)
        return uuid_cmp(&a->uuid, &b->uuid);
    return (a->num > b->num) - (a->num < b->num);
}

static bool nulls_first_order;

/* < 0 when a comes first in the declared order */
static int order_cmp(const rowref *a, const rowref *b, bool nulls_first)
{
    if (a->has_sort != b->has_sort)
        return a->has_sort == nulls_first ? 1 : -1;
    if (a->has_sort && a->sort != b->sort)
        return a->sort > b->sort ? -1 : 1; /* descending */
    return key_cmp(a, b);
}

static int qsort_cmp(const void *a, const void *b)
{
    return order_cmp(a, b, nulls_first_order);
}

void rowlist_sort(rowlist *l, bool nulls_first)
{
    nulls_first_order = nulls_first;
    qsort(l->v, l->n, sizeof l->v[0], qsort_cmp);
}

static void key_text(const rowref *r, char *out, size_t size)
{
    if (r->is_uuid) {
        char u[WR_UUID_TEXT_SIZE];
        snprintf(out, size, "%s", uuid_str(&r->uuid, u));
    } else {
        snprintf(out, size, "%lld", (long long)r->num);
    }
}

bool rowlist_same(const rowlist *got, const rowlist *want, const char *what)
{
    if (got->is_overflowed || want->is_overflowed) {
        fprintf(stderr, "\n    %s: more than %d rows\n", what, ROWLIST_MAX);
        return false;
    }
    for (size_t i = 0; i < got->n || i < want->n; i++) {
        if (i < got->n && i < want->n && key_cmp(&got->v[i], &want->v[i]) == 0)
            continue;
        char g[48] = "(none)", w[48] = "(none)";
        if (i < got->n)
            key_text(&got->v[i], g, sizeof g);
        if (i < want->n)
            key_text(&want->v[i], w, sizeof w);
        fprintf(stderr, "\n    %s: %zu rows, expected %zu; row %zu is %s, expected %s\n", what, got->n, want->n, i, g,
                w);
        return false;
    }
    return true;
}

bool rowlist_is_ordered(const rowlist *l, bool nulls_first)
{
    for (size_t i = 1; i < l->n; i++) {
        if (order_cmp(&l->v[i - 1], &l->v[i], nulls_first) >= 0) {
            fprintf(stderr, "\n    rows %zu and %zu are out of the declared order\n", i - 1, i);
            return false;
        }
    }
    return true;
}

bool rowlist_has_duplicates(const rowlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = i + 1; j < l->n; j++)
            if (key_cmp(&l->v[i], &l->v[j]) == 0)
                return true;
    return false;
}

void check_paging(fetch_page_fn fetch, void *ctx, size_t total, int64_t page, bool nulls_first)
{
    static rowlist all, part, joined;
    wr_err e;
    rowlist_clear(&all);
    EXPECT_RC(fetch(ctx, 0, 0, &all, &e), 0, e);
    EXPECT_INT(all.n, total);
    CU_ASSERT(!rowlist_has_duplicates(&all));
    CU_ASSERT(rowlist_is_ordered(&all, nulls_first));

    rowlist_clear(&joined);
    int64_t offset = 0;
    for (int guard = 0; guard < ROWLIST_MAX; guard++, offset += page) {
        rowlist_clear(&part);
        EXPECT_RC(fetch(ctx, page, offset, &part, &e), 0, e);
        size_t want = (size_t)offset >= total ? 0 : total - (size_t)offset < (size_t)page ? total - (size_t)offset
                                                                                           : (size_t)page;
        if (part.n != want)
            repo_note(__FILE__, __LINE__, "the page at offset %lld has %zu rows, expected %zu", (long long)offset,
                      part.n, want);
        CU_ASSERT_EQUAL(part.n, want);
        for (size_t i = 0; i < part.n; i++)
            if (joined.n < ROWLIST_MAX)
                joined.v[joined.n++] = part.v[i];
        if (part.n == 0 || (size_t)offset >= total)
            break;
    }
    CU_ASSERT(rowlist_same(&joined, &all, "the pages together"));
    CU_ASSERT(!rowlist_has_duplicates(&joined));
    /* a page far past the end is empty */
    rowlist_clear(&part);
    EXPECT_RC(fetch(ctx, page, (int64_t)total + 100, &part, &e), 0, e);
    EXPECT_INT(part.n, 0);
}

/* ---- CUnit --------------------------------------------------------------------- */

int add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup, const test_case *cases,
              size_t n)
{
    CU_pSuite s = CU_add_suite(name, init, cleanup);
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!CU_add_test(s, cases[i].name, cases[i].fn))
            return -1;
    return 0;
}

int run_all(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed()
                    + CU_get_number_of_suites_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return failed || run == 0 ? 1 : 0;
}
