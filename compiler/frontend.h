/* frontend.h - the front end as one object: load spec files (and what they
 * import), parse them, analyze them into the resolved model.  The driver,
 * the tests and the fuzzer all go through this. */
#ifndef WM_FRONTEND_H
#define WM_FRONTEND_H

#include "ast.h"
#include "diag.h"
#include "model.h"

typedef struct wm_frontend {
    wm_arena *arena;
    wm_diags diags;
    wm_ptrvec files;        /* ast_file *, in load order */
    wm_ptrvec loading;      /* real paths of the files being loaded: cycles */
    wm_ptrvec loaded;       /* real paths of every file read: each once */
    bool is_import_allowed; /* false (the fuzzer): imports are errors */
    bool has_unreadable_root; /* a file named on the command line could not be read */
} wm_frontend;

void wm_frontend_init(wm_frontend *f, wm_arena *a);

/* Load a file named by the user, and its imports. */
void wm_load_file(wm_frontend *f, const char *path);

/* Load a spec held in memory (tests, fuzzing).  Imports resolve relative to
 * the working directory. */
void wm_load_buffer(wm_frontend *f, const char *name, const char *data, size_t len);

/* Check everything loaded; NULL when there were errors. */
wm_model *wm_analyze(wm_frontend *f);

/* Offset of the first byte that is not valid UTF-8 (or is NUL), or len. */
size_t wm_utf8_check(const char *s, size_t len);

#endif
