/* test_bakken_pg.c - the repositories of tenant bakken_pg, an etl tenant
 * (generated/bakken_pg/, its sync agent's bakken_pg_sync.c left out): they
 * read and write the tenant's WellOS target, the canonical tables, as a
 * native tenant's do, and only where the target is marked for bakken_pg.
 * tests/repo/run.sh initialises database bakken with the agent itself
 * (wellosc build, then --init: the tables and the mark) and exports
 * BAKKEN_TARGET_DSN. */
#include <stdlib.h>

#include "entities.h"
#include "marker.h"

static const char *const reset_sql[] = {
    "TRUNCATE alerts, ml_predictions, field_events, equipment, production_data, wells",
    NULL,
};

static const repo_cfg bakken = {
    .tenant = "bakken_pg",
    .dsn_env = "BAKKEN_TARGET_DSN",
    .dialect = WR_POSTGRES,
    .nulls_first_desc = true,
    .reset_sql = reset_sql,
    .insert_parent_well = "INSERT INTO wells (id, name, status) VALUES ('%s', 'parent', 'ACTIVE')",
    .has_canonical_only = true,
    .well_table = "wells",
    .well_key = "id",
    .well_name = "name",
    .well_api = "api_number",
    .well_status = "status",
    .well_lease = "lease",
    .well_deleted = "deleted_at",
    .status_raw = { "ACTIVE", "INACTIVE", "PLUGGED" },
    .status_unmapped = NULL,
    .prod_table = "production_data",
    .prod_key = "id",
    .prod_date = "date",
    .prod_oil = "oil",
    .equip_table = "equipment",
    .equip_key = "id",
    .equip_deleted = "deleted_at",
    .equip_type = "type",
    .equip_status = "status",
    .equip_make = NULL,
    .type_raw_esp = "ESP",
    .type_raw_pump_jack = "PUMP_JACK",
    .status_raw_maintenance = "MAINTENANCE",
    .type_unmapped = NULL,
    .is_manufacturer_read_only = false,
};

int main(void)
{
    CFG = &bakken;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (add_suite("bakken_pg factory", entities_suite_init, entities_suite_cleanup, factory_cases, n_factory_cases)
        || add_suite("bakken_pg Well", entities_suite_init, entities_suite_cleanup, well_cases, n_well_cases)
        || add_suite("bakken_pg ProductionRecord", entities_suite_init, entities_suite_cleanup, production_cases,
                     n_production_cases)
        || add_suite("bakken_pg Equipment", entities_suite_init, entities_suite_cleanup, equipment_cases,
                     n_equipment_cases)
        || add_suite("bakken_pg tenant marker", marker_suite_init, marker_suite_cleanup, marker_cases,
                     n_marker_cases)) {
        fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    return run_all();
}
