/* sema_tenant.c - checks of tenants: strategy, connections, schedule, and
 * every map (adapter) and sync (etl) block: coverage of the entity, types,
 * value maps, reversibility, incremental modes, and what each database
 * dialect can and cannot do. */
#include <stdlib.h>
#include <string.h>

#include "sema.h"

static const char *const strategy_words[] = { "native", "adapter", "etl" };
static const char *const dialect_words[] = { "postgres", "mysql", "sqlserver", "oracle" };

static bool lookup(sema *s, const ast_name *n, const char *what, const char *const *words,
                   size_t n_words, int *out)
{
    for (size_t i = 0; i < n_words; i++) {
        if (strcmp(n->text, words[i]) == 0) {
            *out = (int)i;
            return true;
        }
    }
    sema_unknown(s, n->loc, what, n->text, words, n_words);
    return false;
}

/* ---- identifiers of the client's database ----------------------------- */

static size_t utf8_chars(const char *t)
{
    size_t n = 0;
    for (; *t; t++)
        n += ((unsigned char)*t & 0xC0) != 0x80;
    return n;
}

/* Can this dialect name the table or column, quoted as needed? */
static void check_identifier(sema *s, wm_dialect d, const char *name, wm_loc loc)
{
    static const size_t max_len[] = {
        [WM_DIALECT_POSTGRES] = 63, [WM_DIALECT_MYSQL] = 64,
        [WM_DIALECT_SQLSERVER] = 128, [WM_DIALECT_ORACLE] = 128,
    };
    size_t len = d == WM_DIALECT_MYSQL || d == WM_DIALECT_SQLSERVER ? utf8_chars(name) : strlen(name);
    const char *unit = d == WM_DIALECT_MYSQL || d == WM_DIALECT_SQLSERVER ? "characters" : "bytes";
    if (len > max_len[d]) {
        wm_error(s->diags, loc, "identifier '%s' is longer than %zu %s, the limit of %s", name,
                 max_len[d], unit, wm_dialect_name(d));
        return;
    }
    size_t n = strlen(name);
    if (d == WM_DIALECT_MYSQL) {
        if (n && name[n - 1] == ' ') {
            wm_error(s->diags, loc, "mysql cannot name '%s': an identifier cannot end with a space", name);
            return;
        }
        for (const char *c = name; *c; c++) {
            if (((unsigned char)*c & 0xF8) == 0xF0) {
                wm_error(s->diags, loc,
                         "mysql cannot name '%s': identifiers cannot hold characters beyond U+FFFF", name);
                return;
            }
        }
    }
    if (d == WM_DIALECT_ORACLE && strchr(name, '"'))
        wm_error(s->diags, loc, "oracle cannot name '%s': a quoted identifier cannot contain '\"'", name);
}

static void check_table_name(sema *s, wm_dialect d, const wm_table_name *t)
{
    if (t->n_parts > 3) {
        wm_diag *dg = wm_error(s->diags, t->loc, "table name has %zu parts; at most 3 are allowed",
                               t->n_parts);
        wm_hint(dg, "write TABLE, SCHEMA.TABLE or DATABASE.SCHEMA.TABLE");
        return;
    }
    for (size_t i = 0; i < t->n_parts; i++)
        check_identifier(s, d, t->parts[i], t->loc);
}

/* Columns named anywhere in an expression. */
static void check_columns(sema *s, wm_dialect d, const wm_expr *e)
{
    if (e->kind == WM_E_COLUMN)
        check_identifier(s, d, e->name, e->loc);
    for (size_t i = 0; i < e->n_args; i++)
        check_columns(s, d, e->args[i]);
}

/* ---- connections and quantities --------------------------------------- */

/* key=value DSNs (password=, pwd=) and URLs (scheme://user:secret@host). */
static bool has_password(const char *dsn)
{
    static const char *const keys[] = { "password", "Password", "PASSWORD", "pwd=", "PWD=", "Pwd=" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strstr(dsn, keys[i]))
            return true;
    const char *auth = strstr(dsn, "://");
    if (!auth)
        return false;
    auth += 3;
    const char *at = strchr(auth, '@');
    return at && memchr(auth, ':', (size_t)(at - auth));
}

static void resolve_conn(sema *s, const ast_conn *ac, wm_conn *out)
{
    int d;
    if (!lookup(s, &ac->dialect, "database type", dialect_words, 4, &d))
        return;
    out->dialect = (wm_dialect)d;
    out->loc = ac->loc;
    out->is_set = true;
    if (ac->has_literal) {
        wm_diag *dg = wm_error(s->diags, ac->literal.loc, has_password(ac->literal.text)
                                   ? "literal secret in DSN: the spec would carry a password"
                                   : "literal DSN in spec: DSNs are secrets and are read at run time");
        wm_hint(dg, "write 'dsn env VAR' and set VAR where the agent runs");
        return;
    }
    for (const char *c = ac->env.text; *c; c++) {
        if (ac->env.is_quoted || (unsigned char)*c >= 0x80) {
            wm_error(s->diags, ac->env.loc, "environment variable name '%s' must be ASCII letters, digits and '_'",
                     ac->env.text);
            return;
        }
    }
    out->dsn_env = ac->env.text;
}

static bool to_seconds(sema *s, const ast_quantity *q, const char *what, uint64_t *out)
{
    static const char *const units[] = { "minute", "minutes", "hour", "hours", "day", "days" };
    static const uint64_t seconds[] = { 60, 60, 3600, 3600, 86400, 86400 };
    int u;
    if (!lookup(s, &q->unit, "unit", units, 6, &u))
        return false;
    uint64_t n;
    if (!wm_whole_number(q->number, 3650ull * 86400 / seconds[u], &n)) {
        wm_error(s->diags, q->loc, "%s must be a whole number of %s from 1 to %llu", what,
                 units[u | 1], (unsigned long long)(3650ull * 86400 / seconds[u]));
        return false;
    }
    *out = n * seconds[u];
    return true;
}

/* ---- value maps ---------------------------------------------------------- */

/* A literal as a hash key: equal values, equal keys ("1" and "1.0"). */
static const char *literal_key(wm_arena *a, const wm_literal *l)
{
    if (l->kind == WM_L_NUMBER)
        return wm_arena_printf(a, "n:%.17g", strtod(l->text, NULL));
    return wm_arena_printf(a, "%d:%s", (int)l->kind, l->text);
}

static void check_value_map(sema *s, const ast_mapping_line *line, const wm_field *f, bool is_adapter)
{
    const wm_value_map *m = line->value_map;
    const wm_type *from_type = &line->expr->type;
    wm_symtab keys = { 0 }, outputs = { 0 }; /* hashed: a map may have 100,000 entries */
    for (size_t i = 0; i < m->n_entries; i++) {
        const wm_map_entry *en = &m->entries[i];
        if (en->is_two_way != line->is_two_way) {
            wm_diag *d = wm_error(s->diags, en->loc, line->is_two_way
                                      ? "a two-way mapping needs two-way entries"
                                      : "'<->' entries belong to two-way adapter mappings");
            wm_hint(d, line->is_two_way ? "write '%s <-> %s'" : "write '%s => %s'",
                    en->from.kind == WM_L_STRING ? wm_arena_printf(s->arena, "\"%s\"", en->from.text)
                                                 : en->from.text,
                    en->to.kind == WM_L_STRING ? wm_arena_printf(s->arena, "\"%s\"", en->to.text)
                                               : en->to.text);
        }
        if (from_type->kind != WM_T_ANY && en->from.kind != WM_L_NULL) {
            const char *why = wm_literal_problem(s->arena, &en->from, from_type);
            if (why)
                wm_error(s->diags, en->from.loc, "map key does not match the mapped value: %s", why);
        }
        const wm_map_entry *first = wm_symtab_put(s->arena, &keys, literal_key(s->arena, &en->from), (void *)en);
        if (first) {
            wm_diag *d = wm_error(s->diags, en->from.loc, "%s is mapped twice",
                                  en->from.kind == WM_L_STRING ? wm_arena_printf(s->arena, "\"%s\"", en->from.text)
                                                               : en->from.text);
            wm_note(d, first->from.loc, "first mapped here");
        }
        if (en->to.kind == WM_L_NULL) {
            if (f->is_required)
                wm_error(s->diags, en->to.loc, "field '%s' is required; the map cannot give null", f->name);
        } else {
            sema_check_literal(s, &en->to, f, "map value");
        }
        const wm_map_entry *other = wm_symtab_put(s->arena, &outputs, literal_key(s->arena, &en->to), (void *)en);
        if (line->is_two_way && other) {
            wm_diag *d = wm_error(s->diags, en->to.loc, "%s is produced twice, so the map cannot be written back",
                                  en->to.text);
            wm_hint(d, "make the mapping read-only with '<-', or map each value once");
            wm_note(d, other->to.loc, "also produced here");
        }
    }
    switch (m->otherwise) {
    case WM_ELSE_NULL:
        if (f->is_required)
            wm_error(s->diags, m->else_loc, "field '%s' is required; 'else null' cannot be stored", f->name);
        break;
    case WM_ELSE_DEFAULT:
        sema_check_literal(s, &m->else_value, f, "else value");
        break;
    case WM_ELSE_KEEP:
        sema_check_assign(s, line->expr, f);
        break;
    case WM_ELSE_REJECT:
        break;
    }
    if (line->is_two_way && m->has_else && m->otherwise != WM_ELSE_REJECT) {
        wm_diag *d = wm_error(s->diags, m->else_loc, "only 'else reject' can be written back");
        wm_hint(d, "a two-way map must know which value to write; use '<-' for a read-only mapping");
    }
    (void)is_adapter;
    if (f->type.kind == WM_T_ENUM && m->otherwise != WM_ELSE_KEEP) {
        for (size_t v = 0; v < f->type.n_enum_values; v++) {
            const char *value = f->type.enum_values[v];
            wm_literal as_name = { WM_L_NAME, value, false, m->loc };
            wm_literal as_string = { WM_L_STRING, value, false, m->loc };
            bool is_produced = (m->otherwise == WM_ELSE_DEFAULT && strcmp(m->else_value.text, value) == 0)
                               || wm_symtab_get(&outputs, literal_key(s->arena, &as_name))
                               || wm_symtab_get(&outputs, literal_key(s->arena, &as_string));
            if (!is_produced) {
                wm_diag *d = wm_warning(s->diags, m->loc, "enum value '%s' of field '%s' is never produced by this map",
                                        value, f->name);
                wm_hint(d, "add an entry for it, or ignore this if no source value means it");
            }
        }
    }
}

/* ---- one map or sync block --------------------------------------------- */

typedef struct {
    wm_tenant *tenant;
    wm_dialect dialect;         /* of the client's database: columns and tables */
    bool is_adapter;
} block_ctx;

static bool is_reversible(const ast_mapping_line *line)
{
    return line->expr->kind == WM_E_COLUMN;
}

/* What an adapter can compute in every dialect's SQL when it reads a
 * read-only field; NULL when e qualifies, else the part that does not. */
static const wm_expr *beyond_adapter_sql(const wm_expr *e)
{
    switch (e->kind) {
    case WM_E_COLUMN:
    case WM_E_LITERAL:
        return NULL;
    case WM_E_CALL:
        if (e->func != WM_FN_UPPER && e->func != WM_FN_LOWER && e->func != WM_FN_TRIM && e->func != WM_FN_COALESCE)
            return e;
        break;
    case WM_E_BINARY:
        if (e->op != WM_OP_CONCAT)
            return e;
        break;
    case WM_E_NEG: /* a negative number is a literal too */
        return e->args[0]->kind == WM_E_LITERAL && e->args[0]->lit.kind == WM_L_NUMBER ? NULL : e;
    }
    for (size_t i = 0; i < e->n_args; i++) {
        const wm_expr *bad = beyond_adapter_sql(e->args[i]);
        if (bad)
            return bad;
    }
    return NULL;
}

static void check_line(sema *s, const block_ctx *c, const ast_block *b, wm_entity *e,
                       const ast_mapping_line *line, wm_field *f, wm_field_map *out)
{
    out->field = f;
    out->expr = line->expr;
    out->value_map = line->value_map;
    out->loc = line->loc;
    if (!c->is_adapter && line->is_two_way) {
        wm_diag *d = wm_error(s->diags, line->arrow_loc, "a sync only reads: '<->' has nothing to write back");
        wm_hint(d, "write '%s <- ...'", f->name);
    }
    if (!c->is_adapter && f->is_auto) {
        wm_diag *d = wm_error(s->diags, line->field.loc, "field '%s' is set on every write ('auto'); it cannot be mapped",
                              f->name);
        wm_hint(d, "the agent maintains it; remove this line");
    }
    if (!c->is_adapter && f->is_soft_delete && b->deletes.text && strcmp(b->deletes.text, "soft") == 0) {
        wm_diag *d = wm_error(s->diags, line->field.loc, "field '%s' is set by 'deletes soft'; it cannot also be mapped",
                              f->name);
        wm_hint(d, "remove this line, or 'deletes soft'");
    }
    check_columns(s, c->dialect, line->expr);
    if (!sema_type_expr(s, line->expr))
        return;
    if (line->value_map)
        check_value_map(s, line, f, c->is_adapter);
    else
        sema_check_assign(s, line->expr, f);
    const wm_expr *bad = c->is_adapter && !line->is_two_way ? beyond_adapter_sql(line->expr) : NULL;
    if (bad) {
        wm_diag *d = wm_error(s->diags, bad->loc, "an adapter cannot read this transform from the client's table");
        wm_hint(d, "adapter mappings may use columns, literals, upper, lower, trim, coalesce and '||'; "
                   "an etl tenant's sync can use every transform");
    }
    if (c->is_adapter && line->is_two_way) {
        if (!is_reversible(line)) {
            wm_diag *d = wm_error(s->diags, line->expr->loc,
                                  "this mapping cannot be written back to the client's table");
            wm_hint(d, "only a plain column (with a one-to-one map) can be written; "
                       "write '%s <- ...' to map it read-only", f->name);
        } else {
            out->is_writable = true;
        }
    }
    (void)e;
}

static void check_coverage(sema *s, const block_ctx *c, const ast_block *b, wm_entity *e,
                           wm_field_map **by_field)
{
    for (size_t i = 0; i < e->n_fields; i++) {
        wm_field *f = e->fields[i];
        const wm_field_map *fm = by_field[i];
        bool is_needed = f->is_key || (f->is_required && !f->has_default && !f->is_auto);
        if (!fm && is_needed) {
            wm_diag *d = wm_error(s->diags, b->entity.loc, "%s field '%s' of entity '%s' is not mapped",
                                  f->is_key ? "key" : "required", f->name, e->name);
            wm_hint(d, "add a line '%s %s COLUMN'", f->name, c->is_adapter ? "<->" : "<-");
        } else if (!fm && !c->is_adapter && f->is_unique && f->has_default && !f->is_key) {
            /* every synced row would get the same value of a unique field:
             * the second row would break the constraint, and its batch fail */
            wm_diag *d = wm_error(s->diags, b->entity.loc,
                                  "unique field '%s' of entity '%s' is not mapped: every row would get its default, "
                                  "and the second one would break the unique constraint", f->name, e->name);
            wm_hint(d, "add a line '%s <- COLUMN'", f->name);
        } else if (fm && c->is_adapter && f->is_key && !fm->is_writable) {
            const ast_mapping_line *line = NULL;
            for (line = b->lines; line && strcmp(line->field.text, f->name) != 0; line = line->next)
                ;
            if (line && !line->is_two_way)
                wm_error(s->diags, line->arrow_loc, "the key field '%s' must be mapped both ways ('<->')",
                         f->name);
        }
    }
}

static void check_adapter_dialect(sema *s, const block_ctx *c, const ast_block *b, wm_entity *e)
{
    static const unsigned max_precision[] = {
        [WM_DIALECT_POSTGRES] = 1000, [WM_DIALECT_MYSQL] = 65,
        [WM_DIALECT_SQLSERVER] = 38, [WM_DIALECT_ORACLE] = 38,
    };
    for (size_t i = 0; i < e->n_fields; i++) {
        const wm_field *f = e->fields[i];
        if (f->type.kind == WM_T_DECIMAL && f->type.precision > max_precision[c->dialect]) {
            wm_diag *d = wm_error(s->diags, b->entity.loc, "%s cannot store %s field '%s': its precision is at most %u",
                                  wm_dialect_name(c->dialect), wm_type_display(s->arena, &f->type),
                                  f->name, max_precision[c->dialect]);
            wm_note(d, f->loc, "'%s' is declared here", f->name);
        }
        if (f->type.kind == WM_T_DECIMAL && c->dialect == WM_DIALECT_MYSQL && f->type.scale > 30) {
            wm_diag *d = wm_error(s->diags, b->entity.loc, "mysql cannot store %s field '%s': its scale is at most 30",
                                  wm_type_display(s->arena, &f->type), f->name);
            wm_note(d, f->loc, "'%s' is declared here", f->name);
        }
    }
}

static void check_incremental(sema *s, const block_ctx *c, const ast_incremental *ai, wm_incremental *out)
{
    out->kind = WM_INC_FULL;
    out->nulls = WM_NULLS_INCLUDE;
    if (!ai || ai->is_full) {
        if (ai)
            out->loc = ai->loc;
        return;
    }
    out->loc = ai->loc;
    out->watermark = ai->on;
    out->kind = ai->window ? WM_INC_WINDOW : WM_INC_WATERMARK;
    check_columns(s, c->dialect, ai->on);
    if (sema_type_expr(s, ai->on)) {
        /* the extract compares the watermark in the source's SQL (WHERE wm
         * >= the stored one, ORDER BY wm): it needs SQL every dialect has */
        const wm_expr *bad = beyond_adapter_sql(ai->on);
        if (bad) {
            wm_diag *d = wm_error(s->diags, bad->loc, "the source database cannot compute this watermark");
            wm_hint(d, "the extract reads the rows past the watermark in SQL; a watermark may use columns, "
                       "literals and coalesce (upper, lower, trim and '||' give text)");
        }
        wm_type_kind k = ai->on->type.kind;
        bool is_time = k == WM_T_ANY || k == WM_T_DATE || k == WM_T_TIMESTAMP;
        if (!is_time && !(out->kind == WM_INC_WATERMARK && wm_type_is_numeric(k)))
            wm_error(s->diags, ai->on->loc, "%s on %s: it needs %s", ai->window ? "a window" : "a watermark",
                     wm_type_kind_name(k), ai->window ? "a date or a timestamp" : "a number, a date or a timestamp");
    }
    if (ai->window && ai->lookback) {
        wm_diag *d = wm_error(s->diags, ai->lookback->keyword_loc, "a window cannot have a lookback");
        wm_hint(d, "a window re-reads its whole span every run; a lookback belongs to a watermark");
    }
    if (ai->window)
        to_seconds(s, ai->window, "a window", &out->window_seconds);
    if (ai->lookback)
        to_seconds(s, ai->lookback, "a lookback", &out->lookback_seconds);
    if (ai->nulls.text) {
        static const char *const policies[] = { "include", "reject" };
        int p;
        if (lookup(s, &ai->nulls, "nulls policy", policies, 2, &p))
            out->nulls = p == 0 ? WM_NULLS_INCLUDE : WM_NULLS_REJECT;
    }
}

static void check_block(sema *s, const block_ctx *c, const ast_block *b, wm_mapping *m)
{
    m->loc = b->entity.loc;
    m->table = b->table;
    check_table_name(s, c->dialect, &b->table);
    wm_entity *e = m->entity;
    wm_field_map **by_field = wm_arena_alloc(s->arena, (e->n_fields + 1) * sizeof *by_field);
    const ast_mapping_line **first_line = wm_arena_alloc(s->arena, (e->n_fields + 1) * sizeof *first_line);
    m->fields = wm_arena_alloc(s->arena, (e->n_fields + 1) * sizeof *m->fields);

    if (!c->is_adapter) {
        if (b->deletes.text) {
            static const char *const modes[] = { "soft", "none" };
            int k;
            if (lookup(s, &b->deletes, "deletes mode", modes, 2, &k) && k == 0) {
                m->deletes_soft = true;
                if (!e->soft_delete) {
                    wm_diag *d = wm_error(s->diags, b->deletes.loc, "'deletes soft' needs a soft_delete field in entity '%s'",
                                          e->name);
                    wm_hint(d, "add 'deleted_at timestamp soft_delete' to the entity");
                }
            }
        }
        if (b->on_error.text) {
            static const char *const policies[] = { "reject", "abort" };
            int k;
            if (lookup(s, &b->on_error, "error policy", policies, 2, &k))
                m->on_error = k == 0 ? WM_ON_ERROR_REJECT : WM_ON_ERROR_ABORT;
        }
        check_incremental(s, c, b->incremental, &m->incremental);
    } else {
        check_adapter_dialect(s, c, b, e);
    }

    wm_field_map *lines = wm_arena_alloc(s->arena, (e->n_fields + 1) * sizeof *lines);
    for (const ast_mapping_line *line = b->lines; line; line = line->next) {
        wm_field *f = sema_find_field(s, e, &line->field, "in");
        if (!f)
            continue;
        if (by_field[f->index]) {
            wm_diag *d = wm_error(s->diags, line->field.loc, "field '%s' is mapped twice", f->name);
            wm_note(d, first_line[f->index]->field.loc, "first mapped here");
            continue;
        }
        by_field[f->index] = &lines[f->index];
        first_line[f->index] = line;
        check_line(s, c, b, e, line, f, &lines[f->index]);
    }
    check_coverage(s, c, b, e, by_field);

    /* Two writable fields on one column would fight over it. */
    for (size_t i = 0; i < e->n_fields; i++) {
        if (!by_field[i] || !by_field[i]->is_writable)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (by_field[j] && by_field[j]->is_writable
                && strcmp(by_field[j]->expr->name, by_field[i]->expr->name) == 0) {
                wm_diag *d = wm_error(s->diags, by_field[i]->expr->loc, "column '%s' is written by fields '%s' and '%s'",
                                      by_field[i]->expr->name, by_field[j]->field->name, by_field[i]->field->name);
                wm_hint(d, "map one of them read-only with '<-'");
            }
        }
    }
    for (size_t i = 0; i < e->n_fields; i++)
        if (by_field[i])
            m->fields[m->n_fields++] = *by_field[i];
}

/* ---- the tenant --------------------------------------------------------- */

static void misplaced(sema *s, wm_loc loc, const char *what, const char *belongs, const wm_tenant *t)
{
    wm_error(s->diags, loc, "%s belongs to %s tenants; tenant '%s' is %s", what, belongs, t->name,
             wm_strategy_name(t->strategy));
}

wm_tenant *sema_tenant(sema *s, const ast_tenant *at)
{
    wm_tenant *t = wm_arena_alloc(s->arena, sizeof *t);
    t->name = at->name.text;
    t->loc = at->name.loc;
    t->interval_seconds = 15 * 60;
    sema_check_c_name(s, &at->name, "tenant");

    int k;
    if (!at->strategy.text) {
        wm_diag *d = wm_error(s->diags, at->name.loc, "tenant '%s' has no strategy", t->name);
        wm_hint(d, "add 'strategy native', 'strategy adapter' or 'strategy etl'");
        return t;
    }
    if (!lookup(s, &at->strategy, "strategy", strategy_words, 3, &k))
        return t;
    t->strategy = (wm_strategy)k;
    bool is_etl = t->strategy == WM_STRATEGY_ETL;

    if (at->database) {
        if (is_etl)
            misplaced(s, at->database->keyword_loc, "'database'", "native and adapter", t);
        else
            resolve_conn(s, at->database, &t->database);
    } else if (!is_etl) {
        wm_diag *d = wm_error(s->diags, at->name.loc, "%s tenant '%s' has no database",
                              t->strategy == WM_STRATEGY_NATIVE ? "native" : "adapter", t->name);
        wm_hint(d, "add 'database %s dsn env VAR'", t->strategy == WM_STRATEGY_NATIVE ? "postgres" : "TYPE");
    }
    if (t->strategy == WM_STRATEGY_NATIVE && t->database.is_set && t->database.dialect != WM_DIALECT_POSTGRES) {
        wm_diag *d = wm_error(s->diags, at->database->dialect.loc, "a native tenant runs on postgres, not %s",
                              wm_dialect_name(t->database.dialect));
        wm_hint(d, "to use the client's own %s tables, write 'strategy adapter'",
                wm_dialect_name(t->database.dialect));
    }
    const ast_conn *ends[] = { at->source, at->target };
    wm_conn *outs[] = { &t->source, &t->target };
    const char *end_names[] = { "source", "target" };
    for (int i = 0; i < 2; i++) {
        if (ends[i] && !is_etl)
            misplaced(s, ends[i]->keyword_loc, i ? "'target'" : "'source'", "etl", t);
        else if (ends[i])
            resolve_conn(s, ends[i], outs[i]);
        else if (is_etl) {
            wm_diag *d = wm_error(s->diags, at->name.loc, "etl tenant '%s' has no %s", t->name, end_names[i]);
            wm_hint(d, i ? "add 'target postgres dsn env VAR'" : "add 'source TYPE dsn env VAR'");
        }
    }
    if (t->target.is_set && t->target.dialect != WM_DIALECT_POSTGRES) {
        wm_diag *d = wm_error(s->diags, at->target->dialect.loc,
                              "the target of an etl tenant is its WellOS postgres, not %s",
                              wm_dialect_name(t->target.dialect));
        wm_hint(d, "write 'target postgres dsn env VAR'");
    }
    if (at->every) {
        if (!is_etl)
            misplaced(s, at->every->keyword_loc, "'every'", "etl", t);
        else
            to_seconds(s, at->every, "the interval", &t->interval_seconds);
    }

    size_t n = 0;
    for (const ast_block *b = at->blocks; b; b = b->next)
        n++;
    t->mappings = wm_arena_alloc(s->arena, (n ? n : 1) * sizeof *t->mappings);
    wm_symtab seen = { 0 };
    for (const ast_block *b = at->blocks; b; b = b->next) {
        if (b->is_sync && !is_etl) {
            wm_diag *d = wm_error(s->diags, b->entity.loc, "'sync' belongs to etl tenants; tenant '%s' is %s",
                                  t->name, wm_strategy_name(t->strategy));
            if (t->strategy == WM_STRATEGY_ADAPTER)
                wm_hint(d, "an adapter maps tables with 'map %s to TABLE { ... }'", b->entity.text);
            continue;
        }
        if (!b->is_sync && t->strategy != WM_STRATEGY_ADAPTER) {
            wm_diag *d = wm_error(s->diags, b->entity.loc, "'map' belongs to adapter tenants; tenant '%s' is %s",
                                  t->name, wm_strategy_name(t->strategy));
            if (is_etl)
                wm_hint(d, "an etl tenant reads tables with 'sync %s from TABLE { ... }'", b->entity.text);
            continue;
        }
        wm_entity *e = sema_find_entity(s, &b->entity, "");
        if (!e)
            continue;
        const ast_block *first = wm_symtab_put(s->arena, &seen, e->name, (void *)b);
        if (first) {
            wm_diag *d = wm_error(s->diags, b->entity.loc, "entity '%s' is mapped twice in tenant '%s'",
                                  e->name, t->name);
            wm_note(d, first->entity.loc, "first mapped here");
            continue;
        }
        block_ctx c = { t, is_etl ? t->source.dialect : t->database.dialect, !is_etl };
        wm_mapping *m = &t->mappings[t->n_mappings++];
        m->entity = e;
        check_block(s, &c, b, m);
    }
    return t;
}
