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

/* Does every path from the entry to block `to` pass block `via` (the block
 * of a spawn spelled at `at`, or a branch of that spawn statement)? */
static bool passes_through(const tl_func *f, int via, tl_loc at, int to, int *stack, bool *seen) {
    if (via == to) return true;
    for (int i = 0; i < f->nblocks; i++) seen[i] = false;
    int n = 0;
    if (f->entry < 0 || f->entry >= f->nblocks || f->entry == via) return true;
    stack[n++] = f->entry;
    seen[f->entry] = true;
    while (n > 0) {
        int b = stack[--n];
        if (b == to) return false;
        if (spawn_branch(&f->blocks[b], at)) continue;
        for (int k = 0; k < f->blocks[b].nsucc; k++) {
            int s = f->blocks[b].succ[k];
            if (s < 0 || s >= f->nblocks || seen[s] || s == via) continue;
            seen[s] = true;
            stack[n++] = s;
        }
    }
    return true;
}

int tl_spawn_shares(const tl_analysis *a, int fi, const int *calls, int n, tl_spawn_share *out, int max) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    if (n < 2 || max <= 0) return 0;
    bool *unstable = unstable_vars(f);
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack);
    bool *seen = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *seen);
    /* pairs examined and walks made are capped: linear in the function
       however many spawns it makes */
    long examined = 0;
    int nout = 0, walks = 0;
    for (int i = 0; i < n && nout < max; i++) {
        const tl_call_facts *ci = calls[i] >= 0 && calls[i] < ff->ncalls ? &ff->calls[calls[i]] : NULL;
        if (!ci || !ci->instr) continue;
        const tl_call *c = &ci->instr->call;
        for (int j = 0; j < c->nargs && nout < max; j++) {
            int v = arg_var(c, j);
            if (v < 0 || v >= f->nvars || unstable[v]) continue;
            for (int o = 0; o < n && nout < max; o++) {
                if (++examined > TL_SINK_EXAMINE_MAX || walks >= TL_SINK_PAIRS_MAX) goto done;
                const tl_call_facts *co = o != i && calls[o] >= 0 && calls[o] < ff->ncalls ? &ff->calls[calls[o]] : NULL;
                if (!co || !co->instr) continue;
                const tl_call *d = &co->instr->call;
                int k;
                for (k = 0; k < d->nargs && arg_var(d, k) != v; k++) {}
                if (k == d->nargs) continue;
                walks++;
                if (ci->block == co->block) {
                    /* the same block: the one that comes first */
                    if (co->instr >= ci->instr) continue;
                } else if (!passes_through(f, co->block, spawn_loc(ff, co), ci->block, stack, seen)) {
                    continue;
                }
                out[nout++] = (tl_spawn_share){calls[i], j, calls[o], k};
            }
        }
    }
done:
    free(seen);
    free(stack);
    free(unstable);
    return nout;
}
