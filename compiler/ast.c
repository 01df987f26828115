/* ast.c - constructors the grammar's actions call.  They bound the height
 * of expression trees, so that no later recursive walk can exhaust the
 * stack on a hostile spec ("a+a+a+..." a megabyte long). */
#include <string.h>

#include "parse.h"

/* Arrays grow by doubling, without a capacity field: a count that is a
 * power of two (or zero) means the array is full.  Keeps a spec with a
 * hundred-thousand-entry map linear. */
static bool is_full(size_t n) { return (n & (n - 1)) == 0; }

static void *grown(wm_parser *p, void *old, size_t n, size_t size)
{
    if (!is_full(n))
        return old;
    void *fresh = wm_arena_alloc(p->arena, (n ? 2 * n : 1) * size);
    if (n)
        memcpy(fresh, old, n * size);
    return fresh;
}

wm_expr *wm_expr_new(wm_parser *p, wm_expr_kind kind, wm_loc loc)
{
    wm_expr *e = wm_arena_alloc(p->arena, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    e->depth = 1;
    return e;
}

static void grow(wm_parser *p, wm_expr *parent, const wm_expr *child)
{
    if (child->depth + 1 > parent->depth)
        parent->depth = child->depth + 1;
    if (parent->depth > WM_MAX_EXPR_DEPTH && !p->is_stopped) {
        wm_error(p->diags, parent->loc, "expression nested too deeply (the limit is %d levels)",
                 WM_MAX_EXPR_DEPTH);
        p->is_stopped = true;
    }
}

void wm_expr_add_arg(wm_parser *p, wm_expr *e, wm_expr *arg)
{
    e->args = grown(p, e->args, e->n_args, sizeof *e->args);
    e->args[e->n_args++] = arg;
    grow(p, e, arg);
}

wm_expr *wm_expr_binary(wm_parser *p, wm_binop op, wm_expr *l, wm_expr *r, wm_loc loc)
{
    wm_expr *e = wm_expr_new(p, WM_E_BINARY, loc);
    e->op = op;
    wm_expr_add_arg(p, e, l);
    wm_expr_add_arg(p, e, r);
    return e;
}

wm_expr *wm_expr_neg(wm_parser *p, wm_expr *operand, wm_loc loc)
{
    wm_expr *e = wm_expr_new(p, WM_E_NEG, loc);
    wm_expr_add_arg(p, e, operand);
    return e;
}

void wm_value_map_add(wm_parser *p, wm_value_map *m, wm_map_entry entry)
{
    m->entries = grown(p, m->entries, m->n_entries, sizeof *m->entries);
    m->entries[m->n_entries++] = entry;
}

void wm_table_name_add(wm_parser *p, wm_table_name *t, const char *part, bool is_quoted, wm_loc loc)
{
    (void)loc;
    t->parts = grown(p, t->parts, t->n_parts, sizeof *t->parts);
    t->is_quoted = grown(p, t->is_quoted, t->n_parts, sizeof *t->is_quoted);
    t->parts[t->n_parts] = part;
    t->is_quoted[t->n_parts++] = is_quoted;
}
