/* fuzz_schema.c - libFuzzer target: schema snapshots (compiler/schema.c)
 * read and checked (compiler/schema_check.c) against the specs of
 * tests/cli/schema/ and two examples, an etl tenant on SQL Server and an
 * adapter on PostgreSQL.  Any input must end in a snapshot or in a message,
 * never in a crash, a leak or a sanitizer report.  Run from the repository
 * root (the specs are read from there). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "frontend.h"
#include "schema.h"

static wm_model *model;

/* The specs, once: the model outlives every input. */
static void load_specs(void)
{
    static wm_frontend f;
    wm_arena *a = wm_arena_new();
    wm_frontend_init(&f, a);
    wm_load_file(&f, "tests/cli/schema/fieldco.wmap");
    wm_load_file(&f, "examples/texas_energy.wmap");
    wm_load_file(&f, "examples/anadarko_pg.wmap");
    model = wm_analyze(&f);
    if (!model) {
        fputs("fuzz_schema: the specs do not load: run from the repository root\n", stderr);
        abort();
    }
}

/* wm_schema_load reads a file, as the command does: one per process. */
static char path[64];

static void remove_file(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model) {
        load_specs();
        snprintf(path, sizeof path, "/tmp/wellosc-fuzz-schema-%ld.json", (long)getpid());
        atexit(remove_file);
    }
    FILE *out = fopen(path, "wb");
    if (!out || fwrite(data, 1, size, out) != size || fclose(out) != 0)
        abort();
    wm_arena *a = wm_arena_new();
    char err[1200];
    wm_schema *s = wm_schema_load(a, path, err, sizeof err);
    if (s) {
        wm_diags d;
        wm_diags_init(&d, a);
        (void)wm_schema_check(s, model, a, &d);
    } else if (!err[0]) {
        abort();    /* refused without a word */
    }
    wm_arena_free(a);
    return 0;
}
