"""SG002: a foreign key without an index makes parent deletes scan the child table
(rules/SG002-unindexed-foreign-key.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, ident_list, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddColumn, AddConstraint, CreateTable, ForeignKey
from sqlguard.registry import rule

MAX_IDENTIFIER = 63


@rule("SG002", on=(CreateTable, AddColumn, AddConstraint), lookahead=True)
def unindexed_foreign_key(change: CreateTable | AddColumn | AddConstraint, ctx: Context) -> Iterator[Diagnostic]:
    for foreign_key in change.foreign_keys():
        if not foreign_key.columns or ctx.schema.has_index_leading_with(foreign_key.table, foreign_key.columns):
            continue
        columns = ", ".join(foreign_key.columns)
        message = (
            f'foreign key {foreign_key.table}({columns}) → {foreign_key.ref_table} has no index on '
            f"{foreign_key.table}({columns}): every delete or key update in {foreign_key.ref_table} "
            f"scans {foreign_key.table}"
        )
        yield ctx.diagnostic(foreign_key.span, message, help=_index_sql(foreign_key, ctx))


def _index_sql(foreign_key: ForeignKey, ctx: Context) -> str:
    table = foreign_key.table
    name = f"{table.split('.')[-1]}_{'_'.join(foreign_key.columns)}_idx"[:MAX_IDENTIFIER]
    # CONCURRENTLY is PostgreSQL's; SQLite (the other dialect this rule runs on) has no such clause.
    concurrently = "" if ctx.created_here(table) or ctx.migration.dialect != "postgres" else "CONCURRENTLY "
    if ctx.migration.kind == "python":
        names = ", ".join(f'"{c}"' for c in foreign_key.columns)
        schema, _, bare = table.rpartition(".")
        where = f'"{bare}", [{names}]' + (f', schema="{schema}"' if schema else "")
        if not concurrently:
            return f'op.create_index("{name}", {where})'
        return (
            "with op.get_context().autocommit_block():\n"
            f'    op.create_index("{name}", {where}, postgresql_concurrently=True)'
        )
    return f"CREATE INDEX {concurrently}{ident(name)} ON {qualified(table)} ({ident_list(foreign_key.columns)});"
