"""SG003: timestamp without time zone silently shifts instants (rules/SG003-naive-timestamp.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddColumn, AlterColumnType, CreateTable, TypeRef
from sqlguard.registry import rule


@rule("SG003", on=(CreateTable, AddColumn, AlterColumnType))
def naive_timestamp(change: CreateTable | AddColumn | AlterColumnType, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a downgrade restores the types the schema had: the choice was made before
    if isinstance(change, AlterColumnType):
        targets = [(change.table, change.column, change.type)]
    else:
        targets = [(table, column.name, column.type) for table, column in change.columns_declared() if column.type]
    if ctx.dialect == "sqlite":
        yield from _sqlite(change, ctx)
        return
    for table, column, type_ref in targets:
        if ctx.dialect == "mysql":
            if _mysql_datetime(type_ref, change):
                yield _mysql(change, table, column, type_ref, ctx)
            continue
        if type_ref.name != "timestamp":
            continue
        message = (
            f'column "{column}" of "{table}" is timestamp without time zone: '
            "values are stored without their offset and shift when the session time zone differs"
        )
        fix = _fix(type_ref, change)
        help_text = ctx.statement_with(change, fix) if fix is not None else _python_help(type_ref)
        if change.from_call:
            help_text = _python_help(type_ref)
            fix = _python_fix(type_ref, change)
        elif change.origin == "python":
            fix = None  # SQL inside a Python string: the help shows it, the edit is left to the author
        yield ctx.diagnostic(type_ref.span, message, help=help_text, fix=fix)


def _fix(type_ref: TypeRef, change: CreateTable | AddColumn | AlterColumnType) -> Fix | None:
    if change.from_call:
        return None
    replacement = "timestamptz" + (f"({type_ref.args[0]})" if type_ref.args else "") + ("[]" if type_ref.array else "")
    # A new column holds no data yet, so changing its declared type changes nothing stored.
    safe = not isinstance(change, AlterColumnType)
    return Fix("Use timestamptz", (Edit.replace(type_ref.span, replacement),), safe=safe)


def _python_fix(type_ref: TypeRef, change: CreateTable | AddColumn | AlterColumnType) -> Fix | None:
    """``sa.DateTime()`` → ``sa.DateTime(timezone=True)``, keeping other arguments; None if unsure."""
    if type_ref.py_callee is None:  # the Alembic front end read no plain ``name`` / ``name(...)`` here
        return None
    replacement = f"{type_ref.py_callee}({', '.join([*type_ref.py_args, 'timezone=True'])})"
    safe = not isinstance(change, AlterColumnType)  # a new column holds no data yet
    return Fix("Use timezone=True", (Edit.replace(type_ref.span, replacement),), safe=safe)


def _python_help(type_ref: TypeRef) -> str:
    return "sa.DateTime(timezone=True)" if "DateTime" in type_ref.written else "sa.TIMESTAMP(timezone=True)"


MYSQL_TIMESTAMP_NOTE = (
    "TIMESTAMP is stored as UTC and read back in the session time_zone, but ends at 2038-01-19 03:14:07 UTC"
)
MYSQL_UTC_NOTE = (
    "or keep DATETIME and always write UTC into it (UTC_TIMESTAMP(), time_zone = '+00:00' on every connection)"
)


def _mysql(
    change: CreateTable | AddColumn | AlterColumnType, table: str, column: str, type_ref: TypeRef, ctx: Context
) -> Diagnostic:
    """MySQL's DATETIME keeps the wall-clock value it is given, with no zone; TIMESTAMP converts
    to UTC on the way in and back on the way out, within 1970-2038. Neither is always right, so
    the help shows both ways and no fix is applied."""
    message = (
        f'column "{column}" of "{table}" is DATETIME: it keeps the wall-clock value it is given, with no time zone, '
        "so values written from sessions or servers in other zones cannot be compared"
    )
    if change.from_call:
        help_text = (
            "sa.TIMESTAMP()  # MySQL: stored as UTC, read back in the session time_zone; ends in 2038\n"
            "# or keep sa.DateTime() and always write UTC: timezone=True still makes a DATETIME on MySQL"
        )
        return ctx.diagnostic(type_ref.span, message, help=help_text)
    replacement = "TIMESTAMP" + (f"({type_ref.args[0]})" if type_ref.args else "")
    swapped = ctx.statement_with(change, Fix("Use TIMESTAMP", (Edit.replace(type_ref.span, replacement),)))
    help_text = f"{swapped}  -- {MYSQL_TIMESTAMP_NOTE}\n-- {MYSQL_UTC_NOTE}"
    return ctx.diagnostic(type_ref.span, message, help=help_text)


def _mysql_datetime(type_ref: TypeRef, change: CreateTable | AddColumn | AlterColumnType) -> bool:
    """A column MySQL creates as DATETIME: written so in SQL; in Alembic, ``sa.DateTime()`` with or
    without ``timezone=True`` (SQLAlchemy makes a DATETIME either way), not ``sa.TIMESTAMP()``."""
    if not change.from_call:
        return type_ref.name == "timestamp"
    return type_ref.name in ("timestamp", "timestamptz") and "TIMESTAMP" not in type_ref.written.upper()


def _sqlite(change: CreateTable | AddColumn | AlterColumnType, ctx: Context) -> Iterator[Diagnostic]:
    """SQLite has no date type: a column holds whatever text or number is written, and its date
    functions work in UTC. Only a default that asks for local time (``'localtime'``) stores
    readings without their offset, so only that is reported; SQL in Python strings included."""
    if isinstance(change, AlterColumnType) or change.from_call:
        return
    for table, column in change.columns_declared():
        if "localtime" not in column.default_calls:
            continue
        message = (
            f'column "{column.name}" of "{table}" defaults to local time (\'localtime\'): the text keeps no offset, '
            "so rows written under another server time zone or across a DST change cannot be compared"
        )
        help_text = (
            f"{column.name} TEXT DEFAULT CURRENT_TIMESTAMP"
            f"  -- UTC; show local time with datetime({column.name}, 'localtime')"
        )
        yield ctx.diagnostic(column.span, message, help=help_text)
