"""How to run one migration step up or down: plain SQL files (via `sqlguard.layouts`) or Alembic.

The verify loop only needs "how many steps, what are they called, apply step i up/down", so both
runners offer exactly that. A database error becomes a `StepError` that carries what a person needs
to fix it: the server's message, the failing statement and where it is in which file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlguard.layouts import MigrationStep, dbmate_sections, discover_steps
from sqlguard.verify import markers
from sqlguard.verify.errors import VerifyUsageError
from sqlguard.verify.snapshot import BOOKKEEPING_TABLES

# The history table a tool creates before running migrations, for layouts whose migrations may
# refer to it; the columns are the tools' own.
TOOL_TABLES = {
    "updown-dir": "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations ("
    "version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "flyway": "CREATE TABLE IF NOT EXISTS flyway_schema_history (installed_rank integer PRIMARY KEY, "
    "version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, "
    "script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, "
    "installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL)",
}


@dataclass(frozen=True)
class DbError:
    """A failed statement, positioned in its source file when we know where it came from."""

    message: str
    sqlstate: str | None = None
    statement: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    detail: str | None = None
    hint: str | None = None

    def location(self) -> str:
        if self.file is None:
            return ""
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


class StepError(Exception):
    def __init__(self, error: DbError) -> None:
        super().__init__(error.message)
        self.error = error


class Runner(Protocol):
    """One migration source: a fixed, ordered list of steps that can each be applied up or down."""

    kind: str
    source: Path
    skip_tables: frozenset[str]

    def step_names(self) -> list[str]: ...

    def has_down(self, index: int) -> bool: ...

    def irreversible(self, index: int) -> str | None:
        """Why step ``index`` is marked irreversible in its own files, or None."""
        ...

    def prepare(self, conninfo: str) -> None:
        """Create what the migration tool itself creates before the first migration runs."""
        ...

    def extensions(self) -> dict[str, list[str]]:
        """Extensions the steps create (CREATE EXTENSION), with the steps that create each."""
        ...

    def open(self, conninfo: str) -> None: ...

    def up(self, index: int) -> None: ...

    def down(self, index: int) -> None: ...

    def close(self) -> None: ...


def display_path(path: Path, base: Path) -> str:
    """Relative to where the user is when the file is below it, else absolute."""
    absolute = path.resolve()
    with contextlib.suppress(ValueError):
        return str(absolute.relative_to(base.resolve()))
    return str(absolute)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset (as users see them everywhere in sqlguard)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def split_statements(sql: str) -> list[tuple[int, str]]:
    """Statements of a script with their start offsets (characters), comments before them dropped.

    pglast's parser splits exactly like PostgreSQL, including `BEGIN ATOMIC ... END` bodies. If the
    script has a syntax error we fall back to its scanner, which splits at top-level semicolons, and
    let the server report the error on the statement that has it.
    """
    import pglast

    try:
        slices = pglast.split(sql, with_parser=True, only_slices=True)
    except pglast.parser.ParseError:
        slices = pglast.split(sql, with_parser=False, only_slices=True)
    out: list[tuple[int, str]] = []
    for piece in slices:
        start = piece.start or 0
        text = sql[piece]
        stripped = _strip_leading_comments(text)
        start += len(text) - len(stripped)
        if stripped.strip():
            out.append((start, stripped.rstrip()))
    return out


def _strip_leading_comments(text: str) -> str:
    while True:
        trimmed = text.lstrip()
        if trimmed.startswith("--"):
            newline = trimmed.find("\n")
            text = "" if newline < 0 else trimmed[newline + 1 :]
        elif trimmed.startswith("/*"):
            end = trimmed.find("*/")
            text = "" if end < 0 else trimmed[end + 2 :]
        else:
            return trimmed


def created_extensions(sql: str) -> list[str]:
    """The extensions a script creates (``CREATE EXTENSION``), as PostgreSQL's parser reads it."""
    from pglast import ast, parse_sql

    try:
        statements = parse_sql(sql)
    except Exception:  # pglast's ParseError: the server reports the syntax error itself
        return []
    return [
        raw.stmt.extname
        for raw in statements
        if isinstance(raw.stmt, ast.CreateExtensionStmt) and raw.stmt.extname
    ]


def db_error(exc: Any, statement: str | None, file: str | None, script: str | None, start: int) -> DbError:
    """A psycopg error as a `DbError`, with the error position turned into file line:column."""
    diag = getattr(exc, "diag", None)
    message = (getattr(diag, "message_primary", None) or str(exc)).strip()
    line = column = None
    if script is not None:
        position = getattr(diag, "statement_position", None)
        offset = start + (int(position) - 1 if position else 0)
        line, column = _line_col(script, offset)
    return DbError(
        message=message,
        sqlstate=getattr(diag, "sqlstate", None),
        statement=statement,
        file=file,
        line=line,
        column=column,
        detail=getattr(diag, "message_detail", None),
        hint=getattr(diag, "message_hint", None),
    )


class SqlRunner:
    """Runs SQL layout steps statement by statement on one autocommit connection.

    Statement by statement, rather than one multi-statement query, so that an error names the exact
    statement even when the server gives no position (e.g. "relation already exists"), and so that a
    file may manage its own transactions or use CREATE INDEX CONCURRENTLY.
    """

    kind = "sql"
    skip_tables = BOOKKEEPING_TABLES

    def __init__(self, source: Path, steps: list[MigrationStep]) -> None:
        self.source = source
        self.steps = steps
        self.layouts = sorted({s.layout for s in steps})
        self._conn: Any = None

    def step_names(self) -> list[str]:
        return [s.name for s in self.steps]

    def has_down(self, index: int) -> bool:
        return self.steps[index].down_sql() is not None

    def irreversible(self, index: int) -> str | None:
        step = self.steps[index]
        return markers.sql_reason(step.up_sql()) or markers.sql_reason(step.down_sql() or "")

    def extensions(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for step in self.steps:
            for name in created_extensions(step.up_sql()):
                found.setdefault(name, []).append(step.name)
        return found

    def prepare(self, conninfo: str) -> None:
        """diesel and Flyway create their history table before the first migration, and some
        migrations use it (a trigger on diesel's table, say); it is there before the first snapshot,
        so it is part of every schema and never a difference."""
        import psycopg

        tables = [TOOL_TABLES[layout] for layout in self.layouts if layout in TOOL_TABLES]
        if tables:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                for ddl in tables:
                    conn.execute(ddl)

    def open(self, conninfo: str) -> None:
        import psycopg

        self._conn = psycopg.connect(conninfo, autocommit=True)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def up(self, index: int) -> None:
        step = self.steps[index]
        self._run(step.up_sql(), step.up_path, self._section_start(step, "up"))

    def down(self, index: int) -> None:
        step = self.steps[index]
        sql = step.down_sql()
        if sql is None:
            raise StepError(DbError(f"{step.name} has no down migration"))
        path = step.up_path if step.layout == "dbmate" else step.down_path
        assert path is not None
        self._run(sql, path, self._section_start(step, "down"))

    @staticmethod
    def _section_start(step: MigrationStep, direction: str) -> int:
        """Where the SQL we run starts in its file: a dbmate section starts after its marker line."""
        if step.layout != "dbmate":
            return 0
        sections = dbmate_sections(step.up_path.read_text(encoding="utf-8"))
        section = sections.up if direction == "up" else sections.down
        return section[0] if section else 0

    def _run(self, script: str, path: Path, base: int) -> None:
        import psycopg
        from psycopg.pq import TransactionStatus

        full = path.read_text(encoding="utf-8")
        opened: tuple[int, str] | None = None  # the statement that began the open transaction
        for start, statement in split_statements(script):
            try:
                # one statement, no parameters: psycopg sends it unchanged, so "%" needs no escaping
                self._conn.execute(statement, prepare=False)
            except psycopg.Error as exc:
                self._rollback()
                raise StepError(db_error(exc, statement, self._display(path), full, base + start)) from None
            if self._conn.info.transaction_status == TransactionStatus.IDLE:
                opened = None
            elif opened is None:
                opened = (base + start, statement)
        if opened is not None:
            # Everything after the BEGIN is invisible to other sessions, the snapshots included:
            # passing here would verify a schema that was never committed.
            self._rollback()
            line, column = _line_col(full, opened[0])
            raise StepError(
                DbError(
                    "the file ends inside a transaction (BEGIN without COMMIT): its changes were never committed",
                    statement=opened[1],
                    file=self._display(path),
                    line=line,
                    column=column,
                )
            )

    def _rollback(self) -> None:
        from psycopg.pq import TransactionStatus

        if self._conn.info.transaction_status != TransactionStatus.IDLE:
            self._conn.rollback()

    def _display(self, path: Path) -> str:
        return display_path(path, Path.cwd())


@contextlib.contextmanager
def _in_directory(path: Path) -> Iterator[None]:
    """Alembic resolves script_location and prepend_sys_path from the working directory, as if run
    from the project folder; we run it the same way and go back afterwards."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def sqlalchemy_url(conninfo: str) -> str:
    """The SQLAlchemy URL for a libpq conninfo, in the shape settings classes accept.

    pydantic's ``PostgresDsn`` (and most hand-written settings) insist on a host in the URL, so a
    Unix socket folder goes into the ``host`` query parameter, which libpq prefers to the URL's host,
    and the URL names ``localhost``: ``postgresql+psycopg://postgres@localhost:5432/db?host=/sock``.
    Every other parameter passes through as a query key. The driver follows the installed
    SQLAlchemy (`_driver`).
    """
    from psycopg.conninfo import conninfo_to_dict

    params = {k: str(v) for k, v in conninfo_to_dict(conninfo).items()}
    dbname = params.pop("dbname", None)
    user = params.pop("user", None)
    password = params.pop("password", None)
    port = params.pop("port", None)
    host = params.get("host", "localhost")
    if host.startswith("/") or "," in host:
        host = "localhost"  # the socket (or the host list) stays in the query
    else:
        params.pop("host", None)
    if port is not None and "," in port:  # one port per host of a list: not a URL's port
        params["port"], port = port, None
    return _render_url(user, password, host, port, dbname, params)


def _render_url(
    user: str | None, password: str | None, host: str, port: str | None, dbname: str | None, query: dict[str, str]
) -> str:
    """Build the URL text ourselves: SQLAlchemy's URL object differs between 1.4 and 2.x, and the
    projects we run may pin either."""
    from urllib.parse import quote, urlencode

    auth = ""
    if user:
        auth = quote(user, safe="")
        if password:
            auth += ":" + quote(password, safe="")
        auth += "@"
    netloc = host if ":" not in host else f"[{host}]"
    if port:
        netloc += f":{port}"
    path = "/" + quote(dbname, safe="") if dbname else "/"
    tail = "?" + urlencode(query, safe="/") if query else ""
    return f"{_driver()}://{auth}{netloc}{path}{tail}"


def _driver() -> str:
    """The SQLAlchemy dialect for the installed SQLAlchemy: psycopg 3 from 2.0 on, psycopg2 on 1.4
    (which has no psycopg 3 dialect); older versions are refused with what to install."""
    import sqlalchemy

    version = sqlalchemy.__version__
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if parts >= (2, 0):
        return "postgresql+psycopg"
    if parts < (1, 4):
        raise VerifyUsageError(
            f"SQLAlchemy {version} is installed; verify runs Alembic projects on SQLAlchemy 1.4 or 2.x: "
            "`pip install 'sqlalchemy>=1.4' psycopg2-binary` in a separate environment for verify"
        )
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        raise VerifyUsageError(
            f"SQLAlchemy {version} has no psycopg 3 dialect: `pip install psycopg2-binary` next to it"
        ) from None
    return "postgresql+psycopg2"


class AlembicRunner:
    """Runs Alembic revisions in-process through Alembic's own command API.

    The project's env.py runs unchanged. We point it at the scratch database the ways env.py files
    usually look for one: `sqlalchemy.url` in the Config, and the DATABASE_URL environment variable.
    """

    kind = "alembic"

    def __init__(
        self, source: Path, ini: Path | None, script_location: Path | None, app: str | None = None
    ) -> None:
        self.source = source
        self.origin = Path.cwd()  # where the user ran us: file paths in errors are relative to it
        self.ini = ini
        self.project_dir = ini.parent if ini is not None else (script_location or source).parent
        if ini is not None and script_location is None and not _ini_has_script_location(ini):
            # Flask-Migrate's layout: the ini sits in the script folder, the app one folder up
            script_location = ini.parent
            self.project_dir = ini.parent.parent
        self.script_location = script_location
        env_py = (script_location or self.project_dir) / "env.py"
        self.flask = app is not None or _mentions_current_app(env_py)
        self.app_import = app
        self._app: Any = None
        self.skip_tables = BOOKKEEPING_TABLES
        self._revisions: list[Any] = []
        self._url: str | None = None
        self._conninfo = ""
        self._dbname = ""
        self._saved_env: dict[str, str | None] = {}
        self._preloaded = frozenset(sys.modules)
        with _in_directory(self.project_dir), self._on_path(), self._quiet():
            try:
                from alembic.script import ScriptDirectory

                script = ScriptDirectory.from_config(self._config())
                revisions = list(script.walk_revisions("base", "heads"))
            except Exception as exc:  # any failure to read the project is an input error
                raise VerifyUsageError(
                    f"cannot read the Alembic project at {source}: {_one_line(exc)}{_last_frames(exc, self.origin)}"
                ) from None
        revisions.reverse()
        if len(script.get_heads()) > 1:
            raise VerifyUsageError("the Alembic history has several heads; verify needs a linear history")
        self._revisions = revisions

    def _config(self) -> Any:
        from alembic.config import Config

        cfg = Config(str(self.ini) if self.ini else None, stdout=io.StringIO())
        if self.script_location is not None:
            cfg.set_main_option("script_location", str(self.script_location))
        if self._url is not None:
            cfg.set_main_option("sqlalchemy.url", self._url.replace("%", "%%"))
        return cfg

    @contextlib.contextmanager
    def _on_path(self) -> Iterator[None]:
        """The project folder first on sys.path while Alembic runs, as `prepend_sys_path = .` means.

        Alembic adds the relative ".", and Python resolves it once, when first used, to the
        working directory of that moment, which need not be the project's; so we add the
        absolute folder ourselves and forget what "." was resolved to.
        """
        folder = str(self.project_dir.resolve())
        sys.path.insert(0, folder)
        sys.path_importer_cache.pop(".", None)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):
                sys.path.remove(folder)
            sys.path_importer_cache.pop(".", None)

    def _forget_project_modules(self) -> None:
        """Drop the project's own modules (its settings, models) from sys.modules, so a fresh
        database's URL is read again: settings objects are built once, at import."""
        folder = str(self.project_dir.resolve()) + os.sep
        for name, module in list(sys.modules.items()):
            path = getattr(module, "__file__", None) or ""
            if (
                name not in self._preloaded  # sqlguard's own and its libraries stay
                and path.startswith(folder)
                and not any(part in path for part in ("site-packages", "dist-packages"))  # a .venv inside
            ):
                del sys.modules[name]

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """env.py usually calls logging.config.fileConfig, which prints INFO lines for every step;
        they would break our progress display and --format json on stdout."""
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(previous)

    def step_names(self) -> list[str]:
        names = []
        for rev in self._revisions:
            doc = (rev.doc or "").strip().splitlines()
            names.append(f"{rev.revision} ({doc[0]})" if doc else rev.revision)
        return names

    def has_down(self, index: int) -> bool:
        return True

    def irreversible(self, index: int) -> str | None:
        path = getattr(self._revisions[index], "path", None)
        if not path:
            return None
        try:
            source = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return markers.python_reason(source)

    def prepare(self, conninfo: str) -> None:
        """Alembic creates its version table itself, on the first upgrade."""

    def extensions(self) -> dict[str, list[str]]:
        """From the SQL of ``op.execute(...)`` calls in ``upgrade()``, read as lint reads it."""
        from sqlguard.frontends.alembic import parse_python
        from sqlguard.model import CreateObject

        found: dict[str, list[str]] = {}
        for rev, name in zip(self._revisions, self.step_names(), strict=True):
            path = getattr(rev, "path", None)
            try:
                text = Path(path).read_text(encoding="utf-8") if path else ""
            except (OSError, UnicodeDecodeError):
                continue
            for change in parse_python(str(path), text).changes:
                if isinstance(change, CreateObject) and change.object_type == "extension":
                    for extension in created_extensions(change.statement):
                        found.setdefault(extension, []).append(name)
        return found

    def open(self, conninfo: str) -> None:
        from psycopg.conninfo import conninfo_to_dict

        self._conninfo = conninfo
        self._dbname = str(conninfo_to_dict(conninfo).get("dbname", ""))
        self._url = sqlalchemy_url(conninfo)
        self._saved_env = {name: os.environ.get(name) for name in _URL_VARIABLES}
        for name in _URL_VARIABLES:
            os.environ[name] = self._url
        self._forget_project_modules()
        if self.flask:
            self._app = self._load_flask_app()

    def _load_flask_app(self) -> Any:
        """The Flask app, made the way `flask db` makes it (``--app``/FLASK_APP, else app.py or
        wsgi.py in the project folder), after the URL variables point at the scratch database."""
        try:
            from flask.cli import ScriptInfo
        except ImportError:
            raise VerifyUsageError("env.py uses Flask's current_app: `pip install flask` next to sqlguard") from None
        with _in_directory(self.project_dir), self._on_path(), self._quiet():
            try:
                return ScriptInfo(app_import_path=self.app_import).load_app()
            except Exception as exc:  # the app's own import or factory failed: a setup error
                text = " ".join(str(exc).split()) or type(exc).__name__
                here = str(self.project_dir.resolve())
                ours = any(f.filename.startswith(here) for f in traceback.extract_tb(exc.__traceback__))
                frames = _last_frames(exc, self.origin) if ours else ""  # Flask's own frames say nothing
                raise VerifyUsageError(
                    f"the Flask app could not be loaded (--app or FLASK_APP names it): {type(exc).__name__}: "
                    f"{text}{frames}"
                ) from None

    def _dispose_flask_engines(self) -> None:
        """Close the app's pooled connections: the scratch database is dropped next."""
        extension = self._app.extensions.get("sqlalchemy") if self._app is not None else None
        if extension is None:
            return
        with contextlib.suppress(Exception), self._app.app_context():  # engines need the context
            for engine in extension.engines.values():
                engine.dispose()

    def close(self) -> None:
        self._dispose_flask_engines()
        self._app = None
        self._forget_project_modules()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def up(self, index: int) -> None:
        from alembic import command

        self._command(command.upgrade, self._revisions[index].revision)

    def down(self, index: int) -> None:
        from alembic import command

        down = self._revisions[index].down_revision
        target = "base" if down is None else down if isinstance(down, str) else "-1"
        self._command(command.downgrade, target)

    @contextlib.contextmanager
    def _only_scratch_database(self) -> Iterator[None]:
        """Refuse any connection env.py opens to a database other than our scratch one.

        An env.py that ignores `sqlalchemy.url` (reading its own settings instead) would otherwise
        run upgrades and downgrades against a real database. Every new DBAPI connection is checked
        before Alembic can use it; the random scratch name makes a wrong match practically impossible.
        """
        from sqlalchemy import event
        from sqlalchemy.pool import Pool

        def check(dbapi_connection: Any, connection_record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT current_database()")
                row = cursor.fetchone()
            finally:
                cursor.close()
            dbapi_connection.rollback()
            name = str(row[0]) if row else "?"
            if name != self._dbname:
                raise _WrongDatabase(
                    f"env.py connected to database {name!r}, not the scratch database sqlguard gave it; "
                    "make env.py use config.get_main_option('sqlalchemy.url') (or DATABASE_URL)"
                )

        event.listen(Pool, "connect", check)
        try:
            yield
        finally:
            event.remove(Pool, "connect", check)

    def _command(self, fn: Any, target: str) -> None:
        from sqlalchemy.exc import DBAPIError

        app_context = self._app.app_context() if self._app is not None else contextlib.nullcontext()
        with (
            _in_directory(self.project_dir),
            self._on_path(),
            self._quiet(),
            self._only_scratch_database(),
            app_context,
        ):
            try:
                fn(self._config(), target)
            except _WrongDatabase as exc:
                raise VerifyUsageError(str(exc)) from None
            except DBAPIError as exc:
                if isinstance(exc.orig, _WrongDatabase):
                    raise VerifyUsageError(str(exc.orig)) from None
                statement = (exc.statement or "").strip() or None
                raise StepError(self._locate(db_error(exc.orig, statement, None, None, 0), exc)) from None
            except Exception as exc:  # the migration's own Python code, or env.py and what it imports
                setup = self._setup_error(exc)
                if setup is not None:
                    raise VerifyUsageError(setup) from None
                raise StepError(
                    self._locate(DbError(f"{type(exc).__name__}: {_one_line(exc)}"), exc)
                ) from None
        self._learn_version_tables()

    def _learn_version_tables(self) -> None:
        """Leave Alembic's version table out of snapshots even when env.py renames it.

        Alembic creates it on the first upgrade and keeps it after downgrading to base, so it would
        look like an object the first downgrade forgot. env.py's ``version_table=`` is not visible
        from outside, but the table's shape is: a single ``version_num`` column.
        """
        import psycopg

        query = """SELECT c.relname FROM pg_class c
                   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   WHERE c.relkind = 'r' GROUP BY c.oid, c.relname
                   HAVING count(*) = 1 AND bool_and(a.attname = 'version_num')"""
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            names = {str(row[0]) for row in conn.execute(query)}
        self.skip_tables = self.skip_tables | names

    def _setup_error(self, exc: BaseException) -> str | None:
        """The message for an error of the project's setup (env.py, its settings, an import), or
        None when a revision's own code raised it: that is a failure of that migration."""
        revisions = {str(Path(rev.path).resolve()) for rev in self._revisions if getattr(rev, "path", None)}
        here = str(self.project_dir.resolve())
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if str(Path(frame.filename).resolve()) in revisions:
                return None
            if frame.filename.startswith(here):
                break
        else:
            if not isinstance(exc, ImportError):
                return None
        text = " ".join(str(exc).split()) or type(exc).__name__
        if len(text) > 400:
            text = text[:400] + " …"
        return (
            f"the Alembic environment failed before any migration ran: {type(exc).__name__}: {text}"
            f"{_last_frames(exc, self.origin)}"
        )

    def _locate(self, error: DbError, exc: BaseException) -> DbError:
        """Point at the innermost frame inside the project (the revision file, usually)."""
        here = str(self.project_dir.resolve())
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.startswith(here):
                shown = display_path(Path(frame.filename), self.origin)
                return dataclasses.replace(error, file=shown, line=frame.lineno, column=None)
        return error


class _WrongDatabase(Exception):
    """env.py connected somewhere else than the scratch database."""


def _last_frames(exc: BaseException, origin: Path, count: int = 3) -> str:
    """The innermost frames of the traceback, as Python prints them, one per line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<")][-count:]
    lines = []
    for frame in frames:
        lines.append(f"\n  {display_path(Path(frame.filename), origin)}:{frame.lineno} in {frame.name}")
        if frame.line:
            lines.append(f"\n    {frame.line.strip()}")
    return "".join(lines)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.splitlines()[0].split())


# Where sqlguard puts the scratch database's URL for env.py and the app to find: the usual name,
# Flask-SQLAlchemy's config key, and the FLASK_-prefixed form `app.config.from_prefixed_env()` reads.
_URL_VARIABLES = ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "FLASK_SQLALCHEMY_DATABASE_URI")


def _ini_has_script_location(ini: Path) -> bool:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return True  # let Alembic report what is wrong with the file
    return parser.has_option("alembic", "script_location")


def _mentions_current_app(env_py: Path) -> bool:
    """Whether env.py takes its engine from a Flask app (Flask-Migrate's env.py does), read with
    Python's own parser: an import of ``current_app`` from flask."""
    import ast

    try:
        tree = ast.parse(env_py.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError):
        return False
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "flask"
        and any(alias.name == "current_app" for alias in node.names)
        for node in ast.walk(tree)
    )


def _alembic_layout(path: Path) -> tuple[Path | None, Path | None] | None:
    """(alembic.ini, script_location) if ``path`` is an Alembic project, else None.

    Besides Alembic's own layouts, a folder holding Flask-Migrate's ``migrations/alembic.ini``
    (the project root, where `flask db` runs) is one.
    """
    if path.is_file() and path.suffix == ".ini":
        return path, None
    if path.is_dir():
        if (path / "alembic.ini").is_file():
            return path / "alembic.ini", None
        if (path / "env.py").is_file() and (path / "versions").is_dir():
            return None, path.resolve()
        flask = path / "migrations"
        if (flask / "alembic.ini").is_file() and (flask / "env.py").is_file():
            return flask / "alembic.ini", None
    return None


def _check_readable(root: Path) -> None:
    """Every SQL file lint would read must be readable here too: a file that is not UTF-8 would
    otherwise drop out of the chain and the rest "verify" without it."""
    from sqlguard.reading import read_source

    for candidate in sorted(root.rglob("*.sql")):
        if candidate.is_file():
            text, problem = read_source(candidate)
            if text is None:
                raise VerifyUsageError(f"{display_path(candidate, Path.cwd())}: E002 {problem}")


def discover_runner(path: Path, app: str | None = None) -> Runner:
    """Pick the runner for ``path``: an Alembic project, else SQL layouts, else a usage error."""
    if not path.exists():
        raise VerifyUsageError(f"path does not exist: {path}")
    alembic = _alembic_layout(path)
    if alembic is not None:
        ini, script_location = alembic
        if "alembic" not in sys.modules:
            try:
                import alembic as _alembic  # noqa: F401
            except ImportError:
                raise VerifyUsageError(
                    "this is an Alembic project: `pip install 'sqlguard[verify]'`"
                ) from None
        return AlembicRunner(path, ini.resolve() if ini else None, script_location, app)
    root = path if path.is_dir() else path.parent
    _check_readable(root)
    steps = discover_steps(root)
    if not steps:
        raise VerifyUsageError(f"no migrations found in {path}")
    return SqlRunner(root, steps)
