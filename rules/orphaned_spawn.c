/* orphaned_spawn.c - a spawned task's handle is lost without being released.
 *
 * Per path, each spawn's handle is tracked from the spawn to the function's
 * exit with a forward dataflow (analyzer/dataflow): which variables may hold
 * it (`x = y` between variables copies the handle, so releasing either
 * alias releases it) and whether it is still owned.  Release (model
 * `release`), escape (stored to memory, returned, assigned to a global,
 * passed to a function that is not modelled as borrowing it) and the
 * failure branch of the spawn's own result end the obligation.  A handle
 * still owned at a return, or in a variable that is overwritten or
 * re-declared (loop) while no other variable holds it, leaks.
 *
 * Handles spawned into local arrays/records: an aggregate never used other
 * than as a spawn's out-argument leaks them; one used elsewhere is followed
 * along the paths by orphaned_spawn_arrays.c (a return after a spawn into
 * it, before any use, leaks them).
 *
 * This file is the rule: which spawns are followed, the driver and the
 * reports.  The path states and their transfer functions are in
 * orphaned_spawn_flow.c (shared context: orphaned_spawn_internal.h); the
 * program-wide half (globals, struct fields) is orphaned_spawn_slots.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orphaned_spawn_internal.h"
#include "ownership.h"
#include "rule.h"
#include "../analyzer/dataflow/dataflow.h"
#include "../analyzer/util/xalloc.h"
#include "report/analysis_limit.h"

static const char os_doc[] =
    "## What it does\n"
    "\n"
    "Finds threads and coroutines whose handle is lost: a `pthread_create()`,\n"
    "`thrd_create()`, libdill `go()`/`bundle()` or similar spawn whose handle is,\n"
    "on some path to the function's exit, neither released (joined, detached,\n"
    "closed) nor handed to an owner (stored into a struct, array or global,\n"
    "returned, passed to a function that takes ownership).  It also flags a\n"
    "handle variable that is overwritten or re-declared in a loop while it\n"
    "still holds a running task, and a `go()` whose result is discarded.\n"
    "\n"
    "The analysis follows every path: the failure branch of the spawn itself\n"
    "(`if (pthread_create(&t, ...) != 0) return -1;`, `if (h < 0) ...`, or a\n"
    "flag set once from that test) does not need a release, two branches on\n"
    "the same unmodified local or parameter go the same way (`if (c)\n"
    "pthread_create(...); ... if (c) pthread_join(...);`, also a mode tested\n"
    "against a constant: `mode == FORKED`), and paths that end in\n"
    "`exit()`/`abort()` are not leaks.  Handles created into a local array\n"
    "that is joined later are followed too: a return after some were\n"
    "created and before any join leaks them (the creation loop's `return -1`\n"
    "when a later `pthread_create()` fails; a loop over the array on the\n"
    "failure path counts as joining them).  Passing the handle to a function\n"
    "of the program counts by what\n"
    "that function does with it, in any file: one that joins, closes, stores\n"
    "or returns it takes it over; one that only looks at it (sets the\n"
    "thread's name, logs it) borrows it, and the caller still owns it.  A\n"
    "function nobody can see (a library without a model) takes it over;\n"
    "functions modelled as `borrow` (e.g. `hquery`) do not.  A helper in\n"
    "another file that returns a handle it spawned is a spawn for its caller.\n"
    "A return from `main()` ends the process, as `exit()` does: a handle still\n"
    "owned there is not lost (every thread ends with the process), nor is a\n"
    "task `main()` spawns into a global nothing releases; a handle `main()`\n"
    "overwrites in a loop still is, and so is a global a helper spawns into.\n"
    "\n"
    "Child processes count too: a `fork()`/`vfork()`/`posix_spawn()` child\n"
    "must be reaped (`waitpid(pid, ...)`, `waitid(P_PID, pid, ...)`), unless\n"
    "the program reaps every child (a `wait()` or `waitpid(-1, ...)` reaper\n"
    "anywhere, e.g. in a SIGCHLD handler, or `signal(SIGCHLD, SIG_IGN)`), or\n"
    "the child publishes its own pid where the program reaps from (the child\n"
    "stores `getpid()` into a global or field - `td->pid = getpid()`, in the\n"
    "function it runs - that some function reaps: `waitpid(td->pid, ...)`).\n"
    "The child's branch of a fork (`pid == 0`, or what is left after the\n"
    "tests for the parent and for failure) must end with `_exit()` or\n"
    "`exec*()`: a child that returns from the forking function runs its\n"
    "caller's code as a second copy of the parent, and is reported (not when\n"
    "the parent exits instead, as a daemon's fork does, nor in a wrapper that\n"
    "returns the pid like fork itself, nor in main() or a function every caller\n"
    "of which returns its result at once, up to main() - `return helper(...);`,\n"
    "`r = t->main(); return r;` in a test runner - as that return is an exit,\n"
    "also when main() tests the result and returns at once on what the child\n"
    "returns: a child's `return 1` into `ret = test(); if (ret) { fprintf(stderr,\n"
    "...); return 1; }`;\n"
    "a runner's `if (t->is_helper) return t->main();` reaches only the\n"
    "entries whose is_helper the table sets).\n"
    "\n"
    "A project can declare its own spawns in the source: a function declared\n"
    "`__attribute__((annotate(\"tasklint::spawn\")))` returns a task handle\n"
    "that must be released (a NULL or negative result started nothing), and a\n"
    "parameter declared `tasklint::owns` takes over the handle passed there,\n"
    "as a join or close would (one such parameter per function).  A config's\n"
    "`annotations:` maps a project's existing annotation strings to these.\n"
    "\n"
    "A handle spawned into a global or a struct field is owned by the\n"
    "program: it is flagged when no function of the whole program ever\n"
    "joins, detaches or closes that global or field (or hands it to a\n"
    "function that does).\n"
    "\n"
    "## Why is this bad?\n"
    "\n"
    "A POSIX thread that is never joined nor detached stays a zombie after it\n"
    "exits: its stack (8 MiB of address space by default) and its result are\n"
    "kept until someone joins it, and a long-running server eventually fails\n"
    "`pthread_create()` with `EAGAIN`.  In libdill, `go()` returns a bundle\n"
    "handle: until it is `hclose()`d the bundle object and the coroutine's\n"
    "stack are never freed, and the coroutine can never be cancelled, so it may\n"
    "outlive everything it uses.  A handle that is lost on an early-return\n"
    "path leaks only on errors, which is where it is hardest to notice.\n"
    "\n"
    "## Example\n"
    "\n"
    "```c\n"
    "int start_workers(struct server *s)\n"
    "{\n"
    "    pthread_t t;\n"
    "    if (pthread_create(&t, NULL, accept_loop, s) != 0)\n"
    "        return -1;\n"
    "    if (load_config(s) < 0)\n"
    "        return -1;            /* t leaks: never joined or detached */\n"
    "    pthread_join(t, NULL);\n"
    "\n"
    "    go(heartbeat(s));         /* handle discarded: never closed */\n"
    "    return 0;\n"
    "}\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "\n"
    "```c\n"
    "int start_workers(struct server *s)\n"
    "{\n"
    "    pthread_t t;\n"
    "    if (pthread_create(&t, NULL, accept_loop, s) != 0)\n"
    "        return -1;\n"
    "    if (load_config(s) < 0) {\n"
    "        stop_accepting(s);\n"
    "        pthread_join(t, NULL);\n"
    "        return -1;\n"
    "    }\n"
    "    pthread_join(t, NULL);\n"
    "\n"
    "    s->heartbeat = go(heartbeat(s));   /* owned by the server, hclose()d on shutdown */\n"
    "    return s->heartbeat < 0 ? -1 : 0;\n"
    "}\n"
    "```\n"
    "\n"
    "For a deliberate fire-and-forget task, detach it (`pthread_detach()`) or\n"
    "discard explicitly with `(void)go(task());`.\n";

/* ---- reporting ---- */

typedef struct {
    char callee[320]; /* "name()", tl_own_call_named */
    char verbs[128];
    const char *task;
    char subject[512];
} os_words_t;

static void describe(const os_ctx *c, int i, const char *varname, os_words_t *w)
{
    const tl_fn_model *m = c->model[i];
    tl_own_call_named(c->a, &c->instr[i]->call, NULL, w->callee, sizeof w->callee);
    tl_own_release_verbs(c->a->models, m->library, w->verbs, sizeof w->verbs);
    w->task = m->spawn.task && *m->spawn.task ? m->spawn.task : "task";
    if (c->mode[i] == SP_OUT_SCALAR)
        snprintf(w->subject, sizeof w->subject, "%s '%s' spawned by %s", w->task, varname,
                 w->callee);
    else if (varname)
        snprintf(w->subject, sizeof w->subject, "%s handle '%s' from %s", w->task, varname,
                 w->callee);
    else
        snprintf(w->subject, sizeof w->subject, "%s handle from %s", w->task, w->callee);
}

static tl_finding *add_at(tl_findings *out, const tl_func *f, const tl_instr *in, const char *msg)
{
    tl_finding *fd = tl_findings_add(out, tl_rule_orphaned_spawn.id, tl_rule_orphaned_spawn.severity,
                                     in->loc.file, in->loc.line, in->loc.col, f->name, msg);
    if (fd)
        tl_finding_set_snippet(fd, in->call.text ? in->call.text : in->call.callee);
    return fd;
}

/* By spawn, place and kind; the order found (seq) breaks ties, so the first
 * event of a spawn, kind and place comes first. */
static int ev_cmp(const void *x, const void *y)
{
    const os_event *a = x, *b = y;
    if (a->spawn != b->spawn)
        return a->spawn < b->spawn ? -1 : 1;
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col)
        return a->loc.col < b->loc.col ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sort the events and keep the first of each spawn, kind and place. */
static void sort_events(os_ctx *c)
{
    for (int k = 0; k < c->nev; k++)
        c->ev[k].seq = k;
    if (c->nev > 1)
        qsort(c->ev, (size_t)c->nev, sizeof *c->ev, ev_cmp);
    int n = 0;
    for (int k = 0; k < c->nev; k++) {
        const os_event *e = &c->ev[k];
        if (n > 0 && c->ev[n - 1].spawn == e->spawn && c->ev[n - 1].kind == e->kind &&
            c->ev[n - 1].loc.line == e->loc.line && c->ev[n - 1].loc.col == e->loc.col)
            continue;
        c->ev[n++] = *e;
    }
    c->nev = n;
}

/* At most this many places are listed as notes of one finding. */
#define OS_MAX_NOTES 64

/* Report spawn i from its events evs[0..n) (sorted by place). */
static void report_spawn(os_ctx *c, int i, const os_event *evs, int n, tl_findings *out)
{
    const tl_func *f = c->f;
    if (n == 0)
        return;

    int nv = c->mode[i] == SP_OUT_SCALAR ? c->out_var[i] : c->name_var[i];
    const char *vname = nv >= 0 ? f->vars[nv].name : NULL;
    os_words_t w;
    describe(c, i, vname, &w);

    char msg[1024];
    if (!vname)
        snprintf(msg, sizeof msg, "%s is discarded and never %s", w.subject, w.verbs);
    else if (!c->touched[i])
        snprintf(msg, sizeof msg, "%s is never %s", w.subject, w.verbs);
    else if (evs[0].kind == EV_RETURN)
        snprintf(msg, sizeof msg, "%s leaks when returning at line %u (not %s on this path)",
                 w.subject, evs[0].loc.line, w.verbs);
    else if (evs[0].kind == EV_RETURN_ARM)
        snprintf(msg, sizeof msg,
                 "%s leaks at line %u, where the conditional expression returns another value "
                 "(not %s on that branch)",
                 w.subject, evs[0].loc.line, w.verbs);
    else
        snprintf(msg, sizeof msg, "%s leaks when '%s' is %s at line %u (not %s before)", w.subject,
                 f->vars[evs[0].var].name,
                 evs[0].kind == EV_REDECL ? "re-declared" : "overwritten", evs[0].loc.line,
                 w.verbs);
    tl_finding *fd = add_at(out, f, c->instr[i], msg);
    if (!fd)
        return;
    for (int k = 0; k < n && k < OS_MAX_NOTES; k++) {
        char note[512];
        if (evs[k].kind == EV_RETURN)
            snprintf(note, sizeof note, "the %s is still owned when returning here", w.task);
        else if (evs[k].kind == EV_RETURN_ARM)
            snprintf(note, sizeof note,
                     "the %s is still owned on the branch of this conditional expression that "
                     "does not return it",
                     w.task);
        else
            snprintf(note, sizeof note, "'%s' is %s here while it holds the only handle to the %s",
                     f->vars[evs[k].var].name,
                     evs[k].kind == EV_REDECL ? "re-declared" : "overwritten", w.task);
        tl_finding_add_note(fd, evs[k].loc.file, evs[k].loc.line, evs[k].loc.col, note);
    }
    if (n > OS_MAX_NOTES) {
        char note[128];
        snprintf(note, sizeof note, "... and %d more places where the %s is lost", n - OS_MAX_NOTES,
                 w.task);
        tl_finding_add_note(fd, evs[OS_MAX_NOTES].loc.file, evs[OS_MAX_NOTES].loc.line,
                            evs[OS_MAX_NOTES].loc.col, note);
    }
}

static void report_aggregate(const tl_analysis *a, const tl_func *f, const tl_instr *in,
                             const tl_fn_model *m, int g, tl_findings *out)
{
    char callee[320], verbs[128], msg[1024];
    tl_own_call_named(a, &in->call, NULL, callee, sizeof callee);
    tl_own_release_verbs(a->models, m->library, verbs, sizeof verbs);
    const char *task = m->spawn.task && *m->spawn.task ? m->spawn.task : "task";
    snprintf(msg, sizeof msg, "%ss stored in '%s' by %s are never %s", task, f->vars[g].name,
             callee, verbs);
    add_at(out, f, in, msg);
}

/* Mark the local arrays and records e mentions. */
static void mark_aggregates_in(const tl_func *f, const tl_expr *e, bool *used)
{
    if (!e)
        return;
    if (e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars &&
        (f->vars[e->var].is_array || f->vars[e->var].is_record))
        used[e->var] = true;
    for (int k = 0; k < e->nkids; k++)
        mark_aggregates_in(f, e->kids[k], used);
}

/* Any use of an aggregate other than as a spawn's handle out-argument. */
static void mark_aggregate_uses(const os_ctx *c, bool *used)
{
    const tl_func *f = c->f;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            if (in->kind == TL_I_CALL) {
                const tl_fn_model *m = tl_own_model(c->a, c->fi, in->call.id);
                for (int ai = 0; ai < in->call.nargs; ai++) {
                    if (m && m->spawn.present && m->spawn.where == TL_HANDLE_OUT_ARG &&
                        m->spawn.handle_arg == ai)
                        continue;
                    mark_aggregates_in(f, in->call.args[ai], used);
                }
                continue;
            }
            if (in->kind == TL_I_STORE || in->kind == TL_I_ASSIGN || in->kind == TL_I_RETURN)
                mark_aggregates_in(f, in->value, used);
        }
    }
}

static bool call_reached(const tl_analysis *a, int fi, int id)
{
    const tl_func_facts *ff = &a->funcs[fi];
    if (!ff->calls || id < 0 || id >= ff->ncalls)
        return true;
    return ff->calls[id].reached;
}

static void track(os_ctx *c, int v)
{
    if (c->tidx[v] < 0) {
        c->tidx[v] = c->ntracked;
        c->tvar[c->ntracked++] = v;
    }
}

/* Per split `return c ? a : b` statement, how many of its sides return a
 * tracked variable (os_ctx.arm_handles; after compute_tracked). */
static void count_arm_handles(os_ctx *c)
{
    const tl_func *f = c->f;
    int max = 0;
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++)
            if (f->blocks[bi].instrs[i].kind == TL_I_RETURN && f->blocks[bi].instrs[i].return_arm > max)
                max = f->blocks[bi].instrs[i].return_arm;
    if (max == 0)
        return;
    c->narm_handles = max + 1;
    c->arm_handles = tl_xcalloc((size_t)max + 1, sizeof *c->arm_handles);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            const tl_expr *rv = in->kind == TL_I_RETURN ? tl_expr_uncast(in->value) : NULL;
            if (in->return_arm > 0 && rv && rv->kind == TL_E_VAR && rv->var >= 0 && rv->var < c->nvars &&
                c->tidx[rv->var] >= 0)
                c->arm_handles[in->return_arm]++;
        }
}

/* Which variables may ever hold a tracked handle or a spawn's result: the
 * out-variables of tracked spawns, the variables assigned a tracked result
 * handle or the result of a spawn with an outcome, and the variables those
 * are copied into.  Fills c->tidx / tvar / ntracked. */
static void compute_tracked(os_ctx *c)
{
    const tl_func *f = c->f;
    size_t nv = (size_t)(f->nvars > 0 ? f->nvars : 1);
    c->tidx = tl_xmalloc(nv * sizeof *c->tidx);
    c->tvar = tl_xmalloc(nv * sizeof *c->tvar);
    int *first = tl_xmalloc(nv * sizeof *first); /* copies w -> v, per source w */
    for (int v = 0; v < f->nvars; v++)
        c->tidx[v] = first[v] = -1;
    int *dst = NULL, *next = NULL, ncopies = 0, cap = 0;
    c->ntracked = 0;
    for (int i = 0; i < c->nspawn; i++)
        if (c->mode[i] == SP_OUT_SCALAR && c->out_var[i] >= 0)
            track(c, c->out_var[i]);
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars)
                continue;
            const tl_expr *e = tl_expr_uncast(in->value);
            if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls) {
                int sp = c->spawn_of_call[e->call_id];
                if (c->all_of_call[e->call_id] >= 0 || (sp >= 0 && c->mode[sp] == SP_RESULT))
                    track(c, in->var);
            } else if (e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars) {
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
    }
    /* tvar doubles as the queue of the copy closure */
    for (int q = 0; q < c->ntracked; q++)
        for (int k = first[c->tvar[q]]; k >= 0; k = next[k])
            track(c, dst[k]);
    free(first);
    free(dst);
    free(next);
}

/* The limits of this function hit during the analysis, as analysis-limit
 * findings. */
static void report_limits(const os_ctx *c, bool solver_gave_up, tl_findings *out)
{
    const tl_func *f = c->f;
    char what[256];
    if (c->nspawn_all > OS_MAX_SPAWNS) {
        snprintf(what, sizeof what,
                 "orphaned-spawn follows at most %d spawned handles per function and this one "
                 "has %d (the handles spawned from line %u on were not followed)",
                 OS_MAX_SPAWNS, c->nspawn_all, c->first_untracked_line);
        tl_report_analysis_limit(out, f->loc.file, f->loc.line, f->loc.col, f->name, what);
    }
    if (c->merged) {
        snprintf(what, sizeof what,
                 "orphaned-spawn keeps at most %d paths with different owned handles apart and "
                 "had to merge more, losing track of which handles are still owned",
                 OS_K);
        tl_report_analysis_limit(out, f->loc.file, f->loc.line, f->loc.col, f->name, what);
    }
    if (solver_gave_up)
        tl_report_analysis_limit(out, f->loc.file, f->loc.line, f->loc.col, f->name,
                                 "orphaned-spawn's dataflow stopped at its budget (too many "
                                 "paths through nested loops)");
}

static void check_func(const tl_analysis *a, int fi, tl_released_all *ra, tl_findings *out)
{
    const tl_func *f = &a->tu->funcs[fi];
    if (f->nblocks == 0)
        return;
    os_ctx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.fi = fi;
    c.f = f;
    c.nvars = f->nvars;
    size_t nc = (size_t)(f->ncalls > 0 ? f->ncalls : 1);
    c.spawn_of_call = tl_xmalloc(sizeof(int) * nc);
    c.all_of_call = tl_xmalloc(sizeof(int) * nc);
    c.entry_of = tl_xcalloc(nc, sizeof(*c.entry_of));
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int k = 0; k < f->blocks[bi].ninstrs; k++) {
            const tl_instr *in = &f->blocks[bi].instrs[k];
            if (in->kind == TL_I_CALL && in->call.is_spawn_entry && in->call.spawn_call >= 0 &&
                in->call.spawn_call < f->ncalls)
                c.entry_of[in->call.spawn_call] = in;
        }
    for (int i = 0; i < f->ncalls; i++)
        c.spawn_of_call[i] = c.all_of_call[i] = -1;
    for (int i = 0; i < OS_MAX_SPAWNS; i++)
        c.name_var[i] = c.agg_var[i] = -1;
    bool *agg_used = tl_xcalloc((size_t)(f->nvars > 0 ? f->nvars : 1), sizeof(bool));
    mark_aggregate_uses(&c, agg_used);
    int *with_outcome = tl_xmalloc(sizeof(int) * nc); /* spawn calls that may fail, block order */
    const tl_instr **agg_spawns = tl_xmalloc(sizeof *agg_spawns * nc); /* into used local aggregates */
    int *agg_vars = tl_xmalloc(sizeof(int) * nc), nagg_spawns = 0;
    int nwith_outcome = 0;
    tl_detach_attrs attrs = TL_DETACH_ATTRS_INIT;

    /* spawns: decide how each handle is tracked */
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int k = 0; k < b->ninstrs; k++) {
            const tl_instr *in = &b->instrs[k];
            if (in->kind != TL_I_CALL || in->call.id < 0 || in->call.id >= f->ncalls)
                continue;
            const tl_fn_model *m = tl_own_model(a, fi, in->call.id);
            if (!m || !m->spawn.present)
                continue;
            if (m->spawn.success != TL_SUCCESS_ALWAYS)
                with_outcome[nwith_outcome++] = in->call.id;
            if (m->spawn.where == TL_HANDLE_NONE)
                continue;
            if (!call_reached(a, fi, in->call.id) || tl_own_spawn_has_owner(a, fi, &in->call, m) ||
                tl_own_spawn_detached(a, fi, in, m, &attrs) || tl_own_released_all(a, ra, m->spawn.task) ||
                tl_own_child_publishes_self(a, fi, m) || tl_own_entry_self_releases(a, &in->call, m))
                continue;
            sp_mode mode;
            int var = -1;
            if (m->spawn.where == TL_HANDLE_RESULT) {
                if (in->call.void_cast)
                    continue; /* explicit discard */
                /* a discarded result is tracked like any other: it is never
                   stored in a user variable and leaks at the first return,
                   which reports it as discarded (the `discarded` flag alone
                   is not trusted: `s->h = go(...)` is a full expression too) */
                mode = SP_RESULT;
            } else {
                if (m->spawn.handle_arg < 0 || m->spawn.handle_arg >= in->call.nargs)
                    continue;
                tl_place_kind pk = tl_own_out_place(f, in->call.args[m->spawn.handle_arg], &var);
                if (pk == TL_PLACE_NONLOCAL)
                    continue; /* owned elsewhere */
                if (pk == TL_PLACE_AGGREGATE) {
                    if (!agg_used[var]) {
                        report_aggregate(a, f, in, m, var, out);
                    } else if (nagg_spawns < (int)nc) { /* followed along the paths */
                        agg_spawns[nagg_spawns] = in;
                        agg_vars[nagg_spawns++] = var;
                    }
                    continue;
                }
                mode = SP_OUT_SCALAR;
            }
            if (c.nspawn_all++ == OS_MAX_SPAWNS)
                c.first_untracked_line = in->loc.line;
            if (c.nspawn == OS_MAX_SPAWNS)
                continue; /* limit: further spawns are not tracked (reported) */
            int i = c.nspawn++;
            c.call[i] = in->call.id;
            c.instr[i] = in;
            c.model[i] = m;
            c.mode[i] = mode;
            c.out_var[i] = var;
            c.spawn_of_call[in->call.id] = i;
        }
    }
    /* outcomes (bits of a path state): the tracked spawns' first, then the
       others in block order.  Beyond OS_MAX_OUTCOMES a spawn's success is not
       followed: its branches are then both feasible, which can only add
       paths, never hide a leak. */
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < nwith_outcome && c.nall < OS_MAX_OUTCOMES; k++) {
            int id = with_outcome[k];
            if ((c.spawn_of_call[id] >= 0) != (pass == 0) || c.all_of_call[id] >= 0)
                continue;
            c.all_call[c.nall] = id;
            c.all_of_call[id] = c.nall++;
        }
    free(with_outcome);
    tl_detach_attrs_free(&attrs);
    if (nagg_spawns > 0 || c.nspawn > 0) /* (one walk of the function, for both) */
        c.outcome_defs = tl_own_outcome_defs(a, fi);
    if (nagg_spawns > 0) tl_os_check_arrays(a, fi, agg_spawns, agg_vars, nagg_spawns, c.outcome_defs, out);
    free(agg_spawns);
    free(agg_vars);

    if (c.nspawn > 0) { /* (outcomes alone matter only to tracked handles) */
        compute_tracked(&c);
        count_arm_handles(&c);
        c.budget = tl_dataflow_budget(f);
        tl_dataflow_result r;
        bool gave_up = tl_dataflow_forward(f, &tl_os_flow_ops, &c, &r) != 0; /* then report what was computed */
        c.reporting = true;
        bool main_exits = tl_own_is_program_main(f); /* (its returns are the process's exit) */
        os_state st;
        tl_os_state_bottom(&c, &st);
        for (int bi = 0; bi < f->nblocks; bi++) {
            if (!r.reached[bi])
                continue;
            const tl_block *b = &f->blocks[bi];
            tl_dataflow_replay(&r, f, bi, b->ninstrs, &st);
            uint64_t owned = 0;
            for (int i = 0; i < st.n; i++)
                owned |= st.sub[i][0];
            if (!owned || b->term == TL_T_NORETURN || bi == f->exit || main_exits)
                continue;
            bool exits = b->term == TL_T_EXIT;
            for (int s = 0; s < b->nsucc; s++)
                exits = exits || (f->exit >= 0 && b->succ[s] == f->exit);
            if (!exits)
                continue;
            tl_loc loc = b->term_loc.line ? b->term_loc : f->end_loc;
            for (uint64_t bb = owned; bb; bb &= bb - 1)
                tl_os_add_event(&c, tl_os_slot_spawn(bb & -bb), EV_RETURN, loc, -1);
        }
        tl_os_state_destroy(&c, &st);
        tl_dataflow_free(&r);
        sort_events(&c);
        int k = 0;
        for (int i = 0; i < c.nspawn; i++) {
            int from = k;
            while (k < c.nev && c.ev[k].spawn == i)
                k++;
            if (c.agg_var[i] >= 0 && !agg_used[c.agg_var[i]]) {
                report_aggregate(a, f, c.instr[i], c.model[i], c.agg_var[i], out);
                continue;
            }
            report_spawn(&c, i, c.ev + from, k - from, out);
        }
        report_limits(&c, gave_up, out);
    }
    free(c.ev);
    free(c.outcome_defs);
    free(c.spawn_of_call);
    free(c.all_of_call);
    free(c.entry_of);
    free(c.tidx);
    free(c.tvar);
    free(c.arm_handles);
    free(agg_used);
}

static void os_check(const tl_analysis *a, tl_findings *out)
{
    if (!a || !a->tu)
        return;
    tl_released_all ra = {0};
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        if (a->funcs && a->funcs[fi].exempt)
            continue;
        check_func(a, fi, &ra, out);
    }
    tl_released_all_free(&ra);
    tl_os_check_slots(a, out);
    tl_os_check_fork_children(a, out);
}

const tl_rule tl_rule_orphaned_spawn = {
    .id = "orphaned-spawn",
    .name = "OrphanedSpawn",
    .summary = "a spawned thread or coroutine handle is lost without being joined, detached, "
               "closed or handed to an owner",
    .doc = os_doc,
    .severity = TL_SEV_WARNING,
    .tags = "concurrency,resource-leak,lifecycle",
    .precision = "high",
    .check = os_check,
};
