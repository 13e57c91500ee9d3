"""Nothing is left behind: scratch databases on --dsn servers, and temp clusters however verify ends."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sqlguard.verify import backends
from sqlguard.verify.watchdog import postmaster_pid

from .helpers import REPO, fixture, module_argv, no_postgres, run_cli, subprocess_env


def databases(conninfo: str) -> set[str]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


@pytest.mark.parametrize("name", ["verify-good-dir", "verify-forgotten-index", "verify-sql-error"])
def test_dsn_leaves_no_database_behind(name: str, dsn: str) -> None:
    before = databases(dsn)
    result = run_cli(str(fixture(name)), "--dsn", dsn)
    assert result.exit_code in (0, 1), result.output
    assert databases(dsn) == before


def _processes_mentioning(text: str) -> list[int]:
    """Live (non-zombie) processes whose command line mentions ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def private_tmp() -> Iterator[Path]:
    """A TMPDIR the unprivileged server user can traverse (pytest's tmp_path is mode 700 for root)."""
    path = Path(tempfile.mkdtemp(prefix="sqlguard-verify-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        import shutil

        shutil.rmtree(path, ignore_errors=True)


def _wait_for_running_migration(tmp: Path, proc: subprocess.Popen[str], timeout: float = 30) -> Path:
    """Wait until verify's cluster runs the sleeping migration; return the cluster's data dir."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        for data in tmp.glob("sqlguard-verify-*/data"):
            sock = data.parent / "sock"
            if postmaster_pid(data) is None or not (sock / ".s.PGSQL.5432").exists():
                continue
            try:
                with psycopg.connect(f"host={sock} port=5432 user=postgres dbname=postgres") as conn:
                    busy = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%%'"
                    ).fetchone()
            except psycopg.Error:
                continue
            if busy and busy[0]:
                return data
        time.sleep(0.1)
    raise AssertionError("verify never reached the sleeping migration")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_killed_verify_leaves_no_server(sig: signal.Signals, private_tmp: Path) -> None:
    if not backends.find_local_bindirs():
        no_postgres("no local PostgreSQL binaries for the lifecycle test")
    proc = subprocess.Popen(
        module_argv(str(fixture("verify-slow")), "--backend", "local"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(TMPDIR=str(private_tmp)),
        cwd=REPO,
    )
    try:
        data = _wait_for_running_migration(private_tmp, proc)
        postmaster = postmaster_pid(data)
        assert postmaster is not None and _processes_mentioning(str(data))
        os.kill(proc.pid, sig)
        proc.wait(timeout=15)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (_processes_mentioning(str(data)) or data.parent.exists()):
            time.sleep(0.1)
        assert _processes_mentioning(str(data)) == [], "a postgres for the verify cluster is still running"
        assert not data.parent.exists(), "the temp cluster directory was not removed"
        if sig != signal.SIGKILL:
            assert proc.returncode == 130
            assert "interrupted" in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigkill_with_dsn_drops_scratch_database(dsn: str) -> None:
    before = databases(dsn)
    proc = subprocess.Popen(
        module_argv(str(fixture("verify-slow")), "--dsn", dsn),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=subprocess_env(),
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 30
        scratch: set[str] = set()
        while time.monotonic() < deadline and not scratch:
            with psycopg.connect(dsn, autocommit=True) as conn:
                scratch = {
                    row[0]
                    for row in conn.execute(
                        "SELECT datname FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%%'"
                    )
                }
            time.sleep(0.1)
        assert scratch and all(name.startswith("sqlguard_verify_") for name in scratch)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and databases(dsn) != before:
            time.sleep(0.1)
        assert databases(dsn) == before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
