/* read_file.c - a whole file into memory (read_file.h). */
#include "read_file.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

#define MAX_SOURCE_BYTES ((size_t)256 << 20)

char *tl_read_file(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    size_t cap = 8192, n = 0;
    char *buf = tl_xmalloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += r;
        if (n == cap) {
            if (cap >= MAX_SOURCE_BYTES) break;
            cap *= 2;
            buf = tl_xrealloc(buf, cap);
        }
    }
    bool err = ferror(fp);
    fclose(fp);
    if (err) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}
