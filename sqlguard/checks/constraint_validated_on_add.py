"""SG014: adding a FOREIGN KEY or CHECK without NOT VALID checks every row while holding its lock
(rules/SG014-constraint-validated-on-add.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddConstraint
from sqlguard.registry import rule


@rule("SG014", on=AddConstraint)
def constraint_validated_on_add(change: AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    constraint = change.constraint
    if constraint.kind not in ("foreign", "check") or constraint.not_valid or ctx.created_here(change.table):
        return
    table = change.table
    if constraint.foreign_key is not None:
        message = (
            f'FOREIGN KEY on "{table}" checks every existing row while writes to "{table}" and '
            f'"{constraint.foreign_key.ref_table}" wait'
        )
    else:
        message = (
            f'CHECK constraint on "{table}" scans every row under an ACCESS EXCLUSIVE lock: '
            "reads and writes wait"
        )
    name = constraint.name or "<constraint name>"
    validate = f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};  -- in a later transaction"
    fix = None
    if ctx.alone_in_statement(change) and change.origin == "sql":
        # Unsafe: existing rows are not checked until the VALIDATE step is run.
        fix = Fix("Add NOT VALID", (Edit.insert(change.statement_span.end, " NOT VALID"),), safe=False)
        help_sql = ctx.statement_with(change, fix) + "\n" + validate
    else:
        alone = f"ALTER TABLE {table} ADD CONSTRAINT {name} ... NOT VALID;"
        help_sql = f"-- in its own statement:\n{alone}\n{validate}"
    yield ctx.diagnostic(change, message, help=help_sql, fix=fix)
