/* unawaited_loops.c - unawaited-task's loops (see unawaited_task.c).
 *
 * A loop is taken to run at least once: on an exit edge of its condition
 * (the header's test, or a later test of an `&&` chain after it), the bits
 * the body clears (an await on the object, any cooperative call) are
 * cleared unless the body also restarts or reassigns the object; and, after
 * a first solve, an object no back edge brings round pending (each pass
 * reaps what it started) is cleared too, unless the body prepares a
 * multishot operation (one reap does not end it).  Summaries are made on
 * first use and cost the size of the loop's body; the refinement replays
 * each back edge's source block once.
 */
#include <stdlib.h>

#include "ownership.h"
#include "unawaited_task_internal.h"
#include "../analyzer/util/xalloc.h"

static bool sorted_has(const int *v, int n, int x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] == x)
            return true;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void add_var(int **list, int *n, int *cap, int v)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *list = tl_xrealloc(*list, (size_t)*cap * sizeof **list);
    }
    (*list)[(*n)++] = v;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Sort and drop duplicates. */
static void sort_unique(int *v, int *n)
{
    if (*n > 1)
        qsort(v, (size_t)*n, sizeof *v, cmp_int);
    int k = 0;
    for (int i = 0; i < *n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    *n = k;
}

/* Blocks of a loop condition `a && b && c` after the header, at most this
 * many (a constant: the walks stay linear). */
#define UT_CHAIN_MAX 16

/* The next block of a condition chain after x: x's successor on the edge
 * that stays in the loop (1 - exit_s) when that block is a branch reached
 * only from x whose exit edge exit_s goes to the same block `after`; -1 if
 * none. */
static int chain_next(const tl_func *f, int x, int exit_s, int after)
{
    const tl_block *xb = &f->blocks[x];
    if (xb->term != TL_T_BRANCH || xb->nsucc != 2)
        return -1;
    int y = xb->succ[1 - exit_s];
    if (y < 0 || y >= f->nblocks || y == x)
        return -1;
    const tl_block *yb = &f->blocks[y];
    if (yb->term != TL_T_BRANCH || yb->nsucc != 2 || yb->npred != 1 || yb->succ[exit_s] != after)
        return -1;
    return y;
}

/* Summarise the natural loop of the back edges into block h (those from
 * blocks at or after h in reverse postorder): its body is h and every block
 * that reaches a back edge's source without passing h.  Costs the size of
 * the body. */
static void summarise_loop(ut_ctx *c, int h)
{
    const tl_func *f = c->f;
    ut_loop *l = &c->loops[h];
    l->done = true;
    const tl_block *hb = &f->blocks[h];
    if (c->rpo[h] < 0 || hb->term != TL_T_BRANCH || hb->nsucc != 2)
        return;
    int stamp = h + 1, nw = 0, nbody = 0;
    c->body_stamp[h] = stamp;
    int *body = c->walk; /* body blocks fill walk[] from the front as they are found */
    body[nbody++] = h;
    bool loop = false;
    for (int p = 0; p < hb->npred; p++) {
        int t = hb->pred[p];
        if (c->rpo[t] < 0 || c->rpo[t] < c->rpo[h])
            continue;
        loop = true;
        if (c->body_stamp[t] != stamp) {
            c->body_stamp[t] = stamp;
            body[nbody++] = t;
        }
    }
    if (!loop)
        return;
    for (nw = 1; nw < nbody; nw++) { /* body[] doubles as the walk's queue */
        const tl_block *x = &f->blocks[body[nw]];
        for (int p = 0; p < x->npred; p++)
            if (c->body_stamp[x->pred[p]] != stamp) {
                c->body_stamp[x->pred[p]] = stamp;
                body[nbody++] = x->pred[p];
            }
    }
    bool in0 = c->body_stamp[hb->succ[0]] == stamp, in1 = c->body_stamp[hb->succ[1]] == stamp;
    if (in0 && in1)
        return; /* no exit edge at the header */
    int capset = 0, capaw = 0;
    for (int k = 0; k < nbody; k++) {
        const tl_block *b = &f->blocks[body[k]];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 &&
                in->var < c->nvars && c->tracked[in->var])
                add_var(&l->setv, &l->nsetv, &capset, in->var);
            if (in->kind != TL_I_CALL)
                continue;
            const tl_fn_model *m = tl_own_model(c->a, c->fi, in->call.id);
            if (!m)
                continue;
            l->coop = l->coop || m->cooperative;
            l->multishot = l->multishot || (m->prepare.present && m->prepare.multishot);
            int v;
            if (m->await.present && !m->reap.observes &&
                (v = tl_ut_obj_var(c, &in->call, m->await.arg)) >= 0 && c->tracked[v])
                add_var(&l->awv, &l->nawv, &capaw, v);
            if (m->start.present && (v = tl_ut_obj_var(c, &in->call, m->start.arg)) >= 0 && c->tracked[v])
                add_var(&l->setv, &l->nsetv, &capset, v);
            if (m->spawn.present && tl_own_spawn_has_owner(c->a, c->fi, &in->call, m) &&
                (v = tl_ut_obj_var(c, &in->call, m->spawn.owner_arg)) >= 0 && c->tracked[v])
                add_var(&l->setv, &l->nsetv, &capset, v);
        }
    }
    /* the condition blocks: the header and the `&&` chain after it (each
       reached only by the previous one's true edge, sharing its exit) */
    int capcond = 0, exit_s = in0 ? 1 : 0;
    for (int x = h, k = 0; x >= 0 && k < UT_CHAIN_MAX; k++) {
        const tl_block *xb = &f->blocks[x];
        for (int i = 0; i < xb->ninstrs; i++) {
            const tl_instr *in = &xb->instrs[i];
            int v = -1;
            const tl_fn_model *m;
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 &&
                in->var < c->nvars)
                v = in->var;
            else if (in->kind == TL_I_CALL && (m = tl_own_model(c->a, c->fi, in->call.id)) &&
                     m->start.present)
                v = tl_ut_obj_var(c, &in->call, m->start.arg);
            if (v >= 0 && c->tracked[v])
                add_var(&l->condv, &l->ncondv, &capcond, v);
        }
        x = chain_next(f, x, exit_s, hb->succ[exit_s]);
    }
    sort_unique(l->setv, &l->nsetv);
    sort_unique(l->awv, &l->nawv);
    sort_unique(l->condv, &l->ncondv);
    l->exits = true;
    l->exit_succ[0] = !in0;
    l->exit_succ[1] = !in1;
}

/* Bits the loop at c->loops[h] clears from v on its exit edges.  The loop
 * is taken to run at least once, so what leaves it is what came round: v is
 * clear when the body awaits it and never restarts it, or (after a first
 * solve) when no back edge brings v's work round and the condition does
 * not start it either (`while (completed < submitted) { ... submit a
 * cancel; peek; ... }`: every pass reaps what it started) - unless the body
 * prepares a multishot operation, which one reap does not end. */
uint64_t tl_ut_loop_clear_mask(void *ctx, int v)
{
    const ut_loop *l = ctx;
    if (l->refined && !l->multishot && !sorted_has(l->backv, l->nbackv, v) &&
        !sorted_has(l->condv, l->ncondv, v))
        return ~(uint64_t)0;
    if (sorted_has(l->setv, l->nsetv, v))
        return 0;
    return (l->coop ? UT_ANY : 0) | (sorted_has(l->awv, l->nawv, v) ? UT_ANY | UT_STRICT : 0);
}

/* The loop header whose condition's exit edge b -> succ[s] is: b itself, or
 * the header of the `&&` chain b ends (`while (!done && count != 1)`: the
 * second test's exit leaves the loop as the first's does); -1 if none. */
int tl_ut_exit_header(ut_ctx *c, const tl_block *b, int s)
{
    const tl_func *f = c->f;
    int x = b->id;
    for (int k = 0; k < UT_CHAIN_MAX; k++) {
        const tl_block *xb = &f->blocks[x];
        if (xb->term != TL_T_BRANCH || xb->nsucc != 2 || xb->succ[s] != b->succ[s])
            return -1;
        ut_loop *l = &c->loops[x];
        if (!l->done)
            summarise_loop(c, x);
        if (l->exits)
            return l->exit_succ[s] ? x : -1;
        if (xb->npred != 1)
            return -1;
        x = xb->pred[0];
        if (chain_next(f, x, s, b->succ[s]) != xb->id)
            return -1;
    }
    return -1;
}

/* After a first solve: for each loop whose exit edges were taken, the
 * variables pending on some back edge into its header (tl_ut_loop_clear_mask).
 * True when that lets an exit clear something the first solve kept: a
 * variable pending where the header is entered but on no back edge.  Costs
 * one replay of each back edge's source block. */
bool tl_ut_refine_loops(ut_ctx *c, const tl_dataflow_result *r)
{
    const tl_func *f = c->f;
    bool useful = false;
    ut_state st;
    for (int h = 0; h < f->nblocks; h++) {
        ut_loop *l = &c->loops[h];
        if (!l->done || !l->exits || !r->reached[h])
            continue;
        const tl_block *hb = &f->blocks[h];
        int cap = 0;
        for (int p = 0; p < hb->npred; p++) {
            int t = hb->pred[p];
            if (c->rpo[t] < 0 || c->rpo[t] < c->rpo[h] || !r->reached[t])
                continue; /* not a back edge */
            const tl_block *tb = &f->blocks[t];
            for (int s = 0; s < tb->nsucc; s++) {
                if (tb->succ[s] != h)
                    continue;
                tl_ut_bottom(c, &st);
                tl_ut_copy(c, &st, tl_dataflow_in(r, t));
                tl_ut_transfer_block(c, &st, f, tb);
                if (tl_ut_edge(c, &st, f, tb, s))
                    for (int k = 0; k < st.vars.n; k++)
                        add_var(&l->backv, &l->nbackv, &cap, st.vars.e[k].key);
                tl_ut_destroy(c, &st);
            }
        }
        sort_unique(l->backv, &l->nbackv);
        l->refined = true;
        const ut_state *in = tl_dataflow_in(r, h);
        for (int k = 0; k < in->vars.n && !useful; k++) {
            int v = in->vars.e[k].key;
            useful = !sorted_has(l->backv, l->nbackv, v) && !sorted_has(l->condv, l->ncondv, v);
        }
    }
    return useful;
}

void tl_ut_loops_free(ut_ctx *c)
{
    for (int b = 0; b < c->f->nblocks; b++) {
        free(c->loops[b].setv);
        free(c->loops[b].awv);
        free(c->loops[b].condv);
        free(c->loops[b].backv);
    }
    free(c->loops);
}
