"""SG031: renaming a table breaks every deployed client that uses the old name
(rules/SG031-renamed-table.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_call, op_execute, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import CreateView, RenameTable, unqualified
from sqlguard.registry import rule


@rule("SG031", on=RenameTable)
def renamed_table(change: RenameTable, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    if ctx.created_here(change.table) or _view_keeps_old_name(change, ctx):
        return
    old, new = change.table, change.new_name
    yield ctx.diagnostic(
        change,
        f'renaming table "{old}" to "{new}" breaks every running client that still queries "{old}"',
        help=(
            op_call("rename_table", old, py_str(new.rsplit(".", 1)[-1]))
            + "\n"
            + op_execute(f"CREATE VIEW {qualified(old)} AS SELECT * FROM {qualified(new)}")
            + "  # the old name keeps working\n"
            + f"# then, in a later migration once no deployed code uses {old}:\n"
            + op_execute(f"DROP VIEW {qualified(old)}")
        )
        if ctx.is_op_call(change)
        else (
            f"ALTER TABLE {qualified(old)} RENAME TO {ident(new.rsplit('.', 1)[-1])};\n"
            f"CREATE VIEW {qualified(old)} AS SELECT * FROM {qualified(new)};"
            "  -- the old name keeps working (simple views are writable)\n"
            f"-- then, in a later migration once no deployed code uses {old}:\n"
            f"DROP VIEW {qualified(old)};"
        ),
    )


def _view_keeps_old_name(change: RenameTable, ctx: Context) -> bool:
    """A view created under the old name later in the same migration keeps old clients working."""
    later = ctx.migration.changes[ctx.migration.changes.index(change) + 1 :] if change in ctx.migration.changes else []
    old = unqualified(change.table)
    return any(isinstance(other, CreateView) and unqualified(other.name) == old for other in later)
