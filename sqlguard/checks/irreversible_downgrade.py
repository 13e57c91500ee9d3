"""SG006: a migration that cannot be rolled back (rules/SG006-irreversible-downgrade.md).

For SQL layouts the facts come from ``Migration.down`` (computed by the SQL file front end from
``sqlguard.layouts``): an up file without its down counterpart, or with an empty one.
For Alembic revisions they come from ``Migration.alembic`` (the Python front end): a missing,
empty or raising ``downgrade()``, or one that leaves behind what ``upgrade()`` created
(compared change by change, and only when both bodies could be read statically).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
    if forward_only or ctx.require_down == "off":
        return  # the chain has no way back at all: said once, at its first migration (or accepted)
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


# Alembic's usual naming convention turns op.create_check_constraint("positive", "orders", ...)
# into "ck_orders_positive" (and so on): a downgrade dropping that name drops the constraint.
CONVENTION_PREFIXES = ("ck", "uq", "fk", "pk")


@dataclass
class _Made:
    """One object upgrade() leaves at its end, under its final names."""

    kind: str  # table | column | index | constraint
    table: str
    name: str
    columns: tuple[str, ...] = ()
    order: int = 0


def _left_behind(up: list[Change], down: list[Change]) -> tuple[list[str], list[str], list[str]]:
    """What upgrade() made that downgrade() does not remove, what it removed that is not put back,
    and the Alembic calls that would undo it (last change first).

    upgrade() is followed in order first: an index or table it makes and drops again (a temporary
    one) is not left, and one it renames is known by its new name."""
    made, lost_events = _made_by(up)
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

    def gone(table: str, columns: tuple[str, ...] = ()) -> bool:
        table = unqualified(table)
        return table in dropped_tables or any((table, c) in dropped_columns for c in columns)

    def constraint_dropped(name: str, table: str) -> bool:
        bare = unqualified(table).rsplit(".", 1)[-1]
        return name in dropped_constraints or any(
            f"{prefix}_{bare}_{name}" in dropped_constraints for prefix in CONVENTION_PREFIXES
        )

    entries: list[tuple[int, str | None, str | None, str]] = []  # order, left, lost, undo
    for item in made:
        if item.kind == "table" and not gone(item.table):
            entries.append((item.order, f'table "{item.table}"', None, op_call("drop_table", item.table)))
        elif item.kind == "column" and not gone(item.table, (item.name,)):
            undo = op_call("drop_column", item.table, py_str(item.name))
            entries.append((item.order, f'column "{item.table}.{item.name}"', None, undo))
        elif item.kind == "index" and not (unqualified(item.name) in dropped_indexes or gone(item.table, item.columns)):
            undo = f'op.drop_index("{item.name}", table_name="{item.table}")'
            entries.append((item.order, f'index "{item.name}"', None, undo))
        elif (
            item.kind == "constraint"
            and not constraint_dropped(item.name, item.table)
            and not gone(item.table, item.columns)
        ):
            undo = f'op.drop_constraint("{item.name}", "{item.table}")'
            entries.append((item.order, f'constraint "{item.name}"', None, undo))
    for order, change, tables in lost_events:
        if isinstance(change, DropColumn):
            if (unqualified(change.table), change.column) not in added_columns:
                undo = op_call("add_column", change.table, f"sa.Column({py_str(change.column)}, ...)")
                entries.append((order, None, f'column "{change.table}.{change.column}"', undo))
        elif isinstance(change, DropTable):
            for table in tables:
                if unqualified(table) not in created_tables:
                    entries.append((order, None, f'table "{table}"', op_call("create_table", table, "...")))
        elif isinstance(change, RenameTable):
            if (unqualified(change.new_name), unqualified(change.table)) not in renames:
                undo = f'op.rename_table("{change.new_name}", "{change.table}")'
                entries.append((order, None, f'the name "{change.table}" (renamed to "{change.new_name}")', undo))
        elif (
            isinstance(change, RenameColumn)
            and (unqualified(change.table), change.new_name, change.column) not in column_renames
        ):
            undo = op_call("alter_column", change.table, py_str(change.new_name), new_column_name=py_str(change.column))
            name = f'the name "{change.table}.{change.column}" (renamed to "{change.new_name}")'
            entries.append((order, None, name, undo))
    entries.sort(key=lambda entry: -entry[0])
    left = [entry[1] for entry in entries if entry[1] is not None]
    lost = [entry[2] for entry in entries if entry[2] is not None]
    return left, lost, [entry[3] for entry in entries]


def _made_by(up: list[Change]) -> tuple[list[_Made], list[tuple[int, Change, tuple[str, ...]]]]:
    """upgrade() followed in order: the objects it leaves (final names), and the changes that
    remove or rename what was there before it (with, for a DROP TABLE, which of its tables)."""
    made: list[_Made] = []
    lost: list[tuple[int, Change, tuple[str, ...]]] = []

    def find(kind: str, table: str, name: str | None = None) -> _Made | None:
        key = unqualified(table)
        return next(
            (m for m in made if m.kind == kind and unqualified(m.table) == key and (name is None or m.name == name)),
            None,
        )

    def covers(m: _Made, table: str, column: str) -> bool:
        """``m`` lives on ``table`` and goes when ``column`` goes (the table itself stays)."""
        if unqualified(m.table) != table or m.kind == "table":
            return False
        return m.name == column if m.kind == "column" else column in m.columns

    for order, change in enumerate(up):
        if isinstance(change, CreateTable):
            made.append(_Made("table", change.table, change.table, order=order))
        elif isinstance(change, AddColumn):
            if find("table", change.table) is None:  # a new table's drop takes its columns
                made.append(_Made("column", change.table, change.column.name, order=order))
        elif isinstance(change, CreateIndex) and change.name:
            columns = tuple(c for c in change.columns if c)
            made.append(_Made("index", change.table, change.name, columns, order))
        elif isinstance(change, AddConstraint) and change.constraint.name is not None:
            constraint = change.constraint
            columns = tuple(dict.fromkeys((*constraint.columns, *constraint.refers_to)))
            made.append(_Made("constraint", change.table, change.constraint.name, columns, order))
        elif isinstance(change, DropIndex):
            names = {unqualified(n) for n in change.names}
            made[:] = [m for m in made if not (m.kind == "index" and unqualified(m.name) in names)]
        elif isinstance(change, DropConstraint):
            made[:] = [m for m in made if not (m.kind == "constraint" and m.name == change.name
                                               and unqualified(m.table) == unqualified(change.table))]
        elif isinstance(change, DropColumn):
            table, column = unqualified(change.table), change.column
            if find("column", table, column) is None and find("table", table) is None:
                lost.append((order, change, ()))
            made[:] = [m for m in made if not covers(m, table, column)]
        elif isinstance(change, DropTable):
            keys = {unqualified(t) for t in change.tables}
            before = tuple(t for t in change.tables if find("table", t) is None)
            if before:
                lost.append((order, change, before))
            made[:] = [m for m in made if unqualified(m.table) not in keys]
        elif isinstance(change, RenameTable):
            if find("table", change.table) is None:
                lost.append((order, change, ()))
            key = unqualified(change.table)
            for m in made:
                if unqualified(m.table) == key:
                    m.table = change.new_name
                    if m.kind == "table":
                        m.name = change.new_name
        elif isinstance(change, RenameColumn):
            renamed = find("column", change.table, change.column)
            if renamed is not None:
                renamed.name = change.new_name
            elif find("table", change.table) is None:
                lost.append((order, change, ()))
            key = unqualified(change.table)
            for m in made:
                if unqualified(m.table) == key and m.kind in ("index", "constraint"):
                    m.columns = tuple(change.new_name if c == change.column else c for c in m.columns)
    return made, lost
