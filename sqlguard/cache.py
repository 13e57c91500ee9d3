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
``v4/0.shard`` .. ``f.shard``, results in ``r0.shard`` .. ``rf.shard``; a fully warm run reads
only the small result shards). Creating a file is the slow part of a cold run on some file
systems (2.5 ms each on the benchmark machine, more than parsing the file), so one file per entry
would cost more than it saves; 16 shards keep a one-file lint cheap (it reads one shard of ~1/16
of the entries, each entry decoded only when asked for). A shard is a header line, then one line
per entry: ``key day payload``, the payload being the JSON of ``[key, value]`` (ASCII, so it
holds no newline). It is rewritten at the end of a run when the run added or refreshed entries in
it: read again (to keep what a concurrent run added meanwhile), merged, written to a temporary
file in the same folder and moved into place with ``os.replace``, so concurrent runs never see
half a shard; at worst one run's new entries are lost, which only costs a later parse. Entries
unused for ``KEEP_DAYS`` are dropped when their shard is rewritten, and a shard over its share of
``MAX_BYTES`` loses its least recently used entries (each edit adds a result for every later
file, so a busy day would otherwise grow the cache by megabytes per edit).

Anything wrong with a shard or an entry (missing, truncated, unreadable, another format, another
key, a class that no longer exists, a field of the wrong type) is a miss, never a crash and
never a different result.

The cache folder is input sqlguard does not trust: a repository may commit one, and a shared
folder (``/tmp``) may hold one another user planted. So entries are data, not code: JSON that
``sqlguard.codec`` turns back only into sqlguard's own value classes, checked field by field (a
pickle would run whatever it names). A folder (or its ``v4`` folder, or a shard) that is a
symbolic link, is owned by another user or is writable by others is not used at all, with one
warning; files are never written through a symlink. A committed cache is still read, but its
keys pin this machine's installed sqlguard and parsers by size and modification time (see
``_salt``), so entries written elsewhere do not match and are parsed again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import stat
import sys
import tempfile
import time
from collections.abc import Container, Iterable, Sequence
from dataclasses import fields
from pathlib import Path

from sqlguard import __version__, codec, layouts
from sqlguard.config import Config
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Migration
from sqlguard.parallel import encoded

FORMAT = 4  # 4: JSON entries (sqlguard.codec) in line-based shard files; 3 was pickles
KEEP_DAYS = 30
MAX_BYTES = 128 * 1024 * 1024  # the shard files together, about; least recently used entries go first
ENV_VAR = "SQLGUARD_CACHE_DIR"
DEFAULT_DIR = ".sqlguard_cache"
RESULT_PREFIX = "r"  # result shards are r0 .. rf, beside the parse shards 0 .. f
SHARD_SUFFIX = ".shard"
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
        self._shards: dict[str, dict[str, tuple[int, str]]] = {}
        self._changed: dict[str, dict[str, tuple[int, str]]] = {}
        self._used: set[str] = set()  # keys read this run: never pruned by it
        self._usable: bool | None = None  # decided on first use, see ``usable``
        self.warnings: list[str] = []  # why the cache folder is not used, once
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
        migration = self._unpack(key[0], key)
        if not isinstance(migration, Migration):
            return None
        migration.text = text  # a fresh object from the entry's text: no one else holds it
        return migration

    def _unpack(self, prefix: str, key: str) -> object:
        """The value stored under ``key`` in shard ``prefix``, or None: absent, damaged, or not
        what ``codec`` writes. Only the codec's value classes are ever built from an entry."""
        entry = self._shard(prefix).get(key)
        if entry is None:
            return None
        day, payload = entry
        try:
            stored = codec.decode(payload)
        except ValueError:  # a truncated or foreign entry is a miss, whatever went wrong
            return None
        if type(stored) is not list or len(stored) != 2 or stored[0] != key:
            return None
        self._used.add(key)
        if day < self._today:  # used today: keep it from expiring
            self._changed.setdefault(prefix, {})[key] = (self._today, payload)
        return stored[1]

    # -- results (the second level) --------------------------------------------------------------
    def chain_start(self, paths: Sequence[str], *, results: bool = True) -> str:
        """The chain's seed: this run's config and code (the salt), the rule pages, and ``paths``
        (the engine passes the chain's name: links then depend only on the files before them, so
        a migration added at the end leaves every earlier link, result and state snapshot valid).

        ``results`` False seeds links for what only the parses decide (state snapshots, stamps):
        without the rule pages and the config's place (per-file ignores are relative to it), so
        the editor, whose config root is the document's folder, shares them with the CLI."""
        if not results:
            digest = hashlib.sha256(b"parses\n" + self._salt)
        else:
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
        result = _as_result(self._unpack(RESULT_PREFIX + chain[0], chain))
        if result is None:
            return None
        self.hits += 1
        self.result_hits += 1
        return result

    def store_result(self, chain: str, result: Result) -> None:
        """Keep one file's final result (report path, empty-file note, diagnostics) for ``flush``."""
        try:
            payload = codec.encode([chain, result])
        except (TypeError, ValueError):  # something the codec does not store: not cached
            return
        self._changed.setdefault(RESULT_PREFIX + chain[0], {})[chain] = (self._today, payload)

    def store(self, key: str, migration: Migration | str) -> None:
        """Keep ``migration`` (without its text, which the key already pins) for ``flush``.

        A string is a migration already encoded by ``parallel.encoded`` (a worker process sends
        it so) and is stored as it is. A migration the codec cannot store (a front end keeping a
        parser object) is not cached."""
        if isinstance(migration, Migration):
            try:
                migration = encoded(migration)
            except (TypeError, ValueError):
                return
        payload = f'["{key}",{migration}]'  # what codec.encode([key, migration]) writes
        self._changed.setdefault(key[0], {})[key] = (self._today, payload)

    def flush(self) -> None:
        """Write the shards this run changed, each pruned to its share of ``MAX_BYTES``. A cache
        that cannot be written (read-only folder, full disk) only costs speed, so every OSError is
        swallowed here."""
        if not self._changed:
            return
        try:
            if not self._prepare():
                return
            for prefix, entries in sorted(self._changed.items()):
                oldest = self._today - KEEP_DAYS
                shard = {key: entry for key, entry in self._read_shard(prefix).items() if entry[0] >= oldest}
                for key in entries:  # rewritten entries move to the end: the most recently used
                    shard.pop(key, None)
                shard.update(entries)
                self._write_shard(prefix, self._pruned(shard, entries))
                self._shards[prefix] = shard
        except OSError:
            return
        finally:
            self._changed.clear()

    def _pruned(self, shard: dict[str, tuple[int, str]], written: Container[str]) -> dict[str, tuple[int, str]]:
        """``shard`` within ``MAX_BYTES / 32``: the least recently used entries go first (by day,
        then in the order they were written), never one this run read or wrote."""
        budget = MAX_BYTES // 32
        size = sum(len(key) + len(payload) + 16 for key, (_, payload) in shard.items())
        if size <= budget:
            return shard
        for key, (_, payload) in sorted(shard.items(), key=lambda item: item[1][0]):
            if size <= budget:
                break
            if key in self._used or key in written:
                continue
            del shard[key]
            size -= len(key) + len(payload) + 16
        return shard

    def _shard(self, prefix: str) -> dict[str, tuple[int, str]]:
        shard = self._shards.get(prefix)
        if shard is None:
            shard = self._shards[prefix] = self._read_shard(prefix)
        return shard

    def _shard_path(self, prefix: str) -> str:
        return os.path.join(self._folder, f"{prefix}{SHARD_SUFFIX}")

    def _read_shard(self, prefix: str) -> dict[str, tuple[int, str]]:
        """The entries of one shard file, their payloads not yet decoded; empty when there is no
        usable shard (none yet, damaged, another format, or a cache folder that is not trusted)."""
        if not self.usable():
            return {}
        data = _read_private_file(self._shard_path(prefix))
        if data is None:
            return {}
        try:
            lines = data.decode("ascii").split("\n")
        except UnicodeDecodeError:
            return {}
        if lines[0] != _HEADER:
            return {}
        shard: dict[str, tuple[int, str]] = {}
        for line in lines[1:]:
            key, _, rest = line.partition(" ")
            day, _, payload = rest.partition(" ")
            if payload and day.isdigit():  # a cut-off last line has no payload yet
                shard[key] = (int(day), payload)
        return shard

    def _write_shard(self, prefix: str, shard: dict[str, tuple[int, str]]) -> None:
        lines = [_HEADER, *(f"{key} {day} {payload}" for key, (day, payload) in shard.items()), ""]
        data = "\n".join(lines).encode("ascii")
        # mkstemp opens with O_EXCL (a planted symlink is refused, never followed), mode 0600;
        # os.replace swaps the name, so a symlink at the shard's name is replaced, not followed.
        handle, temporary = tempfile.mkstemp(dir=self._folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, self._shard_path(prefix))
        except BaseException:
            _remove(temporary)
            raise

    # -- where the cache lives -------------------------------------------------------------------
    def usable(self) -> bool:
        """Whether the cache folder may be read and written: it and its format folder are real
        folders (not symbolic links), owned by this user and writable by no one else, or do not
        exist yet. Anyone else able to write there could plant entries; a symlink would make
        sqlguard write outside the project. Otherwise the cache is off, with one ``warnings``
        line saying why."""
        if self._usable is None:
            reason = _untrusted(self.directory) or _untrusted(self._folder)
            self._usable = reason is None
            if reason is not None:
                advice = "remove it, or choose another with --cache-dir"
                self.warnings.append(f"cache folder {self.directory} {reason}: not using it ({advice})")
        return self._usable

    def subfolder(self, name: str, *, create: bool) -> Path | None:
        """A folder inside the cache for other kept data (state snapshots, stamps), or None when
        it must not be used: the cache folder is not ``usable``, or the subfolder is a symbolic
        link, owned by someone else or writable by others. ``create`` makes it (private) first."""
        try:
            if not (self._prepare() if create else self.usable()):
                return None
            folder = self._folder / name
            if create:
                folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:  # a file in the way, a read-only folder: only costs speed
            return None
        return folder if _untrusted(folder) is None else None

    def read_kept(self, folder_name: str, name: str) -> str | None:
        """The text of ``name`` in the cache subfolder ``folder_name`` (see ``subfolder``), or
        None: missing, not a regular file, not UTF-8, or the folder must not be used."""
        folder = self.subfolder(folder_name, create=False)
        if folder is None:
            return None
        try:
            descriptor = os.open(folder / name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except OSError:
            return None
        try:
            with os.fdopen(descriptor, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                return handle.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def write_kept(self, folder_name: str, name: str, text: str, keep: int) -> None:
        """Write ``text`` as ``name`` in the cache subfolder ``folder_name``, atomically (a reader
        sees all of it or none), and keep only the ``keep`` newest files there with its suffix
        (state snapshots, stamps). A folder that cannot be written only costs speed."""
        folder = self.subfolder(folder_name, create=True)
        if folder is None:
            return
        temporary = None
        try:
            descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, folder / name)
            temporary = None
            suffix = os.path.splitext(name)[1]
            entries = sorted(folder.glob(f"*{suffix}"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in entries[keep:]:
                old.unlink()
        except OSError:
            pass
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def _prepare(self) -> bool:
        """Create the folder (private to this user), with a ``.gitignore`` of ``*`` (as ruff does)
        the first time; False when the folder turns out not to be usable."""
        if not self.usable():
            return False
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._folder.mkdir(mode=0o700, exist_ok=True)
        self._usable = None  # created, or there already: look again (it may have been planted)
        if not self.usable():
            return False
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        try:  # O_EXCL: an existing name, a dangling symlink too, is left alone, never written through
            handle = os.open(self.directory / ".gitignore", flags, 0o644)
        except FileExistsError:
            return True
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write("# Created by sqlguard automatically.\n*\n")
        return True


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_HEADER = f"sqlguard-cache {FORMAT}"


def _untrusted(folder: Path) -> str | None:
    """Why ``folder`` must not hold a cache, or None (fine, or absent: it will be created)."""
    try:
        status = os.lstat(folder)
    except OSError:
        return None
    if stat.S_ISLNK(status.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(status.st_mode):
        return None  # a file in the way: writing fails, which only costs speed
    return _foreign(status)


def _foreign(status: os.stat_result) -> str | None:
    """Why a file or folder with this status may hold what someone else wrote, or None."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # Windows: no owner and mode bits to compare
        return None
    if status.st_uid != geteuid():
        return f"is owned by another user (uid {status.st_uid})"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "is writable by other users"
    return None


def _read_private_file(path: str) -> bytes | None:
    """The bytes of a regular file this user owns and no one else can write, read without
    following a symlink and without blocking on a FIFO; None for anything else."""
    try:
        handle = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode) or _foreign(status) is not None or status.st_size > MAX_BYTES:
            return None
        chunks: list[bytes] = []
        while True:
            chunk = os.read(handle, max(status.st_size + 1, 65536))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(handle)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _as_result(value: object) -> Result | None:
    """A stored result as the engine takes it, or None when ``value`` is not one."""
    if type(value) is not list or len(value) != 3:
        return None
    path, note, diagnostics = value
    if (
        type(path) is str
        and (note is None or type(note) is str)
        and type(diagnostics) is list
        and all(type(d) is Diagnostic for d in diagnostics)
    ):
        return path, note, diagnostics
    return None


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
