/* source.h - spec files held in memory, and positions inside them.
 * A wm_loc is what every token, AST node and model item carries so that a
 * diagnostic (or a comment in generated code) can point back at the spec. */
#ifndef WM_SOURCE_H
#define WM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct wm_source {
    const char *path;   /* as the user named it, or as resolved from an import */
    const char *data;   /* NUL-terminated copy of the file */
    size_t len;         /* bytes, not counting the terminator */
    int index;          /* load order: diagnostics sort by it */
} wm_source;

typedef struct wm_loc {
    const wm_source *src;   /* NULL: no position (command line) */
    uint32_t line, col;     /* 1-based; col counts characters, not bytes */
    uint32_t width;         /* characters to underline; 0 or 1: a caret only */
    uint32_t offset;        /* byte offset of the line's first byte */
} wm_loc;

/* Limits that keep hostile input bounded; each is reported as an error at
 * the place it is hit. */
enum {
    WM_MAX_FILE_BYTES = 16 * 1024 * 1024,
    WM_MAX_IDENT_BYTES = 255,
    WM_MAX_STRING_BYTES = 64 * 1024,
    WM_MAX_NESTING = 64,          /* parentheses */
    WM_MAX_EXPR_DEPTH = 256,      /* height of an expression tree: a+b+c+... */
    WM_MAX_IMPORT_DEPTH = 32,
    WM_MAX_FILES = 1024,
};

#endif
