"""Output that stays linear in the input and never writes raw control characters.

A long line is shown as a window around each finding; file names, messages and help are escaped
in every plain-text format and on stderr, so a file named ``x.sql\\n::error::...`` cannot write a
GitHub workflow command into a CI log.
"""

from __future__ import annotations

from pathlib import Path

from sqlguard.diagnostics import Diagnostic, FileReport, Span
from sqlguard.reporters import concise, text
from sqlguard.reporters.escape import escaped
from tests.conftest import run_cli

HOSTILE = "x.sql\n::error file=a,line=1::pwned\r\x1b[2J\u2028y"
HOSTILE_SHOWN = "x.sql\\n::error file=a,line=1::pwned\\r\\x1b[2J\\u2028y"


def test_escaped_names_every_control_and_leaves_other_text() -> None:
    assert escaped(HOSTILE) == HOSTILE_SHOWN
    assert escaped("é ü 日本 \\ plain") == "é ü 日本 \\ plain"
    assert escaped("\x00\x7f\x85\x9b\t") == "\\x00\\x7f\\x85\\x9b\\t"


def one_line_file(statements: int) -> str:
    return "".join(f"CREATE INDEX i{n} ON t (a); " for n in range(statements))


def test_text_shows_a_window_of_a_long_line() -> None:
    source = one_line_file(1000)  # 28,890 characters on one line
    start = source.index("CREATE INDEX i500 ")
    end = source.index(";", start)
    report = FileReport("long.sql", source, [Diagnostic("SG004", Span(start, end), "m")])
    lines = text.render([report]).splitlines()
    assert lines[0] == f"long.sql:1:{start + 1}: SG004 m"
    shown = source[start - 40 : start + 80]
    assert lines[1] == f"1 | …{shown}…"
    assert lines[2] == "  | " + " " * 41 + "^" * (end - start)


def test_text_window_at_both_ends_of_a_line_has_no_marks() -> None:
    source = "CREATE INDEX i ON t (a);\n"
    report = FileReport("s.sql", source, [Diagnostic("SG004", Span(0, 23), "m")])
    assert text.render([report]).splitlines()[1:3] == ["1 | CREATE INDEX i ON t (a);", "  | " + "^" * 23]


def test_text_output_is_linear_on_a_one_megabyte_line() -> None:
    """Before the window each of these 360 findings printed the whole 1 MB line (360 MB)."""
    source = one_line_file(36_000)
    assert len(source) > 1_000_000
    at = [0]
    for _ in range(1, 36_000):
        at.append(source.index("CREATE", at[-1] + 1))
    report = FileReport("big.sql", source, [Diagnostic("SG004", Span(a, a + 12), "m") for a in at[::100]])
    rendered = text.render([report])
    assert len(rendered) < 360 * 250
    assert max(len(line) for line in rendered.splitlines()) <= 4 + 1 + 120 + 1 + 20


def test_concise_escapes_file_names_messages_and_help() -> None:
    report = FileReport(HOSTILE, "SELECT 1;\n", [
        Diagnostic("SG004", Span(0, 1), "a\nb::warning::c", help="line one\nline\x1b two\r\n::error::three"),
    ])
    assert concise.render([report]).splitlines() == [
        f"{HOSTILE_SHOWN}:1:1: SG004 a\\nb::warning::c",
        "  help: line one",
        "        line\\x1b two",
        "        ::error::three",
    ]


def test_text_escapes_file_names_and_messages() -> None:
    report = FileReport(HOSTILE, "SELECT 1;\n", [Diagnostic("SG004", Span(0, 1), "m\n::error::x")])
    assert text.render([report]).splitlines()[0] == f"{HOSTILE_SHOWN}:1:1: SG004 m\\n::error::x"


def test_cli_never_prints_a_raw_newline_from_a_file_name(tmp_path: Path) -> None:
    name = "x.sql\n::error::pwned.sql"
    (tmp_path / name).write_text("CREATE INDEX i ON t (a);\n", encoding="utf-8")
    (tmp_path / "empty\n::warning::y.sql").write_text("", encoding="utf-8")
    for output in ("concise", "text"):
        result = run_cli("lint", "--no-cache", "--format", output, ".", cwd=tmp_path)
        assert result.returncode == 1
        for line in (result.stdout + result.stderr).splitlines():
            assert not line.lstrip().startswith("::"), line
        assert "x.sql\\n::error::pwned.sql:1:1: SG004" in result.stdout
        assert result.stderr == "sqlguard: warning: empty\\n::warning::y.sql: empty file, nothing to lint\n"
