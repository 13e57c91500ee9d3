"""SG004: building or dropping an index without CONCURRENTLY blocks writes (rules/SG004-non-concurrent-index.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import outside_transaction, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import CreateIndex, DropIndex, DropTable, Reindex, unqualified
from sqlguard.registry import rule


@rule("SG004", on=(CreateIndex, DropIndex, Reindex))
def non_concurrent_index(change: CreateIndex | DropIndex | Reindex, ctx: Context) -> Iterator[Diagnostic]:
    if change.concurrently or _only_new_objects(change, ctx) or _table_dropped_later(change, ctx):
        return
    if isinstance(change, Reindex) and change.target in ("SYSTEM",):
        return
    if isinstance(change, CreateIndex) and change.only:
        return  # ON ONLY a partitioned table: an empty, invalid index on the parent, built by nobody
    concurrent = None
    if change.keyword_end is not None and change.origin == "sql":
        concurrent = Fix("Add CONCURRENTLY", (Edit.insert(change.keyword_end, " CONCURRENTLY"),))
    help_sql = ctx.statement_with(change, concurrent) if concurrent is not None else None
    blocker = _blocker(change, ctx)
    # The fix is offered only where the fixed statement runs as it lands.
    fix = concurrent if blocker is None else None
    if blocker is not None and change.origin == "sql":
        alone = help_sql is None or (isinstance(change, DropIndex) and not change.block)
        help_sql = blocker if alone else f"{blocker}\n{help_sql}"
    if change.from_call and not isinstance(change, Reindex):
        help_sql = _alembic_help(change.statement)
    elif change.origin == "python":  # SQL inside op.execute("..."): show the call to write
        help_sql = _execute_help(change)
    if isinstance(change, CreateIndex):
        message = f'CREATE INDEX on "{change.table}" blocks writes to it until the index is built'
    elif isinstance(change, DropIndex):
        message = f'DROP INDEX {", ".join(change.names)} blocks reads and writes on its table until dropped'
    else:
        message = f"REINDEX {change.target} {change.name or ''} blocks writes while every index is rebuilt".replace(
            "  ", " "
        )
    yield ctx.diagnostic(change, message, help=help_sql, fix=fix)


def _blocker(change: CreateIndex | DropIndex | Reindex, ctx: Context) -> str | None:
    """Why CONCURRENTLY cannot simply be added where the statement is, as the first lines of the
    help (what to move where, with the statements to write); None when it can."""
    if isinstance(change, DropIndex) and (len(change.names) > 1 or change.cascade):
        exists = "IF EXISTS " if change.if_exists else ""
        drops = "\n".join(f"DROP INDEX CONCURRENTLY {exists}{qualified(name)};" for name in change.names)
        if change.cascade:
            return f"-- CONCURRENTLY cannot CASCADE: drop what depends on the index first, then:\n{drops}"
        return f"-- CONCURRENTLY drops one index per statement:\n{drops}"
    return outside_transaction(change, ctx)


def _table_dropped_later(change: CreateIndex | DropIndex | Reindex, ctx: Context) -> bool:
    """A DROP INDEX whose table the same part of the migration drops later (a down that drops
    the indexes, then the tables): that DROP TABLE takes the same lock anyway."""
    if not isinstance(change, DropIndex):
        return False
    tables = {change.table} if change.table else {ctx.schema.index_table(name) for name in change.names}
    if None in tables:
        return False
    wanted = {unqualified(t) for t in tables if t}
    part = ctx.migration.down_changes if ctx.in_down(change) else ctx.migration.changes
    later = part[next(i for i, other in enumerate(part) if other is change) + 1 :]
    dropped = {unqualified(t) for other in later if isinstance(other, DropTable) for t in other.tables}
    return wanted <= dropped


def _only_new_objects(change: CreateIndex | DropIndex | Reindex, ctx: Context) -> bool:
    """A table (or index) created in this same migration has no traffic to block yet."""
    if isinstance(change, CreateIndex):
        return ctx.created_here(change.table)
    if isinstance(change, DropIndex):
        return all(_index_is_new(name, ctx) for name in change.names)
    if change.name is None:
        return False
    if change.target == "TABLE":
        return ctx.created_here(change.name)
    if change.target == "INDEX":
        return _index_is_new(change.name, ctx)
    return False


def _index_is_new(name: str, ctx: Context) -> bool:
    table = ctx.schema.index_table(name)
    return ctx.schema.index_created_in(name, ctx.migration.path) or (table is not None and ctx.created_here(table))


def _alembic_help(call: str) -> str:
    """The op call with ``postgresql_concurrently=True``, inside the block that commits first."""
    body = call.rstrip()
    if body.endswith(")"):
        body = body[:-1].rstrip().rstrip(",")
        body += ", postgresql_concurrently=True)"
    indented = "\n    ".join(body.splitlines())
    return f"with op.get_context().autocommit_block():\n    {indented}"


def _execute_help(change: CreateIndex | DropIndex | Reindex) -> str:
    sql = change.statement
    if change.keyword_end is not None:  # the front end's token offset of INDEX (or REINDEX's target)
        at = change.keyword_end - change.statement_span.start
        sql = f"{sql[:at]} CONCURRENTLY{sql[at:]}"
    sql = sql.strip()
    quoted = f'"""{sql}"""' if "\n" in sql or '"' in sql else f'"{sql}"'
    return f"with op.get_context().autocommit_block():\n    op.execute({quoted})"
