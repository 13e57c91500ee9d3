"""SG063 (convention): a migration file name should say {verb}_{entity}_{details}
(rules/SG063-vague-migration-name.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Span
from sqlguard.model import Migration
from sqlguard.registry import rule

VERBS = frozenset(
    {
        "add",
        "create",
        "drop",
        "remove",
        "rename",
        "alter",
        "change",
        "backfill",
        "index",
        "make",
        "set",
        "enable",
        "disable",
        "extend",
        "split",
        "merge",
        "move",
        "convert",
        "delete",
        "insert",
        "seed",
        "populate",
        "allow",
        "widen",
        "narrow",
        "partition",
        "archive",
        "restore",
        "replace",
        "introduce",
        "unique",
        "revoke",
        "grant",
        "attach",
        "detach",
        "validate",
    }
)
# Version prefixes: 0001_, 20240101120000_, V3__, V3_1__, U3__, Alembic revision ids (hex).
_PREFIX = re.compile(r"^(?:[VUR]\d+(?:[._]\d+)*__|\d+[_-]+|[0-9a-f]{8,}[_-]+)", re.IGNORECASE)
_SUFFIXES = (".up.sql", ".down.sql", ".sql", ".pgsql", ".psql", ".py")


@rule("SG063", on=Migration)
def vague_migration_name(migration: Migration, ctx: Context) -> Iterator[Diagnostic]:
    path = PurePath(migration.path)
    name = path.name
    lowered = name.lower()
    if lowered.endswith(".down.sql") or lowered in ("down.sql", "__init__.py", "env.py"):
        return
    if lowered in ("up.sql", "migration.sql"):
        name = path.parent.name  # dir/up.sql and Prisma-style dir/migration.sql layouts
    stem = _strip(name)
    words = [word for word in re.split(r"[_\-\s.]+", stem.lower()) if word]
    if len(words) >= 2 and words[0] in VERBS:
        return
    yield ctx.diagnostic(
        Span(0, 0),
        f'migration name "{stem or name}" does not say what it changes: a reader of the history'
        " cannot find this migration without opening it",
        help="name it {verb}_{entity}_{details}, e.g. 0007_add_orders_shipped_at.sql",
    )


def _strip(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return _PREFIX.sub("", name, count=1)
