"""``initialize`` is answered from the answer pygls gave last time, before pygls is imported.

Raw JSON-RPC over the server's pipes, so every message the server writes is seen, in order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlguard.lsp.early import frame, read_message
from tests.lsp.conftest import REPO

CAPABILITIES = {"general": {"positionEncodings": ["utf-16"]}, "textDocument": {"hover": {}}}
BAD = "CREATE INDEX idx_a ON orders (a);\n"


def session(tmp_path: Path, capabilities: dict[str, Any] = CAPABILITIES) -> list[dict[str, Any]]:
    """initialize, initialized, open a migration, shutdown, exit: every message the server wrote."""
    document = tmp_path / "001.sql"
    document.write_text(BAD)
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": capabilities}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": document.as_uri(), "languageId": "sql", "version": 1, "text": BAD}}},
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    server = subprocess.Popen(
        [sys.executable, "-m", "sqlguard", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    assert server.stdin is not None and server.stdout is not None
    written: list[dict[str, Any]] = []
    try:
        for message in messages:
            server.stdin.write(frame(message))
        server.stdin.flush()
        while not any(m.get("method") == "textDocument/publishDiagnostics" for m in written):
            _, received = read_message(server.stdout)
            assert received is not None, "the server closed its output"
            written.append(received)
        server.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        server.stdin.flush()
        while not any(m.get("id") == 2 for m in written):
            _, received = read_message(server.stdout)
            assert received is not None
            written.append(received)
        server.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
        server.stdin.close()
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return written


def _answers(written: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in written if m.get("id") == 1]


def _records(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "sqlguard").glob("lsp-initialize-*.json"))


def test_the_second_start_answers_from_the_record_once_and_works(tmp_path: Path) -> None:
    first = session(tmp_path)
    (answer,) = _answers(first)
    (record,) = _records(tmp_path)
    assert json.loads(record.read_text()) == answer["result"]
    assert answer["result"]["capabilities"]["hoverProvider"] is True

    second = session(tmp_path)
    assert _answers(second) == [answer], "one answer, the same as pygls gave"
    assert second[0] == answer, "and before anything else"
    (published,) = [m for m in second if m.get("method") == "textDocument/publishDiagnostics"]
    assert [d["code"] for d in published["params"]["diagnostics"]] == ["SG004"]


def test_other_client_capabilities_get_their_own_record(tmp_path: Path) -> None:
    session(tmp_path)
    utf8 = session(tmp_path, {"general": {"positionEncodings": ["utf-8"]}})
    assert _answers(utf8)[0]["result"]["capabilities"]["positionEncoding"] == "utf-8"
    assert len(_records(tmp_path)) == 2


def test_a_wrong_record_is_replaced_by_what_pygls_answers(tmp_path: Path) -> None:
    (answer,) = _answers(session(tmp_path))
    (record,) = _records(tmp_path)
    record.write_text(json.dumps({"capabilities": {}, "serverInfo": {"name": "stale"}}))
    stale = session(tmp_path)
    assert [m["result"]["serverInfo"]["name"] for m in _answers(stale)] == ["stale"]  # sent before pygls ran
    assert json.loads(record.read_text()) == answer["result"]
    assert _answers(session(tmp_path)) == [answer]
