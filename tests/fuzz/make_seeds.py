#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpora of the fuzz targets.

    python3 tests/fuzz/make_seeds.py

Each target gets tests/fuzz/corpus/<target>/ with a few dozen small inputs:
the real files of the repository (rules/models/*.yaml, fixtures/.tasklint.yaml,
fixtures that carry suppressions) cut into small documents, plus hand-written
shapes of every construct the reader knows and of the mistakes it must
reject.  The output is deterministic and committed; run this again after a
format changes.  It only (over)writes files whose names start with "seed-",
so inputs added by hand (e.g. a crasher kept as a regression) stay.
"""
import glob
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read().decode()


# ---- model files ----

def function_blocks(text):
    """The 'functions:' entries of a model file, one text block each."""
    blocks, cur = [], None
    in_functions = False
    for line in text.splitlines():
        if re.match(r"^\S", line):
            in_functions = line.startswith("functions:")
            if cur:
                blocks.append(cur)
                cur = None
            continue
        if not in_functions:
            continue
        if re.match(r"^  [A-Za-z_*\"]", line):
            if cur:
                blocks.append(cur)
            cur = [line]
        elif cur is not None and line.strip() and not line.lstrip().startswith("#"):
            cur.append(line)
    if cur:
        blocks.append(cur)
    return ["\n".join(b) + "\n" for b in blocks]


MODEL_SHAPES = {
    "every-facet": """library: demo
description: "every facet once"
functions:
  spawn_it:
    spawn: {handle: out, handle_arg: 0, success: zero, entry_arg: 2, context: thread, task: thread}
  go_prologue:
    spawn: {handle: result, success: nonnegative, entry_before: go_epilogue, owner_arg: 3,
            no_owner_value: -1, context: coroutine, task: coroutine, awaited_by: any_wait}
  join_it:
    release: {arg: 0, how: join}
    wait: {kind: join}
    blocking: true
  use_it: {borrow: [0, 2]}
  ring_submit: {start: 0}
  ring_wait: {await: {arg: 1}}
  ring_exit: {teardown: 0}
  poll_like:
    wait: {timeout_arg: 2, forever: [negative], kind: loop, kind_if: {arg: 1, value: 1, kind: peer}}
    blocking: {unless_zero: 2}
  timed:
    wait: {timeout_arg: 1, forever: [null, 0xffffffffffffffff, -2], kind: task}
  submit_wait:
    wait: {kind: io, only_if_nonzero: 1}
  cond_block:
    blocking: {if_null: 5, unless_flag: {arg: 2, mask: 0x40}, if_value: {arg: 1, values: [7, 38]},
               replacement: "do it async"}
  register_cb:
    callback: {args: [1, 2, 3], context: loop, readiness: true}
  flags: {cooperative: true, must_await: true, nonblocking: true, noreturn: true}
  nothing: {}
replacements:
  sleep: "timer()"
  "*": "offload()"
""",
    "block-style": """---
library: blocky
functions:
  f:
    spawn:
      handle: out
      handle_arg: 0
      success: zero
      entry_arg: 2
      context: thread
    borrow:
      - 0
      - 1
  g:
    wait:
      timeout_arg: 1
      forever:
        - negative
        - 0
      kind: peer
""",
    "quoted": """library: 'q''uoted'
description: "tab\\there \\"quoted\\" back\\\\slash \\/ \\n \\r"
functions:
  "f": {release: {arg: 0, how: 'close'}}
  'g': {blocking: {replacement: 'say ''no'''}}
""",
    "flow-multiline": """library: flows
functions:
  f: {wait: {timeout_arg: 1,
             forever: [negative,
                       null],
             kind: task}}
""",
    "comments-blank": "# only a comment\n\nlibrary: c   # trailing\n\nfunctions: {}\n# end\n",
    "facet-off": "library: off\nfunctions:\n  f: {spawn: false, release: false, blocking: false, cooperative: false}\n",
    "merge-twice": "library: m\nfunctions:\n  f: {borrow: [0]}\n  f: {release: {arg: 0, how: detach}}\n",
    "empty": "",
    "null-doc": "~\n",
    "list-root": "- library: x\n- functions: {}\n",
    "empty-flow-map-root": "{}\n",  # no child before it: yaml.c once did NULL + 0
    "empty-flow-seq-root": "[]\n",
    "no-library": "functions:\n  f: {borrow: [0]}\n",
    "unknown-key": "library: x\nfuncions: {}\n",
    "unknown-facet": "library: x\nfunctions:\n  f: {spwan: {handle: out}}\n",
    "bad-int": "library: x\nfunctions:\n  f: {borrow: [0x]}\n",
    "huge-int": "library: x\nfunctions:\n  f: {start: 99999999999999999999999}\n",
    "negative-arg": "library: x\nfunctions:\n  f: {start: -1}\n",
    "bad-choice": "library: x\nfunctions:\n  f: {spawn: {handle: outt}}\n",
    "too-many-forever": "library: x\nfunctions:\n  f: {wait: {forever: [negative, null, 1, 2, 3]}}\n",
    "too-many-args": "library: x\nfunctions:\n  f: {callback: {args: [0, 1, 2, 3, 4]}}\n",
    "tab-indent": "library: x\nfunctions:\n\tf: {borrow: [0]}\n",
    "anchor": "library: &a x\nfunctions: *a\n",
    "block-scalar": "library: x\ndescription: |\n  text\n",
    "two-docs": "library: x\n---\nlibrary: y\n",
    "unterminated-flow": "library: x\nfunctions: {f: {borrow: [0]\n",
    "unterminated-quote": "library: \"x\nfunctions: {}\n",
    "bad-escape": "library: \"\\q\"\n",
    "deep-flow": "library: x\nfunctions: {f: {spawn: " + "[" * 40 + "]" * 40 + "}}\n",
    "dup-key": "library: x\nlibrary: y\n",
    "crlf": "library: x\r\nfunctions:\r\n  f: {borrow: [0]}\r\n",
    "seq-of-maps": "library: x\nfunctions:\n  f:\n    borrow:\n    - 0\n    - 1\n",
}


def model_seeds():
    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "models", "*.yaml"))):
        text = read(os.path.relpath(path, ROOT))
        lib = os.path.basename(path)[:-5]
        write("model", "file-" + lib + ".yaml", text)
        m = re.search(r"^library: *(\S+)", text, re.M)
        name = m.group(1) if m else lib
        blocks = function_blocks(text)
        # a handful of single-function documents per library, spread over the file
        step = max(1, len(blocks) // 4)
        for i in range(0, len(blocks), step):
            write("model", "fn-%s-%02d.yaml" % (lib, i),
                  "library: %s\nfunctions:\n%s" % (name, blocks[i]))
        rm = re.search(r"^replacements:\n((?:  .*\n|\s*\n|\s*#.*\n)*)", text, re.M)
        if rm:
            write("model", "repl-%s.yaml" % lib,
                  "library: %s\nreplacements:\n%s" % (name, rm.group(1)))
    for name, text in MODEL_SHAPES.items():
        write("model", "shape-%s.yaml" % name, text)


# ---- project config ----

CONFIG_SHAPES = {
    "empty": "",
    "comment-only": "# nothing here\n",
    "null": "~\n",
    "profile-strict": "profile: strict\n",
    "profile-default": "profile: default\n",
    "profile-bad": "profile: paranoid\n",
    "disable-flow": "disable: [orphaned-spawn]\nprofile: strict\n",
    "disable-block": "disable:\n  - orphaned-spawn\n  - missing-timeout\n",
    "enable-one": "enable: missing-timeout\n",
    "enable-null": "enable:\n",
    "unknown-rule": "disable: [no-such-rule]\n",
    "unknown-key": "profile: strict\nwat: 1\n",
    "exempt": "exempt: [legacy_main_loop, old_poll, legacy_main_loop]\n",
    "exempt-empty-name": "exempt: ['']\n",
    "library-name": "library: mine\nfunctions:\n  my_spawn: {spawn: {handle: result, success: nonnull}}\n",
    "library-empty": "library: ''\n",
    "readme-example": """profile: strict              # or default
disable: [unawaited-task]
enable: [missing-timeout]
exempt: [legacy_main_loop]   # functions whose bodies are not checked
functions:                   # the project's own wrappers
  my_spawn_worker:
    spawn: {handle: out, handle_arg: 0, success: zero, entry_arg: 1, context: thread, task: worker}
  pool_release:
    release: {arg: 0, how: join}
  job_wait:
    wait: {timeout_arg: 1, forever: [negative], kind: task}
""",
    "replacements-only": "replacements:\n  usleep: \"ev_timer_after(loop, ms, cb, arg)\"\n",
    "bad-facet": "functions:\n  f: {wait: {timeout_arg: x}}\n",
    "list-root": "- profile: strict\n",
    "empty-flow-map-root": "{}\n",
    "empty-flow-seq-root": "[]\n",
    "scalar-root": "strict\n",
    "enable-map": "enable: {a: 1}\n",
    "description-key": "description: not allowed here\n",
    "all-keys-flow": "{profile: default, enable: [], disable: [], exempt: [], functions: {}, replacements: {}}\n",
    "crlf": "profile: strict\r\ndisable: [orphaned-spawn]\r\n",
    "bom": "\ufeffprofile: strict\n",
    "tab": "profile:\tstrict\n",
    # per-path: (model/per_path.c)
    "per-path-readme": "per-path:\n  \"tests/**\": {disable: [missing-timeout]}\n"
                       "  \"src/core/*.c\": {profile: strict}\n",
    "per-path-all-keys": "per-path:\n  \"**/gen_*.c\": {profile: default, enable: [unawaited-task], "
                         "disable: [orphaned-spawn, missing-timeout]}\nper-path-defaults: false\n",
    "per-path-block": "per-path:\n  tests:\n    disable:\n      - missing-timeout\n"
                      "  'bench/[a-c]?*/**':\n    profile: strict\n",
    "per-path-empty": "per-path: {}\nper-path-defaults: true\n",
    "per-path-null-entry": "per-path:\n  tests:\n",
    "per-path-list": "per-path: [tests]\n",
    "per-path-bad-glob": "per-path:\n  \"a[b\": {disable: [missing-timeout]}\n",
    "per-path-bad-escape": "per-path:\n  \"a\\\\\": {}\n",
    "per-path-bad-key": "per-path:\n  tests: {exempt: [f]}\n",
    "per-path-bad-profile": "per-path:\n  tests: {profile: lax}\n",
    "per-path-hostile": "per-path:\n  \"" + "*a" * 200 + "b\": {}\n  \"" + "**/" * 100 + "x\": {}\n",
    "per-path-alias": "per-path:\n  tests: &t {disable: [missing-timeout]}\n  bench: *t\n",
    "per-path-defaults-bad": "per-path-defaults: maybe\n",
    "exclude-bad-glob": "exclude: [ok, \"bad[\"]\n",
}


def config_seeds():
    text = read("fixtures/.tasklint.yaml")
    write("config", "fixtures-tasklint.yaml", text)
    for i, block in enumerate(function_blocks(text)):
        write("config", "fixtures-fn-%02d.yaml" % i, "functions:\n" + block)
    # the configs the CLI tests write
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "cli", "*.sh"))):
        src = read(os.path.relpath(path, ROOT))
        for i, m in enumerate(re.finditer(r"printf '([^']*)' *>[^\n]*\.tasklint\.ya?ml", src)):
            body = m.group(1).encode().decode("unicode_escape")
            write("config", "cli-%s-%02d.yaml" % (os.path.basename(path)[5:-3], i), body)
    for name, text in CONFIG_SHAPES.items():
        write("config", "shape-%s.yaml" % name, text)


# ---- compile_commands.json ----

def compdb_seeds():
    entries = {
        "command": [{"directory": "/tmp", "file": "a.c", "command": "cc -c -o a.o -Iinc -DX=1 a.c"}],
        "arguments": [{"directory": "/tmp", "file": "a.c",
                       "arguments": ["gcc", "-c", "-o", "a.o", "-MD", "-MF", "a.d", "-Werror", "a.c"]}],
        "relative-dir": [{"directory": "src/..", "file": "./x.c", "command": "cc x.c"}],
        "ccache": [{"directory": "/", "file": "/b.c", "arguments": ["ccache", "clang", "-O2", "/b.c"]}],
        "duplicate": [{"directory": "/tmp", "file": "a.c", "command": "cc a.c"},
                      {"directory": "/tmp", "file": "a.c", "command": "cc -DTWICE a.c"}],
        "output-field": [{"directory": "/tmp", "file": "a.c", "output": "a.o",
                          "arguments": ["cc", "-oa.o", "-MTa.o", "-MQ", "x", "a.c"]}],
        "quoted-command": [{"directory": "/tmp", "file": "a c.c",
                            "command": "cc -D'S=\"a b\"' \"a c.c\" -I\\ dir"}],
        "three": [{"directory": "/p", "file": "f%d.c" % i, "command": "cc -std=c11 f%d.c" % i}
                  for i in range(3)],
        "empty-args": [{"directory": "/tmp", "file": "a.c", "arguments": []}],
        "unicode": [{"directory": "/tmp/\u00e9t\u00e9", "file": "\u00fc.c", "command": "cc \u00fc.c"}],
        "empty": [],
        # the allow-list (compile_args.c): kept options in every spelling
        "allowed": [{"directory": "/tmp", "file": "a.c",
                     "arguments": ["cc", "-Iinc", "-I", "inc2", "--include-directory=i3", "-isystem",
                                   "/s", "-iquote", "q", "-DX", "-D", "Y=2", "--define-macro=Z",
                                   "-UW", "-std=gnu11", "--std", "c99", "-x", "c", "-target",
                                   "x86_64-linux-gnu", "-march=native", "-fno-builtin-memcpy",
                                   "-fno-builtin", "-m32", "-O2", "-g3", "-pthread", "-nostdinc",
                                   "--sysroot=/sr", "a.c"]}],
        # options that write files, load code or run programs: dropped
        "dangerous": [{"directory": "/tmp", "file": "a.c",
                       "arguments": ["clang", "-Xclang", "-load", "-Xclang", "x.so", "-fplugin=x.so",
                                     "-fpass-plugin=y.so", "--serialize-diagnostics", "d",
                                     "-ftime-trace", "-save-temps", "-B/bin", "-specs=s",
                                     "-Wl,-x", "-MJ", "j.json", "-emit-ast", "a.c"]}],
        # -include of something that is not a regular file: the entry fails
        "include-special": [{"directory": "/tmp", "file": "a.c",
                             "arguments": ["cc", "-include", "/dev/zero", "a.c"]}],
        # response files are read by tasklint, relative to "directory"
        "response-file": [{"directory": "/nonexistent", "file": "a.c",
                           "command": "cc @flags.rsp @/dev/null a.c"}],
        "command-bad-quote": [{"directory": "/tmp", "file": "a.c", "command": "cc 'a.c"}],
        "command-trailing-backslash": [{"directory": "/tmp", "file": "a.c", "command": "cc a.c \\"}],
        "command-empty-word": [{"directory": "/tmp", "file": "a.c", "command": "cc \"\" -D\"\" a.c"}],
        "command-and-arguments": [{"directory": "/tmp", "file": "a.c", "command": "cc -DFROM_COMMAND a.c",
                                   "arguments": ["cc", "-DFROM_ARGUMENTS", "a.c"]}],
        "wrappers": [{"directory": "/tmp", "file": "a.c",
                      "arguments": ["ccache", "distcc", "/usr/bin/gcc-12", "-c", "a.c"]}],
        "special-source": [{"directory": "/", "file": "/dev/zero", "command": "cc /dev/zero"}],
        "relative-db-dir": [{"directory": "", "file": "a.c", "command": "cc a.c"},
                            {"directory": "..", "file": "../b.c", "command": "cc ../b.c"}],
    }
    for name, doc in entries.items():
        write("compdb", name + ".json", json.dumps(doc, indent=2) + "\n")
    raw = {
        "bom": "\ufeff[]",
        "escapes": '[{"directory": "/t\\u00e9\\n\\t\\"\\\\\\/", "file": "a.c", "command": "cc \\ud83d\\ude00.c"}]',
        "lone-surrogate": '[{"directory": "/t", "file": "\\ud800.c", "command": "cc"}]',
        "numbers": '[1, -0, 0.5e10, -1.5E-3, 123456789012345678901234567890]',
        "literals": '[true, false, null]',
        "object-root": '{"directory": "/t", "file": "a.c", "command": "cc a.c"}',
        "trailing-comma": '[{"directory": "/t", "file": "a.c", "command": "cc",}]',
        "missing-file": '[{"directory": "/t", "command": "cc a.c"}]',
        "wrong-type": '[{"directory": 1, "file": "a.c", "command": "cc"}]',
        "args-not-strings": '[{"directory": "/t", "file": "a.c", "arguments": ["cc", 2]}]',
        "unterminated": '[{"directory": "/t", "file": "a.c", "command": "cc',
        "control-char": '[{"directory": "/t", "file": "a\x01.c", "command": "cc"}]',
        "deep": "[" * 200 + "]" * 200,
        "garbage-after": '[] x',
        "multiline": '[\n  {\n    "directory": "/t",\n    "file": "a.c",\n    "command":\n      "cc a.c"\n  }\n]\n',
        "bad-escape": '["\\x"]',
        "bad-number": '[01, 1., -]',
        "nul": '[{"directory": "/t", "file": "a\x00.c", "command": "cc"}]',
        "empty-doc": "",
        "whitespace": " \n\t\r ",
    }
    for name, text in raw.items():
        write("compdb", name + ".json", text)


# ---- suppression comments ----

SUPPRESS_SHAPES = {
    "same-line": "go(f()); // tasklint-ignore(orphaned-spawn): owned by the pool\ngo(g());\n",
    "next-line": "// tasklint-ignore-next-line(missing-timeout): shutdown wait\npoll(p, 1, -1);\n",
    "block-comment": "/* tasklint-ignore-next-line(missing-timeout, orphaned-spawn):\n   a reason */\nchrecv(c, -1);\n",
    "star": "x(); /* tasklint-ignore(*): anything goes */ y();\n",
    "range": "// tasklint-ignore-begin(blocking-in-coroutine, missing-timeout): startup\nsleep(1);\npoll(p,1,-1);\n// tasklint-ignore-end\n",
    "file": "// tasklint-ignore-file(unawaited-task): legacy module\nint x;\n",
    "no-reason": "go(f()); // tasklint-ignore(orphaned-spawn)\n",
    "empty-reason": "go(f()); // tasklint-ignore(orphaned-spawn):   \n",
    "unknown-rule": "go(f()); // tasklint-ignore(orphan-spawn): typo\n",
    "empty-rules": "go(f()); // tasklint-ignore(): nothing\n",
    "unclosed-paren": "go(f()); // tasklint-ignore(orphaned-spawn: oops\n",
    "begin-no-end": "// tasklint-ignore-begin(*): forever\nint x;\n",
    "end-no-begin": "int x;\n// tasklint-ignore-end\n",
    "nested-begin": "// tasklint-ignore-begin(*): a\n// tasklint-ignore-begin(*): b\n// tasklint-ignore-end\n// tasklint-ignore-end\n",
    "in-string": "const char *s = \"// tasklint-ignore(*): not a comment\";\n",
    "in-char": "char c = '\"'; // tasklint-ignore(missing-timeout): after a quote char\n",
    "escaped-quote": "const char *s = \"\\\" // tasklint-ignore(*): still a string\";\n",
    "line-continuation": "// comment \\\n tasklint-ignore(*): continued line\nx();\n",
    "unterminated-block": "/* tasklint-ignore(*): never closed\n",
    "unterminated-string": "\"// tasklint-ignore(*): x\n",
    "crlf": "x(); // tasklint-ignore(missing-timeout): crlf\r\ny();\r\n",
    "suppress-clang": "int x = ; // tasklint-ignore(clang-diagnostic): cannot\n",
    "suppress-suppression": "// tasklint-ignore(suppression): cannot\n",
    "spaces": "x(); //   tasklint-ignore  (  missing-timeout ,  orphaned-spawn  )  :  spaced\n",
    "uppercase": "x(); // TASKLINT-IGNORE(missing-timeout): case\n",
    "prefix-word": "x(); // mytasklint-ignore(missing-timeout): not ours\n",
    "last-line-no-newline": "x(); // tasklint-ignore(missing-timeout): eof",
    "next-line-at-eof": "// tasklint-ignore-next-line(missing-timeout): nothing follows",
    "many-on-one-line": "x(); /* tasklint-ignore(missing-timeout): a */ /* tasklint-ignore(orphaned-spawn): b */\n",
    "duplicate-rule": "x(); // tasklint-ignore(missing-timeout, missing-timeout): twice\n",
    "raw-string-like": "const char *r = R\"(// tasklint-ignore(*): raw)\";\n",
    "nul-byte": "x(); // tasklint-ignore(missing-timeout): a\x00b\ny();\n",
    "invalid-utf8": "x(); // tasklint-ignore(missing-timeout): \xff\xfe bytes\n",
    "only-slashes": "/" * 64 + "\n",
    "empty": "",
}


def suppress_seeds():
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "*", "*.c"))):
        text = read(os.path.relpath(path, ROOT))
        if "tasklint-ignore" in text:
            rel = os.path.relpath(path, os.path.join(ROOT, "fixtures")).replace("/", "-")
            write("suppress", "fixture-" + rel, text)
    for name, text in SUPPRESS_SHAPES.items():
        data = text.encode("latin-1") if name == "invalid-utf8" else text
        write("suppress", "shape-%s.c" % name, data)


# ---- baseline files ----

FP = ["0c1d2e3f405162738495a6b7c8d9eaf0", "9f4e8d7c6b5a49382716051423324150",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0123456789abcdef0123456789abcdef"]
HDR = "# tasklint baseline v1: run 12, 2024-05-01T10:20:30Z, %d findings\n"


def baseline_seeds():
    good = {
        "two": HDR % 2 + FP[0] + "\torphaned-spawn\tsrc/pool.c\tpool_start\t-\n"
               + FP[1] + "\tmissing-timeout\tsrc/peer.c\tpeer_wait\tintentional\twe wait for the peer forever\n",
        "empty-list": HDR % 0,
        "no-function": HDR % 1 + FP[2] + "\tunawaited-task\tsrc/a.c\t-\t-\n",
        "triage-states": HDR % 3 + "".join(
            "%s\tblocking-in-coroutine\ta.c\tf\t%s\treason %d\n" % (FP[3], s, i)
            for i, s in enumerate(["false-positive", "intentional", "confirmed"])),
        "escapes": HDR % 1 + FP[0] + "\tmissing-timeout\tdir\\twith\\\\tab.c\tf\\n\tconfirmed\tline\\none\\rtwo\n",
        "comments": HDR % 1 + "# a comment line\n\n" + FP[1] + "\torphaned-spawn\tp.c\tm\t-\n# end\n",
        "crlf": (HDR % 1).replace("\n", "\r\n") + FP[0] + "\torphaned-spawn\tp.c\tm\t-\r\n",
        "no-trailing-newline": HDR % 1 + FP[0] + "\torphaned-spawn\tp.c\tm\t-",
        "same-fp-twice": HDR % 2 + (FP[0] + "\torphaned-spawn\tp.c\tm\t-\n") * 2,
        "header-only-no-newline": (HDR % 0).rstrip("\n"),
    }
    bad = {
        "empty": "",
        "no-header": FP[0] + "\torphaned-spawn\tp.c\tm\t-\n",
        "version-2": "# tasklint baseline v2: run 1\n",
        "version-huge": "# tasklint baseline v99999999999999999999: run 1\n",
        "four-fields": HDR % 1 + FP[0] + "\torphaned-spawn\tp.c\tm\n",
        "seven-fields": HDR % 1 + FP[0] + "\ta\tb\tc\td\te\tf\n",
        "short-fp": HDR % 1 + "abc\torphaned-spawn\tp.c\tm\t-\n",
        "upper-fp": HDR % 1 + FP[0].upper() + "\torphaned-spawn\tp.c\tm\t-\n",
        "no-rule": HDR % 1 + FP[0] + "\t-\tp.c\tm\t-\n",
        "bad-triage": HDR % 1 + FP[0] + "\torphaned-spawn\tp.c\tm\tmaybe\n",
        "reason-no-triage": HDR % 1 + FP[0] + "\torphaned-spawn\tp.c\tm\t-\twhy\n",
        "bad-escape": HDR % 1 + FP[0] + "\torphaned-spawn\tp\\q.c\tm\t-\n",
        "trailing-backslash": HDR % 1 + FP[0] + "\torphaned-spawn\tp.c\tm\t-\\\n",
        "nul": HDR % 1 + FP[0] + "\torphaned-spawn\tp\x00.c\tm\t-\n",
        "control-chars": HDR % 1 + FP[0] + "\torphaned-spawn\tp\x1b[31m.c\tm\t-\n",
        "long-field": HDR % 1 + FP[0] + "\torphaned-spawn\t" + "p" * 3000 + ".c\tm\t-\n",
    }
    for name, text in good.items():
        write("baseline", "good-" + name + ".txt", text)
    for name, text in bad.items():
        write("baseline", "bad-" + name + ".txt", text)


def main():
    model_seeds()
    config_seeds()
    compdb_seeds()
    suppress_seeds()
    baseline_seeds()
    for t in sorted(os.listdir(CORPUS)):
        print("%s: %d seeds" % (t, len(os.listdir(os.path.join(CORPUS, t)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
