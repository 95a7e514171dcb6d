/* unawaited_stops.c - coroutines their launcher stopped through a channel
 * (unawaited_stops.h). */
#include "unawaited_stops.h"

#include <stdlib.h>
#include <string.h>

#include "../analyzer/dataflow/stop_params.h"
#include "../analyzer/program/program.h"
#include "../analyzer/util/xalloc.h"
#include "ownership.h"

#define SRC_NONE (-1)
#define SRC_MANY (-2) /* several launches, or work from something else */

/* `X[i]` with X a local array and i 0 or 1: X, else -1 (*i set). */
static int channel_end(const tl_func *f, const tl_expr *e, int *i) {
    e = tl_expr_uncast(e);
    if (!e || e->kind != TL_E_INDEX || e->nkids != 2) return -1;
    const tl_expr *x = tl_expr_uncast(e->kids[0]), *k = tl_expr_uncast(e->kids[1]);
    if (!x || x->kind != TL_E_VAR || x->nkids != 0 || x->var < 0 || x->var >= f->nvars ||
        f->vars[x->var].kind != TL_VAR_LOCAL || !k || k->kind != TL_E_CONST || (k->ival != 0 && k->ival != 1))
        return -1;
    *i = (int)k->ival;
    return x->var;
}

static void merge(int *src, int v, int s, bool *changed) {
    int n = src[v] == SRC_NONE ? s : src[v] == s ? s : SRC_MANY;
    if (n != src[v]) {
        src[v] = n;
        *changed = true;
    }
}

/* The stop parameters of the function an entry call runs: the program's
 * summaries (a hash lookup, this file's functions included); without a
 * program, a function of this file is scanned here. */
static unsigned stop_params_of(const tl_analysis *a, const tl_call *call) {
    if (a->program) return call->callee_usr ? tl_program_stop_params(a->program, call->callee_usr) : 0;
    return call->callee_func >= 0 && call->callee_func < a->tu->nfuncs ? tl_stop_params(a, call->callee_func) : 0;
}

void tl_ut_stops_compute(const tl_analysis *a, int fi, const bool *tracked, const unsigned char *result_bits,
                         tl_ut_stops *out) {
    memset(out, 0, sizeof *out);
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    /* the arrays a channel_pair call fills, and whether any end is done */
    unsigned char *pair = tl_xcalloc((size_t)f->nvars + 1, 1);
    bool any_done = false;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        const tl_instr *in = ff->calls[id].instr;
        if (!m || !in) continue;
        if (m->channel_pair.arg >= 0 && m->channel_pair.arg < in->call.nargs) {
            const tl_expr *e = tl_expr_uncast(in->call.args[m->channel_pair.arg]);
            while (e && e->kind == TL_E_ADDR && e->nkids == 1) e = tl_expr_uncast(e->kids[0]);
            if (e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < f->nvars) pair[e->var] = 1;
        }
        any_done = any_done || m->channel_done.arg >= 0;
    }
    int *src = NULL, *copy_to = NULL, *copy_next = NULL, *copy_first = NULL, *work = NULL;
    if (!any_done) goto done;
    /* which launch each variable's work may come from (SRC_*) */
    src = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *src);
    for (int v = 0; v < f->nvars; v++) src[v] = SRC_NONE;
    copy_first = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *copy_first);
    for (int v = 0; v < f->nvars; v++) copy_first[v] = -1;
    int ninstr = 0;
    for (int b = 0; b < f->nblocks; b++) ninstr += f->blocks[b].ninstrs;
    copy_to = tl_xmalloc(((size_t)ninstr + 1) * sizeof *copy_to);
    copy_next = tl_xmalloc(((size_t)ninstr + 1) * sizeof *copy_next);
    int ncopies = 0;
    bool changed = false;
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars && tracked[in->var]) {
                const tl_expr *e = tl_expr_uncast(in->value);
                if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < ff->ncalls) {
                    if (result_bits[e->call_id]) /* (other results carry no work) */
                        merge(src, in->var, e->call_id, &changed);
                } else if (e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < f->nvars) {
                    copy_to[ncopies] = in->var; /* w -> v */
                    copy_next[ncopies] = copy_first[e->var];
                    copy_first[e->var] = ncopies++;
                }
            } else if (in->kind == TL_I_CALL) {
                const tl_fn_model *m = tl_own_model(a, fi, in->call.id);
                if (!m) continue;
                if (m->start.present) {
                    int v = tl_own_call_arg_var(&in->call, m->start.arg, f->nvars);
                    if (v >= 0) merge(src, v, SRC_MANY, &changed);
                }
                if (m->spawn.present && tl_own_spawn_has_owner(a, fi, &in->call, m)) {
                    int v = tl_own_call_arg_var(&in->call, m->spawn.owner_arg, f->nvars);
                    if (v >= 0) merge(src, v, in->call.id, &changed);
                }
            }
        }
    /* over the copies, to a fixpoint (each variable changes at most twice) */
    work = tl_xmalloc(((size_t)f->nvars * 2 + 1) * sizeof *work);
    int nwork = 0;
    for (int v = 0; v < f->nvars; v++)
        if (src[v] != SRC_NONE && copy_first[v] >= 0) work[nwork++] = v;
    while (nwork > 0) {
        int w = work[--nwork];
        for (int k = copy_first[w]; k >= 0; k = copy_next[k]) {
            int v = copy_to[k];
            bool grew = false;
            merge(src, v, src[w], &grew);
            if (grew && copy_first[v] >= 0 && nwork < f->nvars * 2) work[nwork++] = v;
        }
    }
    /* the variables of each launch (buckets by src) */
    int *by_src_first = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *by_src_first);
    int *by_src_next = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *by_src_next);
    for (int id = 0; id < ff->ncalls; id++) by_src_first[id] = -1;
    for (int v = f->nvars - 1; v >= 0; v--)
        if (src[v] >= 0 && src[v] < ff->ncalls) {
            by_src_next[v] = by_src_first[src[v]];
            by_src_first[src[v]] = v;
        }
    /* the entry calls handing a channel end to a stop parameter, by array:
       entry call id and the end, chained */
    int *ends_first = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *ends_first);
    int *ends_next = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *ends_next);
    int *ends_end = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *ends_end);
    for (int v = 0; v < f->nvars; v++) ends_first[v] = -1;
    for (int e = ff->ncalls - 1; e >= 0; e--) {
        const tl_instr *ein = ff->calls[e].instr;
        if (!ein || !ein->call.is_spawn_entry || ein->call.spawn_call < 0 || ein->call.spawn_call >= ff->ncalls)
            continue;
        unsigned stop = stop_params_of(a, &ein->call);
        for (int k = 0; k < ein->call.nargs && k < 32 && stop; k++) {
            int end, x = (stop >> k) & 1u ? channel_end(f, ein->call.args[k], &end) : -1;
            if (x < 0 || !pair[x]) continue;
            ends_end[e] = end;
            ends_next[e] = ends_first[x];
            ends_first[x] = e;
            break; /* (one stop parameter per function) */
        }
    }
    /* per channel_done call: the launches it stops, and their variables */
    out->first = tl_xmalloc(((size_t)ff->ncalls + 1) * sizeof *out->first);
    out->count = tl_xcalloc((size_t)ff->ncalls + 1, sizeof *out->count);
    int cap = 0;
    for (int d = 0; d < ff->ncalls; d++) {
        out->first[d] = -1;
        const tl_fn_model *m = ff->calls[d].model;
        const tl_instr *din = ff->calls[d].instr;
        int di;
        int x = m && din && m->channel_done.arg >= 0 && m->channel_done.arg < din->call.nargs
                    ? channel_end(f, din->call.args[m->channel_done.arg], &di)
                    : -1;
        if (x < 0 || !pair[x]) continue;
        int seen = 0;
        for (int e = ends_first[x]; e >= 0 && seen < TL_UT_STOPS_MAX; e = ends_next[e], seen++) {
            if (ends_end[e] != 1 - di) continue;
            for (int v = by_src_first[ff->calls[e].instr->call.spawn_call]; v >= 0; v = by_src_next[v]) {
                if (out->nvars == cap) {
                    cap = cap ? cap * 2 : 8;
                    out->vars = tl_xrealloc(out->vars, (size_t)cap * sizeof *out->vars);
                }
                if (out->first[d] < 0) out->first[d] = out->nvars;
                out->vars[out->nvars++] = v;
                out->count[d]++;
            }
        }
    }
    free(by_src_first);
    free(by_src_next);
    free(ends_first);
    free(ends_next);
    free(ends_end);
done:
    free(pair);
    free(src);
    free(copy_to);
    free(copy_next);
    free(copy_first);
    free(work);
}

void tl_ut_stops_free(tl_ut_stops *s) {
    free(s->first);
    free(s->count);
    free(s->vars);
    memset(s, 0, sizeof *s);
}
