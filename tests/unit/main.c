/* main.c - the unit-test binary: every suite, CUnit's basic runner. */
#include <CUnit/Basic.h>
#include <string.h>

#include "suites.h"

wm_model *test_check_buffer(const char *text, wm_frontend *f, wm_arena **arena)
{
    *arena = wm_arena_new();
    wm_frontend_init(f, *arena);
    wm_load_buffer(f, "test.wmap", text, strlen(text));
    return wm_analyze(f);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    int (*const registrations[])(void) = {
        register_lexer_tests, register_parser_tests, register_errors_tests, register_robust_tests,
        register_marker_tests, register_schema_tests,
    };
    for (size_t i = 0; i < sizeof registrations / sizeof *registrations; i++) {
        if (registrations[i]() != 0) {
            fprintf(stderr, "cannot register suite %zu: %s\n", i, CU_get_error_msg());
            CU_cleanup_registry();
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return failed || run == 0 ? 1 : 0;
}
