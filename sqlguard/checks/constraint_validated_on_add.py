"""SG014: adding a FOREIGN KEY or CHECK without NOT VALID checks every row while holding its lock
(rules/SG014-constraint-validated-on-add.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_execute, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddColumn, AddConstraint, ForeignKey
from sqlguard.registry import rule
from sqlguard.safe_steps import type_sql


@rule("SG014", on=(AddConstraint, AddColumn))
def constraint_validated_on_add(change: AddConstraint | AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.created_here(change.table):
        return
    if isinstance(change, AddColumn):
        yield from _inline_reference(change, ctx)
        return
    constraint = change.constraint
    if constraint.kind not in ("foreign", "check") or constraint.not_valid:
        return
    table = change.table
    if constraint.foreign_key is not None:
        message = _foreign_key_message(constraint.foreign_key)
    else:
        message = (
            f'CHECK constraint on "{table}" scans every row under an ACCESS EXCLUSIVE lock: '
            "reads and writes wait"
        )
    inline = constraint.kind == "check" and not constraint.name and len(constraint.columns) == 1
    # PostgreSQL names an unnamed column CHECK <table>_<column>_check.
    default_name = f"{table.rsplit('.', 1)[-1]}_{constraint.columns[0]}_check" if inline else "<constraint name>"
    name = constraint.name or default_name
    validate = f"ALTER TABLE {qualified(table)} VALIDATE CONSTRAINT {ident(name)};  -- in a later transaction"
    fix = None
    if change.origin == "python" and change.statement.rstrip().endswith(")"):
        # Unsafe, like the SQL fix: existing rows stay unchecked until VALIDATE runs.
        call = change.statement.rstrip()
        last_argument = len(call[:-1].rstrip())  # just after the last argument (or its comma)
        separator = " " if call[last_argument - 1] == "," else ", "
        fix = Fix(
            "Add postgresql_not_valid=True",
            (Edit.insert(change.statement_span.start + last_argument, f"{separator}postgresql_not_valid=True"),),
            safe=False,
        )
        help_sql = (
            ctx.statement_with(change, fix)
            + "\n# then, in a later revision:\n"
            + op_execute(f"ALTER TABLE {qualified(table)} VALIDATE CONSTRAINT {ident(name)}")
        )
    elif ctx.alone_in_statement(change) and change.origin == "sql":
        # Unsafe: existing rows are not checked until the VALIDATE step is run.
        fix = Fix("Add NOT VALID", (Edit.insert(change.statement_span.end, " NOT VALID"),), safe=False)
        help_sql = ctx.statement_with(change, fix) + "\n" + validate
    else:
        body = f"CHECK ({constraint.expression})" if constraint.expression else "..."
        alone = f"ALTER TABLE {qualified(table)} ADD CONSTRAINT {ident(name)} {body} NOT VALID;"
        where = "-- add the column without its CHECK, then" if inline else "-- in its own statement"
        help_sql = f"{where}:\n{alone}\n{validate}"
    yield ctx.diagnostic(change, message, help=help_sql, fix=fix)


def _inline_reference(change: AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    """ADD COLUMN ... REFERENCES validates at once: NOT VALID cannot be written inline."""
    fk = change.column.references
    if fk is None or fk.not_valid:
        return
    column = change.column
    table = change.table
    name = fk.name or f"{table.rsplit('.', 1)[-1]}_{column.name}_fkey"
    column_type = f" {type_sql(column.type, change.origin)}" if column.type is not None else ""
    ref_columns = f" ({', '.join(fk.ref_columns)})" if fk.ref_columns else ""
    yield ctx.diagnostic(
        change,
        _foreign_key_message(fk),
        help="\n".join(
            [
                f"ALTER TABLE {qualified(table)} ADD COLUMN {ident(column.name)}{column_type};",
                f"ALTER TABLE {qualified(table)} ADD CONSTRAINT {ident(name)} FOREIGN KEY ({ident(column.name)}) "
                f"REFERENCES {qualified(fk.ref_table)}{ref_columns} NOT VALID;",
                f"ALTER TABLE {qualified(table)} VALIDATE CONSTRAINT {ident(name)};  -- in a later transaction",
            ]
        ),
    )


def _foreign_key_message(fk: ForeignKey) -> str:
    return (
        f'FOREIGN KEY on "{fk.table}" checks every existing row while writes to "{fk.table}" and '
        f'"{fk.ref_table}" wait'
    )
