/* orphaned_spawn_arrays.c - rule `orphaned-spawn`: handles spawned into a
 * local array (or struct) that a return leaves behind.
 *
 *     pthread_t t[N];
 *     for (i = 0; i < N; i++)
 *         if (pthread_create(&t[i], NULL, work, &ctx) != 0)
 *             return -1;                  (t[0..i-1] keep running, unjoined)
 *     for (i = 0; i < N; i++)
 *         pthread_join(t[i], NULL);
 *
 * orphaned_spawn.c treats an aggregate flow-insensitively: one that is used
 * anywhere else (joined, handed on) owns its handles.  This pass follows
 * each such aggregate along the paths: a spawn into it that succeeded makes
 * it hold handles; any other use of it (a join, a call it is handed to, a
 * store) releases them all, and a loop whose body uses it releases them
 * when entered (a cleanup loop joins the elements the analysis cannot
 * count).  On the spawn's own failure edge (`if (pthread_create(...))`,
 * tested in its block) it holds what it held before.  A return reached
 * while it may hold handles is reported, once per aggregate, at its first
 * spawn.  A may-analysis over one bit per aggregate (at most 64), each
 * block's state growing at most 64 times: linear.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orphaned_spawn_internal.h"
#include "ownership.h"
#include "../analyzer/dataflow/cycles.h"
#include "../analyzer/util/xalloc.h"

typedef struct {
    const tl_func *f;
    int *bit_of;   /* variable -> aggregate bit, -1 */
    int *held_by;  /* variable -> call id whose result it was last assigned, -1 (an entry
                      left by another block names another call: it never matches
                      the spawn of the block whose edges are looked at) */
} arr_ctx;

static int holds(void *ctx, int var) {
    const arr_ctx *c = ctx;
    return var >= 0 && var < c->f->nvars ? c->held_by[var] : -1;
}

/* The aggregates e mentions (bits). */
static uint64_t mentions(const arr_ctx *c, const tl_expr *e) {
    if (!e) return 0;
    uint64_t m = 0;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < c->f->nvars && c->bit_of[e->var] >= 0)
        m |= 1ull << c->bit_of[e->var];
    for (int k = 0; k < e->nkids; k++) m |= mentions(c, e->kids[k]);
    return m;
}

/* The aggregates instruction `in` uses other than as a spawn's handle
 * out-argument (a join, a call it is handed to, a store, a copy). */
static uint64_t uses(const tl_analysis *a, int fi, const arr_ctx *c, const tl_instr *in) {
    if (in->kind != TL_I_CALL) return mentions(c, in->value) | mentions(c, in->target);
    const tl_fn_model *m = tl_own_model(a, fi, in->call.id);
    int out = m && m->spawn.present && m->spawn.where == TL_HANDLE_OUT_ARG ? m->spawn.handle_arg : -1;
    uint64_t u = mentions(c, in->call.fn);
    for (int k = 0; k < in->call.nargs; k++)
        if (k != out) u |= mentions(c, in->call.args[k]);
    return u;
}

/* One instruction: a spawn into an aggregate sets its bit (*spawn_call,
 * *bit, *before: the last such spawn and the bit before it), other uses
 * clear theirs; a local assigned a call's result is noted (held_by). */
static uint64_t step(const tl_analysis *a, int fi, arr_ctx *c, const tl_instr *in, uint64_t st, const int *spawn_bit,
                     int *spawn_call, int *bit, uint64_t *before) {
    st &= ~uses(a, fi, c, in);
    if (in->kind == TL_I_CALL && in->call.id >= 0 && in->call.id < c->f->ncalls && spawn_bit[in->call.id] >= 0) {
        int g = spawn_bit[in->call.id];
        *spawn_call = in->call.id;
        *bit = g;
        *before = st & (1ull << g);
        st |= 1ull << g;
    }
    if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < c->f->nvars) {
        const tl_expr *v = tl_expr_uncast(in->value);
        c->held_by[in->var] = v && v->kind == TL_E_CALLRES ? v->call_id : -1;
    }
    return st;
}

void tl_os_check_arrays(const tl_analysis *a, int fi, const tl_instr *const *spawns, const int *vars, int n,
                        const tl_expr *const *defs, tl_findings *out) {
    const tl_func *f = &a->tu->funcs[fi];
    bool main_exits = tl_own_is_program_main(f); /* (its returns are the process's exit) */
    if (n <= 0 || f->nblocks == 0) return;
    arr_ctx c = {f, tl_xmalloc(((size_t)f->nvars + 1) * sizeof(int)), tl_xmalloc(((size_t)f->nvars + 1) * sizeof(int))};
    int *spawn_bit = tl_xmalloc(((size_t)f->ncalls + 1) * sizeof *spawn_bit);
    int nagg = 0, agg_var[64];
    const tl_instr *first[64];
    for (int v = 0; v < f->nvars; v++) c.bit_of[v] = c.held_by[v] = -1;
    for (int id = 0; id < f->ncalls; id++) spawn_bit[id] = -1;
    for (int i = 0; i < n; i++) {
        int v = vars[i];
        if (v < 0 || v >= f->nvars) continue;
        if (c.bit_of[v] < 0) {
            if (nagg == 64) continue;
            agg_var[nagg] = v;
            first[nagg] = spawns[i];
            c.bit_of[v] = nagg++;
        }
        if (spawns[i]->call.id >= 0 && spawns[i]->call.id < f->ncalls) spawn_bit[spawns[i]->call.id] = c.bit_of[v];
    }
    /* a loop whose body uses an aggregate releases it on entry */
    int ncomp = 0, *comp = tl_cycle_components(f, &ncomp);
    uint64_t *loop_use = tl_xcalloc((size_t)ncomp + 1, sizeof *loop_use);
    for (int bi = 0; bi < f->nblocks; bi++) {
        if (comp[bi] < 0) continue;
        for (int k = 0; k < f->blocks[bi].ninstrs; k++) loop_use[comp[bi]] |= uses(a, fi, &c, &f->blocks[bi].instrs[k]);
        loop_use[comp[bi]] |= mentions(&c, f->blocks[bi].cond);
    }
    uint64_t *in = tl_xcalloc((size_t)f->nblocks + 1, sizeof *in);
    bool *queued = tl_xcalloc((size_t)f->nblocks + 1, sizeof *queued);
    int *work = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *work), nw = 0;
    uint64_t reported = 0;
    tl_loc where[64];
    for (int pass = 0; pass < 2; pass++) { /* 0: the fixpoint; 1: the reports */
        for (int bi = f->nblocks - 1; bi >= 0; bi--) { /* every block once, then as its state grows */
            work[nw++] = bi;
            queued[bi] = true;
        }
        while (nw > 0) {
            int bi = work[--nw];
            queued[bi] = false;
            const tl_block *b = &f->blocks[bi];
            uint64_t st = in[bi];
            if (comp[bi] >= 0) st &= ~loop_use[comp[bi]];
            int sc = -1, sb = 0;
            uint64_t before = 0;
            for (int k = 0; k < b->ninstrs; k++) st = step(a, fi, &c, &b->instrs[k], st, spawn_bit, &sc, &sb, &before);
            st &= ~mentions(&c, b->cond);
            if (pass == 1) {
                bool exits = b->term == TL_T_EXIT;
                for (int s = 0; s < b->nsucc; s++) exits = exits || (f->exit >= 0 && b->succ[s] == f->exit);
                uint64_t fresh = exits && b->term != TL_T_NORETURN && bi != f->exit && !main_exits
                                     ? st & ~reported : 0;
                for (int g = 0; g < nagg; g++)
                    if ((fresh >> g) & 1u) where[g] = b->term_loc.line ? b->term_loc : f->end_loc;
                reported |= fresh;
                continue;
            }
            for (int s = 0; s < b->nsucc; s++) {
                int to = b->succ[s];
                if (to < 0 || to >= f->nblocks) continue;
                uint64_t e = st;
                int outcome = 0;
                if (sc >= 0 && tl_own_edge_spawn_outcome(a, fi, b, s, holds, &c, defs, &outcome) == sc && outcome < 0)
                    e = (e & ~(1ull << sb)) | before; /* it failed: what was held before */
                if ((in[to] | e) == in[to]) continue;
                in[to] |= e;
                if (!queued[to]) {
                    queued[to] = true;
                    work[nw++] = to;
                }
            }
        }
    }
    for (int g = 0; g < nagg; g++) {
        if (!((reported >> g) & 1u)) continue;
        const tl_instr *sp = first[g];
        const tl_fn_model *m = tl_own_model(a, fi, sp->call.id);
        char callee[320], verbs[128], msg[1024], note[160];
        tl_own_call_named(a, &sp->call, NULL, callee, sizeof callee);
        tl_own_release_verbs(a->models, m ? m->library : NULL, verbs, sizeof verbs);
        const char *task = m && m->spawn.task && *m->spawn.task ? m->spawn.task : "task";
        snprintf(msg, sizeof msg, "%ss stored in '%s' by %s leak when returning at line %u: on this path none of them is %s",
                 task, f->vars[agg_var[g]].name, callee, where[g].line, verbs);
        tl_finding *fd = tl_findings_add(out, tl_rule_orphaned_spawn.id, tl_rule_orphaned_spawn.severity, sp->loc.file,
                                         sp->loc.line, sp->loc.col, f->name, msg);
        if (!fd) continue;
        tl_finding_set_snippet(fd, sp->call.text ? sp->call.text : sp->call.callee);
        snprintf(note, sizeof note, "the %ss in '%s' are still running when returning here", task,
                 f->vars[agg_var[g]].name);
        tl_finding_add_note(fd, where[g].file, where[g].line, where[g].col, note);
    }
    free(in);
    free(queued);
    free(work);
    free(comp);
    free(loop_use);
    free(spawn_bit);
    free(c.bit_of);
    free(c.held_by);
}
