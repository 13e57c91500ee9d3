"""A PostgreSQL SQL file as a migration: its up changes, its down changes, and its way back.

Knows the migration layouts (``sqlguard.layouts``): a ``.down.sql`` file is all down; a dbmate
file has an up and a down section; an up file's down counterpart is looked for beside it.
"""

from __future__ import annotations

from pathlib import Path

from pglast import parser

from sqlguard import layouts
from sqlguard.frontends import sql
from sqlguard.model import DownFacts, Migration


def parse_sql_file(path: str, text: str, *, assume_in_transaction: bool = False) -> Migration:
    role = layouts.classify(Path(path), text)
    migration = Migration(path=path, text=text, kind="sql")
    if role is not None and role.layout == "dbmate":
        sections = layouts.dbmate_sections(text)
        up_start, up_end = sections.up
        _add(migration, text[up_start:up_end], up_start, _dbmate_wrapped(text, up_start), down=False)
        down_empty = True
        if sections.down is not None:
            down_start, down_end = sections.down
            down_empty = not has_statements(text[down_start:down_end])
            _add(migration, text[down_start:down_end], down_start, _dbmate_wrapped(text, down_start), down=True)
        migration.down = DownFacts(
            layout="dbmate",
            direction="both",
            missing=sections.down is None,
            empty=sections.down is not None and down_empty,
            anchor=sections.down_marker if sections.down_marker is not None else 0,
        )
        return migration
    is_down = role is not None and role.direction == "down"
    _add(migration, text, 0, assume_in_transaction, down=is_down)
    if role is None:
        return migration
    counterpart = role.counterpart
    missing = counterpart is None or not counterpart.is_file()
    empty = False
    if role.direction == "up" and not missing and counterpart is not None:
        try:
            empty = not has_statements(counterpart.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            empty = False
    migration.down = DownFacts(
        layout=role.layout,
        direction=role.direction,
        counterpart=str(counterpart) if counterpart is not None else None,
        missing=missing,
        empty=empty,
    )
    return migration


def _dbmate_wrapped(text: str, section_start: int) -> bool:
    """dbmate runs each section in a transaction unless its marker line says ``transaction:false``
    (``-- migrate:up transaction:false``); ``section_start`` is just after that marker line."""
    marker_start = text.rfind("\n", 0, max(section_start - 1, 0)) + 1
    marker = text[marker_start:section_start].lower().replace(" ", "")
    return "transaction:false" not in marker


def _add(migration: Migration, text: str, base: int, in_transaction: bool, *, down: bool) -> None:
    parsed = sql.parse(text, base=base, in_transaction=in_transaction)
    (migration.down_changes if down else migration.changes).extend(parsed.changes)
    migration.errors.extend(parsed.errors)


def has_statements(text: str) -> bool:
    """True if ``text`` holds any SQL token besides comments (its lexer decides, not a regex)."""
    try:
        return any(token.name not in ("SQL_COMMENT", "C_COMMENT") for token in parser.scan(text))
    except parser.ParseError:
        return bool(text.strip())
