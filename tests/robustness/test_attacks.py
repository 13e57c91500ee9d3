"""Generated attacks: the shapes an adversary (or a code generator) puts in a migration, each
with the outcome it must get, not only "no exception".

Long operator chains and deep nesting in SQL and Python, lone surrogates, NUL bytes anywhere,
byte-order marks and odd config values. Each property names what the linter must report: the
finding the file holds (an SG004 on the statement after the hostile one, at its exact
position), or the note that says why the file could not be read (E001, E002, E003), never an
empty report for a file that has something in it. In-process: Python nesting is kept within
what CPython parses (deeper files go through the CLI in a subprocess in test_hostile_input.py).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlguard.config import Config, ConfigError, parse_settings
from sqlguard.diagnostics import FileReport
from sqlguard.engine import Linter, known_rules, selectors
from sqlguard.reading import decode_source

ATTACK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
INDEX = "CREATE INDEX i ON t (a);\n"
LINTER = Linter(Config(select=frozenset({"SG004"})))


def found(report: FileReport) -> list[tuple[str, int, int]]:
    return [(d.rule, *report.lines.position(d.span.start).__dict__.values()) for d in report.diagnostics]


operators = st.sampled_from([" || ", " + ", " AND ", " OR ", " * ", ", "])
terms = st.sampled_from(["'a'", "1", "x", "(1)", "NULL", "$1", "E'\\n'"])


@ATTACK
@given(operator=operators, term=terms, count=st.integers(1, 3000))
def test_long_sql_operator_chain_keeps_the_next_statement_checked(operator: str, term: str, count: int) -> None:
    head = "SELECT " + operator.join([term] * count) + ";\n"
    report = LINTER.lint_text("chain.sql", head + INDEX)
    assert found(report)[-1] == ("SG004", 2, 1)
    assert all(rule in {"SG004", "E001"} for rule, _, _ in found(report))  # a bad mix is E001 on line 1


nesting = st.sampled_from([("ARRAY[", "]"), ("(", ")"), ("(SELECT ", ")"), ("ROW(", ")"), ("abs(", ")")])


@ATTACK
@given(shape=nesting, depth=st.integers(1, 2000))
def test_deep_sql_nesting_is_read_or_named_and_the_next_statement_is_checked(
    shape: tuple[str, str], depth: int
) -> None:
    opening, closing = shape
    head = "SELECT " + opening * depth + "1" + closing * depth + ";\n"
    report = LINTER.lint_text("deep.sql", head + INDEX)
    findings = found(report)
    assert findings[-1] == ("SG004", 2, 1)
    assert findings[:-1] in ([], [("E001", 1, findings[0][2])])  # too deep for PostgreSQL: its error


REVISION = '''from alembic import op
revision = "a1"
down_revision = None

def upgrade():
    op.execute({sql})
    op.create_index("ix", "t", ["a"])

def downgrade():
    op.drop_index("ix")
'''


@ATTACK
@given(count=st.integers(1, 1200), operator=st.sampled_from([" + ", " % ", " * "]))
def test_python_operator_chain_is_checked_or_named_never_skipped(count: int, operator: str) -> None:
    report = LINTER.lint_text("a1.py", REVISION.format(sql=operator.join(["'SELECT 1'"] * count)))
    assert found(report) in ([("SG004", 7, 5)], [("E003", 1, 1)])
    if count <= 400:  # well within what is parsed (with a larger stack past ~250 terms)
        assert found(report) == [("SG004", 7, 5)]


@ATTACK
@given(depth=st.integers(1, 190), opening=st.sampled_from(["(", "["]))
def test_python_bracket_nesting_within_cpythons_limit_is_checked(depth: int, opening: str) -> None:
    closing = {"(": ")", "[": "]"}[opening]
    sql = opening * depth + "'SELECT 1'" + closing * depth
    report = LINTER.lint_text("a1.py", REVISION.format(sql=sql))
    assert found(report) == [("SG004", 7, 5)]


@ATTACK
@given(code=st.integers(0xD800, 0xDFFF), place=st.sampled_from(["comment", "literal"]))
def test_lone_surrogate_escape_in_python_sql_is_linted(code: int, place: str) -> None:
    escape = f"\\u{code:04x}"
    sql = f"CREATE INDEX i ON t (a) -- {escape}" if place == "comment" else f"CREATE INDEX i ON t ((a || '{escape}'))"
    text = REVISION.replace('    op.create_index("ix", "t", ["a"])\n', "").format(sql=f'"{sql}"')
    report = LINTER.lint_text("a1.py", text)
    assert found(report) == [("SG004", 6, 17), ("SG004", 9, 5)]  # the execute's index, the drop_index


@ATTACK
@given(prefix=st.text(alphabet="ab ;\n", max_size=20_000), suffix=st.binary(max_size=50))
def test_a_nul_byte_anywhere_is_named_at_its_offset(prefix: str, suffix: bytes) -> None:
    data = prefix.encode() + b"\x00" + suffix
    assert decode_source(data) == (None, f"binary file (NUL byte at offset {len(prefix)}), not text")


@ATTACK
@given(body=st.sampled_from([INDEX, "SELECT 1;\n" + INDEX, "-- c\n" + INDEX]), marks=st.integers(1, 3))
def test_byte_order_mark_is_left_out_once(body: str, marks: int) -> None:
    """One mark is encoding, not text; a second one is text (U+FEFF), which PostgreSQL rejects."""
    text, problem = decode_source(codecs.BOM_UTF8 * marks + body.encode())
    assert problem == "" and text is not None
    assert text == "\ufeff" * (marks - 1) + body
    report = LINTER.lint_text("bom.sql", text)
    line = body.count("\n")
    if marks == 1:
        assert found(report) == [("SG004", line, 1)]
    else:
        assert found(report)[0][0] == "E001"


KNOWN = selectors(known_rules())
words = st.sampled_from(["SG004", "ALL", "locking", ""])
toml_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.integers(-5, 100), st.booleans(), st.text(max_size=8), words),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12,
)
keys = st.sampled_from(["select", "ignore", "extend-select", "per-file-ignores", "severity", "target-version",
                        "exclude", "extend-exclude", "fail-on", "assume-in-transaction", "dialect",
                        "migration-dirs", "cache-dir", "tool", "selcet"])


@settings(max_examples=300, deadline=None)
@given(table=st.dictionaries(keys, toml_values, max_size=4))
def test_any_config_values_give_a_config_or_a_config_error(table: dict[str, Any]) -> None:
    try:
        config = parse_settings(table, "sqlguard.toml", Path("sqlguard.toml"), KNOWN)
    except ConfigError as error:
        assert str(error).startswith("sqlguard.toml")
        assert "\n" not in str(error)
    else:
        assert isinstance(config, Config)
        config.ignored_for("db/1.sql")  # what the engine asks of it: must not raise either
