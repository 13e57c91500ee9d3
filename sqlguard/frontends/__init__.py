"""Front ends: turn a file's text into a ``Migration`` of ordered changes.

``parse_file`` picks the front end from the file's kind: PostgreSQL SQL (pglast), Python
(libcst: Alembic ops and SQL strings), or another SQL dialect (sqlglot) when configured.
"""

from __future__ import annotations

from sqlguard.config import Config
from sqlguard.diagnostics import TOO_COMPLEX, Diagnostic, Span
from sqlguard.model import Migration

PYTHON_SUFFIXES = (".py",)


def parse_sql_file(path: str, text: str, *, assume_in_transaction: bool = False) -> Migration:
    """``sqlfile.parse_sql_file``, imported on first use: pglast costs ~40 ms to import, and a run
    served from the cache, or one over Python files only, never needs it."""
    from sqlguard.frontends.sqlfile import parse_sql_file as parse

    return parse(path, text, assume_in_transaction=assume_in_transaction)


def parse_file(path: str, text: str, config: Config) -> Migration:
    """The file's migration. Input nested too deeply for the default stack is parsed again with
    room to recurse (``deep``); deeper still, the migration holds one E003 saying so, never a
    crash and never an empty migration that would pass for a clean file."""
    from sqlguard.frontends.deep import call_deep, hit_recursion_limit

    try:
        return _parse_file(path, text, config)
    except Exception as error:
        if not hit_recursion_limit(error):
            raise
    try:
        return call_deep(_parse_file, path, text, config)
    except Exception as error:
        if not hit_recursion_limit(error):
            raise
    return too_complex(path, text, "nested too deeply for sqlguard's parsers")


def too_complex(path: str, text: str, reason: str) -> Migration:
    """A migration of nothing but an E003 note: ``reason``, and that nothing in it was checked."""
    python = path.lower().endswith(PYTHON_SUFFIXES)
    message = f"{reason}: nothing in this file was checked"
    note = Diagnostic(TOO_COMPLEX, Span(0, 0), message, name="too-complex")
    return Migration(path=path, text=text, kind="python" if python else "sql", errors=[note])


def _parse_file(path: str, text: str, config: Config) -> Migration:
    if path.lower().endswith(PYTHON_SUFFIXES):
        from sqlguard.frontends.alembic import parse_python  # libcst loads only when Python is linted

        return _with_calls(parse_python(path, text, config.dialect))
    if config.dialect != "postgres":
        from sqlguard.frontends.dialects import parse_dialect_file

        return parse_dialect_file(path, text, config.dialect, assume_in_transaction=config.assume_in_transaction)
    return _with_calls(parse_sql_file(path, text, assume_in_transaction=config.assume_in_transaction))


def _with_calls(migration: Migration) -> Migration:
    """The migration with the PL/pgSQL functions it defines and then calls run where called
    (``plpgsql.expand_calls``): a body can be defined in one ``op.execute`` and called in another."""
    from sqlguard.model import FunctionBody, FunctionCall

    for part in (migration.changes, migration.down_changes):
        if any(isinstance(change, FunctionBody | FunctionCall) for change in part):
            from sqlguard.frontends.plpgsql import expand_calls

            part[:] = expand_calls(part)
    return migration
