/* fdstate_run.c - the driver of the descriptor-state analysis of one
 * function (tl_fdstate_run, fdstate.h): which functions it serves, the
 * forward dataflow over fdstate.c's lattice and transfer (fds_ops), the
 * replay of each reached block that records the calls' facts and the
 * slot stores (fdstate_slots.c), and the runs under flag hypotheses for
 * effect summaries (fdstate_effects.c).  Split from fdstate.c as a pure
 * move.
 */
#include "fdstate.h"
#include "fdstate_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/str_map.h"
#include "../util/xalloc.h"
#include "dataflow.h"
#include "liveness.h"

/* Does any call of f have a facet this analysis serves, or call a function
 * whose result has a state? */
static bool relevant(const tl_func_facts *ff, const unsigned *func_returns, const unsigned *func_params_nb,
                     int nfuncs) {
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        if (m && (m->fd_state.present || m->readiness_wait.present || m->immediate_path.present ||
                  (m->blocking.present && (m->blocking.fd_io || m->blocking.unless_field_arg >= 0 ||
                                           m->blocking.unless_immediate_arg >= 0))))
            return true;
        int callee = ff->calls[id].instr ? ff->calls[id].instr->call.callee_func : -1;
        if (func_returns && callee >= 0 && callee < nfuncs && func_returns[callee]) return true;
        if (func_params_nb && callee >= 0 && callee < nfuncs && func_params_nb[callee]) return true;
    }
    return false;
}

/* Effect summaries (fdstate_effects.c): what the exits of the run just
 * replayed give unconditionally, then, for each flag bit and each
 * assignment of it to the integer parameters (at most 2 x 2^3 runs of
 * this function: a constant factor), what the exits give under that
 * hypothesis, with the branches it decides pruned. */
static void run_hypotheses(fd_ctx *c, const fds_effect_plan *plan) {
    const tl_func *f = c->f;
    bool *always = tl_xcalloc((size_t)c->nslots + 1, sizeof *always);
    int nalways = c->nslots;
    if (c->eff_exited) fds_effects_record(c, "*", NULL, 0);
    for (int j = 0; c->eff_exited && j < c->neff; j++) always[c->eff_slots[j]] = true;
    unsigned char *hyp = tl_xcalloc((size_t)f->nparams + 1, 1);
    for (int mk = 0; mk < plan->nmasks; mk++)
        for (int bits = 0; plan->niparams && bits < (1 << plan->niparams); bits++) {
            char cond[96];
            int at = snprintf(cond, sizeof cond, "%lld:", (long long)plan->masks[mk]);
            for (int k = 0; k < plan->niparams; k++) {
                int one = (bits >> k) & 1;
                hyp[plan->iparams[k]] = one ? FDS_HB_ONE : FDS_HB_ZERO;
                at += snprintf(cond + at, sizeof cond - (size_t)at, "%s%d=%d", k ? "," : "", plan->iparams[k], one);
            }
            c->hyp_mask = plan->masks[mk];
            c->hyp_param = hyp;
            c->eff_exited = false;
            c->neff = 0;
            c->work = 0;
            tl_dataflow_result res;
            memset(&res, 0, sizeof res);
            if (tl_dataflow_forward(f, &fds_ops, c, &res) == 0) {
                fd_state s;
                for (int bi = 0; bi < f->nblocks; bi++) {
                    if (!res.reached || !res.reached[bi] || f->blocks[bi].term != TL_T_EXIT) continue;
                    fds_state_bottom(c, &s);
                    fds_state_copy(c, &s, tl_dataflow_in(&res, bi));
                    for (int i = 0; !s.top && i < f->blocks[bi].ninstrs; i++) fds_apply(c, &s, &f->blocks[bi].instrs[i], false);
                    fds_effects_at_exit(c, &s, &f->blocks[bi]);
                    fds_state_destroy(c, &s);
                }
                if (c->eff_exited) fds_effects_record(c, cond, always, nalways);
            }
            tl_dataflow_free(&res);
        }
    c->hyp_mask = 0;
    c->hyp_param = NULL;
    free(hyp);
    free(always);
}

int tl_fdstate_run(const tl_func *f, tl_func_facts *ff, const tl_fdstate_env *env) {
    ff->returns_fd_state = 0;
    fd_ctx c;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.ff = ff;
    c.stores = env->slot_stores;
    c.program = env->program;
    ff->params_nonblocking = ff->params_moded = 0;
    if (!relevant(ff, env->func_returns, env->func_params_nb, env->nfuncs) && !env->readiness) {
        fds_record_slots_unknown(&c); /* its stores, with no state known */
        fds_record_slots_done(&c, false);
        return 0;
    }
    c.readiness = env->readiness;
    c.ready_param = env->ready_param;
    c.ready_param2 = env->ready_param2;
    c.ready_field = env->ready_param >= 0 ? env->ready_field : NULL;
    c.func_returns = env->func_returns;
    c.func_params_nb = env->func_params_nb;
    c.f_count = env->nfuncs;
    const tl_str_map *watched_fields = env->watched_fields, *global_nonblocking = env->global_nonblocking;
    c.watched = watched_fields && tl_str_map_count(watched_fields) ? watched_fields : NULL;
    c.global_nb = global_nonblocking && tl_str_map_count(global_nonblocking) ? global_nonblocking : NULL;
    c.nvars = f->nvars;
    c.budget = tl_dataflow_budget(f);
    tl_str_map_init(&c.slots);
    c.result_bits = tl_xcalloc((size_t)ff->ncalls + 1, sizeof *c.result_bits);
    c.has_slots = tl_xcalloc((size_t)f->nvars + 1, sizeof *c.has_slots);
    c.is_src = tl_xcalloc((size_t)f->nvars + 1, sizeof *c.is_src);
    fds_effect_plan plan;
    fds_effects_plan(&c, &plan); /* sets c.pinned when f may have an effect summary */
    tl_dataflow_result res;
    memset(&res, 0, sizeof res);
    int rc = -1;
    bool *all = tl_xmalloc((size_t)f->nvars + 1);
    memset(all, 1, (size_t)f->nvars + 1);
    /* the live-in lists may take a 16th of the budget (as in constprop.c) */
    if (tl_liveness_compute(f, all, c.budget / 16, &c.live)) rc = tl_dataflow_forward(f, &fds_ops, &c, &res);
    free(all);
    if (rc == 0) {
        /* replay each reached block from its in-state and record the calls */
        fd_state s;
        for (int bi = 0; bi < f->nblocks; bi++) {
            if (!res.reached || !res.reached[bi]) continue;
            fds_state_bottom(&c, &s);
            fds_state_copy(&c, &s, tl_dataflow_in(&res, bi));
            for (int i = 0; !s.top && i < f->blocks[bi].ninstrs; i++) {
                fds_record_slots(&c, &s, &f->blocks[bi].instrs[i]);
                fds_apply(&c, &s, &f->blocks[bi].instrs[i], true);
            }
            fds_record_slot_escapes(&c, f->blocks[bi].cond);
            fds_effects_at_exit(&c, &s, &f->blocks[bi]);
            fds_params_at_exit(&c, &s, &f->blocks[bi]);
            fds_state_destroy(&c, &s);
        }
        if (c.pinned) run_hypotheses(&c, &plan);
    } else {
        fds_record_slots_unknown(&c);
    }
    if (rc == 0 && c.returned) ff->returns_fd_state = c.return_bits;
    if (rc == 0 && c.params_exited) ff->params_nonblocking = c.params_nb & ~fds_assigned_params(f);
    ff->params_moded = fds_moded_params(f, ff) & ~ff->params_nonblocking;
    fds_record_slots_done(&c, ff->returns_fd_state & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE));
    tl_dataflow_free(&res);
    tl_liveness_free(&c.live);
    tl_str_map_free(&c.slots);
    free(c.slot_var);
    free(c.slot_arrow);
    free(c.slot_elem);
    free(c.pinned);
    free(c.eff_slots);
    free(c.has_slots);
    free(c.is_src);
    free(c.result_bits);
    return rc;
}
