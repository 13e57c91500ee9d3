"""Alembic revision order: files sorted by their ``down_revision`` chain, not by file name.

Alembic names files ``<hash>_<slug>.py``, so natural order is random; the schema state must
follow the chain so that "an index created in an earlier revision" is known. Only the two
top-level assignments are read (a regex finds them, ``ast.literal_eval`` reads the value), so
ordering costs no parse of the files and never runs user code.

Branches (two revisions with the same parent) and merges (a tuple ``down_revision``) are
ordered parents first; ties keep natural file order. A revision whose parent is not among the
files, or a cycle, keeps its place after everything that could be ordered.
"""

from __future__ import annotations

import ast
import heapq
import re
from collections.abc import Callable, Sequence
from pathlib import Path

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*", re.MULTILINE)


def revision_ids(text: str) -> tuple[str | None, tuple[str, ...]] | None:
    """``(revision, down_revisions)`` from a revision file's source, or None if it is not one."""
    if "down_revision" not in text:
        return None
    found: dict[str, object] = {}
    for match in _ASSIGNMENT.finditer(text):
        found.setdefault(match.group(1), _literal_after(text, match.end()))
    revision = found.get("revision")
    if not isinstance(revision, str) or "down_revision" not in found:
        return None
    down = found["down_revision"]
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, (tuple, list)):
        return revision, tuple(item for item in down if isinstance(item, str))
    return revision, ()


def _literal_after(text: str, start: int) -> object:
    """The Python literal starting at ``start`` (it may span a few lines), else None."""
    end = start
    for _ in range(8):
        end = text.find("\n", end + 1)
        chunk = text[start : len(text) if end == -1 else end]
        try:
            return ast.literal_eval(chunk.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            if end == -1:
                return None
    return None


def order_revisions(paths: Sequence[Path], read: Callable[[Path], str | None]) -> list[Path]:
    """``paths`` with Alembic revision files reordered (parents first) within the slots they held."""
    facts: dict[int, tuple[str, tuple[str, ...]]] = {}
    for index, path in enumerate(paths):
        if path.suffix != ".py":
            continue
        text = read(path)
        ids = revision_ids(text) if text is not None else None
        if ids is not None and ids[0] is not None:
            facts[index] = (ids[0], ids[1])
    if len(facts) < 2:
        return list(paths)
    slots = sorted(facts)
    by_revision = {revision: index for index, (revision, _) in facts.items()}
    waiting: dict[int, int] = {}  # file → parents (among these files) not yet placed
    children: dict[int, list[int]] = {index: [] for index in slots}
    for index in slots:
        parents = {by_revision[p] for p in facts[index][1] if p in by_revision and by_revision[p] != index}
        waiting[index] = len(parents)
        for parent in parents:
            children[parent].append(index)
    ready = [index for index in slots if waiting[index] == 0]
    heapq.heapify(ready)  # the earliest file (natural order) that is ready goes first
    ordered: list[int] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(index)
        for child in children[index]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)
    placed = set(ordered)
    ordered.extend(index for index in slots if index not in placed)  # cycles keep natural order
    result = list(paths)
    for slot, index in zip(slots, ordered, strict=True):
        result[slot] = paths[index]
    return result
