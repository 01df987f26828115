/* wr_transform.c - the transforms of generated sync agents (wr.h,
 * "transforms of sync agents"): text in, checked and normalized text out,
 * in x->mem.  Generated code nests the calls and checks x->is_failed once
 * per row:
 *
 *     x.field = "lease";
 *     out[6] = wr_xf_to_text(&x, wr_xf_upper(&x, wr_xf_trim(&x, src->values[6])), 100);
 *
 * Rules every function keeps:
 *   - once x is failed it returns NULL at once; NULL in (SQL NULL) is NULL
 *     out without a failure;
 *   - the first failure wins: wr_xf_fail keeps the first reason;
 *   - a result is text in x->mem, or (to_text, to_json, to_enum, and trim
 *     when there is nothing to cut) the input itself: it lives as long as
 *     both the input and the arena;
 *   - reasons quote at most 40 characters of a value, with invalid bytes
 *     and control characters escaped (\xNN), so that a reason is always
 *     valid UTF-8 and can go into the rejects table as it is.
 *
 * Must never: depend on the caller's locale or time zone, go through
 * floating point for decimals (numbers are decimal digit strings here),
 * round anything that the caller did not ask to be rounded (see arith and
 * to_decimal for the two places that do), or call setlocale().
 *
 * Locale: the case mappings and white space of upper, lower and trim are
 * those of glibc's C.UTF-8 LC_CTYPE, taken through the _l functions
 * (towupper_l, towlower_l, iswspace_l) of one locale object that the first
 * call creates with newlocale(LC_CTYPE_MASK, "C.UTF-8", 0) under
 * pthread_once and that lives as long as the process (never freed: it is
 * reachable, not a leak).  Its other categories are POSIX's, so the same
 * object serves strtod and "%.17g" in to_float through uselocale, whatever
 * LC_NUMERIC the process has.  UTF-8 itself is decoded and encoded here,
 * strictly (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF): mbrtowc has no _l variant, and the bytes' encoding is UTF-8
 * whatever the locale says. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include <jansson.h>

#include "wr_internal.h"

enum {
    QUOTE_CHARS = 40,    /* characters of a value a reason quotes */
    QUOTE_SIZE = 200,
    DEC_MAX_DIGITS = 38, /* of every number a transform returns */
    NUM_OPERAND_MAX = 400, /* digits of a number's plain form on input: every double fits */
    NUM_WORK = 1024,     /* digits of intermediate results (products, dividends) */
    ENUM_LISTED = 8,     /* values a to_enum reason lists */
};

#define MICROS_PER_SECOND INT64_C(1000000)
#define MICROS_PER_DAY (INT64_C(86400) * MICROS_PER_SECOND)

/* ---- locale ----------------------------------------------------------------- */

static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static locale_t utf8_ctype;     /* C.UTF-8's LC_CTYPE, the rest POSIX; 0 if missing */
static locale_t posix_numeric;  /* for strtod and printf when utf8_ctype is missing */

/* The locale's answers for ASCII, asked once: most text is ASCII, and a
 * table costs nothing per character where towupper_l and iswspace_l cost
 * a call.  is_ascii_mapped is false if a case mapping left ASCII. */
static unsigned char upper_of_ascii[128], lower_of_ascii[128];
static bool is_space_of_ascii[128], is_ascii_mapped;

static void locale_init(void)
{
    utf8_ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!utf8_ctype)
        utf8_ctype = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
    if (!utf8_ctype) {
        posix_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        return;
    }
    is_ascii_mapped = true;
    for (wint_t c = 0; c < 128; c++) {
        wint_t up = towupper_l(c, utf8_ctype), low = towlower_l(c, utf8_ctype);
        is_ascii_mapped = is_ascii_mapped && up < 128 && low < 128;
        upper_of_ascii[c] = (unsigned char)(up < 128 ? up : c);
        lower_of_ascii[c] = (unsigned char)(low < 128 ? low : c);
        is_space_of_ascii[c] = iswspace_l(c, utf8_ctype) != 0;
    }
}

static locale_t ctype_locale(void)
{
    pthread_once(&locale_once, locale_init);
    return utf8_ctype;
}

static locale_t numeric_locale(void)
{
    pthread_once(&locale_once, locale_init);
    return utf8_ctype ? utf8_ctype : posix_numeric;
}

/* ---- small helpers -------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* White space of the C locale, whatever the process's locale is. */
static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_equal_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (ascii_lower(*a) != ascii_lower(*b))
            return false;
    }
    return *a == *b;
}

/* Does s start with word (ASCII, any case)? */
static bool ascii_prefix_ci(const char *s, const char *word)
{
    for (; *word; s++, word++) {
        if (ascii_lower(*s) != ascii_lower(*word))
            return false;
    }
    return true;
}

/* ---- UTF-8 ------------------------------------------------------------------ */

/* The length (1..4) of the strict UTF-8 sequence at s, its code point in
 * *cp; 0 if the bytes are not UTF-8.  Stops at a NUL (never reads past it). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0;      /* overlong */
        if (c == 0xED)
            hi = 0x9F;      /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;      /* overlong */
        if (c == 0xF4)
            hi = 0x8F;      /* past U+10FFFF */
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        unsigned char b = s[i];
        if (b < lo || b > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
        v = v << 6 | (b & 0x3Fu);
    }
    *cp = v;
    return n;
}

static size_t utf8_length_of(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    size_t n = utf8_length_of(cp);
    switch (n) {
    case 1:
        out[0] = (char)cp;
        break;
    case 2:
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        break;
    case 3:
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        break;
    default:
        out[0] = (char)(0xF0 | cp >> 18);
        out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        break;
    }
    return n;
}

/* The offset of the first byte that is not UTF-8, or SIZE_MAX; *chars gets
 * the characters before it. */
static size_t utf8_check(const char *s, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0) {
            *chars = count;
            return (size_t)(p - (const unsigned char *)s);
        }
        p += n;
        count++;
    }
    *chars = count;
    return SIZE_MAX;
}

/* Is s at the two bytes C0 80, the form in which a driver hands over a NUL
 * byte inside a value (wr_mysql_query.c)? */
static bool is_nul_pair(const unsigned char *s)
{
    return s[0] == 0xC0 && s[1] == 0x80;
}

/* A value as a reason quotes it: at most QUOTE_CHARS characters, then
 * "..."; bytes that are not UTF-8 and control characters as \xNN, a NUL
 * byte (C0 80) as \x00. */
typedef struct quoted {
    char text[QUOTE_SIZE];
} quoted;

#define Q(s) quote(&(quoted){ { 0 } }, (s))

static const char *quote(quoted *q, const char *s)
{
    size_t o = 0, chars = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (chars == QUOTE_CHARS || o + 4 + sizeof "..." > sizeof q->text) {
            memcpy(q->text + o, "...", sizeof "...");
            return q->text;
        }
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (is_nul_pair(p)) {
            memcpy(q->text + o, "\\x00", 4);
            o += 4;
            p += 2;
        } else if (n == 0 || cp < 0x20 || cp == 0x7F) {
            snprintf(q->text + o, sizeof q->text - o, "\\x%02x", *p);
            o += 4;
            p++;
        } else {
            memcpy(q->text + o, p, n);
            o += n;
            p += n;
        }
        chars++;
    }
    q->text[o] = '\0';
    return q->text;
}

/* In place: every byte that is not UTF-8 becomes '?' and every control
 * character a space (a message cut inside a character ends in '?'). */
static void sanitize_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0) {
            *p++ = '?';
            continue;
        }
        if (cp < 0x20 || cp == 0x7F)
            *p = ' ';
        p += n;
    }
}

/* ---- failures and memory ---------------------------------------------------- */

void wr_xf_fail(wr_xf *x, const char *fmt, ...)
{
    if (!x || x->is_failed)
        return;
    x->is_failed = true;
    size_t o = 0;
    if (x->field) {
        int n = snprintf(x->reason, sizeof x->reason, "%s: ", x->field);
        o = n < 0 ? 0 : (size_t)n < sizeof x->reason ? (size_t)n : sizeof x->reason - 1;
    }
    x->reason[o] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->reason + o, sizeof x->reason - o, fmt, ap);
        va_end(ap);
    }
    sanitize_utf8(x->reason);
}

static void *xf_alloc(wr_xf *x, size_t size)
{
    void *p = wr_arena_alloc(x->mem, size);
    if (!p)
        wr_xf_fail(x, "out of memory");
    return p;
}

static const char *xf_dup(wr_xf *x, const char *s, size_t len)
{
    char *p = xf_alloc(x, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Is x usable and not failed yet? */
static bool live(const wr_xf *x)
{
    return x && !x->is_failed;
}

static void fail_utf8(wr_xf *x, const char *s, size_t offset)
{
    if (is_nul_pair((const unsigned char *)s + offset))
        wr_xf_fail(x, "NUL byte at byte %zu of '%s' (PostgreSQL text cannot hold NUL)", offset + 1, Q(s));
    else
        wr_xf_fail(x, "invalid UTF-8 at byte %zu (0x%02x) of '%s'", offset + 1, (unsigned char)s[offset], Q(s));
}

/* ---- upper, lower, trim, concat ---------------------------------------------- */

static uint32_t map_case(uint32_t cp, bool upper, locale_t loc)
{
    wint_t m = upper ? towupper_l((wint_t)cp, loc) : towlower_l((wint_t)cp, loc);
    if (m > 0x10FFFF || (m >= 0xD800 && m <= 0xDFFF))
        return cp;
    return (uint32_t)m;
}

/* Maps each character on its own (towupper: 'ß' stays 'ß', there is no
 * one-to-many mapping; 'i' is 'I' and 'İ' lowers to 'i', as outside a
 * Turkish locale).  Two passes: the length first, since a mapping can
 * change a character's byte count ('ı' 2 bytes -> 'I' 1 byte). */
static const char *case_map(wr_xf *x, const char *s, bool upper)
{
    if (!live(x) || !s)
        return NULL;
    locale_t loc = ctype_locale();
    if (!loc) {
        wr_xf_fail(x, "%s(): the C.UTF-8 locale is not available", upper ? "upper" : "lower");
        return NULL;
    }
    size_t ascii = 0;
    while ((unsigned char)s[ascii] - 1u < 127u)   /* 1..127 */
        ascii++;
    if (s[ascii] == '\0' && is_ascii_mapped) {   /* all ASCII: byte by byte */
        const unsigned char *map = upper ? upper_of_ascii : lower_of_ascii;
        char *out = xf_alloc(x, ascii + 1);
        if (!out)
            return NULL;
        for (size_t i = 0; i < ascii; i++)
            out[i] = (char)map[(unsigned char)s[i]];
        out[ascii] = '\0';
        return out;
    }
    size_t len = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0) {
            fail_utf8(x, s, (size_t)((const char *)p - s));
            return NULL;
        }
        len += utf8_length_of(map_case(cp, upper, loc));
        p += n;
    }
    char *out = xf_alloc(x, len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t cp;
        p += utf8_decode(p, &cp);
        o += utf8_encode(map_case(cp, upper, loc), out + o);
    }
    out[o] = '\0';
    return out;
}

const char *wr_xf_upper(wr_xf *x, const char *s)
{
    return case_map(x, s, true);
}

const char *wr_xf_lower(wr_xf *x, const char *s)
{
    return case_map(x, s, false);
}

/* White space: iswspace in C.UTF-8 (tab, line feed, vertical tab, form
 * feed, carriage return, space, U+1680, U+2000-U+2006, U+2008-U+200A,
 * U+2028, U+2029, U+205F, U+3000) and the no-break space U+00A0.  The
 * other no-break spaces (U+2007, U+202F) and U+FEFF are not white space. */
const char *wr_xf_trim(wr_xf *x, const char *s)
{
    if (!live(x) || !s)
        return NULL;
    locale_t loc = ctype_locale();
    if (!loc) {
        wr_xf_fail(x, "trim(): the C.UTF-8 locale is not available");
        return NULL;
    }
    size_t start = SIZE_MAX, end = 0;   /* of the text between the blanks */
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp = *p;
        size_t n = 1, at = (size_t)((const char *)p - s);
        bool is_blank;
        if (cp < 0x80) {
            is_blank = is_space_of_ascii[cp];
        } else {
            if ((n = utf8_decode(p, &cp)) == 0) {
                fail_utf8(x, s, at);
                return NULL;
            }
            is_blank = cp == 0xA0 || iswspace_l((wint_t)cp, loc);   /* no-break space too */
        }
        if (!is_blank) {
            if (start == SIZE_MAX)
                start = at;
            end = at + n;
        }
        p += n;
    }
    if (start == SIZE_MAX)
        return xf_dup(x, "", 0);
    if (start == 0 && s[end] == '\0')
        return s;
    return xf_dup(x, s + start, end - start);
}

const char *wr_xf_concat(wr_xf *x, const char *a, const char *b)
{
    if (!live(x) || !a || !b)
        return NULL;
    size_t la = strlen(a), lb = strlen(b);
    char *out = xf_alloc(x, la + lb + 1);
    if (!out)
        return NULL;
    memcpy(out, a, la);
    memcpy(out + la, b, lb + 1);
    return out;
}

/* ---- numbers -----------------------------------------------------------------
 * A number is sign * units * 10^-scale, units a string of decimal digits
 * (least significant first, no leading zeros: zero has n == 0), scale >= 0.
 * Exact: nothing here goes through floating point.  Inputs may have up to
 * NUM_OPERAND_MAX digits in plain form (every double's text does);
 * results are held to DEC_MAX_DIGITS, the precision of decimal(38). */

typedef struct num {
    bool neg;
    int scale;
    int n;
    unsigned char d[NUM_WORK];
} num;

typedef enum { NUM_OK, NUM_SYNTAX, NUM_SPECIAL, NUM_TOO_LONG } num_status;

/* Digits of the plain form a decimal(p, s) needs: 12.5 -> 3, 0.05 -> 2. */
static int num_digits(const num *v)
{
    return v->n > v->scale ? v->n : v->scale;
}

static int num_int_digits(const num *v)
{
    return v->n > v->scale ? v->n - v->scale : 0;
}

static bool num_is_zero(const num *v)
{
    return v->n == 0;
}

static void num_trim(num *v)
{
    while (v->n > 0 && v->d[v->n - 1] == 0)
        v->n--;
    if (v->n == 0)
        v->neg = false;
}

/* Is s[0..len) word, in any case (ASCII)? */
static bool ascii_equal_ci_n(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && ascii_prefix_ci(s, word);
}

/* "nan", "inf", "infinity" in any case, with an optional sign, the whole
 * of s[0..len): 1 NaN, 2 +Infinity, -2 -Infinity, 0 none of them. */
static int special_float(const char *s, size_t len)
{
    int sign = 1;
    if (len > 0 && (*s == '+' || *s == '-')) {
        sign = *s == '-' ? -1 : 1;
        s++;
        len--;
    }
    if (ascii_equal_ci_n(s, len, "nan"))
        return 1;
    if (ascii_equal_ci_n(s, len, "inf") || ascii_equal_ci_n(s, len, "infinity"))
        return 2 * sign;
    return 0;
}

/* [+-] (digits [. [digits]] | . digits) [(e|E) [+-] digits], the whole of
 * s[0..len). */
typedef struct num_text {
    bool neg;
    const char *int_digits, *frac_digits;
    size_t int_len, frac_len;
    long exp;
    bool is_exp_huge;         /* |exponent| >= 10^6 (then exp is +-10^6): too
                               * long unless the digits are all zeros */
} num_text;

static bool scan_number(const char *s, size_t len, num_text *t)
{
    const char *p = s, *end = s + len;
    t->neg = p < end && *p == '-';
    if (p < end && (*p == '+' || *p == '-'))
        p++;
    t->int_digits = p;
    while (p < end && is_digit(*p))
        p++;
    t->int_len = (size_t)(p - t->int_digits);
    t->frac_digits = p;
    t->frac_len = 0;
    if (p < end && *p == '.') {
        t->frac_digits = ++p;
        while (p < end && is_digit(*p))
            p++;
        t->frac_len = (size_t)(p - t->frac_digits);
    }
    if (t->int_len == 0 && t->frac_len == 0)
        return false;
    t->exp = 0;
    t->is_exp_huge = false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool neg = p < end && *p == '-';
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return false;
        for (; p < end && is_digit(*p); p++) {
            if (!t->is_exp_huge)
                t->exp = t->exp * 10 + (*p - '0');
            if (t->exp >= 1000000) {
                t->is_exp_huge = true;
                t->exp = 1000000;
            }
        }
        if (neg)
            t->exp = -t->exp;
    }
    return p == end;
}

static num_status num_parse(num *v, const char *s, size_t len)
{
    num_text t;
    if (!scan_number(s, len, &t))
        return special_float(s, len) ? NUM_SPECIAL : NUM_SYNTAX;
    /* the mantissa's digits, leading zeros skipped */
    size_t total = t.int_len + t.frac_len, skip = 0;
    while (skip < total && (skip < t.int_len ? t.int_digits[skip] : t.frac_digits[skip - t.int_len]) == '0')
        skip++;
    long long m = (long long)(total - skip);
    long long scale = (long long)t.frac_len - t.exp;
    long long zeros = scale < 0 && m > 0 ? -scale : 0;   /* appended by a positive exponent */
    if ((t.is_exp_huge && m > 0) || m + zeros > NUM_OPERAND_MAX || scale > NUM_OPERAND_MAX)
        return NUM_TOO_LONG;
    v->neg = t.neg;
    v->scale = scale < 0 ? 0 : (int)scale;
    v->n = (int)(m + zeros);
    int o = 0;
    for (long long i = 0; i < zeros; i++)
        v->d[o++] = 0;
    for (size_t i = total; i-- > skip;)
        v->d[o++] = (unsigned char)((i < t.int_len ? t.int_digits[i] : t.frac_digits[i - t.int_len]) - '0');
    num_trim(v);   /* "-0.00" is 0.00: never a negative zero */
    return NUM_OK;
}

/* The plain text of v: no exponent, exactly v->scale digits after the point. */
static const char *num_format(wr_xf *x, const num *v)
{
    int int_digits = v->n > v->scale ? v->n - v->scale : 1;
    size_t len = (v->neg ? 1u : 0u) + (size_t)int_digits + (v->scale ? 1u + (size_t)v->scale : 0u);
    char *out = xf_alloc(x, len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    if (v->neg)
        out[o++] = '-';
    for (int i = int_digits + v->scale - 1; i >= 0; i--) {
        out[o++] = (char)('0' + (i < v->n ? v->d[i] : 0));
        if (i == v->scale && v->scale > 0)
            out[o++] = '.';
    }
    out[o] = '\0';
    return out;
}

static int mag_cmp(const num *a, const num *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--) {
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    }
    return 0;
}

/* |r| = |a| + |b|; r may be a or b. */
static void mag_add(num *r, const num *a, const num *b)
{
    int n = a->n > b->n ? a->n : b->n, carry = 0;
    for (int i = 0; i < n; i++) {
        int s = (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
        r->d[i] = (unsigned char)(s % 10);
        carry = s / 10;
    }
    if (carry)
        r->d[n++] = (unsigned char)carry;
    r->n = n;
}

/* |r| = |a| - |b| where |a| >= |b|; r may be a. */
static void mag_sub(num *r, const num *a, const num *b)
{
    int borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int s = a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = s < 0;
        r->d[i] = (unsigned char)(s < 0 ? s + 10 : s);
    }
    r->n = a->n;
    while (r->n > 0 && r->d[r->n - 1] == 0)
        r->n--;
}

/* units *= 10^k (the bounds on operands keep n + k within NUM_WORK). */
static void mag_shift(num *v, int k)
{
    if (k <= 0 || v->n == 0)
        return;
    memmove(v->d + k, v->d, (size_t)v->n);
    memset(v->d, 0, (size_t)k);
    v->n += k;
}

/* Gives v the scale s >= v->scale, the value unchanged. */
static void num_rescale_up(num *v, int s)
{
    mag_shift(v, s - v->scale);
    v->scale = s;
}

/* Were any of the digits dropped by going down to scale s not zero? */
static bool num_drops_nonzero(const num *v, int s)
{
    for (int i = 0; i < v->scale - s && i < v->n; i++) {
        if (v->d[i])
            return true;
    }
    return false;
}

/* Rounds v half even to scale s < v->scale. */
static void num_round(num *v, int s)
{
    int k = v->scale - s;
    int first = k - 1 < v->n ? v->d[k - 1] : 0;   /* the most significant dropped digit */
    bool rest = false;
    for (int i = 0; i < k - 1 && i < v->n; i++)
        rest |= v->d[i] != 0;
    int kept_last = k < v->n ? v->d[k] : 0;
    bool up = first > 5 || (first == 5 && (rest || kept_last % 2 == 1));
    if (v->n > k) {
        memmove(v->d, v->d + k, (size_t)(v->n - k));
        v->n -= k;
    } else {
        v->n = 0;
    }
    v->scale = s;
    if (up) {
        int i = 0;
        while (i < v->n && v->d[i] == 9)
            v->d[i++] = 0;
        if (i == v->n)
            v->d[v->n++] = 1;
        else
            v->d[i]++;
    }
    num_trim(v);
}

/* Holds a result to 38 digits.  If it has more, and its integer part
 * still fits in 38 digits, its fraction is rounded half even to what is
 * left (the one rounding besides division's, as SQL Server and Oracle do
 * for decimal(38) results); if the integer part does not fit, overflow. */
static bool num_fit(num *v)
{
    for (int tries = 0; tries < 2; tries++) {
        if (num_digits(v) <= DEC_MAX_DIGITS)
            return true;
        int int_digits = num_int_digits(v);
        if (int_digits > DEC_MAX_DIGITS)
            return false;
        /* Rounding can carry into a new integer digit (9.99 -> 10.0): then
         * once more, which drops only zeros, so the result is as if
         * rounded once. */
        num_round(v, DEC_MAX_DIGITS - int_digits);
    }
    return num_digits(v) <= DEC_MAX_DIGITS;
}

/* r = a + b (exact); r may be a or b. */
static void num_add(num *r, const num *a, const num *b)
{
    num aa = *a, bb = *b;
    int s = aa.scale > bb.scale ? aa.scale : bb.scale;
    num_rescale_up(&aa, s);
    num_rescale_up(&bb, s);
    r->scale = s;
    if (aa.neg == bb.neg) {
        r->neg = aa.neg;
        mag_add(r, &aa, &bb);
    } else if (mag_cmp(&aa, &bb) >= 0) {
        r->neg = aa.neg;
        mag_sub(r, &aa, &bb);
    } else {
        r->neg = bb.neg;
        mag_sub(r, &bb, &aa);
    }
    num_trim(r);
}

static void num_mul(num *r, const num *a, const num *b)
{
    unsigned acc[NUM_WORK];
    int n = a->n + b->n;
    memset(acc, 0, sizeof acc[0] * (size_t)n);
    for (int i = 0; i < a->n; i++) {
        for (int j = 0; j < b->n; j++)
            acc[i + j] += (unsigned)(a->d[i] * b->d[j]);
        /* keep the sums small: carry as we go */
        for (int k = i; k < i + b->n; k++) {
            acc[k + 1] += acc[k] / 10;
            acc[k] %= 10;
        }
    }
    for (int k = 0; k + 1 < n; k++) {
        acc[k + 1] += acc[k] / 10;
        acc[k] %= 10;
    }
    r->neg = a->neg != b->neg;
    r->scale = a->scale + b->scale;
    r->n = n;
    for (int k = 0; k < n; k++)
        r->d[k] = (unsigned char)acc[k];
    num_trim(r);
}

/* q = a / b rounded half even to scale s (b not zero): one rounding, from
 * the exact quotient.  |a| * 10^(s + b.scale - a.scale) / |b| by long
 * division, one decimal digit at a time. */
static void num_div(num *q, const num *a, const num *b, int s)
{
    num dividend, divisor, rem;
    int e = s + b->scale - a->scale;
    dividend = *a;
    dividend.scale = 0;
    mag_shift(&dividend, e);
    divisor = *b;
    divisor.scale = 0;
    mag_shift(&divisor, -e);
    rem.n = 0;
    q->n = dividend.n;
    for (int i = dividend.n - 1; i >= 0; i--) {
        mag_shift(&rem, 1);
        if (rem.n == 0) {
            rem.d[0] = dividend.d[i];
            rem.n = dividend.d[i] ? 1 : 0;
        } else {
            rem.d[0] = dividend.d[i];
        }
        int digit = 0;
        while (mag_cmp(&rem, &divisor) >= 0) {
            mag_sub(&rem, &rem, &divisor);
            digit++;
        }
        q->d[i] = (unsigned char)digit;
    }
    q->scale = s;
    while (q->n > 0 && q->d[q->n - 1] == 0)
        q->n--;
    /* half even: compare twice the remainder with the divisor */
    mag_add(&rem, &rem, &rem);
    int c = mag_cmp(&rem, &divisor);
    if (c > 0 || (c == 0 && q->n > 0 && q->d[0] % 2 == 1)) {
        int i = 0;
        while (i < q->n && q->d[i] == 9)
            q->d[i++] = 0;
        if (i == q->n)
            q->d[q->n++] = 1;
        else
            q->d[i]++;
    }
    q->neg = a->neg != b->neg;
    num_trim(q);
}

/* Parses text[0..len) into n, failing x with a reason that quotes v;
 * false if it failed. */
static bool parse_operand_n(wr_xf *x, num *n, const char *text, size_t len, const char *v)
{
    switch (num_parse(n, text, len)) {
    case NUM_OK:
        return true;
    case NUM_SPECIAL:
        wr_xf_fail(x, "'%s' is not a number (NaN and Infinity have no decimal value)", Q(v));
        return false;
    case NUM_TOO_LONG:
        wr_xf_fail(x, "'%s' has too many digits (at most %d)", Q(v), DEC_MAX_DIGITS);
        return false;
    case NUM_SYNTAX:
        break;
    }
    if (memchr(text, ',', len))
        wr_xf_fail(x, "'%s' is not a number (thousands separators are not accepted)", Q(v));
    else
        wr_xf_fail(x, "'%s' is not a number", Q(v));
    return false;
}

static bool parse_operand(wr_xf *x, num *n, const char *v)
{
    return parse_operand_n(x, n, v, strlen(v), v);
}

/* Surrounding white space (of the C locale) is dropped; the digits are
 * kept as written: "1.50" stays "1.50", "1.5e3" is "1500". */
const char *wr_xf_parse_number(wr_xf *x, const char *s)
{
    if (!live(x) || !s)
        return NULL;
    size_t start = 0, end = strlen(s);
    while (start < end && is_ascii_space(s[start]))
        start++;
    while (end > start && is_ascii_space(s[end - 1]))
        end--;
    num v;
    if (!parse_operand_n(x, &v, s + start, end - start, s))
        return NULL;
    if (num_digits(&v) > DEC_MAX_DIGITS) {
        wr_xf_fail(x, "'%s' has too many digits (%d, at most %d)", Q(s), num_digits(&v), DEC_MAX_DIGITS);
        return NULL;
    }
    return num_format(x, &v);
}

const char *wr_xf_arith(wr_xf *x, char op, const char *a, const char *b)
{
    if (!live(x) || !a || !b)
        return NULL;
    if (op != '+' && op != '-' && op != '*' && op != '/') {
        wr_xf_fail(x, "'%c' is not an arithmetic operator", op);
        return NULL;
    }
    num na, nb, r;
    if (!parse_operand(x, &na, a) || !parse_operand(x, &nb, b))
        return NULL;
    switch (op) {
    case '+':
        num_add(&r, &na, &nb);
        break;
    case '-':
        nb.neg = !nb.neg && !num_is_zero(&nb);
        num_add(&r, &na, &nb);
        break;
    case '*':
        num_mul(&r, &na, &nb);
        break;
    default:
        if (num_is_zero(&nb)) {
            wr_xf_fail(x, "division by zero: '%s' / '%s'", Q(a), Q(b));
            return NULL;
        }
        /* 18 digits after the point, or fewer when the integer part needs
         * the room (then as num_fit does, but from the exact quotient). */
        for (int s = 18;;) {
            num_div(&r, &na, &nb, s);
            if (num_digits(&r) <= DEC_MAX_DIGITS)
                break;
            int int_digits = num_int_digits(&r);
            if (int_digits > DEC_MAX_DIGITS || s == 0)
                goto overflow;
            s = DEC_MAX_DIGITS - int_digits < s - 1 ? DEC_MAX_DIGITS - int_digits : s - 1;
        }
        return num_format(x, &r);
    }
    if (!num_fit(&r))
        goto overflow;
    return num_format(x, &r);
overflow:
    wr_xf_fail(x, "overflow: '%s' %c '%s' has more than %d digits before the point", Q(a), op, Q(b),
               DEC_MAX_DIGITS);
    return NULL;
}

const char *wr_xf_negate(wr_xf *x, const char *a)
{
    if (!live(x) || !a)
        return NULL;
    num v;
    if (!parse_operand(x, &v, a))
        return NULL;
    v.neg = !v.neg && !num_is_zero(&v);
    if (!num_fit(&v)) {
        wr_xf_fail(x, "overflow: -'%s' has more than %d digits before the point", Q(a), DEC_MAX_DIGITS);
        return NULL;
    }
    return num_format(x, &v);
}

/* ---- dates and times ------------------------------------------------------------ */

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b != 0 && (a < 0) != (b < 0) ? q - 1 : q;
}

/* Exactly n digits at p, or -1 (never reads past a NUL). */
static int digits_at(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Microseconds of 0001-01-01 00:00 UTC, and of the instant after 9999-12-31. */
static int64_t first_micros(void)
{
    return (int64_t)wr_date_from_ymd(1, 1, 1).days * MICROS_PER_DAY;
}

static int64_t end_micros(void)
{
    return ((int64_t)wr_date_from_ymd(9999, 12, 31).days + 1) * MICROS_PER_DAY;
}

static int64_t local_micros(int y, int mo, int d, int hh, int mi, int ss, int64_t frac, int zone_minutes)
{
    int64_t seconds = (int64_t)wr_date_from_ymd(y, mo, d).days * 86400 + hh * 3600 + mi * 60 + ss
                    - (int64_t)zone_minutes * 60;
    return seconds * MICROS_PER_SECOND + frac;
}

static const char *out_timestamp(wr_xf *x, int64_t micros)
{
    char text[WR_TIMESTAMP_TEXT_SIZE];
    wr_timestamp_format((wr_timestamp){ micros }, text);
    return xf_dup(x, text, strlen(text));
}

static const char *out_date(wr_xf *x, int64_t micros)
{
    char text[WR_DATE_TEXT_SIZE];
    wr_date_format((wr_date){ (int32_t)floor_div(micros, MICROS_PER_DAY) }, text);
    return xf_dup(x, text, strlen(text));
}

/* A zone at *pp: Z, z, +HH, +HHMM or +HH:MM (or '-').  1: read, in
 * minutes east of UTC; 0: none there; -1: a sign with no valid offset. */
static int scan_zone(const char **pp, int *minutes)
{
    const char *p = *pp;
    *minutes = 0;
    if (*p == 'Z' || *p == 'z') {
        *pp = p + 1;
        return 1;
    }
    if (*p != '+' && *p != '-')
        return 0;
    int sign = *p == '-' ? -1 : 1;
    int hh = digits_at(p + 1, 2), mm = 0;
    if (hh < 0 || hh > 23)
        return -1;
    p += 3;
    if (*p == ':') {
        mm = digits_at(p + 1, 2);
        p += 3;
    } else if (is_digit(*p)) {
        mm = digits_at(p, 2);
        p += 2;
    }
    if (mm < 0 || mm > 59)
        return -1;
    *minutes = sign * (hh * 60 + mm);
    *pp = p;
    return 1;
}

typedef enum { DT_OK, DT_SYNTAX, DT_ZERO, DT_CALENDAR, DT_RANGE } dt_status;

/* YYYY-MM-DD, optionally followed by ' ', 'T' or 't' and HH:MM[:SS[.f]]
 * (1 to 9 digits of fraction) and a zone (Z, +HH, +HHMM, +HH:MM, also
 * after one space as SQL Server writes datetimeoffset).  No zone: UTC. */
static dt_status scan_datetime(const char *s, int64_t *micros, bool *is_submicro)
{
    int y = digits_at(s, 4), mo = -1, d = -1;
    if (y < 0 || s[4] != '-' || (mo = digits_at(s + 5, 2)) < 0 || s[7] != '-'
        || (d = digits_at(s + 8, 2)) < 0)
        return DT_SYNTAX;
    const char *p = s + 10;
    int hh = 0, mi = 0, ss = 0, zone = 0;
    int64_t frac = 0;
    *is_submicro = false;
    if (*p) {
        if (*p != ' ' && *p != 'T' && *p != 't')
            return DT_SYNTAX;
        p++;
        hh = digits_at(p, 2);
        if (hh < 0 || p[2] != ':' || (mi = digits_at(p + 3, 2)) < 0)
            return DT_SYNTAX;
        p += 5;
        if (*p == ':') {
            ss = digits_at(p + 1, 2);
            if (ss < 0)
                return DT_SYNTAX;
            p += 3;
            if (*p == '.') {
                int n = 0;
                for (p++; is_digit(*p); p++, n++) {
                    if (n < 6)
                        frac = frac * 10 + (*p - '0');
                    else if (*p != '0')
                        *is_submicro = true;
                }
                if (n == 0 || n > 9)
                    return DT_SYNTAX;
                for (; n < 6; n++)
                    frac *= 10;
            }
        }
        if (p[0] == ' ' && (p[1] == '+' || p[1] == '-'))
            p++;
        if (scan_zone(&p, &zone) < 0 || *p)
            return DT_SYNTAX;
        if (hh > 23 || mi > 59 || ss > 59)
            return DT_SYNTAX;
    }
    if (y == 0 && mo == 0 && d == 0)
        return DT_ZERO;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return DT_CALENDAR;
    *micros = local_micros(y, mo, d, hh, mi, ss, frac, zone);
    if (*micros < first_micros() || *micros >= end_micros())
        return DT_RANGE;
    return DT_OK;
}

static bool datetime_failed(wr_xf *x, dt_status st, const char *v, const char *what)
{
    switch (st) {
    case DT_OK:
        return false;
    case DT_SYNTAX:
        wr_xf_fail(x, "'%s' is not a %s (YYYY-MM-DD[ HH:MM[:SS[.ffffff]]] with an optional zone Z, "
                   "+HH, +HHMM or +HH:MM)", Q(v), what);
        break;
    case DT_ZERO:
        wr_xf_fail(x, "'%s' is MySQL's zero date, not a day of the calendar", Q(v));
        break;
    case DT_CALENDAR:
        wr_xf_fail(x, "'%s' is not a day of the calendar", Q(v));
        break;
    case DT_RANGE:
        wr_xf_fail(x, "'%s' is out of range (0001-01-01 to 9999-12-31 in UTC)", Q(v));
        break;
    }
    return true;
}

/* ---- parse_date, parse_timestamp ---------------------------------------------------
 * strptime's conversions, parsed here (glibc's strptime takes February 31
 * and ignores what it cannot use).  The whole text must match:
 *   %Y  4 digits           %m  1-2 digits, 1-12     %d  1-2 digits, 1-31
 *   %e  as %d, after an optional space               %y  2 digits: 69-99 19xx, 00-68 20xx
 *   %b %B %h  an English month name, full or 3 letters, any case
 *   %j  1-3 digits, day of the year 1-366           %F  %Y-%m-%d    %%  '%'
 * and with parse_timestamp:
 *   %H  1-2 digits, 0-23   %M  0-59   %S  0-59 (no leap second)   %T  %H:%M:%S
 *   %I  1-2 digits, 1-12, only with %p (AM or PM, any case)
 *   %f  1-9 digits of fraction; past the 6th only zeros
 *   %z  Z, +HH, +HHMM, +HH:MM    %Z  UTC, GMT, UT or Z (no other zone name)
 * White space in the format matches zero or more white space in the text;
 * every other character matches itself.  A year is required; a missing
 * month or day is 1, a missing time 00:00:00, a missing zone UTC. */

typedef enum { PF_OK, PF_MISMATCH, PF_CALENDAR, PF_FORMAT, PF_SUBMICRO, PF_RANGE } pf_status;

typedef struct pf_field {
    bool is_set;
    int value;
} pf_field;

typedef struct pf_state {
    const char *text, *p;
    bool allow_time;
    pf_field year, month, day, yday, hour, hour12, minute, second, pm, zone;
    int64_t micros;
    bool is_submicro;
    pf_status status;
    char why[160];
} pf_state;

static bool pf_fail(pf_state *st, pf_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool pf_fail(pf_state *st, pf_status status, const char *fmt, ...)
{
    st->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->why, sizeof st->why, fmt, ap);
    va_end(ap);
    return false;
}

static size_t pf_at(const pf_state *st)
{
    return (size_t)(st->p - st->text) + 1;
}

/* A field given twice (%F and %d, %j and %m) must agree. */
static bool pf_set(pf_state *st, pf_field *f, int value, char conv)
{
    if (f->is_set && f->value != value)
        return pf_fail(st, PF_MISMATCH, "%%%c disagrees with an earlier conversion at byte %zu", conv,
                       pf_at(st));
    f->is_set = true;
    f->value = value;
    return true;
}

static bool pf_number(pf_state *st, char conv, int min_len, int max_len, int lo, int hi, const char *what,
                      pf_field *f)
{
    const char *p = st->p;
    int v = 0, n = 0;
    while (n < max_len && is_digit(*p)) {
        v = v * 10 + (*p++ - '0');
        n++;
    }
    if (n < min_len || v < lo || v > hi)
        return pf_fail(st, PF_MISMATCH, "%%%c wants %s at byte %zu", conv, what, pf_at(st));
    bool ok = pf_set(st, f, v, conv);
    st->p = p;
    return ok;
}

static const char *const MONTHS[] = { "january", "february", "march",     "april",   "may",      "june",
                                      "july",    "august",   "september", "october", "november", "december" };

static bool pf_match(pf_state *st, const char *fmt)
{
    for (const char *f = fmt; *f; f++) {
        if (is_ascii_space(*f)) {
            while (is_ascii_space(*st->p))
                st->p++;
            continue;
        }
        if (*f != '%') {
            if (*st->p != *f)
                return pf_fail(st, PF_MISMATCH, "the text differs from the format at byte %zu", pf_at(st));
            st->p++;
            continue;
        }
        char c = *++f;   /* pf_check_format has seen that c is allowed */
        bool ok = true;
        switch (c) {
        case '%':
            if (*st->p != '%')
                return pf_fail(st, PF_MISMATCH, "'%%' expected at byte %zu", pf_at(st));
            st->p++;
            break;
        case 'Y':
            ok = pf_number(st, c, 4, 4, 0, 9999, "a year of 4 digits", &st->year);
            break;
        case 'y': {
            pf_field yy = { false, 0 };
            ok = pf_number(st, c, 2, 2, 0, 99, "a year of 2 digits", &yy)
              && pf_set(st, &st->year, yy.value < 69 ? 2000 + yy.value : 1900 + yy.value, c);
            break;
        }
        case 'm':
            ok = pf_number(st, c, 1, 2, 1, 12, "a month, 1 to 12,", &st->month);
            break;
        case 'e':
            if (*st->p == ' ')
                st->p++;
            /* fall through */
        case 'd':
            ok = pf_number(st, c, 1, 2, 1, 31, "a day of the month, 1 to 31,", &st->day);
            break;
        case 'j':
            ok = pf_number(st, c, 1, 3, 1, 366, "a day of the year, 1 to 366,", &st->yday);
            break;
        case 'b':
        case 'B':
        case 'h': {
            int m = 0;
            size_t len = 0;
            for (int i = 0; i < 12 && !m; i++) {
                if (ascii_prefix_ci(st->p, MONTHS[i])) {
                    m = i + 1;
                    len = strlen(MONTHS[i]);
                } else if (ascii_prefix_ci(st->p, (char[4]){ MONTHS[i][0], MONTHS[i][1], MONTHS[i][2], 0 })) {
                    m = i + 1;
                    len = 3;
                }
            }
            if (!m)
                return pf_fail(st, PF_MISMATCH, "%%%c wants a month's name (Jan or January) at byte %zu", c,
                               pf_at(st));
            ok = pf_set(st, &st->month, m, c);
            st->p += len;
            break;
        }
        case 'F':
            ok = pf_match(st, "%Y-%m-%d");
            break;
        case 'T':
            ok = pf_match(st, "%H:%M:%S");
            break;
        case 'H':
            ok = pf_number(st, c, 1, 2, 0, 23, "an hour, 0 to 23,", &st->hour);
            break;
        case 'I':
            ok = pf_number(st, c, 1, 2, 1, 12, "an hour, 1 to 12,", &st->hour12);
            break;
        case 'M':
            ok = pf_number(st, c, 1, 2, 0, 59, "minutes, 0 to 59,", &st->minute);
            break;
        case 'S':
            ok = pf_number(st, c, 1, 2, 0, 59, "seconds, 0 to 59,", &st->second);
            break;
        case 'p': {
            bool am = ascii_prefix_ci(st->p, "AM"), pm = ascii_prefix_ci(st->p, "PM");
            if (!am && !pm)
                return pf_fail(st, PF_MISMATCH, "%%p wants AM or PM at byte %zu", pf_at(st));
            ok = pf_set(st, &st->pm, pm, c);
            st->p += 2;
            break;
        }
        case 'f': {
            int n = 0;
            int64_t micros = 0;
            for (; n < 9 && is_digit(st->p[n]); n++) {
                if (n < 6)
                    micros = micros * 10 + (st->p[n] - '0');
                else if (st->p[n] != '0')
                    st->is_submicro = true;
            }
            if (n == 0)
                return pf_fail(st, PF_MISMATCH, "%%f wants 1 to 9 digits of a second's fraction at byte %zu",
                               pf_at(st));
            for (int i = n; i < 6; i++)
                micros *= 10;
            st->micros = micros;
            st->p += n;
            break;
        }
        case 'z': {
            int minutes;
            if (scan_zone(&st->p, &minutes) != 1)
                return pf_fail(st, PF_MISMATCH, "%%z wants Z, +HH, +HHMM or +HH:MM at byte %zu", pf_at(st));
            ok = pf_set(st, &st->zone, minutes, c);
            break;
        }
        case 'Z': {
            static const char *const UTC_NAMES[] = { "UTC", "GMT", "UT", "Z" };
            size_t len = 0;
            for (size_t i = 0; i < sizeof UTC_NAMES / sizeof UTC_NAMES[0] && !len; i++) {
                if (ascii_prefix_ci(st->p, UTC_NAMES[i]))
                    len = strlen(UTC_NAMES[i]);
            }
            if (!len)
                return pf_fail(st, PF_MISMATCH,
                               "%%Z takes only UTC, GMT, UT or Z at byte %zu (a zone name is ambiguous: "
                               "use %%z for offsets)", pf_at(st));
            ok = pf_set(st, &st->zone, 0, c);
            st->p += len;
            break;
        }
        default:
            return pf_fail(st, PF_FORMAT, "has the unsupported conversion %%%c", c);
        }
        if (!ok)
            return false;
    }
    return true;
}

/* The format's own faults, found whatever the text is: a conversion not
 * in the list, a time in parse_date's format, no year, %I without %p or
 * %p without %I (the compiler can refuse all of these up front). */
static bool pf_check_format(pf_state *st, const char *format)
{
    bool has_year = false, has_i = false, has_p = false;
    for (const char *f = format; *f; f++) {
        if (*f != '%')
            continue;
        char c = *++f;
        if (!c)
            return pf_fail(st, PF_FORMAT, "ends in a lone %%");
        if (strchr("HMSTIpfzZ", c)) {
            if (!st->allow_time)
                return pf_fail(st, PF_FORMAT, "has %%%c, a time: use parse_timestamp", c);
        } else if (!strchr("YmdyeBbhjF%", c)) {
            return pf_fail(st, PF_FORMAT, "has the unsupported conversion %%%c", c);
        }
        has_year |= c == 'Y' || c == 'y' || c == 'F';
        has_i |= c == 'I';
        has_p |= c == 'p';
    }
    if (!has_year)
        return pf_fail(st, PF_FORMAT, "has no year (%%Y, %%y or %%F)");
    if (has_i != has_p)
        return pf_fail(st, PF_FORMAT,
                       has_p ? "has %%p without %%I (a 12-hour clock)" : "has %%I without %%p (AM or PM)");
    return true;
}

/* Parses s with format into *micros (UTC); PF_OK or why not in st. */
static pf_status parse_with_format(pf_state *st, const char *s, const char *format, bool allow_time,
                                   int64_t *micros)
{
    memset(st, 0, sizeof *st);
    st->text = st->p = s;
    st->allow_time = allow_time;
    if (!pf_check_format(st, format) || !pf_match(st, format))
        return st->status;
    if (*st->p) {
        pf_fail(st, PF_MISMATCH, "text left over at byte %zu", pf_at(st));
        return st->status;
    }
    int y = st->year.value;
    int mo = st->month.is_set ? st->month.value : 1, d = st->day.is_set ? st->day.value : 1;
    if (y < 1)
        return PF_CALENDAR;
    if (st->yday.is_set) {
        int left = st->yday.value, m = 1;
        if (left > (is_leap(y) ? 366 : 365))
            return PF_CALENDAR;
        while (left > days_in_month(y, m))
            left -= days_in_month(y, m++);
        if ((st->month.is_set && st->month.value != m) || (st->day.is_set && st->day.value != left)) {
            pf_fail(st, PF_MISMATCH, "the day of the year (%%j) is not the month and day");
            return st->status;
        }
        mo = m;
        d = left;
    }
    if (d > days_in_month(y, mo))
        return PF_CALENDAR;
    int hh = st->hour.is_set ? st->hour.value : 0;
    if (st->hour12.is_set) {
        int h = st->hour12.value % 12 + (st->pm.value ? 12 : 0);
        if (st->hour.is_set && st->hour.value != h) {
            pf_fail(st, PF_MISMATCH, "%%H and %%I disagree");
            return st->status;
        }
        hh = h;
    }
    if (st->is_submicro)
        return PF_SUBMICRO;
    *micros = local_micros(y, mo, d, hh, st->minute.value, st->second.value, st->micros, st->zone.value);
    if (*micros < first_micros() || *micros >= end_micros())
        return PF_RANGE;
    return PF_OK;
}

static const char *parse_dt(wr_xf *x, const char *s, const char *format, bool is_timestamp)
{
    if (!live(x) || !s)
        return NULL;
    if (!format) {
        wr_xf_fail(x, "%s(): no format", is_timestamp ? "parse_timestamp" : "parse_date");
        return NULL;
    }
    pf_state st;
    int64_t micros = 0;
    switch (parse_with_format(&st, s, format, is_timestamp, &micros)) {
    case PF_OK:
        return is_timestamp ? out_timestamp(x, micros) : out_date(x, micros);
    case PF_MISMATCH:
        wr_xf_fail(x, "'%s' does not match the format \"%s\": %s", Q(s), Q(format), st.why);
        break;
    case PF_CALENDAR:
        wr_xf_fail(x, "'%s' is not a day of the calendar", Q(s));
        break;
    case PF_FORMAT:
        wr_xf_fail(x, "the format \"%s\" %s", Q(format), st.why);
        break;
    case PF_SUBMICRO:
        wr_xf_fail(x, "'%s' has digits past the microsecond: sub-microsecond precision would be lost", Q(s));
        break;
    case PF_RANGE:
        wr_xf_fail(x, "'%s' is out of range (0001-01-01 to 9999-12-31 in UTC)", Q(s));
        break;
    }
    return NULL;
}

const char *wr_xf_parse_date(wr_xf *x, const char *s, const char *format)
{
    return parse_dt(x, s, format, false);
}

const char *wr_xf_parse_timestamp(wr_xf *x, const char *s, const char *format)
{
    return parse_dt(x, s, format, true);
}

/* ---- into a field's type -------------------------------------------------------- */

const char *wr_xf_to_text(wr_xf *x, const char *v, unsigned max_chars)
{
    if (!live(x) || !v)
        return NULL;
    size_t chars;
    size_t bad = utf8_check(v, &chars);
    if (bad != SIZE_MAX) {
        fail_utf8(x, v, bad);
        return NULL;
    }
    if (max_chars > 0 && chars > max_chars) {
        wr_xf_fail(x, "'%s' has %zu characters, more than %u", Q(v), chars, max_chars);
        return NULL;
    }
    return v;
}

/* 8-4-4-4-12 hex digits in any case, or the same in braces. */
/* 8-4-4-4-12 lowercase hex digits: the text wr_uuid_format gives. */
static bool is_canonical_uuid(const char *v)
{
    for (int i = 0; i < 36; i++) {
        char c = v[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return v[36] == '\0';
}

const char *wr_xf_to_uuid(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    if (is_canonical_uuid(v))
        return v;   /* already its canonical text (as to_text, no copy) */
    char inner[WR_UUID_TEXT_SIZE];
    size_t len = strnlen(v, 40);
    const char *text = v;
    if (len == 38 && v[0] == '{' && v[37] == '}') {
        memcpy(inner, v + 1, 36);
        inner[36] = '\0';
        text = inner;
    }
    wr_uuid u;
    if (wr_uuid_parse(&u, text, NULL) != WR_OK) {
        wr_xf_fail(x, "'%s' is not a uuid (8-4-4-4-12 hex digits, optionally in braces)", Q(v));
        return NULL;
    }
    char out[WR_UUID_TEXT_SIZE];
    wr_uuid_format(&u, out);
    return xf_dup(x, out, WR_UUID_TEXT_SIZE - 1);
}

/* An integer, also written "12.000" or "1.2e3" when its value is whole;
 * bits: 2 to 64 (32: int, 64: bigint). */
/* v is already an integer as num_format prints it, in range for bits:
 * -?(0|[1-9][0-9]*), no negative zero, at most 18 digits (no overflow). */
static bool is_canonical_int(const char *v, unsigned bits)
{
    const char *p = v + (*v == '-');
    if (*p == '0')
        return p[1] == '\0' && p == v;
    long long n = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (digits == 18)
            return false;
        n = n * 10 + (*p - '0');
    }
    if (*p || digits == 0)
        return false;
    long long max = bits >= 64 ? INT64_MAX : (1LL << (bits - 1)) - 1;
    return *v == '-' ? n - 1 <= max : n <= max;
}

const char *wr_xf_to_int(wr_xf *x, const char *v, unsigned bits)
{
    if (!live(x) || !v)
        return NULL;
    if (bits < 2 || bits > 64) {
        wr_xf_fail(x, "to_int(): %u-bit integers are not supported", bits);
        return NULL;
    }
    if (is_canonical_int(v, bits))
        return v;   /* already its canonical text (as to_text, no copy) */
    num n;
    num_status st = num_parse(&n, v, strlen(v));
    if (st == NUM_SYNTAX || st == NUM_SPECIAL) {
        wr_xf_fail(x, "'%s' is not an integer", Q(v));
        return NULL;
    }
    unsigned __int128 max = ((unsigned __int128)1 << (bits - 1)) - 1;
    long long lo = bits == 64 ? INT64_MIN : -(1LL << (bits - 1));
    unsigned long long hi = (unsigned long long)max;
    if (st == NUM_OK && num_drops_nonzero(&n, 0)) {
        wr_xf_fail(x, "'%s' is not an integer", Q(v));
        return NULL;
    }
    if (st == NUM_OK) {
        if (n.scale > 0)
            num_round(&n, 0);   /* drops only zeros */
        if (n.n <= 20) {
            unsigned __int128 mag = 0;
            for (int i = n.n - 1; i >= 0; i--)
                mag = mag * 10 + n.d[i];
            if (mag <= max + (n.neg ? 1 : 0))
                return num_format(x, &n);
        }
    }
    wr_xf_fail(x, "'%s' is out of range for a %u-bit integer (%lld to %llu)", Q(v), bits, lo, hi);
    return NULL;
}

bool wr_is_decimal_text(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    const char *d = p;
    while (is_digit(*p))
        p++;
    bool has_int = p > d;
    if (*p == '.') {
        const char *f = ++p;
        while (is_digit(*p))
            p++;
        if (p == f)
            return false;
    } else if (!has_int) {
        return false;
    }
    return *p == '\0';
}

int wr_decimal_text_compare(const char *a, const char *b)
{
    bool na = *a == '-', nb = *b == '-';
    a += *a == '-' || *a == '+';
    b += *b == '-' || *b == '+';
    while (*a == '0' && is_digit(a[1]))
        a++;
    while (*b == '0' && is_digit(b[1]))
        b++;
    size_t ia = strspn(a, "0123456789"), ib = strspn(b, "0123456789");
    int mag;   /* |a| vs |b| */
    if (ia != ib) {
        mag = ia < ib ? -1 : 1;
    } else {
        mag = strncmp(a, b, ia);
        const char *fa = a[ia] == '.' ? a + ia + 1 : "", *fb = b[ib] == '.' ? b + ib + 1 : "";
        while (mag == 0 && (*fa || *fb)) {
            char ca = *fa ? *fa++ : '0', cb = *fb ? *fb++ : '0';
            mag = (ca > cb) - (ca < cb);
        }
        mag = (mag > 0) - (mag < 0);
    }
    if (strspn(a, "0.") == strlen(a))
        na = false;   /* -0 is 0 */
    if (strspn(b, "0.") == strlen(b))
        nb = false;
    if (na != nb)
        return na ? -1 : 1;
    return na ? -mag : mag;
}

/* lo <= v <= hi, where v is a field's canonical number and lo and hi are
 * the spec's range literals: exactly, as decimals, when all three are plain
 * decimal text (no rounding through a double: 90.0000000000000001 is
 * outside 90), else as doubles (a float printed with an exponent; NaN is
 * outside every range). */
bool wr_xf_in_range(const char *v, const char *lo, const char *hi)
{
    if (wr_is_decimal_text(v) && wr_is_decimal_text(lo) && wr_is_decimal_text(hi))
        return wr_decimal_text_compare(v, lo) >= 0 && wr_decimal_text_compare(v, hi) <= 0;
    locale_t loc = numeric_locale(), old = (locale_t)0;
    if (loc)
        old = uselocale(loc);
    double d = strtod(v, NULL), l = strtod(lo, NULL), h = strtod(hi, NULL);
    if (loc)
        uselocale(old);
    return d >= l && d <= h;
}

/* A float's canonical text is the first of "%.15g", "%.16g" and "%.17g"
 * that reads back as the same double: a function of the double alone (so
 * equal doubles give equal texts), as short as 15 digits allow, and for
 * most values PostgreSQL's own output (float8out prints the shortest exact
 * text and switches to an exponent where %g does); an unchanged float
 * keeps its row's hash (wr_row_hash) the same. */
static void float_text(double d, char out[32])
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(out, 32, "%.*g", digits, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

/* The same text without strtod or printf when t is plain decimal syntax
 * (no exponent) with 1 to 15 significant digits, the first of them from
 * 10^-4 to 10^14 (where %g prints no exponent): every such decimal reads
 * as a double that prints back to 15 digits as the same decimal, so the
 * text is its own digits, trailing zeros cut.  False: take the long way. */
static bool plain_float_text(const num_text *t, char *out, size_t size)
{
    if (t->exp != 0 || t->int_len + t->frac_len + 4 > size)
        return false;
    size_t len = t->int_len + t->frac_len, first = 0, last = len;
#define DIGIT(i) ((i) < t->int_len ? t->int_digits[(i)] : t->frac_digits[(i) - t->int_len])
    while (first < len && DIGIT(first) == '0')
        first++;
    size_t o = 0;
    if (t->neg)
        out[o++] = '-';
    if (first == len) {   /* zero: "0", or "-0" for a negative zero */
        out[o++] = '0';
        out[o] = '\0';
        return true;
    }
    while (DIGIT(last - 1) == '0')
        last--;
    long exponent = (long)t->int_len - 1 - (long)first;
    if (last - first > 15 || exponent < -4 || exponent > 14)
        return false;
    if (exponent < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (long k = -1; k > exponent; k--)
            out[o++] = '0';
    }
    for (size_t i = first; i < last || i < t->int_len; i++) {
        if (i == t->int_len && exponent >= 0)
            out[o++] = '.';
        out[o++] = DIGIT(i);
    }
#undef DIGIT
    out[o] = '\0';
    return true;
}

/* strtod over the whole text, decimal syntax only (no hex, no blanks);
 * NaN, Inf and Infinity in any case with a sign. */
const char *wr_xf_to_float(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    int special = special_float(v, strlen(v));
    if (special)
        return special == 1 ? "NaN" : special > 0 ? "Infinity" : "-Infinity";
    num_text t;
    if (!scan_number(v, strlen(v), &t)) {
        wr_xf_fail(x, "'%s' is not a floating-point number", Q(v));
        return NULL;
    }
    char text[40];
    if (plain_float_text(&t, text, sizeof text))
        return xf_dup(x, text, strlen(text));
    locale_t loc = numeric_locale(), old = (locale_t)0;
    if (loc)
        old = uselocale(loc);
    errno = 0;
    char *end;
    double d = strtod(v, &end);
    int e = errno;
    float_text(d, text);
    if (loc)
        uselocale(old);
    if (*end) {   /* cannot happen after scan_number, unless LC_NUMERIC differs */
        wr_xf_fail(x, "'%s' is not a floating-point number", Q(v));
        return NULL;
    }
    if (isinf(d) || (e == ERANGE && d == 0)) {
        wr_xf_fail(x, "'%s' is out of range for a floating-point number", Q(v));
        return NULL;
    }
    return xf_dup(x, text, strlen(text));
}

/* v is already the text num_format would give for decimal(precision,
 * scale): -?(0|[1-9][0-9]*), then '.' and exactly `scale` digits when
 * scale > 0, no more integer digits than fit, and not a negative zero.
 * Most source decimals are (a DECIMAL(12,2) column prints so), and
 * checking is much cheaper than parsing and formatting again. */
static bool is_canonical_decimal(const char *v, unsigned precision, unsigned scale)
{
    const char *p = v + (*v == '-');
    bool is_zero = true;
    size_t int_digits = 0;
    if (*p == '0') {
        p++;
    } else {
        while (*p >= '0' && *p <= '9')
            p++, int_digits++;
        if (int_digits == 0)
            return false;
        is_zero = false;
    }
    if (int_digits > precision - scale)
        return false;
    if (scale > 0) {
        if (*p++ != '.')
            return false;
        for (unsigned i = 0; i < scale; i++, p++) {
            if (*p < '0' || *p > '9')
                return false;
            is_zero = is_zero && *p == '0';
        }
    }
    return *p == '\0' && !(*v == '-' && is_zero);
}

const char *wr_xf_to_decimal(wr_xf *x, const char *v, unsigned precision, unsigned scale, bool is_rounded)
{
    if (!live(x) || !v)
        return NULL;
    if (precision >= 1 && precision <= DEC_MAX_DIGITS && scale <= precision && is_canonical_decimal(v, precision, scale))
        return v;   /* already its canonical text (as to_text, no copy) */
    if (precision < 1 || precision > DEC_MAX_DIGITS || scale > precision) {
        wr_xf_fail(x, "decimal(%u,%u) is not a valid type (precision 1 to 38, scale at most the precision)",
                   precision, scale);
        return NULL;
    }
    num n;
    switch (num_parse(&n, v, strlen(v))) {
    case NUM_OK:
        break;
    case NUM_TOO_LONG:
        wr_xf_fail(x, "'%s' does not fit decimal(%u,%u)", Q(v), precision, scale);
        return NULL;
    default:
        wr_xf_fail(x, "'%s' is not a number", Q(v));
        return NULL;
    }
    int s = (int)scale;
    if (n.scale > s) {
        if (!is_rounded && num_drops_nonzero(&n, s)) {
            wr_xf_fail(x, "'%s' has more than %u digit%s after the point", Q(v), scale, scale == 1 ? "" : "s");
            return NULL;
        }
        num_round(&n, s);   /* without is_rounded: drops only zeros */
    } else {
        num_rescale_up(&n, s);
    }
    if (num_int_digits(&n) > (int)(precision - scale)) {
        wr_xf_fail(x, "'%s' does not fit decimal(%u,%u): more than %u digit%s before the point", Q(v), precision,
                   scale, precision - scale, precision - scale == 1 ? "" : "s");
        return NULL;
    }
    return num_format(x, &n);
}

/* 1/0, t/f, true/false, yes/no, y/n in any case (nothing else, no blanks). */
const char *wr_xf_to_bool(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    static const char *const TRUE_WORDS[] = { "1", "t", "true", "y", "yes" };
    static const char *const FALSE_WORDS[] = { "0", "f", "false", "n", "no" };
    for (size_t i = 0; i < sizeof TRUE_WORDS / sizeof TRUE_WORDS[0]; i++) {
        if (ascii_equal_ci(v, TRUE_WORDS[i]))
            return "true";
        if (ascii_equal_ci(v, FALSE_WORDS[i]))
            return "false";
    }
    wr_xf_fail(x, "'%s' is not a boolean (true/false, t/f, yes/no, y/n, 1/0)", Q(v));
    return NULL;
}

/* A date, or the UTC calendar day of a date and time. */
/* v is already YYYY-MM-DD, a real day of the years 0001 to 9999: the
 * text out_date prints for it. */
static bool is_canonical_date(const char *v)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? v[i] != '-' : !(v[i] >= '0' && v[i] <= '9'))
            return false;
    if (v[10] != '\0')
        return false;
    int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    int m = (v[5] - '0') * 10 + (v[6] - '0'), d = (v[8] - '0') * 10 + (v[9] - '0');
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool is_leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && is_leap);
}

const char *wr_xf_to_date(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    if (is_canonical_date(v))
        return v;   /* already its canonical text (as to_text, no copy) */
    int64_t micros = 0;
    bool is_submicro;   /* the day does not depend on it */
    if (datetime_failed(x, scan_datetime(v, &micros, &is_submicro), v, "date"))
        return NULL;
    return out_date(x, micros);
}

const char *wr_xf_to_timestamp(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    int64_t micros = 0;
    bool is_submicro;
    if (datetime_failed(x, scan_datetime(v, &micros, &is_submicro), v, "timestamp"))
        return NULL;
    if (is_submicro) {
        wr_xf_fail(x, "'%s' has digits past the microsecond: sub-microsecond precision would be lost", Q(v));
        return NULL;
    }
    return out_timestamp(x, micros);
}

/* Any JSON value (JSON_DECODE_ANY), as jansson parses it.  Integers are
 * read as reals (JSON_DECODE_INT_AS_REAL) so that one past int64 is not
 * refused: the value is only checked, v itself is returned.  Still
 * refused: numbers past a double's range (1e400), "\u0000" (PostgreSQL's
 * jsonb refuses it too) and nesting deeper than jansson's 2048. */
const char *wr_xf_to_json(wr_xf *x, const char *v)
{
    if (!live(x) || !v)
        return NULL;
    json_error_t e;
    json_t *j = json_loads(v, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &e);
    if (!j) {
        wr_xf_fail(x, "'%s' is not JSON: %s at line %d, column %d (byte %d)", Q(v), e.text, e.line, e.column,
                   e.position);
        return NULL;
    }
    json_decref(j);
    return v;
}

const char *wr_xf_to_enum(wr_xf *x, const char *v, const char *const *values)
{
    if (!live(x) || !v)
        return NULL;
    size_t n = 0;
    for (; values && values[n]; n++) {
        if (strcmp(v, values[n]) == 0)
            return v;
    }
    char list[QUOTE_SIZE * 2] = "";
    size_t o = 0;
    for (size_t i = 0; i < n && i < ENUM_LISTED; i++) {
        int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", Q(values[i]));
        o = w < 0 || (size_t)w >= sizeof list - o ? sizeof list - 1 : o + (size_t)w;
    }
    if (n > ENUM_LISTED && o + 5 < sizeof list)
        snprintf(list + o, sizeof list - o, ", ...");
    wr_xf_fail(x, "'%s' is not one of %s", Q(v), n ? list : "(no values)");
    return NULL;
}
