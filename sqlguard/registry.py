"""The rule registry: ``@rule("SG004", on=CreateIndex)`` registers a check at import time.

A check is a function ``(change, ctx) -> Iterator[Diagnostic]`` subscribed to change types; the
engine builds ``type -> [checks]`` once and does the walking, so a check never walks a tree.
Metadata (name, category, severity, fix promise) lives on the rule's page in ``rules/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlguard.diagnostics import Diagnostic

CheckFunction = Callable[[Any, Any], Iterator[Diagnostic]]


@dataclass(frozen=True)
class RegisteredCheck:
    """One check: its id, its name (from the function name) and what it subscribes to."""

    id: str
    name: str
    on: tuple[type, ...]
    check: CheckFunction
    module: str
    # Runs once its change's whole phase (the up or the down part of the migration) is applied, so
    # the schema includes the migration's later statements: an index created after the foreign
    # key it covers still counts. Other checks see the schema just before their change.
    lookahead: bool = False


CHECKS: dict[str, RegisteredCheck] = {}


def rule(
    rule_id: str, *, on: type | tuple[type, ...], lookahead: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check for ``rule_id``; its name becomes the rule's name.
    ``lookahead``: see ``RegisteredCheck``."""

    def register(function: CheckFunction) -> CheckFunction:
        if rule_id in CHECKS:
            raise RuntimeError(f"rule id {rule_id} registered twice ({CHECKS[rule_id].module}, {function.__module__})")
        subscribed = on if isinstance(on, tuple) else (on,)
        CHECKS[rule_id] = RegisteredCheck(
            id=rule_id,
            name=function.__name__.replace("_", "-"),
            on=subscribed,
            check=function,
            module=function.__module__,
            lookahead=lookahead,
        )
        return function

    return register


def load_checks() -> dict[str, RegisteredCheck]:
    """Import every module of ``sqlguard.checks`` (once) and return the registry."""
    import sqlguard.checks  # noqa: F401  (importing the package imports and registers every check)

    return CHECKS
