/* blocking_in_coroutine.c - rule `blocking-in-coroutine`.
 *
 * For every function the analysis found running in an async context that
 * must not block (a coroutine: entry of go()/bundle_go()/minicoro; an
 * event-loop callback: registered with libuv, libevent or a configured
 * registration function), report calls that block under their argument
 * values, and calls to functions of this translation unit that may block
 * through a chain of direct calls (the chain is named, with a note per step;
 * beyond MAX_CHAIN_STEPS the message says how many steps it leaves out).
 * The fix advice comes from the context library's replacements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ownership.h"
#include "rule.h"
#include "../analyzer/dataflow/param_guards.h"
#include "../analyzer/program/program.h"
#include "util/str_map.h"
#include "util/xalloc.h"

static const char doc[] =
    "## What it does\n"
    "Flags a blocking call made inside an async context: a coroutine (a function started "
    "with libdill's or libmill's `go()`/`bundle_go()`, a minicoro entry function) or an "
    "event-loop callback (any function registered with libuv, libevent, GLib's main context "
    "or an `_async` call, libev's watchers or Redis's `ae` loop, including "
    "`uv_queue_work`'s *after* callback). Calls are blocking when the library models say "
    "so under the actual arguments: `sleep`, `read`/`recv` on a blocking fd, `getaddrinfo`, "
    "`pthread_join`, `poll` with a non-zero timeout, `uv_fs_read` with a `NULL` callback "
    "(synchronous), `waitpid` without `WNOHANG`, synchronous GIO (`g_file_load_contents`), "
    "`unlink`/`ftruncate` of a possibly large file... A call to a function of the program that "
    "blocks somewhere down a chain of calls - in any file, through struct fields and function "
    "pointers, and through the project's own wrappers around registration functions - is "
    "reported at the call in the async function, with a note at each step (through a field "
    "holding several functions, the one with the shortest chain). By default chains "
    "of up to three calls before the blocking one are reported (longer ones are mostly cut by "
    "conditions along the way); `--profile strict` reports every chain.  A function that "
    "blocks only under a test of its parameters (`if (sync && req) wait_fd(fd);`) does not "
    "block for a call whose constant arguments rule that out (`recv_msg(c, 0, NULL)`), also "
    "through functions passing their parameter on; where the constants rule out the first "
    "blocking call of a chain, the message names one they leave.\n"
    "\n"
    "Not flagged: `uv_queue_work`'s work callback, thread entry functions, GLib thread-pool "
    "and `GTask` thread work (they run on their own threads), calls a callback makes only "
    "when the handle its loop always passes is NULL (`if (handle == NULL)`: the function "
    "called directly; libuv's first parameter), a libevent callback running its own base "
    "again (`event_base_loop(base, 0)` with the base it was registered on as its data: a "
    "re-entrant loop returns -1 at once), calls on paths that end the "
    "process (`exit`, `abort`, failed assertions, a function of the file that ends it on every "
    "path: `quit()` calling `_exit()`; a walk over a linked list before the "
    "`exit` too; not a call made directly in a `vfork()` child, whose end the parent waits for), calls in the child's branch of a `fork()` "
    "or of the project's wrapper returning its result (`pid == 0`: another process; not "
    "`vfork()`, whose parent waits), plain synchronous code, "
    "the library's own "
    "cooperative calls "
    "(`msleep`, `fdin`, `chrecv` in a libdill coroutine), and the implementation of a "
    "modelled library's functions (its `prefixes:`) when the library's sources are analysed "
    "too.  Descriptor I/O is not flagged on a descriptor known non-blocking (`SOCK_NONBLOCK`, "
    "`accept4`, `pipe2`/`socketpair` with the flag, `fcntl(F_SETFL, ... | O_NONBLOCK)`, "
    "`evutil_make_socket_nonblocking`, `g_socket_set_blocking(s, FALSE)`; on every path, "
    "also where a flag decides how - `if (use_accept4) fd = accept4(..., SOCK_NONBLOCK); else "
    "fd = accept(...); ... if (!use_accept4) fcntl(fd, ...)`, a file-scope flag nothing between "
    "the two tests may change; a local copy of "
    "one; a global or a field of the project's structs that every "
    "store of the program fills with such a descriptor, or with one the storing function makes "
    "non-blocking before it returns, `c->fd = fd; set_nonblocking(c->fd);`) or "
    "reported ready (`fdin`, `fdwait`, `poll` on it alone, and in a readiness callback "
    "- `event_new`, `uv_poll_start`, an `ev_io` watcher's `w->fd` or a copy of it - the "
    "descriptor it was registered on; a timer "
    "callback has none; a helper the callback hands it, or the struct holding it, is checked "
    "with it ready: its I/O on what it was handed does not count, on a socket, pipe or file "
    "it opens itself or reaches through a global does), nor on a kernel pseudo-file opened by a literal path under `/proc` "
    "or `/sys` (it answers at once; not `/proc/kmsg`), nor `connect()` on a local UDP or raw "
    "socket (it only records the peer's address), nor is `getaddrinfo` with a numeric "
    "host or `AI_NUMERICHOST`.  Descriptor I/O whose failure the code then compares with "
    "`EAGAIN` or `EWOULDBLOCK` (`if (n < 0 && errno == EAGAIN) lost++;`, or through a "
    "helper of the same file: `sock_again()` returning `errno == EAGAIN`; not a retry that "
    "spins on it, nor on a socket the function made itself) is written for a "
    "descriptor its owner made non-blocking, maybe where the analysis cannot follow (another "
    "program, a library's socket layer): it is reported under `--profile strict` only.  "
    "A send can stall only when the socket's buffer is full: a few small writes (constant "
    "lengths, or a string literal's: `write(fd, msg, strlen(msg))` with `msg` a local only "
    "ever assigned `\"busy\\r\\n\"`; 4 KiB in all: a loop adds up, one of a known number of passes that many) to a "
    "socket, socket pair or pipe just made - in the same function, or in a coroutine every "
    "launch of which hands it an end nothing else writes to (other coroutines of the file "
    "may watch it or receive from it) - cannot, and are not reported.\n"
    "\n"
    "## Why is this bad?\n"
    "Coroutines and loop callbacks share one thread. While one of them sits in a blocking "
    "system call, nothing else on that thread runs: every other coroutine, timer, "
    "connection and callback stalls, latency spikes for all clients, and deadlines other "
    "tasks rely on pass unnoticed. It is the C equivalent of calling `time.sleep()` in an "
    "asyncio coroutine.\n"
    "\n"
    "## Example\n"
    "```c\n"
    "static void on_timer(uv_timer_t *t) {\n"
    "    sleep(1);                          /* stalls the whole loop */\n"
    "    FILE *f = fopen(\"state\", \"r\");\n"
    "    fgets(line, sizeof line, f);       /* disk I/O on the loop thread */\n"
    "}\n"
    "\n"
    "coroutine void worker(int ch) {\n"
    "    usleep(1000);                      /* blocks every coroutine */\n"
    "}\n"
    "```\n"
    "\n"
    "## Use instead\n"
    "```c\n"
    "static void on_timer(uv_timer_t *t) {\n"
    "    uv_timer_start(&retry, on_retry, 1000, 0);     /* wait without blocking */\n"
    "    uv_fs_open(loop, &req, \"state\", O_RDONLY, 0, on_open);  /* async file I/O */\n"
    "}\n"
    "\n"
    "coroutine void worker(int ch) {\n"
    "    msleep(now() + 1);                 /* yields to other coroutines */\n"
    "}\n"
    "```\n"
    "\n"
    "## Async contexts declared in the source\n"
    "A function can say where it runs with an annotate attribute on any declaration the file "
    "sees (a header's prototype is enough; the definition inherits it):\n"
    "\n"
    "- `__attribute__((annotate(\"tasklint::async\")))`: the function runs in a coroutine; "
    "its blocking calls and chains are reported like those of a `go()` entry;\n"
    "- `tasklint::blocking`: every call to the function blocks (a vendored library, a "
    "synchronous RPC);\n"
    "- `tasklint::nonblocking`: calls to it never block, whatever its body shows; chains stop "
    "there.\n"
    "\n"
    "A project's own annotation strings work as they are written: map them in "
    "`.tasklint.yaml` with `annotations: {coroutine_fn: async}` and QEMU-style code "
    "(`#define coroutine_fn __attribute__((__annotate__(\"coroutine_fn\")))`) is checked: a "
    "blocking call reached from a `coroutine_fn` is reported with its chain.  An async function "
    "called from another one is checked on its own, not as a chain of its caller.\n";

static const char *context_noun(tl_context_kind k) {
    return k == TL_CTX_COROUTINE ? "coroutine" : "event-loop callback";
}

static const char *advice(const tl_analysis *a, const tl_context_info *ctx, const tl_call_facts *blocking) {
    const char *callee = blocking && blocking->instr ? blocking->instr->call.callee : NULL;
    if (!callee) return NULL;
    if (blocking->fd_file) callee = "*"; /* a regular file is never ready: the library's worker */
    const char *r = tl_models_replacement(a->models, ctx->library, callee);
    if (r) return r;
    if (blocking->model && blocking->model->blocking.replacement) return blocking->model->blocking.replacement;
    return NULL;
}

static const char *base_name(const char *path) {
    const char *s = path ? strrchr(path, '/') : NULL;
    return s ? s + 1 : path ? path : "?";
}

/* Per function that registers contexts: its first call of each callee at
 * each place ("line:col:callee" -> call id), built when first needed. */
typedef struct {
    tl_str_map *of_func; /* nfuncs entries, NULL until built */
} site_index;

static void site_key(char *key, size_t size, unsigned line, unsigned col, const char *callee) {
    snprintf(key, size, "%u:%u:%s", line, col, callee);
}

static const tl_str_map *sites_of(const tl_analysis *a, site_index *s, int fi) {
    if (!s->of_func) s->of_func = tl_xcalloc((size_t)a->tu->nfuncs + 1, sizeof *s->of_func);
    tl_str_map *m = &s->of_func[fi];
    if (tl_str_map_count(m)) return m;
    const tl_func_facts *rf = &a->funcs[fi];
    char key[320];
    tl_str_map_add(m, "", -1); /* built, even without calls */
    for (int id = 0; id < rf->ncalls; id++) {
        const tl_instr *in = rf->calls[id].instr;
        if (!in || !in->call.callee) continue;
        site_key(key, sizeof key, in->loc.line, in->loc.col, in->call.callee);
        tl_str_map_add(m, key, id); /* the first one wins */
    }
    return m;
}

static void sites_free(const tl_analysis *a, site_index *s) {
    for (int fi = 0; s->of_func && fi < a->tu->nfuncs; fi++) tl_str_map_free(&s->of_func[fi]);
    free(s->of_func);
}

static void describe_context(const tl_analysis *a, site_index *sites, const tl_func *f,
                             const tl_context_info *ctx, char *buf, size_t size) {
    const char *via = ctx->via ? ctx->via : "?";
    if (ctx->declared) {
        snprintf(buf, size, "coroutine '%s' (declared %s)", f->name, ctx->declared);
        return;
    }
    if (ctx->from_func < 0 && ctx->in_func) {
        /* registered in another function of the program, maybe another file */
        bool same_file = ctx->loc.file && f->loc.file && strcmp(ctx->loc.file, f->loc.file) == 0;
        snprintf(buf, size, "%s '%s' (%s with %s() in %s() at %s%s%u)", context_noun(ctx->kind), f->name,
                 ctx->kind == TL_CTX_COROUTINE ? "started" : "registered", ctx->wrapper ? ctx->wrapper : via,
                 ctx->in_func, same_file ? "line " : base_name(ctx->loc.file), same_file ? "" : ":",
                 ctx->loc.line);
        return;
    }
    if (strchr(via, '.')) {
        /* a callback field the models describe (ev_io.cb): the store made it one */
        bool same_file = ctx->loc.file && f->loc.file && strcmp(ctx->loc.file, f->loc.file) == 0;
        snprintf(buf, size, "%s '%s' (stored into %s at %s%s%u)", context_noun(ctx->kind), f->name, via,
                 same_file ? "line " : base_name(ctx->loc.file), same_file ? "" : ":", ctx->loc.line);
        return;
    }
    /* show the user's spelling of the registering call when we have it */
    char name[96];
    name[0] = '\0';
    if (ctx->from_func >= 0) {
        char key[320];
        site_key(key, sizeof key, ctx->loc.line, ctx->loc.col, via);
        int id = tl_str_map_get(sites_of(a, sites, ctx->from_func), key);
        if (id >= 0) tl_call_user_name(&a->funcs[ctx->from_func].calls[id].instr->call, name, sizeof name);
    }
    snprintf(buf, size, "%s '%s' (%s with %s() at line %u)", context_noun(ctx->kind), f->name,
             ctx->kind == TL_CTX_COROUTINE ? "started" : "registered", name[0] ? name : via, ctx->loc.line);
}

/* Steps of a call chain named in a message and given a note each; a longer
 * chain says how many steps it leaves out, and its blocking call still gets
 * its note. */
#define MAX_CHAIN_STEPS 16

/* Per function and context readiness: the last function of its blocking
 * chain and the chain's length, computed once (chains never loop: each link
 * goes to a function that came to block earlier). */
typedef struct {
    int *end[2], *len[2]; /* -2: not computed yet; end -1: the chain is broken */
} chain_memo;

/* The next function of g's chain, and the mode it is judged in: a
 * function checked with its descriptor ready calls its callee "plainly"
 * when it hands it nothing of its own parameters (next_plain). */
static int chain_next(const tl_analysis *a, int g, bool *ready) {
    const tl_block_summary *bs = tl_func_blocking(&a->funcs[g], *ready);
    if (bs->next_plain) *ready = false;
    return bs->next_func;
}

static void memo_alloc(const tl_analysis *a, chain_memo *m, int r) {
    int n = a->tu->nfuncs;
    if (m->end[r]) return;
    m->end[r] = tl_xmalloc(((size_t)n + 1) * sizeof(int));
    m->len[r] = tl_xmalloc(((size_t)n + 1) * sizeof(int));
    for (int i = 0; i < n; i++) m->end[r][i] = -2;
}

static void chain_resolve(const tl_analysis *a, chain_memo *m, int fi, bool ready) {
    int n = a->tu->nfuncs;
    memo_alloc(a, m, 0);
    memo_alloc(a, m, 1);
    /* walk to a resolved (function, mode) (or the end), then fill the path back */
    int *path = tl_xmalloc(((size_t)2 * n + 2) * sizeof *path), np = 0;
    int g = fi, end = -1, len = 0;
    bool r = ready;
    for (;;) {
        if (m->end[r][g] != -2) {
            end = m->end[r][g];
            len = m->len[r][g];
            break;
        }
        const tl_block_summary *bs = tl_func_blocking(&a->funcs[g], r);
        if (!bs->may_block || bs->call_id < 0 || np > 2 * n) { /* broken */
            end = -1;
            len = 0;
            break;
        }
        path[np++] = g * 2 + r;
        if (bs->next_func < 0) { /* g blocks itself */
            end = g;
            len = 0;
            break;
        }
        g = chain_next(a, g, &r);
    }
    for (int k = np - 1; k >= 0; k--) {
        int pg = path[k] / 2, pr = path[k] % 2;
        m->end[pr][pg] = end;
        m->len[pr][pg] = end < 0 ? 0 : ++len;
    }
    free(path);
}

/* The call that finally blocks at the end of the chain starting at `fi`,
 * and the number of functions on the chain. */
static const tl_call_facts *chain_end(const tl_analysis *a, chain_memo *m, int fi, bool ready,
                                      int *nfuncs) {
    int r = ready ? 1 : 0;
    if (!m->end[r] || m->end[r][fi] == -2) chain_resolve(a, m, fi, ready);
    int end = m->end[r][fi];
    if (end < 0) return NULL;
    *nfuncs = m->len[r][fi];
    /* the end's own mode: walk the chain's modes (no longer than the chain) */
    bool er = ready;
    for (int g = fi, s = 0; g >= 0 && s <= a->tu->nfuncs * 2; s++) {
        if (tl_func_blocking(&a->funcs[g], er)->next_func < 0) break;
        g = chain_next(a, g, &er);
    }
    const tl_func_facts *ef = &a->funcs[end];
    return &ef->calls[tl_func_blocking(ef, er)->call_id];
}

/* One root cause, one finding: inside one async function, the chains that
 * end at the same blocking call (same file, line and column: the same
 * helper called from several places, or different helpers that reach the
 * same read()) are reported once, at the first call that reaches it, with a
 * note at each other call.  The key is the blocking call's site, not the
 * chain, so two chains to one site are one finding; a direct blocking call
 * stays its own finding (each is a root cause).  `seen` maps the key to the
 * finding's index in `out`, and is cleared per function. */
static bool chain_seen(tl_findings *out, tl_str_map *seen, const char *file, unsigned line, unsigned col,
                       const tl_instr *in, const char *callee) {
    char key[512];
    snprintf(key, sizeof key, "%u:%u:%s", line, col, file ? file : "");
    int idx = tl_str_map_get(seen, key);
    if (idx >= 0 && (size_t)idx < out->n) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s() here reaches the same blocking call", callee);
        tl_finding_add_note(&out->items[idx], in->loc.file, in->loc.line, in->loc.col, msg);
        return true;
    }
    tl_str_map_set(seen, key, (int)out->n); /* the finding about to be added */
    return false;
}

static void report_chain(const tl_analysis *a, chain_memo *memo, tl_findings *out, tl_str_map *seen, int fi,
                         const tl_call_facts *cf, const char *ctx_text, const tl_context_info *ctx) {
    const tl_func *f = &a->tu->funcs[fi];
    const tl_instr *in = cf->instr;
    int callee = in->call.callee_func;
    int nchain = 0;
    /* the callee is reached with the ready descriptor: its descriptor I/O
       does not count */
    bool ready = ctx->readiness && cf->passes_fd_state;
    const tl_call_facts *end = chain_end(a, memo, callee, ready, &nchain);
    if (!end) return;
    if (chain_seen(out, seen, end->instr->loc.file, end->instr->loc.line, end->instr->loc.col, in,
                   a->tu->funcs[callee].name))
        return;
    /* chain text: helper() -> read_config() -> fopen() */
    char chain[640];
    size_t n = 0;
    chain[0] = '\0';
    int steps = 0;
    bool mode = ready;
    for (int g = callee; g >= 0 && steps < MAX_CHAIN_STEPS; g = chain_next(a, g, &mode), steps++) {
        n += (size_t)snprintf(chain + n, n < sizeof chain ? sizeof chain - n : 0, "%s() -> ", a->tu->funcs[g].name);
        if (n >= sizeof chain) break;
    }
    if (nchain > MAX_CHAIN_STEPS && n < sizeof chain)
        n += (size_t)snprintf(chain + n, sizeof chain - n, "... (%d more calls) -> ",
                              nchain - MAX_CHAIN_STEPS);
    char endname[320];
    tl_own_call_named(a, &end->instr->call, NULL, endname, sizeof endname);
    if (n < sizeof chain) snprintf(chain + n, sizeof chain - n, "%s", endname);
    const char *fix = advice(a, ctx, end);
    char uname[96], called[256];
    tl_call_user_name(&in->call, uname, sizeof uname);
    tl_own_call_phrase(uname, a->tu->funcs[callee].name, called, sizeof called);
    tl_finding *fd = tl_findings_addf(
        out, "blocking-in-coroutine", TL_SEV_WARNING, in->loc.file, in->loc.line, in->loc.col, f->name,
        "call to %s blocks inside %s: %s%s%s", called, ctx_text, chain,
        fix ? "; use " : "", fix ? fix : "");
    if (!fd) return;
    if (in->call.text) tl_finding_set_snippet(fd, in->call.text);
    int last = -1; /* the last function the loop below gives a note */
    mode = ready;
    for (int g = callee, s = 0; g >= 0 && s < MAX_CHAIN_STEPS; s++) {
        last = g;
        const tl_func_facts *gf = &a->funcs[g];
        const tl_block_summary *gs = tl_func_blocking(gf, mode);
        const tl_instr *step = gf->calls[gs->call_id].instr;
        char sname[96], phrase[320];
        tl_call_user_name(&step->call, sname, sizeof sname);
        char msg[512];
        if (gs->next_func < 0)
            snprintf(msg, sizeof msg, "%s blocks here, in %s()",
                     tl_own_call_named(a, &step->call, NULL, phrase, sizeof phrase), a->tu->funcs[g].name);
        else
            snprintf(msg, sizeof msg, "%s() calls %s here", a->tu->funcs[g].name,
                     tl_own_call_phrase(sname, a->tu->funcs[gs->next_func].name, phrase,
                                        sizeof phrase));
        tl_finding_add_note(fd, step->loc.file, step->loc.line, step->loc.col, msg);
        g = chain_next(a, g, &mode);
    }
    int end_func = memo->end[ready ? 1 : 0][callee];
    if (nchain > MAX_CHAIN_STEPS && end_func >= 0 && end_func != last) {
        char sname[320], msg[512];
        tl_own_call_named(a, &end->instr->call, NULL, sname, sizeof sname);
        snprintf(msg, sizeof msg, "%s blocks here, in %s()", sname, a->tu->funcs[end_func].name);
        tl_finding_add_note(fd, end->instr->loc.file, end->instr->loc.line, end->instr->loc.col, msg);
    }
}

/* A call to a program function (in any file, or through a field) that
 * blocks somewhere down its chain: one finding at the call, a note per
 * step with its own file and line. */
/* The longest chain of calls the default profile reports (see below). */
#define DEFAULT_CHAIN_STEPS 3

/* The blocking call at the end of a program chain, when it is in this
 * translation unit (same file, line and column), so a message can name it
 * as called (a library call through a macro of the project:
 * "fdatasync() (expanded from redis_fsync())"); NULL when it is in another
 * one - the summary has only its spelling.  Per finding, one scan of the
 * calls of the functions named as the step's caller. */
static const tl_instr *chain_final_call(const tl_analysis *a, const tl_chain_step *s) {
    if (!s->final || !s->loc.file || !s->caller) return NULL;
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        if (!a->tu->funcs[fi].name || strcmp(a->tu->funcs[fi].name, s->caller) != 0) continue;
        for (int id = 0; id < a->funcs[fi].ncalls; id++) {
            const tl_instr *in = a->funcs[fi].calls[id].instr;
            if (in && in->loc.line == s->loc.line && in->loc.col == s->loc.col && in->loc.file &&
                strcmp(in->loc.file, s->loc.file) == 0)
                return in->call.macro_project ? in : NULL;
        }
    }
    return NULL;
}

static void report_program_chain(const tl_analysis *a, tl_findings *out, tl_str_map *seen, const tl_func *f,
                                 const tl_call_facts *cf, const char *usr, bool is_slot, const char *ctx_text,
                                 const tl_context_info *ctx) {
    enum { MAX_STEPS = 4096, SHOWN = 16, HEAD = 7 };
    tl_chain_step *steps = tl_xcalloc(MAX_STEPS, sizeof *steps);
    int n = tl_program_chain_at(a->program, usr, is_slot, ctx->readiness && cf->passes_fd_state, cf->argv,
                                cf->instr->call.nargs, steps, MAX_STEPS);
    /* A chain is only as sure as the branches along it: each function on it
       may reach the blocking call only under conditions its callers never
       meet (a flag set elsewhere, a field the caller left NULL).  Judged on
       real code, chains of one to three calls before the blocking one were
       right, longer ones mostly not: the default profile reports those, the
       strict profile every chain. */
    if (n == 0 || (a->profile == TL_PROFILE_DEFAULT && n > DEFAULT_CHAIN_STEPS)) {
        free(steps);
        return;
    }
    if (chain_seen(out, seen, steps[n - 1].loc.file, steps[n - 1].loc.line, steps[n - 1].loc.col, cf->instr,
                   steps[0].caller)) {
        free(steps);
        return;
    }
    /* a long chain shows its start and its end: "... (N more calls) ->" */
    int skip_from = n > SHOWN ? HEAD : n, skip_to = n > SHOWN ? n - (SHOWN - HEAD) : n;
    const tl_instr *in = cf->instr;
    char name[96];
    tl_call_user_name(&in->call, name, sizeof name);
    /* helper() -> read_config() -> fopen(): each function entered, then the blocking call */
    const tl_instr *last = chain_final_call(a, &steps[n - 1]);
    char lastname[320];
    if (last) tl_own_call_named(a, &last->call, NULL, lastname, sizeof lastname);
    else snprintf(lastname, sizeof lastname, "%s()", steps[n - 1].callee ? steps[n - 1].callee : "(indirect call)");
    char chain[640];
    int len = snprintf(chain, sizeof chain, "%s()", steps[0].caller);
    for (int i = 0; i < n && len > 0 && (size_t)len < sizeof chain; i++) {
        if (i == skip_from && skip_to > skip_from) {
            len += snprintf(chain + len, sizeof chain - (size_t)len, " -> ... (%d more calls)", skip_to - skip_from);
            i = skip_to - 1;
            continue;
        }
        if (i + 1 < n)
            len += snprintf(chain + len, sizeof chain - (size_t)len, " -> %s()", steps[i + 1].caller);
        else
            len += snprintf(chain + len, sizeof chain - (size_t)len, " -> %s", lastname);
    }
    const char *fix = !ctx->library        ? NULL
                      : steps[n - 1].fd_file ? tl_models_replacement(a->models, ctx->library, "*")
                                             : tl_models_replacement(a->models, ctx->library,
                                                                     last ? last->call.callee : steps[n - 1].callee);
    char target[320], phrase[256];
    if (is_slot) /* c->cmd->proc(c): name the field and the function that blocks */
        snprintf(target, sizeof target, "call through '%s' to %s()",
                 in->call.fn && in->call.fn->name ? in->call.fn->name : "a function pointer", steps[0].caller);
    else
        snprintf(target, sizeof target, "call to %s",
                 tl_own_call_phrase(name, steps[0].caller, phrase, sizeof phrase));
    tl_finding *fd = tl_findings_addf(out, "blocking-in-coroutine", TL_SEV_WARNING, in->loc.file, in->loc.line,
                                      in->loc.col, f->name, "%s blocks inside %s: %s%s%s", target, ctx_text,
                                      chain, fix ? "; use " : "", fix ? fix : "");
    if (fd && in->call.text) tl_finding_set_snippet(fd, in->call.text);
    for (int i = 0; fd && i < n; i++) {
        if (i == skip_from && skip_to > skip_from) {
            i = skip_to - 1;
            continue;
        }
        char msg[512];
        if (steps[i].final && i == n - 1)
            snprintf(msg, sizeof msg, "%s blocks here, in %s()", lastname, steps[i].caller);
        else if (steps[i].final)
            snprintf(msg, sizeof msg, "%s() blocks here, in %s()", steps[i].callee, steps[i].caller);
        else if (steps[i].field)
            snprintf(msg, sizeof msg, "%s() calls %s() here, through '%s'", steps[i].caller,
                     i + 1 < n ? steps[i + 1].caller : steps[i].callee, steps[i].field);
        else
            snprintf(msg, sizeof msg, "%s() calls %s here", steps[i].caller,
                     i + 1 < n ? tl_own_call_phrase(steps[i].callee, steps[i + 1].caller, phrase,
                                                    sizeof phrase)
                               : tl_own_call_phrase(steps[i].callee, NULL, phrase, sizeof phrase));
        tl_finding_add_note(fd, steps[i].loc.file, steps[i].loc.line, steps[i].loc.col, msg);
    }
    free(steps);
}

/* The variables of f that hold its parameter p, the loop it runs on: p
 * itself when never assigned, and locals assigned only p once
 * (`struct event_base *base = arg;`), none whose address is taken (written
 * through a pointer).  One pass over f; a new array of f->nvars flags, or
 * NULL when p changes. */
static unsigned char *loop_copies(const tl_func *f, int p) {
    if (p < 0 || p >= f->nparams || f->nvars <= 0) return NULL;
    int *assigns = tl_xcalloc((size_t)f->nvars, sizeof *assigns);
    unsigned char *from_p = tl_xcalloc((size_t)f->nvars, 1), *taken = tl_xcalloc((size_t)f->nvars, 1);
    for (int b = 0; b < f->nblocks; b++)
        for (int i = 0; i < f->blocks[b].ninstrs; i++) {
            const tl_instr *in = &f->blocks[b].instrs[i];
            if ((in->kind != TL_I_ASSIGN && in->kind != TL_I_DECL) || in->var < 0 || in->var >= f->nvars) continue;
            assigns[in->var]++;
            const tl_expr *v = in->kind == TL_I_ASSIGN ? tl_expr_uncast(in->value) : NULL;
            from_p[in->var] = v && v->kind == TL_E_VAR && v->var == p;
        }
    tl_func_addr_taken(f, taken);
    unsigned char *copy = NULL;
    if (assigns[p] == 0 && !taken[p]) {
        copy = from_p; /* reused: a local qualifies when assigned once, from p */
        for (int v = 0; v < f->nvars; v++)
            copy[v] = v == p || (v >= f->nparams && f->vars[v].kind == TL_VAR_LOCAL && assigns[v] == 1 &&
                                 copy[v] && !taken[v]);
    } else {
        free(from_p);
    }
    free(taken);
    free(assigns);
    return copy;
}

/* A call that runs the loop the calling callback runs on (the model's
 * unless_running_loop): a re-entrant call returns at once (libevent's -1).
 * copies: loop_copies() of the callback's loop parameter, or NULL. */
static bool runs_own_loop(const tl_context_info *ctx, const tl_call_facts *cf, const unsigned char *copies) {
    const tl_fn_model *m = cf->model;
    int k = m ? m->blocking.unless_running_loop_arg : -1;
    if (!copies || ctx->kind != TL_CTX_LOOP_CALLBACK || k < 0 || k >= cf->instr->call.nargs) return false;
    const tl_expr *e = tl_expr_uncast(cf->instr->call.args[k]);
    return e && e->kind == TL_E_VAR && e->var >= 0 && copies[e->var];
}

static void check(const tl_analysis *a, tl_findings *out) {
    chain_memo memo = {{NULL, NULL}, {NULL, NULL}};
    site_index sites = {NULL};
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        const tl_context_info *ctx = &ff->context;
        if (ff->exempt || (ctx->kind != TL_CTX_COROUTINE && ctx->kind != TL_CTX_LOOP_CALLBACK)) continue;
        char ctx_text[256];
        describe_context(a, &sites, f, ctx, ctx_text, sizeof ctx_text);
        tl_str_map seen; /* chain_seen: blocking sites reported in this function */
        tl_str_map_init(&seen);
        unsigned char *copies = ctx->kind == TL_CTX_LOOP_CALLBACK ? loop_copies(f, ctx->loop_param) : NULL;
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            const tl_instr *in = cf->instr;
            /* on a dying path (exit, abort follows) the process ends, and a fork's
               child runs in another process: nothing stalls (vfork excepted, see
               fork_branch.c) */
            if (!in || !cf->reached || in->call.is_spawn_entry || cf->dying || cf->in_fork_child) continue;
            /* only when the handle the loop always passes is NULL: the function was
               called some other way (`if (handle == NULL)` for a direct call) */
            if (ctx->kind == TL_CTX_LOOP_CALLBACK && ctx->handle_param >= 0 && ctx->handle_param < 32 &&
                (cf->guard_z >> ctx->handle_param & 1u))
                continue;
            /* (descriptor I/O on the ready descriptor is not blocking: cf->fd_state) */
            if (tl_call_blocks_in(cf, false) && !runs_own_loop(ctx, cf, copies)) {
                char name[320];
                tl_own_call_named(a, &in->call, NULL, name, sizeof name);
                const char *fix = advice(a, ctx, cf);
                tl_finding *fd = tl_findings_addf(
                    out, "blocking-in-coroutine", TL_SEV_WARNING, in->loc.file, in->loc.line, in->loc.col,
                    f->name, "blocking call %s inside %s stalls every task on its thread%s%s", name, ctx_text,
                    fix ? "; use " : "", fix ? fix : "");
                if (fd && in->call.text) tl_finding_set_snippet(fd, in->call.text);
                char note[160];
                if (ctx->declared) snprintf(note, sizeof note, "declared %s here", ctx->declared);
                if (fd) tl_finding_add_note_before(fd, ctx->loc.file, ctx->loc.line, ctx->loc.col,
                                                   ctx->declared                   ? note
                                                   : ctx->kind == TL_CTX_COROUTINE ? "coroutine started here"
                                                                                   : "callback registered here");
                continue;
            }
            if (cf->model && cf->model->nonblocking) continue;
            /* a callee declared async is checked on its own */
            if (tl_analysis_roles(a, in->call.callee) & TL_ROLE_ASYNC) continue;
            if (a->program) {
                /* a library's function is judged by its model, not its body */
                if (in->call.callee && (tl_models_find(a->models, in->call.callee) ||
                                        tl_models_namespace(a->models, in->call.callee)))
                    continue;
                bool is_slot;
                const char *usr = tl_call_target_usr(f, &in->call, &is_slot);
                if (!usr || (f->usr && !is_slot && strcmp(usr, f->usr) == 0)) continue;
                bool ready = ctx->readiness && cf->passes_fd_state;
                if (!tl_program_blocks_at(a->program, usr, is_slot, ready, cf->argv, in->call.nargs)) continue;
                /* a callee that is itself an async context is reported on its own */
                const tl_prog_context *pc = is_slot ? NULL : tl_program_context(a->program, usr);
                if (pc && (pc->kind == TL_CTX_COROUTINE || pc->kind == TL_CTX_LOOP_CALLBACK)) continue;
                report_program_chain(a, out, &seen, f, cf, usr, is_slot, ctx_text, ctx);
                continue;
            }
            int callee = in->call.callee_func;
            if (callee < 0 || callee == fi) continue;
            const tl_block_summary *cs = tl_func_blocking(&a->funcs[callee], ctx->readiness && cf->passes_fd_state);
            /* (not when the arguments rule out every blocking call: `recv_msg(c, 0)`) */
            if (!cs->may_block || tl_guard_cut(cs->guard_nz, cs->guard_z, cf->argv, in->call.nargs)) continue;
            /* a callee that is itself an async context is reported on its own */
            tl_context_kind ck = a->funcs[callee].context.kind;
            if (ck == TL_CTX_COROUTINE || ck == TL_CTX_LOOP_CALLBACK) continue;
            report_chain(a, &memo, out, &seen, fi, cf, ctx_text, ctx);
        }
        tl_str_map_free(&seen);
        free(copies);
    }
    for (int r = 0; r < 2; r++) {
        free(memo.end[r]);
        free(memo.len[r]);
    }
    sites_free(a, &sites);
}

const tl_rule tl_rule_blocking_in_coroutine = {
    .id = "blocking-in-coroutine",
    .name = "BlockingInCoroutine",
    .summary = "a blocking call inside a coroutine or event-loop callback, directly or through calls",
    .doc = doc,
    .severity = TL_SEV_WARNING,
    .tags = "concurrency,performance,async",
    /* follows call chains through code it cannot always see (fd modes, other files) */
    .precision = "medium",
    .check = check,
};
