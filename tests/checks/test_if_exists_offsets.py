"""SG053's IF [NOT] EXISTS goes after the keyword token the SQL front end located (TABLE,
ADD [COLUMN], DROP [COLUMN]), not after a regex match over the statement's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lint_snippet


@pytest.mark.parametrize(
    ("code", "fixed"),
    [
        ("CREATE UNLOGGED TABLE t (id int);", "CREATE UNLOGGED TABLE IF NOT EXISTS t (id int);"),
        ("drop table t;", "drop table IF EXISTS t;"),
        ("ALTER TABLE t ADD a int;", "ALTER TABLE t ADD IF NOT EXISTS a int;"),
        ("ALTER TABLE t ADD COLUMN\n  a int;", "ALTER TABLE t ADD COLUMN IF NOT EXISTS\n  a int;"),
        ('ALTER TABLE t DROP COLUMN "Note";', 'ALTER TABLE t DROP COLUMN IF EXISTS "Note";'),
        (
            "ALTER TABLE t /* drop column b */ DROP CONSTRAINT IF EXISTS k, DROP b;",
            "ALTER TABLE t /* drop column b */ DROP CONSTRAINT IF EXISTS k, DROP IF EXISTS b;",
        ),
    ],
)
def test_clause_goes_after_the_keyword_token(tmp_path: Path, code: str, fixed: str) -> None:
    report = lint_snippet(tmp_path, code + "\n", select=frozenset({"SG053"}))
    (diagnostic,) = report.diagnostics
    assert diagnostic.fix is not None
    text = code
    for edit in sorted(diagnostic.fix.edits, key=lambda e: e.span.start, reverse=True):
        text = text[: edit.span.start] + edit.text + text[edit.span.end :]
    assert text == fixed
