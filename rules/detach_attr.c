/* detach_attr.c - spawns that start a detached task through their creation
 * attributes (pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) and
 * then pthread_create(&t, &a, ...)): such a task needs no release, so
 * orphaned-spawn does not track its handle.
 *
 * Library knowledge comes from the models: the spawn's `attr_arg` names the
 * attribute argument, a `detach_attr` facet the setter, its object and
 * value arguments and the values meaning "detached".
 *
 * The check is per function and flow-insensitive, with a source-order
 * condition: the spawn's attribute argument must be the address of a local
 * attribute object (`&attr`), some setter call earlier in the function's
 * text must set that object to a detached value, and no setter call in the
 * function may set it to anything else (a joinable or unknown value, before
 * or after).  An attribute set by another function, or reached through a
 * pointer, is not followed: the spawn stays tracked.  One pass over the
 * function's instructions, kept in a tl_detach_attrs for all its spawns.
 */
#include <stdlib.h>

#include "ownership.h"
#include "../analyzer/util/xalloc.h"

/* The local variable whose address e is (`&attr`), or -1. */
static int addressed_local(const tl_func *f, const tl_expr *e)
{
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_ADDR || e->nkids < 1)
        return -1;
    const tl_expr *v = tl_expr_uncast(e->kids[0]);
    if (!v || v->kind != TL_E_VAR || v->var < 0 || v->var >= f->nvars ||
        !tl_own_var_is_local(&f->vars[v->var]))
        return -1;
    return v->var;
}

static bool loc_before(tl_loc x, tl_loc y)
{
    return x.line < y.line || (x.line == y.line && x.col < y.col);
}

static bool is_detached_value(const tl_detach_attr_facet *d, tl_cval v)
{
    if (v.kind != TL_CV_INT)
        return false;
    for (int i = 0; i < d->nvalues; i++)
        if (d->values[i] == v.v)
            return true;
    return false;
}

/* Reads every setter call of function fi once: per local attribute object,
 * the earliest detached setting and whether any other setting exists. */
static void build(const tl_analysis *a, int fi, tl_detach_attrs *d)
{
    const tl_func *f = &a->tu->funcs[fi];
    tl_detach_attrs_free(d);
    d->fi = fi;
    d->state = tl_xcalloc((size_t)(f->nvars > 0 ? f->nvars : 1), sizeof *d->state);
    d->first = tl_xcalloc((size_t)(f->nvars > 0 ? f->nvars : 1), sizeof *d->first);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int k = 0; k < f->blocks[bi].ninstrs; k++) {
            const tl_instr *in = &f->blocks[bi].instrs[k];
            if (in->kind != TL_I_CALL || in->call.id < 0 || in->call.id >= f->ncalls)
                continue;
            const tl_fn_model *sm = tl_own_model(a, fi, in->call.id);
            if (!sm || !sm->detach_attr.present)
                continue;
            const tl_detach_attr_facet *da = &sm->detach_attr;
            if (da->arg >= in->call.nargs || da->value_arg >= in->call.nargs)
                continue;
            int attr = addressed_local(f, in->call.args[da->arg]);
            if (attr < 0)
                continue;
            if (!is_detached_value(da, tl_own_arg_value(a, fi, &in->call, da->value_arg)))
                d->state[attr] |= TL_ATTR_SET_OTHER; /* joinable or unknown */
            else if (!(d->state[attr] & TL_ATTR_SET_DETACHED) || loc_before(in->loc, d->first[attr])) {
                d->state[attr] |= TL_ATTR_SET_DETACHED;
                d->first[attr] = in->loc;
            }
        }
}

void tl_detach_attrs_free(tl_detach_attrs *d)
{
    free(d->state);
    free(d->first);
    d->state = NULL;
    d->first = NULL;
    d->fi = -1;
}

bool tl_own_spawn_detached(const tl_analysis *a, int fi, const tl_instr *spawn,
                           const tl_fn_model *m, tl_detach_attrs *d)
{
    const tl_func *f = &a->tu->funcs[fi];
    const tl_call *sc = &spawn->call;
    if (!m || !m->spawn.present || m->spawn.attr_arg < 0 || m->spawn.attr_arg >= sc->nargs)
        return false;
    int attr = addressed_local(f, sc->args[m->spawn.attr_arg]);
    if (attr < 0)
        return false;
    if (!d->state || d->fi != fi)
        build(a, fi, d);
    return d->state[attr] == TL_ATTR_SET_DETACHED && loc_before(d->first[attr], spawn->loc);
}
