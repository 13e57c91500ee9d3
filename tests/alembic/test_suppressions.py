"""Suppressions in Alembic files: Python comments on op lines, and SQL comments inside the SQL
strings of op.execute (where no Python comment can go)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import concise, lint_snippet

HEADER = 'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "r1"\ndown_revision = None\n\n\n'


def test_sql_comments_inside_a_python_string_suppress_its_lines(tmp_path: Path) -> None:
    text = HEADER + (
        "def upgrade():\n"
        '    op.execute("""\n'
        "        -- sqlguard: ignore[SG004] built at night, table is small\n"
        "        CREATE INDEX ix_a ON orders (a);\n"
        "        CREATE INDEX ix_b ON orders (b);\n"
        '    """)\n'
        '    op.execute("CREATE INDEX ix_c ON orders (c)")  # sqlguard: ignore[SG004]\n'
        "    op.execute(\"SELECT '-- sqlguard: ignore[SG004]'; CREATE INDEX ix_d ON orders (d)\")\n"
    )
    report = lint_snippet(tmp_path, text, filename="r1_rev.py", select=frozenset({"SG004"}))
    assert [line for line in concise(report).splitlines() if not line.startswith(" ")] == [
        '12:9 SG004 CREATE INDEX on "orders" blocks writes to it until the index is built',
        '15:54 SG004 CREATE INDEX on "orders" blocks writes to it until the index is built',
    ]
