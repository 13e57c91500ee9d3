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
import configparser
import heapq
import os
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


# One problem of an Alembic revision graph: (path, kind, detail, start, end), ``start``/``end``
# the file offsets of the ``revision =`` or ``down_revision =`` line it is reported on. Kinds:
# "heads" (detail: the other heads, comma-separated), "unknown-parent" (the id no file has),
# "duplicate" (the other files with the same id), "cycle" (the revisions of the cycle).
GraphProblem = tuple[str, str, str, int, int]

_LABELS = re.compile(r"^(branch_labels|depends_on)\s*(?::[^=\n]*)?=\s*", re.MULTILINE)


def graph_problems(files: Sequence[tuple[str, str]]) -> tuple[GraphProblem, ...]:
    """What is wrong with the revision graph of ``files`` (``(path, text)`` of one chain, in fold
    order), as Alembic would find it at ``upgrade head``: several heads, a ``down_revision`` that
    names no revision, one id in two files, a cycle. Empty for a sound graph. Several heads are
    not reported when a revision declares ``branch_labels`` or ``depends_on`` (branches kept on
    purpose, upgraded with ``heads`` or by label)."""
    revisions: list[tuple[str, str, str, tuple[str, ...]]] = []  # (path, text, revision, parents)
    labelled = False
    for path, text in files:
        ids = revision_ids(text)
        if ids is None or ids[0] is None:
            continue
        revisions.append((path, text, ids[0], ids[1]))
        labelled = labelled or any(_literal_after(text, m.end()) not in (None, (), []) for m in _LABELS.finditer(text))
    if not revisions:
        return ()
    paths_of: dict[str, list[str]] = {}
    for path, _, revision, _ in revisions:
        paths_of.setdefault(revision, []).append(path)
    problems: list[GraphProblem] = []
    for path, text, revision, parents in revisions:
        others = [os.path.basename(other) for other in paths_of[revision] if other != path]
        if others:
            problems.append((path, "duplicate", ", ".join(others), *_line_of(text, "revision")))
        for parent in parents:
            if parent not in paths_of:
                problems.append((path, "unknown-parent", parent, *_line_of(text, "down_revision")))
    in_cycle = _cycle_members({revision: parents for _, _, revision, parents in revisions})
    for path, text, revision, _ in revisions:
        if revision in in_cycle:
            members = ", ".join(sorted(in_cycle))
            problems.append((path, "cycle", members, *_line_of(text, "down_revision")))
    parents_named = {parent for _, _, _, parents in revisions for parent in parents}
    heads = sorted({revision for _, _, revision, _ in revisions if revision not in parents_named})
    if len(heads) > 1 and not labelled:
        for path, text, revision, _ in revisions:
            if revision in heads:
                beside = ", ".join(head for head in heads if head != revision)
                problems.append((path, "heads", beside, *_line_of(text, "revision")))
    return tuple(problems)


def _cycle_members(parents: dict[str, tuple[str, ...]]) -> set[str]:
    """The revisions on a cycle (or between two cycles): what is left after peeling off, one by
    one, every revision with no parent left, then every one that is no one's parent (linear in
    the size of the graph: a history of thousands of revisions is peeled in one pass each way)."""
    edges = {revision: {parent for parent in ps if parent in parents} for revision, ps in parents.items()}
    children: dict[str, set[str]] = {revision: set() for revision in edges}
    for revision, ps in edges.items():
        for parent in ps:
            children[parent].add(revision)
    alive = set(edges)
    for towards, away in ((edges, children), (children, edges)):
        left = {revision: len(towards[revision] & alive) for revision in alive}
        queue = [revision for revision, count in left.items() if count == 0]
        while queue:
            revision = queue.pop()
            alive.discard(revision)
            for other in away[revision]:
                if other in alive:
                    left[other] -= 1
                    if left[other] == 0:
                        queue.append(other)
    return alive


def _line_of(text: str, name: str) -> tuple[int, int]:
    """The span of the line assigning ``name`` at the top level (the start of the file if none)."""
    for match in _ASSIGNMENT.finditer(text):
        if match.group(1) == name:
            end = text.find("\n", match.start())
            return match.start(), len(text) if end == -1 else end
    return 0, 1


def graph_is_whole(root: str) -> bool:
    """Whether the folder ``root`` holds a whole revision graph, as far as can be told without
    Alembic's configuration run: not when revisions may also live in its sub-folders or beside it
    (``recursive_version_locations``: ``root`` is, or holds, a sub-folder of ``versions/``; or
    ``version_locations`` set in the ``alembic.ini`` above it), where a parent is elsewhere."""
    folder = os.path.abspath(root or ".")
    if os.path.basename(os.path.dirname(folder)).lower() == "versions":
        return False
    try:
        for entry in os.scandir(folder):
            if entry.is_dir() and entry.name != "__pycache__" and any(
                name.endswith(".py") for name in os.listdir(entry.path)
            ):
                return False
    except OSError:
        return False
    setting = alembic_setting(folder, "version_locations")
    return setting is not None and not setting.strip()


def alembic_setting(versions: str, name: str) -> str | None:
    """``name`` from the ``[alembic]`` section of the ``alembic.ini`` of the project a versions
    folder belongs to (up to three folders above it): "" when the file has no such setting or
    there is no file, None when the file cannot be read."""
    above = os.path.abspath(versions)
    for _ in range(3):
        above = os.path.dirname(above)
        ini = os.path.join(above, "alembic.ini")
        if os.path.isfile(ini):
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(ini, encoding="utf-8")
                return parser.get("alembic", name, fallback="")
            except (configparser.Error, OSError, UnicodeDecodeError):
                return None
    return ""
