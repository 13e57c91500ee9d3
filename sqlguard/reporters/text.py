"""Human output: each finding with its source line, a caret, the why, and the safe SQL.

Colour comes from rich and is off when the output is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex, Severity

if TYPE_CHECKING:  # rich is imported by ``render`` only: other formats never pay for it
    from rich.console import Console

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}


def use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _finding(console: Console, diagnostic: Diagnostic, lines: LineIndex, path: str) -> None:
    from rich.markup import escape

    start = lines.position(diagnostic.span.start)
    style = _STYLES.get(diagnostic.severity, "bold")
    name = f" [dim]\\[{escape(diagnostic.name)}][/dim]" if diagnostic.name else ""
    console.print(
        f"[bold]{escape(path)}:{start.line}:{start.column}:[/bold] [{style}]{diagnostic.rule}[/{style}] "
        f"{escape(diagnostic.message)}{name}"
    )
    if lines.text:
        source = lines.line_text(start.line).expandtabs(1)
        end = lines.position(diagnostic.span.end)
        last = end.column if end.line == start.line else len(source) + 1
        width = max(1, last - start.column)
        gutter = str(start.line)
        console.print(f"[dim]{gutter} |[/dim] {escape(source)}")
        console.print(f"[dim]{' ' * len(gutter)} |[/dim] {' ' * (start.column - 1)}[{style}]{'^' * width}[/{style}]")
    if diagnostic.why:
        console.print(f"  [dim]why:[/dim] {escape(diagnostic.why)}")
    if diagnostic.help:
        help_lines = diagnostic.help.splitlines()
        console.print(f"  [green]help:[/green] {escape(help_lines[0])}")
        for line in help_lines[1:]:
            console.print(f"        {escape(line)}")
    console.print()


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
    from rich.console import Console

    reports = list(reports)
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False, soft_wrap=True
    )
    for report in reports:
        for diagnostic in report.diagnostics:
            _finding(console, diagnostic, report.lines, report.path)
    console.print(summary(reports))
    return buffer.getvalue()
