/* dying.c - blocks from which every path ends the process (see dying.h). */
#include "dying.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "cycles.h"

/* Candidate loop tests tried per loop (keeps a loop of many tests linear). */
#define MAX_TESTS_PER_LOOP 4

typedef struct {
    const tl_func *f;
    int n;
    bool *dying;
    int *left; /* successors not yet known dying */
    int *work;
    int nwork;
    const int *comp;   /* per block: its loop (component), -1 none */
    bool *addr_taken;  /* per variable, filled on first use, or NULL */
    unsigned char *mark; /* per block: DFS colour (0 white) */
} dctx;

static void push(dctx *d, int b) {
    d->dying[b] = true;
    d->work[d->nwork++] = b;
}

/* Blocks whose every successor is dying become dying (least fixpoint). */
static void propagate(dctx *d) {
    while (d->nwork > 0) {
        const tl_block *blk = &d->f->blocks[d->work[--d->nwork]];
        for (int k = 0; k < blk->npred; k++) {
            int p = blk->pred[k];
            if (p < 0 || p >= d->n || d->dying[p] || --d->left[p] > 0) continue;
            push(d, p);
        }
    }
}

static bool is_null(const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && (e->kind == TL_E_NULL || (e->kind == TL_E_CONST && e->ival == 0));
}

static int var_of(const tl_expr *e) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_VAR ? e->var : -1;
}

/* The local pointer a branch condition tests against NULL, and whether its
 * true branch is the non-null one; -1 when the condition is not such a test. */
static int tested_pointer(const tl_func *f, const tl_expr *e, bool *nonnull_on_true) {
    e = tl_expr_uncast(e);
    int v = -1;
    *nonnull_on_true = true;
    if (!e) return -1;
    if (e->kind == TL_E_VAR) {
        v = e->var;
    } else if (e->kind == TL_E_UNARY && e->nkids == 1 && !strcmp(e->op, "!")) {
        v = var_of(e->kids[0]);
        *nonnull_on_true = false;
    } else if (e->kind == TL_E_BINARY && e->nkids == 2 && (!strcmp(e->op, "!=") || !strcmp(e->op, "=="))) {
        if (is_null(e->kids[1])) v = var_of(e->kids[0]);
        else if (is_null(e->kids[0])) v = var_of(e->kids[1]);
        *nonnull_on_true = e->op[0] == '!';
    }
    if (v < 0 || v >= f->nvars || !f->vars[v].is_pointer) return -1;
    tl_var_kind k = f->vars[v].kind;
    return k == TL_VAR_LOCAL || k == TL_VAR_PARAM ? v : -1;
}

/* ---- address-taken variables (one pass over the function) ---- */

static void note_addrs(bool *taken, int nvars, const tl_expr *e) {
    if (!e) return;
    if (e->kind == TL_E_ADDR && e->nkids == 1) {
        int v = var_of(e->kids[0]);
        if (v >= 0 && v < nvars) taken[v] = true;
    }
    for (int k = 0; k < e->nkids; k++) note_addrs(taken, nvars, e->kids[k]);
}

static const bool *addr_taken(dctx *d) {
    if (d->addr_taken) return d->addr_taken;
    const tl_func *f = d->f;
    d->addr_taken = tl_xcalloc((size_t)f->nvars + 1, sizeof *d->addr_taken);
    for (int b = 0; b < f->nblocks; b++) {
        const tl_block *blk = &f->blocks[b];
        for (int i = 0; i < blk->ninstrs; i++) {
            const tl_instr *in = &blk->instrs[i];
            note_addrs(d->addr_taken, f->nvars, in->value);
            note_addrs(d->addr_taken, f->nvars, in->target);
            if (in->kind == TL_I_CALL)
                for (int a = 0; a < in->call.nargs; a++) note_addrs(d->addr_taken, f->nvars, in->call.args[a]);
        }
        note_addrs(d->addr_taken, f->nvars, blk->cond);
    }
    return d->addr_taken;
}

/* ---- one loop ---- */

/* Is e `v->FIELD`? */
static bool is_step_value(const tl_expr *e, int v) {
    e = tl_expr_uncast(e);
    return e && e->kind == TL_E_MEMBER && e->arrow && e->nkids == 1 && var_of(e->kids[0]) == v;
}

/* Does every assignment to temporary t in the loop's blocks give it `v->FIELD`
 * or NULL?  (`v = g_list_next(v)`: `t = v ? v->next : NULL; v = t;`) */
static bool temp_steps(const tl_func *f, const int *blocks, int nb, int v, int t) {
    if (t < 0 || t >= f->nvars || f->vars[t].kind != TL_VAR_TEMP) return false;
    bool any = false;
    for (int j = 0; j < nb; j++) {
        const tl_block *blk = &f->blocks[blocks[j]];
        for (int i = 0; i < blk->ninstrs; i++) {
            const tl_instr *in = &blk->instrs[i];
            if ((in->kind != TL_I_ASSIGN && in->kind != TL_I_DECL) || in->var != t) continue;
            if (in->kind != TL_I_ASSIGN || !(is_step_value(in->value, v) || is_null(in->value))) return false;
            any = any || is_step_value(in->value, v);
        }
    }
    return any;
}

/* What block b does to pointer v: 0 nothing, 1 only `v = v->FIELD` steps
 * (directly or through a temporary, *temps of them at most), -1 anything
 * else (another value, a declaration). */
static int step_kind(const tl_func *f, const int *blocks, int nb, const tl_block *blk, int v, int *temps) {
    int r = 0;
    for (int i = 0; i < blk->ninstrs; i++) {
        const tl_instr *in = &blk->instrs[i];
        if ((in->kind != TL_I_ASSIGN && in->kind != TL_I_DECL) || in->var != v) continue;
        if (in->kind == TL_I_DECL) return -1;
        if (!is_step_value(in->value, v)) {
            if (*temps <= 0 || !temp_steps(f, blocks, nb, v, var_of(in->value))) return -1;
            --*temps; /* each costs a walk over the loop: a few only */
        }
        r = 1;
    }
    return r;
}

/* Is there a path inside loop c from `from` back to h that avoids h and, when
 * `avoid_steps`, the blocks stepping v?  (stepping: per block, its step_kind) */
static bool reaches_header(dctx *d, const int *blocks, int nb, int c, int h, int from, const signed char *stepping,
                           bool avoid_steps) {
    for (int i = 0; i < nb; i++) d->mark[blocks[i]] = 0;
    int *stack = tl_xmalloc(((size_t)nb + 1) * sizeof *stack);
    int sp = 0;
    bool found = false;
    if (from == h) found = true;
    else if (!(avoid_steps && stepping[from] > 0)) {
        stack[sp++] = from;
        d->mark[from] = 1;
    }
    while (sp > 0 && !found) {
        const tl_block *blk = &d->f->blocks[stack[--sp]];
        for (int k = 0; k < blk->nsucc && !found; k++) {
            int s = blk->succ[k];
            if (s < 0 || s >= d->n || d->comp[s] != c) continue;
            if (s == h) found = true;
            else if (!d->mark[s] && !(avoid_steps && stepping[s] > 0)) {
                d->mark[s] = 1;
                stack[sp++] = s;
            }
        }
    }
    free(stack);
    return found;
}

/* Does loop c, minus h, contain a cycle?  (an inner loop not through h) */
static bool cyclic_without(dctx *d, const int *blocks, int nb, int c, int h) {
    for (int i = 0; i < nb; i++) d->mark[blocks[i]] = 0; /* 0 new, 1 on path, 2 done */
    int *walk = tl_xmalloc(((size_t)nb + 1) * sizeof *walk), *next = tl_xmalloc(((size_t)nb + 1) * sizeof *next);
    bool cyc = false;
    for (int r = 0; r < nb && !cyc; r++) {
        if (blocks[r] == h || d->mark[blocks[r]]) continue;
        int depth = 0;
        walk[depth] = blocks[r];
        next[depth++] = 0;
        d->mark[blocks[r]] = 1;
        while (depth > 0 && !cyc) {
            int v = walk[depth - 1];
            const tl_block *blk = &d->f->blocks[v];
            if (next[depth - 1] < blk->nsucc) {
                int s = blk->succ[next[depth - 1]++];
                if (s < 0 || s >= d->n || d->comp[s] != c || s == h) continue;
                if (d->mark[s] == 1) cyc = true;
                else if (!d->mark[s]) {
                    d->mark[s] = 1;
                    walk[depth] = s;
                    next[depth++] = 0;
                }
                continue;
            }
            d->mark[v] = 2;
            depth--;
        }
    }
    free(walk);
    free(next);
    return cyc;
}

/* Loop c (its blocks) ends: a list walk as in dying.h. */
static bool loop_ends(dctx *d, const int *blocks, int nb, int c, signed char *stepping) {
    int tried = 0;
    for (int i = 0; i < nb && tried < MAX_TESTS_PER_LOOP; i++) {
        int h = blocks[i];
        const tl_block *hb = &d->f->blocks[h];
        bool nonnull_on_true;
        int v = hb->term == TL_T_BRANCH && hb->nsucc == 2 ? tested_pointer(d->f, hb->cond, &nonnull_on_true) : -1;
        if (v < 0) continue;
        int in = hb->succ[nonnull_on_true ? 0 : 1], out = hb->succ[nonnull_on_true ? 1 : 0];
        if (in < 0 || in >= d->n || d->comp[in] != c || (out >= 0 && out < d->n && d->comp[out] == c)) continue;
        tried++;
        if (addr_taken(d)[v]) continue;
        bool steps = false, other = false;
        int temps = MAX_TESTS_PER_LOOP;
        for (int j = 0; j < nb; j++) {
            stepping[blocks[j]] = (signed char)step_kind(d->f, blocks, nb, &d->f->blocks[blocks[j]], v, &temps);
            if (stepping[blocks[j]] < 0) other = true;
            if (stepping[blocks[j]] > 0) steps = true;
        }
        if (other || !steps || cyclic_without(d, blocks, nb, c, h)) continue;
        /* every way around passes a step (trivially when h steps itself) */
        if (stepping[h] > 0 || !reaches_header(d, blocks, nb, c, h, in, stepping, true)) return true;
    }
    return false;
}

bool *tl_dying_blocks(const tl_func *f) {
    return tl_dying_blocks_with(f, NULL);
}

bool *tl_dying_blocks_with(const tl_func *f, const bool *ends) {
    dctx d;
    memset(&d, 0, sizeof d);
    d.f = f;
    d.n = f->nblocks;
    size_t sz = (size_t)d.n + 1;
    d.dying = tl_xcalloc(sz, sizeof *d.dying);
    d.left = tl_xmalloc(sz * sizeof *d.left);
    d.work = tl_xmalloc(sz * sizeof *d.work);
    for (int b = 0; b < d.n; b++) {
        d.left[b] = f->blocks[b].nsucc;
        if (f->blocks[b].term == TL_T_NORETURN || (ends && ends[b])) push(&d, b);
    }
    if (d.nwork == 0) { /* nothing ends the process: no loop can matter */
        free(d.left);
        free(d.work);
        return d.dying;
    }
    propagate(&d);
    int ncomp = 0;
    int *comp = tl_cycle_components(f, &ncomp);
    d.comp = comp;
    if (ncomp > 0) {
        /* the blocks of each loop, grouped (counting sort) */
        int *start = tl_xcalloc((size_t)ncomp + 1, sizeof *start), *blocks = tl_xmalloc(sz * sizeof *blocks);
        for (int b = 0; b < d.n; b++)
            if (comp[b] >= 0) start[comp[b] + 1]++;
        for (int c = 0; c < ncomp; c++) start[c + 1] += start[c];
        int *fill = tl_xmalloc(((size_t)ncomp + 1) * sizeof *fill);
        memcpy(fill, start, (size_t)ncomp * sizeof *fill);
        for (int b = 0; b < d.n; b++)
            if (comp[b] >= 0) blocks[fill[comp[b]]++] = b;
        d.mark = tl_xcalloc(sz, 1);
        signed char *stepping = tl_xcalloc(sz, 1);
        /* Tarjan's order: a loop after the loops (and blocks) it leads to */
        for (int c = 0; c < ncomp; c++) {
            const int *bl = blocks + start[c];
            int nb = start[c + 1] - start[c];
            bool exits_die = true, done = true;
            for (int i = 0; i < nb && exits_die; i++) {
                const tl_block *blk = &f->blocks[bl[i]];
                if (!d.dying[bl[i]]) done = false;
                if (blk->term == TL_T_EXIT) exits_die = false;
                for (int k = 0; k < blk->nsucc && exits_die; k++) {
                    int s = blk->succ[k];
                    if (s >= 0 && s < d.n && comp[s] != c && !d.dying[s]) exits_die = false;
                }
            }
            if (done || !exits_die || !loop_ends(&d, bl, nb, c, stepping)) continue;
            for (int i = 0; i < nb; i++)
                if (!d.dying[bl[i]]) push(&d, bl[i]);
            propagate(&d);
        }
        free(stepping);
        free(d.mark);
        free(fill);
        free(blocks);
        free(start);
    }
    free(comp);
    free(d.addr_taken);
    free(d.left);
    free(d.work);
    return d.dying;
}
