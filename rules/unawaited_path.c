/* unawaited_path.c - which path an unawaited-task finding is about.
 *
 * After unawaited_task.c's solve, a finding (a teardown, a return) has work
 * pending on some variable.  Its message names the start of that work and
 * the branch whose path skips the wait; both must lie on one path the
 * solved states say carries the work, or the message sends the reader to a
 * start that path never reaches.  The reporting replay traces origins as it
 * goes (the start call that set a variable, or what it held at the block's
 * entry, following copies `h2 = h`); when the finding's own block did not
 * set the work, this walks back (breadth first: the nearest start) along
 * the edges whose replayed state still holds it, replaying each block with
 * the origins traced, until the block whose own start set it.  Loop back
 * edges are taken only when no path without them is found, so the path
 * named is a first pass where there is one.  On that path, the last merge
 * (walking back) where some predecessors bring no pending work is where it
 * meets the ways that waited or never started; the branch named is where
 * they separated (not a branch inside a macro such as go() whose two sides
 * meet again on the path).
 *
 * At most UT_PATH_NODES blocks and UT_PATH_WORK replayed instructions per
 * finding (constants; the finding's own block is not replayed again):
 * reporting stays linear in the function.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unawaited_task_internal.h"
#include "../analyzer/util/xalloc.h"

/* Blocks the backward search visits per finding, and instructions it
 * replays (constants: past them the message names some start of the
 * variable and no branch). */
#define UT_PATH_NODES 256
#define UT_PATH_WORK 20000

void tl_ut_trace_set(ut_ctx *c, int v, int call, int why)
{
    ut_trace *t = c->trace;
    t->call[v] = call;
    t->why[v] = why;
    t->st[v] = t->stamp;
}

void tl_ut_trace_copy(ut_ctx *c, int v, int from)
{
    ut_trace *t = c->trace;
    if (t->st[from] == t->stamp) {
        t->call[v] = t->call[from];
        t->why[v] = t->why[from];
    } else { /* what `from` held at the block's entry */
        t->call[v] = -2 - from;
        t->why[v] = WHY_NONE;
    }
    t->st[v] = t->stamp;
}

/* The origin of v in trace t: a start's call id (>= 0), or -2 - w: what w
 * held at the block's entry. */
static int origin_of(const ut_trace *t, int v, int *why)
{
    if (t->st[v] != t->stamp) {
        *why = WHY_NONE;
        return -2 - v;
    }
    *why = t->why[v];
    return t->call[v];
}

static void trace_alloc(ut_trace *t, size_t nv)
{
    t->stamp = 0;
    t->st = tl_xcalloc(nv, sizeof *t->st);
    t->call = tl_xcalloc(nv, sizeof *t->call);
    t->why = tl_xcalloc(nv, sizeof *t->why);
}

void tl_ut_path_init(ut_ctx *c)
{
    const tl_func *f = c->f;
    size_t nv = f->nvars > 0 ? (size_t)f->nvars : 1;
    trace_alloc(&c->rtrace, nv);
    trace_alloc(&c->strace, nv);
    c->trace = &c->rtrace;
    size_t nb = f->nblocks > 0 ? (size_t)f->nblocks : 1;
    c->visit_stamp = tl_xcalloc(nb, sizeof *c->visit_stamp);
    c->reach_stamp = tl_xcalloc(nb, sizeof *c->reach_stamp);
    c->path_pos = tl_xmalloc(nb * sizeof *c->path_pos);
    for (size_t b = 0; b < nb; b++)
        c->path_pos[b] = -1;
}

void tl_ut_trace_block(ut_ctx *c)
{
    c->rtrace.stamp++;
    c->trace = &c->rtrace;
    c->tracing = true;
}

/* Replays block x from its solved in-state, origins traced (c->strace),
 * then (s >= 0) along edge s.  Returns v's bits there, 0 as well when the
 * finding's work budget is spent; *origin and *why as origin_of. */
static uint64_t replay_traced(ut_ctx *c, int x, int s, int v, int *origin, int *why)
{
    const tl_func *f = c->f;
    const ut_state *in = tl_dataflow_in(c->res, x);
    *origin = -1;
    *why = WHY_NONE;
    if (!c->res->reached[x] || !in || !in->reached || c->path_work > UT_PATH_WORK)
        return 0;
    c->path_work += f->blocks[x].ninstrs + 1;
    ut_state st;
    tl_ut_bottom(c, &st);
    tl_ut_copy(c, &st, in);
    tl_sparse_unpack(&c->env, &st.vars);
    c->strace.stamp++;
    for (int i = 0; i < f->blocks[x].ninstrs; i++)
        tl_ut_apply(c, &f->blocks[x], i);
    tl_sparse_pack(&c->env, &st.vars);
    *origin = origin_of(&c->strace, v, why);
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
 * back: may take loop back edges.  Returns the node index, or -1 (*capped
 * when a bound cut the search short). */
static int search(ut_ctx *c, ut_node *nodes, int *nnodes, bool back, int *call, int *why,
                  bool *capped)
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
                if (!replay_traced(c, p, s, t, &o, &w))
                    continue;
                if (*nnodes == UT_PATH_NODES) {
                    *capped = true;
                    return -1;
                }
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
    *capped = c->path_work > UT_PATH_WORK;
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
                !replay_traced(c, p, s, v, &o, &w)) {
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
        c->path_work += b->npred + 1;
        if (c->path_work > UT_PATH_WORK)
            return false;
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
 * nodes[0] (the finding's).  Walking back from the finding, each merge on
 * it where some predecessors bring no pending work, and the last branch
 * before that merge, on the path after the start, whose other side reaches
 * one of those without rejoining the path: where the way that skipped the
 * wait separated from one that waited (not a branch inside a macro such as
 * go() whose two sides meet again on the path).  When no merge has such a
 * branch after the start, the last merge's ways started nothing: the
 * branch is the one before the start, on the nearest way back from it. */
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
    for (int j = 0; j < k; j++)
        if (c->path_pos[path[j]] < 0)
            c->path_pos[path[j]] = j;
    int clear[UT_PATH_NODES], nclear = 0, first[UT_PATH_NODES], nfirst = 0, first_m = -1;
    bool named = false;
    for (int m = k - 1; m > 0 && !named && c->path_work <= UT_PATH_WORK; m--) {
        nclear = clear_preds(c, path[m], path[m - 1], pvar[m], clear);
        if (nclear == 0)
            continue;
        if (first_m < 0) { /* the last merge: kept for the branch before the start */
            first_m = m;
            nfirst = nclear;
            memcpy(first, clear, (size_t)nclear * sizeof *clear);
        }
        for (int j = m - 1; j >= 0 && !named; j--)
            named = branch_clause(c, path[j], path[j + 1], clear, nclear, j + 1, m, buf, n);
    }
    /* before the start: breadth first back from it along forward edges */
    int queue[UT_PATH_NODES], nq = 0;
    c->visit++;
    queue[nq++] = path[0];
    for (int h = 0; h < nq && !named && first_m >= 0; h++) {
        const tl_block *b = &f->blocks[queue[h]];
        for (int e = 0; e < b->npred && nq < UT_PATH_NODES && !named; e++) {
            int p = b->pred[e];
            if (p < 0 || p >= f->nblocks || c->visit_stamp[p] == c->visit || c->rpo[p] < 0 ||
                c->rpo[p] >= c->rpo[queue[h]])
                continue;
            c->visit_stamp[p] = c->visit;
            named = branch_clause(c, p, queue[h], first, nfirst, 0, first_m, buf, n);
            queue[nq++] = p;
        }
    }
    for (int j = 0; j < k; j++)
        c->path_pos[path[j]] = -1;
}

void tl_ut_path_find(ut_ctx *c, int blk, bool want_clause, int v, ut_path *out)
{
    const tl_func *f = c->f;
    out->call = -1;
    out->why = WHY_NONE;
    out->clause[0] = '\0';
    if (!c->res || !c->trace || blk < 0 || blk >= f->nblocks)
        return;
    ut_node nodes[UT_PATH_NODES];
    int w, nnodes = 0, found = -1;
    int o = origin_of(&c->rtrace, v, &w);
    /* the reporting replay holds c->env and its trace: search in the second
       scratch and trace */
    tl_sparse_scratch saved = c->env;
    bool rep = c->reporting, tracing = c->tracing;
    c->env = c->env2;
    c->reporting = false;
    c->trace = &c->strace;
    c->tracing = true;
    c->path_work = 0;

    nodes[0] = (ut_node){blk, o >= 0 ? v : -2 - o, -1};
    if (o >= 0) {
        found = 0;
        out->call = o;
        out->why = w;
    }
    bool capped = false;
    if (found < 0)
        found = search(c, nodes, &nnodes, false, &out->call, &out->why, &capped);
    if (found < 0 && !capped) /* the start comes round a loop */
        found = search(c, nodes, &nnodes, true, &out->call, &out->why, &capped);
    if (found > 0 && want_clause)
        path_clause(c, nodes, found, out->clause, sizeof out->clause);
    if (c->path_work > UT_PATH_WORK) /* cut short: the clause may be another path's */
        out->clause[0] = '\0';

    c->env2 = c->env;
    c->env = saved;
    c->reporting = rep;
    c->trace = &c->rtrace;
    c->tracing = tracing;
}

void tl_ut_path_free(ut_ctx *c)
{
    ut_trace *ts[2] = {&c->rtrace, &c->strace};
    for (int i = 0; i < 2; i++) {
        free(ts[i]->st);
        free(ts[i]->call);
        free(ts[i]->why);
    }
    free(c->visit_stamp);
    free(c->reach_stamp);
    free(c->path_pos);
}
