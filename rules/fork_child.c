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
 * positive), and a switch's default when it has a `case 0:`.  A finding when, from there, a return of the
 * function is reachable that does not return the fork's result (a wrapper
 * such as `pid_t my_fork(void)` returns it on purpose) - unless the parent
 * never returns either (the parent exits: a daemon's fork, or the first
 * step of a double fork).  Paths end at noreturn calls and at calls of
 * functions of this TU that never return.
 *
 * Cost: one walk over the function's blocks per fork call (a function has a
 * few), and one per function of the TU for "never returns", memoised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "../analyzer/util/xalloc.h"

typedef struct {
    const tl_analysis *a;
    int fi;
    int *holds;        /* per variable: the call whose result it holds (-1 none, -2 several) */
    signed char *never; /* per function of the TU: 1 never returns, 0 returns, -1 unknown */
} fc_ctx;

static int var_holds(void *ctx, int var)
{
    const fc_ctx *c = ctx;
    if (var < 0 || var >= c->a->tu->funcs[c->fi].nvars)
        return -1;
    return c->holds[var] >= 0 ? c->holds[var] : -1;
}

static bool never_returns(fc_ctx *c, int fn);

/* Does block b end the path before its end (a call that never returns)? */
static bool block_stops(fc_ctx *c, const tl_block *b)
{
    if (b->term == TL_T_NORETURN)
        return true;
    for (int i = 0; i < b->ninstrs; i++) {
        const tl_call *call = &b->instrs[i].call;
        if (b->instrs[i].kind == TL_I_CALL && !call->is_spawn_entry && call->callee_func >= 0 &&
            never_returns(c, call->callee_func))
            return true;
    }
    return false;
}

/* Walks from the start blocks; returns the first reachable return block
 * whose value is not `keep` (a variable holding the fork's result, or the
 * call itself), -1 when none.  `keep_call` < 0: any return counts. */
static int reach_return(fc_ctx *c, const tl_func *f, const int *start, int nstart, int keep_call)
{
    bool *seen = tl_xcalloc((size_t)f->nblocks + 1, sizeof *seen);
    int *stack = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *stack), n = 0, found = -1;
    for (int i = 0; i < nstart; i++)
        if (start[i] >= 0 && start[i] < f->nblocks && !seen[start[i]]) {
            seen[start[i]] = true;
            stack[n++] = start[i];
        }
    while (n > 0 && found < 0) {
        const tl_block *b = &f->blocks[stack[--n]];
        if (block_stops(c, b))
            continue;
        if (b->term == TL_T_EXIT && b->id != f->exit) {
            const tl_instr *ret = b->ninstrs ? &b->instrs[b->ninstrs - 1] : NULL;
            const tl_expr *v = ret && ret->kind == TL_I_RETURN ? tl_own_strip(ret->value) : NULL;
            bool keeps = keep_call >= 0 && v &&
                         ((v->kind == TL_E_CALLRES && v->call_id == keep_call) ||
                          (v->kind == TL_E_VAR && var_holds(c, v->var) == keep_call));
            if (!keeps) {
                found = b->id;
                break;
            }
            continue;
        }
        for (int s = 0; s < b->nsucc; s++) {
            int t = b->succ[s];
            if (t >= 0 && t < f->nblocks && !seen[t]) {
                seen[t] = true;
                stack[n++] = t;
            }
        }
    }
    free(seen);
    free(stack);
    return found;
}

static bool never_returns(fc_ctx *c, int fn)
{
    if (fn < 0 || fn >= c->a->tu->nfuncs)
        return false;
    if (c->never[fn] >= 0)
        return c->never[fn] == 1;
    c->never[fn] = 0; /* recursion: assume it returns */
    const tl_func *g = &c->a->tu->funcs[fn];
    if (g->nblocks == 0)
        return false;
    int entry = g->entry;
    fc_ctx sub = *c;
    sub.fi = fn;
    sub.holds = NULL; /* keep_call < 0: var_holds is not asked */
    c->never[fn] = reach_return(&sub, g, &entry, 1, -1) < 0 ? 1 : 0;
    return c->never[fn] == 1;
}

static void check_fork(fc_ctx *c, const tl_func *f, const tl_instr *in, const tl_fn_model *m, tl_findings *out)
{
    int id = in->call.id;
    int *child = tl_xmalloc(((size_t)f->nblocks + 1) * sizeof *child);
    int *parent = tl_xmalloc(((size_t)f->nblocks * 2 + 2) * sizeof *parent);
    int nchild = 0, nparent = 0;
    for (int bi = 0; bi < f->nblocks; bi++) {
        const tl_block *b = &f->blocks[bi];
        if (b->term != TL_T_BRANCH && b->term != TL_T_SWITCH)
            continue;
        for (int s = 0; s < b->nsucc; s++) {
            int op;
            int64_t k;
            if (b->term == TL_T_SWITCH && s == b->nsucc - 1) {
                /* the default of a switch on the result that has a case 0 */
                bool has0 = false;
                for (int v = 0; v < b->nsucc - 1; v++)
                    has0 = has0 || b->case_values[v] == 0;
                if (has0 && tl_own_edge_relation(b, 0, var_holds, c, &op, &k) == id)
                    parent[nparent++] = b->succ[s];
                continue;
            }
            if (tl_own_edge_relation(b, s, var_holds, c, &op, &k) != id)
                continue;
            if (op == TL_REL_EQ && k == 0)
                child[nchild++] = b->succ[s];
            else if (tl_own_relation_succeeds(m->spawn.success, op, k) ||
                     (op == TL_REL_NE && k == 0) || (op == TL_REL_EQ && k != 0 && k > 0))
                parent[nparent++] = b->succ[s];
        }
    }
    int ret = nchild ? reach_return(c, f, child, nchild, id) : -1;
    /* the parent exits too (a daemon's fork, a double fork's first step) */
    if (ret >= 0 && nparent && reach_return(c, f, parent, nparent, -1) < 0)
        ret = -1;
    if (ret >= 0) {
        char name[96];
        tl_own_user_name(&in->call, name, sizeof name);
        const tl_block *rb = &f->blocks[ret];
        tl_finding *fd = tl_findings_addf(
            out, "orphaned-spawn", TL_SEV_WARNING, in->loc.file, in->loc.line, in->loc.col, f->name,
            "the child process of %s() can return from '%s' at line %u and run the caller's code as a "
            "second copy of the parent; end the child's branch with _exit() or exec*()",
            name, f->name, rb->term_loc.line);
        if (fd && in->call.text)
            tl_finding_set_snippet(fd, in->call.text);
        if (fd)
            tl_finding_add_note(fd, rb->term_loc.file, rb->term_loc.line, rb->term_loc.col,
                                "the child returns here");
    }
    free(child);
    free(parent);
}

void tl_os_check_fork_children(const tl_analysis *a, tl_findings *out)
{
    fc_ctx c = {a, 0, NULL, NULL};
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        if (ff->exempt || f->nblocks == 0)
            continue;
        bool any = false;
        for (int id = 0; id < ff->ncalls && !any; id++)
            any = ff->calls[id].instr && ff->calls[id].reached && ff->calls[id].model &&
                  ff->calls[id].model->spawn.child_if_zero;
        if (!any)
            continue;
        if (!c.never) {
            c.never = tl_xmalloc((size_t)a->tu->nfuncs + 1);
            memset(c.never, -1, (size_t)a->tu->nfuncs + 1);
        }
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
                const tl_expr *v = tl_own_strip(in->value);
                int *h = &c.holds[in->var];
                *h = *h == -1 && v && v->kind == TL_E_CALLRES ? v->call_id : -2;
            }
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            if (cf->instr && cf->reached && cf->model && cf->model->spawn.child_if_zero)
                check_fork(&c, f, cf->instr, cf->model, out);
        }
        free(c.holds);
        c.holds = NULL;
    }
    free(c.never);
}
