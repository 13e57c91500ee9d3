"""SG020: VACUUM FULL and CLUSTER rewrite tables under an ACCESS EXCLUSIVE lock
(rules/SG020-table-rewrite-maintenance.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Cluster, Vacuum
from sqlguard.registry import rule


@rule("SG020", on=(Vacuum, Cluster))
def table_rewrite_maintenance(change: Vacuum | Cluster, ctx: Context) -> Iterator[Diagnostic]:
    if isinstance(change, Vacuum):
        if not change.full or (change.tables and all(ctx.created_here(t) for t in change.tables)):
            return
        what = ", ".join(f'"{t}"' for t in change.tables) or "every table of the database"
        tables = " ".join(f"--table={t}" for t in change.tables) or "--all"
        yield ctx.diagnostic(
            change,
            f"VACUUM FULL rewrites {what} under an ACCESS EXCLUSIVE lock: "
            "reads and writes wait until it finishes",
            help="\n".join(
                [
                    f"VACUUM {', '.join(change.tables)};".replace(" ;", ";"),
                    f"-- to give space back to the OS online: pg_repack {tables}",
                ]
            ),
        )
        return
    if change.table is not None and ctx.created_here(change.table):
        return
    what = f'"{change.table}"' if change.table else "every previously clustered table"
    target = f"--table={change.table}" if change.table else "--all"
    yield ctx.diagnostic(
        change,
        f"CLUSTER rewrites {what} under an ACCESS EXCLUSIVE lock: reads and writes wait until it finishes",
        help=f"-- reorder rows online instead: pg_repack {target}"
        + (f" --order-by=<columns of {change.index}>" if change.index else ""),
    )
