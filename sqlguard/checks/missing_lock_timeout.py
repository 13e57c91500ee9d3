"""SG050: a lock-taking statement with no lock_timeout set waits forever for its lock, and every
query on the table queues behind it (rules/SG050-missing-lock-timeout.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AlterColumnType,
    Change,
    CreateIndex,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    EnableRowLevelSecurity,
    Migration,
    RawStatement,
    Reindex,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    SetSetting,
    Truncate,
    ValidateConstraint,
)
from sqlguard.registry import rule

TIMEOUT = "SET lock_timeout = '5s';"
_TABLE_CHANGES = (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropColumn,
    RenameColumn,
    RenameTable,
    DropConstraint,
    ValidateConstraint,
    EnableRowLevelSecurity,
    CreateIndex,
)


@rule("SG050", on=Migration)
def missing_lock_timeout(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    for change in migration.changes:
        if isinstance(change, SetSetting) and change.name == "lock_timeout":
            if change.value not in (None, "0"):
                return
            continue
        table = _locked_table(change, ctx)
        if table is None:
            continue
        fix = None
        if change.origin == "sql":
            fix = Fix("Set lock_timeout first", (Edit.insert(change.statement_span.start, TIMEOUT + "\n"),), safe=False)
        statement = change.statement if change.statement.endswith(";") else change.statement + ";"
        yield ctx.diagnostic(
            change.statement_span,
            f'this statement waits for a lock on "{table}" with no lock_timeout: queued behind one long query,'
            f' it makes every other query on "{table}" wait too',
            help=_help(change, statement),
            fix=fix,
        )
        return


def _locked_table(change: Change, ctx: Context) -> str | None:
    """The existing table whose lock this change waits for, or None if it takes no such lock."""
    candidates: list[str] = []
    if isinstance(change, _TABLE_CHANGES):
        if isinstance(change, CreateIndex) and change.concurrently:
            return None
        candidates = [change.table]
    elif isinstance(change, DropTable | Truncate):
        candidates = list(change.tables)
    elif isinstance(change, DropIndex | Reindex) and not change.concurrently:
        names = change.names if isinstance(change, DropIndex) else (change.name,) if change.name else ()
        candidates = [ctx.schema.index_table(name) or name for name in names]
    elif isinstance(change, CreateTable):
        candidates = [fk.ref_table for fk in change.foreign_keys()]
    elif isinstance(change, AddEnumValue):
        return None
    elif isinstance(change, RawStatement) and change.kind.startswith("AlterTable."):
        return _raw_alter_table(change)
    return next((table for table in candidates if table and not ctx.created_here(table)), None)


def _raw_alter_table(change: RawStatement) -> str:
    """Unmodelled ALTER TABLE subcommands still lock; name the table as written."""
    words = change.statement.split()
    rest = [w for w in words[2:] if w.upper() not in ("ONLY", "IF", "EXISTS")]
    return rest[0].strip('"') if rest else "table"


def _help(change: Change, statement: str) -> str:
    if change.origin == "python":
        return f'op.execute("{TIMEOUT.rstrip(";")}")  # first in upgrade(): fail fast and retry instead of queueing'
    return f"{TIMEOUT}  -- fail fast and retry instead of queueing\n{statement}"
