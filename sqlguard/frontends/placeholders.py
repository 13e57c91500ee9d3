"""SQL from Python code with its parameters bound: placeholders replaced by valid stand-ins.

SQL in ``op.execute`` / ``text()`` / ``cursor.execute`` carries the driver's placeholders:
``:name`` (SQLAlchemy binds), ``%s`` and ``%(name)s`` (DB-API "format"/"pyformat"). PostgreSQL
never sees them (the driver or SQLAlchemy puts a parameter there), but its grammar rejects
them, so parsing the text as written reports a syntax error on valid code. ``bind_stand_ins``
puts ``$1`` (a PostgreSQL parameter) in each placeholder's place, padded with spaces to the
placeholder's width, so every character after it keeps its offset and positions still map back
into the Python file. Placeholders are found among the scanner's tokens, so text inside string
literals, quoted names and comments is never touched, and ``::`` casts and ``a[1:n]`` slices
are not binds. (A ``%%`` needs nothing: PostgreSQL's grammar reads it as an operator.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pglast import parser

_STAND_IN = "$1"
# Tokens after which ``:`` cannot start a bind when written right against them (``a[1:n]``).
_VALUE_ENDS = frozenset({"IDENT", "ICONST", "FCONST", "ASCII_93", "ASCII_41", "PARAM"})


def bind_stand_ins(text: str) -> str:
    """``text`` with every placeholder replaced by ``$1`` and spaces (same length), or ``text``
    itself when it has none or cannot be scanned."""
    try:
        tokens = parser.scan(text)
    except parser.ParseError:
        return text
    chars = _char_offsets(text)
    spans: list[tuple[int, int]] = []  # character ranges of placeholders
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        start = chars(token.start)
        if token.name == "ASCII_58" and nxt is not None and nxt.start == token.end + 1:  # ':' then a name
            previous = tokens[index - 1] if index else None
            glued = previous is not None and previous.end + 1 == token.start and previous.name in _VALUE_ENDS
            if not glued and text[chars(nxt.start) : chars(nxt.end) + 1].isidentifier():
                spans.append((start, chars(nxt.end) + 1))
                index += 2
                continue
        if token.name == "ASCII_37" and nxt is not None and nxt.start == token.end + 1:  # '%'
            word = text[chars(nxt.start) : chars(nxt.end) + 1]
            if word == "s":
                spans.append((start, chars(nxt.end) + 1))
                index += 2
                continue
            end = _pyformat_end(tokens, index, text, chars)
            if end is not None:
                spans.append((start, end))
                index += 5
                continue
        index += 1
    if not spans:
        return text
    pieces = list(text)
    for start, end in spans:
        pieces[start:end] = list(_STAND_IN.ljust(end - start))
    return "".join(pieces)


def _pyformat_end(tokens: Sequence[Any], index: int, text: str, chars: Callable[[int], int]) -> int | None:
    """The end of ``%(name)s`` starting at token ``index``, or None if these tokens are not one."""
    group = tokens[index : index + 5]
    if len(group) < 5 or [t.name for t in (group[1], group[3])] != ["ASCII_40", "ASCII_41"]:
        return None
    if any(group[i].end + 1 != group[i + 1].start for i in range(4)):
        return None
    if text[chars(group[4].start) : chars(group[4].end) + 1] != "s":
        return None
    return chars(group[4].end) + 1


def _char_offsets(text: str) -> Callable[[int], int]:
    """Byte offset (the scanner's unit) to character offset."""
    if text.isascii():
        return lambda at: at
    starts: list[int] = []
    for position, char in enumerate(text):
        starts.extend([position] * len(char.encode("utf-8")))
    starts.append(len(text))
    return lambda at: starts[min(at, len(starts) - 1)]
