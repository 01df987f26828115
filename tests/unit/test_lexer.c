/* test_lexer.c - the re2c lexer on its own: token kinds, values and exact
 * locations (columns count characters, not bytes), and its errors. */
#include <string.h>

#include "suites.h"
#include "wmap.tab.h"

typedef struct {
    wm_arena *arena;
    wm_diags diags;
    wm_source src;
    wm_parser p;
} lexer;

static void lexer_open(lexer *lx, const char *text)
{
    memset(lx, 0, sizeof *lx);
    lx->arena = wm_arena_new();
    wm_diags_init(&lx->diags, lx->arena);
    lx->src.path = "lex.wmap";
    lx->src.data = text;
    lx->src.len = strlen(text);
    lx->p.arena = lx->arena;
    lx->p.diags = &lx->diags;
    lx->p.src = &lx->src;
    lx->p.cur = lx->p.tok = text;
    lx->p.lim = text + lx->src.len;
    lx->p.line = 1;
    lx->p.line_start = lx->p.col_mark = text;
    lx->p.col_at_mark = 1;
}

static int next(lexer *lx, YYSTYPE *v, wm_loc *l)
{
    return wm_lex(v, l, &lx->p);
}

static void test_keywords_and_operators(void)
{
    lexer lx;
    lexer_open(&lx, "entity tenant sync map <-> <- => .. || <= >= != ( ) { } , . = < > + - * /");
    const int want[] = { ENTITY, TENANT, SYNC, MAP, TWO_WAY, FROM_ARROW, MAPS_TO, DOTDOT,
                         CONCAT, LE, GE, NE, '(', ')', '{', '}', ',', '.', '=', '<', '>',
                         '+', '-', '*', '/', END };
    YYSTYPE v;
    wm_loc l;
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        CU_ASSERT_EQUAL(next(&lx, &v, &l), want[i]);
    CU_ASSERT_EQUAL(lx.diags.errors, 0);
    wm_arena_free(lx.arena);
}

static void test_identifiers_and_keyword_prefixes(void)
{
    lexer lx;
    lexer_open(&lx, "entityX _a1 WellID `Well Name` Bohrloch_Größe");
    YYSTYPE v;
    wm_loc l;
    CU_ASSERT_EQUAL(next(&lx, &v, &l), IDENT);
    CU_ASSERT_STRING_EQUAL(v.IDENT, "entityX");
    CU_ASSERT_EQUAL(next(&lx, &v, &l), IDENT);
    CU_ASSERT_STRING_EQUAL(v.IDENT, "_a1");
    CU_ASSERT_EQUAL(next(&lx, &v, &l), IDENT);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), QIDENT);
    CU_ASSERT_STRING_EQUAL(v.QIDENT, "Well Name");
    CU_ASSERT_EQUAL(l.col, 20);
    CU_ASSERT_EQUAL(l.width, 11);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), IDENT);
    CU_ASSERT_STRING_EQUAL(v.IDENT, "Bohrloch_Größe");
    CU_ASSERT_EQUAL(l.col, 32);
    CU_ASSERT_EQUAL(l.width, 14); /* characters, not the 16 bytes */
    CU_ASSERT_EQUAL(next(&lx, &v, &l), END);
    wm_arena_free(lx.arena);
}

static void test_strings_and_escapes(void)
{
    lexer lx;
    lexer_open(&lx, "\"P&A\" \"a\\\"b\\\\c\\n\\t\" \"\"");
    YYSTYPE v;
    wm_loc l;
    CU_ASSERT_EQUAL(next(&lx, &v, &l), STRING);
    CU_ASSERT_STRING_EQUAL(v.STRING, "P&A");
    CU_ASSERT_EQUAL(next(&lx, &v, &l), STRING);
    CU_ASSERT_STRING_EQUAL(v.STRING, "a\"b\\c\n\t");
    CU_ASSERT_EQUAL(next(&lx, &v, &l), STRING);
    CU_ASSERT_STRING_EQUAL(v.STRING, "");
    CU_ASSERT_EQUAL(lx.diags.errors, 0);
    wm_arena_free(lx.arena);
}

static void test_numbers(void)
{
    lexer lx;
    lexer_open(&lx, "90 0.01 9999999999.99 1e3 2.5E-4 -90..90");
    const char *want[] = { "90", "0.01", "9999999999.99", "1e3", "2.5E-4" };
    YYSTYPE v;
    wm_loc l;
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(next(&lx, &v, &l), NUMBER);
        CU_ASSERT_STRING_EQUAL(v.NUMBER, want[i]);
    }
    /* a range: the minus is an operator, ".." is not part of a number */
    CU_ASSERT_EQUAL(next(&lx, &v, &l), '-');
    CU_ASSERT_EQUAL(next(&lx, &v, &l), NUMBER);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), DOTDOT);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), NUMBER);
    CU_ASSERT_STRING_EQUAL(v.NUMBER, "90");
    wm_arena_free(lx.arena);
}

static void test_comments_lines_and_columns(void)
{
    lexer lx;
    lexer_open(&lx, "# a comment\r\n  id   # another\n\tkey\n");
    YYSTYPE v;
    wm_loc l;
    CU_ASSERT_EQUAL(next(&lx, &v, &l), IDENT);
    CU_ASSERT_EQUAL(l.line, 2);
    CU_ASSERT_EQUAL(l.col, 3);
    CU_ASSERT_EQUAL(l.width, 2);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), KEY);
    CU_ASSERT_EQUAL(l.line, 3);
    CU_ASSERT_EQUAL(l.col, 2);
    CU_ASSERT_EQUAL(l.offset, (uint32_t)strlen("# a comment\r\n  id   # another\n"));
    CU_ASSERT_EQUAL(next(&lx, &v, &l), END);
    wm_arena_free(lx.arena);
}

static void test_errors_are_located(void)
{
    lexer lx;
    lexer_open(&lx, "name \"open\nx \"bad\\q\" ;");
    YYSTYPE v;
    wm_loc l;
    CU_ASSERT_EQUAL(next(&lx, &v, &l), IDENT);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), STRING); /* unterminated, still a token */
    CU_ASSERT_EQUAL(next(&lx, &v, &l), IDENT);
    CU_ASSERT_EQUAL(l.line, 2);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), STRING);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), END); /* ';' is reported and skipped */
    wm_diags_sort(&lx.diags);
    CU_ASSERT_EQUAL_FATAL(wm_diags_count(&lx.diags), 3);
    const wm_diag *d0 = wm_diags_at(&lx.diags, 0);
    CU_ASSERT_STRING_EQUAL(wm_diag_message(d0), "unterminated string");
    CU_ASSERT_EQUAL(wm_diag_loc(d0).line, 1);
    CU_ASSERT_EQUAL(wm_diag_loc(d0).col, 6);
    const wm_diag *d1 = wm_diags_at(&lx.diags, 1);
    CU_ASSERT_STRING_EQUAL(wm_diag_message(d1), "unknown escape sequence '\\q'");
    CU_ASSERT_EQUAL(wm_diag_loc(d1).col, 7);
    const wm_diag *d2 = wm_diags_at(&lx.diags, 2);
    CU_ASSERT_STRING_EQUAL(wm_diag_message(d2), "stray ';' in spec");
    CU_ASSERT_EQUAL(wm_diag_loc(d2).col, 11);
    wm_arena_free(lx.arena);
}

static void test_nesting_limit_stops(void)
{
    char text[WM_MAX_NESTING + 16];
    memset(text, '(', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    lexer lx;
    lexer_open(&lx, text);
    YYSTYPE v;
    wm_loc l;
    int n = 0;
    while (next(&lx, &v, &l) == '(')
        n++;
    CU_ASSERT_EQUAL(n, WM_MAX_NESTING);
    CU_ASSERT_EQUAL(lx.diags.errors, 1);
    CU_ASSERT_EQUAL(next(&lx, &v, &l), END); /* stays stopped */
    wm_arena_free(lx.arena);
}

int register_lexer_tests(void)
{
    CU_pSuite s = CU_add_suite("lexer", NULL, NULL);
    if (!s)
        return -1;
    return !CU_add_test(s, "keywords and operators", test_keywords_and_operators)
           || !CU_add_test(s, "identifiers, quoted and non-ASCII", test_identifiers_and_keyword_prefixes)
           || !CU_add_test(s, "strings and escapes", test_strings_and_escapes)
           || !CU_add_test(s, "numbers and ranges", test_numbers)
           || !CU_add_test(s, "comments, lines, columns", test_comments_lines_and_columns)
           || !CU_add_test(s, "errors are located", test_errors_are_located)
           || !CU_add_test(s, "nesting limit stops the lexer", test_nesting_limit_stops);
}
