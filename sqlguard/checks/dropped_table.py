"""SG033: dropping a table breaks deployed clients and loses its data (rules/SG033-dropped-table.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_call, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import DropTable
from sqlguard.registry import rule


@rule("SG033", on=DropTable)
def dropped_table(change: DropTable, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    tables = [table for table in change.tables if not ctx.created_here(table)]
    if not tables:
        return
    names = ", ".join(f'"{table}"' for table in tables)
    cascade = " and, with CASCADE, every view and foreign key that depends on them" if change.cascade else ""
    first = tables[0]
    its, it = ("its", "it") if len(tables) == 1 else ("their", "them")
    yield ctx.diagnostic(
        change,
        f"dropping {names} deletes {its} data{cascade}, and breaks every running client that still queries {it}",
        help=(
            f"# first deploy code that no longer uses {first}; rename it aside for a release:\n"
            + op_call("rename_table", first, py_str(first.rsplit(".", 1)[-1] + "_deprecated"))
            + "\n# then drop it in a later migration:\n"
            + op_call("drop_table", first + "_deprecated")
        )
        if ctx.is_op_call(change)
        else (
            f"-- first deploy code that no longer uses {first}; keep a backup, or rename it aside for a release:\n"
            f"ALTER TABLE {qualified(first)} RENAME TO {ident(first.rsplit('.', 1)[-1] + '_deprecated')};\n"
            "-- then drop it in a later migration:\n"
            f"DROP TABLE {qualified(first + '_deprecated')};"
        ),
    )
