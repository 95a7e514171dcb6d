/* unawaited_task.c - work is torn down before anyone waited for it.
 *
 * A forward dataflow over the function tracks, per variable naming an
 * object (the root variable of a start/await/teardown argument: `&ring`,
 * `co`, `b`, `h`), whether work started on it may still be un-awaited:
 * a `start` facet call or a spawn touching it (a result-handle spawn that
 * runs an entry marks the variable it is assigned to, a spawn into an owner
 * marks the owner; a spawn without entry such as bundle() starts nothing)
 * sets the state, an `await` facet call on it clears it, and for spawns
 * whose model says `awaited_by: any_wait` any `cooperative` call clears it.
 * A `teardown` call on an object whose work may be pending on some path is
 * reported (unawaited_report.c words it).  Also: a `must_await` call whose
 * result is discarded (unawaited_must_await.c).
 *
 * With the operations in flight per object (inflight.h): on a branch edge
 * that says a start call failed (`ret < 0` after `ret = io_uring_submit()`)
 * nothing it would have started is pending; a teardown while a constant
 * number of started requests is still unreaped (two submitted, one reaped)
 * is reported even after an await; and a local object (not a pointer, its
 * address never stored or handed to unknown code) that the function never
 * tears down is reported where the function returns with its work pending.
 *
 * Loops (unawaited_loops.c) are taken to run at least once: an exit of the
 * loop condition keeps only what a pass carries round.  A thread joined, or
 * a fork child reaped, whose task reaps the object reaps it for the
 * function (unawaited_reapers.c).  An eager go() whose entry never suspends
 * has finished when it returns (unawaited_eager.c); a ring's objects and
 * main()'s last teardown are in unawaited_ring.c.  State and context shared
 * with those files: unawaited_task_internal.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/dataflow/must_bits.h"
#include "ownership.h"
#include "unawaited_eager.h"
#include "unawaited_must_await.h"
#include "unawaited_ring.h"
#include "unawaited_task_internal.h"
#include "rule.h"
#include "../analyzer/dataflow/cycles.h"
#include "../analyzer/dataflow/dataflow.h"
#include "../analyzer/dataflow/sparse_map.h"
#include "../analyzer/util/xalloc.h"
#include "report/analysis_limit.h"

static const char ut_doc[] =
    "## What it does\n"
    "\n"
    "Finds asynchronous work that is torn down before its completion was\n"
    "observed: a libdill bundle or `go()` handle closed with `hclose()` with no\n"
    "`bundle_wait()` (or, for a `go()` handle, no other wait of the parent) since\n"
    "the coroutines were launched; an `io_uring` ring torn down with\n"
    "`io_uring_queue_exit()` after `io_uring_submit()` without reaping the\n"
    "completions; a coroutine object destroyed after it was resumed but before\n"
    "it finished, or destroyed without ever being resumed (its body never\n"
    "runs); and a call whose result is a task that must be awaited\n"
    "(`must_await` in the models) used as a plain statement.  A minicoro\n"
    "coroutine resumed in a loop by its consumer and then destroyed is a\n"
    "generator that was used and dropped: not reported.\n"
    "\n"
    "`go()` runs the new coroutine at once until it first suspends (the\n"
    "model's `eager`): a coroutine that never suspends (no wait, yield,\n"
    "blocking or unknown call, here or in the functions of the file it calls)\n"
    "has finished when `go()` returns, and closing its handle cancels nothing.\n"
    "On the branch where a `bundle_go()` into a bundle failed, the bundle\n"
    "holds only what earlier launches on that path put there: nothing, when\n"
    "it was the first (the test may be `unlikely(rc < 0 && errno == ...)`).\n"
    "A coroutine stopped through its channel first is not cut short either:\n"
    "when its only waits are receives on the channel end it was handed\n"
    "(`chrecv(ch, ...)`), ending the other end (`chdone()`) makes them fail\n"
    "at once, and closing it afterwards cancels nothing.\n"
    "\n"
    "The check is path-sensitive: one path without the wait is enough, and\n"
    "the message names that path: the start on it, and the branch where it\n"
    "separates from a path that waits.  Two branches on the\n"
    "same unmodified local or parameter go the same way (`if (sync)\n"
    "bundle_wait(...); ... if (sync) hclose(b);` is clean).  On the\n"
    "branch where `io_uring_submit()` failed (`ret < 0`, or `ret != 1` with one\n"
    "request prepared) nothing is in flight.  A request flagged\n"
    "`IOSQE_CQE_SKIP_SUCCESS` posts no completion when it succeeds: it is not\n"
    "work to reap.  A no-op (`io_uring_prep_nop`, the model's `immediate`)\n"
    "completes while it is submitted: a ring torn down after only no-ops has\n"
    "nothing in flight, only completions nobody needs (one dropped with no\n"
    "teardown is still reported).  Every reaping call counts\n"
    "(`io_uring_wait_cqe*`, `io_uring_peek_cqe`, `io_uring_submit_and_wait`,\n"
    "`io_uring_for_each_cqe` with `io_uring_cq_advance`, `io_uring_cqe_seen`, a\n"
    "function of the program that reaps the ring it is given); when the counts\n"
    "are constants, more requests submitted than reaped before the teardown is\n"
    "reported too (`io_uring_cq_ready()` reads how many completions arrived:\n"
    "after it the count is no longer known, but observing is not reaping).  A\n"
    "loop is taken to run at least once: leaving it (by the first test of its\n"
    "condition or a later one of an `&&` chain) keeps only the work a pass can\n"
    "carry round, so `while (completed < submitted) { ...; peek; ... }` and\n"
    "`while (!done && count != 1) { reap ...; count++; }` leave nothing in\n"
    "flight - unless a pass re-arms a multishot request, which one reap does not\n"
    "end.  A thread whose entry reaps the ring (the one it is handed, one\n"
    "reached through its argument such as `td->ring`, or a global one) reaps\n"
    "it for the function once it is joined (`pthread_join`), and a fork()ed\n"
    "child reaping the shared ring does once the parent reaps the child\n"
    "(`waitpid`).  A ring on the stack that the function never tears down is\n"
    "reported where the function returns with work in flight (not where\n"
    "`main()` returns: the process exits, and the kernel tears the ring down,\n"
    "as after `exit()`); a ring in a struct, a global, or handed to unknown\n"
    "code outlives the call and is not.  For the same reason a teardown that\n"
    "is `main()`'s last work (only output, frees and closes follow it on every\n"
    "path to the return, and no loop comes back to it) is not reported: it\n"
    "cuts short nothing the exit would not.\n"
    "\n"
    "## Why is this bad?\n"
    "\n"
    "In libdill `hclose()` on a bundle is cancellation, not a join: every\n"
    "blocking call inside its coroutines starts failing with `ECANCELED`, so\n"
    "work that was supposed to run to completion (flushing a file, answering a\n"
    "request) is silently cut short.  The documented shutdown is\n"
    "`bundle_wait(b, deadline)` first, then `hclose(b)`.  With io_uring,\n"
    "`io_uring_queue_exit()` unmaps the rings while the kernel may still be\n"
    "working on submitted requests: the completions are lost and buffers the\n"
    "requests still reference may be freed under the kernel.\n"
    "\n"
    "## Example\n"
    "\n"
    "```c\n"
    "int flush_all(struct store *s)\n"
    "{\n"
    "    int b = bundle();\n"
    "    for (int i = 0; i < s->nshards; i++)\n"
    "        bundle_go(b, flush_shard(&s->shards[i]));\n"
    "    return hclose(b);      /* cancels the flushes instead of waiting */\n"
    "}\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "\n"
    "```c\n"
    "int flush_all(struct store *s)\n"
    "{\n"
    "    int b = bundle();\n"
    "    for (int i = 0; i < s->nshards; i++)\n"
    "        bundle_go(b, flush_shard(&s->shards[i]));\n"
    "    int rc = bundle_wait(b, now() + 5000);  /* let them finish, bounded */\n"
    "    hclose(b);                              /* cancels only stragglers */\n"
    "    return rc;\n"
    "}\n"
    "```\n";

void tl_ut_bottom(void *ctx, void *st)
{
    (void)ctx;
    ut_state *s = st;
    s->reached = false;
    s->vars.e = NULL;
    s->vars.n = 0;
}
static void ut_entry(void *ctx, void *st)
{
    tl_ut_bottom(ctx, st);
    ((ut_state *)st)->reached = true;
}
void tl_ut_copy(void *ctx, void *dst, const void *src)
{
    ut_state *d = dst;
    const ut_state *s = src;
    ((ut_ctx *)ctx)->work += s->vars.n;
    d->reached = s->reached;
    tl_sparse_copy(&d->vars, &s->vars);
}
static bool ut_join(void *ctx, void *dst, const void *src)
{
    ut_state *d = dst;
    const ut_state *s = src;
    if (!s->reached)
        return false;
    if (!d->reached) {
        tl_ut_copy(ctx, dst, src);
        return true;
    }
    ((ut_ctx *)ctx)->work += d->vars.n + s->vars.n;
    return tl_sparse_join(&d->vars, &s->vars);
}
void tl_ut_destroy(void *ctx, void *st)
{
    (void)ctx;
    tl_sparse_free(&((ut_state *)st)->vars);
}

int tl_ut_obj_var(const ut_ctx *c, const tl_call *call, int arg)
{
    return tl_own_call_arg_var(call, arg, c->nvars);
}

/* The bits of v in the state being applied (0 for untracked variables). */
static uint64_t bits_of(const ut_ctx *c, int v)
{
    return c->tracked[v] ? c->env.val[v] : 0;
}

static void set_bits(ut_ctx *c, int v, uint64_t bits)
{
    if (c->tracked[v])
        *tl_sparse_slot(&c->env, v) = bits;
}

static void mark(ut_ctx *c, int v, unsigned bits, int why, int call)
{
    set_bits(c, v, bits_of(c, v) | bits);
    if (c->reporting || c->why[v] == WHY_NONE) {
        c->why[v] = why;
        c->why_call[v] = call;
    }
    if (c->tracing)
        tl_ut_trace_set(c, v, call, why);
}

const tl_instr *tl_ut_find_call(const ut_ctx *c, int id)
{
    const tl_func_facts *ff = &c->a->funcs[c->fi];
    return id >= 0 && id < ff->ncalls ? ff->calls[id].instr : NULL;
}

/* Apply instruction ii to the unpacked state. */
void tl_ut_apply(ut_ctx *c, const tl_block *b, int ii)
{
    const tl_func *f = c->f;
    const tl_instr *in = &b->instrs[ii];
    switch (in->kind) {
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        const tl_fn_model *m = tl_own_model(c->a, c->fi, call->id);
        if (!m)
            break;
        if (c->stops.first && call->id >= 0 && call->id < f->ncalls && c->stops.first[call->id] >= 0)
            for (int k = 0; k < c->stops.count[call->id]; k++) /* launches it stopped */
                set_bits(c, c->stops.vars[c->stops.first[call->id] + k], 0);
        int joined = tl_ut_reaper_release(&c->reapers, m, call);
        for (int k = 0; joined >= 0 && k < c->reapers.n; k++) /* its task reaped them */
            if (c->reapers.pairs[k].handle == joined)
                set_bits(c, c->reapers.pairs[k].object, 0);
        if (m->teardown.present) {
            int v = tl_ut_obj_var(c, call, m->teardown.arg);
            if (v >= 0) {
                uint64_t bits = bits_of(c, v);
                bool idle = (c->why[v] == WHY_START && tl_ut_only_immediate(&c->inflight, call->id)) ||
                            (c->reporting && tl_ut_final_in_main(c->a, c->fi, &c->main_tail, b, ii));
                if (bits && !idle && c->reporting && call->id >= 0 && call->id < f->ncalls &&
                    !c->reported[call->id]) {
                    c->reported[call->id] = 1;
                    tl_ut_report_teardown(c, in, m, v, (unsigned)bits, b->id, ii);
                } else if (c->reporting && call->id >= 0 && call->id < f->ncalls &&
                           !c->reported[call->id]) {
                    const tl_inflight_at *at = tl_inflight_before(&c->inflight, call->id);
                    if (at && at->inflight > 0 && at->inflight != TL_IF_MANY && !idle &&
                        !tl_ut_only_immediate(&c->inflight, call->id) &&
                        !tl_ut_reaped_elsewhere(&c->reapers, v)) {
                        c->reported[call->id] = 1;
                        tl_ut_report_unreaped(c->a, c->out, f, in, f->vars[v].name,
                                              tl_ut_find_call(c, c->why_call[v]), at->inflight);
                    }
                }
                set_bits(c, v, 0);
            }
        }
        if (m->await.present && !m->reap.observes) { /* observing is not reaping */
            int v = tl_ut_obj_var(c, call, m->await.arg);
            if (v >= 0)
                set_bits(c, v, 0);
        }
        if (m->cooperative) /* every variable with bits is among the touched ones */
            for (int k = 0; k < c->env.ntouched; k++)
                c->env.val[c->env.touched[k]] &= ~(uint64_t)UT_ANY;
        if (m->start.present) {
            int v = tl_ut_obj_var(c, call, m->start.arg);
            /* a generator resumed on a cycle of the CFG is driven by its
               consumer's loop: used, then dropped, not abandoned */
            if (v >= 0 && m->start_generator && c->cyclic && c->cyclic[b->id])
                set_bits(c, v, 0);
            else if (v >= 0 && !tl_ut_starts_nothing(&c->inflight, call->id))
                mark(c, v, UT_STRICT, WHY_START, call->id);
        }
        if (m->spawn.present && tl_own_spawn_has_owner(c->a, c->fi, call, m) &&
            !(c->done_at_once && c->done_at_once[call->id])) {
            int v = tl_ut_obj_var(c, call, m->spawn.owner_arg);
            if (v >= 0 && c->prior_work && call->id >= 0 && call->id < f->ncalls && bits_of(c, v))
                c->prior_work[call->id] = 1;
            if (v >= 0)
                mark(c, v, m->spawn.awaited_by_any_wait ? UT_ANY : UT_STRICT, WHY_OWNER,
                     call->id);
        }
        break;
    }
    case TL_I_ASSIGN: {
        int v = in->var;
        if (v < 0 || v >= c->nvars)
            break;
        const tl_expr *e = tl_expr_uncast(in->value);
        if (e && e->kind == TL_E_CALLRES && c->reporting) {
            const tl_fn_model *m = tl_own_model(c->a, c->fi, e->call_id);
            if (m && m->spawn.present && m->spawn.task && *m->spawn.task)
                c->noun[v] = m->spawn.task;
        }
        if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls &&
            c->result_bits[e->call_id]) {
            set_bits(c, v, 0);
            mark(c, v, c->result_bits[e->call_id], WHY_RESULT, e->call_id);
        } else if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->nvars) {
            uint64_t bits = bits_of(c, e->var);
            set_bits(c, v, bits);
            if (bits && (c->reporting || c->why[v] == WHY_NONE)) {
                c->why[v] = c->why[e->var];
                c->why_call[v] = c->why_call[e->var];
            }
            if (bits && c->tracing)
                tl_ut_trace_copy(c, v, e->var);
            if (c->moved_out && c->moved_out[e->var] && e->var != v)
                set_bits(c, e->var, 0); /* moved: nothing reads it again */
        } else {
            set_bits(c, v, 0);
        }
        break;
    }
    case TL_I_DECL:
        if (in->var >= 0 && in->var < c->nvars)
            set_bits(c, in->var, 0);
        break;
    default:
        break;
    }
}

void tl_ut_transfer_block(void *ctx, void *stp, const tl_func *f, const tl_block *b)
{
    (void)f;
    ut_ctx *c = ctx;
    ut_state *st = stp;
    if (!st->reached)
        return;
    tl_sparse_unpack(&c->env, &st->vars);
    for (int i = 0; i < b->ninstrs; i++)
        tl_ut_apply(c, b, i);
    c->work += c->env.ntouched + b->ninstrs;
    tl_sparse_pack(&c->env, &st->vars);
}

#define UT_RESULT_WALK 8 /* blocks searched back for a variable's last value */

/* The call whose result v holds before instruction i of block b: its last
 * assignment there, else the same answer from every reached predecessor
 * (over copies: `rc = h` after `h = dill_prologue(...)`), searching at most
 * UT_RESULT_WALK blocks in all (*budget); -1 when none is found or the
 * paths disagree. */
static int reaching_result(const ut_ctx *c, int b, int i, int v, int *budget)
{
    const tl_func *f = c->f;
    const tl_block *blk = &f->blocks[b];
    while (--i >= 0) {
        const tl_instr *in = &blk->instrs[i];
        if ((in->kind != TL_I_ASSIGN && in->kind != TL_I_DECL) || in->var != v)
            continue;
        const tl_expr *e = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
        if (e && e->kind == TL_E_CALLRES)
            return e->call_id;
        if (!e || e->kind != TL_E_VAR || e->nkids != 0 || e->var < 0 || e->var >= c->nvars ||
            c->addr_taken[e->var])
            return -1;
        if (c->result_of[e->var] >= 0)
            return c->result_of[e->var]; /* a copy of a variable assigned once */
        v = e->var; /* a copy: what it copied, further back */
    }
    int found = -1;
    for (int k = c->pred_start[b]; k < c->pred_start[b + 1]; k++) {
        if (--*budget < 0)
            return -1;
        int p = c->preds[k];
        int r = reaching_result(c, p, f->blocks[p].ninstrs, v, budget);
        if (r < 0 || (found >= 0 && r != found))
            return -1;
        found = r;
    }
    return found;
}

static int result_held(void *ctx, int v)
{
    const ut_ctx *c = ctx;
    if (v < 0 || v >= c->nvars)
        return -1;
    int budget = UT_RESULT_WALK, b = c->edge_block;
    int r = c->preds && !c->addr_taken[v] && b >= 0 && b < c->f->nblocks
                ? reaching_result(c, b, c->f->blocks[b].ninstrs, v, &budget)
                : -1;
    return r >= 0 ? r : c->result_of ? c->result_of[v] : -1;
}

static uint64_t failed_mask(void *ctx, int v)
{
    return v == ((ut_ctx *)ctx)->failed_var ? ~(uint64_t)0 : 0;
}

bool tl_ut_edge(void *ctx, void *stp, const tl_func *f, const tl_block *b, int s)
{
    (void)f;
    ut_ctx *c = ctx;
    ut_state *st = stp;
    if (!st->reached || st->vars.n == 0 || b->term != TL_T_BRANCH || s < 0 || s > 1)
        return true;
    int failed = tl_inflight_failed_start(&c->inflight, b->id, s);
    const tl_instr *fin = failed >= 0 ? tl_ut_find_call(c, failed) : NULL;
    const tl_fn_model *fm = fin ? tl_own_model(c->a, c->fi, failed) : NULL;
    if (fm && fm->start.present) { /* the start failed: it started nothing */
        int v = tl_ut_obj_var(c, &fin->call, fm->start.arg);
        if (v >= 0) {
            c->failed_var = v;
            tl_sparse_clear(&st->vars, failed_mask, c);
        }
    }
    int outcome = 0;
    c->edge_block = b->id;
    int sp = c->owner_spawns ? tl_own_edge_spawn_outcome(c->a, c->fi, b, s, result_held, c, NULL, &outcome)
                             : -1;
    if (sp >= 0 && sp < c->f->ncalls && outcome < 0 &&
        (c->owner_spawns[sp] == 1 || (c->owner_spawns[sp] == 2 && !c->prior_work[sp]))) {
        /* a spawn into an owner that held nothing before it failed (the only
           one, or one no path reaches with work in the owner): the owner
           holds no work */
        const tl_instr *sin = tl_ut_find_call(c, sp);
        const tl_fn_model *sm = sin ? tl_own_model(c->a, c->fi, sp) : NULL;
        int v = sm ? tl_ut_obj_var(c, &sin->call, sm->spawn.owner_arg) : -1;
        if (v >= 0) {
            c->failed_var = v;
            tl_sparse_clear(&st->vars, failed_mask, c);
        }
    }
    c->work += st->vars.n;
    int h = tl_ut_exit_header(c, b, s);
    if (h >= 0)
        tl_sparse_clear(&st->vars, tl_ut_loop_clear_mask, &c->loops[h]);
    return true;
}

/* Reverse-postorder positions (-1: unreachable). */
static void rpo_positions(const tl_func *f, int *rpo)
{
    int n = f->nblocks;
    int *stack = tl_xmalloc(sizeof(int) * (size_t)n), *next = tl_xcalloc((size_t)n, sizeof(int));
    int *post = tl_xmalloc(sizeof(int) * (size_t)n);
    unsigned char *seen = tl_xcalloc((size_t)n, 1);
    int sp = 0, np = 0;
    for (int i = 0; i < n; i++)
        rpo[i] = -1;
    if (f->entry >= 0 && f->entry < n) {
        stack[sp++] = f->entry;
        seen[f->entry] = 1;
    }
    while (sp > 0) {
        int b = stack[sp - 1];
        if (next[b] < f->blocks[b].nsucc) {
            int t = f->blocks[b].succ[next[b]++];
            if (t >= 0 && t < n && !seen[t]) {
                seen[t] = 1;
                stack[sp++] = t;
            }
        } else {
            post[np++] = b;
            sp--;
        }
    }
    for (int i = 0; i < np; i++)
        rpo[post[np - 1 - i]] = i;
    free(stack);
    free(next);
    free(post);
    free(seen);
}

/* Which variables may ever hold started work: the objects of start calls and
 * of spawns into an owner, the variables receiving a result handle, and the
 * variables those are copied into. */
static int compute_tracked(ut_ctx *c)
{
    const tl_func *f = c->f;
    int *queue = tl_xmalloc(((size_t)c->nvars + 1) * sizeof *queue), nq = 0;
    /* copies w -> v as linked lists per source w */
    int *first = tl_xmalloc(((size_t)c->nvars + 1) * sizeof *first);
    for (int v = 0; v < c->nvars; v++)
        first[v] = -1;
    int *dst = NULL, *next = NULL, ncopies = 0, cap = 0;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            int v = -1;
            if (in->kind == TL_I_CALL) {
                const tl_fn_model *m = tl_own_model(c->a, c->fi, in->call.id);
                if (m && m->start.present)
                    v = tl_ut_obj_var(c, &in->call, m->start.arg);
                if (v >= 0 && !c->tracked[v]) {
                    c->tracked[v] = true;
                    queue[nq++] = v;
                }
                v = -1;
                if (m && m->spawn.present && tl_own_spawn_has_owner(c->a, c->fi, &in->call, m))
                    v = tl_ut_obj_var(c, &in->call, m->spawn.owner_arg);
            } else if (in->kind == TL_I_ASSIGN && in->var >= 0 && in->var < c->nvars) {
                const tl_expr *e = tl_expr_uncast(in->value);
                if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls &&
                    c->result_bits[e->call_id]) {
                    v = in->var;
                } else if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->nvars) {
                    if (ncopies == cap) {
                        cap = cap ? cap * 2 : 16;
                        dst = tl_xrealloc(dst, (size_t)cap * sizeof *dst);
                        next = tl_xrealloc(next, (size_t)cap * sizeof *next);
                    }
                    dst[ncopies] = in->var;
                    next[ncopies] = first[e->var];
                    first[e->var] = ncopies++;
                }
            }
            if (v >= 0 && !c->tracked[v]) {
                c->tracked[v] = true;
                queue[nq++] = v;
            }
        }
    }
    int ntracked = nq;
    while (nq > 0) {
        int w = queue[--nq];
        for (int k = first[w]; k >= 0; k = next[k])
            if (!c->tracked[dst[k]]) {
                c->tracked[dst[k]] = true;
                queue[nq++] = dst[k];
                ntracked++;
            }
    }
    free(queue);
    free(first);
    free(dst);
    free(next);
    return ntracked;
}

static bool ut_exhausted(void *ctx)
{
    const ut_ctx *c = ctx;
    return c->work > c->budget;
}

static bool ut_keeps_globals(void *ctx, const tl_instr *call)
{
    const ut_ctx *c = ctx;
    return tl_call_keeps_globals(&c->a->tu->funcs[c->fi], &c->a->funcs[c->fi].calls[call->call.id]);
}

static const tl_dataflow_ops ut_ops = {
    .state_size = sizeof(ut_state),
    .init_entry = ut_entry,
    .init_bottom = tl_ut_bottom,
    .copy = tl_ut_copy,
    .join = ut_join,
    .transfer = NULL,
    .transfer_block = tl_ut_transfer_block,
    .transfer_edge = tl_ut_edge,
    .destroy = tl_ut_destroy,
    .exhausted = ut_exhausted,
    .split_by_facts = true,
    .call_keeps_globals = ut_keeps_globals,
};

/* c->owner_spawns: the spawns into an owner (bundle_go(b, ...)); 1 for
 * those that are the only call of the function starting work on that owner
 * - a start, or another spawn into it - so that on the edge where one
 * failed the owner holds nothing; 2 for the others, whose failure edge
 * leaves the owner empty when no path brings work into it before the spawn
 * (prior_work, found by the solve itself).  NULL when there is none. */
static void owner_spawns(ut_ctx *c)
{
    const tl_func *f = c->f;
    int *starts = NULL; /* per variable: calls starting work on it */
    for (int id = 0; id < f->ncalls; id++) {
        const tl_fn_model *m = tl_own_model(c->a, c->fi, id);
        const tl_instr *in = m ? tl_ut_find_call(c, id) : NULL;
        int v = -1;
        if (in && m->spawn.present && tl_own_spawn_has_owner(c->a, c->fi, &in->call, m))
            v = tl_ut_obj_var(c, &in->call, m->spawn.owner_arg);
        else if (in && m->start.present)
            v = tl_ut_obj_var(c, &in->call, m->start.arg);
        if (v < 0 || v >= f->nvars) continue;
        if (!starts) starts = tl_xcalloc((size_t)f->nvars, sizeof *starts);
        starts[v]++;
    }
    if (!starts) return;
    for (int id = 0; id < f->ncalls; id++) {
        const tl_fn_model *m = tl_own_model(c->a, c->fi, id);
        const tl_instr *in = m && m->spawn.present ? tl_ut_find_call(c, id) : NULL;
        if (!in || !tl_own_spawn_has_owner(c->a, c->fi, &in->call, m)) continue;
        int v = tl_ut_obj_var(c, &in->call, m->spawn.owner_arg);
        if (v < 0 || v >= f->nvars) continue;
        if (!c->owner_spawns) c->owner_spawns = tl_xcalloc((size_t)f->ncalls, 1);
        c->owner_spawns[id] = starts[v] == 1 ? 1 : 2;
    }
    free(starts);
    if (!c->owner_spawns) return;
    c->prior_work = tl_xcalloc((size_t)f->ncalls, 1);
    /* the variables that hold one call's result (`int h = dill_prologue(...)`
       inside bundle_go()'s expansion, tested by the caller's branch) */
    c->result_of = tl_xmalloc((size_t)f->nvars * sizeof *c->result_of);
    for (int v = 0; v < f->nvars; v++) c->result_of[v] = -1;
    unsigned char *assigns = tl_xcalloc((size_t)f->nvars, 1);
    int *copy_of = tl_xmalloc((size_t)f->nvars * sizeof *copy_of);
    for (int v = 0; v < f->nvars; v++) copy_of[v] = -1;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars) continue;
            const tl_expr *e = tl_expr_uncast(in->value);
            if (assigns[in->var] < 2) assigns[in->var]++;
            c->result_of[in->var] = e && e->kind == TL_E_CALLRES && assigns[in->var] == 1 ? e->call_id : -1;
            copy_of[in->var] = e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < f->nvars &&
                                       assigns[in->var] == 1
                                   ? e->var
                                   : -1;
        }
    unsigned char *taken = tl_xcalloc((size_t)f->nvars, 1);
    tl_func_addr_taken(f, taken);
    for (int v = 0; v < f->nvars; v++)
        if (assigns[v] != 1 || taken[v]) c->result_of[v] = copy_of[v] = -1;
    /* copies of a result, each assigned once (a chain of at most 4) */
    for (int v = 0; v < f->nvars; v++) {
        int w = v;
        for (int hop = 0; hop < 4 && c->result_of[w] < 0 && copy_of[w] >= 0; hop++) w = copy_of[w];
        if (c->result_of[v] < 0 && w != v) c->result_of[v] = c->result_of[w];
    }
    free(copy_of);
    c->addr_taken = taken;
    free(assigns);
    tl_reached_pred_lists(f, &c->pred_start, &c->preds); /* (reaching_result) */
}

static void count_reads(const tl_expr *e, int nvars, int *reads)
{
    if (!e)
        return;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < nvars)
        reads[e->var]++;
    for (int i = 0; i < e->nkids; i++)
        count_reads(e->kids[i], nvars, reads);
}

/* Per variable: assigned once and read (outside branch conditions) only by
 * one copy `x = w` - its work moves to x there (go()'s `dill_handle__` into
 * the caller's handle), so the state need not carry it on.  NULL: none. */
static unsigned char *moved_out_vars(const tl_func *f, const bool *tracked)
{
    int n = f->nvars;
    int *reads = tl_xcalloc((size_t)n + 1, sizeof *reads), *assigns = tl_xcalloc((size_t)n + 1, sizeof *assigns);
    int *copies = tl_xcalloc((size_t)n + 1, sizeof *copies);
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            switch (in->kind) {
            case TL_I_CALL:
                count_reads(in->call.fn, n, reads);
                for (int k = 0; k < in->call.nargs; k++)
                    count_reads(in->call.args[k], n, reads);
                break;
            case TL_I_ASSIGN: {
                if (in->var >= 0 && in->var < n)
                    assigns[in->var]++;
                count_reads(in->value, n, reads);
                const tl_expr *e = tl_expr_uncast(in->value);
                if (e && e->kind == TL_E_VAR && e->nkids == 0 && e->var >= 0 && e->var < n)
                    copies[e->var]++;
                break;
            }
            case TL_I_STORE:
                count_reads(in->target, n, reads);
                count_reads(in->value, n, reads);
                break;
            default:
                count_reads(in->value, n, reads);
                break;
            }
        }
    unsigned char *taken = tl_xcalloc((size_t)n + 1, 1), *moved = NULL;
    tl_func_addr_taken(f, taken);
    for (int v = 0; v < n; v++)
        if (tracked[v] && !taken[v] && assigns[v] == 1 && reads[v] == 1 && copies[v] == 1) {
            if (!moved)
                moved = tl_xcalloc((size_t)n + 1, 1);
            moved[v] = 1;
        }
    free(taken);
    free(reads);
    free(assigns);
    free(copies);
    return moved;
}

static void check_func(const tl_analysis *a, int fi, const bool *quiet, tl_findings *out)
{
    const tl_func *f = &a->tu->funcs[fi];
    tl_ut_check_must_await(a, fi, out);
    tl_ut_check_never_resumed(a, fi, out);
    if (f->nblocks == 0)
        return;
    /* anything to tear down at all, or work started on a local object? */
    bool any_teardown = false;
    for (int id = 0; id < f->ncalls && !any_teardown; id++) {
        const tl_fn_model *m = tl_own_model(a, fi, id);
        const tl_instr *in = m && m->start.present ? a->funcs[fi].calls[id].instr : NULL;
        int v = in ? tl_own_arg_root(in->call.args[m->start.arg < in->call.nargs ? m->start.arg : 0])
                   : -1;
        any_teardown = m && (m->teardown.present ||
                             (in && m->start.arg < in->call.nargs && v >= 0 && v < f->nvars &&
                              f->vars[v].kind == TL_VAR_LOCAL));
    }
    if (!any_teardown)
        return;

    ut_ctx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.fi = fi;
    c.f = f;
    c.nvars = f->nvars;
    c.out = out;
    size_t nc = f->ncalls > 0 ? (size_t)f->ncalls : 1;
    size_t nv = f->nvars > 0 ? (size_t)f->nvars : 1;
    c.result_bits = tl_xcalloc(nc, 1);
    c.done_at_once = tl_ut_spawns_done_at_once(a, fi, quiet);
    owner_spawns(&c);
    for (int id = 0; id < f->ncalls; id++) {
        const tl_fn_model *m = tl_own_model(a, fi, id);
        const tl_instr *in = tl_ut_find_call(&c, id);
        if (!m || !in || !m->spawn.present || m->spawn.where != TL_HANDLE_RESULT)
            continue;
        if (tl_own_spawn_has_owner(a, fi, &in->call, m))
            continue; /* the result is a status; the owner is marked instead */
        if (m->spawn.entry_arg < 0 && !m->spawn.entry_before_call)
            continue; /* creates an owner (bundle()), starts nothing yet */
        if (c.done_at_once && c.done_at_once[id])
            continue; /* ran to its end inside go(): nothing left to await */
        c.result_bits[id] = m->spawn.awaited_by_any_wait ? UT_ANY : UT_STRICT;
    }
    c.tracked = tl_xcalloc(nv, sizeof *c.tracked);
    if (compute_tracked(&c) == 0) { /* nothing is ever started: nothing to report */
        free(c.result_bits);
        free(c.done_at_once);
        free(c.owner_spawns);
        free(c.prior_work);
        free(c.addr_taken);
        free(c.pred_start);
        free(c.preds);
        free(c.result_of);
        free(c.tracked);
        return;
    }
    for (int id = 0; id < f->ncalls && !c.cyclic; id++) {
        const tl_fn_model *m = tl_own_model(a, fi, id);
        if (m && m->start.present && m->start_generator)
            c.cyclic = tl_blocks_on_cycles(f);
    }
    c.reported = tl_xcalloc(nc, 1);
    c.main_tail = tl_ut_main_tail_make(a, fi);
    c.reported_exit = tl_xcalloc(nv, 1);
    c.owned = tl_xcalloc(nv, sizeof *c.owned);
    memcpy(c.owned, c.tracked, nv * sizeof *c.owned);
    tl_ut_local_objects(a, fi, c.owned);
    tl_ut_reapers_compute(a, fi, c.tracked, &c.reapers);
    tl_ut_stops_compute(a, fi, c.tracked, c.result_bits, &c.stops);
    c.moved_out = moved_out_vars(f, c.tracked);
    tl_inflight_compute(a, fi, &c.inflight);
    c.why = tl_xcalloc(nv, sizeof(int));
    c.why_call = tl_xmalloc(nv * sizeof(int));
    c.noun = tl_xcalloc(nv, sizeof(char *));
    for (size_t v = 0; v < nv; v++)
        c.why_call[v] = -1;
    c.rpo = tl_xmalloc(sizeof(int) * (size_t)f->nblocks);
    rpo_positions(f, c.rpo);
    c.loops = tl_xcalloc((size_t)f->nblocks, sizeof *c.loops);
    c.body_stamp = tl_xcalloc((size_t)f->nblocks, sizeof *c.body_stamp);
    c.walk = tl_xmalloc(sizeof(int) * (size_t)f->nblocks);
    tl_sparse_scratch_init(&c.env, f->nvars);
    c.budget = tl_dataflow_budget(f);

    tl_dataflow_result r;
    int rc = tl_dataflow_forward(f, &ut_ops, &c, &r);
    if (rc == 0 && tl_ut_refine_loops(&c, &r)) { /* again, with what comes round each loop */
        tl_dataflow_free(&r);
        c.work = 0;
        rc = tl_dataflow_forward(f, &ut_ops, &c, &r);
    }
    if (rc != 0) /* then report what was computed */
        tl_report_analysis_limit(out, f->loc.file, f->loc.line, f->loc.col, f->name,
                                 "unawaited-task's dataflow stopped at its budget (too many "
                                 "paths through nested loops)");
    /* replay every reached block, reporting */
    c.reporting = true;
    c.res = &r;
    tl_sparse_scratch_init(&c.env2, f->nvars);
    tl_ut_path_init(&c);
    for (int bi = 0; bi < f->nblocks; bi++) {
        if (!r.reached[bi])
            continue;
        const ut_state *in = tl_dataflow_in(&r, bi);
        tl_sparse_unpack(&c.env, &in->vars);
        tl_ut_trace_block(&c); /* origins of the block's starts, for the paths */
        for (int i = 0; i < f->blocks[bi].ninstrs; i++)
            tl_ut_apply(&c, &f->blocks[bi], i);
        if (f->blocks[bi].term == TL_T_EXIT && bi != f->exit)
            tl_ut_report_exit(&c, &f->blocks[bi]);
        tl_sparse_discard(&c.env);
    }
    if (f->exit >= 0 && f->exit < f->nblocks && r.reached[f->exit]) {
        /* falling off the end (returns were reported where they are) */
        tl_sparse_unpack(&c.env, &((const ut_state *)tl_dataflow_in(&r, f->exit))->vars);
        tl_ut_trace_block(&c);
        tl_ut_report_exit(&c, &f->blocks[f->exit]);
        tl_sparse_discard(&c.env);
    }
    c.tracing = false;
    tl_dataflow_free(&r);
    tl_inflight_free(&c.inflight);
    free(c.owned);
    free(c.reported_exit);
    tl_sparse_scratch_free(&c.env);
    tl_sparse_scratch_free(&c.env2);
    free(c.result_bits);
    free(c.done_at_once);
    free(c.moved_out);
    tl_ut_stops_free(&c.stops);
    free(c.owner_spawns);
    free(c.prior_work);
    free(c.addr_taken);
    free(c.pred_start);
    free(c.preds);
    free(c.result_of);
    free(c.tracked);
    free(c.cyclic);
    tl_ut_main_tail_free(&c.main_tail);
    free(c.reported);
    free(c.why);
    free(c.why_call);
    free(c.noun);
    tl_ut_loops_free(&c);
    tl_ut_path_free(&c);
    free(c.rpo);
    free(c.body_stamp);
    free(c.walk);
}

static void ut_check(const tl_analysis *a, tl_findings *out)
{
    if (!a || !a->tu)
        return;
    bool *quiet = tl_ut_never_suspending(a);
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        if (a->funcs && a->funcs[fi].exempt)
            continue;
        check_func(a, fi, quiet, out);
    }
    free(quiet);
}

const tl_rule tl_rule_unawaited_task = {
    .id = "unawaited-task",
    .name = "UnawaitedTask",
    .summary = "started work (coroutines in a bundle, submitted I/O, a resumed coroutine) is "
               "torn down before it was awaited",
    .doc = ut_doc,
    .severity = TL_SEV_WARNING,
    .tags = "concurrency,cancellation,lifecycle",
    .precision = "high",
    .check = ut_check,
};
