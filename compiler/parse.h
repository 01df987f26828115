/* parse.h - the parser's state, shared by the re2c lexer (grammar/wmap.re)
 * and the bison grammar (grammar/wmap.y).  One wm_parser parses one file. */
#ifndef WM_PARSE_H
#define WM_PARSE_H

#include "ast.h"
#include "diag.h"

typedef struct wm_parser {
    wm_arena *arena;
    wm_diags *diags;
    const wm_source *src;
    ast_file *file;
    ast_entity *entity;         /* whose filter or order list is being read */

    /* lexer */
    const char *cur, *tok, *lim;
    uint32_t line;
    const char *line_start;
    const char *col_mark;       /* columns are counted incrementally from here */
    uint32_t col_at_mark;
    int parens;                 /* open '(' : bounded by WM_MAX_NESTING */

    /* after a limit is hit: no more tokens and no more syntax errors */
    bool is_stopped;

    /* error recovery: after a syntax error the lexer drops the rest of the
     * line (and any block opened on it), so one mistake is one diagnostic */
    bool is_skipping;
    uint32_t skip_line;
    int skip_depth;
} wm_parser;

/* Parse one source file; errors go to diags.  Never returns NULL. */
ast_file *wm_parse(wm_arena *a, wm_diags *d, const wm_source *src);

/* AST construction helpers used by the grammar's actions (ast.c). */
wm_expr *wm_expr_new(wm_parser *p, wm_expr_kind kind, wm_loc loc);
wm_expr *wm_expr_binary(wm_parser *p, wm_binop op, wm_expr *l, wm_expr *r, wm_loc loc);
wm_expr *wm_expr_neg(wm_parser *p, wm_expr *e, wm_loc loc);
void wm_expr_add_arg(wm_parser *p, wm_expr *call, wm_expr *arg);
void wm_value_map_add(wm_parser *p, wm_value_map *m, wm_map_entry e);
void wm_table_name_add(wm_parser *p, wm_table_name *t, const char *part, bool is_quoted, wm_loc loc);

#endif
