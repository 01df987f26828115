/* test_marker.c - the tenant marker as the compiler writes it (README "The
 * tenant marker"): the repositories of native and etl tenants carry the
 * statement that reads it, adapters' do not; a native tenant's
 * ddl_postgres.sql creates the table and marks the database; and the
 * marker table and its read are the same text as the sync agent's, which
 * emit_sync.c keeps in copies of its own (its plan prints them). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "emit.h"
#include "sql_build.h"
#include "suites.h"

static const char spec_text[] =
    "entity Well table wells {\n"
    "  id   uuid      key\n"
    "  name text(255) required\n"
    "}\n"
    "tenant t_native {\n"
    "  strategy native\n"
    "  database postgres dsn env T_NATIVE_DSN\n"
    "}\n"
    "tenant t_etl {\n"
    "  strategy etl\n"
    "  source mysql    dsn env T_ETL_SOURCE_DSN\n"
    "  target postgres dsn env T_ETL_TARGET_DSN\n"
    "  every 15 minutes\n"
    "  sync Well from src_wells {\n"
    "    id   <- well_id\n"
    "    name <- well_name\n"
    "  }\n"
    "}\n"
    "tenant t_adapter {\n"
    "  strategy adapter\n"
    "  database postgres dsn env T_ADAPTER_DSN\n"
    "  map Well to their_wells {\n"
    "    id   <-> wid\n"
    "    name <-> wname\n"
    "  }\n"
    "}\n";

typedef struct loaded {
    wm_arena *arena;
    wm_frontend f;
    wm_model *m;
    wm_emit_ctx cx;
} loaded;

static bool load(loaded *l, const char *text)
{
    l->m = test_check_buffer(text, &l->f, &l->arena);
    l->cx = (wm_emit_ctx){ l->arena, l->m, "test.wmap" };
    if (!l->m)
        wm_diags_print(&l->f.diags, stderr, 10);
    return l->m != NULL;
}

static const wm_tenant *tenant(const loaded *l, const char *name)
{
    for (size_t i = 0; i < l->m->n_tenants; i++)
        if (strcmp(l->m->tenants[i]->name, name) == 0)
            return l->m->tenants[i];
    return NULL;
}

/* The text an emitter writes, in the arena. */
typedef void (*emit_fn)(loaded *l, wm_printer *p, const void *arg);

static const char *emitted(loaded *l, emit_fn fn, const void *arg)
{
    wm_printer *p = wm_printer_new();
    fn(l, p, arg);
    const char *text = wm_arena_strdup(l->arena, wm_printer_text(p));
    wm_printer_free(p);
    return text;
}

static void emit_plan(loaded *l, wm_printer *p, const void *t) { wm_emit_plan(&l->cx, p, t); }
static void emit_ddl(loaded *l, wm_printer *p, const void *d) { wm_emit_ddl(&l->cx, p, *(const wm_dialect *)d); }
static void emit_ddl_file(loaded *l, wm_printer *p, const void *d)
{
    wm_emit_ddl_file(&l->cx, p, *(const wm_dialect *)d);
}

static void emit_repo_of(loaded *l, wm_printer *p, const void *t)
{
    wm_store *s = wm_store_for(l->arena, t, l->m->entities[0]);
    const wm_sql_ops *ops = wm_sql_build(l->arena, &l->f.diags, s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    wm_emit_repo(&l->cx, p, s, ops);
}

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *s = text; (s = strstr(s, what)) != NULL; s += strlen(what))
        n++;
    return n;
}

/* The agent creates and reads the marker with the very text the
 * repositories and the native DDL use. */
static void test_same_text_as_the_agent(void)
{
    loaded l;
    CU_ASSERT_FATAL(load(&l, spec_text));
    const char *plan = emitted(&l, emit_plan, tenant(&l, "t_etl"));
    CU_ASSERT_PTR_NOT_NULL(strstr(plan, wm_marker_table_sql));
    char read[128];
    snprintf(read, sizeof read, "\n%s;\n", wm_marker_read_sql);
    CU_ASSERT_PTR_NOT_NULL(strstr(plan, read));
    wm_arena_free(l.arena);
}

/* native and etl: a statement that reads the marker, run by the runtime
 * (stmts.tenant, stmts.marker); an adapter: none. */
static void test_repositories_carry_the_check(void)
{
    loaded l;
    CU_ASSERT_FATAL(load(&l, spec_text));
    static const char *const marked[] = { "t_native", "t_etl" };
    for (size_t i = 0; i < 2; i++) {
        const wm_tenant *t = tenant(&l, marked[i]);
        wm_store *s = wm_store_for(l.arena, t, l.m->entities[0]);
        const wm_sql_ops *ops = wm_sql_build(l.arena, &l.f.diags, s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
        size_t n_markers = 0;
        for (size_t k = 0; k < ops->n; k++) {
            if (ops->stmts[k].kind != WM_SQL_TENANT_MARKER)
                continue;
            n_markers++;
            CU_ASSERT_STRING_EQUAL(ops->stmts[k].sql, wm_marker_read_sql);
            CU_ASSERT_EQUAL(ops->stmts[k].n_placeholders, 0);
        }
        CU_ASSERT_EQUAL(n_markers, 1);
        const char *c = emitted(&l, emit_repo_of, t);
        char line[128];
        snprintf(line, sizeof line, "r->stmts.tenant = \"%s\";", marked[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(c, line));
        CU_ASSERT_PTR_NOT_NULL(strstr(c, "r->stmts.marker = TENANT_MARKER;"));
        CU_ASSERT_PTR_NOT_NULL(strstr(c, "[TENANT_MARKER] = {"));
        CU_ASSERT_PTR_NULL(strstr(c, "r->base.tenant_marker")); /* not an operation of the interface */
    }
    const wm_tenant *t = tenant(&l, "t_adapter");
    wm_store *s = wm_store_for(l.arena, t, l.m->entities[0]);
    const wm_sql_ops *ops = wm_sql_build(l.arena, &l.f.diags, s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    for (size_t k = 0; k < ops->n; k++)
        CU_ASSERT_NOT_EQUAL(ops->stmts[k].kind, WM_SQL_TENANT_MARKER);
    const char *c = emitted(&l, emit_repo_of, t);
    CU_ASSERT_PTR_NULL(strstr(c, "TENANT_MARKER"));
    CU_ASSERT_PTR_NULL(strstr(c, "stmts.tenant"));
    wm_arena_free(l.arena);
}

/* The one native tenant's ddl_postgres.sql: the marker table first, the
 * refusal, the tables, the guarded mark last.  Other dialects, and a spec
 * without a native tenant, get the canonical DDL alone. */
static void test_native_ddl_marks(void)
{
    loaded l;
    CU_ASSERT_FATAL(load(&l, spec_text));
    wm_dialect pg = WM_DIALECT_POSTGRES, my = WM_DIALECT_MYSQL;
    const char *ddl = emitted(&l, emit_ddl_file, &pg);
    const char *table = strstr(ddl, wm_marker_table_sql);
    const char *refusal = strstr(ddl, "IF EXISTS (SELECT 1 FROM wellos_tenant WHERE tenant <> 't_native') THEN");
    const char *wells = strstr(ddl, "CREATE TABLE IF NOT EXISTS \"wells\"");
    const char *mark = strstr(ddl, "INSERT INTO wellos_tenant (tenant)\n"
                                   "SELECT 't_native' WHERE NOT EXISTS (SELECT 1 FROM wellos_tenant WHERE tenant <> "
                                   "'t_native')\nON CONFLICT DO NOTHING;\n");
    CU_ASSERT(table && refusal && wells && mark && table < refusal && refusal < wells && wells < mark);
    CU_ASSERT_EQUAL(occurrences(ddl, "INSERT INTO"), 1);
    CU_ASSERT_STRING_EQUAL(emitted(&l, emit_ddl_file, &my), emitted(&l, emit_ddl, &my));
    wm_arena_free(l.arena);

    /* etl and adapter only: what the agent's --init embeds, unchanged */
    static char no_native[sizeof spec_text];
    snprintf(no_native, sizeof no_native, "entity Well table wells {\n  id uuid key\n  name text(255) required\n}\n%s",
             strstr(spec_text, "tenant t_etl"));
    CU_ASSERT_FATAL(load(&l, no_native));
    CU_ASSERT_STRING_EQUAL(emitted(&l, emit_ddl_file, &pg), emitted(&l, emit_ddl, &pg));
    wm_arena_free(l.arena);
}

/* Two native tenants in one spec: one file for two databases, so it
 * creates the marker table and says how to mark each, but marks none. */
static void test_two_native_tenants_mark_nothing(void)
{
    loaded l;
    CU_ASSERT_FATAL(load(&l, "entity Well table wells {\n  id uuid key\n}\n"
                             "tenant a_native {\n  strategy native\n  database postgres dsn env A_DSN\n}\n"
                             "tenant b_native {\n  strategy native\n  database postgres dsn env B_DSN\n}\n"));
    wm_dialect pg = WM_DIALECT_POSTGRES;
    const char *ddl = emitted(&l, emit_ddl_file, &pg);
    CU_ASSERT_PTR_NOT_NULL(strstr(ddl, wm_marker_table_sql));
    CU_ASSERT_PTR_NOT_NULL(strstr(ddl, "--   INSERT INTO wellos_tenant (tenant) VALUES ('a_native') ON CONFLICT DO NOTHING;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(ddl, "--   INSERT INTO wellos_tenant (tenant) VALUES ('b_native') ON CONFLICT DO NOTHING;"));
    CU_ASSERT_EQUAL(occurrences(ddl, "\nINSERT"), 0);
    CU_ASSERT_EQUAL(occurrences(ddl, "DO $$"), 0);
    wm_arena_free(l.arena);
}

int register_marker_tests(void)
{
    CU_pSuite s = CU_add_suite("tenant marker", NULL, NULL);
    if (!s)
        return -1;
    if (!CU_add_test(s, "the agent's marker table and read are the same text", test_same_text_as_the_agent)
        || !CU_add_test(s, "native and etl repositories carry the check, adapters not",
                        test_repositories_carry_the_check)
        || !CU_add_test(s, "a native tenant's ddl_postgres.sql marks its database", test_native_ddl_marks)
        || !CU_add_test(s, "two native tenants: the DDL marks no database", test_two_native_tenants_mark_nothing))
        return -1;
    return 0;
}
