"""SG044: PostgreSQL silently cuts identifiers to 63 bytes (rules/SG044-identifier-too-long.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Span
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    Change,
    CreateIndex,
    CreateTable,
    DropIndex,
    DropObject,
    DropSchema,
    DropTable,
    LongIdentifier,
    RawStatement,
    RenameColumn,
    RenameTable,
)
from sqlguard.registry import rule

MAX_BYTES = 63  # NAMEDATALEN - 1


@rule("SG044", on=(LongIdentifier, CreateTable, CreateIndex, AddColumn, AddConstraint, RenameColumn, RenameTable))
def identifier_too_long(change: Change, ctx: Context) -> Iterator[Diagnostic]:
    if isinstance(change, LongIdentifier):
        if not _only_drops(change, ctx):
            yield _finding(change, change.name, ctx)
        return
    # SQL text reports its long names as LongIdentifier (parsers hand back the cut name); names
    # in Alembic op calls arrive whole, so they are measured here.
    if not ctx.is_op_call(change):
        return
    for name in _names(change):
        if len(name.encode("utf-8")) > MAX_BYTES:
            yield _finding(change, name, ctx)


def _only_drops(change: LongIdentifier, ctx: Context) -> bool:
    """A long name in a DROP names the object PostgreSQL made from it the same cut way, so the
    statement works: only names that create or rename an object hide what it is called."""
    drops = ctx.memo("SG044-drop-statements", lambda: _drop_statements(ctx))
    return change.statement_span in drops


def _drop_statements(ctx: Context) -> set[Span]:
    return {
        other.statement_span
        for other in (*ctx.migration.changes, *ctx.migration.down_changes)
        if isinstance(other, DropIndex | DropTable | DropSchema | DropObject)
        or (isinstance(other, RawStatement) and other.kind == "DropStmt")
    }


def _finding(change: Change, name: str, ctx: Context) -> Diagnostic:
    encoded = name.encode("utf-8")
    truncated = encoded[:MAX_BYTES].decode("utf-8", errors="ignore")
    return ctx.diagnostic(
        change,
        f"identifier is {len(encoded)} bytes: PostgreSQL silently truncates it to 63, so the object is named"
        f' "{truncated}" and two long names that share those 63 bytes collide',
        help=f"a name of at most 63 bytes, e.g. {truncated[:55].rstrip('_')}",
    )


def _names(change: Change) -> Iterator[str]:
    if isinstance(change, CreateTable):
        yield change.table.rsplit(".", 1)[-1]
        yield from (column.name for column in change.columns)
        yield from (constraint.name for constraint in change.constraints if constraint.name)
    elif isinstance(change, CreateIndex) and change.name and not change.invented_name:
        yield change.name
    elif isinstance(change, AddColumn):
        yield change.column.name
    elif isinstance(change, AddConstraint) and change.constraint.name:
        yield change.constraint.name
    elif isinstance(change, RenameColumn | RenameTable):
        yield change.new_name.rsplit(".", 1)[-1]
