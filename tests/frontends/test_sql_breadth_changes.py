"""The pglast front end's breadth changes: drops of schemas and databases, TRUNCATE, ADD VALUE,
UPDATE/DELETE with their SET targets, row-level security, views, and identifiers over 63 bytes."""

from __future__ import annotations

from sqlguard.frontends import sql
from sqlguard.model import (
    AddEnumValue,
    CreateView,
    DataChange,
    DropDatabase,
    DropSchema,
    EnableRowLevelSecurity,
    LongIdentifier,
    Truncate,
)


def test_breaking_and_data_statements_become_changes() -> None:
    text = (
        "DROP SCHEMA IF EXISTS a, b CASCADE; DROP DATABASE d; TRUNCATE public.x, s.y CASCADE;\n"
        "ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'calm' AFTER 'sad'; CREATE OR REPLACE VIEW v AS SELECT 1;\n"
        "ALTER TABLE t FORCE ROW LEVEL SECURITY; DELETE FROM t WHERE id = 1;\n"
    )
    schema, database, truncate, enum, view, rls, delete = sql.parse(text).changes
    assert isinstance(schema, DropSchema) and (schema.names, schema.if_exists, schema.cascade) == (
        ("a", "b"),
        True,
        True,
    )
    assert isinstance(database, DropDatabase) and database.name == "d"
    assert isinstance(truncate, Truncate) and (truncate.tables, truncate.cascade) == (("x", "s.y"), True)
    assert isinstance(enum, AddEnumValue) and (enum.type_name, enum.value, enum.if_not_exists) == (
        "app.mood",
        "calm",
        True,
    )
    assert isinstance(view, CreateView) and view.or_replace and view.name == "v"
    assert isinstance(rls, EnableRowLevelSecurity) and rls.force and rls.table == "t"
    assert isinstance(delete, DataChange) and delete.kind == "delete" and delete.has_where


def test_update_set_targets_keep_their_places_including_quoted_names() -> None:
    text = 'UPDATE t SET a = 1, "B" = 2, a = 3'
    [update] = sql.parse(text).changes
    assert isinstance(update, DataChange) and update.assigned == ("a", "B", "a")
    assert [text[s.start : s.end] for s in update.assigned_spans] == ["a", '"B"', "a"]


def test_long_identifiers_are_recorded_as_written_with_the_name_truncated_by_bytes() -> None:
    long_plain = "Order_" + "x" * 60
    long_quoted = '"' + "é" * 32 + '""q"'
    text = f"CREATE TABLE {long_plain} ({long_quoted} int, short int);"
    changes = sql.parse(text).changes
    plain, quoted = (c for c in changes if isinstance(c, LongIdentifier))
    assert text[plain.span.start : plain.span.end] == long_plain
    assert plain.name == long_plain.lower() and plain.truncated == long_plain.lower()[:63]
    assert text[quoted.span.start : quoted.span.end] == long_quoted
    assert quoted.name == "é" * 32 + '"q' and len(quoted.truncated.encode()) == 62  # no half character
    assert changes[-1].statement == text.rstrip(";")
