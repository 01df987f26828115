/* types.h - the type rules of the language: which values convert to which
 * field types, and whether a literal is a valid value of a type.  Shared by
 * the entity and the tenant checks so both say the same thing. */
#ifndef WM_TYPES_H
#define WM_TYPES_H

#include "arena.h"
#include "model.h"

typedef enum {
    WM_CONV_OK,
    WM_CONV_NEEDS_PARSE_NUMBER,     /* text into a number: say how to parse it */
    WM_CONV_NEEDS_PARSE_DATE,
    WM_CONV_NEEDS_PARSE_TIMESTAMP,
    WM_CONV_NEVER,
} wm_conversion;

bool wm_type_is_numeric(wm_type_kind k);
/* "text(255)", "decimal(12,2)", "enum", "int" ... */
const char *wm_type_display(wm_arena *a, const wm_type *t);
wm_conversion wm_convert(const wm_type *from, const wm_type *to);

/* NULL when lit is a valid value of t; otherwise why not, as a message. */
const char *wm_literal_problem(wm_arena *a, const wm_literal *lit, const wm_type *t);

/* The type of a literal on its own (a number's narrowest type). */
wm_type wm_literal_type(const wm_literal *lit);

/* Compare two number literals: <0, 0, >0. */
int wm_number_compare(const char *a, const char *b);

/* A whole number in [1, max]: false if it is not one. */
bool wm_whole_number(const char *text, uint64_t max, uint64_t *out);

/* Is the enum type t a member named name? */
bool wm_enum_has(const wm_type *t, const char *name);

#endif
