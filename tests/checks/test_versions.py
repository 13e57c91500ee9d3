"""target-version and assume-in-transaction, from config files and options, change what fires."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_exit_codes import run

ADD_VALUE = "\nALTER TYPE mood ADD VALUE 'calm';\nUPDATE people SET mood = 'calm' WHERE id = 1;\n"


def _lint(folder: Path, *options: str) -> list[str]:
    result = run("lint", "0001_add_mood_calm.sql", "--format", "concise", "--select", "SG043", *options, cwd=folder)
    assert result.returncode in (0, 1), result.stderr
    return [line for line in result.stdout.splitlines() if not line.startswith(" ")]


def test_target_version_in_config_file_changes_the_finding(tmp_path: Path) -> None:
    (tmp_path / "0001_add_mood_calm.sql").write_text(ADD_VALUE)
    (tmp_path / "sqlguard.toml").write_text("target-version = 11\nassume-in-transaction = true\n")
    assert _lint(tmp_path) == [
        "0001_add_mood_calm.sql:2:1: SG043 ALTER TYPE mood ADD VALUE cannot run inside a transaction block"
        " before PostgreSQL 12: the migration fails (target is 11)"
    ]
    (tmp_path / "sqlguard.toml").write_text('target-version = "16"\nassume-in-transaction = true\n')
    assert _lint(tmp_path) == [
        "0001_add_mood_calm.sql:3:1: SG043 enum value 'calm' is used in the transaction that adds it to mood:"
        ' PostgreSQL fails with "unsafe use of new value" until that transaction commits'
    ]


def test_without_a_transaction_adding_a_value_is_fine_on_any_version(tmp_path: Path) -> None:
    (tmp_path / "0001_add_mood_calm.sql").write_text(ADD_VALUE)
    assert _lint(tmp_path, "--target-version", "11") == []
    assert len(_lint(tmp_path, "--target-version", "11", "--assume-in-transaction")) == 1
