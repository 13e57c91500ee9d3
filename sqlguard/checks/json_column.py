"""SG042: json stores text and reparses it on every use; jsonb is what queries need
(rules/SG042-json-column.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddColumn, AlterColumnType, CreateTable, TypeRef
from sqlguard.registry import rule


@rule("SG042", on=(CreateTable, AddColumn, AlterColumnType))
def json_column(change: CreateTable | AddColumn | AlterColumnType, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a downgrade restores the types the schema had: the choice was made before
    declared: list[tuple[str, str, TypeRef | None]]
    if isinstance(change, AlterColumnType):
        declared = [(change.table, change.column, change.type)]
    else:
        declared = [(table, column.name, column.type) for table, column in change.columns_declared()]
    for table, name, type_ref in declared:
        if type_ref is None or type_ref.name != "json":
            continue
        replacement = "jsonb[]" if type_ref.array else "jsonb"
        fix = None
        if change.origin == "sql":
            fix = Fix("Use jsonb", (Edit.replace(type_ref.span, replacement),), safe=False)
        yield ctx.diagnostic(
            type_ref.span,
            f'"{table}"."{name}" is json: it has no equality operator (DISTINCT, GROUP BY and UNIQUE fail),'
            " cannot be indexed with GIN, and is reparsed on every read",
            help=f'sa.Column("{name}", postgresql.JSONB())' if ctx.is_op_call(change) else f"{name} {replacement}",
            fix=fix,
        )
