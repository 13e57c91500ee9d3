"""SQL run by PL/pgSQL code: DO blocks and function bodies, read with libpg_query's PL/pgSQL parser.

A DO block's statements run when the migration runs; a function's only when something calls
it. This module finds, in a PL/pgSQL body, the SQL that can be read without running anything:

- static statements (``ALTER TABLE ...;`` written in the body), in nested blocks, IF/ELSIF/ELSE
  branches, CASE, loops and exception handlers alike;
- ``EXECUTE 'literal'`` and ``EXECUTE format('template', 'literal', ...)`` whose template uses
  only ``%I``, ``%L``, ``%s`` and ``%%`` with literal arguments.

Any other dynamic SQL (a variable, a concatenation, ``USING`` parameters) is skipped, never
guessed. Each statement comes with the position of every one of its characters in the body
text, so the SQL front end can place the changes it makes exactly where they are written.

libpg_query reports a PL/pgSQL statement by its line in the body (``lineno``, 1 = the body's
first line) and its text; the text is looked for from that line on, after the statement before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pglast
from pglast import ast, parser
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

from sqlguard.model import Change, FunctionBody, FunctionCall


@dataclass(frozen=True, slots=True)
class Embedded:
    """One SQL statement a PL/pgSQL body runs: its text and, for each character (and one past the
    end), its offset in the body. ``dynamic``: it came from an ``EXECUTE``."""

    sql: str
    places: tuple[int, ...]
    dynamic: bool = False


def literal_value(raw: str) -> tuple[str, list[int]] | None:
    """The value of a SQL string literal token (``'it''s'``, ``$tag$...$tag$``) and, for each of its
    characters and one past its end, the offset in ``raw`` it was read from; None for a literal
    whose value takes more than quoting to read (``E'...'``, ``U&'...'``, ``B'...'``)."""
    if raw.startswith("$"):
        tag_end = raw.find("$", 1)
        if tag_end == -1:
            return None
        tag = raw[: tag_end + 1]
        if len(raw) < 2 * len(tag) or not raw.endswith(tag):
            return None
        start, end = len(tag), len(raw) - len(tag)
        return raw[start:end], list(range(start, end + 1))
    if len(raw) < 2 or raw[0] != "'" or raw[-1] != "'":
        return None
    chars: list[str] = []
    places: list[int] = []
    index = 1
    while index < len(raw) - 1:
        chars.append(raw[index])
        places.append(index)
        index += 2 if raw[index] == "'" else 1
    places.append(len(raw) - 1)
    return "".join(chars), places


def literal_at(text: str, at: int, value: str) -> str | None:
    """The string literal written at ``text[at:]`` whose value the parser read as ``value``
    (a body: its length is known from the value, so the body need not be scanned)."""
    if text.startswith("$", at):
        tag_end = text.find("$", at + 1)
        if tag_end == -1:
            return None
        tag = text[at : tag_end + 1]
        end = at + 2 * len(tag) + len(value)
    elif text.startswith("'", at):
        end = at + 2 + len(value) + value.count("'")
    else:
        return None
    return text[at:end]


def body_statements(definition: str) -> Iterator[tuple[int, str, bool | None]] | None:
    """``(line, text, dynamic)`` of each statement in the PL/pgSQL body of ``definition`` (a DO or
    CREATE FUNCTION statement), in the order written; None when the body does not parse.

    ``text`` is the statement as written for static SQL (``dynamic`` False), the EXECUTE
    expression for dynamic SQL (True), and ``SELECT ...`` for a PERFORM (None: libpg_query
    writes SELECT over the PERFORM keyword, so the text is not found as written)."""
    try:
        functions = json.loads(parser.parse_plpgsql_json(definition))
    except (parser.ParseError, ValueError):
        return None
    return _walk(functions)


def _walk(node: Any) -> Iterator[tuple[int, str, bool | None]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "PLpgSQL_stmt_execsql":
            query = ((value.get("sqlstmt") or {}).get("PLpgSQL_expr") or {}).get("query")
            if query:
                yield int(value.get("lineno", 1)), query, False
        elif key == "PLpgSQL_stmt_dynexecute":
            if not value.get("params"):  # USING $1...: the statement's values come at run time
                query = ((value.get("query") or {}).get("PLpgSQL_expr") or {}).get("query")
                if query:
                    yield int(value.get("lineno", 1)), query, True
        elif key == "PLpgSQL_stmt_perform":
            query = ((value.get("expr") or {}).get("PLpgSQL_expr") or {}).get("query")
            if query:
                yield int(value.get("lineno", 1)), query, None
        else:
            yield from _walk(value)


def embedded(body: str, definition: str) -> list[Embedded]:
    """The statements the PL/pgSQL ``body`` (the string inside ``definition``) runs, placed in it."""
    found = body_statements(definition)
    if found is None:
        return []
    line_starts = [0]
    line_starts.extend(index + 1 for index, char in enumerate(body) if char == "\n")
    result = []
    cursor = 0
    for line, text, dynamic in found:
        line_start = line_starts[min(max(line, 1), len(line_starts)) - 1]
        if dynamic is None:  # a PERFORM: only the functions it calls are read, placed on its line
            result.append(Embedded(text, (line_start,) * (len(text) + 1)))
            continue
        at = body.find(text, max(cursor, line_start))
        if at == -1:
            at = body.find(text, line_start)
        if at == -1:
            continue  # not where libpg_query says it is: better no finding than a wrong place
        cursor = at + len(text)
        if not dynamic:
            result.append(Embedded(text, tuple(range(at, at + len(text) + 1))))
            continue
        executed = _executed_sql(text)
        if executed is not None:
            sql, places = executed
            result.append(Embedded(sql, tuple(at + place for place in places), dynamic=True))
    return result


def _executed_sql(expression: str) -> tuple[str, list[int]] | None:
    """The SQL an ``EXECUTE expression`` runs, with each character's offset in ``expression``,
    when the expression is a literal or a ``format()`` of literals; None otherwise."""
    prefix = "SELECT "
    try:
        target = pglast.parse_sql(prefix + expression)[0].stmt
    except parser.ParseError:
        return None
    if not isinstance(target, ast.SelectStmt) or not target.targetList or len(target.targetList) != 1:
        return None
    value = target.targetList[0].val
    # pglast gives constants no location: the literals are matched to the string tokens in order.
    literals = _literal_tokens(prefix + expression, len(prefix))
    if isinstance(value, ast.A_Const) and isinstance(value.val, ast.String) and len(literals) == 1:
        at, raw = literals[0]
        read = literal_value(raw)
        if read is None:
            return None
        text, places = read
        return text, [at + place for place in places]
    if isinstance(value, ast.FuncCall) and _name(value.funcname) == "format" and value.args:
        strings = all(isinstance(arg, ast.A_Const) and isinstance(arg.val, ast.String) for arg in value.args)
        if not strings or len(literals) != len(value.args):
            return None
        parts = []
        for at, raw in literals:
            read = literal_value(raw)
            if read is None:
                return None
            parts.append((at, read))
        return _formatted(parts)
    return None


def _literal_tokens(text: str, skip: int) -> list[tuple[int, str]]:
    """The string literal tokens of ``text`` as ``(start - skip, raw text)``, in order."""
    try:
        tokens = parser.scan(text)
    except parser.ParseError:
        return []
    return [(token.start - skip, text[token.start : token.end + 1]) for token in tokens if token.name == "SCONST"]


def _name(items: Any) -> str:
    names = [item.sval for item in items or () if isinstance(item, ast.String)]
    return (names[-1] or "").lower() if names else ""


def _formatted(parts: list[tuple[int, tuple[str, list[int]]]]) -> tuple[str, list[int]] | None:
    """``format(template, args...)`` for ``%I``, ``%L``, ``%s`` and ``%%``; a substituted value's
    characters are placed on the ``%`` that asked for it. None for any other conversion."""
    (template_at, (template, template_places)), *args = parts
    out: list[str] = []
    places: list[int] = []
    next_arg = 0
    index = 0
    while index < len(template):
        char = template[index]
        here = template_at + template_places[index]
        if char != "%":
            out.append(char)
            places.append(here)
            index += 1
            continue
        kind = template[index + 1 : index + 2]
        if kind == "%":
            out.append("%")
            places.append(here)
        elif kind in ("I", "L", "s") and next_arg < len(args):
            value = args[next_arg][1][0]
            next_arg += 1
            if kind == "I":
                value = quote_ident(value)
            elif kind == "L":
                value = "'" + value.replace("'", "''") + "'"
            out.extend(value)
            places.extend([here] * len(value))
        else:
            return None  # positions, widths or a missing argument: not read statically
        index += 2
    places.append(template_at + template_places[len(template)])
    return "".join(out), places


_KEYWORDS = frozenset(RESERVED_KEYWORDS) | frozenset(TYPE_FUNC_NAME_KEYWORDS) | frozenset(COL_NAME_KEYWORDS)


def quote_ident(name: str) -> str:
    """PostgreSQL's ``quote_ident``: double quotes unless the name is a plain lower-case word."""
    plain = bool(name) and (name[0].islower() or name[0] == "_") and name.isascii()
    plain = plain and all(char.islower() or char.isdigit() or char in "_$" for char in name)
    if plain and name not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def expand_calls(changes: list[Change]) -> list[Change]:
    """``changes`` with each call of a PL/pgSQL function defined earlier in the list replaced by
    the changes its body makes, in the transaction state of the call; definitions and calls of
    other functions are dropped (no rule reads them)."""
    if not any(isinstance(change, FunctionBody | FunctionCall) for change in changes):
        return changes
    bodies: dict[str, FunctionBody] = {}
    result: list[Change] = []
    for change in changes:
        if isinstance(change, FunctionBody):
            bodies[change.name] = change
        elif isinstance(change, FunctionCall):
            for name in change.names:
                body = bodies.pop(name, None)  # a body's hazards are reported at its first call
                if body is None:
                    continue
                for inner in body.body:
                    result.append(_at_call(inner, change.in_transaction))
        else:
            result.append(change)
    return result


def _at_call(change: Change, in_transaction: bool) -> Change:
    if change.in_transaction == in_transaction:
        return change
    copy = object.__new__(type(change))
    copy.__dict__.update(change.__dict__)
    copy.__dict__["in_transaction"] = in_transaction
    return copy
