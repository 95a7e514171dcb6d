/* analysis.c - per-TU facts every rule reads (see analysis.h).
 *
 * 1. Constant propagation (constprop.c, a forward dataflow over each CFG) gives the value
 *    of every call argument: a -1 deadline is seen whether it is spelled in
 *    place, comes from a #define, an enum constant or a local variable.
 * 2. Each call gets its callee's model: a library's, else the one the roles
 *    declared in the source stand for (tl_tu.annots: tasklint::blocking...),
 *    else what the program derived.
 * 3. Async contexts: a function becomes a coroutine / loop callback / thread
 *    entry when it is the entry of a spawn (go() expansion entry call, or a
 *    function pointer in the spawn's entry argument) or is passed to a
 *    callback-registration facet, or is declared async in the source
 *    (analysis_contexts.c).
 * 4. Blocking summaries: a function may block if it makes a blocking call
 *    (under its argument values) or calls a function of this TU that may
 *    block; computed to a fixpoint over the in-TU call graph
 *    (analysis_blocking.c).
 * This file drives the steps (tl_analysis_run_program) and holds 1 and 2;
 * the model conditions the rules ask about calls are in
 * analysis_conditions.c.
 */
#include "analysis.h"
#include "analysis_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../program/program.h"
#include "../util/str_map.h"
#include "../util/postorder.h"
#include "../util/xalloc.h"
#include "chan_fill.h"
#include "echo.h"
#include "constprop.h"
#include "dying.h"
#include "fdstate.h"
#include "fd_origin.h"
#include "fork_branch.h"
#include "out_buffer.h"
#include "numeric_hosts.h"
#include "object_deadlines.h"
#include "peer_end.h"
#include "send_budget.h"
#include "would_block.h"

/* ---- expression evaluation ---- */

static tl_cval cv(tl_cval_kind k, int64_t v) {
    tl_cval r = {k, v, -1};
    return r;
}

static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

static bool eval_binary(const char *op, int64_t a, int64_t b, int64_t *out) {
    if (!strcmp(op, "+")) *out = wrap_add(a, b);
    else if (!strcmp(op, "-")) *out = wrap_sub(a, b);
    else if (!strcmp(op, "*")) *out = wrap_mul(a, b);
    else if (!strcmp(op, "/")) {
        if (b == 0 || (a == INT64_MIN && b == -1)) return false;
        *out = a / b;
    } else if (!strcmp(op, "%")) {
        if (b == 0 || (a == INT64_MIN && b == -1)) return false;
        *out = a % b;
    } else if (!strcmp(op, "<<")) {
        if (b < 0 || b > 63) return false;
        *out = (int64_t)((uint64_t)a << b);
    } else if (!strcmp(op, ">>")) {
        if (b < 0 || b > 63) return false;
        *out = a >> b;
    } else if (!strcmp(op, "&")) *out = a & b;
    else if (!strcmp(op, "|")) *out = a | b;
    else if (!strcmp(op, "^")) *out = a ^ b;
    else if (!strcmp(op, "==")) *out = a == b;
    else if (!strcmp(op, "!=")) *out = a != b;
    else if (!strcmp(op, "<")) *out = a < b;
    else if (!strcmp(op, "<=")) *out = a <= b;
    else if (!strcmp(op, ">")) *out = a > b;
    else if (!strcmp(op, ">=")) *out = a >= b;
    else return false;
    return true;
}

tl_cval tl_eval_expr(const tl_expr *e, const tl_cval *env, int nvars) {
    if (!e) return cv(TL_CV_UNKNOWN, 0);
    switch (e->kind) {
    case TL_E_CONST: return cv(TL_CV_INT, e->ival);
    case TL_E_NULL: return cv(TL_CV_NULL, 0);
    case TL_E_STRING:
    case TL_E_FUNC:
    case TL_E_ADDR: return cv(TL_CV_NONNULL, 0);
    case TL_E_VAR: {
        if (!env || e->var < 0 || e->var >= nvars) return cv(TL_CV_UNKNOWN, 0);
        tl_cval r = env[e->var];
        if (r.kind == TL_CV_UNDEF) r.kind = TL_CV_UNKNOWN;
        if ((r.kind == TL_CV_INT || r.kind == TL_CV_NULL) && r.via_var < 0) r.via_var = e->var;
        return r;
    }
    case TL_E_CAST: return e->nkids ? tl_eval_expr(e->kids[0], env, nvars) : cv(TL_CV_UNKNOWN, 0);
    case TL_E_UNARY: {
        tl_cval k = e->nkids ? tl_eval_expr(e->kids[0], env, nvars) : cv(TL_CV_UNKNOWN, 0);
        if (!strcmp(e->op, "!")) {
            if (k.kind == TL_CV_INT) return cv(TL_CV_INT, !k.v);
            if (k.kind == TL_CV_NULL) return cv(TL_CV_INT, 1);
            if (k.kind == TL_CV_NONNULL) return cv(TL_CV_INT, 0);
            return cv(TL_CV_UNKNOWN, 0);
        }
        if (k.kind != TL_CV_INT) return cv(TL_CV_UNKNOWN, 0);
        tl_cval r = k;
        if (!strcmp(e->op, "-")) r.v = wrap_sub(0, k.v);
        else if (!strcmp(e->op, "~")) r.v = ~k.v;
        return r;
    }
    case TL_E_BINARY: {
        if (e->nkids != 2) return cv(TL_CV_UNKNOWN, 0);
        tl_cval a = tl_eval_expr(e->kids[0], env, nvars);
        tl_cval b = tl_eval_expr(e->kids[1], env, nvars);
        int64_t v;
        if (a.kind == TL_CV_INT && b.kind == TL_CV_INT && eval_binary(e->op, a.v, b.v, &v)) {
            tl_cval r = cv(TL_CV_INT, v);
            r.via_var = a.via_var >= 0 ? a.via_var : b.via_var;
            return r;
        }
        /* pointer comparisons against NULL */
        bool eq = !strcmp(e->op, "=="), ne = !strcmp(e->op, "!=");
        if ((eq || ne) && ((a.kind == TL_CV_NULL && b.kind == TL_CV_NONNULL) ||
                           (a.kind == TL_CV_NONNULL && b.kind == TL_CV_NULL)))
            return cv(TL_CV_INT, ne);
        if ((eq || ne) && a.kind == TL_CV_NULL && b.kind == TL_CV_NULL) return cv(TL_CV_INT, eq);
        return cv(TL_CV_UNKNOWN, 0);
    }
    default:
        return cv(TL_CV_UNKNOWN, 0);
    }
}

/* ---- call facts: models and argument values (constprop.c) ---- */

typedef struct {
    const tl_func *f;
    const tl_analysis *a;
    tl_func_facts *ff;
} facts_ctx;

static const tl_fn_model *call_model(const tl_analysis *a, const tl_func *f, const tl_call *c);

static void record_call(void *ctx, const tl_instr *in, int block, int index, bool reached,
                        const tl_cval *env) {
    facts_ctx *x = ctx;
    if (in->call.id < 0 || in->call.id >= x->f->ncalls) return;
    tl_call_facts *cf = &x->ff->calls[in->call.id];
    cf->instr = in;
    cf->block = block;
    cf->index = index;
    cf->reached = reached;
    cf->model = call_model(x->a, x->f, &in->call);
    cf->argv = tl_xcalloc((size_t)in->call.nargs + 1, sizeof *cf->argv);
    for (int a = 0; a < in->call.nargs; a++)
        cf->argv[a] = tl_eval_expr(in->call.args[a], env, x->f->nvars);
}

const char *tl_call_target_usr(const tl_func *f, const tl_call *c, bool *is_slot) {
    *is_slot = false;
    if (c->callee) return c->callee_usr;
    const tl_expr *e = c->fn;
    while (e && (e->kind == TL_E_CAST || e->kind == TL_E_DEREF) && e->nkids == 1) e = e->kids[0];
    if (!e) return NULL;
    if (e->kind == TL_E_MEMBER && e->usr) {
        *is_slot = true;
        return e->usr;
    }
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars && f->vars[e->var].usr) {
        *is_slot = true;
        return f->vars[e->var].usr;
    }
    return NULL;
}

/* The model of a call: the library's, else the one its declared roles stand
 * for, else what the program derived. */
static const tl_fn_model *call_model(const tl_analysis *a, const tl_func *f, const tl_call *c) {
    const tl_fn_model *m = c->callee ? tl_models_find(a->models, c->callee) : NULL;
    if (!m && c->callee && a->annot_models) {
        int k = tl_str_map_get(&a->annot_index, c->callee);
        if (k >= 0) m = a->annot_models[k];
    }
    if (m || !a->program) return m;
    bool is_slot;
    const char *usr = tl_call_target_usr(f, c, &is_slot);
    return usr ? tl_program_model(a->program, usr, is_slot) : NULL;
}

static void compute_call_facts(const tl_analysis *a, const tl_func *f, tl_func_facts *ff) {
    ff->ncalls = f->ncalls;
    ff->calls = tl_xcalloc((size_t)f->ncalls + 1, sizeof *ff->calls);
    facts_ctx x = {f, a, ff};
    if (!f->call_values) {
        ff->constprop_incomplete = tl_constprop_run(f, record_call, &x) != 0;
        return;
    }
    /* phase 2: the values phase 1 found, kept with the IR */
    ff->constprop_incomplete = f->values_incomplete;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_CALL || in->call.id < 0 || in->call.id >= f->ncalls) continue;
            const tl_call_values *cv = &f->call_values[in->call.id];
            tl_call_facts *cf = &ff->calls[in->call.id];
            cf->instr = in;
            cf->block = bi;
            cf->index = i;
            cf->reached = cv->reached;
            cf->model = call_model(a, f, &in->call);
            cf->argv = tl_xcalloc((size_t)in->call.nargs + 1, sizeof *cf->argv);
            for (int a = 0; a < in->call.nargs; a++) {
                cf->argv[a].kind = TL_CV_UNKNOWN;
                cf->argv[a].via_var = -1;
                if (a < cv->nargs && cv->argv[a].kind <= TL_CV_UNKNOWN) {
                    cf->argv[a].kind = (tl_cval_kind)cv->argv[a].kind;
                    cf->argv[a].v = cv->argv[a].v;
                    cf->argv[a].via_var = cv->argv[a].via_var;
                }
            }
        }
}

/* The blocks of f that call a function of the TU that ends the process on
 * every path (st[callee] == TL_CF_YES), or NULL when none does. */
static bool *ending_blocks(const tl_analysis *a, const unsigned char *st, const tl_func *f) {
    bool *ends = NULL;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            int c = in->kind == TL_I_CALL && !in->call.is_spawn_entry ? in->call.callee_func : -1;
            if (c < 0 || c >= a->tu->nfuncs || st[c] != TL_CF_YES) continue;
            if (!ends) ends = tl_xcalloc((size_t)f->nblocks + 1, sizeof *ends);
            ends[bi] = true;
        }
    return ends;
}

/* Function fi ends the process on every path from its entry (`quit(c)`:
 * cleanup, then _exit), given what its callees do. */
static bool dies_decide(const tl_analysis *a, const unsigned char *st, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    if (f->entry < 0 || f->entry >= f->nblocks) return false;
    bool *ends = ending_blocks(a, st, f);
    bool *dying = tl_dying_blocks_with(f, ends);
    bool dies = dying[f->entry];
    free(dying);
    free(ends);
    return dies;
}

/* Calls on dying paths: every path from the call ends in a noreturn call,
 * or in a call of a function of the TU that ends the process on every path
 * (dying.h: a least fixpoint, loops that may run forever are not dying,
 * except a walk over a linked list).  Callees first, then each function
 * once more with what its callees do: linear. */
static void mark_dying_calls(const tl_analysis *a) {
    int n = a->tu->nfuncs;
    bool *dies = tl_analysis_callees_first(a, dies_decide);
    unsigned char *st = tl_xcalloc((size_t)n + 1, 1);
    for (int fi = 0; fi < n; fi++) st[fi] = dies[fi] ? TL_CF_YES : TL_CF_NO;
    for (int fi = 0; fi < n; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        tl_func_facts *ff = &a->funcs[fi];
        bool *ends = ending_blocks(a, st, f);
        bool *dying = tl_dying_blocks_with(f, ends);
        for (int id = 0; id < ff->ncalls; id++) {
            tl_call_facts *cf = &ff->calls[id];
            cf->dying = cf->instr && cf->block >= 0 && cf->block < f->nblocks && dying[cf->block] &&
                        !cf->in_waited_child; /* (a vfork's parent waits until the child ends) */
        }
        free(dying);
        free(ends);
    }
    free(st);
    free(dies);
}

/* ---- model conditions: analysis_conditions.c ---- */

/* ---- inputs of the descriptor states: watched fields, callees first ---- */

/* The descriptors some call of the TU watches for readiness (callback.fd_arg
 * of a readiness registration, watch_fd), by USR: struct fields
 * (`event_new(base, c->fd, EV_READ, cb, c)`, `uv_poll_init(loop, h, c->fd)`),
 * fields the watched local is stored into in the same function (`c->sock =
 * sock; uv_poll_init_socket(loop, &c->h, sock)`), and globals, as "var:USR". */
static void add_key(tl_str_map *out, const char *key) {
    if (tl_str_map_get(out, key) < 0) tl_str_map_add(out, key, 1);
}

static void add_watched_expr(const tl_func *f, const tl_expr *e, tl_str_map *out, bool *local) {
    e = tl_expr_uncast(e);
    if (e && e->kind == TL_E_MEMBER && e->usr) add_key(out, e->usr);
    if (!e || e->kind != TL_E_VAR || e->var < 0 || e->var >= f->nvars) return;
    const tl_var *v = &f->vars[e->var];
    if ((v->kind == TL_VAR_GLOBAL || v->kind == TL_VAR_STATIC) && v->usr) {
        char key[320];
        snprintf(key, sizeof key, "var:%.300s", v->usr);
        add_key(out, key);
    } else {
        local[e->var] = true;
    }
}

/* `mcmc_fd(be->client)`: the result of a program function called on one
 * field of a struct, "call:USR|FIELD" - in a readiness callback the same
 * call on that field of a value derived from its parameters gives the
 * watched descriptor when the function only returns a field of what it is
 * given (fdstate_slots.c, "a:USR"). */
static void add_watched_accessor(const tl_func_facts *ff, const tl_expr *e, tl_str_map *out) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_CALLRES || e->call_id < 0 || e->call_id >= ff->ncalls || !ff->calls[e->call_id].instr) return;
    const tl_call *call = &ff->calls[e->call_id].instr->call;
    const tl_expr *a = call->nargs == 1 ? call->args[0] : NULL;
    a = tl_expr_uncast(a);
    if (!call->callee_usr || call->callee_system || !a || a->kind != TL_E_MEMBER || !a->usr) return;
    char key[320];
    int n = snprintf(key, sizeof key, "call:%s|%s", call->callee_usr, a->usr);
    if (n < 0 || (size_t)n >= sizeof key) return; /* a key cut short would name another slot */
    add_key(out, key);
}

static void add_watched(const tl_func *f, const tl_func_facts *ff, const tl_call_facts *cf, int arg, tl_str_map *out,
                        bool *local) {
    if (arg < 0 || arg >= cf->instr->call.nargs) return;
    add_watched_expr(f, cf->instr->call.args[arg], out, local);
    add_watched_accessor(ff, cf->instr->call.args[arg], out);
}

/* The "RECORD.FIELD" keys of the ready fields of field entries (ev_io.fd for
 * `ev_io.cb: {callback: {ready_param: 1, ready_field: fd}}`): a store into
 * one (what ev_io_init() expands to) watches the descriptor stored. */
static void collect_ready_fields(const tl_model_set *ms, tl_str_map *out) {
    char key[TL_MAX_FIELD * 2 + 200];
    for (size_t i = 0; ms && i < ms->nfns; i++) {
        const tl_fn_model *m = &ms->fns[i];
        const char *dot = m->name ? strrchr(m->name, '.') : NULL;
        if (!dot || !m->callback.present || !m->callback.readiness || !m->callback.ready_field[0]) continue;
        if ((size_t)(dot - m->name) + strlen(m->callback.ready_field) + 2 > sizeof key) continue;
        snprintf(key, sizeof key, "%.*s.%s", (int)(dot - m->name), m->name, m->callback.ready_field);
        add_key(out, key);
    }
}

/* Is the store's target a ready field of some field entry (`(w)->fd = fd`)? */
static bool stores_ready_field(const tl_instr *in, const tl_str_map *ready_fields) {
    char key[256];
    return in->kind == TL_I_STORE && in->target && in->target->kind == TL_E_MEMBER && in->target->usr &&
           tl_models_field_key(in->target->usr, key, sizeof key) && tl_str_map_get(ready_fields, key) >= 0;
}

static void collect_watched_fields(const tl_analysis *a, tl_str_map *out) {
    tl_str_map ready_fields;
    tl_str_map_init(&ready_fields);
    collect_ready_fields(a->models, &ready_fields);
    bool stores = tl_str_map_count(&ready_fields) > 0;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        bool *local = NULL, any = false;
        for (int bi = 0; stores && bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                if (!stores_ready_field(in, &ready_fields)) continue;
                if (!local) local = tl_xcalloc((size_t)f->nvars + 1, sizeof *local);
                add_watched_expr(f, in->value, out, local);
                any = true;
            }
        for (int id = 0; id < a->funcs[fi].ncalls; id++) {
            const tl_call_facts *cf = &a->funcs[fi].calls[id];
            const tl_fn_model *m = cf->model;
            if (!m || !cf->instr) continue;
            bool reg = tl_call_registers_readiness(cf);
            if (!m->watch_fd.present && !reg) continue;
            if (!local) local = tl_xcalloc((size_t)f->nvars + 1, sizeof *local);
            if (m->watch_fd.present) add_watched(f, &a->funcs[fi], cf, m->watch_fd.arg, out, local);
            if (reg) add_watched(f, &a->funcs[fi], cf, m->callback.fd_arg, out, local);
            any = true;
        }
        /* the fields the watched locals are stored into here, and the
           accessor calls they are assigned from (`int fd = mcmc_fd(be->client)`) */
        for (int bi = 0; any && bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars && local[in->var])
                    add_watched_accessor(&a->funcs[fi], in->value, out);
                if (in->kind != TL_I_STORE || !in->target || in->target->kind != TL_E_MEMBER || !in->target->usr)
                    continue;
                const tl_expr *v = in->value;
                v = tl_expr_uncast(v);
                if (v && v->kind == TL_E_VAR && v->var >= 0 && v->var < f->nvars && local[v->var])
                    add_key(out, in->target->usr);
            }
        free(local);
    }
    tl_str_map_free(&ready_fields);
}

static int next_callee(void *ctx, int f, int k) {
    const tl_analysis *a = ctx;
    const tl_func_facts *ff = &a->funcs[f];
    if (k >= ff->ncalls) return TL_POSTORDER_END;
    return ff->calls[k].instr ? ff->calls[k].instr->call.callee_func : -1;
}

/* The functions of the TU in post-order of the in-TU call graph (callees
 * before their callers; in a cycle, one of them first): util/postorder.c,
 * linear in functions and calls. */
int *tl_analysis_callees_order(const tl_tu *tu, const tl_analysis *a) {
    return tl_postorder(tu->nfuncs, next_callee, (void *)a);
}

/* ---- functions that never return ---- */

static bool nr_call_stops(const tl_analysis *a, const unsigned char *st, const tl_call *c) {
    if (c->is_spawn_entry) return false;
    if (c->callee_func >= 0 && c->callee_func < a->tu->nfuncs) return st[c->callee_func] == TL_CF_YES; /* never returns */
    return a->program && c->callee && c->callee_usr && tl_program_never_returns(a->program, c->callee_usr);
}

/* Does function fi reach a return from its entry, given what is known of
 * its callees (a callee not known to never return, returns)?  A forward
 * walk; paths end at noreturn blocks and at calls that never return. */
static bool nr_walk(const tl_analysis *a, const unsigned char *st, int fi) {
    const tl_func *f = &a->tu->funcs[fi];
    bool returns = f->nblocks == 0;
    bool *seen = tl_xcalloc((size_t)f->nblocks + 1, sizeof *seen);
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack), n = 0;
    if (f->entry >= 0 && f->entry < f->nblocks) {
        seen[f->entry] = true;
        stack[n++] = f->entry;
    }
    while (n > 0 && !returns) {
        const tl_block *b = &f->blocks[stack[--n]];
        bool stops = b->term == TL_T_NORETURN;
        for (int i = 0; i < b->ninstrs && !stops; i++)
            stops = b->instrs[i].kind == TL_I_CALL && nr_call_stops(a, st, &b->instrs[i].call);
        if (stops) continue;
        if (b->term == TL_T_EXIT) {
            returns = true;
            break;
        }
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t >= 0 && t < f->nblocks && !seen[t]) {
                seen[t] = true;
                stack[n++] = t;
            }
        }
    }
    free(seen);
    free(stack);
    return returns;
}

/* Callees first, with an explicit stack (no recursion on long call chains):
 * a function is decided once all its TU callees are decided, except those
 * on the stack (recursion), which `decide` sees as TL_CF_BUSY.  Each
 * function is pushed once per call to it: linear in the calls and blocks. */
bool *tl_analysis_callees_first(const tl_analysis *a, tl_callees_first_fn decide) {
    int n = a->tu->nfuncs;
    unsigned char *st = tl_xcalloc((size_t)n + 1, 1);
    size_t cap = (size_t)n + 16, top = 0;
    int *stack = tl_xmalloc(cap * sizeof *stack);
    for (int root = 0; root < n; root++) {
        if (st[root] != TL_CF_UNKNOWN) continue;
        stack[top++] = root;
        while (top > 0) {
            int g = stack[top - 1];
            if (st[g] == TL_CF_UNKNOWN) {
                st[g] = TL_CF_BUSY;
                const tl_func *f = &a->tu->funcs[g];
                for (int bi = 0; bi < f->nblocks; bi++)
                    for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                        const tl_instr *in = &f->blocks[bi].instrs[i];
                        int c = in->kind == TL_I_CALL && !in->call.is_spawn_entry ? in->call.callee_func : -1;
                        if (c < 0 || c >= n || st[c] != TL_CF_UNKNOWN) continue;
                        if (top == cap) stack = tl_xrealloc(stack, (cap *= 2) * sizeof *stack);
                        stack[top++] = c;
                    }
                continue;
            }
            top--;
            if (st[g] == TL_CF_BUSY) st[g] = decide(a, st, g) ? TL_CF_YES : TL_CF_NO;
        }
    }
    bool *yes = tl_xcalloc((size_t)n + 1, sizeof *yes);
    for (int fi = 0; fi < n; fi++) yes[fi] = st[fi] == TL_CF_YES;
    free(stack);
    free(st);
    return yes;
}

static bool nr_never(const tl_analysis *a, const unsigned char *st, int fi) {
    return !nr_walk(a, st, fi);
}

bool *tl_analysis_never_returns(const tl_analysis *a) {
    return tl_analysis_callees_first(a, nr_never);
}

bool tl_call_never_returns(const tl_analysis *a, const bool *never, const tl_call *c) {
    if (c->is_spawn_entry) return false;
    if (c->callee_func >= 0 && c->callee_func < a->tu->nfuncs) return never[c->callee_func];
    return a->program && c->callee && c->callee_usr && tl_program_never_returns(a->program, c->callee_usr);
}

/* ---- roles declared in the source ---- */

unsigned tl_analysis_roles(const tl_analysis *a, const char *name) {
    if (!name || !a->tu || a->tu->nannots == 0) return 0;
    int k = tl_str_map_get(&a->annot_index, name);
    return k < 0 ? 0 : a->tu->annots[k].roles;
}

/* The call model of each annotated function that has a call role:
 * blocking, nonblocking, spawn (its result is a handle to release: non-NULL
 * or non-negative means started), owns (its first `owns` parameter takes the
 * handle over, as a release would). */
static void build_annot_models(tl_analysis *a) {
    const tl_tu *tu = a->tu;
    if (tu->nannots == 0) return;
    a->annot_models = tl_xcalloc((size_t)tu->nannots, sizeof *a->annot_models);
    for (int k = 0; k < tu->nannots; k++) {
        const tl_annot *an = &tu->annots[k];
        tl_str_map_add(&a->annot_index, an->name, k);
        unsigned call_roles = an->roles & (TL_ROLE_BLOCKING | TL_ROLE_NONBLOCKING | TL_ROLE_SPAWN);
        if (!call_roles && !an->owns) continue;
        tl_fn_model *m = tl_xmalloc(sizeof *m);
        tl_fn_model_init(m);
        m->name = an->name;
        m->library = (char *)"annotations";
        m->nonblocking = (an->roles & TL_ROLE_NONBLOCKING) != 0;
        m->blocking.present = (an->roles & TL_ROLE_BLOCKING) && !m->nonblocking;
        if (an->roles & TL_ROLE_SPAWN) {
            m->spawn.present = true;
            m->spawn.where = TL_HANDLE_RESULT;
            m->spawn.success = an->returns_pointer ? TL_SUCCESS_NONNULL : TL_SUCCESS_NONNEG;
            m->spawn.task = (char *)"task";
        }
        for (int i = 0; i < 64; i++)
            if (an->owns >> i & 1) {
                m->release.present = true;
                m->release.arg = i;
                break;
            }
        a->annot_models[k] = m;
    }
}

int tl_analysis_run(const tl_tu *tu, const tl_model_set *models, tl_profile profile, tl_analysis *out) {
    return tl_analysis_run_program(tu, models, profile, NULL, out);
}

int tl_analysis_run_program(const tl_tu *tu, const tl_model_set *models, tl_profile profile,
                            const tl_program *program, tl_analysis *out) {
    memset(out, 0, sizeof *out);
    out->tu = tu;
    out->models = models;
    out->profile = profile;
    out->program = program;
    tl_str_map_init(&out->fd_globals);
    out->funcs = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *out->funcs);
    build_annot_models(out);
    for (int fi = 0; fi < tu->nfuncs; fi++) {
        tl_func_facts *ff = &out->funcs[fi];
        ff->context.from_func = -1;
        ff->context.ready_param = -1;
        ff->context.handle_param = -1;
        ff->context.loop_param = -1;
        ff->context.ready_data_param = -1;
        ff->exempt = tl_models_is_exempt(models, tu->funcs[fi].name);
        compute_call_facts(out, &tu->funcs[fi], ff);
        for (int id = 0; id < ff->ncalls; id++) ff->calls[id].strict = profile == TL_PROFILE_STRICT;
        tl_analysis_mark_guards(&tu->funcs[fi], ff);
        tl_analysis_mark_param_values(&tu->funcs[fi], ff);
        tl_mark_fork_child_calls(&tu->funcs[fi], ff);
    }
    mark_dying_calls(out);
    tl_mark_would_block_calls(out);
    tl_analysis_discover_contexts(out);
    tl_analysis_program_contexts(out);
    tl_fd_origin_collect_globals(out);
    tl_analysis_mark_datagram_calls(out);
    tl_analysis_mark_file_io(out);
    tl_analysis_mark_send_budget(out);
    tl_analysis_mark_out_buffers(out);
    tl_analysis_mark_peer_ends(out);
    tl_analysis_mark_numeric_hosts(out);
    tl_analysis_mark_object_deadlines(out);
    tl_analysis_mark_chan_fill(out);
    tl_analysis_mark_echoes(out);
    /* descriptor states, with a readiness callback's descriptor ready on entry */
    tl_str_map watched, globals;
    tl_str_map_init(&watched);
    tl_str_map_init(&globals);
    collect_watched_fields(out, &watched);
    for (int fi = 0; fi < tu->nfuncs; fi++) tl_fdstate_collect_globals(&tu->funcs[fi], &out->funcs[fi], &globals);
    out->slot_stores = tl_xmalloc(sizeof *out->slot_stores);
    tl_slot_stores_init(out->slot_stores);
    for (int i = 0; i < tu->ninit_slots; i++) { /* static int fd = 2; {.fd = s}: a value not followed */
        char all[600]; /* (its elements too, when it is an array: fd_slots.c) */
        tl_slot_stores_add(out->slot_stores, tu->init_slots[i], TL_SLOT_OTHER, NULL, tu->init_slots_internal[i]);
        const char *hash = strrchr(tu->init_slots[i], '#');
        if (tu->init_slots[i][0] == 'p' && hash && (hash[1] == '*' || hash[1] == '=')) { /* F named: any data pointer */
            snprintf(all, sizeof all, "d:%.*s#*", (int)(hash - tu->init_slots[i] - 2), tu->init_slots[i] + 2);
            tl_slot_stores_add(out->slot_stores, all, TL_SLOT_OTHER, NULL, true);
        }
        if (tu->init_slots[i][0] != 'f' && tu->init_slots[i][0] != 'g') continue; /* ("p:F#*": no array) */
        snprintf(all, sizeof all, "%.580s[*]", tu->init_slots[i]);
        tl_slot_stores_add(out->slot_stores, all, TL_SLOT_OTHER, NULL, tu->init_slots_internal[i]);
    }
    /* callees first, so that a call sees what its callee returns */
    int *order = tl_analysis_callees_order(tu, out);
    unsigned *returns = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *returns);
    unsigned *params_nb = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *params_nb);
    tl_fd_returns_if *returns_if = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *returns_if);
    tl_fd_params_if *params_if = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *params_if);
    char **returns_via = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *returns_via); /* (the facts' own) */
    for (int k = 0; k < tu->nfuncs; k++) {
        int fi = order[k];
        const tl_context_info *ci = &out->funcs[fi].context;
        bool ready = ci->readiness && ci->kind == TL_CTX_LOOP_CALLBACK;
        tl_fdstate_env env = {ready, ready ? ci->ready_param : -1, ready ? ci->ready_data_param : -1,
                              ready ? ci->ready_field : NULL, &watched, &globals, returns, tu->nfuncs,
                              out->slot_stores, program, params_nb, returns_if, params_if, returns_via};
        tl_fdstate_run(&tu->funcs[fi], &out->funcs[fi], &env);
        returns[fi] = out->funcs[fi].returns_fd_state;
        /* low half: left non-blocking; high half: mode changed otherwise */
        params_nb[fi] = (out->funcs[fi].params_nonblocking & 0xffffu) | (out->funcs[fi].params_moded << 16);
        returns_if[fi] = out->funcs[fi].returns_if;
        params_if[fi] = out->funcs[fi].params_if;
        returns_via[fi] = out->funcs[fi].returns_via;
    }
    free(returns_via);
    free(order);
    free(returns_if);
    free(params_if);
    free(returns);
    free(params_nb);
    tl_str_map_free(&watched);
    tl_str_map_free(&globals);
    tl_analysis_compute_blocking(out, false);
    tl_analysis_compute_blocking(out, true);
    return 0;
}

void tl_analysis_free(tl_analysis *a) {
    if (a->slot_stores) {
        tl_slot_stores_free(a->slot_stores);
        free(a->slot_stores);
        a->slot_stores = NULL;
    }
    if (!a->funcs) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        tl_func_facts *ff = &a->funcs[fi];
        for (int id = 0; id < ff->ncalls; id++) free(ff->calls[id].argv);
        free(ff->calls);
        free(ff->returns_via);
    }
    free(a->funcs);
    a->funcs = NULL;
    for (int k = 0; a->annot_models && k < a->tu->nannots; k++) free(a->annot_models[k]);
    free(a->annot_models);
    a->annot_models = NULL;
    tl_str_map_free(&a->annot_index);
    tl_str_map_free(&a->fd_globals);
}

void tl_analysis_keep_values(const tl_analysis *a, tl_tu *tu) {
    for (int fi = 0; fi < tu->nfuncs; fi++) {
        tl_func *f = &tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        if (f->call_values) continue;
        f->call_values = tl_xcalloc((size_t)f->ncalls + 1, sizeof *f->call_values);
        f->values_incomplete = ff->constprop_incomplete;
        for (int id = 0; id < ff->ncalls && id < f->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            tl_call_values *cv = &f->call_values[id];
            cv->reached = cf->reached;
            cv->nargs = cf->instr ? cf->instr->call.nargs : 0;
            cv->argv = tl_xcalloc((size_t)cv->nargs + 1, sizeof *cv->argv);
            for (int k = 0; k < cv->nargs; k++) {
                cv->argv[k].kind = (unsigned char)cf->argv[k].kind;
                cv->argv[k].v = cf->argv[k].v;
                cv->argv[k].via_var = cf->argv[k].via_var;
            }
        }
    }
}
