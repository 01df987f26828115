/* symtab.h - string-keyed hash table (open addressing) for entity, tenant
 * and field names: lookups stay O(1) on specs with thousands of entities. */
#ifndef WM_SYMTAB_H
#define WM_SYMTAB_H

#include <stddef.h>

#include "arena.h"

typedef struct wm_symtab {
    const char **keys;
    void **values;
    size_t cap, len;
} wm_symtab;

void *wm_symtab_get(const wm_symtab *t, const char *key);
/* Adds key; returns the existing value instead when key is present. */
void *wm_symtab_put(wm_arena *a, wm_symtab *t, const char *key, void *value);

#endif
