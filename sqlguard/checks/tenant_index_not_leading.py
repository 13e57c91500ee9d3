"""SG062 (convention): indexes and unique constraints on tenant tables should lead with tenant_id
(rules/SG062-tenant-index-not-leading.md)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlguard.advice import ident, ident_list, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Span
from sqlguard.model import AddConstraint, CreateIndex, CreateTable
from sqlguard.registry import rule

TENANT_COLUMN = "tenant_id"


@rule("SG062", on=(CreateIndex, CreateTable, AddConstraint))
def tenant_index_not_leading(change: CreateIndex | CreateTable | AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    table = change.table
    if ctx.schema.column_type(table, TENANT_COLUMN) is None and not _declares_tenant(change):
        return
    for span, kind, columns in _keys(change):
        if not columns or columns[0] == TENANT_COLUMN:
            continue
        written = ident_list(column for column in columns if column != TENANT_COLUMN)
        yield ctx.diagnostic(
            span,
            f'{kind} on tenant table "{table}" does not lead with {TENANT_COLUMN}: every tenant-scoped lookup'
            " scans other tenants' entries"
            + (", and uniqueness is enforced across tenants" if kind != "index" else ""),
            help=_safe_form(change, kind, f"{TENANT_COLUMN}, {written}"),
        )


def _declares_tenant(change: CreateIndex | CreateTable | AddConstraint) -> bool:
    return isinstance(change, CreateTable) and any(column.name == TENANT_COLUMN for column in change.columns)


def _keys(
    change: CreateIndex | CreateTable | AddConstraint,
) -> Iterator[tuple[Span, str, Sequence[str | None]]]:
    """(where, what, key columns) of every index or unique constraint the change builds."""
    if isinstance(change, CreateIndex):
        yield change.span, "unique index" if change.unique else "index", change.columns
    elif isinstance(change, AddConstraint):
        if change.constraint.kind == "unique":
            yield change.span, "unique constraint", change.constraint.columns
    else:
        for column in change.columns:
            if column.unique:
                yield column.span, "unique constraint", (column.name,)
        for constraint in change.constraints:
            if constraint.kind == "unique":
                yield constraint.span, "unique constraint", constraint.columns


def _safe_form(change: CreateIndex | CreateTable | AddConstraint, kind: str, columns: str) -> str:
    if isinstance(change, CreateIndex):
        unique = "UNIQUE " if change.unique else ""
        concurrently = "CONCURRENTLY " if change.concurrently else ""
        name = ident(change.name) if change.name else ""
        return f"CREATE {unique}INDEX {concurrently}{name} ON {qualified(change.table)} ({columns});".replace(
            "  ", " "
        )
    return f"UNIQUE ({columns})"
