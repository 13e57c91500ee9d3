"""Diagnostics latency of ``sqlguard lsp`` on a 500-line migration, over a real stdio connection.

Each run edits the document (so nothing is served from a cache), then saves it: the save makes
the server lint at once instead of waiting out the typing debounce, so the time measured is
change → lint → ``textDocument/publishDiagnostics`` received. Target: p95 < 30 ms after warm-up.

    python benchmarks/lsp_latency.py [N_RUNS]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
WARM_UP = 5
TARGET_P95_MS = 30.0


def migration(lines: int = 500, variant: int = 0) -> str:
    """A realistic migration of ``lines`` lines: tables, columns, indexes, comments, a few findings."""
    out: list[str] = []
    block = 0
    while len(out) < lines:
        table = f"t{block}_{variant}" if block == 0 else f"t{block}"
        out += [
            f"-- step {block}: {table}",
            f"CREATE TABLE {table} (",
            "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,",
            "    customer_id bigint NOT NULL,",
            "    created_at timestamptz NOT NULL DEFAULT now()",
            ");",
            f"CREATE INDEX idx_{table}_customer ON {table} (customer_id);",
            f"ALTER TABLE orders ADD COLUMN note_{block} text;",
            f"CREATE INDEX idx_orders_note_{block}_{variant} ON orders (note_{block});",
            f"COMMENT ON TABLE {table} IS 'step {block}';",
        ]
        block += 1
    return "\n".join(out[:lines]) + "\n"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def typed(variant: int, lines: int = 500) -> str:
    """The 500-line migration as someone types in it: one statement in the middle changes."""
    out = migration(lines).split("\n")
    middle = lines // 2
    while not out[middle].startswith("ALTER TABLE orders ADD COLUMN"):
        middle += 1
    out[middle] = out[middle].replace(" text;", f"_{variant} text;")
    return "\n".join(out)


Received = dict[int | None, "asyncio.Future[types.PublishDiagnosticsParams]"]


async def start_server(name: str, **env: str) -> tuple[LanguageClient, Received]:
    """A client talking to ``python -m sqlguard lsp`` over stdio, and the futures its published
    diagnostics resolve, by document version (set one before sending the change it answers)."""
    client = LanguageClient(name, "0")
    received: Received = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        future = received.get(params.version)
        if future is not None and not future.done():
            future.set_result(params)

    await client.start_io(sys.executable, "-m", "sqlguard", "lsp", env={**os.environ, "PYTHONPATH": str(REPO), **env})
    return client, received


async def _measure(n_runs: int, edit: Callable[[int], str]) -> tuple[list[float], int]:
    client, received = await start_server("sqlguard-benchmark")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "0500_big.sql"
        uri = path.as_uri()
        text = migration()
        path.write_text(text, encoding="utf-8")
        await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=Path(folder).as_uri())
        )
        client.initialized(types.InitializedParams())
        loop = asyncio.get_running_loop()
        received[1] = loop.create_future()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="sql", version=1, text=text)
            )
        )
        first = await asyncio.wait_for(received[1], 60)
        timings: list[float] = []
        for run in range(WARM_UP + n_runs):
            version = run + 2
            received[version] = loop.create_future()
            start = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        types.TextDocumentContentChangeWholeDocument(text=edit(version))
                    ],
                )
            )
            client.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            await asyncio.wait_for(received[version], 60)
            if run >= WARM_UP:
                timings.append((time.perf_counter() - start) * 1000)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return timings, len(first.diagnostics)


def _engine_only(path_name: str, n_runs: int) -> list[float]:
    sys.path.insert(0, str(REPO))
    from sqlguard.engine import Linter

    linter = Linter()
    timings = []
    for run in range(WARM_UP + n_runs):
        text = migration(variant=run)
        start = time.perf_counter()
        linter.lint_text(path_name, text)
        if run >= WARM_UP:
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def measure(n_runs: int) -> dict[str, Any]:
    """Start a real server, time ``n_runs`` edit → diagnostics round trips after warm-up.

    Two kinds of edit: every version renames objects all over the file (``migration``: about
    one statement in five changes, the server's statement cache helps least), and typing in one
    statement in the middle (``typed``: what a keystroke does).
    """
    if n_runs < 1:
        raise ValueError("n_runs must be at least 1")
    timings, diagnostics = asyncio.run(_measure(n_runs, lambda version: migration(variant=version)))
    typing, _ = asyncio.run(_measure(n_runs, typed))
    engine = _engine_only(path_name="0500_big.sql", n_runs=n_runs)
    return {
        "lines": 500,
        "runs": n_runs,
        "diagnostics": diagnostics,
        "mean_ms": round(statistics.fmean(timings), 2),
        "p50_ms": round(_percentile(timings, 0.50), 2),
        "p95_ms": round(_percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "typing_p50_ms": round(_percentile(typing, 0.50), 2),
        "typing_p95_ms": round(_percentile(typing, 0.95), 2),
        # The same lint in-process, without LSP or its statement cache: the engine's cold cost.
        "engine_p50_ms": round(_percentile(engine, 0.50), 2),
        "engine_p95_ms": round(_percentile(engine, 0.95), 2),
        "target_p95_ms": TARGET_P95_MS,
    }


if __name__ == "__main__":
    result = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["typing_p95_ms"] < TARGET_P95_MS else 1)
