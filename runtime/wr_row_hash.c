/* wr_row_hash.c - the hash of a transformed row, stored with it in the target.
 *
 * Every row the agent writes into a compared table carries the hash of the
 * values it wrote (wellos_sync_hash) and the transaction that wrote them
 * (wellos_sync_xid).  A re-sync reads only key, hash and xmin from the
 * target: a row whose xmin is still the agent's transaction and whose hash
 * is the hash of the transformed source row is unchanged (wr_diff.c).
 *
 * The hash is stored in the tenants' databases, so it must never change
 * between versions: XXH3 64-bit, seed 0 (its output is fixed since xxHash
 * 0.8.0), over each value in order as its length plus one in four
 * little-endian bytes (0 for NULL) followed by its bytes.  A test pins the
 * value of a known row. */
#define XXH_INLINE_ALL   /* a header-only build: agents need no libxxhash */
#include <xxhash.h>
#include <string.h>

#include "wr_agent_internal.h"

/* A value's head: its length plus one (0: NULL), four bytes little-endian. */
static uint8_t *put_length(uint8_t *p, const char *v, size_t len)
{
    uint32_t n = v ? (uint32_t)len + 1 : 0;
    for (int i = 0; i < 4; i++, n >>= 8)
        *p++ = (uint8_t)(n & 0xff);
    return p;
}

/* A row too long for the stack buffer: the same bytes, streamed. */
static uint64_t hash_streamed(const char *const *values, int n)
{
    XXH3_state_t state;
    XXH3_INITSTATE(&state);
    XXH3_64bits_reset(&state);
    for (int i = 0; i < n; i++) {
        uint8_t head[4];
        size_t len = values[i] ? strlen(values[i]) : 0;
        XXH3_64bits_update(&state, head, (size_t)(put_length(head, values[i], len) - head));
        if (len)
            XXH3_64bits_update(&state, values[i], len);
    }
    return XXH3_64bits_digest(&state);
}

uint64_t wr_row_hash(const char *const *values, int n)
{
    uint8_t buf[1024], *p = buf;
    for (int i = 0; i < n; i++) {
        size_t len = values[i] ? strlen(values[i]) : 0;
        if ((size_t)(buf + sizeof buf - p) < 4 + len)
            return hash_streamed(values, n);
        p = put_length(p, values[i], len);
        if (len)
            memcpy(p, values[i], len);
        p += len;
    }
    return XXH3_64bits(buf, (size_t)(p - buf));
}
