/* suites.h - every CUnit suite of the unit-test binary registers itself
 * through one of these; main.c calls them all. */
#ifndef WM_TEST_SUITES_H
#define WM_TEST_SUITES_H

#include <CUnit/CUnit.h>

#include "frontend.h"

int register_lexer_tests(void);
int register_parser_tests(void);
int register_errors_tests(void);
int register_robust_tests(void);
int register_marker_tests(void);
int register_schema_tests(void);

/* Load one spec held in memory and analyze it.  The caller frees *arena. */
wm_model *test_check_buffer(const char *text, wm_frontend *f, wm_arena **arena);

#endif
