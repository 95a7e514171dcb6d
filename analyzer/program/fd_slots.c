/* fd_slots.c - program-wide facts about global descriptor slots: "every
 * descriptor any function of the program stores into this global is
 * non-blocking" (fdstate.h, tl_slot_store; recorded per TU by
 * dataflow/fdstate_slots.c, joined here at link time, read back by the
 * descriptor-state dataflow of phase 2 through
 * tl_program_fd_slot_nonblocking).
 *
 * A slot holds the fact when it has at least one store, none of its stores
 * is "anything else" (TL_SLOT_OTHER: an unknown value, its address taken,
 * O_NONBLOCK cleared) and every slot it copies from (TL_SLOT_COPY) holds it
 * too: the greatest solution, found by spreading "not known" from the bad
 * slots along the copy edges (each edge once: linear).  A slot nothing
 * stores into (a library's, one set through a pointer) is not known.  A
 * global (not a static of one file) can be written by a file that is not
 * linked: its fact holds only when the program is whole; the facts without
 * that assumption are computed too (the non-static slots start bad).
 *
 * Two kinds of pseudo-slot carry values between functions of different
 * files (fdstate_slots.c): "p:F#N", parameter N of F, whose stores are the
 * arguments of every direct call of F (a store `c->fd = fd` of that
 * parameter is a copy of it), bad when F's address is taken anywhere
 * ("p:F#*" has a store) or, F not static, when the program is not whole;
 * and "r:F", F's result, stored (non-blocking) only by F's own analysis
 * when every path returning a descriptor returns a non-blocking one.  They
 * are ordinary nodes of the same copy graph: still one pass over edges.
 */
#include "fd_slots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/strmap.h"
#include "../util/xalloc.h"

typedef struct {
    const char *key;
    bool is_static, stored, other;
    bool nb_whole, nb_part; /* the fact, with and without the whole program */
} slot;

struct tl_fd_slots {
    slot *v;
    int n, cap;
    tl_strmap index;
};

static int slot_of(tl_fd_slots *s, const char *key, bool is_static) {
    size_t i;
    if (tl_strmap_get(&s->index, key, &i)) return (int)i;
    s->v = tl_xgrow(s->v, s->n, &s->cap, sizeof *s->v);
    memset(&s->v[s->n], 0, sizeof s->v[s->n]);
    s->v[s->n].key = key;
    s->v[s->n].is_static = is_static;
    if (tl_strmap_put(&s->index, key, (size_t)s->n) != 0) {
        fprintf(stderr, "tasklint: out of memory\n");
        exit(2);
    }
    return s->n++;
}

/* Spread "not known" (bad[i]) along copy edges src -> dst (CSR by src). */
static void spread(int n, bool *bad, const int *start, const int *dst) {
    int *work = tl_xmalloc(((size_t)n + 1) * sizeof *work), tail = 0;
    for (int i = 0; i < n; i++)
        if (bad[i]) work[tail++] = i;
    for (int h = 0; h < tail; h++)
        for (int e = start[work[h]]; e < start[work[h] + 1]; e++)
            if (!bad[dst[e]]) {
                bad[dst[e]] = true;
                work[tail++] = dst[e];
            }
    free(work);
}

tl_fd_slots *tl_fd_slots_link(tl_tu_summary *const *units, int nunits) {
    tl_fd_slots *s = tl_xcalloc(1, sizeof *s);
    tl_strmap_init(&s->index);
    int ncopies = 0;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            int at = slot_of(s, st->key, st->is_static); /* (may move s->v) */
            slot *x = &s->v[at];
            x->stored = true;
            x->is_static = st->is_static; /* (a slot first seen as a copy's source) */
            if (st->kind == TL_SLOT_OTHER) x->other = true;
            if (st->kind == TL_SLOT_COPY) {
                slot_of(s, st->src, false); /* a source nothing stores into stays unknown */
                ncopies++;
            }
        }
    /* copy edges as CSR by source */
    int n = s->n;
    int *start = tl_xcalloc((size_t)n + 2, sizeof *start), *dst = tl_xmalloc(((size_t)ncopies + 1) * sizeof *dst);
    int *srcs = tl_xmalloc(((size_t)ncopies + 1) * sizeof *srcs), *dsts = tl_xmalloc(((size_t)ncopies + 1) * sizeof *dsts);
    int k = 0;
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nfd_stores; i++) {
            const tl_slot_store *st = &units[u]->fd_stores[i];
            if (st->kind != TL_SLOT_COPY) continue;
            size_t a, b;
            tl_strmap_get(&s->index, st->src, &a);
            tl_strmap_get(&s->index, st->key, &b);
            srcs[k] = (int)a;
            dsts[k++] = (int)b;
            start[a + 1]++;
        }
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    int *fill = tl_xmalloc(((size_t)n + 1) * sizeof *fill);
    memcpy(fill, start, (size_t)n * sizeof *fill);
    for (int e = 0; e < k; e++) dst[fill[srcs[e]]++] = dsts[e];
    bool *bad = tl_xmalloc((size_t)n + 1), *escaped = tl_xcalloc((size_t)n + 1, 1);
    for (int i = 0; i < n; i++) { /* "p:F#N" of a function whose address is taken ("p:F#*") */
        const char *key = s->v[i].key, *hash = strrchr(key, '#');
        size_t at;
        char star[300];
        if (strncmp(key, "p:", 2) != 0 || !hash || !strcmp(hash, "#*") || (size_t)(hash - key) > 280) continue;
        snprintf(star, sizeof star, "%.*s#*", (int)(hash - key), key);
        if (tl_strmap_get(&s->index, star, &at)) escaped[i] = true;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++)
            bad[i] = !s->v[i].stored || s->v[i].other || escaped[i] || (pass == 1 && !s->v[i].is_static);
        spread(n, bad, start, dst);
        for (int i = 0; i < n; i++) {
            if (pass == 0) s->v[i].nb_whole = !bad[i];
            else s->v[i].nb_part = !bad[i];
        }
    }
    free(bad);
    free(escaped);
    free(fill);
    free(srcs);
    free(dsts);
    free(start);
    free(dst);
    return s;
}

bool tl_fd_slots_nonblocking(const tl_fd_slots *s, const char *key, bool whole) {
    size_t i;
    if (!s || !key || !tl_strmap_get(&s->index, key, &i)) return false;
    return whole ? s->v[i].nb_whole : s->v[i].nb_part;
}

void tl_fd_slots_free(tl_fd_slots *s) {
    if (!s) return;
    free(s->v);
    tl_strmap_free(&s->index);
    free(s);
}
