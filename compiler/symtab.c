/* symtab.c - FNV-1a hashing, linear probing, grown at half load. */
#include "symtab.h"

#include <stdint.h>
#include <string.h>

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

void *wm_symtab_get(const wm_symtab *t, const char *key)
{
    if (!t->cap)
        return NULL;
    for (size_t i = hash(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (!t->keys[i])
            return NULL;
        if (strcmp(t->keys[i], key) == 0)
            return t->values[i];
    }
}

static void grow(wm_arena *a, wm_symtab *t)
{
    wm_symtab bigger = { 0 };
    bigger.cap = t->cap ? t->cap * 2 : 16;
    bigger.keys = wm_arena_alloc(a, bigger.cap * sizeof *bigger.keys);
    bigger.values = wm_arena_alloc(a, bigger.cap * sizeof *bigger.values);
    for (size_t i = 0; i < t->cap; i++)
        if (t->keys[i])
            wm_symtab_put(a, &bigger, t->keys[i], t->values[i]);
    *t = bigger;
}

void *wm_symtab_put(wm_arena *a, wm_symtab *t, const char *key, void *value)
{
    if (2 * (t->len + 1) > t->cap)
        grow(a, t);
    size_t i = hash(key) & (t->cap - 1);
    for (; t->keys[i]; i = (i + 1) & (t->cap - 1))
        if (strcmp(t->keys[i], key) == 0)
            return t->values[i];
    t->keys[i] = key;
    t->values[i] = value;
    t->len++;
    return NULL;
}
