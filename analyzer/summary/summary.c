/* summary.c - condensing an analysed TU into per-function summaries
 * (see summary.h).  One pass over each function's instructions; the
 * per-parameter questions (what happens to a handle, where a deadline goes)
 * are answered flow-insensitively over the parameter and the locals that
 * copy it, which is what a caller in another file can rely on. */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dataflow/cycles.h"
#include "../dataflow/fork_branch.h"
#include "../dataflow/must_post.h"
#include "../dataflow/sinks.h"
#include "../dataflow/stop_params.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"
#include "../../rules/cancel_bound.h"
#include "../../rules/event_loop.h"
#include "../../rules/inflight.h"

/* ---- interning (file, library and model names) ---- */

const char *tl_tu_summary_intern(tl_tu_summary *s, const char *str) {
    if (!str) return NULL;
    size_t at;
    if (tl_strmap_get(&s->string_index, str, &at)) return s->strings[at];
    s->strings = tl_xgrow(s->strings, s->nstrings, &s->capstrings, sizeof *s->strings);
    s->strings[s->nstrings] = tl_xstrdup(str);
    if (tl_strmap_put(&s->string_index, s->strings[s->nstrings], (size_t)s->nstrings) != 0) {
        fprintf(stderr, "tasklint: out of memory\n");
        exit(2);
    }
    return s->strings[s->nstrings++];
}

typedef struct {
    tl_tu_summary *s;
} interner;

static const char *intern(interner *in, const char *str) {
    return tl_tu_summary_intern(in->s, str);
}

static tl_loc loc_copy(interner *in, tl_loc l) {
    l.file = intern(in, l.file);
    return l;
}

static char *dup_or_null(const char *s) {
    return s ? tl_xstrdup(s) : NULL;
}

/* ---- expressions ---- */

/* The variable an argument designates as an object: t, &t, *t, (cast)t. */
static int object_var(const tl_expr *e) {
    while (e && (e->kind == TL_E_CAST || e->kind == TL_E_ADDR || e->kind == TL_E_DEREF) && e->nkids == 1)
        e = e->kids[0];
    return e && e->kind == TL_E_VAR ? e->var : -1;
}

/* The slot (global or field) an out-pointer or handle expression designates:
 * &g, g, &s->t, s.t, *&...  Returns its USR and name, or NULL. */
static const char *slot_of(const tl_func *f, const tl_expr *e, const char **name) {
    while (e && (e->kind == TL_E_CAST || e->kind == TL_E_ADDR || e->kind == TL_E_DEREF) && e->nkids == 1)
        e = e->kids[0];
    if (!e) return NULL;
    if (e->kind == TL_E_MEMBER && e->usr) {
        *name = e->name;
        return e->usr;
    }
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars && f->vars[e->var].usr) {
        *name = f->vars[e->var].name;
        return f->vars[e->var].usr;
    }
    return NULL;
}

/* What a callee expression or a registered argument refers to. */
static tl_ref ref_of(const tl_func *f, const tl_expr *e) {
    tl_ref r = {TL_REF_NONE, NULL, NULL, -1};
    while (e && (e->kind == TL_E_CAST || e->kind == TL_E_ADDR || e->kind == TL_E_DEREF) && e->nkids == 1)
        e = e->kids[0];
    if (!e) return r;
    if (e->kind == TL_E_FUNC && e->usr) {
        r.kind = TL_REF_FUNC;
        r.usr = tl_xstrdup(e->usr);
        r.name = tl_xstrdup(e->name ? e->name : "");
    } else if (e->kind == TL_E_MEMBER && e->usr) {
        r.kind = TL_REF_FIELD;
        r.usr = tl_xstrdup(e->usr);
        r.name = tl_xstrdup(e->name ? e->name : "");
    } else if (e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars) {
        const tl_var *v = &f->vars[e->var];
        if (v->kind == TL_VAR_PARAM && e->var < f->nparams) {
            r.kind = TL_REF_PARAM;
            r.param = e->var;
            r.name = tl_xstrdup(v->name);
        } else if (v->usr) {
            r.kind = TL_REF_GLOBAL;
            r.usr = tl_xstrdup(v->usr);
            r.name = tl_xstrdup(v->name);
        }
    }
    return r;
}

static bool is_local(tl_var_kind k) {
    return k == TL_VAR_LOCAL || k == TL_VAR_TEMP;
}

/* Add `effect` to every parameter whose value (or a local copy of it) the
 * expression reads - not under a call result, which is a new value. */
static void mark_params(const tl_expr *e, const int *copy_of, int nvars, tl_sum_param *params, unsigned effect) {
    if (!e) return;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < nvars && copy_of[e->var] >= 0)
        params[copy_of[e->var]].effects |= effect;
    for (int i = 0; i < e->nkids; i++) mark_params(e->kids[i], copy_of, nvars, params, effect);
}

/* ---- per function ---- */

typedef struct {
    const tl_analysis *a;
    int fi;
    const tl_func *f;
    const tl_func_facts *ff;
    tl_func_summary *out;
    interner *in;
    int *call_index; /* call id -> index in out->calls, -1 when not kept */
    bool *cancel_bounded; /* call id -> cancel-bounded coroutine spawn, or NULL */
    bool *unbounded;      /* block -> lies in an unbounded loop (rules/event_loop.h) */
    bool *returned;       /* call id -> its result is returned at once (result_returned) */
    bool *on_cycle;       /* block -> lies on a cycle of the CFG (in_loop) */
    tl_field_guard (*fguards)[TL_FIELD_GUARDS_MAX]; /* call id -> field guards (nfguards) */
    int *nfguards;
    int *reg_call;        /* reg index -> its spawn entry call id, -1 another registration */
    int caps_reg_call;
    int caps_calls, caps_regs, caps_passes, caps_deadlines, caps_slots;
} extractor;

static void add_reg(extractor *x, tl_ref target, tl_context_kind ctx, bool readiness, const tl_fn_model *m,
                    tl_loc loc) {
    if (target.kind == TL_REF_NONE || ctx == TL_CTX_NONE) {
        free(target.usr);
        free(target.name);
        return;
    }
    tl_func_summary *o = x->out;
    o->regs = tl_xgrow(o->regs, o->nregs, &x->caps_regs, sizeof *o->regs);
    tl_sum_reg *r = &o->regs[o->nregs++];
    r->target = target;
    r->context = ctx;
    r->readiness = readiness;
    r->cancel_bounded = false;
    r->fresh_args = 0;
    r->nshares = 0;
    x->reg_call = tl_xgrow(x->reg_call, o->nregs - 1, &x->caps_reg_call, sizeof *x->reg_call);
    x->reg_call[o->nregs - 1] = -1;
    r->library = intern(x->in, m->library);
    r->via = intern(x->in, m->name);
    r->loc = loc_copy(x->in, loc);
}

static void add_slot(extractor *x, const char *usr, const char *name, bool spawn, const char *how,
                     const tl_fn_model *m, tl_loc loc) {
    tl_func_summary *o = x->out;
    o->slots = tl_xgrow(o->slots, o->nslots, &x->caps_slots, sizeof *o->slots);
    tl_sum_slot *s = &o->slots[o->nslots++];
    s->slot_usr = tl_xstrdup(usr);
    s->slot_name = tl_xstrdup(name ? name : "");
    s->spawn = spawn;
    s->how = intern(x->in, how);
    s->pass_call = s->pass_arg = -1;
    s->task = intern(x->in, spawn && m ? (m->spawn.task ? m->spawn.task : "task") : NULL);
    s->library = intern(x->in, m ? m->library : NULL);
    s->loc = loc_copy(x->in, loc);
    s->self = false;
}

/* Every call is kept: the link phase needs direct calls for the call graph,
 * indirect ones for field resolution, modelled ones for blocking. */
static void extract_call(extractor *x, const tl_call_facts *cf) {
    const tl_instr *in = cf->instr;
    const tl_call *c = &in->call;
    tl_func_summary *o = x->out;
    o->calls = tl_xgrow(o->calls, o->ncalls, &x->caps_calls, sizeof *o->calls);
    x->call_index[c->id] = o->ncalls;
    tl_sum_call *sc = &o->calls[o->ncalls++];
    memset(sc, 0, sizeof *sc);
    if (c->callee) {
        sc->target.kind = c->callee_usr ? TL_REF_FUNC : TL_REF_NONE;
        sc->target.usr = dup_or_null(c->callee_usr);
        sc->target.name = tl_xstrdup(c->callee);
        sc->target.param = -1;
    } else {
        sc->target = ref_of(x->f, c->fn);
    }
    sc->loc = loc_copy(x->in, in->loc);
    char buf[96];
    sc->spelling = tl_xstrdup(tl_call_user_name(c, buf, sizeof buf));
    /* a library's function (listed, or in its namespace) is judged by its
       model, never by its implementation */
    sc->modelled = cf->model != NULL || (c->callee && tl_models_namespace(x->a->models, c->callee));
    /* a call on a dying path (exit, abort after it) or that only a fork's
       child runs passes no blocking on */
    sc->nonblocking = (cf->model && cf->model->nonblocking) || cf->dying || cf->in_fork_child;
    sc->blocks = tl_call_blocks_in(cf, false);
    sc->blocks_unless_ready = tl_call_blocks_in(cf, true);
    sc->spawn_entry = c->is_spawn_entry;
    sc->passes_param = cf->passes_param;
    sc->fd_file = cf->fd_file;
    sc->guard_nz = cf->guard_nz;
    sc->guard_z = cf->guard_z;
    sc->in_unbounded_loop = !sc->modelled && cf->block >= 0 && cf->block < x->f->nblocks &&
                            x->unbounded[cf->block];
    sc->result_returned = x->returned && c->id >= 0 && c->id < x->ff->ncalls && x->returned[c->id];
    sc->in_loop = x->on_cycle && cf->block >= 0 && cf->block < x->f->nblocks && x->on_cycle[cf->block];
    if (x->nfguards && c->id >= 0 && c->id < x->f->ncalls)
        for (int k = 0; k < x->nfguards[c->id]; k++) {
            tl_field_guard g = x->fguards[c->id][k];
            g.field_usr = intern(x->in, g.field_usr);
            sc->fguards[sc->nfguards++] = g;
        }
    sc->nchild_of = 0;
    char key[300];
    bool is_static;
    const tl_fn_model *m = cf->model;
    if (m && m->blocking.present && m->blocking.fd_io && m->blocking.fd_arg >= 0 && m->blocking.fd_arg < c->nargs &&
        tl_fdstate_slot_key(x->f, c->args[m->blocking.fd_arg], key, sizeof key, &is_static))
        sc->fd_slot = tl_xstrdup(key);
    sc->nargs = c->nargs;
    sc->args = tl_xcalloc((size_t)c->nargs + 1, sizeof *sc->args);
    for (int i = 0; i < c->nargs; i++) {
        tl_sum_arg *sa = &sc->args[i];
        sa->value = cf->argv ? cf->argv[i] : (tl_cval){TL_CV_UNKNOWN, 0, -1};
        sa->param = -1;
        const tl_expr *e = tl_expr_uncast(c->args[i]);
        if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < x->f->nparams) sa->param = e->var;
        if (sa->param >= 0 && sa->param < 32 && i < 32 && ((x->ff->stable_params >> sa->param) & 1u)) sc->guard_pass |= 1u << i;
        const tl_expr *fe = e;
        while (fe && fe->kind == TL_E_ADDR && fe->nkids == 1) fe = tl_expr_uncast(fe->kids[0]);
        if (fe && fe->kind == TL_E_FUNC && fe->usr) {
            sa->fn_usr = tl_xstrdup(fe->usr);
            sa->fn_name = tl_xstrdup(fe->name ? fe->name : "");
        }
    }
}

/* Registrations: spawn entries (go() expansion entry calls, entry_arg) and
 * callback facets. */
static void extract_regs(extractor *x, const tl_call_facts *cf) {
    const tl_instr *in = cf->instr;
    const tl_call *c = &in->call;
    const tl_func_facts *ff = x->ff;
    if (c->is_spawn_entry && c->spawn_call >= 0 && c->spawn_call < ff->ncalls) {
        const tl_call_facts *sp = &ff->calls[c->spawn_call];
        if (sp->model && sp->model->spawn.present && c->callee_usr) {
            tl_ref r = {TL_REF_FUNC, tl_xstrdup(c->callee_usr), tl_xstrdup(c->callee ? c->callee : ""), -1};
            int before = x->out->nregs;
            add_reg(x, r, sp->model->spawn.context, false, sp->model, sp->instr->loc);
            if (x->cancel_bounded && x->cancel_bounded[c->spawn_call] && x->out->nregs > before)
                x->out->regs[x->out->nregs - 1].cancel_bounded = true;
            if (x->out->nregs > before) {
                x->out->regs[x->out->nregs - 1].fresh_args = cf->fresh_args;
                x->reg_call = tl_xgrow(x->reg_call, x->out->nregs - 1, &x->caps_reg_call, sizeof *x->reg_call);
                x->reg_call[x->out->nregs - 1] = c->id;
            }
        }
    }
    const tl_fn_model *m = cf->model;
    if (!m) return;
    if (m->spawn.present && m->spawn.entry_arg >= 0 && m->spawn.entry_arg < c->nargs) {
        int before = x->out->nregs;
        add_reg(x, ref_of(x->f, c->args[m->spawn.entry_arg]), m->spawn.context, false, m, in->loc);
        if (x->cancel_bounded && x->cancel_bounded[c->id] && x->out->nregs > before)
            x->out->regs[x->out->nregs - 1].cancel_bounded = true;
    }
    if (m->callback.present)
        for (int k = 0; k < m->callback.nargs; k++)
            if (m->callback.args[k] < c->nargs)
                add_reg(x, ref_of(x->f, c->args[m->callback.args[k]]), m->callback.context,
                        tl_call_registers_readiness(cf), m, in->loc);
}

/* Handle slots outside the stack: spawns into a global or a field, and
 * releases of one. */
static void extract_slots(extractor *x, const tl_call_facts *cf) {
    const tl_call *c = &cf->instr->call;
    const tl_fn_model *m = cf->model;
    const char *name = NULL, *usr;
    if (!m) {
        /* a slot handed to a program function: what that function does with
           it decides (stop_worker(&g_thread) joins it) */
        if (!c->callee_usr) return;
        for (int k = 0; k < c->nargs; k++)
            if ((usr = slot_of(x->f, c->args[k], &name))) {
                add_slot(x, usr, name, false, NULL, NULL, cf->instr->loc);
                x->out->slots[x->out->nslots - 1].pass_call = x->call_index[c->id];
                x->out->slots[x->out->nslots - 1].pass_arg = k;
            }
        return;
    }
    if (m->spawn.present && m->spawn.where == TL_HANDLE_OUT_ARG && m->spawn.handle_arg >= 0 &&
        m->spawn.handle_arg < c->nargs && (usr = slot_of(x->f, c->args[m->spawn.handle_arg], &name)))
        add_slot(x, usr, name, true, NULL, m, cf->instr->loc);
    if (m->release.present && m->release.arg >= 0 && m->release.arg < c->nargs &&
        (usr = slot_of(x->f, c->args[m->release.arg], &name)))
        add_slot(x, usr, name, false, m->release.how ? m->release.how : "release", m, cf->instr->loc);
}

/* Stores of the task's own handle into a global or a field (`td->pid =
 * getpid()`, a self_handle call's result stored directly): one walk of the
 * function's instructions. */
static void extract_self_stores(extractor *x) {
    const tl_func *f = x->f;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            const tl_expr *v = in->kind == TL_I_STORE || in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
            if (!v || v->kind != TL_E_CALLRES || v->call_id < 0 || v->call_id >= x->ff->ncalls) continue;
            const tl_call_facts *cf = &x->ff->calls[v->call_id];
            const tl_fn_model *m = cf->model;
            if (!cf->instr || !cf->reached || !m || !m->self_handle.present) continue;
            const char *name = NULL, *usr = NULL;
            if (in->kind == TL_I_STORE)
                usr = slot_of(f, in->target, &name);
            else if (in->var >= 0 && in->var < f->nvars && f->vars[in->var].usr &&
                     (f->vars[in->var].kind == TL_VAR_GLOBAL || f->vars[in->var].kind == TL_VAR_STATIC))
                usr = f->vars[in->var].usr, name = f->vars[in->var].name;
            if (!usr) continue;
            add_slot(x, usr, name, false, NULL, m, in->loc);
            tl_sum_slot *s = &x->out->slots[x->out->nslots - 1];
            s->self = true;
            s->task = intern(x->in, m->self_handle.task);
        }
}

/* The spawn call whose handle an expression holds: a spawn result, or a
 * local the spawn wrote (out-pointer) or that was assigned a spawn result. */
static const tl_call_facts *spawn_of_value(extractor *x, const tl_expr *e, const int *spawn_in_var) {
    e = tl_expr_uncast(e);
    if (!e) return NULL;
    if (e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < x->ff->ncalls) {
        const tl_call_facts *cf = &x->ff->calls[e->call_id];
        if (cf->model && cf->model->spawn.present && cf->model->spawn.where == TL_HANDLE_RESULT) return cf;
        return NULL;
    }
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < x->f->nvars && spawn_in_var[e->var] >= 0)
        return &x->ff->calls[spawn_in_var[e->var]];
    return NULL;
}

/* A spawn's handle written through variable v: when v is a parameter, or a
 * local copy of one, that neither is reassigned, the caller's out-pointer
 * receives it and the function is a spawn for its callers (TL_PE_SPAWN_OUT). */
static bool note_spawn_out(extractor *x, const tl_func *f, int v, const int *copy_of, const bool *reassigned,
                           const tl_call_facts *sp) {
    if (v < 0 || v >= f->nvars || copy_of[v] < 0 || reassigned[copy_of[v]] || (v != copy_of[v] && reassigned[v]))
        return false;
    tl_func_summary *o = x->out;
    o->params[copy_of[v]].effects |= TL_PE_SPAWN_OUT;
    /* the caller's attributes handed on to the spawn (`pthread_create(tid,
       attr, ...)` with attr a parameter): its detach state is the caller's */
    const tl_call *sc = &sp->instr->call;
    int aa = sp->model->spawn.attr_arg;
    const tl_expr *ae = aa >= 0 && aa < sc->nargs ? tl_expr_uncast(sc->args[aa]) : NULL;
    if (ae && ae->kind == TL_E_VAR && ae->var >= 0 && ae->var < f->nvars && copy_of[ae->var] >= 0 &&
        !reassigned[copy_of[ae->var]] && (ae->var == copy_of[ae->var] || !reassigned[ae->var]))
        o->params[copy_of[ae->var]].effects |= TL_PE_SPAWN_ATTR;
    if (!o->spawn_model) {
        o->spawn_model = intern(x->in, sp->model->name);
        o->spawn_loc = loc_copy(x->in, sp->instr->loc);
    }
    return true;
}

/* An await on e: a global's work (its USR noted), or work on an object
 * reached through a parameter (`td->ring`, `&p->ring`). */
static void note_await(extractor *x, const tl_expr *e, const int *copy_of, tl_func_summary *o) {
    const tl_func *f = x->f;
    int v = object_var(e);
    if (v >= 0 && v < f->nvars) {
        const tl_var *g = &f->vars[v];
        if (g->kind != TL_VAR_GLOBAL || !g->usr || o->nawait_globals >= TL_SUM_MAX_AWAIT_GLOBALS) return;
        const char *usr = intern(x->in, g->usr);
        for (int i = 0; i < o->nawait_globals; i++)
            if (o->await_globals[i] == usr) return;
        if (!o->await_globals)
            o->await_globals = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *o->await_globals);
        o->await_globals[o->nawait_globals++] = usr;
        return;
    }
    while (e && (e->kind == TL_E_CAST || e->kind == TL_E_ADDR || e->kind == TL_E_DEREF ||
                 e->kind == TL_E_MEMBER || e->kind == TL_E_INDEX) && e->nkids >= 1)
        e = e->kids[0];
    if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars && copy_of[e->var] >= 0)
        o->params[copy_of[e->var]].effects |= TL_PE_AWAIT_REACH;
}

/* The arguments spawn entries share with earlier spawns (sinks.h). */
static void extract_shares(extractor *x) {
    tl_func_summary *o = x->out;
    int n = 0;
    int *calls = tl_xmalloc(((size_t)o->nregs + 1) * sizeof *calls);
    for (int i = 0; i < o->nregs; i++)
        if (x->reg_call[i] >= 0) calls[n++] = x->reg_call[i];
    int maxsh = n * TL_SUM_SHARES_MAX;
    tl_spawn_share *sh = tl_xmalloc(((size_t)maxsh + 1) * sizeof *sh);
    int ns = n >= 2 ? tl_spawn_shares(x->a, x->fi, calls, n, sh, maxsh) : 0;
    /* call id -> registration index (spawn entry calls are distinct) */
    int *reg_of = tl_xmalloc(((size_t)x->ff->ncalls + 1) * sizeof *reg_of);
    for (int i = 0; i < x->ff->ncalls; i++) reg_of[i] = -1;
    for (int i = 0; i < o->nregs; i++)
        if (x->reg_call[i] >= 0 && x->reg_call[i] < x->ff->ncalls) reg_of[x->reg_call[i]] = i;
    for (int s = 0; s < ns; s++) {
        int ri = reg_of[sh[s].call], ro = reg_of[sh[s].other];
        /* the wire keeps shares with earlier registrations, small indices */
        if (ri < 0 || ro < 0 || ro >= ri || ro > 255 || sh[s].arg > 255 || sh[s].other_arg > 255) continue;
        tl_sum_reg *r = &o->regs[ri];
        if (r->nshares < TL_SUM_SHARES_MAX)
            r->shares[r->nshares++] = (tl_sum_share){(unsigned char)sh[s].arg, (unsigned char)ro,
                                                     (unsigned char)sh[s].other_arg};
    }
    free(reg_of);
    free(sh);
    free(calls);
}

static void extract_function(extractor *x) {
    const tl_func *f = x->f;
    const tl_func_facts *ff = x->ff;
    tl_func_summary *o = x->out;
    o->usr = tl_xstrdup(f->usr ? f->usr : f->name);
    o->name = tl_xstrdup(f->name);
    o->loc = loc_copy(x->in, f->loc);
    o->is_static = f->is_static;
    o->returns_pointer = f->returns_pointer;
    o->returns_bool = f->returns_bool;
    o->in_header = f->in_header;
    o->params_nonblocking = ff->params_nonblocking;
    o->params_moded = ff->params_moded;
    o->params_if = ff->params_if;
    o->returns_if = ff->returns_if;
    if (!(o->returns_if.ok[0] | o->returns_if.ok[1])) /* (nothing holds: none, as the wire reads it) */
        memset(&o->returns_if, 0, sizeof o->returns_if);
    o->nparams = f->nparams;
    o->params = tl_xcalloc((size_t)f->nparams + 1, sizeof *o->params);
    x->call_index = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *x->call_index);
    for (int i = 0; i < ff->ncalls; i++) x->call_index[i] = -1;
    x->cancel_bounded = tl_cancel_bounded_spawns(x->a, x->fi);
    x->unbounded = tl_xcalloc((size_t)f->nblocks + 1, sizeof *x->unbounded);
    tl_event_loop_unbounded_blocks(x->a, x->fi, x->unbounded);
    x->returned = tl_func_results_returned(f, ff->ncalls);
    x->on_cycle = tl_blocks_on_cycles(f);
    if (f->ncalls > 0 && f->ncalls == ff->ncalls) {
        x->fguards = tl_xmalloc((size_t)f->ncalls * sizeof *x->fguards);
        x->nfguards = tl_xmalloc((size_t)f->ncalls * sizeof *x->nfguards);
        tl_field_guards(f, x->fguards, x->nfguards);
    }


    /* locals that copy a parameter (flow-insensitive), per parameter, and
       parameters that are reassigned (their deadline is not the caller's) */
    int nv = f->nvars;
    int *copy_of = tl_xmalloc(((size_t)nv + 1) * sizeof *copy_of);
    int *spawn_in_var = tl_xmalloc(((size_t)nv + 1) * sizeof *spawn_in_var);
    bool *reassigned = tl_xcalloc((size_t)nv + 1, sizeof *reassigned);
    for (int v = 0; v < nv; v++) copy_of[v] = v < f->nparams ? v : -1, spawn_in_var[v] = -1;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= nv) continue;
            if (in->var < f->nparams) reassigned[in->var] = true;
            int src = object_var(tl_expr_uncast(in->value));
            const tl_expr *sv = tl_expr_uncast(in->value);
            if (sv && sv->kind == TL_E_VAR && src >= 0 && copy_of[src] >= 0 && in->var >= f->nparams &&
                is_local(f->vars[in->var].kind))
                copy_of[in->var] = copy_of[src];
        }

    extract_self_stores(x);
    o->sink_params = tl_sink_params(x->a, x->fi);
    o->stop_params = tl_stop_params(x->a, x->fi);
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->reached) continue;
        extract_call(x, cf);
        extract_regs(x, cf);
        extract_slots(x, cf);
        const tl_fn_model *m = cf->model;
        const tl_call *c = &cf->instr->call;
        if (m && m->await.present && !m->reap.observes && m->await.arg >= 0 && m->await.arg < c->nargs)
            note_await(x, c->args[m->await.arg], copy_of, o);
        /* a spawn's out-pointer handle lands in a local: remember which */
        if (m && m->spawn.present && m->spawn.where == TL_HANDLE_OUT_ARG && m->spawn.handle_arg >= 0 &&
            m->spawn.handle_arg < c->nargs) {
            const tl_expr *h = tl_expr_uncast(c->args[m->spawn.handle_arg]);
            if (h && h->kind == TL_E_ADDR && h->nkids == 1) {
                int v = object_var(h->kids[0]);
                if (v >= 0 && v < nv && h->kids[0]->kind == TL_E_VAR) spawn_in_var[v] = id;
            } else if (h && h->kind == TL_E_VAR && h->var >= 0 && h->var < nv &&
                       is_local(f->vars[h->var].kind)) {
                spawn_in_var[h->var] = id; /* a pointer to the handle: t = malloc(...) */
            } else if (h && h->kind == TL_E_VAR) { /* the caller's out-pointer itself */
                note_spawn_out(x, f, h->var, copy_of, reassigned, cf);
            }
        }
        /* what happens to parameters passed to this call */
        for (int k = 0; k < c->nargs; k++) {
            int v = object_var(c->args[k]);
            if (v < 0 || v >= nv || copy_of[v] < 0) continue;
            int p = copy_of[v];
            tl_sum_param *sp = &o->params[p];
            if (m) {
                unsigned before = sp->effects;
                if (m->release.present && m->release.arg == k) {
                    sp->effects |= TL_PE_RELEASE;
                    sp->release_how = intern(x->in, m->release.how ? m->release.how : "release");
                }
                if (m->await.present && !m->reap.observes && m->await.arg == k) sp->effects |= TL_PE_AWAIT;
                if (m->teardown.present && m->teardown.arg == k) sp->effects |= TL_PE_TEARDOWN;
                bool is_deadline = m->wait.present && m->wait.timeout_arg == k;
                if (sp->effects == before && !is_deadline) sp->effects |= TL_PE_BORROW;
                if ((m->part_of.present && m->part_of.arg == k) ||
                    (m->start.present && m->start.arg == k) ||
                    (m->prepare.present && m->prepare.arg == k))
                    sp->effects |= TL_PE_PREPARE; /* besides its borrow */
                if (m->wait.present && m->wait.timeout_arg == k && !reassigned[p] && v == p) {
                    o->deadlines = tl_xgrow(o->deadlines, o->ndeadlines, &x->caps_deadlines, sizeof *o->deadlines);
                    tl_sum_deadline *d = &o->deadlines[o->ndeadlines++];
                    d->param = p;
                    d->call = x->call_index[id];
                    d->kind = m->wait.kind;
                    /* the kind under this call's constant arguments (poll on one fd: a peer) */
                    if (m->wait.has_kind_if && m->wait.kind_if_arg < c->nargs && cf->argv &&
                        cf->argv[m->wait.kind_if_arg].kind == TL_CV_INT &&
                        cf->argv[m->wait.kind_if_arg].v == m->wait.kind_if_value)
                        d->kind = m->wait.kind_if_kind;
                    d->nforever = m->wait.nforever;
                    memcpy(d->forever, m->wait.forever, sizeof d->forever);
                }
            } else if (c->callee_system || (c->callee && tl_models_namespace(x->a->models, c->callee))) {
                /* libc and a modelled library's namespace: what releases a
                   handle there is modelled */
                sp->effects |= TL_PE_BORROW;
            } else if (c->callee_usr) {
                sp->effects |= TL_PE_PASS;
                if (v == p || !reassigned[p]) {
                    o->passes = tl_xgrow(o->passes, o->npasses, &x->caps_passes, sizeof *o->passes);
                    o->passes[o->npasses++] = (tl_sum_pass){p, x->call_index[id], k};
                }
            } else {
                sp->effects |= TL_PE_ESCAPE;
            }
        }
    }
    /* stores and returns of parameters; spawn results kept in locals */
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            switch (in->kind) {
            case TL_I_ASSIGN: {
                if (in->var < 0 || in->var >= nv) break;
                const tl_call_facts *sp = spawn_of_value(x, in->value, spawn_in_var);
                if (is_local(f->vars[in->var].kind)) {
                    if (sp) spawn_in_var[in->var] = (int)(sp - ff->calls);
                    break;
                }
                /* a global or static assigned from a parameter: stored */
                mark_params(in->value, copy_of, nv, o->params, TL_PE_STORE);
                if (sp && f->vars[in->var].usr) /* g = go(...) */
                    add_slot(x, f->vars[in->var].usr, f->vars[in->var].name, true, NULL, sp->model,
                             sp->instr->loc);
                break;
            }
            case TL_I_STORE: {
                mark_params(in->value, copy_of, nv, o->params, TL_PE_STORE);
                const tl_call_facts *sp = spawn_of_value(x, in->value, spawn_in_var);
                const char *name = NULL, *usr;
                const tl_expr *t = tl_expr_uncast(in->target);
                bool out = sp && t && t->kind == TL_E_DEREF && t->nkids == 1 && (t = tl_expr_uncast(t->kids[0])) &&
                           t->kind == TL_E_VAR && note_spawn_out(x, f, t->var, copy_of, reassigned, sp);
                if (!out && sp && (usr = slot_of(f, in->target, &name))) /* s->h = go(...); *out: above */
                    add_slot(x, usr, name, true, NULL, sp->model, sp->instr->loc);
                break;
            }
            case TL_I_RETURN: {
                if (!in->value) break;
                mark_params(in->value, copy_of, nv, o->params, TL_PE_RETURN);
                const tl_call_facts *sp = spawn_of_value(x, in->value, spawn_in_var);
                if (sp && !o->returns_handle) {
                    o->returns_handle = true;
                    o->spawn_model = intern(x->in, sp->model->name);
                    o->spawn_loc = loc_copy(x->in, sp->instr->loc);
                }
                break;
            }
            default:
                break;
            }
        }
    /* calls in the child's branch of a possible fork wrapper */
    int *child_of = tl_fork_child_of(f, ff);
    for (int id = 0; child_of && id < ff->ncalls; id++) {
        int at = x->call_index[id];
        for (int k = 0; at >= 0 && k < TL_FORK_CANDIDATES && k < TL_SUM_CHILD_OF_MAX; k++) {
            int cand = child_of[id * TL_FORK_CANDIDATES + k], of = cand >= 0 ? x->call_index[cand] : -1;
            if (of >= 0) o->calls[at].child_of[o->calls[at].nchild_of++] = of;
        }
    }
    free(child_of);
    /* the kinds of the operations prepared on a parameter's object (a
       helper that queues a receive, or only file reads, on the ring) */
    unsigned *prep_kinds = tl_xcalloc((size_t)nv + 1, sizeof *prep_kinds);
    int *fd_param = tl_xmalloc(((size_t)nv + 1) * sizeof *fd_param);
    for (int v = 0; v < nv; v++) fd_param[v] = -1;
    tl_inflight_prepared_kinds(x->a, x->fi, prep_kinds, fd_param);
    for (int v = 0; v < nv; v++) {
        if ((!prep_kinds[v] && fd_param[v] == -1) || copy_of[v] < 0) continue;
        unsigned *eff = &o->params[copy_of[v]].effects;
        int q = fd_param[v] >= 0 ? copy_of[fd_param[v]] : -1;
        if (q >= 0 && q < 255) /* I/O on the descriptor the caller passes in q */
            *eff |= TL_PE_PREP_FD | TL_PE_PREP_FD_BITS(q);
        else if (fd_param[v] != -1) /* several: any of them may be a socket */
            *eff |= TL_PE_PREP_PEER;
        if (prep_kinds[v] & TL_IF_PEER) *eff |= TL_PE_PREP_PEER;
        if (prep_kinds[v] & (TL_IF_COMPLETE | TL_IF_IMMEDIATE)) *eff |= TL_PE_PREP_DONE;
        if (prep_kinds[v] & TL_IF_OUTSIDE) *eff |= TL_PE_PREP_UNKNOWN;
    }
    free(prep_kinds);
    free(fd_param);
    /* the counting objects it posts on every returning path */
    tl_must_posts mp;
    tl_must_posts_compute(x->a, x->fi, &mp);
    for (int k = 0; k < f->nparams && k < 32; k++)
        if (mp.params & (1u << k)) o->params[k].effects |= TL_PE_POST;
    for (int i = 0; i < mp.nglobals && i < TL_SUM_MAX_AWAIT_GLOBALS; i++) {
        if (!o->post_globals) o->post_globals = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *o->post_globals);
        o->post_globals[o->npost_globals++] = intern(x->in, mp.globals[i]);
    }
    for (int i = 0; i < mp.nlocked && i < TL_SUM_MAX_AWAIT_GLOBALS; i++) {
        if (!o->locked_post_objects) {
            o->locked_post_objects = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *o->locked_post_objects);
            o->locked_post_mutexes = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *o->locked_post_mutexes);
            o->locked_post_params = tl_xcalloc(TL_SUM_MAX_AWAIT_GLOBALS, sizeof *o->locked_post_params);
        }
        o->locked_post_params[o->nlocked_posts] = mp.locked[i].param;
        o->locked_post_objects[o->nlocked_posts] = intern(x->in, mp.locked[i].object);
        o->locked_post_mutexes[o->nlocked_posts++] = intern(x->in, mp.locked[i].mutex);
    }
    extract_shares(x);
    free(copy_of);
    free(spawn_in_var);
    free(reassigned);
    free(x->call_index);
    x->call_index = NULL;
    free(x->cancel_bounded);
    x->cancel_bounded = NULL;
    free(x->unbounded);
    x->unbounded = NULL;
    free(x->returned);
    x->returned = NULL;
    free(x->on_cycle);
    x->on_cycle = NULL;
    free(x->fguards);
    x->fguards = NULL;
    free(x->nfguards);
    x->nfguards = NULL;
    free(x->reg_call);
    x->reg_call = NULL;
    x->caps_reg_call = 0;
}

/* The fields the TU's functions assign (tl_tu_summary.assigned_fields). */
static void assigned_fields(const tl_tu *tu, tl_tu_summary *out) {
    tl_str_map seen;
    tl_str_map_init(&seen);
    for (int fi = 0; fi < tu->nfuncs && !out->assigned_over; fi++) {
        const tl_func *f = &tu->funcs[fi];
        for (int b = 0; b < f->nblocks && !out->assigned_over; b++)
            for (int i = 0; i < f->blocks[b].ninstrs; i++) {
                const tl_instr *in = &f->blocks[b].instrs[i];
                if (in->kind != TL_I_STORE) continue;
                const tl_expr *t = tl_expr_uncast(in->target);
                if (!t || t->kind != TL_E_MEMBER || !t->usr || tl_str_map_get(&seen, t->usr) >= 0) continue;
                if (out->nassigned_fields >= TL_SUM_MAX_ASSIGNED_FIELDS) {
                    out->assigned_over = true;
                    break;
                }
                tl_str_map_set(&seen, t->usr, 1);
                out->assigned_fields = tl_xgrow(out->assigned_fields, out->nassigned_fields,
                                                &out->capassigned_fields, sizeof *out->assigned_fields);
                out->assigned_fields[out->nassigned_fields++] = tl_tu_summary_intern(out, t->usr);
            }
    }
    tl_str_map_free(&seen);
}

void tl_tu_summary_extract(const tl_analysis *a, tl_tu_summary *out) {
    memset(out, 0, sizeof *out);
    const tl_tu *tu = a->tu;
    out->main_file = tl_xstrdup(tu->main_file ? tu->main_file : "");
    interner in = {out};
    out->funcs = tl_xcalloc((size_t)tu->nfuncs + 1, sizeof *out->funcs);
    out->nfuncs = tu->nfuncs;
    bool *never = tl_analysis_never_returns(a);
    bool *selfrel = tl_analysis_self_releases(a);
    for (int fi = 0; fi < tu->nfuncs; fi++) {
        extractor x;
        memset(&x, 0, sizeof x);
        x.a = a;
        x.fi = fi;
        x.f = &tu->funcs[fi];
        x.ff = &a->funcs[fi];
        x.out = &out->funcs[fi];
        x.in = &in;
        extract_function(&x);
        out->funcs[fi].never_returns = never[fi];
        out->funcs[fi].self_releases = selfrel[fi];
    }
    free(never);
    free(selfrel);
    out->stores = tl_xcalloc((size_t)tu->nstores + 1, sizeof *out->stores);
    out->nstores = tu->nstores;
    for (int i = 0; i < tu->nstores; i++) {
        const tl_fn_store *s = &tu->stores[i];
        out->stores[i].slot_usr = tl_xstrdup(s->slot_usr);
        out->stores[i].slot_name = tl_xstrdup(s->slot_name);
        out->stores[i].fn_usr = tl_xstrdup(s->fn_usr);
        out->stores[i].fn_name = tl_xstrdup(s->fn_name);
        out->stores[i].loc = loc_copy(&in, s->loc);
        tl_fn_store_set_consts(&out->stores[i], s->consts, s->nconsts);
    }
    assigned_fields(tu, out);
    int nfd = a->slot_stores ? a->slot_stores->n : 0;
    out->fd_stores = tl_xcalloc((size_t)nfd + 1, sizeof *out->fd_stores);
    out->nfd_stores = nfd;
    for (int i = 0; i < nfd; i++) {
        const tl_slot_store *st = &a->slot_stores->v[i];
        out->fd_stores[i] = *st;
        out->fd_stores[i].key = tl_xstrdup(st->key);
        out->fd_stores[i].src = st->src ? tl_xstrdup(st->src) : NULL;
    }
}

static void free_ref(tl_ref *r) {
    free(r->usr);
    free(r->name);
}

void tl_tu_summary_free(tl_tu_summary *s) {
    for (int fi = 0; fi < s->nfuncs; fi++) {
        tl_func_summary *f = &s->funcs[fi];
        free(f->usr);
        free(f->name);
        free(f->params);
        for (int i = 0; i < f->ncalls; i++) {
            tl_sum_call *c = &f->calls[i];
            free_ref(&c->target);
            free(c->spelling);
            free(c->fd_slot);
            for (int k = 0; k < c->nargs; k++) {
                free(c->args[k].fn_usr);
                free(c->args[k].fn_name);
            }
            free(c->args);
        }
        free(f->calls);
        for (int i = 0; i < f->nregs; i++) free_ref(&f->regs[i].target);
        free(f->regs);
        free(f->passes);
        free(f->deadlines);
        free(f->await_globals);
        free(f->post_globals);
        free(f->locked_post_objects);
        free(f->locked_post_mutexes);
        free(f->locked_post_params);
        for (int i = 0; i < f->nslots; i++) {
            free(f->slots[i].slot_usr);
            free(f->slots[i].slot_name);
        }
        free(f->slots);
    }
    free(s->funcs);
    for (int i = 0; i < s->nstores; i++) {
        free(s->stores[i].slot_usr);
        free(s->stores[i].slot_name);
        free(s->stores[i].fn_usr);
        free(s->stores[i].fn_name);
        tl_fn_store_free_consts(&s->stores[i]);
    }
    free(s->stores);
    for (int i = 0; i < s->nfd_stores; i++) {
        free(s->fd_stores[i].key);
        free(s->fd_stores[i].src);
    }
    free(s->fd_stores);
    free(s->assigned_fields);
    for (int i = 0; i < s->nstrings; i++) free(s->strings[i]);
    free(s->strings);
    tl_strmap_free(&s->string_index);
    free(s->main_file);
    memset(s, 0, sizeof *s);
}
