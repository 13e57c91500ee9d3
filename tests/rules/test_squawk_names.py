"""squawk's rule names (2.70) in ``-- squawk-ignore`` comments silence the sqlguard rule that covers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import concise, lint_snippet


@pytest.mark.parametrize(
    ("squawk_name", "statement", "rule"),
    [
        ("require-lock-timeout", "ALTER TABLE orders ADD COLUMN note text;", "SG050"),
        ("require-statement-timeout", "ALTER TABLE orders ADD COLUMN note text;", "SG050"),
        ("require-concurrent-reindex", "REINDEX TABLE orders;", "SG004"),
        ("require-concurrent-partition-detach", "ALTER TABLE events DETACH PARTITION events_2020;", "SG021"),
        ("ban-duplicate-column-assignments", "UPDATE orders SET note = 'a', note = 'b' WHERE id = 1;", "SG045"),
        ("require-table-schema", "CREATE TABLE orders (id bigint PRIMARY KEY);", "SG054"),
        ("ban-drop-schema", "DROP SCHEMA legacy;", "SG034"),
        ("identifier-too-long", "CREATE TABLE " + "t" * 70 + " (id bigint PRIMARY KEY);", "SG044"),
    ],
)
def test_squawk_ignore_with_its_name(tmp_path: Path, squawk_name: str, statement: str, rule: str) -> None:
    plain = lint_snippet(tmp_path, statement + "\n", select=frozenset({rule}))
    assert rule in concise(plain), "the statement must be a finding without the comment"
    ignored = lint_snippet(tmp_path, f"-- squawk-ignore {squawk_name}\n{statement}\n", select=frozenset({rule}))
    assert concise(ignored) == ""
