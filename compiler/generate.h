/* generate.h - every generated file of a model (cmd_gen.c writes them). */
#ifndef WM_GENERATE_H
#define WM_GENERATE_H

#include <stdbool.h>

#include "diag.h"
#include "emit.h"

/* Where a file named name (no directory) is printed: the caller owns it. */
typedef wm_printer *(*wm_open_output)(void *ctx, const char *name);

/* Every file of the model through open; false (diagnostics in diags) when
 * a store asks what its dialect cannot do. */
bool wm_generate(const wm_emit_ctx *cx, wm_diags *diags, wm_open_output open, void *ctx);

#endif
