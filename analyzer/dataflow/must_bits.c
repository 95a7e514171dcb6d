/* must_bits.c - pieces the small "known on every path" passes share
 * (must_bits.h). */
#include "must_bits.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"

typedef struct {
    const tl_func *f;
    const int *place_of;
    const uint32_t *edge_set;
} solve_ctx;

static void mb_entry(void *ctx, void *st) {
    (void)ctx;
    tl_must_bits *s = st;
    s->reached = true;
    s->bits = 0;
}

static void mb_bottom(void *ctx, void *st) {
    (void)ctx;
    memset(st, 0, sizeof(tl_must_bits));
}

static void mb_copy(void *ctx, void *dst, const void *src) {
    (void)ctx;
    memcpy(dst, src, sizeof(tl_must_bits));
}

static bool mb_join(void *ctx, void *dstp, const void *srcp) {
    (void)ctx;
    tl_must_bits *d = dstp;
    const tl_must_bits *s = srcp;
    if (!s->reached) return false;
    if (!d->reached) {
        *d = *s;
        return true;
    }
    uint32_t n = d->bits & s->bits; /* on every path */
    bool changed = n != d->bits;
    d->bits = n;
    return changed;
}

static void clear_defined(const solve_ctx *c, tl_must_bits *s, const tl_instr *in) {
    if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < c->f->nvars &&
        c->place_of[in->var] >= 0)
        s->bits &= ~(1u << c->place_of[in->var]);
}

static void mb_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int i) {
    (void)f;
    tl_must_bits *s = st;
    if (s->reached) clear_defined(ctx, s, &b->instrs[i]);
}

static bool mb_edge(void *ctx, void *st, const tl_func *f, const tl_block *b, int s) {
    (void)f;
    const solve_ctx *c = ctx;
    tl_must_bits *x = st;
    if (x->reached && s >= 0 && s < 2) x->bits |= c->edge_set[b->id * 2 + s];
    return true;
}

static const tl_dataflow_ops mb_ops = {
    .state_size = sizeof(tl_must_bits),
    .init_entry = mb_entry,
    .init_bottom = mb_bottom,
    .copy = mb_copy,
    .join = mb_join,
    .transfer = mb_transfer,
    .transfer_edge = mb_edge,
};

void tl_must_bits_solve(const tl_func *f, const int *place_of, const uint32_t *edge_set, tl_must_bits_use_fn use,
                        void *ctx) {
    solve_ctx c = {f, place_of, edge_set};
    tl_dataflow_result r;
    if (tl_dataflow_forward(f, &mb_ops, &c, &r) == 0) {
        tl_must_bits s;
        for (int bi = 0; bi < f->nblocks; bi++) {
            if (!r.reached[bi]) continue;
            tl_dataflow_replay(&r, f, bi, 0, &s);
            for (int i = 0; i < f->blocks[bi].ninstrs && s.reached; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                if (in->kind == TL_I_CALL && s.bits) use(ctx, in, s.bits);
                clear_defined(&c, &s, in);
            }
        }
    }
    tl_dataflow_free(&r);
}

/* The blocks a path from the entry reaches (the dead block after a
 * `break` falling into a join is not one). */
static bool *reached_blocks(const tl_func *f) {
    int n = f->nblocks;
    bool *live = tl_xcalloc((size_t)n + 1, sizeof *live);
    int *stack = tl_xmalloc(((size_t)n + 1) * sizeof *stack), top = 0;
    if (f->entry >= 0 && f->entry < n) live[stack[top++] = f->entry] = true;
    while (top > 0) {
        int b = stack[--top];
        for (int k = 0; k < f->blocks[b].nsucc; k++) {
            int t = f->blocks[b].succ[k];
            if (t >= 0 && t < n && !live[t]) live[stack[top++] = t] = true;
        }
    }
    free(stack);
    return live;
}

void tl_reached_preds(const tl_func *f, int **npred_out, int **pred1_out) {
    int n = f->nblocks;
    int *npred = tl_xcalloc((size_t)n + 1, sizeof *npred), *pred1 = tl_xcalloc((size_t)n + 1, sizeof *pred1);
    bool *live = reached_blocks(f);
    for (int b = 0; b < n; b++)
        for (int k = 0; k < f->blocks[b].nsucc && live[b]; k++) {
            int s = f->blocks[b].succ[k];
            if (s < 0 || s >= n) continue;
            npred[s]++;
            pred1[s] = b;
        }
    free(live);
    *npred_out = npred;
    *pred1_out = pred1;
}

void tl_reached_pred_lists(const tl_func *f, int **start_out, int **preds_out) {
    int n = f->nblocks;
    int *start = tl_xcalloc((size_t)n + 2, sizeof *start);
    bool *live = reached_blocks(f);
    for (int b = 0; b < n; b++)
        for (int k = 0; k < f->blocks[b].nsucc && live[b]; k++) {
            int t = f->blocks[b].succ[k];
            if (t >= 0 && t < n) start[t + 1]++;
        }
    for (int b = 0; b < n; b++) start[b + 1] += start[b];
    int *preds = tl_xmalloc(((size_t)start[n] + 1) * sizeof *preds);
    int *at = tl_xmalloc(((size_t)n + 1) * sizeof *at);
    memcpy(at, start, (size_t)n * sizeof *at);
    for (int b = 0; b < n; b++)
        for (int k = 0; k < f->blocks[b].nsucc && live[b]; k++) {
            int t = f->blocks[b].succ[k];
            if (t >= 0 && t < n) preds[at[t]++] = b;
        }
    free(at);
    free(live);
    *start_out = start;
    *preds_out = preds;
}

int tl_reaching_result(const tl_func *f, int b, int v, const int *npred, const int *pred1) {
    for (int step = 0; step < TL_MUST_WALK_BLOCKS && b >= 0 && b < f->nblocks; step++) {
        const tl_block *blk = &f->blocks[b];
        for (int i = blk->ninstrs - 1; i >= 0; i--) {
            const tl_instr *in = &blk->instrs[i];
            if ((in->kind != TL_I_ASSIGN && in->kind != TL_I_DECL) || in->var != v) continue;
            const tl_expr *e = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
            return e && e->kind == TL_E_CALLRES ? e->call_id : -1;
        }
        if (npred[b] != 1) return -1;
        b = pred1[b];
    }
    return -1;
}
