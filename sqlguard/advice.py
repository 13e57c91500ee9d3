"""Names in help and fix SQL, written so PostgreSQL reads them back as the same names.

Front ends hand checks identifiers as PostgreSQL knows them: ``"Account"`` arrives as
``Account``, ``orders`` as ``orders``. Pasted back into SQL unquoted, ``Account`` folds to
``account`` and names another (missing) table, so every name a check writes into SQL goes
through ``ident``: quoted exactly when PostgreSQL needs it (upper case or other characters
outside ``[a-z0-9_$]``, a leading digit or ``$``, or a reserved keyword), bare otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlguard.context import Context
from sqlguard.model import Change, Transaction

# Keywords that cannot be a bare table or column name (PostgreSQL's reserved keywords and the
# ones reserved except as a function or type name, Appendix C of its documentation).
_RESERVED_WORDS = (
    "all analyse analyze and any array as asc asymmetric authorization binary both case cast check "
    "collate collation column concurrently constraint create cross current_catalog current_date "
    "current_role current_schema current_time current_timestamp current_user default deferrable desc "
    "distinct do else end except false fetch for foreign freeze from full grant group having ilike in "
    "initially inner intersect into is isnull join lateral leading left like limit localtime "
    "localtimestamp natural not notnull null offset on only or order outer overlaps placing primary "
    "references returning right select session_user similar some symmetric system_user table "
    "tablesample then to trailing true union unique user using variadic verbose when where window "
    "with"
)
_RESERVED = frozenset(_RESERVED_WORDS.split())
_BARE_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz_")
_BARE_REST = _BARE_FIRST | frozenset("0123456789$")


def ident(name: str) -> str:
    """One identifier as SQL: ``orders`` → ``orders``, ``Account`` → ``"Account"``; a
    placeholder for the reader to fill in (``<constraint name>``) stays as it is."""
    if name.startswith("<") and name.endswith(">"):
        return name
    if name and name[0] in _BARE_FIRST and all(char in _BARE_REST for char in name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(name: str) -> str:
    """A possibly schema-qualified name (``app.Orders`` → ``app."Orders"``)."""
    return ".".join(ident(part) for part in name.split("."))


def ident_list(names: Iterable[str | None]) -> str:
    """A column list's inside: ``"userId", created_at`` (an expression column stays as written)."""
    return ", ".join(ident(name) if name is not None else "<expression>" for name in names)


def op_execute(sql: str) -> str:
    """``op.execute("...")`` for one SQL statement, in quotes that survive the SQL's own."""
    sql = sql.rstrip().removesuffix(";")
    if '"' not in sql:
        return f'op.execute("{sql}")'
    if "'" not in sql and "\n" not in sql:
        return f"op.execute('{sql}')"
    return f'op.execute("""{sql}""")'


def outside_transaction(change: Change, ctx: Context) -> str | None:
    """Where to move a statement that must run outside a transaction block (CONCURRENTLY), as
    a ``--`` comment line for the help; None when it already runs outside one."""
    if change.block:
        where = "a DO block" if change.block == "do" else "a function"
        return (
            f"-- CONCURRENTLY cannot run inside {where} (PostgreSQL refuses it there): take the statement out"
            " and run it on its own, outside any transaction"
        )
    if not change.in_transaction:
        return None
    if _opened_by_begin(change, ctx):
        return "-- CONCURRENTLY cannot run inside BEGIN ... COMMIT: move it after the COMMIT"
    if ctx.migration.down.layout == "dbmate" and not ctx.assume_in_transaction:
        section = "down" if ctx.in_down(change) else "up"
        return f"-- dbmate runs this section in a transaction: mark it '-- migrate:{section} transaction:false'"
    return "-- this file runs in a transaction: move it to a migration your tool runs without one"


def _opened_by_begin(change: Change, ctx: Context) -> bool:
    """True when an explicit BEGIN (not the tool's wrapping) opened the transaction of ``change``:
    the last BEGIN, COMMIT or ROLLBACK before it is a BEGIN."""
    part = ctx.migration.down_changes if ctx.in_down(change) else ctx.migration.changes
    last = None
    for other in part:
        if other is change:
            break
        if isinstance(other, Transaction) and other.kind in ("begin", "commit", "rollback"):
            last = other.kind
    return last == "begin"


def py_str(text: str) -> str:
    """A Python string literal for ``text`` (double quotes, as Alembic's own templates write)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def op_call(method: str, table: str, *arguments: str, **keywords: str) -> str:
    """An Alembic ``op.<method>(...)`` call on ``table``: ops take the bare name and ``schema=``,
    never a qualified name. ``arguments`` and ``keywords`` are Python source, as written."""
    schema, _, bare = table.rpartition(".")
    parts = [py_str(bare), *arguments, *(f"{name}={value}" for name, value in keywords.items())]
    if schema:
        parts.append(f"schema={py_str(schema)}")
    return f"op.{method}({', '.join(parts)})"
