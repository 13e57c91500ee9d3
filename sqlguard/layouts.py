"""SQL migration layouts: which file is an up, which is its down, and in what order they run.

Both `lint` (SG006: an up migration without its down) and `verify` (run up, down, up) need the
same answer, so it lives here once. Recognised layouts:

- ``0001_name.up.sql`` beside ``0001_name.down.sql`` (golang-migrate, sqlx)
- ``0001_name/up.sql`` beside ``0001_name/down.sql`` (diesel, refinery)
- one file with ``-- migrate:up`` and ``-- migrate:down`` sections (dbmate)
- ``V1__name.sql`` beside ``U1__name.sql`` (Flyway versioned and undo migrations)

A dbmate marker is a comment line, read line by line; SQL itself is never parsed here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

LayoutName = Literal["updown-files", "updown-dir", "dbmate", "flyway"]

DBMATE_UP = "-- migrate:up"
DBMATE_DOWN = "-- migrate:down"

_FLYWAY_NAME = re.compile(r"^(?P<kind>[VU])(?P<version>[0-9][0-9._]*)__(?P<desc>.+)\.sql$")
_NATURAL_CHUNK = re.compile(r"(\d+)")


@dataclass(frozen=True)
class DbmateSections:
    """Character ranges of the two sections of a dbmate file (after each marker line)."""

    up: tuple[int, int]
    down: tuple[int, int] | None
    down_marker: int | None


@dataclass(frozen=True)
class FileRole:
    """What one SQL file is in its layout, and where its counterpart is expected.

    The counterpart is kept as a string spelled like the file's own path (``str(Path)``), since
    the lint cache looks it up among the run's files by name for every file; ``counterpart``
    makes the ``Path`` only for callers that use one."""

    layout: LayoutName
    direction: Literal["up", "down", "both"]
    step: str
    counterpart_path: str | None

    @property
    def counterpart(self) -> Path | None:
        return Path(self.counterpart_path) if self.counterpart_path is not None else None


@dataclass(frozen=True)
class MigrationStep:
    """One migration: how to move the schema forward and how to move it back."""

    name: str
    layout: LayoutName
    up_path: Path
    down_path: Path | None

    def up_sql(self) -> str:
        text = self.up_path.read_text(encoding="utf-8")
        if self.layout == "dbmate":
            start, end = dbmate_sections(text).up
            return text[start:end]
        return text

    def down_sql(self) -> str | None:
        if self.layout == "dbmate":
            text = self.up_path.read_text(encoding="utf-8")
            sections = dbmate_sections(text)
            if sections.down is None:
                return None
            start, end = sections.down
            return text[start:end]
        if self.down_path is None or not self.down_path.exists():
            return None
        return self.down_path.read_text(encoding="utf-8")


def natural_key(path: Path | str) -> tuple[str | int, ...]:
    """Sort ``2_x`` before ``10_x``: digits compare as numbers, the rest as text.

    Splitting on runs of digits puts text at the even places and digits at the odd ones, so two
    keys always compare text with text and number with number (a run sorts 5,000 paths)."""
    parts: list[str | int] = [*_NATURAL_CHUNK.split(str(path))]
    parts[1::2] = [int(digits) for digits in parts[1::2]]
    return tuple(parts)


def is_dbmate(text: str) -> bool:
    """True if a line of ``text`` is the ``-- migrate:up`` marker. Most files hold no such text at
    all, and one search of the lowered text says so without splitting every line (the cache key
    asks this of every plain SQL file in a run; ``lower`` maps character by character, so a marker
    line's lowered text is always inside the lowered file)."""
    if DBMATE_UP not in text.lower():
        return False
    return any(line.strip().lower().startswith(DBMATE_UP) for line in text.splitlines())


def dbmate_sections(text: str) -> DbmateSections:
    """Find the up and down sections of a dbmate file by their marker comment lines."""
    up_start: int | None = None
    down_marker: int | None = None
    down_start: int | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        marker = line.strip().lower()
        if marker.startswith(DBMATE_UP) and up_start is None:
            up_start = offset + len(line)
        elif marker.startswith(DBMATE_DOWN) and down_marker is None:
            down_marker = offset
            down_start = offset + len(line)
        offset += len(line)
    if up_start is None:
        up_start = 0
    if down_marker is None or down_start is None:
        return DbmateSections(up=(up_start, len(text)), down=None, down_marker=None)
    if down_marker < up_start:
        return DbmateSections(up=(up_start, len(text)), down=(down_start, up_start), down_marker=down_marker)
    return DbmateSections(up=(up_start, down_marker), down=(down_start, len(text)), down_marker=down_marker)


def classify(path: Path | str, text: str | None = None) -> FileRole | None:
    """Say what ``path`` is in a migration layout, or None for a plain SQL file.

    A string ``path`` must be spelled as ``str(Path(...))`` spells it (the engine's paths are):
    the counterpart is named by replacing the last part of that string, with no ``Path`` built."""
    spelled = str(path)
    name = os.path.basename(spelled)
    folder = spelled[: len(spelled) - len(name)]  # "" or ending with the separator
    lower = name.lower()
    if lower.endswith(".up.sql"):
        step = name[: -len(".up.sql")]
        return FileRole("updown-files", "up", step, folder + step + ".down.sql")
    if lower.endswith(".down.sql"):
        step = name[: -len(".down.sql")]
        return FileRole("updown-files", "down", step, folder + step + ".up.sql")
    if lower == "up.sql":
        return FileRole("updown-dir", "up", os.path.basename(os.path.dirname(spelled)), folder + "down.sql")
    if lower == "down.sql":
        return FileRole("updown-dir", "down", os.path.basename(os.path.dirname(spelled)), folder + "up.sql")
    match = _FLYWAY_NAME.match(name)
    if match:
        version = match.group("version")
        if match.group("kind") == "V":
            undo = _find_flyway(Path(spelled).parent, "U", version)
            return FileRole("flyway", "up", name[:-4], str(undo) if undo is not None else None)
        redo = _find_flyway(Path(spelled).parent, "V", version)
        return FileRole("flyway", "down", name[:-4], str(redo) if redo is not None else None)
    if text is not None and is_dbmate(text):
        return FileRole("dbmate", "both", _stem(name), None)
    return None


def _stem(name: str) -> str:
    """``name`` without its last suffix, as ``Path.stem`` says it (``.env`` and ``a.`` keep theirs)."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _find_flyway(folder: Path, kind: str, version: str) -> Path | None:
    """The Flyway file of ``kind`` (V or U) and ``version`` in ``folder``, if there is one."""
    try:
        stamp = folder.stat().st_mtime_ns
    except OSError:
        return None
    cached = _FLYWAY_FOLDERS.get(folder)
    if cached is None or cached[0] != stamp:
        cached = (stamp, _flyway_files(folder))
        _FLYWAY_FOLDERS[folder] = cached
    return cached[1].get((kind, version))


# Each folder's Flyway files by (kind, version), listed once per change of the folder (its mtime):
# every V file asks for its U file, and listing the folder each time was quadratic.
_FLYWAY_FOLDERS: dict[Path, tuple[int, dict[tuple[str, str], Path]]] = {}


def _flyway_files(folder: Path) -> dict[tuple[str, str], Path]:
    found: dict[tuple[str, str], Path] = {}
    try:
        for candidate in sorted(folder.iterdir()):
            match = _FLYWAY_NAME.match(candidate.name)
            if match:
                found.setdefault((match.group("kind"), match.group("version")), candidate)
    except OSError:
        return {}
    return found


def discover_steps(root: Path) -> list[MigrationStep]:
    """All migration steps under ``root`` in the order they are applied."""
    files = sorted((p for p in root.rglob("*.sql") if p.is_file()), key=natural_key)
    return steps_from_files(files)


def steps_from_files(files: Iterable[Path]) -> list[MigrationStep]:
    steps: list[MigrationStep] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        role = classify(path, text)
        if role is None or role.direction == "down":
            continue
        if role.layout == "dbmate":
            steps.append(MigrationStep(role.step, "dbmate", path, None))
            continue
        down = role.counterpart if role.counterpart is not None and role.counterpart.exists() else None
        step_name = role.step if role.layout != "updown-dir" else path.parent.name
        steps.append(MigrationStep(step_name, role.layout, path, down))
    return sorted(steps, key=lambda s: natural_key(s.up_path))
