"""SG017's PostgreSQL 18 help swaps the STORED token the front end located for VIRTUAL, leaving
other words spelled "stored" (a column name, a comment) alone."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import concise, lint_snippet


def test_only_the_stored_keyword_becomes_virtual(tmp_path: Path) -> None:
    code = "ALTER TABLE t /* stored */ ADD COLUMN total int GENERATED ALWAYS AS (stored * 2) STORED;\n"
    report = concise(lint_snippet(tmp_path, code, select=frozenset({"SG017"}), target_version=18))
    assert "ALTER TABLE t /* stored */ ADD COLUMN total int GENERATED ALWAYS AS (stored * 2) VIRTUAL;" in report
