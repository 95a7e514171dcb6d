/* fork_child.c - rule `orphaned-spawn`, the child half of a fork.
 *
 * A spawn whose model says `child_if_zero` (fork, vfork) returns twice: a
 * positive pid in the parent, 0 in a new child process that runs on from
 * the call.  The child's branch must end the child - `_exit()`, `exec*()`
 * and then `_exit()`, an endless loop, a function that never returns - and
 * not fall through into the code after it: a child that returns from the
 * forking function runs its caller's code as a second copy of the parent
 * (serving the parent's clients, flushing its stdio buffers twice, running
 * its atexit handlers).
 *
 * For each reached such call, the child's branch is the successor of a
 * branch or switch whose condition says the result is 0 (`pid == 0`,
 * `!pid`, `case 0:`), testing the call's result directly or a variable
 * assigned once from it; the parent's are those saying it is not 0 (or
 * positive), and a switch's default when it has a `case 0:`.  The child's
 * branch is also the one left with only 0 after tests that ruled out the
 * parent and the failure (`if (pid > 0) ...; if (pid < 0) ...;`), found by
 * a forward walk of the result's possible signs from the fork.  A finding when
 * from the child's branch a return of the function is reachable, and from
 * the parent's too - unless those returns give the fork's result (a wrapper
 * such as `pid_t my_fork(void)` returns twice on purpose, its caller takes
 * both branches), unless the two sides return different constants (the
 * caller can tell them apart: redis's ldbStartSession returns 1 in the
 * child, 0 in the parent), and unless the parent never returns (it exits:
 * a daemon's fork, or the first step of a double fork), and unless the
 * function is a static one whose only use is `return f(...);` in main() (the
 * child's return is then main's, an exit, as from main itself; a function
 * whose address is taken or that other files see may have other callers) -
 * or `ret = f(...); if (ret) { fprintf(stderr, ...); return 1; }`, a test
 * of the result whose branch returns at once (through calls of system
 * functions only), when the child returns a constant that test takes,
 * or, program-wide, one every caller of which returns its result at once
 * from a function whose return is the exit in turn, up to main() - also
 * through a function-pointer field a test runner calls that way
 * (tl_program_returns_exit).
 * Paths end at
 * noreturn calls and at calls of functions that never return (of this TU,
 * or of another file by its summary: redis's exitFromChild()), and not
 * along a branch edge that tests the result of a call that returns only
 * with other values (`returns_only` in the models: `ret = execve(...); if
 * (ret) exit(1);` - execve returns only on failure, -1, so the fall-through
 * edge is never taken).
 *
 * Cost, linear: per function with a fork, one backward walk from its
 * returns (which block reaches which return), then one pass over the
 * branches' edges for all its fork calls, and per fork call one forward walk
 * of its result's signs (a function forks once or twice); per TU, one forward walk per
 * function for "never returns" (tl_analysis_never_returns); before the
 * first report, one pass over the TU's instructions (main_return_uses).  (A return of
 * any fork's result counts as a wrapper's, for every fork of the function.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "../analyzer/program/program.h"
#include "../analyzer/util/str_map.h"
#include "../analyzer/util/xalloc.h"

/* The results of a call main() returns at once on: any (`return run();`),
 * or those for which "result OP k" holds (`r = run(); if (r) { fprintf(...);
 * return 1; }`: OP is !=, k 0). */
typedef struct {
    bool any;
    int op;
    int64_t k;
} main_test;

typedef struct {
    const tl_analysis *a;
    int fi;
    int *holds;        /* per variable: the call whose result it holds (-1 none, -2 several) */
    bool *never;       /* per function of the TU: never returns (tl_analysis_never_returns) */
    const tl_block *at;/* block_holds: the block whose branch is read */
    unsigned char *main_uses; /* per function: RM_* (main_return_uses), computed on first need */
    main_test *main_tests;    /* per function: the result main() returns at once on */
} fc_ctx;

static int var_holds(void *ctx, int var)
{
    const fc_ctx *c = ctx;
    if (var < 0 || var >= c->a->tu->funcs[c->fi].nvars)
        return -1;
    return c->holds[var] >= 0 ? c->holds[var] : -1;
}

/* The call whose result a variable holds at the end of block c->at: the
 * last assignment to it in that block, else the single one of the function
 * (`ret = execve(...); if (ret)` with ret assigned elsewhere too). */
static int block_holds(void *ctx, int var)
{
    const fc_ctx *c = ctx;
    for (int i = c->at->ninstrs - 1; i >= 0; i--) {
        const tl_instr *in = &c->at->instrs[i];
        if (in->kind == TL_I_ASSIGN && in->var == var) {
            const tl_expr *v = tl_expr_uncast(in->value);
            return v && v->kind == TL_E_CALLRES ? v->call_id : -1;
        }
    }
    return var_holds(ctx, var);
}

static bool rel_holds(int op, int64_t v, int64_t k)
{
    switch (op) {
    case TL_REL_EQ: return v == k;
    case TL_REL_NE: return v != k;
    case TL_REL_LT: return v < k;
    case TL_REL_LE: return v <= k;
    case TL_REL_GT: return v > k;
    default:        return v >= k;
    }
}

/* Is edge b -> succ[s] never taken because it tests the result of a call
 * that returns only with other values (`returns_only`: execve returns only
 * on failure, -1, so `if (ret)` after it is always true)? */
static bool edge_never_taken(fc_ctx *c, const tl_block *b, int s)
{
    int op;
    int64_t k;
    c->at = b;
    int id = tl_own_edge_relation(b, s, block_holds, c, &op, &k);
    const tl_fn_model *m = id >= 0 ? tl_own_model(c->a, c->fi, id) : NULL;
    if (!m || m->nreturns_only == 0)
        return false;
    for (int i = 0; i < m->nreturns_only; i++)
        if (rel_holds(op, m->returns_only[i], k))
            return false;
    return true;
}

/* Does block b end the path (a noreturn call, a call of a function that
 * never returns)? */
static bool block_stops(fc_ctx *c, const tl_block *b)
{
    if (b->term == TL_T_NORETURN)
        return true;
    for (int i = 0; i < b->ninstrs; i++)
        if (b->instrs[i].kind == TL_I_CALL && tl_call_never_returns(c->a, c->never, &b->instrs[i].call))
            return true;
    return false;
}

/* Does the return block return a fork's result (a wrapper that returns
 * twice, like fork)? */
static bool returns_fork_result(fc_ctx *c, const tl_block *b)
{
    const tl_instr *ret = b->ninstrs ? &b->instrs[b->ninstrs - 1] : NULL;
    const tl_expr *v = ret && ret->kind == TL_I_RETURN ? tl_expr_uncast(ret->value) : NULL;
    int call = !v ? -1 : v->kind == TL_E_CALLRES ? v->call_id : v->kind == TL_E_VAR ? var_holds(c, v->var) : -1;
    if (call < 0 || call >= c->a->tu->funcs[c->fi].ncalls)
        return false;
    const tl_fn_model *m = tl_own_model(c->a, c->fi, call);
    return m && m->spawn.child_if_zero;
}

/* What the returns reachable from a block give: nothing yet, one constant,
 * or several values / a value that is not a constant. */
typedef struct {
    enum { RV_NONE = 0, RV_CONST, RV_ANY } kind;
    int64_t k;
} ret_val;

static bool rv_join(ret_val *into, ret_val v)
{
    if (v.kind == RV_NONE || into->kind == RV_ANY)
        return false;
    if (into->kind == RV_NONE || (v.kind == RV_CONST && into->kind == RV_CONST && v.k != into->k) ||
        v.kind == RV_ANY) {
        *into = into->kind == RV_NONE ? v : (ret_val){RV_ANY, 0};
        return true;
    }
    return false;
}

static ret_val return_value(const tl_block *b)
{
    const tl_instr *ret = b->ninstrs ? &b->instrs[b->ninstrs - 1] : NULL;
    const tl_expr *v = ret && ret->kind == TL_I_RETURN ? tl_expr_uncast(ret->value) : NULL;
    if (v && v->kind == TL_E_CONST)
        return (ret_val){RV_CONST, v->ival};
    return (ret_val){RV_ANY, 0};
}

/* witness[b]: a return block reachable from block b that does not return a
 * fork's result, or -1; rv[b]: what those returns give.  Backward walks
 * from those returns over the predecessors, not into blocks that end the
 * path: the witness is set once per block, the value changes at most twice
 * (none, a constant, any), so both are linear. */
static void plain_returns(fc_ctx *c, const tl_func *f, int *witness, ret_val *rv)
{
    int *queue = tl_xmalloc(((size_t)f->nblocks * 3 + 1) * sizeof *queue), head = 0, tail = 0;
    bool *stops = tl_xmalloc((size_t)f->nblocks + 1);
    unsigned char *never = tl_xcalloc((size_t)f->nblocks + 1, 1); /* bit s: edge s never taken */
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        for (int s = 0; b->term == TL_T_BRANCH && s < 2 && s < b->nsucc; s++)
            never[bi] |= (unsigned char)(edge_never_taken(c, b, s) << s);
        witness[bi] = -1;
        rv[bi] = (ret_val){RV_NONE, 0};
        stops[bi] = block_stops(c, b);
        if (b->term == TL_T_EXIT && bi != f->exit && !stops[bi] && !returns_fork_result(c, b)) {
            witness[bi] = bi;
            rv[bi] = return_value(b);
            queue[tail++] = bi;
        }
    }
    while (head < tail) {
        const tl_block *b = &f->blocks[queue[head++]];
        for (int p = 0; p < b->npred; p++) {
            int q = b->pred[p];
            if (q < 0 || q >= f->nblocks || stops[q])
                continue;
            bool taken = false; /* some edge q -> b may be taken */
            for (int s = 0; s < f->blocks[q].nsucc && !taken; s++)
                taken = f->blocks[q].succ[s] == b->id && !(s < 2 && (never[q] >> s & 1));
            if (!taken)
                continue;
            bool changed = witness[q] < 0;
            if (changed)
                witness[q] = witness[b->id];
            changed = rv_join(&rv[q], rv[b->id]) || changed;
            if (changed && tail < f->nblocks * 3)
                queue[tail++] = q;
        }
    }
    free(never);
    free(stops);
    free(queue);
}

/* Per fork call of a function: where its child returns, and whether its
 * parent's branches return. */
typedef struct {
    int ret;            /* a return block the child reaches, -1 none */
    bool parent_seen, parent_returns;
    ret_val child_rv, parent_rv; /* what the returns each side reaches give */
} fork_fate;

static void note_parent(fork_fate *ff, int witness, ret_val rv)
{
    ff->parent_seen = true;
    ff->parent_returns = ff->parent_returns || witness >= 0;
    rv_join(&ff->parent_rv, rv);
}

/* One pass over the branches and switches: each edge that tests a fork's
 * result tells its child's or its parent's fate. */
static void fork_fates(fc_ctx *c, const tl_func *f, const int *witness, const ret_val *rv, fork_fate *fates)
{
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        if (b->term != TL_T_BRANCH && b->term != TL_T_SWITCH)
            continue;
        bool has0 = false; /* a switch with a case 0: its default is the parent */
        for (int v = 0; b->term == TL_T_SWITCH && v < b->nsucc - 1; v++)
            has0 = has0 || b->case_values[v] == 0;
        for (int s = 0; s < b->nsucc; s++) {
            int op, t = b->succ[s];
            int64_t k;
            bool dflt = b->term == TL_T_SWITCH && s == b->nsucc - 1;
            int id = tl_own_edge_relation(b, dflt ? 0 : s, var_holds, c, &op, &k);
            const tl_fn_model *m = id >= 0 && id < f->ncalls ? tl_own_model(c->a, c->fi, id) : NULL;
            if (!m || !m->spawn.child_if_zero || t < 0 || t >= f->nblocks)
                continue;
            fork_fate *ff = &fates[id];
            if (dflt) {
                if (has0)
                    note_parent(ff, witness[t], rv[t]);
            } else if (op == TL_REL_EQ && k == 0) {
                if (ff->ret < 0)
                    ff->ret = witness[t];
                rv_join(&ff->child_rv, rv[t]);
            } else if (tl_own_relation_succeeds(m->spawn.success, op, k) || (op == TL_REL_NE && k == 0)) {
                note_parent(ff, witness[t], rv[t]);
            }
        }
    }
}

/* Signs a fork's result may have: bits of {-1 (failure), 0 (the child),
 * positive (the parent)} - a `child_if_zero` spawn returns nothing else. */
enum { SG_NEG = 1, SG_ZERO = 2, SG_POS = 4, SG_ALL = 7 };

/* The signs of a fork's result v for which "v op k" can hold. */
static unsigned rel_signs(int op, int64_t k)
{
    unsigned m = (rel_holds(op, -1, k) ? SG_NEG : 0) | (rel_holds(op, 0, k) ? SG_ZERO : 0);
    switch (op) {
    case TL_REL_EQ: return m | (k > 0 ? SG_POS : 0);
    case TL_REL_LT: return m | (k > 1 ? SG_POS : 0);
    case TL_REL_LE: return m | (k >= 1 ? SG_POS : 0);
    default:        return m | SG_POS; /* !=, >, >=: some large pid holds */
    }
}

/* The child's branch reached by elimination rather than by a test for 0:
 * `if (pid > 0) { parent; return; } if (pid < 0) return -1; child...`.  A
 * forward walk from the fork's block keeps, per block, the signs its result
 * may still have (each block's set only grows, at most three times: linear);
 * an edge of a two-way branch that leaves only 0 enters the child, and tells
 * its fate as a `pid == 0` edge does.  Switches pass every sign on. */
static void child_by_elimination(fc_ctx *c, const tl_func *f, int id, int from, const int *witness,
                                 const ret_val *rv, fork_fate *ff, unsigned char *signs, int *queue)
{
    int head = 0, tail = 0;
    memset(signs, 0, (size_t)f->nblocks);
    signs[from] = SG_ALL;
    queue[tail++] = from;
    while (head < tail) {
        const tl_block *b = &f->blocks[queue[head++]];
        unsigned in = signs[b->id];
        for (int s = 0; s < b->nsucc; s++) {
            int op, t = b->succ[s];
            int64_t k;
            if (t < 0 || t >= f->nblocks)
                continue;
            unsigned out = in;
            if (b->term == TL_T_BRANCH && tl_own_edge_relation(b, s, var_holds, c, &op, &k) == id)
                out &= rel_signs(op, k);
            if (t == from)
                continue; /* the fork runs again: all signs anew */
            if (out == SG_ZERO && in != SG_ZERO) {
                if (ff->ret < 0)
                    ff->ret = witness[t];
                rv_join(&ff->child_rv, rv[t]);
            }
            if ((signs[t] | out) != signs[t]) {
                signs[t] |= (unsigned char)out;
                if (tail < f->nblocks * 3 + 1)
                    queue[tail++] = t;
            }
        }
    }
}

/* ---- callers that only return the result from main() ---- */

enum { RM_UNUSED = 0, RM_ONLY_MAIN, RM_OTHER };

/* Mark every function of the TU an expression names (its address taken). */
static void mark_named(const tl_expr *e, unsigned char *use, int nfuncs, int depth, bool *deep)
{
    if (!e)
        return;
    if (depth > 64) {
        *deep = true; /* too deep to tell */
        return;
    }
    if (e->kind == TL_E_FUNC && e->func >= 0 && e->func < nfuncs)
        use[e->func] = RM_OTHER;
    for (int k = 0; k < e->nkids; k++)
        mark_named(e->kids[k], use, nfuncs, depth + 1, deep);
}

/* Per function of the TU: is every use of it a call in main() whose result
 * main returns at once (`return run(argv);`, `r = run(argv); return r;`:
 * tl_func_results_returned), with at least one such call
 * (RM_ONLY_MAIN)?  Then a child that returns from it returns from main: it
 * exits, as after exit(), and runs no caller's code.  Only for a static
 * function defined in this file (no other file calls it) whose address is
 * never taken (no store of it, no initializer or other expression naming
 * it), in a TU whose expressions were all lowered.  One pass over the
 * TU's instructions, stores and initializers. */
/* The call whose result a variable holds at the end of block ctx (its last
 * assignment there), -1. */
static int main_block_holds(void *ctx, int var)
{
    const tl_block *at = ctx;
    for (int i = at->ninstrs - 1; i >= 0; i--) {
        const tl_instr *in = &at->instrs[i];
        if (in->kind == TL_I_ASSIGN && in->var == var) {
            const tl_expr *v = tl_expr_uncast(in->value);
            return v && v->kind == TL_E_CALLRES ? v->call_id : -1;
        }
    }
    return -1;
}

/* Does main() return at once from block t: through at most 4 blocks of
 * calls of system functions (a message on stderr) and reads, to a return? */
static bool returns_promptly(const tl_func *g, int t)
{
    for (int hop = 0; hop < 4 && t >= 0 && t < g->nblocks; hop++) {
        const tl_block *b = &g->blocks[t];
        for (int i = 0; i < b->ninstrs; i++) {
            const tl_instr *in = &b->instrs[i];
            if (in->kind == TL_I_RETURN)
                return i == b->ninstrs - 1;
            if (in->kind == TL_I_CALL && in->call.callee_system && !in->call.is_spawn_entry)
                continue;
            if (in->kind == TL_I_USE || (in->kind == TL_I_ASSIGN && g->vars[in->var].kind == TL_VAR_TEMP))
                continue;
            return false;
        }
        if (b->term != TL_T_GOTO || b->nsucc != 1)
            return false;
        t = b->succ[0];
    }
    return false;
}

/* The test main() returns at once on for call `id` in block bi (whose
 * result the block's branch tests), or false. */
static bool main_tested_call(const tl_func *g, int bi, int id, main_test *out)
{
    const tl_block *b = &g->blocks[bi];
    if (b->term != TL_T_BRANCH || b->nsucc != 2)
        return false;
    for (int s = 0; s < 2; s++) {
        int op;
        int64_t k;
        if (tl_own_edge_relation(b, s, main_block_holds, (void *)b, &op, &k) != id)
            continue;
        if (returns_promptly(g, b->succ[s])) {
            *out = (main_test){false, op, k};
            return true;
        }
    }
    return false;
}

static unsigned char *main_return_uses(const tl_analysis *a, main_test **tests_out)
{
    const tl_tu *tu = a->tu;
    int n = tu->nfuncs;
    unsigned char *use = tl_xcalloc((size_t)n + 1, 1);
    main_test *tests = tl_xcalloc((size_t)n + 1, sizeof *tests);
    *tests_out = tests;
    bool deep = false;
    for (int gi = 0; gi < n; gi++) {
        const tl_func *g = &tu->funcs[gi];
        deep = deep || g->opaque_deep_exprs > 0;
        bool is_main = g->name && strcmp(g->name, "main") == 0;
        bool *returned = is_main ? tl_func_results_returned(g, g->ncalls) : NULL;
        for (int bi = 0; bi < g->nblocks; bi++) {
            const tl_block *b = &g->blocks[bi];
            mark_named(b->cond, use, n, 0, &deep);
            for (int i = 0; i < b->ninstrs; i++) {
                const tl_instr *in = &b->instrs[i];
                mark_named(in->value, use, n, 0, &deep);
                mark_named(in->target, use, n, 0, &deep);
                if (in->kind != TL_I_CALL)
                    continue;
                mark_named(in->call.fn, use, n, 0, &deep);
                for (int k = 0; k < in->call.nargs; k++)
                    mark_named(in->call.args[k], use, n, 0, &deep);
                int fn = in->call.callee_func;
                if (fn < 0 || fn >= n || use[fn] == RM_OTHER)
                    continue;
                main_test t = {true, 0, 0};
                bool ok = is_main && in->call.id >= 0 && in->call.id < g->ncalls &&
                          (returned[in->call.id] || main_tested_call(g, bi, in->call.id, &t));
                /* two tested calls must agree on the results main returns on */
                if (ok && use[fn] == RM_ONLY_MAIN && !t.any) {
                    if (!tests[fn].any && (tests[fn].op != t.op || tests[fn].k != t.k))
                        ok = false;
                } else if (ok && use[fn] == RM_ONLY_MAIN) {
                    t = tests[fn];
                }
                use[fn] = ok ? RM_ONLY_MAIN : RM_OTHER;
                if (ok)
                    tests[fn] = t;
            }
        }
        free(returned);
    }
    tl_str_map by_usr;
    tl_str_map_init(&by_usr);
    for (int fi = 0; fi < n; fi++) {
        const tl_func *f = &tu->funcs[fi];
        if (deep || !f->is_static || f->in_header || !f->usr)
            use[fi] = RM_OTHER;
        else if (use[fi] == RM_ONLY_MAIN)
            tl_str_map_add(&by_usr, f->usr, fi);
    }
    for (int i = 0; i < tu->nstores; i++) {
        int fi = tu->stores[i].fn_usr ? tl_str_map_get(&by_usr, tu->stores[i].fn_usr) : -1;
        if (fi >= 0)
            use[fi] = RM_OTHER;
    }
    /* an initializer takes its address (`handler_t tbl[] = {f}`): "p:USR#*" */
    for (int i = 0; i < tu->ninit_slots; i++) {
        const char *k = tu->init_slots[i];
        size_t len = k ? strlen(k) : 0;
        if (len < 5 || strncmp(k, "p:", 2) != 0 || strcmp(k + len - 2, "#*") != 0 || len - 4 > 300)
            continue;
        char usr[304];
        memcpy(usr, k + 2, len - 4);
        usr[len - 4] = '\0';
        int fi = tl_str_map_get(&by_usr, usr);
        if (fi >= 0)
            use[fi] = RM_OTHER;
    }
    tl_str_map_free(&by_usr);
    return use;
}

static void report_fork(fc_ctx *c, int fi, const tl_instr *in, const fork_fate *ff, tl_findings *out)
{
    const tl_func *f = &c->a->tu->funcs[fi];
    /* the parent exits too (a daemon's fork, a double fork's first step) */
    if (ff->ret < 0 || (ff->parent_seen && !ff->parent_returns))
        return;
    /* the result tells the caller which side it is on: child and parent
       return different constants (a wrapper returning twice, its own way) */
    if (ff->child_rv.kind == RV_CONST && ff->parent_rv.kind == RV_CONST && ff->child_rv.k != ff->parent_rv.k)
        return;
    /* the child returns into main(), which returns at once: it exits */
    if (!c->main_uses)
        c->main_uses = main_return_uses(c->a, &c->main_tests);
    /* (on the results main() tests: the constant the child returns) */
    const main_test *mt = &c->main_tests[fi];
    if (c->main_uses[fi] == RM_ONLY_MAIN &&
        (mt->any || (ff->child_rv.kind == RV_CONST && rel_holds(mt->op, ff->child_rv.k, mt->k))))
        return;
    /* ... or into a chain of callers that each return its result at once,
       up to main() (a test runner's table of tests: program/exit_returns.c) */
    if (c->a->program && f->usr && tl_program_returns_exit(c->a->program, f->usr))
        return;
    char name[320];
    tl_own_call_named(c->a, &in->call, NULL, name, sizeof name);
    const tl_block *rb = &f->blocks[ff->ret];
    tl_finding *fd = tl_findings_addf(
        out, "orphaned-spawn", TL_SEV_WARNING, in->loc.file, in->loc.line, in->loc.col, f->name,
        "the child process of %s can return from '%s' at line %u and run the caller's code as a "
        "second copy of the parent; end the child's branch with _exit() or exec*()",
        name, f->name, rb->term_loc.line);
    if (fd && in->call.text)
        tl_finding_set_snippet(fd, in->call.text);
    if (fd)
        tl_finding_add_note(fd, rb->term_loc.file, rb->term_loc.line, rb->term_loc.col,
                            "the child returns here");
}

void tl_os_check_fork_children(const tl_analysis *a, tl_findings *out)
{
    fc_ctx c = {a, 0, NULL, NULL, NULL, NULL, NULL};
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        /* a return from main() ends the process (exit): no caller runs twice */
        if (ff->exempt || f->nblocks == 0 || (f->name && strcmp(f->name, "main") == 0))
            continue;
        bool any = false;
        for (int id = 0; id < ff->ncalls && !any; id++)
            any = ff->calls[id].instr && ff->calls[id].reached && ff->calls[id].model &&
                  ff->calls[id].model->spawn.child_if_zero;
        if (!any)
            continue;
        if (!c.never)
            c.never = tl_analysis_never_returns(a);
        /* variables assigned once, from a call's result */
        c.fi = fi;
        c.holds = tl_xmalloc(((size_t)f->nvars + 1) * sizeof *c.holds);
        for (int v = 0; v < f->nvars; v++)
            c.holds[v] = -1;
        for (int bi = 0; bi < f->nblocks; bi++)
            for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
                const tl_instr *in = &f->blocks[bi].instrs[i];
                if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars)
                    continue;
                const tl_expr *v = tl_expr_uncast(in->value);
                int *h = &c.holds[in->var];
                *h = *h == -1 && v && v->kind == TL_E_CALLRES ? v->call_id : -2;
            }
        int *witness = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *witness);
        ret_val *rv = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *rv);
        fork_fate *fates = tl_xmalloc(((size_t)f->ncalls + 1) * sizeof *fates);
        for (int id = 0; id < f->ncalls; id++)
            fates[id] = (fork_fate){-1, false, false, {RV_NONE, 0}, {RV_NONE, 0}};
        plain_returns(&c, f, witness, rv);
        fork_fates(&c, f, witness, rv, fates);
        unsigned char *signs = tl_xmalloc((size_t)f->nblocks + 1);
        int *queue = tl_xmalloc(((size_t)f->nblocks * 3 + 2) * sizeof *queue);
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            if (cf->instr && cf->reached && cf->model && cf->model->spawn.child_if_zero && cf->block >= 0 &&
                cf->block < f->nblocks && id < f->ncalls)
                child_by_elimination(&c, f, id, cf->block, witness, rv, &fates[id], signs, queue);
        }
        free(queue);
        free(signs);
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            if (cf->instr && cf->reached && cf->model && cf->model->spawn.child_if_zero)
                report_fork(&c, fi, cf->instr, &fates[id], out);
        }
        free(fates);
        free(rv);
        free(witness);
        free(c.holds);
        c.holds = NULL;
    }
    free(c.never);
    free(c.main_uses);
    free(c.main_tests);
}
