/* test_errors.c - the corpus of broken specs (tests/errors/NNN-name.wmap).  Each
 * file says which diagnostics it must produce, one comment per line:
 *
 *   # expect: LINE:COL: error: MESSAGE          (in this file)
 *   # expect: PATH:LINE:COL: warning: MESSAGE   (in a file it imports)
 *
 * and the errors and warnings the front end gives for it must be exactly
 * those: nothing missing, nothing extra, nothing twice.  Files in
 * subdirectories (tests/errors/inc/) are helpers that tests import, not
 * cases.  Run from the repository root. */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suites.h"

#define CORPUS_DIR "tests/errors"
#define EXPECT_TAG "# expect:"

enum { MIN_CASES = 40 };

/* ---- the list of cases -------------------------------------------------- */

static char **cases;    /* "tests/errors/NNN-name.wmap", sorted */
static size_t n_cases;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_case(const char *dir, const char *name)
{
    size_t len = strlen(name);
    if (len <= 5 || strcmp(name + len - 5, ".wmap") != 0)
        return false;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int list_cases(void)
{
    DIR *d = opendir(CORPUS_DIR);
    if (!d)
        return 0; /* the count test reports it */
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_case(CORPUS_DIR, e->d_name))
            continue;
        if (n_cases == cap) {
            cap = cap ? 2 * cap : 64;
            char **bigger = realloc(cases, cap * sizeof *cases);
            if (!bigger)
                break;
            cases = bigger;
        }
        size_t size = strlen(CORPUS_DIR) + 1 + strlen(e->d_name) + 1;
        cases[n_cases] = malloc(size);
        if (!cases[n_cases])
            break;
        snprintf(cases[n_cases++], size, "%s/%s", CORPUS_DIR, e->d_name);
    }
    closedir(d);
    if (n_cases > 1)
        qsort(cases, n_cases, sizeof *cases, by_name);
    return 0;
}

static int free_cases(void)
{
    for (size_t i = 0; i < n_cases; i++)
        free(cases[i]);
    free(cases);
    cases = NULL;
    n_cases = 0;
    return 0;
}

/* ---- reporting -------------------------------------------------------- */

/* A CUnit failure whose text says what went wrong (CUnit copies it). */
static void fail(unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(unsigned line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    CU_assertImplementation(CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

static const char *severity_name(wm_severity s)
{
    return s == WM_ERROR ? "error" : s == WM_WARNING ? "warning" : "note";
}

/* ---- expectations ------------------------------------------------------- */

typedef struct {
    char *path;         /* the file the diagnostic is in, as the compiler prints it */
    unsigned line, col;
    wm_severity severity;
    char *message;
    bool is_matched;
} expectation;

typedef struct {
    expectation *items;
    size_t len;
    int n_malformed;
} expectations;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    for (size_t k; buf && (k = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += k;
        if (n == cap) {
            char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static char *copy(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

/* "LINE:COL: " at s: the position and where the severity starts, or NULL. */
static const char *parse_position(const char *s, unsigned *line, unsigned *col)
{
    char *end;
    if (!isdigit((unsigned char)*s))
        return NULL;
    unsigned long l = strtoul(s, &end, 10);
    if (*end != ':' || !isdigit((unsigned char)end[1]))
        return NULL;
    unsigned long c = strtoul(end + 1, &end, 10);
    if (end[0] != ':' || end[1] != ' ')
        return NULL;
    *line = (unsigned)l;
    *col = (unsigned)c;
    return end + 2;
}

/* One expectation from the text after the tag; false if it is malformed. */
static bool parse_expectation(const char *text, size_t len, const char *self, expectation *out)
{
    memset(out, 0, sizeof *out);
    char *t = copy(text, len);
    if (!t)
        return false;
    size_t n = strlen(t);
    while (n && isspace((unsigned char)t[n - 1]))  /* no message ends in a space */
        t[--n] = '\0';
    const char *s = t;
    while (*s == ' ')
        s++;

    const char *rest = parse_position(s, &out->line, &out->col);
    const char *path_end = s;
    for (const char *c = s; !rest && (c = strchr(c, ':')) != NULL; c++) {
        rest = parse_position(c + 1, &out->line, &out->col);
        path_end = c;
    }
    bool ok = rest != NULL;
    if (ok) {
        if (strncmp(rest, "error: ", 7) == 0) {
            out->severity = WM_ERROR;
            rest += 7;
        } else if (strncmp(rest, "warning: ", 9) == 0) {
            out->severity = WM_WARNING;
            rest += 9;
        } else {
            ok = false;
        }
    }
    if (ok) {
        out->path = path_end == s ? copy(self, strlen(self)) : copy(s, (size_t)(path_end - s));
        out->message = copy(rest, strlen(rest));
        ok = out->path && out->message && *out->message;
    }
    free(t);
    return ok;
}

/* Every "# expect:" line of the file's bytes; the rest may be anything. */
static void read_expectations(const char *path, const char *data, size_t len, expectations *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    unsigned line_no = 1;
    for (const char *line = data; line < data + len; line_no++) {
        const char *nl = memchr(line, '\n', (size_t)(data + len - line));
        const char *end = nl ? nl : data + len;
        size_t line_len = (size_t)(end - line);
        const size_t tag_len = strlen(EXPECT_TAG);
        const char *tag = NULL;
        for (size_t i = 0; i + tag_len <= line_len && !tag; i++)
            if (memcmp(line + i, EXPECT_TAG, tag_len) == 0)
                tag = line + i;
        if (tag) {
            if (out->len == cap) {
                cap = cap ? 2 * cap : 8;
                expectation *bigger = realloc(out->items, cap * sizeof *out->items);
                if (!bigger)
                    return;
                out->items = bigger;
            }
            const char *text = tag + tag_len;
            if (parse_expectation(text, (size_t)(end - text), path, &out->items[out->len])) {
                out->len++;
            } else {
                free(out->items[out->len].path);
                free(out->items[out->len].message);
                fprintf(stderr, "%s:%u: malformed expectation: %.*s\n", path, line_no,
                        (int)line_len, line);
                out->n_malformed++;
            }
        }
        line = nl ? nl + 1 : data + len;
    }
}

static void free_expectations(expectations *ex)
{
    for (size_t i = 0; i < ex->len; i++) {
        free(ex->items[i].path);
        free(ex->items[i].message);
    }
    free(ex->items);
}

/* ---- running one case --------------------------------------------------- */

static const char *path_of(const wm_diag *d)
{
    const wm_source *src = wm_diag_loc(d).src;
    return src ? src->path : "wellosc";
}

static bool matches(const expectation *e, const wm_diag *d)
{
    wm_loc l = wm_diag_loc(d);
    return !e->is_matched && e->line == l.line && e->col == l.col
           && e->severity == wm_diag_severity(d) && strcmp(e->path, path_of(d)) == 0
           && strcmp(e->message, wm_diag_message(d)) == 0;
}

/* A position as the corpus writes it: LINE:COL in the case's own file. */
static void print_position(const char *self, const char *path, unsigned line, unsigned col)
{
    if (strcmp(path, self) == 0)
        fprintf(stderr, "%u:%u", line, col);
    else
        fprintf(stderr, "%s:%u:%u", path, line, col);
}

/* Load and analyze one case, diagnostics sorted; the caller frees *arena. */
static void check_case(const char *path, wm_frontend *f, wm_arena **arena)
{
    *arena = wm_arena_new();
    wm_frontend_init(f, *arena);
    wm_load_file(f, path);
    wm_analyze(f);
    wm_diags_sort(&f->diags);
}

/* Pair each diagnostic with one expectation (a diagnostic given twice needs
 * two); print and fail on what is left over on either side. */
static void compare(const char *path, const wm_diags *diags, expectations *ex)
{
    size_t n = wm_diags_count(diags);
    bool *is_expected = calloc(n + 1, sizeof *is_expected);
    if (!is_expected) {
        fail(__LINE__, "%s: out of memory", path);
        return;
    }
    bool differs = false;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < ex->len && !is_expected[i]; k++)
            if (matches(&ex->items[k], wm_diags_at(diags, i)))
                ex->items[k].is_matched = is_expected[i] = true;
        differs |= !is_expected[i];
    }
    for (size_t k = 0; k < ex->len; k++)
        differs |= !ex->items[k].is_matched;

    if (differs)
        fprintf(stderr, "\n%s: the diagnostics differ\n", path);
    for (size_t k = 0; k < ex->len; k++) {
        const expectation *e = &ex->items[k];
        if (e->is_matched)
            continue;
        fputs("  expected: ", stderr);
        print_position(path, e->path, e->line, e->col);
        fprintf(stderr, ": %s: %s\n", severity_name(e->severity), e->message);
        fail(__LINE__, "%s: missing %u:%u: %s", path, e->line, e->col, e->message);
    }
    for (size_t i = 0; i < n; i++) {
        if (is_expected[i])
            continue;
        const wm_diag *d = wm_diags_at(diags, i);
        wm_loc l = wm_diag_loc(d);
        fputs("  got:      ", stderr);
        print_position(path, path_of(d), l.line, l.col);
        fprintf(stderr, ": %s: %s\n", severity_name(wm_diag_severity(d)), wm_diag_message(d));
        fail(__LINE__, "%s: unexpected %u:%u: %s", path, (unsigned)l.line, (unsigned)l.col,
             wm_diag_message(d));
    }
    free(is_expected);
}

static void run_case(const char *path)
{
    size_t len = 0;
    char *data = read_all(path, &len);
    if (!data) {
        fail(__LINE__, "%s: cannot read the case", path);
        return;
    }
    expectations ex;
    read_expectations(path, data, len, &ex);
    free(data);
    for (int i = 0; i < ex.n_malformed; i++)
        fail(__LINE__, "%s: malformed '# expect:' line", path);
    if (ex.len == 0 && ex.n_malformed == 0) {
        fprintf(stderr, "%s: no '# expect:' lines; a case must say what it expects\n", path);
        fail(__LINE__, "%s: no expectations", path);
    }

    wm_arena *arena;
    wm_frontend f;
    check_case(path, &f, &arena);
    compare(path, &f.diags, &ex);
    free_expectations(&ex);
    wm_arena_free(arena);
}

/* ---- the tests ---------------------------------------------------------- */

static void test_corpus_is_large_enough(void)
{
    if (n_cases < MIN_CASES)
        fprintf(stderr, "%s: %zu cases; at least %d are wanted\n", CORPUS_DIR, n_cases, MIN_CASES);
    CU_ASSERT(n_cases >= MIN_CASES);
}

static void test_each_case_gives_exactly_its_diagnostics(void)
{
    for (size_t i = 0; i < n_cases; i++)
        run_case(cases[i]);
}

/* Whatever a case expects, no diagnostic may point before the file's start. */
static void test_every_diagnostic_has_a_position(void)
{
    for (size_t i = 0; i < n_cases; i++) {
        wm_arena *arena;
        wm_frontend f;
        check_case(cases[i], &f, &arena);
        for (size_t k = 0; k < wm_diags_count(&f.diags); k++) {
            const wm_diag *d = wm_diags_at(&f.diags, k);
            wm_loc l = wm_diag_loc(d);
            if (l.line >= 1 && l.col >= 1)
                continue;
            fprintf(stderr, "%s: diagnostic without a position: %s:%u:%u: %s\n", cases[i],
                    path_of(d), (unsigned)l.line, (unsigned)l.col, wm_diag_message(d));
            fail(__LINE__, "%s: '%s' at line %u, column %u", cases[i], wm_diag_message(d),
                 (unsigned)l.line, (unsigned)l.col);
        }
        wm_arena_free(arena);
    }
}

int register_errors_tests(void)
{
    CU_pSuite s = CU_add_suite("errors", list_cases, free_cases);
    if (!s)
        return -1;
    if (!CU_add_test(s, "the corpus has at least 40 cases", test_corpus_is_large_enough)
        || !CU_add_test(s, "each case gives exactly its expected diagnostics",
                        test_each_case_gives_exactly_its_diagnostics)
        || !CU_add_test(s, "every diagnostic has a line and a column",
                        test_every_diagnostic_has_a_position))
        return -1;
    return 0;
}
