"""MySQL and SQLite front end: SQL text → the same ``Change``s as PostgreSQL, through sqlglot.

Only what means the same thing in these dialects becomes a real change (tables, columns and
their types, keys, foreign keys, indexes, renames, drops, data changes, transactions), so the
rules that opt in to a dialect (``dialects:`` on their page) see familiar facts. MySQL index
builds become ``MysqlIndexBuild`` with their ALGORITHM/LOCK clauses, since PostgreSQL advice
(CONCURRENTLY) does not apply there. Anything else is a ``RawStatement``, so nothing is dropped.

Spans: sqlglot's tokens and identifiers carry character offsets into the text they were given
(``end`` inclusive). The file is cut into statements at top-level ``;`` tokens, each statement is
parsed alone (a syntax error costs one E001 and the other statements are still checked), and
every offset is shifted by the statement's start.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from sqlguard.diagnostics import SYNTAX_ERROR, Diagnostic, Span
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AlterColumnType,
    Change,
    Column,
    Constraint,
    CreateIndex,
    CreateTable,
    DataChange,
    DropColumn,
    DropDatabase,
    DropIndex,
    DropSchema,
    DropTable,
    ForeignKey,
    Migration,
    MysqlIndexBuild,
    RawStatement,
    RenameColumn,
    RenameTable,
    Transaction,
    Truncate,
    TypeRef,
)

DIALECTS = ("mysql", "sqlite")

# sqlglot type names → the canonical PostgreSQL names rules compare against. DATETIME holds no
# time zone, like PostgreSQL's ``timestamp``; MySQL's TIMESTAMP is stored in UTC. UNSIGNED
# integers keep the word, since their range differs (rules that know them say so).
_TYPES = {
    "INT": "integer",
    "UINT": "integer unsigned",
    "MEDIUMINT": "integer",
    "UMEDIUMINT": "integer unsigned",
    "SMALLINT": "smallint",
    "USMALLINT": "smallint unsigned",
    "TINYINT": "smallint",
    "UTINYINT": "smallint unsigned",
    "BIGINT": "bigint",
    "UBIGINT": "bigint unsigned",
    "VARCHAR": "varchar",
    "NVARCHAR": "varchar",
    "CHAR": "char",
    "NCHAR": "char",
    "DATETIME": "timestamp",
    "TIMESTAMP": "timestamptz",
    "JSON": "json",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "DECIMAL": "numeric",
    "DOUBLE": "double precision",
    "FLOAT": "real",
}
_INDEX_KINDS = frozenset({"UNIQUE", "FULLTEXT", "SPATIAL"})
_ONLINE_OPTIONS = frozenset({"ALGORITHM", "LOCK"})

# sqlglot logs a warning for every statement it keeps as a generic Command; those become
# RawStatement here, so the warning is noise on the user's terminal.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _default_calls(node: exp.Expression | None) -> tuple[str, ...]:
    """Lower-case names of the functions a DEFAULT calls (``CURRENT_TIMESTAMP`` included). SQLite's
    date functions take their modifiers as strings, and ``'localtime'`` turns UTC into the
    server's wall clock: it is listed as ``localtime``, as if it were a call."""
    if node is None:
        return ()
    names: list[str] = []
    for item in node.walk():
        if isinstance(item, exp.Anonymous):
            names.append(str(item.this).lower())
        elif isinstance(item, exp.Func):
            names.append(item.sql_name().lower())
        elif isinstance(item, exp.Literal) and item.is_string and item.this.lower() == "localtime":
            names.append("localtime")
    return tuple(dict.fromkeys(names))


@dataclass
class _Parsed:
    changes: list[Change] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


def parse_dialect_file(path: str, text: str, dialect: str, *, assume_in_transaction: bool = False) -> Migration:
    """Parse a MySQL or SQLite migration file into a ``Migration``."""
    parsed = _parse(text, dialect, assume_in_transaction)
    return Migration(path=path, text=text, kind="sql", changes=parsed.changes, errors=parsed.errors, dialect=dialect)


def parse_dialect_text(text: str, dialect: str, *, in_transaction: bool = False) -> _Parsed:
    """Changes and syntax errors of a piece of MySQL or SQLite (SQL inside a Python revision),
    with offsets into ``text``."""
    return _parse(text, dialect, in_transaction)


def _parse(text: str, dialect: str, in_transaction: bool) -> _Parsed:
    result = _Parsed()
    builder = _Builder(text, dialect, in_transaction)
    for start, end in _pieces(text, dialect, result):
        try:
            expression = sqlglot.parse_one(text[start:end], read=dialect)
        except (ParseError, TokenError) as error:
            result.errors.append(_syntax_error(_message(error, dialect), start + _error_offset(error), text))
            continue
        result.changes.extend(builder.convert(expression, start, end))
    return result


def _pieces(text: str, dialect: str, result: _Parsed) -> Iterator[tuple[int, int]]:
    """Statement spans of the file; when the tokenizer fails (an unclosed quote), each ``;``-cut
    piece is tokenized alone so the statements before and after the broken one still count."""
    tokenizer = Dialect.get_or_raise(dialect).tokenizer
    try:
        yield from _statements(tokenizer().tokenize(text))
        return
    except TokenError:
        pass
    start = 0
    for piece in text.split(";"):
        end = start + len(piece)
        try:
            tokens = tokenizer().tokenize(piece)
        except TokenError as error:
            at = start + _unclosed_quote(piece)
            result.errors.append(_syntax_error(f"{dialect}: {str(error).splitlines()[0]}", at, text))
        else:
            for piece_start, piece_end in _statements(tokens):
                yield start + piece_start, start + piece_end
        start = end + 1


def _statements(tokens: list[Token]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each statement: from its first token to the end of its last, no ``;``."""
    first: Token | None = None
    last: Token | None = None
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if first is not None and last is not None:
                yield first.start, last.end + 1
            first = last = None
            continue
        first = first or token
        last = token
    if first is not None and last is not None:
        yield first.start, last.end + 1


def _syntax_error(message: str, at: int, text: str) -> Diagnostic:
    at = max(0, min(at, max(len(text) - 1, 0)))
    return Diagnostic(SYNTAX_ERROR, Span(at, at + 1), message, name="syntax-error")


def _message(error: Exception, dialect: str) -> str:
    details = getattr(error, "errors", None)
    if details and isinstance(details, list) and isinstance(details[0], dict):
        description = str(details[0].get("description", error))
    else:
        description = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"{dialect}: {description}"


def _error_offset(error: Exception) -> int:
    """Offset of the token sqlglot stopped at, relative to the statement (0 when unknown)."""
    details = getattr(error, "errors", None)
    if not details or not isinstance(details, list) or not isinstance(details[0], dict):
        return 0
    start_context = details[0].get("start_context")
    return len(start_context) if isinstance(start_context, str) else 0


def _unclosed_quote(text: str) -> int:
    """Where an unterminated string or quoted name most likely starts (tokenizer errors say no place)."""
    positions = [text.rfind(quote) for quote in ("'", '"', "`")]
    best = max(positions)
    return best if best >= 0 else 0


def _creates_index(node: exp.Expr) -> bool:
    """``CREATE ... INDEX`` as sqlglot gives it: a Create, or a Command when the options are MySQL's."""
    if isinstance(node, exp.Create):
        return str(node.args.get("kind", "")).upper() == "INDEX"
    return isinstance(node, exp.Command) and node.name.upper() == "CREATE"


def _upper(tokens: list[Token], at: int) -> str:
    return tokens[at].text.upper() if at < len(tokens) else ""


def _is_word(token: Token) -> bool:
    """A name or keyword token (``orders``, `` `orders` ``, ``INPLACE``), not punctuation or a literal."""
    if token.token_type == TokenType.IDENTIFIER:
        return True
    return token.token_type not in (TokenType.STRING, TokenType.NUMBER) and token.text.replace(" ", "_").isidentifier()


def _dotted_name(tokens: list[Token], at: int) -> tuple[str | None, int]:
    """A possibly schema-qualified name starting at ``at`` (``shop.orders``, `` `shop`.`orders` ``),
    and the index after it; ``None`` when no name starts there."""
    parts: list[str] = []
    while at < len(tokens) and _is_word(tokens[at]):
        parts.append(tokens[at].text)
        at += 1
        if at + 1 < len(tokens) and tokens[at].token_type == TokenType.DOT:
            at += 1
        else:
            break
    return (".".join(parts) if parts else None), at


def _closing(tokens: list[Token], at: int) -> int | None:
    """Index of the ``)`` closing the ``(`` at ``at``; None if ``at`` holds no ``(`` or it is unclosed."""
    if at >= len(tokens) or tokens[at].token_type != TokenType.L_PAREN:
        return None
    depth = 0
    for index in range(at, len(tokens)):
        kind = tokens[index].token_type
        depth += 1 if kind == TokenType.L_PAREN else -1 if kind == TokenType.R_PAREN else 0
        if depth == 0:
            return index
    return None


def _part_columns(tokens: list[Token], open_at: int, close: int) -> Iterator[str]:
    """The column each key part of ``(a, b(10) DESC, ...)`` starts with; expression parts are skipped."""
    depth = 0
    starts_part = True
    for token in tokens[open_at + 1 : close]:
        if starts_part and depth == 0 and _is_word(token):
            yield token.text
        starts_part = False
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif token.token_type == TokenType.COMMA and depth == 0:
            starts_part = True


class _Builder:
    """Turns one sqlglot expression into changes, tracking explicit transactions."""

    def __init__(self, text: str, dialect: str, in_transaction: bool) -> None:
        self.text = text
        self.dialect = dialect
        self.in_transaction = in_transaction
        self.start = 0
        self.end = 0
        self._tokens_of = (-1, -1)
        self._cached_tokens: list[Token] = []

    def _common(self) -> dict[str, Any]:
        span = Span(self.start, self.end)
        return {
            "span": span,
            "statement_span": span,
            "statement": self.text[self.start : self.end],
            "in_transaction": self.in_transaction,
            "origin": "sql",
        }

    def _span_of(self, node: exp.Expression | None) -> Span:
        """The span of an identifier-bearing node, or the statement when sqlglot kept no offsets."""
        identifier = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier) if node else None
        meta = identifier.meta if identifier is not None else {}
        if "start" in meta and "end" in meta:
            return Span(self.start + int(meta["start"]), self.start + int(meta["end"]) + 1)
        return Span(self.start, self.end)

    # -- dispatch ------------------------------------------------------------------------------
    def convert(self, node: exp.Expr, start: int, end: int) -> list[Change]:
        self.start, self.end = start, end
        changes = list(self._convert(node))
        if isinstance(node, exp.Transaction):
            self.in_transaction = True
        elif isinstance(node, exp.Commit | exp.Rollback):
            self.in_transaction = False
        return changes

    def _statement_tokens(self) -> list[Token]:
        """The statement's tokens, tokenized once per statement."""
        if self._tokens_of != (self.start, self.end):
            self._tokens_of, self._cached_tokens = (self.start, self.end), self._tokens(self.start)
        return self._cached_tokens

    def _tokens(self, start: int) -> list[Token]:
        """The dialect's tokens of the text from ``start`` to the statement's end, offsets into the file."""
        try:
            tokens = Dialect.get_or_raise(self.dialect).tokenize(self.text[start : self.end])
        except TokenError:
            return []
        for token in tokens:
            token.start += start
            token.end += start
        return tokens

    def _convert(self, node: exp.Expr) -> Iterator[Change]:
        if self.dialect == "mysql" and _creates_index(node) and (build := self._mysql_create_index()) is not None:
            yield build
        elif isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "TABLE":
            yield from self._create_table(node)
        elif isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "INDEX":
            yield self._create_index(node)
        elif isinstance(node, exp.Alter) and str(node.args.get("kind", "")).upper() == "TABLE":
            yield from self._alter_table(node)
        elif isinstance(node, exp.Drop):
            yield self._drop(node)
        elif isinstance(node, exp.TruncateTable):
            tables = tuple(_table_name(table) for table in node.expressions)
            yield Truncate(tables=tables, **self._common())
        elif isinstance(node, exp.Update | exp.Delete):
            yield self._data_change(node)
        elif isinstance(node, exp.Transaction):
            yield Transaction(kind="begin", **self._common())
        elif isinstance(node, exp.Commit | exp.Rollback):
            yield Transaction(kind="commit" if isinstance(node, exp.Commit) else "rollback", **self._common())
        elif isinstance(node, exp.Command) and node.name.upper() == "RENAME" and (rename := self._rename_table()):
            yield RenameTable(table=rename[0], new_name=rename[1], **self._common())
        else:
            yield RawStatement(kind=type(node).__name__, **self._common())

    # -- CREATE TABLE ------------------------------------------------------------------------------
    def _create_table(self, node: exp.Create) -> Iterator[Change]:
        schema = node.this
        table = _table_name(schema.this if isinstance(schema, exp.Schema) else schema)
        columns: list[Column] = []
        constraints: list[Constraint] = []
        inline_indexes: list[Change] = []
        for element in schema.expressions if isinstance(schema, exp.Schema) else ():
            if isinstance(element, exp.ColumnDef):
                columns.append(self._column(table, element))
            elif isinstance(element, exp.PrimaryKey):
                names = tuple(_identifiers(element.expressions))
                constraints.append(Constraint(kind="primary", columns=names, span=self._span_of(element)))
            elif isinstance(element, exp.ForeignKey):
                constraints.append(self._foreign_key_constraint(table, element, None))
            elif isinstance(element, exp.Constraint):
                for inner in element.expressions:
                    if isinstance(inner, exp.ForeignKey):
                        constraints.append(self._foreign_key_constraint(table, inner, element.name))
                    elif isinstance(inner, exp.PrimaryKey):
                        names = tuple(_identifiers(inner.expressions))
                        constraints.append(Constraint(kind="primary", columns=names, span=self._span_of(element)))
            elif isinstance(element, exp.UniqueColumnConstraint):
                names = _unique_columns(element)
                constraints.append(Constraint(kind="unique", columns=names, span=self._span_of(element)))
            elif isinstance(element, exp.IndexColumnConstraint):
                inline_indexes.append(self._index_build(table, element, unique=False, options=()))
        yield CreateTable(
            table=table,
            columns=tuple(columns),
            constraints=tuple(constraints),
            if_not_exists=bool(node.args.get("exists")),
            **self._common(),
        )
        yield from inline_indexes

    def _column(self, table: str, node: exp.ColumnDef) -> Column:
        name = node.name
        facts: dict[str, Any] = {
            "not_null": False,
            "primary_key": False,
            "unique": False,
            "has_default": False,
            "default_sql": None,
            "autoincrement": False,
            "references": None,
            "default_calls": (),
        }
        for constraint in node.args.get("constraints") or ():
            kind = constraint.args.get("kind")
            if isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null"):
                facts["not_null"] = True
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                facts["primary_key"] = facts["not_null"] = True
            elif isinstance(kind, exp.UniqueColumnConstraint):
                facts["unique"] = True
            elif isinstance(kind, exp.DefaultColumnConstraint):
                facts["has_default"] = True
                facts["default_sql"] = kind.this.sql(dialect=self.dialect) if kind.this is not None else None
                facts["default_calls"] = _default_calls(kind.this)
            elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                facts["autoincrement"] = True
            elif isinstance(kind, exp.Reference):
                facts["references"] = self._reference(table, (name,), kind, None, self._span_of(node.this))
        return Column(name=name, type=self._type(node), span=self._span_of(node.this), **facts)

    def _type(self, node: exp.ColumnDef) -> TypeRef | None:
        data_type = node.args.get("kind")
        if not isinstance(data_type, exp.DataType):
            return None
        span = self._type_span(node)
        raw = data_type.this.name if hasattr(data_type.this, "name") else str(data_type.this)
        args = tuple(
            int(param.name)
            for param in data_type.expressions
            if isinstance(param, exp.DataTypeParam) and param.name.isdigit()
        )
        return TypeRef(
            name=_TYPES.get(raw, raw.lower()),
            args=args,
            span=span,
            written=self.text[span.start : span.end],
        )

    def _type_span(self, node: exp.ColumnDef) -> Span:
        """From the token after the column name through the type's closing parenthesis, if any."""
        name_span = self._span_of(node.this)
        statement_tokens = self._statement_tokens()
        first = bisect_left(statement_tokens, name_span.end, key=lambda token: token.start)
        tokens = statement_tokens[first:]
        if not tokens or not _is_word(tokens[0]):
            return name_span
        end = tokens[0].end
        if len(tokens) > 1 and tokens[1].token_type == TokenType.L_PAREN:
            close = _closing(tokens, 1)
            end = tokens[close].end if close is not None else end
        return Span(tokens[0].start, end + 1)

    def _reference(
        self, table: str, columns: tuple[str, ...], node: exp.Reference, name: str | None, span: Span
    ) -> ForeignKey:
        target = node.this
        ref_table = _table_name(target.this if isinstance(target, exp.Schema) else target)
        ref_columns = tuple(_identifiers(target.expressions)) if isinstance(target, exp.Schema) else ()
        return ForeignKey(
            table=table, columns=columns, ref_table=ref_table, ref_columns=ref_columns, name=name, span=span
        )

    def _foreign_key_constraint(self, table: str, node: exp.ForeignKey, name: str | None) -> Constraint:
        columns = tuple(_identifiers(node.expressions))
        span = self._span_of(node)
        reference = node.args.get("reference")
        foreign_key = (
            self._reference(table, columns, reference, name, span) if isinstance(reference, exp.Reference) else None
        )
        return Constraint(kind="foreign", name=name, columns=columns, foreign_key=foreign_key, span=span)

    # -- indexes ---------------------------------------------------------------------------------
    def _create_index(self, node: exp.Create) -> Change:
        index = node.this
        table = _table_name(index.args.get("table")) if isinstance(index, exp.Index) else ""
        params = index.args.get("params") if isinstance(index, exp.Index) else None
        columns: tuple[str | None, ...] = ()
        if isinstance(params, exp.IndexParameters):
            columns = tuple(
                ordered.this.name if isinstance(ordered.this, exp.Column) else None
                for ordered in params.args.get("columns") or ()
            )
        return CreateIndex(
            table=table,
            name=index.name if isinstance(index, exp.Index) else None,
            columns=columns,
            unique=bool(node.args.get("unique")),
            if_not_exists=bool(node.args.get("exists")),
            **self._common(),
        )

    def _mysql_create_index(self) -> MysqlIndexBuild | None:
        """``CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name [USING t] ON table (parts) [options]``, read
        from the statement's tokens: sqlglot keeps the ALGORITHM/LOCK form as a generic Command."""
        tokens = self._statement_tokens()
        at = 1
        kind = _upper(tokens, at)
        if kind in _INDEX_KINDS:
            at += 1
        if _upper(tokens, at) != "INDEX":
            return None
        name, at = _dotted_name(tokens, at + 1)
        if _upper(tokens, at) == "USING":
            at += 2
        if name is None or _upper(tokens, at) != "ON":
            return None
        table, at = _dotted_name(tokens, at + 1)
        close = _closing(tokens, at) if table is not None else None
        if table is None or close is None:
            return None
        options: dict[str, str] = {}
        for index, token in enumerate(tokens[close + 1 :], start=close + 1):
            if token.text.upper() in _ONLINE_OPTIONS:
                value = index + 2 if _upper(tokens, index + 1) == "=" else index + 1
                if value < len(tokens) and _is_word(tokens[value]):
                    options[token.text.upper()] = tokens[value].text.upper()
        return MysqlIndexBuild(
            table=table,
            name=name,
            columns=tuple(_part_columns(tokens, at, close)),
            unique=kind == "UNIQUE",
            algorithm=options.get("ALGORITHM"),
            lock=options.get("LOCK"),
            **self._common(),
        )

    def _rename_table(self) -> tuple[str, str] | None:
        """``RENAME TABLE old TO new`` (the first pair): sqlglot keeps the statement as a Command whose
        text after RENAME is one string token, so that text is tokenized again."""
        tokens = self._statement_tokens()
        tokens = self._tokens(tokens[0].end + 1) if tokens else []
        if _upper(tokens, 0) != "TABLE":
            return None
        old, at = _dotted_name(tokens, 1)
        if old is None or _upper(tokens, at) != "TO":
            return None
        new, _ = _dotted_name(tokens, at + 1)
        return (old, new) if new is not None else None

    def _index_build(
        self,
        table: str,
        node: exp.IndexColumnConstraint | exp.UniqueColumnConstraint,
        *,
        unique: bool,
        options: tuple[exp.Expression, ...],
    ) -> Change:
        if isinstance(node, exp.UniqueColumnConstraint):
            columns = _unique_columns(node)
            name = node.this.this.name if isinstance(node.this, exp.Schema) and node.this.this is not None else None
        else:
            columns = tuple(_identifiers(node.expressions))
            name = node.name or None
        if self.dialect != "mysql":
            return CreateIndex(table=table, name=name, columns=columns, unique=unique, **self._common())
        settings = {
            type(option).__name__: option.name.upper()
            for option in options
            if isinstance(option, exp.AlgorithmProperty | exp.LockProperty)
        }
        return MysqlIndexBuild(
            table=table,
            name=name,
            columns=columns,
            unique=unique,
            algorithm=settings.get("AlgorithmProperty"),
            lock=settings.get("LockProperty"),
            **self._common(),
        )

    # -- ALTER TABLE -----------------------------------------------------------------------------
    def _alter_table(self, node: exp.Alter) -> Iterator[Change]:
        table = _table_name(node.this)
        options = tuple(node.args.get("options") or ())
        common = self._common()
        for action in node.args.get("actions") or ():
            if isinstance(action, exp.ColumnDef):
                column = self._column(table, action)
                yield AddColumn(
                    table=table,
                    column=column,
                    if_not_exists=bool(action.args.get("exists")),
                    **{**common, "span": column.span},
                )
            elif isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "COLUMN":
                for dropped in action.args.get("tables") or ():
                    yield DropColumn(
                        table=table, column=dropped.name, if_exists=bool(action.args.get("exists")), **common
                    )
            elif isinstance(action, exp.RenameColumn):
                old, new = action.this, action.args.get("to")
                yield RenameColumn(table=table, column=old.name, new_name=new.name if new is not None else "", **common)
            elif isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
                yield from self._modify_column(table, action, common)
            elif isinstance(action, exp.AlterRename):
                yield RenameTable(table=table, new_name=_table_name(action.this), **common)
            elif isinstance(action, exp.AddConstraint):
                yield from self._add_constraint(table, action, options)
            else:
                yield RawStatement(kind=f"AlterTable.{type(action).__name__}", **common)

    def _modify_column(self, table: str, action: exp.ModifyColumn, common: dict[str, Any]) -> Iterator[Change]:
        """MySQL's CHANGE [COLUMN] old new TYPE (a rename when the names differ) and MODIFY col TYPE."""
        definition = action.this
        renamed_from = action.args.get("rename_from")
        if isinstance(renamed_from, exp.Identifier) and renamed_from.name != definition.name:
            yield RenameColumn(table=table, column=renamed_from.name, new_name=definition.name, **common)
        type_ref = self._type(definition)
        if type_ref is not None:
            yield AlterColumnType(table=table, column=definition.name, type=type_ref, **common)

    def _add_constraint(
        self, table: str, action: exp.AddConstraint, options: tuple[exp.Expression, ...]
    ) -> Iterator[Change]:
        for item in action.expressions:
            inner = item.expressions[0] if isinstance(item, exp.Constraint) and item.expressions else item
            name = item.name if isinstance(item, exp.Constraint) else None
            if isinstance(inner, exp.IndexColumnConstraint):
                yield self._index_build(table, inner, unique=False, options=options)
            elif isinstance(inner, exp.UniqueColumnConstraint):
                yield self._index_build(table, inner, unique=True, options=options)
            elif isinstance(inner, exp.ForeignKey):
                constraint = self._foreign_key_constraint(table, inner, name)
                yield AddConstraint(table=table, constraint=constraint, **{**self._common(), "span": constraint.span})
            else:
                yield RawStatement(kind=f"AlterTable.AddConstraint.{type(inner).__name__}", **self._common())

    # -- DROP, UPDATE, DELETE ----------------------------------------------------------------------
    def _drop(self, node: exp.Drop) -> Change:
        kind = str(node.args.get("kind", "")).upper()
        names = tuple(_table_name(table) for table in node.args.get("tables") or ())
        exists = bool(node.args.get("exists"))
        if kind == "TABLE":
            return DropTable(tables=names, if_exists=exists, cascade=bool(node.args.get("cascade")), **self._common())
        if kind == "INDEX" and self.dialect == "sqlite":
            return DropIndex(names=names, if_exists=exists, **self._common())
        if kind == "DATABASE":
            return DropDatabase(name=names[0] if names else "", if_exists=exists, **self._common())
        if kind == "SCHEMA":
            return DropSchema(names=names, if_exists=exists, **self._common())
        return RawStatement(kind=f"Drop.{kind}", **self._common())

    def _data_change(self, node: exp.Update | exp.Delete) -> DataChange:
        targets = (
            [item.this for item in node.expressions if isinstance(item, exp.EQ) and isinstance(item.this, exp.Column)]
            if isinstance(node, exp.Update)
            else []
        )
        return DataChange(
            kind="update" if isinstance(node, exp.Update) else "delete",
            table=_table_name(node.this),
            has_where=node.args.get("where") is not None,
            assigned=tuple(target.name for target in targets),
            assigned_spans=tuple(self._span_of(target) for target in targets),
            **self._common(),
        )


def _table_name(node: Any) -> str:
    if not isinstance(node, exp.Table):
        return node.name if isinstance(node, exp.Expression) else ""
    parts = [part for part in (node.args.get("db"), node.this) if part is not None]
    return ".".join(part.name for part in parts)


def _identifiers(items: Any) -> Iterator[str]:
    for item in items or ():
        if isinstance(item, exp.Identifier | exp.Column | exp.Ordered):
            yield item.this.name if isinstance(item, exp.Ordered) else item.name


def _unique_columns(node: exp.UniqueColumnConstraint) -> tuple[str, ...]:
    target = node.this
    return tuple(_identifiers(target.expressions)) if isinstance(target, exp.Schema) else ()
