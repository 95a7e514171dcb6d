/* loop_callers.c - the functions that only ever run inside a caller's loop.
 *
 * A condition wait outside any loop of its own function loses a signal sent
 * before it and wakes spuriously - unless its function is a step of a loop
 * somewhere up the call chain: `while (info->state == started)
 * sleep_once(info);` re-checks the predicate around the wait in the
 * helper (rules/missing_timeout.c, `kind_if_unlooped`).  A function is
 * looped when something calls it, and every call of it lies on a cycle of
 * the caller's CFG (the summaries' in_loop) or sits in a looped caller.
 * Calls through a function-pointer field count as calls of the functions
 * stored there (the link's edges).  A function run as a new task (a spawn
 * or a registration: its own body is the task's whole life), whose address
 * is taken where no call shows, that other files may call (not static, the
 * program not whole), or that nothing calls, is not looped; nor is main().
 *
 * A least fixpoint of "not looped" spread over the edges out of loops:
 * linear in the edges.
 */
#include <stdlib.h>
#include <string.h>

#include "program_internal.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"

/* The call of edge e runs the callee once per call of the caller (not in a
 * loop of the caller, not as a new task). */
static bool straight_edge(const tl_program *p, int e) {
    const edge *ed = &p->edges[e];
    const tl_func_summary *s = p->nodes[ed->from].s;
    if (ed->call < 0 || ed->call >= s->ncalls) return true;
    const tl_sum_call *c = &s->calls[ed->call];
    return c->spawn_entry || !c->in_loop;
}

void pg_compute_looped(tl_program *p) {
    int n = p->nnodes;
    bool *bad = tl_xcalloc((size_t)n + 1, sizeof *bad);
    int *work = tl_xmalloc(((size_t)n + 1) * sizeof *work), nwork = 0;
    tl_str_map taken;
    pg_address_taken(p, &taken);
    for (int f = 0; f < n; f++) {
        const pnode *x = &p->nodes[f];
        bool b = pg_unseen_callers(p, f, &taken) || x->nregs_in > 0 ||
                 (x->s->name && strcmp(x->s->name, "main") == 0);
        if (b) {
            bad[f] = true;
            work[nwork++] = f;
        }
    }
    /* a function not looped runs its straight calls' callees unlooped too */
    while (nwork > 0) {
        int f = work[--nwork];
        const tl_func_summary *s = p->nodes[f].s;
        for (int c = 0; c < s->ncalls; c++)
            for (int k = 0; k < p->call_count[f][c]; k++) {
                int e = p->call_first[f][c] + k, to = p->edges[e].to;
                if (bad[to] || !straight_edge(p, e)) continue;
                bad[to] = true;
                work[nwork++] = to;
            }
    }
    for (int f = 0; f < n; f++) p->nodes[f].looped = !bad[f];
    tl_str_map_free(&taken);
    free(work);
    free(bad);
}

bool tl_program_looped(const tl_program *p, const char *fn_usr) {
    int f = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    return f >= 0 && p->nodes[f].looped;
}
