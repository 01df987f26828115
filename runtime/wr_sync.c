/* wr_sync.c - one entity's run of a sync agent: extract from the source,
 * transform, stage with COPY, upsert, record rejects and advance the sync
 * state, one transaction per batch; then, for `deletes soft`, the keys
 * still in the source and the soft delete of the others.
 *
 * A batch, on the target:
 *     BEGIN; <stage_truncate>; <stage_copy> ...rows...; \.;
 *     <checks>; <upsert>; <reject_write> per reject; <state_write>; COMMIT
 * It ends after batch-size rows read (with a comparison: batch-size rows
 * to stage or reject, or ten times that read), or at the end of the
 * extract; its transaction opens at its first row to write, so a batch of
 * rows the target already holds (wr_diff.c) costs the target nothing.
 *
 * An empty table gets an initial load instead (bulk_*): one transaction
 * for the whole extract, rows copied straight into the table, its foreign
 * keys and plain indexes dropped before and made again after.  A data
 * error (SQLSTATE class 22 or 23: a duplicate key, a missing referenced
 * row, a value the column refuses) rolls it all back, DDL included, and
 * the run starts again in batches, where such rows become rejects.  Rejects are kept in
 * the batch's arena until the COPY ends (a connection in COPY runs nothing
 * else).  State rows of a run: 'running' after each full batch, then 'ok'
 * (whole extract done), 'stopped' (a signal ended it at a batch boundary)
 * or 'failed' (with last_error; written in its own transaction after the
 * batch in flight was rolled back).  Counts in the state are the run's
 * totals over its committed batches.
 *
 * Must never: build SQL (every statement comes from the spec, but for
 * BEGIN, COMMIT and ROLLBACK), retry a target statement on a new
 * connection (that would commit half a batch), hold more than one batch in
 * memory, or advance the watermark past rows that were not committed. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_agent_internal.h"
#include "wr_pg_io.h"

/* ---- statements on the target --------------------------------------------- */

const char *wr_target_hint(const char *sqlstate)
{
    if (!sqlstate)
        return "";
    if (strcmp(sqlstate, "42703") == 0)   /* undefined_column */
        return " (a table made by an older agent lacks a column this one writes: run the agent with --init once)";
    if (strcmp(sqlstate, "42501") == 0)   /* insufficient_privilege */
        return " (the agent's role lacks a privilege on the target: README.md, \"What the agent's roles need\", "
               "lists them)";
    return "";
}

static int target_failure(wr_conn *c, PGconn *pg, const PGresult *res, const char *what,
                          char sqlstate[WR_SQLSTATE_SIZE], wr_err *err)
{
    char msg[WR_DRIVER_MESSAGE_SIZE];
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (primary) {
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        snprintf(msg, sizeof msg, "%s%s%s (SQLSTATE %s)", primary, detail ? "; " : "", detail ? detail : "",
                 state ? state : "?");
    } else {
        snprintf(msg, sizeof msg, "%s", wr_pg_message(c));
    }
    wr_one_line(msg);
    if (sqlstate)
        snprintf(sqlstate, WR_SQLSTATE_SIZE, "%s", state ? state : "");
    bool is_lost = PQstatus(pg) == CONNECTION_BAD;
    return wr_error(err, is_lost ? WR_ECONNECT : WR_ERROR, "%s: postgres: %s: %s%s%s", wr_conn_who(c), what,
                    is_lost ? "connection lost: " : "", msg[0] ? msg : "unknown error", wr_target_hint(state));
}

int wr_target_run(wr_conn *c, const char *what, const char *sql, int n_params, const char *const *params,
                  wr_row_fn each, void *ctx, int64_t *affected, char sqlstate[WR_SQLSTATE_SIZE], wr_err *err)
{
    if (sqlstate)
        sqlstate[0] = '\0';
    PGconn *pg = wr_conn_pg(c);
    if (!pg)
        return wr_error(err, WR_ECONNECT, "%s: %s: the target connection is closed", c ? wr_conn_who(c) : "target",
                        what);
    if (!sql)
        return wr_error(err, WR_ERROR, "%s: %s: the agent's spec has no SQL for it", wr_conn_who(c), what);
    PGresult *res = wr_pg_exec_params(c, sql, n_params, params);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (affected)
            *affected = strtoll(PQcmdTuples(res), NULL, 10);
        int rows = PQntuples(res), cols = PQnfields(res);
        const char *values[64];
        if (each && cols > 64)
            rc = wr_error(err, WR_ERROR, "%s: %s: %d columns, at most 64 expected", wr_conn_who(c), what, cols);
        for (int r = 0; each && rc == 0 && r < rows; r++) {
            for (int i = 0; i < cols; i++)
                values[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
            wr_row row = { cols, values };
            if (each(ctx, &row))
                break;
        }
    } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
        wr_pg_put_copy_end(c, "not a COPY statement");
        PGresult *more;
        while ((more = wr_pg_next_result(c)) != NULL)
            PQclear(more);
        rc = wr_error(err, WR_ERROR, "%s: %s: the statement started a COPY", wr_conn_who(c), what);
    } else {
        rc = target_failure(c, pg, res, what, sqlstate, err);
    }
    PQclear(res);
    return rc;
}

/* ---- watermarks --------------------------------------------------------------- */

int wr_watermark_compare(const char *a, const char *b)
{
    wr_timestamp ta, tb;
    if (wr_timestamp_parse(&ta, a, NULL) == 0 && wr_timestamp_parse(&tb, b, NULL) == 0)
        return (ta.micros > tb.micros) - (ta.micros < tb.micros);
    if (wr_is_decimal_text(a) && wr_is_decimal_text(b))
        return wr_decimal_text_compare(a, b);
    int c = strcmp(a, b);
    return (c > 0) - (c < 0);
}

/* *slot becomes a malloc'd copy of v (NULL: NULL). */
static int set_text(char **slot, const char *v)
{
    char *copy = NULL;
    if (v && !(copy = strdup(v)))
        return WR_ENOMEM;
    free(*slot);
    *slot = copy;
    return 0;
}

/* ---- one run ------------------------------------------------------------------ */

typedef struct reject {
    struct reject *next;
    const char *key, *reason, *raw;
} reject;

enum { DRY_RUN_REJECTS_SHOWN = 20 };

typedef struct run {
    wr_sync_env *env;
    const wr_sync_entity *e;
    wr_entity_slot *slot;
    const wr_sync_options *opt;
    wr_conn *target;
    int key_index;                 /* of key_field in column_names; -1 */
    wr_arena *row_mem;             /* the transform's, reset per row */
    wr_arena *batch_mem;           /* rejects of the batch in flight */
    const char **out;              /* n_columns values from the transform */

    bool is_open;                  /* a batch (or the initial load's) transaction is in flight */
    wr_copy *copy;
    int64_t batch_read, batch_rejected, batch_unchanged;
    reject *rejects, **rejects_tail;
    char *batch_wm;                /* the largest watermark of the batch */

    char *wm;                      /* the watermark reached by committed batches */
    char *param_text;              /* the extract's parameter, when it is text */
    wr_sync_counts done;           /* totals of committed batches */
    int64_t dry_staged;

    reject *failed_reject;         /* `on error abort`: the reject that stopped the run */
    int rc;                        /* a failure inside the row callback */
    wr_err *err;
    bool is_stopped;

    wr_diff *diff;                 /* the target's rows in key order; NULL: stage every row */
    bool is_batch_full;            /* with a diff: the batch ends at the next new key */
    char *batch_last_key;          /* the source key of the row that filled it */
    int64_t n_same, n_differ;      /* rows the comparison skipped, and staged */
    char since[WR_TIMESTAMP_TEXT_SIZE];   /* a window's start, for the diff ("" none) */
    bool is_bulk;                  /* the initial load of an empty table is in flight */
    char sqlstate[WR_SQLSTATE_SIZE];   /* of the initial load's failure */
} run;

static const char *tenant(const run *r)
{
    return r->env->spec->tenant;
}

static int begin(run *r)
{
    return wr_exec(r->target, "BEGIN", r->err);
}

static void rollback(run *r)
{
    if (r->target && wr_conn_pg(r->target) && !wr_conn_is_lost(r->target))
        wr_exec(r->target, "ROLLBACK", NULL);
}

static int commit(run *r)
{
    return wr_exec(r->target, "COMMIT", r->err);
}

/* The stage (a temporary table) lives as long as the session: created once
 * per target connection, outside any batch transaction (a rollback would
 * drop it with the batch). */
static int ensure_temp_table(run *r, const char *sql, unsigned *epoch, const char *what)
{
    if (*epoch == r->env->target_epoch)
        return 0;
    int rc = wr_target_run(r->target, what, sql, 0, NULL, NULL, NULL, NULL, NULL, r->err);
    if (rc == 0)
        *epoch = r->env->target_epoch;
    return rc;
}

/* A table compared with the source carries a row stamp with every row the
 * agent writes (wr_diff.c): the compiler gives exactly those a diff_scan. */
static bool is_stamped(const wr_sync_entity *e)
{
    return e->diff_scan != NULL;
}

/* The batch's COPY, at its first row to write: into the stage, in the
 * batch's own transaction, or straight into the table in an initial load. */
static int open_copy(run *r)
{
    if (r->is_bulk)
        return r->e->bulk_wire
            ? wr_copy_begin_binary(&r->copy, r->target, r->e->bulk_copy, r->e->bulk_wire,
                                   r->e->n_columns + is_stamped(r->e), r->err)
            : wr_copy_begin(&r->copy, r->target, r->e->bulk_copy, r->err);
    int rc = 0;
    if (!r->is_open) {
        if ((rc = ensure_temp_table(r, r->e->stage_create, &r->slot->stage_epoch, "stage_create")) || (rc = begin(r)))
            return rc;
        r->is_open = true;
    }
    if ((rc = wr_target_run(r->target, "stage_truncate", r->e->stage_truncate, 0, NULL, NULL, NULL, NULL, NULL,
                            r->err)))
        return rc;
    return wr_copy_begin(&r->copy, r->target, r->e->stage_copy, r->err);
}

/* Forgets the batch (not the transaction: the caller ends that; nor an
 * initial load's COPY, which spans batches). */
static void reset_batch(run *r)
{
    if (!r->is_bulk)
        r->copy = NULL;
    r->batch_read = r->batch_rejected = r->batch_unchanged = 0;
    r->rejects = NULL;
    r->rejects_tail = &r->rejects;
    free(r->batch_wm);
    r->batch_wm = NULL;
    wr_arena_reset(r->batch_mem);
}

static void rollback_batch(run *r)
{
    if (r->copy)
        wr_copy_abort(r->copy, "batch abandoned");
    r->copy = NULL;
    if (r->is_open)
        rollback(r);
    r->is_open = false;
    r->failed_reject = NULL;   /* it lived in the batch's arena */
    reset_batch(r);
}

/* A batch with nothing to write: its rows count, and that is all. */
static void fold_batch(run *r)
{
    r->done.read += r->batch_read;
    r->done.unchanged += r->batch_unchanged;
    r->done.rejected += r->batch_rejected;
    reset_batch(r);
}

static int write_reject(run *r, const reject *j)
{
    const char *params[5] = { tenant(r), r->e->entity, j->key, j->reason, j->raw };
    return wr_target_run(r->target, "reject_write", r->env->spec->reject_write, 5, params, NULL, NULL, NULL, NULL,
                         r->err);
}

static int write_state(run *r, const char *wm, const wr_sync_counts *c, const char *status, const char *error)
{
    char n[4][24];
    snprintf(n[0], sizeof n[0], "%lld", (long long)c->read);
    snprintf(n[1], sizeof n[1], "%lld", (long long)c->written);
    snprintf(n[2], sizeof n[2], "%lld", (long long)c->unchanged);
    snprintf(n[3], sizeof n[3], "%lld", (long long)c->rejected);
    char *clean = error ? wr_utf8_repair(NULL, error) : NULL;
    const char *params[9] = { tenant(r), r->e->entity, wm, n[0], n[1], n[2], n[3], status, clean };
    int rc = wr_target_run(r->target, "state_write", r->env->spec->state_write, 9, params, NULL, NULL, NULL, NULL,
                           r->err);
    if (clean != error)
        free(clean);
    return rc;
}

/* The watermark a batch reaches: the larger of the committed one and the
 * batch's own (only incremental entities have one). */
static const char *reached_wm(const run *r)
{
    if (r->e->mode != WR_SYNC_WATERMARK)
        return NULL;
    if (!r->batch_wm)
        return r->wm;
    if (!r->wm || wr_watermark_compare(r->batch_wm, r->wm) > 0)
        return r->batch_wm;
    return r->wm;
}

/* Ends the batch in flight: COPY end, upsert, rejects, state, COMMIT. */
static int finish_batch(run *r, const char *status)
{
    int64_t staged = 0, written = 0;
    wr_copy *cp = r->copy;
    r->copy = NULL;
    int rc = 0;
    if (!r->is_open) {   /* only rejects to record */
        if ((rc = begin(r)))
            return rc;
        r->is_open = true;
    }
    if (cp)
        rc = wr_copy_end(cp, &staged, NULL, r->err);
    /* rows the target's constraints would refuse go to the rejects, so one
     * such row cannot fail its whole batch on every run */
    int64_t refused = 0;
    for (size_t i = 0; !rc && cp && i < r->e->n_checks; i++) {
        const char *params[2] = { tenant(r), r->e->entity };
        int64_t moved = 0;
        rc = wr_target_run(r->target, "constraint check", r->e->checks[i], 2, params, NULL, NULL, &moved, NULL,
                           r->err);
        if (!rc && moved > 0 && r->e->is_abort_on_error)
            rc = wr_error(r->err, WR_EDATA, "%s: %lld row(s) would break a constraint of the target; "
                          "on error abort (see wellos_sync_rejects for the reasons of a run with on error reject)",
                          r->e->entity, (long long)moved);
        refused += moved;
    }
    if (!rc && cp)
        rc = wr_target_run(r->target, "upsert", r->e->upsert, 0, NULL, NULL, NULL, &written, NULL, r->err);
    for (const reject *j = r->rejects; j && !rc; j = j->next)
        rc = write_reject(r, j);
    wr_sync_counts c = r->done;
    c.read += r->batch_read;
    c.written += written;
    /* duplicates of a key within a batch count as unchanged */
    c.unchanged += r->batch_unchanged + staged - refused - written;
    c.rejected += r->batch_rejected + refused;
    const char *wm = reached_wm(r);
    if (!rc)
        rc = write_state(r, wm, &c, status, NULL);
    if (!rc)
        rc = commit(r);
    if (rc) {
        rollback_batch(r);
        return rc;
    }
    r->is_open = false;
    r->done = c;
    if (wm != r->wm && set_text(&r->wm, wm) < 0)
        rc = wr_error(r->err, WR_ENOMEM, "out of memory");
    reset_batch(r);
    return rc;
}

/* The state of a run that ends with no batch in flight ('ok', 'stopped'),
 * or that failed ('failed', with the reject that aborted it, if any). */
static int write_final_state(run *r, const char *status, const char *error)
{
    wr_err local;
    wr_err *saved = r->err;
    if (error)
        r->err = &local;   /* keep the first error, the one that matters */
    int rc = begin(r);
    if (!rc && r->failed_reject)
        rc = write_reject(r, r->failed_reject);
    if (!rc)
        rc = write_state(r, r->e->mode == WR_SYNC_WATERMARK ? r->wm : NULL, &r->done, status, error);
    if (!rc)
        rc = commit(r);
    if (rc)
        rollback(r);
    r->err = saved;
    return rc;
}

/* ---- rows ------------------------------------------------------------------------ */

static const char *value_at(const wr_row *row, int i)
{
    return i >= 0 && i < row->n ? row->values[i] : NULL;
}

/* The raw source values as a JSON object {column: text or null}. */
static const char *raw_json(run *r, const wr_row *row)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    int n = r->e->n_source_columns < row->n ? r->e->n_source_columns : row->n;
    for (int i = 0; i < n; i++) {
        char fallback[24];
        const char *name = r->e->source_column_names ? r->e->source_column_names[i] : NULL;
        if (!name) {
            snprintf(fallback, sizeof fallback, "column%d", i + 1);
            name = fallback;
        }
        const char *v = wr_utf8_repair(r->batch_mem, row->values[i]);
        json_object_set_new(obj, name, v ? json_string(v) : json_null());
    }
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!text)
        return NULL;
    const char *copy = wr_arena_strndup(r->batch_mem, text, strlen(text));
    free(text);
    return copy;
}

static int reject_row(run *r, const wr_row *row, const char *key, const char *reason)
{
    if (!key)
        key = value_at(row, 0);
    reject *j = wr_arena_alloc(r->batch_mem, sizeof *j);
    if (!j)
        return wr_error(r->err, WR_ENOMEM, "out of memory");
    j->next = NULL;
    j->key = key ? wr_utf8_repair(r->batch_mem, key) : NULL;
    if (key && j->key == key)   /* valid UTF-8: repair gave key itself */
        j->key = wr_arena_strndup(r->batch_mem, key, strlen(key));
    const char *why = reason && *reason ? reason : "rejected by the transform";
    j->reason = wr_utf8_repair(r->batch_mem, why);
    if (j->reason == why)
        j->reason = wr_arena_strndup(r->batch_mem, why, strlen(why));
    j->raw = raw_json(r, row);
    if ((key && !j->key) || !j->reason || !j->raw)
        return wr_error(r->err, WR_ENOMEM, "out of memory");
    r->batch_rejected++;
    if (r->opt->is_dry_run) {
        if (r->done.rejected + r->batch_rejected <= DRY_RUN_REJECTS_SHOWN)
            wr_log_message(r->env->log, WR_LOG_WARN, "reject", r->e->entity, "would reject key %s: %s; raw %s",
                           j->key ? j->key : "NULL", j->reason, j->raw);
        wr_arena_reset(r->batch_mem);
        return 1;
    }
    if (r->e->is_abort_on_error) {
        r->failed_reject = j;
        return wr_error(r->err, WR_EDATA, "%s: row with key %s rejected and the sync is `on error abort`: %s",
                        r->e->entity, j->key ? j->key : "NULL", j->reason);
    }
    *r->rejects_tail = j;
    r->rejects_tail = &j->next;
    return 1;
}

/* Whether column i can hold other than ASCII: the transforms give numbers,
 * uuids, dates, timestamps and booleans as canonical ASCII text, so only
 * text and JSON (and floats, to be safe) need the UTF-8 check. */
static bool may_be_non_ascii(const wr_sync_entity *e, int i)
{
    if (!e->bulk_wire)
        return true;
    switch (e->bulk_wire[i]) {
    case WR_WIRE_INT4: case WR_WIRE_INT8: case WR_WIRE_NUMERIC: case WR_WIRE_UUID: case WR_WIRE_DATE:
    case WR_WIRE_TIMESTAMPTZ: case WR_WIRE_BOOL:
        return false;
    default:
        return true;
    }
}

/* A transform's context for one row.  Not `wr_xf x = { ... }`: that
 * zeroes all 512 bytes of reason[] for every row. */
static void xf_start(wr_xf *x, wr_arena *mem)
{
    x->mem = mem;
    x->field = NULL;
    x->is_failed = false;
    x->reason[0] = '\0';
}

/* One source row: 0 staged, 1 rejected, < 0 the run fails. */
static int take_row(run *r, const wr_row *row)
{
    const wr_sync_entity *e = r->e;
    if (row->n < e->n_source_columns || row->n <= e->watermark_column)   /* the transform indexes values[] */
        return wr_error(r->err, WR_ERROR, "%s: the extract returned %d columns; the agent reads %d", e->entity,
                        row->n, e->n_source_columns > e->watermark_column ? e->n_source_columns : e->watermark_column + 1);
    const char *wm = value_at(row, e->watermark_column);
    if (wm && e->mode == WR_SYNC_WATERMARK && (!r->batch_wm || wr_watermark_compare(wm, r->batch_wm) > 0)
        && set_text(&r->batch_wm, wm) < 0)
        return wr_error(r->err, WR_ENOMEM, "out of memory");
    if (e->watermark_column >= 0 && !wm && e->is_null_watermark_rejected)
        return reject_row(r, row, NULL, "the watermark is NULL");

    wr_arena_reset(r->row_mem);
    for (int i = 0; i < e->n_columns; i++)
        r->out[i] = NULL;
    wr_xf x;
    xf_start(&x, r->row_mem);
    int rc = e->transform(row, r->out, &x);
    const char *key = r->key_index >= 0 ? r->out[r->key_index] : NULL;
    if (rc < 0)
        return wr_error(r->err, rc < WR_ENOMEM ? WR_ERROR : rc, "%s: the transform failed on the row with key %s: %s",
                        e->entity, key ? key : value_at(row, 0) ? value_at(row, 0) : "NULL",
                        x.reason[0] ? x.reason : "no reason given");
    if (rc > 0 || x.is_failed)
        return reject_row(r, row, key, x.reason);
    for (int i = 0; i < e->n_columns; i++) {
        if (r->out[i] && may_be_non_ascii(e, i) && !wr_utf8_is_valid(r->out[i], strlen(r->out[i]))) {
            char why[256];
            snprintf(why, sizeof why, "%s: the value is not valid UTF-8",
                     e->column_names ? e->column_names[i] : "a column");
            return reject_row(r, row, key, why);
        }
    }
    if (r->opt->is_dry_run) {
        r->dry_staged++;
        return 0;
    }
    uint64_t hash = is_stamped(e) ? wr_row_hash(r->out, e->n_columns) : 0;
    if (r->diff) {
        bool is_same;
        if ((rc = wr_diff_is_unchanged(r->diff, r->out, hash, &is_same, r->err)))
            return rc;
        r->n_same += is_same;
        r->n_differ += !is_same;
        if (is_same) {
            r->batch_unchanged++;
            return 0;
        }
    }
    if (!r->copy && (rc = open_copy(r)))
        return rc;
    rc = is_stamped(e) ? wr_copy_row_stamped(r->copy, r->out, e->n_columns, hash, r->err)
                       : wr_copy_row(r->copy, r->out, e->n_columns, r->err);
    if (rc && r->is_bulk)   /* a value the binary COPY cannot carry: the batches will */
        snprintf(r->sqlstate, sizeof r->sqlstate, "%s", wr_copy_sqlstate(r->copy));
    return rc;
}

static bool is_stop_requested(const run *r)
{
    return r->opt->stop && *r->opt->stop;
}

/* ---- the initial load of an empty table ----------------------------------------- */

static int read_probe(void *ctx, const wr_row *row)
{
    bool *is_empty = ctx;
    *is_empty = row->n >= 1 && row->values[0] && strcmp(row->values[0], "t") == 0;
    return 1;
}

/* Opens the initial load when the table is empty: *started says whether. */
static int start_bulk(run *r, bool *started)
{
    const wr_sync_entity *e = r->e;
    *started = false;
    if (!e->bulk_copy || !e->bulk_lock || !e->bulk_probe || r->opt->is_dry_run || r->opt->is_bulk_refused)
        return 0;
    int rc = begin(r);
    if (rc)
        return rc;
    r->is_open = true;
    /* the lock only once the table looks empty: a re-sync of a table with
     * rows never waits for (or blocks) its readers */
    bool is_empty = false;
    rc = wr_target_run(r->target, "bulk_probe", e->bulk_probe, 0, NULL, read_probe, &is_empty, NULL, NULL, r->err);
    if (!rc && is_empty) {
        rc = wr_target_run(r->target, "bulk_lock", e->bulk_lock, 0, NULL, NULL, NULL, NULL, NULL, r->err);
        if (!rc)   /* again, under the lock */
            rc = wr_target_run(r->target, "bulk_probe", e->bulk_probe, 0, NULL, read_probe, &is_empty, NULL, NULL,
                               r->err);
    }
    if (rc)
        return rc;   /* the caller rolls back */
    if (!is_empty) {
        rollback(r);
        r->is_open = false;
        return 0;
    }
    for (size_t i = 0; !rc && i < e->n_bulk_prepare; i++)
        rc = wr_target_run(r->target, "bulk_prepare", e->bulk_prepare[i], 0, NULL, NULL, NULL, NULL, NULL, r->err);
    if (rc && !wr_conn_is_lost(r->target)) {
        /* say, an object of someone else's depends on the key: batches */
        wr_log_message(r->env->log, WR_LOG_WARN, "initial-load", e->entity,
                       "the table cannot be prepared for an initial load, so it loads in batches: %s", r->err->message);
        rollback(r);
        r->is_open = false;
        return 0;
    }
    if (rc)
        return rc;   /* the caller rolls back */
    r->is_bulk = true;
    *started = true;
    return 0;
}

/* The end of a batch of the initial load: its rejects are in, and the
 * transaction goes on.  The COPY stays open across batches with no reject
 * (one COPY keeps the server busy while the agent reads on); a batch with
 * rejects ends it, since a connection in COPY runs nothing else. */
static int finish_bulk_batch(run *r, bool is_last)
{
    int64_t copied = 0;
    int rc = 0;
    if (r->copy && (is_last || r->rejects)) {
        wr_copy *cp = r->copy;
        r->copy = NULL;
        rc = wr_copy_end(cp, &copied, r->sqlstate, r->err);
    }
    for (const reject *j = r->rejects; j && !rc; j = j->next)
        rc = write_reject(r, j);
    if (rc)
        return rc;
    r->done.read += r->batch_read;
    r->done.written += copied;
    r->done.rejected += r->batch_rejected;
    const char *wm = reached_wm(r);
    if (wm != r->wm && set_text(&r->wm, wm) < 0)
        return wr_error(r->err, WR_ENOMEM, "out of memory");
    reset_batch(r);
    return 0;
}

/* The end of the initial load: indexes and foreign keys back, the state,
 * COMMIT.  Building an index, validating a key and committing a whole
 * table's load are silent for as long as the table is large: the read
 * timeout, there to find a server that stopped, would end a healthy one,
 * and every later run would load the table again, to the same end. */
static int finish_bulk(run *r, const char *status)
{
    const wr_sync_entity *e = r->e;
    int rc = r->batch_read > 0 || r->copy ? finish_bulk_batch(r, true) : 0;
    unsigned read_timeout = wr_pg_io_set_timeout(r->target, 0);
    for (size_t i = 0; !rc && i < e->n_bulk_finish; i++)
        rc = wr_target_run(r->target, "bulk_finish", e->bulk_finish[i], 0, NULL, NULL, NULL, NULL, r->sqlstate,
                           r->err);
    if (!rc)
        rc = write_state(r, r->e->mode == WR_SYNC_WATERMARK ? r->wm : NULL, &r->done, status, NULL);
    if (!rc)
        rc = commit(r);
    wr_pg_io_set_timeout(r->target, read_timeout);
    if (!rc)
        r->is_open = false;
    return rc;
}

/* A row the table refuses (class 22: a value; 23: a constraint). */
static bool is_data_error(const char *sqlstate)
{
    return strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0;
}

/* ---- rows, continued ---------------------------------------------------------- */

static int end_batch(run *r, const char *status)
{
    if (r->is_bulk)
        return finish_bulk_batch(r, false);
    if (!r->is_open && !r->copy && !r->rejects) {
        fold_batch(r);   /* every row unchanged: nothing to write */
        return 0;
    }
    return finish_batch(r, status);
}

/* A key-ordered extract (a diff) puts the rows of a repeated source key
 * together; a batch does not end between them, so the last one wins in
 * the batch's upsert and a re-sync writes nothing.  The full batch ends
 * at the next row with another key. */
static bool continues_batch(const run *r, const wr_row *row)
{
    const char *k = value_at(row, r->e->key_source_column);
    return k && r->batch_last_key && strcmp(k, r->batch_last_key) == 0;
}

/* With a comparison, a batch is batch_size rows that need work (staged or
 * rejected), not rows read: the rows the target holds already cost it
 * nothing, and a re-sync with 1% changed made a transaction per 100 such
 * rows.  Read rows are capped too, so that a run still commits its
 * progress and can stop at a batch boundary every so often. */
enum { DIFF_READ_PER_BATCH = 10 };   /* times batch_size */

static bool is_diff_batch_full(const run *r)
{
    return r->batch_read - r->batch_unchanged >= r->opt->batch_size
        || r->batch_read >= r->opt->batch_size * DIFF_READ_PER_BATCH;
}

static int on_row(void *ctx, const wr_row *row)
{
    run *r = ctx;
    int rc;
    if (r->is_batch_full && !continues_batch(r, row)) {
        r->is_batch_full = false;
        if ((rc = end_batch(r, "running")) < 0) {
            r->rc = rc;
            return rc;
        }
    }
    if (is_stop_requested(r) && r->batch_read == 0) {
        r->is_stopped = true;
        return 1;
    }
    r->batch_read++;
    rc = take_row(r, row);
    if (rc < 0) {
        r->rc = rc;
        return rc;
    }
    if (r->diff && !r->is_batch_full && is_diff_batch_full(r)) {
        if (set_text(&r->batch_last_key, value_at(row, r->e->key_source_column)) < 0) {
            r->rc = wr_error(r->err, WR_ENOMEM, "out of memory");
            return r->rc;
        }
        r->is_batch_full = true;   /* ends at the next row with another key */
        return 0;
    }
    if (r->batch_read >= r->opt->batch_size && !r->diff) {
        if (r->opt->is_dry_run) {
            r->done.read += r->batch_read;
            r->done.rejected += r->batch_rejected;
            reset_batch(r);
        } else if ((rc = end_batch(r, "running")) < 0) {
            r->rc = rc;
            return rc;
        }
        if (is_stop_requested(r)) {
            r->is_stopped = true;
            return 1;
        }
    }
    return 0;
}

/* ---- the parameter of the extract -------------------------------------------- */

static int read_stored_wm(void *ctx, const wr_row *row)
{
    char **out = ctx;
    if (row->n > 0 && row->values[0] && set_text(out, row->values[0]) < 0)
        return -1;
    return 1;
}

/* A lower bound, as the source compares it.  SQL Server's legacy datetime
 * takes at most three fraction digits: the bound goes down to the
 * millisecond there, which only re-reads (idempotently) a few rows. */
static void param_bound(wr_params *p, wr_timestamp t)
{
    if (p->dialect == WR_SQLSERVER) {
        int64_t ms = t.micros / 1000 - (t.micros % 1000 < 0);
        t.micros = ms * 1000;
    }
    wr_param_timestamp(p, t);
}

static int extract_params(run *r, wr_params *p)
{
    const wr_sync_entity *e = r->e;
    wr_params_init(p, wr_conn_dialect(r->env->source));
    if (e->mode == WR_SYNC_FULL)
        return 0;
    if (e->mode == WR_SYNC_WINDOW && r->opt->is_full) {
        wr_param_null(p); /* --full: the whole table, not the window */
        return 0;
    }
    if (e->mode == WR_SYNC_WINDOW) {
        wr_timestamp t = wr_timestamp_now();
        t.micros -= e->window_seconds * 1000000;
        param_bound(p, t);
        wr_timestamp_format(t, r->since);
        return 0;
    }
    char *stored = NULL;
    if (!r->opt->is_dry_run && !r->opt->is_full) {
        const char *params[2] = { tenant(r), e->entity };
        int rc = wr_target_run(r->target, "state_read", r->env->spec->state_read, 2, params, read_stored_wm, &stored,
                               NULL, NULL, r->err);
        if (rc)
            return rc;
    }
    /* a dry run has no target, hence no stored watermark: it reads it all */
    if (!stored) {
        wr_param_null(p);
        return 0;
    }
    r->wm = stored;
    wr_timestamp t;
    wr_date day;
    bool is_time = wr_timestamp_parse(&t, stored, NULL) == 0;
    if (!is_time && wr_date_parse(&day, stored, NULL) == 0) {   /* a DATE watermark: its midnight */
        t.micros = (int64_t)day.days * 86400 * 1000000;
        is_time = true;
    }
    if (is_time) {
        t.micros -= e->lookback_seconds * 1000000;
        param_bound(p, t);
    } else if (e->lookback_seconds != 0) {
        return wr_error(r->err, WR_EDATA,
                        "%s: the stored watermark '%.64s' is not a timestamp, so a lookback of %lld s cannot apply "
                        "(run with --full to start over)",
                        e->entity, stored, (long long)e->lookback_seconds);
    } else {
        /* a number watermark, compared as the source compares it; its own
         * copy, since r->wm moves on as batches commit */
        if (!(r->param_text = strdup(stored)))
            return wr_error(r->err, WR_ENOMEM, "out of memory");
        wr_param_text(p, r->param_text);
    }
    return 0;
}

/* ---- deletes soft ---------------------------------------------------------------- */

typedef struct keys_run {
    run *r;
    wr_copy *copy;
    int64_t keys, skipped;
} keys_run;

static int on_key(void *ctx, const wr_row *row)
{
    keys_run *k = ctx;
    run *r = k->r;
    wr_arena_reset(r->row_mem);
    for (int i = 0; i < r->e->n_columns; i++)
        r->out[i] = NULL;
    wr_xf x;
    xf_start(&x, r->row_mem);
    int rc = r->e->key_of(row, r->out, &x);
    if (rc < 0) {
        r->rc = wr_error(r->err, WR_ERROR, "%s: key_of failed: %s", r->e->entity, x.reason[0] ? x.reason : "no reason");
        return r->rc;
    }
    /* A key that does not convert was rejected by the transform too: it has
     * no row in the target, so leaving it out marks nothing deleted. */
    if (rc > 0 || x.is_failed || !r->out[0] || !wr_utf8_is_valid(r->out[0], strlen(r->out[0]))) {
        k->skipped++;
        return 0;
    }
    k->keys++;
    if ((rc = wr_copy_row(k->copy, r->out, 1, r->err)) < 0) {
        r->rc = rc;
        return rc;
    }
    return 0;
}

static int mark_deleted(run *r, int64_t *deleted)
{
    const wr_sync_entity *e = r->e;
    int rc = ensure_temp_table(r, e->keys_create, &r->slot->keys_epoch, "keys_create");
    if (!rc)
        rc = begin(r);
    if (rc)
        return rc;
    keys_run k = { .r = r };
    rc = wr_target_run(r->target, "keys_truncate", e->keys_truncate, 0, NULL, NULL, NULL, NULL, NULL, r->err);
    if (!rc)
        rc = wr_copy_begin(&k.copy, r->target, e->keys_copy, r->err);
    if (!rc) {
        wr_params p;
        wr_params_init(&p, wr_conn_dialect(r->env->source));
        r->rc = 0;
        rc = wr_query(r->env->source, &r->slot->extract_keys, 0, &p, on_key, &k, r->err);
        if (r->rc < 0)
            rc = r->rc;
    }
    if (!rc) {
        wr_copy *cp = k.copy;
        k.copy = NULL;
        rc = wr_copy_end(cp, NULL, NULL, r->err);
    }
    if (!rc)
        rc = wr_target_run(r->target, "mark_deleted", e->mark_deleted, 0, NULL, NULL, NULL, deleted, NULL, r->err);
    if (!rc)
        rc = commit(r);
    if (rc) {
        wr_copy_abort(k.copy, "abandoned");
        rollback(r);
    }
    if (k.skipped)
        wr_log_message(r->env->log, WR_LOG_WARN, "deletes", e->entity,
                       "%lld source keys did not convert and were left out of the soft-delete check",
                       (long long)k.skipped);
    return rc;
}

/* ---- the entity's run ----------------------------------------------------------- */

static int key_index_of(const wr_sync_entity *e)
{
    for (int i = 0; e->key_field && e->column_names && i < e->n_columns; i++)
        if (strcmp(e->column_names[i], e->key_field) == 0)
            return i;
    return -1;
}

static int check_entity(const wr_sync_env *env, const wr_sync_entity *e, wr_err *err)
{
    if (!e->transform || !e->extract.sql || e->n_columns <= 0)
        return wr_error(err, WR_ERROR, "%s: the agent's spec has no extract or transform for it", e->entity);
    if (!env->opt->is_dry_run && (!e->stage_create || !e->stage_truncate || !e->stage_copy || !e->upsert))
        return wr_error(err, WR_ERROR, "%s: the agent's spec lacks a staging or upsert statement", e->entity);
    if (e->extract_keys.sql && (!e->key_of || !e->keys_create || !e->keys_truncate || !e->keys_copy || !e->mark_deleted))
        return wr_error(err, WR_ERROR, "%s: `deletes soft` without its key statements in the agent's spec", e->entity);
    return 0;
}

/* The target's rows in key order, on a session of their own. */
static int open_diff(run *r)
{
    const wr_sync_entity *e = r->e;
    if (!e->diff_scan || r->opt->is_dry_run || !r->env->connect_target)
        return 0;
    wr_conn *c = NULL;
    int rc = r->env->connect_target(r->env->connect_ctx, &c, r->err);
    if (!rc)
        rc = wr_diff_open(&r->diff, c, e, r->since[0] ? r->since : NULL, r->err);
    return rc;
}

/* One pass over the extract, in batches or as the initial load. */
static int extract_all(run *r)
{
    wr_params p;
    int rc = extract_params(r, &p);
    if (!rc && !r->is_bulk)
        rc = open_diff(r);
    if (rc)
        return rc;
    r->rc = 0;
    /* the extract's own failures in source_err; the rows' (the transform,
     * the target) stay in r->err as on_row wrote them, not labelled with
     * the extract's name, which would send an operator to the source */
    wr_err source_err = { 0, "" };
    rc = wr_query(r->env->source, &r->slot->extract, 0, &p, on_row, r, &source_err);
    if (r->rc < 0)
        rc = r->rc;
    if (rc < 0 && r->rc == 0) {   /* the source failed, not us: say where */
        bool is_lost = wr_conn_is_lost(r->env->source);
        rc = wr_error(r->err, is_lost ? WR_ECONNECT : rc, "%s: the extract failed after %lld rows%s: %s", r->e->entity,
                      (long long)(r->done.read + r->batch_read), is_lost ? " (the source connection was lost)" : "",
                      source_err.message);
    }
    if (rc < 0)
        return rc;
    if (r->opt->is_dry_run) {
        r->done.read += r->batch_read;
        r->done.rejected += r->batch_rejected;
        reset_batch(r);
        return 0;
    }
    const char *status = r->is_stopped ? "stopped" : "ok";
    if (r->is_bulk)
        return finish_bulk(r, status);
    if (r->is_open || r->copy || r->rejects)
        return finish_batch(r, status);
    fold_batch(r);
    return write_final_state(r, status, NULL);
}

/* Back to the start of the run, for a second pass in batches. */
static void restart_run(run *r)
{
    if (r->copy)
        wr_copy_abort(r->copy, "initial load abandoned");
    r->copy = NULL;
    rollback(r);
    r->is_open = r->is_bulk = r->is_stopped = r->is_batch_full = false;
    reset_batch(r);
    memset(&r->done, 0, sizeof r->done);
    free(r->wm);
    free(r->param_text);
    r->wm = r->param_text = NULL;
    r->dry_staged = 0;
}

static int sync_rows(run *r)
{
    bool is_bulk = false;
    int rc = start_bulk(r, &is_bulk);
    if (!rc)
        rc = extract_all(r);
    if (rc < 0 && is_bulk && is_data_error(r->sqlstate) && !wr_conn_is_lost(r->target)) {
        /* a row the table refuses: the batches will make it a reject */
        wr_log_message(r->env->log, WR_LOG_WARN, "initial-load", r->e->entity,
                       "the initial load was rolled back and runs again in batches: %s", r->err->message);
        restart_run(r);
        r->sqlstate[0] = '\0';
        wr_sync_options batched = *r->opt;
        batched.is_bulk_refused = true;
        r->opt = &batched;
        rc = extract_all(r);
        r->opt = r->env->opt;
    }
    return rc;
}

int wr_sync_record_failure(wr_sync_env *env, const wr_sync_entity *e, const wr_sync_counts *c, const char *error,
                           wr_err *err)
{
    run r = { .env = env, .e = e, .opt = env->opt, .target = env->target, .err = err };
    return write_state(&r, NULL, c, "failed", error);   /* a NULL watermark keeps the stored one */
}

int wr_sync_entity_run(wr_sync_env *env, const wr_sync_entity *e, wr_entity_slot *slot, wr_sync_result *res,
                       wr_err *err)
{
    memset(res, 0, sizeof *res);
    res->status = "failed";
    int rc = check_entity(env, e, err);
    if (rc)
        return rc;
    run r = { .env = env, .e = e, .slot = slot, .opt = env->opt, .target = env->target,
              .key_index = key_index_of(e), .err = err };
    r.rejects_tail = &r.rejects;
    r.row_mem = wr_arena_new();
    r.batch_mem = wr_arena_new();
    r.out = calloc((size_t)e->n_columns, sizeof *r.out);
    if (!r.row_mem || !r.batch_mem || !r.out) {
        rc = wr_error(err, WR_ENOMEM, "out of memory");
    } else {
        rc = sync_rows(&r);
    }
    if (rc < 0 && !env->opt->is_dry_run && r.target) {
        reject *culprit = r.failed_reject;
        r.failed_reject = NULL;
        if (r.copy)
            wr_copy_abort(r.copy, "batch abandoned");
        r.copy = NULL;
        if (r.is_open)
            rollback(&r);
        r.is_open = false;
        if (r.is_bulk)   /* nothing of the initial load stayed */
            memset(&r.done, 0, sizeof r.done);
        r.is_bulk = false;
        /* the culprit lives in the batch's arena: record it before the reset */
        r.failed_reject = culprit;
        if (!wr_conn_is_lost(r.target))
            write_final_state(&r, "failed", err ? err->message : "failed");
        r.failed_reject = NULL;
        reset_batch(&r);
    }
    if (r.diff && rc == 0)
        wr_log_message(env->log, WR_LOG_INFO, "compare", e->entity,
                       "compared with the target: %lld rows as the agent last wrote them (not staged), %lld staged",
                       (long long)r.n_same, (long long)r.n_differ);
    if (r.diff && wr_diff_repeated(r.diff) > 0)
        wr_log_message(env->log, WR_LOG_WARN, "compare", e->entity,
                       "%lld source rows repeat the key of the row before them: the last one of each key is kept",
                       (long long)wr_diff_repeated(r.diff));
    if (r.diff && wr_diff_key_sorted_as(r.diff))
        wr_log_message(env->log, WR_LOG_WARN, "compare", e->entity,
                       "key column %s of %s is %s: the comparison's scan sorts the window on the target every "
                       "run; declared COLLATE \"C\" (ALTER TABLE ... ALTER COLUMN ... TYPE ... COLLATE \"C\", "
                       "which rebuilds its index), the scan walks the index instead", e->key_field, e->table,
                       wr_diff_key_sorted_as(r.diff));
    if (r.diff && wr_diff_out_of_order(r.diff) > 0)
        wr_log_message(env->log, WR_LOG_WARN, "compare", e->entity,
                       "%lld source rows came out of the target's key order: each was staged, uncompared",
                       (long long)wr_diff_out_of_order(r.diff));
    wr_diff_close(r.diff);
    r.diff = NULL;
    if (rc == 0 && !r.is_stopped && !env->opt->is_dry_run && e->extract_keys.sql) {
        rc = mark_deleted(&r, &r.done.deleted);
        if (rc < 0 && !wr_conn_is_lost(r.target))
            write_final_state(&r, "failed", err ? err->message : "failed");
    }
    res->counts = r.done;
    if (env->opt->is_dry_run)
        res->counts.unchanged = 0;
    res->is_stopped = r.is_stopped;
    res->status = rc < 0 ? "failed" : r.is_stopped ? "stopped" : env->opt->is_dry_run ? "dry-run" : "ok";
    if (env->opt->is_dry_run && rc == 0)
        wr_log_message(env->log, WR_LOG_INFO, "dry-run", e->entity,
                       "dry run: %lld rows read, %lld would be staged, %lld would be rejected; nothing written",
                       (long long)r.done.read, (long long)r.dry_staged, (long long)r.done.rejected);
    free(r.batch_wm);
    free(r.batch_last_key);
    free(r.wm);
    free(r.param_text);
    free(r.out);
    wr_arena_free(r.row_mem);
    wr_arena_free(r.batch_mem);
    return rc;
}
