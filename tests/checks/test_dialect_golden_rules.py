"""SG001 and SG003 on MySQL and SQLite: what is true there, with help in that database's terms."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sqlguard.cli import cli
from sqlguard.config import Config
from sqlguard.diagnostics import Severity
from sqlguard.engine import Linter
from tests.conftest import lint_snippet

ISSUE_TABLE = "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, created DATETIME NOT NULL);\n"


def test_mysql_table_of_the_issue_gets_sg001_and_sg003_from_the_cli(tmp_path: Path) -> None:
    (tmp_path / "0001_t.sql").write_text(ISSUE_TABLE, encoding="utf-8")
    arguments = ["lint", "--dialect", "mysql", "--format", "concise", str(tmp_path / "0001_t.sql")]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if ": SG" in line]
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in lines] == ["SG001", "SG003"]
    assert ":1:20: SG001" in lines[0] and "INT AUTO_INCREMENT" in lines[0]
    assert ":1:60: SG003" in lines[1] and "DATETIME" in lines[1]
    assert "BIGINT UNSIGNED AUTO_INCREMENT" in result.output and "2038" in result.output
    assert "SG041" not in result.output  # the same key is not reported twice


def rules_of(tmp_path: Path, code: str, dialect: str, **config: object) -> list[tuple[str, int, str]]:
    report = lint_snippet(tmp_path, code, dialect=dialect, **config)
    return [(d.rule, report.lines.position(d.span.start).column, d.severity.value) for d in report.diagnostics]


def test_mysql_bigint_auto_increment_and_timestamp_are_fine(tmp_path: Path) -> None:
    code = "CREATE TABLE t (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, created TIMESTAMP NOT NULL);\n"
    assert rules_of(tmp_path, code, "mysql") == []


def test_mysql_fix_widens_the_key_and_keeps_unsigned(tmp_path: Path) -> None:
    code = "CREATE TABLE t (id SMALLINT UNSIGNED AUTO_INCREMENT PRIMARY KEY);\n"
    report = lint_snippet(tmp_path, code, dialect="mysql")
    (finding,) = report.diagnostics
    assert finding.rule == "SG001" and "65,535" in finding.message
    assert finding.fix is not None and [edit.text for edit in finding.fix.edits] == ["BIGINT"]


def test_sqlite_autoincrement_is_an_info_and_the_rowid_key_is_silent(tmp_path: Path) -> None:
    assert rules_of(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);\n", "sqlite") == [
        ("SG001", 20, Severity.INFO.value)
    ]
    assert rules_of(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY, at DATETIME, ts TIMESTAMP);\n", "sqlite") == []


def test_sqlite_only_a_localtime_default_is_a_naive_timestamp(tmp_path: Path) -> None:
    code = (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a DATETIME DEFAULT CURRENT_TIMESTAMP,"
        " b TEXT DEFAULT (datetime('now', 'localtime')));\n"
    )
    assert rules_of(tmp_path, code, "sqlite") == [("SG003", 79, Severity.WARNING.value)]


def revision(folder: Path) -> Path:
    path = folder / "a1_create.py"
    path.parent.mkdir(parents=True)
    path.write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"a1\"\ndown_revision = None\n\n\n"
        "def upgrade():\n    op.create_table(\n        \"orders\",\n"
        "        sa.Column(\"id\", sa.Integer(), primary_key=True),\n"
        "        sa.Column(\"created\", sa.DateTime(), nullable=False),\n    )\n\n\n"
        "def downgrade():\n    op.drop_table(\"orders\")\n",
        encoding="utf-8",
    )
    return path


def test_alembic_revisions_of_a_mysql_folder_get_mysql_help_and_sqlite_ones_nothing(tmp_path: Path) -> None:
    mysql = revision(tmp_path / "mysql")
    sqlite = revision(tmp_path / "sqlite")
    result = CliRunner().invoke(cli, ["lint", "--format", "concise", str(mysql), str(sqlite)])
    found = [line for line in result.output.splitlines() if ": SG" in line]
    assert [line.split(": ", 1)[1][:5] for line in found] == ["SG001", "SG003"], result.output
    assert all("mysql" in line for line in found)
    assert 'sa.Column("id", sa.BigInteger(), primary_key=True)' in result.output
    assert "timezone=True still makes a DATETIME on MySQL" in result.output


def test_datetime_with_timezone_true_is_still_a_datetime_on_mysql(tmp_path: Path) -> None:
    path = revision(tmp_path / "mysql")
    path.write_text(path.read_text().replace("sa.DateTime()", "sa.DateTime(timezone=True)"), encoding="utf-8")
    report = Linter(Config(select=frozenset({"SG003"}))).lint_paths([str(path)]).reports[0]
    assert [(d.rule, report.lines.position(d.span.start).line) for d in report.diagnostics] == [("SG003", 12)]
    timestamp = path.read_text().replace("sa.DateTime(timezone=True)", "sa.TIMESTAMP()")
    path.write_text(timestamp, encoding="utf-8")
    assert Linter(Config(select=frozenset({"SG003"}))).lint_paths([str(path)]).reports[0].diagnostics == []
