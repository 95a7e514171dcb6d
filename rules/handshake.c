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
    for (int i = 0; i < c->nspawns; i++) free(c->unanswered[i]);
    free(c->holds);
    tl_handshake_init(c);
}

void tl_handshake_free(tl_handshake_cache *c) {
    reset(c);
}

/* `x` and `y` name the same object: `&s` and `&s`, or `p` and `p`. */
static bool same_object(const tl_expr *x, const tl_expr *y) {
    x = tl_own_strip(x);
    y = tl_own_strip(y);
    if (x && y && x->kind == TL_E_ADDR && y->kind == TL_E_ADDR && x->nkids == 1 && y->nkids == 1) {
        x = tl_own_strip(x->kids[0]);
        y = tl_own_strip(y->kids[0]);
    }
    return x && y && x->kind == TL_E_VAR && y->kind == TL_E_VAR && x->var >= 0 && x->var == y->var;
}

/* The USR (else name) of the entry function a spawn call starts, or NULL. */
static const char *entry_of(const tl_call *call, const tl_fn_model *m) {
    if (m->spawn.entry_arg < 0 || m->spawn.entry_arg >= call->nargs) return NULL;
    const tl_expr *e = tl_own_strip(call->args[m->spawn.entry_arg]);
    if (e && e->kind == TL_E_ADDR && e->nkids == 1) e = tl_own_strip(e->kids[0]);
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
    const tl_expr *o = tl_own_strip(obj);
    if (o && o->kind == TL_E_ADDR && o->nkids == 1) o = tl_own_strip(o->kids[0]);
    if (!o || o->kind != TL_E_VAR || o->var < 0 || o->var >= f->nvars) return false;
    const tl_var *g = &f->vars[o->var];
    return g->kind == TL_VAR_GLOBAL && g->usr && tl_program_posts_global(a->program, usr, g->usr);
}

static int var_holds(void *ctx, int v) {
    const tl_handshake_cache *c = ctx;
    return c->holds && v >= 0 ? c->holds[v] : -1;
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
            const tl_expr *e = tl_own_strip(in->value);
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
                int call = tl_own_edge_spawn_outcome(a, fi, bl, s, var_holds, c, NULL, &outcome);
                if (call == id && outcome > 0) continue;
            }
            seen[n] = true;
            stack[top++] = n;
        }
    }
    free(stack);
    return seen;
}

const tl_instr *tl_handshake_answered(tl_handshake_cache *c, const tl_analysis *a, int fi,
                                      const tl_call_facts *wait, int object_arg) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    const tl_call *wc = &wait->instr->call;
    if (!a->program || object_arg < 0 || object_arg >= wc->nargs) return NULL;
    if (c->fi != fi) {
        reset(c);
        c->fi = fi;
    }
    int *comp = NULL;
    const tl_instr *answer = NULL;
    for (int id = 0; id < ff->ncalls && !answer; id++) {
        const tl_call_facts *sc = &ff->calls[id];
        if (!sc->instr || !sc->reached || !sc->model || !sc->model->spawn.present) continue;
        if (!entry_posts(a, f, &sc->instr->call, sc->model, wc->args[object_arg])) continue;
        int k = 0;
        while (k < c->nspawns && c->spawn[k] != id) k++;
        if (k == c->nspawns) {
            if (k == TL_HS_MAX_SPAWNS) continue;
            if (!comp) {
                int ncomp;
                comp = tl_cycle_components(f, &ncomp);
            }
            if (!c->holds) c->holds = result_holders(f);
            c->unanswered[k] = unanswered_blocks(c, a, fi, id, comp);
            c->spawn[c->nspawns++] = id;
        }
        int bw = wait->block;
        if (bw < 0 || bw >= f->nblocks) continue;
        bool reached = c->unanswered[k][bw];
        /* a spawn that cannot fail earlier in the wait's own block */
        if (reached && bw == sc->block && sc->model->spawn.success == TL_SUCCESS_ALWAYS &&
            sc->index < wait->index)
            reached = false;
        if (!reached) answer = sc->instr;
    }
    free(comp);
    return answer;
}
