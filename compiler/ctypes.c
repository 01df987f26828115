/* ctypes.c - C spellings of model types. */
#include "ctypes.h"

#include <string.h>

#include "names.h"

wm_cnames wm_entity_cnames(wm_arena *a, const wm_entity *e)
{
    wm_cnames n;
    n.base = wm_c_name(a, e->name);
    n.type = wm_arena_printf(a, "wos_%s", n.base);
    n.upper = wm_c_upper(a, n.type);
    return n;
}

bool wm_field_is_optional(const wm_field *f)
{
    return !f->is_key && (!f->is_required || f->has_default || f->is_auto);
}

bool wm_field_is_pointer(const wm_field *f)
{
    return f->type.kind == WM_T_TEXT || f->type.kind == WM_T_JSON;
}

const char *wm_enum_ctype(wm_arena *a, const wm_field *f)
{
    wm_cnames n = wm_entity_cnames(a, f->entity);
    return wm_arena_printf(a, "%s_%s", n.type, f->name);
}

const char *wm_enum_cvalue(wm_arena *a, const wm_field *f, const char *value)
{
    return wm_c_upper(a, wm_arena_printf(a, "%s_%s", wm_enum_ctype(a, f), value));
}

const char *wm_field_value_ctype(wm_arena *a, const wm_field *f)
{
    switch (f->type.kind) {
    case WM_T_UUID: return "wr_uuid";
    case WM_T_TEXT:
    case WM_T_JSON: return "const char *";
    case WM_T_INT: return "int32_t";
    case WM_T_BIGINT: return "int64_t";
    case WM_T_FLOAT: return "double";
    case WM_T_DECIMAL: return "wr_decimal";
    case WM_T_BOOL: return "bool";
    case WM_T_DATE: return "wr_date";
    case WM_T_TIMESTAMP: return "wr_timestamp";
    case WM_T_ENUM: return wm_enum_ctype(a, f);
    case WM_T_ANY:
    case WM_T_NULL: break;
    }
    return "const char *";
}

const char *wm_field_ctype(wm_arena *a, const wm_field *f)
{
    if (!wm_field_is_optional(f) || wm_field_is_pointer(f))
        return wm_field_value_ctype(a, f);
    switch (f->type.kind) {
    case WM_T_UUID: return "wr_opt_uuid";
    case WM_T_INT: return "wr_opt_int";
    case WM_T_BIGINT: return "wr_opt_bigint";
    case WM_T_FLOAT: return "wr_opt_float";
    case WM_T_DECIMAL: return "wr_opt_decimal";
    case WM_T_BOOL: return "wr_opt_bool";
    case WM_T_DATE: return "wr_opt_date";
    case WM_T_TIMESTAMP: return "wr_opt_timestamp";
    case WM_T_ENUM: return wm_arena_printf(a, "%s_opt", wm_enum_ctype(a, f));
    default: break;
    }
    return wm_field_value_ctype(a, f);
}

const char *wm_field_param(wm_arena *a, const wm_field *f)
{
    const char *t = wm_field_value_ctype(a, f);
    return wm_arena_printf(a, "%s%s%s", t, t[0] && t[strlen(t) - 1] == '*' ? "" : " ", f->name);
}
