/* unawaited_reapers.c - objects reaped by a joined thread or a reaped child
 * (see unawaited_reapers.h).
 *
 * One pass over the function's calls finds the spawns: a thread spawn whose
 * entry (a function of the program, by its summary) awaits what its
 * parameter 0 is (the spawn's `data_arg`: `&ring`), what it reaches through
 * it (`&td`, whose fields the function stores object addresses into:
 * `td.ring = &ring`), or a global object the function starts work on; and
 * a fork (`child_if_zero`) when it is the function's only one, whose child
 * branch awaits objects (calls marked in_fork_child).  A second pass over
 * the stores resolves the `&td` case.  Pairs beyond TL_UT_MAX_REAPERS are
 * dropped (the work then stays pending: a finding, never a silence).
 */
#include "unawaited_reapers.h"

#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "../analyzer/program/program.h"
#include "../analyzer/util/xalloc.h"

static void add_pair(tl_ut_reapers *r, int handle, int object)
{
    for (int i = 0; i < r->n; i++)
        if (r->pairs[i].handle == handle && r->pairs[i].object == object)
            return;
    if (r->n < TL_UT_MAX_REAPERS)
        r->pairs[r->n++] = (tl_ut_reaper){handle, object};
}

static int var_of(const tl_func *f, const tl_expr *e)
{
    int v = e ? tl_own_arg_root(e) : -1;
    return v >= 0 && v < f->nvars ? v : -1;
}

/* The variable a spawn's handle lands in: its out-pointer argument's, or
 * the one its result is assigned to (result_var). */
static int handle_var(const tl_func *f, const tl_call *call, const tl_fn_model *m, const int *result_var)
{
    if (m->spawn.where == TL_HANDLE_OUT_ARG)
        return tl_own_call_arg_var(call, m->spawn.handle_arg, f->nvars);
    if (m->spawn.where == TL_HANDLE_RESULT && call->id >= 0 && call->id < f->ncalls)
        return result_var[call->id];
    return -1;
}

/* A thread spawn: what its entry reaps.  Pairs through a struct wait in
 * `via` (handle, struct variable) for the pass over the stores. */
#define MAX_GLOBALS 16 /* tracked globals looked up per spawn: a constant */

static void thread_spawn(const tl_analysis *a, const tl_func *f, const tl_call *call, const tl_fn_model *m,
                         int h, const bool *tracked, const int *globals, int nglobals, tl_ut_reapers *out,
                         tl_ut_reapers *via)
{
    const tl_expr *entry = tl_expr_uncast(call->args[m->spawn.entry_arg]);
    if (!entry || entry->kind != TL_E_FUNC)
        return;
    const char *usr = entry->usr ? entry->usr : entry->name;
    if (m->spawn.data_arg >= 0 && m->spawn.data_arg < call->nargs) {
        int d = var_of(f, call->args[m->spawn.data_arg]);
        int how = d >= 0 ? tl_program_param_awaits(a->program, usr, 0) : 0;
        if (how == 1 && tracked[d])
            add_pair(out, h, d);
        if (how == 2 && tracked[d]) /* &srv, whose embedded ring it reaps */
            add_pair(out, h, d);
        if (how == 2 && f->vars[d].kind == TL_VAR_LOCAL && f->vars[d].is_record)
            add_pair(via, h, d);
    }
    for (int k = 0; k < nglobals; k++)
        if (tl_program_awaits_global(a->program, usr, f->vars[globals[k]].usr))
            add_pair(out, h, globals[k]);
}

void tl_ut_reapers_compute(const tl_analysis *a, int fi, const bool *tracked, tl_ut_reapers *out)
{
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    out->n = 0;
    if (!ff->calls)
        return;
    bool any = false;
    int nforks = 0, fork_call = -1;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        if (!m || !m->spawn.present || !ff->calls[id].instr || !ff->calls[id].reached)
            continue;
        if (m->spawn.child_if_zero) {
            nforks++;
            fork_call = id;
        }
        any = any || (a->program && m->spawn.entry_arg >= 0);
    }
    if (!any && nforks != 1)
        return;
    int *result_var = tl_xmalloc(((size_t)f->ncalls + 1) * sizeof *result_var);
    for (int id = 0; id < f->ncalls; id++)
        result_var[id] = -1;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            const tl_expr *e = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
            if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls &&
                in->var >= 0 && in->var < f->nvars)
                result_var[e->call_id] = in->var;
        }
    int globals[MAX_GLOBALS], nglobals = 0; /* tracked globals with a USR */
    for (int v = 0; v < f->nvars && nglobals < MAX_GLOBALS; v++)
        if (tracked[v] && f->vars[v].kind == TL_VAR_GLOBAL && f->vars[v].usr)
            globals[nglobals++] = v;
    tl_ut_reapers via = {.n = 0};
    int fork_h = nforks == 1 ? result_var[fork_call] : -1;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        const tl_fn_model *m = cf->model;
        if (!m || !cf->instr || !cf->reached)
            continue;
        const tl_call *call = &cf->instr->call;
        if (fork_h >= 0 && cf->in_fork_child && m->await.present && !m->reap.observes) {
            int v = tl_own_call_arg_var(call, m->await.arg, f->nvars);
            if (v >= 0 && tracked[v])
                add_pair(out, fork_h, v);
        }
        if (!a->program || !m->spawn.present || m->spawn.entry_arg < 0 ||
            m->spawn.entry_arg >= call->nargs)
            continue;
        int h = handle_var(f, call, m, result_var);
        if (h >= 0)
            thread_spawn(a, f, call, m, h, tracked, globals, nglobals, out, &via);
    }
    /* td.ring = &ring: the ring reached through &td */
    for (int bi = 0; via.n && bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_STORE)
                continue;
            int s = tl_expr_root_var(in->target, NULL), v = var_of(f, in->value);
            if (s < 0 || v < 0 || !tracked[v])
                continue;
            for (int k = 0; k < via.n; k++)
                if (via.pairs[k].object == s)
                    add_pair(out, via.pairs[k].handle, v);
        }
    free(result_var);
}

int tl_ut_reaper_release(const tl_ut_reapers *r, const tl_fn_model *m, const tl_call *call)
{
    if (!r->n || !m || !m->release.present || !m->release.how || m->release.arg < 0 ||
        m->release.arg >= call->nargs ||
        (strcmp(m->release.how, "join") != 0 && strcmp(m->release.how, "reap") != 0))
        return -1;
    int h = tl_own_arg_root(call->args[m->release.arg]);
    for (int i = 0; h >= 0 && i < r->n; i++)
        if (r->pairs[i].handle == h)
            return h;
    return -1;
}

bool tl_ut_reaped_elsewhere(const tl_ut_reapers *r, int v)
{
    for (int i = 0; i < r->n; i++)
        if (r->pairs[i].object == v)
            return true;
    return false;
}
