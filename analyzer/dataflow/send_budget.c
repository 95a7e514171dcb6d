/* send_budget.c - the bytes written to a fresh connection (send_budget.h).
 *
 * Places are the variables (and array elements at constant indices, `fds[0]`)
 * that hold a connection a `fresh` call made or a parameter the program
 * says starts fresh; their addresses never taken.  A state gives each place
 * the most bytes any path to the point may have written to its connection
 * (SB_UNKNOWN: not known).  What changes it:
 *   - `v = fresh_call()`: 0; `v = attach(w, ...)` (fresh.from_arg): w's;
 *     `fresh_array(fds)`: each element 0; `v = w`: w's; any other
 *     assignment, a store into the element, a declaration: not known;
 *   - a `sends` call on the place: plus its constant length, its string
 *     literals, its own bytes and TL_SEND_SLACK; beyond TL_SEND_BUDGET, or a
 *     length that is no constant: not known;
 *   - a `reads` call on the place (an answer: the peer has taken what was
 *     sent before, in a request/response exchange): 0, unless not known;
 *   - `v = layer(w, ...)`, a function of the file that keeps w in an object
 *     of its own and returns another handle (attach_candidate): w's count
 *     plus the layer's own handshake; w is handed off;
 *   - a call that is handed the place (or its array) and whose model says
 *     nothing of sending - a libc function without a model, or code the
 *     analysis cannot see (a program function, a coroutine's entry): not
 *     known.  A model call without a `sends` facet (a receive, a readiness
 *     wait, a close) writes nothing.
 * The join keeps the larger count.  The replay marks the sends that fit
 * (send_fits), and, at a coroutine's entry call, the arguments that hand
 * over a fresh connection nothing was written to and that the function
 * hands to nothing else and never writes to itself (fresh_args: the
 * launching function and the coroutine never both write).
 */
#include "send_budget.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../program/program.h"
#include "../util/xalloc.h"
#include "dataflow.h"
#include "loop_trips.h"

#define SB_MAX_PLACES 64
#define SB_UNKNOWN 0xFFFFu
#define SB_ELEMS 8 /* array elements at constant indices 0..7 */

typedef struct {
    bool reached;
    uint16_t n[SB_MAX_PLACES];
    int pend_call;     /* the layering call just applied (its result's count), -1 */
    uint16_t pend_n;
} sb_state;

/* A function of the file that layers its own protocol over a connection
 * it is handed (a program's socket type: the parameter kept in the object
 * whose handle it returns); param -1 none. */
typedef struct {
    int param;
    uint16_t bytes; /* the most it writes to the connection itself (a handshake) */
} sb_attach;

typedef struct {
    const tl_analysis *a;
    const tl_func *f;
    tl_func_facts *ff;
    int nplaces;
    int *place_of;           /* var * (SB_ELEMS + 1) + elem + 1 -> place, -1 */
    unsigned char *taken;    /* per variable: its address is taken */
    long *literal;           /* per variable: the size of the string literal it always
                                points to (a local assigned once, from a literal), 0 none */
    int *handoffs;           /* per place: calls that may write it (sends, unseen code) */
    unsigned fresh_params;   /* parameters that start fresh (program) */
    long work, budget;
    bool recording;
    tl_loop_trips trips;     /* counted loops (loop_trips.h) */
    uint16_t *delta;         /* per counted loop and place: the most one pass writes */
    bool *additive;          /* per counted loop: solved by its trip count */
    const unsigned *read_only; /* per function of the TU: read_only_params */
    const sb_attach *attach;   /* per function of the TU: the connection it layers over */
    int probe_param;           /* attach_of: the parameter followed, -1 none */
    long probe_max;            /* attach_of: the most bytes at a return, -1 not known */
} sb_ctx;

static int key(const sb_ctx *c, int var, int elem) {
    if (var < 0 || var >= c->f->nvars || elem < -1 || elem >= SB_ELEMS) return -1;
    return var * (SB_ELEMS + 1) + elem + 1;
}

static int place(const sb_ctx *c, int var, int elem) {
    int k = key(c, var, elem);
    return k >= 0 ? c->place_of[k] : -1;
}

static void add_place(sb_ctx *c, int var, int elem) {
    int k = key(c, var, elem);
    /* (an array's elements: handing the array to a call takes its address,
       and each such call is judged as a hand-off of every element) */
    if (k < 0 || c->place_of[k] >= 0 || (elem < 0 && c->taken[var]) || c->nplaces >= SB_MAX_PLACES) return;
    c->place_of[k] = c->nplaces++;
}

/* The place an expression names: `v`, `v[k]`; -1 none. */
static int expr_place(const sb_ctx *c, const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e) return -1;
    if (e->kind == TL_E_VAR) return place(c, e->var, -1);
    if (e->kind == TL_E_INDEX && e->nkids == 2) {
        const tl_expr *base = tl_expr_uncast(e->kids[0]), *ix = tl_expr_uncast(e->kids[1]);
        if (base && base->kind == TL_E_VAR && ix && ix->kind == TL_E_CONST)
            return ix->ival >= 0 && ix->ival < SB_ELEMS ? place(c, base->var, (int)ix->ival) : -1;
    }
    return -1;
}

/* The array variable an argument names (`fds`, `&fds`, `&fds[0]`), -1 none. */
static int array_var(const tl_expr *e) {
    bool through_addr;
    return tl_expr_root_var(e, &through_addr);
}

static const tl_fn_model *model_of(const sb_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].model : NULL;
}

/* Does the call's callee write what it is handed, as far as anyone knows?
 * A model says so only with `sends`; a libc function without a model and
 * code the analysis cannot see may. */
static bool may_write(const tl_call *call, const tl_fn_model *m) {
    if (m) return false;
    return !(call->callee_system && !call->is_spawn_entry);
}

/* The same for argument j: a function of this file that only reads that
 * parameter (read_only_params) writes nothing through it - a coroutine
 * that only waits for the descriptor to become readable. */
static bool may_write_arg(const sb_ctx *c, const tl_call *call, const tl_fn_model *m, int j) {
    if (!may_write(call, m)) return false;
    int fi = call->callee_func;
    return !(fi >= 0 && fi < c->a->tu->nfuncs && j < 32 && c->read_only && (c->read_only[fi] >> j & 1u));
}

/* The layer (attach) a call's result continues, or NULL. */
static const sb_attach *attach_of_call(const sb_ctx *c, const tl_instr *call) {
    int fi = call ? call->call.callee_func : -1;
    if (!c->attach || fi < 0 || fi >= c->a->tu->nfuncs || c->attach[fi].param < 0) return NULL;
    return c->attach[fi].param < call->call.nargs ? &c->attach[fi] : NULL;
}

/* Places the argument mentions: the place it names, or every place of the
 * variable it is rooted at (an array handed whole, `&v`). */
static void each_place(sb_ctx *c, const tl_expr *arg, void (*fn)(sb_ctx *, int, void *), void *data) {
    int p = expr_place(c, arg);
    if (p >= 0) {
        fn(c, p, data);
        return;
    }
    int v = array_var(arg);
    if (v < 0 || v >= c->f->nvars) return;
    for (int e = -1; e < SB_ELEMS; e++)
        if ((p = place(c, v, e)) >= 0) fn(c, p, data);
}

static void count_handoff(sb_ctx *c, int p, void *data) {
    (void)data;
    c->handoffs[p]++;
}

static void forget(sb_ctx *c, int p, void *data) {
    (void)c;
    ((sb_state *)data)->n[p] = SB_UNKNOWN;
}

/* The size of the fixed-size array argument k names (`buf`, `(void *)buf`),
 * or 0. */
static long array_arg_bytes(const sb_ctx *c, const tl_call *call, int k) {
    const tl_expr *e = k >= 0 && k < call->nargs ? tl_expr_uncast(call->args[k]) : NULL;
    if (e && e->kind == TL_E_STRING) return e->ival > 0 ? (long)e->ival : 0;
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= c->f->nvars) return 0;
    const tl_var *v = &c->f->vars[e->var];
    if (c->literal && c->literal[e->var] > 0) return c->literal[e->var];
    return v->is_array ? (long)v->array_bytes : 0;
}

/* Per variable of f: the size of the string literal it always points to -
 * a local whose one assignment is a literal and whose address is never
 * taken (`const char *msg = "busy\r\n"; write(fd, msg, strlen(msg))`) - or
 * 0 (a new array, free() it). */
static long *literal_vars(const tl_func *f, const unsigned char *taken) {
    long *lit = tl_xcalloc((size_t)f->nvars + 1, sizeof *lit);
    const tl_expr **def = tl_func_single_defs(f);
    for (int v = 0; v < f->nvars; v++)
        if (def[v] && def[v]->kind == TL_E_STRING && def[v]->ival > 0 && !taken[v] &&
            f->vars[v].kind == TL_VAR_LOCAL && !f->vars[v].is_array)
            lit[v] = (long)def[v]->ival;
    free(def);
    return lit;
}

/* The bytes a sends call writes, or -1 when not known. */
static long send_length(const sb_ctx *c, const tl_call *call, const tl_fn_model *m) {
    const tl_sends_facet *s = &m->sends;
    if (!s->sized) return -1;
    long total = (long)s->bytes + TL_SEND_SLACK;
    const tl_call_facts *cf = &c->ff->calls[call->id];
    if (s->len_arg >= 0) {
        if (s->len_arg >= call->nargs || !cf->argv) return -1;
        const tl_cval *v = &cf->argv[s->len_arg];
        long bound = array_arg_bytes(c, call, s->buf_arg); /* more would read past it */
        if (v->kind == TL_CV_INT && v->v >= 0 && v->v <= TL_SEND_BUDGET) total += (long)v->v;
        else if (bound > 0 && bound <= TL_SEND_BUDGET) total += bound;
        else return -1;
    }
    for (int i = 0; i < s->nstrings; i++) {
        const tl_expr *e = s->strings[i] < call->nargs ? tl_expr_uncast(call->args[s->strings[i]]) : NULL;
        long held = array_arg_bytes(c, call, s->strings[i]); /* a string in an array: shorter */
        if (e && e->kind == TL_E_STRING && e->ival > 0) total += (long)e->ival - 1;
        else if (held > 0 && held <= TL_SEND_BUDGET) total += held - 1;
        else return -1;
    }
    return total;
}

/* A count plus len bytes (len < 0: not known), SB_UNKNOWN past the budget. */
static uint16_t add_bytes(uint16_t have, long len) {
    long now = have != SB_UNKNOWN && len >= 0 ? (long)have + len : TL_SEND_BUDGET + 1;
    return now <= TL_SEND_BUDGET ? (uint16_t)now : SB_UNKNOWN;
}

static void apply(sb_ctx *c, sb_state *s, const tl_instr *in) {
    c->work += c->nplaces + 1;
    switch (in->kind) {
    case TL_I_ASSIGN: {
        int p = place(c, in->var, -1);
        if (p < 0) break;
        const tl_expr *v = tl_expr_uncast(in->value);
        uint16_t n = SB_UNKNOWN;
        const tl_fn_model *m = v && v->kind == TL_E_CALLRES ? model_of(c, v->call_id) : NULL;
        const sb_attach *layer = v && v->kind == TL_E_CALLRES && v->call_id < c->ff->ncalls
                                     ? attach_of_call(c, c->ff->calls[v->call_id].instr) : NULL;
        if (layer) {
            n = s->pend_call == v->call_id ? s->pend_n : SB_UNKNOWN;
        } else if (m && m->fresh.present && m->fresh.result) {
            const tl_instr *call = c->ff->calls[v->call_id].instr;
            if (m->fresh.from_arg < 0) n = 0;
            else if (call && m->fresh.from_arg < call->call.nargs) {
                int q = expr_place(c, call->call.args[m->fresh.from_arg]);
                n = q >= 0 ? add_bytes(s->n[q], (long)m->fresh.bytes) : SB_UNKNOWN;
            }
        } else if (v && v->kind == TL_E_VAR) {
            int q = place(c, v->var, -1);
            n = q >= 0 ? s->n[q] : SB_UNKNOWN;
        }
        s->n[p] = n;
        break;
    }
    case TL_I_STORE: {
        int p = expr_place(c, in->target);
        if (p >= 0) s->n[p] = SB_UNKNOWN;
        break;
    }
    case TL_I_RETURN:
        if (c->probe_param >= 0 && c->probe_max >= 0) {
            int p = place(c, c->probe_param, -1);
            long n = p >= 0 && s->n[p] != SB_UNKNOWN ? (long)s->n[p] : -1;
            c->probe_max = n < 0 ? -1 : (n > c->probe_max ? n : c->probe_max);
        }
        break;
    case TL_I_DECL:
        for (int e = -1; e < SB_ELEMS; e++) {
            int p = place(c, in->var, e);
            if (p >= 0) s->n[p] = SB_UNKNOWN;
        }
        break;
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        const tl_fn_model *m = model_of(c, call->id);
        int fresh_arg = m && m->fresh.present && m->fresh.arg >= 0 ? m->fresh.arg : -1;
        int send_arg = m && m->sends.present ? m->sends.handle_arg : -1;
        int read_arg = m && m->reads.present && !m->sends.present ? m->reads.arg : -1;
        const sb_attach *layer = attach_of_call(c, in);
        s->pend_call = -1;
        if (layer) { /* (the result continues the connection; the connection itself is handed off) */
            int q = expr_place(c, call->args[layer->param]);
            s->pend_call = call->id;
            s->pend_n = q >= 0 ? add_bytes(s->n[q], (long)layer->bytes) : SB_UNKNOWN;
        }
        if (c->recording && call->is_spawn_entry && call->nargs <= 32) {
            unsigned bits = 0;
            for (int j = 0; j < call->nargs; j++) {
                int p = expr_place(c, call->args[j]);
                if (p >= 0 && s->n[p] == 0 && c->handoffs[p] == 1) bits |= 1u << j;
            }
            c->ff->calls[call->id].fresh_args = bits;
        }
        for (int j = 0; j < call->nargs; j++) {
            if (j == fresh_arg) {
                int v = array_var(call->args[j]);
                for (int e = 0; e < m->fresh.array && e < SB_ELEMS; e++) {
                    int p = place(c, v, e);
                    if (p >= 0) s->n[p] = 0;
                }
            } else if (j == send_arg) {
                int p = expr_place(c, call->args[j]);
                if (p < 0 && c->probe_param >= 0) /* (through the layer's object, `self->u`: the connection, as far as anyone knows) */
                    p = place(c, c->probe_param, -1);
                if (p < 0) {
                    each_place(c, call->args[j], forget, s);
                    continue;
                }
                s->n[p] = add_bytes(s->n[p], s->n[p] == SB_UNKNOWN ? -1 : send_length(c, call, m));
                /* (a call that also waits for an answer stays a wait) */
                if (c->recording && s->n[p] != SB_UNKNOWN && !m->sends.receives)
                    c->ff->calls[call->id].send_fits = true;
            } else if (j == read_arg) {
                /* an answer: the peer, answering, has taken what was sent before
                   (a request/response exchange; a count not known stays so:
                   other code may write) */
                int p = expr_place(c, call->args[j]);
                if (p >= 0 && s->n[p] != SB_UNKNOWN) s->n[p] = 0;
            } else if (may_write_arg(c, call, m, j)) {
                each_place(c, call->args[j], forget, s);
            }
        }
        break;
    }
    default:
        break;
    }
}

static void sb_entry(void *ctx, void *st) {
    sb_ctx *c = ctx;
    sb_state *s = st;
    s->reached = true;
    s->pend_call = -1;
    for (int p = 0; p < SB_MAX_PLACES; p++) s->n[p] = SB_UNKNOWN;
    for (int k = 0; k < c->f->nparams && k < 32; k++) {
        int p = place(c, k, -1);
        if (p >= 0 && (c->fresh_params >> k & 1u)) s->n[p] = 0;
    }
}

static void sb_bottom(void *ctx, void *st) {
    (void)ctx;
    memset(st, 0, sizeof(sb_state));
    ((sb_state *)st)->pend_call = -1;
}

static void sb_copy(void *ctx, void *dst, const void *src) {
    (void)ctx;
    memcpy(dst, src, sizeof(sb_state));
}

static bool sb_join(void *ctx, void *dstp, const void *srcp) {
    sb_ctx *c = ctx;
    sb_state *d = dstp;
    const sb_state *s = srcp;
    if (!s->reached) return false;
    if (!d->reached) {
        *d = *s;
        return true;
    }
    bool changed = false;
    if (d->pend_call != s->pend_call && d->pend_call >= 0) {
        d->pend_call = -1;
        changed = true;
    }
    for (int p = 0; p < c->nplaces; p++)
        if (s->n[p] > d->n[p]) {
            d->n[p] = s->n[p];
            changed = true;
        }
    c->work += c->nplaces;
    return changed;
}

static void sb_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int i) {
    (void)f;
    sb_state *s = st;
    if (s->reached) apply(ctx, s, &b->instrs[i]);
}

static bool sb_exhausted(void *ctx) {
    const sb_ctx *c = ctx;
    return c->work > c->budget;
}

/* Scale: n plus `times` times d (not known past the budget). */
static uint16_t add_times(uint16_t n, uint16_t d, int64_t times) {
    if (n == SB_UNKNOWN || d == SB_UNKNOWN) return SB_UNKNOWN;
    if (times <= 0 || d == 0) return n;
    if (times > TL_SEND_BUDGET || (int64_t)d * times > TL_SEND_BUDGET) return SB_UNKNOWN;
    return add_bytes(n, (long)(d * times));
}

/* A counted loop whose places only grow by sends of known lengths is
 * solved by its trip count: one pass's most bytes per place (delta), the
 * back edge cut, the header entered with trips - 1 passes written and left
 * with trips.  (A pass is applied from two bases: where the results differ
 * by other than the bases' difference, some path sets a place anew.) */
static bool sb_edge(void *ctx, void *st, const tl_func *f, const tl_block *b, int s) {
    sb_ctx *c = ctx;
    sb_state *x = st;
    int L;
    tl_loop_edge k = tl_loop_edge_kind(&c->trips, f, b->id, s, &L);
    if (k == TL_LOOP_EDGE_NONE || !c->additive[L] || !x->reached) return true;
    int64_t trips = c->trips.loops[L].trips;
    const uint16_t *d = c->delta + (size_t)L * SB_MAX_PLACES;
    c->work += c->nplaces;
    switch (k) {
    case TL_LOOP_EDGE_BACK: return false;
    case TL_LOOP_EDGE_STAY: return trips > 0;
    case TL_LOOP_EDGE_ENTER:
        for (int p = 0; p < c->nplaces; p++) x->n[p] = add_times(x->n[p], d[p], trips - 1);
        return true;
    case TL_LOOP_EDGE_LEAVE:
        for (int p = 0; p < c->nplaces; p++) x->n[p] = add_times(x->n[p], d[p], trips > 0 ? 1 : 0);
        return true;
    default: return true;
    }
}

#define SB_BASE 1024

/* A send's buffer is only read (loop_trips.h). */
static bool send_buffer_arg(void *ctx, const tl_call *call, int arg) {
    const tl_fn_model *m = model_of(ctx, call->id);
    return m && m->sends.present && m->sends.buf_arg == arg;
}

static void loop_deltas(sb_ctx *c) {
    const tl_func *f = c->f;
    tl_loop_trips_find(f, &c->trips, send_buffer_arg, c);
    c->delta = tl_xcalloc((size_t)(c->trips.nloops > 0 ? c->trips.nloops : 1) * SB_MAX_PLACES, sizeof *c->delta);
    c->additive = tl_xcalloc((size_t)(c->trips.nloops > 0 ? c->trips.nloops : 1), sizeof *c->additive);
    int *pos = tl_xmalloc((size_t)(f->nblocks > 0 ? f->nblocks : 1) * sizeof *pos);
    for (int L = 0; L < c->trips.nloops; L++) {
        const tl_counted_loop *lp = &c->trips.loops[L];
        if (lp->bound_var >= 0) continue;
        int n = lp->norder;
        sb_state *base0 = tl_xcalloc((size_t)n, sizeof *base0), *base1 = tl_xcalloc((size_t)n, sizeof *base1);
        for (int i = 0; i < n; i++) pos[lp->order[i]] = i;
        base0[0].reached = base1[0].reached = true;
        base0[0].pend_call = base1[0].pend_call = -1;
        for (int p = 0; p < c->nplaces; p++) base1[0].n[p] = SB_BASE;
        sb_state end0 = {0}, end1 = {0};
        for (int i = 0; i < n; i++) {
            if (!base0[i].reached) continue;
            const tl_block *b = &f->blocks[lp->order[i]];
            sb_state s0 = base0[i], s1 = base1[i];
            for (int k = 0; k < b->ninstrs; k++) {
                apply(c, &s0, &b->instrs[k]);
                apply(c, &s1, &b->instrs[k]);
            }
            for (int s = 0; s < b->nsucc; s++) {
                int t = b->succ[s];
                if (t == lp->header) {
                    end0 = s0;
                    end1 = s1;
                } else if (t >= 0 && t < f->nblocks && c->trips.loop_of[t] == L) {
                    sb_join(c, &base0[pos[t]], &s0);
                    sb_join(c, &base1[pos[t]], &s1);
                }
            }
        }
        bool ok = end0.reached, grows = false;
        for (int p = 0; p < c->nplaces && ok; p++) {
            ok = end0.n[p] != SB_UNKNOWN && end1.n[p] == end0.n[p] + SB_BASE;
            grows |= end0.n[p] > 0;
        }
        if (ok && grows) {
            c->additive[L] = true;
            for (int p = 0; p < c->nplaces; p++) c->delta[(size_t)L * SB_MAX_PLACES + p] = end0.n[p];
        }
        free(base1);
        free(base0);
    }
    free(pos);
}

static const tl_dataflow_ops sb_ops = {
    .state_size = sizeof(sb_state),
    .init_entry = sb_entry,
    .init_bottom = sb_bottom,
    .copy = sb_copy,
    .join = sb_join,
    .transfer = sb_transfer,
    .transfer_edge = sb_edge,
    .exhausted = sb_exhausted,
};

/* The places of f, the hand-offs of each; false when f holds none. */
static bool find_places(sb_ctx *c) {
    const tl_func *f = c->f;
    for (int k = 0; k < f->nparams && k < 32; k++)
        if (c->fresh_params >> k & 1u) add_place(c, k, -1);
    for (int pass = 0; pass < 2; pass++) /* (a copy of a copy) */
        for (int bi = 0; bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                const tl_expr *v = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
                if (v && v->kind == TL_E_CALLRES) {
                    const tl_fn_model *m = model_of(c, v->call_id);
                    if ((m && m->fresh.present && m->fresh.result) ||
                        (v->call_id < c->ff->ncalls && attach_of_call(c, c->ff->calls[v->call_id].instr)))
                        add_place(c, in->var, -1);
                } else if (v && v->kind == TL_E_VAR && place(c, v->var, -1) >= 0) {
                    add_place(c, in->var, -1);
                } else if (in->kind == TL_I_CALL) {
                    const tl_fn_model *m = model_of(c, in->call.id);
                    if (!m || !m->fresh.present || m->fresh.arg < 0 || m->fresh.arg >= in->call.nargs) continue;
                    int av = array_var(in->call.args[m->fresh.arg]);
                    for (int e = 0; e < m->fresh.array && e < SB_ELEMS; e++) add_place(c, av, e);
                }
            }
    if (c->nplaces == 0) return false;
    c->handoffs = tl_xcalloc((size_t)c->nplaces, sizeof *c->handoffs);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_CALL) continue;
            const tl_fn_model *m = model_of(c, in->call.id);
            for (int j = 0; j < in->call.nargs; j++)
                if ((m && m->sends.present && j == m->sends.handle_arg) || may_write_arg(c, &in->call, m, j))
                    each_place(c, in->call.args[j], count_handoff, NULL);
        }
    return true;
}

/* The parameters (bit k < np) e mentions. */
static unsigned params_in(const tl_expr *e, int np) {
    if (!e) return 0;
    unsigned m = e->kind == TL_E_VAR && e->var >= 0 && e->var < np ? 1u << e->var : 0;
    for (int k = 0; k < e->nkids; k++) m |= params_in(e->kids[k], np);
    return m;
}

/* The parameters (bit k < 32) function fi only reads: never assigned,
 * copied, stored, returned or their address taken, handed only as they are
 * to models that send nothing on them and to libc functions without a model
 * (a branch may test them).  Handed to the program's own code, a coroutine
 * or a sends call, a parameter may be written through. */
static unsigned read_only_params(const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    int np = f->nparams < 32 ? f->nparams : 32;
    unsigned bad = 0;
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < np)
                bad |= 1u << in->var;
            bad |= params_in(in->value, np) | params_in(in->target, np);
            if (in->kind != TL_I_CALL) continue;
            const tl_fn_model *m = in->call.id < ff->ncalls ? ff->calls[in->call.id].model : NULL;
            bool writes = may_write(&in->call, m);
            bad |= params_in(in->call.fn, np);
            for (int j = 0; j < in->call.nargs; j++) {
                unsigned used = params_in(in->call.args[j], np);
                const tl_expr *e = tl_expr_uncast(in->call.args[j]);
                bool plain = e && e->kind == TL_E_VAR && !writes && !(m && m->sends.present && m->sends.handle_arg == j);
                if (!plain) bad |= used;
            }
        }
    unsigned all = np == 32 ? 0xFFFFFFFFu : (1u << np) - 1u;
    return all & ~bad;
}

/* Run the byte budget over function fi: recording send_fits and
 * fresh_args, or (probe >= 0) only following parameter probe from 0 bytes
 * and giving the most written at a return (-1: not known). */
static long run_func(tl_analysis *a, int fi, const unsigned *read_only, const sb_attach *attach, int probe) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->nvars == 0) return -1;
    bool any = false; /* a fresh call, a layering call, or a parameter starting fresh */
    unsigned fresh_params = probe >= 0 ? 1u << probe
                            : a->program && f->usr ? tl_program_fresh_params(a->program, f->usr) : 0;
    for (int id = 0; id < ff->ncalls && !any; id++)
        any = (ff->calls[id].model && ff->calls[id].model->fresh.present) ||
              (ff->calls[id].instr && ff->calls[id].instr->call.callee_func >= 0 &&
               attach[ff->calls[id].instr->call.callee_func].param >= 0);
    if (!any && !fresh_params) return -1;
    sb_ctx c = {.a = a, .f = f, .ff = ff, .fresh_params = fresh_params, .budget = tl_dataflow_budget(f),
                .read_only = read_only, .attach = attach, .probe_param = probe, .probe_max = 0};
    size_t nkeys = (size_t)f->nvars * (SB_ELEMS + 1);
    c.place_of = tl_xmalloc(nkeys * sizeof *c.place_of);
    for (size_t k = 0; k < nkeys; k++) c.place_of[k] = -1;
    c.taken = tl_xcalloc((size_t)f->nvars, 1);
    tl_func_addr_taken(f, c.taken);
    c.literal = literal_vars(f, c.taken);
    long result = -1;
    if (find_places(&c)) {
        loop_deltas(&c);
        tl_dataflow_result r;
        if (tl_dataflow_forward(f, &sb_ops, &c, &r) == 0) {
            c.recording = probe < 0;
            sb_state s;
            for (int bi = 0; bi < f->nblocks; bi++) {
                if (!r.reached[bi]) continue;
                tl_dataflow_replay(&r, f, bi, 0, &s);
                for (int i = 0; i < f->blocks[bi].ninstrs && s.reached; i++) apply(&c, &s, &f->blocks[bi].instrs[i]);
            }
            result = c.probe_max;
        }
        tl_dataflow_free(&r);
    }
    tl_loop_trips_free(&c.trips);
    free(c.delta);
    free(c.additive);
    free(c.handoffs);
    free(c.literal);
    free(c.taken);
    free(c.place_of);
    return result;
}

/* The variable a store's target is reached from: `self` of `self->u`,
 * `obj.fd`, `p[i].fd`; -1 none. */
static int object_var(const tl_expr *e) {
    for (e = tl_expr_uncast(e); e; e = tl_expr_uncast(e->kids[0])) {
        if (e->kind == TL_E_VAR) return e->var;
        if (!(e->kind == TL_E_MEMBER || e->kind == TL_E_INDEX || e->kind == TL_E_DEREF) || e->nkids < 1) return -1;
    }
    return -1;
}

static bool is_var(const tl_expr *e, int k) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR && e->var == k;
}

/* The parameter (< np) a stored value keeps: `u`, or a handle a model
 * says continues it (libdill's `hown(u)`: fresh.from_arg); -1 none. */
static int kept_param(const tl_func_facts *ff, const tl_expr *v, int np) {
    v = tl_expr_uncast(v);
    if (v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < ff->ncalls) {
        const tl_fn_model *m = ff->calls[v->call_id].model;
        const tl_instr *call = ff->calls[v->call_id].instr;
        if (!m || !m->fresh.present || m->fresh.from_arg < 0 || !call || m->fresh.from_arg >= call->call.nargs) return -1;
        v = tl_expr_uncast(call->call.args[m->fresh.from_arg]);
    }
    return v && v->kind == TL_E_VAR && v->var >= 0 && v->var < np ? v->var : -1;
}

/* The parameter function fi layers a protocol over, -1 none: the one
 * parameter it stores into an object of its own (`self->u = u`, self a
 * local; or a handle a model says continues it, `self->u = hown(u)`),
 * never assigned nor its address taken, handed only as it is to models (a
 * handshake's sends and
 * receives, a close on the error path) and to libc functions, and never
 * returned: the function keeps the connection in an object of its own
 * and returns that object's handle (libdill's hmake, a program's socket
 * type), so what is sent on the handle goes to the connection, with each
 * call's framing (TL_SEND_SLACK). */
static int attach_candidate(const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    int np = f->nparams < 32 ? f->nparams : 32, k = -1;
    if (np <= 0 || f->nblocks == 0) return -1;
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            int kept = in->kind == TL_I_STORE ? kept_param(ff, in->value, np) : -1;
            if (kept < 0) continue;
            int root = object_var(in->target);
            if (root < 0 || root >= f->nvars || f->vars[root].kind != TL_VAR_LOCAL) return -1; /* (a global: shared) */
            if (k >= 0 && k != kept) return -1;
            k = kept;
        }
    if (k < 0) return -1;
    unsigned char *taken = tl_xcalloc((size_t)f->nvars, 1);
    tl_func_addr_taken(f, taken);
    bool ok = !taken[k];
    free(taken);
    bool handle = false; /* some return gives something else than a constant */
    for (int b = 0; b < f->nblocks && ok; b++)
        for (int i = 0; i < f->blocks[b].ninstrs && ok; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            switch (in->kind) {
            case TL_I_ASSIGN:
            case TL_I_DECL: ok = in->var != k && !tl_expr_mentions_var(in->value, k); break;
            case TL_I_STORE: ok = !tl_expr_mentions_var(in->target, k) && (is_var(in->value, k) || !tl_expr_mentions_var(in->value, k)); break;
            case TL_I_RETURN: {
                const tl_expr *v = tl_expr_uncast(in->value);
                ok = !tl_expr_mentions_var(v, k); /* (no value: falling off the end) */
                if (v && ok && v->kind != TL_E_CONST && v->kind != TL_E_NULL && v->kind != TL_E_UNARY) handle = true;
                break;
            }
            case TL_I_CALL: {
                const tl_call *call = &in->call;
                const tl_fn_model *m = call->id < ff->ncalls ? ff->calls[call->id].model : NULL;
                ok = !tl_expr_mentions_var(call->fn, k);
                for (int j = 0; j < call->nargs && ok; j++)
                    ok = !tl_expr_mentions_var(call->args[j], k) || (is_var(call->args[j], k) && !may_write(call, m));
                break;
            }
            default: ok = is_var(in->value, k) || !tl_expr_mentions_var(in->value, k); break; /* (`use u`: a read discarded) */
            }
        }
    return ok && handle ? k : -1;
}

void tl_analysis_mark_send_budget(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    int n = a->tu->nfuncs > 0 ? a->tu->nfuncs : 1;
    unsigned *read_only = tl_xcalloc((size_t)n, sizeof *read_only);
    sb_attach *attach = tl_xcalloc((size_t)n, sizeof *attach);
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        read_only[fi] = read_only_params(a, fi);
        attach[fi].param = -1;
    }
    /* (a layer's own handshake: each function probed once, before any uses it) */
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        int k = attach_candidate(a, fi);
        long bytes = k >= 0 ? run_func(a, fi, read_only, attach, k) : -1;
        if (bytes >= 0 && bytes <= TL_SEND_BUDGET) {
            attach[fi].param = k;
            attach[fi].bytes = (uint16_t)bytes;
        }
    }
    for (int fi = 0; fi < a->tu->nfuncs; fi++) run_func(a, fi, read_only, attach, -1);
    free(attach);
    free(read_only);
}
