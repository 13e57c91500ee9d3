"""Migrations marked as deliberately irreversible: applied up, never stepped down.

Three ways to say so, each with a reason people can read in the report:
- SQL: a comment ``-- sqlguard: irreversible <reason>`` in the up or the down file (comments are
  found with PostgreSQL's scanner, so the words inside a string literal do not count);
- Alembic: a ``downgrade()`` whose body (after its docstring) starts by raising;
- configuration: ``verify-irreversible = ["0036_drop_legacy", ...]`` under ``[tool.sqlguard]``.
"""

from __future__ import annotations

import ast

MARKER = "sqlguard: irreversible"


def sql_reason(text: str) -> str | None:
    """The reason given by an irreversible marker comment in ``text``, or None (no marker)."""
    if MARKER not in text:
        return None
    from pglast import parser

    try:
        tokens = parser.scan(text)
    except parser.ParseError:
        return None
    for token in tokens:
        if token.name not in ("SQL_COMMENT", "C_COMMENT"):
            continue
        comment = text[token.start : token.end + 1]  # pglast's offsets count characters
        body = comment.removeprefix("--").removeprefix("/*").removesuffix("*/").strip()
        if body.startswith(MARKER):
            return body[len(MARKER) :].strip() or "marked irreversible"
    return None


def python_reason(source: str) -> str | None:
    """Why an Alembic revision's ``downgrade()`` refuses to run, if it starts by raising."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name != "downgrade":
            continue
        body = list(node.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        if not body or not isinstance(body[0], ast.Raise):
            return None
        exc = body[0].exc
        if isinstance(exc, ast.Call):
            if exc.args and isinstance(exc.args[0], ast.Constant) and isinstance(exc.args[0].value, str):
                return exc.args[0].value
            exc = exc.func
        return f"downgrade() raises {ast.unparse(exc)}" if exc is not None else "downgrade() raises"
    return None
