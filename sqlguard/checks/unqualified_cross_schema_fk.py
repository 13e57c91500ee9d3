"""SG064 (convention): a foreign key from a table in one schema to a table named without its
schema resolves through search_path (rules/SG064-unqualified-cross-schema-fk.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddColumn, AddConstraint, CreateTable
from sqlguard.registry import rule


@rule("SG064", on=(CreateTable, AddColumn, AddConstraint))
def unqualified_cross_schema_fk(change: CreateTable | AddColumn | AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    if change.origin != "sql":
        return
    for fk in change.foreign_keys():
        if "." not in fk.table or "." in fk.ref_table or fk.ref_table in change.qualified_names:
            continue
        schema = fk.table.split(".", 1)[0]
        yield ctx.diagnostic(
            fk.span,
            f'foreign key from "{fk.table}" to "{fk.ref_table}" names no schema: it resolves through search_path,'
            f' so it can point at "{schema}.{fk.ref_table}" in one environment and "public.{fk.ref_table}" in another',
            help=f"REFERENCES public.{fk.ref_table}  -- or the schema you mean",
        )
