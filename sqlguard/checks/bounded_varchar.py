"""SG040: char(n)/varchar(n) put the length limit in the type, where changing it later locks the
table (rules/SG040-bounded-varchar.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddColumn, Column, CreateTable
from sqlguard.registry import rule

BOUNDED_TYPES = ("varchar", "char")


@rule("SG040", on=(CreateTable, AddColumn))
def bounded_varchar(change: CreateTable | AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a downgrade restores the types the schema had: the choice was made before
    for table, column in change.columns_declared():
        type_ref = column.type
        if type_ref is None or type_ref.name not in BOUNDED_TYPES or not type_ref.args:
            continue
        limit = type_ref.args[0]
        # On a table in use an inline CHECK scans every row (SG014): the limit is added NOT VALID.
        existing = isinstance(change, AddColumn) and not ctx.created_here(table)
        replacement = "text" if existing else _text_with_check(column, limit)
        fix = None
        if change.origin == "sql":
            fix = Fix("Use text with a CHECK on the length", (Edit.replace(type_ref.span, replacement),), safe=False)
        what = "pads values with spaces and " if type_ref.name == "char" else ""
        yield ctx.diagnostic(
            type_ref.span,
            f'"{table}"."{column.name}" is {type_ref.written}: the type {what}holds the length limit,'
            " and changing the limit later takes an ACCESS EXCLUSIVE lock (a rewrite to shrink it)",
            help=_alembic_help(column.name, type_ref.args[0])
            if ctx.is_op_call(change)
            else _sql_help(table, column, replacement, limit, existing),
            fix=fix,
        )


def _text_with_check(column: Column, limit: int) -> str:
    """``text CHECK (char_length(col) <= n)``: a CHECK can be swapped later with NOT VALID, no rewrite."""
    suffix = "[]" if column.type is not None and column.type.array else ""
    if suffix:
        return "text[]"
    return f"text CHECK (char_length({ident(column.name)}) <= {limit})"


def _sql_help(table: str, column: Column, replacement: str, limit: int, existing: bool) -> str:
    if not existing or replacement != "text":
        return f"{ident(column.name)} {replacement}"
    name = ident(f"{table.rsplit('.', 1)[-1]}_{column.name}_length")
    return (
        f"{ident(column.name)} text\n"
        f"-- then, as its own statement:\n"
        f"ALTER TABLE {qualified(table)} ADD CONSTRAINT {name} "
        f"CHECK (char_length({ident(column.name)}) <= {limit}) NOT VALID;"
    )


def _alembic_help(name: str, limit: int) -> str:
    return f'sa.Column("{name}", sa.Text(), sa.CheckConstraint("char_length({name}) <= {limit}"))'
