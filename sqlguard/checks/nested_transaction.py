"""SG051: BEGIN inside an open transaction, COMMIT with none open, or BEGIN/COMMIT in a file the
migration tool already wraps in a transaction (rules/SG051-nested-transaction.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Migration, Transaction
from sqlguard.registry import rule


@rule("SG051", on=Migration)
def nested_transaction(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    if migration.kind != "sql":
        return
    tool_open = ctx.assume_in_transaction
    begin: Transaction | None = None
    for change in migration.changes:
        if not isinstance(change, Transaction):
            continue
        if change.kind == "begin":
            if begin is not None:
                yield ctx.diagnostic(
                    change,
                    "BEGIN inside an open transaction: PostgreSQL ignores it with a warning, so the next COMMIT"
                    " commits the outer transaction early and what follows runs outside any transaction",
                    help="COMMIT;  -- end the first transaction before starting another, or remove this BEGIN",
                )
            elif tool_open:
                yield ctx.diagnostic(
                    change,
                    "BEGIN in a migration the tool already runs in a transaction (assume-in-transaction):"
                    " it is ignored, and its COMMIT ends the tool's transaction early",
                    help="-- remove BEGIN and COMMIT: the migration tool wraps the file in one transaction",
                )
            begin = change
        elif change.kind in ("commit", "rollback"):
            word = change.kind.upper()
            if begin is None and tool_open:
                yield ctx.diagnostic(
                    change,
                    f"{word} ends the transaction the migration tool opened (assume-in-transaction):"
                    " the statements after it run without one and the tool's own COMMIT fails",
                    help=f"-- remove this {word}: the migration tool commits the file's transaction",
                )
            elif begin is None:
                yield ctx.diagnostic(
                    change,
                    f"{word} with no open transaction: PostgreSQL only warns, and the statements before it"
                    " were already committed one by one",
                    help=f"BEGIN;\n-- the statements that must succeed or fail together\n{word};",
                )
            begin = None
            tool_open = False
    if begin is not None and not ctx.assume_in_transaction:
        yield ctx.diagnostic(
            begin,
            "BEGIN with no COMMIT in the file: the transaction stays open and is rolled back when the"
            " session ends, or holds its locks until someone commits",
            help="COMMIT;  -- at the end of the migration",
        )
