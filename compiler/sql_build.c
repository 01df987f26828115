/* sql_build.c - SELECT / upsert / delete / count statements per dialect.
 *
 *   postgres   $n placeholders, INSERT ... ON CONFLICT DO UPDATE, LIMIT/OFFSET
 *   mysql      ? placeholders (repeated values repeat the parameter),
 *              INSERT ... ON DUPLICATE KEY UPDATE, LIMIT ? OFFSET ?
 *   sqlserver  @pN named parameters of sp_executesql; upsert as UPDATE
 *              WITH (UPDLOCK, HOLDLOCK) then INSERT when no row was updated,
 *              in one transaction (no MERGE); OFFSET ... FETCH NEXT
 *   oracle     :N placeholders, MERGE, OFFSET ... FETCH NEXT
 *
 * Every value is a parameter; identifiers are always quoted. */
#include "sql_build.h"

#include <string.h>

#include "emit.h"
#include "names.h"

typedef struct builder {
    wm_arena *a;
    wm_dialect d;
    const char *sql;
    int n_placeholders;
    wm_ptrvec order;            /* mysql: parameter of each placeholder */
} builder;

static void add(builder *b, const char *text)
{
    b->sql = wm_arena_printf(b->a, "%s%s", b->sql, text);
}

/* A reference to logical parameter i (0-based). */
static const char *param(builder *b, int i)
{
    b->n_placeholders++;
    switch (b->d) {
    case WM_DIALECT_POSTGRES: return wm_arena_printf(b->a, "$%d", i + 1);
    case WM_DIALECT_SQLSERVER: return wm_arena_printf(b->a, "@p%d", i + 1);
    case WM_DIALECT_ORACLE: return wm_arena_printf(b->a, ":%d", i + 1);
    case WM_DIALECT_MYSQL: break;
    }
    int *slot = wm_arena_alloc(b->a, sizeof *slot);
    *slot = i;
    wm_ptrvec_push(b->a, &b->order, slot);
    return "?";
}

const char *wm_sql_now(wm_dialect d)
{
    switch (d) {
    case WM_DIALECT_POSTGRES: return "now()";
    case WM_DIALECT_MYSQL: return "UTC_TIMESTAMP(6)";
    case WM_DIALECT_SQLSERVER: return "SYSUTCDATETIME()";
    case WM_DIALECT_ORACLE: return "SYSTIMESTAMP";
    }
    return "now()";
}

static void builder_init(builder *b, wm_arena *a, wm_dialect d)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->d = d;
    b->sql = "";
}

static const char *q(builder *b, const char *ident) { return wm_sql_quote(b->a, b->d, ident); }

/* A read-only transform as SQL: the functions every dialect has. */
static const char *expr_sql(builder *b, wm_diags *diags, const wm_expr *e)
{
    wm_arena *a = b->a;
    switch (e->kind) {
    case WM_E_COLUMN:
        return q(b, e->name);
    case WM_E_LITERAL:
        switch (e->lit.kind) {
        case WM_L_STRING: return wm_sql_string(a, b->d, e->lit.text);
        case WM_L_NUMBER: return e->lit.text;
        case WM_L_NULL: return "NULL";
        case WM_L_BOOL:
            return b->d == WM_DIALECT_POSTGRES || b->d == WM_DIALECT_MYSQL ? (e->lit.boolean ? "TRUE" : "FALSE")
                                                                           : (e->lit.boolean ? "1" : "0");
        default: break;
        }
        break;
    case WM_E_CALL: {
        const char *args[16];
        for (size_t i = 0; i < e->n_args && i < 16; i++)
            if (!(args[i] = expr_sql(b, diags, e->args[i])))
                return NULL;
        switch (e->func) {
        case WM_FN_UPPER: return wm_arena_printf(a, "UPPER(%s)", args[0]);
        case WM_FN_LOWER: return wm_arena_printf(a, "LOWER(%s)", args[0]);
        case WM_FN_TRIM:
            return b->d == WM_DIALECT_SQLSERVER ? wm_arena_printf(a, "LTRIM(RTRIM(%s))", args[0])
                                                : wm_arena_printf(a, "TRIM(%s)", args[0]);
        case WM_FN_COALESCE: {
            const char *s = "COALESCE(";
            for (size_t i = 0; i < e->n_args; i++)
                s = wm_arena_printf(a, "%s%s%s", s, i ? ", " : "", args[i]);
            return wm_arena_printf(a, "%s)", s);
        }
        default: break;
        }
        break;
    }
    case WM_E_BINARY:
        if (e->op == WM_OP_CONCAT) {
            const char *l = expr_sql(b, diags, e->args[0]), *r = expr_sql(b, diags, e->args[1]);
            if (!l || !r)
                return NULL;
            switch (b->d) {
            case WM_DIALECT_MYSQL: return wm_arena_printf(a, "CONCAT(%s, %s)", l, r);
            case WM_DIALECT_SQLSERVER:
                return wm_arena_printf(a, "(CAST(%s AS NVARCHAR(MAX)) + CAST(%s AS NVARCHAR(MAX)))", l, r);
            default: return wm_arena_printf(a, "(%s || %s)", l, r);
            }
        }
        break;
    case WM_E_NEG:
        if (e->args[0]->kind == WM_E_LITERAL && e->args[0]->lit.kind == WM_L_NUMBER)
            return wm_arena_printf(a, "-%s", e->args[0]->lit.text);
        break;
    }
    /* sema refuses these in adapter mappings; reaching here is a compiler bug */
    wm_error(diags, e->loc, "internal error: no SQL for this transform in an adapter");
    return NULL;
}

const char *wm_sql_expr(wm_arena *a, wm_dialect d, const wm_expr *e, wm_diags *diags)
{
    builder b;
    builder_init(&b, a, d);
    return expr_sql(&b, diags, e);
}

static const char *column_sql(builder *b, wm_diags *diags, const wm_store_col *c)
{
    return c->column ? q(b, c->column) : expr_sql(b, diags, c->read_expr);
}

/* A column as SELECT returns it.  SQL Server converts dates, times, floats
 * and uuids to text itself, so the driver never formats them by locale. */
static const char *selected_sql(builder *b, wm_diags *diags, const wm_store_col *c)
{
    const char *col = column_sql(b, diags, c);
    if (!col || b->d != WM_DIALECT_SQLSERVER || c->map)
        return col;
    switch (c->field->type.kind) {
    case WM_T_DATE: return wm_arena_printf(b->a, "CONVERT(NVARCHAR(10), %s, 23)", col);
    case WM_T_TIMESTAMP: return wm_arena_printf(b->a, "CONVERT(NVARCHAR(33), %s, 126)", col);
    case WM_T_FLOAT: return wm_arena_printf(b->a, "CONVERT(NVARCHAR(30), %s, 3)", col);
    case WM_T_UUID: return wm_arena_printf(b->a, "CONVERT(NVARCHAR(36), %s)", col);
    default: return col;
    }
}

static const char *select_from(builder *b, wm_diags *diags, const wm_sql_ops *ops, const wm_store *s)
{
    const char *list = "";
    for (size_t i = 0; i < ops->n_select; i++) {
        const char *c = selected_sql(b, diags, ops->select[i]);
        if (!c)
            return NULL;
        list = wm_arena_printf(b->a, "%s%s%s", list, i ? ", " : "", c);
    }
    return wm_arena_printf(b->a, "SELECT %s FROM %s", list, wm_sql_table(b->a, b->d, &s->table));
}

static const char *live(builder *b, const wm_store *s)
{
    return s->soft_delete ? wm_arena_printf(b->a, "%s IS NULL", q(b, s->soft_delete->column)) : NULL;
}

static void finish(builder *b, wm_sql_stmt *st, int n_params)
{
    st->sql = b->sql;
    st->n_params = n_params;
    /* $n, @pn and :n name a parameter however often they appear; each ?
     * of MySQL is a placeholder of its own */
    st->n_placeholders = b->d == WM_DIALECT_MYSQL ? b->n_placeholders : n_params;
    if (b->d == WM_DIALECT_MYSQL && b->order.len) {
        int *order = wm_arena_alloc(b->a, b->order.len * sizeof *order);
        bool is_identity = (int)b->order.len == n_params;
        for (size_t i = 0; i < b->order.len; i++) {
            order[i] = *(int *)b->order.items[i];
            is_identity &= order[i] == (int)i;
        }
        if (!is_identity)
            st->param_order = order;
    }
    if (b->d == WM_DIALECT_SQLSERVER) {
        const char *decl = "";
        for (int i = 0; i < n_params; i++)
            decl = wm_arena_printf(b->a, "%s%s@p%d nvarchar(max)", decl, i ? ", " : "", i + 1);
        st->param_decl = decl;
    }
}


static bool find_by(builder *b, wm_diags *diags, const wm_sql_ops *ops, const wm_store *s,
                    const wm_store_col *by, wm_sql_stmt *st)
{
    const char *sel = select_from(b, diags, ops, s);
    if (!sel)
        return false;
    add(b, sel);
    add(b, wm_arena_printf(b->a, " WHERE %s = %s", column_sql(b, diags, by), param(b, 0)));
    if (live(b, s))
        add(b, wm_arena_printf(b->a, " AND %s", live(b, s)));
    finish(b, st, 1);
    return true;
}

static const char *compare_op(wm_compare c)
{
    static const char *const ops[] = { "=", "<>", "<", "<=", ">", ">=" };
    return ops[c];
}

static bool find_all(builder *b, wm_diags *diags, const wm_sql_ops *ops, const wm_store *s, wm_sql_stmt *st)
{
    const char *sel = select_from(b, diags, ops, s);
    if (!sel)
        return false;
    add(b, sel);
    const char *where = live(b, s);
    for (size_t i = 0; i < ops->n_sql_filters; i++) {
        const wm_filter *f = ops->sql_filters[i];
        const char *col = column_sql(b, diags, &s->cols[f->field->index]);
        const char *p1 = param(b, (int)i), *p2 = param(b, (int)i);
        const char *cond = wm_arena_printf(b->a, "(%s %s %s OR %s IS NULL)", col, compare_op(f->op), p1, p2);
        where = where ? wm_arena_printf(b->a, "%s AND %s", where, cond) : cond;
    }
    if (where)
        add(b, wm_arena_printf(b->a, " WHERE %s", where));
    const char *order = "";
    for (size_t i = 0; i < s->entity->n_orders; i++) {
        const wm_order *o = &s->entity->orders[i];
        const wm_store_col *c = &s->cols[o->field->index];
        if (!c->is_mapped || o->field == s->entity->key)
            continue;
        order = wm_arena_printf(b->a, "%s%s%s", order, column_sql(b, diags, c), o->is_descending ? " DESC, " : ", ");
    }
    /* the key last: a total order, so pages neither skip nor repeat rows */
    add(b, wm_arena_printf(b->a, " ORDER BY %s%s", order, column_sql(b, diags, s->key)));
    int n = (int)ops->n_sql_filters;
    const char *lim = param(b, n), *off = param(b, n + 1);
    if (b->d == WM_DIALECT_POSTGRES || b->d == WM_DIALECT_MYSQL)
        add(b, wm_arena_printf(b->a, " LIMIT %s OFFSET %s", lim, off));
    if (b->d == WM_DIALECT_SQLSERVER) /* its parameters are nvarchar; OFFSET wants integers */
        add(b, wm_arena_printf(b->a, " OFFSET CAST(%s AS BIGINT) ROWS FETCH NEXT CAST(%s AS BIGINT) ROWS ONLY", off, lim));
    else if (b->d == WM_DIALECT_ORACLE)
        add(b, wm_arena_printf(b->a, " OFFSET %s ROWS FETCH NEXT %s ROWS ONLY", off, lim));
    finish(b, st, n + 2);
    if (b->d == WM_DIALECT_MYSQL) { /* LIMIT and OFFSET take integers, not text */
        char *kinds = wm_arena_alloc(b->a, (size_t)st->n_placeholders + 1);
        memset(kinds, 's', (size_t)st->n_placeholders);
        kinds[st->n_placeholders - 2] = kinds[st->n_placeholders - 1] = 'i';
        st->param_kinds = kinds;
    }
    return true;
}

/* A field's default as the store holds it: through an adapter's map, the
 * client's value for it ("OP" for OPERATIONAL); NULL when there is none. */
static const char *stored_default(builder *b, const wm_store_col *c)
{
    const wm_field *f = c->field;
    if (!f->has_default)
        return NULL;
    if (f->default_value.kind == WM_L_NOW)
        return wm_sql_now(b->d);
    if (!c->map)
        return wm_sql_literal(b->a, b->d, &f->default_value, &f->type);
    for (size_t i = 0; i < c->map->n_entries; i++) {
        const wm_map_entry *e = &c->map->entries[i];
        if (e->to.kind != WM_L_NULL && e->from.kind == WM_L_STRING && strcmp(e->to.text, f->default_value.text) == 0)
            return wm_sql_string(b->a, b->d, e->from.text);
    }
    return NULL;
}

/* The value save() writes for a column: an unset field takes its default
 * (an explicit NULL would not: the insert would fail NOT NULL). */
static const char *insert_value(builder *b, const wm_store *s, const wm_store_col *c, int i)
{
    (void)s;
    const char *def = stored_default(b, c);
    if (def)
        return wm_arena_printf(b->a, "COALESCE(%s, %s)", param(b, i), def);
    return param(b, i);
}

/* The value the UPDATE part of save() gives column i: the inserted row's
 * (PostgreSQL, MySQL) or the parameter's; unset defaults keep the row's own. */
static const char *updated_value(builder *b, const wm_store *s, const wm_store_col *c, int i)
{
    wm_arena *a = b->a;
    const char *col = q(b, c->column);
    if (c->field->has_default) {
        const char *own = b->d == WM_DIALECT_ORACLE ? wm_arena_printf(a, "t.%s", col)
                        : b->d == WM_DIALECT_SQLSERVER ? col
                        : wm_arena_printf(a, "%s.%s", wm_sql_table(a, b->d, &s->table), col);
        return wm_arena_printf(a, "COALESCE(%s, %s)", param(b, i), own);
    }
    switch (b->d) {
    case WM_DIALECT_POSTGRES: return wm_arena_printf(a, "EXCLUDED.%s", col);
    case WM_DIALECT_MYSQL: return wm_arena_printf(a, "VALUES(%s)", col);
    default: return param(b, i);
    }
}

/* "c = v, ..." of save()'s UPDATE: every written column but the key, then
 * the auto field; "" when there is nothing to update. */
static const char *update_sets(builder *b, const wm_sql_ops *ops, const wm_store *s)
{
    wm_arena *a = b->a;
    const char *target = b->d == WM_DIALECT_ORACLE ? "t." : "";
    const char *sets = "";
    for (int i = 0; i < (int)ops->n_save_cols; i++) {
        const wm_store_col *c = ops->save_cols[i];
        if (c != s->key)
            sets = wm_arena_printf(a, "%s%s%s%s = %s", sets, sets[0] ? ", " : "", target, q(b, c->column),
                                   updated_value(b, s, c, i));
    }
    if (s->auto_updated)
        sets = wm_arena_printf(a, "%s%s%s%s = %s", sets, sets[0] ? ", " : "", target,
                               q(b, s->auto_updated->column), wm_sql_now(b->d));
    return sets;
}

/* The column list and VALUES of save()'s INSERT. */
static void insert_lists(builder *b, const wm_sql_ops *ops, const wm_store *s, const char **cols, const char **values)
{
    wm_arena *a = b->a;
    *cols = *values = "";
    for (int i = 0; i < (int)ops->n_save_cols; i++) {
        const wm_store_col *c = ops->save_cols[i];
        *cols = wm_arena_printf(a, "%s%s%s", *cols, i ? ", " : "", q(b, c->column));
        *values = wm_arena_printf(a, "%s%s%s", *values, i ? ", " : "", insert_value(b, s, c, i));
    }
    if (s->auto_updated) {
        *cols = wm_arena_printf(a, "%s, %s", *cols, q(b, s->auto_updated->column));
        *values = wm_arena_printf(a, "%s, %s", *values, wm_sql_now(b->d));
    }
}

static void save(builder *b, const wm_sql_ops *ops, const wm_store *s, wm_sql_stmt *st)
{
    wm_arena *a = b->a;
    const char *table = wm_sql_table(a, b->d, &s->table);
    const char *key = q(b, s->key->column);
    int key_param = 0;
    for (int i = 0; i < (int)ops->n_save_cols; i++)
        if (ops->save_cols[i] == s->key)
            key_param = i;
    const char *cols, *values, *sets;
    /* MySQL's placeholders are positional: build in the order they appear */
    if (b->d == WM_DIALECT_POSTGRES || b->d == WM_DIALECT_MYSQL) {
        insert_lists(b, ops, s, &cols, &values);
        sets = update_sets(b, ops, s);
    } else {
        sets = update_sets(b, ops, s);
        insert_lists(b, ops, s, &cols, &values);
    }
    const char *same_key = wm_arena_printf(a, "%s = %s", key, key); /* an UPDATE that changes nothing */
    switch (b->d) {
    case WM_DIALECT_POSTGRES:
        b->sql = sets[0] ? wm_arena_printf(a, "INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s",
                                           table, cols, values, key, sets)
                         : wm_arena_printf(a, "INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO NOTHING",
                                           table, cols, values, key);
        break;
    case WM_DIALECT_MYSQL:
        b->sql = wm_arena_printf(a, "INSERT INTO %s (%s) VALUES (%s) ON DUPLICATE KEY UPDATE %s", table, cols,
                                 values, sets[0] ? sets : same_key);
        break;
    case WM_DIALECT_SQLSERVER:
        b->sql = wm_arena_printf(a,
            "SET NOCOUNT ON; SET XACT_ABORT ON; BEGIN TRANSACTION; "
            "UPDATE %s WITH (UPDLOCK, HOLDLOCK) SET %s WHERE %s = %s; "
            "IF @@ROWCOUNT = 0 INSERT INTO %s (%s) VALUES (%s); "
            "COMMIT TRANSACTION;",
            table, sets[0] ? sets : same_key, key, param(b, key_param), table, cols, values);
        break;
    case WM_DIALECT_ORACLE:
        b->sql = wm_arena_printf(a,
            "MERGE INTO %s t USING (SELECT %s AS k FROM dual) s ON (t.%s = s.k) "
            "WHEN MATCHED THEN UPDATE SET %s "
            "WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s)",
            table, param(b, key_param), key, sets[0] ? sets : "t.ROWID = t.ROWID", cols, values);
        break;
    }
    finish(b, st, (int)ops->n_save_cols);
}

static void delete_stmt(builder *b, const wm_store *s, wm_sql_stmt *st)
{
    wm_arena *a = b->a;
    const char *table = wm_sql_table(a, b->d, &s->table);
    const char *key = q(b, s->key->column);
    if (s->soft_delete) {
        const char *sets = wm_arena_printf(a, "%s = %s", q(b, s->soft_delete->column), wm_sql_now(b->d));
        if (s->auto_updated)
            sets = wm_arena_printf(a, "%s, %s = %s", sets, q(b, s->auto_updated->column), wm_sql_now(b->d));
        b->sql = wm_arena_printf(a, "UPDATE %s SET %s WHERE %s = %s AND %s IS NULL", table, sets, key, param(b, 0),
                                 q(b, s->soft_delete->column));
    } else {
        b->sql = wm_arena_printf(a, "DELETE FROM %s WHERE %s = %s", table, key, param(b, 0));
    }
    finish(b, st, 1);
}

static void count_stmt(builder *b, const wm_store *s, wm_sql_stmt *st)
{
    b->sql = wm_arena_printf(b->a, "SELECT COUNT(*) FROM %s", wm_sql_table(b->a, b->d, &s->table));
    if (live(b, s))
        add(b, wm_arena_printf(b->a, " WHERE %s", live(b, s)));
    finish(b, st, 0);
}

wm_sql_ops *wm_sql_build(wm_arena *a, wm_diags *diags, const wm_store *s)
{
    const wm_entity *e = s->entity;
    wm_sql_ops *ops = wm_arena_alloc(a, sizeof *ops);
    ops->select = wm_arena_alloc(a, (s->n_cols + 1) * sizeof *ops->select);
    ops->save_cols = wm_arena_alloc(a, (s->n_cols + 1) * sizeof *ops->save_cols);
    ops->sql_filters = wm_arena_alloc(a, (e->n_filters + 1) * sizeof *ops->sql_filters);
    for (size_t i = 0; i < s->n_cols; i++) {
        const wm_store_col *c = &s->cols[i];
        if (c->is_mapped)
            ops->select[ops->n_select++] = c;
        if (c->is_writable && c != s->auto_updated)
            ops->save_cols[ops->n_save_cols++] = c;
    }
    for (size_t i = 0; i < e->n_filters; i++) {
        const wm_store_col *c = &s->cols[e->filters[i].field->index];
        /* a one-way map cannot turn a filter value into the client's value */
        if (c->is_mapped && (!c->map || c->is_writable))
            ops->sql_filters[ops->n_sql_filters++] = &e->filters[i];
    }

    size_t n_unique = 0;
    for (size_t i = 0; i < e->n_fields; i++)
        n_unique += e->fields[i]->is_unique && !e->fields[i]->is_key;
    ops->stmts = wm_arena_alloc(a, (n_unique + 6) * sizeof *ops->stmts);
    builder b;
    bool ok = true;

    wm_sql_stmt *st = &ops->stmts[ops->n++];
    st->kind = WM_SQL_FIND_BY_ID;
    st->op = "find_by_id";
    builder_init(&b, a, s->dialect);
    ok &= find_by(&b, diags, ops, s, s->key, st);

    for (size_t i = 0; i < e->n_fields; i++) {
        const wm_field *f = e->fields[i];
        if (!f->is_unique || f->is_key)
            continue;
        const wm_store_col *c = &s->cols[f->index];
        st = &ops->stmts[ops->n++];
        st->kind = WM_SQL_FIND_BY_UNIQUE;
        st->unique = c;
        st->op = wm_arena_printf(a, "find_by_%s", f->name);
        if (!c->is_mapped || (c->map && !c->is_writable))
            continue; /* the function reports that the tenant cannot look it up */
        builder_init(&b, a, s->dialect);
        ok &= find_by(&b, diags, ops, s, c, st);
    }

    st = &ops->stmts[ops->n++];
    st->kind = WM_SQL_FIND_ALL;
    st->op = "find_all";
    builder_init(&b, a, s->dialect);
    ok &= find_all(&b, diags, ops, s, st);

    st = &ops->stmts[ops->n++];
    st->kind = WM_SQL_SAVE;
    st->op = "save";
    builder_init(&b, a, s->dialect);
    save(&b, ops, s, st);

    st = &ops->stmts[ops->n++];
    st->kind = WM_SQL_DELETE;
    st->op = "delete";
    builder_init(&b, a, s->dialect);
    delete_stmt(&b, s, st);

    st = &ops->stmts[ops->n++];
    st->kind = WM_SQL_COUNT;
    st->op = "count";
    builder_init(&b, a, s->dialect);
    count_stmt(&b, s, st);

    if (!s->is_adapter) { /* a WellOS database: it says whose it is */
        st = &ops->stmts[ops->n++];
        st->kind = WM_SQL_TENANT_MARKER;
        st->op = "tenant_marker";
        st->sql = wm_marker_read_sql;
    }
    return ok ? ops : NULL;
}
