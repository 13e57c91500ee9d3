"""Every code fence on a rule page closes, and each fence opens with a language or closes one.

A lost closing fence silently swallows the next example into a diagnostics block, so the
example would never run; this keeps that from happening unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.catalogue import CatalogueError, load_pages, parse_page

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


def test_fence_target_must_be_a_version(tmp_path: Path) -> None:
    page = tmp_path / "SG999-x.md"
    page.write_text(
        "---\nid: SG999\nname: x\ncategory: locking\nseverity: error\nfix: never\n---\n"
        "## Why\nA.\n## Bad\n```sql target=eleven\nSELECT 1;\n```\n## Good\n```sql\nSELECT 1;\n```\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="target="):
        parse_page(page)
