"""SG021: DETACH PARTITION without CONCURRENTLY blocks the whole partitioned table (PG 14+)
(rules/SG021-detach-partition-blocking.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import op_execute, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import DetachPartition
from sqlguard.registry import rule


@rule("SG021", on=DetachPartition)
def detach_partition_blocking(change: DetachPartition, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.target_version < 14 or change.concurrently or change.finalize or ctx.created_here(change.table):
        return
    fix = None
    if change.origin == "sql" and ctx.alone_in_statement(change) and not change.in_transaction:
        fix = Fix("Add CONCURRENTLY", (Edit.insert(change.statement_span.end, " CONCURRENTLY"),))
        help_sql = ctx.statement_with(change, fix)
    elif change.origin == "python":
        help_sql = (
            "with op.get_context().autocommit_block():\n"
            "    "
            + op_execute(
                f"ALTER TABLE {qualified(change.table)} DETACH PARTITION {qualified(change.partition)} CONCURRENTLY"
            )
        )
    else:
        help_sql = (
            f"ALTER TABLE {qualified(change.table)} DETACH PARTITION {qualified(change.partition)} CONCURRENTLY;"
            "  -- outside a transaction block"
        )
    yield ctx.diagnostic(
        change,
        f'DETACH PARTITION takes an ACCESS EXCLUSIVE lock on "{change.table}": reads and writes on every '
        "partition wait until it finishes",
        help=help_sql,
        fix=fix,
    )
