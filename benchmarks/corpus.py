"""A deterministic corpus of migrations that looks like a real, long-lived project.

``generate(root, sql_files, alembic_revisions)`` writes the same bytes for the same arguments on
every machine (one seeded ``random.Random``, no clock, no hash ordering), so numbers from two runs
compare. The mix follows what large projects hold: mostly small schema changes (create table, add
column, indexes, constraints in the NOT VALID / VALIDATE dance, lock_timeout settings), some data
backfills and PL/pgSQL functions with dollar quotes, a few big seed files, about one file in a
hundred with a syntax error, spread over the layouts sqlguard knows (``N_name.up.sql`` and
``.down.sql`` pairs, ``dir/up.sql`` + ``dir/down.sql``, dbmate sections, plain numbered files), plus
an Alembic history of chained revisions using ``op.*`` calls and ``op.execute`` with SQL strings.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

GENERATOR_VERSION = 2
_TYPES = ("bigint", "integer", "text", "varchar(255)", "timestamptz", "timestamp", "boolean", "jsonb", "numeric(12,2)")
_WORDS = (
    "account", "order", "invoice", "customer", "product", "shipment", "payment", "tenant", "user",
    "session", "event", "audit", "price", "coupon", "address", "review", "cart", "refund", "ticket",
)


class _Project:
    """The tables made so far, so later migrations reference real tables and columns."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tables: dict[str, list[str]] = {}
        self.serial = 0

    def new_name(self, stem: str) -> str:
        self.serial += 1
        return f"{stem}_{self.serial}"

    def table(self) -> str:
        return self.rng.choice(list(self.tables)) if self.tables else "accounts"

    def column(self, table: str) -> str:
        return self.rng.choice(self.tables.get(table) or ["id"])


def _create_table(p: _Project) -> tuple[str, str]:
    rng = p.rng
    name = p.new_name(rng.choice(_WORDS) + "s")
    columns = ["    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
    names = ["id"]
    for _ in range(rng.randint(3, 12)):
        column = p.new_name(rng.choice(_WORDS))
        kind = rng.choice(_TYPES)
        extra = rng.choice(("", " NOT NULL", " DEFAULT now()" if kind.startswith("timestamp") else "", ""))
        columns.append(f"    {column} {kind}{extra}")
        names.append(column)
    if p.tables and rng.random() < 0.6:
        parent = p.table()
        columns.append(f"    {parent}_id bigint NOT NULL REFERENCES {parent} (id)")
        names.append(f"{parent}_id")
    columns.append("    created_at timestamptz NOT NULL DEFAULT now()")
    names.append("created_at")
    p.tables[name] = names
    up = f"-- Create {name}\nCREATE TABLE {name} (\n" + ",\n".join(columns) + "\n);\n"
    if rng.random() < 0.5:
        up += f"CREATE INDEX idx_{name}_created ON {name} (created_at);\n"
    return up, f"DROP TABLE {name};\n"


def _add_column(p: _Project) -> tuple[str, str]:
    table = p.table()
    column = p.new_name(p.rng.choice(_WORDS))
    p.tables.setdefault(table, ["id"]).append(column)
    default = p.rng.choice(("", " DEFAULT 0", " DEFAULT now()", " NOT NULL DEFAULT ''"))
    kind = {" DEFAULT 0": "integer", " DEFAULT now()": "timestamptz"}.get(default, "text")
    up = f"SET lock_timeout = '2s';\nALTER TABLE {table} ADD COLUMN {column} {kind}{default};\n"
    return up, f"ALTER TABLE {table} DROP COLUMN {column};\n"


def _index(p: _Project) -> tuple[str, str]:
    table = p.table()
    column = p.column(table)
    name = p.new_name(f"idx_{table}_{column}")[:63]
    concurrently = " CONCURRENTLY" if p.rng.random() < 0.5 else ""
    unique = "UNIQUE " if p.rng.random() < 0.1 else ""
    up = f"CREATE {unique}INDEX{concurrently} IF NOT EXISTS {name} ON {table} ({column});\n"
    return up, f"DROP INDEX{concurrently} IF EXISTS {name};\n"


def _foreign_key(p: _Project) -> tuple[str, str]:
    table, parent = p.table(), p.table()
    column = p.new_name(f"{parent}_ref")
    name = p.new_name(f"fk_{table}")[:63]
    up = (
        f"ALTER TABLE {table} ADD COLUMN {column} bigint;\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {parent} (id) NOT VALID;\n"
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};\n"
    )
    return up, f"ALTER TABLE {table} DROP CONSTRAINT {name};\nALTER TABLE {table} DROP COLUMN {column};\n"


def _backfill(p: _Project) -> tuple[str, str]:
    table = p.table()
    column = p.column(table)
    up = (
        "BEGIN;\n"
        f"UPDATE {table} SET {column} = {column} WHERE id IN (\n"
        f"    SELECT id FROM {table} WHERE {column} IS NULL ORDER BY id LIMIT 10000\n);\n"
        "COMMIT;\n"
    )
    return up, "-- nothing to undo for a backfill\nSELECT 1;\n"


def _function(p: _Project) -> tuple[str, str]:
    table = p.table()
    name = p.new_name(f"touch_{table}")
    up = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n    NEW.created_at := coalesce(NEW.created_at, now());\n    RETURN NEW;\nEND;\n$$;\n"
        f"CREATE TRIGGER {name}_trg BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();\n"
    )
    return up, f"DROP TRIGGER {name}_trg ON {table};\nDROP FUNCTION {name}();\n"


def _seed(p: _Project) -> tuple[str, str]:
    table = p.new_name("lookup")
    p.tables[table] = ["id", "code", "label"]
    rows = ",\n".join(f"    ({i}, 'code_{i}', 'Label number {i} for {table}')" for i in range(p.rng.randint(200, 1500)))
    up = f"CREATE TABLE {table} (id bigint PRIMARY KEY, code text NOT NULL, label text);\n"
    up += f"INSERT INTO {table} (id, code, label) VALUES\n{rows};\n"
    return up, f"DROP TABLE {table};\n"


def _alter_misc(p: _Project) -> tuple[str, str]:
    table = p.table()
    column = p.column(table)
    choice = p.rng.randrange(4)
    if choice == 0:
        return f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;\n", (
            f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;\n"
        )
    if choice == 1:
        return f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text;\n", "SELECT 1;\n"
    if choice == 2:
        view = p.new_name(f"v_{table}")
        return (
            f"CREATE VIEW {view} AS\n    SELECT id, {column} FROM {table} WHERE id > 0;\n",
            f"DROP VIEW {view};\n",
        )
    enum = p.new_name("status")
    return f"CREATE TYPE {enum} AS ENUM ('new', 'active', 'closed');\n", f"DROP TYPE {enum};\n"


_KINDS = (
    (_create_table, 25), (_add_column, 22), (_index, 18), (_foreign_key, 10), (_backfill, 6),
    (_function, 6), (_alter_misc, 12), (_seed, 1),
)


def _migration(p: _Project) -> tuple[str, str]:
    """One migration: one to four changes, like a real pull request's migration."""
    makers = [maker for maker, _ in _KINDS]
    weights = [weight for _, weight in _KINDS]
    ups, downs = [], []
    for _ in range(p.rng.choice((1, 1, 1, 2, 2, 3, 4))):
        up, down = p.rng.choices(makers, weights)[0](p)
        ups.append(up)
        downs.insert(0, down)
    up = "\n".join(ups)
    if p.rng.random() < 0.01:  # a typo that made it into a branch
        up = up.replace("TABLE", "TABEL", 1) if "TABLE" in up else up + "SELEC 1;\n"
    return up, "".join(downs)


def generate(root: Path, sql_files: int, alembic_revisions: int) -> dict[str, int]:
    """Write the corpus under ``root`` (replacing it) and return file counts and bytes."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(20261125)
    project = _Project(rng)
    sql_root = root / "sql"
    written = 0
    step = 0
    total_bytes = 0
    while written < sql_files:
        step += 1
        up, down = _migration(project)
        name = f"{step:05d}_{project.rng.choice(_WORDS)}"
        layout = step % 10
        if layout < 5 and written + 2 <= sql_files:  # N_name.up.sql + N_name.down.sql
            files = {sql_root / "updown" / f"{name}.up.sql": up, sql_root / "updown" / f"{name}.down.sql": down}
        elif layout < 7 and written + 2 <= sql_files:  # dir/up.sql + dir/down.sql
            files = {sql_root / "dirs" / name / "up.sql": up, sql_root / "dirs" / name / "down.sql": down}
        elif layout < 9:  # dbmate: both directions in one file
            text = f"-- migrate:up\n{up}\n-- migrate:down\n{down}"
            files = {sql_root / "dbmate" / f"{name}.sql": text}
        else:  # a plain numbered script
            files = {sql_root / "plain" / f"{name}.sql": up}
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            total_bytes += len(text.encode("utf-8"))
        written += len(files)
    alembic_bytes = _alembic(root / "alembic" / "versions", alembic_revisions, project)
    return {"sql_files": written, "sql_bytes": total_bytes, "alembic_files": alembic_revisions,
            "alembic_bytes": alembic_bytes}


def _alembic(folder: Path, revisions: int, p: _Project) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    previous = None
    for _ in range(revisions):
        revision = f"{p.rng.getrandbits(48):012x}"
        table = p.new_name(p.rng.choice(_WORDS) + "s")
        parent = p.table()
        p.tables[table] = ["id", "name", f"{parent}_id"]
        body = [
            f'    op.create_table(\n        "{table}",\n'
            '        sa.Column("id", sa.BigInteger(), primary_key=True),\n'
            '        sa.Column("name", sa.Text(), nullable=False),\n'
            f'        sa.Column("{parent}_id", sa.BigInteger(), sa.ForeignKey("{parent}.id")),\n'
            '        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),\n'
            "    )",
            f'    op.create_index("ix_{table}_name", "{table}", ["name"])',
        ]
        if p.rng.random() < 0.4:
            body.append(f'    op.execute("UPDATE {parent} SET id = id WHERE id < 0")')
        if p.rng.random() < 0.3:
            body.append(f'    op.add_column("{parent}", sa.Column("{table}_count", sa.Integer(), nullable=True))')
        text = (
            f'"""create {table}\n\nRevision ID: {revision}\nRevises: {previous or ""}\n"""\n'
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f'revision = "{revision}"\ndown_revision = {f"{previous!r}" if previous else "None"}\n'
            "branch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade() -> None:\n" + "\n".join(body) + "\n\n\n"
            f'def downgrade() -> None:\n    op.drop_index("ix_{table}_name", table_name="{table}")\n'
            f'    op.drop_table("{table}")\n'
        )
        path = folder / f"{revision}_create_{table}.py"  # Alembic's naming: file order is not chain order
        path.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
        previous = revision
    return total
