/* wr_dsn.c - reads "key=value key2='quoted value'" DSNs (libpq's conninfo
 * syntax: spaces around '=' allowed, single quotes, backslash escapes) into
 * a fixed, bounded list, for the drivers whose client library has no DSN
 * syntax of its own (MySQL, db-lib).
 *
 * Must never: allocate, accept a DSN it would have to truncate, or put any
 * value into a message (a malformed DSN is reported by key name or word
 * position only, because any word of it may be a password). */
#include <ctype.h>
#include <string.h>

#include "wr_internal.h"

static bool is_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static const char *skip_spaces(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* The value at *pp into out; advances *pp past it. */
static int read_value(const char **pp, char *out, const char *key, const char *who, wr_err *err)
{
    const char *p = *pp;
    bool quoted = *p == '\'';
    if (quoted)
        p++;
    size_t n = 0;
    for (;;) {
        char c = *p;
        if (c == '\0') {
            if (quoted)
                return wr_error(err, WR_ECONFIG, "%s: DSN: unterminated quote in the value of '%s'", who, key);
            break;
        }
        if (quoted ? c == '\'' : isspace((unsigned char)c)) {
            p += quoted;
            break;
        }
        if (c == '\\' && p[1])
            c = *++p;
        if (n + 1 >= WR_DSN_VALUE_SIZE)
            return wr_error(err, WR_ECONFIG, "%s: DSN: the value of '%s' is longer than %d bytes", who, key,
                            WR_DSN_VALUE_SIZE - 1);
        out[n++] = c;
        p++;
    }
    out[n] = '\0';
    *pp = p;
    return WR_OK;
}

/* The pair for key: an existing one if repeats replace it, else a new one. */
static wr_dsn_pair *pair_for(wr_dsn *d, const char *key, size_t key_len, bool repeats_replace)
{
    for (size_t i = 0; i < d->count; i++) {
        if (strlen(d->pairs[i].key) == key_len && memcmp(d->pairs[i].key, key, key_len) == 0)
            return repeats_replace ? &d->pairs[i] : NULL;
    }
    if (d->count == WR_DSN_MAX_PAIRS)
        return NULL;
    wr_dsn_pair *pair = &d->pairs[d->count++];
    memcpy(pair->key, key, key_len);
    pair->key[key_len] = '\0';
    return pair;
}

int wr_dsn_parse(wr_dsn *out, const char *text, bool repeats_replace, const char *who, wr_err *err)
{
    out->count = 0;
    const char *p = skip_spaces(text ? text : "");
    if (*p == '\0')
        return wr_error(err, WR_ECONFIG, "%s: DSN is empty", who);
    for (unsigned word = 1; *p; word++, p = skip_spaces(p)) {
        const char *key = p;
        while (is_key_char(*p))
            p++;
        size_t key_len = (size_t)(p - key);
        p = skip_spaces(p);
        if (key_len == 0 || *p != '=')
            return wr_error(err, WR_ECONFIG, "%s: DSN: word %u is not key=value", who, word);
        if (key_len >= WR_DSN_KEY_SIZE)
            return wr_error(err, WR_ECONFIG, "%s: DSN: the key of word %u is longer than %d bytes", who, word,
                            WR_DSN_KEY_SIZE - 1);
        size_t before = out->count;
        wr_dsn_pair *pair = pair_for(out, key, key_len, repeats_replace);
        if (!pair && before == WR_DSN_MAX_PAIRS)
            return wr_error(err, WR_ECONFIG, "%s: DSN: more than %d key=value pairs", who, WR_DSN_MAX_PAIRS);
        if (!pair)
            return wr_error(err, WR_ECONFIG, "%s: DSN: key '%.*s' appears twice", who, (int)key_len, key);
        p = skip_spaces(p + 1);
        int rc = read_value(&p, pair->value, pair->key, who, err);
        if (rc)
            return rc;
    }
    return WR_OK;
}

const char *wr_dsn_get(const wr_dsn *d, const char *key)
{
    for (size_t i = 0; i < d->count; i++) {
        if (strcmp(d->pairs[i].key, key) == 0)
            return d->pairs[i].value;
    }
    return NULL;
}

int wr_dsn_check_keys(const wr_dsn *d, const char *const *allowed, const char *driver,
                      const char *who, wr_err *err)
{
    for (size_t i = 0; i < d->count; i++) {
        bool known = false;
        for (const char *const *k = allowed; *k && !known; k++)
            known = strcmp(*k, d->pairs[i].key) == 0;
        if (!known) {
            char list[256] = "";
            size_t n = 0;
            for (const char *const *k = allowed; *k && n + strlen(*k) + 2 < sizeof list; k++) {
                memcpy(list + n, *k, strlen(*k));
                n += strlen(*k);
                list[n++] = ' ';
            }
            list[n ? n - 1 : 0] = '\0';
            return wr_error(err, WR_ECONFIG, "%s: DSN: unknown key '%s' for %s (known: %s)", who,
                            d->pairs[i].key, driver, list);
        }
    }
    return WR_OK;
}

int wr_dsn_get_uint(const wr_dsn *d, const char *key, unsigned min, unsigned max, unsigned def,
                    unsigned *out, const char *who, wr_err *err)
{
    const char *v = wr_dsn_get(d, key);
    if (!v) {
        *out = def;
        return WR_OK;
    }
    unsigned long n = 0;
    bool ok = *v != '\0';
    for (const char *p = v; *p && ok; p++) {
        ok = isdigit((unsigned char)*p) && n <= max;
        n = n * 10 + (unsigned long)(*p - '0');
    }
    if (!ok || n < min || n > max)
        return wr_error(err, WR_ECONFIG, "%s: DSN: %s must be a whole number from %u to %u", who, key, min, max);
    *out = (unsigned)n;
    return WR_OK;
}

void wr_dsn_wipe(wr_dsn *d)
{
    wr_wipe(d, sizeof *d);
}
