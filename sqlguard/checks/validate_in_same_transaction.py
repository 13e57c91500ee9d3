"""SG015: VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID gains nothing
(rules/SG015-validate-in-same-transaction.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddConstraint, ValidateConstraint, unqualified
from sqlguard.registry import rule


@rule("SG015", on=ValidateConstraint)
def validate_in_same_transaction(change: ValidateConstraint, ctx: Context) -> Iterator[Diagnostic]:
    transaction = ctx.transaction_of(change)
    if transaction is None:
        return
    for earlier in (*ctx.migration.changes, *ctx.migration.down_changes):
        if earlier.span.start >= change.span.start:
            continue
        if (
            isinstance(earlier, AddConstraint)
            and earlier.constraint.not_valid
            and earlier.constraint.name == change.name
            and unqualified(earlier.table) == unqualified(change.table)
            and ctx.transaction_of(earlier) == transaction
        ):
            if ctx.created_here(change.table):
                return
            yield ctx.diagnostic(
                change,
                f"VALIDATE CONSTRAINT {change.name} runs in the transaction that added it NOT VALID: "
                f'the lock taken by the ADD is still held on "{change.table}" for the whole scan',
                help=_help(change),
            )
            return


def _help(change: ValidateConstraint) -> str:
    validate = f"ALTER TABLE {change.table} VALIDATE CONSTRAINT {change.name}"
    if change.origin == "python":
        return f'# in a later revision (each revision commits on its own):\nop.execute("{validate}")'
    return f"COMMIT;\n{validate};"
