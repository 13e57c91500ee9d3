"""SG017: adding a STORED generated column computes it for every row: the table is rewritten
(rules/SG017-stored-generated-column.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddColumn, SetGeneratedExpression, unqualified
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin, type_sql


@rule("SG017", on=(AddColumn, SetGeneratedExpression))
def stored_generated_column(change: AddColumn | SetGeneratedExpression, ctx: Context) -> Iterator[Diagnostic]:
    if isinstance(change, SetGeneratedExpression):
        yield from _set_expression(change, ctx)
        return
    column = change.column
    if not column.generated_stored or ctx.created_here(change.table):
        return
    message = (
        f'stored generated column "{column.name}" is computed for every existing row: '
        f'"{change.table}" is rewritten under an ACCESS EXCLUSIVE lock'
    )
    if ctx.target_version >= 18 and change.origin == "sql" and column.stored_span is not None:
        start = column.stored_span.start - change.statement_span.start
        end = column.stored_span.end - change.statement_span.start
        statement = change.statement[:start] + "VIRTUAL" + change.statement[end:]
        help_sql = (statement if statement.endswith(";") else statement + ";") + "  -- computed when read"
    else:
        column_type = f" {type_sql(column.type, change.origin)}" if column.type is not None else ""
        help_sql = "\n".join(
            [
                f"ALTER TABLE {qualified(change.table)} ADD COLUMN {ident(column.name)}{column_type};",
                f"-- fill {column.name} in batches; keep it current with a trigger or compute it in queries",
            ]
        )
    yield ctx.diagnostic(change, message, help=for_origin(help_sql, change.origin))


def _set_expression(change: SetGeneratedExpression, ctx: Context) -> Iterator[Diagnostic]:
    """SET EXPRESSION recomputes a STORED column for every row. Before PostgreSQL 18 every
    generated column is stored; from 18 only the ones sqlguard saw declared STORED are reported."""
    known_stored = (unqualified(change.table), change.column) in ctx.schema.stored_generated
    if ctx.created_here(change.table) or not (known_stored or ctx.target_version < 18):
        return
    yield ctx.diagnostic(
        change,
        f'SET EXPRESSION recomputes "{change.column}" for every row: "{change.table}" is rewritten under an '
        "ACCESS EXCLUSIVE lock",
        help=for_origin(
            "\n".join(
                [
                    f"ALTER TABLE {qualified(change.table)} ADD COLUMN {ident(change.column + '_new')} <type>;",
                    f"-- fill {change.column}_new in batches with the new expression, keep it current with a trigger,",
                    "-- then:",
                    f"ALTER TABLE {qualified(change.table)} DROP COLUMN {ident(change.column)};",
                    f"ALTER TABLE {qualified(change.table)} RENAME COLUMN {ident(change.column + '_new')} "
                    f"TO {ident(change.column)};",
                ]
            ),
            change.origin,
        ),
    )
