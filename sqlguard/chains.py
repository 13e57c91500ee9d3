"""Migration chains: which migrations run before a file, in what order, in one schema state.

A chain is the ordered set of migrations of one tool in one folder. Every entry point (``lint``
of a folder or of named files, pre-commit with only the staged files, ``--fix``, the language
server) asks for the chain of its files and folds the schema state of everything before them, so
a file gets the same findings however it was linted. Where a file's chain lives:

- a folder listed in ``migration-dirs`` (config) holds one chain, sub-folders included (a project
  that files its migrations by year);
- ``up.sql`` or ``down.sql`` inside a folder, or ``migration.sql`` inside a folder named from a
  timestamp (Prisma Migrate's ``<ts>_<name>/``): one folder per migration, so the chain is the
  folder above (``migrations/<ts>_<name>/up.sql``);
- any other file: the folder it is in (numbered files, dbmate, Flyway, an Alembic versions folder).

SQL and Python files of one folder are two chains (two tools). Order: natural file order for SQL,
with each down file moved right after its up (it runs against the schema its up made); the
revision graph for Alembic (``revisions.order_revisions``).

Names are spelled as the engine spells paths (``str(Path)``: ``migrations/x.sql``, or ``x.sql``
for the current folder), so a member found here and the same file found by discovery compare equal.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from sqlguard import layouts
from sqlguard.config import Config
from sqlguard.frontends import PYTHON_SUFFIXES
from sqlguard.frontends.revisions import alembic_setting, order_revisions

SQL_SUFFIXES = (".sql", ".pgsql", ".psql")
# Files that name a migration by their folder: one folder per migration.
STEP_FILES = ("up.sql", "down.sql", "migration.sql")
# Folder names that say which database an Alembic chain runs on (``versions/sqlite/``).
DIALECT_FOLDERS = {"sqlite": "sqlite", "mysql": "mysql", "mariadb": "mysql"}

ChainKind = Literal["sql", "python"]
S = TypeVar("S")


@dataclass(frozen=True)
class ChainKey:
    """One chain: its folder (spelled like the paths in it; "" for the current folder), the kind
    of its files, and whether it takes in sub-folders (a configured migration folder)."""

    root: str
    kind: ChainKind
    recursive: bool = False

    @property
    def dialect(self) -> str | None:
        """The database the chain runs on when its folder says so (None: the configured one): a
        folder named for it (``versions/sqlite/``), or for Alembic, the URL in the project's
        ``alembic.ini`` (``sqlalchemy.url = sqlite:///app.db``)."""
        name = os.path.basename(os.path.normpath(self.root)) if self.root else ""
        if name.lower() in DIALECT_FOLDERS:
            return DIALECT_FOLDERS[name.lower()]
        return _alembic_ini_dialect(os.path.abspath(self.root or ".")) if self.kind == "python" else None


def _alembic_ini_dialect(versions: str) -> str | None:
    """The database an ``alembic.ini`` beside the versions folder's project names, if not
    PostgreSQL (a URL built in env.py at run time is not seen)."""
    url = alembic_setting(versions, "sqlalchemy.url") or ""
    return DIALECT_FOLDERS.get(url.split(":", 1)[0].split("+", 1)[0].strip().lower())


def kind_of(path: str) -> ChainKind:
    return "python" if path.lower().endswith(PYTHON_SUFFIXES) else "sql"


def chain_of(path: str, config: Config) -> ChainKey:
    """The chain ``path`` (spelled as the engine spells it) belongs to."""
    kind = kind_of(path)
    configured = _configured_root(path, config)
    if configured is not None:
        return ChainKey(configured, kind, recursive=True)
    folder, name = os.path.split(path)
    if kind == "sql" and folder and is_step_file(os.path.basename(folder), name):
        return ChainKey(os.path.dirname(folder), kind)
    return ChainKey(folder, kind)


def is_step_file(folder: str, name: str) -> bool:
    """``name`` in ``folder`` is one migration of a folder-per-migration layout. A Prisma step is
    only taken for one when its folder starts with the timestamp Prisma names it by: a lone
    ``migration.sql`` elsewhere is just a file."""
    lower = name.lower()
    if lower == "migration.sql":
        return folder[:1].isdigit()
    return lower in STEP_FILES


def _configured_root(path: str, config: Config) -> str | None:
    """The ``migration-dirs`` folder holding ``path``, spelled as a prefix of ``path``."""
    if not config.migration_dirs:
        return None
    absolute = os.path.abspath(path)
    for folder in config.migration_dirs:
        root = os.path.abspath(os.path.join(config.root, folder))
        if absolute.startswith(root + os.sep):
            depth = absolute[len(root) + 1 :].count(os.sep) + 1
            spelled = path
            for _ in range(depth):
                spelled = os.path.dirname(spelled)
            return spelled
    return None


def members(key: ChainKey, config: Config, discover: Callable[[str], list[str]]) -> list[str]:
    """Every file of the chain, in natural order (not yet fold order: see ``fold_order``).

    A plain chain is listed two levels deep at most (its folder's files and the step files of its
    sub-folders), never walked: a file at the top of a repository has the repository's top folder
    as its chain, and walking all of it for one file would cost more than the lint."""
    if key.recursive:
        return [path for path in discover(key.root or ".") if kind_of(path) == key.kind]
    suffixes = PYTHON_SUFFIXES if key.kind == "python" else SQL_SUFFIXES
    found: list[str] = []
    try:
        entries = sorted(os.scandir(key.root or "."), key=lambda entry: entry.name)
    except OSError:
        return []
    for entry in entries:
        spelled = _join(key.root, entry.name)
        if config.is_excluded_name(entry.name, _posix(spelled)):
            continue
        try:
            if entry.is_file():
                if entry.name.lower().endswith(suffixes):
                    found.append(spelled)
            elif key.kind == "sql" and entry.is_dir():
                found.extend(_step_files(spelled, config))
        except OSError:
            continue
    return sorted(found, key=natural_order(key))


def _step_files(folder: str, config: Config) -> list[str]:
    found = []
    for name in (n for n in STEP_FILES if is_step_file(os.path.basename(folder), n)):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and not config.is_excluded_name(name, _posix(candidate)):
            found.append(candidate)
    return found


def fold_order(
    key: ChainKey, sources: Sequence[S], path_of: Callable[[S], str], text_of: Callable[[S], str | None]
) -> list[S]:
    """``sources`` (the chain's files in natural order) in the order their schema changes fold:
    Alembic revisions by their graph; each SQL down file right after its up file."""
    if key.kind == "python":
        return _revision_order(list(sources), path_of, text_of)
    by_path = {path_of(source): source for source in sources}
    deferred: dict[str, list[S]] = {}  # up path -> the down files waiting for it
    for source in sources:
        up = up_of_down(path_of(source))
        if up is not None and up in by_path and up != path_of(source):
            deferred.setdefault(up, []).append(source)
    waiting = {id(source) for downs in deferred.values() for source in downs}
    ordered: list[S] = []
    for source in sources:
        if id(source) in waiting:
            continue
        ordered.append(source)
        ordered.extend(deferred.get(path_of(source), ()))
    return ordered


def down_role(path: str) -> layouts.FileRole | None:
    """The layout role of a down file (``x.down.sql``, ``down.sql``, Flyway ``U1__x.sql``); None
    for any other file. Asked of every file of a chain, so the names that cannot be a down file
    are told apart by their ending before ``layouts.classify`` is asked."""
    name = os.path.basename(path).lower()
    if not (name.endswith(".down.sql") or name == "down.sql" or name.startswith("u")):
        return None
    role = layouts.classify(path)
    return role if role is not None and role.direction == "down" else None


def up_of_down(path: str) -> str | None:
    """For a down file, the path of its up file (None for any other file, or an orphan down)."""
    role = down_role(path)
    return role.counterpart_path if role is not None else None


def natural_order(key: ChainKey) -> Callable[[str], tuple[str | int, ...]]:
    """The sort key of the chain's paths: natural order of what follows the chain's folder (every
    member starts with it, so comparing the rest orders them as whole paths would be)."""
    start = len(_join(key.root, ""))
    return lambda path: layouts.natural_key(path[start:])


def _revision_order(sources: list[S], path_of: Callable[[S], str], text_of: Callable[[S], str | None]) -> list[S]:
    if len(sources) < 2:
        return sources
    by_path = {Path(path_of(source)): source for source in sources}
    ordered = order_revisions(list(by_path), lambda path: text_of(by_path[path]))
    return [by_path[path] for path in ordered]


def _join(root: str, name: str) -> str:
    return os.path.join(root, name) if root else name


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")
