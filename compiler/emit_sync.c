/* emit_sync.c - the sync agent of an etl tenant: one C file with a
 * straight-line transform per sync block and every SQL statement the agent
 * runs (wr_sync_spec in runtime/wr.h; each entity's statements come from
 * sync_sql.c).  The runtime executes; it writes no SQL of its own, so
 * `wellosc plan` prints exactly what will run.
 *
 * Transforms work on text: each source value arrives as text (NULL: SQL
 * NULL), passes through wr_xf_* calls, and leaves as the text COPY loads.
 * Each field's code carries the spec line it came from. */
#include <string.h>

#include "ctypes.h"
#include "emit.h"
#include "names.h"
#include "sql_build.h"
#include "sync_sql.h"
#include "types.h"
#include "version.h"

/* ---- source columns ---------------------------------------------------- */

int wm_sync_column_index(const wm_sync_columns *c, const wm_expr *col)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->refs[i]->name, col->name) == 0)
            return (int)i;
    return -1;
}

static void collect(wm_arena *a, wm_sync_columns *c, const wm_expr *e)
{
    if (e->kind == WM_E_COLUMN && wm_sync_column_index(c, e) < 0) {
        const wm_expr **refs = wm_arena_alloc(a, (c->n + 1) * sizeof *refs);
        if (c->n)
            memcpy(refs, c->refs, c->n * sizeof *refs);
        refs[c->n++] = e;
        c->refs = refs;
    }
    for (size_t i = 0; i < e->n_args; i++)
        collect(a, c, e->args[i]);
}

/* ---- the transforms ------------------------------------------------------- */

static const char *loc_text(wm_arena *a, wm_loc l)
{
    return wm_arena_printf(a, "%s:%u", l.src ? wm_comment_text(a, l.src->path) : "?", (unsigned)l.line);
}

/* The spec line at l, trimmed, for a comment: "lease <- upper(trim(LeaseName))". */
static const char *line_text(wm_arena *a, wm_loc l)
{
    if (!l.src || l.offset >= l.src->len)
        return "";
    const char *s = l.src->data + l.offset;
    size_t n = strcspn(s, "\n#");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    bool is_cut = n > 100;
    char *out = is_cut ? wm_arena_printf(a, "%.96s ...", s) : wm_arena_strndup(a, s, n);
    return wm_comment_text(a, out);
}

static bool is_staged(const wm_mapping *m, const wm_field *f)
{
    return !f->is_auto && !(m->deletes_soft && f->is_soft_delete);
}

static bool has_arithmetic(const wm_expr *e)
{
    if (e->kind == WM_E_BINARY && e->op != WM_OP_CONCAT)
        return true;
    if (e->kind == WM_E_NEG)
        return true;
    for (size_t i = 0; i < e->n_args; i++)
        if (has_arithmetic(e->args[i]))
            return true;
    return false;
}

/* Emit statements computing e into a new temporary; returns its name. */
static const char *emit_value(wm_sync_gen *g, const wm_expr *e, const wm_sync_columns *cols)
{
    wm_arena *a = g->a;
    const char *t;
    switch (e->kind) {
    case WM_E_COLUMN:
        t = wm_arena_printf(a, "t%d", ++g->temps);
        wm_print(g->p, "const char *$t$ = v[$i$]; /* $c$ */\n", "t", t,
                 "i", wm_arena_printf(a, "%d", wm_sync_column_index(cols, e)), "c", wm_comment_text(a, e->name), NULL);
        return t;
    case WM_E_LITERAL: {
        t = wm_arena_printf(a, "t%d", ++g->temps);
        const char *v = e->lit.kind == WM_L_NULL ? "NULL"
                      : e->lit.kind == WM_L_BOOL ? (e->lit.boolean ? "\"true\"" : "\"false\"")
                      : wm_c_string(a, e->lit.text);
        wm_print(g->p, "const char *$t$ = $v$;\n", "t", t, "v", v, NULL);
        return t;
    }
    case WM_E_NEG: {
        const char *x = emit_value(g, e->args[0], cols);
        t = wm_arena_printf(a, "t%d", ++g->temps);
        wm_print(g->p, "const char *$t$ = wr_xf_negate(x, $x$);\n", "t", t, "x", x, NULL);
        return t;
    }
    case WM_E_BINARY: {
        const char *l = emit_value(g, e->args[0], cols);
        const char *r = emit_value(g, e->args[1], cols);
        t = wm_arena_printf(a, "t%d", ++g->temps);
        if (e->op == WM_OP_CONCAT) {
            wm_print(g->p, "const char *$t$ = wr_xf_concat(x, $l$, $r$);\n", "t", t, "l", l, "r", r, NULL);
        } else {
            static const char ops[] = { [WM_OP_ADD] = '+', [WM_OP_SUB] = '-', [WM_OP_MUL] = '*', [WM_OP_DIV] = '/' };
            wm_print(g->p, "const char *$t$ = wr_xf_arith(x, '$op$', $l$, $r$);\n", "t", t,
                     "op", wm_arena_printf(a, "%c", ops[e->op]), "l", l, "r", r, NULL);
        }
        return t;
    }
    case WM_E_CALL:
        break;
    }
    if (e->func == WM_FN_COALESCE) { /* lazily: a later argument is computed only when needed */
        const char *first = emit_value(g, e->args[0], cols);
        t = wm_arena_printf(a, "t%d", ++g->temps);
        wm_print(g->p, "const char *$t$ = $f$;\n", "t", t, "f", first, NULL);
        for (size_t i = 1; i < e->n_args; i++) {
            wm_print(g->p, "if (!$t$) {\n", "t", t, NULL);
            wm_indent(g->p);
            const char *next = emit_value(g, e->args[i], cols);
            wm_print(g->p, "$t$ = $n$;\n", "t", t, "n", next, NULL);
        }
        for (size_t i = 1; i < e->n_args; i++) {
            wm_outdent(g->p);
            wm_print(g->p, "}\n", NULL);
        }
        return t;
    }
    const char *arg = emit_value(g, e->args[0], cols);
    t = wm_arena_printf(a, "t%d", ++g->temps);
    switch (e->func) {
    case WM_FN_UPPER: wm_print(g->p, "const char *$t$ = wr_xf_upper(x, $a$);\n", "t", t, "a", arg, NULL); break;
    case WM_FN_LOWER: wm_print(g->p, "const char *$t$ = wr_xf_lower(x, $a$);\n", "t", t, "a", arg, NULL); break;
    case WM_FN_TRIM: wm_print(g->p, "const char *$t$ = wr_xf_trim(x, $a$);\n", "t", t, "a", arg, NULL); break;
    case WM_FN_PARSE_NUMBER:
        wm_print(g->p, "const char *$t$ = wr_xf_parse_number(x, $a$);\n", "t", t, "a", arg, NULL);
        break;
    case WM_FN_PARSE_DATE:
    case WM_FN_PARSE_TIMESTAMP:
        wm_print(g->p, "const char *$t$ = wr_xf_parse_$k$(x, $a$, $f$);\n", "t", t,
                 "k", e->func == WM_FN_PARSE_DATE ? "date" : "timestamp", "a", arg,
                 "f", wm_c_string(a, e->args[1]->lit.text), NULL);
        break;
    default:
        wm_print(g->p, "const char *$t$ = NULL; /* unknown function */\n", "t", t, NULL);
    }
    return t;
}

static const char *map_name(wm_sync_gen *g, const wm_field *f)
{
    return wm_arena_printf(g->a, "%s_%s_map", g->base, f->name);
}

/* A value map: the source value to the field's value, or a failure. */
static void emit_map(wm_sync_gen *g, const wm_field_map *fm)
{
    wm_arena *a = g->a;
    const wm_value_map *m = fm->value_map;
    wm_print(g->p, "\n/* $loc$  $f$ <- ... map { ... } */\n"
                   "static const char *$name$(wr_xf *x, const char *raw)\n{\n",
             "loc", loc_text(a, m->loc), "f", fm->field->name, "name", map_name(g, fm->field), NULL);
    wm_indent(g->p);
    for (size_t i = 0; i < m->n_entries; i++) {
        const wm_map_entry *en = &m->entries[i];
        const char *to = en->to.kind == WM_L_NULL ? "NULL" : wm_c_string(a, en->to.text);
        const char *cond;
        switch (en->from.kind) {
        case WM_L_NULL: cond = "!raw"; break;
        case WM_L_NUMBER: cond = wm_arena_printf(a, "raw && wr_numeric_text_equal(raw, %s)", wm_c_string(a, en->from.text)); break;
        case WM_L_BOOL:
            cond = en->from.boolean ? "raw && (strcmp(raw, \"1\") == 0 || strcmp(raw, \"t\") == 0 || strcmp(raw, \"true\") == 0)"
                                    : "raw && (strcmp(raw, \"0\") == 0 || strcmp(raw, \"f\") == 0 || strcmp(raw, \"false\") == 0)";
            break;
        default: cond = wm_arena_printf(a, "raw && strcmp(raw, %s) == 0", wm_c_string(a, en->from.text));
        }
        wm_print(g->p, "if ($c$)\n    return $to$;\n", "c", cond, "to", to, NULL);
    }
    if (m->otherwise != WM_ELSE_REJECT)
        wm_print(g->p, "(void)x; /* this map rejects nothing */\n", NULL);
    switch (m->otherwise) {
    case WM_ELSE_REJECT:
        wm_print(g->p, "if (raw)\n    wr_xf_fail(x, \"'%.40s' is not in the map\", raw);\n"
                       "else\n    wr_xf_fail(x, \"NULL is not in the map\");\nreturn NULL;\n", NULL);
        break;
    case WM_ELSE_NULL: wm_print(g->p, "return NULL; /* else null */\n", NULL); break;
    case WM_ELSE_KEEP: wm_print(g->p, "return raw; /* else keep */\n", NULL); break;
    case WM_ELSE_DEFAULT:
        wm_print(g->p, "return $v$; /* else */\n", "v", wm_c_string(a, m->else_value.text), NULL);
        break;
    }
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);
}

/* The field's type: a wr_xf_to_* call over the value in temporary v. */
static const char *to_field(wm_sync_gen *g, const wm_field_map *fm, const char *v)
{
    wm_arena *a = g->a;
    const wm_field *f = fm->field;
    switch (f->type.kind) {
    case WM_T_UUID: return wm_arena_printf(a, "wr_xf_to_uuid(x, %s)", v);
    case WM_T_TEXT: return wm_arena_printf(a, "wr_xf_to_text(x, %s, %u)", v, (unsigned)f->type.length);
    case WM_T_INT: return wm_arena_printf(a, "wr_xf_to_int(x, %s, 32)", v);
    case WM_T_BIGINT: return wm_arena_printf(a, "wr_xf_to_int(x, %s, 64)", v);
    case WM_T_FLOAT: return wm_arena_printf(a, "wr_xf_to_float(x, %s)", v);
    case WM_T_DECIMAL:
        return wm_arena_printf(a, "wr_xf_to_decimal(x, %s, %u, %u, %s)", v,
                               (unsigned)(f->type.precision ? f->type.precision : 38),
                               (unsigned)(f->type.precision ? f->type.scale : 10),
                               has_arithmetic(fm->expr) ? "true" : "false");
    case WM_T_BOOL: return wm_arena_printf(a, "wr_xf_to_bool(x, %s)", v);
    case WM_T_DATE: return wm_arena_printf(a, "wr_xf_to_date(x, %s)", v);
    case WM_T_TIMESTAMP: return wm_arena_printf(a, "wr_xf_to_timestamp(x, %s)", v);
    case WM_T_JSON: return wm_arena_printf(a, "wr_xf_to_json(x, %s)", v);
    case WM_T_ENUM: return wm_arena_printf(a, "wr_xf_to_enum(x, %s, %s_%s_values)", v, g->base, f->name);
    default: return wm_arena_printf(a, "wr_xf_to_text(x, %s, 0)", v);
    }
}

static void emit_field(wm_sync_gen *g, const wm_field_map *fm, int out_index, const wm_sync_columns *cols)
{
    wm_arena *a = g->a;
    const wm_field *f = fm->field;
    wm_print(g->p, "{ /* $loc$  $line$ */\n", "loc", loc_text(a, fm->loc), "line", line_text(a, fm->loc), NULL);
    wm_indent(g->p);
    wm_print(g->p, "x->field = $f$;\n", "f", wm_c_string(a, f->name), NULL);
    const char *v = emit_value(g, fm->expr, cols);
    if (fm->value_map) {
        const char *mapped = wm_arena_printf(a, "t%d", ++g->temps);
        wm_print(g->p, "const char *$m$ = $fn$(x, $v$);\n", "m", mapped, "fn", map_name(g, f), "v", v, NULL);
        v = mapped;
    }
    const char *slot = wm_arena_printf(a, "out[%d]", out_index);
    wm_print(g->p, "$slot$ = $conv$;\n", "slot", slot, "conv", to_field(g, fm, v), NULL);
    if (f->is_required && !f->has_default)
        wm_print(g->p, "if (!$slot$)\n    wr_xf_fail(x, \"NULL, but the field is required\");\n", "slot", slot, NULL);
    if (f->has_range && wm_type_is_numeric(f->type.kind))
        wm_print(g->p, "if ($slot$ && !x->is_failed && !wr_xf_in_range($slot$, $lo$, $hi$))\n"
                       "    wr_xf_fail(x, \"%s is outside $l$ .. $h$\", $slot$);\n",
                 "slot", slot, "lo", wm_c_string(a, f->range_lo.text), "hi", wm_c_string(a, f->range_hi.text),
                 "l", f->range_lo.text, "h", f->range_hi.text, NULL);
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);
}

static void emit_transforms(wm_sync_gen *g)
{
    wm_arena *a = g->a;
    const wm_mapping *m = g->m;
    for (size_t i = 0; i < g->n_staged; i++) {
        const wm_field *f = g->staged[i]->field;
        if (f->type.kind != WM_T_ENUM)
            continue;
        const char *list = "";
        for (size_t k = 0; k < f->type.n_enum_values; k++)
            list = wm_arena_printf(a, "%s%s, ", list, wm_c_string(a, f->type.enum_values[k]));
        wm_print(g->p, "static const char *const $b$_$f$_values[] = { $l$NULL };\n", "b", g->base, "f", f->name,
                 "l", list, NULL);
    }
    for (size_t i = 0; i < g->n_staged; i++)
        if (g->staged[i]->value_map)
            emit_map(g, g->staged[i]);

    wm_print(g->p, "\n/* $loc$  sync $e$: a source row into the staging columns */\n"
                   "static int $b$_transform(const wr_row *src, const char **out, wr_xf *x)\n{\n"
                   "    const char *const *v = src->values;\n",
             "loc", loc_text(a, m->loc), "e", m->entity->name, "b", g->base, NULL);
    wm_indent(g->p);
    for (size_t i = 0; i < g->n_staged; i++)
        emit_field(g, g->staged[i], (int)i, &g->src);
    wm_print(g->p, "return x->is_failed ? 1 : 0;\n", NULL);
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);

    if (!m->deletes_soft)
        return;
    const wm_field_map *key = NULL;
    for (size_t i = 0; i < m->n_fields; i++)
        if (m->fields[i].field == m->entity->key)
            key = &m->fields[i];
    wm_print(g->p, "\n/* deletes soft: a source key, as the target stores it */\n"
                   "static int $b$_key_of(const wr_row *src, const char **out, wr_xf *x)\n{\n"
                   "    const char *const *v = src->values;\n", "b", g->base, NULL);
    wm_indent(g->p);
    emit_field(g, key, 0, &g->keys);
    wm_print(g->p, "return x->is_failed ? 1 : 0;\n", NULL);
    wm_outdent(g->p);
    wm_print(g->p, "}\n", NULL);
}

/* ---- the agent's C file ---------------------------------------------------- */

/* after the marker table (wm_marker_table_sql, shared with the native DDL) */
static const char *const state_tables =
    "CREATE TABLE IF NOT EXISTS wellos_sync_state (\n"
    "    tenant text NOT NULL,\n"
    "    entity text NOT NULL,\n"
    "    watermark text,\n"
    "    last_synced_at timestamptz,\n"
    "    rows_read bigint NOT NULL DEFAULT 0,\n"
    "    rows_written bigint NOT NULL DEFAULT 0,\n"
    "    rows_unchanged bigint NOT NULL DEFAULT 0,\n"
    "    rows_rejected bigint NOT NULL DEFAULT 0,\n"
    "    status text NOT NULL,\n"
    "    last_error text,\n"
    "    PRIMARY KEY (tenant, entity)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS wellos_sync_rejects (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    tenant text NOT NULL,\n"
    "    entity text NOT NULL,\n"
    "    source_key text,\n"
    "    reason text NOT NULL,\n"
    "    raw jsonb NOT NULL,\n"
    "    rejected_at timestamptz NOT NULL DEFAULT now(),\n"
    "    last_seen_at timestamptz NOT NULL DEFAULT now(),\n"
    "    times_seen bigint NOT NULL DEFAULT 1\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS wellos_sync_rejects_entity_idx ON wellos_sync_rejects (tenant, entity, rejected_at);\n"
    "-- a row rejected again (a re-read window, a full sync) is counted, not stored twice\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS wellos_sync_rejects_once_idx ON wellos_sync_rejects\n"
    "    (tenant, entity, md5(coalesce(source_key, '') || ' ' || reason || ' ' || raw::text));\n";

static const char *const marker_read = wm_marker_read_sql;
static const char *const marker_write = "INSERT INTO wellos_tenant (tenant) VALUES ($1) ON CONFLICT DO NOTHING";
static const char *const lock_sql = "SELECT pg_try_advisory_lock($1)";
static const char *const state_read = "SELECT watermark FROM wellos_sync_state WHERE tenant = $1 AND entity = $2";
static const char *const state_write =
    "INSERT INTO wellos_sync_state (tenant, entity, watermark, last_synced_at, rows_read, rows_written, "
    "rows_unchanged, rows_rejected, status, last_error) VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8, $9) "
    "ON CONFLICT (tenant, entity) DO UPDATE SET watermark = COALESCE(EXCLUDED.watermark, wellos_sync_state.watermark), "
    "last_synced_at = now(), rows_read = EXCLUDED.rows_read, rows_written = EXCLUDED.rows_written, "
    "rows_unchanged = EXCLUDED.rows_unchanged, rows_rejected = EXCLUDED.rows_rejected, "
    "status = EXCLUDED.status, last_error = EXCLUDED.last_error";
static const char *const reject_write =
    "INSERT INTO wellos_sync_rejects (tenant, entity, source_key, reason, raw) VALUES ($1, $2, $3, $4, $5::jsonb) "
    WM_SYNC_REJECT_ONCE;

static void setup(wm_sync_gen *g, const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t, const wm_mapping *m)
{
    memset(g, 0, sizeof *g);
    g->cx = cx;
    g->p = p;
    g->a = cx->arena;
    g->t = t;
    g->m = m;
    g->base = wm_c_name(g->a, m->entity->name);
    g->staged = wm_arena_alloc(g->a, (m->n_fields + 1) * sizeof *g->staged);
    for (size_t i = 0; i < m->n_fields; i++) {
        const wm_field_map *fm = &m->fields[i];
        if (is_staged(m, fm->field))
            g->staged[g->n_staged++] = fm;
        collect(g->a, &g->src, fm->expr);
        if (fm->field == m->entity->key)
            collect(g->a, &g->keys, fm->expr);
    }
}

static const char *c_sql(wm_arena *a, const char *sql)
{
    return sql ? wm_c_string(a, sql) : "NULL";
}

static void emit_statement_list(wm_sync_gen *g, const char *name, const char *comment, const char **sql, size_t n)
{
    if (!n)
        return;
    wm_print(g->p, "\n/* $c$ */\nstatic const char *const $b$_$n$[] = {\n", "c", comment, "b", g->base, "n", name, NULL);
    for (size_t k = 0; k < n; k++) {
        wm_print(g->p, "    ", NULL);
        wm_indent(g->p);
        wm_emit_sql_literal(g->p, g->a, sql[k]);
        wm_outdent(g->p);
        wm_print(g->p, ",\n", NULL);
    }
    wm_print(g->p, "};\n", NULL);
}

/* A field type on the wire of the initial load's binary COPY. */
static const char *wire_type(const wm_type *t)
{
    switch (t->kind) {
    case WM_T_INT: return "WR_WIRE_INT4";
    case WM_T_BIGINT: return "WR_WIRE_INT8";
    case WM_T_FLOAT: return "WR_WIRE_FLOAT8";
    case WM_T_DECIMAL: return "WR_WIRE_NUMERIC";
    case WM_T_UUID: return "WR_WIRE_UUID";
    case WM_T_DATE: return "WR_WIRE_DATE";
    case WM_T_TIMESTAMP: return "WR_WIRE_TIMESTAMPTZ";
    case WM_T_BOOL: return "WR_WIRE_BOOL";
    case WM_T_JSON: return "WR_WIRE_JSONB";
    default: return "WR_WIRE_TEXT";   /* text, enums (a text column) */
    }
}

static void emit_wire(wm_sync_gen *g, bool is_stamped)
{
    wm_print(g->p, "\n/* the initial load's binary COPY: each column's type on the wire */\n"
                   "static const wr_wire $b$_wire[] = {\n", "b", g->base, NULL);
    for (size_t k = 0; k < g->n_staged; k++)
        wm_print(g->p, "    $w$, /* $f$ */\n", "w", wire_type(&g->staged[k]->field->type),
                 "f", wm_comment_text(g->a, g->staged[k]->field->name), NULL);
    if (is_stamped)
        wm_print(g->p, "    WR_WIRE_INT8, /* " WM_SYNC_STAMP_HASH " */\n", NULL);
    wm_print(g->p, "};\n", NULL);
}

static const char *init_sql(const wm_emit_ctx *cx, const wm_tenant *t)
{
    wm_arena *a = cx->arena;
    wm_printer *ddl = wm_printer_new();
    wm_emit_ddl(cx, ddl, WM_DIALECT_POSTGRES);
    const char *stamps = "";
    for (size_t i = 0; i < t->n_mappings; i++)
        if (wm_sync_is_stamped(&t->mappings[i]))
            stamps = wm_arena_printf(a, "%sALTER TABLE %s ADD COLUMN IF NOT EXISTS " WM_SYNC_STAMP_HASH " bigint,\n"
                                        "    ADD COLUMN IF NOT EXISTS " WM_SYNC_STAMP_XID " xid;\n", stamps,
                                     wm_sql_quote(a, WM_DIALECT_POSTGRES, t->mappings[i].entity->table));
    if (stamps[0])
        stamps = wm_arena_printf(a, "\n-- the row stamp of each compared table: the hash of the values the agent\n"
                                    "-- wrote, and the transaction that wrote them\n%s", stamps);
    const char *s = wm_arena_printf(a, "%s%s\n%s%s", wm_printer_text(ddl), stamps, wm_marker_table_sql, state_tables);
    wm_printer_free(ddl);
    return s;
}

void wm_emit_sync(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t, const char *spec_hash)
{
    wm_arena *a = cx->arena;
    wm_diags quiet; /* sema has checked every watermark expression already */
    wm_diags_init(&quiet, a);
    wm_emit_banner(cx, p, "/* ", " */");
    wm_print(p, "/* The sync agent of tenant $t$: $s$ -> postgres, every $n$ minutes.\n"
                " * Transforms are straight-line C over text values (runtime/wr.h, wr_xf_*);\n"
                " * every statement the agent runs is below, and wr_agent_main runs them. */\n"
                "#include <stdlib.h>\n#include <string.h>\n\n#include \"wr.h\"\n\n"
                "#if WR_VERSION_NUMBER < 100\n"
                "# error \"generated by wellosc $v$, newer than this runtime: update libwellosrt\"\n"
                "#elif 100 < WR_MIN_COMPILER_VERSION\n"
                "# error \"generated by wellosc $v$, older than this runtime accepts: regenerate\"\n"
                "#endif\n",
             "t", t->name, "s", wm_dialect_name(t->source.dialect),
             "n", wm_arena_printf(a, "%llu", (unsigned long long)(t->interval_seconds / 60)), "v", WM_VERSION, NULL);

    wm_sync_sql *sql = wm_arena_alloc(a, (t->n_mappings + 1) * sizeof *sql);
    for (size_t i = 0; i < t->n_mappings; i++) {
        wm_sync_gen g;
        setup(&g, cx, p, t, &t->mappings[i]);
        wm_print(p, "\n/* ---- $e$: $loc$ ---- */\n\n", "e", t->mappings[i].entity->name,
                 "loc", loc_text(a, t->mappings[i].loc), NULL);
        const char *srcs = "", *outs = "";
        for (size_t k = 0; k < g.src.n; k++)
            srcs = wm_arena_printf(a, "%s%s, ", srcs, wm_c_string(a, g.src.refs[k]->name));
        for (size_t k = 0; k < g.n_staged; k++)
            outs = wm_arena_printf(a, "%s%s, ", outs, wm_c_string(a, g.staged[k]->field->name));
        wm_print(p, "static const char *const $b$_source_columns[] = { $s$};\n"
                    "static const char *const $b$_columns[] = { $o$};\n", "b", g.base, "s", srcs, "o", outs, NULL);
        if (t->source.dialect == WM_DIALECT_MYSQL && t->mappings[i].incremental.kind != WM_INC_FULL)
            wm_print(p, "static const int $b$_extract_order[] = { 0, 0 };\n", "b", g.base, NULL);
        emit_transforms(&g);
        sql[i] = wm_sync_build_sql(&g, &quiet);
        if (sql[i].n_checks) {
            wm_print(p, "\n/* before the upsert: staged rows the target's constraints would refuse */\n"
                        "static const char *const $b$_checks[] = {\n", "b", g.base, NULL);
            for (size_t k = 0; k < sql[i].n_checks; k++) {
                wm_print(p, "    ", NULL);
                wm_indent(p);
                wm_emit_sql_literal(p, a, sql[i].checks[k]);
                wm_outdent(p);
                wm_print(p, ",\n", NULL);
            }
            wm_print(p, "};\n", NULL);
        }
        emit_wire(&g, wm_sync_is_stamped(&t->mappings[i]));
        emit_statement_list(&g, "bulk_prepare", "an initial load: before it, the auto-updated column defaults to now(),\n"
                                " * a row stamp's xid to the load's transaction, and the table's foreign\n"
                                " * keys and plain indexes go",
                            sql[i].bulk_prepare, sql[i].n_bulk_prepare);
        emit_statement_list(&g, "bulk_finish", "after it: the column's default, the indexes and the foreign keys\n"
                                " * (validated) again", sql[i].bulk_finish, sql[i].n_bulk_finish);
    }

    wm_print(p, "\nstatic const wr_sync_entity entities[] = {\n", NULL);
    wm_indent(p);
    for (size_t i = 0; i < t->n_mappings; i++) {
        const wm_mapping *m = &t->mappings[i];
        wm_sync_gen g;
        setup(&g, cx, p, t, m);
        const wm_sync_sql *s = &sql[i];
        static const char *const modes[] = { "WR_SYNC_FULL", "WR_SYNC_WATERMARK", "WR_SYNC_WINDOW" };
        wm_print(p, "{\n", NULL);
        wm_indent(p);
        wm_print(p, ".entity = $e$,\n.origin = $o$,\n.key_field = $k$,\n.table = $t$,\n",
                 "e", wm_c_string(a, m->entity->name), "o", wm_c_string(a, loc_text(a, m->loc)),
                 "k", wm_c_string(a, m->entity->key->name),
                 "t", wm_c_string(a, wm_sql_quote(a, WM_DIALECT_POSTGRES, m->entity->table)), NULL);
        wm_print(p, ".extract = { .name = $n$, .sql = $s$, .n_placeholders = $np$$order$$decl$ },\n",
                 "n", wm_c_string(a, wm_arena_printf(a, "tenant %s: %s.extract", t->name, m->entity->name)),
                 "s", c_sql(a, s->extract), "np", wm_arena_printf(a, "%d", s->n_placeholders),
                 "order", s->n_placeholders == 2 ? wm_arena_printf(a, ", .param_order = %s_extract_order", g.base) : "",
                 "decl", s->param_decl ? wm_arena_printf(a, ", .param_decl = %s", wm_c_string(a, s->param_decl)) : "",
                 NULL);
        wm_print(p, ".n_source_columns = $n$,\n.source_column_names = $b$_source_columns,\n.watermark_column = $w$,\n",
                 "n", wm_arena_printf(a, "%zu", g.src.n), "b", g.base,
                 "w", wm_arena_printf(a, "%d", wm_sync_watermark_column(&g)), NULL);
        if (s->extract_keys)
            wm_print(p, ".extract_keys = { .name = $n$, .sql = $s$ },\n.key_of = $b$_key_of,\n",
                     "n", wm_c_string(a, wm_arena_printf(a, "tenant %s: %s.extract_keys", t->name, m->entity->name)),
                     "s", c_sql(a, s->extract_keys), "b", g.base, NULL);
        wm_print(p, ".mode = $m$,\n.window_seconds = $w$,\n.lookback_seconds = $l$,\n"
                    ".is_null_watermark_rejected = $nr$,\n.is_abort_on_error = $ab$,\n"
                    ".transform = $b$_transform,\n.n_columns = $nc$,\n.column_names = $b$_columns,\n",
                 "m", modes[m->incremental.kind],
                 "w", wm_arena_printf(a, "%llu", (unsigned long long)m->incremental.window_seconds),
                 "l", wm_arena_printf(a, "%llu", (unsigned long long)m->incremental.lookback_seconds),
                 "nr", m->incremental.nulls == WM_NULLS_REJECT ? "true" : "false",
                 "ab", m->on_error == WM_ON_ERROR_ABORT ? "true" : "false", "b", g.base,
                 "nc", wm_arena_printf(a, "%zu", g.n_staged), NULL);
        if (s->n_checks)
            wm_print(p, ".checks = $b$_checks,\n.n_checks = sizeof $b$_checks / sizeof *$b$_checks,\n", "b", g.base, NULL);
        wm_print(p, ".stage_create = $a$,\n.stage_truncate = $b$,\n.stage_copy = $c$,\n.upsert = $d$,\n",
                 "a", c_sql(a, s->stage_create), "b", c_sql(a, s->stage_truncate), "c", c_sql(a, s->stage_copy),
                 "d", c_sql(a, s->upsert), NULL);
        if (s->diff_scan)
            wm_print(p, ".diff_scan = $a$,\n.key_source_column = $i$,\n.diff_since = $b$,\n.key_order = $k$,\n",
                     "a", c_sql(a, s->diff_scan), "b", c_sql(a, s->diff_since), "k", wm_sync_key_order(&m->entity->key->type),
                     "i", wm_arena_printf(a, "%d", wm_sync_column_index(&g.src, wm_sync_plain_key_column(m))), NULL);
        wm_print(p, ".bulk_lock = $a$,\n.bulk_probe = $b$,\n.bulk_copy = $c$,\n.bulk_wire = $w$_wire,\n",
                 "a", c_sql(a, s->bulk_lock), "b", c_sql(a, s->bulk_probe), "c", c_sql(a, s->bulk_copy),
                 "w", g.base, NULL);
        if (s->n_bulk_prepare)
            wm_print(p, ".bulk_prepare = $b$_bulk_prepare,\n"
                        ".n_bulk_prepare = sizeof $b$_bulk_prepare / sizeof *$b$_bulk_prepare,\n", "b", g.base, NULL);
        if (s->n_bulk_finish)
            wm_print(p, ".bulk_finish = $b$_bulk_finish,\n"
                        ".n_bulk_finish = sizeof $b$_bulk_finish / sizeof *$b$_bulk_finish,\n", "b", g.base, NULL);
        if (s->keys_create)
            wm_print(p, ".keys_create = $a$,\n.keys_truncate = $b$,\n.keys_copy = $c$,\n.mark_deleted = $d$,\n",
                     "a", c_sql(a, s->keys_create), "b", c_sql(a, s->keys_truncate), "c", c_sql(a, s->keys_copy),
                     "d", c_sql(a, s->mark_deleted), NULL);
        wm_outdent(p);
        wm_print(p, "},\n", NULL);
    }
    wm_outdent(p);
    static const char *const dialects[] = { "WR_POSTGRES", "WR_MYSQL", "WR_SQLSERVER", "WR_ORACLE" };
    wm_print(p, "};\n\nstatic const wr_sync_spec spec = {\n", NULL);
    wm_indent(p);
    wm_print(p, ".tenant = $t$,\n.compiler_version = $v$,\n.spec_hash = $h$,\n.source_dialect = $d$,\n"
                ".source_env = $se$,\n.target_env = $te$,\n.interval_seconds = $i$,\n",
             "t", wm_c_string(a, t->name), "v", wm_c_string(a, WM_VERSION), "h", wm_c_string(a, spec_hash),
             "d", dialects[t->source.dialect], "se", wm_c_string(a, t->source.dsn_env),
             "te", wm_c_string(a, t->target.dsn_env),
             "i", wm_arena_printf(a, "%llu", (unsigned long long)t->interval_seconds), NULL);
    wm_print(p, ".init_sql = $s$,\n", "s", wm_c_string(a, init_sql(cx, t)), NULL);
    wm_print(p, ".marker_read = $a$,\n.marker_write = $b$,\n.lock = $c$,\n.state_read = $d$,\n"
                ".state_write = $e$,\n.reject_write = $f$,\n.entities = entities,\n"
                ".n_entities = sizeof entities / sizeof *entities,\n",
             "a", c_sql(a, marker_read), "b", c_sql(a, marker_write), "c", c_sql(a, lock_sql),
             "d", c_sql(a, state_read), "e", c_sql(a, state_write), "f", c_sql(a, reject_write), NULL);
    wm_outdent(p);
    static const char *const uses[] = { "wr_use_postgres", "wr_use_mysql", "wr_use_sqlserver", "wr_use_postgres" };
    wm_print(p, "};\n\nint main(int argc, char **argv)\n{\n"
                "    wr_use_postgres(); /* the target */\n", NULL);
    if (t->source.dialect != WM_DIALECT_POSTGRES && t->source.dialect != WM_DIALECT_ORACLE)
        wm_print(p, "    $u$(); /* the source */\n", "u", uses[t->source.dialect], NULL);
    wm_print(p, "    return wr_agent_main(&spec, argc, argv);\n}\n", NULL);
}

/* ---- plan ------------------------------------------------------------------- */

static void plan_step(wm_printer *p, const char *where, const char *what, const char *sql)
{
    if (!sql)
        return;
    size_t n = strlen(sql);
    while (n && (sql[n - 1] == '\n' || sql[n - 1] == ' '))
        n--;
    bool has_end = n && sql[n - 1] == ';';
    wm_print(p, "\n-- [$w$] $what$\n$sql$$end$\n", "w", where, "what", what, "sql", sql,
             "end", has_end ? "" : ";", NULL);
}

void wm_emit_plan(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t)
{
    wm_arena *a = cx->arena;
    wm_diags quiet;
    wm_diags_init(&quiet, a);
    const char *src = wm_arena_printf(a, "source %s", wm_dialect_name(t->source.dialect));
    const char *dst = "target postgres";
    wm_print(p, "-- The plan of tenant $t$: every statement its agent runs, in order.\n"
                "-- Source: $s$ (DSN in $se$); target: postgres (DSN in $te$).\n"
                "-- Values are parameters ($$1, ?, @p1): nothing is spliced into SQL text.\n",
             "t", t->name, "s", wm_dialect_name(t->source.dialect), "se", t->source.dsn_env, "te", t->target.dsn_env, NULL);
    wm_print(p, "\n-- == --init (once; idempotent) ==\n", NULL);
    plan_step(p, dst, "tables, sync state, rejects and tenant marker", wm_arena_printf(a, "%s", init_sql(cx, t)));
    plan_step(p, dst, "mark the database as this tenant's", marker_write);
    wm_print(p, "\n-- == every run ==\n", NULL);
    plan_step(p, dst, "refuse a database whose marker names another tenant", marker_read);
    plan_step(p, dst, "one agent per tenant ($1: a hash of the tenant's name)", lock_sql);
    for (size_t i = 0; i < t->n_mappings; i++) {
        const wm_mapping *m = &t->mappings[i];
        wm_sync_gen g;
        setup(&g, cx, p, t, m);
        wm_sync_sql s = wm_sync_build_sql(&g, &quiet);
        wm_print(p, "\n-- == $e$ ($loc$) ==\n", "e", m->entity->name, "loc", loc_text(a, m->loc), NULL);
        if (m->incremental.kind != WM_INC_FULL)
            plan_step(p, dst, "the watermark reached so far", state_read);
        const char *how = m->incremental.kind == WM_INC_FULL ? "every row"
                        : m->incremental.kind == WM_INC_WINDOW
                            ? wm_arena_printf(a, "rows of the last %llu days (the parameter: now minus the window)",
                                              (unsigned long long)(m->incremental.window_seconds / 86400))
                            : "rows at or after the stored watermark (minus the lookback), in watermark order";
        plan_step(p, src, wm_arena_printf(a, "extract %s, streamed", how), s.extract);
        wm_print(p, "\n-- an initial load, when the table is empty: one transaction; a data error rolls it\n"
                    "-- back and the load runs in batches as below\n", NULL);
        plan_step(p, dst, "BEGIN", "BEGIN");
        plan_step(p, dst, "nobody else reads or writes the table meanwhile", s.bulk_lock);
        plan_step(p, dst, "is it empty?", s.bulk_probe);
        for (size_t k = 0; k < s.n_bulk_prepare; k++)
            plan_step(p, dst, "for the load: drop a foreign key or a plain index, or default a column to now()",
                      s.bulk_prepare[k]);
        plan_step(p, dst, "the transformed rows, straight into the table (binary: no text to parse)", s.bulk_copy);
        plan_step(p, dst, "per batch: each rejected row, with its reason and raw values", reject_write);
        for (size_t k = 0; k < s.n_bulk_finish; k++)
            plan_step(p, dst, "after it: the column's default, an index, statistics or a foreign key (validated)",
                      s.bulk_finish[k]);
        plan_step(p, dst, "the sync state", state_write);
        plan_step(p, dst, "COMMIT", "COMMIT");
        if (s.diff_scan) {
            wm_print(p, "\n-- otherwise, on a second target session, the target's rows in key order, compared\n"
                        "-- with the transformed source rows; only rows that differ are staged\n", NULL);
            plan_step(p, dst, "the window's start, for the scan below ($1)", s.diff_since);
            plan_step(p, dst, "the target's rows in key order", s.diff_scan);
        }
        plan_step(p, dst, "staging table (once per connection)", s.stage_create);
        wm_print(p, "\n-- per batch with rows to write, in one transaction:\n", NULL);
        plan_step(p, dst, "BEGIN", "BEGIN");
        plan_step(p, dst, "empty the staging table", s.stage_truncate);
        plan_step(p, dst, "load the batch's transformed rows", s.stage_copy);
        for (size_t k = 0; k < s.n_checks; k++)
            plan_step(p, dst, "rows the target would refuse go to the rejects", s.checks[k]);
        plan_step(p, dst, "write only rows that differ", s.upsert);
        plan_step(p, dst, "each rejected row, with its reason and raw values", reject_write);
        plan_step(p, dst, "the sync state, with the watermark reached", state_write);
        plan_step(p, dst, "COMMIT", "COMMIT");
        if (s.extract_keys) {
            wm_print(p, "\n-- deletes soft, after a complete extract, in one transaction:\n", NULL);
            plan_step(p, src, "every key in the source", s.extract_keys);
            plan_step(p, dst, "a table for them (once per connection)", s.keys_create);
            plan_step(p, dst, "BEGIN", "BEGIN");
            plan_step(p, dst, "empty it", s.keys_truncate);
            plan_step(p, dst, "load the keys", s.keys_copy);
            plan_step(p, dst, "keys gone from the source are soft-deleted", s.mark_deleted);
            plan_step(p, dst, "COMMIT", "COMMIT");
        }
    }
}

/* The extract statements alone, in the source's dialect: where no such
 * server runs here (SQL Server, Oracle), they are reviewed and parsed. */
void wm_emit_extracts(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *t)
{
    wm_arena *a = cx->arena;
    wm_diags quiet;
    wm_diags_init(&quiet, a);
    wm_emit_banner(cx, p, "-- ", "");
    wm_print(p, "-- The statements tenant $t$'s agent runs on its $d$ source.\n", "t", t->name,
             "d", wm_dialect_name(t->source.dialect), NULL);
    for (size_t i = 0; i < t->n_mappings; i++) {
        wm_sync_gen g;
        setup(&g, cx, p, t, &t->mappings[i]);
        wm_sync_sql s = wm_sync_build_sql(&g, &quiet);
        wm_print(p, "\n-- $e$: extract\n$s$;\n", "e", t->mappings[i].entity->name, "s", s.extract, NULL);
        if (s.extract_keys)
            wm_print(p, "\n-- $e$: every key (deletes soft)\n$s$;\n", "e", t->mappings[i].entity->name,
                     "s", s.extract_keys, NULL);
    }
}

const char *wm_spec_hash(wm_arena *a, const wm_model *m)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a over every spec file, in load order */
    for (size_t i = 0; i < m->n_sources; i++) {
        const wm_source *s = m->sources[i];
        for (size_t k = 0; k < s->len; k++)
            h = (h ^ (unsigned char)s->data[k]) * 1099511628211u;
        h = (h ^ 0xff) * 1099511628211u; /* a file boundary */
    }
    return wm_arena_printf(a, "%016llx", (unsigned long long)h);
}
