"""The parse cache: an unchanged file is not parsed again, and nothing about the results changes.

Each test lints real files twice (or more) and compares the concise reports at exact line and
column; "not parsed again" is proven by making the front end raise once the cache is warm.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sqlguard.cache
import sqlguard.parallel
from sqlguard.cache import ParseCache, resolve_cache_dir
from sqlguard.config import Config
from sqlguard.engine import Linter
from sqlguard.model import Migration
from sqlguard.reporters import concise

REPO = Path(__file__).resolve().parents[2]

# Two migrations where SG004 depends on the schema state built by the earlier file: the index in
# 1_create is on a table created there (fine), the one in 2_index is not (a finding).
SCHEMA_AWARE = {
    "1_create.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n"
    "CREATE INDEX idx_orders_id ON orders (id);\n",
    "2_index.sql": "-- later, on a live table\nCREATE INDEX idx_orders_customer ON orders (customer_id);\n",
}
SCHEMA_AWARE_REPORT = (
    "{root}/2_index.sql:2:1: SG004 CREATE INDEX on \"orders\" blocks writes to it until the index is built\n"
    "  help: CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id);\n"
)


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def lint(folder: Path, cache_dir: Path | None, config: Config | None = None) -> tuple[str, ParseCache | None]:
    config = config or Config()
    cache = ParseCache(cache_dir, config) if cache_dir is not None else None
    result = Linter(config, cache=cache, jobs=1).lint_paths([str(folder)])
    return concise.render(result.reports), cache


def test_warm_run_parses_nothing_and_reports_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write(tmp_path / "migrations", SCHEMA_AWARE)
    cold, cold_cache = lint(folder, tmp_path / "cache")
    assert cold == SCHEMA_AWARE_REPORT.format(root=folder)
    assert cold_cache is not None and (cold_cache.hits, cold_cache.misses) == (0, 2)

    def refuse(path: str, text: str, config: Config) -> Migration:
        raise AssertionError(f"{path} was parsed although it is unchanged and cached")

    monkeypatch.setattr(sqlguard.parallel, "parse_file", refuse)
    warm, warm_cache = lint(folder, tmp_path / "cache")
    assert warm == cold
    assert warm_cache is not None and (warm_cache.hits, warm_cache.misses) == (2, 0)


def test_schema_aware_finding_follows_an_earlier_file_that_changed(tmp_path: Path) -> None:
    """2_index.sql comes from the cache, yet its finding disappears once 1_create.sql (re-parsed)
    creates the index's table in that same file: checks always re-run on the current schema."""
    folder = write(tmp_path / "m", SCHEMA_AWARE)
    lint(folder, tmp_path / "cache")
    (folder / "1_create.sql").write_text("CREATE INDEX CONCURRENTLY idx_x ON other (id);\n", encoding="utf-8")
    comment = "-- later, on a live table"
    created_here = SCHEMA_AWARE["2_index.sql"].replace(comment, "CREATE TABLE orders (id bigint);")
    (folder / "2_index.sql").write_text(created_here, encoding="utf-8")
    warm, cache = lint(folder, tmp_path / "cache")
    assert warm == ""
    # And back: the original contents are served from the cache with the original finding.
    write(folder, SCHEMA_AWARE)
    again, cache = lint(folder, tmp_path / "cache")
    assert again == SCHEMA_AWARE_REPORT.format(root=folder)
    assert cache is not None and cache.hits == 2


def test_changed_content_is_parsed_again(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {"1.sql": "CREATE INDEX CONCURRENTLY i ON t (a);\n"})
    assert lint(folder, tmp_path / "cache")[0] == ""
    (folder / "1.sql").write_text("SELECT 1;\n\n  CREATE INDEX i ON t (a);\n", encoding="utf-8")
    report, cache = lint(folder, tmp_path / "cache")
    assert report == (
        f"{folder}/1.sql:3:3: SG004 CREATE INDEX on \"t\" blocks writes to it until the index is built\n"
        "  help: CREATE INDEX CONCURRENTLY i ON t (a);\n"
    )
    assert cache is not None and (cache.hits, cache.misses) == (0, 1)


def test_changed_config_is_a_miss(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {"1.sql": "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;\n"})
    lint(folder, tmp_path / "cache", Config())
    _, same = lint(folder, tmp_path / "cache", Config())
    _, other = lint(folder, tmp_path / "cache", Config(assume_in_transaction=True))
    _, target = lint(folder, tmp_path / "cache", Config(target_version=12))
    assert same is not None and (same.hits, same.misses) == (1, 0)
    assert other is not None and (other.hits, other.misses) == (0, 1)
    assert target is not None and (target.hits, target.misses) == (0, 1)


def test_new_sqlguard_version_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path / "m", {"1.sql": "CREATE INDEX i ON t (a);\n"})
    lint(folder, tmp_path / "cache")
    monkeypatch.setattr(sqlguard.cache, "__version__", "99.0.0")
    _, cache = lint(folder, tmp_path / "cache")
    assert cache is not None and (cache.hits, cache.misses) == (0, 1)


def test_edited_sqlguard_source_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer edits a front end without bumping the version: cached parses must not be reused."""
    folder = write(tmp_path / "m", {"1.sql": "CREATE INDEX i ON t (a);\n"})
    lint(folder, tmp_path / "cache")
    monkeypatch.setattr(sqlguard.cache, "_code_fingerprint", lambda: "edited")
    _, cache = lint(folder, tmp_path / "cache")
    assert cache is not None and (cache.hits, cache.misses) == (0, 1)


def test_down_file_appearing_or_emptying_is_seen(tmp_path: Path) -> None:
    """The SQL front end reads the down counterpart for DownFacts, so it is part of the key."""
    folder = write(tmp_path / "m", {"1_add.up.sql": "CREATE INDEX CONCURRENTLY i ON t (a);\n"})
    up = folder / "1_add.up.sql"
    cache = ParseCache(tmp_path / "cache", Config())

    def down_facts() -> tuple[bool, bool]:
        parsed = Linter(Config(), cache=cache, jobs=1)._parse_all([up])
        assert isinstance(parsed[0], Migration)
        return parsed[0].down.missing, parsed[0].down.empty

    assert down_facts() == (True, False)
    (folder / "1_add.down.sql").write_text("DROP INDEX CONCURRENTLY i;\n", encoding="utf-8")
    assert down_facts() == (False, False)
    (folder / "1_add.down.sql").write_text("-- nothing yet\n", encoding="utf-8")
    assert down_facts() == (False, True)
    assert cache.hits == 0
    assert down_facts() == (False, True)
    assert cache.hits == 1


def shard_files(cache_dir: Path, *, results: bool | None = None) -> list[Path]:
    """Shard files: parse shards (0..f), result shards (r0..rf), or both when ``results`` is None."""
    found = sorted(p for p in cache_dir.rglob(f"*{sqlguard.cache.SHARD_SUFFIX}"))
    if results is None:
        return found
    return [p for p in found if p.stem.startswith(sqlguard.cache.RESULT_PREFIX) == results]


def read_shard(path: Path) -> dict[str, Any]:
    """A shard file's entries as ``key -> (day, payload)`` (the on-disk format, read here by hand)."""
    header, *lines = path.read_text(encoding="ascii").split("\n")
    assert header == f"sqlguard-cache {sqlguard.cache.FORMAT}"
    entries = {}
    for line in lines:
        if line:
            key, day, payload = line.split(" ", 2)
            entries[key] = (int(day), payload)
    return entries


def write_shard(path: Path, entries: dict[str, Any], *, header: str | None = None) -> None:
    lines = [header or f"sqlguard-cache {sqlguard.cache.FORMAT}"]
    lines += [f"{key} {day} {payload}" for key, (day, payload) in entries.items()]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def rewrite_entries(
    cache_dir: Path, change: Callable[[dict[str, Any]], None], *, results: bool | None = None
) -> None:
    """Apply ``change`` to the entries of every shard file, writing the shards back."""
    for shard_path in shard_files(cache_dir, results=results):
        shard = read_shard(shard_path)
        change(shard)
        write_shard(shard_path, shard)


class WritesMarker:
    """Pickles to a call that creates ``MARKER`` in the current folder, were it ever unpickled."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, ("MARKER-unpickled", "w"))


def spoil_field(payload: str, span: str) -> str:
    """``payload`` with its first Span's start (group 1) rewritten as ``span`` says; a result
    without a Span (a file with no finding) gets a number for its note instead, so every entry is
    spoiled."""
    if '{"Span":[' in payload:
        return re.sub(r'\{"Span":\[(\d+)', span, payload, count=1)
    assert ",null," in payload
    return payload.replace(",null,", ",0,", 1)


def _middle_of_first_entry(data: bytes) -> int:
    """Where a write cut short would leave a shard: inside its first entry (every entry lost;
    cutting at half the file may keep whole entries, depending on which keys share the shard)."""
    header_end = data.index(b"\n") + 1
    first_end = data.find(b"\n", header_end)
    return header_end + (max(first_end, header_end + 2) - header_end) // 2


SHARD_DAMAGES = [
    pytest.param(lambda data: b"", id="empty"),
    pytest.param(lambda data: data[: _middle_of_first_entry(data)], id="truncated"),
    pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
    pytest.param(lambda data: b"\x80\x05garbage that is no shard", id="garbage"),
    pytest.param(lambda data: pickle.dumps((sqlguard.cache.FORMAT, {"0": WritesMarker()})), id="hostile-pickle"),
    pytest.param(lambda data: data.replace(b"sqlguard-cache 4", b"sqlguard-cache 5", 1), id="other-format"),
]
DAMAGES = [
    pytest.param(lambda payload: "", id="empty"),
    pytest.param(lambda payload: payload[: len(payload) // 2], id="truncated"),
    pytest.param(lambda payload: "garbage that is no JSON", id="garbage"),
    pytest.param(lambda payload: '["k", {"system": ["touch MARKER"]}]', id="foreign-class"),
    pytest.param(lambda payload: spoil_field(payload, r'{"Span":["\1"'), id="wrong-field-type"),
    pytest.param(lambda payload: spoil_field(payload, r'{"Span":[\1,0'), id="extra-field"),
    pytest.param(lambda payload: "[" * 100_000 + "]" * 100_000, id="deeply-nested"),
]


def assert_misses_then_heals(folder: Path, cache_dir: Path, expected: str) -> None:
    report, cache = lint(folder, cache_dir)
    assert report == expected
    assert cache is not None and (cache.hits, cache.misses) == (0, 2)
    _, healed = lint(folder, cache_dir)  # the damaged entries were replaced by good ones
    assert healed is not None and (healed.hits, healed.misses) == (2, 0)


@pytest.mark.parametrize("damage", SHARD_DAMAGES)
def test_corrupt_shard_file_is_a_miss(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    folder = write(tmp_path / "m", SCHEMA_AWARE)
    expected, _ = lint(folder, tmp_path / "cache")
    assert shard_files(tmp_path / "cache")
    for shard in shard_files(tmp_path / "cache"):
        shard.write_bytes(damage(shard.read_bytes()))
    assert_misses_then_heals(folder, tmp_path / "cache", expected)


@pytest.mark.parametrize("damage", DAMAGES)
def test_corrupt_entry_is_a_miss(tmp_path: Path, damage: Callable[[str], str]) -> None:
    folder = write(tmp_path / "m", SCHEMA_AWARE)
    expected, _ = lint(folder, tmp_path / "cache")

    def spoil(shard: dict[str, Any]) -> None:
        for key, (day, blob) in shard.items():
            shard[key] = (day, damage(blob))

    rewrite_entries(tmp_path / "cache", spoil)
    assert_misses_then_heals(folder, tmp_path / "cache", expected)


def test_entry_of_the_wrong_shape_is_a_miss(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", SCHEMA_AWARE)
    expected, _ = lint(folder, tmp_path / "cache")

    def reshape(shard: dict[str, Any]) -> None:
        for key in shard:
            shard[key] = (shard[key][0], '"a string instead of [key, value]"')

    rewrite_entries(tmp_path / "cache", reshape)
    assert_misses_then_heals(folder, tmp_path / "cache", expected)


def test_entry_swapped_for_another_files_entry_is_a_miss(tmp_path: Path) -> None:
    """An entry is checked against its key, so a file moved into another's place is never served
    (parse entries swapped with each other, stored results swapped with each other)."""
    folder = write(tmp_path / "m", {"1.sql": "CREATE INDEX i ON t (a);\n", "2.sql": "SELECT 1;\n"})
    expected, _ = lint(folder, tmp_path / "cache")
    for results in (False, True):
        blobs: dict[str, Any] = {}
        rewrite_entries(tmp_path / "cache", blobs.update, results=results)
        first, second = sorted(blobs)

        def swap(shard: dict[str, Any]) -> None:
            for key in list(shard):
                shard[key] = blobs[second if key == first else first]  # noqa: B023  (used at once)

        rewrite_entries(tmp_path / "cache", swap, results=results)
    assert_misses_then_heals(folder, tmp_path / "cache", expected)


def test_old_unused_entries_expire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries expire when their shard is rewritten; keys are pinned to one shard to see it."""
    real_key = ParseCache._key
    monkeypatch.setattr(ParseCache, "_key", lambda self, *parts: "0" + real_key(self, *parts)[1:])
    real_link = ParseCache.chain_next
    pinned_link = staticmethod(lambda previous, key: "0" + real_link(previous, key)[1:])
    monkeypatch.setattr(ParseCache, "chain_next", pinned_link)
    folder = write(tmp_path / "m", {"1.sql": "SELECT 1;\n"})
    lint(folder, tmp_path / "cache")
    (folder / "1.sql").write_text("SELECT 2;\n", encoding="utf-8")
    later = time.time() + (sqlguard.cache.KEEP_DAYS + 1) * 86400
    monkeypatch.setattr(sqlguard.cache.time, "time", lambda: later)
    lint(folder, tmp_path / "cache")  # writes the new entry; the old one is past its time
    for results in (False, True):  # one parse entry and one stored result, the new file's
        entries: dict[str, Any] = {}
        rewrite_entries(tmp_path / "cache", entries.update, results=results)
        assert len(entries) == 1


def test_unwritable_cache_folder_only_costs_speed(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", SCHEMA_AWARE)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    report, cache = lint(folder, blocker / "cache")
    assert report == SCHEMA_AWARE_REPORT.format(root=folder)
    assert cache is not None and cache.misses == 2


def test_cache_folder_ignores_itself_for_git(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {"1.sql": "SELECT 1;\n"})
    lint(folder, tmp_path / "cache")
    assert (tmp_path / "cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert not list((tmp_path / "cache").rglob(".tmp-*"))
    assert shard_files(tmp_path / "cache")


def test_cache_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = Config(cache_dir="build/lint-cache", root=tmp_path)
    monkeypatch.delenv(sqlguard.cache.ENV_VAR, raising=False)
    assert resolve_cache_dir(None, Config(root=tmp_path)) == tmp_path / ".sqlguard_cache"
    assert resolve_cache_dir(None, configured) == tmp_path / "build/lint-cache"
    monkeypatch.setenv(sqlguard.cache.ENV_VAR, str(tmp_path / "from-env"))
    assert resolve_cache_dir(None, configured) == tmp_path / "from-env"
    assert resolve_cache_dir(str(tmp_path / "option"), configured) == tmp_path / "option"


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != sqlguard.cache.ENV_VAR}
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "sqlguard", "lint", "--format", "concise", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, check=False,
    )


def test_cli_caches_in_project_root_and_no_cache_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"sqlguard.toml": "target-version = 15\n", "db/1.sql": "CREATE INDEX i ON t (a);\n"})
    expected = (
        "db/1.sql:1:1: SG004 CREATE INDEX on \"t\" blocks writes to it until the index is built\n"
        "  help: CREATE INDEX CONCURRENTLY i ON t (a);\n"
    )
    uncached = run_cli("--no-cache", "db", cwd=tmp_path)
    assert (uncached.returncode, uncached.stdout) == (1, expected)
    assert not (tmp_path / ".sqlguard_cache").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "sqlguard.toml"]
    cold = run_cli("db", cwd=tmp_path)
    warm = run_cli("db", cwd=tmp_path)
    assert (cold.returncode, cold.stdout) == (warm.returncode, warm.stdout) == (1, expected)
    assert (tmp_path / ".sqlguard_cache" / ".gitignore").is_file()


def test_cli_cache_dir_option_and_env(tmp_path: Path) -> None:
    write(tmp_path, {"1.sql": "SELECT 1;\n"})
    assert run_cli("--cache-dir", "elsewhere", "1.sql", cwd=tmp_path).returncode == 0
    assert (tmp_path / "elsewhere" / ".gitignore").is_file()
    assert run_cli("1.sql", cwd=tmp_path, env={sqlguard.cache.ENV_VAR: str(tmp_path / "env")}).returncode == 0
    assert (tmp_path / "env" / ".gitignore").is_file()
    assert not (tmp_path / ".sqlguard_cache").exists()


def test_cached_later_file_sees_an_index_dropped_from_an_earlier_file(tmp_path: Path) -> None:
    """SG002 on a cached file depends on indexes made by earlier files; when an earlier file
    changes, the cached later file's finding must change with it."""
    files = {
        "1_payments.sql": "CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint);\n"
        "CREATE INDEX CONCURRENTLY payments_order_id_idx ON payments (order_id);\n",
        "2_fk.sql": "ALTER TABLE payments\n    ADD CONSTRAINT payments_order_fk\n"
        "    FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;\n",
    }
    folder = write(tmp_path / "m", files)
    cold, _ = lint(folder, tmp_path / "cache", Config(select=frozenset({"SG002"})))
    assert cold == ""
    (folder / "1_payments.sql").write_text(files["1_payments.sql"].splitlines()[0] + "\n", encoding="utf-8")
    warm, cache = lint(folder, tmp_path / "cache", Config(select=frozenset({"SG002"})))
    uncached, _ = lint(folder, None, Config(select=frozenset({"SG002"})))
    assert cache is not None and (cache.hits, cache.misses) == (1, 1)
    assert warm == uncached == (
        f"{folder}/2_fk.sql:2:9: SG002 foreign key payments(order_id) → orders has no index on payments(order_id):"
        " every delete or key update in orders scans payments\n"
        "  help: CREATE INDEX CONCURRENTLY payments_order_id_idx ON payments (order_id);\n"
    )


def test_upgraded_parser_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path / "m", {"1.sql": "CREATE INDEX i ON t (a);\n"})
    lint(folder, tmp_path / "cache")
    monkeypatch.setattr(sqlguard.cache, "_installed", lambda package: f"{package}:upgraded")
    _, cache = lint(folder, tmp_path / "cache")
    assert cache is not None and (cache.hits, cache.misses) == (0, 1)


def test_migration_the_codec_cannot_store_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path / "m", {"1.sql": "CREATE INDEX i ON t (a);\n"})
    real_parse = sqlguard.parallel.parse_file

    def parse_with_a_lock(path: str, text: str, config: Config) -> Migration:
        migration = real_parse(path, text, config)
        migration.revision = threading.Lock()  # type: ignore[assignment]
        return migration

    monkeypatch.setattr(sqlguard.parallel, "parse_file", parse_with_a_lock)
    report, _ = lint(folder, tmp_path / "cache")
    assert report.startswith(f"{folder}/1.sql:1:1: SG004")
    assert not shard_files(tmp_path / "cache", results=False)  # its diagnostics encode: they are kept


def test_up_file_follows_its_down_file_linted_in_the_same_run(tmp_path: Path) -> None:
    """The down file's digest is reused from the same run; emptying it must still be seen."""
    folder = write(tmp_path / "m", {"1_add.up.sql": "CREATE INDEX CONCURRENTLY i ON t (a);\n",
                                    "1_add.down.sql": "DROP INDEX CONCURRENTLY i;\n"})
    assert lint(folder, tmp_path / "cache")[0] == ""
    (folder / "1_add.down.sql").write_text("-- nothing\n", encoding="utf-8")
    report, cache = lint(folder, tmp_path / "cache")
    assert report == (
        f"{folder}/1_add.up.sql:1:1: SG006 down migration 1_add.down.sql is empty: rolling back does nothing\n"
        "  help: -- 1_add.down.sql\n"
        "        DROP INDEX i;\n"
    )
    assert cache is not None and (cache.hits, cache.misses) == (0, 2)
    (folder / "1_add.down.sql").write_text("DROP INDEX CONCURRENTLY i;\n", encoding="utf-8")
    again, cache = lint(folder, tmp_path / "cache")
    assert again == "" and cache is not None and cache.hits == 2


def test_counterpart_in_the_run_keys_as_it_would_from_disk(tmp_path: Path) -> None:
    """A counterpart among the run's files is known by name instead of read or looked for on
    disk; the keys must be the ones a lookup on disk gives, and must follow it disappearing."""
    up_text, down_text = "CREATE INDEX CONCURRENTLY i ON t (a);\n", "DROP INDEX CONCURRENTLY i;\n"
    folder = write(tmp_path / "m", {"1_add.up.sql": up_text, "1_add.down.sql": down_text})
    up, down = str(folder / "1_add.up.sql"), str(folder / "1_add.down.sql")
    cache = ParseCache(tmp_path / "cache", Config())
    both = cache.keys([(down, down_text), (up, up_text)])
    assert both == [cache.keys([(down, down_text)])[0], cache.keys([(up, up_text)])[0]]  # each alone: from disk
    os.unlink(up)
    assert cache.keys([(down, down_text)])[0] != both[0]  # its up file is gone
    (folder / "1_add.down.sql").write_text("-- nothing\n", encoding="utf-8")
    assert cache.keys([(up, up_text)])[0] != both[1]  # its down file was emptied


def test_keys_forget_the_counterparts_of_an_earlier_run(tmp_path: Path) -> None:
    """One cache object used for two runs: a down file read in the first and edited before the
    second, which lints only the up file, is read again, not taken from the first run."""
    up_text = "CREATE INDEX CONCURRENTLY i ON t (a);\n"
    folder = write(tmp_path / "m", {"1_add.up.sql": up_text, "1_add.down.sql": "DROP INDEX CONCURRENTLY i;\n"})
    up, down = str(folder / "1_add.up.sql"), str(folder / "1_add.down.sql")
    cache = ParseCache(tmp_path / "cache", Config())
    first = cache.keys([(down, "DROP INDEX CONCURRENTLY i;\n"), (up, up_text)])[1]
    (folder / "1_add.down.sql").write_text("-- nothing\n", encoding="utf-8")
    assert cache.keys([(up, up_text)])[0] != first
    assert cache.keys([(up, up_text)])[0] == ParseCache(tmp_path / "cache", Config()).key(up, up_text)
