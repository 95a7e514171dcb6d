/* field_guards.c - the fields of a table entry tested before a call through
 * it (see field_guards.h). */
#include "field_guards.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"

#define ON_NZ(s) (1u << (s))      /* edge s implies the fact non-zero */
#define ON_Z(s) (1u << (2 + (s))) /* edge s implies it zero */

typedef struct {
    int var;
    const char *usr;
    int64_t mask;
} fact;

typedef struct {
    fact facts[TL_FG_MAX_FACTS];
    int nfacts;
} fact_table;

/* `v->field` or `v.field` with v a variable: the variable, else -1. */
static int member_of_var(const tl_expr *e, const char **usr) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_MEMBER || e->nkids != 1 || !e->usr) return -1;
    const tl_expr *b = tl_expr_uncast(e->kids[0]);
    if (!b || b->kind != TL_E_VAR || b->nkids != 0) return -1;
    *usr = e->usr;
    return b->var;
}

static bool const_of(const tl_expr *e, int64_t *k) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_CONST) return false;
    *k = e->ival;
    return true;
}

/* The field test a condition makes (`t->f`, `!t->f`, `t->f & M`, `... != 0`,
 * `... == 0`): its variable (or -1), field, mask and ON bits. */
static int parse_test(const tl_expr *e, const char **usr, int64_t *mask, unsigned *on) {
    e = tl_expr_uncast(e);
    if (!e) return -1;
    int v = member_of_var(e, usr);
    if (v >= 0) {
        *mask = -1;
        *on = ON_NZ(0) | ON_Z(1);
        return v;
    }
    if (e->kind == TL_E_UNARY && e->nkids == 1 && strcmp(e->op, "!") == 0) {
        unsigned in = 0;
        v = parse_test(e->kids[0], usr, mask, &in);
        if (v < 0) return -1;
        *on = ((in & ON_NZ(0)) ? ON_NZ(1) : 0) | ((in & ON_NZ(1)) ? ON_NZ(0) : 0) | ((in & ON_Z(0)) ? ON_Z(1) : 0) |
              ((in & ON_Z(1)) ? ON_Z(0) : 0);
        return v;
    }
    if (e->kind != TL_E_BINARY || e->nkids != 2) return -1;
    int64_t k;
    if (strcmp(e->op, "&") == 0) {
        const tl_expr *m = e->kids[0], *c = e->kids[1];
        if (!const_of(c, &k)) {
            m = e->kids[1];
            c = e->kids[0];
            if (!const_of(c, &k)) return -1;
        }
        if (k == 0 || (v = member_of_var(m, usr)) < 0) return -1;
        *mask = k;
        *on = ON_NZ(0) | ON_Z(1);
        return v;
    }
    bool eq = strcmp(e->op, "==") == 0;
    if (!eq && strcmp(e->op, "!=") != 0) return -1;
    const tl_expr *t = e->kids[0];
    if (!const_of(e->kids[1], &k)) {
        t = e->kids[1];
        if (!const_of(e->kids[0], &k)) return -1;
    }
    if (k != 0) return -1;
    unsigned in = 0;
    v = parse_test(t, usr, mask, &in);
    if (v < 0 || in != (ON_NZ(0) | ON_Z(1))) return -1; /* (only a plain field or mask) */
    *on = eq ? ON_Z(0) | ON_NZ(1) : ON_NZ(0) | ON_Z(1);
    return v;
}

static int fact_index(fact_table *t, int var, const char *usr, int64_t mask, bool add) {
    for (int i = 0; i < t->nfacts; i++)
        if (t->facts[i].var == var && t->facts[i].mask == mask && strcmp(t->facts[i].usr, usr) == 0) return i;
    if (!add || t->nfacts >= TL_FG_MAX_FACTS) return -1;
    t->facts[t->nfacts] = (fact){var, usr, mask};
    return t->nfacts++;
}

/* The facts instruction `in` ends. */
static uint64_t kills_of(const fact_table *t, const tl_instr *in) {
    uint64_t k = 0;
    if (in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) {
        for (int i = 0; i < t->nfacts; i++)
            if (t->facts[i].var == in->var) k |= 1ull << i;
    } else if (in->kind == TL_I_STORE) {
        const tl_expr *tg = tl_expr_uncast(in->target);
        if (!tg || tg->kind != TL_E_MEMBER || !tg->usr) return ~0ull; /* a whole object */
        for (int i = 0; i < t->nfacts; i++)
            if (strcmp(t->facts[i].usr, tg->usr) == 0) k |= 1ull << i;
    }
    return k;
}

/* The variable whose field call `in` is (`t->main()`), or -1. */
static int field_call_var(const tl_instr *in) {
    const char *usr;
    if (in->kind != TL_I_CALL || in->call.callee || !in->call.fn) return -1;
    return member_of_var(in->call.fn, &usr);
}

void tl_field_guards(const tl_func *f, tl_field_guard (*out)[TL_FIELD_GUARDS_MAX], int *nout) {
    int n = f->nblocks;
    memset(nout, 0, (size_t)(f->ncalls > 0 ? f->ncalls : 0) * sizeof *nout);
    if (n <= 0 || f->entry < 0 || f->entry >= n || f->nvars <= 0) return;
    /* the variables calls go through, whose address is never taken */
    unsigned char *callvar = tl_xcalloc((size_t)f->nvars + 1, 1);
    unsigned char *taken = tl_xcalloc((size_t)f->nvars + 1, 1);
    bool any = false;
    for (int b = 0; b < n; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            int v = field_call_var(&f->blocks[b].instrs[i]);
            if (v >= 0 && v < f->nvars && (f->vars[v].kind == TL_VAR_LOCAL || f->vars[v].kind == TL_VAR_PARAM || f->vars[v].kind == TL_VAR_TEMP))
            {
                callvar[v] = 1;
                any = true;
            }
        }
    fact_table *t = NULL;
    int *test = NULL, *order = NULL, *pos = NULL;
    unsigned *ton = NULL;
    uint64_t *nz = NULL, *z = NULL, *kill = NULL;
    bool *known = NULL;
    if (!any) goto done;
    tl_func_addr_taken(f, taken);
    t = tl_xcalloc(1, sizeof *t);
    test = tl_xmalloc(((size_t)n + 1) * sizeof *test);
    ton = tl_xcalloc((size_t)n + 1, sizeof *ton);
    for (int b = 0; b < n; b++) {
        test[b] = -1;
        const tl_block *blk = &f->blocks[b];
        if (blk->term != TL_T_BRANCH || blk->nsucc != 2) continue;
        const char *usr;
        int64_t mask;
        unsigned on = 0;
        int v = parse_test(blk->cond, &usr, &mask, &on);
        if (v < 0 || v >= f->nvars || !callvar[v] || taken[v]) continue;
        test[b] = fact_index(t, v, usr, mask, true);
        ton[b] = on;
    }
    if (t->nfacts == 0) goto done;
    kill = tl_xcalloc((size_t)n + 1, sizeof *kill);
    for (int b = 0; b < n; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) kill[b] |= kills_of(t, &f->blocks[b].instrs[i]);
    order = tl_xmalloc(((size_t)n + 1) * sizeof *order);
    pos = tl_xmalloc(((size_t)n + 1) * sizeof *pos);
    int m = tl_dataflow_rpo(f, pos);
    if (m < 0) m = 0;
    for (int b = 0; b < n && m > 0; b++)
        if (pos[b] >= 0 && pos[b] < m) order[pos[b]] = b;
    nz = tl_xcalloc((size_t)n + 1, sizeof *nz);
    z = tl_xcalloc((size_t)n + 1, sizeof *z);
    known = tl_xcalloc((size_t)n + 1, sizeof *known);
    known[f->entry] = true;
    bool changed = true;
    for (int sweeps = 0; changed && sweeps < TL_FG_MAX_SWEEPS; sweeps++) {
        changed = false;
        for (int k = 0; k < m; k++) {
            int b = order[k];
            if (!known[b]) continue;
            const tl_block *blk = &f->blocks[b];
            for (int s = 0; s < blk->nsucc; s++) {
                int to = blk->succ[s];
                if (to < 0 || to >= n || to == f->entry) continue;
                uint64_t enz = nz[b] & ~kill[b], ez = z[b] & ~kill[b];
                if (test[b] >= 0 && s < 2) {
                    if (ton[b] & ON_NZ(s)) enz |= 1ull << test[b];
                    if (ton[b] & ON_Z(s)) ez |= 1ull << test[b];
                }
                if (enz & ez) continue; /* the edge contradicts its path */
                if (!known[to]) {
                    known[to] = true;
                    nz[to] = enz;
                    z[to] = ez;
                    changed = true;
                } else if ((nz[to] & enz) != nz[to] || (z[to] & ez) != z[to]) {
                    nz[to] &= enz;
                    z[to] &= ez;
                    changed = true;
                }
            }
        }
    }
    if (changed) goto done; /* not settled: claim nothing */
    for (int b = 0; b < n; b++) {
        if (!known[b]) continue;
        uint64_t snz = nz[b], sz = z[b];
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            int v = field_call_var(in), id = v >= 0 ? in->call.id : -1;
            if (id >= 0 && id < f->ncalls)
                for (int k = 0; k < t->nfacts && nout[id] < TL_FIELD_GUARDS_MAX; k++) {
                    bool isnz = (snz >> k) & 1u, isz = (sz >> k) & 1u;
                    if (t->facts[k].var != v || !(isnz || isz)) continue;
                    out[id][nout[id]++] = (tl_field_guard){t->facts[k].usr, t->facts[k].mask, isnz};
                }
            uint64_t kl = kills_of(t, in);
            snz &= ~kl;
            sz &= ~kl;
        }
    }
done:
    free(callvar);
    free(taken);
    free(t);
    free(test);
    free(ton);
    free(kill);
    free(order);
    free(pos);
    free(nz);
    free(z);
    free(known);
}
