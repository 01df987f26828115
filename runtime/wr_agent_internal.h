/* wr_agent_internal.h - what the sync agent's files share: the bulk loader
 * (wr_copy.c), the logs (wr_log.c), statements on the target (wr_sync.c)
 * and one entity's run (wr_sync.c), driven by wr_agent_main (wr_agent.c).
 * Nothing here is public API; generated code never includes it. */
#ifndef WR_AGENT_INTERNAL_H
#define WR_AGENT_INTERNAL_H

#include <signal.h>

#include "wr_internal.h"

/* ---- UTF-8 (wr_log.c) ------------------------------------------------------
 * PostgreSQL (UTF8 database) and jansson refuse invalid UTF-8; one bad byte
 * in a reject's raw values must not fail the batch that records it. */
bool wr_utf8_is_valid(const char *s, size_t len);
/* s itself when it is valid UTF-8; else a copy in mem (malloc'd when mem is
 * NULL: the caller frees it if it differs from s) where every byte that
 * does not start a valid sequence became U+FFFD.  NULL on OOM or NULL s. */
char *wr_utf8_repair(wr_arena *mem, const char *s);

/* ---- logs (wr_log.c) ---------------------------------------------------------
 * One JSON object per line on stderr; a human line when stderr is a
 * terminal.  Every text goes through wr_mask_secrets first. */
typedef enum { WR_LOG_INFO, WR_LOG_WARN, WR_LOG_ERROR } wr_log_level;

typedef struct wr_log {
    const char *tenant;
    bool is_human;      /* stderr is a terminal */
} wr_log;

typedef struct wr_sync_counts {
    int64_t read, written, unchanged, rejected, deleted;
} wr_sync_counts;

void wr_log_init(wr_log *l, const char *tenant);
/* A start, stop or progress line; entity may be NULL. */
void wr_log_message(const wr_log *l, wr_log_level level, const char *event, const char *entity, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The line of one entity's run: error NULL when it succeeded. */
void wr_log_entity(const wr_log *l, const char *entity, const wr_sync_counts *c, int64_t duration_ms,
                   const char *status, const char *error);
/* Milliseconds of a monotonic clock. */
int64_t wr_log_clock_ms(void);

enum { WR_SQLSTATE_SIZE = 6 };

/* ---- COPY FROM STDIN (wr_copy.c) --------------------------------------------
 * PostgreSQL's text format; rows buffered and sent in ~256 KB chunks. */
typedef struct wr_copy wr_copy;
/* Runs copy_sql (a COPY ... FROM STDIN) on the PostgreSQL connection c. */
int wr_copy_begin(wr_copy **out, wr_conn *c, const char *copy_sql, wr_err *err);
/* One row of n values (NULL: SQL NULL). */
int wr_copy_row(wr_copy *cp, const char *const *values, int n, wr_err *err);
/* The same, then a row stamp's hash (wr_row_hash) as one more, bigint,
 * column. */
int wr_copy_row_stamped(wr_copy *cp, const char *const *values, int n, uint64_t hash, wr_err *err);
/* Ends the COPY and checks its result; *rows gets the server's row count,
 * sqlstate (NULL: not wanted) the SQLSTATE of a failure ("" if none).
 * Frees cp whatever happens. */
int wr_copy_end(wr_copy *cp, int64_t *rows, char sqlstate[WR_SQLSTATE_SIZE], wr_err *err);
/* Ends the COPY with an error (the transaction is then aborted: roll it
 * back) and frees cp; NULL-safe.  The connection is usable afterwards. */
void wr_copy_abort(wr_copy *cp, const char *why);
/* The same in PostgreSQL's binary format (copy_sql says FORMAT binary):
 * wr_copy_row then sends each of the n values as types[i]. */
int wr_copy_begin_binary(wr_copy **out, wr_conn *c, const char *copy_sql, const wr_wire *types, int n, wr_err *err);
/* The SQLSTATE of cp's first failure so far ("" none): a value it could
 * not send in binary is 22P02, as the server would say of bad text. */
const char *wr_copy_sqlstate(const wr_copy *cp);

/* ---- binary COPY values (wr_copy_binary.c) ---------------------------------- */
/* v's low `bytes` bytes at p, big-endian (the wire's order); returns p + bytes. */
uint8_t *wr_put_be(uint8_t *p, uint64_t v, int bytes);
/* At least the bytes v takes as type. */
size_t wr_copy_binary_size(wr_wire type, const char *v);
/* v (the canonical text of its type) into out, as PostgreSQL's *_send
 * would write it: the byte count, or -1 if v is not such text. */
int wr_copy_binary_value(wr_wire type, const char *v, uint8_t *out);

/* ---- statements on the target (wr_sync.c) ---------------------------------
 * The target is always PostgreSQL.  These run the compiler's SQL with text
 * parameters and no retry: inside a transaction a silent reconnect would
 * commit half a batch.  `what` names the statement in messages. */
int wr_target_run(wr_conn *c, const char *what, const char *sql, int n_params, const char *const *params,
                  wr_row_fn each, void *ctx, int64_t *affected, char sqlstate[WR_SQLSTATE_SIZE], wr_err *err);
/* What to add to a target's error of this SQLSTATE (NULL-safe): the cure
 * for a table an older agent made, or "". */
const char *wr_target_hint(const char *sqlstate);

/* ---- comparing with the target (wr_diff.c, wr_row_hash.c) -----------------
 * The target's rows in key order (diff_scan: key, wellos_sync_hash, xmin,
 * wellos_sync_xid) on a session of their own, walked alongside the
 * source's rows in the same order. */
typedef struct wr_diff wr_diff;
/* Starts e->diff_scan on c, which the diff then owns and closes; since: the
 * window's start for e->diff_since, or NULL. */
int wr_diff_open(wr_diff **out, wr_conn *c, const wr_sync_entity *e, const char *since, wr_err *err);
/* *same: the target holds a row with the key of values[] (n_columns values
 * from the transform) that the agent's own last write left as it was (its
 * xmin is wellos_sync_xid) with hash as its wellos_sync_hash.  Walks the
 * target forward past every key below it.  Any doubt answers false: the
 * row is then staged, and the upsert decides as it always would. */
int wr_diff_is_unchanged(wr_diff *d, const char *const *values, uint64_t hash, bool *same, wr_err *err);
/* Source rows that came out of key order (each one was staged), and rows
 * that repeat the key before them (staged: the last one wins). */
int64_t wr_diff_out_of_order(const wr_diff *d);
int64_t wr_diff_repeated(const wr_diff *d);
/* The key column's type and collation ("text COLLATE \"en_US\"") when its
 * index cannot give the scan its order, so that the target sorts the
 * window on every run; NULL when it can. */
const char *wr_diff_key_sorted_as(const wr_diff *d);
/* Closes the session, ending the scan wherever it is; NULL-safe. */
void wr_diff_close(wr_diff *d);
/* The hash of n transformed values that a compared table stores with the
 * row (wellos_sync_hash); fixed for all versions (wr_row_hash.c). */
uint64_t wr_row_hash(const char *const *values, int n);

/* ---- one entity's run (wr_sync.c) ---------------------------------------- */

/* Compares two watermark texts: as timestamps when both are, else as
 * numbers when both are, else as text (bytes). */
int wr_watermark_compare(const char *a, const char *b);

typedef struct wr_sync_options {
    bool is_dry_run;          /* no target: extract and transform only */
    bool is_full;             /* ignore the stored watermark */
    bool is_bulk_refused;     /* --no-bulk-load: an empty table is loaded in batches too */
    int64_t batch_size;
    const volatile sig_atomic_t *stop;  /* set by SIGTERM/SIGINT */
} wr_sync_options;

/* What wr_agent.c keeps per entity across runs (prepared statements,
 * whether the temporary tables exist on the current target connection). */
typedef struct wr_entity_slot {
    wr_stmts extract, extract_keys;
    unsigned stage_epoch, keys_epoch;   /* target epoch the temp tables were made on; 0: never */
} wr_entity_slot;

typedef struct wr_sync_env {
    const wr_sync_spec *spec;
    const wr_sync_options *opt;
    const wr_log *log;
    wr_conn *source;
    wr_conn *target;          /* NULL in a dry run */
    unsigned target_epoch;    /* changes with every new target session */
    /* opens another session on the target, for the comparison */
    int (*connect_target)(void *ctx, wr_conn **out, wr_err *err);
    void *connect_ctx;
} wr_sync_env;

typedef struct wr_sync_result {
    wr_sync_counts counts;
    bool is_stopped;          /* a signal ended it at a batch boundary */
    const char *status;       /* "ok", "stopped", "failed" */
} wr_sync_result;

/* Runs one entity; 0, or a negative code with the message in err (the
 * state then says 'failed' if the target could still be written). */
int wr_sync_entity_run(wr_sync_env *env, const wr_sync_entity *e, wr_entity_slot *slot, wr_sync_result *res,
                       wr_err *err);
/* The state 'failed' with error and the committed counts c, on env's
 * target: for a run whose own target session was lost, written on a new
 * one (the watermark stays as committed). */
int wr_sync_record_failure(wr_sync_env *env, const wr_sync_entity *e, const wr_sync_counts *c, const char *error,
                           wr_err *err);

#endif
