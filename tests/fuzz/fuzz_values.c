/* fuzz_values.c - libFuzzer target: a sync agent's value path on arbitrary
 * client data.  The first bytes choose a transform into a field's type
 * (and its precision, scale or length); the rest is the value, as the
 * source would hand it over.  A value the transform accepts then goes the
 * way the agent sends it: the binary COPY encoder, into a buffer of exactly
 * the size wr_copy_binary_size promised (ASan sees any byte past it), and
 * the row hash.  Aborts when a promise is broken:
 *   - a transform fails exactly when it returns NULL for a value;
 *   - what it accepts is canonical: the same transform gives it back as is;
 *   - the binary COPY takes every value a transform accepts (otherwise an
 *     initial load falls back to the slow batches), in no more bytes than
 *     promised.
 *
 *   make fuzz-values [FUZZ_SECONDS=600]      (tests/fuzz/fuzz.mk)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_agent_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *promise, int kind, const char *in, const char *out)
{
    fprintf(stderr, "fuzz_values: broken promise: %s (transform %d, value '%s', result '%s')\n", promise, kind, in,
            out ? out : "(null)");
    abort();
}

/* A field type: its transform and the wire type the bulk load sends it as. */
typedef struct {
    const char *(*apply)(wr_xf *x, const char *v, unsigned a, unsigned b);
    wr_wire wire;
} field_type;

static const char *as_text(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)b;
    return wr_xf_to_text(x, v, a % 3 ? a : 0);
}
static const char *as_uuid(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_uuid(x, v);
}
static const char *as_int32(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_int(x, v, 32);
}
static const char *as_int64(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_int(x, v, 64);
}
static const char *as_float(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_float(x, v);
}
/* decimal(p, s) as the spec allows it: 1 <= p <= 1000, 0 <= s <= p */
static const char *as_decimal(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    unsigned p = 1 + a % 40 + (b & 0x80 ? 960 : 0);
    return wr_xf_to_decimal(x, v, p, (b & 0x3f) % (p + 1), b & 0x40);
}
static const char *as_bool(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_bool(x, v);
}
static const char *as_date(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_date(x, v);
}
static const char *as_timestamp(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_timestamp(x, v);
}
static const char *as_json(wr_xf *x, const char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_to_json(x, v);
}

static const field_type types[] = {
    { as_text, WR_WIRE_TEXT },   { as_uuid, WR_WIRE_UUID },           { as_int32, WR_WIRE_INT4 },
    { as_int64, WR_WIRE_INT8 },  { as_float, WR_WIRE_FLOAT8 },        { as_decimal, WR_WIRE_NUMERIC },
    { as_bool, WR_WIRE_BOOL },   { as_date, WR_WIRE_DATE },           { as_timestamp, WR_WIRE_TIMESTAMPTZ },
    { as_json, WR_WIRE_JSONB },
};

static void xf_start(wr_xf *x, wr_arena *mem)
{
    x->mem = mem;
    x->field = "f";
    x->is_failed = false;
    x->reason[0] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int kind = data[0] % (int)(sizeof types / sizeof *types);
    unsigned a = data[1], b = data[2];
    char *v = malloc(size - 2);   /* the value ends at its first NUL, as C text does */
    if (!v)
        return 0;
    memcpy(v, data + 3, size - 3);
    v[size - 3] = '\0';

    wr_arena *mem = wr_arena_new();
    if (!mem) {
        free(v);
        return 0;
    }
    wr_xf x;
    xf_start(&x, mem);
    const char *out = types[kind].apply(&x, v, a, b);
    if (!out != x.is_failed)
        broken(x.is_failed ? "a failed transform returned a value" : "a transform returned NULL without failing",
               kind, v, out);
    if (out) {
        wr_xf again;
        xf_start(&again, mem);
        const char *twice = types[kind].apply(&again, out, a, b);
        if (!twice || strcmp(twice, out) != 0)
            broken("what a transform accepts, it gives back as is", kind, out, twice);

        size_t room = wr_copy_binary_size(types[kind].wire, out);
        uint8_t *wire = malloc(room ? room : 1);
        if (wire) {
            int n = wr_copy_binary_value(types[kind].wire, out, wire);
            if (n < 0)
                broken("the binary COPY refused a value a transform accepted", kind, v, out);
            if ((size_t)n > room)
                broken("the binary COPY wrote more bytes than it promised", kind, v, out);
            free(wire);
        }
        const char *row[] = { v, out, NULL };
        (void)wr_row_hash(row, 3);
    }
    wr_arena_free(mem);
    free(v);
    return 0;
}
