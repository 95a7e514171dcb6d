#!/usr/bin/env python3
"""gen_hostile.py - generate C files whose shape is hostile to an analyzer.

    bench/gen_hostile.py SHAPE N [OUT.c]      (stdout without OUT.c)
    bench/gen_hostile.py --list

Each shape makes a translation unit of about N statements (one function
unless the shape is about many functions), valid C that clang-19 accepts
with `-I fixtures/include -std=gnu11`.  bench/linear.sh runs tasklint and
`clang-19 -fsyntax-only` on them at several sizes; the test suite uses the
`deepnest` shape to hit the dataflow solver's limit.  Deterministic: the same
SHAPE and N always give the same bytes.

Shapes:
  calls     one function: discarded calls (pthread_join, poll) between
            branches and spawns, a fixed set of locals
  locals    the same with a new local every fifth statement (many locals,
            each used once)
  switch    a switch with N/4 cases, each spawning and joining a pthread
  goswitch  a switch with N/4 cases, each running a libdill go() coroutine
            and closing its handle
  nested    N/4 loops in nests of 64 (`for` inside `for`)
  deepnest  ONE nest of N loops around a forever-poll (N ~ 100..1000: the
            nesting depth itself)
  ifchain   if / else-if chains of 500 tests each, N/2 tests in all (clang-19
            itself overflows its stack on one chain of about 10000)
  funcs     N/2 functions, each calling the next, the last one sleeping; a
            coroutine enters the chain
  gotoweb   N/3 labels with gotos between them (a pseudo-random web)
  fdflags   one function of three integer parameters setting a descriptor's
            mode N/8 times (a new `fl = fcntl(fd, F_GETFL)` each, tested
            against a parameter, `fl |= O_NONBLOCK` under `flags & bit`,
            F_SETFL, a read), returning the descriptor: the descriptor-state
            runs under flag and non-zero hypotheses (fdstate_hyp.c)
  sinkspawn one libmill function: a sink coroutine, then N/2 go() of a
            worker with the same channel (the spawn shares, dataflow/sinks.c)
  peerends  one libdill/libmill function: N/6 receive loops left on EPIPE,
            each followed by a close, and buffered sends with flushes
            (dataflow/peer_end.c, dataflow/out_buffer.c)
  countedloops one libdill/libmill function: N/10 buffered channels filled
            and drained by loops of their capacity's variable, each followed
            by a counted loop of one-byte sends on a fresh connection
  reentrant one libevent callback calling event_base_loop() N/2 times on
            the base it runs on (its data)
  sockets   N/10 functions, each making ZeroMQ sockets (own prototypes, the
            models match by name), setting ZMQ_RCVTIMEO under a parameter's
            bit on some, sending and receiving, handing some to a helper
            (dataflow/object_deadlines.c)
  corrpairs one function: N/6 thread spawns and joins under the same flag
            (`if (f3) pthread_create(&t1, ...); ... if (f3) pthread_join(t1,
            NULL);`), overlapping pairs on 64+ flags (the branch facts the
            solver keeps states apart by)
"""
import random
import sys

PRELUDE = """\
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
"""

SHAPES = {}
CHAIN = 500  # tests per if / else-if chain


def shape(fn):
    SHAPES[fn.__name__.replace("gen_", "")] = fn
    return fn


def worker_decl():
    return "static void *worker(void *arg) { return arg; }\n"


def straight(n, new_locals):
    out = [PRELUDE, worker_decl(), "int big(int n, struct pollfd *fds)\n{\n",
           "    pthread_t t[4];\n    int x = 0, r = 0;\n"]
    for i in range(n):
        k = i % 4
        m = i % 5
        if m == 0:
            out.append("    x += %d;\n" % (i % 7))
        elif m == 1:
            out.append("    if (x > %d) { r += poll(fds, 1, 100); } else { x--; }\n" % (i % 11))
        elif m == 2:
            out.append("    if (pthread_create(&t[%d], NULL, worker, NULL) != 0) return -1;\n" % k)
        elif m == 3:
            out.append("    pthread_join(t[%d], NULL);\n" % k)
        elif new_locals:
            out.append("    int v_%d = x * 2 + r; r += v_%d;\n" % (i, i))
        else:
            out.append("    r = x * 2 + r;\n")
    out.append("    return r + n;\n}\n")
    return "".join(out)


@shape
def gen_calls(n):
    return straight(n, False)


@shape
def gen_locals(n):
    return straight(n, True)


@shape
def gen_switch(n):
    out = [PRELUDE, worker_decl(), "int dispatch(int op)\n{\n    int r = 0;\n    switch (op) {\n"]
    for i in range(max(1, n // 4)):
        out.append("    case %d: {\n        pthread_t t;\n"
                   "        if (pthread_create(&t, NULL, worker, NULL) != 0) return -1;\n"
                   "        r += pthread_join(t, NULL);\n        break;\n    }\n" % i)
    out.append("    default:\n        break;\n    }\n    return r;\n}\n")
    return "".join(out)


@shape
def gen_goswitch(n):
    out = ["#include <libdill.h>\n\n",
           "coroutine void job(int k) { msleep(now() + k); }\n\n",
           "int dispatch(int op)\n{\n    int r = 0;\n    switch (op) {\n"]
    for i in range(max(1, n // 4)):
        out.append("    case %d: {\n        int h = go(job(%d));\n"
                   "        if (h < 0) return -1;\n        r += hclose(h);\n        break;\n    }\n"
                   % (i, i))
    out.append("    default:\n        break;\n    }\n    return r;\n}\n")
    return "".join(out)


def nest(depth, tag, body):
    out = []
    for d in range(depth):
        out.append("    " + " " * min(d, 40) +
                   "for (int i%s_%d = 0; i%s_%d < n; i%s_%d++)\n" % (tag, d, tag, d, tag, d))
    out.append("    " + " " * min(depth, 40) + body + "\n")
    return "".join(out)


@shape
def gen_nested(n):
    out = [PRELUDE, "int loops(int n, struct pollfd *fds)\n{\n    int r = 0;\n"]
    loops = max(1, n // 4)
    for g in range(0, loops, 64):
        depth = min(64, loops - g)
        out.append(nest(depth, str(g), "r += poll(fds, 1, r);"))
    out.append("    return r;\n}\n")
    return "".join(out)


@shape
def gen_deepnest(n):
    return (PRELUDE + "int deep(int n, struct pollfd *fds)\n{\n    int r = 0;\n" +
            nest(n, "", "r += poll(fds, 1, -1);") + "    return r;\n}\n")


@shape
def gen_ifchain(n):
    out = [PRELUDE, "int classify(int x, struct pollfd *fds)\n{\n    int r = 0;\n"]
    tests = max(1, n // 2)
    for i in range(tests):
        kw = "if" if i % CHAIN == 0 else "else if"
        out.append("    %s (x == %d)\n        r += poll(fds, 1, %d);\n" % (kw, i, i % 50))
        if i % CHAIN == CHAIN - 1 or i == tests - 1:
            out.append("    else\n        r--;\n")
    out.append("    return r;\n}\n")
    return "".join(out)


@shape
def gen_funcs(n):
    count = max(2, n // 2)
    out = ["#include <libdill.h>\n\n"]
    for i in range(count):
        out.append("static int step_%d(int x);\n" % i)
    out.append("\n")
    for i in range(count):
        if i + 1 < count:
            out.append("static int step_%d(int x)\n{\n    x += %d;\n    return step_%d(x) + 1;\n}\n"
                       % (i, i % 13, i + 1))
        else:
            out.append("static int step_%d(int x)\n{\n    sleep(1);\n    return x;\n}\n" % i)
    out.append("\ncoroutine void entry(int x) { step_0(x); }\n\n"
               "int start(void)\n{\n    int h = go(entry(1));\n    if (h < 0) return -1;\n"
               "    return hclose(h);\n}\n")
    return "".join(out)


@shape
def gen_corrpairs(n):
    pairs = max(1, n // 6)
    flags = 80  # more than the 64 facts followed
    out = [PRELUDE, worker_decl(), "int corr(unsigned long n, struct pollfd *fds)\n{\n",
           "    pthread_t t0, t1, t2, t3;\n    int r = 0;\n"]
    for i in range(flags):
        out.append("    int f%d = (n >> %d) & 1;\n" % (i, i % 60))
    for i in range(pairs):
        a, b = i % flags, (i + 1) % flags
        out.append("    if (f%d) pthread_create(&t%d, NULL, worker, fds);\n" % (a, i % 2))
        out.append("    if (f%d) pthread_create(&t%d, NULL, worker, fds);\n" % (b, 2 + i % 2))
        out.append("    r += poll(fds, 1, %d);\n" % (i % 50))
        out.append("    if (f%d) pthread_join(t%d, NULL);\n" % (a, i % 2))
        out.append("    if (f%d) pthread_join(t%d, NULL);\n" % (b, 2 + i % 2))
        out.append("    r += %d;\n" % (i % 7))
    out.append("    return r;\n}\n")
    return "".join(out)


@shape
def gen_globalflags(n):
    # the same correlated pairs on file-scope flags, with descriptors made
    # non-blocking under one test and created so under the other (branch
    # facts on globals: orphaned-spawn, unawaited-task and the descriptor
    # states all split their states by them)
    pairs = max(1, n // 8)
    flags = 80  # more than the 64 facts followed
    out = ["#define _GNU_SOURCE /* accept4 */\n", PRELUDE, "#include <fcntl.h>\n#include <sys/socket.h>\n", worker_decl()]
    for i in range(flags):
        out.append("static int g%d;\n" % i)
    out.append("int corr(int lfd, struct pollfd *fds)\n{\n    pthread_t t0, t1;\n    int r = 0, fd;\n")
    for i in range(pairs):
        a, b = i % flags, (i + 1) % flags
        out.append("    if (g%d) pthread_create(&t%d, NULL, worker, fds);\n" % (a, i % 2))
        out.append("    if (g%d) fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK); else fd = accept(lfd, NULL, NULL);\n" % b)
        out.append("    if (!g%d) fcntl(fd, F_SETFL, O_NONBLOCK);\n" % b)
        out.append("    r += poll(fds, 1, %d) + (int)write(fd, fds, 1 << 20);\n" % (i % 50))
        out.append("    if (g%d) pthread_join(t%d, NULL);\n" % (a, i % 2))
    out.append("    return r;\n}\n")
    return "".join(out)


@shape
def gen_fdflags(n):
    groups = max(1, n // 8)
    out = [PRELUDE, "#include <fcntl.h>\n", "int mode(char *err, int fd, int on, int flags)\n{\n",
           "    char buf[8];\n    int r = 0;\n"]
    for i in range(groups):
        bit = 1 << (i % 4)
        out.append("    int fl%d = fcntl(fd, F_GETFL);\n" % i)
        out.append("    if (fl%d == -1) return -1;\n" % i)
        out.append("    if (!!(fl%d & O_NONBLOCK) == !!on) r++;\n" % i)
        out.append("    if (flags & %d) fl%d |= O_NONBLOCK; else fl%d &= ~O_NONBLOCK;\n" % (bit, i, i))
        out.append("    if (fcntl(fd, F_SETFL, fl%d) == -1) return -1;\n" % i)
        out.append("    r += (int)read(fd, buf, 1);\n")
        out.append("    if (r > %d && err) err[0] = 0;\n" % (i % 50))
    out.append("    return r > 0 ? fd : -1;\n}\n")
    return "".join(out)


@shape
def gen_sinkspawn(n):
    out = ["#include <libmill.h>\n\n",
           "static coroutine void sink(chan ch) { for (;;) { int v = chr(ch, int); (void)v; } }\n",
           "static coroutine void worker(chan ch, int k) { chs(ch, int, k); }\n\n",
           "int launch(void)\n{\n    chan ch = chmake(int, 0);\n    go(sink(ch));\n"]
    for i in range(max(1, n // 2)):
        out.append("    go(worker(ch, %d));\n" % i)
    out.append("    return 0;\n}\n")
    return "".join(out)


@shape
def gen_peerends(n):
    out = ["#include <errno.h>\n#include <libdill.h>\n#include <libmill.h>\n\n",
           "int drain(int s, tcpsock t, char *buf, size_t len)\n{\n"]
    for i in range(max(1, n // 6)):
        out.append("    while (1) {\n        int rc%d = brecv(s, buf, len, now() + 10);\n"
                   "        if (rc%d < 0 && errno == EPIPE) break;\n        if (rc%d < 0) return -1;\n    }\n"
                   "    tcp_close(s, -1);\n    tcpsend(t, \"A\", 1, -1);\n    tcpflush(t, now() + 10);\n"
                   % (i, i, i))
    out.append("    return 0;\n}\n")
    return "".join(out)


@shape
def gen_testtable(n):
    # a test list past the link's 64 targets per field, called through
    # guarded table walks (program/exit_returns.c's dropped edges)
    count = max(2, n // 3)
    runners = 64
    out = ["#include <string.h>\n#include <unistd.h>\n\n",
           "struct entry { const char *name; int (*main)(void); int is_helper; };\n"]
    for i in range(count):
        out.append("int t_%d(void) { pid_t p = fork(); if (p == 0) return 0; return p < 0; }\n" % i)
    out.append("struct entry TASKS[] = {\n")
    for i in range(count):
        out.append('    {"t_%d", t_%d, %d},\n' % (i, i, i & 1))
    out.append("    {0, 0, 0}\n};\n")
    for r in range(runners):
        out.append("static int run_%d(const char *n)\n{\n    for (struct entry *t = TASKS; t->main; t++)\n"
                   "        if (t->is_helper && strcmp(n, t->name) == 0)\n            return t->main();\n"
                   "    return 0;\n}\n" % r)
    out.append("int main(int argc, char **argv)\n{\n    int r = 0;\n")
    for r in range(runners):
        out.append("    if (argc == %d) return run_%d(argv[1]);\n" % (r + 2, r))
    out.append("    return r;\n}\n")
    return "".join(out)


@shape
def gen_stopchans(n):
    # chmake / go / chdone / hclose cycles on one channel array, and
    # inet_pton-checked hosts (rules/unawaited_stops.c,
    # dataflow/numeric_hosts.c)
    out = ["#include <arpa/inet.h>\n#include <errno.h>\n#include <libdill.h>\n\n",
           "static coroutine void drain(int ch)\n{\n    int v;\n"
           "    while (chrecv(ch, &v, sizeof v, -1) == 0)\n        ;\n}\n\n",
           "int cycles(const char *host)\n{\n    int ch[2];\n    struct ipaddr addr;\n    struct in_addr a4;\n"]
    for i in range(max(1, n // 8)):
        out.append("    chmake(ch);\n    int h%d = go(drain(ch[%d]));\n    chdone(ch[%d]);\n    hclose(h%d);\n"
                   "    if (inet_pton(AF_INET, host, &a4) == 1)\n        ipaddr_remote(&addr, host, %d, 0, -1);\n"
                   "    hclose(ch[0]);\n    hclose(ch[1]);\n" % (i, i % 2, 1 - i % 2, i, i % 1000))
    out.append("    return 0;\n}\n")
    return "".join(out)


@shape
def gen_countedloops(n):
    # counted loops one after another in one function: libmill channels
    # filled and drained by their capacity's variable, and byte budgets of
    # sends in loops of known passes with branches inside
    # (dataflow/loop_trips.c, chan_fill.c, send_budget.c)
    out = ["#include <libdill.h>\n#include <libmill.h>\n\n",
           "int loops(long count, int ls, int flag)\n{\n    long i;\n    char sum = 0;\n"
           "    int s = tcp_accept(ls, NULL, -1);\n    int c;\n"]
    for k in range(max(1, n // 10)):
        out.append("    chan ch%d = chmake(char, count);\n"
                   "    for (i = 0; i != count; ++i)\n        chs(ch%d, char, 0);\n"
                   "    for (i = 0; i < count; i++) {\n        if (flag & %d)\n            sum += chr(ch%d, char);\n"
                   "        else\n            sum -= chr(ch%d, char);\n    }\n"
                   "    chclose(ch%d);\n"
                   "    for (c = '3'; c >= '0'; --c)\n        bsend(s, &c, 1, -1);\n"
                   % (k, k, 1 + k % 7, k, k, k))
    out.append("    return sum + hclose(s);\n}\n")
    return "".join(out)


@shape
def gen_reentrant(n):
    # one libevent callback running its own base N/2 times (a re-entrant
    # loop: rules/blocking_in_coroutine.c's loop_copies, once per function)
    out = ["#include <event2/event.h>\n\n",
           "static void cb(evutil_socket_t fd, short what, void *arg)\n{\n"
           "    struct event_base *base = arg;\n"]
    for i in range(max(1, n // 2)):
        out.append("    if (event_base_loop(base, %d) < 0)\n        fd++;\n" % (i % 2))
    out.append("}\n\nint main(void)\n{\n    struct event_base *b = event_base_new();\n"
               "    struct event *e = event_new(b, -1, 0, cb, b);\n    event_active(e, EV_WRITE, 1);\n"
               "    return event_base_dispatch(b);\n}\n")
    return "".join(out)


@shape
def gen_layers(n):
    # N/16 protocol layers over a connection (send_budget.c's attach
    # candidates, each probed once), each used on a fresh connection
    out = ['#include "libdill.h"\n#include "libdillimpl.h"\n#include <stdlib.h>\n\n',
           "struct layer { struct hvfs hvfs; int u; };\n\n"]
    layers = max(1, n // 16)
    for i in range(layers):
        out.append("static int attach%d(int u)\n{\n    struct layer *self = malloc(sizeof *self);\n"
                   "    if (!self)\n        return -1;\n    self->u = hown(u);\n"
                   "    if (bsend(self->u, \"v\", 1, -1) < 0)\n        return -1;\n"
                   "    return hmake(&self->hvfs);\n}\n\n" % i)
    out.append("int serve(int ls)\n{\n")
    for i in range(layers):
        out.append("    int s%d = tcp_accept(ls, NULL, -1);\n    int q%d = attach%d(s%d);\n"
                   "    msend(q%d, \"hi\", 2, -1);\n" % (i, i, i, i, i))
    out.append("    return 0;\n}\n")
    return "".join(out)


@shape
def gen_echoes(n):
    # one function talking in turn to N/64 echo coroutines, N/4 sends and
    # receives on each pair (dataflow/echo.c: conversations followed per
    # function are capped, each costs a few walks of the function)
    out = ['#include "libdill.h"\n\n',
           "static coroutine void echo(int ch)\n{\n    int v;\n    while (1) {\n"
           "        chrecv(ch, &v, sizeof v, -1);\n        chsend(ch, &v, sizeof v, -1);\n    }\n}\n\n",
           "int main(void)\n{\n    int v = 0;\n"]
    pairs = max(1, n // 64)
    for p in range(pairs):
        out.append("    int ch%d[2];\n    if (chmake(ch%d) < 0)\n        return 1;\n    go(echo(ch%d[0]));\n" % (p, p, p))
    for i in range(max(1, n // 4)):
        p = i % pairs
        out.append("    chsend(ch%d[1], &v, sizeof v, -1);\n    chrecv(ch%d[1], &v, sizeof v, -1);\n" % (p, p))
    out.append("    return v;\n}\n")
    return "".join(out)


@shape
def gen_replies(n):
    # one function launching N/8 futures in turn, each on a channel of its
    # own and taken once, the lot in a loop (dataflow/echo.c: replies
    # followed per function are capped; each costs a few walks of it)
    out = ['#include "libdill.h"\n\n',
           "static coroutine void reply(int n, int ch)\n{\n    int v = n * 2;\n"
           "    chsend(ch, &v, sizeof v, -1);\n}\n\n",
           "int main(int argc, char **argv)\n{\n    int v = 0, sum = 0;\n"
           "    for (int i = 0; i < argc; i++) {\n"]
    for p in range(max(1, n // 8)):
        out.append("        int ch%d[2];\n        if (chmake(ch%d) < 0)\n            return 1;\n"
                   "        go(reply(i, ch%d[0]));\n        chrecv(ch%d[1], &v, sizeof v, -1);\n"
                   "        sum += v;\n" % (p, p, p, p))
    out.append("    }\n    return sum;\n}\n")
    return "".join(out)


@shape
def gen_gotoweb(n):
    labels = max(2, n // 3)
    rnd = random.Random(labels)
    out = [PRELUDE, "int web(int x, struct pollfd *fds)\n{\n    int r = 0;\n"]
    for i in range(labels):
        j = rnd.randrange(labels)
        out.append("L%d:\n    r += poll(fds, 1, %d);\n    if ((x ^ r) & %d) goto L%d;\n"
                   % (i, i % 100, 1 + i % 7, j))
    out.append("    return r;\n}\n")
    return "".join(out)


@shape
def gen_sockets(n):
    out = ["#include <stddef.h>\n",
           "void *zmq_socket(void *ctx, int type);\n",
           "int zmq_setsockopt(void *s, int option, const void *value, size_t len);\n",
           "int zmq_send(void *s, const void *buf, size_t len, int flags);\n",
           "int zmq_recv(void *s, void *buf, size_t len, int flags);\n",
           "int zmq_close(void *s);\n",
           "void tune(void *s);\n\n"]
    for f in range(max(1, n // 10)):
        out.append("int ask%d(void *ctx, unsigned bits)\n{\n    char buf[16];\n    int ms = 100, n = 0;\n" % f)
        for k in range(2):
            out.append("    void *s%d = zmq_socket(ctx, 3);\n    if (!s%d)\n        return -1;\n" % (k, k))
            out.append("    if (bits & %du)\n        zmq_setsockopt(s%d, 27, &ms, sizeof ms);\n" % (1 << (f % 16), k))
            if (f + k) % 3 == 0:
                out.append("    tune(s%d);\n" % k)
            out.append("    zmq_send(s%d, \"x\", 1, 0);\n    n += zmq_recv(s%d, buf, sizeof buf, 0);\n"
                       "    zmq_close(s%d);\n" % (k, k, k))
        out.append("    return n;\n}\n\n")
    return "".join(out)


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print(" ".join(sorted(SHAPES)))
        return 0
    if len(argv) not in (3, 4) or argv[1] not in SHAPES:
        sys.stderr.write("usage: gen_hostile.py SHAPE N [OUT.c]   (shapes: %s)\n"
                         % " ".join(sorted(SHAPES)))
        return 2
    text = SHAPES[argv[1]](int(argv[2]))
    if len(argv) == 4:
        with open(argv[3], "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
