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
    if (b == "text") return t ~ /^text\([123]\)$/ ? "\"o\"" : "\"o'k;\""   # (a reference to a short text key)
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
                FT[e, i] = FT[1, 1]
                mods = " references " EN[1]
            } else {
                FT[e, i] = pick_type(0)
                mods = ""
            }
            t = FT[e, i]; b = base(t)
            if (b == "timestamp" && !has_auto && chance(25)) {
                has_auto = 1; print "  " FN[e, i] " " t " auto" > spec; continue
            }
            if (b == "timestamp" && !has_soft && chance(30)) {
                has_soft = 1; print "  " FN[e, i] " " t " soft_delete" > spec; continue
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
            if ((b == "int" || b == "bigint") && chance(25)) mods = mods " range -1000 .. 1000"
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
}
