"""Control characters from file names, messages and help, shown as escapes, never written raw.

A file named ``x.sql\\n::error::...`` (or a message quoting such a name or an identifier) would
otherwise start a new line on stdout or stderr, and a CI log reads a line starting with ``::``
as a workflow command; ``\\x1b[`` and the C1 ``\\x9b`` move a terminal's cursor or recolour it.
C0 controls (tab included), DEL, C1 controls and the Unicode line and paragraph separators
become ``\\n``, ``\\x1b``, ``\\u2028``...; everything else, non-ASCII text too, is left as it is.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES = {
    code: _NAMED.get(chr(code), f"\\x{code:02x}") for code in [*range(0x20), *range(0x7F, 0xA0)]
}
_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})
# For a source line under a caret: one space per control, so the caret's column still matches.
_BLANKS = {code: " " for code in _ESCAPES}


def escaped(text: str) -> str:
    """``text`` with every control character written as an escape (a no-op for plain text)."""
    if text.isprintable():
        return text
    return text.translate(_ESCAPES)


def blanked(text: str) -> str:
    """``text`` with every control character replaced by one space (columns are kept)."""
    if text.isprintable():
        return text
    return text.translate(_BLANKS)
