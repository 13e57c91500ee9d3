"""SG013: ALTER COLUMN TYPE rewrites the table and its indexes, unless it is a known safe widening
(rules/SG013-column-type-change.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.locks import is_safe_widening
from sqlguard.model import AlterColumnType, TypeRef
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, type_sql


@rule("SG013", on=AlterColumnType)
def column_type_change(change: AlterColumnType, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.created_here(change.table):
        return
    old = change.old_type or ctx.schema.column_type_before(
        change.table, change.column, ctx.migration.path, change.span.start
    )
    if change.using is None and old is not None and is_safe_widening(old, change.type):
        return
    if ctx.in_down(change) and _restores(change, ctx):
        return  # a rollback putting back the type the column had: the up made this change
    table, column, new_type = change.table, change.column, type_sql(change.type, change.origin)
    was = f" from {type_sql(old, change.origin)}" if old is not None else ""
    temp = f"{column}_new"
    yield ctx.diagnostic(
        change,
        f'changing "{table}"."{column}"{was} to {new_type} rewrites the table and every index on it '
        "under an ACCESS EXCLUSIVE lock: reads and writes wait until it finishes",
        help=for_origin(
            "\n".join(
                [
                    f"ALTER TABLE {qualified(table)} ADD COLUMN {ident(temp)} {new_type};",
                    f"-- keep {temp} in sync with {column} (trigger or application), backfill it in batches,",
                    "-- move reads and writes to it, then:",
                    f"ALTER TABLE {qualified(table)} DROP COLUMN {ident(column)};",
                    f"ALTER TABLE {qualified(table)} RENAME COLUMN {ident(temp)} TO {ident(column)};",
                ]
            ),
            change.origin,
        ),
    )


def _restores(change: AlterColumnType, ctx: Context) -> bool:
    """The new type is one the column had before its current one (in this chain)."""
    seen = ctx.schema.column_types_seen(change.table, change.column)
    return any(earlier is not None and _same_type(earlier, change.type) for earlier in seen[:-1])


def _same_type(a: TypeRef, b: TypeRef) -> bool:
    return (a.name, a.args, a.array) == (b.name, b.args, b.array)
