#!/usr/bin/env node
// tests/sqlcheck/check.js - syntax-checks every T-SQL and Oracle statement
// that wellosc generated, with the ANTLR grammars of those dialects
// (the npm package antlr4ts-sql: grammars-v4's TSqlParser and PlSqlParser).
//
//   node check.js [--root DIR]     check DIR/generated (default: the repository)
//   node check.js --self-test      prove that the check can fail
//
// This is a SYNTAX check: no SQL Server or Oracle server is involved, so it
// says nothing about names, types or run-time behaviour.
//
// What is read, per generated/<example>/:
//   T-SQL:  ddl_sqlserver.sql, *.sqlserver.sql, <tenant>_schema.sql of a
//           sqlserver tenant, and the statements embedded in the .c
//           repositories of a sqlserver tenant (.sql and .param_decl)
//   PL/SQL: ddl_oracle.sql, *.oracle.sql, <tenant>_schema.sql of an oracle
//           tenant, and the statements embedded in the .c repositories of an
//           oracle tenant
// A tenant's dialect comes from the factory (repos.c: { "name", WR_SQLSERVER, ...).
// Besides generated/: the SQL Server catalog queries of `wellosc introspect`
// (runtime/wr_catalog.c, the strings named introspect.sqlserver.*).
//
// Splitting: a statement ends at a ';' that is the last thing on its line
// (outside string literals, quoted identifiers and comments); '-- ' lines
// between statements are comments.  A ';' elsewhere (inside a literal, or
// between the statements of one batch such as SQL Server's save) does not
// split: such a batch is parsed whole, as SQL Server would receive it.
//
// Every statement is parsed on its own, with an error listener on both the
// lexer and the parser; any report is a syntax error.  Exit status: 0 when
// there is none, 1 when there is any (or a file could not be read), 2 on
// bad usage.
'use strict';

const fs = require('fs');
const path = require('path');
const { antlr4tsSQL, SQLDialect } = require('antlr4ts-sql');

const TSQL = 'T-SQL';
const PLSQL = 'PL/SQL';

// ---- known grammar limitations --------------------------------------------
// Exact statements (compared with whitespace collapsed) that are valid SQL
// but that antlr4ts-sql 1.1.0 rejects: { dialect: TSQL or PLSQL, statement:
// '...', reason: 'the construct, and the evidence that it is valid' }.  An
// entry that no longer matches a rejected statement is itself an error, so
// the list cannot go stale.  Keep it minimal.  Today it is empty: every
// statement the grammars rejected so far was really wrong (see README.md).
const ALLOW = [];

// ---- parsing ---------------------------------------------------------------

function parse(dialect, text) {
    const errors = [];
    const listener = {
        syntaxError(recognizer, offending, line, column, msg) {
            // The grammars read an upper-cased copy of the input, so ANTLR
            // prints tokens as '<type>': name the offending text instead.
            msg = msg.replace(/\s+/g, ' ');
            if (offending && offending.type === -1)
                msg = msg.replace(/(input|at) '<(EOF|[-\d]+)>'/, '$1 <end of statement>');
            else if (offending && offending.startIndex >= 0)
                msg = msg.replace(/(input|at) '<[-\d]+>'/, `$1 '${text.slice(offending.startIndex, offending.stopIndex + 1)}'`);
            if (offending && offending.startIndex >= 0 && offending.type !== -1)
                msg = msg.replace(/at input ''$/, `at input '${text.slice(offending.startIndex, offending.stopIndex + 1)}'`);
            errors.push({ line, column, msg: shorten(msg) });
        },
    };
    const tool = new antlr4tsSQL(dialect === TSQL ? SQLDialect.TSQL : SQLDialect.PLSQL);
    const tokens = tool.getTokens(text, [listener]);
    const parser = tool.getParser(tokens, [listener]);
    tool.getParseTree(parser); // tsql_file / sql_script: both end with EOF
    return errors;
}

// ANTLR lists every expected token: hundreds of names.  Keep the head.
function shorten(msg) {
    msg = msg.replace(/\s+/g, ' ');
    return msg.length > 240 ? msg.slice(0, 240) + ' ...}' : msg;
}

function collapse(text) {
    return text.replace(/\s+/g, ' ').trim();
}

// ---- splitting -------------------------------------------------------------

// Statements of a file: [{ text, line, name }], `line` where the statement
// starts (1-based), `name` the '-- ' comment line just before it, if any.
function split(source, dialect) {
    const out = [];
    let i = 0;
    let line = 1;
    let start = -1;           // offset of the current statement's first character
    let startLine = 0;
    let lastComment = null;   // text of the last whole-line '--' comment
    let lineHasCode = false;  // the current line has code outside comments
    const n = source.length;

    const finish = (end) => {
        const text = source.slice(start, end).trim();
        if (text)
            out.push({ text, line: startLine, name: lastComment });
        start = -1;
        lastComment = null;
    };
    const begin = () => {
        if (start < 0) {
            start = i;
            startLine = line;
        }
        lineHasCode = true;
    };

    while (i < n) {
        const c = source[i];
        const next = source[i + 1];
        if (c === '\n') {
            line++;
            lineHasCode = false;
            i++;
        } else if (c === ' ' || c === '\t' || c === '\r') {
            i++;
        } else if (c === '-' && next === '-') {
            let end = source.indexOf('\n', i);
            if (end < 0)
                end = n;
            if (!lineHasCode && start < 0)
                lastComment = source.slice(i + 2, end).trim();
            i = end;
        } else if (c === '/' && next === '*') {
            begin();
            let end = source.indexOf('*/', i + 2);
            end = end < 0 ? n : end + 2;
            for (let k = i; k < end; k++)
                if (source[k] === '\n')
                    line++;
            i = end;
        } else if (c === "'" || c === '"' || (c === '[' && dialect === TSQL)) {
            begin();
            const close = c === '[' ? ']' : c;
            let k = i + 1;
            for (;;) {
                if (k >= n)
                    break; // unterminated: the parser will say so
                if (source[k] === close) {
                    if (source[k + 1] === close) { // '' "" ]] escape the quote
                        k += 2;
                        continue;
                    }
                    break;
                }
                if (source[k] === '\n')
                    line++;
                k++;
            }
            i = Math.min(k + 1, n);
        } else if (c === ';') {
            begin();
            i++;
            // the end of a statement only when nothing but blanks or a
            // comment follows on this line
            let k = i;
            while (k < n && (source[k] === ' ' || source[k] === '\t' || source[k] === '\r'))
                k++;
            if (k >= n || source[k] === '\n' || (source[k] === '-' && source[k + 1] === '-'))
                finish(i);
        } else {
            begin();
            i++;
        }
    }
    if (start >= 0)
        finish(n); // text after the last ';': parsed too, so it is not lost
    return out;
}

// ---- statements embedded in generated C ------------------------------------

// The value of a sequence of adjacent C string literals starting at s[i].
function cStrings(s, i) {
    let value = '';
    for (;;) {
        while (i < s.length && /\s/.test(s[i]))
            i++;
        if (s[i] !== '"')
            return { value, end: i };
        i++;
        while (s[i] !== '"') {
            if (i >= s.length)
                throw new Error('unterminated C string');
            if (s[i] === '\\') {
                const e = s[i + 1];
                const simple = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
                if (e in simple) {
                    value += simple[e];
                    i += 2;
                    continue;
                }
                throw new Error(`unsupported C escape \\${e}`);
            }
            value += s[i++];
        }
        i++;
    }
}

// [{ text, decl, line, name }] of `static const wr_stmt statements[]`.
function cStatements(source) {
    const out = [];
    const re = /\.(name|sql|param_decl) =\s/g;
    let current = null;
    for (let m; (m = re.exec(source)) !== null;) {
        const { value, end } = cStrings(source, m.index + m[0].length);
        if (m[1] === 'name') {
            current = { name: value, line: source.slice(0, m.index).split('\n').length };
            out.push(current);
        } else if (current && m[1] === 'sql') {
            current.text = value;
        } else if (current) {
            current.decl = value;
        }
        re.lastIndex = end;
    }
    return out.filter((s) => s.text !== undefined);
}

// ---- what to check ---------------------------------------------------------

// { tenant: 'sqlserver' | 'oracle' | ... } from an example's factory.
function tenantDialects(dir) {
    const dialects = {};
    const factory = path.join(dir, 'repos.c');
    if (!fs.existsSync(factory))
        return dialects;
    const re = /\{\s*"([A-Za-z0-9_]+)",\s*WR_([A-Z]+),/g;
    const text = fs.readFileSync(factory, 'utf8');
    for (let m; (m = re.exec(text)) !== null;)
        dialects[m[1]] = m[2].toLowerCase();
    return dialects;
}

// [{ file, dialect, kind: 'sql' | 'c' }], in a stable order.
function inputs(root) {
    const gen = path.join(root, 'generated');
    const list = [];
    const problems = [];
    for (const ex of fs.readdirSync(gen).sort()) {
        const dir = path.join(gen, ex);
        if (!fs.statSync(dir).isDirectory())
            continue;
        const tenants = tenantDialects(dir);
        const files = fs.readdirSync(dir).sort();
        for (const f of files) {
            const file = path.join(dir, f);
            if (f === 'ddl_sqlserver.sql' || f.endsWith('.sqlserver.sql')) {
                list.push({ file, dialect: TSQL, kind: 'sql' });
            } else if (f === 'ddl_oracle.sql' || f.endsWith('.oracle.sql')) {
                list.push({ file, dialect: PLSQL, kind: 'sql' });
            } else if (f.endsWith('_schema.sql')) {
                const tenant = f.slice(0, -'_schema.sql'.length);
                const d = tenants[tenant];
                if (d === undefined)
                    problems.push(`${file}: tenant '${tenant}' is not in ${path.join(dir, 'repos.c')}: cannot tell its dialect`);
                else if (d === 'sqlserver')
                    list.push({ file, dialect: TSQL, kind: 'sql' });
                else if (d === 'oracle')
                    list.push({ file, dialect: PLSQL, kind: 'sql' });
            } else if (f.endsWith('.c')) {
                // <tenant>_<entity>.c of a sqlserver or oracle tenant
                for (const [tenant, d] of Object.entries(tenants)) {
                    if (!f.startsWith(tenant + '_'))
                        continue;
                    if (d === 'sqlserver')
                        list.push({ file, dialect: TSQL, kind: 'c' });
                    else if (d === 'oracle')
                        list.push({ file, dialect: PLSQL, kind: 'c' });
                }
            }
        }
    }
    // The catalog queries of `wellosc introspect` on SQL Server: C strings
    // named introspect.sqlserver.* in the runtime's wr_catalog.c.
    list.push({ file: path.join(root, 'runtime', 'wr_catalog.c'), dialect: TSQL, kind: 'catalog',
                prefix: 'introspect.sqlserver.' });
    return { list, problems };
}

// ---- the check ---------------------------------------------------------------

function rel(root, file) {
    return path.relative(root, file) || file;
}

// Errors of one statement, after the allow-list; `used` records entries hit.
function checkStatement(dialect, text, used) {
    const errors = parse(dialect, text);
    if (errors.length === 0)
        return [];
    const key = collapse(text);
    const entry = ALLOW.find((a) => a.dialect === dialect && collapse(a.statement) === key);
    if (entry) {
        used.add(entry);
        return [];
    }
    return errors;
}

function runCheck(root) {
    const { list, problems } = inputs(root);
    const used = new Set();
    let total = { [TSQL]: 0, [PLSQL]: 0, errors: 0 };
    const details = [];
    for (const p of problems) {
        details.push(p);
        total.errors++;
    }
    // The .sql files' statements by collapsed text, to compare the C copies.
    const sqlTexts = new Set();
    for (const input of list) {
        if (input.kind !== 'sql')
            continue;
        try {
            for (const st of split(fs.readFileSync(input.file, 'utf8'), input.dialect))
                sqlTexts.add(input.dialect + '\0' + collapse(st.text).replace(/;$/, ''));
        } catch (e) {
            // reported below
        }
    }
    for (const input of list) {
        const counts = { [TSQL]: 0, [PLSQL]: 0 };
        let errors = 0;
        const name = rel(root, input.file);
        let statements;
        try {
            const source = fs.readFileSync(input.file, 'utf8');
            statements = input.kind === 'sql' ? split(source, input.dialect) : cStatements(source);
            if (input.kind === 'catalog') {
                statements = statements.filter((st) => st.name.startsWith(input.prefix));
                if (statements.length === 0)
                    throw new Error(`no statement named ${input.prefix}*`);
            }
        } catch (e) {
            details.push(`${name}: cannot read it: ${e.message}`);
            total.errors++;
            console.log(`${name}: syntax-checked 0 T-SQL statements and 0 PL/SQL statements: 1 errors`);
            continue;
        }
        const lines = input.kind === 'sql' ? fs.readFileSync(input.file, 'utf8').split('\n') : null;
        for (const st of statements) {
            counts[input.dialect]++;
            let errs = checkStatement(input.dialect, st.text, used);
            if (input.kind === 'c' && st.decl) {
                // sp_executesql's @params: the same text as a DECLARE
                const declErrs = checkStatement(TSQL, `DECLARE ${st.decl};`, used);
                errs = errs.concat(declErrs.map((e) => ({ ...e, msg: `in .param_decl "${st.decl}": ${e.msg}` })));
            }
            if (input.kind === 'c' && input.dialect === TSQL && st.decl === undefined)
                errs.push({ line: 1, column: 0, msg: 'a SQL Server statement without .param_decl' });
            if (input.kind === 'c' && !sqlTexts.has(input.dialect + '\0' + collapse(st.text).replace(/;$/, '')))
                errs.push({ line: 1, column: 0, msg: 'this statement is in no generated .sql file (the C and .sql copies differ)' });
            if (errs.length === 0)
                continue;
            // One error per rejected statement: the parser's first report
            // (the others follow from its error recovery).
            errors++;
            const e = errs[0];
            let where;
            let context = '';
            if (input.kind === 'sql') {
                const fileLine = st.line + e.line - 1;
                where = `${name}:${fileLine}:${e.column + 1}`;
                context = `\n    ${fileLine} | ${(lines[fileLine - 1] || '').trim()}`;
            } else {
                where = `${name}:${st.line}`;
            }
            const more = errs.length > 1 ? `\n    (${errs.length - 1} more parser reports in this statement, from error recovery)` : '';
            details.push(`${where}: ${input.dialect} ${st.name ? `statement "${st.name}"` : 'statement'} ` +
                         `starting at line ${st.line} rejected: ${e.msg}${context}\n    statement: ${excerpt(st.text)}${more}`);
        }
        total[TSQL] += counts[TSQL];
        total[PLSQL] += counts[PLSQL];
        total.errors += errors;
        console.log(`${name}: syntax-checked ${counts[TSQL]} T-SQL statements and ${counts[PLSQL]} PL/SQL statements: ${errors} errors`);
    }
    for (const a of ALLOW) {
        if (!used.has(a)) {
            total.errors++;
            details.push(`allow.json: an entry matches no statement the parser rejects (remove it): ${excerpt(a.statement)}`);
        }
    }
    console.log(`total: syntax-checked ${total[TSQL]} T-SQL statements and ${total[PLSQL]} PL/SQL statements` +
                ` in ${list.length} files: ${total.errors} errors` +
                (used.size ? ` (${used.size} statements accepted by allow.json: grammar limitations)` : ''));
    console.log('(a syntax check with the antlr4ts-sql grammars; not run against a SQL Server or Oracle server)');
    if (details.length) {
        console.log('\nerrors (one per rejected statement: the parser\'s first report):');
        for (const d of details)
            console.log(d);
    }
    return total.errors === 0 ? 0 : 1;
}

function excerpt(text) {
    const t = collapse(text);
    return t.length > 300 ? t.slice(0, 300) + ' ...' : t;
}

// ---- self-test -----------------------------------------------------------------

// Statements that must be rejected, and well-formed ones that must be
// accepted (a checker that rejects everything proves nothing either).
const BROKEN = [
    [TSQL, 'SELEC x FROM t'],
    [TSQL, 'UPDATE t SET WHERE x = 1'],
    [TSQL, 'SELECT COUNT(* FROM [dbo].[WellHeader] WHERE [RemovedOn] IS NULL'],
    [TSQL, 'INSERT INTO [dbo].[WellHeader] ([WellGuid], [WellName] VALUES (@p1, @p2)'],
    [TSQL, 'SELECT CONVERT(NVARCHAR(36), [WellGuid] FROM [dbo].[WellHeader]'],
    [TSQL, 'SET NOCOUNT ON; BEGIN TRANSACTION; UPDATE [t] SET [a] = COALESCE(@p1, [a] WHERE [k] = @p2; ' +
           'IF @@ROWCOUNT = 0 INSERT INTO [t] ([k], [a]) VALUES (@p2, @p1); COMMIT TRANSACTION;'],
    [TSQL, 'CREATE TABLE [t] ([a] INT NOT NULL,, [b] INT)'],
    [TSQL, "SELECT 'unterminated FROM [t]"],
    [TSQL, 'SELECT [a] FROM [t] ORDER BY [a] OFFSET @p1 ROWS FETCH NEXT @p2'],
    [TSQL, 'DECLARE @p1 nvarchar(max, @p2 nvarchar(max);'],
    [PLSQL, 'SELEC x FROM t'],
    [PLSQL, 'UPDATE t SET WHERE x = 1'],
    [PLSQL, 'SELECT COUNT(* FROM "FIELD"."WELLS"'],
    [PLSQL, 'MERGE INTO "T" t USING (SELECT :1 AS k FROM dual) s ON (t."ID" = s.k WHEN MATCHED THEN UPDATE SET t."A" = :2'],
    [PLSQL, 'CREATE TABLE "T" ("A" NUMBER(19) NOT NULL "B" CHAR(36))'],
    [PLSQL, 'INSERT INTO "T" ("A", "B") VALUES (:1, :2'],
    [PLSQL, 'SELECT "A" FROM "T" WHERE "A" = :1 AND'],
    // Oracle takes DEFAULT before the inline constraints, never after
    [PLSQL, 'CREATE TABLE "T" ("S" VARCHAR2(11) NOT NULL DEFAULT \'X\' CHECK ("S" IN (\'X\')));'],
];
const GOOD = [
    [TSQL, 'SELECT x FROM t'],
    [TSQL, 'UPDATE t SET y = 2 WHERE x = 1'],
    [TSQL, 'SET NOCOUNT ON; BEGIN TRANSACTION; UPDATE [t] SET [a] = COALESCE(@p1, [a]) WHERE [k] = @p2; ' +
           'IF @@ROWCOUNT = 0 INSERT INTO [t] ([k], [a]) VALUES (@p2, @p1); COMMIT TRANSACTION;'],
    [TSQL, "SELECT 'a;b' FROM [t]"],
    [PLSQL, 'SELECT x FROM t'],
    [PLSQL, 'UPDATE t SET y = 2 WHERE x = 1'],
    [PLSQL, 'MERGE INTO "T" t USING (SELECT :1 AS k FROM dual) s ON (t."ID" = s.k) WHEN MATCHED THEN UPDATE SET t."A" = :2'],
    [PLSQL, 'CREATE TABLE "T" ("S" VARCHAR2(11) DEFAULT \'X\' NOT NULL CHECK ("S" IN (\'X\')));'],
    [TSQL, "CREATE TABLE [t] ([s] NVARCHAR(11) NOT NULL DEFAULT 'X' CHECK ([s] IN ('X')))"],
];

// Drop the last ')' outside literals and identifiers: always unbalanced.
function dropLastParen(text, dialect) {
    let last = -1;
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === "'" || c === '"' || (c === '[' && dialect === TSQL)) {
            const close = c === '[' ? ']' : c;
            i++;
            while (i < text.length && !(text[i] === close && text[i + 1] !== close))
                i += text[i] === close ? 2 : 1;
            i++;
        } else if (c === '-' && text[i + 1] === '-') {
            while (i < text.length && text[i] !== '\n')
                i++;
        } else {
            if (c === ')')
                last = i;
            i++;
        }
    }
    return last < 0 ? null : text.slice(0, last) + text.slice(last + 1);
}

function selfTest(root) {
    let failures = 0;
    let rejected = 0;
    for (const [dialect, text] of BROKEN) {
        const errs = parse(dialect, text);
        if (errs.length === 0) {
            failures++;
            console.log(`FAIL: accepted a broken ${dialect} statement: ${text}`);
        } else {
            rejected++;
            console.log(`ok: rejected ${dialect}: ${text}\n      ${errs[0].line}:${errs[0].column}: ${errs[0].msg}`);
        }
    }
    let accepted = 0;
    for (const [dialect, text] of GOOD) {
        const errs = parse(dialect, text);
        if (errs.length) {
            failures++;
            console.log(`FAIL: rejected a well-formed ${dialect} statement: ${text}: ${errs[0].msg}`);
        } else {
            accepted++;
        }
    }
    // The splitter: a ';' at a line end inside a literal does not split, a
    // batch stays whole, comment lines name the statement.
    const sample = "-- one\nSELECT 'a;\nb;' FROM [t];\n\n-- two\nSET NOCOUNT ON; SELECT 1; SELECT [x;]\nFROM [t];\n-- three\nSELECT 3";
    const parts = split(sample, TSQL);
    const want = [["one", 2], ["two", 6], ["three", 9]];
    const splitOk = parts.length === 3 && parts.every((p, k) => p.name === want[k][0] && p.line === want[k][1]);
    if (!splitOk) {
        failures++;
        console.log(`FAIL: the splitter cut the sample into ${JSON.stringify(parts)}`);
    }
    // Mutants of the real statements: each with its last ')' dropped must
    // be rejected, so the check is sensitive on the very input it checks.
    let mutants = 0;
    let killed = 0;
    const { list } = inputs(root);
    for (const input of list) {
        if (input.kind !== 'sql')
            continue;
        for (const st of split(fs.readFileSync(input.file, 'utf8'), input.dialect)) {
            const broken = dropLastParen(st.text, input.dialect);
            if (broken === null)
                continue;
            mutants++;
            if (parse(input.dialect, broken).length) {
                killed++;
            } else {
                failures++;
                console.log(`FAIL: accepted ${rel(root, input.file)}:${st.line} with its last ')' removed: ${excerpt(broken)}`);
            }
        }
    }
    console.log(`self-test: rejected ${rejected} of ${BROKEN.length} broken statements, accepted ${accepted} of ${GOOD.length} well-formed ones, ` +
                `splitter ${splitOk ? 'ok' : 'WRONG'}, rejected ${killed} of ${mutants} generated statements with one ')' removed`);
    console.log(failures ? `self-test: FAILED (${failures})` : 'self-test: passed: the check can fail');
    return failures ? 1 : 0;
}

// ---- main ----------------------------------------------------------------------

function main(argv) {
    let root = path.resolve(__dirname, '..', '..');
    let mode = 'check';
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--self-test')
            mode = 'self-test';
        else if (argv[i] === '--root' && i + 1 < argv.length)
            root = path.resolve(argv[++i]);
        else {
            console.error('usage: node check.js [--self-test] [--root DIR]');
            return 2;
        }
    }
    return mode === 'self-test' ? selfTest(root) : runCheck(root);
}

process.exitCode = main(process.argv.slice(2));
