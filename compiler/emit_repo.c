/* emit_repo.c - one repository implementation: an entity in a tenant's
 * store, in that store's dialect.  The C is the same for every dialect;
 * the statements come from sql_build.c.  Value maps of adapter tenants
 * become small text-to-text functions, applied on every read and write. */
#include <string.h>

#include "ctypes.h"
#include "emit.h"
#include "names.h"
#include "sql_build.h"

typedef struct gen {
    const wm_emit_ctx *cx;
    wm_printer *p;
    wm_arena *a;
    const wm_store *s;
    const wm_sql_ops *ops;
    wm_cnames n;
    const char *prefix;         /* wos_<tenant>_<entity> */
    const char *who;            /* "tenant permian_ops" */
} gen;

static const char *loc_text(wm_arena *a, wm_loc l)
{
    return wm_arena_printf(a, "%s:%u", l.src ? wm_comment_text(a, l.src->path) : "?", (unsigned)l.line);
}

static const char *dialect_const(wm_dialect d)
{
    static const char *const names[] = { "WR_POSTGRES", "WR_MYSQL", "WR_SQLSERVER", "WR_ORACLE" };
    return names[d];
}

static const char *stmt_const(gen *g, const wm_sql_stmt *st)
{
    return wm_c_upper(g->a, st->op);
}

/* A long SQL statement as adjacent C literals: a new line before each
 * clause, and long lists wrapped after a comma. */
void wm_emit_sql_literal(wm_printer *p, wm_arena *a, const char *sql)
{
    static const char *const breaks[] = { " FROM ", " WHERE ", " ORDER BY ", " LIMIT ", " OFFSET ", " ON CONFLICT ",
                                          " ON DUPLICATE KEY UPDATE ", " VALUES ", " WHEN ", " IF @@", " COMMIT",
                                          " AND (", " DO UPDATE SET ", " UPDATE ", " SET ", " RETURNING ",
                                          " INSERT INTO ", " SELECT DISTINCT " };
    enum { WIDTH = 88 };
    const char *s = sql;
    bool is_first = true;
    while (*s) {
        const char *cut = NULL;
        for (size_t i = 0; i < sizeof breaks / sizeof *breaks; i++) {
            const char *hit = strstr(s + 1, breaks[i]);
            /* "ON DUPLICATE KEY UPDATE" and "DO UPDATE SET" stay whole */
            if (hit && strcmp(breaks[i], " UPDATE ") == 0 && hit >= sql + 3
                && (strncmp(hit - 3, "KEY", 3) == 0 || strncmp(hit - 2, "DO", 2) == 0))
                continue;
            if (hit && strcmp(breaks[i], " SET ") == 0 && hit >= sql + 6 && strncmp(hit - 6, "UPDATE", 6) == 0)
                continue;
            if (hit && (!cut || hit < cut))
                cut = hit;
        }
        size_t len = cut ? (size_t)(cut - s) : strlen(s);
        if (len > WIDTH) { /* wrap after the last ", " that fits */
            size_t best = 0;
            for (size_t i = 1; i < WIDTH; i++)
                if (s[i] == ',' && s[i + 1] == ' ')
                    best = i + 2;
            if (best)
                len = best;
        }
        char *piece = wm_arena_strndup(a, s, len);
        wm_print(p, is_first ? "$s$" : "\n       $s$", "s", wm_c_string(a, piece), NULL);
        is_first = false;
        s += len;
    }
}

static void emit_statements(gen *g)
{
    wm_printer *p = g->p;
    wm_print(p, "\nenum {", NULL);
    for (size_t i = 0; i < g->ops->n; i++)
        wm_print(p, " $c$,", "c", stmt_const(g, &g->ops->stmts[i]), NULL);
    wm_print(p, " N_STATEMENTS };\n", NULL);
    for (size_t i = 0; i < g->ops->n; i++) {
        const wm_sql_stmt *st = &g->ops->stmts[i];
        if (!st->param_order)
            continue;
        const char *list = "";
        for (int k = 0; k < st->n_placeholders; k++)
            list = wm_arena_printf(g->a, "%s%s%d", list, k ? ", " : "", st->param_order[k]);
        wm_print(p, "static const int $op$_order[] = { $l$ };\n", "op", st->op, "l", list, NULL);
    }
    wm_print(p, "\nstatic const wr_stmt statements[N_STATEMENTS] = {\n", NULL);
    wm_indent(p);
    for (size_t i = 0; i < g->ops->n; i++) {
        const wm_sql_stmt *st = &g->ops->stmts[i];
        wm_print(p, "[$c$] = {\n", "c", stmt_const(g, st), NULL);
        wm_indent(p);
        wm_print(p, ".name = $n$,\n", "n", wm_c_string(g->a, wm_arena_printf(g->a, "%s: %s.%s", g->who,
                                                                             g->s->entity->name, st->op)), NULL);
        if (st->sql) {
            wm_print(p, ".sql = ", NULL);
            wm_emit_sql_literal(g->p, g->a, st->sql);
            wm_print(p, ",\n.n_placeholders = $n$,\n", "n", wm_arena_printf(g->a, "%d", st->n_placeholders), NULL);
            if (st->param_order)
                wm_print(p, ".param_order = $op$_order,\n", "op", st->op, NULL);
            if (st->param_decl)
                wm_print(p, ".param_decl = $d$,\n", "d", wm_c_string(g->a, st->param_decl), NULL);
            if (st->param_kinds)
                wm_print(p, ".param_kinds = $k$,\n", "k", wm_c_string(g->a, st->param_kinds), NULL);
        } else {
            wm_print(p, ".sql = NULL, /* this tenant cannot look rows up by it */\n", NULL);
        }
        wm_outdent(p);
        wm_print(p, "},\n", NULL);
    }
    wm_outdent(p);
    wm_print(p, "};\n", NULL);
}

/* ---- value maps --------------------------------------------------------- */

static const char *literal_text(const wm_literal *l)
{
    return l->kind == WM_L_NULL ? NULL : l->text;
}

static void emit_value_map(gen *g, const wm_store_col *c)
{
    wm_arena *a = g->a;
    const wm_value_map *m = c->map;
    const char *f = c->field->name;
    wm_print(g->p, "\n/* $loc$  $f$: the client's values to ours; -1 when none matches */\n"
                   "static int $f$_from_source(const char *raw, const char **out)\n{\n",
             "loc", loc_text(a, m->loc), "f", f, NULL);
    wm_indent(g->p);
    for (size_t i = 0; i < m->n_entries; i++) {
        const wm_map_entry *e = &m->entries[i];
        const char *to = literal_text(&e->to);
        const char *value = to ? wm_c_string(a, to) : "NULL";
        if (e->from.kind == WM_L_NULL)
            wm_print(g->p, "if (!raw) {\n", NULL);
        else if (e->from.kind == WM_L_NUMBER)
            wm_print(g->p, "if (raw && wr_numeric_text_equal(raw, $k$)) {\n", "k", wm_c_string(a, e->from.text), NULL);
        else
            wm_print(g->p, "if (raw && strcmp(raw, $k$) == 0) {\n", "k", wm_c_string(a, e->from.text), NULL);
        wm_print(g->p, "    *out = $v$;\n    return 0;\n}\n", "v", value, NULL);
    }
    switch (m->otherwise) {
    case WM_ELSE_KEEP: wm_print(g->p, "*out = raw; /* else keep */\nreturn 0;\n", NULL); break;
    case WM_ELSE_NULL: wm_print(g->p, "*out = NULL; /* else null */\nreturn 0;\n", NULL); break;
    case WM_ELSE_DEFAULT:
        wm_print(g->p, "*out = $v$; /* else */\nreturn 0;\n", "v", wm_c_string(a, m->else_value.text), NULL);
        break;
    case WM_ELSE_REJECT: wm_print(g->p, "return -1;\n", NULL); break;
    }
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);
    if (!c->is_writable)
        return;
    wm_print(g->p, "\n/* $f$: our values to the client's (the map is one-to-one); NULL when none */\n"
                   "static const char *$f$_to_source(const char *value)\n{\n", "f", f, NULL);
    wm_indent(g->p);
    for (size_t i = 0; i < m->n_entries; i++) {
        const wm_map_entry *e = &m->entries[i];
        if (e->to.kind == WM_L_NULL || e->from.kind == WM_L_NULL)
            continue;
        wm_print(g->p, "if (strcmp(value, $v$) == 0)\n    return $k$;\n", "v", wm_c_string(a, e->to.text),
                 "k", wm_c_string(a, e->from.text), NULL);
    }
    wm_print(g->p, "return NULL;\n", NULL);
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);
}

/* ---- reading a row -------------------------------------------------------- */

static const char *opt_prefix(const wm_field *f) { return wm_field_is_optional(f) ? "opt_" : ""; }

static const char *getter(gen *g, const wm_field *f, const char *row, int col, const char *dest)
{
    wm_arena *a = g->a;
    const char *col_s = wm_arena_printf(a, "%d", col);
    switch (f->type.kind) {
    case WM_T_TEXT:
    case WM_T_JSON:
        return wm_arena_printf(a, "wr_get_text(%s, %s, \"%s\", mem, &%s, err)", row, col_s, f->name, dest);
    case WM_T_DECIMAL:
        return wm_arena_printf(a, "wr_get_%sdecimal(%s, %s, \"%s\", %u, %u, &%s, err)", opt_prefix(f), row, col_s,
                               f->name, (unsigned)(f->type.precision ? f->type.precision : 38),
                               (unsigned)(f->type.precision ? f->type.scale : 10), dest);
    default: {
        const char *kind = f->type.kind == WM_T_UUID ? "uuid" : f->type.kind == WM_T_INT ? "int"
                         : f->type.kind == WM_T_BIGINT ? "bigint" : f->type.kind == WM_T_FLOAT ? "float"
                         : f->type.kind == WM_T_BOOL ? "bool" : f->type.kind == WM_T_DATE ? "date" : "timestamp";
        return wm_arena_printf(a, "wr_get_%s%s(%s, %s, \"%s\", &%s, err)", opt_prefix(f), kind, row, col_s, f->name, dest);
    }
    }
}

static void emit_read_enum(gen *g, const wm_field *f, const char *text)
{
    const char *t = wm_enum_ctype(g->a, f);
    if (wm_field_is_optional(f))
        wm_print(g->p, "out->$f$.is_set = $x$ != NULL;\n"
                       "if ($x$ && $t$_from_string($x$, &out->$f$.value) < 0)\n"
                       "    return wr_error(err, WR_EDATA, \"$f$: '%s' is not a value of the enum\", $x$);\n",
                 "f", f->name, "x", text, "t", t, "who", g->who, NULL);
    else
        wm_print(g->p, "if (!$x$ || $t$_from_string($x$, &out->$f$) < 0)\n"
                       "    return wr_error(err, WR_EDATA, \"$f$: '%s' is not a value of the enum\",\n"
                       "                    $x$ ? $x$ : \"NULL\");\n",
                 "f", f->name, "x", text, "t", t, "who", g->who, NULL);
}

static void emit_read_row(gen *g)
{
    wm_printer *p = g->p;
    wm_print(p, "\n/* One row, columns in SELECT order, into *out; its text goes to mem. */\n"
                "static int read_row(const wr_row *row, $t$ *out, wr_arena *mem, wr_err *err)\n{\n"
                "    memset(out, 0, sizeof *out);\n", "t", g->n.type, NULL);
    wm_indent(p);
    bool needs_text = false, needs_mem = false;
    for (size_t i = 0; i < g->ops->n_select; i++) {
        const wm_store_col *c = g->ops->select[i];
        needs_text |= c->map != NULL || c->field->type.kind == WM_T_ENUM;
        needs_mem |= wm_field_is_pointer(c->field);
    }
    if (!needs_mem)
        wm_print(p, "(void)mem; /* no text field */\n", NULL);
    if (needs_text)
        wm_print(p, "const char *text;\n", NULL);
    for (size_t i = 0; i < g->ops->n_select; i++) {
        const wm_store_col *c = g->ops->select[i];
        const wm_field *f = c->field;
        const char *col = wm_arena_printf(g->a, "%zu", i);
        int colno = (int)i;
        const char *rowvar = "row";
        if (c->map) {
            wm_print(p, "text = row->values[$i$];\n"
                        "if ($f$_from_source(text, &text) < 0)\n"
                        "    return wr_error(err, WR_EDATA, \"$f$: the map has no entry for '%s'\",\n"
                        "                    text ? text : \"NULL\");\n",
                     "i", col, "f", f->name, "who", g->who, NULL);
            if (f->type.kind != WM_T_ENUM) {
                wm_print(p, "{\n", NULL);
                wm_indent(p);
                wm_print(p, "const wr_row mapped = { 1, &text };\n", NULL);
                rowvar = "&mapped";
                colno = 0;
            }
        } else if (f->type.kind == WM_T_ENUM) {
            wm_print(p, "text = row->values[$i$];\n", "i", col, NULL);
        }
        if (f->type.kind == WM_T_ENUM) {
            emit_read_enum(g, f, "text");
            continue;
        }
        const char *dest = wm_arena_printf(g->a, "out->%s", f->name);
        wm_print(p, "if ($get$ < 0)\n    return WR_EDATA;\n", "get", getter(g, f, rowvar, colno, dest), NULL);
        if (c->map) {
            wm_outdent(p);
            wm_print(p, "}\n", NULL);
        }
    }
    wm_print(p, "return 0;\n", NULL);
    wm_outdent(p);
    wm_print(p, "}\n", NULL);
}

/* ---- binding parameters ---------------------------------------------------- */

static const char *param_kind(const wm_field *f)
{
    switch (f->type.kind) {
    case WM_T_UUID: return "uuid";
    case WM_T_INT: return "int";
    case WM_T_BIGINT: return "bigint";
    case WM_T_FLOAT: return "float";
    case WM_T_DECIMAL: return "decimal";
    case WM_T_BOOL: return "bool";
    case WM_T_DATE: return "date";
    case WM_T_TIMESTAMP: return "timestamp";
    default: return "text";
    }
}

/* wr_param_* of a value into params `target`.  `value` has the member's
 * type (opt or not), or the plain value type when is_plain. */
static void emit_param(gen *g, const wm_field *f, const char *target, const char *value, bool is_plain)
{
    wm_arena *a = g->a;
    bool is_opt = !is_plain && wm_field_is_optional(f) && !wm_field_is_pointer(f);
    if (f->type.kind == WM_T_ENUM) {
        const char *t = wm_enum_ctype(a, f);
        if (is_opt)
            wm_print(g->p, "wr_param_text($p$, $v$.is_set ? $t$_to_string($v$.value) : NULL);\n", "p", target,
                     "v", value, "t", t, NULL);
        else
            wm_print(g->p, "wr_param_text($p$, $t$_to_string($v$));\n", "p", target, "v", value, "t", t, NULL);
        return;
    }
    if (wm_field_is_pointer(f)) {
        wm_print(g->p, "wr_param_text($p$, $v$);\n", "p", target, "v", value, NULL);
        return;
    }
    bool by_pointer = is_opt || f->type.kind == WM_T_UUID || f->type.kind == WM_T_DECIMAL;
    wm_print(g->p, "wr_param_$o$$k$($p$, $amp$$v$);\n", "o", is_opt ? "opt_" : "", "k", param_kind(f),
             "p", target, "amp", by_pointer ? "&" : "", "v", value, NULL);
}

/* Bind a column's value into p, through the column's map when it has one:
 * our value as text, then the client's text for it. */
static void emit_bind(gen *g, const wm_store_col *c, const char *value, bool is_plain)
{
    if (!c->map) {
        emit_param(g, c->field, "&p", value, is_plain);
        return;
    }
    wm_printer *pr = g->p;
    const char *f = c->field->name;
    wm_print(pr, "{ /* $f$ through its map */\n", "f", f, NULL);
    wm_indent(pr);
    wm_print(pr, "wr_params one;\nwr_params_init(&one, p.dialect);\n", NULL);
    emit_param(g, c->field, "&one", value, is_plain);
    wm_print(pr, "const char *text = one.values[0];\n"
                 "const char *mapped = text ? $f$_to_source(text) : NULL;\n"
                 "if (text && !mapped)\n"
                 "    return wr_error(err, WR_EDATA, \"$who$: $f$: the map has no entry for '%s'\", text);\n"
                 "wr_param_text(&p, mapped);\n",
             "f", f, "who", g->who, NULL);
    wm_outdent(pr);
    wm_print(pr, "}\n", NULL);
}

/* ---- the operations ---------------------------------------------------------- */

static void emit_find_helpers(gen *g)
{
    wm_print(g->p,
             "\ntypedef struct find_one_ctx {\n"
             "    $t$ *out;\n"
             "    wr_arena *mem;\n"
             "    wr_err *err;\n"
             "    int found;\n"
             "} find_one_ctx;\n\n"
             "static int take_first(void *ctx, const wr_row *row)\n{\n"
             "    find_one_ctx *c = ctx;\n"
             "    if (c->found)\n"
             "        return 0; /* a key or unique value: there is no second row */\n"
             "    if (read_row(row, c->out, c->mem, c->err) < 0)\n"
             "        return WR_EDATA;\n"
             "    c->found = 1;\n"
             "    return 0;\n"
             "}\n\n"
             "static int find_one(repo *r, int which, const wr_params *p, $t$ *out, wr_arena *mem, wr_err *err)\n{\n"
             "    find_one_ctx c = { out, mem, err, 0 };\n"
             "    int rc = wr_query(r->conn, &r->stmts, which, p, take_first, &c, err);\n"
             "    return rc < 0 ? rc : c.found;\n"
             "}\n",
             "t", g->n.type, NULL);
}

static void emit_find_by(gen *g, const wm_sql_stmt *st, const wm_store_col *c)
{
    wm_arena *a = g->a;
    const wm_field *f = c->field;
    wm_print(g->p, "\nstatic int $op$($t$_repo *base, $param$, $t$ *out, wr_arena *mem, wr_err *err)\n{\n",
             "op", st->op, "t", g->n.type, "param", wm_field_param(a, f), NULL);
    wm_indent(g->p);
    if (!st->sql) {
        wm_print(g->p, "(void)base;\n(void)$f$;\n(void)out;\n(void)mem;\n"
                       "return wr_error(err, WR_EUNSUPPORTED, \"$who$: $e$.$op$: the tenant's table has no column for $f$\");\n",
                 "f", f->name, "e", g->s->entity->name, "op", st->op, "who", g->who, NULL);
    } else {
        wm_print(g->p, "repo *r = (repo *)base;\nwr_params p;\nwr_params_init(&p, $d$);\n", "d",
                 dialect_const(g->s->dialect), NULL);
        emit_bind(g, c, f->name, true);
        wm_print(g->p, "return find_one(r, $c$, &p, out, mem, err);\n", "c", stmt_const(g, st), NULL);
    }
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);
}

static void emit_find_all(gen *g, const wm_sql_stmt *st)
{
    wm_arena *a = g->a;
    wm_printer *p = g->p;
    const wm_entity *e = g->s->entity;
    wm_print(p,
             "\ntypedef struct each_ctx {\n"
             "    repo *r;\n"
             "    $t$_each_fn each;\n"
             "    void *ctx;\n"
             "    wr_err *err;\n"
             "} each_ctx;\n\n"
             "/* Rows stream through one arena, emptied before each: memory stays flat. */\n"
             "static int pass_row(void *ctx, const wr_row *row)\n{\n"
             "    each_ctx *c = ctx;\n"
             "    $t$ value;\n"
             "    wr_arena_reset(c->r->row_mem);\n"
             "    if (read_row(row, &value, c->r->row_mem, c->err) < 0)\n"
             "        return WR_EDATA;\n"
             "    return c->each(c->ctx, &value);\n"
             "}\n\n"
             "static int find_all($t$_repo *base, const $t$_filter *filter, $t$_each_fn each, void *ctx, wr_err *err)\n{\n",
             "t", g->n.type, NULL);
    wm_indent(p);
    wm_print(p, "repo *r = (repo *)base;\n"
                "static const $t$_filter none;\n"
                "if (!filter)\n"
                "    filter = &none;\n", "t", g->n.type, NULL);
    /* filters this tenant's table cannot apply are refused when set */
    for (size_t i = 0; i < e->n_filters; i++) {
        const wm_filter *fl = &e->filters[i];
        bool in_sql = false;
        for (size_t k = 0; k < g->ops->n_sql_filters; k++)
            in_sql |= g->ops->sql_filters[k] == fl;
        if (in_sql)
            continue;
        const char *is_set = wm_field_is_pointer(fl->field) ? wm_arena_printf(a, "filter->%s", fl->name)
                                                            : wm_arena_printf(a, "filter->%s.is_set", fl->name);
        wm_print(p, "if ($set$)\n"
                    "    return wr_error(err, WR_EUNSUPPORTED, \"$who$: $e$.find_all: filter $f$ cannot be applied to the tenant's table\");\n",
                 "set", is_set, "e", e->name, "f", fl->name, "who", g->who, NULL);
    }
    wm_print(p, "wr_params p;\nwr_params_init(&p, $d$);\n", "d", dialect_const(g->s->dialect), NULL);
    for (size_t k = 0; k < g->ops->n_sql_filters; k++) {
        const wm_filter *fl = g->ops->sql_filters[k];
        wm_field as_opt = *fl->field; /* a filter is optional even on a required field */
        as_opt.is_required = false;
        as_opt.is_key = false;
        wm_store_col c = g->s->cols[fl->field->index];
        c.field = &as_opt;
        emit_bind(g, &c, wm_arena_printf(a, "filter->%s", fl->name), false);
    }
    wm_print(p, "wr_param_bigint(&p, filter->limit > 0 ? filter->limit : INT64_MAX);\n"
                "wr_param_bigint(&p, filter->offset > 0 ? filter->offset : 0);\n"
                "each_ctx c = { r, each, ctx, err };\n"
                "return wr_query(r->conn, &r->stmts, $c$, &p, pass_row, &c, err);\n",
             "c", stmt_const(g, st), NULL);
    wm_outdent(p);
    wm_print(p, "}\n", NULL);
}

/* What save() checks before the database sees the row: what the spec says
 * and an adapter's table may not enforce. */
static void emit_validation(gen *g, const wm_store_col *c)
{
    wm_arena *a = g->a;
    const wm_field *f = c->field;
    const char *who = g->who;
    const char *e = g->s->entity->name;
    if (wm_field_is_pointer(f) && f->is_required && !f->has_default)
        wm_print(g->p, "if (!row->$f$)\n    return wr_error(err, WR_EDATA, \"$who$: $e$.save: $f$ is required\");\n",
                 "f", f->name, "e", e, "who", who, NULL);
    if (f->type.kind == WM_T_TEXT && f->type.length)
        wm_print(g->p, "if (row->$f$ && wr_utf8_length(row->$f$) > $n$)\n"
                       "    return wr_error(err, WR_EDATA, \"$who$: $e$.save: $f$ is longer than $n$ characters\");\n",
                 "f", f->name, "n", wm_arena_printf(a, "%u", (unsigned)f->type.length), "e", e, "who", who, NULL);
    if (f->has_range && (f->type.kind == WM_T_INT || f->type.kind == WM_T_BIGINT || f->type.kind == WM_T_FLOAT)) {
        bool is_opt = wm_field_is_optional(f);
        const char *v = is_opt ? wm_arena_printf(a, "row->%s.value", f->name) : wm_arena_printf(a, "row->%s", f->name);
        wm_print(g->p, "if ($set$!($v$ >= $lo$ && $v$ <= $hi$)) /* NaN too */\n"
                       "    return wr_error(err, WR_EDATA, \"$who$: $e$.save: $f$ is outside $lo$ .. $hi$\");\n",
                 "set", is_opt ? wm_arena_printf(a, "row->%s.is_set && ", f->name) : "", "v", v,
                 "lo", f->range_lo.text, "hi", f->range_hi.text, "f", f->name, "e", e, "who", who, NULL);
    }
}

static void emit_save(gen *g, const wm_sql_stmt *st)
{
    wm_printer *p = g->p;
    wm_print(p, "\nstatic int save($t$_repo *base, const $t$ *row, wr_err *err)\n{\n", "t", g->n.type, NULL);
    wm_indent(p);
    wm_print(p, "repo *r = (repo *)base;\n", NULL);
    for (size_t i = 0; i < g->ops->n_save_cols; i++)
        emit_validation(g, g->ops->save_cols[i]);
    wm_print(p, "wr_params p;\nwr_params_init(&p, $d$);\n", "d", dialect_const(g->s->dialect), NULL);
    for (size_t i = 0; i < g->ops->n_save_cols; i++) {
        const wm_store_col *c = g->ops->save_cols[i];
        emit_bind(g, c, wm_arena_printf(g->a, "row->%s", c->field->name), false);
    }
    wm_print(p, "int64_t changed;\nreturn wr_execute(r->conn, &r->stmts, $c$, &p, &changed, err);\n",
             "c", stmt_const(g, st), NULL);
    wm_outdent(p);
    wm_print(p, "}\n", NULL);
}

static void emit_delete(gen *g, const wm_sql_stmt *st)
{
    const wm_field *key = g->s->key->field;
    wm_print(g->p, "\nstatic int delete_row($t$_repo *base, $param$, wr_err *err)\n{\n", "t", g->n.type,
             "param", wm_field_param(g->a, key), NULL);
    wm_indent(g->p);
    wm_print(g->p, "repo *r = (repo *)base;\nwr_params p;\nwr_params_init(&p, $d$);\n", "d",
             dialect_const(g->s->dialect), NULL);
    emit_bind(g, g->s->key, key->name, true);
    wm_print(g->p, "int64_t changed = 0;\n"
                   "int rc = wr_execute(r->conn, &r->stmts, $c$, &p, &changed, err);\n"
                   "return rc < 0 ? rc : changed > 0;\n", "c", stmt_const(g, st), NULL);
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);
}

static void emit_count(gen *g, const wm_sql_stmt *st)
{
    wm_print(g->p,
             "\ntypedef struct count_ctx {\n"
             "    int64_t *out;\n"
             "    wr_err *err;\n"
             "} count_ctx;\n\n"
             "static int take_count(void *ctx, const wr_row *row)\n{\n"
             "    count_ctx *c = ctx;\n"
             "    return wr_get_bigint(row, 0, \"count\", c->out, c->err) < 0 ? WR_EDATA : 0;\n"
             "}\n\n"
             "static int count($t$_repo *base, int64_t *out, wr_err *err)\n{\n"
             "    repo *r = (repo *)base;\n"
             "    wr_params p;\n"
             "    wr_params_init(&p, $d$);\n"
             "    count_ctx c = { out, err };\n"
             "    *out = 0;\n"
             "    return wr_query(r->conn, &r->stmts, $c$, &p, take_count, &c, err);\n"
             "}\n",
             "t", g->n.type, "d", dialect_const(g->s->dialect), "c", stmt_const(g, st), NULL);
}

static void emit_lifecycle(gen *g)
{
    wm_printer *p = g->p;
    wm_print(p, "\nstatic void close_repo($t$_repo *base)\n{\n"
                "    repo *r = (repo *)base;\n"
                "    if (!r)\n"
                "        return;\n"
                "    wr_stmts_release(r->conn, &r->stmts);\n"
                "    wr_arena_free(r->row_mem);\n"
                "    free(r);\n"
                "}\n\n"
                "int $prefix$_repo_new($t$_repo **out, wr_conn *conn, wr_err *err)\n{\n"
                "    repo *r = calloc(1, sizeof *r);\n"
                "    if (!r || !(r->row_mem = wr_arena_new())) {\n"
                "        free(r);\n"
                "        return wr_error(err, WR_ENOMEM, \"$who$: $e$: out of memory\");\n"
                "    }\n"
                "    r->conn = conn;\n"
                "    r->stmts.list = statements;\n"
                "    r->stmts.n = N_STATEMENTS;\n",
             "t", g->n.type, "prefix", g->prefix, "e", g->s->entity->name, "who", g->who, NULL);
    wm_indent(p);
    const wm_sql_stmt *marker = NULL;
    for (size_t i = 0; i < g->ops->n; i++) {
        const wm_sql_stmt *st = &g->ops->stmts[i];
        if (st->kind == WM_SQL_TENANT_MARKER) {
            marker = st;
            continue;
        }
        const char *fn = st->kind == WM_SQL_DELETE ? "delete_row" : st->kind == WM_SQL_SAVE ? "save" : st->op;
        wm_print(p, "r->base.$op$ = $fn$;\n", "op", st->op, "fn", fn, NULL);
    }
    if (marker)
        wm_print(p, "r->stmts.tenant = $t$; /* every statement first checks the marker */\n"
                    "r->stmts.marker = $c$;\n",
                 "t", wm_c_string(g->a, g->s->tenant->name), "c", stmt_const(g, marker), NULL);
    wm_print(p, "r->base.close = close_repo;\n*out = &r->base;\nreturn 0;\n", NULL);
    wm_outdent(p);
    wm_print(p, "}\n", NULL);
}

void wm_emit_repo(const wm_emit_ctx *cx, wm_printer *p, const wm_store *s, const wm_sql_ops *ops)
{
    gen g = { 0 };
    g.cx = cx;
    g.p = p;
    g.a = cx->arena;
    g.s = s;
    g.ops = ops;
    g.n = wm_entity_cnames(g.a, s->entity);
    g.prefix = wm_arena_printf(g.a, "wos_%s_%s", s->tenant->name, g.n.base);
    g.who = wm_arena_printf(g.a, "tenant %s", s->tenant->name); /* an identifier: no '%' */

    wm_emit_banner(cx, p, "/* ", " */");
    wm_print(p, "/* $e$ for tenant $t$: $d$, table $tbl$.\n"
                " * The statements are all that is particular to $d$; wr_query and wr_execute\n"
                " * (runtime/wr.h) prepare them once per connection and run them.",
             "e", s->entity->name, "t", s->tenant->name, "d", wm_dialect_name(s->dialect),
             "tbl", wm_comment_text(g.a, wm_sql_table(g.a, s->dialect, &s->table)), NULL);
    if (!s->is_adapter)
        wm_print(p, "\n * They run only in a database marked for tenant $t$: before the first\n"
                    " * statement of a session, wr_query and wr_execute read the marker with\n"
                    " * TENANT_MARKER, and refuse (WR_ETENANT) a database that is not $t$'s.",
                 "t", s->tenant->name, NULL);
    wm_print(p, " */\n#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\n\n#include \"repos.h\"\n", NULL);
    emit_statements(&g);
    wm_print(p, "\ntypedef struct repo {\n"
                "    $t$_repo base; /* first: callers hold a pointer to it */\n"
                "    wr_conn *conn;\n"
                "    wr_stmts stmts;\n"
                "    wr_arena *row_mem;\n"
                "} repo;\n", "t", g.n.type, NULL);
    for (size_t i = 0; i < s->n_cols; i++)
        if (s->cols[i].map)
            emit_value_map(&g, &s->cols[i]);
    emit_read_row(&g);
    emit_find_helpers(&g);
    for (size_t i = 0; i < ops->n; i++) {
        const wm_sql_stmt *st = &ops->stmts[i];
        switch (st->kind) {
        case WM_SQL_FIND_BY_ID: emit_find_by(&g, st, s->key); break;
        case WM_SQL_FIND_BY_UNIQUE: emit_find_by(&g, st, st->unique); break;
        case WM_SQL_FIND_ALL: emit_find_all(&g, st); break;
        case WM_SQL_SAVE: emit_save(&g, st); break;
        case WM_SQL_DELETE: emit_delete(&g, st); break;
        case WM_SQL_COUNT: emit_count(&g, st); break;
        case WM_SQL_TENANT_MARKER: break; /* run by the runtime: r->stmts.marker */
        }
    }
    emit_lifecycle(&g);
}

/* Oracle: no client library can be installed here, so an Oracle tenant
 * gets its statements as SQL, for review and golden tests. */
void wm_emit_statements_sql(const wm_emit_ctx *cx, wm_printer *p, const wm_store *s, const wm_sql_ops *ops)
{
    wm_emit_banner(cx, p, "-- ", "");
    wm_print(p, "-- $e$ for tenant $t$: the statements of its repository ($d$).\n", "e", s->entity->name,
             "t", s->tenant->name, "d", wm_dialect_name(s->dialect), NULL);
    for (size_t i = 0; i < ops->n; i++) {
        if (!ops->stmts[i].sql)
            continue;
        const char *sql = ops->stmts[i].sql;
        wm_print(p, "\n-- $op$\n$sql$$end$\n", "op", ops->stmts[i].op, "sql", sql,
                 "end", sql[strlen(sql) - 1] == ';' ? "" : ";", NULL);
    }
}
