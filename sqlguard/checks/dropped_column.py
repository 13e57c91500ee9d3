"""SG032: dropping a column breaks deployed clients that still use it (rules/SG032-dropped-column.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_call, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import DropColumn
from sqlguard.registry import rule


@rule("SG032", on=DropColumn)
def dropped_column(change: DropColumn, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    if ctx.created_here(change.table) or ctx.column_created_here(change.table, change.column):
        return  # nothing deployed knows the table or the column yet
    table, column = change.table, change.column
    yield ctx.diagnostic(
        change,
        f'dropping "{table}"."{column}" breaks every running client that still selects or writes it',
        help=(
            f"# first deploy code that no longer reads or writes {column} (remove it from the model);\n"
            '# then drop it in a later migration:\n' + op_call("drop_column", table, py_str(column))
        )
        if ctx.is_op_call(change)
        else (
            f"-- first deploy code that no longer reads or writes {column}"
            " (ORMs: remove it from the model, or mark it ignored);\n"
            "-- then drop it in a later migration:\n"
            f"ALTER TABLE {qualified(table)} DROP COLUMN {ident(column)};"
        ),
    )
