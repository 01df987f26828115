/* wr_err.c - errors and secrets: fills a caller's wr_err, and masks
 * passwords in any text before it can reach a message or a log.
 *
 * Must never: print anything, keep state between calls, or let a byte of a
 * secret through when a message is truncated (masking happens first, on the
 * whole text; truncation only ever cuts masked text).
 *
 * What counts as a secret:
 *   - the value after '=' of a key that ends in "password", "passwd" or
 *     "pwd" (case-insensitive): password=, PWD=, db_password=, PGPASSWORD=,
 *     with or without spaces around '=' (as libpq, "password= x" is x),
 *     quoted ('...' or "...", with \x escapes and doubled quotes) or up
 *     to the next space or the next ";key=" / "&key=";
 *     "passwordless=" or "password_hash=" are other keys and stay visible;
 *   - the password of a URL: scheme://user:SECRET@host. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wr_internal.h"

static const char MASK[] = "****";

static bool is_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

static bool ends_with_ci(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

/* Is the '=' at text[eq] the end of a password-like key? */
static bool is_secret_key(const char *text, size_t eq)
{
    size_t end = eq;
    while (end > 0 && isspace((unsigned char)text[end - 1]))
        end--;
    size_t start = end;
    while (start > 0 && is_key_char(text[start - 1]))
        start--;
    size_t len = end - start;
    return ends_with_ci(text + start, len, "password") || ends_with_ci(text + start, len, "passwd")
        || ends_with_ci(text + start, len, "pwd");
}

/* ";Server=" or "&user=": a separator, then the next key.  A ';' or '&'
 * followed by anything else is part of the password. */
static bool starts_next_pair(const char *p)
{
    if (*p != ';' && *p != '&')
        return false;
    size_t k = 1;
    while (is_key_char(p[k]))
        k++;
    return k > 1 && p[k] == '=';
}

/* The value after the '=' at text[eq]: its bytes without the quotes. */
static void value_span(const char *text, size_t eq, size_t *start, size_t *len)
{
    size_t v = eq + 1;
    while (isspace((unsigned char)text[v]))
        v++;
    char q = text[v];
    if (q == '\'' || q == '"') {
        size_t j = v + 1;
        while (text[j]) {
            if (text[j] == '\\' && text[j + 1]) {
                j += 2;
            } else if (text[j] == q && text[j + 1] == q) {
                j += 2;
            } else if (text[j] == q) {
                break;
            } else {
                j++;
            }
        }
        *start = v + 1;
        *len = j - (v + 1);   /* unterminated: everything to the end is secret */
        return;
    }
    size_t j = v;
    while (text[j] && !isspace((unsigned char)text[j]) && !starts_next_pair(text + j))
        j++;
    *start = v;
    *len = j - v;
}

/* scheme://user:SECRET@host: the span of SECRET, if the "://" at text[i]
 * starts an authority with a password.  The user information runs to the
 * last '@' before a space or quote, not just before the first '/': a
 * password written with a raw '/', '?' or '#' is masked too (at worst, an
 * '@' later in a path masks more than needed). */
static bool url_password_span(const char *text, size_t i, size_t *start, size_t *len)
{
    if (i == 0 || !isalpha((unsigned char)text[i - 1]))
        return false;
    size_t a = i + 3, e = a;
    while (text[e] && !strchr("\"' \t\r\n", text[e]))
        e++;
    size_t at = e;
    while (at > a && text[at - 1] != '@')
        at--;
    if (at == a)
        return false;               /* no '@': no user information */
    at--;                           /* index of the last '@' */
    const char *colon = memchr(text + a, ':', at - a);
    if (!colon)
        return false;
    *start = (size_t)(colon - text) + 1;
    *len = at - *start;
    return true;
}

/* The first non-empty secret starting at or after text[from]. */
static bool next_secret(const char *text, size_t from, size_t *start, size_t *len)
{
    for (size_t i = from; text[i]; i++) {
        bool found = false;
        if (text[i] == '=' && is_secret_key(text, i)) {
            value_span(text, i, start, len);
            found = true;
        } else if (text[i] == ':' && text[i + 1] == '/' && text[i + 2] == '/') {
            found = url_password_span(text, i, start, len);
        }
        if (found && *len > 0)
            return true;
    }
    return false;
}

void wr_mask_secrets(const char *text, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return;
    size_t o = 0;
    if (!text)
        text = "";
    size_t pos = 0, start, len;
    for (;;) {
        bool found = next_secret(text, pos, &start, &len);
        size_t copy_to = found ? start : strlen(text);
        for (size_t i = pos; i < copy_to && o + 1 < out_size; i++)
            out[o++] = text[i];
        if (!found)
            break;
        for (size_t i = 0; MASK[i] && o + 1 < out_size; i++)
            out[o++] = MASK[i];
        pos = start + len;
    }
    out[o] = '\0';
}

/* The whole text is masked before it is cut to the message's size: cut
 * first, a URL whose '@' fell off the end would no longer look like one. */
int wr_error(wr_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    char raw[sizeof err->message];
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    char *full = NULL;
    if (n >= (int)sizeof raw && (full = malloc((size_t)n + 1)) != NULL)
        vsnprintf(full, (size_t)n + 1, fmt, again);
    va_end(again);
    err->code = code;
    if (full) {
        wr_mask_secrets(full, err->message, sizeof err->message);
        wr_wipe(full, (size_t)n);
        free(full);
    } else if (n >= (int)sizeof raw) {
        /* out of memory: mask what fits, and drop the tail that might end
         * inside a URL's user information */
        char *cut = strstr(raw, "://");
        for (char *next; cut && (next = strstr(cut + 3, "://")) != NULL;)
            cut = next;
        if (cut && !strchr(cut, '@'))
            *cut = '\0';
        wr_mask_secrets(raw, err->message, sizeof err->message);
    } else {
        wr_mask_secrets(raw, err->message, sizeof err->message);
    }
    wr_wipe(raw, sizeof raw);
    /* a message cut at the buffer's end must not end inside a UTF-8 character */
    size_t len = strlen(err->message);
    if (len == sizeof err->message - 1) {
        size_t keep = len;
        while (keep > 0 && ((unsigned char)err->message[keep - 1] & 0xC0) == 0x80)
            keep--;
        if (keep > 0 && (unsigned char)err->message[keep - 1] >= 0xC0)
            err->message[keep - 1] = '\0'; /* the lead byte of a cut character */
    }
    return code;
}

/* Replaces every occurrence of secret[0..len) in message by MASK. */
static void scrub(char *message, const char *secret, size_t len)
{
    if (len < 4)
        return;   /* shorter ones would garble messages; drivers never echo them anyway */
    for (char *p = message; *p;) {
        if (strncmp(p, secret, len) == 0) {
            memcpy(p, MASK, 4);
            memmove(p + 4, p + len, strlen(p + len) + 1);   /* len >= 4: never grows */
            p += 4;
        } else {
            p++;
        }
    }
}

void wr_scrub_dsn_secrets(char *message, size_t size, const char *dsn)
{
    if (!message || size == 0 || !dsn)
        return;
    message[size - 1] = '\0';
    size_t pos = 0, start, len;
    while (next_secret(dsn, pos, &start, &len)) {
        scrub(message, dsn + start, len);
        /* the same secret with its escapes undone, as a driver would see it */
        char plain[WR_DSN_VALUE_SIZE];
        size_t n = 0;
        for (size_t i = start; i < start + len && n + 1 < sizeof plain; i++) {
            if (dsn[i] == '\\' && i + 1 < start + len)
                i++;
            else if ((dsn[i] == '\'' || dsn[i] == '"') && i + 1 < start + len && dsn[i + 1] == dsn[i])
                i++;
            plain[n++] = dsn[i];
        }
        scrub(message, plain, n);
        wr_wipe(plain, sizeof plain);
        pos = start + len;
    }
}

void wr_wipe(void *p, size_t n)
{
    volatile unsigned char *b = p;
    while (n--)
        *b++ = 0;
}

void wr_one_line(char *s)
{
    char *o = s;
    bool space = false;
    for (const char *p = s; *p; p++) {
        if (isspace((unsigned char)*p)) {
            space = o != s;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = false;
        *o++ = *p;
    }
    *o = '\0';
}
