/* wr_diff.c - comparing the source's rows with the target's, in key order.
 *
 * A re-sync of unchanged data should write nothing and cost little more
 * than reading the source.  The extract of a full or window sync reads in
 * key order; a second target session streams the target's rows in the same
 * order, and the two are walked together like a merge join.  A transformed
 * row whose key the target holds as the agent last wrote it is not staged.
 *
 * The target is not asked for its values: printing them cost its server
 * more than the source's whole extract.  Every write of the agent stores,
 * with the row, the hash of the transformed values it wrote (wr_row_hash)
 * and its own transaction's id.  A row the agent wrote last still has
 * xmin = wellos_sync_xid: any later UPDATE, by anyone, gives it a new xmin.
 * So diff_scan reads two fields a row (COPY ... TO STDOUT (FORMAT binary)):
 * the key, and wellos_sync_hash where xmin = wellos_sync_xid, else NULL.
 * A row whose hash is there and is the hash of the transformed source row
 * holds what the agent would write again.
 *
 * It is only ever a shortcut.  A row is skipped only when both hold; a
 * source out of key order, a key that does not parse, a row written or
 * changed by anyone else since, or a hash that differs stage the row, and
 * the upsert decides as it always would.  It could be wrong in two ways,
 * each all but impossible: two different rows with the same 64-bit hash
 * (2^-64 for each changed row), and an UPDATE by someone else whose
 * transaction id is, 2^32 transactions later, the stored one's (xids wrap
 * around; a frozen row's xmin keeps its value).  The target is read once,
 * forward: memory is one row.
 *
 * Must never: call a row unchanged that anyone but the agent has written
 * since the agent's last write of it, or read the target more than once
 * per run. */
#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wr_agent_internal.h"
#include "wr_pg_io.h"

struct wr_diff {
    wr_conn *conn;
    PGconn *pg;
    const wr_sync_entity *e;
    int key_index;
    char *msg;                  /* the current CopyData message (libpq's) */
    bool is_past_header;
    bool has_row;
    /* the current target row */
    const char *their_key;      /* its key as text (not WR_KEY_INTEGER) in key_buf; NULL: none */
    char *key_buf;
    size_t key_buf_size;
    long long their_int;        /* WR_KEY_INTEGER: its key ... */
    bool is_their_int;          /* ... if it has one */
    bool is_as_written;         /* as the agent's last write left it: xmin = wellos_sync_xid */
    uint64_t their_hash;        /* then: its wellos_sync_hash */
    /* the source's keys so far */
    char *last_key;             /* the previous source key, to notice disorder */
    size_t last_key_size;
    long long last_int;
    bool has_last;              /* a source key came before */
    int64_t out_of_order, repeated;
    /* a text key column not in collation "C", whose index cannot give the
     * scan its order: "varchar(20) COLLATE \"en_US\"" for the agent's log */
    char *key_sorted_as;
};

/* ---- keys -------------------------------------------------------------------------- */

/* Text keys (WR_KEY_BYTES, WR_KEY_UUID): a < b: -1, a = b: 0, a > b: 1. */
static int text_key_compare(wr_key_order order, const char *a, const char *b)
{
    int c = order == WR_KEY_UUID ? strcasecmp(a, b) : strcmp(a, b);
    return (c > 0) - (c < 0);
}

static int int_compare(long long a, long long b)
{
    return (a > b) - (a < b);
}

/* A copy of key in *buf (of *size bytes), grown as needed. */
static bool keep_text(char **buf, size_t *size, const char *key, size_t len)
{
    if (len >= *size) {
        size_t n = len + 1 < 64 ? 64 : len + 1;
        char *bigger = realloc(*buf, n);
        if (!bigger)
            return false;
        *buf = bigger;
        *size = n;
    }
    memcpy(*buf, key, len);
    (*buf)[len] = '\0';
    return true;
}

/* ---- the target's rows ------------------------------------------------------------ */

static int scan_failure(wr_diff *d, const PGresult *res, wr_err *err)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[WR_DRIVER_MESSAGE_SIZE];
    snprintf(msg, sizeof msg, "%s", primary ? primary : wr_pg_message(d->conn));
    wr_one_line(msg);
    return wr_error(err, PQstatus(d->pg) == CONNECTION_BAD ? WR_ECONNECT : WR_ERROR,
                    "%s: postgres: %s: reading the target's rows to compare: %s%s", wr_conn_who(d->conn),
                    d->e->entity, msg[0] ? msg : "unknown error",
                    wr_target_hint(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL));
}

static int not_as_asked(const wr_diff *d, wr_err *err)
{
    return wr_error(err, WR_ERROR, "%s: %s: the target's rows to compare are not the key and hash "
                    "the agent asked for (has the table been altered? wellos_sync_hash must be bigint, "
                    "wellos_sync_xid xid, the key its type in the spec)", wr_conn_who(d->conn), d->e->entity);
}

/* A binary COPY message, read forward. */
typedef struct {
    const uint8_t *p, *end;
} reader;

/* The next `bytes` bytes as a big-endian number (the wire's order). */
static bool read_be(reader *r, int bytes, uint64_t *out)
{
    if (r->end - r->p < bytes)
        return false;
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | *r->p++;
    *out = v;
    return true;
}

/* A field: its bytes at *at and their count, -1 for NULL; false: malformed. */
static bool read_field(reader *r, const uint8_t **at, int32_t *len)
{
    uint64_t n;
    if (!read_be(r, 4, &n))
        return false;
    *len = n == 0xffffffffu ? -1 : (int32_t)(n & 0x7fffffff);
    *at = r->p;
    if (*len == -1)
        return true;
    if (n > 0x7fffffff || r->end - r->p < *len)
        return false;
    r->p += *len;
    return true;
}

/* The key: a number for WR_KEY_INTEGER (int2, int4 or int8), else text. */
static bool take_key(wr_diff *d, const uint8_t *at, int32_t len)
{
    d->their_key = NULL;
    d->is_their_int = false;
    if (len < 0)
        return true;
    if (d->e->key_order != WR_KEY_INTEGER) {
        if (memchr(at, '\0', (size_t)len) || !keep_text(&d->key_buf, &d->key_buf_size, (const char *)at, (size_t)len))
            return false;
        d->their_key = d->key_buf;
        return true;
    }
    if (len != 2 && len != 4 && len != 8)
        return false;
    reader r = { at, at + len };
    uint64_t v;
    read_be(&r, len, &v);
    int shift = 64 - 8 * len;   /* the narrower integers, sign-extended */
    d->their_int = (long long)((int64_t)(v << shift) >> shift);
    d->is_their_int = true;
    return true;
}

/* One row: its key, and its wellos_sync_hash if it is as the agent wrote it
 * (NULL otherwise). */
static bool take_row(wr_diff *d, reader *r)
{
    const uint8_t *at[2];
    int32_t len[2];
    for (int i = 0; i < 2; i++)
        if (!read_field(r, &at[i], &len[i]))
            return false;
    if (r->p != r->end || (len[1] != 8 && len[1] != -1) || !take_key(d, at[0], len[0]))
        return false;
    d->is_as_written = len[1] == 8;
    if (d->is_as_written) {
        reader h = { at[1], at[1] + 8 };
        read_be(&h, 8, &d->their_hash);
    }
    return true;
}

/* The COPY's end: its own result says how it went. */
static int finish_scan(wr_diff *d, wr_err *err)
{
    int rc = 0;
    PGresult *res;
    while ((res = wr_pg_next_result(d->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = scan_failure(d, res, err);
        PQclear(res);
    }
    return rc;
}

/* Past the binary COPY's header: its signature, flags and extension. */
static bool skip_header(reader *r)
{
    static const uint8_t signature[11] = "PGCOPY\n\377\r\n";   /* and its NUL */
    uint64_t flags, extension;
    if (r->end - r->p < (ptrdiff_t)sizeof signature || memcmp(r->p, signature, sizeof signature) != 0)
        return false;
    r->p += sizeof signature;
    if (!read_be(r, 4, &flags) || !read_be(r, 4, &extension) || (uint64_t)(r->end - r->p) < extension)
        return false;
    r->p += extension;
    return true;
}

/* The next target row; d->has_row false at the end. */
static int advance(wr_diff *d, wr_err *err)
{
    d->has_row = false;
    for (;;) {
        if (d->msg) {
            PQfreemem(d->msg);
            d->msg = NULL;
        }
        int n = wr_pg_get_copy_data(d->conn, &d->msg);
        if (n == -1)
            return finish_scan(d, err);
        if (n < 0)
            return scan_failure(d, NULL, err);
        reader r = { (const uint8_t *)d->msg, (const uint8_t *)d->msg + n };
        if (!d->is_past_header) {   /* the first message has it, and maybe a row */
            if (!skip_header(&r))
                return not_as_asked(d, err);
            d->is_past_header = true;
            if (r.p == r.end)
                continue;
        }
        uint64_t n_fields;
        if (!read_be(&r, 2, &n_fields))
            return not_as_asked(d, err);
        if (n_fields == 0xffff)   /* the trailer: the end follows */
            continue;
        if (n_fields != 2 || !take_row(d, &r))
            return not_as_asked(d, err);
        d->has_row = true;
        return 0;
    }
}

/* The stamp columns as the agent writes them: the scan cannot tell, since
 * it reads the hash only where xmin is the stamp's, and a table rewritten by
 * an ALTER has no such row.  And the key column's collation: the scan
 * orders a text key COLLATE "C", which its index gives only in that
 * collation (the DDL's since b64b49c; a table made before keeps its own).
 * One catalog read per compared entity and run. */
static int check_stamps(wr_diff *d, wr_err *err)
{
    static const char sql[] =
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), coalesce(c.collname, '') FROM pg_attribute a "
        "LEFT JOIN pg_collation c ON c.oid = a.attcollation "
        "WHERE a.attrelid = $1::regclass AND a.attname IN ('wellos_sync_hash', 'wellos_sync_xid', $2) "
        "AND NOT a.attisdropped";
    const char *params[2] = { d->e->table, d->e->key_field };
    PGresult *res = wr_pg_exec_params(d->conn, sql, 2, params);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        int rc = scan_failure(d, res, err);
        PQclear(res);
        return rc;
    }
    bool has_hash = false, has_xid = false, is_hash_bigint = false, is_xid_xid = false;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *name = PQgetvalue(res, i, 0), *type = PQgetvalue(res, i, 1), *coll = PQgetvalue(res, i, 2);
        if (strcmp(name, "wellos_sync_hash") == 0) {
            has_hash = true;
            is_hash_bigint = strcmp(type, "bigint") == 0;
        } else if (strcmp(name, "wellos_sync_xid") == 0) {
            has_xid = true;
            is_xid_xid = strcmp(type, "xid") == 0;
        } else if (coll[0] && strcmp(coll, "C") != 0 && strcmp(coll, "POSIX") != 0 && !d->key_sorted_as) {
            size_t n = strlen(type) + strlen(coll) + 16;
            d->key_sorted_as = malloc(n);
            if (d->key_sorted_as)
                snprintf(d->key_sorted_as, n, "%s COLLATE \"%s\"", type, coll);
        }
    }
    PQclear(res);
    if (!has_hash || !has_xid)
        return wr_error(err, WR_ERROR, "%s: %s: the table lacks the row stamp this agent writes (wellos_sync_hash "
                        "and wellos_sync_xid): a table made by an older agent: run the agent with --init once",
                        wr_conn_who(d->conn), d->e->entity);
    if (!is_hash_bigint || !is_xid_xid)
        return not_as_asked(d, err);
    return 0;
}

int wr_diff_open(wr_diff **out, wr_conn *c, const wr_sync_entity *e, const char *since, wr_err *err)
{
    *out = NULL;
    int key_index = -1;
    for (int i = 0; e->key_field && e->column_names && i < e->n_columns; i++)
        if (strcmp(e->column_names[i], e->key_field) == 0)
            key_index = i;
    wr_diff *d = calloc(1, sizeof *d);
    if (!d) {
        wr_conn_close(c);
        return wr_error(err, WR_ENOMEM, "out of memory");
    }
    d->conn = c;
    d->pg = wr_conn_pg(c);
    d->e = e;
    d->key_index = key_index;
    int rc = 0;
    if (key_index < 0 || !d->pg || !e->table)
        rc = wr_error(err, WR_ERROR, "%s: the agent's spec cannot compare it with the target", e->entity);
    if (!rc)
        rc = check_stamps(d, err);
    if (!rc && since && e->diff_since) {
        const char *params[1] = { since };
        PGresult *res = wr_pg_exec_params(d->conn, e->diff_since, 1, params);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            rc = scan_failure(d, res, err);
        PQclear(res);
    }
    if (!rc) {
        PGresult *res = wr_pg_exec(d->conn, e->diff_scan);
        if (PQresultStatus(res) != PGRES_COPY_OUT || !PQbinaryTuples(res))
            rc = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK
                         || PQresultStatus(res) == PGRES_COPY_OUT
                 ? wr_error(err, WR_ERROR, "%s: the comparison's statement is not a binary COPY TO STDOUT", e->entity)
                 : scan_failure(d, res, err);
        PQclear(res);
    }
    if (!rc)
        rc = advance(d, err);
    if (rc) {
        wr_diff_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

int wr_diff_is_unchanged(wr_diff *d, const char *const *values, uint64_t hash, bool *same, wr_err *err)
{
    *same = false;
    const char *key = values[d->key_index];
    bool is_int = d->e->key_order == WR_KEY_INTEGER;
    long long mine = 0;
    if (!key || (is_int && !wr_int_text_parse(key, &mine)))
        return 0;   /* a key the target cannot hold: staged, and refused there */
    if (d->has_last) {
        int c = is_int ? int_compare(mine, d->last_int) : text_key_compare(d->e->key_order, key, d->last_key);
        d->out_of_order += c < 0;
        d->repeated += c == 0;
    }
    d->has_last = true;
    if (is_int)
        d->last_int = mine;
    else if (!keep_text(&d->last_key, &d->last_key_size, key, strlen(key)))
        return wr_error(err, WR_ENOMEM, "out of memory");
    while (d->has_row) {
        int c;
        if (is_int)
            c = d->is_their_int ? int_compare(d->their_int, mine) : -1;   /* not a key of this order: pass it */
        else
            c = d->their_key ? text_key_compare(d->e->key_order, d->their_key, key) : -1;
        if (c > 0)
            break;
        if (c == 0)
            *same = d->is_as_written && d->their_hash == hash;
        /* a matched row is passed too: the same key again later in the
         * source (a duplicate) is staged, and the last one wins as before */
        int rc = advance(d, err);
        if (rc)
            return rc;
        if (c == 0)
            break;
    }
    return 0;
}

int64_t wr_diff_out_of_order(const wr_diff *d)
{
    return d ? d->out_of_order : 0;
}

int64_t wr_diff_repeated(const wr_diff *d)
{
    return d ? d->repeated : 0;
}

void wr_diff_close(wr_diff *d)
{
    if (!d)
        return;
    if (d->msg)
        PQfreemem(d->msg);
    wr_conn_close(d->conn);   /* a scan still running ends with its session */
    free(d->key_buf);
    free(d->last_key);
    free(d->key_sorted_as);
    free(d);
}

const char *wr_diff_key_sorted_as(const wr_diff *d) { return d->key_sorted_as; }
