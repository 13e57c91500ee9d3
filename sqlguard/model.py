"""The migration model: ordered changes with exact spans, the same for SQL and Alembic.

Front ends (``frontends/sql.py`` with pglast, ``frontends/alembic.py`` with libcst) produce these;
rules read them. A change carries the facts rules need (concurrently, not valid, inside a
transaction, column types...) so no rule ever walks a parse tree. Anything not modelled yet
arrives as ``RawStatement`` so no statement is silently dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from sqlguard.diagnostics import Diagnostic, Span
from sqlguard.records import Record, record

Origin = Literal["sql", "python"]
BlockKind = Literal["", "do", "function"]


def unqualified(name: str) -> str:
    """``public.orders`` and ``orders`` are the same table for schema bookkeeping."""
    return name[len("public.") :] if name.startswith("public.") else name


@record
class TypeRef(Record):
    """A column type, normalised to PostgreSQL's canonical name (``int4`` → ``integer``)."""

    name: str
    args: tuple[int, ...] = ()
    array: bool = False
    span: Span
    written: str = ""
    # Python front end only: the dotted name a type is written as (``sa.DateTime``, called or not)
    # and each argument's source except a ``timezone=`` keyword; None for SQL or any other shape.
    py_callee: str | None = None
    py_args: tuple[str, ...] = ()

    @property
    def is_serial(self) -> bool:
        return self.name in {"serial", "bigserial", "smallserial"}


@record
class ForeignKey(Record):
    """A foreign key from ``table(columns)`` to ``ref_table(ref_columns)``."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...] = ()
    name: str | None = None
    not_valid: bool = False
    span: Span


@record
class Column(Record):
    """A column as declared in CREATE TABLE or ADD COLUMN."""

    name: str
    type: TypeRef | None
    span: Span
    not_null: bool = False
    primary_key: bool = False
    unique: bool = False
    has_default: bool = False
    default_sql: str | None = None
    identity: bool = False
    generated_stored: bool = False
    # Where the word STORED is written (SQL front end), for help that swaps it for VIRTUAL.
    stored_span: Span | None = None
    autoincrement: bool = False
    references: ForeignKey | None = None
    # Functions the DEFAULT expression calls, lower-case and unqualified (``now``, ``random``);
    # empty for a constant. Rules judge volatility from these names, never from a parse tree.
    default_calls: tuple[str, ...] = ()
    # The default is the literal NULL (or absent): adding such a column never rewrites.
    default_is_null: bool = False


ConstraintKind = Literal["primary", "unique", "check", "foreign", "exclusion", "not_null", "other"]


@record
class Constraint(Record):
    """A table constraint (inline in CREATE TABLE or added by ALTER TABLE)."""

    kind: ConstraintKind
    name: str | None = None
    columns: tuple[str, ...] = ()
    not_valid: bool = False
    using_index: str | None = None
    foreign_key: ForeignKey | None = None
    span: Span
    # A CHECK's expression as SQL, and the columns it proves NOT NULL (``col IS NOT NULL``
    # conjuncts), so SET NOT NULL can be known to skip its scan.
    expression: str | None = None
    not_null_columns: tuple[str, ...] = ()
    # The columns a CHECK's expression names (dropping one of them drops the constraint).
    refers_to: tuple[str, ...] = ()


@record
class Change(Record):
    """One schema or data change, located in its file.

    ``statement`` is the full text of the statement (SQL) or call (Python) it came from, and
    ``statement_span`` its place; rules use them to show the safe form of the same statement.
    """

    span: Span
    statement_span: Span
    statement: str = ""
    in_transaction: bool = False
    origin: Origin = "sql"
    # True when the change was read from a Python call (``op.create_index(...)``) rather than from
    # SQL text (a .sql file or a string in ``op.execute``): help then shows the Python form.
    from_call: bool = False
    # Relation names (as the change's fields carry them, ``public.`` dropped) that the statement
    # wrote with a schema (``public.orders``, ``"app".orders``): front ends drop ``public.`` for
    # schema bookkeeping, so rules about qualification ask here.
    qualified_names: frozenset[str] = frozenset()
    # "" for a statement of the migration itself; "do" for one inside a DO block, "function" for
    # one inside a PL/pgSQL function or procedure body that the migration calls (both run within
    # the statement that runs them: no CONCURRENTLY, no COMMIT, no fix written into the body).
    block: BlockKind = ""

    def foreign_keys(self) -> Iterator[ForeignKey]:
        """Foreign keys this change adds (none for most changes)."""
        return iter(())

    def columns_declared(self) -> Iterator[tuple[str, Column]]:
        """``(table, column)`` pairs this change declares (CREATE TABLE, ADD COLUMN)."""
        return iter(())


@record
class CreateTable(Change):
    """CREATE TABLE (also PARTITION OF, and ``op.create_table``) with its columns and constraints."""

    table: str
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    if_not_exists: bool = False
    partition_of: str | None = None
    # CREATE TABLE ... AS, SELECT ... INTO, CREATE MATERIALIZED VIEW (not WITH NO DATA): the new
    # table is filled by its query.
    filled: bool = False
    # File offset just after the keyword IF [NOT] EXISTS would follow (TABLE, ADD [COLUMN], DROP [COLUMN]).
    keyword_end: int | None = None

    def foreign_keys(self) -> Iterator[ForeignKey]:
        for column in self.columns:
            if column.references is not None:
                yield column.references
        for constraint in self.constraints:
            if constraint.foreign_key is not None:
                yield constraint.foreign_key

    def columns_declared(self) -> Iterator[tuple[str, Column]]:
        for column in self.columns:
            yield self.table, column


@record
class AddColumn(Change):
    """ALTER TABLE ... ADD COLUMN."""

    table: str
    column: Column
    if_not_exists: bool = False
    # File offset just after the keyword IF [NOT] EXISTS would follow (TABLE, ADD [COLUMN], DROP [COLUMN]).
    keyword_end: int | None = None

    def foreign_keys(self) -> Iterator[ForeignKey]:
        if self.column.references is not None:
            yield self.column.references

    def columns_declared(self) -> Iterator[tuple[str, Column]]:
        yield self.table, self.column


@record
class AddConstraint(Change):
    """ALTER TABLE ... ADD CONSTRAINT (or an ``op.create_*_constraint`` call)."""

    table: str
    constraint: Constraint

    def foreign_keys(self) -> Iterator[ForeignKey]:
        if self.constraint.foreign_key is not None:
            yield self.constraint.foreign_key


@record
class ValidateConstraint(Change):
    """ALTER TABLE ... VALIDATE CONSTRAINT: the second, non-blocking half of NOT VALID."""

    table: str
    name: str


@record
class DropConstraint(Change):
    """ALTER TABLE ... DROP CONSTRAINT."""

    table: str
    name: str
    if_exists: bool = False


@record
class CreateIndex(Change):
    """CREATE INDEX; ``keyword_end`` is where `` CONCURRENTLY`` goes (after ``INDEX``) and
    ``if_exists_at`` where `` IF NOT EXISTS`` goes (after ``INDEX [CONCURRENTLY]``)."""

    table: str
    name: str | None
    columns: tuple[str | None, ...] = ()
    unique: bool = False
    concurrently: bool = False
    if_not_exists: bool = False
    keyword_end: int | None = None
    if_exists_at: int | None = None
    # WHERE ...: a partial index. A foreign key check (``col = $1``) can use one only when the
    # WHERE asks nothing but that some of the key's columns be non-null: ``not_null_where``
    # names them then (``WHERE a IS NOT NULL AND b IS NOT NULL``), and is empty otherwise.
    partial: bool = False
    not_null_where: tuple[str, ...] = ()
    # ``ON ONLY parent``: the index is made on the partitioned table alone (invalid, no build).
    only: bool = False
    # The front end made the name up (SQLAlchemy's ``ix_<table>_<column>`` for ``index=True``):
    # SQLAlchemy shortens a long one itself, so it is not the name PostgreSQL would cut.
    invented_name: bool = False


@record
class DropIndex(Change):
    """DROP INDEX; ``keyword_end`` follows ``INDEX``, ``if_exists_at`` follows ``INDEX [CONCURRENTLY]``."""

    names: tuple[str, ...]
    concurrently: bool = False
    if_exists: bool = False
    cascade: bool = False
    # The index's table when the source names it (Alembic's ``table_name=``), else None.
    table: str | None = None
    keyword_end: int | None = None
    if_exists_at: int | None = None


@record
class Reindex(Change):
    """REINDEX; ``target`` is INDEX, TABLE, SCHEMA, DATABASE or SYSTEM."""

    target: str
    name: str | None
    concurrently: bool = False
    keyword_end: int | None = None


@record
class AlterColumnType(Change):
    """ALTER TABLE ... ALTER COLUMN ... TYPE (a rewrite unless the change is binary compatible)."""

    table: str
    column: str
    type: TypeRef
    using: str | None = None
    # The type before the change when the source states it (Alembic's ``existing_type``).
    old_type: TypeRef | None = None


@record
class SetNotNull(Change):
    """ALTER TABLE ... ALTER COLUMN ... SET NOT NULL (a full scan unless a CHECK proves it)."""

    table: str
    column: str


@record
class DropNotNull(Change):
    """ALTER TABLE ... ALTER COLUMN ... DROP NOT NULL."""

    table: str
    column: str


@record
class SetDefault(Change):
    """ALTER TABLE ... ALTER COLUMN ... SET/DROP DEFAULT (``default_sql`` None for DROP, or a
    default a front end could not read; ``drops`` tells them apart: True for DROP DEFAULT and for
    Alembic's ``server_default=None``)."""

    table: str
    column: str
    default_sql: str | None
    drops: bool = False


@record
class DropColumn(Change):
    """ALTER TABLE ... DROP COLUMN."""

    table: str
    column: str
    if_exists: bool = False
    # File offset just after the keyword IF [NOT] EXISTS would follow (TABLE, ADD [COLUMN], DROP [COLUMN]).
    keyword_end: int | None = None


@record
class RenameColumn(Change):
    """ALTER TABLE ... RENAME COLUMN."""

    table: str
    column: str
    new_name: str


@record
class RenameTable(Change):
    """ALTER TABLE ... RENAME TO."""

    table: str
    new_name: str


@record
class DropTable(Change):
    """DROP TABLE, of one or more tables."""

    tables: tuple[str, ...]
    if_exists: bool = False
    cascade: bool = False
    # File offset just after the keyword IF [NOT] EXISTS would follow (TABLE, ADD [COLUMN], DROP [COLUMN]).
    keyword_end: int | None = None


@record
class Vacuum(Change):
    """VACUUM; ``full`` rewrites every listed table (all tables when ``tables`` is empty)."""

    tables: tuple[str, ...] = ()
    full: bool = False
    keyword_end: int | None = None


@record
class Cluster(Change):
    """CLUSTER [table [USING index]]: rewrites the table in index order."""

    table: str | None = None
    index: str | None = None


@record
class DetachPartition(Change):
    """ALTER TABLE parent DETACH PARTITION child [CONCURRENTLY | FINALIZE]."""

    table: str
    partition: str
    concurrently: bool = False
    finalize: bool = False


@record
class AttachPartition(Change):
    """ALTER TABLE parent ATTACH PARTITION child FOR VALUES ..."""

    table: str
    partition: str


@record
class SetGeneratedExpression(Change):
    """ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION AS (...) (PostgreSQL 17+)."""

    table: str
    column: str


TableRewriteAction = Literal["set_logged", "set_unlogged", "set_tablespace", "set_access_method"]


@record
class RewriteTable(Change):
    """ALTER TABLE ... SET LOGGED / UNLOGGED / TABLESPACE / ACCESS METHOD: copies the whole table."""

    table: str
    action: TableRewriteAction
    value: str | None = None


@record
class CreateDomain(Change):
    """CREATE DOMAIN name AS type [CHECK ...]; ``constraints`` holds its CHECKs."""

    name: str
    type: TypeRef | None = None
    constraints: tuple[Constraint, ...] = ()


@record
class AlterDomainAddConstraint(Change):
    """ALTER DOMAIN name ADD CONSTRAINT ...: checked against every column using the domain."""

    domain: str
    constraint: Constraint


TransactionKind = Literal["begin", "commit", "rollback", "savepoint", "release", "rollback_to", "other"]


@record
class Transaction(Change):
    """BEGIN, COMMIT, ROLLBACK and friends: where explicit transactions start and end."""

    kind: TransactionKind


@record
class SetSetting(Change):
    """``SET [LOCAL] name = value`` (lock_timeout, statement_timeout, search_path...)."""

    name: str
    value: str | None
    local: bool = False


@record
class RawStatement(Change):
    """A statement no rule models yet; ``kind`` is the parser's node name (e.g. ``VacuumStmt``)."""

    kind: str


@record
class FunctionBody(Change):
    """CREATE FUNCTION/PROCEDURE ... LANGUAGE plpgsql: the changes its body would make when run.

    Defining a function runs nothing, so these stay out of the migration unless it also calls the
    function (``FunctionCall``); ``frontends.plpgsql.expand_calls`` puts them there and removes
    both records, so no rule sees either."""

    name: str
    body: tuple[Change, ...] = ()


@record
class FunctionCall(Change):
    """A statement that calls functions by name (``SELECT f();``, ``CALL p();``, ``PERFORM f()``)."""

    names: tuple[str, ...] = ()


@record
class DropSchema(Change):
    """DROP SCHEMA: every object in it goes too (with CASCADE), and every client using it breaks."""

    names: tuple[str, ...]
    if_exists: bool = False
    cascade: bool = False


@record
class DropDatabase(Change):
    """DROP DATABASE."""

    name: str
    if_exists: bool = False


@record
class Truncate(Change):
    """TRUNCATE; ``cascade`` also empties every table that references these by foreign key."""

    tables: tuple[str, ...]
    cascade: bool = False


@record
class AddEnumValue(Change):
    """ALTER TYPE ... ADD VALUE; the value cannot be used in the transaction that adds it.
    ``positioned``: written with BEFORE or AFTER another value."""

    type_name: str
    value: str
    if_not_exists: bool = False
    positioned: bool = False


DataChangeKind = Literal["update", "delete"]


@record
class DataChange(Change):
    """UPDATE or DELETE in a migration. ``assigned`` lists UPDATE's SET targets in order
    (a name twice means it is assigned twice); ``assigned_spans`` are their places."""

    kind: DataChangeKind
    table: str
    has_where: bool
    assigned: tuple[str, ...] = ()
    assigned_spans: tuple[Span, ...] = ()


@record
class RepeatedColumn(Change):
    """A column named a second time in one INSERT or MERGE column list, or set a second time by
    ON CONFLICT DO UPDATE or MERGE's UPDATE (``span`` is the second name). Front ends emit it
    only for such a repeat, next to the statement's own change."""

    name: str
    table: str
    clause: str


@record
class EnableRowLevelSecurity(Change):
    """ALTER TABLE ... ENABLE (or FORCE) ROW LEVEL SECURITY."""

    table: str
    force: bool = False


@record
class MysqlIndexBuild(Change):
    """A MySQL index build (CREATE INDEX, ALTER TABLE ... ADD INDEX/KEY/UNIQUE) with its online-DDL
    clauses. Separate from ``CreateIndex`` because PostgreSQL advice (CONCURRENTLY) does not apply;
    ``algorithm``/``lock`` are upper-cased as written, None when absent."""

    table: str
    name: str | None
    columns: tuple[str, ...] = ()
    unique: bool = False
    algorithm: str | None = None
    lock: str | None = None


@record
class LongIdentifier(Change):
    """An identifier longer than PostgreSQL's 63-byte limit, as written (parsers hand rules the
    truncated name, so the front end records the written one here, spanning just the name)."""

    name: str
    truncated: str


@record
class CreateObject(Change):
    """CREATE of a schema object other than a table, index, view or domain: ``object_type`` is
    "function", "procedure", "type", "sequence", "extension", "trigger", "policy" or "rule";
    ``table`` is the table a trigger, policy or rule belongs to."""

    object_type: str
    name: str
    table: str | None = None
    or_replace: bool = False


@record
class DropObject(Change):
    """DROP of a schema object other than a table, index or schema: ``object_type`` is "view",
    "materialized view", "function", "procedure", "routine", "aggregate", "type", "domain",
    "sequence", "extension", "trigger", "policy" or "rule"; ``table`` as for ``CreateObject``."""

    object_type: str
    names: tuple[str, ...]
    table: str | None = None
    if_exists: bool = False
    cascade: bool = False


@record
class RenameObject(Change):
    """ALTER ... RENAME of an object other than a table or column (index, sequence, view, type,
    enum value, function, domain, schema, constraint, trigger, policy); ``table`` is the table of
    a constraint, trigger or policy, or the type of an enum value."""

    object_type: str
    name: str
    new_name: str
    table: str | None = None


@record
class SetSchema(Change):
    """ALTER <object> ... SET SCHEMA: the object's qualified name changes."""

    object_type: str
    name: str
    new_schema: str


GenerationChangeKind = Literal["expression", "identity", "always"]


@record
class ColumnGenerationChange(Change):
    """ALTER TABLE ... ALTER COLUMN ... DROP EXPRESSION / DROP IDENTITY (``feature`` "expression",
    "identity": the column stops being computed by the database), or SET GENERATED ALWAYS / ADD
    GENERATED ALWAYS AS IDENTITY ("always": writes of explicit values fail from then on)."""

    table: str
    column: str
    feature: GenerationChangeKind
    if_exists: bool = False


@record
class BehaviourChange(Change):
    """A change to what a table's triggers, rules or row security do for every client:
    ``action`` is "disable trigger", "enable trigger", "disable rule", "disable row level
    security", "no force row level security" or "alter policy"; ``name`` the trigger, rule or
    policy ("ALL" or "USER" for DISABLE TRIGGER ALL/USER, None for row security)."""

    table: str
    action: str
    name: str | None = None


@record
class Revoke(Change):
    """REVOKE privileges ON objects FROM roles, or REVOKE role FROM roles (``privileges`` then
    holds the revoked roles and ``objects`` is empty)."""

    privileges: tuple[str, ...]
    object_type: str
    objects: tuple[str, ...]
    grantees: tuple[str, ...]
    role_membership: bool = False


@record
class OptionChange(Change):
    """A change of options that alters behaviour for every client: ALTER DATABASE/ROLE/SYSTEM
    options, ALTER FUNCTION attributes, ALTER VIEW SET/RESET, ALTER EXTENSION, ALTER SEQUENCE
    values, ALTER TABLE REPLICA IDENTITY and NO INHERIT. ``options`` names what is set."""

    object_type: str
    name: str
    options: tuple[str, ...] = ()


@record
class CreateView(Change):
    """CREATE [OR REPLACE] VIEW (a renamed table can leave a view under its old name)."""

    name: str
    or_replace: bool = False


@record
class InterpolatedSql(Change):
    """SQL text built by interpolation that reaches a call running or wrapping it (SG007's facts).

    ``span`` is the SQL argument of the call; ``sink`` the called expression as written
    (``cursor.execute``); ``how`` the way the text was built (``an f-string``, ``% formatting``,
    ``str.format()``, ``+ concatenation``); ``variable`` the local name it came through, built at
    ``built_at``; ``parameterized`` the same call with bound parameters.
    """

    sink: str
    how: str
    parameterized: str
    variable: str | None = None
    built_at: Span | None = None
    # Every pasted value stands where a name goes (a table, a column): no bound parameter can
    # take its place; it needs a fixed list of names or quoting as an identifier.
    names_only: bool = False


DowngradeStatus = Literal["missing", "empty", "raises", "ok"]


@dataclass(frozen=True)
class AlembicFacts:
    """What an Alembic revision file says about itself and its way back (for SG006).

    ``downgrade`` is "missing" (no ``downgrade()``), "empty" (only ``pass``, a docstring or
    ``...``), "raises" (it raises, e.g. ``NotImplementedError``) or "ok". ``downgrade_span`` is the
    function's name (or ``upgrade``'s when it is missing). ``down_opaque``/``up_opaque`` say a body
    does things that cannot be read statically (helpers, loops over data, SQL from variables), so
    comparing what upgrade made with what downgrade removes would be a guess.
    """

    revision: str | None
    downgrade: DowngradeStatus
    downgrade_span: Span
    up_opaque: bool = False
    down_opaque: bool = False
    # upgrade() holds statements that are neither ops nor harmless (calls of imported helpers, ORM
    # sessions, loops over data): it does something, and sqlguard cannot say what.
    up_unread: bool = False


MigrationKind = Literal["sql", "python"]
Direction = Literal["up", "down", "both", "plain"]


@dataclass(frozen=True)
class DownFacts:
    """What is known about the way back from this migration (for SG006).

    ``layout`` is None for a plain SQL file that belongs to no up/down layout.
    ``missing`` means an up migration whose down counterpart does not exist;
    ``empty`` means it exists but holds no statement.
    ``anchor`` is where a finding about the down should point (a dbmate marker, or 0).
    """

    layout: str | None = None
    direction: Direction = "plain"
    counterpart: str | None = None
    missing: bool = False
    empty: bool = False
    anchor: int = 0


@dataclass
class Migration:
    """One parsed file: its changes in order, and the input errors met while parsing it.

    ``down_changes`` holds changes from a down section or file; they are linted but never
    applied to the schema state.
    """

    path: str
    text: str
    kind: MigrationKind = "sql"
    changes: list[Change] = field(default_factory=list)
    down_changes: list[Change] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    down: DownFacts = field(default_factory=DownFacts)
    revision: str | None = None
    down_revision: tuple[str, ...] = ()
    # The SQL dialect the file was parsed as ("postgres", or "mysql"/"sqlite" through sqlglot).
    dialect: str = "postgres"
    alembic: AlembicFacts | None = None


_T = TypeVar("_T")
OFFSET_FIELDS = frozenset({"keyword_end", "if_exists_at"})


def moved(value: _T, offset: int) -> _T:
    """``value`` with every span (and offset field such as ``keyword_end``) moved by ``offset``.

    Lets a change parsed from one statement alone be placed where that statement sits in a
    file, so unchanged statements need not be parsed again (the language server's cache).
    """
    if offset == 0:
        return value
    return map_positions(value, lambda at: at + offset, lambda span: span.shifted(offset))


def map_positions(value: _T, offset: Callable[[int], int | None], span: Callable[[Span], Span]) -> _T:
    """``value`` rebuilt with every ``Span`` passed through ``span`` and every offset field
    (``OFFSET_FIELDS``) through ``offset``, however deep in changes, columns and tuples.

    The one walker for positions computed somewhere else than where they end up: a statement
    parsed alone (``moved``), SQL parsed out of a Python string literal (``pystrings.remap``).
    """
    return _map(value, offset, span)  # type: ignore[return-value]


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _map(value: object, offset: Callable[[int], int | None], span: Callable[[Span], Span]) -> object:
    if isinstance(value, Span):
        return span(value)
    if isinstance(value, tuple):
        items = tuple(_map(item, offset, span) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    kind = type(value)
    if not hasattr(kind, "__dataclass_fields__"):
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(item.name for item in dataclasses.fields(value))  # type: ignore[arg-type]
    updates: dict[str, object] = {}
    for name in names:
        current = getattr(value, name)
        if current is None or isinstance(current, (str, bool)):
            continue
        if isinstance(current, int):
            if name in OFFSET_FIELDS:
                updates[name] = offset(current)
            continue
        new = _map(current, offset, span)
        if new is not current:
            updates[name] = new
    if not updates:
        return value
    # Frozen dataclasses: copy the instance's fields without re-running __init__ (hot in the LSP).
    copy = object.__new__(kind)
    copy.__dict__.update(value.__dict__)
    copy.__dict__.update(updates)
    return copy
