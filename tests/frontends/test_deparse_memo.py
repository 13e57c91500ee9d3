"""Deparsed defaults and CHECK expressions are remembered by their tree's shape: the memo gives
exactly what pglast prints, and never mixes two expressions that differ in anything but place."""

from __future__ import annotations

import pglast
import pytest
from pglast import ast
from pglast.stream import RawStream

from sqlguard.frontends import sql

EXPRESSIONS = [
    "now()",
    "  now( )",
    "now2()",
    "0",
    "1",
    "1.5",
    "'pending'",
    "'pending'::text",
    "'Pending'",
    "false",
    "NULL",
    "gen_random_uuid()",
    "public.gen_random_uuid()",
    "CURRENT_TIMESTAMP",
    "(1 + 2) * 3",
    "1 + 2 * 3",
    "lower('A' || 'b')",
    "ARRAY[1, 2]",
]


def default_of(expression: str) -> ast.Node:
    statement = pglast.parse_sql(f"CREATE TABLE t (c int DEFAULT {expression})")[0].stmt
    node: ast.Node = statement.tableElts[0].constraints[0].raw_expr
    return node


@pytest.fixture(autouse=True)
def empty_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql, "_deparsed", {})


def test_memo_prints_what_pglast_prints_whatever_came_before() -> None:
    for expression in [*EXPRESSIONS, *reversed(EXPRESSIONS)]:
        node = default_of(expression)
        assert sql._deparse(node) == str(RawStream()(node)), expression


def test_only_place_and_spacing_share_an_entry() -> None:
    shapes = {sql._shape(default_of(expression)) for expression in EXPRESSIONS}
    assert len(shapes) == len(EXPRESSIONS) - 1  # "now()" and "  now( )" differ only in place
    assert sql._shape(default_of("now()")) == sql._shape(default_of("  now( )"))


def test_full_memo_starts_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql, "_DEPARSED_MAX", 2)
    for expression in ("1", "2", "3"):
        assert sql._deparse(default_of(expression)) == expression
    assert len(sql._deparsed) == 1
