"""SG055: a lock-taking statement with no statement_timeout set can hold its lock for as long as
it runs, with every query on the table waiting (rules/SG055-missing-statement-timeout.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.locks import first_lock_without
from sqlguard.model import Change, Migration
from sqlguard.registry import rule

TIMEOUT = "SET statement_timeout = '1min';"


@rule("SG055", on=Migration)
def missing_statement_timeout(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    found = first_lock_without(migration, ctx, "statement_timeout")
    if found is None:
        return
    change, table = found
    fix = None
    if change.origin == "sql":
        fix = Fix(
            "Set statement_timeout first", (Edit.insert(change.statement_span.start, TIMEOUT + "\n"),), safe=False
        )
    statement = change.statement if change.statement.endswith(";") else change.statement + ";"
    yield ctx.diagnostic(
        change.statement_span,
        f'this statement locks "{table}" with no statement_timeout: if it runs long (a rewrite, a validating'
        f' scan, a wait behind another lock), nothing stops it while queries on "{table}" wait',
        help=_help(change, statement),
        fix=fix,
    )


def _help(change: Change, statement: str) -> str:
    if change.origin == "python":
        return f'op.execute("{TIMEOUT.rstrip(";")}")  # first in upgrade(): a long statement fails instead of blocking'
    return f"{TIMEOUT}  -- a long statement fails instead of blocking\n{statement}"
