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

static bool forks_away(const tl_fn_model *m)
{
    return m && m->spawn.present && m->spawn.child_if_zero && !m->spawn.parent_waits_child;
}

/* Is edge s of block b the child's edge of such a spawn? */
static bool child_edge(fb_ctx *c, const tl_func_facts *ff, const tl_block *b, int s)
{
    if (b->term != TL_T_BRANCH && b->term != TL_T_SWITCH)
        return false;
    if (b->term == TL_T_SWITCH && s == b->nsucc - 1)
        return false; /* the default */
    int op;
    int64_t k;
    int id = tl_own_edge_relation(b, s, var_holds, c, &op, &k);
    return id >= 0 && id < ff->ncalls && op == TL_REL_EQ && k == 0 && forks_away(ff->calls[id].model);
}

void tl_mark_fork_child_calls(const tl_func *f, tl_func_facts *ff)
{
    bool any = false;
    for (int id = 0; id < ff->ncalls && !any; id++)
        any = ff->calls[id].instr && forks_away(ff->calls[id].model);
    int n = f->nblocks;
    if (!any || n <= 0 || f->entry < 0 || f->entry >= n)
        return;
    fb_ctx c = {f, tl_xmalloc(((size_t)f->nvars + 1) * sizeof(int))};
    for (int v = 0; v < f->nvars; v++)
        c.holds[v] = -1;
    for (int bi = 0; bi < n; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars)
                continue;
            const tl_expr *v = tl_own_strip(in->value);
            int *h = &c.holds[in->var];
            *h = *h == -1 && v && v->kind == TL_E_CALLRES ? v->call_id : -2;
        }
    /* what runs without taking a child edge: each block queued once */
    bool *parent = tl_xcalloc((size_t)n + 1, sizeof *parent);
    int *queue = tl_xmalloc(((size_t)n + 1) * sizeof *queue), tail = 0;
    parent[f->entry] = true;
    queue[tail++] = f->entry;
    for (int head = 0; head < tail; head++) {
        const tl_block *b = &f->blocks[queue[head]];
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t < 0 || t >= n || parent[t] || child_edge(&c, ff, b, s))
                continue;
            parent[t] = true;
            queue[tail++] = t;
        }
    }
    for (int id = 0; id < ff->ncalls; id++) {
        tl_call_facts *cf = &ff->calls[id];
        cf->in_fork_child = cf->instr && cf->reached && cf->block >= 0 && cf->block < n && !parent[cf->block];
    }
    free(queue);
    free(parent);
    free(c.holds);
}
