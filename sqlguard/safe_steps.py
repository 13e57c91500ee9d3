"""Multi-step safe SQL that several rules show in their ``help`` (one wording, one place).

These build text only; they know the PostgreSQL version facts the steps depend on.
"""

from __future__ import annotations

from sqlguard.advice import ident, qualified
from sqlguard.model import Change, TypeRef


def not_null_constraint_name(table: str, column: str) -> str:
    return f"{table.rsplit('.', 1)[-1]}_{column}_not_null"


def set_not_null_steps(table: str, column: str, target_version: int) -> str:
    """Make ``column`` NOT NULL without a long ACCESS EXCLUSIVE scan.

    From PostgreSQL 12, SET NOT NULL skips its scan when a validated CHECK (col IS NOT NULL)
    exists, and VALIDATE CONSTRAINT only takes SHARE UPDATE EXCLUSIVE (reads and writes go on).
    """
    name = ident(not_null_constraint_name(table, column))
    table, column = qualified(table), ident(column)
    steps = [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IS NOT NULL) NOT VALID;",
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};",
    ]
    if target_version >= 12:
        steps += [
            f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;",
            f"ALTER TABLE {table} DROP CONSTRAINT {name};",
        ]
    else:
        steps.append("-- before PostgreSQL 12 SET NOT NULL always scans: keep the CHECK instead")
    return "\n".join(steps)


def type_sql(type_ref: TypeRef | None, origin: str) -> str:
    """The type as SQL: as written in a SQL file; from its canonical name for Python
    (``sa.String(50)`` → ``varchar(50)``), so help stays valid SQL whatever the source."""
    if type_ref is None:
        return ""
    if origin == "sql" and type_ref.written:
        return type_ref.written
    args = f"({', '.join(str(arg) for arg in type_ref.args)})" if type_ref.args else ""
    return f"{type_ref.name}{args}{'[]' if type_ref.array else ''}"


def for_origin(help_sql: str, origin: str) -> str:
    """Help written as SQL lines, shown in the source's own language.

    For an Alembic revision each statement becomes ``op.execute("...")`` and each ``--``
    comment a ``#`` comment, so the help can be pasted into ``upgrade()`` as it is.
    """
    if origin != "python":
        return help_sql
    lines = []
    for line in help_sql.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            lines.append("# " + stripped[2:].strip())
            continue
        sql, _, comment = line.partition(";  -- ")
        sql = sql.rstrip().removesuffix(";")
        quote = '"""' if '"' in sql else '"'
        lines.append(f"op.execute({quote}{sql}{quote})" + (f"  # {comment}" if comment else ""))
    return "\n".join(lines)


def one_line(change: Change) -> str:
    """The change's statement on one line without its ``;`` (Python help wraps it in a string)."""
    return " ".join(change.statement.split()).removesuffix(";")
