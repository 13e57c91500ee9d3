"""SG006 (Alembic) follows upgrade() in order: a table dropped and made again under the same
name is still a table the downgrade must restore, not one it made."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter

CONFIG = Config(select=frozenset({"SG006"}))

REVISION = '''import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = None


def upgrade():
    op.drop_table("legacy")
    op.create_table("legacy", sa.Column("id", sa.BigInteger(), primary_key=True))


def downgrade():
    op.drop_table("legacy")
'''


def test_a_table_dropped_then_made_again_must_be_restored(tmp_path: Path) -> None:
    path = tmp_path / "versions" / "a2_legacy.py"
    path.parent.mkdir()
    path.write_text(REVISION, encoding="utf-8")
    [finding] = Linter(CONFIG).lint_paths([str(path)]).diagnostics
    assert finding.message == 'downgrade() of revision "a2" does not restore table "legacy" that upgrade() removed'
    assert finding.help == 'add to downgrade():\nop.create_table("legacy", ...)'
