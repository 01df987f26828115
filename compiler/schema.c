/* schema.c - reading a schema snapshot (JSON, through jansson), and what a
 * database's column type means in wmap's terms.  The format is described
 * in schema.h; cmd_introspect.c writes it. */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

/* ---- types -------------------------------------------------------------- */

/* A type's text split into a base name and its numbers: "int(11) unsigned"
 * -> "int unsigned" (11); "timestamp(3) with time zone" -> "timestamp with
 * time zone" (3); "numeric(12,2)" -> "numeric" (12, 2).  Lower case, single
 * spaces. */
typedef struct {
    char base[64];
    long args[2];
    int n_args;
    bool is_max;                /* SQL Server varchar(max) */
} type_words;

static void split_type(const char *text, type_words *w)
{
    memset(w, 0, sizeof *w);
    size_t used = 0;
    int slot = 0;
    bool is_in_args = false, has_digit = false, is_space_pending = false;
    for (const char *c = text; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (is_in_args) {
            if (ch == ')') {
                is_in_args = false;
                w->n_args = has_digit ? (slot < 2 ? slot + 1 : 2) : 0;
            } else if (isdigit(ch)) {
                has_digit = true;
                if (slot < 2 && w->args[slot] < 1000000000)
                    w->args[slot] = w->args[slot] * 10 + (ch - '0');
            } else if (ch == ',') {
                slot++;
            } else if (isalpha(ch)) {
                w->is_max = true;   /* (max), or an enum's members */
            }
            continue;
        }
        if (ch == '(') {
            is_in_args = true;
            slot = 0;
            has_digit = false;
            w->args[0] = w->args[1] = 0;
            continue;
        }
        if (isspace(ch)) {
            is_space_pending = used > 0;
            continue;
        }
        if (used + 2 >= sizeof w->base)
            break;
        if (is_space_pending)
            w->base[used++] = ' ';
        is_space_pending = false;
        w->base[used++] = (char)tolower(ch);
    }
}

static wm_type of_kind(wm_type_kind k)
{
    wm_type t = { 0 };
    t.kind = k;
    return t;
}

static wm_type text_of(const type_words *w)
{
    wm_type t = of_kind(WM_T_TEXT);
    if (w->n_args == 1 && !w->is_max && w->args[0] > 0 && w->args[0] < 1000000000)
        t.length = (uint32_t)w->args[0];
    return t;
}

static wm_type decimal_of(const type_words *w)
{
    wm_type t = of_kind(WM_T_DECIMAL);
    if (w->n_args >= 1 && w->args[0] >= 1 && w->args[0] <= 1000) {
        t.precision = (uint16_t)w->args[0];
        t.scale = w->n_args == 2 && w->args[1] <= w->args[0] ? (uint16_t)w->args[1] : 0;
    }
    return t;
}

static bool is_one_of(const char *base, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(base, *names) == 0)
            return true;
    return false;
}

static bool has_prefix(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static wm_type postgres_type(const type_words *w)
{
    const char *b = w->base;
    static const char *const ints[] = { "smallint", "integer", "int", "int2", "int4", "smallserial", "serial", NULL };
    static const char *const bigints[] = { "bigint", "int8", "bigserial", NULL };
    static const char *const floats[] = { "real", "double precision", "float4", "float8", NULL };
    static const char *const texts[] = { "text", "character varying", "varchar", "character", "char", "bpchar",
                                         "citext", "name", NULL };
    if (is_one_of(b, ints))
        return of_kind(WM_T_INT);
    if (is_one_of(b, bigints))
        return of_kind(WM_T_BIGINT);
    if (strcmp(b, "numeric") == 0 || strcmp(b, "decimal") == 0)
        return decimal_of(w);
    if (is_one_of(b, floats))
        return of_kind(WM_T_FLOAT);
    if (is_one_of(b, texts))
        return text_of(w);
    if (strcmp(b, "boolean") == 0 || strcmp(b, "bool") == 0)
        return of_kind(WM_T_BOOL);
    if (strcmp(b, "date") == 0)
        return of_kind(WM_T_DATE);
    if (has_prefix(b, "timestamp"))
        return of_kind(WM_T_TIMESTAMP);
    if (strcmp(b, "uuid") == 0)
        return of_kind(WM_T_UUID);
    if (strcmp(b, "json") == 0 || strcmp(b, "jsonb") == 0)
        return of_kind(WM_T_JSON);
    return of_kind(WM_T_ANY);   /* time, interval, bytea, arrays, enums, domains ... */
}

static wm_type mysql_type(const type_words *w)
{
    char base[64];
    snprintf(base, sizeof base, "%s", w->base);
    bool is_unsigned = false;
    char *u = strstr(base, " unsigned");
    if (u) {
        is_unsigned = true;
        *u = '\0';
    }
    char *z = strstr(base, " zerofill");
    if (z)
        *z = '\0';
    static const char *const ints[] = { "tinyint", "smallint", "mediumint", "int", "integer", NULL };
    static const char *const texts[] = { "char", "varchar", "tinytext", "text", "mediumtext", "longtext",
                                         "enum", "set", NULL };
    if (strcmp(base, "tinyint") == 0 && w->n_args == 1 && w->args[0] == 1)
        return of_kind(WM_T_ANY);   /* BOOLEAN, or a small number: the spec says which */
    if (is_one_of(base, ints))
        return of_kind(is_unsigned && (strcmp(base, "int") == 0 || strcmp(base, "integer") == 0) ? WM_T_BIGINT
                                                                                                  : WM_T_INT);
    if (strcmp(base, "bigint") == 0) {
        if (!is_unsigned)
            return of_kind(WM_T_BIGINT);
        wm_type t = of_kind(WM_T_DECIMAL);
        t.precision = 20;
        return t;
    }
    if (strcmp(base, "decimal") == 0 || strcmp(base, "numeric") == 0 || strcmp(base, "dec") == 0
        || strcmp(base, "fixed") == 0)
        return decimal_of(w);
    if (strcmp(base, "float") == 0 || strcmp(base, "double") == 0 || strcmp(base, "real") == 0
        || strcmp(base, "double precision") == 0)
        return of_kind(WM_T_FLOAT);
    if (strcmp(base, "enum") == 0 || strcmp(base, "set") == 0)
        return of_kind(WM_T_TEXT);  /* their arguments are the members, not a length */
    if (is_one_of(base, texts))
        return text_of(w);
    if (strcmp(base, "date") == 0)
        return of_kind(WM_T_DATE);
    if (strcmp(base, "datetime") == 0 || strcmp(base, "timestamp") == 0)
        return of_kind(WM_T_TIMESTAMP);
    if (strcmp(base, "year") == 0)
        return of_kind(WM_T_INT);
    if (strcmp(base, "json") == 0)
        return of_kind(WM_T_JSON);
    if (strcmp(base, "uuid") == 0)
        return of_kind(WM_T_UUID);
    return of_kind(WM_T_ANY);   /* time, bit, binary, blobs, geometry ... */
}

static wm_type sqlserver_type(const type_words *w)
{
    const char *b = w->base;
    static const char *const ints[] = { "tinyint", "smallint", "int", NULL };
    static const char *const texts[] = { "char", "varchar", "nchar", "nvarchar", "text", "ntext", "sysname", NULL };
    static const char *const stamps[] = { "datetime", "datetime2", "smalldatetime", "datetimeoffset", NULL };
    if (is_one_of(b, ints))
        return of_kind(WM_T_INT);
    if (strcmp(b, "bigint") == 0)
        return of_kind(WM_T_BIGINT);
    if (strcmp(b, "decimal") == 0 || strcmp(b, "numeric") == 0)
        return decimal_of(w);
    if (strcmp(b, "money") == 0 || strcmp(b, "smallmoney") == 0) {
        wm_type t = of_kind(WM_T_DECIMAL);
        t.precision = strcmp(b, "money") == 0 ? 19 : 10;
        t.scale = 4;
        return t;
    }
    if (strcmp(b, "float") == 0 || strcmp(b, "real") == 0)
        return of_kind(WM_T_FLOAT);
    if (is_one_of(b, texts))
        return strcmp(b, "text") == 0 || strcmp(b, "ntext") == 0 ? of_kind(WM_T_TEXT) : text_of(w);
    if (strcmp(b, "bit") == 0)
        return of_kind(WM_T_BOOL);
    if (strcmp(b, "date") == 0)
        return of_kind(WM_T_DATE);
    if (is_one_of(b, stamps))
        return of_kind(WM_T_TIMESTAMP);
    if (strcmp(b, "uniqueidentifier") == 0)
        return of_kind(WM_T_UUID);
    return of_kind(WM_T_ANY);   /* time, binary, xml, sql_variant ... */
}

static wm_type oracle_type(const type_words *w)
{
    const char *b = w->base;
    static const char *const texts[] = { "varchar2", "nvarchar2", "varchar", "char", "nchar", "clob", "nclob",
                                         "long", NULL };
    if (strcmp(b, "number") == 0 || strcmp(b, "numeric") == 0 || strcmp(b, "decimal") == 0) {
        if (w->n_args >= 1 && (w->n_args == 1 || w->args[1] == 0)) {
            if (w->args[0] <= 9)
                return of_kind(WM_T_INT);
            if (w->args[0] <= 18)
                return of_kind(WM_T_BIGINT);
        }
        return decimal_of(w);
    }
    if (strcmp(b, "integer") == 0 || strcmp(b, "int") == 0 || strcmp(b, "smallint") == 0) {
        wm_type t = of_kind(WM_T_DECIMAL);  /* NUMBER(38) */
        t.precision = 38;
        return t;
    }
    if (strcmp(b, "float") == 0 || strcmp(b, "binary_float") == 0 || strcmp(b, "binary_double") == 0)
        return of_kind(WM_T_FLOAT);
    if (is_one_of(b, texts))
        return w->n_args == 1 ? text_of(w) : of_kind(WM_T_TEXT);
    if (has_prefix(b, "timestamp"))
        return of_kind(WM_T_TIMESTAMP);
    return of_kind(WM_T_ANY);   /* DATE (it has a time of day), RAW, BLOB ... */
}

wm_type wm_schema_type_of(wm_dialect d, const char *sql_type)
{
    type_words w;
    split_type(sql_type, &w);
    switch (d) {
    case WM_DIALECT_POSTGRES:
        return postgres_type(&w);
    case WM_DIALECT_MYSQL:
        return mysql_type(&w);
    case WM_DIALECT_SQLSERVER:
        return sqlserver_type(&w);
    case WM_DIALECT_ORACLE:
        return oracle_type(&w);
    }
    return of_kind(WM_T_ANY);
}

/* ---- reading the file ----------------------------------------------------- */

typedef struct {
    wm_arena *arena;
    const char *path;
    char *err;
    size_t err_size;
    bool has_failed;
} reader;

static void fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(reader *r, const char *fmt, ...)
{
    if (r->has_failed)
        return;
    r->has_failed = true;
    int k = snprintf(r->err, r->err_size, "%s: error: ", r->path);
    if (k < 0 || (size_t)k >= r->err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + k, r->err_size - (size_t)k, fmt, ap);
    va_end(ap);
}

/* A string member, or NULL (after reporting it, when it must be there). */
static const char *get_string(reader *r, json_t *obj, const char *where, const char *key, bool is_required)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (is_required)
            fail(r, "%s has no \"%s\"", where, key);
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        fail(r, "%s: \"%s\" must be a non-empty string", where, key);
        return NULL;
    }
    return wm_arena_strndup(r->arena, json_string_value(v), json_string_length(v));
}

/* "exact" or "any_case"; absent: the dialect's usual rule. */
static bool get_case_rule(reader *r, json_t *root, const char *key, bool usual)
{
    const char *v = get_string(r, root, "the snapshot", key, false);
    if (!v)
        return usual;
    if (strcmp(v, "exact") != 0 && strcmp(v, "any_case") != 0)
        fail(r, "\"%s\" must be \"exact\" or \"any_case\", not \"%s\"", key, v);
    return strcmp(v, "exact") == 0;
}

static bool read_dialect(reader *r, json_t *root, wm_dialect *out)
{
    const char *d = get_string(r, root, "the snapshot", "dialect", true);
    if (!d)
        return false;
    static const wm_dialect all[] = { WM_DIALECT_POSTGRES, WM_DIALECT_MYSQL, WM_DIALECT_SQLSERVER, WM_DIALECT_ORACLE };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        if (strcmp(d, wm_dialect_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    fail(r, "unknown dialect \"%s\" (postgres, mysql, sqlserver or oracle)", d);
    return false;
}

static void read_columns(reader *r, wm_schema *s, wm_schema_table *t, json_t *cols, size_t ti)
{
    char where[96];
    if (!json_is_array(cols) || json_array_size(cols) == 0) {
        fail(r, "tables[%zu] (%s): \"columns\" must be a non-empty array", ti, t->name);
        return;
    }
    t->n_columns = json_array_size(cols);
    t->columns = wm_arena_alloc(r->arena, t->n_columns * sizeof *t->columns);
    for (size_t ci = 0; ci < t->n_columns && !r->has_failed; ci++) {
        json_t *c = json_array_get(cols, ci);
        snprintf(where, sizeof where, "tables[%zu].columns[%zu]", ti, ci);
        if (!json_is_object(c)) {
            fail(r, "%s must be an object", where);
            return;
        }
        wm_schema_column *col = &t->columns[ci];
        col->name = get_string(r, c, where, "name", true);
        col->sql_type = get_string(r, c, where, "type", true);
        json_t *n = json_object_get(c, "nullable");
        if (n && !json_is_boolean(n))
            fail(r, "%s: \"nullable\" must be true or false", where);
        col->is_nullable = !n || json_is_true(n);
        if (col->sql_type)
            col->type = wm_schema_type_of(s->dialect, col->sql_type);
    }
}

static void read_tables(reader *r, wm_schema *s, json_t *tables)
{
    if (!json_is_array(tables)) {
        fail(r, "\"tables\" must be an array");
        return;
    }
    s->n_tables = json_array_size(tables);
    s->tables = wm_arena_alloc(r->arena, (s->n_tables ? s->n_tables : 1) * sizeof *s->tables);
    char where[64];
    for (size_t ti = 0; ti < s->n_tables && !r->has_failed; ti++) {
        json_t *t = json_array_get(tables, ti);
        snprintf(where, sizeof where, "tables[%zu]", ti);
        if (!json_is_object(t)) {
            fail(r, "%s must be an object", where);
            return;
        }
        wm_schema_table *tab = &s->tables[ti];
        tab->schema = get_string(r, t, where, "schema", false);
        tab->name = get_string(r, t, where, "name", true);
        if (!r->has_failed)
            read_columns(r, s, tab, json_object_get(t, "columns"), ti);
    }
}

wm_schema *wm_schema_load(wm_arena *a, const char *path, char *err, size_t err_size)
{
    reader r = { .arena = a, .path = path, .err = err, .err_size = err_size };
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (je.line > 0)
            snprintf(err, err_size, "%s:%d:%d: error: %s", path, je.line, je.column, je.text);
        else
            snprintf(err, err_size, "%s: error: %s", path, je.text);
        return NULL;
    }
    wm_schema *s = wm_arena_alloc(a, sizeof *s);
    s->path = path;
    json_t *format = json_object_get(root, "wellosc_schema");
    if (!json_is_object(root)) {
        fail(&r, "not a schema snapshot: the file must hold one JSON object");
    } else if (!json_is_integer(format) || json_integer_value(format) != WM_SCHEMA_FORMAT) {
        fail(&r, "not a schema snapshot of format %d (\"wellosc_schema\": %d); make it again with "
                 "'wellosc introspect'", WM_SCHEMA_FORMAT, WM_SCHEMA_FORMAT);
    } else if (read_dialect(&r, root, &s->dialect)) {
        s->tenant = get_string(&r, root, "the snapshot", "tenant", true);
        s->database = get_string(&r, root, "the snapshot", "database", false);
        s->default_schema = get_string(&r, root, "the snapshot", "default_schema", false);
        bool is_any_case = s->dialect == WM_DIALECT_SQLSERVER;
        s->is_table_case_exact = get_case_rule(&r, root, "table_names", !is_any_case);
        s->is_column_case_exact = get_case_rule(&r, root, "column_names",
                                                !is_any_case && s->dialect != WM_DIALECT_MYSQL);
        read_tables(&r, s, json_object_get(root, "tables"));
    }
    json_decref(root);
    return r.has_failed ? NULL : s;
}
