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

static bool parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
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
    /* the digits, the integer part padded on the left and the fraction on
     * the right to whole groups of four, written straight after the
     * 8-byte header: leading zero groups skipped, trailing ones cut */
    size_t int_groups = (int_len + 3) / 4, frac_groups = (frac_len + 3) / 4;
    size_t lead = int_groups * 4 - int_len;
    size_t first = 0, ndigits = 0, written = 0;
    for (size_t g = 0; g < int_groups + frac_groups; g++) {
        unsigned v = 0;
        for (size_t k = 0; k < 4; k++) {
            size_t pos = g * 4 + k;   /* in the padded digit string */
            char c = '0';
            if (pos >= lead && pos < lead + int_len)
                c = int_start[pos - lead];
            else if (pos >= int_groups * 4 && pos - int_groups * 4 < frac_len)
                c = frac_start[pos - int_groups * 4];
            v = v * 10 + (unsigned)(c - '0');
        }
        if (written == 0 && v == 0) {
            first++;
            continue;
        }
        wr_put_be(out + 8 + 2 * written++, v, 2);
        if (v != 0)
            ndigits = written;
    }
    int weight = (int)int_groups - 1 - (int)first;
    uint8_t *o = out;
    o = wr_put_be(o, ndigits, 2);
    o = wr_put_be(o, (uint16_t)(int16_t)(ndigits ? weight : 0), 2);
    o = wr_put_be(o, ndigits && is_negative ? NUMERIC_NEG : NUMERIC_POS, 2);   /* no negative zero */
    o = wr_put_be(o, frac_len, 2);
    o += 2 * ndigits;
    return (int)(o - out);
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
        if (end == v || *end || errno == ERANGE)
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
