"""Which tables a change locks in ACCESS EXCLUSIVE mode (reads and writes wait), and which
existing table a statement waits for a lock on at all.

One table of facts from the PostgreSQL "explicit locking" and ALTER TABLE pages, shared by the
rules that care about lock levels, so none of them keeps its own list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AlterColumnType,
    AttachPartition,
    BehaviourChange,
    Change,
    Cluster,
    Column,
    ColumnGenerationChange,
    CreateIndex,
    CreateTable,
    DetachPartition,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    EnableRowLevelSecurity,
    Migration,
    RawStatement,
    Reindex,
    RenameColumn,
    RenameTable,
    RewriteTable,
    SetDefault,
    SetGeneratedExpression,
    SetNotNull,
    SetSetting,
    Truncate,
    TypeRef,
    Vacuum,
    ValidateConstraint,
)

if TYPE_CHECKING:
    from sqlguard.context import Context

# ALTER TABLE forms that take ACCESS EXCLUSIVE on the table they name.
_ALTER_TABLE_EXCLUSIVE = (
    AddColumn,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropColumn,
    DropConstraint,
    RenameColumn,
    RenameTable,
    RewriteTable,
    SetGeneratedExpression,
)


def access_exclusive_tables(change: Change) -> tuple[str, ...]:
    """Tables ``change`` holds in ACCESS EXCLUSIVE mode until its transaction ends.

    ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE (writes wait, reads go on), so it is not listed;
    DETACH PARTITION CONCURRENTLY and plain VACUUM take weaker locks too.
    """
    if isinstance(change, _ALTER_TABLE_EXCLUSIVE):
        return (change.table,)
    if isinstance(change, AddConstraint):
        return () if change.constraint.kind == "foreign" else (change.table,)
    if isinstance(change, DropTable | Truncate):
        return change.tables
    if isinstance(change, Vacuum):
        return change.tables if change.full else ()
    if isinstance(change, Cluster):
        return (change.table,) if change.table else ()
    if isinstance(change, DetachPartition):
        return () if change.concurrently or change.finalize else (change.table, change.partition)
    if isinstance(change, AttachPartition):
        return (change.partition,)
    return ()


# Types whose length/precision limit can grow without a rewrite (binary-coercible widening).
_LENGTH_LIMITED = frozenset({"varchar", "varbit", "bit varying"})
_PRECISION_LIMITED = frozenset({"timestamp", "timestamptz", "time", "timetz", "interval"})


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


# Built-in functions that are not VOLATILE (IMMUTABLE or STABLE): since PostgreSQL 11 a default
# made of these is evaluated once, stored in the catalog, and the table is not rewritten.
# Anything not listed (user functions included) is treated as volatile.
NON_VOLATILE = frozenset(
    {
        "now",
        "current_timestamp",
        "current_timestamp_n",
        "current_date",
        "current_time",
        "current_time_n",
        "localtime",
        "localtime_n",
        "localtimestamp",
        "localtimestamp_n",
        "transaction_timestamp",
        "statement_timestamp",
        "current_user",
        "current_role",
        "session_user",
        "user",
        "current_catalog",
        "current_schema",
        "lower",
        "upper",
        "length",
        "concat",
        "md5",
        "abs",
        "round",
        "date_trunc",
        "timezone",
        "make_date",
        "make_interval",
        "to_jsonb",
        "to_json",
        "jsonb_build_object",
        "json_build_object",
        "jsonb_build_array",
        "json_build_array",
        "array_fill",
    }
)


def volatile_calls(column: Column) -> tuple[str, ...]:
    """Calls in the column's default that are not known to be non-volatile (front ends list the
    calls): such a default is computed per row, so ADD COLUMN rewrites the table."""
    return tuple(name for name in column.default_calls if name not in NON_VOLATILE)


def add_column_rewrites(column: Column, target_version: int) -> bool:
    """True when ADD COLUMN of ``column`` writes every existing row (or builds an index over
    them) instead of only editing the catalog: a volatile default (any default before
    PostgreSQL 11), a stored generated column, identity or serial numbering, a key or UNIQUE."""
    has_value = column.has_default and not column.default_is_null
    return (
        (has_value and (bool(volatile_calls(column)) or target_version < 11))
        or column.generated_stored
        or column.identity
        or (column.type is not None and column.type.is_serial)
        or column.primary_key
        or column.unique
    )


_WAITING_CHANGES = (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropColumn,
    RenameColumn,
    RenameTable,
    DropConstraint,
    ValidateConstraint,
    EnableRowLevelSecurity,
    CreateIndex,
    ColumnGenerationChange,
    BehaviourChange,
)


def locked_table(change: Change, ctx: Context) -> str | None:
    """The existing table whose lock this change waits for, or None if it takes no such lock
    (the statements SG050 and SG055 want a timeout before)."""
    candidates: list[str] = []
    if isinstance(change, _WAITING_CHANGES):
        if isinstance(change, CreateIndex) and change.concurrently:
            return None
        candidates = [change.table]
    elif isinstance(change, DropTable | Truncate):
        candidates = list(change.tables)
    elif isinstance(change, DropIndex | Reindex) and not change.concurrently:
        names = change.names if isinstance(change, DropIndex) else (change.name,) if change.name else ()
        candidates = [ctx.schema.index_table(name) or name for name in names]
    elif isinstance(change, CreateTable):
        candidates = [fk.ref_table for fk in change.foreign_keys()]
    elif isinstance(change, AddEnumValue):
        return None
    elif isinstance(change, RawStatement) and change.kind.startswith("AlterTable."):
        return _raw_alter_table(change)
    return next((table for table in candidates if table and not ctx.created_here(table)), None)


def _raw_alter_table(change: RawStatement) -> str:
    """Unmodelled ALTER TABLE subcommands still lock; name the table as written."""
    words = change.statement.split()
    rest = [w for w in words[2:] if w.upper() not in ("ONLY", "IF", "EXISTS")]
    return rest[0].strip('"') if rest else "table"


def first_lock_without(migration: Migration, ctx: Context, setting: str) -> tuple[Change, str] | None:
    """The first statement of the up part that takes a lock on a live table (and that table)
    before ``setting`` (``lock_timeout``, ``statement_timeout``) is set to something other than 0,
    or None: SG050 and SG055 ask the same question of two settings."""
    for change in migration.changes:
        if isinstance(change, SetSetting) and change.name == setting:
            if change.value not in (None, "0"):
                return None
            continue
        table = locked_table(change, ctx)
        if table is not None:
            return change, table
    return None
