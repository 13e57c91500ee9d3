"""Rules that depend on what earlier migrations of the same run declared: the old type of a
column (SG013) and a validated NOT NULL check (SG012), at exact line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.config import Config
from sqlguard.diagnostics import FileReport
from sqlguard.engine import Linter
from tests.conftest import concise


def lint_run(tmp_path: Path, files: dict[str, str], rule: str, **config: object) -> list[FileReport]:
    """Lint several migration files in one run (schema state flows from one to the next)."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    linter = Linter(Config(select=frozenset({rule}), **config))  # type: ignore[arg-type]
    return linter.lint_paths([str(tmp_path)]).reports


CREATE = "CREATE TABLE accounts (id integer, code varchar(20), amount numeric(10,2), note text);\n"


@pytest.mark.parametrize(
    "alter",
    [
        "ALTER TABLE accounts ALTER COLUMN code TYPE varchar(50);",
        "ALTER TABLE accounts ALTER COLUMN code TYPE varchar;",
        "ALTER TABLE accounts ALTER COLUMN code TYPE text;",
        "ALTER TABLE accounts ALTER COLUMN amount TYPE numeric(14,2);",
        "ALTER TABLE accounts ALTER COLUMN amount TYPE numeric;",
        "ALTER TABLE accounts ALTER COLUMN note TYPE varchar;",
    ],
)
def test_safe_widening_of_a_known_column_is_silent(tmp_path: Path, alter: str) -> None:
    reports = lint_run(tmp_path, {"001_create.sql": CREATE, "002_alter.sql": alter + "\n"}, "SG013")
    assert [concise(r) for r in reports] == ["", ""]


@pytest.mark.parametrize(
    ("alter", "was"),
    [
        ("ALTER TABLE accounts ALTER COLUMN code TYPE varchar(10);", "from varchar(20) to varchar(10)"),
        ("ALTER TABLE accounts ALTER COLUMN id TYPE bigint;", "from integer to bigint"),
        (
            "ALTER TABLE accounts ALTER COLUMN amount TYPE numeric(12,4);",
            "from numeric(10,2) to numeric(12,4)",
        ),
        ("ALTER TABLE accounts ALTER COLUMN note TYPE varchar(5);", "from text to varchar(5)"),
        ("ALTER TABLE accounts ALTER COLUMN code TYPE text USING trim(code);", "from varchar(20) to text"),
    ],
)
def test_rewriting_change_of_a_known_column_names_the_old_type(tmp_path: Path, alter: str, was: str) -> None:
    reports = lint_run(
        tmp_path, {"001_create.sql": CREATE, "002_alter.sql": "-- change\n" + alter + "\n"}, "SG013"
    )
    output = concise(reports[1])
    assert output.startswith('2:1 SG013 changing "accounts".')
    assert was in output.splitlines()[0]


def test_type_history_follows_order_inside_one_migration(tmp_path: Path) -> None:
    """The second ALTER widens the type the first one set, so only the first rewrites."""
    alter = (
        "ALTER TABLE accounts ALTER COLUMN id TYPE varchar(10);\n"
        "ALTER TABLE accounts ALTER COLUMN id TYPE varchar(30);\n"
    )
    reports = lint_run(tmp_path, {"001_create.sql": CREATE, "002_alter.sql": alter}, "SG013")
    lines = [line for line in concise(reports[1]).splitlines() if "SG013" in line]
    assert [line.split(" ")[0] for line in lines] == ["1:1"]


def test_not_null_proven_in_an_earlier_migration_skips_the_scan(tmp_path: Path) -> None:
    files = {
        "001_create.sql": "CREATE TABLE orders (id bigint, status text);\n",
        "002_check.sql": (
            "ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;\n"
        ),
        "003_validate.sql": "ALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;\n",
        "004_set.sql": "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n",
    }
    reports = lint_run(tmp_path, files, "SG012")
    assert [concise(r) for r in reports] == ["", "", "", ""]


def test_not_null_validated_after_set_not_null_does_not_count(tmp_path: Path) -> None:
    files = {
        "001_create.sql": "CREATE TABLE orders (id bigint, status text);\n",
        "002_set.sql": (
            "ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;\n"
            "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n"
            "ALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;\n"
        ),
    }
    reports = lint_run(tmp_path, files, "SG012")
    assert concise(reports[1]).startswith('2:1 SG012 SET NOT NULL on "orders"."status"')


def test_or_does_not_prove_not_null(tmp_path: Path) -> None:
    text = (
        "ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL OR id < 0);\n"
        "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n"
    )
    reports = lint_run(tmp_path, {"001.sql": text}, "SG012")
    assert concise(reports[0]).startswith("2:1 SG012")


def test_assume_in_transaction_makes_validate_share_the_transaction(tmp_path: Path) -> None:
    text = (
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;\n"
    )
    assert concise(lint_run(tmp_path, {"001.sql": text}, "SG015")[0]) == ""
    (tmp_path / "001.sql").unlink()
    reports = lint_run(tmp_path, {"001.sql": text}, "SG015", assume_in_transaction=True)
    assert concise(reports[0]).startswith("2:1 SG015 VALIDATE CONSTRAINT orders_total_positive")


def test_lock_held_with_assume_in_transaction(tmp_path: Path) -> None:
    text = "ALTER TABLE orders ADD COLUMN note text;\nUPDATE invoices SET total = 0 WHERE total IS NULL;\n"
    assert concise(lint_run(tmp_path, {"001.sql": text}, "SG022")[0]) == ""
    (tmp_path / "001.sql").unlink()
    reports = lint_run(tmp_path, {"001.sql": text}, "SG022", assume_in_transaction=True)
    assert concise(reports[0]).startswith('2:1 SG022 "orders" stays ACCESS EXCLUSIVE locked (since line 1)')


def test_lock_is_released_by_commit(tmp_path: Path) -> None:
    text = "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nBEGIN;\nSELECT 1;\nCOMMIT;\n"
    assert concise(lint_run(tmp_path, {"001.sql": text}, "SG022")[0]) == ""


def test_target_version_from_config_changes_what_fires(tmp_path: Path) -> None:
    text = "ALTER TABLE orders ADD COLUMN priority integer DEFAULT 0;\n"
    assert concise(lint_run(tmp_path, {"001.sql": text}, "SG011", target_version=11)[0]) == ""
    (tmp_path / "001.sql").unlink()
    output = concise(lint_run(tmp_path, {"001.sql": text}, "SG011", target_version=10)[0])
    assert output.startswith("1:31 SG011 before PostgreSQL 11, ADD COLUMN with DEFAULT 0")


def test_drop_index_locks_the_table_the_schema_knows(tmp_path: Path) -> None:
    files = {
        "001_create.sql": "CREATE TABLE orders (id bigint);\nCREATE INDEX orders_id_idx ON orders (id);\n",
        "002_drop.sql": "BEGIN;\nDROP INDEX orders_id_idx;\nCREATE INDEX orders_id2_idx ON orders (id);\nCOMMIT;\n",
    }
    reports = lint_run(tmp_path, files, "SG022")
    assert concise(reports[1]).startswith('3:1 SG022 "orders" stays ACCESS EXCLUSIVE locked (since line 2)')


def test_drop_index_on_the_table_already_locked_is_instant(tmp_path: Path) -> None:
    files = {
        "001_create.sql": "CREATE TABLE orders (note text);\nCREATE INDEX orders_note_idx ON orders (note);\n",
        "002_drop.sql": "BEGIN;\nALTER TABLE orders DROP COLUMN legacy;\nDROP INDEX orders_note_idx;\nCOMMIT;\n",
    }
    assert [concise(report) for report in lint_run(tmp_path, files, "SG022")] == ["", ""]


def test_lock_held_is_reported_once_per_lock_with_the_later_slow_statements(tmp_path: Path) -> None:
    text = (
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n"
        + "UPDATE orders SET note = '' WHERE note IS NULL;\n" * 3
        + "COMMIT;\n"
    )
    output = concise(lint_run(tmp_path, {"001.sql": text}, "SG022")[0])
    assert output.count("SG022") == 1
    assert output.startswith(
        "3:1 SG022 \"orders\" stays ACCESS EXCLUSIVE locked (since line 2)"
        " while this statement and 2 later statements run"
    )


def test_type_sql_is_sql_for_python_sources() -> None:
    from sqlguard.diagnostics import Span
    from sqlguard.model import TypeRef
    from sqlguard.safe_steps import type_sql

    written = TypeRef(name="varchar", args=(50,), span=Span(0, 1), written="sa.String(50)")
    assert type_sql(written, "python") == "varchar(50)"
    assert type_sql(TypeRef(name="varchar", args=(50,), span=Span(0, 1), written="VARCHAR(50)"), "sql") == "VARCHAR(50)"


def test_set_expression_from_pg18_only_for_columns_known_stored(tmp_path: Path) -> None:
    alter = "ALTER TABLE orders ALTER COLUMN total_cents SET EXPRESSION AS (total * 100);\n"
    assert concise(lint_run(tmp_path, {"002.sql": alter}, "SG017", target_version=18)[0]) == ""
    (tmp_path / "002.sql").unlink()
    create = "CREATE TABLE orders (total numeric, total_cents numeric GENERATED ALWAYS AS (total * 100) STORED);\n"
    reports = lint_run(tmp_path, {"001.sql": create, "002.sql": alter}, "SG017", target_version=18)
    assert concise(reports[1]).startswith('1:1 SG017 SET EXPRESSION recomputes "total_cents" for every row')


def test_truncate_holds_its_lock_until_commit(tmp_path: Path) -> None:
    text = "BEGIN;\nTRUNCATE import_rows;\nINSERT INTO import_rows SELECT * FROM staging;\nCOMMIT;\n"
    reports = lint_run(tmp_path, {"001.sql": text}, "SG022")
    assert concise(reports[0]).startswith('3:1 SG022 "import_rows" stays ACCESS EXCLUSIVE locked (since line 2)')


def test_concurrently_after_an_explicit_commit_runs_outside_the_assumed_transaction(tmp_path: Path) -> None:
    text = "ALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_idx ON orders (note);\n"
    assert concise(lint_run(tmp_path, {"001.sql": text}, "SG005", assume_in_transaction=True)[0]) == ""
    (tmp_path / "001.sql").unlink()
    before = "CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);\nCOMMIT;\n"
    output = concise(lint_run(tmp_path, {"001.sql": before}, "SG005", assume_in_transaction=True)[0])
    assert output.startswith("1:1 SG005 CREATE INDEX CONCURRENTLY inside a transaction block fails")
    assert "this file runs in a transaction: move it to a migration your tool runs without one" in output


def test_no_concurrently_fix_under_assume_in_transaction(tmp_path: Path) -> None:
    files = {"001.sql": "CREATE TABLE orders (note text);\n", "002.sql": "CREATE INDEX orders_idx ON orders (note);\n"}
    reports = lint_run(tmp_path, files, "SG004", assume_in_transaction=True)
    assert [d.fix for d in reports[1].diagnostics] == [None]
    assert "-- this file runs in a transaction" in concise(reports[1])
    (tmp_path / "002.sql").unlink()
    (tmp_path / "001.sql").unlink()
    reports = lint_run(tmp_path, files, "SG004")
    assert reports[1].diagnostics[0].fix is not None


def test_integer_foreign_key_added_apart_is_reported_where_the_column_is_declared(tmp_path: Path) -> None:
    files = {
        "001_create.sql": (
            'CREATE TABLE "Share" ("id" bigint PRIMARY KEY, "userId" INTEGER NOT NULL);\n'
            'ALTER TABLE "Share" ADD CONSTRAINT "Share_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id");\n'
        ),
        "002_cascade.sql": (
            'ALTER TABLE "Share" DROP CONSTRAINT "Share_userId_fkey";\n'
            'ALTER TABLE "Share" ADD CONSTRAINT "Share_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id")'
            " ON DELETE CASCADE;\n"
        ),
    }
    first, second = (concise(report) for report in lint_run(tmp_path, files, "SG041"))
    assert first.startswith('2:25 SG041 foreign key "Share"."userId" is integer')
    assert second == ""
