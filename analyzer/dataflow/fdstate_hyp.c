/* fdstate_hyp.c - the extra runs of the descriptor-state dataflow
 * (fdstate.c) that summarise a function for its callers under hypotheses
 * about its integer parameters: one flag bit set or clear in each
 * (fds_run_hypotheses: the effect summaries of fdstate_effects.c and the
 * result under flags, returns_if), or each non-zero or zero
 * (fds_run_nz_hypotheses: the scalar parameters left non-blocking,
 * params_if).  Each is a constant number of runs of the same forward
 * dataflow (at most 16 and 8), replaying only the exit blocks.  Also
 * which functions the analysis serves at all (fds_relevant).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../program/program.h"
#include "../util/xalloc.h"
#include "fdstate.h"
#include "fdstate_internal.h"

/* Does any call of f have a facet this analysis serves, or call a function
 * whose result has a state? */
/* f stores into a struct field or a variable outside the stack (a slot of
 * fdstate_slots.c may be among them). */
static bool stores_outside(const tl_func *f) {
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind == TL_I_STORE) return true;
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nvars &&
                (f->vars[in->var].kind == TL_VAR_GLOBAL || f->vars[in->var].kind == TL_VAR_STATIC))
                return true;
        }
    return false;
}

/* `open_conn(c); ...; set_nb(c->fd);`: a struct handed to a program
 * function, a field of the same struct to one of another file (which may
 * leave it non-blocking, fdstate_later.c). */
static bool settles_fields(const tl_func *f, const tl_func_facts *ff) {
    unsigned char *seen = tl_xcalloc((size_t)f->nvars + 1, 1); /* 1 handed, 2 its field handed */
    bool both = false;
    for (int id = 0; id < ff->ncalls && !both; id++) {
        const tl_call *call = ff->calls[id].instr ? &ff->calls[id].instr->call : NULL;
        if (!call || ff->calls[id].model || !call->callee_usr || call->callee_system) continue;
        for (int a = 0; a < call->nargs && !both; a++) {
            const char *field;
            bool arrow;
            int v = fds_plain_var(call->args[a]), bit = 1;
            if (v < 0) v = fds_addr_var(call->args[a]);
            if (v < 0 && call->callee_func < 0) v = fds_member_var(call->args[a], &field, &arrow), bit = 2;
            if (v < 0 || v >= f->nvars) continue;
            seen[v] |= (unsigned char)bit;
            both = seen[v] == 3;
        }
    }
    free(seen);
    return both;
}

/* `c->fd = dial(...)`: a program function's result (directly, or through a
 * local) stored into a field of what a parameter points to - a descriptor
 * its callers may make non-blocking (fdstate_later.c). */
static bool stores_result_for_callers(const tl_func *f, const tl_func_facts *ff) {
    unsigned char *from_call = tl_xcalloc((size_t)f->nvars + 1, 1);
    bool found = false;
    for (int pass = 0; pass < 2 && !found; pass++)
        for (int bi = 0; bi < f->nblocks && !found; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs && !found; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                const tl_expr *v = tl_expr_uncast(in->value);
                bool result = v && v->kind == TL_E_CALLRES && v->call_id >= 0 && v->call_id < ff->ncalls &&
                              !ff->calls[v->call_id].model && ff->calls[v->call_id].instr &&
                              !ff->calls[v->call_id].instr->call.callee_system;
                if (!result && v && v->kind == TL_E_VAR && v->var >= 0 && v->var < f->nvars) result = from_call[v->var];
                if (pass == 0 && in->kind == TL_I_ASSIGN && result && in->var >= 0 && in->var < f->nvars)
                    from_call[in->var] = 1;
                const char *field;
                bool arrow;
                int base = in->kind == TL_I_STORE ? fds_member_var(in->target, &field, &arrow) : -1;
                if (pass == 1 && result && base >= 0 && base < f->nparams && arrow) found = true;
            }
    free(from_call);
    return found;
}

bool fds_relevant(const tl_func *f, const tl_func_facts *ff, const tl_fdstate_env *env) {
    const unsigned *func_returns = env->func_returns, *func_params_nb = env->func_params_nb;
    int nfuncs = env->nfuncs;
    const struct tl_program *program = env->program;
    bool hands_over = false; /* an argument handed to a program function of another file */
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_fn_model *m = ff->calls[id].model;
        if (m && (m->fd_state.present || m->readiness_wait.present || m->immediate_path.present ||
                  (m->blocking.present && (m->blocking.fd_io || m->blocking.unless_field_arg >= 0 ||
                                           m->blocking.unless_immediate_arg >= 0))))
            return true;
        int callee = ff->calls[id].instr ? ff->calls[id].instr->call.callee_func : -1;
        if (func_returns && callee >= 0 && callee < nfuncs && func_returns[callee]) return true;
        if (func_params_nb && callee >= 0 && callee < nfuncs && func_params_nb[callee]) return true;
        if (env->func_params_if && callee >= 0 && callee < nfuncs && env->func_params_if[callee].niparams)
            return true;
        if (env->func_returns_if && callee >= 0 && callee < nfuncs &&
            (env->func_returns_if[callee].ok[0] | env->func_returns_if[callee].ok[1]))
            return true;
        const tl_call *call = ff->calls[id].instr ? &ff->calls[id].instr->call : NULL;
        if (!program && call && !m && callee < 0 && call->callee_usr && !call->callee_system && call->nargs > 0)
            hands_over = true;
        unsigned nb, moded;
        char rkey[264];
        if (program && call && callee < 0 && call->callee_usr && !call->callee_system && strlen(call->callee_usr) < 250) {
            snprintf(rkey, sizeof rkey, "r:%s", call->callee_usr); /* a function of another file */
            if ((tl_program_param_modes(program, call->callee_usr, &nb, &moded) && (nb || moded)) ||
                tl_program_fd_slot_nonblocking(program, rkey))
                return true;
            const tl_fd_params_if *q;
            const tl_fd_returns_if *r;
            tl_program_conditional(program, call->callee_usr, &q, &r);
            if (q || r) return true;
        }
    }
    /* before the link: a helper of another file may leave what it is handed
       non-blocking (a via, fdstate_later.c), which matters where the value is
       stored outside the stack */
    if (!program && env->slot_stores && stores_result_for_callers(f, ff)) return true;
    return hands_over && env->slot_stores && (stores_outside(f) || settles_fields(f, ff));
}

/* Effect summaries (fdstate_effects.c): what the exits of the run just
 * replayed give unconditionally, then, for each flag bit and each
 * assignment of it to the integer parameters (at most 2 x 2^3 runs of
 * this function: a constant factor), what the exits give under that
 * hypothesis, with the branches it decides pruned. */
void fds_run_hypotheses(fd_ctx *c, const fds_effect_plan *plan) {
    const tl_func *f = c->f;
    bool *always = tl_xcalloc((size_t)c->nslots + 1, sizeof *always);
    int nalways = c->nslots;
    if (c->eff_exited) fds_effects_record(c, "*", NULL, 0);
    for (int j = 0; c->eff_exited && j < c->neff; j++) always[c->eff_slots[j]] = true;
    unsigned char *hyp = tl_xcalloc((size_t)f->nparams + 1, 1);
    tl_fd_returns_if *ri = &c->ff->returns_if;
    memset(ri, 0, sizeof *ri);
    if (plan->returns) {
        ri->nmasks = (unsigned char)plan->nmasks;
        ri->niparams = (unsigned char)plan->niparams;
        memcpy(ri->masks, plan->masks, sizeof ri->masks);
        memcpy(ri->iparams, plan->iparams, sizeof ri->iparams);
    }
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
            c->hyp_returned = false;
            c->hyp_return_bits = 0;
            tl_dataflow_result res;
            memset(&res, 0, sizeof res);
            if (fds_forward(c, &res) == 0) {
                c->hyp_replay = true;
                fds_replay_exits(c, &res, fds_effects_at_exit);
                c->hyp_replay = false;
                if (c->eff_exited) fds_effects_record(c, cond, always, nalways);
                /* no return of a descriptor under it (only `return -1`): nothing to block on */
                if (plan->returns && (!c->hyp_returned || (c->hyp_return_bits & TL_FDS_NONBLOCKING)) &&
                    c->work <= c->budget)
                    c->ff->returns_if.ok[mk] |= (unsigned char)(1u << bits);
            }
            tl_dataflow_free(&res);
        }
    c->hyp_mask = 0;
    c->hyp_param = NULL;
    free(hyp);
    free(always);
}

/* Non-zero hypotheses (`set_block(fd, on)`): for each assignment of "not
 * 0" to the integer parameters (at most 8 runs of f), with the branches it
 * decides pruned and the flag bit followed as in the main run, the scalar
 * parameters non-blocking at every exit that returns no negative constant. */
void fds_run_nz_hypotheses(fd_ctx *c, const fds_effect_plan *plan) {
    const tl_func *f = c->f;
    tl_fd_params_if *q = &c->ff->params_if;
    unsigned char *nz = tl_xcalloc((size_t)f->nparams + 1, 1);
    bool exited = c->params_exited, gained = false;
    unsigned main_nb = c->params_nb;
    c->assigned = fds_assigned_params(f);
    c->hyp_mask = fds_flag_mask(c);
    for (int a = 0; a < (1 << plan->niparams); a++) {
        for (int j = 0; j < plan->niparams; j++) nz[plan->iparams[j]] = (a >> j) & 1 ? FDS_HB_ONE : FDS_HB_ZERO;
        c->nz_param = nz;
        c->params_exited = false;
        c->params_nb = 0;
        c->work = 0;
        tl_dataflow_result res;
        memset(&res, 0, sizeof res);
        q->nb[a] = 0;
        if (fds_forward(c, &res) == 0) {
            fds_replay_exits(c, &res, fds_params_at_exit);
            /* (no exit reached under it: no call of f returns so; still nothing claimed) */
            if (c->params_exited && c->work <= c->budget) q->nb[a] = c->params_nb & ~c->assigned;
            gained |= (q->nb[a] & ~main_nb) != 0;
        }
        tl_dataflow_free(&res);
    }
    if (gained) {
        q->niparams = (unsigned char)plan->niparams;
        memcpy(q->iparams, plan->iparams, sizeof q->iparams);
    } else {
        memset(q, 0, sizeof *q);
    }
    c->nz_param = NULL;
    c->hyp_mask = 0;
    c->params_exited = exited;
    c->params_nb = main_nb;
    free(nz);
}
