/* fdstate_lattice.c - the lattice of the descriptor-state dataflow
 * (fdstate.c): bottom, entry, copy, join, the block and edge transfers
 * (an edge refines the state by a call's result on that branch), and the
 * forward run and exit replay over it (fds_forward, fds_replay_exits).
 * The facts themselves and the transfer of one instruction are fdstate.c's
 * (fds_apply, fds_find, fds_set_bits, fds_set_hbit).  Split from fdstate.c
 * (it has grown since: the join of -1 with non-blocking, the live-slot
 * filter).
 */
#include "fdstate.h"
#include "fdstate_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../program/program.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"
#include "dataflow.h"
#include "liveness.h"

/* ---- the lattice ---- */

static void fs_bottom(void *ctx, void *state) {
    (void)ctx;
    fd_state *s = state;
    s->top = true;
    s->e = NULL;
    s->n = 0;
}

static void fs_entry(void *ctx, void *state) {
    fd_ctx *c = ctx;
    fd_state *s = state;
    s->top = false;
    s->e = NULL;
    s->n = 0;
    for (int p = 0; c->readiness && p < c->f->nparams && p < c->nvars; p++)
        fds_set_bits(c, s, p,
                 p == c->ready_param || p == c->ready_param2 ? TL_FDS_READY | TL_FDS_DERIVED : TL_FDS_DERIVED);
    for (int p = 0; c->hyp_param && p < c->f->nparams && p < c->nvars; p++)
        fds_set_hbit(c, s, p, c->hyp_param[p]);
}

static void fs_copy(void *ctx, void *dst, const void *src) {
    fd_state *d = dst;
    const fd_state *s = src;
    ((fd_ctx *)ctx)->work += s->n;
    free(d->e);
    d->top = s->top;
    d->n = s->n;
    d->e = tl_xmalloc(((size_t)s->n + 1) * sizeof *d->e);
    if (s->n) memcpy(d->e, s->e, (size_t)s->n * sizeof *d->e);
}

static bool same_fact(const fact *a, const fact *b) {
    return a->bits == b->bits && a->hbit == b->hbit && a->flags_of == b->flags_of && a->has_val == b->has_val && (!a->has_val || a->val == b->val) &&
           a->src_var == b->src_var && a->wait_call == b->wait_call && a->src_call == b->src_call && a->via == b->via;
}

/* A descriptor holding a negative constant (`int fd = -1`, `{-1, -1}`):
 * no descriptor, I/O on it fails at once. */
static bool no_descriptor_fact(const fact *f) {
    return f->has_val && f->val < 0 && !f->bits && f->src_var < 0;
}

/* One path holds no descriptor, the other a non-blocking one (`sv = {-1,
 * -1}; if (need) socketpair(... | SOCK_NONBLOCK, sv)`): whichever it is, I/O
 * on it does not block.  Sets *g to that and returns true. */
static bool join_no_descriptor(const fact *a, const fact *b, fact *g) {
    const fact *nb = no_descriptor_fact(a) ? b : no_descriptor_fact(b) ? a : NULL;
    if (!nb || nb->has_val || !(nb->bits & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE))) return false;
    *g = (fact){a->key, nb->bits & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE), false, 0, -1, -1, -1, 0, 0, 0};
    return true;
}

/* dst = dst MEET src: the facts both hold (bits of a variable: the common ones). */
static bool fs_join(void *ctx, void *dst, const void *src) {
    fd_ctx *c = ctx;
    fd_state *d = dst;
    const fd_state *s = src;
    if (s->top) return false;
    if (d->top) {
        fs_copy(ctx, d, s);
        return true;
    }
    c->work += d->n + s->n;
    int n = 0, j = 0;
    bool changed = false;
    for (int i = 0; i < d->n; i++) {
        while (j < s->n && s->e[j].key < d->e[i].key) j++;
        fact f = d->e[i];
        if (j < s->n && s->e[j].key == f.key) {
            fact g;
            if (!same_fact(&f, &s->e[j]) && join_no_descriptor(&f, &s->e[j], &g)) {
                if (!same_fact(&g, &f)) changed = true;
                d->e[n++] = g;
                continue;
            }
            if (f.key < c->nvars) {
                const fact *o = &s->e[j];
                g = f;
                g.bits = f.bits & o->bits;
                if (g.has_val && (!o->has_val || o->val != g.val)) g.has_val = false;
                if (g.wait_call != o->wait_call) g.wait_call = -1;
                if (g.src_call != o->src_call) g.src_call = -1;
                if (g.hbit != o->hbit) g.hbit = FDS_HB_UNKNOWN;
                if (g.flags_of != o->flags_of) g.flags_of = 0;
                /* non-blocking on one side, non-blocking if X on the other: if X */
                if (g.via != o->via)
                    g.via = (f.bits & TL_FDS_NONBLOCKING) && o->via ? o->via
                            : (o->bits & TL_FDS_NONBLOCKING) && f.via ? f.via : 0;
                if (!same_fact(&g, &f)) changed = true;
                if (g.bits || g.src_call >= 0 || g.hbit || g.has_val || g.flags_of || g.via) d->e[n++] = g;
                continue;
            }
            if (same_fact(&f, &s->e[j])) {
                d->e[n++] = f;
                continue;
            }
        }
        changed = true;
    }
    d->n = n;
    return changed;
}

static void fs_transfer_block(void *ctx, void *state, const tl_func *f, const tl_block *b) {
    (void)f;
    fd_ctx *c = ctx;
    fd_state *s = state;
    if (s->top) return;
    for (int i = 0; i < b->ninstrs; i++) fds_apply(c, s, &b->instrs[i], false);
    c->work += b->ninstrs;
}

/* Keep the facts whose variable (a slot's: its struct or pointer) is live
 * on entry to block t, so that states hold what is in flight only. */
static void keep_live(fd_ctx *c, fd_state *s, int t) {
    int n = 0;
    for (int i = 0; i < s->n; i++) {
        int v = s->e[i].key < c->nvars ? s->e[i].key : c->slot_var[s->e[i].key - c->nvars];
        /* (liveness counts branch conditions as reads: a hypothesis bit, status
           flags; a pinned parameter's slots; a scalar parameter's own state,
           read at the exits: params_at_exit) */
        if (tl_liveness_has(&c->live, t, v) || (c->pinned && c->pinned[v]) ||
            (s->e[i].key < c->f->nparams && s->e[i].key < 32))
            s->e[n++] = s->e[i];
    }
    c->work += s->n;
    s->n = n;
}

static void refine_by_result(fd_ctx *c, fd_state *s, const tl_block *b, int succ);

static bool fs_edge(void *ctx, void *state, const tl_func *f, const tl_block *b, int succ) {
    (void)f;
    fd_ctx *c = ctx;
    fd_state *s = state;
    if (s->top) return true;
    if ((c->hyp_param || c->nz_param) && b->term == TL_T_BRANCH && b->cond && b->nsucc == 2) {
        int t = fds_truth(c, s, b->cond); /* a branch the hypothesis decides */
        if (t >= 0 && (t == 1) != (succ == 0)) return false;
    }
    refine_by_result(c, s, b, succ);
    fds_refine_negative(c, s, b, succ);
    fds_refine_flags(c, s, b, succ);
    if (succ >= 0 && succ < b->nsucc && b->succ[succ] >= 0 && b->succ[succ] < c->live.nblocks)
        keep_live(c, s, b->succ[succ]);
    return true;
}

/* Along the branch edge on which a readiness wait may have failed (timed
 * out, was cancelled), what it made ready is not known ready. */
static void refine_by_result(fd_ctx *c, fd_state *s, const tl_block *b, int succ) {
    if (b->term != TL_T_BRANCH || !b->cond || b->nsucc != 2) return;
    int id = -1, r = -1;
    fds_cond_operand(tl_expr_uncast(b->cond), &id, &r);
    if (id < 0 && r >= 0) {
        fact *rf = fds_find(s, r);
        id = rf ? rf->src_call : -1;
    }
    if (id < 0 || id >= c->ff->ncalls) return;
    const tl_fn_model *m = c->ff->calls[id].model;
    if (!m || !m->readiness_wait.present || m->readiness_wait.success == TL_RW_SUCCESS_ANY) return;
    /* the results that mean failure: -1 (zero), 0 (nonzero), both (positive) */
    static const int64_t fails[] = {-1, 0};
    tl_rw_success sk = m->readiness_wait.success;
    int first = sk == TL_RW_SUCCESS_NONZERO ? 1 : 0, last = sk == TL_RW_SUCCESS_ZERO ? 1 : 2;
    bool may_fail_here = false;
    for (int k = first; k < last; k++) {
        int64_t t;
        if (!fds_eval_failed(b->cond, id, r, fails[k], &t)) return; /* not a test of the result */
        if ((t != 0) == (succ == 0)) may_fail_here = true;
    }
    if (!may_fail_here) return; /* the wait succeeded on this edge */
    int n = 0;
    for (int i = 0; i < s->n; i++) {
        fact g = s->e[i];
        if (g.key < c->nvars && g.wait_call == id) {
            g.bits &= ~(unsigned)TL_FDS_READY;
            g.wait_call = -1;
            if (!g.bits && g.src_call < 0 && !g.hbit && !g.flags_of) continue;
        }
        s->e[n++] = g;
    }
    c->work += s->n;
    s->n = n;
}

static void fs_destroy(void *ctx, void *state) {
    (void)ctx;
    fd_state *s = state;
    free(s->e);
    s->e = NULL;
    s->n = 0;
}

static bool fs_exhausted(void *ctx) {
    const fd_ctx *c = ctx;
    return c->work > c->budget;
}

/* Facts on file-scope variables survive the calls that keep them
 * (analysis.h: tl_call_keeps_globals). */
static bool fs_keeps_globals(void *ctx, const tl_instr *call) {
    const fd_ctx *c = ctx;
    return tl_call_keeps_globals(c->f, &c->ff->calls[call->call.id]);
}

const tl_dataflow_ops fds_ops = {
    .state_size = sizeof(fd_state),
    .init_entry = fs_entry,
    .init_bottom = fs_bottom,
    .copy = fs_copy,
    .join = fs_join,
    .transfer = NULL,
    .transfer_block = fs_transfer_block,
    .transfer_edge = fs_edge,
    .destroy = fs_destroy,
    .exhausted = fs_exhausted,
    /* a descriptor made non-blocking under one test and created so under
       the opposite one (`if (use_accept4) accept4(..., SOCK_NONBLOCK) else
       accept(); if (!use_accept4) fcntl(... O_NONBLOCK)`) */
    .split_by_facts = true,
    .call_keeps_globals = fs_keeps_globals,
};

int fds_forward(fd_ctx *c, tl_dataflow_result *res) {
    return tl_dataflow_forward(c->f, &fds_ops, c, res);
}

void fds_replay_exits(fd_ctx *c, const tl_dataflow_result *res, void (*at_exit)(fd_ctx *, fd_state *, const tl_block *)) {
    const tl_func *f = c->f;
    fd_state s;
    for (int bi = 0; bi < f->nblocks; bi++) {
        if (!res->reached || !res->reached[bi] || f->blocks[bi].term != TL_T_EXIT) continue;
        fs_bottom(c, &s);
        fs_copy(c, &s, tl_dataflow_in(res, bi));
        for (int i = 0; !s.top && i < f->blocks[bi].ninstrs; i++) fds_apply(c, &s, &f->blocks[bi].instrs[i], false);
        at_exit(c, &s, &f->blocks[bi]);
        fs_destroy(c, &s);
    }
}

void fds_state_bottom(fd_ctx *c, fd_state *s) {
    fs_bottom(c, s);
}

void fds_state_copy(fd_ctx *c, fd_state *dst, const fd_state *src) {
    fs_copy(c, dst, src);
}

void fds_state_destroy(fd_ctx *c, fd_state *s) {
    fs_destroy(c, s);
}
