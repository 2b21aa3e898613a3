// Starts `meed lsp` for .meed files. Everything the editor shows beyond
// highlighting (diagnostics, hover, definition, completion, formatting,
// rename) comes from the language server, so the editor and `meed check`
// never disagree.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("meed").get("path", "meed");
  const run = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "meed",
    "meed language server",
    { run, debug: run },
    { documentSelector: [{ scheme: "file", language: "meed" }] }
  );
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `meed: could not start \`${command} lsp\` (${error.message}). Install meed or set "meed.path".`
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
