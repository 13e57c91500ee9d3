"""SG047: ALTER TYPE ... ADD VALUE without BEFORE or AFTER puts the value last, which decides how
it sorts and compares (rules/SG047-unpositioned-enum-value.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import AddEnumValue
from sqlguard.registry import rule


@rule("SG047", on=AddEnumValue)
def unpositioned_enum_value(change: AddEnumValue, ctx: Context) -> Iterator[Diagnostic]:
    if change.positioned:
        return
    value = change.value.replace("'", "''")
    guard = "IF NOT EXISTS " if change.if_not_exists else ""
    yield ctx.diagnostic(
        change,
        f"'{change.value}' is added last in enum \"{change.type_name}\": enum values sort and compare in their"
        " declared order, so ORDER BY, < and > on the column place it after every existing value",
        help=f"ALTER TYPE {qualified(change.type_name)} ADD VALUE {guard}'{value}' BEFORE '...';  -- or AFTER '...'",
    )
