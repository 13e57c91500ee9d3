"""SG016: ADD UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock
(rules/SG016-unique-constraint-builds-index.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, ident_list, op_execute, qualified
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
    if change.origin == "python":
        column_list = ", ".join(f'"{column}"' for column in columns)
        help_text = "\n".join(
            [
                "with op.get_context().autocommit_block():",
                f'    op.create_index("{name}", "{change.table}", [{column_list}], unique=True, '
                "postgresql_concurrently=True)",
                op_execute(
                    f"ALTER TABLE {qualified(change.table)} ADD CONSTRAINT {ident(name)} {keyword} "
                    f"USING INDEX {ident(name)}"
                ),
            ]
        )
        yield ctx.diagnostic(change, _message(keyword, change.table), help=help_text)
        return
    steps = [f"CREATE UNIQUE INDEX CONCURRENTLY {ident(name)} ON {qualified(change.table)} ({ident_list(columns)});"]
    if kind == "primary" and isinstance(change, AddConstraint):
        steps.append("-- make the key columns NOT NULL first (see SG012), or the next step scans the table")
    steps.append(
        f"ALTER TABLE {qualified(change.table)} ADD CONSTRAINT {ident(name)} {keyword} USING INDEX {ident(name)};"
    )
    yield ctx.diagnostic(change, _message(keyword, change.table), help="\n".join(steps))


def _message(keyword: str, table: str) -> str:
    return (
        f'{keyword} on "{table}" builds its index under an ACCESS EXCLUSIVE lock: '
        "reads and writes wait for the whole build"
    )
