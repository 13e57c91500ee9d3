"""SG012: SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock
(rules/SG012-not-null-on-existing-column.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import SetNotNull
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, set_not_null_steps


@rule("SG012", on=SetNotNull)
def not_null_on_existing_column(change: SetNotNull, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.created_before(change, change.table):
        return
    proven = ctx.schema.not_null_proven(change.table, change.column, ctx.migration.path, change.span.start)
    if proven and ctx.target_version >= 12:
        return  # PostgreSQL 12+ trusts a validated CHECK (col IS NOT NULL) and skips the scan
    yield ctx.diagnostic(
        change,
        f'SET NOT NULL on "{change.table}"."{change.column}" scans every row under an ACCESS EXCLUSIVE lock: '
        "reads and writes wait until it finishes",
        help=for_origin(set_not_null_steps(change.table, change.column, ctx.target_version), change.origin),
    )
