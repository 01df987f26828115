/* sema.h - semantic analysis, split by what it checks: sema.c (the run:
 * names and passes), sema_entity.c, sema_tenant.c, sema_expr.c.  Private to
 * the front end. */
#ifndef WM_SEMA_H
#define WM_SEMA_H

#include "frontend.h"
#include "symtab.h"
#include "types.h"

typedef struct sema {
    wm_arena *arena;
    wm_diags *diags;
    wm_symtab entities;         /* name -> wm_entity * */
    wm_symtab entity_decls;     /* name -> ast_entity *, the first definition */
    wm_symtab tables;           /* table name -> wm_entity * */
    wm_symtab tenants;          /* name -> ast_tenant * */
    wm_ptrvec entity_names;     /* for "did you mean" */
} sema;

/* Entities: declare (fields, types, modifiers), then resolve (references,
 * filters, orders) once every entity is known. */
wm_entity *sema_declare_entity(sema *s, const ast_entity *ast);
void sema_resolve_entity(sema *s, const ast_entity *ast, wm_entity *e);

wm_tenant *sema_tenant(sema *s, const ast_tenant *ast);

/* Expressions: give e and its parts a type; false when it had errors
 * (already reported). */
bool sema_type_expr(sema *s, wm_expr *e);
/* Can the typed expression be stored in field f?  Reports why not at loc. */
void sema_check_assign(sema *s, const wm_expr *e, const wm_field *f);
/* Is the literal a valid value for field f?  Reports at the literal. */
bool sema_check_literal(sema *s, const wm_literal *lit, const wm_field *f, const char *what);

wm_field *sema_find_field(sema *s, wm_entity *e, const ast_name *n, const char *context);
wm_entity *sema_find_entity(sema *s, const ast_name *name, const char *context);

/* Names the generated C and SQL can use as they are. */
bool sema_check_c_name(sema *s, const ast_name *n, const char *what);

/* "did you mean": report an unknown word against a list of known ones. */
void sema_unknown(sema *s, wm_loc loc, const char *what, const char *word,
                  const char *const *known, size_t n_known);

#endif
