"""Every code fence on a rule page closes, and each fence opens with a language or closes one.

A lost closing fence silently swallows the next example into a diagnostics block, so the
example would never run; this keeps that from happening unnoticed."""

from __future__ import annotations

import pytest

from sqlguard.catalogue import load_pages

PAGES = load_pages()


@pytest.mark.parametrize("rule_id", sorted(PAGES))
def test_fences_alternate_open_and_close(rule_id: str) -> None:
    inside = False
    for number, line in enumerate(PAGES[rule_id].text.splitlines(), start=1):
        if not line.startswith("```"):
            continue
        if inside:
            assert line.strip() == "```", f"line {number}: a fence opens inside another block"
        else:
            assert line.strip() != "```", f"line {number}: a fence closes nothing"
        inside = not inside
    assert not inside, "the last code block is not closed"
