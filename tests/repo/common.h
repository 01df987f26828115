/* tests/repo/common.h - helpers shared by the repository integration tests
 * (tests/repo/test_*.c): values, direct SQL on a second connection, killing
 * a session, and lists of rows for checking filters, order and paging.
 * Knows nothing of any generated header: compiled once per test binary. */
#ifndef REPO_COMMON_H
#define REPO_COMMON_H

#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wr.h"

/* ---- assertions that say what went wrong ---------------------------------- */

void repo_note(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Runs expr with err cleared; asserts it returned want, printing the
 * message when it did not. */
#define EXPECT_RC(expr, want, e)                                                                          \
    do {                                                                                                  \
        (e).code = 0;                                                                                     \
        (e).message[0] = '\0';                                                                            \
        int rc_ = (expr);                                                                                 \
        if (rc_ != (want))                                                                                \
            repo_note(__FILE__, __LINE__, "%s returned %d, expected %d: %s", #expr, rc_, (int)(want),     \
                      (e).message);                                                                       \
        CU_ASSERT_EQUAL(rc_, (want));                                                                     \
    } while (0)

/* The same, and the test stops when it did not (the rest depends on it). */
#define REQUIRE_RC(expr, want, e)                                                                         \
    do {                                                                                                  \
        (e).code = 0;                                                                                     \
        (e).message[0] = '\0';                                                                            \
        int rc_ = (expr);                                                                                 \
        if (rc_ != (want))                                                                                \
            repo_note(__FILE__, __LINE__, "%s returned %d, expected %d: %s", #expr, rc_, (int)(want),     \
                      (e).message);                                                                       \
        CU_ASSERT_EQUAL_FATAL(rc_, (want));                                                               \
    } while (0)

/* NULL-aware string equality, printing both sides when they differ. */
#define EXPECT_STR(got, want)                                                                             \
    do {                                                                                                  \
        const char *g_ = (got), *w_ = (want);                                                             \
        bool same_ = str_same(g_, w_);                                                                    \
        if (!same_)                                                                                       \
            repo_note(__FILE__, __LINE__, "%s is %s%s%s, expected %s%s%s", #got, g_ ? "'" : "",            \
                      g_ ? g_ : "NULL", g_ ? "'" : "", w_ ? "'" : "", w_ ? w_ : "NULL", w_ ? "'" : "");   \
        CU_ASSERT(same_);                                                                                 \
    } while (0)

/* An error's code and message: every word of `words` (NULL-terminated)
 * must appear in the message. */
#define EXPECT_MESSAGE(e, ...) expect_message(__FILE__, __LINE__, &(e), (const char *const[]){ __VA_ARGS__, NULL })
void expect_message(const char *file, int line, const wr_err *e, const char *const *words);

#define EXPECT_INT(got, want)                                                                             \
    do {                                                                                                  \
        long long g_ = (long long)(got), w_ = (long long)(want);                                          \
        if (g_ != w_)                                                                                     \
            repo_note(__FILE__, __LINE__, "%s is %lld, expected %lld", #got, g_, w_);                      \
        CU_ASSERT_EQUAL(g_, w_);                                                                          \
    } while (0)

bool str_same(const char *a, const char *b);
bool contains(const char *haystack, const char *needle);

/* ---- values --------------------------------------------------------------- */

/* A distinct, well-spread uuid per (tag, n): insertion order is not key order. */
wr_uuid uuid_n(unsigned tag, unsigned n);
/* Text of a uuid in a caller's buffer, for SQL and messages. */
const char *uuid_str(const wr_uuid *u, char out[WR_UUID_TEXT_SIZE]);
int uuid_cmp(const wr_uuid *a, const wr_uuid *b);
wr_timestamp ts_utc(int y, int mo, int d, int h, int mi, int s, int us);
wr_date day(int y, int mo, int d);
wr_decimal dec(const char *text, unsigned precision, unsigned scale);
/* Is the optional decimal set, and is its text exactly `text`? */
bool dec_is(const wr_opt_decimal *d, const char *text);
bool float_bits_same(double a, double b);
bool opt_float_same(wr_opt_float a, wr_opt_float b);
bool opt_ts_same(wr_opt_timestamp a, wr_opt_timestamp b);
bool opt_date_same(wr_opt_date a, wr_opt_date b);
bool opt_uuid_same(const wr_opt_uuid *a, const wr_opt_uuid *b);
/* A timestamp a server set "now": within ten minutes of this machine's clock. */
bool is_recent(wr_opt_timestamp t);
/* n copies of unit (a UTF-8 character) into out, NUL-terminated. */
char *utf8_repeat(char *out, size_t size, const char *unit, size_t n);

/* Values every text field is tried with: quotes, backslashes, percent signs,
 * a NUL-free control character, non-ASCII text. */
#define TRICKY_TEXT "O'Brien \"Lease\" \\N 100% _x_ \x1f\t end"
#define NON_ASCII_NAME "Bohrloch Größe 北海 🛢"

/* ---- direct SQL, on a connection of the test's own ------------------------- */

typedef struct tdb {
    wr_conn *conn;
    wr_dialect dialect;
} tdb;

/* Opens a second connection with the DSN in dsn_env; false on failure. */
bool tdb_open(tdb *db, wr_dialect d, const char *dsn_env);
void tdb_close(tdb *db);
/* Runs one statement; false (and a note on stderr) on failure. */
bool tdb_exec(tdb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The first column of the first row into out; *is_null when it is NULL;
 * false when the query failed or returned no row. */
bool tdb_value(tdb *db, char *out, size_t size, bool *is_null, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A COUNT(*) (or any integer) query; -1 on failure. */
long long tdb_count(tdb *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The session id of a connection: PostgreSQL backend pid or MySQL thread id. */
long long session_id(wr_conn *c);
/* Kills the session of `victim` from db and waits until the server has
 * dropped it (true at once when it is gone already); false when that did
 * not happen. */
bool kill_session(tdb *db, wr_conn *victim);

/* ---- rows as find_all returned them ----------------------------------------- */

enum { ROWLIST_MAX = 64 };

typedef struct rowref {
    bool is_uuid;
    wr_uuid uuid;          /* the key, when it is a uuid */
    int64_t num;           /* the key, when it is a bigint */
    bool has_sort;         /* the declared order's value is not NULL */
    int64_t sort;          /* that value: microseconds or days */
} rowref;

typedef struct rowlist {
    size_t n;
    bool is_overflowed;
    rowref v[ROWLIST_MAX];
} rowlist;

void rowlist_clear(rowlist *l);
void rowlist_add_uuid(rowlist *l, const wr_uuid *key, bool has_sort, int64_t sort);
void rowlist_add_num(rowlist *l, int64_t key, bool has_sort, int64_t sort);
/* Sorts into the declared order: sort value descending (NULLs where the
 * dialect puts them), then the key ascending. */
void rowlist_sort(rowlist *l, bool nulls_first);
/* Are a and b the same keys in the same order?  Prints the first difference. */
bool rowlist_same(const rowlist *got, const rowlist *want, const char *what);
bool rowlist_is_ordered(const rowlist *l, bool nulls_first);
bool rowlist_has_duplicates(const rowlist *l);

/* find_all(limit, offset) into out; returns what find_all returned. */
typedef int (*fetch_page_fn)(void *ctx, int64_t limit, int64_t offset, rowlist *out, wr_err *err);
/* Reads everything, then page by page: pages of `page` rows (the last one
 * shorter), together exactly the whole list, in the declared order, no row
 * twice; a page past the end is empty. */
void check_paging(fetch_page_fn fetch, void *ctx, size_t total, int64_t page, bool nulls_first);

/* ---- CUnit registration -------------------------------------------------------- */

typedef struct test_case {
    const char *name;
    CU_TestFunc fn;
} test_case;

int add_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc cleanup, const test_case *cases,
              size_t n);
#define ADD_SUITE(name, init, cleanup, cases) add_suite(name, init, cleanup, cases, sizeof cases / sizeof *cases)
/* Runs every registered test; the exit status: 0 when all passed. */
int run_all(void);

#endif
