/* program_query.c - what the rules ask the linked program (see program.h).
 *
 * Read-only lookups by USR over the facts the link computed (program.c,
 * program_derive.c): a function's context, blocking and deadline chains,
 * derived models, what a parameter awaits or posts, whether a function never
 * returns or is called in a loop, handle slots nothing releases, and the
 * task nouns released wholesale.
 */
#include "program_internal.h"
#include "../dataflow/param_guards.h"

#include <string.h>

bool tl_program_never_returns(const tl_program *p, const char *fn_usr) {
    int n = p ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    return n >= 0 && p->nodes[n].s->never_returns;
}

bool tl_program_self_releases(const tl_program *p, const char *fn_usr) {
    int n = p ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    return n >= 0 && p->nodes[n].s->self_releases;
}

bool tl_program_releases_all(const tl_program *p, const char *task) {
    for (int i = 0; p && task && i < p->nreleased_all; i++)
        if (strcmp(p->released_all[i], task) == 0) return true;
    return false;
}

bool tl_program_fd_slot_nonblocking(const tl_program *p, const char *key) {
    return p && pg_fd_nonblocking(p, p->cur_unit, key);
}

bool tl_program_param_modes(const tl_program *p, const char *fn_usr, unsigned *nonblocking, unsigned *moded) {
    int n = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    *nonblocking = n >= 0 ? p->nodes[n].s->params_nonblocking : 0;
    *moded = n >= 0 ? p->nodes[n].s->params_moded : 0;
    return n >= 0;
}

void tl_program_conditional(const tl_program *p, const char *fn_usr, const tl_fd_params_if **params_if,
                            const tl_fd_returns_if **returns_if) {
    int n = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    const tl_func_summary *s = n >= 0 ? p->nodes[n].s : NULL;
    *params_if = s && s->params_if.niparams ? &s->params_if : NULL;
    *returns_if = s && (s->returns_if.ok[0] | s->returns_if.ok[1]) ? &s->returns_if : NULL;
}

const tl_program_stats *tl_program_stats_of(const tl_program *p) {
    return &p->stats;
}

const tl_prog_context *tl_program_context(const tl_program *p, const char *fn_usr) {
    int n = p ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    return n >= 0 && p->nodes[n].has_ctx ? &p->nodes[n].ctx : NULL;
}

bool tl_program_cancel_bounded(const tl_program *p, const char *fn_usr) {
    int n = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    if (n < 0) return false;
    const pnode *x = &p->nodes[n];
    /* every spawn of it bounded, nothing else runs it: no direct or indirect
       call, and no caller outside the linked files (static, or whole program) */
    return x->nbounded_in > 0 && x->nbounded_in == x->nregs_in && p->in_start[n + 1] == p->in_start[n] &&
           (x->s->is_static || p->whole);
}

unsigned tl_program_fresh_params(const tl_program *p, const char *fn_usr) {
    int n = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    if (n < 0) return 0;
    const pnode *x = &p->nodes[n];
    /* every registration of it a spawn handing fresh connections over, and
       nothing else runs it: no direct or indirect call, no caller outside the
       linked files (static, or whole program) */
    if (x->nregs_in == 0 || x->nfresh_regs != x->nregs_in || p->in_start[n + 1] != p->in_start[n] ||
        !(x->s->is_static || p->whole))
        return 0;
    return x->fresh_in;
}

/* The blocking target of a slot with the shortest chain (or the function itself). */
static int blocking_node(const tl_program *p, const char *usr, bool is_slot, int r) {
    if (!p || !usr) return -1;
    if (!is_slot) {
        int n = pg_fn(p, p->cur_unit, usr);
        return n >= 0 && p->nodes[n].blocks[r] ? n : -1;
    }
    int si = map_get(&p->fslot_by_usr, usr);
    if (si < 0) return -1;
    /* of the functions stored there, the one with the shortest chain: a
       long chain through one target must not hide a short one (the report
       cuts long chains by default) */
    const fslot *s = &p->fslots[si];
    int best = -1;
    for (int k = 0; k < s->funcs.n; k++) {
        const pnode *nd = &p->nodes[s->funcs.v[k]];
        if (nd->blocks[r] && (best < 0 || nd->block_depth[r] < p->nodes[best].block_depth[r])) best = s->funcs.v[k];
    }
    return best;
}

bool tl_program_blocks(const tl_program *p, const char *usr, bool is_slot, bool ready) {
    return blocking_node(p, usr, is_slot, ready ? 1 : 0) >= 0;
}

bool tl_program_blocks_at(const tl_program *p, const char *usr, bool is_slot, bool ready, const tl_cval *argv,
                          int nargs) {
    int r = ready ? 1 : 0, n = blocking_node(p, usr, is_slot, r);
    if (n < 0) return false;
    /* through a slot, another of its functions may block: no cut */
    return is_slot || !tl_guard_cut(p->nodes[n].guard_nz[r], p->nodes[n].guard_z[r], argv, nargs);
}

/* The call at which node n's chain goes on when n is called with argument
 * values vals (nvals of them; NULL: not known): its summary's, unless the
 * values rule out every blocking call past it (param_guards.h) and another
 * call of n that blocks is not ruled out - the message then names a call
 * this caller can reach (`report(c, 0)`: the usleep(), not the sleep()
 * under `if (final)`).  *next gets the callee (-1: the call blocks itself)
 * and *field the field called through. */
static int chain_call(const tl_program *p, int n, int r, const tl_cval *vals, int nvals, int *next,
                      const char **field, bool *plain) {
    const pnode *nd = &p->nodes[n];
    int def = nd->block_call[r];
    *next = nd->block_next[r];
    *field = nd->block_field[r];
    *plain = nd->block_next_plain[r];
    if (!vals || def < 0) return def;
    const tl_sum_call *c = &nd->s->calls[def];
    unsigned nz = c->guard_nz, z = c->guard_z;
    if (*next >= 0) {
        int gr = *plain ? 0 : r;
        nz |= pg_guard_through(p->nodes[*next].guard_nz[gr], c);
        z |= pg_guard_through(p->nodes[*next].guard_z[gr], c);
    }
    if (!tl_guard_cut(nz, z, vals, nvals)) return def;
    for (int i = 0; i < nd->s->ncalls; i++) {
        c = &nd->s->calls[i];
        if (pg_call_blocks_directly(p, nd, i, r)) {
            if (tl_guard_cut(c->guard_nz, c->guard_z, vals, nvals)) continue;
            *next = -1;
            *field = NULL;
            *plain = false;
            return i;
        }
        if (c->nonblocking || pg_in_fork_child(p, nd, i) || !p->call_first || !p->call_first[n] ||
            p->call_first[n][i] < 0)
            continue;
        bool pl = r == 1 && !c->passes_param; /* the callee's plain chain */
        int gr = pl ? 0 : r;
        for (int e = p->call_first[n][i]; e < p->call_first[n][i] + p->call_count[n][i]; e++) {
            const edge *ed = &p->edges[e];
            const pnode *g = &p->nodes[ed->to];
            if (ed->to == n || !g->blocks[gr]) continue;
            if (pg_args_cut(c, g->guard_nz[gr], g->guard_z[gr])) continue;
            if (tl_guard_cut(c->guard_nz | pg_guard_through(g->guard_nz[gr], c),
                             c->guard_z | pg_guard_through(g->guard_z[gr], c), vals, nvals))
                continue;
            *next = ed->to;
            *field = ed->field;
            *plain = pl;
            return i;
        }
    }
    return def; /* (none left: the summary's, as without values) */
}

int tl_program_chain(const tl_program *p, const char *usr, bool is_slot, bool ready, tl_chain_step *out,
                     int max) {
    return tl_program_chain_at(p, usr, is_slot, ready, NULL, 0, out, max);
}

int tl_program_chain_at(const tl_program *p, const char *usr, bool is_slot, bool ready, const tl_cval *argv,
                        int nargs, tl_chain_step *out, int max) {
    int r = ready ? 1 : 0;
    int n = blocking_node(p, usr, is_slot, r), count = 0;
    tl_cval bufs[2][32];
    int cur = 0;
    const tl_cval *v = argv && !is_slot ? argv : NULL; /* (through a slot: the node is one of several) */
    int nv = nargs < 32 ? nargs : 32;
    for (int guard = 0; n >= 0 && count < max && guard <= p->nnodes; guard++) {
        const pnode *nd = &p->nodes[n];
        int next;
        const char *field;
        bool plain;
        int i = chain_call(p, n, r, v, nv, &next, &field, &plain);
        if (i < 0) break;
        const tl_sum_call *c = &nd->s->calls[i];
        out[count++] = (tl_chain_step){c->loc, nd->s->name, c->spelling, field, next < 0, next < 0 && c->fd_file};
        /* the next step is called with this call's constants, and with the
           values this step got in the parameters it passes on unchanged */
        tl_cval *vals = bufs[cur];
        int nnext = c->nargs < 32 ? c->nargs : 32;
        for (int k = 0; k < nnext; k++) {
            int q = c->args[k].param;
            vals[k] = ((c->guard_pass >> k) & 1u) && v && q >= 0 && q < nv ? v[q] : c->args[k].value;
        }
        nv = nnext;
        v = vals;
        cur ^= 1;
        n = next;
        if (plain) r = 0; /* the callee was handed nothing of this one's: its plain chain */
    }
    return count;
}

int tl_program_deadline_chain(const tl_program *p, const char *usr, bool is_slot, tl_chain_step *out, int max) {
    if (!p || !usr) return 0;
    /* the first parameter with a deadline, of the function or a slot target */
    int n = -1;
    if (!is_slot) {
        n = pg_fn(p, p->cur_unit, usr);
    } else {
        int si = map_get(&p->fslot_by_usr, usr);
        for (int k = 0; si >= 0 && k < p->fslots[si].funcs.n && n < 0; k++) {
            const pnode *cand = &p->nodes[p->fslots[si].funcs.v[k]];
            for (int j = 0; j < cand->s->nparams; j++)
                if (p->params[cand->param_base + j].deadline) n = p->fslots[si].funcs.v[k];
        }
    }
    if (n < 0) return 0;
    int gp = -1;
    for (int j = 0; j < p->nodes[n].s->nparams && gp < 0; j++)
        if (p->params[p->nodes[n].param_base + j].deadline) gp = p->nodes[n].param_base + j;
    int count = 0;
    for (int guard = 0; gp >= 0 && count < max && guard <= p->nparams; guard++) {
        const pparam *pp = &p->params[gp];
        int owner = pg_node_of_param(p, gp);
        const tl_func_summary *fs = p->nodes[owner].s;
        if (pp->dl_call < 0 || pp->dl_call >= fs->ncalls) break;
        const tl_sum_call *c = &fs->calls[pp->dl_call];
        out[count++] = (tl_chain_step){c->loc, fs->name, c->spelling, NULL, pp->dl_next < 0, false};
        gp = pp->dl_next;
    }
    return count;
}

const tl_fn_model *tl_program_model(const tl_program *p, const char *usr, bool is_slot) {
    if (!p || !usr) return NULL;
    if (!is_slot) {
        int n = pg_fn(p, p->cur_unit, usr);
        return n >= 0 ? p->nodes[n].derived : NULL;
    }
    int si = map_get(&p->fslot_by_usr, usr);
    return si >= 0 ? p->fslots[si].derived : NULL;
}

int tl_program_param_awaits(const tl_program *p, const char *usr, int param) {
    int n = p && usr ? pg_fn(p, p->cur_unit, usr) : -1;
    if (n < 0 || param < 0 || param >= p->nodes[n].s->nparams) return 0;
    const pparam *pp = &p->params[p->nodes[n].param_base + param];
    return pp->awaits ? 1 : pp->awaits_reach ? 2 : 0;
}

bool tl_program_awaits_global(const tl_program *p, const char *usr, const char *global_usr) {
    int n = p && usr && global_usr ? pg_fn(p, p->cur_unit, usr) : -1;
    if (n < 0) return false;
    const tl_func_summary *s = p->nodes[n].s;
    for (int i = 0; i < s->nawait_globals; i++)
        if (strcmp(s->await_globals[i], global_usr) == 0) return true;
    return false;
}

bool tl_program_param_posts(const tl_program *p, const char *usr, int param) {
    int n = p && usr ? pg_fn(p, p->cur_unit, usr) : -1;
    if (n < 0 || param < 0 || param >= p->nodes[n].s->nparams) return false;
    return (p->nodes[n].s->params[param].effects & TL_PE_POST) != 0;
}

bool tl_program_posts_global(const tl_program *p, const char *usr, const char *global_usr) {
    int n = p && usr && global_usr ? pg_fn(p, p->cur_unit, usr) : -1;
    if (n < 0) return false;
    const tl_func_summary *s = p->nodes[n].s;
    for (int i = 0; i < s->npost_globals; i++)
        if (strcmp(s->post_globals[i], global_usr) == 0) return true;
    return false;
}

bool tl_program_posts_locked(const tl_program *p, const char *usr, int param, const char *object_usr,
                             const char *mutex_usr) {
    int n = p && usr && object_usr && mutex_usr ? pg_fn(p, p->cur_unit, usr) : -1;
    if (n < 0) return false;
    const tl_func_summary *s = p->nodes[n].s;
    for (int i = 0; i < s->nlocked_posts; i++)
        if (s->locked_post_params[i] == param && strcmp(s->locked_post_objects[i], object_usr) == 0 &&
            strcmp(s->locked_post_mutexes[i], mutex_usr) == 0)
            return true;
    return false;
}

bool tl_program_defines(const tl_program *p, const char *usr) {
    return p && usr && pg_fn(p, p->cur_unit, usr) >= 0;
}

bool tl_program_called_in_loop(const tl_program *p, const char *usr) {
    int n = p && usr ? pg_fn(p, p->cur_unit, usr) : -1;
    if (n < 0) return false;
    for (int j = p->in_start[n]; j < p->in_start[n + 1]; j++) {
        const edge *e = &p->edges[p->in_edges[j]];
        const tl_func_summary *from = p->nodes[e->from].s;
        if (e->call >= 0 && e->call < from->ncalls && from->calls[e->call].in_unbounded_loop) return true;
    }
    return false;
}

bool tl_program_publishes_self(const tl_program *p, const char *usr, const char *task) {
    int n = p && usr && task ? pg_fn(p, p->cur_unit, usr) : -1;
    return n >= 0 && p->nodes[n].self_task && strcmp(p->nodes[n].self_task, task) == 0;
}

bool tl_program_slot_released(const tl_program *p, const char *slot_usr) {
    int i = p && slot_usr ? map_get(&p->hslot_by_usr, slot_usr) : -1;
    return i >= 0 && pg_slot_released(p, &p->hslots[i], p->cur_unit);
}

void tl_program_orphan_slots(const tl_program *p, tl_orphan_slot_fn fn, void *ctx) {
    if (!p || !p->whole) return;
    for (int i = 0; i < p->nhslots; i++) {
        const hslot *h = &p->hslots[i];
        for (int k = 0; k < h->nspawns; k++) {
            const slot_use *u = &h->spawns[k];
            if (pg_slot_released(p, h, u->unit)) continue; /* in the spawn's own program */
            tl_orphan_slot os = {h->name, u->fs->name, u->s->loc, u->s->task, u->s->library};
            fn(ctx, &os);
        }
    }
}
