/* fdstate_effects.c - effect summaries of the descriptor-state analysis
 * (fdstate.c): "F leaves element k of its pointer parameter P non-blocking
 * when it returns (a negative constant aside), always or when its integer
 * parameters have these values of one flag bit".
 *
 * A project helper often makes the descriptors it is handed non-blocking
 * only when a flag argument says so (`make_pipe(fds, O_NONBLOCK, 0)`:
 * pipe() then `if (rflags) fcntl(fds[0], F_SETFL, rflags)`).  The summary
 * is found by running F's descriptor dataflow once per hypothesis: for one
 * flag bit B (the mask of an fd_state facet's if_flag that F calls), each
 * integer parameter has B set or clear (at most 3 parameters and 2 bits:
 * at most 16 runs of one function, a constant factor).  Under a hypothesis
 * integer variables carry the value of bit B (FDS_HB_*: `|`, `&`, `^`, `~`
 * and constants are followed, anything else is not known), an fd_state call
 * whose flag argument has B set applies, and a branch the bit decides
 * (`if (rflags)`, `(x | A) == (y | A)` with B differing) follows one edge
 * only.  What holds at every exit is recorded as the store
 * "n:USR#P[k]" (tl_slot_stores, kind non-blocking) with its condition
 * ("*", or "B:i=1,j=0": parameter i has B, j has not); a call passing a
 * global or field array to F with constant flag arguments is resolved
 * against it at link time (analyzer/program/fd_slots.c).
 *
 * The same exits give the plainer fact for scalar parameters
 * (fds_params_at_exit): `set_nb(fd)` leaves fd non-blocking at every return
 * that is not a negative constant, fd neither assigned nor addressed in F;
 * a call of F in the same TU makes its argument non-blocking (fdstate.c,
 * func_params_nb), and a call of a function that hands the parameter to a
 * mode-changing call without that guarantee (fds_moded_params) leaves it
 * not known.
 *
 * Only pointer or array parameters that never escape qualify: F reads and
 * writes them at constant indexes only, hands them bare to library calls
 * only (pipe2, which the models describe), never assigns them nor takes
 * their address; their element slots are kept in the state everywhere
 * (pinned), whatever the liveness of the pointer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/xalloc.h"
#include "fdstate.h"
#include "fdstate_internal.h"

#define FDS_MAX_EFFECTS 16 /* elements per function and hypothesis */

bool fds_hbit_var_ok(const fd_ctx *c, int v) {
    if (!c->hyp_mask || v < 0 || v >= c->nvars) return false;
    int pos = 0;
    while (pos < 63 && !((c->hyp_mask >> pos) & 1)) pos++;
    return c->f->vars[v].int_bits > pos && c->f->vars[v].int_bits > 1; /* holds the bit (not a bool, a char) */
}

unsigned fds_hbit(fd_ctx *c, fd_state *s, const tl_expr *e) {
    if (!e || !c->hyp_mask) return FDS_HB_UNKNOWN; /* (an explicit cast may narrow: not known) */
    switch (e->kind) {
    case TL_E_CONST:
        return (e->ival & c->hyp_mask) ? FDS_HB_ONE : FDS_HB_ZERO;
    case TL_E_VAR:
        return fds_hbit_var_ok(c, e->var) ? fds_var_hbit(s, e->var) : FDS_HB_UNKNOWN;
    case TL_E_UNARY: {
        if (e->nkids != 1 || strcmp(e->op, "~") != 0) return FDS_HB_UNKNOWN;
        unsigned a = fds_hbit(c, s, e->kids[0]);
        return a == FDS_HB_ONE ? FDS_HB_ZERO : a == FDS_HB_ZERO ? FDS_HB_ONE : FDS_HB_UNKNOWN;
    }
    case TL_E_BINARY: {
        if (e->nkids != 2) return FDS_HB_UNKNOWN;
        unsigned a = fds_hbit(c, s, e->kids[0]), b = fds_hbit(c, s, e->kids[1]);
        if (!strcmp(e->op, "|")) {
            if (a == FDS_HB_ONE || b == FDS_HB_ONE) return FDS_HB_ONE;
            return a == FDS_HB_ZERO && b == FDS_HB_ZERO ? FDS_HB_ZERO : FDS_HB_UNKNOWN;
        }
        if (!strcmp(e->op, "&")) {
            if (a == FDS_HB_ZERO || b == FDS_HB_ZERO) return FDS_HB_ZERO;
            return a == FDS_HB_ONE && b == FDS_HB_ONE ? FDS_HB_ONE : FDS_HB_UNKNOWN;
        }
        if (!strcmp(e->op, "^") && a != FDS_HB_UNKNOWN && b != FDS_HB_UNKNOWN)
            return a == b ? FDS_HB_ZERO : FDS_HB_ONE;
        return FDS_HB_UNKNOWN;
    }
    default:
        return FDS_HB_UNKNOWN;
    }
}

int fds_truth(fd_ctx *c, fd_state *s, const tl_expr *e) {
    if (e && c->nz_param && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->f->nparams && e->var < 32 &&
        !((c->assigned >> e->var) & 1u) && c->nz_param[e->var] != FDS_HB_UNKNOWN)
        return c->nz_param[e->var] == FDS_HB_ONE; /* `if (on)` under a non-zero hypothesis */
    if (!e || (!c->hyp_mask && !c->nz_param)) return -1; /* (casts are not looked through: they may narrow) */
    if (e->kind == TL_E_UNARY && e->nkids == 1 && !strcmp(e->op, "!")) {
        int t = fds_truth(c, s, e->kids[0]);
        return t < 0 ? -1 : !t;
    }
    if (e->kind == TL_E_BINARY && e->nkids == 2 && (!strcmp(e->op, "==") || !strcmp(e->op, "!="))) {
        unsigned a = fds_hbit(c, s, e->kids[0]), b = fds_hbit(c, s, e->kids[1]);
        if (a == FDS_HB_UNKNOWN || b == FDS_HB_UNKNOWN || a == b) return -1; /* equal bits say nothing */
        return e->op[0] == '!'; /* the bit differs: the values differ */
    }
    if (e->kind == TL_E_BINARY && e->nkids == 2 && (!strcmp(e->op, "&&") || !strcmp(e->op, "||"))) {
        int a = fds_truth(c, s, e->kids[0]), b = fds_truth(c, s, e->kids[1]);
        if (e->op[0] == '&') return a == 0 || b == 0 ? 0 : a == 1 && b == 1 ? 1 : -1;
        return a == 1 || b == 1 ? 1 : a == 0 && b == 0 ? 0 : -1;
    }
    if (e->kind == TL_E_CONST || e->kind == TL_E_VAR || e->kind == TL_E_UNARY || e->kind == TL_E_BINARY)
        return fds_hbit(c, s, e) == FDS_HB_ONE ? 1 : -1; /* a set bit: not zero */
    return -1;
}

/* Parameters in e that escape: a bare use (`p`, `p + 1`, `*p`, `&p[0]`),
 * except as p[constant] or, with bare_ok, as a whole argument. */
static void escapes(const tl_func *f, bool *pin, const tl_expr *e, bool bare_ok) {
    if (!e) return;
    if (e->kind == TL_E_CAST && e->nkids == 1) {
        escapes(f, pin, e->kids[0], bare_ok);
        return;
    }
    if (e->kind == TL_E_VAR) {
        if (!bare_ok && e->var >= 0 && e->var < f->nparams) pin[e->var] = false;
        return;
    }
    if (e->kind == TL_E_INDEX && e->nkids == 2) {
        const tl_expr *ix = tl_expr_uncast(e->kids[1]);
        escapes(f, pin, e->kids[0], ix && ix->kind == TL_E_CONST);
        escapes(f, pin, e->kids[1], false);
        return;
    }
    if (e->kind == TL_E_ADDR) { /* &p[0]: an element written elsewhere */
        for (int k = 0; k < e->nkids; k++) {
            const tl_expr *x = tl_expr_uncast(e->kids[k]);
            while (x && x->kind == TL_E_INDEX && x->nkids == 2) {
                escapes(f, pin, x->kids[1], false);
                x = tl_expr_uncast(x->kids[0]);
            }
            escapes(f, pin, x, false);
        }
        return;
    }
    for (int k = 0; k < e->nkids; k++) escapes(f, pin, e->kids[k], false);
}

/* Does a branch condition test an integer parameter for truth (`on`, `!on`,
 * `a && on`)? */
static bool cond_nz(const fds_effect_plan *pl, const tl_expr *e, int depth) {
    e = tl_expr_uncast(e);
    if (!e || depth > 32) return false;
    if (e->kind == TL_E_VAR) {
        for (int j = 0; j < pl->niparams; j++)
            if (pl->iparams[j] == e->var) return true;
        return false;
    }
    if ((e->kind == TL_E_UNARY && e->nkids == 1 && !strcmp(e->op, "!")) ||
        (e->kind == TL_E_BINARY && e->nkids == 2 && (!strcmp(e->op, "&&") || !strcmp(e->op, "||") ||
                                                     !strcmp(e->op, "==") || !strcmp(e->op, "!="))))
        for (int k = 0; k < e->nkids; k++)
            if (cond_nz(pl, e->kids[k], depth + 1)) return true;
    return false;
}

/* The lowest bit of C in a branch condition testing `P & C` (P one of the
 * integer parameters the hypotheses range over), added to the plan's masks. */
static void cond_masks(const fds_effect_plan *pl, int64_t *masks, int *n, const tl_expr *e, int depth) {
    if (!e || depth > 32 || *n >= 2) return;
    if (e->kind == TL_E_BINARY && e->nkids == 2 && !strcmp(e->op, "&")) {
        for (int side = 0; side < 2; side++) {
            const tl_expr *v = tl_expr_uncast(e->kids[side]), *k = tl_expr_uncast(e->kids[!side]);
            if (!v || v->kind != TL_E_VAR || !k || k->kind != TL_E_CONST || k->ival == 0) continue;
            bool iparam = false;
            for (int j = 0; j < pl->niparams; j++) iparam |= pl->iparams[j] == v->var;
            int64_t bit = k->ival & -k->ival;
            bool seen = !iparam;
            for (int j = 0; j < *n; j++) seen |= masks[j] == bit;
            if (!seen && *n < 2) masks[(*n)++] = bit;
        }
    }
    for (int k = 0; k < e->nkids; k++) cond_masks(pl, masks, n, e->kids[k], depth + 1);
}

int64_t fds_flag_mask(const fd_ctx *c) {
    for (int id = 0; id < c->ff->ncalls; id++) {
        const tl_fn_model *m = c->ff->calls[id].model;
        if (m && m->fd_state.present && m->fd_state.if_flag_arg >= 0 && (m->fd_state.sets & TL_FDS_NONBLOCKING) &&
            m->fd_state.if_flag_mask)
            return m->fd_state.if_flag_mask & -m->fd_state.if_flag_mask;
    }
    return 0;
}

bool fds_effects_plan(fd_ctx *c, fds_effect_plan *plan) {
    const tl_func *f = c->f;
    memset(plan, 0, sizeof *plan);
    c->pinned = NULL;
    if (!f->usr || strlen(f->usr) > 200 || f->nparams <= 0) return false;
    bool *pin = tl_xcalloc((size_t)f->nvars + 1, sizeof *pin);
    bool any = false;
    int nint = 0;
    for (int p = 0; p < f->nparams && p < f->nvars; p++) {
        const tl_var *v = &f->vars[p];
        if (v->is_record) continue;
        if (v->is_pointer || v->is_array) pin[p] = any = true;
        else if (v->int_bits > 1 && nint++ < 3) plan->iparams[plan->niparams++] = p;
    }
    if (nint > 3) plan->niparams = 0; /* too many to range over: unconditional effects only */
    any &= c->stores != NULL;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if (in->kind == TL_I_RETURN && in->value && !fds_negative_const(in->value)) plan->returns = true;
            if (!any) continue;
            if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < f->nparams) pin[in->var] = false;
            escapes(f, pin, in->value, false);
            escapes(f, pin, in->target, false);
            if (in->kind != TL_I_CALL) continue;
            const tl_call *call = &in->call;
            const tl_call_facts *cf = call->id >= 0 && call->id < c->ff->ncalls ? &c->ff->calls[call->id] : NULL;
            bool library = call->callee_system || (cf && cf->model); /* described by the models: keeps nothing */
            for (int a = 0; a < call->nargs; a++) escapes(f, pin, call->args[a], library);
            escapes(f, pin, call->fn, false);
        }
        if (any) escapes(f, pin, b->cond, false);
    }
    bool pinned = false;
    for (int p = 0; any && p < f->nparams && p < f->nvars; p++) pinned |= pin[p];
    for (int id = 0; pinned && id < c->ff->ncalls && plan->nmasks < 2; id++) {
        const tl_fn_model *m = c->ff->calls[id].model;
        if (!m || !m->fd_state.present || m->fd_state.if_flag_arg < 0 || !(m->fd_state.sets & TL_FDS_NONBLOCKING))
            continue;
        int64_t bit = m->fd_state.if_flag_mask & -m->fd_state.if_flag_mask; /* one bit of the mask */
        bool seen = bit == 0;
        for (int k = 0; k < plan->nmasks; k++) seen |= plan->masks[k] == bit;
        if (!seen) plan->masks[plan->nmasks++] = bit;
    }
    /* the result under hypotheses: the bits of flag parameters the branches
       test (`if (flags & NONBLOCK) set_nb(s)`), when no return gives a
       negative constant only */
    for (int bi = 0; plan->returns && plan->niparams && bi < f->nblocks; bi++)
        cond_masks(plan, plan->masks, &plan->nmasks, f->blocks[bi].cond, 0);
    for (int bi = 0; plan->niparams && !plan->nz && bi < f->nblocks; bi++)
        plan->nz = cond_nz(plan, f->blocks[bi].cond, 0);
    if (!pinned) {
        free(pin);
        pin = NULL;
    }
    c->pinned = pin;
    return pin || (plan->returns && plan->nmasks && plan->niparams);
}

unsigned fds_params_if_bits(fd_ctx *c, const tl_call_facts *cf, const tl_fd_params_if *q) {
    unsigned all = ~0u;
    bool any = false;
    for (int a = 0; q && q->niparams && a < (1 << q->niparams); a++) {
        bool consistent = true; /* the arguments may be (not) zero so */
        for (int j = 0; consistent && j < q->niparams; j++) {
            int want = (a >> j) & 1;
            const tl_cval *cv = fds_argv_of(cf, q->iparams[j]);
            const tl_expr *x = tl_expr_uncast(fds_arg_of(cf, q->iparams[j]));
            if (cv && cv->kind == TL_CV_INT)
                consistent = (cv->v != 0) == want;
            else if (x && c->nz_param && x->kind == TL_E_VAR && x->var >= 0 && x->var < c->f->nparams &&
                     x->var < 32 && !((c->assigned >> x->var) & 1u) && c->nz_param[x->var] != FDS_HB_UNKNOWN)
                consistent = (c->nz_param[x->var] == FDS_HB_ONE) == want; /* the caller's own hypothesis */
        }
        if (!consistent) continue;
        all &= q->nb[a];
        any = true;
    }
    return any ? all : 0;
}

unsigned fds_returns_if_bits(fd_ctx *c, fd_state *s, const tl_call_facts *cf, const tl_fd_returns_if *r) {
    for (int mk = 0; r && mk < r->nmasks; mk++) {
        bool all = true;
        for (int a = 0; all && a < (1 << r->niparams); a++) {
            bool consistent = true; /* the arguments may have these bits */
            for (int j = 0; consistent && j < r->niparams; j++) {
                int want = (a >> j) & 1;
                const tl_cval *cv = fds_argv_of(cf, r->iparams[j]);
                if (cv && cv->kind == TL_CV_INT) {
                    consistent = ((cv->v & r->masks[mk]) != 0) == want;
                } else if (c->hyp_mask == r->masks[mk]) { /* the caller's own hypothesis */
                    unsigned hb = fds_hbit(c, s, fds_arg_of((tl_call_facts *)cf, r->iparams[j]));
                    if (hb != FDS_HB_UNKNOWN) consistent = (hb == FDS_HB_ONE) == want;
                }
            }
            if (consistent && !((r->ok[mk] >> a) & 1)) all = false;
        }
        if (all) return TL_FDS_NONBLOCKING;
    }
    return 0;
}

void fds_effects_record(fd_ctx *c, const char *cond, bool *recorded, int nrecorded) {
    for (int j = 0; j < c->neff && j < FDS_MAX_EFFECTS; j++) { /* (the first few elements: link stays linear) */
        int slot = c->eff_slots[j];
        if (recorded && slot < nrecorded && recorded[slot]) continue;
        char key[280];
        snprintf(key, sizeof key, "n:%s#%d[%d]", c->f->usr, c->slot_var[slot], c->slot_elem[slot]);
        tl_slot_stores_add(c->stores, key, TL_SLOT_COPY, cond, true); /* (a copy: it has a source, the condition) */
    }
}

/* ---- exits: what a function leaves its parameters ---- */

/* The scalar parameters (below 32) f hands directly to a call whose model
 * changes a descriptor's state (fcntl(fd, F_SETFL, ...)): a call of f may
 * change the mode of what its caller passes there. */
unsigned fds_moded_params(const tl_func *f, const tl_func_facts *ff) {
    unsigned m = 0;
    for (int id = 0; id < ff->ncalls; id++) {
        const tl_call_facts *cf = &ff->calls[id];
        const tl_fn_model *md = cf->model;
        if (!cf->instr || !md || !md->fd_state.present || md->fd_state.result || md->fd_state.arg < 0) continue;
        const tl_expr *e = tl_expr_uncast(fds_arg_of((tl_call_facts *)cf, md->fd_state.arg));
        if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nparams && e->var < 32) m |= 1u << e->var;
    }
    return m;
}

/* Parameters (below 32) whose address e takes. */
static unsigned addressed_params(const tl_func *f, const tl_expr *e, int depth) {
    if (!e || depth > 64) return e ? ~0u : 0; /* too deep to tell: all of them */
    unsigned m = 0;
    if (e->kind == TL_E_ADDR && e->nkids == 1 && e->kids[0] && e->kids[0]->kind == TL_E_VAR &&
        e->kids[0]->var >= 0 && e->kids[0]->var < f->nparams && e->kids[0]->var < 32)
        m |= 1u << e->kids[0]->var;
    for (int k = 0; k < e->nkids; k++) m |= addressed_params(f, e->kids[k], depth + 1);
    return m;
}

/* The scalar parameters of f (below 32) that some instruction assigns or
 * whose address is taken: the caller's argument is not what they hold. */
unsigned fds_assigned_params(const tl_func *f) {
    unsigned m = 0;
    for (int bi = 0; bi < f->nblocks; bi++) {
        m |= addressed_params(f, f->blocks[bi].cond, 0);
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 && in->var < f->nparams &&
                in->var < 32)
                m |= 1u << in->var;
            m |= addressed_params(f, in->value, 0) | addressed_params(f, in->target, 0);
            if (in->kind == TL_I_CALL) {
                m |= addressed_params(f, in->call.fn, 0);
                for (int k = 0; k < in->call.nargs; k++) m |= addressed_params(f, in->call.args[k], 0);
            }
        }
    }
    return m;
}

/* At a return that is not a negative constant (an error return), which
 * scalar parameters hold a descriptor known non-blocking: the must-set of
 * all of them is the function's params_nonblocking. */
void fds_params_at_exit(fd_ctx *c, fd_state *s, const tl_block *b) {
    if (b->term != TL_T_EXIT || s->top || b == &c->f->blocks[c->f->exit]) return; /* (the join of them) */
    const tl_instr *last = b->ninstrs ? &b->instrs[b->ninstrs - 1] : NULL;
    if (last && last->kind == TL_I_RETURN && last->value && fds_negative_const(last->value)) return;
    unsigned m = 0;
    for (int p = 0; p < c->f->nparams && p < 32 && p < c->nvars; p++) {
        const tl_var *v = &c->f->vars[p];
        if (v->is_pointer || v->is_array) continue;
        if (fds_bits_of(s, p) & TL_FDS_NONBLOCKING) m |= 1u << p;
    }
    c->params_nb = c->params_exited ? c->params_nb & m : m;
    c->params_exited = true;
}

/* The end of block b (its state s) reaches the exit: unless it returns a
 * negative constant (an error: the caller does not use what it was given),
 * keep in eff_slots only the element slots of pinned parameters that are
 * non-blocking here too. */
void fds_effects_at_exit(fd_ctx *c, fd_state *s, const tl_block *b) {
    if (!c->pinned || b->term != TL_T_EXIT || s->top || b == &c->f->blocks[c->f->exit]) return; /* (the join of them) */
    const tl_instr *last = b->ninstrs ? &b->instrs[b->ninstrs - 1] : NULL;
    if (last && last->kind == TL_I_RETURN && last->value && fds_negative_const(last->value)) return;
    if (!c->eff_exited) c->eff_slots = tl_xrealloc(c->eff_slots, ((size_t)s->n + 1) * sizeof *c->eff_slots);
    int n = 0, j = 0; /* both lists ascend (facts by key): a merge */
    for (int i = 0; i < s->n; i++) {
        const fact *f = &s->e[i];
        int slot = f->key - c->nvars;
        if (slot < 0 || !c->pinned[c->slot_var[slot]] || c->slot_elem[slot] < 0 || !(f->bits & TL_FDS_NONBLOCKING))
            continue;
        while (c->eff_exited && j < c->neff && c->eff_slots[j] < slot) j++;
        if (!c->eff_exited || (j < c->neff && c->eff_slots[j] == slot)) c->eff_slots[n++] = slot;
    }
    c->work += s->n + c->neff;
    c->neff = n;
    c->eff_exited = true;
}
