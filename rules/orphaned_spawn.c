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
 * Handles spawned into local arrays/records are tracked flow-insensitively:
 * any use of the aggregate other than as a spawn's out-argument counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "rule.h"
#include "../analyzer/dataflow/dataflow.h"
#include "../analyzer/util/xalloc.h"
#include "report/analysis_limit.h"

#define OS_MAX_SPAWNS 32 /* tracked handles: two slots (current / older instances) each */
#define OS_MAX_OUTCOMES 64 /* spawn calls whose success/failure is followed per path */

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
    "pthread_create(...); ... if (c) pthread_join(...);`), and paths that end\n"
    "in `exit()`/`abort()` are not leaks.  Passing the handle to a function\n"
    "of the program counts by what\n"
    "that function does with it, in any file: one that joins, closes, stores\n"
    "or returns it takes it over; one that only looks at it (sets the\n"
    "thread's name, logs it) borrows it, and the caller still owns it.  A\n"
    "function nobody can see (a library without a model) takes it over;\n"
    "functions modelled as `borrow` (e.g. `hquery`) do not.  A helper in\n"
    "another file that returns a handle it spawned is a spawn for its caller.\n"
    "\n"
    "Child processes count too: a `fork()`/`vfork()`/`posix_spawn()` child\n"
    "must be reaped (`waitpid(pid, ...)`, `waitid(P_PID, pid, ...)`), unless\n"
    "the program reaps every child (a `wait()` or `waitpid(-1, ...)` reaper\n"
    "anywhere, e.g. in a SIGCHLD handler, or `signal(SIGCHLD, SIG_IGN)`).\n"
    "The child's branch of a fork (`pid == 0`) must end with `_exit()` or\n"
    "`exec*()`: a child that returns from the forking function runs its\n"
    "caller's code as a second copy of the parent, and is reported (not when\n"
    "the parent exits instead, as a daemon's fork does, nor in a wrapper that\n"
    "returns the pid like fork itself).\n"
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

/* ---- per-function context ---- */

/* EV_RETURN_ARM: a return of a conditional expression (`return ok ? h : 0`)
 * whose other branch returns the handle: the leak is on this branch. */
enum { EV_RETURN = 0, EV_RETURN_ARM, EV_OVERWRITE, EV_REDECL };

typedef struct {
    int spawn;  /* spawn index */
    int kind;   /* EV_* */
    tl_loc loc;
    int var;    /* EV_OVERWRITE / EV_REDECL: the variable */
    int seq;    /* order found */
} os_event;

typedef enum { SP_RESULT = 0, SP_OUT_SCALAR } sp_mode;

typedef struct {
    const tl_analysis *a;
    int fi;
    const tl_func *f;
    int nvars;
    int nspawn;
    int call[OS_MAX_SPAWNS];
    const tl_instr *instr[OS_MAX_SPAWNS];
    const tl_fn_model *model[OS_MAX_SPAWNS];
    sp_mode mode[OS_MAX_SPAWNS];
    int out_var[OS_MAX_SPAWNS];
    int *spawn_of_call;          /* call id -> spawn index, -1 */
    int nall;                    /* all spawn calls (tracked or not), for outcomes */
    int all_call[OS_MAX_OUTCOMES];
    int *all_of_call;            /* call id -> outcome index, -1 */
    const tl_instr **entry_of;   /* call id of a spawn -> its entry call (go()), NULL */
    /* the variables that may ever hold a handle or a spawn's result get a
       place in the path states; the others always hold nothing */
    int *tidx;                   /* var -> index among them, -1 */
    int *tvar;                   /* index -> var */
    int ntracked;
    /* flow-insensitive facts gathered while reporting */
    bool reporting;
    bool touched[OS_MAX_SPAWNS]; /* released/escaped on some path */
    int name_var[OS_MAX_SPAWNS]; /* first user variable that held the handle */
    int agg_var[OS_MAX_SPAWNS];  /* moved into this local aggregate, -1 */
    os_event *ev;                /* in the order found, duplicates included */
    int nev, capev;
    /* limits hit (analysis-limit findings) */
    int nspawn_all;              /* spawns that would need a handle slot */
    unsigned first_untracked_line;
    bool merged;                 /* all path states were merged into one (OS_K) */
    long work, budget;           /* path-state words processed, and how many may be */
    const tl_expr **outcome_defs; /* tl_own_outcome_defs: `ok = spawn(...) == 0`, or NULL */
} os_ctx;

/* Path state: mem[0] = owned slots, mem[1] / mem[2] = spawn
 * calls (outcome index) that may have succeeded / failed on this path,
 * mem[3 + t] = slots tracked variable t may hold, mem[3 + ntracked + t] =
 * spawn calls (outcome index) whose result t may hold. */
#define CUR(i) (1ull << (2 * (i)))
#define OLD(i) (1ull << (2 * (i) + 1))
#define BOTH(i) (CUR(i) | OLD(i))

#define OS_HDR 3
static size_t os_words(const os_ctx *c) { return OS_HDR + 2 * (size_t)c->ntracked; }
static uint64_t *HOLD(const os_ctx *c, uint64_t *m) { (void)c; return m + OS_HDR; }
static uint64_t *VAL(const os_ctx *c, uint64_t *m) { return m + OS_HDR + c->ntracked; }
/* Tracked index of variable v, or -1. */
static int tix(const os_ctx *c, int v) { return v >= 0 && v < c->nvars ? c->tidx[v] : -1; }

/* The lattice element is a small set of path states (layout above), as in
 * ESP-style property simulation: paths whose facts differ stay apart, so
 * "the spawn failed and the handle was never handed off" and "the spawn
 * succeeded and the handle escaped" are not merged into "may have failed,
 * may still be owned".  A path state dominated by another (bitwise subset)
 * is dropped.  Beyond OS_K path states, those that own the same handles in
 * the same variables are merged (they differ only in what is known about
 * outcomes); if that is not enough all are merged into one, which is an
 * analysis limit and reported as such.  n == 0 is bottom (unreached). */
#define OS_K 8
typedef struct {
    int n;
    uint64_t *sub[OS_K + 1]; /* one more while a state is being added */
} os_state;

static void os_bottom(void *ctx, void *st) { ((os_state *)st)->n = 0; }
static void os_entry(void *ctx, void *st)
{
    os_state *s = st;
    s->n = 1;
    s->sub[0] = calloc(os_words(ctx), sizeof(uint64_t));
}
static void os_destroy(void *ctx, void *st)
{
    os_state *s = st;
    for (int i = 0; i < s->n; i++)
        free(s->sub[i]);
    s->n = 0;
}
static void os_copy(void *ctx, void *dst, const void *src)
{
    os_state *d = dst;
    const os_state *s = src;
    size_t bytes = os_words(ctx) * sizeof(uint64_t);
    ((os_ctx *)ctx)->work += (long)(s->n * os_words(ctx));
    os_destroy(ctx, d);
    for (int i = 0; i < s->n; i++) {
        d->sub[i] = malloc(bytes);
        memcpy(d->sub[i], s->sub[i], bytes);
    }
    d->n = s->n;
}

/* Does path state y cover x?  y owns at least what x owns and knows less
 * about outcomes (bitwise x <= y on those words and on the results held),
 * and its variables hold the handles y owns exactly as in x: an alias more
 * is one more way to release a handle, so a path where `tmp = h` happened
 * does not cover one where it did not (`return ok ? h : 0`). */
static bool sub_le(const os_ctx *c, const uint64_t *x, const uint64_t *y)
{
    for (size_t i = 0; i < os_words(c); i++)
        if ((x[i] | y[i]) != y[i])
            return false;
    for (int t = 0; t < c->ntracked; t++)
        if ((x[OS_HDR + t] & y[0]) != (y[OS_HDR + t] & y[0]))
            return false;
    return true;
}

/* Add path state x to d unless a state of d dominates it; drop the states
 * x dominates (ownership of x passes to d).  True if d changed. */
static bool add_undominated(const os_ctx *c, os_state *d, uint64_t *x)
{
    for (int i = 0; i < d->n; i++)
        if (sub_le(c, x, d->sub[i])) {
            free(x);
            return false;
        }
    int k = 0;
    for (int i = 0; i < d->n; i++) {
        if (sub_le(c, d->sub[i], x))
            free(d->sub[i]);
        else
            d->sub[k++] = d->sub[i];
    }
    d->n = k;
    d->sub[d->n++] = x;
    return true;
}

/* Do x and y own the same handles, held in the same variables?  Such path
 * states differ only in what is known about spawn outcomes (and in aliases
 * of handles no longer owned), and merging them loses no leak that merging
 * everything would not: an outcome that is no longer known only makes more
 * branches feasible. */
static bool same_ownership(const os_ctx *c, const uint64_t *x, const uint64_t *y)
{
    if (x[0] != y[0])
        return false;
    for (int t = 0; t < c->ntracked; t++)
        if ((x[OS_HDR + t] & x[0]) != (y[OS_HDR + t] & y[0]))
            return false;
    return true;
}

/* d is full and x comes: merge the path states that own alike; if that is
 * not enough, merge everything into one path state, which loses track of
 * which handles are owned where (an analysis limit, reported). */
static void merge_full(os_ctx *c, os_state *d, uint64_t *x)
{
    uint64_t *all[OS_K + 1];
    int n = 0;
    for (int i = 0; i < d->n; i++)
        all[n++] = d->sub[i];
    all[n++] = x;
    int ngroups = 0;
    for (int i = 0; i < n; i++) {
        int g = 0;
        while (g < ngroups && !same_ownership(c, all[g], all[i]))
            g++;
        if (g == ngroups) {
            all[ngroups++] = all[i];
            continue;
        }
        for (size_t w = 0; w < os_words(c); w++)
            all[g][w] |= all[i][w];
        free(all[i]);
    }
    if (ngroups == n) { /* nothing owns alike */
        c->merged = true;
        for (int i = 1; i < n; i++) {
            for (size_t w = 0; w < os_words(c); w++)
                all[0][w] |= all[i][w];
            free(all[i]);
        }
        ngroups = 1;
    }
    d->n = 0;
    for (int i = 0; i < ngroups; i++)
        add_undominated(c, d, all[i]);
}

/* Add path state x (ownership passes to d); true if d changed. */
static bool add_sub(os_ctx *c, os_state *d, uint64_t *x)
{
    if (!add_undominated(c, d, x))
        return false;
    if (d->n > OS_K) { /* x came as one too many */
        d->n--;
        merge_full(c, d, d->sub[OS_K]);
    }
    return true;
}

static bool os_join(void *ctx, void *dst, const void *src)
{
    os_state *d = dst;
    const os_state *s = src;
    size_t bytes = os_words(ctx) * sizeof(uint64_t);
    bool changed = false;
    ((os_ctx *)ctx)->work += (long)((d->n + 1) * s->n * os_words(ctx));
    for (int i = 0; i < s->n; i++) {
        uint64_t *x = malloc(bytes);
        memcpy(x, s->sub[i], bytes);
        changed |= add_sub(ctx, d, x);
    }
    return changed;
}

/* Re-establish the set invariants after path states were modified. */
static void normalise(os_ctx *c, os_state *st)
{
    if (st->n <= 1)
        return;
    os_state tmp = *st;
    st->n = 0;
    for (int i = 0; i < tmp.n; i++)
        add_sub(c, st, tmp.sub[i]);
}

static int slot_spawn(uint64_t bit)
{
    return __builtin_ctzll(bit) / 2;
}

/* Record an event (duplicates are dropped when reporting: the first one of
 * a spawn, kind and place counts). */
static void add_event(os_ctx *c, int spawn, int kind, tl_loc loc, int var)
{
    if (!c->reporting)
        return;
    if (c->nev == c->capev) {
        c->capev = c->capev ? 2 * c->capev : 8;
        c->ev = realloc(c->ev, (size_t)c->capev * sizeof *c->ev);
    }
    c->ev[c->nev++] = (os_event){spawn, kind, loc, var, 0};
}

/* The obligation for `slots` ends (release or escape). */
static void end_owned(os_ctx *c, uint64_t *m, uint64_t slots)
{
    uint64_t hit = m[0] & slots;
    if (c->reporting)
        for (uint64_t b = hit; b; b &= b - 1)
            c->touched[slot_spawn(b & -b)] = true;
    m[0] &= ~slots;
}

/* Variable v now holds `bits` (its old content is overwritten).  Owned
 * handles it held that no other variable holds are lost. */
static void set_hold(os_ctx *c, uint64_t *m, int v, uint64_t bits, int kind, tl_loc loc)
{
    int t = tix(c, v);
    if (t < 0)
        return; /* never holds a handle */
    uint64_t *hold = HOLD(c, m);
    uint64_t old = hold[t];
    hold[t] = bits;
    uint64_t lost = old & m[0] & ~bits;
    for (uint64_t b = lost; b; b &= b - 1) {
        uint64_t bit = b & -b;
        bool elsewhere = false;
        for (int w = 0; w < c->ntracked && !elsewhere; w++)
            elsewhere = w != t && (hold[w] & bit);
        if (elsewhere)
            continue;
        add_event(c, slot_spawn(bit), kind, loc, v);
        m[0] &= ~bit;
    }
}

/* Current slots of the tracked result-handle spawns whose results e reads. */
static uint64_t result_slots(const os_ctx *c, const tl_expr *e)
{
    if (!e)
        return 0;
    uint64_t s = 0;
    if (e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < c->f->ncalls) {
        int i = c->spawn_of_call[e->call_id];
        if (i >= 0 && c->mode[i] == SP_RESULT)
            s |= CUR(i);
    }
    for (int k = 0; k < e->nkids; k++)
        s |= result_slots(c, e->kids[k]);
    return s;
}

/* Slots mentioned by an expression: variables holding handles and results
 * of tracked result-handle spawns.  One walk of the expression. */
static uint64_t mentioned_slots(const os_ctx *c, uint64_t *m, const tl_expr *e)
{
    if (!e)
        return 0;
    uint64_t s = 0;
    int t = e->kind == TL_E_VAR ? tix(c, e->var) : -1;
    if (t >= 0)
        s |= HOLD(c, m)[t];
    if (e->kind == TL_E_CALLRES)
        s |= result_slots(c, e);
    for (int k = 0; k < e->nkids; k++)
        s |= mentioned_slots(c, m, e->kids[k]);
    return s;
}

typedef enum { ARG_ESCAPE = 0, ARG_RELEASE, ARG_BORROW, ARG_IGNORE } arg_use;

static arg_use classify_arg(const tl_fn_model *m, const tl_call *call, int ai)
{
    if (!m || call->is_spawn_entry)
        return ARG_ESCAPE;
    if (m->release.present && m->release.arg == ai)
        return ARG_RELEASE;
    if (m->spawn.present) {
        if (m->spawn.where == TL_HANDLE_OUT_ARG && m->spawn.handle_arg == ai)
            return ARG_IGNORE;
        if (m->spawn.owner_arg == ai)
            return ARG_BORROW;
        return ARG_ESCAPE; /* the new task receives it */
    }
    if (m->callback.present)
        for (int i = 0; i < m->callback.nargs; i++)
            if (m->callback.args[i] == ai)
                return ARG_ESCAPE;
    for (int i = 0; i < m->nborrow; i++)
        if (m->borrow[i].present && m->borrow[i].arg == ai)
            return ARG_BORROW;
    if ((m->start.present && m->start.arg == ai) || (m->await.present && m->await.arg == ai) ||
        (m->teardown.present && m->teardown.arg == ai))
        return ARG_BORROW;
    return ARG_ESCAPE;
}

static bool is_decl_site(const tl_func *f, int v, tl_loc loc)
{
    const tl_loc *d = &f->vars[v].decl_loc;
    return d->line != 0 && d->line == loc.line;
}

/* Apply instruction ii to path state m.  A spawn whose entry call receives
 * a handle (go(reap(t))) splits the path: *split gets the state where the
 * spawn failed and the entry never ran (the handle stays owned), m continues
 * as the success path where the handle was handed to the new task. */
static void transfer_one(os_ctx *c, uint64_t *m, const tl_func *f, const tl_block *b, int ii,
                         uint64_t **split)
{
    const tl_instr *in = &b->instrs[ii];
    uint64_t *hold = HOLD(c, m), *val = VAL(c, m);
    switch (in->kind) {
    case TL_I_CALL: {
        const tl_call *call = &in->call;
        const tl_fn_model *md = tl_own_model(c->a, c->fi, call->id);
        for (int ai = 0; ai < call->nargs; ai++) {
            arg_use u = classify_arg(md, call, ai);
            if (u == ARG_BORROW || u == ARG_IGNORE)
                continue;
            if (u == ARG_RELEASE) {
                int root = tix(c, tl_own_arg_root(call->args[ai]));
                if (root >= 0)
                    end_owned(c, m, hold[root]);
                end_owned(c, m, result_slots(c, call->args[ai]));
                continue;
            }
            end_owned(c, m, mentioned_slots(c, m, call->args[ai]));
        }
        bool known = call->id >= 0 && call->id < f->ncalls;
        int oi = known ? c->all_of_call[call->id] : -1;
        const tl_instr *entry = known ? c->entry_of[call->id] : NULL;
        uint64_t handed = 0;
        for (int ai = 0; entry && ai < entry->call.nargs; ai++)
            handed |= mentioned_slots(c, m, entry->call.args[ai]);
        handed &= m[0];
        if (handed && oi >= 0 && split) {
            size_t bytes = os_words(c) * sizeof(uint64_t);
            uint64_t *fail = malloc(bytes);
            memcpy(fail, m, bytes);
            fail[1] &= ~(1ull << oi);
            fail[2] |= 1ull << oi;
            *split = fail;
            m[1] |= 1ull << oi;
            m[2] &= ~(1ull << oi);
            end_owned(c, m, handed);
        } else {
            end_owned(c, m, handed); /* a spawn that cannot fail runs its entry */
            if (oi >= 0) {
                m[1] |= 1ull << oi; /* outcome not known yet */
                m[2] |= 1ull << oi;
            }
        }
        int sp = known ? c->spawn_of_call[call->id] : -1;
        if (sp < 0)
            break;
        if (m[0] & CUR(sp)) {
            /* spawned again (loop) while the previous handle is owned: the
               older instances live on in the OLD slot */
            for (int t = 0; t < c->ntracked; t++)
                if (hold[t] & CUR(sp))
                    hold[t] = (hold[t] & ~CUR(sp)) | OLD(sp);
            m[0] = (m[0] & ~CUR(sp)) | OLD(sp);
        } else {
            for (int t = 0; t < c->ntracked; t++)
                hold[t] &= ~CUR(sp); /* stale aliases of a released instance */
        }
        m[0] |= CUR(sp);
        if (c->mode[sp] == SP_OUT_SCALAR)
            set_hold(c, m, c->out_var[sp], CUR(sp), EV_OVERWRITE, in->loc);
        break;
    }
    case TL_I_ASSIGN: {
        int v = in->var;
        if (v < 0 || v >= c->nvars)
            break;
        const tl_expr *e = tl_own_strip(in->value);
        uint64_t nh = 0, nv = 0;
        if (e && e->kind == TL_E_CALLRES && e->call_id >= 0 && e->call_id < f->ncalls) {
            int sp = c->spawn_of_call[e->call_id];
            int oi = c->all_of_call[e->call_id];
            if (oi >= 0)
                nv = 1ull << oi;
            if (sp >= 0 && c->mode[sp] == SP_RESULT)
                nh = CUR(sp);
        } else if (e && e->kind == TL_E_VAR && tix(c, e->var) >= 0) {
            nh = hold[tix(c, e->var)];
            nv = val[tix(c, e->var)];
        }
        if (!tl_own_var_is_local(&f->vars[v])) {
            end_owned(c, m, nh); /* assigned to a global/static: escapes */
            break;
        }
        if (c->reporting && f->vars[v].kind != TL_VAR_TEMP)
            for (int i = 0; i < c->nspawn; i++)
                if ((nh & BOTH(i)) && c->name_var[i] < 0)
                    c->name_var[i] = v;
        set_hold(c, m, v, nh, is_decl_site(f, v, in->loc) ? EV_REDECL : EV_OVERWRITE, in->loc);
        if (tix(c, v) >= 0)
            val[tix(c, v)] = nv;
        break;
    }
    case TL_I_DECL:
        if (tix(c, in->var) >= 0) {
            set_hold(c, m, in->var, 0, EV_REDECL, in->loc);
            val[tix(c, in->var)] = 0;
        }
        break;
    case TL_I_STORE: {
        uint64_t moved = mentioned_slots(c, m, in->value);
        if (!moved)
            break;
        int g;
        if (tl_own_lvalue_place(f, in->target, &g) == TL_PLACE_AGGREGATE && c->reporting)
            for (int i = 0; i < c->nspawn; i++)
                if ((moved & m[0] & BOTH(i)) && c->agg_var[i] < 0)
                    c->agg_var[i] = g;
        end_owned(c, m, moved);
        break;
    }
    case TL_I_RETURN: {
        end_owned(c, m, mentioned_slots(c, m, in->value));
        /* a returned temporary that may hold a handle is a ?: whose other
           branch returns it */
        const tl_expr *rv = tl_own_strip(in->value);
        int kind = rv && rv->kind == TL_E_VAR && rv->var >= 0 && rv->var < c->nvars &&
                           f->vars[rv->var].kind == TL_VAR_TEMP && tix(c, rv->var) >= 0
                       ? EV_RETURN_ARM
                       : EV_RETURN;
        for (uint64_t bb = m[0]; bb; bb &= bb - 1)
            add_event(c, slot_spawn(bb & -bb), kind, in->loc, -1);
        m[0] = 0;
        break;
    }
    case TL_I_USE:
        break;
    }
}

typedef struct {
    os_ctx *c;
    uint64_t *m;
} holds_ctx;

static int os_var_holds(void *ctx, int v)
{
    holds_ctx *h = ctx;
    int t = tix(h->c, v);
    if (t < 0)
        return -1;
    uint64_t bits = VAL(h->c, h->m)[t];
    if (!bits || (bits & (bits - 1)))
        return -1;
    return h->c->all_call[__builtin_ctzll(bits)];
}

static bool edge_one(os_ctx *c, uint64_t *m, const tl_func *f, const tl_block *b, int s)
{
    holds_ctx h = {c, m};
    int outcome;
    int call = tl_own_edge_spawn_outcome(c->a, c->fi, b, s, os_var_holds, &h, c->outcome_defs,
                                         &outcome);
    if (call < 0 || call >= f->ncalls || c->all_of_call[call] < 0)
        return true;
    uint64_t bit = 1ull << c->all_of_call[call];
    if (outcome < 0) {
        if (!(m[2] & bit))
            return false; /* the spawn succeeded on every path here */
        m[1] &= ~bit;
        if (c->spawn_of_call[call] >= 0)
            m[0] &= ~CUR(c->spawn_of_call[call]); /* the spawn failed: no handle */
    } else {
        if (!(m[1] & bit))
            return false; /* the spawn failed on every path here */
        m[2] &= ~bit;
    }
    return true;
}

static void os_transfer(void *ctx, void *st, const tl_func *f, const tl_block *b, int ii)
{
    os_state *s = st;
    uint64_t *extra[OS_K];
    int n = s->n;
    ((os_ctx *)ctx)->work += (long)(n * os_words(ctx));
    for (int i = 0; i < n; i++) {
        extra[i] = NULL;
        transfer_one(ctx, s->sub[i], f, b, ii, &extra[i]);
    }
    normalise(ctx, s);
    for (int i = 0; i < n; i++)
        if (extra[i])
            add_sub(ctx, s, extra[i]);
}

static bool os_edge(void *ctx, void *st, const tl_func *f, const tl_block *b, int s)
{
    os_state *p = st;
    if (b->term != TL_T_BRANCH && b->term != TL_T_SWITCH)
        return p->n > 0;
    int k = 0;
    for (int i = 0; i < p->n; i++) {
        if (edge_one(ctx, p->sub[i], f, b, s))
            p->sub[k++] = p->sub[i];
        else
            free(p->sub[i]); /* this path cannot take the edge */
    }
    p->n = k;
    normalise(ctx, p);
    return k > 0;
}

static bool os_exhausted(void *ctx)
{
    const os_ctx *c = ctx;
    return c->work > c->budget;
}

static const tl_dataflow_ops os_ops = {
    .state_size = sizeof(os_state),
    .init_entry = os_entry,
    .init_bottom = os_bottom,
    .copy = os_copy,
    .join = os_join,
    .transfer = os_transfer,
    .transfer_edge = os_edge,
    .destroy = os_destroy,
    .exhausted = os_exhausted,
    .split_by_facts = true,
};

/* ---- reporting ---- */

typedef struct {
    char callee[128];
    char verbs[128];
    const char *task;
    char subject[512];
} os_words_t;

static void describe(const os_ctx *c, int i, const char *varname, os_words_t *w)
{
    const tl_fn_model *m = c->model[i];
    tl_own_user_name(&c->instr[i]->call, w->callee, sizeof w->callee);
    tl_own_release_verbs(c->a->models, m->library, w->verbs, sizeof w->verbs);
    w->task = m->spawn.task && *m->spawn.task ? m->spawn.task : "task";
    if (c->mode[i] == SP_OUT_SCALAR)
        snprintf(w->subject, sizeof w->subject, "%s '%s' spawned by %s()", w->task, varname,
                 w->callee);
    else if (varname)
        snprintf(w->subject, sizeof w->subject, "%s handle '%s' from %s()", w->task, varname,
                 w->callee);
    else
        snprintf(w->subject, sizeof w->subject, "%s handle from %s()", w->task, w->callee);
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
    char callee[128], verbs[128], msg[1024];
    tl_own_user_name(&in->call, callee, sizeof callee);
    tl_own_release_verbs(a->models, m->library, verbs, sizeof verbs);
    const char *task = m->spawn.task && *m->spawn.task ? m->spawn.task : "task";
    snprintf(msg, sizeof msg, "%ss stored in '%s' by %s() are never %s", task, f->vars[g].name,
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
            const tl_expr *e = tl_own_strip(in->value);
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
                tl_own_spawn_detached(a, fi, in, m, &attrs) || tl_own_released_all(a, ra, m->spawn.task))
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
                    if (!agg_used[var])
                        report_aggregate(a, f, in, m, var, out);
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

    if (c.nspawn > 0) { /* (outcomes alone matter only to tracked handles) */
        compute_tracked(&c);
        c.outcome_defs = tl_own_outcome_defs(a, fi);
        c.budget = tl_dataflow_budget(f);
        tl_dataflow_result r;
        bool gave_up = tl_dataflow_forward(f, &os_ops, &c, &r) != 0; /* then report what was computed */
        c.reporting = true;
        os_state st;
        os_bottom(&c, &st);
        for (int bi = 0; bi < f->nblocks; bi++) {
            if (!r.reached[bi])
                continue;
            const tl_block *b = &f->blocks[bi];
            tl_dataflow_replay(&r, f, bi, b->ninstrs, &st);
            uint64_t owned = 0;
            for (int i = 0; i < st.n; i++)
                owned |= st.sub[i][0];
            if (!owned || b->term == TL_T_NORETURN || bi == f->exit)
                continue;
            bool exits = b->term == TL_T_EXIT;
            for (int s = 0; s < b->nsucc; s++)
                exits = exits || (f->exit >= 0 && b->succ[s] == f->exit);
            if (!exits)
                continue;
            tl_loc loc = b->term_loc.line ? b->term_loc : f->end_loc;
            for (uint64_t bb = owned; bb; bb &= bb - 1)
                add_event(&c, slot_spawn(bb & -bb), EV_RETURN, loc, -1);
        }
        os_destroy(&c, &st);
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
