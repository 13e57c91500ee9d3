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

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}

# A piece of a line: its text and a rich style ("" for none). Lines are laid out once as pieces;
# plain output joins the texts, colour output hands the pieces to rich.
Piece = tuple[str, str]
Line = list[Piece]

# C0 controls (but tab) and DEL from a file or a message would move the cursor or inject terminal
# escapes; they are dropped, as rich does for the characters it knows.
_CONTROLS = {code: None for code in [*range(0x20), 0x7F] if code != ord("\t")}


def use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _clean(text: str) -> str:
    return text.translate(_CONTROLS)


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


def _finding(diagnostic: Diagnostic, lines: LineIndex, path: str) -> list[Line]:
    start = lines.position(diagnostic.span.start)
    style = _STYLES.get(diagnostic.severity, "bold")
    heading: Line = [
        (f"{_clean(path)}:{start.line}:{start.column}:", "bold"),
        (" ", ""),
        (diagnostic.rule, style),
        (f" {_clean(diagnostic.message)}", ""),
    ]
    if diagnostic.name:
        heading += [(" ", ""), (f"[{diagnostic.name}]", "dim")]
    out = [heading]
    if lines.text:
        raw = lines.line_text(start.line)
        end = lines.position(diagnostic.span.end)
        last = end.column if end.line == start.line else len(raw) + 1
        # The caret is measured in terminal cells of the line as printed (tabs as one space,
        # controls dropped), so it stays under the flagged text after wide characters.
        before, flagged = raw[: start.column - 1], raw[start.column - 1 : last - 1]
        indent = display_width(_clean(before.expandtabs(1)))
        width = max(1, display_width(_clean(flagged.expandtabs(1))))
        gutter = str(start.line)
        out.append([(f"{gutter} |", "dim"), (f" {_clean(raw.expandtabs(1))}", "")])
        out.append([(f"{' ' * len(gutter)} |", "dim"), (f" {' ' * indent}", ""), ("^" * width, style)])
    if diagnostic.why:
        out.append([("  ", ""), ("why:", "dim"), (f" {_clean(diagnostic.why)}", "")])
    if diagnostic.help:
        first, *rest = _clean_lines(diagnostic.help)
        out.append([("  ", ""), ("help:", "green"), (f" {first}", "")])
        out.extend([[(f"        {line}", "")] for line in rest])
    out.append([])
    return out


def _clean_lines(text: str) -> list[str]:
    return [_clean(line) for line in text.splitlines()] or [""]


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
