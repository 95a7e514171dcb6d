#!/usr/bin/env bash
# The VS Code extension (editors/vscode/tasklint-lsp) cannot run here
# without VS Code, and CI stays offline (no npm install).  Checked: the
# manifest (activation on C, main file, the vscode-languageclient
# dependency, the settings extension.js reads), `node --check`, and
# extension.js run by node against stand-ins of the `vscode` and
# `vscode-languageclient/node` modules: activate() starts a LanguageClient
# for C files with `tasklint lsp` (and the settings' path and args), and
# the command it would start really is a language server: the same
# argv, run here, answers initialize with tasklint's capabilities.
# usage: test_vscode_lsp.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (scripts/setup.sh installs nodejs with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
EXT=$SRC/editors/vscode/tasklint-lsp

node --check "$EXT/extension.js" && echo "ok   vscode: node --check extension.js" || fail "node --check extension.js"

cat >"$T/check.js" <<'J'
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');
const cp = require('child_process');
const ext = process.argv[2], tl = process.argv[3];
let fails = 0;
const check = (c, what, detail) => {
  console.log((c ? 'ok   ' : 'FAIL ') + what);
  if (!c) { fails++; if (detail !== undefined) console.log('     ' + JSON.stringify(detail)); }
};

// the manifest
const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
check(pkg.name && pkg.publisher && pkg.version && /^\^1\.\d+\.\d+$/.test(pkg.engines.vscode),
      'manifest: name, publisher, version, engines.vscode');
check(pkg.activationEvents.includes('onLanguage:c'), 'manifest: activates on C files');
check(fs.existsSync(path.join(ext, pkg.main)), 'manifest: main exists');
check(/^\^9\./.test(pkg.dependencies['vscode-languageclient'] || ''), 'manifest: depends on vscode-languageclient 9');
const props = pkg.contributes.configuration.properties;
check(props['tasklint.path'] && props['tasklint.args'] && props['tasklint.args'].type === 'array',
      'manifest: the settings tasklint.path and tasklint.args');

// extension.js against stand-ins of its two modules
const made = [];
let settings = {};
const stubs = {
  vscode: { workspace: { getConfiguration: (s) => ({ get: (k) => (s === 'tasklint' ? settings[k] : undefined) }) } },
  'vscode-languageclient/node': {
    TransportKind: { stdio: 0, ipc: 1 },
    LanguageClient: class {
      constructor(id, name, server, client) { Object.assign(this, { id, name, server, client, started: false }); made.push(this); }
      start() { this.started = true; return Promise.resolve(); }
      stop() { this.stopped = true; return Promise.resolve(); }
    },
  },
};
const load = Module._load;
Module._load = function (req, parent, isMain) {
  if (Object.prototype.hasOwnProperty.call(stubs, req)) return stubs[req];
  return load.call(this, req, parent, isMain);
};
const extension = require(path.join(ext, pkg.main));
(async () => {
  const ctx = { subscriptions: [] };
  await extension.activate(ctx);
  const c = made[0] || {};
  check(made.length === 1 && c.id === 'tasklint' && c.started, 'activate: one LanguageClient, started', c);
  check(JSON.stringify(c.server) === JSON.stringify({ command: 'tasklint', args: ['lsp'], transport: 0 }),
        'activate: runs `tasklint lsp` over stdio by default', c.server);
  check(JSON.stringify(c.client && c.client.documentSelector) === JSON.stringify([{ scheme: 'file', language: 'c' }]),
        'activate: for C files', c.client);
  check(ctx.subscriptions.length === 1, 'activate: the client is disposed with the extension');
  await extension.deactivate();
  check(c.stopped === true, 'deactivate: stops the client');
  settings = { path: tl, args: ['--no-db'] };
  await extension.activate({ subscriptions: [] });
  const s = made[1].server;
  check(s.command === tl && JSON.stringify(s.args) === JSON.stringify(['lsp', '--no-db']),
        'the settings tasklint.path and tasklint.args are used', s);
  // that command is a language server: initialize, shutdown, exit
  const msg = (o) => { const b = Buffer.from(JSON.stringify(o)); return `Content-Length: ${b.length}\r\n\r\n${b}`; };
  const input = msg({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } }) +
                msg({ jsonrpc: '2.0', id: 2, method: 'shutdown' }) + msg({ jsonrpc: '2.0', method: 'exit' });
  const r = cp.spawnSync(s.command, s.args, { input, env: process.env, timeout: 30000 });
  const out = r.stdout.toString();
  const body = out.slice(out.indexOf('\r\n\r\n') + 4, out.indexOf('Content-Length', 10) > 0 ? out.indexOf('Content-Length', 10) : undefined);
  let init = {};
  try { init = JSON.parse(body); } catch (e) { init = { error: out }; }
  check(r.status === 0 && init.result && init.result.serverInfo.name === 'tasklint' &&
        init.result.capabilities.hoverProvider === true,
        'the configured command answers initialize as tasklint, and exits 0', { status: r.status, init });
  process.exit(fails ? 1 : 0);
})().catch((e) => { console.log('FAIL ' + e.stack); process.exit(1); });
J
node "$T/check.js" "$EXT" "$TL" || fails=$((fails + 1))
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all vscode extension tests passed"
