/* wr_arena.c - memory by lifetime: a bump allocator over a chain of blocks.
 * A batch allocates its rows' text here and wr_arena_reset() drops it all
 * at once, keeping the first block so that the next batch of the same size
 * allocates nothing from the system: memory stays flat by construction.
 *
 * Must never: free single allocations (there is no such call), hand out
 * memory that is not aligned for any type, or overflow a size computation
 * (a request too large is NULL, like malloc). */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wr_internal.h"

enum { BLOCK_SIZE = 64 * 1024 };

typedef struct block {
    struct block *prev;   /* the block filled before this one */
    size_t size;          /* bytes in data[] */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} block;

struct wr_arena {
    block *current;       /* allocations come from here */
    block *first;         /* kept by wr_arena_reset */
};

static block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(block))
        return NULL;
    block *b = malloc(sizeof(block) + size);
    if (!b)
        return NULL;
    b->prev = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

wr_arena *wr_arena_new(void)
{
    wr_arena *a = malloc(sizeof *a);
    if (!a)
        return NULL;
    a->first = a->current = block_new(BLOCK_SIZE);
    if (!a->first) {
        free(a);
        return NULL;
    }
    return a;
}

/* Frees every block after the first. */
static void free_later_blocks(wr_arena *a)
{
    block *b = a->current;
    while (b != a->first) {
        block *prev = b->prev;
        free(b);
        b = prev;
    }
    a->current = a->first;
}

void wr_arena_reset(wr_arena *a)
{
    if (!a)
        return;
    free_later_blocks(a);
    a->first->used = 0;
}

void wr_arena_free(wr_arena *a)
{
    if (!a)
        return;
    free_later_blocks(a);
    free(a->first);
    free(a);
}

static size_t align_up(size_t n)
{
    const size_t align = alignof(max_align_t);
    return (n + align - 1) & ~(align - 1);
}

void *wr_arena_alloc(wr_arena *a, size_t size)
{
    if (!a || size > SIZE_MAX / 2)
        return NULL;
    size_t need = align_up(size ? size : 1);
    block *b = a->current;
    if (b->size - b->used < need) {
        b = block_new(need > BLOCK_SIZE ? need : BLOCK_SIZE);
        if (!b)
            return NULL;
        b->prev = a->current;
        a->current = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

/* Like POSIX strndup: copies at most len bytes, stopping at a NUL. */
char *wr_arena_strndup(wr_arena *a, const char *s, size_t len)
{
    if (!s)
        return NULL;
    len = strnlen(s, len);
    if (len == SIZE_MAX)
        return NULL;
    char *p = wr_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
