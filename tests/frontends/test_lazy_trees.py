"""Building pglast trees only for the statements the front end reads changes nothing: the
changes, spans and errors equal those of a parse that builds every statement's tree, for every
robustness fixture, every rule page example, and text with multi-byte characters (libpg_query
counts bytes, spans count characters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.catalogue import load_pages
from sqlguard.frontends import sql
from tests.conftest import FIXTURES

SOURCES = sorted((FIXTURES / "robustness").glob("*.sql"))
EXAMPLES = [e.code for page in load_pages().values() for e in page.examples if e.language == "sql"]
MULTIBYTE = (
    "-- café ☕\nINSERT INTO \"naïve\" VALUES ('é', '日本');\n"
    "CREATE TABLE \"таблица\" (id serial, at timestamp DEFAULT now());\n"
    "SELECT '😀';  CREATE INDEX i ON \"таблица\" (at);\n"
    "UPDATE \"таблица\" SET at = now();\nSELECT 'done'"
)


def lazy_and_eager(text: str, **options: object) -> tuple[sql.ParsedSql, sql.ParsedSql]:
    lazy = sql.parse(text, **options)  # type: ignore[arg-type]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sql, "_needs_tree", lambda kind, entry, plpgsql_here: True)
        eager = sql.parse(text, **options)  # type: ignore[arg-type]
    return lazy, eager


def assert_same(lazy: sql.ParsedSql, eager: sql.ParsedSql) -> None:
    assert lazy.changes == eager.changes
    assert [(e.span, e.message) for e in lazy.errors] == [(e.span, e.message) for e in eager.errors]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_fixture_parses_the_same_without_unread_trees(path: Path) -> None:
    assert_same(*lazy_and_eager(path.read_text(encoding="utf-8")))


def test_every_page_example_parses_the_same_without_unread_trees() -> None:
    for code in EXAMPLES:
        for options in ({}, {"base": 17, "in_transaction": True, "origin": "python"}):
            assert_same(*lazy_and_eager(code, **options))


def test_multibyte_text_keeps_character_spans() -> None:
    lazy, eager = lazy_and_eager(MULTIBYTE)
    assert_same(lazy, eager)
    kinds = [type(change).__name__ for change in lazy.changes]
    assert kinds == ["RawStatement", "CreateTable", "RawStatement", "CreateIndex", "DataChange", "RawStatement"]
    index = lazy.changes[3]
    assert MULTIBYTE[index.span.start : index.span.end] == 'CREATE INDEX i ON "таблица" (at)'
