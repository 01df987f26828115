/* names.c - C and SQL spellings of model names. */
#include "names.h"

#include <ctype.h>
#include <string.h>

const char *wm_c_name(wm_arena *a, const char *name)
{
    size_t n = strlen(name);
    char *out = wm_arena_alloc(a, 2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        /* a capital starts a word, except inside a run of capitals (MLModel -> ml_model) */
        if (isupper(c) && i > 0 && name[i - 1] != '_'
            && (islower((unsigned char)name[i - 1]) || isdigit((unsigned char)name[i - 1])
                || (i + 1 < n && islower((unsigned char)name[i + 1]))))
            out[k++] = '_';
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
    return out;
}

const char *wm_c_upper(wm_arena *a, const char *name)
{
    char *out = wm_arena_strdup(a, name);
    for (char *c = out; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    return out;
}

const char *wm_c_string(wm_arena *a, const char *text)
{
    size_t n = strlen(text);
    char *out = wm_arena_alloc(a, 4 * n + 3);
    size_t k = 0;
    out[k++] = '"';
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        switch (*c) {
        case '"': out[k++] = '\\'; out[k++] = '"'; break;
        case '\\': out[k++] = '\\'; out[k++] = '\\'; break;
        case '\n': out[k++] = '\\'; out[k++] = 'n'; break;
        case '\t': out[k++] = '\\'; out[k++] = 't'; break;
        case '\r': out[k++] = '\\'; out[k++] = 'r'; break;
        case '?': /* "??x" would be a trigraph under -std=c11: a '?' after
                   * one goes out as "\?", so that no two ever touch (escaping
                   * the first of a pair left "\??/", a trigraph still) */
            if (k > 0 && out[k - 1] == '?')
                out[k++] = '\\';
            out[k++] = '?';
            break;
        default:
            if (*c < 0x20 || *c >= 0x7f) { /* octal: never swallows a following digit beyond 3 */
                out[k++] = '\\';
                out[k++] = (char)('0' + (*c >> 6));
                out[k++] = (char)('0' + ((*c >> 3) & 7));
                out[k++] = (char)('0' + (*c & 7));
            } else {
                out[k++] = (char)*c;
            }
        }
    }
    out[k++] = '"';
    out[k] = '\0';
    return out;
}

static const char *quote_with(wm_arena *a, const char *ident, char open, char close)
{
    size_t n = strlen(ident);
    char *out = wm_arena_alloc(a, 2 * n + 3);
    size_t k = 0;
    out[k++] = open;
    for (const char *c = ident; *c; c++) {
        out[k++] = *c;
        if (*c == close)
            out[k++] = close; /* doubled: "a""b", `a``b`, [a]]b] */
    }
    out[k++] = close;
    out[k] = '\0';
    return out;
}

const char *wm_sql_quote(wm_arena *a, wm_dialect d, const char *ident)
{
    switch (d) {
    case WM_DIALECT_MYSQL: return quote_with(a, ident, '`', '`');
    case WM_DIALECT_SQLSERVER: return quote_with(a, ident, '[', ']');
    case WM_DIALECT_POSTGRES:
    case WM_DIALECT_ORACLE: break;
    }
    return quote_with(a, ident, '"', '"');
}

const char *wm_sql_table(wm_arena *a, wm_dialect d, const wm_table_name *t)
{
    const char *out = "";
    for (size_t i = 0; i < t->n_parts; i++)
        out = wm_arena_printf(a, "%s%s%s", out, i ? "." : "", wm_sql_quote(a, d, t->parts[i]));
    return out;
}

const char *wm_sql_string(wm_arena *a, wm_dialect d, const char *text)
{
    if (!strchr(text, '\\') || d == WM_DIALECT_SQLSERVER || d == WM_DIALECT_ORACLE)
        return quote_with(a, text, '\'', '\'');   /* a backslash is itself there */
    /* MySQL (unless NO_BACKSLASH_ESCAPES, which the runtime's sessions never
     * have) and a PostgreSQL E'' string read \\ as one backslash; E'' means
     * the same whatever standard_conforming_strings says. */
    size_t n = strlen(text);
    char *out = wm_arena_alloc(a, 2 * n + 4);
    size_t k = 0;
    if (d == WM_DIALECT_POSTGRES)
        out[k++] = 'E';
    out[k++] = '\'';
    for (const char *c = text; *c; c++) {
        out[k++] = *c;
        if (*c == '\'' || *c == '\\')
            out[k++] = *c;
    }
    out[k++] = '\'';
    out[k] = '\0';
    return out;
}

const char *wm_comment_text(wm_arena *a, const char *text)
{
    size_t n = strlen(text);
    char *out = wm_arena_alloc(a, 2 * n + 1);
    size_t k = 0;
    for (const char *c = text; *c; c++) {
        if (*c == '\n' || *c == '\r') { /* a -- comment ends at a newline */
            out[k++] = ' ';
            continue;
        }
        out[k++] = *c;
        if ((c[0] == '*' && c[1] == '/') || (c[0] == '/' && c[1] == '*'))
            out[k++] = '\\'; /* "*\/" and "/\*" neither end nor nest a C comment */
    }
    out[k] = '\0';
    return out;
}
