"""SG034: DROP SCHEMA / DROP DATABASE in a migration removes everything in it
(rules/SG034-dropped-schema-or-database.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import DropDatabase, DropSchema
from sqlguard.registry import rule


@rule("SG034", on=(DropSchema, DropDatabase))
def dropped_schema_or_database(change: DropSchema | DropDatabase, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; dropping what it made is its job
    if isinstance(change, DropDatabase):
        yield ctx.diagnostic(
            change,
            f'DROP DATABASE "{change.name}" deletes every table in it and cuts off every client connected to it',
            help=(
                "-- a migration should not drop a database: do it by hand, after a backup, "
                "once no application connects to it:\n"
                f"-- pg_dump {change.name} > {change.name}.sql && dropdb {change.name}"
            ),
        )
        return
    names = ", ".join(f'"{name}"' for name in change.names)
    what = "every object in it" if change.cascade else "it (and fails if it still holds objects)"
    first = change.names[0] if change.names else "schema"
    yield ctx.diagnostic(
        change,
        f"DROP SCHEMA {names} deletes {what}; every running client that uses it breaks",
        help=(
            f"-- first deploy code that no longer uses {first}; rename it aside for a release:\n"
            f"ALTER SCHEMA {ident(first)} RENAME TO {ident(first + '_deprecated')};\n"
            "-- then drop it in a later migration:\n"
            f"DROP SCHEMA {ident(first + '_deprecated')};"
        ),
    )
