"""SG007: SQL built by pasting values into text is an injection hole (rules/SG007-sql-string-interpolation.md).

The Python front end finds the facts (``InterpolatedSql``): which call the text reaches, how it
was built, through which variable, and the same call with bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, LineIndex, Severity
from sqlguard.model import InterpolatedSql
from sqlguard.registry import rule


@rule("SG007", on=InterpolatedSql)
def sql_string_interpolation(change: InterpolatedSql, ctx: Context) -> Iterator[Diagnostic]:
    via = ""
    if change.variable is not None and change.built_at is not None:
        line = LineIndex(ctx.migration.text).position(change.built_at.start).line
        via = f' through "{change.variable}" (built on line {line})'
    if change.names_only:
        # A name (table, column) cannot be a bound parameter: the advice is to quote it as an
        # identifier or take it from a fixed list, and a name from the code is rarely hostile.
        message = (
            f"SQL built with {change.how} reaches {change.sink}(){via} with a name pasted in: "
            "a name with a quote or a space in it breaks or rewrites the statement"
        )
        yield ctx.diagnostic(change, message, help=change.parameterized, at_most=Severity.WARNING)
        return
    message = (
        f"SQL built with {change.how} reaches {change.sink}(){via}: "
        "a value with a quote in it can rewrite the statement (SQL injection)"
    )
    yield ctx.diagnostic(change, message, help=change.parameterized)
