/* sparse_map.c - sparse per-variable bit sets (see sparse_map.h). */
#include "sparse_map.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

void tl_sparse_free(tl_sparse_map *m) {
    free(m->e);
    m->e = NULL;
    m->n = 0;
}

void tl_sparse_copy(tl_sparse_map *dst, const tl_sparse_map *src) {
    if (dst == src) return;
    free(dst->e);
    dst->e = src->n ? tl_xmalloc((size_t)src->n * sizeof *dst->e) : NULL;
    if (src->n) memcpy(dst->e, src->e, (size_t)src->n * sizeof *dst->e);
    dst->n = src->n;
}

bool tl_sparse_join(tl_sparse_map *dst, const tl_sparse_map *src) {
    if (src->n == 0) return false;
    tl_sparse_entry *e = tl_xmalloc(((size_t)dst->n + (size_t)src->n) * sizeof *e);
    int n = 0, i = 0, j = 0;
    bool changed = false;
    while (i < dst->n || j < src->n) {
        if (j >= src->n || (i < dst->n && dst->e[i].key < src->e[j].key)) {
            e[n++] = dst->e[i++];
        } else if (i >= dst->n || src->e[j].key < dst->e[i].key) {
            e[n++] = src->e[j++];
            changed = true;
        } else {
            uint64_t bits = dst->e[i].bits | src->e[j].bits;
            changed |= bits != dst->e[i].bits;
            e[n++] = (tl_sparse_entry){dst->e[i].key, bits};
            i++;
            j++;
        }
    }
    free(dst->e);
    dst->e = e;
    dst->n = n;
    return changed;
}

uint64_t tl_sparse_get(const tl_sparse_map *m, int key) {
    int lo = 0, hi = m->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (m->e[mid].key == key) return m->e[mid].bits;
        if (m->e[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

void tl_sparse_clear(tl_sparse_map *m, uint64_t (*mask)(void *ctx, int key), void *ctx) {
    int n = 0;
    for (int i = 0; i < m->n; i++) {
        uint64_t bits = m->e[i].bits & ~mask(ctx, m->e[i].key);
        if (bits) m->e[n++] = (tl_sparse_entry){m->e[i].key, bits};
    }
    m->n = n;
}

void tl_sparse_scratch_init(tl_sparse_scratch *s, int nkeys) {
    size_t n = nkeys > 0 ? (size_t)nkeys : 1;
    memset(s, 0, sizeof *s);
    s->nkeys = nkeys;
    s->val = tl_xcalloc(n, sizeof *s->val);
    s->stamp = tl_xcalloc(n, sizeof *s->stamp);
    s->touched = tl_xmalloc(n * sizeof *s->touched);
}

void tl_sparse_scratch_free(tl_sparse_scratch *s) {
    free(s->val);
    free(s->stamp);
    free(s->touched);
    memset(s, 0, sizeof *s);
}

void tl_sparse_unpack(tl_sparse_scratch *s, const tl_sparse_map *m) {
    s->serial++;
    s->ntouched = 0;
    for (int i = 0; m && i < m->n; i++) {
        int k = m->e[i].key;
        s->val[k] = m->e[i].bits;
        s->stamp[k] = s->serial;
        s->touched[s->ntouched++] = k;
    }
    s->nfirst = s->ntouched;
}

uint64_t *tl_sparse_slot(tl_sparse_scratch *s, int key) {
    if (s->stamp[key] != s->serial) {
        s->stamp[key] = s->serial;
        s->touched[s->ntouched++] = key;
    }
    return &s->val[key];
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void tl_sparse_pack(tl_sparse_scratch *s, tl_sparse_map *m) {
    /* the map's own keys are sorted; sort the new ones and merge */
    qsort(s->touched + s->nfirst, (size_t)(s->ntouched - s->nfirst), sizeof *s->touched, cmp_int);
    tl_sparse_entry *e = s->ntouched ? tl_xmalloc((size_t)s->ntouched * sizeof *e) : NULL;
    int n = 0, i = 0, j = s->nfirst;
    while (i < s->nfirst || j < s->ntouched) {
        int k;
        if (j >= s->ntouched || (i < s->nfirst && s->touched[i] < s->touched[j])) k = s->touched[i++];
        else k = s->touched[j++];
        if (s->val[k]) e[n++] = (tl_sparse_entry){k, s->val[k]};
        s->val[k] = 0;
    }
    free(m->e);
    m->e = e;
    m->n = n;
    s->ntouched = s->nfirst = 0;
    s->serial++;
}

void tl_sparse_discard(tl_sparse_scratch *s) {
    for (int i = 0; i < s->ntouched; i++) s->val[s->touched[i]] = 0;
    s->ntouched = s->nfirst = 0;
    s->serial++;
}
