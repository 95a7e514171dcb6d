/* stop_params.c - the channel ends that stop a coroutine (stop_params.h). */
#include "stop_params.h"

unsigned tl_stop_params(const tl_analysis *a, int fi) {
    if (!a || !a->tu || fi < 0 || fi >= a->tu->nfuncs) return 0;
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    unsigned on = 0; /* parameters the stoppable waits use */
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        const tl_instr *in = cf->instr;
        if (!in) continue;
        const tl_fn_model *m = cf->model;
        if (!m) {
            if (in->call.callee && in->call.callee_system) continue; /* libc: no suspension */
            return 0; /* program code or a pointer: may wait */
        }
        if (!m->cooperative && !m->wait.present && !m->spawn.present) continue;
        const tl_wait_facet *w = &m->wait;
        if (!w->present || !w->unless_other_end_done || w->object_arg < 0 || w->object_arg >= in->call.nargs)
            return 0;
        const tl_expr *e = tl_expr_uncast(in->call.args[w->object_arg]);
        if (!e || e->kind != TL_E_VAR || e->nkids != 0 || e->var < 0 || e->var >= f->nparams || e->var >= 32 ||
            !((ff->stable_params >> e->var) & 1u))
            return 0;
        on |= 1u << e->var;
    }
    /* all of them on one parameter */
    return on && !(on & (on - 1)) ? on : 0;
}
