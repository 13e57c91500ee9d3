"""SG038: renaming (or moving to another schema) a view, function, type, enum value, sequence,
domain, schema, constraint or index breaks running clients that use the old name
(rules/SG038-renamed-object.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Severity
from sqlguard.model import Change, RenameObject, SetSchema, unqualified
from sqlguard.registry import rule

# Names no client writes: renaming these breaks nothing that runs.
_UNSEEN = frozenset({"trigger", "policy", "rule"})
# What running clients do with the old name, by object type.
_USERS = {
    "view": "queries it",
    "materialized view": "queries it",
    "table": "queries it",
    "function": "calls it (views keep working; function bodies that call it by name do not)",
    "procedure": "calls it",
    "routine": "calls it",
    "aggregate": "calls it",
    "type": "casts to it or passes it as a parameter",
    "domain": "casts to it or passes it as a parameter",
    "sequence": "calls nextval() or currval() on it (column defaults follow the rename)",
    "schema": "qualifies names with it or has it in search_path",
    "extension": "qualifies its functions with the old schema",
    "constraint": "names it (INSERT ... ON CONFLICT ON CONSTRAINT, error handling that matches the name)",
    "index": "names it (ON CONFLICT ON CONSTRAINT, when it backs a constraint, which the rename renames too)",
}


@rule("SG038", on=(RenameObject, SetSchema))
def renamed_object(change: Change, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback undoes the up migration; renaming back is its job
    if isinstance(change, RenameObject):
        yield from _renamed(change, ctx)
    elif isinstance(change, SetSchema) and not _new(change.object_type, change.name, None, ctx):
        yield _moved(change, ctx)


def _renamed(change: RenameObject, ctx: Context) -> Iterator[Diagnostic]:
    kind, old, new = change.object_type, change.name, change.new_name
    if kind in _UNSEEN or _new(kind, old, change.table, ctx):
        return
    if kind == "enum value":
        yield ctx.diagnostic(
            change,
            f"renaming value '{old}' of enum \"{change.table}\" to '{new}' makes every running client that still"
            f" writes '{old}' fail (invalid input value for enum), and its comparisons with '{old}' match nothing",
            help=(
                f"-- add the new value, deploy code that writes it, move the rows, and stop using '{old}':\n"
                f"ALTER TYPE {qualified(change.table or '')} ADD VALUE IF NOT EXISTS '{new}';"
            ),
        )
        return
    where = f' on "{change.table}"' if change.table else ""
    users = _USERS.get(kind, "uses it")
    yield ctx.diagnostic(
        change,
        f'renaming {kind} "{old}"{where} to "{new}" breaks every running client that still {users}',
        help=_rename_help(change),
        at_most=Severity.INFO if kind == "index" else None,
    )


def _rename_help(change: RenameObject) -> str:
    kind, old, new = change.object_type, change.name, change.new_name
    new_name = ident(unqualified(new).rsplit(".", 1)[-1])
    if kind in ("view", "materialized view"):
        keyword = "VIEW" if kind == "view" else "MATERIALIZED VIEW"
        schema = old.rsplit(".", 1)[0] + "." if "." in old else ""
        return (
            f"ALTER {keyword} {qualified(old)} RENAME TO {new_name};\n"
            f"CREATE VIEW {qualified(old)} AS SELECT * FROM {qualified(schema + new)};  -- the old name keeps working\n"
            f"-- then, in a later migration once no deployed code uses {old}:\n"
            f"DROP VIEW {qualified(old)};"
        )
    if kind in ("function", "procedure"):
        return (
            f"-- create {new} next to {old} (the same body), deploy code that calls {new},\n"
            f"-- then drop {old} in a later migration"
        )
    if kind == "constraint":
        return f"-- first deploy code that uses the name {new}; then, in a later migration:\n{_sql(change)}"
    return f"-- first deploy code that no longer uses the name {old}; then, in a later migration:\n{_sql(change)}"


def _moved(change: SetSchema, ctx: Context) -> Diagnostic:
    kind, name, schema = change.object_type, change.name, change.new_schema
    old = name if "." in name else f"public.{name}"
    return ctx.diagnostic(
        change,
        f'moving {kind} "{name}" to schema "{schema}" breaks every running client that still names it "{old}"'
        " or finds it through search_path",
        help=(
            f"-- first deploy code that names {ident(schema)}.{ident(unqualified(name).rsplit('.', 1)[-1])}"
            " (or has the schema in search_path); then, in a later migration:\n"
            f"{_sql(change)}"
        ),
    )


def _new(kind: str, name: str, table: str | None, ctx: Context) -> bool:
    """Made earlier in this migration: no running code knows the name yet."""
    if kind in ("table", "materialized view") and ctx.created_here(name):
        return True
    if kind == "constraint" and table is not None and ctx.created_here(table):
        return True
    if kind == "enum value":
        return ctx.object_created_here("type", table or "")
    if kind == "index" and ctx.schema.index_created_in(name, ctx.migration.path):
        return True
    return ctx.object_created_here(kind, name, table)


def _sql(change: Change) -> str:
    return change.statement if change.statement.endswith(";") else change.statement + ";"
