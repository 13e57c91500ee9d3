"""``lint FILE`` reports exactly what ``lint FOLDER`` reports for that file, in every layout.

Each layout gets a generated chain whose later migrations only make sense with the earlier ones:
a foreign key indexed two migrations before it (SG002), a varchar widened from a length set in
the first migration (SG013), a rename of a table created earlier. Linted one file at a time, each
file must get its folder run's findings; with ``--no-context`` some must differ (so the
comparison can fail).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlguard.config import Config
from sqlguard.diagnostics import FileReport
from sqlguard.engine import Linter

UPS = [
    "CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(40));",
    'CREATE TABLE "Orders" (id bigint PRIMARY KEY, "customerId" bigint, code varchar(10));',
    'CREATE INDEX CONCURRENTLY "Orders_customerId_idx" ON "Orders" ("customerId");',
    'ALTER TABLE "Orders" ADD CONSTRAINT orders_customer_fk FOREIGN KEY ("customerId")'
    " REFERENCES customers (id) NOT VALID;",
    'ALTER TABLE "Orders" ALTER COLUMN code TYPE varchar(20);',
    'CREATE INDEX orders_code_idx ON "Orders" (code);',
    "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\nCREATE INDEX notes_body_idx ON notes (body);",
    "ALTER TABLE customers ALTER COLUMN email TYPE varchar(80);",
]
DOWNS = [
    "DROP TABLE customers;",
    'DROP TABLE "Orders";',
    'DROP INDEX CONCURRENTLY "Orders_customerId_idx";',
    'ALTER TABLE "Orders" DROP CONSTRAINT orders_customer_fk;',
    'ALTER TABLE "Orders" ALTER COLUMN code TYPE varchar(10);',
    "DROP INDEX orders_code_idx;",
    "DROP TABLE notes;",
    "ALTER TABLE customers ALTER COLUMN email TYPE varchar(40);",
]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")


def numbered_up_down(root: Path) -> None:
    for number, (up, down) in enumerate(zip(UPS, DOWNS, strict=True), start=1):
        _write(root / f"{number:04d}_step.up.sql", up)
        _write(root / f"{number:04d}_step.down.sql", down)


def folder_per_migration(root: Path) -> None:
    for number, (up, down) in enumerate(zip(UPS, DOWNS, strict=True), start=1):
        _write(root / f"2024010{number}000000_step" / "up.sql", up)
        _write(root / f"2024010{number}000000_step" / "down.sql", down)


def prisma(root: Path) -> None:
    for number, up in enumerate(UPS, start=1):
        _write(root / f"2024010{number}000000_step" / "migration.sql", up)
    _write(root / "migration_lock.toml", 'provider = "postgresql"')


def dbmate(root: Path) -> None:
    for number, (up, down) in enumerate(zip(UPS, DOWNS, strict=True), start=1):
        _write(root / f"2024010{number}_step.sql", f"-- migrate:up transaction:false\n{up}\n\n-- migrate:down\n{down}")


def flyway(root: Path) -> None:
    for number, (up, down) in enumerate(zip(UPS, DOWNS, strict=True), start=1):
        _write(root / f"V{number}__step.sql", up)
        _write(root / f"U{number}__step.sql", down)


def plain_numbered(root: Path) -> None:
    for number, up in enumerate(UPS, start=1):
        _write(root / f"{number}_step.sql", up)


def alembic(root: Path) -> None:
    """A branched graph (two heads merged) whose file names sort against the graph order."""
    revisions = [
        ("f1", None, 'op.create_table("customers", sa.Column("id", sa.BigInteger(), primary_key=True))'),
        ("e2", "f1", 'op.create_table("orders", sa.Column("id", sa.BigInteger(), primary_key=True),'
         ' sa.Column("customer_id", sa.BigInteger()))'),
        ("d3", "e2", 'op.create_index("ix_orders_customer_id", "orders", ["customer_id"])'),
        ("c4", "e2", 'op.create_table("notes", sa.Column("id", sa.BigInteger(), primary_key=True))'),
        ("b5", ("d3", "c4"), 'op.create_foreign_key("fk", "orders", "customers", ["customer_id"], ["id"],'
         " postgresql_not_valid=True)"),
        ("a6", "b5", 'op.create_index("ix_notes_id", "notes", ["id"])'),
    ]
    for number, (revision, down, body) in enumerate(revisions):
        name = f"{revision}_{number}.py"
        _write(
            root / name,
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = {revision!r}\ndown_revision = {down!r}\n\n\n"
            f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass",
        )


LAYOUTS = [numbered_up_down, folder_per_migration, prisma, dbmate, flyway, plain_numbered, alembic]


def _by_path(reports: list[FileReport]) -> dict[str, list[tuple[str, int, str]]]:
    return {r.path: [(d.rule, d.span.start, d.message) for d in r.diagnostics] for r in reports}


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.__name__)
def test_each_file_alone_gets_its_findings_of_the_folder_run(tmp_path: Path, layout) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "migrations"
    layout(root)
    linter = Linter(Config(root=tmp_path))
    whole = _by_path(linter.lint_paths([str(root)]).reports)
    assert len(whole) >= len(UPS) - 2
    differs = 0
    for path, expected in whole.items():
        alone = linter.lint_paths([path])
        assert _by_path(alone.reports) == {path: expected}, path
        without = linter.lint_paths([path], context=False)
        differs += _by_path(without.reports)[path] != expected
    assert differs > 0, "no file needed its chain: the comparison proves nothing"


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.__name__)
def test_the_same_with_the_cache_warm_and_cold(tmp_path: Path, layout) -> None:  # type: ignore[no-untyped-def]
    from sqlguard.cache import ParseCache

    root = tmp_path / "migrations"
    layout(root)
    config = Config(root=tmp_path)
    whole = _by_path(Linter(config).lint_paths([str(root)]).reports)
    for path, expected in whole.items():
        cold = Linter(config, cache=ParseCache(tmp_path / f"cache-{len(path)}", config))
        assert _by_path(cold.lint_paths([path]).reports) == {path: expected}, path
    warm = Linter(config, cache=ParseCache(tmp_path / "cache-shared", config))
    assert _by_path(warm.lint_paths([str(root)]).reports) == whole
    for path, expected in whole.items():
        assert _by_path(warm.lint_paths([path]).reports) == {path: expected}, path
