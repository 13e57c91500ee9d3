"""The catalog snapshot sees every object kind the issue lists and compares by name, not by OID."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from sqlguard.verify import backends
from sqlguard.verify.diff import describe, diff_snapshots
from sqlguard.verify.snapshot import Snapshot, take_snapshot

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
