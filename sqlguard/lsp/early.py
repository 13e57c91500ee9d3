"""Answer ``initialize`` before pygls is imported, from the answer pygls gave last time.

Editors send nothing until the server answers ``initialize``, and importing pygls and
lsprotocol takes longer than the whole answer should (lsprotocol's types module alone is
0.4 s or more). The answer depends only on the client's capabilities and on the server's code,
so the first start with a given client records pygls' answer in the user's cache folder, and
later starts send that recorded answer straight away, then import pygls and hand it the same
``initialize`` request: pygls sets itself up exactly as it would have, and its own answer,
which the client already has, is dropped. When it differs from the recorded one (which the
key should make impossible), the record is replaced for the next start.

Nothing here imports more than the standard library: it runs before everything else.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import IO, Any

from sqlguard import __version__

_ENGINE_PACKAGES = ("pygls", "lsprotocol")


def cache_folder() -> Path:
    """Where recorded answers live: ``$XDG_CACHE_HOME/sqlguard`` or ``~/.cache/sqlguard``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sqlguard"


def _code_stamp() -> str:
    """What the answer's shape depends on besides the client: sqlguard's server module and the
    installed pygls and lsprotocol (their files' paths and modification times)."""
    parts = [__version__]
    server = Path(__file__).with_name("server.py")
    for package in _ENGINE_PACKAGES:
        spec = importlib.util.find_spec(package)
        origin = spec.origin if spec is not None else None
        parts.append(f"{origin}:{os.stat(origin).st_mtime_ns if origin else 0}")
    parts.append(f"{server}:{server.stat().st_mtime_ns}")
    return "\n".join(parts)


def _key(params: dict[str, Any]) -> str:
    capabilities = json.dumps(params.get("capabilities", {}), sort_keys=True)
    return hashlib.sha256(f"{_code_stamp()}\n{capabilities}".encode()).hexdigest()[:32]


def read_message(stream: IO[bytes]) -> tuple[bytes, dict[str, Any] | None]:
    """One LSP message: its raw bytes (headers and body), and the body parsed (None if not JSON)."""
    raw = b""
    length = None
    while True:
        line = stream.readline()
        raw += line
        if not line or line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii", "replace").partition(":")
        if name.strip().lower() == "content-length" and value.strip().isdigit():
            length = int(value)
    if length is None:
        return raw, None
    body = stream.read(length)
    raw += body
    try:
        message = json.loads(body)
    except ValueError:
        return raw, None
    return raw, message if isinstance(message, dict) else None


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Replay:
    """A stdin for pygls that first gives back the bytes already read from the real one."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readline(self) -> bytes:
        if self._head:
            end = self._head.find(b"\n") + 1 or len(self._head)
            line, self._head = self._head[:end], self._head[end:]
            return line if line.endswith(b"\n") else line + self._rest.readline()
        return self._rest.readline()

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            data, self._head = self._head, b""
            return data + self._rest.read()
        data, self._head = self._head[:size], self._head[size:]
        return data + (self._rest.read(size - len(data)) if len(data) < size else b"")


class Recorder:
    """A stdout for pygls that records its ``initialize`` answer, and drops it if already sent."""

    def __init__(self, out: IO[bytes], request_id: object, record: Path | None, sent: dict[str, Any] | None) -> None:
        self._out = out
        self._id = request_id
        self._record = record
        self._sent = sent
        self._waiting = request_id is not None

    def write(self, data: bytes) -> None:
        if self._waiting:
            _, _, body = data.partition(b"\r\n\r\n")
            try:
                message = json.loads(body)
            except ValueError:
                message = None
            if isinstance(message, dict) and message.get("id") == self._id and "method" not in message:
                self._waiting = False
                answer = message.get("result")
                if self._record is not None and answer is not None and answer != self._sent:
                    _save(self._record, answer)
                if self._sent is not None:
                    return  # the client has this answer already
        self._out.write(data)
        self._out.flush()

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        self._out.close()


def _save(path: Path, answer: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(answer), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # no cache folder: the next start answers through pygls, as this one did


def answer_initialize(stdin: IO[bytes], stdout: IO[bytes]) -> tuple[Replay, Recorder]:
    """Read the first message; when it is ``initialize`` and an answer is recorded for this
    client and code, send it now. Returns the streams pygls must use instead of the real ones."""
    raw, message = read_message(stdin)
    if message is None or message.get("method") != "initialize" or "id" not in message:
        return Replay(raw, stdin), Recorder(stdout, None, None, None)
    params = message.get("params") or {}
    record = cache_folder() / f"lsp-initialize-{_key(params)}.json"
    try:
        recorded = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded is not None:
        stdout.write(frame({"jsonrpc": "2.0", "id": message["id"], "result": recorded}))
        stdout.flush()
    return Replay(raw, stdin), Recorder(stdout, message["id"], record, recorded)
