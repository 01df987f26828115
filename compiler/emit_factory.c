/* emit_factory.c - repos.h and repos.c: the repository factory of the
 * design.  Given a tenant's name it connects to the tenant's database (the
 * type from the spec, the DSN from the environment at run time) and opens
 * the implementation generated for that tenant; an unknown tenant or an
 * unsupported database type is a clear error. */
#include "ctypes.h"
#include "emit.h"
#include "names.h"

static const char *dialect_const(wm_dialect d)
{
    static const char *const names[] = { "WR_POSTGRES", "WR_MYSQL", "WR_SQLSERVER", "WR_ORACLE" };
    return names[d];
}

/* Where the tenant's repositories read and write. */
static const wm_conn *tenant_conn(const wm_tenant *t)
{
    return t->strategy == WM_STRATEGY_ETL ? &t->target : &t->database;
}

/* Is there a C implementation of entity e for tenant t? */
bool wm_factory_has_impl(const wm_tenant *t, const wm_entity *e)
{
    if (tenant_conn(t)->dialect == WM_DIALECT_ORACLE)
        return false;
    if (t->strategy != WM_STRATEGY_ADAPTER)
        return true;
    for (size_t i = 0; i < t->n_mappings; i++)
        if (t->mappings[i].entity == e)
            return true;
    return false;
}

void wm_emit_factory_h(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *unused)
{
    (void)unused;
    wm_arena *a = cx->arena;
    const wm_model *m = cx->model;
    wm_emit_banner(cx, p, "/* ", " */");
    /* wr.h for wr_conn and wr_err, which it uses even with no entity */
    wm_print(p, "#ifndef WOS_REPOS_H\n#define WOS_REPOS_H\n\n#include \"wr.h\"\n\n", NULL);
    for (size_t i = 0; i < m->n_entities; i++)
        wm_print(p, "#include \"$b$.h\"\n", "b", wm_entity_cnames(a, m->entities[i]).base, NULL);
    wm_print(p, "\n/* Every repository of one tenant, on one connection; NULL where the tenant\n"
                " * does not map the entity. */\ntypedef struct wos_repos {\n"
                "    const char *tenant;\n    wr_conn *conn;\n", NULL);
    for (size_t i = 0; i < m->n_entities; i++) {
        wm_cnames n = wm_entity_cnames(a, m->entities[i]);
        wm_print(p, "    $t$_repo *$b$;\n", "t", n.type, "b", n.base, NULL);
    }
    wm_print(p, "} wos_repos;\n\n"
                "/* The factory: connects to the tenant's database, whose type the spec gives\n"
                " * and whose DSN is read now from the environment variable the spec names,\n"
                " * and opens the implementations for that type.  A native or etl tenant's\n"
                " * repositories then use the database only if it is marked as the tenant's\n"
                " * (table wellos_tenant; checked before their first statement on a session):\n"
                " * otherwise each call fails with WR_ETENANT.  An adapter's are not checked. */\n"
                "int wos_repos_open(wos_repos **out, const char *tenant, wr_err *err);\n"
                "/* The same with a DSN given by the caller. */\n"
                "int wos_repos_open_dsn(wos_repos **out, const char *tenant, const char *dsn, wr_err *err);\n"
                "void wos_repos_close(wos_repos *r);\n\n"
                "/* The implementations, by tenant. */\n", NULL);
    for (size_t t = 0; t < m->n_tenants; t++) {
        const wm_tenant *tn = m->tenants[t];
        for (size_t i = 0; i < m->n_entities; i++) {
            if (!wm_factory_has_impl(tn, m->entities[i]))
                continue;
            wm_cnames n = wm_entity_cnames(a, m->entities[i]);
            wm_print(p, "int wos_$tn$_$b$_repo_new($t$_repo **out, wr_conn *conn, wr_err *err);\n", "tn", tn->name,
                     "b", n.base, "t", n.type, NULL);
        }
    }
    wm_print(p, "\n#endif\n", NULL);
}

/* The drivers this spec's tenants connect with: referencing them is what
 * links them (and only them) into the program. */
static const char *link_drivers(wm_arena *a, const wm_model *m)
{
    static const char *const uses[] = { "wr_use_postgres", "wr_use_mysql", "wr_use_sqlserver", NULL };
    bool is_used[4] = { false };
    for (size_t i = 0; i < m->n_tenants; i++)
        is_used[tenant_conn(m->tenants[i])->dialect] = true;
    const char *body = "";
    for (int d = 0; d < 3; d++)
        if (is_used[d])
            body = wm_arena_printf(a, "%s    %s();\n", body, uses[d]);
    return wm_arena_printf(a, "static void link_drivers(void)\n{\n%s}\n\n", body[0] ? body : "    /* no tenant */\n");
}

static const char *known_tenants(wm_arena *a, const wm_model *m)
{
    if (!m->n_tenants)
        return "none";
    const char *s = "";
    for (size_t i = 0; i < m->n_tenants; i++)
        s = wm_arena_printf(a, "%s%s%s", s, i ? ", " : "", m->tenants[i]->name);
    return s;
}

void wm_emit_factory_c(const wm_emit_ctx *cx, wm_printer *p, const wm_tenant *unused)
{
    (void)unused;
    wm_arena *a = cx->arena;
    const wm_model *m = cx->model;
    wm_emit_banner(cx, p, "/* ", " */");
    wm_print(p, "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n#include \"repos.h\"\n\n"
                "typedef struct tenant_info {\n"
                "    const char *name;\n"
                "    wr_dialect dialect;\n"
                "    const char *dsn_env;\n", NULL);
    for (size_t i = 0; i < m->n_entities; i++) {
        wm_cnames n = wm_entity_cnames(a, m->entities[i]);
        wm_print(p, "    int (*open_$b$)($t$_repo **out, wr_conn *conn, wr_err *err);\n", "b", n.base, "t", n.type, NULL);
    }
    wm_print(p, "} tenant_info;\n\nstatic const tenant_info tenants[] = {\n", NULL);
    for (size_t t = 0; t < m->n_tenants; t++) {
        const wm_tenant *tn = m->tenants[t];
        const wm_conn *c = tenant_conn(tn);
        wm_print(p, "    { $n$, $d$, $env$,", "n", wm_c_string(a, tn->name), "d", dialect_const(c->dialect),
                 "env", wm_c_string(a, c->dsn_env ? c->dsn_env : ""), NULL);
        for (size_t i = 0; i < m->n_entities; i++) {
            if (wm_factory_has_impl(tn, m->entities[i]))
                wm_print(p, "\n      wos_$tn$_$b$_repo_new,", "tn", tn->name,
                         "b", wm_entity_cnames(a, m->entities[i]).base, NULL);
            else
                wm_print(p, "\n      NULL,", NULL);
        }
        wm_print(p, " },\n", NULL);
    }
    if (m->n_tenants == 0)
        wm_print(p, "    { .name = NULL }, /* this spec has no tenant */\n", NULL);
    wm_print(p, "};\n\n"
                "$link$"
                "static const tenant_info *find_tenant(const char *name, wr_err *err)\n{\n"
                "    for (size_t i = 0; i < sizeof tenants / sizeof *tenants; i++)\n"
                "        if (tenants[i].name && strcmp(tenants[i].name, name) == 0)\n"
                "            return &tenants[i];\n"
                "    wr_error(err, WR_ECONFIG, \"unknown tenant '%s': this build knows $known$\", name);\n"
                "    return NULL;\n"
                "}\n\n"
                "void wos_repos_close(wos_repos *r)\n{\n"
                "    if (!r)\n        return;\n", "known", known_tenants(a, m), "link", link_drivers(a, m), NULL);
    for (size_t i = 0; i < m->n_entities; i++)
        wm_print(p, "    if (r->$b$)\n        r->$b$->close(r->$b$);\n", "b", wm_entity_cnames(a, m->entities[i]).base, NULL);
    wm_print(p, "    wr_conn_close(r->conn);\n    free(r);\n}\n\n"
                "static int open_all(wos_repos **out, const tenant_info *t, wr_conn *conn, wr_err *err)\n{\n"
                "    wos_repos *r = calloc(1, sizeof *r);\n"
                "    if (!r) {\n"
                "        wr_conn_close(conn);\n"
                "        return wr_error(err, WR_ENOMEM, \"tenant %s: out of memory\", t->name);\n"
                "    }\n"
                "    r->tenant = t->name;\n"
                "    r->conn = conn;\n", NULL);
    for (size_t i = 0; i < m->n_entities; i++)
        wm_print(p, "    if (t->open_$b$ && t->open_$b$(&r->$b$, conn, err) < 0) {\n"
                    "        wos_repos_close(r);\n"
                    "        return err ? err->code : WR_ERROR;\n"
                    "    }\n", "b", wm_entity_cnames(a, m->entities[i]).base, NULL);
    wm_print(p, "    *out = r;\n    return 0;\n}\n\n"
                "int wos_repos_open(wos_repos **out, const char *tenant, wr_err *err)\n{\n"
                "    *out = NULL;\n"
                "    link_drivers();\n"
                "    const tenant_info *t = find_tenant(tenant, err);\n"
                "    if (!t)\n        return WR_ECONFIG;\n"
                "    wr_conn *conn;\n"
                "    char who[128];\n"
                "    snprintf(who, sizeof who, \"tenant %s\", t->name);\n"
                "    int rc = wr_connect_env(&conn, t->dialect, t->dsn_env, who, err);\n"
                "    return rc < 0 ? rc : open_all(out, t, conn, err);\n"
                "}\n\n"
                "int wos_repos_open_dsn(wos_repos **out, const char *tenant, const char *dsn, wr_err *err)\n{\n"
                "    *out = NULL;\n"
                "    link_drivers();\n"
                "    const tenant_info *t = find_tenant(tenant, err);\n"
                "    if (!t)\n        return WR_ECONFIG;\n"
                "    wr_conn *conn;\n"
                "    char who[128];\n"
                "    snprintf(who, sizeof who, \"tenant %s\", t->name);\n"
                "    int rc = wr_connect(&conn, t->dialect, dsn, who, err);\n"
                "    return rc < 0 ? rc : open_all(out, t, conn, err);\n"
                "}\n", NULL);
}
