/* unawaited_generators.c - rule `unawaited-task`, generators never resumed.
 *
 * A generator (the object of a `start: {generator: true}` call, minicoro's
 * mco_resume: it runs only while resumed) created in a function and torn
 * down there with no resume of it anywhere in the function never ran its
 * body.  The dataflow of unawaited_task.c cannot see this (nothing was
 * started, so nothing is pending); this is one flow-insensitive walk of the
 * function, called from its check_func.  The other half of generators - a
 * resume on a CFG cycle is the consumer's loop driving it, used and dropped
 * - lives in unawaited_task.c's transfer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "rule.h"
#include "../analyzer/util/xalloc.h"

/* Mark the variables e mentions. */
static void mark_vars(const tl_expr *e, unsigned char *flags, int nvars, unsigned char bit)
{
    if (!e)
        return;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < nvars)
        flags[e->var] |= bit;
    for (int k = 0; k < e->nkids; k++)
        mark_vars(e->kids[k], flags, nvars, bit);
}

/* A generator (the object of a `start: {generator: true}` call: it runs only
 * while resumed) created in this function and torn down with no resume of
 * it anywhere in the function never ran its body: its work was abandoned
 * before it began.  Flow-insensitive, one walk: a variable that is copied,
 * stored, returned or passed to a call other than as a modelled argument
 * (borrow, start, await, teardown, release) may be resumed elsewhere and is
 * left alone. */
enum { GV_CREATED = 1, GV_RESUMED = 2, GV_OTHER = 4 };

/* Is argument ai of a call to m used in place (not handed over)? */
static bool arg_in_place(const tl_fn_model *m, int ai)
{
    if (!m)
        return false;
    for (int i = 0; i < m->nborrow; i++)
        if (m->borrow[i].present && m->borrow[i].arg == ai)
            return true;
    return (m->start.present && m->start.arg == ai) || (m->await.present && m->await.arg == ai) ||
           (m->teardown.present && m->teardown.arg == ai) ||
           (m->release.present && m->release.arg == ai);
}

/* The generator start of `library`, or NULL (one scan of the models). */
static const tl_fn_model *generator_start(const tl_model_set *ms, const char *library)
{
    for (size_t i = 0; ms && library && i < ms->nfns; i++) {
        const tl_fn_model *g = &ms->fns[i];
        if (g->start.present && g->start_generator && g->library && strcmp(g->library, library) == 0)
            return g;
    }
    return NULL;
}

void tl_ut_check_never_resumed(const tl_analysis *a, int fi, tl_findings *out)
{
    const tl_func *f = &a->tu->funcs[fi];
    bool any = false; /* a teardown of a library with generators? */
    const char *lib = NULL;
    const tl_fn_model *gen = NULL;
    for (int id = 0; id < f->ncalls && !any; id++) {
        const tl_fn_model *m = tl_own_model(a, fi, id);
        if (m && m->teardown.present && m->library && (!lib || strcmp(lib, m->library) != 0)) {
            lib = m->library;
            gen = generator_start(a->models, lib);
            any = gen != NULL;
        }
    }
    if (!any || f->nvars <= 0)
        return;
    unsigned char *fl = tl_xcalloc((size_t)f->nvars, 1);
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            if (in->kind == TL_I_ASSIGN) {
                const tl_expr *e = tl_expr_uncast(in->value);
                const tl_fn_model *m =
                    e && e->kind == TL_E_CALLRES ? tl_own_model(a, fi, e->call_id) : NULL;
                if (m && m->spawn.present && m->spawn.where == TL_HANDLE_RESULT &&
                    in->var >= 0 && in->var < f->nvars)
                    fl[in->var] |= GV_CREATED;
                else if (!(e && e->kind == TL_E_CALLRES))
                    mark_vars(in->value, fl, f->nvars, GV_OTHER);
                continue;
            }
            if (in->kind == TL_I_STORE || in->kind == TL_I_RETURN) {
                mark_vars(in->value, fl, f->nvars, GV_OTHER);
                continue;
            }
            if (in->kind != TL_I_CALL)
                continue;
            const tl_call *call = &in->call;
            const tl_fn_model *m = tl_own_model(a, fi, call->id);
            for (int ai = 0; ai < call->nargs; ai++) {
                int v = tl_own_arg_root(call->args[ai]);
                if (m && m->spawn.present && m->spawn.where == TL_HANDLE_OUT_ARG &&
                    m->spawn.handle_arg == ai && v >= 0 && v < f->nvars)
                    fl[v] |= GV_CREATED;
                else if (m && m->start.present && m->start_generator && m->start.arg == ai &&
                         v >= 0 && v < f->nvars)
                    fl[v] |= GV_RESUMED;
                else if (!arg_in_place(m, ai))
                    mark_vars(call->args[ai], fl, f->nvars, GV_OTHER);
            }
        }
    }
    const tl_func_facts *ff = &a->funcs[fi];
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            if (in->kind != TL_I_CALL || in->call.id < 0 || in->call.id >= f->ncalls)
                continue;
            const tl_fn_model *m = tl_own_model(a, fi, in->call.id);
            if (!m || !m->teardown.present || !m->library || m->teardown.arg >= in->call.nargs)
                continue;
            int v = tl_own_arg_root(in->call.args[m->teardown.arg]);
            if (v < 0 || v >= f->nvars || fl[v] != GV_CREATED)
                continue;
            if (ff->calls && in->call.id < ff->ncalls && !ff->calls[in->call.id].reached)
                continue;
            if (!lib || strcmp(lib, m->library) != 0) { /* cache: one library at a time */
                lib = m->library;
                gen = generator_start(a->models, lib);
            }
            if (!gen)
                continue;
            char td[320], rs[128];
            tl_own_call_named(a, &in->call, NULL, td, sizeof td);
            tl_own_peer_name(&in->call, gen->name, rs, sizeof rs);
            tl_finding *fd = tl_findings_addf(
                out, tl_rule_unawaited_task.id, tl_rule_unawaited_task.severity, in->loc.file,
                in->loc.line, in->loc.col, f->name,
                "'%s' is torn down with %s without ever being resumed with %s(): its body "
                "never runs",
                f->vars[v].name, td, rs);
            if (fd)
                tl_finding_set_snippet(fd, in->call.text ? in->call.text : in->call.callee);
        }
    }
    free(fl);
}
