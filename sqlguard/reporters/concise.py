"""One finding per line: ``path:line:col: SG004 message``, with an indented help.

The same shape, without the path, is what the ``diagnostics`` blocks of rule pages hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex

HELP_PREFIX = "  help: "


def format_diagnostic(diagnostic: Diagnostic, lines: LineIndex, path: str | None = None) -> str:
    position = lines.position(diagnostic.span.start)
    return _format(diagnostic, position.line, position.column, path)


def _format(diagnostic: Diagnostic, line: int, column: int, path: str | None) -> str:
    where = f"{line}:{column}"
    prefix = f"{path}:{where}:" if path else where
    head = f"{prefix} {diagnostic.rule} {diagnostic.message}"
    if not diagnostic.help:
        return head
    continuation = "\n" + " " * len(HELP_PREFIX)
    return head + "\n" + HELP_PREFIX + continuation.join(diagnostic.help.splitlines())


def render(reports: Iterable[FileReport]) -> str:
    chunks = [
        _format(diagnostic, line, column, report.path)
        for report in reports
        for diagnostic, (line, column) in zip(
            report.diagnostics, _positions(report.text, (d.span.start for d in report.diagnostics)), strict=True
        )
    ]
    return "\n".join(chunks) + ("\n" if chunks else "")


def _positions(text: str, offsets: Iterable[int]) -> Iterator[tuple[int, int]]:
    """The 1-based line and column of each offset, as ``LineIndex.position`` gives them.

    Newlines are counted only from the previous offset (findings come in file order), since a
    file's whole line index costs more than its few findings: a warm run over 5,000 files prints
    5,000 findings from 2,400 of them, and building their line indexes was most of its output."""
    line, counted = 1, 0  # ``line - 1`` newlines lie before offset ``counted``
    for wanted in offsets:
        offset = max(0, min(wanted, len(text)))
        if offset < counted:
            line, counted = 1, 0
        line += text.count("\n", counted, offset)
        counted = offset
        yield line, offset - text.rfind("\n", 0, offset)
