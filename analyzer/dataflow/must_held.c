/* must_held.c - the mutexes a function holds on every path to a point (see
 * must_held.h).
 *
 * One walk of the function's calls collects its lock and unlock calls and
 * sorts them by position; each block's effect is its last event per mutex.
 * Then the must-analysis: the entry holds nothing, every other block starts
 * at "all held" and shrinks to the intersection of its predecessors' ends.
 */
#include "must_held.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"

tl_mutex_name tl_mutex_name_of(const tl_func *f, const tl_expr *e) {
    tl_mutex_name n = {-1, NULL};
    e = tl_expr_uncast(e);
    int addr = 0;
    if (e && e->kind == TL_E_ADDR && e->nkids == 1) {
        addr = 1;
        e = tl_expr_uncast(e->kids[0]);
        if (e && e->kind == TL_E_MEMBER && e->arrow && e->nkids == 1 && e->usr) {
            n.field = e->usr;
            addr = 0;
            e = tl_expr_uncast(e->kids[0]);
        }
    }
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= f->nvars) return (tl_mutex_name){-1, NULL};
    n.key = 2 * e->var + addr;
    return n;
}

static bool same_name(tl_mutex_name a, tl_mutex_name b) {
    return a.key == b.key && (a.field ? b.field && strcmp(a.field, b.field) == 0 : !b.field);
}

int tl_must_held_bit(const tl_must_held *h, tl_mutex_name n) {
    for (int k = 0; n.key >= 0 && k < h->nmutex; k++)
        if (same_name(h->name[k], n)) return k;
    return -1;
}

static int by_position(const void *x, const void *y) {
    const tl_mh_event *a = x, *b = y;
    if (a->block != b->block) return a->block < b->block ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

void tl_must_held_compute(const tl_analysis *a, int fi, tl_must_held *out) {
    memset(out, 0, sizeof *out);
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    int nb = f->nblocks;
    /* the mutexes: those some call locks */
    for (int id = 0; id < ff->ncalls && out->nmutex < TL_MH_MAX; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->reached || !cf->model || !cf->model->lock.present) continue;
        int arg = cf->model->lock.arg;
        if (arg < 0 || arg >= cf->instr->call.nargs) continue;
        tl_mutex_name nm = tl_mutex_name_of(f, cf->instr->call.args[arg]);
        if (nm.key >= 0 && tl_must_held_bit(out, nm) < 0) out->name[out->nmutex++] = nm;
    }
    /* the calls handed one: at most one event per call and mutex (its first argument naming it) */
    int cap = ff->ncalls + 1, n = 0;
    out->events = tl_xmalloc((size_t)cap * sizeof *out->events);
    for (int id = 0; id < ff->ncalls && out->nmutex > 0; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->reached || cf->block < 0 || cf->block >= nb) continue;
        const tl_call *c = &cf->instr->call;
        const tl_fn_model *m = cf->model;
        unsigned done = 0;
        for (int k = 0; k < c->nargs; k++) {
            tl_mutex_name nm = tl_mutex_name_of(f, c->args[k]);
            if (nm.key < 0) continue;
            for (int bit = 0; bit < out->nmutex; bit++) {
                tl_mh_kind kind;
                if (same_name(out->name[bit], nm)) {
                    kind = TL_MH_UNLOCK;
                    if (m && m->lock.present && m->lock.arg == k) kind = TL_MH_LOCK;
                    else if (m && m->wait.present && m->wait.lock_arg == k) kind = TL_MH_WAIT;
                } else if (out->name[bit].field && !nm.field && nm.key == out->name[bit].key) {
                    kind = TL_MH_UNLOCK; /* handed the pointer the field mutex is reached through */
                } else {
                    continue;
                }
                if (done & (1u << bit)) continue;
                done |= 1u << bit;
                if (n == cap) out->events = tl_xgrow(out->events, n, &cap, sizeof *out->events);
                out->events[n++] = (tl_mh_event){cf->block, cf->index, bit, kind};
            }
        }
    }
    out->nevents = n;
    qsort(out->events, (size_t)out->nevents, sizeof *out->events, by_position);
    out->first = tl_xmalloc(((size_t)nb + 1) * sizeof *out->first);
    for (int b = 0, e = 0; b <= nb; b++) {
        while (e < out->nevents && out->events[e].block < b) e++;
        out->first[b] = e;
    }
    out->in = tl_xmalloc(((size_t)nb + 1) * sizeof *out->in);
    if (nb == 0) return;
    unsigned *gen = tl_xcalloc((size_t)nb, sizeof *gen), *kill = tl_xcalloc((size_t)nb, sizeof *kill);
    for (int e = 0; e < out->nevents; e++) {
        const tl_mh_event *ev = &out->events[e];
        unsigned m = 1u << ev->bit;
        if (ev->kind == TL_MH_LOCK) gen[ev->block] |= m, kill[ev->block] &= ~m;
        else if (ev->kind == TL_MH_UNLOCK) kill[ev->block] |= m, gen[ev->block] &= ~m;
    }
    for (int b = 0; b < nb; b++) out->in[b] = ~0u;
    int *work = tl_xmalloc((size_t)nb * sizeof *work);
    bool *queued = tl_xcalloc((size_t)nb, sizeof *queued), *seen = tl_xcalloc((size_t)nb, sizeof *seen);
    int top = 0;
    if (f->entry >= 0 && f->entry < nb) {
        out->in[f->entry] = 0;
        work[top++] = f->entry;
        queued[f->entry] = true;
    }
    while (top > 0) {
        int b = work[--top];
        queued[b] = false;
        unsigned o = (out->in[b] & ~kill[b]) | gen[b];
        for (int s = 0; s < f->blocks[b].nsucc; s++) {
            int n = f->blocks[b].succ[s];
            if (n < 0 || n >= nb || n == f->entry || (seen[n] && (out->in[n] & o) == out->in[n])) continue;
            out->in[n] &= o;
            seen[n] = true;
            if (!queued[n]) work[top++] = n, queued[n] = true;
        }
    }
    /* the entry holds nothing at the start: a loop back into it adds nothing */
    free(gen);
    free(seen);
    free(kill);
    free(work);
    free(queued);
}

unsigned tl_must_held_at(const tl_must_held *h, int b, int index) {
    if (!h->in || !h->first || b < 0) return 0;
    unsigned held = h->in[b];
    for (int e = h->first[b]; e < h->nevents && h->events[e].block == b && h->events[e].index < index; e++) {
        if (h->events[e].kind == TL_MH_LOCK) held |= 1u << h->events[e].bit;
        else if (h->events[e].kind == TL_MH_UNLOCK) held &= ~(1u << h->events[e].bit);
    }
    return held;
}

void tl_must_held_free(tl_must_held *h) {
    free(h->in);
    free(h->events);
    free(h->first);
    memset(h, 0, sizeof *h);
}
