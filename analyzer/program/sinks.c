/* sinks.c - coroutine parameters a sink serves.
 *
 * A sink is a task that receives on its parameter in a loop nothing leaves
 * and nothing else in which waits (the summaries' sink_params,
 * dataflow/sinks.h): a statistics or logging coroutine.  When a function
 * launches one with a variable and then, on every path after it, launches
 * another coroutine with the same variable (the summaries' reg shares), a
 * send of that coroutine on its parameter is always taken: someone serves
 * the channel for the program's lifetime.  A parameter is served when
 * every launch of its function hands over such a variable, and nothing
 * else runs the function (as for fresh connections,
 * tl_program_fresh_params).  Linear in the registrations and their shares.
 * Also the other side of a coroutine's channel: its stop parameters
 * (dataflow/stop_params.h), looked up for the launcher's teardown.
 */
#include "program_internal.h"

unsigned pg_reg_served_args(const tl_program *p, int f, const tl_sum_reg *r) {
    const pnode *n = &p->nodes[f];
    unsigned served = 0;
    for (int k = 0; k < r->nshares; k++) {
        const tl_sum_share *s = &r->shares[k];
        if (s->reg >= n->s->nregs || s->arg >= 32 || s->reg_arg >= 32) continue;
        const tl_sum_reg *o = &n->s->regs[s->reg];
        if (o->target.kind != TL_REF_FUNC || !o->target.usr) continue;
        int defs[PG_MAX_DEFS_LINK];
        int nd = pg_resolve(p, n->unit, o->target.usr, defs, PG_MAX_DEFS_LINK);
        bool all = nd > 0;
        for (int d = 0; d < nd && all; d++) all = (p->nodes[defs[d]].s->sink_params >> s->reg_arg) & 1u;
        if (all) served |= 1u << s->arg;
    }
    return served;
}

unsigned tl_program_stop_params(const tl_program *p, const char *fn_usr) {
    int n = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    return n >= 0 ? p->nodes[n].s->stop_params : 0;
}

unsigned tl_program_served_params(const tl_program *p, const char *fn_usr) {
    int n = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    if (n < 0) return 0;
    const pnode *x = &p->nodes[n];
    if (x->nregs_in == 0 || x->nfresh_regs != x->nregs_in || p->in_start[n + 1] != p->in_start[n] ||
        !(x->s->is_static || p->whole))
        return 0;
    return x->served_in;
}
