/* test_north_sea_oracle.c - the factory of tenant north_sea (an Oracle
 * adapter, generated/north_sea_oracle/repos.c).  No Oracle client library
 * exists in this build, so opening the tenant must fail cleanly with
 * WR_EUNSUPPORTED, naming what is missing, and never with a crash or a
 * half-open set of repositories. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "repos.h"

static void test_oracle_unsupported(void)
{
    wr_err e;
    static wos_repos dummy;
    wos_repos *r = &dummy;
    setenv("NORTH_SEA_DSN", "user=field password=Oracle-Pw-31 dbname=//db.example:1521/FIELD", 1);
    EXPECT_RC(wos_repos_open(&r, "north_sea", &e), WR_EUNSUPPORTED, e);
    EXPECT_INT(e.code, WR_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(r);
    EXPECT_MESSAGE(e, "tenant north_sea", "Oracle client library");
    CU_ASSERT(!contains(e.message, "Oracle-Pw-31"));

    /* with the DSN given directly, the same answer */
    r = &dummy;
    EXPECT_RC(wos_repos_open_dsn(&r, "north_sea", "user=field password=Oracle-Pw-31", &e), WR_EUNSUPPORTED, e);
    CU_ASSERT_PTR_NULL(r);
    EXPECT_MESSAGE(e, "tenant north_sea", "Oracle client library");
    CU_ASSERT(!contains(e.message, "Oracle-Pw-31"));
    wos_repos_close(NULL);
}

static void test_oracle_env_unset(void)
{
    wr_err e;
    wos_repos *r = NULL;
    unsetenv("NORTH_SEA_DSN");
    /* the DSN is read first: its absence is a configuration error */
    int rc = wos_repos_open(&r, "north_sea", &e);
    CU_ASSERT(rc == WR_ECONFIG || rc == WR_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(r);
    EXPECT_MESSAGE(e, "tenant north_sea");
    if (rc == WR_ECONFIG)
        EXPECT_MESSAGE(e, "NORTH_SEA_DSN");
}

static void test_oracle_unknown_tenant(void)
{
    wr_err e;
    wos_repos *r = NULL;
    EXPECT_RC(wos_repos_open(&r, "north_sea_oracle", &e), WR_ECONFIG, e);
    EXPECT_MESSAGE(e, "north_sea_oracle");
    CU_ASSERT_PTR_NULL(r);
}

int main(void)
{
    static const test_case cases[] = {
        { "factory: Oracle is unsupported, naming the client library", test_oracle_unsupported },
        { "factory: DSN variable unset", test_oracle_env_unset },
        { "factory: unknown tenant", test_oracle_unknown_tenant },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (ADD_SUITE("north_sea factory", NULL, NULL, cases)) {
        fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    return run_all();
}
