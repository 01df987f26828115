/* ctypes.h - how entities and fields appear in generated C: type names,
 * enum constants, and which fields are optional (wr_opt_* or NULL). */
#ifndef WM_CTYPES_H
#define WM_CTYPES_H

#include "arena.h"
#include "model.h"

typedef struct wm_cnames {
    const char *base;   /* well */
    const char *type;   /* wos_well */
    const char *upper;  /* WOS_WELL */
} wm_cnames;

wm_cnames wm_entity_cnames(wm_arena *a, const wm_entity *e);

/* Optional in C: it may be NULL, or save() may leave it to the database
 * (a default, an auto field). */
bool wm_field_is_optional(const wm_field *f);
bool wm_field_is_pointer(const wm_field *f);          /* text and json: const char * */
const char *wm_field_ctype(wm_arena *a, const wm_field *f);     /* its member's type */
const char *wm_field_value_ctype(wm_arena *a, const wm_field *f); /* the value inside an opt */
const char *wm_enum_ctype(wm_arena *a, const wm_field *f);      /* wos_well_status */
const char *wm_enum_cvalue(wm_arena *a, const wm_field *f, const char *value); /* WOS_WELL_STATUS_ACTIVE */
/* "%s %s" of a parameter taking the field's value: "wr_uuid id". */
const char *wm_field_param(wm_arena *a, const wm_field *f);

#endif
