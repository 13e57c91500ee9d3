"""A content-hash cache of parsed migrations, so an unchanged file is not parsed again.

What is cached, and why only that: the parsed ``Migration`` of one file (its changes, input
errors and down facts), never its diagnostics. Diagnostics of schema-aware rules depend on every
earlier file of the run (the engine feeds all changes into one ``SchemaState`` in order), on the
rule selection and on suppressions; keying them by all of that would make the key as expensive as
the work. Parsing is what costs (pglast builds a Python tree per statement); applying changes to
the schema state and running the checks on ready-made changes is cheap. So a warm run loads each
file's changes from here and always re-runs the checks, in order, which keeps schema-aware rules
exactly as correct as in a cold run.

The key is a SHA-256 of everything the parse can depend on:
- the file's path as linted (``Migration.path`` is stored in the entry and compared by the schema
  state) and its text;
- the text of its down counterpart, or its absence, as ``layouts.classify`` finds it, since the
  SQL front end reads it for ``DownFacts`` (a down file appearing or emptying must be seen);
- the whole effective ``Config`` (front ends receive all of it; a narrower key would silently go
  stale the day a front end reads one more setting);
- the sqlguard version, a fingerprint of the installed sqlguard sources (so a developer editing a
  front end without bumping the version never reads stale changes), the pglast and Python
  versions, and ``FORMAT``.

Entries are written to a temporary file in the same folder and moved into place with
``os.replace``, so concurrent runs never see half an entry. Anything wrong with an entry
(missing, truncated, unreadable, another format, another key, a class that no longer exists) is a
miss, never a crash and never a different result. Entries are pickles: the cache folder is as
trusted as the project it sits in (ruff and mypy make the same call for their caches).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import fields, replace
from pathlib import Path

from sqlguard import __version__
from sqlguard.config import Config
from sqlguard.model import Migration

FORMAT = 1
ENV_VAR = "SQLGUARD_CACHE_DIR"
DEFAULT_DIR = ".sqlguard_cache"
_PACKAGE = Path(__file__).resolve().parent


def resolve_cache_dir(option: str | None, config: Config) -> Path:
    """Where the cache lives: ``--cache-dir``, else ``$SQLGUARD_CACHE_DIR``, else the config's
    ``cache-dir`` (relative to the config file), else ``.sqlguard_cache`` in the project root."""
    if option:
        return Path(option)
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env)
    if config.cache_dir:
        return config.root / config.cache_dir
    return config.root / DEFAULT_DIR


class ParseCache:
    """Parsed migrations stored under ``directory``, one small file per entry."""

    def __init__(self, directory: Path, config: Config) -> None:
        self.directory = Path(directory)
        self._entries = self.directory / f"v{FORMAT}"
        self._salt = _salt(config)
        self._ready = False
        self.hits = 0
        self.misses = 0

    # -- keys ------------------------------------------------------------------------------------
    def key(self, path: str, text: str) -> str:
        """The entry key for ``path`` holding ``text`` under this run's config and code."""
        digest = hashlib.sha256(self._salt)
        for part in (path, text, _counterpart_fingerprint(path, text)):
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "little"))
            digest.update(encoded)
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self._entries / key[:2] / key[2:]

    # -- reading and writing ---------------------------------------------------------------------
    def load(self, key: str, text: str) -> Migration | None:
        """The cached migration for ``key`` with its ``text`` put back, or None on any problem."""
        try:
            with open(self._entry(key), "rb") as handle:
                stored_format, stored_key, migration = pickle.load(handle)
        except Exception:  # a missing, truncated or foreign entry is a miss, whatever went wrong
            self.misses += 1
            return None
        if stored_format != FORMAT or stored_key != key or not isinstance(migration, Migration):
            self.misses += 1
            return None
        self.hits += 1
        return replace(migration, text=text)

    def store(self, key: str, migration: Migration) -> None:
        """Save ``migration`` (without its text, which the key already pins) atomically.

        A cache that cannot be written (read-only folder, full disk) only costs speed, so every
        OSError is swallowed here.
        """
        payload = pickle.dumps((FORMAT, key, replace(migration, text="")), protocol=pickle.HIGHEST_PROTOCOL)
        target = self._entry(key)
        try:
            self._prepare()
            target.parent.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(payload)
                os.replace(temporary, target)
            except BaseException:
                _remove(temporary)
                raise
        except OSError:
            return

    def _prepare(self) -> None:
        """Create the folder with a ``.gitignore`` of ``*`` (as ruff does) the first time."""
        if self._ready:
            return
        self._entries.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by sqlguard automatically.\n*\n", encoding="utf-8")
        self._ready = True


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _counterpart_fingerprint(path: str, text: str) -> str:
    """The down counterpart's content (or absence) that the SQL front end reads for DownFacts."""
    if not path.lower().endswith((".sql", ".pgsql", ".psql")):
        return ""
    from sqlguard import layouts

    role = layouts.classify(Path(path), text)
    if role is None or role.counterpart is None:
        return "none"
    try:
        data = role.counterpart.read_bytes()
    except OSError:
        return f"missing:{role.counterpart}"
    return f"{role.counterpart}:{hashlib.sha256(data).hexdigest()}"


def _salt(config: Config) -> bytes:
    """Everything besides the file that decides its parse: config, versions and sqlguard's code."""
    import pglast

    settings = repr([(f.name, getattr(config, f.name)) for f in fields(config)])
    parts = (
        f"format={FORMAT}",
        f"sqlguard={__version__}",
        f"code={_code_fingerprint()}",
        f"pglast={pglast.__version__}",
        f"python={sys.version_info[:2]}",
        settings,
    )
    return "\n".join(parts).encode("utf-8")


@functools.cache
def _code_fingerprint() -> str:
    """Size and mtime of every sqlguard source file: cheap (stat only) and changes on any edit."""
    digest = hashlib.sha256()
    for source in sorted(_sources(_PACKAGE)):
        try:
            stat = source.stat()
        except OSError:
            continue
        digest.update(f"{source.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _sources(folder: Path) -> Iterable[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith(".py"):
                yield Path(root) / name
