"""SG013: ALTER COLUMN TYPE rewrites the table and its indexes, unless it is a known safe widening
(rules/SG013-column-type-change.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.locks import is_safe_widening
from sqlguard.model import AlterColumnType, SetSetting, TypeRef
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
    if _relabel_in_utc(change, old, ctx):
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


# Time zone names whose offset is zero at every date (PostgreSQL needs that, not just now).
UTC_ZONES = frozenset({
    "utc", "etc/utc", "uct", "etc/uct", "gmt", "etc/gmt", "gmt0", "etc/gmt0", "etc/gmt+0", "etc/gmt-0",
    "greenwich", "etc/greenwich", "universal", "etc/universal", "zulu", "etc/zulu", "0",
})


def _relabel_in_utc(change: AlterColumnType, old: TypeRef | None, ctx: Context) -> bool:
    """timestamp ↔ timestamptz after ``SET timezone = 'UTC'`` in the same part of the migration:
    PostgreSQL 12+ then keeps every stored value as it is (binary compatible in UTC), so it only
    changes the catalog, unless USING computes something else or the new type states a precision
    (checked on PostgreSQL 15: only a new type without one, or (6) from a column without one,
    keeps the table's file). An old type the chain has not seen (a column of a renamed table, or
    made outside the linted files) is taken to be the other one of the pair: besides each other,
    only date casts to them automatically, and a date column turned into a timestamp is rare."""
    new = change.type
    pair = {"timestamp", "timestamptz"}
    if ctx.target_version < 12 or new.name not in pair:
        return False
    if old is not None and ({old.name, new.name} != pair or old.array != new.array):
        return False
    if new.args and (old is None or old.args or new.args[0] < 6):  # measured: timestamp(3) → timestamptz(3) rewrites
        return False
    if change.using is not None and change.using.strip('"') != change.column:
        return False
    part = ctx.migration.down_changes if ctx.in_down(change) else ctx.migration.changes
    zone = None
    for other in part:
        if other is change:
            break
        if isinstance(other, SetSetting) and other.name == "timezone":
            zone = (other.value or "").lower()
    return zone in UTC_ZONES


def _restores(change: AlterColumnType, ctx: Context) -> bool:
    """The new type is one the column had before its current one (in this chain)."""
    seen = ctx.schema.column_types_seen(change.table, change.column)
    return any(earlier is not None and _same_type(earlier, change.type) for earlier in seen[:-1])


def _same_type(a: TypeRef, b: TypeRef) -> bool:
    return (a.name, a.args, a.array) == (b.name, b.args, b.array)
