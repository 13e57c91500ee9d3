"""SG045: a column declared or assigned twice in one statement makes the migration fail
(rules/SG045-duplicate-column.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Span
from sqlguard.model import AddColumn, CreateTable, DataChange, Migration, RepeatedColumn
from sqlguard.registry import rule


@rule("SG045", on=(CreateTable, AddColumn, DataChange, RepeatedColumn))
def duplicate_column(
    change: CreateTable | AddColumn | DataChange | RepeatedColumn, ctx: Context
) -> Iterator[Diagnostic]:
    if isinstance(change, RepeatedColumn):
        listed = "UPDATE" not in change.clause  # a list of names, not SET assignments
        failure = "specified more than once" if listed else "multiple assignments to same column"
        yield ctx.diagnostic(
            change,
            f'column "{change.name}" is named twice in {change.clause}: the migration fails ({failure})',
            help=f"name {change.name} once",
        )
    elif isinstance(change, CreateTable):
        seen: set[str] = set()
        for column in change.columns:
            if column.name in seen:
                yield ctx.diagnostic(
                    column.span,
                    f'column "{column.name}" is declared twice in CREATE TABLE "{change.table}":'
                    ' the migration fails with "column specified more than once"',
                    help=f"keep one declaration of {column.name}, or give the second column another name",
                )
            seen.add(column.name)
    elif isinstance(change, AddColumn):
        yield from _added_twice(change, ctx)
    else:
        assigned: set[str] = set()
        for name, span in zip(change.assigned, change.assigned_spans, strict=False):
            if name in assigned:
                yield ctx.diagnostic(
                    span,
                    f'column "{name}" is assigned twice in UPDATE "{change.table}":'
                    ' the migration fails with "multiple assignments to same column"',
                    help=f"assign {name} once, combining the two expressions",
                )
            assigned.add(name)


def _added_twice(change: AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    """The second ADD COLUMN of a name within one ALTER TABLE statement."""
    if change.if_not_exists or id(change) not in ctx.memo("SG045-second-adds", lambda: _second_adds(ctx.migration)):
        return
    yield ctx.diagnostic(
        change,
        f'column "{change.column.name}" is added twice in one ALTER TABLE "{change.table}":'
        f' the migration fails with "column already exists"',
        help=f"add {change.column.name} once",
    )


def _second_adds(migration: Migration) -> set[int]:
    """Ids of the ADD COLUMN changes whose name an earlier ADD COLUMN of the same statement added
    (one pass over the file, rather than one per ADD COLUMN)."""
    seen: set[tuple[Span, str]] = set()
    second: set[int] = set()
    for part in (migration.changes, migration.down_changes):
        for other in part:
            if isinstance(other, AddColumn):
                key = (other.statement_span, other.column.name)
                if key in seen:
                    second.add(id(other))
                seen.add(key)
    return second
