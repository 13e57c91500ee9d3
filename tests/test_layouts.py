"""Migration layouts: how a file finds its way back (its down counterpart)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sqlguard.layouts import classify, natural_key


def test_flyway_versioned_file_finds_its_undo_file(tmp_path: Path) -> None:
    (tmp_path / "V2__add_note.sql").write_text("ALTER TABLE t ADD COLUMN note text;\n", encoding="utf-8")
    (tmp_path / "U2__add_note.sql").write_text("ALTER TABLE t DROP COLUMN note;\n", encoding="utf-8")
    (tmp_path / "V3__other.sql").write_text("SELECT 1;\n", encoding="utf-8")
    up = classify(tmp_path / "V2__add_note.sql")
    down = classify(tmp_path / "U2__add_note.sql")
    assert up is not None and up.counterpart == tmp_path / "U2__add_note.sql"
    assert down is not None and down.counterpart == tmp_path / "V2__add_note.sql"
    alone = classify(tmp_path / "V3__other.sql")
    assert alone is not None and alone.counterpart is None


def test_flyway_undo_file_added_later_is_found(tmp_path: Path) -> None:
    # The folder's listing is kept between calls (the language server lives long): a new file
    # changes the folder, and the next lookup lists it again.
    up = tmp_path / "V7__index.sql"
    up.write_text("CREATE INDEX i ON t (a);\n", encoding="utf-8")
    first = classify(up)
    assert first is not None and first.counterpart is None
    undo = tmp_path / "U7__index.sql"
    undo.write_text("DROP INDEX i;\n", encoding="utf-8")
    stamp = tmp_path.stat().st_mtime_ns
    os.utime(tmp_path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))  # coarse-clock filesystems
    again = classify(up)
    assert again is not None and again.counterpart == undo


@pytest.mark.parametrize(
    ("spelled", "layout", "direction", "step", "counterpart"),
    [
        ("1_add.up.sql", "updown-files", "up", "1_add", "1_add.down.sql"),
        ("db/1_add.DOWN.sql", "updown-files", "down", "1_add", "db/1_add.up.sql"),
        ("/abs/db/1_add.up.sql", "updown-files", "up", "1_add", "/abs/db/1_add.down.sql"),
        ("db/0002_orders/up.sql", "updown-dir", "up", "0002_orders", "db/0002_orders/down.sql"),
        ("down.sql", "updown-dir", "down", "", "up.sql"),
        ("/down.sql", "updown-dir", "down", "", "/up.sql"),
    ],
)
def test_counterpart_is_named_as_pathlib_names_it(
    spelled: str, layout: str, direction: str, step: str, counterpart: str
) -> None:
    # The cache finds a counterpart among the run's files by this name, so a string path and a
    # Path must give the same one as Path.with_name does.
    for path in (spelled, Path(spelled)):
        role = classify(path)
        assert role is not None
        assert (role.layout, role.direction, role.step) == (layout, direction, step)
        assert role.counterpart_path == counterpart == str(Path(spelled).with_name(Path(counterpart).name))
        assert role.counterpart == Path(counterpart)


@pytest.mark.parametrize("name", ["seed.sql", "a.", ".env", "x.tar.sql"])
def test_dbmate_file_is_found_by_its_marker_in_any_case(name: str) -> None:
    for marker in ("-- migrate:up", "  -- MIGRATE:Up  "):
        role = classify(f"db/{name}", f"{marker}\nSELECT 1;\n-- migrate:down\n")
        assert role is not None and (role.layout, role.step) == ("dbmate", Path(name).stem)
    assert classify(f"db/{name}", "SELECT 1; -- migrate:up is not at the start of its line\n") is None
    assert classify(f"db/{name}", "--migrate:up\n") is None


def test_natural_order_compares_numbers_as_numbers() -> None:
    names = ["10_b.sql", "9_a.sql", "db/2/x.sql", "db/10/x.sql", "a10", "a9b", "a09", "b", "", "1", "01a"]
    assert sorted(names, key=natural_key) == ["", "1", "01a", "9_a.sql", "10_b.sql", "a09", "a9b", "a10", "b",
                                              "db/2/x.sql", "db/10/x.sql"]
