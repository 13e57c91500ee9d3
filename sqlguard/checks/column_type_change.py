"""SG013: ALTER COLUMN TYPE rewrites the table and its indexes, unless it is a known safe widening
(rules/SG013-column-type-change.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AlterColumnType, TypeRef
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, type_sql

# Types whose length/precision limit can grow without a rewrite (binary-coercible widening).
_LENGTH_LIMITED = frozenset({"varchar", "varbit", "bit varying"})
_PRECISION_LIMITED = frozenset({"timestamp", "timestamptz", "time", "timetz", "interval"})


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
                    f"ALTER TABLE {table} ADD COLUMN {temp} {new_type};",
                    f"-- keep {temp} in sync with {column} (trigger or application), backfill it in batches,",
                    "-- move reads and writes to it, then:",
                    f"ALTER TABLE {table} DROP COLUMN {column};",
                    f"ALTER TABLE {table} RENAME COLUMN {temp} TO {column};",
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


def is_safe_widening(old: TypeRef, new: TypeRef) -> bool:
    """True when PostgreSQL changes only the catalog: no rewrite, no scan.

    varchar(n) → varchar(m ≥ n) / varchar / text; varchar or text → text / varchar;
    numeric(p, s) → numeric(q ≥ p, s) / numeric; time-like precision growing; cidr → inet.
    """
    if old.array != new.array:
        return False
    if old.name == new.name and old.args == new.args:
        return True
    if old.name in ("varchar", "text") and new.name == "text":
        return True
    if old.name in ("varchar", "text") and new.name == "varchar" and not new.args:
        return True
    if old.name == new.name and old.name in _LENGTH_LIMITED | _PRECISION_LIMITED:
        return _grows(old.args, new.args)
    if old.name == new.name == "numeric":
        if not new.args:
            return True
        if len(old.args) == 0:
            return False
        old_scale = old.args[1] if len(old.args) > 1 else 0
        new_scale = new.args[1] if len(new.args) > 1 else 0
        return new.args[0] >= old.args[0] and new_scale == old_scale
    return old.name == "cidr" and new.name == "inet"


def _grows(old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    if not new:
        return True
    return bool(old) and new[0] >= old[0]
