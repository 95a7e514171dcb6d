/* missing_timeout.c - rule `missing-timeout`: a wait with an infinite deadline.
 *
 * Reads the wait facet of each call's model and the constant-propagated value
 * of its timeout argument (analysis.h): a wait whose timeout is the
 * library's "forever" value, or that has no timeout at all, is reported when
 * its wait kind is flagged under the active profile (peer/task/io/sleep by
 * default; also loop/accept/condition/join in the strict profile).
 */
#include <stdio.h>
#include <string.h>

#include "rule.h"
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
    "A deadline that arrives as a parameter is not flagged: the caller decides. Event "
    "loops' central waits (`epoll_wait`, `poll` over many fds), accept loops, condition "
    "variables and semaphores inside their predicate loop, and thread joins are forever "
    "waits by design; they are reported only with `--profile strict`.\n"
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
        char msg[256];
        if (steps[i].final)
            snprintf(msg, sizeof msg, "the deadline reaches %s() here, in %s()", steps[i].callee, steps[i].caller);
        else
            snprintf(msg, sizeof msg, "%s() passes the deadline to %s() here", steps[i].caller, steps[i].callee);
        tl_finding_add_note(fd, steps[i].loc.file, steps[i].loc.line, steps[i].loc.col, msg);
    }
}

static void check(const tl_analysis *a, tl_findings *out) {
    for (int fi = 0; fi < a->tu->nfuncs; fi++) {
        const tl_func *f = &a->tu->funcs[fi];
        const tl_func_facts *ff = &a->funcs[fi];
        if (ff->exempt) continue;
        for (int id = 0; id < ff->ncalls; id++) {
            const tl_call_facts *cf = &ff->calls[id];
            if (!cf->instr || !cf->reached || !cf->model) continue;
            tl_wait_kind kind = TL_WAIT_NONE;
            if (!tl_call_waits_forever(cf, &kind) || !tl_wait_kind_flagged(kind, a->profile)) continue;
            const tl_instr *in = cf->instr;
            char name[128], what[160];
            tl_call_user_name(&in->call, name, sizeof name);
            int targ = cf->model->wait.timeout_arg;
            tl_finding *fd;
            if (targ < 0) {
                fd = tl_findings_addf(out, "missing-timeout", TL_SEV_WARNING, in->loc.file, in->loc.line,
                                      in->loc.col, f->name,
                                      "%s() has no timeout and waits forever (%s wait): %s",
                                      name, tl_wait_kind_name(kind), kind_consequence(kind));
            } else {
                describe_value(f, cf, targ, what, sizeof what);
                fd = tl_findings_addf(out, "missing-timeout", TL_SEV_WARNING, in->loc.file, in->loc.line,
                                      in->loc.col, f->name,
                                      "%s() waits forever: its timeout is %s, which means no deadline (%s wait): %s",
                                      name, what, tl_wait_kind_name(kind), kind_consequence(kind));
            }
            if (fd && in->call.text) tl_finding_set_snippet(fd, in->call.text);
            if (fd && a->program) add_deadline_chain(a, f, in, fd);
        }
    }
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
