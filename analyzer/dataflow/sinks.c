/* sinks.c - sink parameters of coroutine entries and the variables a
 * function's spawns share (see sinks.h). */
#include "sinks.h"

#include <stdlib.h>

#include "cycles.h"
#include "../util/xalloc.h"

/* Per variable: assigned more than once, or its address taken (then what
 * it holds at one call is not what it held at another). */
static bool *unstable_vars(const tl_func *f) {
    bool *bad = tl_xcalloc((size_t)f->nvars + 1, sizeof *bad);
    int *defs = tl_xcalloc((size_t)f->nvars + 1, sizeof *defs);
    for (int v = 0; v < f->nvars; v++)
        if (f->vars[v].kind == TL_VAR_PARAM) defs[v] = 1; /* the caller's value */
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars && ++defs[in->var] > 1)
                bad[in->var] = true;
        }
    unsigned char *taken = tl_xcalloc((size_t)f->nvars + 1, 1);
    tl_func_addr_taken(f, taken);
    for (int v = 0; v < f->nvars; v++)
        if (taken[v] || f->vars[v].kind == TL_VAR_GLOBAL || f->vars[v].kind == TL_VAR_STATIC) bad[v] = true;
    free(taken);
    free(defs);
    return bad;
}

/* The variable a call argument names as a whole (`ch`, `(chan)ch`), or -1. */
static int arg_var(const tl_call *c, int k) {
    if (k < 0 || k >= c->nargs) return -1;
    const tl_expr *e = tl_expr_uncast(c->args[k]);
    return e && e->kind == TL_E_VAR ? e->var : -1;
}

/* A receive of a sink: the model's kind_in_endless_loop wait on an object. */
static bool sink_wait(const tl_call_facts *cf) {
    return cf->model && cf->model->wait.present && cf->model->wait.kind_in_endless_loop != TL_WAIT_NONE &&
           cf->model->wait.object_arg >= 0;
}

unsigned tl_sink_params(const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    bool any = false; /* (most functions receive nothing: no cycles to find) */
    for (int id = 0; id < ff->ncalls && !any; id++) any = sink_wait(&ff->calls[id]);
    if (!any) return 0;
    int ncomp = 0;
    int *comp = tl_cycle_components(f, &ncomp);
    if (ncomp == 0) {
        free(comp);
        return 0;
    }
    bool *leaves = tl_cycle_components_left(f, comp, ncomp);
    bool *unstable = unstable_vars(f);
    unsigned *cand = tl_xcalloc((size_t)ncomp + 1, sizeof *cand);
    bool *other = tl_xcalloc((size_t)ncomp + 1, sizeof *other);
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->reached || cf->block < 0 || cf->block >= f->nblocks) continue;
        int k = comp[cf->block];
        if (k < 0 || leaves[k]) continue;
        const tl_call *c = &cf->instr->call;
        if (sink_wait(cf)) {
            int v = arg_var(c, cf->model->wait.object_arg);
            /* a parameter assigned in the function is not the caller's */
            if (v >= 0 && v < f->nparams && v < 32 && f->vars[v].kind == TL_VAR_PARAM && !unstable[v]) {
                cand[k] |= 1u << v;
                continue;
            }
            other[k] = true;
            continue;
        }
        /* anything else in the loop that may wait: another wait, a
           blocking call, code nobody models */
        const tl_fn_model *m = cf->model;
        if ((m && m->wait.present) || tl_call_blocks_in(cf, false) || (!m && !c->callee_system))
            other[k] = true;
    }
    unsigned out = 0;
    /* receiving on two objects in turn, each receive may wait for the
       other's sender: no sink */
    for (int k = 0; k < ncomp; k++)
        if (!other[k] && cand[k] && !(cand[k] & (cand[k] - 1))) out |= cand[k];
    free(other);
    free(cand);
    free(unstable);
    free(leaves);
    free(comp);
    return out;
}

/* Is block b's branch part of the spawn statement at `at`: spelled at the
 * same macro expansion site (go()'s `if (!setjmp(ctx))`, whose other side
 * is the parent resuming after the coroutine first suspends)? */
static bool spawn_branch(const tl_block *b, tl_loc at) {
    return b->term == TL_T_BRANCH && at.file && b->term_loc.file == at.file && b->term_loc.line == at.line &&
           b->term_loc.col == at.col;
}

/* Where the spawn statement of entry call cf is spelled: its spawn call's
 * site (go()'s expansion), else the entry call's. */
static tl_loc spawn_loc(const tl_func_facts *ff, const tl_call_facts *cf) {
    int s = cf->instr->call.spawn_call;
    return s >= 0 && s < ff->ncalls && ff->calls[s].instr ? ff->calls[s].instr->loc : cf->instr->loc;
}

/* The blocks reachable from the entry without passing block `via` (the
 * block of a spawn spelled at `at`, or a branch of that spawn statement),
 * into reach (f->nblocks flags): every path to a block not marked passes
 * the spawn. */
static void reach_avoiding(const tl_func *f, int via, tl_loc at, bool *reach, int *stack) {
    for (int i = 0; i < f->nblocks; i++) reach[i] = false;
    if (f->entry < 0 || f->entry >= f->nblocks || f->entry == via) return;
    int n = 0;
    stack[n++] = f->entry;
    reach[f->entry] = true;
    while (n > 0) {
        int b = stack[--n];
        if (spawn_branch(&f->blocks[b], at)) continue;
        for (int k = 0; k < f->blocks[b].nsucc; k++) {
            int s = f->blocks[b].succ[k];
            if (s < 0 || s >= f->nblocks || reach[s] || s == via) continue;
            reach[s] = true;
            stack[n++] = s;
        }
    }
}

void tl_reach_avoiding_block(const tl_func *f, int via, bool *reach) {
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack);
    reach_avoiding(f, via, (tl_loc){0}, reach, stack); /* (no site: no spawn branch) */
    free(stack);
}

void tl_reach_avoiding_spawn(const tl_analysis *a, int fi, int call_id, bool *reach) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    const tl_call_facts *cf = call_id >= 0 && call_id < ff->ncalls ? &ff->calls[call_id] : NULL;
    if (!cf || !cf->instr) {
        for (int i = 0; i < f->nblocks; i++) reach[i] = true;
        return;
    }
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack);
    reach_avoiding(f, cf->block, spawn_loc(ff, cf), reach, stack);
    free(stack);
}

#define OCC_MAX 8 /* earlier spawns remembered per variable */

int tl_spawn_shares(const tl_analysis *a, int fi, const int *calls, int n, tl_spawn_share *out, int max) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    if (n < 2 || max <= 0) return 0;
    bool *unstable = unstable_vars(f);
    int nb = f->nblocks > 0 ? f->nblocks : 1;
    int *stack = tl_xmalloc(((size_t)nb + 1) * sizeof *stack);
    /* per variable, the first spawns (index in calls, argument) passing it */
    int *occ = tl_xmalloc(((size_t)f->nvars + 1) * OCC_MAX * 2 * sizeof *occ);
    int *nocc = tl_xcalloc((size_t)f->nvars + 1, sizeof *nocc);
    /* the walks, cached per earlier spawn: at most TL_SINK_PAIRS_MAX */
    int *walk_of = tl_xmalloc(((size_t)n + 1) * sizeof *walk_of);
    for (int i = 0; i < n; i++) walk_of[i] = -1;
    bool *reach = tl_xmalloc((size_t)TL_SINK_PAIRS_MAX * (size_t)nb * sizeof *reach);
    int nwalks = 0, nout = 0;
    for (int i = 0; i < n && nout < max; i++) {
        const tl_call_facts *ci = calls[i] >= 0 && calls[i] < ff->ncalls ? &ff->calls[calls[i]] : NULL;
        if (!ci || !ci->instr) continue;
        const tl_call *c = &ci->instr->call;
        for (int j = 0; j < c->nargs; j++) {
            int v = arg_var(c, j);
            if (v < 0 || v >= f->nvars || unstable[v]) continue;
            for (int q = 0; q < nocc[v] && nout < max; q++) {
                int o = occ[(v * OCC_MAX + q) * 2], k = occ[(v * OCC_MAX + q) * 2 + 1];
                const tl_call_facts *co = &ff->calls[calls[o]];
                if (ci->block == co->block) {
                    if (co->instr >= ci->instr) continue; /* the same block: it must come first */
                } else {
                    if (walk_of[o] < 0) {
                        if (nwalks >= TL_SINK_PAIRS_MAX) continue;
                        walk_of[o] = nwalks++;
                        reach_avoiding(f, co->block, spawn_loc(ff, co), reach + (size_t)walk_of[o] * nb, stack);
                    }
                    if (ci->block < 0 || ci->block >= f->nblocks || reach[(size_t)walk_of[o] * nb + ci->block])
                        continue; /* a path to it goes around the earlier spawn */
                }
                out[nout++] = (tl_spawn_share){calls[i], j, calls[o], k};
            }
            if (nocc[v] < OCC_MAX) {
                occ[(v * OCC_MAX + nocc[v]) * 2] = i;
                occ[(v * OCC_MAX + nocc[v]) * 2 + 1] = j;
                nocc[v]++;
            }
        }
    }
    free(reach);
    free(walk_of);
    free(nocc);
    free(occ);
    free(stack);
    free(unstable);
    return nout;
}
