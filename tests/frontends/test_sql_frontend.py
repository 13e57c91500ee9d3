"""The pglast front end: exact spans (characters, not bytes), statements past a syntax error,
psql meta-commands, dollar quoting and transaction tracking."""

from __future__ import annotations

from sqlguard.diagnostics import LineIndex
from sqlguard.frontends import sql
from sqlguard.model import AddColumn, CreateIndex, CreateObject, CreateTable, Transaction


def positions(text: str, parsed: sql.ParsedSql) -> list[tuple[str, int, int]]:
    lines = LineIndex(text)
    items = [(type(c).__name__, c.span.start) for c in parsed.changes] + [(e.rule, e.span.start) for e in parsed.errors]
    return [(name, lines.position(at).line, lines.position(at).column) for name, at in items]


def test_spans_count_characters_not_bytes() -> None:
    text = "SELECT 'héllo €';  CREATE INDEX i ON t (a);"
    parsed = sql.parse(text)
    index = parsed.changes[1]
    assert isinstance(index, CreateIndex)
    assert text[index.span.start : index.span.end] == "CREATE INDEX i ON t (a)"
    assert text[index.keyword_end : index.keyword_end + 3] == " i "


def test_leading_comments_are_skipped_and_base_shifts_spans() -> None:
    text = "/* note */ -- more\nCREATE TABLE t (a int);"
    parsed = sql.parse(text, base=100)
    assert parsed.changes[0].span.start == 100 + text.index("CREATE")


def test_every_broken_statement_is_reported_and_the_rest_parsed() -> None:
    text = "CREATE TABLE a (id int);\nCREAT TABLE b (id int);\nCREATE INDEX i ON a (id);\nSELEC 1;\n"
    parsed = sql.parse(text)
    assert positions(text, parsed) == [
        ("CreateTable", 1, 1),
        ("CreateIndex", 3, 1),
        ("E001", 2, 1),
        ("E001", 4, 1),
    ]


def test_unterminated_string_is_one_error_at_its_position() -> None:
    text = "CREATE TABLE a (id int);\nSELECT 'oops;\n"
    parsed = sql.parse(text)
    assert [e.message for e in parsed.errors] == ["unterminated quoted string at or near \"'oops;\n\""]
    assert LineIndex(text).position(parsed.errors[0].span.start).line == 2


def test_error_at_end_of_input_points_inside_the_text() -> None:
    text = "CREATE TABLE a (id int"
    parsed = sql.parse(text)
    assert parsed.errors and parsed.errors[0].span.start < len(text)


def test_psql_meta_commands_are_skipped() -> None:
    text = "\\set ON_ERROR_STOP on\nCREATE TABLE a (id int);\n\\connect other\nCREATE INDEX i ON a (id);\n"
    parsed = sql.parse(text)
    assert parsed.errors == []
    assert positions(text, parsed) == [("CreateTable", 2, 1), ("CreateIndex", 4, 1)]


def test_dollar_quoted_bodies_with_semicolons_are_one_statement() -> None:
    text = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;\nSELEC;\nCREATE TABLE t (a int);"
    parsed = sql.parse(text)
    assert [type(c).__name__ for c in parsed.changes] == ["CreateObject", "CreateTable"]
    assert isinstance(parsed.changes[0], CreateObject) and parsed.changes[0].name == "f"
    assert len(parsed.errors) == 1


def test_transactions_are_tracked() -> None:
    text = "CREATE INDEX a ON t (x);\nBEGIN;\nCREATE INDEX b ON t (x);\nCOMMIT;\nCREATE INDEX c ON t (x);"
    parsed = sql.parse(text)
    flags = [(type(c).__name__, c.in_transaction) for c in parsed.changes]
    assert flags == [
        ("CreateIndex", False),
        ("Transaction", False),
        ("CreateIndex", True),
        ("Transaction", True),
        ("CreateIndex", False),
    ]
    assert isinstance(parsed.changes[1], Transaction) and parsed.changes[1].kind == "begin"


def test_column_facts() -> None:
    text = (
        "CREATE TABLE s.t (id bigserial PRIMARY KEY, at timestamp(3) without time zone NOT NULL DEFAULT now(),\n"
        "  u int REFERENCES public.users (id));\nALTER TABLE t ADD COLUMN IF NOT EXISTS tags varchar(20)[] UNIQUE;"
    )
    parsed = sql.parse(text)
    table = parsed.changes[0]
    assert isinstance(table, CreateTable) and table.table == "s.t"
    ident, at, user = table.columns
    assert ident.type is not None and ident.type.is_serial and ident.primary_key and ident.not_null
    assert at.type is not None and (at.type.name, at.type.args) == ("timestamp", (3,))
    assert at.type.written == "timestamp(3) without time zone"
    assert at.has_default and at.default_sql == "now()" and at.not_null
    assert user.references is not None and user.references.ref_table == "users"
    added = parsed.changes[1]
    assert isinstance(added, AddColumn) and added.if_not_exists
    assert added.column.type is not None and added.column.type.written == "varchar(20)[]"
    assert added.column.type.array and added.column.unique
