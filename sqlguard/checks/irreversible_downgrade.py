"""SG006: a migration that cannot be rolled back (rules/SG006-irreversible-downgrade.md).

For SQL layouts the facts come from ``Migration.down`` (computed by the SQL file front end from
``sqlguard.layouts``): an up file without its down counterpart, or with an empty one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Span
from sqlguard.model import AddColumn, Change, CreateIndex, CreateTable, Migration
from sqlguard.registry import rule


@rule("SG006", on=Migration)
def irreversible_downgrade(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    if migration.kind == "sql":
        yield from _sql_layout(migration, ctx)


def _sql_layout(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    facts = migration.down
    if facts.layout is None or facts.layout == "flyway" or facts.direction == "down":
        return
    anchor = _line_span(migration.text, facts.anchor)
    undo = _undo_sql(migration.changes)
    if facts.layout == "dbmate":
        if facts.missing:
            message = f"{Path(migration.path).name} has no '-- migrate:down' section: it cannot be rolled back"
        elif facts.empty:
            message = "the '-- migrate:down' section is empty: rolling back does nothing"
        else:
            return
        yield ctx.diagnostic(anchor, message, help=f"-- migrate:down\n{undo}" if undo else None)
        return
    expected = Path(facts.counterpart).name if facts.counterpart else "a down migration"
    if facts.missing:
        message = f"{Path(migration.path).name} has no down migration ({expected} is missing): it cannot be rolled back"
    elif facts.empty:
        message = f"down migration {expected} is empty: rolling back does nothing"
    else:
        return
    yield ctx.diagnostic(anchor, message, help=f"-- {expected}\n{undo}" if undo else None)


def _line_span(text: str, offset: int) -> Span:
    end = text.find("\n", offset)
    return Span(offset, len(text) if end == -1 else end)


def _undo_sql(changes: list[Change]) -> str:
    """A starting point for the down migration: the inverse of what the up creates, last first."""
    statements = []
    for change in reversed(changes):
        if isinstance(change, CreateTable):
            statements.append(f"DROP TABLE {change.table};")
        elif isinstance(change, CreateIndex) and change.name:
            statements.append(f"DROP INDEX {change.name};")
        elif isinstance(change, AddColumn):
            statements.append(f"ALTER TABLE {change.table} DROP COLUMN {change.column.name};")
    return "\n".join(statements)
