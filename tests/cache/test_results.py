"""The second cache level: stored results per file, keyed by a chain of every earlier file's key.

Every test compares a cached run with an uncached run of the same files at exact line and column
(concise output plus notes): a stored result may only be served when the uncached run would say
the same. ``result_hits`` shows which level served a file; nothing here measures time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import sqlguard.cache
import sqlguard.engine
import sqlguard.parallel
from sqlguard.cache import ParseCache
from sqlguard.config import Config
from sqlguard.context import ChainFacts
from sqlguard.engine import Linter
from sqlguard.reporters import concise
from tests.cache.test_cache import read_shard, shard_files, write_shard

REPO = Path(__file__).resolve().parents[2]
SG002 = Config(select=frozenset({"SG002", "SG004"}))

TABLE = "CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint);\n"
INDEX = "CREATE INDEX CONCURRENTLY payments_order_id_idx ON payments (order_id);\n"
DROP = "DROP INDEX CONCURRENTLY payments_order_id_idx;\n"
FK = (
    "ALTER TABLE payments\n    ADD CONSTRAINT payments_order_fk\n"
    "    FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;\n"
)
HISTORY = {
    "1_payments.sql": TABLE + INDEX,
    "2_other.sql": "CREATE TABLE notes (id bigint);\n",
    "3_fk.sql": FK,
    "4_later.sql": "CREATE INDEX notes_id ON notes (id);\n",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def render(folder: Path, cache: ParseCache | None, config: Config) -> str:
    result = Linter(config, cache=cache, jobs=1).lint_paths([str(folder)])
    return concise.render(result.reports) + "".join(f"note: {n}\n" for n in result.notes)


def lint(folder: Path, cache_dir: Path, config: Config = SG002) -> tuple[str, ParseCache]:
    """A cached run, asserted equal to an uncached run of the same files."""
    cache = ParseCache(cache_dir, config)
    cached = render(folder, cache, config)
    assert cached == render(folder, None, config)
    return cached, cache


def test_fully_warm_run_loads_no_migration_and_runs_no_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write(tmp_path / "m", {**HISTORY, "5_empty.sql": "  \n"})
    cold, cache = lint(folder, tmp_path / "cache")
    assert "SG004" in cold and "note: " in cold and cache.result_hits == 0

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a fully warm run touched a migration or the schema")

    monkeypatch.setattr(ParseCache, "load", refuse)
    monkeypatch.setattr(sqlguard.parallel, "parse_file", refuse)
    monkeypatch.setattr(sqlguard.engine.SchemaState, "apply", refuse)
    monkeypatch.setattr(Linter, "lint_text", refuse)
    warm = ParseCache(tmp_path / "cache", SG002)
    assert render(folder, warm, SG002) == cold
    assert (warm.result_hits, warm.hits, warm.misses) == (5, 5, 0)


@pytest.mark.parametrize(
    ("name", "text", "served"),
    [
        pytest.param("1_payments.sql", TABLE, 0, id="index-removed-from-first-file"),
        pytest.param("2_other.sql", DROP, 1, id="index-dropped-in-a-middle-file"),
        pytest.param("3_fk.sql", FK.replace("NOT VALID", ""), 2, id="the-finding-file-itself"),
        pytest.param("4_later.sql", "SELECT 1;\n", 3, id="last-file"),
    ],
)
def test_a_changed_file_changes_later_schema_aware_findings(
    tmp_path: Path, name: str, text: str, served: int
) -> None:
    folder = write(tmp_path / "m", HISTORY)
    before, _ = lint(folder, tmp_path / "cache")
    assert "SG002" not in before  # 1_payments.sql indexes the key
    write(folder, {name: text})
    after, cache = lint(folder, tmp_path / "cache")
    assert cache.result_hits == served  # files before the changed one, no more
    assert ("3_fk.sql:2:9: SG002" in after) == (name in ("1_payments.sql", "2_other.sql"))
    write(folder, HISTORY)  # and back: all four results are stored under the original chain
    again, cache = lint(folder, tmp_path / "cache")
    assert again == before and cache.result_hits == 4


def test_index_added_in_an_earlier_file_removes_a_later_finding(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {**HISTORY, "1_payments.sql": TABLE})
    before, _ = lint(folder, tmp_path / "cache")
    assert "3_fk.sql:2:9: SG002" in before
    write(folder, {"2_other.sql": INDEX})
    after, cache = lint(folder, tmp_path / "cache")
    assert "SG002" not in after and cache.result_hits == 1


@pytest.mark.parametrize(
    ("edit", "unchanged_prefix"),
    [
        pytest.param(lambda folder: (folder / "2_other.sql").unlink(), 1, id="removed"),
        pytest.param(lambda folder: write(folder, {"2_drop.sql": DROP}), 1, id="added"),
        pytest.param(lambda folder: write(folder, {"0_fk.sql": FK}) and (folder / "3_fk.sql").unlink(), 0,
                     id="reordered"),
        pytest.param(lambda folder: (folder / "1_payments.sql").rename(folder / "5_payments.sql"), 0,
                     id="renamed-later"),
        pytest.param(lambda folder: write(folder, {"9_new.sql": DROP}), 4, id="appended"),
    ],
)
def test_files_added_removed_or_reordered(
    tmp_path: Path, edit: Callable[[Path], object], unchanged_prefix: int
) -> None:
    folder = write(tmp_path / "m", HISTORY)
    lint(folder, tmp_path / "cache")
    edit(folder)
    _, cache = lint(folder, tmp_path / "cache")
    # a file's link holds the files before it: the results before the first change stay valid
    assert cache.result_hits == unchanged_prefix
    _, cache = lint(folder, tmp_path / "cache")
    assert cache.result_hits == len(list(folder.iterdir()))


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(Config(select=frozenset({"SG004"})), id="select"),
        pytest.param(Config(select=frozenset({"SG002", "SG004"}), ignore=frozenset({"SG002"})), id="ignore"),
        pytest.param(Config(select=frozenset({"SG002", "SG004"}), target_version=11), id="target-version"),
        pytest.param(Config(select=frozenset({"SG002", "SG004"}), per_file_ignores=(("*4_later.sql",
                                                                                     frozenset({"SG004"})),)),
                     id="per-file-ignores"),
    ],
)
def test_changed_config_changes_the_chain(tmp_path: Path, config: Config) -> None:
    folder = write(tmp_path / "m", {**HISTORY, "1_payments.sql": TABLE})
    before, _ = lint(folder, tmp_path / "cache")
    after, cache = lint(folder, tmp_path / "cache", config)
    assert cache.result_hits == 0
    assert (after == before) == (config.target_version != 16)  # same findings on 11, still re-checked
    _, cache = lint(folder, tmp_path / "cache", config)
    assert cache.result_hits == 4


def test_edited_suppression_comment_is_seen(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", HISTORY)
    before, _ = lint(folder, tmp_path / "cache")
    write(folder, {"4_later.sql": "-- sqlguard: ignore SG004\n" + HISTORY["4_later.sql"]})
    after, cache = lint(folder, tmp_path / "cache")
    assert "4_later.sql" in before and "4_later.sql" not in after and cache.result_hits == 3


def test_edited_rule_page_changes_the_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored diagnostics carry a page's severity, name and summary."""
    folder = write(tmp_path / "m", HISTORY)
    lint(folder, tmp_path / "cache")
    monkeypatch.setattr(sqlguard.cache, "_pages_fingerprint", lambda: "edited")
    _, cache = lint(folder, tmp_path / "cache")
    assert cache.result_hits == 0


def test_config_with_several_selectors_keys_the_same_in_every_process(tmp_path: Path) -> None:
    """A frozenset's repr follows the process's string hashing; the chain's seed must not."""
    script = (
        "from pathlib import Path; from sqlguard.cache import ParseCache; from sqlguard.config import Config\n"
        "config = Config(select=frozenset(f'SG0{i:02}' for i in range(1, 20)), root=Path('/'))\n"
        "print(ParseCache(Path('c'), config).chain_start(['a.sql', 'b.sql']))\n"
    )
    seeds = {
        subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(REPO),
                       "PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True).stdout
        for seed in ("1", "2", "3")
    }
    assert len(seeds) == 1


DAMAGES = [
    pytest.param(lambda payload: payload[: len(payload) // 2], id="truncated"),
    pytest.param(lambda payload: "garbage", id="garbage"),
    pytest.param(lambda payload: '["another key",["p",null,[]]]', id="other-key"),
    pytest.param(lambda payload: payload.split(",", 1)[0] + ',["p",null,["x"]]]', id="wrong-shape"),
    pytest.param(lambda payload: payload.split(",", 1)[0] + ',["p",null,[{"Span":[0,0]}]]]', id="not-a-diagnostic"),
]


def result_shards(cache_dir: Path) -> list[Path]:
    return [p for p in shard_files(cache_dir) if p.stem.startswith(sqlguard.cache.RESULT_PREFIX)]


@pytest.mark.parametrize("damage", DAMAGES)
def test_corrupt_stored_result_is_a_miss(tmp_path: Path, damage: Callable[[str], str]) -> None:
    folder = write(tmp_path / "m", HISTORY)
    expected, _ = lint(folder, tmp_path / "cache")
    results = result_shards(tmp_path / "cache")
    assert results
    for shard_path in results:
        write_shard(shard_path, {k: (day, damage(b)) for k, (day, b) in read_shard(shard_path).items()})
    report, cache = lint(folder, tmp_path / "cache")
    assert report == expected
    assert (cache.result_hits, cache.hits, cache.misses) == (0, 4, 0)  # parses still served
    _, healed = lint(folder, tmp_path / "cache")
    assert healed.result_hits == 4


def test_damaged_result_in_the_middle_rebuilds_the_schema_from_earlier_files(tmp_path: Path) -> None:
    """Only 3_fk.sql's stored result is spoiled: 1 and 2 are served, 3 and 4 checked on a schema
    rebuilt from 1 and 2 (so the index of 1_payments.sql still counts)."""
    folder = write(tmp_path / "m", {**HISTORY, "2_other.sql": DROP})
    expected, first = lint(folder, tmp_path / "cache")
    assert "SG002" in expected
    links = []
    # the chain's name and facts seed its links
    facts = ChainFacts(first=str(folder / sorted(HISTORY)[0]), forward_only=False)
    link = first.chain_start([f"sql:{folder}", repr(facts)])
    for name in sorted(HISTORY):
        link = first.chain_next(link, ParseCache(tmp_path / "cache", SG002).key(
            str(folder / name), (folder / name).read_text(encoding="utf-8")))
        links.append(link)
    for shard_path in result_shards(tmp_path / "cache"):
        shard = read_shard(shard_path)
        if links[2] in shard:
            shard[links[2]] = (shard[links[2]][0], "spoiled")
            write_shard(shard_path, shard)
    report, cache = lint(folder, tmp_path / "cache")
    assert report == expected and cache.result_hits == 2


def test_no_cache_still_writes_nothing(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", HISTORY)
    render(folder, None, SG002)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
