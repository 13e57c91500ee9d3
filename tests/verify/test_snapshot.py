"""The catalog snapshot sees every object kind the issue lists and compares by name, not by OID."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from sqlguard.verify import backends
from sqlguard.verify.diff import describe, diff_snapshots
from sqlguard.verify.snapshot import BOOKKEEPING_TABLES, Snapshot, Snapshotter, take_snapshot

BASE = """
CREATE EXTENSION citext;
CREATE SCHEMA billing;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE SEQUENCE billing.invoice_number START 100;
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
"""
TABLES = """
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email citext NOT NULL UNIQUE,
    mood mood DEFAULT 'ok',
    tenant_id bigint
);
CREATE TABLE billing.invoices (
    id bigserial PRIMARY KEY,
    user_id bigint REFERENCES users (id),
    amount positive_int,
    CONSTRAINT amount_small CHECK (amount < 1000000)
);
CREATE INDEX ix_invoices_user_id ON billing.invoices (user_id);
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER users_noop BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION noop();
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON users USING (tenant_id = 1);
"""
SCHEMA = BASE + TABLES


@pytest.fixture
def conn(pg_server: backends.Server) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with backends.scratch_database(pg_server) as conninfo, psycopg.connect(conninfo, autocommit=True) as c:
        yield c


def kinds(snapshot: Snapshot) -> set[str]:
    return {o.kind for o in snapshot.objects}


def test_snapshot_reads_every_object_kind(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(SCHEMA)
    snap = take_snapshot(conn)
    assert kinds(snap) == {
        "schema",
        "table",
        "column",
        "constraint",
        "index",
        "sequence",
        "type",
        "view",
        "function",
        "trigger",
        "policy",
        "extension",
    }
    names = {(o.kind, o.name) for o in snap.objects}
    assert ("index", "billing.ix_invoices_user_id") in names
    assert ("sequence", "billing.invoice_number") in names
    assert ("sequence", "billing.invoices_id_seq") in names  # bigserial's sequence
    assert ("constraint", "amount_small on billing.invoices") in names
    assert ("constraint", "positive_int_check on public.positive_int") in names
    assert ("extension", "citext") in names
    # bookkeeping and extension members stay out
    assert not any("alembic_version" in o.name for o in snap.objects)
    assert not any(o.kind == "function" and "citext" in o.name for o in snap.objects)
    identity = snap.by_key()[("column", "public.users.id")].attrs()
    assert identity["identity"] == "GENERATED ALWAYS"


def test_recreated_objects_compare_equal(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(SCHEMA)
    first = take_snapshot(conn)
    conn.execute("DROP TABLE billing.invoices; DROP VIEW user_emails; DROP TABLE users; DROP FUNCTION noop()")
    assert take_snapshot(conn) != first
    conn.execute(TABLES)  # new OIDs, same names and definitions
    assert take_snapshot(conn) == first


def test_diff_words_changed_missing_and_folded(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute("CREATE TABLE orders (id int PRIMARY KEY, total integer); CREATE TABLE gone (a int, b int)")
    before = take_snapshot(conn)
    conn.execute("ALTER TABLE orders ALTER COLUMN total TYPE bigint; DROP TABLE gone")
    after = take_snapshot(conn)
    lines = [describe(d, "down", "0003_x") for d in diff_snapshots(before, after)]
    assert lines == [
        "table gone is missing after downgrade of 0003_x: it existed before the upgrade"
        " (with 2 dependent objects)",
        "column orders.total differs after downgrade of 0003_x from before the upgrade:"
        " type was integer, now bigint",
    ]
    reup = [describe(d, "re-up", "0003_x") for d in diff_snapshots(after, before)]
    assert reup[0] == (
        "table gone exists after re-upgrade of 0003_x but not after its first upgrade"
        " (with 2 dependent objects)"
    )


# Each statement changes the schema in a way the change log must notice, directly or through what
# depends on it: renames change the text of views and foreign keys that name the object, cascades
# drop objects anchored elsewhere, a detached partition no longer depends on its parent.
INCREMENTAL_STEPS = [
    "CREATE TYPE mood AS ENUM ('sad', 'ok')",
    "CREATE TABLE a (id int PRIMARY KEY, m mood DEFAULT 'ok', x text)",
    "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id))",
    "CREATE INDEX b_a ON b (a_id)",
    "CREATE VIEW v AS SELECT * FROM a",
    "CREATE VIEW v2 AS SELECT id FROM v",
    "ALTER TABLE a RENAME TO a2",
    "ALTER TABLE a2 RENAME COLUMN x TO y",
    "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'",
    "ALTER TYPE mood ADD VALUE 'happy'",
    "COMMENT ON TABLE b IS 'bee'",
    "COMMENT ON COLUMN b.a_id IS 'ref'",
    "DROP INDEX b_a",
    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
    "CREATE TRIGGER t BEFORE UPDATE ON b FOR EACH ROW EXECUTE FUNCTION f()",
    "ALTER TABLE b ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY p ON b USING (id > 0)",
    "DROP POLICY p ON b",
    "DROP TRIGGER t ON b",
    "ALTER TABLE b ALTER COLUMN a_id SET DEFAULT 1",
    "ALTER TABLE b ALTER COLUMN a_id DROP DEFAULT",
    "CREATE SCHEMA s",
    "ALTER TABLE b SET SCHEMA s",
    "ALTER SCHEMA s RENAME TO s2",
    "CREATE SEQUENCE q OWNED BY a2.id",
    "DROP TABLE a2 CASCADE",
    "CREATE EXTENSION citext",
    "ALTER TABLE s2.b ADD COLUMN e citext",
    "DROP EXTENSION citext CASCADE",
    "CREATE DOMAIN pos AS int CHECK (VALUE > 0)",
    "ALTER DOMAIN pos ADD CONSTRAINT big CHECK (VALUE < 100)",
    "CREATE TABLE c (p pos)",
    "DROP DOMAIN pos CASCADE",
    "CREATE TYPE comp AS (x int)",
    "ALTER TYPE comp ADD ATTRIBUTE y text",
    "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one",
    "DROP MATERIALIZED VIEW mv",
    "ALTER TABLE s2.b ADD CONSTRAINT ck CHECK (id > 0)",
    "ALTER TABLE s2.b DROP CONSTRAINT ck",
    "CREATE TABLE part (id int, k int) PARTITION BY RANGE (k)",
    "CREATE TABLE part1 PARTITION OF part FOR VALUES FROM (0) TO (10)",
    "ALTER TABLE part DETACH PARTITION part1",
    "CREATE FUNCTION g(int) RETURNS int LANGUAGE sql AS 'SELECT $1'",
    "CREATE OR REPLACE FUNCTION g(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1'",
    "ALTER FUNCTION g(int) RENAME TO h",
    "DROP SCHEMA s2 CASCADE",
    "CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED, c int GENERATED BY DEFAULT AS IDENTITY)",
    "ALTER TABLE gen ALTER COLUMN c TYPE bigint",
    "ALTER TABLE gen DROP COLUMN b",
]


def test_incremental_snapshots_equal_full_reads(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    snapshots = Snapshotter(conn)
    assert snapshots.incremental  # the session server runs as a superuser: event triggers work
    previous = snapshots.take(None, BOOKKEEPING_TABLES)
    for statement in INCREMENTAL_STEPS:
        conn.execute(statement)
        previous = snapshots.take(previous, BOOKKEEPING_TABLES)
        full = take_snapshot(conn)
        assert set(previous.objects) ^ set(full.objects) == set(), statement


def test_untouched_schema_is_not_read_again(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """A step that touches one table re-reads that table only: the other groups are the same objects."""
    conn.execute("CREATE TABLE one (id int); CREATE TABLE two (id int)")
    snapshots = Snapshotter(conn)
    first = snapshots.take(None, BOOKKEEPING_TABLES)
    conn.execute("ALTER TABLE two ADD COLUMN name text")
    second = snapshots.take(first, BOOKKEEPING_TABLES)
    same = [anchor for anchor, group in second.groups.items() if first.groups.get(anchor) is group]
    changed = [anchor for anchor in second.groups if anchor not in same]
    assert len(same) == len(first.groups) - 1 and len(changed) == 1
    assert snapshots.take(second, BOOKKEEPING_TABLES) is second  # nothing touched: nothing read


def test_partial_read_keeps_long_names(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """A constraint key longer than 63 bytes must come back whole from the partial read too."""
    snapshots = Snapshotter(conn)
    first = snapshots.take(None, BOOKKEEPING_TABLES)
    conn.execute("CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY)")
    second = snapshots.take(first, BOOKKEEPING_TABLES)
    names = {o.name for o in second.objects if o.kind == "constraint"}
    assert names == {"__diesel_schema_migrations_pkey on public.__diesel_schema_migrations"}
