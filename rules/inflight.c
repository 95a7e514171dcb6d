/* inflight.c - operations prepared and in flight per object (see inflight.h).
 *
 * State: a sparse map from variable to a packed value (kinds in bits 0-7,
 * prepared count in 8-15, in-flight count in 16-23, completions known to
 * be waiting in the ring in 24-31: a `keeps` await that succeeded waited
 * for them and left them there); an absent variable has
 * nothing prepared or in flight.  Keys nvars + v say which start call's
 * result variable v holds (call id + 1), for the failure edges; keys
 * 2 * nvars + v which object variable v holds a part of (object + 1), for
 * an sqe variable reused across rings.  Joins OR
 * the kinds and keep a count only where both sides agree, so the lattice is
 * finite (kinds x 256 x 256 per variable) and the solve stays within the
 * dataflow budget, linear in the function.
 */
#include "inflight.h"
#include "inflight_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "../analyzer/dataflow/fd_origin.h"
#include "../analyzer/dataflow/sparse_map.h"
#include "../analyzer/program/program.h"
#include "../analyzer/util/xalloc.h"

typedef struct {
    bool reached;
    tl_sparse_map vars;
} if_state;

int tl_if_add_count(int a, int b) {
    if (a == TL_IF_MANY || b == TL_IF_MANY || a + b >= TL_IF_MANY) return TL_IF_MANY;
    return a + b;
}

int tl_if_npeer(uint64_t x) {
    int raw = (int)((x >> 32) & 0xffu);
    return raw ? raw - 1 : (KINDS(x) & TL_IF_PEER) ? TL_IF_MANY : 0;
}

uint64_t tl_if_with_counts(uint64_t x, int n, int m) {
    x &= ~((uint64_t)0xffff << 32);
    if (n == 0) x &= ~(uint64_t)TL_IF_PEER; /* no posting request may wait on a peer */
    else if (n != TL_IF_MANY && n < 254) x |= (uint64_t)(n + 1) << 32;
    if (m > 0) x |= (uint64_t)(m < 254 ? m : 254) << 40;
    return x;
}

static uint64_t join_val(int key, int nvars, uint64_t x, uint64_t y) {
    if (key >= nvars) return x == y ? x : 0;
    int p = PREP(x) == PREP(y) ? PREP(x) : TL_IF_MANY;
    int f = FLIGHT(x) == FLIGHT(y) ? FLIGHT(x) : TL_IF_MANY;
    int r = READY(x) < READY(y) ? READY(x) : READY(y); /* known on both paths */
    int n = tl_if_npeer(x) == tl_if_npeer(y) ? tl_if_npeer(x) : TL_IF_MANY; /* an upper bound */
    int m = NCOMP(x) < NCOMP(y) ? NCOMP(x) : NCOMP(y);                       /* a lower bound */
    uint64_t z = PACKR(KINDS(x) | KINDS(y), p, f, r);
    return (KINDS(z) & TL_IF_PEER) || m ? tl_if_with_counts(z, n, m) : z;
}

static void if_bottom(void *ctx, void *st) {
    (void)ctx;
    if_state *s = st;
    s->reached = false;
    s->vars.e = NULL;
    s->vars.n = 0;
}

/* Objects the function did not make carry operations from outside, unless
 * the function prepares operations on them itself: then it manages their
 * work (what its callers started they reap themselves). */
static bool from_outside(const if_ctx *c, int v) {
    return c->tracked[v] && !c->prepares[v] && c->f->vars[v].kind != TL_VAR_LOCAL &&
           c->f->vars[v].kind != TL_VAR_TEMP;
}

static void if_entry(void *ctx, void *st) {
    if_ctx *c = ctx;
    if_state *s = st;
    if_bottom(ctx, st);
    s->reached = true;
    int n = 0;
    for (int v = 0; v < c->nvars; v++) n += from_outside(c, v);
    if (!n) return;
    s->vars.e = tl_xmalloc((size_t)n * sizeof *s->vars.e);
    for (int v = 0; v < c->nvars; v++)
        if (from_outside(c, v))
            s->vars.e[s->vars.n++] = (tl_sparse_entry){v, PACK(TL_IF_OUTSIDE, 0, TL_IF_MANY)};
}

static void if_copy(void *ctx, void *dst, const void *src) {
    if_state *d = dst;
    const if_state *s = src;
    ((if_ctx *)ctx)->work += s->vars.n;
    d->reached = s->reached;
    tl_sparse_copy(&d->vars, &s->vars);
}

static bool if_join(void *ctx, void *dst, const void *src) {
    if_ctx *c = ctx;
    if_state *d = dst;
    const if_state *s = src;
    if (!s->reached) return false;
    if (!d->reached) {
        if_copy(ctx, dst, src);
        return true;
    }
    c->work += d->vars.n + s->vars.n;
    tl_sparse_entry *e = tl_xmalloc(((size_t)d->vars.n + (size_t)s->vars.n + 1) * sizeof *e);
    int n = 0, i = 0, j = 0;
    bool changed = false;
    while (i < d->vars.n || j < s->vars.n) {
        int key;
        uint64_t x = 0, y = 0;
        if (j >= s->vars.n || (i < d->vars.n && d->vars.e[i].key < s->vars.e[j].key)) {
            key = d->vars.e[i].key, x = d->vars.e[i++].bits;
        } else if (i >= d->vars.n || s->vars.e[j].key < d->vars.e[i].key) {
            key = s->vars.e[j].key, y = s->vars.e[j++].bits;
        } else {
            key = d->vars.e[i].key, x = d->vars.e[i++].bits, y = s->vars.e[j++].bits;
        }
        uint64_t z = join_val(key, c->nvars, x, y);
        changed |= z != x;
        if (z) e[n++] = (tl_sparse_entry){key, z};
    }
    free(d->vars.e);
    d->vars.e = e;
    d->vars.n = n;
    return changed;
}

static void if_destroy(void *ctx, void *st) {
    (void)ctx;
    tl_sparse_free(&((if_state *)st)->vars);
}

int tl_if_root_of(const if_ctx *c, const tl_call *call, int arg) {
    return tl_own_call_arg_var(call, arg, c->nvars);
}

const tl_fn_model *tl_if_model_of(const if_ctx *c, int call) {
    return tl_own_model(c->a, c->fi, call);
}

/* The object whose part a call's result is (part_of), or -1. */
static int result_part_of(const if_ctx *c, int call) {
    const tl_fn_model *m = tl_if_model_of(c, call);
    const tl_instr *pi = call < c->a->funcs[c->fi].ncalls ? c->a->funcs[c->fi].calls[call].instr : NULL;
    return m && m->part_of.present && pi ? tl_if_root_of(c, &pi->call, m->part_of.arg) : -1;
}

/* The object a prepare call's argument is a part of, or -1: the call
 * handing it out, else what the variable holds on this path (the state's
 * part keys, when st is given), else the one object the variable ever
 * holds parts of. */
int tl_if_part_owner(const if_ctx *c, const tl_call *call, int arg, bool flow) {
    if (arg < 0 || arg >= call->nargs) return -1;
    const tl_expr *e = tl_expr_uncast(call->args[arg]);
    if (e && e->kind == TL_E_CALLRES) return result_part_of(c, e->call_id);
    int v = tl_own_arg_root(e);
    if (v < 0 || v >= c->nvars) return -1;
    if (flow) {
        uint64_t w = c->env.val[2 * c->nvars + v];
        if (w) return (int)w - 1;
    }
    return c->owner[v] >= 0 ? c->owner[v] : -1;
}

/* The kind of a prepared operation. */
unsigned tl_if_op_kind(const if_ctx *c, const tl_call *call, const tl_prepare_facet *p) {
    if (p->op == TL_OP_UNKNOWN) return TL_IF_OUTSIDE;
    if (p->op == TL_OP_PEER) return TL_IF_PEER;
    if (p->op == TL_OP_IMMEDIATE) return TL_IF_IMMEDIATE;
    if (p->op == TL_OP_COMPLETE || p->op == TL_OP_CANCEL || p->op == TL_OP_LINK_TIMEOUT)
        return TL_IF_COMPLETE;
    int d = tl_if_root_of(c, call, p->fd_arg);
    /* a descriptor of unknown origin may be a socket or a pipe */
    return d >= 0 && c->desc[d] == TL_FDO_COMPLETES ? TL_IF_COMPLETE : TL_IF_PEER;
}

/* A program function's derived prepare facet whose operations' kinds its
 * summary knows (analyzer/program: the helper prepares a receive, or only
 * file reads): applied to the object itself, not to a part of it. */
static bool helper_prepare(const tl_fn_model *m) {
    return m && m->prepare.present && m->prepare.op != TL_OP_UNKNOWN && m->library &&
           strcmp(m->library, "program") == 0;
}

/* Whether argument k of a call may do anything to the object it names:
 * a function nobody describes, a spawn or callback registration (another
 * task gets it), or a program function that prepares or
 * starts work on the parameter (its derived `prepare` of unknown
 * operations).  A library call without a facet on it, and a program
 * function that does neither with the parameter, do not. */
bool tl_if_opaque_arg(const if_ctx *c, const tl_call *call, const tl_fn_model *m, int k) {
    if (m && (m->spawn.present || m->callback.present)) return true; /* to another task */
    if (call->callee_system || (call->callee && tl_models_namespace(c->a->models, call->callee)))
        return false;
    if (!m) {
        bool is_slot;
        const char *usr = tl_call_target_usr(c->f, call, &is_slot);
        return !(usr && !is_slot && tl_program_defines(c->a->program, usr));
    }
    if (!m->library || strcmp(m->library, "program") != 0) return false;
    if (m->await.present && m->await.arg == k) return false;
    if (m->teardown.present && m->teardown.arg == k) return false;
    return (m->prepare.present && m->prepare.arg == k && !helper_prepare(m)) ||
           (m->release.present && m->release.arg == k);
}


/* The object a facet of this call is about: await, start, then teardown. */
static int facet_object(const if_ctx *c, const tl_call *call, const tl_fn_model *m) {
    int v = -1;
    if (m->await.present) v = tl_if_root_of(c, call, m->await.arg);
    if (v < 0 && m->start.present) v = tl_if_root_of(c, call, m->start.arg);
    if (v < 0 && m->teardown.present) v = tl_if_root_of(c, call, m->teardown.arg);
    return v >= 0 && c->tracked[v] ? v : -1;
}

static void record(if_ctx *c, const tl_call *call, const tl_fn_model *m) {
    if (!m || call->id < 0 || call->id >= c->out->ncalls) return;
    int v = facet_object(c, call, m);
    if (v < 0) return;
    uint64_t x = get(c, v);
    tl_inflight_at *at = &c->out->before[call->id];
    at->known = true;
    at->kinds = KINDS(x);
    at->prepared = PREP(x);
    at->inflight = FLIGHT(x);
    at->ready = READY(x);
    at->peer_prep = (KINDS(x) & TL_IF_PEER) ? c->peer_prep[v] : -1;
    at->bounded = NCOMP(x);
    at->comp_prep = NCOMP(x) ? c->comp_prep[v] : -1;
}

static void apply(if_ctx *c, const tl_instr *in) {
    if (in->kind == TL_I_DECL) {
        if (in->var >= 0 && in->var < c->nvars && c->tracked[in->var]) put(c, in->var, 0);
        if (in->var >= 0 && in->var < c->nvars) put(c, c->nvars + in->var, 0);
        if (in->var >= 0 && in->var < c->nvars) put(c, 2 * c->nvars + in->var, 0);
        if (in->var >= 0 && in->var < c->nvars) put(c, 3 * c->nvars + in->var, 0);
        if (in->var >= 0 && in->var < c->nvars) put(c, 4 * c->nvars + in->var, 0);
        return;
    }
    if (in->kind == TL_I_STORE) { /* sqes[i] = io_uring_get_sqe(&ring) */
        int v = tl_own_arg_root(in->target);
        const tl_expr *e = tl_expr_uncast(in->value);
        int w = e && e->kind == TL_E_CALLRES ? result_part_of(c, e->call_id) : -1;
        if (v >= 0 && v < c->nvars && w >= 0) put(c, 2 * c->nvars + v, (uint64_t)w + 1);
        if (v >= 0 && v < c->nvars && w >= 0) put(c, 3 * c->nvars + v, 0); /* a new part */
        tl_if_store_flags(c, in); /* sqe->flags |= ... */
        return;
    }
    if (in->kind == TL_I_ASSIGN) {
        int v = in->var;
        if (v < 0 || v >= c->nvars) return;
        const tl_expr *e = tl_expr_uncast(in->value);
        const tl_fn_model *m = e && e->kind == TL_E_CALLRES ? tl_if_model_of(c, e->call_id) : NULL;
        put(c, c->nvars + v, m && (m->start.present || m->reap.keeps) ? (uint64_t)e->call_id + 1 : 0);
        int part = e && e->kind == TL_E_CALLRES ? result_part_of(c, e->call_id) : -1;
        bool copy = e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->nvars;
        if (copy)
            put(c, 2 * c->nvars + v, get(c, 2 * c->nvars + e->var));
        else
            put(c, 2 * c->nvars + v, part >= 0 ? (uint64_t)part + 1 : 0);
        put(c, 3 * c->nvars + v, copy ? get(c, 3 * c->nvars + e->var) : 0);
        if (!c->tracked[v]) return;
        int w = e && e->kind == TL_E_VAR ? e->var : e ? tl_own_arg_root(e) : -1;
        put(c, 4 * c->nvars + v, w >= 0 && w < c->nvars && c->tracked[w] ? get(c, 4 * c->nvars + w) : 0);
        if (w >= 0 && w < c->nvars && c->tracked[w])
            put(c, v, get(c, w));
        else if (c->prepares[v])
            put(c, v, 0); /* `ring = &ctx->ring`, a ring it prepares on: as from_outside */
        else
            put(c, v, PACK(TL_IF_OUTSIDE, TL_IF_MANY, TL_IF_MANY));
        return;
    }
    if (in->kind != TL_I_CALL) return;
    const tl_call *call = &in->call;
    const tl_fn_model *m = tl_if_model_of(c, call->id);
    if (c->replay) record(c, call, m);
    if (helper_prepare(m)) { /* operations of known kinds, how many unknown */
        int v = tl_if_root_of(c, call, m->prepare.arg);
        /* a helper that also awaits the object reaps what it prepared */
        bool reaped = m->await.present && m->await.arg == m->prepare.arg;
        if (v >= 0 && c->tracked[v] && !reaped) {
            unsigned k = tl_if_op_kind(c, call, &m->prepare), kinds = KINDS(get(c, v));
            if (k == TL_IF_PEER && c->peer_prep[v] < 0) c->peer_prep[v] = call->id;
            put(c, v, PACK(kinds | k, TL_IF_MANY, TL_IF_MANY));
            put(c, 4 * c->nvars + v, 0); /* its last request is not known */
        }
    } else if (m && m->prepare.present) {
        tl_if_prepare(c, call, m);
    }
    tl_if_call_flags(c, call, m);
    for (int k = 0; k < call->nargs; k++) {
        int v = tl_if_root_of(c, call, k);
        if (v >= 0 && c->tracked[v] && tl_if_opaque_arg(c, call, m, k)) {
            put(c, v, PACK(KINDS(get(c, v)) | TL_IF_OUTSIDE, TL_IF_MANY, TL_IF_MANY));
            put(c, 4 * c->nvars + v, 0);
        }
    }
    if (!m) return;
    if (m->teardown.present) {
        int v = tl_if_root_of(c, call, m->teardown.arg);
        if (v >= 0 && c->tracked[v]) put(c, v, 0), put(c, 4 * c->nvars + v, 0);
    }
    if (m->await.present) {
        int v = tl_if_root_of(c, call, m->await.arg);
        if (v >= 0 && c->tracked[v]) {
            uint64_t x = get(c, v);
            int p = PREP(x), f = FLIGHT(x);
            if (m->reap.submits) f = tl_if_add_count(f, p), p = 0;
            int r = -1; /* completions reaped; -1: all of them */
            if (m->reap.has_count) {
                r = m->reap.count > 254 ? 254 : (int)m->reap.count;
            } else if (m->reap.has_count_arg) {
                tl_cval cv = tl_own_arg_value(c->a, c->fi, call, m->reap.count_arg);
                r = cv.kind == TL_CV_INT && cv.v >= 0 && cv.v < 255 ? (int)cv.v : -1;
                if (cv.kind == TL_CV_INT && cv.v >= 255) r = TL_IF_MANY;
            }
            if (r < 0) f = 0;
            else if (r == TL_IF_MANY) f = f == TL_IF_MANY ? f : 0;
            else if (f != TL_IF_MANY) f = f > r ? f - r : 0;
            if (m->reap.observes && f > 0) f = TL_IF_MANY; /* the program saw how many arrived */
            /* all reaped: what a later wait finds are completions already
               there (a wait_cqe after submit_and_wait returns at once), and
               nothing is in flight (as after no-ops) */
            unsigned kinds = KINDS(x);
            if (f == 0 && p == 0 && kinds) /* an armed multishot request still may wait */
                kinds = kinds & TL_IF_MULTISHOT
                            ? TL_IF_COMPLETE | (kinds & TL_IF_SKIPPED) | TL_IF_MULTISHOT | TL_IF_PEER
                            : TL_IF_IMMEDIATE | (kinds & TL_IF_SKIPPED);
            /* completions waiting in the ring: a keeping wait leaves the
               ones it waited for (its failure edge clears them), any other
               await consumes its count of them */
            int ready = READY(x);
            if (m->reap.keeps) ready = r > 0 && r != TL_IF_MANY ? r : 0;
            else ready = r < 0 || r == TL_IF_MANY || r >= ready ? 0 : ready - r;
            /* the requests reaped may be the ones that complete on their own */
            int bounded = r < 0 || r == TL_IF_MANY || r >= NCOMP(x) ? 0 : NCOMP(x) - r;
            uint64_t y = PACKR(kinds, p, f, ready);
            int npeer = !(kinds & TL_IF_PEER) ? 0 : f == 0 && p == 0 ? TL_IF_MANY : tl_if_npeer(x);
            put(c, v, tl_if_with_counts(y, npeer, bounded));
        }
    }
    if (m->start.present) {
        int v = tl_if_root_of(c, call, m->start.arg);
        if (v >= 0 && c->tracked[v]) {
            uint64_t x = get(c, v);
            if (call->id >= 0 && call->id < c->out->ncalls) /* the last visit is the fixpoint's */
                c->start_prep[call->id] = PREP(x);
            uint64_t y = PACKR(KINDS(x), 0, tl_if_add_count(FLIGHT(x), PREP(x)), READY(x));
            put(c, v, tl_if_with_counts(y, tl_if_npeer(x), NCOMP(x)));
        }
    }
}

static void if_transfer_block(void *ctx, void *stp, const tl_func *f, const tl_block *b) {
    (void)f;
    if_ctx *c = ctx;
    if_state *st = stp;
    if (!st->reached) return;
    tl_sparse_unpack(&c->env, &st->vars);
    for (int i = 0; i < b->ninstrs; i++) apply(c, &b->instrs[i]);
    c->work += c->env.ntouched + b->ninstrs;
    tl_sparse_pack(&c->env, &st->vars);
}

typedef struct {
    if_ctx *c;
    const tl_sparse_map *m;
} holds_ctx;

static int var_holds(void *ctx, int v) {
    holds_ctx *h = ctx;
    if (v < 0 || v >= h->c->nvars) return -1;
    uint64_t x = tl_sparse_get(h->m, h->c->nvars + v);
    return x ? (int)x - 1 : -1;
}

/* Does "result OP k" mean the start call started none of the `prepared`
 * operations (TL_IF_MANY: unknown)?  For a count result: negative, 0, or
 * fewer than were prepared ("!= N" with N prepared). */
static bool start_failed(tl_success success, int prepared, int op, int64_t k) {
    if (success != TL_SUCCESS_COUNT) return tl_own_relation_fails(success, op, k);
    int64_t n = prepared == TL_IF_MANY || prepared == 0 ? -1 : prepared;
    switch (op) {
    case TL_REL_LT: return k <= (n > 0 ? n : 1);
    case TL_REL_LE: return k < (n > 0 ? n : 1);
    case TL_REL_EQ: return k < (n > 0 ? n : 1);
    case TL_REL_NE: return n > 0 ? k == n : k >= 1;
    default: return false;
    }
}

static int edge_failed_start(if_ctx *c, const tl_sparse_map *m, const tl_block *b, int s) {
    holds_ctx h = {c, m};
    int op;
    int64_t k;
    int call = tl_own_edge_relation(b, s, var_holds, &h, &op, &k);
    const tl_fn_model *sm = call >= 0 ? tl_if_model_of(c, call) : NULL;
    if (!sm || !sm->start.present || sm->start_success == TL_SUCCESS_ALWAYS) return -1;
    int prepared = call < c->out->ncalls ? c->start_prep[call] : TL_IF_MANY;
    return start_failed(sm->start_success, prepared, op, k) ? call : -1;
}

/* A failed start: what it would have started is not in flight. */
/* The keeping await whose failure (a negative result) edge b -> succ[s]
 * implies, or -1. */
static int edge_failed_keep(if_ctx *c, const tl_sparse_map *m, const tl_block *b, int s) {
    holds_ctx h = {c, m};
    int op;
    int64_t k;
    int call = tl_own_edge_relation(b, s, var_holds, &h, &op, &k);
    const tl_fn_model *km = call >= 0 ? tl_if_model_of(c, call) : NULL;
    return km && km->await.present && km->reap.keeps && tl_own_relation_fails(TL_SUCCESS_NONNEG, op, k)
               ? call
               : -1;
}

static bool if_edge(void *ctx, void *stp, const tl_func *f, const tl_block *b, int s) {
    (void)f;
    if_ctx *c = ctx;
    if_state *st = stp;
    if (!st->reached || b->term != TL_T_BRANCH || s < 0 || s > 1) return true;
    int kept = edge_failed_keep(c, &st->vars, b, s);
    const tl_instr *ki = kept >= 0 ? c->a->funcs[c->fi].calls[kept].instr : NULL;
    int kv = ki ? tl_if_root_of(c, &ki->call, tl_if_model_of(c, kept)->await.arg) : -1;
    if (kv >= 0 && c->tracked[kv]) { /* it failed: nothing is known to wait in the ring */
        tl_sparse_unpack(&c->env, &st->vars);
        uint64_t x = get(c, kv);
        put(c, kv, tl_if_with_counts(PACK(KINDS(x), PREP(x), FLIGHT(x)), tl_if_npeer(x), NCOMP(x)));
        tl_sparse_pack(&c->env, &st->vars);
    }
    int call = edge_failed_start(c, &st->vars, b, s);
    if (call < 0) return true;
    const tl_instr *in = c->a->funcs[c->fi].calls[call].instr;
    const tl_fn_model *sm = tl_if_model_of(c, call);
    int v = in ? tl_if_root_of(c, &in->call, sm->start.arg) : -1;
    if (v < 0 || !c->tracked[v]) return true;
    tl_sparse_unpack(&c->env, &st->vars);
    uint64_t x = get(c, v);
    int p = c->start_prep[call], fl = FLIGHT(x);
    if (fl != TL_IF_MANY && p != TL_IF_MANY) fl = fl > p ? fl - p : 0;
    put(c, v, tl_if_with_counts(PACKR(KINDS(x), PREP(x), fl, READY(x)), tl_if_npeer(x), 0));
    tl_sparse_pack(&c->env, &st->vars);
    return true;
}

static bool if_exhausted(void *ctx) {
    const if_ctx *c = ctx;
    return c->work > c->budget;
}

static const tl_dataflow_ops if_ops = {
    .state_size = sizeof(if_state),
    .init_entry = if_entry,
    .init_bottom = if_bottom,
    .copy = if_copy,
    .join = if_join,
    .transfer_block = if_transfer_block,
    .transfer_edge = if_edge,
    .destroy = if_destroy,
    .exhausted = if_exhausted,
};

/* Flow-insensitive facts: the objects (roots of start/await/teardown/
 * part_of arguments), which variables hold parts of which object, and the
 * origins of descriptor variables (fd_origin.h).  Two passes so that copies made before
 * their source is known in block order are seen.  Returns whether any part,
 * start or keeping await call exists. */
static bool collect(if_ctx *c) {
    const tl_func *f = c->f;
    const tl_func_facts *ff = &c->a->funcs[c->fi];
    bool any = false;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        if (!m || !in) continue;
        int v;
        if (m->part_of.present && (v = tl_if_root_of(c, &in->call, m->part_of.arg)) >= 0)
            c->tracked[v] = any = true;
        if (m->start.present && (v = tl_if_root_of(c, &in->call, m->start.arg)) >= 0)
            c->tracked[v] = any = true;
        if (m->await.present && (v = tl_if_root_of(c, &in->call, m->await.arg)) >= 0)
            c->tracked[v] = true, any |= m->reap.keeps; /* leaves completions to find */
        if (m->teardown.present && (v = tl_if_root_of(c, &in->call, m->teardown.arg)) >= 0)
            c->tracked[v] = true;
        if (helper_prepare(m) && (v = tl_if_root_of(c, &in->call, m->prepare.arg)) >= 0)
            c->tracked[v] = any = true;
    }
    if (!any) return false;
    tl_fd_origins(c->a, c->fi, c->desc);
    for (int pass = 0; pass < 2; pass++)
        for (int bi = 0; bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                int v = -1;
                const tl_expr *e = NULL;
                if (in->kind == TL_I_ASSIGN) v = in->var, e = tl_expr_uncast(in->value);
                else if (in->kind == TL_I_STORE) v = tl_own_arg_root(in->target), e = tl_expr_uncast(in->value);
                if (v < 0 || v >= c->nvars || !e) continue;
                int own = -1;
                if (e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < ff->ncalls) {
                    const tl_fn_model *m = ff->calls[e->call_id].model;
                    const tl_instr *ci = ff->calls[e->call_id].instr;
                    if (m && ci && m->part_of.present) own = tl_if_root_of(c, &ci->call, m->part_of.arg);
                } else if (e->kind == TL_E_VAR && e->var >= 0 && e->var < c->nvars) {
                    own = c->owner[e->var] >= 0 ? c->owner[e->var] : -1;
                }
                if (own >= 0 && c->owner[v] != -2 && c->owner[v] != own)
                    c->owner[v] = c->owner[v] == -1 ? own : -2;
            }
    /* the objects the function prepares on: a prepare on a part of one
       object marks it; one on a variable holding parts of several objects
       marks every object parts are taken of */
    bool prep_any = false;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        if (!m || !in || !ff->calls[id].reached || !m->prepare.present) continue;
        int v = helper_prepare(m) ? tl_if_root_of(c, &in->call, m->prepare.arg)
                                  : tl_if_part_owner(c, &in->call, m->prepare.arg, false);
        int r = m->prepare.arg < in->call.nargs ? tl_own_arg_root(in->call.args[m->prepare.arg]) : -1;
        if (v >= 0) c->prepares[v] = true;
        else if (r >= 0 && r < c->nvars && c->owner[r] == -2) prep_any = true;
    }
    for (int id = 0; prep_any && id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        int v;
        if (m && in && m->part_of.present && (v = tl_if_root_of(c, &in->call, m->part_of.arg)) >= 0)
            c->prepares[v] = true;
    }
    return true;
}

static void ctx_init(if_ctx *c, const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    memset(c, 0, sizeof *c);
    c->a = a;
    c->fi = fi;
    c->f = f;
    c->nvars = f->nvars;
    size_t nv = (size_t)f->nvars + 1;
    c->tracked = tl_xcalloc(nv, sizeof *c->tracked);
    c->prepares = tl_xcalloc(nv, sizeof *c->prepares);
    c->desc = tl_xcalloc(nv, sizeof *c->desc);
    c->owner = tl_xmalloc(nv * sizeof *c->owner);
    c->peer_prep = tl_xmalloc(nv * sizeof *c->peer_prep);
    c->comp_prep = tl_xmalloc(nv * sizeof *c->comp_prep);
    for (size_t v = 0; v < nv; v++) c->owner[v] = c->peer_prep[v] = c->comp_prep[v] = -1;
}

static void ctx_free(if_ctx *c) {
    free(c->tracked), free(c->prepares), free(c->desc), free(c->owner), free(c->peer_prep);
    free(c->comp_prep);
}

void tl_inflight_prepared_kinds(const tl_analysis *a, int fi, unsigned *kinds, int *fd_param) {
    const tl_func *f = &a->tu->funcs[fi];
    if (f->nblocks == 0 || !a->funcs) return;
    bool any = false; /* most functions prepare nothing: no allocation for them */
    for (int id = 0; id < a->funcs[fi].ncalls && !any; id++)
        any = a->funcs[fi].calls[id].model && a->funcs[fi].calls[id].model->prepare.present;
    if (!any) return;
    if_ctx c;
    ctx_init(&c, a, fi);
    if (collect(&c)) {
        const tl_func_facts *ff = &a->funcs[fi];
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_fn_model *m = ff->calls[id].model;
            const tl_instr *in = ff->calls[id].instr;
            if (!m || !in || !ff->calls[id].reached || !m->prepare.present) continue;
            int v = helper_prepare(m) ? tl_if_root_of(&c, &in->call, m->prepare.arg)
                                      : tl_if_part_owner(&c, &in->call, m->prepare.arg, false);
            if (v < 0) continue;
            int d = m->prepare.op == TL_OP_FD_IO ? tl_if_root_of(&c, &in->call, m->prepare.fd_arg) : -1;
            if (d >= 0 && !c.desc[d] && f->vars[d].kind == TL_VAR_PARAM) { /* the caller's */
                fd_param[v] = fd_param[v] == -1 || fd_param[v] == d ? d : -2;
                continue;
            }
            kinds[v] |= tl_if_op_kind(&c, &in->call, &m->prepare);
        }
    }
    ctx_free(&c);
}

void tl_inflight_compute(const tl_analysis *a, int fi, tl_inflight *out) {
    memset(out, 0, sizeof *out);
    out->fi = -1;
    const tl_func *f = &a->tu->funcs[fi];
    if (f->nblocks == 0 || !a->funcs) return;
    if_ctx c;
    ctx_init(&c, a, fi);
    if (!collect(&c)) {
        ctx_free(&c);
        return;
    }
    out->fi = fi;
    out->ncalls = f->ncalls;
    out->nblocks = f->nblocks;
    out->before = tl_xcalloc((size_t)f->ncalls + 1, sizeof *out->before);
    out->failed_edge = tl_xmalloc(((size_t)f->nblocks * 2 + 1) * sizeof *out->failed_edge);
    for (int i = 0; i < f->nblocks * 2; i++) out->failed_edge[i] = -1;
    c.start_prep = tl_xmalloc(((size_t)f->ncalls + 1) * sizeof *c.start_prep);
    for (int i = 0; i < f->ncalls; i++) c.start_prep[i] = TL_IF_MANY;
    c.out = out;
    tl_sparse_scratch_init(&c.env, 5 * f->nvars);
    c.budget = tl_dataflow_budget(f);

    /* solve; a start call's prepared count is written at each visit of its
       block, so the last one is the fixpoint's */
    c.replay = false;
    tl_dataflow_result r;
    out->incomplete = tl_dataflow_forward(f, &if_ops, &c, &r) != 0;
    /* replay the fixpoint: record the states before calls, then the
       failure edges */
    c.replay = true;
    for (int bi = 0; bi < f->nblocks; bi++) {
        if (!r.reached[bi]) continue;
        if_state *in = tl_dataflow_in(&r, bi);
        tl_sparse_unpack(&c.env, &in->vars);
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) apply(&c, &f->blocks[bi].instrs[i]);
        tl_sparse_discard(&c.env);
    }
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        if (!r.reached[bi] || b->term != TL_T_BRANCH) continue;
        if_state st;
        if_bottom(&c, &st);
        if_copy(&c, &st, tl_dataflow_in(&r, bi));
        if_transfer_block(&c, &st, f, b);
        for (int s = 0; s < 2 && s < b->nsucc; s++) {
            int call = edge_failed_start(&c, &st.vars, b, s);
            out->failed_edge[bi * 2 + s] = call;
        }
        if_destroy(&c, &st);
    }
    tl_dataflow_free(&r);
    tl_sparse_scratch_free(&c.env);
    ctx_free(&c);
    free(c.start_prep);
}

void tl_inflight_free(tl_inflight *r) {
    free(r->before);
    free(r->failed_edge);
    memset(r, 0, sizeof *r);
    r->fi = -1;
}

const tl_inflight_at *tl_inflight_before(const tl_inflight *r, int call) {
    if (!r || r->fi < 0 || call < 0 || call >= r->ncalls || !r->before[call].known) return NULL;
    return &r->before[call];
}

int tl_inflight_failed_start(const tl_inflight *r, int b, int s) {
    if (!r || r->fi < 0 || b < 0 || b >= r->nblocks || s < 0 || s > 1) return -1;
    return r->failed_edge[b * 2 + s];
}
