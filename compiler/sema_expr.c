/* sema_expr.c - types of transform expressions, and whether a value of that
 * type can be stored in a field.  A source column has no static type (its
 * type is the client's, known at run time); everything else is checked
 * here so that a bad transform fails in the build, not in the night. */
#include <stdlib.h>
#include <string.h>

#include "sema.h"

typedef struct {
    const char *name;
    wm_func func;
    size_t min_args, max_args;
} func_info;

static const func_info funcs[] = {
    { "upper", WM_FN_UPPER, 1, 1 },
    { "lower", WM_FN_LOWER, 1, 1 },
    { "trim", WM_FN_TRIM, 1, 1 },
    { "coalesce", WM_FN_COALESCE, 2, 16 },
    { "parse_date", WM_FN_PARSE_DATE, 2, 2 },
    { "parse_timestamp", WM_FN_PARSE_TIMESTAMP, 2, 2 },
    { "parse_number", WM_FN_PARSE_NUMBER, 1, 1 },
};
enum { N_FUNCS = sizeof funcs / sizeof *funcs };

static wm_type of_kind(wm_type_kind k)
{
    wm_type t = { 0 };
    t.kind = k;
    return t;
}

static bool is_textual(wm_type_kind k) { return k == WM_T_TEXT || k == WM_T_ANY || k == WM_T_NULL; }
static bool is_number_like(wm_type_kind k) { return wm_type_is_numeric(k) || k == WM_T_ANY || k == WM_T_NULL; }

/* The wider of two numeric types: int < bigint < decimal < float. */
static wm_type_kind wider(wm_type_kind a, wm_type_kind b)
{
    static const int rank[] = { [WM_T_INT] = 1, [WM_T_BIGINT] = 2, [WM_T_DECIMAL] = 3, [WM_T_FLOAT] = 4 };
    return rank[a] >= rank[b] ? a : b;
}

/* strptime-style formats: only the conversions the agent implements. */
static bool check_format(sema *s, const wm_expr *fmt, bool has_time)
{
    const char *ok_date = "YmdybBjeF%";
    const char *ok_time = "HMSfpIzZT";
    for (const char *c = fmt->lit.text; *c; c++) {
        if (*c != '%')
            continue;
        char conv = c[1];
        if (conv && (strchr(ok_date, conv) || (has_time && strchr(ok_time, conv)))) {
            c++;
            continue;
        }
        wm_diag *d = wm_error(s->diags, fmt->loc, "unsupported conversion '%%%c' in format \"%s\"",
                              conv ? conv : ' ', fmt->lit.text);
        wm_hint(d, has_time ? "use %%Y %%m %%d %%H %%M %%S %%f %%z and their kin"
                            : "use %%Y %%m %%d %%y %%b %%j, or parse_timestamp for times");
        return false;
    }
    const char *f = fmt->lit.text;
    bool has_year = strstr(f, "%Y") || strstr(f, "%y") || strstr(f, "%F");
    bool has_12h = strstr(f, "%I") != NULL, has_ampm = strstr(f, "%p") != NULL;
    if (!has_year || has_12h != has_ampm) {
        wm_error(s->diags, fmt->loc, !has_year ? "the format \"%s\" has no year (%%Y, %%y or %%F)"
                                                : "the format \"%s\" needs %%I and %%p together", f);
        return false;
    }
    return true;
}

/* A literal zero, however written: 0, 0.00, 0e3, -0, -(0). */
static bool is_zero(const wm_expr *e)
{
    if (e->kind == WM_E_NEG)
        return is_zero(e->args[0]);
    return e->kind == WM_E_LITERAL && e->lit.kind == WM_L_NUMBER && strtod(e->lit.text, NULL) == 0;
}

static bool type_call(sema *s, wm_expr *e)
{
    size_t k = 0;
    while (k < N_FUNCS && strcmp(funcs[k].name, e->name) != 0)
        k++;
    if (k == N_FUNCS) {
        const char *names[N_FUNCS];
        for (size_t i = 0; i < N_FUNCS; i++)
            names[i] = funcs[i].name;
        sema_unknown(s, e->loc, "function", e->name, names, N_FUNCS);
        return false;
    }
    const func_info *fi = &funcs[k];
    e->func = fi->func;
    if (e->n_args < fi->min_args || e->n_args > fi->max_args) {
        if (fi->min_args == fi->max_args)
            wm_error(s->diags, e->loc, "%s() takes %zu argument%s, not %zu", fi->name,
                     fi->min_args, fi->min_args == 1 ? "" : "s", e->n_args);
        else
            wm_error(s->diags, e->loc, "%s() takes %zu to %zu arguments, not %zu", fi->name,
                     fi->min_args, fi->max_args, e->n_args);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < e->n_args; i++)
        ok &= sema_type_expr(s, e->args[i]);
    if (!ok)
        return false;
    const wm_expr *arg = e->args[0];
    switch (fi->func) {
    case WM_FN_UPPER:
    case WM_FN_LOWER:
    case WM_FN_TRIM:
        if (!is_textual(arg->type.kind)) {
            wm_error(s->diags, arg->loc, "%s() needs text, not %s", fi->name,
                     wm_type_kind_name(arg->type.kind));
            return false;
        }
        e->type = of_kind(WM_T_TEXT);
        return true;
    case WM_FN_PARSE_DATE:
    case WM_FN_PARSE_TIMESTAMP:
    case WM_FN_PARSE_NUMBER:
        if (!is_textual(arg->type.kind)) {
            wm_error(s->diags, arg->loc, "%s() parses text, not %s", fi->name,
                     wm_type_kind_name(arg->type.kind));
            return false;
        }
        if (fi->func != WM_FN_PARSE_NUMBER) {
            const wm_expr *fmt = e->args[1];
            if (fmt->kind != WM_E_LITERAL || fmt->lit.kind != WM_L_STRING) {
                wm_diag *d = wm_error(s->diags, fmt->loc, "the format of %s() must be a string literal",
                                      fi->name);
                wm_hint(d, "for example %s(%s, \"%%m/%%d/%%Y\")", fi->name,
                        arg->kind == WM_E_COLUMN ? arg->name : "Column");
                return false;
            }
            if (!check_format(s, fmt, fi->func == WM_FN_PARSE_TIMESTAMP))
                return false;
        }
        e->type = of_kind(fi->func == WM_FN_PARSE_DATE        ? WM_T_DATE
                          : fi->func == WM_FN_PARSE_TIMESTAMP ? WM_T_TIMESTAMP
                                                              : WM_T_DECIMAL);
        return true;
    case WM_FN_COALESCE: {
        wm_type t = of_kind(WM_T_NULL);
        for (size_t i = 0; i < e->n_args; i++) {
            wm_type_kind a = t.kind, b = e->args[i]->type.kind;
            if (b == WM_T_NULL || a == WM_T_ANY)
                continue;
            if (a == WM_T_NULL || b == WM_T_ANY) {
                t = e->args[i]->type;
            } else if (wm_type_is_numeric(a) && wm_type_is_numeric(b)) {
                t = of_kind(wider(a, b));
            } else if (a != b) {
                wm_error(s->diags, e->args[i]->loc,
                         "coalesce() arguments disagree: %s and %s", wm_type_kind_name(a),
                         wm_type_kind_name(b));
                return false;
            }
        }
        e->type = t;
        return true;
    }
    case WM_FN_UNKNOWN:
        break;
    }
    return false;
}

bool sema_type_expr(sema *s, wm_expr *e)
{
    switch (e->kind) {
    case WM_E_COLUMN:
        e->type = of_kind(WM_T_ANY);
        return true;
    case WM_E_LITERAL:
        e->type = wm_literal_type(&e->lit);
        return true;
    case WM_E_CALL:
        return type_call(s, e);
    case WM_E_NEG:
        if (!sema_type_expr(s, e->args[0]))
            return false;
        if (!is_number_like(e->args[0]->type.kind)) {
            wm_error(s->diags, e->loc, "cannot negate %s", wm_type_kind_name(e->args[0]->type.kind));
            return false;
        }
        e->type = e->args[0]->type.kind == WM_T_ANY ? of_kind(WM_T_DECIMAL) : e->args[0]->type;
        return true;
    case WM_E_BINARY: {
        bool ok = sema_type_expr(s, e->args[0]);
        ok &= sema_type_expr(s, e->args[1]);
        if (!ok)
            return false;
        wm_type_kind a = e->args[0]->type.kind, b = e->args[1]->type.kind;
        if (e->op == WM_OP_CONCAT) {
            for (int i = 0; i < 2; i++) {
                if (e->args[i]->type.kind == WM_T_JSON) {
                    wm_error(s->diags, e->args[i]->loc, "'||' joins text; json cannot be joined");
                    return false;
                }
            }
            e->type = of_kind(WM_T_TEXT);
            return true;
        }
        for (int i = 0; i < 2; i++) {
            wm_type_kind k = e->args[i]->type.kind;
            if (!is_number_like(k)) {
                wm_diag *d = wm_error(s->diags, e->args[i]->loc, "arithmetic needs numbers, not %s",
                                      wm_type_kind_name(k));
                if (k == WM_T_TEXT)
                    wm_hint(d, "parse text first: parse_number(...), or join text with '||'");
                return false;
            }
        }
        const wm_expr *r = e->args[1];
        if (e->op == WM_OP_DIV && is_zero(r)) {
            wm_error(s->diags, r->loc, "division by zero");
            return false;
        }
        if (a == WM_T_ANY || b == WM_T_ANY || a == WM_T_NULL || b == WM_T_NULL)
            e->type = of_kind(WM_T_DECIMAL); /* exact until the field's type says otherwise */
        else if (e->op == WM_OP_DIV && a != WM_T_FLOAT && b != WM_T_FLOAT)
            e->type = of_kind(WM_T_DECIMAL);
        else
            e->type = of_kind(wider(a, b));
        return true;
    }
    }
    return false;
}

/* Literals inside an expression whose value may reach the field as is:
 * the expression itself, a coalesce argument. */
static void check_reaching_literals(sema *s, const wm_expr *e, const wm_field *f)
{
    if (e->kind == WM_E_LITERAL && e->lit.kind != WM_L_NULL)
        sema_check_literal(s, &e->lit, f, "value");
    if (e->kind == WM_E_CALL && e->func == WM_FN_COALESCE)
        for (size_t i = 0; i < e->n_args; i++)
            check_reaching_literals(s, e->args[i], f);
}

void sema_check_assign(sema *s, const wm_expr *e, const wm_field *f)
{
    if (f->type.kind == WM_T_ANY)
        return; /* the field's own type was already an error */
    if (e->type.kind == WM_T_NULL) {
        if (f->is_required)
            wm_error(s->diags, e->loc, "field '%s' is required; it cannot be null", f->name);
        return;
    }
    wm_conversion c = wm_convert(&e->type, &f->type);
    const char *from = wm_type_display(s->arena, &e->type);
    const char *to = wm_type_display(s->arena, &f->type);
    wm_diag *d = NULL;
    switch (c) {
    case WM_CONV_OK:
        check_reaching_literals(s, e, f);
        return;
    case WM_CONV_NEEDS_PARSE_NUMBER:
        d = wm_error(s->diags, e->loc, "cannot store text in %s field '%s'", to, f->name);
        wm_hint(d, "parse it: parse_number(...)");
        return;
    case WM_CONV_NEEDS_PARSE_DATE:
        d = wm_error(s->diags, e->loc, "cannot store text in date field '%s'", f->name);
        wm_hint(d, "parse it: parse_date(..., \"%%Y-%%m-%%d\")");
        return;
    case WM_CONV_NEEDS_PARSE_TIMESTAMP:
        d = wm_error(s->diags, e->loc, "cannot store text in timestamp field '%s'", f->name);
        wm_hint(d, "parse it: parse_timestamp(..., \"%%Y-%%m-%%d %%H:%%M:%%S\")");
        return;
    case WM_CONV_NEVER:
        wm_error(s->diags, e->loc, "cannot convert %s to %s for field '%s'", from, to, f->name);
        return;
    }
}
