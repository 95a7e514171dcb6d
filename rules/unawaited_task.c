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
 * reported.  Also: a `must_await` call whose result is discarded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "rule.h"
#include "../analyzer/dataflow/dataflow.h"

static const char ut_doc[] =
    "## What it does\n"
    "\n"
    "Finds asynchronous work that is torn down before its completion was\n"
    "observed: a libdill bundle or `go()` handle closed with `hclose()` with no\n"
    "`bundle_wait()` (or, for a `go()` handle, no other wait of the parent) since\n"
    "the coroutines were launched; an `io_uring` ring torn down with\n"
    "`io_uring_queue_exit()` after `io_uring_submit()` without reaping the\n"
    "completions; a coroutine object destroyed after it was resumed but before\n"
    "it finished; and a call whose result is a task that must be awaited\n"
    "(`must_await` in the models) used as a plain statement.\n"
    "\n"
    "The check is path-sensitive: one path without the wait is enough.\n"
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

/* Per-variable state bits. */
#define UT_STRICT 1u /* started; only an await clears it */
#define UT_ANY 2u    /* started; an await or any cooperative call clears it */

enum { WHY_NONE = 0, WHY_RESULT, WHY_OWNER, WHY_START };

typedef struct {
    const tl_analysis *a;
    int fi;
    const tl_func *f;
    int nvars;
    bool reporting;
    unsigned char *result_bits; /* per call id: bits a result-handle spawn sets */
    /* flow-insensitive: why a variable was marked, and by which call */
    int *why;
    int *why_call;
    const char **noun;          /* task noun of the spawn a variable was assigned from */
    unsigned char *reported;    /* per call id */
    /* loops are assumed to run at least once: on the exit edge of a loop
       header, bits the loop body clears (await on the object, any
       cooperative call) are cleared, unless the body also (re)starts or
       reassigns the object */
    int *edge_loop;             /* per block * 2 + succ: loop index, -1 */
    unsigned char **loop_clear; /* per loop: nvars bit masks to clear */
    int nloops;
    tl_findings *out;
} ut_ctx;

typedef struct {
    unsigned char *v; /* NULL = bottom; nvars bytes */
} ut_state;

static size_t ut_size(const ut_ctx *c) { return c->nvars > 0 ? (size_t)c->nvars : 1; }

static void ut_bottom(void *ctx, void *st) { ((ut_state *)st)->v = NULL; }
static void ut_entry(void *ctx, void *st) { ((ut_state *)st)->v = calloc(ut_size(ctx), 1); }
static void ut_copy(void *ctx, void *dst, const void *src)
{
    ut_state *d = dst;
    const ut_state *s = src;
    if (!s->v) {
        free(d->v);
        d->v = NULL;
        return;
    }
    if (!d->v)
        d->v = malloc(ut_size(ctx));
    memcpy(d->v, s->v, ut_size(ctx));
}
static bool ut_join(void *ctx, void *dst, const void *src)
{
    ut_state *d = dst;
    const ut_state *s = src;
    if (!s->v)
        return false;
    if (!d->v) {
        ut_copy(ctx, dst, src);
        return true;
    }
    bool changed = false;
    for (size_t i = 0; i < ut_size(ctx); i++) {
        unsigned char n = d->v[i] | s->v[i];
        changed |= n != d->v[i];
        d->v[i] = n;
    }
    return changed;
}
static void ut_destroy(void *ctx, void *st)
{
    ut_state *s = st;
    free(s->v);
    s->v = NULL;
}

static int obj_var(const ut_ctx *c, const tl_call *call, int arg)
{
    if (arg < 0 || arg >= call->nargs)
        return -1;
    int v = tl_own_arg_root(call->args[arg]);
    return v >= 0 && v < c->nvars ? v : -1;
}

static void mark(ut_ctx *c, unsigned char *st, int v, unsigned bits, int why, int call)
{
    st[v] |= (unsigned char)bits;
    if (c->reporting || c->why[v] == WHY_NONE) {
        c->why[v] = why;
        c->why_call[v] = call;
    }
}

static const tl_instr *find_call(const tl_func *f, int id)
{
    return id >= 0 ? tl_func_find_call(f, id) : NULL;
}

static void report_teardown(ut_ctx *c, const tl_instr *in, const tl_fn_model *m, int v,
                            unsigned bits)
{
    const tl_func *f = c->f;
    char td[128], how[64], aw[128], msg[1024];
    tl_own_user_name(&in->call, td, sizeof td);
    const char *verb = "torn down";
    if (m->release.present && m->release.how)
        verb = tl_own_past(m->release.how, how, sizeof how);
    const tl_fn_model *awm = tl_own_library_await(c->a->models, m->library);
    if (awm)
        tl_own_peer_name(&in->call, awm->name, aw, sizeof aw);
    const char *vn = f->vars[v].name;
    const tl_instr *why_in = find_call(f, c->why_call[v]);
    const tl_fn_model *why_m = why_in ? tl_own_model(c->a, c->fi, why_in->call.id) : NULL;
    char whyname[128] = "";
    unsigned line = 0;
    if (why_in) {
        tl_own_user_name(&why_in->call, whyname, sizeof whyname);
        line = why_in->loc.line;
    }
    const char *task = why_m && why_m->spawn.present && why_m->spawn.task && *why_m->spawn.task
                           ? why_m->spawn.task
                           : "task";
    bool any = (bits & UT_ANY) && !(bits & UT_STRICT);
    char waits[256];
    if (awm)
        snprintf(waits, sizeof waits, any ? "%s() or any other wait" : "%s()", aw);
    else
        snprintf(waits, sizeof waits, any ? "any wait" : "an await");

    switch (c->why[v]) {
    case WHY_OWNER:
        snprintf(msg, sizeof msg,
                 "%s%s'%s' is %s with %s() before %s: its %ss are cancelled, not awaited",
                 c->noun[v] ? c->noun[v] : "", c->noun[v] ? " " : "", vn, verb, td, waits, task);
        break;
    case WHY_RESULT:
        snprintf(msg, sizeof msg,
                 "%s handle '%s' is %s with %s() with no %s since %s() at line %u: the %s is "
                 "cancelled, not awaited",
                 task, vn, verb, td, waits, whyname, line, task);
        break;
    default:
        if (awm)
            snprintf(msg, sizeof msg,
                     "'%s' is %s with %s() while work started with %s() at line %u was never "
                     "awaited with %s()",
                     vn, verb, td, whyname, line, aw);
        else
            snprintf(msg, sizeof msg,
                     "'%s' is %s with %s() while work started with %s() at line %u was never "
                     "awaited",
                     vn, verb, td, whyname, line);
        break;
    }
    tl_finding *fd = tl_findings_add(c->out, tl_rule_unawaited_task.id,
                                     tl_rule_unawaited_task.severity, in->loc.file, in->loc.line,
                                     in->loc.col, f->name, msg);
    if (!fd)
        return;
    tl_finding_set_snippet(fd, in->call.text ? in->call.text : in->call.callee);
    if (why_in) {
        char note[256];
        snprintf(note, sizeof note, "work on '%s' started here by %s()", vn, whyname);
        tl_finding_add_note(fd, why_in->loc.file, why_in->loc.line, why_in->loc.col, note);
    }
}

static void ut_transfer(void *ctx, void *stp, const tl_func *f, const tl_block *b, int ii)
{
    ut_ctx *c = ctx;
    unsigned char *st = ((ut_state *)stp)->v;
    if (!st)
        return;
    const tl_instr *in = &b->instrs[ii];
    switch (in->kind) {
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        const tl_fn_model *m = tl_own_model(c->a, c->fi, call->id);
        if (!m)
            break;
        if (m->teardown.present) {
            int v = obj_var(c, call, m->teardown.arg);
            if (v >= 0) {
                if (st[v] && c->reporting && call->id >= 0 && call->id < f->ncalls &&
                    !c->reported[call->id]) {
                    c->reported[call->id] = 1;
                    report_teardown(c, in, m, v, st[v]);
                }
                st[v] = 0;
            }
        }
        if (m->await.present) {
            int v = obj_var(c, call, m->await.arg);
            if (v >= 0)
                st[v] = 0;
        }
        if (m->cooperative)
            for (int v = 0; v < c->nvars; v++)
                st[v] &= (unsigned char)~UT_ANY;
        if (m->start.present) {
            int v = obj_var(c, call, m->start.arg);
            if (v >= 0)
                mark(c, st, v, UT_STRICT, WHY_START, call->id);
        }
        if (m->spawn.present && tl_own_spawn_has_owner(c->a, c->fi, call, m)) {
            int v = obj_var(c, call, m->spawn.owner_arg);
            if (v >= 0)
                mark(c, st, v, m->spawn.awaited_by_any_wait ? UT_ANY : UT_STRICT, WHY_OWNER,
                     call->id);
        }
        break;
    }
    case TL_I_ASSIGN: {
        int v = in->var;
        if (v < 0 || v >= c->nvars)
            break;
        const tl_expr *e = tl_own_strip(in->value);
        if (e && e->kind == TL_E_CALLRES && c->reporting) {
            const tl_fn_model *m = tl_own_model(c->a, c->fi, e->call_id);
            if (m && m->spawn.present && m->spawn.task && *m->spawn.task)
                c->noun[v] = m->spawn.task;
        }
        if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls &&
            c->result_bits[e->call_id]) {
            st[v] = 0;
            mark(c, st, v, c->result_bits[e->call_id], WHY_RESULT, e->call_id);
        } else if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < c->nvars) {
            st[v] = st[e->var];
            if (st[v] && (c->reporting || c->why[v] == WHY_NONE)) {
                c->why[v] = c->why[e->var];
                c->why_call[v] = c->why_call[e->var];
            }
        } else {
            st[v] = 0;
        }
        break;
    }
    case TL_I_DECL:
        if (in->var >= 0 && in->var < c->nvars)
            st[in->var] = 0;
        break;
    default:
        break;
    }
}

static bool ut_edge(void *ctx, void *stp, const tl_func *f, const tl_block *b, int s)
{
    ut_ctx *c = ctx;
    unsigned char *st = ((ut_state *)stp)->v;
    if (!st || !c->edge_loop || b->term != TL_T_BRANCH || s < 0 || s > 1)
        return true;
    int l = c->edge_loop[b->id * 2 + s];
    if (l >= 0)
        for (int v = 0; v < c->nvars; v++)
            st[v] &= (unsigned char)~c->loop_clear[l][v];
    return true;
}

/* Reverse-postorder positions (-1: unreachable). */
static void rpo_positions(const tl_func *f, int *rpo)
{
    int n = f->nblocks;
    int *stack = malloc(sizeof(int) * (size_t)n), *next = calloc((size_t)n, sizeof(int));
    int *post = malloc(sizeof(int) * (size_t)n);
    unsigned char *seen = calloc((size_t)n, 1);
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

/* Natural loops of the back edges t -> h (rpo[h] <= rpo[t]), summarised
 * for ut_edge. */
static void find_loops(ut_ctx *c)
{
    const tl_func *f = c->f;
    int n = f->nblocks;
    int *rpo = malloc(sizeof(int) * (size_t)n);
    rpo_positions(f, rpo);
    unsigned char *body = malloc((size_t)n);
    int *work = malloc(sizeof(int) * (size_t)n);
    unsigned char *setv = malloc(ut_size(c)), *awv = malloc(ut_size(c));
    for (int h = 0; h < n; h++) {
        const tl_block *hb = &f->blocks[h];
        if (rpo[h] < 0 || hb->term != TL_T_BRANCH || hb->nsucc != 2)
            continue;
        memset(body, 0, (size_t)n);
        body[h] = 1;
        int nw = 0;
        bool loop = false;
        for (int p = 0; p < hb->npred; p++) {
            int t = hb->pred[p];
            if (rpo[t] < 0 || rpo[t] < rpo[h])
                continue;
            loop = true;
            if (!body[t]) {
                body[t] = 1;
                work[nw++] = t;
            }
        }
        if (!loop)
            continue;
        while (nw > 0) {
            const tl_block *x = &f->blocks[work[--nw]];
            for (int p = 0; p < x->npred; p++)
                if (!body[x->pred[p]]) {
                    body[x->pred[p]] = 1;
                    work[nw++] = x->pred[p];
                }
        }
        if (body[hb->succ[0]] && body[hb->succ[1]])
            continue; /* no exit edge at the header */
        /* summarise the body */
        bool coop = false;
        memset(setv, 0, ut_size(c));
        memset(awv, 0, ut_size(c));
        for (int bi = 0; bi < n; bi++) {
            if (!body[bi])
                continue;
            const tl_block *b = &f->blocks[bi];
            for (int k = 0; k < b->ninstrs; k++) {
                const tl_instr *in = &b->instrs[k];
                if ((in->kind == TL_I_ASSIGN || in->kind == TL_I_DECL) && in->var >= 0 &&
                    in->var < c->nvars)
                    setv[in->var] = 1;
                if (in->kind != TL_I_CALL)
                    continue;
                const tl_fn_model *m = tl_own_model(c->a, c->fi, in->call.id);
                if (!m)
                    continue;
                coop = coop || m->cooperative;
                int v;
                if (m->await.present && (v = obj_var(c, &in->call, m->await.arg)) >= 0)
                    awv[v] = 1;
                if (m->start.present && (v = obj_var(c, &in->call, m->start.arg)) >= 0)
                    setv[v] = 1;
                if (m->spawn.present && tl_own_spawn_has_owner(c->a, c->fi, &in->call, m) &&
                    (v = obj_var(c, &in->call, m->spawn.owner_arg)) >= 0)
                    setv[v] = 1;
            }
        }
        unsigned char *clear = calloc(ut_size(c), 1);
        bool any = false;
        for (int v = 0; v < c->nvars; v++) {
            if (setv[v])
                continue;
            clear[v] = (unsigned char)((coop ? UT_ANY : 0) | (awv[v] ? UT_ANY | UT_STRICT : 0));
            any = any || clear[v];
        }
        if (!any) {
            free(clear);
            continue;
        }
        c->loop_clear = realloc(c->loop_clear, sizeof(*c->loop_clear) * (size_t)(c->nloops + 1));
        c->loop_clear[c->nloops] = clear;
        for (int s = 0; s < 2; s++)
            if (!body[hb->succ[s]])
                c->edge_loop[h * 2 + s] = c->nloops;
        c->nloops++;
    }
    free(rpo);
    free(body);
    free(work);
    free(setv);
    free(awv);
}

static const tl_dataflow_ops ut_ops = {
    .state_size = sizeof(ut_state),
    .init_entry = ut_entry,
    .init_bottom = ut_bottom,
    .copy = ut_copy,
    .join = ut_join,
    .transfer = ut_transfer,
    .transfer_edge = ut_edge,
    .destroy = ut_destroy,
};

static void check_must_await(const tl_analysis *a, int fi, tl_findings *out)
{
    const tl_func *f = &a->tu->funcs[fi];
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            if (in->kind != TL_I_CALL || !in->call.discarded || in->call.void_cast)
                continue;
            if (tl_own_result_used(f, in->call.id))
                continue; /* `s->job = job_start(...)` is a full expression too */
            const tl_fn_model *m = tl_own_model(a, fi, in->call.id);
            if (!m || !m->must_await)
                continue;
            const tl_func_facts *ff = &a->funcs[fi];
            if (ff->calls && in->call.id < ff->ncalls && !ff->calls[in->call.id].reached)
                continue;
            char name[128];
            tl_own_user_name(&in->call, name, sizeof name);
            tl_finding *fd = tl_findings_addf(
                out, tl_rule_unawaited_task.id, tl_rule_unawaited_task.severity, in->loc.file,
                in->loc.line, in->loc.col, f->name,
                "result of %s() is discarded: the task it starts is never awaited", name);
            if (fd)
                tl_finding_set_snippet(fd, in->call.text ? in->call.text : in->call.callee);
        }
    }
}

static void check_func(const tl_analysis *a, int fi, tl_findings *out)
{
    const tl_func *f = &a->tu->funcs[fi];
    check_must_await(a, fi, out);
    if (f->nblocks == 0)
        return;
    /* anything to tear down at all? */
    bool any_teardown = false;
    for (int id = 0; id < f->ncalls && !any_teardown; id++) {
        const tl_fn_model *m = tl_own_model(a, fi, id);
        any_teardown = m && m->teardown.present;
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
    c.result_bits = calloc(nc, 1);
    c.reported = calloc(nc, 1);
    c.why = calloc(ut_size(&c), sizeof(int));
    c.why_call = malloc(ut_size(&c) * sizeof(int));
    c.noun = calloc(ut_size(&c), sizeof(char *));
    for (size_t v = 0; v < ut_size(&c); v++)
        c.why_call[v] = -1;
    for (int id = 0; id < f->ncalls; id++) {
        const tl_fn_model *m = tl_own_model(a, fi, id);
        const tl_instr *in = find_call(f, id);
        if (!m || !in || !m->spawn.present || m->spawn.where != TL_HANDLE_RESULT)
            continue;
        if (tl_own_spawn_has_owner(a, fi, &in->call, m))
            continue; /* the result is a status; the owner is marked instead */
        if (m->spawn.entry_arg < 0 && !m->spawn.entry_before_call)
            continue; /* creates an owner (bundle()), starts nothing yet */
        c.result_bits[id] = m->spawn.awaited_by_any_wait ? UT_ANY : UT_STRICT;
    }

    c.edge_loop = malloc(sizeof(int) * 2 * (size_t)f->nblocks);
    for (int i = 0; i < 2 * f->nblocks; i++)
        c.edge_loop[i] = -1;
    find_loops(&c);

    tl_dataflow_result r;
    tl_dataflow_forward(f, &ut_ops, &c, &r);
    c.reporting = true;
    ut_state st;
    ut_bottom(&c, &st);
    for (int bi = 0; bi < f->nblocks; bi++)
        if (r.reached[bi])
            tl_dataflow_replay(&r, f, bi, f->blocks[bi].ninstrs, &st);
    ut_destroy(&c, &st);
    tl_dataflow_free(&r);
    free(c.result_bits);
    free(c.reported);
    free(c.why);
    free(c.why_call);
    free(c.noun);
    for (int l = 0; l < c.nloops; l++)
        free(c.loop_clear[l]);
    free(c.loop_clear);
    free(c.edge_loop);
}

static void ut_check(const tl_analysis *a, tl_findings *out)
{
    if (!a || !a->tu)
        return;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        if (a->funcs && a->funcs[fi].exempt)
            continue;
        check_func(a, fi, out);
    }
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
