/* arena.h - one-run memory: everything the front end allocates lives until
 * the run ends and is freed at once.  Never use it for data that must be
 * released piecemeal. */
#ifndef WM_ARENA_H
#define WM_ARENA_H

#include <stddef.h>

typedef struct wm_arena wm_arena;

wm_arena *wm_arena_new(void);
void wm_arena_free(wm_arena *a);                /* NULL-safe */
void *wm_arena_alloc(wm_arena *a, size_t size); /* zeroed; aborts on OOM */
char *wm_arena_strndup(wm_arena *a, const char *s, size_t len);
char *wm_arena_strdup(wm_arena *a, const char *s);
char *wm_arena_printf(wm_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t wm_arena_bytes(const wm_arena *a);       /* bytes reserved, for stats */

/* A growable array of pointers backed by the arena (old storage is left to
 * the arena: fine for front-end sized data). */
typedef struct {
    void **items;
    size_t len, cap;
} wm_ptrvec;

void wm_ptrvec_push(wm_arena *a, wm_ptrvec *v, void *item);

#endif
