"""Reading a file as sqlguard lints it: its text, or one line saying why there is none.

One read per file for a whole run: the descriptor's ``fstat`` sizes the read and says which file
it is (a file named twice, or through a link, is linted once). A file is UTF-8 text with its byte
order mark left out; a NUL byte anywhere, bytes that are not UTF-8, a folder, a FIFO or a device is
a reason, never a guess (parsers stop at a NUL; opening a FIFO would wait for a writer forever).
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterable
from pathlib import Path

# A file as read: its path, its text (None when unreadable) and, then, why.
Source = tuple[str, str | None, str]

# O_BINARY: no newline translation on Windows. O_NONBLOCK: opening a FIFO named x.sql returns at
# once instead of waiting for a writer (it is then refused as not a regular file).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def read_source(path: Path | str) -> tuple[str | None, str]:
    """The file's text, or None and a one-line reason (binary, not UTF-8, unreadable)."""
    _, text, problem = read_file(os.fspath(path))
    return text, problem


def read_file(path: str) -> tuple[object, str | None, str]:
    """The file's identity (see ``identity``), then what ``read_source`` returns.

    Read through its descriptor: the ``fstat`` that sizes the read also says which file it is,
    where a ``Path`` read and a separate ``stat`` cost twice as much over a whole run."""
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except IsADirectoryError:
        return identity(path), None, "is a directory"
    except OSError as error:
        return identity(path), None, f"cannot read file: {error.strerror or error}"
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
            return (status.st_dev, status.st_ino), None, f"not a regular file ({_file_kind(status.st_mode)}), skipped"
        data = _read_all(descriptor, status.st_size if stat.S_ISREG(status.st_mode) else -1)
    except IsADirectoryError:  # opening a folder read-only works on Linux; reading it does not
        return identity(path), None, "is a directory"
    except OSError as error:
        return identity(path), None, f"cannot read file: {error.strerror or error}"
    finally:
        os.close(descriptor)
    text, problem = _decode(data)
    return (status.st_dev, status.st_ino), text, problem


def _read_all(descriptor: int, size: int) -> bytes:
    """Everything left to read from ``descriptor``. ``size`` is a regular file's size (-1 for
    anything else): one read of that many bytes then suffices, unless the file changed size."""
    first = os.read(descriptor, size + 1 if size >= 0 else 65536)
    if size >= 0 and len(first) == size:
        return first
    chunks = [first]
    while chunks[-1]:
        chunks.append(os.read(descriptor, 65536))
    return b"".join(chunks)


def decode_source(data: bytes) -> tuple[str | None, str]:
    """Bytes read some other way (stdin) as a file's bytes are read: the text, or None and why."""
    return _decode(data)


def _decode(data: bytes) -> tuple[str | None, str]:
    """The text of a file's bytes: UTF-8 with its byte order mark, if any, left out (as the
    ``utf-8-sig`` codec does, whose Python-level decoder cost more than the C one it calls)."""
    nul = data.find(b"\x00")  # anywhere: parsers stop at a NUL, so a late one would cut the file short
    if nul != -1:
        return None, f"binary file (NUL byte at offset {nul}), not text"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as error:  # the offset counts from after the mark, as utf-8-sig's
        return None, f"not UTF-8 text (invalid byte at offset {error.start})"


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_unique(paths: Iterable[str], seen: set[object]) -> list[Source]:
    """Every file read once, in order, keeping the first path of each file (a file named twice,
    or through a link, is linted once); ``seen`` holds the files already read, and grows."""
    sources: list[Source] = []
    for path in paths:
        identity, text, problem = read_file(path)
        if identity not in seen:
            seen.add(identity)
            sources.append((path, text, problem))
    return sources


def identity(path: str) -> object:
    """The file itself (device and inode: one stat, where ``resolve`` costs one per folder)."""
    try:
        status = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (status.st_dev, status.st_ino)
