"""SG053 (opt-in): CREATE/DROP without IF [NOT] EXISTS fails when a migration is re-run
(rules/SG053-missing-if-exists.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddColumn, Change, CreateIndex, CreateTable, DropColumn, DropIndex, DropTable
from sqlguard.registry import rule


@rule("SG053", on=(CreateTable, CreateIndex, DropTable, DropIndex, AddColumn, DropColumn))
def missing_if_exists(
    change: CreateTable | CreateIndex | DropTable | DropIndex | AddColumn | DropColumn, ctx: Context
) -> Iterator[Diagnostic]:
    if change.if_not_exists if isinstance(change, CreateTable | CreateIndex | AddColumn) else change.if_exists:
        return
    if isinstance(change, CreateIndex) and change.name is None:
        return  # an unnamed index cannot say IF NOT EXISTS
    clause = " IF NOT EXISTS" if isinstance(change, CreateTable | CreateIndex | AddColumn) else " IF EXISTS"
    at = _insert_at(change)
    fix = Fix(f"Add{clause}", (Edit.insert(at, clause),)) if at is not None and change.origin == "sql" else None
    if fix is not None:
        help_sql = ctx.statement_with(change, fix)
    elif change.origin == "python":
        help_sql = "pass if_not_exists=True" if "NOT" in clause else "pass if_exists=True"
    else:
        help_sql = f"add{clause} to this statement"
    state = "already exists" if "NOT" in clause else "is already gone"
    yield ctx.diagnostic(
        change, f"re-running this migration fails here: {_object(change)} {state} by then", help=help_sql, fix=fix
    )


def _object(change: CreateTable | CreateIndex | DropTable | DropIndex | AddColumn | DropColumn) -> str:
    if isinstance(change, CreateTable):
        return f'table "{change.table}"'
    if isinstance(change, DropTable):
        return "table " + ", ".join(f'"{table}"' for table in change.tables)
    if isinstance(change, CreateIndex):
        return f'index "{change.name}"'
    if isinstance(change, DropIndex):
        return "index " + ", ".join(f'"{name}"' for name in change.names)
    column = change.column.name if isinstance(change, AddColumn) else change.column
    return f'column "{change.table}"."{column}"'


def _insert_at(change: Change) -> int | None:
    """File offset where the IF [NOT] EXISTS clause goes, after the keyword the front end located."""
    if isinstance(change, CreateIndex | DropIndex):
        return change.if_exists_at  # the front end's token offset after INDEX [CONCURRENTLY]
    if isinstance(change, CreateTable | DropTable | AddColumn | DropColumn):
        return change.keyword_end
    return None
