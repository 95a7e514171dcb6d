#!/usr/bin/env python3
"""bench/cpu.py - the CPU time of tasklint runs: binaries compared on one input.

    bench/cpu.py [--runs N] BINARY... -- TASKLINT_ARGS...

Runs `BINARY --no-db -q TASKLINT_ARGS` for each binary, N times (default 5),
interleaved (A B A B ...) so that a change in machine load hits all of them
alike, and prints for each the median CPU time of the whole process tree
(user + system of tasklint and of every worker it waited for, from
getrusage(RUSAGE_CHILDREN)) and the median wall time, with the ratio to the
first binary.  A label can be given as LABEL=BINARY; an environment variable
for one binary as LABEL=VAR=VALUE:BINARY.  A benchmark, not a test:
`bench/gen_project.py` makes a synthetic project to run it on.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def parse_variant(spec):
    label, env = spec, {}
    if "=" in spec:
        label, rest = spec.split("=", 1)
        if ":" in rest and "=" in rest.split(":", 1)[0]:
            var, binary = rest.split(":", 1)
            k, v = var.split("=", 1)
            env[k] = v
        else:
            binary = rest
    else:
        binary = spec
    return label, binary, env


def run_once(binary, env, args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run([binary, "--no-db", "-q"] + args, env=dict(os.environ, **env),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main(argv):
    runs = 5
    if len(argv) > 2 and argv[1] == "--runs":
        runs = int(argv[2])
        argv = argv[:1] + argv[3:]
    if "--" not in argv or argv.index("--") < 2:
        sys.exit(__doc__)
    split = argv.index("--")
    variants = [parse_variant(s) for s in argv[1:split]]
    args = argv[split + 1:]
    times = {label: [] for label, _, _ in variants}
    for _ in range(runs):
        for label, binary, env in variants:
            times[label].append(run_once(binary, env, args))
    base = None
    for label, _, _ in variants:
        cpu = statistics.median(c for c, _ in times[label])
        wall = statistics.median(w for _, w in times[label])
        base = base or cpu
        print(f"{label:12s} cpu {cpu:8.3f} s (x{cpu / base:.3f})   wall {wall:7.2f} s   "
              f"(median of {runs})")


if __name__ == "__main__":
    main(sys.argv)
