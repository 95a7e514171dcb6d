/* xalloc.c - see xalloc.h. */
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void) {
    fputs("tasklint: fatal error: out of memory\n", stderr);
    exit(2);
}

void *tl_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *tl_xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *tl_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom();
    return q;
}

char *tl_xstrdup(const char *s) {
    return tl_xstrndup(s, strlen(s));
}

char *tl_xstrndup(const char *s, size_t n) {
    char *p = tl_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *tl_xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) oom();
    char *p = tl_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *tl_xgrow(void *arr, int n, int *cap, size_t elem) {
    if (n < *cap) return arr;
    *cap = *cap ? *cap * 2 : 8;
    return tl_xrealloc(arr, (size_t)*cap * elem);
}
