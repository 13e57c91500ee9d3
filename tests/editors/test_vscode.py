"""editors/vscode: the manifest offers what the docs promise, and the VSIX is self-contained.

The build test runs where npm is installed: ``npm ci`` once into editors/vscode/node_modules
(gitignored, reused while package-lock.json is unchanged), then ``npm run package`` in a copy,
then the VSIX is unpacked and its bundle loaded with Node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"
LOADER = Path(__file__).with_name("load_vscode_bundle.js")
MANIFEST = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))


def test_manifest_activates_on_sql_and_python_and_claims_pgsql_and_psql() -> None:
    assert MANIFEST["activationEvents"] == ["onLanguage:sql", "onLanguage:python"]
    assert MANIFEST["contributes"]["languages"] == [{"id": "sql", "extensions": [".pgsql", ".psql"]}]
    assert MANIFEST["main"] == "./dist/extension.js"


def test_manifest_has_path_and_args_settings_repository_and_license() -> None:
    settings = MANIFEST["contributes"]["configuration"]["properties"]
    assert settings["sqlguard.path"]["default"] == "sqlguard"
    assert settings["sqlguard.path"]["type"] == ["string", "array"]
    assert settings["sqlguard.args"]["default"] == []
    assert MANIFEST["repository"]["url"] == "https://github.com/sqlguard/sqlguard.git"
    assert MANIFEST["license"] == "MIT" and (EXTENSION / "LICENSE").is_file()
    assert "vscode-languageclient" in MANIFEST["dependencies"]
    assert "esbuild" in MANIFEST["devDependencies"] and "@vscode/vsce" in MANIFEST["devDependencies"]


def _node_modules() -> Path:
    """editors/vscode/node_modules, installed by ``npm ci`` unless it matches the lock file."""
    modules = EXTENSION / "node_modules"
    installed = modules / ".package-lock.json"  # npm writes it after a complete install
    lock = EXTENSION / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=EXTENSION, check=True, capture_output=True, timeout=900
        )
    return modules


@pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("node") is None, reason="Node.js and npm are not installed"
)
def test_vsix_contains_a_bundle_that_loads_with_node(tmp_path: Path) -> None:
    modules = _node_modules()
    copy = tmp_path / "vscode"
    shutil.copytree(EXTENSION, copy, ignore=shutil.ignore_patterns("node_modules", "dist", "*.vsix"))
    (copy / "node_modules").symlink_to(modules, target_is_directory=True)
    built = subprocess.run(["npm", "run", "package"], cwd=copy, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr

    with zipfile.ZipFile(copy / "sqlguard.vsix") as vsix:
        names = set(vsix.namelist())
        vsix.extractall(tmp_path / "unpacked")
    assert {"extension/package.json", "extension/dist/extension.js", "extension/LICENSE.txt"} <= names
    assert not any("node_modules" in name or name.endswith(".ts") for name in names), sorted(names)
    packed = json.loads((tmp_path / "unpacked" / "extension" / "package.json").read_text(encoding="utf-8"))
    assert packed["contributes"]["languages"] == MANIFEST["contributes"]["languages"]

    bundle = tmp_path / "unpacked" / "extension" / "dist" / "extension.js"
    loaded = subprocess.run(["node", str(LOADER), str(bundle)], capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    report = json.loads(loaded.stdout)
    # Everything but `vscode` is inside the bundle: what it requires is Node's own.
    builtins = set(report["builtins"])
    outside = [n for n in report["requested"] if n != "vscode" and n.removeprefix("node:") not in builtins]
    assert outside == []
    assert "vscode" in report["requested"]
    assert report["exports"] == {"activate": "function", "deactivate": "function", "serverCommand": "function"}
    assert report["commands"] == [
        {"command": "sqlguard", "args": ["lsp"]},
        {"command": "python", "args": ["-m", "sqlguard", "lsp", "--stdio"]},
        {"command": "/w/.venv/bin/sqlguard", "args": ["lsp"]},
        {"command": "sqlguard", "args": ["lsp"]},
    ]
