/* fdstate_run.c - the driver of the descriptor-state analysis of one
 * function (tl_fdstate_run, fdstate.h): which functions it serves, the
 * forward dataflow over fdstate.c's lattice and transfer (fds_ops), the
 * replay of each reached block that records the calls' facts and the
 * slot stores (fdstate_slots.c), then the runs under hypotheses
 * (fdstate_hyp.c: effect summaries, results under flags, parameters left
 * non-blocking under non-zero arguments).  Split from fdstate.c (the
 * hypothesis runs came after).
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

int tl_fdstate_run(const tl_func *f, tl_func_facts *ff, const tl_fdstate_env *env) {
    ff->returns_fd_state = 0;
    free(ff->returns_via);
    ff->returns_via = NULL;
    fd_ctx c;
    memset(&c, 0, sizeof c);
    c.f = f;
    c.ff = ff;
    c.stores = env->slot_stores;
    c.program = env->program;
    c.rec_block = c.rec_index = -1;
    ff->params_nonblocking = ff->params_moded = 0;
    memset(&ff->returns_if, 0, sizeof ff->returns_if);
    memset(&ff->params_if, 0, sizeof ff->params_if);
    if (!fds_relevant(f, ff, env) && !env->readiness) {
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
    c.func_returns_if = env->func_returns_if;
    c.func_params_if = env->func_params_if;
    c.func_returns_via = env->func_returns_via;
    for (int id = 0; id < ff->ncalls && !c.flags_mask; id++) /* fcntl(fd, F_GETFL) */
        if (ff->calls[id].model && ff->calls[id].model->fd_flags.present) c.flags_mask = ff->calls[id].model->fd_flags.mask;
    c.f_count = env->nfuncs;
    const tl_str_map *watched_fields = env->watched_fields, *global_nonblocking = env->global_nonblocking;
    c.watched = watched_fields && tl_str_map_count(watched_fields) ? watched_fields : NULL;
    c.global_nb = global_nonblocking && tl_str_map_count(global_nonblocking) ? global_nonblocking : NULL;
    c.nvars = f->nvars;
    c.budget = tl_dataflow_budget(f);
    tl_str_map_init(&c.slots);
    c.result_bits = tl_xcalloc((size_t)ff->ncalls + 1, sizeof *c.result_bits);
    c.result_via = tl_xcalloc((size_t)ff->ncalls + 1, sizeof *c.result_via);
    c.has_slots = tl_xcalloc((size_t)f->nvars + 1, sizeof *c.has_slots);
    c.is_src = tl_xcalloc((size_t)f->nvars + 1, sizeof *c.is_src);
    fds_effect_plan plan;
    bool hyp = fds_effects_plan(&c, &plan); /* sets c.pinned when f may have an effect summary */
    tl_dataflow_result res;
    memset(&res, 0, sizeof res);
    int rc = -1;
    bool *all = tl_xmalloc((size_t)f->nvars + 1);
    memset(all, 1, (size_t)f->nvars + 1);
    /* the main run follows the flag bit through integer variables (no
       hypothesis on the parameters: only what the code sets or clears) */
    c.hyp_mask = fds_flag_mask(&c);
    /* the live-in lists may take a 16th of the budget (as in constprop.c) */
    if (tl_liveness_compute(f, all, c.budget / 16, true, &c.live)) rc = tl_dataflow_forward(f, &fds_ops, &c, &res);
    free(all);
    if (rc == 0) {
        /* replay each reached block from its in-state and record the calls */
        fd_state s;
        for (int bi = 0; bi < f->nblocks; bi++) {
            if (!res.reached || !res.reached[bi]) continue;
            fds_state_bottom(&c, &s);
            fds_state_copy(&c, &s, tl_dataflow_in(&res, bi));
            for (int i = 0; !s.top && i < f->blocks[bi].ninstrs; i++) {
                c.rec_block = bi;
                c.rec_index = i;
                fds_record_slots(&c, &s, &f->blocks[bi].instrs[i]);
                fds_apply(&c, &s, &f->blocks[bi].instrs[i], true);
            }
            c.rec_block = c.rec_index = -1;
            fds_record_slot_escapes(&c, f->blocks[bi].cond);
            fds_effects_at_exit(&c, &s, &f->blocks[bi]);
            fds_params_at_exit(&c, &s, &f->blocks[bi]);
            fds_state_destroy(&c, &s);
        }
        c.hyp_mask = 0;
        if (hyp && (c.pinned || !(c.returned && (c.return_bits & TL_FDS_NONBLOCKING))))
            fds_run_hypotheses(&c, &plan);
        unsigned main_nb = c.params_exited ? c.params_nb & ~fds_assigned_params(f) : 0;
        if (plan.nz && plan.niparams && (fds_moded_params(f, ff) & ~main_nb))
            fds_run_nz_hypotheses(&c, &plan); /* set_block(fd, on) */
    } else {
        fds_record_slots_unknown(&c);
    }
    if (rc == 0 && c.returned) ff->returns_fd_state = c.return_bits;
    if (rc == 0 && c.returned && c.return_via_ok && c.return_via && !(c.return_bits & TL_FDS_NONBLOCKING))
        ff->returns_via = tl_xstrdup(c.vias[c.return_via - 1]); /* (before the vias go) */
    if (rc == 0 && c.params_exited) ff->params_nonblocking = c.params_nb & ~fds_assigned_params(f);
    ff->params_moded = fds_moded_params(f, ff) & ~ff->params_nonblocking;
    fds_record_slots_done(&c, ff->returns_fd_state & (TL_FDS_NONBLOCKING | TL_FDS_IMMEDIATE));
    tl_dataflow_free(&res);
    tl_liveness_free(&c.live);
    tl_str_map_free(&c.slots);
    free(c.slot_var);
    free(c.slot_arrow);
    free(c.slot_usr);
    free(c.slot_elem);
    free(c.pinned);
    free(c.eff_slots);
    free(c.has_slots);
    free(c.is_src);
    free(c.result_bits);
    free(c.result_via);
    return rc;
}
