"""Nothing is left behind: scratch databases on --dsn servers, and temp clusters however verify ends."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
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


def _segments() -> set[Path]:
    return set(Path("/dev/shm").glob("PostgreSQL.*"))


def _mapped_segments() -> set[str]:
    """Segments some live process has mapped: other servers' (other runs, other users) stay out."""
    found: set[str] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                maps = (entry / "maps").read_text().splitlines()
            except OSError:
                continue
            found.update(line.split()[-1] for line in maps if "/dev/shm/" in line)
    return found


def _interrupt_when(proc: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 30) -> None:
    """SIGINT to verify's whole process group (what Ctrl-C in a terminal does) once ``ready()``."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the moment to interrupt never came"
    os.killpg(proc.pid, signal.SIGINT)


def _start_verify(private_tmp: Path) -> subprocess.Popen[str]:
    if not backends.find_local_bindirs():
        no_postgres("no local PostgreSQL binaries for the interrupt test")
    return subprocess.Popen(
        module_argv(str(fixture("verify-good-updown")), "--backend", "local"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(TMPDIR=str(private_tmp)),
        cwd=REPO,
        start_new_session=True,
    )


def test_interrupt_while_initdb_runs_leaves_no_shared_memory(private_tmp: Path) -> None:
    """initdb's bootstrap backend creates POSIX segments in /dev/shm; killed as a stray while it
    starts (the interrupt lands on initdb first), it cannot remove them."""
    before = _segments()
    proc = _start_verify(private_tmp)
    try:

        def bootstrapping() -> bool:
            marker = f"{private_tmp}/sqlguard-verify-"
            return any("initdb" in _cmdline(pid) for pid in _processes_mentioning(marker))

        _interrupt_when(proc, bootstrapping)
        assert proc.wait(timeout=30) == 130, proc.communicate()
        left = {str(p) for p in _segments() - before} - _mapped_segments()
        assert left == set(), "shared memory segments left in /dev/shm"
        assert list(private_tmp.iterdir()) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("moment", ["at once", "watchdog started", "initdb running", "server running"])
def test_ctrl_c_exits_130_at_any_moment(moment: str, private_tmp: Path) -> None:
    proc = _start_verify(private_tmp)
    marker = f"{private_tmp}/sqlguard-verify-"
    ready: dict[str, Callable[[], bool]] = {
        "at once": lambda: True,
        "watchdog started": lambda: any(
            _parent(pid) == proc.pid for pid in _processes_mentioning("sqlguard.verify.watchdog")
        ),
        "initdb running": lambda: any("initdb" in _cmdline(pid) for pid in _processes_mentioning(marker)),
        "server running": lambda: any(postmaster_pid(d) for d in private_tmp.glob("sqlguard-verify-*/data")),
    }
    try:
        _interrupt_when(proc, ready[moment])
        code = proc.wait(timeout=30)
        # before Python has set up its handler, SIGINT ends the process by the signal (a shell shows 130)
        assert code == 130 or (moment == "at once" and code == -signal.SIGINT), proc.communicate()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and list(private_tmp.iterdir()):
            time.sleep(0.1)
        assert list(private_tmp.iterdir()) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _cmdline(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline")).read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_orphaned_scratch_databases_of_killed_runs_are_dropped(dsn: str) -> None:
    """A run killed during CREATE DATABASE leaves a database the server created after the watchdog
    dropped nothing; the name says whose it was, and the next run drops it."""
    finished = subprocess.Popen(["true"])  # its pid is one that has exited
    finished.wait()
    host = backends._host_tag()
    orphan = f"sqlguard_verify_{host}_{finished.pid}_{int(time.time())}_abcdef"
    live = f"sqlguard_verify_{host}_{os.getpid()}_{int(time.time())}_abcdef"
    foreign = "sqlguard_verify_unrelated"
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in (orphan, live, foreign):
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        result = run_cli(str(fixture("verify-good-dir")), "--dsn", dsn)
        assert result.exit_code == 0, result.output
        left = databases(dsn)
        assert orphan not in left
        assert {live, foreign} <= left  # a live run's and one not named by verify stay
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for name in (orphan, live, foreign):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0
