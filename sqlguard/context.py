"""What a check sees besides the change: the schema so far, the migration, the settings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlguard.diagnostics import Diagnostic, Fix, Severity, Span, apply_edits
from sqlguard.model import (
    AddConstraint,
    Change,
    CreateDomain,
    CreateIndex,
    CreateObject,
    CreateTable,
    CreateView,
    Migration,
    Transaction,
    unqualified,
)
from sqlguard.schema import SchemaState

T = TypeVar("T")


@dataclass(frozen=True)
class ChainFacts:
    """What a check may ask about the file's chain (``Context.chain``; None without context).

    ``first`` is the path of the chain's first migration. ``forward_only``: no migration of the
    chain has a way back (a down file or section) although its files follow a migration layout
    (up files, dbmate, one folder per migration as Prisma Migrate writes): the project works
    without downs, rather than one migration forgetting its down."""

    first: str
    forward_only: bool
    # The database the chain's folder says it runs on (``ChainKey.dialect``), None: the configured.
    dialect: str | None = None
    # Alembic chains: what is wrong with the revision graph, as (path, kind, detail, start, end)
    # (``frontends.revisions.graph_problems``); empty when the graph is sound or not all here.
    revision_problems: tuple[tuple[str, str, str, int, int], ...] = ()


@dataclass
class Context:
    """Shared facts for the checks of one migration.

    ``schema`` is the state just before the change being checked (for a ``lookahead`` rule, and
    for rules on the whole migration: after the change's phase); ``created_here`` asks whether a
    table is new in this migration, as of that point.
    """

    migration: Migration
    schema: SchemaState
    target_version: int = 16
    assume_in_transaction: bool = False
    chain: ChainFacts | None = None
    require_down: str = "chain"
    # The database the migration runs on: the chain's (a folder named mysql/sqlite, alembic.ini),
    # else the configured one. Rules with advice per database ask here, not ``migration.dialect``.
    dialect: str = "postgres"
    rule_id: str = ""
    # The change being checked (None for rules on the whole migration).
    change: Change | None = None
    options: dict[str, object] = field(default_factory=dict)
    _transactions: dict[int, int] | None = field(default=None, repr=False)
    _statement_sizes: Counter[Span] | None = field(default=None, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def created_here(self, table: str) -> bool:
        """The table is new in this migration: created before the change being checked, or by it."""
        change = self.change
        if isinstance(change, CreateTable) and unqualified(change.table) == unqualified(table):
            return True
        return self.schema.created_in(table, self.migration.path)

    def column_created_here(self, table: str, column: str) -> bool:
        """The column was added earlier in this migration: no running code knows it yet."""
        return self.schema.column_created_in(table, column, self.migration.path)

    def object_created_here(self, object_type: str, name: str, table: str | None = None) -> bool:
        """A view, function, type, sequence, constraint, trigger... of that name was created
        earlier in the same phase (up or down) of this migration, so no running code uses it yet.
        Names are matched in PostgreSQL's namespaces (a view and a sequence share one), and
        constraints, triggers, policies and rules within their table."""
        change = self.change
        if change is None:
            return False
        made = self.memo("objects-created", lambda: _objects_created(self.migration))
        key = _object_key(object_type, name, table)
        phase, index = made.get(("change", id(change)), (None, -1))
        first = made.get((phase, key))
        return first is not None and first < index

    def is_op_call(self, change: Change) -> bool:
        """True when the change is an Alembic ``op.*``/``batch_op.*`` call rather than SQL text
        (SQL inside ``op.execute`` keeps its SQL statement), so help can be written as Python."""
        head = change.statement.lstrip().split("(", 1)[0]
        return change.origin == "python" and "(" in change.statement and head.replace(".", "").isidentifier()

    def in_down(self, change: Change) -> bool:
        """True for a change of a down migration (a rollback is expected to drop what up made)."""
        return any(down is change for down in self.migration.down_changes)

    def diagnostic(
        self,
        at: Change | Span,
        message: str,
        *,
        help: str | None = None,
        fix: Fix | None = None,
        at_most: Severity | None = None,
    ) -> Diagnostic:
        """A finding of the rule being run. ``at_most`` caps its severity below the rule's (a
        finding the rule is less sure of); the configured severity applies otherwise."""
        span = at.span if isinstance(at, Change) else at
        if self.change is not None and self.change.block:
            fix = None  # an edit inside a DO block or function body does not make it safe to run
        return Diagnostic(self.rule_id, span, message, help=help, fix=fix, severity=at_most or Severity.ERROR)

    def statement_with(self, change: Change, fix: Fix) -> str:
        """The change's statement as it reads once ``fix`` is applied (for ``help``)."""
        base = change.statement_span.start
        local = [
            type(edit)(Span(edit.span.start - base, edit.span.end - base), edit.text)
            for edit in fix.edits
            if change.statement_span.start <= edit.span.start <= change.statement_span.end
        ]
        text = apply_edits(change.statement, local)
        return text if change.origin == "python" or text.endswith(";") else text + ";"

    def transaction_of(self, change: Change) -> int | None:
        """An id shared by the changes that run in one transaction, or None in autocommit.

        BEGIN, COMMIT and ROLLBACK start a new id; changes of the up and the down part are
        numbered separately. Two changes are in the same transaction when both ids are equal.
        """
        if not change.in_transaction:
            return None
        if self._transactions is None:
            self._transactions = {}
            number = 0
            for part in (self.migration.changes, self.migration.down_changes):
                number += 1
                for item in part:
                    if isinstance(item, Transaction) and item.kind in ("begin", "commit", "rollback"):
                        number += 1
                    self._transactions[id(item)] = number
        return self._transactions.get(id(change))

    def alone_in_statement(self, change: Change) -> bool:
        """True when ``change`` is the only change of its statement (an ALTER TABLE with one
        subcommand), so text can be added at the statement's end without touching another."""
        if self._statement_sizes is None:
            self._statement_sizes = Counter(
                other.statement_span for other in (*self.migration.changes, *self.migration.down_changes)
            )
        return self._statement_sizes[change.statement_span] <= 1

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a per-migration fact once (keyed by the caller), so a check that looks at the
        whole file for each change it sees stays linear."""
        if key not in self._memo:
            self._memo[key] = compute()
        result: T = self._memo[key]
        return result


# Object types that share one of PostgreSQL's name spaces (pg_class, pg_type, pg_proc).
_NAMESPACE = {
    "table": "relation",
    "view": "relation",
    "materialized view": "relation",
    "sequence": "relation",
    "index": "relation",
    "type": "type",
    "domain": "type",
    "function": "routine",
    "procedure": "routine",
    "routine": "routine",
    "aggregate": "routine",
}
# Objects whose names are unique per table.
_PER_TABLE = frozenset({"constraint", "trigger", "policy", "rule"})


def _object_key(object_type: str, name: str, table: str | None) -> tuple[str, str]:
    space = _NAMESPACE.get(object_type, object_type)
    if object_type in _PER_TABLE:
        return space, f"{unqualified(table or '')}.{name}"
    return space, unqualified(name)


def _objects_created(migration: Migration) -> dict[Any, Any]:
    """For each phase: where each object was first created, and where each change sits."""
    made: dict[Any, Any] = {}
    for phase, changes in (("up", migration.changes), ("down", migration.down_changes)):
        for index, change in enumerate(changes):
            made[("change", id(change))] = (phase, index)
            for key in _created_keys(change):
                made.setdefault((phase, key), index)
    return made


def _created_keys(change: Change) -> list[tuple[str, str]]:
    if isinstance(change, CreateObject):
        return [_object_key(change.object_type, change.name, change.table)]
    if isinstance(change, CreateView):
        return [_object_key("view", change.name, None)]
    if isinstance(change, CreateDomain):
        return [_object_key("domain", change.name, None)]
    if isinstance(change, CreateIndex) and change.name:
        return [_object_key("index", change.name, None)]
    if isinstance(change, CreateTable):
        named = [c.name for c in change.constraints if c.name]
        return [_object_key("table", change.table, None), *(_object_key("constraint", n, change.table) for n in named)]
    if isinstance(change, AddConstraint) and change.constraint.name:
        return [_object_key("constraint", change.constraint.name, change.table)]
    return []
