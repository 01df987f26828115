/* tests/repo/entities.h - the tests every tenant's Well, ProductionRecord
 * and Equipment repositories must pass, whatever the dialect and mapping.
 * entities.c is compiled once per test binary against that example's
 * generated headers (-Igenerated/<example>); a test program describes its
 * tenant in a repo_cfg, then registers these cases. */
#ifndef REPO_ENTITIES_H
#define REPO_ENTITIES_H

#include "common.h"
#include "repos.h"

/* A tenant as the tests see it: where its tables are and how they hold
 * values.  Identifiers are ready to paste into SQL (quoted as needed). */
typedef struct repo_cfg {
    const char *tenant;              /* "permian_ops" */
    const char *dsn_env;             /* "PERMIAN_DSN" */
    wr_dialect dialect;
    bool nulls_first_desc;           /* where ORDER BY x DESC puts NULLs */
    const char *const *reset_sql;    /* NULL-terminated: empties every mapped table */
    /* run with a uuid's text for each parent Well that a foreign key needs */
    const char *insert_parent_well;  /* NULL: no foreign keys */

    bool has_canonical_only;         /* FieldEvent, MlPrediction, Alert are mapped too */

    const char *well_table, *well_key, *well_name, *well_api, *well_status, *well_lease, *well_deleted;
    const char *status_raw[3];       /* ACTIVE, INACTIVE, PLUGGED as the table holds them */
    const char *status_unmapped;     /* a value the map does not cover; NULL: none can be stored */

    const char *prod_table, *prod_key, *prod_date, *prod_oil;

    const char *equip_table;         /* NULL: Equipment is not mapped */
    const char *equip_key, *equip_deleted, *equip_type, *equip_status, *equip_make;
    const char *type_raw_esp, *type_raw_pump_jack; /* Equipment type ESP, PUMP_JACK as held */
    const char *status_raw_maintenance;
    const char *type_unmapped;       /* NULL: none can be stored */
    bool is_manufacturer_read_only;  /* manufacturer <- upper(Make): read, never written */
} repo_cfg;

/* Set by the test program before the suites run. */
extern const repo_cfg *CFG;
/* Opened by the suites' init, closed by their cleanup. */
extern wos_repos *R;
extern tdb DB;
extern wr_arena *MEM;

int entities_suite_init(void);
int entities_suite_cleanup(void);
/* Empties the tenant's tables (every test starts from nothing). */
void reset_tables(void);
/* Inserts the parent Well rows foreign keys need (a no-op without them). */
void parent_well(const wr_uuid *id);

extern const test_case well_cases[];
extern const size_t n_well_cases;
extern const test_case production_cases[];
extern const size_t n_production_cases;
extern const test_case equipment_cases[];
extern const size_t n_equipment_cases;
extern const test_case factory_cases[];
extern const size_t n_factory_cases;

#endif
