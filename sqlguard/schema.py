"""Schema state: what tables, columns and indexes exist at one point of a migration chain.

The engine folds a chain statement by statement: each change is checked against the state just
before it, then applied. Rules ask questions of the state ("is this foreign key covered by an
index?", "was this table created in this migration?"), so facts that several rules share are
computed here once.

A state is cheap to branch (``branch``): a branch records only what it changes and reads the rest
through to its parent. A down phase branches the state after its up, the editor branches the state
before the open file on every keystroke, and ``--fix`` branches it for every round, all without
copying the chain's tables. Values are never changed in place (a changed table is a new
``TableInfo``), so a branch's writes cannot leak into its parent; the parent must not change while
a branch of it is in use.

Names are keyed as the change spells them with ``public.`` dropped (``unqualified``): other
schemas stay part of the name, so ``app.orders`` and ``orders`` are different tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlguard.diagnostics import Span
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
# of the chain are older than anything in the migration being checked.
Origin = tuple[str, int]

K = TypeVar("K")
V = TypeVar("V")
_GONE = object()  # a key deleted in this layer (its parent may still hold it)
_ABSENT = object()


class Layered(Generic[K, V]):
    """A mapping that writes to its own dict and reads through to a parent layer."""

    __slots__ = ("_own", "_parent")

    def __init__(self, parent: Layered[K, V] | None = None) -> None:
        self._own: dict[K, object] = {}
        self._parent = parent

    def get(self, key: K, default: V | None = None) -> V | None:
        layer: Layered[K, V] | None = self
        while layer is not None:
            value = layer._own.get(key, _ABSENT)
            if value is not _ABSENT:
                return default if value is _GONE else value  # type: ignore[return-value]
            layer = layer._parent
        return default

    def __contains__(self, key: K) -> bool:
        return self.get(key, _ABSENT) is not _ABSENT  # type: ignore[arg-type]

    def __setitem__(self, key: K, value: V) -> None:
        self._own[key] = value

    def pop(self, key: K) -> V | None:
        value = self.get(key)
        if self._parent is None:
            self._own.pop(key, None)
        else:
            self._own[key] = _GONE
        return value

    def items(self) -> Iterator[tuple[K, V]]:
        merged: dict[K, object] = {}
        layers: list[Layered[K, V]] = []
        layer: Layered[K, V] | None = self
        while layer is not None:
            layers.append(layer)
            layer = layer._parent
        for each in reversed(layers):
            merged.update(each._own)
        return ((key, value) for key, value in merged.items() if value is not _GONE)  # type: ignore[misc]

    def branch(self) -> Layered[K, V]:
        return Layered(self)


@dataclass(frozen=True)
class IndexInfo:
    name: str | None
    table: str
    columns: tuple[str | None, ...]
    migration: str
    # A partial index (WHERE ...) serves PostgreSQL's foreign key checks only when its WHERE
    # asks nothing but that ``not_null_where`` (some of the key's columns) be non-null.
    partial: bool = False
    not_null_where: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableInfo:
    name: str
    migration: str
    # column -> canonical type name (None when unknown)
    columns: dict[str, str | None] = field(default_factory=dict)
    # column -> the migration that added it (CREATE TABLE or ADD COLUMN)
    column_migrations: dict[str, str] = field(default_factory=dict)
    row_level_security: bool = False


class SchemaState:
    """Tables and indexes known at one point of a chain, keyed by name (``public.`` dropped)."""

    def __init__(self, parent: SchemaState | None = None) -> None:
        self.tables: Layered[str, TableInfo] = Layered(parent.tables if parent else None)
        # Indexes grouped by table: questions are always about one table, and a chain can hold
        # tens of thousands of indexes, so a flat list would make every lookup linear.
        self.indexes_by_table: Layered[str, tuple[IndexInfo, ...]] = Layered(
            parent.indexes_by_table if parent else None
        )
        # Every index ever seen by name, kept after a drop so "was it made here?" still answers.
        self.index_history: Layered[str, IndexInfo] = Layered(parent.index_history if parent else None)
        # The migration that last created each table, kept after a drop (a scratch table made
        # and dropped in one migration was still made there).
        self.table_history: Layered[str, str] = Layered(parent.table_history if parent else None)
        # (table, column) -> every type it had, in order, with where it got it.
        self.type_history: Layered[tuple[str, str], tuple[tuple[Origin, TypeRef | None], ...]] = Layered(
            parent.type_history if parent else None
        )
        # (table, column) -> where a validated CHECK (column IS NOT NULL) came to exist.
        self.not_null_proofs: Layered[tuple[str, str], tuple[Origin, ...]] = Layered(
            parent.not_null_proofs if parent else None
        )
        # (table, column) of STORED generated columns seen so far.
        self.stored_generated: Layered[tuple[str, str], bool] = Layered(parent.stored_generated if parent else None)
        # (table, constraint) -> columns a NOT VALID check would prove once validated.
        self._pending_checks: Layered[tuple[str, str], tuple[str, ...]] = Layered(
            parent._pending_checks if parent else None
        )

    def branch(self) -> SchemaState:
        """A state that starts equal to this one and changes on its own (this one must not change
        while the branch is used)."""
        return SchemaState(self)

    @property
    def indexes(self) -> list[IndexInfo]:
        return [index for _, indexes in self.indexes_by_table.items() for index in indexes]

    # -- questions rules ask --------------------------------------------------------------------
    def created_in(self, table: str, migration: str) -> bool:
        """The table exists now and was created by ``migration`` (or was created there and has
        been dropped since: a scratch table made and dropped in one migration)."""
        info = self.tables.get(unqualified(table))
        if info is None:
            return self.table_history.get(unqualified(table)) == migration
        return info.migration == migration

    def column_created_in(self, table: str, column: str, migration: str) -> bool:
        """The column exists now and was added by ``migration`` (running code cannot know it yet)."""
        info = self.tables.get(unqualified(table))
        return info is not None and info.column_migrations.get(column) == migration

    def index_table(self, index_name: str) -> str | None:
        info = self.index_history.get(unqualified(index_name))
        return info.table if info is not None else None

    def index_created_in(self, index_name: str, migration: str) -> bool:
        info = self.index_history.get(unqualified(index_name))
        return info is not None and info.migration == migration

    def has_index_leading_with(self, table: str, columns: tuple[str, ...]) -> bool:
        """True if some index on ``table`` lets PostgreSQL's foreign key check on ``columns``
        (``WHERE a = $1 AND b = $2``) find its rows without reading the whole table: its first
        keys are the key's first columns, all of them or a prefix (in any order; an index on
        ``(user_id)`` serves a key ``(user_id, type)``), and it is not partial, or its WHERE only
        asks key columns to be non-null, which every ``col = $1`` implies."""
        for index in self.indexes_by_table.get(unqualified(table)) or ():
            if index.partial and not (index.not_null_where and set(index.not_null_where) <= set(columns)):
                continue
            leading: list[str] = []
            for key in index.columns[: len(columns)]:
                if key is None or key not in columns:
                    break
                leading.append(key)
            if leading and set(leading) == set(columns[: len(leading)]):
                return True
        return False

    def column_type(self, table: str, column: str) -> str | None:
        """The canonical type name of ``table.column`` if the chain has seen it declared."""
        info = self.tables.get(unqualified(table))
        return info.columns.get(column) if info is not None else None

    def has_row_level_security(self, table: str) -> bool:
        info = self.tables.get(unqualified(table))
        return info is not None and info.row_level_security

    def column_type_before(self, table: str, column: str, migration: str, offset: int) -> TypeRef | None:
        """The column's type just before ``offset`` of ``migration`` (None when unknown)."""
        history = self.type_history.get((unqualified(table), column)) or ()
        known = [type_ref for origin, type_ref in history if _before(origin, migration, offset)]
        return known[-1] if known else None

    def column_types_seen(self, table: str, column: str) -> tuple[TypeRef | None, ...]:
        """Every type the column has had in the chain so far, oldest first."""
        return tuple(type_ref for _, type_ref in self.type_history.get((unqualified(table), column)) or ())

    def not_null_proven(self, table: str, column: str, migration: str, offset: int) -> bool:
        """A validated ``CHECK (column IS NOT NULL)`` exists before ``offset`` of ``migration``."""
        proofs = self.not_null_proofs.get((unqualified(table), column)) or ()
        return any(_before(origin, migration, offset) for origin in proofs)

    # -- applying changes ----------------------------------------------------------------------
    def apply(self, change: Change, migration: str) -> None:
        self._record_facts(change, migration)
        if isinstance(change, CreateTable):
            self._create_table(change, migration)
        elif isinstance(change, AddColumn):
            self._add_column(change, migration)
        elif isinstance(change, AddConstraint):
            constraint = change.constraint
            if constraint.kind in ("primary", "unique", "exclusion") and constraint.columns:
                self._add_index(constraint.name, change.table, constraint.columns, migration)
        elif isinstance(change, CreateIndex):
            self._add_index(change.name, change.table, change.columns, migration, partial=change.partial,
                            not_null_where=change.not_null_where)
        elif isinstance(change, DropIndex):
            for name in change.names:
                self._drop_index(unqualified(name))
        elif isinstance(change, DropTable):
            for name in change.tables:
                self._drop_table(unqualified(name))
        elif isinstance(change, DropColumn):
            self._drop_column(unqualified(change.table), change.column)
        elif isinstance(change, RenameTable):
            self._rename_table(unqualified(change.table), unqualified(change.new_name))
        elif isinstance(change, RenameColumn):
            self._rename_column(unqualified(change.table), change.column, change.new_name)
        elif isinstance(change, EnableRowLevelSecurity):
            table = self.tables.get(unqualified(change.table))
            if table is not None:
                self.tables[table.name] = dataclasses.replace(table, row_level_security=True)
        elif isinstance(change, MysqlIndexBuild):
            self._add_index(change.name, change.table, change.columns, migration)

    def _record_facts(self, change: Change, migration: str) -> None:
        """Column types and NOT NULL proofs, remembered with where they were learnt."""
        origin = (migration, change.span.start)
        for table, column in change.columns_declared():
            self._append_type(table, column.name, origin, column.type)
            if column.generated_stored:
                self.stored_generated[(unqualified(table), column.name)] = True
        if isinstance(change, AlterColumnType):
            self._append_type(change.table, change.column, origin, change.type)
        elif isinstance(change, RenameColumn):
            key = (unqualified(change.table), change.column)
            history = self.type_history.get(key)
            if history is not None:
                self.type_history[(key[0], change.new_name)] = history
        elif isinstance(change, AddConstraint) and change.constraint.not_null_columns:
            constraint = change.constraint
            if constraint.not_valid and constraint.name:
                self._pending_checks[(unqualified(change.table), constraint.name)] = constraint.not_null_columns
            elif not constraint.not_valid:
                self._prove(change.table, constraint.not_null_columns, origin)
        elif isinstance(change, ValidateConstraint):
            columns = self._pending_checks.get((unqualified(change.table), change.name)) or ()
            self._prove(change.table, columns, origin)

    def _append_type(self, table: str, column: str, origin: Origin, type_ref: TypeRef | None) -> None:
        key = (unqualified(table), column)
        self.type_history[key] = (*(self.type_history.get(key) or ()), (origin, type_ref))

    def _prove(self, table: str, columns: tuple[str, ...], origin: Origin) -> None:
        for column in columns:
            key = (unqualified(table), column)
            self.not_null_proofs[key] = (*(self.not_null_proofs.get(key) or ()), origin)

    def _create_table(self, change: CreateTable, migration: str) -> None:
        name = unqualified(change.table)
        if change.if_not_exists and name in self.tables:
            return
        columns = {column.name: column.type.name if column.type else None for column in change.columns}
        self.tables[name] = TableInfo(name, migration, columns, dict.fromkeys(columns, migration))
        self.table_history[name] = migration
        for column in change.columns:
            if column.primary_key or column.unique:
                self._add_index(None, name, (column.name,), migration)
        for constraint in change.constraints:
            if constraint.kind in ("primary", "unique", "exclusion") and constraint.columns:
                self._add_index(constraint.name, name, constraint.columns, migration)

    def _add_column(self, change: AddColumn, migration: str) -> None:
        key = unqualified(change.table)
        table = self.tables.get(key)
        column = change.column
        if table is None:  # a table from before the chain: what is known of it starts here
            table = TableInfo(key, migration="")
        if not (change.if_not_exists and column.name in table.columns):
            self.tables[key] = dataclasses.replace(
                table,
                columns={**table.columns, column.name: column.type.name if column.type else None},
                column_migrations={**table.column_migrations, column.name: migration},
            )
        if column.primary_key or column.unique:
            self._add_index(None, change.table, (column.name,), migration)

    def _drop_column(self, table_key: str, column: str) -> None:
        table = self.tables.get(table_key)
        if table is not None:
            self.tables[table_key] = dataclasses.replace(
                table,
                columns={k: v for k, v in table.columns.items() if k != column},
                column_migrations={k: v for k, v in table.column_migrations.items() if k != column},
            )
        indexes = self.indexes_by_table.get(table_key)
        if indexes:
            self.indexes_by_table[table_key] = tuple(index for index in indexes if column not in index.columns)

    def _add_index(
        self,
        name: str | None,
        table: str,
        columns: tuple[str | None, ...],
        migration: str,
        *,
        partial: bool = False,
        not_null_where: tuple[str, ...] = (),
    ) -> None:
        table = unqualified(table)
        if name and "." not in name and "." in table:  # an index lives in its table's schema
            name = f"{table.rsplit('.', 1)[0]}.{name}"
        info = IndexInfo(unqualified(name) if name else None, table, tuple(columns), migration, partial, not_null_where)
        self.indexes_by_table[info.table] = (*(self.indexes_by_table.get(info.table) or ()), info)
        if info.name is not None:
            self.index_history[info.name] = info

    def _drop_index(self, name: str) -> None:
        info = self.index_history.get(name)
        if info is None:
            return
        indexes = self.indexes_by_table.get(info.table)
        if indexes:
            self.indexes_by_table[info.table] = tuple(i for i in indexes if i.name != name)

    def _drop_table(self, name: str) -> None:
        self.tables.pop(name)
        self.indexes_by_table.pop(name)

    def _rename_table(self, old: str, new: str) -> None:
        info = self.tables.pop(old)
        if info is not None:
            self.tables[new] = dataclasses.replace(info, name=new)
        moved = tuple(dataclasses.replace(index, table=new) for index in self.indexes_by_table.pop(old) or ())
        for index in moved:
            if index.name is not None:
                self.index_history[index.name] = index
        if moved:
            self.indexes_by_table[new] = (*(self.indexes_by_table.get(new) or ()), *moved)

    def _rename_column(self, table: str, old: str, new: str) -> None:
        info = self.tables.get(table)
        if info is not None and old in info.columns:
            self.tables[table] = dataclasses.replace(
                info,
                columns={(new if k == old else k): v for k, v in info.columns.items()},
                column_migrations={(new if k == old else k): v for k, v in info.column_migrations.items()},
            )
        indexes = self.indexes_by_table.get(table)
        if indexes:
            renamed = tuple(
                dataclasses.replace(index, columns=tuple(new if c == old else c for c in index.columns))
                for index in indexes
            )
            self.indexes_by_table[table] = renamed
            for index in renamed:
                if index.name is not None:
                    self.index_history[index.name] = index


    # -- plain data, for state snapshots ----------------------------------------------------------
    def to_data(self) -> dict[str, list[Any]]:
        """The state as JSON-able plain values (``from_data`` reads it back): snapshots on disk
        must be data that loading cannot execute, never pickles.

        Migration paths and column types repeat thousands of times in a long chain, so each is
        written once in a table and referred to by its place. A type keeps what checks read of an
        earlier type (name, arguments, array, spelling), not its place in its own file."""
        paths: dict[str, int] = {}
        types: dict[tuple[Any, ...], int] = {}

        def path(name: str) -> int:
            return paths.setdefault(name, len(paths))

        def type_(ref: TypeRef | None) -> int:
            if ref is None:
                return -1
            shape = (ref.name, ref.args, ref.array, ref.written, ref.py_callee, ref.py_args)
            return types.setdefault(shape, len(types))

        def index(info: IndexInfo) -> list[Any]:
            # a partial index whose WHERE only asks columns to be non-null is written as their list
            partial = list(info.not_null_where) if info.not_null_where else info.partial
            return [info.name, info.table, list(info.columns), path(info.migration), partial]

        body: dict[str, list[Any]] = {
            "tables": [
                [t.name, path(t.migration), list(t.columns.items()),
                 [[c, path(m)] for c, m in t.column_migrations.items()], t.row_level_security]
                for _, t in self.tables.items()
            ],
            "indexes": [[table, [index(i) for i in indexes]] for table, indexes in self.indexes_by_table.items()],
            "index_history": [[name, index(info)] for name, info in self.index_history.items()],
            "table_history": [[name, path(migration)] for name, migration in self.table_history.items()],
            "types": [
                [list(key), [[path(origin[0]), origin[1], type_(ref)] for origin, ref in history]]
                for key, history in self.type_history.items()
            ],
            "proofs": [
                [list(key), [[path(o[0]), o[1]] for o in origins]] for key, origins in self.not_null_proofs.items()
            ],
            "stored": [list(key) for key, _ in self.stored_generated.items()],
            "pending": [[list(key), list(columns)] for key, columns in self._pending_checks.items()],
        }
        return {"paths": list(paths), "type_table": [[n, list(a), r, w, c, list(p)] for n, a, r, w, c, p in types],
                **body}

    @classmethod
    def from_data(cls, data: dict[str, list[Any]]) -> SchemaState:
        """The state ``to_data`` wrote; raises (KeyError, TypeError, ValueError, IndexError) on
        anything else."""
        paths = [str(p) for p in data["paths"]]
        no_span = Span(0, 0)
        types = [
            TypeRef(name=str(n), args=tuple(int(x) for x in a), array=bool(r), span=no_span, written=str(w),
                    py_callee=None if c is None else str(c), py_args=tuple(str(x) for x in p))
            for n, a, r, w, c, p in data["type_table"]
        ]

        def index(raw: list[Any]) -> IndexInfo:
            name, table, columns, migration, partial = raw
            not_null = tuple(str(c) for c in partial) if isinstance(partial, list) else ()
            return IndexInfo(None if name is None else str(name), str(table), tuple(columns), paths[migration],
                             bool(partial), not_null)

        state = cls()
        for name, migration, columns, origins, rls in data["tables"]:
            state.tables[str(name)] = TableInfo(
                str(name),
                paths[migration],
                {str(c): None if t is None else str(t) for c, t in columns},
                {str(c): paths[m] for c, m in origins},
                bool(rls),
            )
        for table, indexes in data["indexes"]:
            state.indexes_by_table[str(table)] = tuple(index(i) for i in indexes)
        for name, info in data["index_history"]:
            state.index_history[str(name)] = index(info)
        for name, migration in data["table_history"]:
            state.table_history[str(name)] = paths[migration]
        for (table, column), history in data["types"]:
            state.type_history[(str(table), str(column))] = tuple(
                ((paths[p], int(offset)), types[t] if t >= 0 else None) for p, offset, t in history
            )
        for (table, column), origins in data["proofs"]:
            state.not_null_proofs[(str(table), str(column))] = tuple((paths[p], int(o)) for p, o in origins)
        for table, column in data["stored"]:
            state.stored_generated[(str(table), str(column))] = True
        for (table, name), columns in data["pending"]:
            state._pending_checks[(str(table), str(name))] = tuple(str(c) for c in columns)
        return state


def _before(origin: Origin, migration: str, offset: int) -> bool:
    return origin[0] != migration or origin[1] < offset
