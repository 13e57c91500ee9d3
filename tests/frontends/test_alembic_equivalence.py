"""Alembic ops mean SQL: each op, read by the Python front end, gives the same changes as the SQL
PostgreSQL runs for it, once places and spelling are set aside (as alembic's own tests assert an
op by the SQL it emits)."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

import pytest

from sqlguard.frontends import sql
from sqlguard.frontends.alembic import parse_python
from sqlguard.model import OFFSET_FIELDS

# Where a change is and how it was written differ by nature between the two front ends.
_PLACE_AND_SPELLING = {"span", "statement_span", "statement", "origin", "from_call", "written"} | OFFSET_FIELDS
# How a Python type was spelled (``sa.DateTime(precision=3)``): only the Alembic front end reads it.
_PLACE_AND_SPELLING |= {"py_callee", "py_args"}

REVISION = """\
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None


def upgrade():
{body}


def downgrade():
    pass
"""

CASES = [
    (
        'op.create_index("ix_orders_customer", "orders", ["customer_id"])',
        "CREATE INDEX ix_orders_customer ON orders (customer_id)",
    ),
    (
        'op.create_index("ix_orders_number", "orders", ["number", "placed_at"], unique=True, if_not_exists=True)',
        "CREATE UNIQUE INDEX IF NOT EXISTS ix_orders_number ON orders (number, placed_at)",
    ),
    (
        'op.create_index(op.f("ix_orders_email"), "orders", [sa.text("lower(email)")])',
        "CREATE INDEX ix_orders_email ON orders (lower(email))",
    ),
    ('op.create_index("ix_a", "orders", ["a"], schema="sales")', "CREATE INDEX ix_a ON sales.orders (a)"),
    ('op.drop_index("ix_orders_customer", table_name="orders")', "DROP INDEX ix_orders_customer"),
    (
        'op.drop_index("ix_orders_customer", table_name="orders", postgresql_concurrently=True, if_exists=True)',
        "DROP INDEX CONCURRENTLY IF EXISTS ix_orders_customer",
    ),
    (
        'op.add_column("orders", sa.Column("note", sa.Text(), server_default="none", nullable=False))',
        "ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT 'none'",
    ),
    (
        'op.add_column("orders", sa.Column("customer_id", sa.BigInteger(), sa.ForeignKey("customers.id")))',
        "ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id)",
    ),
    ('op.drop_column("orders", "note")', "ALTER TABLE orders DROP COLUMN note"),
    ('op.alter_column("orders", "note", nullable=False)', "ALTER TABLE orders ALTER COLUMN note SET NOT NULL"),
    ('op.alter_column("orders", "note", nullable=True)', "ALTER TABLE orders ALTER COLUMN note DROP NOT NULL"),
    (
        'op.alter_column("orders", "total", type_=sa.Numeric(12, 2), postgresql_using="total::numeric(12,2)")',
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2) USING total::numeric(12,2)",
    ),
    (
        'op.alter_column("orders", "placed_at", type_=sa.DateTime(timezone=True))',
        "ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz",
    ),
    (
        'op.alter_column("orders", "status", server_default=sa.text("\'new\'"))',
        "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new'",
    ),
    ('op.alter_column("orders", "note", new_column_name="remark")', "ALTER TABLE orders RENAME COLUMN note TO remark"),
    ('op.rename_table("orders", "purchases")', "ALTER TABLE orders RENAME TO purchases"),
    ('op.drop_table("orders")', "DROP TABLE orders"),
    (
        'op.create_foreign_key("fk_orders_customer", "orders", "customers", ["customer_id"], ["id"])',
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)",
    ),
    (
        'op.create_unique_constraint("uq_orders_number", "orders", ["number"])',
        "ALTER TABLE orders ADD CONSTRAINT uq_orders_number UNIQUE (number)",
    ),
    (
        'op.create_check_constraint("ck_orders_total", "orders", "total >= 0")',
        "ALTER TABLE orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0)",
    ),
    (
        'op.create_primary_key("pk_orders", "orders", ["id"])',
        "ALTER TABLE orders ADD CONSTRAINT pk_orders PRIMARY KEY (id)",
    ),
    (
        'op.drop_constraint("uq_orders_number", "orders", type_="unique")',
        "ALTER TABLE orders DROP CONSTRAINT uq_orders_number",
    ),
    (
        """op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("customer_id", sa.BigInteger(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("placed_at", sa.DateTime(), server_default=sa.func.now()),
        sa.Column("shipped_at", sa.TIMESTAMP(timezone=True)),
        sa.Column("tags", sa.ARRAY(sa.Text())),
        sa.Column("data", postgresql.JSONB()),
        sa.Column("token", postgresql.UUID(as_uuid=True)),
        sa.Column("paid", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.CheckConstraint("number <> ''", name="ck_orders_number"),
    )""",
        """CREATE TABLE orders (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            customer_id bigint NOT NULL REFERENCES customers (id),
            number varchar(32) NOT NULL UNIQUE,
            placed_at timestamp DEFAULT now(),
            shipped_at timestamptz,
            tags text[],
            data jsonb,
            token uuid,
            paid boolean NOT NULL DEFAULT false,
            CONSTRAINT ck_orders_number CHECK (number <> '')
        )""",
    ),
    (
        """op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("order_id", sa.BigInteger()),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_payments_order"),
        sa.UniqueConstraint("order_id", name="uq_payments_order"),
        sa.Index("ix_payments_order", "order_id"),
    )""",
        """CREATE TABLE payments (
            id bigint PRIMARY KEY,
            order_id bigint,
            CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (id),
            CONSTRAINT uq_payments_order UNIQUE (order_id)
        );
        CREATE INDEX ix_payments_order ON payments (order_id)""",
    ),
    (
        """with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.Text()))
        batch_op.drop_column("fax")
        batch_op.create_index("ix_customers_phone", ["phone"])""",
        """ALTER TABLE customers ADD COLUMN phone text;
        ALTER TABLE customers DROP COLUMN fax;
        CREATE INDEX ix_customers_phone ON customers (phone)""",
    ),
    ('op.execute("CREATE INDEX ix_a ON orders (a)")', "CREATE INDEX ix_a ON orders (a)"),
    ('op.execute(sa.text("ALTER TABLE orders ADD COLUMN b int"))', "ALTER TABLE orders ADD COLUMN b integer"),
]


def facts(value: Any) -> Any:
    """A change as plain data without its place and spelling, for comparing front ends."""
    if isinstance(value, tuple):
        return tuple(facts(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: facts(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _PLACE_AND_SPELLING
            # SQL's DROP INDEX cannot name the table; Alembic's drop_index(table_name=) does.
            and not (type(value).__name__ == "DropIndex" and f.name == "table")
        }
        return type(value).__name__, fields
    return value


def python_changes(body: str) -> list[Any]:
    text = REVISION.format(body=textwrap.indent(textwrap.dedent("    " + body).strip("\n"), "    "))
    migration = parse_python("0001_test.py", text)
    assert migration.errors == []
    return [facts(change) for change in migration.changes]


def sql_changes(statement: str) -> list[Any]:
    parsed = sql.parse(statement, in_transaction=True, origin="python")
    assert parsed.errors == []
    return [facts(change) for change in parsed.changes]


@pytest.mark.parametrize(
    ("python", "statement"), CASES, ids=[c[0].split("(")[0].strip() + f"-{i}" for i, c in enumerate(CASES)]
)
def test_op_means_the_same_as_its_sql(python: str, statement: str) -> None:
    assert python_changes(python) == sql_changes(statement)


def test_autocommit_block_is_outside_the_transaction() -> None:
    body = """with op.get_context().autocommit_block():
        op.create_index("ix_a", "orders", ["a"], postgresql_concurrently=True)"""
    expected = [
        facts(c) for c in sql.parse("CREATE INDEX CONCURRENTLY ix_a ON orders (a)", in_transaction=False).changes
    ]
    assert python_changes(body) == expected


def test_sa_integer_primary_key_autoincrements_like_serial() -> None:
    """SQLAlchemy's autoincrement="auto": a lone integer key becomes SERIAL; composite keys do not."""
    [single] = python_changes('op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))')
    [composite] = python_changes(
        'op.create_table("t", sa.Column("a", sa.Integer, primary_key=True), '
        'sa.Column("b", sa.Integer, primary_key=True))'
    )
    [explicit_off] = python_changes(
        'op.create_table("t", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))'
    )
    [by_constraint] = python_changes('op.create_table("t", sa.Column("id", sa.Integer), sa.PrimaryKeyConstraint("id"))')
    assert [c["autoincrement"] for _, c in single[1]["columns"]] == [True]
    assert [c["autoincrement"] for _, c in composite[1]["columns"]] == [False, False]
    assert [c["autoincrement"] for _, c in explicit_off[1]["columns"]] == [False]
    assert [(c["primary_key"], c["autoincrement"]) for _, c in by_constraint[1]["columns"]] == [(True, True)]
