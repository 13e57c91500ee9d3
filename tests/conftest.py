"""Shared test helpers: lint a snippet as a file and render findings the way rule pages do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sqlguard.config import Config
from sqlguard.diagnostics import FileReport
from sqlguard.engine import Linter
from sqlguard.reporters.concise import format_diagnostic

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command in a subprocess, as the console script would, from this checkout."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sqlguard", *args],
        cwd=cwd or REPO,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def concise(report: FileReport) -> str:
    """Findings as in a page's ``diagnostics`` block: ``line:col ID message`` plus help."""
    return "".join(format_diagnostic(d, report.lines) + "\n" for d in report.diagnostics)


def lint_snippet(tmp_path: Path, code: str, *, filename: str = "migration.sql", **config: object) -> FileReport:
    """Write ``code`` to ``tmp_path/filename`` and lint that one file with the given settings."""
    path = tmp_path / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code, encoding="utf-8")
    linter = Linter(Config(**config))  # type: ignore[arg-type]
    result = linter.lint_paths([str(path)])
    return result.reports[0]


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
