/* exit_returns.c - the functions whose return is the process's exit.
 *
 * main()'s return ends the process.  So does the return of a function whose
 * every caller returns its result at once (`return run(argv);`, `r =
 * task->main(); return r;`: the summaries' result_returned), when each such
 * caller's return is the exit in turn: a fork's child returning from it
 * returns from main (rules/fork_child.c).  Calls through a function-pointer
 * field count as calls of the functions stored or named there (the link's
 * edges): a test runner's table of test functions, called by a runner main()
 * returns from, qualifies.  A function whose address is taken otherwise
 * ("p:F#*" among the descriptor stores: called where no summary shows it),
 * or that other files may call (not static, the program not whole), or that
 * nothing calls, does not.
 *
 * A least fixpoint of "not the exit", then what main() reaches over the
 * remaining returned calls: linear in the edges.
 */
#include <stdlib.h>
#include <string.h>

#include "program_internal.h"
#include "../util/str_map.h"
#include "../util/xalloc.h"

static bool is_main(const pnode *x) {
    return x->s->name && strcmp(x->s->name, "main") == 0 && !x->s->is_static;
}

/* The caller of edge e returns its result at once (and runs it in place). */
static bool returned_edge(const tl_program *p, int e) {
    const edge *ed = &p->edges[e];
    const tl_func_summary *s = p->nodes[ed->from].s;
    if (ed->call < 0 || ed->call >= s->ncalls) return false;
    const tl_sum_call *c = &s->calls[ed->call];
    return c->result_returned && !c->spawn_entry;
}

/* From the nodes in work[0..nwork) along their call edges: mark the callees
 * bad (reach: false; main() never is), or mark those not bad exit returns
 * over returned calls (reach: true).  Each node enters the work list once. */
static void spread(tl_program *p, int *work, int nwork, bool *bad, bool reach) {
    while (nwork > 0) {
        int f = work[--nwork];
        const tl_func_summary *s = p->nodes[f].s;
        for (int c = 0; c < s->ncalls; c++)
            for (int k = 0; k < p->call_count[f][c]; k++) {
                int e = p->call_first[f][c] + k, to = p->edges[e].to;
                pnode *t = &p->nodes[to];
                bool take = reach ? !bad[to] && !t->exit_return && returned_edge(p, e) : !bad[to] && !is_main(t);
                if (!take) continue;
                if (reach) t->exit_return = true;
                else bad[to] = true;
                work[nwork++] = to;
            }
    }
}

void pg_compute_exit_returns(tl_program *p) {
    int n = p->nnodes;
    bool *bad = tl_xcalloc((size_t)n + 1, sizeof *bad);
    int *work = tl_xmalloc(((size_t)n + 1) * sizeof *work), nwork = 0;
    tl_str_map taken;
    pg_address_taken(p, &taken);
    for (int f = 0; f < n; f++) {
        p->nodes[f].exit_return = false;
        const pnode *x = &p->nodes[f];
        if (is_main(x)) continue;
        bool b = pg_unseen_callers(p, f, &taken);
        for (int k = p->in_start[f]; k < p->in_start[f + 1] && !b; k++) b = !returned_edge(p, p->in_edges[k]);
        if (b) {
            bad[f] = true;
            work[nwork++] = f;
        }
    }
    /* what a function that is not the exit returns into is not either */
    spread(p, work, nwork, bad, false);
    /* reached from main() over returned calls (no cycle of its own counts) */
    nwork = 0;
    for (int f = 0; f < n; f++)
        if (is_main(&p->nodes[f])) {
            p->nodes[f].exit_return = true;
            work[nwork++] = f;
        }
    spread(p, work, nwork, bad, true);
    tl_str_map_free(&taken);
    free(work);
    free(bad);
}

bool tl_program_returns_exit(const tl_program *p, const char *fn_usr) {
    int f = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    return f >= 0 && p->nodes[f].exit_return;
}
