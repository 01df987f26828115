/* wr_xf_internal.h - what the transform files share: wr_transform.c (the
 * rules, text, UTF-8, uuid, bool, json, enum), wr_xf_number.c (integers,
 * floats, decimals, arithmetic) and wr_xf_time.c (dates and times).
 * Generated code sees only wr.h's wr_xf_* functions. */
#ifndef WR_XF_INTERNAL_H
#define WR_XF_INTERNAL_H

#include <locale.h>
#include <stdbool.h>
#include <string.h>

#include "wr_internal.h"

enum {
    QUOTE_CHARS = 40,    /* characters of a value a reason quotes */
    QUOTE_SIZE = 200,
};

/* ---- ASCII, whatever the process's locale ------------------------------------ */

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* White space of the C locale. */
static inline bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static inline char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline bool ascii_equal_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (ascii_lower(*a) != ascii_lower(*b))
            return false;
    }
    return *a == *b;
}

/* Does s start with word (ASCII, any case)? */
static inline bool ascii_prefix_ci(const char *s, const char *word)
{
    for (; *word; s++, word++) {
        if (ascii_lower(*s) != ascii_lower(*word))
            return false;
    }
    return true;
}

/* ---- reasons and memory ------------------------------------------------------- */

/* A value as a reason quotes it: at most QUOTE_CHARS characters, then
 * "..."; bytes that are not UTF-8 and control characters as \xNN, a NUL
 * byte (C0 80) as \x00. */
typedef struct quoted {
    char text[QUOTE_SIZE];
} quoted;

const char *wr_xf_quote(quoted *q, const char *s);

#define Q(s) wr_xf_quote(&(quoted){ { 0 } }, (s))

/* Is x usable and not failed yet? */
static inline bool live(const wr_xf *x)
{
    return x && !x->is_failed;
}

static inline void *xf_alloc(wr_xf *x, size_t size)
{
    void *p = wr_arena_alloc(x->mem, size);
    if (!p)
        wr_xf_fail(x, "out of memory");
    return p;
}

static inline const char *xf_dup(wr_xf *x, const char *s, size_t len)
{
    char *p = xf_alloc(x, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* The locale strtod and "%.17g" read and print numbers in (POSIX's
 * LC_NUMERIC, whatever the process has), for uselocale; 0 if missing. */
locale_t wr_xf_numeric_locale(void);

#endif
