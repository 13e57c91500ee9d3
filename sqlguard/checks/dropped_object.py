"""SG037: dropping a view, function, type, sequence, domain, extension, constraint, column default,
generation expression or identity breaks running clients that still use it
(rules/SG037-dropped-object.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, op_call, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import (
    AddConstraint,
    Change,
    ColumnGenerationChange,
    CreateObject,
    CreateTable,
    CreateView,
    DropConstraint,
    DropObject,
    SetDefault,
    unqualified,
)
from sqlguard.registry import rule

# Triggers, policies and rules are SG056's (opt-in): dropping one changes behaviour, not names.
_BEHAVIOUR = frozenset({"trigger", "policy", "rule"})
# Objects a migration redefines by dropping and re-creating them under the same name.
_REDEFINED = frozenset({"view", "materialized view", "function", "procedure"})
_ROUTINES = frozenset({"function", "procedure"})
# What clients lose, by object type.
_USERS = {
    "view": "queries {it}",
    "materialized view": "queries {it}",
    "function": "calls {it} (function bodies that call {it} are not tracked, so they fail only when run)",
    "procedure": "calls {it}",
    "routine": "calls {it}",
    "aggregate": "calls {it}",
    "type": "casts to {it} or passes {it} as a parameter",
    "domain": "casts to {it} or passes {it} as a parameter",
    "sequence": "calls nextval() or currval() on {it}",
    "extension": "uses {its} functions, types or operators",
}
_CASCADE = {
    "view": "every view that selects from it",
    "materialized view": "every view that selects from it",
    "function": "every trigger, column default and view that uses it",
    "type": "every column, function and view that uses it",
    "domain": "every column, function and view that uses it",
    "sequence": "every column default that draws from it",
    "extension": "every column, index and view that uses its types or functions",
}


@rule("SG037", on=(DropObject, DropConstraint, SetDefault, ColumnGenerationChange))
def dropped_object(change: Change, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    if isinstance(change, DropObject):
        yield from _dropped(change, ctx)
    elif isinstance(change, DropConstraint):
        yield from _dropped_constraint(change, ctx)
    elif isinstance(change, SetDefault):
        if change.drops and not _column_new(change.table, change.column, ctx):
            yield _dropped_default(change, ctx)
    elif isinstance(change, ColumnGenerationChange) and not _column_new(change.table, change.column, ctx):
        yield _dropped_feature(change, ctx)


def _dropped(change: DropObject, ctx: Context) -> Iterator[Diagnostic]:
    kind = change.object_type
    if kind in _BEHAVIOUR:
        return
    live = [name for name in change.names if not _created_here(kind, name, ctx)]
    if not change.cascade and kind in _REDEFINED:
        live = [name for name in live if not _recreated_later(change, kind, name, ctx)]
    if not live:
        return
    names = ", ".join(f'"{name}"' for name in live)
    it, its = ("it", "its") if len(live) == 1 else ("them", "their")
    plural = kind if len(live) == 1 else f"{kind}s"
    users = _USERS.get(kind, "uses {it}").format(it=it, its=its)
    cascade = ""
    if change.cascade:
        cascade = f" with CASCADE also drops {_CASCADE.get(kind, 'every object that depends on ' + it)}, and"
    first = live[0]
    replace = {
        "view": f"-- to change the view, keep its name: CREATE OR REPLACE VIEW {qualified(first)} AS ...;\n",
        "function": f"-- to change the function, keep its name: CREATE OR REPLACE FUNCTION {qualified(first)}(...);\n",
    }.get(kind, "")
    yield ctx.diagnostic(
        change,
        f"dropping {plural} {names}{cascade} breaks every running client that still {users}",
        help=(
            replace + f"-- first deploy code that no longer uses {first}; then, in a later migration:\n" + _sql(change)
        ),
    )


def _recreated_later(change: DropObject, kind: str, name: str, ctx: Context) -> bool:
    """The same name is created again later in this phase: DROP VIEW + CREATE VIEW is how a view
    whose columns change is redefined (CREATE OR REPLACE cannot drop columns), and clients that
    see the migration's end find the name again."""
    for other in _later(change, ctx):
        if kind in ("view", "materialized view"):
            made = (
                other.name if isinstance(other, CreateView) else other.table if isinstance(other, CreateTable) else None
            )
        else:
            made = other.name if isinstance(other, CreateObject) and other.object_type in _ROUTINES else None
        if made is not None and unqualified(made) == unqualified(name):
            return True
    return False


def _later(change: Change, ctx: Context) -> list[Change]:
    phase = ctx.migration.down_changes if ctx.in_down(change) else ctx.migration.changes
    return phase[next((i for i, item in enumerate(phase) if item is change), len(phase)) + 1 :]


def _created_here(kind: str, name: str, ctx: Context) -> bool:
    if kind == "materialized view" and ctx.created_here(name):
        return True  # CREATE MATERIALIZED VIEW is read as a table made here
    return ctx.object_created_here(kind, name)


def _dropped_constraint(change: DropConstraint, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.created_here(change.table) or ctx.object_created_here("constraint", change.name, change.table):
        return
    if _readded_later(change, ctx):
        return  # replaced by a constraint of the same name: the guarantee stays
    table, name = change.table, change.name
    yield ctx.diagnostic(
        change,
        f'dropping constraint "{name}" on "{table}" removes a guarantee running code relies on: rows that break it'
        " can be written from now on, and an INSERT ... ON CONFLICT that names it or its columns fails",
        help=(
            f"# first deploy code that no longer relies on {name}; then, in a later migration:\n"
            + _op_drop_constraint(name, table)
        )
        if ctx.is_op_call(change)
        else (
            f"-- first deploy code that no longer relies on {name}; to replace it, add the new constraint first\n"
            f"-- (NOT VALID, then VALIDATE CONSTRAINT), then in a later migration:\n"
            f"ALTER TABLE {qualified(table)} DROP CONSTRAINT {ident(name)};"
        ),
    )


def _readded_later(change: DropConstraint, ctx: Context) -> bool:
    """A constraint of the same name added on the same table later in the same phase."""
    return any(
        isinstance(other, AddConstraint)
        and other.constraint.name == change.name
        and unqualified(other.table) == unqualified(change.table)
        for other in _later(change, ctx)
    )


def _column_new(table: str, column: str, ctx: Context) -> bool:
    return ctx.created_here(table) or ctx.column_created_here(table, column)


def _dropped_default(change: SetDefault, ctx: Context) -> Diagnostic:
    table, column = change.table, change.column
    return ctx.diagnostic(
        change,
        f'dropping the default of "{table}"."{column}" makes every running client that omits {column}'
        " in an INSERT write NULL, or fail if the column is NOT NULL",
        help=(
            f"# first deploy code that always writes {column}; or set the new default instead:\n"
            + op_call("alter_column", table, py_str(column), server_default="sa.text('...')")
        )
        if ctx.is_op_call(change)
        else (
            f"-- first deploy code that always writes {column}; or set the new default instead of dropping it:\n"
            f"ALTER TABLE {qualified(table)} ALTER COLUMN {ident(column)} SET DEFAULT ...;"
        ),
    )


def _dropped_feature(change: ColumnGenerationChange, ctx: Context) -> Diagnostic:
    table, column = change.table, change.column
    where = f"ALTER TABLE {qualified(table)} ALTER COLUMN {ident(column)}"
    if change.feature == "always":
        return ctx.diagnostic(
            change,
            f'making "{table}"."{column}" GENERATED ALWAYS makes every running client that writes {column} itself'
            " fail (cannot insert a non-DEFAULT value)",
            help=f"-- BY DEFAULT numbers rows the same way and still accepts written values:\n{where}"
            " SET GENERATED BY DEFAULT;",
        )
    if change.feature == "identity":
        return ctx.diagnostic(
            change,
            f'dropping the identity of "{table}"."{column}" (and its sequence) makes every running client that'
            f" omits {column} in an INSERT fail on its NOT NULL, or write NULL once that is dropped too",
            help=(
                f"-- to let clients write {column} themselves while keeping the numbering:\n"
                f"{where} SET GENERATED BY DEFAULT;"
            ),
        )
    return ctx.diagnostic(
        change,
        f'dropping the generation expression of "{table}"."{column}" makes it a plain column: rows written from'
        " now on are not computed, so running code that reads it gets NULL or stale values",
        help=f"-- first deploy code that writes {column} itself; then, in a later migration:\n{where} DROP EXPRESSION;",
    )


def _op_drop_constraint(name: str, table: str) -> str:
    """``op.drop_constraint(name, table)``: the constraint's name comes first, the table second."""
    schema, _, bare = table.rpartition(".")
    return f"op.drop_constraint({py_str(name)}, {py_str(bare)}" + (f", schema={py_str(schema)})" if schema else ")")


def _sql(change: Change) -> str:
    return change.statement if change.statement.endswith(";") else change.statement + ";"
