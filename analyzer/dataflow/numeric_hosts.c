/* numeric_hosts.c - host strings a numeric-address check accepted
 * (numeric_hosts.h). */
#include "numeric_hosts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../rules/ownership.h"
#include "../util/xalloc.h"
#include "dataflow.h"
#include "must_bits.h"

#define NH_MAX_PLACES 32
/* must_bits.h's bit p: place p holds a numeric address */

typedef struct {
    const tl_func *f;
    tl_func_facts *ff;
    int nplaces;
    int *place_of;      /* var -> place, -1 */
    uint32_t *edge_set; /* per block * 2 + successor: the places an edge marks numeric */
    int *npred, *pred1; /* reached predecessors of each block: how many, the last */
    int block;          /* the branch block whose condition is being read */
} nh_ctx;

static const tl_fn_model *model_of(const nh_ctx *c, int id) {
    return id >= 0 && id < c->ff->ncalls ? c->ff->calls[id].model : NULL;
}

static int place(const nh_ctx *c, const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < c->f->nvars ? c->place_of[e->var]
                                                                                               : -1;
}

static int var_holds(void *ctx, int v) {
    const nh_ctx *c = ctx;
    return tl_reaching_result(c->f, c->block, v, c->npred, c->pred1);
}

static void find_edges(nh_ctx *c) {
    const tl_func *f = c->f;
    tl_reached_preds(f, &c->npred, &c->pred1);
    for (int b = 0; b < f->nblocks; b++) {
        const tl_block *x = &f->blocks[b];
        if (x->term != TL_T_BRANCH || x->nsucc != 2) continue;
        c->block = b;
        for (int s = 0; s < 2; s++) {
            int op;
            int64_t k;
            int id = tl_own_edge_relation(x, s, var_holds, c, &op, &k);
            const tl_fn_model *m = model_of(c, id);
            const tl_instr *in = m && m->numeric_check.present ? c->ff->calls[id].instr : NULL;
            if (!in || m->numeric_check.arg >= in->call.nargs ||
                !tl_own_relation_succeeds(m->numeric_check.success, op, k))
                continue;
            int p = place(c, in->call.args[m->numeric_check.arg]);
            if (p >= 0) c->edge_set[b * 2 + s] |= 1u << p;
        }
    }
}

/* Calls whose `unless_numeric_address` argument is a place known numeric
 * on every path (bits). */
static void use(void *ctx, const tl_instr *in, uint32_t bits) {
    nh_ctx *c = ctx;
    const tl_fn_model *m = model_of(c, in->call.id);
    if (!m) return;
    int idx[2] = {m->wait.present ? m->wait.unless_numeric_arg : -1,
                  m->blocking.present ? m->blocking.unless_numeric_arg : -1};
    for (int j = 0; j < 2; j++) {
        int a = idx[j];
        if (a < 0 || a >= in->call.nargs || a >= 32) continue;
        int p = place(c, in->call.args[a]);
        if (p >= 0 && (bits >> p & 1u)) c->ff->calls[in->call.id].numeric_args |= 1u << a;
    }
}

static void run_func(tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    tl_func_facts *ff = &a->funcs[fi];
    if (f->nblocks == 0 || f->nvars == 0) return;
    nh_ctx c = {.f = f, .ff = ff};
    c.place_of = tl_xmalloc((size_t)f->nvars * sizeof *c.place_of);
    for (int v = 0; v < f->nvars; v++) c.place_of[v] = -1;
    unsigned char *taken = tl_xcalloc((size_t)f->nvars, 1);
    tl_func_addr_taken(f, taken);
    bool uses = false; /* a call that could use the fact */
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        uses = uses || (m && ((m->wait.present && m->wait.unless_numeric_arg >= 0) ||
                              (m->blocking.present && m->blocking.unless_numeric_arg >= 0)));
    }
    for (int id = 0; id < ff->ncalls && uses && c.nplaces < NH_MAX_PLACES; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        if (!m || !m->numeric_check.present || !in || m->numeric_check.arg >= in->call.nargs) continue;
        const tl_expr *e = tl_expr_uncast(in->call.args[m->numeric_check.arg]);
        if (e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < f->nvars && !taken[e->var] &&
            c.place_of[e->var] < 0)
            c.place_of[e->var] = c.nplaces++;
    }
    if (c.nplaces > 0) {
        c.edge_set = tl_xcalloc((size_t)f->nblocks * 2 + 1, sizeof *c.edge_set);
        find_edges(&c);
        tl_must_bits_solve(f, c.place_of, c.edge_set, use, &c);
        free(c.edge_set);
        free(c.npred);
        free(c.pred1);
    }
    free(taken);
    free(c.place_of);
}

void tl_analysis_mark_numeric_hosts(tl_analysis *a) {
    if (!a || !a->tu || !a->funcs) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) run_func(a, fi);
}
