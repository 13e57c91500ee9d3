"""SG022: statements that run after an ACCESS EXCLUSIVE lock in the same transaction keep that lock
held (rules/SG022-lock-held-after-exclusive.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, LineIndex, Span
from sqlguard.locks import access_exclusive_tables
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    Change,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    Migration,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetSetting,
    Transaction,
    unqualified,
)
from sqlguard.registry import rule

_CATALOG_ONLY = (
    AddColumn,
    AddConstraint,
    DropColumn,
    DropConstraint,
    DropNotNull,
    RenameColumn,
    RenameTable,
    SetDefault,
)


@rule("SG022", on=Migration)
def lock_held_after_exclusive(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    lines: LineIndex | None = None
    for part in (migration.changes, migration.down_changes):
        locked: dict[str, Change] = {}
        reported: set[Span] = set()
        for change in part:
            if not change.in_transaction or (
                isinstance(change, Transaction) and change.kind in ("begin", "commit", "rollback")
            ):
                locked.clear()
                continue
            if isinstance(change, Transaction):
                continue  # SAVEPOINT and friends keep every lock
            held = {t: c for t, c in locked.items() if c.statement_span != change.statement_span}
            quick = isinstance(change, SetSetting) or _catalog_only_on(change, locked)
            if held and not quick and change.statement_span not in reported:
                reported.add(change.statement_span)
                lines = lines or LineIndex(migration.text)
                table, first = next(iter(held.items()))
                line = lines.position(first.statement_span.start).line
                others = f" (and {len(held) - 1} more)" if len(held) > 1 else ""
                yield ctx.diagnostic(
                    change.statement_span,
                    f'"{table}"{others} stays ACCESS EXCLUSIVE locked (since line {line}) while this '
                    "statement runs: reads and writes on it wait until COMMIT",
                    help=_help(table, change),
                )
            for table in (*access_exclusive_tables(change), *_dropped_index_tables(change, ctx)):
                if not ctx.created_here(table):
                    locked.setdefault(unqualified(table), change)


def _catalog_only_on(change: Change, locked: dict[str, Change]) -> bool:
    """A change that only edits the catalog of a table already locked adds no waiting time.

    Several quick ALTERs on one table in one transaction are the usual way to write them; what
    extends the lock is work on rows (scans, rewrites, backfills) or locking another table.
    """
    if not isinstance(change, _CATALOG_ONLY) or unqualified(change.table) not in locked:
        return False
    if isinstance(change, AddColumn):
        column = change.column
        return not (
            (column.has_default and not column.default_is_null)
            or column.generated_stored
            or column.identity
            or (column.type is not None and column.type.is_serial)
            or column.primary_key
            or column.unique
            or column.references is not None
        )
    if isinstance(change, AddConstraint):
        return change.constraint.not_valid or change.constraint.using_index is not None
    return True


def _dropped_index_tables(change: Change, ctx: Context) -> tuple[str, ...]:
    """A plain DROP INDEX locks its table ACCESS EXCLUSIVE; the schema state knows which table."""
    if not isinstance(change, DropIndex) or change.concurrently:
        return ()
    tables = (ctx.schema.index_table(name) for name in change.names)
    return tuple(table for table in tables if table is not None)


def _help(table: str, change: Change) -> str:
    if change.origin == "python":
        return (
            f'# release "{table}" first: move this into its own revision (with transaction_per_migration=True\n'
            "# in env.py), or run it in op.get_context().autocommit_block()"
        )
    statement = change.statement if change.statement.endswith(";") else change.statement + ";"
    return f'COMMIT;  -- release "{table}" before running anything else\n{statement}'
