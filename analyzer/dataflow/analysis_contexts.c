/* analysis_contexts.c - the async contexts of a TU's functions (step 3 of
 * analysis.c): which function runs as a coroutine, a loop callback or a
 * thread entry, and for a readiness callback the parameter (or field) its
 * ready descriptor arrives in.  From the spawns and callback registrations
 * of the TU, the contexts the whole program decided (analyzer/program), and
 * the contexts declared in the source.  tl_analysis_run() calls the two
 * entry points declared in analysis_internal.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "analysis_internal.h"
#include "../program/program.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"

/* ---- async contexts ---- */

static int context_rank(tl_context_kind k) {
    switch (k) {
    case TL_CTX_COROUTINE:
    case TL_CTX_LOOP_CALLBACK: return 2;
    case TL_CTX_THREAD: return 1;
    default: return 0;
    }
}

static int func_of_arg(const tl_expr *e) {
    while (e && (e->kind == TL_E_CAST || e->kind == TL_E_ADDR) && e->nkids) e = e->kids[0];
    return e && e->kind == TL_E_FUNC ? e->func : -1;
}


/* The parameter a readiness callback registered with model m (by name, for
 * a context found program-wide) receives its ready descriptor in. */
static int ready_param_of(const tl_fn_model *m) {
    return m && m->callback.readiness ? m->callback.ready_param : -1;
}

/* The callback's parameter its loop never passes NULL (callback.handle_param). */
static int handle_param_of(const tl_fn_model *m) {
    return m && m->callback.present ? m->callback.handle_param : -1;
}

/* Its field holding the ready descriptor (callback.ready_field), or NULL. */
static const char *ready_field_of(const tl_fn_model *m) {
    return ready_param_of(m) >= 0 && m->callback.ready_field[0] ? m->callback.ready_field : NULL;
}

/* A function registered twice keeps a ready field only when both agree. */
static const char *same_field(const char *a, const char *b) {
    return a && b && !strcmp(a, b) ? a : NULL;
}

/* The same variable, or the same field of the same variable (casts aside)? */
static bool same_operand(const tl_expr *x, const tl_expr *y) {
    x = tl_expr_uncast(x);
    y = tl_expr_uncast(y);
    if (!x || !y || x->kind != y->kind) return false;
    if (x->kind == TL_E_VAR) return x->var == y->var;
    if (x->kind == TL_E_MEMBER)
        return x->usr && y->usr && !strcmp(x->usr, y->usr) && x->nkids == 1 && y->nkids == 1 &&
               same_operand(x->kids[0], y->kids[0]);
    return false;
}

/* The callback parameter a registration hands the loop it runs on (its data
 * argument the same operand as callback.loop_arg: event_new(base, fd, ev,
 * cb, base)), or -1. */
static int loop_param_of(const tl_fn_model *m, const tl_instr *in) {
    const tl_callback_facet *cb = m ? &m->callback : NULL;
    if (!cb || !cb->present || cb->loop_arg < 0 || cb->data_arg < 0 || cb->data_param < 0 || !in ||
        cb->loop_arg >= in->call.nargs || cb->data_arg >= in->call.nargs)
        return -1;
    return same_operand(in->call.args[cb->loop_arg], in->call.args[cb->data_arg]) ? cb->data_param : -1;
}

/* The callback parameter that receives the registered descriptor as user
 * data (callback.data_arg is the same operand as callback.fd_arg), or -1. */
static int ready_data_param_of(const tl_fn_model *m, const tl_instr *in) {
    const tl_callback_facet *cb = &m->callback;
    if (!cb->readiness || cb->data_param < 0 || cb->fd_arg < 0 || cb->data_arg < 0 ||
        cb->fd_arg >= in->call.nargs || cb->data_arg >= in->call.nargs)
        return -1;
    return same_operand(in->call.args[cb->fd_arg], in->call.args[cb->data_arg]) ? cb->data_param : -1;
}

static void set_context(tl_analysis *a, int fn, tl_context_kind kind, bool readiness,
                        const tl_fn_model *m, int from, const tl_instr *in) {
    if (fn < 0 || fn >= a->tu->nfuncs || kind == TL_CTX_NONE) return;
    tl_context_info *ci = &a->funcs[fn].context;
    int rp = readiness ? ready_param_of(m) : -1;
    int dp = readiness ? ready_data_param_of(m, in) : -1;
    if (context_rank(kind) < context_rank(ci->kind)) return;
    if (context_rank(kind) == context_rank(ci->kind)) {
        /* registered twice: it is a readiness callback only if always, on
           the same parameter */
        ci->readiness = ci->readiness && readiness;
        if (!ci->readiness || ci->ready_param != rp) ci->ready_param = -1;
        if (!ci->readiness || ci->ready_data_param != dp) ci->ready_data_param = -1;
        ci->ready_field = ci->ready_param >= 0 ? same_field(ci->ready_field, readiness ? ready_field_of(m) : NULL) : NULL;
        if (ci->handle_param != handle_param_of(m)) ci->handle_param = -1;
        if (ci->loop_param != loop_param_of(m, in)) ci->loop_param = -1;
        return;
    }
    ci->handle_param = handle_param_of(m);
    ci->loop_param = loop_param_of(m, in);
    ci->readiness = readiness;
    ci->ready_param = rp;
    ci->ready_data_param = dp;
    ci->ready_field = readiness ? ready_field_of(m) : NULL;
    ci->kind = kind;
    ci->library = m->library;
    ci->via = m->name;
    ci->from_func = from;
    ci->loc = in->loc;
}

/* Contexts the whole program decided (a callback registered in another
 * file, through a wrapper or a field) for functions of this TU. */
void tl_analysis_program_contexts(tl_analysis *a) {
    if (!a->program) return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        const tl_prog_context *pc = f->usr ? tl_program_context(a->program, f->usr) : NULL;
        if (!pc) continue;
        tl_context_info *ci = &a->funcs[fi].context;
        if (context_rank(pc->kind) < context_rank(ci->kind)) continue;
        const tl_fn_model *hm = pc->via ? tl_models_find(a->models, pc->via) : NULL;
        const tl_fn_model *vm = pc->readiness ? hm : NULL;
        int rp = ready_param_of(vm);
        if (context_rank(pc->kind) == context_rank(ci->kind) && ci->kind != TL_CTX_NONE) {
            ci->readiness = ci->readiness && pc->readiness;
            if (!ci->readiness || ci->ready_param != rp) ci->ready_param = -1;
            if (!ci->readiness) ci->ready_data_param = -1; /* (else this TU's registration decided it) */
            ci->ready_field = ci->ready_param >= 0 ? same_field(ci->ready_field, ready_field_of(vm)) : NULL;
            if (ci->handle_param != handle_param_of(hm)) ci->handle_param = -1;
            continue; /* (loop_param: this TU's registration decided it) */
        }
        ci->handle_param = handle_param_of(hm);
        ci->loop_param = -1; /* (registered in another file: with what data is not known) */
        ci->kind = pc->kind;
        ci->readiness = pc->readiness;
        ci->ready_param = rp;
        ci->ready_field = ready_field_of(vm);
        ci->ready_data_param = -1;
        ci->library = pc->library;
        ci->via = pc->via;
        ci->wrapper = pc->wrapper;
        ci->from_func = -1;
        ci->in_func = pc->in_func;
        ci->loc = pc->loc;
    }
}

/* Functions stored into a field the models describe as a callback field
 * (ev_io.cb): by an assignment or an initializer anywhere in the TU. */
static void field_contexts(tl_analysis *a) {
    tl_str_map by_usr;
    bool built = false;
    for (int i = 0; i < a->tu->nstores; i++) {
        const tl_fn_store *st = &a->tu->stores[i];
        const tl_fn_model *m = tl_models_find_field(a->models, st->slot_usr);
        if (!m) continue;
        if (!built) {
            tl_str_map_init(&by_usr);
            for (int fi = 0; fi < a->tu->nfuncs; fi++)
                if (a->tu->funcs[fi].usr) tl_str_map_add(&by_usr, a->tu->funcs[fi].usr, fi);
            built = true;
        }
        int fn = st->fn_usr ? tl_str_map_get(&by_usr, st->fn_usr) : -1;
        if (fn < 0) continue;
        tl_context_info *ci = &a->funcs[fn].context;
        tl_context_kind kind = m->callback.context;
        if (kind == TL_CTX_NONE || context_rank(kind) < context_rank(ci->kind)) continue;
        if (context_rank(kind) == context_rank(ci->kind)) {
            ci->readiness = ci->readiness && m->callback.readiness;
            if (!ci->readiness || ci->ready_param != ready_param_of(m)) ci->ready_param = -1;
            ci->ready_field = ci->ready_param >= 0 ? same_field(ci->ready_field, ready_field_of(m)) : NULL;
            if (ci->handle_param != handle_param_of(m)) ci->handle_param = -1;
            ci->loop_param = -1;
            continue;
        }
        ci->handle_param = handle_param_of(m);
        ci->loop_param = -1;
        ci->kind = kind;
        ci->readiness = m->callback.readiness;
        ci->ready_param = ready_param_of(m);
        ci->ready_field = ready_field_of(m);
        ci->library = m->library;
        ci->via = m->name;
        ci->from_func = -1;
        ci->loc = st->loc;
    }
    if (built) tl_str_map_free(&by_usr);
}

/* Functions declared async in the source run as coroutines. */
static void declared_contexts(tl_analysis *a) {
    for (int fi = 0; fi < a->tu->nfuncs && a->tu->nannots; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        int k = tl_str_map_get(&a->annot_index, f->name);
        if (k < 0 || !(a->tu->annots[k].roles & TL_ROLE_ASYNC)) continue;
        tl_context_info *ci = &a->funcs[fi].context;
        ci->kind = TL_CTX_COROUTINE;
        ci->declared = a->tu->annots[k].text ? a->tu->annots[k].text : "tasklint::async";
        ci->via = ci->declared;
        ci->from_func = -1;
        ci->loc = f->loc;
    }
}

void tl_analysis_discover_contexts(tl_analysis *a) {
    declared_contexts(a);
    field_contexts(a);
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func_facts *ff = &a->funcs[fi];
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            const tl_instr *in = cf->instr;
            if (!in) continue;
            if (in->call.is_spawn_entry && in->call.spawn_call >= 0 && in->call.spawn_call < ff->ncalls) {
                const tl_call_facts *sp = &ff->calls[in->call.spawn_call];
                if (sp->model && sp->model->spawn.present)
                    set_context(a, in->call.callee_func, sp->model->spawn.context, false, sp->model, fi,
                                sp->instr);
            }
            const tl_fn_model *m = cf->model;
            if (!m) continue;
            if (m->spawn.present && m->spawn.entry_arg >= 0 && m->spawn.entry_arg < in->call.nargs)
                set_context(a, func_of_arg(in->call.args[m->spawn.entry_arg]), m->spawn.context, false, m,
                            fi, in);
            if (m->callback.present)
                for (int k = 0; k < m->callback.nargs; k++)
                    if (m->callback.args[k] < in->call.nargs)
                        set_context(a, func_of_arg(in->call.args[m->callback.args[k]]),
                                    m->callback.context, tl_call_registers_readiness(cf), m, fi, in);
        }
    }
}
