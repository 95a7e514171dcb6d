/* fork_branch.c - the calls a fork's child runs, not its parent.
 *
 * A spawn whose model says `child_if_zero` (fork, forkpty) returns twice:
 * 0 in a new child process, a positive pid (or -1) in the caller.  The
 * child's branch - the successor of a branch or switch saying the result is
 * 0 (`pid == 0`, `!pid`, `case 0:`, on the result or on a variable assigned
 * once from it; tl_own_edge_relation, shared with rules/fork_child.c) - runs
 * in the other process: a blocking call there stalls the child, never the
 * caller's thread or its event loop.  Unless the model also says
 * `parent_waits_child` (vfork: the parent is suspended until the child
 * _exits or execs, so the child's work holds the parent's thread).
 *
 * The child's blocks are those every path from the entry reaches through a
 * child edge: one walk from the entry that never takes a child edge marks
 * what the parent (or code before and after the fork) may run; the reachable
 * blocks it does not mark are the child's.  A join after the child's branch
 * (a child that falls through) is reached by the parent's edge too, so it
 * stays the parent's; a block reached only through child edges of several
 * forks is a child's of one of them.  No dominator tree: linear in the
 * blocks, edges and branch conditions, once per function that has such a
 * call (most have none and cost one scan of their calls).
 *
 * tl_fork_child_of answers the same for calls that may turn out to be forks
 * at link time (unmodelled: a project's wrapper around fork in another
 * file): the walk from the entry takes none of their 0-edges; each block it
 * does not reach gets the set of calls whose 0-edge every path to it took
 * (a must-set: sets flow from each 0-edge into an unreached block and along
 * the edges between unreached blocks, a 0-edge on the way adds its call,
 * joins intersect).  A block is in the child when one of them turns out to
 * return a fork's result: after `if (busy()) return;` (busy() == 0) the
 * fork wrapper's branch has {busy, wrapper}; a 0-test nested in the child's
 * branch (`if ((pid = my_fork()) == 0) { if (save() == OK) ... }`, OK
 * being 0) adds save() without losing my_fork().  At most
 * TL_FORK_CANDIDATES calls per set (a full set keeps the outer tests: fewer
 * candidates only report more); a set only shrinks once first set, so each
 * block is queued at most TL_FORK_CANDIDATES + 1 times: linear too.
 *
 * The flag is read where a call's blocking is decided (tl_call_blocks_in,
 * the TU's blocking summaries, the program summaries' calls), never by
 * missing-timeout: a wait forever in the child still hangs the child.
 */
#include "fork_branch.h"

#include <stdlib.h>

#include "../../rules/ownership.h"
#include "../util/xalloc.h"

typedef struct {
    const tl_func *f;
    int *holds; /* per variable: the call whose result it holds (-1 none, -2 several) */
} fb_ctx;

static int var_holds(void *ctx, int var)
{
    const fb_ctx *c = ctx;
    if (var < 0 || var >= c->f->nvars)
        return -1;
    return c->holds[var] >= 0 ? c->holds[var] : -1;
}

/* Which calls' 0-edges are cut: forks by their model (the parent goes on:
 * fork), forks whose parent waits for the child (vfork), or (for the
 * summaries) unmodelled calls that may be wrappers of a fork. */
typedef enum { CUT_FORK, CUT_WAITED_FORK, CUT_UNMODELLED } cut_kind;

static bool is_cut_call(const tl_call_facts *cf, cut_kind kind)
{
    const tl_fn_model *m = cf->model;
    if (!cf->instr)
        return false;
    if (kind == CUT_UNMODELLED)
        return !m && !cf->instr->call.is_spawn_entry;
    return m && m->spawn.present && m->spawn.child_if_zero && m->spawn.parent_waits_child == (kind == CUT_WAITED_FORK);
}

/* The call whose result is 0 on edge s of block b, if it is a cut call; -1. */
static int zero_edge(fb_ctx *c, const tl_func_facts *ff, const tl_block *b, int s, cut_kind kind)
{
    if (b->term != TL_T_BRANCH && b->term != TL_T_SWITCH)
        return -1;
    if (b->term == TL_T_SWITCH && s == b->nsucc - 1)
        return -1; /* the default */
    int op;
    int64_t k;
    int id = tl_own_edge_relation(b, s, var_holds, c, &op, &k);
    return id >= 0 && id < ff->ncalls && op == TL_REL_EQ && k == 0 && is_cut_call(&ff->calls[id], kind)
               ? id
               : -1;
}

static void holds_init(fb_ctx *c, const tl_func *f)
{
    c->f = f;
    c->holds = tl_xmalloc(((size_t)f->nvars + 1) * sizeof(int));
    for (int v = 0; v < f->nvars; v++)
        c->holds[v] = -1;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars)
                continue;
            const tl_expr *v = tl_expr_uncast(in->value);
            int *h = &c->holds[in->var];
            *h = *h == -1 && v && v->kind == TL_E_CALLRES ? v->call_id : -2;
        }
}

/* What runs without taking a cut 0-edge (a malloc'd flag per block): each
 * block queued once. */
static bool *parent_blocks(fb_ctx *c, const tl_func *f, const tl_func_facts *ff, cut_kind kind)
{
    int n = f->nblocks;
    bool *parent = tl_xcalloc((size_t)n + 1, sizeof *parent);
    int *queue = tl_xmalloc(((size_t)n + 1) * sizeof *queue), tail = 0;
    parent[f->entry] = true;
    queue[tail++] = f->entry;
    for (int head = 0; head < tail; head++) {
        const tl_block *b = &f->blocks[queue[head]];
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t < 0 || t >= n || parent[t] || zero_edge(c, ff, b, s, kind) >= 0)
                continue;
            parent[t] = true;
            queue[tail++] = t;
        }
    }
    free(queue);
    return parent;
}

/* Marks the calls only a child of a kind's forks runs (in_fork_child, or
 * in_waited_child for a vfork's). */
static void mark_children(const tl_func *f, tl_func_facts *ff, cut_kind kind)
{
    bool any = false;
    for (int id = 0; id < ff->ncalls && !any; id++)
        any = is_cut_call(&ff->calls[id], kind);
    int n = f->nblocks;
    if (!any || n <= 0 || f->entry < 0 || f->entry >= n)
        return;
    fb_ctx c;
    holds_init(&c, f);
    bool *parent = parent_blocks(&c, f, ff, kind);
    for (int id = 0; id < ff->ncalls; id++) {
        tl_call_facts *cf = &ff->calls[id];
        bool child = cf->instr && cf->reached && cf->block >= 0 && cf->block < n && !parent[cf->block];
        if (kind == CUT_FORK)
            cf->in_fork_child = child;
        else
            cf->in_waited_child = child;
    }
    free(parent);
    free(c.holds);
}

void tl_mark_fork_child_calls(const tl_func *f, tl_func_facts *ff)
{
    mark_children(f, ff, CUT_FORK);
    mark_children(f, ff, CUT_WAITED_FORK);
}

/* A set of candidate calls (ids, ascending), at most TL_FORK_CANDIDATES. */
typedef struct {
    int n;
    int id[TL_FORK_CANDIDATES];
} cset;

/* s plus id; a full set stays as it is (keeps the outer tests) */
static cset cset_add(cset s, int id)
{
    if (id < 0 || s.n == TL_FORK_CANDIDATES)
        return s;
    int i = s.n;
    for (int k = 0; k < s.n; k++)
        if (s.id[k] == id)
            return s;
    while (i > 0 && s.id[i - 1] > id) {
        s.id[i] = s.id[i - 1];
        i--;
    }
    s.id[i] = id;
    s.n++;
    return s;
}

/* *into = *into ∩ v (v itself when into was not set yet); true if it changed */
static bool cset_meet(cset *into, bool *set, const cset *v)
{
    if (!*set) {
        *into = *v;
        *set = true;
        return true;
    }
    int n = 0;
    for (int k = 0; k < into->n; k++)
        for (int j = 0; j < v->n; j++)
            if (v->id[j] == into->id[k])
                into->id[n++] = into->id[k];
    bool changed = n != into->n;
    into->n = n;
    return changed;
}

int *tl_fork_child_of(const tl_func *f, const tl_func_facts *ff)
{
    bool any = false;
    for (int id = 0; id < ff->ncalls && !any; id++)
        any = is_cut_call(&ff->calls[id], CUT_UNMODELLED);
    int n = f->nblocks;
    if (!any || n <= 0 || f->entry < 0 || f->entry >= n)
        return NULL;
    fb_ctx c;
    holds_init(&c, f);
    bool *parent = parent_blocks(&c, f, ff, CUT_UNMODELLED);
    cset *in = tl_xcalloc((size_t)n + 1, sizeof *in);
    bool *set = tl_xcalloc((size_t)n + 1, sizeof *set);
    /* a block is queued when its set changes: once when first set, then
       only when it shrinks, at most TL_FORK_CANDIDATES times more */
    size_t cap = (size_t)n * (TL_FORK_CANDIDATES + 2) + 1;
    int *queue = tl_xmalloc(cap * sizeof *queue);
    size_t head = 0, tail = 0;
    for (int bi = 0; bi < n; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int s = 0; parent[bi] && s < b->nsucc; s++) {
            int t = b->succ[s], id;
            if (t < 0 || t >= n || parent[t] || (id = zero_edge(&c, ff, b, s, CUT_UNMODELLED)) < 0)
                continue;
            cset one = cset_add((cset){0, {0}}, id);
            if (cset_meet(&in[t], &set[t], &one) && tail < cap)
                queue[tail++] = t;
        }
    }
    while (head < tail) {
        int bi = queue[head++];
        const tl_block *b = &f->blocks[bi];
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t < 0 || t >= n || parent[t])
                continue;
            cset v = cset_add(in[bi], zero_edge(&c, ff, b, s, CUT_UNMODELLED)); /* a nested test adds its call */
            if (cset_meet(&in[t], &set[t], &v) && tail < cap)
                queue[tail++] = t;
        }
    }
    int *out = tl_xmalloc(((size_t)ff->ncalls * TL_FORK_CANDIDATES + 1) * sizeof *out);
    bool found = false;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        const cset *l = cf->instr && cf->block >= 0 && cf->block < n && set[cf->block] ? &in[cf->block] : NULL;
        for (int k = 0; k < TL_FORK_CANDIDATES; k++)
            out[id * TL_FORK_CANDIDATES + k] = l && k < l->n ? l->id[k] : -1;
        found = found || (l && l->n > 0);
    }
    free(queue);
    free(in);
    free(set);
    free(parent);
    free(c.holds);
    if (!found) {
        free(out);
        return NULL;
    }
    return out;
}
