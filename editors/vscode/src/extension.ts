// Starts `sqlguard lsp` for SQL and Python files. All linting happens in the server;
// this client only says which files to send and how to start the command.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const configured = vscode.workspace.getConfiguration("sqlguard").get<string[]>("path", ["sqlguard"]);
  const [command, ...args] = configured.length > 0 ? configured : ["sqlguard"];
  // No `transport` here: sqlguard talks stdio and needs no `--stdio` flag (it accepts one anyway).
  return { command, args: [...args, "lsp"] };
}

function clientOptions(): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: "file", language: "sql" },
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "sql" },
    ],
    synchronize: {
      // Config edits and new migrations re-lint the open files (workspace/didChangeWatchedFiles).
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{sqlguard.toml,pyproject.toml,*.sql}"),
    },
  };
}

async function start(): Promise<void> {
  client = new LanguageClient("sqlguard", "sqlguard", serverOptions(), clientOptions());
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("sqlguard.restart", async () => {
      await client?.stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("sqlguard.path")) {
        await client?.stop();
        await start();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
