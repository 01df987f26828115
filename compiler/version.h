/* version.h - the compiler's version; generated code names it. */
#ifndef WM_VERSION_H
#define WM_VERSION_H
#define WM_VERSION "0.1.0"
#endif
