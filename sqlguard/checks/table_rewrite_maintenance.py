"""SG020: VACUUM FULL, CLUSTER and ALTER TABLE SET LOGGED/UNLOGGED/TABLESPACE/ACCESS METHOD
rewrite tables under an ACCESS EXCLUSIVE lock (rules/SG020-table-rewrite-maintenance.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Cluster, RewriteTable, Vacuum
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, one_line

_REWRITE_WORDS = {
    "set_logged": "SET LOGGED copies all of {table} into the WAL",
    "set_unlogged": "SET UNLOGGED rewrites all of {table}",
    "set_tablespace": "SET TABLESPACE copies all of {table} to the new tablespace",
    "set_access_method": "SET ACCESS METHOD rewrites all of {table}",
}


@rule("SG020", on=(Vacuum, Cluster, RewriteTable))
def table_rewrite_maintenance(change: Vacuum | Cluster | RewriteTable, ctx: Context) -> Iterator[Diagnostic]:
    if isinstance(change, RewriteTable):
        if ctx.created_before(change, change.table):
            return
        yield ctx.diagnostic(
            change,
            _REWRITE_WORDS[change.action].format(table=f'"{change.table}"')
            + " under an ACCESS EXCLUSIVE lock: "
            "reads and writes wait until it finishes",
            help=for_origin(
                "\n".join(
                    [
                        f"-- create the new {change.table} beside the old one, copy rows in batches and swap names,",
                        "-- or run the statement in a maintenance window with a lock_timeout:",
                        "SET lock_timeout = '5s';",
                        one_line(change) + ";",
                    ]
                ),
                change.origin,
            ),
        )
        return
    if isinstance(change, Vacuum):
        if not change.full or (change.tables and all(ctx.created_here(t) for t in change.tables)):
            return
        what = ", ".join(f'"{t}"' for t in change.tables) or "every table of the database"
        tables = " ".join(f"--table={t}" for t in change.tables) or "--all"
        online = (
            _repack(", ".join(change.tables))
            if ctx.target_version >= 19
            else f"-- to give space back to the OS online: pg_repack {tables}"
        )
        yield ctx.diagnostic(
            change,
            f"VACUUM FULL rewrites {what} under an ACCESS EXCLUSIVE lock: "
            "reads and writes wait until it finishes",
            help=for_origin(
                "\n".join([f"VACUUM {', '.join(change.tables)};".replace(" ;", ";"), online]), change.origin
            ),
        )
        return
    if change.table is not None and ctx.created_before(change, change.table):
        return
    what = f'"{change.table}"' if change.table else "every previously clustered table"
    target = f"--table={change.table}" if change.table else "--all"
    if ctx.target_version >= 19:
        using = f" USING INDEX {change.index}" if change.index and change.table else ""
        help_sql = _repack(f"{change.table or ''}{using}")
    else:
        help_sql = f"-- reorder rows online instead: pg_repack {target}" + (
            f" --order-by=<columns of {change.index}>" if change.index else ""
        )
    yield ctx.diagnostic(
        change,
        f"CLUSTER rewrites {what} under an ACCESS EXCLUSIVE lock: reads and writes wait until it finishes",
        help=for_origin(help_sql, change.origin),
    )


def _repack(target: str) -> str:
    """PostgreSQL 19's REPACK (CONCURRENTLY) rewrites a table without blocking reads and writes."""
    return f"REPACK (CONCURRENTLY) {target};".replace(" ;", ";")
