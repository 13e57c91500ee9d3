"""Hostile and huge input through the real command: every file gets findings or a clear note,
never a crash (exit 3, or a segfault that loses every report), a hang, or a silent pass.

Each case runs ``sqlguard lint`` in a subprocess (a segfault there fails the test instead of
killing pytest; the timeout turns a hang into a failure).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import run_cli

INDEX = "CREATE INDEX i ON t (a);\n"
SG004 = '{name}:{line}:1: SG004 CREATE INDEX on "t" blocks writes to it until the index is built'


def lint(folder: Path, *names: str) -> tuple[int, list[str]]:
    result = run_cli("lint", "--no-cache", "--format", "concise", *names, cwd=folder)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result.returncode, [line for line in result.stdout.splitlines() if not line.startswith("  ")]


DEEP_SQL = {
    "concat_480.sql": "SELECT " + " || ".join(["'a'"] * 480) + ";\n",
    "concat_10000.sql": "SELECT " + " || ".join(["'a'"] * 10_000) + ";\n",
    "array_320.sql": "SELECT " + "ARRAY[" * 320 + "1" + "]" * 320 + ";\n",
    "array_3000.sql": "SELECT " + "ARRAY[" * 3000 + "1" + "]" * 3000 + ";\n",
    "subselect_140.sql": "SELECT " + "(SELECT " * 140 + "1" + ")" * 140 + ";\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_SQL))
def test_deep_sql_is_read_and_the_next_statement_is_checked(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(DEEP_SQL[name] + INDEX, encoding="utf-8")
    assert lint(tmp_path, name) == (1, [SG004.format(name=name, line=2)])


def test_sql_deeper_than_postgresql_parses_is_a_syntax_error_not_a_crash(tmp_path: Path) -> None:
    deep = "SELECT " + "ARRAY[" * 10_000 + "1" + "]" * 10_000 + ";\n"
    (tmp_path / "a.sql").write_text(deep + INDEX, encoding="utf-8")
    error = 'a.sql:1:29996: E001 memory exhausted at or near "ARRAY"'
    assert lint(tmp_path, "a.sql") == (1, [error, SG004.format(name="a.sql", line=2)])


REVISION = '''"""add an index"""
from alembic import op

revision = "a1"
down_revision = None

def upgrade():
    op.execute({sql})
    op.create_index("ix", "t", ["a"])

def downgrade():
    op.drop_index("ix")
'''


def test_alembic_revision_with_480_joined_literals_is_checked(tmp_path: Path) -> None:
    """It used to be skipped whole (exit 0, no note): its create_index was never reported."""
    (tmp_path / "a1_add.py").write_text(REVISION.format(sql=" + ".join(["'SELECT 1'"] * 480)), encoding="utf-8")
    finding = 'a1_add.py:9:5: SG004 CREATE INDEX on "t" blocks writes to it until the index is built'
    assert lint(tmp_path, "a1_add.py") == (1, [finding])


PYTHON_TOO_DEEP = {
    "parens_1300.py": "def f(cursor):\n    cursor.execute(" + "(" * 1300 + "'SELECT 1'" + ")" * 1300 + ")\n",
    "chain_4000.py": "def f(cursor):\n    cursor" + ".a()" * 4000 + "\n    cursor.execute('SELECT 1')\n",
    # A syntax error before the deep part: CPython names the error, libcst would still recurse.
    "broken_then_parens.py": "def f(cursor:\n    cursor.execute(" + "[" * 1300 + "]" * 1300 + ")\n",
    "plus_3000_revision.py": REVISION.format(sql=" + ".join(["'SELECT 1'"] * 3000)),
}
REASONS = {
    "parens_1300.py": "brackets nested more than 200 deep",
    "chain_4000.py": "an expression nested thousands of levels deep",
    "broken_then_parens.py": "brackets nested more than 200 deep",
    "plus_3000_revision.py": "an expression nested thousands of levels deep",
}


@pytest.mark.parametrize("name", sorted(PYTHON_TOO_DEEP))
def test_python_too_deep_for_libcst_is_a_note_not_a_segfault(tmp_path: Path, name: str) -> None:
    """libcst's native parser overflowed the C stack on these (exit 139, no report at all)."""
    (tmp_path / name).write_text(PYTHON_TOO_DEEP[name], encoding="utf-8")
    (tmp_path / "other.sql").write_text(INDEX, encoding="utf-8")
    message = f"{name}:1:1: E003 {REASONS[name]}: nothing in this file was checked"
    assert lint(tmp_path, name) == (2, [message])
    assert lint(tmp_path, name, "other.sql") == (1, [message, SG004.format(name="other.sql", line=1)])


def test_huge_python_file_is_a_note(tmp_path: Path) -> None:
    text = 'cursor.execute("SELECT 1")\nX = [\n' + "    1,\n" * 200_000 + "]\n"
    (tmp_path / "big.py").write_text(text, encoding="utf-8")
    assert lint(tmp_path, "big.py") == (2, [
        "big.py:1:1: E003 a Python file of 1,400,035 characters (sqlguard reads up to 1,000,000): "
        "nothing in this file was checked"
    ])


def test_nul_byte_after_the_first_8_kb_is_not_a_silent_cut(tmp_path: Path) -> None:
    """Parsers stop at a NUL: the statements after it were silently dropped."""
    head = "-- padding\n" * 1000  # 11,000 characters
    (tmp_path / "late_nul.sql").write_bytes((head + "SELECT 1;\x00\n" + INDEX).encode())
    note = "late_nul.sql:1:1: E002 binary file (NUL byte at offset 11009), not text"
    assert lint(tmp_path, "late_nul.sql") == (2, [note])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_like_sql_is_skipped_with_a_note_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.sql")
    (tmp_path / "y.sql").write_text(INDEX, encoding="utf-8")
    note = "x.sql:1:1: E002 not a regular file (a FIFO), skipped"
    assert lint(tmp_path, "x.sql") == (2, [note])
    assert lint(tmp_path, ".") == (1, [note, SG004.format(name="y.sql", line=1)])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_device_named_like_sql_is_skipped_with_a_note(tmp_path: Path) -> None:
    """/dev/zero never ends: reading it would fill the memory."""
    (tmp_path / "zero.sql").symlink_to("/dev/zero")
    assert lint(tmp_path, "zero.sql") == (2, ["zero.sql:1:1: E002 not a regular file (a device), skipped"])


@pytest.mark.parametrize(("tail", "error"), [
    ("SELECT 'open;\n", "2:8: E001 unterminated quoted string at or near \"'open;\\n\""),
    ("SELECT $$ open\n", "2:8: E001 unterminated dollar-quoted string at or near \"$$ open\\n\""),
])
def test_statements_before_an_unterminated_quote_are_still_checked(tmp_path: Path, tail: str, error: str) -> None:
    """The scanner stops at the open quote; the whole file used to be that one E001 (exit 2)."""
    (tmp_path / "q.sql").write_text("SELECT 'é'; " + INDEX + tail, encoding="utf-8")
    code, lines = lint(tmp_path, "q.sql")
    assert code == 1
    assert lines[0] == 'q.sql:1:13: SG004 CREATE INDEX on "t" blocks writes to it until the index is built'
    assert lines[1] == f"q.sql:{error}"
