"""Which tables a change locks in ACCESS EXCLUSIVE mode (reads and writes wait).

One table of facts from the PostgreSQL "explicit locking" and ALTER TABLE pages, shared by the
rules that care about lock levels, so none of them keeps its own list.
"""

from __future__ import annotations

from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    AttachPartition,
    Change,
    Cluster,
    DetachPartition,
    DropColumn,
    DropConstraint,
    DropNotNull,
    DropTable,
    RenameColumn,
    RenameTable,
    RewriteTable,
    SetDefault,
    SetGeneratedExpression,
    SetNotNull,
    Truncate,
    Vacuum,
)

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
