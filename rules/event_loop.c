/* event_loop.c - the central waits of event loops (see event_loop.h). */
#include "event_loop.h"

#include <stdlib.h>
#include <string.h>

#include "../analyzer/dataflow/cycles.h"
#include "../analyzer/program/program.h"
#include "../analyzer/util/xalloc.h"

/* The loops of one function. */
typedef struct {
    int fi;          /* -1: nothing computed */
    int *comp;       /* per block: its loop, or -1 */
    int ncomp;
    bool *unbounded; /* per loop: no exit tests a variable the loop steps */
    bool *dispatch;  /* per loop: calls a dispatch function */
    bool dispatch_any; /* the function calls one anywhere */
    bool *reaches;   /* per block: a dispatch call there or after it; NULL until needed */
    int *last;       /* per block: index of its last dispatch call, -1 none (with reaches) */
} fn_loops;

struct tl_event_loops {
    const tl_analysis *a;
    fn_loops cur;         /* the function last asked about */
    bool *called_in_loop; /* per function of the TU: called in an unbounded loop; NULL
                             until first needed */
};

/* Whether expression e reads variable v, or (v < 0) any variable marked
 * with `stamp` in mark. */
static bool reads_var(const tl_expr *e, int v, const int *mark, int stamp) {
    if (!e) return false;
    if (e->kind == TL_E_VAR) return v >= 0 ? e->var == v : (e->var >= 0 && mark[e->var] == stamp);
    for (int i = 0; i < e->nkids; i++)
        if (reads_var(e->kids[i], v, mark, stamp)) return true;
    return false;
}

static void loops_free(fn_loops *l) {
    free(l->comp), free(l->unbounded), free(l->dispatch), free(l->reaches), free(l->last);
    memset(l, 0, sizeof *l);
    l->fi = -1;
}

/* Find the loops of function fi and which of them are unbounded and
 * dispatch.  Blocks are visited grouped by loop (a counting sort), so that
 * one stamp array marks the variables each loop steps: linear. */
static void loops_compute(const tl_analysis *a, int fi, fn_loops *out) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    loops_free(out);
    out->fi = fi;
    out->comp = tl_cycle_components(f, &out->ncomp);
    size_t nc = (size_t)out->ncomp + 1;
    out->unbounded = tl_xmalloc(nc * sizeof *out->unbounded);
    out->dispatch = tl_xcalloc(nc, sizeof *out->dispatch);
    for (int k = 0; k < out->ncomp; k++) out->unbounded[k] = true;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->model || !cf->model->dispatch) continue;
        out->dispatch_any = true;
        if (cf->block >= 0 && cf->block < f->nblocks && out->comp[cf->block] >= 0)
            out->dispatch[out->comp[cf->block]] = true;
    }
    if (out->ncomp == 0) return;
    /* blocks by loop */
    int *start = tl_xcalloc(nc + 1, sizeof *start);
    int *order = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *order);
    for (int b = 0; b < f->nblocks; b++)
        if (out->comp[b] >= 0) start[out->comp[b] + 1]++;
    for (int k = 0; k < out->ncomp; k++) start[k + 1] += start[k];
    int *fill = tl_xcalloc(nc, sizeof *fill);
    for (int b = 0; b < f->nblocks; b++)
        if (out->comp[b] >= 0) order[start[out->comp[b]] + fill[out->comp[b]]++] = b;
    free(fill);
    int *mark = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *mark);
    for (int v = 0; v < f->nvars; v++) mark[v] = -1;
    for (int k = 0; k < out->ncomp; k++) {
        /* the variables loop k steps: assigned from a value reading them */
        for (int j = start[k]; j < start[k + 1]; j++) {
            const tl_block *blk = &f->blocks[order[j]];
            for (int i = 0; i < blk->ninstrs; i++) {
                const tl_instr *in = &blk->instrs[i];
                if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars &&
                    reads_var(in->value, in->var, NULL, 0))
                    mark[in->var] = k;
            }
        }
        /* an exit testing one of them: a counted loop */
        for (int j = start[k]; j < start[k + 1] && out->unbounded[k]; j++) {
            const tl_block *blk = &f->blocks[order[j]];
            bool exits = false;
            for (int s = 0; s < blk->nsucc; s++)
                exits |= blk->succ[s] >= 0 && blk->succ[s] < f->nblocks && out->comp[blk->succ[s]] != k;
            if (exits && blk->cond && reads_var(blk->cond, -1, mark, k)) out->unbounded[k] = false;
        }
    }
    free(mark);
    free(start);
    free(order);
}

static bool is_dispatch(const tl_analysis *a, int fi, const tl_instr *in) {
    const tl_func_facts *ff = &a->funcs[fi];
    int id = in->kind == TL_I_CALL ? in->call.id : -1;
    return id >= 0 && id < ff->ncalls && ff->calls[id].model && ff->calls[id].model->dispatch;
}

/* The blocks from which a dispatch call is reachable: a backward walk from
 * the blocks that hold one, over predecessor lists built once. */
static void find_reaches(const tl_analysis *a, int fi, fn_loops *l) {
    const tl_func *f = &a->tu->funcs[fi];
    int n = f->nblocks;
    l->reaches = tl_xcalloc((size_t)n + 1, sizeof *l->reaches);
    l->last = tl_xmalloc(((size_t)n + 1) * sizeof *l->last);
    int *start = tl_xcalloc((size_t)n + 2, sizeof *start), *work = tl_xmalloc(((size_t)n + 1) * sizeof *work);
    int nedges = 0, nwork = 0;
    for (int b = 0; b < n; b++)
        for (int s = 0; s < f->blocks[b].nsucc; s++)
            if (f->blocks[b].succ[s] >= 0 && f->blocks[b].succ[s] < n) start[f->blocks[b].succ[s] + 1]++, nedges++;
    for (int b = 0; b < n; b++) start[b + 1] += start[b];
    int *pred = tl_xmalloc(((size_t)nedges + 1) * sizeof *pred), *fill = tl_xcalloc((size_t)n + 1, sizeof *fill);
    for (int b = 0; b < n; b++)
        for (int s = 0; s < f->blocks[b].nsucc; s++) {
            int t = f->blocks[b].succ[s];
            if (t >= 0 && t < n) pred[start[t] + fill[t]++] = b;
        }
    for (int b = 0; b < n; b++) {
        l->last[b] = -1;
        for (int i = 0; i < f->blocks[b].ninstrs; i++)
            if (is_dispatch(a, fi, &f->blocks[b].instrs[i])) l->last[b] = i;
        if (l->last[b] >= 0) l->reaches[b] = true, work[nwork++] = b;
    }
    while (nwork > 0) {
        int t = work[--nwork];
        for (int j = start[t]; j < start[t + 1]; j++)
            if (!l->reaches[pred[j]]) l->reaches[pred[j]] = true, work[nwork++] = pred[j];
    }
    free(start), free(work), free(pred), free(fill);
}

/* Whether a dispatch call follows instruction `at` of block b on some path:
 * later in b, or in a block after it. */
static bool dispatch_after(const tl_analysis *a, int fi, fn_loops *l, int b, const tl_instr *at) {
    const tl_block *blk = &a->tu->funcs[fi].blocks[b];
    if (!l->reaches) find_reaches(a, fi, l);
    /* later in b: `at` lies in b's instructions */
    if (at >= blk->instrs && at < blk->instrs + blk->ninstrs && at - blk->instrs < l->last[b]) return true;
    for (int s = 0; s < blk->nsucc; s++)
        if (blk->succ[s] >= 0 && blk->succ[s] < a->tu->funcs[fi].nblocks && l->reaches[blk->succ[s]]) return true;
    return false;
}

static fn_loops *loops_of(tl_event_loops *el, int fi) {
    if (el->cur.fi != fi) loops_compute(el->a, fi, &el->cur);
    return &el->cur;
}

/* Every call of the TU to a function defined in it, from an unbounded loop
 * of its caller: one walk of each function. */
static void find_called_in_loop(tl_event_loops *el) {
    const tl_tu *tu = el->a->tu;
    el->called_in_loop = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *el->called_in_loop);
    fn_loops l;
    memset(&l, 0, sizeof l);
    l.fi = -1;
    for (int g = 0; g < tu->nfuncs; g++) {
        const tl_func_facts *ff = &el->a->funcs[g];
        bool any = false;
        for (int id = 0; id < ff->ncalls && !any; id++)
            any = ff->calls[id].instr && ff->calls[id].instr->call.callee_func >= 0;
        if (!any || tu->funcs[g].nblocks == 0) continue;
        loops_compute(el->a, g, &l);
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            int callee = cf->instr ? cf->instr->call.callee_func : -1;
            if (callee < 0 || callee >= tu->nfuncs || cf->block < 0 || cf->block >= tu->funcs[g].nblocks)
                continue;
            int k = l.comp[cf->block];
            if (k >= 0 && l.unbounded[k]) el->called_in_loop[callee] = true;
        }
    }
    loops_free(&l);
}

void tl_event_loop_unbounded_blocks(const tl_analysis *a, int fi, bool *out) {
    const tl_func *f = &a->tu->funcs[fi];
    if (f->nblocks == 0 || !a->funcs) return;
    fn_loops l;
    memset(&l, 0, sizeof l);
    l.fi = -1;
    loops_compute(a, fi, &l);
    for (int b = 0; b < f->nblocks; b++) out[b] = l.comp[b] >= 0 && l.unbounded[l.comp[b]];
    loops_free(&l);
}

tl_event_loops *tl_event_loops_new(const tl_analysis *a) {
    tl_event_loops *el = tl_xcalloc(1, sizeof *el);
    el->a = a;
    el->cur.fi = -1;
    return el;
}

void tl_event_loops_free(tl_event_loops *el) {
    if (!el) return;
    loops_free(&el->cur);
    free(el->called_in_loop);
    free(el);
}

bool tl_event_loop_central(tl_event_loops *el, int fi, int b, const tl_instr *at) {
    const tl_func *f = &el->a->tu->funcs[fi];
    if (b < 0 || b >= f->nblocks || !el->a->funcs) return false;
    fn_loops *l = loops_of(el, fi);
    int k = l->comp[b];
    if (k >= 0) return l->unbounded[k] && l->dispatch[k];
    if (!l->dispatch_any || !dispatch_after(el->a, fi, l, b, at)) return false;
    if (!el->called_in_loop) find_called_in_loop(el);
    if (el->called_in_loop[fi]) return true;
    return el->a->program && f->usr && tl_program_called_in_loop(el->a->program, f->usr);
}
