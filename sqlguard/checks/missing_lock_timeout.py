"""SG050: a lock-taking statement with no lock_timeout set waits forever for its lock, and every
query on the table queues behind it (rules/SG050-missing-lock-timeout.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.locks import locked_table
from sqlguard.model import Change, Migration, SetSetting
from sqlguard.registry import rule

TIMEOUT = "SET lock_timeout = '5s';"


@rule("SG050", on=Migration)
def missing_lock_timeout(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    for change in migration.changes:
        if isinstance(change, SetSetting) and change.name == "lock_timeout":
            if change.value not in (None, "0"):
                return
            continue
        table = locked_table(change, ctx)
        if table is None:
            continue
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
        return


def _help(change: Change, statement: str) -> str:
    if change.origin == "python":
        return f'op.execute("{TIMEOUT.rstrip(";")}")  # first in upgrade(): fail fast and retry instead of queueing'
    return f"{TIMEOUT}  -- fail fast and retry instead of queueing\n{statement}"
