// Loads the VSIX's bundle with plain Node, as VS Code's extension host would require it, with a
// stand-in for the `vscode` module (the only module the host provides). Prints, as JSON, every
// module the bundle asked for, its exports, and the server command for a few settings.
// Usage: node load_vscode_bundle.js EXTENSION_JS
const Module = require("module");

function stand_in() {
  // Any property is another stand-in, callable and constructible; never a thenable.
  return new Proxy(function () {}, {
    get: (target, property) =>
      typeof property === "symbol" || property === "then" || property === "__esModule" ? undefined : stand_in(),
    apply: () => stand_in(),
    construct: () => stand_in(),
  });
}

const requested = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (parent && parent.filename === process.argv[2]) requested.add(request);
  if (request === "vscode") return stand_in();
  return load.call(this, request, parent, isMain);
};

const extension = require(process.argv[2]);
console.log(
  JSON.stringify({
    requested: [...requested].sort(),
    builtins: Module.builtinModules,
    exports: Object.fromEntries(Object.entries(extension).map(([name, value]) => [name, typeof value])),
    commands: [
      extension.serverCommand({ path: "sqlguard", args: [] }),
      extension.serverCommand({ path: ["python", "-m", "sqlguard"], args: ["--stdio"] }),
      extension.serverCommand({ path: "${workspaceFolder}/.venv/bin/sqlguard", args: [], workspaceFolder: "/w" }),
      extension.serverCommand({ path: [], args: [] }),
    ],
  }),
);
