"""Stamps: a chain's files known by their ``stat`` from the last run, so a run is spared reading them.

Linting one file of a long chain needs every earlier file's cache key (its content digest and its
down counterpart's), only to learn that nothing before the file changed. Reading and hashing 5,000
files costs more than linting the one file, so a run keeps, per chain, each file's ``stat`` stamp
(device, inode, size, mtime and ctime in nanoseconds) beside its key; the next run stats the files
and takes the key of every file whose stamp (and its counterpart's) is unchanged without opening it.

When is a stamp trusted: it was taken before the file was read (a change after that moves the
mtime, so the next run reads the file again), and its mtime is more than ``RACY_SECONDS`` older than
the moment the stamps were written (a file changed twice within one clock tick, git's "racy" case,
is read again). Stamps are keyed by the chain's parse seed (config, code, chain name), so another config
or another sqlguard never sees them. They are lines of text: loading runs no code. Any
problem reading them is a miss: the files are then read, as without stamps.
"""

from __future__ import annotations

import os
import stat
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlguard.cache import ParseCache

FORMAT = 2
FOLDER = "stamps"
KEEP = 32
RACY_SECONDS = 2.0

Stamp = tuple[int, int, int, int, int]


def stamp_of(path: str) -> Stamp | None:
    """The file's stamp, or None when it cannot be stat'ed or is not a regular file."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


class Stamps:
    """One chain's stamps: path -> (its stamps, its key, a fact).

    Stored as text, one file per line (``path TAB stamps TAB key TAB flag``) under a header line
    with the format and the time written: thousands of lines are split faster than JSON decodes
    them, and a file's stamps compare as one string."""

    def __init__(self, cache: ParseCache, chain_id: str) -> None:
        self.cache = cache
        self.name = f"{chain_id}.stamps"
        self._known: dict[str, tuple[str, str, bool]] = {}
        self._read: dict[str, tuple[str, str, bool]] = {}  # as loaded, racy ones too
        self._new: dict[str, tuple[str, str, bool]] = {}
        # path -> (its stamp, its counterpart's) taken just before the run read it
        self.taken: dict[str, tuple[Stamp | None, Stamp | None]] = {}
        self._load()

    def _load(self) -> None:
        text = self.cache.read_kept(FOLDER, self.name)
        if text is None:
            return
        try:
            header, *lines = text.split("\n")
            magic, written = header.split("\t")
            if magic != f"sqlguard-stamps {FORMAT}":
                return
            trusted_before = int((float(written) - RACY_SECONDS) * 1e9)
            for line in lines:
                if not line:
                    continue
                path, stamps, key, flag = line.split("\t")
                entry = (stamps, key, flag == "1")
                self._read[path] = entry
                if int(stamps.split(":", 4)[3]) < trusted_before:  # mtime, see ``_text``
                    self._known[path] = entry
        except (ValueError, IndexError):
            self._known, self._read = {}, {}

    def known(self, path: str, own: Stamp | None, counterpart: Stamp | None) -> tuple[str, bool] | None:
        """The key (and the flag) stored for ``path`` if its stamps are unchanged, else None."""
        entry = self._known.get(path)
        if entry is None or own is None or entry[0] != _text(own, counterpart):
            return None
        self._new[path] = entry
        return entry[1], entry[2]

    def key(self, path: str) -> str:
        """The key of a file ``known`` found unchanged."""
        return self._new[path][1]

    def flag(self, path: str) -> bool:
        """The fact kept with a file ``known`` found unchanged (a dbmate down section)."""
        return self._new[path][2]

    def remember(self, path: str, own: Stamp | None, counterpart: Stamp | None, key: str, flag: bool) -> None:
        """Keep ``key`` for ``path`` under stamps taken before it was read."""
        if own is not None and "\t" not in path and "\n" not in path:
            self._new[path] = (_text(own, counterpart), key, flag)

    def flush(self) -> None:
        """Keep the stamps of this run's files (``ParseCache.write_kept``: atomically)."""
        if not self._new or self._new == self._read:
            return  # nothing learnt: the file on disk already says it
        lines = [f"sqlguard-stamps {FORMAT}\t{time.time()!r}"]
        lines += [f"{path}\t{stamps}\t{key}\t{int(flag)}" for path, (stamps, key, flag) in self._new.items()]
        self.cache.write_kept(FOLDER, self.name, "\n".join(lines) + "\n", KEEP)


def _text(own: Stamp, counterpart: Stamp | None) -> str:
    """``dev:ino:size:mtime:ctime`` of the file, then ``/`` and its counterpart's (or ``-``)."""
    other = ":".join(map(str, counterpart)) if counterpart is not None else "-"
    return ":".join(map(str, own)) + "/" + other
