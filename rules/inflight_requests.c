/* inflight_requests.c - the requests prepared on an object one by one, for
 * the in-flight dataflow of inflight.c (keys and packing in
 * inflight_internal.h).
 *
 * A prepare call adds one request to the object its part belongs to and
 * remembers it twice: on the part (what a later flag on that part applies
 * to) and on the object (the request the next one may be linked to).  The
 * model's `request_flags` (a call such as io_uring_sqe_set_flags, or a
 * store into a field entry such as io_uring_sqe.flags) then say:
 *   - skip_success: the request posts no completion when it succeeds, so
 *     it is not a completion to reap nor one a wait can count on: its
 *     counts are taken back (kinds get TL_IF_SKIPPED) - unless the model
 *     says the request completes with a failure (prepare `fails`: a
 *     timeout expiring posts -ETIME, and the kernel posts what fails);
 *   - link: the next request prepared on the object runs after it - one
 *     that may wait on a peer makes the next wait on it too, and a
 *     link_timeout request prepared next bounds it.
 * A flag value that is not a constant, or a part handed to code nobody
 * models, leaves the request posting and maybe linked.  Requests are told
 * apart by the variable holding the part (`sqe`); parts held in arrays are
 * counted but take no flags.  Constant work per instruction.
 */
#include "inflight_internal.h"

#include <string.h>

#include "ownership.h"
#include "../analyzer/program/program.h"

/* The variable a part expression is (a plain variable), or -1. */
static int part_var(const if_ctx *c, const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->nvars ? e->var : -1;
}

static int bump(int n, int d) {
    if (n == TL_IF_MANY) return n;
    n += d;
    return n < 0 ? 0 : n > 254 ? 254 : n;
}

/* Does the request prepared by this call complete with a failure (prepare
 * `fails`), so that a skip_success flag leaves its completion?  Not when
 * the `fails_unless` argument is a constant with a bit of its mask, nor
 * when that argument is not known. */
static bool prepared_fails(const if_ctx *c, const tl_call *call, const tl_prepare_facet *p) {
    if (!p->fails) return false;
    if (p->fails_unless_arg < 0) return true;
    if (p->fails_unless_arg >= call->nargs) return false;
    tl_cval cv = tl_own_arg_value(c->a, c->fi, call, p->fails_unless_arg);
    return cv.kind == TL_CV_INT && (cv.v & p->fails_unless_mask) == 0;
}

void tl_if_prepare(if_ctx *c, const tl_call *call, const tl_fn_model *m) {
    int v = tl_if_part_owner(c, call, m->prepare.arg, true);
    if (v < 0 || !c->tracked[v]) return;
    int n = c->nvars;
    int part = m->prepare.arg < call->nargs ? part_var(c, call->args[m->prepare.arg]) : -1;
    uint64_t x = get(c, v), last = get(c, 4 * n + v);
    uint64_t old = part >= 0 ? get(c, 3 * n + part) : 0;
    int prep = tl_if_add_count(PREP(x), 1);
    unsigned k = tl_if_op_kind(c, call, &m->prepare), kinds = KINDS(x);
    int npeer = tl_if_npeer(x), ncomp = NCOMP(x);
    if ((old & REQ_VALID) && PREP(x) > 0) { /* prepared again: it replaces the request there */
        if (!(old & REQ_SKIP)) prep = PREP(x);
        if ((old & REQ_CPEER) && !(old & REQ_SKIP)) npeer = bump(npeer, -1);
        if ((old & REQ_CCOMP) && !(old & REQ_SKIP)) ncomp = bump(ncomp, -1);
        if ((last >> 32) == (uint64_t)part + 1) /* what it was linked to comes before it */
            last = 0;
    }
    bool chained = (last & LAST_VALID) && (last & LAST_LINK);
    if (k == TL_IF_PEER && c->peer_prep[v] < 0) c->peer_prep[v] = call->id;
    if (m->prepare.op == TL_OP_CANCEL) { /* what may wait on a peer is cut short */
        npeer = 0;
    } else if (m->prepare.op == TL_OP_LINK_TIMEOUT) {
        if (chained && (last & LAST_CPEER)) { /* the peer request linked before it is bounded */
            npeer = bump(npeer, -1);
            ncomp = bump(ncomp, 1);
        } else if (!(last & LAST_VALID)) { /* which one is not known: as a cancel */
            npeer = 0;
        } /* else linked to none, or to one that completes anyway */
        chained = false; /* it expires on its own */
    } else if (chained && (last & LAST_PEER)) {
        k = TL_IF_PEER; /* it runs once the request before it, which may wait, is done */
    } else if (chained && k == TL_IF_IMMEDIATE) {
        k = TL_IF_COMPLETE; /* it waits for the request before it, which completes later */
    }
    unsigned req = REQ_VALID;
    if (k == TL_IF_PEER) {
        npeer = bump(npeer, 1);
        req |= REQ_PEER | REQ_CPEER;
    } else if ((k == TL_IF_COMPLETE || k == TL_IF_IMMEDIATE) && !(chained && (last & LAST_UNK))) {
        ncomp = bump(ncomp, 1);
        req |= REQ_CCOMP;
        if (c->comp_prep[v] < 0) c->comp_prep[v] = call->id;
    }
    kinds |= k;
    if (m->prepare.op == TL_OP_CANCEL) kinds &= ~(unsigned)TL_IF_MULTISHOT;
    if (m->prepare.multishot && k == TL_IF_PEER) kinds |= TL_IF_MULTISHOT;
    if (npeer == 0) kinds &= ~(unsigned)TL_IF_PEER;
    uint64_t y = PACKR(kinds, prep, FLIGHT(x), READY(x));
    put(c, v, tl_if_with_counts(y, npeer, ncomp));
    if (prepared_fails(c, call, &m->prepare)) req |= REQ_FAIL;
    if (part >= 0) put(c, 3 * n + part, req);
    uint64_t nl = LAST_VALID | (k == TL_IF_PEER ? LAST_PEER : 0) | (k == TL_IF_OUTSIDE ? LAST_UNK : 0) |
                  (req & REQ_CPEER ? LAST_CPEER : 0);
    put(c, 4 * n + v, nl | ((uint64_t)(part + 1) << 32));
}

/* How a flags value changes a flag: set, clear, or leave it. */
enum { FL_KEEP = -1, FL_CLEAR = 0, FL_SET = 1 };
enum { MODE_REPLACE, MODE_OR, MODE_AND };

static int flag_change(int64_t mask, int mode, bool known, int64_t val, int unknown) {
    if (!mask) return FL_KEEP;
    if (!known) return unknown;
    bool has = (val & mask) != 0;
    if (mode == MODE_OR) return has ? FL_SET : FL_KEEP;
    if (mode == MODE_AND) return has ? FL_KEEP : FL_CLEAR;
    return has ? FL_SET : FL_CLEAR;
}

/* The flags of the request on part `part` change (request_flags q). */
static void set_flags(if_ctx *c, int part, const tl_request_flags_facet *q, int mode, bool known, int64_t val) {
    int n = c->nvars;
    uint64_t w = part >= 0 ? get(c, 2 * n + part) : 0;
    int v = w ? (int)w - 1 : -1;
    if (v < 0 || v >= n || !c->tracked[v]) return;
    /* a value not known: the request posts its completion (replaced or
       masked flags may have lost the bit), and may be linked */
    int skip = flag_change(q->skip_success, mode, known, val, mode == MODE_OR ? FL_KEEP : FL_CLEAR);
    int link = flag_change(q->link, mode, known, val, mode == MODE_AND ? FL_KEEP : FL_SET);
    uint64_t req = get(c, 3 * n + part), x = get(c, v), last = get(c, 4 * n + v);
    bool is_last = (last & LAST_VALID) && (last >> 32) == (uint64_t)part + 1;
    if (link == FL_SET && is_last) put(c, 4 * n + v, last | LAST_LINK);
    if (link == FL_CLEAR && is_last) put(c, 4 * n + v, last & ~(uint64_t)LAST_LINK);
    if (!(req & REQ_VALID) || (req & REQ_FAIL)) return; /* a failure posts its completion */
    int d = skip == FL_SET && !(req & REQ_SKIP) ? -1 : skip == FL_CLEAR && (req & REQ_SKIP) ? 1 : 0;
    /* only a request still prepared (not submitted) takes its flags: one
       that posts is among the prepared ones (a skipped one is not counted) */
    if (!d || (d < 0 && PREP(x) == 0)) return;
    unsigned kinds = KINDS(x) | (d < 0 ? TL_IF_SKIPPED : 0) | (d > 0 && (req & REQ_CPEER) ? TL_IF_PEER : 0);
    int p = PREP(x) == TL_IF_MANY ? TL_IF_MANY : PREP(x) + d;
    int npeer = req & REQ_CPEER ? bump(tl_if_npeer(x), d) : tl_if_npeer(x);
    int ncomp = req & REQ_CCOMP ? bump(NCOMP(x), d) : NCOMP(x);
    put(c, v, tl_if_with_counts(PACKR(kinds, p < 0 ? 0 : p, FLIGHT(x), READY(x)), npeer, ncomp));
    put(c, 3 * n + part, d < 0 ? req | REQ_SKIP : req & ~(uint64_t)REQ_SKIP);
    if (is_last) { /* a skipped request is not counted: a linked timeout takes nothing back */
        last = get(c, 4 * n + v) & ~(uint64_t)LAST_CPEER;
        if (d > 0 && (req & REQ_CPEER)) last |= LAST_CPEER;
        put(c, 4 * n + v, last);
    }
}

/* Could this call change the flags of a part it is handed?  A function
 * nobody models, or one of the program (its summary says nothing of
 * flags); not a library call without request_flags. */
static bool may_set_flags(const if_ctx *c, const tl_call *call, const tl_fn_model *m) {
    if (call->callee_system || (call->callee && tl_models_namespace(c->a->models, call->callee))) return false;
    return !m || (m->library && strcmp(m->library, "program") == 0);
}

void tl_if_call_flags(if_ctx *c, const tl_call *call, const tl_fn_model *m) {
    if (m && m->request_flags.present) {
        const tl_request_flags_facet *q = &m->request_flags;
        tl_cval cv = tl_own_arg_value(c->a, c->fi, call, q->value_arg);
        int part = q->arg < call->nargs ? part_var(c, call->args[q->arg]) : -1;
        set_flags(c, part, q, MODE_REPLACE, cv.kind == TL_CV_INT, cv.v);
        return;
    }
    if (m && m->prepare.present && !(m->library && strcmp(m->library, "program") == 0)) return;
    if (!may_set_flags(c, call, m)) return;
    static const tl_request_flags_facet unknown = {true, -1, -1, 0, 1}; /* maybe linked */
    for (int k = 0; k < call->nargs; k++) {
        int part = part_var(c, call->args[k]);
        if (part >= 0 && (get(c, 3 * c->nvars + part) & REQ_VALID))
            set_flags(c, part, &unknown, MODE_OR, false, 0);
    }
}

void tl_if_store_flags(if_ctx *c, const tl_instr *in) {
    const tl_expr *t = tl_expr_uncast(in->target);
    if (!t || t->kind != TL_E_MEMBER || !t->arrow || t->nkids != 1 || !t->usr) return;
    const tl_fn_model *m = tl_models_find_field_flags(c->a->models, t->usr);
    if (!m) return;
    int part = part_var(c, t->kids[0]);
    if (part < 0) return;
    /* `p->flags |= X` is lowered as p->flags = p->flags | X */
    const tl_expr *e = tl_expr_uncast(in->value);
    int mode = MODE_REPLACE;
    if (e && e->kind == TL_E_BINARY && e->nkids == 2 && (!strcmp(e->op, "|") || !strcmp(e->op, "&"))) {
        const tl_expr *l = tl_expr_uncast(e->kids[0]);
        if (l && l->kind == TL_E_MEMBER && l->usr && !strcmp(l->usr, t->usr) && l->nkids == 1 &&
            part_var(c, l->kids[0]) == part) {
            mode = e->op[0] == '|' ? MODE_OR : MODE_AND;
            e = e->kids[1];
        }
    }
    tl_cval cv = tl_eval_expr(e, NULL, 0);
    set_flags(c, part, &m->request_flags, mode, cv.kind == TL_CV_INT, cv.v);
}
