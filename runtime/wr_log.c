/* wr_log.c - the sync agent's logs: one JSON object per line on stderr
 * (built with jansson, so every value is escaped properly), or, when
 * stderr is a terminal, one line a person reads.  Also the UTF-8 checks
 * that keep logs, rejects and COPY data acceptable to jansson and to a
 * UTF8 PostgreSQL database.
 *
 * Must never: print a password (every text is masked with wr_mask_secrets
 * before it is written, whatever its origin), depend on the locale (digit
 * grouping is done here, not by printf's '), or write a line in pieces
 * (one fputs per line, so lines of concurrent writers do not interleave). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wr_agent_internal.h"

/* ---- UTF-8 ------------------------------------------------------------------ */

/* Length of the valid sequence at s (at most len bytes), or 0.  Strict, as
 * Unicode's table 3-7 and PostgreSQL: no overlongs, no surrogates, nothing
 * above U+10FFFF. */
static size_t sequence_length(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

bool wr_utf8_is_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = sequence_length(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* Invalid bytes become U+FFFD, one per byte, rather than \u00XX escapes:
 * an escape would read as a Latin-1 character that was never there, while
 * U+FFFD says plainly that a byte was not text.  (The reason of such a
 * reject says which value was not UTF-8.) */
char *wr_utf8_repair(wr_arena *mem, const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    if (wr_utf8_is_valid(s, len))
        return (char *)s;
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    size_t size = len * 3 + 1;   /* each bad byte grows to 3 */
    char *out = mem ? wr_arena_alloc(mem, size) : malloc(size);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = sequence_length(p + i, len - i);
        if (n == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- lines -------------------------------------------------------------------- */

void wr_log_init(wr_log *l, const char *tenant)
{
    l->tenant = tenant;
    l->is_human = isatty(STDERR_FILENO) == 1;
}

int64_t wr_log_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *level_name(wr_log_level level)
{
    switch (level) {
    case WR_LOG_INFO: return "info";
    case WR_LOG_WARN: return "warn";
    case WR_LOG_ERROR: return "error";
    }
    return "info";
}

/* ISO-8601 UTC with milliseconds: 2024-05-01T12:00:00.123Z */
static void now_iso(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/* Masked and valid UTF-8, or NULL; the caller frees. */
static char *clean_text(const char *text)
{
    if (!text)
        return NULL;
    /* a secret shorter than "****" grows when masked: room for that */
    size_t size = strlen(text) * 2 + 16;
    char *masked = malloc(size);
    if (!masked)
        return NULL;
    wr_mask_secrets(text, masked, size);
    char *valid = wr_utf8_repair(NULL, masked);
    if (valid != masked)
        free(masked);
    return valid;
}

static void set_text(json_t *obj, const char *key, const char *text)
{
    char *clean = clean_text(text);
    json_object_set_new(obj, key, clean ? json_string(clean) : json_null());
    free(clean);
}

static void write_line(const char *line)
{
    fputs(line, stderr);
    fflush(stderr);
}

static void emit_json(json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) {
        size_t n = strlen(text);
        char *line = malloc(n + 2);
        if (line) {
            memcpy(line, text, n);
            memcpy(line + n, "\n", 2);
            write_line(line);
            free(line);
        }
        free(text);
    }
    json_decref(obj);
}

static json_t *line_head(const wr_log *l, wr_log_level level, const char *event, const char *entity)
{
    char ts[32];
    now_iso(ts);
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    json_object_set_new(obj, "ts", json_string(ts));
    json_object_set_new(obj, "level", json_string(level_name(level)));
    set_text(obj, "tenant", l->tenant);
    if (event)
        json_object_set_new(obj, "event", json_string(event));
    set_text(obj, "entity", entity);
    return obj;
}

void wr_log_message(const wr_log *l, wr_log_level level, const char *event, const char *entity, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (l->is_human) {
        char *clean = clean_text(text);
        char line[2400];
        const char *prefix = level == WR_LOG_ERROR ? "error: " : level == WR_LOG_WARN ? "warning: " : "";
        snprintf(line, sizeof line, "%s%s%s%s: %s\n", prefix, l->tenant, entity ? " " : "", entity ? entity : "",
                 clean ? clean : "");
        write_line(line);
        free(clean);
        wr_wipe(text, sizeof text);
        return;
    }
    json_t *obj = line_head(l, level, event, entity);
    if (obj) {
        set_text(obj, "message", text);
        emit_json(obj);
    }
    wr_wipe(text, sizeof text);
}

/* 1234567 -> "1,234,567", whatever the locale. */
static void grouped(int64_t v, char out[32])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    int o = 0;
    if (v < 0)
        out[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static void log_human_entity(const wr_log *l, const char *entity, const wr_sync_counts *c, int64_t duration_ms,
                             const char *status, const char *error)
{
    char r[32], w[32], u[32], j[32], d[32], rate[32];
    grouped(c->read, r);
    grouped(c->written, w);
    grouped(c->unchanged, u);
    grouped(c->rejected, j);
    grouped(c->deleted, d);
    double seconds = (double)duration_ms / 1000.0;
    grouped(seconds > 0 ? (int64_t)((double)c->read / seconds) : c->read, rate);
    char deleted[64] = "";
    if (c->deleted)
        snprintf(deleted, sizeof deleted, ", %s deleted", d);
    char *clean = clean_text(error);
    char line[2400];
    snprintf(line, sizeof line, "%s%s %s: %s read, %s written, %s unchanged, %s rejected%s in %.1f s (%s rows/s)%s%s%s%s\n",
             error ? "error: " : "", l->tenant, entity, r, w, u, j, deleted, seconds, rate,
             status && strcmp(status, "ok") != 0 ? ", " : "", status && strcmp(status, "ok") != 0 ? status : "",
             clean ? ": " : "", clean ? clean : "");
    free(clean);
    write_line(line);
}

void wr_log_entity(const wr_log *l, const char *entity, const wr_sync_counts *c, int64_t duration_ms,
                   const char *status, const char *error)
{
    if (l->is_human) {
        log_human_entity(l, entity, c, duration_ms, status, error);
        return;
    }
    json_t *obj = line_head(l, error ? WR_LOG_ERROR : WR_LOG_INFO, "entity", entity);
    if (!obj)
        return;
    json_object_set_new(obj, "rows_read", json_integer(c->read));
    json_object_set_new(obj, "rows_written", json_integer(c->written));
    json_object_set_new(obj, "rows_unchanged", json_integer(c->unchanged));
    json_object_set_new(obj, "rows_rejected", json_integer(c->rejected));
    json_object_set_new(obj, "rows_deleted", json_integer(c->deleted));
    json_object_set_new(obj, "duration_ms", json_integer(duration_ms));
    if (status)
        json_object_set_new(obj, "status", json_string(status));
    set_text(obj, "error", error);
    emit_json(obj);
}
