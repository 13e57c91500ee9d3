"""SG018: ADD EXCLUDE builds an index under an ACCESS EXCLUSIVE lock, with no concurrent form
(rules/SG018-exclusion-constraint.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddConstraint
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, one_line


@rule("SG018", on=AddConstraint)
def exclusion_constraint(change: AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    if change.constraint.kind != "exclusion" or ctx.created_before(change, change.table):
        return
    statement = one_line(change) if change.origin == "python" else change.statement
    statement = statement if statement.endswith(";") else statement + ";"
    yield ctx.diagnostic(
        change,
        f'EXCLUDE constraint on "{change.table}" builds its index and checks every row under an ACCESS '
        "EXCLUSIVE lock: reads and writes wait for the whole build, and there is no concurrent form",
        help=for_origin(
            "\n".join(
                [
                    "-- in a low-traffic window, failing fast instead of queueing behind long queries:",
                    "SET lock_timeout = '5s';",
                    statement,
                ]
            ),
            change.origin,
        ),
    )
