/* arena.c - bump allocator in chained blocks. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK_SIZE = 64 * 1024 };

struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
};

struct wm_arena {
    struct block *head;
    size_t reserved;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("wellosc: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

wm_arena *wm_arena_new(void)
{
    wm_arena *a = xmalloc(sizeof *a);
    a->head = NULL;
    a->reserved = 0;
    return a;
}

void wm_arena_free(wm_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *wm_arena_alloc(wm_arena *a, size_t size)
{
    size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    struct block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        b = xmalloc(sizeof *b + cap);
        b->size = cap;
        b->used = 0;
        /* A large one-off allocation goes behind the head so the head's
         * free space stays usable. */
        if (a->head && cap > BLOCK_SIZE) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
        a->reserved += cap;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *wm_arena_strndup(wm_arena *a, const char *s, size_t len)
{
    char *p = wm_arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *wm_arena_strdup(wm_arena *a, const char *s)
{
    return wm_arena_strndup(a, s, strlen(s));
}

char *wm_arena_printf(wm_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = wm_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t wm_arena_bytes(const wm_arena *a)
{
    return a->reserved;
}

void wm_ptrvec_push(wm_arena *a, wm_ptrvec *v, void *item)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **items = wm_arena_alloc(a, cap * sizeof *items);
        if (v->len)
            memcpy(items, v->items, v->len * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->len++] = item;
}
