"""SG004's "why" is about the statement flagged: DROP INDEX and REINDEX too, not only CREATE INDEX."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lint_snippet


@pytest.mark.parametrize(
    ("statement", "words"),
    [
        ("CREATE INDEX i ON t (a);", ("CREATE INDEX", "block every INSERT, UPDATE and DELETE")),
        ("DROP INDEX i;", ("DROP INDEX blocks reads as well as writes",)),
        ("REINDEX INDEX i;", ("REINDEX block every INSERT",)),
    ],
)
def test_the_why_names_the_statement(tmp_path: Path, statement: str, words: tuple[str, ...]) -> None:
    report = lint_snippet(tmp_path, f"SELECT 1;\n{statement}\n", select=frozenset({"SG004"}))
    (finding,) = report.diagnostics
    assert all(word in finding.why for word in words), finding.why
