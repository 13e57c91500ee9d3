"""One finding per line: ``path:line:col: SG004 message``, with an indented help.

The same shape, without the path, is what the ``diagnostics`` blocks of rule pages hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex, positions_in_order
from sqlguard.reporters.escape import escaped

HELP_PREFIX = "  help: "


def format_diagnostic(diagnostic: Diagnostic, lines: LineIndex, path: str | None = None) -> str:
    position = lines.position(diagnostic.span.start)
    return _format(diagnostic, position.line, position.column, path)


def _format(diagnostic: Diagnostic, line: int, column: int, path: str | None) -> str:
    where = f"{line}:{column}"
    prefix = f"{escaped(path)}:{where}:" if path else where
    head = f"{prefix} {diagnostic.rule} {escaped(diagnostic.message)}"
    if not diagnostic.help:
        return head
    continuation = "\n" + " " * len(HELP_PREFIX)
    return head + "\n" + HELP_PREFIX + continuation.join(escaped_lines(diagnostic.help))


def escaped_lines(text: str) -> list[str]:
    """The lines of ``text`` (split at ``\n``, a ``\r`` before it dropped), each escaped: other
    line breaks (``\r``, ``\x0b``, ``\u2028``...) stay inside their line, written as escapes."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return [escaped(line.removesuffix("\r")) for line in lines]


def render(reports: Iterable[FileReport]) -> str:
    chunks = [
        _format(diagnostic, line, column, report.path)
        for report in reports
        for diagnostic, (line, column) in zip(
            report.diagnostics, positions_in_order(report.text, (d.span.start for d in report.diagnostics)), strict=True
        )
    ]
    return "\n".join(chunks) + ("\n" if chunks else "")
