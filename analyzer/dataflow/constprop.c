/* constprop.c - sparse constant propagation (see constprop.h).
 *
 * Lattice per variable: UNDEF (no definition reaches: bottom) < INT / NULL /
 * NONNULL < UNKNOWN (top).  A state is a list of (variable, value) sorted by
 * variable that never holds UNDEF: an absent variable is UNDEF.  Variables
 * that cannot hold a constant (see compute_tracked) are never in a state and
 * read as UNKNOWN; the others are dropped from the state flowing into a
 * block where they are not live, which cannot change any value read later.
 *
 * A block is applied by unpacking its state into the function's dense
 * environment (`env`, reset to UNDEF / UNKNOWN between blocks), running the
 * instructions on it as plain array updates, and packing the variables it
 * touched back into a list.
 */
#include "constprop.h"

#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "dataflow.h"
#include "liveness.h"

static tl_cval cv(tl_cval_kind k) {
    tl_cval r = {k, 0, -1};
    return r;
}

typedef struct {
    int var;
    tl_cval val;
} cp_entry;

typedef struct {
    cp_entry *e;
    int n;
} cp_state;

typedef struct {
    const tl_func *f;
    bool *address_taken; /* never constant: its address escapes */
    bool *tracked;       /* may hold a constant */
    bool *nonlocal;      /* tracked global or static: a call or store may change it */
    tl_liveness live;
    /* the unpacked state of the block being applied */
    tl_cval *env;
    unsigned *touched_at; /* per var: the application that touched it */
    unsigned serial;
    int *touched;         /* vars touched in this application, in-state ones first */
    int ntouched;
    int *pending;         /* tracked non-locals assigned since the last kill */
    int npending;
    bool killed;          /* a call or store was applied in this block already */
    long work, budget;    /* state entries processed, and how many may be */
} cp_ctx;

/* ---- which variables can hold a constant ---- */

/* Can e evaluate to a constant?  Adds the variables it needs to be constant
 * to `need` (all of them: tl_eval_expr folds only constant operands).
 * False when some operand is never constant. */
static bool const_needs(const cp_ctx *c, const tl_expr *e, int **need, int *nneed, int *cap) {
    if (!e) return false;
    switch (e->kind) {
    case TL_E_CONST:
    case TL_E_NULL:
    case TL_E_STRING:
    case TL_E_FUNC:
    case TL_E_ADDR:
        return true;
    case TL_E_VAR:
        if (e->var < 0 || e->var >= c->f->nvars || c->address_taken[e->var]) return false;
        if (*nneed == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            *need = tl_xrealloc(*need, (size_t)*cap * sizeof **need);
        }
        (*need)[(*nneed)++] = e->var;
        return true;
    case TL_E_CAST:
    case TL_E_UNARY:
        return e->nkids && const_needs(c, e->kids[0], need, nneed, cap);
    case TL_E_BINARY:
        return e->nkids == 2 && const_needs(c, e->kids[0], need, nneed, cap) &&
               const_needs(c, e->kids[1], need, nneed, cap);
    default:
        return false;
    }
}

/* tracked[v]: v is assigned, somewhere, a value that may be constant given
 * the variables that may be constant.  Each assignment is a Horn clause
 * "v if w1 and ... and wk"; the least model is found with one counter per
 * clause (linear in the number of operands). */
static void compute_tracked(cp_ctx *c) {
    const tl_func *f = c->f;
    int nv = f->nvars;
    int nclauses = 0, capclauses = 0;
    int *head = NULL, *missing = NULL;
    /* watchers of a variable: clauses that need it, as a linked list */
    int *watch_first = tl_xmalloc(((size_t)nv + 1) * sizeof *watch_first);
    for (int v = 0; v < nv; v++) watch_first[v] = -1;
    int *watch_clause = NULL, *watch_next = NULL, nwatch = 0, capwatch = 0;
    int *need = NULL, nneed = 0, capneed = 0;
    int *queue = tl_xmalloc(((size_t)nv + 1) * sizeof *queue), nq = 0;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= nv || c->address_taken[in->var])
                continue;
            nneed = 0;
            if (!const_needs(c, in->value, &need, &nneed, &capneed)) continue;
            if (nneed == 0) {
                if (!c->tracked[in->var]) {
                    c->tracked[in->var] = true;
                    queue[nq++] = in->var;
                }
                continue;
            }
            if (nclauses == capclauses) {
                capclauses = capclauses ? capclauses * 2 : 64;
                head = tl_xrealloc(head, (size_t)capclauses * sizeof *head);
                missing = tl_xrealloc(missing, (size_t)capclauses * sizeof *missing);
            }
            head[nclauses] = in->var;
            missing[nclauses] = nneed;
            for (int k = 0; k < nneed; k++) {
                if (nwatch == capwatch) {
                    capwatch = capwatch ? capwatch * 2 : 64;
                    watch_clause = tl_xrealloc(watch_clause, (size_t)capwatch * sizeof *watch_clause);
                    watch_next = tl_xrealloc(watch_next, (size_t)capwatch * sizeof *watch_next);
                }
                watch_clause[nwatch] = nclauses;
                watch_next[nwatch] = watch_first[need[k]];
                watch_first[need[k]] = nwatch++;
            }
            nclauses++;
        }
    }
    while (nq > 0) {
        int v = queue[--nq];
        for (int w = watch_first[v]; w >= 0; w = watch_next[w]) {
            int cl = watch_clause[w];
            if (--missing[cl] == 0 && !c->tracked[head[cl]]) {
                c->tracked[head[cl]] = true;
                queue[nq++] = head[cl];
            }
        }
    }
    for (int v = 0; v < nv; v++) {
        tl_var_kind k = f->vars[v].kind;
        c->nonlocal[v] = c->tracked[v] && (k == TL_VAR_GLOBAL || k == TL_VAR_STATIC);
    }
    free(head);
    free(missing);
    free(watch_first);
    free(watch_clause);
    free(watch_next);
    free(need);
    free(queue);
}

static void mark_address_taken(const tl_expr *e, bool *taken, bool under_addr) {
    if (!e) return;
    if (e->kind == TL_E_VAR && under_addr) taken[e->var] = true;
    bool addr = under_addr || e->kind == TL_E_ADDR;
    /* &x[i]: the index is not under the address */
    for (int k = 0; k < e->nkids; k++)
        mark_address_taken(e->kids[k], taken, addr && !(e->kind == TL_E_INDEX && k == 1));
}

/* Arrays decay to pointers: passing one lets the callee write it. */
static void mark_arrays_passed(const tl_func *f, const tl_expr *e, bool *taken) {
    if (e && e->kind == TL_E_VAR && f->vars[e->var].is_array) taken[e->var] = true;
}

static void compute_address_taken(cp_ctx *c) {
    const tl_func *f = c->f;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            mark_address_taken(in->value, c->address_taken, false);
            mark_address_taken(in->target, c->address_taken, false);
            if (in->kind == TL_I_CALL)
                for (int a = 0; a < in->call.nargs; a++) {
                    mark_address_taken(in->call.args[a], c->address_taken, false);
                    mark_arrays_passed(f, in->call.args[a], c->address_taken);
                }
        }
        mark_address_taken(b->cond, c->address_taken, false);
    }
}

/* ---- applying a block on the dense environment ---- */

static void touch(cp_ctx *c, int v) {
    if (c->touched_at[v] == c->serial) return;
    c->touched_at[v] = c->serial;
    c->touched[c->ntouched++] = v;
}

/* Start applying block b from state s (NULL: from the empty state). */
static void unpack(cp_ctx *c, const cp_state *s) {
    c->serial++;
    c->ntouched = 0;
    c->npending = 0;
    c->killed = false;
    for (int i = 0; s && i < s->n; i++) {
        c->env[s->e[i].var] = s->e[i].val;
        touch(c, s->e[i].var);
    }
}

/* A call or a store through memory: globals, statics (and variables whose
 * address escaped, which are never tracked) become unknown. */
static void kill_non_locals(cp_ctx *c, int b) {
    if (!c->killed && c->live.start) { /* (without liveness, blocks start empty) */
        c->killed = true;
        for (int k = c->live.start[b]; k < c->live.start[b + 1]; k++) {
            int v = c->live.vars[k];
            if (!c->nonlocal[v]) continue;
            c->env[v] = cv(TL_CV_UNKNOWN);
            touch(c, v);
        }
    }
    for (int k = 0; k < c->npending; k++) c->env[c->pending[k]] = cv(TL_CV_UNKNOWN);
    c->npending = 0;
}

static void apply(cp_ctx *c, const tl_block *b, int i) {
    const tl_func *f = c->f;
    const tl_instr *in = &b->instrs[i];
    switch (in->kind) {
    case TL_I_ASSIGN:
        if (in->var >= 0 && in->var < f->nvars && c->tracked[in->var]) {
            tl_cval val = tl_eval_expr(in->value, c->env, f->nvars);
            if (val.kind == TL_CV_UNDEF) val.kind = TL_CV_UNKNOWN;
            val.via_var = -1; /* the constant now lives in this variable */
            c->env[in->var] = val;
            touch(c, in->var);
            if (c->nonlocal[in->var]) c->pending[c->npending++] = in->var;
        }
        break;
    case TL_I_DECL:
        if (in->var >= 0 && in->var < f->nvars && c->tracked[in->var]) {
            c->env[in->var] = cv(TL_CV_UNDEF);
            touch(c, in->var);
        }
        break;
    case TL_I_STORE: {
        int root = tl_expr_root_var(in->target, NULL);
        if (root >= 0 && root < f->nvars && c->tracked[root]) {
            c->env[root] = cv(TL_CV_UNKNOWN);
            touch(c, root);
            if (c->nonlocal[root]) c->pending[c->npending++] = root;
        }
        kill_non_locals(c, b->id);
        break;
    }
    case TL_I_CALL:
        kill_non_locals(c, b->id);
        break;
    default:
        break;
    }
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Pack the touched variables into s (sorted, UNDEF dropped) and reset env.
 * The first `nfirst` touched vars are the in-state's, already sorted. */
static void pack(cp_ctx *c, int nfirst, cp_state *s) {
    qsort(c->touched + nfirst, (size_t)(c->ntouched - nfirst), sizeof *c->touched, cmp_int);
    cp_entry *e = tl_xmalloc(((size_t)c->ntouched + 1) * sizeof *e);
    int n = 0, i = 0, j = nfirst;
    while (i < nfirst || j < c->ntouched) {
        int v;
        if (j >= c->ntouched || (i < nfirst && c->touched[i] < c->touched[j])) v = c->touched[i++];
        else v = c->touched[j++];
        if (c->env[v].kind != TL_CV_UNDEF) e[n++] = (cp_entry){v, c->env[v]};
        c->env[v] = cv(TL_CV_UNDEF);
    }
    free(s->e);
    s->e = e;
    s->n = n;
}

/* Forget the unpacked state without packing it. */
static void discard(cp_ctx *c) {
    for (int k = 0; k < c->ntouched; k++) c->env[c->touched[k]] = cv(TL_CV_UNDEF);
    c->ntouched = 0;
}

/* ---- the lattice for the solver ---- */

static void cp_init_bottom(void *ctx, void *state) {
    (void)ctx;
    cp_state *s = state;
    s->e = NULL;
    s->n = 0;
}

/* Parameters and globals hold unknown values on entry, locals nothing yet. */
static void cp_init_entry(void *ctx, void *state) {
    cp_ctx *c = ctx;
    cp_state *s = state;
    int b = c->f->entry;
    int n = c->live.start[b + 1] - c->live.start[b];
    s->e = tl_xmalloc(((size_t)n + 1) * sizeof *s->e);
    s->n = 0;
    for (int k = c->live.start[b]; k < c->live.start[b + 1]; k++) {
        int v = c->live.vars[k];
        tl_var_kind kind = c->f->vars[v].kind;
        if (kind != TL_VAR_LOCAL && kind != TL_VAR_TEMP) s->e[s->n++] = (cp_entry){v, cv(TL_CV_UNKNOWN)};
    }
}

static void cp_copy(void *ctx, void *dst, const void *src) {
    cp_state *d = dst;
    const cp_state *s = src;
    ((cp_ctx *)ctx)->work += s->n;
    free(d->e);
    d->e = tl_xmalloc(((size_t)s->n + 1) * sizeof *d->e);
    if (s->n) memcpy(d->e, s->e, (size_t)s->n * sizeof *d->e);
    d->n = s->n;
}

/* One variable: a = a JOIN b (b not UNDEF); true if a changed. */
static bool join_val(tl_cval *a, const tl_cval *b) {
    if (a->kind == TL_CV_UNKNOWN) return false;
    if (a->kind == TL_CV_UNDEF) {
        *a = *b;
        return true;
    }
    if (a->kind == b->kind && (a->kind != TL_CV_INT || a->v == b->v)) return false;
    a->kind = TL_CV_UNKNOWN;
    return true;
}

static bool cp_join(void *ctx, void *dst, const void *src) {
    cp_state *d = dst;
    const cp_state *s = src;
    ((cp_ctx *)ctx)->work += d->n + s->n;
    if (s->n == 0) return false;
    cp_entry *e = tl_xmalloc(((size_t)d->n + (size_t)s->n + 1) * sizeof *e);
    int n = 0, i = 0, j = 0;
    bool changed = false;
    while (i < d->n || j < s->n) {
        if (j >= s->n || (i < d->n && d->e[i].var < s->e[j].var)) {
            e[n++] = d->e[i++];
        } else if (i >= d->n || s->e[j].var < d->e[i].var) {
            e[n++] = s->e[j++]; /* UNDEF joined with a value */
            changed = true;
        } else {
            e[n] = d->e[i++];
            changed |= join_val(&e[n].val, &s->e[j++].val);
            n++;
        }
    }
    free(d->e);
    d->e = e;
    d->n = n;
    return changed;
}

static void cp_transfer_block(void *ctx, void *state, const tl_func *f, const tl_block *b) {
    (void)f;
    cp_ctx *c = ctx;
    cp_state *s = state;
    unpack(c, s);
    int nfirst = c->ntouched;
    for (int i = 0; i < b->ninstrs; i++) apply(c, b, i);
    c->work += c->ntouched + b->ninstrs;
    pack(c, nfirst, s);
}

/* Along b -> succ[s]: keep what is live on entry to the successor. */
static bool cp_edge(void *ctx, void *state, const tl_func *f, const tl_block *b, int s) {
    (void)f;
    cp_ctx *c = ctx;
    cp_state *st = state;
    int t = b->succ[s];
    const int *live = c->live.vars + c->live.start[t];
    int nlive = c->live.start[t + 1] - c->live.start[t];
    int n = 0, k = 0;
    c->work += st->n;
    for (int i = 0; i < st->n; i++) {
        while (k < nlive && live[k] < st->e[i].var) k++;
        if (k < nlive && live[k] == st->e[i].var) st->e[n++] = st->e[i];
    }
    st->n = n;
    return true;
}

static void cp_destroy(void *ctx, void *state) {
    (void)ctx;
    cp_state *s = state;
    free(s->e);
    s->e = NULL;
    s->n = 0;
}

static bool cp_exhausted(void *ctx) {
    const cp_ctx *c = ctx;
    return c->work > c->budget;
}

static const tl_dataflow_ops cp_ops = {
    .state_size = sizeof(cp_state),
    .init_entry = cp_init_entry,
    .init_bottom = cp_init_bottom,
    .copy = cp_copy,
    .join = cp_join,
    .transfer = NULL,
    .transfer_block = cp_transfer_block,
    .transfer_edge = cp_edge,
    .destroy = cp_destroy,
    .exhausted = cp_exhausted,
};

/* Blocks reachable from the entry (the solver's `reached`, without it). */
static void mark_reachable(const tl_func *f, bool *reached) {
    if (f->entry < 0 || f->entry >= f->nblocks) return;
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack), sp = 0;
    stack[sp++] = f->entry;
    reached[f->entry] = true;
    while (sp > 0) {
        const tl_block *b = &f->blocks[stack[--sp]];
        for (int s = 0; s < b->nsucc; s++)
            if (b->succ[s] >= 0 && b->succ[s] < f->nblocks && !reached[b->succ[s]]) {
                reached[b->succ[s]] = true;
                stack[sp++] = b->succ[s];
            }
    }
    free(stack);
}

int tl_constprop_run(const tl_func *f, tl_constprop_call_fn visit, void *vctx) {
    size_t nv = (size_t)f->nvars + 1;
    cp_ctx c;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.budget = tl_dataflow_budget(f);
    c.address_taken = tl_xcalloc(nv, sizeof(bool));
    c.tracked = tl_xcalloc(nv, sizeof(bool));
    c.nonlocal = tl_xcalloc(nv, sizeof(bool));
    compute_address_taken(&c);
    compute_tracked(&c);
    /* the live-in lists may take a 16th of the budget */
    bool live_ok = tl_liveness_compute(f, c.tracked, c.budget / 16, false, &c.live);
    c.env = tl_xmalloc(nv * sizeof *c.env);
    for (int v = 0; v < f->nvars; v++) c.env[v] = cv(c.tracked[v] ? TL_CV_UNDEF : TL_CV_UNKNOWN);
    c.touched_at = tl_xcalloc(nv, sizeof *c.touched_at);
    c.touched = tl_xmalloc(nv * sizeof *c.touched);
    int maxinstrs = 0;
    for (int bi = 0; bi < f->nblocks; bi++)
        if (f->blocks[bi].ninstrs > maxinstrs) maxinstrs = f->blocks[bi].ninstrs;
    c.pending = tl_xmalloc(((size_t)maxinstrs + 1) * sizeof *c.pending);

    tl_dataflow_result res;
    memset(&res, 0, sizeof res);
    int rc = -1;
    bool *reachable = NULL;
    if (live_ok) {
        rc = tl_dataflow_forward(f, &cp_ops, &c, &res);
    } else {
        /* too big to follow: every block starts from nothing known, which
           still sees the constants spelled in place */
        reachable = tl_xcalloc((size_t)f->nblocks + 1, sizeof *reachable);
        mark_reachable(f, reachable);
    }

    /* replay every block from its entry state and visit the calls */
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        bool reached = res.reached ? res.reached[bi] : reachable ? reachable[bi] : true;
        unpack(&c, reached && res.in ? tl_dataflow_in(&res, bi) : NULL);
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if (in->kind == TL_I_CALL && visit) visit(vctx, in, bi, i, reached, c.env);
            apply(&c, b, i);
        }
        discard(&c);
    }
    tl_dataflow_free(&res);
    free(reachable);
    tl_liveness_free(&c.live);
    free(c.address_taken);
    free(c.tracked);
    free(c.nonlocal);
    free(c.env);
    free(c.touched_at);
    free(c.touched);
    free(c.pending);
    return rc;
}
