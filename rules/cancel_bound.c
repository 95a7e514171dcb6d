/* cancel_bound.c - coroutine spawns whose owner ends them by cancellation.
 *
 * A coroutine spawn (a spawn facet with `context: coroutine`: libdill's go(),
 * bundle_go()) is *cancel-bounded* when, on every path from it to the
 * function's exit, the coroutine's handle - or the bundle it was launched
 * into (the spawn's owner_arg) - is released by a call whose release facet
 * `cancels` (libdill hclose), and the function never waits forever on that
 * handle or bundle (an await facet with a forever timeout: bundle_wait(b, -1)).
 * Such a coroutine cannot stay blocked once its owner is done: the owner's
 * release makes its blocking calls fail (ECANCELED).  missing-timeout reads
 * it, through the summary and the program (tl_program_cancel_bounded), to
 * leave the forever waits of an entry all of whose spawns are bounded.
 *
 * One forward dataflow per function that has such a spawn (at most 64
 * spawns, 32 handle variables; beyond that nothing is bounded): a may-set
 * of spawns still pending (union at joins), and per handle variable the
 * spawns it must hold (intersection at joins; `x = go(...)`, `y = x`).  A
 * bundle spawn is keyed by its owner variable, fixed at the spawn: assigning
 * or re-declaring that variable while the spawn may be pending spoils it.
 * A handle spawn re-run while its previous instance may be pending (a loop
 * that overwrites the handle) is spoiled too.  The failure edge of the
 * spawn's own result (`if (h < 0)`) ends it (ownership.h).  A spawn still
 * pending at the exit, or in a loop from which the exit cannot be reached
 * (a server loop that never closes), is not bounded; paths that end in a
 * noreturn call do not count.  Linear in the function (bitset states).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cancel_bound.h"
#include "ownership.h"
#include "../analyzer/dataflow/cycles.h"
#include "../analyzer/dataflow/dataflow.h"
#include "../analyzer/util/xalloc.h"

#define CB_MAX_SPAWNS 64
#define CB_MAX_VARS 32

typedef struct {
    uint64_t reached;
    uint64_t pending;             /* spawns that may still run un-cancelled */
    uint64_t hold[CB_MAX_VARS];   /* per tracked variable: spawns it must hold
                                     (only the first ntracked are stored) */
} cb_state;

typedef struct {
    const tl_analysis *a;
    int fi;
    const tl_func *f;
    int nspawns;
    int spawn_call[CB_MAX_SPAWNS]; /* bit -> call id */
    int owner_var[CB_MAX_SPAWNS];  /* bundle spawn: the owner variable; else -1 */
    int *bit_of_call;              /* call id -> bit, -1 */
    int *tix;                      /* var -> tracked index, -1 */
    int ntracked;
    size_t ssize;                  /* state bytes: the header and ntracked holds */
    uint64_t spoiled;              /* flow-insensitive: never bounded */
    const cb_state *cur;           /* for the edge callback */
    long budget;
} cb_ctx;

static void cb_bottom(void *ctx, void *st) { memset(st, 0, ((cb_ctx *)ctx)->ssize); }
static void cb_entry(void *ctx, void *st) { cb_bottom(ctx, st); ((cb_state *)st)->reached = 1; }
static void cb_copy(void *ctx, void *d, const void *s) { memcpy(d, s, ((cb_ctx *)ctx)->ssize); }

static bool cb_join(void *ctx, void *dst, const void *src) {
    cb_ctx *c = ctx;
    cb_state *d = dst;
    const cb_state *s = src;
    if (!s->reached) return false;
    if (!d->reached) {
        memcpy(d, s, c->ssize);
        return true;
    }
    bool changed = (d->pending | s->pending) != d->pending;
    d->pending |= s->pending;
    for (int i = 0; i < c->ntracked; i++) {
        uint64_t h = d->hold[i] & s->hold[i];
        if (h != d->hold[i]) changed = true;
        d->hold[i] = h;
    }
    return changed;
}

/* The variable an argument is, plainly (`h`, `(int)h`), or -1. */
static int plain_var(const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR ? e->var : -1;
}

static int tracked(const cb_ctx *c, int v) { return v >= 0 && v < c->f->nvars ? c->tix[v] : -1; }

/* The spawns a value holds: a spawn's result, or a tracked variable's. */
static uint64_t value_holds(const cb_ctx *c, const cb_state *st, const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e) return 0;
    if (e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < c->f->ncalls) {
        int b = c->bit_of_call[e->call_id];
        return b >= 0 ? (uint64_t)1 << b : 0;
    }
    int t = e->kind == TL_E_VAR ? tracked(c, e->var) : -1;
    return t >= 0 ? st->hold[t] : 0;
}

/* Spawns keyed by variable v: bundle spawns owned by it, handles it holds. */
static uint64_t keyed_by(const cb_ctx *c, const cb_state *st, int v, bool with_owned) {
    uint64_t m = 0;
    if (v < 0) return 0;
    for (int b = 0; b < c->nspawns; b++)
        if (c->owner_var[b] == v && with_owned) m |= (uint64_t)1 << b;
    int t = tracked(c, v);
    if (t >= 0)
        for (int b = 0; b < c->nspawns; b++)
            if (c->owner_var[b] < 0 && (st->hold[t] >> b & 1)) m |= (uint64_t)1 << b;
    return m;
}

static void assigned(cb_ctx *c, cb_state *st, int v, uint64_t holds) {
    for (int b = 0; b < c->nspawns; b++)
        if (c->owner_var[b] == v && (st->pending >> b & 1)) c->spoiled |= (uint64_t)1 << b;
    int t = tracked(c, v);
    if (t >= 0) st->hold[t] = holds;
}

static void cb_transfer(void *ctx, void *stp, const tl_func *f, const tl_block *blk, int ii) {
    cb_ctx *c = ctx;
    cb_state *st = stp;
    const tl_instr *in = &blk->instrs[ii];
    c->budget--;
    switch (in->kind) {
    case TL_I_ASSIGN:
        assigned(c, st, in->var, value_holds(c, st, in->value));
        break;
    case TL_I_DECL:
        assigned(c, st, in->var, 0);
        break;
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        if (call->id < 0 || call->id >= f->ncalls) break;
        int b = c->bit_of_call[call->id];
        if (b >= 0) {
            uint64_t bit = (uint64_t)1 << b;
            if (c->owner_var[b] < 0 && (st->pending & bit)) c->spoiled |= bit; /* old instance */
            st->pending |= bit;
            break;
        }
        const tl_call_facts *cf = &c->a->funcs[c->fi].calls[call->id];
        const tl_fn_model *m = cf->model;
        if (!m) break;
        if (m->release.present && m->release.cancels && m->release.arg < call->nargs)
            st->pending &= ~keyed_by(c, st, plain_var(call->args[m->release.arg]), true);
        tl_wait_kind k;
        if (m->await.present && m->await.arg < call->nargs && tl_call_waits_forever(cf, &k))
            c->spoiled |= keyed_by(c, st, plain_var(call->args[m->await.arg]), true) & st->pending;
        break;
    }
    default:
        break;
    }
}

static int cb_var_holds(void *ctx, int v) {
    cb_ctx *c = ctx;
    int t = tracked(c, v);
    if (t < 0 || !c->cur) return -1;
    uint64_t h = c->cur->hold[t];
    if (!h || (h & (h - 1))) return -1; /* none, or more than one */
    for (int b = 0; b < c->nspawns; b++)
        if (h >> b & 1) return c->spawn_call[b];
    return -1;
}

static bool cb_edge(void *ctx, void *stp, const tl_func *f, const tl_block *blk, int s) {
    cb_ctx *c = ctx;
    cb_state *st = stp;
    (void)f;
    c->cur = st;
    int outcome = 0;
    int id = tl_own_edge_spawn_outcome(c->a, c->fi, blk, s, cb_var_holds, c, NULL, &outcome);
    c->cur = NULL;
    if (id >= 0 && id < c->f->ncalls && outcome < 0 && c->bit_of_call[id] >= 0)
        st->pending &= ~((uint64_t)1 << c->bit_of_call[id]);
    return true;
}

static bool cb_exhausted(void *ctx) { return ((cb_ctx *)ctx)->budget < 0; }

static const tl_dataflow_ops cb_ops = {
    .state_size = sizeof(cb_state),
    .init_entry = cb_entry,
    .init_bottom = cb_bottom,
    .copy = cb_copy,
    .join = cb_join,
    .transfer = cb_transfer,
    .transfer_edge = cb_edge,
    .exhausted = cb_exhausted,
};

/* Track the variables a spawn's handle is assigned to, through copies
 * (flow-insensitive closure, to a fixpoint bounded by CB_MAX_VARS rounds). */
static bool collect_tracked(cb_ctx *c) {
    const tl_func *f = c->f;
    bool grew = true;
    for (int round = 0; grew && round <= CB_MAX_VARS; round++) {
        grew = false;
        for (int bi = 0; bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars || c->tix[in->var] >= 0)
                    continue;
                const tl_expr *e = tl_expr_uncast(in->value);
                bool from = e && ((e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls &&
                                   c->bit_of_call[e->call_id] >= 0) ||
                                  (e->kind == TL_E_VAR && tracked(c, e->var) >= 0));
                if (!from || !tl_own_var_is_local(&f->vars[in->var])) continue;
                if (c->ntracked == CB_MAX_VARS) return false;
                c->tix[in->var] = c->ntracked++;
                grew = true;
            }
    }
    return true;
}

/* Blocks from which f's exit can be reached (backward walk). */
static bool *reaches_exit(const tl_func *f) {
    bool *r = tl_xcalloc((size_t)(f->nblocks > 0 ? f->nblocks : 1), sizeof *r);
    int *work = tl_xmalloc((size_t)(f->nblocks > 0 ? f->nblocks : 1) * sizeof *work);
    int n = 0;
    if (f->exit >= 0 && f->exit < f->nblocks) r[f->exit] = true, work[n++] = f->exit;
    while (n > 0) {
        const tl_block *b = &f->blocks[work[--n]];
        for (int k = 0; k < b->npred; k++) {
            int p = b->pred[k];
            if (p >= 0 && p < f->nblocks && !r[p]) r[p] = true, work[n++] = p;
        }
    }
    free(work);
    return r;
}

bool *tl_cancel_bounded_spawns(const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    cb_ctx c;
    memset(&c, 0, sizeof c);
    c.a = a, c.fi = fi, c.f = f;
    c.bit_of_call = tl_xmalloc(((size_t)f->ncalls + 1) * sizeof *c.bit_of_call);
    for (int id = 0; id < f->ncalls; id++) {
        c.bit_of_call[id] = -1;
        const tl_call_facts *cf = id < ff->ncalls ? &ff->calls[id] : NULL;
        const tl_fn_model *m = cf && cf->instr && cf->reached ? cf->model : NULL;
        if (!m || !m->spawn.present || m->spawn.context != TL_CTX_COROUTINE) continue;
        if (c.nspawns == CB_MAX_SPAWNS) {
            free(c.bit_of_call);
            return NULL;
        }
        int b = c.nspawns++;
        c.spawn_call[b] = id;
        c.bit_of_call[id] = b;
        c.owner_var[b] = -1;
        if (tl_own_spawn_has_owner(a, fi, &cf->instr->call, m)) {
            int ov = m->spawn.owner_arg < cf->instr->call.nargs
                         ? plain_var(cf->instr->call.args[m->spawn.owner_arg]) : -1;
            if (ov >= 0) c.owner_var[b] = ov;
            else c.spoiled |= (uint64_t)1 << b; /* a bundle in memory: not followed */
        }
    }
    if (c.nspawns == 0) {
        free(c.bit_of_call);
        return NULL;
    }
    bool *bounded = tl_xcalloc((size_t)f->ncalls + 1, sizeof *bounded);
    c.tix = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *c.tix);
    for (int v = 0; v < f->nvars; v++) c.tix[v] = -1;
    c.budget = tl_dataflow_budget(f);
    tl_dataflow_result r;
    if (collect_tracked(&c)) {
        tl_dataflow_ops ops = cb_ops;
        ops.state_size = c.ssize = offsetof(cb_state, hold) + (size_t)c.ntracked * sizeof(uint64_t);
        bool solved = tl_dataflow_forward(f, &ops, &c, &r) == 0; /* else nothing is bounded */
        uint64_t bad = c.spoiled;
        bool *exits = reaches_exit(f), *cyclic = tl_blocks_on_cycles(f);
        for (int bi = 0; solved && bi < f->nblocks; bi++) {
            const cb_state *st = tl_dataflow_in(&r, bi);
            if (!r.reached[bi] || !st->reached) continue;
            if (bi == f->exit || (cyclic[bi] && !exits[bi])) bad |= st->pending;
        }
        for (int b = 0; solved && b < c.nspawns; b++)
            bounded[c.spawn_call[b]] = !(bad >> b & 1);
        free(exits);
        free(cyclic);
        tl_dataflow_free(&r);
    }
    free(c.tix);
    free(c.bit_of_call);
    return bounded;
}
