/* peer_end.c - waits past the peer's end of stream (peer_end.h). */
#include "peer_end.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"
#include "must_bits.h"

#define PE_MAX_PLACES 32
#define PE_WALK_BLOCKS TL_MUST_WALK_BLOCKS

/* must_bits.h's bit p: the peer's end arrived on place p's handle */

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    int nplaces;
    int *place_of;      /* var -> place, -1 */
    uint32_t *edge_set; /* per block * 2 + successor: the places an edge marks ended */
} pe_ctx;

static const tl_fn_model *model_of(const pe_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].model : NULL;
}

static int place(const pe_ctx *c, const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->f->nvars ? c->place_of[e->var] : -1;
}

/* e reads errno: `*__errno_location()` (the errno_location model). */
static bool errno_read(const pe_ctx *c, const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e || e->nkids != 1 || !(e->kind == TL_E_DEREF || (e->kind == TL_E_UNARY && strcmp(e->op, "*") == 0)))
        return false;
    const tl_expr *k = tl_expr_uncast(e->kids[0]);
    const tl_fn_model *m = k && k->kind == TL_E_CALLRES ? model_of(c, k->call_id) : NULL;
    return m && m->errno_location.present;
}

/* `errno == V` (true edge 0) or `errno != V` (true edge 1): V and the edge
 * on which errno equals it; false when the condition is no such test. */
static bool errno_equals(const pe_ctx *c, const tl_expr *e, int64_t *v, int *edge) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_BINARY || e->nkids != 2) return false;
    bool eq = strcmp(e->op, "==") == 0;
    if (!eq && strcmp(e->op, "!=") != 0) return false;
    for (int side = 0; side < 2; side++) {
        const tl_expr *k = tl_expr_uncast(e->kids[1 - side]);
        if (k && k->kind == TL_E_CONST && errno_read(c, e->kids[side])) {
            *v = k->ival;
            *edge = eq ? 0 : 1;
            return true;
        }
    }
    return false;
}

/* The call that set errno before the end of block b: backwards over its
 * instructions, then over single predecessors, skipping errno reads. */
static const tl_instr *errno_setter(const pe_ctx *c, int b, const int *npred, const int *pred1) {
    for (int step = 0; step < PE_WALK_BLOCKS && b >= 0 && b < c->f->nblocks; step++) {
        const tl_block *x = &c->f->blocks[b];
        for (int i = x->ninstrs - 1; i >= 0; i--) {
            const tl_instr *in = &x->instrs[i];
            if (in->kind != TL_I_CALL) continue;
            const tl_fn_model *m = model_of(c, in->call.id);
            if (m && m->errno_location.present) continue;
            return in;
        }
        if (npred[b] != 1) return NULL;
        b = pred1[b];
    }
    return NULL;
}

/* The instruction of call id (the call facts'), or NULL. */
static const tl_instr *call_instr(const pe_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].instr : NULL;
}

/* `X < 0`, `X <= -1`, `X == -1` (true edge 0) or their negations `X >= 0`,
 * `X > -1`, `X != -1` (failure on edge 1), X a call's result or a variable:
 * the edge on which X is negative, and X. */
static bool negative_test(const tl_expr *e, int *edge, const tl_expr **x) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_BINARY || e->nkids != 2) return false;
    const tl_expr *l = tl_expr_uncast(e->kids[0]), *r = tl_expr_uncast(e->kids[1]);
    if (!l || !r || r->kind != TL_E_CONST || (l->kind != TL_E_VAR && l->kind != TL_E_CALLRES)) return false;
    int64_t k = r->ival;
    const char *op = e->op;
    if ((!strcmp(op, "<") && k == 0) || (!strcmp(op, "<=") && k == -1) || (!strcmp(op, "==") && k == -1))
        *edge = 0;
    else if ((!strcmp(op, ">=") && k == 0) || (!strcmp(op, ">") && k == -1) || (!strcmp(op, "!=") && k == -1))
        *edge = 1;
    else
        return false;
    *x = l;
    return true;
}

/* The call whose result the test's X is: X itself, or the value last
 * assigned to the variable X before the end of block b. */
static const tl_instr *result_setter(const pe_ctx *c, int b, const tl_expr *x, const int *npred,
                                     const int *pred1) {
    if (x->kind == TL_E_CALLRES) return call_instr(c, x->call_id);
    return call_instr(c, tl_reaching_result(c->f, b, x->var, npred, pred1));
}

static void find_edges(pe_ctx *c) {
    const tl_func *f = c->f;
    int *npred, *pred1;
    tl_reached_preds(f, &npred, &pred1);
    for (int b = 0; b < f->nblocks; b++) {
        const tl_block *x = &f->blocks[b];
        int64_t v;
        int edge;
        const tl_expr *res;
        if (x->term != TL_T_BRANCH || x->nsucc != 2) continue;
        bool by_errno = errno_equals(c, x->cond, &v, &edge);
        if (!by_errno && !negative_test(x->cond, &edge, &res)) continue;
        const tl_instr *in = by_errno ? errno_setter(c, b, npred, pred1) : result_setter(c, b, res, npred, pred1);
        const tl_fn_model *m = in ? model_of(c, in->call.id) : NULL;
        if (!m || !m->end_errno.present || m->end_errno.handle_arg >= in->call.nargs) continue;
        /* any failure ends it, or a failure with an end value */
        bool end = !by_errno && m->end_errno.any_failure;
        for (int i = 0; by_errno && i < m->end_errno.nvalues; i++) end |= m->end_errno.values[i] == v;
        int p = end ? place(c, in->call.args[m->end_errno.handle_arg]) : -1;
        if (p >= 0) c->edge_set[b * 2 + edge] |= 1u << p;
    }
    free(pred1);
    free(npred);
}

/* A wait `unless_peer_ended` on a handle whose peer's end arrived on every
 * path (bits). */
static void use(void *ctx, const tl_instr *in, uint32_t bits) {
    pe_ctx *c = ctx;
    const tl_fn_model *m = model_of(c, in->call.id);
    if (!m || !m->wait.present || m->wait.unless_peer_ended < 0 || m->wait.unless_peer_ended >= in->call.nargs)
        return;
    int p = place(c, in->call.args[m->wait.unless_peer_ended]);
    if (p >= 0 && (bits >> p & 1u)) c->ff->calls[in->call.id].peer_ended = true;
}

static void run_func(tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->nvars == 0) return;
    bool waits = false;
    for (int id = 0; id < ff->ncalls && !waits; id++)
        waits = ff->calls[id].model && ff->calls[id].model->wait.unless_peer_ended >= 0;
    if (!waits) return;
    pe_ctx c = {.f = f, .ff = ff};
    c.place_of = tl_xmalloc((size_t)f->nvars * sizeof *c.place_of);
    for (int v = 0; v < f->nvars; v++) c.place_of[v] = -1;
    unsigned char *taken = tl_xcalloc((size_t)f->nvars, 1);
    tl_func_addr_taken(f, taken);
    for (int id = 0; id < ff->ncalls && c.nplaces < PE_MAX_PLACES; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        if (!m || !m->end_errno.present || !in || m->end_errno.handle_arg >= in->call.nargs) continue;
        const tl_expr *e = tl_expr_uncast(in->call.args[m->end_errno.handle_arg]);
        if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars && !taken[e->var] &&
            c.place_of[e->var] < 0)
            c.place_of[e->var] = c.nplaces++;
    }
    if (c.nplaces > 0) {
        c.edge_set = tl_xcalloc((size_t)f->nblocks * 2 + 1, sizeof *c.edge_set);
        find_edges(&c);
        tl_must_bits_solve(f, c.place_of, c.edge_set, use, &c);
        free(c.edge_set);
    }
    free(taken);
    free(c.place_of);
}

void tl_analysis_mark_peer_ends(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) run_func(a, fi);
}
