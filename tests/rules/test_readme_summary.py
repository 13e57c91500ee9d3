"""The README's rule summary names every rule ``sqlguard rules`` lists, and no other."""

from __future__ import annotations

import re
from pathlib import Path

from sqlguard.catalogue import load_pages

README = Path(__file__).resolve().parents[2] / "README.md"


def _summary_ids() -> set[str]:
    """Ids in the README's "Rules" section, ranges (SG010–SG022) expanded."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Rules") : text.index("## Using it")]
    ids: set[str] = set()
    for first, last in re.findall(r"SG(\d{3})(?:–SG(\d{3}))?", section):
        end = int(last or first)
        ids |= {f"SG{number:03d}" for number in range(int(first), end + 1)}
    return ids


def test_readme_summary_covers_every_rule() -> None:
    rules = set(load_pages())
    assert rules - _summary_ids() == set(), "rules missing from the README's summary"
    # A range may span ids never given out; an id named on its own must be a rule.
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Rules") : text.index("## Using it")]
    range_ends = set(re.findall(r"–(SG\d{3})", section))
    singles = set(re.findall(r"SG\d{3}(?!–)", section)) - range_ends
    assert singles - rules == set(), "ids in the README that are no rule"
