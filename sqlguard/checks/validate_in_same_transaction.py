"""SG015: VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID gains nothing
(rules/SG015-validate-in-same-transaction.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_execute, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddConstraint, ValidateConstraint, unqualified
from sqlguard.registry import rule


@rule("SG015", on=ValidateConstraint)
def validate_in_same_transaction(change: ValidateConstraint, ctx: Context) -> Iterator[Diagnostic]:
    transaction = ctx.transaction_of(change)
    if transaction is None or ctx.created_here(change.table):
        return
    added = ctx.memo("SG015.not_valid", lambda: _not_valid_constraints(ctx))
    for earlier in added.get((unqualified(change.table), change.name), ()):
        if earlier.span.start < change.span.start and ctx.transaction_of(earlier) == transaction:
            yield ctx.diagnostic(
                change,
                f"VALIDATE CONSTRAINT {change.name} runs in the transaction that added it NOT VALID: "
                f'the lock taken by the ADD is still held on "{change.table}" for the whole scan',
                help=_help(change),
            )
            return


def _not_valid_constraints(ctx: Context) -> dict[tuple[str, str | None], list[AddConstraint]]:
    """(table, constraint name) -> the changes of this migration that add it NOT VALID."""
    found: dict[tuple[str, str | None], list[AddConstraint]] = {}
    for change in (*ctx.migration.changes, *ctx.migration.down_changes):
        if isinstance(change, AddConstraint) and change.constraint.not_valid:
            found.setdefault((unqualified(change.table), change.constraint.name), []).append(change)
    return found


def _help(change: ValidateConstraint) -> str:
    validate = f"ALTER TABLE {qualified(change.table)} VALIDATE CONSTRAINT {ident(change.name)}"
    if change.origin == "python":
        return "# in a later revision (each revision commits on its own):\n" + op_execute(validate)
    return f"COMMIT;\n{validate};"
