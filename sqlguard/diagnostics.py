"""The diagnostic model: what every front end, rule and reporter exchanges.

Positions are character offsets into the file's text (``Span``). Lines and columns are computed
once, at the output boundary, by ``LineIndex``: 1-based everywhere a user sees them. Only
``sqlguard.lsp`` converts to 0-based, in one place.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, order=True)
class Span:
    """Half-open range ``[start, end)`` of character offsets into a file's text."""

    start: int
    end: int

    def shifted(self, offset: int) -> Span:
        return Span(self.start + offset, self.end + offset)


@dataclass(frozen=True)
class Edit:
    """Replace the text under ``span`` by ``text``: an insert has an empty span, a delete empty text."""

    span: Span
    text: str

    @staticmethod
    def insert(at: int, text: str) -> Edit:
        return Edit(Span(at, at), text)

    @staticmethod
    def replace(span: Span, text: str) -> Edit:
        return Edit(span, text)


@dataclass(frozen=True)
class Fix:
    """A machine fix. ``safe`` fixes are applied by ``--fix``; unsafe ones only shown."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True


class Severity(str, Enum):
    """How bad a finding is; ``--fail-on`` compares by ``rank``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


# Ids of findings that are about the input itself rather than about a rule.
SYNTAX_ERROR = "E001"
UNREADABLE_FILE = "E002"
TOO_COMPLEX = "E003"  # readable, but nested deeper (or larger) than sqlguard's parsers can take
INPUT_ERROR_IDS = frozenset({SYNTAX_ERROR, UNREADABLE_FILE, TOO_COMPLEX})


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a rule id, where, what happens, and what to write instead."""

    rule: str
    span: Span
    message: str
    help: str | None = None
    fix: Fix | None = None
    severity: Severity = Severity.ERROR
    name: str = ""
    why: str = ""

    @property
    def is_input_error(self) -> bool:
        return self.rule in INPUT_ERROR_IDS


@dataclass
class FileReport:
    """Everything reporters need about one file: its path, its text and its findings."""

    path: str
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _lines: LineIndex | None = field(default=None, repr=False, compare=False)

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines


@dataclass(frozen=True)
class Position:
    """A 1-based line and column (columns count characters)."""

    line: int
    column: int


class LineIndex:
    """Turns character offsets into 1-based lines and columns, and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        index = text.find("\n")
        while index != -1:
            starts.append(index + 1)
            index = text.find("\n", index + 1)
        self.line_starts = starts

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return Position(line + 1, offset - self.line_starts[line] + 1)

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based line and column, clamped to the text."""
        line = max(1, min(line, len(self.line_starts)))
        return min(self.line_starts[line - 1] + max(column, 1) - 1, len(self.text))

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end != -1 else len(self.text)].rstrip("\r")


def positions_in_order(text: str, offsets: Iterable[int]) -> Iterator[tuple[int, int]]:
    """The 1-based line and column of each offset, as ``LineIndex.position`` gives them, without
    building the index: for a few offsets in file order (a report's findings).

    Newlines are counted only from the previous offset, since a file's whole line index costs
    more than its few findings: a warm run over 5,000 files prints 5,000 findings from 2,400 of
    them, and building their line indexes was most of the concise output's time."""
    line, counted = 1, 0  # ``line - 1`` newlines lie before offset ``counted``
    for wanted in offsets:
        offset = max(0, min(wanted, len(text)))
        if offset < counted:
            line, counted = 1, 0
        line += text.count("\n", counted, offset)
        counted = offset
        yield line, offset - text.rfind("\n", 0, offset)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits to ``text`` (last first, so offsets stay valid)."""
    result = text
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        result = result[: edit.span.start] + edit.text + result[edit.span.end :]
    return result
