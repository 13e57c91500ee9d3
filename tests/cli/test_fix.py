"""``sqlguard lint --fix`` / ``--diff``: safe fixes are applied only when asked, exactly where found."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sqlguard.cli import cli
from sqlguard.diagnostics import Diagnostic, Edit, Fix, Span
from sqlguard.fixes import choose_edits

BAD = (
    "CREATE TABLE t (id bigint);\nCREATE INDEX a ON orders (x);\n-- keep\n"
    "DROP INDEX b;\nCREATE INDEX c ON t (id);\n"
)
FIXED = (
    "CREATE TABLE t (id bigint);\nCREATE INDEX CONCURRENTLY a ON orders (x);\n-- keep\n"
    "DROP INDEX CONCURRENTLY b;\nCREATE INDEX c ON t (id);\n"
)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no config file above tmp_path is picked up from the checkout
    return CliRunner()


def test_fix_rewrites_the_findings_and_leaves_new_tables_alone(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "001_orders.sql"
    path.write_text(BAD)
    result = runner.invoke(cli, ["lint", "--fix", "--format", "concise", str(path)])
    assert path.read_text() == FIXED
    assert result.stdout == ""
    assert result.stderr == "sqlguard: fixed 2 findings in 1 file (SG004)\n"
    assert result.exit_code == 0


def test_lint_without_fix_never_writes(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "001_orders.sql"
    path.write_text(BAD)
    result = runner.invoke(cli, ["lint", "--format", "concise", str(path)])
    assert result.exit_code == 1
    assert path.read_text() == BAD


def test_diff_prints_a_unified_diff_writes_nothing_and_exits_1(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "001_orders.sql"
    path.write_text(BAD)
    result = runner.invoke(cli, ["lint", "--diff", "001_orders.sql"])
    assert path.read_text() == BAD
    assert result.stdout == (
        "--- a/001_orders.sql\n+++ b/001_orders.sql\n@@ -1,5 +1,5 @@\n CREATE TABLE t (id bigint);\n"
        "-CREATE INDEX a ON orders (x);\n+CREATE INDEX CONCURRENTLY a ON orders (x);\n -- keep\n"
        "-DROP INDEX b;\n+DROP INDEX CONCURRENTLY b;\n CREATE INDEX c ON t (id);\n"
    )
    assert result.stderr == "sqlguard: would fix 2 findings in 1 file (SG004)\n"
    assert result.exit_code == 1


def test_diff_with_nothing_to_fix_exits_0(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "ok.sql").write_text("CREATE INDEX CONCURRENTLY a ON orders (x);\n")
    result = runner.invoke(cli, ["lint", "--diff", "ok.sql"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "sqlguard: no safe fixes available\n"


def test_fix_reports_what_is_left_at_its_position(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "001_ok.sql").write_text("CREATE INDEX a ON orders (x);\n")
    (tmp_path / "002_broken.sql").write_text("SELECT 1;\nCREATE INDEXX b ON orders (y);\n")
    result = runner.invoke(cli, ["lint", "--fix", "--format", "concise", "."])
    assert (tmp_path / "001_ok.sql").read_text() == "CREATE INDEX CONCURRENTLY a ON orders (x);\n"
    assert result.stdout.startswith("002_broken.sql:2:8: E001 ")
    assert result.exit_code == 2


def test_schema_state_carries_across_files_when_fixing(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "001_create.sql").write_text("CREATE TABLE t (id bigint);\nCREATE INDEX i1 ON t (id);\n")
    (tmp_path / "002_index.sql").write_text("CREATE INDEX i2 ON t (id);\n")
    result = runner.invoke(cli, ["lint", "--fix", "."])
    created = "CREATE TABLE t (id bigint);\nCREATE INDEX i1 ON t (id);\n"
    assert (tmp_path / "001_create.sql").read_text() == created
    assert (tmp_path / "002_index.sql").read_text() == "CREATE INDEX CONCURRENTLY i2 ON t (id);\n"
    assert result.exit_code == 0


def test_fix_keeps_crlf_line_endings_and_byte_order_mark(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "m.sql"
    path.write_bytes(b"\xef\xbb\xbfSELECT 1;\r\nCREATE INDEX a ON orders (x);\r\n")
    runner.invoke(cli, ["lint", "--fix", "m.sql"])
    assert path.read_bytes() == b"\xef\xbb\xbfSELECT 1;\r\nCREATE INDEX CONCURRENTLY a ON orders (x);\r\n"


def test_fix_on_stdin_prints_the_fixed_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["lint", "--fix", "-"], input="REINDEX TABLE orders;\n")
    assert result.stdout == "REINDEX TABLE CONCURRENTLY orders;\n"
    assert result.exit_code == 0


def _diagnostic(start: int, end: int, text: str, *, safe: bool = True) -> Diagnostic:
    fix = Fix("t", (Edit(Span(start, end), text),), safe=safe)
    return Diagnostic("SG999", Span(start, end), "m", fix=fix)


def test_overlapping_and_unsafe_fixes_are_not_chosen() -> None:
    first = _diagnostic(0, 4, "a")
    overlapping = _diagnostic(2, 6, "b")
    same_point = _diagnostic(0, 0, "c")
    unsafe = _diagnostic(10, 12, "d", safe=False)
    later = _diagnostic(6, 8, "e")
    chosen, edits = choose_edits([first, overlapping, same_point, unsafe, later])
    assert chosen == [first, later]
    assert [e.text for e in edits] == ["a", "e"]


def test_fix_applies_serial_timestamp_and_concurrently_fixes_together(
    tmp_path: Path, runner: CliRunner
) -> None:
    path = tmp_path / "0001_t.sql"
    path.write_text(
        "CREATE TABLE t (\n  id serial PRIMARY KEY,\n  seen timestamp\n);\n"
        "CREATE INDEX i ON orders (x);\nALTER TABLE orders ADD COLUMN paid_at timestamp without time zone;\n"
    )
    result = runner.invoke(cli, ["lint", "--fix", "--format", "concise", "0001_t.sql"])
    assert path.read_text() == (
        "CREATE TABLE t (\n  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n  seen timestamptz\n);\n"
        "CREATE INDEX CONCURRENTLY i ON orders (x);\nALTER TABLE orders ADD COLUMN paid_at timestamptz;\n"
    )
    assert result.stderr == "sqlguard: fixed 4 findings in 1 file (SG001, SG003, SG004)\n"
    assert (result.exit_code, result.stdout) == (0, "")


def test_diff_on_a_file_that_does_not_parse_exits_2_and_writes_nothing(
    tmp_path: Path, runner: CliRunner
) -> None:
    path = tmp_path / "broken.sql"
    path.write_text("CREATE INDEXX i ON t (a);\n")
    result = runner.invoke(cli, ["lint", "--diff", "broken.sql"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert path.read_text() == "CREATE INDEXX i ON t (a);\n"


ALEMBIC_NAIVE = '''"""add events"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("events", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("at", sa.DateTime()))


def downgrade():
    op.drop_table("events")
'''


def test_fix_makes_alembic_datetime_timezone_aware(tmp_path: Path, runner: CliRunner) -> None:
    """Runs once the Alembic front end is on main (the Python fixes come with it)."""
    pytest.importorskip("sqlguard.frontends.alembic")
    path = tmp_path / "0001_add_events.py"
    path.write_text(ALEMBIC_NAIVE)
    result = runner.invoke(cli, ["lint", "--fix", "--select", "SG003", "0001_add_events.py"])
    assert path.read_text() == ALEMBIC_NAIVE.replace(
        'sa.Column("at", sa.DateTime())', 'sa.Column("at", sa.DateTime(timezone=True))'
    )
    assert result.stderr == "sqlguard: fixed 1 finding in 1 file (SG003)\n"
    assert result.exit_code == 0
