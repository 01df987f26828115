/* sema.c - the analysis run: gather every entity and tenant of every
 * loaded file, check names are unique, hand each to its checker, and build
 * the model.  The model is returned only when there was no error, so an
 * emitter never sees a spec that failed a check. */
#include <string.h>

#include "names.h"
#include "sema.h"

void sema_unknown(sema *s, wm_loc loc, const char *what, const char *word,
                  const char *const *known, size_t n_known)
{
    wm_diag *d = wm_error(s->diags, loc, "unknown %s '%s'", what, word);
    const char *guess = wm_closest(word, known, n_known);
    if (guess) {
        wm_hint(d, "did you mean '%s'?", guess);
    } else if (n_known && n_known <= 12) {
        char list[512];
        size_t used = 0;
        for (size_t i = 0; i < n_known && used < sizeof list; i++) {
            int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", known[i]);
            if (k < 0)
                break;
            used += (size_t)k;
        }
        wm_hint(d, "expected one of: %s", list);
    }
}

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
    "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
    "true", "false", "errno", "NULL",
};

bool sema_check_c_name(sema *s, const ast_name *n, const char *what)
{
    const char *t = n->text;
    if (n->is_quoted) {
        wm_error(s->diags, n->loc, "%s name cannot be quoted", what);
        return false;
    }
    for (const char *c = t; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch >= 0x80) {
            wm_diag *d = wm_error(s->diags, n->loc, "%s name '%s' is not ASCII", what, t);
            wm_hint(d, "canonical names become C and SQL identifiers: use letters, digits and '_'");
            return false;
        }
    }
    if (t[0] == '_' || strstr(t, "__")) {
        wm_diag *d = wm_error(s->diags, n->loc, "%s name '%s' is reserved in C", what, t);
        wm_hint(d, "names that start with '_' or contain '__' belong to the C implementation");
        return false;
    }
    for (size_t i = 0; i < sizeof c_keywords / sizeof *c_keywords; i++) {
        if (strcmp(t, c_keywords[i]) == 0) {
            wm_diag *d = wm_error(s->diags, n->loc, "%s name '%s' is a C keyword", what, t);
            wm_hint(d, "generated code names a C member after it; choose another name");
            return false;
        }
    }
    if (strlen(t) > 63) {
        wm_error(s->diags, n->loc, "%s name '%s' is longer than 63 bytes, PostgreSQL's limit",
                 what, t);
        return false;
    }
    return true;
}

wm_entity *sema_find_entity(sema *s, const ast_name *name, const char *context)
{
    wm_entity *e = wm_symtab_get(&s->entities, name->text);
    if (!e) {
        wm_diag *d = wm_error(s->diags, name->loc, "unknown entity '%s'%s", name->text, context);
        const char *guess = wm_closest(name->text, (const char *const *)s->entity_names.items,
                                       s->entity_names.len);
        if (guess)
            wm_hint(d, "did you mean '%s'?", guess);
    }
    return e;
}

/* FooBar and Foo_bar are two entities but one C type (wos_foo_bar). */
static void check_c_names_unique(sema *s, const wm_ptrvec *entities)
{
    wm_symtab seen = { 0 };
    for (size_t i = 0; i < entities->len; i++) {
        const wm_entity *e = entities->items[i];
        const char *c = wm_c_name(s->arena, e->name);
        const wm_entity *first = wm_symtab_put(s->arena, &seen, c, (void *)e);
        if (first) {
            wm_diag *d = wm_error(s->diags, e->loc, "entities '%s' and '%s' would both be the C type wos_%s",
                                  first->name, e->name, c);
            wm_note(d, first->loc, "'%s' is defined here", first->name);
        }
    }
}

wm_model *wm_analyze(wm_frontend *f)
{
    /* After a syntax error the tree has holes: checking it would report
     * consequences (an unmapped field whose line was dropped) as causes. */
    if (f->diags.errors)
        return NULL;
    sema s;
    memset(&s, 0, sizeof s);
    s.arena = f->arena;
    s.diags = &f->diags;
    wm_model *m = wm_arena_alloc(f->arena, sizeof *m);

    wm_ptrvec entities = { 0 }, entity_asts = { 0 }, tenants = { 0 };
    for (size_t i = 0; i < f->files.len; i++) {
        const ast_file *file = f->files.items[i];
        for (ast_entity *ae = file->entities; ae; ae = ae->next) {
            const ast_entity *first = wm_symtab_get(&s.entity_decls, ae->name.text);
            if (first) {
                wm_diag *d = wm_error(s.diags, ae->name.loc, "entity '%s' is defined twice",
                                      ae->name.text);
                wm_note(d, first->name.loc, "first defined here");
                continue;
            }
            wm_symtab_put(s.arena, &s.entity_decls, ae->name.text, ae);
            wm_ptrvec_push(s.arena, &s.entity_names, (void *)ae->name.text);
            wm_entity *e = sema_declare_entity(&s, ae);
            wm_symtab_put(s.arena, &s.entities, e->name, e);
            wm_ptrvec_push(s.arena, &entities, e);
            wm_ptrvec_push(s.arena, &entity_asts, ae);
        }
    }
    for (size_t i = 0; i < entities.len; i++)
        sema_resolve_entity(&s, entity_asts.items[i], entities.items[i]);
    check_c_names_unique(&s, &entities);

    for (size_t i = 0; i < f->files.len; i++) {
        const ast_file *file = f->files.items[i];
        for (ast_tenant *at = file->tenants; at; at = at->next) {
            const ast_tenant *first = wm_symtab_put(s.arena, &s.tenants, at->name.text, at);
            if (first) {
                wm_diag *d = wm_error(s.diags, at->name.loc, "tenant '%s' is defined twice",
                                      at->name.text);
                wm_note(d, first->name.loc, "first defined here");
                continue;
            }
            wm_ptrvec_push(s.arena, &tenants, sema_tenant(&s, at));
        }
    }

    m->entities = (wm_entity **)entities.items;
    m->n_entities = entities.len;
    m->tenants = (wm_tenant **)tenants.items;
    m->n_tenants = tenants.len;
    m->sources = wm_arena_alloc(f->arena, (f->files.len + 1) * sizeof *m->sources);
    for (size_t i = 0; i < f->files.len; i++)
        m->sources[i] = ((const ast_file *)f->files.items[i])->src;
    m->n_sources = f->files.len;
    return f->diags.errors ? NULL : m;
}
