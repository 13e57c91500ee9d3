"""Schema state snapshots: the state of a chain after some prefix of it, kept between runs.

A file linted alone (pre-commit's staged migration, the file open in the editor) is checked after
the state of every earlier file of its chain. Rebuilding that state means loading every earlier
file's parse; a snapshot skips it. A snapshot is keyed by the cache link of the last file it
covers (``cache.ParseCache.chain_next``: the config, the code, and the path and content of every
file up to it, in order), so it can never describe other files than the ones a run sees.

A run that had to rebuild the state before a file from the earlier files' parses keeps it, so the
next run on that file (pre-commit after another edit of the newest migration, the editor reopening
it) starts from it; a whole-chain run rebuilds nothing and keeps none. Snapshots are JSON files of plain values
(``SchemaState.to_data``): reading one cannot run code, whoever wrote the folder. Any problem
reading one (missing, truncated, another format) is a miss. Only the ``KEEP`` newest are kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from sqlguard.schema import SchemaState

FORMAT = 2
KEEP = 16
FOLDER = "states"


class Snapshots:
    """Snapshots stored as ``<link>.json`` under ``directory/states``."""

    def __init__(self, directory: Path) -> None:
        self.folder = Path(directory) / FOLDER
        self.loaded = 0  # snapshots read this run (tests and benchmarks look)

    def load(self, link: str) -> SchemaState | None:
        try:
            with open(self.folder / f"{link}.json", encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("format") != FORMAT or data.get("link") != link:
                return None
            state = SchemaState.from_data(data["state"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
            return None
        self.loaded += 1
        return state

    def store(self, link: str, state: SchemaState) -> None:
        """Write one snapshot (atomically: a reader sees all of it or none) and prune old ones.
        A folder that cannot be written only costs speed."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.folder.is_symlink():
                return
            data = json.dumps({"format": FORMAT, "link": link, "state": state.to_data()}, separators=(",", ":"))
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(temporary, self.folder / f"{link}.json")
            self._prune()
        except (OSError, ValueError):
            with contextlib.suppress(UnboundLocalError, OSError):
                os.unlink(temporary)

    def _prune(self) -> None:
        entries = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            with contextlib.suppress(OSError):
                old.unlink()
