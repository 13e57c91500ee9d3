"""Schema state: what tables, columns and indexes exist so far in this run, and who made them.

The engine applies each migration's up changes in order. Rules then ask questions of the state
("is this foreign key covered by an index?", "was this table created in this migration?"), so
facts that several rules share are computed here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlguard.model import (
    AddColumn,
    AddConstraint,
    Change,
    CreateIndex,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    RenameColumn,
    RenameTable,
    unqualified,
)


@dataclass
class IndexInfo:
    name: str | None
    table: str
    columns: tuple[str | None, ...]
    migration: str


@dataclass
class TableInfo:
    name: str
    migration: str
    columns: dict[str, str | None] = field(default_factory=dict)


class SchemaState:
    """Tables and indexes known so far, keyed by unqualified name (``public.`` dropped)."""

    def __init__(self) -> None:
        self.tables: dict[str, TableInfo] = {}
        # Indexes grouped by table: questions are always about one table, and a run can hold
        # tens of thousands of indexes, so a flat list would make every lookup linear.
        self.indexes_by_table: dict[str, list[IndexInfo]] = {}
        # Every index ever seen by name, kept after a drop so "was it made here?" still answers.
        self.index_history: dict[str, IndexInfo] = {}

    @property
    def indexes(self) -> list[IndexInfo]:
        return [index for indexes in self.indexes_by_table.values() for index in indexes]

    # -- questions rules ask --------------------------------------------------------------------
    def created_in(self, table: str, migration: str) -> bool:
        info = self.tables.get(unqualified(table))
        return info is not None and info.migration == migration

    def index_table(self, index_name: str) -> str | None:
        info = self.index_history.get(unqualified(index_name))
        return info.table if info is not None else None

    def index_created_in(self, index_name: str, migration: str) -> bool:
        info = self.index_history.get(unqualified(index_name))
        return info is not None and info.migration == migration

    def has_index_leading_with(self, table: str, columns: tuple[str, ...]) -> bool:
        """True if some index on ``table`` has exactly ``columns`` (in any order) as its first keys."""
        wanted = set(columns)
        for index in self.indexes_by_table.get(unqualified(table), ()):
            if len(index.columns) < len(columns):
                continue
            leading = index.columns[: len(columns)]
            if None not in leading and set(leading) == wanted:
                return True
        return False

    # -- applying changes ----------------------------------------------------------------------
    def apply(self, change: Change, migration: str) -> None:
        if isinstance(change, CreateTable):
            self._create_table(change, migration)
        elif isinstance(change, AddColumn):
            table = self.tables.get(unqualified(change.table))
            if table is not None:
                table.columns[change.column.name] = change.column.type.name if change.column.type else None
            if change.column.primary_key or change.column.unique:
                self._add_index(None, change.table, (change.column.name,), migration)
        elif isinstance(change, AddConstraint):
            constraint = change.constraint
            if constraint.kind in ("primary", "unique", "exclusion") and constraint.columns:
                self._add_index(constraint.name, change.table, constraint.columns, migration)
        elif isinstance(change, CreateIndex):
            self._add_index(change.name, change.table, change.columns, migration)
        elif isinstance(change, DropIndex):
            for name in change.names:
                self._drop_index(unqualified(name))
        elif isinstance(change, DropTable):
            for name in change.tables:
                self._drop_table(unqualified(name))
        elif isinstance(change, DropColumn):
            table = self.tables.get(unqualified(change.table))
            if table is not None:
                table.columns.pop(change.column, None)
            key = unqualified(change.table)
            if key in self.indexes_by_table:
                self.indexes_by_table[key] = [
                    index for index in self.indexes_by_table[key] if change.column not in index.columns
                ]
        elif isinstance(change, RenameTable):
            self._rename_table(unqualified(change.table), unqualified(change.new_name))
        elif isinstance(change, RenameColumn):
            self._rename_column(unqualified(change.table), change.column, change.new_name)

    def _create_table(self, change: CreateTable, migration: str) -> None:
        name = unqualified(change.table)
        if change.if_not_exists and name in self.tables:
            return
        info = TableInfo(name, migration)
        for column in change.columns:
            info.columns[column.name] = column.type.name if column.type else None
            if column.primary_key or column.unique:
                self._add_index(None, name, (column.name,), migration)
        self.tables[name] = info
        for constraint in change.constraints:
            if constraint.kind in ("primary", "unique", "exclusion") and constraint.columns:
                self._add_index(constraint.name, name, constraint.columns, migration)

    def _add_index(
        self, name: str | None, table: str, columns: tuple[str | None, ...], migration: str
    ) -> None:
        info = IndexInfo(unqualified(name) if name else None, unqualified(table), tuple(columns), migration)
        self.indexes_by_table.setdefault(info.table, []).append(info)
        if info.name is not None:
            self.index_history[info.name] = info

    def _drop_index(self, name: str) -> None:
        info = self.index_history.get(name)
        if info is not None and info.table in self.indexes_by_table:
            self.indexes_by_table[info.table] = [i for i in self.indexes_by_table[info.table] if i.name != name]

    def _drop_table(self, name: str) -> None:
        self.tables.pop(name, None)
        self.indexes_by_table.pop(name, None)

    def _rename_table(self, old: str, new: str) -> None:
        info = self.tables.pop(old, None)
        if info is not None:
            info.name = new
            self.tables[new] = info
        moved = self.indexes_by_table.pop(old, [])
        for index in moved:
            index.table = new
        if moved:
            self.indexes_by_table.setdefault(new, []).extend(moved)

    def _rename_column(self, table: str, old: str, new: str) -> None:
        info = self.tables.get(table)
        if info is not None and old in info.columns:
            info.columns[new] = info.columns.pop(old)
        for index in self.indexes_by_table.get(table, ()):
            index.columns = tuple(new if column == old else column for column in index.columns)
