/* self_publish.c - orphaned-spawn support: a fork whose child publishes its
 * own pid where the program reaps from needs no release of the parent's
 * copy.
 *
 * A job runner may leave the bookkeeping to the child: the child stores
 * `getpid()` into its slot of a shared table (`td->pid = getpid()`, in the
 * function the child runs) and the parent's reaper waits for every slot
 * (`waitpid(td->pid, ...)`); the pid fork() returned to the parent is then
 * only a copy, and dropping it leaks nothing.  Library knowledge is in the
 * models: a `self_handle` facet says a call returns the calling task's own
 * handle (getpid() for "child process").
 *
 * With the whole program linked (tl_program_publishes_self: a function that
 * stores such a result into a global or field some call of the program
 * releases, itself or through its direct calls), a `child_if_zero` spawn is
 * not tracked when a call that only the child runs (tl_call_facts.
 * in_fork_child) is such a function, or is the self_handle call itself with
 * its result stored into a released global or field.  A function with more
 * forks than one lets any child's publishing excuse them all.  Without a
 * program (a TU analysed alone) nothing is excused.  One pass over the
 * function's calls and instructions per fork.
 */
#include <string.h>

#include "ownership.h"
#include "../analyzer/program/program.h"

/* The global or field (its USR) that instruction `in` stores the result of
 * call `id` into, or NULL. */
static const char *stored_slot(const tl_func *f, const tl_instr *in, int id)
{
    const tl_expr *v = in->kind == TL_I_STORE || in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
    if (!v || v->kind != TL_E_CALLRES || v->call_id != id)
        return NULL;
    if (in->kind == TL_I_ASSIGN) {
        const tl_var *var = in->var >= 0 && in->var < f->nvars ? &f->vars[in->var] : NULL;
        return var && (var->kind == TL_VAR_GLOBAL || var->kind == TL_VAR_STATIC) ? var->usr : NULL;
    }
    const tl_expr *t = in->target;
    while (t && (t->kind == TL_E_CAST || t->kind == TL_E_DEREF) && t->nkids == 1)
        t = t->kids[0];
    if (t && t->kind == TL_E_MEMBER)
        return t->usr;
    if (t && t->kind == TL_E_VAR && t->var >= 0 && t->var < f->nvars)
        return f->vars[t->var].usr;
    return NULL;
}

/* Does some instruction store self_handle call `id`'s result into a released slot? */
static bool stores_to_released(const tl_analysis *a, const tl_func *f, int id)
{
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const char *usr = stored_slot(f, &f->blocks[bi].instrs[i], id);
            if (usr && tl_program_slot_released(a->program, usr))
                return true;
        }
    return false;
}

bool tl_own_child_publishes_self(const tl_analysis *a, int fi, const tl_fn_model *m)
{
    if (!a->program || !m || !m->spawn.child_if_zero || !m->spawn.task)
        return false;
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || !cf->reached || !cf->in_fork_child)
            continue;
        const tl_call *c = &cf->instr->call;
        if (c->callee_usr && tl_program_publishes_self(a->program, c->callee_usr, m->spawn.task))
            return true;
        if (cf->model && cf->model->self_handle.present && cf->model->self_handle.task &&
            strcmp(cf->model->self_handle.task, m->spawn.task) == 0 && stores_to_released(a, f, id))
            return true;
    }
    return false;
}

/* A thread whose entry function detaches itself on every path
 * (`pthread_detach(pthread_self())`: tl_program_self_releases, computed per
 * function by tl_analysis_self_releases and carried by the summaries, so the
 * entry may be in another file) needs no release of the spawner's handle.
 * The entry is the spawn's entry_arg when it names a function (`f`, `&f`);
 * without a program nothing is excused. */
bool tl_own_entry_self_releases(const tl_analysis *a, const tl_call *call, const tl_fn_model *m)
{
    if (!a->program || !call || !m || !m->spawn.present || m->spawn.entry_arg < 0 ||
        m->spawn.entry_arg >= call->nargs)
        return false;
    const tl_expr *e = tl_expr_uncast(call->args[m->spawn.entry_arg]);
    if (e && e->kind == TL_E_ADDR && e->nkids == 1)
        e = tl_expr_uncast(e->kids[0]);
    if (!e || e->kind != TL_E_FUNC || !e->usr)
        return false;
    return tl_program_self_releases(a->program, e->usr);
}
