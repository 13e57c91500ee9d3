"""SG006: a migration that cannot be rolled back (rules/SG006-irreversible-downgrade.md).

For SQL layouts the facts come from ``Migration.down`` (computed by the SQL file front end from
``sqlguard.layouts``): an up file without its down counterpart, or with an empty one.
For Alembic revisions they come from ``Migration.alembic`` (the Python front end): a missing,
empty or raising ``downgrade()``, or one that leaves behind what ``upgrade()`` created
(compared change by change, and only when both bodies could be read statically).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlguard.advice import ident, op_call, py_str, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Severity, Span
from sqlguard.model import (
    AddColumn,
    AddConstraint,
    AlembicFacts,
    Change,
    CreateIndex,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    InterpolatedSql,
    Migration,
    RenameColumn,
    RenameTable,
    unqualified,
)
from sqlguard.registry import rule


@rule("SG006", on=Migration)
def irreversible_downgrade(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    if migration.kind == "sql":
        yield from _sql_layout(migration, ctx)
    elif migration.alembic is not None:
        yield from _alembic(migration, migration.alembic, ctx)


def _sql_layout(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    facts = migration.down
    chain = ctx.chain
    forward_only = chain is not None and chain.forward_only and ctx.require_down == "chain"
    if forward_only and chain is not None and migration.path == chain.first and migration.changes:
        yield _forward_only_chain(migration, ctx)
        return
    if facts.layout is None or facts.layout == "flyway" or facts.direction == "down":
        return
    if not (facts.missing or facts.empty):
        return  # the usual case: a down exists with statements (nothing to build below)
    if facts.missing and (forward_only or ctx.require_down == "off"):
        return  # the chain has no down at all: said once, at its first migration
    if facts.layout == "dbmate":
        header = "-- migrate:down"
        if facts.missing:
            message = f"{Path(migration.path).name} has no '-- migrate:down' section: it cannot be rolled back"
        else:
            message = "the '-- migrate:down' section is empty: rolling back does nothing"
    else:
        expected = Path(facts.counterpart).name if facts.counterpart else "a down migration"
        name = Path(migration.path).name
        if facts.missing:
            message = f"{name} has no down migration ({expected} is missing): it cannot be rolled back"
        else:
            message = f"down migration {expected} is empty: rolling back does nothing"
        header = f"-- {expected}"
    undo = _undo_sql(migration.changes)
    yield ctx.diagnostic(
        _line_span(migration.text, facts.anchor), message, help=f"{header}\n{undo}" if undo else None
    )


def _forward_only_chain(migration: Migration, ctx: Context) -> Diagnostic:
    """One finding for a chain without any down migration (Prisma Migrate, up-only numbered files):
    the project cannot roll a release back through its migrations, whichever file is linted."""
    return ctx.diagnostic(
        _line_span(migration.text, 0),
        "no migration of this folder has a down migration: rolling a release back means restoring a"
        " backup or writing a new forward migration, under pressure",
        help=(
            "write a down beside each new migration (up.sql + down.sql, or N_name.up.sql + N_name.down.sql),\n"
            'or record that this project is forward-only: require-down = "off" in [tool.sqlguard]'
        ),
        at_most=Severity.WARNING,
    )


def _line_span(text: str, offset: int) -> Span:
    end = text.find("\n", offset)
    return Span(offset, len(text) if end == -1 else end)


def _undo_sql(changes: list[Change]) -> str:
    """A starting point for the down migration: the inverse of what the up creates, last first."""
    statements = []
    for change in reversed(changes):
        if isinstance(change, CreateTable):
            statements.append(f"DROP TABLE {qualified(change.table)};")
        elif isinstance(change, CreateIndex) and change.name:
            statements.append(f"DROP INDEX {qualified(change.name)};")
        elif isinstance(change, AddColumn):
            statements.append(f"ALTER TABLE {qualified(change.table)} DROP COLUMN {ident(change.column.name)};")
    return "\n".join(statements)


# -- Alembic -----------------------------------------------------------------------------------


def _alembic(migration: Migration, facts: AlembicFacts, ctx: Context) -> Iterator[Diagnostic]:
    name = f'revision "{facts.revision}"' if facts.revision else Path(migration.path).name
    upgrade_does_something = facts.up_opaque or any(not isinstance(c, InterpolatedSql) for c in migration.changes)
    if facts.downgrade == "missing":
        message = f"{name} has no downgrade(): `alembic downgrade` cannot step back past it"
    elif facts.downgrade == "raises":
        message = f"downgrade() of {name} raises: this revision cannot be rolled back"
    elif facts.downgrade == "empty":
        if not upgrade_does_something and facts.up_unread:
            yield ctx.diagnostic(
                facts.downgrade_span,
                f"upgrade() of {name} runs code sqlguard cannot read; downgrade() does nothing: rolling back"
                " leaves whatever it did (triggers, rewritten rows) in place",
                help=(
                    "def downgrade():\n"
                    "    ...  # undo what upgrade() did (drop the trigger, restore the rows)\n"
                    "# or, if it cannot be undone, say so where rollback will stop:\n"
                    "def downgrade():\n"
                    '    raise NotImplementedError("irreversible: <why>")'
                ),
                at_most=Severity.WARNING,
            )
            return
        if not upgrade_does_something:
            return
        message = f"downgrade() of {name} does nothing: rolling back leaves every change of upgrade() in place"
    else:
        if facts.down_opaque:
            return  # the downgrade calls helpers or runs SQL built at run time: comparing would be a guess
        left, lost, undo = _left_behind(migration.changes, migration.down_changes)
        if not (left or lost):
            return
        parts = []
        if left:
            parts.append(f"leaves behind {', '.join(left)} created by upgrade()")
        if lost:
            parts.append(f"does not restore {', '.join(lost)} that upgrade() removed")
        message = f"downgrade() of {name} " + " and ".join(parts)
        yield ctx.diagnostic(facts.downgrade_span, message, help="add to downgrade():\n" + "\n".join(undo))
        return
    undo = _left_behind(migration.changes, [])[2]
    help_text = "def downgrade():\n" + "\n".join(f"    {line}" for line in undo) if undo else None
    yield ctx.diagnostic(facts.downgrade_span, message, help=help_text)


def _left_behind(up: list[Change], down: list[Change]) -> tuple[list[str], list[str], list[str]]:
    """What upgrade() made that downgrade() does not remove, what it removed that is not put back,
    and the Alembic calls that would undo it (last change first)."""
    dropped_tables = {unqualified(t) for c in down if isinstance(c, DropTable) for t in c.tables}
    created_tables = {unqualified(c.table) for c in down if isinstance(c, CreateTable)}
    dropped_columns = {(unqualified(c.table), c.column) for c in down if isinstance(c, DropColumn)}
    added_columns = {(unqualified(c.table), c.column.name) for c in down if isinstance(c, AddColumn)}
    added_columns |= {
        (unqualified(t), col.name) for c in down if isinstance(c, CreateTable) for t, col in c.columns_declared()
    }
    dropped_indexes = {unqualified(n) for c in down if isinstance(c, DropIndex) for n in c.names}
    dropped_constraints = {c.name for c in down if isinstance(c, DropConstraint)}
    renames = {(unqualified(c.table), c.new_name) for c in down if isinstance(c, RenameTable)}
    column_renames = {(unqualified(c.table), c.column, c.new_name) for c in down if isinstance(c, RenameColumn)}

    def gone(table: str, columns: tuple[str | None, ...] = ()) -> bool:
        table = unqualified(table)
        return table in dropped_tables or any((table, c) in dropped_columns for c in columns if c)

    left: list[str] = []
    lost: list[str] = []
    undo: list[str] = []
    for change in reversed(up):
        if isinstance(change, CreateTable):
            if not gone(change.table):
                left.append(f'table "{change.table}"')
                undo.append(op_call("drop_table", change.table))
        elif isinstance(change, AddColumn):
            if not gone(change.table, (change.column.name,)):
                left.append(f'column "{change.table}.{change.column.name}"')
                undo.append(op_call("drop_column", change.table, py_str(change.column.name)))
        elif isinstance(change, CreateIndex) and change.name:
            if unqualified(change.name) not in dropped_indexes and not gone(change.table, change.columns):
                left.append(f'index "{change.name}"')
                undo.append(f'op.drop_index("{change.name}", table_name="{change.table}")')
        elif isinstance(change, AddConstraint) and change.constraint.name:
            constraint = change.constraint
            if constraint.name not in dropped_constraints and not gone(change.table, constraint.columns):
                left.append(f'constraint "{constraint.name}"')
                undo.append(f'op.drop_constraint("{constraint.name}", "{change.table}")')
        elif isinstance(change, DropColumn):
            key = (unqualified(change.table), change.column)
            if key not in added_columns:
                lost.append(f'column "{change.table}.{change.column}"')
                undo.append(op_call("add_column", change.table, f"sa.Column({py_str(change.column)}, ...)"))
        elif isinstance(change, DropTable):
            for table in change.tables:
                if unqualified(table) not in created_tables:
                    lost.append(f'table "{table}"')
                    undo.append(op_call("create_table", table, "..."))
        elif isinstance(change, RenameTable):
            if (unqualified(change.new_name), unqualified(change.table)) not in renames:
                lost.append(f'the name "{change.table}" (renamed to "{change.new_name}")')
                undo.append(f'op.rename_table("{change.new_name}", "{change.table}")')
        elif (
            isinstance(change, RenameColumn)
            and (unqualified(change.table), change.new_name, change.column) not in column_renames
        ):
            lost.append(f'the name "{change.table}.{change.column}" (renamed to "{change.new_name}")')
            undo.append(
                op_call("alter_column", change.table, py_str(change.new_name), new_column_name=py_str(change.column))
            )
    return left, lost, undo
