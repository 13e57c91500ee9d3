"""State snapshots: a file linted alone after an edit starts from the kept state of the files
before it, gets the same findings as without the cache, and a damaged snapshot is only a miss."""

from __future__ import annotations

import json
from pathlib import Path

from sqlguard.cache import ParseCache
from sqlguard.config import Config
from sqlguard.engine import SNAPSHOT_MIN_FILES, Linter

CONFIG = Config(select=frozenset({"SG002", "SG004"}))


def _chain(folder: Path, steps: int) -> list[Path]:
    folder.mkdir(parents=True)
    files = []
    for step in range(steps):
        path = folder / f"{step:03d}_t{step}.sql"
        # each table's FK column is indexed in the table's own migration; the next one adds the FK
        path.write_text(
            f"CREATE TABLE t{step} (id bigint PRIMARY KEY, parent_id bigint);\n"
            f"CREATE INDEX t{step}_parent_idx ON t{step} (parent_id);\n",
            encoding="utf-8",
        )
        files.append(path)
    return files


def _found(linter: Linter, path: Path) -> list[tuple[str, int]]:
    return [(d.rule, d.span.start) for d in linter.lint_paths([str(path)]).diagnostics]


def test_a_second_edit_of_the_newest_migration_starts_from_the_snapshot_the_first_kept(tmp_path: Path) -> None:
    files = _chain(tmp_path / "m", SNAPSHOT_MIN_FILES + 8)
    cache_dir = tmp_path / "cache"
    Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG)).lint_paths([str(tmp_path / "m")])
    last = files[-1]
    last.write_text("SELECT 1;\n", encoding="utf-8")
    first = Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG))
    first.lint_paths([str(last)])
    assert first.snapshots is not None and first.snapshots.loaded == 0  # rebuilt, and kept
    last.write_text(
        "ALTER TABLE t3 ADD CONSTRAINT fk FOREIGN KEY (parent_id) REFERENCES t2 (id) NOT VALID;\n"
        "CREATE INDEX t1_id_idx ON t1 (id);\n",
        encoding="utf-8",
    )
    warm = Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG))
    found = _found(warm, last)
    assert warm.snapshots is not None and warm.snapshots.loaded == 1
    assert warm.cache is not None and (warm.cache.hits, warm.cache.misses) == (0, 1)  # no earlier parse loaded
    assert found == _found(Linter(CONFIG), last) == [("SG004", 87)]  # the index made in 003 counts


def test_a_migration_being_written_after_the_last_starts_from_a_snapshot(tmp_path: Path) -> None:
    files = _chain(tmp_path / "m", SNAPSHOT_MIN_FILES + 2)
    cache_dir = tmp_path / "cache"
    Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG)).lint_paths([str(tmp_path / "m")])
    new = files[-1].with_name("999_fk.sql")
    new.write_text("SELECT 1;\n")
    Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG)).lint_paths([str(new)])
    new.write_text("ALTER TABLE t5 ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES t4 (id) NOT VALID;\n")
    warm = Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG))
    assert _found(warm, new) == _found(Linter(CONFIG), new) == []  # t5's primary key covers it
    assert warm.snapshots is not None and warm.snapshots.loaded == 1


def test_a_damaged_or_foreign_snapshot_is_a_miss_not_a_different_answer(tmp_path: Path) -> None:
    files = _chain(tmp_path / "m", SNAPSHOT_MIN_FILES + 2)
    cache_dir = tmp_path / "cache"
    Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG)).lint_paths([str(tmp_path / "m")])
    files[-1].write_text("SELECT 1;\n", encoding="utf-8")
    Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG)).lint_paths([str(files[-1])])  # keeps one
    snapshots = sorted(cache_dir.rglob("states/*.json"))
    assert snapshots
    snapshots[0].write_text("{not json", encoding="utf-8")
    for other in snapshots[1:]:
        data = json.loads(other.read_text(encoding="utf-8"))
        data["state"]["tables"] = [["t0", 7]]  # the wrong shape
        other.write_text(json.dumps(data), encoding="utf-8")
    files[-1].write_text("CREATE INDEX t1_id_idx ON t1 (id);\n", encoding="utf-8")
    warm = Linter(CONFIG, cache=ParseCache(cache_dir, CONFIG))
    assert _found(warm, files[-1]) == _found(Linter(CONFIG), files[-1]) == [("SG004", 0)]
    assert warm.snapshots is not None and warm.snapshots.loaded == 0


def test_the_editor_shares_snapshots_and_stamps_with_the_command_line(tmp_path: Path) -> None:
    # The CLI's config root is the current folder; the editor's, without a config file, the
    # document's folder: results are keyed by it (per-file ignores), parses and states are not.
    files = _chain(tmp_path / "m", SNAPSHOT_MIN_FILES + 2)
    cache_dir = tmp_path / "cache"
    cli = Config(select=CONFIG.select, root=tmp_path)
    Linter(cli, cache=ParseCache(cache_dir, cli)).lint_paths([str(tmp_path / "m")])
    editor_config = Config(select=CONFIG.select, root=tmp_path / "m")
    editor = Linter(editor_config, cache=ParseCache(cache_dir, editor_config))
    new = files[-1].with_name("999_new.sql")
    state, _ = editor.context_before(str(new), "SELECT 1;\n")
    assert editor.snapshots is not None and editor.snapshots.loaded == 1
    assert editor.cache is not None and (editor.cache.hits, editor.cache.misses) == (0, 0)  # nothing parsed
    assert state.created_in("t3", str(files[3]))
