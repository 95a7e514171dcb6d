/* missing_timeout.c - rule `missing-timeout`: a wait with an infinite deadline.
 *
 * Reads the wait facet of each call's model and the constant-propagated value
 * of its timeout argument (analysis.h): a wait whose timeout is the
 * library's "forever" value, or that has no timeout at all, is reported when
 * its wait kind is flagged under the active profile (peer/task/io/sleep by
 * default; also loop/accept/condition/join in the strict profile).
 *
 * Two facets of the wait model refine a `condition` kind from the code around
 * the call (wait_event_kind): `kind_if_zero_init` when a counter_init call
 * (sem_init) gives the waited object the count 0 - the semaphore signals an
 * event, e.g. a start-up handshake, unless a thread spawned before it surely
 * posts it (handshake.h) - and `kind_if_unlooped` when the wait's
 * CFG block lies on no cycle, i.e. no loop re-checks a predicate around it
 * (unless the waited object is the function's own parameter: a wrapper's
 * callers own the loop; nor when the function only ever runs inside a
 * caller's loop, tl_program_looped: a helper doing one step of it).
 *
 * A wait that reaps an object's completions (an `await` facet: an io_uring
 * ring) takes its kind from the operations in flight there (inflight.h): a
 * peer wait when one of them may wait on a peer, none at all by default
 * when all of them complete on their own (reported in the strict profile),
 * the model's kind when the function cannot see what is in flight.
 *
 * A wait for no more completions than a `keeps` await (io_uring_submit_and_
 * wait) that succeeded just before waited for is satisfied: not reported.
 * The central wait of an event loop (event_loop.h) takes the model's
 * `kind_in_event_loop` (io_uring: loop, strict profile only).
 *
 * The waits of a coroutine entry that its owners end by cancellation on
 * every path (tl_program_cancel_bounded, rules/cancel_bound.c) are not
 * reported: the owner's release bounds them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_loop.h"
#include "handshake.h"
#include "inflight.h"
#include "ownership.h"
#include "rule.h"
#include "../analyzer/dataflow/cycles.h"
#include "../analyzer/util/str_map.h"
#include "../analyzer/util/xalloc.h"
#include "../analyzer/program/program.h"

static const char doc[] =
    "## What it does\n"
    "Flags a blocking wait whose deadline or timeout is the library's \"forever\" value "
    "(`-1` for libdill/libmill deadlines, `poll` and `epoll_wait`; `NULL` for `ppoll`, "
    "`select`, `io_uring_wait_cqe_timeout`, `pthread_cond_timedwait`), or a wait that has no "
    "timeout at all (`io_uring_wait_cqe`, libmill channel operations), when it waits on "
    "something that may never answer: a peer (connect, DNS, receive, an fd wait on one "
    "descriptor), another task's result (channel send/receive, `bundle_wait`) or an I/O "
    "completion. The value is followed through local variables, enum constants and "
    "macros, so `#define FOREVER -1` or `int64_t dl = -1;` are seen too.\n"
    "\n"
    "Waits for an event another task sends are reported too: `sem_wait` or `uv_sem_wait` on a "
    "semaphore initialised to 0 (`sem_init(&s, 0, 0)`, `uv_sem_init(&s, 0)`, in the same "
    "function or, for a file-scope semaphore, anywhere in the file) - a start-up handshake "
    "that hangs if the other side never posts (not when a thread started before it, on every "
    "path, with its creation checked, posts that semaphore on every path of its entry - handed "
    "to it as the thread's argument, or file-scope: `if (pthread_create(&t, NULL, worker, &s)) "
    "abort(); sem_wait(&s);` with `worker` calling `sem_post(arg)` first thing; a thread that "
    "can return or `pthread_exit()` before posting still leaves the wait hanging, and one "
    "thread's post answers one wait: a second wait after a single spawn is reported) - and a "
    "condition wait "
    "(`pthread_cond_wait`, `cnd_wait`, `uv_cond_wait`) that is not inside a loop of its "
    "function (its control-flow block lies on no cycle): without a predicate re-checked "
    "around it, a signal sent before the wait is lost. A function that waits on a "
    "condition handed to it as a parameter (or a local that only copies one, `cond = "
    "cond_;`) is a wrapper: its callers own the loop. So is a function that only ever runs "
    "inside a loop of its callers (`while (p->state == RUNNING) sleep_once(p);`): every call "
    "of it, in the whole program, lies in a loop or in such a function in turn; a thread "
    "entry, a callback, or a function called once outside a loop is not. The start-up lock dance is not "
    "reported either: `pthread_mutex_lock(&m); if (pthread_create(&t, NULL, entry, NULL)) "
    "{ ...; return -1; } pthread_cond_wait(&c, &m);` where `entry` takes `m` and signals "
    "`c` while holding it on every path - the thread cannot take the mutex, hence signal, "
    "before the wait releases it (a file-scope condition and mutex, or fields of a context "
    "handed to the thread: `&ctx->cond`, `&ctx->lock`; reported when the waiter unlocks `m` "
    "or hands it to another call between the spawn and the wait, locks it only after the "
    "spawn or on one branch, when the entry can return before signalling or signals without "
    "the mutex, and for a second wait after one spawn).\n"
    "\n"
    "An io_uring wait (`io_uring_wait_cqe` and friends) waits for the operations in flight "
    "on its ring, as far as the function and the helpers it hands the ring to show them: "
    "when one can wait on a peer (a socket "
    "receive, send, accept or connect, a poll, a read from a pipe, a socket or a descriptor "
    "of unknown origin) it is a peer wait, unless a cancel was prepared after it or a linked "
    "timeout right after it (`IOSQE_IO_LINK`) bounds it; a request chained after one that can "
    "wait on a peer waits too, and a multishot receive or accept stays armed after a reap; "
    "when all of them complete on their own (a no-op, a "
    "timeout, a cancel, fsync, open, close, a read of a file opened by path, I/O on an "
    "`AF_ALG` socket the kernel answers), or at least as many as the wait waits for (a "
    "timeout request in flight next to a receive bounds a wait for one completion), it "
    "cannot hang on anyone and is reported only with `--profile strict`; when the function "
    "prepares nothing on the ring it is an I/O wait.  A request flagged "
    "`IOSQE_CQE_SKIP_SUCCESS` posts a completion only if it fails: a wait for more "
    "completions than the other requests in flight post returns only on a failure and is "
    "reported (an I/O wait).  A wait for no more completions than an "
    "`io_uring_submit_and_wait(ring, n)` that succeeded just before it waited for returns at "
    "once and is not reported.  The central wait of an io_uring event loop - in a loop that "
    "runs until stopped (`while (1)`, `for (;;)`, `while (!stop)`: no exit tests a counter "
    "the loop steps), or in a helper such a loop calls, that takes its completions in "
    "batches (`io_uring_for_each_cqe` + `io_uring_cq_advance`, `io_uring_peek_batch_cqe`) "
    "or routes each by its user data (`io_uring_cqe_get_data`) - is a loop wait, like "
    "`epoll_wait`'s.\n"
    "\n"
    "A send waits only when the connection's send buffer is full: the first small sends "
    "on a connection just made (`tcp_accept`, `ipc_pair`, `accept`, through a layer such as "
    "`suffix_attach` or the program's own `hmake()` layer), constant lengths and string literals of 4 KiB in all (a loop adds up: "
    "a loop that runs a known number of times - `for (i = 0; i < 10; i++)`, counting down "
    "`for (c = '9'; c >= '0'; --c)` - adds that many passes, any other the budget's worth; "
    "a length that is no constant counts as the size of the fixed-size array it sends from; "
    "an answer received on the connection starts the count anew: a request/response loop "
    "fits), cannot wait and are not reported - also in a coroutine every launch of which hands it "
    "such a connection that nothing else writes to (others it is handed to may only read "
    "it: wait for it, receive from it). A buffered channel only its function uses (libmill's "
    "`chmake(type, n)`, model `channel_buffer`) is counted: a `chs()` while it has room and a "
    "`chr()` while a message waits (n sends in a loop of n passes, then n receives) return at "
    "once and are not reported, nor is a `chr()` after `chdone()`. A function that talks in "
    "turn (send, receive, send...) to a coroutine it launched that answers every message "
    "(receives and sends back, for ever) waits for nothing that does not come; nor does one "
    "that receives once, after launching it, the one answer of a coroutine that sends it on "
    "every path (a future: `go(compute(n, ch[0])); chrecv(ch[1], ...)`) - the coroutine's "
    "own waits are reported where they are. libmill's `tcpsend()` only copies into "
    "the connection's 1432-byte output buffer while the bytes since the last `tcpflush()` "
    "fit (model `buffered`): such a send is no wait; the flush is. A close or detach that "
    "drains the input until the peer's end (`tcp_close`, `http_detach`) waits for nothing "
    "once a receive on the handle failed with `EPIPE` on every path to it - the idiomatic "
    "`if (rc < 0 && errno == EPIPE) break;` loop - or, in libdill, failed at all (the "
    "connection is then broken and the close fails at once).\n"
    "\n"
    "Some libraries take the deadline from the socket, not the call: nng's `nng_recv` and `nng_send` "
    "wait as long as the socket's `NNG_OPT_RECVTIMEO` and `NNG_OPT_SENDTIMEO` say, ZeroMQ's "
    "`zmq_recv` and `zmq_send` as long as its `ZMQ_RCVTIMEO` and `ZMQ_SNDTIMEO` - infinite until set. A "
    "receive or send on a socket the function opened itself (`s = zmq_socket(ctx, ZMQ_REQ)`, "
    "`nng_req0_open(&s)`) and gave no such deadline on any path is a forever wait; the client "
    "that hangs when its server dies - also through a helper of the file that receives on the "
    "socket it is handed (`s_recv(s)`), reported at the call. By socket type, a send that is "
    "routed or dropped is none (ZeroMQ's PUB, REP, ROUTER, and REQ, whose receive is the wait; "
    "nng's pub0, rep0, respondent0, surveyor0, bus0); so is a ZeroMQ "
    "send on a socket the function connected (the connect makes its queue at once), and a "
    "receive right after a receive on a REQ, REP, DEALER or ROUTER socket (the next frame of a "
    "message that arrived whole). Not flagged: the option set on some path, "
    "`ZMQ_DONTWAIT` or `NNG_FLAG_NONBLOCK`, a receive after `zmq_poll()`, a socket from a "
    "parameter or a field, or one handed to code that may set it (another file's, or code "
    "nobody models).\n"
    "\n"
    "A deadline that arrives as a parameter is not flagged: the caller decides. Event "
    "loops' central waits (`epoll_wait`, `poll` over many fds), accept loops, condition "
    "variables inside their predicate loop (`while (!ready) pthread_cond_wait(...)`), "
    "counting semaphores initialised above 0 (a resource limit) or initialised elsewhere, "
    "a channel receive in a loop nothing leaves (a sink serving for the program's lifetime: "
    "`while (1) { op = chr(ch, int); count(op); }`), "
    "and thread joins are forever waits by design; they are reported only with "
    "`--profile strict`. So are waits the system itself ends (model kind `bounded`): a TCP "
    "connect with no deadline (`tcp_connect(&addr, -1)`) fails with `ETIMEDOUT` once the "
    "kernel's SYN retries run out. A send on a coroutine's channel parameter that a sink "
    "serves is not a wait at all (model `unless_served`): when every launch of the coroutine "
    "hands it a channel its launcher handed, before that on every path, to a coroutine that "
    "receives on it in a loop nothing leaves with nothing else there that may wait "
    "(`go(statistics(ch)); for (;;) { ...; go(dialogue(s, ch)); }`), the send is always taken.\n"
    "\n"
    "A coroutine its owner ends by cancellation is bounded by its owner: when every `go()` / "
    "`bundle_go()` of a coroutine function hands it to an owner that closes the handle or "
    "the bundle with `hclose()` (a release that cancels) on every path - after a wait with a "
    "deadline, or at once - its `-1` waits fail with `ECANCELED` when the owner is done, and "
    "are not reported. They are reported when some launch leaks the handle, keeps it past "
    "the function, sits in a loop that never closes it, or is waited for with no deadline "
    "(`bundle_wait(b, -1)`) before the close, and when the function also runs as a plain "
    "call.\n"
    "\n"
    "## Why is this bad?\n"
    "A peer that crashes, a half-open TCP connection, a producer coroutine that exited or a "
    "request the kernel never completes leaves the waiter blocked for good: the coroutine, "
    "thread or request is stuck, holds its resources, and cannot notice a shutdown. Every "
    "wait on something outside your control needs a deadline, so that failure becomes an "
    "error path (`ETIMEDOUT`) instead of a hang.\n"
    "\n"
    "## Example\n"
    "```c\n"
    "int msg;\n"
    "if (chrecv(ch, &msg, sizeof msg, -1) < 0)      /* waits forever */\n"
    "    return -1;\n"
    "\n"
    "struct pollfd p = {.fd = sock, .events = POLLIN};\n"
    "poll(&p, 1, -1);                              /* a silent peer hangs us */\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```c\n"
    "int msg;\n"
    "if (chrecv(ch, &msg, sizeof msg, now() + 5000) < 0) {\n"
    "    if (errno == ETIMEDOUT) { /* give up, report, retry */ }\n"
    "    return -1;\n"
    "}\n"
    "\n"
    "struct pollfd p = {.fd = sock, .events = POLLIN};\n"
    "int rc = poll(&p, 1, 5000);                   /* 0 means the peer went silent */\n"
    "```\n";

static const char *kind_consequence(tl_wait_kind k) {
    switch (k) {
    case TL_WAIT_PEER: return "a peer that never answers blocks it for good";
    case TL_WAIT_TASK: return "a task that never answers blocks it for good";
    case TL_WAIT_IO: return "an I/O request that never completes blocks it for good";
    case TL_WAIT_LOOP: return "the loop wakes only on events, so timers and shutdown checks never run while it is idle";
    case TL_WAIT_ACCEPT: return "the accept loop cannot notice a shutdown while no client connects";
    case TL_WAIT_CONDITION: return "a signal that never comes blocks it for good";
    case TL_WAIT_JOIN: return "a thread that never exits blocks the joiner for good";
    case TL_WAIT_SLEEP: return "it never returns";
    case TL_WAIT_BOUNDED: return "only the system's own limit ends it (a TCP connect gives up after its SYN retries, about two minutes on Linux)";
    default: return "it may never return";
    }
}

static void describe_value(const tl_func *f, const tl_call_facts *cf, int arg, char *buf, size_t size) {
    const tl_cval *v = &cf->argv[arg];
    const char *via = v->via_var >= 0 && v->via_var < f->nvars ? f->vars[v->via_var].name : NULL;
    char val[64];
    if (v->kind == TL_CV_NULL) snprintf(val, sizeof val, "NULL");
    else snprintf(val, sizeof val, "%lld", (long long)v->v);
    if (via) snprintf(buf, size, "%s (through '%s')", val, via);
    else snprintf(buf, size, "%s", val);
}

/* A program function whose parameter reaches a wait's deadline: name each
 * step to the wait, in its own file. */
static void add_deadline_chain(const tl_analysis *a, const tl_func *f, const tl_instr *in, tl_finding *fd) {
    bool is_slot;
    const char *usr = tl_call_target_usr(f, &in->call, &is_slot);
    if (!usr || (in->call.callee && tl_models_find(a->models, in->call.callee))) return;
    tl_chain_step steps[16];
    int n = tl_program_deadline_chain(a->program, usr, is_slot, steps, 16);
    for (int i = 0; i < n; i++) {
        char msg[512], phrase[256];
        if (steps[i].final)
            snprintf(msg, sizeof msg, "the deadline reaches %s() here, in %s()", steps[i].callee, steps[i].caller);
        else
            snprintf(msg, sizeof msg, "%s() passes the deadline to %s here", steps[i].caller,
                     tl_own_call_phrase(steps[i].callee, i + 1 < n ? steps[i + 1].caller : NULL, phrase,
                                        sizeof phrase));
        tl_finding_add_note(fd, steps[i].loc.file, steps[i].loc.line, steps[i].loc.col, msg);
    }
}

/* The variable an object argument names (`&s`, `s`, `&s.f`), or -1. */
static int object_var(const tl_call *c, int arg) {
    if (arg < 0 || arg >= c->nargs) return -1;
    bool through_addr;
    return tl_expr_root_var(c->args[arg], &through_addr);
}

/* 'NAME' of the variable an object argument names, or "the object". */
static void describe_object(const tl_func *f, const tl_instr *in, int arg, char *buf, size_t size) {
    int v = object_var(&in->call, arg);
    if (v >= 0 && v < f->nvars && f->vars[v].name) snprintf(buf, size, "'%s'", f->vars[v].name);
    else snprintf(buf, size, "the object");
}

/* The identity of variable v of function fi as a counter_init object: a
 * file-scope variable is the same object in every function (by USR, else by
 * name); any other variable is its function's own. */
static void object_key(const tl_analysis *a, int fi, int v, char *buf, size_t n) {
    const tl_var *x = &a->tu->funcs[fi].vars[v];
    if (x->kind == TL_VAR_GLOBAL)
        snprintf(buf, n, "g:%s", x->usr ? x->usr : x->name);
    else
        snprintf(buf, n, "l:%d:%d", fi, v);
}

/* Every counter_init call (sem_init) of the TU, resolved per object in one
 * pass: `zero[i]` is the last call giving object i the constant count 0,
 * or NULL when some call gives it another or an unknown count. */
typedef struct {
    tl_str_map index; /* object_key -> i */
    const tl_instr **zero;
    int n, cap;
} counter_inits;

static void note_counter_init(counter_inits *ci, const char *key, const tl_instr *zero_or_null) {
    int i = tl_str_map_add(&ci->index, key, ci->n);
    if (i < ci->n) { /* known object: a non-zero count anywhere spoils it */
        if (ci->zero[i]) ci->zero[i] = zero_or_null;
        return;
    }
    if (ci->n == ci->cap) {
        int ncap = ci->cap ? 2 * ci->cap : 8;
        ci->zero = tl_xrealloc(ci->zero, (size_t)ncap * sizeof *ci->zero);
        ci->cap = ncap;
    }
    ci->zero[ci->n++] = zero_or_null;
}

static void collect_counter_inits(const tl_analysis *a, counter_inits *out) {
    memset(out, 0, sizeof *out);
    tl_str_map_init(&out->index);
    char key[512];
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            if (!cf->instr || !cf->model || !cf->model->counter_init.present) continue;
            const tl_counter_init_facet *ci = &cf->model->counter_init;
            int v = object_var(&cf->instr->call, ci->arg);
            if (v < 0 || v >= f->nvars) continue;
            object_key(a, fi, v, key, sizeof key);
            bool zero = ci->value_arg >= 0 && ci->value_arg < cf->instr->call.nargs &&
                        cf->argv[ci->value_arg].kind == TL_CV_INT && cf->argv[ci->value_arg].v == 0;
            note_counter_init(out, key, zero ? cf->instr : NULL);
        }
    }
}

static void free_counter_inits(counter_inits *ci) {
    tl_str_map_free(&ci->index);
    free(ci->zero);
}

/* The counter_init call giving the waited object the count 0, when one does
 * and none gives it another count; NULL otherwise.  Local objects are looked
 * for in the waiting function, file-scope ones in the whole TU. */
static const tl_instr *zero_init_of(const tl_analysis *a, int wfi, const tl_call_facts *wait,
                                    const counter_inits *inits) {
    const tl_func *wf = &a->tu->funcs[wfi];
    int wv = object_var(&wait->instr->call, wait->model->wait.object_arg);
    if (wv < 0 || wv >= wf->nvars) return NULL;
    char key[512];
    object_key(a, wfi, wv, key, sizeof key);
    int i = tl_str_map_get(&inits->index, key);
    return i >= 0 ? inits->zero[i] : NULL;
}

/* Facts of the function being checked, each computed on first use:
 * its cycles (load_cycles), and params_by_copy. */
typedef struct {
    int fi;
    bool *cyclic;     /* per block of function fi: on a cycle of its CFG ... */
    bool *endless;    /* ... and one nothing leaves (no edge out of the cycle) */
    int alias_fi;
    bool *param_copy;
} cycle_cache;

/* Per variable of f: a local assigned exactly once, from a parameter
 * (through casts: `pthread_cond_t *cond = cond_;` in a wrapper taking
 * `void *cond_`), or a parameter never assigned (it holds the caller's
 * value throughout).  One walk of the function. */
static bool *params_by_copy(const tl_func *f) {
    bool *copy = tl_xcalloc((size_t)f->nvars + 1, sizeof *copy);
    unsigned char *nassign = tl_xcalloc((size_t)f->nvars + 1, 1);
    for (int bi = 0; bi < f->nblocks; bi++)
        for (int i = 0; i < f->blocks[bi].ninstrs; i++) {
            const tl_instr *in = &f->blocks[bi].instrs[i];
            if (in->kind != TL_I_ASSIGN || in->var < 0 || in->var >= f->nvars) continue;
            if (nassign[in->var] < 2) nassign[in->var]++;
            const tl_expr *e = in->value;
            e = tl_expr_uncast(e);
            copy[in->var] = e && e->kind == TL_E_VAR && e->var >= 0 && e->var < f->nvars &&
                            f->vars[e->var].kind == TL_VAR_PARAM;
        }
    for (int v = 0; v < f->nvars; v++)
        copy[v] = f->vars[v].kind == TL_VAR_PARAM ? nassign[v] == 0
                                                  : copy[v] && nassign[v] == 1 && f->vars[v].kind == TL_VAR_LOCAL;
    free(nassign);
    return copy;
}

/* The cycles of function fi's CFG, once per function: which blocks lie on
 * one, and which on one nothing leaves - its strongly connected component
 * (nested loops included) has no edge out: no break, return or goto out
 * (exit() and the like end the process).  One walk of the CFG. */
static void load_cycles(cycle_cache *cc, const tl_func *f, int fi) {
    if (cc->fi == fi) return;
    free(cc->cyclic);
    free(cc->endless);
    cc->fi = fi;
    cc->cyclic = tl_xcalloc((size_t)f->nblocks + 1, sizeof *cc->cyclic);
    cc->endless = tl_xcalloc((size_t)f->nblocks + 1, sizeof *cc->endless);
    int ncomp = 0;
    int *comp = tl_cycle_components(f, &ncomp);
    bool *leaves = tl_cycle_components_left(f, comp, ncomp);
    for (int i = 0; i < f->nblocks; i++) {
        cc->cyclic[i] = comp[i] >= 0;
        cc->endless[i] = comp[i] >= 0 && !leaves[comp[i]];
    }
    free(leaves);
    free(comp);
}

static bool block_in_cycle(cycle_cache *cc, const tl_analysis *a, int fi, int b) {
    const tl_func *f = &a->tu->funcs[fi];
    if (b < 0 || b >= f->nblocks) return false;
    load_cycles(cc, f, fi);
    return cc->cyclic[b];
}

static bool block_in_endless_loop(cycle_cache *cc, const tl_analysis *a, int fi, int b) {
    const tl_func *f = &a->tu->funcs[fi];
    if (b < 0 || b >= f->nblocks) return false;
    load_cycles(cc, f, fi);
    return cc->endless[b];
}

/* A call of the TU's own helper that waits on an object the caller opened
 * and gave no deadline (`s_recv(requester)` with `zmq_recv(socket, ...)`
 * inside; object_deadlines.h): report it at the call, the library call as
 * its note. */
static void describe_object(const tl_func *f, const tl_instr *in, int arg, char *buf, size_t size);

static void report_helper_wait(const tl_analysis *a, int fi, const tl_call_facts *cf, cycle_cache *cycles,
                               tl_findings *out) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_func_facts *ff = &a->funcs[fi];
    const tl_fn_model *wm = cf->deadline_via_model;
    const tl_wait_facet *w = &wm->wait;
    tl_wait_kind kind = w->kind;
    if (w->kind_in_endless_loop != TL_WAIT_NONE && !cf->deadline_client &&
        block_in_endless_loop(cycles, a, fi, cf->block))
        kind = w->kind_in_endless_loop;
    if (!tl_wait_kind_flagged(kind, a->profile)) return;
    const tl_instr *in = cf->instr, *via = cf->deadline_via;
    char name[128], vname[128], called[320], obj[96] = "the object", option[TL_MAX_OPTION + 2], opened[200] = "";
    tl_call_user_name(&in->call, name, sizeof name);
    tl_own_call_named(a, &in->call, name, called, sizeof called);
    tl_call_user_name(&via->call, vname, sizeof vname);
    for (int j = 0; j < in->call.nargs; j++) {
        bool through;
        int v = tl_expr_root_var(in->call.args[j], &through);
        if (v >= 0 && v < f->nvars && f->vars[v].kind == TL_VAR_LOCAL) {
            describe_object(f, in, j, obj, sizeof obj);
            break;
        }
    }
    if (w->deadline_label[0]) snprintf(option, sizeof option, "%s", w->deadline_label);
    else snprintf(option, sizeof option, "\"%s\"", w->deadline_option);
    const tl_instr *op = cf->deadline_open >= 0 && cf->deadline_open < ff->ncalls ? ff->calls[cf->deadline_open].instr
                                                                                   : NULL;
    if (op) {
        char oname[128];
        tl_call_user_name(&op->call, oname, sizeof oname);
        snprintf(opened, sizeof opened, " since %s() opened it at line %d", oname, op->loc.line);
    }
    tl_finding *fd = tl_findings_addf(out, "missing-timeout", TL_SEV_WARNING, in->loc.file, in->loc.line,
                                      in->loc.col, f->name,
                                      "%s waits forever in %s(): no deadline (%s) was set on %s%s (%s wait): %s",
                                      called, vname, option, obj, opened, tl_wait_kind_name(kind),
                                      kind_consequence(kind));
    if (!fd) return;
    if (in->call.text) tl_finding_set_snippet(fd, in->call.text);
    char note[320];
    snprintf(note, sizeof note, "%s() waits here, in %s(), on the object the call hands it", vname,
             in->call.callee ? in->call.callee : "the helper");
    tl_finding_add_note(fd, via->loc.file, via->loc.line, via->loc.col, note);
}


/* Whether the waited object is a parameter of the waiting function: a
 * wrapper (uv_cond_wait over pthread_cond_wait) leaves the predicate loop to
 * its callers, so its own lack of a loop says nothing.  A local that only
 * copies a parameter counts as the parameter. */
static bool object_is_param(cycle_cache *cc, const tl_analysis *a, int fi,
                            const tl_call_facts *cf) {
    const tl_func *f = &a->tu->funcs[fi];
    int v = object_var(&cf->instr->call, cf->model->wait.object_arg);
    if (v < 0 || v >= f->nvars) return false;
    if (f->vars[v].kind == TL_VAR_PARAM) return true;
    if (f->vars[v].kind != TL_VAR_LOCAL) return false;
    if (cc->alias_fi != fi) {
        free(cc->param_copy);
        cc->param_copy = params_by_copy(f);
        cc->alias_fi = fi;
    }
    return cc->param_copy[v];
}

/* Is the waited object a parameter of a coroutine that a sink serves
 * (tl_program_served_params): a send there is always taken? */
static bool object_served(cycle_cache *cc, const tl_analysis *a, int fi, const tl_call_facts *cf) {
    const tl_func *f = &a->tu->funcs[fi];
    if (!a->program || !f->usr) return false;
    int v = object_var(&cf->instr->call, cf->model->wait.object_arg);
    if (v < 0 || v >= f->nparams || v >= 32 || f->vars[v].kind != TL_VAR_PARAM) return false;
    if (cc->alias_fi != fi) {
        free(cc->param_copy);
        cc->param_copy = params_by_copy(f);
        cc->alias_fi = fi;
    }
    return cc->param_copy[v] && ((tl_program_served_params(a->program, f->usr) >> v) & 1u);
}

/* The wait's kind after the model's refinements (see the top of the file);
 * *zero_init is set to the sem_init that makes it an event wait. */
static tl_wait_kind wait_event_kind(const tl_analysis *a, int fi, const tl_call_facts *cf,
                                    tl_wait_kind kind, const counter_inits *inits,
                                    cycle_cache *cycles, tl_handshake_cache *hs,
                                    const tl_instr **zero_init, const tl_instr **answered_by) {
    const tl_wait_facet *w = &cf->model->wait;
    *zero_init = *answered_by = NULL;
    if (w->kind_if_zero_init != TL_WAIT_NONE && (*zero_init = zero_init_of(a, fi, cf, inits))) {
        /* a thread spawned before it posts the object on every path */
        if ((*answered_by = tl_handshake_answered(hs, a, fi, cf, w->object_arg, -1))) {
            *zero_init = NULL;
            return kind;
        }
        return w->kind_if_zero_init;
    }
    const tl_func *f = &a->tu->funcs[fi];
    if (w->kind_if_unlooped != TL_WAIT_NONE && !object_is_param(cycles, a, fi, cf) &&
        !block_in_cycle(cycles, a, fi, cf->block) &&
        !(a->program && f->usr && tl_program_looped(a->program, f->usr))) {
        /* the start-up lock dance: the thread spawned before it under the
           mutex signals under the mutex on every path */
        if (w->lock_arg >= 0 && w->object_arg >= 0 &&
            (*answered_by = tl_handshake_answered(hs, a, fi, cf, w->object_arg, w->lock_arg)))
            return kind;
        return w->kind_if_unlooped;
    }
    return kind;
}

/* How many completions a reaping wait waits for, when a constant; else 0. */
static int64_t wait_count(const tl_call_facts *cf) {
    const tl_reap_facet *r = &cf->model->reap;
    if (r->has_count) return r->count;
    if (r->has_count_arg && r->count_arg < cf->instr->call.nargs && cf->argv &&
        cf->argv[r->count_arg].kind == TL_CV_INT)
        return cf->argv[r->count_arg].v;
    return 0;
}

/* Why a reaping wait's requests bound it, or do not. */
enum { IF_OPEN, IF_ALL_COMPLETE, IF_BOUNDED, IF_FAILURES_ONLY };

/* What the operations in flight on a reaping wait's object make of its
 * kind; *why says IF_ALL_COMPLETE when all of them complete on their own,
 * IF_BOUNDED when at least as many as it waits for do (a timeout request
 * in flight next to a receive: a wait for one completion returns when it
 * expires), IF_FAILURES_ONLY when fewer requests in flight post a
 * completion on success than it waits for, the others posting one only if
 * they fail (skip_success): then it keeps the model's kind.  TL_WAIT_NONE when the completions it waits for are already in the
 * ring (an earlier keeping wait succeeded and nothing consumed them). */
static tl_wait_kind inflight_kind(const tl_analysis *a, int fi, const tl_call_facts *cf,
                                  tl_wait_kind kind, tl_inflight *cache,
                                  const tl_inflight_at **at, int *why) {
    *at = NULL;
    *why = IF_OPEN;
    if (!cf->model->await.present) return kind;
    if (cache->fi != fi) {
        tl_inflight_free(cache);
        tl_inflight_compute(a, fi, cache);
    }
    *at = tl_inflight_before(cache, cf->instr->call.id);
    if (!*at) return kind;
    int64_t need = wait_count(cf);
    if (need > 0 && (*at)->ready >= need) return TL_WAIT_NONE;
    bool submits = cf->model->reap.submits;
    if (need > 0 && (*at)->bounded >= need && (submits || (*at)->prepared == 0)) {
        *why = IF_BOUNDED;
        return kind;
    }
    int pending = (*at)->inflight;
    if (submits && pending != TL_IF_MANY) pending = (*at)->prepared == TL_IF_MANY ? TL_IF_MANY : pending + (*at)->prepared;
    if (pending != TL_IF_MANY && need > pending && ((*at)->kinds & TL_IF_SKIPPED) &&
        !((*at)->kinds & TL_IF_MULTISHOT)) {
        *why = IF_FAILURES_ONLY;
        return kind;
    }
    if ((*at)->kinds & TL_IF_PEER) return TL_WAIT_PEER;
    if (TL_IF_ALL_COMPLETE((*at)->kinds)) *why = IF_ALL_COMPLETE;
    return kind;
}

static void check(const tl_analysis *a, tl_findings *out) {
    tl_inflight inflight;
    memset(&inflight, 0, sizeof inflight);
    inflight.fi = -1;
    counter_inits inits;
    collect_counter_inits(a, &inits);
    cycle_cache cycles = {-1, NULL, NULL, -1, NULL};
    tl_handshake_cache handshakes;
    tl_handshake_init(&handshakes);
    tl_event_loops *loops = NULL; /* made when a wait asks */
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        if (ff->exempt) continue;
        /* the library's own implementation of a modelled wait (an inline
           io_uring_wait_cqe in liburing.h): its model speaks for it */
        const tl_fn_model *self = f->name ? tl_models_find(a->models, f->name) : NULL;
        if (self && self->wait.present) continue;
        /* a coroutine its owners cancel on every path: no wait of it is forever */
        if (a->program && tl_program_cancel_bounded(a->program, f->usr ? f->usr : f->name)) continue;
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            if (cf->instr && cf->reached && cf->deadline_forever && cf->deadline_via && cf->deadline_via_model) {
                report_helper_wait(a, fi, cf, &cycles, out); /* s_recv(s) */
                continue;
            }
            if (!cf->instr || !cf->reached || !cf->model) continue;
            tl_wait_kind kind = TL_WAIT_NONE;
            const tl_instr *zero_init = NULL, *answered_by = NULL;
            if (!tl_call_waits_forever(cf, &kind)) continue;
            kind = wait_event_kind(a, fi, cf, kind, &inits, &cycles, &handshakes, &zero_init, &answered_by);
            const tl_inflight_at *at;
            int why;
            kind = inflight_kind(a, fi, cf, kind, &inflight, &at, &why);
            bool complete = why == IF_ALL_COMPLETE || why == IF_BOUNDED;
            if (kind == TL_WAIT_NONE) continue; /* already satisfied */
            bool central = false;
            if (cf->model->wait.kind_in_event_loop != TL_WAIT_NONE) {
                if (!loops) loops = tl_event_loops_new(a);
                central = tl_event_loop_central(loops, fi, cf->block, cf->instr);
            }
            if (central) kind = cf->model->wait.kind_in_event_loop, complete = false, why = IF_OPEN;
            else if (cf->model->wait.kind_in_endless_loop != TL_WAIT_NONE && !cf->deadline_client &&
                     block_in_endless_loop(&cycles, a, fi, cf->block))
                kind = cf->model->wait.kind_in_endless_loop, complete = false, why = IF_OPEN;
            /* a send a sink always takes */
            if (cf->model->wait.unless_served && object_served(&cycles, a, fi, cf)) continue;
            if (complete && a->profile != TL_PROFILE_STRICT) continue;
            if (!tl_wait_kind_flagged(kind, a->profile)) continue;
            const tl_instr *in = cf->instr;
            char name[128], called[320], what[160];
            tl_call_user_name(&in->call, name, sizeof name);
            tl_own_call_named(a, &in->call, name, called, sizeof called);
            int targ = cf->model->wait.timeout_arg;
            tl_finding *fd;
            if (cf->model->wait.deadline_arg >= 0) {
                char obj[96], opened[200] = "";
                describe_object(f, in, cf->model->wait.deadline_arg, obj, sizeof obj);
                const tl_instr *op = cf->deadline_open >= 0 && cf->deadline_open < ff->ncalls
                                         ? ff->calls[cf->deadline_open].instr
                                         : NULL;
                if (op) {
                    char oname[128];
                    tl_call_user_name(&op->call, oname, sizeof oname);
                    snprintf(opened, sizeof opened, " since %s() opened it at line %d", oname, op->loc.line);
                }
                char option[TL_MAX_OPTION + 2];
                const tl_wait_facet *w = &cf->model->wait;
                if (w->deadline_label[0]) snprintf(option, sizeof option, "%s", w->deadline_label);
                else snprintf(option, sizeof option, "\"%s\"", w->deadline_option);
                fd = tl_findings_addf(out, "missing-timeout", TL_SEV_WARNING, in->loc.file, in->loc.line,
                                      in->loc.col, f->name,
                                      "%s waits forever: no deadline (%s) was set on %s%s (%s wait): %s", called,
                                      option, obj, opened, tl_wait_kind_name(kind), kind_consequence(kind));
            } else if (targ < 0) {
                fd = tl_findings_addf(out, "missing-timeout", TL_SEV_WARNING, in->loc.file, in->loc.line,
                                      in->loc.col, f->name,
                                      "%s has no timeout and waits forever (%s wait): %s",
                                      called, tl_wait_kind_name(kind), kind_consequence(kind));
            } else {
                describe_value(f, cf, targ, what, sizeof what);
                fd = tl_findings_addf(out, "missing-timeout", TL_SEV_WARNING, in->loc.file, in->loc.line,
                                      in->loc.col, f->name,
                                      "%s waits forever: its timeout is %s, which means no deadline (%s wait): %s",
                                      called, what, tl_wait_kind_name(kind), kind_consequence(kind));
            }
            if (fd && in->call.text) tl_finding_set_snippet(fd, in->call.text);
            if (fd && a->program) add_deadline_chain(a, f, in, fd);
            const tl_instr *prep = at && at->peer_prep >= 0 && at->peer_prep < ff->ncalls
                                       ? ff->calls[at->peer_prep].instr
                                       : NULL;
            const tl_instr *bound = why == IF_BOUNDED && at->comp_prep >= 0 && at->comp_prep < ff->ncalls
                                        ? ff->calls[at->comp_prep].instr
                                        : NULL;
            if (fd && central) {
                tl_finding_add_note(fd, in->loc.file, in->loc.line, in->loc.col,
                                    "the central wait of an event loop (strict profile)");
            } else if (fd && why == IF_FAILURES_ONLY) {
                tl_finding_add_note(fd, in->loc.file, in->loc.line, in->loc.col,
                                    "fewer requests in flight here post a completion than the wait wants; the others "
                                    "skip theirs when they succeed: the wait returns only on a failure");
            } else if (fd && bound) {
                char bname[128], note[256];
                tl_call_user_name(&bound->call, bname, sizeof bname);
                snprintf(note, sizeof note,
                         "%s() prepared here completes on its own: enough requests in flight complete "
                         "for the wait to return (strict profile)", bname);
                tl_finding_add_note_before(fd, bound->loc.file, bound->loc.line, bound->loc.col, note);
            } else if (fd && prep) {
                char pname[128], note[256];
                tl_call_user_name(&prep->call, pname, sizeof pname);
                snprintf(note, sizeof note, "%s() prepared here can wait on a peer", pname);
                tl_finding_add_note_before(fd, prep->loc.file, prep->loc.line, prep->loc.col, note);
            } else if (fd && complete) {
                tl_finding_add_note(fd, in->loc.file, in->loc.line, in->loc.col,
                                    "every operation in flight here completes on its own (strict profile)");
            }
            if (fd && answered_by) {
                char sname[128], note[256];
                tl_call_user_name(&answered_by->call, sname, sizeof sname);
                snprintf(note, sizeof note,
                         cf->model->wait.lock_arg >= 0
                             ? "the thread %s() starts here, with the mutex held, signals it under the mutex on "
                               "every path (strict profile)"
                             : "the thread %s() starts here posts it on every path (strict profile)",
                         sname);
                tl_finding_add_note_before(fd, answered_by->loc.file, answered_by->loc.line, answered_by->loc.col,
                                           note);
            } else if (fd && zero_init)
                tl_finding_add_note_before(fd, zero_init->loc.file, zero_init->loc.line, zero_init->loc.col,
                                           "initialised to 0 here: the wait is for another task's post");
            else if (fd && kind != cf->model->wait.kind && cf->model->wait.kind_if_unlooped == kind)
                tl_finding_add_note(fd, in->loc.file, in->loc.line, in->loc.col,
                                    "not inside a loop re-checking a predicate: a signal sent "
                                    "before this wait is lost");
        }
    }
    free_counter_inits(&inits);
    tl_handshake_free(&handshakes);
    free(cycles.cyclic);
    free(cycles.param_copy);
    free(cycles.endless);
    tl_inflight_free(&inflight);
    tl_event_loops_free(loops);
}

const tl_rule tl_rule_missing_timeout = {
    .id = "missing-timeout",
    .name = "MissingTimeout",
    .summary = "a wait on a peer, a task or an I/O completion with an infinite deadline",
    .doc = doc,
    .severity = TL_SEV_WARNING,
    .tags = "concurrency,reliability,timeout",
    .precision = "high",
    .check = check,
};
