/* dataflow.c - generic forward worklist solver (see dataflow.h).
 *
 * Blocks are visited in reverse postorder of a depth-first walk from the
 * entry block: the worklist is a min-heap keyed by RPO position, so inner
 * loops settle before the code after them is revisited.  A block's in-state
 * is bottom until the first feasible edge reaches it; the state flowing
 * along each edge is refined by ops->transfer_edge, and an edge it declares
 * infeasible is not followed.  The number of block visits is capped at
 * TL_DF_VISITS_PER_BLOCK * nblocks (lattices with long ascending chains, or
 * a buggy join), and a client may stop the solver when its own work budget
 * is used up (ops->exhausted); either returns -1 with the states computed so
 * far.
 *
 * With ops->split_by_facts (and a function with correlated branches, see
 * branch_facts.h) each block holds up to TL_DF_SPLIT states, one per set of
 * branch facts (known zero / non-zero variables) its paths established; see
 * solve_split below.
 */
#include "dataflow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "branch_facts.h"

static void *state_at(unsigned char *base, size_t size, int i)
{
    return base + (size_t)i * size;
}

void *tl_dataflow_in(const tl_dataflow_result *r, int b)
{
    if (!r || !r->in || b < 0 || b >= r->nblocks)
        return NULL;
    return state_at(r->in, r->ops->state_size, b);
}

/* Reverse postorder of blocks reachable from the entry (iterative DFS).
 * rpo_index[b] = position, or -1 when b is not reachable. */
int tl_dataflow_rpo(const tl_func *f, int *rpo_index)
{
    int n = f->nblocks;
    int *stack = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    int *next_succ = calloc((size_t)(n > 0 ? n : 1), sizeof(int));
    int *post = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    unsigned char *seen = calloc((size_t)(n > 0 ? n : 1), 1);
    int sp = 0, npost = 0;
    if (!stack || !next_succ || !post || !seen) {
        free(stack); free(next_succ); free(post); free(seen);
        return -1;
    }
    for (int i = 0; i < n; i++)
        rpo_index[i] = -1;
    if (f->entry >= 0 && f->entry < n) {
        stack[sp++] = f->entry;
        seen[f->entry] = 1;
    }
    while (sp > 0) {
        int b = stack[sp - 1];
        const tl_block *blk = &f->blocks[b];
        if (next_succ[b] < blk->nsucc) {
            int s = blk->succ[next_succ[b]++];
            if (s >= 0 && s < n && !seen[s]) {
                seen[s] = 1;
                stack[sp++] = s;
            }
        } else {
            post[npost++] = b;
            sp--;
        }
    }
    for (int i = 0; i < npost; i++)
        rpo_index[post[npost - 1 - i]] = i;
    free(stack); free(next_succ); free(post); free(seen);
    return npost;
}

/* ---- min-heap of block ids keyed by RPO position ---- */
typedef struct {
    int *items;
    int n;
    const int *key;
    unsigned char *in;
} wl_heap;

static void heap_push(wl_heap *h, int b)
{
    if (h->in[b])
        return;
    h->in[b] = 1;
    int i = h->n++;
    h->items[i] = b;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h->key[h->items[p]] <= h->key[h->items[i]])
            break;
        int t = h->items[p]; h->items[p] = h->items[i]; h->items[i] = t;
        i = p;
    }
}

static int heap_pop(wl_heap *h)
{
    int top = h->items[0];
    h->in[top] = 0;
    h->items[0] = h->items[--h->n];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->key[h->items[l]] < h->key[h->items[m]]) m = l;
        if (r < h->n && h->key[h->items[r]] < h->key[h->items[m]]) m = r;
        if (m == i)
            break;
        int t = h->items[m]; h->items[m] = h->items[i]; h->items[i] = t;
        i = m;
    }
    return top;
}

static void apply_block(const tl_dataflow_ops *ops, void *ctx, const tl_func *f,
                        const tl_block *b, int upto, void *state)
{
    if (upto > b->ninstrs)
        upto = b->ninstrs;
    if (ops->transfer_block && upto == b->ninstrs) {
        ops->transfer_block(ctx, state, f, b);
        return;
    }
    if (!ops->transfer)
        return;
    for (int i = 0; i < upto; i++)
        ops->transfer(ctx, state, f, b, i);
}

long tl_dataflow_budget(const tl_func *f)
{
    long items = (long)f->nblocks + f->nvars;
    for (int b = 0; b < f->nblocks; b++)
        items += f->blocks[b].ninstrs;
    return TL_DF_WORK_FLOOR + TL_DF_WORK_PER_ITEM * items;
}

/* ---- states split by branch facts ---- */

/* Each block keeps at most TL_DF_SPLIT states, keyed by the facts (known
 * non-zero / zero variables) of the paths that brought them.  When a new key
 * does not fit, the block forgets one fact for good (forgot[t], which only
 * grows, so the solver still terminates): the states whose keys then
 * coincide are joined.  The fact forgotten is one whose states agree on
 * both sides if there is one (nothing is lost: the paths differ only in
 * facts that no longer matter, e.g. a flag whose spawn and join are both
 * behind), else the one that leaves the fewest states. */
typedef struct {
    const tl_func *f;
    const tl_dataflow_ops *ops;
    void *ctx;
    const tl_branch_facts *bf;
    size_t sz;
    unsigned char *st;       /* n * TL_DF_SPLIT states */
    uint64_t *nz, *z;        /* their keys: facts known non-zero / zero */
    uint64_t *forgot;        /* per block: facts it no longer keeps apart */
    unsigned char *used;     /* per block: states in use */
    unsigned char *dirty;    /* per state: changed since its block's last visit */
    unsigned char *tmp;      /* scratch state (equality tests) */
    wl_heap *heap;
} split_run;

static void *split_state(const split_run *r, int b, int v)
{
    return r->st + ((size_t)b * TL_DF_SPLIT + (size_t)v) * r->sz;
}

/* Are states x and y equal (each joins into the other without change)? */
static bool same_state(split_run *r, const void *x, const void *y)
{
    r->ops->copy(r->ctx, r->tmp, x);
    if (r->ops->join(r->ctx, r->tmp, y))
        return false;
    r->ops->copy(r->ctx, r->tmp, y);
    return !r->ops->join(r->ctx, r->tmp, x);
}

/* Block t is full and key (nz, z) is new: forget one fact. */
static void forget_one(split_run *r, int t, uint64_t nz, uint64_t z, const void *flow)
{
    int k = t * TL_DF_SPLIT, n = r->used[t];
    const void *sv[TL_DF_SPLIT + 1];
    uint64_t knz[TL_DF_SPLIT + 1], kz[TL_DF_SPLIT + 1];
    for (int i = 0; i < n; i++) {
        sv[i] = split_state(r, t, i);
        knz[i] = r->nz[k + i];
        kz[i] = r->z[k + i];
    }
    sv[n] = flow;
    knz[n] = nz;
    kz[n] = z;
    bool eq[TL_DF_SPLIT + 1][TL_DF_SPLIT + 1];
    for (int i = 0; i <= n; i++)
        for (int j = i + 1; j <= n; j++)
            eq[i][j] = eq[j][i] = same_state(r, sv[i], sv[j]);
    uint64_t known = 0;
    for (int i = 0; i <= n; i++)
        known |= knz[i] | kz[i];
    int best = -1, best_groups = 0;
    bool best_lossless = false;
    for (int bit = 0; bit < 64; bit++) {
        uint64_t m = 1ull << bit;
        if (!(known & m))
            continue;
        int groups = 0;
        bool lossless = true;
        for (int i = 0; i <= n; i++) {
            int j = 0;
            while (j < i && ((knz[j] | m) != (knz[i] | m) || (kz[j] | m) != (kz[i] | m)))
                j++;
            if (j == i)
                groups++;
            else if (!eq[i][j])
                lossless = false;
        }
        if (best < 0 || (lossless && !best_lossless) ||
            (lossless == best_lossless && groups < best_groups)) {
            best = bit;
            best_groups = groups;
            best_lossless = lossless;
        }
    }
    r->forgot[t] |= best >= 0 ? 1ull << best : ~0ull;
    /* re-key the block's states and join those that now coincide */
    int w = 0;
    for (int i = 0; i < n; i++) {
        uint64_t inz = r->nz[k + i] & ~r->forgot[t], iz = r->z[k + i] & ~r->forgot[t];
        int j = 0;
        while (j < w && (r->nz[k + j] != inz || r->z[k + j] != iz))
            j++;
        if (j < w) {
            r->ops->join(r->ctx, split_state(r, t, j), split_state(r, t, i));
            r->dirty[k + j] = 1;
            continue;
        }
        if (j != i) {
            r->ops->copy(r->ctx, split_state(r, t, j), split_state(r, t, i));
            r->dirty[k + j] = r->dirty[k + i];
        }
        r->nz[k + j] = inz;
        r->z[k + j] = iz;
        w++;
    }
    for (int i = w; i < n; i++) {
        if (r->ops->destroy)
            r->ops->destroy(r->ctx, split_state(r, t, i));
        r->ops->init_bottom(r->ctx, split_state(r, t, i));
        r->dirty[k + i] = 0;
    }
    r->used[t] = (unsigned char)w;
    heap_push(r->heap, t);
}

/* Merge `flow` with facts (nz, z) into block t. */
static void split_merge(split_run *r, int t, uint64_t nz, uint64_t z, const void *flow)
{
    int k = t * TL_DF_SPLIT, v;
    for (;;) {
        nz &= ~r->forgot[t];
        z &= ~r->forgot[t];
        v = 0;
        while (v < r->used[t] && (r->nz[k + v] != nz || r->z[k + v] != z))
            v++;
        if (v < r->used[t] || v < TL_DF_SPLIT)
            break;
        forget_one(r, t, nz, z, flow);
    }
    if (v == r->used[t]) { /* a new set of facts */
        r->used[t]++;
        r->nz[k + v] = nz;
        r->z[k + v] = z;
        r->ops->copy(r->ctx, split_state(r, t, v), flow);
    } else if (!r->ops->join(r->ctx, split_state(r, t, v), flow)) {
        return;
    }
    r->dirty[k + v] = 1;
    heap_push(r->heap, t);
}

static int solve_split(const tl_func *f, const tl_dataflow_ops *ops, void *ctx,
                       const tl_branch_facts *bf, wl_heap *heap, unsigned char *cur,
                       unsigned char *edge, tl_dataflow_result *out)
{
    int n = f->nblocks;
    size_t sz = ops->state_size;
    split_run r = {f, ops, ctx, bf, sz ? sz : 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, heap};
    size_t ns = (size_t)n * TL_DF_SPLIT;
    r.st = calloc(ns, r.sz);
    r.nz = calloc(ns, sizeof *r.nz);
    r.z = calloc(ns, sizeof *r.z);
    r.used = calloc((size_t)n, 1);
    r.forgot = calloc((size_t)n, sizeof *r.forgot);
    r.dirty = calloc(ns, 1);
    r.tmp = calloc(1, r.sz);
    int rc = 0;
    if (!r.st || !r.nz || !r.z || !r.used || !r.forgot || !r.dirty || !r.tmp) {
        free(r.tmp);
        r.tmp = NULL;
        rc = -1;
        goto done;
    }
    ops->init_bottom(ctx, r.tmp);
    for (size_t i = 0; i < ns; i++)
        ops->init_bottom(ctx, r.st + i * r.sz);
    if (ops->destroy)
        ops->destroy(ctx, split_state(&r, f->entry, 0));
    ops->init_entry(ctx, split_state(&r, f->entry, 0));
    r.used[f->entry] = 1;
    r.dirty[f->entry * TL_DF_SPLIT] = 1;
    heap_push(heap, f->entry);

    long visits = 0;
    long cap = (long)TL_DF_VISITS_PER_BLOCK * TL_DF_SPLIT * n;
    while (heap->n > 0) {
        if (++visits > cap || (ops->exhausted && ops->exhausted(ctx))) {
            rc = -1;
            break;
        }
        int b = heap_pop(heap);
        const tl_block *blk = &f->blocks[b];
        for (int v = 0; v < r.used[b]; v++) {
            int k = b * TL_DF_SPLIT + v;
            if (!r.dirty[k])
                continue;
            r.dirty[k] = 0;
            uint64_t nz = r.nz[k] & ~bf->kill[b], z = r.z[k] & ~bf->kill[b];
            ops->copy(ctx, cur, split_state(&r, b, v));
            apply_block(ops, ctx, f, blk, blk->ninstrs, cur);
            for (int s = 0; s < blk->nsucc; s++) {
                int t = blk->succ[s];
                if (t < 0 || t >= n)
                    continue;
                uint64_t enz = nz, ez = z;
                if (!tl_branch_facts_edge(bf, b, s, &enz, &ez))
                    continue; /* contradicts what this path knows */
                const void *flow = cur;
                if (ops->transfer_edge) {
                    ops->copy(ctx, edge, cur);
                    if (!ops->transfer_edge(ctx, edge, f, blk, s))
                        continue;
                    flow = edge;
                }
                split_merge(&r, t, enz & bf->live[t], ez & bf->live[t], flow);
            }
        }
    }
    /* the clients see the join of a block's states */
    for (int b = 0; b < n; b++)
        for (int v = 0; v < r.used[b]; v++) {
            void *dst = state_at(out->in, sz, b);
            if (!out->reached[b]) {
                ops->copy(ctx, dst, split_state(&r, b, v));
                out->reached[b] = true;
            } else {
                ops->join(ctx, dst, split_state(&r, b, v));
            }
        }
done:
    if (r.st && ops->destroy)
        for (size_t i = 0; i < ns; i++)
            ops->destroy(ctx, r.st + i * r.sz);
    free(r.st);
    free(r.nz);
    free(r.z);
    free(r.used);
    free(r.forgot);
    free(r.dirty);
    if (r.tmp && ops->destroy)
        ops->destroy(ctx, r.tmp);
    free(r.tmp);
    return rc;
}

int tl_dataflow_forward(const tl_func *f, const tl_dataflow_ops *ops, void *ctx,
                        tl_dataflow_result *out)
{
    memset(out, 0, sizeof *out);
    out->ops = ops;
    out->ctx = ctx;
    int n = f->nblocks;
    out->nblocks = n;
    if (n <= 0)
        return 0;
    size_t sz = ops->state_size;
    out->in = calloc((size_t)n, sz ? sz : 1);
    out->reached = calloc((size_t)n, sizeof(bool));
    int *rpo = malloc(sizeof(int) * (size_t)n);
    wl_heap heap = {0};
    heap.items = malloc(sizeof(int) * (size_t)n);
    heap.in = calloc((size_t)n, 1);
    heap.key = rpo;
    unsigned char *cur = calloc(1, sz ? sz : 1);
    unsigned char *edge = calloc(1, sz ? sz : 1);
    if (!out->in || !out->reached || !rpo || !heap.items || !heap.in || !cur || !edge) {
        free(rpo); free(heap.items); free(heap.in); free(cur); free(edge);
        free(out->in); free(out->reached);
        out->in = NULL; out->reached = NULL; out->nblocks = 0;
        return -1;
    }
    for (int b = 0; b < n; b++)
        ops->init_bottom(ctx, state_at(out->in, sz, b));
    ops->init_bottom(ctx, cur);
    ops->init_bottom(ctx, edge);

    int rc = 0;
    if (tl_dataflow_rpo(f, rpo) < 0) {
        rc = -1;
        goto done;
    }
    if (f->entry < 0 || f->entry >= n)
        goto done;
    if (ops->split_by_facts) {
        tl_branch_facts bf;
        tl_branch_facts_compute(f, &bf, ops->call_keeps_globals, ctx);
        if (bf.nfacts > 0) {
            rc = solve_split(f, ops, ctx, &bf, &heap, cur, edge, out);
            tl_branch_facts_free(&bf);
            goto done;
        }
    }

    /* init_* fill uninitialised memory: drop the entry's bottom state first */
    if (ops->destroy) ops->destroy(ctx, state_at(out->in, sz, f->entry));
    ops->init_entry(ctx, state_at(out->in, sz, f->entry));
    out->reached[f->entry] = true;
    heap_push(&heap, f->entry);

    long visits = 0;
    long cap = (long)TL_DF_VISITS_PER_BLOCK * n;
    while (heap.n > 0) {
        if (++visits > cap) {
            rc = -1;
            break;
        }
        if (ops->exhausted && ops->exhausted(ctx)) {
            rc = -1;
            break;
        }
        int b = heap_pop(&heap);
        const tl_block *blk = &f->blocks[b];
        ops->copy(ctx, cur, state_at(out->in, sz, b));
        apply_block(ops, ctx, f, blk, blk->ninstrs, cur);
        for (int s = 0; s < blk->nsucc; s++) {
            int t = blk->succ[s];
            if (t < 0 || t >= n)
                continue;
            const void *flow = cur;
            if (ops->transfer_edge) {
                ops->copy(ctx, edge, cur);
                if (!ops->transfer_edge(ctx, edge, f, blk, s))
                    continue;
                flow = edge;
            }
            void *dst = state_at(out->in, sz, t);
            if (!out->reached[t]) {
                out->reached[t] = true;
                ops->copy(ctx, dst, flow);
                heap_push(&heap, t);
            } else if (ops->join(ctx, dst, flow)) {
                heap_push(&heap, t);
            }
        }
    }

done:
    if (ops->destroy) {
        ops->destroy(ctx, cur);
        ops->destroy(ctx, edge);
    }
    free(cur); free(edge);
    free(rpo); free(heap.items); free(heap.in);
    return rc;
}

void tl_dataflow_replay(const tl_dataflow_result *r, const tl_func *f, int b,
                        int upto, void *state)
{
    if (!r || !r->in || b < 0 || b >= r->nblocks || b >= f->nblocks)
        return;
    r->ops->copy(r->ctx, state, state_at(r->in, r->ops->state_size, b));
    apply_block(r->ops, r->ctx, f, &f->blocks[b], upto, state);
}

void tl_dataflow_free(tl_dataflow_result *r)
{
    if (!r)
        return;
    if (r->in && r->ops && r->ops->destroy)
        for (int b = 0; b < r->nblocks; b++)
            r->ops->destroy(r->ctx, state_at(r->in, r->ops->state_size, b));
    free(r->in);
    free(r->reached);
    r->in = NULL;
    r->reached = NULL;
    r->nblocks = 0;
}
