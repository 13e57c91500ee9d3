"""SG010: ADD COLUMN ... NOT NULL without a default fails on a table that has rows
(rules/SG010-not-null-column-without-default.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddColumn
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, set_not_null_steps, type_sql


@rule("SG010", on=AddColumn)
def not_null_column_without_default(change: AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    column = change.column
    if not column.not_null or (column.has_default and not column.default_is_null):
        return
    if column.identity or column.generated_stored or (column.type is not None and column.type.is_serial):
        return  # these fill every row themselves (SG011 and SG017 judge the rewrite)
    if ctx.created_here(change.table):
        return
    column_type = f" {type_sql(column.type, change.origin)}" if column.type is not None else ""
    steps = [
        f"ALTER TABLE {qualified(change.table)} ADD COLUMN {ident(column.name)}{column_type};",
        f"-- backfill {column.name} in batches, then:",
        set_not_null_steps(change.table, column.name, ctx.target_version),
    ]
    yield ctx.diagnostic(
        change,
        f'ADD COLUMN "{column.name}" NOT NULL without a default fails on "{change.table}" '
        "as soon as it has a row",
        help=for_origin("\n".join(steps), change.origin),
    )
