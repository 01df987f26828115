/* schema_check.c - `check --schema`: a tenant's mappings against a snapshot
 * of its own database.  Every source table and column must exist, and a
 * column's type must convert where the spec uses it.  The checks follow
 * what the agent does with a source value at run time (a datetime into a
 * date field is its day; see grammar/README.md), so a spec that works is
 * never refused; where a value may still be rejected row by row (a longer
 * text), the check warns. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "schema.h"
#include "types.h"

typedef struct {
    const wm_schema *s;
    wm_arena *a;
    wm_diags *d;
    const wm_schema_table *table;   /* the current mapping's; NULL: not found */
    const char *table_text;         /* as the spec wrote it, for messages */
} checker;

static bool same(const char *a, const char *b, bool is_exact)
{
    return a && b && (is_exact ? strcmp(a, b) == 0 : strcasecmp(a, b) == 0);
}

/* ---- tables ---------------------------------------------------------------- */

static const wm_schema_table *find_in(const checker *c, const char *schema, const char *name)
{
    const wm_schema *s = c->s;
    for (size_t i = 0; i < s->n_tables; i++) {
        const wm_schema_table *t = &s->tables[i];
        if (same(t->name, name, s->is_table_case_exact)
            && (!schema || !t->schema || same(t->schema, schema, s->is_table_case_exact)))
            return t;   /* a table recorded without its schema matches in any */
    }
    return NULL;
}

static const char *table_text(wm_arena *a, const wm_table_name *t)
{
    const char *out = "";
    for (size_t i = 0; i < t->n_parts; i++)
        out = wm_arena_printf(a, "%s%s%s", out, i ? "." : "", t->parts[i]);
    return out;
}

static void unknown_table(checker *c, const wm_table_name *tn, const char *schema, const char *name)
{
    const wm_schema *s = c->s;
    wm_diag *d = wm_error(c->d, tn->loc, "no table '%s' in the schema snapshot of tenant %s", c->table_text,
                          s->tenant);
    /* The closest name in the same schema; else the same name elsewhere. */
    const char **names = wm_arena_alloc(c->a, (s->n_tables + 1) * sizeof *names);
    size_t n = 0;
    const wm_schema_table *elsewhere = NULL;
    for (size_t i = 0; i < s->n_tables; i++) {
        const wm_schema_table *t = &s->tables[i];
        if (!schema || same(t->schema, schema, s->is_table_case_exact))
            names[n++] = t->name;
        else if (!elsewhere && same(t->name, name, s->is_table_case_exact))
            elsewhere = t;
    }
    const char *guess = wm_closest(name, names, n);
    if (guess && strcasecmp(guess, name) == 0)
        wm_hint(d, "table names are case-sensitive in this database: did you mean '%s'?", guess);
    else if (guess)
        wm_hint(d, "did you mean '%s'?", guess);
    else if (elsewhere && elsewhere->schema)
        wm_hint(d, "there is one in schema '%s': write %s.%s", elsewhere->schema, elsewhere->schema,
                elsewhere->name);
    wm_note(d, (wm_loc){ 0 }, "the snapshot is %s", s->path);
}

/* The snapshot's table a mapping reads, or NULL (reported). */
static const wm_schema_table *find_table(checker *c, const wm_table_name *tn)
{
    const wm_schema *s = c->s;
    const char *name = tn->parts[tn->n_parts - 1];
    const char *schema = tn->n_parts >= 2 ? tn->parts[tn->n_parts - 2] : s->default_schema;
    if (tn->n_parts == 3 && s->database && !same(tn->parts[0], s->database, s->is_table_case_exact)) {
        wm_diag *d = wm_error(c->d, tn->loc, "table '%s' is in database '%s'; the snapshot of tenant %s is of '%s'",
                              c->table_text, tn->parts[0], s->tenant, s->database);
        wm_note(d, (wm_loc){ 0 }, "the snapshot is %s", s->path);
        return NULL;
    }
    const wm_schema_table *t = find_in(c, schema, name);
    if (!t)
        unknown_table(c, tn, schema, name);
    return t;
}

/* ---- columns ---------------------------------------------------------------- */

static const char *join_names(wm_arena *a, const char **names, size_t n)
{
    const char *out = "";
    for (size_t i = 0; i < n; i++)
        out = wm_arena_printf(a, "%s%s%s", out, i ? ", " : "", names[i]);
    return out;
}

static const wm_schema_column *column_named(const checker *c, const char *name)
{
    for (size_t i = 0; i < c->table->n_columns; i++)
        if (same(c->table->columns[i].name, name, c->s->is_column_case_exact))
            return &c->table->columns[i];
    return NULL;
}

/* The current table's column e names, or NULL (reported). */
static const wm_schema_column *find_column(checker *c, const wm_expr *e)
{
    const wm_schema_table *t = c->table;
    const wm_schema_column *col = column_named(c, e->name);
    if (col)
        return col;
    wm_diag *d = wm_error(c->d, e->loc, "no column '%s' in table '%s'", e->name, c->table_text);
    const char **names = wm_arena_alloc(c->a, t->n_columns * sizeof *names);
    for (size_t i = 0; i < t->n_columns; i++)
        names[i] = t->columns[i].name;
    const char *guess = wm_closest(e->name, names, t->n_columns);
    if (guess && strcasecmp(guess, e->name) == 0)
        wm_hint(d, "column names are case-sensitive in this database: did you mean '%s'?", guess);
    else if (guess)
        wm_hint(d, "did you mean '%s'?", guess);
    else if (t->n_columns <= 12)
        wm_hint(d, "its columns: %s", join_names(c->a, names, t->n_columns));
    return NULL;
}

static const char *column_desc(checker *c, const wm_schema_column *col)
{
    return wm_arena_printf(c->a, "column '%s' is %s", col->name, col->sql_type);
}

/* A column's value stored in field f as it is (the whole expression, an
 * argument of coalesce, what `else keep` keeps). */
static bool check_stored(checker *c, const wm_expr *e, const wm_schema_column *col, const wm_field *f)
{
    const wm_type *from = &col->type, *to = &f->type;
    if (from->kind == WM_T_ANY || to->kind == WM_T_ANY)
        return true;
    wm_conversion conv = wm_convert(from, to);
    if (from->kind == WM_T_TIMESTAMP && to->kind == WM_T_DATE)
        conv = WM_CONV_OK;  /* the agent stores the timestamp's day (UTC) */
    const char *to_text = wm_type_display(c->a, to);
    wm_diag *d = NULL;
    switch (conv) {
    case WM_CONV_OK:
        break;
    case WM_CONV_NEEDS_PARSE_NUMBER:
        d = wm_error(c->d, e->loc, "cannot store text in %s field '%s'; %s", to_text, f->name, column_desc(c, col));
        wm_hint(d, "parse it: parse_number(%s)", e->name);
        return false;
    case WM_CONV_NEEDS_PARSE_DATE:
    case WM_CONV_NEEDS_PARSE_TIMESTAMP:
        d = wm_error(c->d, e->loc, "cannot store text in %s field '%s'; %s", to_text, f->name, column_desc(c, col));
        wm_hint(d, "parse it: %s(%s, \"%s\")", conv == WM_CONV_NEEDS_PARSE_DATE ? "parse_date" : "parse_timestamp",
                e->name, conv == WM_CONV_NEEDS_PARSE_DATE ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S");
        return false;
    case WM_CONV_NEVER:
        wm_error(c->d, e->loc, "cannot convert %s to %s for field '%s'; %s", wm_type_display(c->a, from), to_text,
                 f->name, column_desc(c, col));
        return false;
    }
    /* Converts; but where the column is declared wider than the field, some
     * values may not fit, and are rejected row by row.  (An unbounded text
     * column is the usual kind on PostgreSQL: no warning.) */
    if (to->kind == WM_T_TEXT && to->length && from->kind == WM_T_TEXT && from->length > to->length) {
        d = wm_warning(c->d, e->loc, "%s, longer than field '%s' (%s): a longer value is rejected", column_desc(c, col),
                       f->name, to_text);
    } else if (to->kind == WM_T_DECIMAL && to->precision && from->kind == WM_T_DECIMAL && from->precision
               && from->precision - from->scale > to->precision - to->scale) {
        d = wm_warning(c->d, e->loc, "%s, with more digits before the point than field '%s' (%s): a larger value "
                                     "is rejected", column_desc(c, col), f->name, to_text);
    } else if (to->kind == WM_T_INT && (from->kind == WM_T_BIGINT || from->kind == WM_T_DECIMAL)) {
        d = wm_warning(c->d, e->loc, "%s, wider than field '%s' (int): a value out of its range is rejected",
                       column_desc(c, col), f->name);
    }
    return true;
}

/* An adapter's `<->` line also writes the field back into the column
 * (through a two-way map, the map's own values: not checked here). */
static void check_written_back(checker *c, const wm_field_map *fm)
{
    const wm_expr *e = fm->expr;
    if (!fm->is_writable || fm->value_map || e->kind != WM_E_COLUMN)
        return;
    const wm_schema_column *col = column_named(c, e->name);   /* found: its read was checked */
    const wm_field *f = fm->field;
    if (!col || col->type.kind == WM_T_ANY || f->type.kind == WM_T_ANY)
        return;
    const char *from = wm_type_display(c->a, &f->type);
    switch (wm_convert(&f->type, &col->type)) {
    case WM_CONV_OK: {
        size_t longest = f->type.kind == WM_T_TEXT ? (f->type.length ? f->type.length : SIZE_MAX) : 0;
        for (size_t i = 0; f->type.kind == WM_T_ENUM && i < f->type.n_enum_values; i++)
            if (strlen(f->type.enum_values[i]) > longest)
                longest = strlen(f->type.enum_values[i]);
        if (col->type.kind == WM_T_TEXT && col->type.length && longest > col->type.length)
            wm_warning(c->d, e->loc, "field '%s' (%s) is written back to column '%s' (%s): a longer value fails "
                                     "the write", f->name, from, col->name, col->sql_type);
        return;
    }
    case WM_CONV_NEEDS_PARSE_NUMBER:
    case WM_CONV_NEEDS_PARSE_DATE:
    case WM_CONV_NEEDS_PARSE_TIMESTAMP:
        wm_warning(c->d, e->loc, "field '%s' (%s) is written back to column '%s' (%s): the database parses it, "
                                 "and fails a value it cannot read", f->name, from, col->name, col->sql_type);
        return;
    case WM_CONV_NEVER:
        wm_error(c->d, e->loc, "field '%s' (%s) cannot be written back to column '%s' (%s)", f->name, from,
                 col->name, col->sql_type);
        return;
    }
}

/* False when something was reported. */
static bool check_reaching(checker *c, const wm_expr *e, const wm_field *f)
{
    bool ok = true;
    if (e->kind == WM_E_COLUMN) {
        const wm_schema_column *col = find_column(c, e);
        ok = col && check_stored(c, e, col, f);
    } else if (e->kind == WM_E_CALL && e->func == WM_FN_COALESCE) {
        for (size_t i = 0; i < e->n_args; i++)
            ok &= check_reaching(c, e->args[i], f);
    }
    return ok;
}

/* Every column of e exists; a column used as a number or parsed is of a
 * type that can be.  (Columns that reach the field were checked already.) */
static void check_uses(checker *c, const wm_expr *e, const wm_expr *parent, bool is_reaching)
{
    if (e->kind == WM_E_COLUMN) {
        if (is_reaching)
            return;
        const wm_schema_column *col = find_column(c, e);
        if (!col || col->type.kind == WM_T_ANY || !parent)
            return;
        wm_type_kind k = col->type.kind;
        if (parent->kind == WM_E_NEG || (parent->kind == WM_E_BINARY && parent->op != WM_OP_CONCAT)) {
            if (!wm_type_is_numeric(k)) {
                wm_diag *d = wm_error(c->d, e->loc, "arithmetic needs numbers; %s", column_desc(c, col));
                if (k == WM_T_TEXT)
                    wm_hint(d, "parse it: parse_number(%s)", e->name);
            }
        } else if (parent->kind == WM_E_CALL && parent->args[0] == e
                   && (parent->func == WM_FN_PARSE_DATE || parent->func == WM_FN_PARSE_TIMESTAMP
                       || parent->func == WM_FN_PARSE_NUMBER)) {
            bool is_harmless = parent->func == WM_FN_PARSE_NUMBER && wm_type_is_numeric(k);
            if (k != WM_T_TEXT && !is_harmless) {
                wm_diag *d = wm_error(c->d, e->loc, "%s() parses text; %s", parent->name, column_desc(c, col));
                if ((k == WM_T_DATE || k == WM_T_TIMESTAMP) && parent->func != WM_FN_PARSE_NUMBER)
                    wm_hint(d, "a %s column needs no parsing: map it directly", wm_type_kind_name(k));
            }
        }
        return;
    }
    bool is_coalesce = e->kind == WM_E_CALL && e->func == WM_FN_COALESCE;
    for (size_t i = 0; i < e->n_args; i++)
        check_uses(c, e->args[i], e, is_reaching && is_coalesce);
}

static void check_incremental(checker *c, const wm_incremental *inc)
{
    const wm_expr *e = inc->watermark;
    if (!e)
        return;
    if (e->kind != WM_E_COLUMN) {
        check_uses(c, e, NULL, false);
        return;
    }
    const wm_schema_column *col = find_column(c, e);
    if (!col || col->type.kind == WM_T_ANY)
        return;
    wm_type_kind k = col->type.kind;
    if (inc->kind == WM_INC_WINDOW && k != WM_T_DATE && k != WM_T_TIMESTAMP) {
        wm_diag *d = wm_error(c->d, e->loc, "a window needs a date or timestamp column; %s", column_desc(c, col));
        if (k == WM_T_TEXT)
            wm_hint(d, "the window is compared in the client's database, where text compares as text");
    } else if (inc->kind == WM_INC_WATERMARK && !wm_type_is_numeric(k) && k != WM_T_DATE && k != WM_T_TIMESTAMP) {
        if (k == WM_T_TEXT)
            wm_warning(c->d, e->loc, "a text watermark is compared as text, in the client's collation; %s", column_desc(c, col));
        else
            wm_error(c->d, e->loc, "a watermark needs a column that grows (a number, a date or a timestamp); %s",
                     column_desc(c, col));
    }
}

static void check_mapping(checker *c, const wm_mapping *m)
{
    c->table_text = table_text(c->a, &m->table);
    c->table = find_table(c, &m->table);
    if (!c->table)
        return;
    for (size_t i = 0; i < m->n_fields; i++) {
        const wm_field_map *fm = &m->fields[i];
        if (!fm->field || !fm->expr)
            continue;
        bool is_kept = !fm->value_map || fm->value_map->otherwise == WM_ELSE_KEEP;
        bool is_read_ok = !is_kept || check_reaching(c, fm->expr, fm->field);
        check_uses(c, fm->expr, NULL, is_kept);
        if (is_read_ok)
            check_written_back(c, fm);  /* once a column is wrong one way, once is enough */
    }
    check_incremental(c, &m->incremental);
}

int wm_schema_check(const wm_schema *s, const wm_model *m, wm_arena *a, wm_diags *diags)
{
    int before = diags->errors;
    const wm_tenant *t = NULL;
    for (size_t i = 0; i < m->n_tenants && !t; i++)
        if (strcmp(m->tenants[i]->name, s->tenant) == 0)
            t = m->tenants[i];
    if (!t) {
        wm_diag *d = wm_error(diags, (wm_loc){ 0 }, "the schema snapshot %s is of tenant %s, which these specs do not define",
                              s->path, s->tenant);
        const char **names = wm_arena_alloc(a, (m->n_tenants + 1) * sizeof *names);
        for (size_t i = 0; i < m->n_tenants; i++)
            names[i] = m->tenants[i]->name;
        const char *guess = wm_closest(s->tenant, names, m->n_tenants);
        if (guess)
            wm_hint(d, "did you mean '%s'? (the snapshot says whose it is: its \"tenant\")", guess);
        return diags->errors - before;
    }
    const wm_conn *own = t->strategy == WM_STRATEGY_ETL ? &t->source : &t->database;
    if (t->strategy == WM_STRATEGY_NATIVE) {
        wm_diag *d = wm_error(diags, t->loc, "tenant %s is native: it has no tables of its own to check against %s",
                              t->name, s->path);
        wm_hint(d, "a snapshot is of an adapter tenant's database or an etl tenant's source");
        return diags->errors - before;
    }
    if (own->dialect != s->dialect) {
        wm_error(diags, own->loc, "tenant %s's %s is %s, but the schema snapshot %s is of a %s database", t->name,
                 t->strategy == WM_STRATEGY_ETL ? "source" : "database", wm_dialect_name(own->dialect), s->path,
                 wm_dialect_name(s->dialect));
        return diags->errors - before;
    }
    checker c = { .s = s, .a = a, .d = diags };
    for (size_t i = 0; i < t->n_mappings; i++)
        check_mapping(&c, &t->mappings[i]);
    return diags->errors - before;
}
