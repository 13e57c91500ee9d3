"""SG065 (MySQL): an index build without ALGORITHM=INPLACE, LOCK=NONE may silently fall back to
copying the table or blocking writes (rules/SG065-mysql-blocking-index-build.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import MysqlIndexBuild
from sqlguard.registry import rule

ONLINE = {"ALGORITHM": "INPLACE", "LOCK": "NONE"}


@rule("SG065", on=MysqlIndexBuild)
def mysql_blocking_index_build(change: MysqlIndexBuild, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.created_before(change, change.table):
        return
    written = {"ALGORITHM": change.algorithm, "LOCK": change.lock}
    if all(written[key] == value for key, value in ONLINE.items()):
        return
    missing = [key for key, value in written.items() if value is None]
    blocking = {key: value for key, value in written.items() if value is not None and value != ONLINE[key]}
    if blocking:
        clause = ", ".join(f"{key}={value}" for key, value in blocking.items())
        message = f'index build on "{change.table}" with {clause} blocks writes (or copies the table) until done'
    else:
        message = (
            f'index build on "{change.table}" without {" and ".join(f"{k}={ONLINE[k]}" for k in missing)}:'
            " when MySQL cannot build it online it silently copies the table or blocks writes instead"
        )
    statement = change.statement.rstrip().rstrip(";")
    separator = ", " if statement.upper().startswith("ALTER") else " "
    added = "".join(separator + f"{key}={ONLINE[key]}" for key in missing)
    fixed = statement
    for key, value in blocking.items():
        fixed = fixed.replace(f"{key}={value}", f"{key}={ONLINE[key]}")
    help_sql = fixed + added + ";"
    fix = None
    if not blocking:
        fix = Fix("Ask for an online build", (Edit.insert(change.statement_span.start + len(statement), added),))
    yield ctx.diagnostic(
        change,
        message,
        help=help_sql + "  -- fails fast instead of locking if MySQL cannot build it online",
        fix=fix,
    )
