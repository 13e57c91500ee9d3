"""Every example on every rule page runs: Bad blocks must fire exactly as their ``diagnostics``
block says (line, column, message, help), Good blocks must stay silent.

``SQLGUARD_UPDATE_EXAMPLES=1 pytest tests/rules`` rewrites the diagnostics blocks from the
current output, so a change in wording shows up as a diff of the page.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sqlguard.catalogue import Example, RulePage, load_pages
from tests.conftest import concise, lint_snippet

PAGES = load_pages()
SUFFIX = {"sql": ".sql", "python": ".py", "mysql": ".sql", "sqlite": ".sql"}


def _cases() -> list[object]:
    return [
        pytest.param(page, example, id=f"{page.id}-{example.label}")
        for page in PAGES.values()
        for example in page.examples
    ]


def run_example(tmp_path: Path, page: RulePage, example: Example) -> str:
    filename = example.filename or f"example{SUFFIX[example.language]}"
    settings: dict[str, object] = {"select": frozenset({page.id})}
    if example.language in ("mysql", "sqlite"):
        settings["dialect"] = example.language
    if page.min_version:
        settings["target_version"] = int(page.meta.get("example_version", "16"))
    if example.target_version is not None:
        settings["target_version"] = example.target_version
    if example.require_down is not None:
        settings["require_down"] = example.require_down
    report = lint_snippet(tmp_path, example.code, filename=filename, **settings)
    return concise(report)


@pytest.mark.parametrize(("page", "example"), _cases())
def test_page_example(tmp_path: Path, page: RulePage, example: Example) -> None:
    actual = run_example(tmp_path, page, example)
    if os.environ.get("SQLGUARD_UPDATE_EXAMPLES") and example.expected is not None:
        _rewrite_block(page.path, example, actual)
        return
    assert "E001" not in actual, f"example does not parse:\n{actual}"
    if example.section == "Good":
        assert actual == "", f"Good example of {page.id} must be silent"
    elif example.section == "Bad":
        assert example.expected, f"Bad example of {page.id} needs a diagnostics block"
    assert actual == (example.expected or "")


def _rewrite_block(path: Path, example: Example, actual: str) -> None:
    text = path.read_text(encoding="utf-8")
    anchor = text.find("\n" + example.code + "```\n```diagnostics\n")
    assert anchor != -1, f"cannot find the example {example.label} followed by its diagnostics block"
    block_start = text.find("```diagnostics\n", anchor)
    block_end = text.find("```", block_start + len("```diagnostics\n"))
    text = text[: block_start + len("```diagnostics\n")] + actual + text[block_end:]
    path.write_text(text, encoding="utf-8")
