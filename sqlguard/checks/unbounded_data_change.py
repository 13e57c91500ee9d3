"""SG052: UPDATE or DELETE of a whole table in a migration locks and rewrites every row in one
transaction (rules/SG052-unbounded-data-change.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import DataChange
from sqlguard.registry import rule

BATCH = 5000


@rule("SG052", on=DataChange)
def unbounded_data_change(change: DataChange, ctx: Context) -> Iterator[Diagnostic]:
    if change.has_where or ctx.created_here(change.table):
        return
    table = change.table
    statement = change.statement.rstrip().rstrip(";")
    if change.origin == "python" and not statement.upper().startswith(("UPDATE", "DELETE")):
        name = qualified(table)
        statement = f"UPDATE {name} SET ..." if change.kind == "update" else f"DELETE FROM {name}"
    batch = f"id IN (SELECT id FROM {qualified(table)} WHERE <not done yet> LIMIT {BATCH})"
    verb = "UPDATE of" if change.kind == "update" else "DELETE from"
    yield ctx.diagnostic(
        change,
        f'{verb} every row of "{table}" in one statement: it locks each row until commit,'
        " writes a new version of every row (bloat, replication lag) and can run for minutes",
        help=(
            f"-- run it in batches, outside the schema migration, until it touches 0 rows:\n{statement} WHERE {batch};"
        ),
    )
