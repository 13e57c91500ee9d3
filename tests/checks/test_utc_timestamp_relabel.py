"""SG013 is silent on timestamp ↔ timestamptz after ``SET timezone = 'UTC'`` (PostgreSQL 12+ keeps
the table's file then; checked on PostgreSQL 15 with pg_relation_filenode), and still reports a
stated precision, a USING expression, another time zone, or no SET at all."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter

CONFIG = Config(select=frozenset({"SG013"}))


def test_only_the_relabels_in_utc_are_silent(tmp_path: Path) -> None:
    (tmp_path / "001_init.sql").write_text(
        "CREATE TABLE person (a timestamp, b timestamp(3), c timestamp, d timestamp, e timestamp);\n",
        encoding="utf-8",
    )
    later = tmp_path / "002_tz.sql"
    later.write_text(
        "ALTER TABLE person ALTER COLUMN e TYPE timestamptz;\n"  # before the SET: local time zone
        "SET timezone = 'UTC';\n"
        "ALTER TABLE person ALTER COLUMN a TYPE timestamptz USING a;\n"
        "ALTER TABLE person ALTER COLUMN b TYPE timestamptz(3);\n"
        "ALTER TABLE person ALTER COLUMN c TYPE timestamptz USING c AT TIME ZONE 'Europe/Paris';\n"
        "ALTER TABLE person ALTER COLUMN d TYPE timestamptz;\n",
        encoding="utf-8",
    )
    report = Linter(CONFIG).lint_paths([str(later)]).reports[0]
    assert [report.lines.position(d.span.start).line for d in report.diagnostics] == [1, 4, 5]


def test_a_column_of_unknown_type_turned_into_timestamptz_in_utc_is_taken_as_a_relabel(tmp_path: Path) -> None:
    path = tmp_path / "001_tz.sql"
    path.write_text(
        "SET timezone = 'UTC';\n"
        "ALTER TABLE person ALTER COLUMN published TYPE timestamptz USING published;\n"
        "ALTER TABLE person ALTER COLUMN updated TYPE timestamptz(3);\n"
        "ALTER TABLE person ALTER COLUMN score TYPE bigint;\n",
        encoding="utf-8",
    )
    report = Linter(CONFIG).lint_paths([str(path)]).reports[0]
    assert [report.lines.position(d.span.start).line for d in report.diagnostics] == [3, 4]
