/* wr_internal.h - what the runtime's own files share and generated code
 * must never include: the DSN parser, the connection struct and the driver
 * vtable every driver file (wr_pg.c, wr_mysql.c, wr_tds.c) fills in.
 * Nothing here is public API; it may change with any release. */
#ifndef WR_INTERNAL_H
#define WR_INTERNAL_H

#include "wr.h"

/* ---- DSNs ------------------------------------------------------------------
 * "key=value key2='quoted value'" into a small fixed list: no allocation,
 * and a DSN longer than these bounds is refused rather than truncated. */
enum {
    WR_DSN_MAX_PAIRS = 24,
    WR_DSN_KEY_SIZE = 32,      /* longest key: 31 bytes */
    WR_DSN_VALUE_SIZE = 512,   /* longest value: 511 bytes */
};

typedef struct wr_dsn_pair {
    char key[WR_DSN_KEY_SIZE];
    char value[WR_DSN_VALUE_SIZE];
} wr_dsn_pair;

typedef struct wr_dsn {
    size_t count;
    wr_dsn_pair pairs[WR_DSN_MAX_PAIRS];
} wr_dsn;

/* Parses text into out; WR_ECONFIG naming the bad key (never a value) on
 * error.  Keys are case-sensitive, as in libpq.  A key may appear once,
 * unless repeats_replace (libpq's rule: the last one wins). */
int wr_dsn_parse(wr_dsn *out, const char *text, bool repeats_replace, const char *who, wr_err *err);
/* The value of key, or NULL when absent. */
const char *wr_dsn_get(const wr_dsn *d, const char *key);
/* WR_ECONFIG naming the first key not in the NULL-terminated list. */
int wr_dsn_check_keys(const wr_dsn *d, const char *const *allowed, const char *driver,
                      const char *who, wr_err *err);
/* An unsigned number in [min, max] from key, or def when absent. */
int wr_dsn_get_uint(const wr_dsn *d, const char *key, unsigned min, unsigned max, unsigned def,
                    unsigned *out, const char *who, wr_err *err);
/* Overwrites the whole list (it holds a password) before it goes out of scope. */
void wr_dsn_wipe(wr_dsn *d);

/* ---- secrets ---------------------------------------------------------------
 * Removes from message every literal occurrence (4 bytes or longer) of a
 * secret found in dsn: defence in depth for driver messages that echo a
 * piece of the DSN they were given. */
void wr_scrub_dsn_secrets(char *message, size_t size, const char *dsn);
/* Driver messages come with newlines and trailing blanks: one line, in
 * place, runs of white space collapsed. */
void wr_one_line(char *s);
/* Overwrites n bytes in a way the compiler may not drop. */
void wr_wipe(void *p, size_t n);

/* ---- integer text (wr_value.c) --------------------------------------------------- */
/* s is the whole of -?digits and fits a long long: *out, true.  By hand:
 * strtoll's locale, blanks, signs and bases cost more than the rest of a
 * binary COPY value's encoding, and accept text no canonical value has. */
bool wr_int_text_parse(const char *s, long long *out);
/* The decimal text of magnitude, '-' first if is_negative, written
 * backwards ending at end (exclusive; 21 bytes suffice); returns its first
 * character.  Not NUL-terminated. */
char *wr_int_text_back(char *end, unsigned long long magnitude, bool is_negative);

/* ---- connections ----------------------------------------------------------- */

enum { WR_WHO_SIZE = 128, WR_DRIVER_MESSAGE_SIZE = 768 };

typedef struct wr_driver {
    /* Opens c->handle from dsn; on failure leaves c->handle NULL. */
    int (*connect)(wr_conn *c, const char *dsn, wr_err *err);
    /* Closes c->handle (NULL-safe) and sets it to NULL. */
    void (*close)(wr_conn *c);
    /* One statement, no parameters; results, if any, are discarded. */
    int (*exec)(wr_conn *c, const char *sql, wr_err *err);
    /* Did the last failure on c->handle lose the connection? */
    bool (*is_lost)(const wr_conn *c);
    /* Has the server check sql (n_params placeholders; -1: PostgreSQL
     * counts them) without running it: names and types, and privileges
     * where it checks them only when a plan starts (PostgreSQL: EXPLAIN).
     * Its error does not name the session.  NULL: the driver cannot (db-lib). */
    int (*prepare)(wr_conn *c, const char *sql, int n_params, wr_err *err);
} wr_driver;

/* st checked by the server, not run (the driver's prepare); an error is
 * named after st, as wr_query's are.  WR_EUNSUPPORTED where the driver has
 * no prepare (SQL Server). */
int wr_check_statement(wr_conn *c, const wr_stmt *st, wr_err *err);

struct wr_conn {
    const wr_driver *driver;
    wr_dialect dialect;
    char who[WR_WHO_SIZE];
    char *dsn;              /* owned; kept for reconnecting, wiped on close */
    unsigned generation;    /* starts at 1; +1 each time the handle is replaced */
    void *handle;           /* PGconn *, MYSQL *, DBPROCESS *; NULL once closed */
    /* Drivers that report through callbacks (db-lib) collect the messages of
     * the current call here. */
    char driver_message[WR_DRIVER_MESSAGE_SIZE];
    /* The tenant marker (wr.h): the tenant this session's database was found
     * marked for, and the generation it was checked on; 0: not checked. */
    char marked_for[WR_WHO_SIZE];
    unsigned marked_generation;
    bool lifts_time_limits;   /* wr_conn_lift_time_limits: again on every reconnect */
    unsigned read_timeout_s;  /* PostgreSQL, SQL Server: the longest silence waited for; 0: none */
};

/* Lifts the server's limits on a statement's time for this session, now
 * and after every reconnect: a whole-table reader's, like pg_dump's and
 * mariadb-dump's (PostgreSQL's statement_timeout and
 * idle_in_transaction_session_timeout, MariaDB's max_statement_time,
 * MySQL's max_execution_time).  Best effort: a server without the setting
 * has no such limit, and a failed SET leaves the session as it was. */
void wr_conn_lift_time_limits(wr_conn *c);

extern const wr_driver wr_pg_driver;
extern const wr_driver wr_mysql_driver;
extern const wr_driver wr_tds_driver;

#endif
