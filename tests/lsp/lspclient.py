"""lspclient.py - a scripted LSP client for the tests of `tasklint lsp`
(tests/lsp/test_lsp_protocol.py).  Standard library only.

Starts the server, frames messages (Content-Length), reads the server's
frames on a thread into a queue, and waits for the messages a test expects.
"""
import json
import os
import queue
import subprocess
import threading
import time


class Client:
    def __init__(self, argv, env=None, cwd=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=cwd)
        self.q = queue.Queue()
        self.seen = []          # every message received, in order
        self.next_id = 1
        self.stderr = b""
        self.bad_frames = []    # framing errors in the server's output
        self._taken = set()     # ids of the messages wait_for returned
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_err(self):
        self.stderr = self.proc.stderr.read()

    def _read(self):
        f = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = f.readline()
                if not line:
                    self.q.put(None)
                    return
                if line == b"\r\n":
                    break
                if not line.endswith(b"\r\n") or b":" not in line:
                    self.bad_frames.append(line)
                    continue
                k, v = line[:-2].split(b":", 1)
                headers[k.strip().lower()] = v.strip()
            n = int(headers[b"content-length"])
            body = f.read(n)
            try:
                msg = json.loads(body)
            except ValueError:
                self.bad_frames.append(body)
                continue
            self.q.put(msg)

    # ---- sending ----
    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send_body(self, body):
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, msg):
        msg = dict(msg)
        msg.setdefault("jsonrpc", "2.0")
        self.send_body(json.dumps(msg).encode())

    def request(self, method, params=None):
        i = self.next_id
        self.next_id += 1
        m = {"id": i, "method": method}
        if params is not None:
            m["params"] = params
        self.send(m)
        return i

    def notify(self, method, params=None):
        m = {"method": method}
        if params is not None:
            m["params"] = params
        self.send(m)

    def close_stdin(self):
        self.proc.stdin.close()

    # ---- receiving ----
    def wait_for(self, pred, timeout=60):
        """The first message (not yet taken) for which pred is true."""
        deadline = time.time() + timeout
        for m in list(self.pending()):
            if pred(m):
                self._taken.add(id(m))
                return m
        while time.time() < deadline:
            try:
                m = self.q.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                break
            if m is None:
                self.q.put(None)
                return None
            self.seen.append(m)
            if pred(m):
                self._taken.add(id(m))
                return m
        return None

    def pending(self):
        return [m for m in self.seen if id(m) not in self._taken]

    def drain(self, secs):
        """Every message that arrives within secs."""
        out = []
        deadline = time.time() + secs
        while time.time() < deadline:
            try:
                m = self.q.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                break
            if m is None:
                self.q.put(None)
                break
            self.seen.append(m)
            out.append(m)
        return out

    def response(self, i, timeout=60):
        return self.wait_for(lambda m: m.get("id") == i and "method" not in m, timeout)

    def call(self, method, params=None, timeout=60):
        return self.response(self.request(method, params), timeout)

    def diagnostics(self, uri, version=None, timeout=60):
        def pred(m):
            return (m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["uri"] == uri
                    and (version is None or m["params"].get("version") == version))
        m = self.wait_for(pred, timeout)
        return m["params"] if m else None

    def initialize(self, capabilities=None, root=None):
        r = self.call("initialize", {"processId": os.getpid(), "rootUri": root,
                                     "capabilities": capabilities or {}})
        self.notify("initialized", {})
        return r

    def children(self):
        """The server's child processes (its workers)."""
        pids = []
        try:
            for t in os.listdir("/proc/%d/task" % self.proc.pid):
                with open("/proc/%d/task/%s/children" % (self.proc.pid, t)) as f:
                    pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
        return pids

    def wait_exit(self, timeout=20):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
