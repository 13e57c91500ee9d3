"""Machine-readable findings: one JSON document with every finding and a summary.

Lines and columns are 1-based; ``end`` is exclusive, like the spans it comes from. The document
is described field by field in docs/json.md and by the JSON Schema shipped beside this module
(``SCHEMA_PATH``). ``version`` is the format's version: it goes up only when a field is removed
or changes meaning; new fields may appear without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlguard import __version__
from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex

FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("json-v1.schema.json")


def diagnostic_record(diagnostic: Diagnostic, lines: LineIndex, path: str) -> dict[str, Any]:
    start = lines.position(diagnostic.span.start)
    end = lines.position(diagnostic.span.end)
    record: dict[str, Any] = {
        "path": path,
        "rule": diagnostic.rule,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "why": diagnostic.why or None,
        "help": diagnostic.help,
        "start": {"line": start.line, "column": start.column},
        "end": {"line": end.line, "column": end.column},
        "fix": None,
    }
    if diagnostic.fix is not None:
        record["fix"] = {
            "title": diagnostic.fix.title,
            "safe": diagnostic.fix.safe,
            "edits": [
                {
                    "start": _position(lines, edit.span.start),
                    "end": _position(lines, edit.span.end),
                    "text": edit.text,
                }
                for edit in diagnostic.fix.edits
            ],
        }
    return record


def _position(lines: LineIndex, offset: int) -> dict[str, int]:
    position = lines.position(offset)
    return {"line": position.line, "column": position.column}


def render(reports: Iterable[FileReport]) -> str:
    reports = list(reports)
    records = [
        diagnostic_record(diagnostic, report.lines, report.path)
        for report in reports
        for diagnostic in report.diagnostics
    ]
    document = {
        "version": FORMAT_VERSION,
        "sqlguard": __version__,
        "files": len(reports),
        "summary": {
            "findings": sum(1 for r in records if r["rule"].startswith("SG")),
            "input_errors": sum(1 for r in records if not r["rule"].startswith("SG")),
        },
        "diagnostics": records,
    }
    return json.dumps(document, indent=2) + "\n"
