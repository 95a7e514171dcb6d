/* chan_fill.c - messages held by a buffered channel only its function uses
 * (chan_fill.h). */
#include "chan_fill.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"
#include "loop_trips.h"

#define CF_MAX_ABS ((int64_t)1 << 40) /* past it, a count is not known */
#define CF_MAX_COEF 64

/* c * S + k, S the place's capacity variable (c is 0 for a place without) */
typedef struct {
    int64_t c, k;
} cf_aff;

typedef struct {
    bool reached;
    cf_aff lo[CF_MAX_PLACES], hi[CF_MAX_PLACES];
    unsigned char hi_unknown[CF_MAX_PLACES]; /* no upper bound */
    unsigned char done[CF_MAX_PLACES];       /* channel_done on every path: takes return */
} cf_state;

typedef struct {
    int8_t dmin[CF_MAX_PLACES], dmax[CF_MAX_PLACES]; /* net messages of one pass */
    bool resets;                                    /* makes or ends a channel: not solved */
} cf_loop;

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    int nplaces;
    int *place_of;             /* var -> place, -1 */
    int sym[CF_MAX_PLACES];    /* the capacity's variable, -1: a constant (or none) */
    bool cap_known[CF_MAX_PLACES];
    cf_aff cap[CF_MAX_PLACES];
    tl_loop_trips trips;
    cf_loop *loops;            /* per counted loop */
    const int *comp;           /* per block: its cycle component, -1 (trips.comp) */
    uint32_t *comp_uses;       /* per component: the places used in it */
    int *rpo;                  /* reverse postorder index per block */
    long work, budget;
    bool recording;
} cf_ctx;

static const tl_fn_model *model_of(const cf_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].model : NULL;
}

static int place_of_expr(const cf_ctx *c, const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->f->nvars ? c->place_of[e->var] : -1;
}

static bool aff_ok(cf_aff a) {
    return a.c >= -CF_MAX_COEF && a.c <= CF_MAX_COEF && a.k >= -CF_MAX_ABS && a.k <= CF_MAX_ABS;
}

/* a >= 1 and a <= b for every S >= 0 */
static bool at_least_one(cf_aff a) { return a.c >= 0 && a.k >= 1; }
static bool at_most(cf_aff a, cf_aff b) { return a.c <= b.c && a.k <= b.k; }

static void forget(cf_state *s, int p) {
    s->lo[p] = (cf_aff){0, 0};
    s->hi_unknown[p] = 1;
    s->done[p] = 0;
}

/* lo += dl, hi += dh (each scaled already); past the bounds: not known */
static void shift(cf_state *s, int p, cf_aff dl, cf_aff dh) {
    cf_aff lo = {s->lo[p].c + dl.c, s->lo[p].k + dl.k}, hi = {s->hi[p].c + dh.c, s->hi[p].k + dh.k};
    if (!aff_ok(lo)) lo = (cf_aff){0, 0};
    s->lo[p] = lo;
    if (!s->hi_unknown[p]) {
        if (aff_ok(hi)) s->hi[p] = hi;
        else s->hi_unknown[p] = 1;
    }
}

static void apply(cf_ctx *c, cf_state *s, const tl_instr *in) {
    c->work += c->nplaces + 1;
    if (in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) {
        int p = in->var >= 0 && in->var < c->f->nvars ? c->place_of[in->var] : -1;
        if (p < 0) return;
        forget(s, p);
        const tl_expr *v = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
        const tl_fn_model *m = v && v->kind == TL_E_CALLRES ? model_of(c, v->call_id) : NULL;
        if (m && m->channel_buffer.present) { /* a new channel: empty */
            s->hi[p] = s->lo[p] = (cf_aff){0, 0};
            s->hi_unknown[p] = 0;
        }
        return;
    }
    if (in->kind != TL_I_CALL) return;
    const tl_fn_model *m = model_of(c, in->call.id);
    if (!m) return;
    const tl_call *call = &in->call;
    if (m->channel_put.present && m->channel_put.arg < call->nargs) {
        int p = place_of_expr(c, call->args[m->channel_put.arg]);
        if (p < 0) return;
        cf_aff next = {s->hi[p].c, s->hi[p].k + 1};
        bool room = !s->hi_unknown[p] && c->cap_known[p] && at_most(next, c->cap[p]);
        if (c->recording && room) c->ff->calls[call->id].chan_ready = true;
        shift(s, p, (cf_aff){0, 1}, (cf_aff){0, 1});
        if (!room && c->cap_known[p]) { /* it returned: the channel held no more than it can */
            s->hi[p] = c->cap[p];
            s->hi_unknown[p] = 0;
        }
    } else if (m->channel_take.present && m->channel_take.arg < call->nargs) {
        int p = place_of_expr(c, call->args[m->channel_take.arg]);
        if (p < 0) return;
        bool waiting = s->done[p] || at_least_one(s->lo[p]);
        if (c->recording && waiting) c->ff->calls[call->id].chan_ready = true;
        bool had = at_least_one(s->lo[p]);
        shift(s, p, (cf_aff){0, -1}, (cf_aff){0, -1});
        if (!had) s->lo[p] = (cf_aff){0, 0};
    } else if (m->channel_done.present && m->channel_done.arg < call->nargs) {
        int p = place_of_expr(c, call->args[m->channel_done.arg]);
        if (p >= 0) s->done[p] = 1;
    }
}

static void cf_entry(void *ctx, void *st) {
    cf_ctx *c = ctx;
    cf_state *s = st;
    memset(s, 0, sizeof *s);
    s->reached = true;
    for (int p = 0; p < c->nplaces; p++) forget(s, p);
}

static void cf_bottom(void *ctx, void *st) {
    (void)ctx;
    memset(st, 0, sizeof(cf_state));
}

static void cf_copy(void *ctx, void *dst, const void *src) {
    (void)ctx;
    memcpy(dst, src, sizeof(cf_state));
}

static bool cf_join(void *ctx, void *dstp, const void *srcp) {
    cf_ctx *c = ctx;
    cf_state *d = dstp;
    const cf_state *s = srcp;
    if (!s->reached) return false;
    if (!d->reached) {
        *d = *s;
        return true;
    }
    cf_state before = *d;
    for (int p = 0; p < c->nplaces; p++) {
        if (s->lo[p].c < d->lo[p].c) d->lo[p].c = s->lo[p].c;
        if (s->lo[p].k < d->lo[p].k) d->lo[p].k = s->lo[p].k;
        if (s->hi_unknown[p]) d->hi_unknown[p] = 1;
        if (s->hi[p].c > d->hi[p].c) d->hi[p].c = s->hi[p].c;
        if (s->hi[p].k > d->hi[p].k) d->hi[p].k = s->hi[p].k;
        d->done[p] &= s->done[p];
    }
    c->work += c->nplaces;
    return memcmp(&before, d, sizeof before) != 0;
}

static void cf_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int i) {
    (void)f;
    cf_state *s = st;
    if (s->reached) apply(ctx, s, &b->instrs[i]);
}

/* n passes of net d (n = a * S + k when the bound is S) */
static cf_aff times(int64_t d, const tl_counted_loop *L, int64_t extra) {
    if (L->bound_var >= 0) return (cf_aff){d, d * (L->trips + extra)};
    return (cf_aff){0, d * (L->trips + extra)};
}

static bool cf_edge(void *ctx, void *st, const tl_func *f, const tl_block *b, int si) {
    cf_ctx *c = ctx;
    cf_state *s = st;
    if (!s->reached) return true;
    int L;
    tl_loop_edge k = tl_loop_edge_kind(&c->trips, f, b->id, si, &L);
    if (k != TL_LOOP_EDGE_NONE && !c->loops[L].resets) {
        const tl_counted_loop *lp = &c->trips.loops[L];
        const cf_loop *cl = &c->loops[L];
        if (k == TL_LOOP_EDGE_BACK) return false;
        if (k == TL_LOOP_EDGE_STAY) return lp->bound_var >= 0 || lp->trips > 0;
        for (int p = 0; p < c->nplaces; p++) {
            int64_t lo = cl->dmin[p], hi = cl->dmax[p];
            if (lo == 0 && hi == 0) continue;
            if (lp->bound_var >= 0 && lp->bound_var != c->sym[p]) { /* passes in another unit */
                forget(s, p);
                continue;
            }
            cf_aff dl, dh;
            if (k == TL_LOOP_EDGE_ENTER) { /* any pass 0 .. trips - 1 */
                dl = lo < 0 ? times(lo, lp, -1) : (cf_aff){0, 0};
                dh = hi > 0 ? times(hi, lp, -1) : (cf_aff){0, 0};
            } else { /* left after trips passes */
                dl = lo < 0 ? (cf_aff){0, lo} : times(lo, lp, 0);
                dh = hi > 0 ? (cf_aff){0, hi} : times(hi, lp, 0);
            }
            shift(s, p, dl, dh);
        }
        c->work += c->nplaces;
        return true;
    }
    /* any other loop: its channels are forgotten where it goes round */
    int t = b->succ[si];
    if (t >= 0 && t < f->nblocks && c->comp[t] >= 0 && c->rpo[t] >= 0 && c->rpo[t] <= c->rpo[b->id])
        for (int p = 0; p < c->nplaces && p < CF_MAX_PLACES; p++)
            if (c->comp_uses[c->comp[t]] >> p & 1u) forget(s, p);
    return true;
}

static bool cf_exhausted(void *ctx) {
    const cf_ctx *c = ctx;
    return c->work > c->budget;
}

static const tl_dataflow_ops cf_ops = {
    .state_size = sizeof(cf_state),
    .init_entry = cf_entry,
    .init_bottom = cf_bottom,
    .copy = cf_copy,
    .join = cf_join,
    .transfer = cf_transfer,
    .transfer_edge = cf_edge,
    .exhausted = cf_exhausted,
};

/* The argument indices of a call at which a channel may be read. */
static bool channel_use_allowed(const cf_ctx *c, const tl_call *call, int arg) {
    const tl_fn_model *m = model_of(c, call->id);
    if (!m || call->is_spawn_entry || call->spawn_call >= 0 || m->spawn.present) return false;
    if ((m->channel_put.present && m->channel_put.arg == arg) || (m->channel_take.present && m->channel_take.arg == arg) ||
        (m->channel_done.present && m->channel_done.arg == arg))
        return true;
    /* a call its model says never waits nor puts or takes (chclose): it only
       reads the handle (an unmodelled one, or a choose clause, may use it) */
    return m->nonblocking && !m->channel_put.present && !m->channel_take.present;
}

/* The channels of f: local variables assigned once, from a channel_buffer
 * call, and read only where channel_use_allowed says. */
static void find_places(cf_ctx *c) {
    const tl_func *f = c->f;
    int nv = f->nvars;
    bool *escapes = tl_xcalloc((size_t)nv, sizeof *escapes);
    int *made = tl_xcalloc((size_t)nv, sizeof *made), *assigns = tl_xcalloc((size_t)nv, sizeof *assigns);
    const tl_instr **maker = tl_xcalloc((size_t)nv, sizeof *maker);
    unsigned char *taken = tl_xcalloc((size_t)nv, 1);
    tl_func_addr_taken(f, taken);
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < nv) {
                assigns[in->var]++;
                const tl_expr *v = tl_expr_uncast(in->value);
                const tl_fn_model *m = v && v->kind == TL_E_CALLRES ? model_of(c, v->call_id) : NULL;
                if (m && m->channel_buffer.present) {
                    made[in->var]++;
                    maker[in->var] = c->ff->calls[v->call_id].instr;
                } else {
                    tl_expr_mark_vars(in->value, escapes, nv); /* `x = ch` copies it */
                }
                continue;
            }
            tl_expr_mark_vars(in->value, escapes, nv);
            tl_expr_mark_vars(in->target, escapes, nv);
            if (in->kind != TL_I_CALL) continue;
            tl_expr_mark_vars(in->call.fn, escapes, nv);
            for (int a = 0; a < in->call.nargs; a++) {
                const tl_expr *e = tl_expr_uncast(in->call.args[a]);
                if (e && e->kind == TL_E_VAR && channel_use_allowed(c, &in->call, a)) continue;
                tl_expr_mark_vars(in->call.args[a], escapes, nv);
            }
        }
    for (int v = 0; v < nv && c->nplaces < CF_MAX_PLACES; v++) {
        if (escapes[v] || taken[v] || made[v] != 1 || assigns[v] != 1 || f->vars[v].kind != TL_VAR_LOCAL) continue;
        int p = c->nplaces++;
        c->place_of[v] = p;
        c->sym[p] = -1;
        const tl_instr *mk = maker[v];
        const tl_fn_model *m = mk ? model_of(c, mk->call.id) : NULL;
        int arg = m ? m->channel_buffer.arg : -1;
        if (!mk || arg < 0 || arg >= mk->call.nargs) continue;
        const tl_expr *e = tl_expr_uncast(mk->call.args[arg]);
        const tl_call_facts *cf = &c->ff->calls[mk->call.id];
        if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < nv && c->trips.invariant[e->var]) {
            c->sym[p] = e->var;
            c->cap[p] = (cf_aff){1, 0};
            c->cap_known[p] = true;
        } else if (cf->argv && cf->argv[arg].kind == TL_CV_INT && cf->argv[arg].v >= 0 &&
                   cf->argv[arg].v <= CF_MAX_ABS) {
            c->cap[p] = (cf_aff){0, cf->argv[arg].v};
            c->cap_known[p] = true;
        }
    }
    free(taken);
    free(maker);
    free(assigns);
    free(made);
    free(escapes);
}

/* Per counted loop: the net messages of one pass (least, most), or resets. */
static void loop_nets(cf_ctx *c) {
    const tl_func *f = c->f;
    int n = c->trips.nloops;
    c->loops = tl_xcalloc((size_t)(n > 0 ? n : 1), sizeof *c->loops);
    int *pos = tl_xmalloc((size_t)(f->nblocks > 0 ? f->nblocks : 1) * sizeof *pos);
    for (int L = 0; L < n; L++) {
        const tl_counted_loop *lp = &c->trips.loops[L];
        cf_loop *cl = &c->loops[L];
        int nb = lp->norder;
        int (*lo)[CF_MAX_PLACES] = tl_xcalloc((size_t)nb, sizeof *lo);
        int (*hi)[CF_MAX_PLACES] = tl_xcalloc((size_t)nb, sizeof *hi);
        bool *seen = tl_xcalloc((size_t)nb, sizeof *seen);
        for (int i = 0; i < nb; i++) pos[lp->order[i]] = i;
        seen[0] = true;
        bool ended = false;
        for (int i = 0; i < nb && !cl->resets; i++) {
            if (!seen[i]) continue;
            const tl_block *b = &f->blocks[lp->order[i]];
            int l[CF_MAX_PLACES], h[CF_MAX_PLACES];
            memcpy(l, lo[i], sizeof l);
            memcpy(h, hi[i], sizeof h);
            for (int k = 0; k < b->ninstrs && !cl->resets; k++) {
                const tl_instr *in = &b->instrs[k];
                c->work += c->nplaces + 1;
                if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < f->nvars &&
                    c->place_of[in->var] >= 0)
                    cl->resets = true;
                const tl_fn_model *m = in->kind == TL_I_CALL ? model_of(c, in->call.id) : NULL;
                if (!m) continue;
                int p;
                if (m->channel_put.present && m->channel_put.arg < in->call.nargs &&
                    (p = place_of_expr(c, in->call.args[m->channel_put.arg])) >= 0)
                    l[p]++, h[p]++;
                else if (m->channel_take.present && m->channel_take.arg < in->call.nargs &&
                         (p = place_of_expr(c, in->call.args[m->channel_take.arg])) >= 0)
                    l[p]--, h[p]--;
                else if (m->channel_done.present && m->channel_done.arg < in->call.nargs &&
                         place_of_expr(c, in->call.args[m->channel_done.arg]) >= 0)
                    cl->resets = true;
            }
            for (int p = 0; p < c->nplaces; p++)
                if (l[p] < -64 || h[p] > 64) cl->resets = true; /* (a pass of many: not solved) */
            for (int s = 0; s < b->nsucc; s++) {
                int t = b->succ[s];
                if (t == lp->header) {
                    for (int p = 0; p < c->nplaces; p++) {
                        cl->dmin[p] = (int8_t)(ended && cl->dmin[p] < l[p] ? cl->dmin[p] : l[p]);
                        cl->dmax[p] = (int8_t)(ended && cl->dmax[p] > h[p] ? cl->dmax[p] : h[p]);
                    }
                    ended = true;
                } else if (t >= 0 && t < f->nblocks && c->trips.loop_of[t] == L) {
                    int j = pos[t];
                    for (int p = 0; p < c->nplaces; p++) {
                        if (!seen[j] || l[p] < lo[j][p]) lo[j][p] = l[p];
                        if (!seen[j] || h[p] > hi[j][p]) hi[j][p] = h[p];
                    }
                    seen[j] = true;
                }
            }
        }
        if (!ended) cl->resets = true;
        free(seen);
        free(hi);
        free(lo);
    }
    free(pos);
}

static void run_func(tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->nvars == 0) return;
    bool any = false;
    for (int id = 0; id < ff->ncalls && !any; id++)
        any = ff->calls[id].model && ff->calls[id].model->channel_buffer.present;
    if (!any) return;
    cf_ctx c = {.f = f, .ff = ff, .budget = tl_dataflow_budget(f)};
    c.place_of = tl_xmalloc((size_t)f->nvars * sizeof *c.place_of);
    for (int v = 0; v < f->nvars; v++) c.place_of[v] = -1;
    tl_loop_trips_find(f, &c.trips, NULL, NULL);
    find_places(&c);
    if (c.nplaces > 0) {
        int ncomp = c.trips.ncomp; /* (the components loop_trips found) */
        c.comp = c.trips.comp;
        c.comp_uses = tl_xcalloc((size_t)(ncomp > 0 ? ncomp : 1), sizeof *c.comp_uses);
        for (int b = 0; b < f->nblocks; b++) {
            if (c.comp[b] < 0) continue;
            for (int i = 0; i < f->blocks[b].ninstrs; i++) {
                const tl_instr *in = &f->blocks[b].instrs[i];
                if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && c.place_of[in->var] >= 0)
                    c.comp_uses[c.comp[b]] |= 1u << c.place_of[in->var];
                for (int a2 = 0; in->kind == TL_I_CALL && a2 < in->call.nargs; a2++) {
                    int p = place_of_expr(&c, in->call.args[a2]);
                    if (p >= 0) c.comp_uses[c.comp[b]] |= 1u << p;
                }
            }
        }
        c.rpo = tl_xmalloc((size_t)f->nblocks * sizeof *c.rpo);
        tl_dataflow_rpo(f, c.rpo);
        loop_nets(&c);
        tl_dataflow_result r;
        if (tl_dataflow_forward(f, &cf_ops, &c, &r) == 0) {
            c.recording = true;
            cf_state s;
            for (int bi = 0; bi < f->nblocks; bi++) {
                if (!r.reached[bi]) continue;
                tl_dataflow_replay(&r, f, bi, 0, &s);
                for (int i = 0; i < f->blocks[bi].ninstrs && s.reached; i++) apply(&c, &s, &f->blocks[bi].instrs[i]);
            }
        }
        tl_dataflow_free(&r);
    }
    free(c.loops);
    free(c.rpo);
    free(c.comp_uses);
    tl_loop_trips_free(&c.trips);
    free(c.place_of);
}

void tl_analysis_mark_chan_fill(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) run_func(a, fi);
}
