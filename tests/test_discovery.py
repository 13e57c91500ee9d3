"""Discovery: which files a folder argument lints, in which order, and what ``exclude`` drops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sqlguard.config import Config
from sqlguard.engine import Linter
from sqlguard.layouts import natural_key
from sqlguard.reading import read_source


def _found(root: Path, *exclude: str, under: str = "") -> list[str]:
    linter = Linter(Config(exclude=tuple(exclude)))
    return [Path(path).relative_to(root).as_posix() for path in linter.discover(root / under if under else root)]


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


def test_found_paths_are_spelled_as_pathlib_spells_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Discovery walks with strings; reports and cache keys show these spellings, so they must be
    # what str(Path(...)) gives: no "./" under ".", no doubled or trailing separators.
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    linter = Linter(Config(exclude=("build", "*_tmp.sql")))
    assert linter.discover(".") == ["alembic/versions/abc_rev.py", "db/9_a.sql", "db/10_b.sql", "db/old/1_x.sql"]
    assert linter.discover("db//old/") == ["db/old/1_x.sql"]
    assert linter.discover(Path("./db")) == ["db/9_a.sql", "db/10_b.sql", "db/old/1_x.sql"]
    assert linter.discover(tmp_path / "db" / "old") == [str(tmp_path / "db" / "old" / "1_x.sql")]


def test_files_are_read_once_each_whatever_they_are_called(tmp_path: Path) -> None:
    # A file named twice, through a symbolic link or a hard link is one file, linted once under
    # the first name it was met by.
    _tree(tmp_path)
    (tmp_path / "db" / "link.sql").symlink_to(tmp_path / "db" / "9_a.sql")
    os.link(tmp_path / "db" / "10_b.sql", tmp_path / "db" / "11_hard.sql")
    linter = Linter(Config(exclude=("old", "*_tmp.sql")))
    reports = linter.lint_paths([str(tmp_path / "db" / "9_a.sql"), str(tmp_path / "db")]).reports
    assert [Path(r.path).relative_to(tmp_path).as_posix() for r in reports] == ["db/9_a.sql", "db/10_b.sql"]


def test_unreadable_inputs_are_reported_with_their_reason(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "1_binary.sql").write_bytes(b"SELECT 1;\x00\n")
    (folder / "2_latin1.sql").write_bytes("SELECT 'caf\u00e9';\n".encode("latin-1"))
    (folder / "3_bom.sql").write_bytes(b"\xef\xbb\xbfSELECT 1;\n")
    (folder / "4_folder.sql").mkdir()  # a folder named like a file is walked into, not read
    assert read_source(folder) == (None, "is a directory")
    assert read_source(str(folder / "3_bom.sql")) == ("SELECT 1;\n", "")
    assert read_source(folder / "missing.sql") == (None, "cannot read file: No such file or directory")
    reports = Linter(Config()).lint_paths([str(folder)]).reports
    assert [(Path(r.path).name, [d.message for d in r.diagnostics]) for r in reports] == [
        ("1_binary.sql", ["binary file (NUL byte at offset 9), not text"]),
        ("2_latin1.sql", ["not UTF-8 text (invalid byte at offset 11)"]),
        ("3_bom.sql", []),
    ]


def test_byte_order_mark_is_left_out_and_offsets_of_bad_bytes_count_after_it(tmp_path: Path) -> None:
    (tmp_path / "bad.sql").write_bytes(b"\xef\xbb\xbfSELECT '\xff';\n")
    (tmp_path / "half_mark.sql").write_bytes(b"\xef\xbbSELECT 1;\n")
    assert read_source(tmp_path / "bad.sql") == (None, "not UTF-8 text (invalid byte at offset 8)")
    assert read_source(tmp_path / "half_mark.sql") == (None, "not UTF-8 text (invalid byte at offset 0)")


def test_natural_order_under_a_folder_ending_in_digits(tmp_path: Path) -> None:
    # Discovery sorts by what follows the folder; that must be the order of the whole paths.
    names = ["db2/10_b.sql", "db2/9_a.sql", "db2/9/1.sql", "db2/9a.sql", "db2/09_c.sql", "db2/x.sql", "db2/1/2.sql"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("SELECT 1;\n", encoding="utf-8")
    expected = sorted((str(tmp_path / name) for name in names), key=natural_key)
    assert Linter(Config()).discover(tmp_path / "db2") == expected
    assert [Path(p).name for p in expected][:3] == ["2.sql", "1.sql", "9_a.sql"]
