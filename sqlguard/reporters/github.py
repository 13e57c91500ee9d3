"""GitHub Actions: workflow-command annotations, a summary line, and a Markdown job summary.

GitHub cannot place a column on an annotation that spans several lines, so ``col`` and
``endColumn`` are dropped then. Values are escaped as the runner expects (``%``, newlines, and
``:``/``,`` inside properties). GitHub shows at most 10 annotations of each level per step, so
the summary line and the job summary (``$GITHUB_STEP_SUMMARY``) count and list every finding;
with ``--changed-since`` they also say how many findings in unchanged files were left out.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Scope:
    """What ``--changed-since`` left out: shown in the summary line and the job summary."""

    ref: str
    hidden_findings: int
    hidden_files: int


MAX_SUMMARY_ROWS = 200
_NOUNS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _counts(reports: list[FileReport]) -> str:
    by_level = Counter(_NOUNS.get(d.severity, "error") for r in reports for d in r.diagnostics)
    with_findings = sum(1 for r in reports if r.diagnostics)
    if not by_level:
        return f"no findings in {_plural(len(reports), 'file')}"
    levels = ", ".join(_plural(by_level[noun], noun) for noun in ("error", "warning", "notice") if by_level[noun])
    return f"{levels} in {with_findings} of {_plural(len(reports), 'file')}"


def _scope_note(scope: Scope | None) -> str:
    if scope is None:
        return ""
    note = f"; only files changed since {scope.ref} are reported"
    if scope.hidden_findings:
        note += f" ({_plural(scope.hidden_findings, 'finding')} in unchanged files not shown)"
    return note


def summary_line(reports: list[FileReport], scope: Scope | None = None) -> str:
    """``sqlguard: 2 errors, 1 warning in 2 of 9 files``: one plain log line after the annotations."""
    return f"sqlguard: {_counts(reports)}{_scope_note(scope)}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _link(path: str, line: int, environ: Mapping[str, str]) -> str | None:
    """The file at the commit being checked, when the runner says which (relative paths only)."""
    server, repository, sha = (environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (server and repository and sha):
        return None
    relative = Path(path)
    if relative.is_absolute():
        try:
            relative = relative.relative_to(environ.get("GITHUB_WORKSPACE") or Path.cwd())
        except ValueError:
            return None
    return f"{server}/{repository}/blob/{sha}/{relative.as_posix()}#L{line}"


def job_summary(reports: list[FileReport], scope: Scope | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """The Markdown appended to ``$GITHUB_STEP_SUMMARY``: counts and a table of findings."""
    out = ["## sqlguard", "", f"{_counts(reports).capitalize()}{_scope_note(scope)}.", ""]
    rows = [(report, d) for report in reports for d in report.diagnostics]
    if rows:
        out += ["| level | where | rule | finding |", "|---|---|---|---|"]
        for report, diagnostic in rows[:MAX_SUMMARY_ROWS]:
            start = report.lines.position(diagnostic.span.start)
            where = _cell(f"{report.path}:{start.line}:{start.column}")
            link = _link(report.path, start.line, environ)
            if link is not None:
                where = f"[{where}]({link})"
            rule = _cell(f"{diagnostic.rule} {diagnostic.name}".strip())
            level = _NOUNS.get(diagnostic.severity, "error")
            out.append(f"| {level} | {where} | {rule} | {_cell(diagnostic.message)} |")
        if len(rows) > MAX_SUMMARY_ROWS:
            out += ["", f"… and {len(rows) - MAX_SUMMARY_ROWS} more (run `sqlguard lint` locally for all of them)."]
        out.append("")
    return "\n".join(out) + "\n"


def write_step_summary(reports: list[FileReport], scope: Scope | None = None) -> str | None:
    """Append the job summary to ``$GITHUB_STEP_SUMMARY`` when it is set (inside Actions).

    Returns a one-line problem to show as a warning when the file cannot be written."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    try:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(job_summary(reports, scope))
    except OSError as error:
        return f"cannot write the job summary to {target}: {error.strerror}"
    return None
