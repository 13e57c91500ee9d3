"""SG045 beyond its page: the down part of a migration fails on a twice-added column too, and
an ADD COLUMN repeated in another statement is a different problem (not SG045's)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import concise, lint_snippet

SG045 = frozenset({"SG045"})


def test_column_added_twice_in_the_down_part_is_reported(tmp_path: Path) -> None:
    code = (
        "-- migrate:up\n"
        "ALTER TABLE t ADD COLUMN a int, ADD COLUMN a int;\n"
        "-- migrate:down\n"
        "ALTER TABLE t ADD COLUMN b int, ADD COLUMN b int;\n"
    )
    lines = concise(lint_snippet(tmp_path, code, filename="001_x.sql", select=SG045)).splitlines()
    assert [line.split(" SG045 ")[0] for line in lines if " SG045 " in line] == ["2:44", "4:44"]


def test_same_column_in_two_statements_is_not_a_duplicate_within_one(tmp_path: Path) -> None:
    code = "ALTER TABLE t ADD COLUMN a int;\nALTER TABLE t ADD COLUMN a int, ADD COLUMN IF NOT EXISTS a int;\n"
    assert concise(lint_snippet(tmp_path, code, select=SG045)) == ""
