"""The catalogue keeps its promises: one page per check and one check per page, stable ids,
file names that match, fixed headings, and a ``fix:`` promise that matches behaviour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sqlguard.catalogue import CATEGORIES, FIX_PROMISES, OPTIONAL_SECTIONS, REQUIRED_SECTIONS, load_pages
from sqlguard.config import Config
from sqlguard.engine import Linter
from sqlguard.registry import load_checks

PAGES = load_pages()
CHECKS = load_checks()


def test_every_page_has_a_check_and_every_check_a_page() -> None:
    assert set(PAGES) == set(CHECKS)


@pytest.mark.parametrize("rule_id", sorted(PAGES))
def test_page_matches_its_check(rule_id: str) -> None:
    page = PAGES[rule_id]
    check = CHECKS[rule_id]
    assert re.fullmatch(r"SG\d{3}", page.id)
    assert page.path.name == f"{page.id}-{page.name}.md"
    assert check.name == page.name, "the check function is named after the rule"
    assert check.module.rsplit(".", 1)[-1] == page.name.replace("-", "_"), "the module is named after the rule"
    assert page.category in CATEGORIES
    assert page.fix in FIX_PROMISES
    assert not re.match(r"(ban|prefer|require)-", page.name), "names describe the hazard, not the cure"


@pytest.mark.parametrize("rule_id", sorted(PAGES))
def test_page_headings_are_the_fixed_ones(rule_id: str) -> None:
    page = PAGES[rule_id]
    headings = list(page.sections)
    assert headings[: len(REQUIRED_SECTIONS)] == list(REQUIRED_SECTIONS)
    assert set(headings) <= set(REQUIRED_SECTIONS) | set(OPTIONAL_SECTIONS)
    assert page.summary, "Why must start with a sentence"
    assert any(e.section == "Bad" for e in page.examples)
    assert any(e.section == "Good" for e in page.examples)


@pytest.mark.parametrize("rule_id", sorted(PAGES))
def test_fix_promise_holds(tmp_path: Path, rule_id: str) -> None:
    page = PAGES[rule_id]
    fixes = []
    for example in page.examples:
        if not example.expected:
            continue
        dialect = example.language if example.language in ("mysql", "sqlite") else "postgres"
        config = Config(select=frozenset({rule_id}), target_version=example.target_version or 16, dialect=dialect,
                        require_down=example.require_down or "chain")
        linter = Linter(config)
        suffix = ".py" if example.language == "python" else ".sql"
        path = tmp_path / example.label / (example.filename or f"{example.label}{suffix}")  # a chain each
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example.code, encoding="utf-8")
        report = linter.lint_paths([str(path)]).reports[0]
        fixes.extend(d.fix is not None for d in report.diagnostics if d.rule == rule_id)
    assert fixes, "a page with Bad examples yields findings"
    if page.fix == "never":
        assert not any(fixes)
    elif page.fix == "always":
        assert all(fixes)
    else:
        assert any(fixes)


def test_ids_are_never_reused() -> None:
    names = {page.name for page in PAGES.values()}
    assert len(names) == len(PAGES)
