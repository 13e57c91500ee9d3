"""SG057: CREATE OR REPLACE VIEW / FUNCTION changes what every running client gets from a name
it already uses (rules/SG057-replaced-definition.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Change, CreateObject, CreateView
from sqlguard.registry import rule

_ROUTINES = frozenset({"function", "procedure"})


@rule("SG057", on=(CreateView, CreateObject))
def replaced_definition(change: Change, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback puts the old definition back
    if isinstance(change, CreateView) and change.or_replace:
        kind, name = "view", change.name
    elif isinstance(change, CreateObject) and change.or_replace and change.object_type in _ROUTINES:
        kind, name = change.object_type, change.name
    else:
        return
    if ctx.object_created_here(kind, name):
        return
    users = "queries" if kind == "view" else "calls"
    yield ctx.diagnostic(
        change,
        f'CREATE OR REPLACE {kind.upper()} "{name}" changes, at once, what every running client that {users} it'
        " gets; nothing fails, so a changed result goes unnoticed",
        help=(
            f"-- to change the behaviour step by step, create {name}_v2 next to it, move clients to it,"
            f" then drop {name} in a later migration"
        ),
    )
