/* sync_sql.h - the statements of a sync agent, per entity: the extract in
 * the source's dialect, and on the target (PostgreSQL) the stage, the
 * checks of staged rows, the upsert, the deletes, the comparison and the
 * initial load.  sync_sql.c builds them; emit_sync.c writes them, with
 * the transforms, into the agent's C file, and `wellosc plan` prints them. */
#ifndef WM_SYNC_SQL_H
#define WM_SYNC_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "emit.h"

typedef struct wm_sync_columns {
    const wm_expr **refs;       /* one column reference per distinct column */
    size_t n;
} wm_sync_columns;

int wm_sync_column_index(const wm_sync_columns *c, const wm_expr *col);

/* One sync block being generated. */
typedef struct wm_sync_gen {
    const wm_emit_ctx *cx;
    wm_printer *p;
    wm_arena *a;
    const wm_tenant *t;
    const wm_mapping *m;
    const char *base;           /* well */
    const wm_field_map **staged; /* fields the transform fills, in order */
    size_t n_staged;
    wm_sync_columns src;        /* the extract's columns */
    wm_sync_columns keys;       /* extract_keys' columns */
    int temps;
} wm_sync_gen;

/* A compared table's row stamp (runtime/wr_diff.c): the hash of the values
 * the agent wrote, and the transaction that wrote them.  A row whose xmin
 * is no longer WM_SYNC_STAMP_XID has been written by someone else since. */
#define WM_SYNC_STAMP_HASH "wellos_sync_hash"
#define WM_SYNC_STAMP_XID "wellos_sync_xid"

/* A row rejected again (a window re-read, a full sync) is counted, not
 * stored twice: the rejects table has a unique index on this. */
#define WM_SYNC_REJECT_ONCE \
    "ON CONFLICT (tenant, entity, md5(coalesce(source_key, '') || ' ' || reason || ' ' || raw::text)) " \
    "DO UPDATE SET last_seen_at = now(), times_seen = wellos_sync_rejects.times_seen + 1"

typedef struct wm_sync_sql {
    const char *extract, *extract_keys;
    int n_placeholders;         /* of extract: 0, 1, or 2 (mysql repeats the bound) */
    const char *param_decl;     /* sqlserver */
    const char *stage, *stage_create, *stage_truncate, *stage_copy, *upsert;
    const char **checks;        /* staged rows the target's constraints would refuse -> rejects */
    size_t n_checks;
    const char *keys, *keys_create, *keys_truncate, *keys_copy, *mark_deleted;
    const char *diff_scan, *diff_since;    /* the comparison with the target; NULL: none */
    const char *bulk_lock, *bulk_probe, *bulk_copy;   /* an initial load into an empty table */
    const char **bulk_prepare, **bulk_finish;
    size_t n_bulk_prepare, n_bulk_finish;
} wm_sync_sql;

wm_sync_sql wm_sync_build_sql(wm_sync_gen *g, wm_diags *diags);

/* The key's source column when the key maps straight from one; NULL if not. */
const wm_expr *wm_sync_plain_key_column(const wm_mapping *m);
/* The watermark's index among the extract's columns; -1: none. */
int wm_sync_watermark_column(const wm_sync_gen *g);
const char *wm_sync_key_order(const wm_type *t);
/* Does the target table carry the row stamp (wellos_sync_hash, _xid)? */
bool wm_sync_is_stamped(const wm_mapping *m);

#endif
