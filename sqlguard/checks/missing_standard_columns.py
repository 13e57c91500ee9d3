"""SG060 (convention): tables without id, created_at and updated_at
(rules/SG060-missing-standard-columns.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import CreateTable
from sqlguard.registry import rule

STANDARD_COLUMNS = {
    "id": "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    "created_at": "created_at timestamptz NOT NULL DEFAULT now()",
    "updated_at": "updated_at timestamptz NOT NULL DEFAULT now()",
}


@rule("SG060", on=CreateTable)
def missing_standard_columns(change: CreateTable, ctx: Context) -> Iterator[Diagnostic]:
    if change.partition_of is not None:
        return  # a partition takes its columns from the parent
    present = {column.name for column in change.columns}
    missing = [name for name in STANDARD_COLUMNS if name not in present]
    if not missing:
        return
    names = ", ".join(missing)
    yield ctx.diagnostic(
        change,
        f'table "{change.table}" has no {names}: rows cannot be addressed, audited or synced the same way as'
        " in every other table",
        help=",\n".join(STANDARD_COLUMNS[name] for name in missing),
    )
