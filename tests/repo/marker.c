/* tests/repo/marker.c - see marker.h.  Every operation of every entity is
 * tried as the first statement of a fresh session (wos_repos_open), where
 * the check must happen, in a database marked for another tenant, for
 * this one and another, not marked (empty table), and with no marker table
 * at all; each must fail with WR_ETENANT and leave every row as it was.
 * Then each must work, with its effect, once the database is the tenant's.
 * PostgreSQL only: native and etl tenants are always there. */
#include "marker.h"

#include <stdlib.h>
#include <string.h>

#define OTHER "other_co"

/* One seeded row per entity, and the keys the saves of new rows use.
 * ProductionRecord's keys are 9001 (seeded) and 9002 (new). */
#define WELL_SEED  "4d000000-0000-4000-8000-000000000001"
#define WELL_NEW   "4d000000-0000-4000-8000-000000000002"
#define EQUIP_SEED "4d000000-0000-4000-8000-000000000003"
#define EQUIP_NEW  "4d000000-0000-4000-8000-000000000004"
#define EVENT_SEED "4d000000-0000-4000-8000-000000000005"
#define EVENT_NEW  "4d000000-0000-4000-8000-000000000006"
#define PRED_SEED  "4d000000-0000-4000-8000-000000000007"
#define PRED_NEW   "4d000000-0000-4000-8000-000000000008"
#define ALERT_SEED "4d000000-0000-4000-8000-000000000009"
#define ALERT_NEW  "4d000000-0000-4000-8000-00000000000a"

static const char *const seed_sql[] = {
    "INSERT INTO wells (id, name, api_number, status) VALUES ('" WELL_SEED "', 'seed', 'API-SEED', 'ACTIVE')",
    "INSERT INTO production_data (id, well_id, date) VALUES (9001, '" WELL_SEED "', '2024-01-01')",
    "INSERT INTO equipment (id, well_id, type, status, serial_number)"
    " VALUES ('" EQUIP_SEED "', '" WELL_SEED "', 'ESP', 'OPERATIONAL', 'SN-SEED')",
    "INSERT INTO field_events (id, well_id, event_type, occurred_at)"
    " VALUES ('" EVENT_SEED "', '" WELL_SEED "', 'NOTE', '2024-01-01 00:00:00+00')",
    "INSERT INTO ml_predictions (id, well_id, model_name, model_version, prediction)"
    " VALUES ('" PRED_SEED "', '" WELL_SEED "', 'gbm', 'v1', 'ANOMALY')",
    "INSERT INTO alerts (id, severity, message) VALUES ('" ALERT_SEED "', 'INFO', 'seed')",
    NULL,
};

/* Every row of every table the repositories write, as text: any insert,
 * update or delete changes it. */
static const char snapshot_sql[] =
    "SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(x, '|' ORDER BY x)), '-') FROM ("
    " SELECT 'wells ' || t::text FROM wells t UNION ALL"
    " SELECT 'production_data ' || t::text FROM production_data t UNION ALL"
    " SELECT 'equipment ' || t::text FROM equipment t UNION ALL"
    " SELECT 'field_events ' || t::text FROM field_events t UNION ALL"
    " SELECT 'ml_predictions ' || t::text FROM ml_predictions t UNION ALL"
    " SELECT 'alerts ' || t::text FROM alerts t) s(x)";

static bool snapshot(char *out, size_t size)
{
    return tdb_value(&DB, out, size, NULL, "%s", snapshot_sql);
}

static void seed(void)
{
    reset_tables();
    for (const char *const *sql = seed_sql; *sql; sql++)
        CU_ASSERT_FATAL(tdb_exec(&DB, "%s", *sql));
}

/* ---- the marker, set through the test's own connection -------------------- */

typedef enum { OWN, FOREIGN, OWN_AND_FOREIGN, EMPTY, NO_TABLE } marker_state;

/* The marker table where it belongs (a test stopped halfway may have left
 * it moved away). */
static void table_back(void)
{
    if (tdb_count(&DB, "SELECT count(*) FROM pg_tables WHERE tablename = 'wellos_tenant_moved'") > 0)
        CU_ASSERT_FATAL(tdb_exec(&DB, "ALTER TABLE wellos_tenant_moved RENAME TO wellos_tenant"));
}

static void set_marker(marker_state st)
{
    table_back();
    CU_ASSERT_FATAL(tdb_exec(&DB, "DELETE FROM wellos_tenant"));
    if (st == OWN || st == OWN_AND_FOREIGN)
        CU_ASSERT_FATAL(tdb_exec(&DB, "INSERT INTO wellos_tenant (tenant) VALUES ('%s')", CFG->tenant));
    if (st == FOREIGN || st == OWN_AND_FOREIGN)
        CU_ASSERT_FATAL(tdb_exec(&DB, "INSERT INTO wellos_tenant (tenant) VALUES ('" OTHER "')"));
    if (st == NO_TABLE)
        CU_ASSERT_FATAL(tdb_exec(&DB, "ALTER TABLE wellos_tenant RENAME TO wellos_tenant_moved"));
}

int marker_suite_init(void)
{
    if (entities_suite_init() != 0)
        return 1;
    char marked[128];
    bool is_null = true;
    if (!tdb_value(&DB, marked, sizeof marked, &is_null, "SELECT string_agg(tenant, ',') FROM wellos_tenant")
        || is_null || strcmp(marked, CFG->tenant) != 0) {
        fprintf(stderr, "\n    the database of tenant %s is not marked for it (wellos_tenant: %s)\n", CFG->tenant,
                is_null ? "empty" : marked);
        entities_suite_cleanup();
        return 1;
    }
    return 0;
}

int marker_suite_cleanup(void)
{
    if (DB.conn) {
        table_back();
        tdb_exec(&DB, "DELETE FROM wellos_tenant");
        tdb_exec(&DB, "INSERT INTO wellos_tenant (tenant) VALUES ('%s')", CFG->tenant);
    }
    return entities_suite_cleanup();
}

/* ---- the operations ---------------------------------------------------------- */

static wr_uuid U(const char *text)
{
    wr_uuid u;
    wr_err e;
    memset(&u, 0, sizeof u);
    if (wr_uuid_parse(&u, text, &e) < 0)
        fprintf(stderr, "\n    %s: %s\n", text, e.message);
    return u;
}

/* find_by_id of the seeded row (1: found), find_all (the rows it gave) and
 * count, for entity b (a member of wos_repos), whose seeded key is key. */
#define READS(b, key)                                                                                     \
    static int each_##b(void *ctx, const wos_##b *row)                                                    \
    {                                                                                                     \
        (void)row;                                                                                        \
        ++*(int *)ctx;                                                                                    \
        return 0;                                                                                         \
    }                                                                                                     \
    static int b##_find_by_id(wos_repos *r, wr_err *err)                                                  \
    {                                                                                                     \
        wos_##b row;                                                                                      \
        return r->b->find_by_id(r->b, key, &row, MEM, err);                                               \
    }                                                                                                     \
    static int b##_find_all(wos_repos *r, wr_err *err)                                                    \
    {                                                                                                     \
        int n = 0;                                                                                        \
        int rc = r->b->find_all(r->b, NULL, each_##b, &n, err);                                           \
        return rc < 0 ? rc : n;                                                                           \
    }                                                                                                     \
    static int b##_count(wos_repos *r, wr_err *err)                                                       \
    {                                                                                                     \
        int64_t n = -1;                                                                                   \
        int rc = r->b->count(r->b, &n, err);                                                              \
        return rc < 0 ? rc : (int)n;                                                                      \
    }

READS(well, U(WELL_SEED))
READS(production_record, (int64_t)9001)
READS(equipment, U(EQUIP_SEED))
READS(field_event, U(EVENT_SEED))
READS(ml_prediction, U(PRED_SEED))
READS(alert, U(ALERT_SEED))

static wos_well a_well(const char *id, const char *name)
{
    wos_well w;
    memset(&w, 0, sizeof w);
    w.id = U(id);
    w.name = name;
    w.api_number = strcmp(id, WELL_SEED) == 0 ? "API-SEED" : NULL;
    w.status = WOS_WELL_STATUS_ACTIVE;
    return w;
}

static int well_insert(wos_repos *r, wr_err *err)
{
    wos_well w = a_well(WELL_NEW, "new");
    return r->well->save(r->well, &w, err);
}

static int well_update(wos_repos *r, wr_err *err)
{
    wos_well w = a_well(WELL_SEED, "changed");
    return r->well->save(r->well, &w, err);
}

static int well_delete(wos_repos *r, wr_err *err)
{
    return r->well->delete(r->well, U(WELL_SEED), err);
}

static int well_find_by_api_number(wos_repos *r, wr_err *err)
{
    wos_well w;
    return r->well->find_by_api_number(r->well, "API-SEED", &w, MEM, err);
}

static wos_production_record a_record(int64_t id)
{
    wos_production_record p;
    memset(&p, 0, sizeof p);
    p.id = id;
    p.well_id = U(WELL_SEED);
    p.date = day(2024, 1, 1);
    return p;
}

static int production_record_insert(wos_repos *r, wr_err *err)
{
    wos_production_record p = a_record(9002);
    return r->production_record->save(r->production_record, &p, err);
}

static int production_record_update(wos_repos *r, wr_err *err)
{
    wos_production_record p = a_record(9001);
    p.oil = (wr_opt_decimal){ true, dec("12.50", 12, 2) };
    return r->production_record->save(r->production_record, &p, err);
}

static int production_record_delete(wos_repos *r, wr_err *err)
{
    return r->production_record->delete(r->production_record, 9001, err);
}

static wos_equipment an_equipment(const char *id)
{
    wos_equipment q;
    memset(&q, 0, sizeof q);
    q.id = U(id);
    q.well_id = (wr_opt_uuid){ true, U(WELL_SEED) };
    q.type = WOS_EQUIPMENT_TYPE_ESP;
    q.status = (wos_equipment_status_opt){ true, WOS_EQUIPMENT_STATUS_OPERATIONAL };
    q.serial_number = strcmp(id, EQUIP_SEED) == 0 ? "SN-SEED" : NULL;
    return q;
}

static int equipment_insert(wos_repos *r, wr_err *err)
{
    wos_equipment q = an_equipment(EQUIP_NEW);
    return r->equipment->save(r->equipment, &q, err);
}

static int equipment_update(wos_repos *r, wr_err *err)
{
    wos_equipment q = an_equipment(EQUIP_SEED);
    q.model = "changed";
    return r->equipment->save(r->equipment, &q, err);
}

static int equipment_delete(wos_repos *r, wr_err *err)
{
    return r->equipment->delete(r->equipment, U(EQUIP_SEED), err);
}

static int equipment_find_by_serial_number(wos_repos *r, wr_err *err)
{
    wos_equipment q;
    return r->equipment->find_by_serial_number(r->equipment, "SN-SEED", &q, MEM, err);
}

static wos_field_event an_event(const char *id)
{
    wos_field_event f;
    memset(&f, 0, sizeof f);
    f.id = U(id);
    f.well_id = U(WELL_SEED);
    f.event_type = WOS_FIELD_EVENT_EVENT_TYPE_NOTE;
    f.occurred_at = ts_utc(2024, 1, 1, 0, 0, 0, 0);
    return f;
}

static int field_event_insert(wos_repos *r, wr_err *err)
{
    wos_field_event f = an_event(EVENT_NEW);
    return r->field_event->save(r->field_event, &f, err);
}

static int field_event_update(wos_repos *r, wr_err *err)
{
    wos_field_event f = an_event(EVENT_SEED);
    f.recorded_by = "changed";
    return r->field_event->save(r->field_event, &f, err);
}

static int field_event_delete(wos_repos *r, wr_err *err)
{
    return r->field_event->delete(r->field_event, U(EVENT_SEED), err);
}

static wos_ml_prediction a_prediction(const char *id, const char *version)
{
    wos_ml_prediction m;
    memset(&m, 0, sizeof m);
    m.id = U(id);
    m.well_id = U(WELL_SEED);
    m.model_name = "gbm";
    m.model_version = version;
    m.prediction = WOS_ML_PREDICTION_PREDICTION_ANOMALY;
    return m;
}

static int ml_prediction_insert(wos_repos *r, wr_err *err)
{
    wos_ml_prediction m = a_prediction(PRED_NEW, "v1");
    return r->ml_prediction->save(r->ml_prediction, &m, err);
}

static int ml_prediction_update(wos_repos *r, wr_err *err)
{
    wos_ml_prediction m = a_prediction(PRED_SEED, "v2");
    return r->ml_prediction->save(r->ml_prediction, &m, err);
}

static int ml_prediction_delete(wos_repos *r, wr_err *err)
{
    return r->ml_prediction->delete(r->ml_prediction, U(PRED_SEED), err);
}

static wos_alert an_alert(const char *id, const char *message)
{
    wos_alert a;
    memset(&a, 0, sizeof a);
    a.id = U(id);
    a.severity = WOS_ALERT_SEVERITY_INFO;
    a.message = message;
    return a;
}

static int alert_insert(wos_repos *r, wr_err *err)
{
    wos_alert a = an_alert(ALERT_NEW, "new");
    return r->alert->save(r->alert, &a, err);
}

static int alert_update(wos_repos *r, wr_err *err)
{
    wos_alert a = an_alert(ALERT_SEED, "changed");
    return r->alert->save(r->alert, &a, err);
}

static int alert_delete(wos_repos *r, wr_err *err)
{
    return r->alert->delete(r->alert, U(ALERT_SEED), err);
}

typedef struct op_case {
    const char *name;          /* as messages name it: "Well.save" */
    const char *what;          /* which path */
    int (*call)(wos_repos *r, wr_err *err);
    int want;                  /* what it returns in a database marked for the tenant */
    const char *effect;        /* writes: 0 before the call, 1 once it ran; reads: NULL */
} op_case;

static const op_case ops[] = {
    { "Well.save", "insert", well_insert, 0, "SELECT count(*) FROM wells WHERE id = '" WELL_NEW "'" },
    { "Well.save", "update", well_update, 0,
      "SELECT count(*) FROM wells WHERE id = '" WELL_SEED "' AND name = 'changed'" },
    { "Well.delete", "soft delete", well_delete, 1,
      "SELECT count(*) FROM wells WHERE id = '" WELL_SEED "' AND deleted_at IS NOT NULL" },
    { "Well.find_by_id", "read", well_find_by_id, 1, NULL },
    { "Well.find_by_api_number", "read", well_find_by_api_number, 1, NULL },
    { "Well.find_all", "read", well_find_all, 1, NULL },
    { "Well.count", "read", well_count, 1, NULL },

    { "ProductionRecord.save", "insert", production_record_insert, 0,
      "SELECT count(*) FROM production_data WHERE id = 9002" },
    { "ProductionRecord.save", "update", production_record_update, 0,
      "SELECT count(*) FROM production_data WHERE id = 9001 AND oil = 12.50" },
    { "ProductionRecord.delete", "hard delete", production_record_delete, 1,
      "SELECT 1 - count(*) FROM production_data WHERE id = 9001" },
    { "ProductionRecord.find_by_id", "read", production_record_find_by_id, 1, NULL },
    { "ProductionRecord.find_all", "read", production_record_find_all, 1, NULL },
    { "ProductionRecord.count", "read", production_record_count, 1, NULL },

    { "Equipment.save", "insert", equipment_insert, 0, "SELECT count(*) FROM equipment WHERE id = '" EQUIP_NEW "'" },
    { "Equipment.save", "update", equipment_update, 0,
      "SELECT count(*) FROM equipment WHERE id = '" EQUIP_SEED "' AND model = 'changed'" },
    { "Equipment.delete", "soft delete", equipment_delete, 1,
      "SELECT count(*) FROM equipment WHERE id = '" EQUIP_SEED "' AND deleted_at IS NOT NULL" },
    { "Equipment.find_by_id", "read", equipment_find_by_id, 1, NULL },
    { "Equipment.find_by_serial_number", "read", equipment_find_by_serial_number, 1, NULL },
    { "Equipment.find_all", "read", equipment_find_all, 1, NULL },
    { "Equipment.count", "read", equipment_count, 1, NULL },

    { "FieldEvent.save", "insert", field_event_insert, 0,
      "SELECT count(*) FROM field_events WHERE id = '" EVENT_NEW "'" },
    { "FieldEvent.save", "update", field_event_update, 0,
      "SELECT count(*) FROM field_events WHERE id = '" EVENT_SEED "' AND recorded_by = 'changed'" },
    { "FieldEvent.delete", "hard delete", field_event_delete, 1,
      "SELECT 1 - count(*) FROM field_events WHERE id = '" EVENT_SEED "'" },
    { "FieldEvent.find_by_id", "read", field_event_find_by_id, 1, NULL },
    { "FieldEvent.find_all", "read", field_event_find_all, 1, NULL },
    { "FieldEvent.count", "read", field_event_count, 1, NULL },

    { "MlPrediction.save", "insert", ml_prediction_insert, 0,
      "SELECT count(*) FROM ml_predictions WHERE id = '" PRED_NEW "'" },
    { "MlPrediction.save", "update", ml_prediction_update, 0,
      "SELECT count(*) FROM ml_predictions WHERE id = '" PRED_SEED "' AND model_version = 'v2'" },
    { "MlPrediction.delete", "hard delete", ml_prediction_delete, 1,
      "SELECT 1 - count(*) FROM ml_predictions WHERE id = '" PRED_SEED "'" },
    { "MlPrediction.find_by_id", "read", ml_prediction_find_by_id, 1, NULL },
    { "MlPrediction.find_all", "read", ml_prediction_find_all, 1, NULL },
    { "MlPrediction.count", "read", ml_prediction_count, 1, NULL },

    { "Alert.save", "insert", alert_insert, 0, "SELECT count(*) FROM alerts WHERE id = '" ALERT_NEW "'" },
    { "Alert.save", "update", alert_update, 0,
      "SELECT count(*) FROM alerts WHERE id = '" ALERT_SEED "' AND message = 'changed'" },
    { "Alert.delete", "hard delete", alert_delete, 1, "SELECT 1 - count(*) FROM alerts WHERE id = '" ALERT_SEED "'" },
    { "Alert.find_by_id", "read", alert_find_by_id, 1, NULL },
    { "Alert.find_all", "read", alert_find_all, 1, NULL },
    { "Alert.count", "read", alert_count, 1, NULL },
};
enum { N_OPS = sizeof ops / sizeof *ops };

static wos_repos *new_session(void)
{
    wr_err e;
    wos_repos *r = NULL;
    REQUIRE_RC(wos_repos_open(&r, CFG->tenant, &e), 0, e);
    return r;
}

/* ---- refused -------------------------------------------------------------------- */

/* In a database marked as st says, each operation, the first of a new
 * session, fails with WR_ETENANT, its message naming the operation, this
 * tenant and the words of why[]; not a row changes. */
static void expect_all_refused(marker_state st, const char *const *why)
{
    seed();
    set_marker(st);
    char before[128], after[128];
    CU_ASSERT_FATAL(snapshot(before, sizeof before));
    char who[160], quoted[160];
    snprintf(quoted, sizeof quoted, "'%s'", CFG->tenant);
    for (size_t i = 0; i < N_OPS; i++) {
        const op_case *op = &ops[i];
        wos_repos *r = new_session();
        wr_err e = { 0, "" };
        int rc = op->call(r, &e);
        wos_repos_close(r);
        if (rc != WR_ETENANT)
            repo_note(__FILE__, __LINE__, "%s (%s) returned %d, expected WR_ETENANT (%d): %s", op->name, op->what, rc,
                      WR_ETENANT, e.message);
        CU_ASSERT_EQUAL(rc, WR_ETENANT);
        EXPECT_INT(e.code, WR_ETENANT);
        snprintf(who, sizeof who, "tenant %s: %s: refused", CFG->tenant, op->name);
        EXPECT_MESSAGE(e, who, quoted);
        expect_message(__FILE__, __LINE__, &e, why);
        if (op->effect) {
            long long n = tdb_count(&DB, "%s", op->effect);
            if (n != 0)
                repo_note(__FILE__, __LINE__, "%s (%s) was refused but ran: %s gives %lld", op->name, op->what,
                          op->effect, n);
            CU_ASSERT_EQUAL(n, 0);
        }
        bool is_same = snapshot(after, sizeof after) && strcmp(before, after) == 0;
        if (!is_same)
            repo_note(__FILE__, __LINE__, "%s (%s) was refused but the rows changed: %s, before %s", op->name,
                      op->what, after, before);
        CU_ASSERT(is_same);
    }
}

static void test_refused_other_tenant(void)
{
    expect_all_refused(FOREIGN, (const char *const[]){ "marked for tenant '" OTHER "'", NULL });
}

static void test_refused_this_and_other_tenant(void)
{
    expect_all_refused(OWN_AND_FOREIGN, (const char *const[]){ "marked for tenant '" OTHER "'", NULL });
}

static void test_refused_empty_marker(void)
{
    expect_all_refused(EMPTY, (const char *const[]){ "no tenant marker", "is empty", NULL });
}

static void test_refused_no_marker_table(void)
{
    expect_all_refused(NO_TABLE, (const char *const[]){ "no tenant marker", "no table wellos_tenant", NULL });
}

/* ---- allowed ------------------------------------------------------------------- */

/* Marked for this tenant, each operation works, the first of its session,
 * and a write does what it says. */
static void test_marked_for_this_tenant(void)
{
    for (size_t i = 0; i < N_OPS; i++) {
        const op_case *op = &ops[i];
        seed();
        set_marker(OWN);
        if (op->effect)
            EXPECT_INT(tdb_count(&DB, "%s", op->effect), 0);
        wos_repos *r = new_session();
        wr_err e = { 0, "" };
        int rc = op->call(r, &e);
        wos_repos_close(r);
        if (rc != op->want)
            repo_note(__FILE__, __LINE__, "%s (%s) returned %d, expected %d: %s", op->name, op->what, rc, op->want,
                      e.message);
        CU_ASSERT_EQUAL(rc, op->want);
        if (op->effect) {
            long long n = tdb_count(&DB, "%s", op->effect);
            if (n != 1)
                repo_note(__FILE__, __LINE__, "%s (%s): %s gives %lld after the call, expected 1", op->name, op->what,
                          op->effect, n);
            CU_ASSERT_EQUAL(n, 1);
        }
    }
}

/* ---- once per session ------------------------------------------------------------ */

static long long wells_named(const char *name)
{
    return tdb_count(&DB, "SELECT count(*) FROM wells WHERE id = '" WELL_SEED "' AND name = '%s'", name);
}

/* The check runs once per session, for every repository on the
 * connection: a marker changed under an open session is seen by its next
 * session.  A lost connection is one: the statement's silent retry on a
 * new connection waits for the check, which refuses it here. */
static void test_once_per_session(void)
{
    seed();
    set_marker(OWN);
    wos_repos *r = new_session();
    wr_err e;
    wos_well w = a_well(WELL_SEED, "first");
    REQUIRE_RC(r->well->save(r->well, &w, &e), 0, e);
    EXPECT_INT(wells_named("first"), 1);

    set_marker(FOREIGN); /* under the open session: it keeps its answer, all its repositories */
    w.name = "second";
    EXPECT_RC(r->well->save(r->well, &w, &e), 0, e);
    EXPECT_INT(wells_named("second"), 1);
    int64_t n = -1;
    EXPECT_RC(r->alert->count(r->alert, &n, &e), 0, e);
    EXPECT_INT(n, 1);

    /* the session is lost: the save reconnects, the new session is checked
     * before the save is retried, and the save is refused */
    CU_ASSERT_FATAL(kill_session(&DB, r->conn));
    unsigned generation = wr_conn_generation(r->conn);
    w.name = "third";
    EXPECT_RC(r->well->save(r->well, &w, &e), WR_ETENANT, e);
    EXPECT_MESSAGE(e, "Well.save", "marked for tenant '" OTHER "'", CFG->tenant);
    CU_ASSERT(wr_conn_generation(r->conn) > generation); /* it did reconnect */
    EXPECT_INT(wells_named("second"), 1);
    EXPECT_INT(wells_named("third"), 0);
    EXPECT_RC(r->alert->count(r->alert, &n, &e), WR_ETENANT, e);
    wos_well got;
    EXPECT_RC(r->well->find_by_id(r->well, w.id, &got, MEM, &e), WR_ETENANT, e);

    /* a refusal is not kept: once the database is the tenant's again, the
     * same session goes on */
    set_marker(OWN);
    EXPECT_RC(r->well->save(r->well, &w, &e), 0, e);
    EXPECT_INT(wells_named("third"), 1);
    wos_repos_close(r);
}

/* Two tenants' repositories on one connection: the answer kept for one
 * is not the other's.  (The factory opens one connection per tenant; a
 * program may share one.) */
static void test_answer_is_per_tenant(void)
{
    seed();
    set_marker(OWN);
    wos_repos *r = new_session();
    wr_err e;
    int64_t n = -1;
    REQUIRE_RC(r->well->count(r->well, &n, &e), 0, e);
    /* the same statements under another tenant's name, on the same session */
    wr_stmts other = { 0 };
    static const wr_stmt stmts[] = {
        { .name = "tenant " OTHER ": Well.count", .sql = "SELECT count(*) FROM wells" },
        { .name = "tenant " OTHER ": Well.tenant_marker", .sql = "SELECT tenant FROM wellos_tenant" },
    };
    other.list = stmts;
    other.n = 2;
    other.tenant = OTHER;
    other.marker = 1;
    wr_params p;
    wr_params_init(&p, WR_POSTGRES);
    int64_t affected = -1;
    EXPECT_RC(wr_execute(r->conn, &other, 0, &p, &affected, &e), WR_ETENANT, e);
    EXPECT_MESSAGE(e, "tenant " OTHER ": Well.count: refused", "marked", "'" OTHER "'");
    wr_stmts_release(r->conn, &other);
    /* and this tenant's own answer still holds */
    EXPECT_RC(r->well->count(r->well, &n, &e), 0, e);
    EXPECT_INT(n, 1);
    wos_repos_close(r);
}

const test_case marker_cases[] = {
    { "marker: another tenant's database: every operation refused, no row changed", test_refused_other_tenant },
    { "marker: this and another tenant: every operation refused, no row changed", test_refused_this_and_other_tenant },
    { "marker: empty marker table: every operation refused, no row changed", test_refused_empty_marker },
    { "marker: no marker table: every operation refused, no row changed", test_refused_no_marker_table },
    { "marker: this tenant's database: every operation works", test_marked_for_this_tenant },
    { "marker: checked once per session, again after a reconnect", test_once_per_session },
    { "marker: the answer kept on a connection is per tenant", test_answer_is_per_tenant },
};
const size_t n_marker_cases = sizeof marker_cases / sizeof *marker_cases;
