/* store.h - where an entity's rows live for one tenant: the canonical
 * table (native and etl tenants) or the client's own table (adapter
 * tenants), column by column.  Repository emitters and DDL read this, so
 * "canonical or mapped" is decided in one place. */
#ifndef WM_STORE_H
#define WM_STORE_H

#include "arena.h"
#include "model.h"

typedef struct wm_store_col {
    const wm_field *field;
    bool is_mapped;             /* false: the tenant does not map this field */
    const char *column;         /* a plain column; NULL for a transform or unmapped */
    const wm_expr *read_expr;   /* a read-only transform (computed in SQL); or NULL */
    const wm_value_map *map;    /* values translated in C, both ways when writable */
    bool is_writable;
} wm_store_col;

typedef struct wm_store {
    const wm_entity *entity;
    const wm_tenant *tenant;
    wm_dialect dialect;
    wm_table_name table;
    bool is_adapter;
    wm_store_col *cols;         /* one per entity field, in field order */
    size_t n_cols;
    const wm_store_col *key;    /* always mapped and writable */
    const wm_store_col *soft_delete;  /* NULL: deletes are hard */
    const wm_store_col *auto_updated; /* NULL when absent or unmapped */
} wm_store;

/* The canonical tables, in PostgreSQL (or another dialect, for DDL). */
wm_store *wm_store_canonical(wm_arena *a, const wm_entity *e, wm_dialect d);
/* The store of entity e for tenant t; NULL if an adapter tenant does not
 * map e. */
wm_store *wm_store_for(wm_arena *a, const wm_tenant *t, const wm_entity *e);

#endif
