"""SG022: statements that run after an ACCESS EXCLUSIVE lock in the same transaction keep that lock
held (rules/SG022-lock-held-after-exclusive.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, LineIndex, Span
from sqlguard.locks import access_exclusive_tables
from sqlguard.model import Change, DropIndex, Migration, SetSetting, Transaction, unqualified
from sqlguard.registry import rule


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
            if held and not isinstance(change, SetSetting) and change.statement_span not in reported:
                reported.add(change.statement_span)
                lines = lines or LineIndex(migration.text)
                table, first = next(iter(held.items()))
                line = lines.position(first.statement_span.start).line
                others = f" (and {len(held) - 1} more)" if len(held) > 1 else ""
                yield ctx.diagnostic(
                    change.statement_span,
                    f'"{table}"{others} stays ACCESS EXCLUSIVE locked (since line {line}) while this '
                    "statement runs: reads and writes on it wait until COMMIT",
                    help=f'COMMIT;  -- release "{table}" before running anything else\n'
                    + (change.statement if change.statement.endswith(";") else change.statement + ";"),
                )
            for table in (*access_exclusive_tables(change), *_dropped_index_tables(change, ctx)):
                if not ctx.created_here(table):
                    locked.setdefault(unqualified(table), change)


def _dropped_index_tables(change: Change, ctx: Context) -> tuple[str, ...]:
    """A plain DROP INDEX locks its table ACCESS EXCLUSIVE; the schema state knows which table."""
    if not isinstance(change, DropIndex) or change.concurrently:
        return ()
    tables = (ctx.schema.index_table(name) for name in change.names)
    return tuple(table for table in tables if table is not None)
