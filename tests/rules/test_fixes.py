"""Apply every safe machine fix from the rule pages: the result still parses and the rule that
proposed the fix is silent on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.catalogue import load_pages
from sqlguard.diagnostics import apply_edits
from tests.conftest import lint_snippet

PAGES = load_pages()


def _fixable() -> list[object]:
    return [
        pytest.param(page, example, id=f"{page.id}-{example.label}")
        for page in PAGES.values()
        for example in page.examples
        if example.expected and page.fix != "never"
    ]


@pytest.mark.parametrize(("page", "example"), _fixable())
def test_fix_makes_the_rule_silent(tmp_path: Path, page: object, example: object) -> None:
    suffix = ".py" if example.language == "python" else ".sql"  # type: ignore[attr-defined]
    filename = example.filename or f"example{suffix}"  # type: ignore[attr-defined]
    dialect = example.language if example.language in ("mysql", "sqlite") else "postgres"  # type: ignore[attr-defined]
    settings: dict[str, object] = {"select": frozenset({page.id}), "dialect": dialect}  # type: ignore[attr-defined]
    if example.target_version:  # type: ignore[attr-defined]
        settings["target_version"] = example.target_version  # type: ignore[attr-defined]
    report = lint_snippet(tmp_path, example.code, filename=filename, **settings)  # type: ignore[attr-defined]
    edits = [e for d in report.diagnostics if d.fix is not None and d.fix.safe for e in d.fix.edits]
    if not edits:
        # Only unsafe fixes (or none) here: that is allowed unless the page promises a fix always.
        assert page.fix != "always" or all(d.fix is not None for d in report.diagnostics)  # type: ignore[attr-defined]
        return
    fixed = apply_edits(example.code, edits)  # type: ignore[attr-defined]
    again = lint_snippet(tmp_path / "fixed", fixed, filename=filename, **settings)
    assert [d.rule for d in again.diagnostics] == [], f"after the fix:\n{fixed}"
