"""SG005: CONCURRENTLY cannot run inside a transaction block (rules/SG005-concurrently-in-transaction.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import outside_transaction
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import CreateIndex, DropIndex, Reindex
from sqlguard.registry import rule

_VERBS = {CreateIndex: "CREATE INDEX", DropIndex: "DROP INDEX", Reindex: "REINDEX"}


@rule("SG005", on=(CreateIndex, DropIndex, Reindex))
def concurrently_in_transaction(change: CreateIndex | DropIndex | Reindex, ctx: Context) -> Iterator[Diagnostic]:
    # The front ends know where a transaction is open (BEGIN/COMMIT, assume-in-transaction,
    # dbmate's wrapping, Alembic's blocks), so a statement after an explicit COMMIT is free.
    if not change.concurrently or not (change.in_transaction or change.block):
        return
    verb = _VERBS[type(change)]
    if change.block:  # a DO block or function runs as one statement, like a transaction block
        inside = "a DO block" if change.block == "do" else "a PL/pgSQL function"
        message = f"{verb} CONCURRENTLY inside {inside} fails: PostgreSQL refuses to run it there"
        help_text = f"{outside_transaction(change, ctx)}:\n{change.statement.strip().rstrip(';')};"
        yield ctx.diagnostic(change, message, help=help_text)
        return
    message = f"{verb} CONCURRENTLY inside a transaction block fails: PostgreSQL refuses to run it there"
    if change.origin == "python":
        statement = change.statement.strip()
        if not change.from_call:  # SQL inside op.execute("..."): show the call, not bare SQL
            statement = f'op.execute("{statement}")' if "\n" not in statement else f'op.execute("""{statement}""")'
        help_text = (
            "with op.get_context().autocommit_block():\n"
            f"    {statement}"
        )
    else:
        where = outside_transaction(change, ctx)
        if where is None or where.startswith("-- CONCURRENTLY cannot run inside BEGIN"):
            where = "run it outside BEGIN ... COMMIT, in a migration of its own that is not wrapped in a transaction:"
        help_text = f"{where}\n{change.statement.strip().rstrip(';')};"
    yield ctx.diagnostic(change, message, help=help_text)
