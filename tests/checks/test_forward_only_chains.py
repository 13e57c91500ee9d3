"""SG006 in projects without down migrations: one finding per chain, at its first migration,
whichever of its files is linted; per file again with require-down = "file"; none with "off"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sqlguard.config import Config
from sqlguard.engine import Linter

MESSAGE = "no migration of this folder has a down migration"


def _prisma(root: Path, steps: int = 3) -> list[Path]:
    files = []
    for step in range(steps):
        path = root / f"2024010{step + 1}000000_step{step}" / "migration.sql"
        path.parent.mkdir(parents=True)
        path.write_text(f'CREATE TABLE "T{step}" (id bigint PRIMARY KEY);\n', encoding="utf-8")
        files.append(path)
    return files


def _sg006(linter: Linter, *paths: Path) -> dict[str, list[str]]:
    reports = linter.lint_paths([str(p) for p in paths]).reports
    return {Path(r.path).parent.name or r.path: [d.message for d in r.diagnostics] for r in reports}


def test_an_up_only_chain_gets_one_warning_at_its_first_migration(tmp_path: Path) -> None:
    files = _prisma(tmp_path / "migrations")
    linter = Linter(Config(root=tmp_path, select=frozenset({"SG006"})))
    whole = linter.lint_paths([str(tmp_path / "migrations")]).diagnostics
    assert [(d.message.startswith(MESSAGE), d.severity.value) for d in whole] == [(True, "warning")]
    assert linter.lint_paths([str(files[0])]).diagnostics == whole  # pre-commit on the first one
    assert linter.lint_paths([str(files[-1])]).diagnostics == []  # and on a later one: said once


def test_up_files_missing_their_down_where_others_have_one_are_reported_each(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    for step in (1, 2, 3):
        (folder / f"000{step}_s.up.sql").write_text(f"CREATE TABLE t{step} (id bigint);\n", encoding="utf-8")
    (folder / "0001_s.down.sql").write_text("DROP TABLE t1;\n", encoding="utf-8")
    found = Linter(Config(root=tmp_path, select=frozenset({"SG006"}))).lint_paths([str(folder)]).diagnostics
    assert [d.message.split(" has no")[0] for d in found] == ["0002_s.up.sql", "0003_s.up.sql"]


@pytest.mark.parametrize(("setting", "count"), [("file", 3), ("off", 0), ("chain", 1)])
def test_require_down_setting(tmp_path: Path, setting: str, count: int) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    for step in (1, 2, 3):
        (folder / f"000{step}_s.up.sql").write_text(f"CREATE TABLE t{step} (id bigint);\n", encoding="utf-8")
    (tmp_path / "sqlguard.toml").write_text(f'select = ["SG006"]\nrequire-down = "{setting}"\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "sqlguard", "lint", "--no-cache", "--format", "concise", "db"],
                         cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.stdout.count("SG006") == count, run.stdout + run.stderr


def test_a_wrong_require_down_value_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "sqlguard.toml").write_text('require-down = "sometimes"\n', encoding="utf-8")
    (tmp_path / "a.sql").write_text("SELECT 1;\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "sqlguard", "lint", "a.sql"], cwd=tmp_path,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "'require-down' must be one of" in run.stderr


def test_dbmate_files_whose_down_sections_are_all_empty_are_a_forward_only_chain(tmp_path: Path) -> None:
    folder = tmp_path / "db" / "migrations"
    folder.mkdir(parents=True)
    for step in (1, 2, 3):
        (folder / f"2024010{step}000000_s.sql").write_text(
            f"-- migrate:up\nCREATE TABLE t{step} (id bigint);\n\n-- migrate:down\n\n", encoding="utf-8"
        )
    found = Linter(Config(root=tmp_path, select=frozenset({"SG006"}))).lint_paths([str(folder)]).diagnostics
    assert [d.message.startswith(MESSAGE) for d in found] == [True]
