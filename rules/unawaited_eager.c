/* unawaited_eager.c - unawaited-task: eager spawns that have finished when
 * the spawn returns (see unawaited_eager.h).  libdill's and libmill's go()
 * run the new coroutine at once until it first suspends (the spawn model's
 * `eager`): an entry that never suspends has run to its end, and closing
 * its handle cancels nothing. */
#include "unawaited_eager.h"

#include <stdlib.h>

#include "ownership.h"
#include "../analyzer/util/xalloc.h"

/* Does function fi of the TU never suspend?  None of its calls waits,
 * yields, blocks, spawns or releases by its model (only calls modelled
 * `nonblocking` pass), calls a function of the TU that may suspend, or
 * calls code the TU cannot see (another file, a library without a model, a
 * function pointer).  An empty coroutine body never suspends. */
static bool decide_never_suspends(const tl_analysis *a, const unsigned char *st, int fi)
{
    const tl_func_facts *ff = &a->funcs[fi];
    if (a->tu->funcs[fi].nblocks == 0)
        return false; /* (no body seen) */
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        const tl_fn_model *m = cf->model;
        const tl_call *call = cf->instr ? &cf->instr->call : NULL;
        if (m) {
            if (!m->nonblocking || m->cooperative || m->wait.present || m->spawn.present ||
                m->release.present || m->blocking.present)
                return false;
            continue;
        }
        if (!call || call->callee_func < 0 || call->callee_func >= a->tu->nfuncs ||
            st[call->callee_func] != TL_CF_YES)
            return false;
    }
    return true;
}

/* Per call id of function fi (NULL when there is none): the eager spawns
 * (the model's `eager`) whose entry, a TU function that never suspends
 * (quiet), has finished when the spawn returns.  One pass over the calls:
 * each go()-style entry call names its spawn. */
unsigned char *tl_ut_spawns_done_at_once(const tl_analysis *a, int fi, const bool *quiet)
{
    const tl_func_facts *ff = &a->funcs[fi];
    unsigned char *done = NULL;
    for (int k = 0; quiet && k < ff->ncalls; k++) {
        const tl_instr *in = ff->calls[k].instr;
        if (!in || !in->call.is_spawn_entry || in->call.spawn_call < 0 || in->call.spawn_call >= ff->ncalls ||
            in->call.callee_func < 0 || in->call.callee_func >= a->tu->nfuncs || !quiet[in->call.callee_func])
            continue;
        const tl_fn_model *m = tl_own_model(a, fi, in->call.spawn_call);
        if (!m || !m->spawn.present || !m->spawn.eager) continue;
        if (!done) done = tl_xcalloc((size_t)ff->ncalls, 1);
        done[in->call.spawn_call] = 1;
    }
    return done;
}

bool *tl_ut_never_suspending(const tl_analysis *a)
{
    bool eager = false; /* any eager spawn in the TU? */
    for (int fi = 0; fi < a->tu->nfuncs && a->funcs && !eager; fi++)
        for (int id = 0; id < a->funcs[fi].ncalls && !eager; id++) {
            const tl_fn_model *m = a->funcs[fi].calls[id].model;
            eager = m && m->spawn.present && m->spawn.eager;
        }
    return eager ? tl_analysis_callees_first(a, decide_never_suspends) : NULL;
}
