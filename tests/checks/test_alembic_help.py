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
