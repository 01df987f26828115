/* ast.h - the syntax tree of one .wmap file, as the parser builds it:
 * names are still strings, nothing is checked.  Semantic analysis (sema*.c)
 * reads it and builds the resolved model (model.h). Expressions and
 * literals are shared with the model: sema types them in place. */
#ifndef WM_AST_H
#define WM_AST_H

#include "arena.h"
#include "model.h"

typedef struct ast_name {
    const char *text;           /* NULL: absent */
    bool is_quoted;
    wm_loc loc;
} ast_name;

/* `text(255)`, `decimal(12,2)`, `enum(A, B)`: a type word and its arguments,
 * validated by sema so that an unknown type gets a "did you mean". */
typedef struct ast_type_arg {
    bool is_number;
    const char *text;
    wm_loc loc;
    struct ast_type_arg *next;
} ast_type_arg;

typedef struct ast_type {
    ast_name word;
    bool has_args;
    ast_type_arg *args;
    wm_loc loc;
} ast_type;

typedef enum {
    AST_KEY, AST_REQUIRED, AST_UNIQUE, AST_AUTO, AST_SOFT_DELETE,
    AST_RANGE, AST_DEFAULT, AST_REFERENCES,
} ast_modifier_kind;

typedef struct ast_modifier {
    ast_modifier_kind kind;
    wm_loc loc;
    wm_literal lo, hi;          /* range */
    wm_literal value;           /* default */
    ast_name target;            /* references */
    struct ast_modifier *next;
} ast_modifier;

typedef struct ast_field {
    ast_name name;
    ast_type type;
    ast_modifier *modifiers;
    struct ast_field *next;
} ast_field;

typedef struct ast_filter {
    ast_name field;
    bool has_op;
    wm_compare op;
    wm_loc op_loc;
    ast_name alias;
    struct ast_filter *next;
} ast_filter;

typedef struct ast_order {
    ast_name field;
    bool is_descending;
    struct ast_order *next;
} ast_order;

typedef struct ast_entity {
    ast_name name;
    ast_name table;
    wm_loc loc;
    ast_field *fields, **fields_tail;
    ast_filter *filters, **filters_tail;
    ast_order *orders, **orders_tail;
    wm_loc order_loc;           /* of the first `order`; a second is an error */
    struct ast_entity *next;
} ast_entity;

typedef struct ast_conn {
    wm_loc keyword_loc;         /* of `database`, `source` or `target` */
    ast_name dialect;
    ast_name env;               /* dsn env VAR */
    bool has_literal;           /* dsn "...": refused by sema */
    wm_literal literal;
    wm_loc loc;
} ast_conn;

typedef struct ast_quantity {   /* `90 days`, `15 minutes` */
    const char *number;
    ast_name unit;
    wm_loc loc;                 /* of the number */
    wm_loc keyword_loc;         /* of `every`, `window` or `lookback` */
} ast_quantity;

typedef struct ast_mapping_line {
    ast_name field;
    bool is_two_way;            /* `<->` rather than `<-` */
    wm_loc arrow_loc;
    wm_expr *expr;
    wm_value_map *value_map;
    wm_loc loc;
    struct ast_mapping_line *next;
} ast_mapping_line;

typedef struct ast_incremental {
    bool is_full;
    wm_expr *on;
    ast_quantity *window, *lookback;
    ast_name nulls;
    wm_loc loc;
} ast_incremental;

typedef struct ast_block {
    bool is_sync;               /* sync E from T (etl), else map E to T (adapter) */
    ast_name entity;
    wm_table_name table;
    ast_incremental *incremental;
    ast_mapping_line *lines, **lines_tail;
    ast_name deletes;           /* soft | none */
    ast_name on_error;          /* reject | abort */
    wm_loc loc;
    struct ast_block *next;
} ast_block;

typedef struct ast_tenant {
    ast_name name;
    wm_loc loc;
    ast_name strategy;
    ast_conn *database, *source, *target;
    ast_quantity *every;
    ast_block *blocks, **blocks_tail;
    struct ast_tenant *next;
} ast_tenant;

typedef struct ast_import {
    const char *path;
    wm_loc loc;
    struct ast_import *next;
} ast_import;

typedef struct ast_file {
    const wm_source *src;
    ast_import *imports, **imports_tail;
    ast_entity *entities, **entities_tail;
    ast_tenant *tenants, **tenants_tail;
} ast_file;

#endif
