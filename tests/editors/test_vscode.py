"""editors/vscode builds with npm from its lock file, and its manifest offers what the docs promise."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"


def test_manifest_activates_on_sql_and_python_with_a_configurable_path() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert manifest["activationEvents"] == ["onLanguage:sql", "onLanguage:python"]
    setting = manifest["contributes"]["configuration"]["properties"]["sqlguard.path"]
    assert setting["default"] == ["sqlguard"]
    assert manifest["main"] == "./out/extension.js"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_extension_builds_with_npm(tmp_path: Path) -> None:
    copy = tmp_path / "vscode"
    shutil.copytree(EXTENSION, copy, ignore=shutil.ignore_patterns("node_modules", "out"))
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=copy, check=True, capture_output=True, timeout=600
    )
    subprocess.run(["npm", "run", "compile"], cwd=copy, check=True, capture_output=True, timeout=300)
    built = (copy / "out" / "extension.js").read_text(encoding="utf-8")
    assert '"lsp"' in built and "exports.activate" in built
