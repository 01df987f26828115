/* sync_sql.c - the statements of a sync agent, per entity (sync_sql.h).
 * Identifiers are quoted for their dialect (wm_sql_quote); what varies
 * from run to run (the tenant, a window's bound) is a parameter. */
#include <string.h>

#include "names.h"
#include "sql_build.h"
#include "sync_sql.h"
#include "types.h"

static const char *placeholder(wm_dialect d)
{
    switch (d) {
    case WM_DIALECT_POSTGRES: return "$1";
    case WM_DIALECT_MYSQL: return "?";
    case WM_DIALECT_SQLSERVER: return "@p1";
    case WM_DIALECT_ORACLE: return ":1";
    }
    return "?";
}

static const char *select_list(wm_sync_gen *g, const wm_sync_columns *c, wm_dialect d)
{
    const char *s = "";
    for (size_t i = 0; i < c->n; i++)
        s = wm_arena_printf(g->a, "%s%s%s", s, i ? ", " : "", wm_sql_quote(g->a, d, c->refs[i]->name));
    return s;
}

/* The extract's ORDER BY: the key's source column in the order the agent
 * compares keys.  A text or enum key is compared byte by byte (UTF-8),
 * and the sources' usual collations sort otherwise: MySQL's
 * utf8mb4_general_ci and SQL Server's CI_AS put 'a1' before 'B2',
 * PostgreSQL's en_US sorts by language.  Out of order, every row the
 * comparison misses is staged again on every run (about half of them,
 * mixed case), so the source is asked for its binary order: a sort on the
 * source unless the key's own collation is binary.  Integers, uuids and
 * dates sort the same in every collation. */
static const char *key_order_by(wm_arena *a, wm_dialect d, const char *column, const wm_type *key_type)
{
    const char *c = wm_sql_quote(a, d, column);
    if (key_type->kind != WM_T_TEXT && key_type->kind != WM_T_ENUM)
        return wm_arena_printf(a, " ORDER BY %s", c);
    switch (d) {
    case WM_DIALECT_POSTGRES:
        return wm_arena_printf(a, " ORDER BY %s::text COLLATE \"C\"", c);
    case WM_DIALECT_MYSQL:
        return wm_arena_printf(a, " ORDER BY CONVERT(%s USING utf8mb4) COLLATE utf8mb4_bin", c);
    case WM_DIALECT_SQLSERVER:   /* BIN2: by code point */
        return wm_arena_printf(a, " ORDER BY CAST(%s AS nvarchar(4000)) COLLATE Latin1_General_BIN2", c);
    case WM_DIALECT_ORACLE:
        return wm_arena_printf(a, " ORDER BY NLSSORT(%s, 'NLS_SORT=BINARY')", c);
    }
    return wm_arena_printf(a, " ORDER BY %s", c);
}

#define CURRENT_XID "pg_current_xact_id()::xid"

/* Before the upsert, rows the target would refuse (a reference to a row it
 * does not have, a unique value another row holds) leave the staging table
 * for the rejects, with their reason and their values as staged: one such
 * row must not fail its batch on every run.  (raw: the staged values, not
 * the agent's own columns.) */
static const char *refuse(wm_arena *a, const char *stage, const char *key, const char *condition, const char *reason)
{
    return wm_arena_printf(a,
        "WITH refused AS (DELETE FROM %s s WHERE %s RETURNING s.*) "
        "INSERT INTO wellos_sync_rejects (tenant, entity, source_key, reason, raw) "
        "SELECT DISTINCT $1::text, $2::text, refused.%s::text, %s, to_jsonb(refused) - '_wos_seq' - '" WM_SYNC_STAMP_HASH "' "
        "FROM refused "
        WM_SYNC_REJECT_ONCE,
        stage, condition, key, reason);
}

static void build_checks(wm_sync_gen *g, wm_sync_sql *s, const char *table)
{
    wm_arena *a = g->a;
    const wm_entity *e = g->m->entity;
    wm_dialect td = WM_DIALECT_POSTGRES;
    const char *key = wm_sql_quote(a, td, e->key->name);
    s->checks = wm_arena_alloc(a, (2 * g->n_staged + 1) * sizeof *s->checks);
    for (size_t i = 0; i < g->n_staged; i++) {
        const wm_field *f = g->staged[i]->field;
        const char *c = wm_sql_quote(a, td, f->name);
        if (f->references) {
            const wm_entity *r = f->references;
            const char *cond = wm_arena_printf(a, "s.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = s.%s)",
                                               c, wm_sql_quote(a, td, r->table), wm_sql_quote(a, td, r->key->name), c);
            const char *reason = wm_arena_printf(a, "'%s: no %s ' || refused.%s::text || ' in the target'", f->name,
                                                 r->name, c);
            s->checks[s->n_checks++] = refuse(a, s->stage, key, cond, reason);
        }
        if (f->is_unique && !f->is_key) {
            /* another row of the target holds the value (an index lookup per
             * row), or an earlier staged row of another key does (one pass:
             * a window over the staging table, never a scan per row) */
            const char *cond = wm_arena_printf(a,
                "s.%s IS NOT NULL AND (EXISTS (SELECT 1 FROM %s t WHERE t.%s = s.%s AND t.%s <> s.%s) "
                "OR s._wos_seq IN (SELECT d._wos_seq FROM (SELECT _wos_seq, %s AS k, "
                "first_value(%s) OVER (PARTITION BY %s ORDER BY _wos_seq) AS first_k FROM %s WHERE %s IS NOT NULL) d "
                "WHERE d.k <> d.first_k))",
                c, table, c, c, key, key, key, key, c, s->stage, c);
            const char *reason = wm_arena_printf(a, "'%s: ' || refused.%s::text || ' is already the %s of another %s'",
                                                 f->name, c, f->name, e->name);
            s->checks[s->n_checks++] = refuse(a, s->stage, key, cond, reason);
        }
    }
}

/* The source column the key is read from unchanged, or NULL: only then
 * do the source and the target sort rows alike, so that the agent can
 * walk both in key order. */
const wm_expr *wm_sync_plain_key_column(const wm_mapping *m)
{
    for (size_t i = 0; i < m->n_fields; i++) {
        const wm_field_map *fm = &m->fields[i];
        if (fm->field == m->entity->key)
            return fm->expr->kind == WM_E_COLUMN && !fm->value_map ? fm->expr : NULL;
    }
    return NULL;
}

/* Where an extract row holds the watermark: a plain column the transform
 * reads already is not read twice (a second DATE column per row is about
 * 5% of MariaDB's side of a window sync); anything else comes last.  SQL
 * Server's is converted to ISO text, so it is always its own column.
 * -1 for a full sync. */
int wm_sync_watermark_column(const wm_sync_gen *g)
{
    const wm_mapping *m = g->m;
    if (m->incremental.kind == WM_INC_FULL)
        return -1;
    const wm_expr *w = m->incremental.watermark;
    int i = w && w->kind == WM_E_COLUMN && g->t->source.dialect != WM_DIALECT_SQLSERVER ? wm_sync_column_index(&g->src, w) : -1;
    return i >= 0 ? i : (int)g->src.n;
}

/* How the agent orders keys, as the target sorts them (NULL: it cannot,
 * and the sync is not compared with the target). */
const char *wm_sync_key_order(const wm_type *t)
{
    switch (t->kind) {
    case WM_T_INT: case WM_T_BIGINT: return "WR_KEY_INTEGER";
    case WM_T_UUID: return "WR_KEY_UUID";
    case WM_T_TEXT: case WM_T_ENUM: case WM_T_DATE: return "WR_KEY_BYTES";
    default: return NULL;
    }
}

/* Whether m's table is compared with the source, and so carries the row stamp. */
bool wm_sync_is_stamped(const wm_mapping *m)
{
    return m->incremental.kind != WM_INC_WATERMARK && wm_sync_key_order(&m->entity->key->type) && wm_sync_plain_key_column(m);
}

/* A window sync whose window column is copied unchanged into a date or
 * timestamp field: the target's rows to compare are those of the window. */
static const wm_field *window_field(const wm_sync_gen *g)
{
    const wm_expr *w = g->m->incremental.watermark;
    if (g->m->incremental.kind != WM_INC_WINDOW || !w || w->kind != WM_E_COLUMN)
        return NULL;
    for (size_t i = 0; i < g->n_staged; i++) {
        const wm_field_map *fm = g->staged[i];
        wm_type_kind k = fm->field->type.kind;
        if (fm->expr->kind == WM_E_COLUMN && !fm->value_map && strcmp(fm->expr->name, w->name) == 0
            && (k == WM_T_DATE || k == WM_T_TIMESTAMP))
            return fm->field;
    }
    return NULL;
}

/* The target's rows in key order: each one's key (an integer as it is,
 * other keys as text) and, if its xmin is still the agent's stamp, its
 * hash, in binary: no value is printed.  Two fields, not four: a field
 * costs the server about as much to send as the scan costs to read it.
 * Soft-deleted rows are left out: a source row revives them. */
static void build_diff(wm_sync_gen *g, wm_sync_sql *s, const char *table)
{
    wm_arena *a = g->a;
    const wm_entity *e = g->m->entity;
    wm_dialect td = WM_DIALECT_POSTGRES;
    const char *where = "";
    if (g->m->deletes_soft && e->soft_delete)
        where = wm_arena_printf(a, " WHERE %s IS NULL", wm_sql_quote(a, td, e->soft_delete->name));
    const wm_field *wf = window_field(g);
    if (wf) {
        /* unset (--full reads the whole table): every row.  A subquery, so
         * that the bound is worked out once, not per row; in the field's
         * own type, so that rows compare without a cast. */
        where = wm_arena_printf(a, "%s%s%s >= (SELECT coalesce(nullif(current_setting('wellos.diff_since', true), '')"
                                   "::timestamptz, '-infinity')%s)", where, where[0] ? " AND " : " WHERE ",
                                wm_sql_quote(a, td, wf->name), wf->type.kind == WM_T_DATE ? "::date" : "");
        s->diff_since = "SELECT set_config('wellos.diff_since', $1, false)";
    }
    /* In the order the agent compares keys: integers, uuids (their bytes,
     * as their lowercase text) and dates in their own types' order, which
     * the key's index has; text and enums (text columns) in byte order.
     * The ORDER BY names the table's column: a bare name would be the
     * select list's ::text, sorted in the database's collation. */
    wm_type_kind k = e->key->type.kind;
    const char *collate = k == WM_T_TEXT || k == WM_T_ENUM ? " COLLATE \"C\"" : "";
    const char *key = wm_sql_quote(a, td, e->key->name);
    bool is_integer = k == WM_T_INT || k == WM_T_BIGINT;
    s->diff_scan = wm_arena_printf(a, "COPY (SELECT %s%s, CASE WHEN xmin = " WM_SYNC_STAMP_XID " THEN " WM_SYNC_STAMP_HASH " END "
                                      "FROM %s%s ORDER BY %s.%s%s) TO STDOUT (FORMAT binary)",
                                   key, is_integer ? "" : "::text", table, where, table, key, collate);
}

/* Whether a foreign key of the model points at e's key. */
static bool is_referenced(const wm_model *m, const wm_entity *e)
{
    for (size_t i = 0; i < m->n_entities; i++)
        for (size_t k = 0; k < m->entities[i]->n_fields; k++)
            if (m->entities[i]->fields[k]->references == e)
                return true;
    return false;
}

/* The initial load of an empty table: its foreign keys and plain indexes
 * are dropped, the rows copied in, then the indexes built and the keys
 * added (and so validated) in one pass each, all in one transaction. */
static void build_bulk(wm_sync_gen *g, wm_sync_sql *s, const char *table, const char *cols, bool is_stamped)
{
    wm_arena *a = g->a;
    const wm_entity *e = g->m->entity;
    wm_dialect td = WM_DIALECT_POSTGRES;
    s->bulk_lock = wm_arena_printf(a, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", table);
    s->bulk_probe = wm_arena_printf(a, "SELECT NOT EXISTS (SELECT 1 FROM %s)", table);
    bool is_unreferenced = !is_referenced(g->cx->model, e);
    /* FREEZE: the rows are written frozen and all-visible, so neither the
     * first scan after the load (the next re-sync's comparison) nor a later
     * VACUUM rewrites every page to set hint bits; it needs the table
     * truncated in this transaction, which a referenced table refuses */
    s->bulk_copy = wm_arena_printf(a, "COPY %s (%s) FROM STDIN (FORMAT binary%s)", table, cols,
                                   is_unreferenced ? ", FREEZE" : "");
    s->bulk_prepare = wm_arena_alloc(a, (3 * e->n_fields + 5) * sizeof *s->bulk_prepare);
    s->bulk_finish = wm_arena_alloc(a, (3 * e->n_fields + 5) * sizeof *s->bulk_finish);
    /* index builds sort in memory when they can (never less than the server's own setting) */
    s->bulk_prepare[s->n_bulk_prepare++] =
        "SELECT set_config('maintenance_work_mem', greatest(pg_size_bytes(current_setting('maintenance_work_mem')), "
        "pg_size_bytes('256MB')) / 1024 || 'kB', true)";
    if (is_unreferenced) {
        /* the table is empty and locked: truncating it loses nothing */
        s->bulk_prepare[s->n_bulk_prepare++] = wm_arena_printf(a, "TRUNCATE %s", table);
        /* no foreign key points at the key: it too is built once, after */
        const char *pk = wm_sql_quote(a, td, wm_ddl_object_name(a, e->table, e->key->name, "pkey"));
        s->bulk_prepare[s->n_bulk_prepare++] = wm_arena_printf(a, "ALTER TABLE %s DROP CONSTRAINT %s", table, pk);
        s->bulk_finish[s->n_bulk_finish++] = wm_arena_printf(a, "ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY (%s)",
                                                             table, pk, wm_sql_quote(a, td, e->key->name));
    }
    for (size_t i = 0; i < e->n_fields; i++) {
        /* a unique field's index too is built once, after; a duplicate then
         * fails that build (SQLSTATE 23505) as it would have failed the
         * COPY, and the load runs again in batches, which reject it */
        const wm_field *f = e->fields[i];
        if (!f->is_unique || f->is_key)
            continue;
        const char *name = wm_sql_quote(a, td, wm_ddl_object_name(a, e->table, f->name, "key"));
        s->bulk_prepare[s->n_bulk_prepare++] = wm_arena_printf(a, "ALTER TABLE %s DROP CONSTRAINT %s", table, name);
        s->bulk_finish[s->n_bulk_finish++] = wm_arena_printf(a, "ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s)", table,
                                                             name, wm_sql_quote(a, td, f->name));
    }
    if (e->auto_updated) {
        /* the upsert's now() as the column's default for the load: the
         * server then parses no timestamp per row (a third of a COPY) */
        const wm_field *f = e->auto_updated;
        const char *c = wm_sql_quote(a, td, f->name);
        s->bulk_prepare[s->n_bulk_prepare++] = wm_arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT now()",
                                                               table, c);
        s->bulk_finish[s->n_bulk_finish++] = f->has_default
            ? wm_arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", table, c,
                              wm_sql_literal(a, td, &f->default_value, &f->type))
            : wm_arena_printf(a, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", table, c);
    }
    if (is_stamped) {   /* the row stamp's transaction, like updated_at's now() */
        s->bulk_prepare[s->n_bulk_prepare++] = wm_arena_printf(a, "ALTER TABLE %s ALTER COLUMN " WM_SYNC_STAMP_XID
                                                                  " SET DEFAULT " CURRENT_XID, table);
        s->bulk_finish[s->n_bulk_finish++] = wm_arena_printf(a, "ALTER TABLE %s ALTER COLUMN " WM_SYNC_STAMP_XID
                                                                 " DROP DEFAULT", table);
    }
    for (size_t i = 0; i < e->n_fields; i++) {
        const wm_field *f = e->fields[i];
        if (!wm_ddl_is_indexed(e, f))
            continue;
        const char *name = wm_sql_quote(a, td, wm_ddl_object_name(a, e->table, f->name, "idx"));
        s->bulk_prepare[s->n_bulk_prepare++] = wm_arena_printf(a, "DROP INDEX IF EXISTS %s", name);
        s->bulk_finish[s->n_bulk_finish++] = wm_arena_printf(a, "CREATE INDEX IF NOT EXISTS %s ON %s (%s)", name,
                                                             table, wm_sql_quote(a, td, f->name));
    }
    /* statistics for the planner, which otherwise takes the new rows for a
     * handful (the comparison's scan of a re-sync sorts on disk without).
     * A small sample is enough until autovacuum analyzes the table properly,
     * which the load's rows make it do soon after the commit */
    s->bulk_finish[s->n_bulk_finish++] = "SELECT set_config('default_statistics_target', '10', true)";
    s->bulk_finish[s->n_bulk_finish++] = wm_arena_printf(a, "ANALYZE %s", table);
    for (size_t i = 0; i < e->n_fields; i++) {
        const wm_field *f = e->fields[i];
        if (!f->references)
            continue;
        const char *name = wm_sql_quote(a, td, wm_ddl_object_name(a, e->table, f->name, "fkey"));
        s->bulk_prepare[s->n_bulk_prepare++] = wm_arena_printf(a, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
                                                               table, name);
        s->bulk_finish[s->n_bulk_finish++] = wm_arena_printf(a, "ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) "
                                                                "REFERENCES %s (%s)", table, name,
                                                             wm_sql_quote(a, td, f->name),
                                                             wm_sql_quote(a, td, f->references->table),
                                                             wm_sql_quote(a, td, f->references->key->name));
    }
}

wm_sync_sql wm_sync_build_sql(wm_sync_gen *g, wm_diags *diags)
{
    wm_arena *a = g->a;
    const wm_mapping *m = g->m;
    const wm_entity *e = m->entity;
    wm_dialect sd = g->t->source.dialect, td = WM_DIALECT_POSTGRES;
    wm_sync_sql s = { 0 };
    const char *from = wm_sql_table(a, sd, &m->table);

    /* extract: only the mapped columns, and the watermark unless it is one
     * of them; ordered by it so that a committed batch's last watermark is
     * the run's progress */
    const char *list = select_list(g, &g->src, sd);
    /* full and window syncs read in key order when they can, to be compared
     * with the target's rows in the same order */
    bool stamped = wm_sync_is_stamped(m);
    const wm_expr *key_col = stamped ? wm_sync_plain_key_column(m) : NULL;
    const char *order = key_col ? key_order_by(a, sd, key_col->name, &e->key->type) : "";
    if (m->incremental.kind == WM_INC_FULL) {
        s.extract = wm_arena_printf(a, "SELECT %s FROM %s%s", list, from, order);
    } else {
        const char *wm = wm_sql_expr(a, sd, m->incremental.watermark, diags);
        const char *own = "";   /* the watermark's own column, unless the list has it */
        if (wm_sync_watermark_column(g) == (int)g->src.n)
            own = wm_arena_printf(a, sd == WM_DIALECT_SQLSERVER ? ", CONVERT(NVARCHAR(33), %s, 126)" : ", %s", wm);
        const char *p = placeholder(sd);
        if (m->incremental.kind == WM_INC_WATERMARK)
            s.extract = wm_arena_printf(a, "SELECT %s%s FROM %s WHERE (%s >= %s OR %s IS NULL OR %s IS NULL) ORDER BY %s",
                                        list, own, from, wm, p, p, wm, wm);
        else /* a NULL bound (--full) reads the whole table */
            s.extract = wm_arena_printf(a, "SELECT %s%s FROM %s WHERE (%s >= %s OR %s IS NULL OR %s IS NULL)%s", list,
                                        own, from, wm, p, p, wm, order);
        s.n_placeholders = sd == WM_DIALECT_MYSQL ? 2 : 1;
        if (sd == WM_DIALECT_SQLSERVER)
            s.param_decl = "@p1 nvarchar(max)";
    }
    if (m->deletes_soft)
        s.extract_keys = wm_arena_printf(a, "SELECT %s FROM %s", select_list(g, &g->keys, sd), from);

    /* the target: a staging table per entity, then one upsert per batch */
    const char *table = wm_sql_quote(a, td, e->table);
    s.stage = wm_sql_quote(a, td, wm_arena_printf(a, "_wos_stage_%s", e->table));
    const char *defs = "", *cols = "", *excluded = "", *mine = "", *theirs = "";
    for (size_t i = 0; i < g->n_staged; i++) {
        const wm_field *f = g->staged[i]->field;
        const char *c = wm_sql_quote(a, td, f->name);
        const char *type = f->type.kind == WM_T_ENUM ? "text" : wm_sql_column_type(a, td, &f->type);
        defs = wm_arena_printf(a, "%s, %s %s", defs, c, type);
        cols = wm_arena_printf(a, "%s%s%s", cols, i ? ", " : "", c);
        if (f == e->key)
            continue;
        excluded = wm_arena_printf(a, "%s%s%s = EXCLUDED.%s", excluded, excluded[0] ? ", " : "", c, c);
        mine = wm_arena_printf(a, "%s%s%s.%s", mine, mine[0] ? ", " : "", table, c);
        theirs = wm_arena_printf(a, "%s%sEXCLUDED.%s", theirs, theirs[0] ? ", " : "", c);
    }
    if (stamped) {   /* a compared table: the row stamp's hash goes with each row */
        defs = wm_arena_printf(a, "%s, " WM_SYNC_STAMP_HASH " bigint", defs);
        cols = wm_arena_printf(a, "%s, " WM_SYNC_STAMP_HASH, cols);
    }
    s.stage_create = wm_arena_printf(a, "CREATE TEMP TABLE IF NOT EXISTS %s (_wos_seq bigserial%s)", s.stage, defs);
    build_checks(g, &s, table);
    s.stage_truncate = wm_arena_printf(a, "TRUNCATE %s", s.stage);
    s.stage_copy = wm_arena_printf(a, "COPY %s (%s) FROM STDIN", s.stage, cols);

    const char *key = wm_sql_quote(a, td, e->key->name);
    const char *ins_cols = cols, *ins_vals = cols, *sets = excluded, *differs;
    const wm_field *sd_field = m->deletes_soft ? e->soft_delete : NULL;
    if (sd_field) { /* a row in the source is not deleted: a key that came back is live again */
        const char *c = wm_sql_quote(a, td, sd_field->name);
        ins_cols = wm_arena_printf(a, "%s, %s", ins_cols, c);
        ins_vals = wm_arena_printf(a, "%s, NULL", ins_vals);
        sets = wm_arena_printf(a, "%s%s%s = NULL", sets, sets[0] ? ", " : "", c);
    }
    if (e->auto_updated) {
        const char *c = wm_sql_quote(a, td, e->auto_updated->name);
        ins_cols = wm_arena_printf(a, "%s, %s", ins_cols, c);
        ins_vals = wm_arena_printf(a, "%s, now()", ins_vals);
        sets = wm_arena_printf(a, "%s%s%s = now()", sets, sets[0] ? ", " : "", c);
    }
    /* only rows that differ are written: a re-sync of unchanged data writes nothing */
    differs = mine[0] ? wm_arena_printf(a, "(%s) IS DISTINCT FROM (%s)", mine, theirs) : "false";
    if (sd_field)
        differs = wm_arena_printf(a, "%s OR %s.%s IS NOT NULL", differs, table, wm_sql_quote(a, td, sd_field->name));
    if (stamped) {   /* and a row whose stamp is not the agent's last write is stamped again */
        ins_cols = wm_arena_printf(a, "%s, " WM_SYNC_STAMP_XID, ins_cols);
        ins_vals = wm_arena_printf(a, "%s, " CURRENT_XID, ins_vals);
        sets = wm_arena_printf(a, "%s%s" WM_SYNC_STAMP_HASH " = EXCLUDED." WM_SYNC_STAMP_HASH ", " WM_SYNC_STAMP_XID " = " CURRENT_XID,
                               sets, sets[0] ? ", " : "");
        differs = wm_arena_printf(a, "%s OR %s." WM_SYNC_STAMP_HASH " IS DISTINCT FROM EXCLUDED." WM_SYNC_STAMP_HASH
                                     " OR %s." WM_SYNC_STAMP_XID " IS DISTINCT FROM %s.xmin", differs, table, table, table);
    }
    s.upsert = sets[0]
        ? wm_arena_printf(a, "INSERT INTO %s (%s) SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, _wos_seq DESC "
                             "ON CONFLICT (%s) DO UPDATE SET %s WHERE %s",
                          table, ins_cols, key, ins_vals, s.stage, key, key, sets, differs)
        : wm_arena_printf(a, "INSERT INTO %s (%s) SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, _wos_seq DESC "
                             "ON CONFLICT (%s) DO NOTHING",
                          table, ins_cols, key, ins_vals, s.stage, key, key);
    if (stamped)
        build_diff(g, &s, table);
    build_bulk(g, &s, table, cols, stamped);
    if (sd_field) {
        const char *type = wm_sql_column_type(a, td, &e->key->type);
        s.keys = wm_sql_quote(a, td, wm_arena_printf(a, "_wos_keys_%s", e->table));
        s.keys_create = wm_arena_printf(a, "CREATE TEMP TABLE IF NOT EXISTS %s (%s %s)", s.keys, key, type);
        s.keys_truncate = wm_arena_printf(a, "TRUNCATE %s", s.keys);
        s.keys_copy = wm_arena_printf(a, "COPY %s (%s) FROM STDIN", s.keys, key);
        const char *c = wm_sql_quote(a, td, sd_field->name);
        const char *set = wm_arena_printf(a, "%s = now()", c);
        if (e->auto_updated)
            set = wm_arena_printf(a, "%s, %s = now()", set, wm_sql_quote(a, td, e->auto_updated->name));
        s.mark_deleted = wm_arena_printf(a, "UPDATE %s SET %s WHERE %s IS NULL AND NOT EXISTS "
                                            "(SELECT 1 FROM %s k WHERE k.%s = %s.%s)",
                                         table, set, c, s.keys, key, table, key);
    }
    return s;
}
