"""Exit codes and messages as a user meets them: 0 clean, 1 findings, 2 input or usage errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sqlguard.cli import cli
from tests.conftest import FIXTURES, run_cli

run = run_cli  # the other CLI tests import it under this name



def test_clean_file_exits_0(tmp_path: Path) -> None:
    (tmp_path / "ok.sql").write_text("CREATE INDEX CONCURRENTLY i ON t (a);\n")
    result = CliRunner().invoke(cli, ["lint", str(tmp_path / "ok.sql")])
    assert result.exit_code == 0, result.output
    assert "All checks passed (1 file checked)." in result.output


def test_findings_exit_1_and_show_caret_why_and_help() -> None:
    result = run("lint", "fixtures/sql-numbered/0003_index_orders_placed_at.up.sql", "--select", "SG004")
    assert result.returncode == 1
    assert result.stdout.splitlines()[:6] == [
        "fixtures/sql-numbered/0003_index_orders_placed_at.up.sql:2:1: SG004 CREATE INDEX on \"orders\" "
        "blocks writes to it until the index is built [non-concurrent-index]",
        "2 | CREATE INDEX orders_placed_at_idx ON orders (placed_at);",
        "  | " + "^" * len("CREATE INDEX orders_placed_at_idx ON orders (placed_at)"),
        "  why: Without CONCURRENTLY, building, dropping or rebuilding an index locks its table for the whole "
        "operation: CREATE INDEX and REINDEX block every INSERT, UPDATE and DELETE until the index is done "
        "(minutes on a large table), and DROP INDEX blocks reads as well as writes while it waits for running "
        "queries and drops the index.",
        "  help: CREATE INDEX CONCURRENTLY orders_placed_at_idx ON orders (placed_at);",
        "",
    ]
    assert "\x1b[" not in result.stdout, "no colour when not a terminal"


def test_fail_on_error_ignores_warnings(tmp_path: Path) -> None:
    (tmp_path / "m.sql").write_text("CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\n")
    assert CliRunner().invoke(cli, ["lint", str(tmp_path), "--fail-on", "error"]).exit_code == 0
    assert CliRunner().invoke(cli, ["lint", str(tmp_path)]).exit_code == 1


def test_bad_input_exits_2_and_lints_every_other_file() -> None:
    result = run("lint", "fixtures/bad-input", "--format", "concise")
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        'fixtures/bad-input/01_broken.sql:2:1: E001 syntax error at or near "CREAT"',
        "fixtures/bad-input/02_binary.sql:1:1: E002 binary file (NUL byte at offset 9), not text",
        "fixtures/bad-input/03_latin1.sql:1:1: E002 not UTF-8 text (invalid byte at offset 7)",
    ]
    assert "fixtures/bad-input/04_empty.sql: empty file, nothing to lint" in result.stderr
    assert "Traceback" not in result.stderr


def test_statements_after_a_syntax_error_are_still_checked(tmp_path: Path) -> None:
    (tmp_path / "m.sql").write_text("CREAT TABLE x (a int);\nCREATE INDEX i ON t (a);\n")
    result = run("lint", str(tmp_path / "m.sql"), "--format", "concise")
    assert result.returncode == 1, "a finding outranks the input error"
    assert [line.split(": ", 1)[1][:4] for line in result.stdout.splitlines() if ": " in line][:2] == ["E001", "SG00"]
    assert ":2:1: SG004" in result.stdout


def test_missing_path_is_reported_and_other_paths_still_linted(tmp_path: Path) -> None:
    (tmp_path / "m.sql").write_text("CREATE INDEX i ON t (a);\n")
    result = run("lint", str(tmp_path / "nope.sql"), str(tmp_path / "m.sql"), "--format", "concise")
    assert result.returncode == 1
    assert f"{tmp_path / 'nope.sql'}:1:1: E002 no such file or directory" in result.stdout
    assert f"{tmp_path / 'm.sql'}:1:1: SG004" in result.stdout


def test_only_a_missing_path_exits_2(tmp_path: Path) -> None:
    result = run("lint", str(tmp_path / "nope.sql"))
    assert result.returncode == 2
    assert "no such file or directory" in result.stdout


def test_folder_without_sql_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    result = run("lint", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"sqlguard: warning: {tmp_path}: no SQL or Python files found",
        "sqlguard: error: no SQL or Python files found to lint",
    ]


def test_stdin_with_filename() -> None:
    result = run("lint", "-", "--stdin-filename", "db/0001_x.sql", "--format", "concise",
                 stdin="SELECT 1;\nCREATE INDEX i ON t (a);\n")
    assert result.returncode == 1
    assert result.stdout.startswith("db/0001_x.sql:2:1: SG004 ")


def test_unknown_rule_on_the_command_line_exits_2_in_one_line() -> None:
    result = run("lint", "fixtures/sql-numbered", "--select", "SG999")
    assert result.returncode == 2
    assert result.stderr == "sqlguard: error: --select: unknown rule 'SG999' (see `sqlguard rules`)\n"


def test_no_paths_is_a_usage_error() -> None:
    result = run("lint")
    assert result.returncode == 2
    assert "give at least one path" in result.stderr


def test_files_are_only_read(tmp_path: Path) -> None:
    target = tmp_path / "m.sql"
    target.write_text("CREATE INDEX i ON t (a);\n")
    before = (target.read_bytes(), target.stat().st_mtime_ns)
    run("lint", str(tmp_path))
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.sql"]


def test_rules_lists_every_rule_and_explain_prints_a_page() -> None:
    listing = run("rules")
    assert listing.returncode == 0
    for rule_id in ("SG001", "SG002", "SG003", "SG004", "SG005", "SG006"):
        assert rule_id in listing.stdout
    page = run("explain", "non-concurrent-index")
    assert page.returncode == 0
    assert page.stdout.startswith("SG004 non-concurrent-index (locking, error, fix: sometimes)")
    assert "## Bad" in page.stdout and "## More cases" not in page.stdout
    unknown = run("explain", "SG999")
    assert unknown.returncode == 2 and "unknown rule 'SG999'" in unknown.stderr


def test_excludes_skip_folders(tmp_path: Path) -> None:
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.sql").write_text("CREATE INDEX i ON t (a);\n")
    (tmp_path / "m.sql").write_text("SELECT 1;\n")
    result = CliRunner().invoke(cli, ["lint", str(tmp_path), "--format", "concise"])
    assert result.exit_code == 0, result.output


def test_bundled_examples_show_every_golden_sql_rule() -> None:
    result = run("lint", str(FIXTURES / "sql-numbered"), str(FIXTURES / "sql-dbmate"), "--format", "concise",
                 "--select", "SG001,SG002,SG003,SG004,SG005,SG006")
    found = {line.split(": ")[1].split()[0] for line in result.stdout.splitlines() if line.startswith("/")}
    assert found == {"SG001", "SG002", "SG003", "SG004", "SG005", "SG006"}


def test_sqlguard_lints_its_own_code_clean() -> None:
    """Dogfood: our own Python (which builds SQL in verify) passes our own SG007."""
    result = run("lint", "sqlguard", "--format", "concise")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
