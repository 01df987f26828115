/* sema_entity.c - checks of entity definitions: types, modifiers, the key,
 * soft delete, references, filters and order.  Builds wm_entity. */
#include <ctype.h>
#include <string.h>

#include "sema.h"

static const char *const type_words[] = {
    "uuid", "text", "int", "bigint", "float", "decimal", "bool", "date", "timestamp",
    "enum", "json",
};
static const wm_type_kind type_kinds[] = {
    WM_T_UUID, WM_T_TEXT, WM_T_INT, WM_T_BIGINT, WM_T_FLOAT, WM_T_DECIMAL, WM_T_BOOL,
    WM_T_DATE, WM_T_TIMESTAMP, WM_T_ENUM, WM_T_JSON,
};

static size_t count_args(const ast_type *t)
{
    size_t n = 0;
    for (const ast_type_arg *a = t->args; a; a = a->next)
        n++;
    return n;
}

static bool number_arg(sema *s, const ast_type_arg *a, uint64_t lo, uint64_t hi,
                       const char *what, uint64_t *out)
{
    uint64_t v = 0;
    bool is_zero = a->is_number && strspn(a->text, "0") == strlen(a->text);
    bool ok = a->is_number && (wm_whole_number(a->text, hi, &v) || (lo == 0 && is_zero));
    if (!ok || v < lo) {
        wm_error(s->diags, a->loc, "%s must be a whole number from %llu to %llu", what,
                 (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    *out = v;
    return true;
}

static wm_type resolve_type(sema *s, const ast_type *at)
{
    wm_type t = { 0 };
    t.kind = WM_T_ANY; /* "unknown": suppresses follow-on errors */
    size_t n = sizeof type_words / sizeof *type_words;
    size_t k = 0;
    while (k < n && strcmp(at->word.text, type_words[k]) != 0)
        k++;
    if (k == n) {
        sema_unknown(s, at->word.loc, "type", at->word.text, type_words, n);
        return t;
    }
    wm_type_kind kind = type_kinds[k];
    size_t nargs = count_args(at);
    uint64_t v;
    switch (kind) {
    case WM_T_TEXT:
        if (at->has_args && nargs != 1) {
            wm_error(s->diags, at->loc, "text takes one length: text(N)");
            return t;
        }
        if (at->has_args) {
            if (!number_arg(s, at->args, 1, 10485760, "a text length", &v))
                return t;
            t.length = (uint32_t)v;
        }
        break;
    case WM_T_DECIMAL: {
        if (!at->has_args || nargs != 2) {
            wm_diag *d = wm_error(s->diags, at->loc, "decimal needs a precision and a scale");
            wm_hint(d, "write decimal(P,S), for example decimal(12,2)");
            return t;
        }
        uint64_t p, sc;
        if (!number_arg(s, at->args, 1, 1000, "a decimal precision", &p))
            return t;
        if (!number_arg(s, at->args->next, 0, p, "the scale of this decimal", &sc))
            return t;
        t.precision = (uint16_t)p;
        t.scale = (uint16_t)sc;
        break;
    }
    case WM_T_ENUM: {
        if (!at->has_args) {
            wm_diag *d = wm_error(s->diags, at->loc, "enum needs its values");
            wm_hint(d, "write enum(A, B, C)");
            return t;
        }
        t.enum_values = wm_arena_alloc(s->arena, nargs * sizeof *t.enum_values);
        wm_symtab seen = { 0 };
        for (const ast_type_arg *a = at->args; a; a = a->next) {
            if (a->is_number) {
                wm_error(s->diags, a->loc, "enum values are names, not numbers");
                return t;
            }
            for (const char *c = a->text; *c; c++) {
                if ((unsigned char)*c >= 0x80 || (c == a->text && *c == '_') || (c[0] == '_' && c[1] == '_')) {
                    wm_diag *d = wm_error(s->diags, a->loc, "enum value '%s' cannot name a C constant", a->text);
                    wm_hint(d, "enum values are ASCII letters, digits and single '_', not first");
                    return t;
                }
            }
            /* case-folded, since the C constants are upper case */
            char *folded = wm_arena_strdup(s->arena, a->text);
            for (char *c = folded; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            const char *first = wm_symtab_put(s->arena, &seen, folded, (void *)a->text);
            if (first) {
                if (strcmp(first, a->text) == 0)
                    wm_error(s->diags, a->loc, "enum value '%s' is listed twice", a->text);
                else
                    wm_error(s->diags, a->loc, "enum values '%s' and '%s' differ only in case", first, a->text);
                return t;
            }
            t.enum_values[t.n_enum_values++] = a->text;
        }
        break;
    }
    default:
        if (at->has_args) {
            wm_error(s->diags, at->loc, "type '%s' takes no arguments", at->word.text);
            return t;
        }
    }
    t.kind = kind;
    return t;
}

static const char *const modifier_words[] = {
    [AST_KEY] = "key", [AST_REQUIRED] = "required", [AST_UNIQUE] = "unique",
    [AST_AUTO] = "auto", [AST_SOFT_DELETE] = "soft_delete", [AST_RANGE] = "range",
    [AST_DEFAULT] = "default", [AST_REFERENCES] = "references",
};

/* Apply one modifier to the field; the type is already known. */
static void apply_modifier(sema *s, wm_field *f, const ast_modifier *m)
{
    const wm_type_kind k = f->type.kind;
    bool is_known = k != WM_T_ANY;
    switch (m->kind) {
    case AST_KEY: f->is_key = true; break;
    case AST_REQUIRED: f->is_required = true; break;
    case AST_UNIQUE:
        f->is_unique = true;
        if (k == WM_T_JSON)
            wm_error(s->diags, m->loc, "a json field cannot be unique");
        break;
    case AST_AUTO:
        f->is_auto = true;
        if (is_known && k != WM_T_TIMESTAMP)
            wm_error(s->diags, m->loc, "auto applies to timestamp fields; '%s' is %s", f->name,
                     wm_type_kind_name(k));
        break;
    case AST_SOFT_DELETE:
        f->is_soft_delete = true;
        if (is_known && k != WM_T_TIMESTAMP)
            wm_error(s->diags, m->loc, "soft_delete applies to timestamp fields; '%s' is %s",
                     f->name, wm_type_kind_name(k));
        break;
    case AST_RANGE:
        f->has_range = true;
        f->range_lo = m->lo;
        f->range_hi = m->hi;
        if (is_known && !wm_type_is_numeric(k)) {
            wm_error(s->diags, m->loc, "range applies to numeric fields; '%s' is %s", f->name,
                     wm_type_kind_name(k));
        } else if (wm_number_compare(m->lo.text, m->hi.text) > 0) {
            wm_error(s->diags, m->lo.loc, "empty range: %s is greater than %s", m->lo.text,
                     m->hi.text);
        } else if (is_known) {
            sema_check_literal(s, &m->lo, f, "range bound");
            sema_check_literal(s, &m->hi, f, "range bound");
        }
        break;
    case AST_DEFAULT:
        f->has_default = true;
        f->default_value = m->value;
        if (m->value.kind == WM_L_NULL) {
            wm_error(s->diags, m->value.loc, "'default null' says nothing: optional fields are null unless set");
        } else if (is_known) {
            sema_check_literal(s, &m->value, f, "default");
        }
        break;
    case AST_REFERENCES:
        break; /* resolved once every entity is declared */
    }
}

/* Column names PostgreSQL or the sync agent keep for themselves. */
static void check_column_name(sema *s, const ast_name *n)
{
    static const char *const system[] = { "tableoid", "xmin", "cmin", "xmax", "cmax", "ctid" };
    for (size_t i = 0; i < sizeof system / sizeof *system; i++)
        if (strcmp(n->text, system[i]) == 0) {
            wm_diag *d = wm_error(s->diags, n->loc, "field name '%s' is a PostgreSQL system column", n->text);
            wm_hint(d, "every PostgreSQL table has a column of that name already; choose another name");
            return;
        }
    if (strncmp(n->text, "wellos_sync_", strlen("wellos_sync_")) == 0) {
        wm_diag *d = wm_error(s->diags, n->loc, "field name '%s' is reserved for the sync agent", n->text);
        wm_hint(d, "a synced table carries the agent's row stamp in columns named wellos_sync_*");
    }
}

static void check_field_rules(sema *s, wm_field *f, const ast_field *af)
{
    const ast_modifier *by_kind[AST_REFERENCES + 1] = { 0 };
    for (const ast_modifier *m = af->modifiers; m; m = m->next) {
        /* the list is in reverse: the later duplicate is seen first */
        if (by_kind[m->kind]) {
            wm_diag *d = wm_error(s->diags, by_kind[m->kind]->loc, "'%s' is given twice for field '%s'",
                                  modifier_words[m->kind], f->name);
            wm_note(d, m->loc, "first given here");
        }
        by_kind[m->kind] = m;
    }
    /* a default is checked against the type and the range: those first */
    for (const ast_modifier *m = af->modifiers; m; m = m->next)
        if (m->kind != AST_DEFAULT)
            apply_modifier(s, f, m);
    for (const ast_modifier *m = af->modifiers; m; m = m->next)
        if (m->kind == AST_DEFAULT)
            apply_modifier(s, f, m);
    if (f->is_soft_delete && (f->is_key || f->is_required))
        wm_error(s->diags, by_kind[AST_SOFT_DELETE]->loc,
                 "a soft_delete field cannot be %s: it is null while a row is live",
                 f->is_key ? "the key" : "required");
    if (f->is_key && f->has_default && f->default_value.kind != WM_L_NOW)
        wm_error(s->diags, by_kind[AST_DEFAULT]->loc, "the key field cannot have a default");
    if (f->is_key && f->is_auto)
        wm_error(s->diags, by_kind[AST_AUTO]->loc, "the key field cannot be auto");
    if (f->is_key && (f->type.kind == WM_T_JSON || f->type.kind == WM_T_FLOAT))
        wm_error(s->diags, by_kind[AST_KEY]->loc, "a %s field cannot be the key",
                 wm_type_kind_name(f->type.kind));
    if (f->is_key)
        f->is_required = true;
}

wm_entity *sema_declare_entity(sema *s, const ast_entity *ae)
{
    wm_entity *e = wm_arena_alloc(s->arena, sizeof *e);
    e->name = ae->name.text;
    e->loc = ae->name.loc;
    sema_check_c_name(s, &ae->name, "entity");
    if (ae->table.text) {
        e->table = ae->table.text;
        sema_check_c_name(s, &ae->table, "table");
    } else {
        e->table = ae->name.text;
    }
    wm_entity *other = wm_symtab_put(s->arena, &s->tables, e->table, e);
    if (other) {
        wm_diag *d = wm_error(s->diags, ae->table.text ? ae->table.loc : ae->name.loc,
                              "table '%s' is already the table of entity '%s'", e->table, other->name);
        wm_note(d, other->loc, "entity '%s' is defined here", other->name);
    }

    size_t n = 0;
    for (const ast_field *af = ae->fields; af; af = af->next)
        n++;
    e->fields = wm_arena_alloc(s->arena, (n ? n : 1) * sizeof *e->fields);
    wm_symtab names = { 0 };
    for (const ast_field *af = ae->fields; af; af = af->next) {
        const ast_field *first = wm_symtab_put(s->arena, &names, af->name.text, (void *)af);
        if (first) {
            wm_diag *d = wm_error(s->diags, af->name.loc, "field '%s' is declared twice in entity '%s'",
                                  af->name.text, e->name);
            wm_note(d, first->name.loc, "first declared here");
            continue;
        }
        wm_field *f = wm_arena_alloc(s->arena, sizeof *f);
        f->name = af->name.text;
        f->loc = af->name.loc;
        f->entity = e;
        f->index = e->n_fields;
        if (sema_check_c_name(s, &af->name, "field"))
            check_column_name(s, &af->name);
        f->type = resolve_type(s, &af->type);
        check_field_rules(s, f, af);
        e->fields[e->n_fields++] = f;
    }

    for (size_t i = 0; i < e->n_fields; i++) {
        wm_field *f = e->fields[i];
        if (f->is_key) {
            if (e->key) {
                wm_diag *d = wm_error(s->diags, f->loc, "entity '%s' has a second key field '%s'",
                                      e->name, f->name);
                wm_hint(d, "composite keys are not supported; give the entity one key field");
                wm_note(d, e->key->loc, "the key is '%s'", e->key->name);
            } else {
                e->key = f;
            }
        }
        if (f->is_soft_delete) {
            if (e->soft_delete) {
                wm_diag *d = wm_error(s->diags, f->loc, "entity '%s' has a second soft_delete field '%s'",
                                      e->name, f->name);
                wm_note(d, e->soft_delete->loc, "the first is '%s'", e->soft_delete->name);
            } else {
                e->soft_delete = f;
            }
        }
        if (f->is_auto) {
            if (e->auto_updated) {
                wm_diag *d = wm_error(s->diags, f->loc, "entity '%s' has a second auto field '%s'",
                                      e->name, f->name);
                wm_note(d, e->auto_updated->loc, "the first is '%s'", e->auto_updated->name);
            } else {
                e->auto_updated = f;
            }
        }
    }
    if (!e->key) {
        wm_diag *d = wm_error(s->diags, ae->name.loc, "entity '%s' has no key field", e->name);
        wm_hint(d, "mark the field that identifies a row 'key', e.g. 'id uuid key'");
    }
    return e;
}

wm_field *sema_find_field(sema *s, wm_entity *e, const ast_name *n, const char *context)
{
    for (size_t i = 0; i < e->n_fields; i++)
        if (strcmp(e->fields[i]->name, n->text) == 0)
            return e->fields[i];
    const char **names = wm_arena_alloc(s->arena, (e->n_fields + 1) * sizeof *names);
    for (size_t i = 0; i < e->n_fields; i++)
        names[i] = e->fields[i]->name;
    wm_diag *d = wm_error(s->diags, n->loc, "unknown field '%s' %s entity '%s'", n->text, context,
                          e->name);
    const char *guess = wm_closest(n->text, names, e->n_fields);
    if (guess)
        wm_hint(d, "did you mean '%s'?", guess);
    return NULL;
}

static void resolve_reference(sema *s, wm_entity *e, const ast_field *af)
{
    wm_field *f = NULL;
    for (size_t i = 0; i < e->n_fields; i++)
        if (strcmp(e->fields[i]->name, af->name.text) == 0)
            f = e->fields[i];
    for (const ast_modifier *m = af->modifiers; m && f; m = m->next) {
        if (m->kind != AST_REFERENCES)
            continue;
        wm_entity *target = sema_find_entity(s, &m->target, " in references");
        if (!target || !target->key)
            continue;
        f->references = target;
        wm_type_kind mine = f->type.kind, theirs = target->key->type.kind;
        if (mine != WM_T_ANY && theirs != WM_T_ANY && mine != theirs) {
            wm_diag *d = wm_error(s->diags, m->target.loc,
                                  "field '%s' is %s but references '%s', whose key '%s' is %s",
                                  f->name, wm_type_kind_name(mine), target->name,
                                  target->key->name, wm_type_kind_name(theirs));
            wm_note(d, target->key->loc, "the key of '%s' is declared here", target->name);
        }
    }
}

void sema_resolve_entity(sema *s, const ast_entity *ae, wm_entity *e)
{
    for (const ast_field *af = ae->fields; af; af = af->next)
        resolve_reference(s, e, af);

    size_t n = 0;
    for (const ast_filter *af = ae->filters; af; af = af->next)
        n++;
    e->filters = wm_arena_alloc(s->arena, (n ? n : 1) * sizeof *e->filters);
    wm_symtab names = { 0 };
    for (const ast_filter *af = ae->filters; af; af = af->next) {
        wm_field *f = sema_find_field(s, e, &af->field, "in the filters of");
        if (!f)
            continue;
        if (f->type.kind == WM_T_JSON) {
            wm_error(s->diags, af->field.loc, "cannot filter on json field '%s'", f->name);
            continue;
        }
        if (af->has_op && af->op != WM_CMP_EQ && !af->alias.text) {
            wm_diag *d = wm_error(s->diags, af->op_loc, "a comparison filter needs a name");
            wm_hint(d, "add 'as NAME', e.g. '%s >= as %s_from'", f->name, f->name);
            continue;
        }
        wm_filter *flt = &e->filters[e->n_filters];
        flt->field = f;
        flt->op = af->has_op ? af->op : WM_CMP_EQ;
        flt->name = af->alias.text ? af->alias.text : f->name;
        flt->loc = af->alias.text ? af->alias.loc : af->field.loc;
        if (af->alias.text && !sema_check_c_name(s, &af->alias, "filter"))
            continue;
        const wm_filter *first = wm_symtab_put(s->arena, &names, flt->name, flt);
        if (first) {
            wm_diag *d = wm_error(s->diags, flt->loc, "filter '%s' is declared twice in entity '%s'",
                                  flt->name, e->name);
            wm_note(d, first->loc, "first declared here");
            continue;
        }
        e->n_filters++;
    }

    n = 0;
    for (const ast_order *ao = ae->orders; ao; ao = ao->next)
        n++;
    e->orders = wm_arena_alloc(s->arena, (n ? n : 1) * sizeof *e->orders);
    for (const ast_order *ao = ae->orders; ao; ao = ao->next) {
        wm_field *f = sema_find_field(s, e, &ao->field, "in the order of");
        if (!f)
            continue;
        bool is_repeated = false;
        for (size_t i = 0; i < e->n_orders; i++) {
            if (e->orders[i].field == f) {
                wm_diag *d = wm_error(s->diags, ao->field.loc, "field '%s' is ordered on twice", f->name);
                wm_note(d, e->orders[i].loc, "first here");
                is_repeated = true;
            }
        }
        if (f->type.kind == WM_T_JSON) {
            wm_error(s->diags, ao->field.loc, "cannot order on json field '%s'", f->name);
            continue;
        }
        if (is_repeated)
            continue;
        wm_order *o = &e->orders[e->n_orders++];
        o->field = f;
        o->is_descending = ao->is_descending;
        o->loc = ao->field.loc;
    }
}

bool sema_check_literal(sema *s, const wm_literal *lit, const wm_field *f, const char *what)
{
    const char *why = wm_literal_problem(s->arena, lit, &f->type);
    if (!why && f->has_range && lit->kind == WM_L_NUMBER
        && (wm_number_compare(lit->text, f->range_lo.text) < 0 || wm_number_compare(lit->text, f->range_hi.text) > 0))
        why = wm_arena_printf(s->arena, "%s is outside the range %s .. %s", lit->text, f->range_lo.text,
                              f->range_hi.text);
    if (!why)
        return true;
    wm_diag *d = wm_error(s->diags, lit->loc, "invalid %s for field '%s': %s", what, f->name, why);
    if ((lit->kind == WM_L_NAME || lit->kind == WM_L_STRING) && f->type.kind == WM_T_ENUM) {
        const char *guess = wm_closest(lit->text, f->type.enum_values, f->type.n_enum_values);
        if (guess)
            wm_hint(d, "did you mean '%s'?", guess);
    }
    return false;
}
