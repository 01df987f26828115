/* wr.h - libwellosrt, the runtime that generated repositories and sync
 * agents link against.  This is its one public header: every exported
 * symbol starts with wr_.  It knows nothing of the compiler.
 *
 * Conventions (after libgit2 and libpq): functions return 0 on success and
 * a negative WR_E* code on failure, with the message in a caller-owned
 * wr_err; outputs come through pointers; handles are opaque; close/free
 * functions accept NULL.  There is no global mutable state: two tenants'
 * connections can live in one process.  Messages never contain a password. */
#ifndef WR_H
#define WR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- versions ------------------------------------------------------------
 * Generated code checks these at compile time, as protobuf-c does:
 *   #if WR_VERSION_NUMBER < <compiler version>   -> runtime too old
 *   #elif <compiler version> < WR_MIN_COMPILER_VERSION -> regenerate      */
#define WR_VERSION "0.1.0"
#define WR_VERSION_NUMBER 100           /* major * 10000 + minor * 100 + patch */
#define WR_MIN_COMPILER_VERSION 100     /* oldest wellosc output this runtime accepts */

/* ---- errors --------------------------------------------------------------- */

enum {
    WR_OK = 0,
    WR_ERROR = -1,        /* a database or driver error */
    WR_ECONNECT = -2,     /* could not connect, or the connection was lost */
    WR_ECONFIG = -3,      /* a DSN is missing or malformed */
    WR_EDATA = -4,        /* a value cannot be converted (bad text, overflow) */
    WR_EUNSUPPORTED = -5, /* the dialect or driver is not available in this build */
    WR_ENOMEM = -6,
};

typedef struct wr_err {
    int code;
    char message[1024];
} wr_err;

/* Sets err (if not NULL) and returns code.  Any password-like part of the
 * formatted text (password=..., pwd=..., user:secret@ in URLs) is masked. */
int wr_error(wr_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copy of dsn with every password replaced by "****"; NULL-safe. */
void wr_mask_secrets(const char *text, char *out, size_t out_size);

/* ---- values -------------------------------------------------------------- */

typedef struct wr_uuid {
    uint8_t bytes[16];  /* in the order of the text form (RFC 4122) */
} wr_uuid;

/* An exact decimal: units * 10^-scale.  38 significant digits. */
typedef struct wr_decimal {
    __int128 units;
    uint8_t scale;
} wr_decimal;

typedef struct wr_date {
    int32_t days;       /* since 1970-01-01 (proleptic Gregorian) */
} wr_date;

typedef struct wr_timestamp {
    int64_t micros;     /* UTC, since 1970-01-01 00:00:00 */
} wr_timestamp;

enum {
    WR_UUID_TEXT_SIZE = 37,        /* 8-4-4-4-12 + NUL */
    WR_DECIMAL_TEXT_SIZE = 44,     /* sign, 38 digits, point, NUL, slack */
    WR_DATE_TEXT_SIZE = 11,        /* YYYY-MM-DD */
    WR_TIMESTAMP_TEXT_SIZE = 33,   /* YYYY-MM-DD HH:MM:SS.ffffff+00:00 */
};

int wr_uuid_parse(wr_uuid *out, const char *text, wr_err *err);
void wr_uuid_format(const wr_uuid *u, char out[WR_UUID_TEXT_SIZE]);
bool wr_uuid_equal(const wr_uuid *a, const wr_uuid *b);

/* Parses plain decimal text ("-12.50"); fails with WR_EDATA unless it fits
 * decimal(precision, scale) exactly (no rounding, ever).  The result has
 * exactly `scale` digits after the point. */
int wr_decimal_parse(wr_decimal *out, const char *text, unsigned precision, unsigned scale, wr_err *err);
void wr_decimal_format(const wr_decimal *d, char out[WR_DECIMAL_TEXT_SIZE]);
int wr_decimal_compare(const wr_decimal *a, const wr_decimal *b);

int wr_date_parse(wr_date *out, const char *text, wr_err *err);    /* YYYY-MM-DD */
void wr_date_format(wr_date d, char out[WR_DATE_TEXT_SIZE]);
wr_date wr_date_from_ymd(int year, int month, int day);
void wr_date_to_ymd(wr_date d, int *year, int *month, int *day);

/* Accepts YYYY-MM-DD[ T]HH:MM[:SS[.fraction]] with an optional zone (Z,
 * +HH, +HH:MM, +HHMM); without a zone the text is UTC. */
int wr_timestamp_parse(wr_timestamp *out, const char *text, wr_err *err);
void wr_timestamp_format(wr_timestamp t, char out[WR_TIMESTAMP_TEXT_SIZE]); /* ...+00:00 */
wr_timestamp wr_timestamp_now(void);

/* Optional values: is_set false means SQL NULL.  Optional text and json
 * are plain `const char *`, NULL meaning NULL (and "" meaning empty). */
typedef struct { bool is_set; int32_t value; } wr_opt_int;
typedef struct { bool is_set; int64_t value; } wr_opt_bigint;
typedef struct { bool is_set; double value; } wr_opt_float;
typedef struct { bool is_set; bool value; } wr_opt_bool;
typedef struct { bool is_set; wr_decimal value; } wr_opt_decimal;
typedef struct { bool is_set; wr_date value; } wr_opt_date;
typedef struct { bool is_set; wr_timestamp value; } wr_opt_timestamp;
typedef struct { bool is_set; wr_uuid value; } wr_opt_uuid;

/* ---- memory --------------------------------------------------------------
 * Rows read from a database own their text through a wr_arena the caller
 * passes in; wr_arena_reset() frees a batch at once (memory stays flat). */
typedef struct wr_arena wr_arena;
wr_arena *wr_arena_new(void);
void wr_arena_reset(wr_arena *a);
void wr_arena_free(wr_arena *a);
void *wr_arena_alloc(wr_arena *a, size_t size);                 /* NULL on OOM */
char *wr_arena_strndup(wr_arena *a, const char *s, size_t len); /* NULL on OOM */

/* ---- connections --------------------------------------------------------- */

typedef enum { WR_POSTGRES, WR_MYSQL, WR_SQLSERVER, WR_ORACLE } wr_dialect;
const char *wr_dialect_name(wr_dialect d);

typedef struct wr_conn wr_conn;

/* DSNs are key=value pairs separated by spaces (host= port= user=
 * password= dbname=, plus driver-specific keys), or for PostgreSQL anything
 * libpq accepts.  `who` names the caller in messages: "tenant permian_ops". */
int wr_connect(wr_conn **out, wr_dialect d, const char *dsn, const char *who, wr_err *err);
/* The DSN is read from the environment variable env_var at this moment. */
int wr_connect_env(wr_conn **out, wr_dialect d, const char *env_var, const char *who, wr_err *err);
void wr_conn_close(wr_conn *c);

wr_dialect wr_conn_dialect(const wr_conn *c);
const char *wr_conn_who(const wr_conn *c);
/* Re-open a connection that was lost.  Prepared statements do not survive
 * it: the generation changes, and code that prepared statements for an
 * older generation prepares them again. */
int wr_conn_reconnect(wr_conn *c, wr_err *err);
unsigned wr_conn_generation(const wr_conn *c);
/* Did the last failure lose the connection?  (Then reconnect and retry.) */
bool wr_conn_is_lost(const wr_conn *c);

/* The driver handles, for generated code that calls the client library
 * directly: PGconn *, MYSQL *, DBPROCESS *.  NULL for another dialect. */
struct pg_conn;
struct st_mysql;
struct tds_dblib_dbprocess;
struct pg_conn *wr_conn_pg(wr_conn *c);
struct st_mysql *wr_conn_mysql(wr_conn *c);
struct tds_dblib_dbprocess *wr_conn_tds(wr_conn *c);

/* A program links the drivers it names here, and only their client
 * libraries: call one for each dialect it connects to (generated code
 * does).  Connecting with a driver not linked is WR_EUNSUPPORTED. */
void wr_use_postgres(void);
void wr_use_mysql(void);
void wr_use_sqlserver(void);

/* Run one statement with no parameters and no result (DDL, BEGIN...). */
int wr_exec(wr_conn *c, const char *sql, wr_err *err);

/* ---- statements of generated repositories --------------------------------
 * Generated code is the same C for every dialect: it fills wr_params with
 * text values, runs a statement by index, and reads rows as text through
 * the wr_get_* functions.  Only the SQL differs per dialect.  Statements
 * are prepared on first use and again after a reconnect; a statement that
 * fails because the connection was lost is retried once on a new one
 * (every generated statement is idempotent: reads, upserts, deletes). */

enum { WR_MAX_PARAMS = 256 };

typedef struct wr_stmt {
    const char *name;          /* "tenant.entity.operation": messages, prepared names */
    const char *sql;
    int n_placeholders;
    const int *param_order;    /* placeholder i takes parameter param_order[i]; NULL: i */
    const char *param_decl;    /* SQL Server: sp_executesql's "@p1 nvarchar(max), ..." */
    const char *param_kinds;   /* MySQL: 'i' binds placeholder i as an integer (LIMIT
                                * takes no text); NULL or 's': as text */
} wr_stmt;

typedef struct wr_stmts {
    const wr_stmt *list;
    size_t n;
    unsigned generation;       /* of the connection they were prepared on; 0: never */
    void **prepared;           /* driver handles, one per statement (MySQL) */
    const char *tenant;        /* the tenant marker (below): NULL, no check */
    int marker;                /* with tenant: the statement that reads the marker */
} wr_stmts;

/* ---- the tenant marker of repositories -----------------------------------
 * A native tenant's database, and an etl tenant's WellOS target, says whose
 * it is: table wellos_tenant, created and filled by the tenant's generated
 * ddl_postgres.sql or by its sync agent's --init.  The repositories of such
 * a tenant set wr_stmts.tenant, and then wr_query and wr_execute run
 * statement `marker` (SELECT tenant FROM wellos_tenant) before any other
 * statement of the set: the database must be marked for that tenant and
 * for no other.  The answer is kept on the connection for its session: the
 * check runs once per session, and again after a reconnect (before the
 * retry of a statement whose connection was lost).  Otherwise nothing runs
 * and the call fails with WR_ETENANT, whose message names both tenants, or
 * says that the database has no marker.  A refusal is not kept: the next
 * call checks again.  Adapter tenants (the client's own tables) have no
 * marker and no check. */
enum { WR_ETENANT = -7 };      /* the database is not marked for this tenant */

typedef struct wr_params {
    wr_dialect dialect;
    int n;
    bool is_overflowed;        /* more than WR_MAX_PARAMS or text space: an emitter bug */
    const char *values[WR_MAX_PARAMS]; /* NULL: SQL NULL */
    size_t used;
    char text[8192];           /* formatted scalars live here */
} wr_params;

void wr_params_init(wr_params *p, wr_dialect d);
void wr_param_null(wr_params *p);
void wr_param_text(wr_params *p, const char *v);          /* not copied: must outlive the call */
void wr_param_uuid(wr_params *p, const wr_uuid *v);
void wr_param_int(wr_params *p, int32_t v);
void wr_param_bigint(wr_params *p, int64_t v);
void wr_param_float(wr_params *p, double v);
void wr_param_bool(wr_params *p, bool v);
void wr_param_decimal(wr_params *p, const wr_decimal *v);
void wr_param_date(wr_params *p, wr_date v);
void wr_param_timestamp(wr_params *p, wr_timestamp v);
void wr_param_opt_uuid(wr_params *p, const wr_opt_uuid *v);
void wr_param_opt_int(wr_params *p, const wr_opt_int *v);
void wr_param_opt_bigint(wr_params *p, const wr_opt_bigint *v);
void wr_param_opt_float(wr_params *p, const wr_opt_float *v);
void wr_param_opt_bool(wr_params *p, const wr_opt_bool *v);
void wr_param_opt_decimal(wr_params *p, const wr_opt_decimal *v);
void wr_param_opt_date(wr_params *p, const wr_opt_date *v);
void wr_param_opt_timestamp(wr_params *p, const wr_opt_timestamp *v);

/* One row of a result, every value as text (NULL: SQL NULL). */
typedef struct wr_row {
    int n;
    const char *const *values;
} wr_row;

/* Called per row; 0 goes on, anything else stops the query early. */
typedef int (*wr_row_fn)(void *ctx, const wr_row *row);

/* Run statement `which`: rows stream to each() one at a time (memory stays
 * flat); returns 0 or a negative WR_E* code. */
int wr_query(wr_conn *c, wr_stmts *s, int which, const wr_params *p, wr_row_fn each, void *ctx,
             wr_err *err);
/* Run statement `which` for its effect; *affected gets the rows changed. */
int wr_execute(wr_conn *c, wr_stmts *s, int which, const wr_params *p, int64_t *affected, wr_err *err);
/* Free what was prepared for s on c (NULL-safe). */
void wr_stmts_release(wr_conn *c, wr_stmts *s);

/* ---- the catalog (for `wellosc introspect`) --------------------------------
 * A database's tables and views and their columns.  about() is called once
 * with (database, default schema, table names exact "1"/"0", column names
 * exact "1"/"0"); column() once per column with (schema, table, column, its
 * type as the database spells it, nullable "1"/"0"), in the catalog's
 * order.  PostgreSQL, MySQL/MariaDB and SQL Server; others WR_EUNSUPPORTED. */
int wr_catalog_read(wr_conn *c, wr_row_fn about, wr_row_fn column, void *ctx, wr_err *err);

/* Typed reads of column `col` of a row; `name` names it in errors. */
int wr_get_text(const wr_row *r, int col, const char *name, wr_arena *mem, const char **out, wr_err *err);
int wr_get_uuid(const wr_row *r, int col, const char *name, wr_uuid *out, wr_err *err);
int wr_get_int(const wr_row *r, int col, const char *name, int32_t *out, wr_err *err);
int wr_get_bigint(const wr_row *r, int col, const char *name, int64_t *out, wr_err *err);
int wr_get_float(const wr_row *r, int col, const char *name, double *out, wr_err *err);
int wr_get_bool(const wr_row *r, int col, const char *name, bool *out, wr_err *err);
int wr_get_decimal(const wr_row *r, int col, const char *name, unsigned precision, unsigned scale,
                   wr_decimal *out, wr_err *err);
int wr_get_date(const wr_row *r, int col, const char *name, wr_date *out, wr_err *err);
int wr_get_timestamp(const wr_row *r, int col, const char *name, wr_timestamp *out, wr_err *err);
int wr_get_opt_uuid(const wr_row *r, int col, const char *name, wr_opt_uuid *out, wr_err *err);
int wr_get_opt_int(const wr_row *r, int col, const char *name, wr_opt_int *out, wr_err *err);
int wr_get_opt_bigint(const wr_row *r, int col, const char *name, wr_opt_bigint *out, wr_err *err);
int wr_get_opt_float(const wr_row *r, int col, const char *name, wr_opt_float *out, wr_err *err);
int wr_get_opt_bool(const wr_row *r, int col, const char *name, wr_opt_bool *out, wr_err *err);
int wr_get_opt_decimal(const wr_row *r, int col, const char *name, unsigned precision, unsigned scale,
                       wr_opt_decimal *out, wr_err *err);
int wr_get_opt_date(const wr_row *r, int col, const char *name, wr_opt_date *out, wr_err *err);
int wr_get_opt_timestamp(const wr_row *r, int col, const char *name, wr_opt_timestamp *out, wr_err *err);

/* Characters (not bytes) of UTF-8 text: text(n) limits count these. */
size_t wr_utf8_length(const char *s);
/* Do two number texts denote the same value ("1" and "1.00")? */
bool wr_numeric_text_equal(const char *a, const char *b);

/* ---- transforms of sync agents -------------------------------------------
 * Generated transforms are straight-line C over text values (NULL: SQL
 * NULL): each wr_xf_* takes text and returns text in x->mem.  The first
 * failure (a value that does not parse, does not fit, is not in a map)
 * marks x failed with a reason naming x->field, and every later call
 * returns NULL, so a transform runs to its end and checks once.  A failed
 * row is rejected; the batch goes on. */
typedef struct wr_xf {
    wr_arena *mem;
    const char *field;      /* the target field being computed: named in reasons */
    bool is_failed;
    char reason[512];
} wr_xf;

void wr_xf_fail(wr_xf *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *wr_xf_upper(wr_xf *x, const char *s);       /* Unicode-aware (C.UTF-8) */
const char *wr_xf_lower(wr_xf *x, const char *s);
const char *wr_xf_trim(wr_xf *x, const char *s);        /* Unicode white space, both ends */
const char *wr_xf_concat(wr_xf *x, const char *a, const char *b); /* NULL if either is NULL */
const char *wr_xf_parse_date(wr_xf *x, const char *s, const char *format);      /* -> YYYY-MM-DD */
const char *wr_xf_parse_timestamp(wr_xf *x, const char *s, const char *format); /* -> UTC text */
const char *wr_xf_parse_number(wr_xf *x, const char *s); /* -> plain decimal text */
/* Exact decimal arithmetic on number text (exponents accepted): op is one
 * of + - * /; division keeps 18 digits after the point, rounded half even.
 * NULL in, NULL out. */
const char *wr_xf_arith(wr_xf *x, char op, const char *a, const char *b);
const char *wr_xf_negate(wr_xf *x, const char *a);

/* Into a field's type: checked, normalized text, or failure.  Nothing is
 * rounded or cut unless asked: to_decimal rounds (half even) only with
 * is_rounded, which generated code sets for arithmetic results. */
const char *wr_xf_to_text(wr_xf *x, const char *v, unsigned max_chars);  /* 0: unbounded; UTF-8 checked */
const char *wr_xf_to_uuid(wr_xf *x, const char *v);
const char *wr_xf_to_int(wr_xf *x, const char *v, unsigned bits);       /* 32 or 64 */
const char *wr_xf_to_float(wr_xf *x, const char *v);
const char *wr_xf_to_decimal(wr_xf *x, const char *v, unsigned precision, unsigned scale, bool is_rounded);
const char *wr_xf_to_bool(wr_xf *x, const char *v);                     /* -> "true" / "false" */
const char *wr_xf_to_date(wr_xf *x, const char *v);
const char *wr_xf_to_timestamp(wr_xf *x, const char *v);
const char *wr_xf_to_json(wr_xf *x, const char *v);                     /* validated */
const char *wr_xf_to_enum(wr_xf *x, const char *v, const char *const *values); /* NULL-terminated */
/* A field's range check: lo <= v <= hi, exactly for decimal text. */
bool wr_xf_in_range(const char *v, const char *lo, const char *hi);
/* Plain decimal text: [+-]?digits(.digits)? */
bool wr_is_decimal_text(const char *s);
/* Compares two plain decimal texts exactly, however long: -1, 0, 1. */
int wr_decimal_text_compare(const char *a, const char *b);

/* ---- sync agents ---------------------------------------------------------
 * A generated agent is data and transforms: every SQL statement it runs is
 * written by the compiler (so `wellosc plan` can print them), and
 * wr_agent_main runs them: extract from the source in batches, transform,
 * COPY into a staging table of the tenant's PostgreSQL, upsert only rows
 * that differ, and advance the sync state in the same transaction. */

typedef enum { WR_SYNC_FULL, WR_SYNC_WATERMARK, WR_SYNC_WINDOW } wr_sync_mode;

/* Source row (the extract's columns) -> target values (the staging
 * columns, in order).  0: done; 1: rejected, reason in x; < 0: fatal. */
typedef int (*wr_transform_fn)(const wr_row *src, const char **out, wr_xf *x);

/* How a compared entity's keys sort, on both sides (wr_sync_entity.diff_scan). */
typedef enum {
    WR_KEY_BYTES,       /* text, dates: byte order (the target sorts with COLLATE "C") */
    WR_KEY_INTEGER,     /* as numbers */
    WR_KEY_UUID,        /* hex digits, either case */
} wr_key_order;

/* A column's type on the wire of a binary COPY (the initial load). */
typedef enum {
    WR_WIRE_TEXT, WR_WIRE_INT4, WR_WIRE_INT8, WR_WIRE_FLOAT8, WR_WIRE_NUMERIC, WR_WIRE_UUID, WR_WIRE_DATE,
    WR_WIRE_TIMESTAMPTZ, WR_WIRE_BOOL, WR_WIRE_JSONB,
} wr_wire;

typedef struct wr_sync_entity {
    const char *entity;         /* "ProductionRecord" */
    const char *origin;         /* "examples/texas_energy.wmap:24": the sync block */
    const char *key_field;      /* target key column's name, for rejects */
    const char *table;          /* the target table, quoted: "\"production_data\"" (--check) */

    /* on the source */
    wr_stmt extract;            /* rows; its parameter (if any): the lower bound */
    int n_source_columns;       /* the extract's columns the transform reads */
    const char *const *source_column_names; /* for rejects' raw values (JSON) */
    int watermark_column;       /* index of the watermark in an extract row; -1 */
    wr_stmt extract_keys;       /* deletes soft: every source key; .sql NULL otherwise */
    wr_transform_fn key_of;     /* extract_keys row -> the target key (out[0]) */

    wr_sync_mode mode;
    int64_t window_seconds;     /* WR_SYNC_WINDOW */
    int64_t lookback_seconds;   /* WR_SYNC_WATERMARK */
    bool is_null_watermark_rejected;
    bool is_abort_on_error;     /* `on error abort`; else reject and go on */

    /* the transform and what it fills */
    wr_transform_fn transform;
    int n_columns;
    const char *const *column_names;

    /* on the target (PostgreSQL), in the order they run per batch */
    const char *stage_create;   /* CREATE TEMP TABLE IF NOT EXISTS ... */
    const char *stage_truncate;
    const char *stage_copy;     /* COPY ... FROM STDIN */
    const char *const *checks;  /* before the upsert: each moves staged rows that would break a
                                 * constraint of the target (a missing referenced row, a unique
                                 * value another row holds) into the rejects, with the reason;
                                 * $1 tenant, $2 entity; its row count is the rows rejected */
    size_t n_checks;
    const char *upsert;         /* INSERT ... SELECT DISTINCT ON ... ON CONFLICT ... WHERE IS DISTINCT FROM */
    const char *keys_create, *keys_truncate, *keys_copy;  /* deletes soft */
    const char *mark_deleted;   /* keys gone from the source get the soft-delete time */

    /* Comparing with the target, for full and window syncs whose key is a
     * source column: the extract reads in key order, diff_scan streams the
     * target's rows in the same order on a second session, and a row the
     * target holds as the agent last wrote it, with the same values, is not
     * staged (runtime/wr_diff.c).  Such a table carries a row stamp: every
     * write of the agent (stage_copy, bulk_copy) has one more column after
     * the transform's, wellos_sync_hash (wr_row_hash of the values), and
     * sets wellos_sync_xid to its transaction's id.  NULL: every row is
     * staged, and rows carry no stamp. */
    const char *diff_scan;      /* COPY (SELECT key, stamp's hash or NULL ...) TO STDOUT (FORMAT binary) */
    int key_source_column;      /* the extract's column the key is read from */
    const char *diff_since;     /* a window's start for diff_scan ($1); NULL: every row */
    wr_key_order key_order;

    /* An initial load into an empty table: one transaction, the rows copied
     * straight into the table with its foreign keys and plain indexes
     * dropped first and made again (validated) at the end.  A data error
     * rolls it all back, and the run goes on in batches. */
    const char *bulk_lock;      /* LOCK TABLE ... IN ACCESS EXCLUSIVE MODE */
    const char *bulk_probe;     /* -> whether the table is empty */
    const char *const *bulk_prepare;   /* drops; the auto-updated column defaults to now() */
    size_t n_bulk_prepare;
    const char *bulk_copy;      /* COPY table (column_names) FROM STDIN (FORMAT binary) */
    const wr_wire *bulk_wire;   /* each column's type on the wire (n_columns, and the stamp's hash) */
    const char *const *bulk_finish;
    size_t n_bulk_finish;
} wr_sync_entity;

typedef struct wr_sync_spec {
    const char *tenant;
    const char *compiler_version;
    const char *spec_hash;      /* of every spec file the agent was built from */
    wr_dialect source_dialect;
    const char *source_env;     /* environment variables holding the DSNs */
    const char *target_env;
    int64_t interval_seconds;
    const char *init_sql;       /* --init: tables, state, rejects, marker; idempotent */
    const char *marker_read;    /* SELECT tenant FROM the marker table */
    const char *marker_write;   /* $1: the tenant */
    const char *lock;           /* one agent per tenant: $1 a key */
    const char *state_read;     /* $1 tenant, $2 entity -> watermark */
    const char *state_write;    /* $1..$9: tenant, entity, watermark, rows read, written,
                                 * unchanged, rejected, status, last error */
    const char *reject_write;   /* $1 tenant, $2 entity, $3 source key, $4 reason, $5 raw (json) */
    const wr_sync_entity *entities;
    size_t n_entities;
} wr_sync_spec;

/* The agent's main(): options, connections, the loop.  Returns the exit
 * status. */
int wr_agent_main(const wr_sync_spec *spec, int argc, char **argv);

#endif
