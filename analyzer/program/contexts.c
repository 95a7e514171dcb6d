/* contexts.c - which context each function of the program runs in (step 3
 * of program.c's link).
 *
 * A function registered as a callback or spawned as a task entry anywhere
 * in the program runs in that context (a coroutine, an event-loop callback,
 * a thread); a parameter a function hands to a registration makes it a
 * registration wrapper, and whatever its callers pass there runs in that
 * context too, through wrappers of wrappers (a worklist over the
 * parameters); a function stored into a callback field the models describe
 * (`ev_io.cb`) runs in that field's context, wherever the store is.  The
 * strongest context wins (context_rank).  Linear in the registrations and
 * the parameter edges.
 */
#include "program_internal.h"

#include <stdlib.h>
#include <string.h>

static int context_rank(tl_context_kind k) {
    return k == TL_CTX_COROUTINE || k == TL_CTX_LOOP_CALLBACK ? 2 : k == TL_CTX_THREAD ? 1 : 0;
}

static void set_context(tl_program *p, int fn, tl_context_kind kind, bool readiness, const char *library,
                        const char *via, const char *wrapper, const char *in_func, tl_loc loc) {
    pnode *n = &p->nodes[fn];
    if (kind == TL_CTX_NONE) return;
    n->nregs_in++;
    if (n->has_ctx && context_rank(kind) < context_rank(n->ctx.kind)) return;
    if (n->has_ctx && context_rank(kind) == context_rank(n->ctx.kind)) {
        n->ctx.readiness = n->ctx.readiness && readiness;
        return;
    }
    n->has_ctx = true;
    n->ctx = (tl_prog_context){kind, readiness, library, via, wrapper, in_func, loc};
}

static void register_ref(tl_program *p, int f, const tl_sum_reg *r, ivec *wrap_work) {
    const pnode *n = &p->nodes[f];
    switch (r->target.kind) {
    case TL_REF_FUNC: {
        int defs[PG_MAX_DEFS_LINK];
        int nd = pg_resolve(p, n->unit, r->target.usr, defs, PG_MAX_DEFS_LINK);
        for (int d = 0; d < nd; d++) {
            set_context(p, defs[d], r->context, r->readiness, r->library, r->via, NULL, n->s->name, r->loc);
            if (r->cancel_bounded && r->context == TL_CTX_COROUTINE) p->nodes[defs[d]].nbounded_in++;
            pnode *t = &p->nodes[defs[d]];
            unsigned served = pg_reg_served_args(p, f, r);
            t->served_in = t->nfresh_regs == 0 ? served : t->served_in & served;
            t->fresh_in = t->nfresh_regs++ == 0 ? r->fresh_args : t->fresh_in & r->fresh_args;
        }
        break;
    }
    case TL_REF_FIELD:
    case TL_REF_GLOBAL: {
        int si = map_get(&p->fslot_by_usr, r->target.usr);
        if (si < 0) break;
        const fslot *s = &p->fslots[si];
        for (int k = 0; k < s->funcs.n; k++)
            set_context(p, s->funcs.v[k], r->context, r->readiness, r->library, r->via, NULL, n->s->name,
                        r->loc);
        break;
    }
    case TL_REF_PARAM: {
        if (r->target.param < 0 || r->target.param >= n->s->nparams) break;
        pparam *pp = &p->params[n->param_base + r->target.param];
        if (pp->wrapper && context_rank(pp->wrap_ctx) >= context_rank(r->context)) break;
        pp->wrapper = true;
        pp->wrap_ctx = r->context;
        pp->wrap_ready = r->readiness;
        pp->wrap_library = r->library;
        pp->wrap_via = r->via;
        pg_ivec_push(wrap_work, n->param_base + r->target.param);
        break;
    }
    default:
        break;
    }
}

/* Functions stored into a field the models describe as a callback field
 * (ev_io.cb), in any file: they run in its context. */
void pg_field_contexts(tl_program *p, tl_tu_summary *const *units, int nunits) {
    for (int u = 0; u < nunits; u++)
        for (int i = 0; i < units[u]->nstores; i++) {
            const tl_fn_store *st = &units[u]->stores[i];
            const tl_fn_model *m = tl_models_find_field(p->models, st->slot_usr);
            int defs[PG_MAX_DEFS_LINK];
            int nd = m ? pg_resolve(p, u, st->fn_usr, defs, PG_MAX_DEFS_LINK) : 0;
            for (int d = 0; d < nd; d++)
                set_context(p, defs[d], m->callback.context, m->callback.readiness, m->library, m->name, NULL,
                            NULL, st->loc);
        }
}

/* The node owning a global param index (binary search on param_base). */
int pg_node_of_param(const tl_program *p, int gp) {
    int lo = 0, hi = p->nnodes - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (p->nodes[mid].param_base <= gp) lo = mid;
        else hi = mid - 1;
    }
    /* nodes without params share a base: move to the one that has it */
    while (lo + 1 < p->nnodes && p->nodes[lo + 1].param_base <= gp && p->nodes[lo].s->nparams == 0) lo++;
    return lo;
}

void pg_discover_contexts(tl_program *p) {
    ivec wrap_work = {0};
    for (int f = 0; f < p->nnodes; f++)
        for (int i = 0; i < p->nodes[f].s->nregs; i++) register_ref(p, f, &p->nodes[f].s->regs[i], &wrap_work);
    /* a wrapper's parameter: whatever its callers pass there is registered */
    for (int w = 0; w < wrap_work.n; w++) {
        int gp = wrap_work.v[w];
        int g = pg_node_of_param(p, gp);
        int k = gp - p->nodes[g].param_base;
        const pparam *pp = &p->params[gp];
        for (int j = p->in_start[g]; j < p->in_start[g + 1]; j++) {
            const edge *ed = &p->edges[p->in_edges[j]];
            const pnode *caller = &p->nodes[ed->from];
            const tl_sum_call *c = &caller->s->calls[ed->call];
            if (k >= c->nargs) continue;
            const tl_sum_arg *a = &c->args[k];
            if (a->fn_usr) {
                int defs[PG_MAX_DEFS_LINK];
                int nd = pg_resolve(p, caller->unit, a->fn_usr, defs, PG_MAX_DEFS_LINK);
                for (int d = 0; d < nd; d++)
                    set_context(p, defs[d], pp->wrap_ctx, pp->wrap_ready, pp->wrap_library, pp->wrap_via,
                                p->nodes[g].s->name, caller->s->name, c->loc);
            } else if (a->param >= 0 && a->param < caller->s->nparams) {
                pparam *up = &p->params[caller->param_base + a->param];
                if (!up->wrapper) {
                    up->wrapper = true;
                    up->wrap_ctx = pp->wrap_ctx;
                    up->wrap_ready = pp->wrap_ready;
                    up->wrap_library = pp->wrap_library;
                    up->wrap_via = pp->wrap_via;
                    pg_ivec_push(&wrap_work, caller->param_base + a->param);
                }
            }
        }
    }
    free(wrap_work.v);
}
