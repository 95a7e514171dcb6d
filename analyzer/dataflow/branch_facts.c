/* branch_facts.c - correlated branch conditions (see branch_facts.h). */
#include "branch_facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/str_map.h"
#include "../util/xalloc.h"

#define ON_NZ(s) (1u << (s))       /* edge s implies non-zero */
#define ON_Z(s) (1u << (2 + (s)))  /* edge s implies zero */

static bool is_zero(const tl_expr *e, bool *zero)
{
    e = tl_expr_uncast(e);
    if (!e)
        return false;
    if (e->kind == TL_E_NULL) {
        *zero = true;
        return true;
    }
    if (e->kind == TL_E_CONST) {
        *zero = e->ival == 0;
        return true;
    }
    return false;
}

/* The variable a branch condition tests and what each edge implies about
 * it (ON_* bits), or -1.  Forms: v, !c, v == k, v != k, k == v, v < 0,
 * v > 0 (k a constant or NULL). */
static int parse_test(const tl_expr *e, unsigned *on)
{
    e = tl_expr_uncast(e);
    if (!e)
        return -1;
    if (e->kind == TL_E_VAR) {
        *on = ON_NZ(0) | ON_Z(1);
        return e->var;
    }
    if (e->kind == TL_E_UNARY && e->nkids == 1 && strcmp(e->op, "!") == 0) {
        unsigned inner = 0;
        int v = parse_test(e->kids[0], &inner);
        if (v < 0)
            return -1;
        /* swap the edges */
        *on = ((inner & ON_NZ(0)) ? ON_NZ(1) : 0) | ((inner & ON_NZ(1)) ? ON_NZ(0) : 0) |
              ((inner & ON_Z(0)) ? ON_Z(1) : 0) | ((inner & ON_Z(1)) ? ON_Z(0) : 0);
        return v;
    }
    if (e->kind != TL_E_BINARY || e->nkids != 2)
        return -1;
    const tl_expr *l = tl_expr_uncast(e->kids[0]), *r = tl_expr_uncast(e->kids[1]);
    bool zero;
    bool swapped = false;
    if (!(l && l->kind == TL_E_VAR && is_zero(r, &zero))) {
        if (!(r && r->kind == TL_E_VAR && is_zero(l, &zero)))
            return -1;
        const tl_expr *t = l;
        l = r;
        r = t;
        swapped = true;
    }
    if (strcmp(e->op, "==") == 0) {
        *on = zero ? ON_Z(0) | ON_NZ(1) : ON_NZ(0);
    } else if (strcmp(e->op, "!=") == 0) {
        *on = zero ? ON_NZ(0) | ON_Z(1) : ON_NZ(1);
    } else if (zero && (strcmp(e->op, "<") == 0 || strcmp(e->op, ">") == 0)) {
        (void)swapped; /* v < 0 and 0 < v both imply v != 0 when true */
        *on = ON_NZ(0);
    } else {
        return -1;
    }
    return l->var;
}

int tl_branch_test(const tl_expr *cond, unsigned *on)
{
    *on = 0;
    return parse_test(cond, on);
}

/* The atom a branch tests for the facts: `v == k` / `v != k` with a
 * non-zero constant k (an enum's mode: `if (mode == FORKED)`) is the atom
 * (v, k), true on the `==` edge; anything parse_test reads is the atom
 * (v, 0), "v is non-zero".  Returns v, or -1. */
static int parse_atom(const tl_expr *cond, unsigned *on, int64_t *k)
{
    *k = 0;
    *on = 0;
    const tl_expr *e = tl_expr_uncast(cond);
    bool negate = false;
    while (e && e->kind == TL_E_UNARY && e->nkids == 1 && strcmp(e->op, "!") == 0) {
        negate = !negate;
        e = tl_expr_uncast(e->kids[0]);
    }
    bool eq = e && e->kind == TL_E_BINARY && e->nkids == 2 && strcmp(e->op, "==") == 0;
    bool ne = e && e->kind == TL_E_BINARY && e->nkids == 2 && strcmp(e->op, "!=") == 0;
    if (eq || ne) {
        const tl_expr *l = tl_expr_uncast(e->kids[0]), *r = tl_expr_uncast(e->kids[1]);
        if (l && l->kind != TL_E_VAR) {
            const tl_expr *t = l;
            l = r;
            r = t;
        }
        if (l && r && l->kind == TL_E_VAR && r->kind == TL_E_CONST && r->ival != 0) {
            *k = r->ival;
            bool holds_on_0 = eq != negate; /* edge 0 (the condition true) has v == k */
            *on = holds_on_0 ? ON_NZ(0) | ON_Z(1) : ON_NZ(1) | ON_Z(0);
            return l->var;
        }
    }
    return parse_test(cond, on);
}

/* Mark the variables whose address e takes. */
static void mark_addr(const tl_expr *e, bool under_addr, bool *taken, int nvars)
{
    if (!e)
        return;
    if (e->kind == TL_E_VAR && under_addr && e->var >= 0 && e->var < nvars)
        taken[e->var] = true;
    /* &v, &v.f, &v[i]: the root variable's storage escapes; *&p reads p */
    bool addr = under_addr ? e->kind != TL_E_DEREF && !(e->kind == TL_E_MEMBER && e->arrow)
                           : e->kind == TL_E_ADDR;
    for (int k = 0; k < e->nkids; k++)
        mark_addr(e->kids[k], addr && (e->kind != TL_E_INDEX || k == 0), taken, nvars);
}

static bool fact_var(const tl_var *v)
{
    if (v->is_array || v->is_record)
        return false;
    if (v->kind == TL_VAR_LOCAL || v->kind == TL_VAR_PARAM || v->kind == TL_VAR_TEMP)
        return true;
    /* a file-scope or static variable: while this function runs, only the
       calls it makes into code that may write it, and stores through
       pointers, change it (a racing write from another thread is a data race
       the compiler too may assume away; a volatile or atomic one is left) */
    return (v->kind == TL_VAR_GLOBAL || v->kind == TL_VAR_STATIC) && !v->is_volatile &&
           (v->int_bits > 0 || v->is_pointer);
}

static bool is_global(const tl_var *v)
{
    return v->kind == TL_VAR_GLOBAL || v->kind == TL_VAR_STATIC;
}

/* Can instruction in change a file-scope or static variable behind the
 * function's back: a call the client does not say keeps them, or a store
 * through a pointer? */
static bool writes_globals(const tl_instr *in, bool (*keeps)(void *, const tl_instr *), void *ctx)
{
    if (in->kind == TL_I_CALL)
        return !keeps || !keeps(ctx, in);
    const tl_expr *t = in->kind == TL_I_STORE ? tl_expr_uncast(in->target) : NULL;
    return t && (t->kind == TL_E_DEREF || t->kind == TL_E_INDEX);
}

void tl_branch_facts_compute(const tl_func *f, tl_branch_facts *bf,
                             bool (*keeps_globals)(void *ctx, const tl_instr *call), void *ctx)
{
    memset(bf, 0, sizeof *bf);
    int n = f->nblocks, nv = f->nvars;
    if (n <= 0 || nv <= 0)
        return;
    bool *taken = tl_xcalloc((size_t)nv, sizeof *taken);
    int *tvar = tl_xmalloc(sizeof(int) * (size_t)n);
    unsigned *ton = tl_xcalloc((size_t)n, sizeof *ton);
    int *tatom = tl_xmalloc(sizeof(int) * (size_t)n); /* the block's atom: (v, k) numbered */
    int natoms = 0, capatoms = 0, *atom_tests = NULL;
    tl_str_map atoms; /* "v:k" -> atom */
    tl_str_map_init(&atoms);
    for (int b = 0; b < n; b++) {
        const tl_block *blk = &f->blocks[b];
        for (int i = 0; i < blk->ninstrs; i++) {
            const tl_instr *in = &blk->instrs[i];
            mark_addr(in->value, false, taken, nv);
            mark_addr(in->target, false, taken, nv);
            if (in->kind == TL_I_CALL) {
                mark_addr(in->call.fn, false, taken, nv);
                for (int a = 0; a < in->call.nargs; a++)
                    mark_addr(in->call.args[a], false, taken, nv);
            }
        }
        mark_addr(blk->cond, false, taken, nv);
        tvar[b] = tatom[b] = -1;
        if (blk->term == TL_T_BRANCH && blk->nsucc == 2) {
            unsigned on = 0;
            int64_t k;
            int v = parse_atom(blk->cond, &on, &k);
            if (v >= 0 && v < nv) {
                char key[48];
                snprintf(key, sizeof key, "%d:%lld", v, (long long)k);
                int a = tl_str_map_get(&atoms, key);
                if (a < 0) {
                    atom_tests = tl_xgrow(atom_tests, natoms, &capatoms, sizeof *atom_tests);
                    atom_tests[natoms] = 0;
                    tl_str_map_set(&atoms, key, a = natoms++);
                }
                tvar[b] = v;
                ton[b] = on;
                tatom[b] = a;
                atom_tests[a]++;
            }
        }
    }
    int *fact_of = tl_xmalloc(sizeof(int) * ((size_t)natoms + 1)); /* atom -> fact */
    uint64_t *var_facts = tl_xcalloc((size_t)nv, sizeof *var_facts); /* what a write to v ends */
    uint64_t global_facts = 0; /* facts on file-scope or static variables */
    for (int a = 0; a < natoms; a++)
        fact_of[a] = -1;
    int nf = 0;
    for (int b = 0; b < n && nf < TL_BF_MAX_FACTS; b++) { /* first tested first */
        int v = tvar[b], a = tatom[b];
        if (a >= 0 && fact_of[a] < 0 && atom_tests[a] >= 2 && !taken[v] && fact_var(&f->vars[v])) {
            var_facts[v] |= 1ull << nf;
            if (is_global(&f->vars[v]))
                global_facts |= 1ull << nf;
            fact_of[a] = nf++;
        }
    }
    if (nf > 0) {
        bf->nfacts = nf;
        bf->nblocks = n;
        bf->kill = tl_xcalloc((size_t)n, sizeof *bf->kill);
        bf->live = tl_xcalloc((size_t)n, sizeof *bf->live);
        bf->test = tl_xmalloc((size_t)n);
        bf->on = tl_xcalloc((size_t)n, 1);
        uint64_t *use = tl_xcalloc((size_t)n, sizeof *use);
        for (int b = 0; b < n; b++) {
            const tl_block *blk = &f->blocks[b];
            for (int i = 0; i < blk->ninstrs; i++) {
                const tl_instr *in = &blk->instrs[i];
                if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < nv)
                    bf->kill[b] |= var_facts[in->var];
                if (global_facts && writes_globals(in, keeps_globals, ctx))
                    bf->kill[b] |= global_facts;
            }
            bf->test[b] = -1;
            if (tatom[b] >= 0 && fact_of[tatom[b]] >= 0) {
                bf->test[b] = (signed char)fact_of[tatom[b]];
                bf->on[b] = (unsigned char)ton[b];
                use[b] = 1ull << fact_of[tatom[b]];
            }
        }
        /* live[b] = (use[b] | live of the successors) minus kill[b]; a
           worklist over predecessors: each block's set only grows, at most
           TL_BF_MAX_FACTS times */
        int *wl = tl_xmalloc(sizeof(int) * (size_t)n);
        unsigned char *inwl = tl_xcalloc((size_t)n, 1);
        int nw = 0;
        for (int b = n - 1; b >= 0; b--) {
            wl[nw++] = b;
            inwl[b] = 1;
        }
        while (nw > 0) {
            int b = wl[--nw];
            inwl[b] = 0;
            const tl_block *blk = &f->blocks[b];
            uint64_t out = use[b];
            for (int s = 0; s < blk->nsucc; s++)
                if (blk->succ[s] >= 0 && blk->succ[s] < n)
                    out |= bf->live[blk->succ[s]];
            /* the branch tests after the block's writes */
            uint64_t in = (out & ~bf->kill[b]);
            if (in == bf->live[b])
                continue;
            bf->live[b] = in;
            for (int p = 0; p < blk->npred; p++) {
                int q = blk->pred[p];
                if (q >= 0 && q < n && !inwl[q]) {
                    inwl[q] = 1;
                    wl[nw++] = q;
                }
            }
        }
        free(wl);
        free(inwl);
        free(use);
    }
    free(taken);
    free(tvar);
    free(ton);
    free(tatom);
    free(atom_tests);
    free(fact_of);
    free(var_facts);
    tl_str_map_free(&atoms);
}

bool tl_branch_facts_edge(const tl_branch_facts *bf, int b, int s, uint64_t *nonzero,
                          uint64_t *zero)
{
    if (!bf || bf->nfacts == 0 || b < 0 || b >= bf->nblocks || s < 0 || s > 1 ||
        bf->test[b] < 0)
        return true;
    uint64_t bit = 1ull << bf->test[b];
    unsigned on = bf->on[b];
    if (on & ON_NZ(s)) {
        if (*zero & bit)
            return false;
        *nonzero |= bit;
    }
    if (on & ON_Z(s)) {
        if (*nonzero & bit)
            return false;
        *zero |= bit;
    }
    return true;
}

void tl_branch_facts_free(tl_branch_facts *bf)
{
    free(bf->kill);
    free(bf->live);
    free(bf->test);
    free(bf->on);
    memset(bf, 0, sizeof *bf);
}
