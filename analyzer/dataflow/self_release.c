/* self_release.c - functions that release their own task's handle on every
 * path: a thread entry that detaches itself (`pthread_detach(pthread_self())`,
 * `thrd_detach(thrd_current())`), directly or through a helper it calls.
 *
 * Library knowledge is in the models: a `self_handle` facet says a call
 * returns the calling task's own handle, a `release` facet that a call
 * releases the handle in its `arg`.  A self-release is a release call whose
 * handle argument is a self_handle call's result, or a local every
 * assignment of which is one; a call of a TU function that self-releases
 * counts as one (a helper in another file is not followed: summaries are
 * extracted before the link).  The fact holds when no path from the function's entry reaches
 * its exit or a noreturn end (pthread_exit, exit) without passing a block
 * that holds a self-release, and some path reaches one: a detach on one
 * branch only, or a return before it, leaves the function without the fact,
 * and so does a thread that never ends (a daemon loop) and never detaches.  The summary carries
 * it (tl_func_summary.self_releases) so orphaned-spawn excuses a spawn whose
 * entry function lives in another file.  Callees are decided first with an
 * explicit stack, recursion counting as no self-release: linear in the
 * functions' blocks and calls.
 */
#include <stdlib.h>

#include "analysis.h"
#include "../util/xalloc.h"

static bool is_self_call(const tl_func_facts *ff, int id) {
    if (id < 0 || id >= ff->ncalls) return false;
    const tl_fn_model *m = ff->calls[id].model;
    return m && m->self_handle.present;
}

/* Locals (by index) every assignment of which is a self_handle call's
 * result, with at least one such assignment. */
static bool *self_locals(const tl_func *f, const tl_func_facts *ff) {
    bool *yes = tl_xcalloc((size_t)f->nvars + 1, sizeof *yes), *no = tl_xcalloc((size_t)f->nvars + 1, sizeof *no);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars) continue;
            const tl_expr *v = tl_expr_uncast(in->value);
            if (v && v->kind == TL_E_CALLRES && is_self_call(ff, v->call_id)) yes[in->var] = true;
            else no[in->var] = true;
        }
    for (int k = 0; k < f->nvars; k++)
        if (no[k] || f->vars[k].kind != TL_VAR_LOCAL) yes[k] = false;
    free(no);
    return yes;
}

static bool sr_call(const tl_analysis *a, const unsigned char *st, const tl_func *f, const tl_func_facts *ff,
                    const bool *selfvar, const tl_call *c) {
    if (c->is_spawn_entry) return false;
    const tl_fn_model *m = c->id >= 0 && c->id < ff->ncalls ? ff->calls[c->id].model : NULL;
    if (m && m->release.present && m->release.arg >= 0 && m->release.arg < c->nargs) {
        const tl_expr *h = tl_expr_uncast(c->args[m->release.arg]);
        if (h && h->kind == TL_E_CALLRES && is_self_call(ff, h->call_id)) return true;
        if (h && h->kind == TL_E_VAR && h->var >= 0 && h->var < f->nvars && selfvar[h->var]) return true;
    }
    return c->callee_func >= 0 && c->callee_func < a->tu->nfuncs && st[c->callee_func] == TL_CF_YES;
}

/* Does every path from fi's entry pass a self-release before it ends? */
static bool sr_walk(const tl_analysis *a, const unsigned char *st, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->entry < 0 || f->entry >= f->nblocks) return false;
    bool *selfvar = self_locals(f, ff);
    bool *seen = tl_xcalloc((size_t)f->nblocks + 1, sizeof *seen);
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack), n = 0;
    bool escapes = false, any = false;
    seen[f->entry] = true;
    stack[n++] = f->entry;
    while (n > 0 && !escapes) {
        const tl_block *b = &f->blocks[stack[--n]];
        bool released = false;
        for (int i = 0; i < b->ninstrs && !released; i++)
            released = b->instrs[i].kind == TL_I_CALL && sr_call(a, st, f, ff, selfvar, &b->instrs[i].call);
        if (released) {
            any = true;
            continue;
        }
        if (b->term == TL_T_EXIT || b->term == TL_T_NORETURN) {
            escapes = true;
            break;
        }
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t >= 0 && t < f->nblocks && !seen[t]) {
                seen[t] = true;
                stack[n++] = t;
            }
        }
    }
    free(selfvar);
    free(seen);
    free(stack);
    return any && !escapes; /* a function that never ends releases nothing */
}

bool *tl_analysis_self_releases(const tl_analysis *a) {
    return tl_analysis_callees_first(a, sr_walk);
}
