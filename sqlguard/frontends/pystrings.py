"""SQL inside Python strings: literal values mapped back to file offsets, and SG007's facts.

Two jobs, both on a libcst tree the Alembic front end already parsed (a file is parsed once):

- ``literal_value`` reads a string literal (plain, raw, triple-quoted, with escapes, or implicitly
  concatenated) into its value plus the file offset of every character, so SQL found inside it
  (``op.execute("...")``) is reported at its real line and column in the Python file.
- ``find_interpolated_sql`` finds SQL text built with an f-string, ``%``, ``.format()`` or ``+``
  that reaches an execute-like call, directly or through a variable, and works out the
  parameterized form to show instead (``InterpolatedSql`` changes, read by SG007).
"""

from __future__ import annotations

import ast
import dataclasses
import re
import string
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import libcst as cst
from pglast import parser

from sqlguard.diagnostics import Span
from sqlguard.model import InterpolatedSql, map_positions

SpanOf = Callable[[cst.CSTNode], Span]
T = TypeVar("T")

_SIMPLE_ESCAPES = set("\\'\"abfnrtv")
_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}


@dataclass(frozen=True)
class StringValue:
    """A literal's value and where each of its characters sits in the file.

    ``offsets`` has one entry per character plus one for the end; it is None when the value could
    not be mapped character by character (then positions fall back to the literal's start).
    """

    value: str
    span: Span
    offsets: tuple[int, ...] | None

    @property
    def contiguous(self) -> bool:
        """True when the value is the file text itself (no escapes, one part): a plain shift works."""
        offsets = self.offsets
        return offsets is not None and offsets[-1] - offsets[0] == len(self.value)

    def offset(self, index: int) -> int:
        if self.offsets is None:
            return self.span.start
        return self.offsets[max(0, min(index, len(self.offsets) - 1))]


def literal_value(node: cst.BaseExpression, span_of: SpanOf) -> StringValue | None:
    """The value of a str literal (not bytes, not an f-string with fields), else None."""
    if isinstance(node, cst.SimpleString):
        return _simple_value(node, span_of(node))
    if isinstance(node, cst.ConcatenatedString):
        left = literal_value(node.left, span_of)
        right = literal_value(node.right, span_of)
        if left is None or right is None:
            return None
        offsets = None
        if left.offsets is not None and right.offsets is not None:
            offsets = left.offsets[:-1] + right.offsets
        return StringValue(left.value + right.value, Span(left.span.start, right.span.end), offsets)
    if isinstance(node, cst.FormattedString) and not any(
        isinstance(part, cst.FormattedStringExpression) for part in node.parts
    ):
        return None  # an f-string without fields is constant, but rare enough to leave unread
    return None


def _simple_value(node: cst.SimpleString, span: Span) -> StringValue | None:
    raw = node.value
    prefix = node.prefix.lower()
    if "b" in prefix:
        return None
    try:
        value = node.evaluated_value
    except Exception:  # an invalid escape the parser let through: no value to lint
        return None
    if not isinstance(value, str):
        return None
    quote = node.quote
    content_start = span.start + len(node.prefix) + len(quote)
    content = raw[len(node.prefix) + len(quote) : len(raw) - len(quote)]
    if "r" in prefix:
        mapped: list[int] | None = list(range(content_start, content_start + len(content) + 1))
    else:
        mapped = _unescape_offsets(content, content_start)
    if mapped is None or len(mapped) != len(value) + 1:
        return StringValue(value, span, None)
    return StringValue(value, span, tuple(mapped))


def _unescape_offsets(content: str, start: int) -> list[int] | None:
    """File offset of each character Python makes of ``content`` (escapes decoded), plus the end."""
    offsets: list[int] = []
    i = 0
    while i < len(content):
        char = content[i]
        if char != "\\":
            offsets.append(start + i)
            i += 1
            continue
        if i + 1 >= len(content):
            return None
        nxt = content[i + 1]
        if nxt == "\n":
            i += 2  # line continuation: no character
        elif nxt == "\r":
            i += 3 if content[i + 2 : i + 3] == "\n" else 2
        elif nxt in _SIMPLE_ESCAPES:
            offsets.append(start + i)
            i += 2
        elif nxt in "01234567":
            width = 1
            while width < 3 and i + 1 + width < len(content) and content[i + 1 + width] in "01234567":
                width += 1
            offsets.append(start + i)
            i += 1 + width
        elif nxt in _ESCAPE_WIDTH:
            offsets.append(start + i)
            i += 2 + _ESCAPE_WIDTH[nxt]
        elif nxt == "N":
            close = content.find("}", i)
            if close == -1:
                return None
            offsets.append(start + i)
            i = close + 1
        else:  # unknown escapes keep the backslash
            offsets.extend((start + i, start + i + 1))
            i += 2
    offsets.append(start + len(content))
    return offsets


def remap(obj: T, value: StringValue) -> T:
    """Move every span (and offset field, ``keyword_end``...) of ``obj``, computed on ``value.value``, into the file.

    Without a character map, spans fall back to the whole literal and fixes are dropped
    (offset fields become None): a position that is roughly right beats one that is wrong.
    """

    if value.offsets is None:
        return map_positions(obj, lambda _: None, lambda _: value.span)
    return map_positions(obj, value.offset, lambda span: Span(value.offset(span.start), value.offset(span.end)))


# -- SG007: interpolated SQL reaching an execute-like call ----------------------------------------

Style = Literal["dbapi", "text", "bound", "op", "read_sql"]

# Method names that run SQL text, and the placeholder style their callers pass values with.
_SINK_METHODS: dict[str, Style] = {
    "execute": "dbapi",
    "executemany": "dbapi",
    "exec_driver_sql": "dbapi",
    "executescript": "dbapi",
    "read_sql": "read_sql",
    "read_sql_query": "read_sql",
    "text": "text",
}
# ``.execute`` on these takes SQLAlchemy's ``text()`` and named binds; on anything else (a
# cursor, a psycopg connection) it takes ``%s`` placeholders.
_SQLALCHEMY_RECEIVERS = ("session", "db", "engine", "bind", "op")
_SQL_ARG_NAMES = ("sql", "statement", "query", "sqltext", "text", "operation", "stmt")
# The last keyword before a pasted value that makes it a name (FROM {table}), as pglast's scanner names them.
_IDENTIFIER_KEYWORDS = frozenset({"FROM", "JOIN", "INTO", "UPDATE", "TABLE", "EXISTS", "ONLY", "TRUNCATE", "SET"})
# Statements PostgreSQL cannot give bound parameters to: values must be composed as literals.
_UTILITY = frozenset(
    {"ALTER", "CREATE", "DROP", "SET", "RESET", "VACUUM", "ANALYZE", "GRANT", "REVOKE", "COMMENT", "CLUSTER"}
    | {"REINDEX", "REFRESH", "LOCK_P"}
)
# Tokens a pasted value glued to them extends into one word: names, numbers, keywords and a dot.
_WORD_TOKENS = frozenset({"IDENT", "ICONST", "FCONST", "ASCII_46"})
# No standard-library parser reads %-format fields (string.Formatter reads str.format ones): kept.
_PERCENT_FIELD = re.compile(r"%%|%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGcaou]")


class _Safe:
    """The mark of a value that cannot carry SQL of its own (see ``_InterpolationFinder._safe``)."""


SAFE = _Safe()
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
# Calls whose result is a number, whatever their argument.
_NUMBER_CALLS = frozenset({"int", "float", "len", "round", "abs", "count"})


def _dotted_tail(node: cst.BaseExpression) -> str:
    """The last name of ``a.b.C`` (``C``), of a call's callee, or "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""


@dataclass(frozen=True)
class _Taint:
    """How a string was built, and its pieces: text, or an expression that was pasted in."""

    how: str
    pieces: tuple[tuple[str, str], ...]  # ("text", raw) or ("value", expression source)
    at: Span


def find_interpolated_sql(
    module: cst.Module, span_of: SpanOf, code_of: Callable[[cst.CSTNode], str]
) -> list[InterpolatedSql]:
    """Every place where SQL text built by interpolation reaches a call that runs or wraps it."""
    finder = _InterpolationFinder(span_of, code_of)
    _walk(module, finder)
    return finder.found


# Fields that hold only whitespace, commas and parentheses: nothing the finder looks at.
_SKIPPED_FIELDS = frozenset(
    {"lpar", "rpar", "comma", "leading_lines", "lines_after_decorators", "header", "footer", "semicolon", "dot"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _walk(node: cst.CSTNode, finder: _InterpolationFinder) -> None:
    """Visit ``node`` and its children in source order, calling the finder's hooks.

    Cheaper than ``module.visit``: libcst's visitor rebuilds every node on the way back up,
    which costs more than the whole search (this runs on every keystroke in an editor).
    """
    kind = type(node)
    if kind is cst.Call:
        finder.visit_Call(node)  # type: ignore[arg-type]
    elif kind is cst.FunctionDef:
        finder.visit_FunctionDef(node)  # type: ignore[arg-type]
    elif kind is cst.ClassDef:
        finder.visit_ClassDef(node)  # type: ignore[arg-type]
    elif kind is cst.For:
        finder.visit_For(node)  # type: ignore[arg-type]
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(node)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
        _CHILD_FIELDS[kind] = names
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            _walk(value, finder)
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    _walk(item, finder)
    if kind is cst.Assign:
        finder.leave_Assign(node)  # type: ignore[arg-type]
    elif kind is cst.AnnAssign:
        finder.leave_AnnAssign(node)  # type: ignore[arg-type]
    elif kind is cst.AugAssign:
        finder.leave_AugAssign(node)  # type: ignore[arg-type]
    elif kind is cst.FunctionDef:
        finder.leave_FunctionDef(node)  # type: ignore[arg-type]


class _InterpolationFinder:
    """Fed by ``_walk`` in source order; remembers per function what each local name was assigned."""

    def __init__(self, span_of: SpanOf, code_of: Callable[[cst.CSTNode], str]) -> None:
        self.span_of = span_of
        self.code_of = code_of
        # Per scope: name → how its text was built (_Taint), its constant text (str), SAFE (a
        # value that cannot carry a quote: a number, a literal collection), or None.
        self.scopes: list[dict[str, _Taint | str | _Safe | None]] = [{}]
        # Classes of this module that are Enums: their members are constants.
        self.enums: set[str] = set()
        self.found: list[InterpolatedSql] = []

    # -- scopes and assignments ---------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append({})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = {_dotted_tail(base.value) for base in node.bases}
        if bases & _ENUM_BASES or bases & self.enums:
            self.enums.add(node.name.value)

    def visit_For(self, node: cst.For) -> None:
        """A loop over a literal collection (or a name bound to one) yields constants."""
        if not self._safe(node.iter):
            return
        targets: list[cst.BaseExpression] = [node.target] if isinstance(node.target, cst.Name) else []
        if isinstance(node.target, cst.Tuple):
            targets = [element.value for element in node.target.elements]
        for target in targets:
            if isinstance(target, cst.Name):
                self.scopes[-1][target.value] = SAFE

    def leave_Assign(self, original_node: cst.Assign) -> None:
        value = original_node.value
        known = self._classify(value) or self._constant(value) or (SAFE if self._safe(value) else None)
        for target in original_node.targets:
            if isinstance(target.target, cst.Name):
                self.scopes[-1][target.target.value] = known

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        value = original_node.value
        if isinstance(original_node.target, cst.Name) and value is not None:
            self.scopes[-1][original_node.target.value] = self._classify(value) or self._constant(value)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        target = original_node.target
        if not isinstance(target, cst.Name) or not isinstance(original_node.operator, cst.AddAssign):
            return
        before = self._lookup(target.value)
        added = self._classify(original_node.value)
        value = original_node.value
        if before is None and added is None and self._safe(target) and self._safe(value):
            return  # a counter stays a number: ``offset += batch_size``
        if before is None and added is None and self._constant(value) is not None:
            start = self._constant(target)
            if start is not None:
                self.scopes[-1][target.value] = start + (self._constant(value) or "")
            return
        if added is None and self._constant(value) is None:
            if isinstance(value, cst.Name):
                return  # a name we know nothing bad about: do not guess
            added = _Taint("+= concatenation", (("value", self.code_of(value)),), self.span_of(value))
        if added is None:
            if before is not None:
                pieces = (*before.pieces, ("text", _raw_text(value)))
                self.scopes[-1][target.value] = _Taint(before.how, pieces, before.at)
            return
        pieces = (before.pieces if before is not None else (("value", target.value),)) + added.pieces
        how = before.how if before is not None else "+= concatenation"
        self.scopes[-1][target.value] = _Taint(how, pieces, self.span_of(original_node))

    def _lookup(self, name: str) -> _Taint | None:
        for scope in reversed(self.scopes):
            if name in scope:
                found = scope[name]
                return found if isinstance(found, _Taint) else None
        return None

    def _all_constant(self, nodes: list[cst.BaseExpression]) -> bool:
        return all(self._safe(node) for node in nodes)

    def _safe(self, node: cst.BaseExpression) -> bool:
        """True when the value cannot carry SQL of its own: text fixed in the code, a number
        (literal or a name only ever bound to numbers), an Enum member, a class constant
        (``Kind.ACTIVE``), a literal collection of such values (or one of its items), or
        ``int()``/``len()``/``", ".join()`` of them. Where the value comes from decides, not
        the fact that it is pasted in."""
        if self._constant(node) is not None or isinstance(node, (cst.Integer, cst.Float)):
            return True
        if isinstance(node, cst.UnaryOperation):
            return self._safe(node.expression)
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return True
            for scope in reversed(self.scopes):
                if node.value in scope:
                    return scope[node.value] is SAFE or isinstance(scope[node.value], str)
            return False
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return all(isinstance(e, cst.Element) and self._safe(e.value) for e in node.elements)
        if isinstance(node, cst.BinaryOperation) and not isinstance(node.operator, cst.Modulo):
            return self._safe(node.left) and self._safe(node.right)
        if isinstance(node, cst.Attribute):
            return self._constant_attribute(node)
        if isinstance(node, cst.Subscript):
            return self._safe(node.value)
        if isinstance(node, cst.Call):
            name = _dotted_tail(node.func)
            arguments = [arg.value for arg in node.args]
            if name in _NUMBER_CALLS:
                return True
            if name == "join" and isinstance(node.func, cst.Attribute):
                return self._safe(node.func.value) and all(self._safe(arg) for arg in arguments)
            if name in ("str", "repr", "sorted", "tuple", "list"):
                return bool(arguments) and all(self._safe(arg) for arg in arguments)
        return False

    def _constant_attribute(self, node: cst.Attribute) -> bool:
        """``Color.RED``, ``Color.RED.value``/``.name``, ``Limits.MAX_ROWS``: members of an Enum of
        this module, or an UPPER_CASE attribute of a CapWords class (a class constant)."""
        owner, attribute = node.value, node.attr.value
        if attribute in ("value", "name") and isinstance(owner, cst.Attribute):
            return self._constant_attribute(owner)
        if not isinstance(owner, (cst.Name, cst.Attribute)):
            return False
        owner_name = _dotted_tail(owner)
        if owner_name in self.enums:
            return True
        return owner_name[:1].isupper() and not owner_name.isupper() and attribute.isupper()

    def _constant(self, node: cst.BaseExpression) -> str | None:
        """The text of an expression made only of literals and names bound to constant text."""
        if _is_text_literal(node):
            return _raw_text(node)
        if isinstance(node, cst.Name):
            for scope in reversed(self.scopes):
                if node.value in scope:
                    found = scope[node.value]
                    return found if isinstance(found, str) else None
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            parts = [self._constant(operand) for operand in _flatten_add(node)]
            return None if any(part is None for part in parts) else "".join(p for p in parts if p is not None)
        if isinstance(node, cst.FormattedString):
            texts = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    texts.append(part.value)
                elif isinstance(part, cst.FormattedStringExpression):
                    value = self._constant(part.expression)
                    if value is None or part.format_spec or part.conversion:
                        return None
                    texts.append(value)
            return "".join(texts)
        return None

    # -- sinks ----------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        sink = _sink(node)
        if sink is None:
            return
        argument = _sql_argument(node)
        if argument is None:
            return
        taint = self._classify(argument.value)
        if taint is None:
            return
        via = argument.value.value if isinstance(argument.value, cst.Name) else None
        span = self.span_of(argument.value)
        sink_code = self.code_of(node.func)
        parameterized, names_only = _parameterized(node, argument, sink, sink_code, taint, self.code_of)
        self.found.append(
            InterpolatedSql(
                span=span,
                statement_span=self.span_of(node),
                statement=self.code_of(node),
                in_transaction=False,
                origin="python",
                sink=sink_code,
                how=taint.how,
                variable=via,
                built_at=taint.at if via is not None else None,
                parameterized=parameterized,
                names_only=names_only,
            )
        )

    # -- how a string expression was built -------------------------------------------------------
    def _classify(self, node: cst.BaseExpression) -> _Taint | None:
        if isinstance(node, cst.Name):
            return self._lookup(node.value)
        if isinstance(node, cst.FormattedString):
            if self._constant(node) is not None or all(
                self._safe(part.expression)
                for part in node.parts
                if isinstance(part, cst.FormattedStringExpression)
            ):
                return None  # only constants pasted in: the text is fixed
            return _Taint("an f-string", tuple(self._fstring_pieces(node)), self.span_of(node))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
            if self._constant(node.left) is not None and not self._all_constant(_operands(node.right)):
                return _Taint("% formatting", tuple(self._percent_pieces(node)), self.span_of(node))
            return None
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            arguments = [arg.value for arg in node.args]
            if node.func.attr.value == "format" and self._constant(node.func.value) is not None and node.args:
                if self._all_constant(arguments):
                    return None  # only constants pasted in: the text is fixed
                return _Taint("str.format()", tuple(self._format_pieces(node)), self.span_of(node))
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            operands = list(_flatten_add(node))
            constants = [self._constant(o) for o in operands]
            inner = [self._classify(o) for o in operands]
            has_text = any(c is not None for c in constants) or any(inner)
            pasted = [
                o
                for o, c, t in zip(operands, constants, inner, strict=True)
                if c is None and t is None and not self._safe(o)
            ]
            if not any(inner) and not (has_text and pasted):
                return None
            pieces: list[tuple[str, str]] = []
            for operand, constant, taint in zip(operands, constants, inner, strict=True):
                if constant is not None:
                    pieces.append(("text", constant))
                elif taint is not None:
                    pieces.extend(taint.pieces)
                else:
                    pieces.append(("value", self.code_of(operand)))
            return _Taint("+ concatenation", tuple(pieces), self.span_of(node))
        return None

    def _fstring_pieces(self, node: cst.FormattedString) -> Iterator[tuple[str, str]]:
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                yield "text", part.value.replace("{{", "{").replace("}}", "}")
            elif isinstance(part, cst.FormattedStringExpression):
                yield "value", self.code_of(part.expression)

    def _percent_pieces(self, node: cst.BinaryOperation) -> Iterator[tuple[str, str]]:
        text = self._constant(node.left) or ""
        right = node.right
        values: list[str] = []
        named: dict[str, str] = {}
        if isinstance(right, cst.Tuple):
            values = [self.code_of(el.value) for el in right.elements]
        elif isinstance(right, cst.Dict):
            for element in right.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                    key = element.key.evaluated_value
                    if isinstance(key, str):
                        named[key] = self.code_of(element.value)
        else:
            values = [self.code_of(right)]
        position = 0
        last = 0
        for match in _PERCENT_FIELD.finditer(text):
            yield "text", text[last : match.start()]
            last = match.end()
            if match.group(0) == "%%":
                yield "text", "%"
                continue
            key = match.group(1)
            if key is not None:
                yield "value", named.get(key, key)
            elif position < len(values):
                yield "value", values[position]
                position += 1
            else:
                yield "value", "value"
        yield "text", text[last:]

    def _format_pieces(self, node: cst.Call) -> Iterator[tuple[str, str]]:
        assert isinstance(node.func, cst.Attribute)
        text = self._constant(node.func.value) or ""
        positional = [self.code_of(arg.value) for arg in node.args if arg.keyword is None and not arg.star]
        keywords = {arg.keyword.value: self.code_of(arg.value) for arg in node.args if arg.keyword is not None}
        position = 0
        try:
            fields = list(string.Formatter().parse(text))
        except ValueError:  # a lone brace: str.format would raise, so nothing is pasted in
            fields = [(text, None, None, None)]
        for literal, field, _spec, _conversion in fields:
            yield "text", literal
            if field is None:
                continue
            if field == "":
                yield "value", positional[position] if position < len(positional) else "value"
                position += 1
            elif field.isdigit():
                index = int(field)
                yield "value", positional[index] if index < len(positional) else "value"
            else:
                yield "value", keywords.get(field, field)
        if fields and fields[-1][1] is not None:
            yield "text", ""


def _sink(node: cst.Call) -> Style | None:
    """The placeholder style of a call that runs or wraps SQL text, or None if it is no sink."""
    func = node.func
    if isinstance(func, cst.Name):
        return _SINK_METHODS.get(func.value) if func.value in ("text", "read_sql", "read_sql_query") else None
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    style = _SINK_METHODS.get(method)
    if style is None:
        return None
    receiver = func.value
    receiver_name = ""
    if isinstance(receiver, cst.Name):
        receiver_name = receiver.value.lower()
    elif isinstance(receiver, cst.Attribute):
        receiver_name = receiver.attr.value.lower()
    elif isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute):
        receiver_name = receiver.func.attr.value.lower()  # op.get_bind().execute(...)
    if method == "text":
        return "text" if receiver_name in ("sa", "sqlalchemy", "sql", "expression") else None
    if method == "execute" and receiver_name == "op":
        return "op"
    if method == "execute" and "cur" not in receiver_name and receiver_name.endswith(_SQLALCHEMY_RECEIVERS):
        return "bound"
    return style


def _sql_argument(node: cst.Call) -> cst.Arg | None:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in _SQL_ARG_NAMES:
            return arg
    for arg in node.args:
        if arg.keyword is None and not arg.star:
            return arg
    return None


def _is_text_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return "b" not in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return _is_text_literal(node.left) and _is_text_literal(node.right)
    return False


def _raw_text(node: cst.BaseExpression) -> str:
    """A literal's content as written (escapes kept), for showing it again inside new quotes."""
    if isinstance(node, cst.SimpleString):
        return node.raw_value
    if isinstance(node, cst.ConcatenatedString):
        return _raw_text(node.left) + _raw_text(node.right)
    if isinstance(node, cst.FormattedString):
        return "".join(part.value for part in node.parts if isinstance(part, cst.FormattedStringText))
    return ""


def _operands(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values on the right of ``%``: a tuple's items, a dict's values, or the one value."""
    if isinstance(node, cst.Tuple):
        return [element.value for element in node.elements]
    if isinstance(node, cst.Dict):
        return [element.value for element in node.elements if isinstance(element, cst.DictElement)]
    return [node]


def _flatten_add(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        yield from _flatten_add(node.left)
        yield from _flatten_add(node.right)
    else:
        yield node


# -- the parameterized form ------------------------------------------------------------------------


def _parameterized(
    call: cst.Call,
    argument: cst.Arg,
    style: Style,
    sink_code: str,
    taint: _Taint,
    code_of: Callable[[cst.CSTNode], str],
) -> tuple[str, bool]:
    """The same call with values passed as bound parameters (and identifiers composed safely),
    and whether every pasted value stands where a name goes (no bound parameter can help)."""
    named = style in ("text", "bound", "op", "read_sql")
    names: list[str] = []
    values: list[str] = []
    composed: list[str] = []  # psycopg.sql parts for the ``{}`` fields, in order
    text = ""
    first = taint.pieces[0][1] if taint.pieces and taint.pieces[0][0] == "text" else ""
    first_tokens, _ = _lex(first)
    utility = first_tokens[0] if first_tokens and first_tokens[0].name in _UTILITY else None
    names_pasted: list[str] = []
    unbindable: list[str] = []  # values in a statement that takes no bound parameters
    pieces = list(taint.pieces)
    for index, (kind, piece) in enumerate(pieces):
        if kind == "text":
            text += piece
            continue
        following = pieces[index + 1][1] if index + 1 < len(pieces) and pieces[index + 1][0] == "text" else ""
        before, stopped = _lex(text)
        after, _ = _lex(following)
        glued = (not stopped and _word_at(before[-1:], len(text) - 1, text)) or _word_at(after[:1], 0, following)
        literal_at = stopped if stopped is not None and text[stopped] == "'" else None
        closing = _literal_end(following) if literal_at is not None else None
        if literal_at is not None and closing is not None:
            # The value sits inside a quoted SQL literal ('%{term}%'): the whole literal becomes the parameter.
            prefix, suffix = (part.replace("''", "'") for part in (text[literal_at + 1 :], following[: closing - 1]))
            text = text[:literal_at]
            pieces[index + 1] = ("text", following[closing:])
            piece = (f'"{prefix}" + ' if prefix else "") + piece + (f' + "{suffix}"' if suffix else "")
        elif glued or _names_next(text, before, stopped):
            if named or glued:
                names_pasted.append(piece)  # part of a name: no placeholder can stand for it
            else:
                composed.append(f"sql.Identifier({piece})")
            text += "{}"
            continue
        if utility is not None:
            if named:
                unbindable.append(piece)
            composed.append(f"sql.Literal({piece})")
            text += "{}"
            continue
        name = _unique_name(_name_hint(piece), names)
        names.append(name)
        values.append(piece)
        text += f":{name}" if named else "%s"
    if unbindable and utility is not None and not names_pasted:
        pasted = ", ".join(dict.fromkeys(unbindable))
        keyword = first[utility.start : utility.end + 1].upper()
        return (
            f"{keyword} cannot take bound parameters: check {pasted} against a fixed list of"
            " allowed values, or run it through psycopg with sql.Identifier / sql.Literal",
            False,
        )
    if names_pasted:
        pasted = ", ".join(dict.fromkeys(names_pasted))
        return (
            f"bound parameters cannot stand for names: check {pasted} against a fixed list of allowed names"
            " (or compose it with psycopg.sql.Identifier), and pass values as bound parameters",
            not values,
        )
    names_only = bool(composed) and not values and all(part.startswith("sql.Identifier(") for part in composed)
    return _call_text(call, argument, style, sink_code, code_of, text, names, values, composed), names_only


def _call_text(
    call: cst.Call,
    argument: cst.Arg,
    style: Style,
    sink_code: str,
    code_of: Callable[[cst.CSTNode], str],
    text: str,
    names: list[str],
    values: list[str],
    composed: list[str],
) -> str:
    """The call to write: ``text`` with its placeholders, ``values`` bound as ``names``, and the
    psycopg parts ``composed`` for its ``{}`` fields."""
    literal = _quote(text)
    others = [code_of(arg) for arg in call.args if arg is not argument]
    if style == "dbapi":
        sql_arg = f"sql.SQL({literal}).format({', '.join(composed)})" if composed else literal
        params = "(" + ", ".join(values) + ("," if len(values) == 1 else "") + ")"
        args = [sql_arg] + ([params] if values else []) + [a for a in others if not a.startswith(("(", "["))]
        return f"{sink_code}({', '.join(args)})"
    binds = ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
    mapping = "{" + ", ".join(f'"{n}": {v}' for n, v in zip(names, values, strict=True)) + "}"
    if style == "text":
        return f"{sink_code}({literal}).bindparams({binds})" if values else f"{sink_code}({literal})"
    if style == "op":
        bound = f"sa.text({literal}).bindparams({binds})" if values else f"sa.text({literal})"
        return f"{sink_code}({bound})"
    if style == "read_sql":
        args = [f"text({literal})", *others] + ([f"params={mapping}"] if values else [])
        return f"{sink_code}({', '.join(args)})"
    return f"{sink_code}({', '.join([f'text({literal})'] + ([mapping] if values else []))})"


def _name_hint(expression: str) -> str:
    """A parameter name from the pasted expression: ``str(user.id)`` → ``id``, ``row["email"]`` → ``email``."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return "value"
    return _hint(node) or "value"


_WRAPPERS = frozenset({"str", "int", "float", "repr", "bool", "len"})


def _hint(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS and node.args:
        return _hint(node.args[-1])
    keys = [
        sub
        for sub in ast.walk(node)
        if isinstance(sub, ast.Subscript)
        and isinstance(sub.slice, ast.Constant)
        and isinstance(sub.slice.value, str)
        and sub.slice.value.replace("_", "a").isalnum()
    ]
    if keys:
        last = max(keys, key=lambda sub: (sub.slice.lineno, sub.slice.col_offset))
        assert isinstance(last.slice, ast.Constant)
        return str(last.slice.value)
    # The name written last before the first call's parenthesis: ``user.name.lower()`` → ``lower``.
    nodes = list(ast.walk(node))
    calls = [(call.func.end_lineno or 0, call.func.end_col_offset or 0) for call in nodes if isinstance(call, ast.Call)]
    limit = min(calls, default=(sys.maxsize, 0))
    names = [
        ((sub.end_lineno or 0, sub.end_col_offset or 0), sub.id if isinstance(sub, ast.Name) else sub.attr)
        for sub in nodes
        if isinstance(sub, ast.Name | ast.Attribute)
    ]
    return max(((end, name) for end, name in names if end <= limit), default=((0, 0), None))[1]


def _lex(fragment: str) -> tuple[list[Any], int | None]:
    """pglast's tokens of a SQL fragment, and where lexing stopped (an unclosed quote), or None."""
    try:
        return list(parser.scan(fragment)), None
    except parser.ParseError as error:
        at = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else 0
        if not 0 <= at < len(fragment):
            return [], 0
        tokens = _lex(fragment[:at])[0] if at else []
        return tokens, at


def _word_at(tokens: list[Any], at: int, fragment: str) -> bool:
    """Whether a name, number, keyword or dot ends (or starts) at ``at``, touching the pasted value."""
    if not tokens:
        return False
    token = tokens[0]
    if at not in (token.start, token.end) or fragment[token.start] == '"':
        return False
    return token.name in _WORD_TOKENS or token.kind != "NO_KEYWORD"


def _literal_end(following: str) -> int | None:
    """Where, in the text after a value pasted inside an open SQL literal, that literal ends (past ``'``)."""
    tokens, _ = _lex("'" + following)
    if tokens and tokens[0].name == "SCONST" and tokens[0].start == 0:
        return int(tokens[0].end)
    return None


def _names_next(text: str, tokens: list[Any], stopped: int | None) -> bool:
    """Whether the text ends in FROM, JOIN, INTO... (then perhaps an opening ``"``): a name comes next."""
    if not tokens or tokens[-1].name not in _IDENTIFIER_KEYWORDS:
        return False
    if stopped is None:
        return True
    return text[stopped] == '"' and stopped == len(text.rstrip()) - 1 and not text[tokens[-1].end + 1 : stopped].strip()


def _unique_name(hint: str, taken: Sequence[str]) -> str:
    name = hint
    suffix = 2
    while name in taken:
        name = f"{hint}_{suffix}"
        suffix += 1
    return name


def _quote(text: str) -> str:
    if "\n" in text:
        return '"""' + text.replace('"""', '\\"\\"\\"') + '"""'
    if '"' in text and "'" not in text:
        return "'" + text + "'"
    return '"' + text.replace('"', '\\"') + '"'
