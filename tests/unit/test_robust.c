/* test_robust.c - the front end on damaged and hostile specs.  Every spec
 * of specs/ and examples/ is cut at every length and corrupted in seeded
 * pseudo-random ways; a handful of hostile inputs push every limit (nesting,
 * identifier and string length, very long lines, lists of ten thousands).
 * Each run must return (ASan aborts the binary on a memory error or a stack
 * overflow, which is the point) and keep two promises: a spec that does not
 * analyze has at least one error, and every located diagnostic points at
 * line >= 1, column >= 1.  Imports are refused, as in the fuzzer
 * (tests/fuzz/fuzz_frontend.c), so nothing here reads the file system but
 * the specs themselves.  Run from the repository root. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"

/* ---- running the front end --------------------------------------------- */

static FILE *devnull;

typedef struct {
    bool is_analyzed;           /* wm_analyze returned a model */
    int errors, warnings;
    const char *broken;         /* the promise this run broke, or NULL */
    bool has_match;             /* an error contains every wanted word */
    wm_loc match_loc;           /* where the first such error is */
    size_t n_enum_values;       /* of the first entity's last field (hostile enum) */
    size_t n_map_entries;       /* of the first mapping's last field (hostile value map) */
    double seconds;
} outcome;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool contains_all(const char *msg, const char *const *words)
{
    for (; words && *words; words++)
        if (!strstr(msg, *words))
            return false;
    return true;
}

/* Load, analyze and print (into /dev/null) one spec held in memory. `want`
 * is a NULL-terminated list of words an error should contain, or NULL. */
static outcome run(const char *data, size_t len, const char *const *want)
{
    outcome o;
    memset(&o, 0, sizeof o);
    double start = now();
    wm_arena *arena = wm_arena_new();
    wm_frontend f;
    wm_frontend_init(&f, arena);
    f.is_import_allowed = false;
    wm_load_buffer(&f, "robust.wmap", data, len);
    wm_model *m = wm_analyze(&f);
    o.is_analyzed = m != NULL;
    o.errors = f.diags.errors;
    o.warnings = f.diags.warnings;
    if (m && m->n_entities > 0 && m->entities[0]->n_fields > 0) {
        const wm_entity *e = m->entities[0];
        o.n_enum_values = e->fields[e->n_fields - 1]->type.n_enum_values;
    }
    if (m && m->n_tenants > 0 && m->tenants[0]->n_mappings > 0) {
        const wm_mapping *mp = &m->tenants[0]->mappings[0];
        if (mp->n_fields > 0 && mp->fields[mp->n_fields - 1].value_map)
            o.n_map_entries = mp->fields[mp->n_fields - 1].value_map->n_entries;
    }
    if (!m && f.diags.errors == 0)
        o.broken = "wm_analyze returned NULL without an error";
    wm_diags_print(&f.diags, devnull, 0); /* sorts: the printer is exercised too */
    for (size_t i = 0; i < wm_diags_count(&f.diags); i++) {
        const wm_diag *d = wm_diags_at(&f.diags, i);
        wm_loc loc = wm_diag_loc(d);
        if (loc.src && (loc.line < 1 || loc.col < 1) && !o.broken)
            o.broken = "a diagnostic is located at line 0 or column 0";
        if (want && !o.has_match && wm_diag_severity(d) == WM_ERROR
            && contains_all(wm_diag_message(d), want)) {
            o.has_match = true;
            o.match_loc = loc;
        }
    }
    wm_arena_free(arena);
    o.seconds = now() - start;
    return o;
}

/* ---- the specs ----------------------------------------------------------- */

typedef struct {
    char *name;
    char *data;
    size_t len;
} spec_file;

enum { MAX_SPECS = 256 };
static spec_file specs[MAX_SPECS];
static size_t n_specs;
static size_t n_from_dir[2];    /* specs/, examples/ */

static bool read_all(const char *path, char **data, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n == cap)
            buf = realloc(buf, cap *= 2);
        size_t k = fread(buf + n, 1, cap - n, in);
        n += k;
        if (k == 0)
            break;
    }
    bool ok = !ferror(in);
    fclose(in);
    if (!ok) {
        free(buf);
        return false;
    }
    *data = buf;
    *len = n;
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const spec_file *)a)->name, ((const spec_file *)b)->name);
}

static void add_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t first = n_specs;
    for (struct dirent *de; (de = readdir(d)) != NULL && n_specs < MAX_SPECS;) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".wmap") != 0)
            continue;
        spec_file *s = &specs[n_specs];
        size_t pl = strlen(dir) + 1 + nl + 1;
        s->name = malloc(pl);
        snprintf(s->name, pl, "%s/%s", dir, de->d_name);
        if (read_all(s->name, &s->data, &s->len)) {
            n_specs++;
            (*count)++;
        } else {
            free(s->name);
        }
    }
    closedir(d);
    qsort(specs + first, n_specs - first, sizeof *specs, by_name);
}

/* One more input: every spec of specs/ followed by every example with its
 * imports turned into comments, so that the examples' tenants resolve and
 * damage reaches every check of sema, not only the loader's. */
static void add_combined(void)
{
    size_t total = 0;
    for (size_t i = 0; i < n_specs; i++)
        total += specs[i].len + 1;
    if (n_specs == 0 || n_specs >= MAX_SPECS)
        return;
    char *buf = malloc(total + 1);
    size_t n = 0;
    for (size_t i = 0; i < n_specs; i++) {
        char *part = buf + n;
        memcpy(part, specs[i].data, specs[i].len);
        n += specs[i].len;
        buf[n++] = '\n';
        for (char *c = part; c < buf + n; c++)
            if ((c == part || c[-1] == '\n') && strncmp(c, "import", 6) == 0)
                *c = '#';
    }
    spec_file *s = &specs[n_specs++];
    s->name = strdup("(specs and examples combined)");
    s->data = buf;
    s->len = n;
}

static int suite_init(void)
{
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        return 1;
    add_dir("specs", &n_from_dir[0]);
    add_dir("examples", &n_from_dir[1]);
    add_combined();
    return 0;
}

static int suite_cleanup(void)
{
    for (size_t i = 0; i < n_specs; i++) {
        free(specs[i].name);
        free(specs[i].data);
    }
    n_specs = 0;
    n_from_dir[0] = n_from_dir[1] = 0;
    if (devnull)
        fclose(devnull);
    devnull = NULL;
    return 0;
}

static void report_broken(const char *name, const char *how, const outcome *o)
{
    fprintf(stderr, "\n  robust: %s, %s: %s\n", name, how, o->broken);
}

static void test_specs_found(void)
{
    CU_ASSERT(n_from_dir[0] >= 1); /* run the tests from the repository root */
    CU_ASSERT(n_from_dir[1] >= 1);
    /* the originals themselves: they analyze but for the refused imports */
    for (size_t i = 0; i < n_specs; i++) {
        outcome o = run(specs[i].data, specs[i].len, NULL);
        CU_ASSERT_PTR_NULL(o.broken);
        if (strncmp(specs[i].name, "(", 1) == 0 || strncmp(specs[i].name, "specs/", 6) == 0)
            CU_ASSERT(o.is_analyzed);
    }
}

/* ---- (a) every truncation ------------------------------------------------ */

enum { EVERY_PREFIX_UP_TO = 8 * 1024, PREFIX_STEP = 7 };

static void test_truncations(void)
{
    size_t runs = 0, broken = 0;
    for (size_t i = 0; i < n_specs; i++) {
        const spec_file *s = &specs[i];
        size_t step = s->len <= EVERY_PREFIX_UP_TO ? 1 : PREFIX_STEP;
        for (size_t len = 0;; len += step) {
            if (len > s->len)
                len = s->len;
            outcome o = run(s->data, len, NULL);
            runs++;
            if (o.broken && broken++ < 5) {
                char how[64];
                snprintf(how, sizeof how, "cut at %zu bytes", len);
                report_broken(s->name, how, &o);
            }
            if (len == s->len)
                break;
        }
    }
    CU_ASSERT(runs > 0);
    CU_ASSERT_EQUAL(broken, 0);
}

/* ---- (b) seeded corruptions ---------------------------------------------- */

/* xorshift64*: the same sequence on every platform and every run. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static size_t rng_below(size_t n) { return n ? (size_t)(rng_next() % n) : 0; }

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static void reserve(buffer *b, size_t more)
{
    if (b->len + more <= b->cap)
        return;
    while (b->len + more > b->cap)
        b->cap = b->cap ? 2 * b->cap : 4096;
    b->data = realloc(b->data, b->cap);
}

static void insert_at(buffer *b, size_t at, const char *bytes, size_t n)
{
    reserve(b, n);
    memmove(b->data + at + n, b->data + at, b->len - at);
    memcpy(b->data + at, bytes, n);
    b->len += n;
}

/* One corruption: flip a byte, insert a byte (0x00 and 0xFF often),
 * delete a byte, or duplicate a range. */
static void corrupt(buffer *b)
{
    switch (rng_below(4)) {
    case 0:
        if (b->len)
            b->data[rng_below(b->len)] ^= (char)(1 + rng_below(255));
        break;
    case 1: {
        static const unsigned char special[] = { 0x00, 0xFF, 0x80, 0xC0, '\n', '"', '`', '(', '{', '}', '\\' };
        char c = rng_below(2) ? (char)special[rng_below(sizeof special)] : (char)rng_below(256);
        insert_at(b, rng_below(b->len + 1), &c, 1);
        break;
    }
    case 2:
        if (b->len) {
            size_t at = rng_below(b->len);
            memmove(b->data + at, b->data + at + 1, b->len - at - 1);
            b->len--;
        }
        break;
    default:
        if (b->len) {
            size_t from = rng_below(b->len);
            size_t n = 1 + rng_below(b->len - from < 256 ? b->len - from : 256);
            char *copy = malloc(n);
            memcpy(copy, b->data + from, n);
            insert_at(b, rng_below(b->len + 1), copy, n);
            free(copy);
        }
        break;
    }
}

enum { N_CORRUPTIONS = 2000 };

static void test_corruptions(void)
{
    rng_state = 0x5EED0F5EC5ULL;
    buffer b = { 0 };
    size_t broken = 0, analyzed = 0;
    for (size_t k = 0; k < N_CORRUPTIONS && n_specs; k++) {
        const spec_file *s = &specs[k % n_specs];
        b.len = 0;
        reserve(&b, s->len);
        memcpy(b.data, s->data, s->len);
        b.len = s->len;
        size_t n = 1 + rng_below(4);
        for (size_t i = 0; i < n; i++)
            corrupt(&b);
        outcome o = run(b.data, b.len, NULL);
        analyzed += o.is_analyzed;
        if (o.broken && broken++ < 5) {
            char how[64];
            snprintf(how, sizeof how, "corruption #%zu", k);
            report_broken(s->name, how, &o);
        }
    }
    free(b.data);
    CU_ASSERT(n_specs > 0);
    CU_ASSERT_EQUAL(broken, 0);
    (void)analyzed;
}

/* ---- (c) hostile inputs --------------------------------------------------- */

static void add(buffer *b, const char *s) { insert_at(b, b->len, s, strlen(s)); }

static void add_times(buffer *b, const char *s, size_t times)
{
    size_t n = strlen(s);
    reserve(b, n * times);
    for (size_t i = 0; i < times; i++) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
    }
}

/* A valid entity and an etl tenant whose sync block is open: the caller
 * adds mapping lines, then close_sync(). */
static void open_sync(buffer *b)
{
    add(b, "entity E table e {\n"
           "  id   uuid key\n"
           "  code text\n"
           "}\n"
           "tenant t {\n"
           "  strategy etl\n"
           "  source postgres dsn env SOURCE_DSN\n"
           "  target postgres dsn env TARGET_DSN\n"
           "  sync E from src {\n"
           "    id <- Id\n");
}

static void close_sync(buffer *b) { add(b, "\n  }\n}\n"); }

static outcome run_buffer(buffer *b, const char *const *want)
{
    outcome o = run(b->data, b->len, want);
    free(b->data);
    memset(b, 0, sizeof *b);
    CU_ASSERT_PTR_NULL(o.broken);
    if (o.broken)
        fprintf(stderr, "\n  robust: hostile input: %s\n", o.broken);
    if (getenv("WM_ROBUST_VERBOSE"))
        fprintf(stderr, "[%.3f s, %d errors] ", o.seconds, o.errors);
    return o;
}

static void test_nested_parens(void)
{
    buffer b = { 0 };
    open_sync(&b);
    add(&b, "    code <- ");
    add_times(&b, "(", 100000);
    add(&b, "Code");
    add_times(&b, ")", 100000);
    close_sync(&b);
    char limit[32];
    snprintf(limit, sizeof limit, "limit is %d", WM_MAX_NESTING);
    const char *const want[] = { "parentheses nested too deeply", limit, NULL };
    outcome o = run_buffer(&b, want);
    CU_ASSERT_FALSE(o.is_analyzed);
    CU_ASSERT(o.has_match);
    CU_ASSERT_EQUAL(o.match_loc.line, 11);
}

static void test_long_identifier(void)
{
    buffer b = { 0 };
    add(&b, "entity ");
    add_times(&b, "a", 1 << 20);
    add(&b, " {\n  id uuid key\n}\n");
    char limit[32];
    snprintf(limit, sizeof limit, "limit is %d", WM_MAX_IDENT_BYTES);
    const char *const want[] = { "identifier too long", "1048576 bytes", limit, NULL };
    outcome o = run_buffer(&b, want);
    CU_ASSERT_FALSE(o.is_analyzed);
    CU_ASSERT(o.has_match);
    CU_ASSERT_EQUAL(o.match_loc.line, 1);
    CU_ASSERT_EQUAL(o.match_loc.col, 8);
}

static void test_long_sum(void)
{
    buffer b = { 0 };
    open_sync(&b);
    add(&b, "    code <- a");
    add_times(&b, "+a", 200000 - 1);
    close_sync(&b);
    static const char *const want[] = { "expression nested too deeply", "the limit is", NULL };
    outcome o = run_buffer(&b, want);
    CU_ASSERT_FALSE(o.is_analyzed);
    CU_ASSERT(o.has_match);
}

/* Not in the list of the issue, but the same family: a prefix operator
 * chain grows the parser's own stack, which has its own bound. */
static void test_long_negation(void)
{
    buffer b = { 0 };
    open_sync(&b);
    add(&b, "    code <- ");
    add_times(&b, "- ", 100000);
    add(&b, "a");
    close_sync(&b);
    static const char *const want[] = { "nested too deeply", NULL };
    outcome o = run_buffer(&b, want);
    CU_ASSERT_FALSE(o.is_analyzed);
    CU_ASSERT(o.has_match);
}

static void test_many_keys(void)
{
    buffer b = { 0 };
    add(&b, "entity K {\n  id uuid");
    add_times(&b, " key", 10000);
    add(&b, "\n}\n");
    static const char *const want[] = { "'key' is given twice for field 'id'", NULL };
    outcome o = run_buffer(&b, want);
    CU_ASSERT_FALSE(o.is_analyzed);
    CU_ASSERT(o.has_match);
    CU_ASSERT_EQUAL(o.errors, 10000 - 1);
}

/* Lists of 50,000 are valid specs: no error is due, and they must be
 * checked in about linear time (ast.c promises that of the parser). */
enum { N_BIG_LIST = 50000 };

static void test_big_enum(void)
{
    buffer b = { 0 };
    add(&b, "entity N {\n  id uuid key\n  status enum(");
    char word[32];
    for (size_t i = 0; i < N_BIG_LIST; i++) {
        snprintf(word, sizeof word, "%sV%zu", i ? ", " : "", i);
        add(&b, word);
    }
    add(&b, ") required\n}\n");
    outcome o = run_buffer(&b, NULL);
    CU_ASSERT(o.is_analyzed);
    CU_ASSERT_EQUAL(o.errors, 0);
    CU_ASSERT_EQUAL(o.n_enum_values, N_BIG_LIST);
}

static void test_big_value_map(void)
{
    buffer b = { 0 };
    open_sync(&b);
    add(&b, "    code <- Code map {\n");
    char entry[64];
    for (size_t i = 0; i < N_BIG_LIST; i++) {
        snprintf(entry, sizeof entry, "      \"k%zu\" => \"v%zu\",\n", i, i);
        add(&b, entry);
    }
    add(&b, "    } else reject");
    close_sync(&b);
    outcome o = run_buffer(&b, NULL);
    CU_ASSERT(o.is_analyzed);
    CU_ASSERT_EQUAL(o.errors, 0);
    CU_ASSERT_EQUAL(o.n_map_entries, N_BIG_LIST);
}

static void test_long_string(void)
{
    buffer b = { 0 };
    add(&b, "entity S {\n  id uuid key\n  s text default \"");
    add_times(&b, "x", 100 * 1024);
    add(&b, "\"\n}\n");
    char limit[32];
    snprintf(limit, sizeof limit, "limit is %d", WM_MAX_STRING_BYTES);
    const char *const want[] = { "string too long", "102400 bytes", limit, NULL };
    outcome o = run_buffer(&b, want);
    CU_ASSERT_FALSE(o.is_analyzed);
    CU_ASSERT(o.has_match);
    CU_ASSERT_EQUAL(o.match_loc.line, 3);
    CU_ASSERT_EQUAL(o.errors, 1);
}

static void test_long_line(void)
{
    buffer b = { 0 };
    add(&b, "entity E {\n  id uuid key\n");
    add_times(&b, " ", 1 << 20);
    add(&b, "% }\n");
    static const char *const want[] = { "stray '%'", NULL };
    outcome o = run_buffer(&b, want);
    CU_ASSERT_FALSE(o.is_analyzed);
    CU_ASSERT(o.has_match);
    CU_ASSERT_EQUAL(o.match_loc.line, 3);
    CU_ASSERT_EQUAL(o.match_loc.col, (1u << 20) + 1);
}

int register_robust_tests(void)
{
    CU_pSuite s = CU_add_suite("robust", suite_init, suite_cleanup);
    if (!s)
        return 1;
    if (!CU_add_test(s, "specs found, and clean", test_specs_found)
        || !CU_add_test(s, "every truncation", test_truncations)
        || !CU_add_test(s, "seeded corruptions", test_corruptions)
        || !CU_add_test(s, "100,000 nested parentheses", test_nested_parens)
        || !CU_add_test(s, "1 MB identifier", test_long_identifier)
        || !CU_add_test(s, "200,000-term sum", test_long_sum)
        || !CU_add_test(s, "100,000 unary minus", test_long_negation)
        || !CU_add_test(s, "10,000 key modifiers", test_many_keys)
        || !CU_add_test(s, "enum of 50,000 values", test_big_enum)
        || !CU_add_test(s, "value map of 50,000 entries", test_big_value_map)
        || !CU_add_test(s, "100 KB string literal", test_long_string)
        || !CU_add_test(s, "1 MB of spaces before an error", test_long_line))
        return 1;
    return 0;
}
