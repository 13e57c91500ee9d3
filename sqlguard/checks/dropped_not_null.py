"""SG036: DROP NOT NULL lets NULLs into a column that clients assume is always set
(rules/SG036-dropped-not-null.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_call, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import DropNotNull
from sqlguard.registry import rule


@rule("SG036", on=DropNotNull)
def dropped_not_null(change: DropNotNull, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    if ctx.created_here(change.table):
        return
    table, column = change.table, change.column
    yield ctx.diagnostic(
        change,
        f'dropping NOT NULL on "{table}"."{column}" lets NULLs in, and running clients that assume a value break',
        help=(
            f"# first deploy code that handles a NULL {column} wherever it reads {table};\n"
            '# then, in a later migration:\n' + op_call("alter_column", table, py_str(column), nullable="True")
        )
        if ctx.is_op_call(change)
        else (
            f"-- first deploy code that handles a NULL {column} wherever it reads {table};\n"
            "-- then, in a later migration:\n"
            f"ALTER TABLE {qualified(table)} ALTER COLUMN {ident(column)} DROP NOT NULL;"
        ),
    )
