/* test_permian_ops.c - the repositories of tenant permian_ops (a MySQL
 * adapter on the client's own tables, generated/permian_ops/) against a
 * real MariaDB: Well, ProductionRecord and Equipment through the spec's
 * renames and value maps, the read-only manufacturer <- upper(Make), a
 * killed session, and a root password that never shows in a message.
 * tests/repo/run.sh creates database permian from permian_ops_schema.sql
 * and exports PERMIAN_DSN. */
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "entities.h"

static const char *const reset_sql[] = {
    "DELETE FROM `WellMaster`",
    "DELETE FROM `DailyProduction`",
    "DELETE FROM `Equipment Register`",
    NULL,
};

static const repo_cfg permian = {
    .tenant = "permian_ops",
    .dsn_env = "PERMIAN_DSN",
    .dialect = WR_MYSQL,
    .nulls_first_desc = false, /* MySQL puts NULLs last in DESC */
    .reset_sql = reset_sql,
    .insert_parent_well = NULL,
    .has_canonical_only = false,
    .well_table = "`WellMaster`",
    .well_key = "`WellID`",
    .well_name = "`WellName`",
    .well_api = "`APINumber`",
    .well_status = "`Status`",
    .well_lease = "`LeaseName`",
    .well_deleted = "`DeletedDate`",
    .status_raw = { "Active", "Shut-In", "P&A" },
    .status_unmapped = "Unknown",
    .prod_table = "`DailyProduction`",
    .prod_key = "`ProdID`",
    .prod_date = "`ProdDate`",
    .prod_oil = "`OilBbl`",
    .equip_table = "`Equipment Register`",
    .equip_key = "`EquipID`",
    .equip_deleted = "`RemovedDate`",
    .equip_type = "`Kind`",
    .equip_status = "`Status`",
    .equip_make = "`Make`",
    .type_raw_esp = "ESP",
    .type_raw_pump_jack = "PJ",
    .status_raw_maintenance = "MT",
    .type_unmapped = "XX",
    .is_manufacturer_read_only = true,
};

/* Every root account of the test server gets `password` ("" takes it away). */
static bool set_root_password(const char *password)
{
    char host[256] = "localhost";
    bool is_null;
    tdb_value(&DB, host, sizeof host, &is_null, "SELECT @@hostname");
    return tdb_exec(&DB,
                    "ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY '%s', 'root'@'127.0.0.1' IDENTIFIED BY '%s', "
                    "'root'@'::1' IDENTIFIED BY '%s', 'root'@'%s' IDENTIFIED BY '%s'",
                    password, password, password, host, password);
}

static void with_dsn_password(char *out, size_t size, const char *base, const char *password)
{
    snprintf(out, size, "%s password=%s", base, password);
}

static void test_password_never_shown(void)
{
    wr_err e;
    const char *secret = "Perm-Root-8e21x";
    const char *wrong = "Wrong-Pw-31337";
    char base[512], dsn[1024];
    const char *env = getenv("PERMIAN_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(env);
    snprintf(base, sizeof base, "%s", env);
    reset_tables();
    CU_ASSERT_FATAL(set_root_password(secret));
    wos_repos *r = NULL;

    /* without it, the server now refuses us: the password matters */
    EXPECT_RC(wos_repos_open(&r, "permian_ops", &e), WR_ECONNECT, e);
    EXPECT_MESSAGE(e, "tenant permian_ops");
    CU_ASSERT_PTR_NULL(r);

    /* a wrong one: refused, and neither password is in the message */
    with_dsn_password(dsn, sizeof dsn, base, wrong);
    setenv("PERMIAN_DSN", dsn, 1);
    EXPECT_RC(wos_repos_open(&r, "permian_ops", &e), WR_ECONNECT, e);
    EXPECT_MESSAGE(e, "tenant permian_ops", "mysql");
    CU_ASSERT(!contains(e.message, wrong));
    CU_ASSERT(!contains(e.message, secret));

    /* the right one: every kind of failure, and no password anywhere */
    with_dsn_password(dsn, sizeof dsn, base, secret);
    setenv("PERMIAN_DSN", dsn, 1);
    EXPECT_RC(wos_repos_open(&r, "permian_ops", &e), 0, e);
    if (r) {
        char key[WR_UUID_TEXT_SIZE], name[1024];
        wos_well got;
        memset(&got, 0, sizeof got);
        /* a value the map does not cover */
        wr_uuid odd = uuid_n(800, 1);
        CU_ASSERT(tdb_exec(&DB, "INSERT INTO `WellMaster` (`WellID`, `WellName`, `Status`) VALUES ('%s', 'odd', 'Drill')",
                           uuid_str(&odd, key)));
        EXPECT_RC(r->well->find_by_id(r->well, odd, &got, MEM, &e), WR_EDATA, e);
        EXPECT_MESSAGE(e, "tenant permian_ops", "Well.find_by_id", "status", "Drill");
        CU_ASSERT(!contains(e.message, secret));
        /* a value the database refuses */
        wos_production_record p;
        memset(&p, 0, sizeof p);
        p.id = 1;
        p.date = day(2024, 3, 10);
        p.oil = (wr_opt_decimal){ true, dec("10000000000.00", 13, 2) };
        e.code = 0;
        e.message[0] = '\0';
        CU_ASSERT(r->production_record->save(r->production_record, &p, &e) < 0);
        EXPECT_MESSAGE(e, "tenant permian_ops", "ProductionRecord.save");
        CU_ASSERT(!contains(e.message, secret));
        /* a value refused before it is sent */
        wos_well w;
        memset(&w, 0, sizeof w);
        w.id = uuid_n(800, 2);
        w.name = utf8_repeat(name, sizeof name, "x", 256);
        EXPECT_RC(r->well->save(r->well, &w, &e), WR_EDATA, e);
        CU_ASSERT(!contains(e.message, secret));
        /* a killed session: reopened with the password */
        CU_ASSERT(kill_session(&DB, r->conn));
        int64_t n = -1;
        EXPECT_RC(r->well->count(r->well, &n, &e), 0, e);
        EXPECT_INT(n, 1);
        CU_ASSERT(!contains(e.message, secret));
        /* and a session that cannot be reopened: the password is gone again */
        CU_ASSERT(set_root_password(""));
        CU_ASSERT(set_root_password("Another-Pw-9z"));
        CU_ASSERT(kill_session(&DB, r->conn));
        e.code = 0;
        e.message[0] = '\0';
        int rc = r->well->count(r->well, &n, &e);
        CU_ASSERT_EQUAL(rc, WR_ECONNECT);
        EXPECT_MESSAGE(e, "tenant permian_ops", "Well.count");
        CU_ASSERT(!contains(e.message, secret));
        CU_ASSERT(!contains(e.message, "Another-Pw-9z"));
        wos_repos_close(r);
    }
    setenv("PERMIAN_DSN", base, 1);
    CU_ASSERT(set_root_password(""));
}

/* MariaDB's DATE and DATETIME(6): what they hold, through the repositories. */
static void test_mysql_date_range(void)
{
    reset_tables();
    wr_err e;
    static const int days[][3] = { { 1, 1, 1 }, { 999, 12, 31 }, { 1000, 1, 1 }, { 1582, 10, 10 }, { 9999, 12, 31 } };
    for (int i = 0; i < 5; i++) {
        wos_production_record p, got;
        memset(&p, 0, sizeof p);
        memset(&got, 0, sizeof got);
        p.id = 100 + i;
        p.date = day(days[i][0], days[i][1], days[i][2]);
        REQUIRE_RC(R->production_record->save(R->production_record, &p, &e), 0, e);
        REQUIRE_RC(R->production_record->find_by_id(R->production_record, p.id, &got, MEM, &e), 1, e);
        CU_ASSERT(opt_date_same((wr_opt_date){ true, got.date }, (wr_opt_date){ true, p.date }));
    }
    /* DATETIME(6) keeps microseconds, UTC in and out */
    wos_well w, got;
    memset(&w, 0, sizeof w);
    memset(&got, 0, sizeof got);
    w.id = uuid_n(801, 1);
    w.name = "dates";
    w.created_at = (wr_opt_timestamp){ true, ts_utc(1000, 1, 1, 0, 0, 0, 1) };
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    CU_ASSERT(opt_ts_same(got.created_at, w.created_at));
    w.created_at = (wr_opt_timestamp){ true, ts_utc(9999, 12, 31, 23, 59, 59, 999999) };
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    CU_ASSERT(opt_ts_same(got.created_at, w.created_at));
    char key[WR_UUID_TEXT_SIZE], value[64];
    bool is_null;
    CU_ASSERT(tdb_value(&DB, value, sizeof value, &is_null, "SELECT `CreatedDate` FROM `WellMaster` WHERE `WellID` = '%s'",
                        uuid_str(&w.id, key)));
    EXPECT_STR(value, "9999-12-31 23:59:59.999999");
}

int main(void)
{
    CFG = &permian;
    static const test_case mysql[] = {
        { "DATE and DATETIME(6) ranges", test_mysql_date_range },
    };
    static const test_case password[] = {
        { "root with a password: never in a message", test_password_never_shown },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (add_suite("permian_ops factory", entities_suite_init, entities_suite_cleanup, factory_cases, n_factory_cases)
        || add_suite("permian_ops Well", entities_suite_init, entities_suite_cleanup, well_cases, n_well_cases)
        || add_suite("permian_ops ProductionRecord", entities_suite_init, entities_suite_cleanup, production_cases,
                     n_production_cases)
        || add_suite("permian_ops Equipment", entities_suite_init, entities_suite_cleanup, equipment_cases,
                     n_equipment_cases)
        || ADD_SUITE("permian_ops mysql", entities_suite_init, entities_suite_cleanup, mysql)
        || ADD_SUITE("permian_ops password", entities_suite_init, entities_suite_cleanup, password)) {
        fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    int status = run_all();
    mysql_library_end(); /* the client library's process-wide allocations, for the leak check */
    return status;
}
