/* unawaited_ring.c - work left in flight on a local object (see
 * unawaited_ring.h): which local objects a function owns outright, and the
 * two findings about them that unawaited_task.c reports. */
#include "unawaited_ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "rule.h"
#include "../analyzer/dataflow/cycles.h"
#include "../analyzer/util/xalloc.h"

/* Every variable e reads (or takes the address of) is not owned. */
static void disown_vars(bool *owned, int nvars, const tl_expr *e)
{
    if (!e)
        return;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < nvars)
        owned[e->var] = false;
    for (int k = 0; k < e->nkids; k++)
        disown_vars(owned, nvars, e->kids[k]);
}

static int arg_var(const tl_func *f, const tl_call *call, int arg)
{
    return tl_own_call_arg_var(call, arg, f->nvars);
}

void tl_ut_local_objects(const tl_analysis *a, int fi, bool *owned)
{
    const tl_func *f = &a->tu->funcs[fi];
    int n = 0;
    for (int v = 0; v < f->nvars; v++) {
        const tl_var *x = &f->vars[v];
        owned[v] = owned[v] && x->kind == TL_VAR_LOCAL && x->is_record && !x->is_pointer &&
                   !x->is_array;
        n += owned[v];
    }
    if (!n)
        return;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if (in->kind == TL_I_STORE || in->kind == TL_I_ASSIGN || in->kind == TL_I_RETURN)
                disown_vars(owned, f->nvars, in->value);
            if (in->kind != TL_I_CALL)
                continue;
            const tl_call *call = &in->call;
            const tl_fn_model *m = tl_own_model(a, fi, call->id);
            int v;
            if (m && m->teardown.present && (v = arg_var(f, call, m->teardown.arg)) >= 0)
                owned[v] = false;
            if (m && m->release.present && (v = arg_var(f, call, m->release.arg)) >= 0)
                owned[v] = false;
            /* handed to another task (a thread's argument, a callback's
               data): it may be awaited or torn down there */
            bool known = !(m && (m->spawn.present || m->callback.present)) &&
                         (call->callee_system ||
                          (call->callee && tl_models_namespace(a->models, call->callee)) ||
                          (m && (!m->library || strcmp(m->library, "program") != 0)) ||
                          (m && (m->nborrow > 0 || m->await.present)));
            if (known)
                continue;
            for (int k = 0; k < call->nargs; k++)
                if ((v = arg_var(f, call, k)) >= 0)
                    owned[v] = false;
        }
    }
}

void tl_ut_report_unreaped(const tl_analysis *a, tl_findings *out, const tl_func *f,
                           const tl_instr *in, const char *vn, const tl_instr *why, int n)
{
    char td[320], whyname[320] = "", msg[1024];
    tl_own_call_named(a, &in->call, NULL, td, sizeof td);
    if (why)
        tl_own_call_named(a, &why->call, NULL, whyname, sizeof whyname);
    if (why)
        snprintf(msg, sizeof msg,
                 "'%s' is torn down with %s while %d started request%s %s not reaped (last "
                 "started with %s at line %u): more were started than awaited",
                 vn, td, n, n == 1 ? "" : "s", n == 1 ? "was" : "were", whyname, why->loc.line);
    else
        snprintf(msg, sizeof msg,
                 "'%s' is torn down with %s while %d started request%s %s not reaped: more "
                 "were started than awaited",
                 vn, td, n, n == 1 ? "" : "s", n == 1 ? "was" : "were");
    tl_finding *fd = tl_findings_add(out, tl_rule_unawaited_task.id, tl_rule_unawaited_task.severity,
                                     in->loc.file, in->loc.line, in->loc.col, f->name, msg);
    if (!fd)
        return;
    tl_finding_set_snippet(fd, in->call.text ? in->call.text : in->call.callee);
    if (why)
        tl_finding_add_note_before(fd, why->loc.file, why->loc.line, why->loc.col,
                                   "requests last started here");
}

void tl_ut_report_dropped(const tl_analysis *a, tl_findings *out, const tl_func *f,
                          const tl_block *b, const char *vn, const tl_instr *why)
{
    tl_loc at = b->term_loc.file ? b->term_loc : f->end_loc;
    for (int i = b->ninstrs - 1; i >= 0; i--)
        if (b->instrs[i].kind == TL_I_RETURN && b->instrs[i].loc.file) {
            at = b->instrs[i].loc;
            break;
        }
    char whyname[320] = "", msg[1024];
    if (why)
        tl_own_call_named(a, &why->call, NULL, whyname, sizeof whyname);
    snprintf(msg, sizeof msg,
             "'%s' goes out of scope here with work started by %s at line %u never awaited, "
             "and it is never torn down",
             vn, why ? whyname : "a start", why ? why->loc.line : 0);
    tl_finding *fd = tl_findings_add(out, tl_rule_unawaited_task.id, tl_rule_unawaited_task.severity,
                                     at.file, at.line, at.col, f->name, msg);
    if (fd && why)
        tl_finding_add_note_before(fd, why->loc.file, why->loc.line, why->loc.col, "work started here");
}

bool tl_ut_starts_nothing(const tl_inflight *r, int call)
{
    const tl_inflight_at *at = tl_inflight_before(r, call);
    return at && at->prepared == 0 && (at->kinds & TL_IF_SKIPPED);
}

/* A call after main()'s teardown that may still do work. */
static bool does_work(const tl_analysis *a, int fi, const tl_instr *in)
{
    if (in->kind != TL_I_CALL)
        return false;
    const tl_call *call = &in->call;
    const tl_fn_model *m = tl_own_model(a, fi, call->id);
    if (!m)
        return !call->callee_system; /* the program's code, or a pointer */
    const tl_call_facts *cf = call->id >= 0 && call->id < a->funcs[fi].ncalls ? &a->funcs[fi].calls[call->id] : NULL;
    return m->wait.present || m->start.present || m->spawn.present || m->await.present ||
           m->prepare.present || m->callback.present || (cf && tl_call_blocks_in(cf, false));
}

static bool *work_ahead(const tl_analysis *a, int fi)
{
    const tl_func *f = &a->tu->funcs[fi];
    int nb = f->nblocks;
    bool *ahead = tl_xcalloc((size_t)nb + 1, sizeof *ahead);
    /* predecessor lists, then a backward walk from the blocks with work */
    int *npred = tl_xcalloc((size_t)nb + 1, sizeof *npred), *first = tl_xcalloc((size_t)nb + 2, sizeof *first);
    int nedges = 0;
    for (int b = 0; b < nb; b++)
        for (int k = 0; k < f->blocks[b].nsucc; k++)
            if (f->blocks[b].succ[k] >= 0 && f->blocks[b].succ[k] < nb)
                npred[f->blocks[b].succ[k]]++, nedges++;
    for (int b = 0; b < nb; b++)
        first[b + 1] = first[b] + npred[b];
    int *pred = tl_xmalloc(((size_t)nedges + 1) * sizeof *pred), *fill = tl_xcalloc((size_t)nb + 1, sizeof *fill);
    for (int b = 0; b < nb; b++)
        for (int k = 0; k < f->blocks[b].nsucc; k++) {
            int s = f->blocks[b].succ[k];
            if (s >= 0 && s < nb)
                pred[first[s] + fill[s]++] = b;
        }
    int *stack = tl_xmalloc(((size_t)nb + 1) * sizeof *stack), n = 0;
    for (int b = 0; b < nb; b++)
        for (int i = 0; i < f->blocks[b].ninstrs && !ahead[b]; i++)
            if (does_work(a, fi, &f->blocks[b].instrs[i])) {
                ahead[b] = true;
                stack[n++] = b;
            }
    while (n > 0) {
        int b = stack[--n];
        for (int k = first[b]; k < first[b + 1]; k++)
            if (!ahead[pred[k]]) {
                ahead[pred[k]] = true;
                stack[n++] = pred[k];
            }
    }
    free(stack);
    free(fill);
    free(pred);
    free(first);
    free(npred);
    return ahead;
}

tl_ut_main_tail tl_ut_main_tail_make(const tl_analysis *a, int fi)
{
    tl_ut_main_tail t = {NULL, NULL};
    if (tl_own_is_program_main(&a->tu->funcs[fi])) {
        t.ahead = work_ahead(a, fi);
        t.cyclic = tl_blocks_on_cycles(&a->tu->funcs[fi]);
    }
    return t;
}

void tl_ut_main_tail_free(tl_ut_main_tail *t)
{
    free(t->ahead);
    free(t->cyclic);
    t->ahead = t->cyclic = NULL;
}

bool tl_ut_final_in_main(const tl_analysis *a, int fi, const tl_ut_main_tail *t, const tl_block *b, int ii)
{
    const tl_func *f = &a->tu->funcs[fi];
    if (!t->ahead || !t->cyclic || b->id < 0 || b->id >= f->nblocks || t->cyclic[b->id])
        return false;
    const bool *ahead = t->ahead;
    for (int i = ii + 1; i < b->ninstrs; i++)
        if (does_work(a, fi, &b->instrs[i]))
            return false;
    /* a successor from which a call doing work - or this very block, whose
       teardown did - is reachable */
    for (int k = 0; k < b->nsucc; k++) {
        int s = b->succ[k];
        if (s < 0 || s >= f->nblocks)
            continue;
        if (ahead[s])
            return false;
    }
    return true;
}

bool tl_ut_only_immediate(const tl_inflight *r, int call)
{
    const tl_inflight_at *at = tl_inflight_before(r, call);
    return at && TL_IF_ALL_IMMEDIATE(at->kinds);
}
