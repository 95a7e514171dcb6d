#!/usr/bin/env python3
"""make_inputs.py - hostile C inputs for the smoke test (tests/hostile/run_smoke.sh).

    make_inputs.py --fixtures DIR --out DIR [--seed N] [--mutants N] [--programs N]
                   [--csmith N] [--configs N] [--batch N]

Writes, deterministically for a seed:
  * mutants of the fixture files (DIR/*/*.c): truncations, byte flips, token
    deletions, duplicated blocks, unbalanced brackets, huge literals, deep
    nesting, long identifiers, weird macros, NUL bytes, invalid UTF-8,
    control characters (in strings, comments, suppression comments, #line
    file names and file names on disk); one to three mutations each;
  * generated programs: random control flow (loops, switch, goto, early
    returns) around the spawn / release / wait / blocking calls of pthread,
    libdill and POSIX, so the analysis itself (not only the parser) meets
    shapes nobody wrote a fixture for; plus csmith's random programs when
    csmith is installed (they include csmith.h: -I/usr/include/csmith);
  * one input per class of hostile text, the same for every seed, so that
    each is checked on every run: control characters in a string literal, a
    comment on a flagged line, a suppression comment, an identifier, #line,
    #error and #warning, stringified; invalid UTF-8; NUL bytes; file names
    on disk; an expression of 50,000 terms and a condition of 5,000 (the
    front end's depth limit);
  * mutants of the fixtures' project config (DIR/.tasklint.yaml) in
    OUT/configs/, for --config, and configs whose key or value holds
    control characters.
C files go to OUT/batch-NNN/ (BATCH files per directory, so the runner can
analyse a directory per tasklint process), and OUT/manifest.tsv says, per
file, what was done to it: "path<TAB>description" (tab, newline and
backslash in the path escaped).  Nothing is committed; the runner generates
the inputs into a temporary directory at test time.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys

# ---- mutations: (rng, bytes) -> (bytes, description) ----

TOKEN = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*|\d+|\S")
CONTROL = [b"\x1b[31m", b"\x1b[2J\x1b[H", b"\x1b]0;title\x07", b"\r", b"\x08\x08\x08", b"\x07",
           b"\x7f", b"\x0b", b"\x0c", b"\x01\x02\x03", b"\x1b"]
BAD_UTF8 = [b"\xff", b"\xfe\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80",
            b"\xe2\x82", b"\xf4\x90\x80\x80"]


def pos(rng, data):
    return rng.randrange(len(data) + 1)


def line_starts(data):
    return [0] + [m.end() for m in re.finditer(rb"\n", data)]


def truncate(rng, data):
    cut = rng.randrange(len(data)) if data else 0
    return data[:cut], "truncate at %d" % cut


def byte_flips(rng, data):
    if not data:
        return data, "flip nothing"
    b = bytearray(data)
    n = rng.randint(1, 8)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] ^= rng.randint(1, 255)
    return bytes(b), "flip %d bytes" % n


def delete_tokens(rng, data):
    toks = [m.span() for m in TOKEN.finditer(data)]
    if not toks:
        return data, "delete no token"
    n = min(len(toks), rng.randint(1, 5))
    gone = sorted(rng.sample(toks, n), reverse=True)
    for s, e in gone:
        data = data[:s] + data[e:]
    return data, "delete %d tokens" % n


def duplicate_block(rng, data):
    starts = line_starts(data)
    a = rng.randrange(len(starts))
    b = min(len(starts) - 1, a + rng.randint(1, 20))
    block = data[starts[a]:starts[b]] if b > a else data[starts[a]:]
    at = starts[rng.randrange(len(starts))]
    return data[:at] + block + data[at:], "duplicate lines %d-%d" % (a + 1, b)


def unbalance(rng, data):
    n = rng.randint(1, 3)
    for _ in range(n):
        brackets = [m.start() for m in re.finditer(rb"[{}()\[\]]", data)]
        if brackets and rng.random() < 0.5:
            i = rng.choice(brackets)
            data = data[:i] + data[i + 1:]
        else:
            i = pos(rng, data)
            data = data[:i] + rng.choice([b"{", b"}", b"(", b")", b"[", b"]"]) + data[i:]
    return data, "unbalance %d brackets" % n


def into_a_body(rng, data, stmt):
    """Inserts stmt after a random '{' (inside some function, usually)."""
    opens = [m.end() for m in re.finditer(rb"\{\s*\n", data)]
    at = rng.choice(opens) if opens else len(data)
    return data[:at] + stmt + b"\n" + data[at:]


def huge_literal(rng, data):
    kind = rng.randrange(5)
    if kind == 0:
        stmt, what = b"long long huge_int = " + b"9" * 20000 + b";", "20000-digit integer"
    elif kind == 1:
        stmt, what = b'const char *huge_str = "' + b"A" * 200000 + b'";', "200 KB string"
    elif kind == 2:
        stmt, what = b"double huge_exp = 1e999999999999;", "huge exponent"
    elif kind == 3:
        stmt = b"static const int huge_arr[] = {" + b"1," * 30000 + b"};"
        what = "30000-element initializer"
    else:
        stmt = b"const char *cat = " + b'"ab" ' * 20000 + b";"
        what = "20000 concatenated strings"
    return into_a_body(rng, data, stmt), "huge literal: " + what


def deep_nesting(rng, data):
    kind = rng.randrange(6)
    depth = rng.choice([100, 300, 1000, 3000])
    if kind == 0:
        stmt, what = b"int deep_p = " + b"(" * depth + b"1" + b")" * depth + b";", "parentheses"
    elif kind == 1:
        stmt, what = b"{" * depth + b"}" * depth, "blocks"
    elif kind == 2:
        stmt, what = b"if (1) " * depth + b";", "ifs without braces"
    elif kind == 3:
        depth *= 10
        stmt, what = b"int deep_sum = 1" + b" + 1" * depth + b";", "a long + chain"
    elif kind == 4:
        stmt, what = b"while (0) " * depth + b"{}", "loops"
    else:
        stmt, what = b"int deep_t = 1 ? " * depth + b"1" + b" : 0" * depth + b";", "conditionals"
    return into_a_body(rng, data, stmt), "deep nesting: %d %s" % (depth, what)


def long_identifier(rng, data):
    idents = sorted(set(re.findall(rb"\b[a-z_][a-z0-9_]{2,}\b", data)))
    if not idents:
        return data, "no identifier to lengthen"
    old = rng.choice(idents)
    new = b"L" * rng.choice([4096, 65536]) + old
    return re.sub(rb"\b" + re.escape(old) + rb"\b", new, data), "long identifier for %s" % old.decode()


WEIRD_MACROS = [
    (b"#define if while\n", "if redefined as while"),
    (b"#define return for (;;)\n", "return redefined as a loop"),
    (b"#define pthread_create(...) 0\n#define go(x) (x, 0)\n", "spawn calls defined away"),
    (b"#define A B\n#define B A\nint ab_loop = sizeof(int A);\n", "mutually recursive macros"),
    (b"#define CAT(a, b) a##b\n#define call CAT(pthread_, join)\n", "token pasting"),
    (b"#line 4294967295\n", "#line at the maximum"),
    (b"#line 1 \"evil\x1b[31m\\n.c\"\n", "#line file name with control characters"),
    (b"# 7 \"\xff\xfe.c\" 1 3\n", "linemarker with invalid UTF-8"),
    (b"_Pragma(\"clang diagnostic ignored \\\"-Wall\\\"\")\n#pragma once\n", "pragmas"),
    (b"#define __LINE__ 5\n#undef __FILE__\n", "builtin macros redefined"),
    (b"??=define TRI 1\n", "trigraphs"),
    (b"#define MANY(...) __VA_ARGS__\nint many_args[] = {MANY(" + b"1," * 5000 + b"1)};\n",
     "5000 macro arguments"),
    (b"#define EMPTY\n#define EXPAND(x) x EMPTY EMPTY EMPTY\n#include <stddef.h>\n", "empty expansions"),
    (b"#if 1\n#else\n", "unterminated #if"),
    (b"#endif\n", "stray #endif"),
    (b"#include \"no/such/header.h\"\n", "missing header"),
    (b"#error stop \x1b[31mhere\n", "#error with control characters"),
    (b"#warning \x1b]0;title\x07\n", "#warning with an OSC sequence"),
    (b"#define STR(x) #x\nconst char *s = STR(\x01\x02);\n", "stringified control characters"),
]


def weird_macro(rng, data):
    text, what = rng.choice(WEIRD_MACROS)
    if rng.random() < 0.5:
        return text + data, "macro prefix: " + what
    starts = line_starts(data)
    at = starts[rng.randrange(len(starts))]
    return data[:at] + text + data[at:], "macro inside: " + what


def nul_bytes(rng, data):
    n = rng.randint(1, 5)
    for _ in range(n):
        i = pos(rng, data)
        data = data[:i] + b"\x00" + data[i:]
    return data, "insert %d NUL bytes" % n


def invalid_utf8(rng, data):
    n = rng.randint(1, 4)
    where = []
    for _ in range(n):
        seq = rng.choice(BAD_UTF8)
        spots = [m.end() - 1 for m in re.finditer(rb'"[^"\n]*"|//[^\n]*|\b[a-z_]\w*', data)]
        i = rng.choice(spots) if spots and rng.random() < 0.8 else pos(rng, data)
        data = data[:i] + seq + data[i:]
        where.append(seq.hex())
    return data, "invalid UTF-8 " + ",".join(where)


def control_chars(rng, data):
    """Control characters where tasklint echoes text: string literals,
    comments on flagged lines, suppression reasons and rule names."""
    kind = rng.randrange(4)
    seq = rng.choice(CONTROL)
    if kind == 0:
        spots = [m.start() + 1 for m in re.finditer(rb'"[^"\n]*"', data)]
        i = rng.choice(spots) if spots else pos(rng, data)
        return data[:i] + seq + data[i:], "control %s in a string literal" % seq.hex()
    if kind == 1:
        ends = [m.end() for m in re.finditer(rb"//[^\n]*EXPECT[^\n]*", data)] or \
               [m.start() for m in re.finditer(rb"\n", data)]
        i = rng.choice(ends) if ends else len(data)
        return data[:i] + b" /* " + seq + b" */" + data[i:], "control %s on a flagged line" % seq.hex()
    if kind == 2:
        lines = [m.start() for m in re.finditer(rb"[^\n]*EXPECT[^\n]*\n", data)] or [0]
        i = rng.choice(lines)
        sup = b"// tasklint-ignore-next-line(" + rng.choice([b"orphaned-spawn", b"x" + seq + b"y", b"*"]) + \
              b"): reason " + seq + b"\n"
        return data[:i] + sup + data[i:], "control %s in a suppression comment" % seq.hex()
    toks = [m.span() for m in re.finditer(rb"\b[a-z_]\w{3,}\b", data)]
    if not toks:
        return data + seq, "control %s at the end" % seq.hex()
    s, e = rng.choice(toks)
    mid = (s + e) // 2
    return data[:mid] + seq + data[mid:], "control %s inside an identifier" % seq.hex()


MUTATIONS = [truncate, byte_flips, delete_tokens, duplicate_block, unbalance, huge_literal,
             deep_nesting, long_identifier, weird_macro, nul_bytes, invalid_utf8, control_chars]

# file names on disk that tasklint prints as they are
HOSTILE_NAMES = [b"name-\x1b[31mred\x1b[0m.c", b"name-new\nline.c", b"name-tab\there.c",
                 b"name-del\x7f.c", b"name-bad-utf8-\xff\xfe.c", b"name-cr\rback.c",
                 b"name-bell\x07.c", b"name- spaces and 'quotes'.c"]


# ---- one input per class, for every seed ----

def fixed_inputs(source):
    """(file name, data, description) for every class of hostile text, each
    put into `source` (a fixture with an EXPECT line) where tasklint echoes
    it.  The mutations above hit these at random; these always run."""
    esc = b"\x1b[31m"
    lines = source.split(b"\n")
    flagged = next((i for i, l in enumerate(lines) if b"EXPECT" in l), 0)

    def at_line(i, text):
        return b"\n".join(lines[:i] + [text] + lines[i:])

    def on_line(i, text):
        return b"\n".join(l + text if k == i else l for k, l in enumerate(lines))

    first_string = source.find(b'"') + 1
    deep_sum = b"int deep_sum(void) {\n    return 1" + b" + 1" * 49999 + b";\n}\n"
    deep_cond = (b"int deep_cond(int x) {\n    if (x" + b" && x" * 4999 + b")\n        return 1;\n"
                 b"    return 0;\n}\n")
    return [
        (b"k-string.c", source[:first_string] + esc + source[first_string:],
         "control characters in a string literal"),
        (b"k-flagged-line.c", on_line(flagged, b" /* " + esc + b"\x07\x08\r */"),
         "control characters in a comment on a flagged line"),
        (b"k-suppress-rule.c", at_line(flagged, b"// tasklint-ignore-next-line(x" + esc + b"y): " + esc),
         "control characters in a suppression comment's rule"),
        (b"k-suppress-reason.c", at_line(flagged, b"// tasklint-ignore-next-line(orphaned-spawn): " + esc + b"\r"),
         "control characters in a suppression comment's reason"),
        (b"k-identifier.c", source + b"\nint bad" + esc + b"ident = 1;\n",
         "control characters in an identifier (a clang error quotes it)"),
        (b"k-line.c", b"#line 1 \"evil" + esc + b"\\n.c\"\n" + source, "#line file name with control characters"),
        (b"k-error.c", b"#error stop " + esc + b"here\n" + source, "#error with control characters"),
        (b"k-warning.c", b"#warning \x1b]0;title\x07\n" + source, "#warning with an OSC sequence"),
        (b"k-stringified.c", b"#define STR(x) #x\nconst char *s = STR(\x01\x02);\n" + source,
         "stringified control characters"),
        (b"k-utf8.c", source + b"\nint bad\xff\xfeutf8 = 1; /* \xc0\x80 */\n", "invalid UTF-8"),
        (b"k-nul.c", source + b"\nint nul = \x00 1;\n", "a NUL byte"),
        (b"k-deep-sum.c", source + deep_sum, "an expression of 50,000 terms"),
        (b"k-deep-cond.c", source + deep_cond, "a condition of 5,000 && terms"),
    ]


HOSTILE_CONFIGS = [
    (b"profile: strict\nwat\x1b[31m: 1\n", "config: a key with control characters"),
    (b"profile: \x1b]0;title\x07\n", "config: a value with an OSC sequence"),
    (b"exempt: [a\x1b[2Jb]\nfunctions:\n  f\x07:\n    blocking: tru\x1be\n",
     "config: a function name and a facet value with control characters"),
    # YAML's own escapes make control characters out of printable text
    (b'profile: strict\n"wat\\e[31m": 1\n', "config: a key with an escaped ESC"),
    (b'exempt: ["a\\e[2Jb"]\nfunctions:\n  "f\\a":\n    blocking: "tru\\x1be"\n',
     "config: escaped control characters in a name and a value"),
]


# ---- generated programs ----

class Program:
    """A random function body over a few handles, built as lines of C."""

    def __init__(self, rng, index):
        self.rng = rng
        self.index = index
        self.lines = []
        self.labels = 0
        self.loop_depth = 0

    def emit(self, depth, text):
        self.lines.append("    " * depth + text)

    def handle(self):
        return self.rng.randrange(4)

    def simple(self, depth):
        r, i, j = self.rng, self.handle(), self.handle()
        choices = [
            "if (pthread_create(&t[%d], NULL, job, NULL) != 0) return -1;" % i,
            "pthread_create(&t[%d], NULL, job, &c);" % i,
            "pthread_join(t[%d], NULL);" % i,
            "pthread_detach(t[%d]);" % i,
            "t[%d] = t[%d];" % (i, j),
            "owner.th = t[%d];" % i,
            "tp = &t[%d];" % i,
            "pthread_join(*tp, NULL);",
            "h[%d] = go(co(c + %d));" % (i, j),
            "if (h[%d] >= 0) hclose(h[%d]);" % (i, i),
            "hclose(h[%d]);" % i,
            "b = bundle(); bundle_go(b, co(%d)); bundle_wait(b, -1); hclose(b);" % i,
            "poll(&pfd, 1, %s);" % r.choice(["-1", "c", "100", "0"]),
            "msleep(%s);" % r.choice(["-1", "now() + 10", "c"]),
            "chrecv(ch, &v, sizeof v, %s);" % r.choice(["-1", "now() + 1000"]),
            "sleep(%d);" % r.randrange(3),
            "c = c * 3 + %d;" % j,
            "use(t[%d]);" % i,
        ]
        self.emit(depth, r.choice(choices))

    def block(self, depth, budget):
        r = self.rng
        for _ in range(r.randint(1, 4)):
            if budget <= 0 or depth > 6 or r.random() < 0.45:
                self.simple(depth)
                continue
            kind = r.randrange(8)
            budget -= 1
            if kind == 0:
                self.emit(depth, "if (c %s %d) {" % (r.choice(["<", ">", "==", "!="]), r.randrange(5)))
                self.block(depth + 1, budget)
                if r.random() < 0.5:
                    self.emit(depth, "} else {")
                    self.block(depth + 1, budget)
                self.emit(depth, "}")
            elif kind == 1:
                self.emit(depth, "while (c-- > 0) {")
                self.loop_depth += 1
                self.block(depth + 1, budget)
                self.loop_depth -= 1
                self.emit(depth, "}")
            elif kind == 2:
                self.emit(depth, "for (int k%d = 0; k%d < c; k%d++) {" % ((depth,) * 3))
                self.loop_depth += 1
                self.block(depth + 1, budget)
                self.loop_depth -= 1
                self.emit(depth, "}")
            elif kind == 3:
                self.emit(depth, "do {")
                self.loop_depth += 1
                self.block(depth + 1, budget)
                self.loop_depth -= 1
                self.emit(depth, "} while (c & %d);" % r.randrange(1, 8))
            elif kind == 4:
                self.emit(depth, "switch (c) {")
                for case in range(r.randint(1, 3)):
                    self.emit(depth, "case %d:" % case)
                    self.block(depth + 1, budget)
                    if r.random() < 0.6:
                        self.emit(depth + 1, "break;")
                self.emit(depth, "default:")
                self.block(depth + 1, budget)
                self.emit(depth, "}")
            elif kind == 5 and self.loop_depth:
                self.emit(depth, "if (c == %d) %s;" % (r.randrange(4), r.choice(["break", "continue"])))
            elif kind == 6:
                self.labels += 1
                label = "l%d" % self.labels
                forward = r.random() < 0.5
                if forward:
                    self.emit(depth, "if (c > %d) goto %s;" % (r.randrange(4), label))
                    self.block(depth, budget)
                    self.emit(0, "%s:;" % label)
                else:
                    self.emit(0, "%s:;" % label)
                    self.block(depth, budget)
                    self.emit(depth, "if (c-- > %d) goto %s;" % (r.randrange(4), label))
            else:
                self.emit(depth, "if (c == %d) return %d;" % (r.randrange(5), r.randrange(3)))

    def text(self):
        self.emit(1, "pthread_t t[4]; int h[4] = {-1, -1, -1, -1}; pthread_t *tp = &t[0];")
        self.emit(1, "struct { pthread_t th; } owner; struct pollfd pfd = {0, POLLIN, 0};")
        self.emit(1, "int b = -1, ch = c, v = 0;")
        self.emit(1, "(void)tp; (void)owner; (void)b; (void)ch; (void)v; (void)h;")
        self.block(1, 6)
        self.emit(1, "return 0;")
        return "int generated_%d(int c)\n{\n%s\n}\n" % (self.index, "\n".join(self.lines))


PROGRAM_HEAD = """/* generated by tests/hostile/make_inputs.py */
#include <libdill.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

static void *job(void *arg) { return arg; }
static void use(pthread_t t) { (void)t; }
coroutine void co(int x) { msleep(now() + x); }
"""


def generated_program(rng, n):
    funcs = [Program(rng, i).text() for i in range(rng.randint(1, 4))]
    return (PROGRAM_HEAD + "\n".join(funcs)).encode(), "generated program %d (%d functions)" % (n, len(funcs))


def csmith_program(seed, workdir):
    """csmith's program for a seed (small: few functions, shallow blocks), or
    None.  csmith writes a platform.info into its working directory: workdir."""
    try:
        r = subprocess.run(["csmith", "--seed", str(seed), "--max-funcs", "4", "--max-block-depth", "3"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=True,
                           cwd=workdir)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout


CONFIG_MUTATIONS = [truncate, byte_flips, delete_tokens, duplicate_block, unbalance, long_identifier,
                    nul_bytes, invalid_utf8, control_chars]


def config_mutants(rng, fixtures, count, out):
    path = os.path.join(fixtures, ".tasklint.yaml")
    if count <= 0 or not os.path.exists(path):
        return []
    with open(path, "rb") as fh:
        base = fh.read()
    d = os.path.join(out, "configs")
    os.makedirs(d, exist_ok=True)
    made = []
    for n in range(count):
        data, what = rng.choice(CONFIG_MUTATIONS)(rng, base)
        if rng.random() < 0.3:  # a hostile key or value the error message will quote
            data += b"\n" + rng.choice([b"wat", b"profile", b"enable"]) + b": " + rng.choice(CONTROL) + b"x\n"
            what += "; hostile last line"
        p = os.path.join(d, "c%04d.yaml" % n)
        with open(p, "wb") as fh:
            fh.write(data)
        made.append((p.encode(), "config: " + what))
    for n, (data, what) in enumerate(HOSTILE_CONFIGS):
        p = os.path.join(d, "k%04d.yaml" % n)
        with open(p, "wb") as fh:
            fh.write(data)
        made.append((p.encode(), what))
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mutants", type=int, default=320)
    ap.add_argument("--programs", type=int, default=60)
    ap.add_argument("--csmith", type=int, default=20)
    ap.add_argument("--configs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=25)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    sources = []
    for d in sorted(os.listdir(a.fixtures)):
        sub = os.path.join(a.fixtures, d)
        if d == "include" or not os.path.isdir(sub):
            continue
        for f in sorted(os.listdir(sub)):
            if f.endswith(".c"):
                with open(os.path.join(sub, f), "rb") as fh:
                    sources.append((d + "-" + f[:-2], fh.read()))
    if not sources:
        print("make_inputs.py: no fixtures in %s" % a.fixtures, file=sys.stderr)
        return 1

    outputs = []  # (file name bytes, data, description)
    for n in range(a.mutants):
        name, data = rng.choice(sources)
        steps = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            data, what = rng.choice(MUTATIONS)(rng, data)
            steps.append(what)
        outputs.append((b"m%04d-%s.c" % (n, name.encode()), data, "%s: %s" % (name, "; ".join(steps))))
    for n in range(a.programs):
        data, what = generated_program(rng, n)
        outputs.append((b"g%04d.c" % n, data, what))
    if a.csmith > 0 and shutil.which("csmith"):
        os.makedirs(a.out, exist_ok=True)
        for n in range(a.csmith):
            data = csmith_program(a.seed * 1000 + n, a.out)
            if data:
                outputs.append((b"s%04d-csmith.c" % n, data, "csmith --seed %d" % (a.seed * 1000 + n)))
    with_expect = [s for s in sources if b"EXPECT" in s[1]]
    outputs.extend(fixed_inputs(with_expect[0][1] if with_expect else sources[0][1]))
    for n, hostile in enumerate(HOSTILE_NAMES):
        name, data = sources[n % len(sources)]
        outputs.append((b"h%04d-" % n + hostile, data, "hostile file name for %s" % name))

    os.makedirs(a.out, exist_ok=True)
    entries = []
    for i, (fname, data, what) in enumerate(outputs):
        d = os.path.join(a.out.encode(), b"batch-%03d" % (i // a.batch))
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, fname)
        with open(path, "wb") as fh:
            fh.write(data)
        entries.append((path, what))
    configs = config_mutants(rng, a.fixtures, a.configs, a.out)
    with open(os.path.join(a.out, "manifest.tsv"), "wb") as manifest:
        for path, what in entries + configs:
            manifest.write(path.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\t", b"\\t")
                           + b"\t" + what.encode("utf-8", "backslashreplace") + b"\n")
    print("make_inputs.py: %d C inputs in %d batches, %d configs, under %s"
          % (len(outputs), (len(outputs) + a.batch - 1) // a.batch, len(configs), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
