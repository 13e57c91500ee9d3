"""SG050: a lock-taking statement with no lock_timeout set waits forever for its lock, and every
query on the table queues behind it (rules/SG050-missing-lock-timeout.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.locks import first_lock_without
from sqlguard.model import Change, Migration
from sqlguard.registry import rule

TIMEOUT = "SET lock_timeout = '5s';"


@rule("SG050", on=Migration)
def missing_lock_timeout(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    found = first_lock_without(migration, ctx, "lock_timeout")
    if found is None:
        return
    change, table = found
    fix = None
    if change.origin == "sql":
        fix = Fix("Set lock_timeout first", (Edit.insert(change.statement_span.start, TIMEOUT + "\n"),), safe=False)
    statement = change.statement if change.statement.endswith(";") else change.statement + ";"
    yield ctx.diagnostic(
        change.statement_span,
        f'this statement waits for a lock on "{table}" with no lock_timeout: queued behind one long query,'
        f' it makes every other query on "{table}" wait too',
        help=_help(change, statement),
        fix=fix,
    )


def _help(change: Change, statement: str) -> str:
    if change.origin == "python":
        return f'op.execute("{TIMEOUT.rstrip(";")}")  # first in upgrade(): fail fast and retry instead of queueing'
    return f"{TIMEOUT}  -- fail fast and retry instead of queueing\n{statement}"
