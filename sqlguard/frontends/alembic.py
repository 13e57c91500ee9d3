"""Python front end (libcst): Alembic ``op.*`` calls become the changes the SQL front end makes.

User code is never imported or run: the file is parsed once with libcst, and only what is
written literally is read. ``op.create_index("ix", "orders", ["customer_id"])`` becomes the
same ``CreateIndex`` as ``CREATE INDEX ix ON orders (customer_id)``, located at the call.
SQL in ``op.execute("...")`` / ``op.execute(sa.text("..."))`` goes through the SQL front end and
its positions are mapped into the Python file (``pystrings``).

Alembic runs a revision inside a transaction on PostgreSQL, so every op has
``in_transaction=True`` except inside ``with op.get_context().autocommit_block():``.

What cannot be known statically is never guessed: an op whose table or name is not a literal,
a call to a helper function, or SQL held in a variable is skipped and marks the body *opaque*
(``AlembicFacts``), which stops SG006 from comparing upgrade and downgrade. Every Python file
(not only migrations) is also searched for interpolated SQL reaching an execute call (SG007).
"""

from __future__ import annotations

import ast
import dataclasses
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import libcst as cst
import pglast
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from pglast.stream import RawStream

from sqlguard.diagnostics import SYNTAX_ERROR, Diagnostic, LineIndex, Span
from sqlguard.frontends import sql
from sqlguard.frontends.placeholders import bind_stand_ins
from sqlguard.frontends.pystrings import StringValue, find_interpolated_sql, literal_value, remap
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AlembicFacts,
    AlterColumnType,
    Change,
    Column,
    Constraint,
    ConstraintKind,
    CreateIndex,
    CreateTable,
    DowngradeStatus,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    ForeignKey,
    Migration,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Transaction,
    TypeRef,
    unqualified,
)

# A file without any of these is neither a revision nor code that runs SQL: skip parsing it.
QUICK_MARKERS = ("op.", "execute", "exec_driver_sql", "text(", "read_sql", "def upgrade", "down_revision")

# SQLAlchemy type names → PostgreSQL's canonical names (the SQL front end's vocabulary).
_TYPES = {
    "integer": "integer",
    "int": "integer",
    "biginteger": "bigint",
    "bigint": "bigint",
    "smallinteger": "smallint",
    "smallint": "smallint",
    "string": "varchar",
    "varchar": "varchar",
    "unicode": "varchar",
    "nvarchar": "varchar",
    "text": "text",
    "unicodetext": "text",
    "char": "char",
    "nchar": "char",
    "boolean": "boolean",
    "date": "date",
    "interval": "interval",
    "numeric": "numeric",
    "decimal": "numeric",
    "float": "double precision",
    "double": "double precision",
    "double_precision": "double precision",
    "real": "real",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "uuid_": "uuid",
    "largebinary": "bytea",
    "bytea": "bytea",
    "inet": "inet",
    "cidr": "cidr",
    "macaddr": "macaddr",
    "tsvector": "tsvector",
    "hstore": "hstore",
    "money": "money",
    "bit": "bit",
    "oid": "oid",
}
_INTEGER_TYPES = frozenset({"integer", "bigint", "smallint"})

# Alembic op signatures (positional order); batch ops drop the table parameter.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "rename_table": ("old_table_name", "new_table_name"),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_foreign_key": ("constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "execute": ("sqltext",),
}
_TABLE_PARAMS = ("table_name", "source_table")
# Calls that leave the database alone, and receivers whose calls are read (op, a bind, a batch)
# or only build SQLAlchemy objects or log: anything else in upgrade() is code sqlguard cannot read.
_HARMLESS_CALLS = frozenset({"print", "len", "str", "int", "dict", "list", "tuple", "set", "range", "isinstance"})
_KNOWN_RECEIVERS = frozenset(
    {"op", "sa", "sqlalchemy", "postgresql", "mysql", "sqlite", "logger", "log", "logging", "LOGGER", "warnings"}
)


def _root_name(node: cst.BaseExpression) -> str | None:
    """The name an attribute chain starts from (``op`` for ``op.f``); None for a call's result."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


# Ops that change nothing sqlguard models; calling them is not a reason to call a body opaque.
_HARMLESS_OPS = frozenset(
    {
        "get_bind",
        "get_context",
        "f",
        "inline_literal",
        "create_table_comment",
        "drop_table_comment",
        "invoke",
    }
)


def parse_python(path: str, text: str, dialect: str = "postgres") -> Migration:
    """Parse a Python file into a migration: Alembic ops if it is a revision, SG007 facts always.

    ``dialect`` is the database the revisions run on (the configured one): SQL in ``op.execute``
    is read in that dialect, and only the rules that apply to it run."""
    migration = Migration(path=path, text=text, kind="python", dialect=dialect)
    if not any(marker in text for marker in QUICK_MARKERS):
        return migration
    too_deep = _beyond_libcst(text)
    if too_deep is not None:
        from sqlguard.frontends import too_complex

        return too_complex(path, text, too_deep)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        migration.errors.append(_syntax_error(text, error))
        return migration
    # A RecursionError from here on (a chain of hundreds of terms) goes to ``parse_file``, which
    # parses the file again with room to recurse.
    source = _Source(text, module)
    functions = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}
    if _is_revision(module, functions):
        _read_revision(migration, module, functions, source)
    migration.changes.extend(find_interpolated_sql(module, source.span, source.code))
    return migration


MAX_PYTHON_CHARS = 1_000_000
MAX_BRACKET_DEPTH = 200  # CPython's own limit on nested parentheses


def _beyond_libcst(text: str) -> str | None:
    """Why libcst must not be given ``text``, or None.

    libcst's native parser recurses on the C stack with the nesting of the input and kills the
    process past about a thousand levels (exit 139: no report for any file), and its time and
    memory grow steeply with depth (~750x the text in memory). CPython's own parser (C, with
    guards) says first whether the nesting is within what Python itself accepts: more than 200
    nested brackets is a SyntaxError there, and an expression thousands of terms deep a
    RecursionError. A file with another syntax error is still given to libcst (it may know
    newer syntax than this Python) unless its brackets nest too deeply."""
    if len(text) > MAX_PYTHON_CHARS:
        return f"a Python file of {len(text):,} characters (sqlguard reads up to {MAX_PYTHON_CHARS:,})"
    try:
        with warnings.catch_warnings():  # invalid escapes and the like are not sqlguard's to report
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        if "too many nested" in str(error.msg) or _bracket_depth(text) > MAX_BRACKET_DEPTH:
            return f"brackets nested more than {MAX_BRACKET_DEPTH} deep"
    except (RecursionError, MemoryError):
        return "an expression nested thousands of levels deep"
    except ValueError:  # NUL bytes: libcst reports them
        return None
    return None


def _bracket_depth(text: str) -> int:
    """The deepest nesting of ``( [ {`` in ``text``, strings and comments included (an upper
    bound, used only on text CPython rejected)."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(0, depth - 1)
    return deepest


class _Source:
    """Positions of a parsed module's nodes, as character offsets into the file."""

    def __init__(self, text: str, module: cst.Module) -> None:
        self.text = text
        self.module = module
        self.lines = LineIndex(text)
        self.positions = _positions(module)
        self._type_names: dict[str, str] | None = None

    def type_name_origin(self, name: str) -> str | None:
        """Where a name a column type is written with comes from: "sqlalchemy" (imported from
        SQLAlchemy), "project" (imported from anywhere else: a type we cannot see), the type a
        TypeDecorator of this file becomes on PostgreSQL ("jsonb", "json"), or None."""
        if self._type_names is None:
            self._type_names = _type_names(self.module)
        return self._type_names.get(name)

    def span(self, node: cst.CSTNode) -> Span:
        where = self.positions[node]
        start = self.lines.offset(where.start.line, where.start.column + 1)
        end = self.lines.offset(where.end.line, where.end.column + 1)
        return Span(start, end)

    def code(self, node: cst.CSTNode) -> str:
        span = self.span(node)
        return self.text[span.start : span.end]


def _type_names(module: cst.Module) -> dict[str, str]:
    """Module-level names a column type may be written with, and where each comes from."""
    found: dict[str, str] = {}
    code = cst.Module([]).code_for_node
    for statement in module.body:
        if isinstance(statement, cst.ClassDef):
            bases = {code(base.value).rsplit(".", 1)[-1] for base in statement.bases}
            if "TypeDecorator" in bases:
                body = code(statement.body)
                # impl = JSONB, or load_dialect_impl() choosing JSONB on PostgreSQL
                found[statement.name.value] = "jsonb" if "JSONB" in body else "json"
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                origin = "sqlalchemy" if code(small.module).startswith("sqlalchemy") else "project"
                if isinstance(small.names, cst.ImportStar):
                    continue
                for alias in small.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    found[code(bound)] = origin
            elif isinstance(small, cst.ImportFrom):  # a relative import: the project's own
                if not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        bound = alias.asname.name if alias.asname is not None else alias.name
                        found[code(bound)] = "project"
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = code(alias.name)
                    bound_name = code(alias.asname.name) if alias.asname is not None else dotted.split(".")[0]
                    found[bound_name] = "sqlalchemy" if dotted.startswith("sqlalchemy") else "project"
    return found


def _positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Every node's place. The provider is run directly: through ``MetadataWrapper`` it also walks
    the whole tree for batched providers, which doubles the cost for nothing."""
    try:
        provider = PositionProvider()
        provider._gen_impl(module)
        return cast(Mapping[cst.CSTNode, CodeRange], provider._computed)
    except AttributeError:  # a libcst without these internals: take the public road
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _syntax_error(text: str, error: cst.ParserSyntaxError) -> Diagnostic:
    """One E001 at the place CPython's own parser names (clearer than libcst's message)."""
    lines = LineIndex(text)
    line, column, message = error.raw_line, error.raw_column + 1, error.message
    try:
        ast.parse(text)
    except SyntaxError as python_error:
        line = python_error.lineno or line
        column = python_error.offset or column
        message = python_error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    at = lines.offset(line, column)
    return Diagnostic(
        SYNTAX_ERROR, Span(at, min(at + 1, len(text))), f"Python syntax error: {message}", name="syntax-error"
    )


# -- the revision file -----------------------------------------------------------------------------


def _is_revision(module: cst.Module, functions: dict[str, cst.FunctionDef]) -> bool:
    """A revision defines ``upgrade()`` and either names its ``revision`` or imports alembic."""
    if "upgrade" not in functions:
        return False
    if _module_constant(module, "revision") is not None:
        return True
    return "alembic" in _imported_modules(module)


def _imported_modules(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None:
                names.add(cst.Module([]).code_for_node(small.module).split(".")[0])
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    names.add(cst.Module([]).code_for_node(alias.name).split(".")[0])
    return names


def _module_constant(module: cst.Module, name: str) -> cst.BaseExpression | None:
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                targets = [small.target]
            else:
                continue
            if any(isinstance(t, cst.Name) and t.value == name for t in targets) and small.value is not None:
                return small.value
    return None


def _revision_ids(node: cst.BaseExpression | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return (value,) if isinstance(value, str) else ()
    if isinstance(node, (cst.Tuple, cst.List)):
        return tuple(i for element in node.elements for i in _revision_ids(element.value))
    return ()


def _read_revision(
    migration: Migration, module: cst.Module, functions: dict[str, cst.FunctionDef], source: _Source
) -> None:
    revision = _revision_ids(_module_constant(module, "revision"))
    migration.revision = revision[0] if revision else None
    migration.down_revision = _revision_ids(_module_constant(module, "down_revision"))
    helpers = frozenset(functions) - {"upgrade", "downgrade"}
    upgrade = functions["upgrade"]
    up = _OpReader(source, migration, helpers)
    migration.changes.extend(up.read(upgrade.body))
    downgrade = functions.get("downgrade")
    if downgrade is None:
        migration.alembic = AlembicFacts(
            revision=migration.revision,
            downgrade="missing",
            downgrade_span=source.span(upgrade.name),
            up_opaque=up.opaque,
        )
        return
    down = _OpReader(source, migration, helpers)
    migration.down_changes.extend(down.read(downgrade.body))
    migration.alembic = AlembicFacts(
        revision=migration.revision,
        downgrade=_body_status(downgrade.body),
        downgrade_span=source.span(downgrade.name),
        up_opaque=up.opaque,
        down_opaque=down.opaque,
        up_unread=up.unread,
    )


def _body_status(body: cst.BaseSuite) -> DowngradeStatus:
    """``empty`` for only pass/docstring/``...``; ``raises`` if it raises at its top level."""
    statements = list(_statements(body))
    meaningful = []
    for statement in statements:
        if isinstance(statement, cst.Pass):
            continue
        if isinstance(statement, cst.Expr) and isinstance(
            statement.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)
        ):
            continue
        meaningful.append(statement)
    if not meaningful:
        return "empty"
    if any(isinstance(statement, cst.Raise) for statement in meaningful):
        return "raises"
    return "ok"


def _statements(suite: cst.BaseSuite) -> Iterator[cst.CSTNode]:
    """The statements of a block, simple statements unwrapped from their lines."""
    if isinstance(suite, cst.SimpleStatementSuite):
        yield from suite.body
        return
    assert isinstance(suite, cst.IndentedBlock)
    for statement in suite.body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        else:
            yield statement


# -- ops -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """Where a statement sits: inside a transaction or not, inside a batch block or not."""

    in_transaction: bool = True
    batch_name: str | None = None
    batch_table: str | None = None


class _Args:
    """A call's arguments by Alembic parameter name, positional or keyword."""

    def __init__(self, call: cst.Call, params: Sequence[str]) -> None:
        self.positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        self.keywords = {arg.keyword.value: arg for arg in call.args if arg.keyword is not None}
        self.params = params
        self.starred = any(arg.star for arg in call.args)

    def get(self, name: str) -> cst.BaseExpression | None:
        if name in self.keywords:
            return self.keywords[name].value
        if name in self.params:
            index = self.params.index(name)
            if index < len(self.positional):
                return self.positional[index]
        return None

    def rest(self) -> list[cst.BaseExpression]:
        """Positional arguments past the named ones (``create_table``'s columns)."""
        return self.positional[len(self.params) :]

    def keyword(self, name: str) -> cst.Arg | None:
        return self.keywords.get(name)


class _OpReader:
    """Reads one function body's ``op.*`` calls into changes, in order."""

    def __init__(self, source: _Source, migration: Migration, helpers: frozenset[str]) -> None:
        self.source = source
        self.migration = migration
        self.helpers = helpers
        self.opaque = False
        # A statement that is neither an op nor harmless (an imported helper, an ORM session, a
        # loop over data): the body does something sqlguard cannot name (SG006 asks).
        self.unread = False
        # An ``op.execute("COMMIT")`` ends Alembic's transaction until a later ``BEGIN`` (an old
        # idiom for CONCURRENTLY); ``None`` means no such statement was seen.
        self.sql_transaction: bool | None = None
        self.binds: set[str] = set()
        self.changes: list[Change] = []
        # Names the call being read wrote with a schema (``schema="public"``, ``"public.t.id"``).
        self._qualified: set[str] = set()

    def read(self, body: cst.BaseSuite) -> list[Change]:
        self._block(body, _Block())
        return self.changes

    # -- statements ----------------------------------------------------------------------------
    def _block(self, suite: cst.BaseSuite, block: _Block) -> None:
        for statement in _statements(suite):
            self._statement(statement, block)

    def _statement(self, statement: cst.CSTNode, block: _Block) -> None:
        if isinstance(statement, cst.Expr):
            self._expression(statement.value, block)
        elif isinstance(statement, (cst.Assign, cst.AnnAssign)) and statement.value is not None:
            if _is_op_call(statement.value, "get_bind"):
                targets = statement.targets if isinstance(statement, cst.Assign) else ()
                for target in targets:
                    if isinstance(target.target, cst.Name):
                        self.binds.add(target.target.value)
                if isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
                    self.binds.add(statement.target.value)
            else:
                self._expression(statement.value, block)
        elif isinstance(statement, cst.With):
            self._with(statement, block)
        elif isinstance(statement, (cst.For, cst.While)):
            # Literal ops inside a loop are still read once; ops built from the loop variable are not.
            literal = (cst.List, cst.Tuple, cst.Set, cst.Name)
            if isinstance(statement, cst.While) or not isinstance(statement.iter, literal):
                self.unread = True  # a loop over rows or query results rewrites data
            self._block(statement.body, block)
            if statement.orelse is not None:
                self._block(statement.orelse.body, block)
        elif isinstance(statement, cst.If):
            self._block(statement.body, block)
            orelse = statement.orelse
            while orelse is not None:
                self._block(orelse.body, block)
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        elif isinstance(statement, cst.Try):
            self._block(statement.body, block)
            for handler in statement.handlers:
                self._block(handler.body, block)
            if statement.orelse is not None:
                self._block(statement.orelse.body, block)
            if statement.finalbody is not None:
                self._block(statement.finalbody.body, block)

    def _with(self, statement: cst.With, block: _Block) -> None:
        inner = block
        for item in statement.items:
            call = item.item
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            method = call.func.attr.value
            if method == "autocommit_block":
                inner = dataclasses.replace(inner, in_transaction=False)
            elif method == "batch_alter_table" and _receiver_is_op(call.func):
                args = _Args(call, ("table_name",))
                table = self._table(args, "table_name")
                name = None
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    name = item.asname.name.value
                if table is None:
                    self.opaque = True
                inner = dataclasses.replace(inner, batch_name=name, batch_table=table)
        self._block(statement.body, inner)

    def _expression(self, node: cst.BaseExpression, block: _Block) -> None:
        if isinstance(node, cst.Await):
            node = node.expression
        if not isinstance(node, cst.Call):
            return
        func = node.func
        if isinstance(func, cst.Name):
            if func.value in self.helpers:
                self.opaque = True  # a helper may run ops: reading it would mean guessing its arguments
            elif func.value not in _HARMLESS_CALLS:
                self.unread = True  # an imported helper, a session, a class: it may do anything
            return
        if not isinstance(func, cst.Attribute):
            self.unread = True
            return
        method = func.attr.value
        receiver = func.value
        if _root_name(receiver) not in _KNOWN_RECEIVERS:
            self.unread = True  # session.commit(), conn.run_callable(...), a model's query
        if isinstance(receiver, cst.Name) and receiver.value == "op":
            self._op(node, method, block, batch=False)
        elif isinstance(receiver, cst.Name) and block.batch_name is not None and receiver.value == block.batch_name:
            if block.batch_table is None:
                self.opaque = True
            else:
                self._op(node, method, block, batch=True)
        elif method in ("execute", "exec_driver_sql") and (
            (isinstance(receiver, cst.Name) and receiver.value in self.binds) or _is_op_call(receiver, "get_bind")
        ):
            self._op(node, "execute", block, batch=False)

    def _op(self, call: cst.Call, method: str, block: _Block, *, batch: bool) -> None:
        params = _SIGNATURES.get(method)
        if params is None:
            if method not in _HARMLESS_OPS:
                self.opaque = True
            return
        if batch:
            params = tuple(p for p in params if p not in _TABLE_PARAMS)
        args = _Args(call, params)
        before = len(self.changes)
        self._qualified = set()
        handler = getattr(self, f"_op_{method}")
        handler(call, args, block)
        if self._qualified:
            self.changes[before:] = [
                replace(change, qualified_names=change.qualified_names | self._qualified)
                for change in self.changes[before:]
            ]
        if len(self.changes) == before and method != "execute":
            self.opaque = True  # the call was not understood: what it did is unknown

    # -- facts common to every change of one call ------------------------------------------------
    def _common(self, call: cst.Call, block: _Block, span: Span | None = None) -> dict[str, Any]:
        call_span = self.source.span(call)
        return {
            "span": span or call_span,
            "statement_span": call_span,
            "statement": self.source.code(call),
            "in_transaction": self._in_transaction(block),
            "origin": "python",
            "from_call": True,
        }

    def _string(self, node: cst.BaseExpression | None) -> str | None:
        """A literal string, seen through ``op.f("...")``, ``sa.text("...")`` and ``quoted_name``."""
        if node is None:
            return None
        if isinstance(node, cst.Call) and node.args and _callee(node) in ("f", "text", "quoted_name", "literal_column"):
            return self._string(node.args[0].value)
        value = literal_value(node, self.source.span)
        return value.value if value is not None else None

    def _table(
        self, args: _Args, param: str, block: _Block | None = None, schema_param: str = "schema"
    ) -> str | None:
        """The table an op names, with its schema (``schema=``, or ``source_schema=`` for a
        foreign key) kept: ``app.orders`` and ``orders`` are different tables."""
        if block is not None and block.batch_table is not None and param in _TABLE_PARAMS:
            return block.batch_table
        name = self._string(args.get(param))
        if name is None:
            return None
        schema = self._string(args.get(schema_param))
        table = f"{schema}.{name}" if schema and schema != "public" else name
        if schema:
            self._qualified.add(table)
        return table

    def _names(self, node: cst.BaseExpression | None) -> tuple[str, ...] | None:
        """A literal list of column names (``["a", "b"]`` or a single ``"a"``), else None."""
        if node is None:
            return None
        if isinstance(node, (cst.List, cst.Tuple)):
            names = [self._string(element.value) for element in node.elements]
            return None if any(name is None for name in names) else tuple(n for n in names if n is not None)
        single = self._string(node)
        return (single,) if single is not None else None

    # -- one handler per op ------------------------------------------------------------------------
    def _op_create_table(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name")
        if table is None:
            return
        columns: list[Column] = []
        constraints: list[Constraint] = []
        indexes: list[tuple[cst.Call, str | None, tuple[str | None, ...], bool]] = []
        primary: set[str] = set()
        auto: set[str] = set()
        for item in args.rest():
            if not isinstance(item, cst.Call):
                self.opaque = True
                continue
            kind = _callee(item)
            if kind == "Column":
                column = self._column(item, table)
                if column is None:
                    self.opaque = True
                    continue
                columns.append(column)
                if _Args(item, ()).get("autoincrement") is None:
                    auto.add(column.name)
                index_kw = _Args(item, ()).get("index")
                if _truthy(index_kw):
                    unique = _truthy(_Args(item, ()).get("unique"))
                    indexes.append((item, f"ix_{unqualified(table)}_{column.name}", (column.name,), unique))
            elif kind == "Index":
                index_args = _Args(item, ("name",))
                names = [self._string(arg) for arg in index_args.rest()]
                indexes.append(
                    (item, self._string(index_args.get("name")), tuple(names), _truthy(index_args.get("unique")))
                )
            else:
                constraint = self._constraint(item, kind, table)
                if constraint is None:
                    continue
                constraints.append(constraint)
                if constraint.kind == "primary":
                    primary.update(constraint.columns)
        foreign = {name for c in constraints if c.kind == "foreign" for name in c.columns}
        columns = _settle_keys(columns, primary, auto, foreign)
        self.changes.append(
            CreateTable(
                table=table, columns=tuple(columns), constraints=tuple(constraints), **self._common(call, block)
            )
        )
        for item, name, index_columns, unique in indexes:
            self.changes.append(
                CreateIndex(
                    invented_name=_callee(item) == "Column",
                    table=table,
                    name=name,
                    columns=index_columns,
                    unique=unique,
                    concurrently=False,
                    **self._implied_index(call, block, self.source.span(item), table, name, index_columns, unique),
                )
            )

    def _op_drop_table(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name")
        if table is not None:
            self.changes.append(
                DropTable(
                    tables=(unqualified(table),), if_exists=_truthy(args.get("if_exists")), **self._common(call, block)
                )
            )

    def _op_rename_table(self, call: cst.Call, args: _Args, block: _Block) -> None:
        old = self._table(args, "old_table_name")
        new = self._string(args.get("new_table_name"))
        if old is not None and new is not None:
            self.changes.append(RenameTable(table=old, new_name=new, **self._common(call, block)))

    def _op_add_column(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name", block)
        node = args.get("column")
        if table is None or not isinstance(node, cst.Call) or _callee(node) != "Column":
            return
        column = self._column(node, table)
        if column is None:
            return
        auto = {column.name} if _Args(node, ()).get("autoincrement") is None else set()
        column = _settle_keys([column], set(), auto)[0]
        self.changes.append(
            AddColumn(
                table=table,
                column=column,
                if_not_exists=_truthy(args.get("if_not_exists")),
                **self._common(call, block, column.span),
            )
        )
        if _truthy(_Args(node, ()).get("index")):
            name = f"ix_{unqualified(table)}_{column.name}"
            unique = _truthy(_Args(node, ()).get("unique"))
            self.changes.append(
                CreateIndex(
                    table=table,
                    name=name,
                    columns=(column.name,),
                    unique=unique,
                    invented_name=True,
                    **self._implied_index(call, block, column.span, table, name, (column.name,), unique),
                )
            )

    def _implied_index(
        self,
        call: cst.Call,
        block: _Block,
        span: Span,
        table: str,
        name: str | None,
        columns: tuple[str | None, ...],
        unique: bool,
    ) -> dict[str, Any]:
        """Facts for an index Alembic creates without an ``op.create_index`` call (``index=True``,
        ``sa.Index``): its statement is the ``op.create_index`` it stands for, so help can show it."""
        common = self._common(call, block, span)
        listed = ", ".join(f'"{c}"' if c is not None else "sa.text(...)" for c in columns)
        name_code = f'"{name}"' if name is not None else "None"
        common["statement"] = f'op.create_index({name_code}, "{table}", [{listed}]{", unique=True" if unique else ""})'
        return common

    def _op_drop_column(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name", block)
        column = self._string(args.get("column_name"))
        if table is not None and column is not None:
            self.changes.append(
                DropColumn(
                    table=table, column=column, if_exists=_truthy(args.get("if_exists")), **self._common(call, block)
                )
            )

    def _op_alter_column(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name", block)
        column = self._string(args.get("column_name"))
        if table is None or column is None:
            return
        type_arg = args.keyword("type_")
        if type_arg is not None:
            type_ref = self._type(type_arg.value)
            if type_ref is not None:
                self.changes.append(
                    AlterColumnType(
                        table=table,
                        column=column,
                        type=type_ref,
                        using=_sql_expression(self._string(args.get("postgresql_using"))),
                        old_type=self._type(existing.value) if (existing := args.keyword("existing_type")) else None,
                        **self._common(call, block, self.source.span(type_arg)),
                    )
                )
        nullable = args.keyword("nullable")
        if nullable is not None and isinstance(nullable.value, cst.Name) and nullable.value.value in ("True", "False"):
            kind = SetNotNull if nullable.value.value == "False" else DropNotNull
            self.changes.append(
                kind(table=table, column=column, **self._common(call, block, self.source.span(nullable)))
            )
        default = args.keyword("server_default")
        if default is not None and not (isinstance(default.value, cst.Name) and default.value.value == "False"):
            self.changes.append(
                SetDefault(
                    table=table,
                    column=column,
                    default_sql=self._default_sql(default.value),
                    drops=_is_none(default.value),
                    **self._common(call, block, self.source.span(default)),
                )
            )
        rename = args.keyword("new_column_name")
        new_name = self._string(rename.value) if rename is not None else None
        if rename is not None and new_name is not None:
            self.changes.append(
                RenameColumn(
                    table=table, column=column, new_name=new_name, **self._common(call, block, self.source.span(rename))
                )
            )

    def _op_create_index(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name", block)
        columns_node = args.get("columns")
        if table is None or columns_node is None:
            return
        columns: tuple[str | None, ...]
        if isinstance(columns_node, (cst.List, cst.Tuple)):
            columns = tuple(self._column_name(element.value) for element in columns_node.elements)
        else:
            columns = (self._column_name(columns_node),)
        self.changes.append(
            CreateIndex(
                table=table,
                name=self._string(args.get("index_name")),
                columns=columns,
                unique=_truthy(args.get("unique")),
                concurrently=_truthy(args.get("postgresql_concurrently")),
                if_not_exists=_truthy(args.get("if_not_exists")),
                partial=args.get("postgresql_where") is not None or args.get("sqlite_where") is not None,
                not_null_where=self._not_null_where(args.get("postgresql_where") or args.get("sqlite_where")),
                **self._common(call, block),
            )
        )

    def _not_null_where(self, node: cst.BaseExpression | None) -> tuple[str, ...]:
        """The columns ``postgresql_where=sa.text("a IS NOT NULL")`` only asks to be non-null."""
        predicate = self._string(node)
        return sql.not_null_columns_in(predicate) if predicate else ()

    def _column_name(self, node: cst.BaseExpression) -> str | None:
        """An index column: a plain name, or None for an expression (``sa.text("lower(email)")``)."""
        if isinstance(node, cst.Call):
            return None
        return self._string(node)

    def _op_drop_index(self, call: cst.Call, args: _Args, block: _Block) -> None:
        name = self._string(args.get("index_name"))
        schema = self._string(args.get("schema"))
        if name is not None and schema and schema != "public" and "." not in name:
            name = f"{schema}.{name}"  # as DROP INDEX spells an index of another schema
        if name is not None:
            self.changes.append(
                DropIndex(
                    names=(name,),
                    concurrently=_truthy(args.get("postgresql_concurrently")),
                    if_exists=_truthy(args.get("if_exists")),
                    table=self._table(args, "table_name", block),
                    **self._common(call, block),
                )
            )

    def _op_create_foreign_key(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "source_table", block, schema_param="source_schema")
        referent = self._string(args.get("referent_table"))
        local = self._names(args.get("local_cols"))
        remote = self._names(args.get("remote_cols"))
        if table is None or referent is None or local is None:
            return
        schema = self._string(args.get("referent_schema"))
        if schema and schema != "public":
            referent = f"{schema}.{referent}"
        if schema:
            self._qualified.add(referent)
        name = self._string(args.get("constraint_name"))
        not_valid = _truthy(args.get("postgresql_not_valid"))
        span = self.source.span(call)
        foreign_key = ForeignKey(
            table=table,
            columns=local,
            ref_table=unqualified(referent),
            ref_columns=remote or (),
            name=name,
            not_valid=not_valid,
            span=span,
        )
        constraint = Constraint(
            kind="foreign", name=name, columns=local, not_valid=not_valid, foreign_key=foreign_key, span=span
        )
        self.changes.append(AddConstraint(table=table, constraint=constraint, **self._common(call, block)))

    def _op_create_unique_constraint(self, call: cst.Call, args: _Args, block: _Block) -> None:
        self._simple_constraint(call, args, block, "unique")

    def _op_create_primary_key(self, call: cst.Call, args: _Args, block: _Block) -> None:
        self._simple_constraint(call, args, block, "primary")

    def _op_create_check_constraint(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name", block)
        if table is None:
            return
        name = self._string(args.get("constraint_name"))
        not_valid = _truthy(args.get("postgresql_not_valid"))
        constraint = Constraint(
            kind="check",
            name=name,
            not_valid=not_valid,
            span=self.source.span(call),
            **_check_facts(self._string(args.get("condition"))),
        )
        self.changes.append(AddConstraint(table=table, constraint=constraint, **self._common(call, block)))

    def _simple_constraint(self, call: cst.Call, args: _Args, block: _Block, kind: ConstraintKind) -> None:
        table = self._table(args, "table_name", block)
        columns = self._names(args.get("columns"))
        if table is None or columns is None:
            return
        name = self._string(args.get("constraint_name"))
        constraint = Constraint(kind=kind, name=name, columns=columns, span=self.source.span(call))
        self.changes.append(AddConstraint(table=table, constraint=constraint, **self._common(call, block)))

    def _op_drop_constraint(self, call: cst.Call, args: _Args, block: _Block) -> None:
        table = self._table(args, "table_name", block)
        name = self._string(args.get("constraint_name"))
        if table is not None and name is not None:
            self.changes.append(
                DropConstraint(
                    table=table, name=name, if_exists=_truthy(args.get("if_exists")), **self._common(call, block)
                )
            )

    def _op_execute(self, call: cst.Call, args: _Args, block: _Block) -> None:
        node = args.get("sqltext")
        while (  # sa.text("...").bindparams(...): the SQL is the text's
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("bindparams", "execution_options", "columns")
        ):
            node = node.func.value
        if isinstance(node, cst.Call) and _callee(node) == "text" and node.args:
            node = node.args[0].value
        value = literal_value(node, self.source.span) if node is not None else None
        if value is None:
            self.opaque = True  # SQL built at run time (SG007 looks at how), or a SQLAlchemy construct
            return
        self._sql(value, block)

    def _in_transaction(self, block: _Block) -> bool:
        if not block.in_transaction:
            return False
        return self.sql_transaction if self.sql_transaction is not None else True

    def _sql(self, value: StringValue, block: _Block) -> None:
        in_transaction = self._in_transaction(block)
        if self.migration.dialect != "postgres":
            from sqlguard.frontends.dialects import parse_dialect_text

            found = parse_dialect_text(value.value, self.migration.dialect, in_transaction=in_transaction)
            self.changes.extend(remap(change, value) for change in found.changes)
            self.migration.errors.extend(remap(error, value) for error in found.errors)
            return
        contiguous = value.contiguous and value.offsets is not None
        base = value.offsets[0] if contiguous and value.offsets is not None else 0
        parsed = sql.parse(value.value, base=base, in_transaction=in_transaction, origin="python")
        if parsed.errors:  # maybe only the driver's placeholders: parse it as with parameters bound
            bound = bind_stand_ins(value.value)
            if bound != value.value:
                retry = sql.parse(bound, base=base, in_transaction=in_transaction, origin="python")
                if len(retry.errors) < len(parsed.errors):
                    parsed = replace(retry, changes=[_as_written(c, value.value, base) for c in retry.changes])
        if contiguous:
            changes, errors = parsed.changes, parsed.errors
        else:
            changes = [remap(change, value) for change in parsed.changes]
            errors = [remap(error, value) for error in parsed.errors]
        self.changes.extend(changes)
        self.migration.errors.extend(errors)
        if block.in_transaction:
            for change in changes:
                if isinstance(change, Transaction) and change.kind in ("commit", "rollback"):
                    self.sql_transaction = False
                elif isinstance(change, Transaction) and change.kind == "begin":
                    self.sql_transaction = True

    # -- sa.Column and friends -----------------------------------------------------------------
    def _column(self, call: cst.Call, table: str) -> Column | None:
        args = _Args(call, ("name", "type_"))
        name = self._string(args.get("name"))
        if name is None:
            return None
        type_node = args.get("type_")
        extra = args.rest()
        if isinstance(type_node, cst.Call) and _callee(type_node) in ("ForeignKey", "Identity", "Computed", "Sequence"):
            extra = [type_node, *extra]
            type_node = None
        type_ref = self._type(type_node) if type_node is not None else None
        references = None
        identity = False
        generated = False
        for item in extra:
            if not isinstance(item, cst.Call):
                continue
            kind = _callee(item)
            if kind == "ForeignKey":
                references = self._foreign_key(item, table, name)
            elif kind == "Identity":
                identity = True
            elif kind == "Computed":
                persisted = _Args(item, ()).get("persisted")
                generated = persisted is None or _truthy(persisted)
        primary_key = _truthy(args.get("primary_key"))
        nullable = args.get("nullable")
        not_null = primary_key if nullable is None else (isinstance(nullable, cst.Name) and nullable.value == "False")
        default = args.get("server_default")
        autoincrement_node = args.get("autoincrement")
        autoincrement = _truthy(autoincrement_node)
        return Column(
            name=name,
            type=type_ref,
            span=self.source.span(call),
            not_null=not_null,
            primary_key=primary_key,
            unique=_truthy(args.get("unique")),
            has_default=default is not None and not _is_none(default),
            **_default_facts(self._default_sql(default) if default is not None else None),
            identity=identity,
            generated_stored=generated,
            autoincrement=autoincrement,  # "auto" is settled per table by _settle_keys
            references=references,
        )

    def _foreign_key(self, call: cst.Call, table: str, column: str) -> ForeignKey | None:
        args = _Args(call, ("column",))
        target = self._string(args.get("column"))
        if target is None or "." not in target:
            return None
        ref_table, _, ref_column = target.rpartition(".")
        if "." in ref_table:
            self._qualified.add(unqualified(ref_table))
        return ForeignKey(
            table=table,
            columns=(column,),
            ref_table=unqualified(ref_table),
            ref_columns=(ref_column,),
            name=self._string(args.get("name")),
            span=self.source.span(call),
        )

    def _constraint(self, call: cst.Call, kind: str | None, table: str) -> Constraint | None:
        span = self.source.span(call)
        if kind == "PrimaryKeyConstraint" or kind == "UniqueConstraint":
            args = _Args(call, ())
            names = tuple(self._string(arg) for arg in args.rest())
            if any(name is None for name in names):
                self.opaque = True
                return None
            constraint_kind: ConstraintKind = "primary" if kind == "PrimaryKeyConstraint" else "unique"
            columns = tuple(n for n in names if n is not None)
            return Constraint(kind=constraint_kind, name=self._string(args.get("name")), columns=columns, span=span)
        if kind == "ForeignKeyConstraint":
            args = _Args(call, ("columns", "refcolumns"))
            local = self._names(args.get("columns"))
            remote = self._names(args.get("refcolumns"))
            if local is None or not remote or "." not in remote[0]:
                self.opaque = True
                return None
            ref_table = remote[0].rpartition(".")[0]
            if "." in ref_table:
                self._qualified.add(unqualified(ref_table))
            name = self._string(args.get("name"))
            not_valid = _truthy(args.get("postgresql_not_valid"))
            foreign_key = ForeignKey(
                table=table,
                columns=local,
                ref_table=unqualified(ref_table),
                ref_columns=tuple(r.rpartition(".")[2] for r in remote),
                name=name,
                not_valid=not_valid,
                span=span,
            )
            return Constraint(
                kind="foreign", name=name, columns=local, not_valid=not_valid, foreign_key=foreign_key, span=span
            )
        if kind == "CheckConstraint":
            args = _Args(call, ("sqltext",))
            return Constraint(
                kind="check",
                name=self._string(args.get("name")),
                span=span,
                **_check_facts(self._string(args.get("sqltext"))),
            )
        return None

    def _type(self, node: cst.BaseExpression | None) -> TypeRef | None:
        """``sa.DateTime(timezone=True)`` → ``timestamptz``; ``sa.String(50)`` → ``varchar(50)``."""
        if node is None:
            return None
        call = node if isinstance(node, cst.Call) else None
        target = call.func if call is not None else node
        if isinstance(target, cst.Attribute) and target.attr.value == "with_variant" and call is not None:
            # sa.JSON().with_variant(JSONB(), "postgresql"): PostgreSQL gets the variant
            variant = _Args(call, ("type_", "dialect_name"))
            dialect = self._string(variant.get("dialect_name"))
            chosen = variant.get("type_") if dialect == "postgresql" else target.value
            return self._type(chosen)
        if isinstance(target, cst.Attribute):
            written_name = target.attr.value
        elif isinstance(target, cst.Name):
            written_name = target.value
        else:
            return None
        key = written_name.lower()
        args = _Args(call, ()) if call is not None else None
        numbers: tuple[int, ...] = ()
        if args is not None:
            numbers = tuple(int(a.value) for a in args.positional if isinstance(a, cst.Integer))
            length = args.get("length")
            if isinstance(length, cst.Integer):
                numbers = (int(length.value),)
        if key == "array" and args is not None and args.positional:
            inner = self._type(args.positional[0])
            if inner is None:
                return None
            return TypeRef(
                name=inner.name,
                args=inner.args,
                array=True,
                span=self.source.span(node),
                written=self.source.code(node),
            )
        timezone = args is not None and _truthy(args.get("timezone"))
        if args is not None and args.positional and key in ("datetime", "timestamp", "time"):
            timezone = timezone or _truthy(args.positional[0])  # sa.DateTime(True): timezone first
        if key in ("datetime", "timestamp"):
            name = "timestamptz" if timezone else "timestamp"
        elif key == "time":
            name = "timetz" if timezone else "time"
        elif key == "enum":
            name = self._string(args.get("name")) or "enum" if args is not None else "enum"
        else:
            name = _TYPES.get(key, key)
        if name == "json":
            name = self._custom_json(target)
        return TypeRef(
            name=name,
            args=numbers,
            span=self.source.span(node),
            written=self.source.code(node),
            py_callee=_dotted_name(target),
            py_args=tuple(
                self.source.code(arg)
                for arg in (call.args if call is not None else ())
                if arg.keyword is None or arg.keyword.value != "timezone"
            ),
        )

    def _custom_json(self, target: cst.BaseExpression) -> str:
        """"json" for SQLAlchemy's JSON; what a TypeDecorator of this file gives PostgreSQL; or
        the dotted name of a JSON type the project defines elsewhere (unknown, so no rule
        treats it as json: many such types are JSONB on PostgreSQL)."""
        dotted = _dotted_name(target) or ""
        origin = self.source.type_name_origin(dotted.split(".")[0])
        if origin in ("jsonb", "json"):
            return origin
        return dotted if origin == "project" else "json"  # as written: "JSON" is not "json"

    def _default_sql(self, node: cst.BaseExpression) -> str | None:
        """``server_default`` as the SQL PostgreSQL gets: strings are quoted, text()/func.x() kept."""
        if _is_none(node):
            return None
        if isinstance(node, cst.Call):
            callee = _callee(node)
            if callee == "text" and node.args:
                return _sql_expression(self._string(node.args[0].value))
            if isinstance(node.func, cst.Attribute) and "func" in self.source.code(node.func).split("."):
                return f"{node.func.attr.value}()"
            return None
        value = self._string(node)
        if value is not None:
            return "'" + value.replace("'", "''") + "'"
        return None


def _as_written(change: Change, text: str, base: int) -> Change:
    """``change`` parsed from ``text`` with stand-ins for its placeholders, showing the statement
    as written (the stand-ins have the placeholders' width, so the span is the same)."""
    span = change.statement_span
    return replace(change, statement=text[span.start - base : span.end - base])


def _settle_keys(
    columns: list[Column], primary: set[str], auto: set[str], foreign: frozenset[str] | set[str] = frozenset()
) -> list[Column]:
    """Apply table-level primary keys, then SQLAlchemy's ``autoincrement="auto"`` rule.

    A column named in a ``PrimaryKeyConstraint`` is a key. ``auto`` (no ``autoincrement=``
    written) makes a lone integer key without a foreign key (inline, or a table-level
    ``ForeignKeyConstraint`` naming it: ``foreign``), server default or identity a SERIAL; an
    explicit ``autoincrement=True`` does so for any integer column.
    """
    settled = [
        dataclasses.replace(column, primary_key=True, not_null=True) if column.name in primary else column
        for column in columns
    ]
    keys = [column for column in settled if column.primary_key]
    result = []
    for column in settled:
        integer = column.type is not None and column.type.name in _INTEGER_TYPES
        by_default = (
            column.name in auto
            and len(keys) == 1
            and column.primary_key
            and column.references is None
            and column.name not in foreign
            and not column.has_default
            and not column.identity
        )
        result.append(dataclasses.replace(column, autoincrement=integer and (column.autoincrement or by_default)))
    return result


def _default_facts(default_sql: str | None) -> dict[str, Any]:
    """What the SQL front end knows about ``DEFAULT <default_sql>`` (its calls, whether it is NULL),
    read by parsing that very clause, so both front ends say the same thing."""
    if default_sql is None:
        return {"default_sql": None}
    parsed = sql.parse(f"ALTER TABLE t ADD COLUMN c text DEFAULT {default_sql}")
    change = parsed.changes[0] if len(parsed.changes) == 1 and not parsed.errors else None
    if not isinstance(change, AddColumn):
        return {"default_sql": default_sql}
    column = change.column
    return {
        "default_sql": column.default_sql,
        "default_calls": column.default_calls,
        "default_is_null": column.default_is_null,
    }


def _check_facts(condition: str | None) -> dict[str, Any]:
    """A CHECK condition's facts (expression, columns proven NOT NULL) as the SQL front end reads them."""
    if condition is None:
        return {}
    parsed = sql.parse(f"ALTER TABLE t ADD CONSTRAINT c CHECK ({condition})")
    change = parsed.changes[0] if len(parsed.changes) == 1 and not parsed.errors else None
    if not isinstance(change, AddConstraint):
        return {"expression": condition}
    constraint = change.constraint
    return {
        "expression": constraint.expression,
        "not_null_columns": constraint.not_null_columns,
        "refers_to": constraint.refers_to,
    }


def _sql_expression(text: str | None) -> str | None:
    """A SQL expression as the SQL front end prints it (``x::int`` → ``CAST(x AS integer)``)."""
    if text is None:
        return None
    try:
        statement = pglast.parse_sql(f"SELECT {text}")[0].stmt
        if not isinstance(statement, pglast.ast.SelectStmt) or not statement.targetList:
            return text
        return str(RawStream()(statement.targetList[0].val))
    except Exception:  # not a lone expression: keep it as written
        return text


def _dotted_name(node: cst.BaseExpression) -> str | None:
    """``sa.types.DateTime`` → that text; None unless ``node`` is names joined by dots."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        receiver = _dotted_name(node.value)
        return None if receiver is None else f"{receiver}.{node.attr.value}"
    return None


def _callee(call: cst.Call) -> str | None:
    """The last name of what is called: ``sa.Column(...)`` → ``Column``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


def _receiver_is_op(func: cst.Attribute) -> bool:
    return isinstance(func.value, cst.Name) and func.value.value == "op"


def _is_op_call(node: cst.BaseExpression, method: str) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == method
        and _receiver_is_op(node.func)
    )


def _truthy(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
