"""SG043: ALTER TYPE ... ADD VALUE inside a transaction fails before PostgreSQL 12, and from 12 on
the new value cannot be used until that transaction commits (rules/SG043-enum-value-in-transaction.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddEnumValue, Change, Transaction
from sqlguard.registry import rule

# PostgreSQL 12 allowed ADD VALUE inside a transaction block, as long as the value is not used there.
ALLOWED_IN_TRANSACTION_FROM = 12


@rule("SG043", on=AddEnumValue)
def enum_value_in_transaction(change: AddEnumValue, ctx: Context) -> Iterator[Diagnostic]:
    statement = change.statement.rstrip(";")
    if change.block and not change.in_transaction and ctx.target_version < ALLOWED_IN_TRANSACTION_FROM:
        where = "a DO block" if change.block == "do" else "a function"
        yield ctx.diagnostic(
            change,
            f"ALTER TYPE {change.type_name} ADD VALUE cannot run inside {where} before"
            f" PostgreSQL {ALLOWED_IN_TRANSACTION_FROM}: the migration fails (target is {ctx.target_version})",
            help=f"-- take it out of {where} and run it on its own, outside a transaction:\n{statement};",
        )
        return
    if not change.in_transaction:
        return
    if ctx.target_version < ALLOWED_IN_TRANSACTION_FROM:
        yield ctx.diagnostic(
            change,
            f"ALTER TYPE {change.type_name} ADD VALUE cannot run inside a transaction block before"
            f" PostgreSQL {ALLOWED_IN_TRANSACTION_FROM}: the migration fails (target is {ctx.target_version})",
            help=(
                "-- run it in its own migration with no BEGIN/COMMIT"
                " (Alembic: inside op.get_context().autocommit_block()):\n"
                f"{statement};"
            ),
        )
        return
    literal = "'" + change.value.replace("'", "''") + "'"
    for later in _rest_of_transaction(change, ctx):
        if literal in later.statement:
            yield ctx.diagnostic(
                later,
                f"enum value {literal} is used in the transaction that adds it to {change.type_name}:"
                ' PostgreSQL fails with "unsafe use of new value" until that transaction commits',
                help=_commit_first(change, statement, literal),
            )
            return


def _rest_of_transaction(change: AddEnumValue, ctx: Context) -> Iterator[Change]:
    """Changes after ``change`` up to the COMMIT or ROLLBACK that ends its transaction."""
    changes = ctx.migration.changes
    if change not in changes:
        return
    for later in changes[changes.index(change) + 1 :]:
        if isinstance(later, Transaction) and later.kind in ("commit", "rollback"):
            return
        yield later


def _commit_first(change: AddEnumValue, statement: str, literal: str) -> str:
    if change.origin == "python":
        quoted = statement.replace('"', '\\"')
        return (
            "with op.get_context().autocommit_block():  # commits the new value on its own\n"
            f'    op.execute("{quoted}")\n'
            f"# then use {literal}"
        )
    return f"{statement};\nCOMMIT;\n-- use {literal} in the next transaction or migration"
