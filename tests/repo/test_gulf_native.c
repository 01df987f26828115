/* test_gulf_native.c - the repositories of tenant gulf_native (native
 * PostgreSQL on the canonical tables, generated/gulf_native/) against a
 * real server: every operation of all six entities, and the tenant marker
 * (marker.c; ddl_postgres.sql marks the database).  tests/repo/run.sh
 * creates database gulf from ddl_postgres.sql and exports GULF_DSN. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "entities.h"
#include "marker.h"

static const char *const reset_sql[] = {
    "TRUNCATE alerts, ml_predictions, field_events, equipment, production_data, wells",
    NULL,
};

static const repo_cfg gulf = {
    .tenant = "gulf_native",
    .dsn_env = "GULF_DSN",
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
    .status_unmapped = NULL, /* a CHECK constraint keeps other values out */
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

static const char *who = "tenant gulf_native";

/* ======================================================================
 * FieldEvent
 * ====================================================================== */

/* jsonb hands back its own normal form: payloads are written in it */
#define PAYLOAD "{\"a\": [1, 2.5, \"Größe 🛢\"], \"b\": {\"k\": null}, \"q\": \"it's \\\"x\\\" \\\\ 100%\"}"

static wos_field_event an_event(unsigned n, wr_uuid well, wos_field_event_event_type type, wr_timestamp at)
{
    wos_field_event f;
    memset(&f, 0, sizeof f);
    f.id = uuid_n(400, n);
    f.well_id = well;
    f.event_type = type;
    f.occurred_at = at;
    return f;
}

static void expect_event(const wos_field_event *got, const wos_field_event *want)
{
    CU_ASSERT(wr_uuid_equal(&got->id, &want->id));
    CU_ASSERT(wr_uuid_equal(&got->well_id, &want->well_id));
    EXPECT_INT(got->event_type, want->event_type);
    CU_ASSERT(opt_ts_same((wr_opt_timestamp){ true, got->occurred_at }, (wr_opt_timestamp){ true, want->occurred_at }));
    EXPECT_STR(got->recorded_by, want->recorded_by);
    EXPECT_STR(got->device_id, want->device_id);
    EXPECT_STR(got->payload, want->payload);
    if (want->synced_at.is_set) {
        CU_ASSERT(opt_ts_same(got->synced_at, want->synced_at));
    } else {
        CU_ASSERT(is_recent(got->synced_at));
    }
    CU_ASSERT(is_recent(got->updated_at));
}

static void test_event_save_find(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    wos_field_event f = an_event(1, well, WOS_FIELD_EVENT_EVENT_TYPE_INCIDENT, ts_utc(2024, 3, 10, 6, 30, 0, 1)), got;
    memset(&got, 0, sizeof got);
    f.recorded_by = NON_ASCII_NAME;
    f.device_id = TRICKY_TEXT;
    f.payload = PAYLOAD;
    REQUIRE_RC(R->field_event->save(R->field_event, &f, &e), 0, e);
    REQUIRE_RC(R->field_event->find_by_id(R->field_event, f.id, &got, MEM, &e), 1, e);
    expect_event(&got, &f);

    /* NULL, empty, and JSON's own null are three things */
    wos_field_event g = an_event(2, well, WOS_FIELD_EVENT_EVENT_TYPE_NOTE, ts_utc(2024, 11, 3, 5, 30, 0, 999999));
    g.device_id = "";
    g.payload = "null";
    g.synced_at = (wr_opt_timestamp){ true, ts_utc(2024, 11, 3, 6, 0, 0, 0) };
    REQUIRE_RC(R->field_event->save(R->field_event, &g, &e), 0, e);
    REQUIRE_RC(R->field_event->find_by_id(R->field_event, g.id, &got, MEM, &e), 1, e);
    expect_event(&got, &g);
    CU_ASSERT_PTR_NULL(got.recorded_by);
    wos_field_event h = an_event(3, well, WOS_FIELD_EVENT_EVENT_TYPE_READING, ts_utc(1, 1, 1, 0, 0, 0, 0));
    REQUIRE_RC(R->field_event->save(R->field_event, &h, &e), 0, e);
    REQUIRE_RC(R->field_event->find_by_id(R->field_event, h.id, &got, MEM, &e), 1, e);
    expect_event(&got, &h);
    CU_ASSERT_PTR_NULL(got.payload);
    CU_ASSERT_PTR_NULL(got.device_id);

    /* text limits */
    char text[2048];
    f.recorded_by = utf8_repeat(text, sizeof text, "北", 255);
    REQUIRE_RC(R->field_event->save(R->field_event, &f, &e), 0, e);
    REQUIRE_RC(R->field_event->find_by_id(R->field_event, f.id, &got, MEM, &e), 1, e);
    EXPECT_STR(got.recorded_by, f.recorded_by);
    f.recorded_by = utf8_repeat(text, sizeof text, "北", 256);
    EXPECT_RC(R->field_event->save(R->field_event, &f, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "FieldEvent.save", "recorded_by");
    f.recorded_by = NULL;
    f.device_id = utf8_repeat(text, sizeof text, "x", 101);
    EXPECT_RC(R->field_event->save(R->field_event, &f, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "FieldEvent.save", "device_id");
    /* JSON that is not JSON: the database refuses it, the message says where */
    f.device_id = NULL;
    f.payload = "{not json";
    e.code = 0;
    int rc = R->field_event->save(R->field_event, &f, &e);
    CU_ASSERT(rc < 0);
    EXPECT_MESSAGE(e, who, "FieldEvent.save");
    EXPECT_RC(R->field_event->find_by_id(R->field_event, uuid_n(400, 99), &got, MEM, &e), 0, e);
}

static void test_event_upsert_delete(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1), other = uuid_n(200, 2);
    parent_well(&well);
    parent_well(&other);
    wos_field_event f = an_event(1, well, WOS_FIELD_EVENT_EVENT_TYPE_INSPECTION, ts_utc(2024, 3, 10, 6, 30, 0, 0)), got;
    memset(&got, 0, sizeof got);
    f.synced_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 7, 0, 0, 0) };
    f.payload = "{\"v\": 1}";
    REQUIRE_RC(R->field_event->save(R->field_event, &f, &e), 0, e);
    f.well_id = other;
    f.event_type = WOS_FIELD_EVENT_EVENT_TYPE_MAINTENANCE;
    f.payload = NULL;
    f.recorded_by = "changed";
    wr_opt_timestamp synced = f.synced_at;
    f.synced_at = (wr_opt_timestamp){ false, { 0 } }; /* unset keeps the row's */
    REQUIRE_RC(R->field_event->save(R->field_event, &f, &e), 0, e);
    REQUIRE_RC(R->field_event->find_by_id(R->field_event, f.id, &got, MEM, &e), 1, e);
    f.synced_at = synced;
    expect_event(&got, &f);
    int64_t n = -1;
    EXPECT_RC(R->field_event->count(R->field_event, &n, &e), 0, e);
    EXPECT_INT(n, 1);
    /* hard delete */
    EXPECT_RC(R->field_event->delete(R->field_event, f.id, &e), 1, e);
    EXPECT_RC(R->field_event->delete(R->field_event, f.id, &e), 0, e);
    EXPECT_RC(R->field_event->find_by_id(R->field_event, f.id, &got, MEM, &e), 0, e);
    EXPECT_RC(R->field_event->count(R->field_event, &n, &e), 0, e);
    EXPECT_INT(n, 0);
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM field_events"), 0);
}

static int collect_event(void *ctx, const wos_field_event *row)
{
    rowlist_add_uuid(ctx, &row->id, true, row->occurred_at.micros);
    return 0;
}

static void cut(rowlist *want, int64_t limit, int64_t offset)
{
    rowlist_sort(want, true);
    size_t from = (size_t)offset < want->n ? (size_t)offset : want->n;
    memmove(want->v, want->v + from, (want->n - from) * sizeof want->v[0]);
    want->n -= from;
    if (limit > 0 && (size_t)limit < want->n)
        want->n = (size_t)limit;
}

static void test_event_filters(void)
{
    reset_tables();
    wr_err e;
    enum { N = 15 };
    wr_uuid wells[2] = { uuid_n(200, 1), uuid_n(200, 2) };
    parent_well(&wells[0]);
    parent_well(&wells[1]);
    wos_field_event f[N];
    for (unsigned i = 0; i < N; i++) {
        f[i] = an_event(i, wells[i % 2], (wos_field_event_event_type)(i % 5),
                        ts_utc(2024, 3, 10, (int)(i / 2), 0, 0, (int)(i % 2)));
        REQUIRE_RC(R->field_event->save(R->field_event, &f[i], &e), 0, e);
    }
    struct {
        int well, type, since; /* -1: none; since: index of the bound row */
        int64_t limit, offset;
    } cases[] = {
        { -1, -1, -1, 0, 0 }, { 0, -1, -1, 0, 0 }, { -1, 2, -1, 0, 0 }, { -1, -1, 7, 0, 0 }, { 1, 3, -1, 0, 0 },
        { 0, -1, 4, 0, 0 },   { -1, 0, 5, 0, 0 },  { 1, 1, 1, 0, 0 },  { -1, -1, -1, 4, 4 }, { 0, -1, -1, 3, 2 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        static rowlist want, got;
        rowlist_clear(&want);
        for (unsigned i = 0; i < N; i++) {
            if (cases[c].well >= 0 && !wr_uuid_equal(&f[i].well_id, &wells[cases[c].well]))
                continue;
            if (cases[c].type >= 0 && (int)f[i].event_type != cases[c].type)
                continue;
            if (cases[c].since >= 0 && f[i].occurred_at.micros < f[cases[c].since].occurred_at.micros)
                continue;
            rowlist_add_uuid(&want, &f[i].id, true, f[i].occurred_at.micros);
        }
        cut(&want, cases[c].limit, cases[c].offset);
        wos_field_event_filter flt;
        memset(&flt, 0, sizeof flt);
        if (cases[c].well >= 0)
            flt.well_id = (wr_opt_uuid){ true, wells[cases[c].well] };
        if (cases[c].type >= 0)
            flt.event_type = (wos_field_event_event_type_opt){ true, (wos_field_event_event_type)cases[c].type };
        if (cases[c].since >= 0)
            flt.since = (wr_opt_timestamp){ true, f[cases[c].since].occurred_at };
        flt.limit = cases[c].limit;
        flt.offset = cases[c].offset;
        rowlist_clear(&got);
        EXPECT_RC(R->field_event->find_all(R->field_event, &flt, collect_event, &got, &e), 0, e);
        char what[64];
        snprintf(what, sizeof what, "FieldEvent.find_all case %zu", c);
        CU_ASSERT(rowlist_same(&got, &want, what));
    }
}

static int event_page(void *ctx, int64_t limit, int64_t offset, rowlist *out, wr_err *err)
{
    (void)ctx;
    wos_field_event_filter f;
    memset(&f, 0, sizeof f);
    f.limit = limit;
    f.offset = offset;
    return R->field_event->find_all(R->field_event, &f, collect_event, out, err);
}

static void test_event_paging(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    for (unsigned i = 0; i < 26; i++) {
        wos_field_event f = an_event(i, well, WOS_FIELD_EVENT_EVENT_TYPE_READING,
                                     ts_utc(2024, 3, 10, 6, (int)(i / 3), 0, 0));
        REQUIRE_RC(R->field_event->save(R->field_event, &f, &e), 0, e);
    }
    check_paging(event_page, NULL, 26, 7, true);
}

/* ======================================================================
 * MlPrediction
 * ====================================================================== */

static wos_ml_prediction a_prediction(unsigned n, wr_uuid well, const char *model)
{
    wos_ml_prediction m;
    memset(&m, 0, sizeof m);
    m.id = uuid_n(500, n);
    m.well_id = well;
    m.model_name = model;
    m.model_version = "v1";
    m.prediction = WOS_ML_PREDICTION_PREDICTION_FAILURE_RISK;
    return m;
}

static void expect_prediction(const wos_ml_prediction *got, const wos_ml_prediction *want)
{
    CU_ASSERT(wr_uuid_equal(&got->id, &want->id));
    CU_ASSERT(wr_uuid_equal(&got->well_id, &want->well_id));
    EXPECT_STR(got->model_name, want->model_name);
    EXPECT_STR(got->model_version, want->model_version);
    EXPECT_INT(got->prediction, want->prediction);
    CU_ASSERT(opt_date_same(got->target_date, want->target_date));
    char text[WR_DECIMAL_TEXT_SIZE];
    if (want->value.is_set)
        wr_decimal_format(&want->value.value, text);
    CU_ASSERT(dec_is(&got->value, want->value.is_set ? text : NULL));
    CU_ASSERT(opt_float_same(got->confidence, want->confidence));
    if (want->created_at.is_set) {
        CU_ASSERT(opt_ts_same(got->created_at, want->created_at));
    } else {
        CU_ASSERT(is_recent(got->created_at));
    }
}

static void test_prediction_save_find(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    wos_ml_prediction m = a_prediction(1, well, NON_ASCII_NAME), got;
    memset(&got, 0, sizeof got);
    m.model_version = TRICKY_TEXT;
    m.prediction = WOS_ML_PREDICTION_PREDICTION_ANOMALY;
    m.target_date = (wr_opt_date){ true, day(2024, 3, 10) };
    m.value = (wr_opt_decimal){ true, dec("9999999999.9999", 14, 4) };
    m.confidence = (wr_opt_float){ true, 0.12345678901234568 };
    m.created_at = (wr_opt_timestamp){ true, ts_utc(2024, 11, 3, 5, 30, 0, 250000) };
    REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), 0, e);
    REQUIRE_RC(R->ml_prediction->find_by_id(R->ml_prediction, m.id, &got, MEM, &e), 1, e);
    expect_prediction(&got, &m);

    wos_ml_prediction z = a_prediction(2, well, "");
    z.value = (wr_opt_decimal){ true, dec("-0.0001", 14, 4) };
    z.confidence = (wr_opt_float){ true, 0.0 };
    REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &z, &e), 0, e);
    REQUIRE_RC(R->ml_prediction->find_by_id(R->ml_prediction, z.id, &got, MEM, &e), 1, e);
    expect_prediction(&got, &z);
    CU_ASSERT(dec_is(&got.value, "-0.0001"));

    wos_ml_prediction nulls = a_prediction(3, well, "nulls");
    REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &nulls, &e), 0, e);
    REQUIRE_RC(R->ml_prediction->find_by_id(R->ml_prediction, nulls.id, &got, MEM, &e), 1, e);
    expect_prediction(&got, &nulls);
    CU_ASSERT(!got.value.is_set);
    CU_ASSERT(!got.target_date.is_set);
    CU_ASSERT(!got.confidence.is_set);
    nulls.confidence = (wr_opt_float){ true, 1.0 };
    nulls.value = (wr_opt_decimal){ true, dec("0", 14, 4) };
    REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &nulls, &e), 0, e);
    REQUIRE_RC(R->ml_prediction->find_by_id(R->ml_prediction, nulls.id, &got, MEM, &e), 1, e);
    expect_prediction(&got, &nulls);
    CU_ASSERT(dec_is(&got.value, "0.0000"));

    char text[1024];
    m.model_name = utf8_repeat(text, sizeof text, "ü", 101);
    EXPECT_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "MlPrediction.save", "model_name");
    m.model_name = "m";
    m.model_version = utf8_repeat(text, sizeof text, "ü", 51);
    EXPECT_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "MlPrediction.save", "model_version");
    m.model_version = utf8_repeat(text, sizeof text, "ü", 50);
    m.confidence = (wr_opt_float){ true, nextafter(1.0, 2.0) };
    EXPECT_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "MlPrediction.save", "confidence");
    m.confidence = (wr_opt_float){ true, NAN };
    EXPECT_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "MlPrediction.save", "confidence");
    m.confidence = (wr_opt_float){ true, nextafter(1.0, 0.0) };
    REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), 0, e);
    REQUIRE_RC(R->ml_prediction->find_by_id(R->ml_prediction, m.id, &got, MEM, &e), 1, e);
    expect_prediction(&got, &m);
}

static void test_prediction_upsert_delete(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    wos_ml_prediction m = a_prediction(1, well, "gbm"), got;
    memset(&got, 0, sizeof got);
    m.created_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 6, 30, 0, 0) };
    REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), 0, e);
    m.model_version = "v2";
    m.prediction = WOS_ML_PREDICTION_PREDICTION_PRODUCTION_FORECAST;
    m.value = (wr_opt_decimal){ true, dec("12.5", 14, 4) };
    wr_opt_timestamp created = m.created_at;
    m.created_at = (wr_opt_timestamp){ false, { 0 } };
    REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), 0, e);
    REQUIRE_RC(R->ml_prediction->find_by_id(R->ml_prediction, m.id, &got, MEM, &e), 1, e);
    m.created_at = created;
    expect_prediction(&got, &m);
    CU_ASSERT(dec_is(&got.value, "12.5000"));
    int64_t n = -1;
    EXPECT_RC(R->ml_prediction->count(R->ml_prediction, &n, &e), 0, e);
    EXPECT_INT(n, 1);
    EXPECT_RC(R->ml_prediction->delete(R->ml_prediction, m.id, &e), 1, e);
    EXPECT_RC(R->ml_prediction->delete(R->ml_prediction, m.id, &e), 0, e);
    EXPECT_RC(R->ml_prediction->find_by_id(R->ml_prediction, m.id, &got, MEM, &e), 0, e);
    EXPECT_RC(R->ml_prediction->count(R->ml_prediction, &n, &e), 0, e);
    EXPECT_INT(n, 0);
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM ml_predictions"), 0);
}

static int collect_prediction(void *ctx, const wos_ml_prediction *row)
{
    rowlist_add_uuid(ctx, &row->id, row->created_at.is_set, row->created_at.value.micros);
    return 0;
}

static void test_prediction_filters(void)
{
    reset_tables();
    wr_err e;
    enum { N = 15 };
    static const char *const models[] = { "gbm", "lstm 'q' 100%", "Größe" };
    wr_uuid wells[2] = { uuid_n(200, 1), uuid_n(200, 2) };
    parent_well(&wells[0]);
    parent_well(&wells[1]);
    wos_ml_prediction m[N];
    for (unsigned i = 0; i < N; i++) {
        m[i] = a_prediction(i, wells[i % 2], models[i % 3]);
        m[i].prediction = (wos_ml_prediction_prediction)((i / 2) % 3);
        m[i].created_at = (wr_opt_timestamp){ true, ts_utc(2024, 5, 1 + (int)(i / 4), 0, 0, 0, 0) };
        REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &m[i], &e), 0, e);
    }
    struct {
        int well, prediction, model;
        int64_t limit, offset;
    } cases[] = {
        { -1, -1, -1, 0, 0 }, { 1, -1, -1, 0, 0 }, { -1, 2, -1, 0, 0 }, { -1, -1, 1, 0, 0 }, { 0, 0, -1, 0, 0 },
        { 0, -1, 2, 0, 0 },   { -1, 1, 0, 0, 0 },  { 1, 1, 1, 0, 0 },  { -1, -1, -1, 5, 9 }, { -1, -1, 2, 1, 1 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        static rowlist want, got;
        rowlist_clear(&want);
        for (unsigned i = 0; i < N; i++) {
            if (cases[c].well >= 0 && !wr_uuid_equal(&m[i].well_id, &wells[cases[c].well]))
                continue;
            if (cases[c].prediction >= 0 && (int)m[i].prediction != cases[c].prediction)
                continue;
            if (cases[c].model >= 0 && !str_same(m[i].model_name, models[cases[c].model]))
                continue;
            rowlist_add_uuid(&want, &m[i].id, true, m[i].created_at.value.micros);
        }
        cut(&want, cases[c].limit, cases[c].offset);
        wos_ml_prediction_filter f;
        memset(&f, 0, sizeof f);
        if (cases[c].well >= 0)
            f.well_id = (wr_opt_uuid){ true, wells[cases[c].well] };
        if (cases[c].prediction >= 0)
            f.prediction = (wos_ml_prediction_prediction_opt){ true, (wos_ml_prediction_prediction)cases[c].prediction };
        if (cases[c].model >= 0)
            f.model_name = models[cases[c].model];
        f.limit = cases[c].limit;
        f.offset = cases[c].offset;
        rowlist_clear(&got);
        EXPECT_RC(R->ml_prediction->find_all(R->ml_prediction, &f, collect_prediction, &got, &e), 0, e);
        char what[64];
        snprintf(what, sizeof what, "MlPrediction.find_all case %zu", c);
        CU_ASSERT(rowlist_same(&got, &want, what));
    }
}

static int prediction_page(void *ctx, int64_t limit, int64_t offset, rowlist *out, wr_err *err)
{
    (void)ctx;
    wos_ml_prediction_filter f;
    memset(&f, 0, sizeof f);
    f.limit = limit;
    f.offset = offset;
    return R->ml_prediction->find_all(R->ml_prediction, &f, collect_prediction, out, err);
}

static void test_prediction_paging(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    for (unsigned i = 0; i < 29; i++) {
        wos_ml_prediction m = a_prediction(i, well, "paged");
        m.created_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 6, 30, 0, (int)(i / 5)) };
        REQUIRE_RC(R->ml_prediction->save(R->ml_prediction, &m, &e), 0, e);
    }
    check_paging(prediction_page, NULL, 29, 7, true);
}

/* ======================================================================
 * Alert
 * ====================================================================== */

static wos_alert an_alert(unsigned n, wos_alert_severity severity, const char *message)
{
    wos_alert a;
    memset(&a, 0, sizeof a);
    a.id = uuid_n(600, n);
    a.severity = severity;
    a.message = message;
    return a;
}

static void expect_alert(const wos_alert *got, const wos_alert *want)
{
    CU_ASSERT(wr_uuid_equal(&got->id, &want->id));
    CU_ASSERT(opt_uuid_same(&got->well_id, &want->well_id));
    EXPECT_INT(got->severity, want->severity);
    EXPECT_STR(got->message, want->message);
    EXPECT_STR(got->source, want->source);
    if (want->raised_at.is_set) {
        CU_ASSERT(opt_ts_same(got->raised_at, want->raised_at));
    } else {
        CU_ASSERT(is_recent(got->raised_at));
    }
    CU_ASSERT(opt_ts_same(got->acknowledged_at, want->acknowledged_at));
    EXPECT_STR(got->acknowledged_by, want->acknowledged_by);
    CU_ASSERT(opt_ts_same(got->resolved_at, want->resolved_at));
}

static void test_alert_save_find(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    char message[4096];
    wos_alert a = an_alert(1, WOS_ALERT_SEVERITY_CRITICAL, utf8_repeat(message, sizeof message, "🛢", 1000)), got;
    memset(&got, 0, sizeof got);
    a.well_id = (wr_opt_uuid){ true, well };
    a.source = TRICKY_TEXT;
    a.raised_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 6, 59, 59, 999999) };
    a.acknowledged_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 7, 0, 0, 0) };
    a.acknowledged_by = NON_ASCII_NAME;
    a.resolved_at = (wr_opt_timestamp){ true, ts_utc(2024, 11, 3, 5, 59, 59, 1) };
    REQUIRE_RC(R->alert->save(R->alert, &a, &e), 0, e);
    REQUIRE_RC(R->alert->find_by_id(R->alert, a.id, &got, MEM, &e), 1, e);
    expect_alert(&got, &a);

    wos_alert b = an_alert(2, WOS_ALERT_SEVERITY_INFO, "");
    b.source = "";
    REQUIRE_RC(R->alert->save(R->alert, &b, &e), 0, e);
    REQUIRE_RC(R->alert->find_by_id(R->alert, b.id, &got, MEM, &e), 1, e);
    expect_alert(&got, &b);
    CU_ASSERT(!got.well_id.is_set);
    CU_ASSERT(!got.acknowledged_at.is_set);
    CU_ASSERT_PTR_NULL(got.acknowledged_by);
    CU_ASSERT_PTR_NOT_NULL(got.source);
    b.id = uuid_n(600, 3);
    b.source = NULL;
    b.acknowledged_by = "";
    REQUIRE_RC(R->alert->save(R->alert, &b, &e), 0, e);
    REQUIRE_RC(R->alert->find_by_id(R->alert, b.id, &got, MEM, &e), 1, e);
    expect_alert(&got, &b);
    CU_ASSERT_PTR_NULL(got.source);
    CU_ASSERT_PTR_NOT_NULL(got.acknowledged_by);

    a.message = utf8_repeat(message, sizeof message, "🛢", 1001);
    EXPECT_RC(R->alert->save(R->alert, &a, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Alert.save", "message");
    a.message = NULL;
    EXPECT_RC(R->alert->save(R->alert, &a, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Alert.save", "message");
    char source[512];
    a.message = "m";
    a.source = utf8_repeat(source, sizeof source, "s", 101);
    EXPECT_RC(R->alert->save(R->alert, &a, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Alert.save", "source");
}

static void test_alert_upsert_delete(void)
{
    reset_tables();
    wr_err e;
    wos_alert a = an_alert(1, WOS_ALERT_SEVERITY_WARNING, "pressure"), got;
    memset(&got, 0, sizeof got);
    a.raised_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 6, 30, 0, 0) };
    REQUIRE_RC(R->alert->save(R->alert, &a, &e), 0, e);
    wr_opt_timestamp raised = a.raised_at;
    a.raised_at = (wr_opt_timestamp){ false, { 0 } }; /* unset keeps the row's */
    a.acknowledged_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 8, 0, 0, 0) };
    a.acknowledged_by = "ops";
    a.severity = WOS_ALERT_SEVERITY_CRITICAL;
    REQUIRE_RC(R->alert->save(R->alert, &a, &e), 0, e);
    REQUIRE_RC(R->alert->find_by_id(R->alert, a.id, &got, MEM, &e), 1, e);
    a.raised_at = raised;
    expect_alert(&got, &a);
    int64_t n = -1;
    EXPECT_RC(R->alert->count(R->alert, &n, &e), 0, e);
    EXPECT_INT(n, 1);
    EXPECT_RC(R->alert->delete(R->alert, a.id, &e), 1, e);
    EXPECT_RC(R->alert->delete(R->alert, a.id, &e), 0, e);
    EXPECT_RC(R->alert->find_by_id(R->alert, a.id, &got, MEM, &e), 0, e);
    EXPECT_RC(R->alert->count(R->alert, &n, &e), 0, e);
    EXPECT_INT(n, 0);
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM alerts"), 0);
}

static int collect_alert(void *ctx, const wos_alert *row)
{
    rowlist_add_uuid(ctx, &row->id, row->raised_at.is_set, row->raised_at.value.micros);
    return 0;
}

static void test_alert_filters(void)
{
    reset_tables();
    wr_err e;
    enum { N = 14 };
    wr_uuid wells[2] = { uuid_n(200, 1), uuid_n(200, 2) };
    parent_well(&wells[0]);
    parent_well(&wells[1]);
    wos_alert a[N];
    for (unsigned i = 0; i < N; i++) {
        a[i] = an_alert(i, (wos_alert_severity)(i % 3), "filtered");
        if (i % 5 != 4)
            a[i].well_id = (wr_opt_uuid){ true, wells[i % 2] };
        a[i].raised_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 9 + (int)(i / 3), 12, 0, 0, 0) };
        REQUIRE_RC(R->alert->save(R->alert, &a[i], &e), 0, e);
    }
    struct {
        int well, severity, since;
        int64_t limit, offset;
    } cases[] = {
        { -1, -1, -1, 0, 0 }, { 0, -1, -1, 0, 0 }, { -1, 1, -1, 0, 0 }, { -1, -1, 6, 0, 0 }, { 1, 2, -1, 0, 0 },
        { 0, -1, 3, 0, 0 },   { -1, 0, 9, 0, 0 },  { 1, 1, 0, 0, 0 },  { -1, -1, -1, 6, 6 }, { -1, 2, -1, 1, 2 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        static rowlist want, got;
        rowlist_clear(&want);
        for (unsigned i = 0; i < N; i++) {
            if (cases[c].well >= 0 && !(a[i].well_id.is_set && wr_uuid_equal(&a[i].well_id.value, &wells[cases[c].well])))
                continue;
            if (cases[c].severity >= 0 && (int)a[i].severity != cases[c].severity)
                continue;
            if (cases[c].since >= 0 && a[i].raised_at.value.micros < a[cases[c].since].raised_at.value.micros)
                continue;
            rowlist_add_uuid(&want, &a[i].id, true, a[i].raised_at.value.micros);
        }
        cut(&want, cases[c].limit, cases[c].offset);
        wos_alert_filter f;
        memset(&f, 0, sizeof f);
        if (cases[c].well >= 0)
            f.well_id = (wr_opt_uuid){ true, wells[cases[c].well] };
        if (cases[c].severity >= 0)
            f.severity = (wos_alert_severity_opt){ true, (wos_alert_severity)cases[c].severity };
        if (cases[c].since >= 0)
            f.since = a[cases[c].since].raised_at;
        f.limit = cases[c].limit;
        f.offset = cases[c].offset;
        rowlist_clear(&got);
        EXPECT_RC(R->alert->find_all(R->alert, &f, collect_alert, &got, &e), 0, e);
        char what[64];
        snprintf(what, sizeof what, "Alert.find_all case %zu", c);
        CU_ASSERT(rowlist_same(&got, &want, what));
    }
}

static int alert_page(void *ctx, int64_t limit, int64_t offset, rowlist *out, wr_err *err)
{
    (void)ctx;
    wos_alert_filter f;
    memset(&f, 0, sizeof f);
    f.limit = limit;
    f.offset = offset;
    return R->alert->find_all(R->alert, &f, collect_alert, out, err);
}

static void test_alert_paging(void)
{
    reset_tables();
    wr_err e;
    for (unsigned i = 0; i < 25; i++) {
        wos_alert a = an_alert(i, WOS_ALERT_SEVERITY_INFO, "paged");
        a.raised_at = (wr_opt_timestamp){ true, ts_utc(2024, 11, 3, 5, (int)(i / 2), 0, 0) };
        REQUIRE_RC(R->alert->save(R->alert, &a, &e), 0, e);
    }
    check_paging(alert_page, NULL, 25, 7, true);
}

/* ======================================================================
 * PostgreSQL specifics
 * ====================================================================== */

/* A password in the DSN (trust authentication ignores it) never shows in
 * a message, whatever fails. */
static void test_password_never_shown(void)
{
    wr_err e;
    const char *secret = "Gulf-Pw-4f1c9e";
    const char *dsn = getenv("GULF_DSN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    char with_password[1024];
    snprintf(with_password, sizeof with_password, "%s password=%s", dsn, secret);
    wos_repos *r = NULL;
    REQUIRE_RC(wos_repos_open_dsn(&r, "gulf_native", with_password, &e), 0, e);
    /* a refused value, a database error, a lost connection */
    char name[2048];
    wos_well w;
    memset(&w, 0, sizeof w);
    w.id = uuid_n(700, 1);
    w.name = utf8_repeat(name, sizeof name, "x", 256);
    EXPECT_RC(r->well->save(r->well, &w, &e), WR_EDATA, e);
    CU_ASSERT(!contains(e.message, secret));
    wos_production_record p;
    memset(&p, 0, sizeof p);
    p.id = 1;
    p.well_id = uuid_n(700, 2); /* no such well: the foreign key refuses it */
    e.code = 0;
    int rc = r->production_record->save(r->production_record, &p, &e);
    CU_ASSERT(rc < 0);
    EXPECT_MESSAGE(e, who, "ProductionRecord.save");
    CU_ASSERT(!contains(e.message, secret));
    CU_ASSERT_FATAL(kill_session(&DB, r->conn));
    int64_t n = -1;
    EXPECT_RC(r->production_record->count(r->production_record, &n, &e), 0, e);
    CU_ASSERT(!contains(e.message, secret));
    wos_repos_close(r);
}

/* ======================================================================
 * The tenant marker of ddl_postgres.sql (the repositories' side: marker.c)
 * ====================================================================== */

/* psql -f FILE in database db, as README shows (stop_on_error: with
 * ON_ERROR_STOP=1); its output (both streams) into out.  The exit status,
 * or -1 when psql could not run. */
static int psql_file(const char *db, bool stop_on_error, const char *file, char *out, size_t size)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "PGOPTIONS='-c client_min_messages=warning' psql -X -q %s -d %s -f %s 2>&1",
             stop_on_error ? "-v ON_ERROR_STOP=1" : "", db, file);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    size_t used = fread(out, 1, size - 1, f);
    out[used] = '\0';
    int status = pclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A DSN for database db of the test's server, in the variable env. */
static void dsn_for(const char *env, const char *db)
{
    char dsn[1024];
    snprintf(dsn, sizeof dsn, "%s dbname=%s", getenv("GULF_DSN"), db); /* libpq: the last dbname wins */
    setenv(env, dsn, 1);
}

/* ddl_postgres.sql makes a new database gulf_native's: the marker table
 * and one mark, however often it runs; in another tenant's database it
 * creates no table and adds no mark, whether psql stops at the refusal
 * (ON_ERROR_STOP) or goes on after it. */
static void test_ddl_marks_database(void)
{
    static const char ddl[] = "generated/gulf_native/ddl_postgres.sql";
    char out[8192];
    wr_err e;
    CU_ASSERT_FATAL(tdb_exec(&DB, "DROP DATABASE IF EXISTS gulf_ddl_new"));
    CU_ASSERT_FATAL(tdb_exec(&DB, "DROP DATABASE IF EXISTS gulf_ddl_other"));
    CU_ASSERT_FATAL(tdb_exec(&DB, "CREATE DATABASE gulf_ddl_new"));
    CU_ASSERT_FATAL(tdb_exec(&DB, "CREATE DATABASE gulf_ddl_other"));

    for (int pass = 1; pass <= 2; pass++) {
        int rc = psql_file("gulf_ddl_new", true, ddl, out, sizeof out);
        if (rc != 0)
            repo_note(__FILE__, __LINE__, "pass %d: psql exited with %d: %s", pass, rc, out);
        CU_ASSERT_EQUAL(rc, 0);
    }
    tdb fresh;
    dsn_for("GULF_DDL_NEW_DSN", "gulf_ddl_new");
    CU_ASSERT_FATAL(tdb_open(&fresh, WR_POSTGRES, "GULF_DDL_NEW_DSN"));
    char text[256];
    bool is_null = true;
    CU_ASSERT(tdb_value(&fresh, text, sizeof text, &is_null, "SELECT string_agg(tenant, ',') FROM wellos_tenant"));
    EXPECT_STR(is_null ? NULL : text, "gulf_native");
    wos_repos *r = NULL;
    REQUIRE_RC(wos_repos_open_dsn(&r, "gulf_native", getenv("GULF_DDL_NEW_DSN"), &e), 0, e);
    int64_t n = -1;
    EXPECT_RC(r->well->count(r->well, &n, &e), 0, e);
    EXPECT_INT(n, 0);
    wos_repos_close(r);
    tdb_close(&fresh);

    tdb other;
    dsn_for("GULF_DDL_OTHER_DSN", "gulf_ddl_other");
    CU_ASSERT_FATAL(tdb_open(&other, WR_POSTGRES, "GULF_DDL_OTHER_DSN"));
    CU_ASSERT_FATAL(tdb_exec(&other, "CREATE TABLE wellos_tenant (tenant text PRIMARY KEY, "
                                     "created_at timestamptz NOT NULL DEFAULT now())"));
    CU_ASSERT_FATAL(tdb_exec(&other, "INSERT INTO wellos_tenant (tenant) VALUES ('other_co')"));
    int rc = psql_file("gulf_ddl_other", true, ddl, out, sizeof out);
    CU_ASSERT(rc != 0);
    if (!contains(out, "marked for tenant other_co, not gulf_native"))
        repo_note(__FILE__, __LINE__, "psql said: %s", out);
    CU_ASSERT(contains(out, "marked for tenant other_co, not gulf_native"));
    EXPECT_INT(tdb_count(&other, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                                 "AND tablename <> 'wellos_tenant'"), 0);
    rc = psql_file("gulf_ddl_other", false, ddl, out, sizeof out); /* psql goes on after the error */
    EXPECT_INT(rc, 0);
    CU_ASSERT(tdb_value(&other, text, sizeof text, &is_null, "SELECT string_agg(tenant, ',') FROM wellos_tenant"));
    EXPECT_STR(is_null ? NULL : text, "other_co");
    REQUIRE_RC(wos_repos_open_dsn(&r, "gulf_native", getenv("GULF_DDL_OTHER_DSN"), &e), 0, e);
    EXPECT_RC(r->well->count(r->well, &n, &e), WR_ETENANT, e);
    EXPECT_MESSAGE(e, "tenant gulf_native: Well.count: refused", "'other_co'", "'gulf_native'");
    wos_repos_close(r);
    tdb_close(&other);

    CU_ASSERT(tdb_exec(&DB, "DROP DATABASE gulf_ddl_new"));
    CU_ASSERT(tdb_exec(&DB, "DROP DATABASE gulf_ddl_other"));
}

int main(void)
{
    CFG = &gulf;
    static const test_case events[] = {
        { "FieldEvent: save then find_by_id, every field", test_event_save_find },
        { "FieldEvent: save again updates; hard delete", test_event_upsert_delete },
        { "FieldEvent: find_all filters, limit and offset", test_event_filters },
        { "FieldEvent: pages of 7 over 26 rows", test_event_paging },
    };
    static const test_case predictions[] = {
        { "MlPrediction: save then find_by_id, every field", test_prediction_save_find },
        { "MlPrediction: save again updates; hard delete", test_prediction_upsert_delete },
        { "MlPrediction: find_all filters, limit and offset", test_prediction_filters },
        { "MlPrediction: pages of 7 over 29 rows", test_prediction_paging },
    };
    static const test_case alerts[] = {
        { "Alert: save then find_by_id, every field", test_alert_save_find },
        { "Alert: save again updates; hard delete", test_alert_upsert_delete },
        { "Alert: find_all filters, limit and offset", test_alert_filters },
        { "Alert: pages of 7 over 25 rows", test_alert_paging },
    };
    static const test_case postgres[] = {
        { "no password in any message", test_password_never_shown },
        { "ddl_postgres.sql marks the database, never another tenant's", test_ddl_marks_database },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (add_suite("gulf_native factory", entities_suite_init, entities_suite_cleanup, factory_cases, n_factory_cases)
        || add_suite("gulf_native Well", entities_suite_init, entities_suite_cleanup, well_cases, n_well_cases)
        || add_suite("gulf_native ProductionRecord", entities_suite_init, entities_suite_cleanup, production_cases,
                     n_production_cases)
        || add_suite("gulf_native Equipment", entities_suite_init, entities_suite_cleanup, equipment_cases,
                     n_equipment_cases)
        || ADD_SUITE("gulf_native FieldEvent", entities_suite_init, entities_suite_cleanup, events)
        || ADD_SUITE("gulf_native MlPrediction", entities_suite_init, entities_suite_cleanup, predictions)
        || ADD_SUITE("gulf_native Alert", entities_suite_init, entities_suite_cleanup, alerts)
        || ADD_SUITE("gulf_native postgres", entities_suite_init, entities_suite_cleanup, postgres)
        || add_suite("gulf_native tenant marker", marker_suite_init, marker_suite_cleanup, marker_cases,
                     n_marker_cases)) {
        fprintf(stderr, "cannot register the suites: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    return run_all();
}
