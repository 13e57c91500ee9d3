"""Help and fixes for Alembic revisions are Python that works: op.execute() around SQL steps,
and SG014's ``postgresql_not_valid=True`` inserted so the same rule goes silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.diagnostics import apply_edits
from sqlguard.safe_steps import for_origin
from tests.conftest import lint_snippet

REVISION = '''import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = None


def upgrade():
{body}


def downgrade():
    pass
'''


def test_for_origin_wraps_statements_and_comments() -> None:
    sql = 'ALTER TABLE "Orders" ADD COLUMN a int;\n-- then:\nVACUUM t;  -- later'
    assert for_origin(sql, "sql") == sql
    assert for_origin(sql, "python").splitlines() == [
        'op.execute("""ALTER TABLE "Orders" ADD COLUMN a int""")',
        "# then:",
        'op.execute("VACUUM t")  # later',
    ]


@pytest.mark.parametrize(
    "call",
    [
        '    op.create_foreign_key("fk", "orders", "customers", ["customer_id"], ["id"])',
        '    op.create_foreign_key(\n        "fk", "orders", "customers", ["customer_id"], ["id"],\n    )',
        '    op.create_check_constraint("ck", "orders", "total >= 0")',
    ],
)
def test_not_valid_fix_for_alembic_makes_sg014_silent(tmp_path: Path, call: str) -> None:
    code = REVISION.format(body=call)
    report = lint_snippet(tmp_path, code, filename="c1.py", select=frozenset({"SG014"}))
    [finding] = report.diagnostics
    assert report.lines.position(finding.span.start).line == 9
    assert finding.fix is not None and not finding.fix.safe
    fixed = apply_edits(code, finding.fix.edits)
    assert fixed.count("postgresql_not_valid=True") == 1
    compile(fixed, "c1.py", "exec")
    again = lint_snippet(tmp_path / "fixed", fixed, filename="c1.py", select=frozenset({"SG014"}))
    assert again.diagnostics == []


@pytest.mark.parametrize(
    ("body", "rule", "expected"),
    [
        (
            '    op.drop_column("orders", "legacy", schema="app")',
            "SG032",
            'op.drop_column("orders", "legacy", schema="app")',
        ),
        (
            '    op.alter_column("orders", "note", nullable=True, schema="app")',
            "SG036",
            'op.alter_column("orders", "note", nullable=True, schema="app")',
        ),
        (
            '    op.drop_table("orders", schema="app")',
            "SG033",
            'op.rename_table("orders", "orders_deprecated", schema="app")',
        ),
        (
            '    op.create_foreign_key("fk", "orders", "customers", ["customer_id"], ["id"], source_schema="app")',
            "SG002",
            'op.create_index("orders_customer_id_idx", "orders", ["customer_id"], schema="app"',
        ),
    ],
)
def test_alembic_help_passes_the_schema_apart(tmp_path: Path, body: str, rule: str, expected: str) -> None:
    report = lint_snippet(tmp_path, REVISION.format(body=body), filename="c1_app.py", select=frozenset({rule}))
    helps = [d.help or "" for d in report.diagnostics if d.rule == rule]
    assert helps and expected in helps[0], helps
    assert '"app.orders"' not in helps[0]
