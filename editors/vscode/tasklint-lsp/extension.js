// extension.js - tasklint's language server (`tasklint lsp`) in VS Code,
// through vscode-languageclient: diagnostics in the Problems panel as you
// type and on save (the rule id as code, linked to the rule's page), hover
// with the rule's explanation, a quick fix that adds a
// tasklint-ignore-next-line comment.  Settings: tasklint.path, tasklint.args.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

// How the server is started: `<tasklint.path> lsp <tasklint.args...>`.
function serverOptions(config) {
  const command = config.get('path') || 'tasklint';
  const extra = config.get('args') || [];
  return { command, args: ['lsp', ...extra], transport: TransportKind.stdio };
}

const clientOptions = {
  documentSelector: [{ scheme: 'file', language: 'c' }],
};

async function activate(context) {
  const config = vscode.workspace.getConfiguration('tasklint');
  client = new LanguageClient('tasklint', 'tasklint', serverOptions(config), clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
    client = undefined;
  }
}

module.exports = { activate, deactivate, serverOptions, clientOptions };
