"""The text reporter's caret sits under the flagged text in terminal cells, not characters."""

from __future__ import annotations

from sqlguard.diagnostics import Diagnostic, FileReport, Span
from sqlguard.reporters import text
from sqlguard.reporters.text import display_width


def _caret(line: str, flagged: str) -> list[str]:
    start = line.index(flagged)
    finding = Diagnostic("SG001", Span(start, start + len(flagged)), "m", name="n")
    return text.render([FileReport("a.sql", line + "\n", [finding])]).splitlines()[1:3]


def test_wide_characters_before_and_inside_the_finding() -> None:
    assert _caret('CREATE TABLE "注文" (id serial);', "serial") == [
        '1 | CREATE TABLE "注文" (id serial);',
        "  | " + " " * (len('CREATE TABLE "" (id ') + 4) + "^" * 6,
    ]
    assert _caret('COMMENT ON TABLE t IS \'日本\';', "'日本'") == [
        "1 | COMMENT ON TABLE t IS '日本';",
        "  | " + " " * len("COMMENT ON TABLE t IS ") + "^" * 6,
    ]


def test_combining_marks_take_no_cell_and_a_blanked_control_one() -> None:
    # "e" + COMBINING ACUTE is one cell; the escape character is printed as one blank.
    assert _caret('SELECT \'cafe\u0301\x1b\'; CREATE INDEX i ON t (a);', "CREATE") == [
        "1 | SELECT 'cafe\u0301 '; CREATE INDEX i ON t (a);",
        "  | " + " " * len("SELECT 'cafe '; ") + "^" * 6,
    ]


def test_display_width() -> None:
    assert [display_width(s) for s in ("abc", "注文", "e\u0301", "a\u200bb", "🙂")] == [3, 4, 1, 2, 2]
