"""E001 covers the token PostgreSQL names, in the plain parse and through the editor's statement cache."""

from __future__ import annotations

from tests.frontends.test_statement_cache import both


def _flagged(text: str, base: int = 0) -> list[list[str]]:
    return [[text[e.span.start - base : e.span.end - base] for e in parsed.errors] for parsed in both(text, base=base)]


def test_the_error_spans_the_named_token() -> None:
    text = "SELECT 1;\nCREAT TABLE t (a int);\nCREATE TABLE \"naïve\" (a int) nonsense;\n"
    assert _flagged(text) == [["CREAT", "nonsense"]] * 2


def test_spans_stay_right_when_shifted_into_a_python_file() -> None:
    assert _flagged("SELEC 1;", base=40) == [["SELEC"]] * 2


def test_end_of_input_is_one_character() -> None:
    text = "CREATE TABLE t (a int"
    for parsed in both(text):
        (error,) = parsed.errors
        assert error.message == "syntax error at end of input"
        assert error.span.end - error.span.start == 1
