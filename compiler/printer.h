/* printer.h - the emitters' one way to write text: templates with named
 * substitutions ("$name$"), indentation handled in one place (after
 * protobuf's io::Printer).  Output is buffered and written once. */
#ifndef WM_PRINTER_H
#define WM_PRINTER_H

#include <stddef.h>

typedef struct wm_printer wm_printer;

wm_printer *wm_printer_new(void);
void wm_printer_free(wm_printer *p);

/* Print a template; the variadic arguments are name, value pairs ending
 * with NULL.  "$name$" is replaced by its value, "$$" by "$".  Every line
 * begun is indented by the current indentation. */
void wm_print(wm_printer *p, const char *tmpl, ...) __attribute__((sentinel));
void wm_indent(wm_printer *p);
void wm_outdent(wm_printer *p);

const char *wm_printer_text(const wm_printer *p);
size_t wm_printer_len(const wm_printer *p);

/* Write the text to path; 0 on success, -1 with errno set. */
int wm_printer_write(const wm_printer *p, const char *path);

#endif
