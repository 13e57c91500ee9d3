"""The cache folder is untrusted input: loading it runs no code, and a folder someone else could
have written, or one reached through a symbolic link, is not used at all.

``fixtures/hostile-cache/`` is a repository that commits a cache whose every shard (this format's
names and the pickle format's before it) holds a pickle that would create ``HOSTILE-CACHE-RAN``
in the current folder when unpickled. Each test works on a copy in ``tmp_path``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import sqlguard.cache
from sqlguard.cache import ParseCache
from sqlguard.config import Config
from tests.cache.test_cache import SCHEMA_AWARE, SCHEMA_AWARE_REPORT, lint, read_shard, shard_files, write

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures" / "hostile-cache"
MARKER = "HOSTILE-CACHE-RAN"
NOBODY = 65534
ADVICE = "remove it, or choose another with --cache-dir"
EXPECTED = (
    "db/1_index.sql:2:1: SG004 CREATE INDEX on \"orders\" blocks writes to it until the index is built\n"
    "  help: CREATE INDEX CONCURRENTLY orders_placed_at_idx ON orders (placed_at);\n"
)
needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != sqlguard.cache.ENV_VAR}
    environment["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "sqlguard", "lint", "--format", "concise", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, check=False, timeout=120,
    )


@pytest.mark.parametrize("folder_name", ["committed-cache", ".sqlguard_cache"])
def test_committed_hostile_cache_runs_no_code_and_is_not_trusted(tmp_path: Path, folder_name: str) -> None:
    """As configured (``cache-dir`` pointing into the repository) and as the default folder."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    if folder_name != "committed-cache":
        (project / "committed-cache").rename(project / folder_name)
        (project / "sqlguard.toml").write_text("", encoding="utf-8")
    planted = {p.relative_to(project): p.read_bytes() for p in (project / folder_name).rglob("*") if p.is_file()}
    assert len(planted) > 60
    for _ in range(2):  # the second run reads what the first one wrote beside the planted shards
        result = run_cli("db", cwd=project)
        assert (result.returncode, result.stdout, result.stderr) == (1, EXPECTED, "")
        assert not (project / MARKER).exists()
    uncached = run_cli("--no-cache", "db", cwd=project)
    assert (uncached.returncode, uncached.stdout) == (1, EXPECTED)
    # The planted v3 files and the planted .gitignore are left as they were; v4 shards the run
    # wrote replaced the planted ones under the same names.
    for name, data in planted.items():
        if name.parts[1] == "v3" or name.name == ".gitignore":
            assert (project / name).read_bytes() == data


def warm_cache(tmp_path: Path) -> tuple[Path, Path]:
    folder = write(tmp_path / "m", SCHEMA_AWARE)
    _, cache = lint(folder, tmp_path / "cache")
    assert cache is not None and cache.misses == 2 and shard_files(tmp_path / "cache")
    return folder, tmp_path / "cache"


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): (p.lstat().st_mtime_ns, p.read_bytes()) for p in files}


def assert_not_used(folder: Path, cache_dir: Path, reason: str) -> None:
    """A run parses every file again, writes nothing there, and says why once."""
    before = snapshot(cache_dir)
    report, cache = lint(folder, cache_dir)
    assert report == SCHEMA_AWARE_REPORT.format(root=folder)
    assert cache is not None and (cache.hits, cache.misses) == (0, 2)
    assert cache.warnings == [f"cache folder {cache_dir} {reason}: not using it ({ADVICE})"]
    assert snapshot(cache_dir) == before


@needs_root
@pytest.mark.parametrize("which", ["folder", "format folder"])
def test_cache_folder_owned_by_another_user_is_not_used(tmp_path: Path, which: str) -> None:
    folder, cache_dir = warm_cache(tmp_path)
    os.chown(cache_dir if which == "folder" else cache_dir / f"v{sqlguard.cache.FORMAT}", NOBODY, -1)
    assert_not_used(folder, cache_dir, f"is owned by another user (uid {NOBODY})")


@needs_root
def test_shard_owned_by_another_user_is_a_miss(tmp_path: Path) -> None:
    folder, cache_dir = warm_cache(tmp_path)
    for shard in shard_files(cache_dir):
        os.chown(shard, NOBODY, -1)
    report, cache = lint(folder, cache_dir)
    assert report == SCHEMA_AWARE_REPORT.format(root=folder)
    assert cache is not None and (cache.hits, cache.misses) == (0, 2)


@pytest.mark.parametrize("bits", [stat.S_IWGRP, stat.S_IWOTH], ids=["group", "others"])
def test_cache_folder_writable_by_others_is_not_used(tmp_path: Path, bits: int) -> None:
    folder, cache_dir = warm_cache(tmp_path)
    os.chmod(cache_dir, 0o700 | bits)
    assert_not_used(folder, cache_dir, "is writable by other users")


def test_cache_folder_reached_through_a_symlink_is_not_used(tmp_path: Path) -> None:
    folder, real = warm_cache(tmp_path)
    link = tmp_path / "linked-cache"
    link.symlink_to(real)
    assert_not_used(folder, link, "is a symbolic link")


def test_new_cache_folder_is_private(tmp_path: Path) -> None:
    _, cache_dir = warm_cache(tmp_path)
    for path in (cache_dir, cache_dir / f"v{sqlguard.cache.FORMAT}", *shard_files(cache_dir)):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_dangling_gitignore_symlink_is_not_written_through(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    outside = tmp_path / "outside" / "written-by-sqlguard"
    (tmp_path / "outside").mkdir()
    (cache_dir / ".gitignore").symlink_to(outside)
    folder = write(tmp_path / "m", SCHEMA_AWARE)
    report, _ = lint(folder, cache_dir)
    assert report == SCHEMA_AWARE_REPORT.format(root=folder)
    assert not outside.exists() and (cache_dir / ".gitignore").is_symlink()
    assert shard_files(cache_dir)  # the cache itself still works


def test_shard_name_holding_a_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    folder, cache_dir = warm_cache(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    for shard in shard_files(cache_dir):
        shard.unlink()
        shard.symlink_to(victim)
    report, cache = lint(folder, cache_dir)  # a symlinked shard is not read ...
    assert report == SCHEMA_AWARE_REPORT.format(root=folder)
    assert cache is not None and cache.misses == 2
    assert victim.read_text(encoding="utf-8") == "precious\n"  # ... nor written through
    assert all(not shard.is_symlink() for shard in shard_files(cache_dir))


def test_fifo_at_a_shard_name_does_not_hang(tmp_path: Path) -> None:
    """Opening a FIFO for reading waits for a writer; the cache opens shards without blocking.
    Run in a subprocess with a timeout, so a regression fails instead of hanging the suite."""
    write(tmp_path, {"1.sql": "CREATE INDEX i ON t (a);\n"})
    assert run_cli("1.sql", cwd=tmp_path).returncode == 1
    folder = tmp_path / ".sqlguard_cache" / f"v{sqlguard.cache.FORMAT}"
    for shard in shard_files(folder):
        shard.unlink()
        os.mkfifo(shard, 0o600)
    result = run_cli("1.sql", cwd=tmp_path)
    assert (result.returncode, result.stdout.splitlines()[0]) == (1, '1.sql:1:1: SG004 CREATE INDEX on "t" '
                                                                      "blocks writes to it until the index is built")


def test_cli_says_once_why_the_cache_is_not_used(tmp_path: Path) -> None:
    write(tmp_path, {"1.sql": "SELECT 1;\n", "2.sql": "SELECT 2;\n"})
    cache_dir = tmp_path / ".sqlguard_cache"
    cache_dir.mkdir()
    os.chmod(cache_dir, 0o777)
    result = run_cli(".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        f"sqlguard: warning: cache folder {cache_dir} is writable by other users: not using it ({ADVICE})\n"
    )
    assert sorted(p.name for p in cache_dir.iterdir()) == []


def test_cache_is_pruned_to_its_size_least_recently_used_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every edit of the first file adds a stored result for each later file (the chain changes);
    with a budget of a few entries per shard the oldest go, the ones this run used stay."""
    monkeypatch.setattr(sqlguard.cache, "MAX_BYTES", 32 * 4_000)  # ~4 KB per shard
    files = {f"{n}_t.sql": f"CREATE TABLE t{n} (id bigint);\n" for n in range(2, 40)}
    folder = write(tmp_path / "m", {"1_first.sql": "SELECT 0;\n", **files})
    sizes = []
    for edit in range(12):
        (folder / "1_first.sql").write_text(f"SELECT {edit};\n", encoding="utf-8")
        lint(folder, tmp_path / "cache")
        sizes.append(sum(p.stat().st_size for p in shard_files(tmp_path / "cache")))
    assert sizes[-1] < 32 * 4_000 + 32 * 1_000  # within budget, give or take one entry per shard
    assert max(sizes[6:]) - min(sizes[6:]) < 32 * 1_000  # it stopped growing
    # The last run's entries all survived: a rerun is served entirely from stored results.
    _, cache = lint(folder, tmp_path / "cache")
    assert cache is not None and cache.result_hits == 39
    # And an entry from the first run is gone: that text is parsed again.
    (folder / "1_first.sql").write_text("SELECT 0;\n", encoding="utf-8")
    _, cache = lint(folder, tmp_path / "cache")
    assert cache is not None and cache.result_hits == 0


def test_entries_are_plain_json_lines(tmp_path: Path) -> None:
    """What a shard holds, so reviewers of a committed cache can read it: one line per entry."""
    _, cache_dir = warm_cache(tmp_path)
    entries = [entry for shard in shard_files(cache_dir) for entry in read_shard(shard).values()]
    assert len(entries) == 4  # two parses, two results
    assert all(payload.startswith('["') and payload.isascii() for _, payload in entries)
    assert ParseCache(cache_dir, Config()).usable()
