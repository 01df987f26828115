# tests/hostile/gen_spec.awk - a random VALID .wmap spec from a seed, with
# hostile client table and column names, plus a C harness that calls every
# repository operation once.  POSIX awk, no rand(): a Park-Miller generator
# so that a seed gives the same spec with mawk, gawk or busybox awk.
#
#   awk -v seed=N -v spec=OUT.wmap -v harness=OUT.c -v pgschemas=OUT.sql \
#       -f tests/hostile/gen_spec.awk
#
# Names: entities, tables and fields are plain ASCII (canonical names must
# be); the adapter tenants' tables and columns are backtick-quoted and made
# of spaces, quotes, semicolons, SQL keywords, dashes, ?, $1, %s, --, /*,
# non-ASCII letters and mixed case.  Every hostile name holds a ~N~ marker
# unique in its table, so names never collide even where MySQL compares
# them case- and accent-insensitively, and never ends with a space.

function rnd(n) { st = (st * 16807) % 2147483647; return st % n }
function chance(pct) { return rnd(100) < pct }

function hostile(idx, is_table, my,    np, s, i, p, at) {
    np = 1 + rnd(4)
    at = rnd(np + 1)            # where the ~idx~ marker goes
    s = ""
    for (i = 0; i <= np; i++) {
        if (i == at) s = s "~" idx "~"
        if (i == np) break
        p = PIECE[rnd(is_table ? NTPIECE : NPIECE)]
        s = s p
    }
    if (my) sub(/ +$/, "", s)    # MySQL: no trailing space
    if (s == "") s = "~" idx "~"
    return s
}

function pick_type(is_key,    r, p, sc) {
    if (is_key) {
        r = rnd(4)
        if (r == 0) return "uuid"
        if (r == 1) return "int"
        if (r == 2) return "bigint"
        return "text(" (1 + rnd(190)) ")"
    }
    r = rnd(12)
    if (r == 0) return "uuid"
    if (r == 1) return "text"
    if (r == 2) return "text(" (4 + rnd(300)) ")"
    if (r == 3) return "int"
    if (r == 4) return "bigint"
    if (r == 5) return "float"
    if (r == 6) { p = 2 + rnd(36); sc = rnd(p - 1 < 10 ? p - 1 : 10); return "decimal(" p "," sc ")" }
    if (r == 7) return "bool"
    if (r == 8) return "date"
    if (r == 9) return "timestamp"
    if (r == 10) return "enum(" enum_members() ")"
    return "json"
}

function enum_members(    n, i, s) {
    n = 1 + rnd(4); s = ""
    for (i = 0; i < n; i++) s = s (i ? ", " : "") MEMBER[i]
    return s
}

function base(t) { sub(/\(.*/, "", t); return t }

function default_for(t,    b) {
    b = base(t)
    if (b == "uuid") return "\"00000000-0000-0000-0000-00000000000" (1 + rnd(9)) "\""
    if (b == "text") return t ~ /^text\([123]\)$/ ? "\"o\"" : "\"o'k;\\\\\""   # o'k;\ ; o in a text(1..3), which may reference a short text key
    if (b == "int" || b == "bigint") return (chance(50) ? "-" : "") rnd(1000)
    if (b == "float") return "1.5"
    if (b == "decimal") return "1"
    if (b == "bool") return chance(50) ? "true" : "false"
    if (b == "date") return chance(50) ? "now" : "\"2020-02-29\""
    if (b == "timestamp") return chance(50) ? "now" : "\"2021-02-03 04:05:06\""
    if (b == "enum") return MEMBER[0]
    if (b == "json") return "\"{\\\"a\\\": \\\"b'c\\\"}\""
    return ""
}

# the zero value of a field of type t, as a C argument
function czero(t, e, f,    b) {
    b = base(t)
    if (b == "uuid") return "(wr_uuid){{0}}"
    if (b == "text") return "\"\""
    if (b == "decimal") return "(wr_decimal){0, 0}"
    if (b == "date") return "(wr_date){0}"
    if (b == "timestamp") return "(wr_timestamp){0}"
    if (b == "bool") return "false"
    return "0"
}

function sqlq(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
function cstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }

function emit_map(tenant, dialect, e,    i, col, line, tbl, nm, m, j, n) {
    tbl = "`" hostile(e, 1, dialect == "mysql") "`"
    if (dialect == "postgres" && chance(40)) {
        nm = hostile(90 + e, 1, 0)
        print "CREATE SCHEMA IF NOT EXISTS " sqlq(nm) ";" > pgschemas
        tbl = "`" nm "`." tbl
    }
    print "  map " ENAME[e] " to " tbl " {" > spec
    for (i = 1; i <= NF_[e]; i++) {
        col = "`" hostile(i, 0, dialect == "mysql") "`"
        t = FT[e, i]
        if (i > 1 && !(FREQ[e, i] && !FDEF[e, i]) && chance(15))
            continue            # an optional field left unmapped
        MAPPED[tenant, e, i] = 1
        if (i > 1 && base(t) == "text" && !FUNIQ[e, i] && chance(30)) {
            if (chance(50))
                line = FN[e, i] (avoid ~ /nested/ ? " <- upper(" col ")" : " <- upper(trim(" col "))")
            else
                line = FN[e, i] " <- coalesce(" col ", \"n'a;\"" (avoid ~ /nested/ ? "" : " || " col) ")"
        } else {
            line = FN[e, i] " <-> " col
            if (base(t) == "enum" && chance(60)) {
                n = split(t, m, ",")
                line = line " map {"
                for (j = 0; j < n; j++)
                    line = line (j ? ", " : " ") "\"" VMAP[j] "\" <-> " MEMBER[j]
                line = line " }"
            }
        }
        print "    " line > spec
    }
    print "  }" > spec
}

# ---- etl tenants ------------------------------------------------------------
# Two etl tenants, t_etl_my (source mysql) and t_etl_pg (source postgres),
# sync the entities from hostile source tables and columns with random
# transforms, incremental modes, deletes and error policies.  For each, the
# generator also writes, into etldir:
#   TENANT.src.sql   the source tables, typed to fit what the spec reads
#   TENANT.rows.sql  two rows per table (one where a second cannot be valid)
#   TENANT.expect    per synced entity: target table, soft-delete column of
#                    'deletes soft' (or -), rows the target must then hold
#                    and their keys (as PostgreSQL prints them, comma-separated)
# The rows are chosen so that every one transforms and loads: a run that
# rejects one is a failure.  The current block is in globals: D (dialect),
# NC columns CN[c] of kind CK[c] holding CV[c, row]; NR rows.

# s with every `from` replaced by `to` (gsub's backslashes differ between awks)
function replace_all(s, from, to,    out, p) {
    out = ""
    while ((p = index(s, from)) > 0) { out = out substr(s, 1, p - 1) to; s = substr(s, p + length(from)) }
    return out s
}
function qid(s) { return D == "mysql" ? "`" s "`" : "\"" replace_all(s, "\"", "\"\"") "\"" }
function sqlstr(s) { if (D == "mysql") s = replace_all(s, "\\", "\\\\"); return "'" replace_all(s, "'", "''") "'" }
# a raw string as a .wmap string literal
function wstr(s) { s = replace_all(s, "\\", "\\\\"); s = replace_all(s, "\"", "\\\""); return "\"" replace_all(s, "\t", "\\t") "\"" }

function srctype(k) {
    if (k ~ /^dec/) return (D == "mysql" ? "DECIMAL" : "numeric") substr(k, 4)
    if (k == "uuid") return D == "mysql" ? "CHAR(36)" : "uuid"
    if (k == "int") return D == "mysql" ? "INT" : "integer"
    if (k == "bigint") return "BIGINT"
    if (k == "double") return D == "mysql" ? "DOUBLE" : "double precision"
    if (k == "bool") return "BOOLEAN"
    if (k == "date") return "DATE"
    if (k == "ts") return D == "mysql" ? "DATETIME(6)" : "timestamptz"
    if (k == "json") return D == "mysql" ? "LONGTEXT" : "jsonb"
    return D == "mysql" ? "VARCHAR(100)" : "text"
}
function lit(v, k) {
    if (v == NULLV) return "NULL"
    if (v == NOWV)
        return k == "date" ? (D == "mysql" ? "UTC_DATE()" : "(now() AT TIME ZONE 'UTC')::date") \
                           : (D == "mysql" ? "UTC_TIMESTAMP(6)" : "now()")
    if (k == "int" || k == "bigint" || k == "double" || k ~ /^dec/) return v
    if (k == "bool") return v == "true" ? "TRUE" : "FALSE"
    return sqlstr(v)
}
# a new source column of kind k, holding v1 and v2 in rows 1 and 2
function newcol(k, v1, v2,    c) {
    c = ++NC
    CN[c] = hostile(c, 0, D == "mysql"); CK[c] = k; CV[c, 1] = v1; CV[c, 2] = v2
    return c
}
function bq(c) { return "`" CN[c] "`" }
# a number as text, whole ones in full (mawk would print 4000000000 as 4e+09)
function num(x) { return x == int(x) ? sprintf("%.0f", x) : x "" }

# the key of entity e in row r
function key_value(e, r,    t, n) {
    t = FT[e, 1]
    if (t == "uuid") return sprintf("%08d-beef-4000-a000-%012d", e, r)   # (letters: some columns get it upper-cased)
    if (t == "int") return num(100 * e + r)
    if (t == "bigint") return num((BIGKEY ? 5000000000 : 0) + 100 * e + r)
    n = substr(t, 6) + 0     # text(n)
    return n >= 3 ? "k'" r : r ""
}
# what field i of entity e holds in row r
function field_value(e, i, r,    t, b) {
    if (i == 1) return key_value(e, r)
    if (FREF[e, i]) return key_value(1, r <= ENR[1] ? r : 1)
    if (FSOFT[e, i]) return NULLV
    t = FT[e, i]; b = base(t)
    if (b == "uuid") return sprintf("%08d-%04d-4abc-8def-%012d", e, i, r)
    if (b == "int") return r == 1 ? -7 : 14
    if (b == "bigint") return num(FRANGE[e, i] ? 9 * r : 4000000000 + r)
    if (b == "float") return r + 0.25
    if (b == "decimal") return r ""
    if (b == "bool") return r == 1 ? "true" : "false"
    if (b == "date") return "2021-02-0" r
    if (b == "timestamp") return "2021-02-03 04:05:0" r
    if (b == "enum") return MEMBER[(r - 1) % (split(t, TMP, ",") + 0)]
    if (b == "json") return "{\"a\": \"b'c\", \"n\": " r "}"
    return TV[r]
}

# The mapping line of field i of entity e: picks a transform, makes its
# source columns with values that give IV[1], IV[2].  Sets NULLOK when a
# NULL source value goes through it to a NULL field.
function sync_line(e, i,    t, b, k, c, tr, n, j, line, els, fmt) {
    t = FT[e, i]; b = base(t); NULLOK = 1
    if (FSOFT[e, i]) { c = newcol("ts", NULLV, NULLV); return FN[e, i] " <- " bq(c) }
    if (i == 1 || FREF[e, i]) {
        if (b == "uuid") {
            tr = rnd(3)
            if (tr == 0) c = newcol("uuid", IV[1], IV[2])
            if (tr == 1) c = newcol("text", toupper(IV[1]), toupper(IV[2]))
            if (tr == 2) { c = newcol("text", "  " IV[1] " ", " " IV[2] "  "); return FN[e, i] " <- trim(" bq(c) ")" }
        } else if (b == "int" || b == "bigint") {
            tr = rnd(3)
            if (tr == 0) c = newcol(b, IV[1], IV[2])
            if (tr == 1) { c = newcol(b, num(IV[1] - 1), num(IV[2] - 1)); return FN[e, i] " <- " bq(c) " + 1" }
            if (tr == 2) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- parse_number(" bq(c) ")" }
        } else {
            if (chance(50)) c = newcol("text", IV[1], IV[2])
            else { c = newcol("text", " " IV[1], IV[2] " "); return FN[e, i] " <- trim(" bq(c) ")" }
        }
        return FN[e, i] " <- " bq(c)
    }
    if (b == "uuid") {
        tr = rnd(3)
        if (tr == 0) c = newcol("uuid", IV[1], IV[2])
        if (tr == 1) c = newcol("text", toupper(IV[1]), toupper(IV[2]))
        if (tr == 2) { c = newcol("text", "  " IV[1] " ", " " IV[2]); return FN[e, i] " <- trim(" bq(c) ")" }
        return FN[e, i] " <- " bq(c)
    }
    if (b == "int" || b == "bigint") {
        tr = rnd(6)
        if (tr == 1) { c = newcol(b, num(IV[1] - 1), num(IV[2] - 1)); return FN[e, i] " <- " bq(c) " + 1" }
        if (tr == 2) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- parse_number(" bq(c) ")" }
        if (tr == 3) { c = newcol(b, IV[1], IV[2]); return FN[e, i] " <- coalesce(" bq(c) ", 0)" }
        if (tr == 4) { c = newcol(b, num(-IV[1]), num(-IV[2])); return FN[e, i] " <- -" bq(c) }
        if (tr == 5) {
            NULLOK = 0; c = newcol("text", VRAW[0], VRAW[1])
            return FN[e, i] " <- " bq(c) " map { " wstr(VRAW[0]) " => " IV[1] ", " wstr(VRAW[1]) " => " IV[2] " }"
        }
        c = newcol(b, IV[1], IV[2]); return FN[e, i] " <- " bq(c)
    }
    if (b == "float") {
        tr = rnd(3)
        if (tr == 1) { c = newcol("double", num(IV[1] / 2), num(IV[2] / 2)); return FN[e, i] " <- " bq(c) " * 2" }
        if (tr == 2) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- parse_number(" bq(c) ")" }
        c = newcol("double", IV[1], IV[2]); return FN[e, i] " <- " bq(c)
    }
    if (b == "decimal") {
        k = "dec" substr(t, 8)
        tr = rnd(4)
        if (tr == 1) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- parse_number(" bq(c) ")" }
        if (tr == 2) { c = newcol(k, num(IV[1] * 2), num(IV[2] * 2)); return FN[e, i] " <- " bq(c) " / 2" }
        if (tr == 3) { c = newcol(k, IV[1], IV[2]); return FN[e, i] " <- coalesce(" bq(c) ", 0)" }
        c = newcol(k, IV[1], IV[2]); return FN[e, i] " <- " bq(c)
    }
    if (b == "bool") {
        tr = rnd(3)
        if (tr == 1) {
            NULLOK = 0; c = newcol("text", IV[1] == "true" ? "y" : "n", IV[2] == "true" ? "y" : "n")
            return FN[e, i] " <- upper(" bq(c) ") map { \"Y\" => true, \"N\" => false }"
        }
        if (tr == 2) {
            NULLOK = 0; c = newcol("int", IV[1] == "true" ? 1 : 0, IV[2] == "true" ? 1 : 0)
            return FN[e, i] " <- " bq(c) " map { 1 => true, 0 => false }"
        }
        c = newcol("bool", IV[1], IV[2]); return FN[e, i] " <- " bq(c)
    }
    if (b == "date") {
        tr = rnd(3)
        if (tr == 1) {
            c = newcol("text", "0" substr(IV[1], 10) "/02/2021", "0" substr(IV[2], 10) "/02/2021")
            return FN[e, i] " <- parse_date(" bq(c) ", \"%d/%m/%Y\")"
        }
        if (tr == 2) { c = newcol("ts", IV[1] " 13:14:15", IV[2] " 23:59:59"); return FN[e, i] " <- " bq(c) }
        c = newcol("date", IV[1], IV[2]); return FN[e, i] " <- " bq(c)
    }
    if (b == "timestamp") {
        tr = rnd(3)
        if (tr == 1) {
            c = newcol("text", "2021-02-03T04:05:0" substr(IV[1], 19), "2021-02-03T04:05:0" substr(IV[2], 19))
            return FN[e, i] " <- parse_timestamp(" bq(c) ", \"%Y-%m-%dT%H:%M:%S\")"
        }
        if (tr == 2) { c = newcol("date", "2021-02-0" substr(IV[1], 19), "2021-02-0" substr(IV[2], 19)); return FN[e, i] " <- " bq(c) }
        c = newcol("ts", IV[1], IV[2]); return FN[e, i] " <- " bq(c)
    }
    if (b == "enum") {
        n = split(t, TMP, ",")
        if (chance(40)) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- " bq(c) }
        NULLOK = 0
        for (j = 0; j < n; j++) if (MEMBER[j] == IV[1]) c = newcol("text", VRAW[j], "")
        for (j = 0; j < n; j++) if (MEMBER[j] == IV[2]) CV[c, 2] = VRAW[j]
        line = FN[e, i] " <- " bq(c) " map {"
        for (j = 0; j < n; j++) line = line (j ? ", " : " ") wstr(VRAW[j]) " => " MEMBER[j]
        line = line " }"
        els = rnd(5)
        if (els == 1) line = line " else reject"
        if (els == 2) line = line " else " MEMBER[n - 1]
        if (els == 3 && !FREQ[e, i]) line = line " else null"
        if (els == 4) line = line " else keep"
        return line
    }
    if (b == "json") {
        if (chance(50)) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- coalesce(" bq(c) ", \"{}\")" }
        c = newcol("json", IV[1], IV[2]); return FN[e, i] " <- " bq(c)
    }
    # text
    if (substr(t, 1, 5) != "text(" || substr(t, 6) + 0 >= 4) tr = rnd(7)
    else tr = 0
    if (tr == 1) { c = newcol("text", "  " IV[1] " ", IV[2] "  "); return FN[e, i] " <- upper(trim(" bq(c) "))" }
    if (tr == 2) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- lower(" bq(c) ")" }
    if (tr == 3) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- coalesce(" bq(c) ", \"n'a;\")" }
    if (tr == 4) { c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- " bq(c) " || \"~\"" }
    if (tr == 5) {
        NULLOK = 0; c = newcol("text", IV[1], IV[2])
        return FN[e, i] " <- " bq(c) " map { " wstr(TV[1]) " => \"m;1\" } else keep"
    }
    if (tr == 6) { c = newcol("int", 1000 + i, 2000 + i); return FN[e, i] " <- " bq(c) }
    c = newcol("text", IV[1], IV[2]); return FN[e, i] " <- " bq(c)
}

function emit_sync(tenant, e,    i, lines, tname, sch, full, c, c2, k, nc0, line, mode, inc, win, lb, r, deletes, cols, vals, reuse, src, rows) {
    src = etldir "/" tenant ".src.sql"; rows = etldir "/" tenant ".rows.sql"
    NC = 0; NR = 2; lines = ""; reuse = 0
    tname = hostile(e, 1, D == "mysql"); sch = ""
    if (D == "postgres" && chance(40)) sch = hostile(90 + e, 1, 0)
    deletes = SOFT[e] && chance(85)
    for (i = 1; i <= NF_[e]; i++) {
        if (FAUTO[e, i] || (FSOFT[e, i] && (deletes || chance(50)))) continue
        # an optional field left unmapped; not one whose default every row
        # would then share (unique) or that names no row (references)
        if (i > 1 && !(FREQ[e, i] && !FDEF[e, i]) && !(FDEF[e, i] && (FUNIQ[e, i] || FREF[e, i])) && chance(15))
            continue
        IV[1] = field_value(e, i, 1); IV[2] = field_value(e, i, 2)
        nc0 = NC
        line = sync_line(e, i)
        lines = lines "    " line "\n"
        # a NULL in row 2, where it goes through to the field; a unique
        # field with a single value holds it in one row only
        if (i > 1 && NULLOK && !FREQ[e, i] && !FREF[e, i] && (chance(20) || (FUNIQ[e, i] && IV[1] == IV[2])))
            for (k = nc0 + 1; k <= NC; k++) CV[k, 2] = NULLV
        else if (FUNIQ[e, i] && IV[1] == IV[2])
            NR = 1
        if (!reuse && i > 1 && !FREF[e, i] && NC == nc0 + 1 && line == FN[e, i] " <- " bq(NC) && CV[NC, 2] != NULLV \
            && (CK[NC] == "int" || CK[NC] == "bigint" || CK[NC] == "date" || CK[NC] == "ts"))
            reuse = NC      # a plain column the watermark may read too
    }
    ENR[e] = NR

    # the incremental mode: none or full, a watermark (with a lookback on
    # a timestamp or a date), a window; on a column of its own, on the
    # coalesce of two, or on a mapped column.  (A lookback on a date
    # watermark once made the agent refuse the stored date on the next
    # run: fixed in runtime/wr_sync.c, found by this test.)
    mode = rnd(10); inc = ""
    if (mode < 2) inc = chance(50) ? "" : " incremental full"
    else {
        win = mode >= 8; lb = mode >= 5 && !win
        if (win) k = chance(50) ? "date" : "ts"
        else if (lb) k = chance(50) ? "date" : "ts"
        else { r = rnd(4); k = r == 0 ? "int" : r == 1 ? "bigint" : r == 2 ? "date" : "ts" }
        if (!win && reuse && (!lb || CK[reuse] == k) && chance(30)) {
            inc = bq(reuse); k = CK[reuse]
        } else {
            c = newcol(k, k == "int" || k == "bigint" ? 1 : NOWV, k == "int" || k == "bigint" ? 2 : NOWV)
            inc = bq(c)
            if (chance(25)) {
                c2 = newcol(k, CV[c, 1], CV[c, 2]); CV[c, 2] = NULLV
                inc = "coalesce(" bq(c) ", " bq(c2) ")"
            }
        }
        inc = " incremental on " inc
        if (win) inc = inc " window " (1 + rnd(90)) " days"
        else if (lb)
            inc = inc " lookback " (1 + rnd(48)) " " (chance(50) ? "hours" : chance(50) ? "minutes" : "days")
        if (chance(30)) inc = inc " nulls " (chance(50) ? "include" : "reject")
    }

    print "  sync " ENAME[e] " from " (sch != "" ? "`" sch "`." : "") "`" tname "`" inc " {" > spec
    printf "%s", lines > spec
    if (deletes) print "    deletes soft" > spec
    else if (chance(20)) print "    deletes none" > spec
    r = rnd(4)
    if (r == 0) print "    on error reject" > spec
    if (r == 1) print "    on error abort" > spec
    print "  }" > spec

    full = (sch != "" ? qid(sch) "." : "") qid(tname)
    if (sch != "") print "CREATE SCHEMA IF NOT EXISTS " qid(sch) ";" > src
    cols = ""
    for (c = 1; c <= NC; c++) cols = cols (c > 1 ? ", " : "") qid(CN[c]) " " srctype(CK[c])
    print "CREATE TABLE " full " (" cols ");" > src
    cols = ""
    for (c = 1; c <= NC; c++) cols = cols (c > 1 ? ", " : "") qid(CN[c])
    for (r = 1; r <= NR; r++) {
        vals = ""
        for (c = 1; c <= NC; c++) vals = vals (c > 1 ? ", " : "") lit(CV[c, r], CK[c])
        print "INSERT INTO " full " (" cols ") VALUES (" vals ");" > rows
    }
    vals = ""
    for (r = 1; r <= NR; r++) vals = vals (r > 1 ? "," : "") key_value(e, r)
    print "tbl_" ENAME[e] "\t" (deletes ? FN[e, SOFT[e]] : "-") "\t" NR "\t" vals > (etldir "/" tenant ".expect")
}

function emit_etl(k,    tenant, e, i, up) {
    BIGKEY = 1      # bigint keys past 32 bits, unless a reference to them has a range
    for (e = 2; e <= NE; e++) for (i = 2; i <= NF_[e]; i++) if (FREF[e, i] && FRANGE[e, i]) BIGKEY = 0
    D = k ? "postgres" : "mysql"
    tenant = k ? "t_etl_pg" : "t_etl_my"; up = k ? "PG" : "MY"
    printf "" > (etldir "/" tenant ".src.sql"); printf "" > (etldir "/" tenant ".rows.sql")
    printf "" > (etldir "/" tenant ".expect")
    print "tenant " tenant " {\n  strategy etl" > spec
    print "  source " D " dsn env HOSTILE_ETL_" up "_SOURCE\n  target postgres dsn env HOSTILE_ETL_" up "_TARGET" > spec
    if (chance(30)) print "  every " (1 + rnd(120)) " minutes" > spec
    for (e = 1; e <= NE; e++)       # the first always: the others may reference it
        if (e == 1 || chance(70)) emit_sync(tenant, e)
    print "}\n" > spec
    close(etldir "/" tenant ".src.sql"); close(etldir "/" tenant ".rows.sql"); close(etldir "/" tenant ".expect")
}

BEGIN {
    st = (seed * 7919 + 17) % 2147483647
    if (st == 0) st = 1
    for (i = 0; i < 5; i++) rnd(2)

    NPIECE = split(" |'|\"|;|select|order|table|-|ä|北|MiXeD|?|$1|%s|--|/*|Grüße|FROM|x y|*/|.|\\", PIECE, "|")
    for (i = 1; i <= NPIECE; i++) PIECE[i - 1] = PIECE[i]
    if (avoid ~ /comment/)     # HOSTILE_AVOID=comment: no C comment delimiters
        for (i = 0; i < NPIECE; i++) if (PIECE[i] == "/*" || PIECE[i] == "*/") PIECE[i] = "-"
    NTPIECE = NPIECE - 2        # no "." or "\\" in table names
    # (PIECE[0..NTPIECE-1]: the table-safe ones come first)
    split("select-|order;|It's|Ä 北|\\\"q\\\"", VMAP_, "|")
    for (i = 0; i < 5; i++) VMAP[i] = VMAP_[i + 1]
    split("A_ONE B_TWO C_THREE D_FOUR E_FIVE", MEMBER_, " ")
    for (i = 0; i < 5; i++) MEMBER[i] = MEMBER_[i + 1]
    split("well pump meter tank", EN, " ")

    printf "" > pgschemas
    print "# hostile-specs seed " seed > spec
    NE = 1 + rnd(4)
    for (e = 1; e <= NE; e++) {
        ENAME[e] = EN[e]
        print "entity " EN[e] " table tbl_" EN[e] " {" > spec
        NF_[e] = 1 + rnd(8)
        has_auto = 0; has_soft = 0; nfilt = 0; filt = ""; ord = ""
        for (i = 1; i <= NF_[e]; i++) {
            if (i == 1) {
                FN[e, i] = "id"; FT[e, i] = pick_type(1)
                print "  id " FT[e, i] " key" > spec
                continue
            }
            FN[e, i] = "f" i "_" substr("abcdefgh", i, 1) "x"
            if (e > 1 && chance(15)) {              # a reference to the first entity
                FT[e, i] = FT[1, 1]; FREF[e, i] = 1
                mods = " references " EN[1]
            } else {
                FT[e, i] = pick_type(0)
                mods = ""
            }
            t = FT[e, i]; b = base(t)
            if (b == "timestamp" && !has_auto && chance(25)) {
                has_auto = 1; FAUTO[e, i] = 1; print "  " FN[e, i] " " t " auto" > spec; continue
            }
            if (b == "timestamp" && !has_soft && chance(30)) {
                has_soft = 1; FSOFT[e, i] = 1; SOFT[e] = i; print "  " FN[e, i] " " t " soft_delete" > spec; continue
            }
            FREQ[e, i] = chance(30)
            FUNIQ[e, i] = b != "json" && b != "float" && chance(25)
            FDEF[e, i] = chance(25)
            if (FREQ[e, i]) mods = mods " required"
            if (FUNIQ[e, i]) mods = mods " unique"
            if (FDEF[e, i]) {
                d = default_for(t)
                if (d == "now" && b != "date" && b != "timestamp") d = "1"
                mods = mods " default " d
            }
            if ((b == "int" || b == "bigint") && chance(25)) { mods = mods " range -1000 .. 1000"; FRANGE[e, i] = 1 }
            print "  " FN[e, i] " " t mods > spec
            if (b != "json" && chance(35)) {
                filt = filt (nfilt ? ", " : "") FN[e, i] (chance(50) ? "" : " >= as min_" FN[e, i])
                nfilt++
            }
            if (b != "json" && ord == "" && chance(40))
                ord = FN[e, i] (chance(50) ? " desc" : "")
        }
        if (filt != "") print "  filter " filt > spec
        if (ord != "") print "  order " ord > spec
        print "}" > spec
        print "" > spec
    }

    print "tenant t_native {\n  strategy native\n  database postgres dsn env HOSTILE_PG_DSN\n}\n" > spec
    for (k = 0; k < 2; k++) {
        dialect = k ? "postgres" : "mysql"
        tenant = k ? "t_pg" : "t_my"
        print "tenant " tenant " {\n  strategy adapter\n  database " dialect " dsn env HOSTILE_" (k ? "PG" : "MY") "_DSN" > spec
        nm = 0
        for (e = 1; e <= NE; e++)
            if ((e == NE && nm == 0) || chance(80)) { emit_map(tenant, dialect, e); nm++ }
        print "}\n" > spec
    }

    # the harness
    print "#include <stdio.h>\n#include <stdlib.h>\n#include \"repos.h\"\n" > harness
    print "static int fails;" > harness
    print "static int each(void *ctx, const void *row) { (void)ctx; (void)row; return 0; }" > harness
    print "#define CHECK(rc, what) do { if ((rc) < 0) { fails++; fprintf(stderr, \"  %s %s: %s: rc %d: %s\\n\", tenant, #what, \"\" , (rc), err.message); } } while (0)" > harness
    print "static void run(int k, const char *tenant, const char *dsn)\n{" > harness
    print "    wos_repos *r = NULL; wr_err err = {0}; wr_arena *mem = wr_arena_new(); int rc; int64_t n;" > harness
    print "    rc = wos_repos_open_dsn(&r, tenant, dsn, &err);" > harness
    print "    if (rc < 0) { fails++; fprintf(stderr, \"  %s open: rc %d: %s\\n\", tenant, rc, err.message); wr_arena_free(mem); return; }" > harness
    for (e = 1; e <= NE; e++) {
        en = EN[e]; T = "wos_" en
        print "    if (r->" en ") {" > harness
        print "        " T " row; " T "_filter filt = {0};" > harness
        print "        rc = r->" en "->find_by_id(r->" en ", " czero(FT[e, 1]) ", &row, mem, &err); CHECK(rc, " en ".find_by_id);" > harness
        for (i = 2; i <= NF_[e]; i++) if (FUNIQ[e, i])
            print "        rc = r->" en "->find_by_" FN[e, i] "(r->" en ", " czero(FT[e, i]) ", &row, mem, &err); if (!(rc == WR_EUNSUPPORTED && !(k == 0 || (k == 1 && " (MAPPED["t_my", e, i] ? 1 : 0) ") || (k == 2 && " (MAPPED["t_pg", e, i] ? 1 : 0) ")))) CHECK(rc, " en ".find_by_" FN[e, i] ");" > harness
        print "        rc = r->" en "->count(r->" en ", &n, &err); CHECK(rc, " en ".count);" > harness
        print "        if (rc >= 0 && n != 0) { fails++; fprintf(stderr, \"  %s " en ".count: %lld rows in an empty table\\n\", tenant, (long long)n); }" > harness
        print "        rc = r->" en "->find_all(r->" en ", &filt, (" T "_each_fn)(void (*)(void))each, NULL, &err); CHECK(rc, " en ".find_all);" > harness
        print "        rc = r->" en "->delete(r->" en ", " czero(FT[e, 1]) ", &err); CHECK(rc, " en ".delete);" > harness
        print "        (void)row;" > harness
        print "    }" > harness
    }
    print "    wos_repos_close(r);\n    wr_arena_free(mem);\n}\n" > harness
    print "int main(void)\n{" > harness
    print "    run(0, \"t_native\", getenv(\"HOSTILE_PG_DSN\"));" > harness
    print "    run(1, \"t_my\", getenv(\"HOSTILE_MY_DSN\"));" > harness
    print "    run(2, \"t_pg\", getenv(\"HOSTILE_PG_DSN\"));" > harness
    print "    return fails ? 1 : 0;\n}" > harness

    # the etl tenants, last: the names and types above do not change
    NULLV = "\001null"; NOWV = "\001now"
    TV[1] = "o'k"; TV[2] = "\\\t北"       # a quote; a backslash, a tab and a CJK letter
    VRAW[0] = "select-"; VRAW[1] = "order;"; VRAW[2] = "It's"; VRAW[3] = "Ä 北"; VRAW[4] = "\"q\""
    if (etldir != "") { emit_etl(0); emit_etl(1) }
}
