/* must_bits.c - pieces the small "known on every path" passes share
 * (must_bits.h). */
#include "must_bits.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

void tl_must_bits_entry(void *ctx, void *st) {
    (void)ctx;
    tl_must_bits *s = st;
    s->reached = true;
    s->bits = 0;
}

void tl_must_bits_bottom(void *ctx, void *st) {
    (void)ctx;
    memset(st, 0, sizeof(tl_must_bits));
}

void tl_must_bits_copy(void *ctx, void *dst, const void *src) {
    (void)ctx;
    memcpy(dst, src, sizeof(tl_must_bits));
}

bool tl_must_bits_join(void *ctx, void *dstp, const void *srcp) {
    (void)ctx;
    tl_must_bits *d = dstp;
    const tl_must_bits *s = srcp;
    if (!s->reached) return false;
    if (!d->reached) {
        *d = *s;
        return true;
    }
    uint32_t n = d->bits & s->bits;
    bool changed = n != d->bits;
    d->bits = n;
    return changed;
}

void tl_reached_preds(const tl_func *f, int **npred_out, int **pred1_out) {
    int n = f->nblocks;
    int *npred = tl_xcalloc((size_t)n + 1, sizeof *npred), *pred1 = tl_xcalloc((size_t)n + 1, sizeof *pred1);
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
    for (int b = 0; b < n; b++)
        for (int k = 0; k < f->blocks[b].nsucc && live[b]; k++) {
            int s = f->blocks[b].succ[k];
            if (s < 0 || s >= n) continue;
            npred[s]++;
            pred1[s] = b;
        }
    free(stack);
    free(live);
    *npred_out = npred;
    *pred1_out = pred1;
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
