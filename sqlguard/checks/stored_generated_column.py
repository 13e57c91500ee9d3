"""SG017: adding a STORED generated column computes it for every row: the table is rewritten
(rules/SG017-stored-generated-column.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddColumn
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, type_sql

_STORED = re.compile(r"\bSTORED\b", re.IGNORECASE)


@rule("SG017", on=AddColumn)
def stored_generated_column(change: AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    column = change.column
    if not column.generated_stored or ctx.created_here(change.table):
        return
    message = (
        f'stored generated column "{column.name}" is computed for every existing row: '
        f'"{change.table}" is rewritten under an ACCESS EXCLUSIVE lock'
    )
    if ctx.target_version >= 18 and change.origin == "sql":
        statement = _STORED.sub("VIRTUAL", change.statement)
        help_sql = (statement if statement.endswith(";") else statement + ";") + "  -- computed when read"
    else:
        column_type = f" {type_sql(column.type, change.origin)}" if column.type is not None else ""
        help_sql = "\n".join(
            [
                f"ALTER TABLE {change.table} ADD COLUMN {column.name}{column_type};",
                f"-- fill {column.name} in batches; keep it current with a trigger or compute it in queries",
            ]
        )
    yield ctx.diagnostic(change, message, help=for_origin(help_sql, change.origin))
