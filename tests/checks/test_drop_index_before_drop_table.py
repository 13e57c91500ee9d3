"""SG004 is silent on a DROP INDEX whose table the same part of the migration drops later, even
with other statements between (a down undoing a feature: its indexes, a trigger, its tables)."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter

CONFIG = Config(select=frozenset({"SG004"}))


def _found(path: Path) -> list[tuple[str, int]]:
    report = Linter(CONFIG).lint_paths([str(path)]).reports[0]
    return [(d.rule, report.lines.position(d.span.start).line) for d in report.diagnostics]


def test_indexes_dropped_before_their_tables_in_a_down_file(tmp_path: Path) -> None:
    (tmp_path / "0001_init.up.sql").write_text(
        "CREATE TABLE comments (id bigint PRIMARY KEY, parent_id bigint);\n"
        "CREATE TABLE reactions (id bigint PRIMARY KEY, comment_id bigint);\n"
        "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
        encoding="utf-8",
    )
    (tmp_path / "0002_indexes.up.sql").write_text(
        "CREATE INDEX CONCURRENTLY comments_parent_idx ON comments (parent_id);\n"
        "CREATE INDEX CONCURRENTLY reactions_comment_idx ON reactions (comment_id);\n"
        "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);\n",
        encoding="utf-8",
    )
    down = tmp_path / "0002_indexes.down.sql"
    down.write_text(
        "DROP INDEX IF EXISTS comments_parent_idx;\n"
        "DROP INDEX IF EXISTS reactions_comment_idx;\n"
        "DROP INDEX IF EXISTS users_name_idx;\n"
        "DROP TRIGGER IF EXISTS comments_touch ON comments;\n"
        "DROP TABLE IF EXISTS reactions;\n"
        "DROP TABLE IF EXISTS comments;\n",
        encoding="utf-8",
    )
    # users stays: dropping its index still blocks it
    assert _found(down) == [("SG004", 3)]
