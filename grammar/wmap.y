/* wmap.y - the grammar of .wmap specs (bison 3.8).  It only builds the AST
 * (compiler/ast.h); every meaning is checked later by sema.  Words that
 * name types, strategies, dialects and units are plain identifiers here, so
 * that a misspelt one gets a "did you mean" from sema instead of a bare
 * syntax error.  The reference with an example of every construct is
 * grammar/README.md. */

%code requires {
#include "parse.h"
#define YYLTYPE wm_loc
#define YYLTYPE_IS_DECLARED 1
}

%code provides {
int wm_lex(YYSTYPE *val, YYLTYPE *loc, wm_parser *p);
}

%code {
#include <string.h>

/* A rule's location starts at its first symbol and, on the same line,
 * stretches to the end of its last one. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                          \
    do {                                                                     \
        if (N) {                                                             \
            (Cur) = YYRHSLOC(Rhs, 1);                                        \
            const wm_loc last_ = YYRHSLOC(Rhs, N);                           \
            if (last_.line == (Cur).line && last_.col >= (Cur).col)          \
                (Cur).width = last_.col + (last_.width ? last_.width : 1)    \
                              - (Cur).col;                                   \
        } else {                                                             \
            (Cur) = YYRHSLOC(Rhs, 0);                                        \
            (Cur).width = 0;                                                 \
        }                                                                    \
    } while (0)

static int yylex(YYSTYPE *val, YYLTYPE *loc, wm_parser *p) { return wm_lex(val, loc, p); }
static void yyerror(YYLTYPE *loc, wm_parser *p, const char *msg);

static ast_name name_of(const char *text, wm_loc loc, bool is_quoted)
{
    ast_name n = { text, is_quoted, loc };
    return n;
}

static wm_literal literal_of(wm_literal_kind kind, const char *text, wm_loc loc)
{
    wm_literal l = { kind, text, false, loc };
    return l;
}

static void *alloc(wm_parser *p, size_t size) { return wm_arena_alloc(p->arena, size); }

static ast_entity *entity_new(wm_parser *p)
{
    ast_entity *e = alloc(p, sizeof *e);
    e->fields_tail = &e->fields;
    e->filters_tail = &e->filters;
    e->orders_tail = &e->orders;
    return e;
}

static ast_tenant *tenant_new(wm_parser *p)
{
    ast_tenant *t = alloc(p, sizeof *t);
    t->blocks_tail = &t->blocks;
    return t;
}

static ast_block *block_new(wm_parser *p)
{
    ast_block *b = alloc(p, sizeof *b);
    b->lines_tail = &b->lines;
    return b;
}

/* A tenant or block setting written twice is a mistake worth its own
 * message: the second would silently win otherwise. */
static void once(wm_parser *p, bool is_set, wm_loc loc, wm_loc first, const char *what)
{
    if (is_set) {
        wm_diag *d = wm_error(p->diags, loc, "%s is declared twice", what);
        wm_note(d, first, "first declared here");
    }
}

static ast_quantity *quantity_new(wm_parser *p, wm_loc keyword, const char *number, wm_loc loc,
                                  ast_name unit)
{
    ast_quantity *q = alloc(p, sizeof *q);
    q->keyword_loc = keyword;
    q->number = number;
    q->unit = unit;
    q->loc = loc;
    return q;
}
}

%define api.pure full
%define api.value.type union
%define parse.error custom
%locations
%param {wm_parser *p}
%expect 0

%token END 0 "end of file"
%token <const char *> IDENT "identifier" QIDENT "quoted identifier"
%token <const char *> STRING "string" NUMBER "number"

%token IMPORT "import" ENTITY "entity" TABLE "table" TENANT "tenant"
%token KEY "key" REQUIRED "required" UNIQUE "unique" AUTO "auto"
%token SOFT_DELETE "soft_delete" RANGE "range" DEFAULT "default"
%token REFERENCES "references" FILTER "filter" ORDER "order" AS "as"
%token ASC "asc" DESC "desc" STRATEGY "strategy" DATABASE "database"
%token SOURCE "source" TARGET "target" DSN "dsn" ENV "env" EVERY "every"
%token MAP "map" TO "to" SYNC "sync" FROM "from" INCREMENTAL "incremental"
%token FULL "full" ON "on" WINDOW "window" LOOKBACK "lookback" NULLS "nulls"
%token DELETES "deletes" ERROR_KW "error" REJECT "reject" KEEP "keep"
%token ELSE "else" TRUE "true" FALSE "false" NULL_KW "null" NOW "now"
%token TWO_WAY "<->" FROM_ARROW "<-" MAPS_TO "=>" DOTDOT ".."
%token CONCAT "||" LE "<=" GE ">=" NE "!="

%left CONCAT
%left '+' '-'
%left '*' '/'
%precedence NEG

%type <ast_name> name column policy
%type <ast_entity *> entity entity_body
%type <ast_field *> field
%type <ast_type> type
%type <ast_type_arg *> type_args
%type <ast_type_arg *> type_arg
%type <ast_modifier *> modifiers modifier
%type <wm_literal> literal signed_number
%type <bool> direction arrow
%type <wm_compare> compare
%type <ast_tenant *> tenant tenant_body
%type <ast_conn *> conn
%type <ast_block *> map_block sync_block adapter_body sync_body
%type <ast_mapping_line *> mapping_line
%type <ast_incremental *> incremental inc_options
%type <wm_table_name> table_name
%type <wm_expr *> expr args
%type <wm_value_map *> value_map map_entries
%type <wm_map_entry> map_entry

%%

spec
    : %empty
    | spec top_item
    ;

top_item
    : IMPORT STRING {
        ast_import *i = alloc(p, sizeof *i);
        i->path = $2;
        i->loc = @2;
        *p->file->imports_tail = i;
        p->file->imports_tail = &i->next;
      }
    | entity { *p->file->entities_tail = $1; p->file->entities_tail = &$1->next; }
    | tenant { *p->file->tenants_tail = $1; p->file->tenants_tail = &$1->next; }
    | error
    ;

/* Words that are keywords elsewhere may still name a field or a column
 * where nothing else could stand: `source`, `target`, `error`, ... */
name
    : IDENT      { $$ = name_of($1, @1, false); }
    | TABLE      { $$ = name_of("table", @1, false); }
    | SOURCE     { $$ = name_of("source", @1, false); }
    | TARGET     { $$ = name_of("target", @1, false); }
    | DATABASE   { $$ = name_of("database", @1, false); }
    | ERROR_KW   { $$ = name_of("error", @1, false); }
    | FULL       { $$ = name_of("full", @1, false); }
    | WINDOW     { $$ = name_of("window", @1, false); }
    | LOOKBACK   { $$ = name_of("lookback", @1, false); }
    | NULLS      { $$ = name_of("nulls", @1, false); }
    | STRATEGY   { $$ = name_of("strategy", @1, false); }
    | TENANT     { $$ = name_of("tenant", @1, false); }
    | ENTITY     { $$ = name_of("entity", @1, false); }
    | EVERY      { $$ = name_of("every", @1, false); }
    | ENV        { $$ = name_of("env", @1, false); }
    | DSN        { $$ = name_of("dsn", @1, false); }
    | INCREMENTAL { $$ = name_of("incremental", @1, false); }
    ;

/* ---- entities ---------------------------------------------------------- */

entity
    : ENTITY name '{' entity_body '}' {
        $$ = $4; $$->name = $2; $$->loc = @2;
      }
    | ENTITY name TABLE name '{' entity_body '}' {
        $$ = $6; $$->name = $2; $$->table = $4; $$->loc = @2;
      }
    ;

entity_body
    : %empty { $$ = entity_new(p); }
    | entity_body field { $$ = $1; *$$->fields_tail = $2; $$->fields_tail = &$2->next; }
    | entity_body FILTER { p->entity = $1; } filter_items { $$ = $1; }
    | entity_body ORDER {
        once(p, $1->order_loc.line != 0, @2, $1->order_loc, "the order of an entity");
        if ($1->order_loc.line == 0)
            $1->order_loc = @2;
        p->entity = $1;
      } order_items { $$ = $1; }
    | entity_body error { $$ = $1; }
    ;

field
    : name type modifiers {
        $$ = alloc(p, sizeof *$$);
        $$->name = $1;
        $$->type = $2;
        $$->modifiers = $3;
      }
    ;

type
    : name {
        memset(&$$, 0, sizeof $$);
        $$.word = $1; $$.loc = @$;
      }
    | name '(' type_args ')' {
        memset(&$$, 0, sizeof $$);
        $$.word = $1; $$.has_args = true; $$.loc = @$;
        for (ast_type_arg *a = $3, *next; a; a = next) {   /* back to written order */
            next = a->next;
            a->next = $$.args;
            $$.args = a;
        }
      }
    ;

type_args
    : type_arg
    | type_args ',' type_arg { $$ = $3; $$->next = $1; }   /* reversed; see type */
    ;

type_arg
    : NUMBER { $$ = alloc(p, sizeof *$$); $$->is_number = true; $$->text = $1; $$->loc = @1; }
    | name   { $$ = alloc(p, sizeof *$$); $$->text = $1.text; $$->loc = @1; }
    ;

/* Left recursion keeps the parser's stack flat however many modifiers a
 * line has; the list comes out reversed, which no check depends on. */
modifiers
    : %empty { $$ = NULL; }
    | modifiers modifier { $$ = $2; $$->next = $1; }
    ;

modifier
    : KEY         { $$ = alloc(p, sizeof *$$); $$->kind = AST_KEY; $$->loc = @1; }
    | REQUIRED    { $$ = alloc(p, sizeof *$$); $$->kind = AST_REQUIRED; $$->loc = @1; }
    | UNIQUE      { $$ = alloc(p, sizeof *$$); $$->kind = AST_UNIQUE; $$->loc = @1; }
    | AUTO        { $$ = alloc(p, sizeof *$$); $$->kind = AST_AUTO; $$->loc = @1; }
    | SOFT_DELETE { $$ = alloc(p, sizeof *$$); $$->kind = AST_SOFT_DELETE; $$->loc = @1; }
    | RANGE signed_number DOTDOT signed_number {
        $$ = alloc(p, sizeof *$$); $$->kind = AST_RANGE; $$->loc = @1;
        $$->lo = $2; $$->hi = $4;
      }
    | DEFAULT literal {
        $$ = alloc(p, sizeof *$$); $$->kind = AST_DEFAULT; $$->loc = @1; $$->value = $2;
      }
    | DEFAULT NOW {
        $$ = alloc(p, sizeof *$$); $$->kind = AST_DEFAULT; $$->loc = @1;
        $$->value = literal_of(WM_L_NOW, "now", @2);
      }
    | DEFAULT name {
        $$ = alloc(p, sizeof *$$); $$->kind = AST_DEFAULT; $$->loc = @1;
        $$->value = literal_of(WM_L_NAME, $2.text, @2);
      }
    | REFERENCES name {
        $$ = alloc(p, sizeof *$$); $$->kind = AST_REFERENCES; $$->loc = @1; $$->target = $2;
      }
    ;

filter_items
    : filter_item
    | filter_items ',' filter_item
    ;

filter_item
    : name {
        ast_filter *f = alloc(p, sizeof *f);
        f->field = $1;
        ast_entity *e = p->entity;
        *e->filters_tail = f; e->filters_tail = &f->next;
      }
    | name compare {
        ast_filter *f = alloc(p, sizeof *f);
        f->field = $1; f->has_op = true; f->op = $2; f->op_loc = @2;
        ast_entity *e = p->entity;
        *e->filters_tail = f; e->filters_tail = &f->next;
      }
    | name compare AS name {
        ast_filter *f = alloc(p, sizeof *f);
        f->field = $1; f->has_op = true; f->op = $2; f->op_loc = @2; f->alias = $4;
        ast_entity *e = p->entity;
        *e->filters_tail = f; e->filters_tail = &f->next;
      }
    | name AS name {
        ast_filter *f = alloc(p, sizeof *f);
        f->field = $1; f->alias = $3;
        ast_entity *e = p->entity;
        *e->filters_tail = f; e->filters_tail = &f->next;
      }
    ;

compare
    : '='  { $$ = WM_CMP_EQ; }
    | NE   { $$ = WM_CMP_NE; }
    | '<'  { $$ = WM_CMP_LT; }
    | LE   { $$ = WM_CMP_LE; }
    | '>'  { $$ = WM_CMP_GT; }
    | GE   { $$ = WM_CMP_GE; }
    ;

order_items
    : order_item
    | order_items ',' order_item
    ;

order_item
    : name direction {
        ast_order *o = alloc(p, sizeof *o);
        o->field = $1; o->is_descending = $2;
        ast_entity *e = p->entity;
        *e->orders_tail = o; e->orders_tail = &o->next;
      }
    ;

direction
    : %empty { $$ = false; }
    | ASC    { $$ = false; }
    | DESC   { $$ = true; }
    ;

/* ---- tenants ----------------------------------------------------------- */

tenant
    : TENANT name '{' tenant_body '}' { $$ = $4; $$->name = $2; $$->loc = @2; }
    ;

tenant_body
    : %empty { $$ = tenant_new(p); }
    | tenant_body STRATEGY name {
        $$ = $1;
        once(p, $$->strategy.text != NULL, @2, $$->strategy.loc, "the strategy");
        if (!$$->strategy.text)
            $$->strategy = $3;
      }
    | tenant_body DATABASE conn {
        $$ = $1;
        $3->keyword_loc = @2;
        once(p, $$->database != NULL, @2, $$->database ? $$->database->keyword_loc : @2, "the database");
        if (!$$->database)
            $$->database = $3;
      }
    | tenant_body SOURCE conn {
        $$ = $1;
        $3->keyword_loc = @2;
        once(p, $$->source != NULL, @2, $$->source ? $$->source->keyword_loc : @2, "the source");
        if (!$$->source)
            $$->source = $3;
      }
    | tenant_body TARGET conn {
        $$ = $1;
        $3->keyword_loc = @2;
        once(p, $$->target != NULL, @2, $$->target ? $$->target->keyword_loc : @2, "the target");
        if (!$$->target)
            $$->target = $3;
      }
    | tenant_body EVERY NUMBER name {
        $$ = $1;
        once(p, $$->every != NULL, @2, $$->every ? $$->every->keyword_loc : @2, "the sync interval");
        if (!$$->every)
            $$->every = quantity_new(p, @2, $3, @3, $4);
      }
    | tenant_body map_block { $$ = $1; *$$->blocks_tail = $2; $$->blocks_tail = &$2->next; }
    | tenant_body sync_block { $$ = $1; *$$->blocks_tail = $2; $$->blocks_tail = &$2->next; }
    | tenant_body error { $$ = $1; }
    ;

conn
    : name DSN ENV name {
        $$ = alloc(p, sizeof *$$); $$->dialect = $1; $$->env = $4; $$->loc = @1;
      }
    | name DSN STRING {
        $$ = alloc(p, sizeof *$$); $$->dialect = $1; $$->loc = @1;
        $$->has_literal = true; $$->literal = literal_of(WM_L_STRING, $3, @3);
      }
    ;

table_name
    : column {
        memset(&$$, 0, sizeof $$);
        wm_table_name_add(p, &$$, $1.text, $1.is_quoted, @1);
        $$.loc = @1;
      }
    | table_name '.' column {
        $$ = $1;
        wm_table_name_add(p, &$$, $3.text, $3.is_quoted, @3);
        $$.loc = @$;
      }
    ;

map_block
    : MAP name TO table_name '{' adapter_body '}' {
        $$ = $6; $$->entity = $2; $$->table = $4; $$->loc = @2;
      }
    ;

adapter_body
    : %empty { $$ = block_new(p); }
    | adapter_body mapping_line { $$ = $1; *$$->lines_tail = $2; $$->lines_tail = &$2->next; }
    | adapter_body error { $$ = $1; }
    ;

sync_block
    : SYNC name FROM table_name incremental '{' sync_body '}' {
        $$ = $7; $$->is_sync = true; $$->entity = $2; $$->table = $4; $$->loc = @2;
        $$->incremental = $5;
      }
    ;

incremental
    : %empty { $$ = NULL; }
    | INCREMENTAL FULL { $$ = alloc(p, sizeof *$$); $$->is_full = true; $$->loc = @1; }
    | INCREMENTAL ON expr inc_options { $$ = $4; $$->on = $3; $$->loc = @1; }
    ;

inc_options
    : %empty { $$ = alloc(p, sizeof *$$); }
    | inc_options WINDOW NUMBER name {
        $$ = $1;
        once(p, $$->window != NULL, @2, $$->window ? $$->window->keyword_loc : @2, "the window");
        if (!$$->window)
            $$->window = quantity_new(p, @2, $3, @3, $4);
      }
    | inc_options LOOKBACK NUMBER name {
        $$ = $1;
        once(p, $$->lookback != NULL, @2, $$->lookback ? $$->lookback->keyword_loc : @2, "the lookback");
        if (!$$->lookback)
            $$->lookback = quantity_new(p, @2, $3, @3, $4);
      }
    | inc_options NULLS policy {
        $$ = $1;
        once(p, $$->nulls.text != NULL, @2, $$->nulls.loc, "the nulls policy");
        if (!$$->nulls.text)
            $$->nulls = $3;
      }
    ;

sync_body
    : %empty { $$ = block_new(p); }
    | sync_body mapping_line { $$ = $1; *$$->lines_tail = $2; $$->lines_tail = &$2->next; }
    | sync_body DELETES name {
        $$ = $1;
        once(p, $$->deletes.text != NULL, @2, $$->deletes.loc, "deletes");
        if (!$$->deletes.text)
            $$->deletes = $3;
      }
    | sync_body ON ERROR_KW policy {
        $$ = $1;
        once(p, $$->on_error.text != NULL, @2, $$->on_error.loc, "on error");
        if (!$$->on_error.text)
            $$->on_error = $4;
      }
    | sync_body error { $$ = $1; }
    ;

mapping_line
    : name arrow expr {
        $$ = alloc(p, sizeof *$$);
        $$->field = $1; $$->is_two_way = $2; $$->arrow_loc = @2; $$->expr = $3; $$->loc = @$;
      }
    | name arrow expr MAP '{' value_map '}' {
        $$ = alloc(p, sizeof *$$);
        $$->field = $1; $$->is_two_way = $2; $$->arrow_loc = @2; $$->expr = $3;
        $$->value_map = $6; $$->value_map->loc = @4; $$->loc = @1;
      }
    | name arrow expr MAP '{' value_map '}' ELSE REJECT {
        $$ = alloc(p, sizeof *$$);
        $$->field = $1; $$->is_two_way = $2; $$->arrow_loc = @2; $$->expr = $3;
        $$->value_map = $6; $$->value_map->loc = @4; $$->loc = @1;
        $$->value_map->has_else = true; $$->value_map->otherwise = WM_ELSE_REJECT;
        $$->value_map->else_loc = @9;
      }
    | name arrow expr MAP '{' value_map '}' ELSE KEEP {
        $$ = alloc(p, sizeof *$$);
        $$->field = $1; $$->is_two_way = $2; $$->arrow_loc = @2; $$->expr = $3;
        $$->value_map = $6; $$->value_map->loc = @4; $$->loc = @1;
        $$->value_map->has_else = true; $$->value_map->otherwise = WM_ELSE_KEEP;
        $$->value_map->else_loc = @9;
      }
    | name arrow expr MAP '{' value_map '}' ELSE literal {
        $$ = alloc(p, sizeof *$$);
        $$->field = $1; $$->is_two_way = $2; $$->arrow_loc = @2; $$->expr = $3;
        $$->value_map = $6; $$->value_map->loc = @4; $$->loc = @1;
        $$->value_map->has_else = true; $$->value_map->else_loc = @9;
        $$->value_map->otherwise = $9.kind == WM_L_NULL ? WM_ELSE_NULL : WM_ELSE_DEFAULT;
        $$->value_map->else_value = $9;
      }
    | name arrow expr MAP '{' value_map '}' ELSE name {
        $$ = alloc(p, sizeof *$$);
        $$->field = $1; $$->is_two_way = $2; $$->arrow_loc = @2; $$->expr = $3;
        $$->value_map = $6; $$->value_map->loc = @4; $$->loc = @1;
        $$->value_map->has_else = true; $$->value_map->else_loc = @9;
        $$->value_map->otherwise = WM_ELSE_DEFAULT;
        $$->value_map->else_value = literal_of(WM_L_NAME, $9.text, @9);
      }
    ;

/* `nulls reject`, `on error reject`: reject is a keyword (`else reject`). */
policy
    : name
    | REJECT { $$ = name_of("reject", @1, false); }
    ;

arrow
    : FROM_ARROW { $$ = false; }
    | TWO_WAY    { $$ = true; }
    ;

value_map
    : map_entries
    | map_entries ',' { $$ = $1; }
    ;

map_entries
    : map_entry {
        $$ = alloc(p, sizeof *$$);
        wm_value_map_add(p, $$, $1);
      }
    | map_entries ',' map_entry { $$ = $1; wm_value_map_add(p, $$, $3); }
    ;

map_entry
    : literal arrow_entry literal {
        memset(&$$, 0, sizeof $$);
        $$.from = $1; $$.to = $3; $$.is_two_way = $<bool>2; $$.loc = @$;
      }
    | literal arrow_entry name {
        memset(&$$, 0, sizeof $$);
        $$.from = $1; $$.to = literal_of(WM_L_NAME, $3.text, @3);
        $$.is_two_way = $<bool>2; $$.loc = @$;
      }
    ;

arrow_entry
    : MAPS_TO  { $<bool>$ = false; }
    | TWO_WAY  { $<bool>$ = true; }
    ;

/* ---- expressions ------------------------------------------------------- */

expr
    : expr CONCAT expr  { $$ = wm_expr_binary(p, WM_OP_CONCAT, $1, $3, @$); }
    | expr '+' expr     { $$ = wm_expr_binary(p, WM_OP_ADD, $1, $3, @$); }
    | expr '-' expr     { $$ = wm_expr_binary(p, WM_OP_SUB, $1, $3, @$); }
    | expr '*' expr     { $$ = wm_expr_binary(p, WM_OP_MUL, $1, $3, @$); }
    | expr '/' expr     { $$ = wm_expr_binary(p, WM_OP_DIV, $1, $3, @$); }
    | '-' expr %prec NEG { $$ = wm_expr_neg(p, $2, @$); }
    | '(' expr ')'      { $$ = $2; }
    | column {
        $$ = wm_expr_new(p, WM_E_COLUMN, @1);
        $$->name = $1.text; $$->is_quoted = $1.is_quoted;
      }
    | STRING  { $$ = wm_expr_new(p, WM_E_LITERAL, @1); $$->lit = literal_of(WM_L_STRING, $1, @1); }
    | NUMBER  { $$ = wm_expr_new(p, WM_E_LITERAL, @1); $$->lit = literal_of(WM_L_NUMBER, $1, @1); }
    | TRUE    { $$ = wm_expr_new(p, WM_E_LITERAL, @1); $$->lit = literal_of(WM_L_BOOL, "true", @1); $$->lit.boolean = true; }
    | FALSE   { $$ = wm_expr_new(p, WM_E_LITERAL, @1); $$->lit = literal_of(WM_L_BOOL, "false", @1); }
    | NULL_KW { $$ = wm_expr_new(p, WM_E_LITERAL, @1); $$->lit = literal_of(WM_L_NULL, "null", @1); }
    | name '(' ')' { $$ = wm_expr_new(p, WM_E_CALL, @$); $$->name = $1.text; }
    | name '(' args ')' { $$ = $3; $$->name = $1.text; $$->loc = @$; }
    ;

args
    : expr { $$ = wm_expr_new(p, WM_E_CALL, @1); wm_expr_add_arg(p, $$, $1); }
    | args ',' expr { $$ = $1; wm_expr_add_arg(p, $$, $3); }
    ;

column
    : name
    | QIDENT { $$ = name_of($1, @1, true); }
    ;

literal
    : STRING        { $$ = literal_of(WM_L_STRING, $1, @1); }
    | signed_number
    | TRUE          { $$ = literal_of(WM_L_BOOL, "true", @1); $$.boolean = true; }
    | FALSE         { $$ = literal_of(WM_L_BOOL, "false", @1); }
    | NULL_KW       { $$ = literal_of(WM_L_NULL, "null", @1); }
    ;

signed_number
    : NUMBER     { $$ = literal_of(WM_L_NUMBER, $1, @1); }
    | '-' NUMBER { $$ = literal_of(WM_L_NUMBER, wm_arena_printf(p->arena, "-%s", $2), @$); }
    ;

%%

static void yyerror(YYLTYPE *loc, wm_parser *p, const char *msg)
{
    /* Only bison's own failure reaches here: its stack is full. */
    (void)msg;
    if (!p->is_stopped)
        wm_error(p->diags, *loc, "spec nested too deeply for the parser");
    p->is_stopped = true;
}

/* How a symbol is named in a message: a token class by its class
 * ("identifier"), a keyword or punctuation as written ('entity', '{'). */
static void describe(char *buf, size_t size, yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_YYEOF: snprintf(buf, size, "end of file"); return;
    case YYSYMBOL_IDENT: snprintf(buf, size, "identifier"); return;
    case YYSYMBOL_QIDENT: snprintf(buf, size, "quoted identifier"); return;
    case YYSYMBOL_STRING: snprintf(buf, size, "string"); return;
    case YYSYMBOL_NUMBER: snprintf(buf, size, "number"); return;
    default: break;
    }
    const char *nm = yysymbol_name(sym);
    size_t len = strlen(nm);
    if (len >= 2 && (nm[0] == '"' || nm[0] == '\''))
        snprintf(buf, size, "'%.*s'", (int)(len - 2), nm + 1);
    else
        snprintf(buf, size, "'%s'", nm);
}

/* The keywords the `name` rule accepts as names. */
static bool is_name_keyword(yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_TABLE: case YYSYMBOL_SOURCE: case YYSYMBOL_TARGET: case YYSYMBOL_DATABASE:
    case YYSYMBOL_ERROR_KW: case YYSYMBOL_FULL: case YYSYMBOL_WINDOW: case YYSYMBOL_LOOKBACK:
    case YYSYMBOL_NULLS: case YYSYMBOL_STRATEGY: case YYSYMBOL_TENANT: case YYSYMBOL_ENTITY:
    case YYSYMBOL_EVERY: case YYSYMBOL_ENV: case YYSYMBOL_DSN: case YYSYMBOL_INCREMENTAL:
        return true;
    default:
        return false;
    }
}

/* "unexpected identifier 'stauts', expected '{'": the offending token is
 * quoted as written in the spec, so the user sees their own text. */
static int yyreport_syntax_error(const yypcontext_t *ctx, wm_parser *p)
{
    if (p->is_stopped)
        return 0;
    wm_loc loc = *yypcontext_location(ctx);
    yysymbol_kind_t got = yypcontext_token(ctx);
    enum { MAX_EXPECTED = 64 };
    yysymbol_kind_t expected[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);

    char what[128];
    describe(what, sizeof what, got);
    if (got == YYSYMBOL_IDENT || got == YYSYMBOL_NUMBER) {
        size_t len = (size_t)(p->cur - p->tok);
        size_t used = strlen(what);
        snprintf(what + used, sizeof what - used, " '%.*s'", len > 40 ? 40 : (int)len, p->tok);
    }

    /* Where a name may stand, the keywords that may also name things are
     * folded into "a name"; a list longer than five helps nobody. */
    bool wants_name = false;
    for (int i = 0; i < n; i++)
        wants_name |= expected[i] == YYSYMBOL_IDENT;
    const char *items[MAX_EXPECTED];
    char names[MAX_EXPECTED][32];
    int k = 0;
    if (wants_name)
        items[k++] = "a name";
    for (int i = 0; i < n; i++) {
        if (wants_name && (expected[i] == YYSYMBOL_IDENT || is_name_keyword(expected[i])))
            continue;
        describe(names[k], sizeof names[k], expected[i]);
        items[k] = names[k];
        k++;
    }
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; i < k && k <= 5; i++) {
        const char *sep = i == 0 ? "" : i == k - 1 ? " or " : ", ";
        int w = snprintf(list + used, sizeof list - used, "%s%s", sep, items[i]);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
    }
    if (used > 0)
        wm_error(p->diags, loc, "unexpected %s, expected %s", what, list);
    else
        wm_error(p->diags, loc, "unexpected %s", what);

    /* Recover at the next line (see wm_parser.is_skipping). */
    p->is_skipping = true;
    p->skip_line = loc.line;
    p->skip_depth = got == YYSYMBOL_YYEOF ? 0 : (p->tok[0] == '{');
    return 0;
}

ast_file *wm_parse(wm_arena *a, wm_diags *d, const wm_source *src)
{
    wm_parser p;
    memset(&p, 0, sizeof p);
    p.arena = a;
    p.diags = d;
    p.src = src;
    p.file = wm_arena_alloc(a, sizeof *p.file);
    p.file->src = src;
    p.file->imports_tail = &p.file->imports;
    p.file->entities_tail = &p.file->entities;
    p.file->tenants_tail = &p.file->tenants;
    p.cur = p.tok = src->data;
    p.lim = src->data + src->len;
    p.line = 1;
    p.line_start = p.col_mark = src->data;
    if (src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0)
        p.cur = p.col_mark = src->data + 3;    /* a byte order mark is not text */
    p.col_at_mark = 1;
    yyparse(&p);
    return p.file;
}
