"""Per-folder settings for open documents: the config file, a warm ``Linter``, earlier migrations.

Editors open one file at a time, so the server finds its config the way the CLI does (the
nearest sqlguard.toml or pyproject.toml above the file), caches it per folder, and reloads it
when the file's mtime or size changes or the client reports a watched file change. Many clients
watch no files (Neovim before 0.10, for one), so each lint also stats the candidate files between
the document and the config found (a few ``stat`` calls): a config created nearer, or the one
found deleted, takes effect on the next lint. Building a ``Linter`` once per config keeps the
dispatch tables warm between keystrokes.

For a migration, the schema state before it in its chain (``sqlguard.chains``: numbered files,
one folder per migration, an Alembic revision graph...) is folded once, from the parse cache the
CLI shares, and kept while the chain's files are unchanged on disk (their names, sizes and mtimes,
and for a revision its own ``down_revision``); every lint then branches it, which copies nothing.
So "was this table created in an earlier migration?" answers the same in the editor as in CI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlguard.chains import ChainKey, chain_of
from sqlguard.config import Config, ConfigError, find_config_file, load_config
from sqlguard.context import ChainFacts
from sqlguard.engine import Linter, known_rules, selectors
from sqlguard.frontends.revisions import revision_ids
from sqlguard.schema import SchemaState

if TYPE_CHECKING:
    from sqlguard.cache import ParseCache


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
        self._earlier: dict[Path, tuple[tuple[object, ...], SchemaState, ChainFacts]] = {}
        self._listings: dict[ChainKey, tuple[tuple[object, ...], list[str]]] = {}
        self._known = selectors(known_rules())

    def forget(self) -> None:
        """Drop everything cached (a config or migration file changed on disk)."""
        self._config_for_folder.clear()
        self._loaded.clear()
        self._earlier.clear()
        self._listings.clear()

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
                loaded = _Loaded(stamp, Linter(config, cache=_cache(config)), None)
            except ConfigError as error:
                loaded = _Loaded(stamp, None, error)
            self._loaded[path] = loaded
        if loaded.error is not None:
            raise loaded.error
        assert loaded.linter is not None
        return loaded.linter

    def context_before(
        self, linter: Linter, document: Path, text: str | None = None
    ) -> tuple[SchemaState, ChainFacts]:
        """A branch of the schema state just before ``document`` in its chain, and the chain's
        facts (``text`` is the document's unsaved text: it says where an Alembic revision sits in
        the graph).

        Every lint stats the chain's files (a few milliseconds for thousands) to see an earlier
        migration edited outside the editor; the listing of the chain is kept while its folder's
        mtime is unchanged (adding or removing a migration changes it)."""
        path = str(document)
        member_paths = self._members(linter, path)
        order = revision_ids(text) if text is not None and path.endswith(".py") else None
        stamp = (id(linter), order, *((p, *_stat(p)) for p in member_paths if p != path))
        cached = self._earlier.get(document)
        if cached is None or cached[0] != stamp:
            own = text if text is not None else ""
            state, chain = linter.context_before(path, own, member_paths)
            cached = (stamp, state, chain)
            self._earlier[document] = cached
        return cached[1].branch(), cached[2]

    def _members(self, linter: Linter, path: str) -> list[str]:
        key = chain_of(path, linter.config)
        folder_stamp = (id(linter), _stat(key.root or "."))
        listed = self._listings.get(key)
        if listed is None or listed[0] != folder_stamp or path not in listed[1]:
            listed = (folder_stamp, linter.chain_before(path)[1])
            self._listings[key] = listed
        return listed[1]


def _cache(config: Config) -> ParseCache | None:
    """The CLI's parse cache, so opening a migration late in a long chain parses no earlier file
    that ``sqlguard lint`` (or this server) has parsed before. Without a config file the server
    uses a cache folder only where one exists: opening a file must not leave a folder beside it."""
    from sqlguard.cache import ParseCache, resolve_cache_dir

    directory = resolve_cache_dir(None, config)
    if config.path is None and not directory.is_dir():
        return None
    try:
        return ParseCache(directory, config)
    except OSError:
        return None


def _stat(path: Path | str) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (0, -1)
    return (info.st_mtime_ns, info.st_size)
