/* analysis_marks.c - call facts that helper passes give (steps of
 * analysis.c): the parameters each call's paths have tested
 * (param_guards.h), which descriptors and arguments come from the function's
 * parameters (param_values.h), which descriptors are datagram sockets
 * or files opened by path (fd_origin.h).  The blocking summaries (analysis_blocking.c) and
 * tl_call_blocks_in read them.
 */
#include "analysis.h"
#include "analysis_internal.h"

#include <stdlib.h>

#include "../util/xalloc.h"
#include "fd_origin.h"
#include "param_guards.h"
#include "param_values.h"

/* The parameters each call's paths have tested (param_guards.h). */
void tl_analysis_mark_guards(const tl_func *f, tl_func_facts *ff) {
    if (f->nparams <= 0 || f->nblocks <= 0) return;
    unsigned *nz = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *nz);
    unsigned *z = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *z);
    tl_param_guards(f, nz, z);
    ff->stable_params = tl_param_guards_stable(f);
    for (int id = 0; id < ff->ncalls; id++) {
        tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr || cf->block < 0 || cf->block >= f->nblocks) continue;
        cf->guard_nz = nz[cf->block];
        cf->guard_z = z[cf->block];
    }
    free(nz);
    free(z);
}

/* Which calls' descriptors and arguments come from the parameters
 * (param_values.h). */
void tl_analysis_mark_param_values(const tl_func *f, tl_func_facts *ff) {
    if (f->nvars <= 0) return;
    tl_param_values_t pv;
    tl_param_values_init(&pv, f, ff);
    for (int id = 0; id < ff->ncalls; id++) {
        tl_call_facts *cf = &ff->calls[id];
        if (!cf->instr) continue;
        const tl_call *c = &cf->instr->call;
        const tl_fn_model *m = cf->model;
        if (m && m->blocking.present && m->blocking.fd_io && m->blocking.fd_arg >= 0 && m->blocking.fd_arg < c->nargs)
            cf->fd_from_param = tl_param_value_expr(&pv, c->args[m->blocking.fd_arg]);
        for (int a = 0; a < c->nargs && !cf->passes_param; a++)
            cf->passes_param = tl_param_value_expr(&pv, c->args[a]);
    }
    tl_param_values_free(&pv);
}

/* Argument `arg` of the call as a plain variable of f, or -1. */
static int arg_var(const tl_func *f, const tl_call_facts *cf, int arg) {
    if (!cf->instr || arg < 0 || arg >= cf->instr->call.nargs) return -1;
    const tl_expr *e = tl_expr_uncast(cf->instr->call.args[arg]);
    return e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars ? e->var : -1;
}

/* Calls whose model blocks unless their descriptor is a datagram socket
 * (connect): is it, as fd_origin.h knows it? */
void tl_analysis_mark_datagram_calls(tl_analysis *a) {
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        tl_func_facts *ff = &a->funcs[fi];
        unsigned char *taken = NULL;
        for (int id = 0; id < ff->ncalls; id++) {
            tl_call_facts *cf = &ff->calls[id];
            const tl_fn_model *m = cf->model;
            int v = m && m->blocking.present ? arg_var(f, cf, m->blocking.unless_datagram_arg) : -1;
            if (v < 0) continue;
            if (!taken) {
                taken = tl_xcalloc((size_t)f->nvars + 1, 1);
                tl_func_addr_taken(f, taken);
            }
            cf->datagram = tl_fd_datagram_var(a, fi, v, taken);
        }
        free(taken);
    }
}

/* Descriptor I/O whose descriptor is a local every origin of which is a
 * file opened by path (fd_origin.h: open(), creat(), mkstemp()...): a
 * regular file is never "ready", so the fix the message names is a worker
 * thread, not a readiness watcher (rules/blocking_in_coroutine.c). */
void tl_analysis_mark_file_io(tl_analysis *a) {
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        tl_func_facts *ff = &a->funcs[fi];
        unsigned char *desc = NULL;
        for (int id = 0; id < ff->ncalls; id++) {
            tl_call_facts *cf = &ff->calls[id];
            const tl_fn_model *m = cf->model;
            int v = m && m->blocking.present && m->blocking.fd_io ? arg_var(f, cf, m->blocking.fd_arg) : -1;
            if (v < 0) continue;
            if (!desc) {
                desc = tl_xcalloc((size_t)f->nvars + 1, 1);
                tl_fd_origins(a, fi, desc);
            }
            cf->fd_file = desc[v] == TL_FDO_COMPLETES;
        }
        free(desc);
    }
}
