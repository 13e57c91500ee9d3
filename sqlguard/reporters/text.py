"""Human output: each finding with its source line, a caret, the why, and the safe SQL.

Colour comes from rich and is off when the output is not a terminal or NO_COLOR is set; without
colour the same lines are written as plain text and rich is never imported (startup time).
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Iterable

from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex, Severity
from sqlguard.reporters.concise import escaped_lines
from sqlguard.reporters.escape import blanked, escaped

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}

# A piece of a line: its text and a rich style ("" for none). Lines are laid out once as pieces;
# plain output joins the texts, colour output hands the pieces to rich.
Piece = tuple[str, str]
Line = list[Piece]

# Characters of a source line shown around a finding: a long line (a minified dump, a seed
# INSERT on one line) is shown as a window with "…" on the cut sides, so each finding prints a
# bounded amount whatever the line's length (the whole line per finding made a 115 KB one-line
# file print 689 MB).
WINDOW = 120
_LEAD = 40  # of which before the finding's start


def use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _finding(diagnostic: Diagnostic, lines: LineIndex, path: str) -> list[Line]:
    start = lines.position(diagnostic.span.start)
    style = _STYLES.get(diagnostic.severity, "bold")
    heading: Line = [
        (f"{escaped(path)}:{start.line}:{start.column}:", "bold"),
        (" ", ""),
        (diagnostic.rule, style),
        (f" {escaped(diagnostic.message)}", ""),
    ]
    if diagnostic.name:
        heading += [(" ", ""), (f"[{diagnostic.name}]", "dim")]
    out = [heading]
    if lines.text:
        source, column, width = _source_window(lines, start.line, diagnostic.span.start, diagnostic.span.end)
        gutter = str(start.line)
        out.append([(f"{gutter} |", "dim"), (f" {source}", "")])
        out.append([(f"{' ' * len(gutter)} |", "dim"), (f" {' ' * column}", ""), ("^" * width, style)])
    if diagnostic.why:
        out.append([("  ", ""), ("why:", "dim"), (f" {escaped(diagnostic.why)}", "")])
    if diagnostic.help:
        first, *rest = escaped_lines(diagnostic.help) or [""]
        out.append([("  ", ""), ("help:", "green"), (f" {first}", "")])
        out.extend([[(f"        {line}", "")] for line in rest])
    out.append([])
    return out


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: two for wide East Asian characters (and emoji), none for
    combining marks and zero-width characters, one for the rest."""
    if text.isascii():
        return len(text)
    width = 0
    for character in text:
        if unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
    return width


def _source_window(lines: LineIndex, line: int, start: int, end: int) -> tuple[str, int, int]:
    """The part of ``line`` to show under a finding spanning ``start``..``end``, the caret's
    0-based column in it and the caret's width. At most ``WINDOW`` characters of the line are
    looked at, so the cost does not grow with the line's length."""
    text = lines.text
    line_start = lines.line_starts[line - 1]
    start = max(line_start, min(start, len(text)))
    left = max(line_start, start - _LEAD)
    newline = text.find("\n", left, left + WINDOW + 1)
    line_end = newline if newline != -1 else min(len(text), left + WINDOW + 1)
    right = min(line_end, left + WINDOW)
    cut_right = right < line_end or (newline == -1 and right < len(text))
    shown = text[left:right]
    if not cut_right:
        shown = shown.rstrip("\r")
    lead = "…" if left > line_start else ""
    source = lead + _printed(shown)
    caret_end = min(max(end, start + 1), right)
    # Column and width in terminal cells of the line as printed, so the caret stays under the
    # flagged text after wide characters.
    column = display_width(lead + _printed(text[left:start]))
    width = max(1, display_width(_printed(text[start:caret_end])))
    if cut_right:
        source += "…"
    return source, column, width


def _printed(text: str) -> str:
    return blanked(text.expandtabs(1) if "\t" in text else text)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(reports: list[FileReport]) -> str:
    diagnostics = [d for report in reports for d in report.diagnostics]
    findings = [d for d in diagnostics if not d.is_input_error]
    errors = [d for d in diagnostics if d.is_input_error]
    fixable = sum(1 for d in findings if d.fix is not None and d.fix.safe)
    files = len(reports)
    if not diagnostics:
        return f"All checks passed ({_plural(files, 'file')} checked)."
    parts = [f"Found {_plural(len(findings), 'problem')} in {_plural(files, 'file')}"]
    if errors:
        parts.append(_plural(len(errors), "input error"))
    if fixable:
        parts.append(f"{fixable} fixable with --fix")
    return ", ".join(parts) + "."


def render(reports: Iterable[FileReport], *, color: bool = False, width: int = 100) -> str:
    """The report as text; with ``color``, styled by rich (imported only then: it costs ~50 ms)."""
    reports = list(reports)
    laid_out = [
        line for report in reports for d in report.diagnostics for line in _finding(d, report.lines, report.path)
    ]
    laid_out.append([(summary(reports), "")])
    if not color:
        return "".join("".join(text for text, _ in line) + "\n" for line in laid_out)
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, highlight=False, soft_wrap=True)
    for line in laid_out:
        console.print(Text.assemble(*line))
    return buffer.getvalue()
