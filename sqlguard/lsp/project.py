"""Per-folder settings for open documents: the config file, a warm ``Linter``, earlier migrations.

Editors open one file at a time, so the server finds its config the way the CLI does (the
nearest sqlguard.toml or pyproject.toml above the file), caches it per folder, and reloads it
when the file's mtime or size changes or the client reports a watched file change. Many clients
watch no files (Neovim before 0.10, for one), so each lint also stats the candidate files between
the document and the config found (a few ``stat`` calls): a config created nearer, or the one
found deleted, takes effect on the next lint. Building a ``Linter`` once per config keeps the
dispatch tables warm between keystrokes.

For a SQL migration, the earlier SQL files in the same folder (natural order, as ``lint
DIR`` reads them) are linted once and their schema state kept, so "was this table created in
an earlier migration?" answers the same in the editor as in CI. Python migrations are not
ordered by file name (Alembic chains revisions), so they start from an empty state.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from sqlguard.config import Config, ConfigError, find_config_file, load_config
from sqlguard.engine import SQL_SUFFIXES, Linter, known_rules, read_source, selectors
from sqlguard.layouts import natural_key
from sqlguard.schema import SchemaState

MAX_EARLIER_FILES = 500


@dataclass
class _Found:
    """The config file found for a folder, and the stamps of every candidate that decided it."""

    path: Path | None
    candidates: tuple[tuple[Path, tuple[int, int]], ...]

    def still_valid(self) -> bool:
        return all(_stat(candidate) == stamp for candidate, stamp in self.candidates)


def _candidates(folder: Path, found: Path | None) -> tuple[tuple[Path, tuple[int, int]], ...]:
    """sqlguard.toml and pyproject.toml in each folder from ``folder`` up to the one holding
    ``found`` (or to the root), with their stamps: a change to any of them can change the answer."""
    stamps = []
    for candidate in (folder, *folder.parents):
        for name in ("sqlguard.toml", "pyproject.toml"):
            stamps.append((candidate / name, _stat(candidate / name)))
        if found is not None and found.parent == candidate:
            break
    return tuple(stamps)


@dataclass
class _Loaded:
    stamp: tuple[int, int] | None
    linter: Linter | None
    error: ConfigError | None


class Project:
    """Config, linters and earlier-migration schema states, cached by folder and file stamps."""

    def __init__(self) -> None:
        self._config_for_folder: dict[Path, _Found] = {}
        self._loaded: dict[Path | None, _Loaded] = {}
        self._earlier: dict[Path, tuple[tuple[object, ...], SchemaState]] = {}
        self._known = selectors(known_rules())

    def forget(self) -> None:
        """Drop everything cached (a config or migration file changed on disk)."""
        self._config_for_folder.clear()
        self._loaded.clear()
        self._earlier.clear()

    def config_path(self, document: Path) -> Path | None:
        folder = document.parent
        cached = self._config_for_folder.get(folder)
        if cached is None or not cached.still_valid():
            if folder.is_dir():
                found = find_config_file(folder)
                cached = _Found(found, _candidates(folder.resolve(), found))
            else:  # an unsaved document's folder: look again once it exists
                cached = _Found(None, ((folder, _stat(folder)),))
            self._config_for_folder[folder] = cached
        return cached.path

    def linter(self, document: Path) -> Linter:
        """The linter for this document's config; raises ``ConfigError`` for a broken config."""
        path = self.config_path(document)
        stamp = _stat(path) if path is not None else None
        loaded = self._loaded.get(path)
        if loaded is None or loaded.stamp != stamp:
            try:
                config = load_config(path, self._known) if path is not None else Config(root=document.parent)
                loaded = _Loaded(stamp, Linter(config), None)
            except ConfigError as error:
                loaded = _Loaded(stamp, None, error)
            self._loaded[path] = loaded
        if loaded.error is not None:
            raise loaded.error
        assert loaded.linter is not None
        return loaded.linter

    def schema_before(self, linter: Linter, document: Path) -> SchemaState:
        """A fresh copy of the schema state after the SQL migrations before ``document``."""
        if not document.name.lower().endswith(SQL_SUFFIXES) or not document.parent.is_dir():
            return SchemaState()
        earlier = _earlier_files(document)
        stamp = (id(linter), *((p.name, *_stat(p)) for p in earlier))
        cached = self._earlier.get(document)
        if cached is None or cached[0] != stamp:
            state = SchemaState()
            for path in earlier:
                text, _ = read_source(path)
                if text is not None:
                    linter.lint_text(str(path), text, schema=state)
            cached = (stamp, state)
            self._earlier[document] = cached
        return copy.deepcopy(cached[1])


def _earlier_files(document: Path) -> list[Path]:
    key = natural_key(document)
    siblings = [
        p
        for p in document.parent.iterdir()
        if p.name.lower().endswith(SQL_SUFFIXES) and p.is_file() and p.name != document.name
    ]
    earlier = sorted((p for p in siblings if natural_key(p) < key), key=natural_key)
    return earlier if len(earlier) <= MAX_EARLIER_FILES else []


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (0, -1)
    return (info.st_mtime_ns, info.st_size)
