"""Two cache levels, so an unchanged file is neither parsed nor checked again.

Level 1, parses: the parsed ``Migration`` of one file (its changes, input errors and down facts),
keyed by the file alone (see below). Parsing is what costs (pglast builds a Python tree per
statement).

Level 2, results: one file's final result (report path, "empty file" note, diagnostics after
per-file ignores and suppressions), keyed by a hash chain. Diagnostics of schema-aware rules
(SG002, SG004's "created in this migration") depend on every earlier file of its chain, in
order, so a file's result is stored under ``link_i = H(link_{i-1}, key_i)``, where ``key_i`` is its
level-1 key (which holds its path) and ``link_{-1}`` is ``H(salt, rule pages, the chain's name)``.
A link therefore pins everything a result can depend on: the file's own text and down counterpart,
the path, text and order of every earlier file of the chain (their changes are all the schema state
holds), the effective config (rule selection, severities, per-file ignores, target version), and
sqlguard's code and rule pages (a page sets a rule's severity, name and summary). The engine walks
the files in run order: while links hit, the stored result is the report and no migration is
unpickled and no schema state is built. At the first miss at index i, the schema state is rebuilt
by applying the changes of files 0..i-1 (from level 1, or parsed), which is all a cold run leaves
in it (checks only read the schema), and the checks run from file i on, storing each result under
its link. Why not key each result by only the earlier files' changes a rule reads: that set is
rule-specific and easy to get wrong; the chain is coarser (an edit in file i re-checks every later
file) but cannot go stale, and re-checking from level 1 is cheap next to parsing. Why not stop at
level 1: loading every cached change and re-running every check cost ~0.8 s of a 1.5 s warm run.

The key is a SHA-256 of everything the parse can depend on:
- the file's path as linted (``Migration.path`` is stored in the entry and compared by the schema
  state) and its text;
- the text of its down counterpart, or its absence, as ``layouts.classify`` finds it, since the
  SQL front end reads it for ``DownFacts`` (a down file appearing or emptying must be seen); a
  counterpart that is one of the run's files is known by the digest of the text read this run
  (``keys``), any other is read or looked for on disk;
- the whole effective ``Config`` (front ends receive all of it; a narrower key would silently go
  stale the day a front end reads one more setting), its sets sorted so that every process
  computes the same key (a frozenset's repr follows per-process string hashing);
- the sqlguard version, a fingerprint of the installed sqlguard sources (so a developer editing a
  front end without bumping the version never reads stale changes), the pglast and Python
  versions, and ``FORMAT``.

Storage: entries are grouped into 16 shard files by the key's first hex digit (parses in
``0.pickle`` .. ``f.pickle``, results in ``r0.pickle`` .. ``rf.pickle``; a fully warm run reads
only the small result shards). Creating a file
is the slow part of a cold run on some file systems (2.5 ms each on the benchmark machine, more
than parsing the file), so one file per entry would cost more than it saves; 16 shards keep a
one-file lint cheap (it reads one shard of ~1/16 of the entries, each entry a separate pickle
loaded only when asked for). A shard is rewritten at the end of a run when the run added or
refreshed entries in it: read again (to keep what a concurrent run added meanwhile), merged, written
to a temporary file in the same folder and moved into place with ``os.replace``, so concurrent runs
never see half a shard; at worst one run's new entries are lost, which only costs a later parse.
Entries unused for ``KEEP_DAYS`` are dropped when their shard is rewritten, so the cache does not
grow forever as files change (runs served by level 2 do not touch level 1, so its entries may
expire first: a later miss then parses those files again, which costs time, never correctness).

Anything wrong with a shard or an entry (missing, truncated, unreadable, another format, another
key, a class that no longer exists) is a miss, never a crash and never a different result.
Entries are pickles: the cache folder is as trusted as the project it sits in (ruff and mypy make
the same call for their caches).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from sqlguard import __version__, layouts
from sqlguard.config import Config
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Migration
from sqlguard.parallel import paused_gc, pickled, unpickled

FORMAT = 3  # 3: a parse entry holds the migration's own pickle (bytes), as workers send it
KEEP_DAYS = 30
ENV_VAR = "SQLGUARD_CACHE_DIR"
DEFAULT_DIR = ".sqlguard_cache"
RESULT_PREFIX = "r"  # result shards are r0.pickle .. rf.pickle, beside the parse shards 0 .. f
_PACKAGE = Path(__file__).resolve().parent

# One file's final result: the report's path, the "empty file" note (or None), its diagnostics.
Result = tuple[str, "str | None", list[Diagnostic]]


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
    """Parsed migrations stored under ``directory`` in 16 shard files; call ``flush`` at the end."""

    def __init__(self, directory: Path, config: Config) -> None:
        self.directory = Path(directory)
        self._folder = self.directory / f"v{FORMAT}"
        self._salt = _salt(config)
        self._place = repr([(name, str(getattr(config, name))) for name in sorted(_PLACE)]).encode("utf-8")
        self._salted = hashlib.sha256(self._salt)  # copied for each key instead of hashing the salt again
        self._today = int(time.time() // 86400)
        self._shards: dict[str, dict[str, Any]] = {}
        self._changed: dict[str, dict[str, tuple[int, bytes]]] = {}
        self._digests: dict[str, str] = {}  # path -> content digest, for files keyed this run
        self.hits = 0  # files not parsed: served by a stored result or a cached parse
        self.misses = 0  # files parsed
        self.result_hits = 0  # files served by a stored result (no parse, no checks)

    # -- keys ------------------------------------------------------------------------------------
    def keys(self, files: Sequence[tuple[str, str]]) -> list[str]:
        """The entry keys of one run's readable files (path as linted, text), in order.

        Every file's content digest is taken before any key, so a file's down counterpart that is
        in the run is known by name: its content is not read again and its existence not asked
        of the file system (a file read this run exists). That lookup, not hashing, was most of
        what keying cost when each counterpart was found with ``pathlib`` and a ``stat``. Only
        this run's files are known: digests from an earlier run of this object are forgotten."""
        self._digests = {path: _text_digest(text) for path, text in files}
        return [self._key(path, self._digests[path], text) for path, text in files]

    def key(self, path: str, text: str) -> str:
        """The entry key for ``path`` holding ``text`` under this run's config and code."""
        content = self._digests[path] = _text_digest(text)
        return self._key(path, content, text)

    def _key(self, path: str, content: str, text: str) -> str:
        digest = self._salted.copy()
        for part in (path, content, self._counterpart_fingerprint(path, text)):
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "little"))
            digest.update(encoded)
        return digest.hexdigest()

    def _counterpart_fingerprint(self, path: str, text: str) -> str:
        """The down counterpart's content (or absence) that the SQL front end reads for DownFacts.

        The counterpart is usually in the same run (see ``keys``); only one outside it is read
        or looked for on disk."""
        if not path.lower().endswith((".sql", ".pgsql", ".psql")):
            return ""
        role = layouts.classify(path, text)
        if role is None or role.counterpart_path is None:
            return "none"
        counterpart = role.counterpart_path
        known = self._digests.get(counterpart)
        if role.direction != "up":  # only an up file's down is read (for "empty"); else it must exist
            exists = known is not None or Path(counterpart).is_file()
            return f"{counterpart}:{'exists' if exists else 'missing'}"
        if known is not None:
            return f"{counterpart}:{known}"
        try:
            data = Path(counterpart).read_bytes()
        except OSError:
            return f"missing:{counterpart}"
        try:
            return f"{counterpart}:{_text_digest(data.decode('utf-8-sig'))}"
        except UnicodeDecodeError:
            return f"{counterpart}:bytes:{hashlib.sha256(data).hexdigest()}"

    # -- reading and writing ---------------------------------------------------------------------
    def load(self, key: str, text: str, *, count: bool = True) -> Migration | None:
        """The cached migration for ``key`` with its ``text`` put back, or None on any problem.
        ``count`` False leaves ``hits``/``misses`` alone (a file already counted as a result hit)."""
        migration = self._migration(key, text)
        if migration is None:
            if count:
                self.misses += 1
            return None
        if count:
            self.hits += 1
        return migration

    def _migration(self, key: str, text: str) -> Migration | None:
        blob = self._unpack(key[0], key, self._shard(key[0]).get(key))
        if not isinstance(blob, bytes):
            return None
        try:
            return unpickled(blob, text)
        except Exception:  # a damaged entry, or a class that no longer exists: a miss
            return None

    def _unpack(self, prefix: str, key: str, entry: object) -> object:
        if not isinstance(entry, tuple) or len(entry) != 2:
            return None
        day, blob = entry
        try:
            stored_format, stored_key, payload = pickle.loads(blob)
        except Exception:  # a missing, truncated or foreign entry is a miss, whatever went wrong
            return None
        if stored_format != FORMAT or stored_key != key:
            return None
        if not isinstance(day, int) or day < self._today:  # used today: keep it from expiring
            self._changed.setdefault(prefix, {})[key] = (self._today, blob)
        return payload

    # -- results (the second level) --------------------------------------------------------------
    def chain_start(self, paths: Sequence[str]) -> str:
        """The chain's seed: this run's config and code (the salt), the rule pages, and ``paths``
        (the engine passes the chain's name: links then depend only on the files before them, so
        a migration added at the end leaves every earlier link, result and state snapshot valid)."""
        digest = hashlib.sha256(b"results\n" + self._salt + self._place)
        digest.update(_pages_fingerprint().encode("utf-8"))
        for path in paths:
            encoded = path.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "little"))
            digest.update(encoded)
        return digest.hexdigest()

    @staticmethod
    def chain_next(previous: str, key: str) -> str:
        """The link of a file: its parse key on top of every earlier file's link."""
        return hashlib.sha256(f"{previous}:{key}".encode()).hexdigest()

    def load_result(self, chain: str) -> Result | None:
        """The stored result of the file whose link is ``chain``, or None on any problem."""
        prefix = RESULT_PREFIX + chain[0]
        result = self._unpack(prefix, chain, self._shard(prefix).get(chain))
        if not _is_result(result):
            return None
        self.hits += 1
        self.result_hits += 1
        return result  # type: ignore[return-value]

    def store_result(self, chain: str, result: Result) -> None:
        """Keep one file's final result (report path, empty-file note, diagnostics) for ``flush``."""
        try:
            blob = pickle.dumps((FORMAT, chain, result), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return
        self._changed.setdefault(RESULT_PREFIX + chain[0], {})[chain] = (self._today, blob)

    def store(self, key: str, migration: Migration | bytes) -> None:
        """Keep ``migration`` (without its text, which the key already pins) for ``flush``.

        Bytes are a migration already pickled by ``parallel.pickled`` (a worker process sends
        it so) and are stored as they are: pickling it again in the parent cost as much. A
        migration that cannot be pickled (a front end keeping a parser object) is not cached."""
        if isinstance(migration, Migration):
            try:
                migration = pickled(migration)
            except Exception:
                return
        blob = pickle.dumps((FORMAT, key, migration), protocol=pickle.HIGHEST_PROTOCOL)
        self._changed.setdefault(key[0], {})[key] = (self._today, blob)

    def flush(self) -> None:
        """Write the shards this run changed. A cache that cannot be written (read-only folder,
        full disk) only costs speed, so every OSError is swallowed here."""
        if not self._changed:
            return
        try:
            self._prepare()
            for prefix, entries in sorted(self._changed.items()):
                shard = {
                    key: entry
                    for key, entry in self._read_shard(prefix).items()
                    if isinstance(entry, tuple) and entry and isinstance(entry[0], int)
                    and entry[0] >= self._today - KEEP_DAYS
                }
                shard.update(entries)
                self._write_shard(prefix, shard)
                self._shards[prefix] = shard
        except OSError:
            return
        finally:
            self._changed.clear()

    def _shard(self, prefix: str) -> dict[str, Any]:
        shard = self._shards.get(prefix)
        if shard is None:
            shard = self._shards[prefix] = self._read_shard(prefix)
        return shard

    def _shard_path(self, prefix: str) -> Path:
        return self._folder / f"{prefix}.pickle"

    def _read_shard(self, prefix: str) -> dict[str, Any]:
        try:
            with open(self._shard_path(prefix), "rb") as handle, paused_gc():
                stored_format, shard = pickle.load(handle)
        except Exception:  # no shard yet, or a damaged one: both are simply empty
            return {}
        return shard if stored_format == FORMAT and isinstance(shard, dict) else {}

    def _write_shard(self, prefix: str, shard: dict[str, tuple[int, bytes]]) -> None:
        payload = pickle.dumps((FORMAT, shard), protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
            os.replace(temporary, self._shard_path(prefix))
        except BaseException:
            _remove(temporary)
            raise

    def _prepare(self) -> None:
        """Create the folder, with a ``.gitignore`` of ``*`` (as ruff does) the first time."""
        self._folder.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by sqlguard automatically.\n*\n", encoding="utf-8")


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _is_result(value: object) -> bool:
    if not isinstance(value, tuple) or len(value) != 3:
        return False
    path, note, diagnostics = value
    return (
        isinstance(path, str)
        and (note is None or isinstance(note, str))
        and isinstance(diagnostics, list)
        and all(isinstance(d, Diagnostic) for d in diagnostics)
    )


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_PLACE = frozenset({"root", "path", "cache_dir"})


def _salt(config: Config) -> bytes:
    """Everything besides the file that decides its parse: config, versions and sqlguard's code."""
    # Where the config file sits decides nothing a front end reads, so the editor (config root: the
    # document's folder) and the CLI (the current folder) share parses; results, whose per-file
    # ignores are relative to the root, have it in their chain seed (``chain_start``).
    settings = repr([(f.name, _canonical(getattr(config, f.name))) for f in fields(config) if f.name not in _PLACE])
    parts = (
        f"format={FORMAT}",
        f"sqlguard={__version__}",
        f"code={_code_fingerprint()}",
        f"parsers={_installed('pglast')},{_installed('libcst')}",
        f"python={sys.version_info[:2]}",
        settings,
    )
    return "\n".join(parts).encode("utf-8")


def _canonical(value: object) -> object:
    """``value`` with every set sorted: a frozenset's repr follows string hashing, which differs
    from one process to the next, and would make a config with two selectors never hit."""
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(item) for item in value), key=repr)
    if isinstance(value, tuple):
        return tuple(_canonical(item) for item in value)
    return value


@functools.cache
def _pages_fingerprint() -> str:
    """Size and mtime of every rule page: a page sets a rule's severity, name and summary, which
    stored diagnostics carry (pages sit outside the package in a checkout)."""
    from sqlguard.catalogue import pages_dir

    try:
        pages = sorted(pages_dir().glob("SG*.md"))
    except Exception:
        return "pages:unknown"
    digest = hashlib.sha256()
    for page in pages:
        try:
            stat = page.stat()
        except OSError:
            continue
        digest.update(f"{page}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _installed(package: str) -> str:
    """Where ``package`` is installed and its ``__init__``'s size and mtime: an upgrade changes it.

    Found without importing the package (pglast costs ~40 ms to import, and a run served from
    the cache does not need it otherwise)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return f"{package}:absent"
    if spec is None or spec.origin is None:
        return f"{package}:absent"
    try:
        stat = os.stat(spec.origin)
    except OSError:
        return f"{package}:{spec.origin}"
    return f"{package}:{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"


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
