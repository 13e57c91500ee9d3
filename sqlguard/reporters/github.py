"""GitHub Actions workflow commands: ``::error file=...,line=...::message`` annotations.

GitHub cannot place a column on an annotation that spans several lines, so ``col`` and
``endColumn`` are dropped then. Values are escaped as the runner expects (``%``, newlines, and
``:``/``,`` inside properties).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex, Severity

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic, lines: LineIndex, path: str) -> str:
    start = lines.position(diagnostic.span.start)
    end = lines.position(max(diagnostic.span.end, diagnostic.span.start))
    properties = [f"file={_escape_property(path)}", f"line={start.line}"]
    if end.line == start.line:
        properties += [f"col={start.column}", f"endColumn={max(end.column, start.column + 1)}"]
    else:
        properties.append(f"endLine={end.line}")
    title = f"{diagnostic.rule} {diagnostic.name}".strip()
    properties.append(f"title={_escape_property(title)}")
    message = diagnostic.message
    if diagnostic.help:
        message += "\nhelp: " + diagnostic.help
    command = _COMMANDS.get(diagnostic.severity, "error")
    return f"::{command} {','.join(properties)}::{_escape_data(message)}"


def render(reports: Iterable[FileReport]) -> str:
    lines = [
        annotation(diagnostic, report.lines, report.path)
        for report in reports
        for diagnostic in report.diagnostics
    ]
    return "\n".join(lines) + ("\n" if lines else "")
