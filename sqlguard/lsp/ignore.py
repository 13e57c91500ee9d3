"""The "ignore SGnnn on this line" quick fix: where to put a suppression comment so it works.

The comment goes on its own line above the finding (same indentation), or, when that line
start is inside a multi-line string or comment, at the end of the finding's line. Each
placement is checked with the same reader the engine uses (``find_suppressions``, built on
the real SQL and Python lexers), so a comment that would land inside a string is never offered.
An existing ``sqlguard: ignore[...]`` line above is extended instead of adding a second one.
"""

from __future__ import annotations

import ast
import re

from sqlguard.diagnostics import Edit, LineIndex, Span, apply_edits
from sqlguard.suppress import find_suppressions

_DIRECTIVE = re.compile(r"^(?P<lead>\s*(?:--|#)\s*sqlguard:\s*ignore\[)(?P<ids>[^\]]*)\]\s*$")


def ignore_edit(text: str, kind: str, line: int, rule_id: str) -> Edit | None:
    """An edit that silences ``rule_id`` on 1-based ``line``, or None when no placement works."""
    lines = LineIndex(text)
    if not 1 <= line <= len(lines.line_starts):
        return None
    marker = "#" if kind == "python" else "--"
    own_line = lines.line_text(line)
    for edit, target in _candidates(lines, line, own_line, marker, rule_id):
        new_text = apply_edits(text, [edit])
        if find_suppressions(new_text, kind, {}).covers(target, {rule_id}) and _still_parses(
            text, new_text, kind
        ):
            return edit
    return None


def _candidates(
    lines: LineIndex, line: int, own_line: str, marker: str, rule_id: str
) -> list[tuple[Edit, int]]:
    """(edit, line the finding is on afterwards), best placement first."""
    candidates = []
    if line > 1:
        above = lines.line_text(line - 1)
        match = _DIRECTIVE.match(above)
        if match is not None:
            ids = [part.strip() for part in match.group("ids").split(",") if part.strip()]
            start = lines.line_starts[line - 2] + match.end("ids")
            prefix = ", " if ids else ""
            candidates.append((Edit(Span(start, start), f"{prefix}{rule_id}"), line))
    indent = own_line[: len(own_line) - len(own_line.lstrip())]
    start = lines.line_starts[line - 1]
    candidates.append((Edit(Span(start, start), f"{indent}{marker} sqlguard: ignore[{rule_id}]\n"), line + 1))
    end = start + len(own_line)
    candidates.append((Edit(Span(end, end), f"  {marker} sqlguard: ignore[{rule_id}]"), line))
    return candidates


def _still_parses(old: str, new: str, kind: str) -> bool:
    """A Python comment line can break a backslash continuation; never offer that."""
    if kind != "python":
        return True
    try:
        ast.parse(old)
    except SyntaxError:
        return True
    try:
        ast.parse(new)
    except SyntaxError:
        return False
    return True
