/* orphaned_spawn_flow.c - rule `orphaned-spawn`, the per-path dataflow.
 *
 * The lattice (a small set of path states, see orphaned_spawn_internal.h)
 * and its transfer functions: which variables may hold each followed
 * handle, whether it is still owned, which spawns may have succeeded or
 * failed on the path.  rules/orphaned_spawn.c decides which spawns are
 * followed, runs this with the forward solver of analyzer/dataflow
 * (tl_os_flow_ops) and turns the recorded events into findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orphaned_spawn_internal.h"
#include "ownership.h"
#include "../analyzer/dataflow/dataflow.h"
#include "../analyzer/util/xalloc.h"


/* Path-state layout (orphaned_spawn_internal.h): slot bits of spawn i. */
#define CUR(i) (1ull << (2 * (i)))
#define OLD(i) (1ull << (2 * (i) + 1))
#define BOTH(i) (CUR(i) | OLD(i))

#define OS_HDR 3
static size_t os_words(const os_ctx *c) { return OS_HDR + 2 * (size_t)c->ntracked; }
static uint64_t *HOLD(const os_ctx *c, uint64_t *m) { (void)c; return m + OS_HDR; }
static uint64_t *VAL(const os_ctx *c, uint64_t *m) { return m + OS_HDR + c->ntracked; }
/* Tracked index of variable v, or -1. */
static int tix(const os_ctx *c, int v) { return v >= 0 && v < c->nvars ? c->tidx[v] : -1; }


void tl_os_state_bottom(void *ctx, void *st) { ((os_state *)st)->n = 0; }
static void os_entry(void *ctx, void *st)
{
    os_state *s = st;
    s->n = 1;
    s->sub[0] = calloc(os_words(ctx), sizeof(uint64_t));
}
void tl_os_state_destroy(void *ctx, void *st)
{
    os_state *s = st;
    for (int i = 0; i < s->n; i++)
        free(s->sub[i]);
    s->n = 0;
}
static void os_copy(void *ctx, void *dst, const void *src)
{
    os_state *d = dst;
    const os_state *s = src;
    size_t bytes = os_words(ctx) * sizeof(uint64_t);
    ((os_ctx *)ctx)->work += (long)(s->n * os_words(ctx));
    tl_os_state_destroy(ctx, d);
    for (int i = 0; i < s->n; i++) {
        d->sub[i] = malloc(bytes);
        memcpy(d->sub[i], s->sub[i], bytes);
    }
    d->n = s->n;
}

/* Does path state y cover x?  y owns at least what x owns and knows less
 * about outcomes (bitwise x <= y on those words and on the results held),
 * and its variables hold the handles y owns exactly as in x: an alias more
 * is one more way to release a handle, so a path where `tmp = h` happened
 * does not cover one where it did not (`return ok ? h : 0`). */
static bool sub_le(const os_ctx *c, const uint64_t *x, const uint64_t *y)
{
    for (size_t i = 0; i < os_words(c); i++)
        if ((x[i] | y[i]) != y[i])
            return false;
    for (int t = 0; t < c->ntracked; t++)
        if ((x[OS_HDR + t] & y[0]) != (y[OS_HDR + t] & y[0]))
            return false;
    return true;
}

/* Add path state x to d unless a state of d dominates it; drop the states
 * x dominates (ownership of x passes to d).  True if d changed. */
static bool add_undominated(const os_ctx *c, os_state *d, uint64_t *x)
{
    for (int i = 0; i < d->n; i++)
        if (sub_le(c, x, d->sub[i])) {
            free(x);
            return false;
        }
    int k = 0;
    for (int i = 0; i < d->n; i++) {
        if (sub_le(c, d->sub[i], x))
            free(d->sub[i]);
        else
            d->sub[k++] = d->sub[i];
    }
    d->n = k;
    d->sub[d->n++] = x;
    return true;
}

/* Do x and y own the same handles, held in the same variables?  Such path
 * states differ only in what is known about spawn outcomes (and in aliases
 * of handles no longer owned), and merging them loses no leak that merging
 * everything would not: an outcome that is no longer known only makes more
 * branches feasible. */
static bool same_ownership(const os_ctx *c, const uint64_t *x, const uint64_t *y)
{
    if (x[0] != y[0])
        return false;
    for (int t = 0; t < c->ntracked; t++)
        if ((x[OS_HDR + t] & x[0]) != (y[OS_HDR + t] & y[0]))
            return false;
    return true;
}

/* d is full and x comes: merge the path states that own alike; if that is
 * not enough, merge everything into one path state, which loses track of
 * which handles are owned where (an analysis limit, reported). */
static void merge_full(os_ctx *c, os_state *d, uint64_t *x)
{
    uint64_t *all[OS_K + 1];
    int n = 0;
    for (int i = 0; i < d->n; i++)
        all[n++] = d->sub[i];
    all[n++] = x;
    int ngroups = 0;
    for (int i = 0; i < n; i++) {
        int g = 0;
        while (g < ngroups && !same_ownership(c, all[g], all[i]))
            g++;
        if (g == ngroups) {
            all[ngroups++] = all[i];
            continue;
        }
        for (size_t w = 0; w < os_words(c); w++)
            all[g][w] |= all[i][w];
        free(all[i]);
    }
    if (ngroups == n) { /* nothing owns alike */
        c->merged = true;
        for (int i = 1; i < n; i++) {
            for (size_t w = 0; w < os_words(c); w++)
                all[0][w] |= all[i][w];
            free(all[i]);
        }
        ngroups = 1;
    }
    d->n = 0;
    for (int i = 0; i < ngroups; i++)
        add_undominated(c, d, all[i]);
}

/* Add path state x (ownership passes to d); true if d changed. */
static bool add_sub(os_ctx *c, os_state *d, uint64_t *x)
{
    if (!add_undominated(c, d, x))
        return false;
    if (d->n > OS_K) { /* x came as one too many */
        d->n--;
        merge_full(c, d, d->sub[OS_K]);
    }
    return true;
}

static bool os_join(void *ctx, void *dst, const void *src)
{
    os_state *d = dst;
    const os_state *s = src;
    size_t bytes = os_words(ctx) * sizeof(uint64_t);
    bool changed = false;
    ((os_ctx *)ctx)->work += (long)((d->n + 1) * s->n * os_words(ctx));
    for (int i = 0; i < s->n; i++) {
        uint64_t *x = malloc(bytes);
        memcpy(x, s->sub[i], bytes);
        changed |= add_sub(ctx, d, x);
    }
    return changed;
}

/* Re-establish the set invariants after path states were modified. */
static void normalise(os_ctx *c, os_state *st)
{
    if (st->n <= 1)
        return;
    os_state tmp = *st;
    st->n = 0;
    for (int i = 0; i < tmp.n; i++)
        add_sub(c, st, tmp.sub[i]);
}

int tl_os_slot_spawn(uint64_t bit)
{
    return __builtin_ctzll(bit) / 2;
}

/* Record an event (duplicates are dropped when reporting: the first one of
 * a spawn, kind and place counts). */
void tl_os_add_event(os_ctx *c, int spawn, int kind, tl_loc loc, int var)
{
    if (!c->reporting)
        return;
    if (c->nev == c->capev) {
        c->capev = c->capev ? 2 * c->capev : 8;
        c->ev = realloc(c->ev, (size_t)c->capev * sizeof *c->ev);
    }
    c->ev[c->nev++] = (os_event){spawn, kind, loc, var, 0};
}

/* The obligation for `slots` ends (release or escape). */
static void end_owned(os_ctx *c, uint64_t *m, uint64_t slots)
{
    uint64_t hit = m[0] & slots;
    if (c->reporting)
        for (uint64_t b = hit; b; b &= b - 1)
            c->touched[tl_os_slot_spawn(b & -b)] = true;
    m[0] &= ~slots;
}

/* Variable v now holds `bits` (its old content is overwritten).  Owned
 * handles it held that no other variable holds are lost. */
static void set_hold(os_ctx *c, uint64_t *m, int v, uint64_t bits, int kind, tl_loc loc)
{
    int t = tix(c, v);
    if (t < 0)
        return; /* never holds a handle */
    uint64_t *hold = HOLD(c, m);
    uint64_t old = hold[t];
    hold[t] = bits;
    uint64_t lost = old & m[0] & ~bits;
    for (uint64_t b = lost; b; b &= b - 1) {
        uint64_t bit = b & -b;
        bool elsewhere = false;
        for (int w = 0; w < c->ntracked && !elsewhere; w++)
            elsewhere = w != t && (hold[w] & bit);
        if (elsewhere)
            continue;
        tl_os_add_event(c, tl_os_slot_spawn(bit), kind, loc, v);
        m[0] &= ~bit;
    }
}

/* Current slots of the tracked result-handle spawns whose results e reads. */
static uint64_t result_slots(const os_ctx *c, const tl_expr *e)
{
    if (!e)
        return 0;
    uint64_t s = 0;
    if (e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < c->f->ncalls) {
        int i = c->spawn_of_call[e->call_id];
        if (i >= 0 && c->mode[i] == SP_RESULT)
            s |= CUR(i);
    }
    for (int k = 0; k < e->nkids; k++)
        s |= result_slots(c, e->kids[k]);
    return s;
}

/* Slots mentioned by an expression: variables holding handles and results
 * of tracked result-handle spawns.  One walk of the expression. */
static uint64_t mentioned_slots(const os_ctx *c, uint64_t *m, const tl_expr *e)
{
    if (!e)
        return 0;
    uint64_t s = 0;
    int t = e->kind == TL_E_VAR ? tix(c, e->var) : -1;
    if (t >= 0)
        s |= HOLD(c, m)[t];
    if (e->kind == TL_E_CALLRES)
        s |= result_slots(c, e);
    for (int k = 0; k < e->nkids; k++)
        s |= mentioned_slots(c, m, e->kids[k]);
    return s;
}

typedef enum { ARG_ESCAPE = 0, ARG_RELEASE, ARG_BORROW, ARG_IGNORE } arg_use;

static arg_use classify_arg(const tl_fn_model *m, const tl_call *call, int ai)
{
    if (!m || call->is_spawn_entry)
        return ARG_ESCAPE;
    if (m->release.present && m->release.arg == ai)
        return ARG_RELEASE;
    if (m->spawn.present) {
        if (m->spawn.where == TL_HANDLE_OUT_ARG && m->spawn.handle_arg == ai)
            return ARG_IGNORE;
        if (m->spawn.owner_arg == ai)
            return ARG_BORROW;
        return ARG_ESCAPE; /* the new task receives it */
    }
    if (m->callback.present)
        for (int i = 0; i < m->callback.nargs; i++)
            if (m->callback.args[i] == ai)
                return ARG_ESCAPE;
    for (int i = 0; i < m->nborrow; i++)
        if (m->borrow[i].present && m->borrow[i].arg == ai)
            return ARG_BORROW;
    if ((m->start.present && m->start.arg == ai) || (m->await.present && m->await.arg == ai) ||
        (m->teardown.present && m->teardown.arg == ai))
        return ARG_BORROW;
    return ARG_ESCAPE;
}

static bool is_decl_site(const tl_func *f, int v, tl_loc loc)
{
    const tl_loc *d = &f->vars[v].decl_loc;
    return d->line != 0 && d->line == loc.line;
}

/* Apply instruction ii to path state m.  A spawn whose entry call receives
 * a handle (go(reap(t))) splits the path: *split gets the state where the
 * spawn failed and the entry never ran (the handle stays owned), m continues
 * as the success path where the handle was handed to the new task. */
static void transfer_one(os_ctx *c, uint64_t *m, const tl_func *f, const tl_block *b, int ii,
                         uint64_t **split)
{
    const tl_instr *in = &b->instrs[ii];
    uint64_t *hold = HOLD(c, m), *val = VAL(c, m);
    switch (in->kind) {
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        const tl_fn_model *md = tl_own_model(c->a, c->fi, call->id);
        for (int ai = 0; ai < call->nargs; ai++) {
            arg_use u = classify_arg(md, call, ai);
            if (u == ARG_BORROW || u == ARG_IGNORE)
                continue;
            if (u == ARG_RELEASE) {
                int root = tix(c, tl_own_arg_root(call->args[ai]));
                if (root >= 0)
                    end_owned(c, m, hold[root]);
                end_owned(c, m, result_slots(c, call->args[ai]));
                continue;
            }
            end_owned(c, m, mentioned_slots(c, m, call->args[ai]));
        }
        bool known = call->id >= 0 && call->id < f->ncalls;
        int oi = known ? c->all_of_call[call->id] : -1;
        const tl_instr *entry = known ? c->entry_of[call->id] : NULL;
        uint64_t handed = 0;
        for (int ai = 0; entry && ai < entry->call.nargs; ai++)
            handed |= mentioned_slots(c, m, entry->call.args[ai]);
        handed &= m[0];
        if (handed && oi >= 0 && split) {
            size_t bytes = os_words(c) * sizeof(uint64_t);
            uint64_t *fail = malloc(bytes);
            memcpy(fail, m, bytes);
            fail[1] &= ~(1ull << oi);
            fail[2] |= 1ull << oi;
            *split = fail;
            m[1] |= 1ull << oi;
            m[2] &= ~(1ull << oi);
            end_owned(c, m, handed);
        } else {
            end_owned(c, m, handed); /* a spawn that cannot fail runs its entry */
            if (oi >= 0) {
                m[1] |= 1ull << oi; /* outcome not known yet */
                m[2] |= 1ull << oi;
            }
        }
        int sp = known ? c->spawn_of_call[call->id] : -1;
        if (sp < 0)
            break;
        if (m[0] & CUR(sp)) {
            /* spawned again (loop) while the previous handle is owned: the
               older instances live on in the OLD slot */
            for (int t = 0; t < c->ntracked; t++)
                if (hold[t] & CUR(sp))
                    hold[t] = (hold[t] & ~CUR(sp)) | OLD(sp);
            m[0] = (m[0] & ~CUR(sp)) | OLD(sp);
        } else {
            for (int t = 0; t < c->ntracked; t++)
                hold[t] &= ~CUR(sp); /* stale aliases of a released instance */
        }
        m[0] |= CUR(sp);
        if (c->mode[sp] == SP_OUT_SCALAR)
            set_hold(c, m, c->out_var[sp], CUR(sp), EV_OVERWRITE, in->loc);
        break;
    }
    case TL_I_ASSIGN: {
        int v = in->var;
        if (v < 0 || v >= c->nvars)
            break;
        const tl_expr *e = tl_expr_uncast(in->value);
        uint64_t nh = 0, nv = 0;
        if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls) {
            int sp = c->spawn_of_call[e->call_id];
            int oi = c->all_of_call[e->call_id];
            if (oi >= 0)
                nv = 1ull << oi;
            if (sp >= 0 && c->mode[sp] == SP_RESULT)
                nh = CUR(sp);
        } else if (e && e->kind == TL_E_VAR && tix(c, e->var) >= 0) {
            nh = hold[tix(c, e->var)];
            nv = val[tix(c, e->var)];
        }
        if (!tl_own_var_is_local(&f->vars[v])) {
            end_owned(c, m, nh); /* assigned to a global/static: escapes */
            break;
        }
        if (c->reporting && f->vars[v].kind != TL_VAR_TEMP)
            for (int i = 0; i < c->nspawn; i++)
                if ((nh & BOTH(i)) && c->name_var[i] < 0)
                    c->name_var[i] = v;
        set_hold(c, m, v, nh, is_decl_site(f, v, in->loc) ? EV_REDECL : EV_OVERWRITE, in->loc);
        if (tix(c, v) >= 0)
            val[tix(c, v)] = nv;
        break;
    }
    case TL_I_DECL:
        if (tix(c, in->var) >= 0) {
            set_hold(c, m, in->var, 0, EV_REDECL, in->loc);
            val[tix(c, in->var)] = 0;
        }
        break;
    case TL_I_STORE: {
        uint64_t moved = mentioned_slots(c, m, in->value);
        if (!moved)
            break;
        int g;
        if (tl_own_lvalue_place(f, in->target, &g) == TL_PLACE_AGGREGATE && c->reporting)
            for (int i = 0; i < c->nspawn; i++)
                if ((moved & m[0] & BOTH(i)) && c->agg_var[i] < 0)
                    c->agg_var[i] = g;
        end_owned(c, m, moved);
        break;
    }
    case TL_I_RETURN: {
        end_owned(c, m, mentioned_slots(c, m, in->value));
        /* one side of `return ok ? h : 0` (the front end lowers it as two
           returns) whose other side returns a variable that may hold the
           handle; a returned temporary that may hold one is a ?: nested in a
           larger expression */
        const tl_expr *rv = tl_expr_uncast(in->value);
        bool holds = rv && rv->kind == TL_E_VAR && tix(c, rv->var) >= 0;
        int other = in->return_arm > 0 && in->return_arm < c->narm_handles
                        ? c->arm_handles[in->return_arm] - (holds ? 1 : 0)
                        : 0;
        int kind = other > 0 || (holds && f->vars[rv->var].kind == TL_VAR_TEMP) ? EV_RETURN_ARM : EV_RETURN;
        if (!tl_own_is_program_main(f)) /* (main's return: the process exits) */
            for (uint64_t bb = m[0]; bb; bb &= bb - 1)
                tl_os_add_event(c, tl_os_slot_spawn(bb & -bb), kind, in->loc, -1);
        m[0] = 0;
        break;
    }
    case TL_I_USE:
        break;
    }
}

typedef struct {
    os_ctx *c;
    uint64_t *m;
} holds_ctx;

static int os_var_holds(void *ctx, int v)
{
    holds_ctx *h = ctx;
    int t = tix(h->c, v);
    if (t < 0)
        return -1;
    uint64_t bits = VAL(h->c, h->m)[t];
    if (!bits || (bits & (bits - 1)))
        return -1;
    return h->c->all_call[__builtin_ctzll(bits)];
}

static bool is_null_const(const tl_expr *e)
{
    return e && (e->kind == TL_E_NULL || (e->kind == TL_E_CONST && e->ival == 0));
}

/* Is cond a test of a pointer variable against NULL (`t`, `!t`, `t != NULL`,
 * `NULL == t`)?  Returns the variable, *null_if_true saying whether the
 * condition holds when it is NULL; else -1. */
static int null_test_var(const tl_func *f, const tl_expr *e, bool *null_if_true)
{
    bool neg = false;
    for (e = tl_expr_uncast(e); e && e->kind == TL_E_UNARY && e->nkids == 1 && !strcmp(e->op, "!");
         e = tl_expr_uncast(e->kids[0]))
        neg = !neg;
    bool eq_null = false; /* the bare expression holds when it is non-NULL */
    if (e && e->kind == TL_E_BINARY && e->nkids == 2 && (!strcmp(e->op, "==") || !strcmp(e->op, "!="))) {
        const tl_expr *l = tl_expr_uncast(e->kids[0]), *r = tl_expr_uncast(e->kids[1]);
        if (is_null_const(l) == is_null_const(r))
            return -1;
        eq_null = !strcmp(e->op, "==");
        e = is_null_const(l) ? r : l;
    }
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= f->nvars || !f->vars[e->var].is_pointer)
        return -1;
    *null_if_true = eq_null != neg;
    return e->var;
}

/* Branch edge s of b on `t == NULL` where t is the pointer an out-argument
 * spawn wrote its handle into (`natsThread *t = NULL; create(&t, ...)`): the
 * handle is written only when the spawn succeeds, so on the NULL edge it
 * failed (and the edge is infeasible if it succeeded on every path here). */
static bool edge_null_handle(os_ctx *c, uint64_t *m, const tl_func *f, const tl_block *b, int s)
{
    bool null_if_true;
    int v;
    if (b->term != TL_T_BRANCH || s < 0 || s > 1 || (v = null_test_var(f, b->cond, &null_if_true)) < 0)
        return true;
    int t = tix(c, v);
    if (t < 0 || (s == 0) != null_if_true)
        return true; /* not tracked, or the non-NULL edge */
    uint64_t *hold = HOLD(c, m);
    for (int i = 0; i < c->nspawn; i++) {
        if (c->mode[i] != SP_OUT_SCALAR || c->out_var[i] != v || !(hold[t] & CUR(i)))
            continue;
        int oi = c->all_of_call[c->call[i]];
        if (oi >= 0 && !(m[2] & (1ull << oi)))
            return false; /* it succeeded on this path: the handle is not NULL */
        m[0] &= ~CUR(i);
        hold[t] &= ~CUR(i);
        if (oi >= 0)
            m[1] &= ~(1ull << oi);
    }
    return true;
}

static bool edge_one(os_ctx *c, uint64_t *m, const tl_func *f, const tl_block *b, int s)
{
    if (!edge_null_handle(c, m, f, b, s))
        return false;
    holds_ctx h = {c, m};
    int outcome;
    int call = tl_own_edge_spawn_outcome(c->a, c->fi, b, s, os_var_holds, &h, c->outcome_defs,
                                         &outcome);
    if (call < 0 || call >= f->ncalls || c->all_of_call[call] < 0)
        return true;
    uint64_t bit = 1ull << c->all_of_call[call];
    if (outcome < 0) {
        if (!(m[2] & bit))
            return false; /* the spawn succeeded on every path here */
        m[1] &= ~bit;
        if (c->spawn_of_call[call] >= 0)
            m[0] &= ~CUR(c->spawn_of_call[call]); /* the spawn failed: no handle */
    } else {
        if (!(m[1] & bit))
            return false; /* the spawn failed on every path here */
        m[2] &= ~bit;
    }
    return true;
}

static void os_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int ii)
{
    os_state *s = st;
    uint64_t *extra[OS_K];
    int n = s->n;
    ((os_ctx *)ctx)->work += (long)(n * os_words(ctx));
    for (int i = 0; i < n; i++) {
        extra[i] = NULL;
        transfer_one(ctx, s->sub[i], f, b, ii, &extra[i]);
    }
    normalise(ctx, s);
    for (int i = 0; i < n; i++)
        if (extra[i])
            add_sub(ctx, s, extra[i]);
}

static bool os_edge(void *ctx, void *st, const tl_func *f, const tl_block *b, int s)
{
    os_state *p = st;
    if (b->term != TL_T_BRANCH && b->term != TL_T_SWITCH)
        return p->n > 0;
    int k = 0;
    for (int i = 0; i < p->n; i++) {
        if (edge_one(ctx, p->sub[i], f, b, s))
            p->sub[k++] = p->sub[i];
        else
            free(p->sub[i]); /* this path cannot take the edge */
    }
    p->n = k;
    normalise(ctx, p);
    return k > 0;
}

static bool os_exhausted(void *ctx)
{
    const os_ctx *c = ctx;
    return c->work > c->budget;
}

static bool os_keeps_globals(void *ctx, const tl_instr *call)
{
    const os_ctx *c = ctx;
    return tl_call_keeps_globals(c->f, &c->a->funcs[c->fi].calls[call->call.id]);
}

const tl_dataflow_ops tl_os_flow_ops = {
    .state_size = sizeof(os_state),
    .init_entry = os_entry,
    .init_bottom = tl_os_state_bottom,
    .copy = os_copy,
    .join = os_join,
    .transfer = os_transfer,
    .transfer_edge = os_edge,
    .destroy = tl_os_state_destroy,
    .exhausted = os_exhausted,
    .split_by_facts = true,
    .call_keeps_globals = os_keeps_globals,
};
