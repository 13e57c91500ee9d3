"""SG041: integer or smallint keys run out, and widening them later rewrites the table
(rules/SG041-integer-key.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddColumn, AddConstraint, Column, CreateTable, unqualified
from sqlguard.registry import rule

LIMITS = {
    "integer": "2,147,483,647",
    "smallint": "32,767",
    "integer unsigned": "4,294,967,295",  # MySQL
    "smallint unsigned": "65,535",
}


@rule("SG041", on=(CreateTable, AddColumn, AddConstraint))
def integer_key(change: CreateTable | AddColumn | AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a downgrade restores the types the schema had: the choice was made before
    if isinstance(change, AddConstraint):
        yield from _added_foreign_key(change, ctx)
        return
    for table, column, role in _key_columns(change):
        type_ref = column.type
        if type_ref is None or type_ref.name not in LIMITS or type_ref.array:
            continue
        if change.origin == "python" and column.autoincrement and role == "primary key":
            continue  # SQLAlchemy's autoincrementing integer key is SG001's finding
        if ctx.dialect == "mysql" and column.autoincrement:
            continue  # an AUTO_INCREMENT key that runs out is SG001's finding
        fix = Fix("Use bigint", (Edit.replace(type_ref.span, "bigint"),)) if change.origin == "sql" else None
        yield ctx.diagnostic(
            type_ref.span,
            f'{role} "{table}"."{column.name}" is {type_ref.name}: it runs out at {LIMITS[type_ref.name]},'
            " and widening it later rewrites the table while blocking writes",
            help=f'sa.Column("{column.name}", sa.BigInteger(), ...)'
            if ctx.is_op_call(change)
            else f"{column.name} bigint",
            fix=fix,
        )


def _added_foreign_key(change: AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    """A FOREIGN KEY added by its own ALTER TABLE (Prisma's only form) on integer columns the
    schema knows: their CREATE TABLE did not say they were keys, so it is reported here."""
    foreign_key = change.constraint.foreign_key
    if foreign_key is None:
        return
    declared = ctx.memo("SG041-declared", lambda: _declared_here(ctx))
    for column in foreign_key.columns:
        type_name = ctx.schema.column_type(change.table, column)
        if type_name not in LIMITS or (unqualified(change.table), column) not in declared:
            continue  # a column of an earlier migration: its type was chosen (and reported) there
        yield ctx.diagnostic(
            foreign_key.span,
            f'foreign key "{change.table}"."{column}" is {type_name}: it runs out at {LIMITS[type_name]},'
            " and widening it later rewrites the table while blocking writes",
            help=f"{ident(column)} bigint  -- in the CREATE TABLE of {qualified(change.table)}"
            if ctx.created_here(change.table)
            else f"ALTER TABLE {qualified(change.table)} ALTER COLUMN {ident(column)} TYPE bigint;"
            "  -- while the table is small (and the key it references)",
        )


def _declared_here(ctx: Context) -> set[tuple[str, str]]:
    """(table, column) pairs this migration's up part declares."""
    return {
        (unqualified(table), column.name)
        for change in ctx.migration.changes
        for table, column in change.columns_declared()
    }


def _key_columns(change: CreateTable | AddColumn) -> Iterator[tuple[str, Column, str]]:
    """Primary key and foreign key columns, with the role to name in the message."""
    columns = change.columns if isinstance(change, CreateTable) else (change.column,)
    primary: set[str] = set()
    foreign: set[str] = set()
    if isinstance(change, CreateTable):
        for constraint in change.constraints:
            if constraint.kind == "primary":
                primary.update(constraint.columns)
            elif constraint.kind == "foreign":
                foreign.update(constraint.columns)
    for column in columns:
        if column.primary_key or column.name in primary:
            yield change.table, column, "primary key"
        elif column.references is not None or column.name in foreign:
            yield change.table, column, "foreign key"
