"""MySQL and SQLite through sqlglot: the same changes as PostgreSQL, at the right places, and a
syntax error costs only its own statement."""

from __future__ import annotations

from pathlib import Path

from sqlguard.diagnostics import LineIndex
from sqlguard.frontends.dialects import parse_dialect_file
from sqlguard.model import (
    AddColumn,
    CreateIndex,
    CreateTable,
    DataChange,
    MysqlIndexBuild,
    RenameTable,
    Transaction,
)
from tests.cli.test_exit_codes import run
from tests.conftest import concise, lint_snippet

MYSQL = """-- orders
CREATE TABLE orders (
  id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  placed DATETIME NOT NULL,
  customer_id BIGINT,
  KEY idx_customer (customer_id)
);
ALTER TABLE orders ADD INDEX idx_placed (placed), ALGORITHM=INPLACE, LOCK=NONE;
RENAME TABLE orders TO purchases;
"""


def _at(text: str, offset: int) -> tuple[int, int]:
    position = LineIndex(text).position(offset)
    return position.line, position.column


def test_mysql_table_columns_types_and_keys() -> None:
    migration = parse_dialect_file("m.sql", MYSQL, "mysql")
    table = migration.changes[0]
    assert isinstance(table, CreateTable) and table.table == "orders"
    key, placed, _ = table.columns
    assert key.autoincrement and key.primary_key and key.type is not None and key.type.name == "integer unsigned"
    assert _at(MYSQL, key.span.start) == (3, 3)
    assert placed.type is not None and placed.type.name == "timestamp" and placed.not_null
    assert (placed.type.written, _at(MYSQL, placed.type.span.start)) == ("DATETIME", (4, 10))
    assert _at(MYSQL, table.span.start) == (2, 1), "the statement span skips the leading comment"


def test_mysql_index_builds_carry_their_online_clauses() -> None:
    changes = parse_dialect_file("m.sql", MYSQL, "mysql").changes
    builds = [c for c in changes if isinstance(c, MysqlIndexBuild)]
    assert [(b.name, b.columns, b.algorithm, b.lock) for b in builds] == [
        ("idx_customer", ("customer_id",), None, None),
        ("idx_placed", ("placed",), "INPLACE", "NONE"),
    ]
    rename = changes[-1]
    assert isinstance(rename, RenameTable) and (rename.table, rename.new_name) == ("orders", "purchases")
    assert _at(MYSQL, rename.span.start) == (9, 1)


def test_sqlite_foreign_key_and_index_feed_the_schema_state() -> None:
    text = (
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));\n"
        "CREATE INDEX idx_child_parent ON child (parent_id);\n"
    )
    changes = parse_dialect_file("s.sql", text, "sqlite").changes
    table, index = changes
    assert isinstance(table, CreateTable) and isinstance(index, CreateIndex)
    foreign_key = table.columns[1].references
    assert foreign_key is not None and (foreign_key.ref_table, foreign_key.ref_columns) == ("parent", ("id",))
    assert index.columns == ("parent_id",) and _at(text, index.span.start) == (2, 1)


def test_transactions_and_data_changes() -> None:
    text = "BEGIN;\nUPDATE t SET a = 1, a = 2;\nCOMMIT;\nALTER TABLE t ADD COLUMN b TEXT;\n"
    changes = parse_dialect_file("s.sql", text, "sqlite").changes
    assert [type(c) for c in changes] == [Transaction, DataChange, Transaction, AddColumn]
    update = changes[1]
    assert isinstance(update, DataChange) and update.in_transaction and not update.has_where
    assert [_at(text, span.start) for span in update.assigned_spans] == [(2, 14), (2, 21)]
    assert not changes[3].in_transaction


def test_a_syntax_error_costs_only_its_statement() -> None:
    text = "DROP TABLE a;\nCREATE TABLE (x INT);\nDROP TABLE b;\n"
    migration = parse_dialect_file("s.sql", text, "mysql")
    assert [c.tables for c in migration.changes] == [("a",), ("b",)]  # type: ignore[attr-defined]
    [error] = migration.errors
    assert error.rule == "E001" and _at(text, error.span.start) == (2, 14)


def test_an_unclosed_quote_is_reported_inside_the_text() -> None:
    text = "DROP TABLE a;\nUPDATE t SET a = 'oops;\n"
    migration = parse_dialect_file("s.sql", text, "mysql")
    assert [c.tables for c in migration.changes] == [("a",)]  # type: ignore[attr-defined]
    [error] = migration.errors
    assert _at(text, error.span.start) == (2, 18)


def test_postgres_only_rules_stay_quiet_on_mysql(tmp_path: Path) -> None:
    # SG050 (lock_timeout) and SG004 (CONCURRENTLY) give PostgreSQL advice; on MySQL only rules
    # whose page lists mysql run.
    report = lint_snippet(tmp_path, "ALTER TABLE orders DROP COLUMN note;\n", dialect="mysql")
    assert [d.rule for d in report.diagnostics] == ["SG032"]


def test_cli_dialect_option(tmp_path: Path) -> None:
    path = tmp_path / "0002_index.sql"
    path.write_text("\nCREATE INDEX idx_orders_placed ON orders (placed);\n")
    result = run("lint", str(path), "--dialect", "mysql", "--format", "concise")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f'{path}:2:1: SG065 index build on "orders" without ALGORITHM=INPLACE')
    postgres = run("lint", str(path), "--format", "concise", "--select", "SG065,SG004")
    assert f"{path}:2:1: SG004 " in postgres.stdout and "SG065" not in postgres.stdout


def test_sqlite_page_style_example_renders_like_postgres(tmp_path: Path) -> None:
    report = lint_snippet(tmp_path, "DELETE FROM sessions;\n", dialect="sqlite", select=frozenset({"SG052"}))
    assert concise(report).startswith('1:1 SG052 DELETE from every row of "sessions"')


def test_python_files_keep_their_rules_when_sql_files_are_mysql(tmp_path: Path) -> None:
    # The dialect setting is about .sql files: Python code in the same run is still linted in full.
    code = 'def find(cursor, name):\n    cursor.execute(f"SELECT * FROM users WHERE name = {name}")\n'
    report = lint_snippet(tmp_path, code, filename="repository.py", dialect="mysql")
    assert [d.rule for d in report.diagnostics] == ["SG007"]


def test_mysql_change_column_is_a_rename_and_a_type_change() -> None:
    text = "ALTER TABLE customers CHANGE COLUMN nm name VARCHAR(100), MODIFY email TEXT;\n"
    changes = parse_dialect_file("m.sql", text, "mysql").changes
    assert [type(c).__name__ for c in changes] == ["RenameColumn", "AlterColumnType", "AlterColumnType"]
    rename, changed, modified = changes
    assert (rename.column, rename.new_name) == ("nm", "name")  # type: ignore[attr-defined]
    assert (changed.column, changed.type.name, changed.type.args) == ("name", "varchar", (100,))  # type: ignore[attr-defined]
    assert (modified.column, modified.type.written) == ("email", "TEXT")  # type: ignore[attr-defined]


def test_mysql_index_build_read_from_tokens_with_backticks_and_schema() -> None:
    text = (
        "CREATE UNIQUE INDEX `ix_a` ON `shop`.`orders` (`a`, b(10) DESC, (lower(c))) ALGORITHM = INPLACE, LOCK=NONE;\n"
        "create fulltext index ix_body on notes (body) comment 'lock=none' lock default;\n"
        "CREATE INDEX ix_plain ON shop.orders (placed);\n"
    )
    builds = parse_dialect_file("m.sql", text, "mysql").changes
    assert all(isinstance(b, MysqlIndexBuild) for b in builds)
    assert [(b.table, b.name, b.columns, b.unique, b.algorithm, b.lock) for b in builds] == [  # type: ignore[attr-defined]
        ("shop.orders", "ix_a", ("a", "b"), True, "INPLACE", "NONE"),
        ("notes", "ix_body", ("body",), False, None, "DEFAULT"),
        ("shop.orders", "ix_plain", ("placed",), False, None, None),
    ]
    assert _at(text, builds[1].span.start) == (2, 1)


def test_mysql_rename_table_read_from_tokens() -> None:
    text = "RENAME TABLE `shop`.`orders` TO `shop`.`purchases`, a TO b;\nRENAME TABLE x TO y;\n"
    first, second = parse_dialect_file("m.sql", text, "mysql").changes
    assert isinstance(first, RenameTable) and (first.table, first.new_name) == ("shop.orders", "shop.purchases")
    assert isinstance(second, RenameTable) and (second.table, second.new_name) == ("x", "y")
    assert _at(text, second.span.start) == (2, 1)


def test_column_type_spans_are_token_exact() -> None:
    text = "CREATE TABLE t (\n  a VARCHAR (20) NOT NULL,\n  b DECIMAL(10, 2),\n  `c` enum('x)', 'y'),\n  d INT\n);\n"
    (table,) = parse_dialect_file("m.sql", text, "mysql").changes
    assert isinstance(table, CreateTable)
    written = [(c.type.written, _at(text, c.type.span.start)) for c in table.columns if c.type is not None]
    assert written == [
        ("VARCHAR (20)", (2, 5)),
        ("DECIMAL(10, 2)", (3, 5)),
        ("enum('x)', 'y')", (4, 7)),
        ("INT", (5, 5)),
    ]
