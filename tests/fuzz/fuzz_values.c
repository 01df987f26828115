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
 * Other choices run a function of the spec's expressions first (trim,
 * upper, lower; parse_date and parse_timestamp with a fixed format or one
 * from the input; parse_number; arithmetic): what it returns must be what
 * its result type's transform accepts as is, and so go on the same way.
 * Seeds are in tests/fuzz/values-seeds/: the choice, two parameter bytes,
 * then the value.
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

/* The field types, in the order the first input byte chooses them, and
 * the wire type the bulk load sends each as. */
enum { T_TEXT, T_UUID, T_INT32, T_INT64, T_FLOAT, T_DECIMAL, T_BOOL, T_DATE, T_TIMESTAMP, T_JSON, N_TYPES };
static const wr_wire wire_of[N_TYPES] = {
    WR_WIRE_TEXT, WR_WIRE_UUID, WR_WIRE_INT4, WR_WIRE_INT8, WR_WIRE_FLOAT8, WR_WIRE_NUMERIC,
    WR_WIRE_BOOL, WR_WIRE_DATE, WR_WIRE_TIMESTAMPTZ, WR_WIRE_JSONB,
};

/* v into field type `type`; a and b choose text(n) and decimal(p, s) as the
 * spec allows them: 1 <= p <= 1000, 0 <= s <= p. */
static const char *to_type(int type, wr_xf *x, const char *v, unsigned a, unsigned b)
{
    unsigned p = 1 + a % 40 + (b & 0x80 ? 960 : 0);
    switch (type) {
    case T_TEXT: return wr_xf_to_text(x, v, a % 3 ? a : 0);
    case T_UUID: return wr_xf_to_uuid(x, v);
    case T_INT32: return wr_xf_to_int(x, v, 32);
    case T_INT64: return wr_xf_to_int(x, v, 64);
    case T_FLOAT: return wr_xf_to_float(x, v);
    case T_DECIMAL: return wr_xf_to_decimal(x, v, p, (b & 0x3f) % (p + 1), b & 0x40);
    case T_BOOL: return wr_xf_to_bool(x, v);
    case T_DATE: return wr_xf_to_date(x, v);
    case T_TIMESTAMP: return wr_xf_to_timestamp(x, v);
    default: return wr_xf_to_json(x, v);
    }
}

/* ---- functions of the spec's expressions, and the type of what they return */

static const char *const formats[] = { "%d/%m/%Y", "%m/%d/%Y", "%F", "%Y%m%d", "%e %b %Y", "%j/%y", "%Y-%m-%d %H:%M:%S",
                                       "%d.%m.%Y %I:%M %p", "%F %T%z", "%s" };
enum { N_FORMATS = sizeof formats / sizeof *formats };

/* The format (fixed, or the input's part after a byte 1) and the text. */
static const char *split_format(char *v, unsigned a, const char **text)
{
    char *sep = strchr(v, '\1');
    if (!sep) {
        *text = v;
        return formats[a % N_FORMATS];
    }
    *sep = '\0';
    *text = sep + 1;
    return v;
}

static const char *text_fn(wr_xf *x, char *v, unsigned a, unsigned b)
{
    (void)b;
    return a % 3 == 0 ? wr_xf_trim(x, v) : a % 3 == 1 ? wr_xf_upper(x, v) : wr_xf_lower(x, v);
}
static const char *date_fn(wr_xf *x, char *v, unsigned a, unsigned b)
{
    (void)b;
    const char *text, *format = split_format(v, a, &text);
    return wr_xf_parse_date(x, text, format);
}
static const char *timestamp_fn(wr_xf *x, char *v, unsigned a, unsigned b)
{
    (void)b;
    const char *text, *format = split_format(v, a, &text);
    return wr_xf_parse_timestamp(x, text, format);
}
static const char *number_fn(wr_xf *x, char *v, unsigned a, unsigned b)
{
    (void)a, (void)b;
    return wr_xf_parse_number(x, v);
}
/* two operands, split at the first byte 1 (else the value with itself) */
static const char *arith_fn(wr_xf *x, char *v, unsigned a, unsigned b)
{
    (void)b;
    char *sep = strchr(v, '\1');
    const char *right = v;
    if (sep) {
        *sep = '\0';
        right = sep + 1;
    }
    return a % 5 == 4 ? wr_xf_negate(x, v) : wr_xf_arith(x, "+-*/"[a % 5], v, right);
}

typedef struct {
    const char *(*apply)(wr_xf *x, char *v, unsigned a, unsigned b);
    int result;   /* the field type of what it returns; -1: plain decimal text */
} expr_fn;

static const expr_fn fns[] = {
    { text_fn, T_TEXT }, { date_fn, T_DATE }, { timestamp_fn, T_TIMESTAMP }, { number_fn, -1 }, { arith_fn, -1 },
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
    enum { N_FNS = sizeof fns / sizeof *fns };
    int kind = data[0] % (N_TYPES + N_FNS);
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
    const char *value = v;
    wr_xf x;
    xf_start(&x, mem);
    if (kind >= N_TYPES) {   /* an expression's function, then its result's type */
        const expr_fn *fn = &fns[kind - N_TYPES];
        wr_xf fx;
        xf_start(&fx, mem);
        char *original = wr_arena_strndup(mem, v, strlen(v));
        const char *got = fn->apply(&fx, v, a, b);
        if (!got != fx.is_failed)
            broken(fx.is_failed ? "a failed function returned a value" : "a function returned NULL without failing",
                   kind, original ? original : "", got);
        if (got && fn->result < 0) {
            if (!wr_is_decimal_text(got))
                broken("a number function returned what is not plain decimal text", kind, original, got);
            uint8_t *wire = malloc(wr_copy_binary_size(WR_WIRE_NUMERIC, got));
            if (wire && wr_copy_binary_value(WR_WIRE_NUMERIC, got, wire) < 0)
                broken("the binary COPY refused a number a function returned", kind, original, got);
            free(wire);
        }
        if (!got || fn->result < 0) {
            wr_arena_free(mem);
            free(v);
            return 0;
        }
        if (fn->apply == text_fn) {   /* valid UTF-8 in, valid UTF-8 out */
            wr_xf check;
            xf_start(&check, mem);
            if (!wr_xf_to_text(&check, original, 0)) {
                wr_arena_free(mem);
                free(v);
                return 0;
            }
        }
        kind = fn->result;
        a = b = 0;
        value = got;
    }
    const char *out = to_type(kind, &x, value, a, b);
    if (value != v && (!out || strcmp(out, value) != 0))
        broken("what a function returns is not its type's canonical text", kind, value, out);
    if (!out != x.is_failed)
        broken(x.is_failed ? "a failed transform returned a value" : "a transform returned NULL without failing",
               kind, value, out);
    if (out) {
        wr_xf again;
        xf_start(&again, mem);
        const char *twice = to_type(kind, &again, out, a, b);
        if (!twice || strcmp(twice, out) != 0)
            broken("what a transform accepts, it gives back as is", kind, out, twice);

        size_t room = wr_copy_binary_size(wire_of[kind], out);
        uint8_t *wire = malloc(room ? room : 1);
        if (wire) {
            int n = wr_copy_binary_value(wire_of[kind], out, wire);
            if (n < 0)
                broken("the binary COPY refused a value a transform accepted", kind, value, out);
            if ((size_t)n > room)
                broken("the binary COPY wrote more bytes than it promised", kind, value, out);
            free(wire);
        }
        const char *row[] = { value, out, NULL };
        (void)wr_row_hash(row, 3);
    }
    wr_arena_free(mem);
    free(v);
    return 0;
}
