"""SG004's help for SQL in op.execute puts CONCURRENTLY after the front end's INDEX (or REINDEX
target) token, not after the first word that looks like it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import concise, lint_snippet

CODE = '''"""x"""
revision = "1"
down_revision = None
from alembic import op


def upgrade():
    op.execute("/* index here */ create unique index ix_a on orders (a)")
    op.execute("REINDEX TABLE orders")
'''


def test_concurrently_goes_after_the_keyword_token(tmp_path: Path) -> None:
    report = concise(lint_snippet(tmp_path, CODE, filename="versions/0001_a.py", select=frozenset({"SG004"})))
    assert 'op.execute("create unique index CONCURRENTLY ix_a on orders (a)")' in report
    assert 'op.execute("REINDEX TABLE CONCURRENTLY orders")' in report
    assert "index CONCURRENTLY here" not in report
