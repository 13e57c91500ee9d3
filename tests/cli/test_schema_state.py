"""Schema-aware rules across statements and files of one run (SG002 and SG004)."""

from __future__ import annotations

from pathlib import Path

from sqlguard.config import Config
from sqlguard.engine import Linter


def lint_folder(folder: Path, files: dict[str, str], rule: str) -> list[tuple[str, int, str]]:
    for name, code in files.items():
        (folder / name).write_text(code)
    result = Linter(Config(select=frozenset({rule}))).lint_paths([str(folder)])
    return [
        (Path(r.path).name, r.lines.position(d.span.start).line, d.rule) for r in result.reports for d in r.diagnostics
    ]


def test_index_in_an_earlier_file_covers_the_foreign_key(tmp_path: Path) -> None:
    found = lint_folder(
        tmp_path,
        {
            "1_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n"
            "CREATE INDEX orders_customer_idx ON orders (customer_id);\n",
            "2_fk.sql": "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\n",
        },
        "SG002",
    )
    assert found == []


def test_index_in_a_later_file_does_not_count(tmp_path: Path) -> None:
    found = lint_folder(
        tmp_path,
        {
            "1_fk.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);\n",
            "2_index.sql": "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n",
        },
        "SG002",
    )
    assert found == [("1_fk.sql", 1, "SG002")]


def test_files_run_in_natural_order(tmp_path: Path) -> None:
    found = lint_folder(
        tmp_path,
        {
            "2_index.sql": "CREATE INDEX orders_customer_idx ON orders (customer_id);\n",
            "10_fk.sql": "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\n",
        },
        "SG002",
    )
    assert found == [], "2_index.sql runs before 10_fk.sql"


def test_dropped_index_no_longer_covers(tmp_path: Path) -> None:
    found = lint_folder(
        tmp_path,
        {
            "1.sql": "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n",
            "2.sql": "DROP INDEX CONCURRENTLY orders_customer_idx;\n"
            "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\n",
        },
        "SG002",
    )
    assert found == [("2.sql", 2, "SG002")]


def test_table_created_in_an_earlier_file_is_not_new(tmp_path: Path) -> None:
    found = lint_folder(
        tmp_path,
        {
            "1.sql": "CREATE TABLE events (id bigint PRIMARY KEY, kind text);\n"
            "CREATE INDEX events_kind_idx ON events (kind);\n",
            "2.sql": "CREATE INDEX events_id_kind_idx ON events (id, kind);\nDROP INDEX events_kind_idx;\n",
        },
        "SG004",
    )
    assert found == [("2.sql", 1, "SG004"), ("2.sql", 2, "SG004")]


def test_dropping_an_index_made_in_the_same_file_is_fine(tmp_path: Path) -> None:
    found = lint_folder(
        tmp_path,
        {"1.sql": "CREATE TABLE e (id bigint);\nCREATE INDEX e_idx ON e (id);\nDROP INDEX e_idx;\nREINDEX TABLE e;\n"},
        "SG004",
    )
    assert found == []
