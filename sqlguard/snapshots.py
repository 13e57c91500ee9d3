"""Schema state snapshots: the state of a chain after some prefix of it, kept between runs.

A file linted alone (pre-commit's staged migration, the file open in the editor) is checked after
the state of every earlier file of its chain. Rebuilding that state means loading every earlier
file's parse; a snapshot skips it. A snapshot is keyed by the cache link of the last file it
covers (``cache.ParseCache.chain_next``: the config, the code, and the path and content of every
file up to it, in order), so it can never describe other files than the ones a run sees.

A run that had to rebuild the state before a file from the earlier files' parses keeps it, so the
next run on that file (pre-commit after another edit of the newest migration, the editor reopening
it) starts from it; a whole-chain run that checked anything keeps one, of the state after its last
migration (where the migration being written next starts). Snapshots are JSON files of plain values
(``SchemaState.to_data``): reading one cannot run code, whoever wrote the folder. Any problem
reading one (missing, truncated, another format) is a miss. Only the ``KEEP`` newest are kept.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlguard.schema import SchemaState

if TYPE_CHECKING:
    from sqlguard.cache import ParseCache

FORMAT = 2
KEEP = 16
FOLDER = "states"


class Snapshots:
    """Snapshots stored as ``<link>.json`` in the cache's ``states`` folder (only where the cache
    folder may be used: see ``ParseCache.subfolder``)."""

    def __init__(self, cache: ParseCache) -> None:
        self.cache = cache
        self.loaded = 0  # snapshots read this run (tests and benchmarks look)

    def load(self, link: str) -> SchemaState | None:
        text = self.cache.read_kept(FOLDER, f"{link}.json")
        if text is None:
            return None
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT or data.get("link") != link:
                return None
            state = SchemaState.from_data(data["state"])
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
            return None
        self.loaded += 1
        return state

    def store(self, link: str, state: SchemaState) -> None:
        """Keep one snapshot (``ParseCache.write_kept``: atomically, the ``KEEP`` newest)."""
        if self.cache.subfolder(FOLDER, create=False) is None:
            return  # not even worth serialising the state
        data = json.dumps({"format": FORMAT, "link": link, "state": state.to_data()}, separators=(",", ":"))
        self.cache.write_kept(FOLDER, f"{link}.json", data, KEEP)
