"""Which relation names a statement wrote with a schema is a front-end fact (``Change.qualified_names``),
read from the parse tree; SG054 and SG064 ask it instead of reading the statement's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.frontends import sql
from sqlguard.frontends.alembic import parse_python
from sqlguard.model import AddConstraint, CreateTable, DropTable
from tests.conftest import lint_snippet
from tests.frontends.test_alembic_equivalence import REVISION


@pytest.mark.parametrize(
    ("statement", "table", "qualified"),
    [
        ("CREATE TABLE orders (id int)", "orders", frozenset()),
        ("CREATE TABLE public.orders (id int)", "orders", frozenset({"orders"})),
        ('CREATE TABLE "public"."orders" (id int)', "orders", frozenset({"orders"})),
        ('CREATE TABLE "app".orders (id int)', "app.orders", frozenset({"app.orders"})),
        ("CREATE TABLE PUBLIC . Orders (id int)", "orders", frozenset({"orders"})),
    ],
)
def test_create_table_records_names_written_with_a_schema(
    statement: str, table: str, qualified: frozenset[str]
) -> None:
    (change,) = sql.parse(statement).changes
    assert isinstance(change, CreateTable) and change.table == table
    assert change.qualified_names == qualified


def test_references_and_drops_count_but_a_column_reference_does_not() -> None:
    create, add, drop, update = sql.parse(
        "CREATE TABLE app.orders (customer_id int REFERENCES public.customers (id));\n"
        "ALTER TABLE app.orders ADD FOREIGN KEY (a) REFERENCES \"public\".accounts (id);\n"
        "DROP TABLE public.old_orders;\n"
        "UPDATE orders SET total = orders.total + 1;\n"
    ).changes
    assert create.qualified_names == frozenset({"app.orders", "customers"})
    assert isinstance(add, AddConstraint) and add.qualified_names == frozenset({"app.orders", "accounts"})
    assert isinstance(drop, DropTable) and drop.tables == ("old_orders",) and drop.qualified_names == {"old_orders"}
    assert update.qualified_names == frozenset(), "orders.total is a column, not a schema-qualified table"


def test_alembic_schema_keywords_are_qualification() -> None:
    body = (
        'op.create_table("orders", sa.Column("id", sa.Integer()), schema="public")\n'
        'op.create_foreign_key("fk", "orders", "customers", ["c"], ["id"], source_schema="app",'
        ' referent_schema="public")\n'
        'op.add_column("orders", sa.Column("a", sa.Integer(), sa.ForeignKey("public.accounts.id")))\n'
        'op.drop_table("orders")\n'
    )
    text = REVISION.format(body="    " + body.replace("\n", "\n    "))
    changes = parse_python("0001_x.py", text).changes
    qualified = [sorted(change.qualified_names) for change in changes]
    assert qualified == [["orders"], ["app.orders", "customers"], ["accounts"], []]
    assert changes[1].table == "app.orders"  # type: ignore[attr-defined]


SG054 = frozenset({"SG054"})
SG064 = frozenset({"SG064"})


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("CREATE TABLE orders (id int);\n", 1),
        ("CREATE TABLE public.orders (id int);\n", 0),
        ('CREATE TABLE "public"."orders" (id int);\n', 0),
        ('CREATE TABLE "app".orders (id int);\n', 0),
        ("TRUNCATE public.orders;\n", 0),
        ("DROP TABLE public.orders;\n", 0),
        ("UPDATE orders SET total = orders.total + 1 WHERE id = 1;\n", 1),
    ],
)
def test_sg054_reads_qualification_from_the_parse_tree(tmp_path: Path, code: str, found: int) -> None:
    report = lint_snippet(tmp_path, code, select=SG054)
    assert len(report.diagnostics) == found


@pytest.mark.parametrize(
    ("reference", "found"),
    [("customers", 1), ("public.customers", 0), ('"public".customers', 0), ('"public"."customers"', 0)],
)
def test_sg064_reads_qualification_from_the_parse_tree(tmp_path: Path, reference: str, found: int) -> None:
    code = f"CREATE TABLE app.orders (id int, customer_id int REFERENCES {reference} (id));\n"
    report = lint_snippet(tmp_path, code, select=SG064)
    assert len(report.diagnostics) == found
