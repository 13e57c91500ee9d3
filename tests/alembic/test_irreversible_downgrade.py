"""SG006 on Alembic revisions: what a downgrade leaves behind or does not restore, named and
located at ``def downgrade``; nothing guessed when a body cannot be read."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import concise, lint_snippet

HEADER = 'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "r1"\ndown_revision = None\n\n\n'


def sg006(tmp_path: Path, upgrade: str, downgrade: str | None) -> str:
    text = HEADER + "def upgrade():\n" + upgrade
    if downgrade is not None:
        text += "\n\ndef downgrade():\n" + downgrade
    return concise(lint_snippet(tmp_path, text, filename="r1_rev.py", select=frozenset({"SG006"})))


def test_every_kind_of_leftover_is_named_with_its_undo(tmp_path: Path) -> None:
    upgrade = (
        '    op.create_table("invoices", sa.Column("id", sa.BigInteger(), primary_key=True))\n'
        '    op.add_column("orders", sa.Column("note", sa.Text()))\n'
        '    op.create_index("ix_orders_note", "orders", ["note"])\n'
        '    op.create_unique_constraint("uq_orders_number", "orders", ["number"])\n'
        '    op.drop_column("orders", "legacy")\n'
        '    op.drop_table("coupons")\n'
        '    op.rename_table("clients", "customers")\n'
        '    op.alter_column("customers", "mail", new_column_name="email")\n'
    )
    assert sg006(tmp_path, upgrade, "    op.drop_index('ix_orders_note', table_name='orders')\n") == (
        '19:5 SG006 downgrade() of revision "r1" leaves behind constraint "uq_orders_number", '
        'column "orders.note", table "invoices" created by upgrade() and does not restore '
        'the name "customers.mail" (renamed to "email"), the name "clients" (renamed to "customers"), '
        'table "coupons", column "orders.legacy" that upgrade() removed\n'
        "  help: add to downgrade():\n"
        '        op.alter_column("customers", "email", new_column_name="mail")\n'
        '        op.rename_table("customers", "clients")\n'
        '        op.create_table("coupons", ...)\n'
        '        op.add_column("orders", sa.Column("legacy", ...))\n'
        '        op.drop_constraint("uq_orders_number", "orders")\n'
        '        op.drop_column("orders", "note")\n'
        '        op.drop_table("invoices")\n'
    )


def test_a_complete_downgrade_is_silent(tmp_path: Path) -> None:
    upgrade = (
        '    op.create_table("invoices", sa.Column("id", sa.BigInteger(), primary_key=True))\n'
        '    op.create_index("ix_invoices_id", "invoices", ["id"])\n'
        '    op.add_column("orders", sa.Column("note", sa.Text()))\n'
        '    op.rename_table("clients", "customers")\n'
    )
    downgrade = (
        '    op.rename_table("customers", "clients")\n'
        '    op.execute("ALTER TABLE orders DROP COLUMN note")\n'
        '    op.drop_table("invoices")\n'
    )
    assert sg006(tmp_path, upgrade, downgrade) == ""


def test_missing_and_empty_downgrades(tmp_path: Path) -> None:
    upgrade = '    op.add_column("orders", sa.Column("note", sa.Text()))\n'
    assert sg006(tmp_path, upgrade, None).splitlines()[0] == (
        '8:5 SG006 revision "r1" has no downgrade(): `alembic downgrade` cannot step back past it'
    )
    assert sg006(tmp_path, upgrade, '    """Nothing."""\n    ...\n').splitlines()[0] == (
        '12:5 SG006 downgrade() of revision "r1" does nothing: rolling back leaves every change of upgrade() in place'
    )


def test_an_opaque_downgrade_is_not_compared(tmp_path: Path) -> None:
    upgrade = '    op.add_column("orders", sa.Column("note", sa.Text()))\n'
    downgrade = "    for name in ('note',):\n        op.drop_column('orders', name)\n"
    assert sg006(tmp_path, upgrade, downgrade) == ""
