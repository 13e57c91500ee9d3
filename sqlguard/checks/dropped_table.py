"""SG033: dropping a table breaks deployed clients and loses its data (rules/SG033-dropped-table.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_call, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import CreateTable, DropTable, unqualified
from sqlguard.registry import rule


@rule("SG033", on=DropTable)
def dropped_table(change: DropTable, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    rebuilt = set() if change.cascade else _rebuilt_later(change, ctx)  # CASCADE drops more than it rebuilds
    tables = [table for table in change.tables if not ctx.created_here(table) and unqualified(table) not in rebuilt]
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


def _rebuilt_later(change: DropTable, ctx: Context) -> set[str]:
    """Tables the same part of the migration re-creates after this drop and fills from a query
    (``CREATE TABLE name AS SELECT ...``, as a cache table rebuilt from its view is): their rows
    come back, and in the migration's transaction no client sees the table missing."""
    part = ctx.migration.down_changes if ctx.in_down(change) else ctx.migration.changes
    later = part[next(i for i, other in enumerate(part) if other is change) + 1 :]
    return {unqualified(other.table) for other in later if isinstance(other, CreateTable) and other.filled}
