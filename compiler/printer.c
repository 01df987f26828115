/* printer.c - template substitution into a growable buffer. */
#include "printer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_VARS = 32 };

struct wm_printer {
    char *buf;
    size_t len, cap;
    int indent;
    bool at_line_start;
};

wm_printer *wm_printer_new(void)
{
    wm_printer *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->at_line_start = true;
    return p;
}

void wm_printer_free(wm_printer *p)
{
    if (p)
        free(p->buf);
    free(p);
}

static void put(wm_printer *p, const char *s, size_t n)
{
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + n + 1)
            cap *= 2;
        char *b = realloc(p->buf, cap);
        if (!b)
            abort();
        p->buf = b;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

/* Text goes out line by line so that each new line gets the indentation. */
static void emit(wm_printer *p, const char *s, size_t n)
{
    while (n > 0) {
        if (p->at_line_start && *s != '\n') {
            for (int i = 0; i < p->indent; i++)
                put(p, "    ", 4);
            p->at_line_start = false;
        }
        const char *nl = memchr(s, '\n', n);
        size_t chunk = nl ? (size_t)(nl - s) + 1 : n;
        put(p, s, chunk);
        if (nl)
            p->at_line_start = true;
        s += chunk;
        n -= chunk;
    }
}

void wm_print(wm_printer *p, const char *tmpl, ...)
{
    const char *names[MAX_VARS], *values[MAX_VARS];
    int n = 0;
    va_list ap;
    va_start(ap, tmpl);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        const char *value = va_arg(ap, const char *);
        if (n == MAX_VARS)
            abort(); /* an emitter bug, not an input problem */
        names[n] = name;
        values[n++] = value ? value : "";
    }
    va_end(ap);

    const char *s = tmpl;
    while (*s) {
        const char *dollar = strchr(s, '$');
        if (!dollar) {
            emit(p, s, strlen(s));
            break;
        }
        emit(p, s, (size_t)(dollar - s));
        const char *end = strchr(dollar + 1, '$');
        if (!end) {
            fprintf(stderr, "wellosc: internal error: unterminated $ in template: %s\n", tmpl);
            abort();
        }
        size_t name_len = (size_t)(end - dollar - 1);
        if (name_len == 0) {
            emit(p, "$", 1);
        } else {
            int k = 0;
            while (k < n && !(strlen(names[k]) == name_len && memcmp(names[k], dollar + 1, name_len) == 0))
                k++;
            if (k == n) {
                fprintf(stderr, "wellosc: internal error: no value for $%.*s$\n", (int)name_len, dollar + 1);
                abort();
            }
            emit(p, values[k], strlen(values[k]));
        }
        s = end + 1;
    }
}

void wm_indent(wm_printer *p) { p->indent++; }
void wm_outdent(wm_printer *p) { if (p->indent > 0) p->indent--; }
const char *wm_printer_text(const wm_printer *p) { return p->buf ? p->buf : ""; }
size_t wm_printer_len(const wm_printer *p) { return p->len; }

int wm_printer_write(const wm_printer *p, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t n = fwrite(wm_printer_text(p), 1, p->len, f);
    int saved = errno;
    if (fclose(f) != 0 || n != p->len) {
        errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}
