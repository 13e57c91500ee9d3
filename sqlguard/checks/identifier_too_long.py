"""SG044: PostgreSQL silently cuts identifiers to 63 bytes (rules/SG044-identifier-too-long.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import LongIdentifier
from sqlguard.registry import rule


@rule("SG044", on=LongIdentifier)
def identifier_too_long(change: LongIdentifier, ctx: Context) -> Iterator[Diagnostic]:
    size = len(change.name.encode("utf-8"))
    yield ctx.diagnostic(
        change,
        f"identifier is {size} bytes: PostgreSQL silently truncates it to 63, so the object is named"
        f' "{change.truncated}" and two long names that share those 63 bytes collide',
        help=f"a name of at most 63 bytes, e.g. {change.truncated[:55].rstrip('_')}",
    )
