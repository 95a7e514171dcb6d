/* handshake.c - a semaphore wait that a spawned thread answers for sure (see
 * handshake.h). */
#include "handshake.h"

#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "../analyzer/dataflow/cycles.h"
#include "../analyzer/program/program.h"
#include "../analyzer/util/xalloc.h"

void tl_handshake_init(tl_handshake_cache *c) {
    memset(c, 0, sizeof *c);
    c->fi = -1;
}

static void reset(tl_handshake_cache *c) {
    for (int i = 0; i < c->nspawns; i++) free(c->unanswered[i]), free(c->after[i]), free(c->released[i]);
    free(c->wait_by_var);
    free(c->fwait_by_var);
    free(c->assigned);
    free(c->wait_next);
    free(c->comp);
    free(c->holds);
    free(c->by_var);
    free(c->next);
    free(c->all);
    tl_must_held_free(&c->held);
    tl_handshake_init(c);
}

void tl_handshake_free(tl_handshake_cache *c) {
    reset(c);
}

/* `x` and `y` name the same object: `&s` and `&s`, or `p` and `p`. */
static bool same_object(const tl_expr *x, const tl_expr *y) {
    x = tl_expr_uncast(x);
    y = tl_expr_uncast(y);
    if (x && y && x->kind == TL_E_ADDR && y->kind == TL_E_ADDR && x->nkids == 1 && y->nkids == 1) {
        x = tl_expr_uncast(x->kids[0]);
        y = tl_expr_uncast(y->kids[0]);
    }
    return x && y && x->kind == TL_E_VAR && y->kind == TL_E_VAR && x->var >= 0 && x->var == y->var;
}

/* The USR (else name) of the entry function a spawn call starts, or NULL. */
static const char *entry_of(const tl_call *call, const tl_fn_model *m) {
    if (m->spawn.entry_arg < 0 || m->spawn.entry_arg >= call->nargs) return NULL;
    const tl_expr *e = tl_expr_uncast(call->args[m->spawn.entry_arg]);
    if (e && e->kind == TL_E_ADDR && e->nkids == 1) e = tl_expr_uncast(e->kids[0]);
    if (!e || e->kind != TL_E_FUNC) return NULL;
    return e->usr ? e->usr : e->name;
}

/* Whether the spawn's entry posts the waited object on every returning path. */
static bool entry_posts(const tl_analysis *a, const tl_func *f, const tl_call *call, const tl_fn_model *m,
                        const tl_expr *obj) {
    const char *usr = entry_of(call, m);
    if (!usr) return false;
    int d = m->spawn.data_arg;
    if (d >= 0 && d < call->nargs && same_object(call->args[d], obj) &&
        tl_program_param_posts(a->program, usr, 0))
        return true;
    const tl_expr *o = tl_expr_uncast(obj);
    if (o && o->kind == TL_E_ADDR && o->nkids == 1) o = tl_expr_uncast(o->kids[0]);
    if (!o || o->kind != TL_E_VAR || o->var < 0 || o->var >= f->nvars) return false;
    const tl_var *g = &f->vars[o->var];
    return g->kind == TL_VAR_GLOBAL && g->usr && tl_program_posts_global(a->program, usr, g->usr);
}

/* The global an object expression names (`&g`), by USR, or NULL. */
static const char *global_of(const tl_func *f, const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_ADDR || e->nkids != 1) return NULL;
    e = tl_expr_uncast(e->kids[0]);
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= f->nvars) return NULL;
    return f->vars[e->var].kind == TL_VAR_GLOBAL ? f->vars[e->var].usr : NULL;
}

/* `&X->field` with X a parameter of f that f never assigns: X's variable
 * (the field's USR in *field), else -1. */
static int param_field(const tl_func *f, const bool *assigned, const tl_expr *e, const char **field) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_ADDR || e->nkids != 1) return -1;
    e = tl_expr_uncast(e->kids[0]);
    if (!e || e->kind != TL_E_MEMBER || !e->arrow || e->nkids != 1 || !e->usr) return -1;
    const tl_expr *x = tl_expr_uncast(e->kids[0]);
    if (!x || x->kind != TL_E_VAR || x->var < 0 || x->var >= f->nvars || f->vars[x->var].kind != TL_VAR_PARAM ||
        (assigned && assigned[x->var]))
        return -1;
    *field = e->usr;
    return x->var;
}

/* Whether the spawn's entry signals the condition `obj` while holding the
 * mutex `mutex` on every returning path: both file-scope, or both fields of
 * what the spawn hands over (`ctx`, with `&ctx->cond` and `&ctx->lock`). */
static bool entry_signals_locked(tl_handshake_cache *c, const tl_analysis *a, const tl_func *f,
                                 const tl_call *call, const tl_fn_model *m, const tl_expr *obj,
                                 const tl_expr *mutex) {
    const char *usr = entry_of(call, m), *g = global_of(f, obj), *mu = global_of(f, mutex);
    if (!usr) return false;
    if (g || mu) return g && mu && tl_program_posts_locked(a->program, usr, -1, g, mu);
    const char *of, *mf;
    int x = param_field(f, c->assigned, obj, &of);
    if (x < 0 || param_field(f, c->assigned, mutex, &mf) != x) return false;
    int d = m->spawn.data_arg;
    const tl_expr *data = d >= 0 && d < call->nargs ? tl_expr_uncast(call->args[d]) : NULL;
    return data && data->kind == TL_E_VAR && data->var == x && tl_program_posts_locked(a->program, usr, 0, of, mf);
}

/* Whether block b has a call that may release mutex `bit` at a position in
 * [from, to). */
static bool releases_in(const tl_must_held *h, int b, int bit, int from, int to) {
    for (int e = h->first[b]; e < h->nevents && h->events[e].block == b; e++) {
        const tl_mh_event *ev = &h->events[e];
        if (ev->index >= to) break;
        if (ev->index >= from && ev->bit == bit && ev->kind != TL_MH_LOCK) return true;
    }
    return false;
}

/* Per block: 2 when some path from just after the spawn reaches its start
 * having passed a call that may release mutex `bit`.  One search over
 * (block, released yet). */
static unsigned char *released_after(const tl_func *f, const tl_must_held *h, int bit, const tl_call_facts *sc) {
    int nb = f->nblocks;
    unsigned char *seen = tl_xcalloc((size_t)nb + 1, 1); /* 1: reached holding it, 2: released */
    int *stack = tl_xmalloc(2 * ((size_t)nb + 1) * sizeof *stack);
    int top = 0;
    /* the spawn's block from just after the spawn, then whole blocks */
    for (int b = sc->block, from = sc->index + 1, released = 0;;) {
        if (!released && releases_in(h, b, bit, from, 1 << 30)) released = 1;
        for (int s = 0; s < f->blocks[b].nsucc; s++) {
            int n = f->blocks[b].succ[s];
            unsigned char m = released ? 2 : 1;
            if (n < 0 || n >= nb || (seen[n] & m)) continue;
            seen[n] |= m;
            stack[top++] = n * 2 + released;
        }
        if (top == 0) break;
        top--;
        b = stack[top] / 2, released = stack[top] & 1, from = 0;
    }
    free(stack);
    return seen;
}

/* Whether the waiter holds the mutex (key) across spawn k: on every path to
 * the spawn, and no path from the spawn to the wait hands it to a call that
 * may release it.  The wait lies on no cycle, so what follows it never
 * leads back to it: the per-spawn search need not stop there. */
static bool held_across(tl_handshake_cache *c, const tl_analysis *a, int fi, int k, tl_mutex_name key,
                        const tl_call_facts *sc, const tl_call_facts *wait) {
    const tl_func *f = &a->tu->funcs[fi];
    if (!c->held_done) {
        tl_must_held_compute(a, fi, &c->held);
        c->held_done = true;
    }
    const tl_must_held *h = &c->held;
    int bit = tl_must_held_bit(h, key);
    if (bit < 0 || !(tl_must_held_at(h, sc->block, sc->index) & (1u << bit))) return false;
    if (wait->block == sc->block && wait->index > sc->index)
        return !releases_in(h, sc->block, bit, sc->index + 1, wait->index);
    if (!c->released[k] || c->released_bit[k] != bit) {
        free(c->released[k]);
        c->released[k] = released_after(f, h, bit, sc);
        c->released_bit[k] = bit;
    }
    return !(c->released[k][wait->block] & 2) && !releases_in(h, wait->block, bit, 0, wait->index);
}

/* The call whose result variable v holds where the branch of block
 * c->branch ends: its only assignment, or the last one in that block
 * (`if ((ret = pthread_create(...)) != 0)` with `ret` reused later). */
static int var_holds(void *ctx, int v) {
    const tl_handshake_cache *c = ctx;
    if (!c->holds || v < 0) return -1;
    if (c->holds[v] >= 0 || !c->branch) return c->holds[v];
    for (int i = c->branch->ninstrs - 1; i >= 0; i--) {
        const tl_instr *in = &c->branch->instrs[i];
        if (in->kind != TL_I_ASSIGN || in->var != v) continue;
        const tl_expr *e = tl_expr_uncast(in->value);
        return e && e->kind == TL_E_CALLRES ? e->call_id : -1;
    }
    return -1;
}

/* Per variable: the call whose result it holds, when that is its only
 * assignment (`rc = pthread_create(...)`), else -1. */
static int *result_holders(const tl_func *f) {
    int *holds = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *holds);
    unsigned char *n = tl_xcalloc((size_t)f->nvars + 1, 1);
    for (int v = 0; v < f->nvars; v++) holds[v] = -1;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars) continue;
            if (n[in->var] < 2) n[in->var]++;
            const tl_expr *e = tl_expr_uncast(in->value);
            holds[in->var] = e && e->kind == TL_E_CALLRES ? e->call_id : -1;
        }
    for (int v = 0; v < f->nvars; v++)
        if (n[v] != 1) holds[v] = -1;
    free(n);
    return holds;
}

/* The blocks a path from the entry reaches without the spawn `id`
 * succeeding: its success edges are cut (with a spawn that cannot fail,
 * every edge out of its block), and so are the edges leaving the loop it is
 * in.  One depth-first search. */
static bool *unanswered_blocks(tl_handshake_cache *c, const tl_analysis *a, int fi, int id, const int *comp) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_call_facts *sc = &a->funcs[fi].calls[id];
    bool always = sc->model->spawn.success == TL_SUCCESS_ALWAYS;
    int bs = sc->block;
    bool *seen = tl_xcalloc((size_t)f->nblocks + 1, sizeof *seen);
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack);
    int top = 0;
    if (f->entry >= 0 && f->entry < f->nblocks) {
        seen[f->entry] = true;
        stack[top++] = f->entry;
    }
    while (top > 0) {
        int b = stack[--top];
        const tl_block *bl = &f->blocks[b];
        if (b == bs && always) continue;
        for (int s = 0; s < bl->nsucc; s++) {
            int n = bl->succ[s];
            if (n < 0 || n >= f->nblocks || seen[n]) continue;
            if (comp[bs] >= 0 && comp[b] == comp[bs] && comp[n] != comp[bs]) continue;
            int outcome = 0;
            if (bl->term == TL_T_BRANCH || bl->term == TL_T_SWITCH) {
                c->branch = bl;
                int call = tl_own_edge_spawn_outcome(a, fi, bl, s, var_holds, c, NULL, &outcome);
                c->branch = NULL;
                if (call == id && outcome > 0) continue;
            }
            seen[n] = true;
            stack[top++] = n;
        }
    }
    free(stack);
    return seen;
}

/* The variable an object expression names (`&s`, `s`), or -1. */
static int object_var(const tl_func *f, const tl_expr *e) {
    e = tl_expr_uncast(e);
    if (e && e->kind == TL_E_ADDR && e->nkids == 1) e = tl_expr_uncast(e->kids[0]);
    return e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars ? e->var : -1;
}

/* Index the function's spawns with a known entry: one walk of its calls. */
static void index_spawns(tl_handshake_cache *c, const tl_analysis *a, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    c->by_var = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *c->by_var);
    c->next = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *c->next);
    c->all = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *c->all);
    for (int v = 0; v < f->nvars; v++) c->by_var[v] = -1;
    for (int id = ff->ncalls - 1; id >= 0; id--) { /* chains in call order */
        const tl_call_facts *sc = &ff->calls[id];
        c->next[id] = -1;
        if (!sc->instr || !sc->reached || !sc->model || !sc->model->spawn.present ||
            !entry_of(&sc->instr->call, sc->model))
            continue;
        int d = sc->model->spawn.data_arg;
        int v = d >= 0 && d < sc->instr->call.nargs ? object_var(f, sc->instr->call.args[d]) : -1;
        if (v >= 0) {
            c->next[id] = c->by_var[v];
            c->by_var[v] = id;
        }
    }
    for (int id = 0; id < ff->ncalls; id++)
        if (ff->calls[id].instr && ff->calls[id].reached && ff->calls[id].model &&
            ff->calls[id].model->spawn.present && entry_of(&ff->calls[id].instr->call, ff->calls[id].model))
            c->all[c->nall++] = id;
    c->wait_by_var = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *c->wait_by_var);
    c->wait_next = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *c->wait_next);
    c->fwait_by_var = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *c->fwait_by_var);
    for (int v = 0; v < f->nvars; v++) c->wait_by_var[v] = c->fwait_by_var[v] = -1;
    c->assigned = tl_xcalloc((size_t)f->nvars + 1, sizeof *c->assigned);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars) c->assigned[in->var] = true;
        }
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *wc = &ff->calls[id];
        c->wait_next[id] = -1;
        if (!wc->instr || !wc->reached || !wc->model || !wc->model->wait.present) continue;
        int o = wc->model->wait.object_arg;
        int v = o >= 0 && o < wc->instr->call.nargs ? object_var(f, wc->instr->call.args[o]) : -1;
        const char *field;
        if (v >= 0) {
            c->wait_next[id] = c->wait_by_var[v];
            c->wait_by_var[v] = id;
        } else if (o >= 0 && o < wc->instr->call.nargs &&
                   (v = param_field(f, NULL, wc->instr->call.args[o], &field)) >= 0) {
            c->wait_next[id] = c->fwait_by_var[v];
            c->fwait_by_var[v] = id;
        }
    }
}

/* The blocks reachable from block b (b itself included). */
static bool *reachable_from(const tl_func *f, int b) {
    bool *seen = tl_xcalloc((size_t)f->nblocks + 1, sizeof *seen);
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack);
    int top = 0;
    seen[b] = true;
    stack[top++] = b;
    while (top > 0) {
        const tl_block *bl = &f->blocks[stack[--top]];
        for (int s = 0; s < bl->nsucc; s++) {
            int n = bl->succ[s];
            if (n < 0 || n >= f->nblocks || seen[n]) continue;
            seen[n] = true;
            stack[top++] = n;
        }
    }
    free(stack);
    return seen;
}

#define MAX_WAITS_LOOKED_AT 16

/* One post for one wait: a spawn outside loops answers the wait only when
 * it is outside loops too and it is the only wait on the object (variable
 * v) reachable from the spawn (at most MAX_WAITS_LOOKED_AT looked at). */
static bool one_post_enough(tl_handshake_cache *c, const tl_analysis *a, int fi, int k, int v,
                            const char *field, const tl_call_facts *sc, const tl_call_facts *wait) {
    const tl_func *f = &a->tu->funcs[fi];
    int cs = c->comp[sc->block], cw = c->comp[wait->block];
    if (cs >= 0) return true; /* a thread per iteration */
    if (cw >= 0 || v < 0) return false;
    if (!c->after[k]) c->after[k] = reachable_from(f, sc->block);
    int n = 0, looked = 0;
    for (int id = field ? c->fwait_by_var[v] : c->wait_by_var[v]; id >= 0; id = c->wait_next[id]) {
        if (++looked > MAX_WAITS_LOOKED_AT) return false;
        const tl_call_facts *o = &a->funcs[fi].calls[id];
        const char *of;
        if (field && (param_field(f, NULL, o->instr->call.args[o->model->wait.object_arg], &of) != v ||
                      strcmp(of, field) != 0))
            continue; /* another field */
        if (c->after[k][o->block] && (o->block != sc->block || o->index > sc->index) && ++n > 1) return false;
    }
    return true;
}

/* Whether spawn `id` answers the wait: its entry posts the object, no path
 * reaches the wait without its success, and its one post is enough. */
static bool answers(tl_handshake_cache *c, const tl_analysis *a, int fi, int id, const tl_call_facts *wait,
                    const tl_expr *obj, int v, const tl_expr *mutex) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_call_facts *sc = &a->funcs[fi].calls[id];
    if (mutex ? !entry_signals_locked(c, a, f, &sc->instr->call, sc->model, obj, mutex)
              : !entry_posts(a, f, &sc->instr->call, sc->model, obj))
        return false;
    int k = 0;
    while (k < c->nspawns && c->spawn[k] != id) k++;
    if (k == c->nspawns) {
        if (k == TL_HS_MAX_SPAWNS) return false;
        if (!c->comp) {
            int ncomp;
            c->comp = tl_cycle_components(f, &ncomp);
        }
        if (!c->holds) c->holds = result_holders(f);
        c->unanswered[k] = unanswered_blocks(c, a, fi, id, c->comp);
        c->after[k] = NULL;
        c->released[k] = NULL;
        c->spawn[c->nspawns++] = id;
    }
    int bw = wait->block;
    if (bw < 0 || bw >= f->nblocks || sc->block < 0 || sc->block >= f->nblocks) return false;
    bool before = !c->unanswered[k][bw] ||
                  /* a spawn that cannot fail earlier in the wait's own block */
                  (bw == sc->block && sc->model->spawn.success == TL_SUCCESS_ALWAYS && sc->index < wait->index);
    const char *field = NULL;
    if (mutex && param_field(f, c->assigned, obj, &field) < 0) field = NULL;
    return before && one_post_enough(c, a, fi, k, v, field, sc, wait) &&
           (!mutex || held_across(c, a, fi, k, tl_mutex_name_of(f, mutex), sc, wait));
}

const tl_instr *tl_handshake_answered(tl_handshake_cache *c, const tl_analysis *a, int fi,
                                      const tl_call_facts *wait, int object_arg, int lock_arg) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    const tl_call *wc = &wait->instr->call;
    if (!a->program || object_arg < 0 || object_arg >= wc->nargs) return NULL;
    if (c->fi != fi) {
        reset(c);
        c->fi = fi;
        index_spawns(c, a, fi);
    }
    const tl_expr *obj = wc->args[object_arg];
    const tl_expr *mutex = NULL;
    int v = object_var(f, obj);
    if (lock_arg >= 0) { /* the lock dance: file-scope condition and mutex, or fields of one parameter */
        if (lock_arg >= wc->nargs) return NULL;
        mutex = wc->args[lock_arg];
        if (!global_of(f, obj) || !global_of(f, mutex)) {
            const char *of, *mf;
            int x = param_field(f, c->assigned, obj, &of);
            if (x < 0 || param_field(f, c->assigned, mutex, &mf) != x) return NULL;
            v = x; /* the spawns handing that parameter over */
        }
    }
    const tl_instr *answer = NULL;
    /* spawns handing the object over, then (a global) any spawn */
    int n = 0;
    for (int id = v >= 0 ? c->by_var[v] : -1; id >= 0 && !answer && n < TL_HS_MAX_SPAWNS; id = c->next[id], n++)
        if (answers(c, a, fi, id, wait, obj, v, mutex)) answer = ff->calls[id].instr;
    bool global = v >= 0 && f->vars[v].kind == TL_VAR_GLOBAL;
    for (int i = 0; global && !answer && i < c->nall && i < TL_HS_MAX_SPAWNS; i++)
        if (answers(c, a, fi, c->all[i], wait, obj, v, mutex)) answer = ff->calls[c->all[i]].instr;
    return answer;
}
