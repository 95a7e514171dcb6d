/* param_guards.c - the parameters each block's paths have tested (see
 * param_guards.h). */
#include "param_guards.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "branch_facts.h"
#include "dataflow.h"

/* The parameters (< 32) never assigned and whose address is never taken. */
unsigned tl_param_guards_stable(const tl_func *f) {
    int np = f->nparams < 32 ? f->nparams : 32;
    unsigned char *taken = tl_xcalloc((size_t)f->nvars + 1, 1);
    tl_func_addr_taken(f, taken);
    unsigned bad = 0;
    for (int v = 0; v < np && v < f->nvars; v++)
        if (taken[v]) bad |= 1u << v;
    free(taken);
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < np) bad |= 1u << in->var;
        }
    unsigned all = np >= 32 ? ~0u : (1u << np) - 1u;
    return all & ~bad;
}

void tl_param_guards(const tl_func *f, unsigned *nz, unsigned *z) {
    int n = f->nblocks;
    if (n <= 0) return;
    memset(nz, 0, (size_t)n * sizeof *nz);
    memset(z, 0, (size_t)n * sizeof *z);
    unsigned stable = tl_param_guards_stable(f);
    if (!stable || f->entry < 0 || f->entry >= n) return;
    int *order = tl_xmalloc(((size_t)n + 1) * sizeof *order), *pos = tl_xmalloc(((size_t)n + 1) * sizeof *pos);
    int m = tl_dataflow_rpo(f, pos);
    for (int b = 0; b < n && m > 0; b++)
        if (pos[b] >= 0 && pos[b] < m) order[pos[b]] = b;
    free(pos);
    if (m < 0) m = 0;
    /* what each branch tells: per block, the parameter its test names and
       the ON bits of branch_facts.h */
    int *tvar = tl_xmalloc(((size_t)n + 1) * sizeof *tvar);
    unsigned *ton = tl_xcalloc((size_t)n + 1, sizeof *ton);
    bool *known = tl_xcalloc((size_t)n + 1, sizeof *known); /* a state has reached it */
    for (int b = 0; b < n; b++) {
        tvar[b] = -1;
        const tl_block *blk = &f->blocks[b];
        if (blk->term != TL_T_BRANCH || blk->nsucc != 2) continue;
        unsigned on = 0;
        int v = tl_branch_test(blk->cond, &on);
        if (v >= 0 && v < 32 && ((stable >> v) & 1u)) {
            tvar[b] = v;
            ton[b] = on;
        }
    }
    known[f->entry] = true;
    bool changed = true;
    int sweeps = 0;
    for (; changed && sweeps < TL_GUARD_MAX_SWEEPS; sweeps++) {
        changed = false;
        for (int k = 0; k < m; k++) {
            int b = order[k];
            if (!known[b]) continue;
            const tl_block *blk = &f->blocks[b];
            for (int s = 0; s < blk->nsucc; s++) {
                int t = blk->succ[s];
                if (t < 0 || t >= n || t == f->entry) continue;
                unsigned enz = nz[b], ez = z[b];
                if (tvar[b] >= 0 && s < 2) {
                    if (ton[b] & (1u << s)) enz |= 1u << tvar[b];
                    if (ton[b] & (1u << (2 + s))) ez |= 1u << tvar[b];
                }
                if (enz & ez) continue; /* the edge contradicts its path: no state flows */
                if (!known[t]) {
                    known[t] = true;
                    nz[t] = enz;
                    z[t] = ez;
                    changed = true;
                } else if ((nz[t] & enz) != nz[t] || (z[t] & ez) != z[t]) {
                    nz[t] &= enz;
                    z[t] &= ez;
                    changed = true;
                }
            }
        }
    }
    if (changed) { /* not settled: claim nothing */
        memset(nz, 0, (size_t)n * sizeof *nz);
        memset(z, 0, (size_t)n * sizeof *z);
    }
    for (int b = 0; b < n; b++)
        if (!known[b]) nz[b] = z[b] = 0;
    free(order);
    free(tvar);
    free(ton);
    free(known);
}

unsigned tl_guard_through(unsigned callee_mask, const tl_call *call, unsigned stable) {
    unsigned out = 0;
    for (int j = 0; j < call->nargs && j < 32 && (callee_mask >> j); j++) {
        if (!((callee_mask >> j) & 1u)) continue;
        const tl_expr *e = tl_expr_uncast(call->args[j]);
        if (e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < 32 && ((stable >> e->var) & 1u))
            out |= 1u << e->var;
    }
    return out;
}

bool tl_guard_value_cut(bool need_nz, bool need_z, const tl_cval *v) {
    if (need_nz && ((v->kind == TL_CV_INT && v->v == 0) || v->kind == TL_CV_NULL)) return true;
    /* (a non-zero constant stays non-zero converted to any integer parameter
       only when small: 256 is 0 as an unsigned char) */
    return need_z && ((v->kind == TL_CV_INT && v->v != 0 && v->v >= -128 && v->v <= 127) || v->kind == TL_CV_NONNULL);
}

bool tl_guard_cut(unsigned need_nz, unsigned need_z, const tl_cval *argv, int nargs) {
    if (!argv || !(need_nz | need_z)) return false;
    for (int k = 0; k < nargs && k < 32; k++)
        if (tl_guard_value_cut((need_nz >> k) & 1u, (need_z >> k) & 1u, &argv[k])) return true;
    return false;
}
