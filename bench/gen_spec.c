/* gen_spec.c - write a large, valid .wmap spec for benchmarks.
 *
 *   gen_spec [-e ENTITIES] [-t TENANTS] [-c PER_FILE] [-o DIR]
 *
 * ENTITIES entities of 20 fields each (every type, most modifiers, filters,
 * an order, and references to earlier entities) and TENANTS tenants, a
 * third each native, adapter (three `map` blocks, two-way value maps,
 * read-only transforms) and etl (three `sync` blocks, value maps,
 * transforms, the three incremental modes).  `wellosc check` accepts it
 * with no error and no warning.
 *
 * Without -o the spec goes to standard output as one file.  With -o it is
 * split the way a real project is: DIR/spec.wmap imports
 * DIR/entities_NNN.wmap and DIR/tenants_NNN.wmap, PER_FILE (default 1000)
 * entities or tenants each, which also keeps every file far below the
 * loader's 16 MiB limit.  The output depends only on the arguments. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *prog = "gen_spec";

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [-e ENTITIES] [-t TENANTS] [-c PER_FILE] [-o DIR]\n", prog);
    exit(2);
}

static size_t count_arg(const char *s, size_t min)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > 10000000)
        die("'%s' is not a count from %zu to 10000000", s, min);
    return (size_t)v;
}

/* ---- entities ------------------------------------------------------------ */

/* The 20 fields of entity i.  Even entities have a uuid key, odd ones a
 * bigint key; parent_id references the previous entity (its type follows
 * that entity's key) and root_id the first one. */
enum { N_FIELDS = 20 };

typedef struct {
    const char *name;
    const char *decl;   /* type and modifiers */
} field;

static const char *key_type(size_t i) { return i % 2 ? "bigint" : "uuid"; }

static void fields_of(size_t i, field out[N_FIELDS], char *parent_decl, size_t size)
{
    static const field fixed[N_FIELDS] = {
        { "id", NULL },
        { "name", "text(200)      required" },
        { "code", "text(32)       unique" },
        { "status", "enum(ACTIVE, IDLE, CLOSED) required default ACTIVE" },
        { "kind", "enum(K1, K2)" },
        { "qty", "int            range 0 .. 1000000 default 0" },
        { "total", "bigint" },
        { "ratio", "float          range -1 .. 1" },
        { "amount", "decimal(14,2)  default 0.00" },
        { "weight", "decimal(10,4)" },
        { "is_active", "bool           default true" },
        { "day", "date" },
        { "note", "text" },
        { "payload", "json" },
        { "parent_id", NULL },
        { "root_id", NULL },
        { "seen_at", "timestamp" },
        { "created_at", "timestamp      default now" },
        { "updated_at", "timestamp      auto" },
        { "deleted_at", "timestamp      soft_delete" },
    };
    memcpy(out, fixed, sizeof fixed);
    out[0].decl = i % 2 ? "bigint         key" : "uuid           key";
    if (i == 0) {
        out[14] = (field){ "parent_code", "text(32)" };
        out[15] = (field){ "root_label", "text(100)" };
    } else {
        snprintf(parent_decl, size, "%-14s references E%06zu", key_type(i - 1), i - 1);
        out[14].decl = parent_decl;
        out[15].decl = "uuid           references E000000";
    }
}

static void write_entity(FILE *out, size_t i)
{
    field f[N_FIELDS];
    char parent[64];
    fields_of(i, f, parent, sizeof parent);
    fprintf(out, "entity E%06zu table t_e%06zu {\n", i, i);
    for (size_t k = 0; k < N_FIELDS; k++)
        fprintf(out, "  %-11s %s\n", f[k].name, f[k].decl);
    if (i % 3 == 0)
        fputs("\n  filter status, code, created_at >= as created_after, day < as day_before\n"
              "  order  created_at desc, name\n", out);
    else if (i % 3 == 1)
        fputs("\n  filter status, kind, qty > as qty_above\n  order  day desc\n", out);
    else
        fputs("\n  filter code\n", out);
    fputs("}\n\n", out);
}

/* ---- tenants ------------------------------------------------------------- */

static const char *const dialects[] = { "postgres", "mysql", "sqlserver", "oracle" };

/* The right-hand side of field k in an adapter map (two-way where it can be). */
static const char *adapter_line(size_t k)
{
    static const char *const rhs[N_FIELDS] = {
        "<-> ID",
        "<-> Name",
        "<-> Code",
        "<-> St map { \"a\" <-> ACTIVE, \"i\" <-> IDLE, \"c\" <-> CLOSED }",
        "<-> Kind map { 1 <-> K1, 2 <-> K2 }",
        "<-> Qty",
        "<-> Total",
        "<-> Ratio",
        "<-> Amount",
        "<-  coalesce(Weight, 0)",
        "<-> Active",
        "<-> Day",
        "<-  trim(Note)",
        "<-> Payload",
        "<-> ParentRef",
        "<-> RootRef",
        "<-  coalesce(SeenAt, LastSeen)",
        "<-> Created",
        "<-> Modified",
        "<-> Removed",
    };
    return rhs[k];
}

/* The right-hand side of field k in a sync; NULL: not mapped (updated_at
 * is auto, deleted_at is kept by `deletes soft`). */
static const char *sync_line(size_t k)
{
    static const char *const rhs[N_FIELDS] = {
        "ID",
        "trim(First) || \" \" || trim(Last)",
        "upper(Code)",
        "lower(trim(St)) map { \"active\" => ACTIVE, \"idle\" => IDLE, \"closed\" => CLOSED } else reject",
        "Kind map { 1 => K1, 2 => K2 } else K1",
        "parse_number(QtyText)",
        "Total",
        "Ratio / 100",
        "coalesce(Amount, 0)",
        "Weight * 2.2",
        "Active",
        "parse_date(DayText, \"%d/%m/%Y\")",
        "Note",
        "Payload",
        "ParentRef",
        "RootRef",
        "parse_timestamp(Seen, \"%Y-%m-%d %H:%M:%S\")",
        "Created",
        NULL,
        NULL,
    };
    return rhs[k];
}

static const char *const incrementals[] = {
    " incremental on ModifiedAt lookback 10 minutes nulls include",
    "\n       incremental on coalesce(RevisedAt, PostedAt) window 30 days",
    " incremental full",
    "",
};

static void write_block(FILE *out, size_t j, size_t b, size_t e, int is_sync)
{
    field f[N_FIELDS];
    char parent[64];
    fields_of(e, f, parent, sizeof parent);
    if (is_sync)
        fprintf(out, "  sync E%06zu from dbo.src_%zu_%zu%s {\n", e, j, b,
                incrementals[(j + b) % 4]);
    else
        fprintf(out, "  map E%06zu to app.t_%zu_%zu {\n", e, j, b);
    for (size_t k = 0; k < N_FIELDS; k++) {
        if (!is_sync)
            fprintf(out, "    %-11s %s\n", f[k].name, adapter_line(k));
        else if (sync_line(k))
            fprintf(out, "    %-11s <- %s\n", f[k].name, sync_line(k));
    }
    if (is_sync)
        fputs("    deletes soft\n    on error reject\n", out);
    fputs("  }\n", out);
}

static void write_tenant(FILE *out, size_t j, size_t n_entities)
{
    fprintf(out, "tenant tenant_%06zu {\n", j);
    size_t blocks = n_entities < 3 ? n_entities : 3;
    switch (j % 3) {
    case 0:
        fprintf(out, "  strategy native\n  database postgres dsn env T%06zu_DSN\n", j);
        break;
    case 1:
        fprintf(out, "  strategy adapter\n  database %s dsn env T%06zu_DSN\n\n",
                dialects[(j / 3) % 4], j);
        for (size_t b = 0; b < blocks; b++)
            write_block(out, j, b, (j * 3 + b) % n_entities, 0);
        break;
    default:
        fprintf(out, "  strategy etl\n  source %s dsn env T%06zu_SOURCE\n"
                     "  target postgres dsn env T%06zu_TARGET\n  every %d minutes\n\n",
                dialects[(j / 3) % 4], j, j, 5 + (int)(j % 4) * 5);
        for (size_t b = 0; b < blocks; b++)
            write_block(out, j, b, (j * 3 + b) % n_entities, 1);
        break;
    }
    fputs("}\n\n", out);
}

/* ---- output --------------------------------------------------------------- */

#define HEADER "# Generated by bench/gen_spec: %zu entities x %d fields, %zu tenants.\n\n"

static FILE *open_out(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write '%s': %s", path, strerror(errno));
    return f;
}

static void close_out(FILE *f, const char *path)
{
    if (ferror(f) | fclose(f))
        die("error writing '%s'", path);
}

int main(int argc, char **argv)
{
    size_t n_entities = 1000, n_tenants = 1000, per_file = 1000;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc || a[0] != '-' || !a[1] || a[2])
            usage();
        switch (a[1]) {
        case 'e': n_entities = count_arg(argv[++i], 1); break;
        case 't': n_tenants = count_arg(argv[++i], 0); break;
        case 'c': per_file = count_arg(argv[++i], 1); break;
        case 'o': dir = argv[++i]; break;
        default: usage();
        }
    }

    if (!dir) {
        printf(HEADER, n_entities, N_FIELDS, n_tenants);
        for (size_t i = 0; i < n_entities; i++)
            write_entity(stdout, i);
        for (size_t j = 0; j < n_tenants; j++)
            write_tenant(stdout, j, n_entities);
        if (fflush(stdout) || ferror(stdout))
            die("error writing the spec");
        return 0;
    }

    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        die("cannot create '%s': %s", dir, strerror(errno));
    char path[4096], name[64];
    FILE *root = open_out(dir, "spec.wmap", path, sizeof path);
    char root_path[4096];
    snprintf(root_path, sizeof root_path, "%s", path);
    fprintf(root, HEADER, n_entities, N_FIELDS, n_tenants);
    for (size_t first = 0, part = 0; first < n_entities; first += per_file, part++) {
        snprintf(name, sizeof name, "entities_%03zu.wmap", part);
        fprintf(root, "import \"%s\"\n", name);
        FILE *f = open_out(dir, name, path, sizeof path);
        for (size_t i = first; i < n_entities && i < first + per_file; i++)
            write_entity(f, i);
        close_out(f, path);
    }
    for (size_t first = 0, part = 0; first < n_tenants; first += per_file, part++) {
        snprintf(name, sizeof name, "tenants_%03zu.wmap", part);
        fprintf(root, "import \"%s\"\n", name);
        FILE *f = open_out(dir, name, path, sizeof path);
        for (size_t j = first; j < n_tenants && j < first + per_file; j++)
            write_tenant(f, j, n_entities);
        close_out(f, path);
    }
    close_out(root, root_path);
    return 0;
}
