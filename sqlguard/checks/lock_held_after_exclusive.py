"""SG022: slow statements that run after an ACCESS EXCLUSIVE lock in the same transaction keep that
lock held while they work (rules/SG022-lock-held-after-exclusive.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, LineIndex
from sqlguard.locks import access_exclusive_tables, add_column_rewrites, is_safe_widening
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    AttachPartition,
    Change,
    Cluster,
    CreateIndex,
    DataChange,
    DropIndex,
    DropTable,
    Migration,
    RawStatement,
    Reindex,
    RenameTable,
    RewriteTable,
    SetNotNull,
    Transaction,
    Vacuum,
    ValidateConstraint,
    unqualified,
)
from sqlguard.registry import rule

# Statements not modelled as changes that work on rows for as long as the data takes.
_SLOW_RAW_KINDS = frozenset(
    {"InsertStmt", "DoStmt", "CopyStmt", "RefreshMatViewStmt", "CallStmt", "CreateTableAsStmt", "LockStmt"}
)


@dataclass
class _Source:
    """A statement that took ACCESS EXCLUSIVE on existing tables, and the slow statements after it."""

    change: Change
    tables: list[str]
    slow: list[Change] = field(default_factory=list)


@rule("SG022", on=Migration)
def lock_held_after_exclusive(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    lines: LineIndex | None = None
    for part in (migration.changes, migration.down_changes):
        for source in _sources(part, ctx):
            if not source.slow:
                continue
            lines = lines or LineIndex(migration.text)
            first = source.slow[0]
            line = lines.position(source.change.statement_span.start).line
            table = source.tables[0]
            others = f" (and {len(source.tables) - 1} more)" if len(source.tables) > 1 else ""
            later = len(source.slow) - 1
            also = f" and {later} later statement{'s' if later > 1 else ''}" if later else ""
            yield ctx.diagnostic(
                first.statement_span,
                f'"{table}"{others} stays ACCESS EXCLUSIVE locked (since line {line}) while this statement{also} '
                f"{'run' if later else 'runs'}: reads and writes on it wait until COMMIT",
                help=_help(table, first),
            )


def _sources(part: list[Change], ctx: Context) -> list[_Source]:
    """Each lock source of one transaction-bound part, with the slow statements run under it.

    A table dropped later is no longer a reason to hurry: nothing can use it after COMMIT, so
    statements after its DROP do not count against the lock taken on it.
    """
    sources: list[_Source] = []
    held: dict[str, _Source] = {}  # locked table -> the source that locked it
    for change in part:
        if not change.in_transaction or (
            isinstance(change, Transaction) and change.kind in ("begin", "commit", "rollback")
        ):
            held.clear()
            continue
        if isinstance(change, Transaction):
            continue  # SAVEPOINT and friends keep every lock
        taken = _locked_tables(change, ctx)
        if _is_slow(change, held, taken, ctx):
            for source in {id(s): s for s in held.values()}.values():
                if source.change.statement_span != change.statement_span:
                    source.slow.append(change)
        if isinstance(change, DropTable):
            for table in change.tables:
                held.pop(unqualified(table), None)
            continue
        if isinstance(change, RenameTable) and unqualified(change.table) in held:
            held[unqualified(change.new_name)] = held[unqualified(change.table)]
        new = [table for table in taken if table not in held]
        if new:
            source = _Source(change, new)
            sources.append(source)
            for table in new:
                held[table] = source
    return sources


def _locked_tables(change: Change, ctx: Context) -> list[str]:
    """Existing tables (not created in this migration) that ``change`` locks ACCESS EXCLUSIVE."""
    tables = list(access_exclusive_tables(change))
    if isinstance(change, DropIndex) and not change.concurrently:
        # A plain DROP INDEX locks its table ACCESS EXCLUSIVE; the schema state knows which.
        tables += [t for t in (ctx.schema.index_table(name) for name in change.names) if t is not None]
    return [unqualified(table) for table in tables if not ctx.created_here(table)]


def _is_slow(change: Change, held: dict[str, _Source], taken: list[str], ctx: Context) -> bool:
    """True when ``change`` takes time while the held locks wait: it works on the rows of an
    existing table (index builds, rewrites, scans, validations, data changes), or it waits for
    a lock on another existing table. Catalog-only statements (renames, comments, grants, types,
    new tables, columns with a constant default) are instant."""
    if any(table not in held for table in taken) and not isinstance(change, DropTable):
        return True
    if isinstance(change, DropTable):
        return any(unqualified(table) not in held and not ctx.created_here(table) for table in change.tables)
    table = _table_of(change)
    if table is not None and ctx.created_here(table):
        return False
    if isinstance(change, CreateIndex):
        return not change.concurrently
    if isinstance(change, AddColumn):
        return add_column_rewrites(change.column, ctx.target_version)
    if isinstance(change, AddConstraint):
        return not change.constraint.not_valid and change.constraint.using_index is None
    if isinstance(change, AlterColumnType):
        old = change.old_type or ctx.schema.column_type_before(
            change.table, change.column, ctx.migration.path, change.span.start
        )
        return change.using is not None or old is None or not is_safe_widening(old, change.type)
    if isinstance(change, SetNotNull):
        return not ctx.schema.not_null_proven(change.table, change.column, ctx.migration.path, change.span.start)
    if isinstance(change, ValidateConstraint | DataChange | RewriteTable | Cluster | AttachPartition):
        return True
    if isinstance(change, Vacuum | Reindex):
        return True
    return isinstance(change, RawStatement) and change.kind in _SLOW_RAW_KINDS


def _table_of(change: Change) -> str | None:
    table = getattr(change, "table", None)
    return table if isinstance(table, str) else None


def _help(table: str, change: Change) -> str:
    if change.origin == "python":
        return (
            f'# release "{table}" first: move this into its own revision (with transaction_per_migration=True\n'
            "# in env.py), or run it in op.get_context().autocommit_block()"
        )
    statement = change.statement if change.statement.endswith(";") else change.statement + ";"
    return f'COMMIT;  -- release "{table}" before running anything else\n{statement}'
