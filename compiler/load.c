/* load.c - read spec files and follow their imports.  A file is read once
 * however often it is imported; an import cycle is an error at the import
 * that closes it.  Every read is bounded (WM_MAX_FILE_BYTES) and a file must
 * be UTF-8 with no NUL byte before the lexer sees it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontend.h"
#include "parse.h"

void wm_frontend_init(wm_frontend *f, wm_arena *a)
{
    memset(f, 0, sizeof *f);
    f->arena = a;
    wm_diags_init(&f->diags, a);
    f->is_import_allowed = true;
}

size_t wm_utf8_check(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return i;
        if (len - i <= n)
            return i;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return len;
}

/* The location of a byte offset, for errors found before lexing. */
static wm_loc loc_at(const wm_source *src, size_t offset)
{
    wm_loc l = { src, 1, 1, 1, 0 };
    size_t start = src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (size_t i = start; i < offset; i++) {
        unsigned char c = (unsigned char)src->data[i];
        if (c == '\n') {
            l.line++;
            l.col = 1;
            l.offset = (uint32_t)(i + 1);
        } else if ((c & 0xC0) != 0x80) {
            l.col++;
        }
    }
    return l;
}

static bool contains(const wm_ptrvec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->items[i], s) == 0)
            return true;
    return false;
}

/* Check, parse and register one source; then follow its imports. */
static void load_source(wm_frontend *f, wm_source *src, const char *dir, int depth);
static void load_path(wm_frontend *f, const char *path, wm_loc from, int depth);
static char *tidy_path(wm_arena *a, const char *path);

static void add_source(wm_frontend *f, const char *path, char *data, size_t len,
                       const char *dir, int depth)
{
    wm_source *src = wm_arena_alloc(f->arena, sizeof *src);
    src->path = path;
    src->data = data;
    src->len = len;
    src->index = (int)f->files.len;
    load_source(f, src, dir, depth);
}

static void load_source(wm_frontend *f, wm_source *src, const char *dir, int depth)
{
    size_t skip = 0;
    if (src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0)
        skip = 3; /* a UTF-8 byte order mark: harmless, skip it */
    size_t bad = wm_utf8_check(src->data + skip, src->len - skip) + skip;
    ast_file *file;
    if (bad < src->len) {
        unsigned char c = (unsigned char)src->data[bad];
        wm_diag *d = c == 0 ? wm_error(&f->diags, loc_at(src, bad), "NUL byte in spec file")
                            : wm_error(&f->diags, loc_at(src, bad),
                                       "invalid UTF-8 byte 0x%02x in spec file", c);
        wm_hint(d, "a .wmap file is UTF-8 text");
        file = wm_arena_alloc(f->arena, sizeof *file);
        file->src = src;
    } else {
        file = wm_parse(f->arena, &f->diags, src);
    }
    wm_ptrvec_push(f->arena, &f->files, file);

    for (ast_import *imp = file->imports; imp; imp = imp->next) {
        if (!f->is_import_allowed) {
            wm_error(&f->diags, imp->loc, "imports are not available here");
            continue;
        }
        if (depth + 1 > WM_MAX_IMPORT_DEPTH) {
            wm_error(&f->diags, imp->loc, "imports nested too deeply (the limit is %d)",
                     WM_MAX_IMPORT_DEPTH);
            continue;
        }
        char *path = imp->path[0] == '/'
                         ? wm_arena_strdup(f->arena, imp->path)
                         : tidy_path(f->arena, wm_arena_printf(f->arena, "%s%s", dir, imp->path));
        load_path(f, path, imp->loc, depth + 1);
    }
}

/* "examples/../specs/x.wmap" -> "specs/x.wmap": shorter in messages and
 * in the comments of generated code.  Lexical only ("a/.." is dropped
 * unless a is ".."); symlinks are the user's business. */
static char *tidy_path(wm_arena *a, const char *path)
{
    size_t n = strlen(path);
    char *out = wm_arena_alloc(a, n + 1);
    const char *parts[512];
    size_t lens[512], k = 0;
    bool is_absolute = path[0] == '/';
    for (const char *s = path; *s;) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - s);
        if (len == 0 || (len == 1 && s[0] == '.')) {
            /* skip */
        } else if (len == 2 && s[0] == '.' && s[1] == '.' && k > 0
                   && !(lens[k - 1] == 2 && parts[k - 1][0] == '.' && parts[k - 1][1] == '.')) {
            k--;
        } else if (k < 512) {
            parts[k] = s;
            lens[k++] = len;
        } else {
            return wm_arena_strdup(a, path);
        }
        s = e;
    }
    size_t used = 0;
    if (is_absolute)
        out[used++] = '/';
    for (size_t i = 0; i < k; i++) {
        if (i)
            out[used++] = '/';
        memcpy(out + used, parts[i], lens[i]);
        used += lens[i];
    }
    if (used == 0)
        out[used++] = '.';
    out[used] = '\0';
    return out;
}

static char *dir_of(wm_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? wm_arena_strndup(a, path, (size_t)(slash - path + 1)) : wm_arena_strdup(a, "");
}

/* Read a regular file of at most WM_MAX_FILE_BYTES; NULL and *why on error. */
static char *read_bounded(wm_arena *a, const char *path, size_t *len, const char **why)
{
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        *why = strerror(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file";
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)WM_MAX_FILE_BYTES + 1;
    size_t want = st.st_size >= 0 && (size_t)st.st_size < cap ? (size_t)st.st_size + 1 : cap;
    char *buf = malloc(want + 1);
    if (!buf) {
        *why = "out of memory";
        close(fd);
        return NULL;
    }
    size_t n = 0;
    for (;;) {
        if (n == want) {
            if (want == cap)
                break;
            size_t more = want * 2 < cap ? want * 2 : cap;
            char *bigger = realloc(buf, more + 1);
            if (!bigger)
                break;
            buf = bigger;
            want = more;
        }
        ssize_t k = read(fd, buf + n, want - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            *why = strerror(errno);
            free(buf);
            close(fd);
            return NULL;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    if (n > WM_MAX_FILE_BYTES) {
        *why = "it is larger than 16 MiB";
        free(buf);
        return NULL;
    }
    char *copy = wm_arena_strndup(a, buf, n);
    free(buf);
    *len = n;
    return copy;
}

static void load_path(wm_frontend *f, const char *path, wm_loc from, int depth)
{
    char resolved[PATH_MAX];
    const char *identity = realpath(path, resolved) ? resolved : path;
    if (contains(&f->loading, identity)) {
        wm_diag *d = wm_error(&f->diags, from, "import cycle: '%s' is already being imported", path);
        wm_hint(d, "move what both files need into a third file that both import");
        return;
    }
    if (contains(&f->loaded, identity))
        return;
    if (f->files.len >= WM_MAX_FILES) {
        wm_error(&f->diags, from, "too many spec files (the limit is %d)", WM_MAX_FILES);
        return;
    }
    const char *why = NULL;
    size_t len = 0;
    char *data = read_bounded(f->arena, path, &len, &why);
    if (!data) {
        wm_error(&f->diags, from, "cannot read '%s': %s", path, why);
        if (!from.src)
            f->has_unreadable_root = true;
        return;
    }
    char *id = wm_arena_strdup(f->arena, identity);
    wm_ptrvec_push(f->arena, &f->loaded, id);
    wm_ptrvec_push(f->arena, &f->loading, id);
    add_source(f, wm_arena_strdup(f->arena, path), data, len, dir_of(f->arena, path), depth);
    f->loading.len--;
}

void wm_load_file(wm_frontend *f, const char *path)
{
    wm_loc none = { 0 };
    load_path(f, path, none, 0);
}

void wm_load_buffer(wm_frontend *f, const char *name, const char *data, size_t len)
{
    char *copy = wm_arena_strndup(f->arena, data, len);
    const char *id = wm_arena_printf(f->arena, "<buffer>%s", name);
    wm_ptrvec_push(f->arena, &f->loaded, (void *)id);
    wm_ptrvec_push(f->arena, &f->loading, (void *)id);
    add_source(f, wm_arena_strdup(f->arena, name), copy, len, "", 0);
    f->loading.len--;
}
