"""SG053's IF [NOT] EXISTS goes after the keyword token the SQL front end located (TABLE,
ADD [COLUMN], DROP [COLUMN]), not after a regex match over the statement's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.frontends.sql import parse
from sqlguard.model import CreateIndex, DropIndex
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
        # INDEX [CONCURRENTLY]: the clause follows CONCURRENTLY when that is the next token
        ("CREATE INDEX CONCURRENTLY i ON t (a);", "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"),
        (
            "create unique index\n  concurrently i on t (a);",
            "create unique index\n  concurrently IF NOT EXISTS i on t (a);",
        ),
        ("CREATE INDEX i ON t (a);", "CREATE INDEX IF NOT EXISTS i ON t (a);"),
        ("DROP INDEX Concurrently i;", "DROP INDEX Concurrently IF EXISTS i;"),
        ("DROP INDEX i, j;", "DROP INDEX IF EXISTS i, j;"),
        ('DROP INDEX "concurrently";', 'DROP INDEX IF EXISTS "concurrently";'),
        # a comment between INDEX and CONCURRENTLY: the clause stays after INDEX, as before
        ("DROP INDEX /* c */ CONCURRENTLY i;", "DROP INDEX IF EXISTS /* c */ CONCURRENTLY i;"),
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


def test_if_exists_at_is_a_file_offset_from_the_sql_front_end() -> None:

    text = "SELECT 1;\nCREATE INDEX  CONCURRENTLY i ON t (a);\nDROP INDEX i;\n"
    changes = [c for c in parse(text).changes if isinstance(c, CreateIndex | DropIndex)]
    create, drop = changes
    assert text[: create.if_exists_at].endswith("CREATE INDEX  CONCURRENTLY")
    assert create.keyword_end is not None and text[: create.keyword_end].endswith("CREATE INDEX")
    assert text[: drop.if_exists_at].endswith("DROP INDEX")
