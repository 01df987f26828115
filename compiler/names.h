/* names.h - how model names become C identifiers and SQL identifiers.
 * Every SQL identifier is quoted, in every dialect, so a column called
 * `order` or `Well Name` is never a problem; sema has already rejected what
 * a dialect cannot quote. */
#ifndef WM_NAMES_H
#define WM_NAMES_H

#include "arena.h"
#include "model.h"

const char *wm_c_name(wm_arena *a, const char *name);   /* ProductionRecord -> production_record */
const char *wm_c_upper(wm_arena *a, const char *name);  /* production_record -> PRODUCTION_RECORD */
const char *wm_c_string(wm_arena *a, const char *text); /* a C string literal, quotes included */
/* Text from a spec made safe inside a C or SQL comment: no newline, and no
 * sequence that would end (or open) a C comment. */
const char *wm_comment_text(wm_arena *a, const char *text);

const char *wm_sql_quote(wm_arena *a, wm_dialect d, const char *ident);
const char *wm_sql_table(wm_arena *a, wm_dialect d, const wm_table_name *t);
/* A string literal in dialect d: quotes doubled; a backslash is written
 * so that it stays one (MySQL reads '\t' as a tab, and PostgreSQL does
 * with standard_conforming_strings off). */
const char *wm_sql_string(wm_arena *a, wm_dialect d, const char *text);

#endif
