/* model.h - THE resolved model: what semantic analysis hands to the
 * emitters, and the only thing they read.  Every name is resolved to a
 * pointer, every type is checked, every item keeps the spec location it came
 * from (for diagnostics and for comments in generated code).  Emitters never
 * see the parser or the AST. */
#ifndef WM_MODEL_H
#define WM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

/* ---- types ------------------------------------------------------------ */

typedef enum {
    WM_T_ANY,        /* a source column: its type is known only at run time */
    WM_T_NULL,       /* the literal null */
    WM_T_UUID,
    WM_T_TEXT,
    WM_T_INT,
    WM_T_BIGINT,
    WM_T_FLOAT,
    WM_T_DECIMAL,
    WM_T_BOOL,
    WM_T_DATE,
    WM_T_TIMESTAMP,
    WM_T_ENUM,
    WM_T_JSON,
} wm_type_kind;

typedef struct wm_type {
    wm_type_kind kind;
    uint32_t length;            /* text(n); 0: unbounded */
    uint16_t precision, scale;  /* decimal(p,s); precision 0: unconstrained */
    const char **enum_values;   /* enum(...) members, in declared order */
    size_t n_enum_values;
} wm_type;

/* ---- literals and transform expressions ------------------------------- */

typedef enum {
    WM_L_STRING,
    WM_L_NUMBER,    /* text keeps the digits exactly as written, with sign */
    WM_L_BOOL,
    WM_L_NULL,
    WM_L_NOW,       /* default now */
    WM_L_NAME,      /* a bare name: an enum member */
} wm_literal_kind;

typedef struct wm_literal {
    wm_literal_kind kind;
    const char *text;   /* string contents (UTF-8, no NUL), number, or name */
    bool boolean;
    wm_loc loc;
} wm_literal;

typedef enum { WM_E_COLUMN, WM_E_LITERAL, WM_E_CALL, WM_E_NEG, WM_E_BINARY } wm_expr_kind;
typedef enum { WM_OP_ADD, WM_OP_SUB, WM_OP_MUL, WM_OP_DIV, WM_OP_CONCAT } wm_binop;

typedef enum {
    WM_FN_UNKNOWN,
    WM_FN_UPPER,
    WM_FN_LOWER,
    WM_FN_TRIM,
    WM_FN_COALESCE,
    WM_FN_PARSE_DATE,
    WM_FN_PARSE_TIMESTAMP,
    WM_FN_PARSE_NUMBER,
} wm_func;

typedef struct wm_expr {
    wm_expr_kind kind;
    wm_loc loc;
    const char *name;           /* column or function name */
    bool is_quoted;             /* column written as `...` */
    wm_literal lit;             /* WM_E_LITERAL */
    wm_binop op;                /* WM_E_BINARY */
    struct wm_expr **args;      /* call arguments; NEG: args[0]; BINARY: args[0..1] */
    size_t n_args;
    wm_func func;               /* resolved by sema */
    wm_type type;               /* resolved by sema */
    unsigned depth;             /* height of this subtree: bounded by WM_MAX_NESTING */
} wm_expr;

/* A value map: `Status map { "Active" => ACTIVE, ... } else reject`. */
typedef enum { WM_ELSE_REJECT, WM_ELSE_NULL, WM_ELSE_KEEP, WM_ELSE_DEFAULT } wm_else_kind;

typedef struct wm_map_entry {
    wm_literal from, to;
    bool is_two_way;            /* written `<->` rather than `=>` */
    wm_loc loc;
} wm_map_entry;

typedef struct wm_value_map {
    wm_map_entry *entries;
    size_t n_entries;
    wm_else_kind otherwise;     /* WM_ELSE_REJECT when no else is written */
    bool has_else;
    wm_literal else_value;      /* WM_ELSE_DEFAULT */
    wm_loc loc, else_loc;
} wm_value_map;

/* ---- entities --------------------------------------------------------- */

typedef struct wm_entity wm_entity;

typedef struct wm_field {
    const char *name;
    wm_loc loc;
    wm_type type;
    bool is_key, is_required, is_unique, is_auto, is_soft_delete;
    bool has_range;
    wm_literal range_lo, range_hi;
    bool has_default;
    wm_literal default_value;   /* WM_L_NOW for `default now` */
    wm_entity *references;      /* NULL unless `references E` */
    wm_entity *entity;
    size_t index;               /* position in entity->fields */
} wm_field;

typedef enum { WM_CMP_EQ, WM_CMP_NE, WM_CMP_LT, WM_CMP_LE, WM_CMP_GT, WM_CMP_GE } wm_compare;

typedef struct wm_filter {
    const char *name;           /* the alias, or the field's name */
    wm_field *field;
    wm_compare op;
    wm_loc loc;
} wm_filter;

typedef struct wm_order {
    wm_field *field;
    bool is_descending;
    wm_loc loc;
} wm_order;

struct wm_entity {
    const char *name;
    const char *table;
    wm_loc loc;
    wm_field **fields;
    size_t n_fields;
    wm_field *key;
    wm_field *soft_delete;      /* NULL: deletes are hard */
    wm_field *auto_updated;     /* NULL: no field is set on every write */
    wm_filter *filters;
    size_t n_filters;
    wm_order *orders;           /* declared order; the key is appended by emitters for stability */
    size_t n_orders;
};

/* ---- tenants ---------------------------------------------------------- */

typedef enum { WM_DIALECT_POSTGRES, WM_DIALECT_MYSQL, WM_DIALECT_SQLSERVER, WM_DIALECT_ORACLE } wm_dialect;
typedef enum { WM_STRATEGY_NATIVE, WM_STRATEGY_ADAPTER, WM_STRATEGY_ETL } wm_strategy;

typedef struct wm_conn {
    bool is_set;
    wm_dialect dialect;
    const char *dsn_env;        /* the environment variable that holds the DSN */
    wm_loc loc;
} wm_conn;

/* One source table name, possibly qualified: dbo.WellMaster. */
typedef struct wm_table_name {
    const char **parts;
    bool *is_quoted;
    size_t n_parts;
    wm_loc loc;
} wm_table_name;

typedef struct wm_field_map {
    wm_field *field;
    wm_expr *expr;              /* the right-hand side, typed */
    wm_value_map *value_map;    /* NULL when there is none */
    bool is_writable;           /* adapter `<->`: a plain column, written back */
    wm_loc loc;                 /* the whole line */
} wm_field_map;

typedef enum { WM_INC_FULL, WM_INC_WATERMARK, WM_INC_WINDOW } wm_incremental_kind;
typedef enum { WM_NULLS_INCLUDE, WM_NULLS_REJECT } wm_nulls_policy;
typedef enum { WM_ON_ERROR_REJECT, WM_ON_ERROR_ABORT } wm_on_error;

typedef struct wm_incremental {
    wm_incremental_kind kind;
    wm_expr *watermark;         /* the column or expression; NULL for full */
    uint64_t window_seconds;    /* WM_INC_WINDOW */
    uint64_t lookback_seconds;  /* WM_INC_WATERMARK: re-read this far back */
    wm_nulls_policy nulls;
    wm_loc loc;
} wm_incremental;

/* A `map E to T { }` block (adapter) or a `sync E from T { }` block (etl). */
typedef struct wm_mapping {
    wm_entity *entity;
    wm_table_name table;
    wm_field_map *fields;       /* in the entity's field order */
    size_t n_fields;
    wm_incremental incremental; /* etl only */
    bool deletes_soft;          /* etl only */
    wm_on_error on_error;       /* etl only */
    wm_loc loc;
} wm_mapping;

typedef struct wm_tenant {
    const char *name;
    wm_loc loc;
    wm_strategy strategy;
    wm_conn database;           /* native and adapter */
    wm_conn source, target;     /* etl */
    uint64_t interval_seconds;  /* etl: `every N minutes`; default 15 minutes */
    wm_mapping *mappings;
    size_t n_mappings;
} wm_tenant;

typedef struct wm_model {
    wm_entity **entities;
    size_t n_entities;
    wm_tenant **tenants;
    size_t n_tenants;
    const wm_source **sources;  /* every file read, imports included */
    size_t n_sources;
} wm_model;

const char *wm_type_kind_name(wm_type_kind k);
const char *wm_dialect_name(wm_dialect d);
const char *wm_strategy_name(wm_strategy s);

#endif
