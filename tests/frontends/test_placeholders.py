"""SQL in Python with the driver's placeholders (``:name``, ``%s``, ``%(name)s``) parses as it runs
(parameters bound): no E001 on valid code, and findings keep their exact place."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.frontends.placeholders import bind_stand_ins
from tests.conftest import concise, lint_snippet
from tests.frontends.test_alembic_positions import revision_file


@pytest.mark.parametrize(
    ("sql", "bound"),
    [
        ("SELECT * FROM t WHERE a = :name", "SELECT * FROM t WHERE a = $1   "),
        ("VALUES (:id, :limit)", "VALUES ($1 , $1    )"),
        ("UPDATE t SET a = %s WHERE b = %(b)s", "UPDATE t SET a = $1 WHERE b = $1   "),
        ("SELECT 'x%%' || %s", "SELECT 'x%%' || $1"),
        ("SELECT a % b, c %% d, %s", "SELECT a % b, c %% d, $1"),
    ],
)
def test_placeholders_become_parameters_of_the_same_width(sql: str, bound: str) -> None:
    assert bind_stand_ins(sql) == bound
    assert len(bind_stand_ins(sql)) == len(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT b::int, a[1:2], ':x', \":y\" FROM t -- :z",
        "SELECT a[lo:hi] FROM t",
        "SELECT 1",
    ],
)
def test_casts_slices_strings_names_and_comments_are_not_placeholders(sql: str) -> None:
    assert bind_stand_ins(sql) == sql


def test_no_syntax_error_on_sql_with_bind_parameters(tmp_path: Path) -> None:
    body = (
        '    op.execute(sa.text(\'INSERT INTO limits (id, "limit") VALUES (:id, :limit)\'))\n'
        '    op.execute("UPDATE t SET a = %s WHERE b = %(b)s AND c LIKE \'x%%\'")\n'
        '    op.execute(sa.text("DELETE FROM events WHERE id IN (SELECT id FROM events LIMIT :batch)"))\n'
    )
    report = lint_snippet(tmp_path, revision_file(body), filename="0001_binds.py", select=frozenset({"ALL"}))
    assert "E001" not in concise(report)


def test_findings_inside_sql_with_placeholders_keep_their_place(tmp_path: Path) -> None:
    body = '    op.execute(sa.text("UPDATE orders SET note = :note"))\n'
    report = lint_snippet(tmp_path, revision_file(body), filename="0001_note.py", select=frozenset({"SG052"}))
    assert concise(report).startswith("9:25 SG052 UPDATE of every row of \"orders\"")
    assert "UPDATE orders SET note = :note" in concise(report)


def test_a_real_syntax_error_is_still_reported(tmp_path: Path) -> None:
    body = '    op.execute(sa.text("UPDATE orders SET WHERE id = :id"))\n'
    report = lint_snippet(tmp_path, revision_file(body), filename="0001_bad.py")
    assert concise(report).startswith("9:43 E001 syntax error at or near \"WHERE\"")


def test_sqlite_revisions_read_their_sql_as_sqlite(tmp_path: Path) -> None:
    body = '    op.execute("PRAGMA foreign_keys=OFF")\n    op.execute("DROP TABLE legacy")\n'
    report = lint_snippet(tmp_path, revision_file(body), filename="0001_sqlite.py", dialect="sqlite")
    output = concise(report)
    assert "E001" not in output
    assert "SG033" in output
    assert concise(lint_snippet(tmp_path, revision_file(body), filename="pg/0002_pg.py")).startswith("9:17 E001")
