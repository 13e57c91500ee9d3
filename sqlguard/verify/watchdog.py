"""A tiny guard process that removes a throwaway server if `sqlguard verify` dies without cleaning up.

`finally` blocks and signal handlers cover errors, Ctrl-C and SIGTERM, but nothing runs in a process
that gets SIGKILLed (or loses its terminal), and the postgres it started would keep running forever.
So every server gets a watchdog: a separate process in its own session that reads one JSON job from
stdin and then blocks on that pipe. The parent writes ``done`` after its own cleanup succeeded. If the
pipe reaches end-of-file without ``done``, the parent is gone, and the watchdog does the cleanup:
stop the cluster whose data directory it was given and delete the temp directory, or drop the scratch
database on a server reached by ``--dsn``.

The job travels over stdin rather than argv so that a password in a DSN never shows up in ``ps``.
This module imports only the standard library at top level so that the guard starts fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def postmaster_pid(pgdata: Path) -> int | None:
    """The postmaster's pid from ``postmaster.pid``, or None when the server is not running."""
    try:
        first = (pgdata / "postmaster.pid").read_text().splitlines()[0]
        return int(first.strip())
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    """True while ``pid`` runs. A zombie counts as gone: an orphaned postmaster is reaped by init,
    which in some containers takes seconds, but a zombie holds no socket, memory or files."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def process_alive(pid: int) -> bool:
    """Whether a process of this machine runs as ``pid`` (zombies count as gone)."""
    return pid > 0 and _alive(pid)


def _shmid(pgdata: Path) -> str | None:
    """The System V segment id from ``postmaster.pid`` (line 7: key and shmid)."""
    try:
        parts = (pgdata / "postmaster.pid").read_text().splitlines()[6].split()
    except (OSError, IndexError):
        return None
    return parts[1] if len(parts) == 2 and parts[1].isdigit() else None


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.02)
    return not _alive(pid)


def stop_cluster(pgdata: Path) -> None:
    """Stop a throwaway cluster quickly without leaking shared memory.

    SIGINT is PostgreSQL's "fast shutdown": it disconnects sessions, writes a tiny checkpoint and
    releases its shared memory, which takes a moment with fsync off. SIGQUIT ("immediate") would
    be quicker but leaves dynamic shared memory segments in /dev/shm, so it is only the fallback,
    then SIGKILL, after which we remove the System V segment ourselves.
    Signals need no ``runuser``: root may signal anyone, and a non-root user owns its server.
    """
    pid = postmaster_pid(pgdata)
    if pid is None or not _alive(pid):
        return
    shmid = _shmid(pgdata)
    for sig, timeout in ((signal.SIGINT, 10.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if _wait_exit(pid, timeout):
            if sig == signal.SIGKILL and shmid is not None and shutil.which("ipcrm"):
                subprocess.run(["ipcrm", "-m", shmid], capture_output=True, check=False)
            return


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def stray_processes(marker: str) -> list[int]:
    """Live processes (Linux /proc) whose command line mentions ``marker``, a data directory.

    If verify dies while initdb or pg_ctl is still running, there is no postmaster.pid yet, and
    the postmaster may appear a moment later; its command line (``postgres -D DIR``) still names
    the directory, and so do initdb's and pg_ctl's.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    found = []
    needle = marker.encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def orphan_segments(uid: int, since: float) -> list[Path]:
    """POSIX shared memory segments of PostgreSQL (``/dev/shm/PostgreSQL.*``) that ``uid`` created
    at or after ``since`` and that no live process has mapped.

    initdb's bootstrap backends create them outside the data directory (our
    ``dynamic_shared_memory_type = mmap`` is only written for the server afterwards), and a
    bootstrap backend killed mid-way cannot remove them. Another server of the same user keeps
    its segments mapped, so it never loses one here.
    """
    shm = Path("/dev/shm")
    try:
        candidates = [p for p in shm.glob("PostgreSQL.*") if p.stat().st_uid == uid and p.stat().st_ctime >= since]
    except OSError:
        return []
    if not candidates:
        return []
    mapped: set[str] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                mapped.update(
                    line.rsplit(" ", 1)[-1]
                    for line in (entry / "maps").read_text().splitlines()
                    if "/dev/shm/PostgreSQL." in line
                )
    return [p for p in candidates if str(p) not in mapped]


def remove_cluster(pgdata: Path, tmpdir: Path, uid: int | None = None, since: float | None = None) -> None:
    """Stop the cluster, kill anything still working on its directory, delete the temp dir, and
    remove the shared memory segments an interrupted initdb left (when ``uid`` and ``since`` say
    whose and from when).

    If strays were found, a server that was starting may still come up, so look once more.
    """
    for _ in range(2):
        stop_cluster(pgdata)
        strays = stray_processes(str(pgdata))
        for pid in strays:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        remove_tree(tmpdir)
        if not strays:
            break
        time.sleep(0.5)
    if uid is not None and since is not None:
        for segment in orphan_segments(uid, since):
            with contextlib.suppress(OSError):
                segment.unlink()


def drop_database(conninfo: str, dbname: str) -> None:
    """Drop a scratch database, disconnecting anyone still in it (our own dead sessions, usually)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))


def cleanup(job: dict[str, Any]) -> None:
    """Undo what a backend set up; safe to run twice."""
    kind = job.get("kind")
    if kind == "cluster":
        remove_cluster(Path(job["pgdata"]), Path(job["tmpdir"]), job.get("uid"), job.get("since"))
    elif kind == "database":
        drop_database(job["conninfo"], job["dbname"])


def spawn(job: dict[str, Any]) -> subprocess.Popen[bytes]:
    """Start a watchdog for ``job``; keep the returned handle and call `release` after cleaning up."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqlguard.verify.watchdog"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C in the terminal must not kill the guard before the parent cleans up
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(job).encode() + b"\n")
    proc.stdin.flush()
    return proc


def release(proc: subprocess.Popen[bytes]) -> None:
    """Tell the watchdog the parent cleaned up by itself, and let it exit."""
    try:
        if proc.stdin is not None:
            proc.stdin.write(b"done\n")
            proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    stdin = sys.stdin.buffer
    first = stdin.readline()
    if not first:
        return 0
    job = json.loads(first)
    while True:
        line = stdin.readline()
        if not line:
            break
        if line.strip() == b"done":
            return 0
    try:
        cleanup(job)
    except Exception:  # the parent is gone; there is nobody left to report to
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
