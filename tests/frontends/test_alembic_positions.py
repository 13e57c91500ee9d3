"""Exact places in the Python file: every op form, SQL inside strings (plain, triple-quoted, with
escapes, implicitly concatenated, raw, in ``sa.text``), and syntax errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlguard.diagnostics import LineIndex, Span
from sqlguard.frontends.alembic import parse_python
from sqlguard.frontends.pystrings import StringValue, remap
from sqlguard.model import AddColumn, CreateIndex, CreateTable, Migration
from tests.conftest import concise, lint_snippet

HEADER = """import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


"""
FIRST_BODY_LINE = HEADER.count("\n") + 2  # "def upgrade():" is the line before


def revision_file(body: str, downgrade: str = "    pass\n") -> str:
    return HEADER + "def upgrade():\n" + body + "\n\ndef downgrade():\n" + downgrade


def where(migration: Migration) -> list[tuple[str, int, int, str]]:
    """``(change type, line, column, text at the start of the span)`` for every change and error."""
    lines = LineIndex(migration.text)
    found = []
    for change in (*migration.changes, *migration.down_changes, *migration.errors):
        position = lines.position(change.span.start)
        name = type(change).__name__ if not hasattr(change, "rule") else change.rule  # type: ignore[attr-defined]
        snippet = migration.text[change.span.start : change.span.end].split("\n")[0][:24]
        found.append((name, position.line, position.column, snippet))
    return found


def test_every_op_form_at_its_call() -> None:
    body = """\
    op.create_table("t", sa.Column("id", sa.BigInteger(), primary_key=True))
    op.add_column("t", sa.Column("a", sa.Text()))
    op.drop_column("t", "a")
    op.alter_column("t", "b", nullable=False, type_=sa.BigInteger(), new_column_name="c")
    op.create_index("ix", "t", ["c"])
    op.drop_index("ix", table_name="t")
    op.create_foreign_key("fk", "t", "u", ["c"], ["id"])
    op.create_unique_constraint("uq", "t", ["c"])
    op.create_check_constraint("ck", "t", "c > 0")
    op.rename_table("t", "v")
    op.drop_table("v")
"""
    migration = parse_python("r.py", revision_file(body))
    line = FIRST_BODY_LINE
    assert where(migration) == [
        ("CreateTable", line, 5, 'op.create_table("t", sa.'),
        ("AddColumn", line + 1, 24, 'sa.Column("a", sa.Text()'),
        ("DropColumn", line + 2, 5, 'op.drop_column("t", "a")'),
        ("AlterColumnType", line + 3, 47, "type_=sa.BigInteger()"),
        ("SetNotNull", line + 3, 31, "nullable=False"),
        ("RenameColumn", line + 3, 70, 'new_column_name="c"'),
        ("CreateIndex", line + 4, 5, 'op.create_index("ix", "t'),
        ("DropIndex", line + 5, 5, 'op.drop_index("ix", tabl'),
        ("AddConstraint", line + 6, 5, 'op.create_foreign_key("f'),
        ("AddConstraint", line + 7, 5, "op.create_unique_constra"),
        ("AddConstraint", line + 8, 5, "op.create_check_constrai"),
        ("RenameTable", line + 9, 5, 'op.rename_table("t", "v"'),
        ("DropTable", line + 10, 5, 'op.drop_table("v")'),
    ]
    assert all(change.origin == "python" and change.from_call for change in migration.changes)


def test_batch_ops_take_the_table_of_their_block_and_autocommit_leaves_the_transaction() -> None:
    body = """\
    with op.batch_alter_table("orders", schema="sales") as batch:
        batch.add_column(sa.Column("a", sa.Text()))
        batch.create_index("ix_a", ["a"])
    with op.get_context().autocommit_block():
        op.create_index("ix_b", "orders", ["b"], postgresql_concurrently=True)
    op.create_index("ix_c", "orders", ["c"])
"""
    migration = parse_python("r.py", revision_file(body))
    add, index_a, index_b, index_c = migration.changes
    assert isinstance(add, AddColumn) and add.table == "sales.orders"
    assert isinstance(index_a, CreateIndex) and index_a.table == "sales.orders" and index_a.in_transaction
    assert isinstance(index_b, CreateIndex) and index_b.concurrently and not index_b.in_transaction
    assert isinstance(index_c, CreateIndex) and index_c.in_transaction
    assert where(migration)[1][1:3] == (FIRST_BODY_LINE + 2, 9)


def test_sql_in_a_plain_string_points_inside_it() -> None:
    body = """    op.execute("UPDATE t SET a = 1; CREATE INDEX ix ON t (a)")\n"""
    migration = parse_python("r.py", revision_file(body))
    assert where(migration) == [
        ("DataChange", FIRST_BODY_LINE, 17, "UPDATE t SET a = 1"),
        ("CreateIndex", FIRST_BODY_LINE, 37, "CREATE INDEX ix ON t (a)"),
    ]
    index = migration.changes[1]
    assert isinstance(index, CreateIndex) and index.origin == "python" and not index.from_call
    assert migration.text[index.keyword_end : index.keyword_end + 4] == " ix "


def test_sql_in_a_triple_quoted_string_keeps_its_lines() -> None:
    body = '''\
    op.execute(
        """
        CREATE TABLE t (a timestamp);
        CREATE INDEX ix ON t (a);
        """
    )
'''
    migration = parse_python("r.py", revision_file(body))
    assert where(migration) == [
        ("CreateTable", FIRST_BODY_LINE + 2, 9, "CREATE TABLE t (a timest"),
        ("CreateIndex", FIRST_BODY_LINE + 3, 9, "CREATE INDEX ix ON t (a)"),
    ]
    table = migration.changes[0]
    assert isinstance(table, CreateTable) and table.columns[0].type is not None
    assert migration.text[table.columns[0].type.span.start : table.columns[0].type.span.end] == "timestamp"


def test_sql_with_escapes_maps_each_character_back() -> None:
    body = """    op.execute("UPDATE t SET a = 'x\\ty'\\n;\\tCREATE INDEX ix ON t (a)")\n"""
    migration = parse_python("r.py", revision_file(body))
    assert where(migration) == [
        ("DataChange", FIRST_BODY_LINE, 17, "UPDATE t SET a = 'x\\ty'"),
        ("CreateIndex", FIRST_BODY_LINE, 45, "CREATE INDEX ix ON t (a)"),
    ]
    index = migration.changes[1]
    assert isinstance(index, CreateIndex) and index.keyword_end is not None
    assert migration.text[index.keyword_end : index.keyword_end + 4] == " ix "


def test_sql_split_over_implicitly_concatenated_strings() -> None:
    body = """\
    op.execute(
        sa.text(
            "UPDATE t SET a = 1; "
            'CREATE INDEX ix ON t (a)'
        )
    )
"""
    migration = parse_python("r.py", revision_file(body))
    assert where(migration) == [
        ("DataChange", FIRST_BODY_LINE + 2, 14, "UPDATE t SET a = 1"),
        ("CreateIndex", FIRST_BODY_LINE + 3, 14, "CREATE INDEX ix ON t (a)"),
    ]


def test_raw_strings_keep_backslashes() -> None:
    body = """    op.execute(r"SELECT '\\d'; CREATE INDEX ix ON t (a)")\n"""
    migration = parse_python("r.py", revision_file(body))
    assert where(migration)[1] == ("CreateIndex", FIRST_BODY_LINE, 31, "CREATE INDEX ix ON t (a)")


def test_sql_syntax_error_inside_a_string_is_e001_at_its_place() -> None:
    body = """    op.execute("CREATE TABLE t (a int);\\nCREAT INDEX ix ON t (a)")\n"""
    migration = parse_python("r.py", revision_file(body))
    assert where(migration) == [
        ("CreateTable", FIRST_BODY_LINE, 17, "CREATE TABLE t (a int)"),
        ("E001", FIRST_BODY_LINE, 42, "CREAT"),
    ]


def test_without_a_character_map_spans_fall_back_to_the_literal() -> None:
    literal = StringValue("CREATE INDEX ix ON t (a)", Span(100, 130), None)
    index = CreateIndex(span=Span(0, 24), statement_span=Span(0, 24), table="t", name="ix", keyword_end=12)
    moved = remap(index, literal)
    assert moved == replace(index, span=Span(100, 130), statement_span=Span(100, 130), keyword_end=None)


def test_python_syntax_error_is_one_e001_at_cpythons_position() -> None:
    text = (
        "from alembic import op\n\n\ndef upgrade():\n    op.create_index('ix', 't', ['a']\n"
        "\n\ndef downgrade():\n    pass\n"
    )
    migration = parse_python("broken.py", text)
    assert [(e.rule, e.message) for e in migration.errors] == [("E001", "Python syntax error: '(' was never closed")]
    assert where(migration) == [("E001", 5, 20, "(")]
    assert migration.changes == []


def test_files_without_ops_or_execute_are_not_parsed() -> None:
    migration = parse_python("util.py", "def f(:\n")  # broken, but holds nothing sqlguard reads
    assert migration.errors == [] and migration.changes == []


def test_dynamic_ops_are_skipped_and_mark_the_body_opaque() -> None:
    body = """\
    for table in ("a", "b"):
        op.create_index(f"ix_{table}", table, ["x"])
    op.create_index("ix_c", "c", ["x"])
    add_audit_columns()
"""
    text = (
        revision_file(body, downgrade="    op.drop_index('ix_c', table_name='c')\n")
        + "\n\ndef add_audit_columns():\n    pass\n"
    )
    migration = parse_python("r.py", text)
    assert [c.name for c in migration.changes if isinstance(c, CreateIndex)] == ["ix_c"]
    assert migration.alembic is not None
    assert migration.alembic.up_opaque and not migration.alembic.down_opaque


def test_revision_facts_and_downgrade_status() -> None:
    text = HEADER.replace("down_revision = None", 'down_revision = ("aaa", "bbb")') + (
        'def upgrade():\n    pass\n\n\ndef downgrade():\n    """Nothing to undo."""\n    raise NotImplementedError\n'
    )
    migration = parse_python("r.py", text)
    assert (migration.revision, migration.down_revision) == ("0001", ("aaa", "bbb"))
    assert migration.alembic is not None and migration.alembic.downgrade == "raises"
    position = LineIndex(text).position(migration.alembic.downgrade_span.start)
    assert (position.line, position.column) == (text.count("\n", 0, text.index("def downgrade")) + 1, 5)


def test_an_executed_commit_ends_the_transaction_for_later_ops() -> None:
    body = """\
    op.create_index("ix_a", "t", ["a"], postgresql_concurrently=True)
    op.execute("COMMIT")
    op.create_index("ix_b", "t", ["b"], postgresql_concurrently=True)
    op.execute("CREATE INDEX CONCURRENTLY ix_c ON t (c)")
    op.execute("BEGIN")
    op.create_index("ix_d", "t", ["d"])
"""
    migration = parse_python("r.py", revision_file(body))
    indexes = [c for c in migration.changes if isinstance(c, CreateIndex)]
    assert [(c.name, c.in_transaction) for c in indexes] == [
        ("ix_a", True),
        ("ix_b", False),
        ("ix_c", False),
        ("ix_d", True),
    ]


def test_create_table_parts_are_located_where_written() -> None:
    body = """\
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.BigInteger(), sa.ForeignKey("customers.id"), index=True),
        sa.Column("placed_at", sa.DateTime()),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_orders_customer"),
        sa.UniqueConstraint("placed_at", name="uq_orders_placed_at"),
        sa.Index("ix_orders_placed_at", "placed_at"),
    )
"""
    migration = parse_python("r.py", revision_file(body))
    text = migration.text
    lines = LineIndex(text)

    def at(span: Span) -> tuple[int, int, str]:
        position = lines.position(span.start)
        return position.line, position.column, text[span.start : span.end][:20]

    table, column_index, table_index = migration.changes
    assert isinstance(table, CreateTable)
    line = FIRST_BODY_LINE
    assert [at(c.span) for c in table.columns] == [
        (line + 2, 9, 'sa.Column("id", sa.I'),
        (line + 3, 9, 'sa.Column("customer_'),
        (line + 4, 9, 'sa.Column("placed_at'),
    ]
    assert [at(c.type.span) for c in table.columns if c.type is not None] == [
        (line + 2, 25, "sa.Integer"),
        (line + 3, 34, "sa.BigInteger()"),
        (line + 4, 32, "sa.DateTime()"),
    ]
    assert table.columns[1].references is not None
    assert at(table.columns[1].references.span) == (line + 3, 51, 'sa.ForeignKey("custo')
    assert [at(c.span) for c in table.constraints] == [
        (line + 5, 9, "sa.ForeignKeyConstra"),
        (line + 6, 9, "sa.UniqueConstraint("),
    ]
    assert isinstance(column_index, CreateIndex) and column_index.name == "ix_orders_customer_id"
    assert at(column_index.span) == (line + 3, 9, 'sa.Column("customer_')
    assert isinstance(table_index, CreateIndex) and table_index.name == "ix_orders_placed_at"
    assert at(table_index.span) == (line + 7, 9, 'sa.Index("ix_orders_')
    assert table.columns[0].autoincrement and table.columns[0].primary_key


def test_an_index_from_index_true_shows_the_create_index_it_stands_for(tmp_path: Path) -> None:
    body = '    op.add_column("orders", sa.Column("status", sa.Text(), index=True))\n'
    report = lint_snippet(tmp_path, revision_file(body), filename="r.py", select=frozenset({"SG004"}))
    assert concise(report) == (
        f'{FIRST_BODY_LINE}:29 SG004 CREATE INDEX on "orders" blocks writes to it until the index is built\n'
        "  help: with op.get_context().autocommit_block():\n"
        '            op.create_index("ix_orders_status", "orders", ["status"], postgresql_concurrently=True)\n'
    )


def test_sql_run_through_the_bind_is_read_too() -> None:
    body = """\
    conn = op.get_bind()
    conn.execute(sa.text("CREATE INDEX ix_a ON t (a)"))
    op.get_bind().execute(sa.text("CREATE INDEX ix_b ON t (b)"))
    other.execute("CREATE INDEX ix_c ON t (c)")
"""
    migration = parse_python("r.py", revision_file(body))
    assert where(migration) == [
        ("CreateIndex", FIRST_BODY_LINE + 1, 27, "CREATE INDEX ix_a ON t ("),
        ("CreateIndex", FIRST_BODY_LINE + 2, 36, "CREATE INDEX ix_b ON t ("),
    ]


def test_sql_with_bound_parameters_is_read_through_bindparams() -> None:
    body = '    op.execute(sa.text("CREATE INDEX ix_a ON t (a) WHERE b = :b").bindparams(b=1))\n'
    migration = parse_python("r.py", revision_file(body))
    assert where(migration) == [("CreateIndex", FIRST_BODY_LINE, 25, "CREATE INDEX ix_a ON t (")]
    assert migration.alembic is not None and not migration.alembic.up_opaque
