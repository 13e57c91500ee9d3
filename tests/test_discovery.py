"""Discovery: which files a folder argument lints, in which order, and what ``exclude`` drops."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter


def _found(root: Path, *exclude: str, under: str = "") -> list[str]:
    linter = Linter(Config(exclude=tuple(exclude)))
    return [path.relative_to(root).as_posix() for path in linter.discover(root / under if under else root)]


def _tree(root: Path) -> None:
    for name in (
        "db/10_b.sql", "db/9_a.sql", "db/old/1_x.sql", "db/notes.txt",
        "alembic/versions/abc_rev.py", "build/generated.sql", "db/scratch_tmp.sql",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("SELECT 1;\n", encoding="utf-8")


def test_folders_are_walked_in_natural_order_and_only_sql_and_python_are_taken(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert _found(tmp_path) == [
        "alembic/versions/abc_rev.py", "build/generated.sql", "db/9_a.sql", "db/10_b.sql",
        "db/old/1_x.sql", "db/scratch_tmp.sql",
    ]


def test_exclude_by_folder_name_file_glob_and_whole_path(tmp_path: Path) -> None:
    _tree(tmp_path)
    root = tmp_path.as_posix()
    found = _found(tmp_path, "build", "*_tmp.sql", f"{root}/db/old/*")
    assert found == ["alembic/versions/abc_rev.py", "db/9_a.sql", "db/10_b.sql"]


def test_a_folder_argument_inside_an_excluded_folder_yields_nothing(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert _found(tmp_path, "db", under="db/old") == []
    assert _found(tmp_path, "build", under="db/old") == ["db/old/1_x.sql"]
