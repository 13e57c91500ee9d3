"""SG046: a foreign key column whose type differs from the column it references
(rules/SG046-mismatched-foreign-key-type.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AddColumn, AddConstraint, Column, CreateTable, ForeignKey, TypeRef
from sqlguard.registry import rule

# What each narrower type cannot hold of the wider one it points at.
_NARROWER = {
    ("integer", "bigint"): "2,147,483,647",
    ("smallint", "bigint"): "32,767",
    ("smallint", "integer"): "32,767",
}


@rule("SG046", on=(CreateTable, AddColumn, AddConstraint))
def mismatched_foreign_key_type(change: CreateTable | AddColumn | AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    declared = {column.name: column for _, column in change.columns_declared()}
    for foreign_key in change.foreign_keys():
        for local, remote in zip(foreign_key.columns, foreign_key.ref_columns, strict=False):
            column = declared.get(local)
            local_type = column.type.name if column is not None and column.type is not None else None
            local_type = local_type or ctx.schema.column_type(foreign_key.table, local)
            remote_type = ctx.schema.column_type(foreign_key.ref_table, remote)
            if local_type is None or remote_type is None or _pair(local_type, remote_type) not in _NARROWER:
                continue
            yield _finding(change, ctx, foreign_key, local, remote, local_type, remote_type, column)


def _pair(local: str, remote: str) -> tuple[str, str]:
    """The two types with serial names read as the integers they are.

    Only the integer family matters: PostgreSQL accepts a foreign key across integer widths
    (one operator family) and rejects most other mismatches outright when the migration runs.
    """
    aliases = {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}
    return aliases.get(local, local), aliases.get(remote, remote)


def _finding(
    change: CreateTable | AddColumn | AddConstraint,
    ctx: Context,
    foreign_key: ForeignKey,
    local: str,
    remote: str,
    local_type: str,
    remote_type: str,
    column: Column | None,
) -> Diagnostic:
    pair = _pair(local_type, remote_type)
    consequence = f"once {foreign_key.ref_table} ids pass {_NARROWER[pair]} new rows cannot reference them"
    type_ref: TypeRef | None = column.type if column is not None else None
    fix = None
    if type_ref is not None and change.origin == "sql" and not type_ref.array:
        fix = Fix(f"Use {pair[1]}", (Edit.replace(type_ref.span, pair[1]),), safe=ctx.created_here(foreign_key.table))
    return ctx.diagnostic(
        type_ref.span if type_ref is not None else foreign_key.span,
        f'"{foreign_key.table}"."{local}" is {local_type} but references "{foreign_key.ref_table}"."{remote}"'
        f" ({remote_type}): {consequence}",
        help=f"{local} {pair[1]}",
        fix=fix,
    )
