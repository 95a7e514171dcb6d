/* xalloc.h - allocation that never returns NULL: out of memory is fatal
 * (prints a message and exits 2), so callers need no error paths for it. */
#ifndef TL_XALLOC_H
#define TL_XALLOC_H

#include <stddef.h>

void *tl_xmalloc(size_t n);
void *tl_xcalloc(size_t n, size_t size);
void *tl_xrealloc(void *p, size_t n);
char *tl_xstrdup(const char *s);
char *tl_xstrndup(const char *s, size_t n);
/* Make room for one more element in a growing array: when n == *cap,
 * doubles *cap (first 8) and reallocates.  Returns the (new) array. */
void *tl_xgrow(void *arr, int n, int *cap, size_t elem);
/* malloc'd printf */
char *tl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
