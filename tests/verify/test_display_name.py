"""Diff lines drop the default schema from snapshot names, read with PostgreSQL's scanner."""

from __future__ import annotations

import pytest

from sqlguard.verify.diff import display_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("public.ix_orders_user_id", "ix_orders_user_id"),
        ("positive_int_check on public.positive_int", "positive_int_check on positive_int"),
        ("public.users.id", "users.id"),
        ("public.f(a public.mood, b integer)", "f(a mood, b integer)"),
        ('public."Odd Name"', '"Odd Name"'),
        ("public.public.id", "public.id"),  # a table called public: only the schema goes
        ("sales.orders", "sales.orders"),
        ("sales.public.x", "sales.public.x"),  # after a dot it is a table or column name
        ('"public.x"', '"public.x"'),  # inside a quoted identifier
        ("publicity.x", "publicity.x"),
        ("x public . y", "x public . y"),  # the dot must touch the word
    ],
)
def test_display_name_drops_only_the_public_schema(name: str, shown: str) -> None:
    assert display_name(name) == shown
