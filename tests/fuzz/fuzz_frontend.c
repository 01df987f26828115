/* fuzz_frontend.c - libFuzzer target: the whole front end (load, lex,
 * parse, analyze, print the diagnostics) on arbitrary bytes, and every back
 * end `wellosc gen` runs on each spec that analyzes.  Imports are refused
 * so that no input reaches the file system.  Besides the sanitizers, it
 * checks three promises and aborts when one is broken: a spec that does
 * not analyze has at least one error, so does one that analyzes but
 * cannot be generated, and every located diagnostic points at line >= 1,
 * column >= 1.
 *
 *   make fuzz FUZZ_SECONDS=600      (tests/fuzz/fuzz.mk)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "frontend.h"
#include "generate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* The generated files of one input, freed after it (as many as it has). */
typedef struct outputs {
    wm_printer **files;
    size_t n, cap;
} outputs;

static outputs out;

static wm_printer *open_output(void *ctx, const char *name)
{
    outputs *o = ctx;
    (void)name;
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        wm_printer **more = realloc(o->files, cap * sizeof *more);
        if (!more) {
            perror("fuzz_frontend");
            exit(2);
        }
        o->files = more;
        o->cap = cap;
    }
    return o->files[o->n++] = wm_printer_new();
}

static void broken(const char *promise)
{
    fprintf(stderr, "fuzz_frontend: broken promise: %s\n", promise);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        if (!devnull) {
            perror("fuzz_frontend: /dev/null");
            exit(2);
        }
    }
    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    wm_frontend_init(&f, arena);
    f.is_import_allowed = false;
    wm_load_buffer(&f, "fuzz.wmap", (const char *)data, size);
    wm_model *m = wm_analyze(&f);
    if (!m && f.diags.errors == 0)
        broken("wm_analyze returned NULL without an error");
    if (m) {
        wm_emit_ctx cx = { arena, m, "fuzz.wmap" };
        if (!wm_generate(&cx, &f.diags, open_output, &out) && f.diags.errors == 0)
            broken("wm_generate failed without an error");
        while (out.n)
            wm_printer_free(out.files[--out.n]);
    }
    wm_diags_print(&f.diags, devnull, 0);
    for (size_t i = 0; i < wm_diags_count(&f.diags); i++) {
        wm_loc loc = wm_diag_loc(wm_diags_at(&f.diags, i));
        if (loc.src && (loc.line < 1 || loc.col < 1))
            broken("a diagnostic is located at line 0 or column 0");
    }
    wm_arena_free(arena);
    return 0;
}
