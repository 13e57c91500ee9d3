"""Migration layouts: how a file finds its way back (its down counterpart)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlguard.layouts import classify


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
