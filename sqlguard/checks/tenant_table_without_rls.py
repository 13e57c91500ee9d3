"""SG061 (convention): a table with tenant_id but no row-level security lets one tenant's query
read another's rows (rules/SG061-tenant-table-without-rls.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddColumn, CreateTable
from sqlguard.registry import rule

TENANT_COLUMN = "tenant_id"


@rule("SG061", on=(CreateTable, AddColumn), lookahead=True)
def tenant_table_without_rls(change: CreateTable | AddColumn, ctx: Context) -> Iterator[Diagnostic]:
    for table, column in change.columns_declared():
        if column.name != TENANT_COLUMN or ctx.schema.has_row_level_security(table):
            continue
        yield ctx.diagnostic(
            column.span,
            f'"{table}" holds rows of many tenants but has no row-level security: one missing'
            f" WHERE {TENANT_COLUMN} = ... in application code leaks every tenant's rows",
            help=(
                f"ALTER TABLE {qualified(table)} ENABLE ROW LEVEL SECURITY;\n"
                f"CREATE POLICY {ident(table.rsplit('.', 1)[-1] + '_tenant_isolation')} ON {qualified(table)}\n"
                f"    USING ({TENANT_COLUMN} = current_setting('app.tenant_id')::bigint);"
            ),
        )
