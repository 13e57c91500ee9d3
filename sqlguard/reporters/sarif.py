"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One run; the driver lists the rules that produced findings (id, name, why, default level);
results carry 1-based regions with exclusive end columns, and machine fixes as ``fixes``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlguard import __version__
from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sqlguard/sqlguard"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return candidate.as_uri()
    return candidate.as_posix()


def _region(lines: LineIndex, start_offset: int, end_offset: int) -> dict[str, int]:
    start = lines.position(start_offset)
    end = lines.position(max(end_offset, start_offset))
    if end_offset <= start_offset:
        end = type(end)(start.line, start.column + 1)
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def _result(diagnostic: Diagnostic, lines: LineIndex, path: str, rule_index: int) -> dict[str, Any]:
    text = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
    uri = _uri(path)
    result: dict[str, Any] = {
        "ruleId": diagnostic.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS.get(diagnostic.severity, "error"),
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": _region(lines, diagnostic.span.start, diagnostic.span.end),
                }
            }
        ],
    }
    if diagnostic.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": diagnostic.fix.title},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": uri},
                        "replacements": [
                            {
                                "deletedRegion": _region(lines, edit.span.start, edit.span.end)
                                if edit.span.end > edit.span.start
                                else {
                                    "startLine": lines.position(edit.span.start).line,
                                    "startColumn": lines.position(edit.span.start).column,
                                    "endLine": lines.position(edit.span.start).line,
                                    "endColumn": lines.position(edit.span.start).column,
                                },
                                "insertedContent": {"text": edit.text},
                            }
                            for edit in diagnostic.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def render(reports: Iterable[FileReport]) -> str:
    reports = list(reports)
    rules: dict[str, dict[str, Any]] = {}
    for report in reports:
        for diagnostic in report.diagnostics:
            if diagnostic.rule not in rules:
                rules[diagnostic.rule] = {
                    "id": diagnostic.rule,
                    "name": diagnostic.name or diagnostic.rule,
                    "shortDescription": {"text": diagnostic.name or diagnostic.rule},
                    "fullDescription": {"text": diagnostic.why or diagnostic.message},
                    "defaultConfiguration": {"level": _LEVELS.get(diagnostic.severity, "error")},
                    "help": {"text": f"sqlguard explain {diagnostic.rule}"},
                }
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    results = [
        _result(diagnostic, report.lines, report.path, index[diagnostic.rule])
        for report in reports
        for diagnostic in report.diagnostics
    ]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sqlguard",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
