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
    AlterColumnType,
    Change,
    CreateIndex,
    CreateTable,
    DropColumn,
    DropIndex,
    DropTable,
    EnableRowLevelSecurity,
    MysqlIndexBuild,
    RenameColumn,
    RenameTable,
    TypeRef,
    ValidateConstraint,
    unqualified,
)

# Where a fact was learnt: (migration path, offset of the change). Facts from another migration
# of the run are older than anything in the migration being checked.
Origin = tuple[str, int]


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
    row_level_security: bool = False


class SchemaState:
    """Tables and indexes known so far, keyed by unqualified name (``public.`` dropped)."""

    def __init__(self) -> None:
        self.tables: dict[str, TableInfo] = {}
        # Indexes grouped by table: questions are always about one table, and a run can hold
        # tens of thousands of indexes, so a flat list would make every lookup linear.
        self.indexes_by_table: dict[str, list[IndexInfo]] = {}
        # Every index ever seen by name, kept after a drop so "was it made here?" still answers.
        self.index_history: dict[str, IndexInfo] = {}
        # The migration that last created each table, kept after a drop (a scratch table made
        # and dropped in one migration was still made there).
        self.table_history: dict[str, str] = {}
        # (table, column) -> every type it had, in order, with where it got it.
        self.type_history: dict[tuple[str, str], list[tuple[Origin, TypeRef | None]]] = {}
        # (table, column) -> where a validated CHECK (column IS NOT NULL) came to exist.
        self.not_null_proofs: dict[tuple[str, str], list[Origin]] = {}
        # (table, column) of STORED generated columns seen so far.
        self.stored_generated: set[tuple[str, str]] = set()
        # (table, constraint) -> columns a NOT VALID check would prove once validated.
        self._pending_checks: dict[tuple[str, str], tuple[str, ...]] = {}

    @property
    def indexes(self) -> list[IndexInfo]:
        return [index for indexes in self.indexes_by_table.values() for index in indexes]

    # -- questions rules ask --------------------------------------------------------------------
    def created_in(self, table: str, migration: str) -> bool:
        info = self.tables.get(unqualified(table))
        if info is None:
            return self.table_history.get(unqualified(table)) == migration
        return info.migration == migration

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

    def column_type(self, table: str, column: str) -> str | None:
        """The canonical type name of ``table.column`` if the run has seen it declared."""
        info = self.tables.get(unqualified(table))
        return info.columns.get(column) if info is not None else None

    def has_row_level_security(self, table: str) -> bool:
        info = self.tables.get(unqualified(table))
        return info is not None and info.row_level_security

    def column_type_before(self, table: str, column: str, migration: str, offset: int) -> TypeRef | None:
        """The column's type just before ``offset`` of ``migration`` (None when unknown)."""
        history = self.type_history.get((unqualified(table), column), [])
        known = [type_ref for origin, type_ref in history if _before(origin, migration, offset)]
        return known[-1] if known else None

    def not_null_proven(self, table: str, column: str, migration: str, offset: int) -> bool:
        """A validated ``CHECK (column IS NOT NULL)`` exists before ``offset`` of ``migration``."""
        proofs = self.not_null_proofs.get((unqualified(table), column), [])
        return any(_before(origin, migration, offset) for origin in proofs)

    # -- applying changes ----------------------------------------------------------------------
    def apply(self, change: Change, migration: str) -> None:
        self._record_facts(change, migration)
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
        elif isinstance(change, EnableRowLevelSecurity):
            table = self.tables.get(unqualified(change.table))
            if table is not None:
                table.row_level_security = True
        elif isinstance(change, MysqlIndexBuild):
            self._add_index(change.name, change.table, change.columns, migration)

    def _record_facts(self, change: Change, migration: str) -> None:
        """Column types and NOT NULL proofs, remembered with where they were learnt."""
        origin = (migration, change.span.start)
        for table, column in change.columns_declared():
            self.type_history.setdefault((unqualified(table), column.name), []).append((origin, column.type))
            if column.generated_stored:
                self.stored_generated.add((unqualified(table), column.name))
        if isinstance(change, AlterColumnType):
            self.type_history.setdefault((unqualified(change.table), change.column), []).append(
                (origin, change.type)
            )
        elif isinstance(change, RenameColumn):
            key = (unqualified(change.table), change.column)
            if key in self.type_history:
                self.type_history[(key[0], change.new_name)] = list(self.type_history[key])
        elif isinstance(change, AddConstraint) and change.constraint.not_null_columns:
            constraint = change.constraint
            if constraint.not_valid and constraint.name:
                key = (unqualified(change.table), constraint.name)
                self._pending_checks[key] = constraint.not_null_columns
            elif not constraint.not_valid:
                self._prove(change.table, constraint.not_null_columns, origin)
        elif isinstance(change, ValidateConstraint):
            columns = self._pending_checks.get((unqualified(change.table), change.name), ())
            self._prove(change.table, columns, origin)

    def _prove(self, table: str, columns: tuple[str, ...], origin: Origin) -> None:
        for column in columns:
            self.not_null_proofs.setdefault((unqualified(table), column), []).append(origin)

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
        self.table_history[name] = migration
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


def _before(origin: Origin, migration: str, offset: int) -> bool:
    return origin[0] != migration or origin[1] < offset
