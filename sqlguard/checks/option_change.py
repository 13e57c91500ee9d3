"""SG059: ALTER DATABASE / ROLE / SYSTEM / FUNCTION / VIEW / EXTENSION / SEQUENCE options, REPLICA
IDENTITY and NO INHERIT change behaviour for every client at once (rules/SG059-option-change.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import OptionChange
from sqlguard.registry import rule

# What changes for running clients, by object type (table: by option).
_EFFECT = {
    "database": "every new session on the database gets the new settings",
    "role": "every session of the role gets the new settings or attributes (a NOLOGIN role cannot connect)",
    "system": "the whole server gets the new settings once they are reloaded",
    "function": "every caller gets the new behaviour (SECURITY DEFINER, volatility, search_path, cost)",
    "procedure": "every caller gets the new behaviour",
    "view": "every query on the view gets the new behaviour (security_barrier, security_invoker, check_option)",
    "materialized view": "the view's storage or behaviour changes for every query",
    "extension": "its functions, types and operators change for every client",
    "sequence": "the values every client draws from it change (a RESTART can hand out numbers already used)",
    "replica identity": "logical replication and change-data-capture consumers get other old-row data",
    "no inherit": "queries on the parent table stop seeing the child's rows",
}


@rule("SG059", on=OptionChange)
def option_change(change: OptionChange, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback puts the old options back
    kind = change.object_type
    if kind in ("table", "view", "materialized view", "sequence") and change.name and ctx.created_here(change.name):
        return
    if kind in ("function", "procedure", "sequence") and ctx.object_created_here(kind, change.name):
        return
    effect = _EFFECT.get(change.options[0] if kind == "table" and change.options else kind, "behaviour changes")
    yield ctx.diagnostic(
        change,
        f"{_what(change)} alters behaviour for every running client at once: {effect}",
        help="-- review it with the application's and the database's owners, and ship it in its own migration",
    )


def _what(change: OptionChange) -> str:
    kind, name, options = change.object_type, change.name, ", ".join(change.options)
    if kind == "extension":
        return f'updating extension "{name}"'
    if kind == "system":
        return f"changing {options} of the whole server"
    if kind == "table":
        return (
            f'{options.upper()} on table "{name}"' if options == "no inherit" else f'changing the {options} of "{name}"'
        )
    return f'changing {options} of {kind} "{name}"'
