"""SG054 (opt-in): a table named without its schema resolves through search_path
(rules/SG054-unqualified-table.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    Change,
    CreateIndex,
    CreateTable,
    DataChange,
    DropColumn,
    DropNotNull,
    DropTable,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Truncate,
)
from sqlguard.registry import rule

_SUBJECTS = (
    CreateTable,
    CreateIndex,
    DropTable,
    Truncate,
    DataChange,
    RenameTable,
    RenameColumn,
    AddColumn,
    AddConstraint,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropColumn,
)


@rule("SG054", on=_SUBJECTS)
def unqualified_table(change: Change, ctx: Context) -> Iterator[Diagnostic]:
    if change.origin != "sql":
        return
    for table in _tables(change):
        if "." in table or table in change.qualified_names:
            continue
        yield ctx.diagnostic(
            change.statement_span,
            f'"{table}" is not schema-qualified: it resolves through search_path,'
            " so the migration acts on whichever schema comes first for the role that runs it",
            help=f"name the schema: public.{table} (or the schema you mean)",
        )
        return


def _tables(change: Change) -> tuple[str, ...]:
    if isinstance(change, DropTable | Truncate):
        return change.tables
    table = getattr(change, "table", "")
    return (table,) if isinstance(table, str) and table else ()
