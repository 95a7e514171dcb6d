#!/usr/bin/env python3
"""bench/gen_project.py - a synthetic C project for benchmarks.

    bench/gen_project.py DIR [N]

Writes N (default 200) translation units to DIR: each includes a dozen
system headers (pthread, poll, sockets, stdio, ...) and holds twelve
functions that spawn and join threads, poll with and without deadlines,
copy strings and serve sockets, so that every TU has the parsing cost of a
small real file and some findings.  Deterministic (fixed seed).
"""
import os
import random
import sys

HEADERS = ["stdio.h", "stdlib.h", "string.h", "pthread.h", "unistd.h", "errno.h", "poll.h",
           "sys/socket.h", "netinet/in.h", "signal.h", "time.h", "fcntl.h"]


def function(i, j, kind):
    if kind == 0:
        return f"""static void *job_{i}_{j}(void *arg) {{ struct item *it = arg; it->n += {j}; return NULL; }}
int start_{i}_{j}(struct item *it) {{
    pthread_t t;
    if (pthread_create(&t, NULL, job_{i}_{j}, it) != 0) return -1;
    if (it->n > {j}) return 1;
    return pthread_join(t, NULL);
}}"""
    if kind == 1:
        return f"""int wait_{i}_{j}(int fd) {{
    struct pollfd pfd = {{.fd = fd, .events = POLLIN}};
    int n = 0;
    for (int r = 0; r < {j + 3}; r++) {{
        int rc = poll(&pfd, 1, r % 2 ? 1000 : -1);
        if (rc < 0 && errno == EINTR) continue;
        if (rc > 0) n++;
    }}
    return n;
}}"""
    if kind == 2:
        return f"""size_t copy_{i}_{j}(char *dst, const char *src, size_t n) {{
    size_t w = 0;
    while (w < n && src[w]) {{ dst[w] = src[w] == '\\t' ? ' ' : src[w]; w++; }}
    if (w < n) dst[w] = 0;
    switch (w % 4) {{ case 0: w += 1; break; case 1: w += 2; break; default: break; }}
    return w;
}}"""
    return f"""int serve_{i}_{j}(int s) {{
    char buf[256];
    for (;;) {{
        int c = accept(s, NULL, NULL);
        if (c < 0) return -1;
        ssize_t r = read(c, buf, sizeof buf);
        if (r > 0) write(c, buf, (size_t)r);
        close(c);
        if (r == 0) break;
    }}
    return 0;
}}"""


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out, n = argv[1], int(argv[2]) if len(argv) > 2 else 200
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(7)
    with open(os.path.join(out, "common.h"), "w") as f:
        f.write("#pragma once\n#include <stddef.h>\nstruct item { int n; char name[32]; };\n")
    for i in range(n):
        parts = ["#include <%s>" % h for h in HEADERS] + ['#include "common.h"']
        parts += [function(i, j, rnd.randint(0, 3)) for j in range(12)]
        with open(os.path.join(out, f"tu{i:03d}.c"), "w") as f:
            f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main(sys.argv)
