"""squawk's rule names (2.70) in ``-- squawk-ignore`` comments silence the sqlguard rule that covers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import concise, lint_snippet


@pytest.mark.parametrize(
    ("squawk_name", "statement", "rule"),
    [
        ("require-lock-timeout", "ALTER TABLE orders ADD COLUMN note text;", "SG050"),
        ("require-statement-timeout", "ALTER TABLE orders ADD COLUMN note text;", "SG055"),
        ("require-timeout-settings", "ALTER TABLE orders ADD COLUMN note text;", "SG050"),
        ("require-timeout-settings", "ALTER TABLE orders ADD COLUMN note text;", "SG055"),
        ("ban-drop-view", "DROP VIEW active_customers;", "SG037"),
        ("ban-drop-function", "DROP FUNCTION order_total(bigint);", "SG037"),
        ("ban-drop-constraint", "ALTER TABLE orders DROP CONSTRAINT orders_total_check;", "SG037"),
        ("ban-drop-default", "ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;", "SG037"),
        ("ban-alter-identity", "ALTER TABLE orders ALTER COLUMN id DROP IDENTITY;", "SG037"),
        ("ban-drop-generated-expression", "ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;", "SG037"),
        ("renaming-object", "ALTER VIEW active_customers RENAME TO current_customers;", "SG038"),
        ("ban-set-schema", "ALTER TABLE audit_log SET SCHEMA archive;", "SG038"),
        ("ban-drop-trigger", "DROP TRIGGER orders_audit ON orders;", "SG056"),
        ("ban-disable-trigger", "ALTER TABLE orders DISABLE TRIGGER ALL;", "SG056"),
        ("ban-create-policy", "CREATE POLICY p ON orders USING (true);", "SG056"),
        ("ban-alter-row-level-security", "ALTER TABLE orders DISABLE ROW LEVEL SECURITY;", "SG056"),
        ("ban-replace-view-function", "CREATE OR REPLACE VIEW v AS SELECT 1 AS id;", "SG057"),
        ("ban-revoke", "REVOKE SELECT ON orders FROM app_reader;", "SG058"),
        ("ban-replica-identity", "ALTER TABLE orders REPLICA IDENTITY FULL;", "SG059"),
        ("ban-alter-generated-expression", "ALTER TABLE orders ALTER COLUMN t SET EXPRESSION AS (a + 1);", "SG017"),
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
