/* test_anadarko_pg.c - the repositories of tenant anadarko_pg (a
 * PostgreSQL adapter on the client's tables in schema field,
 * generated/anadarko_pg/) against a real server: Well and ProductionRecord
 * through the spec's renames and the state <-> status value map.
 * tests/repo/run.sh creates database anadarko (CREATE SCHEMA field, then
 * anadarko_pg_schema.sql) and exports ANADARKO_DSN. */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "entities.h"

static const char *const reset_sql[] = {
    "TRUNCATE field.daily_volume, field.well_header",
    NULL,
};

static const repo_cfg anadarko = {
    .tenant = "anadarko_pg",
    .dsn_env = "ANADARKO_DSN",
    .dialect = WR_POSTGRES,
    .nulls_first_desc = true,
    .reset_sql = reset_sql,
    .insert_parent_well = NULL,
    .has_canonical_only = false,
    .well_table = "field.well_header",
    .well_key = "well_guid",
    .well_name = "well_name",
    .well_api = "api_14",
    .well_status = "state",
    .well_lease = "lease",
    .well_deleted = "removed",
    .status_raw = { "producing", "idle", "plugged" },
    .status_unmapped = "suspended",
    .prod_table = "field.daily_volume",
    .prod_key = "volume_id",
    .prod_date = "volume_date",
    .prod_oil = "oil_bbl",
    .equip_table = NULL, /* not mapped */
};

/* The tables are found by their schema, not by search_path: the session
 * of the repositories (a fresh one: nothing is prepared yet) sees neither
 * schema field nor public. */
static void test_schema_qualified(void)
{
    reset_tables();
    wr_err e;
    PGresult *res = PQexec(wr_conn_pg(R->conn), "SET search_path TO pg_catalog");
    CU_ASSERT_EQUAL_FATAL(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    wos_well w, got;
    memset(&w, 0, sizeof w);
    memset(&got, 0, sizeof got);
    w.id = uuid_n(900, 1);
    w.name = "qualified";
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    EXPECT_STR(got.name, "qualified");
    char key[WR_UUID_TEXT_SIZE];
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM field.well_header WHERE well_guid = '%s' AND state = 'producing'",
                         uuid_str(&w.id, key)), 1);
    int64_t n = -1;
    EXPECT_RC(R->production_record->count(R->production_record, &n, &e), 0, e);
    EXPECT_INT(n, 0);
}

/* An adapter tenant's repositories use the client's own tables, where
 * WellOS keeps no marker: none is read, so neither a missing marker table
 * (this database has none) nor one naming another tenant stops them. */
static void test_adapter_reads_no_marker(void)
{
    reset_tables();
    wr_err e;
    int64_t n = -1;
    EXPECT_INT(tdb_count(&DB, "SELECT count(*) FROM pg_tables WHERE tablename = 'wellos_tenant'"), 0);
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    CU_ASSERT_FATAL(tdb_exec(&DB, "DROP TABLE IF EXISTS wellos_tenant"));
    CU_ASSERT_FATAL(tdb_exec(&DB, "CREATE TABLE wellos_tenant (tenant text PRIMARY KEY)"));
    CU_ASSERT_FATAL(tdb_exec(&DB, "INSERT INTO wellos_tenant (tenant) VALUES ('other_co')"));
    wos_repos *r = NULL;
    EXPECT_RC(wos_repos_open(&r, "anadarko_pg", &e), 0, e);
    if (r) {
        wos_well w;
        memset(&w, 0, sizeof w);
        w.id = uuid_n(800, 1);
        w.name = "adapter";
        w.status = WOS_WELL_STATUS_ACTIVE;
        EXPECT_RC(r->well->save(r->well, &w, &e), 0, e);
        EXPECT_RC(r->well->count(r->well, &n, &e), 0, e);
        EXPECT_INT(n, 1);
        EXPECT_RC(r->well->delete(r->well, w.id, &e), 1, e);
        wos_repos_close(r);
    }
    CU_ASSERT(tdb_exec(&DB, "DROP TABLE wellos_tenant"));
}

int main(void)
{
    CFG = &anadarko;
    static const test_case postgres[] = {
        { "tables in schema field", test_schema_qualified },
        { "adapter: no tenant marker is read", test_adapter_reads_no_marker },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (add_suite("anadarko_pg factory", entities_suite_init, entities_suite_cleanup, factory_cases, n_factory_cases)
        || add_suite("anadarko_pg Well", entities_suite_init, entities_suite_cleanup, well_cases, n_well_cases)
        || add_suite("anadarko_pg ProductionRecord", entities_suite_init, entities_suite_cleanup, production_cases,
                     n_production_cases)
        || ADD_SUITE("anadarko_pg postgres", entities_suite_init, entities_suite_cleanup, postgres)) {
        fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    return run_all();
}
