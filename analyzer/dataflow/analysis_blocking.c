/* analysis_blocking.c - blocking summaries (step 4 of analysis.c): whether
 * each function of the TU may block, directly or through a function of the
 * TU it calls, and by which call; once as written and once with the
 * descriptors of a readiness callback ready.  tl_analysis_run() calls
 * tl_analysis_compute_blocking() (analysis_internal.h) after the descriptor
 * states are known.
 */
#include <limits.h>
#include <stdlib.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "param_guards.h"
#include "../util/xalloc.h"

/* ---- blocking summaries ---- */

/* A call of function `from` (call `id`) that can pass on blocking from the
 * function `to` of this TU. */
typedef struct {
    int from, id, to;
} call_edge;

/* Can call cf of function fi make fi block because its in-TU callee blocks?
 * (the callee, else -1)  With guards (the first pass's, or NULL), not when
 * its arguments contradict what every blocking call of the callee needs. */
static int any_callee_func(const tl_call_facts *cf, int fi) {
    if (!cf->instr || !cf->reached || cf->instr->call.is_spawn_entry || cf->dying ||
        cf->in_fork_child)
        return -1;
    if (cf->model && cf->model->nonblocking) return -1;
    int callee = cf->instr->call.callee_func;
    return callee < 0 || callee == fi ? -1 : callee;
}

/* The same in fd_ready mode for a call that hands the callee something of
 * fi's parameters (else its plain summary applies: plain_callee_func). */
static int blocking_callee_func(const tl_call_facts *cf, int fi, bool fd_ready, const unsigned *gnz,
                                const unsigned *gz) {
    int callee = any_callee_func(cf, fi);
    if (callee < 0 || (fd_ready && !cf->passes_param)) return -1;
    if (gnz && tl_guard_cut(gnz[callee], gz[callee], cf->argv, cf->instr->call.nargs)) return -1;
    return callee;
}

/* In fd_ready mode, a call that hands its in-TU callee nothing of fi's
 * parameters (`dial(addr)` making its own socket): it blocks when the
 * callee's plain summary blocks (computed before, guards final).  The
 * callee, else -1. */
static int plain_callee_func(const tl_analysis *a, const tl_call_facts *cf, int fi, bool fd_ready) {
    int callee = fd_ready && !cf->passes_param ? any_callee_func(cf, fi) : -1;
    if (callee < 0) return -1;
    const tl_block_summary *cs = &a->funcs[callee].blocks;
    if (!cs->may_block || tl_guard_cut(cs->guard_nz, cs->guard_z, cf->argv, cf->instr->call.nargs)) return -1;
    return callee;
}

/* A call that blocks by itself (a model's blocking facet) in fi. */
static bool blocks_directly(const tl_call_facts *cf, bool fd_ready) {
    return cf->instr && cf->reached && !cf->instr->call.is_spawn_entry && tl_call_blocks_in(cf, fd_ready);
}

/* A min-heap of functions keyed by (round, index). */
typedef struct {
    int *items, n;
    const int *round;
} fn_heap;

static bool fn_before(const fn_heap *h, int x, int y) {
    return h->round[x] != h->round[y] ? h->round[x] < h->round[y] : x < y;
}

static void fn_push(fn_heap *h, int fn) {
    int i = h->n++;
    h->items[i] = fn;
    while (i > 0 && fn_before(h, h->items[i], h->items[(i - 1) / 2])) {
        int p = (i - 1) / 2, t = h->items[p];
        h->items[p] = h->items[i];
        h->items[i] = t;
        i = p;
    }
}

static int fn_pop(fn_heap *h) {
    int top = h->items[0];
    h->items[0] = h->items[--h->n];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && fn_before(h, h->items[l], h->items[m])) m = l;
        if (r < h->n && fn_before(h, h->items[r], h->items[m])) m = r;
        if (m == i) break;
        int t = h->items[m];
        h->items[m] = h->items[i];
        h->items[i] = t;
        i = m;
    }
    return top;
}

static int cmp_edge_to(const void *x, const void *y) {
    const call_edge *a = x, *b = y;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    return a->from != b->from ? (a->from < b->from ? -1 : 1) : (a->id > b->id) - (a->id < b->id);
}

/* Fill each function's summary (blocks, or blocks_when_ready when fd_ready).
 *
 * The result is that of the classic round-robin fixpoint: round 0 takes each
 * function's first directly blocking call; then rounds sweep the functions
 * in index order, and a function that does not block yet takes its first
 * call (by id) to a function of the TU that blocks at that moment (blocked
 * in an earlier round, or earlier in this round).  Sweeping costs a round
 * per link of the longest chain, O(functions x calls) on a long chain of
 * calls; here each function's round is found directly, in order of
 * (round, index) with a heap: a callee c that blocks from round r lets a
 * caller f block in round r when c < f (same sweep, earlier), else r + 1
 * (round 1 after a direct blocker).  Then each function takes its first call
 * to a callee that blocked before it. */
static void blocking_pass(tl_analysis *a, bool fd_ready, const unsigned *gnz, const unsigned *gz) {
    int n = a->tu->nfuncs;
    int *round = tl_xmalloc(((size_t)n + 1) * sizeof *round);
    bool *never = tl_xcalloc((size_t)n + 1, sizeof *never); /* declared non-blocking */
    size_t nedges = 0, capedges = 0;
    call_edge *edges = NULL;
    fn_heap heap = {tl_xmalloc(((size_t)n + 1) * sizeof(int) * 2), 0, round};
    size_t capheap = (size_t)n * 2 + 2;
    for (int fi = 0; fi < n; fi++) {
        tl_func_facts *ff = &a->funcs[fi];
        tl_block_summary *bs = fd_ready ? &ff->blocks_when_ready : &ff->blocks;
        bs->call_id = bs->next_func = -1;
        bs->may_block = bs->next_plain = false;
        round[fi] = INT_MAX;
        const tl_fn_model *self = tl_models_find(a->models, a->tu->funcs[fi].name);
        never[fi] = self && self->nonblocking; /* declared non-blocking by the user */
        never[fi] = never[fi] || (tl_analysis_roles(a, a->tu->funcs[fi].name) & TL_ROLE_NONBLOCKING);
        if (never[fi]) continue;
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            int plain = bs->may_block ? -1 : plain_callee_func(a, cf, fi, fd_ready);
            if (!bs->may_block && (blocks_directly(cf, fd_ready) || plain >= 0)) {
                bs->may_block = true;
                bs->call_id = id;
                bs->blocking_callee = plain >= 0 ? a->funcs[plain].blocks.blocking_callee : cf->instr->call.callee;
                bs->next_func = plain;
                bs->next_plain = plain >= 0;
            }
            int to = blocking_callee_func(cf, fi, fd_ready, gnz, gz);
            if (to < 0) continue;
            if (nedges == capedges) {
                capedges = capedges ? capedges * 2 : 64;
                edges = tl_xrealloc(edges, capedges * sizeof *edges);
            }
            edges[nedges++] = (call_edge){fi, id, to};
        }
        if (bs->may_block) {
            round[fi] = 0;
            fn_push(&heap, fi);
        }
    }
    /* callers of each function: edges grouped by callee */
    if (nedges > 1) qsort(edges, nedges, sizeof *edges, cmp_edge_to);
    size_t *first = tl_xcalloc((size_t)n + 2, sizeof *first);
    for (size_t e = 0; e < nedges; e++) first[edges[e].to + 1]++;
    for (int fi = 0; fi < n; fi++) first[fi + 1] += first[fi];

    bool *done = tl_xcalloc((size_t)n + 1, sizeof *done);
    int *order = tl_xmalloc(((size_t)n + 1) * sizeof *order), norder = 0;
    while (heap.n > 0) {
        int c = fn_pop(&heap);
        if (done[c]) continue; /* a stale entry */
        done[c] = true;
        order[norder++] = c;
        for (size_t e = first[c]; e < first[c + 1]; e++) {
            int f = edges[e].from;
            if (done[f] || never[f]) continue;
            int r = round[c] == 0 ? 1 : (c < f ? round[c] : round[c] + 1);
            if (r >= round[f]) continue;
            round[f] = r;
            if ((size_t)heap.n == capheap) {
                capheap *= 2;
                heap.items = tl_xrealloc(heap.items, capheap * sizeof *heap.items);
            }
            fn_push(&heap, f);
        }
    }
    /* in the order they came to block: each takes its first call to a
       callee that blocked before it */
    for (int k = 0; k < norder; k++) {
        int fi = order[k];
        if (round[fi] == 0) continue;
        tl_func_facts *ff = &a->funcs[fi];
        tl_block_summary *bs = fd_ready ? &ff->blocks_when_ready : &ff->blocks;
        for (int id = 0; id < ff->ncalls; id++) {
            int c = blocking_callee_func(&ff->calls[id], fi, fd_ready, gnz, gz);
            if (c < 0 || round[c] == INT_MAX) continue;
            if (!(round[c] < round[fi] || (round[c] == round[fi] && c < fi))) continue;
            const tl_block_summary *cs = tl_func_blocking(&a->funcs[c], fd_ready);
            bs->may_block = true;
            bs->call_id = id;
            bs->blocking_callee = cs->blocking_callee;
            bs->next_func = c;
            break;
        }
    }
    free(round);
    free(never);
    free(edges);
    free(first);
    free(heap.items);
    free(done);
    free(order);
}

/* Each blocking function's guards: what every call of it that blocks, by
 * itself or through a callee that blocks (with the guards of the pass that
 * found it), needs of its parameters (param_guards.h). */
static void compute_guards(tl_analysis *a, bool fd_ready, const int *order, const unsigned *gnz, const unsigned *gz) {
    int n = a->tu->nfuncs;
    /* callees first: a callee's guards are passed on only once they are
       final (in a cycle, a callee not done yet passes none: sound) */
    bool *done = tl_xcalloc((size_t)n + 1, sizeof *done);
    for (int k = 0; k < n; k++) {
        int fi = order[k];
        tl_func_facts *ff = &a->funcs[fi];
        tl_block_summary *bs = fd_ready ? &ff->blocks_when_ready : &ff->blocks;
        unsigned nz = ~0u, z = ~0u;
        for (int id = 0; bs->may_block && id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            int c = blocking_callee_func(cf, fi, fd_ready, gnz, gz), plain = plain_callee_func(a, cf, fi, fd_ready);
            unsigned need_nz = cf->guard_nz, need_z = cf->guard_z;
            if (blocks_directly(cf, fd_ready)) {
                /* (its own tests only) */
            } else if (plain >= 0) { /* the callee's plain guards, final */
                need_nz |= tl_guard_through(a->funcs[plain].blocks.guard_nz, &cf->instr->call, ff->stable_params);
                need_z |= tl_guard_through(a->funcs[plain].blocks.guard_z, &cf->instr->call, ff->stable_params);
            } else if (c >= 0 && tl_func_blocking(&a->funcs[c], fd_ready)->may_block) {
                const tl_block_summary *cs = tl_func_blocking(&a->funcs[c], fd_ready);
                /* what the callee needs of the parameters passed on unchanged */
                if (done[c]) {
                    need_nz |= tl_guard_through(cs->guard_nz, &cf->instr->call, ff->stable_params);
                    need_z |= tl_guard_through(cs->guard_z, &cf->instr->call, ff->stable_params);
                }
            } else if (!(cf->instr && cf->reached && cf->instr->call.callee_func == fi &&
                         !cf->instr->call.is_spawn_entry && !cf->dying && !cf->in_fork_child &&
                         !(cf->model && cf->model->nonblocking))) {
                continue;
            } /* (a call of itself may block as it does: its own tests only, `retry(1)`) */
            nz &= need_nz;
            z &= need_z;
        }
        bs->guard_nz = bs->may_block ? nz : 0;
        bs->guard_z = bs->may_block ? z : 0;
        done[fi] = true;
    }
    free(done);
}

/* Two passes: the first finds what blocks as if every call ran with any
 * arguments, and from it each function's guards; the second cuts the calls
 * whose constant arguments contradict their callee's guards.  The first
 * pass's blocking calls include the second's, so its guards are implied by
 * every path that really blocks: cutting by them is sound.  The guards kept
 * are the second pass's. */
void tl_analysis_compute_blocking(tl_analysis *a, bool fd_ready) {
    int n = a->tu->nfuncs;
    int *order = tl_analysis_callees_order(a->tu, a);
    blocking_pass(a, fd_ready, NULL, NULL);
    compute_guards(a, fd_ready, order, NULL, NULL);
    unsigned *gnz = tl_xmalloc(((size_t)n + 1) * sizeof *gnz), *gz = tl_xmalloc(((size_t)n + 1) * sizeof *gz);
    bool any = false;
    for (int fi = 0; fi < n; fi++) {
        const tl_block_summary *bs = tl_func_blocking(&a->funcs[fi], fd_ready);
        gnz[fi] = bs->guard_nz;
        gz[fi] = bs->guard_z;
        any = any || gnz[fi] || gz[fi];
    }
    if (any) {
        blocking_pass(a, fd_ready, gnz, gz);
        compute_guards(a, fd_ready, order, gnz, gz);
    }
    free(gnz);
    free(gz);
    free(order);
}
