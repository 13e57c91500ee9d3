"""Inline suppressions: line, line above, whole file, squawk's comments, and strings that only
look like comments."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURES, concise, lint_snippet


def test_suppression_forms(tmp_path: Path) -> None:
    report = lint_snippet(tmp_path, (FIXTURES / "suppressions" / "suppressed.sql").read_text())
    lines = [line for line in concise(report).splitlines() if not line.startswith(" ")]
    # 1-5 silenced (line above, same line by name, squawk name); 7 has an ignore for another rule;
    # 8's "comment" is inside a string literal, so it silences nothing.
    assert lines == [
        '7:1 SG004 CREATE INDEX on "events" blocks writes to it until the index is built',
        '8:38 SG004 CREATE INDEX on "events" blocks writes to it until the index is built',
    ]


def test_file_level_suppression_is_per_rule(tmp_path: Path) -> None:
    report = lint_snippet(tmp_path, (FIXTURES / "suppressions" / "ignored_file.sql").read_text())
    assert [d.rule for d in report.diagnostics] == ["SG003"]


def test_bare_ignore_silences_every_rule_on_the_next_line(tmp_path: Path) -> None:
    report = lint_snippet(tmp_path, "-- sqlguard: ignore\nCREATE TABLE t (id serial, at timestamp);\n")
    assert report.diagnostics == []


def test_squawk_file_ignore(tmp_path: Path) -> None:
    code = "-- squawk-ignore-file prefer-timestamptz\nCREATE TABLE t (at timestamp);\nCREATE INDEX i ON u (a);\n"
    report = lint_snippet(tmp_path, code)
    assert [d.rule for d in report.diagnostics] == ["SG004"]


def test_syntax_errors_cannot_be_silenced(tmp_path: Path) -> None:
    report = lint_snippet(tmp_path, "-- sqlguard: ignore\nSELEC 1;\n")
    assert [d.rule for d in report.diagnostics] == ["E001"]
