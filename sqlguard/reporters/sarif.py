"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One run; the driver lists the rules that produced findings, each with its page: ``helpUri`` is
the page at the tag of this release (so an old run links to the rule as it was then) and
``help.markdown`` is the page itself, which code scanning shows beside the alert. Results carry
1-based regions with exclusive end columns, percent-encoded relative URIs, machine fixes as
``fixes``, and a ``partialFingerprints`` entry that ignores line numbers, so moving a finding
down a file (or editing the lines above it) keeps the same alert open across commits.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlguard import __version__
from sqlguard.catalogue import RulePage, load_pages
from sqlguard.diagnostics import Diagnostic, FileReport, LineIndex, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sqlguard/sqlguard"
FINGERPRINT_KEY = "sqlguard/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_HIDDEN_SECTIONS = {"More cases"}  # test cases, as ``sqlguard explain`` hides them


def rule_page_uri(page: RulePage) -> str:
    """The rule's page in the repository at this release's tag."""
    return f"{INFORMATION_URI}/blob/v{__version__}/rules/{quote(page.path.name)}"


def _uri(path: str) -> str:
    """A relative, percent-encoded URI for paths under the current folder; ``file://`` otherwise."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(Path.cwd())
        except ValueError:
            return candidate.as_uri()
    return quote(candidate.as_posix(), safe="/")


def _region(lines: LineIndex, start_offset: int, end_offset: int) -> dict[str, int]:
    start = lines.position(start_offset)
    end = lines.position(max(end_offset, start_offset))
    if end_offset <= start_offset:
        end = type(end)(start.line, start.column + 1)
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def _insertion_point(lines: LineIndex, offset: int) -> dict[str, int]:
    position = lines.position(offset)
    return {
        "startLine": position.line,
        "startColumn": position.column,
        "endLine": position.line,
        "endColumn": position.column,
    }


def fingerprint_source(diagnostic: Diagnostic, lines: LineIndex, uri: str) -> str:
    """What identifies a finding across commits: rule, file and the flagged text with its
    whitespace collapsed, never its line number. A finding on an empty span (a syntax error at
    the end of a file) is identified by its line's text instead."""
    flagged = lines.text[diagnostic.span.start : diagnostic.span.end]
    if not flagged.strip():
        flagged = lines.line_text(lines.position(diagnostic.span.start).line)
    return "\0".join((diagnostic.rule, uri, " ".join(flagged.split())))


def _result(
    diagnostic: Diagnostic, lines: LineIndex, uri: str, rule_index: int, fingerprint: str
) -> dict[str, Any]:
    text = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
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
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
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
                                else _insertion_point(lines, edit.span.start),
                                "insertedContent": {"text": edit.text},
                            }
                            for edit in diagnostic.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def _rule(diagnostic: Diagnostic, page: RulePage | None) -> dict[str, Any]:
    level = _LEVELS.get(diagnostic.severity, "error")
    rule: dict[str, Any] = {
        "id": diagnostic.rule,
        "name": diagnostic.name or diagnostic.rule,
        "shortDescription": {"text": diagnostic.name or diagnostic.rule},
        "fullDescription": {"text": diagnostic.why or diagnostic.message},
        "defaultConfiguration": {"level": level},
    }
    if page is None:  # input errors (E001, E002) have no page
        rule["properties"] = {"tags": ["input-error"]}
        return rule
    body = "\n\n".join(
        f"## {title}\n{content}" for title, content in page.sections.items() if title not in _HIDDEN_SECTIONS
    )
    rule["fullDescription"] = {"text": page.summary}
    rule["helpUri"] = rule_page_uri(page)
    rule["help"] = {
        "text": f"{page.summary} See {rule['helpUri']} or run `sqlguard explain {page.id}`.",
        "markdown": f"# {page.id} {page.name}\n\n{body}\n",
    }
    rule["properties"] = {"tags": [page.category]}
    return rule


def render(reports: Iterable[FileReport]) -> str:
    reports = list(reports)
    pages = load_pages()
    rules: dict[str, dict[str, Any]] = {}
    results = []
    seen: Counter[str] = Counter()
    for report in reports:
        uri = _uri(report.path)
        for diagnostic in report.diagnostics:
            if diagnostic.rule not in rules:
                rules[diagnostic.rule] = _rule(diagnostic, pages.get(diagnostic.rule))
            digest = hashlib.sha256(fingerprint_source(diagnostic, report.lines, uri).encode()).hexdigest()[:32]
            seen[digest] += 1  # identical findings in one file are told apart by their order
            results.append(_result(diagnostic, report.lines, uri, 0, f"{digest}:{seen[digest]}"))
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sqlguard",
                        "version": __version__,
                        "semanticVersion": __version__,
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
