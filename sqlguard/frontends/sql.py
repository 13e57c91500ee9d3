"""PostgreSQL front end: SQL text → ordered ``Change``s, through pglast (libpg_query).

pglast 8 reports locations as offsets into the Python ``str`` (characters), statement spans that
skip leading comments and exclude the ``;``. Every span produced here is shifted by ``base`` so
SQL embedded in a Python file (``op.execute("...")``) lands at its real place.

When a file does not parse as a whole, it is cut at top-level ``;`` tokens (pglast's scanner
knows quotes, dollar quotes and comments) and each piece is parsed alone: one E001 per broken
statement, and every other statement is still checked. psql meta-commands (``\\set``...) are
blanked out first, keeping offsets, since they are not SQL.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

import pglast
from pglast import ast, enums, parser
from pglast.stream import RawStream

from sqlguard.diagnostics import SYNTAX_ERROR, Diagnostic, Span
from sqlguard.frontends import objects, plpgsql
from sqlguard.frontends.cuts import RecutCache, split_top_level
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AlterColumnType,
    AlterDomainAddConstraint,
    AttachPartition,
    BehaviourChange,
    BlockKind,
    Change,
    Cluster,
    Column,
    ColumnGenerationChange,
    Constraint,
    ConstraintKind,
    CreateDomain,
    CreateIndex,
    CreateTable,
    CreateView,
    DataChange,
    DetachPartition,
    DropColumn,
    DropConstraint,
    DropDatabase,
    DropIndex,
    DropNotNull,
    DropSchema,
    DropTable,
    EnableRowLevelSecurity,
    ForeignKey,
    FunctionBody,
    FunctionCall,
    GenerationChangeKind,
    LongIdentifier,
    OptionChange,
    RawStatement,
    Reindex,
    RenameColumn,
    RenameTable,
    RepeatedColumn,
    RewriteTable,
    SetDefault,
    SetGeneratedExpression,
    SetNotNull,
    SetSetting,
    TableRewriteAction,
    Transaction,
    TransactionKind,
    Truncate,
    TypeRef,
    Vacuum,
    ValidateConstraint,
    map_positions,
    moved,
    unqualified,
)

_CANONICAL_TYPES = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "float8": "double precision",
    "float4": "real",
    "bool": "boolean",
    "bpchar": "char",
    "character": "char",
    "character varying": "varchar",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "serial4": "serial",
    "serial8": "bigserial",
    "serial2": "smallserial",
    "decimal": "numeric",
}

# NAMEDATALEN - 1: PostgreSQL keeps this many bytes of an identifier and drops the rest.
IDENTIFIER_MAX_BYTES = 63

_REWRITE_ACTIONS: dict[enums.AlterTableType, TableRewriteAction] = {
    enums.AlterTableType.AT_SetLogged: "set_logged",
    enums.AlterTableType.AT_SetUnLogged: "set_unlogged",
    enums.AlterTableType.AT_SetTableSpace: "set_tablespace",
    enums.AlterTableType.AT_SetAccessMethod: "set_access_method",
}

_TYPE_TAIL_KEYWORDS = {"WITH", "WITHOUT", "TIME", "ZONE", "VARYING", "PRECISION"}
_BRACKET_DEPTH = {"ASCII_40": 1, "ASCII_41": -1, "ASCII_91": 1, "ASCII_93": -1}


def syntax_error(message: str, text: str, base: int, at: int) -> Diagnostic:
    """E001 at file offset ``at``, over the token PostgreSQL names (``at or near "CREAT"``) when
    it is there in ``text`` (whose first character is at file offset ``base``); else one character."""
    width = 1
    _, near, rest = message.partition('at or near "')
    token = rest[: rest.rfind('"')] if near else ""
    if token and text.startswith(token, at - base):
        width = len(token)
    return Diagnostic(SYNTAX_ERROR, Span(at, at + width), message, name="syntax-error")


@dataclass
class ParsedSql:
    """Changes and syntax errors found in one piece of SQL."""

    changes: list[Change] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


def parse(text: str, *, base: int = 0, in_transaction: bool = False, origin: str = "sql") -> ParsedSql:
    """Parse ``text`` into changes whose spans are offsets into the enclosing file (``+ base``)."""
    result = ParsedSql()
    text = _blank_copy_data(_without_surrogates(text))
    if _statement_cache is not None:
        cached = _statement_cache.parse(text, base, in_transaction, origin)
        if cached is not None:
            return cached
    builder = _Builder(text, base, in_transaction, origin)
    for piece_start, statements, error in _parse_pieces(text):
        if error is not None:
            message, index = error
            result.errors.append(syntax_error(message, text, base, base + piece_start + index))
            continue
        for statement in statements:
            result.changes.extend(builder.changes_for(statement, piece_start))
    return result


def _without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (a Python string may hold one, written ``"\\ud800"``)
    replaced by U+FFFD: libpg_query takes UTF-8, which cannot encode them. One character for one,
    so every offset stays where it was."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return text


@dataclass(frozen=True, slots=True)
class _Parsed:
    """One statement libpg_query found: its node type, its place, and its tree if it is read.

    ``start`` and ``length`` are characters in the parsed text (``length`` None: to its end);
    the tree's node locations count from ``node_base``, also in the parsed text.
    """

    kind: str
    start: int
    length: int | None
    node: Any = None
    node_base: int = 0
    # INSERT/MERGE: (clause, table, name, offset from the statement's start) of each column
    # named twice, read from libpg_query's JSON (no tree is built for these statements).
    repeated: tuple[tuple[str, str, str, int], ...] = ()


def _statements(text: str) -> tuple[_Parsed, ...]:
    """The statements of ``text`` (raises ``parser.ParseError`` as ``pglast.parse_sql`` does),
    with a pglast tree only for the kinds the front end reads (``_needs_tree``).

    Why not ``pglast.parse_sql`` on the whole text: building pglast's Python tree costs ~20x
    libpg_query's own parse, and most of it goes to statements the front end only names
    (seed INSERTs, function bodies, SELECTs), which become ``RawStatement(kind=...)``. So the
    text is parsed once to libpg_query's JSON (C code: syntax checked, each statement's node type
    and place known), and only the statements whose facts are read are parsed again, alone,
    into a tree. A statement parses alone exactly as within its file (the grammar has no state
    across statements), its node locations then counting from its own start.
    """
    entries = json.loads(parser.parse_sql_json(text)).get("stmts", ())
    places = [_char_place(text, entry) for entry in entries]
    kinds = [_node_kind(entry) for entry in entries]
    plpgsql_here = "plpgsql" in text.lower()
    wanted = [_needs_tree(kind, entry, plpgsql_here) for kind, entry in zip(kinds, entries, strict=True)]
    if wanted and all(wanted):  # every tree is read: one parse of the whole text, as before
        return _statements_with_trees(text)
    statements = []
    for entry, kind, (start, length), want in zip(entries, kinds, places, wanted, strict=True):
        node = entry["stmt"][kind] if kind in objects.JSON_READ else None
        if want:
            end = len(text) if length is None else start + length
            node = pglast.parse_sql(text[start:end])[0].stmt
        repeated = _repeated_columns(text, entry, start) if kind in _LISTING_KINDS else ()
        statements.append(_Parsed(kind, start, length, node, start, repeated))
    return tuple(statements)


# Statements whose column lists are checked for a name given twice (``_repeated_columns``).
_LISTING_KINDS = frozenset({"InsertStmt", "MergeStmt", "ViewStmt", "CreateTableAsStmt", "SelectStmt"})


def _repeated_columns(text: str, entry: dict[str, Any], start: int) -> tuple[tuple[str, str, str, int], ...]:
    """Columns named twice in an INSERT or MERGE statement's lists, or among the output columns
    of a view, CREATE TABLE AS or SELECT INTO (see ``_Parsed.repeated``)."""
    node = entry.get("stmt", {})
    made = _made_relation(node)
    if made is not None:
        return tuple((clause, table, name, _char_offset(text, at) - start) for clause, table, name, at in made)
    body = node.get("InsertStmt") or node.get("MergeStmt") or {}
    table = _json_relation(body.get("relation") or {})
    lists: list[tuple[str, list[Any]]] = []
    if "InsertStmt" in node:
        lists.append((f'the column list of INSERT INTO "{table}"', body.get("cols") or []))
        conflict = body.get("onConflictClause") or {}
        lists.append((f'ON CONFLICT DO UPDATE of "{table}"', conflict.get("targetList") or []))
    for when in body.get("mergeWhenClauses") or []:
        clause = when.get("MergeWhenClause", {})
        verb = "INSERT" if clause.get("commandType") == "CMD_INSERT" else "UPDATE"
        lists.append((f'MERGE INTO "{table}" ... {verb}', clause.get("targetList") or []))
    found = []
    for clause_name, targets in lists:
        seen: set[str] = set()
        for target in targets:
            res = target.get("ResTarget", {})
            if res.get("indirection"):
                continue  # a field or element of a column (``a.x``, ``a[1]``): set separately
            name = res.get("name", "")
            if name in seen:
                location = _char_offset(text, int(res.get("location", 0)))
                found.append((clause_name, table, name, location - start))
            seen.add(name)
    return tuple(found)


def _assigned_name(target: Any) -> str:
    """What an UPDATE's SET target assigns: the column, or one field or element of it
    (``address.city``, ``cells[1]``: several of those may be set in one statement)."""
    name = target.name or ""
    for step in target.indirection or ():
        if isinstance(step, ast.String):
            name += f".{step.sval}"
        else:  # a constant subscript is known; any other one is taken as a different element
            index = getattr(step, "uidx", None)
            constant = isinstance(index, ast.A_Const) and isinstance(index.val, ast.Integer)
            same = constant and not getattr(step, "is_slice", False)
            name += f"[{index.val.ival}]" if same and index is not None else f"[?{id(step)}]"
    return name


def _made_relation(node: dict[str, Any]) -> list[tuple[str, str, str, int]] | None:
    """Output columns named twice by a statement that makes a relation from a query (a view,
    CREATE TABLE AS, SELECT INTO), as (clause, relation, name, byte location); None for other
    statements. A column whose name PostgreSQL would derive from an expression is skipped."""
    if "ViewStmt" in node:
        body = node["ViewStmt"]
        relation, query, given = body.get("view") or {}, body.get("query") or {}, body.get("aliases")
        what = "CREATE VIEW"
    elif "CreateTableAsStmt" in node:
        body = node["CreateTableAsStmt"]
        into = body.get("into") or {}
        relation, query, given = into.get("rel") or {}, body.get("query") or {}, into.get("colNames")
        what = "CREATE MATERIALIZED VIEW" if body.get("objtype") == "OBJECT_MATVIEW" else "CREATE TABLE AS"
    elif "SelectStmt" in node and "intoClause" in node["SelectStmt"]:
        body = node["SelectStmt"]
        into = body["intoClause"] or {}
        relation, query, given, what = into.get("rel") or {}, {"SelectStmt": body}, into.get("colNames"), "SELECT INTO"
    else:
        return None
    name = _json_relation(relation)
    at_relation = int(relation.get("location", 0))
    columns: list[tuple[str | None, int]] = [
        ((item.get("String") or {}).get("sval"), at_relation) for item in given or []
    ]
    for number, target in enumerate((query.get("SelectStmt") or {}).get("targetList") or []):
        if number < len(columns):
            continue
        res = target.get("ResTarget", {})
        columns.append((res.get("name") or _derived_name(res.get("val") or {}), int(res.get("location", at_relation))))
    seen: set[str] = set()
    found = []
    for column, location in columns:
        if column is None:
            continue
        if column in seen:
            found.append((f'the columns of {what} "{name}"', name, column, location))
        seen.add(column)
    return found


def _derived_name(value: dict[str, Any]) -> str | None:
    """The name PostgreSQL gives an unnamed output column that is a column reference or a call."""
    if "ColumnRef" in value:
        last = (value["ColumnRef"].get("fields") or [{}])[-1]
        return (last.get("String") or {}).get("sval")
    if "FuncCall" in value:
        last = (value["FuncCall"].get("funcname") or [{}])[-1]
        return (last.get("String") or {}).get("sval")
    return None


def _json_relation(relation: dict[str, Any]) -> str:
    name = relation.get("relname", "")
    schema = relation.get("schemaname")
    return f"{schema}.{name}" if schema and schema != "public" else name


def _char_offset(text: str, byte_offset: int) -> int:
    """libpg_query's byte offset as a character offset into ``text``."""
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _statements_with_trees(text: str) -> tuple[_Parsed, ...]:
    """``_statements`` with every tree built, in one parse: the cheaper way for a text of one
    or two statements that are likely read (what the language server's cache parses)."""
    statements = tuple(
        _Parsed(type(raw.stmt).__name__, raw.stmt_location or 0, raw.stmt_len or None, raw.stmt, 0)
        for raw in pglast.parse_sql(text)
    )
    if not any(statement.kind in _LISTING_KINDS for statement in statements):
        return statements
    entries = json.loads(parser.parse_sql_json(text)).get("stmts", ())
    return tuple(
        replace(statement, repeated=_repeated_columns(text, entry, statement.start))
        if statement.kind in _LISTING_KINDS
        else statement
        for statement, entry in zip(statements, entries, strict=True)
    )


def _node_kind(entry: dict[str, Any]) -> str:
    """The node type of one JSON statement (``{"stmt": {"InsertStmt": {...}}, ...}``)."""
    node = entry.get("stmt")
    return next(iter(node)) if isinstance(node, dict) and node else "NoneType"


def _char_place(text: str, entry: dict[str, Any]) -> tuple[int, int | None]:
    """A JSON statement's start and length, from UTF-8 bytes (libpg_query's unit) to characters."""
    start = int(entry.get("stmt_location", 0))
    length = int(entry.get("stmt_len", 0))
    if text.isascii():
        return start, length or None
    encoded = text.encode("utf-8")
    char_start = len(encoded[:start].decode("utf-8"))
    if not length:
        return char_start, None
    return char_start, len(encoded[start : start + length].decode("utf-8"))


def _parse_pieces(text: str) -> Iterator[tuple[int, tuple[_Parsed, ...], tuple[str, int] | None]]:
    """Yield ``(offset, statements, error)``: the whole text when it parses, else each piece."""
    try:
        yield 0, _statements(text), None
        return
    except parser.ParseError:
        pass
    cleaned = _blank_meta_commands(text)
    if cleaned != text:
        try:
            yield 0, _statements(cleaned), None
            return
        except parser.ParseError:
            pass
    try:
        pieces = list(split_top_level(cleaned))
    except parser.ParseError as error:  # an open quote: the scanner stops where it starts
        message, index = _error_parts(error)
        # The statements that end before it are whole: read them, then report the quote.
        for start, end in split_top_level(cleaned[:index]):
            if cleaned[end - 1 : end] == ";":
                statements, problem = _parse_piece(cleaned[start:end])
                yield start, statements, problem
        yield 0, (), (message, index)
        return
    for start, end in pieces:
        statements, problem = _parse_piece(cleaned[start:end])
        yield start, statements, problem


@dataclass
class _Entry:
    """One statement's changes relative to its start, and where they were last placed."""

    changes: tuple[Change, ...]
    error: tuple[str, int] | None
    in_transaction_after: bool
    placed_at: int = 0
    placed: tuple[Change, ...] = ()


class StatementCache:
    """Changes of each statement, keyed by its text and the transaction state before it.

    The language server re-lints the whole file on every keystroke, but an edit changes one
    statement. With this cache only that statement goes through libpg_query and the front end
    again; every other statement's changes are reused, moved to where the statement now sits
    (``moved``; statements before the edit have not moved at all). Cutting the file into
    statements rescans only the edited part (``cuts.RecutCache``). The result equals the
    uncached parse (a test holds it to that over the robustness corpus and every rule page).
    """

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._cuts = RecutCache()
        self._entries: OrderedDict[tuple[str, str, bool, str], _Entry] = OrderedDict()

    def parse(self, text: str, base: int, in_transaction: bool, origin: str) -> ParsedSql | None:
        """Parse statement by statement; None when the text cannot be cut safely at its ``;``.

        That is an unterminated quote, or a ``BEGIN ATOMIC ... END`` body whose inner ``;`` the
        scanner alone cannot tell apart (the word is looked for anywhere: a false alarm only
        means the plain parse runs). Also a text naming ``plpgsql``: whether a function's body
        is read depends on a call further down (``_Builder._create_function``), not on its
        statement alone."""
        lowered = text.lower()
        if "atomic" in lowered or "plpgsql" in lowered:
            return None
        cleaned = _blank_meta_commands(text)
        try:
            cuts = self._cuts.cuts(cleaned)
        except parser.ParseError:
            return None
        result = ParsedSql()
        for start, end in cuts:
            # The statement as written (for messages) and as parsed (psql meta-commands blanked).
            written, piece = text[start:end], cleaned[start:end]
            key = (written, piece, in_transaction, origin)
            entry = self._entries.get(key)
            if entry is None:
                entry = self._convert(written, piece, in_transaction, origin)
                self._entries[key] = entry
                if len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(key)
            offset = base + start
            if entry.placed_at != offset or len(entry.placed) != len(entry.changes):
                entry.placed = tuple(moved(change, offset) for change in entry.changes)
                entry.placed_at = offset
            result.changes.extend(entry.placed)
            if entry.error is not None:
                result.errors.append(syntax_error(entry.error[0], text, base, offset + entry.error[1]))
            in_transaction = entry.in_transaction_after
        return result

    @staticmethod
    def _convert(written: str, piece: str, in_transaction: bool, origin: str) -> _Entry:
        # One statement, usually DDL being edited: its tree is built in one parse, no JSON pass.
        statements, error = _parse_piece(piece, every_tree=True)
        builder = _Builder(written, 0, in_transaction, origin)
        changes = tuple(change for statement in statements for change in builder.changes_for(statement, 0))
        return _Entry(changes, error, builder.in_transaction, placed_at=0, placed=changes)


_statement_cache: StatementCache | None = None


def enable_statement_cache(size: int = 20_000) -> None:
    """Reuse each unchanged statement's changes from now on (for long-lived processes: the LSP)."""
    global _statement_cache
    _statement_cache = StatementCache(size)


def _parse_piece(piece: str, *, every_tree: bool = False) -> tuple[tuple[_Parsed, ...], tuple[str, int] | None]:
    try:
        return (_statements_with_trees(piece) if every_tree else _statements(piece)), None
    except parser.ParseError as error:
        message, index = _error_parts(error)
        return (), (message, _first_code_offset(piece, index))


def _error_parts(error: parser.ParseError) -> tuple[str, int]:
    args = error.args
    message = str(args[0]) if args else str(error)
    index = int(args[1]) if len(args) > 1 and isinstance(args[1], int) else 0
    return message, index


def _first_code_offset(piece: str, index: int) -> int:
    """libpg_query reports end-of-input errors past the text; point at the last real char."""
    if index < len(piece):
        return index
    return max(0, len(piece.rstrip()) - 1)


def _blank_copy_data(text: str) -> str:
    """Blank the data rows after ``COPY ... FROM stdin;`` up to the ``\\.`` line, keeping offsets.

    Those rows are data for psql to send, not SQL: left in, they make a dump-like file fail
    to parse. Newlines stay, so every later line and column is unchanged. A COPY whose data
    block never ends is left alone (the parser then reports the real problem).

    The COPY statement is found with pglast's scanner; its data rows, which the scanner cannot
    read, are then taken line by line up to the ``\\.`` line.
    """
    if "stdin" not in text.lower():
        return text
    chars: list[str] | None = None
    position = 0
    while (data_start := _copy_data_start(text, position)) is not None:
        data_end = _copy_data_end(text, data_start)
        if data_end is None:
            break
        if chars is None:
            chars = list(text)
        for i in range(data_start, data_end):
            if chars[i] != "\n":
                chars[i] = " "
        position = data_end
    return text if chars is None else "".join(chars)


def _scanned(text: str) -> list[Any]:
    """pglast's tokens of ``text`` up to where it stops lexing (COPY data rows, an open quote)."""
    try:
        return list(parser.scan(text))
    except parser.ParseError as error:
        at = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else 0
        return _scanned(text[:at]) if 0 < at < len(text) else []


def _copy_data_start(text: str, position: int) -> int | None:
    """Where the data rows of the first ``COPY ... FROM STDIN`` (SQL, or psql's ``\\copy``) at or
    after ``position`` start: the line after the SQL statement's ``;``, or after the ``\\copy`` line."""
    tokens = _scanned(text[position:])
    statement_start = True
    for index, token in enumerate(tokens):
        at = position + token.start
        line_start = text.rfind("\n", 0, at) + 1
        first_on_line = not text[line_start:at].strip(" \t")
        psql = (
            token.name == "ASCII_92"
            and first_on_line
            and index + 1 < len(tokens)
            and tokens[index + 1].name == "COPY"
            and tokens[index + 1].start == token.end + 1
        )
        if (token.name == "COPY" and (statement_start or first_on_line)) or psql:
            line_end = text.find("\n", at)
            rest = tokens[index + 1 :]
            for after, (word, following) in enumerate(zip(rest, [*rest[1:], None], strict=True)):
                if psql and (line_end == -1 or position + word.start > line_end):
                    break
                if not psql and word.name == "ASCII_59":
                    break
                if word.name == "FROM" and following is not None and following.name == "STDIN":
                    if psql:
                        return None if line_end == -1 else line_end + 1
                    ends = [t for t in rest[after:] if t.name == "ASCII_59"]
                    newline = text.find("\n", position + ends[0].end) if ends else -1
                    return None if newline == -1 else newline + 1
        if token.name not in ("SQL_COMMENT", "C_COMMENT"):
            statement_start = token.name == "ASCII_59"
    return None


def _copy_data_end(text: str, data_start: int) -> int | None:
    """The end of the ``\\.`` line (alone on its line but for trailing blanks) ending a COPY's data."""
    if data_start > len(text):
        return None
    line_start = data_start
    while line_start <= len(text):
        newline = text.find("\n", line_start)
        line_end = len(text) if newline == -1 else newline
        if text[line_start:line_end].rstrip(" \t\r") == "\\.":
            return line_end
        if newline == -1:
            return None
        line_start = newline + 1
    return None


def _blank_meta_commands(text: str) -> str:
    """Replace psql meta-commands (``\\set x 1`` lines, a trailing ``\\gset``) by spaces, keeping offsets.

    A meta-command runs from its backslash to the end of the line; ``\\g`` and its kin also end
    the query before them, so their backslash becomes ``;``.

    psql variable references (``:name``, ``:'name'``, ``:"name"``) lose their colon, so
    ``CREATE TABLE :"tbl"`` parses as a table named ``tbl`` instead of failing.
    """
    if "\\" not in text and not _may_have_psql_variable(text):
        return text
    try:
        tokens = parser.scan(text)
    except parser.ParseError:
        return text
    chars = list(text)
    for token in tokens:
        if token.name == "ASCII_58" and _is_psql_variable(text, token.start):
            chars[token.start] = " "  # :name, :'name', :"name" -> a plain name, literal or identifier
            continue
        if token.name != "ASCII_92":
            continue
        line_start = text.rfind("\n", 0, token.start) + 1
        line_end = text.find("\n", token.start)
        line_end = len(text) if line_end == -1 else line_end
        for i in range(token.start, line_end):
            chars[i] = " "
        if text[line_start : token.start].strip() and text[token.start + 1 : token.start + 2] == "g":
            chars[token.start] = ";"  # \g, \gset, \gx... end the query written before them
    return "".join(chars)


def _may_have_psql_variable(text: str) -> bool:
    """Cheap pre-check before scanning: some ``:`` is followed by a name or a quote."""
    colon = text.find(":")
    while colon != -1:
        after = text[colon + 1 : colon + 2]
        if after.isalpha() or after in ("_", "'", '"'):
            return True
        colon = text.find(":", colon + 1)
    return False


def _is_psql_variable(text: str, colon: int) -> bool:
    """A ``:`` that starts a psql variable: followed by a name or quote, not inside ``a[lo:hi]``."""
    after = text[colon + 1 : colon + 2]
    before = text[colon - 1 : colon] if colon > 0 else " "
    if not (after.isalpha() or after in ("_", "'", '"')):
        return False
    return not (before.isalnum() or before in ("_", "]", ")", ":", '"'))


def _may_have_long_identifier(text: str) -> bool:
    """Whether ``text`` could hold an identifier over 63 bytes, without scanning it into tokens.

    A bound, not a parse: an unquoted identifier never holds ASCII whitespace (the only
    whitespace PostgreSQL's scanner knows), so a long one lies inside a whitespace-free run of
    64 or more UTF-8 bytes; a quoted one may hold spaces, so any double quote means "maybe".
    Most statements (and every large seed INSERT without such a run) then skip the scan.
    """
    if '"' in text:
        return True
    words = text.split() if text.isascii() else text.encode("utf-8").split()
    return max(map(len, words), default=0) > IDENTIFIER_MAX_BYTES


class _Builder:
    """Turns pglast statements into changes, tracking explicit transactions as it goes."""

    def __init__(self, text: str, base: int, in_transaction: bool, origin: str) -> None:
        self.text = text
        self.base = base
        self.in_transaction = in_transaction
        self.origin = origin
        self._lowered: str | None = None

    # -- locations ---------------------------------------------------------------------------
    def changes_for(self, statement: _Parsed, piece_start: int) -> list[Change]:
        start = piece_start + statement.start
        length = statement.length or (len(self.text) - start)
        end = start + length
        stmt_text = self.text[start:end].rstrip()
        end = start + len(stmt_text)
        self._stmt = _Statement(self, start, end, stmt_text, piece_start + statement.node_base)
        self._qualified: set[str] = set()
        changes = [*self._long_identifiers(), *self._convert(statement), *self._repeated(statement)]
        self._update_transaction(statement.node)
        if self._qualified:
            qualified = frozenset(self._qualified)
            changes = [replace(change, qualified_names=qualified) for change in changes]
        return changes

    def _repeated(self, statement: _Parsed) -> Iterator[Change]:
        common = self._common()
        for clause, table, name, offset in statement.repeated:
            start = self.base + self._stmt.start + offset
            quoted = self.text[start - self.base : start - self.base + 1] == '"'
            span = Span(start, start + max(len(name), 1) + (2 if quoted else 0))
            yield RepeatedColumn(name=name, table=unqualified(table), clause=clause, **{**common, "span": span})

    def _relation(self, relation: Any) -> str:
        """``_relation_name``, remembering the names written with a schema (``public.orders``)."""
        name = _relation_name(relation)
        if relation is not None and relation.schemaname:
            self._qualified.add(unqualified(name))
        return name

    def _dropped_table(self, obj: Any) -> str:
        table = _dotted(obj)
        if isinstance(obj, tuple) and sum(isinstance(item, ast.String) for item in obj) > 1:
            self._qualified.add(table)
        return table

    def _long_identifiers(self) -> Iterator[Change]:
        """Identifiers over 63 bytes, which PostgreSQL (and pglast) silently cut short."""
        stmt = self._stmt
        if not _may_have_long_identifier(stmt.text):
            return
        for token in stmt.tokens():
            if token.name != "IDENT":
                continue
            written = stmt.text[token.start : token.end + 1]
            name = written[1:-1].replace('""', '"') if written.startswith('"') else written.lower()
            encoded = name.encode("utf-8")
            if len(encoded) <= IDENTIFIER_MAX_BYTES:
                continue
            truncated = encoded[:IDENTIFIER_MAX_BYTES].decode("utf-8", errors="ignore")
            start = self.base + stmt.start + token.start
            span = Span(start, start + len(written))
            yield LongIdentifier(
                name=name, truncated=truncated, **{**self._common(), "span": span}
            )

    def _update_transaction(self, node: Any) -> None:
        if isinstance(node, ast.TransactionStmt):
            kind = node.kind
            if kind in (enums.TransactionStmtKind.TRANS_STMT_BEGIN, enums.TransactionStmtKind.TRANS_STMT_START):
                self.in_transaction = True
            elif kind in (
                enums.TransactionStmtKind.TRANS_STMT_COMMIT,
                enums.TransactionStmtKind.TRANS_STMT_ROLLBACK,
                enums.TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED,
                enums.TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED,
            ):
                self.in_transaction = False

    def _common(self) -> dict[str, Any]:
        stmt = self._stmt
        return {
            "span": stmt.span,
            "statement_span": stmt.span,
            "statement": stmt.text,
            "in_transaction": self.in_transaction,
            "origin": self.origin,
        }

    # -- dispatch ------------------------------------------------------------------------------
    def _convert(self, statement: _Parsed) -> list[Change]:
        """The statement's changes: its converter's (``_CONVERTERS``, by node type), else a
        ``RawStatement`` naming the node type (a statement not modelled, or a variant of it).
        PL/pgSQL code (DO, CREATE FUNCTION, calls) adds its own records (``_plpgsql``)."""
        convert = _CONVERTERS.get(statement.kind)
        node = statement.node
        # No tree: a kind read only in some shapes (a GRANT: only REVOKE is read), ``_needs_tree`` skipped it.
        changes = convert(self, node) if convert is not None and node is not None else []
        changes = changes or [RawStatement(kind=statement.kind, **self._common())]
        code = _PLPGSQL.get(statement.kind)
        if code is not None and node is not None and not isinstance(node, dict):  # a tree, not JSON
            changes.extend(code(self, node))
        return changes

    # -- PL/pgSQL ------------------------------------------------------------------------------
    def _do(self, node: ast.DoStmt) -> list[Change]:
        """The statements a DO block runs, where they are written in it (``plpgsql``)."""
        options = {arg.defname or "": arg for arg in node.args or () if isinstance(arg, ast.DefElem)}
        return self._block("do", options)

    def _create_function(self, node: ast.CreateFunctionStmt) -> list[Change]:
        """A PL/pgSQL function's or procedure's body, as a ``FunctionBody`` for its calls."""
        options = {arg.defname or "": arg for arg in node.options or () if isinstance(arg, ast.DefElem)}
        language = options.get("language")
        written = language.arg.sval if language is not None and isinstance(language.arg, ast.String) else None
        if (written or "").lower() != "plpgsql":
            return []
        name = next(reversed(list(_strings(node.funcname))), "").lower()
        if self.origin == "sql" and self._lowered_text().find(name, self._stmt.end) == -1:
            return []  # never named after its definition, so never called here: the body is not read
        return [FunctionBody(name=name, body=tuple(self._block("function", options)), **self._common())]

    def _lowered_text(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered

    def _call(self, node: Any) -> list[Change]:
        """``CALL p()`` and ``SELECT f()``: the functions the statement calls, for ``FunctionBody``."""
        names = tuple(dict.fromkeys(_called_functions(node)))
        return [FunctionCall(names=names, **self._common())] if names else []

    def _block(self, kind: BlockKind, options: dict[str, Any]) -> list[Change]:
        language = options.get("language")
        written = language.arg.sval if language is not None and isinstance(language.arg, ast.String) else None
        if (written or "plpgsql").lower() != "plpgsql":  # a DO block without LANGUAGE is PL/pgSQL
            return []
        source = options.get("as")
        if source is None or source.arg_location is None:
            return []
        stmt = self._stmt
        at = stmt.piece_start + source.arg_location - stmt.start  # the body literal, in the statement
        value = source.arg.sval if isinstance(source.arg, ast.String) else None
        if value is None and isinstance(source.arg, tuple) and len(source.arg) == 1:
            value = source.arg[0].sval  # CREATE FUNCTION's AS holds a list (the body, or a C symbol)
        raw = plpgsql.literal_at(stmt.text, at, value or "")
        read = plpgsql.literal_value(raw) if raw is not None else None
        if read is None:
            return []
        body, places = read
        body_base = self.base + stmt.start + at
        changes: list[Change] = []
        for inner in plpgsql.embedded(body, stmt.text):
            try:
                statements = _statements_with_trees(inner.sql)
            except parser.ParseError:
                continue  # SQL that fails when run (an EXECUTE of a broken literal): not read
            positions = [body_base + places[place] for place in inner.places]
            contiguous = positions[-1] - positions[0] == len(inner.sql)
            # Help for a statement in a body is SQL to write there, also in a Python file. Written
            # as one run of the file (a static statement in a dollar-quoted body), its spans are
            # made in place; otherwise each character is mapped where it was read from.
            sub = _Builder(inner.sql, positions[0] if contiguous else 0, self.in_transaction, "sql")
            for statement in statements:
                for change in sub.changes_for(statement, 0):
                    placed = change if contiguous else _placed(change, positions)
                    changes.append(replace(placed, block=kind))
        return changes

    def _alter_table_stmt(self, node: ast.AlterTableStmt) -> list[Change]:
        if node.objtype != enums.ObjectType.OBJECT_TABLE:
            change = objects.view_options(self._common(), node)
            return [] if change is None else [change]
        return list(self._alter_table(node))

    def _drop(self, node: ast.DropStmt) -> list[Change]:
        """DROP INDEX, DROP TABLE and DROP SCHEMA; other objects' DROPs are ``objects.drop_object``'s."""
        if node.removeType == enums.ObjectType.OBJECT_INDEX:
            return [
                DropIndex(
                    names=tuple(_dotted(obj) for obj in node.objects or ()),
                    concurrently=bool(node.concurrent),
                    if_exists=bool(node.missing_ok),
                    cascade=node.behavior == enums.DropBehavior.DROP_CASCADE,
                    keyword_end=self._stmt.keyword_end("INDEX"),
                    if_exists_at=self._stmt.keyword_end("INDEX", then="CONCURRENTLY"),
                    **self._common(),
                )
            ]
        if node.removeType == enums.ObjectType.OBJECT_TABLE:
            return [
                DropTable(
                    tables=tuple(self._dropped_table(obj) for obj in node.objects or ()),
                    if_exists=bool(node.missing_ok),
                    cascade=node.behavior == enums.DropBehavior.DROP_CASCADE,
                    keyword_end=self._stmt.keyword_end("TABLE"),
                    **self._common(),
                )
            ]
        if node.removeType == enums.ObjectType.OBJECT_SCHEMA:
            return [
                DropSchema(
                    names=tuple(item.sval or "" for item in node.objects or () if isinstance(item, ast.String)),
                    if_exists=bool(node.missing_ok),
                    cascade=node.behavior == enums.DropBehavior.DROP_CASCADE,
                    **self._common(),
                )
            ]
        change = objects.drop_object(self._common(), node)
        return [] if change is None else [change]

    def _rename_stmt(self, node: ast.RenameStmt) -> list[Change]:
        tables_or_columns = (enums.ObjectType.OBJECT_TABLE, enums.ObjectType.OBJECT_COLUMN)
        if node.renameType in tables_or_columns:
            return [self._rename(node)]
        change = objects.rename_object(self._common(), node)
        return [] if change is None else [change]

    def _transaction(self, node: ast.TransactionStmt) -> list[Change]:
        return [Transaction(kind=_transaction_kind(node.kind), **self._common())]  # type: ignore[arg-type]

    def _set(self, node: ast.VariableSetStmt) -> list[Change]:
        if not node.name:
            return []
        return [
            SetSetting(name=node.name.lower(), value=_setting_value(node), local=bool(node.is_local), **self._common())
        ]

    def _breaking_or_data(self, node: Any) -> Change | None:
        """CREATE VIEW, DROP DATABASE, TRUNCATE, ALTER TYPE ... ADD VALUE, UPDATE and DELETE."""
        if isinstance(node, ast.ViewStmt) and node.view is not None:
            return CreateView(name=self._relation(node.view), or_replace=bool(node.replace), **self._common())
        if isinstance(node, ast.DropdbStmt):
            return DropDatabase(name=node.dbname or "", if_exists=bool(node.missing_ok), **self._common())
        if isinstance(node, ast.TruncateStmt):
            return Truncate(
                tables=tuple(self._relation(relation) for relation in node.relations or ()),
                cascade=node.behavior == enums.DropBehavior.DROP_CASCADE,
                **self._common(),
            )
        if isinstance(node, ast.AlterEnumStmt) and node.newVal is not None and node.oldVal is None:
            return AddEnumValue(
                type_name=".".join(_strings(node.typeName)),
                value=node.newVal,
                if_not_exists=bool(node.skipIfNewValExists),
                positioned=node.newValNeighbor is not None,
                **self._common(),
            )
        if isinstance(node, ast.AlterEnumStmt):
            return objects.rename_enum_value(self._common(), node)
        if isinstance(node, ast.UpdateStmt | ast.DeleteStmt) and node.relation is not None:
            targets = node.targetList or () if isinstance(node, ast.UpdateStmt) else ()
            return DataChange(
                kind="update" if isinstance(node, ast.UpdateStmt) else "delete",
                table=self._relation(node.relation),
                has_where=node.whereClause is not None,
                assigned=tuple(_assigned_name(target) for target in targets),
                assigned_spans=tuple(
                    self._stmt.name_span(target.location, target.name or "") for target in targets
                ),
                **self._common(),
            )
        return None

    def _maintenance_or_domain(self, node: Any) -> Change | None:
        """VACUUM, CLUSTER, CREATE DOMAIN and ALTER DOMAIN ... ADD CONSTRAINT."""
        if isinstance(node, ast.VacuumStmt) and node.is_vacuumcmd:
            tables = tuple(
                self._relation(rel.relation) for rel in node.rels or () if isinstance(rel, ast.VacuumRelation)
            )
            full = any(
                isinstance(opt, ast.DefElem) and opt.defname == "full" and _option_on(opt.arg)
                for opt in node.options or ()
            )
            keyword_end = self._stmt.keyword_end("VACUUM")
            return Vacuum(tables=tables, full=full, keyword_end=keyword_end, **self._common())
        if isinstance(node, ast.ClusterStmt):
            table = self._relation(node.relation) if node.relation is not None else None
            return Cluster(table=table, index=node.indexname, **self._common())
        if isinstance(node, ast.CreateDomainStmt):
            name = ".".join(_strings(node.domainname))
            checks = tuple(
                self._constraint("", constraint)
                for constraint in node.constraints or ()
                if constraint.contype == enums.ConstrType.CONSTR_CHECK
            )
            type_ref = self._type(node.typeName) if node.typeName is not None else None
            return CreateDomain(name=name, type=type_ref, constraints=checks, **self._common())
        adds_constraint = isinstance(node, ast.AlterDomainStmt) and node.subtype == "C"
        if adds_constraint and isinstance(node.def_, ast.Constraint):
            constraint = self._constraint("", node.def_)
            return AlterDomainAddConstraint(
                domain=".".join(_strings(node.typeName)), constraint=constraint, **self._common()
            )
        return None

    # -- CREATE TABLE ------------------------------------------------------------------------------
    def _select_into(self, node: ast.SelectStmt) -> CreateTable | None:
        """SELECT ... INTO new_table: a new table like CREATE TABLE AS; any other SELECT is not
        modelled (a RawStatement)."""
        if node.intoClause is None:
            return None
        return CreateTable(table=self._relation(node.intoClause.rel), filled=True, **self._common())

    def _create_table(self, node: ast.CreateStmt) -> CreateTable:
        table = self._relation(node.relation)
        columns: list[Column] = []
        constraints: list[Constraint] = []
        for element in node.tableElts or ():
            if isinstance(element, ast.ColumnDef):
                columns.append(self._column(table, element))
            elif isinstance(element, ast.Constraint):
                constraints.append(self._constraint(table, element))
        partition_of = None
        if node.partbound is not None and node.inhRelations:
            partition_of = unqualified(self._relation(node.inhRelations[0]))
        return CreateTable(
            table=table,
            columns=tuple(columns),
            constraints=tuple(constraints),
            if_not_exists=bool(node.if_not_exists),
            partition_of=partition_of,
            keyword_end=self._stmt.keyword_end("TABLE"),
            **self._common(),
        )

    def _create_table_as(self, node: ast.CreateTableAsStmt) -> CreateTable | None:
        """CREATE TABLE ... AS and CREATE MATERIALIZED VIEW: a new relation, filled by a query
        (its columns are the query's, not written out)."""
        into = node.into
        if into is None or into.rel is None:
            return None
        return CreateTable(
            table=self._relation(into.rel),
            if_not_exists=bool(node.if_not_exists),
            filled=not into.skipData,
            keyword_end=None,
            **self._common(),
        )

    def _column(self, table: str, node: ast.ColumnDef) -> Column:
        type_ref = self._type(node.typeName) if node.typeName is not None else None
        facts: dict[str, Any] = {
            "not_null": bool(node.is_not_null),
            "primary_key": False,
            "unique": False,
            "has_default": False,
            "default_sql": None,
            "identity": bool(node.identity and node.identity != "\x00"),
            "generated_stored": False,
            "references": None,
        }
        for constraint in node.constraints or ():
            kind = constraint.contype
            if kind == enums.ConstrType.CONSTR_NOTNULL:
                facts["not_null"] = True
            elif kind == enums.ConstrType.CONSTR_PRIMARY:
                facts["primary_key"] = True
                facts["not_null"] = True
            elif kind == enums.ConstrType.CONSTR_UNIQUE:
                facts["unique"] = True
            elif kind == enums.ConstrType.CONSTR_DEFAULT:
                facts["has_default"] = True
                facts["default_sql"] = _deparse(constraint.raw_expr)
                facts["default_calls"] = tuple(_called_functions(constraint.raw_expr))
                facts["default_is_null"] = isinstance(constraint.raw_expr, ast.A_Const) and bool(
                    constraint.raw_expr.isnull
                )
            elif kind == enums.ConstrType.CONSTR_IDENTITY:
                facts["identity"] = True
            elif kind == enums.ConstrType.CONSTR_GENERATED:
                facts["generated_stored"] = constraint.generated_kind == "s"
                if facts["generated_stored"]:
                    facts["stored_span"] = self._stmt.token_span_after(constraint.location, "STORED")
            elif kind == enums.ConstrType.CONSTR_FOREIGN:
                facts["references"] = ForeignKey(
                    table=table,
                    columns=(node.colname or "",),
                    ref_table=unqualified(self._relation(constraint.pktable)),
                    ref_columns=tuple(_strings(constraint.pk_attrs)),
                    name=constraint.conname,
                    not_valid=bool(constraint.skip_validation),
                    span=self._stmt.span_at(constraint.location),
                )
        return Column(name=node.colname or "", type=type_ref, span=self._stmt.span_at(node.location), **facts)

    def _constraint(self, table: str, node: ast.Constraint) -> Constraint:
        kind = _constraint_kind(node.contype)  # type: ignore[arg-type]
        span = self._stmt.span_at(node.location)
        foreign_key = None
        columns: tuple[str, ...] = tuple(_strings(node.keys))
        if kind == "foreign":
            columns = tuple(_strings(node.fk_attrs))
            foreign_key = ForeignKey(
                table=table,
                columns=columns,
                ref_table=unqualified(self._relation(node.pktable)),
                ref_columns=tuple(_strings(node.pk_attrs)),
                name=node.conname,
                not_valid=bool(node.skip_validation),
                span=span,
            )
        return Constraint(
            kind=kind,
            name=node.conname,
            columns=columns,
            not_valid=bool(node.skip_validation),
            using_index=node.indexname,
            foreign_key=foreign_key,
            span=span,
            expression=_deparse(node.raw_expr) if kind == "check" else None,
            not_null_columns=tuple(_not_null_columns(node.raw_expr)) if kind == "check" else (),
            refers_to=tuple(dict.fromkeys(_column_refs(node.raw_expr))) if kind == "check" else (),
        )

    def _type(self, node: ast.TypeName) -> TypeRef:
        names = [name.sval for name in node.names or ()]
        if len(names) > 1 and names[0] == "pg_catalog":
            names = names[1:]
        raw = ".".join(names).lower()
        args = tuple(
            mod.val.ival or 0
            for mod in node.typmods or ()
            if isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer)
        )
        span = self._stmt.type_span(node.location)
        return TypeRef(
            name=_CANONICAL_TYPES.get(raw, raw),
            args=args,
            array=bool(node.arrayBounds),
            span=span,
            written=self._stmt.file_text(span),
        )

    # -- ALTER TABLE -------------------------------------------------------------------------------
    def _alter_table(self, node: ast.AlterTableStmt) -> Iterator[Change]:
        table = self._relation(node.relation)
        statement_common = self._common()
        cmds = node.cmds or ()
        # With several sub-commands, a finding about one points at that one, not at ALTER TABLE.
        places = self._stmt.subcommand_spans() if len(cmds) > 1 else []
        for number, cmd in enumerate(cmds):
            common = statement_common
            if len(places) == len(cmds):
                common = {**statement_common, "span": places[number]}
            subtype = cmd.subtype
            kinds = enums.AlterTableType
            if subtype == kinds.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                column = self._column(table, cmd.def_)
                yield AddColumn(
                    table=table,
                    column=column,
                    if_not_exists=bool(cmd.missing_ok),
                    keyword_end=self._stmt.add_column_end(column.span.start),
                    **{**common, "span": column.span},
                )
                for inline in cmd.def_.constraints or ():  # a CHECK on the new column scans the table
                    if inline.contype == enums.ConstrType.CONSTR_CHECK:
                        check = replace(self._constraint(table, inline), columns=(column.name,))
                        yield AddConstraint(table=table, constraint=check, **{**common, "span": check.span})
            elif subtype == kinds.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
                constraint = self._constraint(table, cmd.def_)
                yield AddConstraint(table=table, constraint=constraint, **{**common, "span": constraint.span})
            elif subtype == kinds.AT_ValidateConstraint:
                yield ValidateConstraint(table=table, name=cmd.name or "", **common)
            elif subtype == kinds.AT_DetachPartition and isinstance(cmd.def_, ast.PartitionCmd):
                yield DetachPartition(
                    table=table,
                    partition=self._relation(cmd.def_.name),
                    concurrently=bool(cmd.def_.concurrent),
                    **common,
                )
            elif subtype == kinds.AT_DetachPartitionFinalize and isinstance(cmd.def_, ast.PartitionCmd):
                yield DetachPartition(
                    table=table, partition=self._relation(cmd.def_.name), finalize=True, **common
                )
            elif subtype == kinds.AT_SetExpression:
                yield SetGeneratedExpression(table=table, column=cmd.name or "", **common)
            elif subtype in _REWRITE_ACTIONS:
                yield RewriteTable(table=table, action=_REWRITE_ACTIONS[subtype], value=cmd.name, **common)
            elif subtype == kinds.AT_AttachPartition and isinstance(cmd.def_, ast.PartitionCmd):
                yield AttachPartition(table=table, partition=self._relation(cmd.def_.name), **common)
            elif subtype == kinds.AT_DropConstraint:
                yield DropConstraint(table=table, name=cmd.name or "", if_exists=bool(cmd.missing_ok), **common)
            elif subtype == kinds.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
                type_ref = self._type(cmd.def_.typeName)  # type: ignore[arg-type]
                yield AlterColumnType(
                    table=table,
                    column=cmd.name or "",
                    type=type_ref,
                    using=_deparse(cmd.def_.raw_default) if cmd.def_.raw_default is not None else None,
                    **common,
                )
            elif subtype == kinds.AT_SetNotNull:
                yield SetNotNull(table=table, column=cmd.name or "", **common)
            elif subtype == kinds.AT_DropNotNull:
                yield DropNotNull(table=table, column=cmd.name or "", **common)
            elif subtype == kinds.AT_ColumnDefault:
                yield SetDefault(
                    table=table,
                    column=cmd.name or "",
                    default_sql=_deparse(cmd.def_) if cmd.def_ is not None else None,
                    drops=cmd.def_ is None,
                    **common,
                )
            elif _makes_identity_always(cmd):
                yield ColumnGenerationChange(table=table, column=cmd.name or "", feature="always", **common)
            elif subtype in (kinds.AT_DropExpression, kinds.AT_DropIdentity):
                feature: GenerationChangeKind = "expression" if subtype == kinds.AT_DropExpression else "identity"
                yield ColumnGenerationChange(
                    table=table, column=cmd.name or "", feature=feature, if_exists=bool(cmd.missing_ok), **common
                )
            elif subtype in (kinds.AT_ReplicaIdentity, kinds.AT_DropInherit):
                option = "replica identity" if subtype == kinds.AT_ReplicaIdentity else "no inherit"
                yield OptionChange(object_type="table", name=table, options=(option,), **common)
            elif subtype in objects.TABLE_BEHAVIOUR:
                name = cmd.name or objects.TRIGGER_SETS.get(subtype)
                yield BehaviourChange(table=table, action=objects.TABLE_BEHAVIOUR[subtype], name=name, **common)
            elif subtype in (kinds.AT_EnableRowSecurity, kinds.AT_ForceRowSecurity):
                force = subtype == kinds.AT_ForceRowSecurity
                yield EnableRowLevelSecurity(table=table, force=force, **common)
            elif subtype == kinds.AT_DropColumn:
                yield DropColumn(
                    table=table,
                    column=cmd.name or "",
                    if_exists=bool(cmd.missing_ok),
                    keyword_end=self._stmt.drop_column_end(cmd.name or ""),
                    **common,
                )
            else:
                yield RawStatement(kind=f"AlterTable.{subtype.name}", **common)

    # -- indexes -----------------------------------------------------------------------------------
    def _create_index(self, node: ast.IndexStmt) -> CreateIndex:
        columns = tuple(elem.name if isinstance(elem, ast.IndexElem) else None for elem in node.indexParams or ())
        return CreateIndex(
            table=self._relation(node.relation),
            name=node.idxname,
            columns=columns,
            unique=bool(node.unique),
            concurrently=bool(node.concurrent),
            if_not_exists=bool(node.if_not_exists),
            only=node.relation is not None and not node.relation.inh,
            keyword_end=self._stmt.keyword_end("INDEX"),
            if_exists_at=self._stmt.keyword_end("INDEX", then="CONCURRENTLY"),
            partial=node.whereClause is not None,
            not_null_where=not_null_columns(node.whereClause),
            **self._common(),
        )

    def _reindex(self, node: ast.ReindexStmt) -> Reindex:
        target = node.kind.name.removeprefix("REINDEX_OBJECT_") if node.kind is not None else "INDEX"
        concurrently = any(
            isinstance(param, ast.DefElem) and param.defname == "concurrently" and _option_on(param.arg)
            for param in node.params or ()
        )
        if node.relation is not None:
            name: str | None = self._relation(node.relation)
        else:
            name = node.name
        return Reindex(
            target=target,
            name=name,
            concurrently=concurrently,
            # With an option list, CONCURRENTLY belongs in it, not after the target.
            keyword_end=None if node.params else self._stmt.keyword_end(target),
            **self._common(),
        )

    def _rename(self, node: ast.RenameStmt) -> Change:
        table = self._relation(node.relation) if node.relation is not None else ""
        if node.renameType == enums.ObjectType.OBJECT_COLUMN:
            return RenameColumn(table=table, column=node.subname or "", new_name=node.newname or "", **self._common())
        return RenameTable(table=table, new_name=node.newname or "", **self._common())


# The node types whose tree the front end reads, each with its converter; a statement of any other
# type becomes a RawStatement naming it, and libpg_query's tree for it is never built in Python
# (see ``_statements``). A converter returns no change for a variant it does not model (ALTER
# TABLE on a view, DROP FUNCTION...), which then becomes a RawStatement too.
def _listed(convert: Callable[[_Builder, Any], Change | None]) -> Callable[[_Builder, Any], list[Change]]:
    """A converter that returns one change (or None: not modelled) as one that returns a list."""

    def converter(builder: _Builder, node: Any) -> list[Change]:
        change = convert(builder, node)
        return [] if change is None else [change]

    return converter


def _with_common(convert: Callable[[dict[str, Any], Any], Change | None]) -> Callable[[_Builder, Any], list[Change]]:
    """A converter of ``objects`` (given the statement's shared fields) as a builder converter."""

    def converter(builder: _Builder, node: Any) -> list[Change]:
        change = convert(builder._common(), node)
        return [] if change is None else [change]

    return converter


_CONVERTERS: dict[str, Callable[[_Builder, Any], list[Change]]] = {
    "CreateStmt": _listed(_Builder._create_table),
    "CreateTableAsStmt": _listed(_Builder._create_table_as),
    "SelectStmt": _listed(_Builder._select_into),
    "AlterTableStmt": _Builder._alter_table_stmt,
    "IndexStmt": _listed(_Builder._create_index),
    "DropStmt": _Builder._drop,
    "ReindexStmt": _listed(_Builder._reindex),
    "RenameStmt": _Builder._rename_stmt,
    "TransactionStmt": _Builder._transaction,
    "VariableSetStmt": _Builder._set,
    **dict.fromkeys(
        ("VacuumStmt", "ClusterStmt", "CreateDomainStmt", "AlterDomainStmt"), _listed(_Builder._maintenance_or_domain)
    ),
    **dict.fromkeys(
        ("ViewStmt", "DropdbStmt", "TruncateStmt", "AlterEnumStmt", "UpdateStmt", "DeleteStmt"),
        _listed(_Builder._breaking_or_data),
    ),
    **{kind: _with_common(convert) for kind, convert in objects.CONVERTERS.items()},
}


# Statements that define or call PL/pgSQL code: their records come after the converter's changes.
_PLPGSQL: dict[str, Callable[[_Builder, Any], list[Change]]] = {
    "DoStmt": _Builder._do,
    "CreateFunctionStmt": _Builder._create_function,
    "CallStmt": _Builder._call,
    "SelectStmt": _Builder._call,
}


def _needs_tree(kind: str, entry: dict[str, Any], plpgsql_here: bool) -> bool:
    """Whether the front end reads the tree of a statement of node type ``kind`` (libpg_query's
    JSON ``entry`` for it; ``plpgsql_here``: the text mentions PL/pgSQL). The few facts of
    ``objects.JSON_READ`` kinds come from the JSON, with no tree built, unless the statement
    defines or may call PL/pgSQL code (``_PLPGSQL``: a SELECT may call a function another
    statement of the migration defined, even in another ``op.execute`` string)."""
    body = entry.get("stmt", {}).get(kind) or {}
    if kind == "CreateFunctionStmt":
        return plpgsql_here  # only a PL/pgSQL body is read; the rest comes from the JSON
    if kind in _PLPGSQL:
        return True  # DO blocks, and the calls a body defined in the migration may be run by
    return kind in _CONVERTERS and kind not in objects.JSON_READ and objects.tree_wanted(kind, body)


class _Statement:
    """One statement's text and place, with its tokens scanned only when a span needs them."""

    def __init__(self, builder: _Builder, start: int, end: int, text: str, piece_start: int) -> None:
        self.builder = builder
        self.start = start
        self.end = end
        self.text = text
        self.piece_start = piece_start
        self._tokens: list[Any] | None = None
        self._starts: list[int] | None = None
        # One object for every change of the statement (span and statement_span alike): spans
        # are frozen, and a shared one is pickled once when a worker sends the migration back.
        self.span = Span(builder.base + start, builder.base + end)

    def file_text(self, span: Span) -> str:
        base = self.builder.base
        return self.builder.text[span.start - base : span.end - base]

    def tokens(self) -> list[Any]:
        if self._tokens is None:
            try:
                self._tokens = list(parser.scan(self.text))
            except parser.ParseError:
                self._tokens = []
        return self._tokens

    def _first_token_at(self, offset: int) -> int:
        """Index of the first token starting at or after ``offset`` (in the statement), found by
        bisection: a CREATE TABLE asks once per column, and a scan from the start each time
        made that quadratic in the table's width."""
        if self._starts is None:
            self._starts = [token.start for token in self.tokens()]
        return bisect_left(self._starts, offset)

    def span_at(self, location: int | None) -> Span:
        """From a pglast node location (relative to its piece) to the end of that line or statement."""
        if location is None or location < 0:
            return self.span
        start = self.piece_start + location
        line_end = self.builder.text.find("\n", start, self.end)
        end = self.end if line_end == -1 else line_end
        return Span(self.builder.base + start, self.builder.base + max(end, start + 1))

    def name_span(self, location: int | None, name: str) -> Span:
        """The span of ``name`` written at a pglast ``location`` (falls back to the statement)."""
        if location is None or location < 0:
            return self.span
        start = self.builder.base + self.piece_start + location
        quoted = self.builder.text[start - self.builder.base : start - self.builder.base + 1] == '"'
        return Span(start, start + max(len(name), 1) + (2 if quoted else 0))

    def add_column_end(self, column_start: int) -> int | None:
        """File offset after the ``ADD [COLUMN]`` written just before the column at ``column_start``."""
        relative = column_start - self.builder.base - self.start
        before = [token for token in self.tokens() if token.end < relative]
        if len(before) > 1 and before[-1].name == "COLUMN" and before[-2].name == "ADD_P":
            return self.builder.base + self.start + before[-1].end + 1
        if before and before[-1].name == "ADD_P":
            return self.builder.base + self.start + before[-1].end + 1
        return None

    def drop_column_end(self, name: str) -> int | None:
        """File offset after the first ``DROP [COLUMN]`` followed by the column ``name``."""
        tokens = self.tokens()
        for index, token in enumerate(tokens):
            if token.name != "DROP":
                continue
            last = index + 1 if index + 1 < len(tokens) and tokens[index + 1].name == "COLUMN" else index
            if last + 1 < len(tokens) and self._spells(tokens[last + 1], name):
                return self.builder.base + self.start + tokens[last].end + 1
        return None

    def _spells(self, token: Any, name: str) -> bool:
        """Whether ``token`` writes the identifier ``name`` (quoted exactly, or unquoted in any case)."""
        written = self.text[token.start : token.end + 1]
        if written.startswith('"'):
            return written[1:-1].replace('""', '"') == name
        return written.lower() == name.lower()

    def token_span_after(self, location: int | None, name: str) -> Span | None:
        """The file span of the first ``name`` token at or after a pglast node ``location`` and outside
        parentheses opened after it (``GENERATED ALWAYS AS (stored * 2) STORED``: the last word)."""
        if location is None or location < 0:
            return None
        relative = self.piece_start + location - self.start
        depth = 0
        for token in self.tokens():
            if token.start < relative:
                continue
            if token.name == "ASCII_40":
                depth += 1
            elif token.name == "ASCII_41":
                depth -= 1
            elif token.name == name and depth == 0:
                start = self.builder.base + self.start + token.start
                return Span(start, start + token.end - token.start + 1)
        return None

    def subcommand_spans(self) -> list[Span]:
        """The file span of each sub-command of an ALTER TABLE (from its first token to the end of
        that line or of the sub-command), split at the commas outside parentheses; empty when the
        statement's head cannot be read."""
        tokens = self.tokens()
        index = 0
        while index < len(tokens) and tokens[index].name in ("ALTER", "TABLE", "IF_P", "EXISTS", "ONLY"):
            index += 1
        index += 1  # the table's name (or its schema)
        while index + 1 < len(tokens) and tokens[index].name == "ASCII_46":
            index += 2
        if index < len(tokens) and tokens[index].name == "ASCII_42":  # ``name *``
            index += 1
        if index >= len(tokens):
            return []
        starts, ends, depth = [index], [], 0
        for position in range(index, len(tokens)):
            name = tokens[position].name
            depth += _BRACKET_DEPTH.get(name, 0)
            if name == "ASCII_44" and depth == 0 and position + 1 < len(tokens):
                ends.append(tokens[position - 1].end + 1)
                starts.append(position + 1)
        last = tokens[-1]
        ends.append(last.end + (0 if last.name == "ASCII_59" else 1))
        base = self.builder.base + self.start
        spans = []
        for first, end in zip(starts, ends, strict=True):
            start = tokens[first].start
            line_end = self.text.find("\n", start, end)
            spans.append(Span(base + start, base + (end if line_end == -1 else line_end)))
        return spans

    def keyword_end(self, keyword: str, then: str | None = None) -> int | None:
        """File offset just after the first ``keyword`` token of this statement, or after the
        ``then`` token when that comes right next (no comment between): ``INDEX [CONCURRENTLY]``."""
        tokens = self.tokens()
        for index, token in enumerate(tokens):
            if token.name == keyword:
                if then is not None and index + 1 < len(tokens) and tokens[index + 1].name == then:
                    token = tokens[index + 1]
                return self.builder.base + self.start + token.end + 1
        return None

    def type_span(self, location: int | None) -> Span:
        """The span of a written type (``timestamp(3) without time zone``) starting at ``location``."""
        if location is None or location < 0:
            return self.span
        rel = self.piece_start + location - self.start
        tokens = self.tokens()
        first = self._first_token_at(rel)
        if first == len(tokens):
            return self.span_at(location)
        end = tokens[first].end + 1
        depth = 0
        after_dot = False
        for token in islice(tokens, first + 1, None):
            if depth > 0:
                depth += _BRACKET_DEPTH.get(token.name, 0)
            elif token.name in ("ASCII_40", "ASCII_91"):
                depth = 1
            elif not (after_dot or token.name == "ASCII_46" or token.name in _TYPE_TAIL_KEYWORDS):
                break
            after_dot = token.name == "ASCII_46"
            end = token.end + 1
        base = self.builder.base + self.start
        return Span(base + rel, base + end)


def _placed(change: Change, positions: list[int]) -> Change:
    """``change`` (of SQL read out of a literal) with offsets into that SQL made file offsets,
    ``positions`` giving the file offset of each character and one past the last."""
    last = len(positions) - 1

    def offset(value: int) -> int:
        return positions[min(max(value, 0), last)]

    def span(value: Span) -> Span:
        start = offset(value.start)
        return Span(start, max(offset(value.end), start + 1))

    return map_positions(change, offset, span)


def _transaction_kind(kind: enums.TransactionStmtKind) -> TransactionKind:
    names: dict[enums.TransactionStmtKind, TransactionKind] = {
        enums.TransactionStmtKind.TRANS_STMT_BEGIN: "begin",
        enums.TransactionStmtKind.TRANS_STMT_START: "begin",
        enums.TransactionStmtKind.TRANS_STMT_COMMIT: "commit",
        enums.TransactionStmtKind.TRANS_STMT_ROLLBACK: "rollback",
        enums.TransactionStmtKind.TRANS_STMT_SAVEPOINT: "savepoint",
        enums.TransactionStmtKind.TRANS_STMT_RELEASE: "release",
        enums.TransactionStmtKind.TRANS_STMT_ROLLBACK_TO: "rollback_to",
    }
    return names.get(kind, "other")


def _constraint_kind(kind: enums.ConstrType) -> ConstraintKind:
    names: dict[enums.ConstrType, ConstraintKind] = {
        enums.ConstrType.CONSTR_PRIMARY: "primary",
        enums.ConstrType.CONSTR_UNIQUE: "unique",
        enums.ConstrType.CONSTR_CHECK: "check",
        enums.ConstrType.CONSTR_FOREIGN: "foreign",
        enums.ConstrType.CONSTR_EXCLUSION: "exclusion",
        enums.ConstrType.CONSTR_NOTNULL: "not_null",
    }
    return names.get(kind, "other")


def _makes_identity_always(cmd: ast.AlterTableCmd) -> bool:
    """ADD GENERATED ALWAYS AS IDENTITY, or SET GENERATED ALWAYS (alone or among other options)."""
    if cmd.subtype == enums.AlterTableType.AT_AddIdentity:
        return isinstance(cmd.def_, ast.Constraint) and cmd.def_.generated_when == "a"
    if cmd.subtype == enums.AlterTableType.AT_SetIdentity and isinstance(cmd.def_, tuple):
        return any(
            isinstance(opt, ast.DefElem) and opt.defname == "generated" and getattr(opt.arg, "ival", None) == ord("a")
            for opt in cmd.def_
        )
    return False


def _relation_name(relation: Any) -> str:
    if relation is None:
        return ""
    name = relation.relname or ""
    if relation.schemaname and relation.schemaname != "public":
        return f"{relation.schemaname}.{name}"
    return name


def not_null_columns(where: Any) -> tuple[str, ...]:
    """The columns a partial index's WHERE requires to be non-null, when that is all it asks
    (``a IS NOT NULL AND b IS NOT NULL``); () for any other predicate, or none."""
    and_ = isinstance(where, ast.BoolExpr) and where.boolop == enums.BoolExprType.AND_EXPR
    terms = (where.args or ()) if and_ else (where,)
    names = []
    for term in terms:
        if not (isinstance(term, ast.NullTest) and term.nulltesttype == enums.NullTestType.IS_NOT_NULL):
            return ()
        fields = term.arg.fields if isinstance(term.arg, ast.ColumnRef) else None
        if not fields or len(fields) != 1:
            return ()
        field_ = fields[0]
        if not isinstance(field_, ast.String):
            return ()
        names.append(field_.sval or "")
    return tuple(names) if where is not None else ()


def not_null_columns_in(predicate: str) -> tuple[str, ...]:
    """``not_null_columns`` of a WHERE written as text (Alembic's ``postgresql_where=``)."""
    try:
        statements = pglast.parse_sql(f"SELECT WHERE {predicate}")
    except parser.ParseError:
        return ()
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        return ()
    return not_null_columns(statements[0].stmt.whereClause)


def _dotted(obj: Any) -> str:
    parts = [item.sval or "" for item in obj if isinstance(item, ast.String)] if isinstance(obj, tuple) else []
    return unqualified(".".join(parts))


def _strings(items: Any) -> Iterator[str]:
    for item in items or ():
        if isinstance(item, ast.String):
            yield item.sval or ""


def _option_on(arg: Any) -> bool:
    """A utility option's boolean value: absent means on; ``false``/``off``/``0`` mean off."""
    if isinstance(arg, ast.String):
        return (arg.sval or "").lower() not in ("false", "off", "no", "0")
    if isinstance(arg, ast.Integer):
        return arg.ival != 0
    return True


def _column_refs(node: Any) -> Iterator[str]:
    """The column names an expression refers to (the last part of each reference)."""
    if isinstance(node, ast.ColumnRef):
        names = [field.sval or "" for field in node.fields or () if isinstance(field, ast.String)]
        if names:
            yield names[-1]
        return
    if isinstance(node, ast.Node):
        for child in _children(node):
            yield from _column_refs(child)


def _children(node: Any) -> Iterator[Any]:
    """Direct child nodes of a pglast node (tuples flattened)."""
    for slot in type(node).__slots__:
        value = getattr(node, slot, None)
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, ast.Node):
                yield item
            elif isinstance(item, tuple):
                stack.extend(reversed(item))


def _called_functions(node: Any) -> Iterator[str]:
    """Lower-case names of the functions an expression calls (``public.f()`` → ``f``).

    SQL value functions (CURRENT_TIMESTAMP, CURRENT_USER...) are reported by their SQL name,
    so a rule can tell them apart from a constant.
    """
    stack = [node] if isinstance(node, ast.Node) else []
    while stack:
        item = stack.pop()
        if isinstance(item, ast.FuncCall):
            names = list(_strings(item.funcname))
            if names:
                yield names[-1].lower()
        elif isinstance(item, ast.SQLValueFunction) and item.op is not None:
            yield item.op.name.removeprefix("SVFOP_").lower()
        stack.extend(_children(item))


def _not_null_columns(node: Any) -> Iterator[str]:
    """Columns ``col IS NOT NULL`` proves, looking through AND only (OR proves nothing)."""
    if isinstance(node, ast.NullTest) and node.nulltesttype == enums.NullTestType.IS_NOT_NULL:
        if isinstance(node.arg, ast.ColumnRef):
            names = [field.sval or "" for field in node.arg.fields or () if isinstance(field, ast.String)]
            if names:
                yield names[-1]
    elif isinstance(node, ast.BoolExpr) and node.boolop == enums.BoolExprType.AND_EXPR:
        for arg in node.args or ():
            yield from _not_null_columns(arg)


_DEPARSED_MAX = 4096
_deparsed: dict[Hashable, str | None] = {}


def _deparse(node: Any) -> str | None:
    """The expression as SQL, remembered by its shape (``_shape``).

    pglast's printer costs ~130 µs per call even for ``now()`` (it first walks the tree to
    link each node to its parents, through ``inspect.getmembers``), and migrations repeat the
    same few defaults (``now()``, ``0``, ``'pending'``) thousands of times; the printed text
    depends on the tree alone, never on where it was written. The memo is cleared when full,
    so a long-lived process (the LSP) keeps it small.
    """
    if node is None:
        return None
    key = _shape(node)
    try:
        return _deparsed[key]
    except KeyError:
        pass
    except TypeError:  # a value pglast's parser never leaves in a tree: print it, remember nothing
        key = None
    try:
        text: str | None = str(RawStream()(node))
    except Exception:  # deparsing is best effort: the fact is optional, the statement still counts
        text = None
    if key is not None:
        if len(_deparsed) >= _DEPARSED_MAX:
            _deparsed.clear()
        _deparsed[key] = text
    return text


def _shape(value: Any) -> Hashable:
    """A pglast (sub)tree as nested tuples of its node classes and values, locations left out."""
    if isinstance(value, ast.Node):
        node_type: type[Any] = type(value)
        return (node_type, *(_shape(getattr(value, slot)) for slot in node_type.__slots__ if slot != "location"))
    if isinstance(value, tuple):
        return tuple(_shape(item) for item in value)
    return value


def _setting_value(node: ast.VariableSetStmt) -> str | None:
    values: list[str] = []
    for arg in node.args or ():
        if isinstance(arg, ast.A_Const) and arg.val is not None:
            value = arg.val
            if isinstance(value, ast.String):
                values.append(value.sval or "")
            elif isinstance(value, ast.Integer):
                values.append(str(value.ival))
            else:
                values.append(str(getattr(value, "fval", getattr(value, "sval", ""))))
    return ", ".join(values) if values else None
