/* units.c - the store's part of whole-program runs (see store.h): the
 * newest phase-1 unit of each main file, and the digest of the program each
 * run linked.  A unit is opaque bytes here (the driver encodes it). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/hash.h"
#include "util/xalloc.h"

static int cmp_stamp(const void *a, const void *b) {
    const tl_file_stamp *x = *(const tl_file_stamp *const *)a, *y = *(const tl_file_stamp *const *)b;
    return strcmp(x->hash ? x->hash : "", y->hash ? y->hash : "");
}

char *tl_store_inputs_digest(const tl_file_stamp *stamps, size_t n) {
    /* the distinct contents read, in an order of their own: the paths are
       spelled differently by a fresh analysis and by the store */
    const tl_file_stamp **v = tl_xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = &stamps[i];
    qsort(v, n, sizeof *v, cmp_stamp);
    tl_store_sha256 h;
    tl_store_sha256_init(&h);
    for (size_t i = 0; i < n; i++) {
        const char *hash = v[i]->hash ? v[i]->hash : "";
        /* once each: a TU's record names its main file twice */
        if (i > 0 && !strcmp(hash, v[i - 1]->hash ? v[i - 1]->hash : "")) continue;
        tl_store_sha256_update(&h, hash, strlen(hash) + 1);
    }
    free(v);
    unsigned char d[32];
    tl_store_sha256_final(&h, d);
    char *out = tl_xmalloc(65);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
    return out;
}

int tl_store_save_unit(tl_store *s, const char *main_file, const char *tu_key, const char *inputs,
                       const void *unit, size_t len, tl_store_error *err) {
    tl_store__ok(err);
    if (len > (size_t)0x7fffffff) return tl_store__fail(s, SQLITE_TOOBIG, "keeping a file's analysis", err);
    sqlite3_stmt *st = tl_store__stmt(s, ST_UNIT_SAVE, err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, main_file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tu_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, inputs, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, unit, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "keeping a file's analysis", err);
    return 0;
}

int tl_store_each_unit(tl_store *s, tl_store_unit_fn fn, void *ctx, tl_store_error *err) {
    tl_store__ok(err);
    sqlite3_stmt *st = tl_store__stmt(s, ST_UNITS_ALL, err);
    if (!st) return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        const char *inputs = (const char *)sqlite3_column_text(st, 2);
        const void *blob = sqlite3_column_blob(st, 3);
        int n = sqlite3_column_bytes(st, 3);
        if (!file || !key || !inputs || n < 0) continue;
        if (fn(ctx, file, key, inputs, blob, (size_t)n)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "reading the files' analyses", err);
    return 0;
}

char *tl_store_run_program(tl_store *s, int64_t run, tl_store_error *err) {
    tl_store__ok(err);
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_GET_PROGRAM, err);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, run);
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = tl_xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return out;
}

int tl_store_run_set_program(tl_store *s, int64_t run, const char *digest, tl_store_error *err) {
    tl_store__ok(err);
    sqlite3_stmt *st = tl_store__stmt(s, ST_RUN_SET_PROGRAM, err);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return tl_store__fail(s, rc, "recording the program", err);
    return 0;
}
