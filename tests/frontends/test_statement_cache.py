"""The language server's statement cache changes nothing: parsing through it gives the same
changes, spans and errors as the plain parse, for every robustness fixture, every rule page
example, and after edits that move statements around."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.catalogue import load_pages
from sqlguard.frontends import sql
from tests.conftest import FIXTURES

SOURCES = sorted((FIXTURES / "robustness").glob("*.sql"))
EXAMPLES = [e.code for page in load_pages().values() for e in page.examples if e.language == "sql"]


def both(text: str, **options: object) -> tuple[sql.ParsedSql, sql.ParsedSql]:
    """The plain parse, and the parse a process gets after ``enable_statement_cache()``."""
    plain = sql.parse(text, **options)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql, "_statement_cache", sql.StatementCache())
        cached = sql.parse(text, **options)  # type: ignore[arg-type]
        again = sql.parse(text, **options)  # type: ignore[arg-type]
    assert again == cached
    return plain, cached


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_fixture_parses_the_same_through_the_cache(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    plain, cached = both(text)
    assert cached.changes == plain.changes
    assert [(e.span, e.message) for e in cached.errors] == [(e.span, e.message) for e in plain.errors]


def test_every_page_example_parses_the_same() -> None:
    for code in EXAMPLES:
        for options in ({}, {"base": 17, "in_transaction": True, "origin": "python"}):
            plain, cached = both(code, **options)
            assert cached.changes == plain.changes, code
            assert [e.span for e in cached.errors] == [e.span for e in plain.errors], code


def test_edits_reuse_statements_at_their_new_place() -> None:
    cache = sql.StatementCache()
    first = (
        "CREATE TABLE a (id int);\nBEGIN;\nCREATE INDEX i ON a (id);\nCOMMIT;\n"
        "CREATE INDEX CONCURRENTLY j ON a (id);\n"
    )
    edited = first.replace("CREATE TABLE a (id int);", "CREATE TABLE a (id bigint, at timestamp);\nSELEC 1;")
    for text in (first, edited, first):
        cached = cache.parse(text, 0, False, "sql")
        plain = sql.parse(text)
        assert cached is not None
        assert cached.changes == plain.changes
        assert [(e.span, e.message) for e in cached.errors] == [(e.span, e.message) for e in plain.errors]
    assert [c.in_transaction for c in plain.changes] == [False, False, True, True, False]


def test_unterminated_quote_falls_back_to_the_plain_parse() -> None:
    assert sql.StatementCache().parse("SELECT 'oops", 0, False, "sql") is None


def test_begin_atomic_bodies_fall_back_to_the_plain_parse() -> None:
    text = "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END;\nCREATE INDEX i ON t (a);"
    assert sql.StatementCache().parse(text, 0, False, "sql") is None
