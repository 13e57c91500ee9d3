"""SG030: renaming a column breaks every deployed client that uses the old name
(rules/SG030-renamed-column.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_call, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import RenameColumn
from sqlguard.registry import rule


@rule("SG030", on=RenameColumn)
def renamed_column(change: RenameColumn, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    if ctx.created_here(change.table) or ctx.column_created_here(change.table, change.column):
        return  # nothing deployed knows the table or the column yet
    table, old, new = change.table, change.column, change.new_name
    column_type = ctx.schema.column_type(table, old) or "<same type>"
    yield ctx.diagnostic(
        change,
        f'renaming "{table}"."{old}" to "{new}" breaks every running client that still reads or writes "{old}"',
        help=(
            op_call("add_column", table, f"sa.Column({py_str(new)}, ...)")
            + f"  # same type as {old}\n"
            f"# deploy code that writes both {old} and {new}, backfill {new} in batches, switch reads to {new};\n"
            f"# then, in a later migration once no deployed code uses {old}:\n"
            + op_call("drop_column", table, py_str(old))
        )
        if ctx.is_op_call(change)
        else (
            f"ALTER TABLE {qualified(table)} ADD COLUMN {ident(new)} {column_type};\n"
            f"-- deploy code that writes both {old} and {new}, backfill {new} in batches, switch reads to {new};\n"
            f"-- then, in a later migration once no deployed code uses {old}:\n"
            f"ALTER TABLE {qualified(table)} DROP COLUMN {ident(old)};"
        ),
    )
