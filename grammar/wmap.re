/* wmap.re - the lexer of .wmap specs (re2c).  It turns bytes into tokens
 * with exact locations (line, and column in characters).  The loader has
 * already checked that the file is UTF-8 with no NUL byte, so the buffer's
 * terminating NUL is the only one: it is the sentinel (re2c:yyfill:enable=0).
 * Limits (identifier and string length, nesting) are reported here, where
 * they are hit. */
#include <string.h>

#include "wmap.tab.h"

static bool is_lead(unsigned char c) { return (c & 0xC0) != 0x80; }

static uint32_t chars_between(const char *a, const char *b)
{
    uint32_t n = 0;
    for (; a < b; a++)
        n += is_lead((unsigned char)*a);
    return n;
}

/* Columns are counted from a mark that only moves forward: linear in the
 * file's size however long its lines are. */
static uint32_t column_of(wm_parser *p, const char *at)
{
    p->col_at_mark += chars_between(p->col_mark, at);
    p->col_mark = at;
    return p->col_at_mark;
}

static wm_loc span(wm_parser *p, const char *from, const char *to)
{
    wm_loc l;
    l.src = p->src;
    l.line = p->line;
    l.col = column_of(p, from);
    l.width = chars_between(from, to);
    l.offset = (uint32_t)(p->line_start - p->src->data);
    return l;
}

static void newline(wm_parser *p)
{
    p->line++;
    p->line_start = p->col_mark = p->cur;
    p->col_at_mark = 1;
}

/* A quoted token: "string" (with escapes) or `quoted identifier` (none).
 * On entry p->cur is just past the opening quote. */
static const char *lex_quoted(wm_parser *p, char quote, wm_loc *loc)
{
    const char *start = p->cur;
    const char *q = start;
    while (*q && *q != quote && *q != '\n') {
        if (*q == '\\' && quote == '"' && q[1] && q[1] != '\n')
            q++;
        q++;
    }
    bool is_closed = *q == quote;
    *loc = span(p, p->tok, is_closed ? q + 1 : q);
    const char *what = quote == '"' ? "string" : "quoted identifier";
    if (!is_closed) {
        wm_diag *d = wm_error(p->diags, *loc, "unterminated %s", what);
        wm_hint(d, "close it with %c on the same line", quote);
    }
    size_t raw_len = (size_t)(q - start);
    size_t limit = quote == '"' ? WM_MAX_STRING_BYTES : WM_MAX_IDENT_BYTES;
    if (raw_len > limit) {
        wm_error(p->diags, *loc, "%s too long (%zu bytes; the limit is %zu)", what, raw_len, limit);
        raw_len = limit;
    }
    char *out = wm_arena_alloc(p->arena, raw_len + 1);
    size_t n = 0;
    for (const char *r = start; r < start + raw_len; r++) {
        if (*r != '\\' || quote != '"') {
            out[n++] = *r;
            continue;
        }
        char c = *++r;
        switch (c) {
        case '"': case '\\': out[n++] = c; break;
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        default: {
            size_t clen = 1;
            while (r[clen] && !is_lead((unsigned char)r[clen]))
                clen++;
            wm_loc at = span(p, r - 1, r + clen);
            wm_diag *d = wm_error(p->diags, at, "unknown escape sequence '\\%.*s'", (int)clen, r);
            wm_hint(d, "the escapes are \\\" \\\\ \\n \\t \\r");
            r += clen - 1;
        }
        }
    }
    out[n] = '\0';
    if (quote == '`' && n == 0 && is_closed)
        wm_error(p->diags, *loc, "empty quoted identifier");
    p->cur = is_closed ? q + 1 : q;
    return out;
}

int wm_lex(YYSTYPE *val, YYLTYPE *loc, wm_parser *p)
{
    const char *marker;
    (void)marker;
    for (;;) {
        if (p->is_stopped)
            return END;
        p->tok = p->cur;
        int tok = -1;
        /*!re2c
            re2c:api:style = free-form;
            re2c:define:YYCTYPE = "unsigned char";
            re2c:define:YYCURSOR = "p->cur";
            re2c:define:YYMARKER = "marker";
            re2c:yyfill:enable = 0;
            re2c:encoding:utf8 = 0;

            ident  = [A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*;
            number = [0-9]+ ("." [0-9]+)? ([eE] [+-]? [0-9]+)?;

            "\x00"       { p->cur--; tok = END; goto done; }
            "\n"         { newline(p); continue; }
            [ \t\r\f\v]+ { continue; }
            "#" [^\n\x00]* { continue; }

            "import"      { tok = IMPORT; goto done; }
            "entity"      { tok = ENTITY; goto done; }
            "table"       { tok = TABLE; goto done; }
            "tenant"      { tok = TENANT; goto done; }
            "key"         { tok = KEY; goto done; }
            "required"    { tok = REQUIRED; goto done; }
            "unique"      { tok = UNIQUE; goto done; }
            "auto"        { tok = AUTO; goto done; }
            "soft_delete" { tok = SOFT_DELETE; goto done; }
            "range"       { tok = RANGE; goto done; }
            "default"     { tok = DEFAULT; goto done; }
            "references"  { tok = REFERENCES; goto done; }
            "filter"      { tok = FILTER; goto done; }
            "order"       { tok = ORDER; goto done; }
            "as"          { tok = AS; goto done; }
            "asc"         { tok = ASC; goto done; }
            "desc"        { tok = DESC; goto done; }
            "strategy"    { tok = STRATEGY; goto done; }
            "database"    { tok = DATABASE; goto done; }
            "source"      { tok = SOURCE; goto done; }
            "target"      { tok = TARGET; goto done; }
            "dsn"         { tok = DSN; goto done; }
            "env"         { tok = ENV; goto done; }
            "every"       { tok = EVERY; goto done; }
            "map"         { tok = MAP; goto done; }
            "to"          { tok = TO; goto done; }
            "sync"        { tok = SYNC; goto done; }
            "from"        { tok = FROM; goto done; }
            "incremental" { tok = INCREMENTAL; goto done; }
            "full"        { tok = FULL; goto done; }
            "on"          { tok = ON; goto done; }
            "window"      { tok = WINDOW; goto done; }
            "lookback"    { tok = LOOKBACK; goto done; }
            "nulls"       { tok = NULLS; goto done; }
            "deletes"     { tok = DELETES; goto done; }
            "error"       { tok = ERROR_KW; goto done; }
            "reject"      { tok = REJECT; goto done; }
            "keep"        { tok = KEEP; goto done; }
            "else"        { tok = ELSE; goto done; }
            "true"        { tok = TRUE; goto done; }
            "false"       { tok = FALSE; goto done; }
            "null"        { tok = NULL_KW; goto done; }
            "now"         { tok = NOW; goto done; }

            "<->" { tok = TWO_WAY; goto done; }
            "<-"  { tok = FROM_ARROW; goto done; }
            "=>"  { tok = MAPS_TO; goto done; }
            ".."  { tok = DOTDOT; goto done; }
            "||"  { tok = CONCAT; goto done; }
            "<="  { tok = LE; goto done; }
            ">="  { tok = GE; goto done; }
            "!="  { tok = NE; goto done; }
            "("   {
                if (++p->parens > WM_MAX_NESTING) {
                    wm_error(p->diags, span(p, p->tok, p->cur),
                             "parentheses nested too deeply (the limit is %d)", WM_MAX_NESTING);
                    p->is_stopped = true;
                    return END;
                }
                tok = '('; goto done;
            }
            ")"   { if (p->parens > 0) p->parens--; tok = ')'; goto done; }
            [{},.=<>+\-*/] { tok = p->tok[0]; goto done; }

            ["] {
                val->STRING = lex_quoted(p, '"', loc);
                tok = STRING;
                goto quoted;
            }
            [`] {
                val->QIDENT = lex_quoted(p, '`', loc);
                tok = QIDENT;
                goto quoted;
            }

            ident {
                size_t len = (size_t)(p->cur - p->tok);
                *loc = span(p, p->tok, p->cur);
                if (len > WM_MAX_IDENT_BYTES) {
                    wm_error(p->diags, *loc, "identifier too long (%zu bytes; the limit is %d)",
                             len, WM_MAX_IDENT_BYTES);
                    len = WM_MAX_IDENT_BYTES;
                    while (len > 0 && !is_lead((unsigned char)p->tok[len]))
                        len--;
                }
                val->IDENT = wm_arena_strndup(p->arena, p->tok, len);
                tok = IDENT;
                goto quoted;
            }
            number {
                size_t len = (size_t)(p->cur - p->tok);
                *loc = span(p, p->tok, p->cur);
                if (len > 64) {
                    wm_error(p->diags, *loc, "number too long (%zu digits; the limit is 64)", len);
                    len = 64;
                }
                val->NUMBER = wm_arena_strndup(p->arena, p->tok, len);
                tok = NUMBER;
                goto quoted;
            }

            * {
                /* One character the language has no use for: report it and
                 * go on, so the parser does not add a second message. */
                const char *end = p->tok + 1;
                while (end < p->lim && !is_lead((unsigned char)*end))
                    end++;
                p->cur = end;
                wm_diag *d = wm_error(p->diags, span(p, p->tok, end), "stray '%.*s' in spec",
                                      (int)(end - p->tok), p->tok);
                if (p->tok[0] == ';')
                    wm_hint(d, "statements end at the end of the line; no ';' is needed");
                else if (p->tok[0] == '\'')
                    wm_hint(d, "strings are written in double quotes: \"...\"");
                continue;
            }
        */
    done:
        *loc = span(p, p->tok, p->cur);
    quoted:
        if (p->is_skipping) {
            /* Error recovery: drop the rest of the erroneous line and any
             * block opened on it; stop at a '}' that closes an outer block. */
            if (tok == '{')
                p->skip_depth++;
            if (tok == '}' && p->skip_depth == 0)
                p->is_skipping = false;
            else if (tok == END)
                p->is_skipping = false;
            else if (loc->line != p->skip_line && p->skip_depth == 0)
                p->is_skipping = false;
            if (p->is_skipping) {
                if (tok == '}')
                    p->skip_depth--;
                continue;
            }
        }
        return tok;
    }
}
