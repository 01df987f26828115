/* test_parser.c - the grammar and the resolved model: every construct of
 * the language parsed and checked, and a look at the model it becomes. */
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static const char *const canonical =
    "entity Well table wells {\n"
    "  id uuid key\n"
    "  name text(255) required\n"
    "  api_number text(14) unique\n"
    "  latitude float range -90 .. 90\n"
    "  status enum(ACTIVE, INACTIVE, PLUGGED) required default ACTIVE\n"
    "  lease text\n"
    "  depth decimal(12,2)\n"
    "  spud date default \"2020-01-31\"\n"
    "  is_offshore bool default false\n"
    "  notes json\n"
    "  created_at timestamp default now\n"
    "  updated_at timestamp auto\n"
    "  deleted_at timestamp soft_delete\n"
    "  filter status, lease, created_at >= as created_after\n"
    "  order created_at desc, name\n"
    "}\n"
    "entity Production table production_data {\n"
    "  id bigint key\n"
    "  well_id uuid required references Well\n"
    "  date date required\n"
    "  oil decimal(12,2)\n"
    "  gas decimal(12,2)\n"
    "  count int\n"
    "  filter well_id, date >= as since, date < as until\n"
    "}\n";

static wm_model *check(const char *tenants, wm_frontend *f, wm_arena **a)
{
    size_t n = strlen(canonical) + strlen(tenants) + 1;
    char *text = malloc(n);
    snprintf(text, n, "%s%s", canonical, tenants);
    wm_model *m = test_check_buffer(text, f, a);
    free(text);
    if (!m)
        wm_diags_print(&f->diags, stderr, 0);
    return m;
}

static void test_entities(void)
{
    wm_frontend f;
    wm_arena *a;
    wm_model *m = check("", &f, &a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL_FATAL(m->n_entities, 2);
    const wm_entity *w = m->entities[0];
    CU_ASSERT_STRING_EQUAL(w->name, "Well");
    CU_ASSERT_STRING_EQUAL(w->table, "wells");
    CU_ASSERT_EQUAL_FATAL(w->n_fields, 13);
    CU_ASSERT_STRING_EQUAL(w->key->name, "id");
    CU_ASSERT_STRING_EQUAL(w->soft_delete->name, "deleted_at");
    CU_ASSERT_STRING_EQUAL(w->auto_updated->name, "updated_at");
    CU_ASSERT_EQUAL(w->fields[1]->type.kind, WM_T_TEXT);
    CU_ASSERT_EQUAL(w->fields[1]->type.length, 255);
    CU_ASSERT_TRUE(w->fields[1]->is_required);
    CU_ASSERT_TRUE(w->fields[2]->is_unique);
    CU_ASSERT_TRUE(w->fields[3]->has_range);
    CU_ASSERT_STRING_EQUAL(w->fields[3]->range_lo.text, "-90");
    const wm_field *status = w->fields[4];
    CU_ASSERT_EQUAL(status->type.kind, WM_T_ENUM);
    CU_ASSERT_EQUAL_FATAL(status->type.n_enum_values, 3);
    CU_ASSERT_STRING_EQUAL(status->type.enum_values[2], "PLUGGED");
    CU_ASSERT_EQUAL(status->default_value.kind, WM_L_NAME);
    CU_ASSERT_EQUAL(w->fields[5]->type.length, 0);
    CU_ASSERT_EQUAL(w->fields[6]->type.precision, 12);
    CU_ASSERT_EQUAL(w->fields[6]->type.scale, 2);
    CU_ASSERT_EQUAL(w->fields[10]->default_value.kind, WM_L_NOW);
    CU_ASSERT_EQUAL_FATAL(w->n_filters, 3);
    CU_ASSERT_STRING_EQUAL(w->filters[2].name, "created_after");
    CU_ASSERT_EQUAL(w->filters[2].op, WM_CMP_GE);
    CU_ASSERT_EQUAL_FATAL(w->n_orders, 2);
    CU_ASSERT_TRUE(w->orders[0].is_descending);
    CU_ASSERT_FALSE(w->orders[1].is_descending);
    const wm_entity *p = m->entities[1];
    CU_ASSERT_PTR_EQUAL(p->fields[1]->references, w);
    CU_ASSERT_EQUAL(p->filters[2].op, WM_CMP_LT);
    wm_arena_free(a);
}

static void test_etl_tenant(void)
{
    wm_frontend f;
    wm_arena *a;
    wm_model *m = check(
        "tenant tx {\n"
        "  strategy etl\n"
        "  source sqlserver dsn env SRC\n"
        "  target postgres dsn env DST\n"
        "  every 2 hours\n"
        "  sync Well from dbo.WellMaster incremental on ModifiedAt lookback 10 minutes nulls reject {\n"
        "    id <- WellID\n"
        "    name <- upper(trim(`Well Name`)) || \"-\" || Suffix\n"
        "    status <- Status map { \"Active\" => ACTIVE, \"Shut-In\" => INACTIVE, \"P&A\" => PLUGGED } else reject\n"
        "    latitude <- Lat * 1000 / 1000 + -1\n"
        "    spud <- parse_date(SpudText, \"%m/%d/%Y\")\n"
        "    deletes soft\n"
        "    on error abort\n"
        "  }\n"
        "  sync Production from ProductionRecords incremental on ProductionDate window 90 days {\n"
        "    id <- RecordID\n"
        "    well_id <- WellID\n"
        "    date <- ProductionDate\n"
        "    oil <- coalesce(Oil, 0)\n"
        "    count <- N map { 1 => 10, 2 => 20 } else keep\n"
        "  }\n"
        "}\n",
        &f, &a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL_FATAL(m->n_tenants, 1);
    const wm_tenant *t = m->tenants[0];
    CU_ASSERT_EQUAL(t->strategy, WM_STRATEGY_ETL);
    CU_ASSERT_EQUAL(t->source.dialect, WM_DIALECT_SQLSERVER);
    CU_ASSERT_STRING_EQUAL(t->source.dsn_env, "SRC");
    CU_ASSERT_EQUAL(t->interval_seconds, 7200);
    CU_ASSERT_EQUAL_FATAL(t->n_mappings, 2);
    const wm_mapping *w = &t->mappings[0];
    CU_ASSERT_EQUAL_FATAL(w->table.n_parts, 2);
    CU_ASSERT_STRING_EQUAL(w->table.parts[0], "dbo");
    CU_ASSERT_EQUAL(w->incremental.kind, WM_INC_WATERMARK);
    CU_ASSERT_EQUAL(w->incremental.lookback_seconds, 600);
    CU_ASSERT_EQUAL(w->incremental.nulls, WM_NULLS_REJECT);
    CU_ASSERT_TRUE(w->deletes_soft);
    CU_ASSERT_EQUAL(w->on_error, WM_ON_ERROR_ABORT);
    CU_ASSERT_EQUAL_FATAL(w->n_fields, 5);
    /* fields come in the entity's order, not the spec's */
    CU_ASSERT_STRING_EQUAL(w->fields[2].field->name, "latitude");
    const wm_expr *name = w->fields[1].expr;
    CU_ASSERT_EQUAL(name->kind, WM_E_BINARY);
    CU_ASSERT_EQUAL(name->op, WM_OP_CONCAT);
    CU_ASSERT_EQUAL(name->type.kind, WM_T_TEXT);
    /* left associative: (upper(...) || "-") || Suffix */
    CU_ASSERT_EQUAL(name->args[0]->kind, WM_E_BINARY);
    CU_ASSERT_EQUAL(name->args[0]->args[0]->func, WM_FN_UPPER);
    CU_ASSERT_TRUE(name->args[0]->args[0]->args[0]->args[0]->is_quoted);
    /* precedence: ((Lat * 1000) / 1000) + (-1) */
    const wm_expr *lat = w->fields[2].expr;
    CU_ASSERT_EQUAL(lat->op, WM_OP_ADD);
    CU_ASSERT_EQUAL(lat->args[0]->op, WM_OP_DIV);
    CU_ASSERT_EQUAL(lat->args[0]->args[0]->op, WM_OP_MUL);
    CU_ASSERT_EQUAL(lat->args[1]->kind, WM_E_NEG);
    const wm_value_map *vm = w->fields[3].value_map;
    CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
    CU_ASSERT_EQUAL(vm->n_entries, 3);
    CU_ASSERT_STRING_EQUAL(vm->entries[1].from.text, "Shut-In");
    CU_ASSERT_STRING_EQUAL(vm->entries[1].to.text, "INACTIVE");
    CU_ASSERT_EQUAL(vm->otherwise, WM_ELSE_REJECT);
    CU_ASSERT_EQUAL(w->fields[4].expr->type.kind, WM_T_DATE);
    const wm_mapping *p = &t->mappings[1];
    CU_ASSERT_EQUAL(p->incremental.kind, WM_INC_WINDOW);
    CU_ASSERT_EQUAL(p->incremental.window_seconds, 90 * 86400);
    CU_ASSERT_EQUAL(p->on_error, WM_ON_ERROR_REJECT);
    CU_ASSERT_FALSE(p->deletes_soft);
    CU_ASSERT_EQUAL(p->fields[4].value_map->otherwise, WM_ELSE_KEEP);
    wm_arena_free(a);
}

static void test_adapter_tenant(void)
{
    wm_frontend f;
    wm_arena *a;
    wm_model *m = check(
        "tenant po {\n"
        "  strategy adapter\n"
        "  database mysql dsn env PO\n"
        "  map Well to `Well Master` {\n"
        "    id <-> WellID\n"
        "    name <-> WellName\n"
        "    status <-> Status map { \"A\" <-> ACTIVE, \"I\" <-> INACTIVE, \"P\" <-> PLUGGED }\n"
        "    lease <- upper(Lease)\n"
        "  }\n"
        "}\n",
        &f, &a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const wm_tenant *t = m->tenants[0];
    CU_ASSERT_EQUAL(t->strategy, WM_STRATEGY_ADAPTER);
    CU_ASSERT_EQUAL(t->database.dialect, WM_DIALECT_MYSQL);
    const wm_mapping *w = &t->mappings[0];
    CU_ASSERT_STRING_EQUAL(w->table.parts[0], "Well Master");
    CU_ASSERT_TRUE(w->table.is_quoted[0]);
    CU_ASSERT_EQUAL_FATAL(w->n_fields, 4);
    CU_ASSERT_TRUE(w->fields[0].is_writable);
    CU_ASSERT_TRUE(w->fields[2].is_writable);
    CU_ASSERT_TRUE(w->fields[2].value_map->entries[0].is_two_way);
    CU_ASSERT_FALSE(w->fields[3].is_writable);
    wm_arena_free(a);
}

static void test_native_tenant_and_keywords_as_names(void)
{
    wm_frontend f;
    wm_arena *a;
    /* `source`, `target`, `error`, `window` and type words name fields */
    wm_model *m = test_check_buffer(
        "entity Alert table alerts {\n"
        "  id uuid key\n"
        "  source text\n"
        "  target text\n"
        "  error text\n"
        "  window int\n"
        "  date date\n"
        "}\n"
        "tenant n { strategy native database postgres dsn env N }\n",
        &f, &a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->entities[0]->n_fields, 6);
    CU_ASSERT_STRING_EQUAL(m->entities[0]->fields[5]->name, "date");
    CU_ASSERT_EQUAL(m->tenants[0]->strategy, WM_STRATEGY_NATIVE);
    CU_ASSERT_EQUAL(m->tenants[0]->n_mappings, 0);
    wm_arena_free(a);
}

/* Error recovery: one run reports each independent mistake once. */
static void test_recovery_reports_every_error(void)
{
    wm_frontend f;
    wm_arena *a;
    wm_model *m = test_check_buffer(
        "entity A {\n"
        "  id uuid key\n"
        "  name text( 12\n"            /* 3: missing ')' */
        "  size int\n"
        "}\n"
        "entity B {\n"
        "  id uuid key key2\n"          /* 7: stray word */
        "}\n"
        "tenant t {\n"
        "  strategy etl etl\n"         /* 10 */
        "}\n",
        &f, &a);
    CU_ASSERT_PTR_NULL(m);
    wm_diags_sort(&f.diags);
    size_t lines_seen = 0;
    uint32_t last = 0;
    for (size_t i = 0; i < wm_diags_count(&f.diags); i++) {
        uint32_t line = wm_diag_loc(wm_diags_at(&f.diags, i)).line;
        if (line != last)
            lines_seen++;
        last = line;
    }
    CU_ASSERT(lines_seen >= 3);
    CU_ASSERT(f.diags.errors <= 5); /* no cascade */
    wm_arena_free(a);
}

int register_parser_tests(void)
{
    CU_pSuite s = CU_add_suite("parser", NULL, NULL);
    if (!s)
        return -1;
    return !CU_add_test(s, "entities, types, modifiers, filters, order", test_entities)
           || !CU_add_test(s, "etl tenant: sync, incremental, transforms", test_etl_tenant)
           || !CU_add_test(s, "adapter tenant: two-way maps", test_adapter_tenant)
           || !CU_add_test(s, "native tenant; keywords as names", test_native_tenant_and_keywords_as_names)
           || !CU_add_test(s, "recovery reports every error", test_recovery_reports_every_error);
}
