/* tests/repo/entities.c - Well, ProductionRecord and Equipment held to
 * their repository contract (generated/<example>/well.h ...) against a real
 * server, for whichever tenant CFG describes.  See entities.h. */
#include "entities.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const repo_cfg *CFG;
wos_repos *R;
tdb DB;
wr_arena *MEM;

int entities_suite_init(void)
{
    wr_err e;
    if (!CFG || !(MEM = wr_arena_new()))
        return 1;
    if (wos_repos_open(&R, CFG->tenant, &e) < 0) {
        fprintf(stderr, "\n    wos_repos_open(%s): %s\n", CFG->tenant, e.message);
        entities_suite_cleanup(); /* CUnit does not call it when init fails */
        return 1;
    }
    if (!tdb_open(&DB, CFG->dialect, CFG->dsn_env)) {
        entities_suite_cleanup();
        return 1;
    }
    return 0;
}

int entities_suite_cleanup(void)
{
    wos_repos_close(R);
    R = NULL;
    tdb_close(&DB);
    wr_arena_free(MEM);
    MEM = NULL;
    return 0;
}

void reset_tables(void)
{
    wr_arena_reset(MEM);
    for (const char *const *sql = CFG->reset_sql; *sql; sql++)
        CU_ASSERT_FATAL(tdb_exec(&DB, "%s", *sql));
}

void parent_well(const wr_uuid *id)
{
    char u[WR_UUID_TEXT_SIZE];
    if (CFG->insert_parent_well)
        CU_ASSERT_FATAL(tdb_exec(&DB, CFG->insert_parent_well, uuid_str(id, u)));
}

/* The raw text of one column of one row, straight from the table. */
static bool raw_value(char *out, size_t size, bool *is_null, const char *table, const char *column,
                      const char *key_column, const char *key)
{
    return tdb_value(&DB, out, size, is_null, "SELECT %s FROM %s WHERE %s = '%s'", column, table, key_column, key);
}

static void expect_raw(const char *table, const char *column, const char *key_column, const char *key,
                       const char *want)
{
    char got[512];
    bool is_null = false;
    bool ok = raw_value(got, sizeof got, &is_null, table, column, key_column, key);
    CU_ASSERT(ok);
    if (ok)
        EXPECT_STR(is_null ? NULL : got, want);
}

/* ======================================================================
 * Well
 * ====================================================================== */

static void expect_well(const wos_well *got, const wos_well *want)
{
    CU_ASSERT(wr_uuid_equal(&got->id, &want->id));
    EXPECT_STR(got->name, want->name);
    EXPECT_STR(got->api_number, want->api_number);
    CU_ASSERT(opt_float_same(got->latitude, want->latitude));
    CU_ASSERT(opt_float_same(got->longitude, want->longitude));
    EXPECT_INT(got->status, want->status);
    EXPECT_STR(got->lease, want->lease);
    if (want->created_at.is_set) {
        CU_ASSERT(opt_ts_same(got->created_at, want->created_at));
    } else {
        CU_ASSERT(is_recent(got->created_at));
    } /* default now */
    CU_ASSERT(is_recent(got->updated_at));     /* set on every write */
    CU_ASSERT(!got->deleted_at.is_set);
}

static wos_well a_well(unsigned n, const char *name)
{
    wos_well w;
    memset(&w, 0, sizeof w);
    w.id = uuid_n(100, n);
    w.name = name;
    w.status = WOS_WELL_STATUS_ACTIVE;
    return w;
}

static void test_well_save_find(void)
{
    reset_tables();
    wr_err e;
    wos_well w = a_well(1, NON_ASCII_NAME), got;
    memset(&got, 0, sizeof got);
    w.api_number = "42501201300300";
    w.latitude = (wr_opt_float){ true, 0.1 + 0.2 };                 /* 0.30000000000000004 */
    w.longitude = (wr_opt_float){ true, -103.12345678901234 };
    w.status = WOS_WELL_STATUS_INACTIVE;
    w.lease = TRICKY_TEXT;
    w.created_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 6, 30, 0, 123456) }; /* US DST starts */
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    expect_well(&got, &w);

    /* 17 significant digits, the edges of the ranges, the other DST change */
    wos_well x = a_well(2, "edge");
    x.latitude = (wr_opt_float){ true, nextafter(90.0, 0.0) };      /* 89.999999999999986 */
    x.longitude = (wr_opt_float){ true, -180.0 };
    x.status = WOS_WELL_STATUS_PLUGGED;
    x.created_at = (wr_opt_timestamp){ true, ts_utc(2024, 11, 3, 5, 30, 0, 999999) };  /* US DST ends */
    REQUIRE_RC(R->well->save(R->well, &x, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, x.id, &got, MEM, &e), 1, e);
    expect_well(&got, &x);

    /* before 1970: negative microseconds */
    wos_well old = a_well(4, "old");
    old.created_at = (wr_opt_timestamp){ true, ts_utc(1969, 12, 31, 23, 59, 59, 1) };
    REQUIRE_RC(R->well->save(R->well, &old, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, old.id, &got, MEM, &e), 1, e);
    expect_well(&got, &old);

    wos_well y = a_well(3, "tiny");
    y.latitude = (wr_opt_float){ true, 5e-324 };                    /* the smallest double */
    y.longitude = (wr_opt_float){ true, -1.7976931348623157e-300 };
    y.created_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 7, 0, 0, 1) };
    REQUIRE_RC(R->well->save(R->well, &y, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, y.id, &got, MEM, &e), 1, e);
    expect_well(&got, &y);

    /* an id nobody saved */
    wr_uuid none = uuid_n(100, 999);
    EXPECT_RC(R->well->find_by_id(R->well, none, &got, MEM, &e), 0, e);
}

static void test_well_null_empty_zero(void)
{
    reset_tables();
    wr_err e;
    char key[WR_UUID_TEXT_SIZE];
    wos_well nulls = a_well(1, "all optional fields NULL"), got;
    memset(&got, 0, sizeof got);
    REQUIRE_RC(R->well->save(R->well, &nulls, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, nulls.id, &got, MEM, &e), 1, e);
    expect_well(&got, &nulls);
    CU_ASSERT_PTR_NULL(got.api_number);
    CU_ASSERT_PTR_NULL(got.lease);
    CU_ASSERT(!got.latitude.is_set);
    CU_ASSERT(!got.longitude.is_set);
    expect_raw(CFG->well_table, CFG->well_lease, CFG->well_key, uuid_str(&nulls.id, key), NULL);

    wos_well empty = a_well(2, "");
    empty.api_number = "";
    empty.lease = "";
    empty.latitude = (wr_opt_float){ true, 0.0 };
    empty.longitude = (wr_opt_float){ true, 0.0 };
    empty.created_at = (wr_opt_timestamp){ true, ts_utc(1970, 1, 1, 0, 0, 0, 0) };
    REQUIRE_RC(R->well->save(R->well, &empty, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, empty.id, &got, MEM, &e), 1, e);
    expect_well(&got, &empty);
    CU_ASSERT_PTR_NOT_NULL(got.api_number);
    CU_ASSERT_PTR_NOT_NULL(got.lease);
    CU_ASSERT(got.latitude.is_set && got.latitude.value == 0.0);
    expect_raw(CFG->well_table, CFG->well_lease, CFG->well_key, uuid_str(&empty.id, key), "");
}

static void test_well_upsert(void)
{
    reset_tables();
    wr_err e;
    wos_well w = a_well(1, "before"), got;
    memset(&got, 0, sizeof got);
    w.api_number = "API-1";
    w.lease = "Lease A";
    w.latitude = (wr_opt_float){ true, 31.5 };
    w.created_at = (wr_opt_timestamp){ true, ts_utc(2024, 3, 10, 6, 30, 0, 5) };
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    wr_opt_timestamp first_update = got.updated_at;
    int64_t n = -1;
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 1);

    wos_well changed = w;
    changed.name = "after: Größe ☃";
    changed.api_number = "API-2";
    changed.lease = NULL;
    changed.latitude = (wr_opt_float){ false, 0 };
    changed.status = WOS_WELL_STATUS_PLUGGED;
    changed.created_at = (wr_opt_timestamp){ false, { 0 } }; /* unset: keeps the row's */
    REQUIRE_RC(R->well->save(R->well, &changed, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    changed.created_at = w.created_at;
    expect_well(&got, &changed);
    CU_ASSERT(got.updated_at.is_set && first_update.is_set && got.updated_at.value.micros >= first_update.value.micros);
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 1);
    char key[WR_UUID_TEXT_SIZE];
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s WHERE %s = '%s'", CFG->well_table, CFG->well_key,
                         uuid_str(&w.id, key)), 1);

    /* a created_at that is set replaces the row's */
    changed.created_at = (wr_opt_timestamp){ true, ts_utc(2023, 12, 31, 23, 59, 59, 999999) };
    REQUIRE_RC(R->well->save(R->well, &changed, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    expect_well(&got, &changed);
    /* the old api_number finds nothing any more, the new one finds the row */
    EXPECT_RC(R->well->find_by_api_number(R->well, "API-1", &got, MEM, &e), 0, e);
    EXPECT_RC(R->well->find_by_api_number(R->well, "API-2", &got, MEM, &e), 1, e);
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 1);
}

static void test_well_find_by_api_number(void)
{
    reset_tables();
    wr_err e;
    static const char *const apis[] = { "42-501-20130", "O'Neil\\%_", "ÄÖÜ-北海-🛢" };
    wos_well w[3], got;
    memset(&got, 0, sizeof got);
    for (unsigned i = 0; i < 3; i++) {
        w[i] = a_well(i + 1, "by api");
        w[i].api_number = apis[i];
        REQUIRE_RC(R->well->save(R->well, &w[i], &e), 0, e);
    }
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_RC(R->well->find_by_api_number(R->well, apis[i], &got, MEM, &e), 1, e);
        CU_ASSERT(wr_uuid_equal(&got.id, &w[i].id));
        EXPECT_STR(got.api_number, apis[i]);
    }
    EXPECT_RC(R->well->find_by_api_number(R->well, "no such api", &got, MEM, &e), 0, e);
    EXPECT_RC(R->well->find_by_api_number(R->well, "O'Neil\\%", &got, MEM, &e), 0, e); /* no LIKE */
    EXPECT_RC(R->well->find_by_api_number(R->well, "", &got, MEM, &e), 0, e);
}

static void test_well_text_limits(void)
{
    reset_tables();
    wr_err e;
    char name[2048], lease[1024], too_long[2048];
    wos_well w = a_well(1, utf8_repeat(name, sizeof name, "北", 255)), got;
    memset(&got, 0, sizeof got);
    CU_ASSERT_EQUAL(wr_utf8_length(w.name), 255);
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    EXPECT_STR(got.name, w.name);

    w.name = utf8_repeat(name, sizeof name, "🛢", 255); /* four bytes each */
    w.lease = utf8_repeat(lease, sizeof lease, "ß", 100);
    w.api_number = "12345678901234";
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    expect_well(&got, &w);

    /* one character more is refused before it reaches the database */
    wos_well longer = w;
    longer.name = utf8_repeat(too_long, sizeof too_long, "北", 256);
    EXPECT_RC(R->well->save(R->well, &longer, &e), WR_EDATA, e);
    EXPECT_INT(e.code, WR_EDATA);
    char who[128];
    snprintf(who, sizeof who, "tenant %s", CFG->tenant);
    EXPECT_MESSAGE(e, who, "Well.save", "name");
    longer = w;
    longer.lease = utf8_repeat(too_long, sizeof too_long, "ß", 101);
    EXPECT_RC(R->well->save(R->well, &longer, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.save", "lease");
    longer = w;
    longer.api_number = "123456789012345";
    EXPECT_RC(R->well->save(R->well, &longer, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.save", "api_number");
    longer = w;
    longer.latitude = (wr_opt_float){ true, nextafter(90.0, 100.0) };
    EXPECT_RC(R->well->save(R->well, &longer, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.save", "latitude");
    longer = w;
    longer.longitude = (wr_opt_float){ true, -INFINITY };
    EXPECT_RC(R->well->save(R->well, &longer, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.save", "longitude");
    /* NaN is no number in -90 .. 90 either */
    longer = w;
    longer.latitude = (wr_opt_float){ true, NAN };
    EXPECT_RC(R->well->save(R->well, &longer, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.save", "latitude");
    longer = w;
    longer.name = NULL;
    EXPECT_RC(R->well->save(R->well, &longer, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.save", "name");
    /* bytes that are not UTF-8 are refused, by save or by the database */
    longer = w;
    longer.name = "bad \xff\xfe utf-8";
    e.code = 0;
    CU_ASSERT(R->well->save(R->well, &longer, &e) < 0);
    EXPECT_MESSAGE(e, who, "Well.save");

    /* nothing of the refused rows was written */
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    expect_well(&got, &w);
}

static int collect_well(void *ctx, const wos_well *row)
{
    rowlist_add_uuid(ctx, &row->id, row->created_at.is_set, row->created_at.value.micros);
    return 0;
}

typedef struct well_spec {
    wr_uuid id;
    wos_well_status status;
    const char *lease;
    wr_timestamp created;
} well_spec;

static void test_well_find_all_filters(void)
{
    reset_tables();
    wr_err e;
    enum { N = 14 };
    static const char *const leases[] = { "North", "South", TRICKY_TEXT, NULL };
    well_spec spec[N];
    wr_timestamp base = ts_utc(2024, 3, 10, 6, 0, 0, 0);
    for (unsigned i = 0; i < N; i++) {
        spec[i].id = uuid_n(7, i);
        spec[i].status = (wos_well_status)(i % 3);
        spec[i].lease = leases[i % 4];
        /* an hour apart in pairs, a few microseconds apart within a pair */
        spec[i].created = (wr_timestamp){ base.micros + (int64_t)(i / 2) * 3600000000 + (i % 5) };
        if (i == 9)
            spec[i].created = spec[8].created; /* a tie: the key decides */
        wos_well w = a_well(0, "filtered");
        w.id = spec[i].id;
        w.status = spec[i].status;
        w.lease = spec[i].lease;
        w.created_at = (wr_opt_timestamp){ true, spec[i].created };
        REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    }
    struct {
        bool has_status;
        wos_well_status status;
        const char *lease;
        int after; /* index of the row whose created_at is the bound; -1: none */
        int64_t limit, offset;
    } cases[] = {
        { false, 0, NULL, -1, 0, 0 },
        { true, WOS_WELL_STATUS_ACTIVE, NULL, -1, 0, 0 },
        { true, WOS_WELL_STATUS_INACTIVE, NULL, -1, 0, 0 },
        { true, WOS_WELL_STATUS_PLUGGED, NULL, -1, 0, 0 },
        { false, 0, "North", -1, 0, 0 },
        { false, 0, TRICKY_TEXT, -1, 0, 0 },
        { false, 0, "No such lease", -1, 0, 0 },
        { false, 0, NULL, 6, 0, 0 },
        { false, 0, NULL, 8, 0, 0 },
        { true, WOS_WELL_STATUS_ACTIVE, "North", -1, 0, 0 },
        { true, WOS_WELL_STATUS_INACTIVE, NULL, 4, 0, 0 },
        { false, 0, "South", 2, 0, 0 },
        { true, WOS_WELL_STATUS_PLUGGED, "South", 3, 0, 0 },
        { false, 0, NULL, -1, 5, 0 },
        { false, 0, NULL, -1, 0, 5 },
        { false, 0, NULL, -1, 4, 3 },
        { true, WOS_WELL_STATUS_ACTIVE, NULL, 2, 2, 1 },
        { false, 0, NULL, -1, 3, 100 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        static rowlist want, got;
        rowlist_clear(&want);
        for (unsigned i = 0; i < N; i++) {
            if (cases[c].has_status && spec[i].status != cases[c].status)
                continue;
            if (cases[c].lease && !str_same(spec[i].lease, cases[c].lease))
                continue;
            if (cases[c].after >= 0 && spec[i].created.micros < spec[cases[c].after].created.micros)
                continue;
            rowlist_add_uuid(&want, &spec[i].id, true, spec[i].created.micros);
        }
        rowlist_sort(&want, CFG->nulls_first_desc);
        /* offset and limit cut the ordered list */
        size_t from = (size_t)cases[c].offset < want.n ? (size_t)cases[c].offset : want.n;
        memmove(want.v, want.v + from, (want.n - from) * sizeof want.v[0]);
        want.n -= from;
        if (cases[c].limit > 0 && (size_t)cases[c].limit < want.n)
            want.n = (size_t)cases[c].limit;

        wos_well_filter f;
        memset(&f, 0, sizeof f);
        f.status = (wos_well_status_opt){ cases[c].has_status, cases[c].status };
        f.lease = cases[c].lease;
        if (cases[c].after >= 0)
            f.created_after = (wr_opt_timestamp){ true, spec[cases[c].after].created };
        f.limit = cases[c].limit;
        f.offset = cases[c].offset;
        rowlist_clear(&got);
        EXPECT_RC(R->well->find_all(R->well, &f, collect_well, &got, &e), 0, e);
        char what[64];
        snprintf(what, sizeof what, "Well.find_all case %zu", c);
        CU_ASSERT(rowlist_same(&got, &want, what));
    }
    /* a NULL filter is no filter */
    static rowlist all;
    rowlist_clear(&all);
    EXPECT_RC(R->well->find_all(R->well, NULL, collect_well, &all, &e), 0, e);
    EXPECT_INT(all.n, N);
}

static int well_page(void *ctx, int64_t limit, int64_t offset, rowlist *out, wr_err *err)
{
    wos_well_filter f;
    memset(&f, 0, sizeof f);
    if (ctx)
        f = *(const wos_well_filter *)ctx;
    f.limit = limit;
    f.offset = offset;
    return R->well->find_all(R->well, &f, collect_well, out, err);
}

static void test_well_paging(void)
{
    reset_tables();
    wr_err e;
    enum { N = 26 };
    wr_timestamp base = ts_utc(2024, 11, 3, 5, 0, 0, 0);
    for (unsigned i = 0; i < N; i++) {
        wos_well w = a_well(i, "paged");
        w.status = i % 2 ? WOS_WELL_STATUS_ACTIVE : WOS_WELL_STATUS_INACTIVE;
        /* groups of three share a created_at: the key orders them */
        w.created_at = (wr_opt_timestamp){ true, { base.micros + (int64_t)(i / 3) * 60000000 } };
        REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    }
    check_paging(well_page, NULL, N, 7, CFG->nulls_first_desc);
    wos_well_filter active;
    memset(&active, 0, sizeof active);
    active.status = (wos_well_status_opt){ true, WOS_WELL_STATUS_ACTIVE };
    check_paging(well_page, &active, N / 2, 3, CFG->nulls_first_desc);
}

static int stop_after_one(void *ctx, const wos_well *row)
{
    (void)row;
    ++*(int *)ctx;
    return 1;
}

static void test_well_find_all_stops_early(void)
{
    reset_tables();
    wr_err e;
    for (unsigned i = 0; i < 10; i++) {
        wos_well w = a_well(i, "stop early");
        REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    }
    int seen = 0;
    EXPECT_RC(R->well->find_all(R->well, NULL, stop_after_one, &seen, &e), 0, e);
    EXPECT_INT(seen, 1);
    /* the connection is usable at once: nothing of the result is left over */
    int64_t n = -1;
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 10);
}

static void test_well_soft_delete(void)
{
    reset_tables();
    wr_err e;
    wos_well w[3], got;
    memset(&got, 0, sizeof got);
    for (unsigned i = 0; i < 3; i++) {
        w[i] = a_well(i, "to delete");
        w[i].api_number = i == 1 ? "DEL-1" : NULL;
        w[i].created_at = (wr_opt_timestamp){ true, ts_utc(2024, 1, 1 + (int)i, 0, 0, 0, 0) };
        REQUIRE_RC(R->well->save(R->well, &w[i], &e), 0, e);
    }
    int64_t n = -1;
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 3);
    EXPECT_RC(R->well->delete(R->well, w[1].id, &e), 1, e);
    EXPECT_RC(R->well->delete(R->well, w[1].id, &e), 0, e); /* already deleted */
    EXPECT_RC(R->well->delete(R->well, uuid_n(100, 999), &e), 0, e);
    EXPECT_RC(R->well->find_by_id(R->well, w[1].id, &got, MEM, &e), 0, e);
    EXPECT_RC(R->well->find_by_api_number(R->well, "DEL-1", &got, MEM, &e), 0, e);
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 2);
    static rowlist all, want;
    rowlist_clear(&all);
    rowlist_clear(&want);
    EXPECT_RC(R->well->find_all(R->well, NULL, collect_well, &all, &e), 0, e);
    rowlist_add_uuid(&want, &w[2].id, true, 0);
    rowlist_add_uuid(&want, &w[0].id, true, 0);
    CU_ASSERT(rowlist_same(&all, &want, "find_all after a soft delete"));
    /* the row is still in the table, marked */
    char key[WR_UUID_TEXT_SIZE];
    uuid_str(&w[1].id, key);
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s WHERE %s = '%s' AND %s IS NOT NULL", CFG->well_table,
                         CFG->well_key, key, CFG->well_deleted), 1);
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s", CFG->well_table), 3);
    /* the others are untouched */
    EXPECT_RC(R->well->find_by_id(R->well, w[0].id, &got, MEM, &e), 1, e);
    EXPECT_RC(R->well->find_by_id(R->well, w[2].id, &got, MEM, &e), 1, e);
}

static const char *const status_names[] = { "ACTIVE", "INACTIVE", "PLUGGED" };

static void test_well_status_values(void)
{
    reset_tables();
    wr_err e;
    char key[WR_UUID_TEXT_SIZE], who[128];
    snprintf(who, sizeof who, "tenant %s", CFG->tenant);
    wos_well got;
    memset(&got, 0, sizeof got);
    /* each value is stored as the tenant's table holds it, and read back */
    for (unsigned s = 0; s < 3; s++) {
        wos_well w = a_well(s, status_names[s]);
        w.status = (wos_well_status)s;
        REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
        expect_raw(CFG->well_table, CFG->well_status, CFG->well_key, uuid_str(&w.id, key), CFG->status_raw[s]);
        REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
        EXPECT_INT(got.status, s);
    }
    /* rows the client wrote itself read through the map */
    wr_uuid theirs = uuid_n(101, 1);
    CU_ASSERT_FATAL(tdb_exec(&DB, "INSERT INTO %s (%s, %s, %s) VALUES ('%s', 'theirs', '%s')", CFG->well_table,
                             CFG->well_key, CFG->well_name, CFG->well_status, uuid_str(&theirs, key),
                             CFG->status_raw[WOS_WELL_STATUS_INACTIVE]));
    REQUIRE_RC(R->well->find_by_id(R->well, theirs, &got, MEM, &e), 1, e);
    EXPECT_INT(got.status, WOS_WELL_STATUS_INACTIVE);
    EXPECT_STR(got.name, "theirs");

    /* the filter goes through the map too */
    static rowlist rows, want;
    rowlist_clear(&rows);
    rowlist_clear(&want);
    wos_well_filter f;
    memset(&f, 0, sizeof f);
    f.status = (wos_well_status_opt){ true, WOS_WELL_STATUS_INACTIVE };
    EXPECT_RC(R->well->find_all(R->well, &f, collect_well, &rows, &e), 0, e);
    EXPECT_INT(rows.n, 2);
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s WHERE %s = '%s'", CFG->well_table, CFG->well_status,
                         CFG->status_raw[WOS_WELL_STATUS_INACTIVE]), 2);

    if (!CFG->status_unmapped)
        return; /* the table cannot hold any other value */
    /* a value the map does not cover: reads fail, naming the field */
    wr_uuid odd = uuid_n(101, 2);
    CU_ASSERT_FATAL(tdb_exec(&DB, "INSERT INTO %s (%s, %s, %s, %s) VALUES ('%s', 'odd', 'ODD-1', '%s')",
                             CFG->well_table, CFG->well_key, CFG->well_name, CFG->well_api, CFG->well_status,
                             uuid_str(&odd, key), CFG->status_unmapped));
    EXPECT_RC(R->well->find_by_id(R->well, odd, &got, MEM, &e), WR_EDATA, e);
    EXPECT_INT(e.code, WR_EDATA);
    EXPECT_MESSAGE(e, who, "Well.find_by_id", "status", CFG->status_unmapped);
    EXPECT_RC(R->well->find_by_api_number(R->well, "ODD-1", &got, MEM, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.find_by_api_number", "status");
    rowlist_clear(&rows);
    EXPECT_RC(R->well->find_all(R->well, NULL, collect_well, &rows, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Well.find_all", "status", CFG->status_unmapped);
    /* a filter that excludes the row does not trip over it */
    rowlist_clear(&rows);
    EXPECT_RC(R->well->find_all(R->well, &f, collect_well, &rows, &e), 0, e);
    EXPECT_INT(rows.n, 2);
    int64_t n = -1;
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 5);
    /* and the connection is fine afterwards */
    EXPECT_RC(R->well->find_by_id(R->well, theirs, &got, MEM, &e), 1, e);
}

static void test_well_reconnect(void)
{
    reset_tables();
    wr_err e;
    wos_well w = a_well(1, "survives"), got;
    memset(&got, 0, sizeof got);
    REQUIRE_RC(R->well->save(R->well, &w, &e), 0, e);
    REQUIRE_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    long long first = session_id(R->conn);

    /* Each operation, each time on a session the server has dropped.  The
     * first statement was prepared before the kill, the next ones were
     * not (on this session): both must reconnect and run. */
    CU_ASSERT(kill_session(&DB, R->conn));
    EXPECT_RC(R->well->find_by_id(R->well, w.id, &got, MEM, &e), 1, e);
    EXPECT_STR(got.name, "survives");
    CU_ASSERT(session_id(R->conn) != first);

    CU_ASSERT(kill_session(&DB, R->conn));
    int64_t n = -1;
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 1);

    CU_ASSERT(kill_session(&DB, R->conn));
    w.name = "saved after a kill";
    EXPECT_RC(R->well->save(R->well, &w, &e), 0, e);

    CU_ASSERT(kill_session(&DB, R->conn));
    static rowlist rows;
    rowlist_clear(&rows);
    EXPECT_RC(R->well->find_all(R->well, NULL, collect_well, &rows, &e), 0, e);
    EXPECT_INT(rows.n, 1);

    CU_ASSERT(kill_session(&DB, R->conn));
    EXPECT_RC(R->well->find_by_api_number(R->well, "none", &got, MEM, &e), 0, e);

    CU_ASSERT(kill_session(&DB, R->conn));
    EXPECT_RC(R->well->delete(R->well, w.id, &e), 1, e);

    /* another repository on the same connection, after a kill */
    CU_ASSERT(kill_session(&DB, R->conn));
    EXPECT_RC(R->production_record->count(R->production_record, &n, &e), 0, e);
    EXPECT_RC(R->well->count(R->well, &n, &e), 0, e);
    EXPECT_INT(n, 0);
    char key[WR_UUID_TEXT_SIZE];
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s WHERE %s = '%s' AND %s = 'saved after a kill'",
                         CFG->well_table, CFG->well_key, uuid_str(&w.id, key), CFG->well_name), 1);

    /* a failure that is not a lost connection is not retried, and leaves
     * the session as it was */
    long long before = session_id(R->conn);
    w.name = NULL;
    EXPECT_RC(R->well->save(R->well, &w, &e), WR_EDATA, e);
    EXPECT_INT(session_id(R->conn), before);
}

const test_case well_cases[] = {
    { "Well: save then find_by_id, every field", test_well_save_find },
    { "Well: NULL, empty and zero are different", test_well_null_empty_zero },
    { "Well: save again updates the row", test_well_upsert },
    { "Well: find_by_api_number", test_well_find_by_api_number },
    { "Well: text lengths and ranges", test_well_text_limits },
    { "Well: find_all filters, limit and offset", test_well_find_all_filters },
    { "Well: pages of 7 over 26 rows", test_well_paging },
    { "Well: find_all stopped early", test_well_find_all_stops_early },
    { "Well: count and soft delete", test_well_soft_delete },
    { "Well: status values as the table holds them", test_well_status_values },
    { "Well: a killed connection is reopened", test_well_reconnect },
};
const size_t n_well_cases = sizeof well_cases / sizeof *well_cases;

/* ======================================================================
 * ProductionRecord
 * ====================================================================== */

static wos_production_record a_record(int64_t id, wr_uuid well, wr_date date)
{
    wos_production_record p;
    memset(&p, 0, sizeof p);
    p.id = id;
    p.well_id = well;
    p.date = date;
    return p;
}

static wr_opt_decimal odec(const char *text)
{
    return (wr_opt_decimal){ true, dec(text, 12, 2) };
}

static void expect_record(const wos_production_record *got, const wos_production_record *want)
{
    EXPECT_INT(got->id, want->id);
    CU_ASSERT(wr_uuid_equal(&got->well_id, &want->well_id));
    CU_ASSERT(opt_date_same((wr_opt_date){ true, got->date }, (wr_opt_date){ true, want->date }));
    char text[WR_DECIMAL_TEXT_SIZE];
    const wr_opt_decimal *g[] = { &got->oil, &got->gas, &got->water };
    const wr_opt_decimal *w[] = { &want->oil, &want->gas, &want->water };
    for (int i = 0; i < 3; i++) {
        if (w[i]->is_set)
            wr_decimal_format(&w[i]->value, text);
        CU_ASSERT(dec_is(g[i], w[i]->is_set ? text : NULL));
    }
    CU_ASSERT(is_recent(got->updated_at));
}

static void test_record_save_find(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    wos_production_record got;
    memset(&got, 0, sizeof got);
    wos_production_record rows[5];
    rows[0] = a_record(1, well, day(2024, 3, 10));
    rows[0].oil = odec("9999999999.99");
    rows[0].gas = odec("0.01");
    rows[0].water = odec("-0.01");
    rows[1] = a_record(INT64_MAX, well, day(1, 1, 1)); /* every decimal NULL; the first day */
    rows[2] = a_record(-7, well, day(9999, 12, 31));
    rows[2].oil = odec("0.00");                         /* zero, not NULL */
    rows[2].water = odec("-9999999999.99");
    rows[3] = a_record(0, well, day(2024, 2, 29));
    rows[3].oil = odec("1234.5");
    rows[3].gas = odec("-0.10");
    rows[4] = a_record(INT64_MIN, well, day(1970, 1, 1));
    rows[4].gas = odec("42");
    for (int i = 0; i < 5; i++) {
        REQUIRE_RC(R->production_record->save(R->production_record, &rows[i], &e), 0, e);
        REQUIRE_RC(R->production_record->find_by_id(R->production_record, rows[i].id, &got, MEM, &e), 1, e);
        expect_record(&got, &rows[i]);
    }
    CU_ASSERT(dec_is(&got.gas, "42.00"));
    /* the table holds the decimals and the dates exactly */
    char value[64];
    bool is_null;
    CU_ASSERT(tdb_value(&DB, value, sizeof value, &is_null, "SELECT %s FROM %s WHERE %s = 1", CFG->prod_oil,
                        CFG->prod_table, CFG->prod_key));
    EXPECT_STR(value, "9999999999.99");
    CU_ASSERT(tdb_value(&DB, value, sizeof value, &is_null, "SELECT %s FROM %s WHERE %s = %lld", CFG->prod_date,
                        CFG->prod_table, CFG->prod_key, (long long)INT64_MAX));
    EXPECT_STR(value, "0001-01-01");
    EXPECT_RC(R->production_record->find_by_id(R->production_record, 12345, &got, MEM, &e), 0, e);
    int64_t n = -1;
    EXPECT_RC(R->production_record->count(R->production_record, &n, &e), 0, e);
    EXPECT_INT(n, 5);
}

static void test_record_upsert(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1), other = uuid_n(200, 2);
    parent_well(&well);
    parent_well(&other);
    wos_production_record p = a_record(10, well, day(2024, 3, 10)), got;
    memset(&got, 0, sizeof got);
    p.oil = odec("100.25");
    p.gas = odec("5.00");
    REQUIRE_RC(R->production_record->save(R->production_record, &p, &e), 0, e);
    p.well_id = other;
    p.date = day(2024, 11, 3);
    p.oil = odec("-0.01");
    p.gas = (wr_opt_decimal){ false, { 0, 0 } };
    p.water = odec("7.70");
    REQUIRE_RC(R->production_record->save(R->production_record, &p, &e), 0, e);
    REQUIRE_RC(R->production_record->find_by_id(R->production_record, 10, &got, MEM, &e), 1, e);
    expect_record(&got, &p);
    int64_t n = -1;
    EXPECT_RC(R->production_record->count(R->production_record, &n, &e), 0, e);
    EXPECT_INT(n, 1);
}

static int collect_record(void *ctx, const wos_production_record *row)
{
    rowlist_add_num(ctx, row->id, true, row->date.days);
    return 0;
}

static void test_record_filters(void)
{
    reset_tables();
    wr_err e;
    enum { N = 16 };
    wr_uuid wells[2] = { uuid_n(200, 1), uuid_n(200, 2) };
    parent_well(&wells[0]);
    parent_well(&wells[1]);
    wos_production_record rows[N];
    for (int i = 0; i < N; i++) {
        /* ids out of date order; pairs of rows share a date */
        rows[i] = a_record((int64_t)((i * 7) % N) + 100, wells[i % 2], day(2024, 3, 1 + i / 2));
        rows[i].oil = odec(i % 3 ? "1.00" : "2.50");
        REQUIRE_RC(R->production_record->save(R->production_record, &rows[i], &e), 0, e);
    }
    struct {
        int well;         /* -1: any */
        int since, until; /* day of March; 0: none */
        int64_t limit, offset;
    } cases[] = {
        { -1, 0, 0, 0, 0 },   { 0, 0, 0, 0, 0 },  { 1, 0, 0, 0, 0 },  { -1, 4, 0, 0, 0 }, { -1, 0, 4, 0, 0 },
        { -1, 3, 6, 0, 0 },   { 0, 3, 0, 0, 0 },  { 1, 0, 5, 0, 0 },  { 0, 2, 7, 0, 0 },  { -1, 6, 6, 0, 0 },
        { -1, 20, 0, 0, 0 },  { -1, 0, 0, 3, 0 }, { -1, 0, 0, 0, 13 }, { 1, 2, 0, 2, 1 }, { -1, 1, 9, 5, 5 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        static rowlist want, got;
        rowlist_clear(&want);
        wr_date since = day(2024, 3, cases[c].since), until = day(2024, 3, cases[c].until);
        for (int i = 0; i < N; i++) {
            if (cases[c].well >= 0 && !wr_uuid_equal(&rows[i].well_id, &wells[cases[c].well]))
                continue;
            if (cases[c].since && rows[i].date.days < since.days)
                continue;
            if (cases[c].until && rows[i].date.days >= until.days)
                continue;
            rowlist_add_num(&want, rows[i].id, true, rows[i].date.days);
        }
        rowlist_sort(&want, CFG->nulls_first_desc);
        size_t from = (size_t)cases[c].offset < want.n ? (size_t)cases[c].offset : want.n;
        memmove(want.v, want.v + from, (want.n - from) * sizeof want.v[0]);
        want.n -= from;
        if (cases[c].limit > 0 && (size_t)cases[c].limit < want.n)
            want.n = (size_t)cases[c].limit;
        wos_production_record_filter f;
        memset(&f, 0, sizeof f);
        if (cases[c].well >= 0)
            f.well_id = (wr_opt_uuid){ true, wells[cases[c].well] };
        if (cases[c].since)
            f.since = (wr_opt_date){ true, since };
        if (cases[c].until)
            f.until = (wr_opt_date){ true, until };
        f.limit = cases[c].limit;
        f.offset = cases[c].offset;
        rowlist_clear(&got);
        EXPECT_RC(R->production_record->find_all(R->production_record, &f, collect_record, &got, &e), 0, e);
        char what[64];
        snprintf(what, sizeof what, "ProductionRecord.find_all case %zu", c);
        CU_ASSERT(rowlist_same(&got, &want, what));
    }
}

static int record_page(void *ctx, int64_t limit, int64_t offset, rowlist *out, wr_err *err)
{
    (void)ctx;
    wos_production_record_filter f;
    memset(&f, 0, sizeof f);
    f.limit = limit;
    f.offset = offset;
    return R->production_record->find_all(R->production_record, &f, collect_record, out, err);
}

static void test_record_paging(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    enum { N = 27 };
    for (int i = 0; i < N; i++) {
        wos_production_record p = a_record((int64_t)((i * 11) % N) - 5, well, day(2023, 12, 28 + i / 4));
        REQUIRE_RC(R->production_record->save(R->production_record, &p, &e), 0, e);
    }
    check_paging(record_page, NULL, N, 7, CFG->nulls_first_desc);
}

static void test_record_delete(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    for (int i = 1; i <= 3; i++) {
        wos_production_record p = a_record(i, well, day(2024, 1, i));
        REQUIRE_RC(R->production_record->save(R->production_record, &p, &e), 0, e);
    }
    wos_production_record got;
    memset(&got, 0, sizeof got);
    EXPECT_RC(R->production_record->delete(R->production_record, 2, &e), 1, e);
    EXPECT_RC(R->production_record->delete(R->production_record, 2, &e), 0, e);
    EXPECT_RC(R->production_record->delete(R->production_record, 99, &e), 0, e);
    EXPECT_RC(R->production_record->find_by_id(R->production_record, 2, &got, MEM, &e), 0, e);
    int64_t n = -1;
    EXPECT_RC(R->production_record->count(R->production_record, &n, &e), 0, e);
    EXPECT_INT(n, 2);
    /* hard: gone from the table */
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s WHERE %s = 2", CFG->prod_table, CFG->prod_key), 0);
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s", CFG->prod_table), 2);
    static rowlist all;
    rowlist_clear(&all);
    EXPECT_RC(R->production_record->find_all(R->production_record, NULL, collect_record, &all, &e), 0, e);
    EXPECT_INT(all.n, 2);
}

static void test_record_server_error(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    char who[128];
    snprintf(who, sizeof who, "tenant %s", CFG->tenant);
    /* 10^10 does not fit decimal(12,2): the database refuses it */
    wos_production_record p = a_record(1, well, day(2024, 3, 10));
    p.oil = (wr_opt_decimal){ true, dec("10000000000.00", 13, 2) };
    e.code = 0;
    int rc = R->production_record->save(R->production_record, &p, &e);
    CU_ASSERT(rc < 0);
    CU_ASSERT_EQUAL(e.code, rc);
    EXPECT_MESSAGE(e, who, "ProductionRecord.save");
    int64_t n = -1;
    EXPECT_RC(R->production_record->count(R->production_record, &n, &e), 0, e);
    EXPECT_INT(n, 0);
}

const test_case production_cases[] = {
    { "ProductionRecord: save then find_by_id, exact decimals and dates", test_record_save_find },
    { "ProductionRecord: save again updates the row", test_record_upsert },
    { "ProductionRecord: find_all filters, limit and offset", test_record_filters },
    { "ProductionRecord: pages of 7 over 27 rows", test_record_paging },
    { "ProductionRecord: count and hard delete", test_record_delete },
    { "ProductionRecord: a value the database refuses", test_record_server_error },
};
const size_t n_production_cases = sizeof production_cases / sizeof *production_cases;

/* ======================================================================
 * Equipment
 * ====================================================================== */

static wos_equipment an_equipment(unsigned n, wos_equipment_type type)
{
    wos_equipment q;
    memset(&q, 0, sizeof q);
    q.id = uuid_n(300, n);
    q.type = type;
    q.status = (wos_equipment_status_opt){ true, WOS_EQUIPMENT_STATUS_OPERATIONAL };
    return q;
}

static void expect_equipment(const wos_equipment *got, const wos_equipment *want)
{
    CU_ASSERT(wr_uuid_equal(&got->id, &want->id));
    CU_ASSERT(opt_uuid_same(&got->well_id, &want->well_id));
    EXPECT_INT(got->type, want->type);
    if (CFG->is_manufacturer_read_only) {
        CU_ASSERT_PTR_NULL(got->manufacturer); /* never written: Make is NULL */
    } else {
        EXPECT_STR(got->manufacturer, want->manufacturer);
    }
    EXPECT_STR(got->model, want->model);
    EXPECT_STR(got->serial_number, want->serial_number);
    CU_ASSERT(opt_date_same(got->installed_at, want->installed_at));
    CU_ASSERT(got->status.is_set);
    if (want->status.is_set)
        EXPECT_INT(got->status.value, want->status.value);
    CU_ASSERT(is_recent(got->updated_at));
    CU_ASSERT(!got->deleted_at.is_set);
}

static void test_equipment_save_find(void)
{
    reset_tables();
    wr_err e;
    char key[WR_UUID_TEXT_SIZE];
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    wos_equipment q = an_equipment(1, WOS_EQUIPMENT_TYPE_ESP), got;
    memset(&got, 0, sizeof got);
    q.well_id = (wr_opt_uuid){ true, well };
    q.manufacturer = "Größe Pumpen AG";
    q.model = TRICKY_TEXT;
    q.serial_number = "SN-ü-北海-001";
    q.installed_at = (wr_opt_date){ true, day(2024, 11, 3) };
    q.status = (wos_equipment_status_opt){ true, WOS_EQUIPMENT_STATUS_MAINTENANCE };
    REQUIRE_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    REQUIRE_RC(R->equipment->find_by_id(R->equipment, q.id, &got, MEM, &e), 1, e);
    expect_equipment(&got, &q);
    uuid_str(&q.id, key);
    expect_raw(CFG->equip_table, CFG->equip_type, CFG->equip_key, key, CFG->type_raw_esp);
    expect_raw(CFG->equip_table, CFG->equip_status, CFG->equip_key, key, CFG->status_raw_maintenance);

    /* NULLs and empty text */
    wos_equipment bare = an_equipment(2, WOS_EQUIPMENT_TYPE_PUMP_JACK);
    bare.model = "";
    bare.status = (wos_equipment_status_opt){ true, WOS_EQUIPMENT_STATUS_RETIRED };
    REQUIRE_RC(R->equipment->save(R->equipment, &bare, &e), 0, e);
    REQUIRE_RC(R->equipment->find_by_id(R->equipment, bare.id, &got, MEM, &e), 1, e);
    expect_equipment(&got, &bare);
    CU_ASSERT(!got.well_id.is_set);
    CU_ASSERT(!got.installed_at.is_set);
    CU_ASSERT_PTR_NULL(got.serial_number);
    CU_ASSERT_PTR_NOT_NULL(got.model);
    expect_raw(CFG->equip_table, CFG->equip_type, CFG->equip_key, uuid_str(&bare.id, key), CFG->type_raw_pump_jack);

    /* every type and status value round-trips */
    for (unsigned t = 0; t <= WOS_EQUIPMENT_TYPE_OTHER; t++) {
        wos_equipment x = an_equipment(10 + t, (wos_equipment_type)t);
        x.status = (wos_equipment_status_opt){ true, (wos_equipment_status)(t % 4) };
        REQUIRE_RC(R->equipment->save(R->equipment, &x, &e), 0, e);
        REQUIRE_RC(R->equipment->find_by_id(R->equipment, x.id, &got, MEM, &e), 1, e);
        EXPECT_INT(got.type, t);
        EXPECT_INT(got.status.value, t % 4);
    }
    /* text limits */
    char model[512];
    char who[128];
    snprintf(who, sizeof who, "tenant %s", CFG->tenant);
    q.model = utf8_repeat(model, sizeof model, "🛢", 100);
    REQUIRE_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    REQUIRE_RC(R->equipment->find_by_id(R->equipment, q.id, &got, MEM, &e), 1, e);
    EXPECT_STR(got.model, q.model);
    q.model = utf8_repeat(model, sizeof model, "🛢", 101);
    EXPECT_RC(R->equipment->save(R->equipment, &q, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Equipment.save", "model");
}

static void test_equipment_status_default(void)
{
    reset_tables();
    wr_err e;
    wos_equipment q = an_equipment(1, WOS_EQUIPMENT_TYPE_TANK), got;
    memset(&got, 0, sizeof got);
    q.status = (wos_equipment_status_opt){ false, 0 };
    /* unset on insert: the declared default, OPERATIONAL */
    EXPECT_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    EXPECT_RC(R->equipment->find_by_id(R->equipment, q.id, &got, MEM, &e), 1, e);
    CU_ASSERT(got.status.is_set && got.status.value == WOS_EQUIPMENT_STATUS_OPERATIONAL);

    /* unset on update: the row keeps what it has */
    wos_equipment r = an_equipment(2, WOS_EQUIPMENT_TYPE_TANK);
    r.status = (wos_equipment_status_opt){ true, WOS_EQUIPMENT_STATUS_FAILED };
    REQUIRE_RC(R->equipment->save(R->equipment, &r, &e), 0, e);
    r.status = (wos_equipment_status_opt){ false, 0 };
    r.model = "changed";
    EXPECT_RC(R->equipment->save(R->equipment, &r, &e), 0, e);
    REQUIRE_RC(R->equipment->find_by_id(R->equipment, r.id, &got, MEM, &e), 1, e);
    CU_ASSERT(got.status.is_set && got.status.value == WOS_EQUIPMENT_STATUS_FAILED);
    EXPECT_STR(got.model, "changed");
}

static void test_equipment_upsert(void)
{
    reset_tables();
    wr_err e;
    wr_uuid well = uuid_n(200, 1);
    parent_well(&well);
    wos_equipment q = an_equipment(1, WOS_EQUIPMENT_TYPE_ESP), got;
    memset(&got, 0, sizeof got);
    q.serial_number = "SN-1";
    q.model = "M1";
    REQUIRE_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    q.type = WOS_EQUIPMENT_TYPE_COMPRESSOR;
    q.well_id = (wr_opt_uuid){ true, well };
    q.model = NULL;
    q.serial_number = "SN-2";
    q.installed_at = (wr_opt_date){ true, day(1999, 12, 31) };
    q.status = (wos_equipment_status_opt){ true, WOS_EQUIPMENT_STATUS_FAILED };
    REQUIRE_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    REQUIRE_RC(R->equipment->find_by_id(R->equipment, q.id, &got, MEM, &e), 1, e);
    expect_equipment(&got, &q);
    int64_t n = -1;
    EXPECT_RC(R->equipment->count(R->equipment, &n, &e), 0, e);
    EXPECT_INT(n, 1);
    EXPECT_RC(R->equipment->find_by_serial_number(R->equipment, "SN-1", &got, MEM, &e), 0, e);
}

static void test_equipment_find_by_serial(void)
{
    reset_tables();
    wr_err e;
    static const char *const serials[] = { "SN-001", "ÄÖÜ 🛢 100%", "back\\slash 'q'" };
    wos_equipment q[3], got;
    memset(&got, 0, sizeof got);
    for (unsigned i = 0; i < 3; i++) {
        q[i] = an_equipment(i, WOS_EQUIPMENT_TYPE_METER);
        q[i].serial_number = serials[i];
        REQUIRE_RC(R->equipment->save(R->equipment, &q[i], &e), 0, e);
    }
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_RC(R->equipment->find_by_serial_number(R->equipment, serials[i], &got, MEM, &e), 1, e);
        CU_ASSERT(wr_uuid_equal(&got.id, &q[i].id));
    }
    EXPECT_RC(R->equipment->find_by_serial_number(R->equipment, "SN-00", &got, MEM, &e), 0, e);
    EXPECT_RC(R->equipment->delete(R->equipment, q[0].id, &e), 1, e);
    EXPECT_RC(R->equipment->find_by_serial_number(R->equipment, "SN-001", &got, MEM, &e), 0, e);
}

static int collect_equipment(void *ctx, const wos_equipment *row)
{
    rowlist_add_uuid(ctx, &row->id, row->installed_at.is_set, row->installed_at.value.days);
    return 0;
}

static void test_equipment_filters(void)
{
    reset_tables();
    wr_err e;
    enum { N = 16 };
    wr_uuid wells[2] = { uuid_n(200, 1), uuid_n(200, 2) };
    parent_well(&wells[0]);
    parent_well(&wells[1]);
    wos_equipment q[N];
    for (unsigned i = 0; i < N; i++) {
        q[i] = an_equipment(i, i % 3 == 0 ? WOS_EQUIPMENT_TYPE_PUMP_JACK : i % 3 == 1 ? WOS_EQUIPMENT_TYPE_ESP
                                                                                     : WOS_EQUIPMENT_TYPE_TANK);
        if (i % 4 != 3)
            q[i].well_id = (wr_opt_uuid){ true, wells[i % 2] };
        q[i].status = (wos_equipment_status_opt){ true, (wos_equipment_status)(i % 4) };
        q[i].installed_at = (wr_opt_date){ true, day(2024, 1, 1 + (int)(i / 3)) };
        REQUIRE_RC(R->equipment->save(R->equipment, &q[i], &e), 0, e);
    }
    struct {
        int well; /* -1: any */
        int type; /* -1: any */
        int status;
        int64_t limit, offset;
    } cases[] = {
        { -1, -1, -1, 0, 0 }, { 0, -1, -1, 0, 0 }, { 1, -1, -1, 0, 0 },
        { -1, WOS_EQUIPMENT_TYPE_PUMP_JACK, -1, 0, 0 }, { -1, WOS_EQUIPMENT_TYPE_ESP, -1, 0, 0 },
        { -1, WOS_EQUIPMENT_TYPE_GAS_LIFT, -1, 0, 0 }, { -1, -1, WOS_EQUIPMENT_STATUS_MAINTENANCE, 0, 0 },
        { 0, WOS_EQUIPMENT_TYPE_PUMP_JACK, -1, 0, 0 }, { 1, -1, WOS_EQUIPMENT_STATUS_MAINTENANCE, 0, 0 },
        { -1, WOS_EQUIPMENT_TYPE_TANK, WOS_EQUIPMENT_STATUS_FAILED, 0, 0 },
        { 0, WOS_EQUIPMENT_TYPE_ESP, WOS_EQUIPMENT_STATUS_MAINTENANCE, 0, 0 },
        { -1, -1, -1, 4, 2 }, { -1, WOS_EQUIPMENT_TYPE_ESP, -1, 2, 1 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        static rowlist want, got;
        rowlist_clear(&want);
        for (unsigned i = 0; i < N; i++) {
            if (cases[c].well >= 0 && !(q[i].well_id.is_set && wr_uuid_equal(&q[i].well_id.value, &wells[cases[c].well])))
                continue;
            if (cases[c].type >= 0 && (int)q[i].type != cases[c].type)
                continue;
            if (cases[c].status >= 0 && (int)q[i].status.value != cases[c].status)
                continue;
            rowlist_add_uuid(&want, &q[i].id, true, q[i].installed_at.value.days);
        }
        rowlist_sort(&want, CFG->nulls_first_desc);
        size_t from = (size_t)cases[c].offset < want.n ? (size_t)cases[c].offset : want.n;
        memmove(want.v, want.v + from, (want.n - from) * sizeof want.v[0]);
        want.n -= from;
        if (cases[c].limit > 0 && (size_t)cases[c].limit < want.n)
            want.n = (size_t)cases[c].limit;
        wos_equipment_filter f;
        memset(&f, 0, sizeof f);
        if (cases[c].well >= 0)
            f.well_id = (wr_opt_uuid){ true, wells[cases[c].well] };
        if (cases[c].type >= 0)
            f.type = (wos_equipment_type_opt){ true, (wos_equipment_type)cases[c].type };
        if (cases[c].status >= 0)
            f.status = (wos_equipment_status_opt){ true, (wos_equipment_status)cases[c].status };
        f.limit = cases[c].limit;
        f.offset = cases[c].offset;
        rowlist_clear(&got);
        EXPECT_RC(R->equipment->find_all(R->equipment, &f, collect_equipment, &got, &e), 0, e);
        char what[64];
        snprintf(what, sizeof what, "Equipment.find_all case %zu", c);
        CU_ASSERT(rowlist_same(&got, &want, what));
    }
}

static int equipment_page(void *ctx, int64_t limit, int64_t offset, rowlist *out, wr_err *err)
{
    (void)ctx;
    wos_equipment_filter f;
    memset(&f, 0, sizeof f);
    f.limit = limit;
    f.offset = offset;
    return R->equipment->find_all(R->equipment, &f, collect_equipment, out, err);
}

static void test_equipment_paging(void)
{
    reset_tables();
    wr_err e;
    enum { N = 25 };
    for (unsigned i = 0; i < N; i++) {
        wos_equipment q = an_equipment(i, WOS_EQUIPMENT_TYPE_SEPARATOR);
        /* ties on installed_at, and two rows without one */
        if (i % 12 != 5)
            q.installed_at = (wr_opt_date){ true, day(2020, 2, 27 + (int)(i / 4)) };
        REQUIRE_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    }
    check_paging(equipment_page, NULL, N, 7, CFG->nulls_first_desc);
}

static void test_equipment_soft_delete(void)
{
    reset_tables();
    wr_err e;
    wos_equipment q[3], got;
    memset(&got, 0, sizeof got);
    for (unsigned i = 0; i < 3; i++) {
        q[i] = an_equipment(i, WOS_EQUIPMENT_TYPE_OTHER);
        REQUIRE_RC(R->equipment->save(R->equipment, &q[i], &e), 0, e);
    }
    EXPECT_RC(R->equipment->delete(R->equipment, q[0].id, &e), 1, e);
    EXPECT_RC(R->equipment->delete(R->equipment, q[0].id, &e), 0, e);
    EXPECT_RC(R->equipment->find_by_id(R->equipment, q[0].id, &got, MEM, &e), 0, e);
    int64_t n = -1;
    EXPECT_RC(R->equipment->count(R->equipment, &n, &e), 0, e);
    EXPECT_INT(n, 2);
    static rowlist all;
    rowlist_clear(&all);
    EXPECT_RC(R->equipment->find_all(R->equipment, NULL, collect_equipment, &all, &e), 0, e);
    EXPECT_INT(all.n, 2);
    for (size_t i = 0; i < all.n; i++)
        CU_ASSERT(!wr_uuid_equal(&all.v[i].uuid, &q[0].id));
    char key[WR_UUID_TEXT_SIZE];
    EXPECT_INT(tdb_count(&DB, "SELECT COUNT(*) FROM %s WHERE %s = '%s' AND %s IS NOT NULL", CFG->equip_table,
                         CFG->equip_key, uuid_str(&q[0].id, key), CFG->equip_deleted), 1);
}

static void test_equipment_manufacturer(void)
{
    reset_tables();
    wr_err e;
    char key[WR_UUID_TEXT_SIZE];
    wos_equipment q = an_equipment(1, WOS_EQUIPMENT_TYPE_ESP), got;
    memset(&got, 0, sizeof got);
    q.manufacturer = "Acme Pumps";
    REQUIRE_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    uuid_str(&q.id, key);
    if (!CFG->is_manufacturer_read_only) {
        REQUIRE_RC(R->equipment->find_by_id(R->equipment, q.id, &got, MEM, &e), 1, e);
        EXPECT_STR(got.manufacturer, "Acme Pumps");
        return;
    }
    /* manufacturer <- upper(Make): save never writes Make ... */
    expect_raw(CFG->equip_table, CFG->equip_make, CFG->equip_key, key, NULL);
    CU_ASSERT_FATAL(tdb_exec(&DB, "UPDATE %s SET %s = 'acme pumps inc.' WHERE %s = '%s'", CFG->equip_table,
                             CFG->equip_make, CFG->equip_key, key));
    /* ... and reads it upper-cased */
    REQUIRE_RC(R->equipment->find_by_id(R->equipment, q.id, &got, MEM, &e), 1, e);
    EXPECT_STR(got.manufacturer, "ACME PUMPS INC.");
    q.manufacturer = "Something Else";
    q.model = "M-2";
    REQUIRE_RC(R->equipment->save(R->equipment, &q, &e), 0, e);
    expect_raw(CFG->equip_table, CFG->equip_make, CFG->equip_key, key, "acme pumps inc.");
    REQUIRE_RC(R->equipment->find_by_id(R->equipment, q.id, &got, MEM, &e), 1, e);
    EXPECT_STR(got.manufacturer, "ACME PUMPS INC.");
    EXPECT_STR(got.model, "M-2");
}

static void test_equipment_unmapped(void)
{
    reset_tables();
    if (!CFG->type_unmapped)
        return;
    wr_err e;
    char key[WR_UUID_TEXT_SIZE], who[128];
    snprintf(who, sizeof who, "tenant %s", CFG->tenant);
    wr_uuid id = uuid_n(301, 1);
    CU_ASSERT_FATAL(tdb_exec(&DB, "INSERT INTO %s (%s, %s, %s) VALUES ('%s', '%s', '%s')", CFG->equip_table,
                             CFG->equip_key, CFG->equip_type, CFG->equip_status, uuid_str(&id, key),
                             CFG->type_unmapped, CFG->status_raw_maintenance));
    wos_equipment got;
    memset(&got, 0, sizeof got);
    EXPECT_RC(R->equipment->find_by_id(R->equipment, id, &got, MEM, &e), WR_EDATA, e);
    EXPECT_MESSAGE(e, who, "Equipment.find_by_id", "type", CFG->type_unmapped);
    /* the type filter goes through the map: PUMP_JACK finds the client's rows */
    wr_uuid pj = uuid_n(301, 2);
    CU_ASSERT_FATAL(tdb_exec(&DB, "INSERT INTO %s (%s, %s, %s) VALUES ('%s', '%s', '%s')", CFG->equip_table,
                             CFG->equip_key, CFG->equip_type, CFG->equip_status, uuid_str(&pj, key),
                             CFG->type_raw_pump_jack, CFG->status_raw_maintenance));
    wos_equipment_filter f;
    memset(&f, 0, sizeof f);
    f.type = (wos_equipment_type_opt){ true, WOS_EQUIPMENT_TYPE_PUMP_JACK };
    f.status = (wos_equipment_status_opt){ true, WOS_EQUIPMENT_STATUS_MAINTENANCE };
    static rowlist rows;
    rowlist_clear(&rows);
    EXPECT_RC(R->equipment->find_all(R->equipment, &f, collect_equipment, &rows, &e), 0, e);
    EXPECT_INT(rows.n, 1);
    if (rows.n == 1)
        CU_ASSERT(wr_uuid_equal(&rows.v[0].uuid, &pj));
}

const test_case equipment_cases[] = {
    { "Equipment: save then find_by_id, every field", test_equipment_save_find },
    { "Equipment: status defaults to OPERATIONAL", test_equipment_status_default },
    { "Equipment: save again updates the row", test_equipment_upsert },
    { "Equipment: find_by_serial_number", test_equipment_find_by_serial },
    { "Equipment: find_all filters, limit and offset", test_equipment_filters },
    { "Equipment: pages of 7 over 25 rows", test_equipment_paging },
    { "Equipment: count and soft delete", test_equipment_soft_delete },
    { "Equipment: manufacturer", test_equipment_manufacturer },
    { "Equipment: values the maps do not cover", test_equipment_unmapped },
};
const size_t n_equipment_cases = sizeof equipment_cases / sizeof *equipment_cases;

/* ======================================================================
 * the factory
 * ====================================================================== */

static void test_factory_unknown_tenant(void)
{
    wr_err e;
    static wos_repos dummy;
    wos_repos *r = &dummy; /* anything but NULL: the factory must clear it */
    EXPECT_RC(wos_repos_open(&r, "no_such_tenant", &e), WR_ECONFIG, e);
    EXPECT_INT(e.code, WR_ECONFIG);
    CU_ASSERT_PTR_NULL(r);
    EXPECT_MESSAGE(e, "no_such_tenant");
    wos_repos_close(NULL);
}

static void test_factory_env_unset(void)
{
    wr_err e;
    wos_repos *r = NULL;
    char saved[1024];
    const char *dsn = getenv(CFG->dsn_env);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dsn);
    snprintf(saved, sizeof saved, "%s", dsn);
    unsetenv(CFG->dsn_env);
    EXPECT_RC(wos_repos_open(&r, CFG->tenant, &e), WR_ECONFIG, e);
    CU_ASSERT_PTR_NULL(r);
    char who[128];
    snprintf(who, sizeof who, "tenant %s", CFG->tenant);
    EXPECT_MESSAGE(e, CFG->dsn_env, who);
    setenv(CFG->dsn_env, "", 1);
    EXPECT_RC(wos_repos_open(&r, CFG->tenant, &e), WR_ECONFIG, e);
    EXPECT_MESSAGE(e, CFG->dsn_env);
    setenv(CFG->dsn_env, saved, 1);
}

static void test_factory_unreachable(void)
{
    wr_err e;
    wos_repos *r = NULL;
    const char *secret = "Zq9-NotForLogs-7";
    char dsn[256], who[128];
    snprintf(who, sizeof who, "tenant %s", CFG->tenant);
    /* port 1: nobody listens there */
    if (CFG->dialect == WR_POSTGRES)
        snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=1 user=postgres password=%s dbname=x connect_timeout=3", secret);
    else
        snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=1 user=root password=%s dbname=x connect_timeout=3", secret);
    EXPECT_RC(wos_repos_open_dsn(&r, CFG->tenant, dsn, &e), WR_ECONNECT, e);
    CU_ASSERT_PTR_NULL(r);
    EXPECT_MESSAGE(e, who);
    CU_ASSERT(!contains(e.message, secret));
    CU_ASSERT(!contains(e.message, "NotForLogs"));
}

static void test_factory_opens_what_is_mapped(void)
{
    wr_err e;
    wos_repos *r = NULL;
    REQUIRE_RC(wos_repos_open(&r, CFG->tenant, &e), 0, e);
    EXPECT_STR(r->tenant, CFG->tenant);
    CU_ASSERT_PTR_NOT_NULL(r->conn);
    CU_ASSERT_EQUAL(wr_conn_dialect(r->conn), CFG->dialect);
    CU_ASSERT_PTR_NOT_NULL(r->well);
    CU_ASSERT_PTR_NOT_NULL(r->production_record);
    CU_ASSERT_EQUAL(r->equipment != NULL, CFG->equip_table != NULL);
    CU_ASSERT_EQUAL(r->field_event != NULL, CFG->has_canonical_only);
    CU_ASSERT_EQUAL(r->ml_prediction != NULL, CFG->has_canonical_only);
    CU_ASSERT_EQUAL(r->alert != NULL, CFG->has_canonical_only);
    /* two sets of repositories of one tenant live side by side */
    int64_t n = -1;
    EXPECT_RC(r->well->count(r->well, &n, &e), 0, e);
    CU_ASSERT(n >= 0);
    wos_repos_close(r);
}

const test_case factory_cases[] = {
    { "factory: unknown tenant", test_factory_unknown_tenant },
    { "factory: DSN variable unset or empty", test_factory_env_unset },
    { "factory: server unreachable, password not shown", test_factory_unreachable },
    { "factory: opens the repositories the tenant maps", test_factory_opens_what_is_mapped },
};
const size_t n_factory_cases = sizeof factory_cases / sizeof *factory_cases;
