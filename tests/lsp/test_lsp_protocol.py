#!/usr/bin/env python3
"""test_lsp_protocol.py - `tasklint lsp` driven by a scripted client
(lspclient.py, standard library only).

Covers: the lifecycle (a request before initialize, initialize's
capabilities, shutdown, a request after it, exit and its status); the
diagnostics of a fixture on open (ranges in UTF-16 and in negotiated UTF-8,
severity, source, code, codeDescription.href, relatedInformation for the
path notes); an unsaved change analysed after the debounce, the file on disk
untouched; a burst of changes analysed once; a parse still running when the
buffer changes is killed (cancellation by change) and a closed document's
worker too; save; close clears; hover (the --explain text) and code actions
(plain and snippet); a suppression added through the code action silences
the finding; flags from a compile_commands.json; the store's kept summaries
of the program's other files (a blocking chain across files, each step a
relatedInformation); a worker that crashes costs only its analysis;
malformed input of every kind answered with JSON-RPC errors (or ignored for
notifications) and the server still answering; EOF mid-message ends the
server and its workers.

usage: test_lsp_protocol.py TASKLINT SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Client  # noqa: E402

TL = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
FAILS = []


def check(cond, what, detail=None):
    if cond:
        print("ok   " + what)
    else:
        FAILS.append(what)
        print("FAIL " + what)
        if detail is not None:
            print("     " + json.dumps(detail, indent=None)[:3000])


def uri(path):
    return "file://" + path


def pid_alive(pid):
    return os.path.exists("/proc/%d" % pid)


T = tempfile.mkdtemp(prefix="tl-lsp-")
ENV = dict(os.environ, NO_COLOR="1", HOME=T)
ENV.pop("TASKLINT_DB", None)
ENV.pop("TASKLINT_TEST_WORKER_FAULT", None)


def start(*args, env=None, cwd=None):
    return Client([TL, "lsp", *args], env=env or ENV, cwd=cwd or T)


def open_doc(c, path, text=None, version=1):
    if text is None:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri(path), "languageId": "c", "version": version, "text": text}})
    return text


def change(c, path, text, version):
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri(path), "version": version},
                                        "contentChanges": [{"text": text}]})


def by_code(diags, code):
    return [d for d in diags if d.get("code") == code]


try:
    # ---------------------------------------------------------------- a fixture
    proj = os.path.join(T, "proj")
    os.makedirs(os.path.join(proj, ".git"))  # the project root: no store is looked for above it
    fix = os.path.join(proj, "fixture.c")
    shutil.copy(os.path.join(SRC, "fixtures/orphaned-spawn/pthread_error_path.c"), fix)
    with open(fix, "rb") as f:
        on_disk = f.read()

    c = start("--no-db")
    # a request before initialize
    r = c.call("textDocument/hover", {"textDocument": {"uri": uri(fix)},
                                      "position": {"line": 0, "character": 0}})
    check(r and r.get("error", {}).get("code") == -32002, "a request before initialize: ServerNotInitialized", r)
    r = c.initialize()
    caps = (r or {}).get("result", {}).get("capabilities", {})
    check(caps.get("positionEncoding") == "utf-16" and caps.get("textDocumentSync", {}).get("change") == 1
          and caps.get("hoverProvider") is True and "quickfix" in caps.get("codeActionProvider", {}).get("codeActionKinds", []),
          "initialize: utf-16 positions (the default), full sync, hover, quick fixes", r)
    r = c.call("initialize", {"capabilities": {}})
    check(r and r.get("error", {}).get("code") == -32600, "a second initialize is refused", r)

    open_doc(c, fix)
    p = c.diagnostics(uri(fix))
    diags = (p or {}).get("diagnostics", [])
    os_diags = by_code(diags, "orphaned-spawn")
    lines = sorted(d["range"]["start"]["line"] for d in os_diags)
    check(lines == [28, 63, 92], "didOpen: orphaned-spawn at the EXPECT lines (0-based 28 63 92)", p)
    d29 = [d for d in os_diags if d["range"]["start"]["line"] == 28]
    d29 = d29[0] if d29 else {}
    check(d29.get("range") == {"start": {"line": 28, "character": 8}, "end": {"line": 28, "character": 22}},
          "the range covers 'pthread_create' (line 29, column 9)", d29)
    check(d29.get("severity") == 2 and d29.get("source") == "tasklint"
          and d29.get("codeDescription", {}).get("href", "").endswith("docs/rules.md#orphaned-spawn")
          and "leaks when returning at line 33" in d29.get("message", ""),
          "severity warning, source, code, codeDescription.href, message", d29)
    rel = d29.get("relatedInformation", [])
    check(len(rel) == 1 and rel[0]["location"]["uri"] == uri(fix)
          and rel[0]["location"]["range"]["start"] == {"line": 32, "character": 8}
          and rel[0]["message"] == "the thread is still owned when returning here",
          "relatedInformation: the leaking return (line 33)", rel)
    d64 = [d for d in os_diags if d["range"]["start"]["line"] == 63]
    rel64 = d64[0].get("relatedInformation", []) if d64 else []
    check([x["location"]["range"]["start"]["line"] for x in rel64] == [63, 70],
          "relatedInformation: every path note of a finding (lines 64 and 71)", rel64)
    check(p.get("version") == 1, "publishDiagnostics carries the document version", p)

    # hover: the --explain text on a flagged line, null elsewhere
    explain = subprocess.run([TL, "--explain", "orphaned-spawn"], capture_output=True, text=True).stdout
    r = c.call("textDocument/hover", {"textDocument": {"uri": uri(fix)}, "position": {"line": 28, "character": 3}})
    val = ((r or {}).get("result") or {}).get("contents", {}).get("value", "")
    check(val == explain and val.startswith("# orphaned-spawn"), "hover on a flagged line: the --explain text", r)
    r = c.call("textDocument/hover", {"textDocument": {"uri": uri(fix)}, "position": {"line": 0, "character": 0}})
    check(r and "result" in r and r["result"] is None, "hover on a clean line: null", r)

    # code action: plain text (no snippet support announced)
    r = c.call("textDocument/codeAction", {"textDocument": {"uri": uri(fix)},
                                           "range": {"start": {"line": 28, "character": 0}, "end": {"line": 28, "character": 0}},
                                           "context": {"diagnostics": [d29]}})
    acts = (r or {}).get("result") or []
    edit = acts[0]["edit"]["changes"][uri(fix)][0] if acts and "changes" in acts[0].get("edit", {}) else {}
    check(len(acts) == 1 and acts[0]["kind"] == "quickfix"
          and edit.get("newText") == "    // tasklint-ignore-next-line(orphaned-spawn): \n"
          and edit.get("range") == {"start": {"line": 28, "character": 0}, "end": {"line": 28, "character": 0}}
          and acts[0].get("diagnostics") == [d29],
          "codeAction: a tasklint-ignore-next-line comment above the line, indented (plain text), for its diagnostic", r)
    r = c.call("textDocument/codeAction", {"textDocument": {"uri": uri(fix)},
                                           "range": {"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}},
                                           "context": {"diagnostics": []}})
    check(r and r.get("result") == [], "codeAction on clean lines: none", r)

    # an unsaved change: the comment the code action inserts, with a reason,
    # and a new spawn at the end; analysed from the buffer after the debounce
    text = on_disk.decode()
    tl = text.split("\n")
    tl.insert(28, "    // tasklint-ignore-next-line(orphaned-spawn): joined by the caller")
    tl += ["int leak_more(struct ingest *in)", "{", "    pthread_t extra;",
           "    return pthread_create(&extra, NULL, reader_main, in);", "}", ""]
    new_text = "\n".join(tl)
    t0 = time.time()
    change(c, fix, new_text, 2)
    p = c.diagnostics(uri(fix), version=2)
    took = time.time() - t0
    lines = sorted(d["range"]["start"]["line"] for d in by_code((p or {}).get("diagnostics", []), "orphaned-spawn"))
    newline = len(tl) - 3  # 0-based line of pthread_create(&extra
    check(lines == [64, 93, newline], "didChange: the unsaved buffer is analysed (suppressed line gone, new spawn at %d)" % newline, p)
    check(took >= 0.25, "didChange: the analysis waits for the debounce (%.2fs)" % took)
    with open(fix, "rb") as f:
        check(f.read() == on_disk, "the file on disk is not touched")

    # a burst of changes: one analysis, of the last version
    for v in range(3, 13):
        change(c, fix, new_text + "\n" * (v - 2), v)
        time.sleep(0.02)
    got = c.drain(6)
    pubs = [m["params"].get("version") for m in got if m.get("method") == "textDocument/publishDiagnostics"]
    check(pubs == [12], "a burst of 10 changes: diagnostics once, for the last version (got %s)" % pubs)

    # save: analysed again at once
    c.notify("textDocument/didSave", {"textDocument": {"uri": uri(fix)}})
    p = c.diagnostics(uri(fix), timeout=30)
    check(p is not None and p.get("version") == 12, "didSave: diagnostics again", p)

    # utf-16 columns: a line with non-ASCII text before the flagged call
    utf = new_text.replace("    return pthread_create(&extra", "    /* é𝄞 */ return pthread_create(&extra")
    change(c, fix, utf, 13)
    p = c.diagnostics(uri(fix), version=13)
    dd = [d for d in by_code((p or {}).get("diagnostics", []), "orphaned-spawn") if d["range"]["start"]["line"] == newline]
    # "    /* é𝄞 */ return " is 4+2+1+1+2(surrogates)+1+2+1+6+1 = 21 UTF-16 units
    check(dd and dd[0]["range"]["start"]["character"] == 21 and dd[0]["range"]["end"]["character"] == 35,
          "ranges in UTF-16 code units past non-ASCII text", dd)

    # close: the diagnostics are cleared
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri(fix)}})
    p = c.diagnostics(uri(fix))
    check(p is not None and p["diagnostics"] == [], "didClose: empty diagnostics", p)

    # ------------------------------------------------------ malformed messages
    def err_of(m):
        return (m or {}).get("error", {}).get("code")

    def next_error(timeout=10):
        return c.wait_for(lambda m: "error" in m, timeout)

    c.send_body(b"{not json")
    check(err_of(next_error()) == -32700, "bad JSON: Parse error (-32700)")
    c.send_body(b"\xff\xfe{}")
    check(err_of(next_error()) == -32700, "a body that is not UTF-8: Parse error")
    c.send_body(b"[1, 2]")
    m = next_error()
    check(err_of(m) == -32600 and m.get("id") is None, "a JSON array: Invalid Request, id null", m)
    c.send_body(b'{"jsonrpc": "1.0", "id": 5, "method": "shutdown"}')
    m = next_error()
    check(err_of(m) == -32600 and m.get("id") == 5, "jsonrpc 1.0: Invalid Request with the id", m)
    c.send_body(b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}')
    m = next_error()
    check(err_of(m) == -32600 and m.get("id") is None, "an object as id: Invalid Request, id null", m)
    c.send_body(b'{"jsonrpc": "2.0", "id": 6, "method": 42}')
    check(err_of(next_error()) == -32600, "a number as method: Invalid Request")
    c.send_body(b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": "x"}')
    check(err_of(next_error()) == -32602, "params a string: Invalid params")
    r = c.call("textDocument/hover", {"textDocument": {"uri": 3}, "position": {"line": -1, "character": "a"}})
    check(err_of(r) == -32602, "hover with wrong types: Invalid params", r)
    r = c.call("textDocument/codeAction", {"textDocument": {"uri": uri(fix)}, "range": {"start": {"line": 4}}})
    check(err_of(r) == -32602, "codeAction without a whole range: Invalid params", r)
    r = c.call("no/suchMethod", {})
    check(err_of(r) == -32601, "an unknown request: Method not found", r)
    c.send_body(b'{"jsonrpc": "2.0", "id": 8, "id": 9, "method": "x"}')
    check(err_of(next_error()) == -32700, "duplicate keys: refused")
    # notifications with bad input, unknown notifications: no answer
    c.notify("no/suchNotification", {"a": 1})
    c.notify("textDocument/didOpen", {"textDocument": {"uri": 5}})
    c.notify("textDocument/didChange", [1, 2, 3])
    c.notify("textDocument/didOpen", {"textDocument": {"uri": "untitled:Untitled-1", "version": 1, "text": "int x;"}})
    c.notify("textDocument/didOpen", {"textDocument": {"uri": "file://host/etc/passwd", "version": 1, "text": "int x;"}})
    c.notify("textDocument/didOpen", {"textDocument": {"uri": "file:///tmp/%00x.c", "version": 1, "text": "int x;"}})
    c.notify("$/cancelRequest", {"id": 1})
    got = c.drain(1.5)
    check(got == [], "bad and unknown notifications, non-file URIs: no answer, nothing analysed", got)
    # framing: no Content-Length, a bad number, an over-long header, then a good message
    c.send_raw(b"Content-Type: x\r\n\r\n")
    check(err_of(next_error()) == -32600, "a header without Content-Length: an error")
    c.send_raw(b"Content-Length: 12x\r\n\r\n")
    check(err_of(next_error()) == -32600, "a Content-Length that is not a number: an error")
    c.send_raw(b"X-Junk: " + b"a" * 20000 + b"\r\n\r\n")
    check(err_of(next_error()) == -32600, "a 20 kB header: an error")
    r = c.call("textDocument/hover", {"textDocument": {"uri": uri(fix)}, "position": {"line": 1, "character": 1}})
    check(r and "result" in r, "after all that, requests are still answered", r)
    check(c.bad_frames == [], "every byte the server wrote is a well-framed JSON message", c.bad_frames)

    # shutdown, then exit
    c.send_body(b'{"jsonrpc": "2.0", "id": 77, "method": "shutdown", "params": null}')
    r = c.response(77)
    check(r and "result" in r and r["result"] is None, "shutdown (params null, as Eglot sends it): null result", r)
    r = c.call("textDocument/hover", {"textDocument": {"uri": uri(fix)}, "position": {"line": 1, "character": 1}})
    check(err_of(r) == -32600, "a request after shutdown: Invalid Request", r)
    c.notify("exit")
    check(c.wait_exit() == 0, "exit after shutdown: status 0")
    check(b"\x1b" not in c.stderr, "the log has no raw escape characters")

    # -------------------------------- cancellation by change, EOF, crashes
    slow = os.path.join(proj, "slow.c")
    with open(slow, "w") as f:
        f.write("int f(void) { return 0; }\n")
    env = dict(ENV, TASKLINT_TEST_WORKER_FAULT="sleep:slow.c")
    c = start("--no-db", env=env)
    c.initialize()
    open_doc(c, slow)
    time.sleep(0.6)
    first = c.children()
    check(len(first) == 1, "a parse runs in a worker process", first)
    change(c, slow, "int f(void) { return 1; }\n", 2)
    time.sleep(0.15)  # within the debounce: the old parse is already gone
    check(first and not pid_alive(first[0]) and c.children() == [],
          "a change kills the running parse at once (no queued work)", c.children())
    time.sleep(0.6)
    second = c.children()
    check(len(second) == 1 and second != first, "after the debounce, one new parse", second)
    for v in range(3, 10):
        change(c, slow, "int f(void) { return %d; }\n" % v, v)
        time.sleep(0.03)
        if len(c.children()) > 1:
            break
    check(len(c.children()) <= 1, "typing: never more than one parse per document")
    time.sleep(0.6)
    third = c.children()
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri(slow)}})
    time.sleep(0.3)
    check(third and not pid_alive(third[0]), "didClose kills the document's parse", third)
    # EOF in the middle of a message while a parse runs
    open_doc(c, slow, version=20)
    time.sleep(0.6)
    running = c.children()
    c.send_raw(b'Content-Length: 100\r\n\r\n{"jsonrpc": "2.0", "id": 99, "meth')
    c.close_stdin()
    rc = c.wait_exit()
    check(rc == 1, "EOF mid-message without shutdown: the server exits with 1 (got %s)" % rc)
    time.sleep(0.2)
    check(running and not any(pid_alive(p) for p in running), "... and its worker is gone", running)

    # a worker that crashes: a finding says so, the server goes on
    crash = os.path.join(proj, "crash.c")
    with open(crash, "w") as f:
        f.write("int g(void) { return 0; }\n")
    c = start("--no-db", env=dict(ENV, TASKLINT_TEST_WORKER_FAULT="segv:crash.c"))
    c.initialize()
    open_doc(c, crash)
    p = c.diagnostics(uri(crash))
    dd = (p or {}).get("diagnostics", [])
    check(len(dd) == 1 and dd[0]["code"] == "clang-diagnostic" and dd[0]["severity"] == 1
          and "crashed on this file (signal 11)" in dd[0]["message"],
          "a crashing worker: one error diagnostic, the server goes on", p)
    open_doc(c, fix)
    p = c.diagnostics(uri(fix))
    check(p and len(by_code(p["diagnostics"], "orphaned-spawn")) == 3, "... and analyses the next file", p)
    c.call("shutdown")
    c.notify("exit")
    check(c.wait_exit() == 0, "crash session: clean exit")

    # ------------------------- snippets, UTF-8 positions, a compile database
    p2 = os.path.join(T, "p2")
    os.makedirs(os.path.join(p2, "src"))
    os.makedirs(os.path.join(p2, "build"))
    os.makedirs(os.path.join(p2, "include"))
    os.makedirs(os.path.join(p2, ".git"))
    with open(os.path.join(p2, "include/cfg.h"), "w") as f:
        f.write("#ifdef USE_FOREVER\n#define WAIT_MS (-1)\n#else\n#define WAIT_MS 1000\n#endif\n")
    wait_c = os.path.join(p2, "src/wait.c")
    with open(wait_c, "w") as f:
        f.write('#include <poll.h>\n#include "cfg.h"\nint wait_peer(int fd) {\n'
                '    struct pollfd p = {.fd = fd, .events = POLLIN};\n'
                '    /* ü */ return poll(&p, 1, WAIT_MS);\n}\n')
    with open(os.path.join(p2, "build/compile_commands.json"), "w") as f:
        json.dump([{"directory": "..", "file": "src/wait.c",
                    "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}], f)
    c = start("--no-db")
    r = c.initialize({"general": {"positionEncodings": ["utf-8", "utf-16"]},
                      "workspace": {"workspaceEdit": {"snippetEditSupport": True}}})
    check(r and r["result"]["capabilities"]["positionEncoding"] == "utf-8", "utf-8 positions when the client offers them", r)
    open_doc(c, wait_c)
    p = c.diagnostics(uri(wait_c))
    dd = by_code((p or {}).get("diagnostics", []), "missing-timeout")
    check(len(dd) == 1 and dd[0]["range"]["start"] == {"line": 4, "character": 20},
          "compile_commands.json flags (-I, -D) apply; columns in UTF-8 bytes", p)
    r = c.call("textDocument/codeAction", {"textDocument": {"uri": uri(wait_c)},
                                           "range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 3}},
                                           "context": {"diagnostics": dd}})
    acts = (r or {}).get("result") or []
    try:
        dc = acts[0]["edit"]["documentChanges"][0]
        snip = dc["edits"][0]["snippet"]
    except (IndexError, KeyError, TypeError):
        dc, snip = {}, {}
    check(snip == {"kind": "snippet", "value": "    // tasklint-ignore-next-line(missing-timeout): $0\n"}
          and dc.get("textDocument", {}).get("uri") == uri(wait_c),
          "codeAction with snippet support: the cursor ($0) at the reason", r)
    c.call("shutdown")
    c.notify("exit")
    c.wait_exit()

    # ------------------------------- whole program: the store's other files
    p3 = os.path.join(T, "p3")
    os.makedirs(os.path.join(p3, "src"))
    os.makedirs(os.path.join(p3, ".git"))
    files = {
        "src/loop.c": '#include <uv.h>\nint run_command(const char *name);\n'
                      'static void on_tick(uv_timer_t *t) {\n    (void)t;\n    run_command("reload");\n}\n'
                      'void start(uv_timer_t *t) { uv_timer_start(t, on_tick, 1000, 1000); }\n',
        "src/cmd.c": 'int load_state(const char *path);\n'
                     'int run_command(const char *name) { return load_state(name); }\n',
        "src/storage.c": '#include <stdio.h>\nint load_state(const char *path) {\n    char buf[64];\n'
                         '    FILE *f = fopen(path, "r");\n    if (!f) return -1;\n'
                         '    size_t n = fread(buf, 1, sizeof buf, f);\n    fclose(f);\n    return (int)n;\n}\n',
    }
    for name, body in files.items():
        with open(os.path.join(p3, name), "w") as f:
            f.write(body)
    loop = os.path.join(p3, "src/loop.c")
    c = start()
    c.initialize()
    open_doc(c, loop)
    p = c.diagnostics(uri(loop))
    check(p is not None and by_code(p["diagnostics"], "blocking-in-coroutine") == [],
          "no store: loop.c alone shows no blocking chain", p)
    c.call("shutdown")
    c.notify("exit")
    c.wait_exit()
    check(not os.path.exists(os.path.join(p3, ".tasklint")), "the server creates no store", os.listdir(p3))
    subprocess.run([TL, "src"], cwd=p3, env=ENV, capture_output=True)
    check(os.path.exists(os.path.join(p3, ".tasklint/findings.db")), "a CLI run records the program in the store")
    c = start()
    c.initialize()
    open_doc(c, loop)
    p = c.diagnostics(uri(loop))
    dd = by_code((p or {}).get("diagnostics", []), "blocking-in-coroutine")
    rel = dd[0].get("relatedInformation", []) if dd else []
    rel_at = [(x["location"]["uri"].rsplit("/", 1)[-1], x["location"]["range"]["start"]["line"]) for x in rel]
    check(len(dd) == 1 and dd[0]["range"]["start"] == {"line": 4, "character": 4}
          and "run_command() -> load_state() -> fread()" in dd[0]["message"],
          "with the store: the blocking chain across three files", p)
    check(("cmd.c", 1) in rel_at and ("storage.c", 5) in rel_at,
          "relatedInformation: each step of the chain, in its own file", rel)
    c.call("shutdown")
    c.notify("exit")
    check(c.wait_exit() == 0, "whole-program session: clean exit")
finally:
    for cl in list(globals().values()):
        if isinstance(cl, Client):
            cl.kill()
    if not os.environ.get("KEEP"):
        shutil.rmtree(T, ignore_errors=True)
    else:
        print("T=" + T)

if FAILS:
    print("%d failure(s)" % len(FAILS))
    sys.exit(1)
print("all lsp protocol tests passed")
