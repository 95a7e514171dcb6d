/* must_post.c - the counting objects a function posts on every path (see
 * must_post.h).
 *
 * First pass: the function's post calls, each resolved to an object (a
 * parameter's pointee or a file-scope variable), and the blocks ending in a
 * thread-only noreturn call.  Then per object one depth-first search from
 * the entry that does not enter a block posting it: reaching the exit, a
 * thread-ending block or a block on a cycle means some path returns (or may
 * spin for ever) without the post.
 */
#include "must_post.h"

#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "must_held.h"
#include "../util/xalloc.h"

/* Per variable: the parameter it stands for (itself, or a local assigned
 * exactly once from an unreassigned parameter), else -1. */
static int *param_of_vars(const tl_func *f) {
    int nv = f->nvars;
    int *param = tl_xmalloc(((size_t)nv + 1) * sizeof *param);
    unsigned char *nassign = tl_xcalloc((size_t)nv + 1, 1);
    int *src = tl_xmalloc(((size_t)nv + 1) * sizeof *src);
    for (int v = 0; v < nv; v++) src[v] = -1;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= nv) continue;
            if (nassign[in->var] < 2) nassign[in->var]++;
            const tl_expr *e = tl_expr_uncast(in->value);
            src[in->var] = e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nparams ? e->var : -1;
        }
    for (int v = 0; v < nv; v++) {
        param[v] = -1;
        if (v < f->nparams && f->vars[v].kind == TL_VAR_PARAM && nassign[v] == 0)
            param[v] = v;
        else if (f->vars[v].kind == TL_VAR_LOCAL && nassign[v] == 1 && src[v] >= 0 && nassign[src[v]] == 0)
            param[v] = src[v];
    }
    free(nassign);
    free(src);
    return param;
}

/* Per block: the parameters (bit k, k < 32) some path from the entry may
 * have assigned before the block starts (`arg = NULL;` after the post is
 * harmless).  A forward may-analysis on a worklist: a block's set only
 * grows, 32 bits at most, so the cost is linear in the CFG. */
static unsigned *params_assigned_before(const tl_func *f) {
    int nb = f->nblocks;
    unsigned *in = tl_xcalloc((size_t)nb + 1, sizeof *in);
    unsigned *gen = tl_xcalloc((size_t)nb + 1, sizeof *gen);
    int *work = tl_xmalloc(((size_t)nb + 1) * sizeof *work);
    bool *queued = tl_xcalloc((size_t)nb + 1, sizeof *queued);
    int top = 0;
    for (int b = 0; b < nb; b++) {
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in_ = &f->blocks[b].instrs[i];
            if (in_->kind == TL_I_ASSIGN && in_->var >= 0 && in_->var < f->nparams && in_->var < 32)
                gen[b] |= 1u << in_->var;
        }
        if (gen[b]) work[top++] = b, queued[b] = true;
    }
    while (top > 0) {
        int b = work[--top];
        queued[b] = false;
        unsigned out = in[b] | gen[b];
        for (int s = 0; s < f->blocks[b].nsucc; s++) {
            int n = f->blocks[b].succ[s];
            if (n < 0 || n >= nb || (in[n] | out) == in[n]) continue;
            in[n] |= out;
            if (!queued[n]) work[top++] = n, queued[n] = true;
        }
    }
    free(gen);
    free(work);
    free(queued);
    return in;
}

/* Whether parameter p still holds what the caller passed at instruction
 * `at` of block b. */
static bool param_intact(const tl_func *f, const unsigned *before, int p, int b, int at) {
    if (p >= 32 || (before[b] & (1u << p))) return false;
    for (int i = 0; i < at && i < f->blocks[b].ninstrs; i++) {
        const tl_instr *in = &f->blocks[b].instrs[i];
        if (in->kind == TL_I_ASSIGN && in->var == p) return false;
    }
    return true;
}

/* One post: the object (a parameter index, or a global's USR) and where. */
typedef struct {
    int param;
    const char *global;
    const char *field;  /* with param: the post is of this field (USR) of what it points to */
    int block, index;
    unsigned held;  /* global: the mutexes held there on every path (bits of must_held) */
} post_site;

static bool same_object(const post_site *a, int param, const char *global, const char *field) {
    if (global) return a->global && strcmp(a->global, global) == 0;
    return a->param == param && (field ? a->field && strcmp(a->field, field) == 0 : !a->field);
}

/* Whether every returning path from the entry goes through a block marked
 * `stamp` in avoid (and none loops before it).  stack: f->nblocks ints,
 * seen: f->nblocks stamps. */
static bool posted_on_every_path(const tl_func *f, const int *avoid, int stamp, const bool *cyclic,
                                 const bool *thread_end, int *stack, int *seen) {
    int top = 0;
    if (f->entry < 0 || f->entry >= f->nblocks) return false;
    stack[top++] = f->entry;
    seen[f->entry] = stamp;
    while (top > 0) {
        int b = stack[--top];
        if (avoid[b] == stamp) continue; /* posted here */
        if (b == f->exit || cyclic[b] || thread_end[b]) return false;
        const tl_block *bl = &f->blocks[b];
        if (bl->term == TL_T_EXIT) return false;
        for (int s = 0; s < bl->nsucc; s++) {
            int n = bl->succ[s];
            if (n < 0 || n >= f->nblocks || seen[n] == stamp) continue;
            seen[n] = stamp;
            stack[top++] = n;
        }
    }
    return true;
}

/* What a must_held bit names across the function's boundary: a file-scope
 * mutex (*param = -1; its USR) or a field of what a parameter points to
 * (*param; the field's USR); NULL for anything else.  pmap: param_of_vars. */
static const char *mutex_owner(const tl_func *f, const tl_must_held *h, const int *pmap, int bit, int *param) {
    tl_mutex_name n = h->name[bit];
    int v = n.key / 2;
    *param = -1;
    if (v < 0 || v >= f->nvars) return NULL;
    if (n.field) {
        if (n.key & 1 || pmap[v] < 0 || pmap[v] >= 32) return NULL;
        *param = pmap[v];
        return n.field;
    }
    return n.key & 1 && f->vars[v].kind == TL_VAR_GLOBAL ? f->vars[v].usr : NULL;
}

/* The (object, mutex) pairs the function signals while holding the mutex on
 * every returning path: a file-scope object under a file-scope mutex, or a
 * field of what a parameter points to under another field of it.  stamp
 * continues the callers' numbering of avoid/seen. */
static void locked_posts(const tl_analysis *a, int fi, post_site *sites, int nsites, int *avoid, int *stamp,
                         const bool *cyclic, const bool *thread_end, int *stack, int *seen, tl_must_posts *out) {
    const tl_func *f = &a->tu->funcs[fi];
    bool any = false;
    for (int i = 0; i < nsites && !any; i++) any = sites[i].global || sites[i].field;
    if (!any) return;
    tl_must_held h;
    tl_must_held_compute(a, fi, &h);
    int *pmap = param_of_vars(f);
    const char *owner[TL_MH_MAX];
    int owner_param[TL_MH_MAX];
    for (int k = 0; k < h.nmutex; k++) owner[k] = mutex_owner(f, &h, pmap, k, &owner_param[k]);
    for (int i = 0; i < nsites; i++) {
        sites[i].held = 0;
        if (!sites[i].global && !sites[i].field) continue;
        unsigned held = tl_must_held_at(&h, sites[i].block, sites[i].index);
        for (int k = 0; k < h.nmutex; k++)
            if ((held & (1u << k)) && owner[k] && owner_param[k] == (sites[i].global ? -1 : sites[i].param))
                sites[i].held |= 1u << k;
    }
    int tried = 0;
    for (int i = 0; i < nsites && out->nlocked < TL_MP_MAX; i++) {
        for (int k = 0; k < h.nmutex && (sites[i].held >> k); k++) {
            if (!(sites[i].held & (1u << k))) continue;
            bool first = true; /* the pair's first site */
            for (int j = 0; j < i && first; j++)
                if (same_object(&sites[j], sites[i].param, sites[i].global, sites[i].field) &&
                    (sites[j].held & (1u << k)))
                    first = false;
            if (!first || ++tried > TL_MP_MAX) continue;
            int st = ++*stamp;
            for (int j = i; j < nsites; j++)
                if (same_object(&sites[j], sites[i].param, sites[i].global, sites[i].field) &&
                    (sites[j].held & (1u << k)))
                    avoid[sites[j].block] = st;
            if (!posted_on_every_path(f, avoid, st, cyclic, thread_end, stack, seen)) continue;
            out->locked[out->nlocked].param = sites[i].global ? -1 : sites[i].param;
            out->locked[out->nlocked].object = sites[i].global ? sites[i].global : sites[i].field;
            out->locked[out->nlocked++].mutex = owner[k];
            if (out->nlocked == TL_MP_MAX) break;
        }
    }
    free(pmap);
    tl_must_held_free(&h);
}

void tl_must_posts_compute(const tl_analysis *a, int fi, tl_must_posts *out) {
    memset(out, 0, sizeof *out);
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    post_site sites[4 * TL_MP_MAX];
    int nsites = 0;
    int *param = NULL;
    unsigned *before = NULL;
    for (int id = 0; id < ff->ncalls && nsites < 4 * TL_MP_MAX; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->reached || !cf->model || !cf->model->post.present) continue;
        const tl_call *c = &cf->instr->call;
        if (cf->model->post.arg < 0 || cf->model->post.arg >= c->nargs) continue;
        const tl_expr *e = tl_expr_uncast(c->args[cf->model->post.arg]);
        post_site s = {-1, NULL, NULL, cf->block, cf->index, 0};
        if (e && e->kind == TL_E_ADDR && e->nkids == 1) {
            const tl_expr *g = tl_expr_uncast(e->kids[0]);
            if (g && g->kind == TL_E_VAR && g->var >= 0 && g->var < f->nvars &&
                f->vars[g->var].kind == TL_VAR_GLOBAL && f->vars[g->var].usr)
                s.global = f->vars[g->var].usr;
            /* a field of what a parameter points to (`&ctx->cond`, ctx = arg) */
            const tl_expr *x = g && g->kind == TL_E_MEMBER && g->arrow && g->nkids == 1 && g->usr
                                   ? tl_expr_uncast(g->kids[0]) : NULL;
            if (x && x->kind == TL_E_VAR && x->var >= 0 && x->var < f->nvars) {
                if (!param) param = param_of_vars(f);
                if (param[x->var] >= 0 && param[x->var] < 32) s.param = param[x->var], s.field = g->usr;
            }
        } else if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars) {
            if (!param) param = param_of_vars(f);
            if (param[e->var] >= 0 && param[e->var] < 32) s.param = param[e->var];
            else if (e->var < f->nparams && e->var < 32 && f->vars[e->var].kind == TL_VAR_PARAM) {
                /* assigned somewhere, but not before the post */
                if (!before) before = params_assigned_before(f);
                if (param_intact(f, before, e->var, cf->block, cf->index)) s.param = e->var;
            }
        }
        if ((s.global || s.param >= 0) && s.block >= 0 && s.block < f->nblocks) sites[nsites++] = s;
    }
    free(param);
    free(before);
    if (nsites == 0) return;

    bool *thread_end = tl_xcalloc((size_t)f->nblocks + 1, sizeof *thread_end);
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (cf->instr && cf->model && cf->model->noreturn_thread && cf->block >= 0 && cf->block < f->nblocks &&
            f->blocks[cf->block].term == TL_T_NORETURN)
            thread_end[cf->block] = true;
    }
    bool *cyclic = tl_blocks_on_cycles(f);
    int *avoid = tl_xcalloc((size_t)f->nblocks + 1, sizeof *avoid);
    int *seen = tl_xcalloc((size_t)f->nblocks + 1, sizeof *seen);
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack);
    int nobjects = 0;
    for (int i = 0; i < nsites && nobjects < TL_MP_MAX; i++) {
        if (sites[i].field) continue; /* a field's post: only under a lock (locked_posts) */
        bool first = true;
        for (int j = 0; j < i && first; j++)
            if (same_object(&sites[j], sites[i].param, sites[i].global, NULL)) first = false;
        if (!first) continue;
        int stamp = ++nobjects;
        for (int j = i; j < nsites; j++)
            if (same_object(&sites[j], sites[i].param, sites[i].global, NULL)) avoid[sites[j].block] = stamp;
        if (!posted_on_every_path(f, avoid, stamp, cyclic, thread_end, stack, seen)) continue;
        if (sites[i].global) out->globals[out->nglobals++] = sites[i].global;
        else out->params |= 1u << sites[i].param;
    }
    locked_posts(a, fi, sites, nsites, avoid, &nobjects, cyclic, thread_end, stack, seen, out);
    free(thread_end);
    free(cyclic);
    free(avoid);
    free(seen);
    free(stack);
}
