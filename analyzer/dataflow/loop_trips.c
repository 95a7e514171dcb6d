/* loop_trips.c - loops that run a known number of times (loop_trips.h). */
#include "loop_trips.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "cycles.h"
#include "dataflow.h"

#define LT_MAX_ABS ((int64_t)1 << 40) /* constants beyond are not counted with */

static const tl_expr *uncast(const tl_expr *e) { return tl_expr_uncast(e); }

static bool is_var(const tl_expr *e, int v) {
    e = uncast(e);
    return e && e->kind == TL_E_VAR && e->var == v;
}

static bool is_const(const tl_expr *e, int64_t *out) {
    e = uncast(e);
    if (!e || e->kind != TL_E_CONST || e->ival > LT_MAX_ABS || e->ival < -LT_MAX_ABS) return false;
    *out = e->ival;
    return true;
}

/* The step an assignment of v makes: +1, -1, or 0 (none of those). */
static int step_of(const tl_expr *value, int v) {
    const tl_expr *e = uncast(value);
    int64_t k;
    if (!e) return 0;
    if (e->kind == TL_E_OTHER && e->nkids == 1 && is_var(e->kids[0], v)) {
        if (strcmp(e->op, "++") == 0) return 1;
        if (strcmp(e->op, "--") == 0) return -1;
        return 0;
    }
    if (e->kind != TL_E_BINARY || e->nkids != 2) return 0;
    bool plus = strcmp(e->op, "+") == 0, minus = strcmp(e->op, "-") == 0;
    if ((plus || minus) && is_var(e->kids[0], v) && is_const(e->kids[1], &k) && (k == 1 || k == -1))
        return (int)(plus ? k : -k);
    if (plus && is_var(e->kids[1], v) && is_const(e->kids[0], &k) && (k == 1 || k == -1)) return (int)k;
    return 0;
}

/* The comparison mirrored (`K < v` is `v > K`) or negated (the loop stays on
 * the false edge); "" when there is none. */
static const char *mirror(const char *op) {
    if (!strcmp(op, "<")) return ">";
    if (!strcmp(op, "<=")) return ">=";
    if (!strcmp(op, ">")) return "<";
    if (!strcmp(op, ">=")) return "<=";
    if (!strcmp(op, "!=")) return "!=";
    return "";
}

static const char *negate(const char *op) {
    if (!strcmp(op, "<")) return ">=";
    if (!strcmp(op, "<=")) return ">";
    if (!strcmp(op, ">")) return "<=";
    if (!strcmp(op, ">=")) return "<";
    return ""; /* `while (i == n)` and a loop left on `!=`: not counted */
}

typedef struct {
    const tl_func *f;
    unsigned char *taken;
    int *assigns;        /* per variable: assignments anywhere */
    int *cyclic_assigns; /* per variable: assignments and declarations on a cycle */
} lt_ctx;

static bool plain_local(const lt_ctx *c, int v) {
    if (v < 0 || v >= c->f->nvars || c->taken[v]) return false;
    tl_var_kind k = c->f->vars[v].kind;
    return k == TL_VAR_LOCAL || k == TL_VAR_PARAM;
}

/* A bound variable holds one value wherever it is read: assigned at most
 * once (a parameter never), outside any loop. */
static bool invariant(const lt_ctx *c, int v) {
    if (!plain_local(c, v) || c->cyclic_assigns[v] > 0) return false;
    return c->f->vars[v].kind == TL_VAR_PARAM && v < c->f->nparams ? c->assigns[v] == 0 : c->assigns[v] <= 1;
}

/* Blocks of component `cp` in an order where each comes after its
 * predecessors in the component, the edges into the header aside; false when
 * another cycle lies inside. */
static bool order_loop(const tl_func *f, const int *comp, int cp, int header, const int *members, int n,
                       int *order) {
    int *indeg = tl_xcalloc((size_t)f->nblocks, sizeof *indeg);
    for (int i = 0; i < n; i++) {
        const tl_block *b = &f->blocks[members[i]];
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t >= 0 && t < f->nblocks && comp[t] == cp && t != header) indeg[t]++;
        }
    }
    int head = 0, tail = 0;
    order[tail++] = header;
    while (head < tail) {
        const tl_block *b = &f->blocks[order[head++]];
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t >= 0 && t < f->nblocks && comp[t] == cp && t != header && --indeg[t] == 0) order[tail++] = t;
        }
    }
    free(indeg);
    return tail == n;
}

/* Is component cp (its blocks in members) a counted loop?  Fills *L. */
static bool counted(const lt_ctx *c, const int *comp, const int *rpo, int cp, const int *members, int n,
                    tl_counted_loop *L) {
    const tl_func *f = c->f;
    int header = -1, preheader = -1, latch = -1;
    for (int i = 0; i < n; i++) {
        const tl_block *b = &f->blocks[members[i]];
        for (int p = 0; p < b->npred; p++) {
            int q = b->pred[p];
            if (q < 0 || q >= f->nblocks || rpo[q] < 0 || comp[q] == cp) continue;
            if (header >= 0 && (header != members[i] || preheader != q)) return false;
            header = members[i];
            preheader = q;
        }
    }
    if (header < 0) return false;
    for (int i = 0; i < n; i++) {
        const tl_block *b = &f->blocks[members[i]];
        int back = 0;
        for (int s = 0; s < b->nsucc; s++) back += b->succ[s] == header;
        if (back > 1 || (back == 1 && latch >= 0)) return false;
        if (back == 1) latch = members[i];
    }
    const tl_block *h = &f->blocks[header];
    if (latch < 0 || latch == header || h->ninstrs != 0 || h->term != TL_T_BRANCH || h->nsucc != 2 || !h->cond)
        return false;
    for (int k = 0; k < 2; k++)
        if (h->succ[k] < 0 || h->succ[k] >= f->nblocks) return false;
    int stay = comp[h->succ[0]] == cp ? 0 : 1, leave = 1 - stay;
    if (comp[h->succ[leave]] == cp || comp[h->succ[stay]] != cp) return false;
    const tl_expr *t = uncast(h->cond);
    if (!t || t->kind != TL_E_BINARY || t->nkids != 2) return false;
    /* the induction variable: a side assigned in the loop */
    int var = -1;
    const tl_expr *bound = NULL;
    const char *op = t->op;
    for (int side = 0; side < 2 && var < 0; side++) {
        const tl_expr *e = uncast(t->kids[side]);
        if (!e || e->kind != TL_E_VAR || !plain_local(c, e->var)) continue;
        int in_loop = 0, step_in_latch = 0;
        for (int i = 0; i < n; i++) {
            const tl_block *b = &f->blocks[members[i]];
            for (int k = 0; k < b->ninstrs; k++) {
                const tl_instr *in = &b->instrs[k];
                if ((in->kind != TL_I_ASSIGN && in->kind != TL_I_DECL) || in->var != e->var) continue;
                in_loop++;
                if (members[i] == latch && in->kind == TL_I_ASSIGN && step_of(in->value, e->var) != 0)
                    step_in_latch++;
            }
        }
        if (in_loop != 1 || step_in_latch != 1) continue;
        var = e->var;
        bound = t->kids[1 - side];
        if (side == 1) op = mirror(op);
    }
    if (var < 0) return false;
    if (stay == 1) op = negate(op);
    int step = 0;
    const tl_block *lb = &f->blocks[latch];
    for (int k = 0; k < lb->ninstrs; k++)
        if (lb->instrs[k].kind == TL_I_ASSIGN && lb->instrs[k].var == var) step = step_of(lb->instrs[k].value, var);
    int64_t c0 = 0;
    bool have_c0 = false;
    const tl_block *pb = &f->blocks[preheader];
    for (int k = pb->ninstrs - 1; k >= 0 && !have_c0; k--) {
        const tl_instr *in = &pb->instrs[k];
        if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var == var) {
            if (in->kind != TL_I_ASSIGN || !is_const(in->value, &c0)) return false;
            have_c0 = true;
        }
    }
    if (!have_c0) return false;
    int64_t k;
    const tl_expr *be = uncast(bound);
    bool up = step > 0;
    bool strict = !strcmp(op, "<") || !strcmp(op, ">") || !strcmp(op, "!=");
    bool toward = up ? (!strcmp(op, "<") || !strcmp(op, "<=") || !strcmp(op, "!="))
                     : (!strcmp(op, ">") || !strcmp(op, ">=") || !strcmp(op, "!="));
    if (!toward) return false;
    L->bound_var = -1;
    if (is_const(be, &k)) {
        int64_t trips = (up ? k - c0 : c0 - k) + (strict ? 0 : 1);
        if (trips < 0) {
            if (!strcmp(op, "!=")) return false; /* steps away from the bound: wraps */
            trips = 0;
        }
        L->trips = trips;
    } else if (be && be->kind == TL_E_VAR && be->var != var && invariant(c, be->var) && up) {
        L->bound_var = be->var;
        L->trips = -c0 + (strict ? 0 : 1);
    } else {
        return false;
    }
    L->header = header;
    L->latch = latch;
    L->preheader = preheader;
    L->stay = stay;
    L->leave = leave;
    L->var = var;
    L->order = tl_xmalloc((size_t)n * sizeof *L->order);
    L->norder = n;
    if (!order_loop(f, comp, cp, header, members, n, L->order)) {
        free(L->order);
        L->order = NULL;
        return false;
    }
    return true;
}

void tl_loop_trips_find(const tl_func *f, tl_loop_trips *out,
                        bool (*read_only)(void *ctx, const tl_call *call, int arg), void *ctx) {
    memset(out, 0, sizeof *out);
    size_t nb = (size_t)(f->nblocks > 0 ? f->nblocks : 1);
    out->loop_of = tl_xmalloc(nb * sizeof *out->loop_of);
    for (int b = 0; b < f->nblocks; b++) out->loop_of[b] = -1;
    size_t nv = (size_t)(f->nvars > 0 ? f->nvars : 1);
    out->invariant = tl_xcalloc(nv, 1);
    if (f->nblocks == 0) return;
    int ncomp = 0;
    int *comp = tl_cycle_components(f, &ncomp);
    out->comp = comp;
    out->ncomp = ncomp;
    lt_ctx c = {.f = f};
    c.taken = tl_xcalloc(nv, 1);
    tl_func_addr_taken_except(f, c.taken, read_only, ctx);
    c.assigns = tl_xcalloc(nv, sizeof *c.assigns);
    c.cyclic_assigns = tl_xcalloc(nv, sizeof *c.cyclic_assigns);
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if ((in->kind != TL_I_ASSIGN && in->kind != TL_I_DECL) || in->var < 0 || in->var >= f->nvars) continue;
            if (in->kind == TL_I_ASSIGN) c.assigns[in->var]++;
            if (comp[b] >= 0) c.cyclic_assigns[in->var]++;
        }
    for (int v = 0; v < f->nvars; v++) out->invariant[v] = invariant(&c, v);
    int *rpo = tl_xmalloc(nb * sizeof *rpo);
    tl_dataflow_rpo(f, rpo);
    /* the members of each component, bucketed */
    int *start = tl_xcalloc((size_t)ncomp + 1, sizeof *start), *members = tl_xmalloc(nb * sizeof *members);
    for (int b = 0; b < f->nblocks; b++)
        if (comp[b] >= 0) start[comp[b] + 1]++;
    for (int i = 0; i < ncomp; i++) start[i + 1] += start[i];
    int *fill = tl_xmalloc(((size_t)ncomp + 1) * sizeof *fill);
    memcpy(fill, start, ((size_t)ncomp + 1) * sizeof *fill);
    for (int b = 0; b < f->nblocks; b++)
        if (comp[b] >= 0) members[fill[comp[b]]++] = b;
    out->loops = tl_xcalloc((size_t)(ncomp > 0 ? ncomp : 1), sizeof *out->loops);
    for (int cp = 0; cp < ncomp; cp++) {
        tl_counted_loop L;
        memset(&L, 0, sizeof L);
        if (!counted(&c, comp, rpo, cp, members + start[cp], start[cp + 1] - start[cp], &L)) continue;
        for (int i = 0; i < L.norder; i++) out->loop_of[L.order[i]] = out->nloops;
        out->loops[out->nloops++] = L;
    }
    free(fill);
    free(members);
    free(start);
    free(rpo);
    free(c.cyclic_assigns);
    free(c.assigns);
    free(c.taken);
}

void tl_loop_trips_free(tl_loop_trips *lt) {
    if (!lt) return;
    for (int i = 0; i < lt->nloops; i++) free(lt->loops[i].order);
    free(lt->loops);
    free(lt->loop_of);
    free(lt->invariant);
    free(lt->comp);
    memset(lt, 0, sizeof *lt);
}

tl_loop_edge tl_loop_edge_kind(const tl_loop_trips *lt, const tl_func *f, int b, int s, int *loop) {
    *loop = -1;
    if (!lt || !lt->loop_of || b < 0 || b >= f->nblocks || s < 0 || s >= f->blocks[b].nsucc) return TL_LOOP_EDGE_NONE;
    int t = f->blocks[b].succ[s];
    if (t < 0 || t >= f->nblocks) return TL_LOOP_EDGE_NONE;
    int lt_t = lt->loop_of[t], lt_b = lt->loop_of[b];
    if (lt_t >= 0 && lt->loops[lt_t].header == t) {
        if (b == lt->loops[lt_t].latch) return *loop = lt_t, TL_LOOP_EDGE_BACK;
        if (b == lt->loops[lt_t].preheader) return *loop = lt_t, TL_LOOP_EDGE_ENTER;
    }
    if (lt_b >= 0 && lt->loops[lt_b].header == b) {
        *loop = lt_b;
        return s == lt->loops[lt_b].leave ? TL_LOOP_EDGE_LEAVE : TL_LOOP_EDGE_STAY;
    }
    return TL_LOOP_EDGE_NONE;
}
