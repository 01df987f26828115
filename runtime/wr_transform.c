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
 * whatever the locale says.
 *
 * Numbers are in wr_xf_number.c, dates and times in wr_xf_time.c; what
 * the three files share is in wr_xf_internal.h. */
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include <jansson.h>

#include "wr_xf_internal.h"

enum { ENUM_LISTED = 8 };   /* values a to_enum reason lists */

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

locale_t wr_xf_numeric_locale(void)
{
    pthread_once(&locale_once, locale_init);
    return utf8_ctype ? utf8_ctype : posix_numeric;
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

/* (wr_xf_internal.h) */
const char *wr_xf_quote(quoted *q, const char *s)
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

/* 8-4-4-4-12 hex digits in any case, or the same in braces. */
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
