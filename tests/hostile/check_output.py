#!/usr/bin/env python3
"""check_output.py - finds raw control characters in tasklint's output and
says which input they belong to (for tests/hostile/run_smoke.sh).

    check_output.py OUT ERR [INPUTS]

OUT and ERR are a run's stdout and stderr; INPUTS (optional) is a file of
NUL-separated input paths that the run analysed.  A raw control character
is a byte below 0x20 other than newline and tab, or 0x7f.  Prints one line
per input whose output holds one, "[control] INDEX detail" (INDEX: the
input's position in INPUTS, or "-" when no input owns the text), with the
offending line shown escaped.  Output text belongs to the input whose path
starts the nearest diagnostic line above it ("PATH:LINE:COL: ...", the
snippet and notes below it), or, failing that, to an input whose file name
appears in the same line.  Prints nothing when the output is clean.
"""
import bisect
import os
import re
import sys

CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


def escaped(text):
    return "".join(chr(c) if 0x20 <= c < 0x7F else "\\x%02x" % c for c in text[:160])


def owners(data, inputs):
    """Sorted (position, index) of every line that starts with an input's
    path.  tasklint may print a path relative to its working directory, so
    an input is known by its file name: NAME: at the start of a line, or
    after a '/' that ends a directory part of the line's first field."""
    found = {}
    for idx, path in enumerate(inputs):
        base = os.path.basename(path)
        key = base + b":"
        at = data.find(key)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            head = data[start:at]
            if head == b"" or (head.endswith(b"/") and b": " not in head):
                # the longest name wins when one ends another
                if start not in found or len(os.path.basename(inputs[found[start]])) < len(base):
                    found[start] = idx
            at = data.find(key, at + 1)
    return sorted(found.items())


def check(name, data, inputs, problems):
    marks = owners(data, inputs)
    positions = [at for at, _ in marks]
    for m in CONTROL.finditer(data):
        i, b = m.start(), data[m.start()]
        start = data.rfind(b"\n", 0, i) + 1
        end = data.find(b"\n", i)
        line = data[start:end if end >= 0 else len(data)]
        k = bisect.bisect_right(positions, i)  # the last diagnostic line at or before i
        owner = marks[k - 1][1] if k else None
        if owner is None:
            for idx, path in enumerate(inputs):
                if os.path.basename(path) in line:
                    owner = idx
        key = "-" if owner is None else str(owner)
        if key not in problems:
            line_no = data.count(b"\n", 0, i) + 1
            problems[key] = "byte 0x%02x on %s line %d: %s" % (b, name, line_no, escaped(line))


def main():
    out_path, err_path = sys.argv[1], sys.argv[2]
    inputs = []
    if len(sys.argv) > 3:
        with open(sys.argv[3], "rb") as f:
            inputs = [p for p in f.read().split(b"\0") if p]
    problems = {}
    for name, path in (("stdout", out_path), ("stderr", err_path)):
        with open(path, "rb") as f:
            check(name, f.read(), inputs, problems)
    for key in sorted(problems, key=lambda k: (k == "-", int(k) if k != "-" else 0)):
        print("[control] %s %s" % (key, problems[key]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
