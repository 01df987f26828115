/* store.c - build wm_store from the model. */
#include "store.h"

static wm_store *store_new(wm_arena *a, const wm_entity *e, wm_dialect d)
{
    wm_store *s = wm_arena_alloc(a, sizeof *s);
    s->entity = e;
    s->dialect = d;
    s->n_cols = e->n_fields;
    s->cols = wm_arena_alloc(a, (e->n_fields + 1) * sizeof *s->cols);
    for (size_t i = 0; i < e->n_fields; i++)
        s->cols[i].field = e->fields[i];
    return s;
}

static void find_special(wm_store *s)
{
    const wm_entity *e = s->entity;
    s->key = &s->cols[e->key->index];
    /* written by delete() and save(): only a writable column will do */
    if (e->soft_delete && s->cols[e->soft_delete->index].is_writable)
        s->soft_delete = &s->cols[e->soft_delete->index];
    if (e->auto_updated && s->cols[e->auto_updated->index].is_writable)
        s->auto_updated = &s->cols[e->auto_updated->index];
}

wm_store *wm_store_canonical(wm_arena *a, const wm_entity *e, wm_dialect d)
{
    wm_store *s = store_new(a, e, d);
    const char **part = wm_arena_alloc(a, sizeof *part);
    *part = e->table;
    s->table.parts = part;
    s->table.is_quoted = wm_arena_alloc(a, sizeof(bool));
    s->table.n_parts = 1;
    s->table.loc = e->loc;
    for (size_t i = 0; i < e->n_fields; i++) {
        s->cols[i].column = e->fields[i]->name;
        s->cols[i].is_mapped = true;
        s->cols[i].is_writable = true;
    }
    find_special(s);
    return s;
}

wm_store *wm_store_for(wm_arena *a, const wm_tenant *t, const wm_entity *e)
{
    if (t->strategy == WM_STRATEGY_NATIVE) {
        wm_store *s = wm_store_canonical(a, e, WM_DIALECT_POSTGRES);
        s->tenant = t;
        return s;
    }
    if (t->strategy == WM_STRATEGY_ETL) { /* the agent fills the canonical tables of the target */
        wm_store *s = wm_store_canonical(a, e, t->target.dialect);
        s->tenant = t;
        return s;
    }
    const wm_mapping *m = NULL;
    for (size_t i = 0; i < t->n_mappings && !m; i++)
        if (t->mappings[i].entity == e)
            m = &t->mappings[i];
    if (!m)
        return NULL;
    wm_store *s = store_new(a, e, t->database.dialect);
    s->tenant = t;
    s->is_adapter = true;
    s->table = m->table;
    for (size_t i = 0; i < m->n_fields; i++) {
        const wm_field_map *fm = &m->fields[i];
        wm_store_col *c = &s->cols[fm->field->index];
        c->is_mapped = true;
        c->map = fm->value_map;
        c->is_writable = fm->is_writable;
        if (fm->expr->kind == WM_E_COLUMN)
            c->column = fm->expr->name;
        else
            c->read_expr = fm->expr;
    }
    find_special(s);
    return s;
}
