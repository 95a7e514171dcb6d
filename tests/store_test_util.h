/* store_test_util.h - temp directories and small file helpers for the
 * store's unit tests (unit_store.c, unit_store_safety.c). */
#ifndef TL_STORE_TEST_UTIL_H
#define TL_STORE_TEST_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/read_file.h"
#include "util/xalloc.h"

static inline char *tu_mkdtemp(void) {
    const char *base = getenv("TMPDIR");
    char *tmpl = tl_xasprintf("%s/tl_store_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl)) {
        free(tmpl);
        return NULL;
    }
    char *real = realpath(tmpl, NULL);
    free(tmpl);
    return real;
}

static inline int tu_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static inline int tu_chmod_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DNR) chmod(p, 0700);
    (void)st;
    return 0;
}

static inline void tu_rmrf(const char *dir) {
    if (!dir) return;
    chmod(dir, 0700);
    /* make every directory writable first (pre-order), then delete depth-first */
    nftw(dir, tu_chmod_one, 16, FTW_PHYS);
    nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void tu_write(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

/* Whole file (malloc'd), length in *n; NULL if unreadable. */
static inline char *tu_slurp(const char *path, size_t *n) {
    *n = 0;
    return tl_read_file(path, n);
}

/* Sets a file's mtime `ago` seconds in the past. */
static inline void tu_age(const char *path, int ago) {
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= ago;
    ts[1] = ts[0];
    utimensat(AT_FDCWD, path, ts, 0);
}

static inline double tu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
