/* test_schema.c - schema snapshots (compiler/schema.c, schema_check.c):
 * what each dialect's column types mean in wmap's terms, and the checks of
 * a spec against a snapshot, run here under ASan and UBSan.  The byte-for-
 * byte output of the same checks is tests/cli/schema/fieldco.expected. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"
#include "suites.h"
#include "types.h"

typedef struct {
    wm_dialect dialect;
    const char *sql_type;
    const char *expected;       /* wm_type_display, or "any" */
} type_case;

static const type_case type_cases[] = {
    { WM_DIALECT_POSTGRES, "integer", "int" },
    { WM_DIALECT_POSTGRES, "bigint", "bigint" },
    { WM_DIALECT_POSTGRES, "numeric(12,2)", "decimal(12,2)" },
    { WM_DIALECT_POSTGRES, "numeric", "decimal" },
    { WM_DIALECT_POSTGRES, "double precision", "float" },
    { WM_DIALECT_POSTGRES, "character varying(255)", "text(255)" },
    { WM_DIALECT_POSTGRES, "character(2)", "text(2)" },
    { WM_DIALECT_POSTGRES, "text", "text" },
    { WM_DIALECT_POSTGRES, "timestamp(3) with time zone", "timestamp" },
    { WM_DIALECT_POSTGRES, "timestamp without time zone", "timestamp" },
    { WM_DIALECT_POSTGRES, "date", "date" },
    { WM_DIALECT_POSTGRES, "uuid", "uuid" },
    { WM_DIALECT_POSTGRES, "jsonb", "json" },
    { WM_DIALECT_POSTGRES, "boolean", "bool" },
    { WM_DIALECT_POSTGRES, "time without time zone", "any" },
    { WM_DIALECT_POSTGRES, "integer[]", "any" },
    { WM_DIALECT_POSTGRES, "public.mood", "any" },
    { WM_DIALECT_MYSQL, "int(11)", "int" },
    { WM_DIALECT_MYSQL, "int(10) unsigned", "bigint" },
    { WM_DIALECT_MYSQL, "bigint(20) unsigned", "decimal(20,0)" },
    { WM_DIALECT_MYSQL, "tinyint(1)", "any" },
    { WM_DIALECT_MYSQL, "tinyint(4)", "int" },
    { WM_DIALECT_MYSQL, "decimal(12,2)", "decimal(12,2)" },
    { WM_DIALECT_MYSQL, "DOUBLE", "float" },
    { WM_DIALECT_MYSQL, "varchar(100)", "text(100)" },
    { WM_DIALECT_MYSQL, "enum('a','b','c')", "text" },
    { WM_DIALECT_MYSQL, "longtext", "text" },
    { WM_DIALECT_MYSQL, "datetime(6)", "timestamp" },
    { WM_DIALECT_MYSQL, "year(4)", "int" },
    { WM_DIALECT_MYSQL, "time", "any" },
    { WM_DIALECT_MYSQL, "blob", "any" },
    { WM_DIALECT_SQLSERVER, "uniqueidentifier", "uuid" },
    { WM_DIALECT_SQLSERVER, "nvarchar(max)", "text" },
    { WM_DIALECT_SQLSERVER, "nvarchar(50)", "text(50)" },
    { WM_DIALECT_SQLSERVER, "ntext", "text" },
    { WM_DIALECT_SQLSERVER, "bit", "bool" },
    { WM_DIALECT_SQLSERVER, "money", "decimal(19,4)" },
    { WM_DIALECT_SQLSERVER, "datetime2", "timestamp" },
    { WM_DIALECT_SQLSERVER, "smalldatetime", "timestamp" },
    { WM_DIALECT_SQLSERVER, "real", "float" },
    { WM_DIALECT_SQLSERVER, "time", "any" },
    { WM_DIALECT_SQLSERVER, "varbinary(max)", "any" },
    { WM_DIALECT_ORACLE, "NUMBER(9)", "int" },
    { WM_DIALECT_ORACLE, "NUMBER(18,0)", "bigint" },
    { WM_DIALECT_ORACLE, "NUMBER(12,2)", "decimal(12,2)" },
    { WM_DIALECT_ORACLE, "NUMBER", "decimal" },
    { WM_DIALECT_ORACLE, "VARCHAR2(100)", "text(100)" },
    { WM_DIALECT_ORACLE, "TIMESTAMP(6) WITH TIME ZONE", "timestamp" },
    { WM_DIALECT_ORACLE, "DATE", "any" },
    { WM_DIALECT_ORACLE, "RAW(16)", "any" },
};

static void test_types_per_dialect(void)
{
    wm_arena *a = wm_arena_new();
    for (size_t i = 0; i < sizeof type_cases / sizeof *type_cases; i++) {
        const type_case *c = &type_cases[i];
        wm_type t = wm_schema_type_of(c->dialect, c->sql_type);
        const char *got = t.kind == WM_T_ANY ? "any" : wm_type_display(a, &t);
        if (strcmp(got, c->expected) != 0)
            fprintf(stderr, "\n  %s %s: %s, expected %s", wm_dialect_name(c->dialect), c->sql_type, got, c->expected);
        CU_ASSERT_STRING_EQUAL(got, c->expected);
    }
    wm_arena_free(a);
}

/* Odd type texts are read without running off their ends. */
static void test_odd_type_texts(void)
{
    wm_arena *a = wm_arena_new();
    static const char *const odd[] = { "", "(", ")", "varchar(", "decimal(99999999999999999999,5)",
                                       "numeric(5,9)", "   ", "char(-1)", "x(1,2,3,4)",
                                       "a-very-long-type-name-that-does-not-fit-in-sixty-four-bytes-at-all(1)" };
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
        for (int d = WM_DIALECT_POSTGRES; d <= WM_DIALECT_ORACLE; d++)
            (void)wm_schema_type_of((wm_dialect)d, odd[i]);
    wm_type t = wm_schema_type_of(WM_DIALECT_MYSQL, "decimal(99999999999999999999,5)");
    CU_ASSERT_EQUAL(t.kind, WM_T_DECIMAL);
    CU_ASSERT_EQUAL(t.precision, 0);   /* no precision it could be */
    t = wm_schema_type_of(WM_DIALECT_POSTGRES, "numeric(5,9)");
    CU_ASSERT_EQUAL(t.scale, 0);
    wm_arena_free(a);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[64 * 1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* The CLI fixture, checked here under the sanitizers: the same counts as
 * its expected output, every message at a position in the spec. */
static void test_fixture_counts(void)
{
    const char *dir = "tests/cli/schema";
    wm_arena *a = wm_arena_new();
    wm_frontend f;
    wm_frontend_init(&f, a);
    char path[256];
    snprintf(path, sizeof path, "%s/fieldco.wmap", dir);
    wm_load_file(&f, path);
    wm_model *m = wm_analyze(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    int warnings_before = f.diags.warnings;
    char err[1200] = "";
    snprintf(path, sizeof path, "%s/fieldco.json", dir);
    wm_schema *s = wm_schema_load(a, path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s->tenant, "fieldco");
    CU_ASSERT_EQUAL(s->dialect, WM_DIALECT_SQLSERVER);
    CU_ASSERT_EQUAL(s->n_tables, 5);
    CU_ASSERT_FALSE(s->is_table_case_exact);
    CU_ASSERT_EQUAL(wm_schema_check(s, m, a, &f.diags), 7);
    CU_ASSERT_EQUAL(f.diags.warnings - warnings_before, 3);
    wm_diags_sort(&f.diags);
    for (size_t i = 0; i < wm_diags_count(&f.diags); i++) {
        const wm_diag *d = wm_diags_at(&f.diags, i);
        CU_ASSERT_PTR_NOT_NULL(wm_diag_loc(d).src);
    }
    const char *expected = read_file("tests/cli/schema/fieldco.expected");
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    CU_ASSERT_PTR_NOT_NULL(strstr(expected, "7 errors, 3 warnings"));
    wm_arena_free(a);
}

static void test_load_errors(void)
{
    char path[] = "/tmp/wm-schema-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    static const char text[] = "{\"wellosc_schema\": 1, \"tenant\": \"t\", \"dialect\": \"mysql\",\n"
                               " \"tables\": [{\"name\": \"a\", \"columns\": [{\"name\": \"c\"}]}]}\n";
    CU_ASSERT_EQUAL(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    wm_arena *a = wm_arena_new();
    char err[1200] = "";
    CU_ASSERT_PTR_NULL(wm_schema_load(a, path, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "error: tables[0].columns[0] has no \"type\""));
    char tiny[16];
    CU_ASSERT_PTR_NULL(wm_schema_load(a, path, tiny, sizeof tiny));   /* a short buffer is cut, not overrun */
    CU_ASSERT_EQUAL(strlen(tiny), sizeof tiny - 1);
    unlink(path);
    CU_ASSERT_PTR_NULL(wm_schema_load(a, path, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    wm_arena_free(a);
}

/* 3,000 damaged copies of the fixture's snapshot (a byte changed to one
 * that matters to JSON or to a type's text, a run deleted, the end cut
 * off), each loaded and, when it still loads, checked: no crash, no
 * sanitizer report, and every failure explained. */
static void test_damaged_snapshots(void)
{
    wm_arena *a = wm_arena_new();
    wm_frontend f;
    wm_frontend_init(&f, a);
    wm_load_file(&f, "tests/cli/schema/fieldco.wmap");
    wm_model *m = wm_analyze(&f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const char *orig = read_file("tests/cli/schema/fieldco.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
    size_t len = strlen(orig);
    char *buf = malloc(len + 1);
    char path[] = "/tmp/wm-schema-damaged-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    static const char interesting[] = "\"{}[],:0a\\ ()-9,nt";
    unsigned seed = 12345, loaded = 0, refused = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(buf, orig, len + 1);
        size_t n = len;
        for (int k = 0; k < 1 + i % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            switch ((seed >> 4) % 3) {
            case 0:
                buf[at] = interesting[(seed >> 16) % (sizeof interesting - 1)];
                break;
            case 1: {
                size_t cut = 1 + (seed >> 20) % 8;
                if (at + cut > n)
                    cut = n - at;
                memmove(buf + at, buf + at + cut, n - at - cut + 1);
                n -= cut;
                break;
            }
            default:
                n = at + 1;
                buf[n] = '\0';
                break;
            }
        }
        FILE *out = fopen(path, "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(out);
        fwrite(buf, 1, n, out);
        fclose(out);
        wm_arena *sa = wm_arena_new();
        char err[1200] = "";
        wm_schema *s = wm_schema_load(sa, path, err, sizeof err);
        if (s) {
            loaded++;
            wm_diags d;
            wm_diags_init(&d, sa);
            (void)wm_schema_check(s, m, sa, &d);
        } else {
            refused++;
            CU_ASSERT_PTR_NOT_NULL(strstr(err, ": error: "));
        }
        wm_arena_free(sa);
    }
    CU_ASSERT(loaded > 0 && refused > 0);   /* both paths were taken */
    unlink(path);
    free(buf);
    wm_arena_free(a);
}

int register_schema_tests(void)
{
    CU_pSuite s = CU_add_suite("schema snapshots", NULL, NULL);
    if (!s)
        return -1;
    if (!CU_add_test(s, "each dialect's column types in wmap's terms", test_types_per_dialect)
        || !CU_add_test(s, "odd type texts", test_odd_type_texts)
        || !CU_add_test(s, "the CLI fixture under the sanitizers", test_fixture_counts)
        || !CU_add_test(s, "a snapshot that cannot be read says why", test_load_errors)
        || !CU_add_test(s, "damaged snapshots", test_damaged_snapshots))
        return -1;
    return 0;
}
