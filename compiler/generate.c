/* generate.c - every file `wellosc gen` writes, from one model.  Apart
 * from the command so that the fuzz target (tests/fuzz) runs exactly the
 * back ends `gen` runs. */
#include "ctypes.h"
#include "emit.h"
#include "generate.h"
#include "sql_build.h"

bool wm_generate(const wm_emit_ctx *cx, wm_diags *diags, wm_open_output open, void *ctx)
{
    wm_arena *a = cx->arena;
    const wm_model *m = cx->model;
    for (size_t i = 0; i < m->n_entities; i++) {
        wm_cnames n = wm_entity_cnames(a, m->entities[i]);
        wm_emit_entity_h(cx, open(ctx, wm_arena_printf(a, "%s.h", n.base)), m->entities[i]);
        wm_emit_entity_c(cx, open(ctx, wm_arena_printf(a, "%s.c", n.base)), m->entities[i]);
    }
    wm_emit_factory_h(cx, open(ctx, "repos.h"), NULL);
    wm_emit_factory_c(cx, open(ctx, "repos.c"), NULL);
    static const wm_dialect dialects[] = { WM_DIALECT_POSTGRES, WM_DIALECT_MYSQL, WM_DIALECT_SQLSERVER, WM_DIALECT_ORACLE };
    for (size_t d = 0; d < 4; d++)
        wm_emit_ddl_file(cx, open(ctx, wm_arena_printf(a, "ddl_%s.sql", wm_dialect_name(dialects[d]))), dialects[d]);

    bool ok = true;
    for (size_t t = 0; t < m->n_tenants; t++) {
        const wm_tenant *tn = m->tenants[t];
        if (tn->strategy == WM_STRATEGY_ADAPTER)
            wm_emit_adapter_ddl(cx, open(ctx, wm_arena_printf(a, "%s_schema.sql", tn->name)), tn);
        if (tn->strategy == WM_STRATEGY_ETL) {
            wm_emit_sync(cx, open(ctx, wm_arena_printf(a, "%s_sync.c", tn->name)), tn, wm_spec_hash(a, m));
            wm_emit_plan(cx, open(ctx, wm_arena_printf(a, "%s_plan.sql", tn->name)), tn);
            if (tn->source.dialect == WM_DIALECT_SQLSERVER || tn->source.dialect == WM_DIALECT_ORACLE)
                wm_emit_extracts(cx, open(ctx, wm_arena_printf(a, "%s_extract.%s.sql", tn->name,
                                                               wm_dialect_name(tn->source.dialect))), tn);
            if (tn->source.dialect != WM_DIALECT_ORACLE) {   /* no agent is built for Oracle */
                wm_emit_systemd_service(cx, open(ctx, wm_arena_printf(a, "wellos-sync-%s.service", tn->name)), tn);
                wm_emit_systemd_timer(cx, open(ctx, wm_arena_printf(a, "wellos-sync-%s.timer", tn->name)), tn);
                wm_emit_kubernetes(cx, open(ctx, wm_arena_printf(a, "%s_kubernetes.yaml", tn->name)), tn,
                                   wm_spec_hash(a, m));
            }
        }
        for (size_t i = 0; i < m->n_entities; i++) {
            const wm_entity *e = m->entities[i];
            wm_store *s = wm_store_for(a, tn, e);
            if (!s)
                continue;
            const wm_sql_ops *ops = wm_sql_build(a, diags, s);
            if (!ops) {
                ok = false;
                continue;
            }
            wm_cnames n = wm_entity_cnames(a, e);
            if (wm_factory_has_impl(tn, e))
                wm_emit_repo(cx, open(ctx, wm_arena_printf(a, "%s_%s.c", tn->name, n.base)), s, ops);
            /* statements as plain SQL where no server runs here: reviewed
             * and syntax-checked (tests/sqlcheck) */
            if (s->dialect == WM_DIALECT_SQLSERVER || s->dialect == WM_DIALECT_ORACLE)
                wm_emit_statements_sql(cx, open(ctx, wm_arena_printf(a, "%s_%s.%s.sql", tn->name, n.base,
                                                                     wm_dialect_name(s->dialect))), s, ops);
        }
    }
    return ok;
}
