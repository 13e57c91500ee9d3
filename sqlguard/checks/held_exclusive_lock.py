"""SG055: statements that run after an ACCESS EXCLUSIVE lock in the same transaction keep the
table locked for their whole duration (rules/SG055-held-exclusive-lock.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, LineIndex
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    Change,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    EnableRowLevelSecurity,
    Migration,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    SetSetting,
    Transaction,
    Truncate,
    unqualified,
)
from sqlguard.registry import rule

_ALTERS = (
    AddColumn,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropColumn,
    RenameColumn,
    RenameTable,
    DropConstraint,
    EnableRowLevelSecurity,
)


_ALTER_PREFIX = re.compile(r"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?\S+\s+", re.IGNORECASE)


@rule("SG055", on=Migration)
def held_exclusive_lock(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    in_transaction = ctx.assume_in_transaction
    held: tuple[str, Change] | None = None
    for change in migration.changes:
        if isinstance(change, Transaction):
            in_transaction = change.kind in ("begin", "savepoint", "release", "rollback_to")
            held = None if not in_transaction else held
            continue
        if not in_transaction and not change.in_transaction:
            continue
        if held is not None and not isinstance(change, SetSetting):
            table, locker = held
            if change.statement_span != locker.statement_span:
                yield _finding(change, table, locker, migration, ctx)
                held = None
                continue
        locked = _exclusively_locked(change, ctx)
        if held is None and locked is not None:
            held = (locked, change)


def _finding(change: Change, table: str, locker: Change, migration: Migration, ctx: Context) -> Diagnostic:
    line = LineIndex(migration.text).position(locker.statement_span.start).line
    same_table = _exclusively_locked(change, ctx) == table and isinstance(change, _ALTERS)
    rest = _ALTER_PREFIX.sub("", change.statement, count=1)
    if same_table and rest != change.statement and locker.statement.upper().startswith("ALTER"):
        help_text = locker.statement.rstrip(";") + ", " + rest.rstrip(";") + ";  -- one statement, one lock"
    elif change.origin == "python":
        help_text = "# move this into its own migration (each migration commits on its own), or do it first"
    else:
        help_text = f"COMMIT;  -- right after the statement on line {line}, so the lock on {table} is released\n"
        help_text += "BEGIN;\n" + change.statement.rstrip(";") + ";"
    return ctx.diagnostic(
        change.statement_span,
        f'this runs while "{table}" is still locked ACCESS EXCLUSIVE by line {line}: every query on "{table}"'
        " waits until COMMIT, for as long as this statement takes",
        help=help_text,
    )


def _exclusively_locked(change: Change, ctx: Context) -> str | None:
    """The existing table this change locks ACCESS EXCLUSIVE, if any."""
    table: str | None = None
    if isinstance(change, _ALTERS) or (isinstance(change, AddConstraint) and change.constraint.kind != "foreign"):
        table = change.table
    elif isinstance(change, DropTable | Truncate) and change.tables:
        table = change.tables[0]
    elif isinstance(change, DropIndex) and not change.concurrently and change.names:
        table = ctx.schema.index_table(change.names[0])
    if table is None or ctx.created_here(table):
        return None
    return unqualified(table)
