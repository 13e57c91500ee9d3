"""Statement cuts: ``RecutCache`` (which rescans only what an edit touched) must cut every
version of a text exactly as a full scan does, whatever the edit opens or closes."""

from __future__ import annotations

import random

import pytest
from pglast import parser

from sqlguard.frontends.cuts import Cut, RecutCache, split_top_level

BASE = (
    "ALTER TABLE a ADD b int; SELECT 1; -- one; two\n"
    "SELECT 'q;'; /* c; */ CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
    'CREATE TABLE "x;y" (id bigint);\nSELECT 2\n'
)
# Pieces that open or close what hides a ``;`` from the scanner, and ``;`` themselves.
PIECES = [";", "'", "$$", "--", "\n", "/*", "*/", "é", "SELECT 1;", " ", '"', "$tag$", "x", "😋;", "E'\\'"]


def _full(text: str) -> list[Cut] | str:
    try:
        return list(split_top_level(text))
    except parser.ParseError:
        return "scanner error"


def _incremental(cache: RecutCache, text: str) -> list[Cut] | str:
    try:
        return cache.cuts(text)
    except parser.ParseError:
        return "scanner error"


def test_cuts_end_after_each_top_level_semicolon_and_cover_the_text() -> None:
    text = "SELECT 1; SELECT ';' -- ;\n; SELECT 3"
    assert list(split_top_level(text)) == [(0, 9), (9, 27), (27, 36)]
    assert list(split_top_level("SELECT 1;  \n")) == [(0, 9)]


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_cut_as_a_full_scan(seed: int) -> None:
    chooser = random.Random(seed)
    cache = RecutCache(size=chooser.choice([1, 2, 8]))
    history = [BASE * 3]
    text = history[0]
    for _ in range(300):
        if chooser.random() < 0.1:
            text = chooser.choice(history)  # back to an earlier version (undo, another file)
        at = chooser.randrange(len(text) + 1)
        if chooser.random() < 0.5 and text:
            text = text[:at] + text[at + chooser.randrange(1, 8) :]
        else:
            text = text[:at] + chooser.choice(PIECES) + text[at:]
        history.append(text)
        assert _incremental(cache, text) == _full(text), text


def test_typing_in_one_statement_rescans_only_around_it(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = RecutCache()
    statements = [f"ALTER TABLE t ADD COLUMN c{i} text;\n" for i in range(400)]
    cache.cuts("".join(statements))
    statements[200] = "ALTER TABLE t ADD COLUMN c200_typed text;\n"
    scanned: list[str] = []
    real_scan = parser.scan

    def counting_scan(text: str) -> object:
        scanned.append(text)
        return real_scan(text)

    monkeypatch.setattr(parser, "scan", counting_scan)
    cuts = cache.cuts("".join(statements))
    monkeypatch.undo()
    assert cuts == list(split_top_level("".join(statements)))
    # From the end of the statement before to the edited statement's own ``;``.
    assert scanned == ["\n" + statements[200].rstrip("\n")]
