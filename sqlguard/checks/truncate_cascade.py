"""SG035: TRUNCATE ... CASCADE also empties every table that references the truncated ones
(rules/SG035-truncate-cascade.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Truncate
from sqlguard.registry import rule


@rule("SG035", on=Truncate)
def truncate_cascade(change: Truncate, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    if not change.cascade:
        return
    names = ", ".join(change.tables)
    yield ctx.diagnostic(
        change,
        f"TRUNCATE {names} CASCADE also empties every table with a foreign key to it,"
        " however far the chain goes, under ACCESS EXCLUSIVE locks",
        help=(
            f"TRUNCATE {names};  -- fails and names the referencing tables instead of emptying them;\n"
            "-- truncate exactly the tables you mean, listed together in one statement"
        ),
    )
