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
    for table, column, type_ref in targets:
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
