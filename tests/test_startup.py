"""Startup stays small: heavy libraries are imported only by the runs that use them.

These tests read ``python -X importtime`` of a real ``sqlguard lint`` process; they check which
modules load, never how long anything takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from sqlguard.cli import _LazyGroup, cli

REPO = Path(__file__).resolve().parents[1]
NEVER_FOR_LINT = ("libcst", "sqlglot", "pygls", "lsprotocol", "psycopg", "alembic", "sqlalchemy",
                  "sqlguard.verify.command", "sqlguard.lsp.command", "concurrent.futures.process")


def imported_modules(*args: str, cwd: Path) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SQLGUARD_CACHE_DIR", None)
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sqlguard", "lint", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in completed.stderr.splitlines() if line.startswith("import time:")}


def test_concise_lint_of_one_file_skips_rich_and_optional_parts(tmp_path: Path) -> None:
    (tmp_path / "one.sql").write_text("CREATE INDEX i ON t (a);\n", encoding="utf-8")
    modules = imported_modules("--format", "concise", "one.sql", cwd=tmp_path)
    assert "pglast" in modules  # it parses, so it needs the parser ...
    assert "rich" not in modules  # ... but not rich, which only the text format uses
    assert not modules & set(NEVER_FOR_LINT)


def test_warm_cache_run_does_not_import_the_parser(tmp_path: Path) -> None:
    (tmp_path / "one.sql").write_text("CREATE INDEX i ON t (a);\n", encoding="utf-8")
    first = imported_modules("--format", "concise", "one.sql", cwd=tmp_path)
    second = imported_modules("--format", "concise", "one.sql", cwd=tmp_path)
    assert "pglast" in first
    assert "pglast" not in second
    assert not second & set(NEVER_FOR_LINT)


def test_plain_text_output_skips_rich(tmp_path: Path) -> None:
    # Not a terminal, so no colour: the text reporter writes plain lines (colour is tested in
    # tests/reporters, where rendering with colour must import rich and match these lines).
    (tmp_path / "one.sql").write_text("CREATE INDEX i ON t (a);\n", encoding="utf-8")
    modules = imported_modules("--no-cache", "one.sql", cwd=tmp_path)
    assert "sqlguard.reporters.text" in modules
    assert "rich" not in modules


hello = click.Command("hello", callback=lambda: click.echo("hello from a lazy command"))


def test_lazy_command_is_found_by_name_and_listed_in_help() -> None:
    assert isinstance(cli, _LazyGroup)
    saved = dict(cli.lazy_commands)
    cli.lazy_commands["hello"] = f"{__name__}:hello"
    cli.lazy_commands["absent"] = "sqlguard.no_such_module:command"
    try:
        runner = CliRunner()
        assert runner.invoke(cli, ["hello"]).output == "hello from a lazy command\n"
        listing = runner.invoke(cli, ["--help"]).output
        assert "  hello" in listing and "absent" not in listing
        missing = runner.invoke(cli, ["absent"])
        assert missing.exit_code == 2 and "No such command 'absent'" in missing.output
    finally:
        cli.lazy_commands = saved
        cli.commands.pop("hello", None)
