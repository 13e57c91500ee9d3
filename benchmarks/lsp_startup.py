"""Start-up of ``sqlguard lsp``: from spawning the process to the ``initialize`` response, and on
to the first diagnostics of an opened migration.

The client side is a few lines of raw JSON-RPC over the pipes (no client library to import), so
the time is the server's: interpreter start, imports, building the server, answering. Editors
wait for ``initialize`` before they send anything else, so that answer is what a user feels as
"the server is slow to start". Target: initialize within 300 ms of the spawn. The first start
records pygls' answer (sqlguard/lsp/early.py); the timed starts after it answer from the record
before importing pygls, as every start after the first does on a user's machine.

    python benchmarks/lsp_startup.py [N_RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
TARGET_INITIALIZE_MS = 300.0
MIGRATION = "CREATE TABLE t (id bigint PRIMARY KEY);\nCREATE INDEX t_id ON orders (id);\n"


def _send(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def _receive(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise RuntimeError("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    message: dict[str, Any] = json.loads(stream.read(length))
    return message


def _wait_for(stream: IO[bytes], wanted: Any) -> dict[str, Any]:
    while True:
        message = _receive(stream)
        if wanted(message):
            return message


def start_once(folder: Path) -> dict[str, float]:
    """Milliseconds from spawn to the initialize response and to the first diagnostics."""
    document = folder / "0001_index.sql"
    document.write_text(MIGRATION)
    # Recorded initialize answers (sqlguard/lsp/early.py) go to this run's own cache folder.
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(folder / "cache")}
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "sqlguard", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        _send(server.stdin, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": {}}})
        _wait_for(server.stdout, lambda m: m.get("id") == 1)
        initialized = time.perf_counter()
        _send(server.stdin, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        _send(server.stdin, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": document.as_uri(), "languageId": "sql", "version": 1, "text": MIGRATION}}})
        published = _wait_for(server.stdout, lambda m: m.get("method") == "textDocument/publishDiagnostics")
        diagnosed = time.perf_counter()
        assert [d["code"] for d in published["params"]["diagnostics"]] == ["SG004"], published
        _send(server.stdin, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        _wait_for(server.stdout, lambda m: m.get("id") == 2)
        _send(server.stdin, {"jsonrpc": "2.0", "method": "exit"})
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return {"initialize_ms": (initialized - started) * 1000, "first_diagnostics_ms": (diagnosed - started) * 1000}


def measure(runs: int = 10) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as temp:
        cold = start_once(Path(temp))  # no recorded answer yet; also compiles .pyc files
        samples = [start_once(Path(temp)) for _ in range(runs)]
    initialize = [s["initialize_ms"] for s in samples]
    first = [s["first_diagnostics_ms"] for s in samples]
    return {
        "runs": runs,
        "first_start_initialize_ms": cold["initialize_ms"],
        "initialize_median_ms": statistics.median(initialize),
        "initialize_min_ms": min(initialize),
        "initialize_max_ms": max(initialize),
        "first_diagnostics_median_ms": statistics.median(first),
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    result = measure(runs)
    verdict = "meets" if result["initialize_median_ms"] <= TARGET_INITIALIZE_MS else "misses"
    print(json.dumps(result, indent=2))
    median = result["initialize_median_ms"]
    print(f"initialize median {median:.0f} ms: {verdict} the {TARGET_INITIALIZE_MS:.0f} ms target")


if __name__ == "__main__":
    main()
