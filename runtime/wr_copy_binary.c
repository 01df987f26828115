/* wr_copy_binary.c - one value in PostgreSQL's binary COPY format.
 *
 * The initial load sends binary: the server then parses no text per value
 * (numeric_in, uuid_in and date_in are most of a text COPY's cost).  The
 * transforms already give each value in its type's canonical text, which
 * is what this file reads; anything else (an exponent, NaN for a numeric,
 * a date with a time) is refused, and the initial load then runs again in
 * batches, where the text path loads or rejects it exactly as before.
 *
 * Formats (PostgreSQL's *_send functions; every integer big-endian):
 *   int4, int8     the integer
 *   float8         the IEEE 754 bits
 *   numeric        int16 ndigits, weight, sign, dscale; ndigits int16
 *                  base-10000 digits, the first of weight 10000^weight
 *   uuid           16 bytes
 *   date           int32 days since 2000-01-01
 *   timestamptz    int64 microseconds since 2000-01-01 00:00:00 UTC
 *   bool           one byte, 0 or 1
 *   text, varchar  the UTF-8 bytes
 *   jsonb          the byte 1 (its version), then the JSON text */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wr_agent_internal.h"

enum {
    PG_EPOCH_DAYS = 10957,                      /* 2000-01-01 - 1970-01-01 */
    NUMERIC_POS = 0x0000,
    NUMERIC_NEG = 0x4000,
};
static const int64_t PG_EPOCH_MICROS = (int64_t)PG_EPOCH_DAYS * 86400 * 1000000;

uint8_t *wr_put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
    return p + bytes;
}

/* -?digits, the whole of s, from lo to hi. */
static bool parse_int(const char *s, long long lo, long long hi, long long *out)
{
    long long n;
    if (!wr_int_text_parse(s, &n) || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

/* The numeric being written: its base-10000 digits go straight after the
 * 8-byte header; leading zero digits are skipped (they only move the
 * weight), trailing ones cut at the end. */
typedef struct {
    uint8_t *digits;
    size_t written, ndigits;   /* ndigits: up to the last nonzero digit */
    int skipped;               /* leading zero digits not written */
} numeric_out;

static void put_numeric_digit(numeric_out *o, unsigned v)
{
    if (o->written == 0 && v == 0) {
        o->skipped++;
        return;
    }
    wr_put_be(o->digits + 2 * o->written++, v, 2);
    if (v != 0)
        o->ndigits = o->written;
}

/* -?digits(.digits)? into base-10000 digits; at most 131072 digits before
 * the point and 16383 after, PostgreSQL's own limits. */
static int numeric_bytes(const char *s, uint8_t *out)
{
    bool is_negative = *s == '-';
    const char *p = s + is_negative;
    const char *int_start = p;
    while (*p >= '0' && *p <= '9')
        p++;
    size_t int_len = (size_t)(p - int_start);
    const char *frac_start = p, *frac_end = p;
    if (*p == '.') {
        frac_start = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        frac_end = p;
        if (frac_end == frac_start)
            return -1;
    }
    size_t frac_len = (size_t)(frac_end - frac_start);
    if (*p || int_len + frac_len == 0 || int_len > 131072 || frac_len > 16383)
        return -1;
    while (int_len > 0 && *int_start == '0')   /* leading zeros carry nothing */
        int_start++, int_len--;
    numeric_out o = { .digits = out + 8 };
    /* the integer part in groups of four from the point leftwards (the
     * first group may be short), the fraction from the point rightwards
     * (the last padded with zeros) */
    size_t int_groups = (int_len + 3) / 4;
    const char *d = int_start;
    for (size_t n = int_len % 4 ? int_len % 4 : 4; d < int_start + int_len; n = 4) {
        unsigned v = 0;
        for (size_t k = 0; k < n; k++)
            v = v * 10 + (unsigned)(*d++ - '0');
        put_numeric_digit(&o, v);
    }
    for (d = frac_start; d < frac_end;) {
        unsigned v = 0;
        for (int k = 0; k < 4; k++)
            v = v * 10 + (d < frac_end ? (unsigned)(*d++ - '0') : 0);
        put_numeric_digit(&o, v);
    }
    int weight = (int)int_groups - 1 - o.skipped;
    uint8_t *h = out;
    h = wr_put_be(h, o.ndigits, 2);
    h = wr_put_be(h, (uint16_t)(int16_t)(o.ndigits ? weight : 0), 2);
    h = wr_put_be(h, o.ndigits && is_negative ? NUMERIC_NEG : NUMERIC_POS, 2);   /* no negative zero */
    h = wr_put_be(h, frac_len, 2);
    return (int)(h - out + 2 * (ptrdiff_t)o.ndigits);
}

size_t wr_copy_binary_size(wr_wire type, const char *v)
{
    switch (type) {
    case WR_WIRE_NUMERIC:
        return 8 + 2 * (strlen(v) / 4 + 3);   /* a group per 4 digits, plus padding */
    case WR_WIRE_JSONB:
        return 1 + strlen(v);
    case WR_WIRE_TEXT:
        return strlen(v);
    default:
        return 16;
    }
}

int wr_copy_binary_value(wr_wire type, const char *v, uint8_t *out)
{
    long long n;
    switch (type) {
    case WR_WIRE_INT4:
        if (!parse_int(v, INT32_MIN, INT32_MAX, &n))
            return -1;
        wr_put_be(out, (uint32_t)(int32_t)n, 4);
        return 4;
    case WR_WIRE_INT8:
        if (!parse_int(v, LLONG_MIN, LLONG_MAX, &n))
            return -1;
        wr_put_be(out, (uint64_t)n, 8);
        return 8;
    case WR_WIRE_FLOAT8: {
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        /* a subnormal sets ERANGE too, and PostgreSQL takes it (as the
         * transform does); "Infinity" reads without ERANGE.  Refused: only
         * a value too large or too small for a double */
        if (end == v || *end || (errno == ERANGE && (d == 0 || isinf(d))))
            return -1;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        wr_put_be(out, bits, 8);
        return 8;
    }
    case WR_WIRE_NUMERIC:
        return numeric_bytes(v, out);
    case WR_WIRE_UUID: {
        wr_uuid u;
        if (wr_uuid_parse(&u, v, NULL) != WR_OK)
            return -1;
        memcpy(out, u.bytes, 16);
        return 16;
    }
    case WR_WIRE_DATE: {
        wr_date d;
        if (strlen(v) != 10 || wr_date_parse(&d, v, NULL) != WR_OK)
            return -1;
        wr_put_be(out, (uint32_t)(d.days - PG_EPOCH_DAYS), 4);
        return 4;
    }
    case WR_WIRE_TIMESTAMPTZ: {
        wr_timestamp t;
        if (wr_timestamp_parse(&t, v, NULL) != WR_OK)
            return -1;
        wr_put_be(out, (uint64_t)(t.micros - PG_EPOCH_MICROS), 8);
        return 8;
    }
    case WR_WIRE_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "t") == 0)
            out[0] = 1;
        else if (strcmp(v, "false") == 0 || strcmp(v, "f") == 0)
            out[0] = 0;
        else
            return -1;
        return 1;
    case WR_WIRE_JSONB: {
        size_t len = strlen(v);
        out[0] = 1;
        memcpy(out + 1, v, len);
        return (int)(len + 1);
    }
    case WR_WIRE_TEXT: {
        size_t len = strlen(v);
        memcpy(out, v, len);
        return (int)len;
    }
    }
    return -1;
}
