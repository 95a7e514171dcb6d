/* unawaited_path.c - which path an unawaited-task finding is about.
 *
 * After unawaited_task.c's solve, a finding (a teardown, a return) has work
 * pending on some variable.  Its message names the start of that work and
 * the branch whose path skips the wait; both must lie on one path the
 * solved states say carries the work, or the message sends the reader to a
 * start that path never reaches.  From the finding's block this walks back
 * (breadth first: the nearest start) along the edges whose replayed state
 * still holds the work, replaying each block with the origins traced (the
 * start call that set a variable, or what it held at the block's entry,
 * following copies `h2 = h`), until the block whose own start set it.  Loop
 * back edges are taken only when no path without them is found, so the
 * path named is a first pass where there is one.  On that path, the last
 * merge (walking back) where another predecessor brings no pending work is
 * where it meets a way that waited or never started; the branch named is
 * where the two separated (not a branch inside a macro such as go() that
 * the other way passes through too).
 *
 * At most UT_PATH_NODES blocks are visited per finding, each replayed once
 * per edge: reporting stays linear in the function.
 */
#include <stdio.h>
#include <stdlib.h>

#include "unawaited_task_internal.h"
#include "../analyzer/util/xalloc.h"

/* Blocks the backward search visits per finding (a constant). */
#define UT_PATH_NODES 256

void tl_ut_trace_set(ut_ctx *c, int v, int call, int why)
{
    c->trace_call[v] = call;
    c->trace_why[v] = why;
    c->trace_stamp[v] = c->stamp;
}

void tl_ut_trace_copy(ut_ctx *c, int v, int from)
{
    if (c->trace_stamp[from] == c->stamp) {
        c->trace_call[v] = c->trace_call[from];
        c->trace_why[v] = c->trace_why[from];
    } else { /* what `from` held at the block's entry */
        c->trace_call[v] = -2 - from;
        c->trace_why[v] = WHY_NONE;
    }
    c->trace_stamp[v] = c->stamp;
}

/* The origin of v after a traced replay: a start's call id (>= 0), or
 * -2 - w: what w held at the block's entry. */
static int origin_of(const ut_ctx *c, int v, int *why)
{
    if (c->trace_stamp[v] != c->stamp) {
        *why = WHY_NONE;
        return -2 - v;
    }
    *why = c->trace_why[v];
    return c->trace_call[v];
}

/* Replays block x from its solved in-state through instructions [0, upto),
 * origins traced, then (s >= 0, upto the whole block) along edge s.
 * Returns v's bits there; *origin and *why as origin_of. */
static uint64_t replay_traced(ut_ctx *c, int x, int upto, int s, int v, int *origin, int *why)
{
    const tl_func *f = c->f;
    const ut_state *in = tl_dataflow_in(c->res, x);
    *origin = -1;
    *why = WHY_NONE;
    if (!c->res->reached[x] || !in || !in->reached)
        return 0;
    ut_state st;
    tl_ut_bottom(c, &st);
    tl_ut_copy(c, &st, in);
    tl_sparse_unpack(&c->env, &st.vars);
    c->stamp++;
    c->tracing = true;
    for (int i = 0; i < upto && i < f->blocks[x].ninstrs; i++)
        tl_ut_apply(c, &f->blocks[x], i);
    c->tracing = false;
    tl_sparse_pack(&c->env, &st.vars);
    *origin = origin_of(c, v, why);
    uint64_t bits = 0;
    if (s < 0 || tl_ut_edge(c, &st, f, &f->blocks[x], s))
        bits = tl_sparse_get(&st.vars, v);
    tl_ut_destroy(c, &st);
    return bits;
}

typedef struct {
    int blk;    /* the block */
    int var;    /* the variable holding the work at its entry (or the start's) */
    int parent; /* the node after it on the path (towards the finding), -1 */
} ut_node;

/* Breadth-first from node 0 back to a block whose own start set the work;
 * back: may take loop back edges.  Returns the node index, or -1. */
static int search(ut_ctx *c, ut_node *nodes, int *nnodes, bool back, int *call, int *why)
{
    const tl_func *f = c->f;
    c->visit++;
    c->visit_stamp[nodes[0].blk] = c->visit;
    *nnodes = 1;
    for (int q = 0; q < *nnodes; q++) {
        int x = nodes[q].blk, t = nodes[q].var;
        const tl_block *b = &f->blocks[x];
        for (int k = 0; k < b->npred; k++) {
            int p = b->pred[k];
            if (p < 0 || p >= f->nblocks || c->visit_stamp[p] == c->visit || !c->res->reached[p])
                continue;
            if (!back && (c->rpo[p] < 0 || c->rpo[p] >= c->rpo[x]))
                continue;
            for (int s = 0; s < f->blocks[p].nsucc; s++) {
                if (f->blocks[p].succ[s] != x)
                    continue;
                int o, w;
                if (!replay_traced(c, p, f->blocks[p].ninstrs, s, t, &o, &w))
                    continue;
                if (*nnodes == UT_PATH_NODES)
                    return -1;
                c->visit_stamp[p] = c->visit;
                nodes[*nnodes] = (ut_node){p, o >= 0 ? t : -2 - o, q};
                if (o >= 0) {
                    *call = o;
                    *why = w;
                    return (*nnodes)++;
                }
                (*nnodes)++;
                break;
            }
        }
    }
    return -1;
}

/* The reached forward predecessors of x other than `on` that bring x no
 * bits of v, into clear[] (at most UT_PATH_NODES); returns how many. */
static int clear_preds(ut_ctx *c, int x, int on, int v, int *clear)
{
    const tl_func *f = c->f;
    const tl_block *b = &f->blocks[x];
    int n = 0;
    for (int k = 0; k < b->npred && n < UT_PATH_NODES; k++) {
        int p = b->pred[k];
        if (p == on || p < 0 || p >= f->nblocks || !c->res->reached[p])
            continue;
        if (c->rpo[p] < 0 || c->rpo[p] >= c->rpo[x])
            continue; /* a back edge: what comes round the loop */
        for (int s = 0; s < f->blocks[p].nsucc; s++) {
            int o, w;
            if (f->blocks[p].succ[s] == x &&
                !replay_traced(c, p, f->blocks[p].ninstrs, s, v, &o, &w)) {
                clear[n++] = p;
                break;
            }
        }
    }
    return n;
}

/* Whether one of the blocks clear[0..n) is reached from block `from` (from
 * itself counts), along any edges, without entering a block whose index on
 * the path (c->path_pos) is in [lo, hi]: breadth first back from them, at
 * most UT_PATH_NODES blocks. */
static bool reaches_avoiding(ut_ctx *c, int from, const int *clear, int n, int lo, int hi)
{
    const tl_func *f = c->f;
    int queue[UT_PATH_NODES], nq = 0;
    c->reach++;
    for (int i = 0; i < n; i++) {
        if (clear[i] == from)
            return true;
        if (c->reach_stamp[clear[i]] != c->reach) {
            c->reach_stamp[clear[i]] = c->reach;
            queue[nq++] = clear[i];
        }
    }
    for (int i = 0; i < nq; i++) {
        const tl_block *b = &f->blocks[queue[i]];
        for (int k = 0; k < b->npred; k++) {
            int p = b->pred[k];
            if (p < 0 || p >= f->nblocks || c->reach_stamp[p] == c->reach || !c->res->reached[p])
                continue;
            if (c->path_pos[p] >= lo && c->path_pos[p] <= hi)
                continue;
            if (p == from)
                return true;
            if (nq == UT_PATH_NODES)
                return false;
            c->reach_stamp[p] = c->reach;
            queue[nq++] = p;
        }
    }
    return false;
}

/* Block y, left for `next`, names the branch of the clause when it is a
 * two-way branch with a line that is itself one of the clear predecessors
 * of the merge, or whose other successor reaches one without entering the
 * path's blocks [lo, hi]. */
static bool branch_clause(ut_ctx *c, int y, int next, const int *clear, int nclear, int lo,
                          int hi, char *buf, size_t n)
{
    const tl_block *yb = &c->f->blocks[y];
    if (yb->term != TL_T_BRANCH || yb->nsucc != 2 || !yb->term_loc.line ||
        yb->succ[0] == yb->succ[1] || (yb->succ[0] != next && yb->succ[1] != next))
        return false;
    int other = yb->succ[0] == next ? yb->succ[1] : yb->succ[0];
    bool is_clear = false;
    for (int i = 0; i < nclear && !is_clear; i++)
        is_clear = clear[i] == y;
    if (!is_clear && !reaches_avoiding(c, other, clear, nclear, lo, hi))
        return false;
    snprintf(buf, n, " on the path where the condition at line %u is %s", yb->term_loc.line,
             yb->succ[0] == next ? "true" : "false");
    return true;
}

/* The clause of the path nodes[found] (the start's block) -> ... ->
 * nodes[0] (the finding's): the last merge on it (walking back) where some
 * predecessors bring no pending work, and the last branch before it, on the
 * path or (else) on the nearest way back from the start, whose other side
 * reaches one of those without rejoining the path: where the way that
 * skipped the wait separated from one that waited or started nothing (not
 * a branch inside a macro such as go() whose two sides meet again on the
 * path). */
static void path_clause(ut_ctx *c, const ut_node *nodes, int found, char *buf, size_t n)
{
    const tl_func *f = c->f;
    /* path[0]: the start's block ... path[k-1]: the finding's; pvar: the
       variable holding the work at each one's entry */
    int path[UT_PATH_NODES], pvar[UT_PATH_NODES], k = 0;
    for (int i = found; i >= 0 && k < UT_PATH_NODES; i = nodes[i].parent) {
        path[k] = nodes[i].blk;
        pvar[k++] = nodes[i].var;
    }
    int clear[UT_PATH_NODES], nclear = 0, m = k - 1;
    for (; m > 0 && nclear == 0; m--) /* from the finding back */
        nclear = clear_preds(c, path[m], path[m - 1], pvar[m], clear);
    if (nclear == 0)
        return; /* pending on every way into the path */
    m++; /* path[m]: the merge */
    for (int j = 0; j < k; j++)
        if (c->path_pos[path[j]] < 0)
            c->path_pos[path[j]] = j;
    bool named = false;
    for (int j = m - 1; j >= 0 && !named; j--)
        named = branch_clause(c, path[j], path[j + 1], clear, nclear, j + 1, m, buf, n);
    /* before the start: breadth first back from it along forward edges */
    int queue[UT_PATH_NODES], nq = 0;
    c->visit++;
    queue[nq++] = path[0];
    for (int h = 0; h < nq && !named; h++) {
        const tl_block *b = &f->blocks[queue[h]];
        for (int e = 0; e < b->npred && nq < UT_PATH_NODES && !named; e++) {
            int p = b->pred[e];
            if (p < 0 || p >= f->nblocks || c->visit_stamp[p] == c->visit || c->rpo[p] < 0 ||
                c->rpo[p] >= c->rpo[queue[h]])
                continue;
            c->visit_stamp[p] = c->visit;
            named = branch_clause(c, p, queue[h], clear, nclear, 0, m, buf, n);
            queue[nq++] = p;
        }
    }
    for (int j = 0; j < k; j++)
        c->path_pos[path[j]] = -1;
}

void tl_ut_path_find(ut_ctx *c, int blk, int upto, int v, ut_path *out)
{
    const tl_func *f = c->f;
    out->call = -1;
    out->why = WHY_NONE;
    out->clause[0] = '\0';
    if (!c->res || blk < 0 || blk >= f->nblocks)
        return;
    if (!c->trace_stamp) {
        size_t nv = f->nvars > 0 ? (size_t)f->nvars : 1;
        c->trace_stamp = tl_xcalloc(nv, sizeof *c->trace_stamp);
        c->trace_call = tl_xcalloc(nv, sizeof *c->trace_call);
        c->trace_why = tl_xcalloc(nv, sizeof *c->trace_why);
        c->visit_stamp = tl_xcalloc((size_t)f->nblocks, sizeof *c->visit_stamp);
        c->reach_stamp = tl_xcalloc((size_t)f->nblocks, sizeof *c->reach_stamp);
        c->path_pos = tl_xmalloc((size_t)f->nblocks * sizeof *c->path_pos);
        for (int b = 0; b < f->nblocks; b++)
            c->path_pos[b] = -1;
    }
    /* the reporting replay holds c->env: trace in the second scratch */
    tl_sparse_scratch saved = c->env;
    bool rep = c->reporting;
    c->env = c->env2;
    c->reporting = false;

    ut_node nodes[UT_PATH_NODES];
    int o, w, nnodes = 0, found = -1;
    if (replay_traced(c, blk, upto, -1, v, &o, &w)) {
        nodes[0] = (ut_node){blk, o >= 0 ? v : -2 - o, -1};
        if (o >= 0) {
            found = 0;
            out->call = o;
            out->why = w;
        }
        if (found < 0)
            found = search(c, nodes, &nnodes, false, &out->call, &out->why);
        if (found < 0)
            found = search(c, nodes, &nnodes, true, &out->call, &out->why);
        if (found > 0)
            path_clause(c, nodes, found, out->clause, sizeof out->clause);
    }

    c->env2 = c->env;
    c->env = saved;
    c->reporting = rep;
}

void tl_ut_path_free(ut_ctx *c)
{
    free(c->trace_stamp);
    free(c->trace_call);
    free(c->trace_why);
    free(c->visit_stamp);
    free(c->reach_stamp);
    free(c->path_pos);
}
