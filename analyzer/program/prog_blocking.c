/* prog_blocking.c - step 4 of the link (program.c): which functions of the
 * program may block, through which call, and under which tests of their
 * parameters (guards, dataflow/param_guards.h), once as written (r = 0) and
 * once with a readiness callback's descriptor ready (r = 1: descriptor I/O on
 * what a function was handed does not count, dataflow/param_values.h).
 * Breadth first backwards over the call edges from the blocking calls (the
 * shortest chain), twice: the first pass gives the guards, the second cuts
 * the calls whose constant arguments contradict their callee's.  Linear in
 * nodes and edges.  The queries the rule asks are in program_query.c.
 */
#include "program_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../dataflow/param_guards.h"
#include "../util/postorder.h"
#include "../util/xalloc.h"


/* Is call i of node f reached only where calls returned 0, one of whose targets
 * returns a fork's result (a wrapper of fork: the summary's returned handle
 * comes from a child_if_zero spawn whose parent does not wait)?  Then it
 * runs in the child and blocks none of f's callers. */
bool pg_in_fork_child(const tl_program *p, const pnode *f, int i) {
    const tl_sum_call *c = &f->s->calls[i];
    for (int k = 0; k < c->nchild_of && p->models; k++) {
        int of = c->child_of[k];
        if (of < 0 || of >= f->s->ncalls) continue;
        const tl_sum_call *w = &f->s->calls[of];
        int g = w->target.kind == TL_REF_FUNC ? pg_fn(p, f->unit, w->target.usr) : -1;
        if (g < 0 || !p->nodes[g].s->returns_handle || !p->nodes[g].s->spawn_model) continue;
        const tl_fn_model *m = tl_models_find(p->models, p->nodes[g].s->spawn_model);
        if (m && m->spawn.child_if_zero && !m->spawn.parent_waits_child) return true;
    }
    return false;
}

/* Does call c contradict, with its constant arguments, a callee's guards
 * nz and z (dataflow/param_guards.h)? */
bool pg_args_cut(const tl_sum_call *c, unsigned nz, unsigned z) {
    for (int k = 0; k < c->nargs && k < 32 && (nz | z); k++)
        if (tl_guard_value_cut((nz >> k) & 1u, (z >> k) & 1u, &c->args[k].value)) return true;
    return false;
}

/* The same against the guards cut_nz/cut_z of node g (NULL: none). */
static bool call_cut(const tl_sum_call *c, int g, const unsigned *cut_nz, const unsigned *cut_z) {
    return cut_nz && pg_args_cut(c, cut_nz[g], cut_z[g]);
}

/* A callee's guard mask seen from call c: the caller's parameters it
 * passes unchanged at the guarded positions (c->guard_pass). */
unsigned pg_guard_through(unsigned callee_mask, const tl_sum_call *c) {
    unsigned out = 0, m = callee_mask & c->guard_pass;
    for (int j = 0; j < c->nargs && j < 32 && m; j++)
        if (((m >> j) & 1u) && c->args[j].param >= 0 && c->args[j].param < 32) out |= 1u << c->args[j].param;
    return out;
}

/* A call of node n that blocks by itself. */
bool pg_call_blocks_directly(const tl_program *p, const pnode *n, int i, int r) {
    const tl_sum_call *c = &n->s->calls[i];
    if (!(r ? c->blocks_unless_ready : c->blocks)) return false; /* (the cheap test first) */
    if (c->spawn_entry || pg_in_fork_child(p, n, i)) return false;
    /* descriptor I/O on a slot every store fills non-blocking */
    if (c->fd_slot && pg_fd_nonblocking(p, n->unit, c->fd_slot)) return false;
    return true;
}

/* With the descriptor ready (r = 1), an edge whose call hands the callee
 * nothing of the caller's parameters (`dial(addr)` opening its own socket)
 * follows the callee's plain summary (r = 0, computed before, its guards
 * final): does edge ed block that way? */
static bool plain_edge_blocks(const tl_program *p, const edge *ed, int r) {
    if (r != 1 || ed->to == ed->from) return false;
    const pnode *f = &p->nodes[ed->from], *g = &p->nodes[ed->to];
    const tl_sum_call *c = &f->s->calls[ed->call];
    if (c->passes_param || !g->blocks[0] || c->nonblocking || pg_in_fork_child(p, f, ed->call)) return false;
    return !pg_args_cut(c, g->guard_nz[0], g->guard_z[0]);
}

static void blocking_pass(tl_program *p, int r, const unsigned *cut_nz, const unsigned *cut_z) {
    ivec work = {0};
    for (int f = 0; f < p->nnodes; f++) {
        pnode *n = &p->nodes[f];
        n->blocks[r] = false;
        n->block_call[r] = n->block_next[r] = -1;
        n->block_field[r] = NULL;
        n->block_depth[r] = 0;
        n->block_next_plain[r] = false;
    }
    for (int f = 0; f < p->nnodes; f++) {
        pnode *n = &p->nodes[f];
        for (int i = 0; i < n->s->ncalls; i++) {
            if (!pg_call_blocks_directly(p, n, i, r)) continue;
            n->blocks[r] = true;
            n->block_call[r] = i;
            n->block_next[r] = -1;
            pg_ivec_push(&work, f);
            break;
        }
    }
    for (int e = 0; r == 1 && e < p->nedges; e++) { /* plain edges: their callee's chain */
        const edge *ed = &p->edges[e];
        pnode *f = &p->nodes[ed->from];
        if (f->blocks[r] || !plain_edge_blocks(p, ed, r)) continue;
        f->blocks[r] = true;
        f->block_call[r] = ed->call;
        f->block_next[r] = ed->to;
        f->block_field[r] = ed->field;
        f->block_next_plain[r] = true;
        f->block_depth[r] = p->nodes[ed->to].block_depth[0] + 1;
        pg_ivec_push(&work, ed->from);
    }
    for (int w = 0; w < work.n; w++) {
        int g = work.v[w];
        for (int j = p->in_start[g]; j < p->in_start[g + 1]; j++) {
            const edge *ed = &p->edges[p->in_edges[j]];
            pnode *f = &p->nodes[ed->from];
            if (f->blocks[r] || ed->from == g) continue;
            const tl_sum_call *c = &f->s->calls[ed->call];
            if (r == 1 && !c->passes_param) continue; /* (a plain edge: above) */
            if (c->nonblocking || pg_in_fork_child(p, f, ed->call) || call_cut(c, g, cut_nz, cut_z)) continue;
            f->blocks[r] = true;
            f->block_call[r] = ed->call;
            f->block_next[r] = g;
            f->block_field[r] = ed->field;
            f->block_depth[r] = p->nodes[g].block_depth[r] + 1; /* breadth first: the shortest */
            pg_ivec_push(&work, ed->from);
        }
    }
    free(work.v);
}

/* The edges grouped by caller (all of them: a call's edges may come in two
 * runs): edge by[j] for j in start[f]..start[f + 1]. */
typedef struct {
    int *start, *by;
} out_edges;

static out_edges index_out_edges(const tl_program *p) {
    int nn = p->nnodes;
    out_edges o = {tl_xcalloc((size_t)nn + 2, sizeof *o.start), tl_xmalloc(((size_t)p->nedges + 1) * sizeof *o.by)};
    for (int e = 0; e < p->nedges; e++) o.start[p->edges[e].from + 1]++;
    for (int f = 0; f < nn; f++) o.start[f + 1] += o.start[f];
    int *fill = tl_xmalloc(((size_t)nn + 1) * sizeof *fill);
    memcpy(fill, o.start, (size_t)nn * sizeof *fill);
    for (int e = 0; e < p->nedges; e++) o.by[fill[p->edges[e].from]++] = e;
    free(fill);
    return o;
}

typedef struct {
    const tl_program *p;
    const out_edges *o;
} edge_walk;

static int next_callee(void *ctx, int f, int k) {
    const edge_walk *w = ctx;
    int e = w->o->start[f] + k;
    return e < w->o->start[f + 1] ? w->p->edges[w->o->by[e]].to : TL_POSTORDER_END;
}

/* The nodes, each after the nodes it calls (in a cycle, after those reached
 * first): util/postorder.c over the edges, linear. */
static int *callees_first(const tl_program *p, const out_edges *o) {
    edge_walk w = {p, o};
    return tl_postorder(p->nnodes, next_callee, &w);
}

/* Each blocking node's guards (the nodes' guard_nz/guard_z): what every
 * call of it that blocks, by itself or through a blocking callee the cut
 * leaves, needs of its parameters - its own tests, and what the callee needs
 * of the parameters passed on unchanged.  Callees first: a callee's guards
 * are passed on once final (in a cycle, a callee not done yet passes none:
 * sound).  Linear in nodes and edges. */
static void compute_guards(tl_program *p, int r, const out_edges *o, const int *order, const unsigned *cut_nz,
                           const unsigned *cut_z) {
    int nn = p->nnodes;
    unsigned *nz = tl_xmalloc(((size_t)nn + 1) * sizeof *nz), *z = tl_xmalloc(((size_t)nn + 1) * sizeof *z);
    bool *done = tl_xcalloc((size_t)nn + 1, sizeof *done);
    for (int k = 0; k < nn; k++) {
        int f = order[k];
        pnode *n = &p->nodes[f];
        unsigned gnz = n->blocks[r] ? ~0u : 0u, gz = gnz;
        for (int i = 0; n->blocks[r] && i < n->s->ncalls; i++)
            if (pg_call_blocks_directly(p, n, i, r)) {
                gnz &= n->s->calls[i].guard_nz;
                gz &= n->s->calls[i].guard_z;
            }
        for (int j = o->start[f]; n->blocks[r] && j < o->start[f + 1]; j++) {
            const edge *ed = &p->edges[o->by[j]];
            const pnode *g = &p->nodes[ed->to];
            const tl_sum_call *c = &n->s->calls[ed->call];
            if (ed->to == f) { /* a call of itself may block as it does: its own tests only */
                if (!c->nonblocking && !pg_in_fork_child(p, n, ed->call)) {
                    gnz &= c->guard_nz;
                    gz &= c->guard_z;
                }
                continue;
            }
            int gr;
            if (plain_edge_blocks(p, ed, r)) {
                gr = 0; /* the callee's plain guards, final */
            } else {
                if (!g->blocks[r] || (r == 1 && !c->passes_param)) continue;
                if (c->nonblocking || pg_in_fork_child(p, n, ed->call) || call_cut(c, ed->to, cut_nz, cut_z)) continue;
                gr = r;
            }
            bool final = gr != r || done[ed->to];
            gnz &= c->guard_nz | (final ? pg_guard_through(gr == r ? nz[ed->to] : g->guard_nz[gr], c) : 0u);
            gz &= c->guard_z | (final ? pg_guard_through(gr == r ? z[ed->to] : g->guard_z[gr], c) : 0u);
        }
        nz[f] = gnz;
        z[f] = gz;
        done[f] = true;
    }
    for (int f = 0; f < nn; f++) {
        p->nodes[f].guard_nz[r] = nz[f];
        p->nodes[f].guard_z[r] = z[f];
    }
    free(nz);
    free(z);
    free(done);
}

/* Two passes, as the TU's (dataflow/analysis_blocking.c): the first,
 * without cuts, gives the guards; the second cuts the calls whose constant
 * arguments contradict their callee's; the guards kept are the second's. */
void pg_compute_blocking(tl_program *p, int r) {
    int nn = p->nnodes;
    out_edges o = index_out_edges(p);
    int *order = callees_first(p, &o);
    blocking_pass(p, r, NULL, NULL);
    compute_guards(p, r, &o, order, NULL, NULL);
    unsigned *cut_nz = tl_xmalloc(((size_t)nn + 1) * sizeof *cut_nz), *cut_z = tl_xmalloc(((size_t)nn + 1) * sizeof *cut_z);
    bool any = false;
    for (int f = 0; f < nn; f++) {
        cut_nz[f] = p->nodes[f].guard_nz[r];
        cut_z[f] = p->nodes[f].guard_z[r];
        any = any || cut_nz[f] || cut_z[f];
    }
    if (any) {
        blocking_pass(p, r, cut_nz, cut_z);
        compute_guards(p, r, &o, order, cut_nz, cut_z);
    }
    free(order);
    free(o.start);
    free(o.by);
    free(cut_nz);
    free(cut_z);
}
