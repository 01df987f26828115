/* wr_xf_number.c - the transforms into numbers (wr.h, "transforms of sync
 * agents"; the rules every transform keeps are wr_transform.c's):
 * parse_number, arithmetic, negation, to_int, to_float, to_decimal, and
 * the exact decimal comparison of range checks (wr_xf_in_range).
 *
 * Must never: go through floating point for a decimal, or round what the
 * caller did not ask to be rounded (arith's division and to_decimal's
 * `rounded` are the two places that do). */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wr_xf_internal.h"

enum {
    DEC_MAX_DIGITS = 38,   /* of every number a transform returns */
    NUM_OPERAND_MAX = 400, /* digits of a number's plain form on input: every double fits */
    NUM_WORK = 1024,       /* digits of intermediate results (products, dividends) */
};

/* ---- the numbers
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

/* An integer, also written "12.000" or "1.2e3" when its value is whole;
 * bits: 2 to 64 (32: int, 64: bigint). */
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
    locale_t loc = wr_xf_numeric_locale(), old = (locale_t)0;
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
    locale_t loc = wr_xf_numeric_locale(), old = (locale_t)0;
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

