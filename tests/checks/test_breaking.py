"""Breaking-change rules across files of one run (pages lint one file at a time)."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter
from tests.conftest import concise


def _lint_dir(tmp_path: Path, files: dict[str, str], **config: object) -> list[str]:
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    result = Linter(Config(**config)).lint_paths([str(tmp_path)])  # type: ignore[arg-type]
    return [f"{Path(r.path).name} {concise(r)}" for r in result.reports if r.diagnostics]


def test_renamed_column_help_uses_the_type_from_an_earlier_migration(tmp_path: Path) -> None:
    out = _lint_dir(
        tmp_path,
        {
            "0001_create_payments.sql": "CREATE TABLE payments (id bigint PRIMARY KEY, paid_at timestamptz);\n",
            "0002_rename_paid_at.sql": "\nALTER TABLE payments RENAME paid_at TO settled_at;\n",
        },
        select=frozenset({"SG030"}),
    )
    assert len(out) == 1
    assert out[0].startswith("0002_rename_paid_at.sql 2:1 SG030 ")
    assert "ALTER TABLE payments ADD COLUMN settled_at timestamptz;" in out[0]


def test_table_created_and_dropped_in_one_migration_is_not_breaking(tmp_path: Path) -> None:
    out = _lint_dir(
        tmp_path,
        {
            "0001_create_scratch.sql": "CREATE TABLE scratch (id bigint);\n",
            "0002_drop_scratch.sql": "DROP TABLE scratch;\n",
        },
        select=frozenset({"SG033"}),
    )
    assert [line.split(" SG033")[0] for line in out] == ["0002_drop_scratch.sql 1:1"]


def test_squawk_ignore_comment_silences_the_matching_rule(tmp_path: Path) -> None:
    from tests.conftest import lint_snippet

    code = "-- squawk-ignore ban-drop-column\nALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP COLUMN b;\n"
    report = lint_snippet(tmp_path, code, select=frozenset({"SG032"}))
    assert concise(report).startswith("3:1 SG032 ")
    assert len(report.diagnostics) == 1
