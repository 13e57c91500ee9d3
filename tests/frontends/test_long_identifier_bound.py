"""The cheap bound that lets most statements skip the token scan for identifiers over 63 bytes
never skips one: wherever the scan finds such an identifier, the bound says "maybe"."""

from __future__ import annotations

import pytest

from sqlguard.frontends import sql
from sqlguard.model import LongIdentifier

LONG = "a" * 64
CASES = [
    f"CREATE TABLE t ({LONG} int);",
    f"CREATE TABLE t({LONG}\tint);",
    f'CREATE TABLE "{"a b " * 17}" (id int);',  # quoted, with spaces: only the quote tells
    f"CREATE INDEX {'é' * 32} ON t (a);",  # 32 characters, 64 bytes
    f"CREATE INDEX {'日' * 22} ON t (a);",  # 22 characters, 66 bytes
    f"CREATE INDEX a\u00a0{'b' * 62} ON t (a);",  # a no-break space is an identifier byte
    f"ALTER TABLE t ADD COLUMN {LONG}x text, ADD COLUMN b int;",
]


@pytest.mark.parametrize("text", CASES)
def test_bound_keeps_every_long_identifier(text: str) -> None:
    assert sql._may_have_long_identifier(text)
    changes = sql.parse(text).changes
    assert any(isinstance(change, LongIdentifier) for change in changes), text


@pytest.mark.parametrize(
    "text",
    [
        f"INSERT INTO t VALUES ('{'x ' * 200}');",
        f"CREATE TABLE t ( {'a' * 63} int, b text DEFAULT 'plain');",
        f"CREATE INDEX {'é' * 31}a ON t (a);",  # 63 bytes: kept whole by PostgreSQL
    ],
)
def test_bound_skips_statements_without_one(text: str) -> None:
    assert not sql._may_have_long_identifier(text)
    assert not any(isinstance(change, LongIdentifier) for change in sql.parse(text).changes)
