/* hand_spec.c - a sync agent written by hand, in the shape wellosc will
 * generate one: a wr_sync_spec of compiler-written SQL and plain-C
 * transforms, and a main() that hands it to wr_agent_main.  It exists so
 * that the engine (runtime/wr_agent.c, wr_sync.c, wr_copy.c, wr_log.c) can
 * be tested before the compiler emits agents; tests/agent/run.sh drives it.
 *
 * Tenant `toy`, two entities:
 *   Well     <- wells     full extract, `deletes soft`, rejects bad rows
 *   Reading  <- readings  incremental on recorded_at (lookback 60 s), NULL
 *                         watermarks rejected
 * The source is MariaDB, or PostgreSQL when TOY_SOURCE=pg (the same tables).
 * TOY_ABORT=1 makes Well `on error abort`; TOY_WATERMARK=id makes Reading's
 * watermark its id (a number), TOY_LOOKBACK=N sets Reading's lookback.  The transforms are plain C, not
 * wr_xf_*: they check what the generated ones will check. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr.h"

/* ---- transforms ------------------------------------------------------------- */

static int fail(wr_xf *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(wr_xf *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(x->reason, sizeof x->reason, "%s: ", x->field ? x->field : "row");
    vsnprintf(x->reason + n, sizeof x->reason - (size_t)n, fmt, ap);
    va_end(ap);
    x->is_failed = true;
    return 1;
}

static bool is_integer(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool is_decimal(const char *s)
{
    if (*s == '-')
        s++;
    size_t digits = strspn(s, "0123456789");
    s += digits;
    if (*s == '.') {
        size_t frac = strspn(s + 1, "0123456789");
        if (!frac)
            return false;
        s += 1 + frac;
        digits += frac;
    }
    return digits > 0 && *s == '\0';
}

static const char *trimmed(wr_xf *x, const char *s)
{
    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return wr_arena_strndup(x->mem, s, n);
}

/* wells(id, name, status, depth, modified_at) -> well(id, name, status, depth_m) */
static int well_transform(const wr_row *src, const char **out, wr_xf *x)
{
    x->field = "id";
    const char *id = src->values[0];
    if (!id || !is_integer(id))
        return fail(x, "'%s' is not an integer", id ? id : "NULL");
    out[0] = id;

    x->field = "name";
    const char *name = trimmed(x, src->values[1]);
    if (!name || !*name)
        return fail(x, "required, but empty");
    out[1] = name;

    x->field = "status";
    const char *s = src->values[2];
    static const char *const map[][2] = { { "A", "ACTIVE" }, { "S", "INACTIVE" }, { "P", "PLUGGED" } };
    out[2] = NULL;
    for (size_t i = 0; s && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i][0]) == 0)
            out[2] = map[i][1];
    if (!out[2])
        return fail(x, "'%s' is not in the map (A, S, P)", s ? s : "NULL");

    x->field = "depth_m";
    const char *depth = src->values[3];
    if (depth && !is_decimal(depth))
        return fail(x, "'%s' is not a number", depth);
    out[3] = depth;
    return 0;
}

static int well_key(const wr_row *src, const char **out, wr_xf *x)
{
    x->field = "id";
    if (!src->values[0] || !is_integer(src->values[0]))
        return fail(x, "not an integer");
    out[0] = src->values[0];
    return 0;
}

/* readings(id, well_id, value, recorded_at) -> reading(id, well_id, value, recorded_at) */
static int reading_transform(const wr_row *src, const char **out, wr_xf *x)
{
    x->field = "id";
    if (!src->values[0] || !is_integer(src->values[0]))
        return fail(x, "not an integer");
    out[0] = src->values[0];
    x->field = "well_id";
    if (src->values[1] && !is_integer(src->values[1]))
        return fail(x, "not an integer");
    out[1] = src->values[1];
    x->field = "value";
    if (src->values[2] && !is_decimal(src->values[2]))
        return fail(x, "'%s' is not a number", src->values[2]);
    out[2] = src->values[2];
    x->field = "recorded_at";
    out[3] = src->values[3];   /* UTC text; the target session is UTC */
    return 0;
}

/* ---- SQL, as the compiler writes it ------------------------------------------ */

static const char INIT_SQL[] =
    "CREATE TABLE IF NOT EXISTS well (\n"
    "    id integer PRIMARY KEY,\n"
    "    name text NOT NULL,\n"
    "    status text NOT NULL,\n"
    "    depth_m numeric(10,2),\n"
    "    updated_at timestamptz NOT NULL DEFAULT now(),\n"
    "    deleted_at timestamptz\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS reading (\n"
    "    id bigint PRIMARY KEY,\n"
    "    well_id integer,\n"
    "    value numeric(12,3),\n"
    "    recorded_at timestamptz,\n"
    "    updated_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS wellos_sync_state (\n"
    "    tenant text NOT NULL, entity text NOT NULL, watermark text, last_synced_at timestamptz,\n"
    "    rows_read bigint, rows_written bigint, rows_unchanged bigint, rows_rejected bigint,\n"
    "    status text, last_error text,\n"
    "    PRIMARY KEY (tenant, entity)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS wellos_sync_rejects (\n"
    "    id bigserial PRIMARY KEY, tenant text NOT NULL, entity text NOT NULL, source_key text,\n"
    "    reason text NOT NULL, raw jsonb, rejected_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS wellos_tenant (tenant text PRIMARY KEY);\n";

static const char MARKER_READ[] = "SELECT tenant FROM wellos_tenant";
static const char MARKER_WRITE[] = "INSERT INTO wellos_tenant (tenant) VALUES ($1) ON CONFLICT DO NOTHING";
static const char LOCK[] = "SELECT pg_try_advisory_lock($1::bigint)";
static const char STATE_READ[] =
    "SELECT watermark FROM wellos_sync_state WHERE tenant = $1 AND entity = $2";
static const char STATE_WRITE[] =
    "INSERT INTO wellos_sync_state AS s (tenant, entity, watermark, last_synced_at, rows_read, rows_written,\n"
    "    rows_unchanged, rows_rejected, status, last_error)\n"
    "VALUES ($1, $2, $3, now(), $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8, $9)\n"
    "ON CONFLICT (tenant, entity) DO UPDATE SET watermark = EXCLUDED.watermark,\n"
    "    last_synced_at = EXCLUDED.last_synced_at, rows_read = EXCLUDED.rows_read,\n"
    "    rows_written = EXCLUDED.rows_written, rows_unchanged = EXCLUDED.rows_unchanged,\n"
    "    rows_rejected = EXCLUDED.rows_rejected, status = EXCLUDED.status, last_error = EXCLUDED.last_error";
static const char REJECT_WRITE[] =
    "INSERT INTO wellos_sync_rejects (tenant, entity, source_key, reason, raw) VALUES ($1, $2, $3, $4, $5::jsonb)";

/* Well */
static const char *const WELL_SOURCE_COLUMNS[] = { "id", "name", "status", "depth", "modified_at" };
static const char *const WELL_COLUMNS[] = { "id", "name", "status", "depth_m" };
static const char WELL_EXTRACT[] = "SELECT id, name, status, depth, modified_at FROM wells ORDER BY id";
static const char WELL_EXTRACT_KEYS[] = "SELECT id FROM wells";
static const char WELL_STAGE_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS _wos_stage_well (_wos_seq bigserial, id integer, name text, status text, "
    "depth_m numeric(10,2))";
static const char WELL_STAGE_TRUNCATE[] = "TRUNCATE _wos_stage_well";
static const char WELL_STAGE_COPY[] = "COPY _wos_stage_well (id, name, status, depth_m) FROM STDIN";
static const char WELL_UPSERT[] =
    "INSERT INTO well AS t (id, name, status, depth_m)\n"
    "SELECT DISTINCT ON (id) id, name, status, depth_m FROM _wos_stage_well ORDER BY id, _wos_seq DESC\n"
    "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, depth_m = EXCLUDED.depth_m,\n"
    "    deleted_at = NULL, updated_at = now()\n"
    "WHERE (t.name, t.status, t.depth_m, t.deleted_at)\n"
    "    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.status, EXCLUDED.depth_m, NULL::timestamptz)";
static const char WELL_KEYS_CREATE[] = "CREATE TEMP TABLE IF NOT EXISTS _wos_keys_well (id integer)";
static const char WELL_KEYS_TRUNCATE[] = "TRUNCATE _wos_keys_well";
static const char WELL_KEYS_COPY[] = "COPY _wos_keys_well (id) FROM STDIN";
static const char WELL_MARK_DELETED[] =
    "UPDATE well AS t SET deleted_at = now(), updated_at = now()\n"
    "WHERE t.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM _wos_keys_well k WHERE k.id = t.id)";

/* Reading */
static const char *const READING_SOURCE_COLUMNS[] = { "id", "well_id", "value", "recorded_at" };
static const char *const READING_COLUMNS[] = { "id", "well_id", "value", "recorded_at" };
static const char READING_EXTRACT_MYSQL[] =
    "SELECT id, well_id, value, recorded_at FROM readings\n"
    "WHERE ? IS NULL OR recorded_at >= ? OR recorded_at IS NULL ORDER BY recorded_at, id";
static const int READING_EXTRACT_ORDER[] = { 0, 0 };
static const char READING_EXTRACT_PG[] =
    "SELECT id, well_id, value, recorded_at FROM readings\n"
    "WHERE $1::timestamptz IS NULL OR recorded_at >= $1::timestamptz OR recorded_at IS NULL\n"
    "ORDER BY recorded_at, id";
/* TOY_WATERMARK=id: the watermark is the id, a number (as an extra column,
 * the way wellosc appends a watermark expression) */
static const char READING_EXTRACT_BY_ID_MYSQL[] =
    "SELECT id, well_id, value, recorded_at, id FROM readings WHERE ? IS NULL OR id >= ? ORDER BY id";
static const char READING_STAGE_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS _wos_stage_reading (_wos_seq bigserial, id bigint, well_id integer, "
    "value numeric(12,3), recorded_at timestamptz)";
static const char READING_STAGE_TRUNCATE[] = "TRUNCATE _wos_stage_reading";
static const char READING_STAGE_COPY[] = "COPY _wos_stage_reading (id, well_id, value, recorded_at) FROM STDIN";
static const char READING_UPSERT[] =
    "INSERT INTO reading AS t (id, well_id, value, recorded_at)\n"
    "SELECT DISTINCT ON (id) id, well_id, value, recorded_at FROM _wos_stage_reading ORDER BY id, _wos_seq DESC\n"
    "ON CONFLICT (id) DO UPDATE SET well_id = EXCLUDED.well_id, value = EXCLUDED.value,\n"
    "    recorded_at = EXCLUDED.recorded_at, updated_at = now()\n"
    "WHERE (t.well_id, t.value, t.recorded_at) IS DISTINCT FROM (EXCLUDED.well_id, EXCLUDED.value, EXCLUDED.recorded_at)";

static wr_sync_entity entities[] = {
    {
        .entity = "Well",
        .origin = "tests/agent/hand_spec.c",
        .key_field = "id",
        .extract = { .name = "toy.Well.extract", .sql = WELL_EXTRACT },
        .n_source_columns = 5,
        .source_column_names = WELL_SOURCE_COLUMNS,
        .watermark_column = -1,
        .extract_keys = { .name = "toy.Well.extract_keys", .sql = WELL_EXTRACT_KEYS },
        .key_of = well_key,
        .mode = WR_SYNC_FULL,
        .transform = well_transform,
        .n_columns = 4,
        .column_names = WELL_COLUMNS,
        .stage_create = WELL_STAGE_CREATE,
        .stage_truncate = WELL_STAGE_TRUNCATE,
        .stage_copy = WELL_STAGE_COPY,
        .upsert = WELL_UPSERT,
        .keys_create = WELL_KEYS_CREATE,
        .keys_truncate = WELL_KEYS_TRUNCATE,
        .keys_copy = WELL_KEYS_COPY,
        .mark_deleted = WELL_MARK_DELETED,
    },
    {
        .entity = "Reading",
        .origin = "tests/agent/hand_spec.c",
        .key_field = "id",
        .extract = { .name = "toy.Reading.extract", .sql = READING_EXTRACT_MYSQL, .n_placeholders = 2,
                     .param_order = READING_EXTRACT_ORDER },
        .n_source_columns = 4,
        .source_column_names = READING_SOURCE_COLUMNS,
        .watermark_column = 3,
        .mode = WR_SYNC_WATERMARK,
        .lookback_seconds = 60,
        .is_null_watermark_rejected = true,
        .transform = reading_transform,
        .n_columns = 4,
        .column_names = READING_COLUMNS,
        .stage_create = READING_STAGE_CREATE,
        .stage_truncate = READING_STAGE_TRUNCATE,
        .stage_copy = READING_STAGE_COPY,
        .upsert = READING_UPSERT,
    },
};

static wr_sync_spec spec = {
    .tenant = "toy",
    .compiler_version = "0.1.0-hand",
    .spec_hash = "hand0000",
    .source_dialect = WR_MYSQL,
    .source_env = "TOY_SOURCE_DSN",
    .target_env = "TOY_TARGET_DSN",
    .interval_seconds = 15 * 60,
    .init_sql = INIT_SQL,
    .marker_read = MARKER_READ,
    .marker_write = MARKER_WRITE,
    .lock = LOCK,
    .state_read = STATE_READ,
    .state_write = STATE_WRITE,
    .reject_write = REJECT_WRITE,
    .entities = entities,
    .n_entities = sizeof entities / sizeof entities[0],
};

int main(int argc, char **argv)
{
    wr_use_postgres(); /* the target, and the source with TOY_SOURCE=pg */
    wr_use_mysql();    /* the source */
    const char *source = getenv("TOY_SOURCE");
    if (source && strcmp(source, "pg") == 0) {
        spec.source_dialect = WR_POSTGRES;
        entities[1].extract.sql = READING_EXTRACT_PG;
        entities[1].extract.n_placeholders = 1;
        entities[1].extract.param_order = NULL;
    }
    const char *watermark = getenv("TOY_WATERMARK");
    if (watermark && strcmp(watermark, "id") == 0) {
        entities[1].extract.sql = READING_EXTRACT_BY_ID_MYSQL;
        entities[1].watermark_column = 4;
        entities[1].lookback_seconds = 0;
    }
    const char *lookback = getenv("TOY_LOOKBACK");
    if (lookback)
        entities[1].lookback_seconds = strtoll(lookback, NULL, 10);
    const char *abort_on_error = getenv("TOY_ABORT");
    entities[0].is_abort_on_error = abort_on_error && strcmp(abort_on_error, "1") == 0;
    return wr_agent_main(&spec, argc, argv);
}
