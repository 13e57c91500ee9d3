"""SG056: creating, dropping, disabling or altering a trigger, rule or row-level-security policy on
an existing table changes what every running client's reads and writes do
(rules/SG056-trigger-or-policy-change.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import BehaviourChange, Change, CreateObject, DropObject, EnableRowLevelSecurity
from sqlguard.registry import rule

_KINDS = frozenset({"trigger", "policy", "rule"})
# What each change does to running clients.
_EFFECT = {
    "create trigger": "every write to it now also runs the trigger's function",
    "drop trigger": "writes to it stop running the trigger's function (audit rows, derived columns, checks)",
    "disable trigger": "writes to it stop running the trigger's function",
    "enable trigger": "writes to it run the trigger again",
    "create rule": "queries on it are rewritten by the rule",
    "drop rule": "queries on it are no longer rewritten by the rule",
    "disable rule": "queries on it are no longer rewritten by the rule",
    "create policy": "the rows each role can see and write change",
    "drop policy": "the rows each role can see and write change: with row level security on, fewer (none if it"
    " was the last policy)",
    "alter policy": "the rows each role can see and write change",
    "enable row level security": "roles other than the owner see and write only the rows a policy allows"
    " (none without a policy)",
    "force row level security": "the owner too sees and writes only the rows a policy allows",
    "disable row level security": "every role with table privileges sees and writes every row",
    "no force row level security": "the owner sees and writes every row again",
}


# DISABLE TRIGGER ALL / USER, as the front end names them.
_SETS = {"ALL": "all triggers", "USER": "all user triggers"}


@rule("SG056", on=(CreateObject, DropObject, BehaviourChange, EnableRowLevelSecurity))
def trigger_or_policy_change(change: Change, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration
    found = _action(change)
    if found is None:
        return
    action, table, name = found
    if not table or ctx.created_here(table):
        return
    kind = action.split(" ", 1)[1]
    if action.startswith("drop") and ctx.object_created_here(kind, name or "", table):
        return
    what = _SETS.get(name or "", f'{kind} "{name}"') if name else kind
    effect = _EFFECT[action]
    if action == "disable trigger" and name == "ALL":
        effect = "writes to it stop running every trigger, including the system triggers that check its foreign keys"
    doing = "turning off forced row level security" if action.startswith("no force") else f"{_gerund(action)} {what}"
    yield ctx.diagnostic(
        change,
        f'{doing} on "{table}" changes what running clients get: {effect}',
        help=(
            ("# " if change.origin == "python" else "-- ")
            + "review it with the application's owners, and ship it in its own migration so that"
            " rolling it back is one step"
        ),
    )


def _action(change: Change) -> tuple[str, str | None, str | None] | None:
    """(action, table, name) for the changes this rule covers, None for others."""
    if isinstance(change, CreateObject | DropObject) and change.object_type in _KINDS:
        verb = "create" if isinstance(change, CreateObject) else "drop"
        name = change.name if isinstance(change, CreateObject) else ", ".join(change.names)
        return f"{verb} {change.object_type}", change.table, name
    if isinstance(change, BehaviourChange):
        return change.action, change.table, change.name
    if isinstance(change, EnableRowLevelSecurity):
        return ("force" if change.force else "enable") + " row level security", change.table, None
    return None


def _gerund(action: str) -> str:
    verb = action.split(" ", 1)[0]
    return {"create": "creating", "drop": "dropping", "disable": "disabling", "enable": "enabling"}.get(
        verb, verb.rstrip("e") + "ing"
    )
