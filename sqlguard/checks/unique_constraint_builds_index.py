"""SG016: ADD UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock
(rules/SG016-unique-constraint-builds-index.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddColumn, AddConstraint
from sqlguard.registry import rule


@rule("SG016", on=(AddConstraint, AddColumn))
def unique_constraint_builds_index(change: AddConstraint | AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.created_here(change.table):
        return
    table = change.table.rsplit(".", 1)[-1]
    if isinstance(change, AddConstraint):
        constraint = change.constraint
        if constraint.kind not in ("primary", "unique") or constraint.using_index is not None:
            return
        kind = "primary" if constraint.kind == "primary" else "unique"
        columns = constraint.columns
        name = constraint.name
    else:
        column = change.column
        if not (column.primary_key or column.unique):
            return
        kind = "primary" if column.primary_key else "unique"
        columns = (column.name,)
        name = None
    keyword = "PRIMARY KEY" if kind == "primary" else "UNIQUE"
    name = name or (f"{table}_pkey" if kind == "primary" else f"{table}_{'_'.join(columns)}_key")
    yield ctx.diagnostic(
        change,
        f'{keyword} on "{change.table}" builds its index under an ACCESS EXCLUSIVE lock: '
        "reads and writes wait for the whole build",
        help="\n".join(
            [
                f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {change.table} ({', '.join(columns)});",
                *(
                    ["-- make the key columns NOT NULL first (see SG012), or the next step scans the table"]
                    if kind == "primary" and isinstance(change, AddConstraint)
                    else []
                ),
                f"ALTER TABLE {change.table} ADD CONSTRAINT {name} {keyword} USING INDEX {name};",
            ]
        ),
    )
