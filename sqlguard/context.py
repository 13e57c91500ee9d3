"""What a check sees besides the change: the schema so far, the migration, the settings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlguard.diagnostics import Diagnostic, Fix, Span, apply_edits
from sqlguard.model import Change, CreateTable, Migration, Transaction, unqualified
from sqlguard.schema import SchemaState

T = TypeVar("T")


@dataclass
class Context:
    """Shared facts for the checks of one migration.

    ``schema`` is the state after this migration's up changes (so an index created later in
    the same file counts); ``created_here`` asks whether a table is new in this migration.
    """

    migration: Migration
    schema: SchemaState
    target_version: int = 16
    assume_in_transaction: bool = False
    rule_id: str = ""
    options: dict[str, object] = field(default_factory=dict)
    _transactions: dict[int, int] | None = field(default=None, repr=False)
    _statement_sizes: Counter[Span] | None = field(default=None, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def created_here(self, table: str) -> bool:
        return self.schema.created_in(table, self.migration.path)

    def created_before(self, change: Change, table: str) -> bool:
        """``created_here``, or, for a change of the down part, a table that part re-created
        before it (a downgrade that restores a dropped table and then indexes it locks nobody)."""
        if self.created_here(table):
            return True
        if not self.in_down(change):
            return False
        wanted = unqualified(table)
        for other in self.migration.down_changes:
            if other is change:
                return False
            if isinstance(other, CreateTable) and unqualified(other.table) == wanted:
                return True
        return False

    def is_op_call(self, change: Change) -> bool:
        """True when the change is an Alembic ``op.*``/``batch_op.*`` call rather than SQL text
        (SQL inside ``op.execute`` keeps its SQL statement), so help can be written as Python."""
        head = change.statement.lstrip().split("(", 1)[0]
        return change.origin == "python" and "(" in change.statement and head.replace(".", "").isidentifier()

    def in_down(self, change: Change) -> bool:
        """True for a change of a down migration (a rollback is expected to drop what up made)."""
        return any(down is change for down in self.migration.down_changes)

    def diagnostic(
        self, at: Change | Span, message: str, *, help: str | None = None, fix: Fix | None = None
    ) -> Diagnostic:
        span = at.span if isinstance(at, Change) else at
        return Diagnostic(self.rule_id, span, message, help=help, fix=fix)

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
