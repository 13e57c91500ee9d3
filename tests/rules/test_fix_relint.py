"""Every fix and every SQL help block on the rule pages is valid where it lands.

For each finding with a fix (safe or not) in every example of every page, the fix is applied
alone and the file linted again with every default rule: the result parses, that finding is
gone, and no rule reports more than before. Every SQL help text that is complete SQL (no
``<placeholder>`` or ``...`` for the reader to fill in) must parse as PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pglast
import pytest

from sqlguard.catalogue import load_pages
from sqlguard.diagnostics import Diagnostic, FileReport, apply_edits
from tests.conftest import lint_snippet

PAGES = load_pages()


def _examples() -> list[object]:
    return [
        pytest.param(page, example, id=f"{page.id}-{example.label}")
        for page in PAGES.values()
        for example in page.examples
        if example.expected
    ]


def _lint(tmp_path: Path, example: object, code: str, select: frozenset[str] | None = None) -> FileReport:
    suffix = ".py" if example.language == "python" else ".sql"  # type: ignore[attr-defined]
    filename = example.filename or f"example{suffix}"  # type: ignore[attr-defined]
    dialect = example.language if example.language in ("mysql", "sqlite") else "postgres"  # type: ignore[attr-defined]
    settings: dict[str, object] = {"dialect": dialect, "target_version": example.target_version or 16}  # type: ignore[attr-defined]
    if select is not None:
        settings["select"] = select
    return lint_snippet(tmp_path, code, filename=filename, **settings)


def _counts(report: FileReport) -> Counter[str]:
    return Counter(d.rule for d in report.diagnostics)


@pytest.mark.parametrize(("page", "example"), _examples())
def test_each_fix_removes_its_finding_and_adds_none(tmp_path: Path, page: object, example: object) -> None:
    rule = frozenset({page.id})  # type: ignore[attr-defined]
    findings = [d for d in _lint(tmp_path, example, example.code, rule).diagnostics if d.fix is not None]  # type: ignore[attr-defined]
    if not findings:
        return
    before = _counts(_lint(tmp_path / "all", example, example.code))  # type: ignore[attr-defined]
    before[page.id] = max(before[page.id], len(_lint(tmp_path / "one", example, example.code, rule).diagnostics))  # type: ignore[attr-defined]
    for number, finding in enumerate(findings):
        assert finding.fix is not None
        fixed = apply_edits(example.code, finding.fix.edits)  # type: ignore[attr-defined]
        after_report = _lint(tmp_path / f"fixed{number}", example, fixed)
        after = _counts(after_report)
        assert "E001" not in after, f"the fix of {_where(finding)} does not parse:\n{fixed}"
        alone = _lint(tmp_path / f"fixed{number}-rule", example, fixed, rule)
        assert len(alone.diagnostics) < before[page.id], f"{_where(finding)} is still reported after its fix:\n{fixed}"  # type: ignore[attr-defined]
        grown = {name: count for name, count in after.items() if count > before[name]}
        assert not grown, f"the fix of {_where(finding)} brings new findings {grown}:\n{fixed}"


@pytest.mark.parametrize(("page", "example"), _examples())
def test_sql_help_parses(tmp_path: Path, page: object, example: object) -> None:
    if example.language not in ("sql", "python") or (example.target_version or 16) > 17:  # type: ignore[attr-defined]
        return  # pglast reads PostgreSQL 17's grammar: newer help (REPACK) is not checked here
    report = _lint(tmp_path, example, example.code, frozenset({page.id}))  # type: ignore[attr-defined]
    for finding in report.diagnostics:
        sql = _complete_sql(finding)
        if sql is not None:
            try:
                pglast.parse_sql(sql)
            except pglast.parser.ParseError as error:
                pytest.fail(f"help of {_where(finding)} is not valid SQL ({error}):\n{finding.help}")


def _complete_sql(finding: Diagnostic) -> str | None:
    """The help as SQL when it is SQL the reader can run as written, else None."""
    text = finding.help or ""
    if not text or "<" in text or "..." in text:
        return None
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    if not lines or any(line.lstrip().startswith(("op.", "with ", "#", "sa.", "def ")) for line in lines):
        return None  # Python help
    if not any(line.rstrip().endswith(";") for line in lines):
        return None  # prose
    return "\n".join(lines)


def _where(finding: Diagnostic) -> str:
    return f"{finding.rule} at offset {finding.span.start} ({finding.message[:60]})"
