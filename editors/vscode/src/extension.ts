// Starts `sqlguard lsp` for SQL and Python files. All linting happens in the server;
// this client only says which files to send and how to start the command.
// esbuild bundles this file and vscode-languageclient into dist/extension.js, so the VSIX
// needs no node_modules; only `vscode` itself is left to the editor.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** What the settings say, read apart from VS Code so it can be tested with plain Node. */
export interface Settings {
  path: string | string[];
  args: string[];
  workspaceFolder?: string;
}

/** The command line that starts the server: `path... lsp args...`, `${workspaceFolder}` filled in. */
export function serverCommand(settings: Settings): { command: string; args: string[] } {
  const expand = (value: string) =>
    settings.workspaceFolder === undefined ? value : value.split("${workspaceFolder}").join(settings.workspaceFolder);
  const given = typeof settings.path === "string" ? [settings.path] : settings.path;
  const words = given.filter((word) => word.trim() !== "").map(expand);
  const [command, ...prefix] = words.length > 0 ? words : ["sqlguard"];
  // No `transport` here: sqlguard talks stdio and needs no `--stdio` flag (it accepts one anyway).
  return { command, args: [...prefix, "lsp", ...settings.args.map(expand)] };
}

function settings(): Settings {
  const configuration = vscode.workspace.getConfiguration("sqlguard");
  return {
    path: configuration.get<string | string[]>("path", "sqlguard"),
    args: configuration.get<string[]>("args", []),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  };
}

function serverOptions(): ServerOptions {
  return serverCommand(settings());
}

function clientOptions(): LanguageClientOptions {
  return {
    // .pgsql and .psql files are "sql" too: package.json contributes those extensions to it.
    documentSelector: [
      { scheme: "file", language: "sql" },
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "sql" },
    ],
    synchronize: {
      // Config edits and new migrations re-lint the open files (workspace/didChangeWatchedFiles).
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{sqlguard.toml,pyproject.toml,*.sql,*.pgsql,*.psql}"),
    },
  };
}

async function start(): Promise<void> {
  client = new LanguageClient("sqlguard", "sqlguard", serverOptions(), clientOptions());
  try {
    await client.start();
  } catch (error) {
    const { command } = serverCommand(settings());
    void vscode.window.showErrorMessage(
      `sqlguard: could not start \`${command} lsp\` (${error}). Install it with \`pip install 'sqlguard[lsp]'\` ` +
        "or set `sqlguard.path` to its executable.",
    );
  }
}

async function restart(): Promise<void> {
  await client?.stop();
  await start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("sqlguard.restart", restart),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("sqlguard.path") || event.affectsConfiguration("sqlguard.args")) {
        await restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
