"""Shared test helpers: lint a snippet as a file and render findings the way rule pages do."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.config import Config
from sqlguard.diagnostics import FileReport
from sqlguard.engine import Linter
from sqlguard.reporters.concise import format_diagnostic

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


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
