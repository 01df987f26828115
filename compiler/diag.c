/* diag.c - collect, sort and print diagnostics in gcc's form:
 *
 *   file:line:col: error: message
 *      14 |     stauts <- Status
 *         |     ^~~~~~
 *         = hint: did you mean 'status'?
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct note {
    wm_loc loc;
    const char *msg;
    struct note *next;
} note;

struct wm_diag {
    wm_severity severity;
    wm_loc loc;
    const char *msg;
    size_t seq;         /* arrival order: keeps the sort stable */
    note *notes, **notes_tail;
    note *hints, **hints_tail;
    wm_arena *arena;
};

void wm_diags_init(wm_diags *d, wm_arena *a)
{
    memset(d, 0, sizeof *d);
    d->arena = a;
}

static char *vformat(wm_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *p = wm_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

static wm_diag *add(wm_diags *d, wm_severity sev, wm_loc loc, const char *fmt, va_list ap)
{
    wm_diag *dg = wm_arena_alloc(d->arena, sizeof *dg);
    dg->severity = sev;
    dg->loc = loc;
    dg->msg = vformat(d->arena, fmt, ap);
    dg->seq = d->list.len;
    dg->notes_tail = &dg->notes;
    dg->hints_tail = &dg->hints;
    dg->arena = d->arena;
    wm_ptrvec_push(d->arena, &d->list, dg);
    if (sev == WM_ERROR)
        d->errors++;
    else
        d->warnings++;
    return dg;
}

wm_diag *wm_error(wm_diags *d, wm_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wm_diag *dg = add(d, WM_ERROR, loc, fmt, ap);
    va_end(ap);
    return dg;
}

wm_diag *wm_warning(wm_diags *d, wm_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wm_diag *dg = add(d, WM_WARNING, loc, fmt, ap);
    va_end(ap);
    return dg;
}

void wm_note(wm_diag *dg, wm_loc loc, const char *fmt, ...)
{
    if (!dg)
        return;
    note *n = wm_arena_alloc(dg->arena, sizeof *n);
    va_list ap;
    va_start(ap, fmt);
    n->msg = vformat(dg->arena, fmt, ap);
    va_end(ap);
    n->loc = loc;
    *dg->notes_tail = n;
    dg->notes_tail = &n->next;
}

void wm_hint(wm_diag *dg, const char *fmt, ...)
{
    if (!dg)
        return;
    note *n = wm_arena_alloc(dg->arena, sizeof *n);
    va_list ap;
    va_start(ap, fmt);
    n->msg = vformat(dg->arena, fmt, ap);
    va_end(ap);
    *dg->hints_tail = n;
    dg->hints_tail = &n->next;
}

static int compare(const void *pa, const void *pb)
{
    const wm_diag *a = *(const wm_diag *const *)pa;
    const wm_diag *b = *(const wm_diag *const *)pb;
    int ia = a->loc.src ? a->loc.src->index : -1;
    int ib = b->loc.src ? b->loc.src->index : -1;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col)
        return a->loc.col < b->loc.col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void wm_diags_sort(wm_diags *d)
{
    if (d->list.len > 1)
        qsort(d->list.items, d->list.len, sizeof *d->list.items, compare);
}

enum { MAX_SHOWN_LINE = 400 };

/* Print the source line and a caret under loc.  Control characters are
 * shown as '?' so a hostile spec cannot drive the terminal. */
static void print_snippet(FILE *out, wm_loc loc)
{
    if (!loc.src || loc.line == 0 || loc.offset > loc.src->len)
        return;
    const char *line = loc.src->data + loc.offset;
    const char *end = memchr(line, '\n', loc.src->len - loc.offset);
    size_t n = end ? (size_t)(end - line) : loc.src->len - loc.offset;
    if (n && line[n - 1] == '\r')
        n--;
    if (n > MAX_SHOWN_LINE)
        return;
    fprintf(out, "%5u | ", (unsigned)loc.line);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        /* C0, DEL and the C1 controls (UTF-8 C2 80..C2 9F) could drive a terminal */
        if (c == 0xC2 && i + 1 < n && (unsigned char)line[i + 1] >= 0x80 && (unsigned char)line[i + 1] <= 0x9F) {
            fputc('?', out);
            i++;
        } else {
            fputc((c == '\t' || c >= 0x20) && c != 0x7F ? c : '?', out);
        }
    }
    fputs("\n      | ", out);
    uint32_t col = 1;
    for (size_t i = 0; i < n && col < loc.col; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c & 0xC0) == 0x80)
            continue;
        fputc(c == '\t' ? '\t' : ' ', out);
        col++;
    }
    fputc('^', out);
    for (uint32_t i = 1; i < loc.width; i++)
        fputc('~', out);
    fputc('\n', out);
}

static const char *severity_name(wm_severity s)
{
    return s == WM_ERROR ? "error" : s == WM_WARNING ? "warning" : "note";
}

static void print_one(FILE *out, wm_severity sev, wm_loc loc, const char *msg)
{
    if (loc.src)
        fprintf(out, "%s:%u:%u: ", loc.src->path, (unsigned)loc.line, (unsigned)loc.col);
    else
        fputs("wellosc: ", out);
    fprintf(out, "%s: %s\n", severity_name(sev), msg);
    print_snippet(out, loc);
}

void wm_diags_print(wm_diags *d, FILE *out, int max_errors)
{
    wm_diags_sort(d);
    int errors = 0;
    for (size_t i = 0; i < d->list.len; i++) {
        const wm_diag *dg = d->list.items[i];
        if (dg->severity == WM_ERROR && max_errors > 0 && ++errors > max_errors) {
            fprintf(out, "wellosc: too many errors (%d); stopping\n", max_errors);
            break;
        }
        print_one(out, dg->severity, dg->loc, dg->msg);
        for (const note *h = dg->hints; h; h = h->next)
            fprintf(out, "      = hint: %s\n", h->msg);
        for (const note *nt = dg->notes; nt; nt = nt->next)
            print_one(out, WM_NOTE, nt->loc, nt->msg);
    }
}

size_t wm_diags_count(const wm_diags *d) { return d->list.len; }
const wm_diag *wm_diags_at(const wm_diags *d, size_t i) { return d->list.items[i]; }
wm_severity wm_diag_severity(const wm_diag *dg) { return dg->severity; }
wm_loc wm_diag_loc(const wm_diag *dg) { return dg->loc; }
const char *wm_diag_message(const wm_diag *dg) { return dg->msg; }

/* Levenshtein distance, capped: names longer than 64 never match. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *wm_closest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t limit = strlen(word) / 3 + 1;    /* a typo, not another word */
    for (size_t i = 0; i < n; i++) {
        size_t dd = distance(word, names[i]);
        if (dd < best_d) {
            best_d = dd;
            best = names[i];
        }
    }
    return best_d <= limit ? best : NULL;
}
