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
 * A table too big for the link's edges (past SLOT_TARGET_CAP functions in
 * one field: a test runner's list of hundreds of tests) still has callers:
 * the calls through that field, each unless its test of another field of
 * the entry rules the function's entry out (`if (t->is_helper) return
 * t->main();` never runs a test stored with is_helper 0; field_guards.h).
 * Those are edges of this pass only ("dropped" edges), at most
 * PG_DROPPED_CALLS_MAX calls per field; a function left out of more than
 * one field, or of a field with more calls, has callers it cannot see.
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

/* Call c of node `from` returns its result at once (and runs it in place). */
static bool returned_call(const tl_program *p, int from, int c) {
    const tl_func_summary *s = p->nodes[from].s;
    if (c < 0 || c >= s->ncalls) return false;
    return s->calls[c].result_returned && !s->calls[c].spawn_entry;
}

static bool returned_edge(const tl_program *p, int e) {
    return returned_call(p, p->edges[e].from, p->edges[e].call);
}

/* The dropped edges (see above), by caller and by callee. */
typedef struct {
    int n;
    int *from, *call, *to;    /* n each */
    int *out_start, *out;     /* by caller: edge indices */
    int *in_start, *in;       /* by callee */
} dropped_edges;

static int *csr(int nnodes, int n, const int *key, int **start_out) {
    int *start = tl_xcalloc((size_t)nnodes + 2, sizeof *start), *v = tl_xmalloc(((size_t)n + 1) * sizeof *v);
    for (int i = 0; i < n; i++) start[key[i] + 1]++;
    for (int i = 0; i < nnodes; i++) start[i + 1] += start[i];
    int *at = tl_xmalloc(((size_t)nnodes + 1) * sizeof *at);
    memcpy(at, start, (size_t)nnodes * sizeof *at);
    for (int i = 0; i < n; i++) v[at[key[i]]++] = i;
    free(at);
    *start_out = start;
    return v;
}

/* unknown[f]: f was left out of a field whose calls are not all known. */
static void build_dropped(const tl_program *p, dropped_edges *d, bool *unknown) {
    int cap = 0;
    memset(d, 0, sizeof *d);
    for (int t = 0; t < p->nnodes; t++) {
        const pnode *x = &p->nodes[t];
        if (x->dropped_slot == -1) continue;
        if (x->dropped_slot < 0 || p->fslots[x->dropped_slot].calls_over) {
            unknown[t] = true;
            continue;
        }
        const ivec *calls = &p->fslots[x->dropped_slot].calls;
        for (int k = 0; k + 1 < calls->n; k += 2) {
            int from = calls->v[k], c = calls->v[k + 1];
            if (pg_guards_exclude(p, &p->nodes[from].s->calls[c], x->dropped_store)) continue;
            if (d->n == cap) {
                cap = cap ? 2 * cap : 64;
                d->from = tl_xrealloc(d->from, (size_t)cap * sizeof *d->from);
                d->call = tl_xrealloc(d->call, (size_t)cap * sizeof *d->call);
                d->to = tl_xrealloc(d->to, (size_t)cap * sizeof *d->to);
            }
            d->from[d->n] = from;
            d->call[d->n] = c;
            d->to[d->n++] = t;
        }
    }
    d->out = csr(p->nnodes, d->n, d->from, &d->out_start);
    d->in = csr(p->nnodes, d->n, d->to, &d->in_start);
}

static void free_dropped(dropped_edges *d) {
    free(d->from);
    free(d->call);
    free(d->to);
    free(d->out_start);
    free(d->out);
    free(d->in_start);
    free(d->in);
}

/* Take the callee `to` of a returned call (reach) or of any call (!reach). */
static bool take(tl_program *p, int to, bool returned, bool *bad, bool reach) {
    pnode *t = &p->nodes[to];
    bool ok = reach ? !bad[to] && !t->exit_return && returned : !bad[to] && !is_main(t);
    if (!ok) return false;
    if (reach) t->exit_return = true;
    else bad[to] = true;
    return true;
}

/* From the nodes in work[0..nwork) along their call edges (the link's and
 * the dropped ones): mark the callees bad (reach: false; main() never is),
 * or mark those not bad exit returns over returned calls (reach: true).
 * Each node enters the work list once. */
static void spread(tl_program *p, const dropped_edges *d, int *work, int nwork, bool *bad, bool reach) {
    while (nwork > 0) {
        int f = work[--nwork];
        const tl_func_summary *s = p->nodes[f].s;
        for (int c = 0; c < s->ncalls; c++)
            for (int k = 0; k < p->call_count[f][c]; k++) {
                int e = p->call_first[f][c] + k, to = p->edges[e].to;
                if (take(p, to, reach && returned_edge(p, e), bad, reach)) work[nwork++] = to;
            }
        for (int k = d->out_start[f]; k < d->out_start[f + 1]; k++) {
            int e = d->out[k], to = d->to[e];
            if (take(p, to, reach && returned_call(p, f, d->call[e]), bad, reach)) work[nwork++] = to;
        }
    }
}

void pg_compute_exit_returns(tl_program *p) {
    int n = p->nnodes;
    bool *bad = tl_xcalloc((size_t)n + 1, sizeof *bad);
    int *work = tl_xmalloc(((size_t)n + 1) * sizeof *work), nwork = 0;
    tl_str_map taken;
    pg_address_taken(p, &taken);
    dropped_edges d;
    build_dropped(p, &d, bad);
    for (int f = 0; f < n; f++) {
        p->nodes[f].exit_return = false;
        const pnode *x = &p->nodes[f];
        if (is_main(x)) {
            bad[f] = false;
            continue;
        }
        bool b;
        if (p->in_start[f + 1] == p->in_start[f] && d.in_start[f + 1] > d.in_start[f]) /* called by dropped edges only */
            b = (!x->s->is_static && !p->whole) || (x->s->usr && tl_str_map_get(&taken, x->s->usr) >= 0);
        else
            b = pg_unseen_callers(p, f, &taken);
        b = b || bad[f]; /* (left out of a field whose calls are not all known) */
        for (int k = p->in_start[f]; k < p->in_start[f + 1] && !b; k++) b = !returned_edge(p, p->in_edges[k]);
        for (int k = d.in_start[f]; k < d.in_start[f + 1] && !b; k++)
            b = !returned_call(p, d.from[d.in[k]], d.call[d.in[k]]);
        if (b) {
            bad[f] = true;
            work[nwork++] = f;
        }
    }
    /* what a function that is not the exit returns into is not either */
    spread(p, &d, work, nwork, bad, false);
    /* reached from main() over returned calls (no cycle of its own counts) */
    nwork = 0;
    for (int f = 0; f < n; f++)
        if (is_main(&p->nodes[f])) {
            p->nodes[f].exit_return = true;
            work[nwork++] = f;
        }
    spread(p, &d, work, nwork, bad, true);
    free_dropped(&d);
    tl_str_map_free(&taken);
    free(work);
    free(bad);
}

bool tl_program_returns_exit(const tl_program *p, const char *fn_usr) {
    int f = p && fn_usr ? pg_fn(p, p->cur_unit, fn_usr) : -1;
    return f >= 0 && p->nodes[f].exit_return;
}
