/* diag.h - diagnostics: collected during a run, sorted by position and
 * printed once in gcc's form.  Checks never print; they call wm_error(). */
#ifndef WM_DIAG_H
#define WM_DIAG_H

#include <stdio.h>

#include "arena.h"
#include "source.h"

typedef enum { WM_ERROR, WM_WARNING, WM_NOTE } wm_severity;

typedef struct wm_diag wm_diag;

typedef struct wm_diags {
    wm_arena *arena;
    wm_ptrvec list;
    int errors, warnings;
} wm_diags;

void wm_diags_init(wm_diags *d, wm_arena *a);

wm_diag *wm_error(wm_diags *d, wm_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
wm_diag *wm_warning(wm_diags *d, wm_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A located note printed after its diagnostic ("previous definition here"). */
void wm_note(wm_diag *dg, wm_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An unlocated hint printed under the caret ("= hint: ..."); NULL-safe. */
void wm_hint(wm_diag *dg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sort by file, line and column; print each with its source line and caret.
 * Stops after max_errors errors (0: no limit). */
void wm_diags_print(wm_diags *d, FILE *out, int max_errors);

/* Accessors, for tests. */
size_t wm_diags_count(const wm_diags *d);
const wm_diag *wm_diags_at(const wm_diags *d, size_t i); /* after sorting */
void wm_diags_sort(wm_diags *d);
wm_severity wm_diag_severity(const wm_diag *dg);
wm_loc wm_diag_loc(const wm_diag *dg);
const char *wm_diag_message(const wm_diag *dg);

/* "did you mean": the closest of names to word by edit distance, or NULL. */
const char *wm_closest(const char *word, const char *const *names, size_t n);

#endif
